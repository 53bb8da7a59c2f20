package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/resolve"
)

// SAML providers (internal/iam/samlproviders.go), each authorized on the
// provider it names (resource type saml-provider); ListSAMLProviders has
// no resource type ("*").

func (h *handler) samlProviderOps() []*api.Operation {
	byArn := func(in *samlProviderArnInput) string { return in.SAMLProviderArn }
	return []*api.Operation{
		api.Op("CreateSAMLProvider", h.createSAMLProvider, acts(func(_ context.Context, c *api.Call, in *createSAMLProviderInput) (authz.Target, error) {
			return resolve.New(c.Account, "saml-provider", "/", in.Name), nil
		})),
		api.Op("GetSAMLProvider", h.getSAMLProvider, on(h.res.SAMLProvider, byArn)),
		api.Op("ListSAMLProviders", h.listSAMLProviders, nil),
		api.Op("UpdateSAMLProvider", h.updateSAMLProvider, on(h.res.SAMLProvider, func(in *updateSAMLProviderInput) string { return in.SAMLProviderArn })),
		api.Op("DeleteSAMLProvider", h.deleteSAMLProvider, on(h.res.SAMLProvider, byArn)),
		api.Op("TagSAMLProvider", h.tagSAMLProvider, on(h.res.SAMLProvider, func(in *tagSAMLProviderInput) string { return in.SAMLProviderArn })),
		api.Op("UntagSAMLProvider", h.untagSAMLProvider, on(h.res.SAMLProvider, func(in *untagSAMLProviderInput) string { return in.SAMLProviderArn })),
		api.Op("ListSAMLProviderTags", h.listSAMLProviderTags, on(h.res.SAMLProvider, func(in *listSAMLProviderTagsInput) string { return in.SAMLProviderArn })),
	}
}

type createSAMLProviderInput struct {
	SAMLMetadataDocument, Name             string
	Tags                                   []iam.Tag
	AssertionEncryptionMode, AddPrivateKey string
}

func (in *createSAMLProviderInput) keys(k *authz.Keys) { tagKeys(k, in.Tags) }

type createSAMLProviderOutput struct {
	SAMLProviderArn string
	Tags            []iam.Tag
}

func (h *handler) createSAMLProvider(ctx context.Context, c *api.Call, in *createSAMLProviderInput) (*createSAMLProviderOutput, error) {
	a, tags, err := h.svc.CreateSAMLProvider(ctx, c.Account, iam.SAMLProviderInput{Name: in.Name, SAMLMetadataDocument: in.SAMLMetadataDocument,
		Tags: in.Tags, AssertionEncryptionMode: in.AssertionEncryptionMode, AddPrivateKey: in.AddPrivateKey})
	if err != nil {
		return nil, err
	}
	return &createSAMLProviderOutput{SAMLProviderArn: a, Tags: tags}, nil
}

type samlProviderArnInput struct{ SAMLProviderArn string }

func (h *handler) getSAMLProvider(ctx context.Context, c *api.Call, in *samlProviderArnInput) (*iam.SAMLProvider, error) {
	return h.svc.GetSAMLProvider(ctx, c.Account, in.SAMLProviderArn)
}

type listSAMLProvidersOutput struct{ SAMLProviderList []iam.SAMLProviderListEntry }

func (h *handler) listSAMLProviders(ctx context.Context, c *api.Call, _ *struct{}) (*listSAMLProvidersOutput, error) {
	list, err := h.svc.ListSAMLProviders(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	return &listSAMLProvidersOutput{SAMLProviderList: list}, nil
}

type updateSAMLProviderInput struct {
	SAMLMetadataDocument, SAMLProviderArn                    string
	AssertionEncryptionMode, AddPrivateKey, RemovePrivateKey string
}

type samlProviderArnOutput struct{ SAMLProviderArn string }

func (h *handler) updateSAMLProvider(ctx context.Context, c *api.Call, in *updateSAMLProviderInput) (*samlProviderArnOutput, error) {
	a, err := h.svc.UpdateSAMLProvider(ctx, c.Account, iam.SAMLProviderInput{Arn: in.SAMLProviderArn, SAMLMetadataDocument: in.SAMLMetadataDocument,
		AssertionEncryptionMode: in.AssertionEncryptionMode, AddPrivateKey: in.AddPrivateKey, RemovePrivateKey: in.RemovePrivateKey})
	if err != nil {
		return nil, err
	}
	return &samlProviderArnOutput{SAMLProviderArn: a}, nil
}

func (h *handler) deleteSAMLProvider(ctx context.Context, c *api.Call, in *samlProviderArnInput) (*none, error) {
	return &none{}, h.svc.DeleteSAMLProvider(ctx, c.Account, in.SAMLProviderArn)
}

type tagSAMLProviderInput struct {
	SAMLProviderArn string
	Tags            []iam.Tag
}

func (in *tagSAMLProviderInput) keys(k *authz.Keys) { tagKeys(k, in.Tags) }

func (h *handler) tagSAMLProvider(ctx context.Context, c *api.Call, in *tagSAMLProviderInput) (*none, error) {
	return &none{}, h.svc.TagSAMLProvider(ctx, c.Account, in.SAMLProviderArn, in.Tags)
}

type untagSAMLProviderInput struct {
	SAMLProviderArn string
	TagKeys         []string
}

func (in *untagSAMLProviderInput) keys(k *authz.Keys) { k.Set("aws:TagKeys", in.TagKeys...) }

func (h *handler) untagSAMLProvider(ctx context.Context, c *api.Call, in *untagSAMLProviderInput) (*none, error) {
	return &none{}, h.svc.UntagSAMLProvider(ctx, c.Account, in.SAMLProviderArn, in.TagKeys)
}

type listSAMLProviderTagsInput struct {
	SAMLProviderArn string
	paging
}

func (h *handler) listSAMLProviderTags(ctx context.Context, c *api.Call, in *listSAMLProviderTagsInput) (*listTagsOutput, error) {
	tags, next, err := h.svc.ListSAMLProviderTags(ctx, c.Account, in.SAMLProviderArn, in.page())
	if err != nil {
		return nil, err
	}
	return &listTagsOutput{Tags: nonNil(tags), truncation: truncated(next)}, nil
}
