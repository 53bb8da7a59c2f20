package ecsapi

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/resolve"
)

// What ECS's operations act on, declared beside their bindings (ecsapi.go),
// with the request's ECS condition keys (Service Authorization Reference,
// Amazon ECS; keys an action does not support are left out by the
// authorizer).

// acts is an ECS operation's declaration: its resources and keys.
type acts[In any] func(ctx context.Context, c ecs.Call, in *In) (authz.Access, error)

type declarations struct{ r resolve.ECS }

// each resolves every ref with find.
func each(ctx context.Context, c ecs.Call, find func(context.Context, ecs.Call, string) (authz.Target, error), refs []string) (authz.Access, error) {
	var acc authz.Access
	for _, ref := range refs {
		t, err := find(ctx, c, ref)
		if err != nil {
			return acc, err
		}
		acc.Targets = append(acc.Targets, t)
	}
	return acc, nil
}

func (d declarations) clusters(ctx context.Context, c ecs.Call, refs ...string) (authz.Access, error) {
	return each(ctx, c, d.r.Cluster, refs)
}

func (d declarations) providers(ctx context.Context, c ecs.Call, refs ...string) (authz.Access, error) {
	return each(ctx, c, d.r.CapacityProvider, refs)
}

func (d declarations) taskDefinitions(ctx context.Context, c ecs.Call, refs ...string) (authz.Access, error) {
	return each(ctx, c, d.r.TaskDefinition, refs)
}

// inCluster: services, tasks or container instances (kind) of cluster,
// with ecs:cluster.
func (d declarations) inCluster(ctx context.Context, c ecs.Call, kind, cluster string, refs ...string) (authz.Access, error) {
	acc, err := each(ctx, c, func(ctx context.Context, c ecs.Call, ref string) (authz.Target, error) {
		return d.r.InCluster(ctx, c, kind, cluster, ref)
	}, refs)
	acc.Keys.Set("ecs:cluster", resolve.ClusterARN(c, cluster))
	return acc, err
}

// orDefault is refs, or the default cluster when there are none.
func orDefault(refs []string) []string {
	if len(refs) == 0 {
		return []string{""}
	}
	return refs
}

// anyResource: ListClusters, DescribeTaskDefinition and the others the
// reference gives no resource type; or one that names none of what it
// may (ListTasks without a container instance).
func anyResource(keys authz.Keys) authz.Access {
	return authz.Access{Targets: []authz.Target{authz.Any()}, Keys: keys}
}

func tagKeys(k *authz.Keys, tags []types.Tag) {
	for _, t := range tags {
		k.Tag(t.Key, t.Value)
	}
}

func clusterKey(c ecs.Call, ref string) authz.Keys {
	var k authz.Keys
	k.Set("ecs:cluster", resolve.ClusterARN(c, ref))
	return k
}

// capacityProviderKeys: ecs:capacity-provider, from the providers named
// and those of a strategy.
func capacityProviderKeys(k *authz.Keys, c ecs.Call, names []string, strategy []types.CapacityProviderStrategyItem) {
	var arns []string
	for _, n := range names {
		arns = append(arns, resolve.CapacityProviderARN(c, n))
	}
	for _, s := range strategy {
		if s.CapacityProvider != "" {
			arns = append(arns, resolve.CapacityProviderARN(c, s.CapacityProvider))
		}
	}
	k.Set("ecs:capacity-provider", arns...)
}

// taskDefinitionKey: ecs:task-definition, the revision the request runs.
func (d declarations) taskDefinitionKey(ctx context.Context, k *authz.Keys, c ecs.Call, ref string) error {
	if ref == "" {
		return nil
	}
	a, err := d.r.TaskDefinitionARN(ctx, c, ref)
	if err == nil {
		k.Set("ecs:task-definition", a)
	}
	return err
}

func boolKey(k *authz.Keys, key string, v bool) { k.Set(key, strconv.FormatBool(v)) }

// The operations, in the order of ecsapi.go.

func (d declarations) createCluster(ctx context.Context, c ecs.Call, in *types.CreateClusterRequest) (authz.Access, error) {
	acc, err := d.clusters(ctx, c, in.ClusterName)
	tagKeys(&acc.Keys, in.Tags)
	capacityProviderKeys(&acc.Keys, c, in.CapacityProviders, in.DefaultCapacityProviderStrategy)
	return acc, err
}

func (d declarations) describeClusters(ctx context.Context, c ecs.Call, in *types.DescribeClustersRequest) (authz.Access, error) {
	return d.clusters(ctx, c, orDefault(in.Clusters)...)
}

