package integration

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// Application Auto Scaling for ECS services, and the roles it uses, as AWS
// runs them: the Application Auto Scaling API reference and user guide
// ("Service-linked roles for Application Auto Scaling", "How Application
// Auto Scaling works with IAM"), with the sources of each text in
// internal/appautoscaling/errors.go.

const (
	slrAAS     = "AWSServiceRoleForApplicationAutoScaling_ECSService"
	slrAASARN  = "arn:aws:iam::000000000000:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/" + slrAAS
	ecsDesired = aastypes.ScalableDimensionECSServiceDesiredCount
)

// aasEnv is ecsEnv with an Application Auto Scaling client, and the ECS
// services prod/api and dev/web.
type aasEnv struct {
	*ecsEnv
	aas *aas.Client
}

func newAASEnv(t *testing.T) *aasEnv {
	t.Helper()
	e := &aasEnv{ecsEnv: newECSEnv(t)}
	e.aas = aas.NewFromConfig(e.rc.Config)
	fargateTaskDef(t, e.ecs, "web")
	for _, cs := range [][2]string{{"prod", "api"}, {"dev", "web"}} {
		must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(cs[0])}))(t)
		must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(cs[0]), ServiceName: aws.String(cs[1]), TaskDefinition: aws.String("web"),
			DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t)
	}
	return e
}

// aasOf is an Application Auto Scaling client signing as c's IAM client
// does.
func aasOf(t *testing.T, rc *rolecalltest.Server, c clients) *aas.Client {
	t.Helper()
	v := must(c.iam.Options().Credentials.Retrieve(ctx))(t)
	return aas.NewFromConfig(withCreds(rc.Config, v.AccessKeyID, v.SecretAccessKey, v.SessionToken))
}

func registerIn(resourceID string, min, max int32) *aas.RegisterScalableTargetInput {
	return &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(resourceID),
		ScalableDimension: ecsDesired, MinCapacity: aws.Int32(min), MaxCapacity: aws.Int32(max)}
}

func describeTargets(t *testing.T, c *aas.Client, ids ...string) []aastypes.ScalableTarget {
	t.Helper()
	return must(c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceIds: ids}))(t).ScalableTargets
}

