package ecs

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/store"
)

// Capacity provider types.
const (
	providerASG     = "EC2_AUTOSCALING"
	providerManaged = "MANAGED_INSTANCES"
)

// providerRecord is a capacity provider as the store keeps it. A deleted
// one stays describable as INACTIVE.
type providerRecord struct {
	Provider types.CapacityProvider
}

func providerKey(c Call, name string) string { return regionKey(c) + name }

// providerName resolves a capacity provider given by name or ARN.
func providerName(c Call, id string) string {
	if name, ok := resourceOf(c, id, "capacity-provider"); ok {
		return name
	}
	return id
}

func loadProvider(tx store.Tx, c Call, id string) (*providerRecord, error) {
	name := providerName(c, id)
	if name == "" || strings.Contains(name, "/") {
		return nil, nil
	}
	var r providerRecord
	ok, err := getJSON(tx, bucketProviders, providerKey(c, name), &r)
	if err != nil || !ok {
		return nil, err
	}
	return &r, nil
}

// CreateCapacityProvider creates an Auto Scaling group capacity provider,
// or a Managed Instances one for a cluster. For Managed Instances the
// caller passes the infrastructure role to ECS (iam:PassRole), ECS must be
// able to assume it, and ECS makes sure AWSServiceRoleForECSCompute
// exists (ECS developer guide, "Using roles to manage Amazon ECS Managed
// Instances").
func (s *Service) CreateCapacityProvider(ctx context.Context, c Call, in *types.CreateCapacityProviderRequest) (*types.CreateCapacityProviderResponse, error) {
	lower := strings.ToLower(in.Name)
	for _, p := range []string{"aws", "ecs", "fargate"} {
		if strings.HasPrefix(lower, p) {
			return nil, errProviderName()
		}
	}
	if strings.Contains(in.Name, "/") {
		return nil, errProviderName()
	}
	switch {
	case in.AutoScalingGroupProvider != nil && in.ManagedInstancesProvider != nil:
		// rolecall's wording of the documented rule.
		return nil, invalidParameter("Specify either an Auto Scaling group provider or a Managed Instances provider, not both.")
	case in.AutoScalingGroupProvider == nil && in.ManagedInstancesProvider == nil:
		return nil, invalidParameter("An Auto Scaling group provider or a Managed Instances provider must be specified.")
	}
	p := types.CapacityProvider{
		CapacityProviderArn: ecsARN(c, "capacity-provider/"+in.Name),
		Name:                in.Name,
		Status:              statusActive,
		Tags:                in.Tags,
	}
	clusterID := ""
	if asg := in.AutoScalingGroupProvider; asg != nil {
		p.Type = providerASG
		p.AutoScalingGroupProvider = asgDefaults(*asg)
	} else {
		mi := in.ManagedInstancesProvider
		if in.Cluster == "" {
			return nil, errManagedInstancesNeedsCluster()
		}
		clusterID = in.Cluster
		if err := s.useInfrastructureRole(ctx, c, ecsroles.MIInfrastructure, mi.InfrastructureRoleArn, p.CapacityProviderArn); err != nil {
			return nil, err
		}
		// The instance profile must be there; its role is passed to EC2,
		// by the infrastructure role, only when an instance is launched.
		if lt := mi.InstanceLaunchTemplate; lt != nil {
			if err := s.instanceProfileExists(ctx, c, lt.Ec2InstanceProfileArn); err != nil {
				return nil, err
			}
		}
		// The instance profile's role is not the caller's to pass: the
		// infrastructure role passes it to EC2 when ECS launches an
		// instance (AmazonECSInfrastructureRolePolicyForManagedInstances
		// allows iam:PassRole on ecsInstanceRole*), and a refusal surfaces
		// at task launch (launchInstance).
		p.Type = providerManaged
		p.ManagedInstancesProvider = &types.ManagedInstancesProvider{
			InfrastructureRoleArn:      mi.InfrastructureRoleArn,
			InstanceLaunchTemplate:     mi.InstanceLaunchTemplate,
			PropagateTags:              mi.PropagateTags,
			InfrastructureOptimization: mi.InfrastructureOptimization,
			AutoRepairConfiguration:    mi.AutoRepairConfiguration,
		}
		if p.ManagedInstancesProvider.PropagateTags == "" {
			p.ManagedInstancesProvider.PropagateTags = "NONE"
		}
		if _, err := s.roles.EnsureServiceLinkedRole(ctx, c, PrincipalECSCompute); err != nil {
			err, _ = asAccessDenied(err)
			return nil, err
		}
	}
	err := s.update(ctx, c, func(tx store.Tx) error {
		cur, err := loadProvider(tx, c, in.Name)
		if err != nil {
			return err
		}
		if cur != nil && cur.Provider.Status == statusActive {
			return errProviderExists()
		}
		rec := &providerRecord{Provider: p}
		if p.AutoScalingGroupProvider != nil {
			inUse := false
			err := scanJSON(tx, bucketProviders, regionKey(c), func(_ string, o *providerRecord) bool {
				inUse = o.Provider.Status == statusActive && o.Provider.AutoScalingGroupProvider != nil &&
					o.Provider.AutoScalingGroupProvider.AutoScalingGroupArn == p.AutoScalingGroupProvider.AutoScalingGroupArn
				return !inUse
			})
			if err != nil {
				return err
			}
			if inUse {
				return errASGInUse()
			}
		}
		if clusterID != "" {
			cl, err := activeCluster(tx, c, clusterID, false)
			if err != nil {
				return err
			}
			rec.Provider.Cluster = cl.Cluster.ClusterName
			// A Managed Instances provider is available in its cluster
			// only, and at once.
			if !slices.Contains(cl.Cluster.CapacityProviders, p.Name) {
				cl.Cluster.CapacityProviders = append(cl.Cluster.CapacityProviders, p.Name)
				if err := putJSON(tx, bucketClusters, clusterKey(c, cl.Cluster.ClusterName), cl); err != nil {
					return err
				}
			}
		}
		p = rec.Provider
		return putJSON(tx, bucketProviders, providerKey(c, in.Name), rec)
	})
	if err != nil {
		return nil, err
	}
	p.Tags = nonNil(p.Tags)
	return &types.CreateCapacityProviderResponse{CapacityProvider: &p}, nil
}

