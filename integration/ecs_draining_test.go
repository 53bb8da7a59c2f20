package integration

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Task scale-in protection, container instance draining and agent
// updates: UpdateTaskProtection, GetTaskProtection,
// UpdateContainerInstancesState, UpdateContainerAgent.

// serviceTasks are the tasks a service runs, by ARN.
func (e *ecsEnv) serviceTasks(t *testing.T, cluster, service string) []ecstypes.Task {
	t.Helper()
	arns := must(e.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(cluster), ServiceName: aws.String(service)}))(t).TaskArns
	if len(arns) == 0 {
		return nil
	}
	return must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: arns}))(t).Tasks
}

// protection is a ProtectedTask as "task-id enabled expiration".
func protection(p ecstypes.ProtectedTask) string {
	s := idOf(aws.ToString(p.TaskArn))
	if p.ProtectionEnabled {
		s += " protected until " + p.ExpirationDate.UTC().Format(time.RFC3339)
	}
	return s
}

func failures(fs []ecstypes.Failure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, aws.ToString(f.Arn)+" "+aws.ToString(f.Reason))
	}
	return out
}

// A service's protected task is stopped neither by scale-in nor by a
// deployment until its protection ends; tasks of no service cannot be
// protected.
func TestECSTaskProtection(t *testing.T) {
	e := newECSEnv(t)
	// Signing at rolecall's time, which the test moves by hours.
	e.ecs = ecs.NewFromConfig(e.rc.Config, func(o *ecs.Options) { o.HTTPSignerV4 = clockSigner{clock: e.clock} })
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	one := e.instanceIn(t, "prod", "i-0000000000000000a", "us-east-1a")
	e.bridgeTaskDef(t)
	must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("web"), TaskDefinition: aws.String("bridge"), DesiredCount: aws.Int32(2)}))(t)
	e.clock.Advance(time.Second)
	tasks := e.serviceTasks(t, "prod", "web")
	if len(tasks) != 2 {
		t.Fatalf("service tasks %d", len(tasks))
	}
	keep, other := aws.ToString(tasks[0].TaskArn), aws.ToString(tasks[1].TaskArn)
	standalone := aws.ToString(must(e.ecs.StartTask(ctx, &ecs.StartTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"),
		ContainerInstances: []string{one}}))(t).Tasks[0].TaskArn)
	missing := "arn:aws:ecs:us-east-1:" + account + ":task/prod/0123456789abcdef0123456789abcdef"

	until := e.clock.Now().UTC().Truncate(time.Millisecond).Add(time.Hour)
	up := must(e.ecs.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("prod"), Tasks: []string{idOf(keep), standalone, "0123456789abcdef0123456789abcdef"},
		ProtectionEnabled: true, ExpiresInMinutes: aws.Int32(60)}))(t)
	if len(up.ProtectedTasks) != 1 || protection(up.ProtectedTasks[0]) != idOf(keep)+" protected until "+until.Format(time.RFC3339) ||
		!slices.Equal(failures(up.Failures), []string{standalone + " TASK_NOT_VALID", missing + " MISSING"}) {
		t.Errorf("UpdateTaskProtection %q, failures %q", protection(up.ProtectedTasks[0]), failures(up.Failures))
	}
	get := must(e.ecs.GetTaskProtection(ctx, &ecs.GetTaskProtectionInput{Cluster: aws.String("prod"), Tasks: []string{keep, other}}))(t)
	if got := []string{protection(get.ProtectedTasks[0]), protection(get.ProtectedTasks[1])}; !slices.Equal(got,
		[]string{idOf(keep) + " protected until " + until.Format(time.RFC3339), idOf(other)}) || len(get.Failures) != 0 {
		t.Errorf("GetTaskProtection %q, failures %q", got, failures(get.Failures))
	}
	// Without expiresInMinutes, two hours.
	def := must(e.ecs.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("prod"), Tasks: []string{other}, ProtectionEnabled: true}))(t)
	if got := protection(def.ProtectedTasks[0]); got != idOf(other)+" protected until "+until.Add(time.Hour).Format(time.RFC3339) {
		t.Errorf("default protection %s", got)
	}
	off := must(e.ecs.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("prod"), Tasks: []string{other}, ProtectionEnabled: false}))(t)
	if got := protection(off.ProtectedTasks[0]); got != idOf(other) {
		t.Errorf("unprotected %s", got)
	}

	for _, c := range []struct {
		in        *ecs.UpdateTaskProtectionInput
		code, msg string
	}{
		{&ecs.UpdateTaskProtectionInput{Cluster: aws.String("prod"), Tasks: []string{keep}, ProtectionEnabled: true, ExpiresInMinutes: aws.Int32(0)},
			"InvalidParameterException", "expiresInMinutes must be between 1 and 2880."},
		{&ecs.UpdateTaskProtectionInput{Cluster: aws.String("prod"), Tasks: []string{keep}, ProtectionEnabled: true, ExpiresInMinutes: aws.Int32(2881)},
			"InvalidParameterException", "expiresInMinutes must be between 1 and 2880."},
		{&ecs.UpdateTaskProtectionInput{Cluster: aws.String("prod"), Tasks: make([]string, 11), ProtectionEnabled: true},
			"InvalidParameterException", "tasks can have at most 10 items."},
		{&ecs.UpdateTaskProtectionInput{Cluster: aws.String("nope"), Tasks: []string{keep}, ProtectionEnabled: true},
			"ClusterNotFoundException", "Cluster not found."},
	} {
		_, err := e.ecs.UpdateTaskProtection(ctx, c.in)
		wantErr(t, err, 400, c.code, c.msg)
	}

	// Protection is authorized on the task, with ecs:cluster.
	reader := userClient(t, e, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:GetTaskProtection","Resource":"*"}]}`)
	must(reader.GetTaskProtection(ctx, &ecs.GetTaskProtectionInput{Cluster: aws.String("prod"), Tasks: []string{keep}}))(t)
	_, err := reader.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("prod"), Tasks: []string{idOf(keep)}, ProtectionEnabled: true})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"reader", "ecs:UpdateTaskProtection", keep))

	// Scale-in stops the unprotected task; the protected one runs on
	// until its protection ends, and then goes.
	must(e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("prod"), Service: aws.String("web"), DesiredCount: aws.Int32(0)}))(t)
	e.clock.Advance(time.Second)
	left := e.serviceTasks(t, "prod", "web")
	if len(left) != 1 || aws.ToString(left[0].TaskArn) != keep {
		t.Fatalf("after scale-in %d tasks", len(left))
	}
	e.clock.Advance(time.Hour)
	must(e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("prod"), Services: []string{"web"}}))(t)
	if left := e.serviceTasks(t, "prod", "web"); len(left) != 0 {
		t.Errorf("protection expired: %d tasks run on", len(left))
	}
}

