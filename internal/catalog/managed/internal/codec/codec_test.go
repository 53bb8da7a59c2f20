package codec

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func sample() []Policy {
	return []Policy{
		{
			Name: "AdministratorAccess", Path: "/", PolicyID: "ANPAAAAAAAAAAAAAAAAAA",
			Description: "Provides full access", CreateDate: 1423247986, UpdateDate: 1423247986,
			DefaultVersion: 1,
			Versions:       []Version{{Number: 1, CreateDate: 1423247986, Document: "{\n    \"Version\": \"2012-10-17\"\n}"}},
		},
		{
			Name: "Multi", Path: "/service-role/", PolicyID: "ANPABBBBBBBBBBBBBBBBB",
			CreateDate: 100, UpdateDate: 400, DefaultVersion: 5,
			Versions: []Version{
				{Number: 5, CreateDate: 400, Document: "a\nb\nc\nd\ne"},
				{Number: 3, CreateDate: 300, Document: "a\nX\nc\nd\ne\nf"},
				{Number: 2, CreateDate: 200, Document: ""},
				{Number: 1, CreateDate: 100, Document: "q\nr\n"},
			},
		},
	}
}

func roundTrip(t *testing.T, in []Policy) []Policy {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, "test@1", in); err != nil {
		t.Fatal(err)
	}
	idx, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if idx.Source != "test@1" {
		t.Errorf("Source = %q", idx.Source)
	}
	var out []Policy
	for i := range idx.Entries {
		e := &idx.Entries[i]
		vs, err := e.Versions()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Policy{
			Name: e.Name, Path: e.Path, PolicyID: e.PolicyID, Description: e.Description,
			CreateDate: e.CreateDate, UpdateDate: e.UpdateDate, DefaultVersion: e.DefaultVersion,
			Versions: vs,
		})
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	in := sample()
	if out := roundTrip(t, in); !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed data:\n in=%+v\nout=%+v", in, out)
	}
}

func TestEncodeRejectsDisorder(t *testing.T) {
	tests := []struct {
		name string
		edit func([]Policy) []Policy
		want string
	}{
		{"names", func(p []Policy) []Policy { return []Policy{p[1], p[0]} }, "not sorted by name"},
		{"versions", func(p []Policy) []Policy {
			p[1].Versions[0], p[1].Versions[1] = p[1].Versions[1], p[1].Versions[0]
			return p
		}, "not newest first"},
		{"empty", func(p []Policy) []Policy { p[0].Versions = nil; return p }, "has no versions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Encode(&bytes.Buffer{}, "x", tc.edit(sample()))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want containing %q", err, tc.want)
			}
		})
	}
}

func TestDiffRoundTrip(t *testing.T) {
	tests := []struct{ base, target string }{
		{"", ""},
		{"a", "a"},
		{"a\nb\nc", "a\nc"},
		{"a\nc", "a\nb\nc"},
		{"a\nb\nc", "x\ny\nz"},
		{"a\nb\nc\na\nb\nc", "c\nb\na\nb\na\nc"},
		{"{\n    \"Action\": [\n        \"s3:Get*\"\n    ]\n}", "{\n    \"Action\": [\n        \"s3:Get*\",\n        \"s3:List*\"\n    ]\n}"},
	}
	for _, tc := range tests {
		base, target := strings.Split(tc.base, "\n"), strings.Split(tc.target, "\n")
		var b bytes.Buffer
		putDelta(&b, base, target)
		r := newReader(b.Bytes())
		got := strings.Join(r.delta(base), "\n")
		if r.Err() != nil || got != tc.target || r.Len() != 0 {
			t.Errorf("delta(%q -> %q) = %q, err %v, %d bytes left", tc.base, tc.target, got, r.Err(), r.Len())
		}
	}
}

