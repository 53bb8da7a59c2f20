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

// MemberPath is how AWS names a member in these messages: the member name
// with its first letter lower-cased, nested as 'tags.1.member.key'.
func MemberPath(parent, member string) string {
	name := lowerFirst(member)
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// ElementPath names the i-th (1-based) element of a list at path.
func ElementPath(path string, i int) string { return path + "." + strconv.Itoa(i) + ".member" }

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Null records a missing required member.
func (v *Violations) Null(path string) {
	v.items = append(v.items, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path))
}

func (v *Violations) add(path, value string, quote bool, constraint string) {
	if v.QuoteValues && quote {
		v.items = append(v.items, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, path, constraint))
		return
	}
	v.items = append(v.items, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", path, constraint))
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
func (v *Violations) Elements(path string, values []string, member *model.Shape) {
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
func (v *Violations) String(path string, s string, sh *model.Shape) {
	v.str(path, s, sh, true)
}

// StringOwnPattern checks s as String does but for the pattern, which the
// caller reports in its service's own words; it says whether s matches.
func (v *Violations) StringOwnPattern(path string, s string, sh *model.Shape) bool {
	v.str(path, s, sh, false)
	return sh.Match(s)
}

func (v *Violations) str(path string, s string, sh *model.Shape, pattern bool) {
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
func (v *Violations) Number(path string, n int64, sh *model.Shape) {
	s := strconv.FormatInt(n, 10)
	if sh.Min != nil && float64(n) < *sh.Min {
		v.add(path, s, true, fmt.Sprintf("Member must have value greater than or equal to %d", int64(*sh.Min)))
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		v.add(path, s, true, fmt.Sprintf("Member must have value less than or equal to %d", int64(*sh.Max)))
	}
}

// Length checks a list or map's element count.
func (v *Violations) Length(path string, n int, sh *model.Shape) {
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
