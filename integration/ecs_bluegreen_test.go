package integration

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Blue/green deployments and their lifecycle hooks: the green tasks start
// alongside the blue ones, which run until CLEAN_UP; at each stage a
// Lambda hook names, ECS assumes the hook's role and invokes the function
// with it (rolecall runs no Lambda: an invocation the role allows
// succeeds); a PAUSE hook waits for ContinueServiceDeployment. The
// lifecycle hook texts are rolecall's wording (AWS records none).

const (
	hookFunction = "arn:aws:lambda:us-east-1:" + account + ":function:checkGreen"
	// The policy the blue/green permissions page gives the hook role.
	invokePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:*:*:function:*"}]}`
)

var (
	lambdaHookID = regexp.MustCompile(`^ecs-lambda-[A-Za-z0-9_-]{43}$`)
	pauseHookID  = regexp.MustCompile(`^ecs-pause-[A-Za-z0-9_-]{43}$`)
)

func blueGreen(bake int32, hooks ...ecstypes.DeploymentLifecycleHook) *ecstypes.DeploymentConfiguration {
	return &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyBlueGreen, BakeTimeInMinutes: aws.Int32(bake), LifecycleHooks: hooks}
}

func lambdaHook(role string, stages ...ecstypes.DeploymentLifecycleHookStage) ecstypes.DeploymentLifecycleHook {
	return ecstypes.DeploymentLifecycleHook{HookTargetArn: aws.String(hookFunction), RoleArn: aws.String(role), LifecycleStages: stages}
}

// newClockedECSEnv is newECSEnv whose ECS client signs on rolecall's
// clock, so that the test may move time on by the minutes a bake time or
// a hook's timeout lasts.
func newClockedECSEnv(t *testing.T) *ecsEnv {
	e := newECSEnv(t)
	e.ecs = ecs.NewFromConfig(e.rc.Config, func(o *ecs.Options) { o.HTTPSignerV4 = clockSigner{clock: e.clock} })
	return e
}

// hookRole creates a role with trust and, unless "", policy inline.
func (e *ecsEnv) hookRole(t *testing.T, name, trust, policy string) string {
	t.Helper()
	arn := e.role(t, name, trust)
	if policy != "" {
		must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("invoke"), PolicyDocument: aws.String(policy)}))(t)
	}
	return arn
}

// deployNext registers the next revision of app (image) and updates web
// to it with client c, with dc unless nil.
func (e *ecsEnv) deployNext(t *testing.T, c *ecs.Client, image string, dc *ecstypes.DeploymentConfiguration) (*ecs.UpdateServiceOutput, error) {
	t.Helper()
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) {
		in.TaskRoleArn = aws.String("arn:aws:iam::" + account + ":role/appTask")
		in.ContainerDefinitions[0].Image = aws.String(image)
	})
	return c.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String("app"), DeploymentConfiguration: dc})
}

// stageOf is "STATUS STAGE" and each hook's "TYPE:STATUS".
func stageOf(sd ecstypes.ServiceDeployment) string {
	s := string(sd.Status) + " " + string(sd.LifecycleStage)
	for _, h := range sd.LifecycleHookDetails {
		s += " " + string(h.TargetType) + ":" + string(h.Status)
	}
	return s
}

