// Package iamapi binds the IAM domain (internal/iam) to AWS's IAM
// operations. Each handler has an input and an output struct whose field
// names are the IAM model's member names (see internal/api for the field
// conventions); the protocol codec has validated every model constraint
// before a handler runs, so handlers only translate.
package iamapi

import (
	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

type handler struct{ svc *iam.Service }

// New returns the IAM operations rolecall implements.
func New(svc *iam.Service) *api.Service {
	return api.NewService("iam", (&handler{svc: svc}).bindings()...)
}

func (h *handler) bindings() []*api.Operation {
	return []*api.Operation{
		// Roles.
		api.Op("CreateRole", h.createRole),
		api.Op("GetRole", h.getRole),
		api.Op("ListRoles", h.listRoles),
		api.Op("UpdateRole", h.updateRole),
		api.Op("UpdateRoleDescription", h.updateRoleDescription),
		api.Op("UpdateAssumeRolePolicy", h.updateAssumeRolePolicy),
		api.Op("DeleteRole", h.deleteRole),
		api.Op("TagRole", h.tagRole),
		api.Op("UntagRole", h.untagRole),
		api.Op("ListRoleTags", h.listRoleTags),
		api.Op("PutRolePermissionsBoundary", h.putRolePermissionsBoundary),
		api.Op("DeleteRolePermissionsBoundary", h.deleteRolePermissionsBoundary),
		api.Op("PutRolePolicy", h.putRolePolicy),
		api.Op("GetRolePolicy", h.getRolePolicy),
		api.Op("ListRolePolicies", h.listRolePolicies),
		api.Op("DeleteRolePolicy", h.deleteRolePolicy),
		api.Op("AttachRolePolicy", h.attachRolePolicy),
		api.Op("DetachRolePolicy", h.detachRolePolicy),
		api.Op("ListAttachedRolePolicies", h.listAttachedRolePolicies),

		// Service-linked roles (slr.go).
		api.Op("CreateServiceLinkedRole", h.createServiceLinkedRole),
		api.Op("DeleteServiceLinkedRole", h.deleteServiceLinkedRole),
		api.Op("GetServiceLinkedRoleDeletionStatus", h.getServiceLinkedRoleDeletionStatus),

		// Access Advisor (advisor.go).
		api.Op("GenerateServiceLastAccessedDetails", h.generateServiceLastAccessedDetails),
		api.Op("GetServiceLastAccessedDetails", h.getServiceLastAccessedDetails),
		api.Op("GetServiceLastAccessedDetailsWithEntities", h.getServiceLastAccessedDetailsWithEntities),

		// Managed policies.
		api.Op("CreatePolicy", h.createPolicy),
		api.Op("GetPolicy", h.getPolicy),
		api.Op("ListPolicies", h.listPolicies),
		api.Op("DeletePolicy", h.deletePolicy),
		api.Op("CreatePolicyVersion", h.createPolicyVersion),
		api.Op("GetPolicyVersion", h.getPolicyVersion),
		api.Op("ListPolicyVersions", h.listPolicyVersions),
		api.Op("DeletePolicyVersion", h.deletePolicyVersion),
		api.Op("SetDefaultPolicyVersion", h.setDefaultPolicyVersion),
		api.Op("ListEntitiesForPolicy", h.listEntitiesForPolicy),
		api.Op("TagPolicy", h.tagPolicy),
		api.Op("UntagPolicy", h.untagPolicy),
		api.Op("ListPolicyTags", h.listPolicyTags),

		// Users and access keys.
		api.Op("CreateUser", h.createUser),
		api.Op("GetUser", h.getUser),
		api.Op("ListUsers", h.listUsers),
		api.Op("UpdateUser", h.updateUser),
		api.Op("DeleteUser", h.deleteUser),
		api.Op("TagUser", h.tagUser),
		api.Op("UntagUser", h.untagUser),
		api.Op("ListUserTags", h.listUserTags),
		api.Op("PutUserPermissionsBoundary", h.putUserPermissionsBoundary),
		api.Op("DeleteUserPermissionsBoundary", h.deleteUserPermissionsBoundary),
		api.Op("PutUserPolicy", h.putUserPolicy),
		api.Op("GetUserPolicy", h.getUserPolicy),
		api.Op("ListUserPolicies", h.listUserPolicies),
		api.Op("DeleteUserPolicy", h.deleteUserPolicy),
		api.Op("AttachUserPolicy", h.attachUserPolicy),
		api.Op("DetachUserPolicy", h.detachUserPolicy),
		api.Op("ListAttachedUserPolicies", h.listAttachedUserPolicies),
		api.Op("CreateAccessKey", h.createAccessKey),
		api.Op("ListAccessKeys", h.listAccessKeys),
		api.Op("UpdateAccessKey", h.updateAccessKey),
		api.Op("DeleteAccessKey", h.deleteAccessKey),
		api.Op("GetAccessKeyLastUsed", h.getAccessKeyLastUsed),

		// Groups.
		api.Op("CreateGroup", h.createGroup),
		api.Op("GetGroup", h.getGroup),
		api.Op("ListGroups", h.listGroups),
		api.Op("UpdateGroup", h.updateGroup),
		api.Op("DeleteGroup", h.deleteGroup),
		api.Op("AddUserToGroup", h.addUserToGroup),
		api.Op("RemoveUserFromGroup", h.removeUserFromGroup),
		api.Op("ListGroupsForUser", h.listGroupsForUser),
		api.Op("PutGroupPolicy", h.putGroupPolicy),
		api.Op("GetGroupPolicy", h.getGroupPolicy),
		api.Op("ListGroupPolicies", h.listGroupPolicies),
		api.Op("DeleteGroupPolicy", h.deleteGroupPolicy),
		api.Op("AttachGroupPolicy", h.attachGroupPolicy),
		api.Op("DetachGroupPolicy", h.detachGroupPolicy),
		api.Op("ListAttachedGroupPolicies", h.listAttachedGroupPolicies),

		// Instance profiles.
		api.Op("CreateInstanceProfile", h.createInstanceProfile),
		api.Op("GetInstanceProfile", h.getInstanceProfile),
		api.Op("ListInstanceProfiles", h.listInstanceProfiles),
		api.Op("DeleteInstanceProfile", h.deleteInstanceProfile),
		api.Op("AddRoleToInstanceProfile", h.addRoleToInstanceProfile),
		api.Op("RemoveRoleFromInstanceProfile", h.removeRoleFromInstanceProfile),
		api.Op("ListInstanceProfilesForRole", h.listInstanceProfilesForRole),
		api.Op("TagInstanceProfile", h.tagInstanceProfile),
		api.Op("UntagInstanceProfile", h.untagInstanceProfile),
		api.Op("ListInstanceProfileTags", h.listInstanceProfileTags),

		// Account.
		api.Op("GetAccountSummary", h.getAccountSummary),

		// Policy simulator (simulate.go).
		api.Op("SimulateCustomPolicy", h.simulateCustomPolicy),
		api.Op("SimulatePrincipalPolicy", h.simulatePrincipalPolicy),
		api.Op("GetContextKeysForCustomPolicy", h.getContextKeysForCustomPolicy),
		api.Op("GetContextKeysForPrincipalPolicy", h.getContextKeysForPrincipalPolicy),
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
