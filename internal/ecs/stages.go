package ecs

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/records"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/store"
)

// Blue/green, linear and canary deployments
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html):
// the new revision's tasks (green) start alongside the running ones (blue),
// which keep running through the traffic shifts and the bake time and stop
// only at CLEAN_UP. The service deployment moves through lifecycle stages
// (ServiceDeployment reference, lifecycleStage) and, at the stages its
// lifecycle hooks name, runs them
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html):
//
//   - an AWS_LAMBDA hook: ECS assumes the hook's role and invokes the
//     function with it. rolecall runs no Lambda: once the role may be
//     assumed and allows lambda:InvokeFunction on the function, the hook
//     answers SUCCEEDED; a refusal fails the hook, and the deployment rolls
//     back (or, with no deployment that completed, stops).
//   - a PAUSE hook waits, AWAITING_ACTION, for ContinueServiceDeployment
//     (CONTINUE or ROLLBACK), or for its timeout, after which ECS takes its
//     timeout action
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html).
//
// rolecall shifts no traffic: the traffic stages pass at once, but for a
// linear or canary deployment's step bake times. Like the rest of a
// rollout, the stages move when the service is read.

// The deployment strategies (DeploymentConfiguration reference).
const (
	strategyBlueGreen = "BLUE_GREEN"
	strategyLinear    = "LINEAR"
	strategyCanary    = "CANARY"
)

// The lifecycle stages of a service deployment, in order.
const (
	stageReconcile   = "RECONCILE_SERVICE"
	stagePreScaleUp  = "PRE_SCALE_UP"
	stageScaleUp     = "SCALE_UP"
	stageProduction  = "PRODUCTION_TRAFFIC_SHIFT"
	stageBake        = "BAKE_TIME"
	stageCleanUp     = "CLEAN_UP"
	hookPreProdShift = "PRE_PRODUCTION_TRAFFIC_SHIFT"
)

var lifecycleStages = []string{stageReconcile, stagePreScaleUp, stageScaleUp, "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT",
	"POST_TEST_TRAFFIC_SHIFT", stageProduction, "POST_PRODUCTION_TRAFFIC_SHIFT", stageBake, stageCleanUp}

func stageIndex(stage string) int { return slices.Index(lifecycleStages, stage) }

// hookStagesAt are the hook stages whose hooks run at a lifecycle stage:
// a PRE_PRODUCTION_TRAFFIC_SHIFT hook, a stage the hooks have and the
// deployment's lifecycleStage does not, runs as production traffic is
// about to shift (rolecall's reading).
func hookStagesAt(stage string) []string {
	if stage == stageProduction {
		return []string{hookPreProdShift, stage}
	}
	return []string{stage}
}

// A lifecycle hook's states (DeploymentLifecycleHookDetail reference).
const (
	hookAwaiting  = "AWAITING_ACTION"
	hookSucceeded = "SUCCEEDED"
	hookFailed    = "FAILED"
	hookTimedOut  = "TIMED_OUT"
)

// The defaults of a hook's timeout (DeploymentLifecycleHookTimeoutConfiguration
// reference: "Default: 1440 (24 hours)", "Default: ROLLBACK").
const (
	hookTimeoutDefault = 1440
	actionContinue     = "CONTINUE"
	actionRollback     = "ROLLBACK"
)

// hookRun is one lifecycle hook run at one stage of a service deployment.
type hookRun struct {
	ID string
	// Hook is the hook's index in the deployment's configuration; Stage
	// the hook stage it ran for.
	Hook          int
	Stage         string
	Type, Target  string
	Status        string
	Expires       time.Time `json:",omitzero"`
	TimeoutAction string    `json:",omitempty"`
}

// staged: the deployment moves through lifecycle stages (blue/green,
// linear, canary).
func (sd *serviceDeployment) staged() bool {
	if sd == nil || sd.Config == nil {
		return false
	}
	switch sd.Config.Strategy {
	case strategyBlueGreen, strategyLinear, strategyCanary:
		return true
	}
	return false
}

// staging: the deployment is IN_PROGRESS through its stages.
func (sd *serviceDeployment) staging() bool { return sd.staged() && sd.Status == sdInProgress }

func (sd *serviceDeployment) hookRun(id string) *hookRun {
	for i := range sd.Hooks {
		if sd.Hooks[i].ID == id {
			return &sd.Hooks[i]
		}
	}
	return nil
}