// instanceProfileExists: a Managed Instances provider's instance profile
// must be one of the account's, named by its own ARN ("" names none).
func (s *Service) instanceProfileExists(ctx context.Context, c Call, profileArn string) error {
	if profileArn == "" {
		return nil
	}
	if _, err := s.roles.InstanceProfileRole(ctx, c, profileArn); err != nil {
		if awserr.IsClient(err) {
			return errInstanceProfile(profileArn)
		}
		return err
	}
	return nil
}

// useInfrastructureRole: the caller passes an infrastructure role of kind
// (a Managed Instances provider's, an Express service's) to ECS, which
// must be able to assume it for the resource at sourceArn (the role trusts
// ecs.amazonaws.com; ECS developer guide, "Amazon ECS infrastructure IAM
// role").
func (s *Service) useInfrastructureRole(ctx context.Context, c Call, kind ecsroles.Kind, arn, sourceArn string) error {
	if err := s.roles.PassRole(ctx, c, arn, PrincipalECS, ""); err != nil {
		if err, denied := asAccessDenied(err); denied {
			return err
		}
		if isNoSuchRole(err) {
			return errInfrastructureRole(arn)
		}
		return err
	}
	if _, err := s.roles.AssumeAsService(ctx, c, PrincipalECS, arn, ecsroles.About[kind].Session, sourceArn); err != nil {
		if awserr.IsClient(err) {
			return errInfrastructureRole(arn)
		}
		return err
	}
	return nil
}

func asgDefaults(a types.AutoScalingGroupProvider) *types.AutoScalingGroupProvider {
	if a.ManagedScaling == nil {
		a.ManagedScaling = &types.ManagedScaling{}
	}
	ms := *a.ManagedScaling
	if ms.Status == "" {
		ms.Status = "DISABLED"
	}
	if ms.TargetCapacity == nil {
		ms.TargetCapacity = ptr(int32(100))
	}
	if ms.MinimumScalingStepSize == nil {
		ms.MinimumScalingStepSize = ptr(int32(1))
	}
	if ms.MaximumScalingStepSize == nil {
		ms.MaximumScalingStepSize = ptr(int32(10000))
	}
	if ms.InstanceWarmupPeriod == nil {
		ms.InstanceWarmupPeriod = ptr(int32(300))
	}
	a.ManagedScaling = &ms
	if a.ManagedTerminationProtection == "" {
		a.ManagedTerminationProtection = "DISABLED"
	}
	if a.ManagedDraining == "" {
		a.ManagedDraining = "ENABLED"
	}
	return &a
}

