package ecs

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/records"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// A service's rollouts as the ECS service scheduler runs them (rolling
// update, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html):
// each deployment has an ID (ecs-svc/...) its tasks carry; the newest is
// PRIMARY, the ones it replaces stay ACTIVE in DescribeServices until their
// tasks have stopped, which they do as the PRIMARY's run
// (minimumHealthyPercent, maximumPercent). Each rollout a user starts is
// also a service deployment (service-deployment/CLUSTER/SERVICE/ID) from
// the service revisions that ran (service-revision/CLUSTER/SERVICE/ID) to
// the one it deploys
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-revision.html).
// The deployment circuit breaker fails a deployment whose tasks keep failing
// to start and, with rollback on, rolls the service back to the last
// deployment that completed
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).
// Like tasks, a rollout moves when the service is read: the scheduler
// (reconcile) settles what its tasks show by then.

// A service deployment's states (ServiceDeployment reference).
const (
	sdInProgress         = "IN_PROGRESS"
	sdSuccessful         = "SUCCESSFUL"
	sdStopped            = "STOPPED"
	sdRollbackRequested  = "ROLLBACK_REQUESTED"
	sdRollbackInProgress = "ROLLBACK_IN_PROGRESS"
	sdRollbackSuccessful = "ROLLBACK_SUCCESSFUL"
	sdRollbackFailed     = "ROLLBACK_FAILED"
)

// A DescribeServices deployment's rolloutState.
const (
	rolloutInProgress = "IN_PROGRESS"
	rolloutCompleted  = "COMPLETED"
	rolloutFailed     = "FAILED"
)

// historyKept is how long service deployments are answered: "the most
// recent 90-day history" (service-deployment.html).
const historyKept = 90 * 24 * time.Hour

// The rollout texts AWS writes, as public service event dumps and
// DescribeServices outputs show them (2021-2026): rolloutStateReason
// "ECS deployment ecs-svc/N in progress." and "... completed.", the circuit
// breaker's "ECS deployment circuit breaker: tasks failed to start." and,
// on the deployment that rolls back, "ECS deployment circuit breaker:
// rolling back to deploymentId ecs-svc/N." (N the deployment that last
// completed); service events "(service S) (deployment ecs-svc/N)
// deployment completed.", "(service S) (deployment ecs-svc/N) deployment
// failed: tasks failed to start." and "(service S) rolling back to
// deployment ecs-svc/N.".
const breakerFailed = "ECS deployment circuit breaker: tasks failed to start."

func rolloutText(id, what string) string { return "ECS deployment " + id + " " + what + "." }

func rollingBackText(to string) string {
	return "ECS deployment circuit breaker: rolling back to deploymentId " + to + "."
}

// revision is a service revision: the configuration a deployment rolls out
// (ServiceRevision reference: "Whenever you create or deploy a service,
// Amazon ECS automatically creates and captures the configuration that
// you're trying to deploy in the service revision").
type revision struct {
	// ID is the 19 digits of the ECS deployment that first ran it
	// (rolecall's choice; AWS's revision IDs have that form).
	ID      string
	Created time.Time
	// Of holds the members of the service the revision captures (task
	// definition, launch type or capacity provider strategy, platform,
	// network configuration, load balancers, service registries).
	Of     records.Service
	Images []containerImage `json:",omitempty"`
}

// containerImage is a container of the revision's task definition.
type containerImage struct{ Name, Image string }

// revised is what a revision captures of svc.
func revised(svc *types.Service) types.Service {
	return types.Service{
		TaskDefinition:           svc.TaskDefinition,
		LaunchType:               svc.LaunchType,
		CapacityProviderStrategy: svc.CapacityProviderStrategy,
		PlatformVersion:          svc.PlatformVersion,
		PlatformFamily:           svc.PlatformFamily,
		NetworkConfiguration:     svc.NetworkConfiguration,
		LoadBalancers:            svc.LoadBalancers,
		ServiceRegistries:        svc.ServiceRegistries,
	}
}

// config is the revision's configuration as the service's members.
func (rv *revision) config() types.Service { return records.Convert[types.Service](rv.Of) }

// restore gives svc the revision's configuration back (a rollback).
func (rv *revision) restore(svc *types.Service) {
	of := rv.config()
	svc.TaskDefinition, svc.LaunchType, svc.CapacityProviderStrategy = of.TaskDefinition, of.LaunchType, of.CapacityProviderStrategy
	svc.PlatformVersion, svc.PlatformFamily, svc.NetworkConfiguration = of.PlatformVersion, of.PlatformFamily, of.NetworkConfiguration
	svc.LoadBalancers, svc.ServiceRegistries = nonNil(of.LoadBalancers), nonNil(of.ServiceRegistries)
}

// older is a deployment the PRIMARY replaced: ACTIVE in DescribeServices
// while it has tasks.
type older struct {
	ID               string
	Revision         string
	Created, Updated time.Time
	// State and Reason are its rolloutState and rolloutStateReason as
	// they were when it was replaced.
	State, Reason string
	FailedTasks   int32 `json:",omitempty"`
}

// rollback is how a service deployment rolled back.
type rollback struct {
	Reason   string `json:",omitempty"`
	Revision string
	Started  time.Time
}

// revisionCount is a revision's task counts in a service deployment.
type revisionCount struct {
	Revision                    string
	Requested, Running, Pending int32
}

