package integration

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/rolecalltest"
)

// Service-linked roles, as AWS runs them: the IAM user guide's "Using
// service-linked roles", and the answers recorded against AWS in
// ../shared/data/aws-recorded-slr.json and aws-facts.md.

const (
	slrECS       = "AWSServiceRoleForECS"
	slrECSPolicy = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"
	slrECSTrust  = `{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"}}]}`
	protectedECS = "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS"
)

// ecsDouble stands in for ECS: the resources that still use its role.
type ecsDouble struct {
	mu    sync.Mutex
	usage []rolecalltest.RoleUsage
	asked []string
}

func (e *ecsDouble) roleUsage(_ context.Context, account, roleArn string) ([]rolecalltest.RoleUsage, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.asked = append(e.asked, account+" "+roleArn)
	return e.usage, nil
}

func (e *ecsDouble) set(u []rolecalltest.RoleUsage) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.usage = u
}

// slrServer starts rolecall on a clock the test moves, with the ECS double.
func slrServer(t *testing.T, opts ...rolecalltest.Option) (*iam.Client, *ids.FixedClock, *ecsDouble) {
	t.Helper()
	clock := &ids.FixedClock{T: time.Now().UTC()}
	ecs := &ecsDouble{}
	opts = append([]rolecalltest.Option{
		rolecalltest.WithClock(clock),
		rolecalltest.WithLinkedService("ecs.amazonaws.com", ecs.roleUsage),
		rolecalltest.WithSLRDeletionTiming(0, slrRetention),
	}, opts...)
	rc := rolecalltest.RunT(t, opts...)
	return iam.NewFromConfig(rc.Config), clock, ecs
}

func createSLR(t *testing.T, c *iam.Client, service string) *types.Role {
	t.Helper()
	return must(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(service)}))(t).Role
}

func deletionStatus(t *testing.T, c *iam.Client, id string) *iam.GetServiceLinkedRoleDeletionStatusOutput {
	t.Helper()
	return must(c.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(id)}))(t)
}

func TestSLRCreate(t *testing.T) {
	c := newIAM(t)
	r := createSLR(t, c, "ecs.amazonaws.com")
	if aws.ToString(r.RoleName) != slrECS || aws.ToString(r.Path) != "/aws-service-role/ecs.amazonaws.com/" ||
		aws.ToString(r.Arn) != "arn:aws:iam::"+account+":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS" {
		t.Errorf("role %+v", r)
	}
	// No Tags key, no Description unless given, MaxSessionDuration 3600.
	if r.Tags != nil || r.Description != nil || aws.ToInt32(r.MaxSessionDuration) != 3600 || r.PermissionsBoundary != nil {
		t.Errorf("CreateServiceLinkedRole shape %+v", r)
	}
	if decoded(t, r.AssumeRolePolicyDocument) != slrECSTrust {
		t.Errorf("trust policy %s", decoded(t, r.AssumeRolePolicyDocument))
	}
	// GetRole of a fresh SLR (recorded): exactly Arn, AssumeRolePolicyDocument,
	// CreateDate, MaxSessionDuration, Path, RoleId, RoleLastUsed {}, RoleName.
	g := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)}))(t).Role
	if decoded(t, g.AssumeRolePolicyDocument) != slrECSTrust || aws.ToInt32(g.MaxSessionDuration) != 3600 ||
		g.RoleLastUsed == nil || g.RoleLastUsed.LastUsedDate != nil || g.RoleLastUsed.Region != nil ||
		g.Description != nil || g.Tags != nil || g.PermissionsBoundary != nil || aws.ToString(g.RoleId) != aws.ToString(r.RoleId) {
		t.Errorf("GetRole %+v", g)
	}
	att := must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(slrECS)}))(t).AttachedPolicies
	if len(att) != 1 || aws.ToString(att[0].PolicyArn) != slrECSPolicy || aws.ToString(att[0].PolicyName) != "AmazonECSServiceRolePolicy" {
		t.Errorf("attached %+v", att)
	}
	if names := must(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(slrECS)}))(t).PolicyNames; names == nil || len(names) != 0 {
		t.Errorf("inline %v", names)
	}
	// ListRoles shows it under its path, without RoleLastUsed.
	list := must(c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/aws-service-role/")}))(t).Roles
	if len(list) != 1 || aws.ToString(list[0].RoleName) != slrECS || list[0].RoleLastUsed != nil {
		t.Errorf("ListRoles %+v", list)
	}

	// A description, and a custom suffix where the service takes one.
	d := must(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{
		AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("web"), Description: aws.String("web tier scaling"),
	}))(t).Role
	if aws.ToString(d.RoleName) != "AWSServiceRoleForAutoScaling_web" || aws.ToString(d.Description) != "web tier scaling" {
		t.Errorf("suffixed role %+v", d)
	}
}

