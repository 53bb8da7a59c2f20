package doctor

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/ecsroles"
)

// Diagnose examines a setup: for every role an ECS setup may need, whether
// this one needs it and why, whether it exists, whether its trust policy
// lets the right service assume it, whether its permissions allow what the
// setup uses (each request evaluated with the policy engine), whether the
// deployer may pass it, and the fix for what fails. Errors are only those
// of reading IAM (a RoleReader failing other than with ErrNotFound).
func Diagnose(ctx context.Context, s *Setup) (*Report, error) {
	a := newAnalysis(ctx, s)
	if err := a.resolveDeployer(); err != nil {
		return nil, err
	}
	a.collect()
	if a.err != nil {
		return nil, a.err
	}
	rep := &Report{Account: a.account, Region: a.region, Deployer: s.Deployer, Workloads: a.workloads, Notes: a.notes}
	for _, k := range kindOrder {
		var cases []*caseBuilder
		for _, cb := range a.cases {
			if cb.kind == k {
				cases = append(cases, cb)
			}
		}
		sort.Slice(cases, func(i, j int) bool { return cases[i].sortKey() < cases[j].sortKey() })
		if len(cases) == 0 {
			ki := kinds[k]
			rc := &RoleCase{Kind: k, Title: ki.Title, Principal: ki.Principal, ManagedPolicy: ki.ManagedARN(a.partition), Status: NotNeeded, Why: []string{"not needed: " + ki.NotNeeded}}
			if ki.Linked {
				rc.Name = ki.LinkedRole().RoleName
				rc.ManagedPolicy = strings.Join(ki.LinkedRole().Policies, ", ")
			}
			rep.Roles = append(rep.Roles, rc)
			continue
		}
		for _, cb := range cases {
			rc, err := a.check(cb)
			if err != nil {
				return nil, err
			}
			rep.Roles = append(rep.Roles, rc)
		}
	}
	dedupeCommands(rep.Roles)
	return rep, nil
}

// dedupeCommands drops from the report's fixes a command an earlier fix
// already gives, and a second creation of the same role or instance
// profile: one role can serve several purposes (ecsInfrastructureRole for
// EBS volumes and for Service Connect TLS), and a person runs the commands
// top to bottom, where a second create-role fails with EntityAlreadyExists.
func dedupeCommands(roles []*RoleCase) {
	seen := map[string]bool{}
	for _, rc := range roles {
		for i := range rc.Fixes {
			f := &rc.Fixes[i]
			if len(f.Commands) == 0 {
				continue
			}
			var keep []string
			created := false
			for _, c := range f.Commands {
				key := createKey(c)
				if key == "" {
					key = c
				}
				if !seen[key] {
					seen[key] = true
					keep = append(keep, c)
				} else if key != c {
					created = true
				}
			}
			switch {
			case len(keep) == 0:
				f.Summary += " (the commands above do it)"
			case created:
				f.Summary += " (created by the commands above; these add the rest)"
			}
			f.Commands = keep
		}
	}
}

// createKey names what a create command creates; "" for other commands.
func createKey(c string) string {
	for _, p := range []string{"aws iam create-role --role-name ", "aws iam create-instance-profile --instance-profile-name "} {
		if rest, ok := strings.CutPrefix(c, p); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return p + f[0]
			}
		}
	}
	return ""
}

// analysis is one Diagnose run.
type analysis struct {
	ctx                        context.Context
	s                          *Setup
	partition, account, region string
	env                        ecsroles.Env
	ev                         *evaluator
	iam                        RoleReader

	deployer        *Principal
	deployerSession string
	deployerNote    string

	workloads []Workload
	cases     map[string]*caseBuilder
	order     int
	notes     []string
	err       error

	roleCache    map[string]*Principal
	profileCache map[string]*InstanceProfile
}

