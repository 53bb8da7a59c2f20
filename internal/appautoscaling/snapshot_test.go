package appautoscaling

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

// TestPausedScalesNothing: a paused Service (a state import's) registers
// a target without bringing its service's desired count within it, and
// runs no scheduled action, whatever the clock says; the same state read
// by a Service that is not paused runs it.
func TestPausedScalesNothing(t *testing.T) {
	st := store.NewMemory()
	services := &fakeServices{desired: map[string]int32{acct + "/prod/api": 1}}
	clock := &ids.FixedClock{T: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	cfg := Config{Store: st, Clock: clock, IDs: &ids.Sequence{}, Roles: &fakeRoles{}, Services: services, Paused: true}
	paused := New(cfg)
	mustRegister(t, paused, call, "service/prod/api", 2, 5)
	putAction(t, paused, call, "service/prod/api", "soon", "at(2026-03-01T12:01:00)", ptr[int32](4), nil)
	clock.Advance(2 * time.Minute)
	runDue(t, paused)
	if len(services.set) != 0 || services.desired[acct+"/prod/api"] != 1 {
		t.Errorf("a paused Service scaled: %v", services.set)
	}
	if got := activities(t, paused, call, "service/prod/api"); len(got) != 0 {
		t.Errorf("activities %v", got)
	}

	cfg.Paused = false
	runDue(t, New(cfg))
	if !slices.Equal(services.set, []string{acct + "/prod/api=4"}) {
		t.Errorf("the live Service set %v, want the action's minimum", services.set)
	}
}

// TestState: an account's targets with their tags, policies and
// scheduled actions by Region, as the Describe operations list them; the
// accounts that have targets.
func TestState(t *testing.T) {
	s, _, services, _ := newFixture(t)
	services.desired["111122223333/prod/api"] = 1
	west := Call{Account: acct, Region: "us-west-2"}
	in := register("service/prod/api", 1, 4)
	in.Tags = map[string]string{"team": "a"}
	for _, c := range []Call{call, west} {
		if _, err := s.RegisterScalableTarget(ctx, c, in); err != nil {
			t.Fatal(err)
		}
	}
	mustRegister(t, s, call, "service/default/web", 1, 2)
	mustRegister(t, s, Call{Account: "111122223333", Region: "us-east-1"}, "service/prod/api", 1, 2)
	step := &types.StepScalingPolicyConfiguration{AdjustmentType: "ChangeInCapacity", StepAdjustments: []types.StepAdjustment{{ScalingAdjustment: ptr[int32](1)}}}
	if _, err := s.PutScalingPolicy(ctx, call, &types.PutScalingPolicyRequest{PolicyName: "up", ServiceNamespace: "ecs", ResourceId: "service/prod/api",
		ScalableDimension: DimensionECS, StepScalingPolicyConfiguration: step}); err != nil {
		t.Fatal(err)
	}
	putAction(t, s, west, "service/prod/api", "nightly", "cron(0 22 * * ? *)", nil, ptr[int32](2))

	got, err := s.State(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["us-east-1"] == nil || got["us-west-2"] == nil {
		t.Fatalf("regions %v", got)
	}
	for c, rs := range map[Call]*RegionState{call: got["us-east-1"], west: got["us-west-2"]} {
		targets, _ := s.DescribeScalableTargets(ctx, c, &types.DescribeScalableTargetsRequest{ServiceNamespace: "ecs"})
		policies, _ := s.DescribeScalingPolicies(ctx, c, &types.DescribeScalingPoliciesRequest{ServiceNamespace: "ecs"})
		actions, _ := s.DescribeScheduledActions(ctx, c, &types.DescribeScheduledActionsRequest{ServiceNamespace: "ecs"})
		var listed []types.ScalableTarget
		for _, ts := range rs.ScalableTargets {
			listed = append(listed, ts.ScalableTarget)
			tags, _ := s.ResourceTags(ctx, c, ts.ScalableTargetARN)
			if !reflect.DeepEqual(ts.Tags, tags) {
				t.Errorf("%s %s: tags %v, ListTagsForResource %v", c.Region, ts.ResourceId, ts.Tags, tags)
			}
		}
		if !sameList(listed, targets.ScalableTargets) || !sameList(rs.ScalingPolicies, policies.ScalingPolicies) ||
			!sameList(rs.ScheduledActions, actions.ScheduledActions) {
			t.Errorf("%s: State %+v\ndescribed %+v %+v %+v", c.Region, rs, targets, policies, actions)
		}
	}
	if len(got["us-east-1"].ScalableTargets) != 2 || len(got["us-east-1"].ScalingPolicies) != 1 || len(got["us-west-2"].ScheduledActions) != 1 {
		t.Errorf("State %+v %+v", got["us-east-1"], got["us-west-2"])
	}
	if accounts, err := s.Accounts(ctx); err != nil || !slices.Equal(accounts, []string{"111122223333", acct}) {
		t.Errorf("accounts %v %v", accounts, err)
	}
}

// sameList: the same elements (none is none, nil or empty).
func sameList[T any](a, b []T) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}
