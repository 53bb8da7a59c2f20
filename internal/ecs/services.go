package ecs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// serviceRecord is a service as the store keeps it. Its counts,
// deployment progress and steady-state event are computed when it is read
// from its tasks.
type serviceRecord struct {
	// Service holds the service's configuration and status; counts and
	// deployments are filled by view.
	Service types.Service
	// Deployment is the PRIMARY deployment's ID (ecs-svc/<19 digits>).
	Deployment          string
	DeploymentCreated   time.Time
	DeploymentUpdatedAt time.Time
	// Events are the service's events, newest first.
	Events []types.ServiceEvent `json:",omitempty"`
	// Rev changes with every write, so that a launch decided on a stale
	// read is dropped (another call launched meanwhile).
	Rev int64
	// LastAttempt is when a launch last failed; launches are retried
	// after launchRetry.
	LastAttempt time.Time `json:",omitzero"`
	// ServiceConnect is the service's Service Connect configuration, as
	// last given (ListServicesByNamespace).
	ServiceConnect *types.ServiceConnectConfiguration `json:",omitempty"`
	// Rollout is the ECS deployment controller's record of the service's
	// deployments and revisions (deployments.go).
	Rollout *rollout `json:",omitempty"`
	// TaskSetTokens are the task sets CreateTaskSet made, by client token
	// (tasksets.go).
	TaskSetTokens map[string]string `json:",omitempty"`
}

// launchRetry is how soon a service tries again to launch tasks after a
// failed attempt (a role it could not assume, no instance to place on).
const launchRetry = 15 * time.Second

// maxEvents is how many events a service keeps.
const maxEvents = 100

func serviceKey(c Call, cluster, name string) string { return clusterKey(c, cluster) + "/" + name }

// clusterName is the name of the cluster the service is in.
func (r *serviceRecord) clusterName() string { return taskIDOf(r.Service.ClusterArn) }

var serviceNamePattern = clusterNamePattern

// serviceName resolves a service given by name or ARN (long
// arn:...:service/CLUSTER/NAME or old arn:...:service/NAME) in cluster.
func serviceName(c Call, cluster, id string) (string, bool) {
	if rest, ok := resourceOf(c, id, "service"); ok {
		cl, name, long := strings.Cut(rest, "/")
		if !long {
			return cl, serviceNamePattern.MatchString(cl)
		}
		return name, cl == cluster && serviceNamePattern.MatchString(name)
	}
	return id, serviceNamePattern.MatchString(id)
}

func loadService(tx store.Tx, c Call, cluster, id string) (*serviceRecord, error) {
	name, ok := serviceName(c, cluster, id)
	if !ok {
		return nil, nil
	}
	var r serviceRecord
	found, err := getJSON(tx, bucketServices, serviceKey(c, cluster, name), &r)
	if err != nil || !found {
		return nil, err
	}
	return &r, nil
}

// deploymentID makes an ECS deployment ID, ecs-svc/ and 19 digits.
func (s *Service) deploymentID() string {
	n := new(big.Int)
	n.SetString(strings.ReplaceAll(s.gen.UUID(), "-", ""), 16)
	d := n.String()
	for len(d) < 19 {
		d = "0" + d
	}
	return "ecs-svc/" + d[len(d)-19:]
}

// CreateService creates a service and launches its tasks. Without a role
// ECS acts through AWSServiceRoleForECS, which must exist; a role given
// (the legacy service role, for a load balancer with a non-awsvpc task
// definition) is passed by the caller and assumed by ecs.amazonaws.com.
func (s *Service) CreateService(ctx context.Context, c Call, in *types.CreateServiceRequest) (*types.CreateServiceResponse, error) {
	if in.LaunchType != "" && len(in.CapacityProviderStrategy) > 0 {
		return nil, errLaunchTypeAndStrategy()
	}
	if !serviceNamePattern.MatchString(in.ServiceName) {
		return nil, errServiceName()
	}
	daemon := in.SchedulingStrategy == "DAEMON"
	if daemon && in.DesiredCount != nil {
		return nil, errDaemonDesiredCount()
	}
	// "To manage an Amazon ECS service using an external deployment
	// controller ... The only required parameter is the service name"
	// (deployment-type-external.html): its task sets name their task
	// definitions.
	external := in.DeploymentController != nil && in.DeploymentController.Type == controllerExternal
	now := s.now()
	var cl *clusterRecord
	var def *taskDefRecord
	var existing *serviceRecord
	var launchType, provider string
	var instances int
	err := s.view(ctx, c, func(tx store.Tx) error {
		var err error
		if cl, err = activeCluster(tx, c, in.Cluster, true); err != nil {
			return err
		}
		if in.TaskDefinition != "" || !external {
			if def, err = activeTaskDef(tx, c, in.TaskDefinition); err != nil {
				return err
			}
		}
		if existing, err = loadService(tx, c, cl.Cluster.ClusterName, in.ServiceName); err != nil {
			return err
		}
		if launchType, provider, err = resolveLaunchType(tx, c, cl, in.LaunchType, in.CapacityProviderStrategy); err != nil {
			return err
		}
		insts, err := instancesFor(tx, c, cl.Cluster.ClusterName, now, s.phases())
		instances = len(insts)
		return err
	})
	if err != nil {
		return nil, err
	}
	desired := int32(0)
	if in.DesiredCount != nil {
		desired = *in.DesiredCount
	}
	if daemon {
		desired = int32(instances)
	}
	if existing != nil && existing.Service.Status != statusInactive {
		if existing.Service.TaskDefinition == def.arn() && existing.Service.DesiredCount == desired {
			out, err := s.describeService(ctx, c, cl.Cluster.ClusterName, in.ServiceName, true)
			if err != nil {
				return nil, err
			}
			return &types.CreateServiceResponse{Service: out}, nil
		}
		return nil, errNotIdempotent()
	}
	if def != nil {
		if err := checkLaunch(&def.Def, launchType, in.NetworkConfiguration); err != nil {
			return nil, err
		}
	}
	if _, err := constraintsOf(requestConstraints(in.PlacementConstraints)); err != nil {
		return nil, err
	}
	roleArn := ""
	if in.Role != "" {
		if (def != nil && def.Def.NetworkMode == "awsvpc") || len(in.LoadBalancers) == 0 {
			return nil, errRoleWithSLR()
		}
		roleArn = roleARN(c, in.Role)
		if err := s.useServiceRole(ctx, c, roleArn, in.ServiceName, ecsARN(c, "service/"+cl.Cluster.ClusterName+"/"+in.ServiceName), in.LoadBalancers); err != nil {
			return nil, err
		}
	} else if err := s.createSLR(ctx, c); err != nil {
		return nil, err
	} else if err := s.needSLR(ctx, c); err != nil {
		return nil, err
	} else if len(in.LoadBalancers) > 0 {
		// ECS validates the load balancers through AWSServiceRoleForECS,
		// whose policy allows it.
		if err := s.roles.LinkedRoleUsed(ctx, c, PrincipalECS, lbValidation(c, in.ServiceName, in.LoadBalancers)...); err != nil {
			return nil, err
		}
	}
	if def != nil {
		if err := s.passTaskRoles(ctx, c, def.Def.ExecutionRoleArn, def.Def.TaskRoleArn); err != nil {
			return nil, err
		}
	}
	if err := s.checkLifecycleHooks(ctx, c, in.DeploymentConfiguration, ecsARN(c, "service/"+cl.Cluster.ClusterName+"/"+in.ServiceName)); err != nil {
		return nil, err
	}

	svc := types.Service{
		ServiceArn:                    ecsARN(c, "service/"+cl.Cluster.ClusterName+"/"+in.ServiceName),
		ServiceName:                   in.ServiceName,
		ClusterArn:                    cl.Cluster.ClusterArn,
		LoadBalancers:                 nonNil(in.LoadBalancers),
		ServiceRegistries:             nonNil(in.ServiceRegistries),
		Status:                        statusActive,
		DesiredCount:                  desired,
		LaunchType:                    in.LaunchType,
		CapacityProviderStrategy:      strategy(in.CapacityProviderStrategy),
		PlatformVersion:               in.PlatformVersion,
		TaskDefinition:                def.arn(),
		DeploymentConfiguration:       deploymentDefaults(in.DeploymentConfiguration),
		RoleArn:                       roleArn,
		CreatedAt:                     &now,
		PlacementConstraints:          nonNil(in.PlacementConstraints),
		PlacementStrategy:             nonNil(in.PlacementStrategy),
		NetworkConfiguration:          in.NetworkConfiguration,
		HealthCheckGracePeriodSeconds: in.HealthCheckGracePeriodSeconds,
		SchedulingStrategy:            in.SchedulingStrategy,
		DeploymentController:          in.DeploymentController,
		Tags:                          in.Tags,
		CreatedBy:                     c.Caller().ARN,
		EnableECSManagedTags:          in.EnableECSManagedTags,
		PropagateTags:                 in.PropagateTags,
		EnableExecuteCommand:          in.EnableExecuteCommand,
		AvailabilityZoneRebalancing:   in.AvailabilityZoneRebalancing,
	}
	if len(in.CapacityProviderStrategy) == 0 {
		svc.CapacityProviderStrategy = nil
		if svc.LaunchType == "" {
			svc.LaunchType = launchType
		}
	}
	if provider != "" && len(in.CapacityProviderStrategy) == 0 {
		// The cluster's default strategy applied.
		svc.LaunchType = ""
		svc.CapacityProviderStrategy = strategy(cl.Cluster.DefaultCapacityProviderStrategy)
	}
	if launchType == launchFargate {
		if svc.PlatformVersion == "" {
			svc.PlatformVersion = "LATEST"
		}
		svc.PlatformFamily = "Linux"
	}
	if svc.SchedulingStrategy == "" {
		svc.SchedulingStrategy = "REPLICA"
	}
	if svc.DeploymentController == nil {
		svc.DeploymentController = &types.DeploymentController{Type: "ECS"}
	}
	if svc.PropagateTags == "" {
		svc.PropagateTags = "NONE"
	}
	if svc.AvailabilityZoneRebalancing == "" {
		svc.AvailabilityZoneRebalancing = "DISABLED"
	}
	rec := &serviceRecord{Service: svc, Deployment: s.deploymentID(), DeploymentCreated: now, DeploymentUpdatedAt: now,
		ServiceConnect: in.ServiceConnectConfiguration}
	switch svc.DeploymentController.Type {
	case controllerECS:
		s.startDeployment(rec, def, rec.Deployment, s.serviceDeploymentID(), &tally{}, now)
	case controllerCodeDeploy:
		// ECS starts the service's first task set itself; CodeDeploy
		// makes the next ones.
		ts := s.newTaskSet(&rec.Service, &rec.Service, &types.Scale{Value: 100, Unit: "PERCENT"}, now)
		ts.Status = taskSetPrimary
		rec.Service.TaskSets = []types.TaskSet{ts}
	}
	err = s.update(ctx, c, func(tx store.Tx) error {
		cur, err := loadService(tx, c, cl.Cluster.ClusterName, in.ServiceName)
		if err != nil {
			return err
		}
		if cur != nil && cur.Service.Status != statusInactive {
			return errNotIdempotent()
		}
		return putJSON(tx, bucketServices, serviceKey(c, cl.Cluster.ClusterName, in.ServiceName), rec)
	})
	if err != nil {
		return nil, err
	}
	if err := s.reconcile(ctx, c, cl.Cluster.ClusterName, in.ServiceName, true); err != nil {
		return nil, err
	}
	out, err := s.describeService(ctx, c, cl.Cluster.ClusterName, in.ServiceName, true)
	if err != nil {
		return nil, err
	}
	return &types.CreateServiceResponse{Service: out}, nil
}

// useServiceRole: the caller passes a service's role to ECS, which assumes
// it (ecs.amazonaws.com must be trusted) and validates the load balancers
// with it (its policies must allow describing them and registering tasks);
// either failing is AWS's targetGroupArn message (a denied iam:PassRole is
// AccessDeniedException).
func (s *Service) useServiceRole(ctx context.Context, c Call, roleArn, service, serviceArn string, lbs []types.LoadBalancer) error {
	if err := s.roles.PassRole(ctx, c, roleArn, PrincipalECS, ""); err != nil {
		if err, denied := asAccessDenied(err); denied {
			return err
		}
		if awserr.IsClient(err) {
			return errServiceRoleFor(lbs)
		}
		return err
	}
	if _, err := s.roles.AssumeAsService(ctx, c, PrincipalECS, roleArn, serviceRoleSession, serviceArn); err != nil {
		if awserr.IsClient(err) {
			return errServiceRoleFor(lbs)
		}
		return err
	}
	if err := s.roles.RoleAllows(ctx, c, roleArn, serviceRoleSession, lbValidation(c, service, lbs)...); err != nil {
		if awserr.IsClient(err) {
			return errServiceRoleFor(lbs)
		}
		return err
	}
	return nil
}

// deploymentDefaults fills what AWS answers for a service's deployment
// configuration left out.
func deploymentDefaults(in *types.DeploymentConfiguration) *types.DeploymentConfiguration {
	d := types.DeploymentConfiguration{}
	if in != nil {
		d = *in
	}
	if d.DeploymentCircuitBreaker == nil {
		d.DeploymentCircuitBreaker = &types.DeploymentCircuitBreaker{}
	}
	if d.MaximumPercent == nil {
		d.MaximumPercent = ptr(int32(200))
	}
	if d.MinimumHealthyPercent == nil {
		d.MinimumHealthyPercent = ptr(int32(100))
	}
	// The traffic shifts of LINEAR and CANARY, their members' defaults as
	// the LinearConfiguration and CanaryConfiguration references give
	// them (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html,
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html).
	switch d.Strategy {
	case strategyLinear:
		lc := types.LinearConfiguration{}
		if d.LinearConfiguration != nil {
			lc = *d.LinearConfiguration
		}
		lc.StepPercent = orDefaultPtr(lc.StepPercent, defaultStepPercent)
		lc.StepBakeTimeInMinutes = orDefaultPtr(lc.StepBakeTimeInMinutes, defaultStepBake)
		d.LinearConfiguration = &lc
	case strategyCanary:
		cc := types.CanaryConfiguration{}
		if d.CanaryConfiguration != nil {
			cc = *d.CanaryConfiguration
		}
		cc.CanaryPercent = orDefaultPtr(cc.CanaryPercent, defaultCanaryPercent)
		cc.CanaryBakeTimeInMinutes = orDefaultPtr(cc.CanaryBakeTimeInMinutes, defaultCanaryBake)
		d.CanaryConfiguration = &cc
	}
	return &d
}

// The defaults of LinearConfiguration and CanaryConfiguration members.
const (
	defaultStepPercent   float64 = 10.0
	defaultStepBake      int32   = 6
	defaultCanaryPercent float64 = 5.0
	defaultCanaryBake    int32   = 10
)

// orDefaultPtr is p, or a pointer to def when p is nil.
func orDefaultPtr[T any](p *T, def T) *T {
	if p == nil {
		return &def
	}
	return p
}

// serviceTasks returns the records of a service's tasks.
func serviceTasks(tx store.Tx, c Call, cluster, name string) ([]*taskRecord, error) {
	var out []*taskRecord
	err := scanJSON(tx, bucketTasks, clusterKey(c, cluster)+"/", func(_ string, r *taskRecord) bool {
		if r.Service == name {
			out = append(out, r)
		}
		return true
	})
	return out, err
}

