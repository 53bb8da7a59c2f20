package doctor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/internal/catalog/managed"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/policy"
)

// policyDoc is a policy document with IAM's member order.
type policyDoc struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Effect    string                        `json:"Effect"`
	Principal map[string]strList            `json:"Principal,omitempty"`
	Action    strList                       `json:"Action"`
	Resource  strList                       `json:"Resource,omitempty"`
	Condition map[string]map[string]strList `json:"Condition,omitempty"`
}

// strList is a policy value: one string, or a list.
type strList []string

func (s strList) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]string(s))
}

func (d policyDoc) pretty() string {
	b, _ := json.MarshalIndent(d, "", "  ")
	return string(b)
}

func (d policyDoc) compact() string {
	b, _ := json.Marshal(d)
	return string(b)
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// trustDoc is the trust policy AWS's guides give a role assumed by
// service.
func trustDoc(service string) policyDoc {
	return policyDoc{Version: policy.Version2012, Statement: []statement{{
		Effect: "Allow", Principal: map[string]strList{"Service": {service}}, Action: strList{"sts:AssumeRole"},
	}}}
}

// docFromNeeds is the smallest identity policy that allows the needs: one
// statement per set of resources that share the same actions, with the
// conditions the needs carry only for iam:PassRole and
// iam:CreateServiceLinkedRole (whose point is the condition).
func docFromNeeds(ns []need) policyDoc {
	type group struct {
		resources []string
		actions   []string
		cond      map[string]map[string]strList
	}
	byRes := map[string]map[string]bool{}
	var resOrder []string
	conds := map[string]map[string]map[string]strList{}
	for _, n := range ns {
		key := n.Resource
		if c := fixCondition(n); c != nil {
			key += "\x00" + n.Action
			conds[key] = c
		}
		if byRes[key] == nil {
			byRes[key] = map[string]bool{}
			resOrder = append(resOrder, key)
		}
		byRes[key][n.Action] = true
	}
	var groups []*group
	idx := map[string]*group{}
	for _, key := range resOrder {
		acts := sortedKeys(byRes[key])
		sig := strings.Join(acts, ",")
		if c, ok := conds[key]; ok {
			b, _ := json.Marshal(c)
			sig += string(b)
		}
		res := key
		if i := strings.IndexByte(res, 0); i >= 0 {
			res = res[:i]
		}
		if g, ok := idx[sig]; ok {
			g.resources = append(g.resources, res)
			continue
		}
		g := &group{resources: []string{res}, actions: acts, cond: conds[key]}
		idx[sig] = g
		groups = append(groups, g)
	}
	d := policyDoc{Version: policy.Version2012}
	for _, g := range groups {
		var res []string
		for _, r := range g.resources {
			res = append(res, policyResource(r))
		}
		d.Statement = append(d.Statement, statement{Effect: "Allow", Action: g.actions, Resource: uniqueSorted(res), Condition: g.cond})
	}
	return d
}

// policyResource is the Resource a fix grants for a need's resource: the
// stand-ins for what is known only at run time become wildcards, so the
// policy matches the real ARNs (a task's ID, an instance's ID, the six
// characters Secrets Manager appends to a secret's name, which AWS's
// Secrets Manager guide matches with "-??????"; a log group's empty
// stream, on which IAM decides logs:CreateLogGroup, becomes the group's
// streams, ":*").
func policyResource(r string) string {
	if strings.HasPrefix(r, "arn:") && strings.Contains(r, ":secretsmanager:") && strings.HasSuffix(r, ecsroles.SecretSuffix) {
		r = strings.TrimSuffix(r, ecsroles.SecretSuffix) + "-??????"
	}
	if strings.Contains(r, ":logs:") && strings.HasSuffix(r, ":log-stream:") {
		r = strings.TrimSuffix(r, "log-stream:") + "*"
	}
	return strings.NewReplacer(ecsroles.TaskID, "*", ecsroles.InstanceID, "*").Replace(r)
}

func fixCondition(n need) map[string]map[string]strList {
	var key string
	switch n.Action {
	case "iam:PassRole":
		key = "iam:PassedToService"
	case "iam:CreateServiceLinkedRole":
		key = "iam:AWSServiceName"
	default:
		return nil
	}
	v := n.Context[key]
	if len(v) == 0 {
		return nil
	}
	return map[string]map[string]strList{"StringEquals": {key: v}}
}

// managedDoc returns an AWS managed policy with its default document.
func managedDoc(arn, partition string) (PolicyDoc, bool) {
	p, ok := managed.Lookup(strings.Replace(arn, "arn:"+partition+":", "arn:aws:", 1))
	if !ok {
		return PolicyDoc{}, false
	}
	for _, v := range p.Versions {
		if v.IsDefault {
			return PolicyDoc{ID: arn, Name: p.Name, Document: v.Document}, true
		}
	}
	return PolicyDoc{}, false
}

func inlineName(k RoleKind) string { return "rolecall-doctor-" + string(k) }

// plan is what a role lacks: the managed policy to attach (when it would
// help) and an inline policy for the rest, both verified with the engine.
type plan struct {
	attach   string
	inline   []need
	blocked  []decision // still denied with the plan: explicit denies, boundaries
	inlineOK bool
}

// planFor works out how to allow failing needs for role (nil: a role to
// be created, with no policies yet).
func (a *analysis) planFor(kind RoleKind, role *Principal, failing []need) plan {
	k := kinds[kind]
	var p plan
	base := &Principal{Kind: KindRole, Name: "new-role", ARN: roleARN(a.partition, a.account, "/", "new-role")}
	if role != nil {
		cp := *role
		base = &cp
	}
	session := k.Session
	remaining := failing
	if marn := k.ManagedARN(a.partition); marn != "" && !hasPolicy(base, marn) {
		if md, ok := managedDoc(marn, a.partition); ok {
			with := *base
			with.Policies = append(append([]PolicyDoc(nil), base.Policies...), md)
			var still []need
			helped := false
			for _, n := range remaining {
				if a.ev.evalIdentity(&with, session, n).allowed {
					helped = true
				} else {
					still = append(still, n)
				}
			}
			if helped || role == nil {
				p.attach = marn
				base = &with
				remaining = still
			}
		}
	}
	if len(remaining) == 0 {
		return p
	}
	p.inline = remaining
	with := *base
	with.Policies = append(append([]PolicyDoc(nil), base.Policies...), PolicyDoc{ID: inlineName(kind), Inline: true, Document: docFromNeeds(remaining).compact()})
	p.inlineOK = true
	for _, n := range remaining {
		if d := a.ev.evalIdentity(&with, session, n); !d.allowed {
			p.blocked = append(p.blocked, d)
			p.inlineOK = false
		}
	}
	return p
}

func hasPolicy(p *Principal, arn string) bool {
	for _, d := range p.Policies {
		if d.ID == arn {
			return true
		}
	}
	return false
}

// roleCommands are the commands that give role name what the plan says.
// role is the existing role (nil for one to be created): when an earlier
// fix already gave it the doctor's inline policy, the new statements are
// added to that policy's, since PutRolePolicy replaces a policy of the same
// name.
func (a *analysis) roleCommands(kind RoleKind, name string, role *Principal, p plan) (cmds []string, doc string) {
	if p.attach != "" {
		cmds = append(cmds, "aws iam attach-role-policy --role-name "+name+" --policy-arn "+p.attach)
	}
	if len(p.inline) > 0 {
		d := docFromNeeds(p.inline)
		compact, pretty := d.compact(), d.pretty()
		for _, pd := range policiesOf(role) {
			if pd.Inline && pd.Name == inlineName(kind) {
				compact, pretty = addStatements(pd.Document, d)
			}
		}
		cmds = append(cmds, "aws iam put-role-policy --role-name "+name+" --policy-name "+inlineName(kind)+" --policy-document "+shellQuote(compact))
		doc = pretty
	}
	return cmds, doc
}

func policiesOf(p *Principal) []PolicyDoc {
	if p == nil {
		return nil
	}
	return p.Policies
}

func hasInline(p *Principal, name string) bool {
	for _, pd := range policiesOf(p) {
		if pd.Inline && pd.Name == name {
			return true
		}
	}
	return false
}

// addStatements appends add's statements to an existing policy document,
// keeping its statements as they are (a document that does not parse is
// replaced by add).
func addStatements(existing string, add policyDoc) (compact, pretty string) {
	var m struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(existing), &m) != nil {
		return add.compact(), add.pretty()
	}
	var stmts []json.RawMessage
	if json.Unmarshal(m.Statement, &stmts) != nil {
		stmts = []json.RawMessage{m.Statement}
	}
	for _, st := range add.Statement {
		b, _ := json.Marshal(st)
		stmts = append(stmts, b)
	}
	out := struct {
		Version   string            `json:"Version"`
		Statement []json.RawMessage `json:"Statement"`
	}{orDefault(m.Version, policy.Version2012), stmts}
	c, err := json.Marshal(out)
	if err != nil {
		return add.compact(), add.pretty()
	}
	return string(c), prettyJSON(c)
}

