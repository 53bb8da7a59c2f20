package iam

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/store"
)

func TestCreateRoleAndViews(t *testing.T) {
	f := newFixture(t)
	r, err := f.CreateRole(ctx, acct, CreateRoleInput{
		Path: "/app/", RoleName: "Web", AssumeRolePolicyDocument: trustEC2, Description: "web tier",
		Tags: []Tag{{"b", "2"}, {"a", "1"}},
	})
	must(t, err)
	if !strings.HasPrefix(r.RoleId, "AROA") || len(r.RoleId) != 21 {
		t.Errorf("RoleId = %q, want AROA + 17", r.RoleId)
	}
	if r.Arn != "arn:aws:iam::000000000000:role/app/Web" || r.Path != "/app/" || !r.CreateDate.Equal(epoch) {
		t.Errorf("role = %+v", r)
	}
	if r.AssumeRolePolicyDocument != trustEC2 {
		t.Errorf("trust policy not kept as given: %q", r.AssumeRolePolicyDocument)
	}
	// CreateRole's answer (recorded): no Description, MaxSessionDuration
	// or RoleLastUsed; tags as given.
	if r.Description != "" || r.MaxSessionDuration != nil || r.RoleLastUsed != nil || len(r.Tags) != 2 || r.Tags[0].Key != "b" {
		t.Errorf("CreateRole view = %+v", r)
	}

	g, err := f.GetRole(ctx, acct, "web") // names are case-insensitive
	must(t, err)
	if g.RoleName != "Web" || g.Description != "web tier" || g.MaxSessionDuration == nil || *g.MaxSessionDuration != 3600 {
		t.Errorf("GetRole = %+v", g)
	}
	if g.RoleLastUsed == nil || g.RoleLastUsed.LastUsedDate != nil || g.RoleLastUsed.Region != "" {
		t.Errorf("RoleLastUsed = %+v, want present and empty", g.RoleLastUsed)
	}
	if g.PermissionsBoundary != nil {
		t.Errorf("PermissionsBoundary = %+v", g.PermissionsBoundary)
	}

	list, _, err := f.ListRoles(ctx, acct, "", Page{})
	must(t, err)
	if len(list) != 1 || list[0].Tags != nil || list[0].RoleLastUsed != nil || list[0].Description != "web tier" || *list[0].MaxSessionDuration != 3600 {
		t.Errorf("ListRoles = %+v", list)
	}

	// A role without tags shows none.
	f.role(t, "bare")
	g, err = f.GetRole(ctx, acct, "bare")
	must(t, err)
	if g.Tags != nil {
		t.Errorf("Tags = %v, want absent", g.Tags)
	}
}

func TestCreateRoleErrors(t *testing.T) {
	f := newFixture(t)
	f.role(t, "Existing")
	f.policy(t, "boundary")
	long := strings.Repeat("x", 65)
	tests := []struct {
		name   string
		in     CreateRoleInput
		code   string
		status int
		msg    string
	}{
		{"name taken regardless of case", CreateRoleInput{RoleName: "EXISTING"},
			"EntityAlreadyExists", 409, "Role with name EXISTING already exists."},
		{"service-linked path", CreateRoleInput{RoleName: "r", Path: "/aws-service-role/ecs.amazonaws.com/"},
			"InvalidInput", 400, "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles"},
		{"path without trailing slash", CreateRoleInput{RoleName: "r", Path: "/app"},
			"ValidationError", 400, `1 validation error detected: Value '/app' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`},
		{"name too long", CreateRoleInput{RoleName: long},
			"ValidationError", 400, "1 validation error detected: Value '" + long + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"session too short", CreateRoleInput{RoleName: "r", MaxSessionDuration: 100},
			"ValidationError", 400, "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
		{"session too long", CreateRoleInput{RoleName: "r", MaxSessionDuration: 43201},
			"ValidationError", 400, "1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"duplicate tags", CreateRoleInput{RoleName: "r", Tags: []Tag{{"k", "1"}, {"K", "2"}}},
			"InvalidInput", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"too many tags", CreateRoleInput{RoleName: "r", Tags: make51Tags()},
			"ValidationError", 400, "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"boundary not a policy ARN", CreateRoleInput{RoleName: "r", PermissionsBoundary: "arn:aws:iam::000000000000:not_a_policy/invalid"},
			"InvalidInput", 400, "ARN arn:aws:iam::000000000000:not_a_policy/invalid is not valid."},
		{"boundary missing", CreateRoleInput{RoleName: "r", PermissionsBoundary: policyArnOf("nonexistent-policy")},
			"NoSuchEntity", 404, "Scope ARN: arn:aws:iam::000000000000:policy/nonexistent-policy does not exist or is not attachable."},
		{"trust policy over 2048 characters", CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: bigTrust(2049)},
			"LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in.AssumeRolePolicyDocument == "" {
				tt.in.AssumeRolePolicyDocument = trustEC2
			}
			_, err := f.CreateRole(ctx, acct, tt.in)
			wantErr(t, err, tt.code, tt.status, tt.msg)
		})
	}
	// None of the failures created anything.
	roles, _, err := f.ListRoles(ctx, acct, "", Page{})
	must(t, err)
	if len(roles) != 1 {
		t.Errorf("roles after failed creates = %d, want 1", len(roles))
	}
	// The trust quota counts characters that are not white space.
	padded := bigTrust(2048)
	padded = padded[:1] + strings.Repeat(" \n\t", 500) + padded[1:]
	if _, err := f.CreateRole(ctx, acct, CreateRoleInput{RoleName: "padded", AssumeRolePolicyDocument: padded}); err != nil {
		t.Errorf("2048 characters plus white space: %v", err)
	}
}

