package iam

// The IAM policy simulator: SimulateCustomPolicy, SimulatePrincipalPolicy,
// GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy, on top
// of the policy engine (internal/policy).
//
// What AWS answers, and where it is written down:
//   - One EvaluationResult per action, with one ResourceSpecificResult per
//     resource (jq checks of real answers in public runbooks: one action and
//     four role ARNs give 1 result with 4 ResourceSpecificResults; three
//     actions and eight ARNs give 3 results of 8 each). With one resource
//     the top level repeats that resource's answer (LocalStack's recording
//     of AWS, test_simulate_principle_policy); with several, the top level
//     is an aggregate under a resource-type template name such as
//     "arn:aws:s3:::${BucketName}/${KeyName}" (measured against AWS by
//     Caleb-Kelly-25/preflight, internal/simulate) whose decision is denied
//     when any resource is. rolecall renders the template from the Service
//     Authorization Reference's ARN format; AWS's own template names differ
//     in places (${KeyName} where the reference says ${ObjectName}).
//   - With no resource (or "*") there are no ResourceSpecificResults and no
//     EvalDecisionDetails (AWS CLI examples for simulate-custom-policy and
//     simulate-principal-policy; the API reference: "If the simulation
//     evaluates policies within the same account and specifies all resources
//     (*), then the parameter is not returned"); with a resource in the
//     same account EvalDecisionDetails is present and empty.
//   - MatchedStatements lists every matching statement, Allows beside the
//     Deny that decided (a real answer quoted in ScottLogic's blog,
//     "Automated permissions testing with AWS IAM Policy Simulator": an
//     explicitDeny lists the resource policy's Deny and the identity
//     policy's Allow), resource policy first.
//   - SourcePolicyId: "PolicyInputList.N" for input policies, the policy's
//     name for managed policies, "role_ROLE_POLICY" for a role's inline
//     policy (recorded answers quoted in public notes), "ResourcePolicy"
//     for the resource policy. SourcePolicyType: "IAM Policy", "Resource
//     Policy", "Permissions Boundary Policy" (the botocore enum lists
//     user/group/role/... but AWS sends these).
//   - "Simulation of resource-based policies isn't supported for IAM roles"
//     (API reference, ResourceArns): a ResourcePolicy is not evaluated for
//     a role resource (aws/aws-cli #10314 shows a Deny trust policy
//     ignored).
//
// Not reproduced: AWS refuses some mixes of actions in one call with
// InvalidInput "Invalid Input Actions: [A,B] and [C] require different
// authorization information." (seen in public scripts for iam:PassRole
// with sts:AssumeRole, some S3 bucket-configuration actions with other S3
// actions, redshift:CreateCluster with redshift:CreateDatabase). AWS
// documents neither the rule nor the groups (the API reference says
// nothing of it), so rolecall, which cannot know them, evaluates every mix.

import (
	"context"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/policy"
)

// ContextEntry is one simulated condition key and its values.
type ContextEntry struct {
	ContextKeyName   string
	ContextKeyValues []string
	ContextKeyType   string // string, stringList, numeric, numericList, boolean, ..., date, dateList
}

// SimulateInput is the request of SimulateCustomPolicy and
// SimulatePrincipalPolicy (PolicySourceArn is the latter's only).
type SimulateInput struct {
	PolicySourceArn                    string
	PolicyInputList                    []string
	PermissionsBoundaryPolicyInputList []string
	ActionNames                        []string
	ResourceArns                       []string
	ResourcePolicy                     string
	ResourceOwner                      string
	CallerArn                          string
	ContextEntries                     []ContextEntry
	ResourceHandlingOption             string
}

// StatementPosition is a line and column in a policy document.
type StatementPosition struct {
	Line, Column int32
}

// MatchedStatement is one statement that took part in a decision.
type MatchedStatement struct {
	SourcePolicyId   string
	SourcePolicyType string
	StartPosition    *StatementPosition
	EndPosition      *StatementPosition
}

