package app

import (
	"context"
	"net/http"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/oidc"
	"github.com/rolecall/rolecall/internal/sts"
)

// stsExtras is what STS's operations beyond sessions and roles read of
// IAM and of the authorizer (sts.Extras).
func stsExtras(iamSvc *iam.Service, az *authz.Authorizer) sts.Extras {
	return sts.Extras{Keys: stsAccessKeys{iamSvc}, Messages: az, Outbound: stsOutbound{iamSvc}, Delegations: stsDelegations{iamSvc}}
}

// stsAccessKeys is IAM's access keys as GetAccessKeyInfo reads them.
type stsAccessKeys struct{ iam *iam.Service }

func (k stsAccessKeys) AccessKeyAccount(ctx context.Context, id string) (string, bool, error) {
	key, err := k.iam.LookupAccessKey(ctx, id)
	if awserr.Code(err) == "NoSuchEntity" {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return key.Account, true, nil
}

// stsOutbound is IAM's outbound web identity federation as STS signs with
// it.
type stsOutbound struct{ iam *iam.Service }

func (o stsOutbound) OutboundSigner(ctx context.Context, account string) (*sts.OutboundSigner, error) {
	s, err := o.iam.OutboundSigner(ctx, account)
	if err != nil || s == nil {
		return nil, err
	}
	return &sts.OutboundSigner{Issuer: s.Issuer, RSA: s.RSA, EC: s.EC}, nil
}

// outboundIssuers is IAM's outbound issuers as OIDCHandler publishes
// them: enabled ones, with the keys GetWebIdentityToken signs with.
type outboundIssuers struct{ iam *iam.Service }

func (o outboundIssuers) OutboundIssuer(ctx context.Context, id string) (string, []byte, []string, bool, error) {
	s, err := o.iam.OutboundSignerByIssuer(ctx, id)
	if err != nil || s == nil {
		return "", nil, nil, false, err
	}
	jwks, err := (&sts.OutboundSigner{Issuer: s.Issuer, RSA: s.RSA, EC: s.EC}).JWKS()
	return s.Issuer, jwks, []string{sts.AlgRS256, sts.AlgES384}, err == nil, err
}

// OIDCHandler publishes rolecall's OpenID Connect issuer and the
// accounts' outbound web identity issuers (serve --oidc-addr; Options
// OIDCURL is where).
func (a *App) OIDCHandler() http.Handler {
	return oidc.Handler{Issuer: a.Issuer, Outbound: outboundIssuers{a.IAM}}
}

// stsDelegations is IAM's delegation requests as STS redeems their
// exchange tokens.
type stsDelegations struct{ iam *iam.Service }

func (d stsDelegations) RedeemDelegationToken(ctx context.Context, account, token string) (*sts.DelegatedSession, bool, error) {
	s, expired, err := d.iam.RedeemDelegationToken(ctx, account, token)
	if err != nil || s == nil {
		return nil, expired, err
	}
	return &sts.DelegatedSession{Approver: s.Approver, PermissionPolicy: s.PermissionPolicy, Expiration: s.Expiration}, expired, nil
}