func newAnalysis(ctx context.Context, s *Setup) *analysis {
	a := &analysis{ctx: ctx, s: s, partition: s.Partition, account: s.Account, region: s.Region, iam: s.IAM,
		cases: map[string]*caseBuilder{}, roleCache: map[string]*Principal{}, profileCache: map[string]*InstanceProfile{}}
	if a.partition == "" {
		a.partition = "aws"
	}
	if a.account == "" {
		a.account = guessAccount(s)
	}
	if a.account == "" {
		a.account = "000000000000"
		a.notes = append(a.notes, "no account ID in the setup: using 000000000000 (give --account)")
	}
	if a.region == "" {
		a.region = guessRegion(s)
	}
	a.env = ecsroles.Env{Partition: a.partition, Account: a.account, Region: a.region}
	a.ev = newEvaluator(a.partition, a.account, a.region)
	return a
}

// guessAccount takes the account from the first ARN in the setup.
func guessAccount(s *Setup) string {
	var arns []string
	for _, t := range s.TaskDefinitions {
		arns = append(arns, t.TaskDefinitionArn, t.ExecutionRoleArn, t.TaskRoleArn)
	}
	for _, sv := range s.Services {
		arns = append(arns, sv.ServiceArn, sv.ClusterArn, sv.RoleArn)
	}
	for _, t := range s.DaemonTaskDefinitions {
		arns = append(arns, t.DaemonTaskDefinitionArn, t.ExecutionRoleArn, t.TaskRoleArn)
	}
	for _, d := range s.Daemons {
		arns = append(arns, d.DaemonArn, d.ClusterArn)
	}
	for _, cp := range s.CapacityProviders {
		arns = append(arns, cp.CapacityProviderArn)
		if mi := cp.ManagedInstancesProvider; mi != nil {
			arns = append(arns, mi.InfrastructureRoleArn)
		}
	}
	arns = append(arns, s.Deployer)
	for _, x := range arns {
		if p := strings.SplitN(x, ":", 6); len(p) == 6 && len(p[4]) == 12 {
			return p[4]
		}
	}
	return ""
}

// guessRegion takes the Region from the first regional ARN or awslogs
// option; us-east-1 otherwise.
func guessRegion(s *Setup) string {
	var arns []string
	for _, t := range s.TaskDefinitions {
		arns = append(arns, t.TaskDefinitionArn)
	}
	for _, sv := range s.Services {
		arns = append(arns, sv.ServiceArn, sv.ClusterArn)
	}
	for _, x := range arns {
		if p := strings.SplitN(x, ":", 6); len(p) == 6 && p[3] != "" {
			return p[3]
		}
	}
	for _, t := range s.TaskDefinitions {
		for _, c := range t.ContainerDefinitions {
			if lc := c.LogConfiguration; lc != nil && lc.Options["awslogs-region"] != "" {
				return lc.Options["awslogs-region"]
			}
		}
	}
	return "us-east-1"
}

// caseBuilder gathers what the setup asks of one role.
type caseBuilder struct {
	kind    RoleKind
	ref     roleRef
	profile string // instance profile name, for instance roles
	// guessed: the setup does not name the role; the conventional one is
	// looked at.
	guessed bool
	// nameOnly: a service's legacy role given by name, not ARN.
	nameOnly  bool
	needed    bool
	why       []string
	needs     []need
	trustKeys map[string][]string
	// passed: the deployer passes the role (iam:PassRole checked).
	passed bool
	config []Check
	notes  []string
	// missingFor names what lacks the role, when the setup names none.
	missingFor string
	order      int
}

func (cb *caseBuilder) sortKey() string {
	return fmt.Sprintf("%s|%s|%s|%06d", cb.ref.name, cb.profile, cb.missingFor, cb.order)
}

func (cb *caseBuilder) addWhy(w string) {
	for _, x := range cb.why {
		if x == w {
			return
		}
	}
	cb.why = append(cb.why, w)
}

func (cb *caseBuilder) addNote(n string) {
	for _, x := range cb.notes {
		if x == n {
			return
		}
	}
	cb.notes = append(cb.notes, n)
}

func (cb *caseBuilder) addConfig(st Status, what, detail string) {
	for _, c := range cb.config {
		if c.What == what {
			return
		}
	}
	cb.config = append(cb.config, Check{Area: AreaConfig, Status: st, What: what, Detail: detail})
}

// role returns the case for a role of kind named by ref (ARN or name).
func (a *analysis) role(kind RoleKind, ref string) *caseBuilder {
	r := parseRoleRef(ref, a.partition, a.account)
	key := string(kind) + "|" + r.arn
	if cb, ok := a.cases[key]; ok {
		return cb
	}
	a.order++
	cb := &caseBuilder{kind: kind, ref: r, order: a.order, trustKeys: map[string][]string{}}
	a.cases[key] = cb
	return cb
}