// UpdateCapacityProvider changes a capacity provider's settings; for
// Managed Instances a new infrastructure role is passed again.
func (s *Service) UpdateCapacityProvider(ctx context.Context, c Call, in *types.UpdateCapacityProviderRequest) (*types.UpdateCapacityProviderResponse, error) {
	if mi := in.ManagedInstancesProvider; mi != nil && mi.InfrastructureRoleArn != "" {
		if err := s.useInfrastructureRole(ctx, c, ecsroles.MIInfrastructure, mi.InfrastructureRoleArn, ecsARN(c, "capacity-provider/"+in.Name)); err != nil {
			return nil, err
		}
	}
	if mi := in.ManagedInstancesProvider; mi != nil && mi.InstanceLaunchTemplate != nil {
		if err := s.instanceProfileExists(ctx, c, mi.InstanceLaunchTemplate.Ec2InstanceProfileArn); err != nil {
			return nil, err
		}
	}
	var out types.CapacityProvider
	err := s.update(ctx, c, func(tx store.Tx) error {
		r, err := loadProvider(tx, c, in.Name)
		if err != nil {
			return err
		}
		if r == nil || r.Provider.Status != statusActive {
			return errProviderMissing()
		}
		p := &r.Provider
		if u := in.AutoScalingGroupProvider; u != nil {
			if p.AutoScalingGroupProvider == nil {
				return invalidParameter("The specified capacity provider does not use an Auto Scaling group.") // rolecall's wording
			}
			a := *p.AutoScalingGroupProvider
			if u.ManagedScaling != nil {
				a.ManagedScaling = u.ManagedScaling
			}
			if u.ManagedTerminationProtection != "" {
				a.ManagedTerminationProtection = u.ManagedTerminationProtection
			}
			if u.ManagedDraining != "" {
				a.ManagedDraining = u.ManagedDraining
			}
			p.AutoScalingGroupProvider = asgDefaults(a)
		}
		if u := in.ManagedInstancesProvider; u != nil {
			if p.ManagedInstancesProvider == nil {
				return invalidParameter("The specified capacity provider does not use Amazon ECS Managed Instances.") // rolecall's wording
			}
			m := *p.ManagedInstancesProvider
			if u.InfrastructureRoleArn != "" {
				m.InfrastructureRoleArn = u.InfrastructureRoleArn
			}
			if u.PropagateTags != "" {
				m.PropagateTags = u.PropagateTags
			}
			if u.InfrastructureOptimization != nil {
				m.InfrastructureOptimization = u.InfrastructureOptimization
			}
			if u.AutoRepairConfiguration != nil {
				m.AutoRepairConfiguration = u.AutoRepairConfiguration
			}
			if lt := u.InstanceLaunchTemplate; lt != nil {
				t := types.InstanceLaunchTemplate{}
				if m.InstanceLaunchTemplate != nil {
					t = *m.InstanceLaunchTemplate
				}
				if lt.Ec2InstanceProfileArn != "" {
					t.Ec2InstanceProfileArn = lt.Ec2InstanceProfileArn
				}
				if lt.NetworkConfiguration != nil {
					t.NetworkConfiguration = lt.NetworkConfiguration
				}
				if lt.StorageConfiguration != nil {
					t.StorageConfiguration = lt.StorageConfiguration
				}
				if lt.LocalStorageConfiguration != nil {
					t.LocalStorageConfiguration = lt.LocalStorageConfiguration
				}
				if lt.Monitoring != "" {
					t.Monitoring = lt.Monitoring
				}
				if lt.InstanceRequirements != nil {
					t.InstanceRequirements = lt.InstanceRequirements
				}
				if lt.CapacityReservations != nil {
					t.CapacityReservations = lt.CapacityReservations
				}
				if lt.InstanceMetadataTagsPropagation != nil {
					t.InstanceMetadataTagsPropagation = lt.InstanceMetadataTagsPropagation
				}
				m.InstanceLaunchTemplate = &t
			}
			p.ManagedInstancesProvider = &m
		}
		p.UpdateStatus, p.UpdateStatusReason = "UPDATE_COMPLETE", ""
		out = *p
		return putJSON(tx, bucketProviders, providerKey(c, p.Name), r)
	})
	if err != nil {
		return nil, err
	}
	out.Tags = nonNil(out.Tags)
	return &types.UpdateCapacityProviderResponse{CapacityProvider: &out}, nil
}

