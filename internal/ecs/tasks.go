package ecs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

func taskKey(c Call, cluster, id string) string { return clusterKey(c, cluster) + "/" + id }

// launch is what a new task is made of: RunTask's, StartTask's or a
// service's choices.
type launch struct {
	cluster          *clusterRecord
	def              *taskDefRecord
	launchType       string
	capacityProvider string
	// managed is the Managed Instances capacity provider the task is
	// placed on, nil for other launches.
	managed *types.CapacityProvider
	// pool is what the launch knows of the provider's instances, as it
	// places its tasks on them (placeManaged).
	pool             *managedPool
	platformVersion  string
	network          *types.NetworkConfiguration
	overrides        *types.TaskOverride
	group, startedBy string
	tags             []types.Tag
	enableExec       bool
	service          string
	deployment       string
}

// roles are the execution role and task role the task runs with:
// overrides first, then the task definition's.
func (l *launch) roles() (execution, task string) {
	execution, task = l.def.Def.ExecutionRoleArn, l.def.Def.TaskRoleArn
	if o := l.overrides; o != nil {
		if o.ExecutionRoleArn != "" {
			execution = o.ExecutionRoleArn
		}
		if o.TaskRoleArn != "" {
			task = o.TaskRoleArn
		}
	}
	return execution, task
}

// reservation is what a task of the launch reserves on its instance: the
// task's CPU and memory (overrides first), else the sum of its
// containers'.
func (l *launch) reservation() (cpu, mem int32) {
	for _, cd := range l.def.Def.ContainerDefinitions {
		cpu += cd.Cpu
		if cd.Memory != nil {
			mem += *cd.Memory
		} else if cd.MemoryReservation != nil {
			mem += *cd.MemoryReservation
		}
	}
	cpuSpec, memSpec := l.def.Def.Cpu, l.def.Def.Memory
	if o := l.overrides; o != nil {
		if o.Cpu != "" {
			cpuSpec = o.Cpu
		}
		if o.Memory != "" {
			memSpec = o.Memory
		}
	}
	if n, ok := taskCPU(cpuSpec); ok {
		cpu = int32(n)
	}
	if n, ok := taskMemory(memSpec); ok {
		mem = int32(n)
	}
	return cpu, mem
}

func (l *launch) awsvpc() bool { return l.def.Def.NetworkMode == "awsvpc" }

// taskGroup is the task group of the launch's tasks: the one given, else
// family:FAMILY (RunTask reference, group).
func (l *launch) taskGroup() string {
	if l.group != "" {
		return l.group
	}
	return "family:" + l.def.Def.Family
}

// resolveLaunchType picks the launch type: the one asked for, else the
// strategy's (or the cluster's default strategy's) first capacity
// provider's, else EC2.
func resolveLaunchType(tx store.Tx, c Call, cl *clusterRecord, launchType string, strat []types.CapacityProviderStrategyItem) (lt, provider string, err error) {
	if launchType != "" {
		return launchType, "", nil
	}
	if len(strat) == 0 {
		strat = cl.Cluster.DefaultCapacityProviderStrategy
	}
	if len(strat) == 0 {
		return launchEC2, "", nil
	}
	name := strat[0].CapacityProvider
	switch name {
	case "FARGATE", "FARGATE_SPOT":
		return launchFargate, name, nil
	}
	p, err := loadProvider(tx, c, name)
	if err != nil {
		return "", "", err
	}
	if p == nil || p.Provider.Status != statusActive {
		return "", "", errProviderMissing()
	}
	if p.Provider.Type == providerManaged {
		return launchManaged, name, nil
	}
	return launchEC2, name, nil
}

// managedProvider is the Managed Instances capacity provider a launch on
// Managed Instances is placed on: the one its strategy names, else the
// cluster's first.
func managedProvider(tx store.Tx, c Call, cl *clusterRecord, launchType, name string) (*types.CapacityProvider, error) {
	if launchType != launchManaged {
		return nil, nil
	}
	names := cl.Cluster.CapacityProviders
	if name != "" {
		names = []string{name}
	}
	for _, n := range names {
		p, err := loadProvider(tx, c, n)
		if err != nil {
			return nil, err
		}
		if p != nil && p.Provider.Status == statusActive && p.Provider.Type == providerManaged {
			return &p.Provider, nil
		}
	}
	return nil, nil
}

// checkLaunch applies AWS's rules that tie a task definition to a launch:
// the launch type must be one the definition is compatible with, and awsvpc
// tasks need a network configuration that other tasks may not have.
func checkLaunch(def *types.TaskDefinition, launchType string, network *types.NetworkConfiguration) error {
	if launchType == launchFargate && !slices.Contains(def.Compatibilities, launchFargate) {
		return errLaunchTypeUnsupported(launchType)
	}
	awsvpc := def.NetworkMode == "awsvpc"
	if awsvpc && (network == nil || network.AwsvpcConfiguration == nil) {
		return errNetworkConfigRequired()
	}
	if !awsvpc && network != nil {
		return errNetworkConfigNotValid()
	}
	return nil
}

// createSLR: "Amazon ECS creates the service-linked role for you when you
// create a cluster, or create or update a service"
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html):
// on the caller's behalf, so only if the caller may create it. A caller
// who may not is not refused here; what needs the role then fails on its
// absence.
func (s *Service) createSLR(ctx context.Context, c Call) error {
	if _, err := s.roles.EnsureServiceLinkedRole(ctx, c, PrincipalECS); err != nil {
		if _, denied := asAccessDenied(err); !denied && !awserr.IsClient(err) {
			return err
		}
	}
	return nil
}

// needSLR: ECS acts through AWSServiceRoleForECS to manage a task's
// network interface (awsvpc) and a service's load balancers; without it
// the call fails as AWS's does.
func (s *Service) needSLR(ctx context.Context, c Call) error {
	ok, err := s.roles.ServiceLinkedRoleExists(ctx, c.Account, PrincipalECS)
	if err != nil {
		return err
	}
	if !ok {
		return errNoSLR()
	}
	return nil
}