func make51Tags() []Tag {
	tags := make([]Tag, 51)
	for i := range tags {
		tags[i] = Tag{Key: fmt.Sprintf("k%d", i)}
	}
	return tags
}

// bigTrust is a trust policy of exactly n non-whitespace characters.
func bigTrust(n int) string {
	const head = `{"Version":"2012-10-17","Statement":[{"Sid":"`
	const tail = `","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	return head + strings.Repeat("s", n-len(head)-len(tail)) + tail
}

func TestTrustPrincipalsMustExist(t *testing.T) {
	f := newFixture(t)
	f.role(t, "target")
	f.user(t, "alice")
	_, err := f.CreateRole(ctx, "111111111111", CreateRoleInput{RoleName: "elsewhere", AssumeRolePolicyDocument: trustEC2})
	must(t, err)
	doc := func(values ...string) *policy.Document {
		return &policy.Document{Statements: []policy.Statement{{
			Effect: "Allow", Action: []string{"sts:AssumeRole"},
			Principal: &policy.Principal{ByType: map[string][]string{"AWS": values}},
		}}}
	}
	tests := []struct {
		principal string
		bad       bool
	}{
		{"arn:aws:iam::000000000000:role/target", false},
		{"arn:aws:iam::000000000000:role/TARGET", false},
		{"arn:aws:iam::000000000000:user/alice", false},
		{"arn:aws:iam::000000000000:root", false},
		{"000000000000", false},
		{"arn:aws:iam::111111111111:role/elsewhere", false}, // another account's role, which exists
		{"AROAEXAMPLEUNIQUEID1", false},
		{"arn:aws:iam::000000000000:role/missing", true},
		{"arn:aws:iam::000000000000:role/other/target", true}, // wrong path
		{"arn:aws:iam::000000000000:user/bob", true},
		{"arn:aws:iam::222222222222:role/nowhere", true}, // IAM checks every account
	}
	for _, tt := range tests {
		t.Run(tt.principal, func(t *testing.T) {
			err := f.st.View(func(tx store.Tx) error { _, err := bindTrust(tx, doc(tt.principal)); return err })
			if !tt.bad {
				must(t, err)
				return
			}
			wantErr(t, err, "MalformedPolicyDocument", 400, `Invalid principal in policy: "AWS":"`+tt.principal+`"`)
		})
	}
}

// TestTrustBindsUniqueIDs: a trust policy names users and roles by their
// unique IDs once saved; GetRole shows the ARN while the entity exists and
// the ID after, and a user created again under the name is not trusted.
func TestTrustBindsUniqueIDs(t *testing.T) {
	f := newFixture(t)
	alice := f.user(t, "alice")
	written := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::000000000000:user/alice","arn:aws:iam::000000000000:root"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::000000000000:user/alice"}}}]}`
	_, err := f.CreateRole(ctx, acct, CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: written})
	must(t, err)
	r, err := f.GetRole(ctx, acct, "app")
	must(t, err)
	if r.AssumeRolePolicyDocument != written {
		t.Fatalf("while alice exists GetRole shows\n%s\nwant it as written", r.AssumeRolePolicyDocument)
	}
	_, trust, err := f.RoleTrust(ctx, r.Arn)
	must(t, err)
	// Only the Principal element changes; the condition keeps the ARN.
	wantTrust := strings.Replace(written, `"arn:aws:iam::000000000000:user/alice","arn`, `"`+alice.UserId+`","arn`, 1)
	if trust != wantTrust {
		t.Fatalf("evaluated trust\n%s\nwant\n%s", trust, wantTrust)
	}

	// Renamed: the ARN follows the user.
	must(t, f.UpdateUser(ctx, acct, "alice", "/eng/", "alice2"))
	r, _ = f.GetRole(ctx, acct, "app")
	if want := strings.Replace(written, "user/alice\",", "user/eng/alice2\",", 1); r.AssumeRolePolicyDocument != want {
		t.Fatalf("after a rename GetRole shows\n%s\nwant\n%s", r.AssumeRolePolicyDocument, want)
	}

	// Deleted and created again: the ID shows, and stays.
	must(t, f.DeleteUser(ctx, acct, "alice2"))
	again, err := f.CreateUser(ctx, acct, CreateUserInput{UserName: "alice"})
	must(t, err)
	if again.UserId == alice.UserId {
		t.Fatal("a new user got the old id")
	}
	r, _ = f.GetRole(ctx, acct, "app")
	if r.AssumeRolePolicyDocument != wantTrust {
		t.Fatalf("after the user is deleted GetRole shows\n%s\nwant\n%s", r.AssumeRolePolicyDocument, wantTrust)
	}
	_, trust, _ = f.RoleTrust(ctx, r.Arn)
	if trust != wantTrust {
		t.Fatalf("evaluated trust after delete\n%s\nwant\n%s", trust, wantTrust)
	}
	// Saved again as shown (with the ID), as the console saves it.
	must(t, f.UpdateAssumeRolePolicy(ctx, acct, "app", r.AssumeRolePolicyDocument))
	r, _ = f.GetRole(ctx, acct, "app")
	if r.AssumeRolePolicyDocument != wantTrust {
		t.Fatalf("saved with the ID, GetRole shows\n%s", r.AssumeRolePolicyDocument)
	}
}

