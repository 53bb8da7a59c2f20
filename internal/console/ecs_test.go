package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	sdkimds "github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/internal/imds"
)

func TestECSPages(t *testing.T) {
	e := newEnv(t)
	id, reason := e.stoppedTask(t, "eu-west-1", "prod")
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("home")}))(t)
	b := e.signedIn(t, "test", "test")

	// The clusters of the Region asked, us-east-1 by default.
	_, body := b.get("/console/ecs/clusters")
	has(t, body, "Clusters <span class=\"count\">(1)</span>", ">home</a>")
	_, body = b.get("/console/ecs/clusters?region=eu-west-1")
	has(t, body, ">prod</a>", `<option value="eu-west-1" selected>`)
	hasNot(t, body, ">home</a>")
	// Not a Region: the default.
	_, body = b.get("/console/ecs/clusters?region=mars")
	has(t, body, ">home</a>")

	// The cluster's tasks: the stopped one with its stop code and reason,
	// its execution role linked to its IAM page.
	_, body = b.get("/console/ecs/clusters/prod?region=eu-west-1&tab=tasks")
	has(t, body, `id="tab-tasks" aria-current="page"`, `<tr data-task="`+id+`">`, "STOPPED", `<td class="stop-code">TaskFailedToStart</td>`, reason,
		`<a href="/console/iam/roles/details/ecsTaskExecutionRole">ecsTaskExecutionRole</a>`)
	// The task's page, with the doctor's reading of its stopped reason.
	_, body = b.get("/console/ecs/clusters/prod/tasks/" + id + "?region=eu-west-1")
	has(t, body, "Stopped reason", reason, "TaskFailedToStart", `<dd id="execution-role"><a href="/console/iam/roles/details/ecsTaskExecutionRole">`,
		`<details class="explained"><summary>`)
	if !strings.Contains(reason, "is not authorized to perform") {
		t.Errorf("reason %q", reason)
	}

	status, body := b.get("/console/ecs/clusters/prod")
	if status != http.StatusNotFound {
		t.Errorf("cluster in another Region: %d", status)
	}
	has(t, body, "Cluster prod not found in us-east-1 (MISSING).")

	// Without ECS permissions, the console's words and ECS's action.
	keyID, secret := e.user(t, "viewer", "iam:ListRoles")
	ub := e.signedIn(t, keyID, secret)
	status, body = ub.get("/console/ecs/clusters?region=eu-west-1")
	if status != http.StatusForbidden {
		t.Errorf("status %d", status)
	}
	has(t, body, "You need permissions", "is not authorized to perform: ecs:ListClusters", `<dd class="action">ecs:ListClusters</dd>`)
	_, body = ub.get("/console/ecs/clusters/prod?region=eu-west-1")
	has(t, body, "You need permissions", "ecs:DescribeClusters")

	// A user who may describe the cluster but not its tasks or services
	// sees why the tab is empty.
	keyID, secret = e.user(t, "clusters", "ecs:DescribeClusters", "ecs:ListClusters")
	cb := e.signedIn(t, keyID, secret)
	_, body = cb.get("/console/ecs/clusters/prod?region=eu-west-1&tab=tasks")
	has(t, body, "Cluster overview", "You need permissions", "ecs:ListTasks")
	_, body = cb.get("/console/ecs/clusters/prod?region=eu-west-1")
	has(t, body, "Cluster overview", "You need permissions", `<dd class="action">ecs:ListServices</dd>`)
}

