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
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/resolve"
)

// New returns the ECS operations rolecall implements, each declaring
// what it acts on through res (access.go).
func New(res resolve.ECS) *api.Service {
	s := api.NewService("ecs", operations(res.Svc, declarations{res})...)
	s.ValidationCode = ValidationCode
	return s
}

// ValidationCode is the code ECS answers constraint violations with.
const ValidationCode = "InvalidParameterException"

// bind adapts an ECS domain method, which takes an ecs.Call, to an
// operation acting on what acts declares (nil: "*").
func bind[In, Out any](name string, fn func(context.Context, ecs.Call, *In) (*Out, error), acts acts[In]) *api.Operation {
	var r api.Resolver[In]
	if acts != nil {
		r = func(ctx context.Context, c *api.Call, in *In) (authz.Access, error) { return acts(ctx, call(c), in) }
	}
	return api.Op(name, func(ctx context.Context, c *api.Call, in *In) (*Out, error) { return fn(ctx, call(c), in) }, r)
}

func call(c *api.Call) ecs.Call {
	return ecs.Call{Account: c.Account, Region: c.Region, Principal: c.Principal}
}

// operations are every binding (daemons.go has those of daemons and
// Express services).
func operations(s *ecs.Service, d declarations) []*api.Operation {
	return append(bindings(s, d), daemonBindings(s, d)...)
}

