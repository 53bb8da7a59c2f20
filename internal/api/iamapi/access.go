package iamapi

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/resolve"
)

// What IAM's operations act on, declared beside their bindings
// (iamapi.go): each resolves to the stored entity (internal/resolve), so
// a name written in another case is authorized as the entity IAM finds.
// The request's own condition keys come from the input, through its keys
// method (keyed).

// keyed is an input that carries condition keys: tags, the policy it
// attaches, the boundary it sets.
type keyed interface{ keys(*authz.Keys) }

// acts is the Access of the target find resolves, with the input's keys.
func acts[In any](find func(ctx context.Context, c *api.Call, in *In) (authz.Target, error)) api.Resolver[In] {
	return func(ctx context.Context, c *api.Call, in *In) (authz.Access, error) {
		t, err := find(ctx, c, in)
		if err != nil {
			return authz.Access{}, err
		}
		acc := authz.Acting(t)
		if k, ok := any(in).(keyed); ok {
			// Keys of their own: &acc.Keys would move acc to the heap
			// for every input, keyed or not.
			var keys authz.Keys
			k.keys(&keys)
			acc.Keys = keys
		}
		return acc, nil
	}
}

// on: the entity find resolves by the name (or, for EntityARN and Policy,
// the ARN) the input gives, in the caller's account.
func on[In any](find func(ctx context.Context, account, name string) (authz.Target, error), name func(*In) string) api.Resolver[In] {
	return acts(func(ctx context.Context, c *api.Call, i *In) (authz.Target, error) {
		return find(ctx, c.Account, name(i))
	})
}

// user: calls that name a user optionally (GetUser, CreateAccessKey,
// ListAccessKeys...) act on the calling user when the name is absent; a
// role session or root acting on "itself" is authorized on its own ARN,
// and the operation answers (ValidationError for non-user credentials).
func user[In any](h *handler, name func(*In) string) api.Resolver[In] {
	return acts(func(ctx context.Context, c *api.Call, in *In) (authz.Target, error) {
		n := name(in)
		if n == "" {
			p := c.Caller()
			if p.Kind != principal.User {
				return authz.Target{ARN: p.ARN}, nil
			}
			n = p.Name
		}
		return h.res.User(ctx, c.Account, n)
	})
}

// created: a create call names the new entity by the ARN it will have.
func created[In any](kind string, path, name func(*In) string) api.Resolver[In] {
	return acts(func(_ context.Context, c *api.Call, in *In) (authz.Target, error) {
		return resolve.New(c.Account, kind, path(in), name(in)), nil
	})
}

