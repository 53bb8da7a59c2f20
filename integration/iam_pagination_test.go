package integration

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The SDK's paginators drive IAM's Marker/IsTruncated contract: a page is
// truncated exactly when it carries a Marker, and the paginator stops at the
// first page without one. These tests check that contract page by page and
// that a listing paged in small steps is the listing in one call: every item
// once, in the same order.

type paginator[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*iam.Options)) (O, error)
}

// page is what the tests need of one list answer.
type page struct {
	names     []string
	truncated bool
	marker    *string
}

// drain runs p to its end and returns the names in the order listed and the
// number of pages. Every page but the last is truncated, carries a marker
// and holds at most limit items (AWS may send fewer); the last carries none.
func drain[O any](t *testing.T, limit int, p paginator[O], get func(O) page) ([]string, int) {
	t.Helper()
	var all []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pg := get(out)
		pages++
		if len(pg.names) > limit {
			t.Errorf("page %d: %d items (limit %d)", pages, len(pg.names), limit)
		}
		if pg.truncated != (pg.marker != nil) || (pg.marker != nil && *pg.marker == "") {
			t.Errorf("page %d: IsTruncated %v with Marker %v", pages, pg.truncated, pg.marker)
		}
		if pg.truncated && len(pg.names) == 0 {
			t.Errorf("page %d: truncated and empty", pages)
		}
		all = append(all, pg.names...)
		if pages > 1000 {
			t.Fatal("paginator does not end")
		}
	}
	seen := map[string]bool{}
	for _, n := range all {
		if seen[n] {
			t.Errorf("%s listed twice", n)
		}
		seen[n] = true
	}
	return all, pages
}

// byName sorts names as IAM lists users, roles, groups and instance
// profiles: by name regardless of case (names are unique regardless of
// case). Unverified beyond names of one case: every recorded listing uses
// lower-case names.
func byName(names []string) []string {
	out := append([]string(nil), names...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

func wantList(t *testing.T, what string, got, want []string, pages, wantPages int) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") || pages != wantPages {
		t.Errorf("%s: %d pages %v\nwant %d pages %v", what, pages, got, wantPages, want)
	}
}

// invalidMarker is rolecall's answer to a Marker it did not issue.
// Unverified: no public record shows AWS's text (see internal/iam/paging.go).
func invalidMarker(t *testing.T, err error) {
	t.Helper()
	wantErr(t, err, 400, "ValidationError", "Invalid Marker.")
}

// names of the test entities: mixed case, to pin the order.
var pagedNames = []string{"web", "Api", "batch", "Cron", "db-01", "db-02", "edge"}

func TestPaginationListRoles(t *testing.T) {
	c := newIAM(t)
	for _, n := range pagedNames {
		createRole(t, c, n, func(in *iam.CreateRoleInput) { in.Path = aws.String("/paged/") })
	}
	createRole(t, c, "outside")
	get := func(o *iam.ListRolesOutput) page {
		var names []string
		for _, r := range o.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
		return page{names, o.IsTruncated, o.Marker}
	}
	for _, limit := range []int32{1, 2, 3, 7, 100} {
		got, pages := drain(t, int(limit), iam.NewListRolesPaginator(c, &iam.ListRolesInput{PathPrefix: aws.String("/paged/")},
			func(o *iam.ListRolesPaginatorOptions) { o.Limit = limit }), get)
		wantList(t, "ListRoles /paged/ by "+itoa(int(limit)), got, byName(pagedNames), pages, (len(pagedNames)+int(limit)-1)/int(limit))
	}
	all, pages := drain(t, 3, iam.NewListRolesPaginator(c, &iam.ListRolesInput{}, func(o *iam.ListRolesPaginatorOptions) { o.Limit = 3 }), get)
	wantList(t, "ListRoles", all, byName(append([]string{"outside"}, pagedNames...)), pages, 3)

	// A marker stays valid when the entry it would resume at is deleted.
	first := must(c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/paged/"), MaxItems: aws.Int32(2)}))(t)
	must(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("Cron")}))(t)
	rest := must(c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/paged/"), Marker: first.Marker}))(t)
	if got := get(rest).names; strings.Join(got, ",") != "db-01,db-02,edge,web" || rest.IsTruncated {
		t.Errorf("after deleting the marker's entry: %v", got)
	}

	_, err := c.ListRoles(ctx, &iam.ListRolesInput{Marker: aws.String("not-a-marker")})
	invalidMarker(t, err)
	_, err = c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(0)})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1001)})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
}

