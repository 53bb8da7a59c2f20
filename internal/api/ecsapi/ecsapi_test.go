package ecsapi

import (
	"reflect"
	"testing"

	"github.com/rolecall/rolecall/internal/api/apitest"
	"github.com/rolecall/rolecall/internal/ecs/types"
)

// Every bound operation takes the model's request shape and answers its
// response shape (types are generated from the model with the same names),
// and every operation types.go generates shapes for is bound.
func TestBindingsMatchModel(t *testing.T) {
	apitest.BindingsMatchModel(t, "ecs", operations(nil, declarations{}), types.Operations, reflect.TypeFor[types.Tag]())
}
