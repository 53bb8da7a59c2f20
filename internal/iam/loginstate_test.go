package iam

import (
	"bytes"
	"strings"
	"testing"
)

func TestParsePHC(t *testing.T) {
	salt, key := bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 32)
	good := phcString(600000, salt, key)
	it, s, k, err := parsePHC(good)
	if err != nil || it != 600000 || !bytes.Equal(s, salt) || !bytes.Equal(k, key) {
		t.Fatalf("%s: %d %x %x %v", good, it, s, k, err)
	}
	for _, bad := range []string{
		"", "password", strings.Replace(good, "pbkdf2-sha256", "pbkdf2-sha1", 1),
		strings.Replace(good, "i=600000", "i=0", 1), strings.Replace(good, "i=600000", "i=20000000", 1),
		strings.Replace(good, "i=600000", "i=x", 1), good + "$", good[:len(good)-4], // a short key
		phcString(1000, salt[:4], key), // a short salt
	} {
		if _, _, _, err := parsePHC(bad); err == nil || !strings.Contains(err.Error(), "PHC string format") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParsePHC(f *testing.F) {
	f.Add(phcString(1000, make([]byte, 16), make([]byte, 32)))
	f.Add("$pbkdf2-sha256$i=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		it, salt, key, err := parsePHC(s)
		if err != nil {
			return
		}
		if again := phcString(it, salt, key); again != s {
			// Accepted strings are canonical: the export writes back what
			// the import read.
			if _, _, _, err := parsePHC(again); err != nil {
				t.Fatalf("%q read, written back as %q, which does not read: %v", s, again, err)
			}
		}
	})
}
