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

// Express gateway services (Express Mode): ECS sets up a Fargate service
// from an image, a task execution role and an infrastructure role
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/express-service-getting-started.html
// creates both roles as below). The caller passes the infrastructure role
// to ecs.amazonaws.com, which assumes it and provisions the service's
// load balancer, security group and scaling with it; the execution role
// is passed to ecs-tasks.amazonaws.com and used at each task's launch, as
// any service's.

const expressInfraPolicy = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"

// expressRoles makes the guide's two roles, with their AWS managed
// policies.
func (e *ecsEnv) expressRoles(t *testing.T) (exec, infra string) {
	t.Helper()
	exec = e.role(t, "ecsTaskExecutionRole", ecsTasksTrust)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsTaskExecutionRole"), PolicyArn: aws.String(execPolicy)}))(t)
	infra = e.role(t, "ecsInfrastructureRoleForExpressServices", ecsTrust)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsInfrastructureRoleForExpressServices"), PolicyArn: aws.String(expressInfraPolicy)}))(t)
	return exec, infra
}

func expressInput(exec, infra string) *ecs.CreateExpressGatewayServiceInput {
	return &ecs.CreateExpressGatewayServiceInput{ServiceName: aws.String("web"), ExecutionRoleArn: aws.String(exec), InfrastructureRoleArn: aws.String(infra),
		PrimaryContainer: &ecstypes.ExpressGatewayContainer{Image: aws.String("public.ecr.aws/nginx/nginx:latest")},
		Tags:             []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}
}

