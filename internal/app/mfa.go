package app

import (
	"encoding/json"
	"net/http"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
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
	switch {
	case r.URL.Path != MFACodePath:
		jsonrpc.WriteError(w, awserr.New(http.StatusNotFound, "NotFound", "no such rolecall endpoint: %s", r.URL.Path), requestID)
		return
	case r.Method != http.MethodGet:
		jsonrpc.WriteError(w, awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s takes GET", MFACodePath), requestID)
		return
	}
	serial := r.URL.Query().Get("serial")
	if serial == "" {
		jsonrpc.WriteError(w, awserr.MissingParameter("serial"), requestID)
		return
	}
	p, aerr := h.authn.Authenticate(r.Context(), r, nil, server.DecisionsService)
	if aerr != nil {
		jsonrpc.WriteError(w, auth.JSONError(aerr), requestID)
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
	if err != nil {
		jsonrpc.WriteError(w, awserr.As(err), requestID)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID)
	json.NewEncoder(w).Encode(MFACodes{SerialNumber: serial, Codes: codes})
}