func TestPaginationListUsers(t *testing.T) {
	c := newIAM(t)
	for _, n := range pagedNames {
		must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n), Path: aws.String("/paged/")}))(t)
	}
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("outside")}))(t)
	get := func(o *iam.ListUsersOutput) page {
		var names []string
		for _, u := range o.Users {
			names = append(names, aws.ToString(u.UserName))
		}
		return page{names, o.IsTruncated, o.Marker}
	}
	for _, limit := range []int32{1, 2, 7} {
		got, pages := drain(t, int(limit), iam.NewListUsersPaginator(c, &iam.ListUsersInput{PathPrefix: aws.String("/paged/")},
			func(o *iam.ListUsersPaginatorOptions) { o.Limit = limit }), get)
		wantList(t, "ListUsers /paged/ by "+itoa(int(limit)), got, byName(pagedNames), pages, (len(pagedNames)+int(limit)-1)/int(limit))
	}
	all, pages := drain(t, 4, iam.NewListUsersPaginator(c, &iam.ListUsersInput{}, func(o *iam.ListUsersPaginatorOptions) { o.Limit = 4 }), get)
	wantList(t, "ListUsers", all, byName(append([]string{"outside"}, pagedNames...)), pages, 2)

	_, err := c.ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String("not-a-marker")})
	invalidMarker(t, err)
	// A marker of another listing is not a marker of this one.
	createRole(t, c, "r1")
	createRole(t, c, "r2")
	rm := must(c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1)}))(t).Marker
	_, err = c.ListUsers(ctx, &iam.ListUsersInput{Marker: rm})
	invalidMarker(t, err)
}

func TestPaginationListInstanceProfiles(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "ecsInstanceRole")
	for _, n := range pagedNames {
		must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(n), Path: aws.String("/paged/")}))(t)
	}
	must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("outside")}))(t)
	must(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("db-01"), RoleName: aws.String("ecsInstanceRole")}))(t)
	get := func(o *iam.ListInstanceProfilesOutput) page {
		var names []string
		for _, ip := range o.InstanceProfiles {
			name := aws.ToString(ip.InstanceProfileName)
			names = append(names, name)
			if hasRole := len(ip.Roles) == 1; hasRole != (name == "db-01") || len(ip.Roles) > 1 {
				t.Errorf("%s roles %+v", name, ip.Roles)
			}
		}
		return page{names, o.IsTruncated, o.Marker}
	}
	for _, limit := range []int32{1, 3} {
		got, pages := drain(t, int(limit), iam.NewListInstanceProfilesPaginator(c, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/paged/")},
			func(o *iam.ListInstanceProfilesPaginatorOptions) { o.Limit = limit }), get)
		wantList(t, "ListInstanceProfiles /paged/ by "+itoa(int(limit)), got, byName(pagedNames), pages, (len(pagedNames)+int(limit)-1)/int(limit))
	}
	all, pages := drain(t, 2, iam.NewListInstanceProfilesPaginator(c, &iam.ListInstanceProfilesInput{},
		func(o *iam.ListInstanceProfilesPaginatorOptions) { o.Limit = 2 }), get)
	wantList(t, "ListInstanceProfiles", all, byName(append([]string{"outside"}, pagedNames...)), pages, 4)

	for_, pages := drain(t, 1, iam.NewListInstanceProfilesForRolePaginator(c, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ecsInstanceRole")},
		func(o *iam.ListInstanceProfilesForRolePaginatorOptions) { o.Limit = 1 }),
		func(o *iam.ListInstanceProfilesForRoleOutput) page {
			var names []string
			for _, ip := range o.InstanceProfiles {
				names = append(names, aws.ToString(ip.InstanceProfileName))
			}
			return page{names, o.IsTruncated, o.Marker}
		})
	wantList(t, "ListInstanceProfilesForRole", for_, []string{"db-01"}, pages, 1)

	_, err := c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{Marker: aws.String("not-a-marker")})
	invalidMarker(t, err)
}

func TestPaginationListGroups(t *testing.T) {
	c := newIAM(t)
	for _, n := range pagedNames {
		must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(n)}))(t)
	}
	got, pages := drain(t, 2, iam.NewListGroupsPaginator(c, &iam.ListGroupsInput{}, func(o *iam.ListGroupsPaginatorOptions) { o.Limit = 2 }),
		func(o *iam.ListGroupsOutput) page {
			return page{strings.Split(groupNames(o.Groups), ","), o.IsTruncated, o.Marker}
		})
	wantList(t, "ListGroups", got, byName(pagedNames), pages, 4)
	_, err := c.ListGroups(ctx, &iam.ListGroupsInput{Marker: aws.String("not-a-marker")})
	invalidMarker(t, err)
}

func policyPage(o *iam.ListPoliciesOutput) page {
	var names []string
	for _, p := range o.Policies {
		names = append(names, aws.ToString(p.Arn))
	}
	return page{names, o.IsTruncated, o.Marker}
}

