package ecs

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/records"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// Daemons (ECS Managed Daemons): "Amazon ECS deploys exactly one daemon
// task on each container instance of the specified capacity providers"
// (CreateDaemon reference), which must be Managed Instances capacity
// providers of the daemon's cluster. Each CreateDaemon, UpdateDaemon and
// DeleteDaemon makes a deployment; each deployment but a deletion's rolls
// out a revision, an immutable snapshot of the daemon's task definition
// and settings
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-daemons-create-manage.html).
//
// A daemon's tasks are tasks like any other (DescribeTasks shows them):
// at launch ecs-tasks.amazonaws.com assumes the daemon task definition's
// execution and task roles for the task, the execution role makes the
// agent's requests, and the agent on the instance acts with the instance
// role (launchRoles), so a role that fails a service's task fails a
// daemon's the same way. Like a service's scheduler, the daemon's is lazy:
// it places and stops tasks when the daemon is created, updated, deleted
// or read (reconcileDaemon), and when ECS launches an instance for one of
// its providers. rolecall does not drain and replace instances on a
// deployment, as AWS does: it replaces the daemon's task on each.
const (
	bucketDaemons           = "ecs-daemons"               // <acct>/<region>/<cluster>/<name>
	bucketDaemonRevisions   = "ecs-daemon-revisions"      // <acct>/<region>/<cluster>/<name>/<id>
	bucketDaemonDeployments = "ecs-daemon-deployments"    // <acct>/<region>/<cluster>/<name>/<id>
	daemonDeleting          = "DELETE_IN_PROGRESS"        // DaemonStatus; the other is ACTIVE
	daemonDefaultDrain      = 25.0                        // the console's default drain percentage
	daemonStopCode          = "ServiceSchedulerInitiated" // as a service's scheduler stops its tasks
)

// daemonRecord is a daemon as the store keeps it.
type daemonRecord struct {
	Name, Cluster string
	Status        string
	// Providers are its capacity providers' names.
	Providers []string
	// Revision is the ID of the revision it runs; Deployment that of its
	// latest deployment.
	Revision, Deployment string
	Config               daemonConfig
	Tags                 daemonTags `json:",omitempty"`
	ClientToken          string     `json:",omitempty"`
	CreatedAt, UpdatedAt time.Time
}

// daemonConfig is rolecall's record of a DaemonDeploymentConfiguration.
type daemonConfig struct {
	DrainPercent      float64
	BakeTimeInMinutes int32
	Alarms            bool     `json:",omitempty"`
	AlarmNames        []string `json:",omitempty"`
}

// daemonTags are a daemon's tags, stored as rolecall's tag records.
type daemonTags []types.Tag

func (t daemonTags) MarshalJSON() ([]byte, error) {
	return json.Marshal(records.Convert[[]records.Tag]([]types.Tag(t)))
}

func (t *daemonTags) UnmarshalJSON(b []byte) error {
	var r []records.Tag
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	*t = records.Convert[[]types.Tag](r)
	return nil
}

// daemonRevisionRecord is a revision as the store keeps it.
type daemonRevisionRecord struct {
	ID, Daemon, Cluster string
	TaskDefinitionArn   string
	Images              []daemonImage
	PropagateTags       string
	ManagedTags, Exec   bool
	CreatedAt           time.Time
}

type daemonImage struct{ Container, Image string }

// daemonDeploymentRecord is a deployment as the store keeps it: its
// status follows from its times, its tasks' and the clock (view).
type daemonDeploymentRecord struct {
	ID, Daemon, Cluster string
	// Target is the revision it rolls out, "" for a deletion's; Sources
	// those it replaces.
	Target    string
	Sources   []string `json:",omitempty"`
	Providers []string
	Config    daemonConfig
	CreatedAt time.Time
	// StoppedAt is when a newer deployment stopped it.
	StoppedAt *time.Time `json:",omitempty"`
}

func daemonKey(c Call, cluster, name string) string { return clusterKey(c, cluster) + "/" + name }

func daemonChildKey(c Call, cluster, name, id string) string {
	return daemonKey(c, cluster, name) + "/" + id
}

func daemonARN(c Call, cluster, name string) string { return ecsARN(c, "daemon/"+cluster+"/"+name) }

func (d *daemonRecord) arn(c Call) string { return daemonARN(c, d.Cluster, d.Name) }

func (r *daemonRevisionRecord) arn(c Call) string {
	return ecsARN(c, "daemon-revision/"+r.Cluster+"/"+r.Daemon+"/"+r.ID)
}

func (r *daemonDeploymentRecord) arn(c Call) string {
	return ecsARN(c, "daemon-deployment/"+r.Cluster+"/"+r.Daemon+"/"+r.ID)
}

// parseDaemonARN splits arn:...:KIND/CLUSTER/NAME[/ID] of the Call's
// account and Region: kind "daemon" has no ID, "daemon-deployment" and
// "daemon-revision" have one.
func parseDaemonARN(c Call, arn, kind string) (cluster, name, id string, ok bool) {
	rest, ours := resourceOf(c, arn, kind)
	parts := strings.Split(rest, "/")
	want := 3
	if kind == "daemon" {
		want = 2
	}
	if !ours || len(parts) != want || !clusterNamePattern.MatchString(parts[0]) || !serviceNamePattern.MatchString(parts[1]) {
		return "", "", "", false
	}
	if want == 3 {
		id = parts[2]
	}
	return parts[0], parts[1], id, true
}

// gone: a deleted daemon whose deletion finished is no longer answered.
func (d *daemonRecord) gone(dep *daemonDeploymentRecord, now time.Time, tm Timing) bool {
	return d.Status == daemonDeleting && dep != nil && !now.Before(dep.CreatedAt.Add(tm.Stopping))
}

