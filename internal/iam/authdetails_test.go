package iam

import (
	"slices"
	"strings"
	"testing"
)

// detailsNames flattens a page into "kind:name" entries, in order.
func detailsNames(d *AuthorizationDetails) []string {
	var out []string
	for _, u := range d.UserDetailList {
		out = append(out, "u:"+u.UserName)
	}
	for _, g := range d.GroupDetailList {
		out = append(out, "g:"+g.GroupName)
	}
	for _, r := range d.RoleDetailList {
		out = append(out, "r:"+r.RoleName)
	}
	for _, p := range d.Policies {
		out = append(out, "p:"+p.Arn)
	}
	return out
}

// detailsFixture: a user in a group, with inline, attached and boundary
// policies; a role in an instance profile; a service-linked role; customer
// managed policies used and unused.
func detailsFixture(t testing.TB) *fixture {
	t.Helper()
	f := newFixture(t)
	f.policy(t, "bound")
	f.policy(t, "Unused")
	f.policy(t, "shared")
	_, err := f.CreatePolicyVersion(ctx, acct, policyArnOf("shared"), docEC2, true)
	must(t, err)
	_, err = f.CreateUser(ctx, acct, CreateUserInput{UserName: "alice", Path: "/staff/", PermissionsBoundary: policyArnOf("bound"), Tags: []Tag{{"team", "core"}}})
	must(t, err)
	f.user(t, "Bob")
	f.group(t, "Ops")
	must(t, f.AddUserToGroup(ctx, acct, "ops", "alice"))
	must(t, f.PutUserPolicy(ctx, acct, "alice", "mine", docS3))
	must(t, f.AttachUserPolicy(ctx, acct, "alice", policyArnOf("shared")))
	must(t, f.PutGroupPolicy(ctx, acct, "Ops", "ops-inline", docEC2))
	must(t, f.AttachGroupPolicy(ctx, acct, "Ops", "arn:aws:iam::aws:policy/ReadOnlyAccess"))
	f.role(t, "app")
	must(t, f.PutRolePolicy(ctx, acct, "app", "logs", docS3))
	must(t, f.AttachRolePolicy(ctx, acct, "app", ecsTaskExecution))
	must(t, f.TagRole(ctx, acct, "app", []Tag{{"env", "prod"}}))
	_, err = f.CreateInstanceProfile(ctx, acct, "app-profile", "", nil)
	must(t, err)
	must(t, f.AddRoleToInstanceProfile(ctx, acct, "app-profile", "app"))
	// An AWS managed policy used only as a boundary.
	must(t, f.PutRolePermissionsBoundary(ctx, acct, "app", "arn:aws:iam::aws:policy/PowerUserAccess"))
	f.slr(t, ecsPrincipal)
	return f
}

