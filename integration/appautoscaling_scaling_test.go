package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Application Auto Scaling scales: a scheduled action runs at its time,
// by rolecall's clock (the test moves it; the next request sees what
// the time did), sets the target's capacities and, acting as
// AWSServiceRoleForApplicationAutoScaling_ECSService, brings the ECS
// service's desired count within them; each step is a scaling activity
// in AWS's words (internal/appautoscaling/activities.go has the sources).

// atIn is an at() expression d after the clock's time, to the second.
func atIn(e *aasEnv, d time.Duration) string {
	return "at(" + e.clock.Now().UTC().Add(d).Format("2006-01-02T15:04:05") + ")"
}

func putScheduled(t *testing.T, c *aas.Client, resourceID, name, schedule string, min, max *int32) {
	t.Helper()
	must(c.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ScheduledActionName: aws.String(name),
		ResourceId: aws.String(resourceID), ScalableDimension: ecsDesired, Schedule: aws.String(schedule),
		ScalableTargetAction: &aastypes.ScalableTargetAction{MinCapacity: min, MaxCapacity: max}}))(t)
}

// scalingActivities are a target's activities, newest first, each as
// "StatusCode | Description | Cause | StatusMessage".
func scalingActivities(t *testing.T, c *aas.Client, resourceID string) []string {
	t.Helper()
	out := must(c.DescribeScalingActivities(ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(resourceID)}))(t)
	lines := []string{}
	for _, a := range out.ScalingActivities {
		if aws.ToString(a.ResourceId) != resourceID || a.ScalableDimension != ecsDesired || aws.ToString(a.ActivityId) == "" || a.StartTime == nil {
			t.Errorf("activity %+v", a)
		}
		lines = append(lines, string(a.StatusCode)+" | "+aws.ToString(a.Description)+" | "+aws.ToString(a.Cause)+" | "+aws.ToString(a.StatusMessage))
	}
	return lines
}

func desiredCount(t *testing.T, c *ecs.Client, cluster, service string) int32 {
	t.Helper()
	out := must(c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}}))(t)
	if len(out.Services) != 1 {
		t.Fatalf("services %+v, failures %+v", out.Services, out.Failures)
	}
	return out.Services[0].DesiredCount
}

func wantActivities(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("activities\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

// A scheduled action raises the minimum above the service's desired
// count: at its time, not before, the service is scaled out by the
// service-linked role, whose use is recorded; a recurring one lowering
// the maximum scales it in.
func TestAASScheduledActionScalesTheService(t *testing.T) {
	e := newAASEnv(t)
	const id = "service/prod/api"
	must(e.aas.RegisterScalableTarget(ctx, registerIn(id, 1, 5)))(t)
	registered := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrAAS)}))(t).Role.RoleLastUsed.LastUsedDate
	putScheduled(t, e.aas, id, "rush", atIn(e, 2*time.Minute), aws.Int32(3), nil)

	e.clock.Advance(time.Minute)
	if n := desiredCount(t, e.ecs, "prod", "api"); n != 1 {
		t.Fatalf("scaled a minute early: %d", n)
	}
	wantActivities(t, scalingActivities(t, e.aas, id))

	e.clock.Advance(time.Minute)
	if n := desiredCount(t, e.ecs, "prod", "api"); n != 3 {
		t.Errorf("desired count %d, want 3", n)
	}
	wantActivities(t, scalingActivities(t, e.aas, id),
		"Successful | Setting desired count to 3. | minimum capacity was set to 3 | Successfully set desired count to 3. Change successfully fulfilled by ecs.",
		"Successful | Setting min capacity to 3 | scheduled action name rush was triggered | Successfully set min capacity to 3")
	tg := describeTargets(t, e.aas, id)[0]
	if aws.ToInt32(tg.MinCapacity) != 3 || aws.ToInt32(tg.MaxCapacity) != 5 {
		t.Errorf("target %+v", tg)
	}
	used := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrAAS)}))(t).Role.RoleLastUsed
	if used == nil || used.LastUsedDate == nil || !used.LastUsedDate.After(*registered) || aws.ToString(used.Region) != "us-east-1" {
		t.Errorf("RoleLastUsed %+v, registered at %v", used, registered)
	}
	// ECS served the role's session: its tasks start.
	e.clock.Advance(time.Second)
	if n := len(must(e.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("prod"), ServiceName: aws.String("api")}))(t).TaskArns); n != 3 {
		t.Errorf("%d tasks", n)
	}

	// Every minute, at most two: scaled in once; then the count is
	// within, and only the capacities are set. (The SDK signs with the
	// real time, and ECS refuses a signature five minutes old: the test's
	// clock stays within that.)
	putScheduled(t, e.aas, id, "night", "rate(1 minute)", aws.Int32(0), aws.Int32(2))
	e.clock.Advance(time.Minute)
	if n := desiredCount(t, e.ecs, "prod", "api"); n != 2 {
		t.Errorf("desired count %d, want 2", n)
	}
	e.clock.Advance(time.Minute)
	got := scalingActivities(t, e.aas, id)
	wantActivities(t, got[:3],
		"Successful | Setting min capacity to 0 and max capacity to 2 | scheduled action name night was triggered | Successfully set min capacity to 0 and max capacity to 2",
		"Successful | Setting desired count to 2. | maximum capacity was set to 2 | Successfully set desired count to 2. Change successfully fulfilled by ecs.",
		"Successful | Setting min capacity to 0 and max capacity to 2 | scheduled action name night was triggered | Successfully set min capacity to 0 and max capacity to 2")
	if len(got) != 5 {
		t.Errorf("%d activities", len(got))
	}
}

