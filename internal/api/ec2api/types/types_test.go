package types_test

import (
	"testing"

	"github.com/rolecall/rolecall/internal/api/ec2api/types"
	"github.com/rolecall/rolecall/internal/model/shapegen"
)

// shapes.go must be what the generator makes of the embedded model: a model
// update or a new operation needs `go generate ./internal/api/ec2api/types`.
func TestShapesUpToDate(t *testing.T) {
	shapegen.UpToDate(t, "ec2", types.Operations, types.Header, "shapes.go", "./internal/api/ec2api/types")
}
