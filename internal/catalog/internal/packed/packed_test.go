package packed

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

var errTest = errors.New("test: corrupt")

func TestRoundTrip(t *testing.T) {
	uvs := []uint64{0, 1, 127, 128, 300, math.MaxUint32, math.MaxUint64}
	vs := []int64{0, 1, -1, 63, -64, 64, 1423247986, math.MinInt64, math.MaxInt64}
	strs := []string{"", "a", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", string(make([]byte, 200))}

	var b bytes.Buffer
	for _, v := range uvs {
		PutUvarint(&b, v)
	}
	for _, v := range vs {
		PutVarint(&b, v)
	}
	for _, s := range strs {
		PutStr(&b, s)
	}
	b.WriteByte(0xfe)

	r := NewReader(b.Bytes(), errTest)
	for _, want := range uvs {
		if got := r.Uvarint(); got != want {
			t.Errorf("Uvarint = %d, want %d", got, want)
		}
	}
	for _, want := range vs {
		if got := r.Varint(); got != want {
			t.Errorf("Varint = %d, want %d", got, want)
		}
	}
	for _, want := range strs {
		if got := r.Str(); got != want {
			t.Errorf("Str = %q, want %q", got, want)
		}
	}
	if got := r.Byte(); got != 0xfe {
		t.Errorf("Byte = %#x, want 0xfe", got)
	}
	if r.Err() != nil || r.Len() != 0 {
		t.Errorf("after reading everything: err %v, %d bytes left", r.Err(), r.Len())
	}
}

// TestEncoding pins the byte layout: the embedded data files depend on it.
func TestEncoding(t *testing.T) {
	tests := []struct {
		name string
		put  func(*bytes.Buffer)
		want string
	}{
		{"uvarint 0", func(b *bytes.Buffer) { PutUvarint(b, 0) }, "\x00"},
		{"uvarint 300", func(b *bytes.Buffer) { PutUvarint(b, 300) }, "\xac\x02"},
		{"varint -1", func(b *bytes.Buffer) { PutVarint(b, -1) }, "\x01"},
		{"varint 1", func(b *bytes.Buffer) { PutVarint(b, 1) }, "\x02"},
		{"str", func(b *bytes.Buffer) { PutStr(b, "iam") }, "\x03iam"},
		{"empty str", func(b *bytes.Buffer) { PutStr(b, "") }, "\x00"},
	}
	for _, tc := range tests {
		var b bytes.Buffer
		tc.put(&b)
		if b.String() != tc.want {
			t.Errorf("%s: wrote %q, want %q", tc.name, b.String(), tc.want)
		}
	}
}

func TestReaderFailures(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		read    func(*Reader)
		wantErr string
	}{
		{"uvarint empty", "", func(r *Reader) { r.Uvarint() }, "bad uvarint"},
		{"uvarint truncated", "\x80\x80", func(r *Reader) { r.Uvarint() }, "bad uvarint"},
		{"uvarint overflow", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", func(r *Reader) { r.Uvarint() }, "bad uvarint"},
		{"varint empty", "", func(r *Reader) { r.Varint() }, "bad varint"},
		{"varint truncated", "\xff", func(r *Reader) { r.Varint() }, "bad varint"},
		{"byte empty", "", func(r *Reader) { r.Byte() }, "short input"},
		{"bytes short", "ab", func(r *Reader) { r.Bytes(3) }, "short input"},
		{"bytes negative", "ab", func(r *Reader) { r.Bytes(-1) }, "short input"},
		{"count exceeds remaining", "\x03ab", func(r *Reader) { r.Count() }, "count 3 exceeds remaining 2 bytes"},
		{"huge count", "\xff\xff\xff\xff\x0f", func(r *Reader) { r.Count() }, "count 4294967295 exceeds remaining 0 bytes"},
		{"str short", "\x05ab", func(r *Reader) { r.Str() }, "count 5 exceeds remaining 2 bytes"},
		{"str no length", "", func(r *Reader) { r.Str() }, "bad uvarint"},
		{"caller failure", "abc", func(r *Reader) { r.Fail("policy %s: %d trailing bytes", "p", 3) }, "policy p: 3 trailing bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader([]byte(tc.in), errTest)
			tc.read(r)
			err := r.Err()
			if !errors.Is(err, errTest) {
				t.Fatalf("err = %v, want one wrapping the caller's sentinel", err)
			}
			if want := "test: corrupt: " + tc.wantErr; err.Error() != want {
				t.Errorf("err = %q, want %q", err, want)
			}
			if r.Len() != 0 {
				t.Errorf("%d bytes left after a failure, want 0", r.Len())
			}
		})
	}
}