func TestAuthorizationDetails(t *testing.T) {
	f := detailsFixture(t)
	d, next, err := f.GetAccountAuthorizationDetails(ctx, acct, nil, Page{})
	must(t, err)
	if next != "" {
		t.Errorf("truncated: %q", next)
	}
	want := []string{
		"u:alice", "u:Bob", "g:Ops", "r:app", "r:AWSServiceRoleForECS",
		// Policies in ListPolicies' order.
		"p:" + ecsServiceRole, "p:" + ecsTaskExecution, "p:arn:aws:iam::aws:policy/ReadOnlyAccess",
		"p:" + policyArnOf("Unused"), "p:" + policyArnOf("bound"), "p:" + policyArnOf("shared"),
	}
	if got := detailsNames(d); !slices.Equal(got, want) {
		t.Fatalf("listed %v\nwant   %v", got, want)
	}

	alice := d.UserDetailList[0]
	if alice.Path != "/staff/" || alice.Arn != "arn:aws:iam::"+acct+":user/staff/alice" || !strings.HasPrefix(alice.UserId, "AIDA") ||
		!slices.Equal(alice.GroupList, []string{"Ops"}) || alice.PermissionsBoundary == nil ||
		alice.PermissionsBoundary.PermissionsBoundaryArn != policyArnOf("bound") || alice.PermissionsBoundary.PermissionsBoundaryType != "Policy" ||
		len(alice.Tags) != 1 || alice.Tags[0] != (Tag{"team", "core"}) {
		t.Errorf("alice = %+v", alice)
	}
	if len(alice.UserPolicyList) != 1 || alice.UserPolicyList[0] != (PolicyDetail{"mine", docS3}) {
		t.Errorf("alice's inline policies %+v", alice.UserPolicyList)
	}
	if len(alice.AttachedManagedPolicies) != 1 || alice.AttachedManagedPolicies[0] != (AttachedPolicy{"shared", policyArnOf("shared")}) {
		t.Errorf("alice's attached policies %+v", alice.AttachedManagedPolicies)
	}
	// Empty lists are sent empty, not left out.
	bob := d.UserDetailList[1]
	if bob.UserPolicyList == nil || len(bob.UserPolicyList) != 0 || bob.GroupList == nil || bob.AttachedManagedPolicies == nil || bob.Tags == nil || bob.PermissionsBoundary != nil {
		t.Errorf("bob = %+v", bob)
	}

	ops := d.GroupDetailList[0]
	if ops.Arn != "arn:aws:iam::"+acct+":group/Ops" || len(ops.GroupPolicyList) != 1 || ops.GroupPolicyList[0] != (PolicyDetail{"ops-inline", docEC2}) ||
		len(ops.AttachedManagedPolicies) != 1 || ops.AttachedManagedPolicies[0].PolicyName != "ReadOnlyAccess" {
		t.Errorf("Ops = %+v", ops)
	}

	app := d.RoleDetailList[0]
	if app.AssumeRolePolicyDocument != trustEC2 || len(app.RolePolicyList) != 1 || app.RolePolicyList[0].PolicyName != "logs" ||
		len(app.AttachedManagedPolicies) != 1 || app.AttachedManagedPolicies[0] != (AttachedPolicy{"AmazonECSTaskExecutionRolePolicy", ecsTaskExecution}) ||
		app.PermissionsBoundary == nil || app.PermissionsBoundary.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/PowerUserAccess" ||
		len(app.Tags) != 1 || app.RoleLastUsed == nil || app.RoleLastUsed.LastUsedDate != nil {
		t.Errorf("app = %+v", app)
	}
	if len(app.InstanceProfileList) != 1 {
		t.Fatalf("app's instance profiles %+v", app.InstanceProfileList)
	}
	ip := app.InstanceProfileList[0]
	if ip.InstanceProfileName != "app-profile" || ip.Arn != "arn:aws:iam::"+acct+":instance-profile/app-profile" ||
		len(ip.Roles) != 1 || ip.Roles[0].RoleName != "app" || ip.Roles[0].AssumeRolePolicyDocument != trustEC2 || ip.Tags != nil {
		t.Errorf("instance profile %+v", ip)
	}
	slr := d.RoleDetailList[1]
	if slr.Path != "/aws-service-role/ecs.amazonaws.com/" || slr.Arn != ecsRoleArn || slr.AssumeRolePolicyDocument != ecsTrust ||
		len(slr.AttachedManagedPolicies) != 1 || slr.AttachedManagedPolicies[0].PolicyArn != ecsServiceRole {
		t.Errorf("service-linked role = %+v", slr)
	}

	byArn := map[string]ManagedPolicyDetail{}
	for _, p := range d.Policies {
		byArn[p.Arn] = p
	}
	shared := byArn[policyArnOf("shared")]
	if shared.DefaultVersionId != "v2" || shared.AttachmentCount != 1 || shared.PermissionsBoundaryUsageCount != 0 || !shared.IsAttachable ||
		len(shared.PolicyVersionList) != 2 {
		t.Fatalf("shared = %+v", shared)
	}
	if v := shared.PolicyVersionList; v[0] != (PolicyVersion{docEC2, "v2", true, epoch}) || v[1] != (PolicyVersion{docS3, "v1", false, epoch}) {
		t.Errorf("shared's versions %+v", v)
	}
	if b := byArn[policyArnOf("bound")]; b.AttachmentCount != 0 || b.PermissionsBoundaryUsageCount != 1 {
		t.Errorf("bound = %+v", b)
	}
	if u := byArn[policyArnOf("Unused")]; u.AttachmentCount != 0 || len(u.PolicyVersionList) != 1 {
		t.Errorf("Unused = %+v", u)
	}
	aws := byArn[ecsTaskExecution]
	mp, _ := lookupManaged(ecsTaskExecution)
	if aws.AttachmentCount != 1 || aws.DefaultVersionId != mp.DefaultVersionId || len(aws.PolicyVersionList) != len(mp.Versions) || aws.Path != "/service-role/" {
		t.Errorf("AmazonECSTaskExecutionRolePolicy = %+v", aws)
	}
	for _, v := range aws.PolicyVersionList {
		if v.IsDefaultVersion != (v.VersionId == mp.DefaultVersionId) || v.Document == "" {
			t.Errorf("version %+v", v)
		}
	}
	if _, ok := byArn["arn:aws:iam::aws:policy/PowerUserAccess"]; ok {
		t.Error("an AWS managed policy used only as a boundary is listed")
	}
}

