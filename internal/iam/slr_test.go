package iam

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/ids"
)

const (
	ecsPrincipal = "ecs.amazonaws.com"
	ecsRole      = "AWSServiceRoleForECS"
	ecsRoleArn   = "arn:aws:iam::" + acct + ":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
	ecsTrust     = `{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"}}]}`
)

// fakeService is a linked service whose resources a test sets.
type fakeService struct {
	mu    sync.Mutex
	usage []Usage
	err   error
	calls []string // role ARNs asked about
}

func (f *fakeService) RoleUsage(_ context.Context, account, roleArn string) ([]Usage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, account+" "+roleArn)
	return f.usage, f.err
}

func (f *fakeService) set(u []Usage, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.usage, f.err = u, err
}

func (f *fixture) slr(t testing.TB, principal string) *Role {
	t.Helper()
	r, err := f.CreateServiceLinkedRole(ctx, acct, CreateServiceLinkedRoleInput{AWSServiceName: principal})
	must(t, err)
	return r
}

func TestCreateServiceLinkedRole(t *testing.T) {
	f := newFixture(t)
	r := f.slr(t, ecsPrincipal)
	// The recorded GetRole of a fresh SLR, and CreateServiceLinkedRole's
	// answer: no Tags, no Description unless given, MaxSessionDuration 3600.
	if r.RoleName != ecsRole || r.Path != "/aws-service-role/ecs.amazonaws.com/" || r.Arn != ecsRoleArn {
		t.Errorf("role = %+v", r)
	}
	if r.AssumeRolePolicyDocument != ecsTrust {
		t.Errorf("trust = %s\nwant    %s", r.AssumeRolePolicyDocument, ecsTrust)
	}
	if r.MaxSessionDuration == nil || *r.MaxSessionDuration != 3600 || r.Tags != nil || r.Description != "" || r.RoleLastUsed != nil || r.PermissionsBoundary != nil {
		t.Errorf("CreateServiceLinkedRole view = %+v", r)
	}
	if !strings.HasPrefix(r.RoleId, "AROA") || !r.CreateDate.Equal(epoch) {
		t.Errorf("RoleId %q CreateDate %v", r.RoleId, r.CreateDate)
	}
	g, err := f.GetRole(ctx, acct, "awsserviceroleforecs")
	must(t, err)
	if g.Description != "" || *g.MaxSessionDuration != 3600 || g.RoleLastUsed == nil || g.RoleLastUsed.LastUsedDate != nil || g.Tags != nil {
		t.Errorf("GetRole = %+v", g)
	}
	att, _, err := f.ListAttachedRolePolicies(ctx, acct, ecsRole, "", Page{})
	must(t, err)
	if len(att) != 1 || att[0].PolicyArn != ecsServiceRole || att[0].PolicyName != "AmazonECSServiceRolePolicy" {
		t.Errorf("attached = %+v", att)
	}
	inline, _, err := f.ListRolePolicies(ctx, acct, ecsRole, Page{})
	must(t, err)
	if len(inline) != 0 {
		t.Errorf("inline = %v", inline)
	}
	// The managed policy knows its new entity.
	ents, _, err := f.ListEntitiesForPolicy(ctx, acct, ecsServiceRole, ListEntitiesInput{}, Page{})
	must(t, err)
	if len(ents.PolicyRoles) != 1 || ents.PolicyRoles[0].RoleName != ecsRole {
		t.Errorf("entities = %+v", ents)
	}

	// A description is shown when given.
	d, err := f.CreateServiceLinkedRole(ctx, acct, CreateServiceLinkedRoleInput{AWSServiceName: "batch.amazonaws.com", Description: "for batch"})
	must(t, err)
	if d.Description != "for batch" {
		t.Errorf("Description = %q", d.Description)
	}
}

func TestCreateServiceLinkedRoleSuffix(t *testing.T) {
	f := newFixture(t)
	r, err := f.CreateServiceLinkedRole(ctx, acct, CreateServiceLinkedRoleInput{AWSServiceName: "autoscaling.amazonaws.com", CustomSuffix: "web"})
	must(t, err)
	if r.RoleName != "AWSServiceRoleForAutoScaling_web" || r.Arn != "arn:aws:iam::000000000000:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web" {
		t.Errorf("role = %+v", r)
	}
	// The plain name is still free, and each suffix may be used once.
	f.slr(t, "autoscaling.amazonaws.com")
	_, err = f.CreateServiceLinkedRole(ctx, acct, CreateServiceLinkedRoleInput{AWSServiceName: "autoscaling.amazonaws.com", CustomSuffix: "WEB"})
	wantErr(t, err, "InvalidInput", 400, "Service role name AWSServiceRoleForAutoScaling_WEB has been taken in this account, please try a different suffix.")
}

