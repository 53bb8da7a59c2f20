package integration

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
)

// Every Application Auto Scaling request is authorized by the one
// authorizer: the action on the scalable target it names (the Service
// Authorization Reference's ScalableTarget), as registered, with AWS's
// AccessDeniedException (400) and text ("User: ... is not authorized to
// perform: application-autoscaling:RegisterScalableTarget on resource:
// arn:aws:application-autoscaling:REGION:ACCOUNT:scalable-target/ID
// because no identity-based policy allows ...", cloud-custodian #9409).

// deniedAnywhere is AWS's text for an action without a resource type: no
// resource named (Application Auto Scaling User Guide, "Troubleshooting").
func deniedAnywhere(who, action string) string {
	return "User: " + who + " is not authorized to perform: " + action + " because no identity-based policy allows the " + action + " action"
}

func TestAASAuthorizeEveryOperation(t *testing.T) {
	e := newAASEnv(t)
	root := clientsFor(e.rc.Config, nil)
	const id = "service/prod/api"
	arn := must(e.aas.RegisterScalableTarget(ctx, registerIn(id, 1, 4)))(t).ScalableTargetARN
	must(e.aas.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("p"), ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id),
		ScalableDimension: ecsDesired, StepScalingPolicyConfiguration: &aastypes.StepScalingPolicyConfiguration{AdjustmentType: aastypes.AdjustmentTypeChangeInCapacity}}))(t)
	nobody, _ := newUser(t, root, e.rc.Config, nil, "nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}`)
	c := aasOf(t, e.rc, nobody)
	who := userArn + "nobody"
	on := func(action string) string { return denied(who, "application-autoscaling:"+action, aws.ToString(arn)) }
	ns, rid := aastypes.ServiceNamespaceEcs, aws.String(id)
	for _, tc := range []struct {
		op   string
		call func() error
		want string
	}{
		{"RegisterScalableTarget", func() error { _, err := c.RegisterScalableTarget(ctx, registerIn(id, 1, 2)); return err }, on("RegisterScalableTarget")},
		{"DeregisterScalableTarget", func() error {
			_, err := c.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: ns, ResourceId: rid, ScalableDimension: ecsDesired})
			return err
		}, on("DeregisterScalableTarget")},
		{"DescribeScalableTargets", func() error {
			_, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: ns})
			return err
		}, deniedAnywhere(who, "application-autoscaling:DescribeScalableTargets")},
		{"PutScalingPolicy", func() error {
			_, err := c.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("p"), ServiceNamespace: ns, ResourceId: rid, ScalableDimension: ecsDesired})
			return err
		}, on("PutScalingPolicy")},
		{"DeleteScalingPolicy", func() error {
			_, err := c.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String("p"), ServiceNamespace: ns, ResourceId: rid, ScalableDimension: ecsDesired})
			return err
		}, on("DeleteScalingPolicy")},
		{"DescribeScalingPolicies", func() error {
			_, err := c.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: ns})
			return err
		}, deniedAnywhere(who, "application-autoscaling:DescribeScalingPolicies")},
		{"PutScheduledAction", func() error {
			_, err := c.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ScheduledActionName: aws.String("s"), ServiceNamespace: ns, ResourceId: rid, ScalableDimension: ecsDesired})
			return err
		}, on("PutScheduledAction")},
		{"DeleteScheduledAction", func() error {
			_, err := c.DeleteScheduledAction(ctx, &aas.DeleteScheduledActionInput{ScheduledActionName: aws.String("s"), ServiceNamespace: ns, ResourceId: rid, ScalableDimension: ecsDesired})
			return err
		}, on("DeleteScheduledAction")},
		{"DescribeScheduledActions", func() error {
			_, err := c.DescribeScheduledActions(ctx, &aas.DescribeScheduledActionsInput{ServiceNamespace: ns})
			return err
		}, deniedAnywhere(who, "application-autoscaling:DescribeScheduledActions")},
		{"DescribeScalingActivities", func() error {
			_, err := c.DescribeScalingActivities(ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: ns})
			return err
		}, deniedAnywhere(who, "application-autoscaling:DescribeScalingActivities")},
		{"TagResource", func() error {
			_, err := c.TagResource(ctx, &aas.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"a": "b"}})
			return err
		}, on("TagResource")},
		{"UntagResource", func() error {
			_, err := c.UntagResource(ctx, &aas.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"a"}})
			return err
		}, on("UntagResource")},
		{"ListTagsForResource", func() error {
			_, err := c.ListTagsForResource(ctx, &aas.ListTagsForResourceInput{ResourceARN: arn})
			return err
		}, on("ListTagsForResource")},
	} {
		t.Run(tc.op, func(t *testing.T) { wantErr(t, tc.call(), 400, "AccessDeniedException", tc.want) })
	}

	// A target not yet registered is authorized on the ARN it then has.
	_, err := c.RegisterScalableTarget(ctx, registerIn("service/dev/web", 1, 2))
	newArn := aws.ToString(must(e.aas.RegisterScalableTarget(ctx, registerIn("service/dev/web", 1, 2)))(t).ScalableTargetARN)
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "application-autoscaling:RegisterScalableTarget", newArn))
}