// The service deleted: the action's time comes, the capacities are set,
// and ECS's refusal is the failed activity; nothing is created again.
func TestAASScalingFailsWhenTheServiceIsGone(t *testing.T) {
	e := newAASEnv(t)
	const id = "service/dev/web"
	must(e.aas.RegisterScalableTarget(ctx, registerIn(id, 1, 3)))(t)
	putScheduled(t, e.aas, id, "rush", atIn(e, time.Minute), aws.Int32(2), nil)
	must(e.ecs.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("dev"), Service: aws.String("web"), Force: aws.Bool(true)}))(t)
	e.clock.Advance(time.Minute)
	wantActivities(t, scalingActivities(t, e.aas, id),
		"Failed | Setting desired count to 2. | minimum capacity was set to 2 | Failed to set desired count to 2. Reason: Service was not ACTIVE.",
		"Successful | Setting min capacity to 2 | scheduled action name rush was triggered | Successfully set min capacity to 2")
	out := must(e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("dev"), Services: []string{"web"}}))(t)
	if len(out.Services) != 1 || aws.ToString(out.Services[0].Status) != "INACTIVE" || out.Services[0].DesiredCount != 0 {
		t.Errorf("service %+v", out.Services)
	}

	// The cluster gone too.
	must(e.ecs.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("dev")}))(t)
	putScheduled(t, e.aas, id, "more", atIn(e, time.Minute), aws.Int32(3), nil)
	e.clock.Advance(time.Minute)
	if got := scalingActivities(t, e.aas, id); len(got) != 4 || !strings.HasPrefix(got[0], "Failed | Setting desired count to 3. | minimum capacity was set to 3 | Failed to set desired count to 3. Reason: ") {
		t.Errorf("activities %v", got)
	}
}

// The role AWS uses cannot be weakened: a service-linked role's policy
// cannot be detached, denied or bounded (UnmodifiableEntity), service
// control policies do not apply to it, and a RoleARN naming a legacy role
// without ecs:UpdateService is ignored for ECS. The scheduled action
// scales the service all the same.
func TestAASScalingRoleCannotBeWeakened(t *testing.T) {
	e := newAASEnv(t)
	const id = "service/prod/api"
	must(e.aas.RegisterScalableTarget(ctx, registerIn(id, 1, 5)))(t)
	protected := "Cannot perform the operation on the protected role '" + slrAAS + "' - this role is only modifiable by AWS"
	_, err := e.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(slrAAS), PolicyArn: aws.String("arn:aws:iam::aws:policy/aws-service-role/AWSApplicationAutoscalingECSServicePolicy")})
	wantErr(t, err, 400, "UnmodifiableEntity", protected)
	_, err = e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(slrAAS), PolicyName: aws.String("deny"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecs:UpdateService","Resource":"*"}]}`)})
	wantErr(t, err, 400, "UnmodifiableEntity", protected)
	boundary := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("nothing"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))(t).Policy.Arn
	_, err = e.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(slrAAS), PermissionsBoundary: boundary})
	wantErr(t, err, 400, "UnmodifiableEntity", protected)

	legacy := e.role(t, "ecsAutoscaleRole", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"application-autoscaling.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	in := registerIn(id, 1, 5)
	in.RoleARN = aws.String(legacy)
	must(e.aas.RegisterScalableTarget(ctx, in))(t)
	putScheduled(t, e.aas, id, "rush", atIn(e, time.Minute), aws.Int32(4), nil)
	e.clock.Advance(time.Minute)
	if n := desiredCount(t, e.ecs, "prod", "api"); n != 4 {
		t.Errorf("desired count %d, want 4", n)
	}
	if got := scalingActivities(t, e.aas, id); len(got) != 2 || !strings.HasPrefix(got[0], "Successful | Setting desired count to 4.") {
		t.Errorf("activities %v", got)
	}
	if used := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ecsAutoscaleRole")}))(t).Role.RoleLastUsed; used != nil && used.LastUsedDate != nil {
		t.Errorf("the legacy role was used: %+v", used)
	}
}