func prettyJSON(b []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}

// fixCreate creates a missing role with the trust and permissions the
// setup needs.
func (a *analysis) fixCreate(cb *caseBuilder, needs []need, name string) []Fix {
	k := kinds[cb.kind]
	if k.Linked {
		return []Fix{{Summary: "create the service-linked role (AWS attaches its policy)", Commands: []string{"aws iam create-service-linked-role --aws-service-name " + k.Principal}}}
	}
	if name == "" {
		name = cb.ref.name
	}
	path := cb.ref.path
	cmd := "aws iam create-role --role-name " + name
	if path != "" && path != "/" {
		cmd += " --path " + path
	}
	cmd += " --assume-role-policy-document " + shellQuote(trustDoc(k.Principal).compact())
	cmds := []string{cmd}
	p := a.planFor(cb.kind, nil, needs)
	more, doc := a.roleCommands(cb.kind, name, nil, p)
	cmds = append(cmds, more...)
	summary := "create role " + name + " trusted by " + k.Principal
	if p.attach != "" {
		summary += ", with " + p.attach[strings.LastIndexByte(p.attach, '/')+1:]
	}
	if len(p.inline) > 0 {
		summary += ", and an inline policy for what that does not cover"
	}
	return []Fix{{Summary: summary, Commands: cmds, Policy: doc}}
}

