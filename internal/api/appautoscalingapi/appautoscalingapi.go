// Package appautoscalingapi binds the Application Auto Scaling domain
// (internal/appautoscaling) to AWS's operations (JSON 1.1, target prefix
// AnyScaleFrontendService, signing name application-autoscaling). Inputs
// and outputs are the model's own request and response shapes
// (internal/appautoscaling/types); the codec has checked the model's
// constraints before a handler runs, so a binding only carries the call's
// account, Region and caller across, and declares what the operation
// acts on (access.go).
package appautoscalingapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/appautoscaling"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/resolve"
)

// New returns the Application Auto Scaling operations rolecall
// implements, each declaring what it acts on through res.
func New(res resolve.AppAutoScaling) *api.Service {
	return api.NewService("application-autoscaling", bindings(res.Svc, declarations{res})...)
}

// bind adapts a domain method, which takes an appautoscaling.Call, to an
// operation acting on what acts declares.
func bind[In, Out any](name string, fn func(context.Context, appautoscaling.Call, *In) (*Out, error), acts acts[In]) *api.Operation {
	r := func(ctx context.Context, c *api.Call, in *In) (authz.Access, error) { return acts(ctx, call(c), in) }
	return api.Op(name, func(ctx context.Context, c *api.Call, in *In) (*Out, error) { return fn(ctx, call(c), in) }, r)
}

func call(c *api.Call) appautoscaling.Call {
	return appautoscaling.Call{Account: c.Account, Region: c.Region, Principal: c.Principal}
}

func bindings(s *appautoscaling.Service, d declarations) []*api.Operation {
	return []*api.Operation{
		// Scalable targets.
		bind("RegisterScalableTarget", s.RegisterScalableTarget, d.registerScalableTarget),
		bind("DeregisterScalableTarget", s.DeregisterScalableTarget, d.deregisterScalableTarget),
		bind("DescribeScalableTargets", s.DescribeScalableTargets, describe),

		// Scaling policies.
		bind("PutScalingPolicy", s.PutScalingPolicy, d.putScalingPolicy),
		bind("DeleteScalingPolicy", s.DeleteScalingPolicy, d.deleteScalingPolicy),
		bind("DescribeScalingPolicies", s.DescribeScalingPolicies, describe),

		// Scheduled actions.
		bind("PutScheduledAction", s.PutScheduledAction, d.putScheduledAction),
		bind("DeleteScheduledAction", s.DeleteScheduledAction, d.deleteScheduledAction),
		bind("DescribeScheduledActions", s.DescribeScheduledActions, describe),

		// Scaling activities.
		bind("DescribeScalingActivities", s.DescribeScalingActivities, describe),

		// Tags.
		bind("TagResource", s.TagResource, d.tagResource),
		bind("UntagResource", s.UntagResource, d.untagResource),
		bind("ListTagsForResource", s.ListTagsForResource, d.listTagsForResource),
	}
}
