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
	"github.com/rolecall/rolecall/internal/server"
)

// DelegationTokenPath is rolecall's endpoint for the exchange token of a
// delegation request, the partner's side of SendDelegationToken (rolecall
// delegation token):
//
//	GET /_rolecall/delegation/token?id=DELEGATION_REQUEST_ID
//
// On AWS "The exchange token is sent to the partner via an asynchronous
// notification channel, established by the partner" (IAM API reference,
// SendDelegationToken,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SendDelegationToken.html):
// the SNS topic the request names, which rolecall does not have. Here the
// partner asks for it instead. Requests are signed (SigV4, service
// "rolecall") by a principal of the requestor's account, the one whose
// topic AWS would publish to, and authorized as GetDelegationTokenAction
// on the request; the answer is DelegationToken.
const DelegationTokenPath = "/_rolecall/delegation/token"

// GetDelegationTokenAction is what the delegation token endpoint's
// requests are authorized for: the token is a credential, so the
// requestor account's root may, and a user or role only through a policy
// that allows it.
const GetDelegationTokenAction = "rolecall:GetDelegationToken"

// DelegationToken is the delegation token endpoint's answer.
type DelegationToken struct {
	DelegationRequestId string
	Token               string
}

type delegationTokenEndpoint struct {
	iam   *iam.Service
	authn *auth.Authenticator
	authz authz.Decider
	gen   ids.Generator
}

func (h *delegationTokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := h.gen.UUID()
	switch {
	case r.URL.Path != DelegationTokenPath:
		jsonrpc.WriteError(w, awserr.New(http.StatusNotFound, "NotFound", "no such rolecall endpoint: %s", r.URL.Path), requestID)
		return
	case r.Method != http.MethodGet:
		jsonrpc.WriteError(w, awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s takes GET", DelegationTokenPath), requestID)
		return
	}
	id := r.URL.Query().Get("id")
	if id == "" {
		jsonrpc.WriteError(w, awserr.MissingParameter("id"), requestID)
		return
	}
	p, aerr := h.authn.Authenticate(r.Context(), r, nil, server.DecisionsService)
	if aerr != nil {
		jsonrpc.WriteError(w, auth.JSONError(aerr), requestID)
		return
	}
	ctx := authz.WithMeta(r.Context(), authz.MetaOf(r, requestID))
	t := authz.Target{ARN: iam.DelegationRequestARN(p.Account, id), Type: "delegation-request"}
	_, err := h.authz.Decide(ctx, &authz.Request{Principal: p, Action: GetDelegationTokenAction, Access: authz.Acting(t)})
	var token string
	if err == nil {
		token, err = h.iam.DelegationToken(ctx, p.Account, id)
	}
	if err != nil {
		jsonrpc.WriteError(w, awserr.As(err), requestID)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID)
	json.NewEncoder(w).Encode(DelegationToken{DelegationRequestId: id, Token: token})
}
