package integration

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Placement beyond memberOf: distinctInstance, the network interfaces
// awsvpc tasks take on their instance, and awsvpcTrunking.

const (
	distinctUnsatisfied = "DistinctInstance placement constraint unsatisfied."
	noENI               = "RESOURCE:ENI"
	reasonMemberOf      = "MemberOf placement constraint unsatisfied."
)

var distinct = []ecstypes.PlacementConstraint{{Type: ecstypes.PlacementConstraintTypeDistinctInstance}}

// failed lists RunTask's or StartTask's failures as "ARN reason", sorted.
func failed(fs []ecstypes.Failure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, aws.ToString(f.Arn)+" "+aws.ToString(f.Reason))
	}
	return sorted(out...)
}

// hostsOf lists the container instances of tasks, sorted.
func hostsOf(tasks []ecstypes.Task) []string {
	var out []string
	for _, t := range tasks {
		out = append(out, aws.ToString(t.ContainerInstanceArn))
	}
	return sorted(out...)
}

// instanceOfType registers a container instance whose agent reports its
// EC2 instance type, as the ECS agent does, and answers it.
func (e *ecsEnv) instanceOfType(t *testing.T, cluster, ec2ID, typ string, more ...ecstypes.Attribute) ecstypes.ContainerInstance {
	t.Helper()
	attrs := append([]ecstypes.Attribute{{Name: aws.String("ecs.instance-type"), Value: aws.String(typ)}}, more...)
	return *must(e.ecs.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String(cluster),
		InstanceIdentityDocument: aws.String(`{"instanceId":"` + ec2ID + `","availabilityZone":"us-east-1a"}`), Attributes: attrs}))(t).ContainerInstance
}

func attrValue(ci ecstypes.ContainerInstance, name string) (string, bool) {
	for _, a := range ci.Attributes {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value), true
		}
	}
	return "", false
}

// distinctInstance places each task of the task group on its own
// instance: the group's tasks already there count, those of another group
// (spelled differently), of another cluster or whose desired status is
// STOPPED do not.
func TestECSPlacementDistinctInstance(t *testing.T) {
	e := newECSEnv(t)
	for _, name := range []string{"prod", "other"} {
		must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name)}))(t)
	}
	one := e.instanceIn(t, "prod", "i-0000000000000000a", "us-east-1a")
	two := e.instanceIn(t, "prod", "i-0000000000000000b", "us-east-1b")
	three := e.instanceIn(t, "other", "i-0000000000000000c", "us-east-1a")
	e.bridgeTaskDef(t)
	run := func(cluster, group string, count int32, constraints []ecstypes.PlacementConstraint) *ecs.RunTaskOutput {
		t.Helper()
		in := &ecs.RunTaskInput{Cluster: aws.String(cluster), TaskDefinition: aws.String("bridge"), Count: aws.Int32(count), PlacementConstraints: constraints}
		if group != "" {
			in.Group = aws.String(group)
		}
		return must(e.ecs.RunTask(ctx, in))(t)
	}
	bothRefuse := sorted(one+" "+distinctUnsatisfied, two+" "+distinctUnsatisfied)

	// Another cluster's task of the group does not count.
	if out := run("other", "", 1, distinct); !slices.Equal(hostsOf(out.Tasks), []string{three}) {
		t.Fatalf("other cluster: tasks on %q, failures %q", hostsOf(out.Tasks), failed(out.Failures))
	}
	// Three tasks, two instances: two are placed, one on each; the third
	// is a failure on each instance.
	out := run("prod", "", 3, distinct)
	if got := hostsOf(out.Tasks); !slices.Equal(got, sorted(one, two)) || !slices.Equal(failed(out.Failures), bothRefuse) {
		t.Fatalf("count 3: tasks on %q, failures %q", got, failed(out.Failures))
	}
	if g := aws.ToString(out.Tasks[0].Group); g != "family:bridge" {
		t.Errorf("group %q", g)
	}
	// The group's tasks already running count, whether the group is given
	// or the default.
	for _, group := range []string{"", "family:bridge"} {
		if out := run("prod", group, 1, distinct); len(out.Tasks) != 0 || !slices.Equal(failed(out.Failures), bothRefuse) {
			t.Errorf("group %q: tasks on %q, failures %q", group, hostsOf(out.Tasks), failed(out.Failures))
		}
	}
	// A group spelled otherwise is another group; without the constraint
	// tasks go anywhere.
	for _, group := range []string{"family:Bridge", "family:bridge "} {
		if out := run("prod", group, 2, distinct); !slices.Equal(hostsOf(out.Tasks), sorted(one, two)) || len(out.Failures) != 0 {
			t.Errorf("group %q: tasks on %q, failures %q", group, hostsOf(out.Tasks), failed(out.Failures))
		}
	}
	if out := run("prod", "", 2, nil); len(out.Tasks) != 2 || len(out.Failures) != 0 {
		t.Errorf("no constraint: tasks on %q, failures %q", hostsOf(out.Tasks), failed(out.Failures))
	}

	// A task whose desired status is STOPPED no longer holds its instance,
	// though it has not stopped yet ("Amazon ECS looks at the desired
	// status of the tasks"): stop the group's tasks on one.
	arns := must(e.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("prod"), ContainerInstance: aws.String(one)}))(t).TaskArns
	tasks := must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: arns}))(t).Tasks
	for _, task := range tasks {
		if aws.ToString(task.Group) == "family:bridge" {
			must(e.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("prod"), Task: task.TaskArn}))(t)
		}
	}
	if out := run("prod", "", 2, distinct); !slices.Equal(hostsOf(out.Tasks), []string{one}) || !slices.Equal(failed(out.Failures), bothRefuse) {
		t.Errorf("after stopping: tasks on %q, failures %q", hostsOf(out.Tasks), failed(out.Failures))
	}
}