// TestAASAttackerConfinedToOneCluster: a user allowed Application Auto
// Scaling only on the targets tagged for its team (the user guide's ABAC,
// "Tagging support for Application Auto Scaling"), or only on one
// target's ARN, reaches no other target: not by its resource ID, not by
// its cluster's ARN in the resource ID, not by its ARN when tagging.
func TestAASAttackerConfinedToOneCluster(t *testing.T) {
	e := newAASEnv(t)
	root := clientsFor(e.rc.Config, nil)
	for _, tc := range []struct{ id, team string }{{"service/prod/api", "blue"}, {"service/dev/web", "red"}} {
		in := registerIn(tc.id, 1, 4)
		in.Tags = map[string]string{"team": tc.team}
		must(e.aas.RegisterScalableTarget(ctx, in))(t)
	}
	arnOf := func(id string) string { return aws.ToString(describeTargets(t, e.aas, id)[0].ScalableTargetARN) }
	blueArn, redArn := arnOf("service/prod/api"), arnOf("service/dev/web")
	redByClusterARN := "service/" + clusterARN("us-east-1", "dev") + "/web"
	step := func(id string) *aas.PutScalingPolicyInput {
		return &aas.PutScalingPolicyInput{PolicyName: aws.String("p"), ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id), ScalableDimension: ecsDesired,
			StepScalingPolicyConfiguration: &aastypes.StepScalingPolicyConfiguration{AdjustmentType: aastypes.AdjustmentTypeChangeInCapacity}}
	}

	blue, _ := newUser(t, root, e.rc.Config, nil, "blue", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"application-autoscaling:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}},
		{"Effect":"Allow","Action":"application-autoscaling:Describe*","Resource":"*"}]}`)
	one, _ := newUser(t, root, e.rc.Config, nil, "one", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"application-autoscaling:*","Resource":"`+blueArn+`"}]}`)
	for _, u := range []struct {
		name string
		c    clients
	}{{"blue", blue}, {"one", one}} {
		t.Run(u.name, func(t *testing.T) {
			c := aasOf(t, e.rc, u.c)
			who := userArn + u.name
			must(c.PutScalingPolicy(ctx, step("service/prod/api")))(t)
			for _, id := range []string{"service/dev/web", redByClusterARN} {
				_, err := c.PutScalingPolicy(ctx, step(id))
				wantErr(t, err, 400, "AccessDeniedException", denied(who, "application-autoscaling:PutScalingPolicy", redArn))
				_, err = c.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id), ScalableDimension: ecsDesired})
				wantErr(t, err, 400, "AccessDeniedException", denied(who, "application-autoscaling:DeregisterScalableTarget", redArn))
				_, err = c.RegisterScalableTarget(ctx, registerIn(id, 0, 0))
				wantErr(t, err, 400, "AccessDeniedException", denied(who, "application-autoscaling:RegisterScalableTarget", redArn))
			}
			_, err := c.TagResource(ctx, &aas.TagResourceInput{ResourceARN: aws.String(redArn), Tags: map[string]string{"team": "blue"}})
			wantErr(t, err, 400, "AccessDeniedException", denied(who, "application-autoscaling:TagResource", redArn))
			_, err = c.UntagResource(ctx, &aas.UntagResourceInput{ResourceARN: aws.String(redArn), TagKeys: []string{"team"}})
			wantErr(t, err, 400, "AccessDeniedException", denied(who, "application-autoscaling:UntagResource", redArn))
		})
	}
	// A Deny on the red team's targets holds against every spelling of
	// their resource IDs: the authorizer sees the registered target's tags.
	notRed, _ := newUser(t, root, e.rc.Config, nil, "notred", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"application-autoscaling:*","Resource":"*"},
		{"Effect":"Deny","Action":"application-autoscaling:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"red"}}}]}`)
	c := aasOf(t, e.rc, notRed)
	for _, id := range []string{"service/dev/web", redByClusterARN} {
		_, err := c.PutScalingPolicy(ctx, step(id))
		wantErr(t, err, 400, "AccessDeniedException", deniedExplicitly(userArn+"notred", "application-autoscaling:PutScalingPolicy", redArn))
		_, err = c.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id), ScalableDimension: ecsDesired})
		wantErr(t, err, 400, "AccessDeniedException", deniedExplicitly(userArn+"notred", "application-autoscaling:DeregisterScalableTarget", redArn))
	}
	must(c.PutScalingPolicy(ctx, step("service/prod/api")))(t)

	// The red target is as it was.
	red := describeTargets(t, e.aas, "service/dev/web")
	tags := must(e.aas.ListTagsForResource(ctx, &aas.ListTagsForResourceInput{ResourceARN: aws.String(redArn)}))(t).Tags
	pols := must(e.aas.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/dev/web")}))(t).ScalingPolicies
	if len(red) != 1 || aws.ToInt32(red[0].MaxCapacity) != 4 || tags["team"] != "red" || len(pols) != 0 {
		t.Errorf("red target %+v, tags %v, policies %+v", red, tags, pols)
	}
}

