package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

type createUserInput struct {
	Path, UserName, PermissionsBoundary string
	Tags                                []iam.Tag
}

type userOutput struct{ User *iam.User }

func (h *handler) createUser(ctx context.Context, c *api.Call, in *createUserInput) (*userOutput, error) {
	u, err := h.svc.CreateUser(ctx, c.Account, iam.CreateUserInput(*in))
	if err != nil {
		return nil, err
	}
	return &userOutput{User: u}, nil
}

type userNameInput struct{ UserName string }

// getUser without a UserName answers for the caller: the root user (and,
// until authentication lands, every request) gets AWS's root answer.
func (h *handler) getUser(ctx context.Context, c *api.Call, in *userNameInput) (*userOutput, error) {
	var u *iam.User
	var err error
	switch caller := iam.CallerOf(c.PrincipalARN()); {
	case in.UserName != "":
		u, err = h.svc.GetUser(ctx, c.Account, in.UserName)
	case caller.Root:
		u, err = h.svc.RootUser(ctx, c.Account)
	default:
		var name string
		if name, err = iam.CallerUserName(c.PrincipalARN(), ""); err == nil {
			u, err = h.svc.GetUser(ctx, c.Account, name)
		}
	}
	if err != nil {
		return nil, err
	}
	return &userOutput{User: u}, nil
}

type listUsersInput struct {
	PathPrefix string
	paging
}

type listUsersOutput struct {
	Users []iam.User
	truncation
}

func (h *handler) listUsers(ctx context.Context, c *api.Call, in *listUsersInput) (*listUsersOutput, error) {
	list, next, err := h.svc.ListUsers(ctx, c.Account, in.PathPrefix, in.page())
	if err != nil {
		return nil, err
	}
	return &listUsersOutput{Users: nonNil(list), truncation: truncated(next)}, nil
}

type updateUserInput struct{ UserName, NewPath, NewUserName string }

func (h *handler) updateUser(ctx context.Context, c *api.Call, in *updateUserInput) (*none, error) {
	return &none{}, h.svc.UpdateUser(ctx, c.Account, in.UserName, in.NewPath, in.NewUserName)
}

func (h *handler) deleteUser(ctx context.Context, c *api.Call, in *userNameInput) (*none, error) {
	return &none{}, h.svc.DeleteUser(ctx, c.Account, in.UserName)
}

type tagUserInput struct {
	UserName string
	Tags     []iam.Tag
}

func (h *handler) tagUser(ctx context.Context, c *api.Call, in *tagUserInput) (*none, error) {
	return &none{}, h.svc.TagUser(ctx, c.Account, in.UserName, in.Tags)
}

type untagUserInput struct {
	UserName string
	TagKeys  []string
}

func (h *handler) untagUser(ctx context.Context, c *api.Call, in *untagUserInput) (*none, error) {
	return &none{}, h.svc.UntagUser(ctx, c.Account, in.UserName, in.TagKeys)
}

type listUserTagsInput struct {
	UserName string
	paging
}

func (h *handler) listUserTags(ctx context.Context, c *api.Call, in *listUserTagsInput) (*listTagsOutput, error) {
	tags, next, err := h.svc.ListUserTags(ctx, c.Account, in.UserName, in.page())
	if err != nil {
		return nil, err
	}
	return &listTagsOutput{Tags: nonNil(tags), truncation: truncated(next)}, nil
}

type userPermissionsBoundaryInput struct{ UserName, PermissionsBoundary string }

func (h *handler) putUserPermissionsBoundary(ctx context.Context, c *api.Call, in *userPermissionsBoundaryInput) (*none, error) {
	return &none{}, h.svc.PutUserPermissionsBoundary(ctx, c.Account, in.UserName, in.PermissionsBoundary)
}

func (h *handler) deleteUserPermissionsBoundary(ctx context.Context, c *api.Call, in *userNameInput) (*none, error) {
	return &none{}, h.svc.DeleteUserPermissionsBoundary(ctx, c.Account, in.UserName)
}

type putUserPolicyInput struct{ UserName, PolicyName, PolicyDocument string }

func (h *handler) putUserPolicy(ctx context.Context, c *api.Call, in *putUserPolicyInput) (*none, error) {
	return &none{}, h.svc.PutUserPolicy(ctx, c.Account, in.UserName, in.PolicyName, in.PolicyDocument)
}

type userPolicyInput struct{ UserName, PolicyName string }

type getUserPolicyOutput struct{ UserName, PolicyName, PolicyDocument string }

