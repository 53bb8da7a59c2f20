package ecs

import (
	"context"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// Task sets: a service with the EXTERNAL deployment controller runs the
// task sets its caller creates, each a task definition, launch and network
// configuration and load balancers at a scale (a percentage of the
// service's desired count); one is PRIMARY, the service's baseline
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-external.html).
// A CODE_DEPLOY service's first task set is ECS's own; CodeDeploy creates
// the next ones through the same calls. The scheduler launches a task
// set's tasks as a service's (reconcile), with the task definition's roles
// assumed by ecs-tasks.amazonaws.com.

// Deployment controllers (DeploymentController reference).
const (
	controllerECS        = "ECS"
	controllerCodeDeploy = "CODE_DEPLOY"
	controllerExternal   = "EXTERNAL"
)

// A task set's statuses (TaskSet reference).
const (
	taskSetPrimary  = "PRIMARY"
	taskSetActive   = "ACTIVE"
	taskSetDraining = "DRAINING"
)

// maxTaskSets is how many task sets a service has at most (the quota
// "Task sets per service", 5; AWS's refusal names it).
const maxTaskSets = 5

// taskSetController: the service runs task sets (EXTERNAL, CODE_DEPLOY),
// not the ECS scheduler's deployments.
func taskSetController(svc *types.Service) bool {
	return svc.DeploymentController != nil && svc.DeploymentController.Type != controllerECS
}

// Errors of task sets.

// errTaskSetsUnsupported: a task set call on a service of the ECS
// deployment controller (hashicorp/terraform-provider-aws #30347, the CLI
// quoted).
func errTaskSetsUnsupported() error {
	return invalidParameter("Amazon ECS only supports task set management on services configured to use external deployment controllers.")
}

// errTaskSetLimit: aws-samples/ecs-bg-external-controller #6; pipe-cd/pipecd
// #4692.
func errTaskSetLimit() error {
	return invalidParameter("%d deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.", maxTaskSets)
}

// errTaskSetsEmpty: DescribeTaskSets without task sets (aws/aws-cli #5380).
func errTaskSetsEmpty() error { return invalidParameter("TaskSets cannot be empty.") }

// errTaskSetIdentifier: a task set named by what cannot be one, a task's
// ARN (boto/boto3 #3895).
func errTaskSetIdentifier() error { return invalidParameter("Task Set Identifier is invalid") }

// errTaskSetNotFound: rolecall's wording, as ECS words its other
// resources' ("Service not found.").
func errTaskSetNotFound() error {
	return awserr.New(http.StatusBadRequest, "TaskSetNotFoundException", "Task set not found.")
}

// errTaskSetScaled: DeleteTaskSet without force of a task set that still
// has a scale, or the PRIMARY ("force: If true, you can delete a task set
// even if it hasn't been scaled down to zero", DeleteTaskSet reference);
// rolecall's wording.
func errTaskSetScaled() error {
	return invalidParameter("The task set cannot be deleted while it is scaled above 0 or is the primary task set. Use force to delete it.")
}

// errControllerUpdate: UpdateService changing what a task set owns on a
// CODE_DEPLOY service ("Unable to update task definition on services with a
// CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new
// deployment.", hashicorp/terraform-provider-aws #12703; "Unable to update
// network parameters ...", #8005; "Cannot force a new deployment ...",
// public CLI transcripts, 2020). For EXTERNAL the same sentence without the
// CodeDeploy advice is rolecall's wording.
func errControllerUpdate(svc *types.Service, what string) error {
	t := svc.DeploymentController.Type
	if t == controllerCodeDeploy {
		return invalidParameter("%s on services with a %s deployment controller. Use AWS CodeDeploy to trigger a new deployment.", what, t)
	}
	return invalidParameter("%s on services with a %s deployment controller.", what, t)
}

// controllerAllows refuses what UpdateService may not change on a service
// of task sets: "If a service uses the EXTERNAL deployment controller ...
// If the launch type, load balancer, network configuration, platform
// version, or task definition need to be updated, create a new task set"
// (UpdateService reference); CODE_DEPLOY likewise.
func controllerAllows(svc *types.Service, in *types.UpdateServiceRequest, def *taskDefRecord) error {
	if !taskSetController(svc) {
		return nil
	}
	switch {
	case def != nil && def.Def.TaskDefinitionArn != svc.TaskDefinition:
		return errControllerUpdate(svc, "Unable to update task definition")
	case in.NetworkConfiguration != nil:
		return errControllerUpdate(svc, "Unable to update network parameters")
	case in.ForceNewDeployment || in.CapacityProviderStrategy != nil:
		return errControllerUpdate(svc, "Cannot force a new deployment")
	}
	return nil
}