// A service with distinctInstance runs one task on each instance; what it
// cannot place waits with AWS's event, and is placed when an instance
// joins.
func TestECSPlacementDistinctInstanceService(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	one := e.instanceIn(t, "prod", "i-0000000000000000a", "us-east-1a")
	two := e.instanceIn(t, "prod", "i-0000000000000000b", "us-east-1b")
	e.bridgeTaskDef(t)
	// A task of the family's group does not hold an instance from the
	// service's group (service:web).
	must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"), Count: aws.Int32(2), PlacementConstraints: distinct}))(t)

	svc := must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("web"), TaskDefinition: aws.String("bridge"),
		DesiredCount: aws.Int32(3), PlacementConstraints: distinct}))(t).Service
	closest := min(idOf(one), idOf(two))
	want := "(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance " + closest +
		") encountered error \"DistinctInstance placement constraint unsatisfied.\". For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
	if svc.PendingCount != 2 || !slices.Contains(eventTexts(svc.Events), want) {
		t.Fatalf("service %d pending, events %q", svc.PendingCount, eventTexts(svc.Events))
	}
	serviceHosts := func() []string {
		arns := must(e.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("prod"), ServiceName: aws.String("web")}))(t).TaskArns
		return hostsOf(must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: arns}))(t).Tasks)
	}
	if got := serviceHosts(); !slices.Equal(got, sorted(one, two)) {
		t.Errorf("service tasks on %q", got)
	}
	three := e.instanceIn(t, "prod", "i-0000000000000000c", "us-east-1c")
	e.clock.Advance(20 * time.Second)
	must(e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("prod"), Services: []string{"web"}}))(t)
	if got := serviceHosts(); !slices.Equal(got, sorted(one, two, three)) {
		t.Errorf("with a third instance: service tasks on %q", got)
	}
}