func TestCreateServiceLinkedRoleErrors(t *testing.T) {
	f := newFixture(t)
	f.slr(t, "batch.amazonaws.com")
	f.role(t, "awsserviceroleforecs") // an ordinary role holding the ECS name, in other case
	tests := []struct {
		name   string
		in     CreateServiceLinkedRoleInput
		code   string
		status int
		msg    string
	}{
		// Recorded.
		{"suffix refused", CreateServiceLinkedRoleInput{AWSServiceName: "ecs.amazonaws.com", CustomSuffix: "x"},
			"InvalidInput", 400, "Custom suffix is not allowed for ecs.amazonaws.com"},
		{"exists", CreateServiceLinkedRoleInput{AWSServiceName: "batch.amazonaws.com"},
			"InvalidInput", 400, "Service role name AWSServiceRoleForBatch has been taken in this account, please try a different suffix."},
		// Names are unique regardless of case, whoever made the role.
		{"taken by an ordinary role", CreateServiceLinkedRoleInput{AWSServiceName: "ecs.amazonaws.com"},
			"InvalidInput", 400, "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix."},
		{"unknown service", CreateServiceLinkedRoleInput{AWSServiceName: "nope.amazonaws.com"},
			"InvalidInput", 400, "Service name nope.amazonaws.com is not known or not supported for service-linked roles."},
		{"principals are case-sensitive", CreateServiceLinkedRoleInput{AWSServiceName: "ECS.amazonaws.com"},
			"InvalidInput", 400, "Service name ECS.amazonaws.com is not known or not supported for service-linked roles."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.CreateServiceLinkedRole(ctx, acct, tc.in)
			wantErr(t, err, tc.code, tc.status, tc.msg)
		})
	}
	// And an ordinary role cannot take a service-linked role's name.
	_, err := f.CreateRole(ctx, acct, CreateRoleInput{RoleName: "awsserviceroleforbatch", AssumeRolePolicyDocument: trustEC2})
	wantErr(t, err, "EntityAlreadyExists", 409, "Role with name awsserviceroleforbatch already exists.")
}

// Every entry of the catalog can be created, with a policy that exists.
func TestEveryLinkedServiceCreates(t *testing.T) {
	f := newFixture(t)
	for _, ls := range catalog.LinkedServices() {
		r, err := f.CreateServiceLinkedRole(ctx, acct, CreateServiceLinkedRoleInput{AWSServiceName: ls.Principal})
		if err != nil {
			t.Errorf("%s: %v", ls.Principal, err)
			continue
		}
		if r.RoleName != ls.RoleName || r.Path != ls.Path() || !strings.Contains(r.AssumeRolePolicyDocument, `{"Service":"`+ls.Principal+`"}`) {
			t.Errorf("%s: %+v", ls.Principal, r)
		}
		att, _, err := f.ListAttachedRolePolicies(ctx, acct, r.RoleName, "", Page{})
		must(t, err)
		if len(att) != len(ls.Policies) {
			t.Errorf("%s: attached %v, want %v", ls.Principal, att, ls.Policies)
		}
	}
}

func TestServiceLinkedRolesPassTheQuota(t *testing.T) {
	f := newFixture(t)
	f.seed(t, bucketRoles, QuotaRolesPerAccount)
	_, err := f.CreateRole(ctx, acct, CreateRoleInput{RoleName: "one-more", AssumeRolePolicyDocument: trustEC2})
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for RolesPerAccount: 1000")
	f.slr(t, ecsPrincipal)
	sum, err := f.GetAccountSummary(ctx, acct)
	must(t, err)
	if sum["Roles"] != QuotaRolesPerAccount+1 {
		t.Errorf("Roles = %d, want the SLR counted", sum["Roles"])
	}
}

