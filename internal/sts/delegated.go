package sts

import (
	"context"
	"net/http"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
)

// DelegatedSession is what an exchange token of an accepted delegation
// request trades for: the identity that accepted it, as it was then, the
// request's permission policy, and when the delegated session ends.
type DelegatedSession struct {
	Approver         principal.Principal
	PermissionPolicy string
	Expiration       time.Time
}

// Delegations is what GetDelegatedAccessToken reads of IAM's delegation
// requests.
type Delegations interface {
	// RedeemDelegationToken is the session token stands for, for a
	// caller of account (the request's requestor); nil when IAM released
	// no such token to that account, expired when its session is over.
	RedeemDelegationToken(ctx context.Context, account, token string) (sess *DelegatedSession, expired bool, err error)
}

// DelegatedAccessToken is GetDelegatedAccessToken's answer.
type DelegatedAccessToken struct {
	Credentials      *Credentials
	PackedPolicySize *int32
	AssumedPrincipal string
}

// GetDelegatedAccessToken "Exchanges a trade-in token for temporary AWS
// credentials with the permissions associated with the assumed
// principal" (STS API reference): the identity that accepted the
// delegation request, limited to the request's permission policy (one
// more session policy, which the authorizer applies), until the session
// the customer released ends. The binding has checked
// sts:GetDelegatedAccessToken.
func (s *Service) GetDelegatedAccessToken(ctx context.Context, caller *principal.Principal, token string) (*DelegatedAccessToken, error) {
	if err := federatedRefused(caller, "sts:GetDelegatedAccessToken", "*"); err != nil {
		return nil, err
	}
	if s.extras.Delegations == nil {
		return nil, errExpiredTradeInToken()
	}
	sess, expired, err := s.extras.Delegations.RedeemDelegationToken(ctx, caller.Account, token)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if sess == nil || expired || !now.Before(sess.Expiration) {
		return nil, errExpiredTradeInToken()
	}
	packed, err := s.sessionPolicies(ctx, caller.Account, sess.PermissionPolicy, nil, nil, true)
	if err != nil {
		return nil, err
	}
	p := sess.Approver
	p.DelegatedPolicy, p.AssumedBy = sess.PermissionPolicy, caller.ARN
	creds, err := s.issue(ctx, p, sess.Expiration.Sub(now))
	if err != nil {
		return nil, err
	}
	return &DelegatedAccessToken{Credentials: creds, PackedPolicySize: packed, AssumedPrincipal: p.ARN}, nil
}

// errExpiredTradeInToken: the model's ExpiredTradeInTokenException (400),
// worded as the STS API reference describes it (unverified); also the
// answer for a token IAM never released, which can no more be exchanged.
func errExpiredTradeInToken() error {
	return awserr.New(http.StatusBadRequest, "ExpiredTradeInTokenException",
		"The trade-in token provided in the request has expired and can no longer be exchanged for credentials. Request a new token and retry the operation.")
}
