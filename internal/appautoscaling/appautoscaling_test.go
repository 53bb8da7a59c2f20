package appautoscaling

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

const acct = "123456789012"

var (
	ctx  = context.Background()
	call = Call{Account: acct, Region: "us-east-1"}
	slr  = "arn:aws:iam::" + acct + ":role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
)

// fakeRoles stands in for IAM: the roles that exist, a denial to answer,
// and the calls made.
type fakeRoles struct {
	roles map[string]bool
	deny  error // answered by EnsureServiceLinkedRole and PassRole when set
	calls []string
}

func (f *fakeRoles) EnsureServiceLinkedRole(_ context.Context, c Call, principal string) (string, error) {
	f.calls = append(f.calls, "slr "+principal)
	if f.deny != nil {
		return "", f.deny
	}
	return "arn:aws:iam::" + c.Account + ":role/aws-service-role/" + principal + "/AWSServiceRoleForApplicationAutoScaling_ECSService", nil
}

func (f *fakeRoles) PassRole(_ context.Context, _ Call, roleArn string) error {
	f.calls = append(f.calls, "pass "+roleArn)
	if f.deny != nil {
		return f.deny
	}
	if !f.roles[roleArn] {
		return awserr.NoSuchEntity("The role with name %s cannot be found.", roleArn)
	}
	return nil
}

// fakeServices stands in for ECS as the service-linked role meets it:
// the services that exist, as "account/cluster/service", with their
// desired counts; a refusal to answer; the counts set.
type fakeServices struct {
	desired map[string]int32
	deny    error // answered by SetDesiredCount when set
	set     []string
}

func (f *fakeServices) ServiceExists(_ context.Context, c Call, cluster, service string) (bool, error) {
	_, ok := f.desired[c.Account+"/"+cluster+"/"+service]
	return ok, nil
}

func (f *fakeServices) DesiredCount(_ context.Context, c Call, cluster, service string) (int32, bool, error) {
	n, ok := f.desired[c.Account+"/"+cluster+"/"+service]
	return n, ok, nil
}

func (f *fakeServices) SetDesiredCount(_ context.Context, c Call, cluster, service string, n int32) error {
	k := c.Account + "/" + cluster + "/" + service
	f.set = append(f.set, fmt.Sprintf("%s=%d", k, n))
	if f.deny != nil {
		return f.deny
	}
	if _, ok := f.desired[k]; !ok {
		return awserr.New(http.StatusBadRequest, "ServiceNotFoundException", "Service not found.")
	}
	f.desired[k] = n
	return nil
}

func newService(t *testing.T) (*Service, *fakeRoles) {
	s, roles, _, _ := newFixture(t)
	return s, roles
}

// newFixture is a Service over the services default/web and prod/api of
// the account, each with one task wanted, and its clock.
func newFixture(t *testing.T) (*Service, *fakeRoles, *fakeServices, *ids.FixedClock) {
	t.Helper()
	roles := &fakeRoles{roles: map[string]bool{}}
	services := &fakeServices{desired: map[string]int32{acct + "/default/web": 1, acct + "/prod/api": 1}}
	clock := &ids.FixedClock{T: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := New(Config{Store: store.NewMemory(), Clock: clock, IDs: &ids.Sequence{}, Roles: roles, Services: services})
	return s, roles, services, clock
}

func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	e := awserr.As(err)
	if err == nil || e.Status != http.StatusBadRequest || e.Code != code || e.Message != msg {
		t.Fatalf("got %v, want 400 %s: %s", err, code, msg)
	}
}

func register(id string, min, max int32) *types.RegisterScalableTargetRequest {
	return &types.RegisterScalableTargetRequest{ServiceNamespace: "ecs", ResourceId: id, ScalableDimension: DimensionECS, MinCapacity: &min, MaxCapacity: &max}
}