func taskIDOf(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// group is a set of a service's tasks the scheduler keeps at a count: the
// PRIMARY deployment's, or a task set's (tasksets.go).
type group struct {
	// id is what its tasks carry as their deployment (ecs-svc/...).
	id      string
	launch  *launch
	desired int
	rules   rules
	// who names the group in its events: "service S", or "service S,
	// taskSet ecs-svc/N" ("(service S, taskSet ecs-svc/N) has started 1
	// tasks: ...", public service event dumps, 2023-2026).
	who string
	// svc is the service as the group's tasks are registered with its
	// load balancers.
	svc *types.Service
	// hold: it launches nothing (a deployment the circuit breaker failed).
	hold bool
}

// groupOf is the group of tasks of cfg's task definition, network,
// launch type and load balancers, carrying id; nil when the task
// definition is gone.
func (r *serviceRecord) groupOf(tx store.Tx, c Call, cl *clusterRecord, cfg *types.Service, id string) (*group, error) {
	def, err := loadTaskDef(tx, c, cfg.TaskDefinition)
	if err != nil || def == nil {
		return nil, err
	}
	name := r.Service.ServiceName
	l := &launch{cluster: cl, def: def, network: cfg.NetworkConfiguration, group: "service:" + name,
		startedBy: id, enableExec: r.Service.EnableExecuteCommand, service: name, deployment: id}
	if r.Service.PropagateTags == "SERVICE" {
		l.tags = r.Service.Tags
	} else if r.Service.PropagateTags == "TASK_DEFINITION" {
		l.tags = def.Tags
	}
	if l.launchType, l.capacityProvider, err = resolveLaunchType(tx, c, cl, cfg.LaunchType, cfg.CapacityProviderStrategy); err != nil {
		return nil, err
	}
	if l.managed, err = managedProvider(tx, c, cl, l.launchType, l.capacityProvider); err != nil {
		return nil, err
	}
	g := &group{id: id, launch: l, who: "service " + name, svc: &r.Service}
	g.rules, err = rulesFor(l, r.Service.PlacementConstraints)
	return g, err
}

// groups are the service's groups: its task sets' for the EXTERNAL and
// CODE_DEPLOY deployment controllers, else the PRIMARY deployment's
// (none when its task definition is gone).
func (r *serviceRecord) groups(tx store.Tx, c Call, cl *clusterRecord) ([]*group, error) {
	if taskSetController(&r.Service) {
		return r.taskSetGroups(tx, c, cl)
	}
	g, err := r.groupOf(tx, c, cl, &r.Service, r.Deployment)
	if err != nil || g == nil {
		return nil, err
	}
	g.desired = int(r.Service.DesiredCount)
	g.hold = r.primaryState() == rolloutFailed
	return []*group{g}, nil
}

// plan chooses the tasks the scheduler stops and how many each group
// starts. It stops the tasks on a DRAINING container instance
// (UpdateContainerInstancesState reference), a group's surplus (the newest
// first) and the tasks of no group: a task set's deleted, or the
// deployments the PRIMARY replaces, as its own run (rolling). Scale-in
// protection keeps a task from deployments and scale-in
// (task-scale-in-protection.html), not from draining.
func (r *serviceRecord) plan(tasks []*taskRecord, groups []*group, draining map[string]bool, now time.Time, tm Timing) (stop []*taskRecord, need []int) {
	mine := map[string][]*taskRecord{}
	var other []*taskRecord
	for _, t := range tasks {
		switch {
		case !t.wantsToRun():
		case draining[t.Task.ContainerInstanceArn]:
			stop = append(stop, t)
		case slices.ContainsFunc(groups, func(g *group) bool { return g.id == t.Deployment }):
			mine[t.Deployment] = append(mine[t.Deployment], t)
		default:
			other = append(other, t)
		}
	}
	need = make([]int, len(groups))
	for i, g := range groups {
		ts := mine[g.id]
		if surplus := len(ts) - g.desired; surplus > 0 {
			slices.SortStableFunc(ts, func(a, b *taskRecord) int { return b.Created.Compare(a.Created) })
			kept := ts[:0:0]
			for _, t := range ts {
				if surplus > 0 && !t.protected(now) {
					stop = append(stop, t)
					surplus--
					continue
				}
				kept = append(kept, t)
			}
			mine[g.id] = kept
		}
		if !g.hold {
			need[i] = g.desired - len(mine[g.id])
		}
	}
	if taskSetController(&r.Service) {
		return append(stop, other...), need
	}
	if len(groups) == 1 {
		old, room := r.replace(mine[groups[0].id], other, now, tm)
		stop = append(stop, old...)
		need[0] = min(need[0], room)
	}
	return stop, need
}

// reconcile brings a service's tasks to what it wants (plan): missing ones
// are launched, unless the last launch failed less than launchRetry ago
// (force retries at once). A launch whose roles ecs-tasks.amazonaws.com
// cannot assume starts no task: the service records AWS's event instead,
// and the circuit breaker counts it. Then the rollout records what the
// tasks show (deployments.go).
func (s *Service) reconcile(ctx context.Context, c Call, cluster, name string, force bool) error {
	if s.paused {
		return nil
	}
	if err := s.advanceStages(ctx, c, cluster, name); err != nil {
		return err
	}
	now, tm := s.now(), s.phases()
	var rec *serviceRecord
	var groups []*group
	var tasks []*taskRecord
	var instances []*host
	draining := map[string]bool{}
	err := s.view(ctx, c, func(tx store.Tx) error {
		var err error
		if rec, err = loadService(tx, c, cluster, name); err != nil || rec == nil {
			return err
		}
		cl, err := loadCluster(tx, c, cluster)
		if err != nil {
			return err
		}
		if cl == nil {
			rec = nil
			return nil
		}
		if groups, err = rec.groups(tx, c, cl); err != nil {
			return err
		}
		if tasks, err = serviceTasks(tx, c, cluster, name); err != nil {
			return err
		}
		hosts, err := hostsOf(tx, c, cluster, now, tm)
		for arn, h := range hosts {
			draining[arn] = h.rec.Instance.Status == statusDraining
		}
		instances = placeable(hosts)
		return err
	})
	if err != nil || rec == nil || rec.Service.Status != statusActive || (len(groups) == 0 && !taskSetController(&rec.Service)) {
		return err
	}
	stop, need := rec.plan(tasks, groups, draining, now, tm)
	var events []string
	var started []*taskRecord
	var creds []*credentialsRecord
	attempted, failedAttempt, failures := false, false, 0
	due := force || rec.LastAttempt.IsZero() || !now.Before(rec.LastAttempt.Add(launchRetry))
	for i, g := range groups {
		if need[i] <= 0 || !due {
			continue
		}
		attempted = true
		out, err := s.launchGroup(ctx, c, g, need[i], instances, now)
		if err != nil {
			return err
		}
		events = append(events, out.events...)
		started, creds = append(started, out.started...), append(creds, out.creds...)
		failedAttempt = failedAttempt || out.failedAttempt
		if g.id == rec.Deployment {
			failures += out.failures
		}
	}
	if len(stop) > 0 {
		ids := make([]string, len(stop))
		for i, t := range stop {
			ids[i] = "(task " + taskIDOf(t.Task.TaskArn) + ")"
		}
		events = append([]string{fmt.Sprintf("(service %s) has stopped %d running tasks: %s.", name, len(stop), strings.Join(ids, " "))}, events...)
	}
	// The rollout settles once nothing starts or stops; a failure the
	// circuit breaker counts may roll the service back, as a new
	// deployment.
	var settled settlement
	if len(started) == 0 && len(stop) == 0 {
		settled = rec.settlement(tallyOf(tasks, now, tm))
	}
	rollbackID := ""
	if failures > 0 {
		rollbackID = s.deploymentID()
	}
	if len(started) == 0 && len(stop) == 0 && !attempted && settled.empty() {
		return nil
	}
	timed := make([]timedEvent, len(events))
	for i, m := range events {
		timed[i] = timedEvent{now, m}
	}
	ids := make([]string, len(events)+3)
	for i := range ids {
		ids[i] = s.gen.UUID()
	}
	return s.update(ctx, c, func(tx store.Tx) error {
		cur, err := loadService(tx, c, cluster, name)
		if err != nil || cur == nil || cur.Rev != rec.Rev {
			return err // changed meanwhile: that call reconciled
		}
		if err := putStarted(tx, c, cluster, started, creds); err != nil {
			return err
		}
		for _, t := range stop {
			key := taskKey(c, cluster, taskIDOf(t.Task.TaskArn))
			var tr taskRecord
			if ok, err := getJSON(tx, bucketTasks, key, &tr); err != nil || !ok {
				return err
			}
			if tr.StopAt == nil {
				tr.StopAt, tr.StopCode = ptr(now), "ServiceSchedulerInitiated"
				tr.StopReason = "Scaling activity initiated by (deployment " + cur.Deployment + ")"
				if err := putJSON(tx, bucketTasks, key, &tr); err != nil {
					return err
				}
			}
		}
		if failedAttempt {
			cur.LastAttempt = now
		} else if attempted {
			cur.LastAttempt = time.Time{}
		}
		// What the tasks showed is settled before this pass's failures
		// count; a rollback they cause launches at once.
		evs := append(timed, cur.settle(settled, tallyOf(tasks, now, tm))...)
		evs = append(evs, cur.failed(failures, rollbackID, now)...)
		cur.addEvents(evs, ids)
		if len(started) > 0 || len(stop) > 0 {
			cur.DeploymentUpdatedAt = now
		}
		cur.Rev++
		return putJSON(tx, bucketServices, serviceKey(c, cluster, name), cur)
	})
}

// addEvents adds the scheduler's events, each given an ID from ids, newest
// first (the later of two at one moment first, as AWS lists them).
func (r *serviceRecord) addEvents(evs []timedEvent, ids []string) {
	for i, e := range evs {
		r.Events = append([]types.ServiceEvent{{Id: ids[i], CreatedAt: ptr(e.at), Message: e.msg}}, r.Events...)
	}
	slices.SortStableFunc(r.Events, func(a, b types.ServiceEvent) int { return b.CreatedAt.Compare(*a.CreatedAt) })
	if len(r.Events) > maxEvents {
		r.Events = r.Events[:maxEvents]
	}
}

// launched is what launching a group's tasks came to.
type launched struct {
	started []*taskRecord
	creds   []*credentialsRecord
	events  []string
	// failures are the tasks that failed to start (the circuit breaker
	// counts them); failedAttempt, that the launch is to be retried.
	failures      int
	failedAttempt bool
}

// launchGroup launches need tasks of g on instances (EC2) or on their own
// (Fargate, Managed Instances), assuming their roles as
// ecs-tasks.amazonaws.com.
func (s *Service) launchGroup(ctx context.Context, c Call, g *group, need int, instances []*host, now time.Time) (launched, error) {
	var out launched
	l, svc, name := g.launch, g.svc, g.svc.ServiceName
	cluster := l.cluster.Cluster.ClusterName
	placements := make([]*host, need)
	if l.launchType == launchEC2 {
		if len(instances) == 0 {
			out.failedAttempt = true
			out.events = append(out.events, fmt.Sprintf("(service %s) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.", name))
			return out, nil
		}
		// What cannot be placed now waits for the next attempt.
		var failures []types.Failure
		if placements, failures = place(instances, g.rules, need); len(failures) > 0 {
			out.failedAttempt = true
			out.events = append(out.events, eventUnplaceable(name, closest(failures)))
		}
	}
	execRole, taskRole := l.roles()
	for _, h := range placements {
		id := s.hexID()
		var on *instanceRecord
		if h != nil {
			on = h.rec
		}
		st, err := s.launchRoles(ctx, c, l, ecsARN(c, "task/"+cluster+"/"+id), on)
		if err != nil {
			return out, err
		}
		if st.unassumable != "" {
			out.failedAttempt = true
			out.failures++
			out.events = append(out.events, fmt.Sprintf("(service %s) failed to launch a task with (error %s)", name, st.failedReason()))
			break
		}
		// A task whose execution role is refused starts, and stops before
		// it runs; the service tries again later.
		t := s.newTask(c, l, id, now, st.instanceArn(), st.refused)
		out.started = append(out.started, t)
		if st.refused != "" {
			out.failedAttempt = true
			out.failures++
			continue
		}
		if cr := s.newCredentials(c, cluster, t.Task.TaskArn, execRole, taskRole, st.sess); cr != nil {
			out.creds = append(out.creds, cr)
		}
	}
	if len(out.started) == 0 {
		return out, nil
	}
	ids := make([]string, len(out.started))
	for i, t := range out.started {
		ids[i] = "(task " + taskIDOf(t.Task.TaskArn) + ")"
	}
	out.events = append(out.events, fmt.Sprintf("(%s) has started %d tasks: %s.", g.who, len(out.started), strings.Join(ids, " ")))
	var healthy []*taskRecord
	for _, t := range out.started {
		if t.FailedReason == "" {
			healthy = append(healthy, t)
			continue
		}
		// A task refused at start: AWS's event since 2025 (public service
		// event dumps, 2025-2026).
		out.events = append(out.events, fmt.Sprintf("(service %s) was unable to place a task. Reason: %s.", name, strings.TrimSuffix(t.FailedReason, ".")))
	}
	registered, err := s.registerTasks(ctx, c, svc, l.awsvpc(), healthy)
	out.events = append(out.events, registered...)
	return out, err
}

// view is the service as ECS answers it now.
func (r *serviceRecord) view(tasks []*taskRecord, now time.Time, tm Timing, withTags bool) types.Service {
	out := r.Service
	if withTags {
		out.Tags = nonNil(out.Tags)
	} else {
		out.Tags = nil
	}
	tl := tallyOf(tasks, now, tm)
	out.RunningCount, out.PendingCount = tl.running, tl.pending
	events := slices.Clone(r.Events)
	if steadyAt, steady := r.steady(tl); steady {
		if len(events) == 0 || !events[0].CreatedAt.After(steadyAt) {
			events = append([]types.ServiceEvent{{Id: eventID(out.ServiceArn, steadyAt), CreatedAt: ptr(steadyAt),
				Message: "(service " + out.ServiceName + ") has reached a steady state."}}, events...)
		}
	}
	switch {
	case out.Status == statusInactive:
		out.Deployments = []types.Deployment{}
	case taskSetController(&out):
		// "For CodeDeploy or External deployment controllers, services
		// will have TaskSets but the deployments field is empty"
		// (aws/copilot-cli #1061).
		out.Deployments = []types.Deployment{}
		out.TaskSets = r.taskSetViews(tl, withTags)
	default:
		out.Deployments = r.deployments(tl)
		out.CurrentServiceDeployment, out.CurrentServiceRevisions = r.currentRevisions(tl)
	}
	out.Events = nonNil(events)
	return out
}

// eventID is a stable ID for a computed event, shaped like a UUID.
func eventID(arn string, at time.Time) string {
	h := sha256.Sum256([]byte(arn + "|" + at.Format(time.RFC3339Nano)))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// describeService reads one service's current view.
func (s *Service) describeService(ctx context.Context, c Call, cluster, name string, withTags bool) (*types.Service, error) {
	var out *types.Service
	now, tm := s.now(), s.phases()
	err := s.view(ctx, c, func(tx store.Tx) error {
		r, err := loadService(tx, c, cluster, name)
		if err != nil {
			return err
		}
		if r == nil {
			return errServiceNotFound()
		}
		tasks, err := serviceTasks(tx, c, cluster, name)
		if err != nil {
			return err
		}
		v := r.view(tasks, now, tm, withTags)
		out = &v
		return nil
	})
	return out, err
}

// UpdateService changes a service's desired count, task definition,
// network configuration and other settings, and reconciles its tasks. A
// new task definition (or forceNewDeployment) starts a new deployment
// whose tasks replace the old ones.
func (s *Service) UpdateService(ctx context.Context, c Call, in *types.UpdateServiceRequest) (*types.UpdateServiceResponse, error) {
	now := s.now()
	var cl *clusterRecord
	var rec *serviceRecord
	var def, curDef *taskDefRecord
	err := s.view(ctx, c, func(tx store.Tx) error {
		var err error
		if cl, err = activeCluster(tx, c, in.Cluster, true); err != nil {
			return err
		}
		if rec, err = loadService(tx, c, cl.Cluster.ClusterName, in.Service); err != nil {
			return err
		}
		if rec == nil {
			return errServiceNotFound()
		}
		if rec.Service.Status != statusActive {
			return errServiceNotActive()
		}
		if curDef, err = loadTaskDef(tx, c, rec.Service.TaskDefinition); err != nil {
			return err
		}
		if in.TaskDefinition != "" {
			if def, err = activeTaskDef(tx, c, in.TaskDefinition); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := controllerAllows(&rec.Service, in, def); err != nil {
		return nil, err
	}
	if err := s.createSLR(ctx, c); err != nil {
		return nil, err
	}
	effective := curDef
	if def != nil {
		effective = def
		if err := s.passTaskRoles(ctx, c, def.Def.ExecutionRoleArn, def.Def.TaskRoleArn); err != nil {
			return nil, err
		}
	}
	if err := s.checkLifecycleHooks(ctx, c, in.DeploymentConfiguration, rec.Service.ServiceArn); err != nil {
		return nil, err
	}
	if in.EnableExecuteCommand != nil && *in.EnableExecuteCommand && (effective == nil || effective.Def.TaskRoleArn == "") {
		return nil, errExecWithoutTaskRole()
	}
	network := rec.Service.NetworkConfiguration
	if in.NetworkConfiguration != nil {
		network = in.NetworkConfiguration
	}
	if effective != nil {
		lt := rec.Service.LaunchType
		if lt == "" {
			lt = launchEC2
		}
		if err := checkLaunch(&effective.Def, lt, network); err != nil {
			return nil, err
		}
	}
	if in.DesiredCount != nil && rec.Service.SchedulingStrategy == "DAEMON" {
		return nil, errDaemonDesiredCount()
	}
	if _, err := constraintsOf(requestConstraints(in.PlacementConstraints)); err != nil {
		return nil, err
	}
	newDeployment, newServiceDeployment := s.deploymentID(), s.serviceDeploymentID()
	name := rec.Service.ServiceName
	err = s.update(ctx, c, func(tx store.Tx) error {
		r, err := loadService(tx, c, cl.Cluster.ClusterName, name)
		if err != nil {
			return err
		}
		if r == nil {
			return errServiceNotFound()
		}
		if r.Service.Status != statusActive {
			return errServiceNotActive()
		}
		sv := &r.Service
		if in.DesiredCount != nil {
			sv.DesiredCount = *in.DesiredCount
		}
		redeploy := in.ForceNewDeployment
		if def != nil && def.Def.TaskDefinitionArn != sv.TaskDefinition {
			sv.TaskDefinition, redeploy = def.Def.TaskDefinitionArn, true
		}
		if in.NetworkConfiguration != nil {
			sv.NetworkConfiguration, redeploy = in.NetworkConfiguration, true
		}
		if in.PlatformVersion != "" {
			sv.PlatformVersion = in.PlatformVersion
		}
		if in.CapacityProviderStrategy != nil {
			sv.CapacityProviderStrategy, sv.LaunchType = strategy(in.CapacityProviderStrategy), ""
		}
		if in.DeploymentConfiguration != nil {
			sv.DeploymentConfiguration = deploymentDefaults(in.DeploymentConfiguration)
		}
		if in.PlacementConstraints != nil {
			sv.PlacementConstraints = in.PlacementConstraints
		}
		if in.PlacementStrategy != nil {
			sv.PlacementStrategy = in.PlacementStrategy
		}
		if in.HealthCheckGracePeriodSeconds != nil {
			sv.HealthCheckGracePeriodSeconds = in.HealthCheckGracePeriodSeconds
		}
		if in.EnableExecuteCommand != nil {
			sv.EnableExecuteCommand = *in.EnableExecuteCommand
		}
		if in.ServiceConnectConfiguration != nil {
			r.ServiceConnect = in.ServiceConnectConfiguration
		}
		if in.EnableECSManagedTags != nil {
			sv.EnableECSManagedTags = *in.EnableECSManagedTags
		}
		if in.LoadBalancers != nil {
			sv.LoadBalancers = in.LoadBalancers
		}
		if in.ServiceRegistries != nil {
			sv.ServiceRegistries = in.ServiceRegistries
		}
		if in.PropagateTags != "" {
			sv.PropagateTags = in.PropagateTags
		}
		if in.AvailabilityZoneRebalancing != "" {
			sv.AvailabilityZoneRebalancing = in.AvailabilityZoneRebalancing
		}
		if redeploy && !taskSetController(sv) {
			tasks, err := serviceTasks(tx, c, cl.Cluster.ClusterName, name)
			if err != nil {
				return err
			}
			s.startDeployment(r, effective, newDeployment, newServiceDeployment, tallyOf(tasks, now, s.phases()), now)
		}
		r.DeploymentUpdatedAt = now
		r.LastAttempt = time.Time{}
		r.Rev++
		return putJSON(tx, bucketServices, serviceKey(c, cl.Cluster.ClusterName, name), r)
	})
	if err != nil {
		return nil, err
	}
	if err := s.reconcile(ctx, c, cl.Cluster.ClusterName, name, true); err != nil {
		return nil, err
	}
	out, err := s.describeService(ctx, c, cl.Cluster.ClusterName, name, true)
	if err != nil {
		return nil, err
	}
	return &types.UpdateServiceResponse{Service: out}, nil
}

// DeleteService deletes a service scaled to 0 (or any, with force): its
// tasks are stopped, and it moves to DRAINING, then to INACTIVE once they
// are all STOPPING or STOPPED, which here is at once (DeleteService
// reference).
func (s *Service) DeleteService(ctx context.Context, c Call, in *types.DeleteServiceRequest) (*types.DeleteServiceResponse, error) {
	now, tm := s.now(), s.phases()
	force := in.Force != nil && *in.Force
	var out types.Service
	err := s.update(ctx, c, func(tx store.Tx) error {
		cl, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		name := cl.Cluster.ClusterName
		r, err := loadService(tx, c, name, in.Service)
		if err != nil {
			return err
		}
		if r == nil {
			return errServiceNotFound()
		}
		if r.Service.Status != statusActive {
			return errServiceNotActive()
		}
		if r.Service.DesiredCount > 0 && !force && r.Service.SchedulingStrategy != "DAEMON" {
			return errScaledAboveZero()
		}
		tasks, err := serviceTasks(tx, c, name, r.Service.ServiceName)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if !t.wantsToRun() {
				continue
			}
			t.StopAt, t.StopCode = ptr(now), "ServiceSchedulerInitiated"
			t.StopReason = "Scaling activity initiated by (deployment " + r.Deployment + ")"
			if err := putJSON(tx, bucketTasks, taskKey(c, name, taskIDOf(t.Task.TaskArn)), t); err != nil {
				return err
			}
		}
		r.Service.DesiredCount = 0
		r.Service.Status = statusDraining
		out = r.view(tasks, now, tm, true)
		r.Service.Status = statusInactive
		// "Amazon ECS deletes the service deployment when you delete a
		// service" (service-deployment.html); its task sets go with it.
		r.Rollout, r.Service.TaskSets, r.TaskSetTokens = nil, nil, nil
		r.Rev++
		return putJSON(tx, bucketServices, serviceKey(c, name, r.Service.ServiceName), r)
	})
	if err != nil {
		return nil, err
	}
	return &types.DeleteServiceResponse{Service: &out}, nil
}

// DescribeServices describes services by name or ARN, first launching any
// tasks they are due to retry; unknown ones are failures with reason
// MISSING.
func (s *Service) DescribeServices(ctx context.Context, c Call, in *types.DescribeServicesRequest) (*types.DescribeServicesResponse, error) {
	var cluster string
	var names []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		names = nil
		cl, err := loadCluster(tx, c, in.Cluster)
		if err != nil {
			return err
		}
		if cl == nil {
			return errClusterNotFound()
		}
		cluster = cl.Cluster.ClusterName
		for _, id := range in.Services {
			if r, err := loadService(tx, c, cluster, id); err != nil {
				return err
			} else if r != nil && r.Service.Status == statusActive {
				names = append(names, r.Service.ServiceName)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if err := s.reconcile(ctx, c, cluster, n, false); err != nil {
			return nil, err
		}
	}
	withTags := slices.Contains(in.Include, "TAGS")
	now, tm := s.now(), s.phases()
	out := &types.DescribeServicesResponse{}
	err = s.view(ctx, c, func(tx store.Tx) error {
		out.Services, out.Failures = []types.Service{}, []types.Failure{}
		for _, id := range in.Services {
			r, err := loadService(tx, c, cluster, id)
			if err != nil {
				return err
			}
			if r == nil {
				arn := id
				if !isARN(id) {
					arn = ecsARN(c, "service/"+cluster+"/"+id)
				}
				out.Failures = append(out.Failures, types.Failure{Arn: arn, Reason: "MISSING"})
				continue
			}
			tasks, err := serviceTasks(tx, c, cluster, r.Service.ServiceName)
			if err != nil {
				return err
			}
			out.Services = append(out.Services, r.view(tasks, now, tm, withTags))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListServices lists a cluster's ACTIVE services (DRAINING and INACTIVE
// ones are not listed, as the DeleteService reference says).
func (s *Service) ListServices(ctx context.Context, c Call, in *types.ListServicesRequest) (*types.ListServicesResponse, error) {
	var arns []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		arns = nil
		cl, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		return scanJSON(tx, bucketServices, clusterKey(c, cl.Cluster.ClusterName)+"/", func(_ string, r *serviceRecord) bool {
			sv := r.Service
			if sv.Status == statusActive && (in.LaunchType == "" || sv.LaunchType == in.LaunchType) &&
				(in.SchedulingStrategy == "" || sv.SchedulingStrategy == in.SchedulingStrategy) {
				arns = append(arns, sv.ServiceArn)
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	pg, next, err := page(arns, in.NextToken, in.MaxResults, 10)
	if err != nil {
		return nil, err
	}
	return &types.ListServicesResponse{ServiceArns: pg, NextToken: next}, nil
}
