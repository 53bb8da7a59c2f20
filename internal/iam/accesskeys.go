package iam

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// AccessKeyIdentity is what authentication needs to know about an access
// key: its secret, status, and the user and account it belongs to.
type AccessKeyIdentity struct {
	Account, AccessKeyId, SecretAccessKey, Status string
	UserName, UserId, Arn                         string
}

// accessKeyID makes an access key id: AKIA and 16 characters, 20 in all,
// as AWS's are (ids.Generator.ID gives 17 after the prefix; the first, the
// least varying, is dropped).
func (s *Service) accessKeyID() string {
	id := s.gen.ID("AKIA")
	return "AKIA" + id[5:]
}

// userKey loads a user's access key; a key of another user or account is
// not found.
func userKey(tx store.Tx, account string, u *userRecord, id string) (*accessKeyRecord, error) {
	var k accessKeyRecord
	ok, err := getJSON(tx, bucketAccessKeys, id, &k)
	if err != nil {
		return nil, err
	}
	if !ok || k.Account != account || !containsString(u.AccessKeys, id) {
		return nil, errNoSuchAccessKey(id)
	}
	return &k, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CreateAccessKey makes a new active access key for a user; a user has at
// most two.
func (s *Service) CreateAccessKey(ctx context.Context, account, userName string) (*AccessKey, error) {
	k := &accessKeyRecord{
		Account: account, AccessKeyId: s.accessKeyID(), SecretAccessKey: s.gen.Secret(40),
		Status: StatusActive, CreateDate: s.now(),
	}
	err := s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		if len(u.AccessKeys) >= QuotaAccessKeysPerUser {
			return errQuota("AccessKeysPerUser", QuotaAccessKeysPerUser)
		}
		u.AccessKeys = append(u.AccessKeys, k.AccessKeyId)
		k.UserName = u.UserName
		if err := putJSON(tx, bucketAccessKeys, k.AccessKeyId, k); err != nil {
			return err
		}
		return saveUser(tx, account, u)
	})
	if err != nil {
		return nil, err
	}
	return &AccessKey{UserName: k.UserName, AccessKeyId: k.AccessKeyId, Status: k.Status, SecretAccessKey: k.SecretAccessKey, CreateDate: k.CreateDate}, nil
}

// ListAccessKeys lists a user's access keys, without their secrets.
func (s *Service) ListAccessKeys(ctx context.Context, account, userName string, pg Page) ([]AccessKeyMetadata, string, error) {
	var out []AccessKeyMetadata
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		all := make([]AccessKeyMetadata, 0, len(u.AccessKeys))
		for _, id := range u.AccessKeys {
			k, err := userKey(tx, account, u, id)
			if err != nil {
				return err
			}
			all = append(all, k.metadata())
		}
		out, next, err = pageSlice(all, pg)
		return err
	})
	return out, next, err
}

// UpdateAccessKey makes a user's access key Active or Inactive.
func (s *Service) UpdateAccessKey(ctx context.Context, account, userName, accessKeyID, status string) error {
	if err := checkStatus(status); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		k, err := userKey(tx, account, u, accessKeyID)
		if err != nil {
			return err
		}
		k.Status = status
		return putJSON(tx, bucketAccessKeys, k.AccessKeyId, k)
	})
}

// DeleteAccessKey deletes a user's access key.
func (s *Service) DeleteAccessKey(ctx context.Context, account, userName, accessKeyID string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		if _, err := userKey(tx, account, u, accessKeyID); err != nil {
			return err
		}
		for i, id := range u.AccessKeys {
			if id == accessKeyID {
				u.AccessKeys = append(u.AccessKeys[:i:i], u.AccessKeys[i+1:]...)
				break
			}
		}
		if err := tx.Delete(bucketAccessKeys, accessKeyID); err != nil {
			return err
		}
		return saveUser(tx, account, u)
	})
}

// GetAccessKeyLastUsed returns the owner of an access key of this account
// and when it was last used. A key that is not the account's is refused as
// AWS refuses it: AccessDenied naming the caller (callerArn; the root
// user's when empty), not NoSuchEntity (recorded).
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, account, callerArn, accessKeyID string) (string, *AccessKeyLastUsed, error) {
	if callerArn == "" {
		callerArn = rootArn(account)
	}
	var userName string
	var out *AccessKeyLastUsed
	err := s.view(ctx, account, func(tx store.Tx) error {
		var k accessKeyRecord
		ok, err := getJSON(tx, bucketAccessKeys, accessKeyID, &k)
		if err != nil {
			return err
		}
		if !ok || k.Account != account {
			return awserr.AccessDenied("User: %s is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key %s", callerArn, accessKeyID)
		}
		userName = k.UserName
		out = &AccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
		if k.LastUsed != nil {
			d := k.LastUsed.Date
			out = &AccessKeyLastUsed{LastUsedDate: &d, ServiceName: k.LastUsed.Service, Region: k.LastUsed.Region}
		}
		return nil
	})
	return userName, out, err
}

// LookupAccessKey finds an access key in any account, for authentication:
// the secret to check a signature with and the user it makes the caller.
// An unknown key is NoSuchEntity; authentication answers it as AWS does
// (InvalidClientTokenId).
func (s *Service) LookupAccessKey(ctx context.Context, accessKeyID string) (*AccessKeyIdentity, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *AccessKeyIdentity
	err := s.st.View(func(tx store.Tx) error {
		var k accessKeyRecord
		ok, err := getJSON(tx, bucketAccessKeys, accessKeyID, &k)
		if err != nil {
			return err
		}
		if !ok {
			return errNoSuchAccessKey(accessKeyID)
		}
		u, err := loadUser(tx, k.Account, k.UserName)
		if err != nil {
			return err
		}
		out = &AccessKeyIdentity{
			Account: k.Account, AccessKeyId: k.AccessKeyId, SecretAccessKey: k.SecretAccessKey, Status: k.Status,
			UserName: u.UserName, UserId: u.UserId, Arn: iamArn(k.Account, "user", u.Path, u.UserName),
		}
		return nil
	})
	return out, err
}

// RecordAccessKeyUsed notes that an access key was used for a service in a
// region, for GetAccessKeyLastUsed.
func (s *Service) RecordAccessKeyUsed(ctx context.Context, accessKeyID, service, region string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.st.Update(func(tx store.Tx) error {
		var k accessKeyRecord
		ok, err := getJSON(tx, bucketAccessKeys, accessKeyID, &k)
		if err != nil {
			return err
		}
		if !ok {
			return errNoSuchAccessKey(accessKeyID)
		}
		k.LastUsed = &keyLastUsed{Date: at.UTC().Truncate(time.Second), Service: service, Region: region}
		return putJSON(tx, bucketAccessKeys, accessKeyID, &k)
	})
}
