package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// The ECS agent's own calls, made as the agent makes them: with the
// credentials an EC2 instance's metadata service gives, the instance
// role's session named after the instance. AmazonEC2ContainerServiceforEC2Role
// allows them (ecs:DiscoverPollEndpoint, ecs:Submit*); what the agent
// reports moves the task as DescribeTasks then shows it.

// agentOn launches an instance with profile and answers it and the ECS
// client of its agent.
func agentOn(t *testing.T, rc *rolecalltest.Server, profile string) (string, *ecs.Client) {
	t.Helper()
	status, inst := launchInstance(t, rc, profile, rootCreds)
	if status != 200 {
		t.Fatalf("launch: %d %v", status, inst)
	}
	id := inst["InstanceId"].(string)
	return id, ecs.NewFromConfig(instanceConfig(t, rc, id))
}

// agentHost is cluster prod with a container instance registered by its
// agent (instance role ecsInstanceRole with AmazonEC2ContainerServiceforEC2Role),
// and a task definition web of two containers, app (essential) and
// sidecar (not), whose task role is appTaskRole.
func agentHost(t *testing.T) (e *ecsEnv, agent *ecs.Client, ciArn string) {
	t.Helper()
	e = newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	instanceProfile(t, e.iam, "ecsInstanceRole", ec2Trust)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsInstanceRole"), PolicyArn: aws.String(ec2ContainerServiceForEC2Role)}))(t)
	_, agent = agentOn(t, e.rc, "ecsInstanceRole")
	ci := must(agent.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("prod")}))(t).ContainerInstance
	taskRole := e.role(t, "appTaskRole", ecsTasksTrust)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("appTaskRole"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	must(e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"), TaskRoleArn: aws.String(taskRole),
		ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)},
			{Name: aws.String("sidecar"), Image: aws.String("busybox"), Memory: aws.Int32(64), Essential: aws.Bool(false)}}}))(t)
	return e, agent, aws.ToString(ci.ContainerInstanceArn)
}

// start starts web on the container instance.
func (e *ecsEnv) start(t *testing.T, ciArn string) string {
	t.Helper()
	out := must(e.ecs.StartTask(ctx, &ecs.StartTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("web"), ContainerInstances: []string{ciArn}}))(t)
	if len(out.Tasks) != 1 {
		t.Fatalf("StartTask failures %+v", out.Failures)
	}
	return aws.ToString(out.Tasks[0].TaskArn)
}

func (e *ecsEnv) describeTask(t *testing.T, cluster, arn string) ecstypes.Task {
	t.Helper()
	out := must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: []string{arn}}))(t)
	if len(out.Tasks) != 1 {
		t.Fatalf("task %s: %+v", arn, out.Failures)
	}
	return out.Tasks[0]
}

func containerNamed(task ecstypes.Task, name string) ecstypes.Container {
	for _, c := range task.Containers {
		if aws.ToString(c.Name) == name {
			return c
		}
	}
	return ecstypes.Container{}
}

