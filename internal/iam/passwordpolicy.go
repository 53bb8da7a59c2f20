package iam

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// The account password policy ("Set an account password policy for IAM
// users", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html).
// An account has at most one, kept in its account record; without one,
// GetAccountPasswordPolicy answers NoSuchEntity and new passwords must meet
// AWS's default policy instead.

// The ranges of the custom policy's settings (the same page; the IAM
// model's minimumPasswordLengthType, maxPasswordAgeType and
// passwordReusePreventionType).
const (
	minMinimumPasswordLength   = 6
	maxMinimumPasswordLength   = 128
	maxMaxPasswordAge          = 1095
	maxPasswordReusePrevention = 24

	// AWS's default policy: "Minimum password length of 8 characters and
	// a maximum length of 128 characters; Minimum of three of the
	// following mix of character types: uppercase, lowercase, numbers, and
	// ! @ # $ % ^ & * ( ) _ + - = [ ] { } | ' symbols; Not be identical to
	// your AWS account name or email address" (the page above, "Default
	// password policy").
	defaultMinimumPasswordLength = 8
	defaultCharacterTypes        = 3
	maxPasswordLength            = 128
)

// passwordSymbols are the non-alphanumeric characters the policy counts
// (RequireSymbols: "at least one of the following non-alphanumeric
// characters: ! @ # $ % ^ & * ( ) _ + - = [ ] { } | '").
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

// PasswordPolicy is the account password policy as GetAccountPasswordPolicy
// answers it: MaxPasswordAge, PasswordReusePrevention and HardExpiry only
// when they are set.
type PasswordPolicy struct {
	MinimumPasswordLength      int32
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	ExpirePasswords            bool
	MaxPasswordAge             *int32
	PasswordReusePrevention    *int32
	HardExpiry                 *bool
}

// UpdatePasswordPolicyInput is UpdateAccountPasswordPolicy's request. As in
// AWS, a setting left out takes its default (the API reference: "If you do
// not specify a value for this parameter, then the operation uses the
// default value"): MinimumPasswordLength 6, the rest false or never.
type UpdatePasswordPolicyInput struct {
	MinimumPasswordLength      *int32
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	MaxPasswordAge             *int32
	PasswordReusePrevention    *int32
	HardExpiry                 *bool
}

// passwordPolicyRecord is the account's custom policy as kept.
type passwordPolicyRecord struct {
	MinimumPasswordLength      int32
	RequireSymbols             bool  `json:",omitempty"`
	RequireNumbers             bool  `json:",omitempty"`
	RequireUppercaseCharacters bool  `json:",omitempty"`
	RequireLowercaseCharacters bool  `json:",omitempty"`
	AllowUsersToChangePassword bool  `json:",omitempty"`
	MaxPasswordAge             int32 `json:",omitempty"` // days; 0: passwords do not expire
	PasswordReusePrevention    int32 `json:",omitempty"`
	HardExpiry                 *bool `json:",omitempty"` // as given; nil when left out
}

func (p *passwordPolicyRecord) policy() *PasswordPolicy {
	out := &PasswordPolicy{
		MinimumPasswordLength:      p.MinimumPasswordLength,
		RequireSymbols:             p.RequireSymbols,
		RequireNumbers:             p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercaseCharacters,
		RequireLowercaseCharacters: p.RequireLowercaseCharacters,
		AllowUsersToChangePassword: p.AllowUsersToChangePassword,
		ExpirePasswords:            p.MaxPasswordAge > 0,
	}
	if p.MaxPasswordAge > 0 {
		v := p.MaxPasswordAge
		out.MaxPasswordAge = &v
	}
	if p.PasswordReusePrevention > 0 {
		v := p.PasswordReusePrevention
		out.PasswordReusePrevention = &v
	}
	if p.HardExpiry != nil {
		v := *p.HardExpiry
		out.HardExpiry = &v
	}
	return out
}

// loadAccount reads the account's record; a zero record when rolecall has
// not written to the account yet.
func loadAccount(tx store.Tx, account string) (*accountRecord, error) {
	var a accountRecord
	_, err := getJSON(tx, bucketAccounts, account, &a)
	return &a, err
}

// modifyAccount changes the account's record.
func modifyAccount(tx store.Tx, account string, fn func(*accountRecord) error) error {
	a, err := loadAccount(tx, account)
	if err != nil {
		return err
	}
	if err := fn(a); err != nil {
		return err
	}
	return putJSON(tx, bucketAccounts, account, a)
}

// GetAccountPasswordPolicy returns the account's custom password policy.
func (s *Service) GetAccountPasswordPolicy(ctx context.Context, account string) (*PasswordPolicy, error) {
	var out *PasswordPolicy
	err := s.view(ctx, account, func(tx store.Tx) error {
		a, err := loadAccount(tx, account)
		if err != nil {
			return err
		}
		if a.PasswordPolicy == nil {
			return errNoPasswordPolicy(account)
		}
		out = a.PasswordPolicy.policy()
		return nil
	})
	return out, err
}

