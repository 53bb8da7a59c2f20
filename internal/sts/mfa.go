package sts

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
)

// MFA-protected API access ("Configuring MFA-protected API access",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html):
// GetSessionToken and AssumeRole take the serial number of the caller's
// MFA device and the code it shows. A code IAM accepts marks the
// credentials issued (and the AssumeRole request itself, which the role's
// trust policy is evaluated for) with the time of the check, which the
// authorizer turns into aws:MultiFactorAuthPresent and
// aws:MultiFactorAuthAge. A role session assumed with credentials so
// marked keeps the mark without a code of its own.

// MFA checks the codes of IAM users' MFA devices (internal/iam, wired by
// internal/app).
type MFA interface {
	// CheckMFACode checks code against the device serial of the IAM user
	// userName of account, and spends it if it is accepted: associated is
	// false when no such device is enabled for the user.
	CheckMFACode(ctx context.Context, account, userName, serial, code string) (associated, accepted bool, err error)
}

// AWS's answers (AccessDenied, 403): errMFANotAssociated for a serial
// number that is not the caller's device ("MultiFactorAuthentication
// failed, unable to validate MFA code.  Please verify your MFA serial
// number is valid and associated with this user.", two spaces: aws/aws-cli
// #6325 GetSessionToken, 99designs/aws-vault #676 AssumeRole, status 403);
// errMFAInvalidCode for a wrong, old or spent code ("MultiFactorAuthentication
// failed with invalid MFA one time pass code.": lonelyplanet/aws-mfa #21,
// GetSessionToken).

func errMFANotAssociated() error {
	return awserr.AccessDenied("MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.")
}

func errMFAInvalidCode() error {
	return awserr.AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code.")
}

// errMFAIncomplete answers a serial number without a code, or a code
// without one: "MultiFactorAuthentication failed, must provide both MFA
// serial number and one time pass code." (Aws::STS::Errors::AccessDenied
// in y13i/sgviz #9, AssumeRole, and dtan4/terraforming #424).
func errMFAIncomplete() error {
	return awserr.AccessDenied("MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.")
}

// mfaAuth checks the MFA code a request passes for caller: the time of
// the check when it is accepted, zero when the request passes none.
func (s *Service) mfaAuth(ctx context.Context, caller *principal.Principal, serial, code string) (time.Time, error) {
	if serial == "" && code == "" {
		return time.Time{}, nil
	}
	if serial == "" || code == "" {
		return time.Time{}, errMFAIncomplete()
	}
	// Only IAM users have devices here: the root user's are the
	// console's to assign, and a role has none.
	if caller.Kind != principal.User || s.mfa == nil {
		return time.Time{}, errMFANotAssociated()
	}
	associated, accepted, err := s.mfa.CheckMFACode(ctx, caller.Account, caller.Name, serial, code)
	switch {
	case err != nil:
		return time.Time{}, err
	case !associated:
		return time.Time{}, errMFANotAssociated()
	case !accepted:
		return time.Time{}, errMFAInvalidCode()
	}
	return s.now(), nil
}