// PermissionsBoundaryDecisionDetail says whether the boundary allowed.
type PermissionsBoundaryDecisionDetail struct {
	AllowedByPermissionsBoundary bool
}

// ResourceSpecificResult is one action's answer for one resource.
type ResourceSpecificResult struct {
	EvalResourceName                  string
	EvalResourceDecision              string
	MatchedStatements                 []MatchedStatement
	MissingContextValues              []string
	EvalDecisionDetails               map[string]string
	PermissionsBoundaryDecisionDetail *PermissionsBoundaryDecisionDetail
}

// EvaluationResult is one action's answer.
type EvaluationResult struct {
	EvalActionName                    string
	EvalResourceName                  string
	EvalDecision                      string
	MatchedStatements                 []MatchedStatement
	MissingContextValues              []string
	PermissionsBoundaryDecisionDetail *PermissionsBoundaryDecisionDetail
	EvalDecisionDetails               map[string]string
	ResourceSpecificResults           []ResourceSpecificResult
}

// SourcePolicyType values AWS sends.
const (
	sourceIAM      = "IAM Policy"
	sourceResource = "Resource Policy"
	sourceBoundary = "Permissions Boundary Policy"
)

// Errors of the simulator. Recorded from AWS where a source is named;
// the others are unverified and worded as IAM's InvalidInput answers.

// errInvalidCaller: "Invalid caller - Caller must be an IAM user in this
// context." (SimulatePrincipalPolicy with a ResourcePolicy for a role,
// quoted from AWS in ScottLogic's simulator blog).
var errInvalidCaller = awserr.InvalidInput("Invalid caller - Caller must be an IAM user in this context.")

// errEntityArn: "Invalid Entity Arn: arn:aws:sts::...:assumed-role/... does
// not clearly define entity type and name." (newrelic-lambda-cli docs,
// quoting AWS).
func errEntityArn(a string) error {
	return awserr.InvalidInput("Invalid Entity Arn: %s does not clearly define entity type and name.", a)
}

// errResourceOwner: "'123456789012' is not a valid as a Resource Owner."
// (boto/botocore #1346, quoting AWS).
func errResourceOwner(v string) error {
	return awserr.InvalidInput("'%s' is not a valid as a Resource Owner.", v)
}

// errResourceNotArn: a ResourceArns member that is not an ARN ("An error
// occurred (InvalidInput) when calling the SimulatePrincipalPolicy
// operation: ResourceNames are not in a valid ARN format:
// 14a050d4-021e-4efe-84bb-0871bf6d0fda.", aws-containers/
// amazon-ecs-exec-checker #35, one member given; which of several AWS
// names is unverified: rolecall names the first).
func errResourceNotArn(v string) error {
	return awserr.InvalidInput("ResourceNames are not in a valid ARN format: %s.", v)
}

// errBoundaryInputs: unverified.
var errBoundaryInputs = awserr.InvalidInput("The list of Permissions Boundary policies cannot exceed 1 items.")

// errContextValue: unverified.
func errContextValue(key, typ, v string) error {
	return awserr.InvalidInput("Invalid value %s for context key %s of type %s.", v, key, typ)
}

// errResourceHandling: unverified.
func errResourceHandling(opt string) error {
	return awserr.InvalidInput("Invalid ResourceHandlingOption: %s.", opt)
}

// errScenarioResources: unverified.
func errScenarioResources(opt string, missing []string) error {
	return awserr.InvalidInput("Resource handling option %s requires resources of type: %s.", opt, strings.Join(missing, ", "))
}

// SimulateCustomPolicy simulates the input policies (SimulateCustomPolicy).
func (s *Service) SimulateCustomPolicy(ctx context.Context, account string, in SimulateInput, p Page) ([]EvaluationResult, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	sim := &simulation{account: account}
	if err := sim.identityInputs(in.PolicyInputList); err != nil {
		return nil, "", err
	}
	if err := sim.boundaryInput(in.PermissionsBoundaryPolicyInputList); err != nil {
		return nil, "", err
	}
	return sim.run(in, p)
}

