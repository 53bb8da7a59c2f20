package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

type createGroupInput struct{ Path, GroupName string }

type groupOutput struct{ Group *iam.Group }

func (h *handler) createGroup(ctx context.Context, c *api.Call, in *createGroupInput) (*groupOutput, error) {
	g, err := h.svc.CreateGroup(ctx, c.Account, in.Path, in.GroupName)
	if err != nil {
		return nil, err
	}
	return &groupOutput{Group: g}, nil
}

type getGroupInput struct {
	GroupName string
	paging
}

type getGroupOutput struct {
	Group *iam.Group
	Users []iam.User
	truncation
}

func (h *handler) getGroup(ctx context.Context, c *api.Call, in *getGroupInput) (*getGroupOutput, error) {
	g, users, next, err := h.svc.GetGroup(ctx, c.Account, in.GroupName, in.page())
	if err != nil {
		return nil, err
	}
	return &getGroupOutput{Group: g, Users: nonNil(users), truncation: truncated(next)}, nil
}

type listGroupsInput struct {
	PathPrefix string
	paging
}

type groupsOutput struct {
	Groups []iam.Group
	truncation
}

func (h *handler) listGroups(ctx context.Context, c *api.Call, in *listGroupsInput) (*groupsOutput, error) {
	list, next, err := h.svc.ListGroups(ctx, c.Account, in.PathPrefix, in.page())
	if err != nil {
		return nil, err
	}
	return &groupsOutput{Groups: nonNil(list), truncation: truncated(next)}, nil
}

type updateGroupInput struct{ GroupName, NewPath, NewGroupName string }

func (h *handler) updateGroup(ctx context.Context, c *api.Call, in *updateGroupInput) (*none, error) {
	return &none{}, h.svc.UpdateGroup(ctx, c.Account, in.GroupName, in.NewPath, in.NewGroupName)
}

type groupNameInput struct{ GroupName string }

func (h *handler) deleteGroup(ctx context.Context, c *api.Call, in *groupNameInput) (*none, error) {
	return &none{}, h.svc.DeleteGroup(ctx, c.Account, in.GroupName)
}

type groupUserInput struct{ GroupName, UserName string }

func (h *handler) addUserToGroup(ctx context.Context, c *api.Call, in *groupUserInput) (*none, error) {
	return &none{}, h.svc.AddUserToGroup(ctx, c.Account, in.GroupName, in.UserName)
}

func (h *handler) removeUserFromGroup(ctx context.Context, c *api.Call, in *groupUserInput) (*none, error) {
	return &none{}, h.svc.RemoveUserFromGroup(ctx, c.Account, in.GroupName, in.UserName)
}

type listGroupsForUserInput struct {
	UserName string
	paging
}

func (h *handler) listGroupsForUser(ctx context.Context, c *api.Call, in *listGroupsForUserInput) (*groupsOutput, error) {
	list, next, err := h.svc.ListGroupsForUser(ctx, c.Account, in.UserName, in.page())
	if err != nil {
		return nil, err
	}
	return &groupsOutput{Groups: nonNil(list), truncation: truncated(next)}, nil
}

type putGroupPolicyInput struct{ GroupName, PolicyName, PolicyDocument string }

func (h *handler) putGroupPolicy(ctx context.Context, c *api.Call, in *putGroupPolicyInput) (*none, error) {
	return &none{}, h.svc.PutGroupPolicy(ctx, c.Account, in.GroupName, in.PolicyName, in.PolicyDocument)
}

type groupPolicyInput struct{ GroupName, PolicyName string }

type getGroupPolicyOutput struct{ GroupName, PolicyName, PolicyDocument string }

func (h *handler) getGroupPolicy(ctx context.Context, c *api.Call, in *groupPolicyInput) (*getGroupPolicyOutput, error) {
	doc, err := h.svc.GetGroupPolicy(ctx, c.Account, in.GroupName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &getGroupPolicyOutput{GroupName: in.GroupName, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

type listGroupPoliciesInput struct {
	GroupName string
	paging
}

func (h *handler) listGroupPolicies(ctx context.Context, c *api.Call, in *listGroupPoliciesInput) (*policyNamesOutput, error) {
	names, next, err := h.svc.ListGroupPolicies(ctx, c.Account, in.GroupName, in.page())
	if err != nil {
		return nil, err
	}
	return &policyNamesOutput{PolicyNames: nonNil(names), truncation: truncated(next)}, nil
}

func (h *handler) deleteGroupPolicy(ctx context.Context, c *api.Call, in *groupPolicyInput) (*none, error) {
	return &none{}, h.svc.DeleteGroupPolicy(ctx, c.Account, in.GroupName, in.PolicyName)
}

type groupPolicyArnInput struct{ GroupName, PolicyArn string }

func (h *handler) attachGroupPolicy(ctx context.Context, c *api.Call, in *groupPolicyArnInput) (*none, error) {
	return &none{}, h.svc.AttachGroupPolicy(ctx, c.Account, in.GroupName, in.PolicyArn)
}

func (h *handler) detachGroupPolicy(ctx context.Context, c *api.Call, in *groupPolicyArnInput) (*none, error) {
	return &none{}, h.svc.DetachGroupPolicy(ctx, c.Account, in.GroupName, in.PolicyArn)
}

type listAttachedGroupPoliciesInput struct {
	GroupName, PathPrefix string
	paging
}

func (h *handler) listAttachedGroupPolicies(ctx context.Context, c *api.Call, in *listAttachedGroupPoliciesInput) (*attachedPoliciesOutput, error) {
	list, next, err := h.svc.ListAttachedGroupPolicies(ctx, c.Account, in.GroupName, in.PathPrefix, in.page())
	if err != nil {
		return nil, err
	}
	return &attachedPoliciesOutput{AttachedPolicies: nonNil(list), truncation: truncated(next)}, nil
}