func TestTrustPolicyRecordedErrors(t *testing.T) {
	f := newFixture(t)
	f.role(t, "r")
	tests := []struct{ doc, msg string }{
		{`not json`, "This policy contains invalid Json"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`,
			"AssumeRole policy may only specify STS AssumeRole actions."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`,
			"Has prohibited field Resource"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/ghost"},"Action":"sts:AssumeRole"}]}`,
			`Invalid principal in policy: "AWS":"arn:aws:iam::000000000000:role/ghost"`},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			wantErr(t, f.UpdateAssumeRolePolicy(ctx, acct, "r", tt.doc), "MalformedPolicyDocument", 400, tt.msg)
			_, err := f.CreateRole(ctx, acct, CreateRoleInput{RoleName: "new", AssumeRolePolicyDocument: tt.doc})
			wantErr(t, err, "MalformedPolicyDocument", 400, tt.msg)
		})
	}
}

func TestRoleQuota(t *testing.T) {
	f := newFixture(t)
	f.seed(t, bucketRoles, QuotaRolesPerAccount-1)
	f.role(t, "last")
	_, err := f.CreateRole(ctx, acct, CreateRoleInput{RoleName: "one-too-many", AssumeRolePolicyDocument: trustEC2})
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for RolesPerAccount: 1000")
}

