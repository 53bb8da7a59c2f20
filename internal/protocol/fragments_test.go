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
	f.Put(0, 0, []byte("used"))
	for i := 1; i < 20; i++ {
		f.Put(uint64(i), 0, []byte(strconv.Itoa(i)))
		if b, ok := f.Get(0, 0); !ok || string(b) != "used" {
			t.Fatalf("after %d forms, the form in use: %q, %v", i+1, b, ok)
		}
		if n := f.Len(); n > 4 {
			t.Fatalf("after %d forms, %d kept, bound 4", i+1, n)
		}
	}
	if _, ok := f.Get(1, 0); ok {
		t.Error("an unused form outlived its generations")
	}
	if b, ok := f.Get(19, 0); !ok || string(b) != "19" {
		t.Errorf("the newest form: %q, %v", b, ok)
	}
}

// TestFragmentsBoundedInBytes: large forms are kept within the byte bound
// however many fit the count, a form in use survives, and a form larger
// than a generation may hold is not kept at all.
func TestFragmentsBoundedInBytes(t *testing.T) {
	var f Fragments[int]
	f.maxBytes = 100
	f.Put(0, 0, []byte("used"))
	for i := 1; i < 50; i++ {
		f.Put(uint64(i), 0, bytes.Repeat([]byte{'x'}, 30))
		if b, ok := f.Get(0, 0); !ok || string(b) != "used" {
			t.Fatalf("after %d forms, the form in use: %q, %v", i+1, b, ok)
		}
		if n := f.Bytes(); n > 100 {
			t.Fatalf("after %d forms, %d bytes kept, bound 100", i+1, n)
		}
	}
	f.Put(50, 0, bytes.Repeat([]byte{'x'}, 51))
	if _, ok := f.Get(50, 0); ok {
		t.Error("a form larger than half the bound was kept")
	}
}

// TestFragmentsPlaces: one stamp's forms for different places are kept
// apart, through a Put over a place's form and a move from the old
// generation, which leaves the stamp's other forms where they were.
func TestFragmentsPlaces(t *testing.T) {
	var f Fragments[string]
	f.max = 6 // three forms a generation
	f.Put(7, "member", []byte("m"))
	f.Put(7, "Role", []byte("r0"))
	f.Put(7, "Role", []byte("r"))
	f.Put(8, "member", []byte("other"))
	f.Put(9, "member", []byte("newer")) // a new generation: 7's and 8's forms are old
	if b, ok := f.Get(7, "Role"); !ok || string(b) != "r" {
		t.Fatalf("stamp 7 as Role: %q, %v", b, ok)
	}
	if b, ok := f.Get(7, "member"); !ok || string(b) != "m" {
		t.Fatalf("stamp 7 as member: %q, %v", b, ok)
	}
	if _, ok := f.Get(7, "elsewhere"); ok {
		t.Error("a form for a place it was not made for")
	}
	if n, bytes := f.Len(), f.Bytes(); n != 4 || bytes != len("r")+len("m")+len("other")+len("newer") {
		t.Errorf("%d forms of %d bytes kept, want 4 of 12", n, bytes)
	}
}