// Another account cannot reach this account's service: not by its
// cluster's ARN, not through a target or scheduled action of its own; its
// scheduled actions scale its own service of the same name.
func TestAASScalingStaysInItsAccount(t *testing.T) {
	e := newAASEnv(t)
	const id = "service/prod/api"
	must(e.aas.RegisterScalableTarget(ctx, registerIn(id, 1, 5)))(t)
	otherCfg := withCreds(e.rc.Config, "222222222222", "test", "")
	other, otherECS := aas.NewFromConfig(otherCfg), ecs.NewFromConfig(otherCfg)

	byARN := "service/" + clusterARN("us-east-1", "prod") + "/api"
	_, err := other.RegisterScalableTarget(ctx, registerIn(byARN, 1, 5))
	wantErr(t, err, 400, "ValidationException", "ECS service doesn't exist: "+byARN)
	_, err = other.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ScheduledActionName: aws.String("steal"),
		ResourceId: aws.String(byARN), ScalableDimension: ecsDesired, Schedule: aws.String(atIn(e, time.Minute)),
		ScalableTargetAction: &aastypes.ScalableTargetAction{MinCapacity: aws.Int32(5)}})
	wantErr(t, err, 400, "ObjectNotFoundException", "No scalable target registered for service namespace: ecs, resource ID: "+byARN+", scalable dimension: ecs:service:DesiredCount")
	_, err = other.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ScheduledActionName: aws.String("steal"),
		ResourceId: aws.String(id), ScalableDimension: ecsDesired, Schedule: aws.String(atIn(e, time.Minute)),
		ScalableTargetAction: &aastypes.ScalableTargetAction{MinCapacity: aws.Int32(5)}})
	wantErr(t, err, 400, "ObjectNotFoundException", "No scalable target registered for service namespace: ecs, resource ID: "+id+", scalable dimension: ecs:service:DesiredCount")

	// Its own service of the same name.
	fargateTaskDef(t, otherECS, "web")
	must(otherECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	must(otherECS.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("api"), TaskDefinition: aws.String("web"),
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t)
	must(other.RegisterScalableTarget(ctx, registerIn(id, 1, 5)))(t)
	putScheduled(t, other, id, "rush", atIn(e, time.Minute), aws.Int32(5), nil)
	e.clock.Advance(time.Minute)
	if n := desiredCount(t, otherECS, "prod", "api"); n != 5 {
		t.Errorf("the other account's service: %d, want 5", n)
	}
	if n := desiredCount(t, e.ecs, "prod", "api"); n != 1 {
		t.Errorf("this account's service: %d, want 1", n)
	}
	if got := scalingActivities(t, e.aas, id); len(got) != 0 {
		t.Errorf("this account's activities %v", got)
	}
	if got := scalingActivities(t, other, id); len(got) != 2 {
		t.Errorf("the other account's activities %v", got)
	}
	// Each account's role did its own account's work.
	otherIAM := iam.NewFromConfig(otherCfg)
	if used := must(otherIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrAAS)}))(t).Role; !strings.HasPrefix(aws.ToString(used.Arn), "arn:aws:iam::222222222222:role/aws-service-role/") || used.RoleLastUsed == nil {
		t.Errorf("the other account's role %+v", used)
	}
}

// A bad schedule or time zone is refused when put.
func TestAASScheduleExpressionsChecked(t *testing.T) {
	e := newAASEnv(t)
	const id = "service/prod/api"
	must(e.aas.RegisterScalableTarget(ctx, registerIn(id, 1, 5)))(t)
	in := &aas.PutScheduledActionInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ScheduledActionName: aws.String("x"), ResourceId: aws.String(id),
		ScalableDimension: ecsDesired, ScalableTargetAction: &aastypes.ScalableTargetAction{MinCapacity: aws.Int32(1)}}
	for schedule, msg := range map[string]string{
		"cron(0 10 * * *)":        "Invalid schedule expression: cron expressions have six fields: Minutes Hours Day-of-month Month Day-of-week Year (5 given)",
		"cron(0 10 * * MON *)":    "Invalid schedule expression: Day-of-month and Day-of-week cannot both be given: write ? in one of them",
		"rate(5 weeks)":           `Invalid schedule expression: "weeks" is not a rate unit: use minute(s), hour(s) or day(s)`,
		"at(2026-02-30T10:00:00)": "Invalid schedule expression: 2026-02-30T10:00:00 is not a date and time",
		"0 10 * * ? *":            "Invalid schedule expression: use at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)",
	} {
		in.Schedule = aws.String(schedule)
		_, err := e.aas.PutScheduledAction(ctx, in)
		wantErr(t, err, 400, "ValidationException", msg)
	}
	in.Schedule, in.Timezone = aws.String("cron(0 10 ? * MON-FRI *)"), aws.String("Europe/Londres")
	_, err := e.aas.PutScheduledAction(ctx, in)
	wantErr(t, err, 400, "ValidationException", `Invalid time zone: "Europe/Londres" is not a time zone`)
	if got := must(e.aas.DescribeScheduledActions(ctx, &aas.DescribeScheduledActionsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs}))(t).ScheduledActions; len(got) != 0 {
		t.Errorf("kept %+v", got)
	}
}
