package iam

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/store"
)

// What a state file (rolecall state export/import) carries of the
// credentials and providers that no IAM read answers in full: a virtual
// MFA device's seed (CreateVirtualMFADevice answers it once), a SAML
// provider's private keys (GetSAMLProvider names them), an SSH public key
// as it was uploaded (GetSSHPublicKey converts it to the encoding asked
// for). The import replays the API where it can; ImportMFADevice and
// ImportServerCertificate do what no call does: give a device a known
// seed, and keep a server certificate whose private key IAM never kept.

// MFADeviceState is a virtual MFA device as a state file carries it.
type MFADeviceState struct {
	SerialNumber string
	// Seed is the device's base32 seed, the secret its codes come from.
	Seed string
	// UserName and EnableDate are set while it is enabled for a user.
	UserName   string
	EnableDate *time.Time
	Tags       []Tag
}

// MFADeviceStates are the account's virtual MFA devices with their seeds,
// by name.
func (s *Service) MFADeviceStates(ctx context.Context, account string) ([]MFADeviceState, error) {
	var out []MFADeviceState
	err := s.view(ctx, account, func(tx store.Tx) error {
		var err error
		if serr := scanMFADevices(tx, account, func(d *mfaDeviceRecord) bool {
			st := MFADeviceState{SerialNumber: d.SerialNumber, Seed: d.Seed, EnableDate: d.EnableDate, Tags: d.Tags}
			if d.UserId != "" {
				var u *userRecord
				if u, err = userByID(tx, account, d.UserId); err != nil {
					return false
				}
				st.UserName = u.UserName
			}
			out = append(out, st)
			return true
		}); serr != nil {
			return serr
		}
		return err
	})
	return out, err
}

// ImportMFADevice makes the virtual MFA device of a state file, with its
// seed, enabled for its user when it names one. No code is asked for (the
// file's seed is the device's) and the device is taken to be in step with
// rolecall's clock, with no code spent: a device that had drifted is
// resynchronized with ResyncMFADevice, as after any drift.
func (s *Service) ImportMFADevice(ctx context.Context, account string, in MFADeviceState) error {
	a, err := arn.Parse(in.SerialNumber)
	if err != nil || a.Service != "iam" || a.Account != account || !strings.HasPrefix(a.Resource, "mfa/") {
		return fmt.Errorf("SerialNumber %s is not the ARN of a virtual MFA device of account %s (arn:aws:iam::%s:mfa/PATH/NAME)", in.SerialNumber, account, account)
	}
	res := strings.TrimPrefix(a.Resource, "mfa")
	i := strings.LastIndexByte(res, '/')
	path, name := res[:i+1], res[i+1:]
	if err := checkName("virtualMFADeviceName", name, maxSerialNumber); err != nil {
		return err
	}
	if _, err := cleanPath("path", path); err != nil {
		return err
	}
	if err := mfaTags.check(in.Tags); err != nil {
		return err
	}
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(in.Seed, "="))
	if err != nil || len(seed) < 10 {
		return errors.New("Base32StringSeed: not a seed (base32, 16 characters at least)")
	}
	if (in.UserName == "") != (in.EnableDate == nil) {
		return errors.New("a device enabled for a user has both UserName and EnableDate, one that is not neither")
	}
	d := &mfaDeviceRecord{SerialNumber: in.SerialNumber, Seed: in.Seed, CreateDate: s.now(), Tags: in.Tags}
	return s.update(ctx, account, func(tx store.Tx) error {
		key, _ := mfaKey(account, d.SerialNumber)
		if _, taken := tx.Get(bucketMFADevices, key); taken {
			return errMFADeviceExists
		}
		if in.UserName != "" {
			u, err := loadUser(tx, account, in.UserName)
			if err != nil {
				return err
			}
			if err := mfaQuotaLeft(tx, account, u); err != nil {
				return err
			}
			enabled := in.EnableDate.UTC()
			d.UserId, d.EnableDate = u.UserId, &enabled
		}
		return putJSON(tx, bucketMFADevices, key, d)
	})
}

// SAMLPrivateKeyState is one of a SAML provider's private keys, with the
// key itself (PEM, as it was added).
type SAMLPrivateKeyState struct {
	KeyId     string
	Timestamp time.Time
	PEM       string
}

// SAMLPrivateKeys are the private keys of a provider, oldest first.
func (s *Service) SAMLPrivateKeys(ctx context.Context, account, providerArn string) ([]SAMLPrivateKeyState, error) {
	var out []SAMLPrivateKeyState
	err := s.view(ctx, account, func(tx store.Tx) error {
		p, err := loadSAMLProvider(tx, account, providerArn)
		if err != nil {
			return err
		}
		for _, k := range p.PrivateKeys {
			out = append(out, SAMLPrivateKeyState(k))
		}
		return nil
	})
	return out, err
}

// SSHPublicKeyAsUploaded is the body of a user's SSH public key as it was
// uploaded: GetSSHPublicKey answers it converted to the encoding asked
// for, and an import uploads it as it came.
func (s *Service) SSHPublicKeyAsUploaded(ctx context.Context, account, userName, id string) (string, error) {
	var out string
	err := s.view(ctx, account, func(tx store.Tx) error {
		_, _, k, err := userCred[sshKeyRecord](tx, bucketSSHKeys, account, userName, id, errNoSuchSSHPublicKey)
		if err == nil {
			out = k.Body
		}
		return err
	})
	return out, err
}

// ImportServerCertificate stores the server certificate of a state file:
// as UploadServerCertificate does, but without its private key, which IAM
// checks against the certificate and never keeps, and so no file holds.
func (s *Service) ImportServerCertificate(ctx context.Context, account string, in UploadServerCertificateInput) (*ServerCertificateMetadata, error) {
	if in.PrivateKey != "" {
		return nil, errors.New("iam: ImportServerCertificate takes no private key")
	}
	md, _, err := s.uploadServerCertificate(ctx, account, in, true)
	return md, err
}