// TestStickyError checks that the first failure is the one reported and
// that every read after it returns a zero value without consuming input.
func TestStickyError(t *testing.T) {
	r := NewReader([]byte("\x06ab\x01\x02\x03"), errTest)
	if n := r.Count(); n != 0 {
		t.Fatalf("Count = %d, want 0 on failure", n)
	}
	first := r.Err()
	if first == nil || first.Error() != "test: corrupt: count 6 exceeds remaining 5 bytes" {
		t.Fatalf("err = %v", first)
	}
	reads := []struct {
		name string
		zero bool
	}{
		{"Uvarint", r.Uvarint() == 0},
		{"Varint", r.Varint() == 0},
		{"Byte", r.Byte() == 0},
		{"Count", r.Count() == 0},
		{"Bytes", r.Bytes(0) == nil},
		{"Str", r.Str() == ""},
	}
	for _, rd := range reads {
		if !rd.zero {
			t.Errorf("%s after failure returned a non-zero value", rd.name)
		}
	}
	r.Fail("second")
	if r.Err() != first {
		t.Errorf("err = %v, want the first failure %v kept", r.Err(), first)
	}
}

func TestBytesClipsCapacity(t *testing.T) {
	in := []byte("abcdef")
	r := NewReader(in, errTest)
	got := r.Bytes(2)
	if string(got) != "ab" || cap(got) != 2 {
		t.Fatalf("Bytes(2) = %q cap %d, want \"ab\" cap 2", got, cap(got))
	}
	_ = append(got, 'X')
	if string(in) != "abcdef" || string(r.Bytes(r.Len())) != "cdef" {
		t.Errorf("append to a result overwrote the input: %q", in)
	}
}

func TestNewReaderNeedsSentinel(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewReader(b, nil) did not panic")
		}
	}()
	NewReader(nil, nil)
}

// FuzzReader drives a Reader with an arbitrary script of reads over
// arbitrary input: it must never panic, never return more bytes than it was
// given, keep its first error, and return zero values once failed.
func FuzzReader(f *testing.F) {
	var b bytes.Buffer
	PutUvarint(&b, 300)
	PutVarint(&b, -7)
	PutStr(&b, "iam")
	b.WriteByte(1)
	f.Add([]byte{0, 1, 5, 4, 3}, b.Bytes())
	f.Add([]byte{3, 3, 3}, []byte("\xff\xff\xff\xff\x0f"))
	f.Add([]byte{4}, []byte{})
	f.Fuzz(func(t *testing.T, script, in []byte) {
		r := NewReader(in, errTest)
		var first error
		for _, op := range script {
			before := r.Len()
			failed := r.Err() != nil
			var zero bool
			switch op % 6 {
			case 0:
				zero = r.Uvarint() == 0
			case 1:
				zero = r.Varint() == 0
			case 2:
				zero = r.Byte() == 0
			case 3:
				n := r.Count()
				if n > before {
					t.Fatalf("Count = %d with %d bytes left", n, before)
				}
				zero = n == 0
			case 4:
				s := r.Str()
				if len(s) > before {
					t.Fatalf("Str returned %d bytes with %d left", len(s), before)
				}
				zero = s == ""
			case 5:
				n := int(op/6) - 10 // includes negative lengths
				p := r.Bytes(n)
				if r.Err() == nil && len(p) != n {
					t.Fatalf("Bytes(%d) returned %d bytes", n, len(p))
				}
				zero = p == nil
			}
			if r.Len() > before {
				t.Fatalf("a read grew the input from %d to %d bytes", before, r.Len())
			}
			if failed && (!zero || r.Len() != 0) {
				t.Fatalf("read %d after failure returned a value or left input", op%6)
			}
			if err := r.Err(); err != nil {
				if !errors.Is(err, errTest) {
					t.Fatalf("err %v does not wrap the sentinel", err)
				}
				if first == nil {
					first = err
				} else if err != first {
					t.Fatalf("err changed from %v to %v", first, err)
				}
			}
		}
	})
}
