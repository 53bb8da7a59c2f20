package ecs

import (
	"context"
	"errors"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// RegionState is what a state file carries of an account's ECS resources
// in one Region (internal/statefile): its ACTIVE clusters as
// DescribeClusters shows them with settings, configuration and tags, its
// ACTIVE capacity providers and services as DescribeCapacityProviders and
// DescribeServices show them with tags, and every task definition
// revision, whatever its status, as DescribeTaskDefinition shows it with
// its tags. Tasks and container instances are not carried: they are what
// runs, and a service's scheduler starts its tasks again.
type RegionState struct {
	Clusters          []types.Cluster
	CapacityProviders []types.CapacityProvider
	TaskDefinitions   []types.DescribeTaskDefinitionResponse
	Services          []types.Service
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
		err = scanJSON(tx, bucketProviders, prefix, func(k string, r *providerRecord) bool {
			if r.Provider.Status == statusActive {
				_, rs := region(k)
				p := r.Provider
				p.Tags = nonNil(p.Tags)
				rs.CapacityProviders = append(rs.CapacityProviders, p)
			}
			return true
		})
		if err != nil {
			return err
		}
		// Keys end in the revision, 10 digits: a family's revisions scan
		// in order.
		err = scanJSON(tx, bucketTaskDefs, prefix, func(k string, r *taskDefRecord) bool {
			_, rs := region(k)
			rs.TaskDefinitions = append(rs.TaskDefinitions, types.DescribeTaskDefinitionResponse{TaskDefinition: &r.Def, Tags: nonNil(r.Tags)})
			return true
		})
		if err != nil {
			return err
		}
		now, tm := s.now(), s.phases()
		var scanErr error
		err = scanJSON(tx, bucketServices, prefix, func(k string, r *serviceRecord) bool {
			if r.Service.Status != statusActive {
				return true
			}
			r2, rs := region(k)
			c := Call{Account: account, Region: r2}
			cluster := r.clusterName()
			tasks, err := serviceTasks(tx, c, cluster, r.Service.ServiceName)
			if err != nil {
				scanErr = err
				return false
			}
			// What runs (counts, deployments, events) is not the
			// service's to carry: its scheduler starts its tasks again.
			v := r.view(tasks, now, tm, true)
			v.RunningCount, v.PendingCount, v.Deployments, v.Events = 0, 0, nil, nil
			v.CurrentServiceDeployment, v.CurrentServiceRevisions, v.TaskSets = "", nil, nil
			rs.Services = append(rs.Services, v)
			return true
		})
		if err != nil {
			return err
		}
		return scanErr
	})
	return out, err
}

// Accounts are the accounts that have clusters, capacity providers or
// task definitions, in order (a service is in a cluster).
func (s *Service) Accounts(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return store.KeyedAccounts(s.st, bucketClusters, bucketProviders, bucketTaskDefs)
}
