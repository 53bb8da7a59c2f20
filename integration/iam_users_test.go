package integration

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestUsersAndAccessKeys(t *testing.T) {
	c := newIAM(t)
	u := must(t, c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/dev/")})).User
	if aws.ToString(u.Arn) != "arn:aws:iam::"+account+":user/dev/alice" || !strings.HasPrefix(aws.ToString(u.UserId), "AIDA") {
		t.Errorf("user %+v", u)
	}
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
	wantErr(t, err, 409, "EntityAlreadyExists", "User with name ALICE already exists.")
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name bob cannot be found.")

	k1 := must(t, c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	if !strings.HasPrefix(aws.ToString(k1.AccessKeyId), "AKIA") || len(aws.ToString(k1.AccessKeyId)) != 20 ||
		len(aws.ToString(k1.SecretAccessKey)) != 40 || k1.Status != types.StatusTypeActive {
		t.Errorf("key %+v", k1)
	}
	must(t, c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	wantErr(t, err, 409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	keys := must(t, c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})).AccessKeyMetadata
	if len(keys) != 2 {
		t.Errorf("keys %d", len(keys))
	}
	must(t, c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k1.AccessKeyId, Status: types.StatusTypeInactive}))
	used := must(t, c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k1.AccessKeyId}))
	if aws.ToString(used.UserName) != "alice" {
		t.Errorf("last used %+v", used)
	}

	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete access keys first.")
	for _, k := range keys {
		must(t, c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}))
	}
	must(t, c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read"), PolicyDocument: aws.String(s3ReadPolicy)}))
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	must(t, c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read")}))
	must(t, c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	att := must(t, c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")})).AttachedPolicies
	if len(att) != 1 {
		t.Errorf("attached %+v", att)
	}
	must(t, c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	must(t, c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))
}

func TestGroups(t *testing.T) {
	c := newIAM(t)
	must(t, c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	g := must(t, c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})).Group
	if aws.ToString(g.Arn) != "arn:aws:iam::"+account+":group/devs" || !strings.HasPrefix(aws.ToString(g.GroupId), "AGPA") {
		t.Errorf("group %+v", g)
	}
	must(t, c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	got := must(t, c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")}))
	if len(got.Users) != 1 || aws.ToString(got.Users[0].UserName) != "alice" {
		t.Errorf("members %+v", got.Users)
	}
	groups := must(t, c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")})).Groups
	if len(groups) != 1 || aws.ToString(groups[0].GroupName) != "devs" {
		t.Errorf("groups for user %+v", groups)
	}
	must(t, c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read"), PolicyDocument: aws.String(s3ReadPolicy)}))
	if names := must(t, c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("devs")})).PolicyNames; len(names) != 1 {
		t.Errorf("group policies %v", names)
	}
	_, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("ops")})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name ops cannot be found.")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	must(t, c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	must(t, c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read")}))
	must(t, c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")}))
	must(t, c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))
}

func TestInstanceProfiles(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "ecsInstanceRole")
	createRole(t, c, "other")
	ip := must(t, c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ecs")})).InstanceProfile
	if aws.ToString(ip.Arn) != "arn:aws:iam::"+account+":instance-profile/ecs" || !strings.HasPrefix(aws.ToString(ip.InstanceProfileId), "AIPA") || ip.Roles == nil {
		t.Errorf("profile %+v", ip)
	}
	must(t, c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecs"), RoleName: aws.String("ecsInstanceRole")}))
	_, err := c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecs"), RoleName: aws.String("other")})
	wantErr(t, err, 409, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	got := must(t, c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("ecs")})).InstanceProfile
	if len(got.Roles) != 1 || aws.ToString(got.Roles[0].RoleName) != "ecsInstanceRole" {
		t.Errorf("roles %+v", got.Roles)
	}
	for_ := must(t, c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ecsInstanceRole")})).InstanceProfiles
	if len(for_) != 1 {
		t.Errorf("profiles for role %+v", for_)
	}
	_, err = c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("ecs")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("ecsInstanceRole")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	must(t, c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ecs"), RoleName: aws.String("ecsInstanceRole")}))
	must(t, c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("ecs")}))
	_, err = c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("ecs")})
	wantErr(t, err, 404, "NoSuchEntity", "Instance Profile ecs cannot be found.")
}

func TestAccountSummary(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "a")
	createRole(t, c, "b")
	m := must(t, c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap
	for k, want := range map[types.SummaryKeyType]int32{
		types.SummaryKeyTypeRoles: 2, types.SummaryKeyTypeRolesQuota: 1000, types.SummaryKeyTypeUsersQuota: 5000,
		types.SummaryKeyTypeGroupsQuota: 300, types.SummaryKeyTypePoliciesQuota: 1500, types.SummaryKeyTypeAttachedPoliciesPerRoleQuota: 10,
	} {
		if m[string(k)] != want {
			t.Errorf("%s = %d, want %d", k, m[string(k)], want)
		}
	}
}