// loadDaemon returns the daemon and its latest deployment, nil when there
// is none or it is gone.
func loadDaemon(tx store.Tx, c Call, cluster, name string, now time.Time, tm Timing) (*daemonRecord, *daemonDeploymentRecord, error) {
	var d daemonRecord
	found, err := getJSON(tx, bucketDaemons, daemonKey(c, cluster, name), &d)
	if err != nil || !found {
		return nil, nil, err
	}
	var dep daemonDeploymentRecord
	if ok, err := getJSON(tx, bucketDaemonDeployments, daemonChildKey(c, cluster, name, d.Deployment), &dep); err != nil {
		return nil, nil, err
	} else if !ok {
		return &d, nil, nil
	}
	if d.gone(&dep, now, tm) {
		return nil, nil, nil
	}
	return &d, &dep, nil
}

// daemonFromARN is the daemon an ARN names: ClusterNotFoundException when
// its cluster does not exist, DaemonNotFoundException when it does not.
func (s *Service) daemonFromARN(tx store.Tx, c Call, arn string) (*daemonRecord, *daemonDeploymentRecord, error) {
	cluster, name, _, ok := parseDaemonARN(c, arn, "daemon")
	if !ok {
		return nil, nil, errDaemonNotFound()
	}
	if cl, err := loadCluster(tx, c, cluster); err != nil {
		return nil, nil, err
	} else if cl == nil {
		return nil, nil, errClusterNotFound()
	}
	d, dep, err := loadDaemon(tx, c, cluster, name, s.now(), s.phases())
	if err == nil && d == nil {
		err = errDaemonNotFound()
	}
	return d, dep, err
}

// daemonChoice is what a create or update asks of a daemon: its task
// definition and providers, checked.
type daemonChoice struct {
	def       *taskDefRecord
	providers []string
}

// checkDaemonChoice: the daemon task definition must be ACTIVE, and each
// capacity provider a Managed Instances one of the cluster ("ECS Managed
// Daemons is only supported for Amazon ECS Managed Instances Capacity
// Providers", CreateDaemon reference).
func checkDaemonChoice(tx store.Tx, c Call, cluster, taskDef string, providers []string) (daemonChoice, error) {
	var ch daemonChoice
	def, err := loadDaemonTaskDef(tx, c, taskDef)
	switch {
	case err != nil:
		return ch, err
	case def == nil:
		return ch, errDaemonTaskDefinitionMissing()
	case def.Def.Status != tdActive:
		return ch, errDaemonTaskDefinitionNotActive()
	}
	ch.def = def
	if len(providers) == 0 {
		return ch, errDaemonNoProviders()
	}
	for _, ref := range providers {
		if n := providerName(c, ref); n == "FARGATE" || n == "FARGATE_SPOT" {
			return ch, errDaemonManagedOnly()
		}
		p, err := loadProvider(tx, c, ref)
		switch {
		case err != nil:
			return ch, err
		case p == nil || p.Provider.Status != statusActive:
			return ch, errProviderMissing()
		case p.Provider.Type != providerManaged:
			return ch, errDaemonManagedOnly()
		case p.Provider.Cluster != cluster:
			return ch, errDaemonProviderCluster(p.Provider.Name, cluster)
		}
		if !slices.Contains(ch.providers, p.Provider.Name) {
			ch.providers = append(ch.providers, p.Provider.Name)
		}
	}
	return ch, nil
}

// daemonConfigOf fills a deployment configuration's defaults.
func daemonConfigOf(in *types.DaemonDeploymentConfiguration) daemonConfig {
	cfg := daemonConfig{DrainPercent: daemonDefaultDrain}
	if in == nil {
		return cfg
	}
	if in.DrainPercent != nil {
		cfg.DrainPercent = *in.DrainPercent
	}
	cfg.BakeTimeInMinutes = in.BakeTimeInMinutes
	if a := in.Alarms; a != nil {
		cfg.Alarms, cfg.AlarmNames = a.Enable, a.AlarmNames
	}
	return cfg
}

func (cfg daemonConfig) wire() *types.DaemonDeploymentConfiguration {
	return &types.DaemonDeploymentConfiguration{DrainPercent: ptr(cfg.DrainPercent), BakeTimeInMinutes: cfg.BakeTimeInMinutes,
		Alarms: &types.DaemonAlarmConfiguration{AlarmNames: nonNil(cfg.AlarmNames), Enable: cfg.Alarms}}
}

// newRevision snapshots a daemon's task definition and settings.
func (s *Service) newRevision(d *daemonRecord, def *taskDefRecord, propagate string, managedTags, exec bool) *daemonRevisionRecord {
	if propagate == "" {
		propagate = "NONE"
	}
	r := &daemonRevisionRecord{ID: s.hexID(), Daemon: d.Name, Cluster: d.Cluster, TaskDefinitionArn: def.Def.TaskDefinitionArn,
		PropagateTags: propagate, ManagedTags: managedTags, Exec: exec, CreatedAt: s.now()}
	for _, cd := range def.Def.ContainerDefinitions {
		r.Images = append(r.Images, daemonImage{Container: cd.Name, Image: cd.Image})
	}
	return r
}

