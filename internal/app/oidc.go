package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/oidc"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/server"
	"github.com/rolecall/rolecall/internal/sts"
)

// Web identity: STS reads IAM's OpenID Connect providers (stsOIDC), and
// rolecall's issuer signs tokens for whoever the authorizer lets ask
// (OIDCTokenPath, `rolecall oidc token`).

// stsOIDC is IAM's OIDC providers as STS reads them.
type stsOIDC struct{ iam *iam.Service }

func (p stsOIDC) OIDCProviderForIssuer(ctx context.Context, account, issuer string) (*sts.OIDCProvider, error) {
	pr, err := p.iam.OIDCProviderForIssuer(ctx, account, issuer)
	if err != nil || pr == nil {
		return nil, err
	}
	return &sts.OIDCProvider{Arn: pr.Arn, Name: pr.Name, ClientIDList: pr.ClientIDList}, nil
}

// OIDCTokenPath is where rolecall's issuer signs tokens:
//
//	POST /_rolecall/oidc/token   {"sub": ..., "aud": [...], "preset": ..., "claims": {...}}
//
// answers {"token": "eyJ..."}. Requests are signed (SigV4, service
// "rolecall", as for the decisions) and authorized for
// SignWebIdentityTokenAction: a token rolecall signs is accepted by its
// STS for the issuer it names, so minting one is as strong as that
// issuer's trust; grant it as you would sts:AssumeRoleWithWebIdentity to
// everyone.
const OIDCTokenPath = "/_rolecall/oidc/token"

// SignWebIdentityTokenAction is the action a token request is authorized
// for.
const SignWebIdentityTokenAction = "rolecall:SignWebIdentityToken"

// maxTokenRequest bounds a token request's body.
const maxTokenRequest = 64 << 10

type oidcTokenEndpoint struct {
	issuer *oidc.Issuer
	authn  *auth.Authenticator
	authz  authz.Decider
	clock  ids.Clock
	gen    ids.Generator
}

func (h *oidcTokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := h.gen.UUID()
	fail := func(e *awserr.Error) { jsonrpc.WriteError(w, e, requestID) }
	if r.URL.Path != OIDCTokenPath {
		fail(awserr.New(http.StatusNotFound, "NotFound", "no such rolecall endpoint: %s", r.URL.Path))
		return
	}
	if r.Method != http.MethodPost {
		fail(awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s takes POST, not %s", OIDCTokenPath, r.Method))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxTokenRequest))
	if err != nil {
		fail(awserr.New(http.StatusBadRequest, "InvalidParameterValue", "the request body could not be read: %v", err))
		return
	}
	p, aerr := h.authn.Authenticate(r.Context(), r, body, server.DecisionsService)
	if aerr != nil {
		fail(auth.JSONError(aerr))
		return
	}
	ctx := authz.WithMeta(r.Context(), authz.MetaOf(r, requestID))
	if _, err := h.authz.Decide(ctx, &authz.Request{Principal: p, Action: SignWebIdentityTokenAction, Access: authz.Acting(authz.Any())}); err != nil {
		fail(awserr.As(err))
		return
	}
	var req oidc.TokenRequest
	if err := json.Unmarshal(body, &req); err != nil {
		fail(awserr.New(http.StatusBadRequest, "InvalidParameterValue", "the request is not a token request: %v", err))
		return
	}
	claims, err := req.Build(h.issuer.URL(), h.clock.Now(), h.gen.UUID())
	if err != nil {
		fail(awserr.New(http.StatusBadRequest, "InvalidParameterValue", "%v", err))
		return
	}
	token, err := h.issuer.Sign(claims)
	if err != nil {
		fail(awserr.As(err))
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID)
	json.NewEncoder(w).Encode(map[string]string{"token": token})
}