// missingField says where the setup names each kind of role.
var missingField = map[RoleKind]string{
	KindTaskExecution:         `set "executionRoleArn" in the task definition and register it again`,
	KindTask:                  `set "taskRoleArn" in the task definition and register it again`,
	KindMIInfrastructure:      `set "managedInstancesProvider.infrastructureRoleArn" in the capacity provider`,
	KindMIInstance:            `set "managedInstancesProvider.instanceLaunchTemplate.ec2InstanceProfileArn" in the capacity provider`,
	KindEBSInfrastructure:     `set "managedEBSVolume.roleArn" in the service's volume configuration`,
	KindServiceConnectTLSRole: `set "tls.roleArn" in the service's Service Connect configuration`,
	KindDeploymentHook:        `set "roleArn" in the service's lifecycle hook (deploymentConfiguration.lifecycleHooks)`,
}

// fixMissing: the setup needs a role it does not name. The fix names the
// role AWS's guides name (ecsTaskExecutionRole...): when IAM is read and
// the account has it already, that role is used with only what it lacks;
// otherwise it is created.
func (a *analysis) fixMissing(cb *caseBuilder, needs []need) ([]Fix, error) {
	k := kinds[cb.kind]
	name := k.Conventional
	if name == "" {
		name = "ecs-" + string(cb.kind)
	}
	tmp := *cb
	tmp.ref = parseRoleRef(name, a.partition, a.account)
	var existing *Principal
	if a.iam != nil && cb.kind != KindMIInstance {
		var err error
		if existing, err = a.getRole(name); err != nil {
			return nil, err
		}
	}
	var fixes []Fix
	use := ""
	if existing != nil {
		tmp.ref = parseRoleRef(existing.ARN, a.partition, a.account)
		use = "use the existing role " + existing.Name + ": "
		fixes = a.fixExisting(&tmp, existing, needs)
	} else {
		fixes = a.fixCreate(&tmp, needs, name)
	}
	arn := tmp.ref.arn
	if cb.kind == KindMIInstance {
		fixes[0].Commands = append(fixes[0].Commands,
			"aws iam create-instance-profile --instance-profile-name "+name,
			"aws iam add-role-to-instance-profile --instance-profile-name "+name+" --role-name "+name)
		arn = "arn:" + a.partition + ":iam::" + a.account + ":instance-profile/" + name
	}
	fixes = append(fixes, Fix{Summary: fmt.Sprintf("%s%s (%s): %s", use, missingField[cb.kind], cb.missingFor, arn)})
	if k.PassedTo != "" && a.deployer != nil && cb.kind != KindMIInstance {
		n := need{Action: "iam:PassRole", Resource: tmp.ref.arn, Context: map[string][]string{"iam:PassedToService": {k.PassedTo}}}
		if d := a.ev.evalIdentity(a.deployer, a.deployerSession, n); !d.allowed {
			what := "the new role"
			if existing != nil {
				what = "the role"
			}
			fixes = append(fixes, a.fixPass(d, "let the deployer pass "+what+" to "+k.PassedTo))
		}
	}
	return fixes, nil
}

