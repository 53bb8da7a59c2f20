package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// A state file (rolecall state export/import) carries a login profile with
// its password as IAM keeps it: the derived key, never the password, in the
// PHC string format ($pbkdf2-sha256$i=ITERATIONS$SALT$KEY, unpadded
// base64; https://github.com/P-H-C/phc-string-format), so that an import
// signs in with the same password and a file holds nothing a key
// derivation did not protect.

// LoginProfileState is a user's login profile as a state file carries it.
type LoginProfileState struct {
	UserName              string
	CreateDate            time.Time
	PasswordResetRequired bool
	// PasswordLastChanged is when the password was set: MaxPasswordAge
	// counts from it.
	PasswordLastChanged time.Time
	// Password is the password's key; PasswordHistory the keys of the
	// recent passwords, newest (the current one) first, which
	// PasswordReusePrevention compares a new password with.
	Password        string
	PasswordHistory []string
}

const phcPBKDF2 = "$pbkdf2-sha256$i="

func phcString(iterations int, salt, key []byte) string {
	return phcPBKDF2 + strconv.Itoa(iterations) + "$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)
}

// maxImportIterations bounds a file's iteration count: a key made with
// more would make every sign-in a denial of service.
const maxImportIterations = 10_000_000

func parsePHC(s string) (iterations int, salt, key []byte, err error) {
	bad := errors.New(`not a PBKDF2-HMAC-SHA256 key in the PHC string format ("$pbkdf2-sha256$i=ITERATIONS$SALT$KEY", unpadded base64)`)
	rest, ok := strings.CutPrefix(s, phcPBKDF2)
	if !ok {
		return 0, nil, nil, bad
	}
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return 0, nil, nil, bad
	}
	iterations, err = strconv.Atoi(parts[0])
	if err != nil || iterations < 1 || iterations > maxImportIterations {
		return 0, nil, nil, fmt.Errorf("%w: %d iterations (1 to %d)", bad, iterations, maxImportIterations)
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[1])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > 64 || len(key) != passwordKeyLen {
		return 0, nil, nil, fmt.Errorf("%w: a salt of 8 to 64 bytes and a key of %d", bad, passwordKeyLen)
	}
	return iterations, salt, key, nil
}

// LoginProfileStateOf is userName's login profile with its keys; nil for
// a user without one.
func (s *Service) LoginProfileStateOf(ctx context.Context, account, userName string) (*LoginProfileState, error) {
	var out *LoginProfileState
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		var p loginProfileRecord
		ok, err := getJSON(tx, bucketLoginProfiles, loginProfileKey(account, u.UserId), &p)
		if err != nil || !ok {
			return err
		}
		out = &LoginProfileState{UserName: u.UserName, CreateDate: p.CreateDate, PasswordResetRequired: p.PasswordResetRequired,
			PasswordLastChanged: p.PasswordSet, Password: phcString(p.Password.Iterations, p.Password.Salt, p.Password.Key)}
		for _, k := range p.History.Keys {
			out.PasswordHistory = append(out.PasswordHistory, phcString(p.History.Iterations, p.History.Salt, k))
		}
		return nil
	})
	return out, err
}

// ImportLoginProfile gives a user the login profile of a state file. The
// account's password policy is not applied: the password was set under
// the policy of its time, as AWS keeps passwords set before a policy
// changes.
func (s *Service) ImportLoginProfile(ctx context.Context, account string, in LoginProfileState) error {
	it, salt, key, err := parsePHC(in.Password)
	if err != nil {
		return fmt.Errorf("Password: %w", err)
	}
	rec := loginProfileRecord{CreateDate: in.CreateDate, PasswordResetRequired: in.PasswordResetRequired,
		Password: passwordKey{Iterations: it, Salt: salt, Key: key}, PasswordSet: in.PasswordLastChanged}
	if len(in.PasswordHistory) > maxPasswordReusePrevention {
		return fmt.Errorf("PasswordHistory: %d keys, and IAM remembers %d passwords at most", len(in.PasswordHistory), maxPasswordReusePrevention)
	}
	for i, h := range in.PasswordHistory {
		it, salt, key, err := parsePHC(h)
		if err != nil {
			return fmt.Errorf("PasswordHistory[%d]: %w", i, err)
		}
		if i > 0 && (it != rec.History.Iterations || string(salt) != string(rec.History.Salt)) {
			return fmt.Errorf("PasswordHistory[%d]: the keys of a history share one salt and iteration count", i)
		}
		rec.History.Iterations, rec.History.Salt = it, salt
		rec.History.Keys = append(rec.History.Keys, key)
	}
	if len(rec.History.Keys) == 0 {
		// No history: passwords set from now on are remembered.
		rec.History = passwordHistory{Iterations: s.passwordIterations, Salt: newSalt()}
	}
	now := s.now()
	if rec.CreateDate.IsZero() {
		rec.CreateDate = now
	}
	if rec.PasswordSet.IsZero() {
		rec.PasswordSet = rec.CreateDate
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, in.UserName)
		if err != nil {
			return err
		}
		if hasLoginProfile(tx, account, u) {
			return errLoginProfileExists(u.UserName)
		}
		rec.UserId = u.UserId
		return saveLoginProfile(tx, account, &rec)
	})
}
