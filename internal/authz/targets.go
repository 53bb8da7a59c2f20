package authz

import (
	"context"
	"errors"
	"strings"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/iam"
)

// reqInfo is one operation being authorized.
type reqInfo struct {
	a       *Authorizer
	ctx     context.Context
	call    *api.Call
	p       *auth.Principal
	pe      *principalEntry
	service string
	op      string
	action  string
	info    actions.ActionInfo
	known   bool // the action is in the reference
	in      inputOf
	meta    *Meta
}

// target is one resource an action is authorized on.
type target struct {
	arn string // evaluated: the resource's ARN, or "*"
	// display is how AWS's AccessDenied message names it: IAM says "role
	// NAME" for its existing entities, ECS and create calls the ARN.
	display string
	account string // the resource's account when it is not the caller's
	typ     string // resource type ("role"); "" for "*"
	e       *entity
	// ecsCluster is the cluster ARN an ECS resource lives in (ecs:cluster).
	ecsCluster string
}

var anyResource = target{arn: "*", display: "*"}

// override resolves the targets of operations whose resource does not
// follow from their resource type and the input's name member.
type override func(rq *reqInfo) ([]target, bool, error)

// overrides are per operation; everything else is resolved from the
// reference's resource types (iamTypes, ecsTypes).
var overrides map[string]override

func init() {
	overrides = map[string]override{
		// Create calls name the new entity by the ARN it will have, path
		// included (aws-facts.md: "IAM CreateRole denied ... on resource:
		// arn:aws:iam::ACCOUNT:role/NAME"; AWS's DAX guide shows
		// ".../role/service-role/roleName").
		"iam:CreateRole":            createEntity("role", "RoleName"),
		"iam:CreateUser":            createEntity("user", "UserName"),
		"iam:CreateGroup":           createEntity("group", "GroupName"),
		"iam:CreateInstanceProfile": createEntity("instance-profile", "InstanceProfileName"),
		// ... but a new policy by name: "iam:CreatePolicy on resource:
		// policy NAME" (public reports, 2023-2025).
		"iam:CreatePolicy":            createPolicy,
		"iam:CreateServiceLinkedRole": createServiceLinkedRole,
		// List calls are authorized on the path prefix: "iam:ListRoles on
		// resource: arn:aws:iam::ACCOUNT:role/", ".../role/aws-service-role/
		// opensearchservice.amazonaws.com/" with a PathPrefix; "iam:ListUsers
		// on resource: arn:aws:iam::ACCOUNT:user/"; "iam:ListPolicies on
		// resource: policy path /" (public reports).
		"iam:ListRoles":            listByPath("role"),
		"iam:ListUsers":            listByPath("user"),
		"iam:ListGroups":           listByPath("group"),
		"iam:ListInstanceProfiles": listByPath("instance-profile"),
		"iam:ListPolicies":         listPolicies,
		// The role of a deletion task: task/aws-service-role/PRINCIPAL/ROLE/ID.
		"iam:GetServiceLinkedRoleDeletionStatus": deletionTaskRole,
		"iam:GetAccessKeyLastUsed":               accessKeyOwner,
		// Task definitions are registered as their next revision.
		"ecs:RegisterTaskDefinition": registerTaskDefinition,
	}
}

// targets resolves what the operation acts on. skip reports that the
// operation itself answers for its authorization (an access key that does
// not exist: GetAccessKeyLastUsed answers AWS's own AccessDenied).
func (rq *reqInfo) targets() (ts []target, skip bool, err error) {
	if o, ok := overrides[rq.action]; ok {
		return o(rq)
	}
	if !rq.known || len(rq.info.ResourceTypes) == 0 {
		return []target{anyResource}, false, nil
	}
	// Operations that name their resource by ARN (TagResource,
	// SimulatePrincipalPolicy, GenerateServiceLastAccessedDetails...).
	for _, f := range [...]string{"ResourceArn", "Arn", "PolicySourceArn"} {
		if v := rq.in.str(f); v != "" {
			t, err := rq.byARN(v)
			return []target{t}, false, err
		}
	}
	builders := iamTypes
	if rq.service == "ecs" {
		builders = ecsTypes
	}
	for _, rt := range rq.info.ResourceTypes {
		b, ok := builders[rt.Name]
		if !ok {
			continue
		}
		ts, ok, err := b(rq)
		if err != nil {
			return nil, false, err
		}
		if ok {
			return ts, false, nil
		}
	}
	return []target{anyResource}, false, nil
}

