package authz

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/policy"
)

// context is the request context AWS evaluates a request on target t with
// (IAM User Guide, "AWS global condition context keys"; the Service
// Authorization Reference for the service keys):
//
//   - the caller: aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
//     aws:userid, aws:username, aws:PrincipalTag/KEY (policy.AddCaller);
//   - the request: aws:CurrentTime, aws:EpochTime, aws:SecureTransport,
//     aws:SourceIp, aws:RequestedRegion, aws:ViaAWSService (false for a
//     caller's own request), aws:PrincipalIsAWSService,
//     aws:MultiFactorAuthPresent (false, for temporary credentials:
//     rolecall has no MFA), aws:TokenIssueTime (temporary credentials),
//     aws:RequestTag/KEY and aws:TagKeys from the
//     input's tags (or the tag keys an Untag call removes);
//   - the resource: aws:ResourceTag/KEY (and iam:ResourceTag/KEY,
//     ecs:ResourceTag/KEY) where its resource type supports them;
//   - the service's keys the action supports: iam:PolicyARN,
//     iam:PermissionsBoundary, iam:AWSServiceName, ecs:cluster,
//     ecs:task-definition, ecs:capacity-provider, ecs:container-instances,
//     ecs:enable-execute-command, ecs:compute-compatibility, ecs:task-cpu,
//     ecs:task-memory.
func (rq *reqInfo) context(t target, now time.Time, full bool) *policy.Context {
	c := policy.NewContext()
	n := &rq.pe.need
	if full {
		n = &needAll
	}
	set := func(lk, k string, v ...string) {
		if n.all || n.keys[lk] {
			c.Set(k, v...)
		}
	}
	if n.all || n.caller {
		c.AddCaller(rq.pe.caller)
	}
	set("aws:currenttime", "aws:CurrentTime", now.Format(time.RFC3339))
	set("aws:epochtime", "aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	set("aws:securetransport", "aws:SecureTransport", strconv.FormatBool(rq.meta.Secure))
	if rq.meta.SourceIP != "" {
		set("aws:sourceip", "aws:SourceIp", rq.meta.SourceIP)
	}
	if rq.call.Region != "" {
		set("aws:requestedregion", "aws:RequestedRegion", rq.call.Region)
	}
	set("aws:viaawsservice", "aws:ViaAWSService", "false")
	set("aws:principalisawsservice", "aws:PrincipalIsAWSService", "false")
	if rq.p.Temporary {
		set("aws:multifactorauthpresent", "aws:MultiFactorAuthPresent", "false")
		// "This key is included in the request context only when the
		// principal uses temporary credentials" (IAM User Guide, global
		// condition keys): what "Revoke active sessions" compares.
		if !rq.p.IssuedAt.IsZero() {
			set("aws:tokenissuetime", "aws:TokenIssueTime", rq.p.IssuedAt.UTC().Format(time.RFC3339))
		}
	}
	if n.all || n.requestTags {
		if tags, ok := rq.in.tags(); ok {
			keys := make([]string, len(tags))
			for i, tg := range tags {
				keys[i] = tg.Key
				c.Set("aws:RequestTag/"+tg.Key, tg.Value)
			}
			c.Set("aws:TagKeys", keys...)
		} else if keys := rq.in.strs("TagKeys"); len(keys) > 0 {
			c.Set("aws:TagKeys", keys...)
		}
	}
	ks := keysFor(rq.info, t.typ)
	if t.e != nil && len(t.e.tags) > 0 && (n.all || rq.pe.resourceTags) {
		prefixes := make([]string, 0, 2)
		if ks.has("aws:ResourceTag/${TagKey}") {
			prefixes = append(prefixes, "aws:ResourceTag/")
		}
		if svc := rq.service + ":ResourceTag/${TagKey}"; ks.has(svc) {
			prefixes = append(prefixes, rq.service+":ResourceTag/")
		}
		for _, pre := range prefixes {
			for k, v := range t.e.tags {
				c.Set(pre+k, v)
			}
		}
	}
	if n.all || n.service {
		switch rq.service {
		case "iam":
			rq.iamKeys(c, t, ks)
		case "ecs":
			rq.ecsKeys(c, t, ks)
		}
	}
	return c
}

// need is which keys a principal's policies read (Policy.ContextKeys:
// condition keys and policy variables): on the allowed path only those are
// set, which decides the same as setting all and costs a fraction. A
// denial's record is made with the full context.
type need struct {
	all         bool
	keys        map[string]bool // lower-cased
	caller      bool            // aws:Principal*, aws:userid, aws:username, aws:SourceIdentity
	requestTags bool            // aws:RequestTag/..., aws:TagKeys
	service     bool            // the service's own keys (iam:..., ecs:...)
}

var needAll = need{all: true}

func needOf(set *policy.PolicySet) need {
	n := need{keys: map[string]bool{}}
	add := func(p *policy.Policy) {
		if p == nil {
			return
		}
		for _, k := range p.ContextKeys() {
			lk := strings.ToLower(k)
			n.keys[lk] = true
			switch {
			case strings.HasPrefix(lk, "aws:principal"), lk == "aws:userid", lk == "aws:username", lk == "aws:sourceidentity":
				n.caller = true
			case strings.HasPrefix(lk, "aws:requesttag/"), lk == "aws:tagkeys":
				n.requestTags = true
			case !strings.HasPrefix(lk, "aws:"):
				n.service = true
			}
		}
	}
	for _, p := range set.Identity {
		add(p)
	}
	for _, p := range set.Session {
		add(p)
	}
	add(set.Boundary)
	add(set.Resource)
	return n
}

func (rq *reqInfo) iamKeys(c *policy.Context, t target, ks keySet) {
	if ks.has("iam:PolicyARN") {
		if v := rq.in.str("PolicyArn"); v != "" {
			c.Set("iam:PolicyARN", v)
		}
	}
	if ks.has("iam:AWSServiceName") {
		if v := rq.in.str("AWSServiceName"); v != "" {
			c.Set("iam:AWSServiceName", v)
		}
	}
	if ks.has("iam:PermissionsBoundary") {
		// The boundary being set (CreateRole, CreateUser,
		// Put*PermissionsBoundary), else the one the entity has: "Filters
		// access if the specified policy is set as the permissions boundary
		// on the IAM entity (user or role)" (Service Authorization
		// Reference, IAM condition keys).
		if v := rq.in.str("PermissionsBoundary"); v != "" {
			c.Set("iam:PermissionsBoundary", v)
		} else if t.e != nil && t.e.boundary != "" {
			c.Set("iam:PermissionsBoundary", t.e.boundary)
		}
	}
}

func (rq *reqInfo) ecsKeys(c *policy.Context, t target, ks keySet) {
	if ks.has("ecs:cluster") {
		if a := rq.clusterARN(); a != "" {
			c.Set("ecs:cluster", a)
		}
	}
	if ks.has("ecs:task-definition") && rq.in.has("TaskDefinition") && rq.in.str("TaskDefinition") != "" {
		if a, err := rq.taskDefinitionARN(rq.in.str("TaskDefinition")); err == nil {
			c.Set("ecs:task-definition", a)
		}
	}
	if ks.has("ecs:capacity-provider") {
		var arns []string
		for _, n := range rq.in.strs("CapacityProviders") {
			arns = append(arns, rq.capacityProviderARN(n))
		}
		for _, n := range rq.in.structField("CapacityProviderStrategy", "CapacityProvider") {
			arns = append(arns, rq.capacityProviderARN(n))
		}
		if len(arns) > 0 {
			c.Set("ecs:capacity-provider", arns...)
		}
	}
	if ks.has("ecs:container-instances") {
		var arns []string
		cl := rq.clusterName()
		for _, id := range rq.in.strs("ContainerInstances") {
			if !isARN(id) {
				id = rq.ecsARN("container-instance/" + cl + "/" + id)
			}
			arns = append(arns, id)
		}
		if len(arns) > 0 {
			c.Set("ecs:container-instances", arns...)
		}
	}
	if ks.has("ecs:enable-execute-command") {
		if v, ok := rq.in.boolean("EnableExecuteCommand"); ok {
			c.Set("ecs:enable-execute-command", strconv.FormatBool(v))
		}
	}
	if ks.has("ecs:compute-compatibility") {
		if v := rq.in.strs("RequiresCompatibilities"); len(v) > 0 {
			c.Set("ecs:compute-compatibility", v...)
		}
	}
	for _, k := range [...]struct{ key, member string }{{"ecs:task-cpu", "Cpu"}, {"ecs:task-memory", "Memory"}} {
		if ks.has(k.key) {
			if v := rq.in.str(k.member); v != "" {
				if _, err := strconv.Atoi(v); err == nil {
					c.Set(k.key, v)
				}
			}
		}
	}
}

func (rq *reqInfo) capacityProviderARN(n string) string {
	if isARN(n) {
		return n
	}
	return rq.ecsARN("capacity-provider/" + n)
}

// keySet is the condition keys an action supports on a resource type,
// lower-cased: the action's own, the resource type's in the action's
// table, and the resource type's in the service's resource table.
type keySet map[string]bool

func (k keySet) has(key string) bool { return k[strings.ToLower(key)] }

var keySets sync.Map // action + "\x00" + type -> keySet

func keysFor(info actions.ActionInfo, typ string) keySet {
	id := info.Service + ":" + info.Name + "\x00" + typ
	if v, ok := keySets.Load(id); ok {
		return v.(keySet)
	}
	ks := keySet{}
	for _, k := range info.ConditionKeys {
		ks[strings.ToLower(k)] = true
	}
	for _, rt := range info.ResourceTypes {
		if rt.Name != typ {
			continue
		}
		for _, k := range rt.ConditionKeys {
			ks[strings.ToLower(k)] = true
		}
	}
	if typ != "" {
		if rt, ok := actions.ResourceType(info.Service, typ); ok {
			for _, k := range rt.ConditionKeys {
				ks[strings.ToLower(k)] = true
			}
		}
	}
	keySets.Store(id, ks)
	return ks
}

// boolean reads a bool member (or *bool); ok is false when absent.
func (in inputOf) boolean(name string) (bool, bool) {
	v, ok := in.field(name)
	if !ok || v.Kind() != reflect.Bool {
		return false, false
	}
	return v.Bool(), true
}

// structField reads one string member of each struct in a list member
// (capacityProviderStrategy[].capacityProvider).
func (in inputOf) structField(list, member string) []string {
	v, ok := in.field(list)
	if !ok || v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Struct {
		return nil
	}
	f, ok := v.Type().Elem().FieldByName(member)
	if !ok || f.Type.Kind() != reflect.String {
		return nil
	}
	out := make([]string, 0, v.Len())
	for i := 0; i < v.Len(); i++ {
		if s := v.Index(i).FieldByIndex(f.Index).String(); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// principalOf is p, or the account's root when the call has none.
func principalOf(p *auth.Principal, account string) *auth.Principal {
	if p == nil {
		return auth.RootPrincipal(account)
	}
	return p
}
