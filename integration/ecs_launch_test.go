package integration

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// What ECS does with a task's execution role when the task starts: the
// agent authenticates to ECR, reads the secrets, pulls the image and
// creates the log stream with the role's session, and the first refusal
// stops the task with AWS's stoppedReason (the texts of real tasks,
// internal/ecsroles/refusal.go cites them).

const (
	execPolicy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
	secretARN  = "arn:aws:secretsmanager:us-east-1:" + account + ":secret:prod/db-AbC123"
	ecrImage   = account + ".dkr.ecr.us-east-1.amazonaws.com/web:1.4"
)

// execTask registers a Fargate task definition whose one container pulls
// image, logs with awslogs to /ecs/web and reads secrets, runs it, and
// answers the task once the launch is over.
func (e *ecsEnv) execTask(t *testing.T, family, execRole, image string, secrets ...string) ecstypes.Task {
	t.Helper()
	var sec []ecstypes.Secret
	for i, s := range secrets {
		sec = append(sec, ecstypes.Secret{Name: aws.String("S" + string(rune('A'+i))), ValueFrom: aws.String(s)})
	}
	fargateTaskDef(t, e.ecs, family, func(in *ecs.RegisterTaskDefinitionInput) {
		in.ExecutionRoleArn = aws.String(execRole)
		in.ContainerDefinitions = []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String(image), Secrets: sec,
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs,
				Options: map[string]string{"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}}}}
	})
	task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String(family), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	e.clock.Advance(time.Second)
	return must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn)}}))(t).Tasks[0]
}

// requestIDs stand for the refused call's request ID, which differs each
// time.
var requestIDs = regexp.MustCompile(`(RequestID: |request id: )[0-9a-f-]{36}`)

func wantStopped(t *testing.T, task ecstypes.Task, reason string) {
	t.Helper()
	got := requestIDs.ReplaceAllString(aws.ToString(task.StoppedReason), "${1}ID")
	if aws.ToString(task.LastStatus) != "STOPPED" || task.StopCode != ecstypes.TaskStopCodeTaskFailedToStart || got != reason {
		t.Errorf("task %s %s\n got: %s\nwant: %s", aws.ToString(task.LastStatus), task.StopCode, got, reason)
	}
}

