package store

import (
	"bytes"
	"errors"
	"flag"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Errors both engines return for misuse, so that code tested against Memory
// fails the same way against Bolt. The limits are bbolt's.
var (
	errBucketRequired = errors.New("store: bucket name required")
	errKeyRequired    = errors.New("store: key required")
	errKeyTooLarge    = errors.New("store: key or bucket name longer than 32768 bytes")
	errValueTooLarge  = errors.New("store: value longer than 2147483646 bytes")
	errReadOnly       = errors.New("store: write in a read-only transaction")
	errTxDone         = errors.New("store: transaction used after it ended")
)

const (
	maxKeySize   = 32768
	maxValueSize = 1<<31 - 2
)

func checkPut(bucket, key string, value []byte) error {
	switch {
	case bucket == "":
		return errBucketRequired
	case key == "":
		return errKeyRequired
	case len(bucket) > maxKeySize || len(key) > maxKeySize:
		return errKeyTooLarge
	case int64(len(value)) > maxValueSize:
		return errValueTooLarge
	}
	return nil
}

// scanFrom is where a scan with prefix and start begins.
func scanFrom(prefix, start string) string {
	if start > prefix {
		return start
	}
	return prefix
}

// Memory is a Store held in memory: for --ephemeral and tests. Updates run
// one at a time and buffer their writes, which are applied only when fn
// returns nil; Views run concurrently with each other and with an Update's
// fn, and see only committed state.
//
// In a test binary (TestChecks), values handed out by Get and Scan are
// copies that are overwritten when the transaction ends, so code that
// keeps them past the transaction fails its tests under Memory as it
// would, less predictably, under Bolt. Elsewhere they are the stored
// values themselves, which are never written to (Put stores a copy, a
// commit replaces values rather than changing them): a copy of every
// record read is what a page of 100 roles would otherwise cost (issue 18).
type Memory struct {
	writer  sync.Mutex   // one Update at a time
	mu      sync.RWMutex // guards buckets and closed; held exclusively only to apply a commit
	closed  bool
	buckets map[string]*sortedMap
	poison  bool // lend copies and poison them: in tests
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{buckets: map[string]*sortedMap{}, poison: TestChecks()}
}

// TestChecks reports whether the checks that only tests pay for are on:
// in a test binary, unless it runs benchmarks, which measure what serving
// costs.
func TestChecks() bool {
	if !testing.Testing() {
		return false
	}
	b := flag.Lookup("test.bench")
	return b == nil || b.Value.String() == ""
}

// View runs fn in a read-only transaction.
func (m *Memory) View(fn func(Tx) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return ErrClosed
	}
	tx := &memTx{m: m}
	defer tx.end()
	return fn(tx)
}

// Holds reports whether key's committed value in bucket is value (Holder).
func (m *Memory) Holds(bucket, key string, value []byte) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return false
	}
	b := m.buckets[bucket]
	if b == nil {
		return false
	}
	v, ok := b.vals[key]
	return ok && bytes.Equal(v, value)
}

// Update runs fn in a read-write transaction and applies its writes if fn
// returns nil. fn runs exactly once, on the caller's goroutine.
func (m *Memory) Update(fn func(Tx) error) error {
	m.writer.Lock()
	defer m.writer.Unlock()
	// Only holders of writer change closed or buckets, so both may be read
	// here without mu.
	if m.closed {
		return ErrClosed
	}
	tx := &memTx{m: m, writes: map[string]*sortedMap{}}
	err := func() error {
		defer tx.end()
		return fn(tx)
	}()
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, w := range tx.writes {
		b := m.buckets[name]
		if b == nil {
			b = &sortedMap{}
			m.buckets[name] = b
		}
		for _, k := range w.keys {
			if v := w.vals[k]; v == nil {
				b.delete(k)
			} else {
				b.put(k, v)
			}
		}
	}
	return nil
}

// Close waits for running transactions and drops the data; later
// transactions return ErrClosed. Closing twice is not an error.
func (m *Memory) Close() error {
	m.writer.Lock()
	defer m.writer.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed, m.buckets = true, nil
	return nil
}

