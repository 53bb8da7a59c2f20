package ecs

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// Container instance state and agent updates (UpdateContainerInstancesState,
// UpdateContainerAgent). A DRAINING instance takes no new task; the service
// scheduler stops the service tasks on it and places their replacements
// elsewhere (services.go reconcile); tasks of no service run on until they
// stop (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html).

// latestAgentVersion is the ECS agent version rolecall's instances run when
// the agent reports none, and the one UpdateContainerAgent updates to.
const latestAgentVersion = "1.89.0"

// UpdateContainerInstancesState sets container instances ACTIVE or
// DRAINING; those not found are failures (MISSING, or INACTIVE for one
// deregistered). The services of the cluster are then reconciled.
func (s *Service) UpdateContainerInstancesState(ctx context.Context, c Call, in *types.UpdateContainerInstancesStateRequest) (*types.UpdateContainerInstancesStateResponse, error) {
	if len(in.ContainerInstances) > 10 {
		return nil, errAtMost("instanceIds", 10)
	}
	if in.Status != statusActive && in.Status != statusDraining {
		return nil, errInstanceStatus()
	}
	out := &types.UpdateContainerInstancesStateResponse{}
	var cluster string
	var services []string
	err := s.update(ctx, c, func(tx store.Tx) error {
		out.ContainerInstances, out.Failures, services = []types.ContainerInstance{}, []types.Failure{}, nil
		cl, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		cluster = cl.Cluster.ClusterName
		for _, id := range in.ContainerInstances {
			r, err := loadInstance(tx, c, cluster, id)
			if err != nil {
				return err
			}
			switch {
			case r == nil:
				out.Failures = append(out.Failures, types.Failure{Arn: instanceARNFor(c, cluster, id), Reason: reasonMissing})
				continue
			case r.Instance.Status == statusInactive:
				out.Failures = append(out.Failures, types.Failure{Arn: r.Instance.ContainerInstanceArn, Reason: statusInactive})
				continue
			}
			if r.Instance.Status != in.Status {
				r.Instance.Status = in.Status
				r.Instance.Version++
				if err := putJSON(tx, bucketInstances, instanceKey(c, cluster, taskIDOf(r.Instance.ContainerInstanceArn)), r); err != nil {
					return err
				}
			}
			out.ContainerInstances = append(out.ContainerInstances, s.instanceView(tx, c, cluster, r, false))
		}
		return scanJSON(tx, bucketServices, clusterKey(c, cluster)+"/", func(_ string, sr *serviceRecord) bool {
			if sr.Service.Status == statusActive {
				services = append(services, sr.Service.ServiceName)
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	for _, name := range services {
		if err := s.reconcile(ctx, c, cluster, name, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// agentUpdating is the agent update status an instance answers at now:
// PENDING from the request until the task timing's pending phase has
// passed, then UPDATED, the agent at latestAgentVersion (rolecall's agent
// has nothing to download).
func (r *instanceRecord) agentUpdating(now time.Time, tm Timing) string {
	switch {
	case r.AgentUpdateAt == nil:
		return ""
	case now.Before(r.AgentUpdateAt.Add(tm.Pending)):
		return "PENDING"
	}
	return "UPDATED"
}

// UpdateContainerAgent updates the agent of a container instance to
// latestAgentVersion. An agent at that version has no update
// (NoUpdateAvailableException); one whose version ECS does not know cannot
// be updated (MissingVersionException); one being updated is
// UpdateInProgressException.
func (s *Service) UpdateContainerAgent(ctx context.Context, c Call, in *types.UpdateContainerAgentRequest) (*types.UpdateContainerAgentResponse, error) {
	now := s.now()
	var out types.ContainerInstance
	err := s.update(ctx, c, func(tx store.Tx) error {
		cl, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		name := cl.Cluster.ClusterName
		r, err := loadInstance(tx, c, name, in.ContainerInstance)
		if err != nil {
			return err
		}
		if r == nil || r.Instance.Status == statusInactive {
			return errContainerInstanceNotFound()
		}
		v := s.instanceView(tx, c, name, r, false)
		switch {
		case v.AgentUpdateStatus == "PENDING":
			return errUpdateInProgress()
		case v.VersionInfo == nil || v.VersionInfo.AgentVersion == "":
			return errMissingVersion()
		case compareVersions(v.VersionInfo.AgentVersion, latestAgentVersion) >= 0:
			return errNoUpdateAvailable()
		}
		r.AgentUpdateAt = &now
		if err := putJSON(tx, bucketInstances, instanceKey(c, name, taskIDOf(r.Instance.ContainerInstanceArn)), r); err != nil {
			return err
		}
		out = s.instanceView(tx, c, name, r, false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.UpdateContainerAgentResponse{ContainerInstance: &out}, nil
}