func TestRegisterScalableTarget(t *testing.T) {
	s, roles := newService(t)
	out, err := s.RegisterScalableTarget(ctx, call, register("service/default/web", 1, 4))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.ScalableTargetARN, "arn:aws:application-autoscaling:us-east-1:"+acct+":scalable-target/") || len(out.ScalableTargetARN) != len("arn:aws:application-autoscaling:us-east-1:"+acct+":scalable-target/")+36 {
		t.Errorf("ARN %s", out.ScalableTargetARN)
	}
	if len(roles.calls) != 1 || roles.calls[0] != "slr "+PrincipalECSService {
		t.Errorf("calls %v", roles.calls)
	}
	// Updated in place: the same ARN; capacities merged; tags refused.
	max := int32(8)
	again, err := s.RegisterScalableTarget(ctx, call, &types.RegisterScalableTargetRequest{ServiceNamespace: "ecs", ResourceId: "service/default/web", ScalableDimension: DimensionECS, MaxCapacity: &max})
	if err != nil || again.ScalableTargetARN != out.ScalableTargetARN {
		t.Fatalf("again: %v %v", again, err)
	}
	in := register("service/default/web", 1, 2)
	in.Tags = map[string]string{"team": "blue"}
	_, err = s.RegisterScalableTarget(ctx, call, in)
	wantErr(t, err, "ValidationException", "The scalable target that you tried to tag already exists. To update tags on an existing scalable target, use the TagResource API.")

	got, err := s.DescribeScalableTargets(ctx, call, &types.DescribeScalableTargetsRequest{ServiceNamespace: "ecs"})
	if err != nil || len(got.ScalableTargets) != 1 {
		t.Fatalf("describe: %+v %v", got, err)
	}
	tg := got.ScalableTargets[0]
	if *tg.MinCapacity != 1 || *tg.MaxCapacity != 8 || tg.RoleARN != slr || tg.ResourceId != "service/default/web" ||
		*tg.SuspendedState.DynamicScalingInSuspended || tg.CreationTime == nil {
		t.Errorf("target %+v", tg)
	}

	// The cluster's ARN names the same target.
	byARN, err := s.RegisterScalableTarget(ctx, call, register("service/arn:aws:ecs:us-east-1:"+acct+":cluster/default/web", 2, 3))
	if err != nil || byARN.ScalableTargetARN != out.ScalableTargetARN {
		t.Fatalf("by cluster ARN: %v %v", byARN, err)
	}
}

func TestRegisterScalableTargetRefusals(t *testing.T) {
	s, roles := newService(t)
	cases := []struct {
		name      string
		in        *types.RegisterScalableTargetRequest
		code, msg string
	}{
		{"missing service", register("service/default/nope", 1, 2), "ValidationException", "ECS service doesn't exist: service/default/nope"},
		{"cluster of another account", register("service/arn:aws:ecs:us-east-1:999999999999:cluster/default/web", 1, 2),
			"ValidationException", "ECS service doesn't exist: service/arn:aws:ecs:us-east-1:999999999999:cluster/default/web"},
		{"not a service", register("task/default/web", 1, 2), "ValidationException", "Unsupported service namespace, resource type or scalable dimension"},
		{"no cluster", register("service/web", 1, 2), "ValidationException", "Unsupported service namespace, resource type or scalable dimension"},
		{"another namespace", &types.RegisterScalableTargetRequest{ServiceNamespace: "dynamodb", ResourceId: "table/t", ScalableDimension: "dynamodb:table:ReadCapacityUnits"},
			"ValidationException", "Unsupported service namespace, resource type or scalable dimension"},
		{"mismatched dimension", &types.RegisterScalableTargetRequest{ServiceNamespace: "ecs", ResourceId: "service/default/web", ScalableDimension: "dynamodb:table:ReadCapacityUnits"},
			"ValidationException", "Unsupported service namespace, resource type or scalable dimension"},
		{"no capacities", &types.RegisterScalableTargetRequest{ServiceNamespace: "ecs", ResourceId: "service/default/web", ScalableDimension: DimensionECS},
			"ValidationException", "MinCapacity and MaxCapacity are required to register a new scalable target"},
		{"min above max", register("service/default/web", 5, 2), "ValidationException", "MinCapacity (5) cannot be greater than MaxCapacity (2)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.RegisterScalableTarget(ctx, call, c.in)
			wantErr(t, err, c.code, c.msg)
		})
	}

	// A RoleARN is passed, and must name a role; the service-linked role
	// is used either way.
	in := register("service/default/web", 1, 2)
	in.RoleARN = "arn:aws:iam::" + acct + ":role/ecsAutoscaleRole"
	_, err := s.RegisterScalableTarget(ctx, call, in)
	wantErr(t, err, "ValidationException", "Unable to assume IAM role: "+in.RoleARN)
	roles.roles[in.RoleARN] = true
	if _, err := s.RegisterScalableTarget(ctx, call, in); err != nil {
		t.Fatal(err)
	}
	got, _ := s.DescribeScalableTargets(ctx, call, &types.DescribeScalableTargetsRequest{ServiceNamespace: "ecs"})
	if got.ScalableTargets[0].RoleARN != slr {
		t.Errorf("RoleARN %s, want the service-linked role", got.ScalableTargets[0].RoleARN)
	}

	// IAM's denial is Application Auto Scaling's AccessDeniedException.
	roles.deny = awserr.AccessDenied("User: x is not authorized to perform: iam:CreateServiceLinkedRole on resource: y")
	_, err = s.RegisterScalableTarget(ctx, call, register("service/prod/api", 1, 2))
	wantErr(t, err, "AccessDeniedException", "User: x is not authorized to perform: iam:CreateServiceLinkedRole on resource: y")
	got, _ = s.DescribeScalableTargets(ctx, call, &types.DescribeScalableTargetsRequest{ServiceNamespace: "ecs"})
	if len(got.ScalableTargets) != 1 {
		t.Errorf("a refused registration left a target: %+v", got.ScalableTargets)
	}
}

