package iam

import (
	"context"
	"errors"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/store"
)

// Console sign-in as an IAM user: the account (by ID or alias), the user
// name and the password, as AWS's sign-in page asks for them ("Sign in to
// the AWS Management Console as an IAM user",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/console.html).

// ErrSignInFailed is CheckPassword's one answer to a sign-in that does not
// pass, whatever the reason: no such user, no password, a wrong one. The
// console shows one failure for all, so that a sign-in page does not tell
// which user names exist.
var ErrSignInFailed = errors.New("iam: sign-in failed")

// SignIn is a sign-in whose password matched.
type SignIn struct {
	Account, UserName, UserId, Arn string // the user as stored
	// PasswordResetRequired: an administrator asked the user to choose a
	// new password at sign-in (CreateLoginProfile or UpdateLoginProfile
	// with PasswordResetRequired). The console must have it changed
	// (ChangePassword) before the user does anything else.
	PasswordResetRequired bool
	// PasswordExpired: the password is older than the account policy's
	// MaxPasswordAge. The user must set a new one before using the
	// console, or, with HardExpiry, may not sign in until an
	// administrator resets it ("Set an account password policy for IAM
	// users", custom password policy options).
	PasswordExpired, HardExpiry bool
}

// CheckPassword answers whether userName of account may sign in with
// password. Any failure is ErrSignInFailed (other errors are rolecall's
// own: a closed store, a cancelled ctx), and takes the same time whether
// or not the user or its login profile exists. A success is recorded as
// the user's PasswordLastUsed. The console authorizes nothing here: what
// the user then does is decided on its own policies, with its principal.
func (s *Service) CheckPassword(ctx context.Context, account, userName, password string) (*SignIn, error) {
	if !arn.IsAccountID(account) {
		s.spendPasswordCheck(password)
		return nil, ErrSignInFailed
	}
	var l *userLogin
	err := s.view(ctx, account, func(tx store.Tx) (err error) {
		l, err = loadUserLogin(tx, account, userName)
		return err
	})
	if err != nil && !isNoSuchEntity(err) {
		return nil, err
	}
	if err != nil {
		s.spendPasswordCheck(password)
		return nil, ErrSignInFailed
	}
	u, p := l.user, l.profile
	ok, err := p.Password.matches(password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrSignInFailed
	}
	now := s.now()
	err = s.update(ctx, account, func(tx store.Tx) error {
		cur, err := loadUser(tx, account, userName)
		if err != nil || cur.UserId != u.UserId {
			return err // deleted since: the sign-in stands, unrecorded
		}
		cur.PasswordLastUsed = &now
		return saveUser(tx, account, cur)
	})
	if err != nil && !isNoSuchEntity(err) {
		return nil, err
	}
	out := &SignIn{Account: account, UserName: u.UserName, UserId: u.UserId, Arn: iamArn(account, "user", u.Path, u.UserName),
		PasswordResetRequired: p.PasswordResetRequired}
	if age := l.rules.maxAge(); age > 0 && !now.Before(p.PasswordSet.Add(age)) {
		out.PasswordExpired, out.HardExpiry = true, l.rules.hardExpiry()
	}
	return out, nil
}