// byARN is a target named by its ARN.
func (rq *reqInfo) byARN(s string) (target, error) {
	a, err := arn.Parse(s)
	if err != nil {
		// Not an ARN: the operation answers its own validation error; the
		// request is authorized on what it names.
		return target{arn: s, display: s}, nil
	}
	t := target{arn: s, display: s}
	if a.Account != "" && a.Account != rq.call.Account && a.Service != "iam" {
		t.account = a.Account
	}
	if rt, ok := rq.info.MatchResourceType(s); ok {
		t.typ = rt.Name
	}
	switch a.Service {
	case "iam":
		kind, rest, _ := strings.Cut(a.Resource, "/")
		name := rest[strings.LastIndexByte(rest, '/')+1:]
		if kind == "policy" {
			name = s
		}
		if a.Account == rq.call.Account || kind == "policy" {
			t.e, err = rq.iamEntity(kind, name)
		}
	case "ecs":
		t.e, err = rq.ecsEntity(s)
	}
	return t, err
}

// iamTypes resolve IAM resource types from the input's name members. ok
// is false when the input has no such member.
var iamTypes = map[string]func(rq *reqInfo) ([]target, bool, error){
	"role":             iamNamed("role", "RoleName", "role "),
	"user":             iamUser,
	"group":            iamNamed("group", "GroupName", "group "),
	"instance-profile": iamNamed("instance-profile", "InstanceProfileName", "instance profile "),
	"policy":           iamPolicy,
}

// iamNamed: an existing entity named by a member. IAM's messages name it
// by kind and name: "iam:GetRole on resource: role NAME", "iam:GetGroup on
// resource: group NAME", "iam:GetInstanceProfile on resource: instance
// profile NAME" (aws-facts.md; public reports).
func iamNamed(kind, member, label string) func(rq *reqInfo) ([]target, bool, error) {
	return func(rq *reqInfo) ([]target, bool, error) {
		if !rq.in.has(member) {
			return nil, false, nil
		}
		name := rq.in.str(member)
		t, err := rq.iamTarget(kind, name, label+name)
		return []target{t}, true, err
	}
}

// iamUser: a user named by UserName; calls that take it optionally
// (GetUser, CreateAccessKey, ListAccessKeys...) act on the caller when it
// is absent. "iam:GetUser on resource: user NAME".
func iamUser(rq *reqInfo) ([]target, bool, error) {
	if !rq.in.has("UserName") {
		return nil, false, nil
	}
	name := rq.in.str("UserName")
	if name == "" {
		if rq.p.Kind != auth.User {
			// A session or root acting on "itself": the operation
			// answers (AWS: ValidationError for non-user credentials).
			return []target{{arn: rq.p.ARN, display: rq.p.ARN}}, true, nil
		}
		name = rq.p.Name
	}
	t, err := rq.iamTarget("user", name, "user "+name)
	return []target{t}, true, err
}

// iamPolicy: a managed policy by PolicyArn. "iam:GetPolicy on resource:
// policy arn:aws:iam::aws:policy/NAME" (public reports).
func iamPolicy(rq *reqInfo) ([]target, bool, error) {
	if !rq.in.has("PolicyArn") {
		return nil, false, nil
	}
	pa := rq.in.str("PolicyArn")
	t := target{arn: pa, display: "policy " + pa, typ: "policy"}
	var err error
	if rq.pe.resourceTags {
		t.e, err = rq.iamEntity("policy", pa)
	}
	return []target{t}, true, err
}

// iamTarget is an existing IAM entity: its ARN with its real path (an
// entity that does not exist is authorized on its name at the root path).
func (rq *reqInfo) iamTarget(kind, name, display string) (target, error) {
	e, err := rq.iamEntity(kind, name)
	if err != nil {
		return target{}, err
	}
	return target{arn: arn.IAM(rq.call.Account, kind, e.path, name), display: display, typ: kind, e: e}, nil
}

// iamEntity reads an entity's path, tags and boundary.
func (rq *reqInfo) iamEntity(kind, name string) (*entity, error) {
	account := rq.call.Account
	a := rq.a
	if a.iam == nil {
		return &entity{path: "/"}, nil
	}
	return a.entity(entityKey{account, kind, strings.ToLower(name)}, func() (*entity, error) {
		e := &entity{path: "/"}
		var err error
		switch kind {
		case "role":
			var r *iam.Role
			if r, err = a.iam.GetRole(rq.ctx, account, name); err == nil {
				e.exists, e.path, e.tags, e.boundary = true, r.Path, tagMap(r.Tags), boundaryArn(r.PermissionsBoundary)
			}
		case "user":
			var u *iam.User
			if u, err = a.iam.GetUser(rq.ctx, account, name); err == nil {
				e.exists, e.path, e.tags, e.boundary = true, u.Path, tagMap(u.Tags), boundaryArn(u.PermissionsBoundary)
			}
		case "group":
			var g *iam.Group
			if g, _, _, err = a.iam.GetGroup(rq.ctx, account, name, iam.Page{MaxItems: 1}); err == nil {
				e.exists, e.path = true, g.Path
			}
		case "instance-profile":
			var ip *iam.InstanceProfile
			if ip, err = a.iam.GetInstanceProfile(rq.ctx, account, name); err == nil {
				e.exists, e.path, e.tags = true, ip.Path, tagMap(ip.Tags)
			}
		case "policy":
			var p *iam.Policy
			if p, err = a.iam.GetPolicy(rq.ctx, account, name); err == nil {
				e.exists, e.path, e.tags = true, p.Path, tagMap(p.Tags)
			}
		}
		if err != nil && isClientErr(err) {
			err = nil // no such entity: authorized on its name
		}
		return e, err
	})
}

