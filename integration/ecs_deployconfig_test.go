package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecsdocument "github.com/aws/aws-sdk-go-v2/service/ecs/document"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// What a service's deployment configuration keeps and defaults: the
// members of a linear or canary configuration left out, and a lifecycle
// hook's hookDetails.

// A linear or canary configuration's members left out take the API
// reference's defaults (stepPercent 10.0, stepBakeTimeInMinutes 6;
// canaryPercent 5.0, canaryBakeTimeInMinutes 10), not zero; a zero given
// stays zero. The deployment waits as they say.
func TestECSLinearCanaryDefaults(t *testing.T) {
	e := newClockedECSEnv(t)
	shifts := func(svc ecstypes.Service) string {
		dc := svc.DeploymentConfiguration
		var parts []string
		if lc := dc.LinearConfiguration; lc != nil {
			parts = append(parts, fmt.Sprintf("linear %v/%d", aws.ToFloat64(lc.StepPercent), aws.ToInt32(lc.StepBakeTimeInMinutes)))
		}
		if cc := dc.CanaryConfiguration; cc != nil {
			parts = append(parts, fmt.Sprintf("canary %v/%d", aws.ToFloat64(cc.CanaryPercent), aws.ToInt32(cc.CanaryBakeTimeInMinutes)))
		}
		return strings.Join(parts, ",")
	}
	linear := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyLinear, BakeTimeInMinutes: aws.Int32(0),
		LinearConfiguration: &ecstypes.LinearConfiguration{StepPercent: aws.Float64(50)}}
	arn := aws.ToString(e.webService(t, 1, linear).CurrentServiceDeployment)
	if got := shifts(e.describeService(t, "web")); got != "linear 50/6" {
		t.Errorf("linear, bake time left out: %s", got)
	}
	e.clock.Advance(5 * time.Minute)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT" {
		t.Errorf("linear, within the default step bake time: %s", got)
	}
	e.clock.Advance(time.Minute + time.Second)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "SUCCESSFUL CLEAN_UP" {
		t.Errorf("linear, after it: %s", got)
	}

	linear.LinearConfiguration = &ecstypes.LinearConfiguration{StepBakeTimeInMinutes: aws.Int32(0)}
	if got := shifts(*must(e.deployNext(t, e.ecs, "nginx:2", linear))(t).Service); got != "linear 10/0" {
		t.Errorf("linear, step percent left out: %s", got)
	}
	canary := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyCanary, BakeTimeInMinutes: aws.Int32(0)}
	if got := shifts(*must(e.deployNext(t, e.ecs, "nginx:3", canary))(t).Service); got != "canary 5/10" {
		t.Errorf("canary without its configuration: %s", got)
	}
}

// A lifecycle hook's hookDetails, any JSON document, is kept with the
// service's deployment configuration and answered as it was given.
func TestECSHookDetailsRoundTrip(t *testing.T) {
	e := newClockedECSEnv(t)
	role := e.hookRole(t, "ecsHookRole", ecsTrust, invokePolicy)
	hook := lambdaHook(role, ecstypes.DeploymentLifecycleHookStagePostScaleUp)
	hook.HookDetails = ecsdocument.NewLazyDocument(map[string]any{"env": "prod", "threshold": 3, "checks": []any{"a", "b"}})
	svc := e.webService(t, 1, blueGreen(0, hook))
	for _, got := range []ecstypes.Service{svc, e.describeService(t, "web")} {
		hooks := got.DeploymentConfiguration.LifecycleHooks
		if len(hooks) != 1 || hooks[0].HookDetails == nil {
			t.Fatalf("hooks %+v", hooks)
		}
		var details map[string]any
		must(0, hooks[0].HookDetails.UnmarshalSmithyDocument(&details))(t)
		if fmt.Sprint(details) != "map[checks:[a b] env:prod threshold:3]" {
			t.Errorf("hookDetails %v", details)
		}
	}
}
