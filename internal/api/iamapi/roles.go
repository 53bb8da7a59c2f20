package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

type createRoleInput struct {
	Path, RoleName, AssumeRolePolicyDocument, Description, PermissionsBoundary string
	MaxSessionDuration                                                         int32
	Tags                                                                       []iam.Tag
}

type roleOutput struct{ Role *iam.Role }

func (h *handler) createRole(ctx context.Context, c *api.Call, in *createRoleInput) (*roleOutput, error) {
	r, err := h.svc.CreateRole(ctx, c.Account, iam.CreateRoleInput(*in))
	if err != nil {
		return nil, err
	}
	return &roleOutput{Role: r}, nil
}

type roleNameInput struct{ RoleName string }

func (h *handler) getRole(ctx context.Context, c *api.Call, in *roleNameInput) (*roleOutput, error) {
	// The kept answer itself: the codec only reads it.
	r, err := h.svc.KeptRole(ctx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	return &roleOutput{Role: r}, nil
}

type listRolesInput struct {
	PathPrefix string
	paging
}

type listRolesOutput struct {
	Roles []iam.Role
	truncation
}

func (h *handler) listRoles(ctx context.Context, c *api.Call, in *listRolesInput) (*listRolesOutput, error) {
	roles, next, err := h.svc.ListRoles(ctx, c.Account, in.PathPrefix, in.page())
	if err != nil {
		return nil, err
	}
	return &listRolesOutput{Roles: nonNil(roles), truncation: truncated(next)}, nil
}

type updateRoleInput struct {
	RoleName, Description string
	MaxSessionDuration    int32
}

func (h *handler) updateRole(ctx context.Context, c *api.Call, in *updateRoleInput) (*none, error) {
	return &none{}, h.svc.UpdateRole(ctx, c.Account, in.RoleName, in.Description, in.MaxSessionDuration)
}

type updateRoleDescriptionInput struct{ RoleName, Description string }

func (h *handler) updateRoleDescription(ctx context.Context, c *api.Call, in *updateRoleDescriptionInput) (*roleOutput, error) {
	r, err := h.svc.UpdateRoleDescription(ctx, c.Account, in.RoleName, in.Description)
	if err != nil {
		return nil, err
	}
	return &roleOutput{Role: r}, nil
}

type updateAssumeRolePolicyInput struct{ RoleName, PolicyDocument string }

func (h *handler) updateAssumeRolePolicy(ctx context.Context, c *api.Call, in *updateAssumeRolePolicyInput) (*none, error) {
	return &none{}, h.svc.UpdateAssumeRolePolicy(ctx, c.Account, in.RoleName, in.PolicyDocument)
}

func (h *handler) deleteRole(ctx context.Context, c *api.Call, in *roleNameInput) (*none, error) {
	return &none{}, h.svc.DeleteRole(ctx, c.Account, in.RoleName)
}

type tagRoleInput struct {
	RoleName string
	Tags     []iam.Tag
}

func (h *handler) tagRole(ctx context.Context, c *api.Call, in *tagRoleInput) (*none, error) {
	return &none{}, h.svc.TagRole(ctx, c.Account, in.RoleName, in.Tags)
}

type untagRoleInput struct {
	RoleName string
	TagKeys  []string
}

func (h *handler) untagRole(ctx context.Context, c *api.Call, in *untagRoleInput) (*none, error) {
	return &none{}, h.svc.UntagRole(ctx, c.Account, in.RoleName, in.TagKeys)
}

type listRoleTagsInput struct {
	RoleName string
	paging
}

type listTagsOutput struct {
	Tags []iam.Tag
	truncation
}

func (h *handler) listRoleTags(ctx context.Context, c *api.Call, in *listRoleTagsInput) (*listTagsOutput, error) {
	tags, next, err := h.svc.ListRoleTags(ctx, c.Account, in.RoleName, in.page())
	if err != nil {
		return nil, err
	}
	return &listTagsOutput{Tags: nonNil(tags), truncation: truncated(next)}, nil
}

type rolePermissionsBoundaryInput struct{ RoleName, PermissionsBoundary string }

func (h *handler) putRolePermissionsBoundary(ctx context.Context, c *api.Call, in *rolePermissionsBoundaryInput) (*none, error) {
	return &none{}, h.svc.PutRolePermissionsBoundary(ctx, c.Account, in.RoleName, in.PermissionsBoundary)
}

func (h *handler) deleteRolePermissionsBoundary(ctx context.Context, c *api.Call, in *roleNameInput) (*none, error) {
	return &none{}, h.svc.DeleteRolePermissionsBoundary(ctx, c.Account, in.RoleName)
}

type putRolePolicyInput struct{ RoleName, PolicyName, PolicyDocument string }

func (h *handler) putRolePolicy(ctx context.Context, c *api.Call, in *putRolePolicyInput) (*none, error) {
	return &none{}, h.svc.PutRolePolicy(ctx, c.Account, in.RoleName, in.PolicyName, in.PolicyDocument)
}

type rolePolicyInput struct{ RoleName, PolicyName string }

type getRolePolicyOutput struct{ RoleName, PolicyName, PolicyDocument string }

func (h *handler) getRolePolicy(ctx context.Context, c *api.Call, in *rolePolicyInput) (*getRolePolicyOutput, error) {
	doc, err := h.svc.GetRolePolicy(ctx, c.Account, in.RoleName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &getRolePolicyOutput{RoleName: in.RoleName, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

type listRolePoliciesInput struct {
	RoleName string
	paging
}

type policyNamesOutput struct {
	PolicyNames []string
	truncation
}

func (h *handler) listRolePolicies(ctx context.Context, c *api.Call, in *listRolePoliciesInput) (*policyNamesOutput, error) {
	names, next, err := h.svc.ListRolePolicies(ctx, c.Account, in.RoleName, in.page())
	if err != nil {
		return nil, err
	}
	return &policyNamesOutput{PolicyNames: nonNil(names), truncation: truncated(next)}, nil
}

func (h *handler) deleteRolePolicy(ctx context.Context, c *api.Call, in *rolePolicyInput) (*none, error) {
	return &none{}, h.svc.DeleteRolePolicy(ctx, c.Account, in.RoleName, in.PolicyName)
}

type rolePolicyArnInput struct{ RoleName, PolicyArn string }

func (h *handler) attachRolePolicy(ctx context.Context, c *api.Call, in *rolePolicyArnInput) (*none, error) {
	return &none{}, h.svc.AttachRolePolicy(ctx, c.Account, in.RoleName, in.PolicyArn)
}

func (h *handler) detachRolePolicy(ctx context.Context, c *api.Call, in *rolePolicyArnInput) (*none, error) {
	return &none{}, h.svc.DetachRolePolicy(ctx, c.Account, in.RoleName, in.PolicyArn)
}

type listAttachedRolePoliciesInput struct {
	RoleName, PathPrefix string
	paging
}

type attachedPoliciesOutput struct {
	AttachedPolicies []iam.AttachedPolicy
	truncation
}

func (h *handler) listAttachedRolePolicies(ctx context.Context, c *api.Call, in *listAttachedRolePoliciesInput) (*attachedPoliciesOutput, error) {
	list, next, err := h.svc.ListAttachedRolePolicies(ctx, c.Account, in.RoleName, in.PathPrefix, in.page())
	if err != nil {
		return nil, err
	}
	return &attachedPoliciesOutput{AttachedPolicies: nonNil(list), truncation: truncated(next)}, nil
}