func TestDiffBeyondLimitFallsBack(t *testing.T) {
	var a, b []string
	for i := 0; i < maxEdit; i++ {
		a = append(a, "a"+strings.Repeat("x", i%7))
		b = append(b, "b"+strings.Repeat("y", i%5))
	}
	var buf bytes.Buffer
	putDelta(&buf, a, b)
	r := newReader(buf.Bytes())
	if got := r.delta(a); r.Err() != nil || !reflect.DeepEqual(got, b) {
		t.Fatalf("fallback delta did not rebuild target: err %v", r.Err())
	}
}

func TestDecodeCorrupt(t *testing.T) {
	var good bytes.Buffer
	if err := Encode(&good, "s", sample()); err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"empty":     nil,
		"not gzip":  []byte("RCAWSMP1"),
		"truncated": good.Bytes()[:good.Len()/2],
	}
	for name, data := range tests {
		if _, err := Decode(data); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
	bodies := map[string]string{
		"bad magic":      "XXXXXXXX",
		"short":          Magic + "\x05ab",
		"huge count":     Magic + "\x00\xff\xff\xff\xff\x0f",
		"trailing bytes": Magic + "\x00\x00\x00",
		"no versions":    Magic + "\x00\x01\x01a\x01/\x00\x00\x00\x00\x01\x00\x00",
	}
	for name, body := range bodies {
		if _, err := DecodeBody([]byte(body)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}

func TestVersionsCorrupt(t *testing.T) {
	tests := map[string]Entry{
		"empty segment":      {Name: "p", NumVersions: 1},
		"delta past base":    {Name: "p", NumVersions: 2, segment: []byte("\x02\x00\x01a\x01\x00\x01\x05\x00\x00")},
		"out of order":       {Name: "p", NumVersions: 2, segment: []byte("\x01\x00\x01a\x02\x00\x01\x00\x00\x01")},
		"unconsumed base":    {Name: "p", NumVersions: 2, segment: []byte("\x02\x00\x01a\x01\x00\x00")},
		"trailing":           {Name: "p", NumVersions: 1, segment: []byte("\x01\x00\x01az")},
		"huge version count": {Name: "p", NumVersions: 1, segment: []byte("\xff\xff\xff\xff\x0f")},
	}
	for name, e := range tests {
		if _, err := e.Versions(); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}

// FuzzDecodeBody feeds arbitrary bodies to the parser: it must never panic,
// and whatever it accepts must expand or fail cleanly.
func FuzzDecodeBody(f *testing.F) {
	var good bytes.Buffer
	if err := Encode(&good, "s", sample()); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(Magic + "\x00\x00"))
	f.Add(inflate(f, good.Bytes()))
	f.Fuzz(func(t *testing.T, body []byte) {
		idx, err := DecodeBody(body)
		if err != nil {
			return
		}
		for i := range idx.Entries {
			vs, err := idx.Entries[i].Versions()
			if err == nil && len(vs) != idx.Entries[i].NumVersions {
				t.Fatalf("Versions returned %d, header says %d", len(vs), idx.Entries[i].NumVersions)
			}
		}
	})
}

// FuzzDecode covers the gzip layer in front of DecodeBody.
func FuzzDecode(f *testing.F) {
	var good bytes.Buffer
	if err := Encode(&good, "s", sample()); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		if idx, err := Decode(data); err == nil {
			for i := range idx.Entries {
				_, _ = idx.Entries[i].Versions()
			}
		}
	})
}

// FuzzDelta checks that any pair of documents survives the delta round trip.
func FuzzDelta(f *testing.F) {
	f.Add("a\nb\nc", "a\nc\nd")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, base, target string) {
		bl, tl := strings.Split(base, "\n"), strings.Split(target, "\n")
		var b bytes.Buffer
		putDelta(&b, bl, tl)
		r := newReader(b.Bytes())
		if got := strings.Join(r.delta(bl), "\n"); r.Err() != nil || got != target {
			t.Fatalf("round trip: got %q err %v", got, r.Err())
		}
	})
}

func inflate(tb testing.TB, data []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return body
}
