package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/rolecalltest"
)

// ECS's control plane and the roles it uses, as AWS runs them: the ECS API
// reference, the ECS developer guide's service-linked role pages, and the
// answers in ../shared/data/aws-facts.md.

const (
	slrECSCompute = "AWSServiceRoleForECSCompute"
	noSLR         = "Unable to assume the service linked role. Please verify that the ECS service linked role exists."
	ecsTrust      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	ec2Trust      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

// ecsEnv is rolecall on a clock the test moves, with IAM and ECS clients;
// ecsIn gives an ECS client for another Region.
type ecsEnv struct {
	rc    *rolecalltest.Server
	clock *ids.FixedClock
	iam   *iam.Client
	ecs   *ecs.Client
}

func newECSEnv(t *testing.T, opts ...rolecalltest.Option) *ecsEnv {
	t.Helper()
	clock := &ids.FixedClock{T: time.Now().UTC()}
	opts = append([]rolecalltest.Option{rolecalltest.WithClock(clock), rolecalltest.WithSLRDeletionTiming(0, slrRetention)}, opts...)
	rc := rolecalltest.RunT(t, opts...)
	return &ecsEnv{rc: rc, clock: clock, iam: iam.NewFromConfig(rc.Config), ecs: ecs.NewFromConfig(rc.Config)}
}

func (e *ecsEnv) ecsIn(region string) *ecs.Client {
	return ecs.NewFromConfig(e.rc.Config, func(o *ecs.Options) { o.Region = region })
}

func (e *ecsEnv) role(t *testing.T, name, trust string) string {
	t.Helper()
	return aws.ToString(must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))(t).Role.Arn)
}

// deleteSLR submits the deletion of a service-linked role and answers the
// task's outcome once it has run.
func (e *ecsEnv) deleteSLR(t *testing.T, name string) *iam.GetServiceLinkedRoleDeletionStatusOutput {
	t.Helper()
	id := must(e.iam.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(name)}))(t).DeletionTaskId
	e.clock.Advance(iamDeletionDelay)
	return must(e.iam.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: id}))(t)
}

func clusterARN(region, name string) string {
	return "arn:aws:ecs:" + region + ":" + account + ":cluster/" + name
}

// fargateTaskDef registers a small awsvpc Fargate task definition.
func fargateTaskDef(t *testing.T, c *ecs.Client, family string, mod ...func(*ecs.RegisterTaskDefinitionInput)) *ecstypes.TaskDefinition {
	t.Helper()
	in := &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(family),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		NetworkMode:             ecstypes.NetworkModeAwsvpc,
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx")}},
	}
	for _, m := range mod {
		m(in)
	}
	return must(c.RegisterTaskDefinition(ctx, in))(t).TaskDefinition
}

var awsvpcNet = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0123456789abcdef0"}}}

