package ecs

import (
	"context"

	"github.com/rolecall/rolecall/internal/store"
)

// ServiceStatus is the status of the service ref names (a name or ARN) in
// cluster (a name or ARN, "" for the default cluster): ACTIVE, DRAINING or
// INACTIVE, or "" when there is no such service or cluster. It only reads:
// no task is started or stopped. Application Auto Scaling asks it whether
// the service a scalable target names exists.
func (s *Service) ServiceStatus(ctx context.Context, c Call, cluster, ref string) (string, error) {
	var status string
	err := s.view(ctx, c, func(tx store.Tx) error {
		status = ""
		cl, err := loadCluster(tx, c, cluster)
		if err != nil || cl == nil {
			return err
		}
		r, err := loadService(tx, c, cl.Cluster.ClusterName, ref)
		if err != nil || r == nil {
			return err
		}
		status = r.Service.Status
		return nil
	})
	return status, err
}
