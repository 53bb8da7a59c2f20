package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
)

// Server certificates (iam/servercerts.go), the Service Authorization
// Reference's server-certificate resource; ListServerCertificates has
// none ("*").

type uploadServerCertificateInput struct {
	Path, ServerCertificateName, CertificateBody, PrivateKey, CertificateChain string
	Tags                                                                       []iam.Tag
}

func (in *uploadServerCertificateInput) keys(k *authz.Keys) { tagKeys(k, in.Tags) }

type uploadServerCertificateOutput struct {
	ServerCertificateMetadata *iam.ServerCertificateMetadata
	Tags                      []iam.Tag
}

func (h *handler) uploadServerCertificate(ctx context.Context, c *api.Call, in *uploadServerCertificateInput) (*uploadServerCertificateOutput, error) {
	md, tags, err := h.svc.UploadServerCertificate(ctx, c.Account, iam.UploadServerCertificateInput(*in))
	if err != nil {
		return nil, err
	}
	return &uploadServerCertificateOutput{ServerCertificateMetadata: md, Tags: tags}, nil
}

type serverCertificateNameInput struct{ ServerCertificateName string }

type getServerCertificateOutput struct{ ServerCertificate *iam.ServerCertificate }

func (h *handler) getServerCertificate(ctx context.Context, c *api.Call, in *serverCertificateNameInput) (*getServerCertificateOutput, error) {
	sc, err := h.svc.GetServerCertificate(ctx, c.Account, in.ServerCertificateName)
	if err != nil {
		return nil, err
	}
	return &getServerCertificateOutput{ServerCertificate: sc}, nil
}

type listServerCertificatesInput struct {
	PathPrefix string
	paging
}

type listServerCertificatesOutput struct {
	ServerCertificateMetadataList []iam.ServerCertificateMetadata
	truncation
}

func (h *handler) listServerCertificates(ctx context.Context, c *api.Call, in *listServerCertificatesInput) (*listServerCertificatesOutput, error) {
	list, next, err := h.svc.ListServerCertificates(ctx, c.Account, in.PathPrefix, in.page())
	if err != nil {
		return nil, err
	}
	return &listServerCertificatesOutput{ServerCertificateMetadataList: nonNil(list), truncation: truncated(next)}, nil
}

type updateServerCertificateInput struct{ ServerCertificateName, NewPath, NewServerCertificateName string }

func (h *handler) updateServerCertificate(ctx context.Context, c *api.Call, in *updateServerCertificateInput) (*none, error) {
	return &none{}, h.svc.UpdateServerCertificate(ctx, c.Account, in.ServerCertificateName, in.NewPath, in.NewServerCertificateName)
}

func (h *handler) deleteServerCertificate(ctx context.Context, c *api.Call, in *serverCertificateNameInput) (*none, error) {
	return &none{}, h.svc.DeleteServerCertificate(ctx, c.Account, in.ServerCertificateName)
}

type tagServerCertificateInput struct {
	ServerCertificateName string
	Tags                  []iam.Tag
}

func (in *tagServerCertificateInput) keys(k *authz.Keys) { tagKeys(k, in.Tags) }

func (h *handler) tagServerCertificate(ctx context.Context, c *api.Call, in *tagServerCertificateInput) (*none, error) {
	return &none{}, h.svc.TagServerCertificate(ctx, c.Account, in.ServerCertificateName, in.Tags)
}

type untagServerCertificateInput struct {
	ServerCertificateName string
	TagKeys               []string
}

func (in *untagServerCertificateInput) keys(k *authz.Keys) { k.Set("aws:TagKeys", in.TagKeys...) }

func (h *handler) untagServerCertificate(ctx context.Context, c *api.Call, in *untagServerCertificateInput) (*none, error) {
	return &none{}, h.svc.UntagServerCertificate(ctx, c.Account, in.ServerCertificateName, in.TagKeys)
}

type listServerCertificateTagsInput struct {
	ServerCertificateName string
	paging
}

func (h *handler) listServerCertificateTags(ctx context.Context, c *api.Call, in *listServerCertificateTagsInput) (*listTagsOutput, error) {
	tags, next, err := h.svc.ListServerCertificateTags(ctx, c.Account, in.ServerCertificateName, in.page())
	if err != nil {
		return nil, err
	}
	return &listTagsOutput{Tags: nonNil(tags), truncation: truncated(next)}, nil
}
