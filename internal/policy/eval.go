package policy

import (
	"strings"
)

// PolicySet is every policy that applies to one request. A nil or empty
// field means the policy type does not apply (no boundary, no session
// policies, not in an organization...): the caller decides applicability,
// e.g. SCPs do not apply to the management account or to service-linked
// roles, and RCPs only to resources in member accounts.
type PolicySet struct {
	// Identity: the caller's identity-based policies (a user's own and its
	// groups', or the role's, for a role session).
	Identity []*Policy
	// Resource: the resource-based policy of the resource, or the role's
	// trust policy for sts:AssumeRole, sts:TagSession,
	// sts:SetSourceIdentity, sts:AssumeRoleWithWebIdentity...
	Resource *Policy
	// Boundary: the permissions boundary of the user or role.
	Boundary *Policy
	// Session: session policies (inline and managed, any of them may
	// allow).
	Session []*Policy
	// SCPs: the service control policies of the caller's account, one list
	// per level from the organization root down to the account; every level
	// must allow.
	SCPs [][]*Policy
	// RCPs: the resource control policies of the resource's account, per
	// level as SCPs.
	RCPs [][]*Policy
}

// Request is one authorization question.
type Request struct {
	Caller Caller
	// Action as "service:Action"; case does not matter.
	Action string
	// Resource is the ARN the action is on, or "*" for actions without
	// resource types.
	Resource string
	// ResourceAccount owns the resource; "" means the caller's account.
	// It decides between same-account and cross-account evaluation.
	ResourceAccount string
	// Context holds the request's condition keys; nil means none.
	Context *Context
	// Explain fills Decision.Matched and Decision.Missing: every matching
	// statement, and the context keys that evaluated conditions needed and
	// the context lacked. It allocates; leave it off on the hot path.
	Explain bool
}

// Result is an evaluation's outcome. Its String is IAM's EvalDecision.
type Result uint8

const (
	// ImplicitDeny: no applicable policy allowed (the zero value, so a
	// Decision nobody filled in denies).
	ImplicitDeny Result = iota
	Allowed
	ExplicitDeny
)

var resultNames = [...]string{"implicitDeny", "allowed", "explicitDeny"}

func (r Result) String() string {
	if int(r) < len(resultNames) {
		return resultNames[r]
	}
	return "unknown"
}

// TypeResult is what one policy type said.
type TypeResult struct {
	Applicable bool // policies of this type took part
	Allowed    bool // an Allow matched (SCPs, RCPs: at every level)
	Denied     bool // a Deny matched
}

// Decision is the answer and its reason.
type Decision struct {
	Result Result
	// Type is the reason's policy type: for ExplicitDeny the type whose
	// Deny decided; for ImplicitDeny the first type, in AWS's evaluation
	// order, that failed to allow; for Allowed the type whose Allow decided
	// (TypeResource when a resource policy allowed on its own, else
	// TypeIdentity).
	Type PolicyType
	// Statement is the deciding statement: the Deny, or the deciding
	// Allow; nil for implicit denials and for the root user's own
	// permissions. It points into the compiled Policy.
	Statement *StatementRef
	// Types holds each policy type's own answer, indexed by PolicyType
	// (PermissionsBoundaryDecisionDetail, OrganizationsDecisionDetail...).
	// Without Explain, evaluation stops at the first explicit Deny, and the
	// types after it in evaluation order are left zero.
	Types [numTypes]TypeResult
	// Matched (Request.Explain only): every statement whose action,
	// resource, principal and conditions matched, in evaluation order.
	Matched []*StatementRef
	// Missing (Request.Explain only): context keys, as written in the
	// policies, that conditions or policy variables of statements whose
	// action, resource and principal matched needed and the context
	// lacked: IAM's MissingContextValues.
	Missing []string
}

// Allowed reports whether the request is allowed.
func (d Decision) Allowed() bool { return d.Result == Allowed }

