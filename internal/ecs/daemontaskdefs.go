package ecs

import (
	"context"
	"fmt"
	"slices"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/model/shapecopy"
	"github.com/rolecall/rolecall/internal/store"
)

// Daemon task definitions are "a dedicated daemon task definition
// resource, distinct from standard Amazon ECS task definitions"
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-daemons-task-definitions.html),
// with revisions of their own. rolecall keeps each revision as the task
// definition its tasks run: its container definitions are a subset of a
// task definition's, it runs on Managed Instances, and, naming no network
// mode, in the host's (rolecall's reading: daemons are the host's
// agents). The task's roles are then those of any task (launchRoles).
const (
	bucketDaemonTaskDefs = "ecs-daemon-task-definitions" // <acct>/<region>/<family>/<revision, 10 digits>
	bucketDaemonFamilies = "ecs-daemon-task-families"    // <acct>/<region>/<family>: the last revision given
)

// Daemon task definition statuses (DaemonTaskDefinitionStatus).
const dtdDeleted = "DELETED"

// parseDaemonTaskDef splits a daemon task definition identifier (family,
// family:revision or ARN) into its family and revision (0 for "the latest
// ACTIVE").
func parseDaemonTaskDef(c Call, id string) (family string, rev int32, ok bool) {
	if isARN(id) {
		rest, ours := resourceOf(c, id, "daemon-task-definition")
		if !ours {
			return "", 0, false
		}
		id = rest
	}
	return parseTaskDef(c, id)
}

// loadDaemonTaskDef returns the revision id names, or for a bare family its
// latest ACTIVE revision; nil if there is none.
func loadDaemonTaskDef(tx store.Tx, c Call, id string) (*taskDefRecord, error) {
	family, rev, ok := parseDaemonTaskDef(c, id)
	if !ok {
		return nil, nil
	}
	return loadRevision(tx, c, bucketDaemonTaskDefs, family, rev)
}

// RegisterDaemonTaskDefinition registers a new revision of a daemon task
// definition family, validated as a task definition's containers are, the
// caller passing its roles to ecs-tasks.amazonaws.com.
func (s *Service) RegisterDaemonTaskDefinition(ctx context.Context, c Call, in *types.RegisterDaemonTaskDefinitionRequest) (*types.RegisterDaemonTaskDefinitionResponse, error) {
	if !familyPattern.MatchString(in.Family) {
		return nil, errFamilyInvalid()
	}
	if len(in.ContainerDefinitions) == 0 {
		return nil, errDaemonNoContainers()
	}
	req := &types.RegisterTaskDefinitionRequest{
		Family: in.Family, TaskRoleArn: in.TaskRoleArn, ExecutionRoleArn: in.ExecutionRoleArn,
		ContainerDefinitions:    shapecopy.Convert[[]types.ContainerDefinition](in.ContainerDefinitions),
		Volumes:                 shapecopy.Convert[[]types.Volume](in.Volumes),
		NetworkMode:             ecsroles.DaemonNetworkMode,
		RequiresCompatibilities: []string{launchManaged},
		Cpu:                     in.Cpu, Memory: in.Memory,
	}
	td := types.TaskDefinition{
		Family: in.Family, TaskRoleArn: in.TaskRoleArn, ExecutionRoleArn: in.ExecutionRoleArn, NetworkMode: req.NetworkMode,
		Volumes: nonNil(req.Volumes), RequiresCompatibilities: req.RequiresCompatibilities, RegisteredBy: c.Caller().ARN, Status: tdActive,
	}
	if err := validateTaskDef(&td, req); err != nil {
		return nil, err
	}
	if err := s.passDefinitionRoles(ctx, c, in.TaskRoleArn, in.ExecutionRoleArn); err != nil {
		return nil, err
	}
	now := s.now()
	td.RegisteredAt = &now
	err := s.update(ctx, c, func(tx store.Tx) error {
		var fam familyRecord
		if _, err := getJSON(tx, bucketDaemonFamilies, familyKey(c, in.Family), &fam); err != nil {
			return err
		}
		fam.Last++
		if err := putJSON(tx, bucketDaemonFamilies, familyKey(c, in.Family), &fam); err != nil {
			return err
		}
		td.Revision = fam.Last
		td.TaskDefinitionArn = ecsARN(c, fmt.Sprintf("daemon-task-definition/%s:%d", in.Family, fam.Last))
		return putJSON(tx, bucketDaemonTaskDefs, taskDefKey(c, in.Family, fam.Last), &taskDefRecord{Def: td, Tags: in.Tags})
	})
	if err != nil {
		return nil, err
	}
	return &types.RegisterDaemonTaskDefinitionResponse{DaemonTaskDefinitionArn: td.TaskDefinitionArn}, nil
}

