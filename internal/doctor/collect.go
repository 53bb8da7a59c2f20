package doctor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/model/shapecopy"
)

// collect walks the setup and records, per role, why it is needed and the
// requests it must be allowed, from the one model of ECS's role use
// (package ecsroles) that the server acts on.
func (a *analysis) collect() {
	used := map[*TaskDefinition]bool{}
	for _, svc := range a.s.Services {
		td := a.findTaskDef(svc.TaskDefinition)
		cluster := svc.ClusterName()
		plat, how := a.servicePlatform(svc, td)
		wl := Workload{Kind: "service", Name: svc.ServiceName, Cluster: cluster, TaskDefinition: svc.TaskDefinition, Platform: plat, Source: svc.Source}
		var def *types.TaskDefinition
		if td != nil {
			used[td] = true
			def = &td.TaskDefinition
			wl.TaskDefinition = td.Name()
			wl.NetworkMode = networkMode(td, plat)
		} else {
			// Its task and execution roles cannot be checked: a report
			// that passed would say nothing of them.
			a.err = fmt.Errorf("service %s runs task definition %s, which the setup does not include: give its JSON too (aws ecs describe-task-definition --task-definition %s), or run the doctor against the account", svc.ServiceName, svc.TaskDefinition, svc.TaskDefinition)
			return
		}
		if how != "" {
			a.notes = append(a.notes, fmt.Sprintf("service %s: %s", svc.ServiceName, how))
		}
		a.workloads = append(a.workloads, wl)
		label := fmt.Sprintf("service %s (cluster %s, %s)", svc.ServiceName, cluster, plat)
		su := ecsroles.ForService(a.env, ecsroles.ServiceInput{
			Name: svc.ServiceName, Cluster: cluster, Label: label,
			Awsvpc: td != nil && networkMode(td, plat) == "awsvpc" || plat == Fargate,
			Role:   svc.ServiceRole(), LoadBalancers: svc.LoadBalancers, ServiceRegistries: svc.ServiceRegistries,
			ServiceConnect: svc.ServiceConnectConfiguration, VolumeConfigurations: svc.VolumeConfigurations,
			TaskDefinition: def, Providers: a.strategyProviders(svc.CapacityProviderStrategy),
			DeploymentConfiguration: svc.DeploymentConfiguration,
		})
		a.notes = append(a.notes, su.Notes...)
		for _, u := range su.Uses {
			cb := a.apply(u)
			if u.Kind == KindServiceRole {
				cb.nameOnly = !strings.HasPrefix(u.Role, "arn:")
			}
		}
		if td != nil {
			a.task(td, cluster, plat, label, svc.EnableExecuteCommand, "service "+svc.ServiceName)
		}
	}
	a.tasks(used)
	for _, td := range a.s.TaskDefinitions {
		if used[td] {
			continue
		}
		plat := standalonePlatform(td)
		a.workloads = append(a.workloads, Workload{Kind: "task-definition", Name: td.Name(), TaskDefinition: td.Name(), Platform: plat, NetworkMode: networkMode(td, plat), Source: td.Source})
		label := fmt.Sprintf("task definition %s (%s, run with RunTask)", td.Name(), plat)
		if networkMode(td, plat) == "awsvpc" {
			a.apply(ecsroles.Use{Kind: KindECSLinked, Needed: true,
				Why:   []string{label + ": awsvpc networking: ECS creates and attaches each task's network interface"},
				Needs: ecsroles.NetworkInterfaceNeeds(a.env, "eni-"+ecsroles.TaskID, label)})
		}
		a.task(td, "default", plat, label, false, "")
	}
	for _, ci := range a.s.ContainerInstances {
		if ci.Trunk != "" || ci.TrunkFailed {
			label := fmt.Sprintf("container instance %s (cluster %s)", ci.Ec2InstanceId, ci.Cluster)
			a.apply(ecsroles.Use{Kind: KindECSLinked, Needed: true,
				Why:   []string{label + ": ENI trunking: ECS creates and attaches its trunk network interface, and deletes it when the instance is deregistered"},
				Needs: ecsroles.TrunkNeeds(a.env, ci.Trunk, label)})
		}
	}
	for _, cp := range a.s.CapacityProviders {
		a.capacityProvider(cp)
	}
	for _, st := range a.s.ScalableTargets {
		a.scalableTarget(st)
	}
	for _, es := range a.s.ExpressServices {
		a.expressService(es)
	}
	for _, d := range a.s.Daemons {
		if a.daemon(d); a.err != nil {
			return
		}
	}
	if a.deployerNote != "" {
		a.notes = append(a.notes, a.deployerNote)
	}
	if len(a.workloads) == 0 {
		a.notes = append(a.notes, "the setup has no task definition, service, capacity provider, scalable target, Express service or daemon: nothing needs a role")
	}
}

