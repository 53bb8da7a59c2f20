package ecs

import (
	"context"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// taggable is a resource's record and where its tags are.
type taggable struct {
	bucket, key string
	rec         any
	tags        *[]types.Tag
}

// findTaggable resolves an ECS resource ARN of this account and Region to
// its record: clusters, services, task sets, tasks, container instances,
// task definitions, capacity providers, daemons and daemon task
// definitions carry tags.
func findTaggable(tx store.Tx, c Call, arn string) (*taggable, error) {
	prefix := "arn:aws:ecs:"
	if !strings.HasPrefix(arn, prefix) {
		return nil, errInvalidARN()
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return nil, errInvalidARN()
	}
	kind, rest, _ := strings.Cut(parts[5], "/")
	if parts[3] != c.Region || parts[4] != c.Account {
		if kind == "cluster" {
			return nil, errTagClusterInactive()
		}
		return nil, errResourceNotFound()
	}
	// clustered splits CLUSTER/ID; the old short form has no cluster.
	clustered := func() (string, string, error) {
		cl, id, ok := strings.Cut(rest, "/")
		if !ok {
			return "", "", errLongARN()
		}
		return cl, id, nil
	}
	switch kind {
	case "cluster":
		r, err := loadCluster(tx, c, arn)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Cluster.Status != statusActive {
			return nil, errTagClusterInactive()
		}
		return &taggable{bucketClusters, clusterKey(c, r.Cluster.ClusterName), r, &r.Cluster.Tags}, nil
	case "service":
		cl, name, err := clustered()
		if err != nil {
			return nil, err
		}
		r, err := loadService(tx, c, cl, name)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Service.Status == statusInactive {
			return nil, errResourceNotFound()
		}
		return &taggable{bucketServices, serviceKey(c, cl, name), r, &r.Service.Tags}, nil
	case "task":
		cl, id, err := clustered()
		if err != nil {
			return nil, err
		}
		var r taskRecord
		key := taskKey(c, cl, id)
		if ok, err := getJSON(tx, bucketTasks, key, &r); err != nil {
			return nil, err
		} else if !ok {
			return nil, errResourceNotFound()
		}
		return &taggable{bucketTasks, key, &r, &r.Task.Tags}, nil
	case "container-instance":
		cl, id, err := clustered()
		if err != nil {
			return nil, err
		}
		r, err := loadInstance(tx, c, cl, id)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Instance.Status == statusInactive {
			return nil, errResourceNotFound()
		}
		return &taggable{bucketInstances, instanceKey(c, cl, id), r, &r.Instance.Tags}, nil
	case "task-definition":
		family, rev, ok := parseTaskDef(c, arn)
		if !ok || rev == 0 {
			return nil, errResourceNotFound()
		}
		var r taskDefRecord
		key := taskDefKey(c, family, rev)
		if ok, err := getJSON(tx, bucketTaskDefs, key, &r); err != nil {
			return nil, err
		} else if !ok || r.Def.Status == tdDeleting {
			return nil, errResourceNotFound()
		}
		return &taggable{bucketTaskDefs, key, &r, &r.Tags}, nil
	case "task-set":
		return taskSetTaggable(tx, c, rest)
	case "daemon", "daemon-task-definition":
		return daemonTaggable(tx, c, kind, arn)
	case "capacity-provider":
		r, err := loadProvider(tx, c, arn)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Provider.Status != statusActive {
			return nil, errResourceNotFound()
		}
		return &taggable{bucketProviders, providerKey(c, r.Provider.Name), r, &r.Provider.Tags}, nil
	}
	return nil, errInvalidARN()
}

// TagResource adds tags to a resource, replacing the values of keys it
// has.
func (s *Service) TagResource(ctx context.Context, c Call, in *types.TagResourceRequest) (*types.TagResourceResponse, error) {
	err := s.update(ctx, c, func(tx store.Tx) error {
		t, err := findTaggable(tx, c, in.ResourceArn)
		if err != nil {
			return err
		}
		tags := slices.Clone(*t.tags)
		for _, nt := range in.Tags {
			if i := slices.IndexFunc(tags, func(x types.Tag) bool { return x.Key == nt.Key }); i >= 0 {
				tags[i] = nt
			} else {
				tags = append(tags, nt)
			}
		}
		if len(tags) > 50 {
			// rolecall's wording of the documented quota (50 tags).
			return invalidParameter("The resource cannot have more than 50 tags.")
		}
		*t.tags = tags
		return putJSON(tx, t.bucket, t.key, t.rec)
	})
	if err != nil {
		return nil, err
	}
	return &types.TagResourceResponse{}, nil
}

// UntagResource removes tags by key; keys the resource lacks are ignored.
func (s *Service) UntagResource(ctx context.Context, c Call, in *types.UntagResourceRequest) (*types.UntagResourceResponse, error) {
	err := s.update(ctx, c, func(tx store.Tx) error {
		t, err := findTaggable(tx, c, in.ResourceArn)
		if err != nil {
			return err
		}
		*t.tags = slices.DeleteFunc(slices.Clone(*t.tags), func(x types.Tag) bool { return slices.Contains(in.TagKeys, x.Key) })
		return putJSON(tx, t.bucket, t.key, t.rec)
	})
	if err != nil {
		return nil, err
	}
	return &types.UntagResourceResponse{}, nil
}

// ListTagsForResource lists a resource's tags.
func (s *Service) ListTagsForResource(ctx context.Context, c Call, in *types.ListTagsForResourceRequest) (*types.ListTagsForResourceResponse, error) {
	var tags []types.Tag
	err := s.view(ctx, c, func(tx store.Tx) error {
		t, err := findTaggable(tx, c, in.ResourceArn)
		if err != nil {
			return err
		}
		tags = nonNil(slices.Clone(*t.tags))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.ListTagsForResourceResponse{Tags: tags}, nil
}

// ResourceTags are the tags of the resource an ECS ARN names in the Call's
// account and Region, for the authorizer (aws:ResourceTag/KEY); nil when
// there is no such resource.
func (s *Service) ResourceTags(ctx context.Context, c Call, arn string) (map[string]string, error) {
	var out map[string]string
	err := s.view(ctx, c, func(tx store.Tx) error {
		t, err := findTaggable(tx, c, arn)
		if err != nil {
			return err
		}
		if len(*t.tags) > 0 {
			out = make(map[string]string, len(*t.tags))
			for _, tg := range *t.tags {
				out[tg.Key] = tg.Value
			}
		}
		return nil
	})
	if awserr.IsClient(err) {
		return nil, nil
	}
	return out, err
}
