package protocol

import (
	"cmp"
	"reflect"
	"slices"
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
// P says, besides the stamp, what else shapes the bytes (the member's
// shape, element name and indentation): the same value encodes
// differently in different places. Forms are found by stamp, and a
// stamp's few places compared in turn: a map keyed by stamp and place
// would hash the place (an element name's string) on every lookup, which
// costs three times as much.
//
// Forms live in two generations: new ones go to the current map, and when
// it is full it becomes the old one, the former old one dropped; a form
// found in the old map moves back to the current one. What is used stays,
// what is not goes, at the cost of one map swap per fragmentsSize/2 forms.
// The zero value is ready to use and must not be copied.
type Fragments[P comparable] struct {
	mu       sync.RWMutex // read-locked to look up: a page looks up 100 forms
	cur, old map[uint64][]fragment[P]
	curLen   int // the forms in cur
	oldLen   int // the forms in old
	curBytes int // the bytes of the forms in cur
	max      int // 0: fragmentsSize (tests set less)
	maxBytes int // 0: fragmentsBytes (tests set less)
}

// fragment is a form and the place it was encoded for.
type fragment[P comparable] struct {
	place P
	b     []byte
}

// find is the form for place among a stamp's forms.
func find[P comparable](forms []fragment[P], place P) ([]byte, bool) {
	for _, f := range forms {
		if f.place == place {
			return f.b, true
		}
	}
	return nil, false
}

// Get returns the form kept for stamp at place. The bytes must not be
// changed.
func (f *Fragments[P]) Get(stamp uint64, place P) ([]byte, bool) {
	f.mu.RLock()
	b, ok := find(f.cur[stamp], place)
	f.mu.RUnlock()
	if ok {
		return b, true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := find(f.cur[stamp], place); ok { // moved there meanwhile
		return b, true
	}
	if b, ok = find(f.old[stamp], place); ok {
		forms := slices.DeleteFunc(f.old[stamp], func(x fragment[P]) bool { return x.place == place })
		if len(forms) == 0 {
			delete(f.old, stamp)
		} else {
			f.old[stamp] = forms
		}
		f.oldLen--
		f.put(stamp, place, b)
	}
	return b, ok
}

// Put keeps b, which the caller must not change afterwards, for stamp at
// place.
func (f *Fragments[P]) Put(stamp uint64, place P, b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.put(stamp, place, b)
}

// put keeps b in cur, making cur the old generation first if b would
// take it past half of either bound; a form larger than half the bytes is
// not kept. Each generation stays within half the bounds, so both within
// them.
func (f *Fragments[P]) put(stamp uint64, place P, b []byte) {
	half := cmp.Or(f.maxBytes, fragmentsBytes) / 2
	if len(b) > half {
		return
	}
	if f.cur == nil || f.curLen >= cmp.Or(f.max, fragmentsSize)/2 || f.curBytes+len(b) > half {
		f.old, f.oldLen = f.cur, f.curLen
		f.cur, f.curLen, f.curBytes = make(map[uint64][]fragment[P]), 0, 0
	}
	forms := f.cur[stamp]
	for i := range forms {
		if forms[i].place == place {
			f.curBytes += len(b) - len(forms[i].b)
			forms[i].b = b
			return
		}
	}
	f.cur[stamp] = append(forms, fragment[P]{place, b})
	f.curLen++
	f.curBytes += len(b)
}

// Len is how many forms are kept (for tests).
func (f *Fragments[P]) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.curLen + f.oldLen
}

// Bytes is how many bytes the kept forms hold (for tests).
func (f *Fragments[P]) Bytes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range []map[uint64][]fragment[P]{f.cur, f.old} {
		for _, forms := range m {
			for _, x := range forms {
				n += len(x.b)
			}
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
