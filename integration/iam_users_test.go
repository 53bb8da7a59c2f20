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
	u := must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/dev/")}))(t).User
	if aws.ToString(u.Arn) != "arn:aws:iam::"+account+":user/dev/alice" || !strings.HasPrefix(aws.ToString(u.UserId), "AIDA") {
		t.Errorf("user %+v", u)
	}
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
	wantErr(t, err, 409, "EntityAlreadyExists", "User with name ALICE already exists.")
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name bob cannot be found.")

	k1 := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t).AccessKey
	if !strings.HasPrefix(aws.ToString(k1.AccessKeyId), "AKIA") || len(aws.ToString(k1.AccessKeyId)) != 20 ||
		len(aws.ToString(k1.SecretAccessKey)) != 40 || k1.Status != types.StatusTypeActive {
		t.Errorf("key %+v", k1)
	}
	must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t)
	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	wantErr(t, err, 409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	keys := must(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))(t).AccessKeyMetadata
	if len(keys) != 2 {
		t.Errorf("keys %d", len(keys))
	}
	must(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k1.AccessKeyId, Status: types.StatusTypeInactive}))(t)
	used := must(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k1.AccessKeyId}))(t)
	if aws.ToString(used.UserName) != "alice" {
		t.Errorf("last used %+v", used)
	}

	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete access keys first.")
	for _, k := range keys {
		must(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}))(t)
	}
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	must(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read")}))(t)
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t)
	att := must(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")}))(t).AttachedPolicies
	if len(att) != 1 {
		t.Errorf("attached %+v", att)
	}
	must(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t)
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))(t)
}

func TestGroups(t *testing.T) {
	c := newIAM(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	g := must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))(t).Group
	if aws.ToString(g.Arn) != "arn:aws:iam::"+account+":group/devs" || !strings.HasPrefix(aws.ToString(g.GroupId), "AGPA") {
		t.Errorf("group %+v", g)
	}
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))(t)
	got := must(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")}))(t)
	if len(got.Users) != 1 || aws.ToString(got.Users[0].UserName) != "alice" {
		t.Errorf("members %+v", got.Users)
	}
	groups := must(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")}))(t).Groups
	if len(groups) != 1 || aws.ToString(groups[0].GroupName) != "devs" {
		t.Errorf("groups for user %+v", groups)
	}
	must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	if names := must(c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("devs")}))(t).PolicyNames; len(names) != 1 {
		t.Errorf("group policies %v", names)
	}
	_, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("ops")})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name ops cannot be found.")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	must(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))(t)
	must(c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read")}))(t)
	must(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")}))(t)
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))(t)
}

func TestInstanceProfiles(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "ecsInstanceRole")
	createRole(t, c, "other")
	ip := must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ecs")}))(t).InstanceProfile
	if aws.ToString(ip.Arn) != "arn:aws:iam::"+account+":instance-profile/ecs" || !strings.HasPrefix(aws.ToString(ip.InstanceProfileId), "AIPA") || ip.Roles == nil {
		t.Errorf("profile %+v", ip)
	}
	must(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecs"), RoleName: aws.String("ecsInstanceRole")}))(t)
	_, err := c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecs"), RoleName: aws.String("other")})
	wantErr(t, err, 409, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	got := must(c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("ecs")}))(t).InstanceProfile
	if len(got.Roles) != 1 || aws.ToString(got.Roles[0].RoleName) != "ecsInstanceRole" {
		t.Errorf("roles %+v", got.Roles)
	}
	for_ := must(c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ecsInstanceRole")}))(t).InstanceProfiles
	if len(for_) != 1 {
		t.Errorf("profiles for role %+v", for_)
	}
	_, err = c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("ecs")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("ecsInstanceRole")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	must(c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ecs"), RoleName: aws.String("ecsInstanceRole")}))(t)
	must(c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("ecs")}))(t)
	_, err = c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("ecs")})
	wantErr(t, err, 404, "NoSuchEntity", "Instance Profile ecs cannot be found.")
}

func TestAccountSummary(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "a")
	createRole(t, c, "b")
	m := must(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))(t).SummaryMap
	for k, want := range map[types.SummaryKeyType]int32{
		types.SummaryKeyTypeRoles: 2, types.SummaryKeyTypeRolesQuota: 1000, types.SummaryKeyTypeUsersQuota: 5000,
		types.SummaryKeyTypeGroupsQuota: 300, types.SummaryKeyTypePoliciesQuota: 1500, types.SummaryKeyTypeAttachedPoliciesPerRoleQuota: 10,
	} {
		if m[string(k)] != want {
			t.Errorf("%s = %d, want %d", k, m[string(k)], want)
		}
	}
}
