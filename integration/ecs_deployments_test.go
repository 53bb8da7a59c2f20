package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Service deployments and revisions as the service scheduler makes them:
// a rolling update keeps the old tasks until the new ones run, the
// deployment circuit breaker fails a deployment whose task role ECS
// cannot assume and rolls the service back, StopServiceDeployment rolls
// back by hand. The texts are AWS's (testdata/aws-recorded-ecs-deployments.json,
// each with its source).

// recordedECS is a text of testdata/aws-recorded-ecs-deployments.json,
// its placeholders replaced by pairs of fill ("<service>", "web", ...).
func recordedECS(t *testing.T, key string, fill ...string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "aws-recorded-ecs-deployments.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Provenance string
		Texts      map[string]struct{ Text, Source string }
	}
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Provenance == "" {
		t.Fatalf("recorded texts: %v", err)
	}
	e, ok := rec.Texts[key]
	if !ok || e.Source == "" {
		t.Fatalf("no recorded text %q with its source", key)
	}
	return strings.NewReplacer(fill...).Replace(e.Text)
}

// describeService is the default cluster's service as DescribeServices
// answers it (which moves its scheduler along).
func (e *ecsEnv) describeService(t *testing.T, name string) ecstypes.Service {
	t.Helper()
	out := must(e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{name}}))(t)
	if len(out.Services) != 1 {
		t.Fatalf("DescribeServices %s: %+v", name, out.Failures)
	}
	return out.Services[0]
}

// messages are a service's newest n event messages.
func messages(s ecstypes.Service, n int) []string {
	var out []string
	for _, ev := range s.Events[:min(n, len(s.Events))] {
		out = append(out, aws.ToString(ev.Message))
	}
	return out
}

// deploymentsOf is "STATUS ROLLOUT taskdef running/pending" per deployment.
func deploymentsOf(s ecstypes.Service) []string {
	var out []string
	for _, d := range s.Deployments {
		td := aws.ToString(d.TaskDefinition)
		out = append(out, aws.ToString(d.Status)+" "+string(d.RolloutState)+" "+td[strings.LastIndexByte(td, '/')+1:]+
			" "+itoa(int(d.RunningCount))+"/"+itoa(int(d.PendingCount)))
	}
	return out
}

func (e *ecsEnv) serviceDeployments(t *testing.T, service string, status ...ecstypes.ServiceDeploymentStatus) []ecstypes.ServiceDeploymentBrief {
	t.Helper()
	return must(e.ecs.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Service: aws.String(service), Status: status}))(t).ServiceDeployments
}

func (e *ecsEnv) serviceDeployment(t *testing.T, arn string) ecstypes.ServiceDeployment {
	t.Helper()
	out := must(e.ecs.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{arn}}))(t)
	if len(out.ServiceDeployments) != 1 {
		t.Fatalf("DescribeServiceDeployments %s: %+v", arn, out.Failures)
	}
	return out.ServiceDeployments[0]
}

var (
	serviceDeploymentARN = regexp.MustCompile(`^arn:aws:ecs:us-east-1:` + account + `:service-deployment/default/web/[A-Za-z0-9_-]{21}$`)
	serviceRevisionARN   = regexp.MustCompile(`^arn:aws:ecs:us-east-1:` + account + `:service-revision/default/web/[0-9]{19}$`)
)

// revisionOf is the service revision a deployment ID rolled out first:
// its digits.
func revisionOf(deployment string) string {
	return "arn:aws:ecs:us-east-1:" + account + ":service-revision/default/web/" + strings.TrimPrefix(deployment, "ecs-svc/")
}

// webService creates the default cluster's Fargate service "web" of the
// task definition family app, with a task role ECS may assume.
func (e *ecsEnv) webService(t *testing.T, desired int32, dc *ecstypes.DeploymentConfiguration) ecstypes.Service {
	t.Helper()
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	role := e.role(t, "appTask", ecsTasksTrust)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(role) })
	return *must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("app"),
		DesiredCount: aws.Int32(desired), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet,
		DeploymentConfiguration: dc}))(t).Service
}

