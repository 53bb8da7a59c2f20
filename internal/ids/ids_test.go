package ids

import (
	"regexp"
	"strings"
	"testing"
)

// Random's IDs have AWS's form, are unique, and those made one after the
// other share their first four characters but in the step from one group
// of 32 to the next, where those characters move to the next value: the
// store's ID index receives them close together.
func TestRandomIDsFollowCreation(t *testing.T) {
	form := regexp.MustCompile(`^AROA[A-Z2-7]{17}$`)
	seen := map[string]bool{}
	steps := 0
	prev := ""
	for range 32 * 8 {
		id := Random{}.ID("AROA")
		if !form.MatchString(id) {
			t.Fatalf("ID %q: want AROA and 17 of %s", id, idAlphabet)
		}
		if seen[id] {
			t.Fatalf("ID %q made twice", id)
		}
		seen[id] = true
		if prev != "" && id[4:8] != prev[4:8] {
			steps++
			if next := nextGroup(prev[4:8]); id[4:8] != next {
				t.Fatalf("ID %q after %q: group %s, want %s", id, prev, id[4:8], next)
			}
		}
		prev = id
	}
	if steps < 7 || steps > 8 {
		t.Errorf("256 IDs stepped to the next group %d times, want 7 or 8 (32 IDs a group)", steps)
	}
}

// nextGroup is the group after g, in base 32 over idAlphabet, wrapping.
func nextGroup(g string) string {
	b := []byte(g)
	for i := len(b) - 1; i >= 0; i-- {
		if j := strings.IndexByte(idAlphabet, b[i]); j < len(idAlphabet)-1 {
			b[i] = idAlphabet[j+1]
			return string(b)
		}
		b[i] = idAlphabet[0]
	}
	return string(b)
}

// A request ID is a version 4, variant 1 UUID in its usual spelling
// (RFC 9562, section 5.4), as AWS's x-amzn-RequestId is.
func TestUUIDIsVersion4(t *testing.T) {
	form := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		u := Random{}.UUID()
		if !form.MatchString(u) {
			t.Fatalf("UUID %q is not a version 4 UUID", u)
		}
		if seen[u] {
			t.Fatalf("UUID %q twice", u)
		}
		seen[u] = true
	}
	if got := uuid4([]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10}); got != "01234567-89ab-4def-bedc-ba9876543210" {
		t.Errorf("uuid4 = %q", got)
	}
}

// TestUUIDsDrawFreshBytes: UUIDs taken past a block's end go on with a
// new block, never the same bytes again.
func TestUUIDsDrawFreshBytes(t *testing.T) {
	seen := map[string]bool{}
	for range 3 * len(randBlock{}.b) / 16 {
		u := Random{}.UUID()
		if seen[u] {
			t.Fatalf("UUID %q twice", u)
		}
		seen[u] = true
	}
	var blk randBlock
	blk.next = len(blk.b) - 8 // 8 bytes left: fewer than a UUID takes
	var a [16]byte
	blk.take(a[:])
	if blk.next != 16 {
		t.Fatalf("after a take past the end, next = %d, want 16 (a fresh block)", blk.next)
	}
}
