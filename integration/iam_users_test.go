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

// Error texts below are recorded from AWS (LocalStack's test_iam_users,
// test_iam_instance_profiles and test_iam_roles snapshots, 2026-02) unless a
// comment says otherwise.

func userNames(us []types.User) string {
	var out []string
	for _, u := range us {
		out = append(out, aws.ToString(u.UserName))
	}
	return strings.Join(out, ",")
}

func tagList(ts []types.Tag) string {
	var out []string
	for _, t := range ts {
		out = append(out, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return strings.Join(out, ",")
}

func tags(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func manyTags(n int) []types.Tag {
	out := make([]types.Tag, n)
	for i := range out {
		out[i] = types.Tag{Key: aws.String("k" + itoa(i)), Value: aws.String("v")}
	}
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + itoa(i%10)
}

func TestUserInlinePolicies(t *testing.T) {
	c := newIAM(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	empty := must(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("alice")}))(t)
	if empty.PolicyNames == nil || len(empty.PolicyNames) != 0 || empty.IsTruncated || empty.Marker != nil {
		t.Errorf("no inline policies: %+v", empty)
	}
	for _, name := range []string{"write", "read", "admin"} {
		must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String(name), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	}
	got := must(c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read")}))(t)
	if aws.ToString(got.UserName) != "alice" || aws.ToString(got.PolicyName) != "read" || decoded(t, got.PolicyDocument) != s3ReadPolicy ||
		strings.Contains(aws.ToString(got.PolicyDocument), `"`) {
		t.Errorf("GetUserPolicy %+v", got)
	}
	// Replacing a document keeps the name once.
	other := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read"), PolicyDocument: aws.String(other)}))(t)
	if doc := must(c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read")}))(t).PolicyDocument; decoded(t, doc) != other {
		t.Errorf("replaced document %s", decoded(t, doc))
	}
	page := must(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("alice"), MaxItems: aws.Int32(2)}))(t)
	if strings.Join(page.PolicyNames, ",") != "admin,read" || !page.IsTruncated || page.Marker == nil {
		t.Errorf("first page %+v", page)
	}
	rest := must(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("alice"), Marker: page.Marker}))(t)
	if strings.Join(rest.PolicyNames, ",") != "write" || rest.IsTruncated || rest.Marker != nil {
		t.Errorf("second page %+v", rest)
	}

	_, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("nope")})
	wantErr(t, err, 404, "NoSuchEntity", "The user policy with name nope cannot be found.")
	_, err = c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("nonexistent-user"), PolicyName: aws.String("read")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	_, err = c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("nonexistent-user")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("nope")})
	wantErr(t, err, 404, "NoSuchEntity", "The user policy with name nope cannot be found.")
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`)})
	wantErr(t, err, 400, "MalformedPolicyDocument", "Policy statement must contain resources.")
}

func TestListUsers(t *testing.T) {
	c := newIAM(t)
	empty := must(c.ListUsers(ctx, &iam.ListUsersInput{}))(t)
	if empty.Users == nil || len(empty.Users) != 0 || empty.IsTruncated || empty.Marker != nil {
		t.Errorf("no users: %+v", empty)
	}
	bound := "arn:aws:iam::aws:policy/PowerUserAccess"
	created := must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol"), Path: aws.String("/test-lifecycle-path/"),
		Tags: tags("team", "a"), PermissionsBoundary: aws.String(bound)}))(t).User
	if tagList(created.Tags) != "team=a" || created.PermissionsBoundary == nil ||
		aws.ToString(created.PermissionsBoundary.PermissionsBoundaryArn) != bound ||
		created.PermissionsBoundary.PermissionsBoundaryType != "Policy" {
		t.Errorf("CreateUser %+v", created)
	}
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Bob"), Path: aws.String("/test/")}))(t)

	all := must(c.ListUsers(ctx, &iam.ListUsersInput{}))(t)
	if userNames(all.Users) != "alice,Bob,carol" || all.IsTruncated || all.Marker != nil {
		t.Errorf("ListUsers %+v", all)
	}
	// ListUsers leaves out tags and permissions boundaries (API reference).
	for _, u := range all.Users {
		if u.Tags != nil || u.PermissionsBoundary != nil || u.PasswordLastUsed != nil {
			t.Errorf("listed user shows more than AWS: %+v", u)
		}
	}
	if u := all.Users[2]; aws.ToString(u.Arn) != "arn:aws:iam::"+account+":user/test-lifecycle-path/carol" || aws.ToString(u.UserId) != aws.ToString(created.UserId) {
		t.Errorf("listed carol %+v", u)
	}
	for prefix, want := range map[string]string{"/test-lifecycle-path/": "carol", "/test": "Bob,carol", "/test/": "Bob", "/": "alice,Bob,carol", "/none/": ""} {
		got := must(c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String(prefix)}))(t)
		if userNames(got.Users) != want || got.IsTruncated {
			t.Errorf("PathPrefix %s: %s, want %s", prefix, userNames(got.Users), want)
		}
	}
	// GetUser shows what ListUsers leaves out.
	u := must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("carol")}))(t).User
	if tagList(u.Tags) != "team=a" || u.PermissionsBoundary == nil {
		t.Errorf("GetUser %+v", u)
	}
}

func TestUpdateUser(t *testing.T) {
	c := newIAM(t)
	orig := must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t).User
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))(t)
	key := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t).AccessKey
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))(t)
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))(t)
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(readOnly)}))(t)
	const bound = "arn:aws:iam::aws:policy/PowerUserAccess"
	must(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(bound)}))(t)

	// A name that is taken, in any case, is refused.
	_, err := c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("BOB")})
	wantErr(t, err, 409, "EntityAlreadyExists", "User with name BOB already exists.")
	_, err = c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("nonexistent-user"), NewUserName: aws.String("x")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	_, err = c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String(strings.Repeat("a", 65))})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'newUserName' failed to satisfy constraint: Member must have length less than or equal to 64")

	must(c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alicia"), NewPath: aws.String("/new-path/")}))(t)
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name alice cannot be found.")
	u := must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alicia")}))(t).User
	if aws.ToString(u.UserId) != aws.ToString(orig.UserId) || aws.ToString(u.Path) != "/new-path/" ||
		aws.ToString(u.Arn) != "arn:aws:iam::"+account+":user/new-path/alicia" || u.PermissionsBoundary == nil {
		t.Errorf("renamed user %+v", u)
	}
	// Access keys, groups and policies follow the user.
	keys := must(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alicia")}))(t).AccessKeyMetadata
	if len(keys) != 1 || aws.ToString(keys[0].UserName) != "alicia" || aws.ToString(keys[0].AccessKeyId) != aws.ToString(key.AccessKeyId) {
		t.Errorf("access keys after rename %+v", keys)
	}
	if used := must(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: key.AccessKeyId}))(t); aws.ToString(used.UserName) != "alicia" {
		t.Errorf("GetAccessKeyLastUsed after rename: %s", aws.ToString(used.UserName))
	}
	members := must(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")}))(t).Users
	if userNames(members) != "alicia" || aws.ToString(members[0].Arn) != aws.ToString(u.Arn) {
		t.Errorf("group members after rename %+v", members)
	}
	if names := must(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("alicia")}))(t).PolicyNames; strings.Join(names, ",") != "read" {
		t.Errorf("inline policies after rename %v", names)
	}
	if att := must(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alicia")}))(t).AttachedPolicies; len(att) != 1 || aws.ToString(att[0].PolicyArn) != readOnly {
		t.Errorf("attached after rename %+v", att)
	}
	ents := must(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(readOnly)}))(t).PolicyUsers
	if len(ents) != 1 || aws.ToString(ents[0].UserName) != "alicia" {
		t.Errorf("entities after rename %+v", ents)
	}
	bounded := must(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(bound),
		PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}))(t).PolicyUsers
	if len(bounded) != 1 || aws.ToString(bounded[0].UserName) != "alicia" {
		t.Errorf("boundary users after rename %+v", bounded)
	}
	if us := must(c.ListUsers(ctx, &iam.ListUsersInput{}))(t).Users; userNames(us) != "alicia,bob" {
		t.Errorf("ListUsers after rename %s", userNames(us))
	}
	// Only the path.
	must(c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alicia"), NewPath: aws.String("/")}))(t)
	if u := must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alicia")}))(t).User; aws.ToString(u.Arn) != "arn:aws:iam::"+account+":user/alicia" {
		t.Errorf("moved back %+v", u)
	}
}

func TestUserTags(t *testing.T) {
	c := newIAM(t)
	u := must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Tags: tags("Environment", "Test", "Team", "Platform")}))(t).User
	if tagList(u.Tags) != "Environment=Test,Team=Platform" {
		t.Errorf("CreateUser tags %+v", u.Tags)
	}
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))(t)
	empty := must(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("bob")}))(t)
	if empty.Tags == nil || len(empty.Tags) != 0 || empty.IsTruncated {
		t.Errorf("no tags: %+v", empty)
	}
	if u := must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}))(t).User; u.Tags != nil {
		t.Errorf("GetUser of an untagged user shows Tags %+v", u.Tags)
	}

	// New keys go last; a replaced key keeps its place; tag values may be empty.
	must(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: tags("key-1", "value-1", "Environment", "Prod", "empty", "")}))(t)
	got := must(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")}))(t)
	if tagList(got.Tags) != "Environment=Prod,Team=Platform,key-1=value-1,empty=" || got.IsTruncated {
		t.Errorf("ListUserTags %+v", got)
	}
	if u := must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))(t).User; tagList(u.Tags) != tagList(got.Tags) {
		t.Errorf("GetUser tags %s", tagList(u.Tags))
	}
	page := must(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice"), MaxItems: aws.Int32(3)}))(t)
	if len(page.Tags) != 3 || !page.IsTruncated || page.Marker == nil {
		t.Errorf("MaxItems 3: %+v", page)
	}
	rest := must(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice"), Marker: page.Marker}))(t)
	if tagList(rest.Tags) != "empty=" || rest.IsTruncated {
		t.Errorf("second page %+v", rest)
	}
	// Unknown keys are ignored.
	must(c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"Team", "nope", "empty"}}))(t)
	if ts := must(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")}))(t).Tags; tagList(ts) != "Environment=Prod,key-1=value-1" {
		t.Errorf("after untag %s", tagList(ts))
	}

	for _, tc := range []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"tag unknown user", second(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("nonexistent-user"), Tags: tags("a", "1")})),
			"NoSuchEntity", "The user with name nonexistent-user cannot be found."},
		{"untag unknown user", second(c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("nonexistent-user"), TagKeys: []string{"a"}})),
			"NoSuchEntity", "The user with name nonexistent-user cannot be found."},
		{"list tags of unknown user", second(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("nonexistent-user")})),
			"NoSuchEntity", "The user with name nonexistent-user cannot be found."},
		// The request is validated before the user is looked up (recorded for TagRole).
		{"51 tags", second(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("nonexistent-user"), Tags: manyTags(51)})),
			"ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"create with 51 tags", second(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol"), Tags: manyTags(51)})),
			"ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"duplicate keys", second(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: tags("a", "1", "a", "2")})),
			"InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"duplicate keys in another case", second(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol"), Tags: tags("a", "1", "A", "2")})),
			"InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"key too long", second(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: tags(strings.Repeat("k", 129), "v")})),
			"ValidationError", "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"value too long", second(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: tags("k", strings.Repeat("v", 257))})),
			"ValidationError", "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"invalid key", second(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: tags("bad!key", "v")})),
			"ValidationError", `1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"untag 51 keys", second(c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: strings.Split(strings.Repeat("k,", 50)+"k", ",")})),
			"ValidationError", "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status := 400
			if tc.code == "NoSuchEntity" {
				status = 404
			}
			wantErr(t, tc.err, status, tc.code, tc.msg)
		})
	}
	t.Run("untag invalid key", func(t *testing.T) {
		// AWS reports a bad element of a list of strings at the list,
		// naming all of the element's constraints (recorded for UntagRole).
		_, err := c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"bad!key"}})
		wantErr(t, err, 400, "ValidationError", `1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`)
	})
	// A failed create leaves nothing behind.
	_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("carol")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name carol cannot be found.")

	// Fifty tags in all: replacing one is fine, a fifty-first is not.
	// Unverified text: no public record shows AWS's answer to a tag set
	// growing past 50 through TagUser; rolecall words it as IAM's quotas.
	must(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("bob"), Tags: manyTags(50)}))(t)
	must(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("bob"), Tags: tags("k0", "again")}))(t)
	_, err = c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("bob"), Tags: tags("one-more", "v")})
	wantErr(t, err, 409, "LimitExceeded", "The number of tags has reached the maximum limit.")
	if ts := must(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("bob")}))(t).Tags; len(ts) != 50 || tagList(ts[:1]) != "k0=again" {
		t.Errorf("50 tags: %d, first %s", len(ts), tagList(ts[:1]))
	}
}

