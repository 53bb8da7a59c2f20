package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/rolecall/rolecall/internal/ids"
)

// How a KeySource treats issuers: their keys are kept for keyTTL, and
// fetched again sooner, at most every refetchAfter, when a token names a
// key they lack (the issuer rotated its keys).
const (
	keyTTL       = time.Hour
	refetchAfter = time.Minute
	fetchTimeout = 10 * time.Second
	maxDocument  = 1 << 20
)

// Why a KeySource found no keys: ErrUnreachable when the issuer could not
// be asked (no connection, a timeout, a 5xx answer), ErrNoKeys when it
// answered without usable keys.
var (
	ErrUnreachable = errors.New("oidc: the identity provider could not be reached")
	ErrNoKeys      = errors.New("oidc: the identity provider published no usable keys")
)

// KeySource fetches real issuers' signing keys through their discovery
// documents (OpenID Connect Discovery 1.0: ISSUER/.well-known/openid-
// configuration names the jwks_uri), over HTTPS checked against the
// system's certificate authorities, and keeps them.
type KeySource struct {
	// Client makes the requests; nil is a client with fetchTimeout.
	Client *http.Client
	Clock  ids.Clock

	mu    sync.Mutex
	cache map[string]*issuerKeys
}

type issuerKeys struct {
	keys    []jose.JSONWebKey
	fetched time.Time
}

// Keys answers issuer's keys that may have signed a token naming kid
// ("": any).
func (s *KeySource) Keys(ctx context.Context, issuer, kid string) ([]jose.JSONWebKey, error) {
	now := s.Clock.Now()
	s.mu.Lock()
	c := s.cache[issuer]
	s.mu.Unlock()
	fresh := c != nil && now.Sub(c.fetched) < keyTTL
	if fresh && (hasKey(c.keys, kid) || now.Sub(c.fetched) < refetchAfter) {
		return c.keys, nil
	}
	keys, err := s.fetch(ctx, issuer)
	if err != nil {
		if fresh {
			return c.keys, nil
		}
		return nil, err
	}
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]*issuerKeys{}
	}
	s.cache[issuer] = &issuerKeys{keys: keys, fetched: now}
	s.mu.Unlock()
	return keys, nil
}

func hasKey(keys []jose.JSONWebKey, kid string) bool {
	for _, k := range keys {
		if kid == "" || k.KeyID == kid {
			return true
		}
	}
	return false
}

// DiscoveryPath is where an issuer publishes its discovery document,
// under its URL.
const DiscoveryPath = "/.well-known/openid-configuration"

func (s *KeySource) fetch(ctx context.Context, issuer string) ([]jose.JSONWebKey, error) {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := s.getJSON(ctx, strings.TrimSuffix(issuer, "/")+DiscoveryPath, &doc); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(doc.JWKSURI, "https://") {
		return nil, fmt.Errorf("%w: its discovery document names no https jwks_uri", ErrNoKeys)
	}
	var set jose.JSONWebKeySet
	if err := s.getJSON(ctx, doc.JWKSURI, &set); err != nil {
		return nil, err
	}
	var keys []jose.JSONWebKey
	for _, k := range set.Keys {
		if k.Valid() && k.IsPublic() && (k.Use == "" || k.Use == "sig") {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: %s holds no public signing key", ErrNoKeys, doc.JWKSURI)
	}
	return keys, nil
}

func (s *KeySource) getJSON(ctx context.Context, u string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoKeys, err)
	}
	req.Header.Set("Accept", "application/json")
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 500:
		return fmt.Errorf("%w: GET %s: %s", ErrUnreachable, u, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%w: GET %s: %s", ErrNoKeys, u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return fmt.Errorf("%w: GET %s: %v", ErrUnreachable, u, err)
	}
	if len(b) > maxDocument || json.Unmarshal(b, v) != nil {
		return fmt.Errorf("%w: GET %s: not a JSON document", ErrNoKeys, u)
	}
	return nil
}
