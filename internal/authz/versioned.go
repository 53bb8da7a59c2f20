package authz

import (
	"sync/atomic"

	"github.com/rolecall/rolecall/internal/store"
)

// Versioned is a store.Store that counts committed writes. The authorizer
// caches what it reads from IAM and ECS (compiled policies, resource paths
// and tags) under the count it read before reading, so any write since
// makes the cache miss: a cache entry is never newer than the state it
// was read from, and never used once the state has moved on.
type Versioned struct {
	store.Store
	gen atomic.Uint64
}

// NewVersioned wraps st; open.go passes the wrapper to every service.
func NewVersioned(st store.Store) *Versioned { return &Versioned{Store: st} }

// Update runs fn as the wrapped store does and counts the commit. The count
// moves after the commit, so a reader that saw the old count re-reads.
func (v *Versioned) Update(fn func(store.Tx) error) error {
	err := v.Store.Update(fn)
	if err == nil {
		v.gen.Add(1)
	}
	return err
}

// Generation is the number of writes committed so far.
func (v *Versioned) Generation() uint64 { return v.gen.Load() }
