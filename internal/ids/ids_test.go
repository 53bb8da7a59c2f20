package ids

import (
	"regexp"
	"testing"
)

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