// daemonTaskDefStatus is a revision's status: one whose deletion was
// asked for is DELETE_IN_PROGRESS while an ACTIVE daemon still runs it
// ("Existing daemons that reference the deleted daemon task definition
// continue to run", DeleteDaemonTaskDefinition reference), then DELETED.
func daemonTaskDefStatus(r *taskDefRecord, used map[string]bool) string {
	if r.Def.Status == tdDeleting && !used[r.Def.TaskDefinitionArn] {
		return dtdDeleted
	}
	return r.Def.Status
}

// daemonTaskDefView is the revision as DescribeDaemonTaskDefinition
// answers it.
func daemonTaskDefView(r *taskDefRecord, used map[string]bool) *types.DaemonTaskDefinition {
	d := r.Def
	return &types.DaemonTaskDefinition{
		DaemonTaskDefinitionArn: d.TaskDefinitionArn, Family: d.Family, Revision: d.Revision,
		TaskRoleArn: d.TaskRoleArn, ExecutionRoleArn: d.ExecutionRoleArn,
		ContainerDefinitions: shapecopy.Narrow[[]types.DaemonContainerDefinition](d.ContainerDefinitions),
		Volumes:              nonNil(shapecopy.Narrow[[]types.DaemonVolume](d.Volumes)),
		Cpu:                  d.Cpu, Memory: d.Memory, Status: daemonTaskDefStatus(r, used),
		RegisteredAt: d.RegisteredAt, DeleteRequestedAt: d.DeleteRequestedAt, RegisteredBy: d.RegisteredBy,
	}
}

