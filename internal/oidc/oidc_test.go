package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

var ctx = context.Background()

var now = time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC)

func signed(t testing.TB, i *Issuer, r TokenRequest) (string, *Token) {
	t.Helper()
	c, err := r.Build(i.URL(), now, "jti-1")
	if err != nil {
		t.Fatal(err)
	}
	s, err := i.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return s, tok
}

func ownKeys(t testing.TB, i *Issuer, kid string) []jose.JSONWebKey {
	t.Helper()
	k, ok, err := i.Key(kid)
	if err != nil || !ok {
		t.Fatalf("Key(%q) = %v, %v", kid, ok, err)
	}
	return []jose.JSONWebKey{k}
}

// TestIssuerKeyPersists: the key lives in the state, so another Issuer on
// the same state (a restart) verifies what the first signed; another
// state has another key.
func TestIssuerKeyPersists(t *testing.T) {
	st := store.NewMemory()
	first := NewIssuer(st, "")
	raw, tok := signed(t, first, TokenRequest{Subject: "alice"})
	if tok.Algorithm != "RS256" || tok.KeyID == "" {
		t.Fatalf("header alg %q kid %q", tok.Algorithm, tok.KeyID)
	}
	if iss, _ := tok.String("iss"); iss != DefaultIssuer {
		t.Errorf("iss %q", iss)
	}
	restarted := NewIssuer(st, "")
	again, err := Parse(raw)
	if err != nil || !again.Verify(ownKeys(t, restarted, tok.KeyID)) {
		t.Fatalf("the restarted issuer does not verify its token: %v", err)
	}
	other := NewIssuer(store.NewMemory(), "")
	if _, ok, _ := other.Key(tok.KeyID); ok {
		t.Fatal("another state's issuer has the same key")
	}
	set, err := restarted.PublicKeys()
	if err != nil || len(set.Keys) != 1 || !set.Keys[0].IsPublic() || set.Keys[0].KeyID != tok.KeyID || set.Keys[0].Use != "sig" {
		t.Fatalf("PublicKeys = %+v, %v", set, err)
	}
}