// A rollout to a new task definition: the old tasks run until the new
// ones do, their deployment ACTIVE meanwhile; the service deployment goes
// from IN_PROGRESS to SUCCESSFUL, from the first revision to the second.
func TestECSServiceDeploymentRollout(t *testing.T) {
	e := newECSEnv(t)
	svc := e.webService(t, 2, &ecstypes.DeploymentConfiguration{DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: true, Rollback: true}})
	first := aws.ToString(svc.Deployments[0].Id)
	if got := aws.ToString(svc.Deployments[0].RolloutStateReason); got != recordedECS(t, "rollout in progress", "<deployment>", first) {
		t.Errorf("rolloutStateReason %q", got)
	}
	if !serviceDeploymentARN.MatchString(aws.ToString(svc.CurrentServiceDeployment)) || len(svc.CurrentServiceRevisions) != 1 ||
		aws.ToString(svc.CurrentServiceRevisions[0].Arn) != revisionOf(first) || svc.CurrentServiceRevisions[0].RequestedTaskCount != 2 {
		t.Errorf("current %s %+v", aws.ToString(svc.CurrentServiceDeployment), svc.CurrentServiceRevisions)
	}
	list := e.serviceDeployments(t, "web")
	if len(list) != 1 || list[0].Status != ecstypes.ServiceDeploymentStatusInProgress || aws.ToString(list[0].ServiceDeploymentArn) != aws.ToString(svc.CurrentServiceDeployment) ||
		aws.ToString(list[0].TargetServiceRevisionArn) != revisionOf(first) || list[0].FinishedAt != nil {
		t.Fatalf("deployments %+v", list)
	}

	e.clock.Advance(time.Second)
	svc = e.describeService(t, "web")
	if got, want := messages(svc, 2), []string{recordedECS(t, "event steady state", "<service>", "web"),
		recordedECS(t, "event deployment completed", "<service>", "web", "<deployment>", first)}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events %q, want %q", got, want)
	}
	if got := deploymentsOf(svc); strings.Join(got, ",") != "PRIMARY COMPLETED app:1 2/0" {
		t.Errorf("deployments %q", got)
	}
	initial := e.serviceDeployments(t, "web")[0]
	if initial.Status != ecstypes.ServiceDeploymentStatusSuccessful || initial.FinishedAt == nil {
		t.Errorf("first deployment %+v", initial)
	}

	// The second revision.
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) {
		in.TaskRoleArn = aws.String("arn:aws:iam::" + account + ":role/appTask")
		in.ContainerDefinitions[0].Image = aws.String("nginx:2")
	})
	svc = *must(e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String("app")}))(t).Service
	second := aws.ToString(svc.Deployments[0].Id)
	if got := deploymentsOf(svc); strings.Join(got, ",") != "PRIMARY IN_PROGRESS app:2 0/2,ACTIVE COMPLETED app:1 2/0" {
		t.Errorf("rolling out %q", got)
	}
	list = e.serviceDeployments(t, "web")
	if len(list) != 2 || list[0].Status != ecstypes.ServiceDeploymentStatusInProgress || list[1].Status != ecstypes.ServiceDeploymentStatusSuccessful ||
		aws.ToString(list[1].ServiceDeploymentArn) != aws.ToString(initial.ServiceDeploymentArn) || aws.ToString(list[0].TargetServiceRevisionArn) != revisionOf(second) {
		t.Fatalf("deployments %+v", list)
	}
	sd := e.serviceDeployment(t, aws.ToString(list[0].ServiceDeploymentArn))
	if sd.Status != ecstypes.ServiceDeploymentStatusInProgress || len(sd.SourceServiceRevisions) != 1 ||
		aws.ToString(sd.SourceServiceRevisions[0].Arn) != revisionOf(first) || sd.SourceServiceRevisions[0].RunningTaskCount != 2 ||
		aws.ToString(sd.TargetServiceRevision.Arn) != revisionOf(second) || sd.TargetServiceRevision.RequestedTaskCount != 2 ||
		sd.TargetServiceRevision.PendingTaskCount != 2 {
		t.Errorf("service deployment %+v %+v", sd, sd.TargetServiceRevision)
	}
	if cb := sd.DeploymentCircuitBreaker; cb == nil || cb.Status != ecstypes.ServiceDeploymentRollbackMonitorsStatusMonitoring || cb.Threshold != 3 ||
		cb.FailureCount != 0 || !sd.DeploymentConfiguration.DeploymentCircuitBreaker.Rollback {
		t.Errorf("circuit breaker %+v", cb)
	}

	// The revisions, as DescribeServiceRevisions answers them.
	revs := must(e.ecs.DescribeServiceRevisions(ctx, &ecs.DescribeServiceRevisionsInput{ServiceRevisionArns: []string{revisionOf(first), revisionOf(second),
		"arn:aws:ecs:us-east-1:" + account + ":service-revision/default/web/1234567890123456789"}}))(t)
	if len(revs.ServiceRevisions) != 2 || len(revs.Failures) != 1 || aws.ToString(revs.Failures[0].Reason) != "MISSING" {
		t.Fatalf("revisions %+v", revs)
	}
	for i, want := range []string{"app:1 nginx", "app:2 nginx:2"} {
		r := revs.ServiceRevisions[i]
		td := aws.ToString(r.TaskDefinition)
		got := td[strings.LastIndexByte(td, '/')+1:] + " " + aws.ToString(r.ContainerImages[0].Image)
		if !serviceRevisionARN.MatchString(aws.ToString(r.ServiceRevisionArn)) || got != want || r.LaunchType != ecstypes.LaunchTypeFargate ||
			r.NetworkConfiguration == nil || aws.ToString(r.ServiceArn) != aws.ToString(svc.ServiceArn) {
			t.Errorf("revision %d %s %+v", i, got, r)
		}
	}

	// The new tasks run: the old ones stop, then the deployment has
	// succeeded.
	e.clock.Advance(time.Second)
	svc = e.describeService(t, "web")
	if !strings.HasPrefix(messages(svc, 1)[0], "(service web) has stopped 2 running tasks: (task ") {
		t.Errorf("events %q", messages(svc, 3))
	}
	if got := deploymentsOf(svc); strings.Join(got, ",") != "PRIMARY IN_PROGRESS app:2 2/0,ACTIVE COMPLETED app:1 0/0" {
		t.Errorf("replacing %q", got)
	}
	e.clock.Advance(time.Second)
	svc = e.describeService(t, "web")
	if got := deploymentsOf(svc); strings.Join(got, ",") != "PRIMARY COMPLETED app:2 2/0" ||
		aws.ToString(svc.Deployments[0].RolloutStateReason) != recordedECS(t, "rollout completed", "<deployment>", second) {
		t.Errorf("completed %q %q", got, aws.ToString(svc.Deployments[0].RolloutStateReason))
	}
	sd = e.serviceDeployment(t, aws.ToString(list[0].ServiceDeploymentArn))
	if sd.Status != ecstypes.ServiceDeploymentStatusSuccessful || sd.FinishedAt == nil || sd.TargetServiceRevision.RunningTaskCount != 2 ||
		sd.SourceServiceRevisions[0].RunningTaskCount != 0 ||
		sd.DeploymentCircuitBreaker.Status != ecstypes.ServiceDeploymentRollbackMonitorsStatusMonitoringComplete {
		t.Errorf("succeeded %+v", sd)
	}
	for _, task := range e.serviceTasks(t, "default", "web") {
		if !strings.HasSuffix(aws.ToString(task.TaskDefinitionArn), "app:2") || aws.ToString(task.StartedBy) != second {
			t.Errorf("task %s of %s started by %s", aws.ToString(task.TaskArn), aws.ToString(task.TaskDefinitionArn), aws.ToString(task.StartedBy))
		}
	}

	// Filters: by status, by creation time.
	if got := e.serviceDeployments(t, "web", ecstypes.ServiceDeploymentStatusInProgress); len(got) != 0 {
		t.Errorf("IN_PROGRESS %+v", got)
	}
	after := must(e.ecs.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Service: aws.String("web"),
		CreatedAt: &ecstypes.CreatedAt{After: initial.CreatedAt}}))(t).ServiceDeployments
	if len(after) != 1 || aws.ToString(after[0].ServiceDeploymentArn) != aws.ToString(sd.ServiceDeploymentArn) {
		t.Errorf("created after the first %+v", after)
	}
}

