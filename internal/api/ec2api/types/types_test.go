package types_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/rolecall/rolecall/internal/api/ec2api/types"
	"github.com/rolecall/rolecall/internal/model"
	"github.com/rolecall/rolecall/internal/model/shapegen"
)

// shapes.go must be what the generator makes of the embedded model: a model
// update or a new operation needs `go generate ./internal/api/ec2api/types`.
func TestShapesUpToDate(t *testing.T) {
	want, err := shapegen.Generate(model.MustLoad("ec2"), types.Operations, "types", types.Header)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("shapes.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("shapes.go is stale: run go generate ./internal/api/ec2api/types")
	}
}
