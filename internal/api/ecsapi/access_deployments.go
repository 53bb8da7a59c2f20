package ecsapi

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/resolve"
)

// What the calls on service deployments, service revisions and task sets
// act on (Service Authorization Reference, Amazon ECS): the service and
// the deployment or revision (service-deployment/CLUSTER/SERVICE/ID,
// service-revision/CLUSTER/SERVICE/ID) a call names by ARN, with
// ecs:cluster and ecs:service; a task set (task-set/CLUSTER/SERVICE/ID)
// with ecs:cluster and ecs:service.

// serviceMembers: the deployments or revisions (kind) arns name, each
// after its service; an ARN that names none is a target of kind as given.
func (d declarations) serviceMembers(ctx context.Context, c ecs.Call, action, kind string, arns []string) (authz.Access, error) {
	var acc authz.Access
	var clusters, services []string
	for _, a := range arns {
		if svc, cl, ok := ecs.ServiceMemberParts(a, kind); ok {
			t, err := d.r.ByARN(ctx, c, action, svc)
			if err != nil {
				return acc, err
			}
			acc.Targets = append(acc.Targets, t)
			clusters, services = append(clusters, cl), append(services, svc)
		}
		t, err := d.r.ByARN(ctx, c, action, a)
		if err != nil {
			return acc, err
		}
		if t.Type == "" {
			t.Type = kind
		}
		acc.Targets = append(acc.Targets, t)
	}
	acc.Keys.Set("ecs:cluster", clusters...)
	acc.Keys.Set("ecs:service", services...)
	return acc, nil
}

func (d declarations) listServiceDeployments(ctx context.Context, c ecs.Call, in *types.ListServiceDeploymentsRequest) (authz.Access, error) {
	return d.inCluster(ctx, c, "service", in.Cluster, in.Service)
}

func (d declarations) describeServiceDeployments(ctx context.Context, c ecs.Call, in *types.DescribeServiceDeploymentsRequest) (authz.Access, error) {
	return d.serviceMembers(ctx, c, "DescribeServiceDeployments", "service-deployment", in.ServiceDeploymentArns)
}

func (d declarations) describeServiceRevisions(ctx context.Context, c ecs.Call, in *types.DescribeServiceRevisionsRequest) (authz.Access, error) {
	return d.serviceMembers(ctx, c, "DescribeServiceRevisions", "service-revision", in.ServiceRevisionArns)
}

func (d declarations) stopServiceDeployment(ctx context.Context, c ecs.Call, in *types.StopServiceDeploymentRequest) (authz.Access, error) {
	return d.serviceMembers(ctx, c, "StopServiceDeployment", "service-deployment", []string{in.ServiceDeploymentArn})
}

func (d declarations) continueServiceDeployment(ctx context.Context, c ecs.Call, in *types.ContinueServiceDeploymentRequest) (authz.Access, error) {
	return d.serviceMembers(ctx, c, "ContinueServiceDeployment", "service-deployment", []string{in.ServiceDeploymentArn})
}

// taskSets: task sets of a service, by ID or ARN (the service's task sets
// yet to be named, task-set/CLUSTER/SERVICE/*, for none), with ecs:cluster
// and ecs:service.
func (d declarations) taskSets(ctx context.Context, c ecs.Call, cluster, service string, refs ...string) (authz.Access, error) {
	svc, err := d.r.InCluster(ctx, c, "service", cluster, service)
	if err != nil {
		return authz.Access{}, err
	}
	var acc authz.Access
	if len(refs) == 0 {
		acc.Targets = []authz.Target{{ARN: strings.Replace(svc.ARN, ":service/", ":task-set/", 1) + "/*", Type: "task-set"}}
	}
	for _, ref := range refs {
		t, err := d.r.TaskSet(ctx, c, cluster, service, ref)
		if err != nil {
			return acc, err
		}
		acc.Targets = append(acc.Targets, t)
	}
	acc.Keys.Set("ecs:cluster", resolve.ClusterARN(c, cluster))
	acc.Keys.Set("ecs:service", svc.ARN)
	return acc, nil
}

func (d declarations) createTaskSet(ctx context.Context, c ecs.Call, in *types.CreateTaskSetRequest) (authz.Access, error) {
	acc, err := d.taskSets(ctx, c, in.Cluster, in.Service)
	if err != nil {
		return acc, err
	}
	tagKeys(&acc.Keys, in.Tags)
	capacityProviderKeys(&acc.Keys, c, nil, in.CapacityProviderStrategy)
	return acc, d.taskDefinitionKey(ctx, &acc.Keys, c, in.TaskDefinition)
}

func (d declarations) updateTaskSet(ctx context.Context, c ecs.Call, in *types.UpdateTaskSetRequest) (authz.Access, error) {
	return d.taskSets(ctx, c, in.Cluster, in.Service, in.TaskSet)
}

func (d declarations) deleteTaskSet(ctx context.Context, c ecs.Call, in *types.DeleteTaskSetRequest) (authz.Access, error) {
	return d.taskSets(ctx, c, in.Cluster, in.Service, in.TaskSet)
}

func (d declarations) describeTaskSets(ctx context.Context, c ecs.Call, in *types.DescribeTaskSetsRequest) (authz.Access, error) {
	return d.taskSets(ctx, c, in.Cluster, in.Service, in.TaskSets...)
}

// updateServicePrimaryTaskSet: the service (its resource type in the
// reference), with ecs:cluster.
func (d declarations) updateServicePrimaryTaskSet(ctx context.Context, c ecs.Call, in *types.UpdateServicePrimaryTaskSetRequest) (authz.Access, error) {
	return d.inCluster(ctx, c, "service", in.Cluster, in.Service)
}

// taskSetCreated: the task set CreateTaskSet makes, yet to be named.
func (d declarations) taskSetCreated(ctx context.Context, c ecs.Call, in *types.CreateTaskSetRequest) (authz.Target, []types.Tag, error) {
	acc, err := d.taskSets(ctx, c, in.Cluster, in.Service)
	if err != nil {
		return authz.Target{}, nil, err
	}
	return acc.Targets[0], in.Tags, nil
}
