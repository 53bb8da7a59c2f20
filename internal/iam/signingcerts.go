package iam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/rolecall/rolecall/internal/store"
)

// Signing certificates: the X.509 certificates an IAM user signs SOAP-era
// requests with ("Managing X.509 signing certificates",
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSigningCertificate.html).
// A user has at most two (QuotaSigningCertificatesPerUser).

// SigningCertificate is a user's signing certificate.
type SigningCertificate struct {
	UserName, CertificateId, CertificateBody, Status string
	UploadDate                                       time.Time
}

type signingCertRecord struct {
	UserId, CertificateId, CertificateBody, Status string
	Digest                                         string // SHA-256 of the DER: the same certificate, however it is written
	UploadDate                                     time.Time
}

func signingCertCreated(c *signingCertRecord) (time.Time, string) {
	return c.UploadDate, c.CertificateId
}

func (c *signingCertRecord) certificate(u *userRecord) SigningCertificate {
	return SigningCertificate{UserName: u.UserName, CertificateId: c.CertificateId, CertificateBody: c.CertificateBody, Status: c.Status, UploadDate: c.UploadDate}
}

// signingCertificateID makes a certificate id: 32 characters of IAM's id
// alphabet (the API reference's example, "ID123456789012345EXAMPLE", and
// the model allow 24 to 128).
func (s *Service) signingCertificateID() string {
	return (s.gen.ID("") + s.gen.ID(""))[:32]
}

// UploadSigningCertificate gives a user a signing certificate, Active. The
// same certificate may belong to one user of the account only.
func (s *Service) UploadSigningCertificate(ctx context.Context, account, userName, body string) (*SigningCertificate, error) {
	cert, err := parseCertificatePEM(body)
	if err != nil {
		return nil, errMalformedSigningCertificate(body)
	}
	sum := sha256.Sum256(cert.Raw)
	c := &signingCertRecord{CertificateId: s.signingCertificateID(), CertificateBody: body, Status: StatusActive,
		Digest: hex.EncodeToString(sum[:]), UploadDate: s.now()}
	var out *SigningCertificate
	err = s.update(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		dup := false
		if err := store.ScanJSON(tx, bucketSigningCerts, account+"/", func(_ string, o *signingCertRecord) bool {
			dup = o.Digest == c.Digest
			return !dup
		}); err != nil {
			return err
		}
		if dup {
			return errDuplicateCertificate
		}
		certs, err := userCreds(tx, bucketSigningCerts, account, u.UserId, signingCertCreated)
		if err != nil {
			return err
		}
		if len(certs) >= QuotaSigningCertificatesPerUser {
			return errSigningCertificateQuota
		}
		rec := *c
		rec.UserId = u.UserId
		sc := rec.certificate(u)
		out = &sc
		return putJSON(tx, bucketSigningCerts, userCredKey(account, u.UserId, rec.CertificateId), &rec)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListSigningCertificates lists a user's signing certificates, oldest
// first.
func (s *Service) ListSigningCertificates(ctx context.Context, account, userName string, pg Page) ([]SigningCertificate, string, error) {
	return listUserCreds(s, ctx, bucketSigningCerts, account, userName, signingCertCreated, pg, (*signingCertRecord).certificate)
}

// UpdateSigningCertificate makes a user's signing certificate Active or
// Inactive.
func (s *Service) UpdateSigningCertificate(ctx context.Context, account, userName, id, status string) error {
	if err := checkStatus(status); err != nil {
		return err
	}
	return changeUserCred(s, ctx, bucketSigningCerts, account, userName, id, errNoSuchSigningCertificate, func(_ *userRecord, c *signingCertRecord) {
		c.Status = status
	})
}

// DeleteSigningCertificate deletes a user's signing certificate.
func (s *Service) DeleteSigningCertificate(ctx context.Context, account, userName, id string) error {
	return s.deleteUserCred(ctx, bucketSigningCerts, account, userName, id, errNoSuchSigningCertificate)
}
