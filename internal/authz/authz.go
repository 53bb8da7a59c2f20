package authz

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/policy"
)

// Config is what an Authorizer is built from.
type Config struct {
	Mode     Mode
	Policies *auth.Policies // the caller's policies, compiled
	IAM      *iam.Service   // resource paths, tags and boundaries; Access Advisor
	// ECS answers resource tags and task definition revisions; nil when
	// ECS is not served. It may be set after New (ECS itself needs the
	// authorizer for iam:PassRole): SetECS.
	ECS *ecs.Service
	// Store counts writes, under which reads are cached; nil disables
	// the cache.
	Store *Versioned
	Clock ids.Clock
	Audit *AuditLog // nil: decisions are not recorded
	Log   *slog.Logger
}

// Authorizer decides whether principals may do what they ask.
type Authorizer struct {
	mode     Mode
	policies *auth.Policies
	iam      *iam.Service
	ecs      *ecs.Service
	clock    ids.Clock
	audit    *AuditLog
	log      *slog.Logger
	cache    *cache
}

// New builds an Authorizer.
func New(c Config) *Authorizer {
	if c.Clock == nil {
		c.Clock = ids.SystemClock{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Authorizer{mode: c.Mode, policies: c.Policies, iam: c.IAM, ecs: c.ECS, clock: c.Clock, audit: c.Audit, log: c.Log, cache: newCache(c.Store)}
}

// SetECS gives the authorizer ECS's resources once ECS exists.
func (a *Authorizer) SetECS(s *ecs.Service) { a.ecs = s }

// Mode is the authorizer's mode; Off for none.
func (a *Authorizer) Mode() Mode {
	if a == nil {
		return Off
	}
	return a.mode
}

// Audit is the decision log; nil when decisions are not recorded.
func (a *Authorizer) Audit() *AuditLog {
	if a == nil {
		return nil
	}
	return a.audit
}

// Request is one operation to authorize.
type Request struct {
	Service   string // signing name: "iam", "sts", "ecs"
	Operation string // "CreateRole"
	Call      *api.Call
	Input     any // the decoded input (a pointer to the binding's struct)
}

// Outcome is what the server does with a decision.
type Outcome struct {
	// WouldDeny is, in audit mode, the AccessDenied message AWS would
	// have answered; the request goes on.
	WouldDeny string
}

// unauthorized are the operations AWS lets every authenticated caller
// make, or whose authorization is their own business.
var unauthorized = map[string]bool{
	// "No permissions are required to perform this operation" (STS API
	// reference, GetCallerIdentity).
	"sts:GetCallerIdentity": true,
	// "No permissions are required for a user to get a session token"
	// (IAM User Guide, "Permissions for GetSessionToken").
	"sts:GetSessionToken": true,
	// STS evaluates sts:AssumeRole itself: the role's trust policy must
	// allow even in the role's own account, which the generic rule (a
	// same-account identity Allow suffices) would not require.
	"sts:AssumeRole":                true,
	"sts:AssumeRoleWithWebIdentity": true,
	"sts:AssumeRoleWithSAML":        true,
}

// Authorize decides r. A nil error lets the operation run; otherwise the
// error is AWS's AccessDenied for the service (or an internal failure).
func (a *Authorizer) Authorize(ctx context.Context, r *Request) (Outcome, error) {
	if a == nil || a.mode == Off {
		return Outcome{}, nil
	}
	action := actionName(r.Service, r.Operation)
	if unauthorized[action] {
		return Outcome{}, nil
	}
	p := r.Call.Principal
	if p == nil {
		p = auth.RootPrincipal(r.Call.Account)
	}
	meta := metaFrom(ctx)
	if p.Kind == auth.Root && p.Account == r.Call.Account {
		// "all requests are implicitly denied with the exception of the
		// AWS account root user, which has full access" (IAM User Guide,
		// "Policy evaluation logic").
		a.record(&Record{Time: a.now(), RequestID: r.Call.RequestID, Principal: p.ARN, PrincipalType: p.Kind.String(),
			Action: action, Region: r.Call.Region, Decision: "allowed", Enforced: a.mode == On, Mode: a.mode.String(),
			Reason: "the account's root user may do everything in its own account"})
		return Outcome{}, nil
	}
	rq := &reqInfo{a: a, ctx: ctx, call: r.Call, p: p, service: r.Service, op: r.Operation, action: action, in: newInput(r.Input), meta: meta}
	rq.info, rq.known = actions.Action(r.Service, r.Operation)
	pe, err := a.principal(ctx, p)
	if err != nil {
		return Outcome{}, err
	}
	rq.pe = pe
	targets, skip, err := rq.targets()
	if err != nil {
		return Outcome{}, err
	}
	if skip {
		return Outcome{}, nil
	}
	return a.decide(rq, targets, nil, r.Call.RequestID)
}

// decide evaluates action on each target (all must be allowed), records
// the decision and answers per the mode. extra adds request keys.
func (a *Authorizer) decide(rq *reqInfo, targets []target, extra func(*policy.Context), requestID string) (Outcome, error) {
	now := a.now()
	rec := &Record{Time: now, RequestID: requestID, Principal: rq.p.ARN, PrincipalType: rq.p.Kind.String(),
		Action: rq.action, Region: rq.call.Region, Mode: a.mode.String(), Resources: make([]string, len(targets))}
	for i, t := range targets {
		rec.Resources[i] = t.arn
	}
	var last policy.Decision
	for _, t := range targets {
		c := rq.context(t, now, false)
		if extra != nil {
			extra(c)
		}
		req := &policy.Request{Caller: rq.pe.caller, Action: rq.action, Resource: t.arn, ResourceAccount: t.account, Context: c}
		d := policy.Evaluate(rq.pe.set, req)
		if d.Allowed() {
			last = d
			continue
		}
		// Denied: again with every key, for the record (the decision is
		// the same: the keys left out are keys no policy reads).
		req.Context = rq.context(t, now, true)
		if extra != nil {
			extra(req.Context)
		}
		d = policy.Evaluate(rq.pe.set, req)
		msg := policy.AccessDeniedMessage(d, rq.p.ARN, rq.action, t.display)
		a.explainDenial(rec, rq.pe.set, req, d, t, msg)
		rec.Enforced = a.mode == On
		a.record(rec)
		if a.mode == Audit {
			a.log.Info("audit: would deny", "request_id", requestID, "principal", rq.p.ARN, "action", rq.action, "resource", t.arn, "reason", rec.Reason)
			rq.meta.noteWouldDeny(msg)
			a.noteAccess(rq, now)
			return Outcome{WouldDeny: msg}, nil
		}
		return Outcome{}, deniedError(rq.service, msg)
	}
	rec.Decision, rec.Enforced = "allowed", true
	rec.Statement = statementInfo(last.Statement)
	rec.Reason = allowReason(last)
	a.record(rec)
	a.noteAccess(rq, now)
	return Outcome{}, nil
}

// deniedError is AccessDenied as the service answers it: IAM and STS
// (query protocol) 403 AccessDenied; ECS (JSON) 400 AccessDeniedException
// with the same text (aws-facts.md: "ECS action denied (RunTask)", pulumi/
// docs #2860, statusCode 400; "api error AccessDeniedException: User: ...
// is not authorized to perform: ecs:CreateCluster on resource:
// arn:aws:ecs:...:cluster/NAME because no identity-based policy allows the
// ecs:CreateCluster action", StatusCode: 400).
func deniedError(service, msg string) *awserr.Error {
	if service == "ecs" {
		return awserr.New(http.StatusBadRequest, "AccessDeniedException", "%s", msg)
	}
	return awserr.AccessDenied("%s", msg)
}

// noteAccess records allowed use for Access Advisor: users' and roles'
// (through their sessions); the root user is no IAM entity.
func (a *Authorizer) noteAccess(rq *reqInfo, now time.Time) {
	if a.iam == nil || (rq.p.Kind != auth.User && rq.p.Kind != auth.AssumedRole) {
		return
	}
	if !a.cache.accessDue(rq.p.Account, rq.p.ARN, rq.action, now) {
		return
	}
	if err := a.iam.RecordServiceAccess(rq.ctx, rq.p.Account, rq.p.ARN, rq.service, rq.action, rq.call.Region, now); err != nil {
		// Access Advisor is a report; a failed note must not fail the
		// request.
		a.log.Warn("recording service access", "principal", rq.p.ARN, "action", rq.action, "error", err)
	}
}

func (a *Authorizer) record(r *Record) {
	if a.audit != nil {
		a.audit.Add(r)
	}
}

func (a *Authorizer) now() time.Time { return a.clock.Now().UTC() }

// actionName is the IAM action an operation is authorized as: for IAM, STS
// and ECS the operation's own name under the service prefix (the Service
// Authorization Reference lists each operation as an action of the same
// name), spelled as the reference spells it.
func actionName(service, op string) string {
	if info, ok := actions.Action(service, op); ok {
		return info.FullName()
	}
	return service + ":" + op
}

// allowReason says what allowed.
func allowReason(d policy.Decision) string {
	s := d.Statement
	if s == nil {
		return "allowed"
	}
	where := "an identity-based policy"
	switch d.Type {
	case policy.TypeResource:
		where = "the resource-based policy"
	}
	sid := ""
	if s.Sid != "" {
		sid = " (Sid " + s.Sid + ")"
	}
	return "allowed by statement " + strconv.Itoa(s.Index) + sid + " of " + where + " " + s.Source.ID
}

func statementInfo(s *policy.StatementRef) *StatementInfo {
	if s == nil {
		return nil
	}
	si := &StatementInfo{Sid: s.Sid, Index: s.Index, Effect: s.Effect, Line: s.Start.Line}
	if s.Source != nil {
		si.Source, si.Type = s.Source.ID, s.Source.Type.String()
	}
	return si
}

// explainDenial fills a denial's record: AWS's message and reason, then
// (evaluating again with Explain, off the allowed path) every statement
// that matched, the context keys conditions lacked, what each policy type
// said, and the request context.
func (a *Authorizer) explainDenial(rec *Record, set *policy.PolicySet, req *policy.Request, d policy.Decision, t target, msg string) {
	rec.Decision = d.Result.String()
	rec.Reason = d.Reason(req.Action)
	rec.Message = msg
	rec.Denied = t.arn
	rec.Statement = statementInfo(d.Statement)
	xr := *req
	xr.Explain = true
	xd := policy.Evaluate(set, &xr)
	for _, s := range xd.Matched {
		rec.Matched = append(rec.Matched, *statementInfo(s))
	}
	rec.Missing = xd.Missing
	counts := map[policy.PolicyType]int{
		policy.TypeIdentity: len(set.Identity),
		policy.TypeSession:  len(set.Session),
	}
	if set.Boundary != nil {
		counts[policy.TypeBoundary] = 1
	}
	if set.Resource != nil {
		counts[policy.TypeResource] = 1
	}
	for _, pt := range []policy.PolicyType{policy.TypeResource, policy.TypeIdentity, policy.TypeBoundary, policy.TypeSession} {
		tr := xd.Types[pt]
		if !tr.Applicable && counts[pt] == 0 && d.Type != pt {
			continue
		}
		rec.Policies = append(rec.Policies, TypeSummary{Type: pt.String(), Count: counts[pt], Allowed: tr.Allowed, Denied: tr.Denied, Deciding: d.Type == pt})
	}
	if req.Context != nil {
		rec.Context = map[string][]string{}
		for _, k := range req.Context.Keys() {
			v, _ := req.Context.Values(k)
			rec.Context[k] = v
		}
	}
}

// isARN reports whether s is an ARN rather than a name.
func isARN(s string) bool { return strings.HasPrefix(s, "arn:") }
