package appautoscaling

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

func putAction(t *testing.T, s *Service, c Call, id, name, schedule string, min, max *int32, mod ...func(*types.PutScheduledActionRequest)) {
	t.Helper()
	in := &types.PutScheduledActionRequest{ServiceNamespace: "ecs", ScheduledActionName: name, ResourceId: id, ScalableDimension: DimensionECS,
		Schedule: schedule, ScalableTargetAction: &types.ScalableTargetAction{MinCapacity: min, MaxCapacity: max}}
	for _, m := range mod {
		m(in)
	}
	if _, err := s.PutScheduledAction(ctx, c, in); err != nil {
		t.Fatal(err)
	}
}

func mustRegister(t *testing.T, s *Service, c Call, id string, min, max int32) {
	t.Helper()
	if _, err := s.RegisterScalableTarget(ctx, c, register(id, min, max)); err != nil {
		t.Fatal(err)
	}
}

func runDue(t *testing.T, s *Service) {
	t.Helper()
	if err := s.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
}

// activityLine is an activity as one line: status, description, cause,
// message.
func activityLine(a types.ScalingActivity) string {
	end := ""
	if a.EndTime != nil {
		end = " (ended)"
	}
	return a.StatusCode + end + " | " + a.Description + " | " + a.Cause + " | " + a.StatusMessage
}

func activities(t *testing.T, s *Service, c Call, resourceID string) []string {
	t.Helper()
	out, err := s.DescribeScalingActivities(ctx, c, &types.DescribeScalingActivitiesRequest{ServiceNamespace: "ecs", ResourceId: resourceID})
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{}
	for _, a := range out.ScalingActivities {
		if a.ResourceId == "" || a.ServiceNamespace != "ecs" || a.ScalableDimension != DimensionECS || a.ActivityId == "" || a.StartTime == nil {
			t.Errorf("activity %+v", a)
		}
		lines = append(lines, activityLine(a))
	}
	return lines
}

func target(t *testing.T, s *Service, c Call, id string) types.ScalableTarget {
	t.Helper()
	got, err := s.DescribeScalableTargets(ctx, c, &types.DescribeScalableTargetsRequest{ServiceNamespace: "ecs", ResourceIds: []string{id}})
	if err != nil || len(got.ScalableTargets) != 1 {
		t.Fatalf("target %s: %+v %v", id, got, err)
	}
	return got.ScalableTargets[0]
}

