package resolve

import (
	"context"

	"github.com/rolecall/rolecall/internal/appautoscaling"
	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
)

// AppAutoScaling resolves Application Auto Scaling's scalable targets
// (the Service Authorization Reference's ScalableTarget,
// arn:aws:application-autoscaling:REGION:ACCOUNT:scalable-target/ID). A
// request names a target by service namespace, resource ID and scalable
// dimension, or, to tag it, by ARN; the authorizer evaluates the
// registered target's ARN and tags whichever spelling of its resource ID
// the request used, and for a target not registered the ARN it would
// have. AWS's messages name it by ARN ("application-autoscaling:
// RegisterScalableTarget on resource: arn:aws:application-autoscaling:
// eu-west-1:ACCOUNT:scalable-target/...", cloud-custodian #9409).
type AppAutoScaling struct {
	Svc   *appautoscaling.Service
	Cache *Cache
}

// scalableTarget is the reference's resource type.
const scalableTarget = "ScalableTarget"

// Target is the scalable target a request names.
func (r AppAutoScaling) Target(ctx context.Context, c appautoscaling.Call, namespace, resourceID, dimension string) (authz.Target, error) {
	type found struct {
		arn  string
		tags map[string]string
	}
	f, err := get(r.Cache, "aas\x00"+c.Account+"\x00"+c.Region+"\x00"+namespace+"\x00"+dimension+"\x00"+resourceID, func() (found, error) {
		a, tags, err := r.Svc.TargetOf(ctx, c, namespace, resourceID, dimension)
		return found{a, tags}, err
	})
	return authz.Target{ARN: f.arn, Type: scalableTarget, Tags: f.tags}, err
}

// ByARN is the scalable target an ARN names (TagResource and the other
// tagging operations); a target of another account is that account's.
func (r AppAutoScaling) ByARN(ctx context.Context, c appautoscaling.Call, s string) (authz.Target, error) {
	t := authz.Target{ARN: s, Type: scalableTarget}
	if p, err := arn.Parse(s); err == nil && p.Account != "" && p.Account != c.Account {
		t.Account = p.Account
		return t, nil
	}
	tags, err := get(r.Cache, "aas-arn\x00"+c.Account+"\x00"+c.Region+"\x00"+s, func() (map[string]string, error) {
		return r.Svc.ResourceTags(ctx, c, s)
	})
	t.Tags = tags
	return t, err
}
