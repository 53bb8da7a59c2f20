package iamapi

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/resolve"
)

// IAM's OpenID Connect providers (resource type oidc-provider), bound in
// iamapi.go.

type createOIDCProviderInput struct {
	Url                          string
	ClientIDList, ThumbprintList []string
	Tags                         []iam.Tag
}

func (in *createOIDCProviderInput) keys(k *authz.Keys) { tagKeys(k, in.Tags) }

type createOIDCProviderOutput struct {
	OpenIDConnectProviderArn string
	Tags                     []iam.Tag
}

// newOIDCProvider is the provider a create call makes, by the ARN it will
// have: the URL without https://.
func newOIDCProvider(_ context.Context, c *api.Call, in *createOIDCProviderInput) (authz.Target, error) {
	return resolve.New(c.Account, "oidc-provider", "/", strings.TrimPrefix(in.Url, "https://")), nil
}

func (h *handler) createOpenIDConnectProvider(ctx context.Context, c *api.Call, in *createOIDCProviderInput) (*createOIDCProviderOutput, error) {
	a, err := h.svc.CreateOpenIDConnectProvider(ctx, c.Account, iam.CreateOpenIDConnectProviderInput{
		Url: in.Url, ClientIDList: in.ClientIDList, ThumbprintList: in.ThumbprintList, Tags: in.Tags})
	if err != nil {
		return nil, err
	}
	return &createOIDCProviderOutput{OpenIDConnectProviderArn: a, Tags: in.Tags}, nil
}

type oidcProviderArnInput struct{ OpenIDConnectProviderArn string }

func (h *handler) getOpenIDConnectProvider(ctx context.Context, c *api.Call, in *oidcProviderArnInput) (*iam.OpenIDConnectProvider, error) {
	return h.svc.GetOpenIDConnectProvider(ctx, c.Account, in.OpenIDConnectProviderArn)
}

type oidcProviderListEntry struct{ Arn string }

type listOIDCProvidersOutput struct{ OpenIDConnectProviderList []oidcProviderListEntry }

