package ecsroles

import (
	"fmt"
	"strconv"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// An Express service is an ECS service on Fargate whose Application Load
// Balancer, target group, security group, scaling and alarms ECS
// provisions with the service's infrastructure role, and whose task
// definition ECS registers from the service's primary container
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/express-service-work.html).

// ExpressInput is an Express service as far as its roles go.
type ExpressInput struct {
	Name, Cluster string
	// Label names the service in Why lines.
	Label string
	// InfrastructureRole is the role it names, "" for none.
	InfrastructureRole string
	// ID names the resources ECS provisions for the service: the server
	// gives the service's own, the doctor ExpressID.
	ID string
	// LogGroup is the log group of its primary container, which ECS
	// creates ("" for none).
	LogGroup string
}

// ExpressID stands for the IDs of an Express service's resources when
// they are not known (the doctor's setups).
const ExpressID = "0123456789abcdef"

// VPCID stands for the VPC an Express service's security group is created
// in: rolecall keeps no VPCs.
const VPCID = "vpc-" + ExpressID

// ForExpress is what an Express service asks of its infrastructure role
// (ECS Developer Guide, "Amazon ECS infrastructure IAM role"; the requests
// are those AmazonECSInfrastructureRoleforExpressGatewayServices allows,
// in the order ECS provisions): the caller passes it to ecs.amazonaws.com,
// which assumes it for the service (aws:SourceArn) when the service is
// created, updated and deleted. The task execution and task roles are
// those of ExpressTaskDefinition's task definition, as for any service.
func ForExpress(env Env, in ExpressInput) Use {
	what := "Express service " + in.Name
	if in.InfrastructureRole == "" {
		return Use{Kind: ExpressInfrastructure, For: what, Needed: true, Why: []string{in.Label + ": ECS provisions its load balancer, security group and scaling with it"},
			Problems: []Problem{{What: what + " names an infrastructure role", Detail: "infrastructureRoleArn is required"}}}
	}
	return Use{Kind: ExpressInfrastructure, Role: in.InfrastructureRole, Needed: true, Passed: true,
		Trust: SourceKeys(env.Account, env.ServiceARN(in.Cluster, in.Name)),
		Why:   []string{in.Label + ": ECS creates, updates and deletes its Application Load Balancer, target group, security group, scaling policy, alarm and log group with it"},
		Needs: ExpressNeeds(env, in)}
}

// ExpressNeeds are the requests ECS makes with an Express service's
// infrastructure role, by step: StepGatewayCreate when the service is
// created, StepGatewayUpdate when it is updated, StepGatewayDelete when
// it is deleted. ECS tags what it creates AmazonECSManaged=true, which the
// managed policy requires of every resource it acts on. ACM is left out:
// acm:RequestCertificate takes no resource type, and the managed policy
// grants it only on certificate ARNs, which IAM never matches against the
// "*" such a request is decided on.
func ExpressNeeds(env Env, in ExpressInput) []Need {
	id := in.ID
	if id == "" {
		id = ExpressID
	}
	short := id
	if len(short) > 8 {
		short = short[:8]
	}
	name := "ecs-express-" + short
	why := "Express service " + in.Name
	lb := env.Res("elasticloadbalancing:CreateLoadBalancer", "loadbalancer", "LoadBalancerName", "app/"+name+"/"+id)
	appLB := env.Res("elasticloadbalancing:CreateListener", "loadbalancer/app/", "LoadBalancerName", name, "LoadBalancerId", id)
	listener := env.Res("elasticloadbalancing:CreateRule", "listener/app", "LoadBalancerName", name, "LoadBalancerId", id, "ListenerId", id)
	rule := env.Res("elasticloadbalancing:ModifyRule", "listener-rule/app", "LoadBalancerName", name, "LoadBalancerId", id, "ListenerId", id, "ListenerRuleId", id)
	tg := env.Res("elasticloadbalancing:CreateTargetGroup", "targetgroup", "TargetGroupName", name, "TargetGroupId", id)
	sg := env.Res("ec2:CreateSecurityGroup", "security-group", "SecurityGroupId", "sg-"+id)
	vpc := env.Res("ec2:CreateSecurityGroup", "vpc", "VpcId", VPCID)
	target := env.Res("application-autoscaling:RegisterScalableTarget", "ScalableTarget", "ResourceId", id)
	alarm := env.Res("cloudwatch:PutMetricAlarm", "alarm", "AlarmName", name+"-"+in.Name+"-rollback")
	cert := env.Res("acm:DeleteCertificate", "certificate", "CertificateId", id)

	tagged := map[string][]string{"aws:ResourceTag/AmazonECSManaged": {"true"}}
	creates := map[string][]string{"aws:RequestTag/AmazonECSManaged": {"true"}, "aws:TagKeys": {"AmazonECSManaged"}}
	// Elastic Load Balancing decides its create actions on the tags the
	// new resource is created with, as its resource tags.
	elbCreates := map[string][]string{"aws:RequestTag/AmazonECSManaged": {"true"}, "aws:ResourceTag/AmazonECSManaged": {"true"}, "aws:TagKeys": {"AmazonECSManaged"}}
	createdBy := func(action string) map[string][]string {
		return map[string][]string{"elasticloadbalancing:CreateAction": {action}, "aws:RequestTag/AmazonECSManaged": {"true"}, "aws:TagKeys": {"AmazonECSManaged"}}
	}
	ecs := map[string][]string{"application-autoscaling:service-namespace": {"ecs"}}
	need := func(action, resource string, ctx map[string][]string, step Step) Need {
		return Need{Action: action, Resource: resource, Context: ctx, Why: why, Step: step, Subject: resource}
	}
	create, update, del := StepGatewayCreate, StepGatewayUpdate, StepGatewayDelete
	needs := []Need{
		need("ec2:DescribeVpcs", "*", nil, create),
		need("ec2:DescribeSubnets", "*", nil, create),
		need("ec2:CreateSecurityGroup", vpc, nil, create),
		need("ec2:CreateSecurityGroup", sg, creates, create),
		need("ec2:CreateTags", sg, map[string][]string{"ec2:CreateAction": {"CreateSecurityGroup"}}, create),
		need("ec2:AuthorizeSecurityGroupIngress", sg, tagged, create),
		need("elasticloadbalancing:CreateLoadBalancer", lb, elbCreates, create),
		need("elasticloadbalancing:AddTags", lb, createdBy("CreateLoadBalancer"), create),
		need("elasticloadbalancing:CreateTargetGroup", tg, elbCreates, create),
		need("elasticloadbalancing:CreateListener", appLB, tagged, create),
		need("elasticloadbalancing:CreateRule", listener, tagged, create),
		need("elasticloadbalancing:DescribeLoadBalancers", "*", nil, create),
		need("elasticloadbalancing:RegisterTargets", tg, tagged, create),
		need("application-autoscaling:RegisterScalableTarget", target, map[string][]string{"aws:RequestTag/AmazonECSManaged": {"true"}, "aws:ResourceTag/AmazonECSManaged": {"true"}, "aws:TagKeys": {"AmazonECSManaged"}}, create),
		need("application-autoscaling:PutScalingPolicy", target, ecs, create),
		need("cloudwatch:PutMetricAlarm", alarm, creates, create),
	}
	if in.LogGroup != "" {
		needs = append(needs, need("logs:CreateLogGroup", env.Res("logs:CreateLogGroup", "log-group", "LogGroupName", in.LogGroup), creates, create))
	}
	return append(needs,
		need("elasticloadbalancing:ModifyRule", rule, tagged, update),
		need("application-autoscaling:PutScalingPolicy", target, ecs, update),
		need("elasticloadbalancing:DeleteLoadBalancer", lb, tagged, del),
		need("elasticloadbalancing:DeleteTargetGroup", tg, tagged, del),
		need("ec2:DeleteSecurityGroup", sg, tagged, del),
		need("application-autoscaling:DeregisterScalableTarget", target, tagged, del),
		need("cloudwatch:DeleteAlarms", alarm, tagged, del),
		need("acm:DeleteCertificate", cert, tagged, del),
	)
}