// newTask builds the record of a task launched now. failed is the role
// ecs-tasks.amazonaws.com could not assume, if any: the task then stops
// without starting, with AWS's reason.
func (s *Service) newTask(c Call, l *launch, id string, now time.Time, instanceArn, failedReason string) *taskRecord {
	cl := l.cluster.Cluster
	def := l.def.Def
	taskArn := ecsARN(c, "task/"+cl.ClusterName+"/"+id)
	t := types.Task{
		TaskArn:               taskArn,
		ClusterArn:            cl.ClusterArn,
		TaskDefinitionArn:     def.TaskDefinitionArn,
		ContainerInstanceArn:  instanceArn,
		LaunchType:            l.launchType,
		CapacityProviderName:  l.capacityProvider,
		Group:                 l.group,
		StartedBy:             l.startedBy,
		Cpu:                   def.Cpu,
		Memory:                def.Memory,
		Tags:                  l.tags,
		EnableExecuteCommand:  l.enableExec,
		AvailabilityZone:      c.Region + "a",
		HealthStatus:          "UNKNOWN",
		Attributes:            []types.Attribute{{Name: "ecs.cpu-architecture", Value: "x86_64"}},
		InferenceAccelerators: nonNil(def.InferenceAccelerators),
	}
	t.Group = l.taskGroup()
	if l.launchType == launchFargate {
		t.PlatformVersion, t.PlatformFamily = "1.4.0", "Linux"
		t.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: 20}
		t.FargateEphemeralStorage = &types.TaskEphemeralStorage{SizeInGiB: 20}
	}
	ov := types.TaskOverride{}
	if l.overrides != nil {
		ov = *l.overrides
	}
	if ov.Cpu != "" {
		t.Cpu = ov.Cpu
	}
	if ov.Memory != "" {
		t.Memory = ov.Memory
	}
	if ov.ContainerOverrides == nil {
		for _, cd := range def.ContainerDefinitions {
			ov.ContainerOverrides = append(ov.ContainerOverrides, types.ContainerOverride{Name: cd.Name})
		}
	}
	ov.ContainerOverrides = nonNil(ov.ContainerOverrides)
	ov.InferenceAcceleratorOverrides = nonNil(ov.InferenceAcceleratorOverrides)
	t.Overrides = &ov

	var eni types.Attachment
	if l.awsvpc() {
		h := id + strings.Repeat("0", 32)
		ip := fmt.Sprintf("10.0.%d.%d", hexByte(h[0:2]), hexByte(h[2:4])%254+1)
		subnet := ""
		if n := l.network.AwsvpcConfiguration; n != nil && len(n.Subnets) > 0 {
			subnet = n.Subnets[0]
		}
		eni = types.Attachment{
			Id:   s.gen.UUID(),
			Type: "ElasticNetworkInterface",
			Details: []types.KeyValuePair{
				{Name: "subnetId", Value: subnet},
				{Name: "networkInterfaceId", Value: "eni-" + h[:17]},
				{Name: "macAddress", Value: fmt.Sprintf("0a:%s:%s:%s:%s:%s", h[4:6], h[6:8], h[8:10], h[10:12], h[12:14])},
				{Name: "privateDnsName", Value: "ip-" + strings.ReplaceAll(ip, ".", "-") + ".ec2.internal"},
				{Name: "privateIPv4Address", Value: ip},
			},
		}
		t.Attachments = []types.Attachment{eni}
	} else {
		t.Attachments = []types.Attachment{}
	}
	for _, cd := range def.ContainerDefinitions {
		ct := types.Container{
			ContainerArn: ecsARN(c, "container/"+cl.ClusterName+"/"+id+"/"+s.gen.UUID()),
			TaskArn:      taskArn,
			Name:         cd.Name,
			Image:        cd.Image,
			Cpu:          strconv.Itoa(int(cd.Cpu)),
			HealthStatus: "UNKNOWN",
		}
		if cd.Memory != nil {
			ct.Memory = strconv.Itoa(int(*cd.Memory))
		}
		if cd.MemoryReservation != nil {
			ct.MemoryReservation = strconv.Itoa(int(*cd.MemoryReservation))
		}
		if l.awsvpc() {
			ct.NetworkInterfaces = []types.NetworkInterface{{AttachmentId: eni.Id, PrivateIpv4Address: eni.Details[4].Value}}
		}
		t.Containers = append(t.Containers, ct)
	}
	cpu, mem := l.reservation()
	r := &taskRecord{Task: t, AwsVpc: l.awsvpc(), Created: now, Service: l.service, Deployment: l.deployment,
		ReservedCPU: cpu, ReservedMemory: mem}
	r.FailedReason = failedReason
	return r
}

func hexByte(s string) int {
	n, _ := strconv.ParseUint(s, 16, 8)
	return int(n)
}

// hostsOf is what runs on each of a cluster's container instances, by
// ARN: the tasks that have not stopped, their groups and network
// interfaces.
func hostsOf(tx store.Tx, c Call, cluster string, now time.Time, tm Timing) (map[string]*host, error) {
	hosts := map[string]*host{}
	prefix := clusterKey(c, cluster) + "/"
	if err := scanJSON(tx, bucketInstances, prefix, func(_ string, ir *instanceRecord) bool {
		hosts[ir.Instance.ContainerInstanceArn] = &host{rec: ir}
		return true
	}); err != nil {
		return nil, err
	}
	err := scanJSON(tx, bucketTasks, prefix, func(_ string, tr *taskRecord) bool {
		if h := hosts[tr.Task.ContainerInstanceArn]; h != nil && tr.active(now, tm) {
			h.tasks++
			if tr.view(now, tm).LastStatus == "RUNNING" {
				h.running++
			}
			h.groups = append(h.groups, tr.Task.Group)
			if tr.AwsVpc {
				h.enis++
			}
			if tr.wantsToRun() {
				h.wanted = append(h.wanted, tr.Task.Group)
			}
		}
		return true
	})
	return hosts, err
}

