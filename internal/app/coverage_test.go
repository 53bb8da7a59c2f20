package app

import (
	"slices"
	"testing"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/model"
)

// TestEveryOperationIsBound walks the embedded IAM, STS and ECS models:
// every operation is bound in the server Open builds, so that none answers
// NotImplemented (issues #16 and #17: all of IAM's, STS's and ECS's
// operations). EC2 and Application Auto Scaling are served in part.
func TestEveryOperationIsBound(t *testing.T) {
	a, err := Open(Options{Ephemeral: true, Clock: &ids.FixedClock{}, IDs: &ids.Sequence{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	seen := map[string]bool{}
	for _, svc := range a.apis {
		if svc.Name != "iam" && svc.Name != "sts" && svc.Name != "ecs" {
			continue
		}
		seen[svc.Name] = true
		m := model.MustLoad(svc.Name)
		var names []string
		for name := range m.Operations {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if _, bound := svc.Ops[name]; !bound {
				t.Errorf("%s:%s is in the model but not bound: it answers NotImplemented", svc.Name, name)
			}
		}
	}
	if !seen["iam"] || !seen["sts"] || !seen["ecs"] {
		t.Fatalf("Open bound no IAM, STS or ECS: %v", seen)
	}
}