func TestSLRCreateErrors(t *testing.T) {
	c := newIAM(t)
	createSLR(t, c, "batch.amazonaws.com")
	// An ordinary role created first holds the name, whatever its case.
	createRole(t, c, "awsserviceroleforecs")
	tests := []struct {
		name string
		in   iam.CreateServiceLinkedRoleInput
		code string
		msg  string
	}{
		{"suffix refused (recorded)", iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com"), CustomSuffix: aws.String("x")},
			"InvalidInput", "Custom suffix is not allowed for ecs.amazonaws.com"},
		{"exists (recorded)", iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("batch.amazonaws.com")},
			"InvalidInput", "Service role name AWSServiceRoleForBatch has been taken in this account, please try a different suffix."},
		{"taken by an ordinary role", iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")},
			"InvalidInput", "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix."},
		{"unknown service", iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("nope.amazonaws.com")},
			"InvalidInput", "Service name nope.amazonaws.com is not known or not supported for service-linked roles."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateServiceLinkedRole(ctx, &tc.in)
			wantErr(t, err, 400, tc.code, tc.msg)
		})
	}
	// The other way round: CreateRole cannot take an SLR's name either.
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("AWSSERVICEROLEFORBATCH"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
	wantErr(t, err, 409, "EntityAlreadyExists", "Role with name AWSSERVICEROLEFORBATCH already exists.")
	// Nor their path.
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fake"), Path: aws.String("/aws-service-role/ecs.amazonaws.com/"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
	wantErr(t, err, 400, "InvalidInput", "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles")
}

// Service-linked roles count toward the role quota but can be created past
// it.
func TestSLRQuotaExemption(t *testing.T) {
	c := newIAM(t)
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < 1000; i += 8 {
				_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("r%04d", i)), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1000"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
	wantErr(t, err, 409, "LimitExceeded", "Cannot exceed quota for RolesPerAccount: 1000")
	createSLR(t, c, "ecs.amazonaws.com")
	sum := must(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))(t).SummaryMap
	if sum["Roles"] != 1001 {
		t.Errorf("Roles = %d, want the SLR counted", sum["Roles"])
	}
}

