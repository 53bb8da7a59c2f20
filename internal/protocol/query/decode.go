// Package query is the AWS query protocol (IAM, STS): form-encoded requests
// with an Action parameter, XML responses. The service model drives both
// directions, so member names, list wrappers, timestamps and constraint
// messages come out as AWS's do for every operation at once.
package query

import (
	"reflect"
	"strconv"
	"sync"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/model"
	"github.com/rolecall/rolecall/internal/protocol"
)

// Codec is the query protocol for one service model.
type Codec struct {
	Model *model.Service
	// QuoteValues: echo offending values in validation messages (see
	// protocol.Violations).
	QuoteValues bool
	// URLEncoded names the string shapes IAM returns URL-encoded (policy
	// documents), per the IAM API reference.
	URLEncoded map[string]bool
	// OwnPatterns maps a top-level member, by its name in the model
	// ("PathPrefix": looked up, not matched against each), to the message
	// the service answers, as a ValidationError of its own, for a value
	// outside the member's pattern, in place of the generic "failed to
	// satisfy constraint" text. The service checks these before the
	// model's other constraints, so this error alone is answered.
	OwnPatterns map[string]string

	fragments protocol.Fragments[place] // encoded stamped structures

	envelopesOnce sync.Once
	envelopes     map[*model.Operation]*envelope
}

// place is where a stamped structure was encoded: the same value gives
// other bytes under another element name or indentation.
type place struct {
	sh    *model.Shape
	tag   string
	depth int
}

// Operation resolves the form's Action against the model.
func (c *Codec) Operation(form protocol.Form) (*model.Operation, *awserr.Error) {
	return Action(c.Model, form)
}

// Action resolves a form's Action against model m: the query protocol's
// and its EC2 variant's.
func Action(m *model.Service, form protocol.Form) (*model.Operation, *awserr.Error) {
	action := form.Get("Action")
	if action == "" {
		return nil, awserr.New(400, "MissingAction", "Missing Action")
	}
	op, ok := m.Operations[action]
	if !ok {
		return nil, awserr.InvalidAction(action, m.Metadata.APIVersion)
	}
	return op, nil
}

// Decode fills dst (a pointer to a struct whose field names are the input
// shape's member names) from form, checking every constraint of the model.
// A request that breaks any constraint gets one ValidationError listing all
// violations, and dst must then be discarded.
func (c *Codec) Decode(op *model.Operation, form protocol.Form, dst any) *awserr.Error {
	if op.InputShape == nil {
		return nil
	}
	d := decoder{form: protocol.IndexForm(form), v: protocol.Violations{QuoteValues: c.QuoteValues}, own: c.OwnPatterns}
	d.structure(op.InputShape, "", protocol.NewPath(), reflect.ValueOf(dst).Elem())
	if d.bad != nil {
		return d.bad
	}
	if d.ownErr != nil {
		return d.ownErr
	}
	return d.v.Err()
}

type decoder struct {
	form   protocol.FormIndex
	v      protocol.Violations
	bad    *awserr.Error // a value that does not parse as its type
	own    map[string]string
	ownErr *awserr.Error // the first OwnPatterns violation
}

// has reports whether the form holds the parameter key or anything nested
// under it: "Tags" is there when "Tags.member.1.Key" is.
func (d *decoder) has(key string) bool {
	return d.form.Has(key)
}

func (d *decoder) structure(sh *model.Shape, prefix string, path protocol.Path, dst reflect.Value) {
	var t reflect.Type
	if dst.IsValid() {
		t = dst.Type()
	}
	for _, m := range protocol.Members(sh, t) {
		key := m.Name
		if prefix != "" {
			key = prefix + "." + m.Name
		}
		mpath := path.Member(m.Name)
		if !d.has(key) {
			if m.Required {
				d.v.Null(mpath)
			}
			continue
		}
		field := reflect.Value{}
		if m.Index != nil {
			field = dst.FieldByIndex(m.Index)
		}
		d.value(m.Ref.Target, m.Ref, key, mpath, field)
	}
}

// value decodes the parameter(s) at key into field; field may be invalid
// (the binding does not use the member), in which case it is only validated.
func (d *decoder) value(sh *model.Shape, ref *model.Ref, key string, path protocol.Path, field reflect.Value) {
	switch sh.Type {
	case "structure":
		var target reflect.Value
		if field.IsValid() {
			target = settable(field)
		}
		d.structure(sh, key, path, target)
	case "list":
		d.list(sh, ref, key, path, field)
	case "map":
		d.mapping(sh, key, path, field)
	default:
		raw := d.form.Get(key)
		d.scalar(sh, key, path, raw, field)
	}
}

