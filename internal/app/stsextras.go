package app

import (
	"context"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
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

// OutboundJWKS is the JSON Web Key Set of account's outbound web identity
// tokens; nil when the account has not enabled the feature.
func (a *App) OutboundJWKS(ctx context.Context, account string) ([]byte, error) {
	s, err := stsOutbound{a.IAM}.OutboundSigner(ctx, account)
	if err != nil || s == nil {
		return nil, err
	}
	return s.JWKS()
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
