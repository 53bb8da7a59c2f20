// Package shapecopytest checks, in a records package's tests, that a
// stored record shape and its wire shape have the same members.
package shapecopytest

import (
	"reflect"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/model/shapecopy"
)

// RoundTrip fills a W, converts it to R and back, and wants it whole; then
// the same from R. When a newer model adds a member to a stored wire
// shape, shapecopy.Convert panics here: store it with a new state format
// (and regenerate the records), or it would be lost on the way to disk.
func RoundTrip[W, R any](t *testing.T) {
	t.Helper()
	var w W
	fill(reflect.ValueOf(&w).Elem(), 0)
	if back := shapecopy.Convert[W](shapecopy.Convert[R](w)); !reflect.DeepEqual(back, w) {
		t.Errorf("%T -> %T -> back loses members", w, *new(R))
	}
	var r R
	fill(reflect.ValueOf(&r).Elem(), 0)
	if back := shapecopy.Convert[R](shapecopy.Convert[W](r)); !reflect.DeepEqual(back, r) {
		t.Errorf("%T -> %T -> back loses members", r, *new(W))
	}
}

// fill sets every member of v, at every depth, to a value that is not
// its zero.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if depth > 12 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), depth+1)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte("blob"))
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		v.Set(reflect.ValueOf(map[string]string{"k": "v"}))
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	}
}