// Registering a service's desired count creates the service-linked role
// (AWS's user guide: "if you set up automatic scaling for an Amazon ECS
// service, Application Auto Scaling creates the
// AWSServiceRoleForApplicationAutoScaling_ECSService role") with its
// managed policy, and the target uses it.
func TestAASRegisterCreatesServiceLinkedRole(t *testing.T) {
	e := newAASEnv(t)
	_, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrAAS)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name "+slrAAS+" cannot be found.")

	out := must(e.aas.RegisterScalableTarget(ctx, registerIn("service/prod/api", 1, 4)))(t)
	arn := aws.ToString(out.ScalableTargetARN)
	if !strings.HasPrefix(arn, "arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/") || len(strings.TrimPrefix(arn, "arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/")) != 36 {
		t.Errorf("ScalableTargetARN %s", arn)
	}
	r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrAAS)}))(t).Role
	if aws.ToString(r.Arn) != slrAASARN || aws.ToString(r.Path) != "/aws-service-role/ecs.application-autoscaling.amazonaws.com/" ||
		!strings.Contains(decoded(t, r.AssumeRolePolicyDocument), `"Service":"ecs.application-autoscaling.amazonaws.com"`) {
		t.Errorf("role %+v, trust %s", r, decoded(t, r.AssumeRolePolicyDocument))
	}
	// Application Auto Scaling read the service through the role: its
	// use is recorded.
	if r.RoleLastUsed == nil || aws.ToString(r.RoleLastUsed.Region) != "us-east-1" || r.RoleLastUsed.LastUsedDate == nil {
		t.Errorf("RoleLastUsed %+v", r.RoleLastUsed)
	}
	att := must(e.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(slrAAS)}))(t).AttachedPolicies
	if len(att) != 1 || aws.ToString(att[0].PolicyArn) != "arn:aws:iam::aws:policy/aws-service-role/AWSApplicationAutoscalingECSServicePolicy" {
		t.Errorf("attached %+v", att)
	}

	// The target, as DescribeScalableTargets shows it (botocore's example
	// answer): the service-linked role, nothing suspended.
	got := describeTargets(t, e.aas)
	if len(got) != 1 {
		t.Fatalf("targets %+v", got)
	}
	tg := got[0]
	if aws.ToString(tg.ResourceId) != "service/prod/api" || tg.ScalableDimension != ecsDesired || aws.ToInt32(tg.MinCapacity) != 1 || aws.ToInt32(tg.MaxCapacity) != 4 ||
		aws.ToString(tg.RoleARN) != slrAASARN || aws.ToString(tg.ScalableTargetARN) != arn || tg.CreationTime == nil ||
		tg.SuspendedState == nil || aws.ToBool(tg.SuspendedState.DynamicScalingInSuspended) || aws.ToBool(tg.SuspendedState.ScheduledScalingSuspended) {
		t.Errorf("target %+v", tg)
	}

	// Registering again updates it; the cluster's ARN names the same
	// target.
	again := must(e.aas.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String("service/" + clusterARN("us-east-1", "prod") + "/api"), ScalableDimension: ecsDesired, MaxCapacity: aws.Int32(9),
		SuspendedState: &aastypes.SuspendedState{ScheduledScalingSuspended: aws.Bool(true)}}))(t)
	if aws.ToString(again.ScalableTargetARN) != arn {
		t.Errorf("again %s", aws.ToString(again.ScalableTargetARN))
	}
	got = describeTargets(t, e.aas, "service/prod/api")
	if len(got) != 1 || aws.ToInt32(got[0].MinCapacity) != 1 || aws.ToInt32(got[0].MaxCapacity) != 9 || !aws.ToBool(got[0].SuspendedState.ScheduledScalingSuspended) {
		t.Errorf("after the update %+v", got)
	}
	if got := describeTargets(t, e.aas, "service/dev/web"); len(got) != 0 {
		t.Errorf("dev/web %+v", got)
	}
	if got := must(e.aas.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceDynamodb}))(t).ScalableTargets; len(got) != 0 {
		t.Errorf("dynamodb %+v", got)
	}
	// Nothing scales: no activity.
	acts := must(e.aas.DescribeScalingActivities(ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs}))(t)
	if acts.ScalingActivities == nil || len(acts.ScalingActivities) != 0 {
		t.Errorf("activities %+v", acts.ScalingActivities)
	}
}

// What RegisterScalableTarget refuses, in AWS's words.
func TestAASRegisterRefusals(t *testing.T) {
	e := newAASEnv(t)
	_, err := e.aas.RegisterScalableTarget(ctx, registerIn("service/prod/nope", 1, 2))
	wantErr(t, err, 400, "ValidationException", "ECS service doesn't exist: service/prod/nope")
	_, err = e.aas.RegisterScalableTarget(ctx, registerIn("service/nope/api", 1, 2))
	wantErr(t, err, 400, "ValidationException", "ECS service doesn't exist: service/nope/api")
	// A deleted service is none.
	must(e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("dev"), Service: aws.String("web"), DesiredCount: aws.Int32(0)}))(t)
	must(e.ecs.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("dev"), Service: aws.String("web")}))(t)
	_, err = e.aas.RegisterScalableTarget(ctx, registerIn("service/dev/web", 1, 2))
	wantErr(t, err, 400, "ValidationException", "ECS service doesn't exist: service/dev/web")

	unsupported := "Unsupported service namespace, resource type or scalable dimension"
	_, err = e.aas.RegisterScalableTarget(ctx, registerIn("cluster/prod", 1, 2))
	wantErr(t, err, 400, "ValidationException", unsupported)
	_, err = e.aas.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceDynamodb, ResourceId: aws.String("service/prod/api"),
		ScalableDimension: ecsDesired, MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)})
	wantErr(t, err, 400, "ValidationException", unsupported)
	_, err = e.aas.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/prod/api"), ScalableDimension: ecsDesired})
	wantErr(t, err, 400, "ValidationException", "MinCapacity and MaxCapacity are required to register a new scalable target")
	_, err = e.aas.RegisterScalableTarget(ctx, registerIn("service/prod/api", 3, 2))
	wantErr(t, err, 400, "ValidationException", "MinCapacity (3) cannot be greater than MaxCapacity (2)")
	// The model's constraints, with the model's error code.
	_, err = e.aas.RegisterScalableTarget(ctx, registerIn("", 1, 2))
	wantErr(t, err, 400, "ValidationException", "1 validation error detected: Value '' at 'resourceId' failed to satisfy constraint: Member must have length greater than or equal to 1")
	if got := describeTargets(t, e.aas); len(got) != 0 {
		t.Errorf("a refused registration left %+v", got)
	}
	// An operation rolecall does not serve.
	_, err = e.aas.GetPredictiveScalingForecast(ctx, &aas.GetPredictiveScalingForecastInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/prod/api"),
		ScalableDimension: ecsDesired, PolicyName: aws.String("p"), StartTime: aws.Time(e.clock.Now()), EndTime: aws.Time(e.clock.Now())})
	wantErr(t, err, 501, "NotImplemented", "rolecall does not implement application-autoscaling:GetPredictiveScalingForecast yet")
}

