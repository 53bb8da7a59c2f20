package ecs

import (
	"context"
	"errors"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/store"
)

// ECS Managed Instances keeps instances: for a task placed on a Managed
// Instances capacity provider, ECS, acting with the provider's
// infrastructure role, launches an EC2 instance in the customer's account
// with the provider's instance profile; the ECS agent on it registers it
// as a container instance of the cluster with the instance role; tasks are
// placed on it while it has room; and ECS terminates it, with
// AWSServiceRoleForECSCompute, once it is idle
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ManagedInstances.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-instance-profile.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html).
// The instances are internal/instances' (through ManagedEC2): each has
// its instance metadata service, which serves the instance role's
// credentials as to any rolecall instance.

// ManagedEC2 is what ECS Managed Instances asks of EC2; Roles
// implementations provide it (internal/app does, from internal/instances
// and internal/imds). The decisions about roles are ECS's own, taken
// before it asks.
type ManagedEC2 interface {
	// RunManagedInstance launches an EC2 managed instance operated by
	// ecs.amazonaws.com in the Call's account and Region, with its
	// metadata service listening; instanceID is EC2's. EC2's errors
	// (InvalidParameterValue for a profile that is gone,
	// UnauthorizedOperation for one without a role) are client errors.
	RunManagedInstance(ctx context.Context, c Call, in ManagedInstance) (instanceID string, err error)
	// InstanceCredentials is what the instance's metadata service gives
	// the agent now: the credentials of a session of roleArn (the
	// profile's current role, named after the instance), or none and why
	// not (EC2's message: the role does not trust EC2, the profile holds
	// no role or is gone).
	InstanceCredentials(ctx context.Context, account, instanceID string) (roleArn, why string, err error)
	// TerminateManagedInstance terminates the instance (one already gone
	// is no error); its metadata service stops.
	TerminateManagedInstance(ctx context.Context, c Call, instanceID string) error
}

// ManagedInstance is what ECS launches an instance with.
type ManagedInstance struct {
	// ProfileArn is the provider's instance profile.
	ProfileArn string
	// LaunchedBy is the infrastructure role's session ECS launches it as.
	LaunchedBy string
	// Tags are the tags ECS gives it.
	Tags map[string]string
}

// managedEC2 is EC2 behind the Roles, for Managed Instances.
func (s *Service) managedEC2() (ManagedEC2, error) {
	ec2, ok := s.roles.(ManagedEC2)
	if !ok {
		return nil, errors.New("ecs: Managed Instances launch EC2 instances, and ECS was built without EC2 (Roles is no ManagedEC2)")
	}
	return ec2, nil
}

// managedPool is a launch's view of its Managed Instances provider's
// running instances in the cluster, and of the room each has left as the
// launch places its tasks.
type managedPool struct{ slots []*managedSlot }

// managedSlot is one instance and what is left of it.
type managedSlot struct {
	rec      *instanceRecord
	cpu, mem int32
	tasks    int
	// gone: its EC2 instance no longer runs.
	gone bool
}

// fits: a task reserving cpu and mem has room on the instance. An
// instance sized by the provider's instance requirements takes tasks while
// its CPU and memory last; one launched for a provider that names none was
// sized for its first task, and takes no other (AWS chooses an instance
// type for the tasks it places, which rolecall does not model).
func (sl *managedSlot) fits(cpu, mem int32) bool {
	if sl.gone {
		return false
	}
	if sl.rec.OneTask {
		return sl.tasks == 0
	}
	return sl.cpu >= cpu && sl.mem >= mem
}

func (sl *managedSlot) take(cpu, mem int32) {
	sl.cpu -= cpu
	sl.mem -= mem
	sl.tasks++
}

func newSlot(r *instanceRecord) *managedSlot {
	sl := &managedSlot{rec: r}
	for _, res := range r.Instance.RegisteredResources {
		switch res.Name {
		case "CPU":
			sl.cpu = res.IntegerValue
		case "MEMORY":
			sl.mem = res.IntegerValue
		}
	}
	return sl
}