// A new account's first cluster creates AWSServiceRoleForECS with the
// description ECS writes; CreateCluster is idempotent on the name.
func TestECSFirstClusterCreatesSLR(t *testing.T) {
	e := newECSEnv(t)
	_, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name AWSServiceRoleForECS cannot be found.")

	cl := must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t).Cluster
	if aws.ToString(cl.ClusterArn) != clusterARN("us-east-1", "prod") || aws.ToString(cl.Status) != "ACTIVE" ||
		len(cl.Settings) != 1 || aws.ToString(cl.Settings[0].Value) != "disabled" {
		t.Fatalf("cluster %+v", cl)
	}
	r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)}))(t).Role
	// The description ECS gives the role it creates (internal/catalog:
	// today's text; AWS never rewrites an older role's).
	if aws.ToString(r.Path) != "/aws-service-role/ecs.amazonaws.com/" || decoded(t, r.AssumeRolePolicyDocument) != slrECSTrust ||
		aws.ToString(r.Description) != "Policy to enable Amazon ECS to manage your EC2 instances and related resources." {
		t.Errorf("role %+v", r)
	}
	again := must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t).Cluster
	if aws.ToString(again.ClusterArn) != aws.ToString(cl.ClusterArn) {
		t.Errorf("second CreateCluster %+v", again)
	}

	// Describe: failures for unknown clusters, include[] options.
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("dev"),
		Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}))(t)
	d := must(e.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"dev", "nope"}}))(t)
	if len(d.Clusters) != 1 || len(d.Clusters[0].Tags) != 0 || len(d.Failures) != 1 ||
		aws.ToString(d.Failures[0].Arn) != clusterARN("us-east-1", "nope") || aws.ToString(d.Failures[0].Reason) != "MISSING" {
		t.Fatalf("DescribeClusters %+v", d)
	}
	d = must(e.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{clusterARN("us-east-1", "dev")},
		Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags, ecstypes.ClusterFieldStatistics}}))(t)
	if len(d.Clusters) != 1 || len(d.Clusters[0].Tags) != 1 || len(d.Clusters[0].Statistics) != 8 {
		t.Fatalf("DescribeClusters include %+v", d.Clusters)
	}

	// Listing pages.
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("test")}))(t)
	var arns []string
	p := ecs.NewListClustersPaginator(e.ecs, &ecs.ListClustersInput{MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		arns = append(arns, must(p.NextPage(ctx))(t).ClusterArns...)
		pages++
	}
	if pages != 2 || strings.Join(arns, " ") != clusterARN("us-east-1", "dev")+" "+clusterARN("us-east-1", "prod")+" "+clusterARN("us-east-1", "test") {
		t.Errorf("%d pages: %v", pages, arns)
	}

	// Tags through the resource ARN.
	must(e.ecs.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: cl.ClusterArn, Tags: []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))(t)
	tags := must(e.ecs.ListTagsForResource(ctx, &ecs.ListTagsForResourceInput{ResourceArn: cl.ClusterArn}))(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Value) != "prod" {
		t.Errorf("tags %+v", tags)
	}
	_, err = e.ecs.ListTagsForResource(ctx, &ecs.ListTagsForResourceInput{ResourceArn: aws.String(clusterARN("us-east-1", "nope"))})
	wantErr(t, err, 400, "InvalidParameterException", "The specified cluster is inactive. Specify an active cluster and try again.")

	_, err = e.ecs.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("nope")})
	wantErr(t, err, 400, "ClusterNotFoundException", "Cluster not found.")
}

