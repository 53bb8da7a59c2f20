package iam

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
)

// Console passwords are never kept: IAM keeps a key derived from each with
// PBKDF2-HMAC-SHA256 (crypto/pbkdf2, a slow key derivation function made
// for passwords), a random salt per key, and the iteration count the key
// was made with, so that a state file written with one count is read with
// another. The figure is OWASP's for this function
// (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html).
// Tests, whose passwords protect nothing, may ask for fewer (Config).
const DefaultPasswordIterations = 600_000

const (
	passwordSaltLen = 16
	passwordKeyLen  = 32
)

// passwordKey is a password as IAM keeps it.
type passwordKey struct {
	Iterations int
	Salt, Key  []byte
}

// deriveKey is PBKDF2-HMAC-SHA256 of password.
func deriveKey(password string, salt []byte, iterations int) ([]byte, error) {
	k, err := pbkdf2.Key(sha256.New, password, salt, iterations, passwordKeyLen)
	if err != nil {
		return nil, fmt.Errorf("iam: deriving a password key: %w", err)
	}
	return k, nil
}

func newSalt() []byte {
	b := make([]byte, passwordSaltLen)
	rand.Read(b) // never fails (crypto/rand)
	return b
}

// newPasswordKey derives a key for password under a fresh salt.
func (s *Service) newPasswordKey(password string) (passwordKey, error) {
	salt := newSalt()
	k, err := deriveKey(password, salt, s.passwordIterations)
	return passwordKey{Iterations: s.passwordIterations, Salt: salt, Key: k}, err
}

// matches reports, in time that does not depend on where the two keys
// differ, whether password is the one k was derived from.
func (k *passwordKey) matches(password string) (bool, error) {
	if k.Iterations <= 0 || len(k.Key) == 0 {
		return false, nil
	}
	got, err := deriveKey(password, k.Salt, k.Iterations)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, k.Key) == 1, nil
}

// spendPasswordCheck does the work of checking a password against a key
// that does not exist, so that a sign-in for a user without a password
// takes as long as one with a wrong password.
func (s *Service) spendPasswordCheck(password string) {
	_, _ = deriveKey(password, make([]byte, passwordSaltLen), s.passwordIterations)
}

// passwordHistory keeps the keys of a user's recent passwords (the current
// one first) for the account policy's PasswordReusePrevention. They are
// all derived under one salt of the profile's, so that a new password is
// compared with the whole history at the cost of one derivation.
type passwordHistory struct {
	Iterations int
	Salt       []byte
	Keys       [][]byte // newest first, at most maxPasswordReusePrevention
}

// key derives password's key in h.
func (h *passwordHistory) key(password string) ([]byte, error) {
	return deriveKey(password, h.Salt, h.Iterations)
}

// reused reports whether hk (from key) is one of the last n passwords.
func (h *passwordHistory) reused(hk []byte, n int) bool {
	hit := 0
	for i, k := range h.Keys {
		if i >= n {
			break
		}
		hit |= subtle.ConstantTimeCompare(hk, k)
	}
	return hit == 1
}

// push records hk as the newest password.
func (h *passwordHistory) push(hk []byte) {
	h.Keys = append([][]byte{hk}, h.Keys...)
	if len(h.Keys) > maxPasswordReusePrevention {
		h.Keys = h.Keys[:maxPasswordReusePrevention]
	}
}
