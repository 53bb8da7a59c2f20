package app

import (
	"context"
	"errors"
	"net/http"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/console"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/principal"
)

// newConsole builds the web console over the authenticator (access-key
// sign-in), IAM's login profiles (password sign-in) and the authorizer's
// decisions. It acts through the server's operation bindings, which the
// caller gives it (Console.SetAPI) once the server is built.
func newConsole(o Options, authn *auth.Authenticator, iamSvc *iam.Service, audit *authz.AuditLog) *console.Console {
	c := console.Config{Keys: authn, Passwords: consolePasswords{iamSvc}, Clock: o.Clock, Log: o.Log, Account: o.Account}
	if audit != nil {
		c.Decisions = audit
	}
	return console.New(c)
}

// consolePasswords is IAM's password check as the console's sign-in page
// uses it: the account by its ID or alias, the user, the password.
type consolePasswords struct{ iam *iam.Service }

// msgPasswordHardExpired answers a sign-in whose password has expired
// under a policy with HardExpiry: "The IAM user cannot access the console
// until an administrator resets the password" (UpdateAccountPasswordPolicy,
// IAM API Reference). The wording is rolecall's (AWS's page unverified).
const msgPasswordHardExpired = "Your password has expired, and this account's password policy lets only an administrator reset it."

func (p consolePasswords) PasswordSignIn(ctx context.Context, accountOrAlias, userName, password string) (*console.PasswordSignIn, error) {
	account, ok, err := p.iam.ResolveAccount(ctx, accountOrAlias)
	if err != nil {
		return nil, err
	}
	if !ok {
		account = "" // an unknown alias fails as a wrong password does, in as much time
	}
	in, err := p.iam.CheckPassword(ctx, account, userName, password)
	if errors.Is(err, iam.ErrSignInFailed) {
		return nil, auth.SignInFailed()
	}
	if err != nil {
		return nil, err
	}
	if in.PasswordExpired && in.HardExpiry {
		return nil, awserr.New(http.StatusForbidden, "PasswordExpired", msgPasswordHardExpired)
	}
	// A user with an MFA device enabled must type its code next: "When
	// enabled, the MFA device is required for every subsequent login by the
	// IAM user" (EnableMFADevice, IAM API Reference).
	devices, _, err := p.iam.ListMFADevices(ctx, in.Account, in.UserName, iam.Page{MaxItems: 1})
	if err != nil {
		return nil, err
	}
	return &console.PasswordSignIn{
		Principal:  &principal.Principal{Kind: principal.User, Account: in.Account, ARN: in.Arn, UserID: in.UserId, Name: in.UserName},
		MustChange: in.PasswordResetRequired || in.PasswordExpired,
		MFA:        len(devices) > 0,
	}, nil
}

// CheckMFACode checks a code typed on the sign-in page's second step
// against who's MFA devices with the check STS uses (a code is accepted
// once). A user with several devices may type any one's code: AWS's page
// asks which device first ("Using MFA devices with your IAM sign-in page",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/console_sign-in-mfa.html);
// rolecall's tries each.
func (p consolePasswords) CheckMFACode(ctx context.Context, who *principal.Principal, code string) error {
	devices, _, err := p.iam.ListMFADevices(ctx, who.Account, who.Name, iam.Page{})
	if awserr.Code(err) == "NoSuchEntity" { // the user deleted since the password: no word of it
		return auth.SignInFailed()
	}
	if err != nil {
		return err
	}
	for _, d := range devices {
		_, accepted, err := p.iam.CheckMFACode(ctx, who.Account, who.Name, d.SerialNumber, code)
		if err != nil {
			return err
		}
		if accepted {
			return nil
		}
	}
	return auth.SignInFailed()
}

// UserExists says whether p's user is still the one that signed in: IAM
// has a user of its name with its unique ID.
func (p consolePasswords) UserExists(ctx context.Context, who *principal.Principal) (bool, error) {
	u, err := p.iam.GetUser(ctx, who.Account, who.Name)
	if awserr.Code(err) == "NoSuchEntity" {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return u.UserId == who.UserID, nil
}