// tasks checks the tasks no service, Express service or daemon of the
// setup started, each as it ran:
// its task definition revision, its launch type or capacity provider, its
// role overrides. Tasks alike are checked once.
func (a *analysis) tasks(used map[*TaskDefinition]bool) {
	// The tasks of the setup's services, Express services and daemons
	// are checked as theirs, by their group.
	started := map[string]bool{}
	for _, svc := range a.s.Services {
		started[svc.ClusterName()+"/service:"+svc.ServiceName] = true
	}
	for _, es := range a.s.ExpressServices {
		started[es.ClusterName()+"/service:"+es.Name()] = true
	}
	for _, d := range a.s.Daemons {
		started[d.ClusterName()+"/daemon:"+d.Name()] = true
	}
	seen := map[string]bool{}
	for _, t := range a.s.Tasks {
		cluster := clusterName(t.ClusterArn)
		if started[cluster+"/"+t.Group] {
			continue
		}
		td := a.findTaskDef(t.TaskDefinitionArn)
		if td == nil {
			a.notes = append(a.notes, fmt.Sprintf("task %s runs task definition %s, which the setup does not include: its roles are not checked", lastSegment(t.TaskArn), t.TaskDefinitionArn))
			continue
		}
		used[td] = true
		plat := Platform(t.LaunchType)
		if t.CapacityProviderName != "" {
			plat = a.providerPlatform(t.CapacityProviderName)
		}
		if plat == "" {
			plat = EC2
		}
		def := td.TaskDefinition
		if o := t.Overrides; o != nil {
			if o.ExecutionRoleArn != "" {
				def.ExecutionRoleArn = o.ExecutionRoleArn
			}
			if o.TaskRoleArn != "" {
				def.TaskRoleArn = o.TaskRoleArn
			}
		}
		key := strings.Join([]string{cluster, td.Name(), string(plat), def.ExecutionRoleArn, def.TaskRoleArn, fmt.Sprint(t.EnableExecuteCommand)}, "|")
		if seen[key] {
			continue
		}
		seen[key] = true
		how := "started by " + orDefault(t.Group, "RunTask")
		if t.StopCode != "" {
			how = fmt.Sprintf("%s, %s: %s", how, strings.ToLower(t.LastStatus), t.StoppedReason)
		}
		a.workloads = append(a.workloads, Workload{Kind: "task", Name: lastSegment(t.TaskArn), Cluster: cluster, TaskDefinition: td.Name(), Platform: plat, NetworkMode: networkMode(td, plat), Source: t.Source})
		label := fmt.Sprintf("task %s (cluster %s, task definition %s, %s, %s)", lastSegment(t.TaskArn), cluster, td.Name(), plat, how)
		if networkMode(td, plat) == "awsvpc" {
			a.apply(ecsroles.Use{Kind: KindECSLinked, Needed: true,
				Why:   []string{label + ": awsvpc networking: ECS creates and attaches each task's network interface"},
				Needs: ecsroles.NetworkInterfaceNeeds(a.env, "eni-"+ecsroles.TaskID, label)})
		}
		wrapped := &TaskDefinition{TaskDefinition: def, Source: td.Source}
		a.task(wrapped, cluster, plat, label, t.EnableExecuteCommand, "task "+lastSegment(t.TaskArn))
	}
}

// apply records a use of a role in the role's case.
func (a *analysis) apply(u ecsroles.Use) *caseBuilder {
	var cb *caseBuilder
	switch {
	case kinds[u.Kind].Linked:
		cb = a.linked(u.Kind)
	case u.Role == "":
		cb = a.missing(u.Kind, u.For)
	default:
		cb = a.role(u.Kind, u.Role)
	}
	a.merge(cb, u)
	return cb
}

