package appautoscaling

import (
	"context"
	"maps"
	"strings"

	"github.com/rolecall/rolecall/internal/appautoscaling/records"
	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/model/shapecopy"
	"github.com/rolecall/rolecall/internal/store"
)

// RegisterScalableTarget registers an ECS service's desired count as a
// scalable target, or updates a registered one's capacities and suspended
// state (RegisterScalableTarget reference: "registers or updates").
//
// In AWS's order as far as it shows: the request is checked, a RoleARN is
// passed, the service-linked role is ensured (Application Auto Scaling
// describes the service with it), then the service is looked up; a
// failure leaves the target as it was. A minimum or maximum given then
// brings the service's desired count within them, as the service-linked
// role: Application Auto Scaling "initiates scaling activities when you
// modify the maximum or minimum size of the scalable target, either
// manually or following a schedule" (user guide, "Scaling activities for
// Application Auto Scaling"); a refusal there is a failed activity, and
// the registration stands.
func (s *Service) RegisterScalableTarget(ctx context.Context, c Call, in *types.RegisterScalableTargetRequest) (*types.RegisterScalableTargetResponse, error) {
	r := refOf(c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	if !r.ecs {
		return nil, errUnsupported()
	}
	_, found, err := s.targetRecord(ctx, c, r)
	if err != nil {
		return nil, err
	}
	if err := checkRegistration(in, found); err != nil {
		return nil, err
	}
	if in.RoleARN != "" {
		if err := s.roleARN(ctx, c, in.RoleARN); err != nil {
			return nil, err
		}
	}
	slr, err := s.linkedRole(ctx, c)
	if err != nil {
		return nil, err
	}
	exists, err := s.services.ServiceExists(ctx, c, r.cluster, r.service)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, errNoService(in.ResourceId)
	}
	now := s.now()
	var out types.ScalableTarget
	var stored records.ScalableTarget
	err = s.update(ctx, c, func(tx store.Tx) error {
		var rec targetRecord
		found, err := store.GetJSON(tx, bucketTargets, r.storeKey(c), &rec)
		if err != nil {
			return err
		}
		if err := checkRegistration(in, found); err != nil {
			return err // registered or deregistered meanwhile
		}
		t := rec.wire()
		if !found {
			f := false
			t = types.ScalableTarget{ServiceNamespace: r.Namespace, ResourceId: r.canonicalID(), ScalableDimension: r.Dimension,
				CreationTime: &now, ScalableTargetARN: r.arn(c),
				SuspendedState: &types.SuspendedState{DynamicScalingInSuspended: &f, DynamicScalingOutSuspended: &f, ScheduledScalingSuspended: &f}}
			rec.Tags = maps.Clone(in.Tags)
		}
		t.RoleARN = slr
		if in.MinCapacity != nil {
			t.MinCapacity = ptr(*in.MinCapacity)
		}
		if in.MaxCapacity != nil {
			t.MaxCapacity = ptr(*in.MaxCapacity)
		}
		if *t.MinCapacity > *t.MaxCapacity {
			return errMinAboveMax(*t.MinCapacity, *t.MaxCapacity)
		}
		if st := in.SuspendedState; st != nil {
			for _, f := range [...]struct{ to, from **bool }{
				{&t.SuspendedState.DynamicScalingInSuspended, &st.DynamicScalingInSuspended},
				{&t.SuspendedState.DynamicScalingOutSuspended, &st.DynamicScalingOutSuspended},
				{&t.SuspendedState.ScheduledScalingSuspended, &st.ScheduledScalingSuspended},
			} {
				if *f.from != nil {
					*f.to = ptr(**f.from)
				}
			}
		}
		rec.Target = shapecopy.Convert[records.ScalableTarget](t)
		out, stored = t, rec.Target
		return store.PutJSON(tx, bucketTargets, r.storeKey(c), &rec)
	})
	if err != nil {
		return nil, err
	}
	s.touch()
	if in.MinCapacity != nil || in.MaxCapacity != nil {
		if err := s.scaleWithin(ctx, c, r.storeKey(c), &stored, in.MinCapacity != nil); err != nil {
			return nil, err
		}
	}
	return &types.RegisterScalableTargetResponse{ScalableTargetARN: out.ScalableTargetARN}, nil
}

// checkRegistration: a new target needs both capacities and may be
// tagged; a registered one may not be tagged again, and keeps its
// minimum at most its maximum.
func checkRegistration(in *types.RegisterScalableTargetRequest, found bool) error {
	if !found {
		if in.MinCapacity == nil || in.MaxCapacity == nil {
			return errCapacityRequired()
		}
		if *in.MinCapacity > *in.MaxCapacity {
			return errMinAboveMax(*in.MinCapacity, *in.MaxCapacity)
		}
		if len(in.Tags) > maxTags {
			return errTooManyTags()
		}
		return nil
	}
	if len(in.Tags) > 0 {
		return errTagsOnExisting()
	}
	return nil
}