// DescribeDaemonTaskDefinition describes a revision, or a family's latest
// ACTIVE one.
func (s *Service) DescribeDaemonTaskDefinition(ctx context.Context, c Call, in *types.DescribeDaemonTaskDefinitionRequest) (*types.DescribeDaemonTaskDefinitionResponse, error) {
	var out *types.DaemonTaskDefinition
	err := s.view(ctx, c, func(tx store.Tx) error {
		r, err := loadDaemonTaskDef(tx, c, in.DaemonTaskDefinition)
		if err != nil || r == nil {
			return err
		}
		used, err := daemonTaskDefsInUse(tx, c)
		out = daemonTaskDefView(r, used)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, errDescribeDaemonTaskDefinition()
	}
	return &types.DescribeDaemonTaskDefinitionResponse{DaemonTaskDefinition: out}, nil
}

// DeleteDaemonTaskDefinition asks for an ACTIVE revision's deletion: no new
// daemon may use it.
func (s *Service) DeleteDaemonTaskDefinition(ctx context.Context, c Call, in *types.DeleteDaemonTaskDefinitionRequest) (*types.DeleteDaemonTaskDefinitionResponse, error) {
	family, rev, ok := parseDaemonTaskDef(c, in.DaemonTaskDefinition)
	if !ok || rev == 0 {
		return nil, errDaemonTaskDefinitionInvalid()
	}
	now := s.now()
	var arn string
	err := s.update(ctx, c, func(tx store.Tx) error {
		var r taskDefRecord
		found, err := getJSON(tx, bucketDaemonTaskDefs, taskDefKey(c, family, rev), &r)
		switch {
		case err != nil:
			return err
		case !found:
			return errDaemonTaskDefinitionMissing()
		case r.Def.Status != tdActive:
			return errDaemonTaskDefinitionNotActive()
		}
		r.Def.Status, r.Def.DeleteRequestedAt = tdDeleting, &now
		arn = r.Def.TaskDefinitionArn
		return putJSON(tx, bucketDaemonTaskDefs, taskDefKey(c, family, rev), &r)
	})
	if err != nil {
		return nil, err
	}
	return &types.DeleteDaemonTaskDefinitionResponse{DaemonTaskDefinitionArn: arn}, nil
}

// ListDaemonTaskDefinitions lists revisions: of families beginning with
// familyPrefix or of family, of a status (ACTIVE by default; ALL), only
// each family's last registered one with LAST_REGISTERED, by family and
// revision, ASC or DESC.
func (s *Service) ListDaemonTaskDefinitions(ctx context.Context, c Call, in *types.ListDaemonTaskDefinitionsRequest) (*types.ListDaemonTaskDefinitionsResponse, error) {
	status := in.Status
	if status == "" {
		status = tdActive
	}
	byKey := map[string]types.DaemonTaskDefinitionSummary{}
	var keys []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		keys = nil
		clear(byKey)
		used, err := daemonTaskDefsInUse(tx, c)
		if err != nil {
			return err
		}
		last := map[string]string{} // family -> key of its last revision
		err = scanJSON(tx, bucketDaemonTaskDefs, regionKey(c)+in.FamilyPrefix, func(key string, r *taskDefRecord) bool {
			if in.Family != "" && r.Def.Family != in.Family {
				return true
			}
			st := daemonTaskDefStatus(r, used)
			if in.Revision == "LAST_REGISTERED" {
				if prev, ok := last[r.Def.Family]; ok {
					keys = slices.DeleteFunc(keys, func(k string) bool { return k == prev })
				}
				last[r.Def.Family] = key
			}
			if status == "ALL" || st == status {
				keys = append(keys, key)
				byKey[key] = types.DaemonTaskDefinitionSummary{Arn: r.Def.TaskDefinitionArn, RegisteredAt: r.Def.RegisteredAt,
					RegisteredBy: r.Def.RegisteredBy, DeleteRequestedAt: r.Def.DeleteRequestedAt, Status: st}
			}
			return true
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	pg, next, err := pageSorted(keys, in.Sort, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &types.ListDaemonTaskDefinitionsResponse{DaemonTaskDefinitions: make([]types.DaemonTaskDefinitionSummary, len(pg)), NextToken: next}
	for i, k := range pg {
		out.DaemonTaskDefinitions[i] = byKey[k]
	}
	return out, nil
}

// Daemon task definitions' errors: rolecall's wording, after the texts of
// task definitions where there is one.

func errDaemonNoContainers() error {
	return clientException("Container definitions cannot be empty.")
}

// errDescribeDaemonTaskDefinition: as DescribeTaskDefinition answers.
func errDescribeDaemonTaskDefinition() error {
	return clientException("Unable to describe daemon task definition.")
}

func errDaemonTaskDefinitionInvalid() error {
	return clientException("The specified daemon task definition identifier is invalid. Specify a valid family:revision or ARN and try again.")
}

func errDaemonTaskDefinitionMissing() error {
	return clientException("The specified daemon task definition does not exist. Specify a valid family and revision and try again.")
}

// errDaemonTaskDefinitionNotActive: "A daemon task definition must be in
// an ACTIVE state to be deleted" (DeleteDaemonTaskDefinition reference).
func errDaemonTaskDefinitionNotActive() error {
	return clientException("The specified daemon task definition is not ACTIVE.")
}
