package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/ecsroles"
)

// The indirect permissions the IAM User Guide warns about ("Service-linked
// roles": a principal allowed to create a resource that a service manages
// with its service-linked role acts through that role; "Granting a user
// permissions to pass a role to an AWS service": a principal that may pass
// a role to a service and start that service's work gets the role's
// permissions).

// IndirectReport lists, per principal, what it reaches through roles it
// does not hold.
type IndirectReport struct {
	Account    string              `json:"account"`
	Region     string              `json:"region"`
	Principals []IndirectPrincipal `json:"principals"`
	Notes      []string            `json:"notes,omitempty"`
}

// IndirectPrincipal is one user or role.
type IndirectPrincipal struct {
	Kind  PrincipalKind  `json:"kind"`
	Name  string         `json:"name"`
	ARN   string         `json:"arn"`
	Paths []IndirectPath `json:"paths"`
}

// IndirectPath is one way to act through a role.
type IndirectPath struct {
	// Via: "service-linked role" or "passes role".
	Via     string `json:"via"`
	Role    string `json:"role"`
	RoleARN string `json:"roleArn"`
	// Service is the service principal that acts with the role.
	Service string `json:"service"`
	// With are the principal's allowed actions that open the path.
	With []string `json:"with"`
	// Reaches summarises the role's permissions: its policies and the
	// services they grant actions in.
	Reaches string `json:"reaches"`
	// Exists is false for a service-linked role not created yet (the
	// service creates it on first use).
	Exists bool `json:"exists"`
}

// door is a way in: actions that make a service act with a role.
type door struct {
	service string
	// any: one of these actions starts the service's work.
	any []string
	// all: and these too (e.g. naming the role in a task definition).
	all  []string
	what string
}

// passDoors: services a role can be passed to, and what starts them.
var passDoors = []door{
	{service: "ecs-tasks.amazonaws.com", any: []string{"ecs:RunTask", "ecs:StartTask", "ecs:CreateService"}, all: []string{"ecs:RegisterTaskDefinition"}, what: "runs a task with it"},
	{service: "ecs-tasks.amazonaws.com", any: []string{"ecs:CreateDaemon"}, all: []string{"ecs:RegisterDaemonTaskDefinition"}, what: "runs a daemon's tasks with it"},
	{service: "ecs-tasks.amazonaws.com", any: []string{"ecs:CreateExpressGatewayService"}, what: "runs an Express service's tasks with it (ECS registers their task definition)"},
	{service: "ecs.amazonaws.com", any: []string{"ecs:CreateService", "ecs:CreateCapacityProvider", "ecs:CreateExpressGatewayService"}, what: "has ECS act with it"},
	{service: "ec2.amazonaws.com", any: []string{"ec2:RunInstances"}, what: "launches an instance with it"},
	{service: "lambda.amazonaws.com", any: []string{"lambda:CreateFunction"}, what: "creates a function with it"},
}

// linkedDoors: service-linked roles and what makes their service act.
var linkedDoors = []door{
	{service: "ecs.amazonaws.com", any: []string{"ecs:CreateService", "ecs:RunTask", "ecs:CreateCluster"}, what: "ECS manages ENIs, load balancer targets, Cloud Map and Auto Scaling groups"},
	{service: "ecs-compute.amazonaws.com", any: []string{"ecs:CreateCapacityProvider"}, what: "ECS terminates the instances it manages"},
	{service: "ecs.application-autoscaling.amazonaws.com", any: []string{"application-autoscaling:RegisterScalableTarget"}, what: "Application Auto Scaling updates services and alarms"},
}

