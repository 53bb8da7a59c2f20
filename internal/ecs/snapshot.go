package ecs

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// RegionState is what a state file carries of an account's ECS resources
// in one Region (internal/statefile): its ACTIVE clusters as
// DescribeClusters shows them with settings, configuration and tags, and
// every task definition revision, whatever its status, as
// DescribeTaskDefinition shows it with its tags. Services, tasks, container
// instances and capacity providers are not carried.
type RegionState struct {
	Clusters        []types.Cluster
	TaskDefinitions []types.DescribeTaskDefinitionResponse
}

// State is what a state file carries of an account's ECS resources, by
// Region; an account with none has an empty map.
func (s *Service) State(ctx context.Context, account string) (map[string]*RegionState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if account == "" {
		return nil, errors.New("ecs: account required")
	}
	out := map[string]*RegionState{}
	region := func(key string) (string, *RegionState) {
		r, _, _ := strings.Cut(strings.TrimPrefix(key, account+"/"), "/")
		if out[r] == nil {
			out[r] = &RegionState{}
		}
		return r, out[r]
	}
	err := s.st.View(func(tx store.Tx) error {
		prefix := account + "/"
		err := scanJSON(tx, bucketClusters, prefix, func(k string, r *clusterRecord) bool {
			if r.Cluster.Status != statusActive {
				return true
			}
			r2, rs := region(k)
			c := Call{Account: account, Region: r2}
			rs.Clusters = append(rs.Clusters, s.clusterView(tx, c, r, clusterFields{configurations: true, settings: true, tags: true}))
			return true
		})
		if err != nil {
			return err
		}
		// Keys end in the revision, 10 digits: a family's revisions scan
		// in order.
		return scanJSON(tx, bucketTaskDefs, prefix, func(k string, r *taskDefRecord) bool {
			_, rs := region(k)
			rs.TaskDefinitions = append(rs.TaskDefinitions, types.DescribeTaskDefinitionResponse{TaskDefinition: &r.Def, Tags: nonNil(r.Tags)})
			return true
		})
	})
	return out, err
}

// Accounts are the accounts that have clusters or task definitions, in
// order.
func (s *Service) Accounts(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	err := s.st.View(func(tx store.Tx) error {
		for _, b := range []string{bucketClusters, bucketTaskDefs} {
			if err := tx.Scan(b, "", "", func(k string, _ []byte) bool {
				a, _, _ := strings.Cut(k, "/")
				seen[a] = true
				return true
			}); err != nil {
				return err
			}
		}
		return nil
	})
	return slices.Sorted(maps.Keys(seen)), err
}