// managedSlots are provider's running instances in cluster, with the tasks
// that have not stopped taken from them.
func managedSlots(tx store.Tx, c Call, cluster, provider string, now time.Time, tm Timing) ([]*managedSlot, error) {
	var out []*managedSlot
	byArn := map[string]*managedSlot{}
	prefix := clusterKey(c, cluster) + "/"
	err := scanJSON(tx, bucketInstances, prefix, func(_ string, r *instanceRecord) bool {
		if r.Managed && !r.HostTerminated && r.Instance.Status == statusActive && r.Instance.CapacityProviderName == provider {
			sl := newSlot(r)
			out = append(out, sl)
			byArn[r.Instance.ContainerInstanceArn] = sl
		}
		return true
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	err = scanJSON(tx, bucketTasks, prefix, func(_ string, tr *taskRecord) bool {
		sl := byArn[tr.Task.ContainerInstanceArn]
		switch {
		case sl == nil || !tr.active(now, tm):
		case tr.Daemon != "":
			// A daemon's task takes its resources, not the place of the
			// task an instance sized for one was launched for.
			sl.cpu -= tr.ReservedCPU
			sl.mem -= tr.ReservedMemory
		default:
			sl.take(tr.ReservedCPU, tr.ReservedMemory)
		}
		return true
	})
	return out, err
}

// placeManaged places a task of l on its Managed Instances provider: on
// one of the provider's running instances in the cluster with room, else
// on an instance ECS launches for it. refused is the task's stoppedReason
// when no instance could be launched.
func (s *Service) placeManaged(ctx context.Context, c Call, l *launch) (on *instanceRecord, refused string, err error) {
	cluster := l.cluster.Cluster.ClusterName
	if l.pool == nil {
		if err := s.scaleIn(ctx, c, cluster); err != nil {
			return nil, "", err
		}
		pool := &managedPool{}
		err := s.view(ctx, c, func(tx store.Tx) error {
			var err error
			pool.slots, err = managedSlots(tx, c, cluster, l.managed.Name, s.now(), s.phases())
			return err
		})
		if err != nil {
			return nil, "", err
		}
		l.pool = pool
	}
	cpu, mem := l.reservation()
	for _, sl := range l.pool.slots {
		if !sl.fits(cpu, mem) {
			continue
		}
		// An instance terminated from outside ECS (rolecall instance
		// terminate) takes no more tasks.
		if _, _, running, err := s.agentRole(ctx, c, sl.rec); err != nil {
			return nil, "", err
		} else if !running {
			sl.gone = true
			continue
		}
		sl.take(cpu, mem)
		return sl.rec, "", nil
	}
	r, refused, err := s.launchManagedInstance(ctx, c, l.managed, cluster, cpu, mem)
	if err != nil || refused != "" {
		return nil, refused, err
	}
	sl := newSlot(r)
	sl.take(cpu, mem)
	l.pool.slots = append(l.pool.slots, sl)
	return r, "", nil
}

// launchManagedInstance is what ECS does to launch an instance of a
// Managed Instances capacity provider for a task reserving cpu and mem:
// it assumes the infrastructure role, and with it creates the launch
// template and fleet, runs and tags the instance and passes the instance
// profile's role to EC2, each decided on the role's own policies
// (AmazonECSInfrastructureRolePolicyForManagedInstances allows the
// PassRole only for roles named ecsInstanceRole*: "a mismatched name
// causes an authorization error at task launch",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-instance-profile.html).
// The instance runs; its agent reads the instance role's credentials from
// its metadata service and registers it with them, as a container
// instance of the cluster for the provider. refused is the task's
// stoppedReason when a step is refused; an instance that ran but whose
// agent could not register is terminated at once.
func (s *Service) launchManagedInstance(ctx context.Context, c Call, p *types.CapacityProvider, cluster string, cpu, mem int32) (r *instanceRecord, refused string, err error) {
	ec2, err := s.managedEC2()
	if err != nil {
		return nil, "", err
	}
	mi := p.ManagedInstancesProvider
	in := ecsroles.ProviderInput{Provider: p, Clusters: []string{cluster}}
	profile := ""
	if lt := mi.InstanceLaunchTemplate; lt != nil {
		profile = lt.Ec2InstanceProfileArn
	}
	if profile != "" {
		role, err := s.roles.InstanceProfileRole(ctx, c, profile)
		if err != nil {
			if !awserr.IsClient(err) {
				return nil, "", err
			}
			return nil, ecsroles.InstanceLaunchReason(p.Name, awserr.As(err).Message), nil
		}
		in.InstanceRoleARN = role
	}
	session := ecsroles.About[ecsroles.MIInfrastructure].Session
	infra, err := s.roles.AssumeAsService(ctx, c, PrincipalECS, mi.InfrastructureRoleArn, session, p.CapacityProviderArn)
	if err != nil {
		if !awserr.IsClient(err) {
			return nil, "", err
		}
		return nil, ecsroles.InstanceLaunchReason(p.Name, awserr.As(errInfrastructureRole(mi.InfrastructureRoleArn)).Message), nil
	}
	needs := map[ecsroles.Kind][]RoleAction{}
	for _, u := range ecsroles.ForProvider(envOf(c), in) {
		needs[u.Kind] = append(needs[u.Kind], u.Needs...)
	}
	if _, denial, err := s.firstRefused(ctx, c, mi.InfrastructureRoleArn, session, needs[ecsroles.MIInfrastructure]); err != nil || denial != "" {
		return nil, launchRefusal(p.Name, denial), err
	}

	// The instance runs, in the customer's account, tagged as ECS tags its
	// instances.
	ciID := s.hexID()
	id, err := ec2.RunManagedInstance(ctx, c, ManagedInstance{ProfileArn: profile, LaunchedBy: infra.Principal.ARN, Tags: managedTags(p, cluster, ciID)})
	if err != nil {
		if !awserr.IsClient(err) {
			return nil, "", err
		}
		return nil, ecsroles.InstanceLaunchReason(p.Name, awserr.As(err).Message), nil
	}
	// Its agent starts with the credentials its metadata service gives (a
	// session of the instance role that ec2.amazonaws.com assumes, named
	// after the instance), and registers it with them
	// (AmazonECSInstanceRolePolicyForManagedInstances).
	role, reason, err := s.agentRegisters(ctx, c, ec2, id, needs[ecsroles.MIInstance])
	if err != nil || reason != "" {
		if terr := s.terminateHost(ctx, c, p.Name, id); terr != nil && err == nil {
			err = terr
		}
		return nil, launchRefusal(p.Name, reason), err
	}
	r = s.managedRecord(c, p, cluster, ciID, id, role, cpu, mem)
	err = s.update(ctx, c, func(tx store.Tx) error {
		if _, err := activeCluster(tx, c, cluster, false); err != nil {
			return err
		}
		return putJSON(tx, bucketInstances, instanceKey(c, cluster, ciID), r)
	})
	if err != nil {
		if terr := s.terminateHost(ctx, c, p.Name, id); terr != nil {
			return nil, "", errors.Join(err, terr)
		}
		return nil, "", err
	}
	// The provider's daemons start their tasks on it first (daemons.go).
	if err := s.daemonsOf(ctx, c, cluster, p.Name); err != nil {
		return nil, "", err
	}
	return r, "", nil
}

// launchRefusal is InstanceLaunchReason for a refusal, "" for none.
func launchRefusal(provider, refusal string) string {
	if refusal == "" {
		return ""
	}
	return ecsroles.InstanceLaunchReason(provider, refusal)
}

// agentRegisters is the agent starting on instance id: it has the
// instance role's credentials from the metadata service, and makes its
// registration's requests with them, in the instance's session of the
// role. role is that role; reason is why the agent could not register.
func (s *Service) agentRegisters(ctx context.Context, c Call, ec2 ManagedEC2, id string, needs []RoleAction) (role, reason string, err error) {
	role, why, err := ec2.InstanceCredentials(ctx, c.Account, id)
	if err != nil || role == "" {
		return "", why, err
	}
	_, denial, err := s.firstRefused(ctx, c, role, id, ecsroles.AgentRegistration(needs))
	return role, denial, err
}

// managedRecord is the container instance the agent of EC2 instance id
// registers for provider p, with role: sized by the provider's instance
// requirements (their least vCPU count and memory, or the task's when it
// needs more), or for the one task it is launched for when they name
// none.
func (s *Service) managedRecord(c Call, p *types.CapacityProvider, cluster, ciID, id, role string, cpu, mem int32) *instanceRecord {
	oneTask := true
	if lt := p.ManagedInstancesProvider.InstanceLaunchTemplate; lt != nil && lt.InstanceRequirements != nil {
		ir := lt.InstanceRequirements
		if ir.VCpuCount != nil && ir.VCpuCount.Min != nil && ir.MemoryMiB != nil && ir.MemoryMiB.Min != nil {
			oneTask = false
			cpu = max(cpu, *ir.VCpuCount.Min*1024)
			mem = max(mem, *ir.MemoryMiB.Min)
		}
	}
	res := defaultResources()
	res[0].IntegerValue, res[1].IntegerValue = cpu, mem
	now := s.now()
	return &instanceRecord{RoleArn: role, EC2: true, Managed: true, OneTask: oneTask, Instance: types.ContainerInstance{
		ContainerInstanceArn: ecsARN(c, "container-instance/"+cluster+"/"+ciID),
		Ec2InstanceId:        id,
		CapacityProviderName: p.Name,
		Version:              1,
		VersionInfo:          defaultVersionInfo(),
		RegisteredResources:  res,
		Status:               statusActive,
		AgentConnected:       true,
		Attributes: []types.Attribute{{Name: "ecs.os-type", Value: "linux"}, {Name: "ecs.cpu-architecture", Value: "x86_64"},
			{Name: "ecs.availability-zone", Value: c.Region + "a"}},
		RegisteredAt: &now,
	}}
}

// managedTags are the tags ECS gives an instance it launches: the
// provider's own when it propagates them, the reserved AmazonECSCreated
// and AmazonECSManaged, and its system tags naming the cluster, the
// provider and the container instance ("Tags for Amazon ECS Managed
// Instances",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance-details-tags-managed-instances.html).
// AmazonECSManaged is "true", the value
// AmazonECSInfrastructureRolePolicyForManagedInstances requires of the
// launch's request tags; AmazonECSCreated's value is unverified ("true").
func managedTags(p *types.CapacityProvider, cluster, ciID string) map[string]string {
	tags := map[string]string{}
	if p.ManagedInstancesProvider.PropagateTags == "CAPACITY_PROVIDER" {
		for _, t := range p.Tags {
			tags[t.Key] = t.Value
		}
	}
	tags["AmazonECSCreated"] = "true"
	tags["AmazonECSManaged"] = "true"
	tags["aws:ecs:clusterName"] = cluster
	tags["aws:ecs:capacityProviderName"] = p.Name
	tags["aws:ecs:containerInstanceId"] = ciID
	return tags
}

// terminateHost has ECS terminate the EC2 instance id of a Managed
// Instances provider, through AWSServiceRoleForECSCompute
// (AmazonECSComputeServiceRolePolicy: ec2:TerminateInstances on the
// instances ECS operates), whose use is recorded.
func (s *Service) terminateHost(ctx context.Context, c Call, provider, id string) error {
	ec2, err := s.managedEC2()
	if err != nil {
		return err
	}
	if err := s.roles.LinkedRoleUsed(ctx, c, PrincipalECSCompute, ecsroles.Termination(envOf(c), provider, id)...); err != nil {
		return err
	}
	return ec2.TerminateManagedInstance(ctx, c, id)
}

// retire terminates the EC2 instances of container instances ECS has
// deregistered, and records that it did.
func (s *Service) retire(ctx context.Context, c Call, cluster string, recs []*instanceRecord) error {
	for _, r := range recs {
		if err := s.terminateHost(ctx, c, r.Instance.CapacityProviderName, r.Instance.Ec2InstanceId); err != nil {
			return err
		}
		id := taskIDOf(r.Instance.ContainerInstanceArn)
		err := s.update(ctx, c, func(tx store.Tx) error {
			var cur instanceRecord
			if ok, err := getJSON(tx, bucketInstances, instanceKey(c, cluster, id), &cur); err != nil || !ok {
				return err
			}
			cur.HostTerminated = true
			if err := stopDaemonTasksOn(tx, c, cluster, &cur, s.now()); err != nil {
				return err
			}
			return putJSON(tx, bucketInstances, instanceKey(c, cluster, id), &cur)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// deregister marks a container instance deregistered (INACTIVE).
func deregister(r *instanceRecord) {
	r.Instance.Status, r.Instance.AgentConnected = statusInactive, false
	r.Instance.Version++
}

// scaleIn is Managed Instances' idle instance detection in a cluster
// (given by name or ARN): "Identifies and removes EC2 instances that have
// no running tasks ... marks the container instance as DEREGISTERING,
// which initiates the cleanup sequence that safely terminates the
// underlying EC2 instance"
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-infrastructure-optimization.html).
// An instance is idle from when the last task on it STOPPED (from its
// registration if none ran), and is deregistered and terminated once idle
// for its provider's infrastructureOptimization.scaleInAfter seconds (-1:
// never; unset: at once, rolecall's choice, AWS's default is
// unverified). Like the task lifecycle it is lazy: it happens when ECS
// next looks at the cluster's instances (placing a Managed Instances task,
// ListContainerInstances, DescribeContainerInstances, DeleteCluster), not
// the moment the instance turns idle; the container instance goes
// straight to INACTIVE. Instances of container instances deregistered
// otherwise (force-deregistered, or their provider deleted) whose
// termination was not done are terminated here too.
func (s *Service) scaleIn(ctx context.Context, c Call, clusterRef string) error {
	now, tm := s.now(), s.phases()
	var cluster string
	var due []*instanceRecord
	find := func(tx store.Tx) error {
		cl, err := loadCluster(tx, c, clusterRef)
		if err != nil || cl == nil {
			return err
		}
		cluster = cl.Cluster.ClusterName
		due, err = idleInstances(tx, c, cluster, now, tm)
		return err
	}
	if err := s.view(ctx, c, find); err != nil || len(due) == 0 {
		return err
	}
	err := s.update(ctx, c, func(tx store.Tx) error {
		if err := find(tx); err != nil {
			return err
		}
		for _, r := range due {
			if r.Instance.Status == statusInactive {
				continue
			}
			deregister(r)
			if err := putJSON(tx, bucketInstances, instanceKey(c, cluster, taskIDOf(r.Instance.ContainerInstanceArn)), r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.retire(ctx, c, cluster, due)
}

// idleInstances are the Managed Instances container instances of cluster
// whose EC2 instances ECS terminates now: deregistered ones not yet
// terminated, and those idle past their provider's scale-in delay.
func idleInstances(tx store.Tx, c Call, cluster string, now time.Time, tm Timing) ([]*instanceRecord, error) {
	prefix := clusterKey(c, cluster) + "/"
	var managed []*instanceRecord
	if err := scanJSON(tx, bucketInstances, prefix, func(_ string, r *instanceRecord) bool {
		if r.Managed && !r.HostTerminated {
			managed = append(managed, r)
		}
		return true
	}); err != nil || len(managed) == 0 {
		return nil, err
	}
	busy := map[string]bool{}
	lastStop := map[string]time.Time{}
	if err := scanJSON(tx, bucketTasks, prefix, func(_ string, tr *taskRecord) bool {
		arn := tr.Task.ContainerInstanceArn
		if arn == "" {
			return true
		}
		// Daemons' tasks run on every instance, idle or not.
		if tr.Daemon != "" {
			return true
		}
		if tr.active(now, tm) {
			busy[arn] = true
		} else if at := tr.stoppedAt(tm); at.After(lastStop[arn]) {
			lastStop[arn] = at
		}
		return true
	}); err != nil {
		return nil, err
	}
	delays := map[string]*int32{}
	var out []*instanceRecord
	for _, r := range managed {
		arn := r.Instance.ContainerInstanceArn
		if r.Instance.Status == statusInactive {
			out = append(out, r)
			continue
		}
		if busy[arn] {
			continue
		}
		name := r.Instance.CapacityProviderName
		delay, ok := delays[name]
		if !ok {
			p, err := loadProvider(tx, c, name)
			if err != nil {
				return nil, err
			}
			if p != nil && p.Provider.Status == statusActive {
				if mi := p.Provider.ManagedInstancesProvider; mi != nil && mi.InfrastructureOptimization != nil {
					delay = mi.InfrastructureOptimization.ScaleInAfter
				}
			}
			delays[name] = delay
		}
		if delay != nil && *delay < 0 {
			continue // scale-in turned off
		}
		since := lastStop[arn]
		if since.IsZero() && r.Instance.RegisteredAt != nil {
			since = *r.Instance.RegisteredAt
		}
		if delay != nil {
			since = since.Add(time.Duration(*delay) * time.Second)
		}
		if !now.Before(since) {
			out = append(out, r)
		}
	}
	return out, nil
}

// retireProvider deregisters, in the update tx, the container instances
// ECS launched for provider in cluster, and answers them for retire: a
// deleted provider's instances go with it.
func retireProvider(tx store.Tx, c Call, cluster, provider string) ([]*instanceRecord, error) {
	var out []*instanceRecord
	err := scanJSON(tx, bucketInstances, clusterKey(c, cluster)+"/", func(_ string, r *instanceRecord) bool {
		if r.Managed && !r.HostTerminated && r.Instance.CapacityProviderName == provider {
			out = append(out, r)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	for _, r := range out {
		if r.Instance.Status == statusInactive {
			continue
		}
		deregister(r)
		if err := putJSON(tx, bucketInstances, instanceKey(c, cluster, taskIDOf(r.Instance.ContainerInstanceArn)), r); err != nil {
			return nil, err
		}
	}
	return out, nil
}
