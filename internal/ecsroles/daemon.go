package ecsroles

import (
	"fmt"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/model/shapecopy"
)

// A daemon (ECS Managed Daemons) runs one task of its daemon task
// definition on each container instance of its Managed Instances
// capacity providers
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-daemons-create-manage.html).
// Its tasks are tasks like any other's as far as roles go: the daemon
// task definition's execution and task roles (ForTask on
// ManagedInstances), and its providers' infrastructure role and instance
// profile (ForProvider). A daemon names no role of its own.

// DaemonNetworkMode is the network mode of a daemon's tasks: a daemon task
// definition names none, and rolecall runs them in the host's (daemons are
// the host's agents; AWS does not say).
const DaemonNetworkMode = "host"

// DaemonTaskDefinition is the task definition a daemon's tasks run: the
// daemon task definition's roles, size, containers and volumes, on Managed
// Instances, in DaemonNetworkMode.
func DaemonTaskDefinition(d *types.DaemonTaskDefinition) *types.TaskDefinition {
	return &types.TaskDefinition{
		TaskDefinitionArn: d.DaemonTaskDefinitionArn, Family: d.Family, Revision: d.Revision,
		TaskRoleArn: d.TaskRoleArn, ExecutionRoleArn: d.ExecutionRoleArn, NetworkMode: DaemonNetworkMode,
		ContainerDefinitions:    shapecopy.Convert[[]types.ContainerDefinition](d.ContainerDefinitions),
		Volumes:                 shapecopy.Convert[[]types.Volume](d.Volumes),
		RequiresCompatibilities: []string{string(ManagedInstances)}, Cpu: d.Cpu, Memory: d.Memory, Status: d.Status,
	}
}

// DaemonLabel names a daemon in Why lines.
func DaemonLabel(name, cluster string) string {
	return fmt.Sprintf("daemon %s (cluster %s, %s)", name, cluster, ManagedInstances)
}