// Indirect works out, for every user and role of the setup's account, the
// roles it can act through, each decision made by the policy engine.
// Requests are evaluated on the setup's clusters and task definitions, or
// on representative ARNs in the account when it has none.
func Indirect(ctx context.Context, s *Setup) (*IndirectReport, error) {
	a := newAnalysis(ctx, s)
	rep := &IndirectReport{Account: a.account, Region: a.region}
	if s.IAM == nil {
		return nil, fmt.Errorf("doctor indirect needs IAM: a live account or an IAM export")
	}
	all, err := s.IAM.Principals(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ARN < all[j].ARN })

	// Roles services may be passed, by service (trust evaluated with the
	// engine for the service principal).
	passable := map[string][]*Principal{}
	for _, p := range all {
		if p.Kind != KindRole || strings.Contains(p.Path, "/aws-service-role/") {
			continue
		}
		for _, d := range passDoors {
			if slices.Contains(passable[d.service], p) {
				continue // a service with several doors
			}
			// ECS and the other services send the account they act for.
			if a.ev.evalTrust(p, d.service, map[string][]string{"aws:SourceAccount": {a.account}}).allowed {
				passable[d.service] = append(passable[d.service], p)
			}
		}
	}
	clusters := []string{"default"}
	var taskDefs []string
	for _, c := range s.Clusters {
		clusters = append(clusters, c.ClusterName)
	}
	for _, sv := range s.Services {
		clusters = append(clusters, sv.ClusterName())
	}
	for _, td := range s.TaskDefinitions {
		if td.TaskDefinitionArn != "" {
			taskDefs = append(taskDefs, td.TaskDefinitionArn)
		} else {
			rev := td.Revision
			if rev == 0 {
				rev = 1
			}
			taskDefs = append(taskDefs, fmt.Sprintf("arn:%s:ecs:%s:%s:task-definition/%s:%d", a.partition, a.region, a.account, td.Family, rev))
		}
	}
	if len(taskDefs) == 0 {
		taskDefs = []string{fmt.Sprintf("arn:%s:ecs:%s:%s:task-definition/any:1", a.partition, a.region, a.account)}
		rep.Notes = append(rep.Notes, "no task definitions given: ecs:RunTask and ecs:RegisterTaskDefinition are evaluated on "+taskDefs[0])
	}
	clusters = uniqueSorted(clusters)

	for _, p := range all {
		if p.Kind == KindRole && strings.Contains(p.Path, "/aws-service-role/") {
			continue // AWS services use these; nobody signs in as them
		}
		ip := IndirectPrincipal{Kind: p.Kind, Name: p.Name, ARN: p.ARN}
		for _, d := range linkedDoors {
			with := a.openDoor(p, d, clusters, taskDefs)
			if len(with) == 0 {
				continue
			}
			ls := ecsroles.Info{Principal: d.service}.LinkedRole()
			path := IndirectPath{Via: "service-linked role", Role: ls.RoleName, RoleARN: roleARN(a.partition, a.account, ls.Path(), ls.RoleName), Service: d.service, With: with}
			role, err := a.getRoleSafe(ls.RoleName)
			if err != nil {
				return nil, err
			}
			path.Exists = role != nil
			pols := ls.Policies
			path.Reaches = d.what + ": " + summarizePolicies(a, pols, role)
			ip.Paths = append(ip.Paths, path)
		}
		for _, d := range passDoors {
			for _, r := range passable[d.service] {
				if r.ARN == p.ARN {
					continue
				}
				n := need{Action: "iam:PassRole", Resource: r.ARN, Context: map[string][]string{"iam:PassedToService": {d.service}}}
				if !a.ev.evalIdentity(p, "", n).allowed {
					continue
				}
				if slices.ContainsFunc(ip.Paths, func(x IndirectPath) bool {
					return x.Via == "passes role" && x.RoleARN == r.ARN && x.Service == d.service
				}) {
					continue // one way to each role suffices: the first door open
				}
				with := a.openDoor(p, d, clusters, taskDefs)
				if len(with) == 0 {
					continue
				}
				ip.Paths = append(ip.Paths, IndirectPath{Via: "passes role", Role: r.Name, RoleARN: r.ARN, Service: d.service,
					With: append([]string{"iam:PassRole"}, with...), Reaches: d.what + ": " + summarizePolicies(a, nil, r), Exists: true})
			}
		}
		if len(ip.Paths) > 0 {
			rep.Principals = append(rep.Principals, ip)
		}
	}
	return rep, nil
}

func (a *analysis) getRoleSafe(name string) (*Principal, error) {
	if a.iam == nil {
		return nil, nil
	}
	return a.getRole(name)
}

