package auth

import (
	"context"
	"errors"
	"sync"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/policy"
)

// Policies gathers, from IAM, the policies that apply to a principal's
// requests, compiled for the policy engine: identity policies (a user's
// own and its groups', a session's role's), the permissions boundary, and
// a role session's session policies. STS uses it for AssumeRole; the
// authorizer for every action.
type Policies struct {
	IAM *iam.Service

	mu    sync.Mutex
	cache map[compileKey]*policy.Policy
}

type compileKey struct {
	typ      policy.PolicyType
	id, text string
}

// compileCacheMax bounds the compiled-policy cache; documents change
// rarely, and recompiling after a reset is cheap.
const compileCacheMax = 2048

// Compile compiles a stored document (already validated by IAM on write)
// for the engine, caching by type, source and text.
func (ps *Policies) Compile(typ policy.PolicyType, id, text string, kind policy.Kind) (*policy.Policy, error) {
	k := compileKey{typ, id, text}
	ps.mu.Lock()
	p, ok := ps.cache[k]
	ps.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.CompileJSON(text, kind, policy.Source{ID: id, Type: typ})
	if err != nil {
		return nil, err
	}
	ps.mu.Lock()
	if ps.cache == nil || len(ps.cache) >= compileCacheMax {
		ps.cache = map[compileKey]*policy.Policy{}
	}
	ps.cache[k] = p
	ps.mu.Unlock()
	return p, nil
}

// For returns the identity, boundary and session policies of p. Root and
// services have none (root needs none in its own account). A role or user
// deleted since the credentials were issued has no policies left, so its
// requests are denied, as AWS denies them.
func (ps *Policies) For(ctx context.Context, p *Principal) (*policy.PolicySet, error) {
	set := &policy.PolicySet{}
	var pp *iam.PrincipalPolicies
	var err error
	switch p.Kind {
	case User:
		pp, err = ps.IAM.UserPolicies(ctx, p.Account, p.Name)
	case AssumedRole:
		pp, err = ps.IAM.RolePolicies(ctx, p.Account, p.Name)
	default:
		return set, nil
	}
	if isNoSuchEntity(err) {
		return set, nil
	}
	if err != nil {
		return nil, err
	}
	// A role or user deleted and created again under its name is a new
	// entity (a new unique id): credentials issued to the old one carry
	// none of the new one's permissions.
	if id := entityID(p); id != "" && pp.ID != id {
		return set, nil
	}
	for _, d := range pp.Identity {
		id := d.PolicyArn
		if d.Inline {
			id = d.Owner + "#" + d.PolicyName
		}
		c, err := ps.Compile(policy.TypeIdentity, id, d.Document, policy.Identity)
		if err != nil {
			return nil, err
		}
		set.Identity = append(set.Identity, c)
	}
	if b := pp.PermissionsBoundary; b != nil {
		if set.Boundary, err = ps.Compile(policy.TypeBoundary, b.PolicyArn, b.Document, policy.Identity); err != nil {
			return nil, err
		}
	}
	if p.Kind == AssumedRole {
		if set.Session, err = ps.sessionPolicies(ctx, p); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// entityID is the unique id of the IAM entity behind p, "" if unknown.
func entityID(p *Principal) string {
	switch p.Kind {
	case User:
		return p.UserID
	case AssumedRole:
		return p.RoleID
	}
	return ""
}

// sessionPolicies compiles a session's inline and managed session
// policies; a managed policy deleted since grants nothing.
func (ps *Policies) sessionPolicies(ctx context.Context, p *Principal) ([]*policy.Policy, error) {
	var out []*policy.Policy
	if p.SessionPolicy != "" {
		c, err := ps.Compile(policy.TypeSession, "session-policy", p.SessionPolicy, policy.Identity)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	for _, a := range p.SessionPolicyARNs {
		doc, err := ManagedPolicyDocument(ctx, ps.IAM, p.Account, a)
		if err != nil {
			return nil, err
		}
		if doc == "" {
			continue
		}
		c, err := ps.Compile(policy.TypeSession, a, doc, policy.Identity)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ManagedPolicyDocument returns the default version of a managed policy
// (the account's or AWS's); "" if there is no such policy.
func ManagedPolicyDocument(ctx context.Context, svc *iam.Service, account, policyArn string) (string, error) {
	pol, err := svc.GetPolicy(ctx, account, policyArn)
	if isNoSuchEntity(err) || isInvalid(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	v, err := svc.GetPolicyVersion(ctx, account, policyArn, pol.DefaultVersionId)
	if isNoSuchEntity(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return v.Document, nil
}

// Caller is p as the policy engine sees it, with its principal tags: an
// IAM user's tags, or a role session's role tags under its session tags.
func (ps *Policies) Caller(ctx context.Context, p *Principal) (policy.Caller, error) {
	c := p.Caller()
	var tags []iam.Tag
	switch p.Kind {
	case User:
		u, err := ps.IAM.GetUser(ctx, p.Account, p.Name)
		if err != nil && !isNoSuchEntity(err) {
			return c, err
		}
		if u != nil {
			tags = u.Tags
		}
	case AssumedRole:
		r, err := ps.IAM.GetRole(ctx, p.Account, p.Name)
		if err != nil && !isNoSuchEntity(err) {
			return c, err
		}
		if r != nil {
			tags = r.Tags
		}
	}
	if len(tags) > 0 {
		merged := make(map[string]string, len(tags)+len(c.Tags))
		for _, t := range tags {
			merged[t.Key] = t.Value
		}
		for k, v := range c.Tags {
			merged[k] = v
		}
		c.Tags = merged
	}
	return c, nil
}

func isNoSuchEntity(err error) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Code == "NoSuchEntity"
}

func isInvalid(err error) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && (ae.Code == "InvalidInput" || ae.Code == "ValidationError")
}
