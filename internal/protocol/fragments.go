package protocol

import (
	"cmp"
	"reflect"
	"sync"

	"github.com/rolecall/rolecall/internal/stamp"
)

// fragmentsSize bounds the encoded forms a codec keeps: two forms (the
// list's and the Get's) of ten accounts' 1,000 roles, IAM's default quota.
const fragmentsSize = 20_000

// Fragments keeps the encoded forms of stamped values (package stamp), so
// that a page of 100 roles that have not changed costs 100 copies of bytes
// rather than 100 walks of the model (issue 18). A value's stamp changes
// with every change to the value, so a form is never served for a value it
// was not made from; nothing here needs invalidating, only bounding.
//
// K says, besides the stamp, what else shapes the bytes (the member's
// shape, element name and indentation): the same value encodes
// differently in different places.
//
// Forms live in two generations: new ones go to the current map, and when
// it is full it becomes the old one, the former old one dropped; a form
// found in the old map moves back to the current one. What is used stays,
// what is not goes, at the cost of one map swap per fragmentsSize/2 forms.
// The zero value is ready to use and must not be copied.
type Fragments[K comparable] struct {
	mu       sync.RWMutex // read-locked to look up: a page looks up 100 forms
	cur, old map[K][]byte
	max      int // 0: fragmentsSize (tests set less)
}

// Get returns the form kept under k. The bytes must not be changed.
func (f *Fragments[K]) Get(k K) ([]byte, bool) {
	f.mu.RLock()
	b, ok := f.cur[k]
	f.mu.RUnlock()
	if ok {
		return b, true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.cur[k]; ok { // moved there meanwhile
		return b, true
	}
	if b, ok = f.old[k]; ok {
		delete(f.old, k)
		f.put(k, b)
	}
	return b, ok
}

// Put keeps b, which the caller must not change afterwards, under k.
func (f *Fragments[K]) Put(k K, b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.put(k, b)
}

func (f *Fragments[K]) put(k K, b []byte) {
	if f.cur == nil || len(f.cur) >= cmp.Or(f.max, fragmentsSize)/2 {
		f.old, f.cur = f.cur, make(map[K][]byte)
	}
	f.cur[k] = b
}

// Len is how many forms are kept (for tests).
func (f *Fragments[K]) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cur) + len(f.old)
}

// StampOf is v's stamp, or 0 if its type has none. v must be addressable
// to be asked (a list's element, a pointer's target: where the codecs meet
// the values they encode), so that asking boxes nothing.
func StampOf(v reflect.Value) uint64 {
	if !v.CanAddr() {
		return 0
	}
	if s, ok := v.Addr().Interface().(stamp.Stamped); ok {
		return s.Stamp()
	}
	return 0
}
