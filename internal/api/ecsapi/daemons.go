package ecsapi

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/resolve"
)

// daemonBindings are the operations of daemons and of Express services,
// with what each acts on: the resource types and condition keys of the
// Service Authorization Reference's entries for them (daemon,
// daemon-task-definition, daemon-deployment and daemon-revision; an
// Express service is a service).
func daemonBindings(s *ecs.Service, d declarations) []*api.Operation {
	return []*api.Operation{
		// Daemon task definitions. Listing names no resource type.
		tagOnCreate(bind("RegisterDaemonTaskDefinition", s.RegisterDaemonTaskDefinition, d.registerDaemonTaskDefinition), d, d.daemonTaskDefinitionCreated),
		bind("DescribeDaemonTaskDefinition", s.DescribeDaemonTaskDefinition, d.describeDaemonTaskDefinition),
		bind("DeleteDaemonTaskDefinition", s.DeleteDaemonTaskDefinition, d.deleteDaemonTaskDefinition),
		bind("ListDaemonTaskDefinitions", s.ListDaemonTaskDefinitions, nil),

		// Daemons, their deployments and revisions.
		tagOnCreate(bind("CreateDaemon", s.CreateDaemon, d.createDaemon), d, d.daemonCreated),
		bind("UpdateDaemon", s.UpdateDaemon, d.updateDaemon),
		bind("DeleteDaemon", s.DeleteDaemon, d.deleteDaemon),
		bind("DescribeDaemon", s.DescribeDaemon, d.describeDaemon),
		bind("ListDaemons", s.ListDaemons, d.listDaemons),
		bind("DescribeDaemonDeployments", s.DescribeDaemonDeployments, d.describeDaemonDeployments),
		bind("ListDaemonDeployments", s.ListDaemonDeployments, d.listDaemonDeployments),
		bind("DescribeDaemonRevisions", s.DescribeDaemonRevisions, d.describeDaemonRevisions),

		// Express services.
		tagOnCreate(bind("CreateExpressGatewayService", s.CreateExpressGatewayService, d.createExpressGatewayService), d, d.expressServiceCreated),
		bind("UpdateExpressGatewayService", s.UpdateExpressGatewayService, d.updateExpressGatewayService),
		bind("DeleteExpressGatewayService", s.DeleteExpressGatewayService, d.deleteExpressGatewayService),
		bind("DescribeExpressGatewayService", s.DescribeExpressGatewayService, d.describeExpressGatewayService),
	}
}

// daemonTaskDefinitionARN is the ARN of the daemon task definition ref
// names, as the operations find it (a family alone: its latest ACTIVE
// revision); a reference to none is named as given, or formed.
func (d declarations) daemonTaskDefinitionARN(ctx context.Context, c ecs.Call, ref string) (string, *types.DaemonTaskDefinition, error) {
	out, err := d.r.Svc.DescribeDaemonTaskDefinition(ctx, c, &types.DescribeDaemonTaskDefinitionRequest{DaemonTaskDefinition: ref})
	switch {
	case err == nil:
		return out.DaemonTaskDefinition.DaemonTaskDefinitionArn, out.DaemonTaskDefinition, nil
	case !awserr.IsClient(err):
		return "", nil, err
	case strings.HasPrefix(ref, "arn:"):
		return ref, nil, nil
	}
	return resolve.ARN(c, "daemon-task-definition/"+ref), nil, nil
}

// daemonTaskDefinition is the daemon task definition ref names, of its
// type even when the reference names no revision (as the task definition
// of RunTask is).
func (d declarations) daemonTaskDefinition(ctx context.Context, c ecs.Call, action, ref string) (authz.Access, error) {
	a, _, err := d.daemonTaskDefinitionARN(ctx, c, ref)
	if err != nil {
		return authz.Access{}, err
	}
	t, err := d.r.ByARN(ctx, c, action, a)
	t.Type = "daemon-task-definition"
	return authz.Acting(t), err
}

