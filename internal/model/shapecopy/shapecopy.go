// Package shapecopy copies a value of one generated shape into the shape
// of the same members in another package: a domain's wire shape
// (generated from the model as it is now) into its frozen record shape
// (generated once for a state format), and back. Both come from
// internal/model/shapegen, so they have the same members by name.
package shapecopy

import (
	"fmt"
	"reflect"
)

// Convert copies src into a new D, member by member by name, deeply. It
// panics when D lacks a member of src: a newer model added a member to a
// stored shape, which then needs a new state format rather than being
// dropped on the way to disk (each records package has a test for it).
func Convert[D, S any](src S) D {
	var dst D
	copyValue(reflect.ValueOf(&dst).Elem(), reflect.ValueOf(src), false)
	return dst
}

// Narrow copies into a new D the members of src that D has, by name,
// deeply, and drops the others: a shape into a smaller one of the same
// model (a task definition's container into a daemon's, whose members are
// a subset of its).
func Narrow[D, S any](src S) D {
	var dst D
	copyValue(reflect.ValueOf(&dst).Elem(), reflect.ValueOf(src), true)
	return dst
}

// copyValue copies src into dst; narrow drops the members of src that dst
// lacks, where Convert panics.
func copyValue(dst, src reflect.Value, narrow bool) {
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
		copyValue(v.Elem(), src.Elem(), narrow)
		dst.Set(v)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(dst.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			copyValue(s.Index(i), src.Index(i), narrow)
		}
		dst.Set(s)
	case reflect.Struct:
		for i := range src.NumField() {
			name := src.Type().Field(i).Name
			f := dst.FieldByName(name)
			if !f.IsValid() {
				if narrow {
					continue
				}
				panic(fmt.Sprintf("shapecopy: %s has no member %s of %s", dst.Type(), name, src.Type()))
			}
			copyValue(f, src.Field(i), narrow)
		}
	default:
		dst.Set(src.Convert(dst.Type()))
	}
}