// memTx reads committed buckets overlaid with its own buffered writes.
type memTx struct {
	m      *Memory
	writes map[string]*sortedMap // nil in a View; a nil value is a delete
	lent   [][]byte              // copies handed out, poisoned at the end
	done   bool
}

// poison is written over lent values when the transaction ends.
const poison = 0xDB

var poisonBlock = bytes.Repeat([]byte{poison}, 1024)

func (t *memTx) end() {
	t.done = true
	for _, v := range t.lent {
		for len(v) > 0 {
			v = v[copy(v, poisonBlock):]
		}
	}
	t.lent = nil
}

func (t *memTx) lend(v []byte) []byte {
	if !t.m.poison {
		return v
	}
	c := slices.Clone(v)
	if c == nil {
		c = []byte{}
	}
	t.lent = append(t.lent, c)
	return c
}

func (t *memTx) Get(bucket, key string) ([]byte, bool) {
	if t.done {
		return nil, false
	}
	if w := t.writes[bucket]; w != nil {
		if v, ok := w.vals[key]; ok {
			if v == nil {
				return nil, false
			}
			return t.lend(v), true
		}
	}
	if b := t.m.buckets[bucket]; b != nil {
		if v, ok := b.vals[key]; ok {
			return t.lend(v), true
		}
	}
	return nil, false
}

func (t *memTx) Put(bucket, key string, value []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := checkPut(bucket, key, value); err != nil {
		return err
	}
	v := slices.Clone(value)
	if v == nil {
		v = []byte{} // nil marks a delete
	}
	t.bucketWrites(bucket).put(key, v)
	return nil
}

func (t *memTx) Delete(bucket, key string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.bucketWrites(bucket).put(key, nil)
	return nil
}

func (t *memTx) writable() error {
	if t.done {
		return errTxDone
	}
	if t.writes == nil {
		return errReadOnly
	}
	return nil
}

func (t *memTx) bucketWrites(bucket string) *sortedMap {
	w := t.writes[bucket]
	if w == nil {
		w = &sortedMap{}
		t.writes[bucket] = w
	}
	return w
}

// Scan merges the committed keys with the transaction's writes; where both
// have a key, the write wins.
func (t *memTx) Scan(bucket, prefix, start string, fn func(key string, value []byte) bool) error {
	if t.done {
		return errTxDone
	}
	base, over := t.m.buckets[bucket], t.writes[bucket]
	from := scanFrom(prefix, start)
	i, j := base.search(from), over.search(from)
	for {
		bk, bok := base.at(i)
		ok, ook := over.at(j)
		var k string
		var v []byte
		switch {
		case !bok && !ook:
			return nil
		case ook && (!bok || ok <= bk):
			k, v = ok, over.vals[ok]
			j++
			if bok && bk == ok {
				i++
			}
		default:
			k, v = bk, base.vals[bk]
			i++
		}
		if !strings.HasPrefix(k, prefix) {
			return nil
		}
		if v == nil {
			continue // deleted in this transaction
		}
		if !fn(k, t.lend(v)) {
			return nil
		}
	}
}

// sortedMap is a map with its keys kept in ascending order. A nil
// *sortedMap is empty.
type sortedMap struct {
	keys []string
	vals map[string][]byte
}

func (s *sortedMap) search(k string) int {
	if s == nil {
		return 0
	}
	i, _ := slices.BinarySearch(s.keys, k)
	return i
}

// at returns the i'th key, if there is one; callers index past the end.
func (s *sortedMap) at(i int) (string, bool) {
	if s == nil || i >= len(s.keys) {
		return "", false
	}
	return s.keys[i], true
}

func (s *sortedMap) put(k string, v []byte) {
	if s.vals == nil {
		s.vals = map[string][]byte{}
	}
	if _, ok := s.vals[k]; !ok {
		i, _ := slices.BinarySearch(s.keys, k)
		s.keys = slices.Insert(s.keys, i, k)
	}
	s.vals[k] = v
}

func (s *sortedMap) delete(k string) {
	if _, ok := s.vals[k]; !ok {
		return
	}
	delete(s.vals, k)
	i, _ := slices.BinarySearch(s.keys, k)
	s.keys = slices.Delete(s.keys, i, i+1)
}
