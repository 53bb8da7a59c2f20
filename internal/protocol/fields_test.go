package protocol

import (
	"reflect"
	"testing"
)

// AssignString fills every field Assign does, as Assign does.
func TestAssignStringAsAssign(t *testing.T) {
	type named string
	type in struct {
		S   string
		N   named
		P   *string
		PN  *named
		Any any
		B   []byte
	}
	var got, want in
	gv, wv := reflect.ValueOf(&got).Elem(), reflect.ValueOf(&want).Elem()
	for i := range gv.NumField() {
		AssignString(gv.Field(i), "app")
		Assign(wv.Field(i), reflect.ValueOf("app"))
	}
	AssignString(reflect.Value{}, "nowhere")
	if !reflect.DeepEqual(got, want) || got.S != "app" || *got.PN != "app" || got.Any != "app" {
		t.Errorf("AssignString filled %+v; Assign %+v", got, want)
	}
}