// A DRAINING instance takes no new task; the scheduler stops the service
// tasks on it and starts their replacements elsewhere; a task of no
// service runs on. Set ACTIVE again, it takes tasks again.
func TestECSContainerInstanceDraining(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	one := e.instanceIn(t, "prod", "i-0000000000000000a", "us-east-1a")
	two := e.instanceIn(t, "prod", "i-0000000000000000b", "us-east-1b")
	e.bridgeTaskDef(t)
	must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("web"), TaskDefinition: aws.String("bridge"), DesiredCount: aws.Int32(2)}))(t)
	standalone := aws.ToString(must(e.ecs.StartTask(ctx, &ecs.StartTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"),
		ContainerInstances: []string{one}}))(t).Tasks[0].TaskArn)
	e.clock.Advance(time.Second)
	hosts := func() []string {
		var out []string
		for _, t := range e.serviceTasks(t, "prod", "web") {
			out = append(out, aws.ToString(t.ContainerInstanceArn))
		}
		return sorted(out...)
	}
	if got := hosts(); !slices.Equal(got, sorted(one, two)) {
		t.Fatalf("service tasks on %q", got)
	}
	var onOne string
	for _, tk := range e.serviceTasks(t, "prod", "web") {
		if aws.ToString(tk.ContainerInstanceArn) == one {
			onOne = aws.ToString(tk.TaskArn)
		}
	}
	// Protection keeps a task from scale-in and deployments, not from
	// draining.
	must(e.ecs.UpdateTaskProtection(ctx, &ecs.UpdateTaskProtectionInput{Cluster: aws.String("prod"), Tasks: []string{onOne}, ProtectionEnabled: true}))(t)

	out := must(e.ecs.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("prod"),
		ContainerInstances: []string{idOf(one), "0123456789abcdef0123456789abcdef"}, Status: ecstypes.ContainerInstanceStatusDraining}))(t)
	if len(out.ContainerInstances) != 1 || aws.ToString(out.ContainerInstances[0].Status) != "DRAINING" || out.ContainerInstances[0].RunningTasksCount != 2 ||
		!slices.Equal(failures(out.Failures), []string{"arn:aws:ecs:us-east-1:" + account + ":container-instance/prod/0123456789abcdef0123456789abcdef MISSING"}) {
		t.Errorf("UpdateContainerInstancesState %+v, failures %q", out.ContainerInstances, failures(out.Failures))
	}
	stopped := must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: []string{onOne}}))(t).Tasks[0]
	if aws.ToString(stopped.DesiredStatus) != "STOPPED" || stopped.StopCode != ecstypes.TaskStopCodeServiceSchedulerInitiated {
		t.Errorf("the service task on the draining instance: desired %s, %s", aws.ToString(stopped.DesiredStatus), stopped.StopCode)
	}
	e.clock.Advance(time.Second)
	if got := hosts(); !slices.Equal(got, []string{two, two}) {
		t.Errorf("service tasks after draining on %q", got)
	}
	onDrained := must(e.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("prod"), ContainerInstance: aws.String(one)}))(t).TaskArns
	if !slices.Equal(onDrained, []string{standalone}) {
		t.Errorf("tasks left on the draining instance %q", onDrained)
	}
	svc := must(e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("prod"), Services: []string{"web"}}))(t).Services[0]
	if svc.RunningCount != 2 || !slices.ContainsFunc(svc.Events, func(ev ecstypes.ServiceEvent) bool {
		return aws.ToString(ev.Message) == "(service web) has stopped 1 running tasks: (task "+idOf(onOne)+")."
	}) {
		t.Errorf("service running %d, events %+v", svc.RunningCount, svc.Events)
	}
	// No new task is placed on it.
	run := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"), Count: aws.Int32(2)}))(t)
	if aws.ToString(run.Tasks[0].ContainerInstanceArn) != two || aws.ToString(run.Tasks[1].ContainerInstanceArn) != two {
		t.Errorf("RunTask placed on a draining instance")
	}
	draining := must(e.ecs.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("prod"), Status: ecstypes.ContainerInstanceStatusDraining}))(t)
	if !slices.Equal(draining.ContainerInstanceArns, []string{one}) {
		t.Errorf("DRAINING instances %q", draining.ContainerInstanceArns)
	}

	active := must(e.ecs.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("prod"),
		ContainerInstances: []string{one}, Status: ecstypes.ContainerInstanceStatusActive}))(t)
	if aws.ToString(active.ContainerInstances[0].Status) != "ACTIVE" {
		t.Errorf("status %s", aws.ToString(active.ContainerInstances[0].Status))
	}
	run = must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge")}))(t)
	if aws.ToString(run.Tasks[0].ContainerInstanceArn) != one {
		t.Errorf("RunTask after ACTIVE again: on %s", aws.ToString(run.Tasks[0].ContainerInstanceArn))
	}

	many := make([]string, 11)
	for i := range many {
		many[i] = idOf(one)
	}
	_, err := e.ecs.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("prod"), ContainerInstances: many, Status: ecstypes.ContainerInstanceStatusDraining})
	wantErr(t, err, 400, "InvalidParameterException", "instanceIds can have at most 10 items.")
	_, err = e.ecs.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("prod"), ContainerInstances: []string{one}, Status: ecstypes.ContainerInstanceStatusRegistering})
	wantErr(t, err, 400, "InvalidParameterException", "Container instance status should be one of [ACTIVE, DRAINING]")
	must(e.ecs.DeregisterContainerInstance(ctx, &ecs.DeregisterContainerInstanceInput{Cluster: aws.String("prod"), ContainerInstance: aws.String(one), Force: aws.Bool(true)}))(t)
	gone := must(e.ecs.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("prod"), ContainerInstances: []string{one}, Status: ecstypes.ContainerInstanceStatusDraining}))(t)
	if !slices.Equal(failures(gone.Failures), []string{one + " INACTIVE"}) {
		t.Errorf("a deregistered instance: %q", failures(gone.Failures))
	}

	// The instance role drains its own instance (AmazonEC2ContainerServiceforEC2Role
	// allows it); others need ecs:UpdateContainerInstancesState on it.
	nobody := userClient(t, e, "nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}`)
	_, err = nobody.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{Cluster: aws.String("prod"), ContainerInstances: []string{two}, Status: ecstypes.ContainerInstanceStatusDraining})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"nobody", "ecs:UpdateContainerInstancesState", two))
}