// openDoor returns the door's actions p is allowed (nil unless one of any
// and all of all are).
func (a *analysis) openDoor(p *Principal, d door, clusters, taskDefs []string) []string {
	allowed := func(action string) bool {
		for _, res := range a.doorResources(action, clusters, taskDefs) {
			n := need{Action: action, Resource: res}
			if action == "application-autoscaling:RegisterScalableTarget" {
				n.Context = map[string][]string{"application-autoscaling:service-namespace": {"ecs"}}
			}
			if a.ev.evalIdentity(p, "", n).allowed {
				return true
			}
		}
		return false
	}
	var with []string
	for _, act := range d.any {
		if allowed(act) {
			with = append(with, act)
			break
		}
	}
	if len(with) == 0 {
		return nil
	}
	for _, act := range d.all {
		if !allowed(act) {
			return nil
		}
		with = append(with, act)
	}
	return with
}

// doorResources are the resources an action is evaluated on.
func (a *analysis) doorResources(action string, clusters, taskDefs []string) []string {
	switch action {
	case "ecs:RunTask", "ecs:StartTask", "ecs:RegisterTaskDefinition":
		return taskDefs
	case "ecs:CreateService", "ecs:CreateExpressGatewayService":
		var out []string
		for _, c := range clusters {
			out = append(out, a.serviceARN(c, "any"))
		}
		return out
	case "ecs:CreateDaemon":
		var out []string
		for _, c := range clusters {
			out = append(out, a.res(action, "daemon", "ClusterName", c, "DaemonName", "any"))
		}
		return out
	case "ecs:RegisterDaemonTaskDefinition":
		return []string{a.res(action, "daemon-task-definition", "DaemonTaskDefinitionFamilyName", "any", "DaemonTaskDefinitionRevisionNumber", "1")}
	case "ecs:CreateCluster":
		var out []string
		for _, c := range clusters {
			out = append(out, a.clusterARN(c))
		}
		return out
	case "ecs:CreateCapacityProvider":
		return []string{a.res(action, "capacity-provider", "CapacityProviderName", "any")}
	case "ec2:RunInstances":
		return []string{a.res(action, "instance", "InstanceId", "i-any")}
	case "lambda:CreateFunction":
		return []string{a.res(action, "function", "FunctionName", "any")}
	case "application-autoscaling:RegisterScalableTarget":
		return []string{a.res(action, "ScalableTarget", "ResourceId", "service/default/any")}
	}
	return []string{"*"}
}

// summarizePolicies names a role's policies (or, for a service-linked role
// not yet created, the catalog's) and the services they allow actions in.
func summarizePolicies(a *analysis, catalogPolicies []string, role *Principal) string {
	var docs []PolicyDoc
	if role != nil {
		docs = role.Policies
	} else {
		for _, arn := range catalogPolicies {
			if d, ok := managedDoc(arn, a.partition); ok {
				docs = append(docs, d)
			}
		}
	}
	if len(docs) == 0 {
		return "no permissions"
	}
	var names []string
	services := map[string]bool{}
	for _, d := range docs {
		n := d.Name
		if n == "" {
			n = lastSegment(d.ID)
		}
		names = append(names, n)
		for _, s := range allowedServices(d.Document) {
			services[s] = true
		}
	}
	out := strings.Join(names, ", ")
	if len(services) > 0 {
		out += " (" + strings.Join(sortedKeys(services), ", ") + ")"
	}
	return out
}

// allowedServices lists the service prefixes of a policy's Allow actions
// ("*" for every service).
func allowedServices(doc string) []string {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return nil
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(d.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(d.Statement, &one) != nil {
			return nil
		}
		stmts = append(stmts, one)
	}
	set := map[string]bool{}
	for _, s := range stmts {
		var eff string
		_ = json.Unmarshal(s["Effect"], &eff)
		if eff != "Allow" {
			continue
		}
		var acts []string
		if json.Unmarshal(s["Action"], &acts) != nil {
			var one string
			if json.Unmarshal(s["Action"], &one) == nil {
				acts = []string{one}
			}
		}
		for _, act := range acts {
			if act == "*" {
				set["*"] = true
				continue
			}
			if i := strings.IndexByte(act, ':'); i > 0 {
				set[strings.ToLower(act[:i])] = true
			}
		}
	}
	return sortedKeys(set)
}