func TestECSExpressGatewayService(t *testing.T) {
	e := newECSEnv(t)
	exec, infra := e.expressRoles(t)
	svcArn := "arn:aws:ecs:us-east-1:" + account + ":service/default/web"

	created := must(e.ecs.CreateExpressGatewayService(ctx, expressInput(exec, infra)))(t).Service
	if aws.ToString(created.ServiceArn) != svcArn || aws.ToString(created.ServiceName) != "web" || aws.ToString(created.Cluster) != clusterARN("us-east-1", "default") ||
		aws.ToString(created.InfrastructureRoleArn) != infra || created.Status.StatusCode != ecstypes.ExpressGatewayServiceStatusCodeActive || len(created.ActiveConfigurations) != 1 {
		t.Fatalf("created %+v", created)
	}
	// The reference's defaults.
	cfg := created.ActiveConfigurations[0]
	pc := cfg.PrimaryContainer
	if aws.ToString(cfg.Cpu) != "256" || aws.ToString(cfg.Memory) != "512" || aws.ToString(cfg.HealthCheckPath) != "/ping" || aws.ToString(cfg.ExecutionRoleArn) != exec ||
		aws.ToInt32(pc.ContainerPort) != 80 || aws.ToString(pc.AwsLogsConfiguration.LogStreamPrefix) != "ecs" ||
		aws.ToInt32(cfg.ScalingTarget.AutoScalingTargetValue) != 60 || aws.ToInt32(cfg.ScalingTarget.MinTaskCount) != 1 {
		t.Errorf("configuration %+v, container %+v", cfg, pc)
	}
	if len(cfg.IngressPaths) != 1 || cfg.IngressPaths[0].AccessType != ecstypes.AccessTypePublic ||
		!strings.HasSuffix(aws.ToString(cfg.IngressPaths[0].Endpoint), ".ecs.us-east-1.on.aws") ||
		!strings.HasPrefix(aws.ToString(cfg.ServiceRevisionArn), "arn:aws:ecs:us-east-1:"+account+":service-revision/default/web/") {
		t.Errorf("ingress %+v, revision %s", cfg.IngressPaths, aws.ToString(cfg.ServiceRevisionArn))
	}

	// The default cluster was created for it; the service is an ECS
	// service on Fargate, whose task runs with the execution role.
	if cl := must(e.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{}))(t).Clusters; len(cl) != 1 || aws.ToString(cl[0].Status) != "ACTIVE" {
		t.Errorf("default cluster %+v", cl)
	}
	e.clock.Advance(time.Second)
	svc := must(e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{"web"}}))(t).Services[0]
	if svc.LaunchType != ecstypes.LaunchTypeFargate || !strings.HasSuffix(aws.ToString(svc.TaskDefinition), ":task-definition/web:1") || svc.DesiredCount != 1 || svc.RunningCount != 1 {
		t.Errorf("service %s %s desired %d running %d, events %+v", svc.LaunchType, aws.ToString(svc.TaskDefinition), svc.DesiredCount, svc.RunningCount, svc.Events)
	}
	td := must(e.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: svc.TaskDefinition}))(t).TaskDefinition
	if aws.ToString(td.ExecutionRoleArn) != exec || td.NetworkMode != ecstypes.NetworkModeAwsvpc || td.ContainerDefinitions[0].LogConfiguration.Options["awslogs-group"] != "/aws/ecs/default/web" {
		t.Errorf("task definition %+v", td)
	}
	for _, r := range []string{"ecsTaskExecutionRole", "ecsInfrastructureRoleForExpressServices"} {
		if used := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r)}))(t).Role.RoleLastUsed; used == nil || used.LastUsedDate == nil {
			t.Errorf("%s not used: %+v", r, used)
		}
	}

	described := must(e.ecs.DescribeExpressGatewayService(ctx, &ecs.DescribeExpressGatewayServiceInput{ServiceArn: aws.String(svcArn),
		Include: []ecstypes.ExpressGatewayServiceInclude{ecstypes.ExpressGatewayServiceIncludeTags}}))(t).Service
	if len(described.Tags) != 1 || aws.ToString(described.Tags[0].Value) != "web" || aws.ToString(described.CurrentDeployment) == "" {
		t.Errorf("described %+v", described)
	}

	// An update is a new configuration and task definition revision.
	updated := must(e.ecs.UpdateExpressGatewayService(ctx, &ecs.UpdateExpressGatewayServiceInput{ServiceArn: aws.String(svcArn), Cpu: aws.String("512"), Memory: aws.String("1024"),
		HealthCheckPath: aws.String("/health")}))(t).Service
	if updated.Status.StatusCode != ecstypes.ExpressGatewayServiceStatusCodeActive || aws.ToString(updated.TargetConfiguration.Cpu) != "512" ||
		aws.ToString(updated.TargetConfiguration.HealthCheckPath) != "/health" || aws.ToString(updated.TargetConfiguration.PrimaryContainer.Image) != "public.ecr.aws/nginx/nginx:latest" {
		t.Errorf("updated %+v", updated)
	}
	if svc := must(e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{"web"}}))(t).Services[0]; !strings.HasSuffix(aws.ToString(svc.TaskDefinition), ":task-definition/web:2") {
		t.Errorf("updated service runs %s", aws.ToString(svc.TaskDefinition))
	}
	_, err := e.ecs.UpdateExpressGatewayService(ctx, &ecs.UpdateExpressGatewayServiceInput{ServiceArn: aws.String(svcArn), HealthCheckPath: aws.String("health")})
	wantErr(t, err, 400, "InvalidParameterException", "The health check path must start with a forward slash (/).")

	// Deleted, it drains, and takes no update.
	deleted := must(e.ecs.DeleteExpressGatewayService(ctx, &ecs.DeleteExpressGatewayServiceInput{ServiceArn: aws.String(svcArn)}))(t).Service
	if deleted.Status.StatusCode != ecstypes.ExpressGatewayServiceStatusCodeDraining {
		t.Errorf("deleted %s", deleted.Status.StatusCode)
	}
	_, err = e.ecs.UpdateExpressGatewayService(ctx, &ecs.UpdateExpressGatewayServiceInput{ServiceArn: aws.String(svcArn), Cpu: aws.String("256")})
	wantErr(t, err, 400, "ServiceNotActiveException", "Service was not ACTIVE.")
	_, err = e.ecs.DeleteExpressGatewayService(ctx, &ecs.DeleteExpressGatewayServiceInput{ServiceArn: aws.String(svcArn)})
	wantErr(t, err, 400, "ServiceNotActiveException", "Service was not ACTIVE.")
	if gone := must(e.ecs.DescribeExpressGatewayService(ctx, &ecs.DescribeExpressGatewayServiceInput{ServiceArn: aws.String(svcArn)}))(t).Service; gone.Status.StatusCode != ecstypes.ExpressGatewayServiceStatusCodeInactive {
		t.Errorf("deleted service described %s", gone.Status.StatusCode)
	}

	// A service that is not an Express service, and one that does not
	// exist.
	fargateTaskDef(t, e.ecs, "plain")
	must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("plain"), TaskDefinition: aws.String("plain"), NetworkConfiguration: awsvpcNet}))(t)
	_, err = e.ecs.DescribeExpressGatewayService(ctx, &ecs.DescribeExpressGatewayServiceInput{ServiceArn: aws.String("arn:aws:ecs:us-east-1:" + account + ":service/default/plain")})
	wantErr(t, err, 400, "ResourceNotFoundException", "The specified resource could not be found.")
	_, err = e.ecs.UpdateExpressGatewayService(ctx, &ecs.UpdateExpressGatewayServiceInput{ServiceArn: aws.String("arn:aws:ecs:us-east-1:" + account + ":service/default/nope")})
	wantErr(t, err, 400, "ServiceNotFoundException", "Service not found.")
	_, err = e.ecs.DescribeExpressGatewayService(ctx, &ecs.DescribeExpressGatewayServiceInput{ServiceArn: aws.String("arn:aws:ecs:us-east-1:" + account + ":service/prod/web")})
	wantErr(t, err, 400, "ClusterNotFoundException", "Cluster not found.")
	_, err = e.ecs.CreateExpressGatewayService(ctx, func() *ecs.CreateExpressGatewayServiceInput {
		in := expressInput(exec, infra)
		in.Cluster = aws.String("prod")
		return in
	}())
	wantErr(t, err, 400, "ClusterNotFoundException", "Cluster not found.")
}

