// Package records holds the ECS resources as rolecall stores them
// (shapes.go, frozen: see its header), and the conversion between them and
// the wire shapes the ECS domain works on (internal/ecs/types). The two
// have the same members, by name; a test keeps it so, and fails when a new
// model adds a member to a stored shape (which then needs a new state
// format) rather than letting it be dropped on the way to disk.
package records

import (
	"fmt"
	"reflect"
)

// Roots are the shapes the ECS domain stores; shapes.go has them and all
// they reach.
var Roots = []string{"CapacityProvider", "Cluster", "ContainerInstance", "Service", "ServiceEvent", "Tag", "Task", "TaskDefinition"}

// Convert copies src into a new D, member by member by name, deeply: a
// wire shape into its record, or back.
func Convert[D, S any](src S) D {
	var dst D
	copyValue(reflect.ValueOf(&dst).Elem(), reflect.ValueOf(src))
	return dst
}

func copyValue(dst, src reflect.Value) {
	if src.Type() == dst.Type() {
		dst.Set(src)
		return
	}
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		v := reflect.New(dst.Type().Elem())
		copyValue(v.Elem(), src.Elem())
		dst.Set(v)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(dst.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			copyValue(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Struct:
		for i := range src.NumField() {
			name := src.Type().Field(i).Name
			f := dst.FieldByName(name)
			if !f.IsValid() {
				panic(fmt.Sprintf("records: %s has no member %s of %s", dst.Type(), name, src.Type()))
			}
			copyValue(f, src.Field(i))
		}
	default:
		dst.Set(src.Convert(dst.Type()))
	}
}
