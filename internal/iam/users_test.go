package iam

import (
	"fmt"
	"strings"
	"testing"
)

func TestUserLifecycle(t *testing.T) {
	f := newFixture(t)
	f.policy(t, "b")
	u, err := f.CreateUser(ctx, acct, CreateUserInput{
		Path: "/test-lifecycle-path/", UserName: "Alice", PermissionsBoundary: policyArnOf("b"),
		Tags: []Tag{{"Environment", "Test"}, {"Team", "Platform"}},
	})
	must(t, err)
	if u.Arn != "arn:aws:iam::000000000000:user/test-lifecycle-path/Alice" || !strings.HasPrefix(u.UserId, "AIDA") || len(u.UserId) != 21 {
		t.Errorf("CreateUser = %+v", u)
	}
	g, err := f.GetUser(ctx, acct, "alice")
	must(t, err)
	if g.UserName != "Alice" || fmt.Sprint(g.Tags) != "[{Environment Test} {Team Platform}]" || g.PermissionsBoundary == nil {
		t.Errorf("GetUser = %+v", g)
	}
	list, _, err := f.ListUsers(ctx, acct, "/test-", Page{})
	must(t, err)
	if len(list) != 1 || list[0].Tags != nil || list[0].PermissionsBoundary != nil {
		t.Errorf("ListUsers = %+v", list)
	}
	_, err = f.CreateUser(ctx, acct, CreateUserInput{UserName: "ALICE"})
	wantErr(t, err, "EntityAlreadyExists", 409, "User with name ALICE already exists.")
	must(t, f.DeleteUser(ctx, acct, "Alice"))
	_, err = f.GetUser(ctx, acct, "Alice")
	wantErr(t, err, "NoSuchEntity", 404, "The user with name Alice cannot be found.")
	p, _ := f.GetPolicy(ctx, acct, policyArnOf("b"))
	if p.PermissionsBoundaryUsageCount != 0 {
		t.Errorf("boundary usage after DeleteUser = %d", p.PermissionsBoundaryUsageCount)
	}

	const missing = "The user with name nonexistent-user cannot be found."
	wantErr(t, f.UpdateUser(ctx, acct, "nonexistent-user", "", "x"), "NoSuchEntity", 404, missing)
	wantErr(t, f.DeleteUser(ctx, acct, "nonexistent-user"), "NoSuchEntity", 404, missing)
	wantErr(t, f.TagUser(ctx, acct, "nonexistent-user", []Tag{{"k", "v"}}), "NoSuchEntity", 404, missing)
	_, err = f.CreateAccessKey(ctx, acct, "nonexistent-user")
	wantErr(t, err, "NoSuchEntity", 404, missing)
}

func TestUserQuota(t *testing.T) {
	f := newFixture(t)
	f.seed(t, bucketUsers, QuotaUsersPerAccount-1)
	f.user(t, "last")
	_, err := f.CreateUser(ctx, acct, CreateUserInput{UserName: "one-too-many"})
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for UsersPerAccount: 5000")
}

