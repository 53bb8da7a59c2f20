package appautoscaling

import (
	"context"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
)

// A target's scaling policies and scheduled actions are its members: each
// kept under the target's key and its name (bucketPolicies,
// bucketScheduled), deleted by name, described by namespace, target,
// dimension and name.

// member is a stored policy or scheduled action, as a pointer to its
// record R answering its wire shape W.
type member[R, W any] interface {
	*R
	name() string
	dimension() string
	wire() W
}

func (r *policyRecord) name() string         { return r.Policy.PolicyName }
func (r *policyRecord) dimension() string    { return r.Policy.ScalableDimension }
func (r *scheduledRecord) name() string      { return r.Action.ScheduledActionName }
func (r *scheduledRecord) dimension() string { return r.Action.ScalableDimension }

// memberKey is the key of the member name of target r.
func memberKey(c Call, r targetRef, name string) string { return r.storeKey(c) + "\x00" + name }

// deleteMember deletes the member name of the target a request names;
// notFound is the answer when there is none.
func (s *Service) deleteMember(ctx context.Context, c Call, bucket string, r targetRef, name string, notFound error) error {
	if !r.consistent() {
		return errUnsupported()
	}
	return s.update(ctx, c, func(tx store.Tx) error {
		k := memberKey(c, r, name)
		if _, ok := tx.Get(bucket, k); !ok {
			return notFound
		}
		return tx.Delete(bucket, k)
	})
}

// describeMembers is one page of the Region's members of a namespace: of
// the target resourceID names ("" for every target), of dimension ("" for
// any), named one of names (none for any), in the order of their targets
// and names.
func describeMembers[W, R any, M member[R, W]](ctx context.Context, s *Service, c Call, bucket, namespace, dimension, resourceID string, names []string,
	token string, max *int32, def int) ([]W, string, error) {
	var ids []string
	if resourceID != "" {
		ids = []string{resourceID}
	}
	match, err := filter(c, namespace, dimension, ids)
	if err != nil {
		return nil, "", err
	}
	var found []keyed[W]
	err = s.view(ctx, c, func(tx store.Tx) error {
		found = nil
		return store.ScanJSON(tx, bucket, regionKey(c)+namespace+"/", func(k string, r *R) bool {
			m := M(r)
			target, _, _ := strings.Cut(strings.TrimPrefix(k, regionKey(c)), "\x00")
			if match(target, m.dimension()) && (len(names) == 0 || slices.Contains(names, m.name())) {
				found = append(found, keyed[W]{k, m.wire()})
			}
			return true
		})
	})
	if err != nil {
		return nil, "", err
	}
	return page(found, token, max, def)
}
