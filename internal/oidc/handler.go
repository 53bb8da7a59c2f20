package oidc

import (
	"encoding/json"
	"net/http"
)

// JWKSPath is where rolecall's issuer publishes its keys.
const JWKSPath = "/.well-known/jwks.json"

// Handler publishes rolecall's issuer, as an OpenID provider publishes
// itself: its discovery document and its JSON Web Key Set, unauthenticated
// (OpenID Connect Discovery 1.0). It serves over plain HTTP on its own
// address (serve --oidc-addr): the discovery document names the issuer
// rolecall signs as, and the key set at the address it was asked on.
type Handler struct{ Issuer *Issuer }

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case DiscoveryPath:
		writeJSON(w, map[string]any{
			"issuer":                                h.Issuer.URL(),
			"jwks_uri":                              "http://" + r.Host + JWKSPath,
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public", "pairwise"},
			"id_token_signing_alg_values_supported": []string{string(SigningAlgorithm)},
			"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf"},
		})
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

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=300")
	json.NewEncoder(w).Encode(v)
}
