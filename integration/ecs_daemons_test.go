package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// ECS Managed Daemons: one task of the daemon on each instance of its
// Managed Instances capacity providers
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-daemons-create-manage.html),
// launched with its daemon task definition's roles as any task is.

const daemonARNPrefix = "arn:aws:ecs:us-east-1:" + account + ":"

// registerDaemonTaskDef registers a daemon task definition of family with
// one container of image, run by taskRole ("" for none).
func (e *ecsEnv) registerDaemonTaskDef(t *testing.T, c *ecs.Client, family, image, taskRole string) string {
	t.Helper()
	in := &ecs.RegisterDaemonTaskDefinitionInput{Family: aws.String(family), Memory: aws.String("256"),
		ContainerDefinitions: []ecstypes.DaemonContainerDefinition{{Name: aws.String("agent"), Image: aws.String(image)}}}
	if taskRole != "" {
		in.TaskRoleArn = aws.String(taskRole)
	}
	return aws.ToString(must(c.RegisterDaemonTaskDefinition(ctx, in))(t).DaemonTaskDefinitionArn)
}

// daemonTasks are the daemon's tasks in cluster prod, running and
// stopped.
func (e *ecsEnv) daemonTasks(t *testing.T, name string) (running, stopped []ecstypes.Task) {
	t.Helper()
	var arns []string
	for _, st := range []ecstypes.DesiredStatus{ecstypes.DesiredStatusRunning, ecstypes.DesiredStatusStopped} {
		arns = append(arns, must(e.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("prod"), DesiredStatus: st}))(t).TaskArns...)
	}
	if len(arns) == 0 {
		return nil, nil
	}
	for _, task := range must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: arns}))(t).Tasks {
		if aws.ToString(task.Group) != "daemon:"+name {
			continue
		}
		if aws.ToString(task.LastStatus) == "STOPPED" {
			stopped = append(stopped, task)
		} else {
			running = append(running, task)
		}
	}
	return running, stopped
}