func TestParseRefuses(t *testing.T) {
	i := NewIssuer(store.NewMemory(), "")
	good, _ := signed(t, i, TokenRequest{Subject: "alice"})
	parts := strings.Split(good, ".")
	enc := base64.RawURLEncoding.EncodeToString
	for name, s := range map[string]string{
		"empty":           "",
		"two parts":       parts[0] + "." + parts[1],
		"not base64":      "a.b.c",
		"alg none":        enc([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".",
		"HMAC":            enc([]byte(`{"alg":"HS256"}`)) + "." + parts[1] + "." + parts[2],
		"payload a list":  parts[0] + "." + enc([]byte(`["a"]`)) + "." + parts[2],
		"payload two":     parts[0] + "." + enc([]byte(`{"a":1}{"b":2}`)) + "." + parts[2],
		"payload null":    parts[0] + "." + enc([]byte(`null`)) + "." + parts[2],
		"JSON serialized": `{"payload":"e30","signatures":[]}`,
		"too long":        good + strings.Repeat("A", MaxTokenSize),
	} {
		if _, err := Parse(s); !errors.Is(err, ErrNotJWT) {
			t.Errorf("%s: Parse = %v, want ErrNotJWT", name, err)
		}
	}
	// A signature over other claims is no signature.
	forged := parts[0] + "." + enc([]byte(`{"sub":"mallory"}`)) + "." + parts[2]
	tok, err := Parse(forged)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Verify(ownKeys(t, i, tok.KeyID)) {
		t.Fatal("a tampered token verifies")
	}
}

func TestClaims(t *testing.T) {
	i := NewIssuer(store.NewMemory(), "https://issuer.example")
	_, tok := signed(t, i, TokenRequest{Subject: "alice", Audience: []string{"a", "b"}, Lifetime: Duration(-time.Hour), Claims: map[string]any{
		TagsClaim: map[string]any{"principal_tags": map[string]any{"team": []any{"ci"}, "env": []any{"prod"}}, "transitive_tag_keys": []any{"team"}},
	}})
	if aud, ok := tok.Strings("aud"); !ok || !slices.Equal(aud, []string{"a", "b"}) {
		t.Errorf("aud %v", aud)
	}
	if exp, ok, err := tok.Time("exp"); err != nil || !ok || exp != now.Add(-time.Hour).Unix() {
		t.Errorf("exp %d %v %v", exp, ok, err)
	}
	tags, err := tok.Tags()
	if err != nil || !slices.Equal(tags.Tags, [][2]string{{"env", "prod"}, {"team", "ci"}}) || !slices.Equal(tags.Transitive, []string{"team"}) {
		t.Errorf("Tags = %+v, %v", tags, err)
	}
	for name, claim := range map[string]any{
		"not an object":    "team=ci",
		"two values":       map[string]any{"principal_tags": map[string]any{"team": []any{"a", "b"}}},
		"a number":         map[string]any{"principal_tags": map[string]any{"team": []any{json.Number("1")}}},
		"keys not strings": map[string]any{"transitive_tag_keys": []any{json.Number("1")}},
		"key too long":     map[string]any{"principal_tags": map[string]any{strings.Repeat("k", 129): []any{"v"}}},
	} {
		tok.Claims[TagsClaim] = claim
		if _, err := tok.Tags(); !errors.Is(err, ErrTagsClaim) {
			t.Errorf("%s: Tags = %v", name, err)
		}
	}
	tok.Claims["exp"] = "tomorrow"
	if _, ok, err := tok.Time("exp"); !ok || err == nil {
		t.Errorf("a string exp: %v %v", ok, err)
	}
	tok.Claims["exp"] = json.Number("1.5e9")
	if exp, _, err := tok.Time("exp"); err != nil || exp != 1500000000 {
		t.Errorf("a float exp: %d %v", exp, err)
	}
}

// TestConditionKeys: every provider's aud, sub, oaud and amr, and the
// claims the Service Authorization Reference documents keys for.
func TestConditionKeys(t *testing.T) {
	i := NewIssuer(store.NewMemory(), "")
	_, gh := signed(t, i, TokenRequest{Preset: "github", Subject: "repo:octo-org/octo-repo:environment:prod"})
	keys := ConditionKeys("token.actions.githubusercontent.com", "sts.amazonaws.com", gh)
	for k, want := range map[string]string{
		"token.actions.githubusercontent.com:aud":              "sts.amazonaws.com",
		"token.actions.githubusercontent.com:sub":              "repo:octo-org/octo-repo:environment:prod",
		"token.actions.githubusercontent.com:repository":       "octo-org/octo-repo",
		"token.actions.githubusercontent.com:environment":      "prod",
		"token.actions.githubusercontent.com:job_workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main",
		"token.actions.githubusercontent.com:actor":            "octo-org",
	} {
		if got := keys[k]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %v, want %s", k, got, want)
		}
	}
	// Claims the reference has no key for are not keys; nor is oaud
	// without azp.
	for _, k := range []string{"token.actions.githubusercontent.com:run_id", "token.actions.githubusercontent.com:oaud", "token.actions.githubusercontent.com:amr"} {
		if v, ok := keys[k]; ok {
			t.Errorf("%s = %v", k, v)
		}
	}
	// An enterprise's own GitHub issuer (token.actions.${Domain}.ghe.com).
	if got := ConditionKeys("token.actions.octo.ghe.com", "sts.amazonaws.com", gh)["token.actions.octo.ghe.com:repository"]; !slices.Equal(got, []string{"octo-org/octo-repo"}) {
		t.Errorf("GHE repository %v", got)
	}

	_, google := signed(t, i, TokenRequest{Issuer: "https://accounts.google.com", Subject: "1234", Audience: []string{"app", "other"}, Claims: map[string]any{
		"azp": "app", "google": map[string]any{"organization_number": json.Number("42")}, "email_verified": true}})
	keys = ConditionKeys("accounts.google.com", "app", google)
	if !slices.Equal(keys["accounts.google.com:oaud"], []string{"app", "other"}) || !slices.Equal(keys["accounts.google.com:google/organization_number"], []string{"42"}) {
		t.Errorf("Google keys %v", keys)
	}
	_, cognito := signed(t, i, TokenRequest{Issuer: "https://cognito-identity.amazonaws.com", Subject: "us-east-1:1234", Claims: map[string]any{
		"amr": []any{"authenticated", "accounts.google.com"}}})
	if got := ConditionKeys("cognito-identity.amazonaws.com", "us-east-1:pool", cognito)["cognito-identity.amazonaws.com:amr"]; !slices.Equal(got, []string{"authenticated", "accounts.google.com"}) {
		t.Errorf("Cognito amr %v", got)
	}
	_, eks := signed(t, i, TokenRequest{Preset: "eks", Subject: "system:serviceaccount:default:app"})
	prefix := strings.TrimPrefix(EKSIssuer, "https://")
	keys = ConditionKeys(prefix, "sts.amazonaws.com", eks)
	if !slices.Equal(keys[prefix+":sub"], []string{"system:serviceaccount:default:app"}) || !slices.Equal(keys[prefix+":aud"], []string{"sts.amazonaws.com"}) {
		t.Errorf("EKS keys %v", keys)
	}
}

func TestPresets(t *testing.T) {
	c, err := TokenRequest{Preset: "gitlab", Subject: "project_path:group/project:ref_type:branch:ref:main"}.Build("", now, "j")
	if err != nil || c["iss"] != GitLabIssuer || c["aud"] != GitLabIssuer || c["project_path"] != "group/project" || c["ref"] != "main" || c["namespace_path"] != "group" {
		t.Errorf("gitlab %v %v", c, err)
	}
	c, err = TokenRequest{Preset: "github", Subject: "repo:o/r:ref:refs/tags/v1", Issuer: "https://token.actions.githubusercontent.com/o",
		Claims: map[string]any{"actor": "octocat"}}.Build("", now, "j")
	if err != nil || c["iss"] != "https://token.actions.githubusercontent.com/o" || c["ref_type"] != "tag" || c["actor"] != "octocat" || c["aud"] != "sts.amazonaws.com" ||
		c["exp"] != now.Add(DefaultLifetime).Unix() || c["iat"] != now.Unix() || c["jti"] != "j" {
		t.Errorf("github %v %v", c, err)
	}
	for _, r := range []TokenRequest{{Subject: ""}, {Preset: "eks", Subject: "default:app"}, {Preset: "azure", Subject: "x"}} {
		if _, err := r.Build("", now, "j"); err == nil {
			t.Errorf("%+v built", r)
		}
	}
}

// jwksServer is an issuer publishing its discovery document and keys
// over TLS, as real issuers do; its requests are counted.
type jwksServer struct {
	*httptest.Server
	key      *ecdsa.PrivateKey
	kid      string
	requests atomic.Int32
	status   atomic.Int32 // answer every request with it, when set
}

func newJWKSServer(t *testing.T) *jwksServer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &jwksServer{key: k, kid: "k1"}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if c := s.status.Load(); c != 0 {
			w.WriteHeader(int(c))
			return
		}
		switch r.URL.Path {
		case DiscoveryPath:
			json.NewEncoder(w).Encode(map[string]string{"issuer": s.URL, "jwks_uri": s.URL + "/keys"})
		case "/keys":
			json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: s.kid, Algorithm: "ES256", Use: "sig"}}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestKeySource(t *testing.T) {
	srv := newJWKSServer(t)
	clock := &ids.FixedClock{T: now}
	ks := &KeySource{Client: srv.Client(), Clock: clock}
	keys, err := ks.Keys(ctx, srv.URL, "k1")
	if err != nil || len(keys) != 1 || keys[0].KeyID != "k1" {
		t.Fatalf("Keys = %+v, %v", keys, err)
	}
	// Kept: a known key asks nothing; an unknown one asks again only
	// after a minute, and the keys are asked again after an hour.
	ks.Keys(ctx, srv.URL, "k1")
	ks.Keys(ctx, srv.URL, "k2")
	if n := srv.requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2 (discovery, keys)", n)
	}
	clock.Advance(2 * time.Minute)
	ks.Keys(ctx, srv.URL, "k2")
	if n := srv.requests.Load(); n != 4 {
		t.Errorf("%d requests after an unknown key, want 4", n)
	}
	// A failing issuer whose keys are fresh: the keys it had.
	srv.status.Store(http.StatusServiceUnavailable)
	clock.Advance(2 * time.Minute)
	if keys, err := ks.Keys(ctx, srv.URL, "k3"); err != nil || len(keys) != 1 {
		t.Errorf("stale keys while the issuer fails: %v %v", keys, err)
	}
	clock.Advance(time.Hour)
	if _, err := ks.Keys(ctx, srv.URL, "k1"); !errors.Is(err, ErrUnreachable) {
		t.Errorf("503: %v, want ErrUnreachable", err)
	}
	srv.status.Store(http.StatusNotFound)
	if _, err := ks.Keys(ctx, srv.URL, "k1"); !errors.Is(err, ErrNoKeys) {
		t.Errorf("404: %v, want ErrNoKeys", err)
	}
	srv.Close()
	if _, err := (&KeySource{Client: srv.Client(), Clock: clock}).Keys(ctx, srv.URL, "k1"); !errors.Is(err, ErrUnreachable) {
		t.Errorf("closed: %v, want ErrUnreachable", err)
	}
}

