package integration

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Task sets of services with the EXTERNAL and CODE_DEPLOY deployment
// controllers: CreateTaskSet, UpdateTaskSet, UpdateServicePrimaryTaskSet,
// DeleteTaskSet, DescribeTaskSets; their tasks launched with the task
// definition's roles as a service's are. Texts as AWS words them
// (testdata/aws-recorded-ecs-deployments.json).

var taskSetARN = regexp.MustCompile(`^arn:aws:ecs:us-east-1:` + account + `:task-set/default/ext/ecs-svc/[0-9]{19}$`)

// externalService is the default cluster's service "ext" of the EXTERNAL
// deployment controller, and the task definitions app:1 and app:2 with a
// task role ECS may assume.
func (e *ecsEnv) externalService(t *testing.T, desired int32) ecstypes.Service {
	t.Helper()
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	role := e.role(t, "appTask", ecsTasksTrust)
	for range 2 {
		fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(role) })
	}
	return *must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("ext"), DesiredCount: aws.Int32(desired),
		DeploymentController: &ecstypes.DeploymentController{Type: ecstypes.DeploymentControllerTypeExternal}}))(t).Service
}

func (e *ecsEnv) createTaskSet(t *testing.T, td string, scale float64, mod ...func(*ecs.CreateTaskSetInput)) ecstypes.TaskSet {
	t.Helper()
	in := &ecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String(td),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet, Scale: &ecstypes.Scale{Value: scale, Unit: ecstypes.ScaleUnitPercent}}
	for _, m := range mod {
		m(in)
	}
	return *must(e.ecs.CreateTaskSet(ctx, in))(t).TaskSet
}

func (e *ecsEnv) taskSet(t *testing.T, id string) ecstypes.TaskSet {
	t.Helper()
	out := must(e.ecs.DescribeTaskSets(ctx, &ecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSets: []string{id}}))(t)
	if len(out.TaskSets) != 1 {
		t.Fatalf("DescribeTaskSets %s: %+v", id, out.Failures)
	}
	return out.TaskSets[0]
}

// taskSetState is "STATUS STABILITY computed running/pending".
func taskSetState(ts ecstypes.TaskSet) string {
	return aws.ToString(ts.Status) + " " + string(ts.StabilityStatus) + " " + itoa(int(ts.ComputedDesiredCount)) + " " + itoa(int(ts.RunningCount)) + "/" + itoa(int(ts.PendingCount))
}