// Without iam:CreateServiceLinkedRole the first registration fails, and
// no role and no target are left; allowed it, for this service principal,
// the role is created on the caller's behalf.
func TestAASRegisterNeedsCreateServiceLinkedRole(t *testing.T) {
	e := newAASEnv(t)
	root := clientsFor(e.rc.Config, nil)
	const scaler = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"application-autoscaling:*","Resource":"*"}`
	dev, _ := newUser(t, root, e.rc.Config, nil, "dev", scaler+`]}`)
	_, err := aasOf(t, e.rc, dev).RegisterScalableTarget(ctx, registerIn("service/prod/api", 1, 2))
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"dev", "iam:CreateServiceLinkedRole", slrAASARN))
	_, err = e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrAAS)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name "+slrAAS+" cannot be found.")
	if got := describeTargets(t, e.aas); len(got) != 0 {
		t.Errorf("targets %+v", got)
	}
	// Allowed for another service's role only: still refused.
	other, _ := newUser(t, root, e.rc.Config, nil, "other", scaler+`,
		{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"dynamodb.application-autoscaling.amazonaws.com"}}}]}`)
	_, err = aasOf(t, e.rc, other).RegisterScalableTarget(ctx, registerIn("service/prod/api", 1, 2))
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"other", "iam:CreateServiceLinkedRole", slrAASARN))

	// The user guide's policy, for ECS's principal: created.
	ops, _ := newUser(t, root, e.rc.Config, nil, "ops", scaler+`,
		{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"arn:aws:iam::*:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/`+slrAAS+`",
		 "Condition":{"StringLike":{"iam:AWSServiceName":"ecs.application-autoscaling.amazonaws.com"}}}]}`)
	must(aasOf(t, e.rc, ops).RegisterScalableTarget(ctx, registerIn("service/prod/api", 1, 2)))(t)
	must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrAAS)}))(t)
	// Once it exists, registering needs no IAM permission.
	must(aasOf(t, e.rc, dev).RegisterScalableTarget(ctx, registerIn("service/dev/web", 1, 2)))(t)
}

// A RoleARN is passed by the caller and must name a role; the target uses
// the service-linked role all the same (AWS's user guide: "If you specify
// a legacy service role for ... Amazon ECS ... Application Auto Scaling
// ignores it. Instead, it uses a service-linked role").
func TestAASRegisterWithRoleARN(t *testing.T) {
	e := newAASEnv(t)
	root := clientsFor(e.rc.Config, nil)
	legacy := e.role(t, "ecsAutoscaleRole", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"application-autoscaling.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	must(e.aas.RegisterScalableTarget(ctx, registerIn("service/dev/web", 1, 2)))(t) // the service-linked role exists

	withRole := func(role string) *aas.RegisterScalableTargetInput {
		in := registerIn("service/prod/api", 1, 2)
		in.RoleARN = aws.String(role)
		return in
	}
	missing := roleArn("nope")
	_, err := e.aas.RegisterScalableTarget(ctx, withRole(missing))
	wantErr(t, err, 400, "ValidationException", "Unable to assume IAM role: "+missing)

	const scaler = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"application-autoscaling:*","Resource":"*"}`
	noPass, _ := newUser(t, root, e.rc.Config, nil, "nopass", scaler+`]}`)
	_, err = aasOf(t, e.rc, noPass).RegisterScalableTarget(ctx, withRole(legacy))
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"nopass", "iam:PassRole", legacy))
	// Passing it to another service does not do.
	toECS, _ := newUser(t, root, e.rc.Config, nil, "toecs", scaler+`,
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+legacy+`","Condition":{"StringEquals":{"iam:PassedToService":"ecs.amazonaws.com"}}}]}`)
	_, err = aasOf(t, e.rc, toECS).RegisterScalableTarget(ctx, withRole(legacy))
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"toecs", "iam:PassRole", legacy))
	if got := describeTargets(t, e.aas, "service/prod/api"); len(got) != 0 {
		t.Errorf("targets %+v", got)
	}

	pass, _ := newUser(t, root, e.rc.Config, nil, "pass", scaler+`,
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+legacy+`","Condition":{"StringEquals":{"iam:PassedToService":"application-autoscaling.amazonaws.com"}}}]}`)
	must(aasOf(t, e.rc, pass).RegisterScalableTarget(ctx, withRole(legacy)))(t)
	got := describeTargets(t, e.aas, "service/prod/api")
	if len(got) != 1 || aws.ToString(got[0].RoleARN) != slrAASARN {
		t.Errorf("target %+v, want the service-linked role", got)
	}
}

// Scaling policies and scheduled actions are kept and described in AWS's
// shapes; deregistering the target takes them with it.
func TestAASPoliciesAndScheduledActions(t *testing.T) {
	e := newAASEnv(t)
	const id = "service/prod/api"
	step := &aas.PutScalingPolicyInput{PolicyName: aws.String("web-app-cpu-gt-75"), ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id), ScalableDimension: ecsDesired,
		PolicyType: aastypes.PolicyTypeStepScaling, StepScalingPolicyConfiguration: &aastypes.StepScalingPolicyConfiguration{AdjustmentType: aastypes.AdjustmentTypePercentChangeInCapacity,
			Cooldown: aws.Int32(60), StepAdjustments: []aastypes.StepAdjustment{{MetricIntervalLowerBound: aws.Float64(0), ScalingAdjustment: aws.Int32(200)}}}}
	_, err := e.aas.PutScalingPolicy(ctx, step)
	wantErr(t, err, 400, "ObjectNotFoundException", "No scalable target registered for service namespace: ecs, resource ID: service/prod/api, scalable dimension: ecs:service:DesiredCount")
	must(e.aas.RegisterScalableTarget(ctx, registerIn(id, 1, 10)))(t)

	s := must(e.aas.PutScalingPolicy(ctx, step))(t)
	if !strings.HasPrefix(aws.ToString(s.PolicyARN), "arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:") ||
		!strings.HasSuffix(aws.ToString(s.PolicyARN), ":resource/ecs/service/prod/api:policyName/web-app-cpu-gt-75") || len(s.Alarms) != 0 {
		t.Errorf("step policy %+v", s)
	}
	// Target tracking: the two alarms AWS creates (botocore's example).
	tt := must(e.aas.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("cpu75"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String(id), ScalableDimension: ecsDesired, PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(75), ScaleInCooldown: aws.Int32(60), ScaleOutCooldown: aws.Int32(60),
			PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeECSServiceAverageCPUUtilization}}}))(t)
	if len(tt.Alarms) != 2 {
		t.Fatalf("alarms %+v", tt.Alarms)
	}
	for i, kind := range []string{"AlarmHigh", "AlarmLow"} {
		name := aws.ToString(tt.Alarms[i].AlarmName)
		if !strings.HasPrefix(name, "TargetTracking-service/prod/api-"+kind+"-") || len(name) != len("TargetTracking-service/prod/api-"+kind+"-")+36 ||
			aws.ToString(tt.Alarms[i].AlarmARN) != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:"+name {
			t.Errorf("alarm %d %+v", i, tt.Alarms[i])
		}
	}
	pols := must(e.aas.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id)}))(t).ScalingPolicies
	if len(pols) != 2 || aws.ToString(pols[0].PolicyName) != "cpu75" || pols[0].PolicyType != aastypes.PolicyTypeTargetTrackingScaling || len(pols[0].Alarms) != 2 ||
		aws.ToFloat64(pols[0].TargetTrackingScalingPolicyConfiguration.TargetValue) != 75 || pols[0].CreationTime == nil ||
		aws.ToString(pols[1].PolicyARN) != aws.ToString(s.PolicyARN) || aws.ToInt32(pols[1].StepScalingPolicyConfiguration.StepAdjustments[0].ScalingAdjustment) != 200 {
		t.Errorf("policies %+v", pols)
	}
	var names []string
	p := aas.NewDescribeScalingPoliciesPaginator(e.aas, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		for _, pol := range must(p.NextPage(ctx))(t).ScalingPolicies {
			names = append(names, aws.ToString(pol.PolicyName))
		}
	}
	if strings.Join(names, ",") != "cpu75,web-app-cpu-gt-75" {
		t.Errorf("paged %v", names)
	}
	must(e.aas.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String("cpu75"), ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id), ScalableDimension: ecsDesired}))(t)
	_, err = e.aas.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String("cpu75"), ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id), ScalableDimension: ecsDesired})
	wantErr(t, err, 400, "ObjectNotFoundException", "No scaling policy found for service namespace: ecs, resource ID: service/prod/api, scalable dimension: ecs:service:DesiredCount, policy name: cpu75")

	// Scheduled actions (the ECS developer guide's scale-in at night).
	sched := &aas.PutScheduledActionInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ScheduledActionName: aws.String("night"), ResourceId: aws.String(id),
		ScalableDimension: ecsDesired, Schedule: aws.String("cron(0 22 ? * MON-FRI *)")}
	_, err = e.aas.PutScheduledAction(ctx, sched)
	wantErr(t, err, 400, "ValidationException", "At least one of minimum capacity and maximum capacity should be provided")
	sched.ScalableTargetAction = &aastypes.ScalableTargetAction{MinCapacity: aws.Int32(0), MaxCapacity: aws.Int32(0)}
	// The model's pattern for a name: no colon, slash or bar.
	bad := *sched
	bad.ScheduledActionName = aws.String("scale-in:22h")
	_, err = e.aas.PutScheduledAction(ctx, &bad)
	wantErr(t, err, 400, "ValidationException", `1 validation error detected: Value 'scale-in:22h' at 'scheduledActionName' failed to satisfy constraint: `+
		`Member must satisfy regular expression pattern: (?!((^[ ]+.*)|(.*([\u0000-\u001f]|[\u007f-\u009f]|[:/|])+.*)|(.*[ ]+$))).+`)
	must(e.aas.PutScheduledAction(ctx, sched))(t)
	must(e.aas.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ScheduledActionName: aws.String("night"),
		ResourceId: aws.String(id), ScalableDimension: ecsDesired, Timezone: aws.String("Europe/London")}))(t)
	acts := must(e.aas.DescribeScheduledActions(ctx, &aas.DescribeScheduledActionsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ScheduledActionNames: []string{"night"}}))(t).ScheduledActions
	if len(acts) != 1 || aws.ToString(acts[0].Schedule) != "cron(0 22 ? * MON-FRI *)" || aws.ToString(acts[0].Timezone) != "Europe/London" ||
		aws.ToInt32(acts[0].ScalableTargetAction.MaxCapacity) != 0 || acts[0].ScalableTargetAction.MaxCapacity == nil || acts[0].CreationTime == nil ||
		!strings.HasPrefix(aws.ToString(acts[0].ScheduledActionARN), "arn:aws:autoscaling:us-east-1:000000000000:scheduledAction:") ||
		!strings.HasSuffix(aws.ToString(acts[0].ScheduledActionARN), ":resource/ecs/service/prod/api:scheduledActionName/night") {
		t.Errorf("scheduled actions %+v", acts)
	}
	must(e.aas.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ScheduledActionName: aws.String("morning"),
		ResourceId: aws.String(id), ScalableDimension: ecsDesired, Schedule: aws.String("cron(0 6 ? * MON-FRI *)"), ScalableTargetAction: &aastypes.ScalableTargetAction{MinCapacity: aws.Int32(2)}}))(t)
	must(e.aas.DeleteScheduledAction(ctx, &aas.DeleteScheduledActionInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ScheduledActionName: aws.String("morning"), ResourceId: aws.String(id), ScalableDimension: ecsDesired}))(t)
	_, err = e.aas.DeleteScheduledAction(ctx, &aas.DeleteScheduledActionInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ScheduledActionName: aws.String("morning"), ResourceId: aws.String(id), ScalableDimension: ecsDesired})
	wantErr(t, err, 400, "ObjectNotFoundException", "No scheduled action found for service namespace: ecs, resource ID: service/prod/api, scalable dimension: ecs:service:DesiredCount, scheduled action name: morning")

	must(e.aas.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id), ScalableDimension: ecsDesired}))(t)
	left := must(e.aas.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs}))(t).ScalingPolicies
	leftActs := must(e.aas.DescribeScheduledActions(ctx, &aas.DescribeScheduledActionsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs}))(t).ScheduledActions
	if len(left)+len(leftActs) != 0 {
		t.Errorf("left behind %+v %+v", left, leftActs)
	}
	_, err = e.aas.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id), ScalableDimension: ecsDesired})
	wantErr(t, err, 400, "ObjectNotFoundException", "No scalable target found for service namespace: ecs, resource ID: service/prod/api, scalable dimension: ecs:service:DesiredCount")
}

