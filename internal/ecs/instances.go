package ecs

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/store"
)

// instanceRecord is a container instance as the store keeps it. Its task
// counts and remaining resources are computed when it is read.
type instanceRecord struct {
	Instance types.ContainerInstance
	// RoleArn is the role of the credentials it last registered with: the
	// container instance role (InstanceRole).
	RoleArn string `json:",omitempty"`
	// EC2: it registered with a rolecall EC2 instance's role credentials;
	// only that instance's may register it again.
	EC2 bool `json:",omitempty"`
	// Managed: ECS launched its EC2 instance for the Managed Instances
	// capacity provider Instance.CapacityProviderName, registered it, and
	// terminates it when it is idle (managed.go). OneTask: it was sized
	// for one task (the provider names no instance requirements).
	// HostTerminated: ECS terminated its EC2 instance.
	Managed        bool `json:",omitempty"`
	OneTask        bool `json:",omitempty"`
	HostTerminated bool `json:",omitempty"`
	// AgentUpdateAt is when UpdateContainerAgent last asked its agent to
	// update (agentUpdating).
	AgentUpdateAt *time.Time `json:",omitempty"`
	// InstanceType is the EC2 instance type it first registered as, and
	// Trunk the ID of the trunk network interface ECS gave it then, if
	// any (enis.go): kept here, as attributes anyone may put are not.
	InstanceType string `json:",omitempty"`
	Trunk        string `json:",omitempty"`
}

func instanceKey(c Call, cluster, id string) string { return clusterKey(c, cluster) + "/" + id }

// instanceARNFor is the ARN a container instance reference names in
// cluster, for failures and filters.
func instanceARNFor(c Call, cluster, id string) string {
	if isARN(id) {
		return id
	}
	return ecsARN(c, "container-instance/"+cluster+"/"+id)
}

func loadInstance(tx store.Tx, c Call, cluster, id string) (*instanceRecord, error) {
	iid, ok := clusterMemberID(c, cluster, id, "container-instance")
	if !ok {
		return nil, nil
	}
	var r instanceRecord
	found, err := getJSON(tx, bucketInstances, instanceKey(c, cluster, iid), &r)
	if err != nil || !found {
		return nil, err
	}
	return &r, nil
}

// defaultResources are what an instance registers when the agent reports
// none: a small instance's CPU and memory, and the ports the agent and
// Docker hold.
func defaultResources() []types.Resource {
	return []types.Resource{
		{Name: "CPU", Type: "INTEGER", IntegerValue: 2048},
		{Name: "MEMORY", Type: "INTEGER", IntegerValue: 3943},
		{Name: "PORTS", Type: "STRINGSET", StringSetValue: []string{"22", "2375", "2376", "51678", "51679"}},
		{Name: "PORTS_UDP", Type: "STRINGSET", StringSetValue: []string{}},
	}
}

// defaultVersionInfo is the agent's version when it reports none.
func defaultVersionInfo() *types.VersionInfo {
	return &types.VersionInfo{AgentVersion: latestAgentVersion, AgentHash: "rolecall", DockerVersion: "DockerVersion: 25.0.8"}
}

