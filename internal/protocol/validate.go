package protocol

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/model"
)

// Violations collects constraint failures in AWS's wording and renders them
// as AWS's ValidationError: "2 validation errors detected: Value 'x' at
// 'roleName' failed to satisfy constraint: Member must ...; Value ...".
type Violations struct {
	// QuoteValues says whether the offending value is echoed. STS echoes it
	// ("Value 'Session1:2' at 'roleSessionName'"); IAM, as recorded in 2025,
	// does not ("Value at 'status'").
	QuoteValues bool
	items       []string
}

// memberPath is how AWS names a member in these messages: the member name
// with its first letter lower-cased, nested as 'tags.1.member.key'.
func memberPath(parent, member string) string {
	name := lowerFirst(member)
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// elementPath names the i-th (1-based) element of a list at path.
func elementPath(path string, i int) string { return path + "." + strconv.Itoa(i) + ".member" }

// Path is where a value is in a request's input, spelled out (as
// memberPath and elementPath spell it) only for a violation: a decoder
// passes one down for every value it checks, and nearly every value is
// fine. It is the steps from the input to the value; the empty Path is
// the input itself, named "". A child's steps are appended to its
// parent's, so that siblings reuse one array: a Path is valid while its
// value is being decoded.
type Path []step

type step struct {
	member string // the member's name in the model; "" for a list element
	index  int    // a list element's 1-based index
}

// NewPath is the input's Path, with room for the steps of most inputs.
func NewPath() Path { return make(Path, 0, 8) }

// Member is the path of member name of the structure at p.
func (p Path) Member(name string) Path { return append(p, step{member: name}) }

// Element is the path of the i-th (1-based) element of the list at p.
func (p Path) Element(i int) Path { return append(p, step{index: i}) }

func (p Path) String() string {
	s := ""
	for _, st := range p {
		if st.member == "" {
			s = elementPath(s, st.index)
		} else {
			s = memberPath(s, st.member)
		}
	}
	return s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Null records a missing required member.
func (v *Violations) Null(path Path) {
	v.items = append(v.items, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path.String()))
}

func (v *Violations) add(path Path, value string, quote bool, constraint string) {
	if v.QuoteValues && quote {
		v.items = append(v.items, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, path.String(), constraint))
		return
	}
	v.items = append(v.items, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", path.String(), constraint))
}

// Len is the number of violations recorded so far.
func (v *Violations) Len() int { return len(v.items) }

// Elements records that some element of the list of scalars at path broke
// its member shape's constraints. AWS names the list, not the element, and
// lists every constraint of the member shape whichever one failed, so
// several bad elements are one violation (recorded for IAM UntagRole:
// "Value at 'tagKeys' failed to satisfy constraint: Member must satisfy
// constraint: [Member must have length less than or equal to 128, Member
// must have length greater than or equal to 1, Member must satisfy regular
// expression pattern: ..., Member must not be null]"; Lambda and ACM answer
// the same form with the list echoed as "Value '[a, b]'"). Lists of
// structures are not reported this way: their members are named
// ('tags.1.member.key').
func (v *Violations) Elements(path Path, values []string, member *model.Shape) {
	constraint := "Member must satisfy constraint: [" + strings.Join(v.memberConstraints(member), ", ") + "]"
	v.add(path, "["+strings.Join(values, ", ")+"]", !member.Sensitive, constraint)
}

// memberConstraints lists a scalar shape's constraints in the order AWS
// names them inside "Member must satisfy constraint: [...]": upper bound,
// lower bound, pattern, enum, and always non-null last.
func (v *Violations) memberConstraints(sh *model.Shape) []string {
	var out []string
	unit := "length"
	if sh.Type == "integer" || sh.Type == "long" {
		unit = "value"
	}
	if sh.Max != nil {
		out = append(out, fmt.Sprintf("Member must have %s less than or equal to %d", unit, int64(*sh.Max)))
	}
	if sh.Min != nil {
		out = append(out, fmt.Sprintf("Member must have %s greater than or equal to %d", unit, int64(*sh.Min)))
	}
	if sh.Pattern != "" {
		out = append(out, "Member must satisfy regular expression pattern: "+sh.Pattern)
	}
	if len(sh.Enum) > 0 {
		if v.QuoteValues {
			out = append(out, "Member must satisfy enum value set: ["+strings.Join(sh.Enum, ", ")+"]")
		} else {
			out = append(out, "Member must satisfy enum value set")
		}
	}
	return append(out, "Member must not be null")
}

// String checks a string value against its shape's length, pattern and enum.
func (v *Violations) String(path Path, s string, sh *model.Shape) {
	v.str(path, s, sh, true)
}

// StringOwnPattern checks s as String does but for the pattern, which the
// caller reports in its service's own words; it says whether s matches.
func (v *Violations) StringOwnPattern(path Path, s string, sh *model.Shape) bool {
	v.str(path, s, sh, false)
	return sh.Match(s)
}

func (v *Violations) str(path Path, s string, sh *model.Shape, pattern bool) {
	quote := !sh.Sensitive
	n := utf8.RuneCountInString(s)
	if sh.Min != nil && float64(n) < *sh.Min {
		v.add(path, s, quote, fmt.Sprintf("Member must have length greater than or equal to %d", int(*sh.Min)))
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		v.add(path, s, quote, fmt.Sprintf("Member must have length less than or equal to %d", int(*sh.Max)))
	}
	if pattern && !sh.Match(s) {
		v.add(path, s, quote, "Member must satisfy regular expression pattern: "+sh.Pattern)
	}
	if len(sh.Enum) > 0 && !contains(sh.Enum, s) {
		if v.QuoteValues {
			v.add(path, s, quote, "Member must satisfy enum value set: ["+strings.Join(sh.Enum, ", ")+"]")
		} else {
			v.add(path, s, quote, "Member must satisfy enum value set")
		}
	}
}

// Number checks an integer value against its shape's range.
func (v *Violations) Number(path Path, n int64, sh *model.Shape) {
	if sh.Min != nil && float64(n) < *sh.Min {
		v.add(path, strconv.FormatInt(n, 10), true, fmt.Sprintf("Member must have value greater than or equal to %d", int64(*sh.Min)))
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		v.add(path, strconv.FormatInt(n, 10), true, fmt.Sprintf("Member must have value less than or equal to %d", int64(*sh.Max)))
	}
}

// Length checks a list or map's element count.
func (v *Violations) Length(path Path, n int, sh *model.Shape) {
	if sh.Min != nil && float64(n) < *sh.Min {
		v.add(path, "", false, fmt.Sprintf("Member must have length greater than or equal to %d", int(*sh.Min)))
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		v.add(path, "", false, fmt.Sprintf("Member must have length less than or equal to %d", int(*sh.Max)))
	}
}

// Err returns the collected violations as AWS's ValidationError, or nil.
func (v *Violations) Err() *awserr.Error {
	switch len(v.items) {
	case 0:
		return nil
	case 1:
		return awserr.ValidationError("1 validation error detected: %s", v.items[0])
	default:
		return awserr.ValidationError("%d validation errors detected: %s", len(v.items), strings.Join(v.items, "; "))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