// evalOrder is AWS's evaluation order (IAM User Guide, "Policy evaluation
// logic", "How AWS enforcement code logic evaluates requests to allow or
// deny access", the flow chart): after the deny evaluation, RCPs, SCPs,
// resource-based policies, identity-based policies, permissions boundaries,
// session policies. When several types deny, AWS names one
// ("Troubleshooting access denied error messages": "If multiple policy
// types deny an authorization request, AWS includes only one of those
// policy types"); rolecall names the first in this order (unverified).
var evalOrder = [numTypes]PolicyType{TypeRCP, TypeSCP, TypeResource, TypeIdentity, TypeBoundary, TypeSession}

// evalState is one evaluation's scratch.
type evalState struct {
	r           *Request
	ctx         *Context
	svc         uint32 // the action's service prefix (serviceID)
	actHash     uint64 // actionHash(r.Action)
	explain     bool
	hasBoundary bool
	matched     []*StatementRef
	missing     []string
}

// typeEval is one policy type's result.
type typeEval struct {
	allow    *StatementRef
	strength strength // resource policies: how directly the best Allow names the caller
	deny     *StatementRef
}

// Evaluate decides r against ps as AWS does (IAM User Guide, "Policy
// evaluation logic"; "Cross-account policy evaluation logic"; "Permissions
// boundaries for IAM entities"; "Session policies"):
//
//  1. An explicit Deny in any applicable policy wins.
//  2. RCPs, then SCPs, when given: each level must allow.
//  3. Callers that are AWS services, identity providers or anonymous have
//     no identity policies: the resource-based (trust) policy must allow.
//  4. Same account (ResourceAccount is "" or the caller's):
//     - a resource-based policy that names the caller itself (the IAM
//     user, the role session's ARN, the federated user session, or "*";
//     "*" is rolecall's reading) allows on its own: implicit denies in
//     identity policies, boundary and session policies do not limit it;
//     - one that names the role of a role session (or the IAM user behind a
//     federated user session) allows without identity policies, but a
//     permissions boundary and session policies, when present, must allow
//     ("Resource-based policies that grant permissions to an IAM role ARN
//     are limited by an implicit deny in a permissions boundary or session
//     policy"; the role-session ARN is not);
//     - otherwise (no resource policy, or it names only the account)
//     identity policies must allow, then the boundary, then session
//     policies, when present; but a role's trust policy and a KMS key
//     policy must at least name the account ("they must explicitly allow
//     access for principals").
//  5. Cross account: the resource-based policy must allow (naming the
//     caller, its role or its account) and so must the caller's identity
//     policies, boundary and session policies.
//
// The root user needs no identity policy in its own account: "all requests
// are implicitly denied with the exception of the AWS account root user,
// which has full access".
//
// Evaluate allocates nothing unless r.Explain is set (or in rare paths:
// a policy value with variables longer than 256 bytes, BinaryEquals, a
// context value that fails to parse as a number or address).
func Evaluate(ps *PolicySet, r *Request) Decision {
	if ps == nil {
		ps = &PolicySet{}
	}
	st := evalState{r: r, ctx: r.Context, explain: r.Explain, hasBoundary: ps.Boundary != nil, actHash: actionHash(r.Action)}
	if i := strings.IndexByte(r.Action, ':'); i >= 0 {
		st.svc = serviceID(r.Action[:i])
	}
	var d Decision
	var res [numTypes]typeEval
	c := &r.Caller
	identityish := c.Kind == CallerUser || c.Kind == CallerRoleSession || c.Kind == CallerFederatedUser

	for _, t := range evalOrder {
		var te typeEval
		applicable := true
		switch t {
		case TypeRCP:
			applicable = len(ps.RCPs) > 0
			te = st.evalLevels(ps.RCPs)
		case TypeSCP:
			applicable = len(ps.SCPs) > 0
			te = st.evalLevels(ps.SCPs)
		case TypeResource:
			applicable = ps.Resource != nil
			if applicable {
				st.evalPolicy(ps.Resource, &te)
			}
		case TypeIdentity:
			applicable = identityish && len(ps.Identity) > 0
			if applicable {
				for _, p := range ps.Identity {
					st.evalPolicy(p, &te)
				}
			}
		case TypeBoundary:
			applicable = identityish && ps.Boundary != nil
			if applicable {
				st.evalPolicy(ps.Boundary, &te)
			}
		case TypeSession:
			applicable = identityish && len(ps.Session) > 0
			if applicable {
				for _, p := range ps.Session {
					st.evalPolicy(p, &te)
				}
			}
		}
		res[t] = te
		d.Types[t] = TypeResult{Applicable: applicable, Allowed: applicable && te.allow != nil, Denied: te.deny != nil}
		if te.deny != nil && d.Result != ExplicitDeny {
			d.Result, d.Type, d.Statement = ExplicitDeny, t, te.deny
			if !st.explain {
				return d
			}
		}
	}
	d.Matched, d.Missing = st.matched, st.missing
	if d.Result == ExplicitDeny {
		return d
	}
	deny := func(t PolicyType) Decision {
		d.Result, d.Type, d.Statement = ImplicitDeny, t, nil
		return d
	}
	allow := func(t PolicyType, s *StatementRef) Decision {
		d.Result, d.Type, d.Statement = Allowed, t, s
		return d
	}
	for _, t := range [...]PolicyType{TypeRCP, TypeSCP} {
		if d.Types[t].Applicable && !d.Types[t].Allowed {
			return deny(t)
		}
	}
	rp := res[TypeResource]
	if !identityish && c.Kind != CallerRoot {
		// Services, identity providers, anonymous callers.
		if rp.allow != nil {
			return allow(TypeResource, rp.allow)
		}
		return deny(TypeResource)
	}
	identityOK := c.Kind == CallerRoot || res[TypeIdentity].allow != nil
	boundaryOK := !d.Types[TypeBoundary].Applicable || d.Types[TypeBoundary].Allowed
	sessionOK := !d.Types[TypeSession].Applicable || d.Types[TypeSession].Allowed
	same := r.ResourceAccount == "" || r.ResourceAccount == c.Account
	if same {
		switch rp.strength {
		case sDirect:
			return allow(TypeResource, rp.allow)
		case sIssuer:
			if !boundaryOK {
				return deny(TypeBoundary)
			}
			if !sessionOK {
				return deny(TypeSession)
			}
			return allow(TypeResource, rp.allow)
		}
		// "Role trust policies and KMS key policies are exceptions to this
		// logic, because they must explicitly allow access for principals"
		// (IAM User Guide, "Policy evaluation logic"): in the same account
		// too, they must name the caller or its account.
		if rp.allow == nil && ps.Resource != nil && mustAllow(r.Action) {
			return deny(TypeResource)
		}
	} else if rp.allow == nil {
		return deny(TypeResource)
	}
	switch {
	case !identityOK:
		return deny(TypeIdentity)
	case !boundaryOK:
		return deny(TypeBoundary)
	case !sessionOK:
		return deny(TypeSession)
	}
	return allow(TypeIdentity, res[TypeIdentity].allow)
}

