package iam

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// Login profiles: an IAM user's password for the console ("Managing
// passwords for IAM users",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html).
// IAM never returns or logs a password; it keeps a key derived from it
// (passwords.go).

// bucketLoginProfiles holds login profiles keyed ACCOUNT/USERID: a profile
// follows its user through renames, and a user deleted and created again
// under its name has none.
const bucketLoginProfiles = "iam-login-profiles"

// LoginProfile is a user's console sign-in, without its password.
type LoginProfile struct {
	UserName              string
	CreateDate            time.Time
	PasswordResetRequired bool
}

// loginProfileRecord is a login profile as kept.
type loginProfileRecord struct {
	UserId                string
	CreateDate            time.Time
	PasswordResetRequired bool `json:",omitempty"`
	Password              passwordKey
	PasswordSet           time.Time // when the password was set: its age for MaxPasswordAge
	History               passwordHistory
	// Revision counts writes: a password change derived outside the
	// transaction commits only over the profile it read.
	Revision int
}

func loginProfileKey(account, userID string) string { return account + "/" + userID }

func loadLoginProfile(tx store.Tx, account string, u *userRecord) (*loginProfileRecord, error) {
	var p loginProfileRecord
	ok, err := getJSON(tx, bucketLoginProfiles, loginProfileKey(account, u.UserId), &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchLoginProfile(u.UserName)
	}
	return &p, nil
}

func hasLoginProfile(tx store.Tx, account string, u *userRecord) bool {
	_, ok := tx.Get(bucketLoginProfiles, loginProfileKey(account, u.UserId))
	return ok
}

func saveLoginProfile(tx store.Tx, account string, p *loginProfileRecord) error {
	p.Revision++
	return putJSON(tx, bucketLoginProfiles, loginProfileKey(account, p.UserId), p)
}

// userLogin is a user, its login profile and the rules its passwords
// must meet, read together.
type userLogin struct {
	user    *userRecord
	profile *loginProfileRecord
	rules   passwordRules
}

// loadUserLogin reads userName's login; NoSuchEntity for a user without
// one.
func loadUserLogin(tx store.Tx, account, userName string) (*userLogin, error) {
	u, err := loadUser(tx, account, userName)
	if err != nil {
		return nil, err
	}
	p, err := loadLoginProfile(tx, account, u)
	if err != nil {
		return nil, err
	}
	a, err := loadAccount(tx, account)
	if err != nil {
		return nil, err
	}
	return &userLogin{user: u, profile: p, rules: rulesOf(account, a)}, nil
}

func (p *loginProfileRecord) profile(u *userRecord) *LoginProfile {
	return &LoginProfile{UserName: u.UserName, CreateDate: p.CreateDate, PasswordResetRequired: p.PasswordResetRequired}
}