// The infrastructure role is checked as AWS checks it: the caller must be
// allowed to pass it to ecs.amazonaws.com, ECS must be able to assume it,
// and it must allow what ECS provisions with it (its AWS managed policy
// does). The execution role is the caller's to pass to
// ecs-tasks.amazonaws.com.
func TestECSExpressGatewayServiceRoles(t *testing.T) {
	e := newECSEnv(t)
	exec, infra := e.expressRoles(t)
	in := expressInput(exec, infra)

	// A role ECS cannot assume (it trusts ecs-tasks.amazonaws.com).
	wrong := e.role(t, "tasksOnly", ecsTasksTrust)
	in.InfrastructureRoleArn = aws.String(wrong)
	_, err := e.ecs.CreateExpressGatewayService(ctx, in)
	wantErr(t, err, 400, "InvalidParameterException", "The infrastructure role "+wrong+" is not valid. Specify a valid IAM role that Amazon ECS can assume and try again.")

	// A role without its managed policy: the first request ECS makes with
	// it is refused, in ECS's session of it.
	bare := e.role(t, "bareInfra", ecsTrust)
	in.InfrastructureRoleArn = aws.String(bare)
	_, err = e.ecs.CreateExpressGatewayService(ctx, in)
	wantErr(t, err, 400, "InvalidParameterException", "The infrastructure role "+bare+" does not allow Amazon ECS to manage the resources of the Express service: "+
		"User: arn:aws:sts::"+account+":assumed-role/bareInfra/ECSExpressGatewayServices is not authorized to perform: ec2:DescribeVpcs because no identity-based policy allows the ec2:DescribeVpcs action")
	if cl := must(e.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{}))(t); len(cl.Clusters) != 0 {
		t.Errorf("a refused Express service left the default cluster %+v", cl.Clusters)
	}

	// A caller who may not pass the infrastructure role; then one who may
	// pass it but not the execution role.
	dev := userClient(t, e, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`)
	in.InfrastructureRoleArn = aws.String(infra)
	_, err = dev.CreateExpressGatewayService(ctx, in)
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/dev is not authorized to perform: iam:PassRole on resource: "+infra+
		" because no identity-based policy allows the iam:PassRole action")
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:*","Resource":"*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + infra + `","Condition":{"StringEquals":{"iam:PassedToService":"ecs.amazonaws.com"}}}]}`)}))(t)
	_, err = dev.CreateExpressGatewayService(ctx, in)
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/dev is not authorized to perform: iam:PassRole on resource: "+exec+
		" because no identity-based policy allows the iam:PassRole action")

	// Without ecs:CreateExpressGatewayService on the service, nothing is
	// asked of the roles.
	none := userClient(t, e, "viewer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}`)
	_, err = none.CreateExpressGatewayService(ctx, in)
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: ecs:CreateExpressGatewayService on resource: arn:aws:ecs:us-east-1:"+account+
		":service/default/web because no identity-based policy allows the ecs:CreateExpressGatewayService action")

	// Allowed to pass both, each to its service: the service is created,
	// and its task launches with the execution role. An execution role ECS
	// tasks cannot assume stops the launch as any service's.
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:*","Resource":"*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + infra + `","Condition":{"StringEquals":{"iam:PassedToService":"ecs.amazonaws.com"}}},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}`)}))(t)
	badExec := e.role(t, "execTrustingECS", ecsTrust)
	in.ExecutionRoleArn = aws.String(badExec)
	// ECS manages the service with AWSServiceRoleForECS, which it creates
	// only for a caller allowed iam:CreateServiceLinkedRole.
	_, err = dev.CreateExpressGatewayService(ctx, in)
	wantErr(t, err, 400, "InvalidParameterException", noSLR)
	must(e.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)
	must(dev.CreateExpressGatewayService(ctx, in))(t)
	svc := must(e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{"web"}}))(t).Services[0]
	if svc.RunningCount != 0 || len(svc.Events) == 0 || aws.ToString(svc.Events[0].Message) != "(service web) failed to launch a task with (error "+unableToAssumeText(badExec)+")" {
		t.Errorf("service running %d, events %+v", svc.RunningCount, svc.Events)
	}
}
