package api

import (
	"context"
	"reflect"
	"testing"
)

// TestNewCall: NewCall's input is NewInput's (a fresh, zero *In), next to
// a fresh, zero Call; no two calls share either.
func TestNewCall(t *testing.T) {
	type in struct{ RoleName string }
	op := Op("GetRole", func(context.Context, *Call, *in) (*struct{}, error) { return nil, nil }, nil)
	c1, i1 := op.NewCall()
	c2, i2 := op.NewCall()
	if reflect.TypeOf(i1) != reflect.TypeOf(op.NewInput()) {
		t.Fatalf("NewCall's input is a %T, NewInput's a %T", i1, op.NewInput())
	}
	if *c1 != (Call{}) || *i1.(*in) != (in{}) {
		t.Fatalf("not zero: %+v, %+v", *c1, *i1.(*in))
	}
	c1.Account, i1.(*in).RoleName = "000000000000", "app"
	if c1 == c2 || *c2 != (Call{}) || i2.(*in).RoleName != "" {
		t.Fatalf("shared: %+v, %+v", *c2, *i2.(*in))
	}
}