// serviceDeployment is a service deployment: a rollout a user started
// (CreateService, an UpdateService that deploys), from the revisions that
// ran then (Sources) to Target.
type serviceDeployment struct {
	ID string
	// ECS is the deployment (ecs-svc/...) that rolled Target out.
	ECS     string
	Target  string
	Sources []string `json:",omitempty"`
	Status  string
	Reason  string `json:",omitempty"`
	Created time.Time
	Started time.Time
	Updated time.Time
	// Finished is when it reached SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL
	// or ROLLBACK_FAILED; Stopped when it was stopped.
	Finished time.Time `json:",omitzero"`
	Stopped  time.Time `json:",omitzero"`
	// Config is the deployment configuration it ran with.
	Config *records.DeploymentConfiguration `json:",omitempty"`
	// Failures is the circuit breaker's count of its tasks that failed to
	// start; Tripped, that it reached the threshold.
	Failures int32     `json:",omitempty"`
	Tripped  bool      `json:",omitempty"`
	Rollback *rollback `json:",omitempty"`
	// Final are the revisions' task counts when it finished: "This
	// number represents the number of tasks running when the deployment
	// completed" (service-deployment.html).
	Final []revisionCount `json:",omitempty"`
	// Stage is its lifecycleStage (a blue/green, linear or canary
	// deployment), StageAt when it began, Hooks its lifecycle hooks run
	// so far (stages.go).
	Stage   string    `json:",omitempty"`
	StageAt time.Time `json:",omitzero"`
	Hooks   []hookRun `json:",omitempty"`
}

func (sd *serviceDeployment) ongoing() bool {
	switch sd.Status {
	case sdInProgress, sdRollbackRequested, sdRollbackInProgress:
		return true
	}
	return false
}

// rollout is the scheduler's record of a service's deployments (ECS
// deployment controller): the PRIMARY's (its ID and times are the service
// record's Deployment*), those it replaced, the revisions and the service
// deployments, newest first.
type rollout struct {
	// Revision is the PRIMARY's revision.
	Revision string
	// State is the PRIMARY's settled rolloutState: "" while it rolls out,
	// COMPLETED or FAILED; Reason its rolloutStateReason when not the
	// usual one (a rollback, a failure).
	State  string `json:",omitempty"`
	Reason string `json:",omitempty"`
	// FailedTasks are the PRIMARY's tasks that failed to start since one
	// last ran (failedTasks: "consecutively failed tasks"); LastFailure,
	// when the last one failed.
	FailedTasks int32     `json:",omitempty"`
	LastFailure time.Time `json:",omitzero"`
	Older       []older   `json:",omitempty"`
	// Good is the deployment that last completed, and its revision: a
	// rollback returns to it.
	Good, GoodRevision string `json:",omitempty"`
	Revisions          []revision
	Deployments        []serviceDeployment
}

func (ro *rollout) revision(id string) *revision {
	for i := range ro.Revisions {
		if ro.Revisions[i].ID == id {
			return &ro.Revisions[i]
		}
	}
	return nil
}

func (ro *rollout) deployment(id string) *serviceDeployment {
	for i := range ro.Deployments {
		if ro.Deployments[i].ID == id {
			return &ro.Deployments[i]
		}
	}
	return nil
}

// current is the newest service deployment, nil for none.
func (ro *rollout) current() *serviceDeployment {
	if ro == nil || len(ro.Deployments) == 0 {
		return nil
	}
	return &ro.Deployments[0]
}

// serviceDeploymentID is the last part of a service deployment's ARN: 21
// URL-safe characters, as AWS's are ("NCWGC2ZR-taawPAYrIaU5", ECS API
// reference examples).
func (s *Service) serviceDeploymentID() string {
	raw, _ := hex.DecodeString(s.hexID())
	return base64.RawURLEncoding.EncodeToString(raw)[:21]
}

// memberARN is the ARN of a service's deployment, revision or task set
// (kind): arn:...:KIND/CLUSTER/SERVICE/ID.
func memberARN(svc *types.Service, kind, id string) string {
	return strings.Replace(svc.ServiceArn, ":service/", ":"+kind+"/", 1) + "/" + id
}

// tally is what a service's tasks show at a moment: the service's counts,
// each deployment's (or task set's), and since when it has been steady.
type tally struct {
	running, pending int32
	// settling: a task is on its way to STOPPED.
	settling bool
	// changed is when a task last started or stopped.
	changed time.Time
	by      map[string]*groupTally
}

// groupTally is one deployment's (or task set's) tasks.
type groupTally struct {
	running, pending int32
	// wanted are its tasks nobody asked to stop.
	wanted int32
	// active: one of its tasks has not STOPPED.
	active   bool
	settling bool
	// started is when one of its tasks last reached RUNNING.
	started, changed time.Time
}

func tallyOf(tasks []*taskRecord, now time.Time, tm Timing) *tally {
	tl := &tally{by: map[string]*groupTally{}}
	later := func(at *time.Time, ts ...*time.Time) {
		for _, t := range ts {
			if at != nil && at.After(*t) {
				*t = *at
			}
		}
	}
	for _, t := range tasks {
		if !t.visible(now, tm) {
			continue
		}
		g := tl.by[t.Deployment]
		if g == nil {
			g = &groupTally{}
			tl.by[t.Deployment] = g
		}
		if t.wantsToRun() {
			g.wanted++
		}
		if t.active(now, tm) {
			g.active = true
		}
		v := t.view(now, tm)
		switch v.LastStatus {
		case "RUNNING":
			if v.DesiredStatus == "STOPPED" {
				tl.settling, g.settling = true, true
				continue
			}
			tl.running++
			g.running++
			later(v.StartedAt, &tl.changed, &g.changed, &g.started)
		case "PROVISIONING", "PENDING", "ACTIVATING":
			tl.pending++
			g.pending++
		case "STOPPED":
			later(v.StoppedAt, &tl.changed, &g.changed)
		default:
			tl.settling, g.settling = true, true
		}
	}
	return tl
}

// of is a deployment's tally, empty for one without tasks.
func (tl *tally) of(id string) *groupTally {
	if g := tl.by[id]; g != nil {
		return g
	}
	return &groupTally{}
}

// breakerThreshold is the circuit breaker's failed task threshold: half
// the desired count, at least 3 and at most 200
// (ServiceDeploymentCircuitBreaker reference).
func breakerThreshold(desired int32) int32 {
	return min(max(int32(math.Ceil(float64(desired)/2)), 3), 200)
}