func TestHandler(t *testing.T) {
	i := NewIssuer(store.NewMemory(), "https://issuer.example")
	srv := httptest.NewServer(Handler{Issuer: i})
	defer srv.Close()
	var doc map[string]any
	getJSON(t, srv.URL+DiscoveryPath, &doc)
	if doc["issuer"] != "https://issuer.example" || doc["jwks_uri"] != srv.URL+JWKSPath {
		t.Errorf("discovery %v", doc)
	}
	var set jose.JSONWebKeySet
	getJSON(t, srv.URL+JWKSPath, &set)
	_, tok := signed(t, i, TokenRequest{Subject: "alice"})
	if !tok.Verify(set.Keys) {
		t.Error("the published keys do not verify the issuer's token")
	}
	resp, err := http.Post(srv.URL+JWKSPath, "", nil)
	if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %v %v", resp.Status, err)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(v) != nil {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
}

// fakeOutbound has one enabled outbound issuer, "abc".
type fakeOutbound struct{ base string }

func (f *fakeOutbound) OutboundIssuer(_ context.Context, id string) (string, []byte, []string, bool, error) {
	if id != "abc" {
		return "", nil, nil, false, nil
	}
	return f.base + OutboundPrefix + id, []byte(`{"keys":[]}`), []string{"RS256", "ES384"}, true, nil
}

// TestHandlerOutbound: an outbound issuer's discovery document names it
// and the key set under it; an issuer no account has enabled, or a path
// under it that is neither document, is not found.
func TestHandlerOutbound(t *testing.T) {
	f := &fakeOutbound{}
	srv := httptest.NewServer(Handler{Issuer: NewIssuer(store.NewMemory(), ""), Outbound: f})
	defer srv.Close()
	f.base = srv.URL
	issuer := srv.URL + OutboundPrefix + "abc"
	var doc map[string]any
	getJSON(t, issuer+DiscoveryPath, &doc)
	if doc["issuer"] != issuer || doc["jwks_uri"] != issuer+JWKSPath || fmt.Sprint(doc["id_token_signing_alg_values_supported"]) != "[RS256 ES384]" {
		t.Errorf("discovery %v", doc)
	}
	var set jose.JSONWebKeySet
	getJSON(t, issuer+JWKSPath, &set)
	for _, u := range []string{srv.URL + OutboundPrefix + "other" + DiscoveryPath, issuer + "/keys", srv.URL + OutboundPrefix} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", u, resp.Status)
		}
	}
}