// activeTaskDef is the ACTIVE task definition ref names, or AWS's error.
func activeTaskDef(tx store.Tx, c Call, ref string) (*taskDefRecord, error) {
	def, err := loadTaskDef(tx, c, ref)
	switch {
	case err != nil:
		return nil, err
	case def == nil:
		return nil, errTaskDefinitionNotFound()
	case def.Def.Status != tdActive:
		return nil, errTaskDefinitionInactive()
	}
	return def, nil
}

// arn is the task definition's ARN, "" for none.
func (r *taskDefRecord) arn() string {
	if r == nil {
		return ""
	}
	return r.Def.TaskDefinitionArn
}

// computedDesired is a task set's computed desired count: the service's
// desired count times its scale, "always rounded up" (TaskSet reference);
// none for a task set being deleted.
func computedDesired(svc *types.Service, ts *types.TaskSet) int32 {
	if ts.Status == taskSetDraining || ts.Scale == nil {
		return 0
	}
	return int32(math.Ceil(float64(svc.DesiredCount) * ts.Scale.Value / 100))
}

// newTaskSet is a task set of svc running cfg's task definition, launch
// and network configuration, load balancers and registries at scale.
func (s *Service) newTaskSet(svc, cfg *types.Service, scale *types.Scale, now time.Time) types.TaskSet {
	id := s.deploymentID()
	return types.TaskSet{
		Id:                       id,
		TaskSetArn:               memberARN(svc, "task-set", id),
		ServiceArn:               svc.ServiceArn,
		ClusterArn:               svc.ClusterArn,
		Status:                   taskSetActive,
		TaskDefinition:           cfg.TaskDefinition,
		CreatedAt:                ptr(now),
		UpdatedAt:                ptr(now),
		LaunchType:               cfg.LaunchType,
		CapacityProviderStrategy: cfg.CapacityProviderStrategy,
		PlatformVersion:          cfg.PlatformVersion,
		PlatformFamily:           cfg.PlatformFamily,
		NetworkConfiguration:     cfg.NetworkConfiguration,
		LoadBalancers:            nonNil(cfg.LoadBalancers),
		ServiceRegistries:        nonNil(cfg.ServiceRegistries),
		Scale:                    scale,
		StabilityStatus:          "STABILIZING",
		StabilityStatusAt:        ptr(now),
		Tags:                     []types.Tag{},
	}
}

// taskSetConfig is what a task set runs, as the service's members a
// launch reads.
func taskSetConfig(ts *types.TaskSet) *types.Service {
	return &types.Service{TaskDefinition: ts.TaskDefinition, LaunchType: ts.LaunchType, CapacityProviderStrategy: ts.CapacityProviderStrategy,
		PlatformVersion: ts.PlatformVersion, PlatformFamily: ts.PlatformFamily, NetworkConfiguration: ts.NetworkConfiguration,
		LoadBalancers: ts.LoadBalancers, ServiceRegistries: ts.ServiceRegistries}
}

// taskSetGroups are the groups of the service's task sets that run (a
// DRAINING one's tasks are stopped).
func (r *serviceRecord) taskSetGroups(tx store.Tx, c Call, cl *clusterRecord) ([]*group, error) {
	var out []*group
	for i := range r.Service.TaskSets {
		ts := &r.Service.TaskSets[i]
		if ts.Status == taskSetDraining {
			continue
		}
		cfg := taskSetConfig(ts)
		g, err := r.groupOf(tx, c, cl, cfg, ts.Id)
		if err != nil {
			return nil, err
		}
		if g == nil {
			continue
		}
		g.desired = int(computedDesired(&r.Service, ts))
		g.who = "service " + r.Service.ServiceName + ", taskSet " + ts.Id
		svc := r.Service
		svc.LoadBalancers = ts.LoadBalancers
		g.svc = &svc
		out = append(out, g)
	}
	return out, nil
}

// drainedTaskSets are the service's deleted task sets whose tasks have all
// stopped: they are gone.
func (r *serviceRecord) drainedTaskSets(tl *tally) []string {
	var out []string
	for _, ts := range r.Service.TaskSets {
		if ts.Status == taskSetDraining && !tl.of(ts.Id).active {
			out = append(out, ts.Id)
		}
	}
	return out
}

// taskSetViews are the service's task sets as ECS answers them now.
func (r *serviceRecord) taskSetViews(tl *tally, withTags bool) []types.TaskSet {
	out := []types.TaskSet{}
	for i := range r.Service.TaskSets {
		out = append(out, r.taskSetView(&r.Service.TaskSets[i], tl, withTags))
	}
	return out
}

// taskSetView is a task set with its tasks' counts and stability: steady
// once it runs its computed desired count and nothing of it starts or
// stops.
func (r *serviceRecord) taskSetView(ts *types.TaskSet, tl *tally, withTags bool) types.TaskSet {
	v := *ts
	g := tl.of(ts.Id)
	v.ComputedDesiredCount = computedDesired(&r.Service, ts)
	v.RunningCount, v.PendingCount = g.running, g.pending
	if withTags {
		v.Tags = nonNil(v.Tags)
	} else {
		v.Tags = nil
	}
	if ts.Status != taskSetDraining && g.running == v.ComputedDesiredCount && g.pending == 0 && !g.settling {
		at := *ts.UpdatedAt
		if g.changed.After(at) {
			at = g.changed
		}
		v.StabilityStatus, v.StabilityStatusAt = "STEADY_STATE", ptr(at)
	}
	return v
}

// taskSetIDPattern is a task set's ID, the form of an ECS deployment's.
var taskSetIDPattern = regexp.MustCompile(`^ecs-svc/[0-9]{1,20}$`)

// taskSetID is the ID ref (an ID or task-set ARN) names in the service;
// ok is false for what cannot name a task set.
func taskSetID(svc *types.Service, ref string) (string, bool) {
	if isARN(ref) {
		prefix := memberARN(svc, "task-set", "")
		if !strings.HasPrefix(ref, prefix) {
			if strings.Contains(ref, ":task-set/") {
				return ref, true // another service's: found nowhere
			}
			return "", false
		}
		ref = ref[len(prefix):]
	}
	return ref, taskSetIDPattern.MatchString(ref)
}

// taskSetIndex is the index of the task set ref names among the service's
// (-1 for none, or a DRAINING one when live).
func taskSetIndex(svc *types.Service, ref string, live bool) (int, error) {
	id, ok := taskSetID(svc, ref)
	if !ok {
		return -1, errTaskSetIdentifier()
	}
	for i, ts := range svc.TaskSets {
		if ts.Id == id && (!live || ts.Status != taskSetDraining) {
			return i, nil
		}
	}
	return -1, nil
}

// TaskSetARN is the ARN of the task set ref names in a service of a
// cluster, as the operations find it; ok is false when no operation of
// this Call would.
func TaskSetARN(c Call, cluster, service, ref string) (string, bool) {
	svcArn, ok := MemberARN(c, "service", cluster, service)
	if !ok {
		return "", false
	}
	id, ok := taskSetID(&types.Service{ServiceArn: svcArn}, ref)
	if !ok || isARN(id) {
		return "", false
	}
	return memberARN(&types.Service{ServiceArn: svcArn}, "task-set", id), true
}

// taskSetTaggable is the task set of an ARN's CLUSTER/SERVICE/ID (rest),
// whose tags its service's record keeps.
func taskSetTaggable(tx store.Tx, c Call, rest string) (*taggable, error) {
	cl, after, _ := strings.Cut(rest, "/")
	name, id, _ := strings.Cut(after, "/")
	r, err := loadService(tx, c, cl, name)
	if err != nil {
		return nil, err
	}
	if r == nil || r.Service.Status == statusInactive {
		return nil, errResourceNotFound()
	}
	i := slices.IndexFunc(r.Service.TaskSets, func(ts types.TaskSet) bool { return ts.Id == id })
	if i < 0 {
		return nil, errResourceNotFound()
	}
	return &taggable{bucketServices, serviceKey(c, cl, name), r, &r.Service.TaskSets[i].Tags}, nil
}

// taskSetService loads the ACTIVE service of task sets a task set call
// names, with AWS's errors.
func taskSetService(tx store.Tx, c Call, cluster, service string) (*clusterRecord, *serviceRecord, error) {
	cl, err := activeCluster(tx, c, cluster, false)
	if err != nil {
		return nil, nil, err
	}
	r, err := loadService(tx, c, cl.Cluster.ClusterName, service)
	switch {
	case err != nil:
		return nil, nil, err
	case r == nil:
		return nil, nil, errServiceNotFound()
	case r.Service.Status != statusActive:
		return nil, nil, errServiceNotActive()
	case !taskSetController(&r.Service):
		return nil, nil, errTaskSetsUnsupported()
	}
	return cl, r, nil
}

// taskSetAnswer reconciles the service and answers one of its task sets;
// gone is the task set as it was, should it be gone meanwhile.
func (s *Service) taskSetAnswer(ctx context.Context, c Call, cluster, service, id string, gone *types.TaskSet) (*types.TaskSet, error) {
	if err := s.reconcile(ctx, c, cluster, service, true); err != nil {
		return nil, err
	}
	now, tm := s.now(), s.phases()
	var out *types.TaskSet
	err := s.view(ctx, c, func(tx store.Tx) error {
		r, tl, err := tallied(tx, c, cluster, service, now, tm)
		if err != nil || r == nil {
			return err
		}
		if i, _ := taskSetIndex(&r.Service, id, false); i >= 0 {
			out = ptr(r.taskSetView(&r.Service.TaskSets[i], tl, true))
		} else if gone != nil {
			out = ptr(r.taskSetView(gone, tl, true))
		}
		return nil
	})
	return out, err
}

// CreateTaskSet creates a task set in a service of the EXTERNAL (or
// CODE_DEPLOY) deployment controller and launches its tasks. As for
// CreateService, the caller passes the task definition's roles, and ECS
// acts through AWSServiceRoleForECS for the network interfaces and load
// balancers. A client token already used answers its task set.
func (s *Service) CreateTaskSet(ctx context.Context, c Call, in *types.CreateTaskSetRequest) (*types.CreateTaskSetResponse, error) {
	if in.LaunchType != "" && len(in.CapacityProviderStrategy) > 0 {
		return nil, errLaunchTypeAndStrategy()
	}
	now := s.now()
	var cl *clusterRecord
	var rec *serviceRecord
	var def *taskDefRecord
	var launchType, provider string
	err := s.view(ctx, c, func(tx store.Tx) error {
		var err error
		if cl, rec, err = taskSetService(tx, c, in.Cluster, in.Service); err != nil {
			return err
		}
		if def, err = activeTaskDef(tx, c, in.TaskDefinition); err != nil {
			return err
		}
		launchType, provider, err = resolveLaunchType(tx, c, cl, in.LaunchType, in.CapacityProviderStrategy)
		return err
	})
	if err != nil {
		return nil, err
	}
	cluster, name := cl.Cluster.ClusterName, rec.Service.ServiceName
	if id := rec.TaskSetTokens[in.ClientToken]; in.ClientToken != "" && id != "" {
		ts, err := s.taskSetAnswer(ctx, c, cluster, name, id, nil)
		return &types.CreateTaskSetResponse{TaskSet: ts}, err
	}
	if len(rec.Service.TaskSets) >= maxTaskSets {
		return nil, errTaskSetLimit()
	}
	if err := checkLaunch(&def.Def, launchType, in.NetworkConfiguration); err != nil {
		return nil, err
	}
	if err := s.createSLR(ctx, c); err != nil {
		return nil, err
	}
	if err := s.needSLR(ctx, c); err != nil {
		return nil, err
	}
	if len(in.LoadBalancers) > 0 {
		if err := s.roles.LinkedRoleUsed(ctx, c, PrincipalECS, lbValidation(c, name, in.LoadBalancers)...); err != nil {
			return nil, err
		}
	}
	if err := s.passTaskRoles(ctx, c, def.Def.ExecutionRoleArn, def.Def.TaskRoleArn); err != nil {
		return nil, err
	}
	cfg := &types.Service{TaskDefinition: def.Def.TaskDefinitionArn, LaunchType: in.LaunchType, CapacityProviderStrategy: strategy(in.CapacityProviderStrategy),
		PlatformVersion: in.PlatformVersion, NetworkConfiguration: in.NetworkConfiguration, LoadBalancers: in.LoadBalancers,
		ServiceRegistries: in.ServiceRegistries}
	switch {
	case len(in.CapacityProviderStrategy) > 0:
		cfg.LaunchType = ""
	case provider != "":
		// The cluster's default strategy applied.
		cfg.LaunchType, cfg.CapacityProviderStrategy = "", strategy(cl.Cluster.DefaultCapacityProviderStrategy)
	default:
		cfg.LaunchType, cfg.CapacityProviderStrategy = launchType, nil
	}
	if launchType == launchFargate {
		if cfg.PlatformVersion == "" {
			cfg.PlatformVersion = "LATEST"
		}
		cfg.PlatformFamily = "Linux"
	}
	// Without a scale the task set runs no task until one is given ("Here
	// you should see STEADY_STATE immediately as there nothing to scale
	// (0%)", public walkthrough of the API, 2020; the CLI reference's
	// example answers scale 0.0).
	scale := in.Scale
	if scale == nil {
		scale = &types.Scale{Value: 0, Unit: "PERCENT"}
	}
	ts := s.newTaskSet(&rec.Service, cfg, scale, now)
	ts.ExternalId, ts.Tags = in.ExternalId, nonNil(in.Tags)
	err = s.update(ctx, c, func(tx store.Tx) error {
		_, r, err := taskSetService(tx, c, cluster, name)
		if err != nil {
			return err
		}
		if len(r.Service.TaskSets) >= maxTaskSets {
			return errTaskSetLimit()
		}
		r.Service.TaskSets = append(r.Service.TaskSets, ts)
		if in.ClientToken != "" {
			if r.TaskSetTokens == nil {
				r.TaskSetTokens = map[string]string{}
			}
			r.TaskSetTokens[in.ClientToken] = ts.Id
		}
		r.LastAttempt = time.Time{}
		r.Rev++
		return putJSON(tx, bucketServices, serviceKey(c, cluster, name), r)
	})
	if err != nil {
		return nil, err
	}
	out, err := s.taskSetAnswer(ctx, c, cluster, name, ts.Id, nil)
	return &types.CreateTaskSetResponse{TaskSet: out}, err
}