// deploy writes a daemon with a new deployment (of rev, nil for a
// deletion): the previous one, if it has not finished, is stopped.
func (s *Service) deploy(tx store.Tx, c Call, d *daemonRecord, prev *daemonDeploymentRecord, rev *daemonRevisionRecord) (*daemonDeploymentRecord, error) {
	now := s.now()
	dep := &daemonDeploymentRecord{ID: s.hexID(), Daemon: d.Name, Cluster: d.Cluster, Providers: d.Providers, Config: d.Config, CreatedAt: now}
	if rev != nil {
		dep.Target = rev.ID
		if err := putJSON(tx, bucketDaemonRevisions, daemonChildKey(c, d.Cluster, d.Name, rev.ID), rev); err != nil {
			return nil, err
		}
	}
	if prev != nil {
		if prev.Target != "" {
			dep.Sources = []string{prev.Target}
		}
		if st, _ := prev.status(nil, now, s.phases()); st == "IN_PROGRESS" || st == "PENDING" {
			prev.StoppedAt = &now
			if err := putJSON(tx, bucketDaemonDeployments, daemonChildKey(c, d.Cluster, d.Name, prev.ID), prev); err != nil {
				return nil, err
			}
		}
	}
	d.Deployment, d.UpdatedAt = dep.ID, now
	if err := putJSON(tx, bucketDaemonDeployments, daemonChildKey(c, d.Cluster, d.Name, dep.ID), dep); err != nil {
		return nil, err
	}
	return dep, putJSON(tx, bucketDaemons, daemonKey(c, d.Cluster, d.Name), d)
}