func TestPoliciesAndScheduledActions(t *testing.T) {
	s, _ := newService(t)
	id := "service/default/web"
	step := &types.PutScalingPolicyRequest{PolicyName: "step", ServiceNamespace: "ecs", ResourceId: id, ScalableDimension: DimensionECS,
		StepScalingPolicyConfiguration: &types.StepScalingPolicyConfiguration{AdjustmentType: "ChangeInCapacity", StepAdjustments: []types.StepAdjustment{{ScalingAdjustment: ptr[int32](1)}}}}
	_, err := s.PutScalingPolicy(ctx, call, step)
	wantErr(t, err, "ObjectNotFoundException", "No scalable target registered for service namespace: ecs, resource ID: service/default/web, scalable dimension: ecs:service:DesiredCount")
	if _, err := s.RegisterScalableTarget(ctx, call, register(id, 1, 4)); err != nil {
		t.Fatal(err)
	}
	out, err := s.PutScalingPolicy(ctx, call, step)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.PolicyARN, "arn:aws:autoscaling:us-east-1:"+acct+":scalingPolicy:") || !strings.HasSuffix(out.PolicyARN, ":resource/ecs/service/default/web:policyName/step") || len(out.Alarms) != 0 {
		t.Errorf("step policy %+v", out)
	}
	tt, err := s.PutScalingPolicy(ctx, call, &types.PutScalingPolicyRequest{PolicyName: "cpu", ServiceNamespace: "ecs", ResourceId: id, ScalableDimension: DimensionECS,
		PolicyType: "TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration: &types.TargetTrackingScalingPolicyConfiguration{TargetValue: ptr(75.0),
			PredefinedMetricSpecification: &types.PredefinedMetricSpecification{PredefinedMetricType: "ECSServiceAverageCPUUtilization"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tt.Alarms) != 2 || !strings.HasPrefix(tt.Alarms[0].AlarmName, "TargetTracking-service/default/web-AlarmHigh-") ||
		tt.Alarms[1].AlarmARN != "arn:aws:cloudwatch:us-east-1:"+acct+":alarm:"+tt.Alarms[1].AlarmName || !strings.Contains(tt.Alarms[1].AlarmName, "-AlarmLow-") {
		t.Errorf("alarms %+v", tt.Alarms)
	}
	// Updating keeps the ARN and the alarms.
	again, err := s.PutScalingPolicy(ctx, call, &types.PutScalingPolicyRequest{PolicyName: "cpu", ServiceNamespace: "ecs", ResourceId: id, ScalableDimension: DimensionECS,
		TargetTrackingScalingPolicyConfiguration: &types.TargetTrackingScalingPolicyConfiguration{TargetValue: ptr(50.0),
			PredefinedMetricSpecification: &types.PredefinedMetricSpecification{PredefinedMetricType: "ECSServiceAverageCPUUtilization"}}})
	if err != nil || again.PolicyARN != tt.PolicyARN || again.Alarms[0] != tt.Alarms[0] {
		t.Fatalf("update: %+v %v", again, err)
	}
	_, err = s.PutScalingPolicy(ctx, call, &types.PutScalingPolicyRequest{PolicyName: "bare", ServiceNamespace: "ecs", ResourceId: id, ScalableDimension: DimensionECS, PolicyType: "TargetTrackingScaling"})
	wantErr(t, err, "ValidationException", "TargetTrackingScalingPolicyConfiguration is required for a policy of type TargetTrackingScaling")

	pols, err := s.DescribeScalingPolicies(ctx, call, &types.DescribeScalingPoliciesRequest{ServiceNamespace: "ecs", ResourceId: id, MaxResults: ptr[int32](1)})
	if err != nil || len(pols.ScalingPolicies) != 1 || pols.ScalingPolicies[0].PolicyName != "cpu" || *pols.ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration.TargetValue != 50 || pols.NextToken == "" {
		t.Fatalf("first page %+v %v", pols, err)
	}
	pols, err = s.DescribeScalingPolicies(ctx, call, &types.DescribeScalingPoliciesRequest{ServiceNamespace: "ecs", NextToken: pols.NextToken})
	if err != nil || len(pols.ScalingPolicies) != 1 || pols.ScalingPolicies[0].PolicyName != "step" || pols.NextToken != "" {
		t.Fatalf("second page %+v %v", pols, err)
	}
	_, err = s.DescribeScalingPolicies(ctx, call, &types.DescribeScalingPoliciesRequest{ServiceNamespace: "ecs", NextToken: "!"})
	wantErr(t, err, "InvalidNextTokenException", "The NextToken is not valid.")

	// Scheduled actions.
	sched := &types.PutScheduledActionRequest{ServiceNamespace: "ecs", ScheduledActionName: "night", ResourceId: id, ScalableDimension: DimensionECS, Schedule: "cron(0 22 * * ? *)"}
	_, err = s.PutScheduledAction(ctx, call, sched)
	wantErr(t, err, "ValidationException", "At least one of minimum capacity and maximum capacity should be provided")
	sched.ScalableTargetAction = &types.ScalableTargetAction{MinCapacity: ptr[int32](0), MaxCapacity: ptr[int32](0)}
	if _, err := s.PutScheduledAction(ctx, call, sched); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutScheduledAction(ctx, call, &types.PutScheduledActionRequest{ServiceNamespace: "ecs", ScheduledActionName: "night", ResourceId: id, ScalableDimension: DimensionECS, Timezone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	acts, err := s.DescribeScheduledActions(ctx, call, &types.DescribeScheduledActionsRequest{ServiceNamespace: "ecs"})
	if err != nil || len(acts.ScheduledActions) != 1 {
		t.Fatalf("scheduled %+v %v", acts, err)
	}
	a := acts.ScheduledActions[0]
	if a.Schedule != "cron(0 22 * * ? *)" || a.Timezone != "Europe/London" || *a.ScalableTargetAction.MaxCapacity != 0 ||
		!strings.HasSuffix(a.ScheduledActionARN, ":resource/ecs/service/default/web:scheduledActionName/night") || !strings.Contains(a.ScheduledActionARN, ":scheduledAction:") {
		t.Errorf("scheduled action %+v", a)
	}

	// Deregistering takes the policies and scheduled actions with it.
	if _, err := s.DeregisterScalableTarget(ctx, call, &types.DeregisterScalableTargetRequest{ServiceNamespace: "ecs", ResourceId: id, ScalableDimension: DimensionECS}); err != nil {
		t.Fatal(err)
	}
	pols, _ = s.DescribeScalingPolicies(ctx, call, &types.DescribeScalingPoliciesRequest{ServiceNamespace: "ecs"})
	acts, _ = s.DescribeScheduledActions(ctx, call, &types.DescribeScheduledActionsRequest{ServiceNamespace: "ecs"})
	if len(pols.ScalingPolicies)+len(acts.ScheduledActions) != 0 {
		t.Errorf("left behind: %+v %+v", pols, acts)
	}
	_, err = s.DeregisterScalableTarget(ctx, call, &types.DeregisterScalableTargetRequest{ServiceNamespace: "ecs", ResourceId: id, ScalableDimension: DimensionECS})
	wantErr(t, err, "ObjectNotFoundException", "No scalable target found for service namespace: ecs, resource ID: service/default/web, scalable dimension: ecs:service:DesiredCount")
	_, err = s.DeleteScalingPolicy(ctx, call, &types.DeleteScalingPolicyRequest{PolicyName: "cpu", ServiceNamespace: "ecs", ResourceId: id, ScalableDimension: DimensionECS})
	wantErr(t, err, "ObjectNotFoundException", "No scaling policy found for service namespace: ecs, resource ID: service/default/web, scalable dimension: ecs:service:DesiredCount, policy name: cpu")
}

func TestTagsAndUsage(t *testing.T) {
	s, _ := newService(t)
	in := register("service/prod/api", 1, 2)
	in.Tags = map[string]string{"team": "blue"}
	out, err := s.RegisterScalableTarget(ctx, call, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TagResource(ctx, call, &types.TagResourceRequest{ResourceARN: out.ScalableTargetARN, Tags: map[string]string{"env": "prod"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UntagResource(ctx, call, &types.UntagResourceRequest{ResourceARN: out.ScalableTargetARN, TagKeys: []string{"team", "none"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := s.ListTagsForResource(ctx, call, &types.ListTagsForResourceRequest{ResourceARN: out.ScalableTargetARN})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "prod" {
		t.Errorf("tags %+v %v", tags, err)
	}
	arn, rt, err := s.TargetOf(ctx, call, "ecs", "service/arn:aws:ecs:us-east-1:"+acct+":cluster/prod/api", DimensionECS)
	if err != nil || arn != out.ScalableTargetARN || rt["env"] != "prod" {
		t.Errorf("TargetOf: %s %v %v", arn, rt, err)
	}
	other := call
	other.Region = "eu-west-1"
	_, err = s.ListTagsForResource(ctx, other, &types.ListTagsForResourceRequest{ResourceARN: out.ScalableTargetARN})
	wantErr(t, err, "ResourceNotFoundException", "The specified resource could not be found.")
	many := map[string]string{}
	for i := range maxTags {
		many["k"+strings.Repeat("x", i)] = "v"
	}
	_, err = s.TagResource(ctx, call, &types.TagResourceRequest{ResourceARN: out.ScalableTargetARN, Tags: many})
	wantErr(t, err, "TooManyTagsException", "The request contains too many tags. Try the request again with fewer tags.")

	used, err := s.RoleUsage(ctx, acct, PrincipalECSService)
	if err != nil || len(used["us-east-1"]) != 1 || used["us-east-1"][0] != out.ScalableTargetARN {
		t.Errorf("usage %v %v", used, err)
	}
	if used, _ := s.RoleUsage(ctx, acct, "ecs.amazonaws.com"); used != nil {
		t.Errorf("another principal's usage %v", used)
	}
}

// FuzzResourceID: whatever a request names, reading it answers without a
// panic; an ECS service it reads is named again by its canonical ID; and
// a target's ARN is the same for every spelling of it.
func FuzzResourceID(f *testing.F) {
	for _, s := range []string{"service/default/web", "service/arn:aws:ecs:us-east-1:" + acct + ":cluster/prod/api", "service/arn:aws:ecs:eu-west-1:1:cluster/x/y",
		"service/", "service//", "service/a/b/c", "service/arn:", "table/t", "service/arn:aws:ecs:us-east-1:" + acct + ":cluster//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		r := refOf(call, NamespaceECS, id, DimensionECS)
		if !r.ecs {
			return
		}
		again := refOf(call, NamespaceECS, r.canonicalID(), DimensionECS)
		if !again.ecs || again.key != r.key || again.arn(call) != r.arn(call) {
			t.Fatalf("%q reads as %+v, its canonical ID %q as %+v", id, r, r.canonicalID(), again)
		}
	})
}
