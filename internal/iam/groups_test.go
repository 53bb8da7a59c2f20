package iam

import (
	"fmt"
	"strings"
	"testing"
)

func TestGroupLifecycle(t *testing.T) {
	f := newFixture(t)
	g, err := f.CreateGroup(ctx, acct, "/some/location/", "Admins")
	must(t, err)
	if g.Arn != "arn:aws:iam::000000000000:group/some/location/Admins" || !strings.HasPrefix(g.GroupId, "AGPA") || len(g.GroupId) != 21 {
		t.Errorf("CreateGroup = %+v", g)
	}
	_, err = f.CreateGroup(ctx, acct, "", "admins")
	wantErr(t, err, "EntityAlreadyExists", 409, "Group with name admins already exists.")
	got, users, next, err := f.GetGroup(ctx, acct, "ADMINS", Page{})
	must(t, err)
	if got.GroupName != "Admins" || users == nil || len(users) != 0 || next != "" {
		t.Errorf("GetGroup = %+v %#v %q", got, users, next)
	}
	_, _, _, err = f.GetGroup(ctx, acct, "non-existent-group", Page{})
	wantErr(t, err, "NoSuchEntity", 404, "The group with name non-existent-group cannot be found.")
	wantErr(t, f.DeleteGroup(ctx, acct, "unknown-group"), "NoSuchEntity", 404, "The group with name unknown-group cannot be found.")

	f.group(t, "b")
	all, pages := allPages(t, 1, func(pg Page) ([]Group, string, error) { return f.ListGroups(ctx, acct, "", pg) })
	if len(all) != 2 || pages != 2 || all[0].GroupName != "Admins" {
		t.Errorf("ListGroups = %+v in %d pages", all, pages)
	}
	some, _, _ := f.ListGroups(ctx, acct, "/some/", Page{})
	if len(some) != 1 {
		t.Errorf("ListGroups /some/ = %+v", some)
	}

	must(t, f.UpdateGroup(ctx, acct, "Admins", "/new-path/", "Operators"))
	_, _, _, err = f.GetGroup(ctx, acct, "Admins", Page{})
	wantErr(t, err, "NoSuchEntity", 404, "The group with name Admins cannot be found.")
	got, _, _, _ = f.GetGroup(ctx, acct, "operators", Page{})
	if got.Arn != "arn:aws:iam::000000000000:group/new-path/Operators" || got.GroupId != g.GroupId {
		t.Errorf("renamed = %+v", got)
	}
	wantErr(t, f.UpdateGroup(ctx, acct, "Operators", "", "B"), "EntityAlreadyExists", 409, "Group with name B already exists.")
	wantErr(t, f.UpdateGroup(ctx, acct, "nonexisting", "", "x"), "NoSuchEntity", 404, "The group with name nonexisting cannot be found.")
}

func TestGroupQuota(t *testing.T) {
	f := newFixture(t)
	f.seed(t, bucketGroups, QuotaGroupsPerAccount-1)
	f.group(t, "last")
	_, err := f.CreateGroup(ctx, acct, "", "one-too-many")
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for GroupsPerAccount: 300")
}

func TestGroupMembership(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	for i := 0; i < 11; i++ {
		f.group(t, fmt.Sprintf("g%02d", i))
	}
	for i := 0; i < 10; i++ {
		must(t, f.AddUserToGroup(ctx, acct, fmt.Sprintf("g%02d", i), "u"))
	}
	must(t, f.AddUserToGroup(ctx, acct, "g00", "U")) // again: no change
	wantErr(t, f.AddUserToGroup(ctx, acct, "g10", "u"), "LimitExceeded", 409, "Cannot exceed quota for GroupsPerUser: 10")
	groups, pages := allPages(t, 4, func(pg Page) ([]Group, string, error) { return f.ListGroupsForUser(ctx, acct, "u", pg) })
	if len(groups) != 10 || pages != 3 || groups[0].GroupName != "g00" {
		t.Errorf("groups for user = %d in %d pages", len(groups), pages)
	}
	_, members, _, _ := f.GetGroup(ctx, acct, "g00", Page{})
	if len(members) != 1 || members[0].UserName != "u" || members[0].Tags != nil {
		t.Errorf("members = %+v", members)
	}
	wantErr(t, f.DeleteGroup(ctx, acct, "g00"), "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.")
	must(t, f.RemoveUserFromGroup(ctx, acct, "g00", "u"))
	must(t, f.RemoveUserFromGroup(ctx, acct, "g10", "u")) // not a member: succeeds (recorded)
	must(t, f.DeleteGroup(ctx, acct, "g00"))

	wantErr(t, f.AddUserToGroup(ctx, acct, "g01", "non-existent-user"), "NoSuchEntity", 404, "The user with name non-existent-user cannot be found.")
	wantErr(t, f.AddUserToGroup(ctx, acct, "non-existent-group", "u"), "NoSuchEntity", 404, "The group with name non-existent-group cannot be found.")
	// The user is looked up first (recorded).
	wantErr(t, f.RemoveUserFromGroup(ctx, acct, "nonexistent-group", "any-user"), "NoSuchEntity", 404, "The user with name any-user cannot be found.")
}

func TestGroupPolicies(t *testing.T) {
	f := newFixture(t)
	f.group(t, "g")
	f.policy(t, "p")
	names, _, err := f.ListGroupPolicies(ctx, acct, "g", Page{})
	must(t, err)
	if names == nil || len(names) != 0 {
		t.Errorf("no inline = %#v", names)
	}
	_, err = f.GetGroupPolicy(ctx, acct, "g", "missing")
	wantErr(t, err, "NoSuchEntity", 404, "The group policy with name missing cannot be found.")
	must(t, f.PutGroupPolicy(ctx, acct, "g", "inline", bigDoc(5000)))
	wantErr(t, f.PutGroupPolicy(ctx, acct, "g", "more", bigDoc(200)), "LimitExceeded", 409, "Maximum policy size of 5120 bytes exceeded for group g")
	wantErr(t, f.DeleteGroup(ctx, acct, "g"), "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	must(t, f.DeleteGroupPolicy(ctx, acct, "g", "inline"))

	must(t, f.AttachGroupPolicy(ctx, acct, "g", policyArnOf("p")))
	list, _, _ := f.ListAttachedGroupPolicies(ctx, acct, "g", "", Page{})
	if len(list) != 1 || list[0].PolicyName != "p" {
		t.Errorf("attached = %+v", list)
	}
	wantErr(t, f.DeleteGroup(ctx, acct, "g"), "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	must(t, f.DetachGroupPolicy(ctx, acct, "g", policyArnOf("p")))
	wantErr(t, f.DetachGroupPolicy(ctx, acct, "g", policyArnOf("p")), "NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/p was not found.")
	for i := 0; i < 11; i++ {
		f.policy(t, fmt.Sprintf("m%d", i))
	}
	for i := 0; i < 10; i++ {
		must(t, f.AttachGroupPolicy(ctx, acct, "g", policyArnOf(fmt.Sprintf("m%d", i))))
	}
	wantErr(t, f.AttachGroupPolicy(ctx, acct, "g", policyArnOf("m10")), "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerGroup: 10")
}
