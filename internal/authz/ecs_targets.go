package authz

import (
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/ecs/types"
)

// ECS names resources by name, id or ARN; the authorizer evaluates their
// ARNs (the long format: service/CLUSTER/NAME, task/CLUSTER/ID,
// container-instance/CLUSTER/ID), as the ECS developer guide's "Supported
// resource-level permissions" requires. AWS's messages name them by ARN
// ("ecs:CreateCluster on resource: arn:aws:ecs:REGION:ACCOUNT:cluster/NAME",
// "ecs:RunTask on resource: arn:aws:ecs:...:task-definition/NAME:1").

// ecsTypes resolve ECS resource types from the input's members: the plural
// list member, else the singular one, else the create call's name member.
var ecsTypes = map[string]func(rq *reqInfo) ([]target, bool, error){
	"cluster": func(rq *reqInfo) ([]target, bool, error) {
		ids, ok := rq.ecsIDs("Clusters", "Cluster", "ClusterName")
		if !ok {
			return nil, false, nil
		}
		if len(ids) == 0 {
			ids = []string{"default"} // ECS's default cluster
		}
		return rq.ecsTargets("cluster", ids, func(id string) string { return "cluster/" + id })
	},
	"service": func(rq *reqInfo) ([]target, bool, error) {
		ids, ok := rq.ecsIDs("Services", "Service", "ServiceName")
		if !ok || len(ids) == 0 {
			return nil, false, nil
		}
		cl := rq.clusterName()
		return rq.ecsTargets("service", ids, func(id string) string { return "service/" + cl + "/" + id })
	},
	"task": func(rq *reqInfo) ([]target, bool, error) {
		ids, ok := rq.ecsIDs("Tasks", "Task", "")
		if !ok || len(ids) == 0 {
			return nil, false, nil
		}
		cl := rq.clusterName()
		return rq.ecsTargets("task", ids, func(id string) string { return "task/" + cl + "/" + id })
	},
	"container-instance": func(rq *reqInfo) ([]target, bool, error) {
		ids, ok := rq.ecsIDs("ContainerInstances", "ContainerInstance", "")
		if !ok || len(ids) == 0 {
			return nil, false, nil
		}
		cl := rq.clusterName()
		return rq.ecsTargets("container-instance", ids, func(id string) string { return "container-instance/" + cl + "/" + id })
	},
	"capacity-provider": func(rq *reqInfo) ([]target, bool, error) {
		ids, ok := rq.ecsIDs("CapacityProviders", "CapacityProvider", "Name")
		if !ok || len(ids) == 0 {
			return nil, false, nil
		}
		return rq.ecsTargets("capacity-provider", ids, func(id string) string { return "capacity-provider/" + id })
	},
	"task-definition": func(rq *reqInfo) ([]target, bool, error) {
		ids, ok := rq.ecsIDs("TaskDefinitions", "TaskDefinition", "")
		if !ok || len(ids) == 0 {
			return nil, false, nil
		}
		ts := make([]target, 0, len(ids))
		for _, id := range ids {
			a, err := rq.taskDefinitionARN(id)
			if err != nil {
				return nil, false, err
			}
			t, err := rq.ecsTarget("task-definition", a)
			if err != nil {
				return nil, false, err
			}
			ts = append(ts, t)
		}
		return ts, true, nil
	},
}

// ecsIDs reads the plural member, else the singular, else the name
// member; ok is false when the input has none of them.
func (rq *reqInfo) ecsIDs(plural, singular, create string) ([]string, bool) {
	if rq.in.has(plural) {
		return rq.in.strs(plural), true
	}
	if rq.in.has(singular) {
		if v := rq.in.str(singular); v != "" {
			return []string{v}, true
		}
		return nil, true
	}
	if create != "" && rq.in.has(create) {
		if v := rq.in.str(create); v != "" {
			return []string{v}, true
		}
		return nil, true
	}
	return nil, false
}

func (rq *reqInfo) ecsARN(resource string) string {
	return "arn:aws:ecs:" + rq.call.Region + ":" + rq.call.Account + ":" + resource
}

// clusterName is the request's cluster by name: its cluster member, an
// ARN's last part, or "default".
func (rq *reqInfo) clusterName() string {
	c := rq.in.str("Cluster")
	if c == "" {
		return "default"
	}
	if isARN(c) {
		if _, name, ok := strings.Cut(c, ":cluster/"); ok {
			return name
		}
	}
	return c
}