// AtStep are the needs of one step.
func AtStep(needs []Need, step Step) []Need { return withStep(needs, step) }

// ExpressTaskDefinition is the task definition ECS registers for an
// Express service's configuration, in family: Fargate, awsvpc, the
// configuration's roles, size and primary container (named after the
// family: rolecall's choice, AWS's name is unverified), which listens on
// its container port and logs with awslogs to the configuration's log
// group in region.
func ExpressTaskDefinition(family, region string, cfg *types.ExpressGatewayServiceConfiguration) *types.RegisterTaskDefinitionRequest {
	td := &types.RegisterTaskDefinitionRequest{
		Family: family, ExecutionRoleArn: cfg.ExecutionRoleArn, TaskRoleArn: cfg.TaskRoleArn,
		NetworkMode: "awsvpc", RequiresCompatibilities: []string{"FARGATE"}, Cpu: cfg.Cpu, Memory: cfg.Memory,
	}
	pc := cfg.PrimaryContainer
	if pc == nil {
		return td
	}
	cd := types.ContainerDefinition{Name: family, Image: pc.Image, Essential: ptrTo(true), Command: pc.Command, Environment: pc.Environment, Secrets: pc.Secrets}
	if pc.ContainerPort != nil {
		cd.PortMappings = []types.PortMapping{{ContainerPort: pc.ContainerPort, Protocol: "tcp", Name: family + "-" + strconv.Itoa(int(*pc.ContainerPort))}}
	}
	if rc := pc.RepositoryCredentials; rc != nil && rc.CredentialsParameter != "" {
		cd.RepositoryCredentials = &types.RepositoryCredentials{CredentialsParameter: rc.CredentialsParameter}
	}
	if lc := pc.AwsLogsConfiguration; lc != nil {
		cd.LogConfiguration = &types.LogConfiguration{LogDriver: "awslogs", Options: map[string]string{
			"awslogs-group": lc.LogGroup, "awslogs-region": region, "awslogs-stream-prefix": lc.LogStreamPrefix}}
	}
	td.ContainerDefinitions = []types.ContainerDefinition{cd}
	return td
}

// ExpressLogGroup is the log group of an Express service whose primary
// container names none, and ExpressStreamPrefix its stream prefix (the
// reference: "The default for an Express service is ecs"); the group's
// name is rolecall's, AWS's is unverified.
func ExpressLogGroup(cluster, service string) string { return "/aws/ecs/" + cluster + "/" + service }

const ExpressStreamPrefix = "ecs"

// ExpressLabel names an Express service in Why lines.
func ExpressLabel(name, cluster string) string {
	return fmt.Sprintf("Express service %s (cluster %s, FARGATE)", name, cluster)
}

func ptrTo[T any](v T) *T { return &v }
