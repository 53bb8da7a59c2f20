package doctor

import "github.com/rolecall/rolecall/internal/catalog"

// RoleKind names one of the roles an ECS setup may need.
type RoleKind string

// The roles, in the order the report lists them.
const (
	KindECSLinked             RoleKind = "ecs-service-linked-role"
	KindTaskExecution         RoleKind = "task-execution-role"
	KindTask                  RoleKind = "task-role"
	KindContainerInstance     RoleKind = "container-instance-role"
	KindServiceRole           RoleKind = "legacy-service-role"
	KindAutoScalingLinked     RoleKind = "autoscaling-service-linked-role"
	KindComputeLinked         RoleKind = "ecs-compute-service-linked-role"
	KindMIInfrastructure      RoleKind = "managed-instances-infrastructure-role"
	KindMIInstance            RoleKind = "managed-instances-instance-role"
	KindEBSInfrastructure     RoleKind = "ebs-infrastructure-role"
	KindServiceConnectTLSRole RoleKind = "service-connect-tls-role"
)

var kindOrder = []RoleKind{
	KindECSLinked, KindTaskExecution, KindTask, KindContainerInstance, KindServiceRole,
	KindAutoScalingLinked, KindComputeLinked, KindMIInfrastructure, KindMIInstance,
	KindEBSInfrastructure, KindServiceConnectTLSRole,
}

// kindInfo is what AWS says about one kind of role (ECS Developer Guide,
// "IAM roles for Amazon ECS" and the pages of each role; AWS managed
// policy reference).
type kindInfo struct {
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
	// NotNeeded says when it is not needed, for the report's "why not".
	NotNeeded string
}

var kinds = map[RoleKind]kindInfo{
	KindECSLinked: {
		Title: "ECS service-linked role", Principal: "ecs.amazonaws.com", Linked: true,
		NotNeeded: "no service, awsvpc task, load balancer, service discovery or managed capacity in this setup",
	},
	KindTaskExecution: {
		Title: "Task execution role", Principal: "ecs-tasks.amazonaws.com", PassedTo: "ecs-tasks.amazonaws.com",
		Managed: "service-role/AmazonECSTaskExecutionRolePolicy", Conventional: "ecsTaskExecutionRole", Session: taskID,
		NotNeeded: "no task pulls a private ECR image or sends awslogs on Fargate or Managed Instances, and none uses secrets, private registry credentials or S3 environment files",
	},
	KindTask: {
		Title: "Task role", Principal: "ecs-tasks.amazonaws.com", PassedTo: "ecs-tasks.amazonaws.com", Session: taskID,
		NotNeeded: "no task definition names one and nothing requires it (ECS Exec, EFS IAM authorization); the containers get no AWS credentials from ECS",
	},
	KindContainerInstance: {
		Title: "Container instance role", Principal: "ec2.amazonaws.com", PassedTo: "ec2.amazonaws.com",
		Managed: "service-role/AmazonEC2ContainerServiceforEC2Role", Conventional: "ecsInstanceRole", Session: "i-INSTANCE_ID",
		NotNeeded: "no task runs on EC2 container instances (Fargate and Managed Instances bring their own)",
	},
	KindServiceRole: {
		Title: "Legacy service role (ecsServiceRole)", Principal: "ecs.amazonaws.com", PassedTo: "ecs.amazonaws.com",
		Managed: "service-role/AmazonEC2ContainerServiceRole", Conventional: "ecsServiceRole",
		NotNeeded: "no service names a role; ECS registers load balancer targets with AWSServiceRoleForECS",
	},
	KindAutoScalingLinked: {
		Title: "Service auto scaling service-linked role", Principal: "ecs.application-autoscaling.amazonaws.com", Linked: true,
		NotNeeded: "no ECS service is a scalable target of Application Auto Scaling in this setup",
	},
	KindComputeLinked: {
		Title: "ECS Compute service-linked role", Principal: "ecs-compute.amazonaws.com", Linked: true,
		NotNeeded: "no Managed Instances capacity provider",
	},
	KindMIInfrastructure: {
		Title: "Managed Instances infrastructure role", Principal: "ecs.amazonaws.com", PassedTo: "ecs.amazonaws.com",
		Managed: "AmazonECSInfrastructureRolePolicyForManagedInstances", Session: "ECSManagedInstancesForCompute",
		Conventional: "ecsInfrastructureRole",
		NotNeeded:    "no Managed Instances capacity provider",
	},
	KindMIInstance: {
		Title: "Managed Instances instance role", Principal: "ec2.amazonaws.com", PassedTo: "ec2.amazonaws.com",
		Managed: "AmazonECSInstanceRolePolicyForManagedInstances", Conventional: "ecsInstanceRole", Session: "i-INSTANCE_ID",
		NotNeeded: "no Managed Instances capacity provider",
	},
	KindEBSInfrastructure: {
		Title: "EBS volume infrastructure role", Principal: "ecs.amazonaws.com", PassedTo: "ecs.amazonaws.com",
		Managed: "service-role/AmazonECSInfrastructureRolePolicyForVolumes", Session: "ECSTaskVolumesForEBS",
		Conventional: "ecsInfrastructureRole",
		NotNeeded:    "no service attaches Amazon EBS volumes to its tasks",
	},
	KindServiceConnectTLSRole: {
		Title: "Service Connect TLS infrastructure role", Principal: "ecs.amazonaws.com", PassedTo: "ecs.amazonaws.com",
		Managed: "service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity", Session: "ECSServiceConnectForTLS",
		Conventional: "ecsInfrastructureRole",
		NotNeeded:    "no service uses Service Connect TLS",
	},
}

// linkedRole is the catalog's service-linked role for the kind.
func (k kindInfo) linkedRole() *catalog.LinkedService {
	ls, ok := catalog.LinkedServiceFor(k.Principal)
	if !ok {
		panic("doctor: the catalog has no service-linked role for " + k.Principal)
	}
	return ls
}

// managedARN is the kind's AWS managed policy ARN in partition, "" when
// AWS has none.
func (k kindInfo) managedARN(partition string) string {
	if k.Managed == "" {
		return ""
	}
	return "arn:" + partition + ":iam::aws:policy/" + k.Managed
}