func TestServiceLinkedRoleIsProtected(t *testing.T) {
	f := newFixture(t)
	f.slr(t, ecsPrincipal)
	f.policy(t, "p")
	_, err := f.CreateInstanceProfile(ctx, acct, "ip", "", nil)
	must(t, err)
	const msg = "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS"
	ops := map[string]func() error{
		"DeleteRole":             func() error { return f.DeleteRole(ctx, acct, ecsRole) },
		"AttachRolePolicy":       func() error { return f.AttachRolePolicy(ctx, acct, ecsRole, policyArnOf("p")) },
		"DetachRolePolicy":       func() error { return f.DetachRolePolicy(ctx, acct, ecsRole, ecsServiceRole) },
		"PutRolePolicy":          func() error { return f.PutRolePolicy(ctx, acct, ecsRole, "x", docS3) },
		"DeleteRolePolicy":       func() error { return f.DeleteRolePolicy(ctx, acct, ecsRole, "x") },
		"UpdateAssumeRolePolicy": func() error { return f.UpdateAssumeRolePolicy(ctx, acct, ecsRole, trustEC2) },
		"PutRolePermissionsBoundary": func() error {
			return f.PutRolePermissionsBoundary(ctx, acct, ecsRole, policyArnOf("p"))
		},
		"DeleteRolePermissionsBoundary": func() error { return f.DeleteRolePermissionsBoundary(ctx, acct, ecsRole) },
		"AddRoleToInstanceProfile":      func() error { return f.AddRoleToInstanceProfile(ctx, acct, "ip", ecsRole) },
		"RemoveRoleFromInstanceProfile": func() error { return f.RemoveRoleFromInstanceProfile(ctx, acct, "ip", ecsRole) },
		"UpdateRole MaxSessionDuration": func() error { return f.UpdateRole(ctx, acct, ecsRole, "", 7200) },
		"UpdateRole both":               func() error { return f.UpdateRole(ctx, acct, ecsRole, "d", 7200) },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) { wantErr(t, op(), "UnmodifiableEntity", 400, msg) })
	}
	// The description is the caller's to change.
	must(t, f.UpdateRole(ctx, acct, ecsRole, "by UpdateRole", 0))
	r, err := f.UpdateRoleDescription(ctx, acct, "awsserviceroleforecs", "by UpdateRoleDescription")
	must(t, err)
	if r.Description != "by UpdateRoleDescription" {
		t.Errorf("Description = %q", r.Description)
	}
	g, err := f.GetRole(ctx, acct, ecsRole)
	must(t, err)
	if g.Description != "by UpdateRoleDescription" || *g.MaxSessionDuration != 3600 || g.AssumeRolePolicyDocument != ecsTrust {
		t.Errorf("role changed: %+v", g)
	}
	att, _, err := f.ListAttachedRolePolicies(ctx, acct, ecsRole, "", Page{})
	must(t, err)
	if len(att) != 1 {
		t.Errorf("attached = %v", att)
	}
}

func TestServiceRolePolicyAttachesToNoOtherEntity(t *testing.T) {
	f := newFixture(t)
	f.slr(t, ecsPrincipal)
	f.role(t, "r")
	f.user(t, "u")
	f.group(t, "g")
	const msg = "Cannot attach a Service Role Policy to a Customer Role."
	wantErr(t, f.AttachRolePolicy(ctx, acct, "r", ecsServiceRole), "PolicyNotAttachable", 400, msg)
	wantErr(t, f.AttachUserPolicy(ctx, acct, "u", ecsServiceRole), "PolicyNotAttachable", 400, msg)
	wantErr(t, f.AttachGroupPolicy(ctx, acct, "g", ecsServiceRole), "PolicyNotAttachable", 400, msg)
}

// deletion sets up an ECS SLR with a fake ECS and a short delay.
func deletionFixture(t *testing.T) (*fixture, *fakeService) {
	f := newFixture(t, func(c *Config) { c.DeletionDelay, c.DeletionRetention = 4*time.Second, time.Hour })
	ecs := &fakeService{}
	f.RegisterLinkedService(ecsPrincipal, ecs)
	f.slr(t, ecsPrincipal)
	return f, ecs
}

func (f *fixture) status(t testing.TB, id string) *DeletionStatus {
	t.Helper()
	st, err := f.GetServiceLinkedRoleDeletionStatus(ctx, acct, id)
	must(t, err)
	return st
}