// RegisterContainerInstance registers an EC2 instance with a cluster, as
// the ECS agent does when it starts. An unknown cluster is a
// ClientException here (aws/amazon-ecs-agent #750). The instance keeps its
// ID across registrations of the same EC2 instance.
//
// The agent calls with the credentials of the instance role of the
// instance's profile; authorization of the call (internal/authz) is what
// requires the instance role's policies to allow
// ecs:RegisterContainerInstance (integration/ecs_roles_test.go). Signed
// with a rolecall EC2 instance's role credentials, the registration is
// that instance's (ec2instance.go); the role is remembered either way.
func (s *Service) RegisterContainerInstance(ctx context.Context, c Call, in *types.RegisterContainerInstanceRequest) (*types.RegisterContainerInstanceResponse, error) {
	var doc struct {
		InstanceID       string `json:"instanceId"`
		AvailabilityZone string `json:"availabilityZone"`
	}
	if in.InstanceIdentityDocument != "" {
		if err := json.Unmarshal([]byte(in.InstanceIdentityDocument), &doc); err != nil {
			// rolecall's wording.
			return nil, clientException("The instance identity document is not valid JSON.")
		}
	}
	caller, err := s.callerInstance(ctx, c)
	if err != nil {
		return nil, err
	}
	if caller != "" && doc.InstanceID != "" && doc.InstanceID != caller {
		return nil, errIdentityMismatch(doc.InstanceID, caller)
	}
	if caller == "" {
		if theirs, err := s.isEC2Instance(ctx, c.Account, doc.InstanceID); err != nil {
			return nil, err
		} else if theirs {
			return nil, errNotTheInstance(doc.InstanceID)
		}
	}
	// ECS gives a trunk network interface through AWSServiceRoleForECS
	// (trunkFor): whether the account has it is known before the write,
	// its use recorded after.
	hasSLR := false
	if trunkable(instanceTypeOf(in.Attributes)) {
		if hasSLR, err = s.roles.ServiceLinkedRoleExists(ctx, c.Account, PrincipalECS); err != nil {
			return nil, err
		}
	}
	now := s.now()
	newID, ec2ID := s.hexID(), doc.InstanceID
	if caller != "" {
		ec2ID = caller
	}
	if ec2ID == "" {
		ec2ID = "i-" + s.hexID()[:17]
	}
	var out types.ContainerInstance
	var trunk, failed string // the new trunk network interface, or why there is none
	err = s.update(ctx, c, func(tx store.Tx) error {
		trunk, failed = "", ""
		cl, err := loadCluster(tx, c, in.Cluster)
		if err != nil {
			return err
		}
		if cl == nil || cl.Cluster.Status != statusActive {
			return errClusterNotFoundAgent()
		}
		name := cl.Cluster.ClusterName
		var cur *instanceRecord
		if in.ContainerInstanceArn != "" {
			if cur, err = loadInstance(tx, c, name, in.ContainerInstanceArn); err != nil {
				return err
			}
		}
		if cur == nil {
			if err := scanJSON(tx, bucketInstances, clusterKey(c, name)+"/", func(_ string, ir *instanceRecord) bool {
				if ir.Instance.Ec2InstanceId == ec2ID && ir.Instance.Status != statusInactive {
					cur = ir
				}
				return cur == nil
			}); err != nil {
				return err
			}
		}
		if cur != nil && cur.EC2 && cur.Instance.Ec2InstanceId != caller {
			return errNotTheInstance(cur.Instance.Ec2InstanceId)
		}
		r := cur
		if r == nil {
			r = &instanceRecord{Instance: types.ContainerInstance{
				ContainerInstanceArn: ecsARN(c, "container-instance/"+name+"/"+newID),
				Ec2InstanceId:        ec2ID,
				RegisteredAt:         &now,
				Tags:                 in.Tags,
			}, InstanceType: instanceTypeOf(in.Attributes)}
			if failed, err = s.trunkFor(tx, c, r, hasSLR); err != nil {
				return err
			}
			trunk = r.Trunk
		} else if cur.Instance.Status == statusRegistrationFailed {
			// It stays failed until it is deregistered or terminated
			// (trunkFor).
			out = s.instanceView(tx, c, name, r, true)
			return nil
		}
		r.RoleArn, r.EC2, r.AgentUpdateAt = c.Caller().RoleARN, caller != "", nil
		ci := &r.Instance
		ci.Status, ci.AgentConnected, ci.Version = statusActive, true, ci.Version+1
		if failed != "" {
			ci.Status, ci.StatusReason = statusRegistrationFailed, failed
		}
		ci.RegisteredResources = in.TotalResources
		if len(ci.RegisteredResources) == 0 {
			ci.RegisteredResources = defaultResources()
		}
		ci.VersionInfo = in.VersionInfo
		if ci.VersionInfo == nil {
			ci.VersionInfo = defaultVersionInfo()
		}
		ci.Attributes = registeredAttributes(in.Attributes, cur, r.Trunk, doc.AvailabilityZone)
		id := ci.ContainerInstanceArn[strings.LastIndexByte(ci.ContainerInstanceArn, '/')+1:]
		if err := putJSON(tx, bucketInstances, instanceKey(c, name, id), r); err != nil {
			return err
		}
		out = s.instanceView(tx, c, name, r, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if trunk != "" {
		if err := s.roles.LinkedRoleUsed(ctx, c, PrincipalECS, ecsroles.TrunkNeeds(envOf(c), trunk, "container instance "+out.Ec2InstanceId)...); err != nil {
			return nil, err
		}
	}
	return &types.RegisterContainerInstanceResponse{ContainerInstance: &out}, nil
}

// statusRegistrationFailed: ECS could not provision the trunk network
// interface (trunkFor).
const statusRegistrationFailed = ecsroles.StatusRegistrationFailed

// trunkFor gives a container instance registering for the first time its
// trunk network interface when the registering principal's awsvpcTrunking
// setting is enabled and its instance type supports trunking. ECS
// provisions it through AWSServiceRoleForECS, which "must be created"
// first; "If the registration fails, the instance transitions to a
// REGISTRATION_FAILED status" with a statusReason, and "can be manually
// deregistered or terminated"
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-eni.html).
// AWS documents no statusReason for a missing role: rolecall gives the
// text ECS answers for it elsewhere (errNoSLR). AWS shows REGISTERING
// while it provisions; rolecall answers the outcome at once.
func (s *Service) trunkFor(tx store.Tx, c Call, r *instanceRecord, hasSLR bool) (failed string, err error) {
	if !trunkable(r.InstanceType) {
		return "", nil
	}
	trunking, err := callerSetting(tx, c, "awsvpcTrunking")
	if err != nil || trunking != "enabled" {
		return "", err
	}
	if !hasSLR {
		return awserr.As(errNoSLR()).Message, nil
	}
	r.Trunk = "eni-" + s.hexID()[:17]
	return "", nil
}

// registeredAttributes are a container instance's attributes as it
// registers: those of ECS and its agent as reported now (its trunk
// network interface ECS's own), and the custom ones it first registered
// with, or was given since: custom attributes of a registration "take
// effect only during initial registration. After the agent has joined an
// ECS cluster, use the PutAttributes API action to add additional
// attributes" (aws/amazon-ecs-agent #740, #742), so registering again
// keeps them. cur is the instance registered before, if any.
func registeredAttributes(reported []types.Attribute, cur *instanceRecord, trunk, zone string) []types.Attribute {
	out := []types.Attribute{}
	for _, a := range reported {
		if a.Name != attrTrunk && (cur == nil || !custom(a)) {
			out = append(out, a)
		}
	}
	if cur != nil {
		for _, a := range cur.Instance.Attributes {
			if custom(a) {
				out = append(out, a)
			}
		}
	}
	has := func(name string) bool {
		return slices.ContainsFunc(out, func(a types.Attribute) bool { return a.Name == name })
	}
	if !has("ecs.os-type") {
		out = append(out, types.Attribute{Name: "ecs.os-type", Value: "linux"})
	}
	if zone != "" && !has("ecs.availability-zone") {
		out = append(out, types.Attribute{Name: "ecs.availability-zone", Value: zone})
	}
	if trunk != "" {
		out = append(out, types.Attribute{Name: attrTrunk, Value: trunk})
	}
	return out
}

// instanceView is the instance as ECS answers it now: its running and
// pending tasks counted, their reservations taken from its resources.
func (s *Service) instanceView(tx store.Tx, c Call, cluster string, r *instanceRecord, withTags bool) types.ContainerInstance {
	out := r.Instance
	if withTags {
		out.Tags = nonNil(out.Tags)
	} else {
		out.Tags = nil
	}
	out.Attachments = nonNil(out.Attachments)
	now, tm := s.now(), s.phases()
	if st := r.agentUpdating(now, tm); st != "" {
		out.AgentUpdateStatus = st
		if st == "UPDATED" && out.VersionInfo != nil {
			v := *out.VersionInfo
			v.AgentVersion = latestAgentVersion
			out.VersionInfo = &v
		}
	}
	var cpu, mem int32
	scanJSON(tx, bucketTasks, clusterKey(c, cluster)+"/", func(_ string, tr *taskRecord) bool {
		if tr.Task.ContainerInstanceArn != out.ContainerInstanceArn || !tr.active(now, tm) {
			return true
		}
		switch tr.view(now, tm).LastStatus {
		case "RUNNING":
			out.RunningTasksCount++
		case "PROVISIONING", "PENDING", "ACTIVATING":
			out.PendingTasksCount++
		}
		cpu += tr.ReservedCPU
		mem += tr.ReservedMemory
		return true
	})
	out.RemainingResources = make([]types.Resource, len(out.RegisteredResources))
	for i, res := range out.RegisteredResources {
		switch res.Name {
		case "CPU":
			res.IntegerValue -= cpu
		case "MEMORY":
			res.IntegerValue -= mem
		}
		res.StringSetValue = slices.Clone(res.StringSetValue)
		out.RemainingResources[i] = res
	}
	return out
}

// DeregisterContainerInstance deregisters an instance (INACTIVE). With
// tasks on it, force is needed; their records go, as ECS stops tracking
// them ("they're orphaned (no longer monitored or accounted for by Amazon
// ECS)", DeregisterContainerInstance reference).
func (s *Service) DeregisterContainerInstance(ctx context.Context, c Call, in *types.DeregisterContainerInstanceRequest) (*types.DeregisterContainerInstanceResponse, error) {
	now, tm := s.now(), s.phases()
	force := in.Force != nil && *in.Force
	var out types.ContainerInstance
	var retired *instanceRecord
	var cluster string
	err := s.update(ctx, c, func(tx store.Tx) error {
		retired = nil
		cl, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		name := cl.Cluster.ClusterName
		cluster = name
		r, err := loadInstance(tx, c, name, in.ContainerInstance)
		if err != nil {
			return err
		}
		if r == nil || r.Instance.Status == statusInactive {
			return errContainerInstanceNotFound()
		}
		var orphans []string
		if err := scanJSON(tx, bucketTasks, clusterKey(c, name)+"/", func(key string, tr *taskRecord) bool {
			if tr.Task.ContainerInstanceArn == r.Instance.ContainerInstanceArn && tr.active(now, tm) {
				orphans = append(orphans, key)
			}
			return true
		}); err != nil {
			return err
		}
		if len(orphans) > 0 && !force {
			return errRunningTasksOnInstance()
		}
		for _, k := range orphans {
			if err := tx.Delete(bucketTasks, k); err != nil {
				return err
			}
		}
		deregister(r)
		id := r.Instance.ContainerInstanceArn[strings.LastIndexByte(r.Instance.ContainerInstanceArn, '/')+1:]
		if err := putJSON(tx, bucketInstances, instanceKey(c, name, id), r); err != nil {
			return err
		}
		if r.Managed && !r.HostTerminated {
			retired = r
		}
		out = s.instanceView(tx, c, name, r, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// ECS terminates the EC2 instance of a Managed Instances container
	// instance that leaves the cluster: it manages the instance for the
	// cluster only (rolecall's reading; unverified).
	if retired != nil {
		if err := s.retire(ctx, c, cluster, []*instanceRecord{retired}); err != nil {
			return nil, err
		}
	}
	return &types.DeregisterContainerInstanceResponse{ContainerInstance: &out}, nil
}

// ListContainerInstances lists a cluster's container instances of a status
// (all but INACTIVE by default) that the filter (cluster query language)
// selects, once the idle Managed Instances ones are gone (scaleIn).
func (s *Service) ListContainerInstances(ctx context.Context, c Call, in *types.ListContainerInstancesRequest) (*types.ListContainerInstancesResponse, error) {
	filter := func(*host) bool { return true }
	if in.Filter != "" {
		q, ok := parseQuery(in.Filter)
		if !ok {
			return nil, errQueryExpression(in.Filter)
		}
		filter = q
	}
	if err := s.scaleIn(ctx, c, in.Cluster); err != nil {
		return nil, err
	}
	now, tm := s.now(), s.phases()
	var arns []string
	err := s.view(ctx, c, func(tx store.Tx) error {
		arns = nil
		cl, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		hosts, err := hostsOf(tx, c, cl.Cluster.ClusterName, now, tm)
		for arn, h := range hosts {
			st := h.rec.Instance.Status
			if ((in.Status == "" && st != statusInactive) || st == in.Status) && filter(h) {
				arns = append(arns, arn)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	pg, next, err := page(arns, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return &types.ListContainerInstancesResponse{ContainerInstanceArns: pg, NextToken: next}, nil
}

// DescribeContainerInstances describes instances by ID or ARN; unknown ones
// are failures with reason MISSING. Idle Managed Instances ones are
// deregistered first (scaleIn).
func (s *Service) DescribeContainerInstances(ctx context.Context, c Call, in *types.DescribeContainerInstancesRequest) (*types.DescribeContainerInstancesResponse, error) {
	if err := s.scaleIn(ctx, c, in.Cluster); err != nil {
		return nil, err
	}
	withTags := slices.Contains(in.Include, "TAGS")
	out := &types.DescribeContainerInstancesResponse{}
	err := s.view(ctx, c, func(tx store.Tx) error {
		out.ContainerInstances, out.Failures = []types.ContainerInstance{}, []types.Failure{}
		cl, err := loadCluster(tx, c, in.Cluster)
		if err != nil {
			return err
		}
		if cl == nil {
			return errClusterNotFound()
		}
		name := cl.Cluster.ClusterName
		for _, id := range in.ContainerInstances {
			r, err := loadInstance(tx, c, name, id)
			if err != nil {
				return err
			}
			if r == nil {
				out.Failures = append(out.Failures, types.Failure{Arn: instanceARNFor(c, name, id), Reason: "MISSING"})
				continue
			}
			out.ContainerInstances = append(out.ContainerInstances, s.instanceView(tx, c, name, r, withTags))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