// DeleteCapacityProvider deletes a capacity provider. One still associated
// with an ACTIVE cluster is not deleted: the answer says DELETE_FAILED, as
// AWS's does (ekristen/aws-nuke PR #542). A Managed Instances provider's
// instances are deregistered and terminated with it (through
// AWSServiceRoleForECSCompute); when the last Managed Instances provider
// of the account, in any Region, goes, ECS deletes
// AWSServiceRoleForECSCompute itself, after.
func (s *Service) DeleteCapacityProvider(ctx context.Context, c Call, in *types.DeleteCapacityProviderRequest) (*types.DeleteCapacityProviderResponse, error) {
	var out types.CapacityProvider
	deleted := false
	var retired []*instanceRecord
	err := s.update(ctx, c, func(tx store.Tx) error {
		deleted, retired = false, nil
		r, err := loadProvider(tx, c, in.CapacityProvider)
		if err != nil {
			return err
		}
		if r == nil || r.Provider.Status != statusActive {
			return errProviderMissing()
		}
		p := &r.Provider
		var inUse string
		err = scanJSON(tx, bucketClusters, regionKey(c), func(_ string, cl *clusterRecord) bool {
			if cl.Cluster.Status == statusActive && slices.Contains(cl.Cluster.CapacityProviders, p.Name) && cl.Cluster.ClusterName != p.Cluster {
				inUse = cl.Cluster.ClusterName
			}
			return inUse == ""
		})
		if err != nil {
			return err
		}
		if inUse != "" {
			p.UpdateStatus = "DELETE_FAILED"
			p.UpdateStatusReason = providerAssociatedReason(inUse)
			out = *p
			return putJSON(tx, bucketProviders, providerKey(c, p.Name), r)
		}
		if p.Cluster != "" {
			// A Managed Instances provider belongs to its cluster, and goes
			// with it; not while a service of the cluster uses it or tasks
			// run on it.
			if used, err := providerUsed(tx, c, p.Cluster, p.Name, s.now(), s.phases()); err != nil {
				return err
			} else if used {
				return errProviderInUse()
			}
			// Its instances go with it: deregistered here, terminated
			// once the deletion is written.
			if retired, err = retireProvider(tx, c, p.Cluster, p.Name); err != nil {
				return err
			}
			if cl, err := loadCluster(tx, c, p.Cluster); err != nil {
				return err
			} else if cl != nil {
				cl.Cluster.CapacityProviders = slices.DeleteFunc(cl.Cluster.CapacityProviders, func(n string) bool { return n == p.Name })
				cl.Cluster.DefaultCapacityProviderStrategy = slices.DeleteFunc(cl.Cluster.DefaultCapacityProviderStrategy, func(it types.CapacityProviderStrategyItem) bool {
					return it.CapacityProvider == p.Name
				})
				if err := putJSON(tx, bucketClusters, clusterKey(c, cl.Cluster.ClusterName), cl); err != nil {
					return err
				}
			}
		}
		// The answer shows the deletion under way; the provider is then
		// INACTIVE.
		p.UpdateStatus, p.UpdateStatusReason = "DELETE_IN_PROGRESS", ""
		out = *p
		p.Status, p.UpdateStatus = statusInactive, "DELETE_COMPLETE"
		deleted = true
		return putJSON(tx, bucketProviders, providerKey(c, p.Name), r)
	})
	if err != nil {
		return nil, err
	}
	if len(retired) > 0 {
		if err := s.retire(ctx, c, out.Cluster, retired); err != nil {
			return nil, err
		}
	}
	if deleted && out.Type == providerManaged {
		left, err := s.managedInstancesProviders(ctx, c.Account)
		if err != nil {
			return nil, err
		}
		if len(left) == 0 {
			if _, err := s.roles.DeleteServiceLinkedRole(ctx, c.Account, PrincipalECSCompute); err != nil {
				return nil, err
			}
		}
	}
	out.Tags = nonNil(out.Tags)
	return &types.DeleteCapacityProviderResponse{CapacityProvider: &out}, nil
}