// A cluster's services, and its infrastructure: its capacity providers
// and its container instances, each with the role in its EC2 instance's
// instance profile, read from EC2 and IAM as the signed-in principal.
func TestECSClusterServicesAndInfrastructure(t *testing.T) {
	e := newEnv(t)
	e.failingService(t, "eu-west-1", "prod", "api")
	eu := e.ecsIn("eu-west-1")
	must(eu.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{Cluster: aws.String("prod"),
		CapacityProviders:               []string{"FARGATE", "FARGATE_SPOT"},
		DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 4, Base: 1}}}))(t)
	ec2ID := e.registered(t, "eu-west-1", "prod", "web-hosts", "webhost")
	b := e.signedIn(t, "test", "test")

	_, body := b.get("/console/ecs/clusters/prod?region=eu-west-1")
	has(t, body, `id="tab-services" aria-current="page"`, "Services (1)",
		`<tr data-service="api"><td><a href="/console/ecs/clusters/prod/services/api?region=eu-west-1">api</a></td><td>ACTIVE</td>`,
		"<td>0/1 Tasks running</td><td>api:1</td><td>FARGATE</td><td class=\"rollout\">IN_PROGRESS</td>")

	_, body = b.get("/console/ecs/clusters/prod?region=eu-west-1&tab=infrastructure")
	has(t, body, "Capacity providers (2)", `<tr data-provider="FARGATE_SPOT"><td>FARGATE_SPOT</td><td>FARGATE_SPOT</td><td>ACTIVE</td><td>FARGATE_SPOT (base 1, weight 4)</td>`,
		"Container instances (1)", "<td>"+ec2ID+"</td><td>ACTIVE</td>",
		`<td class="instance-profile"><span title="arn:aws:iam::`+account+`:instance-profile/web-hosts">web-hosts</span></td>`,
		`<td class="instance-role"><a href="/console/iam/roles/details/webhost">webhost</a></td>`)

	// A user who may read ECS but not EC2 sees the instances, and why
	// their roles are missing: EC2's refusal in the console's words.
	keyID, secret := e.user(t, "ecsreader", "ecs:Describe*", "ecs:List*", "iam:Get*")
	_, body = e.signedIn(t, keyID, secret).get("/console/ecs/clusters/prod?region=eu-west-1&tab=infrastructure")
	has(t, body, "Container instances (1)", "<td>"+ec2ID+"</td>", "You need permissions", `<dd class="action">ec2:DescribeInstances</dd>`,
		"You are not authorized to perform this operation. User: arn:aws:iam::"+account+":user/ecsreader is not authorized to perform: ec2:DescribeInstances")
	hasNot(t, body, `<a href="/console/iam/roles/details/webhost">`)
	// And one who may read EC2 but not IAM's instance profiles.
	keyID, secret = e.user(t, "noiam", "ecs:Describe*", "ecs:List*", "ec2:DescribeInstances")
	_, body = e.signedIn(t, keyID, secret).get("/console/ecs/clusters/prod?region=eu-west-1&tab=infrastructure")
	has(t, body, `<span title="arn:aws:iam::`+account+`:instance-profile/web-hosts">web-hosts</span>`, `<dd class="action">iam:GetInstanceProfile</dd>`,
		"<dd>arn:aws:iam::"+account+":instance-profile/web-hosts</dd>")
}

// failingService creates, in cluster of region, a Fargate service whose
// task execution role trusts EC2 instead of ECS tasks: ECS cannot assume
// it, and the service's event says so in AWS's words.
func (e *env) failingService(t testing.TB, region, cluster, name string) {
	t.Helper()
	c := e.ecsIn(region)
	must(c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(cluster)}))(t)
	e.role(t, name+"Execution", ec2Trust)
	must(c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(name), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		ExecutionRoleArn:     aws.String("arn:aws:iam::" + account + ":role/" + name + "Execution"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String(name), Image: aws.String(account + ".dkr.ecr." + region + ".amazonaws.com/" + name + ":1")}},
	}))(t)
	must(c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(cluster), ServiceName: aws.String(name), TaskDefinition: aws.String(name),
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0123456789abcdef0"}}}}))(t)
}

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// unableToAssume is ECS's stopped reason and service event text for a
// task role or execution role it cannot assume.
func unableToAssume(roleArn string) string {
	return "ECS was unable to assume the role '" + roleArn + "' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role."
}

// registered launches an EC2 instance in region with instance profile
// profile holding role (both created, the role allowed to register
// container instances) and has its ECS agent, acting with the credentials
// the instance's metadata service gives, register it in cluster. It
// answers the EC2 instance's ID.
func (e *env) registered(t testing.TB, region, cluster, profile, role string) string {
	t.Helper()
	e.role(t, role, ec2Trust)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("register"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:RegisterContainerInstance","Resource":"*"}]}`)}))(t)
	must(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(profile)}))(t)
	must(e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(profile), RoleName: aws.String(role)}))(t)
	res := must(ec2.NewFromConfig(e.config("test", "test", region)).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"),
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String(profile)}}))(t)
	id := aws.ToString(res.Instances[0].InstanceId)
	inst := must(e.app.Instances.Describe(ctx, account, region, []string{id}, nil))(t)
	cfg := e.config("test", "test", region)
	cfg.Credentials = aws.NewCredentialsCache(ec2rolecreds.New(func(o *ec2rolecreds.Options) {
		o.Client = sdkimds.New(sdkimds.Options{Endpoint: imds.Endpoint(inst[0].MetadataPort)})
	}))
	ci := must(ecs.NewFromConfig(cfg).RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String(cluster)}))(t)
	if got := aws.ToString(ci.ContainerInstance.Ec2InstanceId); got != id {
		t.Fatalf("registered %s, launched %s", got, id)
	}
	return id
}

