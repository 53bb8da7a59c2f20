package ecsroles

import "github.com/rolecall/rolecall/internal/catalog"

// Kind names one of the roles an ECS setup may need.
type Kind string

// The roles of the ECS roles overview, in the order a report lists them.
const (
	ECSLinked             Kind = "ecs-service-linked-role"
	TaskExecution         Kind = "task-execution-role"
	Task                  Kind = "task-role"
	ContainerInstance     Kind = "container-instance-role"
	ServiceRole           Kind = "legacy-service-role"
	AutoScalingLinked     Kind = "autoscaling-service-linked-role"
	ComputeLinked         Kind = "ecs-compute-service-linked-role"
	MIInfrastructure      Kind = "managed-instances-infrastructure-role"
	MIInstance            Kind = "managed-instances-instance-role"
	EBSInfrastructure     Kind = "ebs-infrastructure-role"
	ServiceConnectTLSRole Kind = "service-connect-tls-role"
	ExpressInfrastructure Kind = "express-infrastructure-role"
	DeploymentHook        Kind = "deployment-lifecycle-hook-role"
)

// Kinds lists every kind in report order.
var Kinds = []Kind{
	ECSLinked, TaskExecution, Task, ContainerInstance, ServiceRole,
	AutoScalingLinked, ComputeLinked, MIInfrastructure, MIInstance,
	EBSInfrastructure, ServiceConnectTLSRole, ExpressInfrastructure, DeploymentHook,
}

// The service principals that assume ECS's roles.
const (
	PrincipalECS         = "ecs.amazonaws.com"
	PrincipalECSTasks    = "ecs-tasks.amazonaws.com"
	PrincipalECSCompute  = "ecs-compute.amazonaws.com"
	PrincipalEC2         = "ec2.amazonaws.com"
	PrincipalAutoScaling = "ecs.application-autoscaling.amazonaws.com"
)

// Info is what AWS says about one kind of role (ECS Developer Guide, "IAM
// roles for Amazon ECS" and the page of each role; the AWS managed policy
// reference).
type Info struct {
	Title string
	// Principal is the service principal that assumes the role.
	Principal string
	// PassedTo is the iam:PassedToService value when a person passes the
	// role; "" for service-linked roles, which nobody passes.
	PassedTo string
	// Managed is the AWS managed policy AWS provides for it (path and
	// name; the partition is added).
	Managed string
	// Session is the role session name ECS uses, as CloudTrail shows it
	// (ECS Developer Guide, "Amazon ECS infrastructure IAM role").
	Session string
	// Linked: the role is the service-linked role of Principal.
	Linked bool
	// Conventional is the name AWS's console and guides give the role.
	Conventional string
	// NotNeeded says when it is not needed.
	NotNeeded string
}

// The role session names ECS uses.
const (
	// SessionServiceScheduler is the session of ECS's load balancer calls
	// with a service's legacy role (the ECS developer guide names it as
	// the CloudTrail roleSessionName).
	SessionServiceScheduler = "ecs-service-scheduler"
)

