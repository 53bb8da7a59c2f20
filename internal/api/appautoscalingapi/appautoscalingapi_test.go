package appautoscalingapi

import (
	"reflect"
	"testing"

	"github.com/rolecall/rolecall/internal/api/apitest"
	"github.com/rolecall/rolecall/internal/appautoscaling/types"
)

// Every bound operation takes the model's request shape and answers its
// response shape, and every operation types.go generates shapes for is
// bound.
func TestBindingsMatchModel(t *testing.T) {
	apitest.BindingsMatchModel(t, "application-autoscaling", bindings(nil, declarations{}), types.Operations, reflect.TypeFor[types.Alarm]())
}
