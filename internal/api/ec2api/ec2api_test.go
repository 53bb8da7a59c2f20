package ec2api

import (
	"reflect"
	"testing"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/api/apitest"
	"github.com/rolecall/rolecall/internal/api/ec2api/types"
	"github.com/rolecall/rolecall/internal/resolve"
)

// Every bound operation takes the model's request shape and answers its
// response shape, and every operation types.go generates shapes for is
// bound.
func TestBindingsMatchModel(t *testing.T) {
	var ops []*api.Operation
	for _, op := range New(resolve.EC2{}, resolve.IAM{}, nil).Ops {
		ops = append(ops, op)
	}
	apitest.BindingsMatchModel(t, "ec2", ops, types.Operations, reflect.TypeFor[types.Tag]())
}