func breakerOn(svc *types.Service) (on, rollback bool) {
	if dc := svc.DeploymentConfiguration; dc != nil && dc.DeploymentCircuitBreaker != nil {
		return dc.DeploymentCircuitBreaker.Enable, dc.DeploymentCircuitBreaker.Enable && dc.DeploymentCircuitBreaker.Rollback
	}
	return false, false
}

// rollingLimits are the tasks a rolling update keeps RUNNING and may run
// at most: minimumHealthyPercent of the desired count rounded up,
// maximumPercent rounded down (DeploymentConfiguration reference).
func rollingLimits(svc *types.Service) (healthy, most int) {
	minPct, maxPct := int32(100), int32(200)
	if dc := svc.DeploymentConfiguration; dc != nil {
		if dc.MinimumHealthyPercent != nil {
			minPct = *dc.MinimumHealthyPercent
		}
		if dc.MaximumPercent != nil {
			maxPct = *dc.MaximumPercent
		}
	}
	d := float64(svc.DesiredCount)
	return int(math.Ceil(d * float64(minPct) / 100)), int(math.Floor(d * float64(maxPct) / 100))
}

// rolling chooses which tasks of deployments the PRIMARY replaces (old)
// stop now: those not yet RUNNING at once, RUNNING ones as far as the
// PRIMARY's running tasks keep minimumHealthyPercent; scale-in protection
// keeps a task. It answers them and how many tasks the PRIMARY may add
// within maximumPercent.
func rolling(svc *types.Service, mine, old []*taskRecord, now time.Time, tm Timing) (stop []*taskRecord, room int) {
	healthy, most := rollingLimits(svc)
	running := 0
	for _, t := range mine {
		if t.view(now, tm).LastStatus == "RUNNING" {
			running++
		}
	}
	var up []*taskRecord
	for _, t := range old {
		switch {
		case t.protected(now):
		case t.view(now, tm).LastStatus == "RUNNING":
			up = append(up, t)
		default:
			stop = append(stop, t)
		}
	}
	running += len(up)
	slices.SortStableFunc(up, func(a, b *taskRecord) int { return a.Created.Compare(b.Created) })
	for _, t := range up {
		if running <= healthy {
			break
		}
		stop = append(stop, t)
		running--
	}
	return stop, most - (len(mine) + len(old) - len(stop))
}

// timedEvent is a service event the scheduler adds, at a moment of its
// own (a completion is dated when the tasks settled).
type timedEvent struct {
	at  time.Time
	msg string
}

// startDeployment starts a service deployment of the service's
// configuration as it is now, def being its task definition: a new
// revision, rolled out by the deployment ecsID. An ongoing one is stopped
// ("STOP_REQUESTED ... when ... A user starts a new service deployment",
// service-deployment.html) and the PRIMARY becomes ACTIVE.
func (s *Service) startDeployment(r *serviceRecord, def *taskDefRecord, ecsID, sdID string, tl *tally, now time.Time) {
	ro := r.Rollout
	var sources []string
	if ro == nil {
		// A service's first; or one of a service stored before rolecall
		// kept rollouts, whose PRIMARY had no revision.
		ro = &rollout{}
		r.Rollout = ro
		if r.Deployment != ecsID {
			r.retire(r.DeploymentUpdatedAt)
		}
	} else {
		if cur := ro.current(); cur != nil && cur.ongoing() {
			cur.Status, cur.Stopped, cur.Finished, cur.Updated = sdStopped, now, now, now
			cur.Final = r.counts(cur, tl)
		}
		r.retire(r.DeploymentUpdatedAt)
		for _, o := range ro.Older {
			if (o.ID == r.Deployment || tl.of(o.ID).active) && !slices.Contains(sources, o.Revision) {
				sources = append(sources, o.Revision)
			}
		}
	}
	rv := revision{ID: strings.TrimPrefix(ecsID, "ecs-svc/"), Created: now, Of: records.Convert[records.Service](revised(&r.Service))}
	if def != nil {
		for _, cd := range def.Def.ContainerDefinitions {
			rv.Images = append(rv.Images, containerImage{cd.Name, cd.Image})
		}
	}
	sd := serviceDeployment{ID: sdID, ECS: ecsID, Target: rv.ID, Sources: sources, Status: sdInProgress,
		Created: now, Started: now, Updated: now}
	if dc := r.Service.DeploymentConfiguration; dc != nil {
		sd.Config = ptr(records.Convert[records.DeploymentConfiguration](*dc))
	}
	ro.Revisions = append([]revision{rv}, ro.Revisions...)
	ro.Deployments = append([]serviceDeployment{sd}, ro.Deployments...)
	ro.Revision, ro.State, ro.Reason, ro.FailedTasks, ro.LastFailure = rv.ID, "", "", 0, time.Time{}
	r.Deployment, r.DeploymentCreated = ecsID, now
	ro.forget(now)
}

// retire has the PRIMARY join the deployments the next one replaces
// (ACTIVE while it has tasks), as it is, last updated at updated.
func (r *serviceRecord) retire(updated time.Time) {
	ro := r.Rollout
	ro.Older = append([]older{{ID: r.Deployment, Revision: ro.Revision, Created: r.DeploymentCreated, Updated: updated,
		State: r.primaryState(), Reason: ro.Reason, FailedTasks: ro.FailedTasks}}, ro.Older...)
}

// forget drops the service deployments older than historyKept, and the
// revisions nothing refers to any more.
func (ro *rollout) forget(now time.Time) {
	ro.Deployments = slices.DeleteFunc(ro.Deployments, func(sd serviceDeployment) bool {
		return sd.Created.Before(now.Add(-historyKept)) && !sd.ongoing()
	})
	keep := map[string]bool{ro.Revision: true, ro.GoodRevision: true}
	for _, o := range ro.Older {
		keep[o.Revision] = true
	}
	for _, sd := range ro.Deployments {
		keep[sd.Target] = true
		for _, s := range sd.Sources {
			keep[s] = true
		}
	}
	ro.Revisions = slices.DeleteFunc(ro.Revisions, func(rv revision) bool { return !keep[rv.ID] })
}