// linked returns the case of a service-linked role.
func (a *analysis) linked(kind RoleKind) *caseBuilder {
	ls := kinds[kind].LinkedRole()
	return a.role(kind, roleARN(a.partition, a.account, ls.Path(), ls.RoleName))
}

// missing returns the case of a role the setup needs but does not name.
func (a *analysis) missing(kind RoleKind, what string) *caseBuilder {
	key := string(kind) + "|missing|" + what
	if cb, ok := a.cases[key]; ok {
		return cb
	}
	a.order++
	cb := &caseBuilder{kind: kind, missingFor: what, order: a.order, needed: true, trustKeys: map[string][]string{}}
	a.cases[key] = cb
	return cb
}

// res fills an action's resource ARN (Service Authorization Reference).
func (a *analysis) res(action, typ string, kv ...string) string {
	return a.env.Res(action, typ, kv...)
}

func (a *analysis) clusterARN(c string) string {
	return a.res("ecs:RegisterContainerInstance", "cluster", "ClusterName", c)
}

func (a *analysis) taskARN(cluster string) string {
	return a.env.TaskARN(cluster, ecsroles.TaskID)
}

func (a *analysis) serviceARN(cluster, name string) string {
	return a.res("ecs:CreateService", "service", "ClusterName", cluster, "ServiceName", name)
}

// resolveDeployer reads the deploying principal.
func (a *analysis) resolveDeployer() error {
	arn := a.s.Deployer
	if arn == "" {
		return nil
	}
	kind, acct, name, session, ok := principalARNParts(arn)
	if !ok {
		a.deployerNote = fmt.Sprintf("the deployer %q is not a user, role, role session or root ARN; iam:PassRole is not checked", arn)
		return nil
	}
	if kind == KindRoot {
		a.deployer = &Principal{Kind: KindRoot, ARN: arn, Name: "root"}
		return nil
	}
	if a.iam == nil {
		a.deployerNote = "IAM is not read: iam:PassRole is not checked"
		return nil
	}
	if acct != "" && acct != a.account {
		a.deployerNote = "the deployer is in account " + acct + ", not " + a.account + ": iam:PassRole is not checked"
		return nil
	}
	var p *Principal
	var err error
	if kind == KindRole {
		p, err = a.iam.Role(a.ctx, name)
	} else {
		p, err = a.iam.Principal(a.ctx, arn)
	}
	if errors.Is(err, ErrNotFound) {
		a.deployerNote = "the deployer " + arn + " does not exist in IAM: iam:PassRole is not checked"
		return nil
	}
	if err != nil {
		return err
	}
	a.deployer, a.deployerSession = p, session
	if session != "" {
		a.deployerNote = "the deployer is a session of role " + name + ": iam:PassRole is evaluated with the role's policies and boundary; session policies and SCPs are not visible to IAM's read calls"
	}
	return nil
}

// getRole reads a role once; nil when it does not exist.
func (a *analysis) getRole(name string) (*Principal, error) {
	if p, ok := a.roleCache[name]; ok {
		return p, nil
	}
	p, err := a.iam.Role(a.ctx, name)
	if errors.Is(err, ErrNotFound) {
		p, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	a.roleCache[name] = p
	return p, nil
}

// getProfile reads an instance profile once; nil when it does not exist.
func (a *analysis) getProfile(name string) (*InstanceProfile, error) {
	if p, ok := a.profileCache[name]; ok {
		return p, nil
	}
	p, err := a.iam.InstanceProfile(a.ctx, name)
	if errors.Is(err, ErrNotFound) {
		p, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	a.profileCache[name] = p
	return p, nil
}

// profileRole resolves an instance profile's role name when IAM is read:
// "" when unknown.
func (a *analysis) profileRole(profile string) string {
	if a.iam == nil {
		return ""
	}
	p, err := a.getProfile(profile)
	if err != nil {
		a.err = err
		return ""
	}
	if p == nil || len(p.Roles) == 0 {
		return ""
	}
	return p.Roles[0]
}
