package integration

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// ECS Managed Instances keeps the instances it launches: a task placed on
// a Managed Instances provider runs on an EC2 instance of the customer's
// account, launched by ECS with the infrastructure role and the provider's
// instance profile, registered as a container instance of the cluster;
// tasks share it while it has room; the instance role's credentials are
// served by its metadata service; ECS terminates it when it is idle and
// when its provider goes.

// miEnv is a cluster prod with a Managed Instances provider mi whose
// instances (2 vCPU, 4 GiB) take several small tasks, and a task
// definition app for it.
func miEnv(t *testing.T) *ecsEnv {
	t.Helper()
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	infra := e.role(t, "ecsInfrastructureRole", ecsTrust)
	e.managedInstances(t, infra, "ecsInstanceRole")
	p := miProvider(infra, "ecsInstanceRole")
	p.InstanceLaunchTemplate.InstanceRequirements = &ecstypes.InstanceRequirementsRequest{
		VCpuCount: &ecstypes.VCpuCountRangeRequest{Min: aws.Int32(2)}, MemoryMiB: &ecstypes.MemoryMiBRequest{Min: aws.Int32(4096)}}
	p.PropagateTags = ecstypes.PropagateMITagsCapacityProvider
	must(e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("mi"), Cluster: aws.String("prod"),
		ManagedInstancesProvider: p, Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}))(t)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) {
		in.RequiresCompatibilities = []ecstypes.Compatibility{ecstypes.CompatibilityManagedInstances}
	})
	return e
}

// runMI runs count tasks of app on mi, and answers them once started.
func (e *ecsEnv) runMI(t *testing.T, count int32) []ecstypes.Task {
	t.Helper()
	out := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("app"), NetworkConfiguration: awsvpcNet,
		Count: aws.Int32(count), CapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("mi")}}}))(t)
	if len(out.Failures) > 0 {
		t.Fatalf("failures %v", out.Failures)
	}
	e.clock.Advance(time.Second)
	arns := make([]string, len(out.Tasks))
	for i, task := range out.Tasks {
		arns[i] = aws.ToString(task.TaskArn)
	}
	return must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: arns}))(t).Tasks
}

func (e *ecsEnv) containerInstance(t *testing.T, c *ecs.Client, arn string) ecstypes.ContainerInstance {
	t.Helper()
	out := must(c.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("prod"), ContainerInstances: []string{arn}}))(t)
	if len(out.ContainerInstances) != 1 {
		t.Fatalf("container instance %s: %v", arn, out.Failures)
	}
	return out.ContainerInstances[0]
}

// callerOf is GetCallerIdentity's ARN for the credentials an instance's
// metadata service gives, read by the SDK's default chain as a program on
// the instance reads them.
func callerOf(t *testing.T, e *ecsEnv, instanceID string) string {
	t.Helper()
	status, inst := ec2Endpoint(t, e.rc, http.MethodGet, "instances/"+instanceID, rootCreds)
	if status != 200 {
		t.Fatalf("instance %s: %d %v", instanceID, status, inst)
	}
	instanceEnv(t, e.rc, inst["MetadataEndpoint"].(string))
	cfg := must(config.LoadDefaultConfig(ctx))(t)
	return aws.ToString(must(sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t).Arn)
}