// waits is how long a stage lasts once its hooks have run: a linear
// deployment's steps after the first, or a canary's bake, while production
// traffic shifts (LinearConfiguration, CanaryConfiguration reference:
// stepPercent 10 and stepBakeTimeInMinutes 6, canaryBakeTimeInMinutes 10
// by default; "This bake time is not applied after reaching 100
// percent"), and the bake time.
func (sd *serviceDeployment) waits(stage string) time.Duration {
	dc := sd.Config
	switch {
	case stage == stageBake && dc.BakeTimeInMinutes != nil:
		return time.Duration(*dc.BakeTimeInMinutes) * time.Minute
	case stage == stageProduction && dc.Strategy == strategyLinear:
		step, bake := defaultStepPercent, defaultStepBake
		if lc := dc.LinearConfiguration; lc != nil {
			if lc.StepPercent != nil && *lc.StepPercent > 0 {
				step = *lc.StepPercent
			}
			if lc.StepBakeTimeInMinutes != nil {
				bake = *lc.StepBakeTimeInMinutes
			}
		}
		return time.Duration(math.Ceil(100/step)-1) * time.Duration(bake) * time.Minute
	case stage == stageProduction && dc.Strategy == strategyCanary:
		bake := defaultCanaryBake
		if cc := dc.CanaryConfiguration; cc != nil {
			if cc.CanaryPercent != nil && *cc.CanaryPercent >= 100 {
				return 0
			}
			if cc.CanaryBakeTimeInMinutes != nil {
				bake = *cc.CanaryBakeTimeInMinutes
			}
		}
		return time.Duration(bake) * time.Minute
	}
	return 0
}

// stageWork is what moving a deployment along its stages asks of ECS: a
// new hook ID for a hook of targetType, the invocation of a Lambda hook
// (its failure reason, "" when it succeeded), and the ECS deployment ID
// a rollback runs as.
type stageWork struct {
	hookID   func(targetType string) string
	invoke   func(h records.DeploymentLifecycleHook, stage string) (string, error)
	rollback func() string
}

// advance moves the service's current deployment along its stages as far
// as tl, the tasks at now, allow: it answers whether anything changed and
// the events to add.
func (r *serviceRecord) advance(tl *tally, now time.Time, w stageWork) (bool, []timedEvent, error) {
	sd := r.Rollout.current()
	if !sd.staging() || sd.ECS != r.Deployment {
		return false, nil, nil
	}
	changed := false
	if sd.Stage == "" {
		sd.Stage, sd.StageAt, changed = stagePreScaleUp, sd.Started, true
		if len(sd.Sources) > 1 {
			sd.Stage = stageReconcile
		}
	}
	for {
		at := sd.StageAt
		done, moved, evs, err := r.runHooks(sd, at, now, w)
		changed = changed || moved
		if err != nil || !done || !sd.staging() {
			return changed, evs, err
		}
		for _, h := range sd.Hooks {
			if h.Status == hookTimedOut && h.Expires.After(at) {
				at = h.Expires
			}
		}
		switch sd.Stage {
		case stageScaleUp:
			g := tl.of(r.Deployment)
			if g.running < r.Service.DesiredCount || g.pending > 0 {
				return changed, nil, nil
			}
			if g.started.After(at) {
				at = g.started
			}
		case stageCleanUp:
			// The blue tasks stop (replace); the scheduler completes the
			// deployment once they have.
			return changed, nil, nil
		}
		if wait := sd.waits(sd.Stage); wait > 0 {
			if now.Before(at.Add(wait)) {
				return changed, nil, nil
			}
			at = at.Add(wait)
		}
		sd.Stage = lifecycleStages[stageIndex(sd.Stage)+1]
		sd.StageAt, sd.Updated, changed = at, at, true
	}
}