// UpdateAccountPasswordPolicy sets the account's custom password policy,
// replacing the one it has. New passwords are held to it from now on;
// passwords already set are not, but MaxPasswordAge counts their age at
// once (the page above, "Rules for setting a password policy").
func (s *Service) UpdateAccountPasswordPolicy(ctx context.Context, account string, in UpdatePasswordPolicyInput) error {
	rec := passwordPolicyRecord{
		MinimumPasswordLength:      minMinimumPasswordLength,
		RequireSymbols:             in.RequireSymbols,
		RequireNumbers:             in.RequireNumbers,
		RequireUppercaseCharacters: in.RequireUppercaseCharacters,
		RequireLowercaseCharacters: in.RequireLowercaseCharacters,
		AllowUsersToChangePassword: in.AllowUsersToChangePassword,
		HardExpiry:                 in.HardExpiry,
	}
	if v := in.MinimumPasswordLength; v != nil {
		if err := checkRange("minimumPasswordLength", *v, minMinimumPasswordLength, maxMinimumPasswordLength); err != nil {
			return err
		}
		rec.MinimumPasswordLength = *v
	}
	if v := in.MaxPasswordAge; v != nil {
		if err := checkRange("maxPasswordAge", *v, 1, maxMaxPasswordAge); err != nil {
			return err
		}
		rec.MaxPasswordAge = *v
	}
	if v := in.PasswordReusePrevention; v != nil {
		if err := checkRange("passwordReusePrevention", *v, 1, maxPasswordReusePrevention); err != nil {
			return err
		}
		rec.PasswordReusePrevention = *v
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		return modifyAccount(tx, account, func(a *accountRecord) error {
			p := rec
			a.PasswordPolicy = &p
			return nil
		})
	})
}

// DeleteAccountPasswordPolicy removes the account's custom password
// policy: AWS's default applies again.
func (s *Service) DeleteAccountPasswordPolicy(ctx context.Context, account string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		return modifyAccount(tx, account, func(a *accountRecord) error {
			if a.PasswordPolicy == nil {
				return errNoPasswordPolicyToDelete
			}
			a.PasswordPolicy = nil
			return nil
		})
	})
}

func checkRange(member string, v int32, lo, hi int) error {
	switch {
	case int(v) < lo:
		return errValidationNoValue(member, "Member must have value greater than or equal to "+strconv.Itoa(lo))
	case int(v) > hi:
		return errValidationNoValue(member, "Member must have value less than or equal to "+strconv.Itoa(hi))
	}
	return nil
}

// passwordRules are what a new password must meet in an account: its
// custom policy, or AWS's default.
type passwordRules struct {
	custom *passwordPolicyRecord // nil: AWS's default
	// names are the account's names a password may not be under the
	// default policy ("Not be identical to your AWS account name or email
	// address"): rolecall's accounts have no name or email, so their ID
	// and alias stand in.
	names []string
}

func rulesOf(account string, a *accountRecord) passwordRules {
	r := passwordRules{custom: a.PasswordPolicy, names: []string{account}}
	if a.Alias != "" {
		r.names = append(r.names, a.Alias)
	}
	return r
}

// reusePrevention is how many previous passwords a new one may not repeat.
func (r passwordRules) reusePrevention() int {
	if r.custom == nil {
		return 0
	}
	return int(r.custom.PasswordReusePrevention)
}

// maxAge is how long a password lasts; zero for ever.
func (r passwordRules) maxAge() time.Duration {
	if r.custom == nil {
		return 0
	}
	return time.Duration(r.custom.MaxPasswordAge) * 24 * time.Hour
}

// hardExpiry: an expired password cannot be replaced at sign-in.
func (r passwordRules) hardExpiry() bool {
	return r.custom != nil && r.custom.HardExpiry != nil && *r.custom.HardExpiry
}

// check tells whether password meets the rules' length and character
// requirements (reuse is the history's to tell). AWS's answer names no
// rule, whichever one fails.
func (r passwordRules) check(password string) error {
	n := len([]rune(password))
	var upper, lower, digit, symbol bool
	for _, c := range password {
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, c):
			symbol = true
		}
	}
	if p := r.custom; p != nil {
		if n < int(p.MinimumPasswordLength) || n > maxPasswordLength ||
			p.RequireUppercaseCharacters && !upper || p.RequireLowercaseCharacters && !lower ||
			p.RequireNumbers && !digit || p.RequireSymbols && !symbol {
			return errPasswordPolicy
		}
		return nil
	}
	types := 0
	for _, ok := range []bool{upper, lower, digit, symbol} {
		if ok {
			types++
		}
	}
	if n < defaultMinimumPasswordLength || n > maxPasswordLength || types < defaultCharacterTypes {
		return errPasswordPolicy
	}
	for _, name := range r.names {
		if password == name {
			return errPasswordPolicy
		}
	}
	return nil
}