func TestECSManagedInstancesKeepTheirInstances(t *testing.T) {
	e := miEnv(t)
	tasks := e.runMI(t, 2)
	ciArn := aws.ToString(tasks[0].ContainerInstanceArn)
	for _, task := range tasks {
		if aws.ToString(task.LastStatus) != "RUNNING" || aws.ToString(task.ContainerInstanceArn) != ciArn || ciArn == "" {
			t.Fatalf("task %s on %q: %s", aws.ToString(task.LastStatus), aws.ToString(task.ContainerInstanceArn), aws.ToString(task.StoppedReason))
		}
	}
	ci := e.containerInstance(t, e.ecs, ciArn)
	id := aws.ToString(ci.Ec2InstanceId)
	if aws.ToString(ci.CapacityProviderName) != "mi" || aws.ToString(ci.Status) != "ACTIVE" || ci.RunningTasksCount != 2 || len(id) != 19 {
		t.Fatalf("container instance %+v", ci)
	}
	for _, r := range ci.RemainingResources {
		if aws.ToString(r.Name) == "CPU" && r.IntegerValue != 2048-2*256 {
			t.Errorf("remaining CPU %d", r.IntegerValue)
		}
	}
	if arns := must(e.ecs.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("prod")}))(t).ContainerInstanceArns; len(arns) != 1 || arns[0] != ciArn {
		t.Errorf("container instances %v", arns)
	}

	// The instance is the account's, launched by ECS with the
	// infrastructure role, tagged as ECS and EC2 tag them.
	status, list := ec2Endpoint(t, e.rc, http.MethodGet, "instances?region=us-east-1", rootCreds)
	insts, _ := list["Instances"].([]any)
	if status != 200 || len(insts) != 1 {
		t.Fatalf("instances %d %v", status, list)
	}
	inst := insts[0].(map[string]any)
	tags, _ := inst["Tags"].(map[string]any)
	want := map[string]string{"AmazonECSManaged": "true", "AmazonECSCreated": "true", "aws:ecs:clusterName": "prod", "aws:ecs:capacityProviderName": "mi",
		"aws:ecs:containerInstanceId": ciArn[len(ciArn)-32:], "aws:ec2:managed-launch": "ecs-managed-instances", "team": "web"}
	for k, v := range want {
		if tags[k] != v {
			t.Errorf("tag %s = %v, want %s", k, tags[k], v)
		}
	}
	if inst["InstanceId"] != id || inst["State"] != "running" || inst["Operator"] != "ecs.amazonaws.com" ||
		inst["InstanceProfileArn"] != "arn:aws:iam::"+account+":instance-profile/ecsInstanceRole" ||
		inst["LaunchedBy"] != "arn:aws:sts::"+account+":assumed-role/ecsInfrastructureRole/ECSManagedInstancesForCompute" {
		t.Errorf("instance %v", inst)
	}

	// Its metadata service gives the instance role's credentials, in the
	// instance's session.
	if got, want := callerOf(t, e, id), "arn:aws:sts::"+account+":assumed-role/ecsInstanceRole/"+id; got != want {
		t.Errorf("caller %s, want %s", got, want)
	}

	// Another account sees neither the instance nor the cluster.
	other := aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "test"}
	if status, body := ec2Endpoint(t, e.rc, http.MethodGet, "instances/"+id, other); status != 400 || body["__type"] != "InvalidInstanceID.NotFound" ||
		body["message"] != "The instance ID '"+id+"' does not exist" {
		t.Errorf("another account: %d %v", status, body)
	}
	if status, body := ec2Endpoint(t, e.rc, http.MethodGet, "instances?region=us-east-1", other); status != 200 || len(body["Instances"].([]any)) != 0 {
		t.Errorf("another account lists %d %v", status, body)
	}
	cfg := e.rc.Config.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider("111122223333", "test", "")
	theirs := ecs.NewFromConfig(cfg)
	_, err := theirs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("prod"), ContainerInstances: []string{ciArn}})
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:iam::111122223333:root is not authorized to perform: ecs:DescribeContainerInstances on resource: "+ciArn+
		" because no resource-based policy allows the ecs:DescribeContainerInstances action")
	_, err = theirs.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("prod")})
	wantErr(t, err, 400, "ClusterNotFoundException", "Cluster not found.")

	// Idle, it is deregistered and terminated, through
	// AWSServiceRoleForECSCompute, once ECS looks again.
	for _, task := range tasks {
		must(e.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("prod"), Task: task.TaskArn}))(t)
	}
	e.clock.Advance(time.Minute)
	if ci := e.containerInstance(t, e.ecs, ciArn); aws.ToString(ci.Status) != "INACTIVE" {
		t.Errorf("idle container instance %s", aws.ToString(ci.Status))
	}
	if status, body := ec2Endpoint(t, e.rc, http.MethodGet, "instances?region=us-east-1", rootCreds); status != 200 || body["Instances"].([]any)[0].(map[string]any)["State"] != "terminated" {
		t.Errorf("idle instance %d %v", status, body)
	}
	used := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECSCompute)}))(t).Role.RoleLastUsed
	if used == nil || aws.ToString(used.Region) != "us-east-1" {
		t.Errorf("AWSServiceRoleForECSCompute last used %+v", used)
	}

	// The next task gets a new instance; deleting the provider, once no
	// task runs on it, terminates it, and then ECS deletes its role.
	next := e.runMI(t, 1)[0]
	nextCI := aws.ToString(next.ContainerInstanceArn)
	if aws.ToString(next.LastStatus) != "RUNNING" || nextCI == ciArn || nextCI == "" {
		t.Fatalf("next task %s on %s", aws.ToString(next.LastStatus), nextCI)
	}
	nextID := aws.ToString(e.containerInstance(t, e.ecs, nextCI).Ec2InstanceId)
	_, err = e.ecs.DeleteCapacityProvider(ctx, &ecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("mi")})
	wantErr(t, err, 400, "ResourceInUseException", "The specified capacity provider is in use and cannot be removed.")
	must(e.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("prod"), Task: next.TaskArn}))(t)
	e.clock.Advance(time.Minute)
	must(e.ecs.DeleteCapacityProvider(ctx, &ecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("mi")}))(t)
	if status, body := ec2Endpoint(t, e.rc, http.MethodGet, "instances?region=us-east-1", rootCreds); status != 200 {
		t.Fatalf("instances %d %v", status, body)
	} else {
		for _, v := range body["Instances"].([]any) {
			if v := v.(map[string]any); v["InstanceId"] == nextID && v["State"] != "terminated" {
				t.Errorf("the deleted provider's instance %v", v)
			}
		}
	}
	if ci := e.containerInstance(t, e.ecs, nextCI); aws.ToString(ci.Status) != "INACTIVE" {
		t.Errorf("the deleted provider's container instance %s", aws.ToString(ci.Status))
	}
	if _, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECSCompute)}); err == nil {
		t.Error("AWSServiceRoleForECSCompute outlived the last Managed Instances provider")
	}
}

