package ecs

import (
	"encoding/json"

	"github.com/rolecall/rolecall/internal/ecs/records"
	"github.com/rolecall/rolecall/internal/ecs/types"
)

// What the ECS domain keeps is written with rolecall's own record shapes
// (internal/ecs/records, frozen with the state format), not with the wire
// shapes it works on, so that regenerating the wire shapes from a newer
// model cannot change the state file. Each record is encoded as itself
// (an alias without these methods) with its wire member shadowed by the
// record shape of the same JSON name.

type (
	clusterAlias  clusterRecord
	providerAlias providerRecord
	instanceAlias instanceRecord
	taskAlias     taskRecord
	serviceAlias  serviceRecord
	taskDefAlias  taskDefRecord
)

type clusterDisk struct {
	clusterAlias
	Cluster records.Cluster
}

func (r clusterRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(clusterDisk{clusterAlias(r), records.Convert[records.Cluster](r.Cluster)})
}

func (r *clusterRecord) UnmarshalJSON(b []byte) error {
	var d clusterDisk
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	*r = clusterRecord(d.clusterAlias)
	r.Cluster = records.Convert[types.Cluster](d.Cluster)
	return nil
}

type providerDisk struct {
	providerAlias
	Provider records.CapacityProvider
}

func (r providerRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(providerDisk{providerAlias(r), records.Convert[records.CapacityProvider](r.Provider)})
}

func (r *providerRecord) UnmarshalJSON(b []byte) error {
	var d providerDisk
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	*r = providerRecord(d.providerAlias)
	r.Provider = records.Convert[types.CapacityProvider](d.Provider)
	return nil
}

type instanceDisk struct {
	instanceAlias
	Instance records.ContainerInstance
}

func (r instanceRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(instanceDisk{instanceAlias(r), records.Convert[records.ContainerInstance](r.Instance)})
}

func (r *instanceRecord) UnmarshalJSON(b []byte) error {
	var d instanceDisk
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	*r = instanceRecord(d.instanceAlias)
	r.Instance = records.Convert[types.ContainerInstance](d.Instance)
	return nil
}

type taskDisk struct {
	taskAlias
	Task records.Task
}

func (r taskRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(taskDisk{taskAlias(r), records.Convert[records.Task](r.Task)})
}

func (r *taskRecord) UnmarshalJSON(b []byte) error {
	var d taskDisk
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	*r = taskRecord(d.taskAlias)
	r.Task = records.Convert[types.Task](d.Task)
	return nil
}

type serviceDisk struct {
	serviceAlias
	Service records.Service
	Events  []records.ServiceEvent `json:",omitempty"`
}

func (r serviceRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(serviceDisk{serviceAlias(r), records.Convert[records.Service](r.Service), records.Convert[[]records.ServiceEvent](r.Events)})
}

func (r *serviceRecord) UnmarshalJSON(b []byte) error {
	var d serviceDisk
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	*r = serviceRecord(d.serviceAlias)
	r.Service = records.Convert[types.Service](d.Service)
	r.Events = records.Convert[[]types.ServiceEvent](d.Events)
	return nil
}

type taskDefDisk struct {
	taskDefAlias
	Def  records.TaskDefinition
	Tags []records.Tag `json:",omitempty"`
}

func (r taskDefRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(taskDefDisk{taskDefAlias(r), records.Convert[records.TaskDefinition](r.Def), records.Convert[[]records.Tag](r.Tags)})
}

func (r *taskDefRecord) UnmarshalJSON(b []byte) error {
	var d taskDefDisk
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	*r = taskDefRecord(d.taskDefAlias)
	r.Def = records.Convert[types.TaskDefinition](d.Def)
	r.Tags = records.Convert[[]types.Tag](d.Tags)
	return nil
}