func wantLines(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// A one-time action raises the minimum above the service's desired count
// at its time, not before: the target's capacities change, the service
// scales out to the minimum, and both are activities, in AWS's words.
func TestScheduledActionScalesOut(t *testing.T) {
	s, _, services, clock := newFixture(t)
	const id = "service/default/web"
	mustRegister(t, s, call, id, 1, 4)
	putAction(t, s, call, id, "rush", "at(2026-03-01T12:05:00)", ptr[int32](3), nil)

	clock.Advance(4 * time.Minute)
	runDue(t, s)
	if len(services.set) != 0 || len(activities(t, s, call, "")) != 0 {
		t.Fatalf("ran early: %v", services.set)
	}
	clock.Advance(time.Minute)
	runDue(t, s)
	if strings.Join(services.set, " ") != acct+"/default/web=3" {
		t.Errorf("set %v", services.set)
	}
	if tg := target(t, s, call, id); *tg.MinCapacity != 3 || *tg.MaxCapacity != 4 {
		t.Errorf("target %+v", tg)
	}
	wantLines(t, "activities", activities(t, s, call, id),
		"Successful (ended) | Setting desired count to 3. | minimum capacity was set to 3 | Successfully set desired count to 3. Change successfully fulfilled by ecs.",
		"Successful | Setting min capacity to 3 | scheduled action name rush was triggered | Successfully set min capacity to 3")
	// Once only.
	clock.Advance(time.Hour)
	runDue(t, s)
	if len(services.set) != 1 || len(activities(t, s, call, id)) != 2 {
		t.Errorf("ran again: %v", services.set)
	}
}

// TestScheduledActionRunsAtItsInstant: RunDue's look at the clock before
// it rounds it to the millisecond answers as the rounded one: nothing a
// nanosecond before the action's time, the action at it.
func TestScheduledActionRunsAtItsInstant(t *testing.T) {
	s, _, services, clock := newFixture(t)
	const id = "service/default/web"
	mustRegister(t, s, call, id, 1, 4)
	putAction(t, s, call, id, "rush", "at(2026-03-01T12:05:00)", ptr[int32](3), nil)
	for _, d := range []time.Duration{time.Minute, 4*time.Minute - time.Nanosecond} {
		clock.Advance(d)
		runDue(t, s)
		if len(services.set) != 0 {
			t.Fatalf("ran at %s: %v", clock.Now().Format(time.RFC3339Nano), services.set)
		}
	}
	clock.Advance(time.Nanosecond)
	runDue(t, s)
	if strings.Join(services.set, " ") != acct+"/default/web=3" {
		t.Errorf("at its time: set %v", services.set)
	}
}

// A recurring action that lowers the maximum scales in; missed times run
// once, for the last of them; the desired count already within the
// capacities is left alone, and only the capacities' activity is
// recorded.
func TestRecurringActionScalesIn(t *testing.T) {
	s, _, services, clock := newFixture(t)
	const id = "service/prod/api"
	services.desired[acct+"/prod/api"] = 5
	mustRegister(t, s, call, id, 1, 10)
	putAction(t, s, call, id, "night", "rate(10 minutes)", ptr[int32](0), ptr[int32](2))

	clock.Advance(35 * time.Minute)
	runDue(t, s)
	if strings.Join(services.set, " ") != acct+"/prod/api=2" {
		t.Errorf("set %v", services.set)
	}
	wantLines(t, "after the first run", activities(t, s, call, id),
		"Successful (ended) | Setting desired count to 2. | maximum capacity was set to 2 | Successfully set desired count to 2. Change successfully fulfilled by ecs.",
		"Successful | Setting min capacity to 0 and max capacity to 2 | scheduled action name night was triggered | Successfully set min capacity to 0 and max capacity to 2")
	out, _ := s.DescribeScalingActivities(ctx, call, &types.DescribeScalingActivitiesRequest{ServiceNamespace: "ecs"})
	if at := out.ScalingActivities[1].StartTime; !at.Equal(time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)) {
		t.Errorf("the missed times ran for the last one, 12:30; ran for %v", at)
	}
	clock.Advance(10 * time.Minute)
	runDue(t, s)
	if len(services.set) != 1 {
		t.Errorf("set %v", services.set)
	}
	if got := activities(t, s, call, id); len(got) != 3 || !strings.HasPrefix(got[0], "Successful | Setting min capacity to 0 and max capacity to 2 |") {
		t.Errorf("activities %v", got)
	}
}

// While scheduled scaling is suspended, the actions' times pass without
// them; resumed, only the times to come run.
func TestScheduledScalingSuspended(t *testing.T) {
	s, _, services, clock := newFixture(t)
	const id = "service/default/web"
	mustRegister(t, s, call, id, 1, 4)
	yes, no := true, false
	if _, err := s.RegisterScalableTarget(ctx, call, &types.RegisterScalableTargetRequest{ServiceNamespace: "ecs", ResourceId: id, ScalableDimension: DimensionECS,
		SuspendedState: &types.SuspendedState{ScheduledScalingSuspended: &yes}}); err != nil {
		t.Fatal(err)
	}
	putAction(t, s, call, id, "hourly", "cron(0 * * * ? *)", ptr[int32](2), nil)
	clock.Advance(90 * time.Minute)
	runDue(t, s)
	if len(services.set) != 0 || len(activities(t, s, call, id)) != 0 || *target(t, s, call, id).MinCapacity != 1 {
		t.Fatalf("ran while suspended: %v", services.set)
	}
	if _, err := s.RegisterScalableTarget(ctx, call, &types.RegisterScalableTargetRequest{ServiceNamespace: "ecs", ResourceId: id, ScalableDimension: DimensionECS,
		SuspendedState: &types.SuspendedState{ScheduledScalingSuspended: &no}}); err != nil {
		t.Fatal(err)
	}
	runDue(t, s)
	if len(services.set) != 0 {
		t.Fatalf("a passed time ran: %v", services.set)
	}
	clock.Advance(30 * time.Minute)
	runDue(t, s)
	if strings.Join(services.set, " ") != acct+"/default/web=2" {
		t.Errorf("set %v", services.set)
	}
}

