// Command gen writes internal/api/ec2api/types/shapes.go: a Go struct for
// every shape of the EC2 model (internal/model, embedded) that the
// operations rolecall serves read or answer.
//
//	go run ./internal/api/ec2api/types/gen
//
// The conventions are internal/model/shapegen's.
package main

import (
	"github.com/rolecall/rolecall/internal/api/ec2api/types"
	"github.com/rolecall/rolecall/internal/model/shapegen"
)

func main() {
	shapegen.Command{Model: "ec2", Ops: types.Operations, Out: "internal/api/ec2api/types/shapes.go", Header: types.Header}.Main()
}
