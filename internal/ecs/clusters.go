package ecs

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// Cluster statuses.
const (
	statusActive   = "ACTIVE"
	statusInactive = "INACTIVE"
	statusDraining = "DRAINING"
)

// defaultCluster is the cluster a call that names none acts on.
const defaultCluster = "default"

// clusterRecord is a cluster as the store keeps it. Its counts and
// statistics are computed when it is read.
type clusterRecord struct {
	Cluster   types.Cluster
	CreatedAt time.Time
}

func clusterKey(c Call, name string) string { return regionKey(c) + name }

// clusterNamePattern: "Up to 255 letters (uppercase and lowercase),
// numbers, underscores, and hyphens are allowed" (CreateCluster reference).
var clusterNamePattern = ecsName{}

// ecsName matches ECS's resource names: 1 to 255 letters, numbers,
// underscores and hyphens. A loop, not a regexp: `{1,255}` compiles into
// a 255-fold program, half a megabyte at every start.
type ecsName struct{}

func (ecsName) MatchString(s string) bool {
	if len(s) == 0 || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// clusterName resolves a cluster given by name or ARN ("" is the default
// cluster). An ARN of another account or Region names no cluster here.
func clusterName(c Call, id string) (string, bool) {
	switch {
	case id == "":
		return defaultCluster, true
	case isARN(id):
		name, ok := resourceOf(c, id, "cluster")
		return name, ok && clusterNamePattern.MatchString(name)
	}
	return id, clusterNamePattern.MatchString(id)
}

// loadCluster returns the cluster id names, ACTIVE or not; nil if there is
// none.
func loadCluster(tx store.Tx, c Call, id string) (*clusterRecord, error) {
	name, ok := clusterName(c, id)
	if !ok {
		return nil, nil
	}
	var r clusterRecord
	found, err := getJSON(tx, bucketClusters, clusterKey(c, name), &r)
	if err != nil || !found {
		return nil, err
	}
	return &r, nil
}

// activeCluster returns the ACTIVE cluster id names or AWS's errors: an
// unknown cluster is ClusterNotFoundException "Cluster not found.", a
// deleted one "The referenced cluster was inactive." when inactiveErr.
func activeCluster(tx store.Tx, c Call, id string, inactiveErr bool) (*clusterRecord, error) {
	r, err := loadCluster(tx, c, id)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errClusterNotFound()
	}
	if r.Cluster.Status != statusActive {
		if inactiveErr {
			return nil, errClusterInactive()
		}
		return nil, errClusterNotFound()
	}
	return r, nil
}