// oneCall lists in a single request: the order paged listings must keep.
func oneCall(t *testing.T, c *iam.Client, in iam.ListPoliciesInput) []string {
	t.Helper()
	in.MaxItems = aws.Int32(1000)
	out := must(c.ListPolicies(ctx, &in))(t)
	if out.IsTruncated {
		t.Fatalf("%+v: more than 1000 policies", in)
	}
	return policyPage(out).names
}

func TestPaginationListPolicies(t *testing.T) {
	c := newIAM(t)
	local := func(name string) string { return "arn:aws:iam::" + account + ":policy/" + name }
	for _, n := range []string{"read", "Write", "admin", "Deploy", "zz-last"} {
		must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(n), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	}
	for _, n := range []string{"team-a", "team-b", "team-c"} {
		must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(n), Path: aws.String("/team/"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	}
	paged := func(in iam.ListPoliciesInput, limit int32) ([]string, int) {
		return drain(t, int(limit), iam.NewListPoliciesPaginator(c, &in, func(o *iam.ListPoliciesPaginatorOptions) { o.Limit = limit }), policyPage)
	}
	set := func(names []string) string {
		s := append([]string(nil), names...)
		sort.Strings(s)
		return strings.Join(s, ",")
	}

	// Scope=Local: this account's policies, every one once.
	localAll := oneCall(t, c, iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	wantLocal := []string{local("Deploy"), local("Write"), local("admin"), local("read"), local("team/team-a"), local("team/team-b"), local("team/team-c"), local("zz-last")}
	if set(localAll) != set(wantLocal) {
		t.Errorf("Scope=Local: %v", localAll)
	}
	for _, limit := range []int32{1, 3} {
		got, pages := paged(iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}, limit)
		wantList(t, "Local by "+itoa(int(limit)), got, localAll, pages, (len(localAll)+int(limit)-1)/int(limit))
	}
	team := oneCall(t, c, iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PathPrefix: aws.String("/team/")})
	if set(team) != set(wantLocal[4:7]) {
		t.Errorf("Scope=Local PathPrefix=/team/: %v", team)
	}
	got, pages := paged(iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PathPrefix: aws.String("/team/")}, 2)
	wantList(t, "Local /team/ by 2", got, team, pages, 2)

	// Scope=AWS with a path: a short listing of AWS managed policies.
	jobs := oneCall(t, c, iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, PathPrefix: aws.String("/job-function/")})
	if len(jobs) < 5 || !strings.Contains(","+strings.Join(jobs, ",")+",", ",arn:aws:iam::aws:policy/job-function/ViewOnlyAccess,") {
		t.Errorf("Scope=AWS /job-function/: %v", jobs)
	}
	for _, a := range jobs {
		if !strings.HasPrefix(a, "arn:aws:iam::aws:policy/job-function/") {
			t.Errorf("Scope=AWS /job-function/ lists %s", a)
		}
	}
	got, pages = paged(iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, PathPrefix: aws.String("/job-function/")}, 3)
	wantList(t, "AWS /job-function/ by 3", got, jobs, pages, (len(jobs)+2)/3)

	// Scope=AWS, all of them: more than one page of 1000.
	got, pages = paged(iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws}, 1000)
	if pages < 2 || len(got) < 1001 {
		t.Errorf("Scope=AWS: %d policies in %d pages", len(got), pages)
	}
	for _, a := range got {
		if !strings.HasPrefix(a, "arn:aws:iam::aws:policy/") {
			t.Errorf("Scope=AWS lists %s", a)
			break
		}
	}
	// Scope=All (the default) is both.
	all, _ := paged(iam.ListPoliciesInput{}, 1000)
	if len(all) != len(got)+len(localAll) {
		t.Errorf("Scope=All: %d, want %d + %d", len(all), len(got), len(localAll))
	}

	// OnlyAttached: policies attached to a role, a user or a group; a
	// permissions boundary is not an attachment.
	createRole(t, c, "app")
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))(t)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(local("read"))}))(t)
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(local("team/team-b"))}))(t)
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")}))(t)
	must(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(local("Deploy"))}))(t)
	for _, tc := range []struct {
		in   iam.ListPoliciesInput
		want []string
	}{
		{iam.ListPoliciesInput{OnlyAttached: true},
			[]string{local("read"), local("team/team-b"), "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}},
		{iam.ListPoliciesInput{OnlyAttached: true, Scope: types.PolicyScopeTypeLocal}, []string{local("read"), local("team/team-b")}},
		{iam.ListPoliciesInput{OnlyAttached: true, Scope: types.PolicyScopeTypeAws},
			[]string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}},
		{iam.ListPoliciesInput{OnlyAttached: true, PathPrefix: aws.String("/job-function/")}, []string{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}},
		{iam.ListPoliciesInput{OnlyAttached: true, PathPrefix: aws.String("/team/")}, []string{local("team/team-b")}},
		{iam.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}, []string{local("Deploy")}},
		{iam.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy, Scope: types.PolicyScopeTypeLocal},
			[]string{local("read"), local("team/team-b")}},
	} {
		one := oneCall(t, c, tc.in)
		if set(one) != set(tc.want) {
			t.Errorf("%+v: %v, want %v", tc.in, one, tc.want)
		}
		got, pages := paged(tc.in, 1)
		wantList(t, "OnlyAttached by 1", got, one, pages, len(one))
	}

	_, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Marker: aws.String("not-a-marker")})
	invalidMarker(t, err)
	_, err = c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Mine"})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'scope' failed to satisfy constraint: Member must satisfy enum value set")
}

