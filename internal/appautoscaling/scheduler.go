package appautoscaling

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rolecall/rolecall/internal/appautoscaling/records"
	"github.com/rolecall/rolecall/internal/appautoscaling/schedule"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Scheduled actions run when they are due, by the injected clock: RunDue
// runs every action whose time has come, in the order of their times (AWS
// "guarantees the order of execution for scheduled actions for the same
// scalable target", user guide, "Scheduled scaling"). internal/app calls
// it before each request is served, so that whatever a request reads
// has caught up with the clock, and, on the system clock, every second.
// Tests move their clock and make a request, or call RunDue: nothing
// waits.
//
// An action runs as AWS's do ("How scheduled scaling for Application Auto
// Scaling works",
// https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-policy-overview.html):
// it sets the target's minimum and maximum capacity; then, if the
// service's desired count is below the new minimum, Application Auto
// Scaling scales out to it, if above the new maximum, in to it, acting as
// its service-linked role (Services). Each is a scaling activity. While a
// target's scheduled scaling is suspended, its actions' times pass
// without them ("When you resume scheduled scaling, Application Auto
// Scaling only evaluates scheduled actions whose execution time has not
// yet passed", "Suspending and resuming scaling").
//
// An action whose times were missed (rolecall was stopped, or a test's
// clock jumped) runs once, for the last of them.

// scheduler knows when the Service next has something due.
type scheduler struct {
	run sync.Mutex // one run at a time
	mu  sync.Mutex // guards gen and the writes of wake
	gen uint64     // counts the changes of actions and targets
	// wake is the clock time, in Unix nanoseconds, before which nothing
	// is due; 0 when unknown.
	wake atomic.Int64
}

const (
	// rescan bounds how long a run's answer stands: state written
	// behind the Service's back (a state import) is seen within this
	// much clock time.
	rescan = time.Minute
	// maxCatchUp bounds the times skipped to reach an action's last one.
	maxCatchUp = 10000
	// maxRounds bounds the runs of one RunDue.
	maxRounds = 100
)

// touch: actions or targets changed; the next RunDue looks again.
func (s *Service) touch() {
	s.sched.mu.Lock()
	defer s.sched.mu.Unlock()
	s.sched.gen++
	s.sched.wake.Store(0)
}

// Changed: targets or actions were written behind the Service's back (a
// state import through another Service on the same store); the next
// RunDue looks again instead of waiting for its rescan.
func (s *Service) Changed() { s.touch() }

// asleep: nothing is due at now.
func (s *Service) asleep(now time.Time) bool {
	w := s.sched.wake.Load()
	return w != 0 && now.UnixNano() < w
}