func TestAuthorizationDetailsFilter(t *testing.T) {
	f := detailsFixture(t)
	for _, tc := range []struct {
		filter []string
		want   string
	}{
		{[]string{EntityUser}, "u:alice u:Bob"},
		{[]string{EntityGroup}, "g:Ops"},
		{[]string{EntityRole}, "r:app r:AWSServiceRoleForECS"},
		{[]string{EntityRole, EntityUser}, "u:alice u:Bob r:app r:AWSServiceRoleForECS"},
		{[]string{EntityLocalManagedPolicy}, "p:" + policyArnOf("Unused") + " p:" + policyArnOf("bound") + " p:" + policyArnOf("shared")},
		{[]string{EntityAWSManagedPolicy}, "p:" + ecsServiceRole + " p:" + ecsTaskExecution + " p:arn:aws:iam::aws:policy/ReadOnlyAccess"},
		{[]string{EntityGroup, EntityGroup}, "g:Ops"},
	} {
		d, next, err := f.GetAccountAuthorizationDetails(ctx, acct, tc.filter, Page{})
		must(t, err)
		if got := strings.Join(detailsNames(d), " "); got != tc.want || next != "" {
			t.Errorf("%v: %s (next %q)\nwant %s", tc.filter, got, next, tc.want)
		}
		if d.UserDetailList == nil || d.GroupDetailList == nil || d.RoleDetailList == nil || d.Policies == nil {
			t.Errorf("%v: a list left out: %+v", tc.filter, d)
		}
	}
	// Another account has none of it.
	d, _, err := f.GetAccountAuthorizationDetails(ctx, "111122223333", nil, Page{})
	must(t, err)
	if got := detailsNames(d); len(got) != 0 {
		t.Errorf("another account lists %v", got)
	}
}