func TestNoSuchRole(t *testing.T) {
	f := newFixture(t)
	const msg = "The role with name test-nonexistent-role cannot be found."
	name := "test-nonexistent-role"
	calls := map[string]error{
		"GetRole":               func() error { _, err := f.GetRole(ctx, acct, name); return err }(),
		"UpdateRole":            f.UpdateRole(ctx, acct, name, "d", 0),
		"DeleteRole":            f.DeleteRole(ctx, acct, name),
		"TagRole":               f.TagRole(ctx, acct, name, []Tag{{"k", "v"}}),
		"UntagRole":             f.UntagRole(ctx, acct, name, []string{"k"}),
		"PutRolePolicy":         f.PutRolePolicy(ctx, acct, name, "p", docS3),
		"AttachRolePolicy":      f.AttachRolePolicy(ctx, acct, name, ecsTaskExecution),
		"PutRolePermissionsBnd": f.PutRolePermissionsBoundary(ctx, acct, name, ecsTaskExecution),
		"ListRoleTags":          func() error { _, _, err := f.ListRoleTags(ctx, acct, name, Page{}); return err }(),
		"ListRolePolicies":      func() error { _, _, err := f.ListRolePolicies(ctx, acct, name, Page{}); return err }(),
	}
	for op, err := range calls {
		t.Run(op, func(t *testing.T) { wantErr(t, err, "NoSuchEntity", 404, msg) })
	}
}

func TestListRolesPagination(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 7; i++ {
		_, err := f.CreateRole(ctx, acct, CreateRoleInput{Path: "/p/", RoleName: fmt.Sprintf("role-%d", 6-i), AssumeRolePolicyDocument: trustEC2})
		must(t, err)
	}
	f.role(t, "outside")
	// Another account's roles never show.
	_, err := f.CreateRole(ctx, "111111111111", CreateRoleInput{Path: "/p/", RoleName: "role-x", AssumeRolePolicyDocument: trustEC2})
	must(t, err)

	roles, pages := allPages(t, 3, func(pg Page) ([]Role, string, error) { return f.ListRoles(ctx, acct, "/p/", pg) })
	if pages != 3 || len(roles) != 7 {
		t.Fatalf("%d roles in %d pages, want 7 in 3", len(roles), pages)
	}
	for i, r := range roles {
		if want := fmt.Sprintf("role-%d", i); r.RoleName != want {
			t.Errorf("roles[%d] = %s, want %s (name order)", i, r.RoleName, want)
		}
	}
	first, next, err := f.ListRoles(ctx, acct, "", Page{MaxItems: 8})
	must(t, err)
	if len(first) != 8 || next != "" {
		t.Errorf("8 of 8: %d roles, next %q", len(first), next)
	}
	none, next, err := f.ListRoles(ctx, acct, "/nothing/", Page{})
	must(t, err)
	if none == nil || len(none) != 0 || next != "" {
		t.Errorf("empty listing = %#v, %q; want empty non-nil", none, next)
	}
	_, _, err = f.ListRoles(ctx, acct, "", Page{Marker: "not-a-marker!"})
	wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
}

func TestUpdateRole(t *testing.T) {
	f := newFixture(t)
	_, err := f.CreateRole(ctx, acct, CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustEC2, Description: "initial description"})
	must(t, err)
	must(t, f.UpdateRole(ctx, acct, "r", "updated description", 7200))
	g, _ := f.GetRole(ctx, acct, "r")
	if g.Description != "updated description" || *g.MaxSessionDuration != 7200 {
		t.Errorf("after UpdateRole: %+v", g)
	}
	d, err := f.UpdateRoleDescription(ctx, acct, "r", "description via update_role_description")
	must(t, err)
	// UpdateRoleDescription's answer (recorded): Description, but no
	// MaxSessionDuration or RoleLastUsed.
	if d.Description != "description via update_role_description" || d.MaxSessionDuration != nil || d.RoleLastUsed != nil {
		t.Errorf("UpdateRoleDescription = %+v", d)
	}
	must(t, f.UpdateRole(ctx, acct, "r", "", 0)) // changes nothing
	g, _ = f.GetRole(ctx, acct, "r")
	if g.Description != "description via update_role_description" || *g.MaxSessionDuration != 7200 {
		t.Errorf("after empty UpdateRole: %+v", g)
	}
	wantErr(t, f.UpdateRole(ctx, acct, "r", "", 50000), "ValidationError", 400,
		"1 validation error detected: Value '50000' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200")

	other := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	must(t, f.UpdateAssumeRolePolicy(ctx, acct, "r", other))
	g, _ = f.GetRole(ctx, acct, "r")
	if g.AssumeRolePolicyDocument != other {
		t.Errorf("trust policy = %s", g.AssumeRolePolicyDocument)
	}
	wantErr(t, f.UpdateAssumeRolePolicy(ctx, acct, "r", bigTrust(2049)), "LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048")
}