// A blue/green rollout with an external controller: blue at 100%, made
// PRIMARY; green at 50% then 100%, made PRIMARY (the service takes its
// task definition); blue deleted, its tasks stopped; the service's desired
// count scales green.
func TestECSTaskSetsExternal(t *testing.T) {
	e := newECSEnv(t)
	svc := e.externalService(t, 2)
	// "taskSets": [], "deployments": [], launchType EC2: the recorded
	// CreateService of an EXTERNAL service (public walkthrough of the
	// task set API, 2020).
	if len(svc.TaskSets) != 0 || len(svc.Deployments) != 0 || svc.LaunchType != ecstypes.LaunchTypeEc2 || aws.ToString(svc.TaskDefinition) != "" || len(svc.Events) != 0 {
		t.Fatalf("EXTERNAL service %+v", svc)
	}
	blue := e.createTaskSet(t, "app:1", 100, func(in *ecs.CreateTaskSetInput) { in.ExternalId = aws.String("blue") })
	id := aws.ToString(blue.Id)
	if !taskSetARN.MatchString(aws.ToString(blue.TaskSetArn)) || !strings.HasSuffix(aws.ToString(blue.TaskSetArn), "/"+id) ||
		taskSetState(blue) != "ACTIVE STABILIZING 2 0/2" || aws.ToString(blue.ExternalId) != "blue" || blue.LaunchType != ecstypes.LaunchTypeFargate ||
		aws.ToString(blue.PlatformVersion) != "LATEST" || blue.Scale.Value != 100 || blue.Scale.Unit != ecstypes.ScaleUnitPercent ||
		aws.ToString(blue.ServiceArn) != aws.ToString(svc.ServiceArn) {
		t.Fatalf("blue %s %+v", taskSetState(blue), blue)
	}
	// Its tasks: started by the task set, with the task definition's role
	// assumed by ecs-tasks.amazonaws.com.
	tasks := e.serviceTasks(t, "default", "ext")
	if len(tasks) != 2 || aws.ToString(tasks[0].StartedBy) != id || aws.ToString(tasks[0].Group) != "service:ext" {
		t.Fatalf("tasks %+v", tasks)
	}
	if r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("appTask")}))(t).Role; r.RoleLastUsed == nil || r.RoleLastUsed.LastUsedDate == nil {
		t.Errorf("the task role was not assumed: %+v", r.RoleLastUsed)
	}
	svc = e.describeService(t, "ext")
	if !strings.HasPrefix(messages(svc, 1)[0], "(service ext, taskSet "+id+") has started 2 tasks: (task ") {
		t.Errorf("events %q", messages(svc, 2))
	}
	e.clock.Advance(time.Second)
	if got := taskSetState(e.taskSet(t, aws.ToString(blue.TaskSetArn))); got != "ACTIVE STEADY_STATE 2 2/0" {
		t.Errorf("blue %s", got)
	}
	primary := must(e.ecs.UpdateServicePrimaryTaskSet(ctx, &ecs.UpdateServicePrimaryTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"),
		PrimaryTaskSet: aws.String(id)}))(t).TaskSet
	svc = e.describeService(t, "ext")
	if aws.ToString(primary.Status) != "PRIMARY" || !strings.HasSuffix(aws.ToString(svc.TaskDefinition), "app:1") || svc.LaunchType != ecstypes.LaunchTypeFargate ||
		len(svc.TaskSets) != 1 || aws.ToString(svc.TaskSets[0].Status) != "PRIMARY" || svc.RunningCount != 2 || len(svc.Deployments) != 0 {
		t.Errorf("service after the primary %+v", svc)
	}

	// Green at 50%: one task, as AWS's event says.
	green := e.createTaskSet(t, "app:2", 50)
	gid := aws.ToString(green.Id)
	if taskSetState(green) != "ACTIVE STABILIZING 1 0/1" {
		t.Errorf("green %s", taskSetState(green))
	}
	var greenTask string
	for _, task := range e.serviceTasks(t, "default", "ext") {
		if aws.ToString(task.StartedBy) == gid {
			greenTask = idOf(aws.ToString(task.TaskArn))
		}
	}
	if got := messages(e.describeService(t, "ext"), 1)[0]; got != recordedECS(t, "event task set started", "<service>", "ext", "<taskset>", gid, "<task>", greenTask) {
		t.Errorf("event %q", got)
	}
	ts := *must(e.ecs.UpdateTaskSet(ctx, &ecs.UpdateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String(gid),
		Scale: &ecstypes.Scale{Value: 100, Unit: ecstypes.ScaleUnitPercent}}))(t).TaskSet
	if got := taskSetState(ts); got != "ACTIVE STABILIZING 2 0/2" {
		t.Errorf("green at 100%% %s", got)
	}
	e.clock.Advance(time.Second)
	must(e.ecs.UpdateServicePrimaryTaskSet(ctx, &ecs.UpdateServicePrimaryTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), PrimaryTaskSet: green.TaskSetArn}))(t)
	svc = e.describeService(t, "ext")
	if !strings.HasSuffix(aws.ToString(svc.TaskDefinition), "app:2") || svc.RunningCount != 4 || len(svc.TaskSets) != 2 {
		t.Fatalf("green primary %+v", svc)
	}
	for _, s := range svc.TaskSets {
		if want := map[string]string{id: "ACTIVE STEADY_STATE 2 2/0", gid: "PRIMARY STEADY_STATE 2 2/0"}[aws.ToString(s.Id)]; taskSetState(s) != want {
			t.Errorf("%s %s, want %s", aws.ToString(s.Id), taskSetState(s), want)
		}
	}

	// Blue goes: not without force while scaled; DRAINING, then gone.
	_, err := e.ecs.DeleteTaskSet(ctx, &ecs.DeleteTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String(id)})
	wantErr(t, err, 400, "InvalidParameterException", "The task set cannot be deleted while it is scaled above 0 or is the primary task set. Use force to delete it.")
	del := *must(e.ecs.DeleteTaskSet(ctx, &ecs.DeleteTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String(id), Force: aws.Bool(true)}))(t).TaskSet
	if got := taskSetState(del); got != "DRAINING STABILIZING 0 0/0" || del.Scale.Value != 0 {
		t.Errorf("deleted %s", got)
	}
	e.clock.Advance(time.Second)
	out := must(e.ecs.DescribeTaskSets(ctx, &ecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSets: []string{id, gid}}))(t)
	if len(out.TaskSets) != 1 || aws.ToString(out.TaskSets[0].Id) != gid || len(out.Failures) != 1 ||
		aws.ToString(out.Failures[0].Arn) != aws.ToString(blue.TaskSetArn) || aws.ToString(out.Failures[0].Reason) != "MISSING" {
		t.Errorf("after the deletion %+v", out)
	}
	_, err = e.ecs.UpdateTaskSet(ctx, &ecs.UpdateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String(id),
		Scale: &ecstypes.Scale{Value: 100, Unit: ecstypes.ScaleUnitPercent}})
	wantErr(t, err, 400, "TaskSetNotFoundException", "Task set not found.")

	// The service's desired count scales its task sets.
	must(e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("ext"), DesiredCount: aws.Int32(1)}))(t)
	e.clock.Advance(time.Second)
	if got := taskSetState(e.taskSet(t, gid)); got != "PRIMARY STEADY_STATE 1 1/0" {
		t.Errorf("scaled in %s", got)
	}
	_, err = e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("ext"), TaskDefinition: aws.String("app:1")})
	wantErr(t, err, 400, "InvalidParameterException", "Unable to update task definition on services with a EXTERNAL deployment controller.")
}