// UpdateContainerAgent updates an outdated agent to the latest version,
// PENDING until the agent has restarted; the answers for an agent that is
// current, being updated, or of no known version are AWS's exceptions.
func TestECSUpdateContainerAgent(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	register := func(v *ecstypes.VersionInfo) string {
		return aws.ToString(must(e.ecs.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{VersionInfo: v}))(t).ContainerInstance.ContainerInstanceArn)
	}
	old := register(&ecstypes.VersionInfo{AgentVersion: aws.String("1.80.0"), AgentHash: aws.String("4023248"), DockerVersion: aws.String("DockerVersion: 20.10.25")})
	current := register(nil)
	unknown := register(&ecstypes.VersionInfo{DockerVersion: aws.String("DockerVersion: 20.10.25")})

	ci := must(e.ecs.UpdateContainerAgent(ctx, &ecs.UpdateContainerAgentInput{ContainerInstance: aws.String(idOf(old))}))(t).ContainerInstance
	if ci.AgentUpdateStatus != ecstypes.AgentUpdateStatusPending || aws.ToString(ci.VersionInfo.AgentVersion) != "1.80.0" {
		t.Errorf("update requested: %s, agent %s", ci.AgentUpdateStatus, aws.ToString(ci.VersionInfo.AgentVersion))
	}
	_, err := e.ecs.UpdateContainerAgent(ctx, &ecs.UpdateContainerAgentInput{ContainerInstance: aws.String(old)})
	wantErr(t, err, 400, "UpdateInProgressException", "There's already a current Amazon ECS container agent update in progress on the container instance.")
	e.clock.Advance(time.Second)
	ci = &must(e.ecs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{ContainerInstances: []string{old}}))(t).ContainerInstances[0]
	if ci.AgentUpdateStatus != ecstypes.AgentUpdateStatusUpdated || aws.ToString(ci.VersionInfo.AgentVersion) != "1.89.0" ||
		aws.ToString(ci.VersionInfo.DockerVersion) != "DockerVersion: 20.10.25" {
		t.Errorf("updated: %s, %+v", ci.AgentUpdateStatus, ci.VersionInfo)
	}
	for _, id := range []string{old, current} {
		_, err = e.ecs.UpdateContainerAgent(ctx, &ecs.UpdateContainerAgentInput{ContainerInstance: aws.String(id)})
		wantErr(t, err, 400, "NoUpdateAvailableException", "There is no update available for your container agent.")
	}
	_, err = e.ecs.UpdateContainerAgent(ctx, &ecs.UpdateContainerAgentInput{ContainerInstance: aws.String(unknown)})
	wantErr(t, err, 400, "MissingVersionException", "Amazon ECS can't determine the current version of the Amazon ECS container agent on the container instance.")
	_, err = e.ecs.UpdateContainerAgent(ctx, &ecs.UpdateContainerAgentInput{ContainerInstance: aws.String("0123456789abcdef0123456789abcdef")})
	wantErr(t, err, 400, "InvalidParameterException", "The referenced container instance was not found.")
	_, err = e.ecs.UpdateContainerAgent(ctx, &ecs.UpdateContainerAgentInput{Cluster: aws.String("nope"), ContainerInstance: aws.String(old)})
	wantErr(t, err, 400, "ClusterNotFoundException", "Cluster not found.")
}