// ecsTaskExecutionPolicy is AmazonECSTaskExecutionRolePolicy's document, v1,
// as AWS publishes it (AWS Managed Policy Reference).
const ecsTaskExecutionPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "logs:CreateLogStream",
        "logs:PutLogEvents"
      ],
      "Resource": "*"
    }
  ]
}`

func TestPaginationAWSManagedPolicyAttached(t *testing.T) {
	c := newIAM(t)
	const arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
	find := func() *types.Policy {
		p := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, PathPrefix: aws.String("/service-role/")},
			func(o *iam.ListPoliciesPaginatorOptions) { o.Limit = 500 })
		for p.HasMorePages() {
			for _, pol := range must(p.NextPage(ctx))(t).Policies {
				if aws.ToString(pol.Arn) == arn {
					return &pol
				}
			}
		}
		t.Fatalf("%s is not listed", arn)
		return nil
	}
	if p := find(); aws.ToInt32(p.AttachmentCount) != 0 || aws.ToString(p.PolicyName) != "AmazonECSTaskExecutionRolePolicy" {
		t.Errorf("before attaching: %+v", p)
	}
	createRole(t, c, "ecsTaskExecutionRole")
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsTaskExecutionRole"), PolicyArn: aws.String(arn)}))(t)

	listed := find()
	if aws.ToInt32(listed.AttachmentCount) != 1 || aws.ToInt32(listed.PermissionsBoundaryUsageCount) != 0 || !listed.IsAttachable ||
		aws.ToString(listed.Path) != "/service-role/" || aws.ToString(listed.DefaultVersionId) == "" || listed.Description != nil || listed.Tags != nil {
		t.Errorf("listed after attaching: %+v", listed)
	}
	attached := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true}))(t).Policies
	if len(attached) != 1 || aws.ToString(attached[0].Arn) != arn || aws.ToInt32(attached[0].AttachmentCount) != 1 {
		t.Errorf("OnlyAttached: %+v", attached)
	}

	p := must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy
	if aws.ToInt32(p.AttachmentCount) != 1 || aws.ToString(p.PolicyId) != aws.ToString(listed.PolicyId) || aws.ToString(p.DefaultVersionId) != "v1" ||
		!p.CreateDate.Equal(time.Date(2017, 11, 16, 18, 48, 22, 0, time.UTC)) {
		t.Errorf("GetPolicy %+v", p)
	}
	v := must(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.DefaultVersionId}))(t).PolicyVersion
	raw := aws.ToString(v.Document)
	if !strings.HasPrefix(raw, "%7B") || strings.ContainsAny(raw, `{}"`) {
		t.Errorf("document is not URL-encoded: %.60s", raw)
	}
	var got, want any
	if err := json.Unmarshal([]byte(decoded(t, v.Document)), &got); err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	must(0, json.Unmarshal([]byte(ecsTaskExecutionPolicy), &want))(t)
	if !reflect.DeepEqual(got, want) || !v.IsDefaultVersion || aws.ToString(v.VersionId) != "v1" {
		t.Errorf("GetPolicyVersion %s %+v", decoded(t, v.Document), v)
	}
	versions := must(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)}))(t).Versions
	if len(versions) != 1 || !versions[0].IsDefaultVersion || versions[0].Document != nil {
		t.Errorf("ListPolicyVersions %+v", versions)
	}
	ents := must(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)}))(t).PolicyRoles
	if len(ents) != 1 || aws.ToString(ents[0].RoleName) != "ecsTaskExecutionRole" {
		t.Errorf("ListEntitiesForPolicy %+v", ents)
	}
	must(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("ecsTaskExecutionRole"), PolicyArn: aws.String(arn)}))(t)
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy.AttachmentCount); n != 0 {
		t.Errorf("AttachmentCount after detach %d", n)
	}
}
