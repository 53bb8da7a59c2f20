package leniency

import (
	"context"
	"slices"
	"sync"
	"testing"
)

func TestNotes(t *testing.T) {
	Note(context.Background(), "untracked: nowhere to go") // no panic
	var none *Notes
	if none.Used() || none.List() != nil {
		t.Error("nil Notes are not empty")
	}
	ctx, n := Track(context.Background())
	if n.Used() {
		t.Error("new Notes are used")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { Note(ctx, "x") })
	}
	wg.Wait()
	if !n.Used() || !slices.Equal(n.List(), []string{"x", "x", "x", "x", "x", "x", "x", "x"}) {
		t.Errorf("notes %v", n.List())
	}
	// A context derived from a tracked one notes on the same request.
	Note(context.WithValue(ctx, struct{}{}, 1), "y")
	if l := n.List(); l[len(l)-1] != "y" {
		t.Errorf("notes %v", l)
	}
}
