package oidc

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// JWKSPath is where rolecall's issuer publishes its keys.
const JWKSPath = "/.well-known/jwks.json"

// OutboundPrefix is where the issuers of accounts' outbound web identity
// federation (IAM's EnableOutboundWebIdentityFederation) publish
// themselves on the same listener: OutboundPrefix + ID is an issuer, with
// its discovery document and key set under it, as AWS's issuer "hosts the
// OpenID Connect (OIDC) discovery endpoints at
// /.well-known/openid-configuration and /.well-known/jwks.json" (IAM API
// reference, GetOutboundWebIdentityFederationInfo).
const OutboundPrefix = "/outbound/"

// OutboundIssuers finds an account's outbound issuer by its ID.
type OutboundIssuers interface {
	// OutboundIssuer is the issuer URL of id and its JSON Web Key Set;
	// ok is false when no account has that issuer enabled.
	OutboundIssuer(ctx context.Context, id string) (issuer string, jwks []byte, algs []string, ok bool, err error)
}

// Handler publishes rolecall's issuer, as an OpenID provider publishes
// itself: its discovery document and its JSON Web Key Set, unauthenticated
// (OpenID Connect Discovery 1.0). It serves over plain HTTP on its own
// address (serve --oidc-addr): the discovery document names the issuer
// rolecall signs as, and the key set at the address it was asked on.
// Under OutboundPrefix it publishes the accounts' outbound issuers
// (Outbound; nil: none).
type Handler struct {
	Issuer   *Issuer
	Outbound OutboundIssuers
}

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, OutboundPrefix); ok && h.Outbound != nil {
		h.outbound(w, r, rest)
		return
	}
	switch r.URL.Path {
	case DiscoveryPath:
		writeJSON(w, discovery(h.Issuer.URL(), "http://"+r.Host+JWKSPath, []string{string(SigningAlgorithm)}))
	case JWKSPath:
		set, err := h.Issuer.PublicKeys()
		if err != nil {
			http.Error(w, "the signing key cannot be read", http.StatusInternalServerError)
			return
		}
		writeJSON(w, set)
	default:
		http.NotFound(w, r)
	}
}

// outbound serves ID/.well-known/openid-configuration and
// ID/.well-known/jwks.json of an enabled outbound issuer; 404 for any
// other, and for an issuer whose account disabled the feature.
func (h Handler) outbound(w http.ResponseWriter, r *http.Request, rest string) {
	id, doc, _ := strings.Cut(rest, "/")
	doc = "/" + doc
	if id == "" || doc != DiscoveryPath && doc != JWKSPath {
		http.NotFound(w, r)
		return
	}
	issuer, jwks, algs, ok, err := h.Outbound.OutboundIssuer(r.Context(), id)
	switch {
	case err != nil:
		http.Error(w, "the issuer's keys cannot be read", http.StatusInternalServerError)
	case !ok:
		http.NotFound(w, r)
	case doc == DiscoveryPath:
		writeJSON(w, discovery(issuer, issuer+JWKSPath, algs))
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=300")
		w.Write(jwks)
	}
}

// discovery is an OpenID provider's configuration with what an ID token
// issuer without endpoints of its own has (OpenID Connect Discovery 1.0,
// section 3: issuer, jwks_uri, response_types_supported,
// subject_types_supported and id_token_signing_alg_values_supported are
// required).
func discovery(issuer, jwksURI string, algs []string) map[string]any {
	return map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              jwksURI,
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public", "pairwise"},
		"id_token_signing_alg_values_supported": algs,
		"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf"},
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=300")
	json.NewEncoder(w).Encode(v)
}