func TestDeletionTaskSucceeds(t *testing.T) {
	f, ecs := deletionFixture(t)
	id, err := f.DeleteServiceLinkedRole(ctx, acct, "awsserviceroleforecs")
	must(t, err)
	// The id names the role as it is cased, and a UUID.
	prefix := "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/"
	if !strings.HasPrefix(id, prefix) || len(id) != len(prefix)+36 {
		t.Fatalf("DeletionTaskId = %q", id)
	}
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, DeletionNotStarted},
		{1999 * time.Millisecond, DeletionNotStarted},
		{time.Millisecond, DeletionInProgress},
		{1999 * time.Millisecond, DeletionInProgress},
		{time.Millisecond, DeletionSucceeded},
		{30 * time.Minute, DeletionSucceeded},
	}
	for i, s := range steps {
		f.clock.Advance(s.advance)
		if i == 2 {
			// The role stays while the task runs.
			if _, err := f.GetRole(ctx, acct, ecsRole); err != nil {
				t.Fatalf("role gone before the task completed: %v", err)
			}
		}
		if st := f.status(t, id); st.Status != s.want || st.Reason != nil {
			t.Fatalf("step %d: %+v, want %s", i, st, s.want)
		}
	}
	if len(ecs.calls) != 1 || ecs.calls[0] != acct+" "+ecsRoleArn {
		t.Errorf("ECS asked %v", ecs.calls)
	}
	_, err = f.GetRole(ctx, acct, ecsRole)
	wantErr(t, err, "NoSuchEntity", 404, "The role with name AWSServiceRoleForECS cannot be found.")
	// Its attachments and its count went with it.
	ents, _, err := f.ListEntitiesForPolicy(ctx, acct, ecsServiceRole, ListEntitiesInput{}, Page{})
	must(t, err)
	if len(ents.PolicyRoles) != 0 {
		t.Errorf("entities = %+v", ents)
	}
	sum, err := f.GetAccountSummary(ctx, acct)
	must(t, err)
	if sum["Roles"] != 0 {
		t.Errorf("Roles = %d", sum["Roles"])
	}
	// It can be created again.
	f.slr(t, ecsPrincipal)

	// The record expires after the retention.
	f.clock.Advance(30 * time.Minute)
	_, err = f.GetServiceLinkedRoleDeletionStatus(ctx, acct, id)
	wantErr(t, err, "NoSuchEntity", 404, "Deletion task "+id+" cannot be found.")
}

// Any call sees a due task completed, not only a status poll.
func TestDeletionCompletesForAnyCaller(t *testing.T) {
	f, _ := deletionFixture(t)
	_, err := f.DeleteServiceLinkedRole(ctx, acct, ecsRole)
	must(t, err)
	f.clock.Advance(4 * time.Second)
	roles, _, err := f.ListRoles(ctx, acct, "", Page{})
	must(t, err)
	if len(roles) != 0 {
		t.Errorf("ListRoles = %+v", roles)
	}
}

func TestDeletionTaskFailsWhileInUse(t *testing.T) {
	f, ecs := deletionFixture(t)
	ecs.set([]Usage{
		{Region: "us-west-2", Resources: []string{"arn:aws:ecs:us-west-2:000000000000:cluster/b"}},
		{Region: "eu-west-1", Resources: nil}, // nothing there: left out
		{Region: "us-east-1", Resources: []string{"arn:aws:ecs:us-east-1:000000000000:cluster/a", "arn:aws:ecs:us-east-1:000000000000:service/a/web"}},
	}, nil)
	id, err := f.DeleteServiceLinkedRole(ctx, acct, ecsRole)
	must(t, err)
	// A second request while the first runs answers the first task's id.
	f.clock.Advance(3 * time.Second)
	again, err := f.DeleteServiceLinkedRole(ctx, acct, ecsRole)
	must(t, err)
	if again != id {
		t.Errorf("second request: %q, want the running task %q", again, id)
	}
	f.clock.Advance(time.Second)
	st := f.status(t, id)
	if st.Status != DeletionFailed || st.Reason == nil || st.Reason.Reason != "SLR [AWSServiceRoleForECS] is in use by other resources" {
		t.Fatalf("status = %+v", st)
	}
	u := st.Reason.RoleUsageList
	if len(u) != 2 || u[0].Region != "us-east-1" || len(u[0].Resources) != 2 || u[1].Region != "us-west-2" {
		t.Errorf("RoleUsageList = %+v", u)
	}
	// The role stays, with its policy.
	att, _, err := f.ListAttachedRolePolicies(ctx, acct, ecsRole, "", Page{})
	must(t, err)
	if len(att) != 1 {
		t.Errorf("attached = %v", att)
	}

	// Clean up, submit again: a new task, which succeeds.
	ecs.set(nil, nil)
	retry, err := f.DeleteServiceLinkedRole(ctx, acct, ecsRole)
	must(t, err)
	if retry == id {
		t.Errorf("a failed task's id was reused")
	}
	f.clock.Advance(4 * time.Second)
	if st := f.status(t, retry); st.Status != DeletionSucceeded {
		t.Errorf("retry: %+v", st)
	}
	// The failed task is still readable until it expires.
	if st := f.status(t, id); st.Status != DeletionFailed {
		t.Errorf("first task: %+v", st)
	}
}

