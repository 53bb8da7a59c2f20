package iam

import (
	"fmt"
	"net/http"

	"github.com/rolecall/rolecall/internal/awserr"
)

// AWS's error texts, in one place. Where a text is recorded from AWS the
// test that asserts it says so; the few that no public record shows are
// marked "unverified".

func errNoSuchRole(name string) error {
	return awserr.NoSuchEntity("The role with name %s cannot be found.", name)
}

func errRoleExists(name string) error {
	return awserr.EntityAlreadyExists("Role with name %s already exists.", name)
}

func errNoSuchUser(name string) error {
	return awserr.NoSuchEntity("The user with name %s cannot be found.", name)
}

func errUserExists(name string) error {
	return awserr.EntityAlreadyExists("User with name %s already exists.", name)
}

func errNoSuchGroup(name string) error {
	return awserr.NoSuchEntity("The group with name %s cannot be found.", name)
}

func errGroupExists(name string) error {
	return awserr.EntityAlreadyExists("Group with name %s already exists.", name)
}

func errNoSuchInstanceProfile(name string) error {
	return awserr.NoSuchEntity("Instance Profile %s cannot be found.", name)
}

func errInstanceProfileExists(name string) error {
	return awserr.EntityAlreadyExists("Instance Profile %s already exists.", name)
}

func errRoleNotInProfile(role, profile string) error {
	return awserr.NoSuchEntity("Role %s in Instance Profile %s cannot be found.", role, profile)
}

// errNoSuchInline: noun is "role", "user" or "group".
func errNoSuchInline(noun, name string) error {
	return awserr.NoSuchEntity("The %s policy with name %s cannot be found.", noun, name)
}

func errPolicyNotAttachable(arn string) error {
	return awserr.NoSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

func errPolicyNotFound(arn string) error {
	return awserr.NoSuchEntity("Policy %s was not found.", arn)
}

func errPolicyVersionNotFound(arn, version string) error {
	return awserr.NoSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, version)
}

func errPolicyExists(name string) error {
	return awserr.EntityAlreadyExists("A policy called %s already exists. Duplicate names are not allowed.", name)
}

func errBoundaryNotFound(arn string) error {
	return awserr.NoSuchEntity("Scope ARN: %s does not exist or is not attachable.", arn)
}

// errArnNotValid is for a PolicyArn that is not an ARN at all.
func errArnNotValid(arn string) error {
	return awserr.ValidationError("ARN %s is not valid.", arn)
}

// errBoundaryArnNotValid is for a PermissionsBoundary that is an ARN but not
// a policy's.
func errBoundaryArnNotValid(arn string) error {
	return awserr.InvalidInput("ARN %s is not valid.", arn)
}

func errNoSuchAccessKey(id string) error {
	return awserr.NoSuchEntity("The Access Key with id %s cannot be found.", id)
}

func errQuota(name string, limit int) error {
	return awserr.LimitExceeded("Cannot exceed quota for %s: %d", name, limit)
}

// errTagQuota answers a Tag* call that would leave an entity more than
// 50 tags. Recorded for TagOpenIDConnectProvider (LimitExceeded, 409,
// LocalStack's test_iam_oidc.snapshot.json, recorded against AWS 2026-02);
// that IAM answers alike for its other entities is unverified.
var errTagQuota = awserr.LimitExceeded("The number of tags has reached the maximum limit.")

func errInlineSize(limit int, noun, name string) error {
	return awserr.LimitExceeded("Maximum policy size of %d bytes exceeded for %s %s", limit, noun, name)
}