// SimulatePrincipalPolicy simulates a user's, group's or role's policies,
// plus the input ones (SimulatePrincipalPolicy).
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, account string, in SimulateInput, p Page) ([]EvaluationResult, string, error) {
	src, err := s.principalSource(ctx, account, in.PolicySourceArn)
	if err != nil {
		return nil, "", err
	}
	sim := &simulation{account: account, source: src}
	for _, d := range src.pp.Identity {
		if err := sim.add(d.Document, sourceOf(d), policy.Identity); err != nil {
			return nil, "", err
		}
	}
	if err := sim.identityInputs(in.PolicyInputList); err != nil {
		return nil, "", err
	}
	// "If a permissions boundary is attached to an entity and you pass in a
	// different permissions boundary policy using this parameter, then the
	// new permissions boundary policy is used" (API reference).
	if len(in.PermissionsBoundaryPolicyInputList) > 0 {
		err = sim.boundaryInput(in.PermissionsBoundaryPolicyInputList)
	} else if b := src.pp.PermissionsBoundary; b != nil {
		sim.boundary, err = policy.CompileJSON(b.Document, policy.Identity, policy.Source{ID: b.PolicyName, Type: policy.TypeBoundary, Detail: sourceBoundary})
	}
	if err != nil {
		return nil, "", err
	}
	return sim.run(in, p)
}

// GetContextKeysForCustomPolicy lists the context keys the policies
// reference, each once, in the order they appear (AWS CLI example:
// "aws:username" of a Resource before "aws:CurrentTime" of its Condition).
func (s *Service) GetContextKeysForCustomPolicy(ctx context.Context, account string, docs []string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ps, err := compileAny(docs)
	if err != nil {
		return nil, err
	}
	return nonNil(policy.ContextKeys(ps...)), nil
}

// GetContextKeysForPrincipalPolicy lists the context keys of the
// principal's policies (a user's include its groups') and of docs. The
// permissions boundary is not among them: the API reference names "the IAM
// policies that are attached to the specified IAM entity" (unverified for
// boundaries).
func (s *Service) GetContextKeysForPrincipalPolicy(ctx context.Context, account, sourceArn string, docs []string) ([]string, error) {
	src, err := s.principalSource(ctx, account, sourceArn)
	if err != nil {
		return nil, err
	}
	texts := make([]string, 0, len(src.pp.Identity)+len(docs))
	for _, d := range src.pp.Identity {
		texts = append(texts, d.Document)
	}
	ps, err := compileAny(append(texts, docs...))
	if err != nil {
		return nil, err
	}
	return nonNil(policy.ContextKeys(ps...)), nil
}

