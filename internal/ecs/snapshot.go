package ecs

import (
	"context"
	"errors"
	"strings"
	"time"

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
// runs, and a service's scheduler starts its tasks again. Beside them:
// the task sets of its ACTIVE services (as DescribeTaskSets shows them
// with tags, without what runs), every daemon task definition revision
// (as DescribeDaemonTaskDefinition shows it, with its tags), its ACTIVE
// daemons (as CreateDaemon takes them, with their ARN and creation time:
// their deployments and revisions are what ran), and the account
// settings set in it (each principal's, and the account's default, the
// root's), as ListAccountSettings shows them.
type RegionState struct {
	Clusters              []types.Cluster
	CapacityProviders     []types.CapacityProvider
	TaskDefinitions       []types.DescribeTaskDefinitionResponse
	Services              []types.Service
	TaskSets              []types.TaskSet
	DaemonTaskDefinitions []DaemonTaskDefinitionState
	Daemons               []DaemonState
	Settings              []types.Setting
}

// DaemonTaskDefinitionState is a daemon task definition revision with its
// tags.
type DaemonTaskDefinitionState struct {
	Definition types.DaemonTaskDefinition
	Tags       []types.Tag
}

// DaemonState is a daemon as CreateDaemon makes it: the request, its ARN
// and when it was created.
type DaemonState struct {
	Request   types.CreateDaemonRequest
	DaemonArn string
	CreatedAt time.Time
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
			// A task set being deleted (DRAINING) is what ran.
			for _, ts := range r.Service.TaskSets {
				if ts.Status != taskSetDraining {
					ts.Tags = nonNil(ts.Tags)
					ts.ComputedDesiredCount, ts.RunningCount, ts.PendingCount = 0, 0, 0
					ts.StabilityStatus, ts.StabilityStatusAt = "", nil
					rs.TaskSets = append(rs.TaskSets, ts)
				}
			}
			return true
		})
		if err != nil {
			return err
		}
		if scanErr != nil {
			return scanErr
		}
		if err := daemonState(tx, account, region); err != nil {
			return err
		}
		return scanJSON(tx, bucketSettings, prefix, func(k string, r *settingRecord) bool {
			_, rs := region(k)
			rs.Settings = append(rs.Settings, r.wire())
			return true
		})
	})
	return out, err
}

// daemonState adds an account's daemon task definitions and ACTIVE
// daemons to the Regions region finds.
func daemonState(tx store.Tx, account string, region func(key string) (string, *RegionState)) error {
	used := map[string]map[string]bool{} // by Region
	var scanErr error
	// Keys end in the revision, 10 digits: a family's revisions scan in
	// order.
	err := scanJSON(tx, bucketDaemonTaskDefs, account+"/", func(k string, r *taskDefRecord) bool {
		reg, rs := region(k)
		if used[reg] == nil {
			if used[reg], scanErr = daemonTaskDefsInUse(tx, Call{Account: account, Region: reg}); scanErr != nil {
				return false
			}
		}
		rs.DaemonTaskDefinitions = append(rs.DaemonTaskDefinitions, DaemonTaskDefinitionState{Definition: *daemonTaskDefView(r, used[reg]), Tags: nonNil(r.Tags)})
		return true
	})
	if err != nil || scanErr != nil {
		return errors.Join(err, scanErr)
	}
	err = scanJSON(tx, bucketDaemons, account+"/", func(k string, d *daemonRecord) bool {
		reg, rs := region(k)
		c := Call{Account: account, Region: reg}
		if d.Status != statusActive {
			return true
		}
		var rev daemonRevisionRecord
		if _, scanErr = getJSON(tx, bucketDaemonRevisions, daemonChildKey(c, d.Cluster, d.Name, d.Revision), &rev); scanErr != nil {
			return false
		}
		in := types.CreateDaemonRequest{DaemonName: d.Name, ClusterArn: ecsARN(c, "cluster/"+d.Cluster), DaemonTaskDefinitionArn: rev.TaskDefinitionArn,
			DeploymentConfiguration: d.Config.wire(), Tags: nonNil([]types.Tag(d.Tags)), PropagateTags: rev.PropagateTags,
			EnableECSManagedTags: rev.ManagedTags, EnableExecuteCommand: rev.Exec, ClientToken: d.ClientToken}
		for _, p := range d.Providers {
			in.CapacityProviderArns = append(in.CapacityProviderArns, ecsARN(c, "capacity-provider/"+p))
		}
		rs.Daemons = append(rs.Daemons, DaemonState{Request: in, DaemonArn: d.arn(c), CreatedAt: d.CreatedAt})
		return true
	})
	if err != nil {
		return err
	}
	return scanErr
}

// Accounts are the accounts that have clusters, capacity providers, task
// definitions, daemon task definitions or account settings, in order (a
// service or a daemon is in a cluster).
func (s *Service) Accounts(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return store.KeyedAccounts(s.st, bucketClusters, bucketProviders, bucketTaskDefs, bucketDaemonTaskDefs, bucketSettings)
}
