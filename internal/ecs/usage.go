package ecs

import (
	"context"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
)

// RegionResources are one Region's resources that use a service-linked
// role: what IAM lists in a failed deletion task's RoleUsageList.
type RegionResources struct {
	Region    string
	Resources []string // ARNs
}

// RoleUsage answers, for IAM deleting one of ECS's service-linked roles,
// which of the account's resources still use it, in every Region:
// clusters for AWSServiceRoleForECS (ecs.amazonaws.com), Managed Instances
// capacity providers for AWSServiceRoleForECSCompute
// (ecs-compute.amazonaws.com). Other principals use nothing of ECS's.
//
// The ECS developer guide's clean-up before deleting AWSServiceRoleForECS
// is: scale services to 0, delete them, force-deregister container
// instances, delete the clusters, in every Region. A deleted cluster is
// INACTIVE and no longer uses the role.
func (s *Service) RoleUsage(ctx context.Context, account, principal string) ([]RegionResources, error) {
	var byRegion map[string][]string
	var err error
	switch principal {
	case PrincipalECS:
		byRegion, err = s.activeClusters(ctx, account)
	case PrincipalECSCompute:
		byRegion, err = s.managedInstancesProviders(ctx, account)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]RegionResources, 0, len(byRegion))
	for region, arns := range byRegion {
		sort.Strings(arns)
		out = append(out, RegionResources{Region: region, Resources: arns})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out, nil
}

// activeClusters lists the account's ACTIVE clusters in every Region.
func (s *Service) activeClusters(ctx context.Context, account string) (map[string][]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	err := s.st.View(func(tx store.Tx) error {
		clear(out)
		return scanJSON(tx, bucketClusters, account+"/", func(key string, r *clusterRecord) bool {
			if r.Cluster.Status == statusActive {
				region := strings.SplitN(key, "/", 3)[1]
				out[region] = append(out[region], r.Cluster.ClusterArn)
			}
			return true
		})
	})
	return out, err
}