func (d declarations) updateCluster(ctx context.Context, c ecs.Call, in *types.UpdateClusterRequest) (authz.Access, error) {
	return d.clusters(ctx, c, in.Cluster)
}

func (d declarations) updateClusterSettings(ctx context.Context, c ecs.Call, in *types.UpdateClusterSettingsRequest) (authz.Access, error) {
	return d.clusters(ctx, c, in.Cluster)
}

func (d declarations) putClusterCapacityProviders(ctx context.Context, c ecs.Call, in *types.PutClusterCapacityProvidersRequest) (authz.Access, error) {
	acc, err := d.clusters(ctx, c, in.Cluster)
	capacityProviderKeys(&acc.Keys, c, in.CapacityProviders, in.DefaultCapacityProviderStrategy)
	return acc, err
}

func (d declarations) deleteCluster(ctx context.Context, c ecs.Call, in *types.DeleteClusterRequest) (authz.Access, error) {
	return d.clusters(ctx, c, in.Cluster)
}

func (d declarations) byARN(ctx context.Context, c ecs.Call, action, a string) (authz.Access, error) {
	t, err := d.r.ByARN(ctx, c, action, a)
	return authz.Acting(t), err
}

func (d declarations) tagResource(ctx context.Context, c ecs.Call, in *types.TagResourceRequest) (authz.Access, error) {
	acc, err := d.byARN(ctx, c, "TagResource", in.ResourceArn)
	tagKeys(&acc.Keys, in.Tags)
	return acc, err
}

func (d declarations) untagResource(ctx context.Context, c ecs.Call, in *types.UntagResourceRequest) (authz.Access, error) {
	acc, err := d.byARN(ctx, c, "UntagResource", in.ResourceArn)
	acc.Keys.Set("aws:TagKeys", in.TagKeys...)
	return acc, err
}

func (d declarations) listTagsForResource(ctx context.Context, c ecs.Call, in *types.ListTagsForResourceRequest) (authz.Access, error) {
	return d.byARN(ctx, c, "ListTagsForResource", in.ResourceArn)
}

func (d declarations) createCapacityProvider(ctx context.Context, c ecs.Call, in *types.CreateCapacityProviderRequest) (authz.Access, error) {
	acc, err := d.providers(ctx, c, in.Name)
	tagKeys(&acc.Keys, in.Tags)
	return acc, err
}

func (d declarations) deleteCapacityProvider(ctx context.Context, c ecs.Call, in *types.DeleteCapacityProviderRequest) (authz.Access, error) {
	return d.providers(ctx, c, in.CapacityProvider)
}

func (d declarations) describeCapacityProviders(ctx context.Context, c ecs.Call, in *types.DescribeCapacityProvidersRequest) (authz.Access, error) {
	if len(in.CapacityProviders) == 0 {
		return anyResource(nil), nil // every provider the account has
	}
	return d.providers(ctx, c, in.CapacityProviders...)
}

func (d declarations) updateCapacityProvider(ctx context.Context, c ecs.Call, in *types.UpdateCapacityProviderRequest) (authz.Access, error) {
	return d.providers(ctx, c, in.Name)
}

func (d declarations) registerTaskDefinition(ctx context.Context, c ecs.Call, in *types.RegisterTaskDefinitionRequest) (authz.Access, error) {
	t, err := d.r.NextTaskDefinition(ctx, c, in.Family)
	acc := authz.Acting(t)
	tagKeys(&acc.Keys, in.Tags)
	acc.Keys.Set("ecs:compute-compatibility", in.RequiresCompatibilities...)
	sizeKeys(&acc.Keys, in.Cpu, in.Memory)
	return acc, err
}

func (d declarations) deleteTaskDefinitions(ctx context.Context, c ecs.Call, in *types.DeleteTaskDefinitionsRequest) (authz.Access, error) {
	return d.taskDefinitions(ctx, c, in.TaskDefinitions...)
}

func (d declarations) createService(ctx context.Context, c ecs.Call, in *types.CreateServiceRequest) (authz.Access, error) {
	acc, err := d.inCluster(ctx, c, "service", in.Cluster, in.ServiceName)
	if err != nil {
		return acc, err
	}
	tagKeys(&acc.Keys, in.Tags)
	capacityProviderKeys(&acc.Keys, c, nil, in.CapacityProviderStrategy)
	boolKey(&acc.Keys, "ecs:enable-execute-command", in.EnableExecuteCommand)
	return acc, d.taskDefinitionKey(ctx, &acc.Keys, c, in.TaskDefinition)
}