func TestECSDaemons(t *testing.T) {
	e := miEnv(t)
	mi := daemonARNPrefix + "capacity-provider/mi"
	instance := aws.ToString(e.runMI(t, 1)[0].ContainerInstanceArn)
	taskRole := e.role(t, "agentTaskRole", ecsTasksTrust)

	// Daemon task definitions have revisions of their own.
	td1 := e.registerDaemonTaskDef(t, e.ecs, "agent", "public.ecr.aws/datadog/agent:7", taskRole)
	if td1 != daemonARNPrefix+"daemon-task-definition/agent:1" {
		t.Fatalf("registered %s", td1)
	}
	got := must(e.ecs.DescribeDaemonTaskDefinition(ctx, &ecs.DescribeDaemonTaskDefinitionInput{DaemonTaskDefinition: aws.String("agent")}))(t).DaemonTaskDefinition
	if aws.ToString(got.DaemonTaskDefinitionArn) != td1 || got.Revision != 1 || got.Status != ecstypes.DaemonTaskDefinitionStatusActive || aws.ToString(got.TaskRoleArn) != taskRole ||
		len(got.ContainerDefinitions) != 1 || !aws.ToBool(got.ContainerDefinitions[0].Essential) || aws.ToString(got.RegisteredBy) != "arn:aws:iam::"+account+":root" {
		t.Errorf("described %+v", got)
	}
	_, err := e.ecs.DescribeDaemonTaskDefinition(ctx, &ecs.DescribeDaemonTaskDefinitionInput{DaemonTaskDefinition: aws.String("agent:9")})
	wantErr(t, err, 400, "ClientException", "Unable to describe daemon task definition.")

	// Only Managed Instances capacity providers run daemons.
	_, err = e.ecs.CreateDaemon(ctx, &ecs.CreateDaemonInput{DaemonName: aws.String("agent"), ClusterArn: aws.String(clusterARN("us-east-1", "prod")),
		DaemonTaskDefinitionArn: aws.String(td1), CapacityProviderArns: []string{"FARGATE"}})
	wantErr(t, err, 400, "InvalidParameterException", "ECS Managed Daemons is only supported for Amazon ECS Managed Instances Capacity Providers.")

	created := must(e.ecs.CreateDaemon(ctx, &ecs.CreateDaemonInput{DaemonName: aws.String("agent"), ClusterArn: aws.String(clusterARN("us-east-1", "prod")),
		DaemonTaskDefinitionArn: aws.String(td1), CapacityProviderArns: []string{mi}, ClientToken: aws.String("once"),
		Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("obs")}}}))(t)
	daemonArn := daemonARNPrefix + "daemon/prod/agent"
	if aws.ToString(created.DaemonArn) != daemonArn || created.Status != ecstypes.DaemonStatusActive ||
		!strings.HasPrefix(aws.ToString(created.DeploymentArn), daemonARNPrefix+"daemon-deployment/prod/agent/") {
		t.Fatalf("created %+v", created)
	}
	again := must(e.ecs.CreateDaemon(ctx, &ecs.CreateDaemonInput{DaemonName: aws.String("agent"), ClusterArn: aws.String(clusterARN("us-east-1", "prod")),
		DaemonTaskDefinitionArn: aws.String(td1), CapacityProviderArns: []string{mi}, ClientToken: aws.String("once")}))(t)
	if aws.ToString(again.DeploymentArn) != aws.ToString(created.DeploymentArn) {
		t.Errorf("the same clientToken made deployment %s", aws.ToString(again.DeploymentArn))
	}
	_, err = e.ecs.CreateDaemon(ctx, &ecs.CreateDaemonInput{DaemonName: aws.String("agent"), ClusterArn: aws.String(clusterARN("us-east-1", "prod")),
		DaemonTaskDefinitionArn: aws.String(td1), CapacityProviderArns: []string{mi}})
	wantErr(t, err, 400, "InvalidParameterException", "A daemon named agent already exists in cluster prod.")

	// Its task runs on the provider's instance, with the task role.
	e.clock.Advance(time.Second)
	running, _ := e.daemonTasks(t, "agent")
	if len(running) != 1 || aws.ToString(running[0].ContainerInstanceArn) != instance || aws.ToString(running[0].TaskDefinitionArn) != td1 ||
		aws.ToString(running[0].LastStatus) != "RUNNING" || aws.ToString(running[0].CapacityProviderName) != "mi" {
		t.Fatalf("daemon tasks %+v", running)
	}
	if used := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("agentTaskRole")}))(t).Role.RoleLastUsed; used == nil || used.LastUsedDate == nil {
		t.Errorf("the daemon's task role was not assumed: %+v", used)
	}
	detail := must(e.ecs.DescribeDaemon(ctx, &ecs.DescribeDaemonInput{DaemonArn: aws.String(daemonArn)}))(t).Daemon
	if detail.Status != ecstypes.DaemonStatusActive || len(detail.CurrentRevisions) != 1 || detail.CurrentRevisions[0].TotalRunningCount != 1 ||
		aws.ToString(detail.CurrentRevisions[0].CapacityProviders[0].Arn) != mi || detail.CurrentRevisions[0].CapacityProviders[0].RunningCount != 1 ||
		aws.ToString(detail.DeploymentArn) != aws.ToString(created.DeploymentArn) {
		t.Errorf("daemon %+v", detail)
	}
	first := must(e.ecs.DescribeDaemonDeployments(ctx, &ecs.DescribeDaemonDeploymentsInput{DaemonDeploymentArns: []string{aws.ToString(created.DeploymentArn), daemonArn + "/nope"}}))(t)
	if len(first.DaemonDeployments) != 1 || len(first.Failures) != 1 || aws.ToString(first.Failures[0].Reason) != "MISSING" {
		t.Fatalf("deployments %+v", first)
	}
	dep := first.DaemonDeployments[0]
	if dep.Status != ecstypes.DaemonDeploymentStatusSuccessful || dep.FinishedAt == nil || aws.ToInt32(dep.TargetDaemonRevision.TotalRunningInstanceCount) != 1 ||
		aws.ToFloat64(dep.DeploymentConfiguration.DrainPercent) != 25 || dep.CircuitBreaker.Status != ecstypes.DaemonDeploymentRollbackMonitorsStatusMonitoringComplete {
		t.Errorf("deployment %+v", dep)
	}
	tags := must(e.ecs.ListTagsForResource(ctx, &ecs.ListTagsForResourceInput{ResourceArn: aws.String(daemonArn)}))(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "team" {
		t.Errorf("tags %+v", tags)
	}
	if list := must(e.ecs.ListDaemons(ctx, &ecs.ListDaemonsInput{ClusterArn: aws.String("prod")}))(t).DaemonSummariesList; len(list) != 1 || aws.ToString(list[0].DaemonArn) != daemonArn {
		t.Errorf("daemons %+v", list)
	}
	if list := must(e.ecs.ListDaemons(ctx, &ecs.ListDaemonsInput{CapacityProviderArns: []string{"FARGATE"}}))(t).DaemonSummariesList; len(list) != 0 {
		t.Errorf("daemons of FARGATE %+v", list)
	}

	// An update deploys a new revision: its task replaces the old one.
	td2 := e.registerDaemonTaskDef(t, e.ecs, "agent", "public.ecr.aws/datadog/agent:8", taskRole)
	updated := must(e.ecs.UpdateDaemon(ctx, &ecs.UpdateDaemonInput{DaemonArn: aws.String(daemonArn), DaemonTaskDefinitionArn: aws.String(td2),
		CapacityProviderArns: []string{mi}, EnableExecuteCommand: true}))(t)
	e.clock.Advance(time.Second)
	running, stopped := e.daemonTasks(t, "agent")
	if len(running) != 1 || aws.ToString(running[0].TaskDefinitionArn) != td2 || !running[0].EnableExecuteCommand ||
		len(stopped) != 1 || aws.ToString(stopped[0].StoppedReason) != "Daemon deployment "+aws.ToString(updated.DeploymentArn)[strings.LastIndexByte(aws.ToString(updated.DeploymentArn), '/')+1:]+" replaced this task." {
		t.Errorf("after the update: running %+v, stopped %+v", running, stopped)
	}
	deps := must(e.ecs.ListDaemonDeployments(ctx, &ecs.ListDaemonDeploymentsInput{DaemonArn: aws.String(daemonArn)}))(t).DaemonDeployments
	if len(deps) != 2 || aws.ToString(deps[0].DaemonDeploymentArn) != aws.ToString(updated.DeploymentArn) || deps[0].Status != ecstypes.DaemonDeploymentStatusSuccessful {
		t.Fatalf("deployments %+v", deps)
	}
	revs := must(e.ecs.DescribeDaemonRevisions(ctx, &ecs.DescribeDaemonRevisionsInput{DaemonRevisionArns: []string{aws.ToString(deps[0].TargetDaemonRevisionArn), aws.ToString(deps[1].TargetDaemonRevisionArn)}}))(t).DaemonRevisions
	if len(revs) != 2 || aws.ToString(revs[0].DaemonTaskDefinitionArn) != td2 || aws.ToString(revs[0].ContainerImages[0].Image) != "public.ecr.aws/datadog/agent:8" ||
		!aws.ToBool(revs[0].EnableExecuteCommand) || aws.ToString(revs[1].DaemonTaskDefinitionArn) != td1 {
		t.Errorf("revisions %+v", revs)
	}

	// A revision no daemon runs is DELETED once its deletion is asked
	// for; one a daemon runs stays DELETE_IN_PROGRESS until the daemon
	// goes.
	must(e.ecs.DeleteDaemonTaskDefinition(ctx, &ecs.DeleteDaemonTaskDefinitionInput{DaemonTaskDefinition: aws.String(td1)}))(t)
	must(e.ecs.DeleteDaemonTaskDefinition(ctx, &ecs.DeleteDaemonTaskDefinitionInput{DaemonTaskDefinition: aws.String("agent:2")}))(t)
	_, err = e.ecs.DeleteDaemonTaskDefinition(ctx, &ecs.DeleteDaemonTaskDefinitionInput{DaemonTaskDefinition: aws.String("agent:2")})
	wantErr(t, err, 400, "ClientException", "The specified daemon task definition is not ACTIVE.")
	status := func() map[string]ecstypes.DaemonTaskDefinitionStatus {
		out := map[string]ecstypes.DaemonTaskDefinitionStatus{}
		for _, s := range must(e.ecs.ListDaemonTaskDefinitions(ctx, &ecs.ListDaemonTaskDefinitionsInput{Status: ecstypes.DaemonTaskDefinitionStatusFilterAll}))(t).DaemonTaskDefinitions {
			out[aws.ToString(s.Arn)] = s.Status
		}
		return out
	}
	if st := status(); st[td1] != ecstypes.DaemonTaskDefinitionStatusDeleted || st[td2] != ecstypes.DaemonTaskDefinitionStatusDeleteInProgress {
		t.Errorf("statuses %v", st)
	}

	// Deleted, its tasks stop, and then it is gone.
	deleted := must(e.ecs.DeleteDaemon(ctx, &ecs.DeleteDaemonInput{DaemonArn: aws.String(daemonArn)}))(t)
	if deleted.Status != ecstypes.DaemonStatusDeleteInProgress {
		t.Errorf("deleted %s", deleted.Status)
	}
	_, err = e.ecs.UpdateDaemon(ctx, &ecs.UpdateDaemonInput{DaemonArn: aws.String(daemonArn), DaemonTaskDefinitionArn: aws.String(td2), CapacityProviderArns: []string{mi}})
	wantErr(t, err, 400, "DaemonNotActiveException", "The specified daemon isn't active.")
	e.clock.Advance(time.Second)
	if running, _ := e.daemonTasks(t, "agent"); len(running) != 0 {
		t.Errorf("a deleted daemon runs %+v", running)
	}
	_, err = e.ecs.DescribeDaemon(ctx, &ecs.DescribeDaemonInput{DaemonArn: aws.String(daemonArn)})
	wantErr(t, err, 400, "DaemonNotFoundException", "The specified daemon wasn't found.")
	if st := status(); st[td2] != ecstypes.DaemonTaskDefinitionStatusDeleted {
		t.Errorf("statuses once the daemon is gone %v", st)
	}
	_, err = e.ecs.DescribeDaemon(ctx, &ecs.DescribeDaemonInput{DaemonArn: aws.String(daemonARNPrefix + "daemon/nope/agent")})
	wantErr(t, err, 400, "ClusterNotFoundException", "Cluster not found.")
}

