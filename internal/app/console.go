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
	return &console.PasswordSignIn{
		Principal:  &principal.Principal{Kind: principal.User, Account: in.Account, ARN: in.Arn, UserID: in.UserId, Name: in.UserName},
		MustChange: in.PasswordResetRequired || in.PasswordExpired,
	}, nil
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
