package ecs

import (
	"slices"
	"time"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// taskRecord is a task as the store keeps it: what was decided when it
// launched and when it was asked to stop. Its status at any moment follows
// from these times and the Timing (view), so a task moves through its
// lifecycle with the clock alone.
type taskRecord struct {
	// Task holds what does not change: ARNs, definition, group, launch
	// type, containers, attachments, overrides, tags. Status and times are
	// filled by view.
	Task    types.Task
	AwsVpc  bool      `json:",omitempty"`
	Created time.Time // PROVISIONING (awsvpc) or PENDING from here
	// Service and Deployment name the service and deployment that started
	// the task, if one did; for a daemon's task, Daemon names the daemon
	// and Deployment the daemon revision it runs (daemons.go).
	Service    string `json:",omitempty"`
	Deployment string `json:",omitempty"`
	Daemon     string `json:",omitempty"`
	// FailedReason is set when the task could not start (its roles could
	// not be assumed): it stops once provisioning ends, with this reason.
	FailedReason string `json:",omitempty"`
	// StopAt is when a stop was asked for, by whom (StopCode) and why.
	StopAt     *time.Time `json:",omitempty"`
	StopCode   string     `json:",omitempty"`
	StopReason string     `json:",omitempty"`
	// What the task reserves on its container instance (EC2).
	ReservedCPU, ReservedMemory int32 `json:",omitempty"`
	// ProtectedUntil is when its scale-in protection ends
	// (UpdateTaskProtection); nil when it has none.
	ProtectedUntil *time.Time `json:",omitempty"`
	// Agent is what its container instance's agent reported, which the
	// timeline follows where it is ahead of the timing (agentcalls.go).
	Agent *agentReport `json:",omitempty"`
}

// protected: the task's scale-in protection is in effect at now.
func (r *taskRecord) protected(now time.Time) bool {
	return r.ProtectedUntil != nil && now.Before(*r.ProtectedUntil)
}

// event is one status change of a task.
type event struct {
	at     time.Time
	status string
}

// timeline is the task's status changes, in order: the natural ones up to
// the stop (if any), then the stop's.
func (r *taskRecord) timeline(tm Timing) (evs []event, stopAt time.Time, stopping bool) {
	p0 := r.Created
	first := "PENDING"
	p1 := p0
	if r.AwsVpc {
		first = "PROVISIONING"
		p1 = p0.Add(tm.Provisioning)
	}
	p2 := p1.Add(tm.Pending)
	if r.FailedReason == "" {
		p1, p2 = r.Agent.started(p0, p1, p2, tm.Pending)
	}
	natural := []event{{p0, first}}
	if r.AwsVpc {
		natural = append(natural, event{p1, "PENDING"})
	}
	natural = append(natural, event{p2, "RUNNING"})

	switch {
	case r.FailedReason != "":
		// It fails when it would have started: once its network interface
		// is attached, or half-way through PENDING.
		stopAt = p1
		if !r.AwsVpc {
			stopAt = p0.Add(tm.Pending / 2)
		}
		if r.StopAt != nil && r.StopAt.Before(stopAt) {
			stopAt = *r.StopAt
		}
	case r.StopAt != nil:
		stopAt, stopping = *r.StopAt, true
	default:
		return natural, time.Time{}, false
	}
	for i, e := range natural {
		// A stop asked for at the very moment of a change comes after
		// it; a failure to start comes instead of it.
		if i > 0 && (e.at.After(stopAt) || (!stopping && e.at.Equal(stopAt))) {
			break
		}
		evs = append(evs, e)
	}
	if !stopping {
		return append(evs, event{stopAt, "STOPPED"}), stopAt, false
	}
	half, end := r.Agent.stopped(stopAt, stopAt.Add(tm.Stopping/2), stopAt.Add(tm.Stopping), r.AwsVpc)
	evs = append(evs, event{stopAt, "STOPPING"})
	if r.AwsVpc {
		evs = append(evs, event{half, "DEPROVISIONING"})
	}
	return append(evs, event{end, "STOPPED"}), stopAt, true
}

// reached returns when the timeline reached status, if it did by now.
func reached(evs []event, status string, now time.Time) *time.Time {
	for _, e := range evs {
		if e.status == status && !e.at.After(now) {
			at := e.at
			return &at
		}
	}
	return nil
}

// view is the task as ECS answers it at now.
func (r *taskRecord) view(now time.Time, tm Timing) types.Task {
	t := r.Task
	t.Containers = slices.Clone(t.Containers)
	t.Attachments = slices.Clone(t.Attachments)
	evs, stopAt, _ := r.timeline(tm)
	cur := evs[0]
	version := int64(0)
	for _, e := range evs {
		if e.at.After(now) {
			break
		}
		cur = e
		version++
	}
	t.LastStatus = cur.status
	t.Version = max(version, 1)
	t.CreatedAt = ptr(r.Created)
	t.DesiredStatus = "RUNNING"
	stopped := !stopAt.IsZero() && !now.Before(stopAt)
	if r.StopAt != nil || stopped {
		t.DesiredStatus = "STOPPED"
	}
	started := reached(evs, "RUNNING", now)
	t.StartedAt = started
	if pending := reached(evs, "PENDING", now); pending != nil {
		t.Connectivity, t.ConnectivityAt = "CONNECTED", pending
		t.PullStartedAt, t.PullStoppedAt = pending, started
	}
	if stopped {
		t.StoppingAt = ptr(stopAt)
		t.StopCode, t.StoppedReason = r.StopCode, r.StopReason
		if r.FailedReason != "" && (r.StopAt == nil || !r.StopAt.Before(stopAt)) {
			t.StopCode, t.StoppedReason = "TaskFailedToStart", r.FailedReason
		}
		if cur.status == "STOPPED" {
			t.StoppedAt = reached(evs, "STOPPED", now)
			t.ExecutionStoppedAt = t.StoppedAt
			t.Connectivity = "DISCONNECTED"
		}
	}
	r.Agent.times(&t)
	for i := range t.Containers {
		ct := t.Containers[i]
		reported, agents := ct.LastStatus, ct.ManagedAgents
		switch {
		case cur.status == "STOPPED" || cur.status == "DEPROVISIONING":
			ct.LastStatus = "STOPPED"
		case started != nil:
			ct.LastStatus = "RUNNING"
		default:
			ct.LastStatus = "PENDING"
		}
		ct.LastStatus = furthest(reported, ct.LastStatus)
		if t.EnableExecuteCommand {
			// The SSM agent ECS Exec runs beside each container (exec.go).
			ct.ManagedAgents = reportedAgents(agents, []types.ManagedAgent{{Name: ExecAgent, LastStatus: ct.LastStatus, LastStartedAt: started}})
		}
		t.Containers[i] = ct
	}
	for i := range t.Attachments {
		a := t.Attachments[i]
		switch cur.status {
		case "PROVISIONING":
			a.Status = "PRECREATED"
		case "DEPROVISIONING":
			a.Status = "DETACHING"
		case "STOPPED":
			a.Status = "DELETED"
		default:
			a.Status = "ATTACHED"
		}
		t.Attachments[i] = a
	}
	return t
}

// active: the task has not STOPPED by now.
func (r *taskRecord) active(now time.Time, tm Timing) bool {
	evs, _, _ := r.timeline(tm)
	last := evs[len(evs)-1]
	return last.status != "STOPPED" || now.Before(last.at)
}

// visible: a STOPPED task is answered for stoppedRetention, then forgotten.
func (r *taskRecord) visible(now time.Time, tm Timing) bool {
	evs, _, _ := r.timeline(tm)
	last := evs[len(evs)-1]
	return last.status != "STOPPED" || now.Before(last.at.Add(stoppedRetention))
}

// stoppedAt is when the task STOPPED (or will), zero when nothing stops
// it.
func (r *taskRecord) stoppedAt(tm Timing) time.Time {
	evs, _, _ := r.timeline(tm)
	if last := evs[len(evs)-1]; last.status == "STOPPED" {
		return last.at
	}
	return time.Time{}
}

// wantsToRun: nobody asked the task to stop and it did not fail to start.
func (r *taskRecord) wantsToRun() bool { return r.StopAt == nil && r.FailedReason == "" }
