package authz

import (
	"context"
	"testing"
)

type otherKey struct{}

// WithMeta's context carries its Meta and everything its parent carries,
// is cancelled with its parent, and does not change when the same Meta is
// given again with another parent (which gets a context of its own).
func TestWithMeta(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "v"))
	m := &Meta{RequestID: "r1"}
	c := WithMeta(parent, m)
	if metaFrom(c) != m || c.Value(otherKey{}) != "v" {
		t.Fatalf("metaFrom = %p (want %p), other = %v", metaFrom(c), m, c.Value(otherKey{}))
	}
	c2 := WithMeta(context.Background(), m)
	if metaFrom(c2) != m || c2.Value(otherKey{}) != nil {
		t.Errorf("second context: %p %v", metaFrom(c2), c2.Value(otherKey{}))
	}
	if c.Value(otherKey{}) != "v" {
		t.Error("the first context lost its parent")
	}
	cancel()
	<-c.Done()
	if c.Err() != context.Canceled || c2.Err() != nil {
		t.Errorf("Err: %v, %v", c.Err(), c2.Err())
	}
	if metaFrom(context.Background()).RequestID != "" {
		t.Error("a context without Meta has one")
	}
}