// fixExisting: what an existing role the setup could name lacks (its trust
// and permissions), for fixMissing.
func (a *analysis) fixExisting(cb *caseBuilder, role *Principal, needs []need) []Fix {
	k := kinds[cb.kind]
	var fixes []Fix
	if td := a.ev.evalTrust(role, k.Principal, cb.trustKeys); !td.allowed {
		fixes = append(fixes, a.fixTrust(role, k, td))
	}
	var failed []decision
	for _, n := range needs {
		if d := a.ev.evalIdentity(role, k.Session, n); !d.allowed {
			failed = append(failed, d)
		}
	}
	if len(failed) > 0 {
		fixes = append(fixes, a.fixPermissions(cb, role, failed)...)
	}
	return fixes
}

// fixPermissions allows what a role lacks, or says what blocks it.
func (a *analysis) fixPermissions(cb *caseBuilder, role *Principal, failed []decision) []Fix {
	k := kinds[cb.kind]
	if k.Linked {
		return []Fix{{Summary: "AWS maintains this role's permissions (" + strings.Join(k.LinkedRole().Policies, ", ") + "); they do not allow what the setup needs, so the role is not what AWS made: delete it and let the service create it again"}}
	}
	var fixes []Fix
	var open []need
	for _, d := range failed {
		switch {
		case d.err != nil:
			fixes = append(fixes, Fix{Summary: d.err.Error()})
		case d.d.Result == policy.ExplicitDeny:
			fixes = append(fixes, Fix{Summary: fmt.Sprintf("%s denies %s on %s: narrow or remove that statement (an explicit Deny wins over any Allow)", statementName(d.d.Statement), d.need.Action, d.need.Resource)})
		case d.d.Type == policy.TypeBoundary:
			b := ""
			if role.Boundary != nil {
				b = " " + role.Boundary.ID
			}
			fixes = append(fixes, Fix{Summary: fmt.Sprintf("the permissions boundary%s does not allow %s on %s: add it to the boundary", b, d.need.Action, d.need.Resource)})
		default:
			open = append(open, d.need)
		}
	}
	if len(open) == 0 {
		return fixes
	}
	p := a.planFor(cb.kind, role, open)
	cmds, doc := a.roleCommands(cb.kind, role.Name, role, p)
	var parts []string
	if p.attach != "" {
		parts = append(parts, "attach "+p.attach)
	}
	if len(p.inline) > 0 {
		if hasInline(role, inlineName(cb.kind)) {
			parts = append(parts, "add exactly what is missing to its inline policy "+inlineName(cb.kind)+" (its statements are kept)")
		} else {
			parts = append(parts, "add an inline policy allowing exactly what is missing")
		}
	}
	f := Fix{Summary: "give " + role.Name + " what it lacks: " + strings.Join(parts, ", then "), Commands: cmds, Policy: doc}
	for _, b := range p.blocked {
		f.Summary += "; still denied afterwards: " + b.detail()
	}
	return append([]Fix{f}, fixes...)
}