func TestECSExecutionRoleAtLaunch(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	exec := e.role(t, "ecsTaskExecutionRole", ecsTasksTrust)
	id := func(task ecstypes.Task) string { return taskIDOf(aws.ToString(task.TaskArn)) }
	session := func(task ecstypes.Task) string {
		return "User: arn:aws:sts::" + account + ":assumed-role/ecsTaskExecutionRole/" + id(task) + " is not authorized to perform: "
	}

	// No policy at all: the first thing the agent does, registry
	// authentication, is refused.
	task := e.execTask(t, "bare", exec, ecrImage, secretARN)
	wantStopped(t, task, "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 1 time(s): operation error ECR: GetAuthorizationToken, https response error StatusCode: 400, RequestID: ID, api error AccessDeniedException: "+
		session(task)+"ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action")

	// AmazonECSTaskExecutionRolePolicy covers ECR and the log stream, not
	// the secret.
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsTaskExecutionRole"), PolicyArn: aws.String(execPolicy)}))(t)
	task = e.execTask(t, "secret", exec, ecrImage, secretARN)
	wantStopped(t, task, "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret "+secretARN+" from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: ID, api error AccessDeniedException: "+
		session(task)+"secretsmanager:GetSecretValue on resource: "+secretARN+" because no identity-based policy allows the secretsmanager:GetSecretValue action")

	// A Parameter Store parameter by name, in the task's Region.
	task = e.execTask(t, "param", exec, "nginx", "/prod/api-key")
	wantStopped(t, task, "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): operation error SSM: GetParameters, https response error StatusCode: 400, RequestID: ID, api error AccessDeniedException: "+
		session(task)+"ssm:GetParameters on resource: arn:aws:ssm:us-east-1:"+account+":parameter/prod/api-key because no identity-based policy allows the ssm:GetParameters action")

	// The secret allowed: the task runs, and the role's use is recorded.
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ecsTaskExecutionRole"), PolicyName: aws.String("secrets"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","ssm:GetParameters"],"Resource":["` + secretARN + `","arn:aws:ssm:us-east-1:` + account + `:parameter/prod/*"]}]}`)}))(t)
	task = e.execTask(t, "ok", exec, ecrImage, secretARN, "/prod/api-key")
	if aws.ToString(task.LastStatus) != "RUNNING" || aws.ToString(task.StoppedReason) != "" {
		t.Errorf("task %s %q", aws.ToString(task.LastStatus), aws.ToString(task.StoppedReason))
	}
	accessed := servicesAccessed(t, e.iam, exec)
	for _, ns := range []string{"ecr", "logs", "secretsmanager", "ssm"} {
		if accessed[ns] == nil {
			t.Errorf("%s not recorded as used by the execution role: %v", ns, accessed)
		}
	}

	// An explicit deny on the log group: the awslogs driver's refusal.
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ecsTaskExecutionRole"), PolicyName: aws.String("no-logs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"logs:*","Resource":"arn:aws:logs:*:*:log-group:/ecs/web:*"}]}`)}))(t)
	task = e.execTask(t, "logs", exec, ecrImage)
	wantStopped(t, task, "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: "+
		session(task)+"logs:CreateLogStream on resource: arn:aws:logs:us-east-1:"+account+":log-group:/ecs/web:log-stream:ecs/web/"+id(task)+" with an explicit deny in an identity-based policy status code: 400, request id: ID : exit status 1")

	// A service whose tasks are refused: each starts, stops with the
	// reason, and the service says so.
	must(e.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("ecsTaskExecutionRole"), PolicyName: aws.String("secrets")}))(t)
	svc := must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("secret"),
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Service
	var started, refused string
	for _, ev := range svc.Events {
		switch m := aws.ToString(ev.Message); {
		case strings.HasPrefix(m, "(service web) has started 1 tasks: (task "):
			started = m
		case strings.HasPrefix(m, "(service web) was unable to place a task. Reason: ResourceInitializationError: unable to pull secrets or registry auth: "):
			refused = m
		}
	}
	if started == "" || !strings.HasSuffix(refused, "because no identity-based policy allows the secretsmanager:GetSecretValue action.") {
		t.Errorf("service events %v", eventTexts(svc.Events))
	}
	e.clock.Advance(time.Second)
	stopped := must(e.ecs.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String("web"), DesiredStatus: ecstypes.DesiredStatusStopped}))(t).TaskArns
	if len(stopped) != 1 {
		t.Errorf("stopped tasks of the service: %v", stopped)
	}
}

func eventTexts(evs []ecstypes.ServiceEvent) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, aws.ToString(ev.Message))
	}
	return out
}

func taskIDOf(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// The task role trust policy the ECS developer guide recommends, with
// aws:SourceAccount and aws:SourceArn: ECS sends both when it assumes the
// role, so the task runs; a trust naming another account does not.
func TestECSTaskRoleTrustWithSourceConditions(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	trust := func(acct string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole",
			"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:` + acct + `:*"},"StringEquals":{"aws:SourceAccount":"` + acct + `"}}}]}`
	}
	good := e.role(t, "guided", trust(account))
	other := e.role(t, "otherAccount", trust("111122223333"))
	for _, c := range []struct {
		role, status string
	}{{good, "RUNNING"}, {other, "STOPPED"}} {
		fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(c.role) })
		task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
		e.clock.Advance(time.Second)
		got := must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn)}}))(t).Tasks[0]
		if aws.ToString(got.LastStatus) != c.status {
			t.Errorf("%s: task %s %q", c.role, aws.ToString(got.LastStatus), aws.ToString(got.StoppedReason))
		}
	}
}

// "Amazon ECS creates the service-linked role for you when you create a
// cluster, or create or update a service": CreateService as root in an
// account without AWSServiceRoleForECS creates it; a user who may not
// create it gets AWS's error.
func TestECSCreateServiceCreatesTheServiceLinkedRole(t *testing.T) {
	e := newECSEnv(t)
	// A user allowed everything in ECS, but not to create the role: the
	// cluster is created without it.
	dev := userClient(t, e, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`)
	must(dev.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	fargateTaskDef(t, dev, "app")
	if _, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")}); err == nil {
		t.Fatal("AWSServiceRoleForECS exists before any caller could create it")
	}
	_, err := dev.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("app"),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet})
	wantErr(t, err, 400, "InvalidParameterException", "Unable to assume the service linked role. Please verify that the ECS service linked role exists.")

	svc := must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("app"),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Service
	if aws.ToString(svc.Status) != "ACTIVE" {
		t.Errorf("service %s", aws.ToString(svc.Status))
	}
	role := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")}))(t).Role
	if aws.ToString(role.Path) != "/aws-service-role/ecs.amazonaws.com/" {
		t.Errorf("role %s at %s", aws.ToString(role.RoleName), aws.ToString(role.Path))
	}
}