// The errors of the task set calls, as AWS words them.
func TestECSTaskSetErrors(t *testing.T) {
	e := newECSEnv(t)
	e.externalService(t, 1)
	must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: awsvpcNet}))(t)
	_, err := e.ecs.CreateTaskSet(ctx, &ecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("web"), TaskDefinition: aws.String("app"),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet})
	wantErr(t, err, 400, "InvalidParameterException", recordedECS(t, "task sets on an ECS service"))
	_, err = e.ecs.DescribeTaskSets(ctx, &ecs.DescribeTaskSetsInput{Cluster: aws.String("nope"), Service: aws.String("nope")})
	wantErr(t, err, 400, "InvalidParameterException", recordedECS(t, "task sets empty"))
	_, err = e.ecs.CreateTaskSet(ctx, &ecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("nope"), TaskDefinition: aws.String("app")})
	wantErr(t, err, 400, "ServiceNotFoundException", "Service not found.")
	_, err = e.ecs.CreateTaskSet(ctx, &ecs.CreateTaskSetInput{Cluster: aws.String("nope"), Service: aws.String("ext"), TaskDefinition: aws.String("app")})
	wantErr(t, err, 400, "ClusterNotFoundException", "Cluster not found.")
	_, err = e.ecs.CreateTaskSet(ctx, &ecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String("nope")})
	wantErr(t, err, 400, "ClientException", "TaskDefinition not found.")
	_, err = e.ecs.CreateTaskSet(ctx, &ecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String("app"),
		LaunchType: ecstypes.LaunchTypeFargate})
	wantErr(t, err, 400, "InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.")

	// Five at most; a client token answers its task set again.
	first := e.createTaskSet(t, "app:1", 0, func(in *ecs.CreateTaskSetInput) { in.ClientToken = aws.String("token-1") })
	again := e.createTaskSet(t, "app:1", 0, func(in *ecs.CreateTaskSetInput) { in.ClientToken = aws.String("token-1") })
	if aws.ToString(again.Id) != aws.ToString(first.Id) {
		t.Errorf("the client token made %s and %s", aws.ToString(first.Id), aws.ToString(again.Id))
	}
	for range 4 {
		e.createTaskSet(t, "app:1", 0)
	}
	_, err = e.ecs.CreateTaskSet(ctx, &ecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String("app"),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet})
	wantErr(t, err, 400, "InvalidParameterException", recordedECS(t, "task set limit"))

	// A task's ARN is no task set's; an ID of none is MISSING.
	task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	_, err = e.ecs.DescribeTaskSets(ctx, &ecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSets: []string{aws.ToString(task.TaskArn)}})
	wantErr(t, err, 400, "InvalidParameterException", recordedECS(t, "task set identifier"))
	out := must(e.ecs.DescribeTaskSets(ctx, &ecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSets: []string{"ecs-svc/1234567890123456789"}}))(t)
	if len(out.TaskSets) != 0 || len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MISSING" ||
		aws.ToString(out.Failures[0].Arn) != "arn:aws:ecs:us-east-1:"+account+":task-set/default/ext/ecs-svc/1234567890123456789" {
		t.Errorf("DescribeTaskSets %+v", out)
	}
	_, err = e.ecs.DeleteTaskSet(ctx, &ecs.DeleteTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: aws.String("ecs-svc/1")})
	wantErr(t, err, 400, "TaskSetNotFoundException", "Task set not found.")
}