// A blue/green service with a Lambda hook after scale-up and after the
// test traffic shift, and a bake time of 5 minutes: the first deployment
// scales up, runs its hooks, bakes, and succeeds; the second starts its
// green tasks beside the blue ones, which stop only after the bake.
func TestECSBlueGreenDeployment(t *testing.T) {
	e := newClockedECSEnv(t)
	role := e.hookRole(t, "ecsHookRole", ecsTrust, invokePolicy)
	svc := e.webService(t, 2, blueGreen(5, lambdaHook(role, ecstypes.DeploymentLifecycleHookStagePostScaleUp, ecstypes.DeploymentLifecycleHookStagePostTestTrafficShift)))
	first := aws.ToString(svc.CurrentServiceDeployment)
	if got := stageOf(e.serviceDeployment(t, first)); got != "IN_PROGRESS SCALE_UP" {
		t.Errorf("created: %s", got)
	}
	e.clock.Advance(time.Second)
	sd := e.serviceDeployment(t, first)
	if got := stageOf(sd); got != "IN_PROGRESS BAKE_TIME AWS_LAMBDA:SUCCEEDED AWS_LAMBDA:SUCCEEDED" {
		t.Errorf("scaled up: %s", got)
	}
	for _, h := range sd.LifecycleHookDetails {
		if !lambdaHookID.MatchString(aws.ToString(h.HookId)) || aws.ToString(h.TargetArn) != hookFunction || h.ExpiresAt != nil {
			t.Errorf("hook %+v", h)
		}
	}
	if sd.DeploymentConfiguration.Strategy != ecstypes.DeploymentStrategyBlueGreen || aws.ToInt32(sd.DeploymentConfiguration.BakeTimeInMinutes) != 5 {
		t.Errorf("configuration %+v", sd.DeploymentConfiguration)
	}
	e.clock.Advance(5 * time.Minute)
	if got := stageOf(e.serviceDeployment(t, first)); got != "SUCCESSFUL CLEAN_UP AWS_LAMBDA:SUCCEEDED AWS_LAMBDA:SUCCEEDED" {
		t.Errorf("baked: %s", got)
	}

	// The second revision: green beside blue until the bake is over.
	out := must(e.deployNext(t, e.ecs, "nginx:2", nil))(t)
	second := aws.ToString(out.Service.CurrentServiceDeployment)
	if got := strings.Join(deploymentsOf(*out.Service), ","); got != "PRIMARY IN_PROGRESS app:2 0/2,ACTIVE COMPLETED app:1 2/0" {
		t.Errorf("deploying %s", got)
	}
	if got := stageOf(e.serviceDeployment(t, second)); got != "IN_PROGRESS SCALE_UP" {
		t.Errorf("second created: %s", got)
	}
	e.clock.Advance(time.Second)
	if got := strings.Join(deploymentsOf(e.describeService(t, "web")), ","); got != "PRIMARY IN_PROGRESS app:2 2/0,ACTIVE COMPLETED app:1 2/0" {
		t.Errorf("green beside blue %s", got)
	}
	if got := stageOf(e.serviceDeployment(t, second)); got != "IN_PROGRESS BAKE_TIME AWS_LAMBDA:SUCCEEDED AWS_LAMBDA:SUCCEEDED" {
		t.Errorf("second scaled up: %s", got)
	}
	e.clock.Advance(4 * time.Minute)
	if got := strings.Join(deploymentsOf(e.describeService(t, "web")), ","); got != "PRIMARY IN_PROGRESS app:2 2/0,ACTIVE COMPLETED app:1 2/0" {
		t.Errorf("baking %s", got)
	}
	e.clock.Advance(time.Minute)
	svc = e.describeService(t, "web")
	if !strings.HasPrefix(messages(svc, 1)[0], "(service web) has stopped 2 running tasks: (task ") {
		t.Errorf("clean-up events %q", messages(svc, 2))
	}
	if got := stageOf(e.serviceDeployment(t, second)); got != "IN_PROGRESS CLEAN_UP AWS_LAMBDA:SUCCEEDED AWS_LAMBDA:SUCCEEDED" {
		t.Errorf("cleaning up: %s", got)
	}
	e.clock.Advance(time.Second)
	if got := strings.Join(deploymentsOf(e.describeService(t, "web")), ","); got != "PRIMARY COMPLETED app:2 2/0" {
		t.Errorf("completed %s", got)
	}
	sd = e.serviceDeployment(t, second)
	if got := stageOf(sd); got != "SUCCESSFUL CLEAN_UP AWS_LAMBDA:SUCCEEDED AWS_LAMBDA:SUCCEEDED" || sd.SourceServiceRevisions[0].RunningTaskCount != 0 ||
		sd.TargetServiceRevision.RunningTaskCount != 2 {
		t.Errorf("second succeeded: %s %+v", got, sd.SourceServiceRevisions)
	}
}