// A capacity provider that a service uses, or that tasks run on, cannot be
// taken away: ResourceInUseException, as AWS answers for Auto Scaling
// group providers; a provider associated with another cluster is not
// deleted, with AWS's reason.
func TestECSCapacityProviderInUse(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	infra := e.role(t, "ecsInfrastructureRole", ecsTrust)
	e.managedInstances(t, infra, "ecsInstanceRole")
	must(e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("mi"), Cluster: aws.String("prod"),
		ManagedInstancesProvider: miProvider(infra, "ecsInstanceRole")}))(t)
	must(e.ecs.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{Cluster: aws.String("prod"), CapacityProviders: []string{"mi"},
		DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("mi"), Weight: 1}}}))(t)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) {
		in.RequiresCompatibilities = []ecstypes.Compatibility{ecstypes.CompatibilityManagedInstances}
	})
	task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("app"), NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	if aws.ToString(task.CapacityProviderName) != "mi" {
		t.Fatalf("the task runs on %q", aws.ToString(task.CapacityProviderName))
	}
	_, err := e.ecs.DeleteCapacityProvider(ctx, &ecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("mi")})
	wantErr(t, err, 400, "ResourceInUseException", "The specified capacity provider is in use and cannot be removed.")
	if got := must(e.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"prod"}}))(t).Clusters[0]; len(got.CapacityProviders) != 1 {
		t.Errorf("the cluster's providers %v", got.CapacityProviders)
	}
	if _, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECSCompute")}); err != nil {
		t.Errorf("AWSServiceRoleForECSCompute: %v", err)
	}

	// Once the task stops the provider goes, and ECS deletes its
	// service-linked role with the last one.
	must(e.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("prod"), Task: task.TaskArn}))(t)
	e.clock.Advance(time.Minute)
	del := must(e.ecs.DeleteCapacityProvider(ctx, &ecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("mi")}))(t).CapacityProvider
	if del.UpdateStatus != ecstypes.CapacityProviderUpdateStatusDeleteInProgress {
		t.Errorf("deletion %s", del.UpdateStatus)
	}

	// An Auto Scaling group provider used by a service cannot be removed
	// from its cluster; associated with it, it is not deleted.
	asg := "arn:aws:autoscaling:us-east-1:" + account + ":autoScalingGroup:0123:autoScalingGroupName/web"
	must(e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("asg"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProvider{AutoScalingGroupArn: aws.String(asg)}}))(t)
	must(e.ecs.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{Cluster: aws.String("prod"), CapacityProviders: []string{"asg"},
		DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{}}))(t)
	must(e.ecs.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("prod")}))(t)
	e.bridgeTaskDef(t)
	must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("web"), TaskDefinition: aws.String("bridge"),
		CapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("asg"), Weight: 1}}}))(t)
	_, err = e.ecs.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{Cluster: aws.String("prod"), CapacityProviders: []string{},
		DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{}})
	wantErr(t, err, 400, "ResourceInUseException", "The specified capacity provider is in use and cannot be removed.")
	got := must(e.ecs.DeleteCapacityProvider(ctx, &ecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("asg")}))(t).CapacityProvider
	if got.UpdateStatus != ecstypes.CapacityProviderUpdateStatusDeleteFailed ||
		aws.ToString(got.UpdateStatusReason) != "The capacity provider cannot be deleted because it is associated with cluster: prod. Remove the capacity provider from the cluster and try again." {
		t.Errorf("deletion %s %q", got.UpdateStatus, aws.ToString(got.UpdateStatusReason))
	}
}

