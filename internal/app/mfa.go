package app

import (
	"encoding/json"
	"net/http"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/resolve"
	"github.com/rolecall/rolecall/internal/server"
)

// MFACodePath is rolecall's endpoint for the codes of the virtual MFA
// devices it made, which a test or script sends where a person would type
// what an authenticator app shows (rolecall mfa code):
//
//	GET /_rolecall/mfa/code?serial=ARN          the code the device shows now
//	GET /_rolecall/mfa/code?serial=ARN&two=1    two consecutive codes (EnableMFADevice, ResyncMFADevice)
//
// Requests are signed (SigV4, service "rolecall", as for the decisions)
// and authorized as GetMFACodeAction on the device: the seed is a
// secret, so the account's root may, and a user or role only through a
// policy that allows it. The answer is MFACodes.
const MFACodePath = "/_rolecall/mfa/code"

// GetMFACodeAction is what the MFA code endpoint's requests are
// authorized for.
const GetMFACodeAction = "rolecall:GetMFACode"

// MFACodes is the MFA code endpoint's answer.
type MFACodes struct {
	SerialNumber string
	Codes        []string
}

type mfaCodeEndpoint struct {
	iam   *iam.Service
	res   resolve.IAM
	authn *auth.Authenticator
	authz authz.Decider
	gen   ids.Generator
}

func (h *mfaCodeEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := h.gen.UUID()
	p, serial, ok := signedGet(w, r, h.authn, MFACodePath, "serial", requestID)
	if !ok {
		return
	}
	ctx := authz.WithMeta(r.Context(), authz.MetaOf(r, requestID))
	t, err := h.res.MFADevice(ctx, p.Account, serial)
	if err == nil {
		_, err = h.authz.Decide(ctx, &authz.Request{Principal: p, Action: GetMFACodeAction, Access: authz.Acting(t)})
	}
	var codes []string
	if err == nil {
		codes, err = h.iam.MFACodes(ctx, p.Account, serial, r.URL.Query().Get("two") != "")
	}
	writeAnswer(w, requestID, MFACodes{SerialNumber: serial, Codes: codes}, err)
}

// signedGet begins a GET endpoint of rolecall's own: the path and method,
// the one query parameter it needs, and the caller who signed it (SigV4,
// service "rolecall"). ok is false when it has answered the request's
// error.
func signedGet(w http.ResponseWriter, r *http.Request, authn *auth.Authenticator, path, param, requestID string) (p *principal.Principal, value string, ok bool) {
	switch {
	case r.URL.Path != path:
		jsonrpc.WriteError(w, awserr.New(http.StatusNotFound, "NotFound", "no such rolecall endpoint: %s", r.URL.Path), requestID)
		return nil, "", false
	case r.Method != http.MethodGet:
		jsonrpc.WriteError(w, awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s takes GET", path), requestID)
		return nil, "", false
	}
	if value = r.URL.Query().Get(param); value == "" {
		jsonrpc.WriteError(w, awserr.MissingParameter(param), requestID)
		return nil, "", false
	}
	p, aerr := authn.Authenticate(r.Context(), r, nil, server.DecisionsService)
	if aerr != nil {
		jsonrpc.WriteError(w, auth.JSONError(aerr), requestID)
		return nil, "", false
	}
	return p, value, true
}

// writeAnswer answers v, a credential (MFA codes, an exchange token), as
// JSON, or err as AWS's JSON error.
func writeAnswer(w http.ResponseWriter, requestID string, v any, err error) {
	if err != nil {
		jsonrpc.WriteError(w, awserr.As(err), requestID)
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID)
	json.NewEncoder(w).Encode(v)
}

// noStore tells caches between rolecall and its client (a proxy, a
// browser fetching for a test page) to keep no copy of an answer that
// holds a credential: MFA codes, tokens, assertions, a state file's
// secrets (RFC 9111, section 5.2.2.5).
func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }
