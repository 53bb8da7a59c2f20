package ecs

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// Task scale-in protection (GetTaskProtection, UpdateTaskProtection): a
// service's task protected until its expiration is stopped neither by the
// service scaling in nor by a deployment (services.go reconcile;
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection.html).

const (
	// defaultProtection is how long protection lasts when
	// expiresInMinutes is not given; maxProtection the longest it may
	// (UpdateTaskProtection reference).
	defaultProtection = 120
	maxProtection     = 2880
	// Failure reasons (the API failure reasons of the ECS developer
	// guide): a task that is not a service's is TASK_NOT_VALID.
	reasonMissing      = "MISSING"
	reasonTaskNotValid = "TASK_NOT_VALID"
)

// protectedTask is a task's protection as the API answers it.
func protectedTask(r *taskRecord, now time.Time) types.ProtectedTask {
	p := types.ProtectedTask{TaskArn: r.Task.TaskArn}
	if r.protected(now) {
		p.ProtectionEnabled, p.ExpirationDate = true, ptr(*r.ProtectedUntil)
	}
	return p
}

// protectable answers the protection of each task refs names in cluster
// that is a service's and has not been asked to stop, after set (if any)
// has changed it; the others are failures: MISSING for a task that is not
// there, TASK_NOT_VALID for one that is not a service's (rolecall's
// reading: a task stopping or stopped is no longer one to protect
// either).
func (s *Service) protectable(ctx context.Context, c Call, cluster string, refs []string, set func(r *taskRecord)) (*types.UpdateTaskProtectionResponse, error) {
	now, tm := s.now(), s.phases()
	out := &types.UpdateTaskProtectionResponse{}
	run := s.view
	if set != nil {
		run = s.update
	}
	err := run(ctx, c, func(tx store.Tx) error {
		out.ProtectedTasks, out.Failures = []types.ProtectedTask{}, []types.Failure{}
		cl, err := activeCluster(tx, c, cluster, false)
		if err != nil {
			return err
		}
		name := cl.Cluster.ClusterName
		for _, ref := range refs {
			var r taskRecord
			found := false
			key := ""
			if id, ok := clusterMemberID(c, name, ref, "task"); ok {
				key = taskKey(c, name, id)
				if found, err = getJSON(tx, bucketTasks, key, &r); err != nil {
					return err
				}
			}
			switch {
			case !found || !r.visible(now, tm):
				out.Failures = append(out.Failures, types.Failure{Arn: taskARNFor(c, name, ref), Reason: reasonMissing})
				continue
			case r.Service == "" || !r.wantsToRun():
				out.Failures = append(out.Failures, types.Failure{Arn: r.Task.TaskArn, Reason: reasonTaskNotValid})
				continue
			}
			if set != nil {
				set(&r)
				if err := putJSON(tx, bucketTasks, key, &r); err != nil {
					return err
				}
			}
			out.ProtectedTasks = append(out.ProtectedTasks, protectedTask(&r, now))
		}
		return nil
	})
	return out, err
}

// taskARNFor is the ARN a task reference names in cluster, for failures.
func taskARNFor(c Call, cluster, ref string) string {
	if isARN(ref) {
		return ref
	}
	return ecsARN(c, "task/"+cluster+"/"+ref)
}

// GetTaskProtection answers the protection of a service's tasks.
func (s *Service) GetTaskProtection(ctx context.Context, c Call, in *types.GetTaskProtectionRequest) (*types.GetTaskProtectionResponse, error) {
	if len(in.Tasks) > 100 {
		return nil, errAtMost("tasks", 100)
	}
	out, err := s.protectable(ctx, c, in.Cluster, in.Tasks, nil)
	if err != nil {
		return nil, err
	}
	return &types.GetTaskProtectionResponse{ProtectedTasks: out.ProtectedTasks, Failures: out.Failures}, nil
}

// UpdateTaskProtection protects a service's tasks for expiresInMinutes
// (120 by default), renewing the expiration of those protected, or ends
// their protection.
func (s *Service) UpdateTaskProtection(ctx context.Context, c Call, in *types.UpdateTaskProtectionRequest) (*types.UpdateTaskProtectionResponse, error) {
	if len(in.Tasks) > 10 {
		return nil, errAtMost("tasks", 10)
	}
	minutes := int32(defaultProtection)
	if in.ExpiresInMinutes != nil && in.ProtectionEnabled {
		minutes = *in.ExpiresInMinutes
		if minutes < 1 || minutes > maxProtection {
			return nil, errProtectionMinutes()
		}
	}
	until := s.now().Add(time.Duration(minutes) * time.Minute)
	return s.protectable(ctx, c, in.Cluster, in.Tasks, func(r *taskRecord) {
		r.ProtectedUntil = nil
		if in.ProtectionEnabled {
			r.ProtectedUntil = &until
		}
	})
}