// A new task definition whose task role does not trust
// ecs-tasks.amazonaws.com: every launch fails as AWS words it, the circuit
// breaker counts them to its threshold (3), fails the deployment and rolls
// the service back to the deployment that last completed; the rollback
// completes, the wrong role never used.
func TestECSCircuitBreakerRollsBack(t *testing.T) {
	e := newECSEnv(t)
	e.webService(t, 1, &ecstypes.DeploymentConfiguration{DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: true, Rollback: true}})
	e.clock.Advance(time.Second)
	good := aws.ToString(e.describeService(t, "web").Deployments[0].Id)
	wrong := e.role(t, "wrongTaskRole", ecsTrust)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(wrong) })
	svc := *must(e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String("app")}))(t).Service
	failing := aws.ToString(svc.Deployments[0].Id)
	launchFailed := "(service web) failed to launch a task with (error " + unableToAssumeText(wrong) + ")"
	if got := messages(svc, 1); got[0] != launchFailed || svc.Deployments[0].FailedTasks != 1 ||
		strings.Join(deploymentsOf(svc), ",") != "PRIMARY IN_PROGRESS app:2 0/0,ACTIVE COMPLETED app:1 1/0" {
		t.Fatalf("first failure %q %q", got, deploymentsOf(svc))
	}
	sdArn := aws.ToString(svc.CurrentServiceDeployment)

	// Retried every 15 s: the third failure reaches the threshold.
	e.clock.Advance(15 * time.Second)
	if svc = e.describeService(t, "web"); svc.Deployments[0].FailedTasks != 2 {
		t.Fatalf("second failure %+v", svc.Deployments[0])
	}
	e.clock.Advance(15 * time.Second)
	svc = e.describeService(t, "web")
	want := []string{recordedECS(t, "event rolling back", "<service>", "web", "<good>", good),
		recordedECS(t, "event deployment failed", "<service>", "web", "<deployment>", failing), launchFailed}
	if got := messages(svc, 3); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events\n%q\nwant\n%q", got, want)
	}
	back := aws.ToString(svc.Deployments[0].Id)
	if back == good || back == failing || !strings.HasSuffix(aws.ToString(svc.TaskDefinition), "app:1") ||
		aws.ToString(svc.Deployments[0].RolloutStateReason) != recordedECS(t, "breaker rolling back", "<good>", good) ||
		strings.Join(deploymentsOf(svc), ",") != "PRIMARY IN_PROGRESS app:1 0/0,ACTIVE COMPLETED app:1 1/0" {
		t.Errorf("rolling back %s %q %q", back, aws.ToString(svc.Deployments[0].RolloutStateReason), deploymentsOf(svc))
	}
	sd := e.serviceDeployment(t, sdArn)
	if sd.Status != ecstypes.ServiceDeploymentStatusRollbackInProgress || sd.Rollback == nil ||
		aws.ToString(sd.Rollback.Reason) != recordedECS(t, "breaker failed") || aws.ToString(sd.Rollback.ServiceRevisionArn) != revisionOf(good) ||
		sd.DeploymentCircuitBreaker.Status != ecstypes.ServiceDeploymentRollbackMonitorsStatusTriggered || sd.DeploymentCircuitBreaker.FailureCount != 3 {
		t.Errorf("rolling back %+v %+v %+v", sd, sd.Rollback, sd.DeploymentCircuitBreaker)
	}

	// The rollback's task runs and replaces the first one; the service
	// deployment has rolled back.
	e.describeService(t, "web")
	e.clock.Advance(time.Second)
	e.describeService(t, "web")
	e.clock.Advance(time.Second)
	svc = e.describeService(t, "web")
	if got := deploymentsOf(svc); strings.Join(got, ",") != "PRIMARY COMPLETED app:1 1/0" ||
		messages(svc, 2)[1] != recordedECS(t, "event deployment completed", "<service>", "web", "<deployment>", back) {
		t.Errorf("rolled back %q %q", got, messages(svc, 2))
	}
	done := e.serviceDeployments(t, "web", ecstypes.ServiceDeploymentStatusRollbackSuccessful)
	if len(done) != 1 || aws.ToString(done[0].ServiceDeploymentArn) != sdArn || done[0].FinishedAt == nil {
		t.Errorf("rolled back %+v", done)
	}
	r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("wrongTaskRole")}))(t).Role
	if r.RoleLastUsed != nil && r.RoleLastUsed.LastUsedDate != nil {
		t.Errorf("the role ECS could not assume was used: %+v", r.RoleLastUsed)
	}
}