// The ECS SLR cannot be deleted while a cluster exists in any Region: the
// deletion task fails with the clusters by Region. The ECS page's clean-up
// (scale services to 0, delete them, force-deregister container instances,
// delete the clusters), then a new deletion succeeds.
func TestECSSLRDeletionBlockedByClusterInAnotherRegion(t *testing.T) {
	e := newECSEnv(t)
	eu := e.ecsIn("eu-west-1")
	must(eu.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("eu")}))(t)

	st := e.deleteSLR(t, slrECS)
	if st.Status != iamtypes.DeletionTaskStatusTypeFailed || st.Reason == nil ||
		aws.ToString(st.Reason.Reason) != "SLR [AWSServiceRoleForECS] is in use by other resources" {
		t.Fatalf("deletion %+v", st)
	}
	u := st.Reason.RoleUsageList
	if len(u) != 1 || aws.ToString(u[0].Region) != "eu-west-1" || len(u[0].Resources) != 1 || u[0].Resources[0] != clusterARN("eu-west-1", "eu") {
		t.Fatalf("RoleUsageList %+v", u)
	}

	// The cluster in use: an EC2 service on a container instance.
	inst := must(eu.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("eu"),
		InstanceIdentityDocument: aws.String(`{"instanceId":"i-0abc1234567890def","region":"eu-west-1","availabilityZone":"eu-west-1a"}`)}))(t).ContainerInstance
	must(eu.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}}))(t)
	svc := must(eu.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("eu"), ServiceName: aws.String("web"),
		TaskDefinition: aws.String("web"), DesiredCount: aws.Int32(2)}))(t).Service
	if svc.DesiredCount != 2 || svc.PendingCount != 2 || svc.RunningCount != 0 {
		t.Fatalf("service %+v", svc)
	}
	e.clock.Advance(time.Second)
	svc = &must(eu.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("eu"), Services: []string{"web"}}))(t).Services[0]
	if svc.RunningCount != 2 || svc.PendingCount != 0 || aws.ToString(svc.Events[0].Message) != "(service web) has reached a steady state." {
		t.Fatalf("service %+v", svc)
	}

	_, err := eu.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("eu")})
	wantErr(t, err, 400, "ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.")
	_, err = eu.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("eu"), Service: aws.String("web")})
	wantErr(t, err, 400, "InvalidParameterException", "The service cannot be stopped while the primary deployment is scaled above 0.")

	// 1. Scale to 0; 2. delete the service.
	must(eu.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("eu"), Service: aws.String("web"), DesiredCount: aws.Int32(0)}))(t)
	del := must(eu.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("eu"), Service: aws.String("web")}))(t).Service
	if aws.ToString(del.Status) != "DRAINING" {
		t.Errorf("deleted service %+v", del)
	}
	_, err = eu.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("eu"), Service: aws.String("web"), DesiredCount: aws.Int32(1)})
	wantErr(t, err, 400, "ServiceNotActiveException", "Service was not ACTIVE.")
	_, err = eu.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("eu")})
	wantErr(t, err, 400, "ClusterContainsContainerInstancesException", "The Cluster cannot be deleted while Container Instances are active or draining.")

	// 3. Force-deregister the container instance (a task still runs on it).
	must(eu.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("eu"), TaskDefinition: aws.String("web")}))(t)
	_, err = eu.DeregisterContainerInstance(ctx, &ecs.DeregisterContainerInstanceInput{Cluster: aws.String("eu"), ContainerInstance: inst.ContainerInstanceArn})
	wantErr(t, err, 400, "InvalidParameterException", "Found running tasks on the instance.")
	must(eu.DeregisterContainerInstance(ctx, &ecs.DeregisterContainerInstanceInput{Cluster: aws.String("eu"), ContainerInstance: inst.ContainerInstanceArn, Force: aws.Bool(true)}))(t)

	// 4. Delete the cluster once its tasks have stopped (a Fargate task,
	// stopping).
	fargateTaskDef(t, eu, "job")
	job := must(eu.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("eu"), TaskDefinition: aws.String("job"),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	must(eu.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("eu"), Task: job.TaskArn}))(t)
	_, err = eu.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("eu")})
	wantErr(t, err, 400, "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
	e.clock.Advance(time.Second)
	gone := must(eu.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("eu")}))(t).Cluster
	if aws.ToString(gone.Status) != "INACTIVE" {
		t.Errorf("deleted cluster %+v", gone)
	}

	if st := e.deleteSLR(t, slrECS); st.Status != iamtypes.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("retry %+v", st)
	}
	_, err = e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name AWSServiceRoleForECS cannot be found.")
}