// RunDue runs the scheduled actions due by the clock, in every account
// and Region. Errors are the store's, or ECS's that are no AWS answer; a
// refusal (of the role, or of ECS) is a failed activity, not an error.
func (s *Service) RunDue(ctx context.Context) error {
	if s.paused {
		return nil
	}
	// Every request asks first (issue 18): the clock's instant, before
	// s.now() rounds it down to the millisecond, is a cheaper question
	// with the same answer when it is before the wake (what s.now() makes
	// of it is no later); at or after, s.now() decides.
	if w := s.sched.wake.Load(); w != 0 && s.clock.Now().UnixNano() < w || s.asleep(s.now()) {
		return nil
	}
	s.sched.run.Lock()
	defer s.sched.run.Unlock()
	var errs []error
	for range maxRounds {
		now := s.now()
		if s.asleep(now) {
			break
		}
		s.sched.mu.Lock()
		gen := s.sched.gen
		s.sched.mu.Unlock()
		due, next, err := s.due(ctx, now)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		if len(due) == 0 {
			wake := now.Add(rescan)
			if !next.IsZero() && next.Before(wake) {
				wake = next
			}
			s.sched.mu.Lock()
			if s.sched.gen == gen {
				s.sched.wake.Store(wake.UnixNano())
			}
			s.sched.mu.Unlock()
			break
		}
		for _, d := range due {
			if err := s.runAction(ctx, d); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// dueAction is a scheduled action due at a time.
type dueAction struct {
	call Call
	key  string // in bucketScheduled
	at   time.Time
}

// since is when the record's schedule counts from.
func (r *scheduledRecord) since() time.Time {
	if !r.Since.IsZero() || r.Action.CreationTime == nil {
		return r.Since
	}
	return *r.Action.CreationTime
}

// from is the time after which the action is next due.
func (r *scheduledRecord) from() time.Time {
	if r.Ran.After(r.since()) {
		return r.Ran
	}
	return r.since()
}

// plan is the action's schedule; false for one rolecall cannot read (kept
// before schedules were checked), which never runs.
func (r *scheduledRecord) plan() (schedule.Plan, bool) {
	sc, err := schedule.Parse(r.Action.Schedule)
	if err != nil {
		return schedule.Plan{}, false
	}
	zone, err := schedule.LoadZone(r.Action.Timezone)
	if err != nil {
		return schedule.Plan{}, false
	}
	return schedule.Plan{Schedule: sc, Zone: zone, Start: r.Action.StartTime, End: r.Action.EndTime, Since: r.since()}, true
}

// due lists the actions due at now, each at its last time due, in the
// order of their times; next is the first time after now that one is due
// (zero when none is).
func (s *Service) due(ctx context.Context, now time.Time) (due []dueAction, next time.Time, err error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, err
	}
	err = s.st.View(func(tx store.Tx) error {
		due, next = nil, time.Time{}
		return store.ScanJSON(tx, bucketScheduled, "", func(k string, r *scheduledRecord) bool {
			p, ok := r.plan()
			if !ok {
				return true
			}
			at, ok := p.Next(r.from())
			switch {
			case !ok:
				return true
			case at.After(now):
				if next.IsZero() || at.Before(next) {
					next = at
				}
				return true
			}
			for range maxCatchUp {
				n, ok := p.Next(at)
				if !ok || n.After(now) {
					break
				}
				at = n
			}
			parts := strings.SplitN(k, "/", 3)
			if len(parts) == 3 {
				due = append(due, dueAction{call: Call{Account: parts[0], Region: parts[1]}, key: k, at: at})
			}
			return true
		})
	})
	slices.SortStableFunc(due, func(a, b dueAction) int {
		return cmp.Or(a.at.Compare(b.at), strings.Compare(a.key, b.key))
	})
	return due, next, err
}

// runAction runs a due action: its time is taken (so that it runs once),
// the target's capacities set and the activity recorded, in one
// transaction; then the service's desired count is brought within them.
func (s *Service) runAction(ctx context.Context, d dueAction) error {
	id := s.gen.UUID() // before the transaction, which may run more than once
	targetKey, _, _ := strings.Cut(d.key, "\x00")
	var scaled *records.ScalableTarget
	var minSet bool
	err := s.st.Update(func(tx store.Tx) error {
		scaled = nil
		var r scheduledRecord
		found, err := store.GetJSON(tx, bucketScheduled, d.key, &r)
		if err != nil || !found || !r.from().Before(d.at) {
			return err // deleted, put again or run meanwhile
		}
		r.Ran = d.at
		if err := store.PutJSON(tx, bucketScheduled, d.key, &r); err != nil {
			return err
		}
		var t targetRecord
		found, err = store.GetJSON(tx, bucketTargets, targetKey, &t)
		a := r.Action.ScalableTargetAction
		if err != nil || !found || a == nil || t.Target.MinCapacity == nil || t.Target.MaxCapacity == nil {
			return err
		}
		if st := t.Target.SuspendedState; st != nil && st.ScheduledScalingSuspended != nil && *st.ScheduledScalingSuspended {
			return nil
		}
		min, max := *t.Target.MinCapacity, *t.Target.MaxCapacity
		if a.MinCapacity != nil {
			min = *a.MinCapacity
		}
		if a.MaxCapacity != nil {
			max = *a.MaxCapacity
		}
		if min > max {
			return putActivity(tx, targetKey, &t.Target, setCapacities(r.Action.ScheduledActionName, a.MinCapacity, a.MaxCapacity, d.at, errMinAboveMax(min, max)), id)
		}
		t.Target.MinCapacity, t.Target.MaxCapacity = &min, &max
		if err := store.PutJSON(tx, bucketTargets, targetKey, &t); err != nil {
			return err
		}
		scaled, minSet = &t.Target, a.MinCapacity != nil
		return putActivity(tx, targetKey, &t.Target, setCapacities(r.Action.ScheduledActionName, a.MinCapacity, a.MaxCapacity, d.at, nil), id)
	})
	if err != nil || scaled == nil {
		return err
	}
	return s.scaleWithin(ctx, d.call, targetKey, scaled, minSet)
}

// scaleWithin brings the desired count of target t's service within its
// minimum and maximum capacity, acting as the service-linked role, and
// records the activity if it had to change it. minSet: the minimum was
// set, which names the cause when the service's count cannot be read.
func (s *Service) scaleWithin(ctx context.Context, c Call, targetKey string, t *records.ScalableTarget, minSet bool) error {
	r := refOf(c, t.ServiceNamespace, t.ResourceId, t.ScalableDimension)
	if s.paused || !r.ecs || t.MinCapacity == nil || t.MaxCapacity == nil {
		return nil
	}
	min, max := *t.MinCapacity, *t.MaxCapacity
	start := s.now()
	n, found, err := s.services.DesiredCount(ctx, c, r.cluster, r.service)
	if err == nil && found && n >= min && n <= max {
		return nil
	}
	want, cause := max, fmt.Sprintf(causeMax, max)
	if found && err == nil && n < min || !(found && err == nil) && minSet {
		want, cause = min, fmt.Sprintf(causeMin, min)
	}
	if err == nil {
		err = s.services.SetDesiredCount(ctx, c, r.cluster, r.service, want)
	}
	if err != nil && !isAnswer(err) {
		return err
	}
	id := s.gen.UUID()
	a := setDesired(want, cause, start, s.now(), err)
	return s.st.Update(func(tx store.Tx) error { return putActivity(tx, targetKey, t, a, id) })
}

// isAnswer: err is a service's answer, its code and message, which the
// activity tells; anything else is rolecall failing.
func isAnswer(err error) bool {
	var e *awserr.Error
	return errors.As(err, &e)
}