// instancesFor lists a cluster's ACTIVE container instances, least busy
// first, for placing EC2 tasks, with what runs on them: those ECS
// launched for Managed Instances take only their provider's tasks.
func instancesFor(tx store.Tx, c Call, cluster string, now time.Time, tm Timing) ([]*host, error) {
	hosts, err := hostsOf(tx, c, cluster, now, tm)
	return placeable(hosts), err
}

// placeable are the hosts EC2 tasks may be placed on, least busy first.
func placeable(hosts map[string]*host) []*host {
	var out []*host
	for _, h := range hosts {
		if h.rec.Instance.Status == statusActive && !h.rec.Managed {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b *host) int {
		if d := a.tasks - b.tasks; d != 0 {
			return d
		}
		return strings.Compare(a.rec.Instance.ContainerInstanceArn, b.rec.Instance.ContainerInstanceArn)
	})
	return out
}

// RunTask starts count tasks of a task definition. ECS checks that the
// caller may pass the task's roles, needs its service-linked role for
// awsvpc tasks, and at launch has ecs-tasks.amazonaws.com assume the
// execution role and the task role: a task whose role cannot be assumed
// is created, then stops without starting, with AWS's stoppedReason.
func (s *Service) RunTask(ctx context.Context, c Call, in *types.RunTaskRequest) (*types.RunTaskResponse, error) {
	if in.LaunchType != "" && len(in.CapacityProviderStrategy) > 0 {
		return nil, errLaunchTypeAndStrategy()
	}
	count := 1
	if in.Count != nil {
		count = int(*in.Count)
	}
	now := s.now()
	tm := s.phases()
	l := &launch{network: in.NetworkConfiguration, overrides: in.Overrides, group: in.Group, startedBy: in.StartedBy,
		tags: in.Tags, enableExec: in.EnableExecuteCommand}
	var instances []*host
	err := s.view(ctx, c, func(tx store.Tx) error {
		var err error
		if l.cluster, err = activeCluster(tx, c, in.Cluster, true); err != nil {
			return err
		}
		if l.def, err = loadTaskDef(tx, c, in.TaskDefinition); err != nil {
			return err
		}
		if l.def == nil {
			return errTaskDefinitionNotFound()
		}
		if l.def.Def.Status != tdActive {
			return errTaskDefinitionInactive()
		}
		if l.launchType, l.capacityProvider, err = resolveLaunchType(tx, c, l.cluster, in.LaunchType, in.CapacityProviderStrategy); err != nil {
			return err
		}
		if l.managed, err = managedProvider(tx, c, l.cluster, l.launchType, l.capacityProvider); err != nil {
			return err
		}
		// Only EC2 tasks are placed here: counting what runs on each
		// instance reads every task of the cluster, which a Fargate
		// launch need not pay for.
		if l.launchType == launchEC2 {
			instances, err = instancesFor(tx, c, l.cluster.Cluster.ClusterName, now, tm)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := checkLaunch(&l.def.Def, l.launchType, l.network); err != nil {
		return nil, err
	}
	placing, err := rulesFor(l, in.PlacementConstraints)
	if err != nil {
		return nil, err
	}
	if l.launchType == launchEC2 && len(instances) == 0 {
		return nil, errNoContainerInstances()
	}
	if l.awsvpc() {
		if err := s.needSLR(ctx, c); err != nil {
			return nil, err
		}
	}
	execRole, taskRole := l.roles()
	if err := s.passTaskRoles(ctx, c, execRole, taskRole); err != nil {
		return nil, err
	}
	placements := make([]*instanceRecord, count)
	failures := []types.Failure{}
	if l.launchType == launchEC2 {
		// The tasks that can be placed start; the others are failures.
		var on []*host
		if on, failures = place(instances, placing, count); len(on) == 0 {
			return &types.RunTaskResponse{Tasks: []types.Task{}, Failures: failures}, nil
		}
		placements = placements[:len(on)]
		for i, h := range on {
			placements[i] = h.rec
		}
	}
	var checked *rules
	if l.launchType == launchEC2 {
		checked = &placing
	}
	out, err := s.startTasks(ctx, c, l, checked, placements, now)
	if err != nil {
		return nil, err
	}
	out.Failures = append(out.Failures, failures...)
	return out, nil
}

// startTasks launches one task per placement (a container instance, or
// nil for Fargate and Managed Instances, which launchRoles places): the
// roles are assumed, the records written. The rules of the tasks placed
// on EC2 instances (nil for others) are checked again as they are
// written: what was placed from an earlier read may meanwhile have been
// taken by another launch; such tasks are failures.
func (s *Service) startTasks(ctx context.Context, c Call, l *launch, r *rules, placements []*instanceRecord, now time.Time) (*types.RunTaskResponse, error) {
	execRole, taskRole := l.roles()
	records := make([]*taskRecord, len(placements))
	var creds []*credentialsRecord
	var enis []RoleAction
	for i, on := range placements {
		id := s.hexID()
		st, err := s.launchRoles(ctx, c, l, ecsARN(c, "task/"+l.cluster.Cluster.ClusterName+"/"+id), on)
		if err != nil {
			return nil, err
		}
		records[i] = s.newTask(c, l, id, now, st.instanceArn(), st.failedReason())
		if cr := s.newCredentials(c, l.cluster.Cluster.ClusterName, records[i].Task.TaskArn, execRole, taskRole, st.sess); cr != nil {
			creds = append(creds, cr)
		}
		enis = append(enis, eniCreation(c, records[i])...)
	}
	if l.awsvpc() {
		// ECS creates the tasks' network interfaces through
		// AWSServiceRoleForECS.
		if err := s.roles.LinkedRoleUsed(ctx, c, PrincipalECS, enis...); err != nil {
			return nil, err
		}
	}
	tm := s.phases()
	out := &types.RunTaskResponse{Tasks: []types.Task{}, Failures: []types.Failure{}}
	err := s.update(ctx, c, func(tx store.Tx) error {
		if _, err := activeCluster(tx, c, l.cluster.Cluster.ClusterArn, true); err != nil {
			return err
		}
		kept, keptCreds := records, creds
		out.Tasks, out.Failures = out.Tasks[:0], []types.Failure{}
		if r != nil {
			hosts, err := hostsOf(tx, c, l.cluster.Cluster.ClusterName, now, tm)
			if err != nil {
				return err
			}
			kept, out.Failures = admit(hosts, *r, records)
			keptCreds = slices.DeleteFunc(slices.Clone(creds), func(cr *credentialsRecord) bool {
				return !slices.ContainsFunc(kept, func(t *taskRecord) bool { return t.Task.TaskArn == cr.TaskArn })
			})
		}
		for _, t := range kept {
			out.Tasks = append(out.Tasks, t.view(now, tm))
		}
		return putStarted(tx, c, l.cluster.Cluster.ClusterName, kept, keptCreds)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// putStarted stores, inside tx, the records of tasks launched in cluster
// and the credentials of their roles: RunTask's and StartTask's, a
// service's and a daemon's scheduler's.
func putStarted(tx store.Tx, c Call, cluster string, tasks []*taskRecord, creds []*credentialsRecord) error {
	for _, t := range tasks {
		if err := putJSON(tx, bucketTasks, taskKey(c, cluster, taskIDOf(t.Task.TaskArn)), t); err != nil {
			return err
		}
	}
	for _, cr := range creds {
		if err := putJSON(tx, bucketCredentials, taskIDOf(cr.TaskArn), cr); err != nil {
			return err
		}
	}
	return nil
}

// StartTask starts a task on each of the given container instances (the
// EC2 launch type, placed by the caller).
func (s *Service) StartTask(ctx context.Context, c Call, in *types.StartTaskRequest) (*types.StartTaskResponse, error) {
	now := s.now()
	l := &launch{launchType: launchEC2, network: in.NetworkConfiguration, overrides: in.Overrides, group: in.Group,
		startedBy: in.StartedBy, tags: in.Tags, enableExec: in.EnableExecuteCommand}
	var placements []*instanceRecord
	var placing rules
	failures := []types.Failure{}
	err := s.view(ctx, c, func(tx store.Tx) error {
		placements, failures = nil, []types.Failure{}
		var err error
		if l.cluster, err = activeCluster(tx, c, in.Cluster, true); err != nil {
			return err
		}
		if l.def, err = loadTaskDef(tx, c, in.TaskDefinition); err != nil {
			return err
		}
		if l.def == nil {
			return errTaskDefinitionNotFound()
		}
		if l.def.Def.Status != tdActive {
			return errTaskDefinitionInactive()
		}
		hosts, err := hostsOf(tx, c, l.cluster.Cluster.ClusterName, now, s.phases())
		if err != nil {
			return err
		}
		placing = rules{group: l.taskGroup(), awsvpc: l.awsvpc()}
		for _, id := range in.ContainerInstances {
			ir, err := loadInstance(tx, c, l.cluster.Cluster.ClusterName, id)
			if err != nil {
				return err
			}
			if ir == nil || ir.Instance.Status != statusActive {
				failures = append(failures, types.Failure{Arn: instanceARNFor(c, l.cluster.Cluster.ClusterName, id), Reason: "MISSING"})
				continue
			}
			// StartTask takes no constraints, but an awsvpc task needs a
			// network interface of the instance ("RESOURCE:*", API
			// failure reasons for RunTask and StartTask).
			h := hosts[ir.Instance.ContainerInstanceArn]
			if why := placing.refusal(h); why != "" {
				failures = append(failures, types.Failure{Arn: ir.Instance.ContainerInstanceArn, Reason: why})
				continue
			}
			placing.take(h)
			placements = append(placements, ir)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := checkLaunch(&l.def.Def, launchEC2, l.network); err != nil {
		return nil, err
	}
	if l.awsvpc() {
		if err := s.needSLR(ctx, c); err != nil {
			return nil, err
		}
	}
	execRole, taskRole := l.roles()
	if err := s.passTaskRoles(ctx, c, execRole, taskRole); err != nil {
		return nil, err
	}
	out, err := s.startTasks(ctx, c, l, &placing, placements, now)
	if err != nil {
		return nil, err
	}
	return &types.StartTaskResponse{Tasks: out.Tasks, Failures: append(failures, out.Failures...)}, nil
}

// StopTask asks a task to stop; it goes through STOPPING (and
// DEPROVISIONING for awsvpc) to STOPPED. The answer shows the task as it
// was when asked, with desiredStatus STOPPED, as AWS's does.
func (s *Service) StopTask(ctx context.Context, c Call, in *types.StopTaskRequest) (*types.StopTaskResponse, error) {
	now := s.now()
	tm := s.phases()
	var out types.Task
	err := s.update(ctx, c, func(tx store.Tx) error {
		cl, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		id, ok := clusterMemberID(c, cl.Cluster.ClusterName, in.Task, "task")
		if !ok {
			return errTaskNotFound()
		}
		key := taskKey(c, cl.Cluster.ClusterName, id)
		var r taskRecord
		found, err := getJSON(tx, bucketTasks, key, &r)
		if err != nil {
			return err
		}
		if !found || !r.visible(now, tm) {
			return errTaskNotFound()
		}
		before := r.view(now, tm)
		if r.StopAt != nil || before.LastStatus == "STOPPED" {
			out = before
			return nil
		}
		r.StopAt, r.StopCode, r.StopReason = ptr(now), "UserInitiated", in.Reason
		if r.StopReason == "" {
			r.StopReason = "Task stopped by user"
		}
		out = r.view(now, tm)
		out.LastStatus, out.Version = before.LastStatus, before.Version
		return putJSON(tx, bucketTasks, key, &r)
	})
	if err != nil {
		return nil, err
	}
	return &types.StopTaskResponse{Task: &out}, nil
}

// DescribeTasks describes tasks by ID or ARN; unknown ones (and those
// STOPPED long ago) are failures with reason MISSING.
func (s *Service) DescribeTasks(ctx context.Context, c Call, in *types.DescribeTasksRequest) (*types.DescribeTasksResponse, error) {
	if len(in.Tasks) == 0 {
		return nil, errTasksEmpty()
	}
	now := s.now()
	tm := s.phases()
	withTags := slices.Contains(in.Include, "TAGS")
	out := &types.DescribeTasksResponse{}
	err := s.view(ctx, c, func(tx store.Tx) error {
		out.Tasks, out.Failures = []types.Task{}, []types.Failure{}
		cl, err := loadCluster(tx, c, in.Cluster)
		if err != nil {
			return err
		}
		if cl == nil {
			return errClusterNotFound()
		}
		name := cl.Cluster.ClusterName
		for _, ref := range in.Tasks {
			var r taskRecord
			found := false
			if id, ok := clusterMemberID(c, name, ref, "task"); ok {
				if found, err = getJSON(tx, bucketTasks, taskKey(c, name, id), &r); err != nil {
					return err
				}
			}
			if !found || !r.visible(now, tm) {
				arn := ref
				if !isARN(ref) {
					arn = ecsARN(c, "task/"+name+"/"+ref)
				}
				out.Failures = append(out.Failures, types.Failure{Arn: arn, Reason: "MISSING"})
				continue
			}
			t := r.view(now, tm)
			if withTags {
				t.Tags = nonNil(t.Tags)
			} else {
				t.Tags = nil
			}
			out.Tasks = append(out.Tasks, t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListTasks lists the ARNs of a cluster's tasks whose desiredStatus is the
// one asked (RUNNING by default), filtered by container instance, family,
// startedBy, service and launch type.
func (s *Service) ListTasks(ctx context.Context, c Call, in *types.ListTasksRequest) (*types.ListTasksResponse, error) {
	now := s.now()
	tm := s.phases()
	desired := in.DesiredStatus
	if desired == "" || desired == "PENDING" {
		desired = "RUNNING"
	}
	var arns []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		arns = nil
		cl, err := loadCluster(tx, c, in.Cluster)
		if err != nil {
			return err
		}
		if cl == nil {
			return errClusterNotFound()
		}
		name := cl.Cluster.ClusterName
		instance := ""
		if in.ContainerInstance != "" {
			instance = instanceARNFor(c, name, in.ContainerInstance)
		}
		service := in.ServiceName
		if rest, ok := resourceOf(c, service, "service"); ok {
			service = rest[strings.LastIndexByte(rest, '/')+1:]
		}
		return scanJSON(tx, bucketTasks, clusterKey(c, name)+"/", func(_ string, r *taskRecord) bool {
			if !r.visible(now, tm) {
				return true
			}
			t := r.view(now, tm)
			switch {
			case t.DesiredStatus != desired,
				instance != "" && t.ContainerInstanceArn != instance,
				in.Family != "" && !strings.Contains(t.TaskDefinitionArn, ":task-definition/"+in.Family+":"),
				in.StartedBy != "" && t.StartedBy != in.StartedBy,
				service != "" && r.Service != service,
				in.LaunchType != "" && t.LaunchType != in.LaunchType:
				return true
			}
			arns = append(arns, t.TaskArn)
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	pg, next, err := page(arns, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return &types.ListTasksResponse{TaskArns: pg, NextToken: next}, nil
}
