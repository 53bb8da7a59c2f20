package ecsroles

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// A service deployment's Lambda lifecycle hooks: at each lifecycle stage a
// hook names, ECS assumes the hook's role (roleArn) and invokes the hook's
// function (hookTargetArn) with it. The role trusts ecs.amazonaws.com and
// allows lambda:InvokeFunction on the function
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-permissions.html);
// a PAUSE hook names no function and no role
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html).

// The targets a lifecycle hook may have (DeploymentLifecycleHook
// reference: "This field is optional. If not specified, the default value
// is AWS_LAMBDA").
const (
	HookLambda = "AWS_LAMBDA"
	HookPause  = "PAUSE"
)

// HookTarget is a hook's targetType, its default filled in.
func HookTarget(h types.DeploymentLifecycleHook) string {
	if h.TargetType == "" {
		return HookLambda
	}
	return h.TargetType
}

// HookSession is the role session name ECS uses with a hook's role:
// AWS documents none, this is rolecall's, after those of the
// infrastructure roles.
const HookSession = "ECSDeploymentLifecycleHook"

// HookNeed is the request ECS makes with a Lambda hook's role when a stage
// the hook names is reached: lambda:InvokeFunction on the hook's function.
func HookNeed(h types.DeploymentLifecycleHook, service string) Need {
	return Need{Action: "lambda:InvokeFunction", Resource: h.HookTargetArn, Step: StepLifecycleHook, Subject: h.HookTargetArn,
		Why: "lifecycle hook of service " + service + " at " + strings.Join(h.LifecycleStages, ", ")}
}

// hookUses are what a service's Lambda lifecycle hooks ask of their roles:
// the caller passes each to ecs.amazonaws.com, which assumes it for the
// service (aws:SourceArn, as for the service's other roles; AWS documents
// no condition keys for it) and invokes the function.
func hookUses(env Env, in ServiceInput) []Use {
	dc := in.DeploymentConfiguration
	if dc == nil {
		return nil
	}
	var out []Use
	for _, h := range dc.LifecycleHooks {
		if HookTarget(h) != HookLambda {
			continue
		}
		why := fmt.Sprintf("%s: ECS invokes lifecycle hook %s with it at %s", in.Label, h.HookTargetArn, strings.Join(h.LifecycleStages, ", "))
		if h.RoleArn == "" {
			out = append(out, Use{Kind: DeploymentHook, For: "service " + in.Name, Needed: true, Why: []string{why},
				Problems: []Problem{{What: "lifecycle hook " + h.HookTargetArn + " of service " + in.Name + " names a role", Detail: "deploymentConfiguration.lifecycleHooks[].roleArn is required with an AWS_LAMBDA hook"}}})
			continue
		}
		out = append(out, Use{Kind: DeploymentHook, Role: h.RoleArn, Needed: true, Passed: true,
			Trust: SourceKeys(env.Account, env.ServiceARN(in.Cluster, in.Name)), Why: []string{why},
			Needs: []Need{HookNeed(h, in.Name)}})
	}
	return out
}
