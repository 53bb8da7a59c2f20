// Package packed holds the binary primitives that rolecall's embedded
// catalogs (managed policies, Service Authorization Reference) are written
// in: uvarints, zigzag varints, single bytes and length-prefixed strings.
// Each catalog's codec owns its own layout and error sentinel; this package
// only keeps the two from carrying separate copies of the same reader.
//
// The data is embedded, but a decoder is still a parser of bytes it did not
// write in this process, so Reader is built for hostile input: Count refuses
// any length or element count larger than the bytes still unread, and since
// every slice a codec allocates is sized by a Count, no allocation can exceed
// the input's own size however the bytes are corrupted.
package packed

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// PutUvarint appends v as an unsigned varint.
func PutUvarint(b *bytes.Buffer, v uint64) { b.Write(binary.AppendUvarint(nil, v)) }

// PutVarint appends v as a zigzag varint.
func PutVarint(b *bytes.Buffer, v int64) { b.Write(binary.AppendVarint(nil, v)) }

// PutStr appends s as a uvarint length followed by its bytes.
func PutStr(b *bytes.Buffer, s string) { PutUvarint(b, uint64(len(s))); b.WriteString(s) }

// Reader reads the primitives from a byte slice. The first failure sticks:
// it drops the unread input, Err keeps that first cause, and every read
// after it returns a zero value, so a decoder can read a whole record and
// check Err once.
type Reader struct {
	b       []byte
	err     error
	corrupt error
}

// NewReader reads b. Every failure wraps corrupt, the caller's sentinel, so
// errors.Is(err, corrupt) holds and each codec keeps its own error text.
// It panics if corrupt is nil: that is a bug in the caller, not bad input.
func NewReader(b []byte, corrupt error) *Reader {
	if corrupt == nil {
		panic("packed: NewReader needs a sentinel error")
	}
	return &Reader{b: b, corrupt: corrupt}
}

// Err returns the first failure, or nil.
func (r *Reader) Err() error { return r.err }

// Len returns the number of unread bytes; zero after a failure.
func (r *Reader) Len() int { return len(r.b) }

// Fail records "<corrupt>: <message>" unless a failure is already recorded,
// and drops the unread input either way.
func (r *Reader) Fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", r.corrupt, fmt.Sprintf(format, args...))
	}
	r.b = nil
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.Fail("bad uvarint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Varint reads a zigzag varint.
func (r *Reader) Varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.Fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.Fail("short input")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// Count reads a uvarint that sizes something in the remaining input (a
// length, or a number of elements each at least one byte long), so it can
// never exceed the bytes left; that bounds every allocation by the input.
func (r *Reader) Count() int {
	v := r.Uvarint()
	if v > uint64(len(r.b)) {
		r.Fail("count %d exceeds remaining %d bytes", v, len(r.b))
		return 0
	}
	return int(v)
}

// Bytes reads the next n bytes. The result aliases the input, with its
// capacity clipped so an append cannot overwrite what follows.
func (r *Reader) Bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.Fail("short input")
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

// Str reads a uvarint length and that many bytes as a string.
func (r *Reader) Str() string { return string(r.Bytes(r.Count())) }