// runHooks runs the hooks of the deployment's stage that have not run:
// done says they all have finished and the deployment may go on.
func (r *serviceRecord) runHooks(sd *serviceDeployment, at, now time.Time, w stageWork) (done, changed bool, evs []timedEvent, err error) {
	for _, st := range hookStagesAt(sd.Stage) {
		for i, h := range sd.Config.LifecycleHooks {
			if !slices.Contains(h.LifecycleStages, st) {
				continue
			}
			var run *hookRun
			for j := range sd.Hooks {
				if sd.Hooks[j].Hook == i && sd.Hooks[j].Stage == st {
					run = &sd.Hooks[j]
				}
			}
			if run == nil {
				typ := ecsroles.HookTarget(records.Convert[types.DeploymentLifecycleHook](h))
				sd.Hooks = append(sd.Hooks, hookRun{ID: w.hookID(typ), Hook: i, Stage: st, Type: typ})
				run, changed = &sd.Hooks[len(sd.Hooks)-1], true
				sd.Updated = at
				if typ == ecsroles.HookPause {
					run.Status, run.Expires, run.TimeoutAction = hookAwaiting, at.Add(time.Duration(hookTimeoutDefault)*time.Minute), actionRollback
					if tc := h.TimeoutConfiguration; tc != nil {
						if tc.TimeoutInMinutes != nil {
							run.Expires = at.Add(time.Duration(*tc.TimeoutInMinutes) * time.Minute)
						}
						if tc.Action != "" {
							run.TimeoutAction = tc.Action
						}
					}
				} else {
					run.Target = h.HookTargetArn
					reason, err := w.invoke(h, sd.Stage)
					if err != nil {
						return false, changed, nil, err
					}
					run.Status = hookSucceeded
					if reason != "" {
						run.Status = hookFailed
						return false, true, r.failStaged(sd, reason, at, w.rollback), nil
					}
				}
			}
			switch run.Status {
			case hookAwaiting:
				if now.Before(run.Expires) {
					return false, changed, nil, nil
				}
				run.Status, sd.Updated, changed = hookTimedOut, run.Expires, true
				if run.TimeoutAction != actionContinue {
					return false, true, r.failStaged(sd, hookTimedOutReason(run.ID, sd.Stage), run.Expires, w.rollback), nil
				}
			case hookFailed:
				return false, changed, nil, nil
			}
		}
	}
	return true, changed, nil, nil
}

// failStaged fails a staged deployment for reason at: the service rolls
// back to the deployment that last completed (rollBack), whose blue tasks
// have run all along; with none that completed, the deployment stops ("The rollback method
// requires a previous deployment in COMPLETED state",
// deployment-failure-detection.html).
func (r *serviceRecord) failStaged(sd *serviceDeployment, reason string, at time.Time, rollbackID func() string) []timedEvent {
	ro, name := r.Rollout, r.Service.ServiceName
	evs := []timedEvent{{at, fmt.Sprintf("(service %s) (deployment %s) deployment failed: %s", name, r.Deployment, reason)}}
	sd.Reason, sd.Updated = reason, at
	if ro.Good == "" {
		ro.State, ro.Reason = rolloutFailed, reason
		sd.Status, sd.Stopped, sd.Finished = sdStopped, at, at
		return evs
	}
	good := ro.Good
	r.rollBack(sd, reason, "", rollbackID(), at)
	sd.Status = sdRollbackInProgress
	return append(evs, timedEvent{at, fmt.Sprintf("(service %s) rolling back to deployment %s.", name, good)})
}

// stagesDone: the service's current deployment has no stage left but
// CLEAN_UP, or moves through none; the scheduler may complete it once the
// service is steady.
func (r *serviceRecord) stagesDone() bool {
	sd := r.Rollout.current()
	return !sd.staging() || sd.Stage == stageCleanUp
}

// replace chooses which tasks of the deployments the PRIMARY replaces
// stop now, and how many tasks the PRIMARY may add: a staged deployment's
// green tasks start at SCALE_UP, all at once, and its blue tasks all stop
// at CLEAN_UP (scale-in protection keeps a task); else a rolling update
// (rolling).
func (r *serviceRecord) replace(mine, old []*taskRecord, now time.Time, tm Timing) (stop []*taskRecord, room int) {
	sd := r.Rollout.current()
	if !sd.staging() || sd.ECS != r.Deployment {
		return rolling(&r.Service, mine, old, now, tm)
	}
	switch i := stageIndex(sd.Stage); {
	case i < stageIndex(stageScaleUp):
		return nil, 0
	case i < stageIndex(stageCleanUp):
		return nil, int(r.Service.DesiredCount)
	}
	for _, t := range old {
		if !t.protected(now) {
			stop = append(stop, t)
		}
	}
	return stop, int(r.Service.DesiredCount)
}