// A Managed Instances capacity provider makes ECS create
// AWSServiceRoleForECSCompute; the role stays while one exists in any
// Region, and ECS deletes it itself when the last one goes.
func TestECSManagedInstancesComputeSLR(t *testing.T) {
	e := newECSEnv(t)
	infra := e.role(t, "ecsInfrastructureRole", ecsTrust)
	e.role(t, "ecsInstanceRole", ec2Trust)
	profile := aws.ToString(must(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")}))(t).InstanceProfile.Arn)
	mi := func(role string) *ecstypes.CreateManagedInstancesProviderConfiguration {
		return &ecstypes.CreateManagedInstancesProviderConfiguration{
			InfrastructureRoleArn: aws.String(role),
			InstanceLaunchTemplate: &ecstypes.InstanceLaunchTemplate{Ec2InstanceProfileArn: aws.String(profile),
				NetworkConfiguration: &ecstypes.ManagedInstancesNetworkConfiguration{Subnets: []string{"subnet-0123456789abcdef0"}}},
		}
	}
	eu := e.ecsIn("eu-west-1")
	for _, c := range []*ecs.Client{e.ecs, eu} {
		must(c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("mi")}))(t)
	}
	_, err := e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("mi"), Cluster: aws.String("mi"),
		ManagedInstancesProvider: mi("arn:aws:iam::" + account + ":role/missing")})
	wantErr(t, err, 400, "InvalidParameterException", "The infrastructure role arn:aws:iam::"+account+":role/missing is not valid. Specify a valid IAM role that Amazon ECS can assume and try again.")
	// An infrastructure role ECS cannot assume: it must trust
	// ecs.amazonaws.com (ECS developer guide, "Amazon ECS infrastructure
	// IAM role"), not EC2.
	wrong := e.role(t, "wrongInfrastructureRole", ec2Trust)
	_, err = e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("mi"), Cluster: aws.String("mi"), ManagedInstancesProvider: mi(wrong)})
	wantErr(t, err, 400, "InvalidParameterException", "The infrastructure role "+wrong+" is not valid. Specify a valid IAM role that Amazon ECS can assume and try again.")
	_, err = e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECSCompute)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name AWSServiceRoleForECSCompute cannot be found.")

	us := must(e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("mi"), Cluster: aws.String("mi"), ManagedInstancesProvider: mi(infra)}))(t).CapacityProvider
	if us.Type != ecstypes.CapacityProviderTypeManagedInstances || aws.ToString(us.Cluster) != "mi" || us.Status != ecstypes.CapacityProviderStatusActive {
		t.Fatalf("capacity provider %+v", us)
	}
	r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECSCompute)}))(t).Role
	if aws.ToString(r.Path) != "/aws-service-role/ecs-compute.amazonaws.com/" {
		t.Errorf("role %+v", r)
	}
	must(eu.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("mi"), Cluster: aws.String("mi"), ManagedInstancesProvider: mi(infra)}))(t)
	_, err = e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("mi"), Cluster: aws.String("mi"), ManagedInstancesProvider: mi(infra)})
	wantErr(t, err, 400, "ClientException", "The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.")
	_, err = e.ecs.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("mi")})
	wantErr(t, err, 400, "ClientException", "The Cluster cannot be deleted while Cluster Scoped Capacity Providers are attached to the cluster.")

	// Deleting the role by hand fails while a provider uses it, in each
	// Region.
	st := e.deleteSLR(t, slrECSCompute)
	providerARN := func(region string) string { return "arn:aws:ecs:" + region + ":" + account + ":capacity-provider/mi" }
	if st.Status != iamtypes.DeletionTaskStatusTypeFailed || aws.ToString(st.Reason.Reason) != "SLR [AWSServiceRoleForECSCompute] is in use by other resources" ||
		len(st.Reason.RoleUsageList) != 2 {
		t.Fatalf("deletion %+v", st.Reason)
	}
	for i, region := range []string{"eu-west-1", "us-east-1"} {
		u := st.Reason.RoleUsageList[i]
		if aws.ToString(u.Region) != region || len(u.Resources) != 1 || u.Resources[0] != providerARN(region) {
			t.Errorf("RoleUsageList[%d] %s %v", i, aws.ToString(u.Region), u.Resources)
		}
	}

	del := must(e.ecs.DeleteCapacityProvider(ctx, &ecs.DeleteCapacityProviderInput{CapacityProvider: us.CapacityProviderArn}))(t).CapacityProvider
	if del.UpdateStatus != ecstypes.CapacityProviderUpdateStatusDeleteInProgress {
		t.Errorf("deleted %+v", del)
	}
	must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECSCompute)}))(t) // still used in eu-west-1
	must(eu.DeleteCapacityProvider(ctx, &ecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("mi")}))(t)
	_, err = e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECSCompute)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name AWSServiceRoleForECSCompute cannot be found.")
	_, err = eu.DeleteCapacityProvider(ctx, &ecs.DeleteCapacityProviderInput{CapacityProvider: aws.String("mi")})
	wantErr(t, err, 400, "ClientException", "The specified capacity provider does not exist. Specify a valid name or ARN and try again.")
	must(e.ecs.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("mi")}))(t)
}

