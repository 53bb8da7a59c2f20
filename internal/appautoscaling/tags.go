package appautoscaling

import (
	"context"
	"maps"
	"strings"

	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/store"
)

// maxTags is the most tags a target keeps (AWS's usual limit a resource;
// unverified for scalable targets).
const maxTags = 50

// TagResource adds tags to a scalable target, or changes their values.
func (s *Service) TagResource(ctx context.Context, c Call, in *types.TagResourceRequest) (*types.TagResourceResponse, error) {
	err := s.retag(ctx, c, in.ResourceARN, func(tags map[string]string) error {
		maps.Copy(tags, in.Tags)
		if len(tags) > maxTags {
			return errTooManyTags()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.TagResourceResponse{}, nil
}

// UntagResource removes tags from a scalable target; keys it does not
// have are no error.
func (s *Service) UntagResource(ctx context.Context, c Call, in *types.UntagResourceRequest) (*types.UntagResourceResponse, error) {
	err := s.retag(ctx, c, in.ResourceARN, func(tags map[string]string) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.UntagResourceResponse{}, nil
}

// ListTagsForResource answers a scalable target's tags.
func (s *Service) ListTagsForResource(ctx context.Context, c Call, in *types.ListTagsForResourceRequest) (*types.ListTagsForResourceResponse, error) {
	var tags map[string]string
	err := s.view(ctx, c, func(tx store.Tx) error {
		_, rec, err := byARN(tx, c, in.ResourceARN)
		if err != nil {
			return err
		}
		tags = maps.Clone(rec.Tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return &types.ListTagsForResourceResponse{Tags: tags}, nil
}

// ResourceTags are the tags of the scalable target at arn in the Call's
// account and Region: nil for one that does not exist. The authorizer
// reads them as aws:ResourceTag.
func (s *Service) ResourceTags(ctx context.Context, c Call, arn string) (map[string]string, error) {
	var tags map[string]string
	err := s.view(ctx, c, func(tx store.Tx) error {
		_, rec, err := byARN(tx, c, arn)
		if err == nil {
			tags = maps.Clone(rec.Tags)
		}
		return nil
	})
	return tags, err
}

// retag changes the tags of the target at arn with fn.
func (s *Service) retag(ctx context.Context, c Call, arn string, fn func(map[string]string) error) error {
	return s.update(ctx, c, func(tx store.Tx) error {
		key, rec, err := byARN(tx, c, arn)
		if err != nil {
			return err
		}
		if rec.Tags == nil {
			rec.Tags = map[string]string{}
		}
		if err := fn(rec.Tags); err != nil {
			return err
		}
		return store.PutJSON(tx, bucketTargets, key, rec)
	})
}

// byARN finds the target at arn among the Call's Region's: an ARN of
// another account or Region names none of them.
func byARN(tx store.Tx, c Call, arn string) (string, *targetRecord, error) {
	prefix := "arn:aws:application-autoscaling:" + c.Region + ":" + c.Account + ":scalable-target/"
	if !strings.HasPrefix(arn, prefix) {
		return "", nil, errResourceNotFound()
	}
	var key string
	var found *targetRecord
	err := store.ScanJSON(tx, bucketTargets, regionKey(c), func(k string, r *targetRecord) bool {
		if r.Target.ScalableTargetARN == arn {
			key, found = k, r
			return false
		}
		return true
	})
	if err != nil {
		return "", nil, err
	}
	if found == nil {
		return "", nil, errResourceNotFound()
	}
	return key, found, nil
}