// providerUsed: an ACTIVE service of cluster names provider in its
// strategy, or a task that has not stopped runs on it.
func providerUsed(tx store.Tx, c Call, cluster, provider string, now time.Time, tm Timing) (bool, error) {
	used := false
	prefix := clusterKey(c, cluster) + "/"
	err := scanJSON(tx, bucketServices, prefix, func(_ string, sr *serviceRecord) bool {
		used = sr.Service.Status == statusActive && slices.ContainsFunc(sr.Service.CapacityProviderStrategy, func(it types.CapacityProviderStrategyItem) bool {
			return it.CapacityProvider == provider
		})
		return !used
	})
	if err != nil || used {
		return used, err
	}
	err = scanJSON(tx, bucketTasks, prefix, func(_ string, tr *taskRecord) bool {
		used = tr.Task.CapacityProviderName == provider && tr.view(now, tm).LastStatus != "STOPPED"
		return !used
	})
	return used, err
}

// DescribeCapacityProviders describes capacity providers by name or ARN,
// or all of the Region's (FARGATE and FARGATE_SPOT included) when none is
// named.
func (s *Service) DescribeCapacityProviders(ctx context.Context, c Call, in *types.DescribeCapacityProvidersRequest) (*types.DescribeCapacityProvidersResponse, error) {
	withTags := slices.Contains(in.Include, "TAGS")
	show := func(p types.CapacityProvider) types.CapacityProvider {
		if withTags {
			p.Tags = nonNil(p.Tags)
		} else {
			p.Tags = nil
		}
		return p
	}
	builtin := func(name string) types.CapacityProvider {
		return types.CapacityProvider{CapacityProviderArn: ecsARN(c, "capacity-provider/"+name), Name: name, Status: statusActive, Type: name}
	}
	out := &types.DescribeCapacityProvidersResponse{CapacityProviders: []types.CapacityProvider{}, Failures: []types.Failure{}}
	byName := map[string]types.CapacityProvider{}
	var names []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		out.CapacityProviders, out.Failures, names = []types.CapacityProvider{}, []types.Failure{}, nil
		if len(in.CapacityProviders) > 0 {
			for _, id := range in.CapacityProviders {
				name := providerName(c, id)
				if name == "FARGATE" || name == "FARGATE_SPOT" {
					out.CapacityProviders = append(out.CapacityProviders, builtin(name))
					continue
				}
				r, err := loadProvider(tx, c, id)
				if err != nil {
					return err
				}
				if r == nil {
					arn := id
					if !isARN(id) {
						arn = ecsARN(c, "capacity-provider/"+id)
					}
					out.Failures = append(out.Failures, types.Failure{Arn: arn, Reason: "MISSING"})
					continue
				}
				out.CapacityProviders = append(out.CapacityProviders, show(r.Provider))
			}
			return nil
		}
		for _, n := range []string{"FARGATE", "FARGATE_SPOT"} {
			byName[n] = builtin(n)
			names = append(names, n)
		}
		return scanJSON(tx, bucketProviders, regionKey(c), func(_ string, r *providerRecord) bool {
			if r.Provider.Status == statusActive && (in.Cluster == "" || r.Provider.Cluster == "" || r.Provider.Cluster == in.Cluster) {
				byName[r.Provider.Name] = show(r.Provider)
				names = append(names, r.Provider.Name)
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	if len(in.CapacityProviders) > 0 {
		return out, nil
	}
	pg, next, err := page(names, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	for _, n := range pg {
		out.CapacityProviders = append(out.CapacityProviders, byName[n])
	}
	out.NextToken = next
	return out, nil
}

// managedInstancesProviders lists the account's ACTIVE Managed Instances
// capacity providers in every Region, by Region.
func (s *Service) managedInstancesProviders(ctx context.Context, account string) (map[string][]string, error) {
	out := map[string][]string{}
	err := s.st.View(func(tx store.Tx) error {
		clear(out)
		return scanJSON(tx, bucketProviders, account+"/", func(key string, r *providerRecord) bool {
			if r.Provider.Status == statusActive && r.Provider.Type == providerManaged {
				region := strings.SplitN(key, "/", 3)[1]
				out[region] = append(out[region], r.Provider.CapacityProviderArn)
			}
			return true
		})
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, err
}
