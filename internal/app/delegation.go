package app

import (
	"net/http"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
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
	p, id, ok := signedGet(w, r, h.authn, DelegationTokenPath, "id", requestID)
	if !ok {
		return
	}
	ctx := authz.WithMeta(r.Context(), authz.MetaOf(r, requestID))
	t := authz.Target{ARN: iam.DelegationRequestARN(p.Account, id), Type: "delegation-request"}
	_, err := h.authz.Decide(ctx, &authz.Request{Principal: p, Action: GetDelegationTokenAction, Access: authz.Acting(t)})
	var token string
	if err == nil {
		token, err = h.iam.DelegationToken(ctx, p.Account, id)
	}
	writeAnswer(w, requestID, DelegationToken{DelegationRequestId: id, Token: token}, err)
}
