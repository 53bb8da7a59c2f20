// Package protocol holds what the AWS protocol codecs share: how a Go struct
// field is matched to a model member, and how AWS words constraint
// violations. The codecs themselves live in subpackages (query, jsonrpc).
package protocol

import (
	"fmt"
	"maps"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/rolecall/rolecall/internal/model"
)

var fieldCache sync.Map // reflect.Type -> map[string][]int

// Fields returns the index paths of t's exported fields by name, so a codec
// can find the field for a model member in one map lookup. Embedded structs
// are flattened, as encoding/json does.
func Fields(t reflect.Type) map[string][]int {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string][]int)
	}
	out := map[string][]int{}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			idx := append(append([]int(nil), prefix...), i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if _, dup := out[f.Name]; !dup {
				out[f.Name] = idx
			}
		}
	}
	walk(t, nil)
	fieldCache.Store(t, out)
	return out
}

// Field returns the field of struct value v for member name, or an invalid
// Value when the struct has no such field. JSON-protocol models name members
// in lower camel case ("clusterName"); their Go fields are the same name
// with the first letter upper-cased ("ClusterName").
func Field(v reflect.Value, name string) reflect.Value {
	idx := fieldIndex(Fields(v.Type()), name)
	if idx == nil {
		return reflect.Value{}
	}
	return v.FieldByIndex(idx)
}

// fieldIndex is the index path of member name's field among fields, or nil.
func fieldIndex(fields map[string][]int, name string) []int {
	idx, ok := fields[name]
	if !ok && name != "" && 'a' <= name[0] && name[0] <= 'z' {
		idx = fields[string(name[0]-'a'+'A')+name[1:]]
	}
	return idx
}

// Member is one member of a structure shape as a codec meets it in one Go
// struct type: its name and reference in the model, whether the shape
// requires it, and the index path of the field that holds it as Field
// finds it (nil: the type has no such field).
type Member struct {
	Name     string
	Ref      *model.Ref
	Required bool
	Index    []int
}

// typedMembers is Members' answer for one type.
type typedMembers struct {
	t       reflect.Type
	members []Member
}

// members is Members' cache: a map written by copying it whole (under
// membersMu), so that reading it takes neither a lock nor an interface's
// hash, as a sync.Map keyed by shape and type would on every structure of
// every request (issue 18). A shape meets one Go type or few: they are
// gone through in turn. It grows to the shapes the codecs meet, a few
// hundred, each copied in once.
var (
	members   atomic.Pointer[map[*model.Shape][]typedMembers]
	membersMu sync.Mutex
)

// Members is sh's members in the model's order, each with its field in
// struct type t (nil: no type, the members are only validated), worked
// out once per shape and type: a page of 100 roles would otherwise look up
// every member of every role by name.
func Members(sh *model.Shape, t reflect.Type) []Member {
	if m, ok := planned(members.Load(), sh, t); ok {
		return m
	}
	membersMu.Lock()
	defer membersMu.Unlock()
	old := members.Load()
	if m, ok := planned(old, sh, t); ok { // planned meanwhile
		return m
	}
	out := make([]Member, 0, len(sh.MemberOrder))
	var fields map[string][]int
	if t != nil {
		fields = Fields(t)
	}
	for _, name := range sh.MemberOrder {
		out = append(out, Member{Name: name, Ref: sh.Members[name], Required: sh.IsRequired(name), Index: fieldIndex(fields, name)})
	}
	next := map[*model.Shape][]typedMembers{}
	if old != nil {
		next = maps.Clone(*old)
	}
	// A new slice: readers may hold the old one.
	next[sh] = append(append([]typedMembers(nil), next[sh]...), typedMembers{t, out})
	members.Store(&next)
	return out
}

// planned is the plan for sh and t in plans, if there is one.
func planned(plans *map[*model.Shape][]typedMembers, sh *model.Shape, t reflect.Type) ([]Member, bool) {
	if plans == nil {
		return nil, false
	}
	for _, tm := range (*plans)[sh] {
		if tm.t == t {
			return tm.members, true
		}
	}
	return nil, false
}

// Present reports whether field value v counts as present under the
// conventions documented in internal/api.
func Present(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Invalid:
		return false
	case reflect.String:
		return v.Len() > 0
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return !v.IsNil()
	default:
		return true
	}
}

// Assign stores val into field, dereferencing pointer fields and converting
// between a decoder's kinds (string, int64, bool, float64, time.Time,
// []byte) and the field's. Bindings are checked against the model by
// tests, so a field that cannot take the value is a programming error.
func Assign(field, val reflect.Value) {
	if !field.IsValid() {
		return
	}
	if field.Kind() == reflect.Pointer {
		p := reflect.New(field.Type().Elem())
		Assign(p.Elem(), val)
		field.Set(p)
		return
	}
	switch field.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		field.SetInt(val.Int())
	case reflect.Float32, reflect.Float64:
		field.SetFloat(val.Float())
	case reflect.Interface:
		field.Set(val)
	default:
		if !val.Type().ConvertibleTo(field.Type()) {
			panic(fmt.Sprintf("protocol: cannot assign %s to a field of type %s", val.Type(), field.Type()))
		}
		field.Set(val.Convert(field.Type()))
	}
}

// AssignString is Assign of a string value (ParseScalar's for a string
// shape), which a string field takes without the value being boxed in a
// reflect.Value first.
func AssignString(field reflect.Value, s string) {
	switch field.Kind() {
	case reflect.Invalid:
	case reflect.String:
		field.SetString(s)
	default:
		Assign(field, reflect.ValueOf(s))
	}
}