// A hook role without lambda:InvokeFunction: ECS assumes it at the
// hook's stage and is refused; the deployment fails with the refusal and
// rolls back to the blue deployment, which has run all along.
func TestECSBlueGreenHookRefused(t *testing.T) {
	e := newECSEnv(t)
	e.webService(t, 1, blueGreen(0))
	e.clock.Advance(time.Second)
	blue := aws.ToString(e.describeService(t, "web").Deployments[0].Id)
	bare := e.hookRole(t, "bareHook", ecsTrust, "")
	out := must(e.deployNext(t, e.ecs, "nginx:2", blueGreen(0, lambdaHook(bare, ecstypes.DeploymentLifecycleHookStagePostScaleUp))))(t)
	arn := aws.ToString(out.Service.CurrentServiceDeployment)
	green := aws.ToString(out.Service.Deployments[0].Id)
	e.clock.Advance(time.Second)
	reason := "Lifecycle hook " + hookFunction + " failed at stage POST_SCALE_UP: User: arn:aws:sts::" + account +
		":assumed-role/bareHook/ECSDeploymentLifecycleHook is not authorized to perform: lambda:InvokeFunction on resource: " + hookFunction +
		" because no identity-based policy allows the lambda:InvokeFunction action"
	sd := e.serviceDeployment(t, arn)
	if got := stageOf(sd); got != "ROLLBACK_IN_PROGRESS POST_SCALE_UP AWS_LAMBDA:FAILED" || aws.ToString(sd.StatusReason) != reason ||
		sd.Rollback == nil || aws.ToString(sd.Rollback.Reason) != reason || aws.ToString(sd.Rollback.ServiceRevisionArn) != revisionOf(blue) {
		t.Fatalf("refused: %s %q %+v", got, aws.ToString(sd.StatusReason), sd.Rollback)
	}
	svc := e.describeService(t, "web")
	if got, want := messages(svc, 3), []string{"(service web) has stopped 1 running tasks: (task ",
		"(service web) rolling back to deployment " + blue + ".",
		"(service web) (deployment " + green + ") deployment failed: " + reason}; !strings.HasPrefix(got[0], want[0]) || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("events %q", got)
	}
	if got := strings.Join(deploymentsOf(svc), ","); got != "PRIMARY IN_PROGRESS app:1 1/0,ACTIVE IN_PROGRESS app:2 0/0" || aws.ToString(svc.Deployments[0].Id) != blue {
		t.Errorf("rolled back to %s: %s", aws.ToString(svc.Deployments[0].Id), got)
	}
	e.clock.Advance(time.Second)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "ROLLBACK_SUCCESSFUL POST_SCALE_UP AWS_LAMBDA:FAILED" {
		t.Errorf("rolled back: %s", got)
	}

	// A role ECS could assume when the deployment started, whose trust
	// names another service by the time the stage is reached.
	trusted := e.hookRole(t, "ecsHookRole", ecsTrust, invokePolicy)
	arn = aws.ToString(must(e.deployNext(t, e.ecs, "nginx:3", blueGreen(0, lambdaHook(trusted, ecstypes.DeploymentLifecycleHookStagePostScaleUp))))(t).Service.CurrentServiceDeployment)
	must(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ecsHookRole"),
		PolicyDocument: aws.String(strings.Replace(ecsTrust, "ecs.amazonaws.com", "lambda.amazonaws.com", 1))}))(t)
	e.clock.Advance(time.Second)
	sd = e.serviceDeployment(t, arn)
	if got, want := aws.ToString(sd.StatusReason), "Lifecycle hook "+hookFunction+" failed at stage POST_SCALE_UP: ECS was unable to assume the role '"+trusted+
		"' that was provided for the lifecycle hook."; got != want || stageOf(sd) != "ROLLBACK_IN_PROGRESS POST_SCALE_UP AWS_LAMBDA:FAILED" {
		t.Errorf("trust changed: %s %q", stageOf(sd), got)
	}
}

