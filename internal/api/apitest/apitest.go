// Package apitest checks a service binding against its model, in the
// binding's tests.
package apitest

import (
	"reflect"
	"slices"
	"testing"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/model"
)

// BindingsMatchModel: every bound operation of the model named takes the
// model's request shape and answers its response shape, both generated
// shapes of shapes' package (they have the model's names), and the
// operations bound are exactly served.
func BindingsMatchModel(t *testing.T, modelName string, ops []*api.Operation, served []string, shapes reflect.Type) {
	t.Helper()
	m := model.MustLoad(modelName)
	var names []string
	for _, b := range ops {
		name := b.Name
		names = append(names, name)
		op, ok := m.Operations[name]
		if !ok {
			t.Errorf("%s is not an operation of %s", name, modelName)
			continue
		}
		if op.Input == nil || b.InputType().Name() != op.Input.Shape {
			t.Errorf("%s: input %s, the model's is %v", name, b.InputType(), op.Input)
		}
		if op.Output == nil || b.OutputType().Name() != op.Output.Shape {
			t.Errorf("%s: output %s, the model's is %v", name, b.OutputType(), op.Output)
		}
		if b.InputType().PkgPath() != shapes.PkgPath() {
			t.Errorf("%s: input %s is not a generated shape", name, b.InputType())
		}
	}
	want := slices.Clone(served)
	slices.Sort(want)
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("bound %v\nwant %v", names, want)
	}
}