// A daemon's task is launched with its roles as any task: a task role
// ECS tasks cannot assume stops it before it runs, and the circuit
// breaker stops the deployment. Its roles are the caller's to pass.
func TestECSDaemonTaskRoles(t *testing.T) {
	e := miEnv(t)
	e.runMI(t, 1)
	wrong := e.role(t, "agentRoleForEC2", ec2Trust)

	dev := userClient(t, e, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`)
	_, err := dev.RegisterDaemonTaskDefinition(ctx, &ecs.RegisterDaemonTaskDefinitionInput{Family: aws.String("agent"), TaskRoleArn: aws.String(wrong), Memory: aws.String("256"),
		ContainerDefinitions: []ecstypes.DaemonContainerDefinition{{Name: aws.String("agent"), Image: aws.String("busybox")}}})
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/dev is not authorized to perform: iam:PassRole on resource: "+wrong+
		" because no identity-based policy allows the iam:PassRole action")

	td := e.registerDaemonTaskDef(t, e.ecs, "agent", "busybox", wrong)
	created := must(e.ecs.CreateDaemon(ctx, &ecs.CreateDaemonInput{DaemonName: aws.String("agent"), ClusterArn: aws.String("prod"),
		DaemonTaskDefinitionArn: aws.String(td), CapacityProviderArns: []string{"mi"}}))(t)
	e.clock.Advance(time.Second)
	_, stopped := e.daemonTasks(t, "agent")
	if len(stopped) != 1 {
		t.Fatalf("stopped daemon tasks %+v", stopped)
	}
	wantStopped(t, stopped[0], unableToAssumeText(wrong))
	dep := must(e.ecs.DescribeDaemonDeployments(ctx, &ecs.DescribeDaemonDeploymentsInput{DaemonDeploymentArns: []string{aws.ToString(created.DeploymentArn)}}))(t).DaemonDeployments[0]
	if dep.Status != ecstypes.DaemonDeploymentStatusStopped || dep.CircuitBreaker.Status != ecstypes.DaemonDeploymentRollbackMonitorsStatusTriggered || dep.CircuitBreaker.FailureCount != 1 {
		t.Errorf("deployment %s, circuit breaker %+v, %s", dep.Status, dep.CircuitBreaker, aws.ToString(dep.StatusReason))
	}

	// Authorized on the daemon and its deployment, by ARN; creating one
	// with tags also needs ecs:TagResource on it.
	ops := userClient(t, e, "ops", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ecs:CreateDaemon","ecs:DescribeDaemonDeployments"],"Resource":"*"},
		{"Effect":"Allow","Action":"ecs:DescribeDaemon","Resource":"arn:aws:ecs:us-east-1:`+account+`:daemon/prod/other"}]}`)
	daemonArn := daemonARNPrefix + "daemon/prod/agent"
	_, err = ops.DescribeDaemon(ctx, &ecs.DescribeDaemonInput{DaemonArn: aws.String(daemonArn)})
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/ops is not authorized to perform: ecs:DescribeDaemon on resource: "+daemonArn+
		" because no identity-based policy allows the ecs:DescribeDaemon action")
	_, err = ops.CreateDaemon(ctx, &ecs.CreateDaemonInput{DaemonName: aws.String("tagged"), ClusterArn: aws.String("prod"), DaemonTaskDefinitionArn: aws.String(td),
		CapacityProviderArns: []string{"mi"}, Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("obs")}}})
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/ops is not authorized to perform: ecs:TagResource on resource: "+daemonARNPrefix+
		"daemon/prod/tagged because no identity-based policy allows the ecs:TagResource action")
}