// Without AWSServiceRoleForECS, CreateService and an awsvpc RunTask fail
// with AWS's message. The cluster exists without the role because its
// creator may use ECS but not iam:CreateServiceLinkedRole (the ECS API
// reference: the cluster is created all the same); the next cluster, made
// by a caller who may, creates the role and unblocks the first.
func TestECSCreateServiceWithoutSLR(t *testing.T) {
	e := newECSEnv(t)
	dep, _ := newUser(t, clientsFor(e.rc.Config, nil), e.rc.Config, nil, "deployer",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`)
	c := ecsOf(t, e.rc, dep)
	must(c.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t) // the default cluster
	_, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name AWSServiceRoleForECS cannot be found.")
	fargateTaskDef(t, c, "web")
	_, err = c.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("web"),
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet})
	wantErr(t, err, 400, "InvalidParameterException", noSLR)
	_, err = c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("web"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet})
	wantErr(t, err, 400, "InvalidParameterException", noSLR)

	// The account's root creates another cluster: ECS creates the role,
	// and the deployer's service can then be created in the first.
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("second")}))(t)
	svc := must(c.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("web"),
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Service
	if aws.ToString(svc.ClusterArn) != clusterARN("us-east-1", "default") || svc.PendingCount != 1 {
		t.Errorf("service %+v", svc)
	}
	// ECS used the role for the task's network interface.
	r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)}))(t).Role
	if r.RoleLastUsed == nil || aws.ToString(r.RoleLastUsed.Region) != "us-east-1" {
		t.Errorf("RoleLastUsed %+v", r.RoleLastUsed)
	}
}

// RegisterTaskDefinition's Fargate and execution role rules, with AWS's
// ClientException texts.
func TestECSTaskDefinitionValidation(t *testing.T) {
	e := newECSEnv(t)
	exec := e.role(t, "ecsTaskExecutionRole", ecsTasksTrust)
	container := func(mod func(*ecstypes.ContainerDefinition)) []ecstypes.ContainerDefinition {
		cd := ecstypes.ContainerDefinition{Name: aws.String("app"), Image: aws.String("nginx")}
		if mod != nil {
			mod(&cd)
		}
		return []ecstypes.ContainerDefinition{cd}
	}
	for _, tc := range []struct {
		name string
		mod  func(*ecs.RegisterTaskDefinitionInput)
		want string
	}{
		{"bridge", func(in *ecs.RegisterTaskDefinitionInput) { in.NetworkMode = ecstypes.NetworkModeBridge },
			"Fargate only supports network mode \u2018awsvpc\u2019."},
		{"no cpu", func(in *ecs.RegisterTaskDefinitionInput) { in.Cpu = nil },
			"Fargate requires that 'cpu' be defined at the task level."},
		{"no memory", func(in *ecs.RegisterTaskDefinitionInput) { in.Memory = nil },
			"Fargate requires that 'memory' be defined at the task level."},
		{"size", func(in *ecs.RegisterTaskDefinitionInput) { in.Cpu, in.Memory = aws.String("1024"), aws.String("1024") },
			"No Fargate configuration exists for given values: 1024 CPU, 1024 memory. See the Amazon ECS documentation for the valid values."},
		{"awslogs", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions = container(func(cd *ecstypes.ContainerDefinition) {
				cd.LogConfiguration = &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs}
			})
		}, "Fargate requires task definition to have execution role ARN to support log driver awslogs."},
		{"ecr", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions = container(func(cd *ecstypes.ContainerDefinition) {
				cd.Image = aws.String(account + ".dkr.ecr.us-east-1.amazonaws.com/app:1")
			})
		}, "Fargate requires task definition to have execution role ARN to support ECR images."},
		{"secrets", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions = container(func(cd *ecstypes.ContainerDefinition) {
				cd.Secrets = []ecstypes.Secret{{Name: aws.String("DB"), ValueFrom: aws.String("arn:aws:ssm:us-east-1:" + account + ":parameter/db")}}
			})
		}, "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."},
		{"registry auth", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions = container(func(cd *ecstypes.ContainerDefinition) {
				cd.RepositoryCredentials = &ecstypes.RepositoryCredentials{CredentialsParameter: aws.String("arn:aws:secretsmanager:us-east-1:" + account + ":secret:hub")}
			})
		}, "Private repository authentication requires that the task definition specify a value for executionRoleArn."},
		{"no image", func(in *ecs.RegisterTaskDefinitionInput) {
			in.ContainerDefinitions = container(func(cd *ecstypes.ContainerDefinition) { cd.Image = nil })
		}, "Container.image should not be null or empty."},
		{"task role", func(in *ecs.RegisterTaskDefinitionInput) {
			in.TaskRoleArn = aws.String("arn:aws:iam::" + account + ":role/missing")
		}, "Role is not valid"},
		{"ec2 memory", func(in *ecs.RegisterTaskDefinitionInput) {
			in.RequiresCompatibilities, in.NetworkMode, in.Cpu, in.Memory = nil, "", nil, nil
		}, "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' must be specified."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &ecs.RegisterTaskDefinitionInput{
				Family:                  aws.String("app"),
				RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
				NetworkMode:             ecstypes.NetworkModeAwsvpc,
				Cpu:                     aws.String("256"),
				Memory:                  aws.String("512"),
				ContainerDefinitions:    container(nil),
			}
			tc.mod(in)
			_, err := e.ecs.RegisterTaskDefinition(ctx, in)
			wantErr(t, err, 400, "ClientException", tc.want)
		})
	}

	// With the execution role, the same definitions register; revisions
	// count up; what AWS fills is there.
	td := fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) {
		in.ExecutionRoleArn = aws.String(exec)
		in.Cpu, in.Memory = aws.String(".5 vCPU"), aws.String("1 GB")
		in.ContainerDefinitions = container(func(cd *ecstypes.ContainerDefinition) {
			cd.LogConfiguration = &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs}
			cd.PortMappings = []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}
		})
	})
	cd := td.ContainerDefinitions[0]
	if td.Revision != 1 || aws.ToString(td.Cpu) != "512" || aws.ToString(td.Memory) != "1024" || aws.ToBool(cd.Essential) != true ||
		aws.ToInt32(cd.PortMappings[0].HostPort) != 80 || cd.PortMappings[0].Protocol != ecstypes.TransportProtocolTcp ||
		strings.Join(compat(td.Compatibilities), ",") != "EC2,FARGATE" {
		t.Errorf("task definition %+v", td)
	}
	if td2 := fargateTaskDef(t, e.ecs, "app"); td2.Revision != 2 {
		t.Errorf("revision %d", td2.Revision)
	}
	_, err := e.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("nope")})
	wantErr(t, err, 400, "ClientException", "Unable to describe task definition.")
	must(e.ecs.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("app:2")}))(t)
	latest := must(e.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("app")}))(t).TaskDefinition
	if latest.Revision != 1 {
		t.Errorf("latest ACTIVE revision %d", latest.Revision)
	}
	dt := must(e.ecs.DeleteTaskDefinitions(ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{"app:1", "app:2"}}))(t)
	if len(dt.TaskDefinitions) != 1 || dt.TaskDefinitions[0].Status != ecstypes.TaskDefinitionStatusDeleteInProgress || len(dt.Failures) != 1 ||
		aws.ToString(dt.Failures[0].Reason) != "The specified task definition is still in ACTIVE status. Please deregister the target and try again." {
		t.Errorf("DeleteTaskDefinitions %+v", dt)
	}
}

func compat(cs []ecstypes.Compatibility) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// A task goes PROVISIONING, PENDING, RUNNING, and through STOPPING and
// DEPROVISIONING to STOPPED, on rolecall's clock. A task whose role
// ecs-tasks.amazonaws.com cannot assume stops without starting, with AWS's
// reason; a service records it as an event.
func TestECSTaskLifecycleAndRoles(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	taskRole := e.role(t, "appTaskRole", ecsTasksTrust)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(taskRole) })

	_, err := e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate})
	wantErr(t, err, 400, "InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	status := func() ecstypes.Task {
		t.Helper()
		return must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn)}}))(t).Tasks[0]
	}
	for _, step := range []struct {
		advance time.Duration
		want    string
	}{{0, "PROVISIONING"}, {300 * time.Millisecond, "PENDING"}, {300 * time.Millisecond, "RUNNING"}} {
		e.clock.Advance(step.advance)
		if got := status(); aws.ToString(got.LastStatus) != step.want {
			t.Fatalf("after %v: %s, want %s", step.advance, aws.ToString(got.LastStatus), step.want)
		}
	}
	stopped := must(e.ecs.StopTask(ctx, &ecs.StopTaskInput{Task: task.TaskArn, Reason: aws.String("done")}))(t).Task
	if aws.ToString(stopped.DesiredStatus) != "STOPPED" || aws.ToString(stopped.LastStatus) != "RUNNING" {
		t.Errorf("StopTask %+v", stopped)
	}
	for _, want := range []string{"STOPPING", "DEPROVISIONING", "STOPPED"} {
		if got := status(); aws.ToString(got.LastStatus) != want {
			t.Fatalf("%s, want %s", aws.ToString(got.LastStatus), want)
		}
		e.clock.Advance(150 * time.Millisecond)
	}
	if got := status(); aws.ToString(got.StoppedReason) != "done" || got.StopCode != ecstypes.TaskStopCodeUserInitiated {
		t.Errorf("stopped task %+v", got)
	}
	_, err = e.ecs.StopTask(ctx, &ecs.StopTaskInput{Task: aws.String("0123456789abcdef0123456789abcdef")})
	wantErr(t, err, 400, "InvalidParameterException", "The referenced task was not found.")

	// The task role goes: new tasks fail to start with AWS's reason.
	must(e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("appTaskRole")}))(t)
	task = must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	e.clock.Advance(time.Second)
	reason := "ECS was unable to assume the role '" + taskRole + "' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role."
	if got := status(); aws.ToString(got.LastStatus) != "STOPPED" || aws.ToString(got.StoppedReason) != reason || got.StopCode != ecstypes.TaskStopCodeTaskFailedToStart || got.StartedAt != nil {
		t.Errorf("task %+v", got)
	}
	svc := must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("app"), TaskDefinition: aws.String("app"),
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Service
	if svc.PendingCount != 0 || len(svc.Events) != 1 || aws.ToString(svc.Events[0].Message) != "(service app) failed to launch a task with (error "+reason+")" {
		t.Errorf("service %+v", svc.Events)
	}
}

// The legacy service role path: a `role` is only for a load balancer with a
// non-awsvpc task definition, and ECS must be able to use it.
func TestECSServiceRole(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	must(e.ecs.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{}))(t)
	fargateTaskDef(t, e.ecs, "vpc")
	must(e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("bridge"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(128),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}}}))(t)
	lb := []ecstypes.LoadBalancer{{TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:" + account + ":targetgroup/web/0123456789abcdef"),
		ContainerName: aws.String("web"), ContainerPort: aws.Int32(80)}}

	_, err := e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("a"), TaskDefinition: aws.String("vpc"), Role: aws.String("ecsServiceRole"),
		LoadBalancers: lb, LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet})
	wantErr(t, err, 400, "InvalidParameterException", "You cannot specify an IAM role for services that require a service linked role.")
	_, err = e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("b"), TaskDefinition: aws.String("bridge"), Role: aws.String("ecsServiceRole"), LoadBalancers: lb})
	wantErr(t, err, 400, "InvalidParameterException", "Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.")
	_, err = e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("b"), TaskDefinition: aws.String("bridge"), LaunchType: ecstypes.LaunchTypeFargate})
	wantErr(t, err, 400, "InvalidParameterException", "Task definition does not support launch_type FARGATE.")

	arn := e.role(t, "ecsServiceRole", ecsTrust)
	// The role's policies must allow the load balancer calls (ecs_roles_test.go).
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsServiceRole"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceRole")}))(t)
	svc := must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("b"), TaskDefinition: aws.String("bridge"),
		Role: aws.String("ecsServiceRole"), LoadBalancers: lb, DesiredCount: aws.Int32(1)}))(t).Service
	if aws.ToString(svc.RoleArn) != arn || svc.LaunchType != ecstypes.LaunchTypeEc2 || svc.PendingCount != 1 {
		t.Errorf("service %+v", svc)
	}
	_, err = e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("b"), TaskDefinition: aws.String("bridge"), DesiredCount: aws.Int32(3)})
	wantErr(t, err, 400, "InvalidParameterException", "Creation of service was not idempotent.")
	_, err = e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("b"), EnableExecuteCommand: aws.Bool(true)})
	wantErr(t, err, 400, "InvalidParameterException", "The service couldn't be updated because a valid taskRoleArn is not being used. Specify a valid task role in your task definition and try again.")
	_, err = e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("nope"), DesiredCount: aws.Int32(0)})
	wantErr(t, err, 400, "ServiceNotFoundException", "Service not found.")
}