func TestDeleteRoleConflicts(t *testing.T) {
	f := newFixture(t)
	f.role(t, "r")
	f.policy(t, "p")

	must(t, f.PutRolePolicy(ctx, acct, "r", "inline", docS3))
	wantErr(t, f.DeleteRole(ctx, acct, "r"), "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	must(t, f.DeleteRolePolicy(ctx, acct, "r", "inline"))

	must(t, f.AttachRolePolicy(ctx, acct, "r", policyArnOf("p")))
	wantErr(t, f.DeleteRole(ctx, acct, "r"), "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	must(t, f.DetachRolePolicy(ctx, acct, "r", policyArnOf("p")))

	_, err := f.CreateInstanceProfile(ctx, acct, "ip", "", nil)
	must(t, err)
	must(t, f.AddRoleToInstanceProfile(ctx, acct, "ip", "r"))
	wantErr(t, f.DeleteRole(ctx, acct, "r"), "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.")
	must(t, f.RemoveRoleFromInstanceProfile(ctx, acct, "ip", "r"))

	// A boundary does not hold a role back, and its use ends with the role.
	must(t, f.PutRolePermissionsBoundary(ctx, acct, "r", policyArnOf("p")))
	must(t, f.DeleteRole(ctx, acct, "r"))
	_, err = f.GetRole(ctx, acct, "r")
	wantErr(t, err, "NoSuchEntity", 404, "The role with name r cannot be found.")
	p, err := f.GetPolicy(ctx, acct, policyArnOf("p"))
	must(t, err)
	if p.PermissionsBoundaryUsageCount != 0 || p.AttachmentCount != 0 {
		t.Errorf("policy usage after role deletion = %+v", p)
	}
	must(t, f.DeletePolicy(ctx, acct, policyArnOf("p")))
}

func TestRoleTags(t *testing.T) {
	f := newFixture(t)
	f.role(t, "r")
	must(t, f.TagRole(ctx, acct, "r", []Tag{{"somekey", "somevalue"}, {"someotherkey", "someothervalue"}}))
	must(t, f.TagRole(ctx, acct, "r", []Tag{{"SOMEKEY", "updatedvalue"}}))
	tags, next, err := f.ListRoleTags(ctx, acct, "r", Page{})
	must(t, err)
	want := []Tag{{"SOMEKEY", "updatedvalue"}, {"someotherkey", "someothervalue"}}
	if fmt.Sprint(tags) != fmt.Sprint(want) || next != "" {
		t.Errorf("tags = %v, want %v", tags, want)
	}
	wantErr(t, f.TagRole(ctx, acct, "r", []Tag{{"a", ""}, {"A", ""}}), "InvalidInput", 400,
		"Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	must(t, f.UntagRole(ctx, acct, "r", []string{"somekey", "never-there"}))
	tags, _, _ = f.ListRoleTags(ctx, acct, "r", Page{})
	if len(tags) != 1 || tags[0].Key != "someotherkey" {
		t.Errorf("after untag: %v", tags)
	}
	// 49 more fit; the 51st does not, and a failed TagRole changes nothing.
	var more []Tag
	for i := 0; i < 49; i++ {
		more = append(more, Tag{Key: fmt.Sprintf("k%02d", i)})
	}
	must(t, f.TagRole(ctx, acct, "r", more))
	wantErr(t, f.TagRole(ctx, acct, "r", []Tag{{"one-more", ""}}), "LimitExceeded", 409, "The number of tags has reached the maximum limit.")
	must(t, f.TagRole(ctx, acct, "r", []Tag{{"k00", "replaced"}})) // replacing at the cap is fine
	all, pages := allPages(t, 20, func(pg Page) ([]Tag, string, error) { return f.ListRoleTags(ctx, acct, "r", pg) })
	if len(all) != 50 || pages != 3 || all[1].Value != "replaced" {
		t.Errorf("%d tags in %d pages, all[1] = %v", len(all), pages, all[1])
	}
	must(t, f.UntagRole(ctx, acct, "r", keysOf(all)))
	tags, _, _ = f.ListRoleTags(ctx, acct, "r", Page{})
	if tags == nil || len(tags) != 0 {
		t.Errorf("empty tags = %#v, want empty non-nil", tags)
	}
}

func keysOf(tags []Tag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.Key
	}
	return out
}

func TestRolePermissionsBoundary(t *testing.T) {
	f := newFixture(t)
	f.role(t, "r")
	f.policy(t, "b")
	must(t, f.PutRolePermissionsBoundary(ctx, acct, "r", policyArnOf("b")))
	g, _ := f.GetRole(ctx, acct, "r")
	if g.PermissionsBoundary == nil || *g.PermissionsBoundary != (AttachedPermissionsBoundary{"Policy", policyArnOf("b")}) {
		t.Errorf("PermissionsBoundary = %+v", g.PermissionsBoundary)
	}
	list, _, _ := f.ListRoles(ctx, acct, "", Page{})
	if list[0].PermissionsBoundary != nil {
		t.Errorf("ListRoles shows the boundary: %+v", list[0].PermissionsBoundary)
	}
	p, _ := f.GetPolicy(ctx, acct, policyArnOf("b"))
	if p.PermissionsBoundaryUsageCount != 1 || p.AttachmentCount != 0 {
		t.Errorf("usage = %d/%d", p.AttachmentCount, p.PermissionsBoundaryUsageCount)
	}
	// A policy used as a boundary cannot be deleted (cloud-nuke #972).
	wantErr(t, f.DeletePolicy(ctx, acct, policyArnOf("b")), "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	// An AWS managed policy can be a boundary; replacing moves the usage.
	must(t, f.PutRolePermissionsBoundary(ctx, acct, "r", ecsTaskExecution))
	p, _ = f.GetPolicy(ctx, acct, policyArnOf("b"))
	if p.PermissionsBoundaryUsageCount != 0 {
		t.Errorf("old boundary still counted: %d", p.PermissionsBoundaryUsageCount)
	}
	wantErr(t, f.PutRolePermissionsBoundary(ctx, acct, "r", policyArnOf("nonexistent-policy")), "NoSuchEntity", 404,
		"Scope ARN: arn:aws:iam::000000000000:policy/nonexistent-policy does not exist or is not attachable.")
	must(t, f.DeleteRolePermissionsBoundary(ctx, acct, "r"))
	g, _ = f.GetRole(ctx, acct, "r")
	if g.PermissionsBoundary != nil {
		t.Errorf("boundary after delete = %+v", g.PermissionsBoundary)
	}
}

func TestRoleInlinePolicies(t *testing.T) {
	f := newFixture(t)
	f.role(t, "r")
	must(t, f.PutRolePolicy(ctx, acct, "r", "zeta", docS3))
	must(t, f.PutRolePolicy(ctx, acct, "r", "alpha", docEC2))
	must(t, f.PutRolePolicy(ctx, acct, "r", "zeta", docEC2)) // replaces
	doc, err := f.GetRolePolicy(ctx, acct, "r", "zeta")
	must(t, err)
	if doc != docEC2 {
		t.Errorf("document = %s", doc)
	}
	names, _, _ := f.ListRolePolicies(ctx, acct, "r", Page{})
	if fmt.Sprint(names) != "[alpha zeta]" {
		t.Errorf("names = %v", names)
	}
	_, err = f.GetRolePolicy(ctx, acct, "r", "non-existent-policy")
	wantErr(t, err, "NoSuchEntity", 404, "The role policy with name non-existent-policy cannot be found.")
	wantErr(t, f.DeleteRolePolicy(ctx, acct, "r", "non-existent-policy"), "NoSuchEntity", 404, "The role policy with name non-existent-policy cannot be found.")

	// The 10,240-character aggregate, white space not counted.
	must(t, f.DeleteRolePolicy(ctx, acct, "r", "alpha"))
	must(t, f.DeleteRolePolicy(ctx, acct, "r", "zeta"))
	must(t, f.PutRolePolicy(ctx, acct, "r", "half", bigDoc(5120)))
	must(t, f.PutRolePolicy(ctx, acct, "r", "other-half", bigDoc(5120)))
	wantErr(t, f.PutRolePolicy(ctx, acct, "r", "third", docS3), "LimitExceeded", 409, "Maximum policy size of 10240 bytes exceeded for role r")
	must(t, f.PutRolePolicy(ctx, acct, "r", "half", bigDoc(5000))) // replacing counts the new size only
	names, _, _ = f.ListRolePolicies(ctx, acct, "r", Page{})
	if len(names) != 2 {
		t.Errorf("names after failed put = %v", names)
	}
	empty, _, _ := f.ListRolePolicies(ctx, acct, f.role(t, "empty").RoleName, Page{})
	if empty == nil || len(empty) != 0 {
		t.Errorf("no inline policies = %#v, want empty non-nil", empty)
	}
}

func TestRoleManagedPolicies(t *testing.T) {
	f := newFixture(t)
	f.role(t, "r")
	f.policy(t, "p")
	must(t, f.AttachRolePolicy(ctx, acct, "r", policyArnOf("p")))
	must(t, f.AttachRolePolicy(ctx, acct, "r", policyArnOf("p"))) // again: no change
	must(t, f.AttachRolePolicy(ctx, acct, "r", ecsTaskExecution))
	list, _, _ := f.ListAttachedRolePolicies(ctx, acct, "r", "", Page{})
	want := []AttachedPolicy{{"p", policyArnOf("p")}, {"AmazonECSTaskExecutionRolePolicy", ecsTaskExecution}}
	if fmt.Sprint(list) != fmt.Sprint(want) {
		t.Errorf("attached = %v, want %v", list, want)
	}
	list, _, _ = f.ListAttachedRolePolicies(ctx, acct, "r", "/service-role/", Page{})
	if len(list) != 1 || list[0].PolicyArn != ecsTaskExecution {
		t.Errorf("attached under /service-role/ = %v", list)
	}

	tests := []struct {
		name   string
		err    error
		code   string
		status int
		msg    string
	}{
		{"attach missing policy", f.AttachRolePolicy(ctx, acct, "r", policyArnOf("nonexistent-policy")),
			"NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/nonexistent-policy does not exist or is not attachable."},
		{"attach missing AWS policy", f.AttachRolePolicy(ctx, acct, "r", "arn:aws:iam::aws:policy/X"),
			"NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/X does not exist or is not attachable."},
		{"attach not an ARN", f.AttachRolePolicy(ctx, acct, "r", "longpolicynamebutnoarn"),
			"ValidationError", 400, "ARN longpolicynamebutnoarn is not valid."},
		{"attach service-linked role policy", f.AttachRolePolicy(ctx, acct, "r", ecsServiceRole),
			"PolicyNotAttachable", 400, "Cannot attach a Service Role Policy to a Customer Role."},
		{"detach not attached", f.DetachRolePolicy(ctx, acct, f.role(t, "other").RoleName, policyArnOf("p")),
			"NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/p was not found."},
		{"detach unknown AWS policy", f.DetachRolePolicy(ctx, acct, "r", "arn:aws:iam::aws:policy/Nonexistent"),
			"NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/Nonexistent was not found."},
		{"detach not an ARN", f.DetachRolePolicy(ctx, acct, "r", "p"),
			"ValidationError", 400, "ARN p is not valid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.err, tt.code, tt.status, tt.msg) })
	}

	// Ten managed policies per role.
	for i := 0; i < 8; i++ {
		f.policy(t, fmt.Sprintf("q%d", i))
		must(t, f.AttachRolePolicy(ctx, acct, "r", policyArnOf(fmt.Sprintf("q%d", i))))
	}
	f.policy(t, "eleventh")
	wantErr(t, f.AttachRolePolicy(ctx, acct, "r", policyArnOf("eleventh")), "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerRole: 10")
	all, pages := allPages(t, 4, func(pg Page) ([]AttachedPolicy, string, error) {
		return f.ListAttachedRolePolicies(ctx, acct, "r", "", pg)
	})
	if len(all) != 10 || pages != 3 {
		t.Errorf("%d attached in %d pages", len(all), pages)
	}
}

func TestRoleByARNAndLastUsed(t *testing.T) {
	f := newFixture(t)
	_, err := f.CreateRole(ctx, acct, CreateRoleInput{Path: "/svc/", RoleName: "Task", AssumeRolePolicyDocument: trustEC2})
	must(t, err)
	r, err := f.RoleByARN(ctx, "arn:aws:iam::000000000000:role/svc/Task")
	must(t, err)
	if r.RoleName != "Task" {
		t.Errorf("RoleByARN = %+v", r)
	}
	_, err = f.RoleByARN(ctx, "arn:aws:iam::000000000000:role/Task")
	wantErr(t, err, "NoSuchEntity", 404, "The role with name Task cannot be found.")
	_, err = f.RoleByARN(ctx, "nothing-valid-in-here")
	wantErr(t, err, "ValidationError", 400, "nothing-valid-in-here is invalid")

	used := epoch.Add(90 * time.Minute)
	must(t, f.RecordRoleUsed(ctx, acct, "task", "eu-west-1", used))
	g, _ := f.GetRole(ctx, acct, "Task")
	if g.RoleLastUsed == nil || g.RoleLastUsed.LastUsedDate == nil || !g.RoleLastUsed.LastUsedDate.Equal(used) || g.RoleLastUsed.Region != "eu-west-1" {
		t.Errorf("RoleLastUsed = %+v", g.RoleLastUsed)
	}
}

// failingStore fails the first Put to a bucket, after the transaction has
// already written elsewhere: the whole call must then leave no trace.
type failingStore struct {
	store.Store
	bucket string
}

type failingTx struct {
	store.Tx
	bucket string
}

var errInjected = errors.New("injected write failure")

func (s failingStore) Update(fn func(store.Tx) error) error {
	return s.Store.Update(func(tx store.Tx) error { return fn(failingTx{tx, s.bucket}) })
}

func (t failingTx) Put(bucket, key string, v []byte) error {
	if bucket == t.bucket {
		return errInjected
	}
	return t.Tx.Put(bucket, key, v)
}

func TestFailedCallWritesNothing(t *testing.T) {
	f := newFixture(t)
	f.policy(t, "b")
	broken := New(Config{Store: failingStore{f.st, bucketRoles}, Clock: f.clock, IDs: &ids.Sequence{}})
	// CreateRole writes the boundary's usage before the role itself.
	_, err := broken.CreateRole(ctx, acct, CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustEC2, PermissionsBoundary: policyArnOf("b")})
	if !errors.Is(err, errInjected) {
		t.Fatalf("err = %v", err)
	}
	p, _ := f.GetPolicy(ctx, acct, policyArnOf("b"))
	if p.PermissionsBoundaryUsageCount != 0 {
		t.Errorf("boundary usage written by a failed call: %d", p.PermissionsBoundaryUsageCount)
	}
	_, err = f.GetRole(ctx, acct, "r")
	wantErr(t, err, "NoSuchEntity", 404, "The role with name r cannot be found.")

	// A validation failure after reads writes nothing either.
	f.role(t, "r")
	must(t, f.AttachRolePolicy(ctx, acct, "r", policyArnOf("b")))
	wantErr(t, f.DeleteRole(ctx, acct, "r"), "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	p, _ = f.GetPolicy(ctx, acct, policyArnOf("b"))
	if p.AttachmentCount != 1 {
		t.Errorf("AttachmentCount = %d after a refused DeleteRole", p.AttachmentCount)
	}
}

func BenchmarkGetRole(b *testing.B) {
	f := newFixture(b)
	for i := 0; i < 100; i++ {
		f.role(b, fmt.Sprintf("role-%03d", i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.GetRole(ctx, acct, "role-050"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreateRole(b *testing.B) {
	f := newFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A fresh account every 900 roles keeps clear of the quota.
		account := fmt.Sprintf("%012d", i/900)
		_, err := f.CreateRole(ctx, account, CreateRoleInput{RoleName: fmt.Sprintf("role-%d", i), AssumeRolePolicyDocument: trustEC2})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListRoles(b *testing.B) {
	f := newFixture(b)
	for i := 0; i < 100; i++ {
		f.role(b, fmt.Sprintf("role-%03d", i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if roles, _, err := f.ListRoles(ctx, acct, "", Page{}); err != nil || len(roles) != 100 {
			b.Fatal(len(roles), err)
		}
	}
}
