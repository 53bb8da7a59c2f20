package ecs

import (
	"context"
	"net/http"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/store"
)

// ECS Exec (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html):
// a task run with enableExecuteCommand has the SSM agent beside its
// containers (the ExecuteCommandAgent managed agent), which opens its
// channels to Systems Manager with the task role's credentials. The caller
// of ExecuteCommand needs ecs:ExecuteCommand (decided by the authorizer
// before this runs); the session then only connects when the task role
// allows the agent's ssmmessages actions: this is the moment ECS Exec uses
// the task role, and where AWS answers TargetNotConnectedException when it
// cannot.

// ExecAgent is the managed agent's name in a task's containers.
const ExecAgent = "ExecuteCommandAgent"

// errExecNotEnabled: the task was not run with enableExecuteCommand, or is
// not running (aws/aws-cli and fabfuel/ecs-deploy #193 reports, 2022-2024;
// AWS writes the apostrophe as U+2019).
func errExecNotEnabled() error {
	return invalidParameter("The execute command failed because execute command was not enabled when the task was run or the execute command agent isn\u2019t running. Wait and try again or run a new task with execute command enabled and try again.")
}

// errExecNotConnected: the agent could not connect, as when the task role
// does not allow the ssmmessages actions (aws/aws-cli #9070,
// aws/amazon-ssm-agent #565, aws-containers/amazon-ecs-exec-checker #47).
func errExecNotConnected() error {
	return awserr.New(http.StatusBadRequest, "TargetNotConnectedException", "The execute command failed due to an internal error. Try again later.")
}

// errExecInteractive: ECS only starts interactive sessions (API reference,
// ExecuteCommandResponse.interactive: "you must specify true"); the text is
// the one users report for --non-interactive (unverified).
func errExecInteractive() error {
	return invalidParameter("Interactive is the only mode supported currently.")
}

// errExecContainer: a task of several containers needs the container named
// ("A container name only needs to be specified for tasks containing
// multiple containers", API reference); rolecall's wording.
func errExecContainer(name string) error {
	if name == "" {
		return invalidParameter("The task has more than one container: specify the container to run the command on.")
	}
	return invalidParameter("The container %s was not found in the task.", name)
}

// ExecuteCommand opens an ECS Exec session on a container of a running
// task run with enableExecuteCommand, once the task role allows what the
// SSM agent asks with it.
func (s *Service) ExecuteCommand(ctx context.Context, c Call, in *types.ExecuteCommandRequest) (*types.ExecuteCommandResponse, error) {
	if !in.Interactive {
		return nil, errExecInteractive()
	}
	now, tm := s.now(), s.phases()
	var task types.Task
	var creds credentialsRecord
	err := s.view(ctx, c, func(tx store.Tx) error {
		cl, err := loadCluster(tx, c, in.Cluster)
		if err != nil {
			return err
		}
		if cl == nil {
			return errClusterNotFound()
		}
		id, ok := clusterMemberID(c, cl.Cluster.ClusterName, in.Task, "task")
		if !ok {
			return errTaskNotFound()
		}
		var r taskRecord
		found, err := getJSON(tx, bucketTasks, taskKey(c, cl.Cluster.ClusterName, id), &r)
		if err != nil {
			return err
		}
		if !found || !r.visible(now, tm) {
			return errTaskNotFound()
		}
		task = r.view(now, tm)
		if _, err := getJSON(tx, bucketCredentials, id, &creds); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !task.EnableExecuteCommand || task.LastStatus != "RUNNING" {
		return nil, errExecNotEnabled()
	}
	container, err := execContainer(task.Containers, in.Container)
	if err != nil {
		return nil, err
	}
	// The agent connects with the task role; without one it has no
	// credentials to connect with.
	if creds.TaskRoleArn == "" {
		return nil, errExecNotConnected()
	}
	needs := ecsroles.ExecNeeds("task " + taskIDOf(task.TaskArn))
	if err := s.roles.RoleAllows(ctx, c, creds.TaskRoleArn, taskIDOf(task.TaskArn), needs...); err != nil {
		if awserr.IsClient(err) {
			return nil, errExecNotConnected()
		}
		return nil, err
	}
	session := "ecs-execute-command-" + strings.ReplaceAll(s.gen.UUID(), "-", "")[:17]
	return &types.ExecuteCommandResponse{
		ClusterArn: task.ClusterArn, TaskArn: task.TaskArn,
		ContainerArn: container.ContainerArn, ContainerName: container.Name,
		Interactive: true,
		Session: &types.Session{SessionId: session,
			StreamUrl:  "wss://ssmmessages." + c.Region + ".amazonaws.com/v1/data-channel/" + session + "?role=publish_subscribe",
			TokenValue: s.gen.Secret(64)},
	}, nil
}

// execContainer is the container named, or the task's only one.
func execContainer(cs []types.Container, name string) (types.Container, error) {
	if name == "" {
		if len(cs) != 1 {
			return types.Container{}, errExecContainer("")
		}
		return cs[0], nil
	}
	for _, ct := range cs {
		if ct.Name == name {
			return ct, nil
		}
	}
	return types.Container{}, errExecContainer(name)
}