// nextDaemonTaskDefinition is the revision RegisterDaemonTaskDefinition
// would create, as resolve.ECS.NextTaskDefinition reads it for task
// definitions.
func (d declarations) nextDaemonTaskDefinition(ctx context.Context, c ecs.Call, family string) (authz.Target, error) {
	_, latest, err := d.daemonTaskDefinitionARN(ctx, c, family)
	if err != nil {
		return authz.Target{}, err
	}
	next := int32(1)
	if latest != nil {
		next = latest.Revision + 1
	}
	return authz.Target{ARN: resolve.ARN(c, "daemon-task-definition/"+family+":"+strconv.Itoa(int(next))), Type: "daemon-task-definition"}, nil
}

func (d declarations) registerDaemonTaskDefinition(ctx context.Context, c ecs.Call, in *types.RegisterDaemonTaskDefinitionRequest) (authz.Access, error) {
	t, err := d.nextDaemonTaskDefinition(ctx, c, in.Family)
	acc := authz.Acting(t)
	tagKeys(&acc.Keys, in.Tags)
	privileged := slices.ContainsFunc(in.ContainerDefinitions, func(cd types.DaemonContainerDefinition) bool { return cd.Privileged != nil && *cd.Privileged })
	boolKey(&acc.Keys, "ecs:privileged", privileged)
	sizeKeys(&acc.Keys, in.Cpu, in.Memory)
	return acc, err
}

// sizeKeys: ecs:task-cpu and ecs:task-memory, when given as numbers.
func sizeKeys(k *authz.Keys, cpu, memory string) {
	for _, kv := range [...]struct{ key, v string }{{"ecs:task-cpu", cpu}, {"ecs:task-memory", memory}} {
		if _, err := strconv.Atoi(kv.v); err == nil {
			k.Set(kv.key, kv.v)
		}
	}
}

func (d declarations) daemonTaskDefinitionCreated(ctx context.Context, c ecs.Call, in *types.RegisterDaemonTaskDefinitionRequest) (authz.Target, []types.Tag, error) {
	t, err := d.nextDaemonTaskDefinition(ctx, c, in.Family)
	return t, in.Tags, err
}

func (d declarations) describeDaemonTaskDefinition(ctx context.Context, c ecs.Call, in *types.DescribeDaemonTaskDefinitionRequest) (authz.Access, error) {
	return d.daemonTaskDefinition(ctx, c, "DescribeDaemonTaskDefinition", in.DaemonTaskDefinition)
}

func (d declarations) deleteDaemonTaskDefinition(ctx context.Context, c ecs.Call, in *types.DeleteDaemonTaskDefinitionRequest) (authz.Access, error) {
	return d.daemonTaskDefinition(ctx, c, "DeleteDaemonTaskDefinition", in.DaemonTaskDefinition)
}

// arnParts splits arn:...:KIND/A/B/... into what precedes ":KIND/" and
// the parts after it; ok is false for a reference that is no such ARN.
func arnParts(ref, kind string) (prefix string, parts []string, ok bool) {
	prefix, rest, ok := strings.Cut(ref, ":"+kind+"/")
	if !ok || !strings.HasPrefix(ref, "arn:") {
		return "", nil, false
	}
	return prefix, strings.Split(rest, "/"), true
}

// daemonAccess is the daemon a request names by ARN, with ecs:cluster;
// for a deployment or revision of it (kind), that too, with ecs:daemon. A
// reference that is no ARN (the operations take ARNs) is read as a name,
// or an ID, in the default cluster.
func (d declarations) daemonAccess(ctx context.Context, c ecs.Call, action, kind, ref string) (authz.Access, error) {
	cluster, daemon, child := "default", resolve.ARN(c, "daemon/default/"+ref), ""
	if kind != "daemon" {
		daemon, child = resolve.ARN(c, "daemon/default/*"), resolve.ARN(c, kind+"/default/*/"+ref)
	}
	if prefix, parts, ok := arnParts(ref, kind); ok && len(parts) >= 2 {
		cluster, daemon, child = parts[0], prefix+":daemon/"+parts[0]+"/"+parts[1], ref
	}
	t, err := d.r.ByARN(ctx, c, action, daemon)
	acc := authz.Acting(t)
	acc.Keys.Set("ecs:cluster", resolve.ClusterARN(c, cluster))
	if err != nil || kind == "daemon" {
		return acc, err
	}
	ct, err := d.r.ByARN(ctx, c, action, child)
	acc.Targets = append(acc.Targets, ct)
	acc.Keys.Set("ecs:daemon", daemon)
	return acc, err
}