// Without rollback the circuit breaker only fails the deployment: no new
// task is launched, the old one keeps running, the service deployment is
// STOPPED with the breaker's reason.
func TestECSCircuitBreakerWithoutRollback(t *testing.T) {
	e := newECSEnv(t)
	e.webService(t, 1, &ecstypes.DeploymentConfiguration{DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: true}})
	e.clock.Advance(time.Second)
	e.describeService(t, "web")
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) {
		in.TaskRoleArn = aws.String(e.role(t, "wrongTaskRole", ecsTrust))
	})
	svc := *must(e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String("app")}))(t).Service
	failing := aws.ToString(svc.Deployments[0].Id)
	for range 3 {
		e.clock.Advance(15 * time.Second)
		svc = e.describeService(t, "web")
	}
	if got := deploymentsOf(svc); strings.Join(got, ",") != "PRIMARY FAILED app:2 0/0,ACTIVE COMPLETED app:1 1/0" ||
		aws.ToString(svc.Deployments[0].RolloutStateReason) != recordedECS(t, "breaker failed") || svc.Deployments[0].FailedTasks != 3 ||
		messages(svc, 1)[0] != recordedECS(t, "event deployment failed", "<service>", "web", "<deployment>", failing) {
		t.Fatalf("failed %q %q", got, messages(svc, 2))
	}
	sd := e.serviceDeployment(t, aws.ToString(svc.CurrentServiceDeployment))
	if sd.Status != ecstypes.ServiceDeploymentStatusStopped || aws.ToString(sd.StatusReason) != recordedECS(t, "breaker failed") || sd.StoppedAt == nil || sd.Rollback != nil {
		t.Errorf("stopped %+v", sd)
	}
	// A failed deployment launches nothing more.
	e.clock.Advance(time.Minute)
	if svc = e.describeService(t, "web"); svc.Deployments[0].FailedTasks != 3 || svc.RunningCount != 1 {
		t.Errorf("after the failure %+v", svc.Deployments[0])
	}
}

