package types_test

import (
	"testing"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/model/shapegen"
)

// shapes.go must be what the generator makes of the embedded model: a model
// update or a new operation needs `go generate ./internal/ecs/types`.
func TestShapesUpToDate(t *testing.T) {
	shapegen.UpToDate(t, "ecs", types.Operations, types.Header, "shapes.go", "./internal/ecs/types")
}