func TestECSAgentReportsWithTheInstanceRole(t *testing.T) {
	e, agent, ciArn := agentHost(t)
	prod := aws.String("prod")

	dp := must(agent.DiscoverPollEndpoint(ctx, &ecs.DiscoverPollEndpointInput{Cluster: prod, ContainerInstance: aws.String(ciArn)}))(t)
	if aws.ToString(dp.Endpoint) != "https://ecs-a-1.us-east-1.amazonaws.com/" || aws.ToString(dp.TelemetryEndpoint) != "https://ecs-t-1.us-east-1.amazonaws.com/" ||
		aws.ToString(dp.ServiceConnectEndpoint) != "https://ecs-sc-1.us-east-1.amazonaws.com/" {
		t.Errorf("DiscoverPollEndpoint %s %s %s", aws.ToString(dp.Endpoint), aws.ToString(dp.TelemetryEndpoint), aws.ToString(dp.ServiceConnectEndpoint))
	}

	// The agent starts the task before the timing would: RUNNING when it
	// says so, with the pull times it gives.
	taskArn := e.start(t, ciArn)
	pullStart := e.clock.Now().UTC().Truncate(time.Millisecond)
	e.clock.Advance(100 * time.Millisecond)
	if got := e.describeTask(t, "prod", taskArn); aws.ToString(got.LastStatus) != "PENDING" {
		t.Fatalf("before the agent's report: %s", aws.ToString(got.LastStatus))
	}
	pullStop := pullStart.Add(80 * time.Millisecond)
	ack := must(agent.SubmitTaskStateChange(ctx, &ecs.SubmitTaskStateChangeInput{Cluster: prod, Task: aws.String(taskArn), Status: aws.String("RUNNING"),
		PullStartedAt: &pullStart, PullStoppedAt: &pullStop,
		Containers: []ecstypes.ContainerStateChange{{ContainerName: aws.String("app"), Status: aws.String("RUNNING"), RuntimeId: aws.String("4f3c2b1a")},
			{ContainerName: aws.String("sidecar"), Status: aws.String("RUNNING")}}}))(t)
	if aws.ToString(ack.Acknowledgment) != "ACK" {
		t.Errorf("acknowledgment %q", aws.ToString(ack.Acknowledgment))
	}
	running := e.describeTask(t, "prod", taskArn)
	reportedAt := pullStart.Add(100 * time.Millisecond)
	if aws.ToString(running.LastStatus) != "RUNNING" || !aws.ToTime(running.StartedAt).Equal(reportedAt) || !aws.ToTime(running.PullStoppedAt).Equal(pullStop) ||
		aws.ToString(containerNamed(running, "app").RuntimeId) != "4f3c2b1a" || aws.ToString(containerNamed(running, "app").LastStatus) != "RUNNING" {
		t.Fatalf("after RUNNING: %s started %v pulled %v %+v", aws.ToString(running.LastStatus), running.StartedAt, running.PullStoppedAt, running.Containers)
	}

	// The sidecar exits: only it stops. The essential app exits: the task
	// stops as ECS stops it.
	must(agent.SubmitContainerStateChange(ctx, &ecs.SubmitContainerStateChangeInput{Cluster: prod, Task: aws.String(taskArn), ContainerName: aws.String("sidecar"),
		Status: aws.String("STOPPED"), ExitCode: aws.Int32(0)}))(t)
	if got := e.describeTask(t, "prod", taskArn); aws.ToString(got.LastStatus) != "RUNNING" || aws.ToString(containerNamed(got, "sidecar").LastStatus) != "STOPPED" {
		t.Fatalf("after the sidecar's exit: %s %+v", aws.ToString(got.LastStatus), got.Containers)
	}
	e.clock.Advance(time.Second)
	must(agent.SubmitContainerStateChange(ctx, &ecs.SubmitContainerStateChangeInput{Cluster: prod, Task: aws.String(taskArn), ContainerName: aws.String("app"),
		Status: aws.String("STOPPED"), ExitCode: aws.Int32(1), Reason: aws.String("OutOfMemoryError: Container killed due to memory usage")}))(t)
	stopping := e.describeTask(t, "prod", taskArn)
	app := containerNamed(stopping, "app")
	if aws.ToString(stopping.LastStatus) != "STOPPING" || aws.ToString(stopping.DesiredStatus) != "STOPPED" ||
		stopping.StopCode != ecstypes.TaskStopCodeEssentialContainerExited || aws.ToString(stopping.StoppedReason) != "Essential container in task exited" ||
		aws.ToString(app.LastStatus) != "STOPPED" || aws.ToInt32(app.ExitCode) != 1 || aws.ToString(app.Reason) != "OutOfMemoryError: Container killed due to memory usage" {
		t.Fatalf("after app's exit: %s %s %q %+v", aws.ToString(stopping.LastStatus), stopping.StopCode, aws.ToString(stopping.StoppedReason), app)
	}
	ended := e.clock.Now().UTC().Truncate(time.Millisecond)
	must(agent.SubmitTaskStateChange(ctx, &ecs.SubmitTaskStateChangeInput{Cluster: prod, Task: aws.String(taskArn), Status: aws.String("STOPPED"), ExecutionStoppedAt: &ended}))(t)
	stopped := e.describeTask(t, "prod", taskArn)
	if aws.ToString(stopped.LastStatus) != "STOPPED" || !aws.ToTime(stopped.ExecutionStoppedAt).Equal(ended) || !aws.ToTime(stopped.StoppedAt).Equal(ended) {
		t.Fatalf("after STOPPED: %s %v %v", aws.ToString(stopped.LastStatus), stopped.ExecutionStoppedAt, stopped.StoppedAt)
	}
	ci := must(e.ecs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: prod, ContainerInstances: []string{ciArn}}))(t).ContainerInstances[0]
	if ci.RunningTasksCount != 0 || ci.PendingTasksCount != 0 {
		t.Errorf("the instance still counts the task: %d running, %d pending", ci.RunningTasksCount, ci.PendingTasksCount)
	}

	// The reports ECS refuses: no such cluster, task, container or status.
	_, err := agent.SubmitTaskStateChange(ctx, &ecs.SubmitTaskStateChangeInput{Cluster: aws.String("nope"), Task: aws.String(taskArn), Status: aws.String("RUNNING")})
	wantErr(t, err, 400, "ClusterNotFoundException", "Cluster not found.")
	other := e.start(t, ciArn)
	_, err = agent.SubmitContainerStateChange(ctx, &ecs.SubmitContainerStateChangeInput{Cluster: prod, Task: aws.String(other), ContainerName: aws.String("db"), Status: aws.String("RUNNING")})
	wantErr(t, err, 400, "InvalidParameterException", "The task has no container named db.")
	_, err = agent.SubmitTaskStateChange(ctx, &ecs.SubmitTaskStateChangeInput{Cluster: prod, Task: aws.String(other), Status: aws.String("FINISHED")})
	wantErr(t, err, 400, "InvalidParameterException", "The status FINISHED is not one the agent reports here (PENDING, RUNNING, STOPPED).")
	_, err = agent.SubmitAttachmentStateChanges(ctx, &ecs.SubmitAttachmentStateChangesInput{Cluster: prod,
		Attachments: []ecstypes.AttachmentStateChange{{AttachmentArn: aws.String("arn:aws:ecs:us-east-1:" + account + ":attachment/0d2f7c0e-1111-2222-3333-444455556666"), Status: aws.String("ATTACHED")}}})
	wantErr(t, err, 400, "InvalidParameterException", "The attachment arn:aws:ecs:us-east-1:"+account+":attachment/0d2f7c0e-1111-2222-3333-444455556666 is not one of the cluster's tasks'.")
}

