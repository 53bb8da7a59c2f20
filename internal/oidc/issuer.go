// Package oidc is rolecall's OpenID Connect: the ID tokens that STS's
// AssumeRoleWithWebIdentity exchanges for role sessions, read and
// verified (token.go), the keys of real issuers fetched through their
// discovery documents (keys.go), the condition keys a token brings to a
// trust policy (conditionkeys.go), and rolecall's own issuer, which
// signs tokens for local tests (this file, presets.go) and publishes its
// discovery document and keys (handler.go).
//
// Signing and verifying are go-jose's (github.com/go-jose/go-jose/v4);
// nothing here does cryptography by hand.
package oidc

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/go-jose/go-jose/v4"

	"github.com/rolecall/rolecall/internal/store"
)

// DefaultIssuer is rolecall's own issuer identifier unless serve
// --oidc-issuer names another: an https URL, as IAM requires of a
// provider's ("The URL must begin with https://", CreateOpenIDConnectProvider),
// without a port, which it asks a provider's URL not to have. STS needs
// no network to verify rolecall's tokens; other programs fetch its keys
// where serve --oidc-addr publishes them.
const DefaultIssuer = "https://oidc.rolecall.localhost"

// SigningAlgorithm is how rolecall signs: RS256, as GitHub, EKS and GitLab
// sign their ID tokens.
const SigningAlgorithm = jose.RS256

// Buckets. The signing key is the server's, not an account's: a reset of
// one account keeps it; a reset of every account (which clears the whole
// state) makes a new one.
const (
	bucketIssuer = "oidc-issuer"
	keySigning   = "signing-key" // a private JSON Web Key
)

// keyBits is the RSA modulus size of rolecall's signing key.
const keyBits = 2048

// Issuer is rolecall's own OpenID Connect issuer: a signing key kept in
// the state, made on first use, so that a restart keeps the tokens it
// signed valid, and every server (every data directory) has its own.
type Issuer struct {
	st  store.Store
	url string

	mu  sync.Mutex
	raw []byte           // the stored key, as last read
	key *jose.JSONWebKey // raw, parsed
}

// NewIssuer returns the issuer whose key st keeps; url is its identifier
// (DefaultIssuer if empty).
func NewIssuer(st store.Store, url string) *Issuer {
	if url == "" {
		url = DefaultIssuer
	}
	return &Issuer{st: st, url: url}
}

// URL is the issuer's identifier, the iss of the tokens it signs unless
// they name another.
func (i *Issuer) URL() string { return i.url }

// signingKey is the issuer's private key, made and stored on first use.
func (i *Issuer) signingKey() (*jose.JSONWebKey, error) {
	var raw []byte
	err := i.st.View(func(tx store.Tx) error {
		if b, ok := tx.Get(bucketIssuer, keySigning); ok {
			raw = append([]byte(nil), b...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if raw == nil {
		if raw, err = i.makeKey(); err != nil {
			return nil, err
		}
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.key != nil && string(raw) == string(i.raw) {
		return i.key, nil
	}
	var k jose.JSONWebKey
	if err := json.Unmarshal(raw, &k); err != nil || k.IsPublic() || !k.Valid() {
		return nil, fmt.Errorf("oidc: the stored signing key is corrupt: %v", err)
	}
	i.raw, i.key = raw, &k
	return &k, nil
}

// makeKey makes a key and stores it unless another request stored one
// first; it answers the stored key.
func (i *Issuer) makeKey() ([]byte, error) {
	pk, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, err
	}
	k := jose.JSONWebKey{Key: pk, Algorithm: string(SigningAlgorithm), Use: "sig"}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	// The RFC 7638 thumbprint names the key: it changes only with the key.
	k.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	b, err := json.Marshal(k)
	if err != nil {
		return nil, err
	}
	var stored []byte
	err = i.st.Update(func(tx store.Tx) error {
		if old, ok := tx.Get(bucketIssuer, keySigning); ok {
			stored = append([]byte(nil), old...)
			return nil
		}
		stored = b
		return tx.Put(bucketIssuer, keySigning, b)
	})
	return stored, err
}

// PublicKeys is the issuer's JSON Web Key Set, as its jwks_uri publishes
// it.
func (i *Issuer) PublicKeys() (jose.JSONWebKeySet, error) {
	k, err := i.signingKey()
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.Public()}}, nil
}

// Key is the issuer's public key when kid names it; ok is false for any
// other key.
func (i *Issuer) Key(kid string) (key jose.JSONWebKey, ok bool, err error) {
	k, err := i.signingKey()
	if err != nil || kid == "" || kid != k.KeyID {
		return jose.JSONWebKey{}, false, err
	}
	return k.Public(), true, nil
}

// Sign signs claims as a JWT: RS256, the key's kid and typ JWT in its
// header.
func (i *Issuer) Sign(claims map[string]any) (string, error) {
	k, err := i.signingKey()
	if err != nil {
		return "", err
	}
	return SignJWT(k, SigningAlgorithm, claims)
}

// SignJWT signs claims as a compact JWT with k (a private key, its kid
// in the header) and alg, typ JWT: rolecall's issuer's tokens and STS's
// GetWebIdentityToken's.
func SignJWT(k *jose.JSONWebKey, alg jose.SignatureAlgorithm, claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: k}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