// StopServiceDeployment rolls an ongoing deployment back, even without
// the circuit breaker; the errors of its and the other calls'.
func TestECSStopServiceDeployment(t *testing.T) {
	e := newECSEnv(t)
	e.webService(t, 1, nil)
	e.clock.Advance(time.Second)
	good := aws.ToString(e.describeService(t, "web").Deployments[0].Id)
	first := aws.ToString(e.serviceDeployments(t, "web")[0].ServiceDeploymentArn)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) {
		in.TaskRoleArn = aws.String(e.role(t, "wrongTaskRole", ecsTrust))
	})
	svc := *must(e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String("app")}))(t).Service
	arn := aws.ToString(svc.CurrentServiceDeployment)

	_, err := e.ecs.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn), StopType: ecstypes.StopServiceDeploymentStopTypeAbort})
	wantErr(t, err, 400, "InvalidParameterException", "The stop type ABORT isn't supported. The valid value is ROLLBACK.")
	out := must(e.ecs.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn), StopType: ecstypes.StopServiceDeploymentStopTypeRollback}))(t)
	if aws.ToString(out.ServiceDeploymentArn) != arn {
		t.Errorf("StopServiceDeployment answered %s", aws.ToString(out.ServiceDeploymentArn))
	}
	if sd := e.serviceDeployment(t, arn); sd.Status != ecstypes.ServiceDeploymentStatusRollbackInProgress || aws.ToString(sd.Rollback.ServiceRevisionArn) != revisionOf(good) {
		t.Errorf("after the stop %+v", sd)
	}
	svc = e.describeService(t, "web")
	if !strings.HasSuffix(aws.ToString(svc.TaskDefinition), "app:1") || messages(svc, 3)[1] != recordedECS(t, "event rolling back", "<service>", "web", "<good>", good) {
		t.Errorf("rolling back %s %q", aws.ToString(svc.TaskDefinition), messages(svc, 3))
	}
	// Again: the rollback goes on.
	must(e.ecs.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn)}))(t)
	e.clock.Advance(time.Second)
	e.describeService(t, "web")
	e.clock.Advance(time.Second)
	if sd := e.serviceDeployment(t, arn); sd.Status != ecstypes.ServiceDeploymentStatusRollbackSuccessful {
		t.Errorf("rolled back %+v", sd)
	}

	// A finished one, one that does not exist.
	_, err = e.ecs.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{ServiceDeploymentArn: aws.String(first)})
	wantErr(t, err, 400, "ConflictException", "The service deployment can't be stopped because it is SUCCESSFUL.")
	for _, a := range []string{strings.TrimSuffix(arn, arn[len(arn)-3:]) + "xyz", "nope"} {
		_, err = e.ecs.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{ServiceDeploymentArn: aws.String(a)})
		wantErr(t, err, 400, "ServiceDeploymentNotFoundException", "Service deployment not found.")
	}
	// Only a deployment in progress can be continued (ecs_bluegreen_test.go).
	_, err = e.ecs.ContinueServiceDeployment(ctx, &ecs.ContinueServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn), HookId: aws.String("ecs-pause-1")})
	wantErr(t, err, 400, "InvalidParameterException", "The service deployment can't be continued because it is ROLLBACK_SUCCESSFUL.")
	_, err = e.ecs.ContinueServiceDeployment(ctx, &ecs.ContinueServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn + "x"), HookId: aws.String("ecs-pause-1")})
	wantErr(t, err, 400, "ServiceDeploymentNotFoundException", "Service deployment not found.")

	// The first deployment of a service has nothing to roll back to.
	must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("api"), TaskDefinition: aws.String("app:2"), DesiredCount: aws.Int32(1),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t)
	api := aws.ToString(e.serviceDeployments(t, "api")[0].ServiceDeploymentArn)
	_, err = e.ecs.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{ServiceDeploymentArn: aws.String(api)})
	wantErr(t, err, 400, "InvalidParameterException", "The service deployment can't be rolled back because the service has no previous deployment that completed.")

	_, err = e.ecs.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Service: aws.String("nope")})
	wantErr(t, err, 400, "ServiceNotFoundException", "Service not found.")
	_, err = e.ecs.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Cluster: aws.String("nope"), Service: aws.String("web")})
	wantErr(t, err, 400, "ClusterNotFoundException", "Cluster not found.")
	d := must(e.ecs.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{arn, "nope"}}))(t)
	if len(d.ServiceDeployments) != 1 || len(d.Failures) != 1 || aws.ToString(d.Failures[0].Arn) != "nope" || aws.ToString(d.Failures[0].Reason) != "MISSING" {
		t.Errorf("DescribeServiceDeployments %+v", d)
	}

	// A deleted service's deployments go with it.
	must(e.ecs.DeleteService(ctx, &ecs.DeleteServiceInput{Service: aws.String("web"), Force: aws.Bool(true)}))(t)
	if got := e.serviceDeployments(t, "web"); len(got) != 0 {
		t.Errorf("deployments of a deleted service %+v", got)
	}
}

