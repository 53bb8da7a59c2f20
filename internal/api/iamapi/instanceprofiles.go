package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

type createInstanceProfileInput struct {
	InstanceProfileName, Path string
	Tags                      []iam.Tag
}

type instanceProfileOutput struct{ InstanceProfile *iam.InstanceProfile }

func (h *handler) createInstanceProfile(ctx context.Context, c *api.Call, in *createInstanceProfileInput) (*instanceProfileOutput, error) {
	p, err := h.svc.CreateInstanceProfile(ctx, c.Account, in.InstanceProfileName, in.Path, in.Tags)
	if err != nil {
		return nil, err
	}
	return &instanceProfileOutput{InstanceProfile: p}, nil
}

type instanceProfileNameInput struct{ InstanceProfileName string }

func (h *handler) getInstanceProfile(ctx context.Context, c *api.Call, in *instanceProfileNameInput) (*instanceProfileOutput, error) {
	p, err := h.svc.GetInstanceProfile(ctx, c.Account, in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	return &instanceProfileOutput{InstanceProfile: p}, nil
}

type listInstanceProfilesInput struct {
	PathPrefix string
	paging
}

type instanceProfilesOutput struct {
	InstanceProfiles []iam.InstanceProfile
	truncation
}

func (h *handler) listInstanceProfiles(ctx context.Context, c *api.Call, in *listInstanceProfilesInput) (*instanceProfilesOutput, error) {
	list, next, err := h.svc.ListInstanceProfiles(ctx, c.Account, in.PathPrefix, in.page())
	if err != nil {
		return nil, err
	}
	return &instanceProfilesOutput{InstanceProfiles: nonNil(list), truncation: truncated(next)}, nil
}

func (h *handler) deleteInstanceProfile(ctx context.Context, c *api.Call, in *instanceProfileNameInput) (*none, error) {
	return &none{}, h.svc.DeleteInstanceProfile(ctx, c.Account, in.InstanceProfileName)
}

type instanceProfileRoleInput struct{ InstanceProfileName, RoleName string }

func (h *handler) addRoleToInstanceProfile(ctx context.Context, c *api.Call, in *instanceProfileRoleInput) (*none, error) {
	return &none{}, h.svc.AddRoleToInstanceProfile(ctx, c.Account, in.InstanceProfileName, in.RoleName)
}

func (h *handler) removeRoleFromInstanceProfile(ctx context.Context, c *api.Call, in *instanceProfileRoleInput) (*none, error) {
	return &none{}, h.svc.RemoveRoleFromInstanceProfile(ctx, c.Account, in.InstanceProfileName, in.RoleName)
}

type listInstanceProfilesForRoleInput struct {
	RoleName string
	paging
}

func (h *handler) listInstanceProfilesForRole(ctx context.Context, c *api.Call, in *listInstanceProfilesForRoleInput) (*instanceProfilesOutput, error) {
	list, next, err := h.svc.ListInstanceProfilesForRole(ctx, c.Account, in.RoleName, in.page())
	if err != nil {
		return nil, err
	}
	return &instanceProfilesOutput{InstanceProfiles: nonNil(list), truncation: truncated(next)}, nil
}

type tagInstanceProfileInput struct {
	InstanceProfileName string
	Tags                []iam.Tag
}

func (h *handler) tagInstanceProfile(ctx context.Context, c *api.Call, in *tagInstanceProfileInput) (*none, error) {
	return &none{}, h.svc.TagInstanceProfile(ctx, c.Account, in.InstanceProfileName, in.Tags)
}

type untagInstanceProfileInput struct {
	InstanceProfileName string
	TagKeys             []string
}

func (h *handler) untagInstanceProfile(ctx context.Context, c *api.Call, in *untagInstanceProfileInput) (*none, error) {
	return &none{}, h.svc.UntagInstanceProfile(ctx, c.Account, in.InstanceProfileName, in.TagKeys)
}

type listInstanceProfileTagsInput struct {
	InstanceProfileName string
	paging
}

func (h *handler) listInstanceProfileTags(ctx context.Context, c *api.Call, in *listInstanceProfileTagsInput) (*listTagsOutput, error) {
	tags, next, err := h.svc.ListInstanceProfileTags(ctx, c.Account, in.InstanceProfileName, in.page())
	if err != nil {
		return nil, err
	}
	return &listTagsOutput{Tags: nonNil(tags), truncation: truncated(next)}, nil
}
