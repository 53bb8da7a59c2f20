package resolve

import (
	"context"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/ecs/types"
)

// ECS resolves ECS resources. ECS names them by name, ID or ARN, exactly
// (case counts); the authorizer evaluates their ARNs in the long format
// (service/CLUSTER/NAME, task/CLUSTER/ID, container-instance/CLUSTER/ID),
// as the ECS developer guide's "Supported resource-level permissions"
// requires, and AWS's messages name them by ARN ("ecs:CreateCluster on
// resource: arn:aws:ecs:REGION:ACCOUNT:cluster/NAME", "ecs:RunTask on
// resource: arn:aws:ecs:...:task-definition/NAME:1").
type ECS struct {
	Svc   *ecs.Service
	Cache *Cache
}

// ARN is the ARN of resource in the Call's account and Region.
func ARN(c ecs.Call, resource string) string {
	return "arn:aws:ecs:" + c.Region + ":" + c.Account + ":" + resource
}

// ClusterName is the cluster a request names: its name, an ARN's last
// part, or "default" when it names none.
func ClusterName(ref string) string {
	if ref == "" {
		return "default"
	}
	if _, name, ok := strings.Cut(ref, ":cluster/"); ok && isARN(ref) {
		return name
	}
	return ref
}

// ClusterARN is the ARN of the cluster a request names (ecs:cluster).
func ClusterARN(c ecs.Call, ref string) string {
	if isARN(ref) {
		return ref
	}
	return ARN(c, "cluster/"+ClusterName(ref))
}

// Cluster is the cluster ref names ("" for the default cluster).
func (r ECS) Cluster(ctx context.Context, c ecs.Call, ref string) (authz.Target, error) {
	return r.target(ctx, c, "cluster", ClusterARN(c, ref))
}

// InCluster is a service, task or container instance (kind) of cluster,
// named by name, ID or ARN: the long ARN of what the operation finds
// (ecs.MemberARN), or, for a reference it finds nothing by, the ARN as
// given or formed.
func (r ECS) InCluster(ctx context.Context, c ecs.Call, kind, cluster, ref string) (authz.Target, error) {
	a, ok := ecs.MemberARN(c, kind, cluster, ref)
	return r.target(ctx, c, kind, found(c, a, ok, ref, kind+"/"+ClusterName(cluster)+"/"+ref))
}

// found is the ARN a of what the operations find by ref (ok), or, when
// they find nothing, ref if it is an ARN, else the ARN of resource.
func found(c ecs.Call, a string, ok bool, ref, resource string) string {
	switch {
	case ok:
		return a
	case isARN(ref):
		return ref
	}
	return ARN(c, resource)
}

// TaskSet is a task set of a service of cluster, named by ID or ARN: the
// ARN of what the operations find (ecs.TaskSetARN), or, for a reference
// they find nothing by, the ARN as given or formed.
func (r ECS) TaskSet(ctx context.Context, c ecs.Call, cluster, service, ref string) (authz.Target, error) {
	a, ok := ecs.TaskSetARN(c, cluster, service, ref)
	return r.target(ctx, c, "task-set", found(c, a, ok, ref, "task-set/"+ClusterName(cluster)+"/"+service+"/"+ref))
}

// CapacityProvider is the capacity provider ref names.
func (r ECS) CapacityProvider(ctx context.Context, c ecs.Call, ref string) (authz.Target, error) {
	return r.target(ctx, c, "capacity-provider", CapacityProviderARN(c, ref))
}

// CapacityProviderARN is the ARN of a capacity provider named by name or
// ARN (ecs:capacity-provider).
func CapacityProviderARN(c ecs.Call, ref string) string {
	if isARN(ref) {
		return ref
	}
	return ARN(c, "capacity-provider/"+ref)
}

// TaskDefinition is the task definition ref names: "family:revision", an
// ARN, or "family", its latest ACTIVE revision ("If a revision isn't
// specified, the latest ACTIVE revision is used", RunTask reference).
func (r ECS) TaskDefinition(ctx context.Context, c ecs.Call, ref string) (authz.Target, error) {
	a, err := r.TaskDefinitionARN(ctx, c, ref)
	if err != nil {
		return authz.Target{}, err
	}
	return r.target(ctx, c, "task-definition", a)
}

// TaskDefinitionARN is the ARN of the task definition ref names
// (ecs:task-definition), as the operations find it: the revision stored
// for "family:revision" or an ARN ("web:01" is web:1), the latest ACTIVE
// revision for a family alone or an ARN without a revision. A reference to
// nothing stored is named as given (or formed from the family), and the
// operation answers.
func (r ECS) TaskDefinitionARN(ctx context.Context, c ecs.Call, ref string) (string, error) {
	stored, err := r.storedTaskDefinition(ctx, c, ref)
	if err != nil || stored != "" {
		return stored, err
	}
	if isARN(ref) {
		return ref, nil
	}
	return ARN(c, "task-definition/"+ref), nil
}

// NextTaskDefinition is the revision RegisterTaskDefinition would create:
// the one after the family's latest ACTIVE revision (rolecall's reading:
// AWS does not say which revision it authorizes; deregistered later
// revisions, which also count, are not seen here).
func (r ECS) NextTaskDefinition(ctx context.Context, c ecs.Call, family string) (authz.Target, error) {
	latest, err := r.storedTaskDefinition(ctx, c, family)
	if err != nil {
		return authz.Target{}, err
	}
	next := 1
	if i := strings.LastIndexByte(latest, ':'); i >= 0 {
		if n, err := strconv.Atoi(latest[i+1:]); err == nil {
			next = n + 1
		}
	}
	return authz.Target{ARN: ARN(c, "task-definition/"+family+":"+strconv.Itoa(next)), Type: "task-definition"}, nil
}

// ByARN is a resource an operation names by ARN (TagResource,
// ListTagsForResource): its type is the one the action's reference entry
// matches.
func (r ECS) ByARN(ctx context.Context, c ecs.Call, action, s string) (authz.Target, error) {
	typ := ""
	if info, ok := actions.Action("ecs", action); ok {
		if rt, ok := info.MatchResourceType(s); ok {
			typ = rt.Name
		}
	}
	return r.target(ctx, c, typ, s)
}

// target is the resource at ARN a (of type typ), with its tags when it is
// in the Call's account and Region; a resource of another account is that
// account's.
func (r ECS) target(ctx context.Context, c ecs.Call, typ, a string) (authz.Target, error) {
	t := authz.Target{ARN: a, Type: typ}
	if p, err := arn.Parse(a); err == nil && p.Account != "" && p.Account != c.Account {
		t.Account = p.Account
		return t, nil
	}
	tags, err := get(r.Cache, "ecs\x00"+c.Account+"\x00"+c.Region+"\x00"+a, func() (map[string]string, error) {
		return r.Svc.ResourceTags(ctx, c, a)
	})
	t.Tags = tags
	return t, err
}

// storedTaskDefinition is the ARN of the revision ref finds (for a family
// alone, its latest ACTIVE revision); "" when it finds none.
func (r ECS) storedTaskDefinition(ctx context.Context, c ecs.Call, ref string) (string, error) {
	return get(r.Cache, "ecs-td\x00"+c.Account+"\x00"+c.Region+"\x00"+ref, func() (string, error) {
		out, err := r.Svc.DescribeTaskDefinition(ctx, c, &types.DescribeTaskDefinitionRequest{TaskDefinition: ref})
		if awserr.IsClient(err) || (err == nil && out.TaskDefinition == nil) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return out.TaskDefinition.TaskDefinitionArn, nil
	})
}

func isARN(s string) bool { return strings.HasPrefix(s, "arn:") }