// clusterARN is the request's cluster ARN (ecs:cluster); "" when the
// operation takes no cluster.
func (rq *reqInfo) clusterARN() string {
	if !rq.in.has("Cluster") {
		return ""
	}
	c := rq.in.str("Cluster")
	if isARN(c) {
		return c
	}
	return rq.ecsARN("cluster/" + rq.clusterName())
}

func (rq *reqInfo) ecsTargets(typ string, ids []string, resource func(string) string) ([]target, bool, error) {
	ts := make([]target, 0, len(ids))
	for _, id := range ids {
		a := id
		if !isARN(id) {
			a = rq.ecsARN(resource(id))
		}
		t, err := rq.ecsTarget(typ, a)
		if err != nil {
			return nil, false, err
		}
		ts = append(ts, t)
	}
	return ts, true, nil
}

func (rq *reqInfo) ecsTarget(typ, a string) (target, error) {
	t, err := rq.byARN(a)
	if err != nil {
		return t, err
	}
	if t.typ == "" {
		t.typ = typ
	}
	return t, nil
}

// ecsEntity reads an ECS resource's tags, when some policy reads them.
func (rq *reqInfo) ecsEntity(a string) (*entity, error) {
	if !rq.pe.resourceTags || rq.a.ecs == nil {
		return nil, nil
	}
	c := ecs.Call{Account: rq.call.Account, Region: rq.call.Region}
	return rq.a.entity(entityKey{rq.call.Account, "ecs", a}, func() (*entity, error) {
		out, err := rq.a.ecs.ListTagsForResource(rq.ctx, c, &types.ListTagsForResourceRequest{ResourceArn: a})
		if err != nil {
			if isClientErr(err) {
				return &entity{}, nil // no such resource: no tags
			}
			return nil, err
		}
		e := &entity{exists: true}
		if len(out.Tags) > 0 {
			e.tags = make(map[string]string, len(out.Tags))
			for _, tg := range out.Tags {
				e.tags[tg.Key] = tg.Value
			}
		}
		return e, nil
	})
}

// taskDefinitionARN resolves "family:revision", "family" (its latest
// ACTIVE revision: "If a revision isn't specified, the latest ACTIVE
// revision is used", RunTask reference) or an ARN.
func (rq *reqInfo) taskDefinitionARN(ref string) (string, error) {
	if isARN(ref) {
		return ref, nil
	}
	if strings.Contains(ref, ":") {
		return rq.ecsARN("task-definition/" + ref), nil
	}
	latest, err := rq.latestRevision(ref)
	if err != nil {
		return "", err
	}
	if latest == "" {
		// No such family: the operation answers; authorize on the family.
		return rq.ecsARN("task-definition/" + ref), nil
	}
	return latest, nil
}

// latestRevision is the ARN of a family's latest ACTIVE revision; "" when
// it has none.
func (rq *reqInfo) latestRevision(family string) (string, error) {
	if rq.a.ecs == nil {
		return "", nil
	}
	key := rq.call.Account + "\x00" + rq.call.Region + "\x00" + family
	return rq.a.lookupString(key, func() (string, error) {
		c := ecs.Call{Account: rq.call.Account, Region: rq.call.Region}
		out, err := rq.a.ecs.DescribeTaskDefinition(rq.ctx, c, &types.DescribeTaskDefinitionRequest{TaskDefinition: family})
		if err != nil {
			if isClientErr(err) {
				return "", nil
			}
			return "", err
		}
		if out.TaskDefinition == nil {
			return "", nil
		}
		return out.TaskDefinition.TaskDefinitionArn, nil
	})
}

// registerTaskDefinition: the revision the call would create, the one
// after the family's latest ACTIVE revision (rolecall's reading: AWS does
// not say which revision it authorizes; deregistered later revisions,
// which also count, are not seen here).
func registerTaskDefinition(rq *reqInfo) ([]target, bool, error) {
	family := rq.in.str("Family")
	next := 1
	latest, err := rq.latestRevision(family)
	if err != nil {
		return nil, false, err
	}
	if i := strings.LastIndexByte(latest, ':'); i >= 0 {
		if n, err := strconv.Atoi(latest[i+1:]); err == nil {
			next = n + 1
		}
	}
	a := rq.ecsARN("task-definition/" + family + ":" + strconv.Itoa(next))
	return []target{{arn: a, display: a, typ: "task-definition", e: &entity{}}}, false, nil
}