// fixTrust adds a statement trusting the service to the role's trust
// policy, keeping what it has.
func (a *analysis) fixTrust(role *Principal, k ecsroles.Info, d decision) Fix {
	if d.err == nil && d.d.Result == policy.ExplicitDeny {
		return Fix{Summary: fmt.Sprintf("%s denies %s: remove that statement from the trust policy", statementName(d.d.Statement), k.Principal)}
	}
	doc := mergeTrust(role.Trust, k.Principal)
	return Fix{
		Summary:  "let " + k.Principal + " assume " + role.Name + " (the trust policy keeps its other statements)",
		Commands: []string{"aws iam update-assume-role-policy --role-name " + role.Name + " --policy-document " + shellQuote(compactJSON(doc))},
		Policy:   doc,
	}
}

// mergeTrust appends an Allow for service to a trust policy, keeping its
// statements and their members' order (a document that does not parse is
// replaced by the standard trust policy).
func mergeTrust(existing, service string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(existing), &m) == nil {
		var stmts []json.RawMessage
		raw := m["Statement"]
		if json.Unmarshal(raw, &stmts) != nil {
			stmts = []json.RawMessage{raw}
		}
		add, _ := json.Marshal(statement{Effect: "Allow", Principal: map[string]strList{"Service": {service}}, Action: strList{"sts:AssumeRole"}})
		version := policy.Version2012
		if v, ok := m["Version"]; ok {
			_ = json.Unmarshal(v, &version)
		}
		out := struct {
			Version   string            `json:"Version"`
			Statement []json.RawMessage `json:"Statement"`
		}{version, append(stmts, add)}
		b, err := json.MarshalIndent(out, "", "  ")
		if err == nil {
			return string(b)
		}
	}
	return trustDoc(service).pretty()
}

func compactJSON(s string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return s
	}
	return b.String()
}

// fixPass gives the deployer the permission d lacked (iam:PassRole or
// iam:CreateServiceLinkedRole), or says what blocks it.
func (a *analysis) fixPass(d decision, summary string) Fix {
	p := a.deployer
	switch {
	case d.err != nil:
		return Fix{Summary: d.err.Error()}
	case d.d.Result == policy.ExplicitDeny:
		return Fix{Summary: fmt.Sprintf("%s denies the deployer %s on %s: narrow or remove that statement", statementName(d.d.Statement), d.need.Action, d.need.Resource)}
	case d.d.Type == policy.TypeBoundary:
		return Fix{Summary: fmt.Sprintf("the deployer's permissions boundary does not allow %s on %s: add it to the boundary", d.need.Action, d.need.Resource)}
	}
	doc := docFromNeeds([]need{d.need})
	name := "rolecall-doctor-" + map[string]string{"iam:PassRole": "pass-", "iam:CreateServiceLinkedRole": "create-"}[d.need.Action] + lastSegment(d.need.Resource)
	var cmd string
	switch p.Kind {
	case KindUser:
		cmd = "aws iam put-user-policy --user-name " + p.Name
	default:
		cmd = "aws iam put-role-policy --role-name " + p.Name
	}
	cmd += " --policy-name " + name + " --policy-document " + shellQuote(doc.compact())
	return Fix{Summary: summary + " (" + p.ARN + ")", Commands: []string{cmd}, Policy: doc.pretty()}
}
