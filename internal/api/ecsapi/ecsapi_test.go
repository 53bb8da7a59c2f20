package ecsapi

import (
	"reflect"
	"slices"
	"testing"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/model"
)

// Every bound operation takes the model's request shape and answers its
// response shape (types are generated from the model with the same names),
// and every operation types.go generates shapes for is bound.
func TestBindingsMatchModel(t *testing.T) {
	m := model.MustLoad("ecs")
	var names []string
	for _, b := range bindings(nil, declarations{}) {
		name := b.Name
		names = append(names, name)
		op, ok := m.Operations[name]
		if !ok {
			t.Errorf("%s is not an ECS operation", name)
			continue
		}
		if op.Input == nil || b.InputType().Name() != op.Input.Shape {
			t.Errorf("%s: input %s, the model's is %v", name, b.InputType(), op.Input)
		}
		if op.Output == nil || b.OutputType().Name() != op.Output.Shape {
			t.Errorf("%s: output %s, the model's is %v", name, b.OutputType(), op.Output)
		}
		if b.InputType().PkgPath() != reflect.TypeFor[types.Tag]().PkgPath() {
			t.Errorf("%s: input %s is not a generated shape", name, b.InputType())
		}
	}
	want := slices.Clone(types.Operations)
	slices.Sort(want)
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("bound %v\nwant %v", names, want)
	}
}
