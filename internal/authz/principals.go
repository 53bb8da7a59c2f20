package authz

import (
	"context"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/principal"
)

// Directory is what the authorizer reads of IAM: the policies and tags of
// the users and roles that make requests, and managed policies' documents.
// internal/app adapts internal/iam to it.
type Directory interface {
	// Entity is the IAM user (kind "user") or role (kind "role") of
	// account named name; nil, nil when there is none.
	Entity(ctx context.Context, account, kind, name string) (*Entity, error)
	// ManagedPolicy is the default version of a managed policy (the
	// account's or AWS's); ok is false when there is no such policy.
	ManagedPolicy(ctx context.Context, account, policyARN string) (doc string, ok bool, err error)
	// RecordAccess notes an allowed request for Access Advisor.
	RecordAccess(ctx context.Context, account, principalARN, service, action, region string, at time.Time) error
}

// Entity is an IAM user or role as the authorizer needs it.
type Entity struct {
	ID       string // unique id: AIDA..., AROA...
	Tags     map[string]string
	Identity []Document // its own and (users) its groups' policies
	Boundary *Document  // its permissions boundary, nil for none
}

// Document is a stored policy document and where it comes from: a managed
// policy's ARN, or "OWNER-ARN#NAME" for an inline policy.
type Document struct {
	Source, Text string
}

// principalEntry is a principal's compiled policies and its policy.Caller
// (with its tags), and the keys its policies read.
type principalEntry struct {
	set    *policy.PolicySet
	caller policy.Caller
	need   need
}

// principal returns p's policies and caller, from the cache when it can.
// A principal is keyed by its access key too: a session's session policies
// and tags are fixed when it is issued.
func (a *Authorizer) principal(ctx context.Context, p *principal.Principal) (*principalEntry, error) {
	k := principalKey{p.Kind, p.Account, p.Name, p.AccessKeyID}
	if p.AccessKeyID == "" {
		return a.loadPrincipal(ctx, p)
	}
	return cached(a.cache, &a.cache.principals, k, func() (*principalEntry, error) { return a.loadPrincipal(ctx, p) })
}

// loadPrincipal gathers, from IAM, the policies that apply to p's
// requests: identity policies (a user's own and its groups', a session's
// role's), the permissions boundary, and a role session's session
// policies. Root and services have none (root needs none in its own
// account; a service's requests are decided by resource policies). A user
// or role deleted since the credentials were issued, or deleted and
// created again under its name (a new unique id), has none left: its
// requests are denied, as AWS denies them.
func (a *Authorizer) loadPrincipal(ctx context.Context, p *principal.Principal) (*principalEntry, error) {
	set := &policy.PolicySet{}
	caller := p.Caller()
	var kind string
	switch p.Kind {
	case principal.User:
		kind = "user"
	case principal.AssumedRole:
		kind = "role"
	case principal.FederatedUser:
		if p.IssuerID != "" {
			kind = "user" // the IAM user that asked for the session
		}
	}
	var e *Entity
	if kind != "" && a.dir != nil {
		var err error
		if e, err = a.dir.Entity(ctx, p.Account, kind, p.Name); err != nil {
			return nil, err
		}
		if e != nil && e.ID != p.EntityID() {
			e = nil
		}
	}
	if e != nil {
		for _, d := range e.Identity {
			c, err := a.compile(policy.TypeIdentity, d.Source, d.Text, policy.Identity)
			if err != nil {
				return nil, err
			}
			set.Identity = append(set.Identity, c)
		}
		if b := e.Boundary; b != nil {
			c, err := a.compile(policy.TypeBoundary, b.Source, b.Text, policy.Identity)
			if err != nil {
				return nil, err
			}
			set.Boundary = c
		}
		caller.Tags = mergeTags(e.Tags, caller.Tags)
	}
	if rootIssued(p) {
		// The root user's session: root's full access, which its session
		// policies limit (GetFederationToken and delegated sessions of
		// root).
		c, err := a.compile(policy.TypeIdentity, "root", rootIdentity, policy.Identity)
		if err != nil {
			return nil, err
		}
		set.Identity = append(set.Identity, c)
	}
	if p.Kind == principal.AssumedRole || p.Restricted() {
		s, err := a.sessionPolicies(ctx, p)
		if err != nil {
			return nil, err
		}
		if len(s) == 0 && p.Kind == principal.FederatedUser {
			// "if you do not pass a policy, then the resulting federated
			// user session has no permissions" (STS API reference,
			// GetFederationToken).
			c, err := a.compile(policy.TypeSession, "no-session-policy", emptySessionPolicy, policy.Identity)
			if err != nil {
				return nil, err
			}
			s = append(s, c)
		}
		set.Session = s
	}
	all := append(append([]*policy.Policy{set.Boundary}, set.Identity...), set.Session...)
	return &principalEntry{set: set, caller: caller, need: needOf(all...)}, nil
}

// emptySessionPolicy stands for a managed session policy that no longer
// exists: it allows nothing, and the session keeps its limit. Skipping it
// instead would hand the session the role's full permissions.
const emptySessionPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"*","NotResource":"*"}]}`

// rootIdentity is the root user's own permissions as a policy, for the
// sessions of root that session policies limit.
const rootIdentity = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// rootIssued: p is a session of an account's root user that session
// policies limit.
func rootIssued(p *principal.Principal) bool {
	switch p.Kind {
	case principal.Root:
		return p.Restricted()
	case principal.FederatedUser:
		return p.IssuerID == ""
	}
	return false
}

// sessionPolicies compiles a session's inline and managed session
// policies, and a delegated session's permission policy.
func (a *Authorizer) sessionPolicies(ctx context.Context, p *principal.Principal) ([]*policy.Policy, error) {
	var out []*policy.Policy
	for _, d := range [...]struct{ source, text string }{{"session-policy", p.SessionPolicy}, {"delegation-request-policy", p.DelegatedPolicy}} {
		if d.text == "" {
			continue
		}
		c, err := a.compile(policy.TypeSession, d.source, d.text, policy.Identity)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	for _, arn := range p.SessionPolicyARNs {
		doc, ok := "", false
		if a.dir != nil {
			var err error
			if doc, ok, err = a.dir.ManagedPolicy(ctx, p.Account, arn); err != nil {
				return nil, err
			}
		}
		if !ok {
			doc = emptySessionPolicy
		}
		c, err := a.compile(policy.TypeSession, arn, doc, policy.Identity)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// mergeTags is an entity's tags under its session's (session tags win).
func mergeTags(entity, session map[string]string) map[string]string {
	if len(entity) == 0 {
		return session
	}
	out := make(map[string]string, len(entity)+len(session))
	for k, v := range entity {
		out[k] = v
	}
	for k, v := range session {
		out[k] = v
	}
	return out
}

// compiled caches compiled documents (stored documents, already validated
// by IAM on write) by type, source and text: documents change rarely.
type compiled struct {
	mu sync.Mutex
	m  map[compileKey]*policy.Policy
}

type compileKey struct {
	typ          policy.PolicyType
	source, text string
}

// compileCacheMax bounds the compiled-policy cache; recompiling after a
// reset is cheap.
const compileCacheMax = 2048

func (a *Authorizer) compile(typ policy.PolicyType, source, text string, kind policy.Kind) (*policy.Policy, error) {
	c := &a.cache.compiled
	k := compileKey{typ, source, text}
	c.mu.Lock()
	p, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.CompileJSON(text, kind, policy.Source{ID: source, Type: typ})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= compileCacheMax {
		c.m = map[compileKey]*policy.Policy{}
	}
	c.m[k] = p
	c.mu.Unlock()
	return p, nil
}
