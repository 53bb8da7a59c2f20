package oidc

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"
)

// Algorithms are the signature algorithms a token may be signed with:
// RSA and ECDSA, as IAM takes them of OIDC providers. "none" and the HMAC
// algorithms (a key the verifier shares) are refused.
var Algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
}

// MaxTokenSize bounds the tokens Parse reads: the model's clientTokenType
// allows 20,000 characters.
const MaxTokenSize = 20000

// ErrNotJWT is Parse's answer to a string that is no signed JWT in the
// compact serialization.
var ErrNotJWT = errors.New("oidc: not a signed JWT")

// Token is a JWT read but not yet verified: its claims say what the
// issuer would have said, until Verify finds the issuer's signature.
type Token struct {
	jws *jose.JSONWebSignature
	// KeyID and Algorithm are from the protected header.
	KeyID, Algorithm string
	// Claims are the payload's, numbers kept as json.Number.
	Claims map[string]any
}

// Parse reads a compact JWS whose payload is a JSON object of claims.
func Parse(s string) (*Token, error) {
	if len(s) > MaxTokenSize || strings.Count(s, ".") != 2 {
		return nil, ErrNotJWT
	}
	jws, err := jose.ParseSignedCompact(s, Algorithms)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, ErrNotJWT
	}
	claims, err := decodeClaims(jws.UnsafePayloadWithoutVerification())
	if err != nil {
		return nil, ErrNotJWT
	}
	h := jws.Signatures[0].Protected
	return &Token{jws: jws, KeyID: h.KeyID, Algorithm: h.Algorithm, Claims: claims}, nil
}

func decodeClaims(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var claims map[string]any
	if err := d.Decode(&claims); err != nil {
		return nil, err
	}
	if claims == nil || d.More() {
		return nil, ErrNotJWT
	}
	return claims, nil
}

// Verify reports whether one of keys (those whose kid is the token's, or
// all when the token names none) verifies the token's signature.
func (t *Token) Verify(keys []jose.JSONWebKey) bool {
	for _, k := range keys {
		if t.KeyID != "" && k.KeyID != "" && k.KeyID != t.KeyID {
			continue
		}
		if k.Algorithm != "" && k.Algorithm != t.Algorithm {
			continue
		}
		if _, err := t.jws.Verify(k); err == nil {
			return true
		}
	}
	return false
}

// String is a claim that is a string; ok is false when it is absent or
// not a string.
func (t *Token) String(name string) (string, bool) {
	s, ok := t.Claims[name].(string)
	return s, ok
}

// Has reports whether the token has the claim.
func (t *Token) Has(name string) bool {
	_, ok := t.Claims[name]
	return ok
}

// Strings is a claim that is a string or a list of strings (aud, amr);
// ok is false when it is absent or anything else.
func (t *Token) Strings(name string) ([]string, bool) {
	return stringList(t.Claims[name])
}

func stringList(v any) ([]string, bool) {
	switch v := v.(type) {
	case string:
		return []string{v}, true
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// Time is a NumericDate claim (exp, nbf, iat), in whole seconds since the
// epoch (a fraction is dropped); ok is false when it is absent, and err
// set when it is no number.
func (t *Token) Time(name string) (sec int64, ok bool, err error) {
	v, ok := t.Claims[name]
	if !ok {
		return 0, false, nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return 0, true, errors.New("oidc: " + name + " is not a number")
	}
	if i, err := n.Int64(); err == nil {
		return i, true, nil
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f > math.MaxInt64 || f < math.MinInt64 {
		return 0, true, errors.New("oidc: " + name + " is not a NumericDate")
	}
	return int64(math.Floor(f)), true, nil
}

// TagsClaim is the claim that carries session tags (IAM User Guide,
// "Passing session tags using AssumeRoleWithWebIdentity").
const TagsClaim = "https://aws.amazon.com/tags"

// SourceIdentityClaim carries a source identity (IAM User Guide,
// "Monitor and control actions taken with assumed roles").
const SourceIdentityClaim = "https://aws.amazon.com/source_identity"

// SessionTags are the tags and transitive keys a token asks for.
type SessionTags struct {
	Tags       [][2]string // key, value, in key order
	Transitive []string
}

// maxSessionTags is AWS's limit on a session's tags ("You can pass up to
// 50 session tags", IAM User Guide, "Passing session tags in AWS STS"),
// whose keys have up to 128 characters and values up to 256.
const maxSessionTags = 50

// ErrTagsClaim answers a tags claim that is not AWS's shape.
var ErrTagsClaim = errors.New("oidc: the " + TagsClaim + " claim is malformed")

// Tags reads the tags claim: {"principal_tags": {"KEY": ["VALUE"]},
// "transitive_tag_keys": ["KEY"]}, each tag with one value. No claim is
// no tags.
func (t *Token) Tags() (SessionTags, error) {
	var out SessionTags
	v, ok := t.Claims[TagsClaim]
	if !ok {
		return out, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return out, ErrTagsClaim
	}
	if pt, ok := m["principal_tags"]; ok {
		tags, ok := pt.(map[string]any)
		if !ok {
			return out, ErrTagsClaim
		}
		if len(tags) > maxSessionTags {
			return out, ErrTagsClaim
		}
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			vs, ok := stringList(tags[k])
			if !ok || len(vs) != 1 || k == "" || utf8.RuneCountInString(k) > 128 || utf8.RuneCountInString(vs[0]) > 256 {
				return out, ErrTagsClaim
			}
			out.Tags = append(out.Tags, [2]string{k, vs[0]})
		}
	}
	if tk, ok := m["transitive_tag_keys"]; ok {
		keys, ok := stringList(tk)
		if !ok {
			return out, ErrTagsClaim
		}
		out.Transitive = keys
	}
	return out, nil
}
