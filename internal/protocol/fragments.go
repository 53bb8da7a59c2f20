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

// fragmentsBytes bounds their bytes too: a form can be large (an AWS
// managed policy's every version in GetAccountAuthorizationDetails,
// ReadOnlyAccess's some 10 MB), and a value that shows other records is
// stamped anew after every write, so a count alone would let a caller who
// alternates a write and a read keep fragmentsSize such forms. 64 MiB
// holds the roles fragmentsSize is for.
const fragmentsBytes = 64 << 20

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
	curBytes int // the bytes of the forms in cur
	max      int // 0: fragmentsSize (tests set less)
	maxBytes int // 0: fragmentsBytes (tests set less)
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

// put keeps b in cur, making cur the old generation first if b would
// take it past half of either bound; a form larger than half the bytes is
// not kept. Each generation stays within half the bounds, so both within
// them.
func (f *Fragments[K]) put(k K, b []byte) {
	half := cmp.Or(f.maxBytes, fragmentsBytes) / 2
	if len(b) > half {
		return
	}
	if f.cur == nil || len(f.cur) >= cmp.Or(f.max, fragmentsSize)/2 || f.curBytes+len(b) > half {
		f.old, f.cur, f.curBytes = f.cur, make(map[K][]byte), 0
	}
	if old, ok := f.cur[k]; ok {
		f.curBytes -= len(old)
	}
	f.cur[k] = b
	f.curBytes += len(b)
}

// Len is how many forms are kept (for tests).
func (f *Fragments[K]) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cur) + len(f.old)
}

// Bytes is how many bytes the kept forms hold (for tests).
func (f *Fragments[K]) Bytes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range []map[K][]byte{f.cur, f.old} {
		for _, b := range m {
			n += len(b)
		}
	}
	return n
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