// DeregisterScalableTarget deregisters a target with its scaling policies
// and scheduled actions ("Deregistering a scalable target deletes the
// scaling policies and the scheduled actions that are associated with
// it", DeregisterScalableTarget reference).
func (s *Service) DeregisterScalableTarget(ctx context.Context, c Call, in *types.DeregisterScalableTargetRequest) (*types.DeregisterScalableTargetResponse, error) {
	r := refOf(c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	if !r.consistent() {
		return nil, errUnsupported()
	}
	err := s.update(ctx, c, func(tx store.Tx) error {
		if _, ok := tx.Get(bucketTargets, r.storeKey(c)); !ok {
			return errTargetNotFound(r)
		}
		for _, bucket := range []string{bucketPolicies, bucketScheduled} {
			var keys []string
			if err := tx.Scan(bucket, r.storeKey(c)+"\x00", "", func(k string, _ []byte) bool { keys = append(keys, k); return true }); err != nil {
				return err
			}
			for _, k := range keys {
				if err := tx.Delete(bucket, k); err != nil {
					return err
				}
			}
		}
		return tx.Delete(bucketTargets, r.storeKey(c))
	})
	if err != nil {
		return nil, err
	}
	s.touch()
	return &types.DeregisterScalableTargetResponse{}, nil
}

// DescribeScalableTargets lists the Region's targets of a namespace, in
// the order of their dimensions and resource IDs.
func (s *Service) DescribeScalableTargets(ctx context.Context, c Call, in *types.DescribeScalableTargetsRequest) (*types.DescribeScalableTargetsResponse, error) {
	match, err := filter(c, in.ServiceNamespace, in.ScalableDimension, in.ResourceIds)
	if err != nil {
		return nil, err
	}
	var found []keyed[types.ScalableTarget]
	err = s.view(ctx, c, func(tx store.Tx) error {
		found = nil
		return store.ScanJSON(tx, bucketTargets, regionKey(c)+in.ServiceNamespace+"/", func(k string, r *targetRecord) bool {
			if match(strings.TrimPrefix(k, regionKey(c)), r.Target.ScalableDimension) {
				found = append(found, keyed[types.ScalableTarget]{k, r.wire()})
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	targets, next, err := page(found, in.NextToken, in.MaxResults, pageTargets)
	if err != nil {
		return nil, err
	}
	return &types.DescribeScalableTargetsResponse{ScalableTargets: targets, NextToken: next}, nil
}

// filter is what a Describe operation's namespace, dimension and resource
// IDs select: a match on a target's key and dimension. A dimension of
// another namespace is refused as a registration of it would be.
func filter(c Call, namespace, dimension string, resourceIDs []string) (func(key, dim string) bool, error) {
	if dimension != "" && !strings.HasPrefix(dimension, namespace+":") {
		return nil, errUnsupported()
	}
	var keys map[string]bool
	if len(resourceIDs) > 0 {
		keys = map[string]bool{}
		for _, id := range resourceIDs {
			dim := dimension
			if dim == "" && namespace == NamespaceECS {
				dim = DimensionECS
			}
			keys[refOf(c, namespace, id, dim).key] = true
		}
	}
	return func(key, dim string) bool {
		return (dimension == "" || dim == dimension) && (keys == nil || keys[key])
	}, nil
}

// targetRecord is the registered target r names.
func (s *Service) targetRecord(ctx context.Context, c Call, r targetRef) (*targetRecord, bool, error) {
	var rec targetRecord
	var found bool
	err := s.view(ctx, c, func(tx store.Tx) error {
		var err error
		found, err = store.GetJSON(tx, bucketTargets, r.storeKey(c), &rec)
		return err
	})
	return &rec, found, err
}

// TargetOf is the target a request names as the authorizer evaluates it:
// the registered target's ARN and tags, however its resource ID is
// spelled, or the ARN a target not registered would have (and no tags).
func (s *Service) TargetOf(ctx context.Context, c Call, namespace, resourceID, dimension string) (arn string, tags map[string]string, err error) {
	r := refOf(c, namespace, resourceID, dimension)
	rec, found, err := s.targetRecord(ctx, c, r)
	if err != nil || !found {
		return r.arn(c), nil, err
	}
	return rec.Target.ScalableTargetARN, rec.Tags, nil
}