// changeTaskSet applies change to the live task set ref names, and answers
// it once the service has reconciled.
func (s *Service) changeTaskSet(ctx context.Context, c Call, cluster, service, ref string, change func(r *serviceRecord, i int) error) (*types.TaskSet, error) {
	var name, clusterName, id string
	var gone *types.TaskSet
	err := s.update(ctx, c, func(tx store.Tx) error {
		cl, r, err := taskSetService(tx, c, cluster, service)
		if err != nil {
			return err
		}
		i, err := taskSetIndex(&r.Service, ref, true)
		if err != nil {
			return err
		}
		if i < 0 {
			return errTaskSetNotFound()
		}
		clusterName, name, id = cl.Cluster.ClusterName, r.Service.ServiceName, r.Service.TaskSets[i].Id
		if err := change(r, i); err != nil {
			return err
		}
		gone = ptr(r.Service.TaskSets[i])
		r.LastAttempt = time.Time{}
		r.Rev++
		return putJSON(tx, bucketServices, serviceKey(c, clusterName, name), r)
	})
	if err != nil {
		return nil, err
	}
	return s.taskSetAnswer(ctx, c, clusterName, name, id, gone)
}

// UpdateTaskSet changes a task set's scale; the scheduler starts or stops
// its tasks to match.
func (s *Service) UpdateTaskSet(ctx context.Context, c Call, in *types.UpdateTaskSetRequest) (*types.UpdateTaskSetResponse, error) {
	now := s.now()
	ts, err := s.changeTaskSet(ctx, c, in.Cluster, in.Service, in.TaskSet, func(r *serviceRecord, i int) error {
		ts := &r.Service.TaskSets[i]
		ts.Scale, ts.UpdatedAt = in.Scale, ptr(now)
		ts.StabilityStatus, ts.StabilityStatusAt = "STABILIZING", ptr(now)
		return nil
	})
	return &types.UpdateTaskSetResponse{TaskSet: ts}, err
}