// second returns a call's error, for tables of failing calls.
func second[T any](_ T, err error) error { return err }

func TestUserPermissionsBoundary(t *testing.T) {
	c := newIAM(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	arn := aws.ToString(must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bound"), PolicyDocument: aws.String(s3ReadPolicy)}))(t).Policy.Arn)

	must(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: &arn}))(t)
	// AWS answers "Policy" (recorded), not the SDK enum's "PermissionsBoundaryPolicy".
	u := must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))(t).User
	if u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != arn ||
		u.PermissionsBoundary.PermissionsBoundaryType != "Policy" {
		t.Errorf("GetUser boundary %+v", u.PermissionsBoundary)
	}
	p := must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn}))(t).Policy
	if aws.ToInt32(p.PermissionsBoundaryUsageCount) != 1 || aws.ToInt32(p.AttachmentCount) != 0 {
		t.Errorf("policy counts %+v", p)
	}
	bounds := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}))(t).Policies
	if len(bounds) != 1 || aws.ToString(bounds[0].Arn) != arn {
		t.Errorf("boundary policies %+v", bounds)
	}
	// A boundary is not an attachment: the user has no attached policies.
	if att := must(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")}))(t).AttachedPolicies; len(att) != 0 {
		t.Errorf("attached %+v", att)
	}
	_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &arn})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete a policy attached to entities.")

	// Replacing the boundary moves the count.
	const power = "arn:aws:iam::aws:policy/PowerUserAccess"
	must(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(power)}))(t)
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn}))(t).Policy.PermissionsBoundaryUsageCount); n != 0 {
		t.Errorf("old boundary count %d", n)
	}
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(power)}))(t).Policy.PermissionsBoundaryUsageCount); n != 1 {
		t.Errorf("new boundary count %d", n)
	}

	missing := "arn:aws:iam::" + account + ":policy/nonexistent-policy"
	_, err = c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: &missing})
	wantErr(t, err, 404, "NoSuchEntity", "Scope ARN: "+missing+" does not exist or is not attachable.")
	notPolicy := "arn:aws:iam::" + account + ":not_a_policy/invalid"
	_, err = c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: &notPolicy})
	wantErr(t, err, 400, "InvalidInput", "ARN "+notPolicy+" is not valid.")
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob"), PermissionsBoundary: &missing})
	wantErr(t, err, 404, "NoSuchEntity", "Scope ARN: "+missing+" does not exist or is not attachable.")
	_, err = c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("nonexistent-user"), PermissionsBoundary: &arn})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	_, err = c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("nonexistent-user")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")

	must(c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("alice")}))(t)
	if u := must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))(t).User; u.PermissionsBoundary != nil {
		t.Errorf("boundary after delete %+v", u.PermissionsBoundary)
	}
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(power)}))(t).Policy.PermissionsBoundaryUsageCount); n != 0 {
		t.Errorf("count after delete %d", n)
	}
	// A user may be deleted with its boundary in place; the count follows.
	must(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: &arn}))(t)
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))(t)
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn}))(t).Policy.PermissionsBoundaryUsageCount); n != 0 {
		t.Errorf("count after DeleteUser %d", n)
	}
	must(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &arn}))(t)
}

