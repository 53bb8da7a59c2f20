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
}

// launchRetry is how soon a service tries again to launch tasks after a
// failed attempt (a role it could not assume, no instance to place on).
const launchRetry = 15 * time.Second

// maxEvents is how many events a service keeps.
const maxEvents = 100

func serviceKey(c Call, cluster, name string) string { return clusterKey(c, cluster) + "/" + name }

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
		if def, err = loadTaskDef(tx, c, in.TaskDefinition); err != nil {
			return err
		}
		if def == nil {
			return errTaskDefinitionNotFound()
		}
		if def.Def.Status != tdActive {
			return errTaskDefinitionInactive()
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
		if existing.Service.TaskDefinition == def.Def.TaskDefinitionArn && existing.Service.DesiredCount == desired {
			out, err := s.describeService(ctx, c, cl.Cluster.ClusterName, in.ServiceName, true)
			if err != nil {
				return nil, err
			}
			return &types.CreateServiceResponse{Service: out}, nil
		}
		return nil, errNotIdempotent()
	}
	if err := checkLaunch(&def.Def, launchType, in.NetworkConfiguration); err != nil {
		return nil, err
	}
	if _, err := memberOf(requestConstraints(in.PlacementConstraints)); err != nil {
		return nil, err
	}
	roleArn := ""
	if in.Role != "" {
		if def.Def.NetworkMode == "awsvpc" || len(in.LoadBalancers) == 0 {
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
	if err := s.passTaskRoles(ctx, c, def.Def.ExecutionRoleArn, def.Def.TaskRoleArn); err != nil {
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
		TaskDefinition:                def.Def.TaskDefinitionArn,
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
	rec := &serviceRecord{Service: svc, Deployment: s.deploymentID(), DeploymentCreated: now, DeploymentUpdatedAt: now}
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
	return &d
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

// reconcile brings a service's tasks to its desired count: tasks of older
// deployments and surplus tasks are stopped; missing ones are launched,
// unless the last launch failed less than launchRetry ago (force retries at
// once). A launch whose roles ecs-tasks.amazonaws.com cannot assume starts
// no task: the service records AWS's event instead.
func (s *Service) reconcile(ctx context.Context, c Call, cluster, name string, force bool) error {
	if s.paused {
		return nil
	}
	now, tm := s.now(), s.phases()
	var rec *serviceRecord
	var l *launch
	var tasks []*taskRecord
	var instances []*host
	var constraints []query
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
		def, err := loadTaskDef(tx, c, rec.Service.TaskDefinition)
		if err != nil {
			return err
		}
		if cl == nil || def == nil {
			rec = nil
			return nil
		}
		l = &launch{cluster: cl, def: def, network: rec.Service.NetworkConfiguration, group: "service:" + name,
			startedBy: rec.Deployment, enableExec: rec.Service.EnableExecuteCommand, service: name, deployment: rec.Deployment}
		if rec.Service.PropagateTags == "SERVICE" {
			l.tags = rec.Service.Tags
		} else if rec.Service.PropagateTags == "TASK_DEFINITION" {
			l.tags = def.Tags
		}
		if l.launchType, l.capacityProvider, err = resolveLaunchType(tx, c, cl, rec.Service.LaunchType, rec.Service.CapacityProviderStrategy); err != nil {
			return err
		}
		if l.managed, err = managedProvider(tx, c, cl, l.launchType, l.capacityProvider); err != nil {
			return err
		}
		if tasks, err = serviceTasks(tx, c, cluster, name); err != nil {
			return err
		}
		if constraints, err = memberOf(definitionConstraints(def.Def.PlacementConstraints), requestConstraints(rec.Service.PlacementConstraints)); err != nil {
			return err
		}
		hosts, err := hostsOf(tx, c, cluster, now, tm)
		for arn, h := range hosts {
			draining[arn] = h.rec.Instance.Status == statusDraining
		}
		instances = placeable(hosts)
		return err
	})
	if err != nil || rec == nil || rec.Service.Status != statusActive {
		return err
	}
	// The scheduler stops the tasks on a DRAINING container instance and
	// places their replacements elsewhere (UpdateContainerInstancesState
	// reference), and the tasks of older deployments; scale-in
	// protection keeps a task from deployments and scale-in
	// (task-scale-in-protection.html), not from draining.
	var stop, mine []*taskRecord
	for _, t := range tasks {
		switch {
		case !t.wantsToRun():
		case draining[t.Task.ContainerInstanceArn]:
			stop = append(stop, t)
		case t.Deployment != rec.Deployment:
			if !t.protected(now) {
				stop = append(stop, t)
			}
		default:
			mine = append(mine, t)
		}
	}
	running := len(mine)
	desired := int(rec.Service.DesiredCount)
	if surplus := running - desired; surplus > 0 {
		// The newest go first; protected ones stay.
		slices.SortStableFunc(mine, func(a, b *taskRecord) int { return b.Created.Compare(a.Created) })
		for _, t := range mine {
			if surplus == 0 {
				break
			}
			if !t.protected(now) {
				stop = append(stop, t)
				surplus--
			}
		}
	}
	var events []string
	var started []*taskRecord
	var creds []*credentialsRecord
	attempted, failedAttempt := false, false
	if need := desired - running; need > 0 && (force || rec.LastAttempt.IsZero() || !now.Before(rec.LastAttempt.Add(launchRetry))) {
		attempted = true
		fit, _ := satisfy(instances, constraints)
		switch {
		case l.launchType == launchEC2 && len(instances) == 0:
			failedAttempt = true
			events = append(events, fmt.Sprintf("(service %s) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.", name))
		case l.launchType == launchEC2 && len(fit) == 0:
			failedAttempt = true
			events = append(events, eventUnplaceable(name, instances[0]))
		default:
			execRole, taskRole := l.roles()
			for i := 0; i < need; i++ {
				id := s.hexID()
				var on *instanceRecord
				if l.launchType == launchEC2 {
					on = fit[i%len(fit)].rec
				}
				st, err := s.launchRoles(ctx, c, l, ecsARN(c, "task/"+l.cluster.Cluster.ClusterName+"/"+id), on)
				if err != nil {
					return err
				}
				if st.unassumable != "" {
					failedAttempt = true
					events = append(events, fmt.Sprintf("(service %s) failed to launch a task with (error %s)", name, st.failedReason()))
					break
				}
				// A task whose execution role is refused starts, and
				// stops before it runs; the service tries again later.
				t := s.newTask(c, l, id, now, st.instanceArn(), st.refused)
				started = append(started, t)
				if st.refused != "" {
					failedAttempt = true
					continue
				}
				if cr := s.newCredentials(c, cluster, t.Task.TaskArn, execRole, taskRole, st.sess); cr != nil {
					creds = append(creds, cr)
				}
			}
		}
	}
	if len(started) == 0 && len(stop) == 0 && !attempted {
		return nil
	}
	if len(started) > 0 {
		ids := make([]string, len(started))
		for i, t := range started {
			ids[i] = "(task " + taskIDOf(t.Task.TaskArn) + ")"
		}
		events = append(events, fmt.Sprintf("(service %s) has started %d tasks: %s.", name, len(started), strings.Join(ids, " ")))
		var healthy []*taskRecord
		for _, t := range started {
			if t.FailedReason == "" {
				healthy = append(healthy, t)
				continue
			}
			// A task refused at start: AWS's event since 2025 (public
			// service event dumps, 2025-2026).
			events = append(events, fmt.Sprintf("(service %s) was unable to place a task. Reason: %s.", name, strings.TrimSuffix(t.FailedReason, ".")))
		}
		registered, err := s.registerTasks(ctx, c, &rec.Service, l.awsvpc(), healthy)
		if err != nil {
			return err
		}
		events = append(events, registered...)
	}
	if len(stop) > 0 {
		ids := make([]string, len(stop))
		for i, t := range stop {
			ids[i] = "(task " + taskIDOf(t.Task.TaskArn) + ")"
		}
		events = append([]string{fmt.Sprintf("(service %s) has stopped %d running tasks: %s.", name, len(stop), strings.Join(ids, " "))}, events...)
	}
	eventIDs := make([]string, len(events))
	for i := range eventIDs {
		eventIDs[i] = s.gen.UUID()
	}
	return s.update(ctx, c, func(tx store.Tx) error {
		cur, err := loadService(tx, c, cluster, name)
		if err != nil || cur == nil || cur.Rev != rec.Rev {
			return err // changed meanwhile: that call reconciled
		}
		for _, t := range started {
			if err := putJSON(tx, bucketTasks, taskKey(c, cluster, taskIDOf(t.Task.TaskArn)), t); err != nil {
				return err
			}
		}
		for _, cr := range creds {
			if err := putJSON(tx, bucketCredentials, taskIDOf(cr.TaskArn), cr); err != nil {
				return err
			}
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
		for i, m := range events {
			cur.Events = append([]types.ServiceEvent{{Id: eventIDs[i], CreatedAt: ptr(now), Message: m}}, cur.Events...)
		}
		if len(cur.Events) > maxEvents {
			cur.Events = cur.Events[:maxEvents]
		}
		if failedAttempt {
			cur.LastAttempt = now
		} else if attempted {
			cur.LastAttempt = time.Time{}
		}
		if len(started) > 0 || len(stop) > 0 {
			cur.DeploymentUpdatedAt = now
		}
		cur.Rev++
		return putJSON(tx, bucketServices, serviceKey(c, cluster, name), cur)
	})
}

// view is the service as ECS answers it now.
func (r *serviceRecord) view(tasks []*taskRecord, now time.Time, tm Timing, withTags bool) types.Service {
	out := r.Service
	if withTags {
		out.Tags = nonNil(out.Tags)
	} else {
		out.Tags = nil
	}
	var running, pending int32
	var steadyAt time.Time
	settling := false // tasks still stopping
	later := func(t *time.Time) {
		if t != nil && t.After(steadyAt) {
			steadyAt = *t
		}
	}
	for _, t := range tasks {
		if !t.visible(now, tm) {
			continue
		}
		v := t.view(now, tm)
		switch v.LastStatus {
		case "RUNNING":
			if v.DesiredStatus == "STOPPED" {
				settling = true
				continue
			}
			running++
			later(v.StartedAt)
		case "PROVISIONING", "PENDING", "ACTIVATING":
			pending++
		case "STOPPED":
			later(v.StoppedAt)
		default:
			settling = true
		}
	}
	out.RunningCount, out.PendingCount = running, pending
	d := types.Deployment{
		Id:                   r.Deployment,
		Status:               "PRIMARY",
		TaskDefinition:       out.TaskDefinition,
		DesiredCount:         out.DesiredCount,
		PendingCount:         pending,
		RunningCount:         running,
		CreatedAt:            ptr(r.DeploymentCreated),
		UpdatedAt:            ptr(r.DeploymentUpdatedAt),
		LaunchType:           out.LaunchType,
		PlatformVersion:      out.PlatformVersion,
		PlatformFamily:       out.PlatformFamily,
		NetworkConfiguration: out.NetworkConfiguration,
		RolloutState:         "IN_PROGRESS",
		RolloutStateReason:   "ECS deployment " + r.Deployment + " in progress.",
	}
	if len(out.CapacityProviderStrategy) > 0 {
		d.CapacityProviderStrategy = out.CapacityProviderStrategy
	}
	events := slices.Clone(r.Events)
	steady := out.Status == statusActive && running == out.DesiredCount && pending == 0 && !settling
	if steady {
		d.RolloutState, d.RolloutStateReason = "COMPLETED", "ECS deployment "+r.Deployment+" completed."
		if steadyAt.Before(r.DeploymentUpdatedAt) {
			steadyAt = r.DeploymentUpdatedAt
		}
		if len(events) == 0 || !events[0].CreatedAt.After(steadyAt) {
			events = append([]types.ServiceEvent{{Id: eventID(out.ServiceArn, steadyAt), CreatedAt: ptr(steadyAt),
				Message: "(service " + out.ServiceName + ") has reached a steady state."}}, events...)
		}
	}
	if out.Status != statusInactive {
		out.Deployments = []types.Deployment{d}
	} else {
		out.Deployments = []types.Deployment{}
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
			if def, err = loadTaskDef(tx, c, in.TaskDefinition); err != nil {
				return err
			}
			if def == nil {
				return errTaskDefinitionNotFound()
			}
			if def.Def.Status != tdActive {
				return errTaskDefinitionInactive()
			}
		}
		return nil
	})
	if err != nil {
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
	if _, err := memberOf(requestConstraints(in.PlacementConstraints)); err != nil {
		return nil, err
	}
	newDeployment := s.deploymentID()
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
		if redeploy {
			r.Deployment, r.DeploymentCreated = newDeployment, now
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