func (h *handler) listOpenIDConnectProviders(ctx context.Context, c *api.Call, _ *none) (*listOIDCProvidersOutput, error) {
	arns, err := h.svc.ListOpenIDConnectProviders(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	out := &listOIDCProvidersOutput{OpenIDConnectProviderList: []oidcProviderListEntry{}}
	for _, a := range arns {
		out.OpenIDConnectProviderList = append(out.OpenIDConnectProviderList, oidcProviderListEntry{Arn: a})
	}
	return out, nil
}

func (h *handler) deleteOpenIDConnectProvider(ctx context.Context, c *api.Call, in *oidcProviderArnInput) (*none, error) {
	return &none{}, h.svc.DeleteOpenIDConnectProvider(ctx, c.Account, in.OpenIDConnectProviderArn)
}

type oidcClientIDInput struct{ OpenIDConnectProviderArn, ClientID string }

func (h *handler) addClientIDToOpenIDConnectProvider(ctx context.Context, c *api.Call, in *oidcClientIDInput) (*none, error) {
	return &none{}, h.svc.AddClientIDToOpenIDConnectProvider(ctx, c.Account, in.OpenIDConnectProviderArn, in.ClientID)
}

func (h *handler) removeClientIDFromOpenIDConnectProvider(ctx context.Context, c *api.Call, in *oidcClientIDInput) (*none, error) {
	return &none{}, h.svc.RemoveClientIDFromOpenIDConnectProvider(ctx, c.Account, in.OpenIDConnectProviderArn, in.ClientID)
}

type oidcThumbprintInput struct {
	OpenIDConnectProviderArn string
	ThumbprintList           []string
}

func (h *handler) updateOpenIDConnectProviderThumbprint(ctx context.Context, c *api.Call, in *oidcThumbprintInput) (*none, error) {
	return &none{}, h.svc.UpdateOpenIDConnectProviderThumbprint(ctx, c.Account, in.OpenIDConnectProviderArn, in.ThumbprintList)
}

type tagOIDCProviderInput struct {
	OpenIDConnectProviderArn string
	Tags                     []iam.Tag
}

func (in *tagOIDCProviderInput) keys(k *authz.Keys) { tagKeys(k, in.Tags) }

func (h *handler) tagOpenIDConnectProvider(ctx context.Context, c *api.Call, in *tagOIDCProviderInput) (*none, error) {
	return &none{}, h.svc.TagOpenIDConnectProvider(ctx, c.Account, in.OpenIDConnectProviderArn, in.Tags)
}

type untagOIDCProviderInput struct {
	OpenIDConnectProviderArn string
	TagKeys                  []string
}

func (in *untagOIDCProviderInput) keys(k *authz.Keys) { k.Set("aws:TagKeys", in.TagKeys...) }

func (h *handler) untagOpenIDConnectProvider(ctx context.Context, c *api.Call, in *untagOIDCProviderInput) (*none, error) {
	return &none{}, h.svc.UntagOpenIDConnectProvider(ctx, c.Account, in.OpenIDConnectProviderArn, in.TagKeys)
}

type listOIDCProviderTagsInput struct {
	OpenIDConnectProviderArn string
	paging
}

func (h *handler) listOpenIDConnectProviderTags(ctx context.Context, c *api.Call, in *listOIDCProviderTagsInput) (*listTagsOutput, error) {
	tags, next, err := h.svc.ListOpenIDConnectProviderTags(ctx, c.Account, in.OpenIDConnectProviderArn, in.page())
	if err != nil {
		return nil, err
	}
	return &listTagsOutput{Tags: nonNil(tags), truncation: truncated(next)}, nil
}

// oidcProviderOps are the bindings, on the provider each call names.
func (h *handler) oidcProviderOps() []*api.Operation {
	byArn := func(in *oidcProviderArnInput) string { return in.OpenIDConnectProviderArn }
	return []*api.Operation{
		api.Op("CreateOpenIDConnectProvider", h.createOpenIDConnectProvider, acts(newOIDCProvider)),
		api.Op("GetOpenIDConnectProvider", h.getOpenIDConnectProvider, on(h.res.OIDCProvider, byArn)),
		// The Service Authorization Reference gives ListOpenIDConnectProviders
		// no resource type: "*".
		api.Op("ListOpenIDConnectProviders", h.listOpenIDConnectProviders, nil),
		api.Op("DeleteOpenIDConnectProvider", h.deleteOpenIDConnectProvider, on(h.res.OIDCProvider, byArn)),
		api.Op("AddClientIDToOpenIDConnectProvider", h.addClientIDToOpenIDConnectProvider, on(h.res.OIDCProvider, func(in *oidcClientIDInput) string { return in.OpenIDConnectProviderArn })),
		api.Op("RemoveClientIDFromOpenIDConnectProvider", h.removeClientIDFromOpenIDConnectProvider, on(h.res.OIDCProvider, func(in *oidcClientIDInput) string { return in.OpenIDConnectProviderArn })),
		api.Op("UpdateOpenIDConnectProviderThumbprint", h.updateOpenIDConnectProviderThumbprint, on(h.res.OIDCProvider, func(in *oidcThumbprintInput) string { return in.OpenIDConnectProviderArn })),
		api.Op("TagOpenIDConnectProvider", h.tagOpenIDConnectProvider, on(h.res.OIDCProvider, func(in *tagOIDCProviderInput) string { return in.OpenIDConnectProviderArn })),
		api.Op("UntagOpenIDConnectProvider", h.untagOpenIDConnectProvider, on(h.res.OIDCProvider, func(in *untagOIDCProviderInput) string { return in.OpenIDConnectProviderArn })),
		api.Op("ListOpenIDConnectProviderTags", h.listOpenIDConnectProviderTags, on(h.res.OIDCProvider, func(in *listOIDCProviderTagsInput) string { return in.OpenIDConnectProviderArn })),
	}
}