func TestInstanceProfileTags(t *testing.T) {
	c := newIAM(t)
	ip := must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("tagged"), Tags: tags("InitialKey", "InitialValue")}))(t).InstanceProfile
	if tagList(ip.Tags) != "InitialKey=InitialValue" {
		t.Errorf("CreateInstanceProfile tags %+v", ip.Tags)
	}
	plain := must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("plain")}))(t).InstanceProfile
	if plain.Tags != nil {
		t.Errorf("CreateInstanceProfile without tags shows Tags %+v", plain.Tags)
	}
	// GetInstanceProfile always shows Tags, empty when there are none.
	if got := must(c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("plain")}))(t).InstanceProfile; got.Tags == nil || len(got.Tags) != 0 {
		t.Errorf("GetInstanceProfile Tags %+v", got.Tags)
	}
	empty := must(c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("plain")}))(t)
	if empty.Tags == nil || len(empty.Tags) != 0 || empty.IsTruncated {
		t.Errorf("no tags %+v", empty)
	}
	must(c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("plain"), Tags: tags("MyKey", "myValue")}))(t)
	if got := must(c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("plain")}))(t).InstanceProfile; tagList(got.Tags) != "MyKey=myValue" {
		t.Errorf("GetInstanceProfile Tags %+v", got.Tags)
	}
	must(c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("plain"), Tags: tags("MyKey2", "myValue2")}))(t)
	if ts := must(c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("plain")}))(t).Tags; tagList(ts) != "MyKey=myValue,MyKey2=myValue2" {
		t.Errorf("two tags %s", tagList(ts))
	}
	page := must(c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("plain"), MaxItems: aws.Int32(1)}))(t)
	if tagList(page.Tags) != "MyKey=myValue" || !page.IsTruncated || page.Marker == nil {
		t.Errorf("MaxItems 1 %+v", page)
	}
	must(c.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("plain"), TagKeys: []string{"MyKey"}}))(t)
	if ts := must(c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("plain")}))(t).Tags; tagList(ts) != "MyKey2=myValue2" {
		t.Errorf("after untag %s", tagList(ts))
	}
	must(c.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("plain"), TagKeys: []string{"MyKey2"}}))(t)
	if ts := must(c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("plain")}))(t).Tags; ts == nil || len(ts) != 0 {
		t.Errorf("after untagging all %+v", ts)
	}

	const missing = "Instance Profile nonexistent-profile cannot be found."
	_, err := c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile"), Tags: tags("a", "1")})
	wantErr(t, err, 404, "NoSuchEntity", missing)
	_, err = c.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile"), TagKeys: []string{"a"}})
	wantErr(t, err, 404, "NoSuchEntity", missing)
	_, err = c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nonexistent-profile")})
	wantErr(t, err, 404, "NoSuchEntity", missing)
	_, err = c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("plain"), Tags: manyTags(51)})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	_, err = c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("plain"), Tags: tags("env", "a", "ENV", "b")})
	wantErr(t, err, 400, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	_, err = c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("TAGGED")})
	wantErr(t, err, 409, "EntityAlreadyExists", "Instance Profile TAGGED already exists.")
	_, err = c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile")})
	wantErr(t, err, 404, "NoSuchEntity", missing)
}