func (a *analysis) merge(cb *caseBuilder, u ecsroles.Use) {
	if u.Profile != "" {
		cb.profile = u.Profile
	}
	cb.needed = cb.needed || u.Needed
	cb.passed = cb.passed || u.Passed
	for _, w := range u.Why {
		cb.addWhy(w)
	}
	cb.needs = append(cb.needs, u.Needs...)
	for k, v := range u.Trust {
		cb.trustKeys[k] = v
	}
	for _, p := range u.Problems {
		st := Fail
		if p.Warn {
			st = Warn
		}
		cb.addConfig(st, p.What, p.Detail)
	}
	for _, n := range u.Notes {
		cb.addNote(n)
	}
}

// strategyProviders are the capacity providers of a strategy the setup
// has.
func (a *analysis) strategyProviders(strategy []types.CapacityProviderStrategyItem) []*types.CapacityProvider {
	var out []*types.CapacityProvider
	for _, item := range strategy {
		if cp := a.findProvider(item.CapacityProvider); cp != nil {
			out = append(out, &cp.CapacityProvider)
		}
	}
	return out
}

// task records what a task definition, as it runs, asks of the task
// execution role, the task role and the container instance role.
func (a *analysis) task(td *TaskDefinition, cluster string, p Platform, label string, exec bool, execFor string) {
	tu := ecsroles.ForTask(a.env, &td.TaskDefinition, p, ecsroles.TaskOptions{Cluster: cluster, Label: label, Exec: exec, ExecFor: execFor, Keys: a.s.Keys})
	a.notes = append(a.notes, tu.Notes...)
	for _, u := range []ecsroles.Use{tu.Execution, tu.TaskRole} {
		if u.Role != "" || u.Needed {
			a.apply(u)
		}
	}
	if !tu.Instance.Needed {
		return
	}
	// Which instance profile the container instances have is EC2's to
	// know, not ECS's: the setup says, or the cluster's registered
	// instances tell, or the conventional one is looked at.
	profiles, whose, gap := a.instanceProfiles(cluster)
	guessed := len(profiles) == 0
	if guessed {
		profiles = []string{kinds[KindContainerInstance].Conventional}
	}
	for _, p := range profiles {
		name := lastSegment(p)
		roleName := a.profileRole(name)
		if roleName == "" {
			roleName = name
		}
		cb := a.role(KindContainerInstance, roleName)
		cb.profile = name
		cb.guessed = guessed
		a.merge(cb, tu.Instance)
		switch {
		case whose[p] != "":
			cb.addNote(whose[p])
		case gap != "":
			cb.addNote(gap + ": looked at " + name + ", the name AWS's guides use; give --instance-profile")
		case guessed:
			cb.addNote("the setup does not say which instance profile the container instances have (EC2 knows, not ECS): looked at " + name + ", the name AWS's guides use; give --instance-profile")
		}
	}
}

// registered: the cluster's container instances were read.
func (a *analysis) registered(cluster string) bool {
	for _, c := range a.s.Registrations {
		if c == cluster {
			return true
		}
	}
	return false
}

