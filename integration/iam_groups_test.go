package integration

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// Error texts below are recorded from AWS (LocalStack's test_iam_groups and
// test_iam_users snapshots, 2026-02) unless a comment says otherwise.

func createGroup(t *testing.T, c *iam.Client, name string, path ...string) *types.Group {
	t.Helper()
	in := &iam.CreateGroupInput{GroupName: aws.String(name)}
	if len(path) > 0 {
		in.Path = aws.String(path[0])
	}
	return must(c.CreateGroup(ctx, in))(t).Group
}

func groupNames(gs []types.Group) string {
	var out []string
	for _, g := range gs {
		out = append(out, aws.ToString(g.GroupName))
	}
	return strings.Join(out, ",")
}

func attachedNames(ps []types.AttachedPolicy) string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.PolicyName))
	}
	return strings.Join(out, ",")
}

func TestGroupManagedPolicies(t *testing.T) {
	c := newIAM(t)
	createGroup(t, c, "devs")
	mine := aws.ToString(must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"), Path: aws.String("/team/"),
		PolicyDocument: aws.String(s3ReadPolicy)}))(t).Policy.Arn)
	const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"

	empty := must(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs")}))(t)
	if empty.AttachedPolicies == nil || len(empty.AttachedPolicies) != 0 || empty.IsTruncated || empty.Marker != nil {
		t.Errorf("no attached policies: %+v", empty)
	}
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: &mine}))(t)
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(readOnly)}))(t)
	// Attaching again changes nothing.
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("DEVS"), PolicyArn: &mine}))(t)
	att := must(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs")}))(t).AttachedPolicies
	if attachedNames(att) != "read,ReadOnlyAccess" || aws.ToString(att[0].PolicyArn) != mine {
		t.Errorf("attached %+v", att)
	}
	team := must(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs"), PathPrefix: aws.String("/team/")}))(t)
	if attachedNames(team.AttachedPolicies) != "read" {
		t.Errorf("PathPrefix /team/: %+v", team.AttachedPolicies)
	}
	page := must(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs"), MaxItems: aws.Int32(1)}))(t)
	if len(page.AttachedPolicies) != 1 || !page.IsTruncated || page.Marker == nil {
		t.Errorf("MaxItems 1: %+v", page)
	}
	rest := must(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs"), Marker: page.Marker}))(t)
	if attachedNames(rest.AttachedPolicies) != "ReadOnlyAccess" || rest.IsTruncated {
		t.Errorf("second page: %+v", rest)
	}
	p := must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &mine}))(t).Policy
	if aws.ToInt32(p.AttachmentCount) != 1 {
		t.Errorf("AttachmentCount %d", aws.ToInt32(p.AttachmentCount))
	}
	ents := must(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: &mine}))(t)
	if len(ents.PolicyGroups) != 1 || aws.ToString(ents.PolicyGroups[0].GroupName) != "devs" || len(ents.PolicyRoles) != 0 {
		t.Errorf("entities %+v", ents)
	}

	_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String("arn:aws:iam::" + account + ":policy/nonexistent")})
	wantErr(t, err, 404, "NoSuchEntity", "Policy arn:aws:iam::"+account+":policy/nonexistent does not exist or is not attachable.")
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: &mine})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name ops cannot be found.")
	// Recorded 2026-02 for AttachRolePolicy (test_role_managed_policy_errors).
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String("not-an-arn-but-long-enough")})
	wantErr(t, err, 400, "ValidationError", "ARN not-an-arn-but-long-enough is not valid.")
	// The model's length check comes first; IAM echoes no value (recorded 2025).
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String("not-an-arn")})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'policyArn' failed to satisfy constraint: Member must have length greater than or equal to 20")
	_, err = c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("ops")})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name ops cannot be found.")

	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &mine})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete a policy attached to entities.")

	must(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: &mine}))(t)
	_, err = c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: &mine})
	wantErr(t, err, 404, "NoSuchEntity", "Policy "+mine+" was not found.")
	_, err = c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: &mine})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name ops cannot be found.")
	must(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(readOnly)}))(t)
	after := must(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs")}))(t)
	if len(after.AttachedPolicies) != 0 || after.IsTruncated {
		t.Errorf("after detach: %+v", after)
	}
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &mine}))(t).Policy.AttachmentCount); n != 0 {
		t.Errorf("AttachmentCount after detach %d", n)
	}
	must(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")}))(t)
	must(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &mine}))(t)
}