// awsvpc tasks take a network interface each: an instance takes as many
// as its type allows less the primary interface; awsvpcTrunking gives
// instances registered afterwards on supported types a trunk interface
// and the developer guide's higher limit.
func TestECSPlacementNetworkInterfaces(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	must(e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("vpc"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}}))(t)
	// An agent that claims a trunk interface gets none: ECS gives it.
	small := e.instanceOfType(t, "prod", "i-0000000000000000a", "t3.medium", ecstypes.Attribute{Name: aws.String("ecs.awsvpc-trunk-id"), Value: aws.String("eni-0123456789abcdef0")})
	if v, ok := attrValue(small, "ecs.awsvpc-trunk-id"); ok {
		t.Errorf("t3.medium has trunk %q", v)
	}
	smallArn := aws.ToString(small.ContainerInstanceArn)
	on := func(ci ecstypes.ContainerInstance) []ecstypes.PlacementConstraint {
		return []ecstypes.PlacementConstraint{{Type: ecstypes.PlacementConstraintTypeMemberOf, Expression: aws.String("ec2InstanceId == " + aws.ToString(ci.Ec2InstanceId))}}
	}
	run := func(ci ecstypes.ContainerInstance, count int32) *ecs.RunTaskOutput {
		t.Helper()
		return must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("vpc"), LaunchType: ecstypes.LaunchTypeEc2,
			Count: aws.Int32(count), NetworkConfiguration: awsvpcNet, PlacementConstraints: on(ci)}))(t)
	}

	// t3.medium: 3 interfaces, 2 tasks. Putting another instance type as
	// an attribute does not change what the instance is.
	must(e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{attr("ecs.instance-type", "c5.24xlarge", smallArn)}}))(t)
	out := run(small, 3)
	if len(out.Tasks) != 2 || !slices.Equal(failed(out.Failures), []string{smallArn + " " + noENI}) {
		t.Fatalf("t3.medium: %d tasks, failures %q", len(out.Tasks), failed(out.Failures))
	}
	start := must(e.ecs.StartTask(ctx, &ecs.StartTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("vpc"), ContainerInstances: []string{smallArn}, NetworkConfiguration: awsvpcNet}))(t)
	if len(start.Tasks) != 0 || !slices.Equal(failed(start.Failures), []string{smallArn + " " + noENI}) {
		t.Errorf("StartTask on a full instance: %d tasks, failures %q", len(start.Tasks), failed(start.Failures))
	}
	// A stopped task's interface is free again once it has stopped.
	must(e.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("prod"), Task: out.Tasks[0].TaskArn}))(t)
	e.clock.Advance(time.Minute)
	if out := run(small, 1); len(out.Tasks) != 1 {
		t.Errorf("after a task stopped: %d tasks, failures %q", len(out.Tasks), failed(out.Failures))
	}

	// c5.large before opting in: 2 tasks, no trunk, and none when it
	// registers again afterwards.
	before := e.instanceOfType(t, "prod", "i-0000000000000000b", "c5.large")
	must(e.ecs.PutAccountSettingDefault(ctx, &ecs.PutAccountSettingDefaultInput{Name: ecstypes.SettingNameAwsvpcTrunking, Value: aws.String("enabled")}))(t)
	again := e.instanceOfType(t, "prod", "i-0000000000000000b", "c5.large")
	if v, ok := attrValue(again, "ecs.awsvpc-trunk-id"); ok || aws.ToString(again.ContainerInstanceArn) != aws.ToString(before.ContainerInstanceArn) {
		t.Errorf("registered before opting in: trunk %q, ARN %s then %s", v, aws.ToString(before.ContainerInstanceArn), aws.ToString(again.ContainerInstanceArn))
	}
	if out := run(before, 3); len(out.Tasks) != 2 {
		t.Errorf("c5.large without trunking: %d tasks, failures %q", len(out.Tasks), failed(out.Failures))
	}

	// c5.large after opting in: a trunk interface, 10 tasks; t3.medium
	// has no trunking.
	trunked := e.instanceOfType(t, "prod", "i-0000000000000000c", "c5.large")
	if v, ok := attrValue(trunked, "ecs.awsvpc-trunk-id"); !ok || len(v) != len("eni-0123456789abcdef0") || v[:4] != "eni-" {
		t.Errorf("c5.large after opting in: trunk %q %v", v, ok)
	}
	listed := must(e.ecs.ListAttributes(ctx, &ecs.ListAttributesInput{Cluster: aws.String("prod"), TargetType: ecstypes.TargetTypeContainerInstance,
		AttributeName: aws.String("ecs.awsvpc-trunk-id")}))(t).Attributes
	if len(listed) != 1 || aws.ToString(listed[0].TargetId) != aws.ToString(trunked.ContainerInstanceArn) {
		t.Errorf("ListAttributes ecs.awsvpc-trunk-id: %q", attrs(listed))
	}
	out = run(trunked, 11)
	// Each instance says why it took no more: the others are not the one
	// the constraint selects.
	wantFailed := sorted(aws.ToString(trunked.ContainerInstanceArn)+" "+noENI, smallArn+" "+reasonMemberOf, aws.ToString(before.ContainerInstanceArn)+" "+reasonMemberOf)
	if len(out.Tasks) != 10 || !slices.Equal(failed(out.Failures), wantFailed) {
		t.Errorf("trunked c5.large: %d tasks, failures %q", len(out.Tasks), failed(out.Failures))
	}
	// A service waits for an interface with AWS's event.
	svc := must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("api"), TaskDefinition: aws.String("vpc"),
		LaunchType: ecstypes.LaunchTypeEc2, DesiredCount: aws.Int32(1), NetworkConfiguration: awsvpcNet, PlacementConstraints: on(small)}))(t).Service
	want := "(service api) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance " + idOf(smallArn) +
		") encountered error \"RESOURCE:ENI\". For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
	if svc.PendingCount != 0 || !slices.Contains(eventTexts(svc.Events), want) {
		t.Errorf("service on a full instance: %d pending, events %q", svc.PendingCount, eventTexts(svc.Events))
	}
	late := e.instanceOfType(t, "prod", "i-0000000000000000d", "t3.medium")
	if v, ok := attrValue(late, "ecs.awsvpc-trunk-id"); ok {
		t.Errorf("t3.medium after opting in: trunk %q", v)
	}
	if out := run(late, 3); len(out.Tasks) != 2 {
		t.Errorf("t3.medium after opting in: %d tasks", len(out.Tasks))
	}
}