// A refusal, of the role or of ECS, is a failed activity with AWS's
// reason; the capacities are set all the same.
func TestScalingRefused(t *testing.T) {
	s, _, services, clock := newFixture(t)
	const id = "service/default/web"
	mustRegister(t, s, call, id, 1, 4)
	denial := "User: arn:aws:sts::" + acct + ":assumed-role/AWSServiceRoleForApplicationAutoScaling_ECSService/ecs-service-scheduler is not authorized to perform: ecs:UpdateService on resource: arn:aws:ecs:us-east-1:" + acct + ":service/default/web with an explicit deny in a service control policy"
	services.deny = awserr.New(http.StatusBadRequest, "AccessDeniedException", "%s", denial)
	putAction(t, s, call, id, "rush", "at(2026-03-01T12:01:00)", ptr[int32](3), nil)
	clock.Advance(time.Minute)
	runDue(t, s)
	wantLines(t, "refused", activities(t, s, call, id),
		"Failed (ended) | Setting desired count to 3. | minimum capacity was set to 3 | Failed to set desired count to 3. Reason: "+denial,
		"Successful | Setting min capacity to 3 | scheduled action name rush was triggered | Successfully set min capacity to 3")
	if services.desired[acct+"/default/web"] != 1 || *target(t, s, call, id).MinCapacity != 3 {
		t.Errorf("desired %v, target %+v", services.desired, target(t, s, call, id))
	}

	// The service gone: ECS's own answer.
	services.deny = nil
	delete(services.desired, acct+"/default/web")
	putAction(t, s, call, id, "more", "at(2026-03-01T12:02:00)", ptr[int32](4), nil)
	clock.Advance(time.Minute)
	runDue(t, s)
	if got := activities(t, s, call, id); len(got) != 4 || got[0] != "Failed (ended) | Setting desired count to 4. | minimum capacity was set to 4 | Failed to set desired count to 4. Reason: Service not found." {
		t.Errorf("service gone: %v", got)
	}

	// A minimum above the maximum is not set.
	putAction(t, s, call, id, "bad", "at(2026-03-01T12:03:00)", ptr[int32](9), nil)
	clock.Advance(time.Minute)
	runDue(t, s)
	if got := activities(t, s, call, id); len(got) != 5 || got[0] != "Failed | Setting min capacity to 9 | scheduled action name bad was triggered | Failed to set min capacity to 9. Reason: MinCapacity (9) cannot be greater than MaxCapacity (4)" {
		t.Errorf("min above max: %v", got)
	}
	if tg := target(t, s, call, id); *tg.MinCapacity != 4 {
		t.Errorf("target %+v", tg)
	}
}