// An instance ECS launches for a provider gets the provider's daemons'
// tasks first, and they do not keep it from being scaled in once the
// other tasks are gone.
func TestECSDaemonOnNewInstances(t *testing.T) {
	e := miEnv(t)
	td := e.registerDaemonTaskDef(t, e.ecs, "agent", "busybox", "")
	must(e.ecs.CreateDaemon(ctx, &ecs.CreateDaemonInput{DaemonName: aws.String("agent"), ClusterArn: aws.String("prod"),
		DaemonTaskDefinitionArn: aws.String(td), CapacityProviderArns: []string{"mi"}}))(t)
	if running, _ := e.daemonTasks(t, "agent"); len(running) != 0 {
		t.Fatalf("daemon tasks without instances %+v", running)
	}
	app := e.runMI(t, 1)[0]
	running, _ := e.daemonTasks(t, "agent")
	if len(running) != 1 || aws.ToString(running[0].ContainerInstanceArn) != aws.ToString(app.ContainerInstanceArn) {
		t.Fatalf("daemon tasks %+v on the instance of %s", running, aws.ToString(app.ContainerInstanceArn))
	}
	must(e.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("prod"), Task: app.TaskArn}))(t)
	e.clock.Advance(time.Minute)
	if ci := e.containerInstance(t, e.ecs, aws.ToString(app.ContainerInstanceArn)); aws.ToString(ci.Status) != "INACTIVE" {
		t.Errorf("the idle instance with a daemon task is %s", aws.ToString(ci.Status))
	}
	e.clock.Advance(time.Second)
	if running, _ := e.daemonTasks(t, "agent"); len(running) != 0 {
		t.Errorf("daemon tasks on a terminated instance %+v", running)
	}
}
