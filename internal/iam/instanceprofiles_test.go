package iam

import (
	"fmt"
	"strings"
	"testing"
)

func TestInstanceProfiles(t *testing.T) {
	f := newFixture(t)
	p, err := f.CreateInstanceProfile(ctx, acct, "Web", "/path-prefix/", nil)
	must(t, err)
	if p.Arn != "arn:aws:iam::000000000000:instance-profile/path-prefix/Web" || !strings.HasPrefix(p.InstanceProfileId, "AIPA") ||
		p.Roles == nil || len(p.Roles) != 0 || p.Tags != nil {
		t.Errorf("CreateInstanceProfile = %+v", p)
	}
	_, err = f.CreateInstanceProfile(ctx, acct, "WEB", "", nil)
	wantErr(t, err, "EntityAlreadyExists", 409, "Instance Profile WEB already exists.")
	g, err := f.GetInstanceProfile(ctx, acct, "web")
	must(t, err)
	if g.Tags == nil || len(g.Tags) != 0 {
		t.Errorf("GetInstanceProfile Tags = %#v, want empty list", g.Tags)
	}

	f.role(t, "r")
	f.role(t, "r2")
	must(t, f.AddRoleToInstanceProfile(ctx, acct, "Web", "r"))
	wantErr(t, f.AddRoleToInstanceProfile(ctx, acct, "Web", "r2"), "LimitExceeded", 409, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	g, _ = f.GetInstanceProfile(ctx, acct, "Web")
	if len(g.Roles) != 1 || g.Roles[0].RoleName != "r" || g.Roles[0].MaxSessionDuration != nil || g.Roles[0].RoleLastUsed != nil {
		t.Errorf("roles in profile = %+v", g.Roles)
	}
	_, err = f.CreateInstanceProfile(ctx, acct, "Second", "/path-prefix/", []Tag{{"InitialKey", "InitialValue"}})
	must(t, err)
	must(t, f.AddRoleToInstanceProfile(ctx, acct, "Second", "r"))
	list, _, err := f.ListInstanceProfilesForRole(ctx, acct, "r", Page{})
	must(t, err)
	if len(list) != 2 || list[0].InstanceProfileName != "Second" || list[1].Tags != nil {
		t.Errorf("ListInstanceProfilesForRole = %+v", list)
	}
	empty, _, _ := f.ListInstanceProfilesForRole(ctx, acct, "r2", Page{})
	if empty == nil || len(empty) != 0 {
		t.Errorf("no profiles = %#v", empty)
	}
	all, _, err := f.ListInstanceProfiles(ctx, acct, "/path-prefix/", Page{})
	must(t, err)
	if len(all) != 2 || all[0].Tags != nil || len(all[0].Roles) != 1 {
		t.Errorf("ListInstanceProfiles = %+v", all)
	}

	wantErr(t, f.DeleteInstanceProfile(ctx, acct, "Web"), "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.")
	wantErr(t, f.RemoveRoleFromInstanceProfile(ctx, acct, "Web", "r2"), "NoSuchEntity", 404, "Role r2 in Instance Profile Web cannot be found.")
	wantErr(t, f.RemoveRoleFromInstanceProfile(ctx, acct, "nonexistent-profile", "r"), "NoSuchEntity", 404, "Instance Profile nonexistent-profile cannot be found.")
	wantErr(t, f.RemoveRoleFromInstanceProfile(ctx, acct, "Web", "nonexistent-role"), "NoSuchEntity", 404, "The role with name nonexistent-role cannot be found.")
	wantErr(t, f.AddRoleToInstanceProfile(ctx, acct, "nonexistent-profile", "r"), "NoSuchEntity", 404, "Instance Profile nonexistent-profile cannot be found.")
	must(t, f.RemoveRoleFromInstanceProfile(ctx, acct, "Web", "r"))
	must(t, f.DeleteInstanceProfile(ctx, acct, "Web"))
	_, err = f.GetInstanceProfile(ctx, acct, "Web")
	wantErr(t, err, "NoSuchEntity", 404, "Instance Profile Web cannot be found.")
	wantErr(t, f.DeleteInstanceProfile(ctx, acct, "Web"), "NoSuchEntity", 404, "Instance Profile Web cannot be found.")
}

func TestInstanceProfileTagsAndQuota(t *testing.T) {
	f := newFixture(t)
	_, err := f.CreateInstanceProfile(ctx, acct, "ip", "", nil)
	must(t, err)
	must(t, f.TagInstanceProfile(ctx, acct, "ip", []Tag{{"MyKey", "myValue"}, {"MyKey2", "myValue2"}}))
	must(t, f.UntagInstanceProfile(ctx, acct, "ip", []string{"mykey"}))
	tags, _, err := f.ListInstanceProfileTags(ctx, acct, "ip", Page{})
	must(t, err)
	if fmt.Sprint(tags) != "[{MyKey2 myValue2}]" {
		t.Errorf("tags = %v", tags)
	}
	wantErr(t, f.TagInstanceProfile(ctx, acct, "nonexistent-profile", []Tag{{"k", ""}}), "NoSuchEntity", 404, "Instance Profile nonexistent-profile cannot be found.")

	f.seed(t, bucketInstanceProfiles, QuotaInstanceProfilesPerAccount-1)
	_, err = f.CreateInstanceProfile(ctx, acct, "one-too-many", "", nil)
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for InstanceProfilesPerAccount: 1000")
}