// CreateDaemon creates a daemon and its first deployment, which places its
// tasks: the caller passes the daemon task definition's roles to
// ecs-tasks.amazonaws.com, as for a service's.
func (s *Service) CreateDaemon(ctx context.Context, c Call, in *types.CreateDaemonRequest) (*types.CreateDaemonResponse, error) {
	if !serviceNamePattern.MatchString(in.DaemonName) {
		return nil, errDaemonName()
	}
	var d *daemonRecord
	var ch daemonChoice
	var same bool
	err := s.view(ctx, c, func(tx store.Tx) error {
		cl, err := activeCluster(tx, c, in.ClusterArn, true)
		if err != nil {
			return err
		}
		cluster := cl.Cluster.ClusterName
		if cur, _, err := loadDaemon(tx, c, cluster, in.DaemonName, s.now(), s.phases()); err != nil {
			return err
		} else if cur != nil {
			if in.ClientToken == "" || cur.ClientToken != in.ClientToken {
				return errDaemonExists(in.DaemonName, cluster)
			}
			d, same = cur, true
			return nil
		}
		ch, err = checkDaemonChoice(tx, c, cluster, in.DaemonTaskDefinitionArn, in.CapacityProviderArns)
		d = &daemonRecord{Name: in.DaemonName, Cluster: cluster}
		return err
	})
	if err != nil {
		return nil, err
	}
	if same {
		// The same request again (its clientToken): the daemon it made.
		created := d.CreatedAt
		return &types.CreateDaemonResponse{DaemonArn: d.arn(c), Status: d.Status, CreatedAt: &created,
			DeploymentArn: (&daemonDeploymentRecord{ID: d.Deployment, Daemon: d.Name, Cluster: d.Cluster}).arn(c)}, nil
	}
	if err := s.passTaskRoles(ctx, c, ch.def.Def.ExecutionRoleArn, ch.def.Def.TaskRoleArn); err != nil {
		return nil, err
	}
	now := s.now()
	*d = daemonRecord{Name: in.DaemonName, Cluster: d.Cluster, Status: statusActive, Providers: ch.providers,
		Config: daemonConfigOf(in.DeploymentConfiguration), Tags: in.Tags, ClientToken: in.ClientToken, CreatedAt: now}
	rev := s.newRevision(d, ch.def, in.PropagateTags, in.EnableECSManagedTags, in.EnableExecuteCommand)
	d.Revision = rev.ID
	var dep *daemonDeploymentRecord
	err = s.update(ctx, c, func(tx store.Tx) error {
		if cur, _, err := loadDaemon(tx, c, d.Cluster, d.Name, now, s.phases()); err != nil {
			return err
		} else if cur != nil {
			return errDaemonExists(d.Name, d.Cluster)
		}
		var err error
		dep, err = s.deploy(tx, c, d, nil, rev)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.reconcileDaemon(ctx, c, d.Cluster, d.Name); err != nil {
		return nil, err
	}
	return &types.CreateDaemonResponse{DaemonArn: d.arn(c), Status: d.Status, CreatedAt: &now, DeploymentArn: dep.arn(c)}, nil
}

// UpdateDaemon deploys a new revision of an ACTIVE daemon.
func (s *Service) UpdateDaemon(ctx context.Context, c Call, in *types.UpdateDaemonRequest) (*types.UpdateDaemonResponse, error) {
	var ch daemonChoice
	var d *daemonRecord
	err := s.view(ctx, c, func(tx store.Tx) error {
		var err error
		if d, _, err = s.daemonFromARN(tx, c, in.DaemonArn); err != nil {
			return err
		}
		if d.Status != statusActive {
			return errDaemonNotActive()
		}
		ch, err = checkDaemonChoice(tx, c, d.Cluster, in.DaemonTaskDefinitionArn, in.CapacityProviderArns)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.passTaskRoles(ctx, c, ch.def.Def.ExecutionRoleArn, ch.def.Def.TaskRoleArn); err != nil {
		return nil, err
	}
	d, dep, err := s.redeploy(ctx, c, in.DaemonArn, func(d *daemonRecord) *daemonRevisionRecord {
		d.Providers, d.Config = ch.providers, daemonConfigOf(in.DeploymentConfiguration)
		rev := s.newRevision(d, ch.def, in.PropagateTags, in.EnableECSManagedTags, in.EnableExecuteCommand)
		d.Revision = rev.ID
		return rev
	})
	if err != nil {
		return nil, err
	}
	created, updated := d.CreatedAt, d.UpdatedAt
	return &types.UpdateDaemonResponse{DaemonArn: d.arn(c), Status: d.Status, CreatedAt: &created, UpdatedAt: &updated, DeploymentArn: dep.arn(c)}, nil
}

// DeleteDaemon deletes an ACTIVE daemon: its deployment stops the
// daemon's tasks, and once it has the daemon is gone.
func (s *Service) DeleteDaemon(ctx context.Context, c Call, in *types.DeleteDaemonRequest) (*types.DeleteDaemonResponse, error) {
	d, dep, err := s.redeploy(ctx, c, in.DaemonArn, func(d *daemonRecord) *daemonRevisionRecord {
		d.Status = daemonDeleting
		return nil
	})
	if err != nil {
		return nil, err
	}
	created, updated := d.CreatedAt, d.UpdatedAt
	return &types.DeleteDaemonResponse{DaemonArn: d.arn(c), Status: d.Status, CreatedAt: &created, UpdatedAt: &updated, DeploymentArn: dep.arn(c)}, nil
}

// redeploy changes the ACTIVE daemon arn names (change answers the
// revision to deploy, nil for its deletion), deploys it and reconciles its
// tasks.
func (s *Service) redeploy(ctx context.Context, c Call, arn string, change func(d *daemonRecord) *daemonRevisionRecord) (*daemonRecord, *daemonDeploymentRecord, error) {
	var d *daemonRecord
	var dep *daemonDeploymentRecord
	err := s.update(ctx, c, func(tx store.Tx) error {
		cur, prev, err := s.daemonFromARN(tx, c, arn)
		if err != nil {
			return err
		}
		if cur.Status != statusActive {
			return errDaemonNotActive()
		}
		d = cur
		rev := change(d)
		dep, err = s.deploy(tx, c, d, prev, rev)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return d, dep, s.reconcileDaemon(ctx, c, d.Cluster, d.Name)
}

// DescribeDaemon describes a daemon, with the running task counts of its
// current revisions.
func (s *Service) DescribeDaemon(ctx context.Context, c Call, in *types.DescribeDaemonRequest) (*types.DescribeDaemonResponse, error) {
	if cluster, name, _, ok := parseDaemonARN(c, in.DaemonArn, "daemon"); ok {
		if err := s.reconcileDaemon(ctx, c, cluster, name); err != nil {
			return nil, err
		}
	}
	var out *types.DaemonDetail
	err := s.view(ctx, c, func(tx store.Tx) error {
		d, _, err := s.daemonFromARN(tx, c, in.DaemonArn)
		if err != nil {
			return err
		}
		tasks, err := daemonTasks(tx, c, d.Cluster, d.Name)
		if err != nil {
			return err
		}
		created, updated := d.CreatedAt, d.UpdatedAt
		out = &types.DaemonDetail{DaemonArn: d.arn(c), ClusterArn: ecsARN(c, "cluster/"+d.Cluster), Status: d.Status,
			DeploymentArn: (&daemonDeploymentRecord{ID: d.Deployment, Daemon: d.Name, Cluster: d.Cluster}).arn(c),
			CreatedAt:     &created, UpdatedAt: &updated, CurrentRevisions: []types.DaemonRevisionDetail{}}
		// The revision it runs, then the others that still have tasks.
		ids := []string{}
		if d.Status == statusActive {
			ids = append(ids, d.Revision)
		}
		for _, t := range tasks {
			if !slices.Contains(ids, t.Deployment) && t.running(s.now(), s.phases()) {
				ids = append(ids, t.Deployment)
			}
		}
		for _, id := range ids {
			counts, total := runningByProvider(tasks, id, s.now(), s.phases())
			detail := types.DaemonRevisionDetail{Arn: (&daemonRevisionRecord{ID: id, Daemon: d.Name, Cluster: d.Cluster}).arn(c), TotalRunningCount: total,
				CapacityProviders: []types.DaemonCapacityProvider{}}
			for _, p := range d.Providers {
				detail.CapacityProviders = append(detail.CapacityProviders, types.DaemonCapacityProvider{Arn: ecsARN(c, "capacity-provider/"+p), RunningCount: counts[p]})
			}
			out.CurrentRevisions = append(out.CurrentRevisions, detail)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.DescribeDaemonResponse{Daemon: out}, nil
}

// running: the task is RUNNING at now.
func (r *taskRecord) running(now time.Time, tm Timing) bool {
	return r.view(now, tm).LastStatus == "RUNNING"
}

// runningByProvider counts a revision's RUNNING tasks by capacity
// provider.
func runningByProvider(tasks []*taskRecord, rev string, now time.Time, tm Timing) (map[string]int32, int32) {
	counts := map[string]int32{}
	var total int32
	for _, t := range tasks {
		if t.Deployment == rev && t.running(now, tm) {
			counts[t.Task.CapacityProviderName]++
			total++
		}
	}
	return counts, total
}

// daemonTasks are the records of a daemon's tasks.
func daemonTasks(tx store.Tx, c Call, cluster, name string) ([]*taskRecord, error) {
	var out []*taskRecord
	err := scanJSON(tx, bucketTasks, clusterKey(c, cluster)+"/", func(_ string, r *taskRecord) bool {
		if r.Daemon == name {
			out = append(out, r)
		}
		return true
	})
	return out, err
}

// ListDaemons lists daemons, of a cluster and of capacity providers when
// asked.
func (s *Service) ListDaemons(ctx context.Context, c Call, in *types.ListDaemonsRequest) (*types.ListDaemonsResponse, error) {
	prefix := regionKey(c)
	now, tm := s.now(), s.phases()
	var providers []string
	for _, p := range in.CapacityProviderArns {
		providers = append(providers, providerName(c, p))
	}
	byArn := map[string]types.DaemonSummary{}
	var arns []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		arns = nil
		clear(byArn)
		if in.ClusterArn != "" {
			cl, err := loadCluster(tx, c, in.ClusterArn)
			if err != nil {
				return err
			}
			if cl == nil {
				return errClusterNotFound()
			}
			prefix = clusterKey(c, cl.Cluster.ClusterName) + "/"
		}
		var scanErr error
		err := scanJSON(tx, bucketDaemons, prefix, func(_ string, d *daemonRecord) bool {
			var dep daemonDeploymentRecord
			ok, err := getJSON(tx, bucketDaemonDeployments, daemonChildKey(c, d.Cluster, d.Name, d.Deployment), &dep)
			if err != nil {
				scanErr = err
				return false
			}
			if ok && d.gone(&dep, now, tm) {
				return true
			}
			if len(providers) > 0 && !slices.ContainsFunc(d.Providers, func(p string) bool { return slices.Contains(providers, p) }) {
				return true
			}
			created, updated := d.CreatedAt, d.UpdatedAt
			arn := d.arn(c)
			arns = append(arns, arn)
			byArn[arn] = types.DaemonSummary{DaemonArn: arn, Status: d.Status, CreatedAt: &created, UpdatedAt: &updated}
			return true
		})
		if err != nil {
			return err
		}
		return scanErr
	})
	if err != nil {
		return nil, err
	}
	pg, next, err := page(arns, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	out := &types.ListDaemonsResponse{DaemonSummariesList: make([]types.DaemonSummary, len(pg)), NextToken: next}
	for i, a := range pg {
		out.DaemonSummariesList[i] = byArn[a]
	}
	return out, nil
}

// status is the deployment's status at now, with the time it reached it:
// IN_PROGRESS from its creation until its tasks run (the tasks' PENDING
// phase, and its bake time), then SUCCESSFUL; a deletion's once its tasks
// have stopped. A newer deployment stops one in progress (STOPPED). Its
// circuit breaker (rolecall's threshold: one task) stops it when a task
// of its revision fails to start, with the count of those that did.
func (r *daemonDeploymentRecord) status(tasks []*taskRecord, now time.Time, tm Timing) (string, time.Time) {
	finish := r.CreatedAt.Add(tm.Pending + time.Duration(r.Config.BakeTimeInMinutes)*time.Minute)
	if r.Target == "" {
		finish = r.CreatedAt.Add(tm.Stopping)
	}
	if r.StoppedAt != nil && !now.Before(*r.StoppedAt) {
		return "STOPPED", *r.StoppedAt
	}
	if r.failures(tasks, now) > 0 {
		return "STOPPED", finish
	}
	if !now.Before(finish) {
		return "SUCCESSFUL", finish
	}
	return "IN_PROGRESS", r.CreatedAt
}

// failures counts the deployment's tasks that failed to start.
func (r *daemonDeploymentRecord) failures(tasks []*taskRecord, now time.Time) int32 {
	var n int32
	for _, t := range tasks {
		if r.Target != "" && t.Deployment == r.Target && t.FailedReason != "" && !t.Created.Before(r.CreatedAt) &&
			(r.StoppedAt == nil || t.Created.Before(*r.StoppedAt)) && !t.Created.After(now) {
			n++
		}
	}
	return n
}

// revisionDetail counts, by provider, the instances running and draining
// a revision's tasks.
func revisionDetail(c Call, d *daemonDeploymentRecord, rev string, tasks []*taskRecord, now time.Time, tm Timing) types.DaemonDeploymentRevisionDetail {
	running, draining := map[string]int32{}, map[string]int32{}
	var totalRunning, totalDraining int32
	for _, t := range tasks {
		if t.Deployment != rev {
			continue
		}
		switch v := t.view(now, tm); {
		case v.LastStatus == "RUNNING" && v.DesiredStatus == "RUNNING":
			running[t.Task.CapacityProviderName]++
			totalRunning++
		case t.StopAt != nil && t.active(now, tm):
			draining[t.Task.CapacityProviderName]++
			totalDraining++
		}
	}
	out := types.DaemonDeploymentRevisionDetail{Arn: (&daemonRevisionRecord{ID: rev, Daemon: d.Daemon, Cluster: d.Cluster}).arn(c),
		TotalRunningInstanceCount: ptr(totalRunning), TotalDrainingInstanceCount: ptr(totalDraining), CapacityProviders: []types.DaemonDeploymentCapacityProvider{}}
	for _, p := range d.Providers {
		out.CapacityProviders = append(out.CapacityProviders, types.DaemonDeploymentCapacityProvider{Arn: ecsARN(c, "capacity-provider/"+p),
			RunningInstanceCount: ptr(running[p]), DrainingInstanceCount: ptr(draining[p])})
	}
	return out
}

// view is the deployment as DescribeDaemonDeployments answers it.
func (r *daemonDeploymentRecord) view(c Call, tasks []*taskRecord, now time.Time, tm Timing) types.DaemonDeployment {
	st, at := r.status(tasks, now, tm)
	created := r.CreatedAt
	out := types.DaemonDeployment{DaemonDeploymentArn: r.arn(c), ClusterArn: ecsARN(c, "cluster/"+r.Cluster), Status: st,
		SourceDaemonRevisions: []types.DaemonDeploymentRevisionDetail{}, DeploymentConfiguration: r.Config.wire(),
		CreatedAt: &created, StartedAt: &created}
	if r.Target != "" {
		t := revisionDetail(c, r, r.Target, tasks, now, tm)
		out.TargetDaemonRevision = &t
	}
	for _, src := range r.Sources {
		out.SourceDaemonRevisions = append(out.SourceDaemonRevisions, revisionDetail(c, r, src, tasks, now, tm))
	}
	failed := r.failures(tasks, now)
	cb := &types.DaemonCircuitBreaker{FailureCount: failed, Threshold: 1, Status: "MONITORING"}
	alarms := &types.DaemonDeploymentAlarms{Status: "DISABLED", AlarmNames: nonNil(r.Config.AlarmNames), TriggeredAlarmNames: []string{}}
	if r.Config.Alarms {
		alarms.Status = "MONITORING"
	}
	switch st {
	case "SUCCESSFUL":
		out.FinishedAt = &at
		cb.Status = "MONITORING_COMPLETE"
		if r.Config.Alarms {
			alarms.Status = "MONITORING_COMPLETE"
		}
	case "STOPPED":
		out.StoppedAt = &at
		if failed > 0 {
			cb.Status = "TRIGGERED"
			out.StatusReason = "The circuit breaker stopped the deployment: daemon tasks failed to start."
		} else {
			cb.Status = "MONITORING_COMPLETE"
			out.StatusReason = "A newer deployment of the daemon stopped this deployment."
		}
	}
	out.CircuitBreaker, out.Alarms = cb, alarms
	return out
}

// daemonChildren loads the deployments or revisions (kind) ARNs name,
// reconciling their daemons first; an ARN that names none is a MISSING
// failure.
func daemonChildren[T any](s *Service, ctx context.Context, c Call, kind, bucket string, arns []string, fn func(tx store.Tx, r *T, tasks []*taskRecord)) ([]types.Failure, error) {
	if len(arns) > 20 {
		return nil, errAtMost(kind+" ARNs", 20)
	}
	for _, a := range arns {
		if cluster, name, _, ok := parseDaemonARN(c, a, kind); ok {
			if err := s.reconcileDaemon(ctx, c, cluster, name); err != nil {
				return nil, err
			}
		}
	}
	var failures []types.Failure
	err := s.view(ctx, c, func(tx store.Tx) error {
		failures = []types.Failure{}
		for _, a := range arns {
			cluster, name, id, ok := parseDaemonARN(c, a, kind)
			var r T
			found := false
			if ok {
				var err error
				if found, err = getJSON(tx, bucket, daemonChildKey(c, cluster, name, id), &r); err != nil {
					return err
				}
			}
			if !found {
				failures = append(failures, types.Failure{Arn: a, Reason: "MISSING"})
				continue
			}
			tasks, err := daemonTasks(tx, c, cluster, name)
			if err != nil {
				return err
			}
			fn(tx, &r, tasks)
		}
		return nil
	})
	return failures, err
}

// DescribeDaemonDeployments describes deployments by ARN (at most 20).
func (s *Service) DescribeDaemonDeployments(ctx context.Context, c Call, in *types.DescribeDaemonDeploymentsRequest) (*types.DescribeDaemonDeploymentsResponse, error) {
	out := &types.DescribeDaemonDeploymentsResponse{}
	now, tm := s.now(), s.phases()
	failures, err := daemonChildren(s, ctx, c, "daemon-deployment", bucketDaemonDeployments, in.DaemonDeploymentArns, func(_ store.Tx, r *daemonDeploymentRecord, tasks []*taskRecord) {
		out.DaemonDeployments = append(out.DaemonDeployments, r.view(c, tasks, now, tm))
	})
	if err != nil {
		return nil, err
	}
	out.Failures, out.DaemonDeployments = failures, nonNil(out.DaemonDeployments)
	return out, nil
}

// DescribeDaemonRevisions describes revisions by ARN (at most 20).
func (s *Service) DescribeDaemonRevisions(ctx context.Context, c Call, in *types.DescribeDaemonRevisionsRequest) (*types.DescribeDaemonRevisionsResponse, error) {
	out := &types.DescribeDaemonRevisionsResponse{}
	failures, err := daemonChildren(s, ctx, c, "daemon-revision", bucketDaemonRevisions, in.DaemonRevisionArns, func(_ store.Tx, r *daemonRevisionRecord, _ []*taskRecord) {
		created := r.CreatedAt
		rev := types.DaemonRevision{DaemonRevisionArn: r.arn(c), ClusterArn: ecsARN(c, "cluster/"+r.Cluster), DaemonArn: daemonARN(c, r.Cluster, r.Daemon),
			DaemonTaskDefinitionArn: r.TaskDefinitionArn, CreatedAt: &created, PropagateTags: r.PropagateTags,
			EnableECSManagedTags: ptr(r.ManagedTags), EnableExecuteCommand: ptr(r.Exec), ContainerImages: []types.DaemonContainerImage{}}
		for _, im := range r.Images {
			rev.ContainerImages = append(rev.ContainerImages, types.DaemonContainerImage{ContainerName: im.Container, Image: im.Image})
		}
		out.DaemonRevisions = append(out.DaemonRevisions, rev)
	})
	if err != nil {
		return nil, err
	}
	out.Failures, out.DaemonRevisions = failures, nonNil(out.DaemonRevisions)
	return out, nil
}

// ListDaemonDeployments lists a daemon's deployments, newest first,
// filtered by status and creation time. A daemon that does not exist has
// none (the operation names no DaemonNotFoundException).
func (s *Service) ListDaemonDeployments(ctx context.Context, c Call, in *types.ListDaemonDeploymentsRequest) (*types.ListDaemonDeploymentsResponse, error) {
	cluster, name, _, ok := parseDaemonARN(c, in.DaemonArn, "daemon")
	if ok {
		if err := s.reconcileDaemon(ctx, c, cluster, name); err != nil {
			return nil, err
		}
	}
	now, tm := s.now(), s.phases()
	byKey := map[string]types.DaemonDeploymentSummary{}
	var keys []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		keys = nil
		clear(byKey)
		if !ok {
			return nil
		}
		if cl, err := loadCluster(tx, c, cluster); err != nil {
			return err
		} else if cl == nil {
			return errClusterNotFound()
		}
		tasks, err := daemonTasks(tx, c, cluster, name)
		if err != nil {
			return err
		}
		return scanJSON(tx, bucketDaemonDeployments, daemonKey(c, cluster, name)+"/", func(_ string, r *daemonDeploymentRecord) bool {
			st, at := r.status(tasks, now, tm)
			if len(in.Status) > 0 && !slices.Contains(in.Status, st) {
				return true
			}
			if ca := in.CreatedAt; ca != nil && (ca.After != nil && r.CreatedAt.Before(*ca.After) || ca.Before != nil && r.CreatedAt.After(*ca.Before)) {
				return true
			}
			created := r.CreatedAt
			sum := types.DaemonDeploymentSummary{DaemonDeploymentArn: r.arn(c), DaemonArn: daemonARN(c, cluster, name), ClusterArn: ecsARN(c, "cluster/"+cluster),
				Status: st, CreatedAt: &created, StartedAt: &created}
			if r.Target != "" {
				sum.TargetDaemonRevisionArn = (&daemonRevisionRecord{ID: r.Target, Daemon: name, Cluster: cluster}).arn(c)
			}
			switch st {
			case "SUCCESSFUL":
				sum.FinishedAt = &at
			case "STOPPED":
				sum.StoppedAt = &at
			}
			// Newest first: the key sorts by creation time, then ID.
			key := r.CreatedAt.Format(time.RFC3339Nano) + "|" + r.ID
			keys = append(keys, key)
			byKey[key] = sum
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	pg, next, err := pageBy(keys, func(a, b string) bool { return a > b }, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	out := &types.ListDaemonDeploymentsResponse{DaemonDeployments: make([]types.DaemonDeploymentSummary, len(pg)), NextToken: next}
	for i, k := range pg {
		out.DaemonDeployments[i] = byKey[k]
	}
	return out, nil
}

// daemonStop is a task the daemon's scheduler stops, and why.
type daemonStop struct {
	task   *taskRecord
	reason string
}

// reconcileDaemon brings a daemon's tasks to what it asks: on each running
// container instance of its capacity providers, one task of the revision
// it runs. Tasks of other revisions, of a deleted daemon, or on an
// instance that no longer runs are stopped; an instance whose task failed
// to start gets another after launchRetry.
func (s *Service) reconcileDaemon(ctx context.Context, c Call, cluster, name string) error {
	if s.paused {
		return nil
	}
	now, tm := s.now(), s.phases()
	var d *daemonRecord
	var dep *daemonDeploymentRecord
	var rev daemonRevisionRecord
	var def *taskDefRecord
	var cl *clusterRecord
	providers := map[string]*types.CapacityProvider{}
	instances := map[string]*instanceRecord{}
	var live []*instanceRecord
	var tasks []*taskRecord
	err := s.view(ctx, c, func(tx store.Tx) error {
		var err error
		if d, dep, err = loadDaemon(tx, c, cluster, name, now, tm); err != nil || d == nil {
			return err
		}
		if cl, err = loadCluster(tx, c, cluster); err != nil || cl == nil {
			d = nil
			return err
		}
		if d.Status == statusActive {
			if ok, err := getJSON(tx, bucketDaemonRevisions, daemonChildKey(c, cluster, name, d.Revision), &rev); err != nil || !ok {
				return err
			}
			if def, err = loadDaemonTaskDef(tx, c, rev.TaskDefinitionArn); err != nil {
				return err
			}
		}
		for _, p := range d.Providers {
			pr, err := loadProvider(tx, c, p)
			if err != nil {
				return err
			}
			if pr != nil && pr.Provider.Status == statusActive && pr.Provider.Type == providerManaged {
				providers[p] = &pr.Provider
			}
		}
		err = scanJSON(tx, bucketInstances, clusterKey(c, cluster)+"/", func(_ string, r *instanceRecord) bool {
			instances[r.Instance.ContainerInstanceArn] = r
			if r.Managed && !r.HostTerminated && r.Instance.Status == statusActive && providers[r.Instance.CapacityProviderName] != nil {
				live = append(live, r)
			}
			return true
		})
		if err != nil {
			return err
		}
		tasks, err = daemonTasks(tx, c, cluster, name)
		return err
	})
	if err != nil || d == nil {
		return err
	}
	runs := d.Status == statusActive && def != nil
	var stop []daemonStop
	placed := map[string]bool{}
	for _, t := range tasks {
		at := t.Task.ContainerInstanceArn
		current := runs && t.Deployment == rev.ID
		inst := instances[at]
		switch {
		case !t.wantsToRun():
			// A failed start holds the instance's place until the retry.
			if current && (t.active(now, tm) || now.Before(t.Created.Add(launchRetry))) {
				placed[at] = true
			}
		case inst == nil || inst.HostTerminated || inst.Instance.Status != statusActive:
			id := ""
			if inst != nil {
				id = inst.Instance.Ec2InstanceId
			}
			stop = append(stop, daemonStop{t, hostTerminatedReason(id)})
		case d.Status != statusActive:
			stop = append(stop, daemonStop{t, "Daemon " + name + " was deleted (deployment " + d.Deployment + ")."})
		case !current:
			stop = append(stop, daemonStop{t, "Daemon deployment " + d.Deployment + " replaced this task."})
		default:
			placed[at] = true
		}
	}
	var started []*taskRecord
	var creds []*credentialsRecord
	if runs {
		for _, inst := range live {
			if placed[inst.Instance.ContainerInstanceArn] {
				continue
			}
			l := &launch{cluster: cl, def: def, launchType: launchManaged, capacityProvider: inst.Instance.CapacityProviderName,
				managed: providers[inst.Instance.CapacityProviderName], group: "daemon:" + name, startedBy: dep.ID, enableExec: rev.Exec}
			if rev.PropagateTags == "DAEMON" {
				l.tags = d.Tags
			}
			id := s.hexID()
			taskArn := ecsARN(c, "task/"+cluster+"/"+id)
			st, err := s.launchRoles(ctx, c, l, taskArn, inst)
			if err != nil {
				return err
			}
			t := s.newTask(c, l, id, now, inst.Instance.ContainerInstanceArn, st.failedReason())
			t.Daemon, t.Deployment = name, rev.ID
			started = append(started, t)
			execRole, taskRole := l.roles()
			if cr := s.newCredentials(c, cluster, taskArn, execRole, taskRole, st.sess); cr != nil && st.failedReason() == "" {
				creds = append(creds, cr)
			}
		}
	}
	if len(started) == 0 && len(stop) == 0 {
		return nil
	}
	return s.update(ctx, c, func(tx store.Tx) error {
		if err := putStarted(tx, c, cluster, started, creds); err != nil {
			return err
		}
		for _, st := range stop {
			if err := stopDaemonTask(tx, taskKey(c, cluster, taskIDOf(st.task.Task.TaskArn)), st.reason, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// stopDaemonTasksOn stops, inside tx, the daemons' tasks on a container
// instance whose EC2 instance ECS terminated, as AWS stops a terminated
// host's tasks.
func stopDaemonTasksOn(tx store.Tx, c Call, cluster string, inst *instanceRecord, now time.Time) error {
	var stop []string
	err := scanJSON(tx, bucketTasks, clusterKey(c, cluster)+"/", func(key string, r *taskRecord) bool {
		if r.Daemon != "" && r.wantsToRun() && r.Task.ContainerInstanceArn == inst.Instance.ContainerInstanceArn {
			stop = append(stop, key)
		}
		return true
	})
	for _, key := range stop {
		if err := stopDaemonTask(tx, key, hostTerminatedReason(inst.Instance.Ec2InstanceId), now); err != nil {
			return err
		}
	}
	return err
}

// stopDaemonTask has the daemon's scheduler stop the task at key, unless
// it is stopping already.
func stopDaemonTask(tx store.Tx, key, reason string, now time.Time) error {
	var r taskRecord
	if ok, err := getJSON(tx, bucketTasks, key, &r); err != nil || !ok || !r.wantsToRun() {
		return err
	}
	r.StopAt, r.StopCode, r.StopReason = ptr(now), daemonStopCode, reason
	return putJSON(tx, bucketTasks, key, &r)
}

// daemonsOf reconciles the daemons of provider in cluster: ECS starts a
// daemon's task on an instance it has just launched "before scheduling
// other tasks" (CreateDaemon reference).
func (s *Service) daemonsOf(ctx context.Context, c Call, cluster, provider string) error {
	var names []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		names = nil
		return scanJSON(tx, bucketDaemons, clusterKey(c, cluster)+"/", func(_ string, d *daemonRecord) bool {
			if d.Status == statusActive && slices.Contains(d.Providers, provider) {
				names = append(names, d.Name)
			}
			return true
		})
	})
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := s.reconcileDaemon(ctx, c, cluster, n); err != nil {
			return err
		}
	}
	return nil
}

// daemonTaskDefsInUse are the daemon task definitions the revisions of
// ACTIVE daemons run.
func daemonTaskDefsInUse(tx store.Tx, c Call) (map[string]bool, error) {
	used := map[string]bool{}
	var revs []string
	err := scanJSON(tx, bucketDaemons, regionKey(c), func(_ string, d *daemonRecord) bool {
		if d.Status == statusActive {
			revs = append(revs, daemonChildKey(c, d.Cluster, d.Name, d.Revision))
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	for _, k := range revs {
		var r daemonRevisionRecord
		if ok, err := getJSON(tx, bucketDaemonRevisions, k, &r); err != nil {
			return nil, err
		} else if ok {
			used[r.TaskDefinitionArn] = true
		}
	}
	return used, nil
}

// daemonTaggable is a daemon's or daemon task definition's record, for
// TagResource (tags.go).
func daemonTaggable(tx store.Tx, c Call, kind, arn string) (*taggable, error) {
	if kind == "daemon-task-definition" {
		family, rev, ok := parseDaemonTaskDef(c, arn)
		if !ok || rev == 0 {
			return nil, errResourceNotFound()
		}
		var r taskDefRecord
		key := taskDefKey(c, family, rev)
		if ok, err := getJSON(tx, bucketDaemonTaskDefs, key, &r); err != nil {
			return nil, err
		} else if !ok {
			return nil, errResourceNotFound()
		}
		return &taggable{bucketDaemonTaskDefs, key, &r, &r.Tags}, nil
	}
	cluster, name, _, ok := parseDaemonARN(c, arn, "daemon")
	if !ok {
		return nil, errResourceNotFound()
	}
	var d daemonRecord
	key := daemonKey(c, cluster, name)
	if ok, err := getJSON(tx, bucketDaemons, key, &d); err != nil {
		return nil, err
	} else if !ok || d.Status != statusActive {
		return nil, errResourceNotFound()
	}
	return &taggable{bucketDaemons, key, &d, (*[]types.Tag)(&d.Tags)}, nil
}

// Daemons' errors: rolecall's wording, after the exceptions' descriptions
// in the ECS API reference where there is one.

func errDaemonName() error {
	return invalidParameter("Daemon name can only contain letters (uppercase and lowercase), numbers, underscores, and hyphens, and be 1 to 255 characters long.")
}

// errDaemonNotFound: "The specified daemon wasn't found."
func errDaemonNotFound() error {
	return awserr.New(http.StatusBadRequest, "DaemonNotFoundException", "The specified daemon wasn't found.")
}

// errDaemonNotActive: "The specified daemon isn't active."
func errDaemonNotActive() error {
	return awserr.New(http.StatusBadRequest, "DaemonNotActiveException", "The specified daemon isn't active.")
}

func errDaemonExists(name, cluster string) error {
	return invalidParameter("A daemon named %s already exists in cluster %s.", name, cluster)
}

func errDaemonNoProviders() error {
	return invalidParameter("capacityProviderArns must name at least one capacity provider.")
}

// errDaemonManagedOnly: the note of the CreateDaemon reference.
func errDaemonManagedOnly() error {
	return invalidParameter("ECS Managed Daemons is only supported for Amazon ECS Managed Instances Capacity Providers.")
}

func errDaemonProviderCluster(provider, cluster string) error {
	return invalidParameter("The capacity provider %s is not associated with cluster %s.", provider, cluster)
}