// primaryState is the PRIMARY's rolloutState.
func (r *serviceRecord) primaryState() string {
	if r.Rollout == nil || r.Rollout.State == "" {
		return rolloutInProgress
	}
	return r.Rollout.State
}

// counts are a service deployment's revisions' task counts now: the
// target's first, the desired count requested of the revision the
// service runs.
func (r *serviceRecord) counts(sd *serviceDeployment, tl *tally) []revisionCount {
	byRevision := map[string]*revisionCount{}
	add := func(id, rev string) {
		c := byRevision[rev]
		if c == nil {
			c = &revisionCount{Revision: rev}
			byRevision[rev] = c
		}
		g := tl.of(id)
		c.Running += g.running
		c.Pending += g.pending
	}
	add(r.Deployment, r.Rollout.Revision)
	for _, o := range r.Rollout.Older {
		add(o.ID, o.Revision)
	}
	var out []revisionCount
	for _, rev := range append([]string{sd.Target}, sd.Sources...) {
		c := revisionCount{Revision: rev}
		if got := byRevision[rev]; got != nil {
			c = *got
		}
		if rev == r.Rollout.Revision {
			c.Requested = r.Service.DesiredCount
		}
		out = append(out, c)
	}
	return out
}

// settlement is what the scheduler records once a service's tasks have
// moved: the PRIMARY completed, deployments with no task left dropped,
// failures forgiven once a task ran.
type settlement struct {
	complete   bool
	at         time.Time
	drop       []string
	forgive    bool
	rollingOut bool // a requested rollback is under way
	// sets are the deleted task sets whose tasks have stopped.
	sets []string
}

func (st settlement) empty() bool {
	return !st.complete && len(st.drop) == 0 && !st.forgive && !st.rollingOut && len(st.sets) == 0
}

// settlement is what the tasks show at now, tl being their tally.
func (r *serviceRecord) settlement(tl *tally) settlement {
	st := settlement{sets: r.drainedTaskSets(tl)}
	ro := r.Rollout
	if ro == nil || r.Service.Status != statusActive {
		return st
	}
	mine := tl.of(r.Deployment)
	if ro.FailedTasks > 0 && mine.started.After(ro.LastFailure) {
		st.forgive = true
	}
	for _, o := range ro.Older {
		if !tl.of(o.ID).active {
			st.drop = append(st.drop, o.ID)
		}
	}
	if at, ok := r.steady(tl); ok && ro.State == "" && r.stagesDone() {
		st.complete, st.at = true, at
	}
	if cur := ro.current(); cur != nil && cur.Status == sdRollbackRequested {
		st.rollingOut = true
	}
	return st
}

// settle records st; it answers the events to add.
func (r *serviceRecord) settle(st settlement, tl *tally) []timedEvent {
	r.Service.TaskSets = slices.DeleteFunc(r.Service.TaskSets, func(ts types.TaskSet) bool { return slices.Contains(st.sets, ts.Id) })
	ro := r.Rollout
	if ro == nil {
		return nil
	}
	if st.forgive {
		ro.FailedTasks = 0
	}
	ro.Older = slices.DeleteFunc(ro.Older, func(o older) bool { return slices.Contains(st.drop, o.ID) })
	cur := ro.current()
	if st.rollingOut {
		cur.Status = sdRollbackInProgress
	}
	if !st.complete || ro.State != "" {
		return nil
	}
	ro.State, ro.Reason = rolloutCompleted, ""
	ro.Good, ro.GoodRevision = r.Deployment, ro.Revision
	if cur != nil && cur.ongoing() {
		cur.Status = sdSuccessful
		if cur.Rollback != nil {
			cur.Status = sdRollbackSuccessful
		}
		cur.Finished, cur.Updated = st.at, st.at
		cur.Final = r.counts(cur, tl)
	}
	return []timedEvent{{st.at, fmt.Sprintf("(service %s) (deployment %s) deployment completed.", r.Service.ServiceName, r.Deployment)}}
}

// steady: the service runs its desired count and nothing else is
// starting or stopping, all of it the PRIMARY's tasks unless the circuit
// breaker failed that deployment; at is since when.
func (r *serviceRecord) steady(tl *tally) (at time.Time, ok bool) {
	if r.Service.Status != statusActive || tl.pending > 0 || tl.settling {
		return time.Time{}, false
	}
	if taskSetController(&r.Service) {
		if len(r.Service.TaskSets) == 0 {
			return time.Time{}, false
		}
		for _, ts := range r.Service.TaskSets {
			g := tl.of(ts.Id)
			if g.running != computedDesired(&r.Service, &ts) {
				return time.Time{}, false
			}
		}
	} else if tl.running != r.Service.DesiredCount || (tl.of(r.Deployment).running != tl.running && r.primaryState() != rolloutFailed) {
		return time.Time{}, false
	}
	at = tl.changed
	if at.Before(r.DeploymentUpdatedAt) {
		at = r.DeploymentUpdatedAt
	}
	return at, true
}