// CreateCluster creates a cluster, or returns the ACTIVE one of that name
// (CreateCluster is idempotent on the name). As the ECS API reference
// says, ECS first tries to create AWSServiceRoleForECS; if the caller may
// not create it, the cluster is created all the same.
func (s *Service) CreateCluster(ctx context.Context, c Call, in *types.CreateClusterRequest) (*types.CreateClusterResponse, error) {
	name := in.ClusterName
	if name == "" {
		name = defaultCluster
	}
	if !clusterNamePattern.MatchString(name) {
		// rolecall's wording of the documented rule.
		return nil, invalidParameter("Cluster name can only contain letters (uppercase and lowercase), numbers, underscores, and hyphens, and be 1 to 255 characters long.")
	}
	if err := checkProviderStrategy(in.CapacityProviders, in.DefaultCapacityProviderStrategy); err != nil {
		return nil, err
	}
	if err := s.createSLR(ctx, c); err != nil {
		return nil, err
	}
	now := s.now()
	var out types.Cluster
	err := s.update(ctx, c, func(tx store.Tx) error {
		if err := providersExist(tx, c, in.CapacityProviders); err != nil {
			return err
		}
		if cur, err := loadCluster(tx, c, name); err != nil {
			return err
		} else if cur != nil && cur.Cluster.Status == statusActive {
			out = s.clusterView(tx, c, cur, allClusterFields)
			return nil
		}
		// A new cluster's Container Insights follow the creator's
		// containerInsights account setting unless the request sets them.
		insights, err := callerSetting(tx, c, "containerInsights")
		if err != nil {
			return err
		}
		r := &clusterRecord{CreatedAt: now, Cluster: types.Cluster{
			ClusterArn:                      ecsARN(c, "cluster/"+name),
			ClusterName:                     name,
			Status:                          statusActive,
			Tags:                            in.Tags,
			Settings:                        clusterSettings([]types.ClusterSetting{{Name: "containerInsights", Value: insights}}, in.Settings),
			Configuration:                   in.Configuration,
			CapacityProviders:               nonNil(in.CapacityProviders),
			DefaultCapacityProviderStrategy: strategy(in.DefaultCapacityProviderStrategy),
		}}
		if in.ServiceConnectDefaults != nil {
			r.Cluster.ServiceConnectDefaults = &types.ClusterServiceConnectDefaults{Namespace: in.ServiceConnectDefaults.Namespace}
		}
		if err := putJSON(tx, bucketClusters, clusterKey(c, name), r); err != nil {
			return err
		}
		// The answer shows the tags and settings given, no statistics.
		out = s.clusterView(tx, c, r, clusterFields{configurations: true, settings: true, tags: true})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.CreateClusterResponse{Cluster: &out}, nil
}

// clusterSettings merges settings into cur.
func clusterSettings(cur, settings []types.ClusterSetting) []types.ClusterSetting {
	out := slices.Clone(cur)
	for _, st := range settings {
		i := slices.IndexFunc(out, func(x types.ClusterSetting) bool { return x.Name == st.Name })
		if i < 0 {
			out = append(out, st)
		} else {
			out[i] = st
		}
	}
	return out
}

// strategy fills a capacity provider strategy's defaults (base 0, weight 0
// as AWS answers them).
func strategy(in []types.CapacityProviderStrategyItem) []types.CapacityProviderStrategyItem {
	out := make([]types.CapacityProviderStrategyItem, len(in))
	for i, it := range in {
		if it.Base == nil {
			it.Base = ptr(int32(0))
		}
		if it.Weight == nil {
			it.Weight = ptr(int32(0))
		}
		out[i] = it
	}
	return out
}

// checkProviderStrategy: a default strategy may only name the cluster's
// capacity providers (rolecall's wording of the documented rule).
func checkProviderStrategy(providers []string, strat []types.CapacityProviderStrategyItem) error {
	for _, it := range strat {
		if !slices.Contains(providers, it.CapacityProvider) {
			return invalidParameter("The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.")
		}
	}
	return nil
}

// providersExist: every named capacity provider is FARGATE, FARGATE_SPOT
// or an ACTIVE one of this Region.
func providersExist(tx store.Tx, c Call, names []string) error {
	for _, n := range names {
		if n == "FARGATE" || n == "FARGATE_SPOT" {
			continue
		}
		p, err := loadProvider(tx, c, n)
		if err != nil {
			return err
		}
		if p == nil || p.Provider.Status != statusActive {
			return errProviderMissing()
		}
	}
	return nil
}

// Cluster fields DescribeClusters shows only when asked (include).
type clusterFields struct{ attachments, configurations, settings, statistics, tags bool }

var allClusterFields = clusterFields{true, true, true, true, true}

func includeFields(include []string) clusterFields {
	return clusterFields{
		attachments:    slices.Contains(include, "ATTACHMENTS"),
		configurations: slices.Contains(include, "CONFIGURATIONS"),
		settings:       slices.Contains(include, "SETTINGS"),
		statistics:     slices.Contains(include, "STATISTICS"),
		tags:           slices.Contains(include, "TAGS"),
	}
}

// clusterView is the cluster as AWS answers it now: counts of its
// container instances, tasks and services computed from their records.
func (s *Service) clusterView(tx store.Tx, c Call, r *clusterRecord, f clusterFields) types.Cluster {
	out := r.Cluster
	out.CapacityProviders = nonNil(out.CapacityProviders)
	out.DefaultCapacityProviderStrategy = nonNil(out.DefaultCapacityProviderStrategy)
	out.Statistics, out.Tags, out.Settings = []types.KeyValuePair{}, []types.Tag{}, []types.ClusterSetting{}
	if !f.configurations {
		out.Configuration = nil
	}
	if f.tags {
		out.Tags = nonNil(r.Cluster.Tags)
	}
	if f.settings {
		out.Settings = nonNil(r.Cluster.Settings)
	}
	if f.attachments {
		out.Attachments = nonNil(r.Cluster.Attachments)
	} else {
		out.Attachments = nil
	}
	if out.Status != statusActive {
		return out
	}
	now := s.now()
	tm := s.phases()
	prefix := clusterKey(c, out.ClusterName) + "/"
	stats := map[string]int{}
	scanJSON(tx, bucketInstances, prefix, func(_ string, ir *instanceRecord) bool {
		if st := ir.Instance.Status; st == statusActive || st == statusDraining {
			out.RegisteredContainerInstancesCount++
		}
		return true
	})
	scanJSON(tx, bucketTasks, prefix, func(_ string, tr *taskRecord) bool {
		t := tr.view(now, tm)
		kind := "EC2"
		if t.LaunchType == launchFargate {
			kind = "Fargate"
		}
		switch t.LastStatus {
		case "RUNNING":
			out.RunningTasksCount++
			stats["running"+kind+"TasksCount"]++
		case "PROVISIONING", "PENDING", "ACTIVATING":
			out.PendingTasksCount++
			stats["pending"+kind+"TasksCount"]++
		}
		return true
	})
	scanJSON(tx, bucketServices, prefix, func(_ string, sr *serviceRecord) bool {
		kind := "EC2"
		if sr.Service.LaunchType == launchFargate {
			kind = "Fargate"
		}
		switch sr.Service.Status {
		case statusActive:
			out.ActiveServicesCount++
			stats["active"+kind+"ServiceCount"]++
		case statusDraining:
			stats["draining"+kind+"ServiceCount"]++
		}
		return true
	})
	if f.statistics {
		for _, k := range []string{"runningEC2TasksCount", "runningFargateTasksCount", "pendingEC2TasksCount", "pendingFargateTasksCount",
			"activeEC2ServiceCount", "activeFargateServiceCount", "drainingEC2ServiceCount", "drainingFargateServiceCount"} {
			out.Statistics = append(out.Statistics, types.KeyValuePair{Name: k, Value: strconv.Itoa(stats[k])})
		}
	}
	return out
}

// DescribeClusters describes clusters by name or ARN (the default cluster
// when none is named). Unknown ones are listed as failures with reason
// MISSING; deleted ones are described as INACTIVE.
func (s *Service) DescribeClusters(ctx context.Context, c Call, in *types.DescribeClustersRequest) (*types.DescribeClustersResponse, error) {
	ids := in.Clusters
	if len(ids) == 0 {
		ids = []string{defaultCluster}
	}
	out := &types.DescribeClustersResponse{Clusters: []types.Cluster{}, Failures: []types.Failure{}}
	f := includeFields(in.Include)
	err := s.view(ctx, c, func(tx store.Tx) error {
		out.Clusters, out.Failures = []types.Cluster{}, []types.Failure{}
		for _, id := range ids {
			r, err := loadCluster(tx, c, id)
			if err != nil {
				return err
			}
			if r == nil {
				arn := id
				if !isARN(id) {
					arn = ecsARN(c, "cluster/"+id)
				}
				out.Failures = append(out.Failures, types.Failure{Arn: arn, Reason: "MISSING"})
				continue
			}
			out.Clusters = append(out.Clusters, s.clusterView(tx, c, r, f))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListClusters lists the ARNs of the Region's ACTIVE clusters.
func (s *Service) ListClusters(ctx context.Context, c Call, in *types.ListClustersRequest) (*types.ListClustersResponse, error) {
	var arns []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		arns = nil
		return scanJSON(tx, bucketClusters, regionKey(c), func(_ string, r *clusterRecord) bool {
			if r.Cluster.Status == statusActive {
				arns = append(arns, r.Cluster.ClusterArn)
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	pg, next, err := page(arns, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return &types.ListClustersResponse{ClusterArns: pg, NextToken: next}, nil
}

// modifyCluster runs fn on an ACTIVE cluster and stores it.
func (s *Service) modifyCluster(ctx context.Context, c Call, id string, fn func(tx store.Tx, r *clusterRecord) error) (*types.Cluster, error) {
	var out types.Cluster
	err := s.update(ctx, c, func(tx store.Tx) error {
		r, err := activeCluster(tx, c, id, false)
		if err != nil {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		if err := putJSON(tx, bucketClusters, clusterKey(c, r.Cluster.ClusterName), r); err != nil {
			return err
		}
		out = s.clusterView(tx, c, r, allClusterFields)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateCluster changes a cluster's settings, configuration and Service
// Connect defaults.
func (s *Service) UpdateCluster(ctx context.Context, c Call, in *types.UpdateClusterRequest) (*types.UpdateClusterResponse, error) {
	cl, err := s.modifyCluster(ctx, c, in.Cluster, func(_ store.Tx, r *clusterRecord) error {
		if in.Settings != nil {
			r.Cluster.Settings = clusterSettings(r.Cluster.Settings, in.Settings)
		}
		if in.Configuration != nil {
			r.Cluster.Configuration = in.Configuration
		}
		if in.ServiceConnectDefaults != nil {
			r.Cluster.ServiceConnectDefaults = &types.ClusterServiceConnectDefaults{Namespace: in.ServiceConnectDefaults.Namespace}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.UpdateClusterResponse{Cluster: cl}, nil
}

// UpdateClusterSettings changes a cluster's settings.
func (s *Service) UpdateClusterSettings(ctx context.Context, c Call, in *types.UpdateClusterSettingsRequest) (*types.UpdateClusterSettingsResponse, error) {
	cl, err := s.modifyCluster(ctx, c, in.Cluster, func(_ store.Tx, r *clusterRecord) error {
		r.Cluster.Settings = clusterSettings(r.Cluster.Settings, in.Settings)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.UpdateClusterSettingsResponse{Cluster: cl}, nil
}

// PutClusterCapacityProviders replaces a cluster's capacity providers and
// default strategy. The cluster's own (cluster-scoped, Managed Instances)
// providers stay associated with it.
func (s *Service) PutClusterCapacityProviders(ctx context.Context, c Call, in *types.PutClusterCapacityProvidersRequest) (*types.PutClusterCapacityProvidersResponse, error) {
	if err := checkProviderStrategy(in.CapacityProviders, in.DefaultCapacityProviderStrategy); err != nil {
		return nil, err
	}
	cl, err := s.modifyCluster(ctx, c, in.Cluster, func(tx store.Tx, r *clusterRecord) error {
		if err := providersExist(tx, c, in.CapacityProviders); err != nil {
			return err
		}
		list := nonNil(slices.Clone(in.CapacityProviders))
		for _, p := range r.Cluster.CapacityProviders {
			if slices.Contains(list, p) {
				continue
			}
			if pr, err := loadProvider(tx, c, p); err == nil && pr != nil && pr.Provider.Cluster != "" {
				list = append(list, p) // cluster-scoped: it stays
				continue
			}
			// Removed: not while a service uses it or tasks run on it.
			if used, err := providerUsed(tx, c, r.Cluster.ClusterName, p, s.now(), s.phases()); err != nil {
				return err
			} else if used {
				return errProviderInUse()
			}
		}
		r.Cluster.CapacityProviders = list
		r.Cluster.DefaultCapacityProviderStrategy = strategy(in.DefaultCapacityProviderStrategy)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.PutClusterCapacityProvidersResponse{Cluster: cl}, nil
}

// DeleteCluster deletes a cluster that has no ACTIVE services, no
// registered container instances, no tasks that have not STOPPED and no
// Managed Instances capacity providers of its own; it stays describable as
// INACTIVE.
func (s *Service) DeleteCluster(ctx context.Context, c Call, in *types.DeleteClusterRequest) (*types.DeleteClusterResponse, error) {
	// Idle Managed Instances instances are gone first (scaleIn): only
	// those that run tasks keep the cluster.
	if err := s.scaleIn(ctx, c, in.Cluster); err != nil {
		return nil, err
	}
	now := s.now()
	tm := s.phases()
	var out types.Cluster
	err := s.update(ctx, c, func(tx store.Tx) error {
		r, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		prefix := clusterKey(c, r.Cluster.ClusterName) + "/"
		var services, instances, tasks bool
		if err := scanJSON(tx, bucketServices, prefix, func(_ string, sr *serviceRecord) bool {
			services = services || sr.Service.Status == statusActive
			return !services
		}); err != nil {
			return err
		}
		if services {
			return errClusterContainsServices()
		}
		if err := scanJSON(tx, bucketInstances, prefix, func(_ string, ir *instanceRecord) bool {
			instances = instances || ir.Instance.Status != statusInactive
			return !instances
		}); err != nil {
			return err
		}
		if instances {
			return errClusterContainsInstances()
		}
		if err := scanJSON(tx, bucketTasks, prefix, func(_ string, tr *taskRecord) bool {
			tasks = tasks || tr.view(now, tm).LastStatus != "STOPPED"
			return !tasks
		}); err != nil {
			return err
		}
		if tasks {
			return errClusterContainsTasks()
		}
		for _, p := range r.Cluster.CapacityProviders {
			pr, err := loadProvider(tx, c, p)
			if err != nil {
				return err
			}
			if pr != nil && pr.Provider.Cluster == r.Cluster.ClusterName && pr.Provider.Status == statusActive {
				return errClusterContainsProviders()
			}
		}
		r.Cluster.Status = statusInactive
		if err := putJSON(tx, bucketClusters, clusterKey(c, r.Cluster.ClusterName), r); err != nil {
			return err
		}
		out = s.clusterView(tx, c, r, allClusterFields)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.DeleteClusterResponse{Cluster: &out}, nil
}
