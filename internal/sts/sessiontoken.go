package sts

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/principal"
)

// GetSessionToken durations (STS API reference, GetSessionToken): users
// 900 to 129,600 seconds, 43,200 by default; the root user at most 3,600,
// also by default ("If the duration is longer than one hour, the session
// for AWS account owners defaults to one hour"). The model bounds the
// request itself.
const (
	DefaultUserSessionTokenDuration = 12 * time.Hour
	MaxRootSessionTokenDuration     = time.Hour
)

// GetSessionTokenInput is GetSessionToken's request; field names are the
// model's.
type GetSessionTokenInput struct {
	DurationSeconds         *int32
	SerialNumber, TokenCode string
}

// GetSessionToken gives a user, or root, temporary credentials that act as
// themselves, marked as MFA-authenticated when the request passes a code
// of the user's MFA device (mfa.go). Session credentials cannot ask for
// more.
func (s *Service) GetSessionToken(ctx context.Context, caller *principal.Principal, in GetSessionTokenInput) (*Credentials, error) {
	if caller.Temporary || (caller.Kind != principal.User && caller.Kind != principal.Root) {
		return nil, errSessionCredentials()
	}
	d := DefaultUserSessionTokenDuration
	if in.DurationSeconds != nil {
		d = time.Duration(*in.DurationSeconds) * time.Second
	}
	if caller.Kind == principal.Root && d > MaxRootSessionTokenDuration {
		d = MaxRootSessionTokenDuration
	}
	mfaAt, err := s.mfaAuth(ctx, caller, in.SerialNumber, in.TokenCode)
	if err != nil {
		return nil, err
	}
	p := principal.Principal{Kind: caller.Kind, Account: caller.Account, ARN: caller.ARN, UserID: caller.UserID, Name: caller.Name, MFAAuthTime: mfaAt}
	return s.issue(ctx, p, d)
}
