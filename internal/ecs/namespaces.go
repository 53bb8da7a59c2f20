package ecs

import (
	"context"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// ListServicesByNamespace lists the ACTIVE services of the Region, in any
// cluster, that use Service Connect in the AWS Cloud Map namespace named
// (by name or ARN): the namespace of their Service Connect configuration,
// or, when it names none, their cluster's default namespace
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServicesByNamespace.html).
// rolecall has no Cloud Map: a namespace no service names lists nothing.
func (s *Service) ListServicesByNamespace(ctx context.Context, c Call, in *types.ListServicesByNamespaceRequest) (*types.ListServicesByNamespaceResponse, error) {
	var arns []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		arns = nil
		defaults := map[string]string{} // cluster name -> its default namespace
		err := scanJSON(tx, bucketClusters, regionKey(c), func(_ string, r *clusterRecord) bool {
			if d := r.Cluster.ServiceConnectDefaults; d != nil {
				defaults[r.Cluster.ClusterName] = d.Namespace
			}
			return true
		})
		if err != nil {
			return err
		}
		return scanJSON(tx, bucketServices, regionKey(c), func(_ string, r *serviceRecord) bool {
			sc := r.ServiceConnect
			if r.Service.Status != statusActive || sc == nil || !sc.Enabled {
				return true
			}
			ns := sc.Namespace
			if ns == "" {
				ns = defaults[r.clusterName()]
			}
			if ns != "" && sameNamespace(ns, in.Namespace) {
				arns = append(arns, r.Service.ServiceArn)
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(arns)
	pg, next, err := page(arns, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return &types.ListServicesByNamespaceResponse{ServiceArns: nonNil(pg), NextToken: next}, nil
}

// sameNamespace: a namespace is named by its name or its ARN
// (arn:aws:servicediscovery:REGION:ACCOUNT:namespace/ns-...); a name and
// an ARN match when the ARN's last part is the name.
func sameNamespace(a, b string) bool {
	if a == b {
		return true
	}
	last := func(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }
	return !strings.HasPrefix(a, "arn:") && last(b) == a || !strings.HasPrefix(b, "arn:") && last(a) == b
}