func TestGroupInlinePolicies(t *testing.T) {
	c := newIAM(t)
	createGroup(t, c, "devs")
	empty := must(c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("devs")}))(t)
	if empty.PolicyNames == nil || len(empty.PolicyNames) != 0 || empty.IsTruncated {
		t.Errorf("no inline policies: %+v", empty)
	}
	_, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read")})
	wantErr(t, err, 404, "NoSuchEntity", "The group policy with name read cannot be found.")

	for _, name := range []string{"write", "read", "admin"} {
		must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String(name), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	}
	got := must(c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read")}))(t)
	if aws.ToString(got.GroupName) != "devs" || aws.ToString(got.PolicyName) != "read" || decoded(t, got.PolicyDocument) != s3ReadPolicy {
		t.Errorf("GetGroupPolicy %+v", got)
	}
	// The document comes back URL-encoded, as AWS sends it.
	if strings.Contains(aws.ToString(got.PolicyDocument), `"`) {
		t.Errorf("document not URL-encoded: %s", aws.ToString(got.PolicyDocument))
	}
	page := must(c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("devs"), MaxItems: aws.Int32(2)}))(t)
	if strings.Join(page.PolicyNames, ",") != "admin,read" || !page.IsTruncated || page.Marker == nil {
		t.Errorf("first page %+v", page)
	}
	rest := must(c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("devs"), Marker: page.Marker}))(t)
	if strings.Join(rest.PolicyNames, ",") != "write" || rest.IsTruncated || rest.Marker != nil {
		t.Errorf("second page %+v", rest)
	}

	_, err = c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("read")})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name ops cannot be found.")
	_, err = c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("ops")})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name ops cannot be found.")
	_, err = c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("p"), PolicyDocument: aws.String(s3ReadPolicy)})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name ops cannot be found.")
	_, err = c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("p"), PolicyDocument: aws.String("not json")})
	wantErr(t, err, 400, "MalformedPolicyDocument", "Syntax errors in policy.")

	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	for _, name := range []string{"write", "read", "admin"} {
		must(c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String(name)}))(t)
	}
	_, err = c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read")})
	wantErr(t, err, 404, "NoSuchEntity", "The group policy with name read cannot be found.")
	must(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")}))(t)
	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name devs cannot be found.")
}

func TestListGroups(t *testing.T) {
	c := newIAM(t)
	empty := must(c.ListGroups(ctx, &iam.ListGroupsInput{}))(t)
	if empty.Groups == nil || len(empty.Groups) != 0 || empty.IsTruncated {
		t.Errorf("no groups: %+v", empty)
	}
	g := createGroup(t, c, "ops", "/some/location/")
	if aws.ToString(g.Arn) != "arn:aws:iam::"+account+":group/some/location/ops" || aws.ToString(g.Path) != "/some/location/" {
		t.Errorf("group with path %+v", g)
	}
	createGroup(t, c, "devs")
	createGroup(t, c, "Admins", "/some/")
	all := must(c.ListGroups(ctx, &iam.ListGroupsInput{}))(t)
	if groupNames(all.Groups) != "Admins,devs,ops" || all.IsTruncated || all.Marker != nil {
		t.Errorf("ListGroups %+v", all)
	}
	if aws.ToString(all.Groups[2].Arn) != aws.ToString(g.Arn) || aws.ToString(all.Groups[2].GroupId) != aws.ToString(g.GroupId) {
		t.Errorf("listed %+v, created %+v", all.Groups[2], g)
	}
	for prefix, want := range map[string]string{"/some/": "Admins,ops", "/some/location/": "ops", "/some/loc": "ops", "/none/": ""} {
		got := must(c.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String(prefix)}))(t)
		if groupNames(got.Groups) != want {
			t.Errorf("PathPrefix %s: %s, want %s", prefix, groupNames(got.Groups), want)
		}
	}
	_, err := c.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("some")})
	// IAM's own text for a bad PathPrefix, as recorded for ListPolicies and
	// ListRoles (see internal/server iamOwnPatterns).
	wantErr(t, err, 400, "ValidationError", "The specified value for pathPrefix is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters.")
}