func TestAASTags(t *testing.T) {
	e := newAASEnv(t)
	in := registerIn("service/prod/api", 1, 2)
	in.Tags = map[string]string{"environment": "production"}
	arn := must(e.aas.RegisterScalableTarget(ctx, in))(t).ScalableTargetARN
	_, err := e.aas.RegisterScalableTarget(ctx, in)
	wantErr(t, err, 400, "ValidationException", "The scalable target that you tried to tag already exists. To update tags on an existing scalable target, use the TagResource API.")
	must(e.aas.TagResource(ctx, &aas.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"iscontainerbased": "true"}}))(t)
	must(e.aas.UntagResource(ctx, &aas.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"environment"}}))(t)
	tags := must(e.aas.ListTagsForResource(ctx, &aas.ListTagsForResourceInput{ResourceARN: arn}))(t).Tags
	if len(tags) != 1 || tags["iscontainerbased"] != "true" {
		t.Errorf("tags %v", tags)
	}
	unknown := aws.String("arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/0123abcd56ab78cd901ef1234567890ab123")
	_, err = e.aas.ListTagsForResource(ctx, &aas.ListTagsForResourceInput{ResourceARN: unknown})
	wantErr(t, err, 400, "ResourceNotFoundException", "The specified resource could not be found.")
	// The model's pattern for a target's ARN.
	_, err = e.aas.TagResource(ctx, &aas.TagResourceInput{ResourceARN: aws.String(clusterARN("us-east-1", "prod")), Tags: map[string]string{"a": "b"}})
	wantErr(t, err, 400, "ValidationException", "1 validation error detected: Value 'arn:aws:ecs:us-east-1:000000000000:cluster/prod' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:.+:application-autoscaling:.+:[0-9]+:scalable-target\\/[a-zA-Z0-9-]+$")
}

