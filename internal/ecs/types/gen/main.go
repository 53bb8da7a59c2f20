// Command gen writes internal/ecs/types/shapes.go: a Go struct for every
// shape of the ECS model (internal/model, embedded) that the operations
// rolecall serves read or answer, so that the ECS domain and its binding
// work on AWS's own shapes, member for member, and an SDK or Terraform
// reading a task definition back sees every member it registered.
//
//	go run ./internal/ecs/types/gen
//
// Go names: a shape keeps its name, a member is its name with the first
// letter upper-cased (the codecs match them that way, internal/protocol).
// Types follow internal/api's conventions:
//   - strings and enums: string (empty is absent);
//   - Integer, Long, Double, Boolean: values, always present, as AWS
//     answers them (a container's "cpu": 0);
//   - Boxed* and constrained number shapes: pointers (nil is absent);
//   - Timestamp: *time.Time; structures: *T; lists: []T; maps:
//     map[string]string.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecs/types/internal/shapegen"
	"github.com/rolecall/rolecall/internal/model"
)

func main() {
	out := flag.String("out", "internal/ecs/types/shapes.go", "output file")
	flag.Parse()
	src, err := shapegen.Generate(model.MustLoad("ecs"), types.Operations)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
