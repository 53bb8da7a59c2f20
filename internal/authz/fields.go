package authz

import (
	"reflect"
	"sync"
)

// Inputs are the bindings' decoded structs, whose field names are the AWS
// model's member names (internal/api): RoleName, UserName, PolicyArn,
// Tags, cluster, taskDefinition... The authorizer reads them by name, so
// one rule per resource type serves every operation instead of a case per
// operation. Field indexes are looked up once per input type.

type fieldKey struct {
	t    reflect.Type
	name string
}

var fieldIndex sync.Map // fieldKey -> []int (nil: no such field)

// inputOf wraps a decoded input (a pointer to a struct).
type inputOf struct{ v reflect.Value }

func newInput(in any) inputOf {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return inputOf{}
	}
	return inputOf{v}
}

func (in inputOf) field(name string) (reflect.Value, bool) {
	if !in.v.IsValid() {
		return reflect.Value{}, false
	}
	k := fieldKey{in.v.Type(), name}
	idx, ok := fieldIndex.Load(k)
	if !ok {
		var found []int
		if f, ok := in.v.Type().FieldByName(name); ok {
			found = f.Index
		}
		idx, _ = fieldIndex.LoadOrStore(k, found)
	}
	path := idx.([]int)
	if path == nil {
		return reflect.Value{}, false
	}
	v := in.v.FieldByIndex(path)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	return v, true
}

// str is a string member; "" when absent.
func (in inputOf) str(name string) string {
	v, ok := in.field(name)
	if !ok || v.Kind() != reflect.String {
		return ""
	}
	return v.String()
}

// has reports whether the input has a member of that name at all.
func (in inputOf) has(name string) bool {
	_, ok := in.field(name)
	return ok
}

// strs is a list-of-strings member.
func (in inputOf) strs(name string) []string {
	v, ok := in.field(name)
	if !ok || v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.String {
		return nil
	}
	out := make([]string, v.Len())
	for i := range out {
		out[i] = v.Index(i).String()
	}
	return out
}

// tag is a request tag.
type tag struct{ Key, Value string }

// tags reads a Tags member: a list of structs with Key and Value (IAM's,
// STS's and ECS's Tag shapes all have them).
func (in inputOf) tags() ([]tag, bool) {
	v, ok := in.field("Tags")
	if !ok || v.Kind() != reflect.Slice || v.Len() == 0 {
		return nil, false
	}
	et := v.Type().Elem()
	if et.Kind() != reflect.Struct {
		return nil, false
	}
	kf, ok1 := et.FieldByName("Key")
	vf, ok2 := et.FieldByName("Value")
	if !ok1 || !ok2 || kf.Type.Kind() != reflect.String || vf.Type.Kind() != reflect.String {
		return nil, false
	}
	out := make([]tag, v.Len())
	for i := range out {
		e := v.Index(i)
		out[i] = tag{e.FieldByIndex(kf.Index).String(), e.FieldByIndex(vf.Index).String()}
	}
	return out, true
}
