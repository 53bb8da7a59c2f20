package types_test

import (
	"testing"

	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/model/shapegen"
)

// shapes.go must be what the generator makes of the embedded model: a model
// update or a new operation needs `go generate ./internal/appautoscaling/types`.
func TestShapesUpToDate(t *testing.T) {
	shapegen.UpToDate(t, "application-autoscaling", types.Operations, types.Header, "shapes.go", "./internal/appautoscaling/types")
}