// daemonKeys: what CreateDaemon and UpdateDaemon run, and how.
func (d declarations) daemonKeys(ctx context.Context, acc *authz.Access, c ecs.Call, taskDef string, providers []string, propagate string, managedTags, exec bool) error {
	capacityProviderKeys(&acc.Keys, c, providers, nil)
	boolKey(&acc.Keys, "ecs:enable-ecs-managed-tags", managedTags)
	boolKey(&acc.Keys, "ecs:enable-execute-command", exec)
	if propagate != "" {
		acc.Keys.Set("ecs:propagate-tags", propagate)
	}
	a, td, err := d.daemonTaskDefinitionARN(ctx, c, taskDef)
	if err != nil {
		return err
	}
	acc.Keys.Set("ecs:daemon-task-definition", a)
	if td != nil {
		sizeKeys(&acc.Keys, td.Cpu, td.Memory)
	}
	return nil
}

func (d declarations) createDaemon(ctx context.Context, c ecs.Call, in *types.CreateDaemonRequest) (authz.Access, error) {
	t, _, err := d.daemonCreated(ctx, c, in)
	acc := authz.Acting(t)
	acc.Keys.Set("ecs:cluster", resolve.ClusterARN(c, in.ClusterArn))
	if err != nil {
		return acc, err
	}
	tagKeys(&acc.Keys, in.Tags)
	return acc, d.daemonKeys(ctx, &acc, c, in.DaemonTaskDefinitionArn, in.CapacityProviderArns, in.PropagateTags, in.EnableECSManagedTags, in.EnableExecuteCommand)
}

func (d declarations) daemonCreated(ctx context.Context, c ecs.Call, in *types.CreateDaemonRequest) (authz.Target, []types.Tag, error) {
	t, err := d.r.ByARN(ctx, c, "CreateDaemon", resolve.ARN(c, "daemon/"+resolve.ClusterName(in.ClusterArn)+"/"+in.DaemonName))
	return t, in.Tags, err
}

func (d declarations) updateDaemon(ctx context.Context, c ecs.Call, in *types.UpdateDaemonRequest) (authz.Access, error) {
	acc, err := d.daemonAccess(ctx, c, "UpdateDaemon", "daemon", in.DaemonArn)
	if err != nil {
		return acc, err
	}
	return acc, d.daemonKeys(ctx, &acc, c, in.DaemonTaskDefinitionArn, in.CapacityProviderArns, in.PropagateTags, in.EnableECSManagedTags, in.EnableExecuteCommand)
}

func (d declarations) deleteDaemon(ctx context.Context, c ecs.Call, in *types.DeleteDaemonRequest) (authz.Access, error) {
	return d.daemonAccess(ctx, c, "DeleteDaemon", "daemon", in.DaemonArn)
}

func (d declarations) describeDaemon(ctx context.Context, c ecs.Call, in *types.DescribeDaemonRequest) (authz.Access, error) {
	return d.daemonAccess(ctx, c, "DescribeDaemon", "daemon", in.DaemonArn)
}

func (declarations) listDaemons(_ context.Context, c ecs.Call, in *types.ListDaemonsRequest) (authz.Access, error) {
	if in.ClusterArn == "" {
		return anyResource(nil), nil
	}
	return anyResource(clusterKey(c, in.ClusterArn)), nil
}

// children: a deployment or revision (kind) for each ref, each with its
// daemon.
func (d declarations) children(ctx context.Context, c ecs.Call, action, kind string, refs []string) (authz.Access, error) {
	var acc authz.Access
	for _, ref := range refs {
		a, err := d.daemonAccess(ctx, c, action, kind, ref)
		acc.Targets = append(acc.Targets, a.Targets...)
		for k, v := range a.Keys {
			acc.Keys.Set(k, append(acc.Keys[k], v...)...)
		}
		if err != nil {
			return acc, err
		}
	}
	return acc, nil
}