func TestSLRProtection(t *testing.T) {
	c := newIAM(t)
	createSLR(t, c, "ecs.amazonaws.com")
	parn := aws.ToString(must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(s3ReadPolicy)}))(t).Policy.Arn)
	must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))(t)
	role := aws.String(slrECS)
	ops := []struct {
		name string
		call func() error
	}{
		{"DeleteRole", func() error { _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role}); return err }},
		{"AttachRolePolicy", func() error {
			_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String(parn)})
			return err
		}},
		{"DetachRolePolicy", func() error {
			_, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: aws.String(slrECSPolicy)})
			return err
		}},
		{"PutRolePolicy", func() error {
			_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("x"), PolicyDocument: aws.String(s3ReadPolicy)})
			return err
		}},
		{"DeleteRolePolicy", func() error {
			_, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String("x")})
			return err
		}},
		{"UpdateAssumeRolePolicy", func() error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: role, PolicyDocument: aws.String(ecsTasksTrust)})
			return err
		}},
		{"PutRolePermissionsBoundary", func() error {
			_, err := c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: role, PermissionsBoundary: aws.String(parn)})
			return err
		}},
		{"DeleteRolePermissionsBoundary", func() error {
			_, err := c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: role})
			return err
		}},
		{"AddRoleToInstanceProfile", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{RoleName: role, InstanceProfileName: aws.String("ip")})
			return err
		}},
		{"RemoveRoleFromInstanceProfile", func() error {
			_, err := c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{RoleName: role, InstanceProfileName: aws.String("ip")})
			return err
		}},
		{"UpdateRole MaxSessionDuration", func() error {
			_, err := c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: role, MaxSessionDuration: aws.Int32(7200)})
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) { wantErr(t, op.call(), 400, "UnmodifiableEntity", protectedECS) })
	}

	// Its description is the caller's to change, either way.
	must(c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: role, Description: aws.String("via UpdateRole")}))(t)
	if d := aws.ToString(must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: role}))(t).Role.Description); d != "via UpdateRole" {
		t.Errorf("description %q", d)
	}
	u := must(c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("awsserviceroleforecs"), Description: aws.String("via UpdateRoleDescription")}))(t).Role
	if aws.ToString(u.Description) != "via UpdateRoleDescription" || aws.ToString(u.RoleName) != slrECS {
		t.Errorf("UpdateRoleDescription %+v", u)
	}
	g := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: role}))(t).Role
	if aws.ToInt32(g.MaxSessionDuration) != 3600 || decoded(t, g.AssumeRolePolicyDocument) != slrECSTrust {
		t.Errorf("role changed %+v", g)
	}

	// Its permissions policy attaches to nothing else.
	createRole(t, c, "app")
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))(t)
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))(t)
	const notAttachable = "Cannot attach a Service Role Policy to a Customer Role."
	_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(slrECSPolicy)})
	wantErr(t, err, 400, "PolicyNotAttachable", notAttachable)
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(slrECSPolicy)})
	wantErr(t, err, 400, "PolicyNotAttachable", notAttachable)
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(slrECSPolicy)})
	wantErr(t, err, 400, "PolicyNotAttachable", notAttachable)
}

func TestSLRDeletionLifecycle(t *testing.T) {
	c, clock, ecs := slrServer(t)
	createSLR(t, c, "ecs.amazonaws.com")
	id := aws.ToString(must(c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(slrECS)}))(t).DeletionTaskId)
	prefix := "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/"
	if !strings.HasPrefix(id, prefix) || len(id) != len(prefix)+36 {
		t.Fatalf("DeletionTaskId %q", id)
	}
	// NOT_STARTED, IN_PROGRESS, then SUCCEEDED, on rolecall's clock.
	for _, step := range []struct {
		advance time.Duration
		want    types.DeletionTaskStatusType
	}{
		{0, types.DeletionTaskStatusTypeNotStarted},
		{iamDeletionDelay / 2, types.DeletionTaskStatusTypeInProgress},
		{iamDeletionDelay / 2, types.DeletionTaskStatusTypeSucceeded},
	} {
		clock.Advance(step.advance)
		st := deletionStatus(t, c, id)
		if st.Status != step.want || st.Reason != nil {
			t.Fatalf("after %v: %+v, want %s", step.advance, st, step.want)
		}
		if step.want != types.DeletionTaskStatusTypeSucceeded {
			// A second request while the task is not complete answers the
			// earlier task's id (API reference, DeleteServiceLinkedRole:
			// "If you call this operation more than once for the same
			// service-linked role and an earlier deletion task is not
			// complete, then the DeletionTaskId of the earlier request is
			// returned").
			again := aws.ToString(must(c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(slrECS)}))(t).DeletionTaskId)
			if again != id {
				t.Errorf("second request %q, want %q", again, id)
			}
		}
	}
	if len(ecs.asked) != 1 || ecs.asked[0] != account+" arn:aws:iam::"+account+":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS" {
		t.Errorf("ECS was asked %v", ecs.asked)
	}
	_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name AWSServiceRoleForECS cannot be found.")
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(slrECSPolicy)}))(t).Policy.AttachmentCount); n != 0 {
		t.Errorf("AttachmentCount %d after deletion", n)
	}

	// The task's record expires; unknown ids answer the same.
	clock.Advance(slrRetention - iamDeletionDelay/2)
	if st := deletionStatus(t, c, id); st.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("before expiry %+v", st)
	}
	clock.Advance(iamDeletionDelay / 2)
	_, err = c.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(id)})
	wantErr(t, err, 404, "NoSuchEntity", "Deletion task "+id+" cannot be found.")
	unknown := prefix + "6f1c7b1e-0000-4000-8000-000000000000"
	_, err = c.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(unknown)})
	wantErr(t, err, 404, "NoSuchEntity", "Deletion task "+unknown+" cannot be found.")
}

