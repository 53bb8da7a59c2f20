package authz

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/principal"
)

// Config is what an Authorizer is built from.
type Config struct {
	Mode Mode
	// Directory reads principals' policies and tags from IAM; nil: every
	// principal but root has none.
	Directory Directory
	// Generation counts committed writes (store.Versioned.Generation):
	// what the authorizer reads is kept while it has not moved. Nil keeps
	// nothing.
	Generation func() uint64
	Clock      ids.Clock
	Audit      *AuditLog // nil: decisions are not recorded
	Log        *slog.Logger
}

// Authorizer decides whether principals may do what they ask.
type Authorizer struct {
	mode  Mode
	dir   Directory
	clock ids.Clock
	audit *AuditLog
	log   *slog.Logger
	cache *cache
	seal  sealer // encoded authorization messages (messages.go)
}

// New builds an Authorizer.
func New(c Config) *Authorizer {
	if c.Clock == nil {
		c.Clock = ids.SystemClock{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Authorizer{mode: c.Mode, dir: c.Directory, clock: c.Clock, audit: c.Audit, log: c.Log, cache: newCache(c.Generation)}
}

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

// rootReason is why an account's root user is allowed: "all requests are
// implicitly denied with the exception of the AWS account root user,
// which has full access" (IAM User Guide, "Policy evaluation logic") -- in
// its own account, on resources of its own account.
const rootReason = "the account's root user may do everything in its own account"

// Decide answers r. A nil error lets the request go on (in audit mode
// the Outcome says what AWS would have denied); otherwise the error is
// AWS's AccessDenied in the words of the action's service (or an internal
// failure). The request's id, address and transport come from ctx
// (WithMeta).
func (a *Authorizer) Decide(ctx context.Context, r *Request) (Outcome, error) {
	if a == nil || a.mode == Off {
		return Outcome{}, nil
	}
	p := r.Principal
	if p == nil {
		return Outcome{}, fmt.Errorf("authz: %s asked without a principal", r.Action)
	}
	targets := r.Targets
	if len(targets) == 0 {
		targets = []Target{Any()}
	}
	var info actions.ActionInfo
	var action string
	if k := r.Known; k != nil && k.asked == r.Action {
		info, action = k.info, k.action
	} else {
		info, action = actionOf(r.Action)
	}
	meta := metaFrom(ctx)
	now := a.now()
	// The record stays on the stack: the audit log keeps a copy. Its
	// resources (most decisions are on one, which one holds) and the
	// statement that allows are kept beside it, given to the log apart:
	// what a record points to goes wherever any of it goes (denials).
	var one [1]string
	res := one[:]
	if len(targets) != 1 {
		res = make([]string, len(targets))
	}
	rec := &Record{Time: now, RequestID: meta.RequestID, Principal: p.ARN, PrincipalType: p.Kind.String(), Account: p.Account,
		Action: action, Region: r.Region, Mode: a.mode.String()}
	if rec.Account == "" {
		// A service acting for an account (ECS assuming a task role).
		if v := r.Keys["aws:SourceAccount"]; len(v) == 1 {
			rec.Account = v[0]
		}
	}
	for i := range targets {
		res[i] = targets[i].ARN
	}
	if p.Kind == principal.Root && !p.Restricted() && rootsOwn(p.Account, targets) {
		rec.Decision, rec.Enforced, rec.Reason = "allowed", true, rootReason
		a.record(rec, res, nil, reasonAsRecorded)
		return Outcome{}, nil
	}
	pe, err := a.principal(ctx, p)
	if err != nil {
		return Outcome{}, err
	}
	q := &question{a: a, r: *r, p: p, pe: pe, info: info, action: action, meta: meta, now: now}
	var last policy.Decision
	for i := range targets {
		t := &targets[i]
		set, err := q.policies(t)
		if err != nil {
			return Outcome{}, err
		}
		req := &policy.Request{Caller: pe.caller, Action: action, Resource: t.ARN, ResourceAccount: t.Account, Context: q.context(t, set, false)}
		d := policy.Evaluate(set, req)
		if allowed(d, t) {
			last = d
			continue
		}
		// Denied: again with every key, for the record (the decision is
		// the same: the keys left out are keys no policy reads).
		req.Context = q.context(t, set, true)
		d = policy.Evaluate(set, req)
		msg := q.message(d, t)
		a.explainDenial(rec, set, req, d, t, msg)
		rec.Enforced = a.mode == On
		a.record(rec, res, rec.Statement, reasonAsRecorded)
		if a.mode == Audit {
			a.log.Info("audit: would deny", "request_id", meta.RequestID, "principal", p.ARN, "action", action, "resource", t.ARN, "reason", rec.Reason)
			meta.noteWouldDeny(msg)
			a.noteAccess(ctx, q)
			return Outcome{WouldDeny: msg}, nil
		}
		// One line per denial, so that whoever runs rolecall sees it and
		// its request id without turning on the client's debug output.
		a.log.Info("denied", "request_id", meta.RequestID, "principal", p.ARN, "action", action, "resource", t.ARN, "reason", rec.Reason)
		return Outcome{}, a.denial(deniedError(service(action), msg), rec, p)
	}
	rec.Decision, rec.Enforced, rec.Reason = "allowed", true, "allowed"
	var stmt *StatementInfo
	by := reasonAsRecorded
	if last.Statement != nil {
		// The reason names the statement: the log words it when it
		// writes or answers it (allowedReason), not on every request.
		v := statementValue(last.Statement)
		stmt, rec.Reason, by = &v, "", byIdentityPolicy
		if last.Type == policy.TypeResource {
			by = byResourcePolicy
		}
	}
	a.record(rec, res, stmt, by)
	a.noteAccess(ctx, q)
	return Outcome{}, nil
}

// knownAction is the reference's entry for an action as asked, and the
// action as the reference spells it.
type knownAction struct {
	info   actions.ActionInfo
	action string
}

// KnownAction is an action looked up in the Service Authorization
// Reference ahead of the requests that ask for it: an operation's action
// is fixed when it is bound, so its requests need no lookup (issue 18).
type KnownAction struct {
	asked string // the action as the caller spells it
	knownAction
}

// LookUp is action's entry in the reference, for Request.Known.
func LookUp(action string) *KnownAction {
	info, spelled := actionOf(action)
	return &KnownAction{asked: action, knownAction: knownAction{info: info, action: spelled}}
}

// knownActions keep what the reference, which is fixed, says of each
// action asked: a lookup searches it with a case-insensitive comparison.
var (
	knownActionsMu sync.RWMutex
	knownActions   = map[string]knownAction{}
)

const knownActionsMax = 4096

// actionOf is the reference's entry for action (zero when it has none)
// and the action spelled as the reference spells it.
func actionOf(action string) (actions.ActionInfo, string) {
	knownActionsMu.RLock()
	k, ok := knownActions[action]
	knownActionsMu.RUnlock()
	if ok {
		return k.info, k.action
	}
	k = knownAction{action: action}
	k.info, _ = actions.Action(splitAction(action))
	if k.info.Name != "" && !spelledAs(action, k.info) {
		k.action = k.info.FullName()
	}
	knownActionsMu.Lock()
	if len(knownActions) >= knownActionsMax { // actions come from callers: bounded
		clear(knownActions)
	}
	knownActions[action] = k
	knownActionsMu.Unlock()
	return k.info, k.action
}

// spelledAs reports whether action is info's full name, spelled as the
// reference spells it (the bindings' actions are): then no new string is made.
func spelledAs(action string, info actions.ActionInfo) bool {
	svc, name, ok := strings.Cut(action, ":")
	return ok && svc == info.Service && name == info.Name
}

// rootsOwn reports whether every target is in the root user's account and
// none is a trust policy: AWS lets root assume no role (STS says so before
// it asks), and where rolecall lets it (--auth lenient), the trust policy
// decides as it does for anyone.
func rootsOwn(account string, targets []Target) bool {
	for i := range targets {
		t := &targets[i]
		if !t.inAccount(account) || (t.Policy != nil && t.Policy.Trust) {
			return false
		}
	}
	return true
}

// allowed applies the trust rule: a role's trust policy must allow, even
// where an identity policy alone would do.
func allowed(d policy.Decision, t *Target) bool {
	if !d.Allowed() {
		return false
	}
	return t.Policy == nil || !t.Policy.Trust || d.Types[policy.TypeResource].Allowed
}

// splitAction is "iam", "GetRole" of "iam:GetRole".
func splitAction(action string) (string, string) {
	for i := 0; i < len(action); i++ {
		if action[i] == ':' {
			return action[:i], action[i+1:]
		}
	}
	return action, ""
}

// question is one Decide under way. It holds a copy of the request, not
// the caller's pointer: what it hands on (its action to Access Advisor,
// its entry to the key sets) then does not take the caller's Request to
// the heap with it, and a caller that calls Decide directly keeps its
// Request on its stack (issue 18).
type question struct {
	a      *Authorizer
	r      Request
	p      *principal.Principal
	pe     *principalEntry
	info   actions.ActionInfo
	action string
	meta   *Meta
	now    time.Time
}

// policies is the principal's policies with t's resource-based policy.
func (q *question) policies(t *Target) (*policy.PolicySet, error) {
	if t.Policy == nil {
		return q.pe.set, nil
	}
	set := *q.pe.set
	set.Resource = nil
	if t.Policy.Document != "" {
		kind := policy.Resource
		if t.Policy.Trust {
			kind = policy.Trust
		}
		rp, err := q.a.compile(policy.TypeResource, t.Policy.Source, t.Policy.Document, kind)
		if err != nil {
			return nil, err
		}
		set.Resource = rp
	}
	return &set, nil
}

// message is AWS's AccessDenied text for a denial of t.
func (q *question) message(d policy.Decision, t *Target) string {
	if t.Policy != nil && t.Policy.Trust && q.p.Kind == principal.Federated {
		// Nor a caller, to an identity provider's user: "Not authorized
		// to perform sts:AssumeRoleWithWebIdentity" (reported from AWS
		// in public CI logs, 2022-2026).
		return "Not authorized to perform " + q.action
	}
	if t.Policy != nil && t.Policy.Trust {
		// STS names no reason: "User: arn:... is not authorized to perform:
		// sts:AssumeRole on resource: arn:aws:iam::ACCOUNT:role/NAME"
		// (Netflix/security_monkey #77 raw XML, reports to 2024).
		return "User: " + q.p.ARN + " is not authorized to perform: " + q.action + " on resource: " + t.display()
	}
	return policy.AccessDeniedMessage(d, q.p.ARN, q.action, t.display())
}

// deniedError is AccessDenied as the action's service answers it: IAM and
// STS (query protocol) 403 AccessDenied; ECS and Application Auto Scaling
// (JSON) 400 AccessDeniedException with the same text ("api error
// AccessDeniedException: User: ... is not authorized to perform:
// ecs:CreateCluster on resource: arn:aws:ecs:...:cluster/NAME because no
// identity-based policy allows the ecs:CreateCluster action", StatusCode:
// 400; pulumi/docs #2860. "AccessDeniedException ... is not authorized to
// perform: application-autoscaling:RegisterScalableTarget on resource:
// arn:aws:application-autoscaling:...:scalable-target/... because no
// identity-based policy allows ...", cloud-custodian #9409; "Status Code:
// 400; Error Code: AccessDeniedException", aws-samples/
// aws-application-auto-scaling-kinesis #1).
func deniedError(service, msg string) *awserr.Error {
	if jsonServices[service] {
		return awserr.New(http.StatusBadRequest, "AccessDeniedException", "%s", msg)
	}
	return awserr.AccessDenied("%s", msg)
}

// jsonServices are the services, by action prefix, that answer a denial
// as AccessDeniedException.
var jsonServices = map[string]bool{"ecs": true, "application-autoscaling": true}

// noteAccess records allowed use for Access Advisor: users' and roles'
// (through their sessions); the root user and services are no IAM entity.
func (a *Authorizer) noteAccess(ctx context.Context, q *question) {
	p := q.p
	if a.dir == nil || (p.Kind != principal.User && p.Kind != principal.AssumedRole) {
		return
	}
	if !a.cache.accessDue(p.Account, p.ARN, q.action, q.now) {
		return
	}
	if err := a.dir.RecordAccess(ctx, p.Account, p.ARN, service(q.action), q.action, q.r.Region, q.now); err != nil {
		// Access Advisor is a report; a failed note must not fail the
		// request.
		a.log.Warn("recording service access", "principal", p.ARN, "action", q.action, "error", err)
	}
}

// record gives the audit log r, with its resources and statement, and
// how its reason is worded.
func (a *Authorizer) record(r *Record, resources []string, stmt *StatementInfo, by allowedBy) {
	if a.audit != nil {
		a.audit.add(r, resources, stmt, by)
	}
}

func (a *Authorizer) now() time.Time { return a.clock.Now().UTC() }

// allowedBy says how a record's Reason is worded.
type allowedBy uint8

const (
	reasonAsRecorded allowedBy = iota // the record's Reason
	byIdentityPolicy                  // its Statement, of an identity-based policy, allowed
	byResourcePolicy                  // its Statement, of the resource-based policy, allowed
)

// allowedReason is the Reason of a record its statement s allowed.
func allowedReason(by allowedBy, s *StatementInfo) string {
	where := "an identity-based policy"
	if by == byResourcePolicy {
		where = "the resource-based policy"
	}
	sid := ""
	if s.Sid != "" {
		sid = " (Sid " + s.Sid + ")"
	}
	return "allowed by statement " + strconv.Itoa(s.Index) + sid + " of " + where + " " + s.Source
}

func fromResourcePolicy(s *policy.StatementRef) bool {
	return s != nil && s.Source != nil && s.Source.Type == policy.TypeResource
}

func statementInfo(s *policy.StatementRef) *StatementInfo {
	if s == nil {
		return nil
	}
	si := statementValue(s)
	return &si
}

// statementValue is statementInfo's answer as a value.
func statementValue(s *policy.StatementRef) StatementInfo {
	si := StatementInfo{Sid: s.Sid, Index: s.Index, Effect: s.Effect, Line: s.Start.Line}
	if s.Source != nil {
		si.Source, si.Type = s.Source.ID, s.Source.Type.String()
	}
	return si
}

// explainDenial fills a denial's record: AWS's message and reason, then
// (evaluating again with Explain, off the allowed path) every statement
// that matched, the context keys conditions lacked, what each policy type
// said, and the request context.
func (a *Authorizer) explainDenial(rec *Record, set *policy.PolicySet, req *policy.Request, d policy.Decision, t *Target, msg string) {
	rec.Decision = d.Result.String()
	rec.Reason = d.Reason(req.Action)
	if d.Allowed() {
		// The trust rule denied what the engine alone would allow.
		rec.Decision = policy.ImplicitDeny.String()
		rec.Reason = "the role's trust policy does not allow the " + req.Action + " action (a trust policy must allow, even in the role's own account)"
	}
	rec.Message = msg
	rec.Denied = t.ARN
	// Of another account's resource the record shows nothing but what
	// AWS's answer says: not its tags or keys, not its policy's
	// statements.
	foreign := t.Account != "" && t.Account != rec.Account
	if !foreign || !fromResourcePolicy(d.Statement) {
		rec.Statement = statementInfo(d.Statement)
	}
	xr := *req
	xr.Explain = true
	xd := policy.Evaluate(set, &xr)
	for _, s := range xd.Matched {
		if foreign && fromResourcePolicy(s) {
			continue
		}
		rec.Matched = append(rec.Matched, statementValue(s))
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
		deciding := d.Type == pt || (d.Allowed() && pt == policy.TypeResource)
		if !tr.Applicable && counts[pt] == 0 && !deciding {
			continue
		}
		rec.Policies = append(rec.Policies, TypeSummary{Type: pt.String(), Count: counts[pt], Allowed: tr.Allowed, Denied: tr.Denied, Deciding: deciding})
	}
	if req.Context != nil {
		rec.Context = map[string][]string{}
		for _, k := range req.Context.Keys() {
			if foreign && fromResource(k, t) {
				continue
			}
			v, _ := req.Context.Values(k)
			rec.Context[k] = v
		}
	}
}

// fromResource: key is one the resource brought to the request (its tags,
// its own keys), which a record kept for the caller's account must not
// show when the resource is another account's.
func fromResource(key string, t *Target) bool {
	if strings.Contains(key, ":ResourceTag/") {
		return true
	}
	_, ok := t.Keys[key]
	return ok
}
