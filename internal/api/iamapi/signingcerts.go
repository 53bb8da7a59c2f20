package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

// Signing certificates (iam/signingcerts.go). Without a UserName they are
// the calling user's ("the IAM user name is determined implicitly based on
// the Amazon Web Services access key ID used to sign the request",
// UploadSigningCertificate API reference); the root user's own
// certificates are not kept, as its access keys are not.

type uploadSigningCertificateInput struct{ UserName, CertificateBody string }

type uploadSigningCertificateOutput struct{ Certificate *iam.SigningCertificate }

func (h *handler) uploadSigningCertificate(ctx context.Context, c *api.Call, in *uploadSigningCertificateInput) (*uploadSigningCertificateOutput, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	sc, err := h.svc.UploadSigningCertificate(ctx, c.Account, name, in.CertificateBody)
	if err != nil {
		return nil, err
	}
	return &uploadSigningCertificateOutput{Certificate: sc}, nil
}

type listSigningCertificatesInput struct {
	UserName string
	paging
}

type listSigningCertificatesOutput struct {
	Certificates []iam.SigningCertificate
	truncation
}

func (h *handler) listSigningCertificates(ctx context.Context, c *api.Call, in *listSigningCertificatesInput) (*listSigningCertificatesOutput, error) {
	name, none, err := listedUser(c, in.UserName)
	if err != nil || none {
		return &listSigningCertificatesOutput{Certificates: []iam.SigningCertificate{}}, err
	}
	list, next, err := h.svc.ListSigningCertificates(ctx, c.Account, name, in.page())
	if err != nil {
		return nil, err
	}
	return &listSigningCertificatesOutput{Certificates: nonNil(list), truncation: truncated(next)}, nil
}

type updateSigningCertificateInput struct{ UserName, CertificateId, Status string }

func (h *handler) updateSigningCertificate(ctx context.Context, c *api.Call, in *updateSigningCertificateInput) (*none, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	return &none{}, h.svc.UpdateSigningCertificate(ctx, c.Account, name, in.CertificateId, in.Status)
}

type deleteSigningCertificateInput struct{ UserName, CertificateId string }

func (h *handler) deleteSigningCertificate(ctx context.Context, c *api.Call, in *deleteSigningCertificateInput) (*none, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	return &none{}, h.svc.DeleteSigningCertificate(ctx, c.Account, name, in.CertificateId)
}
