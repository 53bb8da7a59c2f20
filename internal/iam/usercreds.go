package iam

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// A user's other credentials: SSH public keys (sshkeys.go), X.509 signing
// certificates (signingcerts.go) and service-specific credentials
// (servicecreds.go). Each kind has its bucket, keyed ACCOUNT/USERID/ID: the
// credentials follow their user through renames (the name shown is the
// user's as it is now), a user deleted and created again under its name
// has none, and a user's credentials scan together.

const (
	bucketSSHKeys      = "iam-ssh-public-keys"
	bucketSigningCerts = "iam-signing-certificates"
	bucketServiceCreds = "iam-service-specific-credentials"
)

func userCredPrefix(account, userID string) string { return account + "/" + userID + "/" }

func userCredKey(account, userID, id string) string { return userCredPrefix(account, userID) + id }

// userCreds reads a user's credentials of one kind, oldest first (ties in
// id order), as AWS lists access keys: the order a credential report
// numbers them in (key 1, cert 1).
func userCreds[T any](tx store.Tx, bucket, account, userID string, created func(*T) (time.Time, string)) ([]*T, error) {
	var out []*T
	err := store.ScanJSON(tx, bucket, userCredPrefix(account, userID), func(_ string, v *T) bool {
		out = append(out, v)
		return true
	})
	slices.SortStableFunc(out, func(a, b *T) int {
		ta, ia := created(a)
		tb, ib := created(b)
		if c := ta.Compare(tb); c != 0 {
			return c
		}
		return cmp.Compare(ia, ib)
	})
	return out, err
}

// userCred loads a user and one of its credentials of a kind; one the
// user does not have is notFound(id).
func userCred[T any](tx store.Tx, bucket, account, userName, id string, notFound func(string) error) (*userRecord, string, *T, error) {
	u, err := loadUser(tx, account, userName)
	if err != nil {
		return nil, "", nil, err
	}
	key := userCredKey(account, u.UserId, id)
	v := new(T)
	ok, err := getJSON(tx, bucket, key, v)
	if err != nil {
		return nil, "", nil, err
	}
	if !ok {
		return nil, "", nil, notFound(id)
	}
	return u, key, v, nil
}

// changeUserCred changes one of a user's credentials of a kind.
func changeUserCred[T any](s *Service, ctx context.Context, bucket, account, userName, id string, notFound func(string) error, change func(*userRecord, *T)) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		u, key, v, err := userCred[T](tx, bucket, account, userName, id, notFound)
		if err != nil {
			return err
		}
		change(u, v)
		return putJSON(tx, bucket, key, v)
	})
}

// deleteUserCred deletes one of a user's credentials of a kind.
func (s *Service) deleteUserCred(ctx context.Context, bucket, account, userName, id string, notFound func(string) error) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		_, key, _, err := userCred[struct{}](tx, bucket, account, userName, id, notFound)
		if err != nil {
			return err
		}
		return tx.Delete(bucket, key)
	})
}

// listUserCreds pages a user's credentials of a kind, oldest first, each
// as show renders it.
func listUserCreds[T, Out any](s *Service, ctx context.Context, bucket, account, userName string, created func(*T) (time.Time, string),
	pg Page, show func(*T, *userRecord) Out) ([]Out, string, error) {
	var out []Out
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		creds, err := userCreds(tx, bucket, account, u.UserId, created)
		if err != nil {
			return err
		}
		all := make([]Out, len(creds))
		for i, c := range creds {
			all[i] = show(c, u)
		}
		out, next, err = pageSlice(all, pg)
		return err
	})
	return out, next, err
}

// hasUserCreds reports whether the user has any credential of the kind.
func hasUserCreds(tx store.Tx, bucket, account, userID string) bool {
	found := false
	_ = tx.Scan(bucket, userCredPrefix(account, userID), "", func(string, []byte) bool {
		found = true
		return false
	})
	return found
}

// credentialsConflict is DeleteUser's refusal of a user that still has
// signing certificates, SSH public keys or service-specific credentials.
func credentialsConflict(tx store.Tx, account string, u *userRecord) error {
	switch {
	case hasUserCreds(tx, bucketSigningCerts, account, u.UserId):
		return errDeleteConflictCertificates
	case hasUserCreds(tx, bucketSSHKeys, account, u.UserId), hasUserCreds(tx, bucketServiceCreds, account, u.UserId):
		return errDeleteConflictReferenced
	}
	return nil
}

// checkStatus: a credential can be made Active or Inactive; Expired, the
// model's third status, is only ever IAM's to set (as the codec checks
// the enum, this refuses Expired in the same words, recorded for
// UpdateServiceSpecificCredential).
func checkStatus(status string) error {
	if status != StatusActive && status != StatusInactive {
		return awserr.ValidationError("1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set")
	}
	return nil
}

// StatusExpired is the status of a service-specific credential past its
// expiration date.
const StatusExpired = "Expired"