const (
	infraPolicy    = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances"
	instancePolicy = "arn:aws:iam::aws:policy/AmazonECSInstanceRolePolicyForManagedInstances"

	privateSubnet = "subnet-0123456789abcdef0"
)

// managedInstances gives the infrastructure role its AWS managed policy,
// and makes an instance role of that name, with its own, in an instance
// profile of the same name.
func (e *ecsEnv) managedInstances(t *testing.T, infra, instanceRole string) {
	t.Helper()
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(infra[strings.LastIndexByte(infra, '/')+1:]), PolicyArn: aws.String(infraPolicy)}))(t)
	e.role(t, instanceRole, ec2Trust)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(instanceRole), PolicyArn: aws.String(instancePolicy)}))(t)
	must(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(instanceRole)}))(t)
	must(e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(instanceRole), RoleName: aws.String(instanceRole)}))(t)
}

func miProvider(infra, profile string) *ecstypes.CreateManagedInstancesProviderConfiguration {
	return &ecstypes.CreateManagedInstancesProviderConfiguration{InfrastructureRoleArn: aws.String(infra),
		InstanceLaunchTemplate: &ecstypes.InstanceLaunchTemplate{Ec2InstanceProfileArn: aws.String("arn:aws:iam::" + account + ":instance-profile/" + profile),
			NetworkConfiguration: &ecstypes.ManagedInstancesNetworkConfiguration{Subnets: []string{privateSubnet}}}}
}

// Managed Instances: ECS launches each task's instance with the capacity
// provider's infrastructure role, which passes the instance profile's role
// to EC2. AmazonECSInfrastructureRolePolicyForManagedInstances allows that
// only for roles named ecsInstanceRole*: "a mismatched name causes an
// authorization error at task launch". A profile that does not exist is
// refused when the provider is created.
func TestECSManagedInstancesInfrastructureRole(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	infra := e.role(t, "ecsInfrastructureRole", ecsTrust)
	e.managedInstances(t, infra, "MyStack-InstanceRole-ABC123")

	_, err := e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("gone"), Cluster: aws.String("prod"),
		ManagedInstancesProvider: miProvider(infra, "nope")})
	wantErr(t, err, 400, "InvalidParameterException", "The instance profile arn:aws:iam::"+account+":instance-profile/nope is not valid. Specify an existing instance profile and try again.")

	must(e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("mi"), Cluster: aws.String("prod"),
		ManagedInstancesProvider: miProvider(infra, "MyStack-InstanceRole-ABC123")}))(t)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) {
		in.RequiresCompatibilities = []ecstypes.Compatibility{ecstypes.CompatibilityManagedInstances}
	})
	run := func() ecstypes.Task {
		task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("app"), NetworkConfiguration: awsvpcNet,
			CapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("mi")}}}))(t).Tasks[0]
		e.clock.Advance(time.Second)
		return must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: []string{aws.ToString(task.TaskArn)}}))(t).Tasks[0]
	}
	wantStopped(t, run(), "ResourceInitializationError: Amazon ECS could not launch a Managed Instances instance for capacity provider mi: "+
		"User: arn:aws:sts::"+account+":assumed-role/ecsInfrastructureRole/ECSManagedInstancesForCompute is not authorized to perform: iam:PassRole on resource: arn:aws:iam::"+account+":role/MyStack-InstanceRole-ABC123 because no identity-based policy allows the iam:PassRole action")

	// Allowed to pass it to EC2: the instance runs, and its agent
	// registers it with the instance role, which must allow it.
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ecsInfrastructureRole"), PolicyName: aws.String("pass"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::` + account + `:role/MyStack-InstanceRole-ABC123","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}`)}))(t)
	must(e.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("MyStack-InstanceRole-ABC123"), PolicyArn: aws.String(instancePolicy)}))(t)
	got := run()
	reason := regexp.MustCompile(`/i-[0-9a-f]{17} `).ReplaceAllString(aws.ToString(got.StoppedReason), "/i-ID ")
	if want := "ResourceInitializationError: Amazon ECS could not launch a Managed Instances instance for capacity provider mi: User: arn:aws:sts::" + account +
		":assumed-role/MyStack-InstanceRole-ABC123/i-ID is not authorized to perform: ecs:DiscoverPollEndpoint because no identity-based policy allows the ecs:DiscoverPollEndpoint action"; reason != want {
		t.Errorf("task %s\n got: %s\nwant: %s", aws.ToString(got.LastStatus), reason, want)
	}
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("MyStack-InstanceRole-ABC123"), PolicyArn: aws.String(instancePolicy)}))(t)
	if got := run(); aws.ToString(got.LastStatus) != "RUNNING" {
		t.Errorf("task %s %q", aws.ToString(got.LastStatus), aws.ToString(got.StoppedReason))
	}
}