// WriteJSON writes the report as JSON.
func (r *IndirectReport) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Label names the principal as the table and graph do: "user/NAME", "role/NAME".
func (p IndirectPrincipal) Label() string { return string(p.Kind) + "/" + p.Name }

// RoleLabel names the path's role, and says when it is not created yet.
func (pa IndirectPath) RoleLabel() string {
	s := pa.Role
	if !pa.Exists {
		s += " (not created yet)"
	}
	return s
}

// WriteTable writes one line per path.
func (r *IndirectReport) WriteTable(w io.Writer) error {
	rows := [][]string{{"PRINCIPAL", "VIA", "ROLE", "WITH", "REACHES"}}
	for _, p := range r.Principals {
		for _, pa := range p.Paths {
			via := pa.Via
			if via == "passes role" {
				via = "passes role to " + pa.Service
			}
			rows = append(rows, []string{p.Label(), via, pa.RoleLabel(), strings.Join(pa.With, " + "), pa.Reaches})
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "rolecall doctor indirect: account %s, region %s\n\n", r.Account, r.Region)
	if len(rows) == 1 {
		b.WriteString("No principal reaches a role indirectly.\n")
	} else {
		widths := make([]int, 4)
		for _, row := range rows {
			for i := 0; i < 4; i++ {
				widths[i] = max(widths[i], len(row[i]))
			}
		}
		for _, row := range rows {
			for i := 0; i < 4; i++ {
				b.WriteString(row[i] + strings.Repeat(" ", widths[i]-len(row[i])+2))
			}
			b.WriteString(row[4] + "\n")
		}
	}
	for _, n := range r.Notes {
		b.WriteString("\nnote: " + n + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the paths as a Markdown table.
func (r *IndirectReport) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## rolecall doctor indirect\n\nAccount `%s`, region `%s`.\n\n", r.Account, r.Region)
	b.WriteString("| Principal | Via | Role | With | Reaches |\n|---|---|---|---|---|\n")
	for _, p := range r.Principals {
		for _, pa := range p.Paths {
			fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | %s |\n", p.Label(), mdEscape(pa.Via+" "+pa.Service), pa.RoleLabel(), mdEscape(strings.Join(pa.With, " + ")), mdEscape(pa.Reaches))
		}
	}
	for _, n := range r.Notes {
		b.WriteString("\n> " + mdEscape(n) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// DOT is the paths as a Graphviz graph: principals (boxes) to roles
// (ellipses) to what the roles reach (notes).
func (r *IndirectReport) DOT() string {
	var b strings.Builder
	b.WriteString("digraph indirect {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	q := func(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) }
	roles := map[string]IndirectPath{}
	for _, p := range r.Principals {
		fmt.Fprintf(&b, "  \"%s\" [shape=box, label=\"%s\"];\n", q(p.ARN), q(p.Label()))
	}
	for _, p := range r.Principals {
		for _, pa := range p.Paths {
			roles[pa.RoleARN] = pa
			style := ""
			if pa.Via == "service-linked role" {
				style = ", style=dashed"
			}
			fmt.Fprintf(&b, "  \"%s\" -> \"%s\" [label=\"%s\"%s];\n", q(p.ARN), q(pa.RoleARN), q(strings.Join(pa.With, " + ")), style)
		}
	}
	for _, arn := range sortedKeys(roles) {
		pa := roles[arn]
		shape := "ellipse"
		if pa.Via == "service-linked role" {
			shape = "doubleoctagon"
		}
		fmt.Fprintf(&b, "  \"%s\" [shape=%s, label=\"%s\\n%s\"];\n", q(arn), shape, q(pa.RoleLabel()), q(pa.Service))
		fmt.Fprintf(&b, "  \"%s reaches\" [shape=note, label=\"%s\"];\n", q(arn), q(pa.Reaches))
		fmt.Fprintf(&b, "  \"%s\" -> \"%s reaches\";\n", q(arn), q(arn))
	}
	b.WriteString("}\n")
	return b.String()
}
