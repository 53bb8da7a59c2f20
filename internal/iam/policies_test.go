package iam

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCreateAndGetPolicy(t *testing.T) {
	f := newFixture(t)
	p, err := f.CreatePolicy(ctx, acct, CreatePolicyInput{
		PolicyName: "Reader", Path: "/test/path/", PolicyDocument: docS3, Description: "testing",
		Tags: []Tag{{"z", "1"}, {"a", "2"}},
	})
	must(t, err)
	if p.Arn != "arn:aws:iam::000000000000:policy/test/path/Reader" || !strings.HasPrefix(p.PolicyId, "ANPA") || len(p.PolicyId) != 21 ||
		p.DefaultVersionId != "v1" || !p.IsAttachable || p.AttachmentCount != 0 || !p.UpdateDate.Equal(epoch) {
		t.Errorf("CreatePolicy = %+v", p)
	}
	// CreatePolicy's answer leaves out the Description and echoes the tags
	// in request order (recorded).
	if p.Description != "" || fmt.Sprint(p.Tags) != "[{z 1} {a 2}]" {
		t.Errorf("CreatePolicy view: Description %q, Tags %v", p.Description, p.Tags)
	}
	g, err := f.GetPolicy(ctx, acct, p.Arn)
	must(t, err)
	if g.Description != "testing" || fmt.Sprint(g.Tags) != "[{a 2} {z 1}]" {
		t.Errorf("GetPolicy: Description %q, Tags %v", g.Description, g.Tags)
	}
	bare := f.policy(t, "Bare")
	g, _ = f.GetPolicy(ctx, acct, bare.Arn)
	if g.Tags == nil || len(g.Tags) != 0 {
		t.Errorf("GetPolicy of an untagged policy: Tags = %#v, want empty list", g.Tags)
	}
	if bare.Tags != nil {
		t.Errorf("CreatePolicy without tags shows Tags %#v", bare.Tags)
	}

	_, err = f.CreatePolicy(ctx, acct, CreatePolicyInput{PolicyName: "Reader", PolicyDocument: docS3})
	wantErr(t, err, "EntityAlreadyExists", 409, "A policy called Reader already exists. Duplicate names are not allowed.")
	_, err = f.GetPolicy(ctx, acct, policyArnOf("TestNonExistingPolicy"))
	wantErr(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/TestNonExistingPolicy was not found.")
	_, err = f.GetPolicy(ctx, acct, "arn:aws:iam::000000000000:policy/Reader") // wrong path
	wantErr(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/Reader was not found.")
	_, err = f.GetPolicy(ctx, acct, "not-an-arn-at-all")
	wantErr(t, err, "ValidationError", 400, "ARN not-an-arn-at-all is not valid.")
}

func TestCreatePolicyErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		in     CreatePolicyInput
		code   string
		status int
		msg    string
	}{
		{"over 6144 characters", CreatePolicyInput{PolicyName: "p", PolicyDocument: bigDoc(6145)},
			"LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144"},
		{"not JSON", CreatePolicyInput{PolicyName: "p", PolicyDocument: "{"},
			"MalformedPolicyDocument", 400, "Syntax errors in policy."},
		{"duplicate tag keys", CreatePolicyInput{PolicyName: "p", PolicyDocument: docS3, Tags: []Tag{{"k", ""}, {"k", "v"}}},
			"InvalidInput", 400, "Duplicate tag keys found."},
		{"bad path", CreatePolicyInput{PolicyName: "p", Path: "nope", PolicyDocument: docS3},
			"ValidationError", 400, `1 validation error detected: Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.CreatePolicy(ctx, acct, tt.in)
			wantErr(t, err, tt.code, tt.status, tt.msg)
		})
	}
	if _, err := f.CreatePolicy(ctx, acct, CreatePolicyInput{PolicyName: "exactly", PolicyDocument: bigDoc(6144)}); err != nil {
		t.Errorf("6144 characters: %v", err)
	}
	f.seed(t, bucketPolicies, QuotaPoliciesPerAccount-2)
	f.policy(t, "last")
	_, err := f.CreatePolicy(ctx, acct, CreatePolicyInput{PolicyName: "one-too-many", PolicyDocument: docS3})
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerAccount: 1500")
}

func TestPolicyVersions(t *testing.T) {
	f := newFixture(t)
	arn := f.policy(t, "p").Arn
	f.clock.Advance(time.Hour)
	v2, err := f.CreatePolicyVersion(ctx, acct, arn, docEC2, true)
	must(t, err)
	if v2.VersionId != "v2" || !v2.IsDefaultVersion || v2.Document != "" {
		t.Errorf("v2 = %+v", v2)
	}
	v3, err := f.CreatePolicyVersion(ctx, acct, arn, docS3, false)
	must(t, err)
	if v3.VersionId != "v3" || v3.IsDefaultVersion {
		t.Errorf("v3 = %+v", v3)
	}
	got, err := f.GetPolicyVersion(ctx, acct, arn, "v2")
	must(t, err)
	if got.Document != docEC2 || !got.IsDefaultVersion {
		t.Errorf("GetPolicyVersion v2 = %+v", got)
	}
	p, _ := f.GetPolicy(ctx, acct, arn)
	if p.DefaultVersionId != "v2" || !p.UpdateDate.Equal(epoch.Add(time.Hour)) || !p.CreateDate.Equal(epoch) {
		t.Errorf("policy after versions = %+v", p)
	}
	versions, _, err := f.ListPolicyVersions(ctx, acct, arn, Page{})
	must(t, err)
	if fmt.Sprint(versionIDs(versions)) != "[v3 v2* v1]" {
		t.Errorf("versions = %v", versionIDs(versions))
	}

	must(t, f.SetDefaultPolicyVersion(ctx, acct, arn, "v1"))
	versions, _, _ = f.ListPolicyVersions(ctx, acct, arn, Page{})
	if fmt.Sprint(versionIDs(versions)) != "[v3 v2 v1*]" {
		t.Errorf("versions after SetDefault v1 = %v", versionIDs(versions))
	}
	wantErr(t, f.DeletePolicyVersion(ctx, acct, arn, "v1"), "DeleteConflict", 409, "Cannot delete the default version of a policy.")

	// Five versions at most; ids keep counting after a deletion (recorded v6).
	for i := 0; i < 2; i++ {
		_, err := f.CreatePolicyVersion(ctx, acct, arn, docS3, false)
		must(t, err)
	}
	_, err = f.CreatePolicyVersion(ctx, acct, arn, docS3, false)
	wantErr(t, err, "LimitExceeded", 409, "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	must(t, f.DeletePolicyVersion(ctx, acct, arn, "v3"))
	v6, err := f.CreatePolicyVersion(ctx, acct, arn, docS3, false)
	must(t, err)
	if v6.VersionId != "v6" {
		t.Errorf("version after delete = %s, want v6", v6.VersionId)
	}
	all, pages := allPages(t, 2, func(pg Page) ([]PolicyVersion, string, error) { return f.ListPolicyVersions(ctx, acct, arn, pg) })
	if fmt.Sprint(versionIDs(all)) != "[v6 v5 v4 v2 v1*]" || pages != 3 {
		t.Errorf("paged versions = %v in %d pages", versionIDs(all), pages)
	}

	missing := policyArnOf("TestNonExistingPolicy")
	tests := []struct {
		name string
		err  error
		msg  string
	}{
		{"get version of missing policy", func() error { _, err := f.GetPolicyVersion(ctx, acct, missing, "v1"); return err }(),
			"Policy arn:aws:iam::000000000000:policy/TestNonExistingPolicy version v1 does not exist or is not attachable."},
		{"get missing version", func() error { _, err := f.GetPolicyVersion(ctx, acct, arn, "v9"); return err }(),
			"Policy arn:aws:iam::000000000000:policy/p version v9 does not exist or is not attachable."},
		{"delete missing version", f.DeletePolicyVersion(ctx, acct, arn, "v9"),
			"Policy arn:aws:iam::000000000000:policy/p version v9 does not exist or is not attachable."},
		{"set default of missing policy", f.SetDefaultPolicyVersion(ctx, acct, missing, "v1"),
			"Policy arn:aws:iam::000000000000:policy/TestNonExistingPolicy version v1 does not exist or is not attachable."},
		{"set default to missing version", f.SetDefaultPolicyVersion(ctx, acct, arn, "v3"),
			"Policy arn:aws:iam::000000000000:policy/p version v3 does not exist or is not attachable."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.err, "NoSuchEntity", 404, tt.msg) })
	}
}

func versionIDs(vs []PolicyVersion) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.VersionId
		if v.IsDefaultVersion {
			out[i] += "*"
		}
	}
	return out
}

func TestDeletePolicy(t *testing.T) {
	f := newFixture(t)
	arn := f.policy(t, "p").Arn
	f.role(t, "r")
	must(t, f.AttachRolePolicy(ctx, acct, "r", arn))
	wantErr(t, f.DeletePolicy(ctx, acct, arn), "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	must(t, f.DetachRolePolicy(ctx, acct, "r", arn))
	_, err := f.CreatePolicyVersion(ctx, acct, arn, docEC2, true)
	must(t, err)
	wantErr(t, f.DeletePolicy(ctx, acct, arn), "DeleteConflict", 409,
		"This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	must(t, f.DeletePolicyVersion(ctx, acct, arn, "v1"))
	must(t, f.DeletePolicy(ctx, acct, arn))
	wantErr(t, f.DeletePolicy(ctx, acct, arn), "NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/p was not found.")
	wantErr(t, f.DeletePolicy(ctx, acct, policyArnOf("non-existent-policy")), "NoSuchEntity", 404,
		"Policy arn:aws:iam::000000000000:policy/non-existent-policy was not found.")
}

func TestAttachmentCount(t *testing.T) {
	f := newFixture(t)
	arn := f.policy(t, "p").Arn
	f.role(t, "r")
	f.user(t, "u")
	f.group(t, "g")
	must(t, f.AttachRolePolicy(ctx, acct, "r", arn))
	must(t, f.AttachUserPolicy(ctx, acct, "u", arn))
	must(t, f.AttachGroupPolicy(ctx, acct, "g", arn))
	must(t, f.AttachRolePolicy(ctx, acct, "R", arn)) // the same role again
	count := func() int32 {
		t.Helper()
		p, err := f.GetPolicy(ctx, acct, arn)
		must(t, err)
		return p.AttachmentCount
	}
	if n := count(); n != 3 {
		t.Errorf("AttachmentCount = %d, want 3", n)
	}
	must(t, f.DetachUserPolicy(ctx, acct, "u", arn))
	if n := count(); n != 2 {
		t.Errorf("after detach: %d, want 2", n)
	}
	must(t, f.DetachGroupPolicy(ctx, acct, "g", arn))
	must(t, f.DeleteGroup(ctx, acct, "g"))
	must(t, f.DetachRolePolicy(ctx, acct, "r", arn))
	must(t, f.DeleteRole(ctx, acct, "r"))
	if n := count(); n != 0 {
		t.Errorf("after detaching all and deleting: %d, want 0", n)
	}
	// AWS managed policies count per account.
	f.role(t, "r2")
	must(t, f.AttachRolePolicy(ctx, acct, "r2", ecsTaskExecution))
	mine, err := f.GetPolicy(ctx, acct, ecsTaskExecution)
	must(t, err)
	theirs, err := f.GetPolicy(ctx, "111111111111", ecsTaskExecution)
	must(t, err)
	if mine.AttachmentCount != 1 || theirs.AttachmentCount != 0 {
		t.Errorf("AWS managed counts = %d here, %d elsewhere", mine.AttachmentCount, theirs.AttachmentCount)
	}
}

func TestListEntitiesForPolicy(t *testing.T) {
	f := newFixture(t)
	arn := f.policy(t, "p").Arn
	f.role(t, "r")
	_, err := f.CreateUser(ctx, acct, CreateUserInput{UserName: "u", Path: "/people/"})
	must(t, err)
	f.group(t, "g")
	empty, next, err := f.ListEntitiesForPolicy(ctx, acct, arn, ListEntitiesInput{}, Page{})
	must(t, err)
	if empty.PolicyGroups == nil || empty.PolicyUsers == nil || empty.PolicyRoles == nil || next != "" {
		t.Errorf("empty entities = %#v", empty)
	}
	must(t, f.AttachRolePolicy(ctx, acct, "r", arn))
	must(t, f.AttachUserPolicy(ctx, acct, "u", arn))
	must(t, f.AttachGroupPolicy(ctx, acct, "g", arn))
	f.role(t, "bounded")
	must(t, f.PutRolePermissionsBoundary(ctx, acct, "bounded", arn))

	render := func(in ListEntitiesInput) string {
		t.Helper()
		e, _, err := f.ListEntitiesForPolicy(ctx, acct, arn, in, Page{})
		must(t, err)
		var parts []string
		for _, g := range e.PolicyGroups {
			parts = append(parts, "group:"+g.GroupName)
		}
		for _, u := range e.PolicyUsers {
			parts = append(parts, "user:"+u.UserName)
		}
		for _, r := range e.PolicyRoles {
			parts = append(parts, "role:"+r.RoleName)
		}
		return strings.Join(parts, " ")
	}
	tests := []struct {
		in   ListEntitiesInput
		want string
	}{
		{ListEntitiesInput{}, "group:g user:u role:bounded role:r"},
		{ListEntitiesInput{EntityFilter: "Role"}, "role:bounded role:r"},
		{ListEntitiesInput{EntityFilter: "User"}, "user:u"},
		{ListEntitiesInput{EntityFilter: "LocalManagedPolicy"}, ""}, // recorded: empty
		{ListEntitiesInput{PolicyUsageFilter: "PermissionsPolicy"}, "group:g user:u role:r"},
		{ListEntitiesInput{PolicyUsageFilter: "PermissionsBoundary"}, "role:bounded"},
		{ListEntitiesInput{PathPrefix: "/people/"}, "user:u"},
	}
	for _, tt := range tests {
		if got := render(tt.in); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.in, got, tt.want)
		}
	}
	all, pages := allPages(t, 1, func(pg Page) ([]int, string, error) {
		e, next, err := f.ListEntitiesForPolicy(ctx, acct, arn, ListEntitiesInput{}, pg)
		if err != nil {
			return nil, "", err
		}
		return make([]int, len(e.PolicyGroups)+len(e.PolicyUsers)+len(e.PolicyRoles)), next, nil
	})
	if len(all) != 4 || pages != 4 {
		t.Errorf("%d entities in %d pages", len(all), pages)
	}
	_, _, err = f.ListEntitiesForPolicy(ctx, acct, policyArnOf("NonExistentPolicy"), ListEntitiesInput{}, Page{})
	wantErr(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/NonExistentPolicy does not exist or is not attachable.")
}

func TestListPolicies(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"c", "a", "b"} {
		f.policy(t, name)
	}
	_, err := f.CreatePolicy(ctx, acct, CreatePolicyInput{PolicyName: "deep", Path: "/team/", PolicyDocument: docS3})
	must(t, err)
	local, pages := allPages(t, 2, func(pg Page) ([]Policy, string, error) {
		return f.ListPolicies(ctx, acct, ListPoliciesInput{Scope: "Local"}, pg)
	})
	if names(local) != "a b c deep" || pages != 2 {
		t.Errorf("Local = %s in %d pages", names(local), pages)
	}
	if local[0].Description != "" || local[0].Tags != nil {
		t.Errorf("ListPolicies shows Description/Tags: %+v", local[0])
	}
	team, _, err := f.ListPolicies(ctx, acct, ListPoliciesInput{Scope: "Local", PathPrefix: "/team/"}, Page{})
	must(t, err)
	if names(team) != "deep" {
		t.Errorf("PathPrefix /team/ = %s", names(team))
	}

	f.role(t, "r")
	must(t, f.AttachRolePolicy(ctx, acct, "r", policyArnOf("b")))
	must(t, f.AttachRolePolicy(ctx, acct, "r", ecsTaskExecution))
	must(t, f.PutRolePermissionsBoundary(ctx, acct, "r", policyArnOf("c")))
	attached, _, err := f.ListPolicies(ctx, acct, ListPoliciesInput{OnlyAttached: true}, Page{})
	must(t, err)
	if names(attached) != "AmazonECSTaskExecutionRolePolicy b" {
		t.Errorf("OnlyAttached = %s", names(attached))
	}
	bounds, _, err := f.ListPolicies(ctx, acct, ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: "PermissionsBoundary"}, Page{})
	must(t, err)
	if names(bounds) != "c" {
		t.Errorf("OnlyAttached boundaries = %s", names(bounds))
	}
	awsPage, next, err := f.ListPolicies(ctx, acct, ListPoliciesInput{Scope: "AWS", PathPrefix: "/service-role/"}, Page{MaxItems: 5})
	must(t, err)
	if len(awsPage) != 5 || next == "" || !strings.HasPrefix(awsPage[0].Arn, "arn:aws:iam::aws:policy/service-role/") {
		t.Errorf("AWS scope page = %s, next %q", names(awsPage), next)
	}
	second, _, err := f.ListPolicies(ctx, acct, ListPoliciesInput{Scope: "AWS", PathPrefix: "/service-role/"}, Page{MaxItems: 5, Marker: next})
	must(t, err)
	if second[0].PolicyName <= awsPage[4].PolicyName {
		t.Errorf("second page starts at %s after %s", second[0].PolicyName, awsPage[4].PolicyName)
	}
}

func names(ps []Policy) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.PolicyName)
	}
	return strings.Join(out, " ")
}

func TestAWSManagedPolicies(t *testing.T) {
	f := newFixture(t)
	p, err := f.GetPolicy(ctx, acct, ecsTaskExecution)
	must(t, err)
	if p.PolicyName != "AmazonECSTaskExecutionRolePolicy" || p.Path != "/service-role/" || p.Tags == nil || !p.IsAttachable {
		t.Errorf("GetPolicy(AWS managed) = %+v", p)
	}
	v, err := f.GetPolicyVersion(ctx, acct, ecsTaskExecution, p.DefaultVersionId)
	must(t, err)
	if !v.IsDefaultVersion || !strings.Contains(v.Document, "ecr:GetAuthorizationToken") {
		t.Errorf("default version = %+v", v)
	}
	versions, _, err := f.ListPolicyVersions(ctx, acct, ecsTaskExecution, Page{})
	must(t, err)
	if len(versions) == 0 || versions[0].Document != "" {
		t.Errorf("versions = %+v", versions)
	}
	tags, _, err := f.ListPolicyTags(ctx, acct, ecsTaskExecution, Page{})
	must(t, err)
	if tags == nil || len(tags) != 0 {
		t.Errorf("AWS managed tags = %#v", tags)
	}
	denied := "User: arn:aws:iam::000000000000:root is not authorized to perform: iam:DeletePolicy on resource: policy " + ecsTaskExecution
	wantErr(t, f.DeletePolicy(ctx, acct, ecsTaskExecution), "AccessDenied", 403, denied)
	_, err = f.CreatePolicyVersion(ctx, acct, ecsTaskExecution, docS3, true)
	wantErr(t, err, "AccessDenied", 403, strings.Replace(denied, "DeletePolicy", "CreatePolicyVersion", 1))
	_, err = f.GetPolicy(ctx, acct, "arn:aws:iam::aws:policy/NoSuchManagedPolicy")
	wantErr(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/NoSuchManagedPolicy was not found.")
}

func TestPolicyTags(t *testing.T) {
	f := newFixture(t)
	arn := f.policy(t, "p").Arn
	// Keys are case-sensitive; the list puts shorter keys first (recorded
	// order: a, b, z, abc; A before a).
	must(t, f.TagPolicy(ctx, acct, arn, []Tag{{"abc", "first"}, {"b", "second"}, {"z", "third"}, {"a", "fourth"}, {"A", "upper"}}))
	tags, _, err := f.ListPolicyTags(ctx, acct, arn, Page{})
	must(t, err)
	if got := fmt.Sprint(keysOf(tags)); got != "[A a b z abc]" {
		t.Errorf("tag order = %s", got)
	}
	must(t, f.UntagPolicy(ctx, acct, arn, []string{"a"}))
	tags, _, _ = f.ListPolicyTags(ctx, acct, arn, Page{})
	if got := fmt.Sprint(keysOf(tags)); got != "[A b z abc]" {
		t.Errorf("after untag a: %s", got)
	}
	page, next, err := f.ListPolicyTags(ctx, acct, arn, Page{MaxItems: 1})
	must(t, err)
	if len(page) != 1 || next == "" {
		t.Errorf("first page = %v, %q", page, next)
	}
	missing := policyArnOf("NotAPolicy")
	wantErr(t, f.TagPolicy(ctx, acct, missing, []Tag{{"k", "v"}}), "NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/NotAPolicy was not found.")
	wantErr(t, f.UntagPolicy(ctx, acct, missing, []string{"k"}), "NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/NotAPolicy was not found.")
	wantErr(t, f.TagPolicy(ctx, acct, arn, []Tag{{"d", ""}, {"d", "x"}}), "InvalidInput", 400, "Duplicate tag keys found.")
}

// Scope All lists the AWS managed policies (made once into a sorted list,
// issue 18) and the account's own merged in IAM's order: by name, the AWS
// managed one first when names are equal. A policy created since shows in
// the next listing; another account's does not.
func TestListPoliciesAllMergesInOrder(t *testing.T) {
	f := newFixture(t)
	listAll := func(account string) []Policy {
		all, _ := allPages(t, 1000, func(pg Page) ([]Policy, string, error) {
			return f.ListPolicies(ctx, account, ListPoliciesInput{}, pg)
		})
		return all
	}
	before := listAll(acct)
	for _, name := range []string{"AmazonECSTaskExecutionRolePolicy", "0first", "zzz"} {
		f.policy(t, name)
	}
	const other = "111111111111"
	_, err := f.CreatePolicy(ctx, other, CreatePolicyInput{PolicyName: "elsewhere", PolicyDocument: docS3})
	must(t, err)
	after := listAll(acct)
	if len(after) != len(before)+3 {
		t.Fatalf("%d policies after creating 3, %d before", len(after), len(before))
	}
	if after[0].PolicyName != "0first" || after[len(after)-1].PolicyName != "zzz" {
		t.Errorf("first %s, last %s", after[0].PolicyName, after[len(after)-1].PolicyName)
	}
	pair := false
	for i := 1; i < len(after); i++ {
		if after[i-1].PolicyName > after[i].PolicyName {
			t.Fatalf("%s listed before %s", after[i-1].PolicyName, after[i].PolicyName)
		}
		if after[i-1].PolicyName == after[i].PolicyName {
			pair = after[i-1].Arn == ecsTaskExecution && after[i].Arn == policyArnOf("AmazonECSTaskExecutionRolePolicy")
			if !pair {
				t.Errorf("same name listed %s then %s", after[i-1].Arn, after[i].Arn)
			}
		}
	}
	if !pair {
		t.Errorf("the AWS managed and the customer managed AmazonECSTaskExecutionRolePolicy are not listed side by side")
	}
	for _, p := range after {
		if p.PolicyName == "elsewhere" {
			t.Errorf("another account's policy listed: %s", p.Arn)
		}
	}
	if theirs := listAll(other); len(theirs) != len(before)+1 {
		t.Errorf("the other account lists %d policies, want %d", len(theirs), len(before)+1)
	}
}

func BenchmarkListPolicies(b *testing.B) {
	f := newFixture(b)
	for i := range 10 {
		f.policy(b, fmt.Sprintf("policy-%02d", i))
	}
	b.ReportAllocs()
	for b.Loop() {
		if ps, _, err := f.ListPolicies(ctx, acct, ListPoliciesInput{}, Page{}); err != nil || len(ps) != 100 {
			b.Fatal(len(ps), err)
		}
	}
}
