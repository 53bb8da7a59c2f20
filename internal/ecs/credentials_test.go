package ecs

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
)

// A running task's role credentials, as the agent serves them: the
// endpoint and token of the task, the session its launch assumed, renewed
// near expiry, gone once the task stops.
func TestTaskRoleCredentials(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "default")
	exec, task := f.role("exec"), f.role("task")
	f.fargateDef(t, "app", task, exec)
	f.fargateDef(t, "plain", "", exec)
	run := f.runFargate(t, "app")
	id := taskIDOf(run.TaskArn)

	ep, err := f.svc.TaskCredentialsEndpoint(ctx, f.c, run.TaskArn)
	if err != nil {
		t.Fatal(err)
	}
	if ep.ID != id || ep.RoleArn != task || ep.TaskArn != run.TaskArn || ep.Region != "us-east-1" || ep.Token == "" {
		t.Fatalf("endpoint %+v", ep)
	}
	got, err := f.svc.TaskRoleCredentials(ctx, id, ep.Token)
	if err != nil {
		t.Fatal(err)
	}
	// The task role's session (the second assumed: execution role first).
	if got.AccessKeyID != "ASIA2" || got.SecretAccessKey != "secret2" || got.SessionToken != "token2" || got.RoleArn != task ||
		!got.Expiration.Equal(f.clock.Now().Add(time.Hour)) {
		t.Fatalf("credentials %+v", got)
	}

	for _, tc := range []struct {
		name, id, token, code, msg string
	}{
		{"no id", "", ep.Token, "NoIdInRequest", "TaskCredentialsRequest: No Credential ID in the request"},
		{"unknown id", "0123", ep.Token, "InvalidIdInRequest", "TaskCredentialsRequest: Credentials not found"},
		{"wrong token", id, ep.Token + "x", "InvalidIdInRequest", "TaskCredentialsRequest: Credentials not found"},
		{"no token", id, "", "InvalidIdInRequest", "TaskCredentialsRequest: Credentials not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.TaskRoleCredentials(ctx, tc.id, tc.token)
			wantErr(t, err, tc.code, tc.msg)
		})
	}

	// Still valid for more than CredentialsRefresh: the same session.
	f.clock.Advance(time.Hour - CredentialsRefresh - time.Second)
	if again, err := f.svc.TaskRoleCredentials(ctx, id, ep.Token); err != nil || again.AccessKeyID != "ASIA2" {
		t.Fatalf("before the refresh window: %+v %v", again, err)
	}
	// Within it: a new session, kept for the next fetch.
	f.clock.Advance(2 * time.Second)
	renewed, err := f.svc.TaskRoleCredentials(ctx, id, ep.Token)
	if err != nil || renewed.AccessKeyID != "ASIA3" || !renewed.Expiration.Equal(f.clock.Now().Add(time.Hour)) {
		t.Fatalf("renewed %+v %v", renewed, err)
	}
	if again, err := f.svc.TaskRoleCredentials(ctx, id, ep.Token); err != nil || again.AccessKeyID != "ASIA3" {
		t.Fatalf("after renewal %+v %v", again, err)
	}
	if got := f.roles.called("assume ecs-tasks.amazonaws.com " + task); len(got) != 2 || got[1] != "assume ecs-tasks.amazonaws.com "+task+" "+id {
		t.Errorf("assumed %v", got)
	}

	// The role stops trusting ecs-tasks.amazonaws.com: the session it has
	// is served until it expires, then nothing can renew it.
	f.roles.untrust[task] = true
	f.clock.Advance(time.Hour - CredentialsRefresh + time.Second)
	if stale, err := f.svc.TaskRoleCredentials(ctx, id, ep.Token); err != nil || stale.AccessKeyID != "ASIA3" {
		t.Fatalf("not renewable, still valid: %+v %v", stale, err)
	}
	f.clock.Advance(CredentialsRefresh)
	_, err = f.svc.TaskRoleCredentials(ctx, id, ep.Token)
	if e := awserr.As(err); e.Status != http.StatusServiceUnavailable || e.Code != "CredentialsUninitialized" ||
		e.Message != "TaskCredentialsRequest: Credentials could not be renewed: User: ecs-tasks.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: "+task {
		t.Fatalf("expired, not renewable: %v", err)
	}
	delete(f.roles.untrust, task)

	// Stopped: no credentials.
	if _, err := f.svc.StopTask(ctx, f.c, &types.StopTaskRequest{Task: run.TaskArn}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Second)
	_, err = f.svc.TaskRoleCredentials(ctx, id, ep.Token)
	wantErr(t, err, "InvalidIdInRequest", "TaskCredentialsRequest: Credentials not found")
	_, err = f.svc.TaskCredentialsEndpoint(ctx, f.c, run.TaskArn)
	wantErr(t, err, "InvalidParameterException", "The task "+run.TaskArn+" is not running: its role credentials are served from launch until it stops.")

	// A task without a task role; tasks that do not exist.
	plain := f.runFargate(t, "plain")
	_, err = f.svc.TaskCredentialsEndpoint(ctx, f.c, plain.TaskArn)
	wantErr(t, err, "InvalidParameterException", "The task "+plain.TaskArn+" has no task role (taskRoleArn), so it has no role credentials.")
	for _, ref := range []string{"arn:aws:ecs:us-east-1:" + acct + ":task/default/ffff", "arn:aws:ecs:eu-west-1:" + acct + ":task/default/" + id, id, "arn:aws:ecs:us-east-1:" + acct + ":task/" + id} {
		_, err = f.svc.TaskCredentialsEndpoint(ctx, f.c, ref)
		wantErr(t, err, "InvalidParameterException", "The referenced task was not found.")
	}
}

// A task whose task role cannot be assumed gets no credentials: it never
// started.
func TestTaskRoleCredentialsFailedTask(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "default")
	task := f.role("task")
	f.fargateDef(t, "app", task, "")
	f.roles.untrust[task] = true
	run := f.runFargate(t, "app")
	_, err := f.svc.TaskCredentialsEndpoint(ctx, f.c, run.TaskArn)
	wantErr(t, err, "InvalidParameterException", "The task "+run.TaskArn+" is not running: its role credentials are served from launch until it stops.")
	f.clock.Advance(10 * time.Second)
	if got := f.task(t, run.TaskArn); got.LastStatus != "STOPPED" || got.StopCode != "TaskFailedToStart" || got.StoppedReason != unableToAssume(task) {
		t.Fatalf("task %+v", got)
	}
}