// Who may name a hook role: the caller passes it to ecs.amazonaws.com
// (iam:PassRole), and ECS must be able to assume it; another account's
// role, a role trusting another service, a hook without a role fail.
func TestECSHookRoleChecked(t *testing.T) {
	e := newECSEnv(t)
	e.webService(t, 1, blueGreen(0))
	good := e.hookRole(t, "ecsHookRole", ecsTrust, invokePolicy)
	// A deployer who may pass roles to ECS tasks only.
	dev := userClient(t, e, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"},`+
		`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}`)
	_, err := e.deployNext(t, dev, "nginx:2", blueGreen(0, lambdaHook(good, ecstypes.DeploymentLifecycleHookStagePostScaleUp)))
	wantErr(t, err, http.StatusBadRequest, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/dev is not authorized to perform: iam:PassRole on resource: "+good+
		" because no identity-based policy allows the iam:PassRole action")

	lambdaTrust := strings.Replace(ecsTrust, "ecs.amazonaws.com", "lambda.amazonaws.com", 1)
	for _, c := range []struct{ name, role, code, message string }{
		{"another account's role", "arn:aws:iam::111122223333:role/ecsHookRole", "AccessDeniedException",
			"User: arn:aws:iam::" + account + ":root is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/ecsHookRole because no resource-based policy allows the iam:PassRole action"},
		{"a role trusting Lambda", e.hookRole(t, "lambdaTrusting", lambdaTrust, invokePolicy), "InvalidParameterException",
			"The lifecycle hook role arn:aws:iam::" + account + ":role/lambdaTrusting is not valid. Specify a valid IAM role that Amazon ECS can assume and try again."},
		{"no role", "", "InvalidParameterException", "A lifecycle hook of target type AWS_LAMBDA must specify a hookTargetArn and a roleArn."},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := lambdaHook(c.role, ecstypes.DeploymentLifecycleHookStagePostScaleUp)
			if c.role == "" {
				h.RoleArn = nil
			}
			_, err := e.deployNext(t, e.ecs, "nginx:2", blueGreen(0, h))
			wantErr(t, err, http.StatusBadRequest, c.code, c.message)
		})
	}
}