var (
	errDeleteConflictAttached = awserr.DeleteConflict("Cannot delete entity, must detach all policies first.")
	errDeleteConflictInline   = awserr.DeleteConflict("Cannot delete entity, must delete policies first.")
	errDeleteConflictProfile  = awserr.DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
	errDeleteConflictKeys     = awserr.DeleteConflict("Cannot delete entity, must delete access keys first.")
	errDeleteConflictGroups   = awserr.DeleteConflict("Cannot delete entity, must remove users from group first.")
	errDeleteConflictPolicy   = awserr.DeleteConflict("Cannot delete a policy attached to entities.")
	errDeleteConflictVersions = awserr.DeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	errDeleteDefaultVersion   = awserr.DeleteConflict("Cannot delete the default version of a policy.")
	errVersionLimit           = awserr.LimitExceeded("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	errServiceRolePath        = awserr.InvalidInput("Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles")
	errServiceRolePolicy      = awserr.PolicyNotAttachable("Cannot attach a Service Role Policy to a Customer Role.")
	errDuplicateTagKeys       = awserr.InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	errDuplicatePolicyTagKeys = awserr.InvalidInput("Duplicate tag keys found.")
	errUserNameRequired       = awserr.ValidationError("Must specify userName when calling with non-User credentials")
	errProfileRoleQuota       = errQuota("InstanceSessionsPerInstanceProfile", QuotaRolesPerInstanceProfile)
	errTrustPolicySize        = errQuota("ACLSizePerRole", QuotaTrustPolicySize)
	errManagedPolicySize      = errQuota("PolicySize", QuotaManagedPolicySize)
)

// errAWSManagedReadOnly answers a write to an AWS managed policy. Unverified:
// AWS refuses these as a cross-account write the caller has no permission
// for; the exact text for the root user is not in any public record found.
func errAWSManagedReadOnly(account, action, arn string) error {
	return awserr.AccessDenied("User: %s is not authorized to perform: iam:%s on resource: policy %s", rootArn(account), action, arn)
}

// errValidation words a constraint failure as AWS's ValidationError, for
// callers that reach the domain without going through the protocol codec
// (which checks the same model constraints first).
func errValidation(member, value, constraint string) error {
	return awserr.ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func errLength(member, value string, max int) error {
	if value == "" {
		return awserr.ValidationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	return errValidation(member, value, fmt.Sprintf("Member must have length less than or equal to %d", max))
}

// Service-linked roles. Recorded (aws-recorded-slr.json, test_service_role_*):
// errCustomSuffixNotAllowed, errServiceRoleNameTaken. Reported from AWS
// (aws-facts.md: aws-nuke #49, cloud-nuke #880): errProtectedRole.

func errCustomSuffixNotAllowed(principal string) error {
	return awserr.InvalidInput("Custom suffix is not allowed for %s", principal)
}

func errServiceRoleNameTaken(name string) error {
	return awserr.InvalidInput("Service role name %s has been taken in this account, please try a different suffix.", name)
}

// errProtectedRole answers every change to a service-linked role but its
// description.
func errProtectedRole(name string) error {
	return awserr.UnmodifiableEntity("Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", name)
}

// errUnknownLinkedService: unverified; no public record shows AWS's answer
// to CreateServiceLinkedRole for a service that has no service-linked role.
// InvalidInput is the code the API reference gives for a bad input value.
func errUnknownLinkedService(principal string) error {
	return awserr.InvalidInput("Service name %s is not known or not supported for service-linked roles.", principal)
}

// errNotServiceLinked: unverified; no public record shows AWS's answer to
// DeleteServiceLinkedRole for an ordinary role. NoSuchEntity is the only
// client error the API reference lists that fits (the operation looks for a
// service-linked role of that name and finds none).
func errNotServiceLinked(name string) error {
	return awserr.NoSuchEntity("The service-linked role with name %s cannot be found.", name)
}

// errNoSuchDeletionTask: the code is AWS's for unknown and purged tasks
// (gruntwork-io/cloud-nuke #1143: 404 NoSuchEntity); the text is
// unverified, worded as IAM's other NoSuchEntity answers.
func errNoSuchDeletionTask(id string) error {
	return awserr.NoSuchEntity("Deletion task %s cannot be found.", id)
}

// deletionInUseReason is a failed task's Reason. Unverified: the one public
// record of a failed deletion is CloudFormation relaying it as "SLR
// [AWSServiceRoleForCodeStarNotifications] is in use by other resources:
// [[RoleUsageType(Region=..., Resources=[...])]]"
// (awslabs/landing-zone-accelerator-on-aws #221); the RoleUsageList carries
// the list, so the Reason keeps the sentence.
func deletionInUseReason(name string) string {
	return "SLR [" + name + "] is in use by other resources"
}

// Console sign-in: login profiles, the account password policy, aliases.

// errNoSuchLoginProfile: as AWS answers GetLoginProfile, DeleteLoginProfile
// and ChangePassword for a user without a password ("An error occurred
// (NoSuchEntity) when calling the ChangePassword operation: Login Profile
// for User vs-code-user cannot be found.", a user's AWS output quoted in
// public material).
func errNoSuchLoginProfile(user string) error {
	return awserr.NoSuchEntity("Login Profile for User %s cannot be found.", user)
}

// errLoginProfileExists: recorded (LocalStack's
// test_iam_users.snapshot.json, test_login_profile_errors, against AWS
// 2026-02).
func errLoginProfileExists(user string) error {
	return awserr.EntityAlreadyExists("Login Profile for user %s already exists.", user)
}

// errNoPasswordPolicy: the domain name is the account ID ("NoSuchEntity:
// The Password Policy with domain name 856090093175 cannot be found.",
// turbot/steampipe-plugin-aws #369; aws/aws-cli #7265).
func errNoPasswordPolicy(account string) error {
	return awserr.NoSuchEntity("The Password Policy with domain name %s cannot be found.", account)
}

// errNoPasswordPolicyToDelete: DeleteAccountPasswordPolicy without a
// custom policy words it otherwise (recorded, LocalStack's
// test_iam_account_password_policy.snapshot.json, against AWS 2026-02).
var errNoPasswordPolicyToDelete = awserr.NoSuchEntity("The account policy with name PasswordPolicy cannot be found.")

// errAliasExists: another account, or this one, has the alias ("An error
// occurred (EntityAlreadyExists) when calling the CreateAccountAlias
// operation: The account alias security already exists.",
// awslabs/aws-deployment-framework #465).
func errAliasExists(alias string) error {
	return awserr.EntityAlreadyExists("The account alias %s already exists.", alias)
}

// errNoSuchAlias: DeleteAccountAlias naming an alias the account does not
// have. Unverified: worded as IAM's other NoSuchEntity answers.
func errNoSuchAlias(alias string) error {
	return awserr.NoSuchEntity("The account alias %s cannot be found.", alias)
}

// errLoginProfileBusy answers a password change that kept meeting another
// change to the same login profile. Unverified: the code is the one the
// API reference gives UpdateLoginProfile and ChangePassword for an entity
// "temporarily unmodifiable"; the text is rolecall's.
func errLoginProfileBusy(user string) error {
	return awserr.New(http.StatusConflict, "EntityTemporarilyUnmodifiable", "Login Profile for User %s is being changed by another request. Try again.", user)
}

var (
	// errPasswordPolicy answers a password the account policy (or AWS's
	// default) refuses, whichever rule it breaks ("Password does not
	// conform to the account password policy.", as CloudFormation relays
	// IAM's answer in public stack events, and the console for a reused
	// password).
	errPasswordPolicy = awserr.New(http.StatusBadRequest, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	// errDeleteConflictLoginProfile: "DeleteConflict: Cannot delete
	// entity, must delete login profile first." (HTTP 409, as Terraform
	// reports AWS's DeleteUser answer in public CI logs).
	errDeleteConflictLoginProfile = awserr.DeleteConflict("Cannot delete entity, must delete login profile first.")
	// errChangePasswordNotUser: ChangePassword is for IAM users only; the
	// root user "returns an InvalidUserType error" (aws CLI's
	// change-password example). The text is unverified: it is the one two
	// AWS-compatible IAM implementations give.
	errChangePasswordNotUser = awserr.New(http.StatusBadRequest, "InvalidUserType", "Only IAM Users can change their own password.")
	// errOldPasswordIncorrect: unverified, code and text. No public record
	// shows AWS's answer to ChangePassword with a wrong OldPassword; the
	// caller proved nothing, so it is refused as access is.
	errOldPasswordIncorrect = awserr.AccessDenied("The old password is incorrect.")
)
