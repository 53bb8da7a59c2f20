package protocol

import (
	"bytes"
	"strconv"
	"testing"
)

// TestFragmentsBounded: Fragments keeps at most its bound, and a form in
// use survives the generations that drop forms no longer asked for.
func TestFragmentsBounded(t *testing.T) {
	var f Fragments[int]
	f.max = 4
	f.Put(0, []byte("used"))
	for i := 1; i < 20; i++ {
		f.Put(i, []byte(strconv.Itoa(i)))
		if b, ok := f.Get(0); !ok || string(b) != "used" {
			t.Fatalf("after %d forms, the form in use: %q, %v", i+1, b, ok)
		}
		if n := f.Len(); n > 4 {
			t.Fatalf("after %d forms, %d kept, bound 4", i+1, n)
		}
	}
	if _, ok := f.Get(1); ok {
		t.Error("an unused form outlived its generations")
	}
	if b, ok := f.Get(19); !ok || string(b) != "19" {
		t.Errorf("the newest form: %q, %v", b, ok)
	}
}

// TestFragmentsBoundedInBytes: large forms are kept within the byte bound
// however many fit the count, a form in use survives, and a form larger
// than a generation may hold is not kept at all.
func TestFragmentsBoundedInBytes(t *testing.T) {
	var f Fragments[int]
	f.maxBytes = 100
	f.Put(0, []byte("used"))
	for i := 1; i < 50; i++ {
		f.Put(i, bytes.Repeat([]byte{'x'}, 30))
		if b, ok := f.Get(0); !ok || string(b) != "used" {
			t.Fatalf("after %d forms, the form in use: %q, %v", i+1, b, ok)
		}
		if n := f.Bytes(); n > 100 {
			t.Fatalf("after %d forms, %d bytes kept, bound 100", i+1, n)
		}
	}
	f.Put(50, bytes.Repeat([]byte{'x'}, 51))
	if _, ok := f.Get(50); ok {
		t.Error("a form larger than half the bound was kept")
	}
}