// Registering again keeps the custom attributes the instance has: those it
// first registered with and those put since; a registration's own custom
// attributes take effect only the first time. ECS's attributes are the
// agent's as it reports them now.
func TestECSReRegistrationKeepsAttributes(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	first := e.instanceOfType(t, "prod", "i-0000000000000000a", "t3.medium", ecstypes.Attribute{Name: aws.String("stack"), Value: aws.String("prod")})
	arn := aws.ToString(first.ContainerInstanceArn)
	must(e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{attr("tier", "web", arn)}}))(t)
	again := e.instanceOfType(t, "prod", "i-0000000000000000a", "t3.medium",
		ecstypes.Attribute{Name: aws.String("ecs.capability.task-eni")}, ecstypes.Attribute{Name: aws.String("stack"), Value: aws.String("qa")})
	if aws.ToString(again.ContainerInstanceArn) != arn {
		t.Fatalf("registered again as %s, was %s", aws.ToString(again.ContainerInstanceArn), arn)
	}
	var got []string
	for _, a := range must(e.ecs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("prod"), ContainerInstances: []string{arn}}))(t).ContainerInstances[0].Attributes {
		got = append(got, aws.ToString(a.Name)+"="+aws.ToString(a.Value))
	}
	want := sorted("ecs.instance-type=t3.medium", "ecs.capability.task-eni=", "stack=prod", "tier=web", "ecs.os-type=linux", "ecs.availability-zone=us-east-1a")
	if !slices.Equal(sorted(got...), want) {
		t.Errorf("attributes %q, want %q", sorted(got...), want)
	}
}

