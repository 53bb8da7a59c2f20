// Package leniency notes, request by request, what rolecall let through
// only because it runs with --auth lenient (a signature it did not check,
// the root user assuming a role), so that the response can say so: the
// server answers such a request with X-Rolecall-Auth: lenient, and a
// request AWS would have taken as it is carries no such header.
//
// It is a leaf: authentication (internal/auth) and the domains
// (internal/sts) note, the server reads, and none of them links another.
package leniency

import (
	"context"
	"sync"
)

// Header is the response header that marks a request let through only
// because of leniency, and Value its value.
const (
	Header = "X-Rolecall-Auth"
	Value  = "lenient"
)

// Notes are what leniency let through for one request.
type Notes struct {
	mu   sync.Mutex
	what []string
}

type key struct{}

// Track returns ctx carrying new Notes, and the Notes.
func Track(ctx context.Context) (context.Context, *Notes) {
	n := &Notes{}
	return context.WithValue(ctx, key{}, n), n
}

// Note records, on the request ctx belongs to, that what was let through
// only because of leniency. Untracked contexts ignore it.
func Note(ctx context.Context, what string) {
	if n, ok := ctx.Value(key{}).(*Notes); ok && n != nil {
		n.mu.Lock()
		n.what = append(n.what, what)
		n.mu.Unlock()
	}
}

// Used reports whether anything was noted.
func (n *Notes) Used() bool {
	if n == nil {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.what) > 0
}

// List is what was noted, in order.
func (n *Notes) List() []string {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.what...)
}