// CreateLoginProfile gives a user a console password, which must meet the
// account's password policy.
func (s *Service) CreateLoginProfile(ctx context.Context, account, userName, password string, resetRequired bool) (*LoginProfile, error) {
	// The answers that need no derivation come first.
	err := s.view(ctx, account, func(tx store.Tx) error {
		_, err := mayCreateLoginProfile(tx, account, userName, password)
		return err
	})
	if err != nil {
		return nil, err
	}
	key, err := s.newPasswordKey(password)
	if err != nil {
		return nil, err
	}
	hist := passwordHistory{Iterations: s.passwordIterations, Salt: newSalt()}
	hk, err := hist.key(password)
	if err != nil {
		return nil, err
	}
	hist.push(hk)
	now := s.now()
	var out *LoginProfile
	err = s.update(ctx, account, func(tx store.Tx) error {
		u, err := mayCreateLoginProfile(tx, account, userName, password)
		if err != nil {
			return err
		}
		p := &loginProfileRecord{UserId: u.UserId, CreateDate: now, PasswordResetRequired: resetRequired,
			Password: key, PasswordSet: now, History: hist}
		out = p.profile(u)
		return saveLoginProfile(tx, account, p)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mayCreateLoginProfile is the user that may be given password: one that
// has none yet, with a password the account's policy accepts.
func mayCreateLoginProfile(tx store.Tx, account, userName, password string) (*userRecord, error) {
	u, err := loadUser(tx, account, userName)
	if err != nil {
		return nil, err
	}
	if hasLoginProfile(tx, account, u) {
		return nil, errLoginProfileExists(u.UserName)
	}
	a, err := loadAccount(tx, account)
	if err != nil {
		return nil, err
	}
	return u, rulesOf(account, a).check(password)
}

// GetLoginProfile returns a user's login profile.
func (s *Service) GetLoginProfile(ctx context.Context, account, userName string) (*LoginProfile, error) {
	var out *LoginProfile
	err := s.view(ctx, account, func(tx store.Tx) error {
		l, err := loadUserLogin(tx, account, userName)
		if err != nil {
			return err
		}
		out = l.profile.profile(l.user)
		return nil
	})
	return out, err
}

// DeleteLoginProfile removes a user's console password (and its history).
func (s *Service) DeleteLoginProfile(ctx context.Context, account, userName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		l, err := loadUserLogin(tx, account, userName)
		if err != nil {
			return err
		}
		return tx.Delete(bucketLoginProfiles, loginProfileKey(account, l.user.UserId))
	})
}

// UpdateLoginProfile sets a user's password (an administrator's reset:
// the old one is not asked for) and whether the user must choose a new one
// at sign-in; nil and "" leave either as it is.
func (s *Service) UpdateLoginProfile(ctx context.Context, account, userName, password string, resetRequired *bool) error {
	if password == "" {
		return s.update(ctx, account, func(tx store.Tx) error {
			l, err := loadUserLogin(tx, account, userName)
			if err != nil || resetRequired == nil {
				return err
			}
			l.profile.PasswordResetRequired = *resetRequired
			return saveLoginProfile(tx, account, l.profile)
		})
	}
	return s.setPassword(ctx, account, userName, password, func(p *loginProfileRecord) {
		if resetRequired != nil {
			p.PasswordResetRequired = *resetRequired
		}
	}, nil)
}

// ChangePassword is the calling IAM user (principalArn) changing its own
// password: oldPassword must be the current one, newPassword must meet
// the account policy. Root and role sessions have no IAM password to
// change (InvalidUserType). A password expired under HardExpiry may still
// be changed here: "IAM users with iam:ChangePassword permission and
// active access keys can reset their own expired console password using
// the CLI or API" (PasswordPolicy, IAM API reference).
func (s *Service) ChangePassword(ctx context.Context, account, principalArn, oldPassword, newPassword string) error {
	c := CallerOf(principalArn)
	if c.UserName == "" {
		return errChangePasswordNotUser
	}
	return s.setPassword(ctx, account, c.UserName, newPassword, func(p *loginProfileRecord) {
		p.PasswordResetRequired = false
	}, func(p *loginProfileRecord) error {
		ok, err := p.Password.matches(oldPassword)
		if err == nil && !ok {
			err = errOldPasswordIncorrect
		}
		return err
	})
}

// passwordChangeAttempts bounds how often setPassword derives again after
// meeting a concurrent change to the same profile.
const passwordChangeAttempts = 3

// setPassword replaces a login profile's password. The keys are derived
// outside any transaction (a derivation takes long, and holding the state
// that long would stall every writer); the write then commits only over
// the profile the derivation read, and starts again otherwise. verify, if
// given, checks the profile as read first (ChangePassword's old password);
// change adjusts the rest of the profile.
func (s *Service) setPassword(ctx context.Context, account, userName, password string,
	change func(*loginProfileRecord), verify func(*loginProfileRecord) error) error {
	for range passwordChangeAttempts {
		var l *userLogin
		err := s.view(ctx, account, func(tx store.Tx) (err error) {
			l, err = loadUserLogin(tx, account, userName)
			return err
		})
		if err != nil {
			return err
		}
		read, rules := l.profile, l.rules
		if verify != nil {
			if err := verify(read); err != nil {
				return err
			}
		}
		if err := rules.check(password); err != nil {
			return err
		}
		hk, err := read.History.key(password)
		if err != nil {
			return err
		}
		if read.History.reused(hk, rules.reusePrevention()) {
			return errPasswordPolicy
		}
		key, err := s.newPasswordKey(password)
		if err != nil {
			return err
		}
		now := s.now()
		stale := false
		err = s.update(ctx, account, func(tx store.Tx) error {
			stale = false
			cur, err := loadUserLogin(tx, account, userName)
			if err != nil {
				return err
			}
			p, rules := cur.profile, cur.rules // the policy may have changed since it was read
			if p.UserId != read.UserId || p.Revision != read.Revision {
				stale = true
				return nil
			}
			if err := rules.check(password); err != nil {
				return err
			}
			if p.History.reused(hk, rules.reusePrevention()) {
				return errPasswordPolicy
			}
			p.Password, p.PasswordSet = key, now
			p.History.push(hk)
			change(p)
			return saveLoginProfile(tx, account, p)
		})
		if err != nil || !stale {
			return err
		}
	}
	return errLoginProfileBusy(userName)
}