// A task set whose task role does not trust ecs-tasks.amazonaws.com
// starts no task: the service records AWS's event, and tries again.
func TestECSTaskSetRoleNotAssumable(t *testing.T) {
	e := newECSEnv(t)
	e.externalService(t, 1)
	wrong := e.role(t, "wrongTaskRole", ecsTrust)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(wrong) })
	ts := e.createTaskSet(t, "app:3", 100)
	svc := e.describeService(t, "ext")
	if taskSetState(ts) != "ACTIVE STABILIZING 1 0/0" || messages(svc, 1)[0] != "(service ext) failed to launch a task with (error "+unableToAssumeText(wrong)+")" {
		t.Errorf("%s %q", taskSetState(ts), messages(svc, 1))
	}
	if tasks := e.serviceTasks(t, "default", "ext"); len(tasks) != 0 {
		t.Errorf("tasks %+v", tasks)
	}
}

// A CODE_DEPLOY service: ECS starts its first task set; what CodeDeploy
// deploys may not be changed through UpdateService, as AWS words it;
// CodeDeploy's own calls make the next task sets.
func TestECSCodeDeployService(t *testing.T) {
	e := newECSEnv(t)
	e.webService(t, 0, nil)
	svc := *must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("ext"), TaskDefinition: aws.String("app"), DesiredCount: aws.Int32(1),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet,
		DeploymentController: &ecstypes.DeploymentController{Type: ecstypes.DeploymentControllerTypeCodeDeploy}}))(t).Service
	if len(svc.Deployments) != 0 || len(svc.TaskSets) != 1 || taskSetState(svc.TaskSets[0]) != "PRIMARY STABILIZING 1 0/1" ||
		!strings.HasSuffix(aws.ToString(svc.TaskSets[0].TaskDefinition), "app:1") || svc.TaskSets[0].Scale.Value != 100 {
		t.Fatalf("CODE_DEPLOY service %+v %+v", svc, svc.TaskSets)
	}
	fargateTaskDef(t, e.ecs, "app")
	for key, in := range map[string]*ecs.UpdateServiceInput{
		"code deploy task definition": {TaskDefinition: aws.String("app:2")},
		"code deploy network":         {NetworkConfiguration: awsvpcNet},
		"code deploy force":           {ForceNewDeployment: true},
	} {
		in.Service = aws.String("ext")
		_, err := e.ecs.UpdateService(ctx, in)
		wantErr(t, err, 400, "InvalidParameterException", recordedECS(t, key))
	}
	green := e.createTaskSet(t, "app:2", 100)
	if taskSetState(green) != "ACTIVE STABILIZING 1 0/1" {
		t.Errorf("green %s", taskSetState(green))
	}
	if got := e.serviceDeployments(t, "ext"); len(got) != 0 {
		t.Errorf("service deployments of a CODE_DEPLOY service %+v", got)
	}
}