// ECS provisions a trunk network interface through AWSServiceRoleForECS,
// which "must be created" first: without it an instance registered with
// awsvpcTrunking enabled is REGISTRATION_FAILED, with a statusReason, and
// stays so until it is deregistered; placement and the cluster's count
// leave it out. Once the role exists, the next instance gets its trunk
// and the role's use is recorded.
func TestECSTrunkingNeedsTheServiceLinkedRole(t *testing.T) {
	e := newECSEnv(t)
	dev := userClient(t, e, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`)
	must(dev.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	must(dev.PutAccountSettingDefault(ctx, &ecs.PutAccountSettingDefaultInput{Name: ecstypes.SettingNameAwsvpcTrunking, Value: aws.String("enabled")}))(t)
	register := func(ec2ID, typ string) ecstypes.ContainerInstance {
		t.Helper()
		return *must(dev.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("prod"),
			InstanceIdentityDocument: aws.String(`{"instanceId":"` + ec2ID + `","availabilityZone":"us-east-1a"}`),
			Attributes:               []ecstypes.Attribute{{Name: aws.String("ecs.instance-type"), Value: aws.String(typ)}}}))(t).ContainerInstance
	}
	failedCI := register("i-0000000000000000a", "c5.large")
	if aws.ToString(failedCI.Status) != "REGISTRATION_FAILED" || aws.ToString(failedCI.StatusReason) != noSLR {
		t.Fatalf("without the role: %s %q", aws.ToString(failedCI.Status), aws.ToString(failedCI.StatusReason))
	}
	if v, ok := attrValue(failedCI, "ecs.awsvpc-trunk-id"); ok {
		t.Errorf("failed instance has trunk %q", v)
	}
	// Trunking does not apply to t3.medium: it registers ACTIVE.
	if ci := register("i-0000000000000000b", "t3.medium"); aws.ToString(ci.Status) != "ACTIVE" {
		t.Errorf("t3.medium without the role: %s", aws.ToString(ci.Status))
	}
	if again := register("i-0000000000000000a", "c5.large"); aws.ToString(again.Status) != "REGISTRATION_FAILED" ||
		aws.ToString(again.ContainerInstanceArn) != aws.ToString(failedCI.ContainerInstanceArn) {
		t.Errorf("registered again: %s %s", aws.ToString(again.Status), aws.ToString(again.ContainerInstanceArn))
	}
	listed := must(dev.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("prod"), Status: ecstypes.ContainerInstanceStatusRegistrationFailed}))(t)
	if !slices.Equal(listed.ContainerInstanceArns, []string{aws.ToString(failedCI.ContainerInstanceArn)}) {
		t.Errorf("REGISTRATION_FAILED instances %q", listed.ContainerInstanceArns)
	}
	cl := must(dev.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"prod"}}))(t).Clusters[0]
	if cl.RegisteredContainerInstancesCount != 1 {
		t.Errorf("registered container instances %d", cl.RegisteredContainerInstancesCount)
	}
	gone := must(dev.DeregisterContainerInstance(ctx, &ecs.DeregisterContainerInstanceInput{Cluster: aws.String("prod"), ContainerInstance: failedCI.ContainerInstanceArn}))(t).ContainerInstance
	if aws.ToString(gone.Status) != "INACTIVE" {
		t.Errorf("deregistered: %s", aws.ToString(gone.Status))
	}

	must(e.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)
	trunked := register("i-0000000000000000c", "c5.large")
	if v, ok := attrValue(trunked, "ecs.awsvpc-trunk-id"); aws.ToString(trunked.Status) != "ACTIVE" || !ok || v[:4] != "eni-" {
		t.Errorf("with the role: %s, trunk %q", aws.ToString(trunked.Status), v)
	}
	slr := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)}))(t).Role
	if slr.RoleLastUsed == nil || slr.RoleLastUsed.LastUsedDate == nil || aws.ToString(slr.RoleLastUsed.Region) != "us-east-1" {
		t.Errorf("AWSServiceRoleForECS RoleLastUsed %+v", slr.RoleLastUsed)
	}
}
