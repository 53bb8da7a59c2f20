// Package iamapi binds the IAM domain (internal/iam) to AWS's IAM
// operations. Each handler has an input and an output struct whose field
// names are the IAM model's member names (see internal/api for the field
// conventions); the protocol codec has validated every model constraint
// before a handler runs, so handlers only translate.
package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/resolve"
)

type handler struct {
	svc *iam.Service
	res resolve.IAM
}

// New returns the IAM operations rolecall implements, each declaring what
// it acts on through res. IAM is global: every call is in us-east-1.
func New(res resolve.IAM) *api.Service {
	s := api.NewService("iam", (&handler{svc: res.Svc, res: res}).bindings()...)
	s.Region = authz.IAMRegion
	return s
}

func (h *handler) bindings() []*api.Operation {
	type (
		rn    = roleNameInput
		un    = userNameInput
		gn    = groupNameInput
		ipn   = instanceProfileNameInput
		pa    = policyArnInput
		pv    = policyVersionInput
		lrti  = listRoleTagsInput
		scn   = serverCertificateNameInput
		ssci  = serviceSpecificCredentialIdInput
		ussci = updateServiceSpecificCredentialInput
	)
	ops := []*api.Operation{
		// Roles.
		api.Op("CreateRole", h.createRole, created("role", func(in *createRoleInput) string { return in.Path }, func(in *createRoleInput) string { return in.RoleName })),
		api.Op("GetRole", h.getRole, on(h.res.Role, func(in *rn) string { return in.RoleName })),
		api.Op("ListRoles", h.listRoles, listed("role", func(in *listRolesInput) string { return in.PathPrefix })),
		api.Op("UpdateRole", h.updateRole, on(h.res.Role, func(in *updateRoleInput) string { return in.RoleName })),
		api.Op("UpdateRoleDescription", h.updateRoleDescription, on(h.res.Role, func(in *updateRoleDescriptionInput) string { return in.RoleName })),
		api.Op("UpdateAssumeRolePolicy", h.updateAssumeRolePolicy, on(h.res.Role, func(in *updateAssumeRolePolicyInput) string { return in.RoleName })),
		api.Op("DeleteRole", h.deleteRole, on(h.res.Role, func(in *rn) string { return in.RoleName })),
		api.Op("TagRole", h.tagRole, on(h.res.Role, func(in *tagRoleInput) string { return in.RoleName })),
		api.Op("UntagRole", h.untagRole, on(h.res.Role, func(in *untagRoleInput) string { return in.RoleName })),
		api.Op("ListRoleTags", h.listRoleTags, on(h.res.Role, func(in *lrti) string { return in.RoleName })),
		api.Op("PutRolePermissionsBoundary", h.putRolePermissionsBoundary, on(h.res.Role, func(in *rolePermissionsBoundaryInput) string { return in.RoleName })),
		api.Op("DeleteRolePermissionsBoundary", h.deleteRolePermissionsBoundary, on(h.res.Role, func(in *rn) string { return in.RoleName })),
		api.Op("PutRolePolicy", h.putRolePolicy, on(h.res.Role, func(in *putRolePolicyInput) string { return in.RoleName })),
		api.Op("GetRolePolicy", h.getRolePolicy, on(h.res.Role, func(in *rolePolicyInput) string { return in.RoleName })),
		api.Op("ListRolePolicies", h.listRolePolicies, on(h.res.Role, func(in *listRolePoliciesInput) string { return in.RoleName })),
		api.Op("DeleteRolePolicy", h.deleteRolePolicy, on(h.res.Role, func(in *rolePolicyInput) string { return in.RoleName })),
		api.Op("AttachRolePolicy", h.attachRolePolicy, on(h.res.Role, func(in *rolePolicyArnInput) string { return in.RoleName })),
		api.Op("DetachRolePolicy", h.detachRolePolicy, on(h.res.Role, func(in *rolePolicyArnInput) string { return in.RoleName })),
		api.Op("ListAttachedRolePolicies", h.listAttachedRolePolicies, on(h.res.Role, func(in *listAttachedRolePoliciesInput) string { return in.RoleName })),

		// Service-linked roles (slr.go).
		api.Op("CreateServiceLinkedRole", h.createServiceLinkedRole, acts(serviceLinkedRole)),
		api.Op("DeleteServiceLinkedRole", h.deleteServiceLinkedRole, on(h.res.Role, func(in *rn) string { return in.RoleName })),
		api.Op("GetServiceLinkedRoleDeletionStatus", h.getServiceLinkedRoleDeletionStatus, acts(h.deletionTaskRole)),

		// Access Advisor (advisor.go). Reading a report names no resource.
		api.Op("GenerateServiceLastAccessedDetails", h.generateServiceLastAccessedDetails, on(h.res.EntityARN, func(in *generateServiceLastAccessedDetailsInput) string { return in.Arn })),
		api.Op("GetServiceLastAccessedDetails", h.getServiceLastAccessedDetails, nil),
		api.Op("GetServiceLastAccessedDetailsWithEntities", h.getServiceLastAccessedDetailsWithEntities, nil),

		// Managed policies.
		api.Op("CreatePolicy", h.createPolicy, acts(func(_ context.Context, c *api.Call, in *createPolicyInput) (authz.Target, error) {
			return resolve.NewPolicy(c.Account, in.Path, in.PolicyName), nil
		})),
		api.Op("GetPolicy", h.getPolicy, on(h.res.Policy, func(in *pa) string { return in.PolicyArn })),
		// "iam:ListPolicies on resource: policy path /" (public reports).
		api.Op("ListPolicies", h.listPolicies, acts(func(_ context.Context, c *api.Call, in *listPoliciesInput) (authz.Target, error) {
			p := pathOr(in.PathPrefix)
			return authz.Target{ARN: "arn:aws:iam::" + c.Account + ":policy" + p, Display: "policy path " + p}, nil
		})),
		api.Op("DeletePolicy", h.deletePolicy, on(h.res.Policy, func(in *pa) string { return in.PolicyArn })),
		api.Op("CreatePolicyVersion", h.createPolicyVersion, on(h.res.Policy, func(in *createPolicyVersionInput) string { return in.PolicyArn })),
		api.Op("GetPolicyVersion", h.getPolicyVersion, on(h.res.Policy, func(in *pv) string { return in.PolicyArn })),
		api.Op("ListPolicyVersions", h.listPolicyVersions, on(h.res.Policy, func(in *listPolicyVersionsInput) string { return in.PolicyArn })),
		api.Op("DeletePolicyVersion", h.deletePolicyVersion, on(h.res.Policy, func(in *pv) string { return in.PolicyArn })),
		api.Op("SetDefaultPolicyVersion", h.setDefaultPolicyVersion, on(h.res.Policy, func(in *pv) string { return in.PolicyArn })),
		api.Op("ListEntitiesForPolicy", h.listEntitiesForPolicy, on(h.res.Policy, func(in *listEntitiesForPolicyInput) string { return in.PolicyArn })),
		api.Op("TagPolicy", h.tagPolicy, on(h.res.Policy, func(in *tagPolicyInput) string { return in.PolicyArn })),
		api.Op("UntagPolicy", h.untagPolicy, on(h.res.Policy, func(in *untagPolicyInput) string { return in.PolicyArn })),
		api.Op("ListPolicyTags", h.listPolicyTags, on(h.res.Policy, func(in *listPolicyTagsInput) string { return in.PolicyArn })),

		// Users and access keys.
		api.Op("CreateUser", h.createUser, created("user", func(in *createUserInput) string { return in.Path }, func(in *createUserInput) string { return in.UserName })),
		api.Op("GetUser", h.getUser, user(h, func(in *un) string { return in.UserName })),
		api.Op("ListUsers", h.listUsers, listed("user", func(in *listUsersInput) string { return in.PathPrefix })),
		api.Op("UpdateUser", h.updateUser, renamed(h.res.User, "user", func(in *updateUserInput) string { return in.UserName },
			func(in *updateUserInput) string { return in.NewPath }, func(in *updateUserInput) string { return in.NewUserName })),
		api.Op("DeleteUser", h.deleteUser, user(h, func(in *un) string { return in.UserName })),
		api.Op("TagUser", h.tagUser, user(h, func(in *tagUserInput) string { return in.UserName })),
		api.Op("UntagUser", h.untagUser, user(h, func(in *untagUserInput) string { return in.UserName })),
		api.Op("ListUserTags", h.listUserTags, user(h, func(in *listUserTagsInput) string { return in.UserName })),
		api.Op("PutUserPermissionsBoundary", h.putUserPermissionsBoundary, user(h, func(in *userPermissionsBoundaryInput) string { return in.UserName })),
		api.Op("DeleteUserPermissionsBoundary", h.deleteUserPermissionsBoundary, user(h, func(in *un) string { return in.UserName })),
		api.Op("PutUserPolicy", h.putUserPolicy, user(h, func(in *putUserPolicyInput) string { return in.UserName })),
		api.Op("GetUserPolicy", h.getUserPolicy, user(h, func(in *userPolicyInput) string { return in.UserName })),
		api.Op("ListUserPolicies", h.listUserPolicies, user(h, func(in *listUserPoliciesInput) string { return in.UserName })),
		api.Op("DeleteUserPolicy", h.deleteUserPolicy, user(h, func(in *userPolicyInput) string { return in.UserName })),
		api.Op("AttachUserPolicy", h.attachUserPolicy, user(h, func(in *userPolicyArnInput) string { return in.UserName })),
		api.Op("DetachUserPolicy", h.detachUserPolicy, user(h, func(in *userPolicyArnInput) string { return in.UserName })),
		api.Op("ListAttachedUserPolicies", h.listAttachedUserPolicies, user(h, func(in *listAttachedUserPoliciesInput) string { return in.UserName })),
		api.Op("CreateAccessKey", h.createAccessKey, user(h, func(in *accessKeyUserInput) string { return in.UserName })),
		api.Op("ListAccessKeys", h.listAccessKeys, user(h, func(in *listAccessKeysInput) string { return in.UserName })),
		api.Op("UpdateAccessKey", h.updateAccessKey, user(h, func(in *updateAccessKeyInput) string { return in.UserName })),
		api.Op("DeleteAccessKey", h.deleteAccessKey, user(h, func(in *deleteAccessKeyInput) string { return in.UserName })),
		api.Op("GetAccessKeyLastUsed", h.getAccessKeyLastUsed, acts(h.accessKeyOwner)),

		// Console sign-in (login.go): login profiles on their user; the
		// password policy and the alias have no resource type ("*").
		api.Op("CreateLoginProfile", h.createLoginProfile, user(h, func(in *createLoginProfileInput) string { return in.UserName })),
		api.Op("GetLoginProfile", h.getLoginProfile, user(h, func(in *un) string { return in.UserName })),
		api.Op("UpdateLoginProfile", h.updateLoginProfile, on(h.res.User, func(in *updateLoginProfileInput) string { return in.UserName })),
		api.Op("DeleteLoginProfile", h.deleteLoginProfile, user(h, func(in *un) string { return in.UserName })),
		api.Op("ChangePassword", h.changePassword, acts(h.ownUser)),
		api.Op("GetAccountPasswordPolicy", h.getAccountPasswordPolicy, nil),
		api.Op("UpdateAccountPasswordPolicy", h.updateAccountPasswordPolicy, nil),
		api.Op("DeleteAccountPasswordPolicy", h.deleteAccountPasswordPolicy, nil),
		api.Op("CreateAccountAlias", h.createAccountAlias, nil),
		api.Op("DeleteAccountAlias", h.deleteAccountAlias, nil),
		api.Op("ListAccountAliases", h.listAccountAliases, nil),

		// A user's other credentials (sshkeys.go, signingcerts.go,
		// servicecreds.go), server certificates (servercerts.go) and the
		// credential report (credreport.go).
		api.Op("UploadSSHPublicKey", h.uploadSSHPublicKey, on(h.res.User, func(in *uploadSSHPublicKeyInput) string { return in.UserName })),
		api.Op("GetSSHPublicKey", h.getSSHPublicKey, on(h.res.User, func(in *getSSHPublicKeyInput) string { return in.UserName })),
		api.Op("ListSSHPublicKeys", h.listSSHPublicKeys, user(h, func(in *listSSHPublicKeysInput) string { return in.UserName })),
		api.Op("UpdateSSHPublicKey", h.updateSSHPublicKey, on(h.res.User, func(in *updateSSHPublicKeyInput) string { return in.UserName })),
		api.Op("DeleteSSHPublicKey", h.deleteSSHPublicKey, on(h.res.User, func(in *sshPublicKeyIdInput) string { return in.UserName })),
		api.Op("UploadSigningCertificate", h.uploadSigningCertificate, user(h, func(in *uploadSigningCertificateInput) string { return in.UserName })),
		api.Op("ListSigningCertificates", h.listSigningCertificates, user(h, func(in *listSigningCertificatesInput) string { return in.UserName })),
		api.Op("UpdateSigningCertificate", h.updateSigningCertificate, user(h, func(in *updateSigningCertificateInput) string { return in.UserName })),
		api.Op("DeleteSigningCertificate", h.deleteSigningCertificate, user(h, func(in *deleteSigningCertificateInput) string { return in.UserName })),
		api.Op("CreateServiceSpecificCredential", h.createServiceSpecificCredential, on(h.res.User, func(in *createServiceSpecificCredentialInput) string { return in.UserName })),
		api.Op("ListServiceSpecificCredentials", h.listServiceSpecificCredentials, h.credentialsListed),
		api.Op("ResetServiceSpecificCredential", h.resetServiceSpecificCredential, serviceCredential(h, func(in *ssci) string { return in.UserName }, func(in *ssci) string { return in.ServiceSpecificCredentialId })),
		api.Op("UpdateServiceSpecificCredential", h.updateServiceSpecificCredential, serviceCredential(h, func(in *ussci) string { return in.UserName }, func(in *ussci) string { return in.ServiceSpecificCredentialId })),
		api.Op("DeleteServiceSpecificCredential", h.deleteServiceSpecificCredential, serviceCredential(h, func(in *ssci) string { return in.UserName }, func(in *ssci) string { return in.ServiceSpecificCredentialId })),
		api.Op("UploadServerCertificate", h.uploadServerCertificate, created("server-certificate", func(in *uploadServerCertificateInput) string { return in.Path },
			func(in *uploadServerCertificateInput) string { return in.ServerCertificateName })),
		api.Op("GetServerCertificate", h.getServerCertificate, on(h.res.ServerCertificate, func(in *scn) string { return in.ServerCertificateName })),
		api.Op("ListServerCertificates", h.listServerCertificates, nil),
		// "must have permission to change the server certificate with the
		// old name and the new name" (UpdateServerCertificate API reference).
		api.Op("UpdateServerCertificate", h.updateServerCertificate, renamed(h.res.ServerCertificate, "server-certificate", func(in *updateServerCertificateInput) string { return in.ServerCertificateName },
			func(in *updateServerCertificateInput) string { return in.NewPath }, func(in *updateServerCertificateInput) string { return in.NewServerCertificateName })),
		api.Op("DeleteServerCertificate", h.deleteServerCertificate, on(h.res.ServerCertificate, func(in *scn) string { return in.ServerCertificateName })),
		api.Op("TagServerCertificate", h.tagServerCertificate, on(h.res.ServerCertificate, func(in *tagServerCertificateInput) string { return in.ServerCertificateName })),
		api.Op("UntagServerCertificate", h.untagServerCertificate, on(h.res.ServerCertificate, func(in *untagServerCertificateInput) string { return in.ServerCertificateName })),
		api.Op("ListServerCertificateTags", h.listServerCertificateTags, on(h.res.ServerCertificate, func(in *listServerCertificateTagsInput) string { return in.ServerCertificateName })),
		api.Op("GenerateCredentialReport", h.generateCredentialReport, nil),
		api.Op("GetCredentialReport", h.getCredentialReport, nil),

		// Groups.
		api.Op("CreateGroup", h.createGroup, created("group", func(in *createGroupInput) string { return in.Path }, func(in *createGroupInput) string { return in.GroupName })),
		api.Op("GetGroup", h.getGroup, on(h.res.Group, func(in *getGroupInput) string { return in.GroupName })),
		api.Op("ListGroups", h.listGroups, listed("group", func(in *listGroupsInput) string { return in.PathPrefix })),
		api.Op("UpdateGroup", h.updateGroup, renamed(h.res.Group, "group", func(in *updateGroupInput) string { return in.GroupName },
			func(in *updateGroupInput) string { return in.NewPath }, func(in *updateGroupInput) string { return in.NewGroupName })),
		api.Op("DeleteGroup", h.deleteGroup, on(h.res.Group, func(in *gn) string { return in.GroupName })),
		api.Op("AddUserToGroup", h.addUserToGroup, on(h.res.Group, func(in *groupUserInput) string { return in.GroupName })),
		api.Op("RemoveUserFromGroup", h.removeUserFromGroup, on(h.res.Group, func(in *groupUserInput) string { return in.GroupName })),
		api.Op("ListGroupsForUser", h.listGroupsForUser, user(h, func(in *listGroupsForUserInput) string { return in.UserName })),
		api.Op("PutGroupPolicy", h.putGroupPolicy, on(h.res.Group, func(in *putGroupPolicyInput) string { return in.GroupName })),
		api.Op("GetGroupPolicy", h.getGroupPolicy, on(h.res.Group, func(in *groupPolicyInput) string { return in.GroupName })),
		api.Op("ListGroupPolicies", h.listGroupPolicies, on(h.res.Group, func(in *listGroupPoliciesInput) string { return in.GroupName })),
		api.Op("DeleteGroupPolicy", h.deleteGroupPolicy, on(h.res.Group, func(in *groupPolicyInput) string { return in.GroupName })),
		api.Op("AttachGroupPolicy", h.attachGroupPolicy, on(h.res.Group, func(in *groupPolicyArnInput) string { return in.GroupName })),
		api.Op("DetachGroupPolicy", h.detachGroupPolicy, on(h.res.Group, func(in *groupPolicyArnInput) string { return in.GroupName })),
		api.Op("ListAttachedGroupPolicies", h.listAttachedGroupPolicies, on(h.res.Group, func(in *listAttachedGroupPoliciesInput) string { return in.GroupName })),

		// Instance profiles.
		api.Op("CreateInstanceProfile", h.createInstanceProfile, created("instance-profile", func(in *createInstanceProfileInput) string { return in.Path },
			func(in *createInstanceProfileInput) string { return in.InstanceProfileName })),
		api.Op("GetInstanceProfile", h.getInstanceProfile, on(h.res.InstanceProfile, func(in *ipn) string { return in.InstanceProfileName })),
		api.Op("ListInstanceProfiles", h.listInstanceProfiles, listed("instance-profile", func(in *listInstanceProfilesInput) string { return in.PathPrefix })),
		api.Op("DeleteInstanceProfile", h.deleteInstanceProfile, on(h.res.InstanceProfile, func(in *ipn) string { return in.InstanceProfileName })),
		// "The caller of this operation must be granted the PassRole
		// permission on the IAM role by a permissions policy"
		// (AddRoleToInstanceProfile API reference).
		api.Also(api.Op("AddRoleToInstanceProfile", h.addRoleToInstanceProfile, on(h.res.InstanceProfile, func(in *instanceProfileRoleInput) string { return in.InstanceProfileName })),
			"iam:PassRole", on(h.res.Role, func(in *instanceProfileRoleInput) string { return in.RoleName })),
		api.Op("RemoveRoleFromInstanceProfile", h.removeRoleFromInstanceProfile, on(h.res.InstanceProfile, func(in *instanceProfileRoleInput) string { return in.InstanceProfileName })),
		api.Op("ListInstanceProfilesForRole", h.listInstanceProfilesForRole, on(h.res.Role, func(in *listInstanceProfilesForRoleInput) string { return in.RoleName })),
		api.Op("TagInstanceProfile", h.tagInstanceProfile, on(h.res.InstanceProfile, func(in *tagInstanceProfileInput) string { return in.InstanceProfileName })),
		api.Op("UntagInstanceProfile", h.untagInstanceProfile, on(h.res.InstanceProfile, func(in *untagInstanceProfileInput) string { return in.InstanceProfileName })),
		api.Op("ListInstanceProfileTags", h.listInstanceProfileTags, on(h.res.InstanceProfile, func(in *listInstanceProfileTagsInput) string { return in.InstanceProfileName })),

		// Account.
		api.Op("GetAccountSummary", h.getAccountSummary, nil),
		// The Service Authorization Reference gives it no resource type:
		// "iam:GetAccountAuthorizationDetails on resource: *".
		api.Op("GetAccountAuthorizationDetails", h.getAccountAuthorizationDetails, nil),

		// Policy simulator (simulate.go): the custom policy calls name no
		// resource; the principal calls the entity whose policies they read.
		api.Op("SimulateCustomPolicy", h.simulateCustomPolicy, nil),
		api.Op("SimulatePrincipalPolicy", h.simulatePrincipalPolicy, on(h.res.EntityARN, func(in *simulatePrincipalPolicyInput) string { return in.PolicySourceArn })),
		api.Op("GetContextKeysForCustomPolicy", h.getContextKeysForCustomPolicy, nil),
		api.Op("GetContextKeysForPrincipalPolicy", h.getContextKeysForPrincipalPolicy, on(h.res.EntityARN, func(in *contextKeysPrincipalInput) string { return in.PolicySourceArn })),
	}
	// Identity providers.
	ops = append(ops, h.oidcProviderOps()...)
	ops = append(ops, h.samlProviderOps()...)
	// MFA devices (mfa.go).
	ops = append(ops, h.mfaBindings()...)
	// Account settings, delegation requests, Organizations (extras.go).
	return append(ops, h.extraBindings()...)
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