// On awsvpc the agent reports the task's network interface by the
// attachment's ARN: ATTACHED ends PROVISIONING.
func TestECSAgentReportsAttachments(t *testing.T) {
	e, agent, ciArn := agentHost(t)
	must(e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}}))(t)
	task := must(e.ecs.StartTask(ctx, &ecs.StartTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("web"), ContainerInstances: []string{ciArn},
		NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	taskArn := aws.ToString(task.TaskArn)
	if aws.ToString(task.LastStatus) != "PROVISIONING" || len(task.Attachments) != 1 {
		t.Fatalf("StartTask %s %+v", aws.ToString(task.LastStatus), task.Attachments)
	}
	eni := "arn:aws:ecs:us-east-1:" + account + ":attachment/" + aws.ToString(task.Attachments[0].Id)
	e.clock.Advance(50 * time.Millisecond)
	must(agent.SubmitAttachmentStateChanges(ctx, &ecs.SubmitAttachmentStateChangesInput{Cluster: aws.String("prod"),
		Attachments: []ecstypes.AttachmentStateChange{{AttachmentArn: aws.String(eni), Status: aws.String("ATTACHED")}}}))(t)
	got := e.describeTask(t, "prod", taskArn)
	if aws.ToString(got.LastStatus) != "PENDING" || aws.ToString(got.Attachments[0].Status) != "ATTACHED" {
		t.Errorf("after ATTACHED: %s %s", aws.ToString(got.LastStatus), aws.ToString(got.Attachments[0].Status))
	}
}

// Only the instance role's permissions let the agent's calls through:
// the task role of a task on the instance, and the instance role of
// another cluster's instance (allowed its own cluster only), are refused
// as AWS refuses them; naming its own cluster with a task of another does
// not reach the task. Nothing they sent changed the task.
func TestECSAgentCallsRefused(t *testing.T) {
	e, _, ciArn := agentHost(t)
	taskArn := e.start(t, ciArn)
	taskID := taskArn[strings.LastIndexByte(taskArn, '/')+1:]
	status, env := taskEnv(t, e, taskArn, "test", "test", "")
	if status != http.StatusOK {
		t.Fatalf("task-env %d %v", status, env)
	}
	cfg := e.rc.Config.Copy()
	cfg.Credentials = aws.NewCredentialsCache(endpointcreds.New(e.rc.Endpoint+env["CredentialsPath"], func(o *endpointcreds.Options) {
		o.AuthorizationToken = env["AuthorizationToken"]
	}))
	asTask := ecs.NewFromConfig(cfg)
	taskSession := "arn:aws:sts::" + account + ":assumed-role/appTaskRole/" + taskID
	_, err := asTask.DiscoverPollEndpoint(ctx, &ecs.DiscoverPollEndpointInput{Cluster: aws.String("prod"), ContainerInstance: aws.String(ciArn)})
	wantErr(t, err, 400, "AccessDeniedException", "User: "+taskSession+" is not authorized to perform: ecs:DiscoverPollEndpoint on resource: * because no identity-based policy allows the ecs:DiscoverPollEndpoint action")
	_, err = asTask.SubmitTaskStateChange(ctx, &ecs.SubmitTaskStateChangeInput{Cluster: aws.String("prod"), Task: aws.String(taskArn), Status: aws.String("STOPPED")})
	wantErr(t, err, 400, "AccessDeniedException", "User: "+taskSession+" is not authorized to perform: ecs:SubmitTaskStateChange on resource: "+clusterARN("us-east-1", "prod")+
		" because no identity-based policy allows the ecs:SubmitTaskStateChange action")

	// batchHost may do the agent's work in cluster batch only.
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("batch")}))(t)
	instanceProfile(t, e.iam, "batchHost", ec2Trust)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("batchHost"), PolicyName: aws.String("agent"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:DiscoverPollEndpoint","Resource":"*"},
		{"Effect":"Allow","Action":["ecs:RegisterContainerInstance","ecs:Submit*"],"Resource":"arn:aws:ecs:*:*:cluster/batch"}]}`)}))(t)
	id, batchAgent := agentOn(t, e.rc, "batchHost")
	must(batchAgent.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("batch")}))(t)
	must(batchAgent.DiscoverPollEndpoint(ctx, &ecs.DiscoverPollEndpointInput{Cluster: aws.String("batch")}))(t)
	batchSession := "arn:aws:sts::" + account + ":assumed-role/batchHost/" + id
	_, err = batchAgent.SubmitContainerStateChange(ctx, &ecs.SubmitContainerStateChangeInput{Cluster: aws.String("prod"), Task: aws.String(taskArn),
		ContainerName: aws.String("app"), Status: aws.String("STOPPED"), ExitCode: aws.Int32(1)})
	wantErr(t, err, 400, "AccessDeniedException", "User: "+batchSession+" is not authorized to perform: ecs:SubmitContainerStateChange on resource: "+clusterARN("us-east-1", "prod")+
		" because no identity-based policy allows the ecs:SubmitContainerStateChange action")
	_, err = batchAgent.SubmitAttachmentStateChanges(ctx, &ecs.SubmitAttachmentStateChangesInput{Cluster: aws.String("prod"),
		Attachments: []ecstypes.AttachmentStateChange{{AttachmentArn: aws.String("arn:aws:ecs:us-east-1:" + account + ":attachment/x"), Status: aws.String("ATTACHED")}}})
	wantErr(t, err, 400, "AccessDeniedException", "User: "+batchSession+" is not authorized to perform: ecs:SubmitAttachmentStateChanges on resource: "+clusterARN("us-east-1", "prod")+
		" because no identity-based policy allows the ecs:SubmitAttachmentStateChanges action")
	_, err = batchAgent.SubmitTaskStateChange(ctx, &ecs.SubmitTaskStateChangeInput{Cluster: aws.String("batch"), Task: aws.String(taskArn), Status: aws.String("STOPPED")})
	wantErr(t, err, 400, "InvalidParameterException", "The referenced task was not found.")

	e.clock.Advance(time.Second)
	if got := e.describeTask(t, "prod", taskArn); aws.ToString(got.LastStatus) != "RUNNING" || got.StopCode != "" || aws.ToString(containerNamed(got, "app").LastStatus) != "RUNNING" {
		t.Errorf("refused reports changed the task: %s %s %+v", aws.ToString(got.LastStatus), got.StopCode, got.Containers)
	}
}
