package stsapi

import (
	"context"

	"strconv"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/sts"
)

// extraBindings are STS's operations beyond sessions and roles:
// federated users, key and message lookups, AssumeRoot, outbound web
// identity tokens and delegated access.
func (h *handler) extraBindings() []*api.Operation {
	return []*api.Operation{
		api.Op("GetFederationToken", h.getFederationToken, nil).
			InOperation("sts:GetFederationToken is decided on the federated user the operation names, with its session tags (sts.Service.GetFederationToken)"),
		api.Op("GetAccessKeyInfo", h.getAccessKeyInfo, nil),
		api.Op("DecodeAuthorizationMessage", h.decodeAuthorizationMessage, nil),
		api.Op("AssumeRoot", h.assumeRoot, nil).
			InOperation("sts:AssumeRoot is decided on the target account's root user (sts.Service.AssumeRoot)"),
		api.Op("GetWebIdentityToken", h.getWebIdentityToken, webIdentityTokenKeys),
		api.Op("GetDelegatedAccessToken", h.getDelegatedAccessToken, nil),
	}
}

type getFederationTokenInput struct {
	Name            string
	Policy          string
	PolicyArns      []policyDescriptor
	DurationSeconds *int32
	Tags            []principal.Tag
}

func (h *handler) getFederationToken(ctx context.Context, c *api.Call, in *getFederationTokenInput) (*sts.GetFederationTokenOutput, error) {
	return h.svc.GetFederationToken(ctx, c.Caller(), c.Region, sts.GetFederationTokenInput{
		Name: in.Name, Policy: in.Policy, PolicyArns: policyArns(in.PolicyArns), DurationSeconds: in.DurationSeconds, Tags: in.Tags,
	})
}

type getAccessKeyInfoInput struct{ AccessKeyId string }

func (h *handler) getAccessKeyInfo(ctx context.Context, c *api.Call, in *getAccessKeyInfoInput) (*sts.AccessKeyInfo, error) {
	return h.svc.GetAccessKeyInfo(ctx, c.Caller(), in.AccessKeyId)
}

type decodeAuthorizationMessageInput struct{ EncodedMessage string }

func (h *handler) decodeAuthorizationMessage(ctx context.Context, c *api.Call, in *decodeAuthorizationMessageInput) (*sts.DecodedAuthorizationMessage, error) {
	return h.svc.DecodeAuthorizationMessage(ctx, c.Caller(), in.EncodedMessage)
}

type assumeRootInput struct {
	TargetPrincipal string
	TaskPolicyArn   policyDescriptor
	DurationSeconds *int32
}

func (h *handler) assumeRoot(ctx context.Context, c *api.Call, in *assumeRootInput) (*credentialsOutput, error) {
	err := h.svc.AssumeRoot(ctx, c.Caller(), c.Region, sts.AssumeRootInput{
		TargetPrincipal: in.TargetPrincipal, TaskPolicyArn: in.TaskPolicyArn.Arn, DurationSeconds: in.DurationSeconds,
	})
	return nil, err
}

type getWebIdentityTokenInput struct {
	Audience         []string
	DurationSeconds  *int32
	SigningAlgorithm string
	Tags             []principal.Tag
}

// webIdentityTokenKeys are GetWebIdentityToken's condition keys (Service
// Authorization Reference): sts:IdentityTokenAudience, sts:DurationSeconds,
// sts:SigningAlgorithm and the request's tags; the action has no
// resource.
func webIdentityTokenKeys(_ context.Context, _ *api.Call, in *getWebIdentityTokenInput) (authz.Access, error) {
	acc := authz.Acting(authz.Any())
	acc.Keys.Set("sts:IdentityTokenAudience", in.Audience...)
	d := int32(sts.DefaultWebIdentityTokenDuration.Seconds())
	if in.DurationSeconds != nil {
		d = *in.DurationSeconds
	}
	acc.Keys.Set("sts:DurationSeconds", strconv.Itoa(int(d)))
	acc.Keys.Set("sts:SigningAlgorithm", in.SigningAlgorithm)
	for _, t := range in.Tags {
		acc.Keys.Tag(t.Key, t.Value)
	}
	return acc, nil
}

func (h *handler) getWebIdentityToken(ctx context.Context, c *api.Call, in *getWebIdentityTokenInput) (*sts.WebIdentityToken, error) {
	return h.svc.GetWebIdentityToken(ctx, c.Caller(), c.Region, sts.WebIdentityTokenInput{
		Audience: in.Audience, DurationSeconds: in.DurationSeconds, SigningAlgorithm: in.SigningAlgorithm, Tags: in.Tags,
	})
}

type getDelegatedAccessTokenInput struct{ TradeInToken string }

func (h *handler) getDelegatedAccessToken(ctx context.Context, c *api.Call, in *getDelegatedAccessTokenInput) (*sts.DelegatedAccessToken, error) {
	return h.svc.GetDelegatedAccessToken(ctx, c.Caller(), in.TradeInToken)
}