func (d declarations) updateService(ctx context.Context, c ecs.Call, in *types.UpdateServiceRequest) (authz.Access, error) {
	acc, err := d.inCluster(ctx, c, "service", in.Cluster, in.Service)
	if err != nil {
		return acc, err
	}
	capacityProviderKeys(&acc.Keys, c, nil, in.CapacityProviderStrategy)
	if in.EnableExecuteCommand != nil {
		boolKey(&acc.Keys, "ecs:enable-execute-command", *in.EnableExecuteCommand)
	}
	return acc, d.taskDefinitionKey(ctx, &acc.Keys, c, in.TaskDefinition)
}

func (d declarations) deleteService(ctx context.Context, c ecs.Call, in *types.DeleteServiceRequest) (authz.Access, error) {
	return d.inCluster(ctx, c, "service", in.Cluster, in.Service)
}

func (d declarations) describeServices(ctx context.Context, c ecs.Call, in *types.DescribeServicesRequest) (authz.Access, error) {
	return d.inCluster(ctx, c, "service", in.Cluster, in.Services...)
}

func (d declarations) listServices(_ context.Context, c ecs.Call, in *types.ListServicesRequest) (authz.Access, error) {
	return anyResource(clusterKey(c, in.Cluster)), nil
}

// listServicesByNamespace names no resource type; ecs:namespace is the
// namespace named.
func (d declarations) listServicesByNamespace(_ context.Context, _ ecs.Call, in *types.ListServicesByNamespaceRequest) (authz.Access, error) {
	var k authz.Keys
	k.Set("ecs:namespace", in.Namespace)
	return anyResource(k), nil
}

// runs: RunTask and StartTask act on the task definition they run, in a
// cluster (ecs:cluster).
func (d declarations) runs(ctx context.Context, c ecs.Call, taskDef, cluster string, tags []types.Tag, exec bool) (authz.Access, error) {
	acc, err := d.taskDefinitions(ctx, c, taskDef)
	if err != nil {
		return acc, err
	}
	acc.Keys = clusterKey(c, cluster)
	tagKeys(&acc.Keys, tags)
	boolKey(&acc.Keys, "ecs:enable-execute-command", exec)
	return acc, d.taskDefinitionKey(ctx, &acc.Keys, c, taskDef)
}

func (d declarations) runTask(ctx context.Context, c ecs.Call, in *types.RunTaskRequest) (authz.Access, error) {
	acc, err := d.runs(ctx, c, in.TaskDefinition, in.Cluster, in.Tags, in.EnableExecuteCommand)
	capacityProviderKeys(&acc.Keys, c, nil, in.CapacityProviderStrategy)
	return acc, err
}

func (d declarations) startTask(ctx context.Context, c ecs.Call, in *types.StartTaskRequest) (authz.Access, error) {
	acc, err := d.runs(ctx, c, in.TaskDefinition, in.Cluster, in.Tags, in.EnableExecuteCommand)
	var arns []string
	for _, id := range in.ContainerInstances {
		t, err := d.r.InCluster(ctx, c, "container-instance", in.Cluster, id)
		if err != nil {
			return acc, err
		}
		arns = append(arns, t.ARN)
	}
	acc.Keys.Set("ecs:container-instances", arns...)
	return acc, err
}

func (d declarations) stopTask(ctx context.Context, c ecs.Call, in *types.StopTaskRequest) (authz.Access, error) {
	return d.inCluster(ctx, c, "task", in.Cluster, in.Task)
}

func (d declarations) describeTasks(ctx context.Context, c ecs.Call, in *types.DescribeTasksRequest) (authz.Access, error) {
	return d.inCluster(ctx, c, "task", in.Cluster, in.Tasks...)
}

func (d declarations) listTasks(ctx context.Context, c ecs.Call, in *types.ListTasksRequest) (authz.Access, error) {
	if in.ContainerInstance == "" {
		return anyResource(clusterKey(c, in.Cluster)), nil
	}
	return d.inCluster(ctx, c, "container-instance", in.Cluster, in.ContainerInstance)
}