func (h *handler) getUserPolicy(ctx context.Context, c *api.Call, in *userPolicyInput) (*getUserPolicyOutput, error) {
	doc, err := h.svc.GetUserPolicy(ctx, c.Account, in.UserName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &getUserPolicyOutput{UserName: in.UserName, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

type listUserPoliciesInput struct {
	UserName string
	paging
}

func (h *handler) listUserPolicies(ctx context.Context, c *api.Call, in *listUserPoliciesInput) (*policyNamesOutput, error) {
	names, next, err := h.svc.ListUserPolicies(ctx, c.Account, in.UserName, in.page())
	if err != nil {
		return nil, err
	}
	return &policyNamesOutput{PolicyNames: nonNil(names), truncation: truncated(next)}, nil
}

func (h *handler) deleteUserPolicy(ctx context.Context, c *api.Call, in *userPolicyInput) (*none, error) {
	return &none{}, h.svc.DeleteUserPolicy(ctx, c.Account, in.UserName, in.PolicyName)
}

type userPolicyArnInput struct{ UserName, PolicyArn string }

func (h *handler) attachUserPolicy(ctx context.Context, c *api.Call, in *userPolicyArnInput) (*none, error) {
	return &none{}, h.svc.AttachUserPolicy(ctx, c.Account, in.UserName, in.PolicyArn)
}

func (h *handler) detachUserPolicy(ctx context.Context, c *api.Call, in *userPolicyArnInput) (*none, error) {
	return &none{}, h.svc.DetachUserPolicy(ctx, c.Account, in.UserName, in.PolicyArn)
}

type listAttachedUserPoliciesInput struct {
	UserName, PathPrefix string
	paging
}

func (h *handler) listAttachedUserPolicies(ctx context.Context, c *api.Call, in *listAttachedUserPoliciesInput) (*attachedPoliciesOutput, error) {
	list, next, err := h.svc.ListAttachedUserPolicies(ctx, c.Account, in.UserName, in.PathPrefix, in.page())
	if err != nil {
		return nil, err
	}
	return &attachedPoliciesOutput{AttachedPolicies: nonNil(list), truncation: truncated(next)}, nil
}

// Access keys. Without a UserName they belong to the calling user; the root
// user's own keys are not IAM's to manage here (rolecall's root key is the
// server's), so the root caller must name a user, except to list: it has
// no IAM-managed keys.

type accessKeyUserInput struct{ UserName string }

type createAccessKeyOutput struct{ AccessKey *iam.AccessKey }

func (h *handler) createAccessKey(ctx context.Context, c *api.Call, in *accessKeyUserInput) (*createAccessKeyOutput, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	k, err := h.svc.CreateAccessKey(ctx, c.Account, name)
	if err != nil {
		return nil, err
	}
	return &createAccessKeyOutput{AccessKey: k}, nil
}

type listAccessKeysInput struct {
	UserName string
	paging
}

type listAccessKeysOutput struct {
	AccessKeyMetadata []iam.AccessKeyMetadata
	truncation
}

func (h *handler) listAccessKeys(ctx context.Context, c *api.Call, in *listAccessKeysInput) (*listAccessKeysOutput, error) {
	if in.UserName == "" && iam.CallerOf(c.PrincipalARN()).Root {
		return &listAccessKeysOutput{AccessKeyMetadata: []iam.AccessKeyMetadata{}}, nil
	}
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	list, next, err := h.svc.ListAccessKeys(ctx, c.Account, name, in.page())
	if err != nil {
		return nil, err
	}
	return &listAccessKeysOutput{AccessKeyMetadata: nonNil(list), truncation: truncated(next)}, nil
}

type updateAccessKeyInput struct{ UserName, AccessKeyId, Status string }

func (h *handler) updateAccessKey(ctx context.Context, c *api.Call, in *updateAccessKeyInput) (*none, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	return &none{}, h.svc.UpdateAccessKey(ctx, c.Account, name, in.AccessKeyId, in.Status)
}

type deleteAccessKeyInput struct{ UserName, AccessKeyId string }

func (h *handler) deleteAccessKey(ctx context.Context, c *api.Call, in *deleteAccessKeyInput) (*none, error) {
	name, err := iam.CallerUserName(c.PrincipalARN(), in.UserName)
	if err != nil {
		return nil, err
	}
	return &none{}, h.svc.DeleteAccessKey(ctx, c.Account, name, in.AccessKeyId)
}

type accessKeyIdInput struct{ AccessKeyId string }

type getAccessKeyLastUsedOutput struct {
	UserName          string
	AccessKeyLastUsed *iam.AccessKeyLastUsed
}

func (h *handler) getAccessKeyLastUsed(ctx context.Context, c *api.Call, in *accessKeyIdInput) (*getAccessKeyLastUsedOutput, error) {
	name, last, err := h.svc.GetAccessKeyLastUsed(ctx, c.Account, c.PrincipalARN(), in.AccessKeyId)
	if err != nil {
		return nil, err
	}
	return &getAccessKeyLastUsedOutput{UserName: name, AccessKeyLastUsed: last}, nil
}
