// Package store keeps rolecall's state: ordered key/value buckets with
// serializable transactions. Domain packages encode their own records; the
// store knows nothing of roles or clusters.
//
// Two engines implement Store: Bolt (one bbolt file, fsync on commit) and
// Memory (for --ephemeral and tests).
package store

import "errors"

// ErrClosed is returned by a transaction on a closed store.
var ErrClosed = errors.New("store: closed")

// Store runs transactions. Update runs fn in a read-write transaction that
// commits, durably, only if fn returns nil; on error nothing fn wrote is kept.
// fn may run more than once (concurrent commits are batched, and a batch in
// which one fn fails is rolled back and rerun without it, the failing fn
// running again on its own), and it may run on a goroutine other than the
// caller's, so it must not have effects outside tx. A panic in fn reaches
// the caller of Update, and nothing fn wrote is kept.
//
// fn must not call back into the same Store: a nested Update deadlocks.
type Store interface {
	View(fn func(Tx) error) error
	Update(fn func(Tx) error) error
	Close() error
}

// Holder is a Store that answers, without a transaction of the caller's,
// whether a key's committed value is exactly a given one: what bytes.Equal
// over Get in a View of its own would answer. A reader that keeps what it
// made of a value checks it is still the stored one (iam's answer caches)
// with nothing lent or allocated (issue 18). Memory is one; Versioned is one
// when the store it wraps is.
type Holder interface {
	// Holds is false as well when the store is closed, or cannot tell.
	Holds(bucket, key string, value []byte) bool
}

// Tx is a transaction. Bucket names and keys are opaque strings; buckets
// exist implicitly. Values returned by Get and Scan are only valid inside the
// transaction and must not be modified: copy them to keep them. Put keeps its
// own copy of value. A Tx must not be used after its fn returns, nor from
// more than one goroutine.
type Tx interface {
	Get(bucket, key string) ([]byte, bool)
	Put(bucket, key string, value []byte) error
	Delete(bucket, key string) error
	// Scan calls fn for every key in bucket that starts with prefix, in
	// ascending byte order of key, starting at the first key >= start (if
	// start is not empty), until fn returns false. fn must not Put to or
	// Delete from the bucket being scanned; collect the keys and change them
	// after Scan returns.
	Scan(bucket, prefix, start string, fn func(key string, value []byte) bool) error
}
