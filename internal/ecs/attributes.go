package ecs

import (
	"context"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// Attributes (PutAttributes, DeleteAttributes, ListAttributes) are
// name-value pairs on container instances, ECS's own (ecs.os-type,
// ecs.availability-zone) and custom ones, that placement constraints and
// ListContainerInstances' filter select by (query.go;
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html#attributes).

const (
	// targetInstance is the one target type attributes have.
	targetInstance = "container-instance"
	// maxAttributes is how many attributes a call takes, and how many
	// custom ones a resource holds ("You can specify up to 10 custom
	// attributes for each resource. You can specify up to 10 attributes
	// in a single call", PutAttributes reference).
	maxAttributes = 10
)

// validAttribute applies the reference's rules: a name of 1 to 128
// letters, numbers, hyphens, underscores, slashes, back slashes and
// periods; a value, if any, of 1 to 128 of those, at signs, colons and
// spaces, not beginning or ending with a space.
func validAttribute(a types.Attribute) bool {
	ok := func(s, extra string) bool {
		if len(s) < 1 || len(s) > 128 {
			return false
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_/\\."+extra, c) >= 0) {
				return false
			}
		}
		return true
	}
	if !ok(a.Name, "") {
		return false
	}
	return a.Value == "" || (ok(a.Value, "@: ") && a.Value[0] != ' ' && a.Value[len(a.Value)-1] != ' ')
}

// custom: not one of the attributes ECS and its agent set.
func custom(a types.Attribute) bool { return !strings.HasPrefix(a.Name, "ecs.") }

// attributeTarget is the container instance an attribute names: by ARN,
// or by ID with its target type.
func attributeTarget(tx store.Tx, c Call, cluster string, a types.Attribute) (*instanceRecord, error) {
	if a.TargetId == "" || (!isARN(a.TargetId) && a.TargetType == "") {
		return nil, errAttributeTarget()
	}
	r, err := loadInstance(tx, c, cluster, a.TargetId)
	if err != nil {
		return nil, err
	}
	if r == nil || r.Instance.Status == statusInactive {
		return nil, errTargetNotFound(a.TargetId)
	}
	return r, nil
}

// changeAttributes applies fn to the container instance of each attribute
// and stores them, all or none.
func (s *Service) changeAttributes(ctx context.Context, c Call, cluster string, attrs []types.Attribute, fn func(r *instanceRecord, a types.Attribute) error) error {
	if len(attrs) > maxAttributes {
		return errAtMost("attributes", maxAttributes)
	}
	return s.update(ctx, c, func(tx store.Tx) error {
		cl, err := activeCluster(tx, c, cluster, false)
		if err != nil {
			return err
		}
		name := cl.Cluster.ClusterName
		changed := map[string]*instanceRecord{}
		for _, a := range attrs {
			r, err := attributeTarget(tx, c, name, a)
			if err != nil {
				return err
			}
			if cur := changed[r.Instance.ContainerInstanceArn]; cur != nil {
				r = cur
			}
			if err := fn(r, a); err != nil {
				return err
			}
			changed[r.Instance.ContainerInstanceArn] = r
		}
		for arn, r := range changed {
			if err := putJSON(tx, bucketInstances, instanceKey(c, name, taskIDOf(arn)), r); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutAttributes creates or replaces attributes of container instances.
func (s *Service) PutAttributes(ctx context.Context, c Call, in *types.PutAttributesRequest) (*types.PutAttributesResponse, error) {
	for _, a := range in.Attributes {
		if !validAttribute(a) {
			return nil, errAttributeInvalid(a.Name)
		}
	}
	err := s.changeAttributes(ctx, c, in.Cluster, in.Attributes, func(r *instanceRecord, a types.Attribute) error {
		attrs := &r.Instance.Attributes
		put := types.Attribute{Name: a.Name, Value: a.Value}
		if i := slices.IndexFunc(*attrs, func(x types.Attribute) bool { return x.Name == a.Name }); i >= 0 {
			(*attrs)[i] = put
			return nil
		}
		*attrs = append(*attrs, put)
		if custom(a) && len(slices.DeleteFunc(slices.Clone(*attrs), func(x types.Attribute) bool { return !custom(x) })) > maxAttributes {
			return errAttributeLimit()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.PutAttributesResponse{Attributes: nonNil(in.Attributes)}, nil
}

// DeleteAttributes deletes attributes of container instances by name; a
// name an instance does not have is no error.
func (s *Service) DeleteAttributes(ctx context.Context, c Call, in *types.DeleteAttributesRequest) (*types.DeleteAttributesResponse, error) {
	err := s.changeAttributes(ctx, c, in.Cluster, in.Attributes, func(r *instanceRecord, a types.Attribute) error {
		r.Instance.Attributes = slices.DeleteFunc(r.Instance.Attributes, func(x types.Attribute) bool { return x.Name == a.Name })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.DeleteAttributesResponse{Attributes: nonNil(in.Attributes)}, nil
}

// ListAttributes lists the attributes of a cluster's container instances,
// one for each attribute of each instance, by name or by name and value;
// at most 100 a page.
func (s *Service) ListAttributes(ctx context.Context, c Call, in *types.ListAttributesRequest) (*types.ListAttributesResponse, error) {
	if in.AttributeValue != "" && in.AttributeName == "" {
		return nil, errAttributeValueWithoutName()
	}
	found := map[string]types.Attribute{}
	var keys []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		clear(found)
		keys = keys[:0]
		cl, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		return scanJSON(tx, bucketInstances, clusterKey(c, cl.Cluster.ClusterName)+"/", func(_ string, ir *instanceRecord) bool {
			if ir.Instance.Status == statusInactive {
				return true
			}
			for _, a := range ir.Instance.Attributes {
				if (in.AttributeName != "" && a.Name != in.AttributeName) || (in.AttributeValue != "" && a.Value != in.AttributeValue) {
					continue
				}
				k := ir.Instance.ContainerInstanceArn + "|" + a.Name
				found[k] = types.Attribute{Name: a.Name, Value: a.Value, TargetType: targetInstance, TargetId: ir.Instance.ContainerInstanceArn}
				keys = append(keys, k)
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	pg, next, err := page(keys, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	out := &types.ListAttributesResponse{Attributes: make([]types.Attribute, len(pg)), NextToken: next}
	for i, k := range pg {
		out.Attributes[i] = found[k]
	}
	return out, nil
}