// Paged in any step, the listing is the listing in one call: every entity
// once, in order, whatever the filter.
func TestAuthorizationDetailsPaging(t *testing.T) {
	f := detailsFixture(t)
	for _, n := range []string{"a", "B", "c", "D", "e"} {
		f.user(t, "user-"+n)
		f.role(t, "role-"+n)
		f.group(t, "group-"+n)
		f.policy(t, "policy-"+n)
	}
	for _, filter := range [][]string{nil, {EntityRole}, {EntityUser, EntityAWSManagedPolicy}, {EntityGroup, EntityLocalManagedPolicy}} {
		one, next, err := f.GetAccountAuthorizationDetails(ctx, acct, filter, Page{MaxItems: 1000})
		must(t, err)
		if next != "" {
			t.Fatal("truncated at 1000")
		}
		whole := detailsNames(one)
		for _, max := range []int32{1, 2, 3, 7, int32(len(whole)), int32(len(whole) + 1)} {
			got, pages := allPages(t, max, func(pg Page) ([]string, string, error) {
				d, next, err := f.GetAccountAuthorizationDetails(ctx, acct, filter, pg)
				if err != nil {
					return nil, "", err
				}
				return detailsNames(d), next, nil
			})
			if !slices.Equal(got, whole) {
				t.Errorf("%v by %d: %v\nwant %v", filter, max, got, whole)
			}
			if want := (len(whole) + int(max) - 1) / int(max); pages != want {
				t.Errorf("%v by %d: %d pages, want %d", filter, max, pages, want)
			}
		}
	}

	// A marker keeps its place when the entity it resumes at is deleted.
	d, next, err := f.GetAccountAuthorizationDetails(ctx, acct, []string{EntityUser}, Page{MaxItems: 3})
	must(t, err)
	if got := strings.Join(detailsNames(d), " "); got != "u:alice u:Bob u:user-a" {
		t.Fatalf("first page %s", got)
	}
	must(t, f.DeleteUser(ctx, acct, "user-B"))
	d, _, err = f.GetAccountAuthorizationDetails(ctx, acct, []string{EntityUser}, Page{Marker: next})
	must(t, err)
	if got := strings.Join(detailsNames(d), " "); got != "u:user-c u:user-D u:user-e" {
		t.Errorf("after deleting the marker's user: %s", got)
	}
}

func TestAuthorizationDetailsMarkers(t *testing.T) {
	f := detailsFixture(t)
	_, users, err := f.ListUsers(ctx, acct, "", Page{MaxItems: 1})
	must(t, err)
	_, policies, err := f.ListPolicies(ctx, acct, ListPoliciesInput{Scope: "Local"}, Page{MaxItems: 1})
	must(t, err)
	_, own, err := f.GetAccountAuthorizationDetails(ctx, acct, nil, Page{MaxItems: 1})
	must(t, err)
	for _, bad := range []string{"not-a-marker", "%%%", users, policies, encodeMarker(detailsMarker, ""), encodeMarker(detailsMarker, "x"), encodeMarker('o', "1")} {
		_, _, err := f.GetAccountAuthorizationDetails(ctx, acct, nil, Page{Marker: bad})
		wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
	}
	// And this listing's marker is no other's.
	_, _, err = f.ListUsers(ctx, acct, "", Page{Marker: own})
	wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
	_, _, err = f.ListPolicies(ctx, acct, ListPoliciesInput{}, Page{Marker: own})
	wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
	// A well-formed marker naming no entity resumes after where it would be.
	d, _, err := f.GetAccountAuthorizationDetails(ctx, acct, nil, Page{Marker: encodeMarker(detailsMarker, "rapp0")})
	must(t, err)
	if got := detailsNames(d); len(got) == 0 || got[0] != "r:AWSServiceRoleForECS" {
		t.Errorf("from r/app0: %v", got)
	}
}

// FuzzAuthorizationDetailsMarker: any marker is refused or resumes the
// listing; none panics or pages more than asked.
func FuzzAuthorizationDetailsMarker(f *testing.F) {
	f.Add(encodeMarker(detailsMarker, "ualice"))
	f.Add(encodeMarker(detailsMarker, "p"+"ReadOnlyAccess\x00a"))
	f.Add(encodeMarker(detailsMarker, "r"))
	f.Add(encodeMarker('k', "iam-users\x00x"))
	f.Add("")
	fx := detailsFixture(f)
	f.Fuzz(func(t *testing.T, m string) {
		section, _, err := decodeDetailsMarker(m)
		if err == nil && (section < 0 || section >= len(detailsSections)) {
			t.Fatalf("section %d", section)
		}
		d, _, err := fx.GetAccountAuthorizationDetails(ctx, acct, nil, Page{Marker: m, MaxItems: 2})
		if err != nil {
			wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
			return
		}
		if n := len(detailsNames(d)); n > 2 {
			t.Errorf("page of %d", n)
		}
	})
}