func (d *decoder) list(sh *model.Shape, ref *model.Ref, key string, path protocol.Path, field reflect.Value) {
	base := key + ".member"
	if sh.Flattened || ref.Flattened {
		base = key
	}
	// "Key=" with no members is how the SDKs send an empty list.
	n := 0
	for d.has(base + "." + strconv.Itoa(n+1)) {
		n++
	}
	d.v.Length(path, n, sh)
	var out reflect.Value
	if field.IsValid() {
		out = reflect.MakeSlice(field.Type(), n, n)
	}
	// Elements that are scalars are checked apart: AWS reports their
	// violations once, at the list (see protocol.Violations.Elements).
	scalars := isScalar(sh.Member.Target)
	outer := d.v
	if scalars {
		d.v = protocol.Violations{QuoteValues: outer.QuoteValues}
	}
	var raw []string
	for i := 0; i < n; i++ {
		var elem reflect.Value
		if out.IsValid() {
			elem = out.Index(i)
		}
		key := base + "." + strconv.Itoa(i+1)
		if scalars {
			raw = append(raw, d.form.Get(key))
		}
		epath := path.Element(i + 1)
		d.value(sh.Member.Target, sh.Member, key, epath, elem)
	}
	if scalars {
		bad := d.v.Len() > 0
		d.v = outer
		if bad {
			d.v.Elements(path, raw, sh.Member.Target)
		}
	}
	if field.IsValid() {
		field.Set(out)
	}
}

func isScalar(sh *model.Shape) bool {
	switch sh.Type {
	case "structure", "list", "map":
		return false
	}
	return true
}

func (d *decoder) mapping(sh *model.Shape, key string, path protocol.Path, field reflect.Value) {
	base := key + ".entry"
	n := 0
	for d.has(base + "." + strconv.Itoa(n+1)) {
		n++
	}
	d.v.Length(path, n, sh)
	var out reflect.Value
	if field.IsValid() && field.Kind() == reflect.Map {
		out = reflect.MakeMapWithSize(field.Type(), n)
	}
	for i := 1; i <= n; i++ {
		k := d.form.Get(base + "." + strconv.Itoa(i) + ".key")
		val := d.form.Get(base + "." + strconv.Itoa(i) + ".value")
		d.v.String(path, k, sh.Key.Target)
		if out.IsValid() {
			out.SetMapIndex(reflect.ValueOf(k), reflect.ValueOf(val))
		}
	}
	if out.IsValid() {
		field.Set(out)
	}
}

func (d *decoder) scalar(sh *model.Shape, key string, path protocol.Path, raw string, field reflect.Value) {
	if sh.Type == "string" {
		if msg, ok := d.ownPattern(key, path); ok {
			if !d.v.StringOwnPattern(path, raw, sh) && d.ownErr == nil {
				d.ownErr = awserr.ValidationError("%s", msg)
			}
		} else {
			d.v.String(path, raw, sh)
		}
		if field.IsValid() {
			protocol.AssignString(field, raw)
		}
		return
	}
	val, err := protocol.ParseScalar(sh, raw)
	if err != nil {
		d.malformed(key, raw)
		return
	}
	if !val.IsValid() {
		return
	}
	if sh.Type == "integer" || sh.Type == "long" {
		d.v.Number(path, val.Int(), sh)
	}
	if field.IsValid() {
		protocol.Assign(field, val)
	}
}

// ownPattern is the message of the OwnPatterns member at key, if it is
// one: a top-level member (its path one step long), whose key is its name.
func (d *decoder) ownPattern(key string, path protocol.Path) (string, bool) {
	if len(path) != 1 {
		return "", false
	}
	msg, ok := d.own[key]
	return msg, ok
}

func (d *decoder) malformed(key, raw string) {
	if d.bad == nil {
		d.bad = awserr.New(400, "MalformedInput", "Invalid value for parameter %s: %s", key, raw)
	}
}

// settable returns the struct a field holds, allocating a pointer if needed.
func settable(field reflect.Value) reflect.Value {
	if field.Kind() == reflect.Pointer {
		if field.IsNil() {
			field.Set(reflect.New(field.Type().Elem()))
		}
		return field.Elem()
	}
	return field
}