// failed counts n tasks of the PRIMARY that failed to start; once they
// reach the circuit breaker's threshold the deployment fails and, with
// rollback on, the service rolls back to the deployment that last
// completed, as the deployment back (ecsID). It answers the events.
func (r *serviceRecord) failed(n int, rollbackID string, now time.Time) []timedEvent {
	ro := r.Rollout
	if ro == nil || n == 0 {
		return nil
	}
	ro.FailedTasks += int32(n)
	ro.LastFailure = now
	cur := ro.current()
	if cur != nil && cur.ongoing() && !cur.Tripped {
		cur.Failures = ro.FailedTasks
	}
	on, back := breakerOn(&r.Service)
	if !on || ro.State != "" || ro.FailedTasks < breakerThreshold(r.Service.DesiredCount) {
		return nil
	}
	name := r.Service.ServiceName
	evs := []timedEvent{{now, fmt.Sprintf("(service %s) (deployment %s) deployment failed: tasks failed to start.", name, r.Deployment)}}
	ro.State, ro.Reason = rolloutFailed, breakerFailed
	if cur == nil || !cur.ongoing() {
		return evs
	}
	cur.Tripped, cur.Updated = true, now
	switch {
	case cur.Rollback != nil:
		cur.Status, cur.Finished = sdRollbackFailed, now
	case back && ro.Good != "":
		good := ro.Good
		r.rollBack(cur, breakerFailed, rollingBackText(good), rollbackID, now)
		cur.Status = sdRollbackInProgress
		evs = append(evs, timedEvent{now, fmt.Sprintf("(service %s) rolling back to deployment %s.", name, good)})
	default:
		// "STOP_REQUESTED ... when ... The rollback option is not in use
		// for the failure detection mechanism ... The state moves to
		// STOPPED" (service-deployment.html).
		cur.Status, cur.Reason, cur.Stopped, cur.Finished = sdStopped, breakerFailed, now, now
	}
	return evs
}

// rollBack has the service run the revision of the deployment that last
// completed again, as the deployment ecsID, the PRIMARY becoming ACTIVE;
// reason is the rollback's, rolloutReason the new PRIMARY's
// rolloutStateReason ("" for the usual one). A blue/green, linear or
// canary deployment's blue tasks have run all along: their deployment,
// when it still has them, becomes the PRIMARY again, and only the green
// tasks stop (stages.go).
func (r *serviceRecord) rollBack(sd *serviceDeployment, reason, rolloutReason, ecsID string, now time.Time) {
	ro := r.Rollout
	created := now
	if i := slices.IndexFunc(ro.Older, func(o older) bool { return o.ID == ro.Good }); i >= 0 && sd.staged() {
		ecsID, created = ro.Older[i].ID, ro.Older[i].Created
		ro.Older = slices.Delete(ro.Older, i, i+1)
	}
	r.retire(now)
	if rv := ro.revision(ro.GoodRevision); rv != nil {
		rv.restore(&r.Service)
	}
	sd.Rollback = &rollback{Reason: reason, Revision: ro.GoodRevision, Started: now}
	ro.Revision, ro.State, ro.Reason, ro.FailedTasks, ro.LastFailure = ro.GoodRevision, "", rolloutReason, 0, time.Time{}
	r.Deployment, r.DeploymentCreated, r.DeploymentUpdatedAt = ecsID, created, now
	r.LastAttempt = time.Time{}
}

// deployments are DescribeServices' deployments of an ECS-controlled
// service: the PRIMARY, then those it replaces that still have tasks.
func (r *serviceRecord) deployments(tl *tally) []types.Deployment {
	svc := &r.Service
	d := deploymentOf(r.Deployment, "PRIMARY", svc, tl)
	d.DesiredCount = svc.DesiredCount
	d.CreatedAt, d.UpdatedAt = ptr(r.DeploymentCreated), ptr(r.DeploymentUpdatedAt)
	d.RolloutState, d.RolloutStateReason = rolloutInProgress, rolloutText(r.Deployment, "in progress")
	ro := r.Rollout
	if ro == nil {
		if _, ok := r.steady(tl); ok {
			d.RolloutState, d.RolloutStateReason = rolloutCompleted, rolloutText(r.Deployment, "completed")
		}
		return []types.Deployment{d}
	}
	d.FailedTasks = ro.FailedTasks
	d.RolloutState, d.RolloutStateReason = rolloutStates(r.Deployment, ro.State, ro.Reason)
	out := []types.Deployment{d}
	for _, o := range ro.Older {
		g := tl.of(o.ID)
		if !g.active {
			continue
		}
		cfg := types.Service{}
		if rv := ro.revision(o.Revision); rv != nil {
			cfg = rv.config()
		}
		a := deploymentOf(o.ID, "ACTIVE", &cfg, tl)
		a.DesiredCount, a.FailedTasks = g.wanted, o.FailedTasks
		a.CreatedAt, a.UpdatedAt = ptr(o.Created), ptr(o.Updated)
		a.RolloutState, a.RolloutStateReason = rolloutStates(o.ID, o.State, o.Reason)
		out = append(out, a)
	}
	return out
}

// rolloutStates is a deployment's rolloutState and its reason.
func rolloutStates(id, state, reason string) (string, string) {
	switch state {
	case rolloutCompleted:
		return state, rolloutText(id, "completed")
	case rolloutFailed:
		return state, reason
	}
	if reason == "" {
		reason = rolloutText(id, "in progress")
	}
	return rolloutInProgress, reason
}

// deploymentOf is a deployment of cfg (the service's or a revision's) with
// its tasks' counts.
func deploymentOf(id, status string, cfg *types.Service, tl *tally) types.Deployment {
	g := tl.of(id)
	d := types.Deployment{
		Id:                   id,
		Status:               status,
		TaskDefinition:       cfg.TaskDefinition,
		PendingCount:         g.pending,
		RunningCount:         g.running,
		LaunchType:           cfg.LaunchType,
		PlatformVersion:      cfg.PlatformVersion,
		PlatformFamily:       cfg.PlatformFamily,
		NetworkConfiguration: cfg.NetworkConfiguration,
	}
	if len(cfg.CapacityProviderStrategy) > 0 {
		d.CapacityProviderStrategy = cfg.CapacityProviderStrategy
	}
	return d
}