// executeCommand: the cluster and the task, with ecs:container-name
// ("ecs:ExecuteCommand": both resource types, keys ecs:cluster, ecs:task and
// ecs:container-name; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html,
// "Limiting access to the Execute Command action").
func (d declarations) executeCommand(ctx context.Context, c ecs.Call, in *types.ExecuteCommandRequest) (authz.Access, error) {
	cl, err := d.r.Cluster(ctx, c, in.Cluster)
	if err != nil {
		return authz.Access{}, err
	}
	acc, err := d.inCluster(ctx, c, "task", in.Cluster, in.Task)
	acc.Targets = append([]authz.Target{cl}, acc.Targets...)
	for _, t := range acc.Targets[1:] {
		acc.Keys.Set("ecs:task", t.ARN)
	}
	if in.Container != "" {
		acc.Keys.Set("ecs:container-name", in.Container)
	}
	return acc, err
}

func (d declarations) registerContainerInstance(ctx context.Context, c ecs.Call, in *types.RegisterContainerInstanceRequest) (authz.Access, error) {
	acc, err := d.clusters(ctx, c, in.Cluster)
	tagKeys(&acc.Keys, in.Tags)
	return acc, err
}

func (d declarations) deregisterContainerInstance(ctx context.Context, c ecs.Call, in *types.DeregisterContainerInstanceRequest) (authz.Access, error) {
	return d.clusters(ctx, c, in.Cluster)
}

func (d declarations) listContainerInstances(ctx context.Context, c ecs.Call, in *types.ListContainerInstancesRequest) (authz.Access, error) {
	return d.clusters(ctx, c, in.Cluster)
}

func (d declarations) describeContainerInstances(ctx context.Context, c ecs.Call, in *types.DescribeContainerInstancesRequest) (authz.Access, error) {
	return d.inCluster(ctx, c, "container-instance", in.Cluster, in.ContainerInstances...)
}

func (d declarations) updateContainerInstancesState(ctx context.Context, c ecs.Call, in *types.UpdateContainerInstancesStateRequest) (authz.Access, error) {
	return d.inCluster(ctx, c, "container-instance", in.Cluster, in.ContainerInstances...)
}

func (d declarations) updateContainerAgent(ctx context.Context, c ecs.Call, in *types.UpdateContainerAgentRequest) (authz.Access, error) {
	return d.inCluster(ctx, c, "container-instance", in.Cluster, in.ContainerInstance)
}

// settingKey: ecs:account-setting, the setting changed.
func settingKey(name string) authz.Access {
	var k authz.Keys
	k.Set("ecs:account-setting", name)
	return anyResource(k)
}

func (declarations) putAccountSetting(_ context.Context, _ ecs.Call, in *types.PutAccountSettingRequest) (authz.Access, error) {
	return settingKey(in.Name), nil
}

func (declarations) putAccountSettingDefault(_ context.Context, _ ecs.Call, in *types.PutAccountSettingDefaultRequest) (authz.Access, error) {
	return settingKey(in.Name), nil
}

func (declarations) deleteAccountSetting(_ context.Context, _ ecs.Call, in *types.DeleteAccountSettingRequest) (authz.Access, error) {
	return settingKey(in.Name), nil
}

// attributeTargets: the container instances attributes name, each once.
func (d declarations) attributeTargets(ctx context.Context, c ecs.Call, cluster string, attrs []types.Attribute) (authz.Access, error) {
	var refs []string
	for _, a := range attrs {
		if !slices.Contains(refs, a.TargetId) {
			refs = append(refs, a.TargetId)
		}
	}
	return d.inCluster(ctx, c, "container-instance", cluster, refs...)
}

func (d declarations) putAttributes(ctx context.Context, c ecs.Call, in *types.PutAttributesRequest) (authz.Access, error) {
	return d.attributeTargets(ctx, c, in.Cluster, in.Attributes)
}

func (d declarations) deleteAttributes(ctx context.Context, c ecs.Call, in *types.DeleteAttributesRequest) (authz.Access, error) {
	return d.attributeTargets(ctx, c, in.Cluster, in.Attributes)
}

func (d declarations) listAttributes(ctx context.Context, c ecs.Call, in *types.ListAttributesRequest) (authz.Access, error) {
	return d.clusters(ctx, c, in.Cluster)
}

func (d declarations) getTaskProtection(ctx context.Context, c ecs.Call, in *types.GetTaskProtectionRequest) (authz.Access, error) {
	if len(in.Tasks) == 0 {
		return anyResource(clusterKey(c, in.Cluster)), nil
	}
	return d.inCluster(ctx, c, "task", in.Cluster, in.Tasks...)
}

func (d declarations) updateTaskProtection(ctx context.Context, c ecs.Call, in *types.UpdateTaskProtectionRequest) (authz.Access, error) {
	return d.inCluster(ctx, c, "task", in.Cluster, in.Tasks...)
}