// DeleteTaskSet deletes a task set: it is DRAINING, scaled to 0, while its
// tasks stop, then gone. Without force only a task set scaled to 0 that is
// not the PRIMARY may go.
func (s *Service) DeleteTaskSet(ctx context.Context, c Call, in *types.DeleteTaskSetRequest) (*types.DeleteTaskSetResponse, error) {
	now := s.now()
	force := in.Force != nil && *in.Force
	ts, err := s.changeTaskSet(ctx, c, in.Cluster, in.Service, in.TaskSet, func(r *serviceRecord, i int) error {
		ts := &r.Service.TaskSets[i]
		if !force && (ts.Status == taskSetPrimary || (ts.Scale != nil && ts.Scale.Value > 0)) {
			return errTaskSetScaled()
		}
		ts.Status, ts.Scale, ts.UpdatedAt = taskSetDraining, &types.Scale{Value: 0, Unit: "PERCENT"}, ptr(now)
		ts.StabilityStatus, ts.StabilityStatusAt = "STABILIZING", ptr(now)
		return nil
	})
	return &types.DeleteTaskSetResponse{TaskSet: ts}, err
}

// UpdateServicePrimaryTaskSet makes a task set the service's PRIMARY, the
// one before it ACTIVE; the service takes its task definition, launch and
// network configuration and load balancers as its own ("This will make it
// the baseline for future TaskSet by updating the default values on the
// service", public walkthrough of the API, 2020).
func (s *Service) UpdateServicePrimaryTaskSet(ctx context.Context, c Call, in *types.UpdateServicePrimaryTaskSetRequest) (*types.UpdateServicePrimaryTaskSetResponse, error) {
	now := s.now()
	ts, err := s.changeTaskSet(ctx, c, in.Cluster, in.Service, in.PrimaryTaskSet, func(r *serviceRecord, i int) error {
		for j := range r.Service.TaskSets {
			if p := &r.Service.TaskSets[j]; p.Status == taskSetPrimary && j != i {
				p.Status, p.UpdatedAt = taskSetActive, ptr(now)
			}
		}
		ts := &r.Service.TaskSets[i]
		if ts.Status != taskSetPrimary {
			ts.Status, ts.UpdatedAt = taskSetPrimary, ptr(now)
		}
		sv, cfg := &r.Service, taskSetConfig(ts)
		sv.TaskDefinition, sv.LaunchType, sv.CapacityProviderStrategy = cfg.TaskDefinition, cfg.LaunchType, cfg.CapacityProviderStrategy
		sv.PlatformVersion, sv.PlatformFamily, sv.NetworkConfiguration = cfg.PlatformVersion, cfg.PlatformFamily, cfg.NetworkConfiguration
		sv.LoadBalancers, sv.ServiceRegistries = nonNil(cfg.LoadBalancers), nonNil(cfg.ServiceRegistries)
		return nil
	})
	return &types.UpdateServicePrimaryTaskSetResponse{TaskSet: ts}, err
}

// DescribeTaskSets describes a service's task sets by ID or ARN; unknown
// ones are failures with reason MISSING. "TaskSets cannot be empty" comes
// first, whatever the cluster and service (aws/aws-cli #5380).
func (s *Service) DescribeTaskSets(ctx context.Context, c Call, in *types.DescribeTaskSetsRequest) (*types.DescribeTaskSetsResponse, error) {
	if len(in.TaskSets) == 0 {
		return nil, errTaskSetsEmpty()
	}
	var cluster, name string
	err := s.view(ctx, c, func(tx store.Tx) error {
		cl, r, err := taskSetService(tx, c, in.Cluster, in.Service)
		if err == nil {
			cluster, name = cl.Cluster.ClusterName, r.Service.ServiceName
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.reconcile(ctx, c, cluster, name, false); err != nil {
		return nil, err
	}
	now, tm := s.now(), s.phases()
	withTags := slices.Contains(in.Include, "TAGS")
	out := &types.DescribeTaskSetsResponse{}
	err = s.view(ctx, c, func(tx store.Tx) error {
		out.TaskSets, out.Failures = []types.TaskSet{}, []types.Failure{}
		r, tl, err := tallied(tx, c, cluster, name, now, tm)
		if err != nil || r == nil {
			return err
		}
		for _, ref := range in.TaskSets {
			i, err := taskSetIndex(&r.Service, ref, false)
			if err != nil {
				return err
			}
			if i < 0 {
				arn := ref
				if !isARN(ref) {
					arn = memberARN(&r.Service, "task-set", ref)
				}
				out.Failures = append(out.Failures, types.Failure{Arn: arn, Reason: "MISSING"})
				continue
			}
			out.TaskSets = append(out.TaskSets, r.taskSetView(&r.Service.TaskSets[i], tl, withTags))
		}
		return nil
	})
	return out, err
}