func TestDeleteUserConflicts(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	f.group(t, "g")
	f.policy(t, "p")

	k, err := f.CreateAccessKey(ctx, acct, "u")
	must(t, err)
	wantErr(t, f.DeleteUser(ctx, acct, "u"), "DeleteConflict", 409, "Cannot delete entity, must delete access keys first.")
	must(t, f.DeleteAccessKey(ctx, acct, "u", k.AccessKeyId))

	must(t, f.AddUserToGroup(ctx, acct, "g", "u"))
	wantErr(t, f.DeleteUser(ctx, acct, "u"), "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.")
	must(t, f.RemoveUserFromGroup(ctx, acct, "g", "u"))

	must(t, f.AttachUserPolicy(ctx, acct, "u", policyArnOf("p")))
	wantErr(t, f.DeleteUser(ctx, acct, "u"), "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	must(t, f.DetachUserPolicy(ctx, acct, "u", policyArnOf("p")))

	must(t, f.PutUserPolicy(ctx, acct, "u", "inline", docS3))
	wantErr(t, f.DeleteUser(ctx, acct, "u"), "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	must(t, f.DeleteUserPolicy(ctx, acct, "u", "inline"))

	must(t, f.DeleteUser(ctx, acct, "u"))
}

func TestUpdateUserCarriesReferences(t *testing.T) {
	f := newFixture(t)
	f.user(t, "old")
	f.group(t, "g")
	f.policy(t, "p")
	must(t, f.AddUserToGroup(ctx, acct, "g", "old"))
	must(t, f.AttachUserPolicy(ctx, acct, "old", policyArnOf("p")))
	k, err := f.CreateAccessKey(ctx, acct, "old")
	must(t, err)

	must(t, f.UpdateUser(ctx, acct, "old", "/moved/", "New"))
	_, err = f.GetUser(ctx, acct, "old")
	wantErr(t, err, "NoSuchEntity", 404, "The user with name old cannot be found.")
	u, err := f.GetUser(ctx, acct, "new")
	must(t, err)
	if u.Arn != "arn:aws:iam::000000000000:user/moved/New" {
		t.Errorf("renamed user = %+v", u)
	}
	_, members, _, err := f.GetGroup(ctx, acct, "g", Page{})
	must(t, err)
	if len(members) != 1 || members[0].UserName != "New" {
		t.Errorf("group members = %+v", members)
	}
	keys, _, err := f.ListAccessKeys(ctx, acct, "New", Page{})
	must(t, err)
	if len(keys) != 1 || keys[0].UserName != "New" {
		t.Errorf("keys = %+v", keys)
	}
	e, _, err := f.ListEntitiesForPolicy(ctx, acct, policyArnOf("p"), ListEntitiesInput{PathPrefix: "/moved/"}, Page{})
	must(t, err)
	if len(e.PolicyUsers) != 1 || e.PolicyUsers[0].UserName != "New" {
		t.Errorf("policy users = %+v", e.PolicyUsers)
	}
	id, err := f.LookupAccessKey(ctx, k.AccessKeyId)
	must(t, err)
	if id.UserName != "New" || id.Arn != u.Arn {
		t.Errorf("LookupAccessKey after rename = %+v", id)
	}

	f.user(t, "taken")
	wantErr(t, f.UpdateUser(ctx, acct, "New", "", "TAKEN"), "EntityAlreadyExists", 409, "User with name TAKEN already exists.")
	must(t, f.UpdateUser(ctx, acct, "New", "", "NEW")) // a change of case only
	u, _ = f.GetUser(ctx, acct, "new")
	if u.UserName != "NEW" {
		t.Errorf("case change: %q", u.UserName)
	}
}

func TestUserPolicies(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	must(t, f.PutUserPolicy(ctx, acct, "u", "p", docS3))
	doc, err := f.GetUserPolicy(ctx, acct, "u", "p")
	must(t, err)
	if doc != docS3 {
		t.Errorf("doc = %s", doc)
	}
	_, err = f.GetUserPolicy(ctx, acct, "u", "nope")
	wantErr(t, err, "NoSuchEntity", 404, "The user policy with name nope cannot be found.")
	// Users get 2,048 characters of inline policy in all.
	wantErr(t, f.PutUserPolicy(ctx, acct, "u", "big", bigDoc(2048)), "LimitExceeded", 409, "Maximum policy size of 2048 bytes exceeded for user u")
	must(t, f.DeleteUserPolicy(ctx, acct, "u", "p"))
	must(t, f.PutUserPolicy(ctx, acct, "u", "big", bigDoc(2048)))

	for i := 0; i < 10; i++ {
		f.policy(t, fmt.Sprintf("m%d", i))
		must(t, f.AttachUserPolicy(ctx, acct, "u", policyArnOf(fmt.Sprintf("m%d", i))))
	}
	f.policy(t, "m10")
	wantErr(t, f.AttachUserPolicy(ctx, acct, "u", policyArnOf("m10")), "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerUser: 10")
	wantErr(t, f.AttachUserPolicy(ctx, acct, "u", policyArnOf("nonexistent")), "NoSuchEntity", 404,
		"Policy arn:aws:iam::000000000000:policy/nonexistent does not exist or is not attachable.")
	list, _, _ := f.ListAttachedUserPolicies(ctx, acct, "u", "", Page{})
	if len(list) != 10 {
		t.Errorf("attached = %d", len(list))
	}
	names, _, _ := f.ListUserPolicies(ctx, acct, "u", Page{})
	if fmt.Sprint(names) != "[big]" {
		t.Errorf("inline = %v", names)
	}
}

func TestUserTagsAndBoundary(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	f.policy(t, "b")
	tags, _, err := f.ListUserTags(ctx, acct, "u", Page{})
	must(t, err)
	if tags == nil || len(tags) != 0 {
		t.Errorf("no tags = %#v", tags)
	}
	must(t, f.TagUser(ctx, acct, "u", []Tag{{"key-1", "value-1"}, {"key-2", "value-2"}}))
	must(t, f.UntagUser(ctx, acct, "u", []string{"KEY-2"}))
	tags, _, _ = f.ListUserTags(ctx, acct, "u", Page{})
	if fmt.Sprint(tags) != "[{key-1 value-1}]" {
		t.Errorf("tags = %v", tags)
	}
	must(t, f.PutUserPermissionsBoundary(ctx, acct, "u", policyArnOf("b")))
	u, _ := f.GetUser(ctx, acct, "u")
	if u.PermissionsBoundary == nil || u.PermissionsBoundary.PermissionsBoundaryArn != policyArnOf("b") {
		t.Errorf("boundary = %+v", u.PermissionsBoundary)
	}
	must(t, f.DeleteUserPermissionsBoundary(ctx, acct, "u"))
	u, _ = f.GetUser(ctx, acct, "u")
	if u.PermissionsBoundary != nil {
		t.Errorf("boundary after delete = %+v", u.PermissionsBoundary)
	}
}
