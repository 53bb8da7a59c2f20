package appautoscaling

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
)

// RoleUsage answers, for IAM deleting the service-linked role of
// principal, which of the account's resources still use it, by Region:
// the scalable targets of ECS services for
// AWSServiceRoleForApplicationAutoScaling_ECSService
// (ecs.application-autoscaling.amazonaws.com), in the order they are
// kept. "You can delete a service-linked role only after first deleting
// the related scalable resources" ("Service-linked roles for Application
// Auto Scaling"); rolecall lists the targets registered for them, which
// deregistering frees.
func (s *Service) RoleUsage(ctx context.Context, account, principal string) (map[string][]string, error) {
	if principal != PrincipalECSService {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	byRegion := map[string][]string{}
	err := s.st.View(func(tx store.Tx) error {
		clear(byRegion)
		return store.ScanJSON(tx, bucketTargets, account+"/", func(key string, r *targetRecord) bool {
			if r.Target.ServiceNamespace == NamespaceECS {
				region := strings.SplitN(key, "/", 3)[1]
				byRegion[region] = append(byRegion[region], r.Target.ScalableTargetARN)
			}
			return true
		})
	})
	return byRegion, err
}
