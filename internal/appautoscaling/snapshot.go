package appautoscaling

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/store"
)

// RegionState is what a state file carries of an account's Application
// Auto Scaling in one Region (internal/statefile): its scalable targets,
// with their tags, scaling policies and scheduled actions, each as
// DescribeScalableTargets, DescribeScalingPolicies and
// DescribeScheduledActions list them, in their order. Scaling activities
// are not carried: they are what ran.
type RegionState struct {
	ScalableTargets  []TargetState
	ScalingPolicies  []types.ScalingPolicy
	ScheduledActions []types.ScheduledAction
}

// TargetState is a scalable target with its tags (ListTagsForResource).
type TargetState struct {
	types.ScalableTarget
	Tags map[string]string
}

// State is what a state file carries of an account's Application Auto
// Scaling, by Region; an account with none has an empty map.
func (s *Service) State(ctx context.Context, account string) (map[string]*RegionState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if account == "" {
		return nil, errors.New("appautoscaling: account required")
	}
	out := map[string]*RegionState{}
	region := func(key string) *RegionState {
		r, _, _ := strings.Cut(strings.TrimPrefix(key, account+"/"), "/")
		if out[r] == nil {
			out[r] = &RegionState{}
		}
		return out[r]
	}
	err := s.st.View(func(tx store.Tx) error {
		clear(out)
		prefix := account + "/"
		err := store.ScanJSON(tx, bucketTargets, prefix, func(k string, r *targetRecord) bool {
			rs := region(k)
			rs.ScalableTargets = append(rs.ScalableTargets, TargetState{ScalableTarget: r.wire(), Tags: maps.Clone(r.Tags)})
			return true
		})
		if err != nil {
			return err
		}
		err = store.ScanJSON(tx, bucketPolicies, prefix, func(k string, r *policyRecord) bool {
			rs := region(k)
			rs.ScalingPolicies = append(rs.ScalingPolicies, r.wire())
			return true
		})
		if err != nil {
			return err
		}
		return store.ScanJSON(tx, bucketScheduled, prefix, func(k string, r *scheduledRecord) bool {
			rs := region(k)
			rs.ScheduledActions = append(rs.ScheduledActions, r.wire())
			return true
		})
	})
	return out, err
}

// Accounts are the accounts that have scalable targets, in order (a
// policy or scheduled action is a target's).
func (s *Service) Accounts(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return store.KeyedAccounts(s.st, bucketTargets)
}