// currentRevisions is what DescribeServices answers of the service's
// current service deployment and the revisions that run.
func (r *serviceRecord) currentRevisions(tl *tally) (string, []types.ServiceCurrentRevisionSummary) {
	ro := r.Rollout
	cur := ro.current()
	if cur == nil {
		return "", nil
	}
	var out []types.ServiceCurrentRevisionSummary
	for _, c := range r.counts(&serviceDeployment{Target: ro.Revision, Sources: r.runningRevisions(tl)}, tl) {
		out = append(out, types.ServiceCurrentRevisionSummary{Arn: memberARN(&r.Service, "service-revision", c.Revision),
			RequestedTaskCount: c.Requested, RunningTaskCount: c.Running, PendingTaskCount: c.Pending})
	}
	return memberARN(&r.Service, "service-deployment", cur.ID), out
}

// runningRevisions are the revisions of the deployments the PRIMARY
// replaces that still have tasks, other than the PRIMARY's.
func (r *serviceRecord) runningRevisions(tl *tally) []string {
	var out []string
	for _, o := range r.Rollout.Older {
		if tl.of(o.ID).active && o.Revision != r.Rollout.Revision && !slices.Contains(out, o.Revision) {
			out = append(out, o.Revision)
		}
	}
	return out
}

// serviceDeploymentView is a service deployment as DescribeServiceDeployments
// answers it.
func (r *serviceRecord) serviceDeploymentView(sd *serviceDeployment, tl *tally) types.ServiceDeployment {
	svc := &r.Service
	out := types.ServiceDeployment{
		ServiceDeploymentArn: memberARN(svc, "service-deployment", sd.ID),
		ServiceArn:           svc.ServiceArn,
		ClusterArn:           svc.ClusterArn,
		CreatedAt:            ptr(sd.Created),
		StartedAt:            ptr(sd.Started),
		UpdatedAt:            ptr(sd.Updated),
		Status:               sd.Status,
		StatusReason:         sd.Reason,
		LifecycleStage:       sd.Stage,
		LifecycleHookDetails: sd.hookDetails(),
	}
	if !sd.Finished.IsZero() {
		out.FinishedAt = ptr(sd.Finished)
	}
	if !sd.Stopped.IsZero() {
		out.StoppedAt = ptr(sd.Stopped)
	}
	counts := sd.Final
	if sd.ongoing() {
		counts = r.counts(sd, tl)
	}
	for i, c := range counts {
		sum := types.ServiceRevisionSummary{Arn: memberARN(svc, "service-revision", c.Revision),
			RequestedTaskCount: c.Requested, RunningTaskCount: c.Running, PendingTaskCount: c.Pending}
		if i == 0 {
			out.TargetServiceRevision = &sum
		} else {
			out.SourceServiceRevisions = append(out.SourceServiceRevisions, sum)
		}
	}
	out.SourceServiceRevisions = nonNil(out.SourceServiceRevisions)
	breaker := &types.ServiceDeploymentCircuitBreaker{Status: "DISABLED", FailureCount: sd.Failures, Threshold: breakerThreshold(svc.DesiredCount)}
	alarms := &types.ServiceDeploymentAlarms{Status: "DISABLED", AlarmNames: []string{}, TriggeredAlarmNames: []string{}}
	if sd.Config != nil {
		dc := records.Convert[types.DeploymentConfiguration](*sd.Config)
		out.DeploymentConfiguration = &dc
		if cb := dc.DeploymentCircuitBreaker; cb != nil && cb.Enable {
			switch {
			case sd.Tripped:
				breaker.Status = "TRIGGERED"
			case sd.ongoing():
				breaker.Status = "MONITORING"
			default:
				breaker.Status = "MONITORING_COMPLETE"
			}
		}
		// rolecall watches no CloudWatch alarm: a deployment's alarms are
		// monitored and never in alarm.
		if a := dc.Alarms; a != nil && a.Enable {
			alarms.AlarmNames, alarms.Status = nonNil(a.AlarmNames), "MONITORING"
			if !sd.ongoing() {
				alarms.Status = "MONITORING_COMPLETE"
			}
		}
	}
	out.DeploymentCircuitBreaker, out.Alarms = breaker, alarms
	if rb := sd.Rollback; rb != nil {
		out.Rollback = &types.Rollback{Reason: rb.Reason, StartedAt: ptr(rb.Started), ServiceRevisionArn: memberARN(svc, "service-revision", rb.Revision)}
	}
	return out
}

// revisionView is a service revision as DescribeServiceRevisions answers
// it.
func (r *serviceRecord) revisionView(rv *revision) types.ServiceRevision {
	svc := &r.Service
	of := rv.config()
	out := types.ServiceRevision{
		ServiceRevisionArn:          memberARN(svc, "service-revision", rv.ID),
		ServiceArn:                  svc.ServiceArn,
		ClusterArn:                  svc.ClusterArn,
		TaskDefinition:              of.TaskDefinition,
		LaunchType:                  of.LaunchType,
		PlatformVersion:             of.PlatformVersion,
		PlatformFamily:              of.PlatformFamily,
		NetworkConfiguration:        of.NetworkConfiguration,
		LoadBalancers:               nonNil(of.LoadBalancers),
		ServiceRegistries:           nonNil(of.ServiceRegistries),
		ContainerImages:             []types.ContainerImage{},
		ServiceConnectConfiguration: &types.ServiceConnectConfiguration{},
		CreatedAt:                   ptr(rv.Created),
	}
	if len(of.CapacityProviderStrategy) > 0 {
		out.CapacityProviderStrategy = of.CapacityProviderStrategy
	}
	// The image as the task definition names it: rolecall pulls nothing,
	// so it knows no digest.
	for _, im := range rv.Images {
		out.ContainerImages = append(out.ContainerImages, types.ContainerImage{ContainerName: im.Name, Image: im.Image})
	}
	return out
}

// Errors of service deployments.

// errServiceDeploymentNotFound: rolecall's wording, as ECS words its other
// resources' ("Service not found.").
func errServiceDeploymentNotFound() error {
	return awserr.New(http.StatusBadRequest, "ServiceDeploymentNotFoundException", "Service deployment not found.")
}