// IAM cannot delete the service-linked role while a target uses it: the
// deletion task fails with the targets, Region by Region, and succeeds
// once they are deregistered.
func TestAASServiceLinkedRoleInUse(t *testing.T) {
	e := newAASEnv(t)
	arn := aws.ToString(must(e.aas.RegisterScalableTarget(ctx, registerIn("service/prod/api", 1, 2)))(t).ScalableTargetARN)
	st := e.deleteSLR(t, slrAAS)
	if st.Status != iamtypes.DeletionTaskStatusTypeFailed || st.Reason == nil || aws.ToString(st.Reason.Reason) != "SLR ["+slrAAS+"] is in use by other resources" {
		t.Fatalf("status %+v", st)
	}
	if u := st.Reason.RoleUsageList; len(u) != 1 || aws.ToString(u[0].Region) != "us-east-1" || len(u[0].Resources) != 1 || u[0].Resources[0] != arn {
		t.Errorf("RoleUsageList %+v", u)
	}
	must(e.aas.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/prod/api"), ScalableDimension: ecsDesired}))(t)
	if st := e.deleteSLR(t, slrAAS); st.Status != iamtypes.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("after deregistering: %+v", st)
	}
	_, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrAAS)})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name "+slrAAS+" cannot be found.")
	// Registering again creates it again (user guide).
	must(e.aas.RegisterScalableTarget(ctx, registerIn("service/prod/api", 1, 2)))(t)
	must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrAAS)}))(t)
}