// TestAASConditionKeys: requests carry application-autoscaling:
// service-namespace and scalable-dimension, and the tags they set
// (aws:RequestTag, aws:TagKeys), as the Service Authorization Reference
// lists them.
func TestAASConditionKeys(t *testing.T) {
	e := newAASEnv(t)
	root := clientsFor(e.rc.Config, nil)
	must(e.aas.RegisterScalableTarget(ctx, registerIn("service/prod/api", 1, 4)))(t)
	arn := aws.ToString(describeTargets(t, e.aas, "service/prod/api")[0].ScalableTargetARN)
	scoped := func(name, namespace string) clients {
		c, _ := newUser(t, root, e.rc.Config, nil, name, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["application-autoscaling:PutScalingPolicy","application-autoscaling:RegisterScalableTarget"],"Resource":"*",
			 "Condition":{"StringEquals":{"application-autoscaling:service-namespace":"`+namespace+`","application-autoscaling:scalable-dimension":"`+namespace+`:service:DesiredCount"},
			              "StringEqualsIfExists":{"aws:RequestTag/team":"blue"}}}]}`)
		return c
	}
	policy := &aas.PutScalingPolicyInput{PolicyName: aws.String("p"), ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/prod/api"), ScalableDimension: ecsDesired,
		StepScalingPolicyConfiguration: &aastypes.StepScalingPolicyConfiguration{AdjustmentType: aastypes.AdjustmentTypeChangeInCapacity}}
	ecsOnly := aasOf(t, e.rc, scoped("ecsonly", "ecs"))
	must(ecsOnly.PutScalingPolicy(ctx, policy))(t)
	_, err := aasOf(t, e.rc, scoped("dynonly", "dynamodb")).PutScalingPolicy(ctx, policy)
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"dynonly", "application-autoscaling:PutScalingPolicy", arn))

	tagged := func(team string) *aas.RegisterScalableTargetInput {
		in := registerIn("service/dev/web", 1, 2)
		in.Tags = map[string]string{"team": team}
		return in
	}
	_, err = ecsOnly.RegisterScalableTarget(ctx, tagged("red"))
	newArn := aws.ToString(must(e.aas.RegisterScalableTarget(ctx, tagged("blue")))(t).ScalableTargetARN)
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"ecsonly", "application-autoscaling:RegisterScalableTarget", newArn))
	must(e.aas.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/dev/web"), ScalableDimension: ecsDesired}))(t)
	must(ecsOnly.RegisterScalableTarget(ctx, tagged("blue")))(t)
}