func TestUpdateGroup(t *testing.T) {
	c := newIAM(t)
	orig := createGroup(t, c, "devs")
	createGroup(t, c, "ops")
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))(t)
	must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(readOnly)}))(t)

	// A name that is taken, in any case, is refused; the message repeats
	// the requested name.
	_, err := c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("OPS")})
	wantErr(t, err, 409, "EntityAlreadyExists", "Group with name OPS already exists.")
	_, err = c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("nonexisting"), NewGroupName: aws.String("x")})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name nonexisting cannot be found.")
	_, err = c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("bad/name")})
	wantErr(t, err, 400, "ValidationError", `1 validation error detected: Value at 'newGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	_, err = c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewPath: aws.String("nopath")})
	wantErr(t, err, 400, "ValidationError", `1 validation error detected: Value at 'newPath' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)

	must(c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("builders")}))(t)
	_, err = c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name devs cannot be found.")
	got := must(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("builders")}))(t)
	if aws.ToString(got.Group.GroupId) != aws.ToString(orig.GroupId) || aws.ToString(got.Group.Arn) != "arn:aws:iam::"+account+":group/builders" {
		t.Errorf("renamed group %+v", got.Group)
	}
	if len(got.Users) != 1 || aws.ToString(got.Users[0].UserName) != "alice" {
		t.Errorf("members after rename %+v", got.Users)
	}
	// Memberships and policies follow the group.
	if gs := must(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")}))(t).Groups; groupNames(gs) != "builders" {
		t.Errorf("groups for alice: %s", groupNames(gs))
	}
	if doc := must(c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("builders"), PolicyName: aws.String("read")}))(t).PolicyDocument; decoded(t, doc) != s3ReadPolicy {
		t.Errorf("inline policy after rename %s", decoded(t, doc))
	}
	if att := must(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("builders")}))(t).AttachedPolicies; attachedNames(att) != "ReadOnlyAccess" {
		t.Errorf("attached after rename %+v", att)
	}
	ents := must(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(readOnly)}))(t).PolicyGroups
	if len(ents) != 1 || aws.ToString(ents[0].GroupName) != "builders" || aws.ToString(ents[0].GroupId) != aws.ToString(orig.GroupId) {
		t.Errorf("entities after rename %+v", ents)
	}

	must(c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("builders"), NewPath: aws.String("/new-path/")}))(t)
	moved := must(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("builders")}))(t).Group
	if aws.ToString(moved.Path) != "/new-path/" || aws.ToString(moved.Arn) != "arn:aws:iam::"+account+":group/new-path/builders" {
		t.Errorf("moved group %+v", moved)
	}
	if gs := must(c.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("/new-path/")}))(t).Groups; groupNames(gs) != "builders" {
		t.Errorf("ListGroups /new-path/: %s", groupNames(gs))
	}
}

func TestGroupMembershipErrors(t *testing.T) {
	c := newIAM(t)
	createGroup(t, c, "devs")
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	_, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("nonexistent-user")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("nonexistent-group"), UserName: aws.String("alice")})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name nonexistent-group cannot be found.")
	// The user is looked up first.
	_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("nonexistent-group"), UserName: aws.String("any-user")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name any-user cannot be found.")
	_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("nonexistent-group"), UserName: aws.String("alice")})
	wantErr(t, err, 404, "NoSuchEntity", "The group with name nonexistent-group cannot be found.")
	// Adding twice and removing a non-member both succeed.
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))(t)
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))(t)
	if gs := must(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")}))(t).Groups; groupNames(gs) != "devs" {
		t.Errorf("groups for alice %s", groupNames(gs))
	}
	must(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))(t)
	must(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))(t)
	if gs := must(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")}))(t).Groups; gs == nil || len(gs) != 0 {
		t.Errorf("groups after remove %+v", gs)
	}
	_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("DEVS")})
	wantErr(t, err, 409, "EntityAlreadyExists", "Group with name DEVS already exists.")
}