// instanceProfiles are the instance profiles of the container instances
// tasks of cluster run on: those the setup gives, else those EC2 gives
// the instances registered in the cluster, each with a note naming them
// (whose). None when neither is known: the cluster's registrations were
// not read, or gap says why they tell none (in the notes too).
func (a *analysis) instanceProfiles(cluster string) (profiles []string, whose map[string]string, gap string) {
	if len(a.s.InstanceProfiles) > 0 {
		return a.s.InstanceProfiles, nil, ""
	}
	if !a.registered(cluster) {
		return nil, nil, ""
	}
	byProfile := map[string][]string{}
	var none, unknown []string
	n := 0
	for _, ci := range a.s.ContainerInstances {
		if ci.Cluster != cluster || ci.Operator != "" {
			continue
		}
		n++
		switch {
		case ci.Unknown != "":
			unknown = append(unknown, ci.Ec2InstanceId+" ("+ci.Unknown+")")
		case ci.InstanceProfileArn == "":
			none = append(none, ci.Ec2InstanceId)
		default:
			byProfile[ci.InstanceProfileArn] = append(byProfile[ci.InstanceProfileArn], ci.Ec2InstanceId)
		}
	}
	note := func(n string) {
		for _, x := range a.notes {
			if x == n {
				return
			}
		}
		a.notes = append(a.notes, n)
	}
	if n == 0 {
		note("cluster " + cluster + " runs tasks on EC2 container instances, but no container instance is registered in it: the tasks cannot be placed until one registers (its ECS agent does, with the container instance role)")
	}
	if len(none) > 0 {
		note("cluster " + cluster + ": EC2 instance " + strings.Join(none, ", ") + " has no instance profile: its ECS agent has no credentials (attach a profile with aws ec2 associate-iam-instance-profile)")
	}
	if len(unknown) > 0 {
		note("cluster " + cluster + ": the instance profile of EC2 instance " + strings.Join(unknown, ", ") + " is not known")
	}
	whose = map[string]string{}
	for _, p := range sortedKeys(byProfile) {
		profiles = append(profiles, p)
		whose[p] = "the instance profile of EC2 instance " + strings.Join(byProfile[p], ", ") + ", registered in cluster " + cluster + " (ec2:DescribeInstances)"
	}
	switch {
	case len(profiles) > 0:
	case n == 0:
		gap = "no container instance is registered in cluster " + cluster
	case len(unknown) > 0:
		gap = "the instance profile of cluster " + cluster + "'s container instances is not known"
	default:
		gap = "cluster " + cluster + "'s container instances have no instance profile"
	}
	return profiles, whose, gap
}

// findTaskDef finds the task definition a service names: family,
// family:revision or ARN; the highest revision of a family.
func (a *analysis) findTaskDef(ref string) *TaskDefinition {
	family, rev := familyRevision(ref, ":task-definition/")
	var best *TaskDefinition
	for _, td := range a.s.TaskDefinitions {
		if td.Family != family {
			continue
		}
		if rev > 0 && td.Revision != 0 && int(td.Revision) != rev {
			continue
		}
		if best == nil || td.Revision > best.Revision {
			best = td
		}
	}
	return best
}

// servicePlatform decides where a service's tasks run (ECS API reference,
// CreateService launchType and capacityProviderStrategy: without either the
// cluster's default capacity provider strategy applies, and without one the
// launch type is EC2).
func (a *analysis) servicePlatform(svc *Service, td *TaskDefinition) (Platform, string) {
	if svc.LaunchType != "" {
		return Platform(strings.ToUpper(svc.LaunchType)), ""
	}
	strategy := svc.CapacityProviderStrategy
	how := ""
	if len(strategy) == 0 {
		if cl := a.findCluster(svc.ClusterName()); cl != nil {
			strategy = cl.DefaultCapacityProviderStrategy
			if len(strategy) > 0 {
				how = "no launch type or capacity provider strategy: the cluster's default capacity provider strategy applies"
			}
		}
	}
	if len(strategy) == 0 {
		how = "no launch type or capacity provider strategy, and no cluster default known: ECS uses the EC2 launch type"
		if td != nil && len(td.RequiresCompatibilities) == 1 && td.RequiresCompatibilities[0] != "EC2" {
			how += fmt.Sprintf(" (the task definition requires %s; set launchType)", td.RequiresCompatibilities[0])
		}
		return EC2, how
	}
	return a.providerPlatform(strategy[0].CapacityProvider), how
}

func (a *analysis) providerPlatform(name string) Platform {
	switch name {
	case "FARGATE", "FARGATE_SPOT":
		return Fargate
	}
	if cp := a.findProvider(name); cp != nil && cp.ManagedInstancesProvider != nil {
		return ManagedInstances
	}
	return EC2
}

func (a *analysis) findCluster(name string) *Cluster {
	for _, c := range a.s.Clusters {
		if c.ClusterName == name || clusterName(c.ClusterArn) == name {
			return c
		}
	}
	return nil
}

func (a *analysis) findProvider(name string) *CapacityProvider {
	for _, cp := range a.s.CapacityProviders {
		if cp.Name == name || lastSegment(cp.CapacityProviderArn) == name {
			return cp
		}
	}
	return nil
}

// standalonePlatform is where RunTask would place a task definition that
// no service runs: its required compatibility.
func standalonePlatform(td *TaskDefinition) Platform {
	has := map[string]bool{}
	for _, c := range td.RequiresCompatibilities {
		has[strings.ToUpper(c)] = true
	}
	switch {
	case has["FARGATE"]:
		return Fargate
	case has["MANAGED_INSTANCES"]:
		return ManagedInstances
	case has["EXTERNAL"] && !has["EC2"]:
		return External
	}
	return EC2
}

// networkMode is the task's network mode: Fargate always uses awsvpc; EC2's
// default is bridge (ECS Developer Guide, task definition parameters).
func networkMode(td *TaskDefinition, p Platform) string {
	if td.NetworkMode != "" {
		return td.NetworkMode
	}
	switch p {
	case Fargate, ManagedInstances:
		return "awsvpc"
	}
	return "bridge"
}

// capacityProvider: Managed Instances' service-linked role,
// infrastructure role and instance profile.
func (a *analysis) capacityProvider(cp *CapacityProvider) {
	if cp.ManagedInstancesProvider == nil {
		a.workloads = append(a.workloads, Workload{Kind: "capacity-provider", Name: cp.Name, Platform: EC2, Source: cp.Source})
		return
	}
	a.workloads = append(a.workloads, Workload{Kind: "capacity-provider", Name: cp.Name, Cluster: cp.Cluster, Platform: ManagedInstances, Source: cp.Source})
	in := ecsroles.ProviderInput{Provider: &cp.CapacityProvider, Clusters: a.providerClusters(cp)}
	if profile := ecsroles.ProfileName(&cp.CapacityProvider); profile != "" {
		in.InstanceRole = a.profileRole(profile)
		name := in.InstanceRole
		if name == "" {
			name = profile
		}
		in.InstanceRoleARN = parseRoleRef(name, a.partition, a.account).arn
		if r, err := a.maybeRole(name); err == nil && r != nil {
			in.InstanceRoleARN = r.ARN
		}
	}
	for _, u := range ecsroles.ForProvider(a.env, in) {
		a.apply(u)
	}
}

// maybeRole reads a role when IAM is read.
func (a *analysis) maybeRole(name string) (*Principal, error) {
	if a.iam == nil {
		return nil, nil
	}
	return a.getRole(name)
}

// providerClusters: the clusters a capacity provider serves.
func (a *analysis) providerClusters(cp *CapacityProvider) []string {
	var out []string
	if cp.Cluster != "" {
		out = append(out, clusterName(cp.Cluster))
	}
	for _, c := range a.s.Clusters {
		for _, p := range c.CapacityProviders {
			if p == cp.Name {
				out = append(out, c.ClusterName)
			}
		}
	}
	for _, s := range a.s.Services {
		for _, item := range s.CapacityProviderStrategy {
			if item.CapacityProvider == cp.Name {
				out = append(out, s.ClusterName())
			}
		}
	}
	for _, d := range a.s.Daemons {
		for _, p := range d.CapacityProviderArns {
			if lastSegment(p) == cp.Name {
				out = append(out, d.ClusterName())
			}
		}
	}
	if len(out) == 0 {
		out = []string{"default"}
	}
	return uniqueSorted(out)
}

// scalableTarget: service auto scaling (Application Auto Scaling's
// service-linked role for ECS).
func (a *analysis) scalableTarget(st *ScalableTarget) {
	if !strings.EqualFold(st.ServiceNamespace, "ecs") {
		return
	}
	u, ok := ecsroles.ForScalableTarget(a.env, ecsroles.ScalableTargetInput{Namespace: st.ServiceNamespace, ResourceID: st.ResourceId, RoleARN: st.RoleARN})
	if !ok {
		a.notes = append(a.notes, fmt.Sprintf("scalable target %q is not service/CLUSTER/SERVICE", st.ResourceId))
		return
	}
	parts := strings.Split(st.ResourceId, "/")
	a.workloads = append(a.workloads, Workload{Kind: "scalable-target", Name: st.ResourceId, Cluster: parts[1], Source: st.Source})
	a.apply(u)
}

