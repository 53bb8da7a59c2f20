package console

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/model"
)

// The Policy simulator: "You can run simulations from the policy simulator
// in the IAM console. In the navigation pane, choose Policy simulator." In
// Principal mode one chooses a user, role or group of the account and its
// policies are simulated (SimulatePrincipalPolicy); in Custom mode one
// pastes the policies (SimulateCustomPolicy); then the actions, the
// resources and the context keys (IAM User Guide, "How to simulate
// policies",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/policies_policy-simulator-how-to.html).
// The results are what the API answers, shown per action and resource:
// the decision, the matched statements (with their text where the console
// has the document), the missing context values, the permissions
// boundary's and the cross-account details.
//
// One form, posted back to the page (a simulation changes nothing, so the
// answer is the page itself, not a redirect): its buttons list a service's
// actions, read the context keys the policies use
// (GetContextKeysFor*Policy) or run the simulation; the script only
// submits a choice of mode or service.

const (
	principalMode = "principal"
	customMode    = "custom"
)

// simForm is what the form holds.
type simForm struct {
	Mode      string // principalMode or customMode
	Principal string // the ARN of the user, group or role (principal mode)
	Policy    string // the policy to simulate (custom mode)
	Boundary  string // a permissions boundary to simulate with it (custom mode)
	Service   string // the service whose actions are listed
	Actions   []string
	Resources []string
	Context   []contextRow
	// ResourcePolicy and CallerArn: a resource-based policy evaluated
	// with each resource, and the IAM user it is evaluated for.
	ResourcePolicy, CallerArn string
}

// contextRow is one context entry: a key, its type, and its values
// separated by commas.
type contextRow struct{ Key, Type, Values string }

// blankContextRows is how many empty context rows the form offers after
// the filled ones: without a script, a row is added by sending the form.
const blankContextRows = 2

// readSimForm reads the form posted, or on a GET what a link fills in
// (?principal=ARN, ?mode=custom).
func readSimForm(r *http.Request) *simForm {
	v := r.URL.Query()
	if r.Method == http.MethodPost {
		r.ParseForm()
		v = r.PostForm
	}
	f := &simForm{Mode: v.Get("mode"), Principal: strings.TrimSpace(v.Get("principal")), Policy: v.Get("policy"), Boundary: v.Get("boundary"),
		Service: v.Get("service"), ResourcePolicy: v.Get("resource_policy"), CallerArn: strings.TrimSpace(v.Get("caller_arn"))}
	if f.Mode != customMode {
		f.Mode = principalMode
	}
	if typed := strings.TrimSpace(v.Get("principal_arn")); typed != "" {
		f.Principal = typed
	}
	f.Actions = dedupFold(append(splitList(v.Get("actions")), v["action"]...))
	f.Resources = splitList(v.Get("resources"))
	keys, types, values := v["context_key"], v["context_type"], v["context_values"]
	for i, k := range keys {
		row := contextRow{Key: strings.TrimSpace(k), Type: "string"}
		if i < len(types) && types[i] != "" {
			row.Type = types[i]
		}
		if i < len(values) {
			row.Values = strings.TrimSpace(values[i])
		}
		if row.Key != "" {
			f.Context = append(f.Context, row)
		}
	}
	return f
}

// splitList reads a list typed one item a line (or separated by commas
// or spaces: no action name or ARN has either).
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
}

// dedupFold keeps the first of the items equal but for case: IAM's action
// names are case-insensitive.
func dedupFold(items []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if k := strings.ToLower(it); !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out
}