func bindings(s *ecs.Service, d declarations) []*api.Operation {
	return []*api.Operation{
		// Clusters.
		tagOnCreate(bind("CreateCluster", s.CreateCluster, d.createCluster), d, d.clusterCreated),
		bind("DescribeClusters", s.DescribeClusters, d.describeClusters),
		bind("ListClusters", s.ListClusters, nil),
		bind("UpdateCluster", s.UpdateCluster, d.updateCluster),
		bind("UpdateClusterSettings", s.UpdateClusterSettings, d.updateClusterSettings),
		bind("PutClusterCapacityProviders", s.PutClusterCapacityProviders, d.putClusterCapacityProviders),
		bind("DeleteCluster", s.DeleteCluster, d.deleteCluster),

		// Tags.
		bind("TagResource", s.TagResource, d.tagResource),
		bind("UntagResource", s.UntagResource, d.untagResource),
		bind("ListTagsForResource", s.ListTagsForResource, d.listTagsForResource),

		// Capacity providers.
		tagOnCreate(bind("CreateCapacityProvider", s.CreateCapacityProvider, d.createCapacityProvider), d, d.providerCreated),
		bind("DeleteCapacityProvider", s.DeleteCapacityProvider, d.deleteCapacityProvider),
		bind("DescribeCapacityProviders", s.DescribeCapacityProviders, d.describeCapacityProviders),
		bind("UpdateCapacityProvider", s.UpdateCapacityProvider, d.updateCapacityProvider),

		// Task definitions. Describing, listing and deregistering name no
		// resource type in the reference.
		tagOnCreate(bind("RegisterTaskDefinition", s.RegisterTaskDefinition, d.registerTaskDefinition), d, d.taskDefinitionCreated),
		bind("DescribeTaskDefinition", s.DescribeTaskDefinition, nil),
		bind("ListTaskDefinitions", s.ListTaskDefinitions, nil),
		bind("ListTaskDefinitionFamilies", s.ListTaskDefinitionFamilies, nil),
		bind("DeregisterTaskDefinition", s.DeregisterTaskDefinition, nil),
		bind("DeleteTaskDefinitions", s.DeleteTaskDefinitions, d.deleteTaskDefinitions),

		// Services.
		tagOnCreate(bind("CreateService", s.CreateService, d.createService), d, d.serviceCreated),
		bind("UpdateService", s.UpdateService, d.updateService),
		bind("DeleteService", s.DeleteService, d.deleteService),
		bind("DescribeServices", s.DescribeServices, d.describeServices),
		bind("ListServices", s.ListServices, d.listServices),
		bind("ListServicesByNamespace", s.ListServicesByNamespace, d.listServicesByNamespace),

		// Tasks.
		tagOnCreate(bind("RunTask", s.RunTask, d.runTask), d, d.runTaskCreated),
		tagOnCreate(bind("StartTask", s.StartTask, d.startTask), d, d.startTaskCreated),
		bind("StopTask", s.StopTask, d.stopTask),
		bind("DescribeTasks", s.DescribeTasks, d.describeTasks),
		bind("ListTasks", s.ListTasks, d.listTasks),
		bind("ExecuteCommand", s.ExecuteCommand, d.executeCommand),

		// Container instances.
		tagOnCreate(bind("RegisterContainerInstance", s.RegisterContainerInstance, d.registerContainerInstance), d, d.instanceCreated),
		bind("DeregisterContainerInstance", s.DeregisterContainerInstance, d.deregisterContainerInstance),
		bind("ListContainerInstances", s.ListContainerInstances, d.listContainerInstances),
		bind("DescribeContainerInstances", s.DescribeContainerInstances, d.describeContainerInstances),
		bind("UpdateContainerInstancesState", s.UpdateContainerInstancesState, d.updateContainerInstancesState),
		bind("UpdateContainerAgent", s.UpdateContainerAgent, d.updateContainerAgent),

		// Account settings name no resource type in the reference.
		bind("PutAccountSetting", s.PutAccountSetting, d.putAccountSetting),
		bind("PutAccountSettingDefault", s.PutAccountSettingDefault, d.putAccountSettingDefault),
		bind("ListAccountSettings", s.ListAccountSettings, nil),
		bind("DeleteAccountSetting", s.DeleteAccountSetting, d.deleteAccountSetting),

		// Attributes.
		bind("PutAttributes", s.PutAttributes, d.putAttributes),
		bind("DeleteAttributes", s.DeleteAttributes, d.deleteAttributes),
		bind("ListAttributes", s.ListAttributes, d.listAttributes),

		// Task protection.
		bind("GetTaskProtection", s.GetTaskProtection, d.getTaskProtection),
		bind("UpdateTaskProtection", s.UpdateTaskProtection, d.updateTaskProtection),

		// The container agent's calls. DiscoverPollEndpoint names no
		// resource type in the reference; the Submit* calls the cluster.
		bind("DiscoverPollEndpoint", s.DiscoverPollEndpoint, nil),
		bind("SubmitTaskStateChange", s.SubmitTaskStateChange, d.submitTaskStateChange),
		bind("SubmitContainerStateChange", s.SubmitContainerStateChange, d.submitContainerStateChange),
		bind("SubmitAttachmentStateChanges", s.SubmitAttachmentStateChanges, d.submitAttachmentStateChanges),

		// Service deployments and revisions.
		bind("ListServiceDeployments", s.ListServiceDeployments, d.listServiceDeployments),
		bind("DescribeServiceDeployments", s.DescribeServiceDeployments, d.describeServiceDeployments),
		bind("DescribeServiceRevisions", s.DescribeServiceRevisions, d.describeServiceRevisions),
		bind("StopServiceDeployment", s.StopServiceDeployment, d.stopServiceDeployment),
		bind("ContinueServiceDeployment", s.ContinueServiceDeployment, d.continueServiceDeployment),

		// Task sets.
		tagOnCreate(bind("CreateTaskSet", s.CreateTaskSet, d.createTaskSet), d, d.taskSetCreated),
		bind("UpdateTaskSet", s.UpdateTaskSet, d.updateTaskSet),
		bind("DeleteTaskSet", s.DeleteTaskSet, d.deleteTaskSet),
		bind("DescribeTaskSets", s.DescribeTaskSets, d.describeTaskSets),
		bind("UpdateServicePrimaryTaskSet", s.UpdateServicePrimaryTaskSet, d.updateServicePrimaryTaskSet),
	}
}