// iamDeletionDelay is rolecall's default deletion delay
// (iam.DefaultDeletionDelay); slrServer keeps completed tasks for
// slrRetention, short enough for the test clock to pass it while staying
// within the signing window.
const (
	iamDeletionDelay = time.Second
	slrRetention     = time.Minute
)

// The IAM user guide: a deletion fails while the service still uses the
// role, with the resources that do; clean them up and submit again.
func TestSLRDeletionFailsWhileInUse(t *testing.T) {
	c, clock, ecs := slrServer(t)
	createSLR(t, c, "ecs.amazonaws.com")
	clusterA := "arn:aws:ecs:us-east-1:" + account + ":cluster/a"
	serviceA := "arn:aws:ecs:us-east-1:" + account + ":service/a/web"
	clusterB := "arn:aws:ecs:eu-west-1:" + account + ":cluster/b"
	ecs.set([]rolecalltest.RoleUsage{
		{Region: "us-east-1", Resources: []string{clusterA, serviceA}},
		{Region: "eu-west-1", Resources: []string{clusterB}},
	})
	id := aws.ToString(must(c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(slrECS)}))(t).DeletionTaskId)
	clock.Advance(iamDeletionDelay)
	st := deletionStatus(t, c, id)
	if st.Status != types.DeletionTaskStatusTypeFailed || st.Reason == nil || aws.ToString(st.Reason.Reason) != "SLR [AWSServiceRoleForECS] is in use by other resources" {
		t.Fatalf("status %+v", st)
	}
	u := st.Reason.RoleUsageList
	if len(u) != 2 || aws.ToString(u[0].Region) != "eu-west-1" || len(u[0].Resources) != 1 || u[0].Resources[0] != clusterB ||
		aws.ToString(u[1].Region) != "us-east-1" || len(u[1].Resources) != 2 || u[1].Resources[0] != clusterA || u[1].Resources[1] != serviceA {
		t.Errorf("RoleUsageList %+v", u)
	}
	// The role stays, still protected and still with its policy.
	att := must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(slrECS)}))(t).AttachedPolicies
	if len(att) != 1 {
		t.Errorf("attached %+v", att)
	}
	_, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(slrECS)})
	wantErr(t, err, 400, "UnmodifiableEntity", protectedECS)

	// Clean up, then submit again: a new task that succeeds.
	ecs.set(nil)
	retry := aws.ToString(must(c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(slrECS)}))(t).DeletionTaskId)
	if retry == id {
		t.Fatal("the failed task's id was answered again")
	}
	clock.Advance(iamDeletionDelay)
	if st := deletionStatus(t, c, retry); st.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Errorf("retry %+v", st)
	}
	if st := deletionStatus(t, c, id); st.Status != types.DeletionTaskStatusTypeFailed {
		t.Errorf("the failed task now %+v", st)
	}
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name AWSServiceRoleForECS cannot be found.")
}

func TestSLRDeleteErrors(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "plain")
	_, err := c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("plain")})
	wantErr(t, err, 404, "NoSuchEntity", "The service-linked role with name plain cannot be found.")
	_, err = c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("missing")})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name missing cannot be found.")
}

// Deletion tasks are state: a restarted rolecall still answers them and
// completes the ones that fall due.
func TestSLRDeletionSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	clock := &ids.FixedClock{T: time.Now().UTC()}
	first, err := rolecalltest.Start(rolecalltest.WithDataDir(dir), rolecalltest.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	c := iam.NewFromConfig(first.Config)
	createSLR(t, c, "ecs.amazonaws.com")
	id := aws.ToString(must(c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(slrECS)}))(t).DeletionTaskId)
	first.Close()

	clock.Advance(iamDeletionDelay)
	again := rolecalltest.RunT(t, rolecalltest.WithDataDir(dir), rolecalltest.WithClock(clock))
	c = iam.NewFromConfig(again.Config)
	if st := deletionStatus(t, c, id); st.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Errorf("after restart %+v", st)
	}
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name AWSServiceRoleForECS cannot be found.")
}
