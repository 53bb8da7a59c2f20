// Package ids is where rolecall's clock and identifier generators come from,
// so tests can make both deterministic.
package ids

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Generator makes the identifiers AWS hands out.
type Generator interface {
	// ID returns an IAM unique id: prefix (AROA, AIDA, ANPA, AGPA, AIPA,
	// AKIA, ASIA...) followed by 17 upper-case alphanumerics.
	ID(prefix string) string
	// UUID returns a random RFC 4122 version 4 UUID.
	UUID() string
	// Secret returns n random characters from AWS's secret key alphabet.
	Secret(n int) string
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" // AWS unique ids use base32 letters and digits
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// Random is the production Generator.
type Random struct{}

// ID's 17 characters are 4 that follow the order of creation (a group
// of 32 consecutive IDs shares them, the next group has the next value,
// from a random start) and 13 random ones (65 bits, which keep them
// unique). The store indexes every entity by its ID: random keys put each
// of the writes a commit shares in a B+tree page of its own, and a page
// touched costs its whole decoding and writing; IDs made close together
// fall in one or two pages. AWS does not document how it makes unique IDs
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids),
// only that each is unique: a role made again under the same name has a
// new one.
func (Random) ID(prefix string) string {
	g := idGroup.Add(1) >> 5
	b := make([]byte, len(prefix)+17)
	copy(b, prefix)
	o := b[len(prefix):]
	for i := 3; i >= 0; i-- {
		o[i] = idAlphabet[g%32]
		g /= 32
	}
	fillFrom(idAlphabet, o[4:])
	return string(b)
}

// idGroup counts the IDs Random made, from a random start so that the
// IDs of different processes do not follow the same order.
var idGroup = func() *atomic.Uint64 {
	var n atomic.Uint64
	n.Store(binary.LittleEndian.Uint64(randomBytes(8)))
	return &n
}()

func (Random) Secret(n int) string { return randomFrom(secretAlphabet, n) }
func (Random) UUID() string {
	var b [16]byte
	blk := randBlocks.Get().(*randBlock)
	blk.take(b[:])
	randBlocks.Put(blk)
	return uuid4(b[:])
}

// randBlock hands out crypto/rand's bytes from a block read at once:
// every request takes a UUID for its request ID, and a read of 16 bytes
// each measured as half of the UUID's cost (issue 18). A block is held by
// one caller at a time (sync.Pool), so no byte is handed out twice; one
// the pool drops takes its unread bytes with it.
type randBlock struct {
	b    [1024]byte
	next int
}

var randBlocks = sync.Pool{New: func() any { return &randBlock{next: len(randBlock{}.b)} }}

func (r *randBlock) take(out []byte) {
	if r.next+len(out) > len(r.b) {
		readRandom(r.b[:])
		r.next = 0
	}
	r.next += copy(out, r.b[r.next:])
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	readRandom(b)
	return b
}

func readRandom(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic("ids: crypto/rand failed: " + err.Error())
	}
}

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	fillFrom(alphabet, b)
	return string(b)
}

// fillFrom fills b with random characters from alphabet.
func fillFrom(alphabet string, b []byte) {
	readRandom(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
}

func uuid4(b []byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	// Written in one buffer: every request takes a UUID for its request ID.
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

// Sequence is a deterministic Generator for tests: every call yields the next
// number, padded into the requested form.
type Sequence struct {
	mu sync.Mutex
	n  uint64
}

func (s *Sequence) next() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.n
}

func (s *Sequence) ID(prefix string) string {
	n := s.next()
	out := make([]byte, 17)
	for i := 16; i >= 0; i-- {
		out[i] = idAlphabet[n%uint64(len(idAlphabet))]
		n /= uint64(len(idAlphabet))
	}
	return prefix + string(out)
}

func (s *Sequence) UUID() string {
	n := s.next()
	b := make([]byte, 16)
	for i := 15; i >= 8; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	return uuid4(b)
}

func (s *Sequence) Secret(n int) string {
	v := s.next()
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = secretAlphabet[v%uint64(len(secretAlphabet))]
		v /= uint64(len(secretAlphabet))
	}
	return string(out)
}

// FixedClock is a Clock for tests that moves only when told.
type FixedClock struct {
	mu sync.Mutex
	T  time.Time
}

func (c *FixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.T }
func (c *FixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.T = c.T.Add(d)
}
