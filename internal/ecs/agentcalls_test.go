package ecs

import (
	"context"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// agentFixture is a cluster with one container instance and a task
// definition of two containers, app (essential) and sidecar (not), in
// network mode mode.
func agentFixture(t *testing.T, mode string) *fixture {
	t.Helper()
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "default")
	if _, err := f.svc.RegisterContainerInstance(ctx, f.c, &types.RegisterContainerInstanceRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.RegisterTaskDefinition(ctx, f.c, &types.RegisterTaskDefinitionRequest{Family: "web", NetworkMode: mode,
		ContainerDefinitions: []types.ContainerDefinition{
			{Name: "app", Image: "nginx", Memory: ptr(int32(128))},
			{Name: "sidecar", Image: "busybox", Memory: ptr(int32(64)), Essential: ptr(false)}}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) runEC2(t *testing.T) types.Task {
	t.Helper()
	in := &types.RunTaskRequest{TaskDefinition: "web", LaunchType: "EC2"}
	if f.taskDefMode(t) == "awsvpc" {
		in.NetworkConfiguration = vpc
	}
	out, err := f.svc.RunTask(context.Background(), f.c, in)
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("RunTask %+v %v", out, err)
	}
	return out.Tasks[0]
}

func (f *fixture) taskDefMode(t *testing.T) string {
	t.Helper()
	out, err := f.svc.DescribeTaskDefinition(context.Background(), f.c, &types.DescribeTaskDefinitionRequest{TaskDefinition: "web"})
	if err != nil {
		t.Fatal(err)
	}
	return out.TaskDefinition.NetworkMode
}

func (f *fixture) submitTask(t *testing.T, in *types.SubmitTaskStateChangeRequest) {
	t.Helper()
	out, err := f.svc.SubmitTaskStateChange(context.Background(), f.c, in)
	if err != nil || out.Acknowledgment != acknowledged {
		t.Fatalf("SubmitTaskStateChange %+v %v", out, err)
	}
}

func (f *fixture) submitContainer(t *testing.T, in *types.SubmitContainerStateChangeRequest) {
	t.Helper()
	out, err := f.svc.SubmitContainerStateChange(context.Background(), f.c, in)
	if err != nil || out.Acknowledgment != acknowledged {
		t.Fatalf("SubmitContainerStateChange %+v %v", out, err)
	}
}

func container(task types.Task, name string) types.Container {
	for _, ct := range task.Containers {
		if ct.Name == name {
			return ct
		}
	}
	return types.Container{}
}

// The agent's RUNNING, ahead of the timing, starts the task when it comes,
// with the pull times it gives; a later report changes no status.
func TestAgentReportsRunning(t *testing.T) {
	f := agentFixture(t, "bridge")
	task := f.runEC2(t)
	created := f.clock.Now().UTC().Truncate(time.Millisecond)
	f.clock.Advance(500 * time.Millisecond)
	pulled := created.Add(400 * time.Millisecond)
	f.submitTask(t, &types.SubmitTaskStateChangeRequest{Task: task.TaskArn, Status: "RUNNING", PullStartedAt: &created, PullStoppedAt: &pulled,
		Containers: []types.ContainerStateChange{{ContainerName: "app", Status: "RUNNING", RuntimeId: "abc123"}}})
	got := f.task(t, task.TaskArn)
	reportedAt := created.Add(500 * time.Millisecond)
	if got.LastStatus != "RUNNING" || got.StartedAt == nil || !got.StartedAt.Equal(reportedAt) || !got.PullStoppedAt.Equal(pulled) ||
		!got.PullStartedAt.Equal(created) || container(got, "app").RuntimeId != "abc123" || container(got, "app").LastStatus != "RUNNING" {
		t.Fatalf("after RUNNING: %+v", got)
	}
	f.clock.Advance(5 * time.Second)
	f.submitTask(t, &types.SubmitTaskStateChangeRequest{Task: task.TaskArn, Status: "RUNNING"})
	if again := f.task(t, task.TaskArn); !again.StartedAt.Equal(reportedAt) || again.LastStatus != "RUNNING" {
		t.Errorf("a second RUNNING moved the task: %+v", again)
	}

	// A task asked to stop does not run again on a late report.
	if _, err := f.svc.StopTask(context.Background(), f.c, &types.StopTaskRequest{Task: task.TaskArn}); err != nil {
		t.Fatal(err)
	}
	f.submitTask(t, &types.SubmitTaskStateChangeRequest{Task: task.TaskArn, Status: "RUNNING"})
	if got := f.task(t, task.TaskArn); got.LastStatus != "STOPPING" {
		t.Errorf("a stopping task reported RUNNING is %s", got.LastStatus)
	}
}

// An essential container's exit stops the task with AWS's reason; the
// agent's STOPPED ends it then, with its execution stop time. A
// non-essential container's exit stops only itself.
func TestAgentReportsContainerExit(t *testing.T) {
	f := agentFixture(t, "bridge")
	task := f.runEC2(t)
	f.clock.Advance(3 * time.Second)
	f.submitContainer(t, &types.SubmitContainerStateChangeRequest{Task: task.TaskArn, ContainerName: "sidecar", Status: "STOPPED", ExitCode: ptr(int32(0))})
	got := f.task(t, task.TaskArn)
	if got.LastStatus != "RUNNING" || got.DesiredStatus != "RUNNING" || container(got, "sidecar").LastStatus != "STOPPED" ||
		*container(got, "sidecar").ExitCode != 0 || container(got, "app").LastStatus != "RUNNING" {
		t.Fatalf("after the sidecar's exit: %+v", got)
	}

	f.submitContainer(t, &types.SubmitContainerStateChangeRequest{Task: task.TaskArn, ContainerName: "app", Status: "STOPPED", ExitCode: ptr(int32(1)),
		Reason: "OutOfMemoryError: Container killed due to memory usage"})
	got = f.task(t, task.TaskArn)
	app := container(got, "app")
	if got.LastStatus != "STOPPING" || got.DesiredStatus != "STOPPED" || got.StopCode != "EssentialContainerExited" ||
		got.StoppedReason != "Essential container in task exited" || app.LastStatus != "STOPPED" || *app.ExitCode != 1 ||
		app.Reason != "OutOfMemoryError: Container killed due to memory usage" {
		t.Fatalf("after app's exit: %+v", got)
	}
	f.clock.Advance(500 * time.Millisecond)
	ended := f.clock.Now().UTC().Add(-100 * time.Millisecond).Truncate(time.Millisecond)
	f.submitTask(t, &types.SubmitTaskStateChangeRequest{Task: task.TaskArn, Status: "STOPPED", ExecutionStoppedAt: &ended})
	got = f.task(t, task.TaskArn)
	if got.LastStatus != "STOPPED" || !got.ExecutionStoppedAt.Equal(ended) || got.StoppedAt == nil || !got.StoppedAt.Equal(ended.Add(100*time.Millisecond)) ||
		got.StoppedReason != "Essential container in task exited" {
		t.Fatalf("after the task's STOPPED: %+v", got)
	}
}

// A task the agent could not start stops as TaskFailedToStart, with the
// task's reason, or its essential container's.
func TestAgentReportsFailureToStart(t *testing.T) {
	f := agentFixture(t, "bridge")
	task := f.runEC2(t)
	f.clock.Advance(time.Second)
	reason := "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/nginx:latest"
	f.submitTask(t, &types.SubmitTaskStateChangeRequest{Task: task.TaskArn, Status: "STOPPED", Reason: "CannotPullContainerError: task",
		Containers: []types.ContainerStateChange{{ContainerName: "app", Status: "STOPPED", Reason: reason}}})
	got := f.task(t, task.TaskArn)
	if got.LastStatus != "STOPPED" || got.StartedAt != nil || got.StopCode != "TaskFailedToStart" || got.StoppedReason != "CannotPullContainerError: task" ||
		container(got, "app").Reason != reason || container(got, "sidecar").LastStatus != "STOPPED" {
		t.Fatalf("the task's report: %+v", got)
	}

	task = f.runEC2(t)
	f.clock.Advance(time.Second)
	f.submitContainer(t, &types.SubmitContainerStateChangeRequest{Task: task.TaskArn, ContainerName: "app", Status: "STOPPED", Reason: reason})
	got = f.task(t, task.TaskArn)
	if got.LastStatus != "STOPPING" || got.StopCode != "TaskFailedToStart" || got.StoppedReason != reason {
		t.Fatalf("the container's report: %+v", got)
	}
}

// On awsvpc, the network interface reported ATTACHED ends PROVISIONING and
// RUNNING follows a pending phase later; stopped, the containers' STOPPED
// starts DEPROVISIONING and the interface's DETACHED ends it.
func TestAgentReportsAttachments(t *testing.T) {
	f := agentFixture(t, "awsvpc")
	ctx := context.Background()
	task := f.runEC2(t)
	eni := ecsARN(f.c, "attachment/"+task.Attachments[0].Id)
	f.clock.Advance(200 * time.Millisecond)
	out, err := f.svc.SubmitAttachmentStateChanges(ctx, f.c, &types.SubmitAttachmentStateChangesRequest{
		Attachments: []types.AttachmentStateChange{{AttachmentArn: eni, Status: "ATTACHED"}}})
	if err != nil || out.Acknowledgment != acknowledged {
		t.Fatalf("SubmitAttachmentStateChanges %+v %v", out, err)
	}
	if got := f.task(t, task.TaskArn); got.LastStatus != "PENDING" || got.Attachments[0].Status != "ATTACHED" {
		t.Fatalf("attached: %+v", got)
	}
	f.clock.Advance(2 * time.Second) // the pending phase, from the report
	if got := f.task(t, task.TaskArn); got.LastStatus != "RUNNING" {
		t.Fatalf("a pending phase after ATTACHED: %s", got.LastStatus)
	}

	if _, err := f.svc.StopTask(ctx, f.c, &types.StopTaskRequest{Task: task.TaskArn}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(100 * time.Millisecond)
	f.submitTask(t, &types.SubmitTaskStateChangeRequest{Task: task.TaskArn, Status: "STOPPED"})
	if got := f.task(t, task.TaskArn); got.LastStatus != "DEPROVISIONING" || got.StopCode != "UserInitiated" || got.Attachments[0].Status != "DETACHING" {
		t.Fatalf("containers stopped: %+v", got)
	}
	f.submitTask(t, &types.SubmitTaskStateChangeRequest{Task: task.TaskArn, Attachments: []types.AttachmentStateChange{{AttachmentArn: eni, Status: "DETACHED"}}})
	if got := f.task(t, task.TaskArn); got.LastStatus != "STOPPED" || got.Attachments[0].Status != "DELETED" {
		t.Fatalf("detached: %+v", got)
	}
}

// The agent's reports are refused for what is not there, and for tasks
// no agent runs.
func TestAgentReportErrors(t *testing.T) {
	f := agentFixture(t, "bridge")
	ctx := context.Background()
	task := f.runEC2(t)
	_, err := f.svc.SubmitTaskStateChange(ctx, f.c, &types.SubmitTaskStateChangeRequest{Cluster: "nope", Task: task.TaskArn, Status: "RUNNING"})
	wantErr(t, err, "ClusterNotFoundException", "Cluster not found.")
	_, err = f.svc.SubmitContainerStateChange(ctx, f.c, &types.SubmitContainerStateChangeRequest{Task: "0123456789abcdef0123456789abcdef", ContainerName: "app", Status: "RUNNING"})
	wantErr(t, err, "InvalidParameterException", "The referenced task was not found.")
	_, err = f.svc.SubmitContainerStateChange(ctx, f.c, &types.SubmitContainerStateChangeRequest{Task: task.TaskArn, ContainerName: "db", Status: "RUNNING"})
	wantErr(t, err, "InvalidParameterException", "The task has no container named db.")
	_, err = f.svc.SubmitTaskStateChange(ctx, f.c, &types.SubmitTaskStateChangeRequest{Task: task.TaskArn, Status: "DONE"})
	wantErr(t, err, "InvalidParameterException", "The status DONE is not one the agent reports here (PENDING, RUNNING, STOPPED).")
	_, err = f.svc.SubmitTaskStateChange(ctx, f.c, &types.SubmitTaskStateChangeRequest{Task: task.TaskArn,
		ManagedAgents: []types.ManagedAgentStateChange{{ContainerName: "app", ManagedAgentName: ExecAgent, Status: "RUNNING"}}})
	wantErr(t, err, "InvalidParameterException", "The task runs no managed agent ExecuteCommandAgent: it was not started with enableExecuteCommand.")
	missing := ecsARN(f.c, "attachment/0000")
	_, err = f.svc.SubmitAttachmentStateChanges(ctx, f.c, &types.SubmitAttachmentStateChangesRequest{
		Attachments: []types.AttachmentStateChange{{AttachmentArn: missing, Status: "ATTACHED"}}})
	wantErr(t, err, "InvalidParameterException", "The attachment "+missing+" is not one of the cluster's tasks'.")
	_, err = f.svc.SubmitAttachmentStateChanges(ctx, f.c, &types.SubmitAttachmentStateChangesRequest{
		Attachments: []types.AttachmentStateChange{{AttachmentArn: missing, Status: "GONE"}}})
	wantErr(t, err, "InvalidParameterException", "The status GONE is not one the agent reports here (ATTACHED, DETACHED).")

	// A refused report changes nothing.
	if got := f.task(t, task.TaskArn); got.LastStatus != "PENDING" || container(got, "app").LastStatus != "PENDING" {
		t.Errorf("after refused reports: %+v", got)
	}

	f.fargateDef(t, "serverless", "", "")
	fargate := f.runFargate(t, "serverless")
	_, err = f.svc.SubmitTaskStateChange(ctx, f.c, &types.SubmitTaskStateChangeRequest{Task: fargate.TaskArn, Status: "RUNNING"})
	wantErr(t, err, "ClientException", "Task "+fargate.TaskArn+" does not run on a container instance: only the container agent of the instance a task runs on reports its state.")
}

func TestDiscoverPollEndpoint(t *testing.T) {
	f := newFixture(t)
	out, err := f.svc.DiscoverPollEndpoint(context.Background(), f.in("eu-west-1"), &types.DiscoverPollEndpointRequest{})
	if err != nil || out.Endpoint != "https://ecs-a-1.eu-west-1.amazonaws.com/" || out.TelemetryEndpoint != "https://ecs-t-1.eu-west-1.amazonaws.com/" ||
		out.ServiceConnectEndpoint != "https://ecs-sc-1.eu-west-1.amazonaws.com/" {
		t.Errorf("%+v %v", out, err)
	}
}

// ECS Exec's managed agent, reported stopped with its reason, is answered
// so beside its running container.
func TestAgentReportsManagedAgent(t *testing.T) {
	f := agentFixture(t, "bridge")
	out, err := f.svc.RunTask(context.Background(), f.c, &types.RunTaskRequest{TaskDefinition: "web", LaunchType: "EC2", EnableExecuteCommand: true})
	if err != nil {
		t.Fatal(err)
	}
	task := out.Tasks[0]
	f.clock.Advance(3 * time.Second)
	f.submitTask(t, &types.SubmitTaskStateChangeRequest{Task: task.TaskArn,
		ManagedAgents: []types.ManagedAgentStateChange{{ContainerName: "app", ManagedAgentName: ExecAgent, Status: "STOPPED", Reason: "SSM agent exited"}}})
	got := f.task(t, task.TaskArn)
	app, side := container(got, "app"), container(got, "sidecar")
	if got.LastStatus != "RUNNING" || app.LastStatus != "RUNNING" || len(app.ManagedAgents) != 1 || app.ManagedAgents[0].LastStatus != "STOPPED" ||
		app.ManagedAgents[0].Reason != "SSM agent exited" || side.ManagedAgents[0].LastStatus != "RUNNING" {
		t.Errorf("%+v", got)
	}
}
