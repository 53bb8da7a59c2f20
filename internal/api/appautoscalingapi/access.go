package appautoscalingapi

import (
	"context"
	"slices"

	"github.com/rolecall/rolecall/internal/appautoscaling"
	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/resolve"
)

// What Application Auto Scaling's operations act on, declared beside their
// bindings (appautoscalingapi.go), with the request's condition keys
// (Service Authorization Reference, AWS Application Auto Scaling: the
// ScalableTarget resource type, application-autoscaling:service-namespace
// and application-autoscaling:scalable-dimension, aws:RequestTag and
// aws:TagKeys; the authorizer leaves out keys an action does not
// support).

// acts is an operation's declaration: its resources and keys.
type acts[In any] func(ctx context.Context, c appautoscaling.Call, in *In) (authz.Access, error)

type declarations struct{ r resolve.AppAutoScaling }

// describe: the Describe operations have no resource type in the
// reference, and AWS's AccessDenied for them names no resource ("User:
// arn:aws:iam::123456789012:user/mateojackson is not authorized to
// perform: application-autoscaling:DescribeScalableTargets", Application
// Auto Scaling User Guide, "Troubleshooting"; stelligent/mu #259 for
// DescribeScheduledActions).
func describe[In any](context.Context, appautoscaling.Call, *In) (authz.Access, error) {
	return authz.Acting(authz.Target{ARN: "*", Unnamed: true}), nil
}

// target is the scalable target a request names, with its namespace and
// dimension as keys.
func (d declarations) target(ctx context.Context, c appautoscaling.Call, namespace, resourceID, dimension string) (authz.Access, error) {
	t, err := d.r.Target(ctx, c, namespace, resourceID, dimension)
	acc := authz.Acting(t)
	acc.Keys.Set("application-autoscaling:service-namespace", nonEmpty(namespace)...)
	acc.Keys.Set("application-autoscaling:scalable-dimension", nonEmpty(dimension)...)
	return acc, err
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// tagKeys: a request's tags, as aws:RequestTag/KEY and aws:TagKeys, in
// key order.
func tagKeys(k *authz.Keys, tags map[string]string) {
	keys := make([]string, 0, len(tags))
	for key := range tags {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		k.Tag(key, tags[key])
	}
}

// The operations, in the order of appautoscalingapi.go.

func (d declarations) registerScalableTarget(ctx context.Context, c appautoscaling.Call, in *types.RegisterScalableTargetRequest) (authz.Access, error) {
	acc, err := d.target(ctx, c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	tagKeys(&acc.Keys, in.Tags)
	return acc, err
}

func (d declarations) deregisterScalableTarget(ctx context.Context, c appautoscaling.Call, in *types.DeregisterScalableTargetRequest) (authz.Access, error) {
	return d.target(ctx, c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
}

func (d declarations) putScalingPolicy(ctx context.Context, c appautoscaling.Call, in *types.PutScalingPolicyRequest) (authz.Access, error) {
	return d.target(ctx, c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
}

func (d declarations) deleteScalingPolicy(ctx context.Context, c appautoscaling.Call, in *types.DeleteScalingPolicyRequest) (authz.Access, error) {
	return d.target(ctx, c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
}

func (d declarations) putScheduledAction(ctx context.Context, c appautoscaling.Call, in *types.PutScheduledActionRequest) (authz.Access, error) {
	return d.target(ctx, c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
}

func (d declarations) deleteScheduledAction(ctx context.Context, c appautoscaling.Call, in *types.DeleteScheduledActionRequest) (authz.Access, error) {
	return d.target(ctx, c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
}

func (d declarations) byARN(ctx context.Context, c appautoscaling.Call, a string) (authz.Access, error) {
	t, err := d.r.ByARN(ctx, c, a)
	return authz.Acting(t), err
}

func (d declarations) tagResource(ctx context.Context, c appautoscaling.Call, in *types.TagResourceRequest) (authz.Access, error) {
	acc, err := d.byARN(ctx, c, in.ResourceARN)
	tagKeys(&acc.Keys, in.Tags)
	return acc, err
}

func (d declarations) untagResource(ctx context.Context, c appautoscaling.Call, in *types.UntagResourceRequest) (authz.Access, error) {
	acc, err := d.byARN(ctx, c, in.ResourceARN)
	acc.Keys.Set("aws:TagKeys", in.TagKeys...)
	return acc, err
}

func (d declarations) listTagsForResource(ctx context.Context, c appautoscaling.Call, in *types.ListTagsForResourceRequest) (authz.Access, error) {
	return d.byARN(ctx, c, in.ResourceARN)
}