// errDeploymentFinished: StopServiceDeployment of a service deployment
// that has finished ("You can stop a deployment that has not completed",
// service-deployment.html); rolecall's wording.
func errDeploymentFinished(status string) error {
	return awserr.New(http.StatusBadRequest, "ConflictException", "The service deployment can't be stopped because it is %s.", status)
}

// errNothingToRollBackTo: a rollback of the service's first deployment,
// which has no earlier revision ("The rollback method requires a previous
// deployment in COMPLETED state", deployment-failure-detection.html);
// rolecall's wording.
func errNothingToRollBackTo() error {
	return invalidParameter("The service deployment can't be rolled back because the service has no previous deployment that completed.")
}

// errStopType: StopServiceDeployment's stopType ABORT, which the model
// lists and the reference does not ("The valid values are ROLLBACK");
// rolecall's wording.
func errStopType(t string) error {
	return invalidParameter("The stop type %s isn't supported. The valid value is ROLLBACK.", t)
}

// errNoPausedHook: ContinueServiceDeployment for a hook of the deployment
// that is not awaiting action, or no hook of it. rolecall's wording.
func errNoPausedHook() error {
	return invalidParameter("The service deployment has no lifecycle hook awaiting action with the specified hookId.")
}

// ServiceMemberParts splits the ARN of a service's deployment, revision or
// task set (kind), arn:...:KIND/CLUSTER/SERVICE/ID, into the ARNs of its
// service and cluster; ok is false for another ARN.
func ServiceMemberParts(arn, kind string) (serviceArn, clusterArn string, ok bool) {
	i := strings.Index(arn, ":"+kind+"/")
	if !isARN(arn) || i < 0 {
		return "", "", false
	}
	head, parts := arn[:i], strings.SplitN(arn[i+len(kind)+2:], "/", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return head + ":service/" + parts[0] + "/" + parts[1], head + ":cluster/" + parts[0], true
}

// memberRef is a service deployment or revision an ARN of this Call names.
type memberRef struct {
	arn, cluster, service, id string
}

// memberRefs parses ARNs of kind; those of another account, Region or
// kind, or malformed, are not ok.
func memberRefs(c Call, arns []string, kind string) []memberRef {
	out := make([]memberRef, len(arns))
	for i, a := range arns {
		out[i].arn = a
		rest, ok := resourceOf(c, a, kind)
		if !ok {
			continue
		}
		if parts := strings.SplitN(rest, "/", 3); len(parts) == 3 {
			out[i].cluster, out[i].service, out[i].id = parts[0], parts[1], parts[2]
		}
	}
	return out
}

// reconcileAll has the scheduler settle each service refs name, once.
func (s *Service) reconcileAll(ctx context.Context, c Call, refs []memberRef) error {
	done := map[string]bool{}
	for _, m := range refs {
		k := m.cluster + "/" + m.service
		if m.id == "" || done[k] {
			continue
		}
		done[k] = true
		if err := s.reconcile(ctx, c, m.cluster, m.service, false); err != nil {
			return err
		}
	}
	return nil
}

// tallied is a service with the tally of its tasks at now; nil when there
// is no such service.
func tallied(tx store.Tx, c Call, cluster, name string, now time.Time, tm Timing) (*serviceRecord, *tally, error) {
	r, err := loadService(tx, c, cluster, name)
	if err != nil || r == nil {
		return nil, nil, err
	}
	tasks, err := serviceTasks(tx, c, cluster, r.Service.ServiceName)
	if err != nil {
		return nil, nil, err
	}
	return r, tallyOf(tasks, now, tm), nil
}

// withMembers runs fn for each ref with its service and the tally of its
// tasks (nil record for none).
func (s *Service) withMembers(ctx context.Context, c Call, refs []memberRef, fn func(m memberRef, r *serviceRecord, tl *tally)) error {
	now, tm := s.now(), s.phases()
	return s.view(ctx, c, func(tx store.Tx) error {
		for _, m := range refs {
			var r *serviceRecord
			var tl *tally
			if m.id != "" {
				var err error
				if r, tl, err = tallied(tx, c, m.cluster, m.service, now, tm); err != nil {
					return err
				}
			}
			fn(m, r, tl)
		}
		return nil
	})
}

// ListServiceDeployments lists a service's deployments, newest first,
// filtered by status and creation time, 20 a page unless asked.
func (s *Service) ListServiceDeployments(ctx context.Context, c Call, in *types.ListServiceDeploymentsRequest) (*types.ListServiceDeploymentsResponse, error) {
	var cluster, name string
	err := s.view(ctx, c, func(tx store.Tx) error {
		cl, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		r, err := loadService(tx, c, cl.Cluster.ClusterName, in.Service)
		if err != nil {
			return err
		}
		if r == nil {
			return errServiceNotFound()
		}
		cluster, name = cl.Cluster.ClusterName, r.Service.ServiceName
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.reconcile(ctx, c, cluster, name, false); err != nil {
		return nil, err
	}
	briefs := map[string]types.ServiceDeploymentBrief{}
	created := map[string]time.Time{}
	var ids []string
	err = s.view(ctx, c, func(tx store.Tx) error {
		r, err := loadService(tx, c, cluster, name)
		if err != nil || r == nil || r.Rollout == nil {
			return err
		}
		for _, sd := range r.Rollout.Deployments {
			if len(in.Status) > 0 && !slices.Contains(in.Status, sd.Status) {
				continue
			}
			if ca := in.CreatedAt; ca != nil && ((ca.After != nil && !sd.Created.After(*ca.After)) || (ca.Before != nil && !sd.Created.Before(*ca.Before))) {
				continue
			}
			b := types.ServiceDeploymentBrief{
				ServiceDeploymentArn:     memberARN(&r.Service, "service-deployment", sd.ID),
				ServiceArn:               r.Service.ServiceArn,
				ClusterArn:               r.Service.ClusterArn,
				StartedAt:                ptr(sd.Started),
				CreatedAt:                ptr(sd.Created),
				TargetServiceRevisionArn: memberARN(&r.Service, "service-revision", sd.Target),
				Status:                   sd.Status,
				StatusReason:             sd.Reason,
			}
			if !sd.Finished.IsZero() {
				b.FinishedAt = ptr(sd.Finished)
			}
			briefs[sd.ID], created[sd.ID] = b, sd.Created
			ids = append(ids, sd.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	newest := func(a, b string) bool {
		if !created[a].Equal(created[b]) {
			return created[a].After(created[b])
		}
		return a < b
	}
	pg, next, err := pageBy(ids, newest, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	out := &types.ListServiceDeploymentsResponse{ServiceDeployments: []types.ServiceDeploymentBrief{}, NextToken: next}
	for _, id := range pg {
		out.ServiceDeployments = append(out.ServiceDeployments, briefs[id])
	}
	return out, nil
}

// DescribeServiceDeployments describes service deployments by ARN; those
// it does not find are failures with reason MISSING.
func (s *Service) DescribeServiceDeployments(ctx context.Context, c Call, in *types.DescribeServiceDeploymentsRequest) (*types.DescribeServiceDeploymentsResponse, error) {
	refs := memberRefs(c, in.ServiceDeploymentArns, "service-deployment")
	if err := s.reconcileAll(ctx, c, refs); err != nil {
		return nil, err
	}
	out := &types.DescribeServiceDeploymentsResponse{ServiceDeployments: []types.ServiceDeployment{}, Failures: []types.Failure{}}
	err := s.withMembers(ctx, c, refs, func(m memberRef, r *serviceRecord, tl *tally) {
		if r != nil && r.Rollout != nil {
			if sd := r.Rollout.deployment(m.id); sd != nil {
				out.ServiceDeployments = append(out.ServiceDeployments, r.serviceDeploymentView(sd, tl))
				return
			}
		}
		out.Failures = append(out.Failures, types.Failure{Arn: m.arn, Reason: "MISSING"})
	})
	return out, err
}

// DescribeServiceRevisions describes service revisions by ARN; those it
// does not find are failures with reason MISSING.
func (s *Service) DescribeServiceRevisions(ctx context.Context, c Call, in *types.DescribeServiceRevisionsRequest) (*types.DescribeServiceRevisionsResponse, error) {
	refs := memberRefs(c, in.ServiceRevisionArns, "service-revision")
	out := &types.DescribeServiceRevisionsResponse{ServiceRevisions: []types.ServiceRevision{}, Failures: []types.Failure{}}
	err := s.withMembers(ctx, c, refs, func(m memberRef, r *serviceRecord, _ *tally) {
		if r != nil && r.Rollout != nil {
			if rv := r.Rollout.revision(m.id); rv != nil {
				out.ServiceRevisions = append(out.ServiceRevisions, r.revisionView(rv))
				return
			}
		}
		out.Failures = append(out.Failures, types.Failure{Arn: m.arn, Reason: "MISSING"})
	})
	return out, err
}

// StopServiceDeployment stops an ongoing service deployment by rolling the
// service back to the deployment that last completed ("ROLLBACK - This
// option rolls back the service deployment to the previous service
// revision. You can use this option even if you didn't configure the
// service deployment for the rollback option", StopServiceDeployment
// reference): ROLLBACK_REQUESTED, then ROLLBACK_IN_PROGRESS as its tasks
// start. One already rolling back goes on.
func (s *Service) StopServiceDeployment(ctx context.Context, c Call, in *types.StopServiceDeploymentRequest) (*types.StopServiceDeploymentResponse, error) {
	if in.StopType != "" && in.StopType != "ROLLBACK" {
		return nil, errStopType(in.StopType)
	}
	now := s.now()
	back, eventUUID := s.deploymentID(), s.gen.UUID()
	err := s.actOnDeployment(ctx, c, in.ServiceDeploymentArn, func(r *serviceRecord, sd *serviceDeployment) (bool, error) {
		switch {
		case sd.Status == sdRollbackRequested || sd.Status == sdRollbackInProgress:
			return false, nil
		case !sd.ongoing():
			return false, errDeploymentFinished(sd.Status)
		case r.Rollout.Good == "":
			return false, errNothingToRollBackTo()
		}
		good := r.Rollout.Good
		r.rollBack(sd, "", "", back, now)
		sd.Status, sd.Updated = sdRollbackRequested, now
		r.addEvents([]timedEvent{{now, fmt.Sprintf("(service %s) rolling back to deployment %s.", r.Service.ServiceName, good)}}, []string{eventUUID})
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return &types.StopServiceDeploymentResponse{ServiceDeploymentArn: in.ServiceDeploymentArn}, nil
}

// actOnDeployment has fn act on the service deployment arn names, in one
// transaction (written when fn says so), the scheduler settling its
// service before and moving it on after; ServiceDeploymentNotFound when
// there is no such deployment.
func (s *Service) actOnDeployment(ctx context.Context, c Call, arn string, fn func(r *serviceRecord, sd *serviceDeployment) (write bool, err error)) error {
	m := memberRefs(c, []string{arn}, "service-deployment")[0]
	if m.id == "" {
		return errServiceDeploymentNotFound()
	}
	if err := s.reconcileAll(ctx, c, []memberRef{m}); err != nil {
		return err
	}
	err := s.update(ctx, c, func(tx store.Tx) error {
		r, err := loadService(tx, c, m.cluster, m.service)
		if err != nil {
			return err
		}
		var sd *serviceDeployment
		if r != nil && r.Rollout != nil {
			sd = r.Rollout.deployment(m.id)
		}
		if sd == nil {
			return errServiceDeploymentNotFound()
		}
		if write, err := fn(r, sd); err != nil || !write {
			return err
		}
		r.Rev++
		return putJSON(tx, bucketServices, serviceKey(c, m.cluster, m.service), r)
	})
	if err != nil {
		return err
	}
	return s.reconcile(ctx, c, m.cluster, m.service, true)
}