func TestDeletionTaskFailsWhenTheServiceCannotAnswer(t *testing.T) {
	f, ecs := deletionFixture(t)
	ecs.set(nil, errors.New("ecs unavailable"))
	id, err := f.DeleteServiceLinkedRole(ctx, acct, ecsRole)
	must(t, err)
	f.clock.Advance(4 * time.Second)
	st := f.status(t, id)
	if st.Status != DeletionFailed || st.Reason.Reason != "Unable to determine whether the role is in use: ecs unavailable" || st.Reason.RoleUsageList != nil {
		t.Errorf("status = %+v", st)
	}
	if _, err := f.GetRole(ctx, acct, ecsRole); err != nil {
		t.Errorf("role deleted: %v", err)
	}
}

func TestDeleteServiceLinkedRoleErrors(t *testing.T) {
	f := newFixture(t)
	f.role(t, "plain")
	_, err := f.DeleteServiceLinkedRole(ctx, acct, "plain")
	wantErr(t, err, "NoSuchEntity", 404, "The service-linked role with name plain cannot be found.")
	_, err = f.DeleteServiceLinkedRole(ctx, acct, "missing")
	wantErr(t, err, "NoSuchEntity", 404, "The role with name missing cannot be found.")
	for _, id := range []string{"task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/00000000-0000-4000-8000-000000000000", "garbage"} {
		_, err = f.GetServiceLinkedRoleDeletionStatus(ctx, acct, id)
		wantErr(t, err, "NoSuchEntity", 404, "Deletion task "+id+" cannot be found.")
	}
	// Tasks belong to their account.
	f2, _ := deletionFixture(t)
	id, err := f2.DeleteServiceLinkedRole(ctx, acct, ecsRole)
	must(t, err)
	_, err = f2.GetServiceLinkedRoleDeletionStatus(ctx, "111111111111", id)
	wantErr(t, err, "NoSuchEntity", 404, "Deletion task "+id+" cannot be found.")
}

// Tasks are records in the store: another Service over the same state
// (rolecall restarted) completes them.
func TestDeletionTaskSurvivesRestart(t *testing.T) {
	f, _ := deletionFixture(t)
	id, err := f.DeleteServiceLinkedRole(ctx, acct, ecsRole)
	must(t, err)
	clock := &ids.FixedClock{T: f.clock.Now().Add(time.Minute)}
	restarted := New(Config{Store: f.st, Clock: clock, IDs: &ids.Sequence{}})
	st, err := restarted.GetServiceLinkedRoleDeletionStatus(ctx, acct, id)
	must(t, err)
	if st.Status != DeletionSucceeded {
		t.Errorf("status = %+v", st)
	}
	_, err = restarted.GetRole(ctx, acct, ecsRole)
	wantErr(t, err, "NoSuchEntity", 404, "The role with name AWSServiceRoleForECS cannot be found.")
}

// A linked service may call back into IAM while it answers.
func TestUsageCheckerMayCallIAM(t *testing.T) {
	f := newFixture(t)
	f.slr(t, ecsPrincipal)
	var seen error
	f.RegisterLinkedService(ecsPrincipal, RoleUsageFunc(func(ctx context.Context, account, roleArn string) ([]Usage, error) {
		_, seen = f.GetRole(ctx, account, ecsRole)
		return nil, nil
	}))
	id, err := f.DeleteServiceLinkedRole(ctx, acct, ecsRole)
	must(t, err)
	f.clock.Advance(DefaultDeletionDelay)
	if st := f.status(t, id); st.Status != DeletionSucceeded {
		t.Errorf("status = %+v", st)
	}
	if seen != nil {
		t.Errorf("GetRole from the checker: %v", seen)
	}
}