func TestListInstanceProfiles(t *testing.T) {
	c := newIAM(t)
	empty := must(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{}))(t)
	if empty.InstanceProfiles == nil || len(empty.InstanceProfiles) != 0 || empty.IsTruncated || empty.Marker != nil {
		t.Errorf("no profiles %+v", empty)
	}
	createRole(t, c, "ecsInstanceRole")
	for _, p := range []struct{ name, path string }{{"web", "/ecs/"}, {"Batch", "/ecs/"}, {"bastion", ""}} {
		in := &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(p.name), Tags: tags("k", "v")}
		if p.path != "" {
			in.Path = aws.String(p.path)
		}
		must(c.CreateInstanceProfile(ctx, in))(t)
	}
	must(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("ecsInstanceRole")}))(t)
	all := must(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{}))(t)
	var names []string
	for _, ip := range all.InstanceProfiles {
		names = append(names, aws.ToString(ip.InstanceProfileName))
		// Listings leave out the profile's tags (recorded).
		if ip.Tags != nil || ip.Roles == nil {
			t.Errorf("listed profile %+v", ip)
		}
	}
	if strings.Join(names, ",") != "bastion,Batch,web" || all.IsTruncated {
		t.Errorf("ListInstanceProfiles %v", names)
	}
	web := all.InstanceProfiles[2]
	if aws.ToString(web.Arn) != "arn:aws:iam::"+account+":instance-profile/ecs/web" || len(web.Roles) != 1 {
		t.Fatalf("web %+v", web)
	}
	// The role inside shows what ListInstanceProfiles shows of a role (recorded):
	// no MaxSessionDuration, RoleLastUsed or tags.
	r := web.Roles[0]
	if aws.ToString(r.RoleName) != "ecsInstanceRole" || decoded(t, r.AssumeRolePolicyDocument) != ecsTasksTrust ||
		r.MaxSessionDuration != nil || r.RoleLastUsed != nil || r.Tags != nil {
		t.Errorf("role in profile %+v", r)
	}
	ecs := must(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/ecs/")}))(t).InstanceProfiles
	if len(ecs) != 2 || aws.ToString(ecs[0].InstanceProfileName) != "Batch" {
		t.Errorf("PathPrefix /ecs/: %+v", ecs)
	}
	if none := must(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/nonexistent/")}))(t).InstanceProfiles; none == nil || len(none) != 0 {
		t.Errorf("PathPrefix /nonexistent/: %+v", none)
	}
}