// mustAllow reports actions whose resource policy must allow even in the
// resource's own account: a role's trust policy (sts:AssumeRole and the
// other trust actions) and a KMS key policy.
func mustAllow(action string) bool {
	return trustAction(action) || len(action) > 4 && strings.EqualFold(action[:4], "kms:")
}

// evalLevels evaluates SCPs or RCPs: every level must hold an Allow; any
// Deny wins.
func (st *evalState) evalLevels(levels [][]*Policy) typeEval {
	var out typeEval
	all := len(levels) > 0
	for _, level := range levels {
		var te typeEval
		for _, p := range level {
			st.evalPolicy(p, &te)
		}
		if te.deny != nil && out.deny == nil {
			out.deny = te.deny
			if !st.explain {
				return out
			}
		}
		if te.allow == nil {
			all = false
		} else if out.allow == nil {
			out.allow = te.allow
		}
	}
	if !all {
		out.allow = nil
	}
	return out
}

// evalPolicy evaluates one policy's statements, recording the first Deny,
// and the Allow that names the caller most directly, into te.
func (st *evalState) evalPolicy(p *Policy, te *typeEval) {
	r := st.r
	resourceType := p.Source.Type == TypeResource
	it := p.candidates(st.svc)
	for {
		i, ok := it.next()
		if !ok {
			return
		}
		s := &p.stmts[i]
		if !s.deny && te.allow != nil && !st.explain && (!resourceType || te.strength == sDirect) {
			continue // this type allows already; only Denies can change it
		}
		if !s.matchAction(r.Action, st.actHash) || !s.matchResource(r.Resource, st) {
			continue
		}
		str := sDirect
		switch {
		case s.principal:
			if str = s.princ.match(&r.Caller); str == sNone {
				continue
			}
		case s.notPrincipal:
			// "The NotPrincipal element with a Deny effect will always deny
			// any IAM principal that has a permissions boundary policy
			// attached, regardless of the values specified in the
			// NotPrincipal element" (IAM User Guide, "Permissions
			// boundaries for IAM entities").
			quirk := s.deny && st.hasBoundary && r.Caller.Kind != CallerService && r.Caller.Kind != CallerFederated
			if !quirk && s.princ.namesAll(&r.Caller) {
				continue
			}
		case resourceType:
			continue // a resource-based statement names nobody
		}
		if !st.conditions(s) {
			continue
		}
		if st.explain {
			st.matched = append(st.matched, &s.ref)
		}
		if s.deny {
			if te.deny == nil {
				te.deny = &s.ref
			}
			if !st.explain {
				return
			}
			continue
		}
		if te.allow == nil || str > te.strength {
			te.allow, te.strength = &s.ref, str
		}
	}
}

