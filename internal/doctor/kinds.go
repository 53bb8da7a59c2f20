package doctor

import "github.com/rolecall/rolecall/internal/ecsroles"

// RoleKind names one of the roles an ECS setup may need; what AWS says of
// each is the one model's (ecsroles.About).
type RoleKind = ecsroles.Kind

// The roles, in the order the report lists them.
const (
	KindECSLinked             = ecsroles.ECSLinked
	KindTaskExecution         = ecsroles.TaskExecution
	KindTask                  = ecsroles.Task
	KindContainerInstance     = ecsroles.ContainerInstance
	KindServiceRole           = ecsroles.ServiceRole
	KindAutoScalingLinked     = ecsroles.AutoScalingLinked
	KindComputeLinked         = ecsroles.ComputeLinked
	KindMIInfrastructure      = ecsroles.MIInfrastructure
	KindMIInstance            = ecsroles.MIInstance
	KindEBSInfrastructure     = ecsroles.EBSInfrastructure
	KindServiceConnectTLSRole = ecsroles.ServiceConnectTLSRole
	KindDeploymentHook        = ecsroles.DeploymentHook
)

var (
	kindOrder = ecsroles.Kinds
	kinds     = ecsroles.About
)

// Platform is where a task runs.
type Platform = ecsroles.Platform

// The platforms. External (ECS Anywhere) is treated as EC2 for roles.
const (
	Fargate          = ecsroles.Fargate
	EC2              = ecsroles.EC2
	ManagedInstances = ecsroles.ManagedInstances
	External         = ecsroles.External
)
