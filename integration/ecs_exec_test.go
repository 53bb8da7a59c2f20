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

// ECS Exec uses the task role when the SSM agent in the task connects:
// ExecuteCommand answers TargetNotConnectedException while the task role
// does not allow the agent's ssmmessages actions, and opens a session once
// it does. The caller's ecs:ExecuteCommand is decided on the cluster and
// the task, with ecs:container-name.
func TestECSExecUsesTheTaskRole(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	app := e.role(t, "app", ecsTasksTrust)
	fargateTaskDef(t, e.ecs, "web", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(app) })
	run := func(exec bool) string {
		t.Helper()
		task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("web"), LaunchType: ecstypes.LaunchTypeFargate,
			NetworkConfiguration: awsvpcNet, EnableExecuteCommand: exec}))(t).Tasks[0]
		e.clock.Advance(time.Second)
		return aws.ToString(task.TaskArn)
	}
	execute := func(c *ecs.Client, task, container string) (*ecs.ExecuteCommandOutput, error) {
		return c.ExecuteCommand(ctx, &ecs.ExecuteCommandInput{Task: aws.String(task), Command: aws.String("/bin/sh"), Interactive: true, Container: aws.String(container)})
	}

	// A task run without ECS Exec.
	plain := run(false)
	_, err := execute(e.ecs, plain, "")
	wantErr(t, err, 400, "InvalidParameterException", "The execute command failed because execute command was not enabled when the task was run or the execute command agent isn\u2019t running. Wait and try again or run a new task with execute command enabled and try again.")

	// With ECS Exec, the agent runs beside the container; the task role
	// has no policy, so it cannot connect.
	task := run(true)
	got := must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{task}}))(t).Tasks[0]
	if ma := got.Containers[0].ManagedAgents; len(ma) != 1 || ma[0].Name != ecstypes.ManagedAgentNameExecuteCommandAgent || aws.ToString(ma[0].LastStatus) != "RUNNING" {
		t.Errorf("managed agents %+v", ma)
	}
	_, err = execute(e.ecs, task, "")
	wantErr(t, err, 400, "TargetNotConnectedException", "The execute command failed due to an internal error. Try again later.")

	// ECS only opens interactive sessions.
	_, err = e.ecs.ExecuteCommand(ctx, &ecs.ExecuteCommandInput{Task: aws.String(task), Command: aws.String("ls")})
	wantErr(t, err, 400, "InvalidParameterException", "Interactive is the only mode supported currently.")

	// The ECS guide's ECS Exec policy on the task role: the session opens.
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("exec"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateControlChannel","ssmmessages:CreateDataChannel","ssmmessages:OpenControlChannel","ssmmessages:OpenDataChannel"],"Resource":"*"}]}`)}))(t)
	out := must(execute(e.ecs, task, ""))(t)
	if aws.ToString(out.TaskArn) != task || aws.ToString(out.ContainerName) != "web" || !out.Interactive || out.Session == nil ||
		!strings.HasPrefix(aws.ToString(out.Session.StreamUrl), "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/"+aws.ToString(out.Session.SessionId)) ||
		aws.ToString(out.Session.TokenValue) == "" || aws.ToString(out.ContainerArn) != aws.ToString(got.Containers[0].ContainerArn) {
		t.Errorf("ExecuteCommand answered %+v", out)
	}
	if accessed := servicesAccessed(t, e.iam, app); accessed["ssmmessages"] == nil {
		t.Errorf("ssmmessages not recorded as used by the task role: %v", accessed)
	}
	_, err = execute(e.ecs, task, "db")
	wantErr(t, err, 400, "InvalidParameterException", "The container db was not found in the task.")

	// A caller allowed ECS Exec only into containers named db is refused
	// for web, on the task, before anything about the task is told.
	dbOnly := userClient(t, e, "oncall", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:ExecuteCommand","Resource":"*","Condition":{"StringEquals":{"ecs:container-name":"db"}}}]}`)
	_, err = execute(dbOnly, task, "web")
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/oncall is not authorized to perform: ecs:ExecuteCommand on resource: arn:aws:ecs:us-east-1:"+account+":cluster/default because no identity-based policy allows the ecs:ExecuteCommand action")

	// Another account names this account's task: the task is this
	// account's, and no resource policy lets another account in.
	other := ecs.NewFromConfig(withCreds(e.rc.Config, "111122223333", "test", ""))
	must(other.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	_, err = execute(other, task, "web")
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:iam::111122223333:root is not authorized to perform: ecs:ExecuteCommand on resource: "+task+" because no resource-based policy allows the ecs:ExecuteCommand action")
	// Its own cluster has no such task.
	_, err = execute(other, taskIDOf(task), "web")
	wantErr(t, err, 400, "InvalidParameterException", "The referenced task was not found.")
}