// conditions evaluates all of a statement's conditions (all of them, when
// explaining, to find every missing key).
func (st *evalState) conditions(s *cstmt) bool {
	ok := true
	for i := range s.conds {
		if !s.conds[i].eval(st.ctx, st) {
			ok = false
			if !st.explain {
				return false
			}
		}
	}
	return ok
}

func (s *cstmt) matchAction(a string, h uint64) bool {
	found := false
	for i, ah := range s.actHashes {
		if ah == h && equalFoldASCII(s.actNames[i], a) {
			found = true
			break
		}
	}
	for i := 0; !found && i < len(s.actions); i++ {
		found, _ = s.actions[i].match(a, nil, mWholeFold)
	}
	return found != s.notAction
}

func (s *cstmt) matchResource(res string, st *evalState) bool {
	if s.anyResource {
		return true
	}
	found := false
	for i := range s.resources {
		m, resolved := s.resources[i].match(res, st.ctx, mARN)
		if !resolved {
			st.noteUnresolved(s.resources[i].parts, st.ctx)
		}
		if m {
			found = true
			break
		}
	}
	return found != s.notResource
}

// noteMissing records a missing context key (Explain only).
func (st *evalState) noteMissing(key string) {
	if !st.explain {
		return
	}
	for _, k := range st.missing {
		if strings.EqualFold(k, key) {
			return
		}
	}
	st.missing = append(st.missing, key)
}

// noteUnresolved records the variables of parts that did not resolve.
func (st *evalState) noteUnresolved(parts []tpart, ctx *Context) {
	if !st.explain {
		return
	}
	for _, p := range parts {
		if p.kind != tVar || p.hasDef {
			continue
		}
		if _, ok := ctx.lookup(p.key); !ok {
			st.noteMissing(p.rawKey)
		}
	}
}