func isClientErr(err error) bool {
	var e *awserr.Error
	return errors.As(err, &e) && e.Status < 500
}

func tagMap(ts []iam.Tag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

func boundaryArn(b *iam.AttachedPermissionsBoundary) string {
	if b == nil {
		return ""
	}
	return b.PermissionsBoundaryArn
}

func normPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func createEntity(kind, member string) override {
	return func(rq *reqInfo) ([]target, bool, error) {
		a := arn.IAM(rq.call.Account, kind, normPath(rq.in.str("Path")), rq.in.str(member))
		return []target{{arn: a, display: a, typ: kind, e: &entity{}}}, false, nil
	}
}

func createPolicy(rq *reqInfo) ([]target, bool, error) {
	name := rq.in.str("PolicyName")
	a := arn.IAM(rq.call.Account, "policy", normPath(rq.in.str("Path")), name)
	return []target{{arn: a, display: "policy " + name, typ: "policy", e: &entity{}}}, false, nil
}

// createServiceLinkedRole: the role the service's catalog entry names, at
// /aws-service-role/PRINCIPAL/ ("iam:CreateServiceLinkedRole on resource:
// arn:aws:iam::ACCOUNT:role/aws-service-role/elasticloadbalancing.amazonaws.com/
// AWSServiceRoleForElasticLoadBalancing", public reports).
func createServiceLinkedRole(rq *reqInfo) ([]target, bool, error) {
	t := slrTarget(rq.call.Account, rq.in.str("AWSServiceName"), rq.in.str("CustomSuffix"))
	return []target{t}, false, nil
}

func slrTarget(account, principal, suffix string) target {
	name := ""
	if ls, ok := catalog.LinkedServiceFor(principal); ok {
		name = ls.RoleNameWithSuffix(suffix)
	}
	a := arn.IAM(account, "role", "/aws-service-role/"+principal+"/", name)
	return target{arn: a, display: a, typ: "role", e: &entity{}}
}

func listByPath(kind string) override {
	return func(rq *reqInfo) ([]target, bool, error) {
		a := "arn:aws:iam::" + rq.call.Account + ":" + kind + normPath(rq.in.str("PathPrefix"))
		return []target{{arn: a, display: a}}, false, nil
	}
}

func listPolicies(rq *reqInfo) ([]target, bool, error) {
	prefix := normPath(rq.in.str("PathPrefix"))
	return []target{{arn: "arn:aws:iam::" + rq.call.Account + ":policy" + prefix, display: "policy path " + prefix}}, false, nil
}

func deletionTaskRole(rq *reqInfo) ([]target, bool, error) {
	id := rq.in.str("DeletionTaskId")
	rest, ok := strings.CutPrefix(id, "task/")
	if !ok {
		return []target{anyResource}, false, nil
	}
	if i := strings.LastIndexByte(rest, '/'); i > 0 {
		rest = rest[:i] // drop the task's UUID
	}
	a := "arn:aws:iam::" + rq.call.Account + ":role/" + rest
	return []target{{arn: a, display: a, typ: "role"}}, false, nil
}

// accessKeyOwner: GetAccessKeyLastUsed is authorized on the key's user. A
// key rolecall does not know is the operation's to refuse, in its own
// words ("... is not authorized to perform iam:GetAccessKeyLastUsed on
// resource: access key AKIA...", recorded).
func accessKeyOwner(rq *reqInfo) ([]target, bool, error) {
	if rq.a.iam == nil {
		return []target{anyResource}, false, nil
	}
	k, err := rq.a.iam.LookupAccessKey(rq.ctx, rq.in.str("AccessKeyId"))
	if err != nil && !isClientErr(err) {
		return nil, false, err
	}
	if k == nil || k.Account != rq.call.Account {
		return nil, true, nil
	}
	t, err := rq.iamTarget("user", k.UserName, "user "+k.UserName)
	return []target{t}, false, err
}