// compileAny compiles documents whatever their kind: callers may ask for
// the keys of identity and resource policies alike.
func compileAny(docs []string) ([]*policy.Policy, error) {
	out := make([]*policy.Policy, 0, len(docs))
	for _, d := range docs {
		p, err := policy.CompileJSON(d, policy.Identity, policy.Source{})
		if err != nil {
			var rerr error
			if p, rerr = policy.CompileJSON(d, policy.Resource, policy.Source{}); rerr != nil {
				if p, rerr = policy.CompileJSON(d, policy.Trust, policy.Source{}); rerr != nil {
					return nil, err // the identity reading's complaint
				}
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// principalSource is a PolicySourceArn resolved to its entity and policies.
type principalSource struct {
	kind string // "user", "group" or "role"
	arn  string
	pp   *PrincipalPolicies
}

func (s *Service) principalSource(ctx context.Context, account, sourceArn string) (*principalSource, error) {
	kind, name, ok := entityOf(sourceArn)
	if !ok {
		return nil, errEntityArn(sourceArn)
	}
	a, _ := arn.Parse(sourceArn)
	lookup := s.RolePolicies
	switch kind {
	case "user":
		lookup = s.UserPolicies
	case "group":
		lookup = s.GroupPolicies
	}
	if a.Account != account {
		// Another account's entities are not visible here: answer as for a
		// missing one (unverified: AWS may answer AccessDenied).
		lookup = func(context.Context, string, string) (*PrincipalPolicies, error) {
			return nil, notFound(kind, name)
		}
	}
	pp, err := lookup(ctx, account, name)
	if err != nil {
		return nil, err
	}
	if pp.ARN != sourceArn {
		// Another path, or the name in another case: IAM names entities
		// by their ARN as stored, and this one names none.
		return nil, notFound(kind, name)
	}
	return &principalSource{kind: kind, arn: sourceArn, pp: pp}, nil
}

func notFound(kind, name string) error {
	switch kind {
	case "user":
		return errNoSuchUser(name)
	case "group":
		return errNoSuchGroup(name)
	}
	return errNoSuchRole(name)
}

// entityOf reads arn:PARTITION:iam::ACCOUNT:(user|group|role)/[PATH/]NAME.
func entityOf(s string) (kind, name string, ok bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || a.Region != "" || !arn.IsAccountID(a.Account) {
		return "", "", false
	}
	kind, rest, found := strings.Cut(a.Resource, "/")
	if !found || (kind != "user" && kind != "group" && kind != "role") {
		return "", "", false
	}
	name = rest[strings.LastIndexByte(rest, '/')+1:]
	return kind, name, name != ""
}

// sourceOf names a principal's policy as the simulator does: a managed
// policy by its name, an inline one as KIND_ENTITY_POLICY.
func sourceOf(d PolicyDocument) policy.Source {
	id := d.PolicyName
	if d.Inline {
		kind, name, _ := entityOf(d.Owner)
		id = kind + "_" + name + "_" + d.PolicyName
	}
	return policy.Source{ID: id, Type: policy.TypeIdentity, Detail: sourceIAM}
}

// simulation is one Simulate* request's compiled policies.
type simulation struct {
	account  string
	source   *principalSource // nil for SimulateCustomPolicy
	identity []*policy.Policy
	boundary *policy.Policy
	inputs   int // PolicyInputList entries added so far
}

func (sim *simulation) add(doc string, src policy.Source, kind policy.Kind) error {
	p, err := policy.CompileJSON(doc, kind, src)
	if err != nil {
		return err
	}
	sim.identity = append(sim.identity, p)
	return nil
}

func (sim *simulation) identityInputs(docs []string) error {
	for _, d := range docs {
		sim.inputs++
		if err := sim.add(d, policy.Source{ID: "PolicyInputList." + strconv.Itoa(sim.inputs), Type: policy.TypeIdentity, Detail: sourceIAM}, policy.Identity); err != nil {
			return err
		}
	}
	return nil
}

func (sim *simulation) boundaryInput(docs []string) error {
	switch len(docs) {
	case 0:
		return nil
	case 1:
	default:
		return errBoundaryInputs
	}
	var err error
	sim.boundary, err = policy.CompileJSON(docs[0], policy.Identity, policy.Source{ID: "PermissionsBoundaryPolicyInputList.1", Type: policy.TypeBoundary, Detail: sourceBoundary})
	return err
}

func (sim *simulation) run(in SimulateInput, p Page) ([]EvaluationResult, string, error) {
	var resPolicy *policy.Policy
	if in.ResourcePolicy != "" {
		var err error
		src := policy.Source{ID: "ResourcePolicy", Type: policy.TypeResource, Detail: sourceResource}
		resPolicy, err = policy.CompileJSON(in.ResourcePolicy, policy.Resource, src)
		if err != nil {
			// A role's trust policy is its resource policy, and has no
			// Resource element.
			var terr error
			if resPolicy, terr = policy.CompileJSON(in.ResourcePolicy, policy.Trust, src); terr != nil {
				return nil, "", err
			}
		}
	}
	caller, err := sim.caller(in.CallerArn, resPolicy != nil)
	if err != nil {
		return nil, "", err
	}
	owner := ""
	if in.ResourceOwner != "" {
		if owner = ownerAccount(in.ResourceOwner); owner == "" {
			return nil, "", errResourceOwner(in.ResourceOwner)
		}
	}
	resources := in.ResourceArns
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	for _, r := range resources {
		if _, err := arn.Parse(r); err != nil && r != "*" {
			return nil, "", errResourceNotArn(r)
		}
	}
	if err := checkScenario(in.ResourceHandlingOption, resources); err != nil {
		return nil, "", err
	}
	pctx, err := SimulationContext(in.ContextEntries)
	if err != nil {
		return nil, "", err
	}
	// Page over actions before evaluating: a page evaluates only its own.
	page, next, err := pageSlice(in.ActionNames, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]EvaluationResult, 0, len(page))
	for _, action := range page {
		out = append(out, sim.evalAction(action, resources, resPolicy, caller, owner, pctx))
	}
	return out, next, nil
}

// caller is who the simulated requests come from. A resource policy needs
// an IAM user to match its Principal: CallerArn, else the PolicySourceArn
// when it is a user ("CallerArn is required if you include a
// ResourcePolicy and the PolicySourceArn is not the ARN for an IAM user").
func (sim *simulation) caller(callerArn string, needUser bool) (policy.Caller, error) {
	c := policy.Caller{Kind: policy.CallerUser, Account: sim.account}
	switch {
	case callerArn != "":
		kind, name, ok := entityOf(callerArn)
		if !ok || kind != "user" {
			// "You can specify only the ARN of an IAM user."
			return c, errInvalidCaller
		}
		a, _ := arn.Parse(callerArn)
		c.ARN, c.Account, c.Name = callerArn, a.Account, name
	case sim.source != nil && sim.source.kind == "user":
		_, name, _ := entityOf(sim.source.arn)
		c.ARN, c.Name = sim.source.arn, name
	case needUser:
		return c, errInvalidCaller
	case sim.source != nil && sim.source.kind == "role":
		// A role's policies, with no resource policy to match a principal
		// against: its session's identity.
		c.Kind, c.ARN, c.Issuer = policy.CallerRoleSession, sim.source.arn, sim.source.arn
	}
	return c, nil
}

// ownerAccount reads ResourceOwner: "arn:aws:iam::ACCOUNT:root" as the
// SimulateCustomPolicy reference writes it, or the account ID the
// SimulatePrincipalPolicy reference names.
func ownerAccount(v string) string {
	if arn.IsAccountID(v) {
		return v
	}
	a, err := arn.Parse(v)
	if err != nil || a.Service != "iam" || a.Resource != "root" || !arn.IsAccountID(a.Account) {
		return ""
	}
	return a.Account
}

// resourceAccount is the account that owns a simulated resource: the one
// its ARN names, else ResourceOwner, else the caller's ("" below).
func resourceAccount(res, owner string) string {
	if a, err := arn.Parse(res); err == nil && arn.IsAccountID(a.Account) {
		return a.Account
	}
	return owner
}

// isRoleARN: IAM roles, whose resource policy (the trust policy) the
// simulator does not evaluate.
func isRoleARN(res string) bool {
	a, err := arn.Parse(res)
	return err == nil && a.Service == "iam" && strings.HasPrefix(a.Resource, "role/")
}

// resourceResult is one action on one resource.
type resourceResult struct {
	name     string
	d        policy.Decision
	cross    bool
	boundary bool
}

func (sim *simulation) evalAction(action string, resources []string, resPolicy *policy.Policy, caller policy.Caller, owner string, pctx *policy.Context) EvaluationResult {
	rs := make([]resourceResult, len(resources))
	for i, res := range resources {
		ps := &policy.PolicySet{Identity: sim.identity, Boundary: sim.boundary}
		if resPolicy != nil && !isRoleARN(res) {
			ps.Resource = resPolicy
		}
		acct := resourceAccount(res, owner)
		d := policy.Evaluate(ps, &policy.Request{
			Caller:          caller,
			Action:          action,
			Resource:        res,
			ResourceAccount: acct,
			Context:         pctx,
			Explain:         true,
		})
		rs[i] = resourceResult{name: res, d: d, cross: acct != "" && acct != caller.Account, boundary: sim.boundary != nil}
	}
	er := EvaluationResult{EvalActionName: action}
	if len(rs) == 1 {
		r := rs[0]
		er.EvalResourceName = r.name
		er.EvalDecision = r.d.Result.String()
		er.MatchedStatements = matched(r.d)
		er.MissingContextValues = nonNil(r.d.Missing)
		er.PermissionsBoundaryDecisionDetail = r.boundaryDetail()
		if r.name != "*" || r.cross {
			er.EvalDecisionDetails = r.details()
		}
		if r.name != "*" {
			er.ResourceSpecificResults = []ResourceSpecificResult{r.specific()}
		}
		return er
	}
	er.EvalResourceName = resourceTemplate(action, resources[0])
	er.MatchedStatements = []MatchedStatement{}
	er.MissingContextValues = []string{}
	agg := policy.Allowed
	var bd *PermissionsBoundaryDecisionDetail
	for _, r := range rs {
		switch r.d.Result {
		case policy.ExplicitDeny:
			agg = policy.ExplicitDeny
		case policy.ImplicitDeny:
			if agg == policy.Allowed {
				agg = policy.ImplicitDeny
			}
		}
		if d := r.boundaryDetail(); d != nil {
			if bd == nil {
				bd = &PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: true}
			}
			bd.AllowedByPermissionsBoundary = bd.AllowedByPermissionsBoundary && d.AllowedByPermissionsBoundary
		}
		er.ResourceSpecificResults = append(er.ResourceSpecificResults, r.specific())
	}
	er.EvalDecision = agg.String()
	er.PermissionsBoundaryDecisionDetail = bd
	return er
}

func (r *resourceResult) specific() ResourceSpecificResult {
	out := ResourceSpecificResult{
		EvalResourceName:                  r.name,
		EvalResourceDecision:              r.d.Result.String(),
		MatchedStatements:                 matched(r.d),
		MissingContextValues:              nonNil(r.d.Missing),
		PermissionsBoundaryDecisionDetail: r.boundaryDetail(),
	}
	// "This parameter is returned only for cross-account simulations."
	if r.cross {
		out.EvalDecisionDetails = r.details()
	}
	return out
}

// boundaryDetail: "A value of false means that either the requested action
// is not allowed (implicitly denied) or that the action is explicitly
// denied by the permissions boundary."
func (r *resourceResult) boundaryDetail() *PermissionsBoundaryDecisionDetail {
	if !r.boundary {
		return nil
	}
	t := r.d.Types[policy.TypeBoundary]
	return &PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: t.Allowed && !t.Denied}
}

// details is EvalDecisionDetails: empty in the same account, each policy
// type's answer across accounts. The keys are the SourcePolicyType names
// (unverified: no public record of a cross-account answer shows them).
func (r *resourceResult) details() map[string]string {
	out := map[string]string{}
	if !r.cross {
		return out
	}
	put := func(key string, t policy.TypeResult) {
		switch {
		case t.Denied:
			out[key] = policy.ExplicitDeny.String()
		case t.Allowed:
			out[key] = policy.Allowed.String()
		default:
			out[key] = policy.ImplicitDeny.String()
		}
	}
	put(sourceIAM, r.d.Types[policy.TypeIdentity])
	put(sourceResource, r.d.Types[policy.TypeResource])
	if r.boundary {
		put(sourceBoundary, r.d.Types[policy.TypeBoundary])
	}
	return out
}

func matched(d policy.Decision) []MatchedStatement {
	out := make([]MatchedStatement, 0, len(d.Matched))
	for _, s := range d.Matched {
		m := MatchedStatement{SourcePolicyId: s.Source.ID, SourcePolicyType: s.Source.Detail}
		if s.Start.Line > 0 {
			m.StartPosition = &StatementPosition{Line: int32(s.Start.Line), Column: int32(s.Start.Column)}
			m.EndPosition = &StatementPosition{Line: int32(s.End.Line), Column: int32(s.End.Column)}
		}
		out = append(out, m)
	}
	return out
}

// resourceTemplate names the aggregate of several resources: the ARN format
// of the action's resource type that the first resource has, partition
// filled in; "*" when the reference does not know it.
func resourceTemplate(action, res string) string {
	info, ok := actions.Lookup(action)
	if !ok {
		return "*"
	}
	rt, ok := info.MatchResourceType(res)
	if !ok {
		return "*"
	}
	format, _, _ := strings.Cut(rt.ARN, ", ")
	partition := "aws"
	if a, err := arn.Parse(res); err == nil {
		partition = a.Partition
	}
	return strings.ReplaceAll(format, "${Partition}", partition)
}

// EC2 scenarios of ResourceHandlingOption and the resource types each
// needs (API reference, SimulatePrincipalPolicy).
var scenarios = map[string][]string{
	"EC2-VPC-InstanceStore":        {"instance", "image", "security-group", "network-interface"},
	"EC2-VPC-InstanceStore-Subnet": {"instance", "image", "security-group", "network-interface", "subnet"},
	"EC2-VPC-EBS":                  {"instance", "image", "security-group", "network-interface", "volume"},
	"EC2-VPC-EBS-Subnet":           {"instance", "image", "security-group", "network-interface", "subnet", "volume"},
}

// checkScenario enforces "the presence of the required resources" of a
// ResourceHandlingOption.
func checkScenario(opt string, resources []string) error {
	if opt == "" {
		return nil
	}
	need, ok := scenarios[opt]
	if !ok {
		return errResourceHandling(opt)
	}
	have := map[string]bool{}
	for _, r := range resources {
		if a, err := arn.Parse(r); err == nil && a.Service == "ec2" {
			typ, _, _ := strings.Cut(a.Resource, "/")
			have[typ] = true
		}
	}
	var missing []string
	for _, t := range need {
		if !have[t] {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return errScenarioResources(opt, missing)
	}
	return nil
}

// SimulationContext builds a request context from ContextEntries, checking
// each value against its ContextKeyType and writing it as the engine's
// operators read it (booleans lower case). Entries naming the same key add
// to its values.
func SimulationContext(entries []ContextEntry) (*policy.Context, error) {
	c := policy.NewContext()
	for _, e := range entries {
		typ := strings.TrimSuffix(e.ContextKeyType, "List")
		vals := make([]string, len(e.ContextKeyValues))
		for i, v := range e.ContextKeyValues {
			nv, ok := contextValue(typ, v)
			if !ok {
				return nil, errContextValue(e.ContextKeyName, e.ContextKeyType, v)
			}
			vals[i] = nv
		}
		c.Add(e.ContextKeyName, vals...)
	}
	return c, nil
}

func contextValue(typ, v string) (string, bool) {
	switch typ {
	case "numeric":
		_, err := strconv.ParseFloat(v, 64)
		return v, err == nil
	case "boolean":
		switch strings.ToLower(v) {
		case "true", "false":
			return strings.ToLower(v), true
		}
		return v, false
	case "ip":
		if _, err := netip.ParseAddr(v); err == nil {
			return v, true
		}
		_, err := netip.ParsePrefix(v)
		return v, err == nil
	case "binary":
		_, err := base64.StdEncoding.DecodeString(v)
		return v, err == nil
	case "date":
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return v, true // epoch seconds
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
			if _, err := time.Parse(layout, v); err == nil {
				return v, true
			}
		}
		return v, false
	}
	return v, true // string, and no type at all
}
