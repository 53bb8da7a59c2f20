package ecs

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

const acct = "123456789012"

// fakeRoles stands in for IAM and STS: roles that exist, the service-linked
// roles the account has, errors to answer, and the calls ECS made.
type fakeRoles struct {
	mu      sync.Mutex
	roles   map[string]bool // role ARNs that exist
	slrs    map[string]bool // service principals whose SLR exists
	deny    error           // answered by EnsureServiceLinkedRole and PassRole when set
	untrust map[string]bool // role ARNs the service may not assume
	// refuse holds actions ("role ARN action") the role's policies do not
	// allow.
	refuse map[string]bool
	now    func() time.Time // the sessions' clock
	calls  []string
	// sessions counts the sessions issued, for distinct credentials.
	sessions int
}

func newFakeRoles() *fakeRoles {
	return &fakeRoles{roles: map[string]bool{}, slrs: map[string]bool{}, untrust: map[string]bool{}, refuse: map[string]bool{}}
}

func (f *fakeRoles) log(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeRoles) called(prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeRoles) InstanceProfileRole(_ context.Context, c Call, profileArn string) (string, error) {
	f.log("profile " + profileArn)
	name := profileArn[strings.LastIndexByte(profileArn, '/')+1:]
	role := "arn:aws:iam::" + c.Account + ":role/" + name
	if !f.roles[role] {
		return "", awserr.NoSuchEntity("Instance Profile %s cannot be found.", name)
	}
	return role, nil
}

func (f *fakeRoles) EnsureServiceLinkedRole(_ context.Context, c Call, principal string) (bool, error) {
	f.log("ensure " + principal)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deny != nil {
		return false, f.deny
	}
	created := !f.slrs[principal]
	f.slrs[principal] = true
	return created, nil
}

func (f *fakeRoles) ServiceLinkedRoleExists(_ context.Context, _, principal string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.slrs[principal], nil
}

func (f *fakeRoles) DeleteServiceLinkedRole(_ context.Context, _, principal string) (bool, error) {
	f.log("delete " + principal)
	f.mu.Lock()
	defer f.mu.Unlock()
	had := f.slrs[principal]
	delete(f.slrs, principal)
	return had, nil
}

func (f *fakeRoles) LinkedRoleUsed(_ context.Context, c Call, principal string, actions ...RoleAction) error {
	f.log("used " + principal + " " + c.Region)
	for _, a := range actions {
		f.log("act " + principal + " " + a.Action + " " + a.Resource)
	}
	return nil
}

func (f *fakeRoles) RoleAllows(_ context.Context, _ Call, roleArn, session string, actions ...RoleAction) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range actions {
		if f.refuse[roleArn+" "+a.Action] {
			return awserr.AccessDenied("User: %s/%s is not authorized to perform: %s on resource: %s", roleArn, session, a.Action, a.Resource)
		}
	}
	for _, a := range actions {
		f.calls = append(f.calls, "act "+roleArn+" "+a.Action+" "+a.Resource)
	}
	return nil
}

func (f *fakeRoles) PassRole(_ context.Context, _ Call, roleArn, to, _ string) error {
	f.log("pass " + roleArn + " " + to)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deny != nil {
		return f.deny
	}
	if !f.roles[roleArn] {
		return awserr.NoSuchEntity("The role with name %s cannot be found.", roleArn[strings.LastIndexByte(roleArn, '/')+1:])
	}
	return nil
}

func (f *fakeRoles) AssumeAsService(_ context.Context, _ Call, svc, roleArn, session, sourceArn string) (*principal.Session, error) {
	f.log("assume " + svc + " " + roleArn + " " + session)
	f.log("source " + roleArn + " " + sourceArn)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.roles[roleArn] || f.untrust[roleArn] {
		return nil, awserr.AccessDenied("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", svc, roleArn)
	}
	f.sessions++
	n := strconv.Itoa(f.sessions)
	return &principal.Session{AccessKeyID: "ASIA" + n, SecretAccessKey: "secret" + n, SessionToken: "token" + n,
		Expiration: f.now().Add(time.Hour), Principal: principal.Principal{Kind: principal.AssumedRole, RoleARN: roleArn, SessionName: session}}, nil
}