// advanceStages moves the service's current deployment along its stages
// (advance): ECS assumes each Lambda hook's role, for the service, and
// invokes the function with it.
func (s *Service) advanceStages(ctx context.Context, c Call, cluster, name string) error {
	now, tm := s.now(), s.phases()
	var rec *serviceRecord
	var tl *tally
	// Most services are not in a staged deployment: their tasks are not
	// read here.
	err := s.view(ctx, c, func(tx store.Tx) error {
		r, err := loadService(tx, c, cluster, name)
		if err != nil || r == nil || r.Service.Status != statusActive || !r.Rollout.current().staging() {
			return err
		}
		rec, tl, err = tallied(tx, c, cluster, name, now, tm)
		return err
	})
	if err != nil || rec == nil {
		return err
	}
	rev := rec.Rev
	work := stageWork{
		hookID: s.hookID,
		invoke: func(h records.DeploymentLifecycleHook, stage string) (string, error) {
			return s.invokeHook(ctx, c, rec.Service.ServiceArn, name, h, stage)
		},
		rollback: s.deploymentID,
	}
	changed, evs, err := rec.advance(tl, now, work)
	if err != nil || !changed {
		return err
	}
	ids := make([]string, len(evs))
	for i := range ids {
		ids[i] = s.gen.UUID()
	}
	return s.update(ctx, c, func(tx store.Tx) error {
		cur, err := loadService(tx, c, cluster, name)
		if err != nil || cur == nil || cur.Rev != rev {
			return err // changed meanwhile: that call moved it
		}
		rec.addEvents(evs, ids)
		rec.Rev++
		return putJSON(tx, bucketServices, serviceKey(c, cluster, name), rec)
	})
}

// hookID is a new lifecycle hook's ID: "ecs-pause-" and 43 URL-safe
// characters for a PAUSE hook, as the pause hooks guide shows one
// ("ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw"); a Lambda
// hook's, in the same form with "ecs-lambda-", is rolecall's.
func (s *Service) hookID(targetType string) string {
	raw, _ := hex.DecodeString(s.hexID() + s.hexID())
	prefix := "ecs-lambda-"
	if targetType == ecsroles.HookPause {
		prefix = "ecs-pause-"
	}
	return prefix + base64.RawURLEncoding.EncodeToString(raw)
}

// invokeHook does what ECS does with a Lambda hook at stage: it assumes
// the hook's role as ecs.amazonaws.com, for the service, and invokes the
// function in that session, which the role's policies must allow. The
// answer is the deployment's failure reason, "" when the hook could be
// invoked (and, rolecall running no function, succeeded).
func (s *Service) invokeHook(ctx context.Context, c Call, serviceArn, service string, h records.DeploymentLifecycleHook, stage string) (string, error) {
	hook := records.Convert[types.DeploymentLifecycleHook](h)
	role := roleARN(c, hook.RoleArn)
	if _, err := s.roles.AssumeAsService(ctx, c, PrincipalECS, role, ecsroles.HookSession, serviceArn); err != nil {
		if !awserr.IsClient(err) {
			return "", err
		}
		return hookFailedReason(hook.HookTargetArn, stage, "ECS was unable to assume the role '"+role+"' that was provided for the lifecycle hook."), nil
	}
	_, denial, err := s.firstRefused(ctx, c, role, ecsroles.HookSession, []RoleAction{ecsroles.HookNeed(hook, service)})
	if err != nil || denial == "" {
		return "", err
	}
	return hookFailedReason(hook.HookTargetArn, stage, denial), nil
}

// checkLifecycleHooks checks a deployment configuration's lifecycle hooks
// as CreateService and UpdateService take them: each names its stages,
// and an AWS_LAMBDA hook its function and role, which the caller passes
// to ecs.amazonaws.com (iam:PassRole; a denial is the call's
// AccessDeniedException) and ECS must be able to assume, for the service.
// The role's permissions are used, and so checked, when a stage is
// reached.
func (s *Service) checkLifecycleHooks(ctx context.Context, c Call, dc *types.DeploymentConfiguration, serviceArn string) error {
	if dc == nil {
		return nil
	}
	for _, h := range dc.LifecycleHooks {
		if len(h.LifecycleStages) == 0 {
			return errHookStages()
		}
		if ecsroles.HookTarget(h) != ecsroles.HookLambda {
			continue
		}
		if h.HookTargetArn == "" || h.RoleArn == "" {
			return errLambdaHook()
		}
		role := roleARN(c, h.RoleArn)
		if err := s.roles.PassRole(ctx, c, role, PrincipalECS, ""); err != nil {
			if err, denied := asAccessDenied(err); denied {
				return err
			}
			if isNoSuchRole(err) {
				return errHookRole(role)
			}
			return err
		}
		if _, err := s.roles.AssumeAsService(ctx, c, PrincipalECS, role, ecsroles.HookSession, serviceArn); err != nil {
			if awserr.IsClient(err) {
				return errHookRole(role)
			}
			return err
		}
	}
	return nil
}