func (e *ecsEnv) bridgeTaskDef(t *testing.T) {
	t.Helper()
	must(e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("bridge"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}}))(t)
}

// userClient creates a user with an inline policy and answers an ECS
// client acting as the user.
func userClient(t *testing.T, e *ecsEnv, name, policy string) *ecs.Client {
	t.Helper()
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))(t)
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))(t)
	key := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))(t).AccessKey
	cfg := e.rc.Config.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), "")
	return ecs.NewFromConfig(cfg)
}

// On a container instance, a task without an execution role has the ECS
// agent pull and log with the instance role: the credentials the agent
// got from the instance's metadata service, in the instance's session. An
// instance role that may register the instance but not read ECR stops the
// task as the agent does; AmazonEC2ContainerServiceforEC2Role lets it run.
func TestECSInstanceRoleAtLaunch(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	instanceProfile(t, e.iam, "agentOnly", ec2Trust)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("agentOnly"), PolicyName: aws.String("agent"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:RegisterContainerInstance","ecs:DiscoverPollEndpoint","ecs:Poll","ecs:SubmitTaskStateChange"],"Resource":"*"}]}`)}))(t)
	status, inst := launchInstance(t, e.rc, "agentOnly", rootCreds)
	if status != 200 {
		t.Fatalf("launch: %d %v", status, inst)
	}
	id := inst["InstanceId"].(string)
	instanceEnv(t, e.rc, inst["MetadataEndpoint"].(string))
	agent := ecs.NewFromConfig(must(config.LoadDefaultConfig(ctx))(t))
	ci := must(agent.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("prod")}))(t).ContainerInstance

	must(e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String(ecrImage), Memory: aws.Int32(128),
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1"}}}}}))(t)
	run := func() ecstypes.Task {
		task := must(e.ecs.StartTask(ctx, &ecs.StartTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("web"), ContainerInstances: []string{aws.ToString(ci.ContainerInstanceArn)}}))(t).Tasks[0]
		e.clock.Advance(time.Second)
		return must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: []string{aws.ToString(task.TaskArn)}}))(t).Tasks[0]
	}
	wantStopped(t, run(), "CannotPullECRContainerError: AccessDeniedException: User: arn:aws:sts::"+account+":assumed-role/agentOnly/"+id+
		" is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action status code: 400, request id: ID")

	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("agentOnly"), PolicyArn: aws.String(ec2ContainerServiceForEC2Role)}))(t)
	if got := run(); aws.ToString(got.LastStatus) != "RUNNING" {
		t.Errorf("task %s %q", aws.ToString(got.LastStatus), aws.ToString(got.StoppedReason))
	}
}