type fixture struct {
	svc   *Service
	roles *fakeRoles
	clock *ids.FixedClock
	c     Call
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := store.NewMemory()
	t.Cleanup(func() { st.Close() })
	roles := newFakeRoles()
	clock := &ids.FixedClock{T: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	roles.now = clock.Now
	svc := New(Config{Store: st, Clock: clock, IDs: &ids.Sequence{}, Roles: roles,
		Timing: Timing{Provisioning: time.Second, Pending: 2 * time.Second, Stopping: 2 * time.Second}})
	return &fixture{svc: svc, roles: roles, clock: clock, c: Call{Account: acct, Region: "us-east-1"}}
}

func (f *fixture) in(region string) Call { return Call{Account: acct, Region: region} }

func (f *fixture) role(name string) string {
	arn := "arn:aws:iam::" + acct + ":role/" + name
	f.roles.mu.Lock()
	f.roles.roles[arn] = true
	f.roles.mu.Unlock()
	return arn
}

func (f *fixture) cluster(t *testing.T, c Call, name string) {
	t.Helper()
	if _, err := f.svc.CreateCluster(context.Background(), c, &types.CreateClusterRequest{ClusterName: name}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) fargateDef(t *testing.T, family, taskRole, execRole string) *types.TaskDefinition {
	t.Helper()
	out, err := f.svc.RegisterTaskDefinition(context.Background(), f.c, &types.RegisterTaskDefinitionRequest{
		Family: family, RequiresCompatibilities: []string{"FARGATE"}, NetworkMode: "awsvpc", Cpu: "256", Memory: "512",
		TaskRoleArn: taskRole, ExecutionRoleArn: execRole,
		ContainerDefinitions: []types.ContainerDefinition{{Name: "app", Image: "nginx"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.TaskDefinition
}

var vpc = &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}

func (f *fixture) runFargate(t *testing.T, family string) types.Task {
	t.Helper()
	out, err := f.svc.RunTask(context.Background(), f.c, &types.RunTaskRequest{TaskDefinition: family, LaunchType: "FARGATE", NetworkConfiguration: vpc})
	if err != nil {
		t.Fatal(err)
	}
	return out.Tasks[0]
}

func (f *fixture) task(t *testing.T, arn string) types.Task {
	t.Helper()
	out, err := f.svc.DescribeTasks(context.Background(), f.c, &types.DescribeTasksRequest{Tasks: []string{arn}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 1 {
		t.Fatalf("task %s: %+v", arn, out.Failures)
	}
	return out.Tasks[0]
}

func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want %s: %s", err, code, msg)
	}
	if e.Code != code || e.Message != msg || e.Status != http.StatusBadRequest {
		t.Fatalf("got %d %s: %s\nwant 400 %s: %s", e.Status, e.Code, e.Message, code, msg)
	}
}

// A task's status follows the clock: PROVISIONING (awsvpc), PENDING,
// RUNNING; stopped, STOPPING, DEPROVISIONING, STOPPED; and it is forgotten
// an hour after it stopped.
func TestTaskLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "default")
	f.fargateDef(t, "app", "", "")
	task := f.runFargate(t, "app")
	if task.LastStatus != "PROVISIONING" || task.DesiredStatus != "RUNNING" || task.Version != 1 {
		t.Fatalf("RunTask %+v", task)
	}
	for _, step := range []struct {
		advance time.Duration
		status  string
		version int64
	}{
		{999 * time.Millisecond, "PROVISIONING", 1},
		{time.Millisecond, "PENDING", 2},
		{2 * time.Second, "RUNNING", 3},
	} {
		f.clock.Advance(step.advance)
		got := f.task(t, task.TaskArn)
		if got.LastStatus != step.status || got.Version != step.version {
			t.Fatalf("after %v: %s v%d, want %s v%d", step.advance, got.LastStatus, got.Version, step.status, step.version)
		}
	}
	running := f.task(t, task.TaskArn)
	if running.StartedAt == nil || !running.StartedAt.Equal(running.CreatedAt.Add(3*time.Second)) || running.Containers[0].LastStatus != "RUNNING" ||
		running.Attachments[0].Status != "ATTACHED" {
		t.Fatalf("running %+v", running)
	}
	stop, err := f.svc.StopTask(ctx, f.c, &types.StopTaskRequest{Task: task.TaskArn})
	if err != nil {
		t.Fatal(err)
	}
	if stop.Task.LastStatus != "RUNNING" || stop.Task.DesiredStatus != "STOPPED" || stop.Task.StoppedReason != "Task stopped by user" {
		t.Fatalf("StopTask %+v", stop.Task)
	}
	for _, step := range []struct {
		advance time.Duration
		status  string
	}{{0, "STOPPING"}, {time.Second, "DEPROVISIONING"}, {time.Second, "STOPPED"}} {
		f.clock.Advance(step.advance)
		if got := f.task(t, task.TaskArn); got.LastStatus != step.status {
			t.Fatalf("after stop +%v: %s, want %s", step.advance, got.LastStatus, step.status)
		}
	}
	stopped := f.task(t, task.TaskArn)
	if stopped.StopCode != "UserInitiated" || stopped.StoppedAt == nil || stopped.Containers[0].LastStatus != "STOPPED" ||
		stopped.Attachments[0].Status != "DELETED" || stopped.Version != 6 {
		t.Fatalf("stopped %+v", stopped)
	}
	list, err := f.svc.ListTasks(ctx, f.c, &types.ListTasksRequest{DesiredStatus: "STOPPED"})
	if err != nil || len(list.TaskArns) != 1 {
		t.Fatalf("ListTasks STOPPED %v %v", list, err)
	}
	f.clock.Advance(stoppedRetention)
	out, err := f.svc.DescribeTasks(ctx, f.c, &types.DescribeTasksRequest{Tasks: []string{task.TaskArn}})
	if err != nil || len(out.Failures) != 1 || out.Failures[0].Reason != "MISSING" {
		t.Fatalf("an hour later %+v %v", out, err)
	}
	_, err = f.svc.StopTask(ctx, f.c, &types.StopTaskRequest{Task: task.TaskArn})
	wantErr(t, err, "InvalidParameterException", "The referenced task was not found.")
	_, err = f.svc.DescribeTasks(ctx, f.c, &types.DescribeTasksRequest{})
	wantErr(t, err, "InvalidParameterException", "Tasks cannot be empty.")
}

// At launch ecs-tasks.amazonaws.com assumes the execution role, then the
// task role, with the task's ID as the session; a role it cannot assume
// stops the task before it starts, with AWS's reason.
func TestTaskRoles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "default")
	exec, task := f.role("exec"), f.role("task")
	f.fargateDef(t, "app", task, exec)
	if got := f.roles.called("pass "); len(got) != 2 || got[0] != "pass "+task+" ecs-tasks.amazonaws.com" || got[1] != "pass "+exec+" ecs-tasks.amazonaws.com" {
		t.Fatalf("RegisterTaskDefinition passed %v", got)
	}
	ok := f.runFargate(t, "app")
	id := ok.TaskArn[strings.LastIndexByte(ok.TaskArn, '/')+1:]
	if got := f.roles.called("assume "); len(got) != 2 || got[0] != "assume ecs-tasks.amazonaws.com "+exec+" "+id || got[1] != "assume ecs-tasks.amazonaws.com "+task+" "+id {
		t.Fatalf("launch assumed %v", got)
	}
	if got := f.roles.called("used "); len(got) != 1 || got[0] != "used ecs.amazonaws.com us-east-1" {
		t.Errorf("SLR use %v", got)
	}

	f.roles.untrust[task] = true
	bad := f.runFargate(t, "app")
	if bad.LastStatus != "PROVISIONING" {
		t.Fatalf("failing task %+v", bad)
	}
	f.clock.Advance(time.Second)
	got := f.task(t, bad.TaskArn)
	if got.LastStatus != "STOPPED" || got.StopCode != "TaskFailedToStart" || got.StoppedReason != unableToAssume(task) ||
		got.StartedAt != nil || got.DesiredStatus != "STOPPED" {
		t.Fatalf("failed task %+v", got)
	}
	if r := f.task(t, ok.TaskArn); r.LastStatus != "PENDING" {
		t.Errorf("the other task %s", r.LastStatus)
	}

	// Registration: a role that is not valid, a denied iam:PassRole.
	_, err := f.svc.RegisterTaskDefinition(ctx, f.c, &types.RegisterTaskDefinitionRequest{Family: "x", TaskRoleArn: "arn:aws:iam::" + acct + ":role/none",
		ContainerDefinitions: []types.ContainerDefinition{{Name: "a", Image: "b", Memory: ptr(int32(64))}}})
	wantErr(t, err, "ClientException", "Role is not valid")
	denied := "User: arn:aws:iam::" + acct + ":user/dev is not authorized to perform: iam:PassRole on resource: " + task + " because no identity-based policy allows the iam:PassRole action"
	f.roles.deny = awserr.AccessDenied("%s", denied)
	_, err = f.svc.RegisterTaskDefinition(ctx, f.c, &types.RegisterTaskDefinitionRequest{Family: "x", TaskRoleArn: task,
		ContainerDefinitions: []types.ContainerDefinition{{Name: "a", Image: "b", Memory: ptr(int32(64))}}})
	wantErr(t, err, "AccessDeniedException", denied)
	_, err = f.svc.RunTask(ctx, f.c, &types.RunTaskRequest{TaskDefinition: "app", LaunchType: "FARGATE", NetworkConfiguration: vpc})
	wantErr(t, err, "AccessDeniedException", denied)

	// A caller who may not create the SLR still gets a cluster.
	if _, err := f.svc.CreateCluster(ctx, f.c, &types.CreateClusterRequest{ClusterName: "other"}); err != nil {
		t.Fatalf("CreateCluster without the SLR permission: %v", err)
	}
}

// CreateService's role rules: AWSServiceRoleForECS without a role; the
// legacy role only with a load balancer and no awsvpc, passed to and
// assumed by ecs.amazonaws.com.
func TestServiceRoles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "default")
	if _, err := f.svc.RegisterContainerInstance(ctx, f.c, &types.RegisterContainerInstanceRequest{}); err != nil {
		t.Fatal(err)
	}
	f.fargateDef(t, "vpc", "", "")
	if _, err := f.svc.RegisterTaskDefinition(ctx, f.c, &types.RegisterTaskDefinitionRequest{Family: "bridge",
		ContainerDefinitions: []types.ContainerDefinition{{Name: "web", Image: "nginx", Memory: ptr(int32(128))}}}); err != nil {
		t.Fatal(err)
	}
	lb := []types.LoadBalancer{{TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:" + acct + ":targetgroup/web/1", ContainerName: "web", ContainerPort: ptr(int32(80))}}
	svcRole := "arn:aws:iam::" + acct + ":role/ecsServiceRole"
	for _, tc := range []struct {
		name string
		in   types.CreateServiceRequest
		code string
		msg  string
	}{
		{"role with awsvpc", types.CreateServiceRequest{TaskDefinition: "vpc", Role: "ecsServiceRole", LoadBalancers: lb, LaunchType: "FARGATE", NetworkConfiguration: vpc},
			"InvalidParameterException", "You cannot specify an IAM role for services that require a service linked role."},
		{"role without load balancer", types.CreateServiceRequest{TaskDefinition: "bridge", Role: svcRole},
			"InvalidParameterException", "You cannot specify an IAM role for services that require a service linked role."},
		{"missing role", types.CreateServiceRequest{TaskDefinition: "bridge", Role: "ecsServiceRole", LoadBalancers: lb},
			"InvalidParameterException", "Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions."},
		{"unknown definition", types.CreateServiceRequest{TaskDefinition: "nope"}, "ClientException", "TaskDefinition not found."},
		{"both", types.CreateServiceRequest{TaskDefinition: "vpc", LaunchType: "FARGATE", CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: "FARGATE"}}},
			"InvalidParameterException", "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."},
		{"no network", types.CreateServiceRequest{TaskDefinition: "vpc", LaunchType: "FARGATE"},
			"InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified."},
		{"no SLR", types.CreateServiceRequest{TaskDefinition: "vpc", LaunchType: "FARGATE", NetworkConfiguration: vpc},
			"InvalidParameterException", "Unable to assume the service linked role. Please verify that the ECS service linked role exists."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "no SLR" {
				// Missing, and the caller may not create it.
				f.roles.slrs = map[string]bool{}
				f.roles.deny = awserr.AccessDenied("not authorized to perform: iam:CreateServiceLinkedRole")
				defer func() { f.roles.deny = nil }()
			}
			in := tc.in
			in.ServiceName = "s"
			_, err := f.svc.CreateService(ctx, f.c, &in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	// Missing, and the caller may create it: CreateService creates it, as
	// ECS does.
	if _, err := f.svc.CreateService(ctx, f.c, &types.CreateServiceRequest{ServiceName: "s", TaskDefinition: "vpc", LaunchType: "FARGATE", NetworkConfiguration: vpc}); err != nil {
		t.Fatalf("CreateService without the role: %v", err)
	}
	if !f.roles.slrs[PrincipalECS] {
		t.Fatal("CreateService did not create AWSServiceRoleForECS")
	}
	if _, err := f.svc.DeleteService(ctx, f.c, &types.DeleteServiceRequest{Service: "s", Force: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	f.role("ecsServiceRole")
	f.roles.slrs[PrincipalECS] = true
	out, err := f.svc.CreateService(ctx, f.c, &types.CreateServiceRequest{ServiceName: "web", TaskDefinition: "bridge", Role: "ecsServiceRole", LoadBalancers: lb, DesiredCount: ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	if out.Service.RoleArn != svcRole || out.Service.LaunchType != "EC2" || out.Service.PendingCount != 1 {
		t.Errorf("service %+v", out.Service)
	}
	// Assumed to validate the load balancer, then to register the task.
	if got := f.roles.called("assume ecs.amazonaws.com"); len(got) != 2 || got[0] != "assume ecs.amazonaws.com "+svcRole+" ecs-service-scheduler" || got[1] != got[0] {
		t.Errorf("assumed %v", got)
	}
	tg := lb[0].TargetGroupArn
	want := []string{
		"act " + svcRole + " elasticloadbalancing:RegisterTargets " + tg,
		"act " + svcRole + " elasticloadbalancing:DeregisterTargets " + tg,
		"act " + svcRole + " elasticloadbalancing:DescribeTargetGroups *",
		"act " + svcRole + " elasticloadbalancing:RegisterTargets " + tg,
	}
	if got := f.roles.called("act "); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("acted %q", got)
	}
	if ev := out.Service.Events; len(ev) < 2 || ev[0].Message != "(service web) registered 1 targets in (target-group "+tg+")" {
		t.Errorf("events %+v", ev)
	}
}

// The legacy service role must trust ecs.amazonaws.com and allow the load
// balancer calls, else AWS's targetGroupArn text (the listeners text for a
// Classic Load Balancer); AWSServiceRoleForECS validates them otherwise.
func TestServiceRolePermissions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "default")
	if _, err := f.svc.RegisterContainerInstance(ctx, f.c, &types.RegisterContainerInstanceRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RegisterTaskDefinition(ctx, f.c, &types.RegisterTaskDefinitionRequest{Family: "bridge",
		ContainerDefinitions: []types.ContainerDefinition{{Name: "web", Image: "nginx", Memory: ptr(int32(128))}}}); err != nil {
		t.Fatal(err)
	}
	tg := []types.LoadBalancer{{TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:" + acct + ":targetgroup/web/1", ContainerName: "web", ContainerPort: ptr(int32(80))}}
	elb := []types.LoadBalancer{{LoadBalancerName: "web", ContainerName: "web", ContainerPort: ptr(int32(80))}}
	const tgText = "Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions."
	const elbText = "Unable to assume role and validate the listeners configured on your load balancer. Please verify that the ECS service role being passed has the proper permissions."
	untrusted, bare, good := f.role("untrusted"), f.role("bare"), f.role("good")
	f.roles.untrust[untrusted] = true
	f.roles.refuse[bare+" elasticloadbalancing:RegisterTargets"] = true
	f.roles.refuse[bare+" elasticloadbalancing:RegisterInstancesWithLoadBalancer"] = true
	for _, tc := range []struct {
		name, role string
		lbs        []types.LoadBalancer
		msg        string
	}{
		{"wrong trust", "untrusted", tg, tgText},
		{"no ELB permissions", "bare", tg, tgText},
		{"classic, wrong trust", "untrusted", elb, elbText},
		{"classic, no ELB permissions", "bare", elb, elbText},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.CreateService(ctx, f.c, &types.CreateServiceRequest{ServiceName: "s", TaskDefinition: "bridge", Role: tc.role, LoadBalancers: tc.lbs})
			wantErr(t, err, "InvalidParameterException", tc.msg)
		})
	}
	out, err := f.svc.CreateService(ctx, f.c, &types.CreateServiceRequest{ServiceName: "classic", TaskDefinition: "bridge", Role: good, LoadBalancers: elb, DesiredCount: ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	if ev := out.Service.Events; len(ev) < 1 || ev[0].Message != "(service classic) registered 1 instances in (elb web)" {
		t.Errorf("events %+v", ev)
	}

	// A role whose permissions were taken away after the service was
	// created: the task starts, its registration fails with the role's
	// AccessDenied, as a service event.
	if _, err := f.svc.CreateService(ctx, f.c, &types.CreateServiceRequest{ServiceName: "later", TaskDefinition: "bridge", Role: good, LoadBalancers: tg}); err != nil {
		t.Fatal(err)
	}
	f.roles.refuse[good+" elasticloadbalancing:RegisterTargets"] = true
	up, err := f.svc.UpdateService(ctx, f.c, &types.UpdateServiceRequest{Service: "later", DesiredCount: ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	wantEv := "(service later) failed to register targets in (target-group " + tg[0].TargetGroupArn + ") with (error User: " + good +
		"/ecs-service-scheduler is not authorized to perform: elasticloadbalancing:RegisterTargets on resource: " + tg[0].TargetGroupArn + ")"
	if ev := up.Service.Events; len(ev) < 2 || ev[0].Message != wantEv || !strings.HasPrefix(ev[1].Message, "(service later) has started 1 tasks") {
		t.Errorf("events %+v", ev)
	}

	// Without a role: AWSServiceRoleForECS, checked for the validation,
	// then for the registration.
	f.roles.mu.Lock()
	f.roles.calls = nil
	f.roles.mu.Unlock()
	if _, err := f.svc.CreateService(ctx, f.c, &types.CreateServiceRequest{ServiceName: "slr", TaskDefinition: "bridge", LoadBalancers: tg, DesiredCount: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"act ecs.amazonaws.com elasticloadbalancing:RegisterTargets " + tg[0].TargetGroupArn,
		"act ecs.amazonaws.com elasticloadbalancing:DeregisterTargets " + tg[0].TargetGroupArn,
		"act ecs.amazonaws.com elasticloadbalancing:DescribeTargetGroups *",
		"act ecs.amazonaws.com elasticloadbalancing:RegisterTargets " + tg[0].TargetGroupArn,
	}
	if got := f.roles.called("act "); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("acted %q", got)
	}
	if got := f.roles.called("used "); len(got) != 2 {
		t.Errorf("SLR used %q", got)
	}
}

// A service keeps desiredCount tasks: scaling starts and stops them, a new
// task definition replaces them; a task role ECS cannot assume leaves an
// event, retried after launchRetry.
func TestServiceReconcile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "default")
	role := f.role("task")
	f.fargateDef(t, "app", role, "")
	create := func(name string, n int32) types.Service {
		t.Helper()
		out, err := f.svc.CreateService(ctx, f.c, &types.CreateServiceRequest{ServiceName: name, TaskDefinition: "app", DesiredCount: ptr(n),
			LaunchType: "FARGATE", NetworkConfiguration: vpc})
		if err != nil {
			t.Fatal(err)
		}
		return *out.Service
	}
	describe := func(name string) types.Service {
		t.Helper()
		out, err := f.svc.DescribeServices(ctx, f.c, &types.DescribeServicesRequest{Services: []string{name}})
		if err != nil || len(out.Services) != 1 {
			t.Fatalf("DescribeServices %+v %v", out, err)
		}
		return out.Services[0]
	}
	svc := create("web", 2)
	if svc.PendingCount != 2 || svc.Deployments[0].RolloutState != "IN_PROGRESS" || !strings.HasPrefix(svc.Events[0].Message, "(service web) has started 2 tasks: (task ") {
		t.Fatalf("created %+v", svc)
	}
	f.clock.Advance(3 * time.Second)
	svc = describe("web")
	if svc.RunningCount != 2 || svc.Deployments[0].RolloutState != "COMPLETED" || svc.Events[0].Message != "(service web) has reached a steady state." {
		t.Fatalf("steady %+v", svc)
	}
	up, err := f.svc.UpdateService(ctx, f.c, &types.UpdateServiceRequest{Service: "web", DesiredCount: ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	if up.Service.RunningCount != 1 || !strings.HasPrefix(up.Service.Events[0].Message, "(service web) has stopped 1 running tasks: (task ") {
		t.Fatalf("scaled down %+v", up.Service)
	}
	f.fargateDef(t, "app", role, "")
	up, err = f.svc.UpdateService(ctx, f.c, &types.UpdateServiceRequest{Service: "web", TaskDefinition: "app"})
	if err != nil {
		t.Fatal(err)
	}
	// The old task runs until the new one does (minimumHealthyPercent
	// 100): its deployment is ACTIVE meanwhile.
	if d := up.Service.Deployments; len(d) != 2 || d[0].Status != "PRIMARY" || d[0].PendingCount != 1 || d[1].Status != "ACTIVE" || d[1].RunningCount != 1 ||
		d[1].RolloutState != "COMPLETED" || !strings.HasSuffix(d[1].TaskDefinition, "app:1") {
		t.Fatalf("rolling out %+v", d)
	}
	f.clock.Advance(3 * time.Second)
	if svc = describe("web"); len(svc.Deployments) != 2 || !strings.HasPrefix(svc.Events[0].Message, "(service web) has stopped 1 running tasks: (task ") {
		t.Fatalf("replaced %+v %+v", svc.Deployments, svc.Events[0])
	}
	list, _ := f.svc.ListTasks(ctx, f.c, &types.ListTasksRequest{ServiceName: "web"})
	if len(list.TaskArns) != 1 {
		t.Fatalf("tasks after the new deployment %v", list.TaskArns)
	}
	if got := f.task(t, list.TaskArns[0]); !strings.HasSuffix(got.TaskDefinitionArn, "app:2") || got.Group != "service:web" {
		t.Errorf("new task %+v", got)
	}

	// A role ECS cannot assume: an event, then a retry once due.
	f.roles.untrust[role] = true
	svc = create("api", 1)
	wantEvent := "(service api) failed to launch a task with (error " + unableToAssume(role) + ")"
	if svc.PendingCount != 0 || len(svc.Events) != 1 || svc.Events[0].Message != wantEvent {
		t.Fatalf("failing service %+v", svc.Events)
	}
	f.clock.Advance(launchRetry - time.Millisecond)
	if svc = describe("api"); len(svc.Events) != 1 {
		t.Fatalf("retried early: %+v", svc.Events)
	}
	f.roles.untrust[role] = false
	f.clock.Advance(time.Millisecond)
	if svc = describe("api"); svc.PendingCount != 1 || !strings.HasPrefix(svc.Events[0].Message, "(service api) has started 1 tasks") {
		t.Fatalf("after the fix %+v", svc.Events)
	}

	// Deleting: scaled to 0 first, or forced; DRAINING, then INACTIVE.
	_, err = f.svc.DeleteService(ctx, f.c, &types.DeleteServiceRequest{Service: "api"})
	wantErr(t, err, "InvalidParameterException", "The service cannot be stopped while the primary deployment is scaled above 0.")
	del, err := f.svc.DeleteService(ctx, f.c, &types.DeleteServiceRequest{Service: "api", Force: ptr(true)})
	if err != nil || del.Service.Status != "DRAINING" || del.Service.DesiredCount != 0 {
		t.Fatalf("DeleteService %+v %v", del, err)
	}
	if svc = describe("api"); svc.Status != "INACTIVE" {
		t.Errorf("after deletion %s", svc.Status)
	}
	_, err = f.svc.DeleteService(ctx, f.c, &types.DeleteServiceRequest{Service: "api"})
	wantErr(t, err, "ServiceNotActiveException", "Service was not ACTIVE.")
	ls, _ := f.svc.ListServices(ctx, f.c, &types.ListServicesRequest{})
	if len(ls.ServiceArns) != 1 || !strings.HasSuffix(ls.ServiceArns[0], "/web") {
		t.Errorf("ListServices %v", ls.ServiceArns)
	}
	// The name is free again.
	create("api", 0)
}

// DeleteCluster refuses while the cluster has services, instances or
// tasks, with AWS's codes and texts; the cluster is then INACTIVE.
func TestDeleteClusterConflicts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "c")
	f.fargateDef(t, "app", "", "")
	del := func() error {
		_, err := f.svc.DeleteCluster(ctx, f.c, &types.DeleteClusterRequest{Cluster: "c"})
		return err
	}
	if _, err := f.svc.CreateService(ctx, f.c, &types.CreateServiceRequest{Cluster: "c", ServiceName: "s", TaskDefinition: "app", LaunchType: "FARGATE", NetworkConfiguration: vpc}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, del(), "ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.")
	if _, err := f.svc.DeleteService(ctx, f.c, &types.DeleteServiceRequest{Cluster: "c", Service: "s"}); err != nil {
		t.Fatal(err)
	}
	ci, err := f.svc.RegisterContainerInstance(ctx, f.c, &types.RegisterContainerInstanceRequest{Cluster: "c"})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, del(), "ClusterContainsContainerInstancesException", "The Cluster cannot be deleted while Container Instances are active or draining.")
	if _, err := f.svc.DeregisterContainerInstance(ctx, f.c, &types.DeregisterContainerInstanceRequest{Cluster: "c", ContainerInstance: ci.ContainerInstance.ContainerInstanceArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RunTask(ctx, f.c, &types.RunTaskRequest{Cluster: "c", TaskDefinition: "app", LaunchType: "FARGATE", NetworkConfiguration: vpc}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, del(), "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
	list, _ := f.svc.ListTasks(ctx, f.c, &types.ListTasksRequest{Cluster: "c"})
	for _, a := range list.TaskArns {
		if _, err := f.svc.StopTask(ctx, f.c, &types.StopTaskRequest{Cluster: "c", Task: a}); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(2 * time.Second)
	if err := del(); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.RegisterContainerInstance(ctx, f.c, &types.RegisterContainerInstanceRequest{Cluster: "c"})
	wantErr(t, err, "ClientException", "Cluster not found.")
	_, err = f.svc.CreateService(ctx, f.c, &types.CreateServiceRequest{Cluster: "c", ServiceName: "s", TaskDefinition: "app"})
	wantErr(t, err, "ClusterNotFoundException", "The referenced cluster was inactive.")
	_, err = f.svc.ListServices(ctx, f.c, &types.ListServicesRequest{Cluster: "nope"})
	wantErr(t, err, "ClusterNotFoundException", "Cluster not found.")
}

// IAM asks ECS which resources use its service-linked roles: ACTIVE
// clusters, and Managed Instances capacity providers, by Region. ECS
// deletes AWSServiceRoleForECSCompute itself when the last such provider,
// in any Region, goes.
func TestRoleUsage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	eu := f.in("eu-west-1")
	f.cluster(t, f.c, "a")
	f.cluster(t, f.c, "b")
	f.cluster(t, eu, "c")
	other := Call{Account: "210987654321", Region: "us-east-1"}
	f.cluster(t, other, "x")
	usage, err := f.svc.RoleUsage(ctx, acct, PrincipalECS)
	if err != nil {
		t.Fatal(err)
	}
	if len(usage) != 2 || usage[0].Region != "eu-west-1" || len(usage[0].Resources) != 1 || usage[0].Resources[0] != "arn:aws:ecs:eu-west-1:"+acct+":cluster/c" ||
		usage[1].Region != "us-east-1" || len(usage[1].Resources) != 2 {
		t.Fatalf("usage %+v", usage)
	}

	infra := f.role("infra")
	f.role("p") // the instance profile p's role (the fake's profiles hold the role of their name)
	mi := func(c Call) {
		t.Helper()
		_, err := f.svc.CreateCapacityProvider(ctx, c, &types.CreateCapacityProviderRequest{Name: "mi", Cluster: map[string]string{"us-east-1": "a", "eu-west-1": "c"}[c.Region],
			ManagedInstancesProvider: &types.CreateManagedInstancesProviderConfiguration{InfrastructureRoleArn: infra,
				InstanceLaunchTemplate: &types.InstanceLaunchTemplate{Ec2InstanceProfileArn: "arn:aws:iam::" + acct + ":instance-profile/p"}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	mi(f.c)
	mi(eu)
	if !f.roles.slrs[PrincipalECSCompute] {
		t.Fatal("AWSServiceRoleForECSCompute not created")
	}
	if got := f.roles.called("pass " + infra); len(got) != 2 || got[0] != "pass "+infra+" ecs.amazonaws.com" {
		t.Errorf("infrastructure role passed %v", got)
	}
	usage, _ = f.svc.RoleUsage(ctx, acct, PrincipalECSCompute)
	if len(usage) != 2 {
		t.Fatalf("compute usage %+v", usage)
	}
	if _, err := f.svc.DeleteCapacityProvider(ctx, f.c, &types.DeleteCapacityProviderRequest{CapacityProvider: "mi"}); err != nil {
		t.Fatal(err)
	}
	if len(f.roles.called("delete ")) != 0 || !f.roles.slrs[PrincipalECSCompute] {
		t.Fatal("the role went while a provider remains in eu-west-1")
	}
	if _, err := f.svc.DeleteCapacityProvider(ctx, eu, &types.DeleteCapacityProviderRequest{CapacityProvider: "arn:aws:ecs:eu-west-1:" + acct + ":capacity-provider/mi"}); err != nil {
		t.Fatal(err)
	}
	if got := f.roles.called("delete "); len(got) != 1 || got[0] != "delete ecs-compute.amazonaws.com" || f.roles.slrs[PrincipalECSCompute] {
		t.Errorf("deleted %v", got)
	}
	if u, _ := f.svc.RoleUsage(ctx, acct, "elasticloadbalancing.amazonaws.com"); len(u) != 0 {
		t.Errorf("other principal %+v", u)
	}
}

func TestFargateSizes(t *testing.T) {
	for _, tc := range []struct {
		cpu, mem string
		ok       bool
	}{
		{"256", "512", true}, {"256", "4096", false}, {".25 vCPU", "0.5 GB", true}, {"1 vCPU", "2GB", true},
		{"1024", "1024", false}, {"4096", "30720", true}, {"8192", "20480", true}, {"8192", "18432", false},
		{"16384", "122880", true}, {"512", "3072", true},
	} {
		cpu, ok1 := taskCPU(tc.cpu)
		mem, ok2 := taskMemory(tc.mem)
		if got := ok1 && ok2 && fargateSize(cpu, mem); got != tc.ok {
			t.Errorf("%s / %s: %v, want %v", tc.cpu, tc.mem, got, tc.ok)
		}
	}
}

func TestPage(t *testing.T) {
	items := []string{"d", "a", "c", "b", "e"}
	var got []string
	token := ""
	for n := 0; ; n++ {
		pg, next, err := page(items, token, ptr(int32(2)), 100)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, pg...)
		if next == "" {
			if n != 2 {
				t.Errorf("%d pages", n+1)
			}
			break
		}
		token = next
	}
	if strings.Join(got, "") != "abcde" {
		t.Errorf("pages %v", got)
	}
	_, _, err := page(items, "!!", nil, 100)
	wantErr(t, err, "InvalidParameterException", "The nextToken is not valid.")
}

func TestParseTaskDef(t *testing.T) {
	c := Call{Account: acct, Region: "us-east-1"}
	for _, tc := range []struct {
		id     string
		family string
		rev    int32
		ok     bool
	}{
		{"web", "web", 0, true},
		{"web:3", "web", 3, true},
		{"arn:aws:ecs:us-east-1:" + acct + ":task-definition/web:12", "web", 12, true},
		{"arn:aws:ecs:eu-west-1:" + acct + ":task-definition/web:12", "", 0, false},
		{"web:0", "", 0, false},
		{"web:x", "", 0, false},
		{"we/b", "", 0, false},
		{"", "", 0, false},
	} {
		f, r, ok := parseTaskDef(c, tc.id)
		if f != tc.family || r != tc.rev || ok != tc.ok {
			t.Errorf("%q: %q %d %v", tc.id, f, r, ok)
		}
	}
}

func FuzzParseTaskDef(f *testing.F) {
	for _, s := range []string{"web", "web:1", "arn:aws:ecs:us-east-1:" + acct + ":task-definition/web:2", "a:b:c", ":"} {
		f.Add(s)
	}
	c := Call{Account: acct, Region: "us-east-1"}
	f.Fuzz(func(t *testing.T, id string) {
		family, rev, ok := parseTaskDef(c, id)
		if ok && (!familyPattern.MatchString(family) || rev < 0) {
			t.Fatalf("%q: family %q rev %d", id, family, rev)
		}
	})
}

func FuzzTaskSize(f *testing.F) {
	for _, s := range []string{"256", "1 vCPU", ".5 GB", "-1", "1e9 GB", "vcpu"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok := taskCPU(s); ok && n <= 0 {
			t.Fatalf("%q: %d", s, n)
		}
		if n, ok := taskMemory(s); ok && n <= 0 {
			t.Fatalf("%q: %d", s, n)
		}
	})
}

// An Auto Scaling group capacity provider: one per group; associated with
// a cluster it is not deleted (DELETE_FAILED); tags on every kind of
// resource.
func TestCapacityProvidersAndTags(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "c")
	asg := &types.AutoScalingGroupProvider{AutoScalingGroupArn: "arn:aws:autoscaling:us-east-1:" + acct + ":autoScalingGroup:1:autoScalingGroupName/asg"}
	cp, err := f.svc.CreateCapacityProvider(ctx, f.c, &types.CreateCapacityProviderRequest{Name: "asg", AutoScalingGroupProvider: asg})
	if err != nil {
		t.Fatal(err)
	}
	if cp.CapacityProvider.Type != "EC2_AUTOSCALING" || *cp.CapacityProvider.AutoScalingGroupProvider.ManagedScaling.TargetCapacity != 100 {
		t.Fatalf("capacity provider %+v", cp.CapacityProvider)
	}
	_, err = f.svc.CreateCapacityProvider(ctx, f.c, &types.CreateCapacityProviderRequest{Name: "asg2", AutoScalingGroupProvider: asg})
	wantErr(t, err, "ClientException", "The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.")
	_, err = f.svc.CreateCapacityProvider(ctx, f.c, &types.CreateCapacityProviderRequest{Name: "ecs-x", AutoScalingGroupProvider: asg})
	wantErr(t, err, "ClientException", `The specified capacity provider name is invalid. Up to 255 characters are allowed, including letters (upper and lowercase), numbers, underscores, and hyphens. The name cannot be prefixed with "aws", "ecs", or "fargate". Specify a valid name and try again.`)
	_, err = f.svc.PutClusterCapacityProviders(ctx, f.c, &types.PutClusterCapacityProvidersRequest{Cluster: "c", CapacityProviders: []string{"nope"}})
	wantErr(t, err, "ClientException", "The specified capacity provider does not exist. Specify a valid name or ARN and try again.")
	put, err := f.svc.PutClusterCapacityProviders(ctx, f.c, &types.PutClusterCapacityProvidersRequest{Cluster: "c", CapacityProviders: []string{"asg", "FARGATE"},
		DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: "FARGATE", Weight: ptr(int32(1))}}})
	if err != nil || len(put.Cluster.CapacityProviders) != 2 || *put.Cluster.DefaultCapacityProviderStrategy[0].Base != 0 {
		t.Fatalf("PutClusterCapacityProviders %+v %v", put, err)
	}
	del, err := f.svc.DeleteCapacityProvider(ctx, f.c, &types.DeleteCapacityProviderRequest{CapacityProvider: "asg"})
	if err != nil || del.CapacityProvider.UpdateStatus != "DELETE_FAILED" || del.CapacityProvider.Status != "ACTIVE" {
		t.Fatalf("delete while associated %+v %v", del, err)
	}
	all, err := f.svc.DescribeCapacityProviders(ctx, f.c, &types.DescribeCapacityProvidersRequest{})
	if err != nil || len(all.CapacityProviders) != 3 {
		t.Fatalf("DescribeCapacityProviders %+v %v", all, err)
	}

	// Tags: cluster, task definition, capacity provider, task.
	f.cluster(t, f.c, "default")
	f.fargateDef(t, "app", "", "")
	task := f.runFargate(t, "app")
	tag := []types.Tag{{Key: "team", Value: "a"}}
	for _, arn := range []string{
		"arn:aws:ecs:us-east-1:" + acct + ":cluster/c",
		"arn:aws:ecs:us-east-1:" + acct + ":task-definition/app:1",
		cp.CapacityProvider.CapacityProviderArn,
		task.TaskArn,
	} {
		if _, err := f.svc.TagResource(ctx, f.c, &types.TagResourceRequest{ResourceArn: arn, Tags: tag}); err != nil {
			t.Fatalf("TagResource %s: %v", arn, err)
		}
		got, err := f.svc.ListTagsForResource(ctx, f.c, &types.ListTagsForResourceRequest{ResourceArn: arn})
		if err != nil || len(got.Tags) != 1 || got.Tags[0] != tag[0] {
			t.Fatalf("ListTagsForResource %s: %+v %v", arn, got, err)
		}
		if _, err := f.svc.UntagResource(ctx, f.c, &types.UntagResourceRequest{ResourceArn: arn, TagKeys: []string{"team"}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.ListTagsForResource(ctx, f.c, &types.ListTagsForResourceRequest{ResourceArn: arn}); len(got.Tags) != 0 {
			t.Fatalf("after UntagResource %s: %+v", arn, got.Tags)
		}
	}
	_, err = f.svc.ListTagsForResource(ctx, f.c, &types.ListTagsForResourceRequest{ResourceArn: "arn:aws:ecr:us-east-1:" + acct + ":repository/r"})
	wantErr(t, err, "InvalidParameterException", "The ARN provided is invalid.")
	_, err = f.svc.TagResource(ctx, f.c, &types.TagResourceRequest{ResourceArn: "arn:aws:ecs:us-east-1:" + acct + ":service/web", Tags: tag})
	wantErr(t, err, "InvalidParameterException", "Long arn format must be used for tagging operations")
}

// Task definition listings: by family, status and order, in pages.
func TestListTaskDefinitions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, fam := range []string{"b", "a", "a", "a"} {
		f.fargateDef(t, fam, "", "")
	}
	if _, err := f.svc.DeregisterTaskDefinition(ctx, f.c, &types.DeregisterTaskDefinitionRequest{TaskDefinition: "b:1"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	req := &types.ListTaskDefinitionsRequest{Sort: "DESC", MaxResults: ptr(int32(2))}
	for {
		out, err := f.svc.ListTaskDefinitions(ctx, f.c, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.TaskDefinitionArns {
			got = append(got, a[strings.LastIndexByte(a, '/')+1:])
		}
		if out.NextToken == "" {
			break
		}
		req.NextToken = out.NextToken
	}
	if strings.Join(got, " ") != "a:3 a:2 a:1" {
		t.Errorf("DESC %v", got)
	}
	fams, _ := f.svc.ListTaskDefinitionFamilies(ctx, f.c, &types.ListTaskDefinitionFamiliesRequest{})
	inactive, _ := f.svc.ListTaskDefinitionFamilies(ctx, f.c, &types.ListTaskDefinitionFamiliesRequest{Status: "INACTIVE"})
	if strings.Join(fams.Families, ",") != "a" || strings.Join(inactive.Families, ",") != "b" {
		t.Errorf("families %v, inactive %v", fams.Families, inactive.Families)
	}
	_, err := f.svc.DeregisterTaskDefinition(ctx, f.c, &types.DeregisterTaskDefinitionRequest{TaskDefinition: "a:9"})
	wantErr(t, err, "ClientException", "The specified task definition does not exist. Specify a valid account, family, revision and try again.")
	_, err = f.svc.RegisterTaskDefinition(ctx, f.c, &types.RegisterTaskDefinitionRequest{Family: "bad family"})
	wantErr(t, err, "ClientException", "Family contains invalid characters.")
}

func TestTaskSizeBounds(t *testing.T) {
	for _, s := range []string{"1e30 vCPU", "99999999999", "-1", "0", "NaN GB", "Inf GB"} {
		if n, ok := taskCPU(s); ok {
			t.Errorf("%q: %d", s, n)
		}
		if n, ok := taskMemory(s); ok {
			t.Errorf("%q: %d", s, n)
		}
	}
}

func TestECSNameRule(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"web", true}, {"Web_app-2", true}, {strings.Repeat("a", 255), true},
		{"", false}, {strings.Repeat("a", 256), false}, {"web.app", false}, {"wéb", false}, {"a b", false},
	} {
		if got := (ecsName{}).MatchString(c.name); got != c.ok {
			t.Errorf("%q: %v, want %v", c.name, got, c.ok)
		}
	}
}