// values splits a context row's values.
func (r contextRow) values() []string {
	var out []string
	for _, v := range strings.Split(r.Values, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// policiesProblem is what the form lacks to name the policies, in the
// console's words; "" when nothing.
func (f *simForm) policiesProblem() string {
	switch {
	case f.Mode == principalMode && f.Principal == "":
		return "Choose a user, user group or role to simulate."
	case f.Mode == customMode && strings.TrimSpace(f.Policy) == "":
		return "Enter the policy to simulate."
	}
	return ""
}

// problem is what the form lacks for a simulation.
func (f *simForm) problem() string {
	if p := f.policiesProblem(); p != "" {
		return p
	}
	if len(f.Actions) == 0 {
		return "Choose at least one action."
	}
	return ""
}

// policies are the operation's policy parameters: the principal, or the
// pasted policies.
func (f *simForm) policies() url.Values {
	if f.Mode == principalMode {
		return params("PolicySourceArn", f.Principal)
	}
	return params("PolicyInputList.member.1", f.Policy)
}

// simulation is the request of SimulatePrincipalPolicy or
// SimulateCustomPolicy, as the API takes it.
func (f *simForm) simulation() (op string, in url.Values) {
	op, in = "SimulatePrincipalPolicy", f.policies()
	if f.Mode == customMode {
		op = "SimulateCustomPolicy"
		if strings.TrimSpace(f.Boundary) != "" {
			in.Set("PermissionsBoundaryPolicyInputList.member.1", f.Boundary)
		}
	}
	for i, a := range f.Actions {
		in.Set("ActionNames.member."+strconv.Itoa(i+1), a)
	}
	for i, r := range f.Resources {
		in.Set("ResourceArns.member."+strconv.Itoa(i+1), r)
	}
	if strings.TrimSpace(f.ResourcePolicy) != "" {
		in.Set("ResourcePolicy", f.ResourcePolicy)
	}
	if f.CallerArn != "" {
		in.Set("CallerArn", f.CallerArn)
	}
	for i, c := range f.Context {
		entry := "ContextEntries.member." + strconv.Itoa(i+1) + "."
		in.Set(entry+"ContextKeyName", c.Key)
		in.Set(entry+"ContextKeyType", c.Type)
		for j, v := range c.values() {
			in.Set(entry+"ContextKeyValues.member."+strconv.Itoa(j+1), v)
		}
	}
	return op, in
}

// contextKeyTypes are the ContextKeyType values the API takes, from its
// model (ContextKeyTypeEnum).
var contextKeyTypes = sync.OnceValue(func() []string {
	return model.MustLoad("iam").Shapes["ContextKeyTypeEnum"].Enum
})

// contextKeyType is the ContextKeyType of a condition key the Service
// Authorization Reference knows, "string" for others.
func contextKeyType(key string) string {
	info, ok := actions.ConditionKey(key)
	if !ok {
		return "string"
	}
	typ := "string"
	switch info.Type.Elem() {
	case actions.TypeBool:
		typ = "boolean"
	case actions.TypeDate:
		typ = "date"
	case actions.TypeNumeric:
		typ = "numeric"
	case actions.TypeIPAddress:
		typ = "ip"
	}
	if info.Type.IsArray() {
		typ += "List"
	}
	return typ
}

// simServices are the services to list actions of, from the Service
// Authorization Reference.
var simServices = sync.OnceValue(actions.Services)

type simulatorView struct {
	simForm
	// Principals are the account's users, user groups and roles, each
	// listed with its List operation; a list refused or failed says why.
	Principals []principalGroup
	Listed     bool // the chosen principal is in a list
	Services   []actions.ServiceInfo
	// ServiceActions are the listed service's actions, checked when
	// chosen; ActionsText the other actions chosen, one a line.
	ServiceActions []actionChoice
	Checked        []string // the service's actions chosen
	ActionsText    string
	ContextRows    []contextRow // the filled rows, then blank ones
	Types          []string

	Problem string   // what the form lacks
	Note    string   // what the last button did, when it says so
	Failed  *failure // the simulation's (or the context keys') request
	Ran     bool     // the simulation ran: Results are its answer
	Results []simResult
}

type principalGroup struct {
	Label   string
	Options []principalOption
	Failed  *failure
}

type principalOption struct{ Name, Arn string }

type actionChoice struct {
	Name, Level string
	Checked     bool
}

// simResult is one action's answer (an EvaluationResult). With several
// resources, Resources holds each one's answer.
type simResult struct {
	Action string
	simOutcome
	Resources []simOutcome
}

// simOutcome is an answer for a resource (the EvaluationResult's own, or
// a ResourceSpecificResult).
type simOutcome struct {
	Resource   string
	Several    bool   // the answer for several resources, each answered below
	Decision   string // allowed, explicitDeny, implicitDeny
	Label      string // the decision in words
	Statements []simStatement
	Missing    []string
	Boundary   string // "Allowed" or "Not allowed" by the permissions boundary; "" without one
	Details    []decisionDetail
}

type simStatement struct {
	Source, Type string
	Start, End   string // "line 3, column 19"
	Text         string // the statement, when the console has its document
}

// decisionDetail is an entry of EvalDecisionDetails: a policy type's
// decision, in a cross-account simulation.
type decisionDetail struct{ Type, Decision string }

// decisionLabels are the EvalDecision values in words.
var decisionLabels = map[string]string{
	"allowed":      "Allowed",
	"explicitDeny": "Denied: explicitly, by a Deny statement",
	"implicitDeny": "Denied: implicitly, no statement allows it",
}

func (c *Console) simulatorPage(q *req) {
	q.simulator(readSimForm(q.r), "")
}

// simulate answers the form's buttons: run (the default, Enter's), list
// a service's actions (the service menu), read the policies' context keys.
func (c *Console) simulate(q *req) {
	f := readSimForm(q.r)
	q.simulator(f, q.r.PostFormValue("do"))
}

func (q *req) simulator(f *simForm, do string) {
	v := q.iamView("Policy simulator", "simulator")
	sv := &simulatorView{simForm: *f, Services: simServices(), Types: contextKeyTypes()}
	v.Page = sv
	status := http.StatusOK
	switch do {
	case "run":
		if sv.Problem = f.problem(); sv.Problem != "" {
			status = http.StatusBadRequest
			break
		}
		op, in := f.simulation()
		var results []iam.EvaluationResult
		sv.Failed = q.iamPages(op, in, func(out any) {
			results = append(results, member[[]iam.EvaluationResult](out, "EvaluationResults")...)
		})
		if sv.Failed != nil {
			status = failureStatus(sv.Failed)
			break
		}
		sv.Ran, sv.Results = true, f.results(results)
	case "keys":
		status = q.addContextKeys(sv)
	}
	if sv.Mode == principalMode {
		q.listPrincipals(sv)
	}
	sv.chooseActions()
	sv.ContextRows = append(append([]contextRow(nil), sv.Context...), make([]contextRow, blankContextRows)...)
	q.c.render(q.w, status, "simulator", v)
}

// addContextKeys adds a row for each context key the policies use that
// the form lacks (GetContextKeysForPrincipalPolicy or
// GetContextKeysForCustomPolicy), typed as the Service Authorization
// Reference types it.
func (q *req) addContextKeys(sv *simulatorView) int {
	op := "GetContextKeysForPrincipalPolicy"
	if sv.Mode == customMode {
		op = "GetContextKeysForCustomPolicy"
	}
	if sv.Problem = sv.policiesProblem(); sv.Problem != "" {
		return http.StatusBadRequest
	}
	out, f := q.iam(op, sv.policies())
	if f != nil {
		sv.Failed = f
		return failureStatus(f)
	}
	keys := member[[]string](out, "ContextKeyNames")
	have := map[string]bool{}
	for _, c := range sv.Context {
		have[strings.ToLower(c.Key)] = true
	}
	for _, k := range keys {
		if !have[strings.ToLower(k)] {
			sv.Context = append(sv.Context, contextRow{Key: k, Type: contextKeyType(k)})
		}
	}
	if len(keys) == 0 {
		sv.Note = "The policies use no context keys."
	} else {
		sv.Note = "Context keys the policies use: " + strings.Join(keys, ", ") + ". Enter their values below."
	}
	return http.StatusOK
}

// listPrincipals lists the users, user groups and roles to choose from.
func (q *req) listPrincipals(sv *simulatorView) {
	users, f := iamList[iam.User](q, "ListUsers", "Users", nil)
	sv.Principals = append(sv.Principals, principalList("Users", users, f, func(u *iam.User) principalOption { return principalOption{u.UserName, u.Arn} }))
	groups, f := iamList[iam.Group](q, "ListGroups", "Groups", nil)
	sv.Principals = append(sv.Principals, principalList("User groups", groups, f, func(g *iam.Group) principalOption { return principalOption{g.GroupName, g.Arn} }))
	roles, f := q.listRoles()
	sv.Principals = append(sv.Principals, principalList("Roles", roles, f, func(r *iam.Role) principalOption { return principalOption{r.RoleName, r.Arn} }))
	for _, g := range sv.Principals {
		for _, o := range g.Options {
			sv.Listed = sv.Listed || o.Arn == sv.Principal
		}
	}
}

func principalList[T any](label string, items []T, f *failure, option func(*T) principalOption) principalGroup {
	g := principalGroup{Label: label, Failed: f}
	for i := range items {
		g.Options = append(g.Options, option(&items[i]))
	}
	return g
}

// chooseActions splits the chosen actions between the listed service's
// check boxes and the text box.
func (sv *simulatorView) chooseActions() {
	chosen := map[string]bool{}
	for _, a := range sv.Actions {
		chosen[strings.ToLower(a)] = true
	}
	listed := map[string]bool{}
	for _, a := range actions.Actions(sv.Service) {
		name := a.FullName()
		c := actionChoice{Name: name, Level: string(a.AccessLevel), Checked: chosen[strings.ToLower(name)]}
		if c.Checked {
			sv.Checked = append(sv.Checked, name)
		}
		sv.ServiceActions = append(sv.ServiceActions, c)
		listed[strings.ToLower(name)] = true
	}
	var rest []string
	for _, a := range sv.Actions {
		if !listed[strings.ToLower(a)] {
			rest = append(rest, a)
		}
	}
	sv.ActionsText = strings.Join(rest, "\n")
}

// results are the API's answers as the page shows them.
func (f *simForm) results(in []iam.EvaluationResult) []simResult {
	out := make([]simResult, 0, len(in))
	for _, r := range in {
		sr := simResult{Action: r.EvalActionName,
			simOutcome: f.outcome(r.EvalResourceName, r.EvalDecision, r.MatchedStatements, r.MissingContextValues, r.PermissionsBoundaryDecisionDetail, r.EvalDecisionDetails)}
		// With one resource the action's answer is that resource's: the
		// API repeats it.
		if len(r.ResourceSpecificResults) > 1 {
			sr.Several = true
			for _, rr := range r.ResourceSpecificResults {
				sr.Resources = append(sr.Resources, f.outcome(rr.EvalResourceName, rr.EvalResourceDecision, rr.MatchedStatements, rr.MissingContextValues, rr.PermissionsBoundaryDecisionDetail, rr.EvalDecisionDetails))
			}
		}
		out = append(out, sr)
	}
	return out
}

func (f *simForm) outcome(resource, decision string, matched []iam.MatchedStatement, missing []string, boundary *iam.PermissionsBoundaryDecisionDetail, details map[string]string) simOutcome {
	o := simOutcome{Resource: resource, Decision: decision, Label: decisionLabels[decision], Missing: missing}
	if o.Label == "" {
		o.Label = decision
	}
	for _, m := range matched {
		s := simStatement{Source: m.SourcePolicyId, Type: m.SourcePolicyType, Start: position(m.StartPosition), End: position(m.EndPosition)}
		if doc := f.document(m.SourcePolicyId); doc != "" {
			s.Text = statementText(doc, m.StartPosition, m.EndPosition)
		}
		o.Statements = append(o.Statements, s)
	}
	if boundary != nil {
		o.Boundary = "Not allowed"
		if boundary.AllowedByPermissionsBoundary {
			o.Boundary = "Allowed"
		}
	}
	for t, d := range details {
		o.Details = append(o.Details, decisionDetail{t, d})
	}
	sort.Slice(o.Details, func(i, j int) bool { return o.Details[i].Type < o.Details[j].Type })
	return o
}

// document is the text of a policy the form sent, by the SourcePolicyId
// the simulator names it with ("" for the principal's own policies).
func (f *simForm) document(id string) string {
	switch id {
	case "PolicyInputList.1":
		if f.Mode == customMode {
			return f.Policy
		}
	case "PermissionsBoundaryPolicyInputList.1":
		if f.Mode == customMode {
			return f.Boundary
		}
	case "ResourcePolicy":
		return f.ResourcePolicy
	}
	return ""
}

func position(p *iam.StatementPosition) string {
	if p == nil {
		return ""
	}
	return "line " + strconv.Itoa(int(p.Line)) + ", column " + strconv.Itoa(int(p.Column))
}

// statementText is a matched statement's text in doc, from the positions
// the simulator answers: the column just after the token before the
// statement (its own '{' for a lone statement, else the '[' or the
// previous statement's '}') and the column just after its '}', columns
// counted in UTF-16 units (internal/policy's Position). It is "" when the
// positions do not point at a statement of doc.
func statementText(doc string, start, end *iam.StatementPosition) string {
	if start == nil || end == nil {
		return ""
	}
	from, ok := offsetOf(doc, start)
	to, ok2 := offsetOf(doc, end)
	if !ok || !ok2 || from < 1 || to <= from {
		return ""
	}
	open := from - 1
	if doc[open] != '{' {
		open = from + len(doc[from:to]) - len(strings.TrimLeft(doc[from:to], " \t\r\n,"))
	}
	if open >= to || doc[open] != '{' || doc[to-1] != '}' {
		return ""
	}
	// The first line as indented in the document, so that the statement's
	// lines keep their shape once the common indentation is taken off.
	lineStart := strings.LastIndexByte(doc[:open], '\n') + 1
	lead := doc[lineStart:open]
	if strings.TrimSpace(lead) != "" {
		lead = strings.Repeat(" ", utf8.RuneCountInString(lead))
	}
	return dedent(lead + doc[open:to])
}

// offsetOf is the byte offset of a line and 1-based UTF-16 column in doc;
// the column just past a line's end is its newline (or the end of doc).
func offsetOf(doc string, p *iam.StatementPosition) (int, bool) {
	i := 0
	for line := int32(1); line < p.Line; line++ {
		nl := strings.IndexByte(doc[i:], '\n')
		if nl < 0 {
			return 0, false
		}
		i += nl + 1
	}
	for units := int32(1); units < p.Column; {
		if i >= len(doc) || doc[i] == '\n' {
			return 0, false
		}
		r, n := utf8.DecodeRuneInString(doc[i:])
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		i += n
	}
	return i, true
}

// dedent takes off the indentation all of the text's lines share.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if n := len(l) - len(strings.TrimLeft(l, " \t")); common < 0 || n < common {
			common = n
		}
	}
	if common <= 0 {
		return s
	}
	for i, l := range lines {
		if len(l) >= common {
			lines[i] = l[common:]
		} else {
			lines[i] = strings.TrimLeft(l, " \t") // a blank line
		}
	}
	return strings.Join(lines, "\n")
}