// expressService: an Express service is a Fargate service (AWSServiceRoleForECS
// for its tasks' network interfaces), whose task definition ECS registers
// from its configuration, with an infrastructure role.
func (a *analysis) expressService(es *ExpressService) {
	name, cluster := es.Name(), es.ClusterName()
	label := ecsroles.ExpressLabel(name, cluster)
	cfg := es.Configuration()
	td := &TaskDefinition{TaskDefinition: shapecopy.Narrow[types.TaskDefinition](*ecsroles.ExpressTaskDefinition(name, a.region, cfg)), Source: es.Source}
	a.workloads = append(a.workloads, Workload{Kind: "express-service", Name: name, Cluster: cluster, TaskDefinition: name, Platform: Fargate, NetworkMode: "awsvpc", Source: es.Source})
	for _, u := range ecsroles.ForService(a.env, ecsroles.ServiceInput{Name: name, Cluster: cluster, Label: label, Awsvpc: true, TaskDefinition: &td.TaskDefinition}).Uses {
		a.apply(u)
	}
	in := ecsroles.ExpressInput{Name: name, Cluster: cluster, Label: label, InfrastructureRole: es.InfrastructureRoleArn}
	if lc := cfg.PrimaryContainer; lc != nil && lc.AwsLogsConfiguration != nil {
		in.LogGroup = lc.AwsLogsConfiguration.LogGroup
	}
	a.apply(ecsroles.ForExpress(a.env, in))
	a.task(td, cluster, Fargate, label, false, "")
}

// daemon: a daemon's tasks run its daemon task definition on the
// instances of its Managed Instances capacity providers, whose roles are
// the providers' (capacityProvider).
func (a *analysis) daemon(d *Daemon) {
	name, cluster := d.Name(), d.ClusterName()
	dtd := a.findDaemonTaskDef(d.DaemonTaskDefinitionArn)
	if dtd == nil {
		// Its task and execution roles cannot be checked: a report that
		// passed would say nothing of them.
		a.err = fmt.Errorf("daemon %s runs daemon task definition %s, which the setup does not include: give its JSON too (aws ecs describe-daemon-task-definition --daemon-task-definition %s), or run the doctor against the account", name, d.DaemonTaskDefinitionArn, d.DaemonTaskDefinitionArn)
		return
	}
	td := &TaskDefinition{TaskDefinition: *ecsroles.DaemonTaskDefinition(&dtd.DaemonTaskDefinition), Source: dtd.Source}
	a.workloads = append(a.workloads, Workload{Kind: "daemon", Name: name, Cluster: cluster, TaskDefinition: td.Name(), Platform: ManagedInstances, NetworkMode: td.NetworkMode, Source: d.Source})
	for _, p := range d.CapacityProviderArns {
		if a.findProvider(lastSegment(p)) == nil {
			a.notes = append(a.notes, fmt.Sprintf("daemon %s runs on capacity provider %s, which the setup does not include: its infrastructure role and instance profile are not checked", name, lastSegment(p)))
		}
	}
	a.task(td, cluster, ManagedInstances, ecsroles.DaemonLabel(name, cluster), d.EnableExecuteCommand, "daemon "+name)
}

// findDaemonTaskDef finds the daemon task definition a daemon names:
// family, family:revision or ARN; the highest revision of a family.
func (a *analysis) findDaemonTaskDef(ref string) *DaemonTaskDefinition {
	family, rev := familyRevision(ref, ":daemon-task-definition/")
	var best *DaemonTaskDefinition
	for _, td := range a.s.DaemonTaskDefinitions {
		if td.Family != family || rev > 0 && td.Revision != 0 && int(td.Revision) != rev {
			continue
		}
		if best == nil || td.Revision > best.Revision {
			best = td
		}
	}
	return best
}

// familyRevision reads a task definition reference: family,
// family:revision or an ARN whose resource follows kind; revision 0 when
// none is named.
func familyRevision(ref, kind string) (family string, rev int) {
	name := ref
	if i := strings.Index(name, kind); i >= 0 {
		name = name[i+len(kind):]
	}
	family = name
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		family = name[:i]
		fmt.Sscanf(name[i+1:], "%d", &rev)
	}
	return family, rev
}

// sortedWhy keeps report lines stable.
func sortedWhy(w []string) []string {
	out := append([]string(nil), w...)
	sort.Strings(out)
	return out
}
