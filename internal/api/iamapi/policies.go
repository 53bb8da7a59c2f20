package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

type createPolicyInput struct {
	PolicyName, Path, PolicyDocument, Description string
	Tags                                          []iam.Tag
}

type policyOutput struct{ Policy *iam.Policy }

func (h *handler) createPolicy(ctx context.Context, c *api.Call, in *createPolicyInput) (*policyOutput, error) {
	p, err := h.svc.CreatePolicy(ctx, c.Account, iam.CreatePolicyInput(*in))
	if err != nil {
		return nil, err
	}
	return &policyOutput{Policy: p}, nil
}

type policyArnInput struct{ PolicyArn string }

func (h *handler) getPolicy(ctx context.Context, c *api.Call, in *policyArnInput) (*policyOutput, error) {
	p, err := h.svc.GetPolicy(ctx, c.Account, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return &policyOutput{Policy: p}, nil
}

type listPoliciesInput struct {
	Scope             string
	OnlyAttached      bool
	PathPrefix        string
	PolicyUsageFilter string
	paging
}

type listPoliciesOutput struct {
	Policies []iam.Policy
	truncation
}

func (h *handler) listPolicies(ctx context.Context, c *api.Call, in *listPoliciesInput) (*listPoliciesOutput, error) {
	list, next, err := h.svc.ListPolicies(ctx, c.Account, iam.ListPoliciesInput{
		Scope: in.Scope, OnlyAttached: in.OnlyAttached, PathPrefix: in.PathPrefix, PolicyUsageFilter: in.PolicyUsageFilter,
	}, in.page())
	if err != nil {
		return nil, err
	}
	return &listPoliciesOutput{Policies: nonNil(list), truncation: truncated(next)}, nil
}

func (h *handler) deletePolicy(ctx context.Context, c *api.Call, in *policyArnInput) (*none, error) {
	return &none{}, h.svc.DeletePolicy(ctx, c.Account, in.PolicyArn)
}

type createPolicyVersionInput struct {
	PolicyArn, PolicyDocument string
	SetAsDefault              bool
}

type policyVersionOutput struct{ PolicyVersion *iam.PolicyVersion }

func (h *handler) createPolicyVersion(ctx context.Context, c *api.Call, in *createPolicyVersionInput) (*policyVersionOutput, error) {
	v, err := h.svc.CreatePolicyVersion(ctx, c.Account, in.PolicyArn, in.PolicyDocument, in.SetAsDefault)
	if err != nil {
		return nil, err
	}
	return &policyVersionOutput{PolicyVersion: v}, nil
}

type policyVersionInput struct{ PolicyArn, VersionId string }

func (h *handler) getPolicyVersion(ctx context.Context, c *api.Call, in *policyVersionInput) (*policyVersionOutput, error) {
	v, err := h.svc.GetPolicyVersion(ctx, c.Account, in.PolicyArn, in.VersionId)
	if err != nil {
		return nil, err
	}
	return &policyVersionOutput{PolicyVersion: v}, nil
}

type listPolicyVersionsInput struct {
	PolicyArn string
	paging
}

type listPolicyVersionsOutput struct {
	Versions []iam.PolicyVersion
	truncation
}

func (h *handler) listPolicyVersions(ctx context.Context, c *api.Call, in *listPolicyVersionsInput) (*listPolicyVersionsOutput, error) {
	list, next, err := h.svc.ListPolicyVersions(ctx, c.Account, in.PolicyArn, in.page())
	if err != nil {
		return nil, err
	}
	return &listPolicyVersionsOutput{Versions: nonNil(list), truncation: truncated(next)}, nil
}

func (h *handler) deletePolicyVersion(ctx context.Context, c *api.Call, in *policyVersionInput) (*none, error) {
	return &none{}, h.svc.DeletePolicyVersion(ctx, c.Account, in.PolicyArn, in.VersionId)
}

func (h *handler) setDefaultPolicyVersion(ctx context.Context, c *api.Call, in *policyVersionInput) (*none, error) {
	return &none{}, h.svc.SetDefaultPolicyVersion(ctx, c.Account, in.PolicyArn, in.VersionId)
}

type listEntitiesForPolicyInput struct {
	PolicyArn, EntityFilter, PathPrefix, PolicyUsageFilter string
	paging
}

type listEntitiesForPolicyOutput struct {
	PolicyGroups []iam.PolicyGroup
	PolicyUsers  []iam.PolicyUser
	PolicyRoles  []iam.PolicyRole
	truncation
}

func (h *handler) listEntitiesForPolicy(ctx context.Context, c *api.Call, in *listEntitiesForPolicyInput) (*listEntitiesForPolicyOutput, error) {
	e, next, err := h.svc.ListEntitiesForPolicy(ctx, c.Account, in.PolicyArn, iam.ListEntitiesInput{
		EntityFilter: in.EntityFilter, PathPrefix: in.PathPrefix, PolicyUsageFilter: in.PolicyUsageFilter,
	}, in.page())
	if err != nil {
		return nil, err
	}
	return &listEntitiesForPolicyOutput{
		PolicyGroups: nonNil(e.PolicyGroups), PolicyUsers: nonNil(e.PolicyUsers), PolicyRoles: nonNil(e.PolicyRoles),
		truncation: truncated(next),
	}, nil
}

type tagPolicyInput struct {
	PolicyArn string
	Tags      []iam.Tag
}

func (h *handler) tagPolicy(ctx context.Context, c *api.Call, in *tagPolicyInput) (*none, error) {
	return &none{}, h.svc.TagPolicy(ctx, c.Account, in.PolicyArn, in.Tags)
}

type untagPolicyInput struct {
	PolicyArn string
	TagKeys   []string
}

func (h *handler) untagPolicy(ctx context.Context, c *api.Call, in *untagPolicyInput) (*none, error) {
	return &none{}, h.svc.UntagPolicy(ctx, c.Account, in.PolicyArn, in.TagKeys)
}

type listPolicyTagsInput struct {
	PolicyArn string
	paging
}

func (h *handler) listPolicyTags(ctx context.Context, c *api.Call, in *listPolicyTagsInput) (*listTagsOutput, error) {
	tags, next, err := h.svc.ListPolicyTags(ctx, c.Account, in.PolicyArn, in.page())
	if err != nil {
		return nil, err
	}
	return &listTagsOutput{Tags: nonNil(tags), truncation: truncated(next)}, nil
}