// A PAUSE hook after the test traffic shift: the deployment waits there,
// blue and green both running, until ContinueServiceDeployment continues
// it; a deployment not in progress, or a hook not awaiting action, cannot
// be continued. A second one times out and rolls back; a third is rolled
// back by hand.
func TestECSPauseHookContinue(t *testing.T) {
	e := newClockedECSEnv(t)
	svc := e.webService(t, 1, blueGreen(0))
	first := aws.ToString(svc.CurrentServiceDeployment)
	e.clock.Advance(time.Second)
	pause := ecstypes.DeploymentLifecycleHook{TargetType: ecstypes.DeploymentLifecycleHookTargetTypePause,
		LifecycleStages:      []ecstypes.DeploymentLifecycleHookStage{ecstypes.DeploymentLifecycleHookStagePostTestTrafficShift},
		TimeoutConfiguration: &ecstypes.DeploymentLifecycleHookTimeoutConfiguration{TimeoutInMinutes: aws.Int32(30)}}
	continueHook := func(arn, hook string, action ecstypes.DeploymentLifecycleHookAction) error {
		_, err := e.ecs.ContinueServiceDeployment(ctx, &ecs.ContinueServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn), HookId: aws.String(hook), Action: action})
		return err
	}
	wantErr(t, continueHook(first, "ecs-pause-x", ""), http.StatusBadRequest, "InvalidParameterException", "The service deployment can't be continued because it is SUCCESSFUL.")

	// Paused.
	arn := aws.ToString(must(e.deployNext(t, e.ecs, "nginx:2", blueGreen(0, pause)))(t).Service.CurrentServiceDeployment)
	e.clock.Advance(time.Second)
	sd := e.serviceDeployment(t, arn)
	if got := stageOf(sd); got != "IN_PROGRESS POST_TEST_TRAFFIC_SHIFT PAUSE:AWAITING_ACTION" {
		t.Fatalf("paused: %s", got)
	}
	h := sd.LifecycleHookDetails[0]
	hook := aws.ToString(h.HookId)
	if !pauseHookID.MatchString(hook) || h.TargetArn != nil || h.TimeoutAction != ecstypes.DeploymentLifecycleHookActionRollback ||
		h.ExpiresAt == nil || h.ExpiresAt.Sub(e.clock.Now()) > 30*time.Minute || h.ExpiresAt.Sub(e.clock.Now()) < 29*time.Minute {
		t.Errorf("pause hook %+v", h)
	}
	e.clock.Advance(10 * time.Minute)
	if got := strings.Join(deploymentsOf(e.describeService(t, "web")), ","); got != "PRIMARY IN_PROGRESS app:2 1/0,ACTIVE COMPLETED app:1 1/0" {
		t.Errorf("paused with blue and green %s", got)
	}
	wantErr(t, continueHook(arn, "ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw", ecstypes.DeploymentLifecycleHookActionContinue), http.StatusBadRequest,
		"InvalidParameterException", "The service deployment has no lifecycle hook awaiting action with the specified hookId.")
	must(0, continueHook(arn, hook, ecstypes.DeploymentLifecycleHookActionContinue))(t)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "IN_PROGRESS CLEAN_UP PAUSE:SUCCEEDED" {
		t.Errorf("continued: %s", got)
	}
	wantErr(t, continueHook(arn, hook, ""), http.StatusBadRequest, "InvalidParameterException", "The service deployment has no lifecycle hook awaiting action with the specified hookId.")
	e.clock.Advance(time.Second)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "SUCCESSFUL CLEAN_UP PAUSE:SUCCEEDED" {
		t.Errorf("completed: %s", got)
	}

	// Timed out: the timeout action, ROLLBACK.
	arn = aws.ToString(must(e.deployNext(t, e.ecs, "nginx:3", nil))(t).Service.CurrentServiceDeployment)
	e.clock.Advance(time.Second)
	hook = aws.ToString(e.serviceDeployment(t, arn).LifecycleHookDetails[0].HookId)
	e.clock.Advance(30 * time.Minute)
	sd = e.serviceDeployment(t, arn)
	if got := stageOf(sd); got != "ROLLBACK_IN_PROGRESS POST_TEST_TRAFFIC_SHIFT PAUSE:TIMED_OUT" ||
		aws.ToString(sd.StatusReason) != "Lifecycle hook "+hook+" timed out at stage POST_TEST_TRAFFIC_SHIFT." {
		t.Errorf("timed out: %s %q", got, aws.ToString(sd.StatusReason))
	}
	e.clock.Advance(time.Second)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "ROLLBACK_SUCCESSFUL POST_TEST_TRAFFIC_SHIFT PAUSE:TIMED_OUT" {
		t.Errorf("rolled back: %s", got)
	}

	// Rolled back by hand.
	arn = aws.ToString(must(e.deployNext(t, e.ecs, "nginx:4", nil))(t).Service.CurrentServiceDeployment)
	e.clock.Advance(time.Second)
	hook = aws.ToString(e.serviceDeployment(t, arn).LifecycleHookDetails[0].HookId)
	must(0, continueHook(arn, hook, ecstypes.DeploymentLifecycleHookActionRollback))(t)
	sd = e.serviceDeployment(t, arn)
	if got := stageOf(sd); got != "ROLLBACK_IN_PROGRESS POST_TEST_TRAFFIC_SHIFT PAUSE:FAILED" ||
		aws.ToString(sd.StatusReason) != "Lifecycle hook "+hook+" was rolled back at stage POST_TEST_TRAFFIC_SHIFT by ContinueServiceDeployment." {
		t.Errorf("rolled back by hand: %s %q", got, aws.ToString(sd.StatusReason))
	}
	wantErr(t, continueHook(arn, hook, ""), http.StatusBadRequest, "InvalidParameterException", "The service deployment can't be continued because it is ROLLBACK_IN_PROGRESS.")
}