// Task set calls are authorized on the task set (task-set/CLUSTER/SERVICE/*
// for one yet to be made) with ecs:cluster and ecs:service; tagging one as
// it is created also needs ecs:TagResource.
func TestECSTaskSetsAuthorized(t *testing.T) {
	e := newECSEnv(t)
	svc := e.externalService(t, 1)
	serviceArn := aws.ToString(svc.ServiceArn)
	root := clientsFor(e.rc.Config, nil)
	dev, _ := newUser(t, root, e.rc.Config, nil, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ecs:CreateTaskSet","ecs:DescribeTaskSets"],"Resource":"*","Condition":{"StringEquals":{"ecs:service":"`+serviceArn+`"}}},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`)
	c := ecsOf(t, e.rc, dev)
	who := "arn:aws:iam::" + account + ":user/dev"
	in := &ecs.CreateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskDefinition: aws.String("app:1"),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}
	ts := *must(c.CreateTaskSet(ctx, in))(t).TaskSet
	must(c.DescribeTaskSets(ctx, &ecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSets: []string{aws.ToString(ts.Id)}}))(t)
	_, err := c.UpdateTaskSet(ctx, &ecs.UpdateTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSet: ts.Id,
		Scale: &ecstypes.Scale{Value: 50, Unit: ecstypes.ScaleUnitPercent}})
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "ecs:UpdateTaskSet", aws.ToString(ts.TaskSetArn)))
	in.Tags = []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
	_, err = c.CreateTaskSet(ctx, in)
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "ecs:TagResource", "arn:aws:ecs:us-east-1:"+account+":task-set/default/ext/*"))
	in.Service = aws.String("other")
	_, err = c.CreateTaskSet(ctx, in)
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "ecs:CreateTaskSet", "arn:aws:ecs:us-east-1:"+account+":task-set/default/other/*"))

	// The task definition's role is passed to ECS with the task set.
	ops, _ := newUser(t, root, e.rc.Config, nil, "ops", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:CreateTaskSet","Resource":"*"}]}`)
	in.Service, in.Tags = aws.String("ext"), nil
	_, err = ecsOf(t, e.rc, ops).CreateTaskSet(ctx, in)
	wantErr(t, err, 400, "AccessDeniedException", denied("arn:aws:iam::"+account+":user/ops", "iam:PassRole", "arn:aws:iam::"+account+":role/appTask"))

	// The task set's tags, through its ARN.
	must(e.ecs.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: ts.TaskSetArn, Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("green")}}}))(t)
	tags := must(e.ecs.ListTagsForResource(ctx, &ecs.ListTagsForResourceInput{ResourceArn: ts.TaskSetArn}))(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Value) != "green" {
		t.Errorf("tags %+v", tags)
	}
	got := must(e.ecs.DescribeTaskSets(ctx, &ecs.DescribeTaskSetsInput{Cluster: aws.String("default"), Service: aws.String("ext"), TaskSets: []string{aws.ToString(ts.Id)},
		Include: []ecstypes.TaskSetField{ecstypes.TaskSetFieldTags}}))(t).TaskSets[0]
	if len(got.Tags) != 1 {
		t.Errorf("DescribeTaskSets TAGS %+v", got.Tags)
	}
}
