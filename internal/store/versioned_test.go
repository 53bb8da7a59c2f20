package store

import (
	"errors"
	"testing"
)

// TestVersionedCounts: a committed write moves the count, a failed one
// does not, and closing moves it (what was held before is held no more).
func TestVersionedCounts(t *testing.T) {
	v := NewVersioned(NewMemory())
	if g := v.Generation(); g != 0 {
		t.Fatalf("a new store's count is %d", g)
	}
	if err := v.Update(func(tx Tx) error { return tx.Put("b", "k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	if g := v.Generation(); g != 1 {
		t.Fatalf("after a commit, count %d, want 1", g)
	}
	refused := errors.New("refused")
	if err := v.Update(func(tx Tx) error { tx.Put("b", "k", []byte("w")); return refused }); err != refused {
		t.Fatalf("failed update: %v", err)
	}
	if g := v.Generation(); g != 1 {
		t.Fatalf("after a failed update, count %d, want 1", g)
	}
	if !v.Holds("b", "k", []byte("v")) {
		t.Fatal("the committed value is not held")
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if g := v.Generation(); g != 2 {
		t.Fatalf("after Close, count %d, want 2", g)
	}
	if v.Holds("b", "k", []byte("v")) {
		t.Fatal("a closed store still holds a value")
	}
}