// listed: list calls are authorized on the path prefix: "iam:ListRoles on
// resource: arn:aws:iam::ACCOUNT:role/", ".../role/aws-service-role/
// opensearchservice.amazonaws.com/" with a PathPrefix; "iam:ListUsers on
// resource: arn:aws:iam::ACCOUNT:user/" (public reports).
func listed[In any](kind string, prefix func(*In) string) api.Resolver[In] {
	return acts(func(_ context.Context, c *api.Call, in *In) (authz.Target, error) {
		return authz.Target{ARN: "arn:aws:iam::" + c.Account + ":" + kind + pathOr(prefix(in))}, nil
	})
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// renamed: UpdateUser and UpdateGroup need the permission on both the
// entity and what it becomes ("To change a user's name or path, you must
// have the iam:UpdateUser permission on both the source object and the
// target object", IAM User Guide, "Renaming an IAM user").
func renamed[In any](find func(context.Context, string, string) (authz.Target, error), kind string, name, newPath, newName func(*In) string) api.Resolver[In] {
	return func(ctx context.Context, c *api.Call, in *In) (authz.Access, error) {
		t, err := find(ctx, c.Account, name(in))
		if err != nil || (newPath(in) == "" && newName(in) == "") {
			return authz.Acting(t), err
		}
		a, _ := arn.Parse(t.ARN)
		rest := strings.TrimPrefix(a.Resource, kind)
		path, oldName := rest[:strings.LastIndexByte(rest, '/')+1], rest[strings.LastIndexByte(rest, '/')+1:]
		if p := newPath(in); p != "" {
			path = p
		}
		if n := newName(in); n != "" {
			oldName = n
		}
		return authz.Acting(t, resolve.New(c.Account, kind, path, oldName)), nil
	}
}

// Create calls: the new entity, with its tags and boundary.

func (in *createRoleInput) keys(k *authz.Keys) {
	tagKeys(k, in.Tags)
	k.Set("iam:PermissionsBoundary", optional(in.PermissionsBoundary)...)
}

func (in *createUserInput) keys(k *authz.Keys) {
	tagKeys(k, in.Tags)
	k.Set("iam:PermissionsBoundary", optional(in.PermissionsBoundary)...)
}

func (in *createPolicyInput) keys(k *authz.Keys)          { tagKeys(k, in.Tags) }
func (in *createInstanceProfileInput) keys(k *authz.Keys) { tagKeys(k, in.Tags) }

// Tagging.

func (in *tagRoleInput) keys(k *authz.Keys)              { tagKeys(k, in.Tags) }
func (in *tagUserInput) keys(k *authz.Keys)              { tagKeys(k, in.Tags) }
func (in *tagPolicyInput) keys(k *authz.Keys)            { tagKeys(k, in.Tags) }
func (in *tagInstanceProfileInput) keys(k *authz.Keys)   { tagKeys(k, in.Tags) }
func (in *untagRoleInput) keys(k *authz.Keys)            { k.Set("aws:TagKeys", in.TagKeys...) }
func (in *untagUserInput) keys(k *authz.Keys)            { k.Set("aws:TagKeys", in.TagKeys...) }
func (in *untagPolicyInput) keys(k *authz.Keys)          { k.Set("aws:TagKeys", in.TagKeys...) }
func (in *untagInstanceProfileInput) keys(k *authz.Keys) { k.Set("aws:TagKeys", in.TagKeys...) }

// Attaching and bounding: iam:PolicyARN, iam:PermissionsBoundary (the
// boundary being set; the entity's own comes with its target).

func (in *rolePolicyArnInput) keys(k *authz.Keys)  { k.Set("iam:PolicyARN", optional(in.PolicyArn)...) }
func (in *userPolicyArnInput) keys(k *authz.Keys)  { k.Set("iam:PolicyARN", optional(in.PolicyArn)...) }
func (in *groupPolicyArnInput) keys(k *authz.Keys) { k.Set("iam:PolicyARN", optional(in.PolicyArn)...) }
func (in *rolePermissionsBoundaryInput) keys(k *authz.Keys) {
	k.Set("iam:PermissionsBoundary", optional(in.PermissionsBoundary)...)
}
func (in *userPermissionsBoundaryInput) keys(k *authz.Keys) {
	k.Set("iam:PermissionsBoundary", optional(in.PermissionsBoundary)...)
}

func (in *createServiceLinkedRoleInput) keys(k *authz.Keys) {
	k.Set("iam:AWSServiceName", optional(in.AWSServiceName)...)
}

func tagKeys(k *authz.Keys, tags []iam.Tag) {
	for _, t := range tags {
		k.Tag(t.Key, t.Value)
	}
}

func optional(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// serviceLinkedRole: the role the service's catalog entry names, at
// /aws-service-role/PRINCIPAL/ ("iam:CreateServiceLinkedRole on resource:
// arn:aws:iam::ACCOUNT:role/aws-service-role/elasticloadbalancing.amazonaws.com/
// AWSServiceRoleForElasticLoadBalancing", public reports).
func serviceLinkedRole(_ context.Context, c *api.Call, in *createServiceLinkedRoleInput) (authz.Target, error) {
	name := ""
	if ls, ok := catalog.LinkedServiceFor(in.AWSServiceName); ok {
		name = ls.RoleNameWithSuffix(in.CustomSuffix)
	}
	return resolve.New(c.Account, "role", "/aws-service-role/"+in.AWSServiceName+"/", name), nil
}

// deletionTaskRole: the role of a deletion task,
// task/aws-service-role/PRINCIPAL/ROLE/ID.
func (h *handler) deletionTaskRole(ctx context.Context, c *api.Call, in *deletionStatusInput) (authz.Target, error) {
	rest, ok := strings.CutPrefix(in.DeletionTaskId, "task/")
	if !ok {
		return authz.Target{ARN: "arn:aws:iam::" + c.Account + ":role/" + in.DeletionTaskId, Type: "role"}, nil
	}
	if i := strings.LastIndexByte(rest, '/'); i > 0 {
		rest = rest[:i] // the task's UUID
	}
	return authz.Target{ARN: "arn:aws:iam::" + c.Account + ":role/" + rest, Type: "role"}, nil
}

// accessKeyOwner: GetAccessKeyLastUsed is authorized on the key's user. A
// key the account does not have is the operation's to refuse, in its own
// words ("... is not authorized to perform iam:GetAccessKeyLastUsed on
// resource: access key AKIA...", recorded): it is authorized on every user
// of the account, and named as AWS names it.
func (h *handler) accessKeyOwner(ctx context.Context, c *api.Call, in *accessKeyIdInput) (authz.Target, error) {
	k, err := h.svc.LookupAccessKey(ctx, in.AccessKeyId)
	if err != nil && !awserr.IsClient(err) {
		return authz.Target{}, err
	}
	if k == nil || k.Account != c.Account {
		return authz.Target{ARN: "arn:aws:iam::" + c.Account + ":user/*", Display: "access key " + in.AccessKeyId, Type: "user"}, nil
	}
	return h.res.User(ctx, c.Account, k.UserName)
}