func (d declarations) describeDaemonDeployments(ctx context.Context, c ecs.Call, in *types.DescribeDaemonDeploymentsRequest) (authz.Access, error) {
	return d.children(ctx, c, "DescribeDaemonDeployments", "daemon-deployment", in.DaemonDeploymentArns)
}

func (d declarations) describeDaemonRevisions(ctx context.Context, c ecs.Call, in *types.DescribeDaemonRevisionsRequest) (authz.Access, error) {
	return d.children(ctx, c, "DescribeDaemonRevisions", "daemon-revision", in.DaemonRevisionArns)
}

func (d declarations) listDaemonDeployments(ctx context.Context, c ecs.Call, in *types.ListDaemonDeploymentsRequest) (authz.Access, error) {
	return d.daemonAccess(ctx, c, "ListDaemonDeployments", "daemon", in.DaemonArn)
}

// expressKeys: ecs:subnet, ecs:task-cpu and ecs:task-memory of an Express
// service's configuration.
func expressKeys(k *authz.Keys, network *types.ExpressGatewayServiceNetworkConfiguration, cpu, memory string) {
	if network != nil {
		k.Set("ecs:subnet", network.Subnets...)
	}
	sizeKeys(k, cpu, memory)
}

// expressServiceCreated is the service CreateExpressGatewayService
// creates: service/CLUSTER/NAME, or service/CLUSTER/* when ECS is to name
// it.
func (d declarations) expressServiceCreated(ctx context.Context, c ecs.Call, in *types.CreateExpressGatewayServiceRequest) (authz.Target, []types.Tag, error) {
	if in.ServiceName == "" {
		return someIn(c, "service", in.Cluster), in.Tags, nil
	}
	t, err := d.r.InCluster(ctx, c, "service", in.Cluster, in.ServiceName)
	return t, in.Tags, err
}

func (d declarations) createExpressGatewayService(ctx context.Context, c ecs.Call, in *types.CreateExpressGatewayServiceRequest) (authz.Access, error) {
	t, _, err := d.expressServiceCreated(ctx, c, in)
	acc := authz.Acting(t)
	acc.Keys.Set("ecs:cluster", resolve.ClusterARN(c, in.Cluster))
	tagKeys(&acc.Keys, in.Tags)
	expressKeys(&acc.Keys, in.NetworkConfiguration, in.Cpu, in.Memory)
	return acc, err
}

// expressService is the service an Express operation names by ARN, with
// ecs:cluster.
func (d declarations) expressService(ctx context.Context, c ecs.Call, action, arn string) (authz.Access, error) {
	if _, parts, ok := arnParts(arn, "service"); ok && len(parts) == 2 {
		acc, err := d.byARN(ctx, c, action, arn)
		acc.Keys.Set("ecs:cluster", resolve.ClusterARN(c, parts[0]))
		return acc, err
	}
	return d.inCluster(ctx, c, "service", "", arn)
}

func (d declarations) updateExpressGatewayService(ctx context.Context, c ecs.Call, in *types.UpdateExpressGatewayServiceRequest) (authz.Access, error) {
	acc, err := d.expressService(ctx, c, "UpdateExpressGatewayService", in.ServiceArn)
	expressKeys(&acc.Keys, in.NetworkConfiguration, in.Cpu, in.Memory)
	return acc, err
}

func (d declarations) deleteExpressGatewayService(ctx context.Context, c ecs.Call, in *types.DeleteExpressGatewayServiceRequest) (authz.Access, error) {
	return d.expressService(ctx, c, "DeleteExpressGatewayService", in.ServiceArn)
}

func (d declarations) describeExpressGatewayService(ctx context.Context, c ecs.Call, in *types.DescribeExpressGatewayServiceRequest) (authz.Access, error) {
	return d.expressService(ctx, c, "DescribeExpressGatewayService", in.ServiceArn)
}