// About is what AWS says of each kind.
var About = map[Kind]Info{
	ECSLinked: {
		Title: "ECS service-linked role", Principal: PrincipalECS, Linked: true,
		NotNeeded: "no service (but those with a legacy service role), awsvpc task, service discovery, Service Connect or managed scaling in this setup",
	},
	TaskExecution: {
		Title: "Task execution role", Principal: PrincipalECSTasks, PassedTo: PrincipalECSTasks,
		Managed: "service-role/AmazonECSTaskExecutionRolePolicy", Conventional: "ecsTaskExecutionRole", Session: TaskID,
		NotNeeded: "no task pulls a private ECR image or sends awslogs on Fargate or Managed Instances, and none uses secrets, private registry credentials or S3 environment files",
	},
	Task: {
		Title: "Task role", Principal: PrincipalECSTasks, PassedTo: PrincipalECSTasks, Session: TaskID,
		NotNeeded: "no task definition names one and nothing requires it (ECS Exec, EFS IAM authorization); the containers get no AWS credentials from ECS",
	},
	ContainerInstance: {
		Title: "Container instance role", Principal: PrincipalEC2, PassedTo: PrincipalEC2,
		Managed: "service-role/AmazonEC2ContainerServiceforEC2Role", Conventional: "ecsInstanceRole", Session: "i-" + InstanceID,
		NotNeeded: "no task runs on EC2 container instances (Fargate and Managed Instances bring their own)",
	},
	ServiceRole: {
		Title: "Legacy service role (ecsServiceRole)", Principal: PrincipalECS, PassedTo: PrincipalECS,
		Managed: "service-role/AmazonEC2ContainerServiceRole", Conventional: "ecsServiceRole", Session: SessionServiceScheduler,
		NotNeeded: "no service names a role; ECS registers load balancer targets with AWSServiceRoleForECS",
	},
	AutoScalingLinked: {
		Title: "Service auto scaling service-linked role", Principal: PrincipalAutoScaling, Linked: true,
		NotNeeded: "no ECS service is a scalable target of Application Auto Scaling in this setup",
	},
	ComputeLinked: {
		Title: "ECS Compute service-linked role", Principal: PrincipalECSCompute, Linked: true,
		NotNeeded: "no Managed Instances capacity provider",
	},
	MIInfrastructure: {
		Title: "Managed Instances infrastructure role", Principal: PrincipalECS, PassedTo: PrincipalECS,
		Managed: "AmazonECSInfrastructureRolePolicyForManagedInstances", Session: "ECSManagedInstancesForCompute",
		Conventional: "ecsInfrastructureRole",
		NotNeeded:    "no Managed Instances capacity provider",
	},
	MIInstance: {
		Title: "Managed Instances instance role", Principal: PrincipalEC2, PassedTo: PrincipalEC2,
		Managed: "AmazonECSInstanceRolePolicyForManagedInstances", Conventional: "ecsInstanceRole", Session: "i-" + InstanceID,
		NotNeeded: "no Managed Instances capacity provider",
	},
	EBSInfrastructure: {
		Title: "EBS volume infrastructure role", Principal: PrincipalECS, PassedTo: PrincipalECS,
		Managed: "service-role/AmazonECSInfrastructureRolePolicyForVolumes", Session: "ECSTaskVolumesForEBS",
		Conventional: "ecsInfrastructureRole",
		NotNeeded:    "no service attaches Amazon EBS volumes to its tasks",
	},
	ServiceConnectTLSRole: {
		Title: "Service Connect TLS infrastructure role", Principal: PrincipalECS, PassedTo: PrincipalECS,
		Managed: "service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity", Session: "ECSServiceConnectForTLS",
		Conventional: "ecsInfrastructureRole",
		NotNeeded:    "no service uses Service Connect TLS",
	},
	// The Express Mode guides name the role
	// ecsInfrastructureRoleForExpressServices
	// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/express-service-getting-started.html);
	// AWS documents no session name for it: ECSExpressGatewayServices is
	// rolecall's, after those of the other infrastructure roles.
	ExpressInfrastructure: {
		Title: "Express service infrastructure role", Principal: PrincipalECS, PassedTo: PrincipalECS,
		Managed: "service-role/AmazonECSInfrastructureRoleforExpressGatewayServices", Session: "ECSExpressGatewayServices",
		Conventional: "ecsInfrastructureRoleForExpressServices",
		NotNeeded:    "no Express service",
	},
	// AWS provides no managed policy for it: the guide gives an inline
	// one allowing lambda:InvokeFunction
	// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-permissions.html).
	DeploymentHook: {
		Title: "Deployment lifecycle hook role", Principal: PrincipalECS, PassedTo: PrincipalECS, Session: HookSession,
		NotNeeded: "no service deployment configuration has an AWS_LAMBDA lifecycle hook",
	},
}

// LinkedRole is the catalog's service-linked role for the kind.
func (k Info) LinkedRole() *catalog.LinkedService {
	ls, ok := catalog.LinkedServiceFor(k.Principal)
	if !ok {
		panic("ecsroles: the catalog has no service-linked role for " + k.Principal)
	}
	return ls
}

// ManagedARN is the kind's AWS managed policy ARN in partition, "" when
// AWS has none.
func (k Info) ManagedARN(partition string) string {
	if k.Managed == "" {
		return ""
	}
	return "arn:" + partition + ":iam::aws:policy/" + k.Managed
}