// Each call is authorized on the service and the deployment or revision
// it names, with ecs:cluster and ecs:service.
func TestECSServiceDeploymentsAuthorized(t *testing.T) {
	e := newECSEnv(t)
	svc := e.webService(t, 1, nil)
	arn := aws.ToString(svc.CurrentServiceDeployment)
	root := clientsFor(e.rc.Config, nil)
	serviceArn := aws.ToString(svc.ServiceArn)
	dev, _ := newUser(t, root, e.rc.Config, nil, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ecs:ListServiceDeployments","ecs:DescribeServiceDeployments"],"Resource":"`+serviceArn+`"},
		{"Effect":"Allow","Action":"ecs:DescribeServiceRevisions","Resource":["`+serviceArn+`","arn:aws:ecs:us-east-1:`+account+`:service-revision/default/web/*"]}]}`)
	c := ecsOf(t, e.rc, dev)
	who := "arn:aws:iam::" + account + ":user/dev"
	if got := must(c.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Service: aws.String("web")}))(t).ServiceDeployments; len(got) != 1 {
		t.Errorf("listed %+v", got)
	}
	_, err := c.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{arn}})
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "ecs:DescribeServiceDeployments", arn))
	_, err = c.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn)})
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "ecs:StopServiceDeployment", serviceArn))
	rev := revisionOf(aws.ToString(svc.Deployments[0].Id))
	if got := must(c.DescribeServiceRevisions(ctx, &ecs.DescribeServiceRevisionsInput{ServiceRevisionArns: []string{rev}}))(t).ServiceRevisions; len(got) != 1 {
		t.Errorf("revisions %+v", got)
	}
	other := strings.Replace(rev, "/web/", "/api/", 1)
	_, err = c.DescribeServiceRevisions(ctx, &ecs.DescribeServiceRevisionsInput{ServiceRevisionArns: []string{other}})
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "ecs:DescribeServiceRevisions", strings.Replace(serviceArn, "/web", "/api", 1)))
}
