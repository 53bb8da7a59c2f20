// Package ecsapi binds the ECS domain (internal/ecs) to AWS's ECS
// operations (JSON 1.1, target prefix AmazonEC2ContainerServiceV20141113).
// Inputs and outputs are the model's own request and response shapes
// (internal/ecs/types), which the domain takes and answers as they are;
// the codec has checked the model's constraints before a handler runs, so
// a binding only carries the call's account, Region and caller across.
package ecsapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/ecs"
)

// New returns the ECS operations rolecall implements.
func New(svc *ecs.Service) *api.Service {
	return api.NewService("ecs", bindings(svc)...)
}

// bind adapts an ECS domain method, which takes an ecs.Call, to an
// operation.
func bind[In, Out any](name string, fn func(context.Context, ecs.Call, *In) (*Out, error)) *api.Operation {
	return api.Op(name, func(ctx context.Context, c *api.Call, in *In) (*Out, error) {
		return fn(ctx, ecs.Call{Account: c.Account, Region: c.Region, Principal: c.Principal}, in)
	})
}

func bindings(s *ecs.Service) []*api.Operation {
	return []*api.Operation{
		// Clusters.
		bind("CreateCluster", s.CreateCluster),
		bind("DescribeClusters", s.DescribeClusters),
		bind("ListClusters", s.ListClusters),
		bind("UpdateCluster", s.UpdateCluster),
		bind("UpdateClusterSettings", s.UpdateClusterSettings),
		bind("PutClusterCapacityProviders", s.PutClusterCapacityProviders),
		bind("DeleteCluster", s.DeleteCluster),

		// Tags.
		bind("TagResource", s.TagResource),
		bind("UntagResource", s.UntagResource),
		bind("ListTagsForResource", s.ListTagsForResource),

		// Capacity providers.
		bind("CreateCapacityProvider", s.CreateCapacityProvider),
		bind("DeleteCapacityProvider", s.DeleteCapacityProvider),
		bind("DescribeCapacityProviders", s.DescribeCapacityProviders),
		bind("UpdateCapacityProvider", s.UpdateCapacityProvider),

		// Task definitions.
		bind("RegisterTaskDefinition", s.RegisterTaskDefinition),
		bind("DescribeTaskDefinition", s.DescribeTaskDefinition),
		bind("ListTaskDefinitions", s.ListTaskDefinitions),
		bind("ListTaskDefinitionFamilies", s.ListTaskDefinitionFamilies),
		bind("DeregisterTaskDefinition", s.DeregisterTaskDefinition),
		bind("DeleteTaskDefinitions", s.DeleteTaskDefinitions),

		// Services.
		bind("CreateService", s.CreateService),
		bind("UpdateService", s.UpdateService),
		bind("DeleteService", s.DeleteService),
		bind("DescribeServices", s.DescribeServices),
		bind("ListServices", s.ListServices),

		// Tasks.
		bind("RunTask", s.RunTask),
		bind("StartTask", s.StartTask),
		bind("StopTask", s.StopTask),
		bind("DescribeTasks", s.DescribeTasks),
		bind("ListTasks", s.ListTasks),

		// Container instances.
		bind("RegisterContainerInstance", s.RegisterContainerInstance),
		bind("DeregisterContainerInstance", s.DeregisterContainerInstance),
		bind("ListContainerInstances", s.ListContainerInstances),
		bind("DescribeContainerInstances", s.DescribeContainerInstances),
	}
}