// The agent on a Managed Instances instance acts with the role its
// instance profile gives it now: a role put in the profile after the
// launch is what its metadata service serves and what takes the next task
// on it.
func TestECSManagedInstancesAgentActsWithTheRoleNow(t *testing.T) {
	e := miEnv(t)
	first := e.runMI(t, 1)[0]
	if aws.ToString(first.LastStatus) != "RUNNING" {
		t.Fatalf("task %s %q", aws.ToString(first.LastStatus), aws.ToString(first.StoppedReason))
	}
	ciArn := aws.ToString(first.ContainerInstanceArn)
	id := aws.ToString(e.containerInstance(t, e.ecs, ciArn).Ec2InstanceId)

	// ecsInstanceRole2 may register an instance, not take tasks.
	e.role(t, "ecsInstanceRole2", ec2Trust)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ecsInstanceRole2"), PolicyName: aws.String("register"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:DiscoverPollEndpoint","ecs:RegisterContainerInstance"],"Resource":"*"}]}`)}))(t)
	must(e.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("ecsInstanceRole")}))(t)
	must(e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("ecsInstanceRole2")}))(t)
	if got, want := callerOf(t, e, id), "arn:aws:sts::"+account+":assumed-role/ecsInstanceRole2/"+id; got != want {
		t.Errorf("caller %s, want %s", got, want)
	}
	second := e.runMI(t, 1)[0]
	if aws.ToString(second.ContainerInstanceArn) != ciArn {
		t.Fatalf("the second task is on %s, not %s", aws.ToString(second.ContainerInstanceArn), ciArn)
	}
	wantStopped(t, second, "User: arn:aws:sts::"+account+":assumed-role/ecsInstanceRole2/"+id+" is not authorized to perform: ecs:Poll on resource: "+ciArn+
		" because no identity-based policy allows the ecs:Poll action")

	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsInstanceRole2"), PolicyArn: aws.String(instancePolicy)}))(t)
	third := e.runMI(t, 1)[0]
	if aws.ToString(third.LastStatus) != "RUNNING" || aws.ToString(third.ContainerInstanceArn) != ciArn {
		t.Errorf("task %s on %s: %q", aws.ToString(third.LastStatus), aws.ToString(third.ContainerInstanceArn), aws.ToString(third.StoppedReason))
	}
}

// An infrastructure role that may not run instances launches none: the
// task stops with the refusal, and no instance is left in the account.
func TestECSManagedInstancesInfrastructureRoleMayNotRunInstances(t *testing.T) {
	e := miEnv(t)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ecsInfrastructureRole"), PolicyName: aws.String("no-run"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}]}`)}))(t)
	task := e.runMI(t, 1)[0]
	wantStopped(t, task, "ResourceInitializationError: Amazon ECS could not launch a Managed Instances instance for capacity provider mi: User: arn:aws:sts::"+account+
		":assumed-role/ecsInfrastructureRole/ECSManagedInstancesForCompute is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:"+account+
		":instance/* with an explicit deny in an identity-based policy")
	if task.ContainerInstanceArn != nil {
		t.Errorf("the task is on %s", aws.ToString(task.ContainerInstanceArn))
	}
	if status, body := ec2Endpoint(t, e.rc, http.MethodGet, "instances?region=us-east-1", rootCreds); status != 200 || len(body["Instances"].([]any)) != 0 {
		t.Errorf("instances %d %v", status, body)
	}
	if arns := must(e.ecs.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("prod")}))(t).ContainerInstanceArns; len(arns) != 0 {
		t.Errorf("container instances %v", arns)
	}
}

// An instance whose agent cannot register (its role does not trust EC2)
// is terminated at once; the task stops with EC2's answer to the
// instance.
func TestECSManagedInstancesRoleEC2CannotAssume(t *testing.T) {
	e := miEnv(t)
	must(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ecsInstanceRole"), PolicyDocument: aws.String(ecsTasksTrust)}))(t)
	task := e.runMI(t, 1)[0]
	wantStopped(t, task, "ResourceInitializationError: Amazon ECS could not launch a Managed Instances instance for capacity provider mi: "+
		"EC2 cannot assume the role ecsInstanceRole.  Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_iam-ec2.html#troubleshoot_iam-ec2_errors-info-doc.")
	status, body := ec2Endpoint(t, e.rc, http.MethodGet, "instances?region=us-east-1", rootCreds)
	insts, _ := body["Instances"].([]any)
	if status != 200 || len(insts) != 1 || insts[0].(map[string]any)["State"] != "terminated" {
		t.Errorf("instances %d %v", status, body)
	}
}
