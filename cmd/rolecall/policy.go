package main

// rolecall policy eval: the policy engine without a server. It reads policy
// files, evaluates one request as AWS would, and says in words what
// decided, with the AccessDenied message AWS would send.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/policy"
)

func policyUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall policy eval --policy FILE [--policy FILE ...] --action SERVICE:ACTION --resource ARN [flags]

Evaluates one request against policy documents as AWS does and explains the
decision. Exit status: 0 allowed, 1 denied, 2 bad usage or input.

Flags:
  --policy FILE            identity-based policy of the principal (repeat for several)
  --boundary FILE          permissions boundary of the principal
  --resource-policy FILE   resource-based policy of the resource (a role's trust policy for sts:AssumeRole)
  --session-policy FILE    session policy (repeat for several)
  --scp FILE               service control policy attached to the principal's account (repeat for several)
  --action NAME            the action, e.g. iam:PassRole
  --resource ARN           the resource ARN; '*' for actions without resource types
  --principal ARN          who asks: a user, role, assumed-role session, account root, or a
                           service principal such as ecs-tasks.amazonaws.com
                           (default: a user of the resource's account)
  --context KEY=VALUE      a request context key (repeat; repeating a key gives it several values)
  --context-type KEY=TYPE  the type of a context key's values: string, numeric, boolean, date,
                           ip or binary, or one of those with List (default string)

Example:
  rolecall policy eval --policy deployer.json --action iam:PassRole \
    --resource arn:aws:iam::123456789012:role/app-task \
    --context iam:PassedToService=ecs-tasks.amazonaws.com
`)
}

func policyCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			policyUsage(stderr)
			return 2
		}
		policyUsage(stdout)
		return 0
	}
	switch args[0] {
	case "eval":
		return policyEval(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "rolecall policy: unknown command %q\n\n", args[0])
		policyUsage(stderr)
		return 2
	}
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// evalInput is a parsed policy eval command line.
type evalInput struct {
	policies, sessions, scps, contexts, contextTypes multiFlag
	boundary, resourcePolicy                         string
	action, resource, principal                      string
}

// usageError is bad usage or input: exit status 2 with its message.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

func policyEval(args []string, stdout, stderr io.Writer) int {
	var in evalInput
	fs := flag.NewFlagSet("policy eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { policyUsage(stderr) }
	fs.Var(&in.policies, "policy", "identity-based policy file")
	fs.StringVar(&in.boundary, "boundary", "", "permissions boundary file")
	fs.StringVar(&in.resourcePolicy, "resource-policy", "", "resource-based policy file")
	fs.Var(&in.sessions, "session-policy", "session policy file")
	fs.Var(&in.scps, "scp", "service control policy file")
	fs.StringVar(&in.action, "action", "", "action, e.g. iam:PassRole")
	fs.StringVar(&in.resource, "resource", "", "resource ARN")
	fs.StringVar(&in.principal, "principal", "", "principal ARN")
	fs.Var(&in.contexts, "context", "KEY=VALUE")
	fs.Var(&in.contextTypes, "context-type", "KEY=TYPE")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "rolecall policy eval: unexpected argument %q (every input is a flag; see rolecall policy eval -h)\n", fs.Arg(0))
		return 2
	}
	ev, err := in.prepare()
	if err != nil {
		fmt.Fprintf(stderr, "rolecall policy eval: %v\n", err)
		return 2
	}
	d := policy.Evaluate(ev.set, ev.req)
	ev.explain(stdout, d)
	if d.Allowed() {
		return 0
	}
	return 1
}

// evaluation is everything one eval needs, ready.
type evaluation struct {
	set          *policy.PolicySet
	req          *policy.Request
	callerNote   string // how the principal was chosen, when not given
	contextShown []string
	texts        map[string]string // policy text by file, for line numbers
}

func (in *evalInput) prepare() (*evaluation, error) {
	if in.action == "" {
		return nil, usagef("--action is required, e.g. --action iam:PassRole")
	}
	if svc, name, ok := strings.Cut(in.action, ":"); !ok || svc == "" || name == "" || strings.ContainsAny(in.action, "*?") {
		return nil, usagef("--action %q is not an action: write SERVICE:ACTION without wildcards, e.g. s3:GetObject", in.action)
	}
	if in.resource == "" {
		return nil, usagef("--resource is required: the ARN the action is on, or '*' for actions without resource types")
	}
	if in.resource != "*" {
		if _, err := arn.Parse(in.resource); err != nil {
			return nil, usagef("--resource %q is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) or '*'", in.resource)
		}
	}
	if len(in.policies) == 0 && in.resourcePolicy == "" {
		return nil, usagef("give the policies to evaluate: --policy FILE for the principal's identity-based policies, --resource-policy FILE for the resource's")
	}
	ps := &policy.PolicySet{}
	ev := &evaluation{set: ps, texts: map[string]string{}}
	for _, f := range in.policies {
		p, err := ev.load(f, "--policy", policy.Identity, policy.TypeIdentity)
		if err != nil {
			return nil, err
		}
		ps.Identity = append(ps.Identity, p)
	}
	if in.boundary != "" {
		p, err := ev.load(in.boundary, "--boundary", policy.Identity, policy.TypeBoundary)
		if err != nil {
			return nil, err
		}
		ps.Boundary = p
	}
	if in.resourcePolicy != "" {
		p, err := ev.load(in.resourcePolicy, "--resource-policy", policy.Resource, policy.TypeResource)
		if err != nil {
			return nil, err
		}
		ps.Resource = p
	}
	for _, f := range in.sessions {
		p, err := ev.load(f, "--session-policy", policy.Identity, policy.TypeSession)
		if err != nil {
			return nil, err
		}
		ps.Session = append(ps.Session, p)
	}
	if len(in.scps) > 0 {
		// The SCPs given are attached to one place, the account: one level.
		var level []*policy.Policy
		for _, f := range in.scps {
			p, err := ev.load(f, "--scp", policy.Identity, policy.TypeSCP)
			if err != nil {
				return nil, err
			}
			level = append(level, p)
		}
		ps.SCPs = [][]*policy.Policy{level}
	}

	resAccount := ""
	if a, err := arn.Parse(in.resource); err == nil && arn.IsAccountID(a.Account) {
		resAccount = a.Account
	}
	caller, note, err := callerOf(in.principal, resAccount)
	if err != nil {
		return nil, err
	}
	ev.callerNote = note

	ctx, shown, err := contextOf(in.contexts, in.contextTypes)
	if err != nil {
		return nil, err
	}
	ev.contextShown = shown
	// A real request carries the principal's own keys (aws:PrincipalArn,
	// aws:username...); keys given with --context win.
	ctx.AddCaller(caller)
	ev.req = &policy.Request{Caller: caller, Action: in.action, Resource: in.resource, ResourceAccount: resAccount, Context: ctx, Explain: true}
	return ev, nil
}

// load reads and compiles one policy file, trying a trust policy's rules
// when a resource policy's refuse it (a role's trust policy has no
// Resource).
func (ev *evaluation) load(file, flagName string, kind policy.Kind, typ policy.PolicyType) (*policy.Policy, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, usagef("cannot read %s %s: %v", flagName, file, err)
	}
	ev.texts[file] = string(b)
	src := policy.Source{ID: file, Type: typ}
	p, err := policy.CompileJSON(string(b), kind, src)
	if err != nil && kind == policy.Resource {
		if tp, terr := policy.CompileJSON(string(b), policy.Trust, src); terr == nil {
			return tp, nil
		}
	}
	if err != nil {
		msg := err.Error()
		if e := awserr.As(err); e != nil {
			msg = e.Code + ": " + e.Message
		}
		return nil, usagef("%s %s is not a valid %s, as IAM would refuse it: %s", flagName, file, typeWords[typ], msg)
	}
	return p, nil
}

// callerOf reads --principal. A role ARN stands for a session of the role.
func callerOf(principal, resAccount string) (policy.Caller, string, error) {
	if principal == "" {
		acct := resAccount
		if acct == "" {
			acct = "123456789012"
		}
		a := "arn:aws:iam::" + acct + ":user/example"
		return policy.Caller{Kind: policy.CallerUser, ARN: a, Account: acct, Name: "example"},
			"(no --principal given: an IAM user of the resource's account)", nil
	}
	if arn.IsAccountID(principal) {
		return policy.Caller{Kind: policy.CallerRoot, ARN: "arn:aws:iam::" + principal + ":root", Account: principal}, "", nil
	}
	a, err := arn.Parse(principal)
	if err != nil {
		if strings.HasSuffix(principal, ".amazonaws.com") || strings.HasSuffix(principal, ".amazon.com") {
			return policy.Caller{Kind: policy.CallerService, ARN: principal}, "", nil
		}
		return policy.Caller{}, "", usagef("--principal %q is neither an ARN, an account ID nor a service principal (e.g. ecs-tasks.amazonaws.com)", principal)
	}
	bad := usagef("--principal %q is not a principal: give a user, role, assumed-role or federated-user ARN, or arn:aws:iam::ACCOUNT:root", principal)
	if !arn.IsAccountID(a.Account) {
		return policy.Caller{}, "", bad
	}
	kind, rest, _ := strings.Cut(a.Resource, "/")
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	switch {
	case a.Service == "iam" && a.Resource == "root":
		return policy.Caller{Kind: policy.CallerRoot, ARN: principal, Account: a.Account}, "", nil
	case a.Service == "iam" && kind == "user" && name != "":
		return policy.Caller{Kind: policy.CallerUser, ARN: principal, Account: a.Account, Name: name}, "", nil
	case a.Service == "iam" && kind == "role" && name != "":
		session := "arn:" + a.Partition + ":sts::" + a.Account + ":assumed-role/" + name + "/policy-eval"
		return policy.Caller{Kind: policy.CallerRoleSession, ARN: session, Issuer: principal, Account: a.Account},
			"(a session of role " + principal + ")", nil
	case a.Service == "sts" && kind == "assumed-role":
		role, _, ok := strings.Cut(rest, "/")
		if !ok || role == "" {
			return policy.Caller{}, "", bad
		}
		return policy.Caller{Kind: policy.CallerRoleSession, ARN: principal, Issuer: "arn:" + a.Partition + ":iam::" + a.Account + ":role/" + role, Account: a.Account}, "", nil
	case a.Service == "sts" && kind == "federated-user" && name != "":
		return policy.Caller{Kind: policy.CallerFederatedUser, ARN: principal, Account: a.Account}, "", nil
	}
	return policy.Caller{}, "", bad
}

// contextOf reads --context and --context-type into a request context.
func contextOf(pairs, types multiFlag) (*policy.Context, []string, error) {
	typeOf := map[string]string{}
	for _, t := range types {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return nil, nil, usagef("--context-type %q: write KEY=TYPE, e.g. --context-type aws:MultiFactorAuthAge=numeric", t)
		}
		if !validContextType(v) {
			return nil, nil, usagef("--context-type %s: unknown type %q; use string, numeric, boolean, date, ip or binary, or one of those with List (stringList...)", k, v)
		}
		typeOf[strings.ToLower(k)] = v
	}
	var entries []iam.ContextEntry
	index := map[string]int{}
	var shown []string
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, nil, usagef("--context %q: write KEY=VALUE, e.g. --context aws:SecureTransport=true", p)
		}
		shown = append(shown, k+"="+v)
		lk := strings.ToLower(k)
		if i, ok := index[lk]; ok {
			entries[i].ContextKeyValues = append(entries[i].ContextKeyValues, v)
			continue
		}
		index[lk] = len(entries)
		entries = append(entries, iam.ContextEntry{ContextKeyName: k, ContextKeyValues: []string{v}, ContextKeyType: typeOf[lk]})
	}
	for lk := range typeOf {
		if _, ok := index[lk]; !ok {
			return nil, nil, usagef("--context-type names %s, which no --context sets", lk)
		}
	}
	ctx, err := iam.SimulationContext(entries)
	if err != nil {
		msg := err.Error()
		if e := awserr.As(err); e != nil {
			msg = e.Message
		}
		return nil, nil, usagef("%s", msg)
	}
	return ctx, shown, nil
}

func validContextType(t string) bool {
	switch strings.TrimSuffix(t, "List") {
	case "string", "numeric", "boolean", "date", "ip", "binary":
		return true
	}
	return false
}

var typeWords = map[policy.PolicyType]string{
	policy.TypeIdentity: "identity-based policy",
	policy.TypeResource: "resource-based policy",
	policy.TypeBoundary: "permissions boundary",
	policy.TypeSession:  "session policy",
	policy.TypeSCP:      "service control policy",
	policy.TypeRCP:      "resource control policy",
}

// stmtWords names a statement for a person: statement 2 (Sid "X") of
// p.json, lines 3-9 (from the line of its '{').
func (ev *evaluation) stmtWords(s *policy.StatementRef) string {
	out := fmt.Sprintf("statement %d", s.Index+1)
	if s.Sid != "" {
		out += fmt.Sprintf(" (Sid %q)", s.Sid)
	}
	out += " of " + s.Source.ID
	first := braceLine(ev.texts[s.Source.ID], s.Start)
	switch {
	case s.Start.Line == 0:
	case first == s.End.Line:
		out += fmt.Sprintf(", line %d", first)
	default:
		out += fmt.Sprintf(", lines %d-%d", first, s.End.Line)
	}
	return out
}

// braceLine is the line of the first '{' at or after the character before
// start: the statement's own '{' (IAM's StartPosition may sit just after
// the '[' or the previous statement, lines before it).
func braceLine(text string, start policy.Position) int {
	line, col := 1, 1 // col counts UTF-16 units, as Position does
	for _, r := range text {
		if line > start.Line || line == start.Line && col >= start.Column-1 {
			if r == '{' {
				return line
			}
		}
		switch {
		case r == '\n':
			line, col = line+1, 1
		case r >= 0x10000:
			col += 2
		default:
			col++
		}
	}
	return start.Line
}

// firstMatched is the first matched statement of a type and effect.
func firstMatched(d policy.Decision, t policy.PolicyType, effect string) *policy.StatementRef {
	for _, s := range d.Matched {
		if s.Source.Type == t && s.Effect == effect {
			return s
		}
	}
	return nil
}

func files(ps []*policy.Policy) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Source.ID
	}
	return strings.Join(names, ", ")
}

func (ev *evaluation) explain(w io.Writer, d policy.Decision) {
	r := ev.req
	verdict := map[policy.Result]string{policy.Allowed: "ALLOWED", policy.ExplicitDeny: "DENIED (explicit deny)", policy.ImplicitDeny: "DENIED (implicit deny: nothing allowed it)"}[d.Result]
	fmt.Fprintf(w, "%s\n\n", verdict)
	fmt.Fprintf(w, "Request\n  principal  %s", r.Caller.ARN)
	if ev.callerNote != "" {
		fmt.Fprintf(w, " %s", ev.callerNote)
	}
	fmt.Fprintf(w, "\n  action     %s\n  resource   %s\n", r.Action, r.Resource)
	if r.ResourceAccount != "" && r.ResourceAccount != r.Caller.Account && r.Caller.Account != "" {
		fmt.Fprintf(w, "  accounts   principal in %s, resource in %s: a cross-account request\n", r.Caller.Account, r.ResourceAccount)
	}
	for i, c := range ev.contextShown {
		label := "             "
		if i == 0 {
			label = "  context    "
		}
		fmt.Fprintf(w, "%s%s\n", label, c)
	}

	fmt.Fprintf(w, "\nWhy\n")
	for _, line := range ev.reasons(d) {
		fmt.Fprintf(w, "  %s\n", line)
	}

	if !d.Allowed() {
		fmt.Fprintf(w, "\nAWS would answer\n  AccessDenied: %s\n", policy.AccessDeniedMessage(d, r.Caller.ARN, r.Action, r.Resource))
	}
	if len(d.Matched) > 0 {
		fmt.Fprintf(w, "\nStatements that matched the request\n")
		for _, s := range d.Matched {
			fmt.Fprintf(w, "  %-5s  %s (%s)\n", s.Effect, ev.stmtWords(s), typeWords[s.Source.Type])
		}
	}
	if len(d.Missing) > 0 {
		missing := append([]string(nil), d.Missing...)
		sort.Strings(missing)
		fmt.Fprintf(w, "\nMissing context keys\n  Conditions or policy variables need these keys, which the request lacks; such a condition does not\n  match (except ...IfExists and negated operators). Supply them with --context KEY=VALUE:\n")
		for _, k := range missing {
			fmt.Fprintf(w, "  %s\n", k)
		}
	}
}

// reasons says in sentences what decided.
func (ev *evaluation) reasons(d policy.Decision) []string {
	r, ps := ev.req, ev.set
	act := r.Action
	cross := r.ResourceAccount != "" && r.Caller.Account != "" && r.ResourceAccount != r.Caller.Account
	switch d.Result {
	case policy.ExplicitDeny:
		return []string{
			fmt.Sprintf("%s (%s) denies %s.", capitalize(ev.stmtWords(d.Statement)), typeWords[d.Type], act),
			"An explicit Deny in any policy overrides every Allow.",
		}
	case policy.Allowed:
		var out []string
		if d.Type == policy.TypeResource {
			switch r.Caller.Kind {
			case policy.CallerService, policy.CallerFederated, policy.CallerAnonymous:
				out = append(out, fmt.Sprintf("%s (resource-based policy) allows %s for %s; a service or federated principal has no identity-based policies, so the resource-based policy alone decides.", capitalize(ev.stmtWords(d.Statement)), act, r.Caller.ARN))
			default:
				out = append(out, fmt.Sprintf("%s (resource-based policy) allows %s and names the principal; in the same account that is enough on its own.", capitalize(ev.stmtWords(d.Statement)), act))
			}
		} else if d.Statement == nil {
			out = append(out, fmt.Sprintf("The principal is the account's root user, which may perform %s in its own account without any identity-based policy.", act))
		} else {
			out = append(out, fmt.Sprintf("%s (identity-based policy) allows %s.", capitalize(ev.stmtWords(d.Statement)), act))
			if cross {
				if s := firstMatched(d, policy.TypeResource, "Allow"); s != nil {
					out = append(out, fmt.Sprintf("The resource is in account %s, so its resource-based policy must allow it too: %s does.", r.ResourceAccount, ev.stmtWords(s)))
				}
			}
		}
		for _, t := range []policy.PolicyType{policy.TypeBoundary, policy.TypeSession, policy.TypeSCP} {
			switch tr := d.Types[t]; {
			case !tr.Applicable:
			case tr.Allowed:
				if s := firstMatched(d, t, "Allow"); s != nil {
					out = append(out, fmt.Sprintf("The %s allows it too: %s.", typeWords[t], ev.stmtWords(s)))
				}
			default:
				out = append(out, fmt.Sprintf("The %s does not allow it, but a resource-based policy that names the principal itself is not limited by it.", typeWords[t]))
			}
		}
		return out
	}
	// Implicit deny: say which policy type failed to allow.
	switch d.Type {
	case policy.TypeIdentity:
		if len(ps.Identity) == 0 {
			return []string{fmt.Sprintf("No identity-based policy was given (--policy), and nothing else allows %s on its own.", act)}
		}
		out := []string{fmt.Sprintf("No statement of the identity-based policies (%s) allows %s on %s.", files(ps.Identity), act, r.Resource)}
		out = append(out, ev.nearMisses(ps.Identity)...)
		if ps.Resource != nil && !cross {
			out = append(out, "The resource-based policy does not allow it by naming the principal either (naming only the account leaves the decision to identity-based policies).")
		}
		return out
	case policy.TypeResource:
		switch {
		case ps.Resource == nil && cross:
			return []string{fmt.Sprintf("The resource is in account %s and no resource-based policy was given (--resource-policy): across accounts the resource's policy must allow the request too.", r.ResourceAccount)}
		case ps.Resource == nil:
			return []string{fmt.Sprintf("%s is an AWS service or federated principal: only a resource-based policy (a role's trust policy) can allow it, and none was given (--resource-policy).", r.Caller.ARN)}
		case cross:
			return append([]string{fmt.Sprintf("The resource is in account %s: across accounts its resource-based policy (%s) must allow the request too, and no statement of it allows %s for %s.", r.ResourceAccount, ps.Resource.Source.ID, act, r.Caller.ARN)},
				ev.nearMisses([]*policy.Policy{ps.Resource})...)
		}
		return append([]string{fmt.Sprintf("No statement of the resource-based policy %s allows %s for %s, and only it can allow this principal.", ps.Resource.Source.ID, act, r.Caller.ARN)},
			ev.nearMisses([]*policy.Policy{ps.Resource})...)
	case policy.TypeBoundary:
		return append([]string{
			fmt.Sprintf("The permissions boundary %s does not allow %s.", ps.Boundary.Source.ID, act),
			"A boundary caps what identity-based policies can grant: an action must be allowed by both.",
		}, ev.nearMisses([]*policy.Policy{ps.Boundary})...)
	case policy.TypeSession:
		return append([]string{
			fmt.Sprintf("No session policy (%s) allows %s.", files(ps.Session), act),
			"A session can do only what both its role's policies and its session policies allow.",
		}, ev.nearMisses(ps.Session)...)
	case policy.TypeSCP:
		return append([]string{fmt.Sprintf("No service control policy (%s) allows %s: SCPs cap what any principal of the account can do.", files(ps.SCPs[0]), act)},
			ev.nearMisses(ps.SCPs[0])...)
	}
	return []string{"No policy allows it."}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