// A service's page: its summary with the roles ECS and its tasks use,
// its events (a role failure in AWS's words, read by the doctor), its
// deployments and its tasks.
func TestECSServicePage(t *testing.T) {
	e := newEnv(t)
	e.failingService(t, "eu-west-1", "prod", "api")
	eu := e.ecsIn("eu-west-1")
	must(eu.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("public.ecr.aws/nginx/nginx:1")}},
	}))(t)
	must(eu.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("web"), TaskDefinition: aws.String("web"),
		DesiredCount: aws.Int32(2), CapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE"), Weight: 1}},
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0123456789abcdef0"}}}}))(t)
	b := e.signedIn(t, "test", "test")
	execArn := "arn:aws:iam::" + account + ":role/apiExecution"

	_, body := b.get("/console/ecs/clusters/prod/services/api?region=eu-west-1")
	has(t, body, `<h1 id="service-name">api</h1>`, `<dd id="service-status">ACTIVE</dd>`, `<dd id="service-counts">1 Desired | 0 Running | 0 Pending</dd>`,
		"<dd><code>arn:aws:ecs:eu-west-1:"+account+":task-definition/api:1</code></dd>", "<dt>Launch type</dt><dd id=\"service-capacity\">FARGATE</dd>",
		`<dd id="service-rollout">IN_PROGRESS</dd>`,
		`<dt>ECS service-linked role</dt><dd id="service-role"><a href="/console/iam/roles/details/AWSServiceRoleForECS">AWSServiceRoleForECS</a></dd>`,
		`<dd id="execution-role"><a href="/console/iam/roles/details/apiExecution">apiExecution</a></dd>`,
		`href="/console/ecs/clusters/prod/services/api/rolecheck?region=eu-west-1" id="role-check"`,
		// The event, and what the doctor makes of it.
		`id="tab-events" aria-current="page"`, `class="role-failure"`,
		"(service api) failed to launch a task with (error "+unableToAssume(execArn)+")",
		`<details class="explained"><summary>`, "ECS cannot assume the task's role",
		"aws iam update-assume-role-policy --role-name apiExecution")

	_, body = b.get("/console/ecs/clusters/prod/services/api?region=eu-west-1&tab=deployments")
	// The launch that failed counts as a failed task.
	has(t, body, "Deployments (1)", "<td>PRIMARY</td><td class=\"rollout\">IN_PROGRESS", "<td><code>arn:aws:ecs:eu-west-1:"+account+":task-definition/api:1</code></td><td>1</td><td>0</td><td>0</td><td>1</td>")

	_, body = b.get("/console/ecs/clusters/prod/services/web?region=eu-west-1&tab=tasks")
	has(t, body, "<dt>Capacity provider strategy</dt><dd id=\"service-capacity\">FARGATE (weight 1)</dd>", "Tasks (2)", `<dd id="task-role"><span class="muted">-</span></dd>`)
	if n := strings.Count(body, "<tr data-task="); n != 2 {
		t.Errorf("%d task rows", n)
	}
	_, body = b.get("/console/ecs/clusters/prod/services/web?region=eu-west-1")
	has(t, body, "(service web) has started 2 tasks")
	hasNot(t, body, `class="role-failure"`)

	status, body := b.get("/console/ecs/clusters/prod/services/nope?region=eu-west-1")
	if status != http.StatusNotFound {
		t.Errorf("no such service: %d", status)
	}
	has(t, body, "Service nope not found in cluster prod in eu-west-1 (MISSING).")

	// Permissions: the service's own read, then its task definition's.
	keyID, secret := e.user(t, "clusters", "ecs:DescribeClusters")
	status, body = e.signedIn(t, keyID, secret).get("/console/ecs/clusters/prod/services/api?region=eu-west-1")
	if status != http.StatusForbidden {
		t.Errorf("status %d", status)
	}
	has(t, body, "You need permissions", `<dd class="action">ecs:DescribeServices</dd>`, "<dd>arn:aws:ecs:eu-west-1:"+account+":service/prod/api</dd>")
	keyID, secret = e.user(t, "services", "ecs:DescribeServices")
	_, body = e.signedIn(t, keyID, secret).get("/console/ecs/clusters/prod/services/api?region=eu-west-1")
	has(t, body, "Service overview", `<dd class="action">ecs:DescribeTaskDefinition</dd>`, "(service api) failed to launch a task")
}

// Another account's cluster or task, named by its ARN in the URL, is
// refused by the API as a signed request for it is, even beside a cluster
// of the same name in the signed-in account.
func TestECSOfAnotherAccount(t *testing.T) {
	e := newEnv(t)
	id, _ := e.stoppedTask(t, "us-east-1", "tasks")
	other := ecs.NewFromConfig(e.config("111111111111", "test", "us-east-1"))
	must(other.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("tasks")}))(t)
	b := e.signedIn(t, "111111111111", "test")
	cluster := "arn:aws:ecs:us-east-1:" + account + ":cluster/tasks"
	task := "arn:aws:ecs:us-east-1:" + account + ":task/tasks/" + id
	esc := func(arn string) string { return strings.ReplaceAll(arn, "/", "%2F") }
	for path, denied := range map[string]string{
		"/console/ecs/clusters/" + esc(cluster) + "?tab=tasks": "ecs:DescribeClusters on resource: " + cluster,
		"/console/ecs/clusters/" + esc(cluster) + "/rolecheck": "ecs:DescribeClusters on resource: " + cluster,
		"/console/ecs/clusters/tasks/tasks/" + esc(task):       "ecs:DescribeTasks on resource: " + task,
	} {
		has(t, b.getAs(http.StatusForbidden, path), "User: arn:aws:iam::111111111111:root is not authorized to perform: "+denied)
	}
	has(t, b.getAs(http.StatusNotFound, "/console/ecs/clusters/tasks/tasks/"+id), "Task "+id+" not found in cluster tasks in us-east-1.")
}