func (d declarations) submitTaskStateChange(ctx context.Context, c ecs.Call, in *types.SubmitTaskStateChangeRequest) (authz.Access, error) {
	return d.clusters(ctx, c, in.Cluster)
}

func (d declarations) submitContainerStateChange(ctx context.Context, c ecs.Call, in *types.SubmitContainerStateChangeRequest) (authz.Access, error) {
	return d.clusters(ctx, c, in.Cluster)
}

func (d declarations) submitAttachmentStateChanges(ctx context.Context, c ecs.Call, in *types.SubmitAttachmentStateChangesRequest) (authz.Access, error) {
	return d.clusters(ctx, c, in.Cluster)
}

// Tagging on create: with tagResourceAuthorization on (for every account
// since 2024), a create action that tags what it creates also needs
// ecs:TagResource on it, with ecs:CreateAction naming the action; without
// tags it does not
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html).

// created is what a create action creates, and the tags it gives it.
type created[In any] func(ctx context.Context, c ecs.Call, in *In) (authz.Target, []types.Tag, error)

// tagOnCreate declares op's further ecs:TagResource on what it creates.
func tagOnCreate[In any](op *api.Operation, d declarations, what created[In]) *api.Operation {
	return api.Also(op, "ecs:TagResource", func(ctx context.Context, ac *api.Call, in *In) (authz.Access, error) {
		c := call(ac)
		t, tags, err := what(ctx, c, in)
		if err != nil || len(tags) == 0 {
			return authz.Access{}, cmp.Or(err, api.ErrNotNeeded)
		}
		if on, err := d.r.Svc.CallerSetting(ctx, c, "tagResourceAuthorization"); err != nil || on != "on" {
			return authz.Access{}, cmp.Or(err, api.ErrNotNeeded)
		}
		acc := authz.Acting(t)
		acc.Keys.Set("ecs:CreateAction", op.Name)
		tagKeys(&acc.Keys, tags)
		return acc, nil
	})
}

// someIn is a resource ECS has yet to name in a cluster (a task RunTask
// starts, an instance registering): arn:...:KIND/CLUSTER/*, as AWS's
// denial names it ("ecs:TagResource on resource: .../task/CLUSTER/*").
func someIn(c ecs.Call, kind, cluster string) authz.Target {
	return authz.Target{ARN: resolve.ARN(c, kind+"/"+resolve.ClusterName(cluster)+"/*"), Type: kind}
}

func (d declarations) clusterCreated(ctx context.Context, c ecs.Call, in *types.CreateClusterRequest) (authz.Target, []types.Tag, error) {
	t, err := d.r.Cluster(ctx, c, in.ClusterName)
	return t, in.Tags, err
}

func (d declarations) providerCreated(ctx context.Context, c ecs.Call, in *types.CreateCapacityProviderRequest) (authz.Target, []types.Tag, error) {
	t, err := d.r.CapacityProvider(ctx, c, in.Name)
	return t, in.Tags, err
}

func (d declarations) taskDefinitionCreated(ctx context.Context, c ecs.Call, in *types.RegisterTaskDefinitionRequest) (authz.Target, []types.Tag, error) {
	t, err := d.r.NextTaskDefinition(ctx, c, in.Family)
	return t, in.Tags, err
}

func (d declarations) serviceCreated(ctx context.Context, c ecs.Call, in *types.CreateServiceRequest) (authz.Target, []types.Tag, error) {
	t, err := d.r.InCluster(ctx, c, "service", in.Cluster, in.ServiceName)
	return t, in.Tags, err
}

func (declarations) runTaskCreated(_ context.Context, c ecs.Call, in *types.RunTaskRequest) (authz.Target, []types.Tag, error) {
	return someIn(c, "task", in.Cluster), in.Tags, nil
}

func (declarations) startTaskCreated(_ context.Context, c ecs.Call, in *types.StartTaskRequest) (authz.Target, []types.Tag, error) {
	return someIn(c, "task", in.Cluster), in.Tags, nil
}

func (d declarations) instanceCreated(ctx context.Context, c ecs.Call, in *types.RegisterContainerInstanceRequest) (authz.Target, []types.Tag, error) {
	if in.ContainerInstanceArn != "" {
		t, err := d.r.InCluster(ctx, c, "container-instance", in.Cluster, in.ContainerInstanceArn)
		return t, in.Tags, err
	}
	return someIn(c, "container-instance", in.Cluster), in.Tags, nil
}
