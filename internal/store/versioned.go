package store

import "sync/atomic"

// Versioned is a Store that counts committed writes. Readers that cache
// what they read (the authorizer's compiled policies and resources,
// authentication's access keys) key the cache on the count they read
// before reading, so any write since makes the cache miss: a cache entry
// is never newer than the state it was read from, and never used once the
// state has moved on.
type Versioned struct {
	Store
	gen atomic.Uint64
}

// NewVersioned wraps st; internal/app passes the wrapper to every service.
func NewVersioned(st Store) *Versioned { return &Versioned{Store: st} }

// Update runs fn as the wrapped store does and counts the commit. The count
// moves after the commit, so a reader that saw the old count re-reads.
func (v *Versioned) Update(fn func(Tx) error) error {
	err := v.Store.Update(fn)
	if err == nil {
		v.gen.Add(1)
	}
	return err
}

// Close closes the wrapped store and moves the count: nothing read before
// is held any more, and a cache keyed on the count must look again (and be
// told the store is closed).
func (v *Versioned) Close() error {
	err := v.Store.Close()
	v.gen.Add(1)
	return err
}

// Generation is the number of writes committed so far.
func (v *Versioned) Generation() uint64 { return v.gen.Load() }

// Holds is the wrapped store's answer when it is a Holder, else false
// (Holder).
func (v *Versioned) Holds(bucket, key string, value []byte) bool {
	h, ok := v.Store.(Holder)
	return ok && h.Holds(bucket, key, value)
}
