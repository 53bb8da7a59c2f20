package imds

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// parseTTL accepts exactly the decimal numbers 1 to 21600 (leading zeros
// allowed), and never panics.
func FuzzParseTTL(f *testing.F) {
	for _, s := range []string{"", "0", "1", "21600", "21601", "-1", "+5", " 5", "5 ", "0021600", "1e3", "99999999999999999999", "６"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseTTL(s)
		digits := s != "" && strings.Trim(s, "0123456789") == ""
		want := 0
		if digits {
			if v, err := strconv.Atoi(strings.TrimLeft(s, "0")); err == nil {
				want = v
			}
		}
		wantOK := digits && want >= 1 && want <= MaxTokenTTL
		if ok != wantOK || (ok && n != want) {
			t.Fatalf("parseTTL(%q) = %d, %v; want %d, %v", s, n, ok, want, wantOK)
		}
	})
}

// No string but a token minted for the instance passes, and a minted
// token passes for its instance only, until it expires.
func FuzzToken(f *testing.F) {
	k := tokens{key: []byte("0123456789abcdef0123456789abcdef")}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	mine := tokenFor{Account: "000000000000", InstanceID: "i-0123456789abcdef0", LaunchTime: at}
	good := k.mint(mine, at.Add(time.Minute))
	f.Add(good)
	f.Add("")
	f.Add(strings.Repeat("A", 56))
	f.Add(good[:55] + "=")
	f.Fuzz(func(t *testing.T, tok string) {
		if k.valid(tok, mine, at) && tok != good {
			t.Fatalf("forged token %q passes", tok)
		}
		theirs := mine
		theirs.InstanceID = "i-0123456789abcdef1"
		if k.valid(tok, theirs, at) {
			t.Fatalf("%q passes for another instance", tok)
		}
		if k.valid(tok, mine, at.Add(time.Minute)) {
			t.Fatalf("%q passes once expired", tok)
		}
	})
}

// parsePath never panics, names a node only for a path that starts with
// "/", and names a role only under security-credentials/.
func FuzzParsePath(f *testing.F) {
	for p := range paths {
		f.Add(p)
	}
	for _, p := range []string{"", "/latest/meta-data/iam/security-credentials/web", "/latest/meta-data/iam/security-credentials/web/",
		"/latest/meta-data/iam/security-credentials/../info", "//", "/latest/./meta-data", "/latest/meta-data/iam/security-credentials/."} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		n, role := parsePath(p)
		if n != nodeNone && !strings.HasPrefix(p, "/") {
			t.Fatalf("%q: node %d without a leading slash", p, n)
		}
		if role != "" && (n != nodeCredentials || strings.Contains(role, "/") || role == "." || role == "..") {
			t.Fatalf("%q: role %q at node %d", p, role, n)
		}
		if n == nodeCredentials && !strings.HasPrefix(p, credentialsPrefix+role) {
			t.Fatalf("%q: role %q not under %s", p, role, credentialsPrefix)
		}
	})
}