func TestEnsureServiceLinkedRole(t *testing.T) {
	f := newFixture(t)
	r, created, err := f.EnsureServiceLinkedRole(ctx, acct, "arn:aws:iam::"+acct+":root", ecsPrincipal)
	must(t, err)
	if !created || r.RoleName != ecsRole || r.Description != "Policy to enable Amazon ECS to manage your EC2 instances and related resources." {
		t.Errorf("created=%v role=%+v", created, r)
	}
	again, created, err := f.EnsureServiceLinkedRole(ctx, acct, "", ecsPrincipal)
	must(t, err)
	if created || again.RoleId != r.RoleId {
		t.Errorf("second call created=%v role=%+v", created, again)
	}
	// A service without a known description creates the role without one.
	c, _, err := f.EnsureServiceLinkedRole(ctx, acct, "", "ecs-compute.amazonaws.com")
	must(t, err)
	if c.RoleName != "AWSServiceRoleForECSCompute" || c.Description != "" {
		t.Errorf("role = %+v", c)
	}
	f.role(t, "AWSServiceRoleForBatch")
	_, _, err = f.EnsureServiceLinkedRole(ctx, acct, "", "batch.amazonaws.com")
	wantErr(t, err, "InvalidInput", 400, "Service role name AWSServiceRoleForBatch has been taken in this account, please try a different suffix.")
	_, _, err = f.EnsureServiceLinkedRole(ctx, acct, "", "nope.amazonaws.com")
	wantErr(t, err, "InvalidInput", 400, "Service name nope.amazonaws.com is not known or not supported for service-linked roles.")
}

func TestEnsureServiceLinkedRoleConcurrently(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	roleIds := make([]string, 8)
	for i := range roleIds {
		wg.Go(func() {
			r, _, err := f.EnsureServiceLinkedRole(ctx, acct, "", ecsPrincipal)
			if err != nil {
				t.Error(err)
				return
			}
			roleIds[i] = r.RoleId
		})
	}
	wg.Wait()
	for _, id := range roleIds {
		if id != roleIds[0] {
			t.Fatalf("role ids %v, want one role", roleIds)
		}
	}
}

func TestDeleteServiceLinkedRoleByService(t *testing.T) {
	f := newFixture(t)
	f.slr(t, "ecs-compute.amazonaws.com")
	deleted, err := f.DeleteServiceLinkedRoleByService(ctx, acct, "ecs-compute.amazonaws.com")
	must(t, err)
	if !deleted {
		t.Error("not deleted")
	}
	_, err = f.GetRole(ctx, acct, "AWSServiceRoleForECSCompute")
	wantErr(t, err, "NoSuchEntity", 404, "The role with name AWSServiceRoleForECSCompute cannot be found.")
	deleted, err = f.DeleteServiceLinkedRoleByService(ctx, acct, "ecs-compute.amazonaws.com")
	if err != nil || deleted {
		t.Errorf("second call: deleted=%v err=%v", deleted, err)
	}
	// An ordinary role of that name is not the service's.
	f.role(t, "AWSServiceRoleForECSCompute")
	deleted, err = f.DeleteServiceLinkedRoleByService(ctx, acct, "ecs-compute.amazonaws.com")
	if err != nil || deleted {
		t.Errorf("ordinary role: deleted=%v err=%v", deleted, err)
	}
}

func TestRoleLastUsed(t *testing.T) {
	f := newFixture(t)
	f.slr(t, ecsPrincipal)
	f.clock.Advance(90 * time.Minute)
	must(t, f.RecordLinkedRoleUsed(ctx, acct, ecsPrincipal, "eu-west-1"))
	must(t, f.RecordLinkedRoleUsed(ctx, acct, "batch.amazonaws.com", "eu-west-1")) // no role: nothing to record
	g, err := f.GetRole(ctx, acct, ecsRole)
	must(t, err)
	want := epoch.Add(90 * time.Minute)
	if g.RoleLastUsed == nil || g.RoleLastUsed.LastUsedDate == nil || !g.RoleLastUsed.LastUsedDate.Equal(want) || g.RoleLastUsed.Region != "eu-west-1" {
		t.Errorf("RoleLastUsed = %+v", g.RoleLastUsed)
	}
	// ListRoles never shows it (AWS's ListRoles documentation; recorded).
	list, _, err := f.ListRoles(ctx, acct, "/aws-service-role/", Page{})
	must(t, err)
	if len(list) != 1 || list[0].RoleLastUsed != nil {
		t.Errorf("ListRoles = %+v", list)
	}
}

// An IAM call with no deletion pending must not pay for the machinery.
func BenchmarkGetRoleWithTasksIdle(b *testing.B) {
	f := newFixture(b)
	f.slr(b, ecsPrincipal)
	f.slr(b, "batch.amazonaws.com")
	_, err := f.DeleteServiceLinkedRole(ctx, acct, "AWSServiceRoleForBatch")
	must(b, err)
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.GetRole(ctx, acct, ecsRole); err != nil {
			b.Fatal(err)
		}
	}
}
