// Package iamapi binds the IAM domain (internal/iam) to AWS's IAM
// operations. Each handler has an input and an output struct whose field
// names are the IAM model's member names (see internal/api for the field
// conventions); the protocol codec has validated every model constraint
// before a handler runs, so handlers only translate.
package iamapi

import (
	"context"
	"reflect"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

type handler struct{ svc *iam.Service }

// New returns the IAM operations rolecall implements.
func New(svc *iam.Service) *api.Service {
	bs := (&handler{svc: svc}).bindings()
	ops := make([]*api.Operation, len(bs))
	for i, b := range bs {
		ops[i] = b.op
	}
	return api.NewService("iam", ops...)
}

// binding is an operation with its output type, which the operation itself
// does not expose (tests check it against the model).
type binding struct {
	op  *api.Operation
	out reflect.Type
}

func bind[In, Out any](name string, fn func(ctx context.Context, c *api.Call, in *In) (*Out, error)) binding {
	return binding{op: api.Op(name, fn), out: reflect.TypeFor[Out]()}
}

func (h *handler) bindings() []binding {
	return []binding{
		// Roles.
		bind("CreateRole", h.createRole),
		bind("GetRole", h.getRole),
		bind("ListRoles", h.listRoles),
		bind("UpdateRole", h.updateRole),
		bind("UpdateRoleDescription", h.updateRoleDescription),
		bind("UpdateAssumeRolePolicy", h.updateAssumeRolePolicy),
		bind("DeleteRole", h.deleteRole),
		bind("TagRole", h.tagRole),
		bind("UntagRole", h.untagRole),
		bind("ListRoleTags", h.listRoleTags),
		bind("PutRolePermissionsBoundary", h.putRolePermissionsBoundary),
		bind("DeleteRolePermissionsBoundary", h.deleteRolePermissionsBoundary),
		bind("PutRolePolicy", h.putRolePolicy),
		bind("GetRolePolicy", h.getRolePolicy),
		bind("ListRolePolicies", h.listRolePolicies),
		bind("DeleteRolePolicy", h.deleteRolePolicy),
		bind("AttachRolePolicy", h.attachRolePolicy),
		bind("DetachRolePolicy", h.detachRolePolicy),
		bind("ListAttachedRolePolicies", h.listAttachedRolePolicies),

		// Service-linked roles (slr.go).
		bind("CreateServiceLinkedRole", h.createServiceLinkedRole),
		bind("DeleteServiceLinkedRole", h.deleteServiceLinkedRole),
		bind("GetServiceLinkedRoleDeletionStatus", h.getServiceLinkedRoleDeletionStatus),

		// Access Advisor (advisor.go).
		bind("GenerateServiceLastAccessedDetails", h.generateServiceLastAccessedDetails),
		bind("GetServiceLastAccessedDetails", h.getServiceLastAccessedDetails),
		bind("GetServiceLastAccessedDetailsWithEntities", h.getServiceLastAccessedDetailsWithEntities),

		// Managed policies.
		bind("CreatePolicy", h.createPolicy),
		bind("GetPolicy", h.getPolicy),
		bind("ListPolicies", h.listPolicies),
		bind("DeletePolicy", h.deletePolicy),
		bind("CreatePolicyVersion", h.createPolicyVersion),
		bind("GetPolicyVersion", h.getPolicyVersion),
		bind("ListPolicyVersions", h.listPolicyVersions),
		bind("DeletePolicyVersion", h.deletePolicyVersion),
		bind("SetDefaultPolicyVersion", h.setDefaultPolicyVersion),
		bind("ListEntitiesForPolicy", h.listEntitiesForPolicy),
		bind("TagPolicy", h.tagPolicy),
		bind("UntagPolicy", h.untagPolicy),
		bind("ListPolicyTags", h.listPolicyTags),

		// Users and access keys.
		bind("CreateUser", h.createUser),
		bind("GetUser", h.getUser),
		bind("ListUsers", h.listUsers),
		bind("UpdateUser", h.updateUser),
		bind("DeleteUser", h.deleteUser),
		bind("TagUser", h.tagUser),
		bind("UntagUser", h.untagUser),
		bind("ListUserTags", h.listUserTags),
		bind("PutUserPermissionsBoundary", h.putUserPermissionsBoundary),
		bind("DeleteUserPermissionsBoundary", h.deleteUserPermissionsBoundary),
		bind("PutUserPolicy", h.putUserPolicy),
		bind("GetUserPolicy", h.getUserPolicy),
		bind("ListUserPolicies", h.listUserPolicies),
		bind("DeleteUserPolicy", h.deleteUserPolicy),
		bind("AttachUserPolicy", h.attachUserPolicy),
		bind("DetachUserPolicy", h.detachUserPolicy),
		bind("ListAttachedUserPolicies", h.listAttachedUserPolicies),
		bind("CreateAccessKey", h.createAccessKey),
		bind("ListAccessKeys", h.listAccessKeys),
		bind("UpdateAccessKey", h.updateAccessKey),
		bind("DeleteAccessKey", h.deleteAccessKey),
		bind("GetAccessKeyLastUsed", h.getAccessKeyLastUsed),

		// Groups.
		bind("CreateGroup", h.createGroup),
		bind("GetGroup", h.getGroup),
		bind("ListGroups", h.listGroups),
		bind("UpdateGroup", h.updateGroup),
		bind("DeleteGroup", h.deleteGroup),
		bind("AddUserToGroup", h.addUserToGroup),
		bind("RemoveUserFromGroup", h.removeUserFromGroup),
		bind("ListGroupsForUser", h.listGroupsForUser),
		bind("PutGroupPolicy", h.putGroupPolicy),
		bind("GetGroupPolicy", h.getGroupPolicy),
		bind("ListGroupPolicies", h.listGroupPolicies),
		bind("DeleteGroupPolicy", h.deleteGroupPolicy),
		bind("AttachGroupPolicy", h.attachGroupPolicy),
		bind("DetachGroupPolicy", h.detachGroupPolicy),
		bind("ListAttachedGroupPolicies", h.listAttachedGroupPolicies),

		// Instance profiles.
		bind("CreateInstanceProfile", h.createInstanceProfile),
		bind("GetInstanceProfile", h.getInstanceProfile),
		bind("ListInstanceProfiles", h.listInstanceProfiles),
		bind("DeleteInstanceProfile", h.deleteInstanceProfile),
		bind("AddRoleToInstanceProfile", h.addRoleToInstanceProfile),
		bind("RemoveRoleFromInstanceProfile", h.removeRoleFromInstanceProfile),
		bind("ListInstanceProfilesForRole", h.listInstanceProfilesForRole),
		bind("TagInstanceProfile", h.tagInstanceProfile),
		bind("UntagInstanceProfile", h.untagInstanceProfile),
		bind("ListInstanceProfileTags", h.listInstanceProfileTags),

		// Account.
		bind("GetAccountSummary", h.getAccountSummary),

		// Policy simulator (simulate.go).
		bind("SimulateCustomPolicy", h.simulateCustomPolicy),
		bind("SimulatePrincipalPolicy", h.simulatePrincipalPolicy),
		bind("GetContextKeysForCustomPolicy", h.getContextKeysForCustomPolicy),
		bind("GetContextKeysForPrincipalPolicy", h.getContextKeysForPrincipalPolicy),
	}
}

// paging is the Marker/MaxItems pair of every IAM list request.
type paging struct {
	Marker   string
	MaxItems int32
}

func (p paging) page() iam.Page { return iam.Page{Marker: p.Marker, MaxItems: p.MaxItems} }

// truncation is the IsTruncated/Marker pair of every IAM list answer.
type truncation struct {
	IsTruncated bool
	Marker      string
}

func truncated(next string) truncation { return truncation{IsTruncated: next != "", Marker: next} }

// none is the output of operations that answer no members.
type none = struct{}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