// Registering a minimum above the desired count scales out at once, as
// the role; the capacities set by hand are no activity of their own.
func TestRegisterScalesWithin(t *testing.T) {
	s, _, services, _ := newFixture(t)
	mustRegister(t, s, call, "service/default/web", 2, 4)
	wantLines(t, "activities", activities(t, s, call, ""),
		"Successful (ended) | Setting desired count to 2. | minimum capacity was set to 2 | Successfully set desired count to 2. Change successfully fulfilled by ecs.")
	max := int32(1)
	min := int32(0)
	if _, err := s.RegisterScalableTarget(ctx, call, &types.RegisterScalableTargetRequest{ServiceNamespace: "ecs", ResourceId: "service/default/web", ScalableDimension: DimensionECS, MinCapacity: &min, MaxCapacity: &max}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(services.set, " ") != acct+"/default/web=2 "+acct+"/default/web=1" {
		t.Errorf("set %v", services.set)
	}
	// Within: nothing to do.
	mustRegister(t, s, call, "service/prod/api", 0, 3)
	if len(services.set) != 2 || len(activities(t, s, call, "service/prod/api")) != 0 {
		t.Errorf("set %v", services.set)
	}
}

// Each account's and Region's actions scale their own services only.
func TestScheduledActionsStayInTheirAccount(t *testing.T) {
	s, _, services, clock := newFixture(t)
	other := Call{Account: "210987654321", Region: "us-east-1"}
	services.desired[other.Account+"/default/web"] = 1
	mustRegister(t, s, other, "service/default/web", 1, 4)
	mustRegister(t, s, call, "service/default/web", 1, 4)
	putAction(t, s, other, "service/default/web", "rush", "at(2026-03-01T12:01:00)", ptr[int32](3), nil)
	clock.Advance(time.Minute)
	runDue(t, s)
	if strings.Join(services.set, " ") != other.Account+"/default/web=3" || services.desired[acct+"/default/web"] != 1 {
		t.Errorf("set %v", services.set)
	}
	if got := activities(t, s, call, ""); len(got) != 0 {
		t.Errorf("the account's activities %v", got)
	}
	if got := activities(t, s, other, ""); len(got) != 2 {
		t.Errorf("the other account's activities %v", got)
	}
	west := Call{Account: acct, Region: "eu-west-1"}
	if got := activities(t, s, west, ""); len(got) != 0 {
		t.Errorf("another Region's activities %v", got)
	}
}

// A schedule or time zone rolecall cannot read is refused when put.
func TestPutScheduledActionChecksTheSchedule(t *testing.T) {
	s, _ := newService(t)
	const id = "service/default/web"
	mustRegister(t, s, call, id, 1, 4)
	in := &types.PutScheduledActionRequest{ServiceNamespace: "ecs", ScheduledActionName: "x", ResourceId: id, ScalableDimension: DimensionECS,
		Schedule: "cron(0 10 * * *)", ScalableTargetAction: &types.ScalableTargetAction{MinCapacity: ptr[int32](1)}}
	_, err := s.PutScheduledAction(ctx, call, in)
	wantErr(t, err, "ValidationException", "Invalid schedule expression: cron expressions have six fields: Minutes Hours Day-of-month Month Day-of-week Year (5 given)")
	in.Schedule, in.Timezone = "cron(0 10 * * ? *)", "Mars/Olympus"
	_, err = s.PutScheduledAction(ctx, call, in)
	wantErr(t, err, "ValidationException", `Invalid time zone: "Mars/Olympus" is not a time zone`)
	acts, _ := s.DescribeScheduledActions(ctx, call, &types.DescribeScheduledActionsRequest{ServiceNamespace: "ecs"})
	if len(acts.ScheduledActions) != 0 {
		t.Errorf("kept %+v", acts.ScheduledActions)
	}
}

// Activities are described newest first, a page at a time, for six weeks.
func TestActivitiesPagedAndForgotten(t *testing.T) {
	s, _, _, clock := newFixture(t)
	const id = "service/default/web"
	mustRegister(t, s, call, id, 1, 4)
	putAction(t, s, call, id, "tick", "rate(1 day)", nil, ptr[int32](3))
	for range 3 {
		clock.Advance(24 * time.Hour)
		runDue(t, s)
	}
	var starts []time.Time
	out, err := s.DescribeScalingActivities(ctx, call, &types.DescribeScalingActivitiesRequest{ServiceNamespace: "ecs", MaxResults: ptr[int32](2)})
	for err == nil {
		for _, a := range out.ScalingActivities {
			starts = append(starts, *a.StartTime)
		}
		if out.NextToken == "" {
			break
		}
		out, err = s.DescribeScalingActivities(ctx, call, &types.DescribeScalingActivitiesRequest{ServiceNamespace: "ecs", MaxResults: ptr[int32](2), NextToken: out.NextToken})
	}
	if err != nil || len(starts) != 3 || !starts[0].After(starts[1]) || !starts[1].After(starts[2]) {
		t.Errorf("starts %v %v", starts, err)
	}
	clock.Advance(activityRetention - time.Minute)
	if got := activities(t, s, call, id); len(got) != 1 {
		t.Errorf("after six weeks: %v", got)
	}
	if got := activities(t, s, call, "service/prod/api"); len(got) != 0 {
		t.Errorf("another target's: %v", got)
	}
	// The next activities recorded (tick's last missed day, and tock's two)
	// forget those older than six weeks.
	clock.Advance(time.Hour)
	putAction(t, s, call, id, "tock", "at(2026-04-15T13:00:00)", ptr[int32](2), nil)
	clock.Advance(24 * time.Hour)
	runDue(t, s)
	kept := 0
	if err := s.st.View(func(tx store.Tx) error {
		return tx.Scan(bucketActivities, "", "", func(string, []byte) bool { kept++; return true })
	}); err != nil {
		t.Fatal(err)
	}
	if got := activities(t, s, call, id); kept != len(got) || len(got) != 3 {
		t.Errorf("%d kept, %d described: %v", kept, len(got), got)
	}
}

// BenchmarkRunDueAsleep: what every request pays to learn that no
// scheduled action is due (issue 18).
func BenchmarkRunDueAsleep(b *testing.B) {
	s := New(Config{Store: store.NewMemory(), Clock: ids.SystemClock{}, IDs: &ids.Sequence{}, Roles: &fakeRoles{roles: map[string]bool{}}, Services: &fakeServices{desired: map[string]int32{}}})
	if err := s.RunDue(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.RunDue(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
