package oidc

import (
	"testing"

	"github.com/rolecall/rolecall/internal/store"
)

// FuzzParse: whatever a client sends as WebIdentityToken, Parse and the
// claim readers STS uses answer without panicking, and what parses has a
// header and an object of claims.
func FuzzParse(f *testing.F) {
	i := NewIssuer(store.NewMemory(), "")
	for _, r := range []TokenRequest{
		{Subject: "alice"},
		{Preset: "github", Subject: "repo:o/r:ref:refs/heads/main"},
		{Preset: "eks", Subject: "system:serviceaccount:ns:sa", Claims: map[string]any{TagsClaim: map[string]any{"principal_tags": map[string]any{"a": []any{"b"}}}}},
	} {
		c, err := r.Build(i.URL(), now, "j")
		if err != nil {
			f.Fatal(err)
		}
		s, err := i.Sign(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s)
	}
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		if err != nil {
			return
		}
		if tok.Claims == nil || tok.Algorithm == "" {
			t.Fatalf("parsed %q without claims or algorithm", s)
		}
		tok.String("iss")
		tok.Strings("aud")
		for _, n := range []string{"exp", "nbf", "iat"} {
			tok.Time(n)
		}
		tok.Tags()
		ConditionKeys("token.actions.githubusercontent.com", "aud", tok)
		tok.Verify(nil)
	})
}
