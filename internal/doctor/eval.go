package doctor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/policy"
)

// need is one request a role (or the deployer) must be allowed, as the
// one model of ECS's role use says it.
type need = ecsroles.Need

// evaluator compiles policies once and evaluates requests against them
// with the policy engine, as AWS's authorization would.
type evaluator struct {
	partition, account, region string
	cache                      map[string]*policy.Policy
	errs                       map[string]error
}

func newEvaluator(partition, account, region string) *evaluator {
	return &evaluator{partition: partition, account: account, region: region, cache: map[string]*policy.Policy{}, errs: map[string]error{}}
}

// compile compiles a document once per (kind, id, text).
func (e *evaluator) compile(doc PolicyDoc, kind policy.Kind, typ policy.PolicyType) (*policy.Policy, error) {
	key := fmt.Sprint(kind, typ) + "\x00" + doc.ID + "\x00" + doc.Document
	if p, ok := e.cache[key]; ok {
		return p, nil
	}
	if err, ok := e.errs[key]; ok {
		return nil, err
	}
	detail := "inline"
	if !doc.Inline {
		detail = "managed"
	}
	p, err := policy.CompileJSON(doc.Document, kind, policy.Source{ID: doc.ID, Type: typ, Detail: detail})
	if err != nil {
		err = fmt.Errorf("policy %s does not parse: %v", doc.ID, err)
		e.errs[key] = err
		return nil, err
	}
	e.cache[key] = p
	return p, nil
}

// identitySet is the principal's identity policies and boundary.
func (e *evaluator) identitySet(p *Principal) (*policy.PolicySet, error) {
	ps := &policy.PolicySet{}
	for _, d := range p.Policies {
		c, err := e.compile(d, policy.Identity, policy.TypeIdentity)
		if err != nil {
			return nil, err
		}
		ps.Identity = append(ps.Identity, c)
	}
	if p.Boundary != nil {
		c, err := e.compile(*p.Boundary, policy.Identity, policy.TypeBoundary)
		if err != nil {
			return nil, err
		}
		ps.Boundary = c
	}
	return ps, nil
}

// caller is the principal as the engine sees it making a request: a role
// session (SESSION names it, as CloudTrail shows it), a user, or the root.
func (e *evaluator) caller(p *Principal, session string) policy.Caller {
	switch p.Kind {
	case KindRoot:
		return policy.Caller{Kind: policy.CallerRoot, ARN: p.ARN, Account: e.account, UserID: e.account}
	case KindUser:
		return policy.Caller{Kind: policy.CallerUser, ARN: p.ARN, Account: accountOf(p.ARN, e.account), Name: p.Name, UserID: "AIDADOCTOR" + strings.ToUpper(p.Name)}
	}
	if session == "" {
		session = "rolecall-doctor"
	}
	acct := accountOf(p.ARN, e.account)
	return policy.Caller{
		Kind:    policy.CallerRoleSession,
		ARN:     "arn:" + e.partition + ":sts::" + acct + ":assumed-role/" + p.Name + "/" + session,
		Issuer:  p.ARN,
		Account: acct,
		UserID:  "AROADOCTOR:" + session,
	}
}

// decision is one evaluated need.
type decision struct {
	need    need
	allowed bool
	d       policy.Decision
	caller  string
	err     error
}

// detail says why: the deciding statement, or AWS's AccessDenied message.
func (d decision) detail() string {
	if d.err != nil {
		return d.err.Error()
	}
	if d.allowed {
		if d.d.Statement == nil {
			return "allowed (the root user)"
		}
		return "allowed by " + statementName(d.d.Statement)
	}
	msg := policy.AccessDeniedMessage(d.d, d.caller, d.need.Action, d.need.Resource)
	if d.d.Result == policy.ExplicitDeny && d.d.Statement != nil {
		msg += " (" + statementName(d.d.Statement) + ")"
	}
	return msg
}

func statementName(s *policy.StatementRef) string {
	id := ""
	if s.Source != nil {
		id = s.Source.ID
	}
	if s.Sid != "" {
		return fmt.Sprintf("%s, statement %q", id, s.Sid)
	}
	return fmt.Sprintf("%s, statement %d", id, s.Index+1)
}

// evalIdentity evaluates n for p's own permissions.
func (e *evaluator) evalIdentity(p *Principal, session string, n need) decision {
	c := e.caller(p, session)
	out := decision{need: n, caller: c.ARN}
	ps, err := e.identitySet(p)
	if err != nil {
		out.err = err
		return out
	}
	ctx := policy.NewContext()
	for _, k := range sortedKeys(n.Context) {
		ctx.Set(k, n.Context[k]...)
	}
	ctx.Set("aws:RequestedRegion", e.region)
	ctx.AddCaller(c)
	out.d = policy.Evaluate(ps, &policy.Request{Caller: c, Action: n.Action, Resource: n.Resource, Context: ctx})
	out.allowed = out.d.Allowed()
	return out
}

// evalTrust evaluates the role's trust policy as the resource policy of
// sts:AssumeRole, for the service principal that assumes it.
func (e *evaluator) evalTrust(role *Principal, service string, keys map[string][]string) decision {
	n := need{Action: "sts:AssumeRole", Resource: role.ARN, Context: keys}
	out := decision{need: n, caller: service}
	if strings.TrimSpace(role.Trust) == "" {
		out.err = fmt.Errorf("the role has no trust policy")
		return out
	}
	tp, err := e.compile(PolicyDoc{ID: "trust policy of " + role.Name, Document: role.Trust}, policy.Trust, policy.TypeResource)
	if err != nil {
		out.err = err
		return out
	}
	c := policy.Caller{Kind: policy.CallerService, ARN: service}
	ctx := policy.NewContext()
	for _, k := range sortedKeys(keys) {
		ctx.Set(k, keys[k]...)
	}
	ctx.AddCaller(c)
	out.d = policy.Evaluate(&policy.PolicySet{Resource: tp}, &policy.Request{Caller: c, Action: "sts:AssumeRole", Resource: role.ARN, Context: ctx})
	out.allowed = out.d.Allowed()
	return out
}

func accountOf(arn, def string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[4] != "" {
		return parts[4]
	}
	return def
}

// dedupeNeeds keeps the first need per action and resource, in order.
func dedupeNeeds(ns []need) []need {
	seen := map[string]int{}
	var out []need
	for _, n := range ns {
		if i, ok := seen[n.Key()]; ok {
			if n.Why != "" && !strings.Contains(out[i].Why, n.Why) {
				out[i].Why += "; " + n.Why
			}
			continue
		}
		seen[n.Key()] = len(out)
		out = append(out, n)
	}
	return out
}

// sortStrings returns a sorted copy without duplicates.
func uniqueSorted(in []string) []string {
	m := map[string]bool{}
	for _, s := range in {
		m[s] = true
	}
	out := make([]string, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