// ContinueServiceDeployment acts on a PAUSE hook awaiting action: CONTINUE
// (the default) has the deployment go on to its next stage, ROLLBACK rolls
// it back. "You can continue a deployment that has a pause hook in
// AWAITING_ACTION status. The deployment must be in the IN_PROGRESS
// state" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html).
func (s *Service) ContinueServiceDeployment(ctx context.Context, c Call, in *types.ContinueServiceDeploymentRequest) (*types.ContinueServiceDeploymentResponse, error) {
	now := s.now()
	back, eventUUIDs := s.deploymentID(), []string{s.gen.UUID(), s.gen.UUID()}
	err := s.actOnDeployment(ctx, c, in.ServiceDeploymentArn, func(r *serviceRecord, sd *serviceDeployment) (bool, error) {
		if sd.Status != sdInProgress {
			return false, errDeploymentNotPaused(sd.Status)
		}
		run := sd.hookRun(in.HookId)
		if run == nil || run.Status != hookAwaiting || sd != r.Rollout.current() {
			return false, errNoPausedHook()
		}
		sd.Updated = now
		if in.Action == actionRollback {
			run.Status = hookFailed
			r.addEvents(r.failStaged(sd, hookRolledBackReason(run.ID, sd.Stage), now, func() string { return back }), eventUUIDs)
		} else {
			run.Status = hookSucceeded
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return &types.ContinueServiceDeploymentResponse{ServiceDeploymentArn: in.ServiceDeploymentArn}, nil
}

// hookDetails are a service deployment's lifecycle hooks as
// DescribeServiceDeployments answers them: a PAUSE hook has no target, and
// its expiry and timeout action.
func (sd *serviceDeployment) hookDetails() []types.DeploymentLifecycleHookDetail {
	var out []types.DeploymentLifecycleHookDetail
	for _, h := range sd.Hooks {
		d := types.DeploymentLifecycleHookDetail{HookId: h.ID, TargetType: h.Type, TargetArn: h.Target, Status: h.Status, TimeoutAction: h.TimeoutAction}
		if !h.Expires.IsZero() {
			d.ExpiresAt = ptr(h.Expires)
		}
		out = append(out, d)
	}
	return out
}

// Texts of lifecycle hooks: AWS records none; these are rolecall's
// wording.

// hookFailedReason: a Lambda hook could not be invoked with its role at
// stage, because of cause (AWS's AccessDenied text for the invocation,
// or the role could not be assumed).
func hookFailedReason(function, stage, cause string) string {
	return "Lifecycle hook " + function + " failed at stage " + stage + ": " + strings.TrimSpace(cause)
}

// hookTimedOutReason: a PAUSE hook timed out with the action ROLLBACK.
func hookTimedOutReason(hookID, stage string) string {
	return "Lifecycle hook " + hookID + " timed out at stage " + stage + "."
}

// hookRolledBackReason: ContinueServiceDeployment rolled back at a PAUSE
// hook.
func hookRolledBackReason(hookID, stage string) string {
	return "Lifecycle hook " + hookID + " was rolled back at stage " + stage + " by ContinueServiceDeployment."
}

func errHookStages() error {
	return invalidParameter("A lifecycle hook must specify at least one lifecycle stage.")
}

func errLambdaHook() error {
	return invalidParameter("A lifecycle hook of target type AWS_LAMBDA must specify a hookTargetArn and a roleArn.")
}

// errHookRole: the hook's role does not exist, or ecs.amazonaws.com may
// not assume it (worded as the infrastructure roles' are).
func errHookRole(arn string) error {
	return invalidParameter("The lifecycle hook role %s is not valid. Specify a valid IAM role that Amazon ECS can assume and try again.", arn)
}

// errDeploymentNotPaused: ContinueServiceDeployment of a deployment that
// is not IN_PROGRESS.
func errDeploymentNotPaused(status string) error {
	return invalidParameter("The service deployment can't be continued because it is %s.", status)
}