// Linear and canary deployments are staged as blue/green ones are;
// production traffic shifts in steps, each but the last followed by its
// step bake time (linear), or after the canary's bake time. A staged
// deployment stopped by hand rolls back to the blue tasks, which have run
// all along: their deployment is the PRIMARY again.
func TestECSLinearCanaryAndStop(t *testing.T) {
	e := newClockedECSEnv(t)
	linear := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyLinear, BakeTimeInMinutes: aws.Int32(0),
		LinearConfiguration: &ecstypes.LinearConfiguration{StepPercent: aws.Float64(50), StepBakeTimeInMinutes: aws.Int32(3)}}
	arn := aws.ToString(e.webService(t, 1, linear).CurrentServiceDeployment)
	e.clock.Advance(time.Second)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT" {
		t.Errorf("linear, first step: %s", got)
	}
	e.clock.Advance(2 * time.Minute)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT" {
		t.Errorf("linear, stepping: %s", got)
	}
	e.clock.Advance(time.Minute)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "SUCCESSFUL CLEAN_UP" {
		t.Errorf("linear, shifted: %s", got)
	}

	canary := &ecstypes.DeploymentConfiguration{Strategy: ecstypes.DeploymentStrategyCanary, BakeTimeInMinutes: aws.Int32(0),
		CanaryConfiguration: &ecstypes.CanaryConfiguration{CanaryPercent: aws.Float64(10), CanaryBakeTimeInMinutes: aws.Int32(4)}}
	out := must(e.deployNext(t, e.ecs, "nginx:2", canary))(t)
	arn, canaryID := aws.ToString(out.Service.CurrentServiceDeployment), aws.ToString(out.Service.Deployments[0].Id)
	e.clock.Advance(time.Second)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT" {
		t.Errorf("canary: %s", got)
	}
	e.clock.Advance(4 * time.Minute)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "IN_PROGRESS CLEAN_UP" {
		t.Errorf("canary, shifted: %s", got)
	}
	e.clock.Advance(time.Second)
	if got := strings.Join(deploymentsOf(e.describeService(t, "web")), ","); got != "PRIMARY COMPLETED app:2 1/0" {
		t.Errorf("canary completed %s", got)
	}

	// Stopped while baking: back to the canary deployment's tasks.
	arn = aws.ToString(must(e.deployNext(t, e.ecs, "nginx:3", blueGreen(10)))(t).Service.CurrentServiceDeployment)
	e.clock.Advance(time.Second)
	if got := stageOf(e.serviceDeployment(t, arn)); got != "IN_PROGRESS BAKE_TIME" {
		t.Errorf("baking: %s", got)
	}
	must(e.ecs.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{ServiceDeploymentArn: aws.String(arn)}))(t)
	svc := e.describeService(t, "web")
	if got := strings.Join(deploymentsOf(svc), ","); got != "PRIMARY IN_PROGRESS app:2 1/0,ACTIVE IN_PROGRESS app:3 0/0" || aws.ToString(svc.Deployments[0].Id) != canaryID {
		t.Errorf("stopped: %s %s", got, aws.ToString(svc.Deployments[0].Id))
	}
	e.clock.Advance(time.Second)
	if sd := e.serviceDeployment(t, arn); sd.Status != ecstypes.ServiceDeploymentStatusRollbackSuccessful || sd.LifecycleStage != ecstypes.ServiceDeploymentLifecycleStageBakeTime {
		t.Errorf("rolled back: %s", stageOf(sd))
	}
	if got := strings.Join(deploymentsOf(e.describeService(t, "web")), ","); got != "PRIMARY COMPLETED app:2 1/0" {
		t.Errorf("rolled back %s", got)
	}
}
