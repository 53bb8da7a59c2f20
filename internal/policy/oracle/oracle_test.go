package oracle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/policy"
)

// corpusSize is the number of generated requests. Node evaluates them in
// one process; both engines together take a few seconds.
const corpusSize = 6000

const (
	acctA = "111111111111" // the caller's account and most resources'
	acctB = "222222222222" // another account
)

var (
	alice      = policy.Caller{Kind: policy.CallerUser, ARN: "arn:aws:iam::" + acctA + ":user/alice", Account: acctA, Name: "alice"}
	appSession = policy.Caller{Kind: policy.CallerRoleSession, ARN: "arn:aws:sts::" + acctA + ":assumed-role/app/s1", Issuer: "arn:aws:iam::" + acctA + ":role/app", Account: acctA}
	bob        = policy.Caller{Kind: policy.CallerUser, ARN: "arn:aws:iam::" + acctB + ":user/bob", Account: acctB, Name: "bob"}
	partner    = policy.Caller{Kind: policy.CallerRoleSession, ARN: "arn:aws:sts::" + acctB + ":assumed-role/partner/p1", Issuer: "arn:aws:iam::" + acctB + ":role/partner", Account: acctB}
	ecsTasks   = policy.Caller{Kind: policy.CallerService, ARN: "ecs-tasks.amazonaws.com"}
)

// ocase is one generated request: what the driver reads (JSON) and what
// rolecall's engine needs besides.
type ocase struct {
	Principal       string              `json:"principal"`
	Action          string              `json:"action"`
	Resource        string              `json:"resource"`
	ResourceAccount string              `json:"resourceAccount"`
	Context         map[string]any      `json:"context,omitempty"`
	Identity        []json.RawMessage   `json:"identity,omitempty"`
	Boundary        json.RawMessage     `json:"boundary,omitempty"`
	ResourcePolicy  json.RawMessage     `json:"resourcePolicy,omitempty"`
	SCPs            [][]json.RawMessage `json:"scps,omitempty"`
	Session         json.RawMessage     `json:"session,omitempty"`

	scenario string
	caller   policy.Caller
	trust    bool // ResourcePolicy is a role trust policy
}

// oracleDir finds the installed oracle or skips (fails under
// ROLECALL_REQUIRE_ORACLE=1) saying how to install it.
func oracleDir(t *testing.T) (node, dir string) {
	t.Helper()
	require := os.Getenv("ROLECALL_REQUIRE_ORACLE") == "1"
	stop := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...) + "\n  install it: npm install --prefix ~/.cache/rolecall/oracle @cloud-copilot/iam-simulate@0.1.173\n  then: ROLECALL_ORACLE_DIR=~/.cache/rolecall/oracle go test ./internal/policy/oracle/\n  (scripts/test.sh does both)"
		if require {
			t.Fatal("differential test required (ROLECALL_REQUIRE_ORACLE=1) but cannot run: " + msg)
		}
		t.Skip("differential test skipped: " + msg)
	}
	dir = os.Getenv("ROLECALL_ORACLE_DIR")
	if dir == "" {
		stop("ROLECALL_ORACLE_DIR is not set")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@cloud-copilot", "iam-simulate", "package.json")); err != nil {
		stop("@cloud-copilot/iam-simulate is not installed in ROLECALL_ORACLE_DIR=%s (%v)", dir, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		stop("node is not installed (the oracle is a Node.js package)")
	}
	return node, dir
}

// askOracle runs the driver over every case.
func askOracle(t *testing.T, cases []*ocase) []string {
	t.Helper()
	node, dir := oracleDir(t)
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "driver.cjs"))
	cmd.Env = append(os.Environ(), "ROLECALL_ORACLE_DIR="+dir)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("driver.cjs: %v\n%s", err, stderr.String())
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(cases) {
		t.Fatalf("driver.cjs answered %d decisions for %d cases (%v): %.500s", len(got), len(cases), err, out)
	}
	return got
}

var oracleNames = map[policy.Result]string{
	policy.Allowed:      "Allowed",
	policy.ExplicitDeny: "ExplicitlyDenied",
	policy.ImplicitDeny: "ImplicitlyDenied",
}

// ours evaluates a case with rolecall's engine.
func ours(c *ocase) (string, error) {
	ps := &policy.PolicySet{}
	for i, d := range c.Identity {
		p, err := policy.CompileJSON(string(d), policy.Identity, policy.Source{ID: fmt.Sprint("identity", i), Type: policy.TypeIdentity})
		if err != nil {
			return "", fmt.Errorf("identity policy %d: %w", i, err)
		}
		ps.Identity = append(ps.Identity, p)
	}
	if c.Boundary != nil {
		p, err := policy.CompileJSON(string(c.Boundary), policy.Identity, policy.Source{ID: "boundary", Type: policy.TypeBoundary})
		if err != nil {
			return "", fmt.Errorf("boundary: %w", err)
		}
		ps.Boundary = p
	}
	if c.ResourcePolicy != nil {
		kind := policy.Resource
		if c.trust {
			kind = policy.Trust
		}
		p, err := policy.CompileJSON(string(c.ResourcePolicy), kind, policy.Source{ID: "resource", Type: policy.TypeResource})
		if err != nil {
			return "", fmt.Errorf("resource policy: %w", err)
		}
		ps.Resource = p
	}
	if c.Session != nil {
		p, err := policy.CompileJSON(string(c.Session), policy.Identity, policy.Source{ID: "session", Type: policy.TypeSession})
		if err != nil {
			return "", fmt.Errorf("session policy: %w", err)
		}
		ps.Session = []*policy.Policy{p}
	}
	for i, level := range c.SCPs {
		var l []*policy.Policy
		for j, d := range level {
			p, err := policy.CompileJSON(string(d), policy.Identity, policy.Source{ID: fmt.Sprint("scp", i, j), Type: policy.TypeSCP})
			if err != nil {
				return "", fmt.Errorf("scp %d/%d: %w", i, j, err)
			}
			l = append(l, p)
		}
		ps.SCPs = append(ps.SCPs, l)
	}
	ctx := policy.NewContext()
	keys := make([]string, 0, len(c.Context))
	for k := range c.Context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := c.Context[k].(type) {
		case string:
			ctx.Set(k, v)
		case []string:
			ctx.Set(k, v...)
		}
	}
	d := policy.Evaluate(ps, &policy.Request{Caller: c.caller, Action: c.Action, Resource: c.Resource, ResourceAccount: c.ResourceAccount, Context: ctx})
	return oracleNames[d.Result], nil
}

// knownDifference is a class of disagreement explained by AWS's
// documentation: rolecall does what the documentation says, the oracle
// does not.
//
// A disagreement belongs to a class when rewriting the contested construct
// into an uncontested equivalent (as AWS documents its meaning) makes the
// engines agree, while rolecall's own decision stays what it was. The
// rewrite is neutralize's: it returns nil when the case has no such
// construct. The oracle is asked again about every rewritten case.
type knownDifference struct {
	name       string
	why        string // the AWS documentation behind rolecall's answer
	neutralize func(c *ocase) *ocase
}

var knownDifferences = []knownDifference{{
	name:       "NotPrincipal names the caller only in part",
	why:        `IAM User Guide, "AWS JSON policy elements: NotPrincipal": "When you use NotPrincipal, you must also specify the account ARN of the not-denied principal. Otherwise, the policy might deny access to the entire account containing the principal"; "AWS might validate the account first, then the role, and then the assumed-role user". So a principal escapes the Deny only when its account, its role (for a session) and itself are all listed, and listing an account does not exempt the account's other principals. The oracle exempts a caller named by any one of them.`,
	neutralize: neutralizeNotPrincipal,
}, {
	name:       "epoch seconds compared with ISO 8601 dates",
	why:        `IAM User Guide, "Condition operators", date condition operators take values in "one of the W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time"; aws:EpochTime is the request time "in epoch or Unix time" (seconds). Both spell one instant; the oracle compares an epoch's seconds with an ISO date's milliseconds.`,
	neutralize: neutralizeEpochs,
}, {
	name:       "...IfExists with a set operator on a missing key",
	why:        `IAM User Guide, "Condition operators", "...IfExists condition operators": "If the key is not present, evaluate the condition element as true." The oracle applies ForAnyValue's missing-key rule (false) first.`,
	neutralize: neutralizeIfExistsSets,
}, {
	name:       "policy variables with no value",
	why:        `IAM User Guide, "IAM policy elements: Variables and tags", "Policy variables with no value": "Inverted condition operators like StringNotEquals or StringNotLike do match against a null value", and a Resource or NotResource entry with a variable that has no value "will not match any resource" (so a NotResource entry excludes nothing). The oracle fails the inverted condition and the NotResource statement.`,
	neutralize: neutralizeNoValueVariables,
}, {
	name:       "a bare IP address tested against the other IP family",
	why:        `IAM User Guide, "Condition operators", IP address condition operators: "If you specify an IP address without the associated routing prefix, IAM uses the default prefix value of /32"; NotIpAddress holds for every address outside the range, an IPv6 address outside an IPv4 one included. The oracle fails NotIpAddress when a bare address meets an address of the other family.`,
	neutralize: neutralizeBareAddresses,
}, {
	name:       "a resource policy naming the session is not limited by session policies",
	why:        `IAM User Guide, "Policies and permissions", Session policies: "A resource-based policy can specify the ARN of the session as a principal. In that case, the permissions from the resource-based policy are added after the session is created. The resource-based policy permissions are not limited by the session policy." The oracle applies the session policy first.`,
	neutralize: func(c *ocase) *ocase { return neutralizeSessionNamed(c, false) },
}, {
	name:       `a resource policy allowing Principal "*" is not limited by session policies`,
	why:        `rolecall's reading of the Session policies text above (unverified): "*" names every principal, the session itself included, so the grant is to the session, not to its role.`,
	neutralize: func(c *ocase) *ocase { return neutralizeSessionNamed(c, true) },
}}

func TestDifferential(t *testing.T) {
	start := time.Now()
	seed := uint64(20261129)
	if v := os.Getenv("ROLECALL_ORACLE_SEED"); v != "" {
		// Another corpus, for exploring; CI runs the fixed one.
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("ROLECALL_ORACLE_SEED=%q: %v", v, err)
		}
		seed = n
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, 3))}
	cases := make([]*ocase, corpusSize)
	for i := range cases {
		cases[i] = g.request()
	}
	mine := make([]string, len(cases))
	for i, c := range cases {
		d, err := ours(c)
		if err != nil {
			b, _ := json.Marshal(c)
			t.Fatalf("case %d: rolecall refuses a generated policy: %v\n%s", i, err, b)
		}
		mine[i] = d
	}
	theirs := askOracle(t, cases)

	decisions := map[string]int{}
	scenarios := map[string]int{}
	var disagree []int
	for i, c := range cases {
		decisions[mine[i]]++
		scenarios[c.scenario]++
		if strings.HasPrefix(theirs[i], "error") {
			b, _ := json.Marshal(c)
			t.Errorf("case %d: the oracle failed: %s\n%s", i, theirs[i], b)
			continue
		}
		if mine[i] != theirs[i] {
			disagree = append(disagree, i)
		}
	}
	classes := classify(t, cases, mine, disagree)
	known := map[string]int{}
	var unexplained []int
	for _, i := range disagree {
		if name, ok := classes[i]; ok {
			known[name]++
		} else {
			unexplained = append(unexplained, i)
		}
	}
	t.Logf("%d cases %v in %v; rolecall's decisions %v; %d disagreements", len(cases), scenarios, time.Since(start).Round(time.Millisecond), decisions, len(disagree))
	for _, k := range knownDifferences {
		t.Logf("known difference %q: %d cases. %s", k.name, known[k.name], k.why)
	}
	for name, n := range known {
		if strings.Contains(name, " + ") {
			t.Logf("known differences combined %q: %d cases", name, n)
		}
	}
	if path := os.Getenv("ROLECALL_ORACLE_DUMP"); path != "" {
		// Every unexplained disagreement, for study.
		var all []map[string]any
		for _, i := range unexplained {
			all = append(all, map[string]any{"index": i, "scenario": cases[i].scenario, "rolecall": mine[i], "oracle": theirs[i], "case": cases[i]})
		}
		b, _ := json.MarshalIndent(all, "", " ")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Error(err)
		}
	}
	for n, i := range unexplained {
		if n == 10 {
			t.Errorf("... and %d more (ROLECALL_ORACLE_DUMP=FILE writes them all)", len(unexplained)-n)
			break
		}
		b, _ := json.MarshalIndent(cases[i], "", " ")
		t.Errorf("case %d (%s): rolecall %s, oracle %s\n%s", i, cases[i].scenario, mine[i], theirs[i], b)
	}
	if len(unexplained) > 0 {
		t.Errorf("%d unexplained disagreements of %d cases", len(unexplained), len(cases))
	}
}

// gen generates the corpus. Everything comes from r, so a seed fixes it.
type gen struct{ r *rand.Rand }

func (g *gen) pct(p int) bool { return g.r.IntN(100) < p }

func pick[T any](g *gen, xs ...T) T { return xs[g.r.IntN(len(xs))] }

func raw(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

type target struct {
	action, resource, account string
	others                    []string // other actions of the service
}

// Requests on resources in account A. S3 ARNs name no account: the
// request says which account owns them.
var targets = []target{
	{"s3:GetObject", "arn:aws:s3:::reports/q1/data.csv", acctA, []string{"s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion"}},
	{"s3:PutObject", "arn:aws:s3:::home/alice/notes.txt", acctA, []string{"s3:GetObject", "s3:PutObjectAcl"}},
	{"s3:ListBucket", "arn:aws:s3:::reports", acctA, []string{"s3:GetBucketPolicy", "s3:ListBucketVersions"}},
	{"iam:PassRole", "arn:aws:iam::" + acctA + ":role/app-task", acctA, []string{"iam:GetRole", "iam:CreateRole"}},
	{"ec2:RunInstances", "arn:aws:ec2:us-east-1:" + acctA + ":instance/i-0abc", acctA, []string{"ec2:TerminateInstances", "ec2:StartInstances"}},
	{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acctA + ":table/Orders", acctA, []string{"dynamodb:PutItem", "dynamodb:Query"}},
	{"sqs:SendMessage", "arn:aws:sqs:us-east-1:" + acctA + ":jobs", acctA, []string{"sqs:ReceiveMessage", "sqs:DeleteMessage"}},
	{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:" + acctA + ":function:fn-1", acctA, []string{"lambda:GetFunction", "lambda:UpdateFunctionCode"}},
	{"ec2:DescribeInstances", "*", acctA, []string{"ec2:DescribeImages"}},
}

// Resource-policy targets (services whose resources have resource
// policies).
var resourceTargets = []int{0, 1, 2, 6, 7}

func (g *gen) request() *ocase {
	switch n := g.r.IntN(100); {
	case n < 30:
		return g.identityOnly()
	case n < 45:
		return g.withBoundary()
	case n < 65:
		return g.sameAccountResource()
	case n < 82:
		return g.crossAccount()
	case n < 90:
		return g.trust()
	case n < 95:
		return g.withSession()
	default:
		return g.withSCPs()
	}
}

// withSession: a role session with a session policy (AssumeRole's Policy).
func (g *gen) withSession() *ocase {
	t := pick(g, targets...)
	c := g.base("session", appSession, t)
	g.identityPolicies(c, t, 1, 2)
	c.Session = g.identityPolicy(c, t)
	if g.pct(30) {
		t := targets[pick(g, resourceTargets...)]
		c.Action, c.Resource, c.ResourceAccount = t.action, t.resource, t.account
		c.Identity = nil
		g.identityPolicies(c, t, 0, 2)
		c.Session = g.identityPolicy(c, t)
		c.ResourcePolicy = g.resourcePolicy(c, t)
	}
	return c
}

func (g *gen) base(scenario string, caller policy.Caller, t target) *ocase {
	c := &ocase{scenario: scenario, caller: caller, Principal: caller.ARN, Action: t.action, Resource: t.resource, ResourceAccount: t.account, Context: map[string]any{}}
	if g.pct(10) {
		// Action names are case-insensitive.
		c.Action = strings.ToUpper(t.action[:1]) + t.action[1:]
	}
	return c
}

func (g *gen) identityPolicies(c *ocase, t target, min, max int) {
	n := min + g.r.IntN(max-min+1)
	for i := 0; i < n; i++ {
		c.Identity = append(c.Identity, g.identityPolicy(c, t))
	}
}

func (g *gen) identityOnly() *ocase {
	t := pick(g, targets...)
	c := g.base("identity", pick(g, alice, appSession), t)
	g.identityPolicies(c, t, 1, 3)
	return c
}

func (g *gen) withBoundary() *ocase {
	t := pick(g, targets...)
	c := g.base("boundary", pick(g, alice, appSession), t)
	g.identityPolicies(c, t, 1, 2)
	c.Boundary = g.identityPolicy(c, t)
	return c
}

func (g *gen) sameAccountResource() *ocase {
	t := targets[pick(g, resourceTargets...)]
	c := g.base("resource-same-account", pick(g, alice, appSession), t)
	g.identityPolicies(c, t, 0, 2)
	c.ResourcePolicy = g.resourcePolicy(c, t)
	if g.pct(25) {
		c.Boundary = g.identityPolicy(c, t)
	}
	return c
}

func (g *gen) crossAccount() *ocase {
	t := targets[pick(g, resourceTargets...)]
	c := g.base("cross-account", pick(g, bob, partner), t)
	g.identityPolicies(c, t, 0, 2)
	if g.pct(85) {
		c.ResourcePolicy = g.resourcePolicy(c, t)
	}
	if g.pct(15) {
		c.Boundary = g.identityPolicy(c, t)
	}
	return c
}

func (g *gen) withSCPs() *ocase {
	t := pick(g, targets...)
	c := g.base("scp", pick(g, alice, appSession), t)
	g.identityPolicies(c, t, 1, 2)
	levels := 1 + g.r.IntN(2)
	for i := 0; i < levels; i++ {
		var level []json.RawMessage
		if g.pct(60) {
			level = append(level, raw(doc(stmt("Allow", "*", "*", nil))))
		}
		for j := g.r.IntN(2); j >= 0; j-- {
			level = append(level, g.identityPolicy(c, t))
		}
		c.SCPs = append(c.SCPs, level)
	}
	return c
}

// trust: sts:AssumeRole on a role of account A, its trust policy the
// resource policy.
func (g *gen) trust() *ocase {
	t := target{"sts:AssumeRole", "arn:aws:iam::" + acctA + ":role/target", acctA, []string{"sts:TagSession", "sts:SetSourceIdentity"}}
	caller := pick(g, ecsTasks, ecsTasks, alice, appSession, bob)
	c := g.base("trust", caller, t)
	c.trust = true
	if caller.Kind != policy.CallerService {
		g.identityPolicies(c, t, 0, 2)
	}
	var stmts []map[string]any
	for n := 1 + g.r.IntN(2); n > 0; n-- {
		s := map[string]any{
			"Effect": pick(g, "Allow", "Allow", "Allow", "Deny"),
			"Action": pick[any](g, "sts:AssumeRole", []string{"sts:AssumeRole", "sts:TagSession"}, "sts:*", "sts:TagSession"),
		}
		s["Principal"] = pick[any](g,
			map[string]any{"Service": "ecs-tasks.amazonaws.com"},
			map[string]any{"Service": []string{"ec2.amazonaws.com", "ecs-tasks.amazonaws.com"}},
			map[string]any{"Service": "lambda.amazonaws.com"},
			map[string]any{"AWS": alice.ARN},
			map[string]any{"AWS": "arn:aws:iam::" + acctA + ":root"},
			map[string]any{"AWS": acctB},
			map[string]any{"AWS": appSession.Issuer},
		)
		if g.pct(40) {
			s["Condition"] = pick[any](g,
				map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": acctA}},
				map[string]any{"ArnLike": map[string]any{"aws:SourceArn": "arn:aws:ecs:*:" + acctA + ":*"}},
				map[string]any{"StringEquals": map[string]any{"aws:PrincipalTag/team": "blue"}},
			)
			if g.pct(70) {
				c.Context["aws:SourceAccount"] = pick(g, acctA, acctB)
			}
			if g.pct(70) {
				c.Context["aws:SourceArn"] = pick(g, "arn:aws:ecs:us-east-1:"+acctA+":task/c1/abc", "arn:aws:ecs:us-east-1:"+acctB+":task/c1/abc")
			}
			if g.pct(50) {
				c.Context["aws:PrincipalTag/team"] = pick(g, "blue", "red")
			}
		}
		stmts = append(stmts, s)
	}
	c.ResourcePolicy = raw(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	return c
}

func doc(stmts ...map[string]any) map[string]any {
	var st any = stmts
	if len(stmts) == 1 {
		st = stmts[0]
	}
	return map[string]any{"Version": "2012-10-17", "Statement": st}
}

func stmt(effect string, action, resource any, cond map[string]any) map[string]any {
	s := map[string]any{"Effect": effect, "Action": action, "Resource": resource}
	if cond != nil {
		s["Condition"] = cond
	}
	return s
}

func (g *gen) identityPolicy(c *ocase, t target) json.RawMessage {
	var stmts []map[string]any
	for n := 1 + g.r.IntN(3); n > 0; n-- {
		s := map[string]any{"Effect": pick(g, "Allow", "Allow", "Allow", "Deny")}
		if g.pct(12) {
			s["NotAction"] = g.actions(t)
		} else {
			s["Action"] = g.actions(t)
		}
		if g.pct(10) {
			s["NotResource"] = g.resources(c, t)
		} else {
			s["Resource"] = g.resources(c, t)
		}
		if g.pct(45) {
			s["Condition"] = g.conditions(c)
		}
		stmts = append(stmts, s)
	}
	return raw(doc(stmts...))
}

func (g *gen) resourcePolicy(c *ocase, t target) json.RawMessage {
	var stmts []map[string]any
	for n := 1 + g.r.IntN(2); n > 0; n-- {
		effect := pick(g, "Allow", "Allow", "Allow", "Deny")
		s := map[string]any{"Effect": effect, "Action": g.actions(t), "Resource": g.resources(c, t)}
		principals := []any{
			"*",
			map[string]any{"AWS": "*"},
			map[string]any{"AWS": alice.ARN},
			map[string]any{"AWS": acctA},
			map[string]any{"AWS": "arn:aws:iam::" + acctA + ":root"},
			map[string]any{"AWS": appSession.Issuer},
			map[string]any{"AWS": appSession.ARN},
			map[string]any{"AWS": acctB},
			map[string]any{"AWS": "arn:aws:iam::" + acctB + ":root"},
			map[string]any{"AWS": bob.ARN},
			map[string]any{"AWS": partner.Issuer},
			map[string]any{"AWS": []string{bob.ARN, alice.ARN}},
			map[string]any{"Service": "ecs-tasks.amazonaws.com"},
		}
		if effect == "Deny" && g.pct(25) {
			s["NotPrincipal"] = pick[any](g,
				map[string]any{"AWS": alice.ARN},
				map[string]any{"AWS": []string{"arn:aws:iam::" + acctA + ":root", alice.ARN}},
				map[string]any{"AWS": []string{acctB, bob.ARN}},
			)
		} else {
			s["Principal"] = pick(g, principals...)
		}
		if g.pct(35) {
			s["Condition"] = g.conditions(c)
		}
		stmts = append(stmts, s)
	}
	return raw(doc(stmts...))
}

// actions is an Action value that may or may not match t.action.
func (g *gen) actions(t target) any {
	svc, name, _ := strings.Cut(t.action, ":")
	one := func() string {
		switch g.r.IntN(11) {
		case 0, 1:
			return t.action
		case 2:
			return strings.ToLower(t.action)
		case 3:
			return svc + ":*"
		case 4:
			return svc + ":" + name[:1+g.r.IntN(len(name)-1)] + "*"
		case 5:
			return svc + ":?" + name[1:]
		case 6:
			return "*"
		case 7:
			return svc + ":*" + name[len(name)-3:]
		case 8:
			return "sqs:" + name
		default:
			return pick(g, t.others...)
		}
	}
	if g.pct(30) {
		return []string{one(), one()}
	}
	return one()
}

// resources is a Resource value that may or may not match t.resource.
func (g *gen) resources(c *ocase, t target) any {
	one := func() string {
		if t.resource == "*" {
			return pick(g, "*", "arn:aws:ec2:*:*:instance/*")
		}
		r := t.resource
		switch g.r.IntN(14) {
		case 0, 1:
			return r
		case 2:
			return "*"
		case 3: // the last path segment a wildcard
			if i := strings.LastIndexAny(r, "/:"); i > 0 {
				return r[:i+1] + "*"
			}
			return r
		case 4: // a prefix
			return r[:len(r)-1-g.r.IntN(4)] + "*"
		case 5: // one character a '?'
			i := len(r) - 1 - g.r.IntN(3)
			return r[:i] + "?" + r[i+1:]
		case 6: // region and account wildcards
			parts := strings.SplitN(r, ":", 6)
			if parts[2] == "s3" {
				return "arn:aws:s3:::*/" + r[strings.LastIndexByte(r, '/')+1:]
			}
			parts[3], parts[4] = "*", "*"
			return strings.Join(parts, ":")
		case 7: // case differs in the resource part: ARNs match case-sensitively
			i := len(strings.SplitN(r, ":", 6)[5])
			i = len(r) - i
			return r[:i] + strings.ToUpper(r[i:i+3]) + r[i+3:]
		case 8: // a policy variable
			g.maybeContext(c, "aws:username", pick(g, "alice", "bob"))
			if strings.HasPrefix(r, "arn:aws:s3:::home/") {
				return pick(g, "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/${aws:username, 'alice'}/*", "arn:aws:s3:::home/${aws:PrincipalTag/team}/*")
			}
			return r[:strings.LastIndexAny(r, "/:")+1] + "${aws:username}*"
		case 9: // '*' spanning segments
			parts := strings.SplitN(r, ":", 4)
			if parts[2] == "s3" {
				return "arn:aws:s3:::*"
			}
			return strings.Join(parts[:3], ":") + ":*"
		case 10:
			return "arn:aws:s3:::other-bucket/*"
		default: // another resource of the same service
			return r + "-other"
		}
	}
	valid := func() string {
		// IAM refuses some rewrites (a wildcard vendor, an IAM resource not
		// starting with role/...); keep the corpus to valid policies.
		for {
			r := one()
			if _, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"`+r+`"}}`, policy.Identity); err == nil {
				return r
			}
		}
	}
	if g.pct(25) {
		return []string{valid(), valid()}
	}
	return valid()
}

func (g *gen) maybeContext(c *ocase, key string, v any) {
	if g.pct(65) {
		c.Context[key] = v
	}
}

// A condition key, its type, the values a request may carry and the values
// a policy may test.
type ckey struct {
	name   string
	typ    string // string, arn, numeric, date, bool, ip, binary
	multi  bool
	ctx    []any
	policy []string
}

var ckeys = []ckey{
	{"aws:PrincipalTag/team", "string", false, []any{"blue", "red", "Blue"}, []string{"blue", "red", "bl*", "B?ue", "BLUE", "${aws:username}"}},
	{"aws:RequestTag/env", "string", false, []any{"prod", "dev", ""}, []string{"prod", "dev", "p*", "*"}},
	{"s3:prefix", "string", false, []any{"home/", "home/alice/", "tmp/"}, []string{"home/*", "home/", "tmp/", "home/${aws:username}/*"}},
	{"aws:SourceIp", "ip", false, []any{"10.1.2.3", "192.168.1.5", "2001:db8::1", "203.0.113.9"}, []string{"10.0.0.0/8", "192.168.1.0/24", "2001:db8::/32", "203.0.113.9/32", "203.0.113.9"}},
	{"aws:MultiFactorAuthAge", "numeric", false, []any{"0", "100", "3600", "86400"}, []string{"3600", "100", "0", "86400"}},
	{"aws:CurrentTime", "date", false, []any{"2024-06-01T00:00:00Z", "2026-01-01T12:00:00Z"}, []string{"2025-01-01T00:00:00Z", "2024-06-01T00:00:00Z", "2026-01-01T12:00:00Z"}},
	{"aws:EpochTime", "date", false, []any{"1735689600", "1700000000"}, []string{"1735689600", "2024-01-01T00:00:00Z"}},
	{"aws:SecureTransport", "bool", false, []any{"true", "false"}, []string{"true", "false"}},
	{"aws:MultiFactorAuthPresent", "bool", false, []any{"true", "false"}, []string{"true", "false"}},
	{"aws:TagKeys", "string", true, []any{[]string{"a"}, []string{"a", "b"}, []string{"c"}, []string{"a", "c"}}, []string{"a", "b", "a*"}},
	{"aws:CalledVia", "string", true, []any{[]string{"cloudformation.amazonaws.com"}, []string{"athena.amazonaws.com", "cloudformation.amazonaws.com"}}, []string{"cloudformation.amazonaws.com", "athena.amazonaws.com"}},
	{"aws:PrincipalArn", "arn", false, []any{alice.ARN, appSession.Issuer, bob.ARN}, []string{alice.ARN, "arn:aws:iam::*:role/app", "arn:aws:iam::" + acctA + ":*", bob.ARN}},
	{"aws:SourceArn", "arn", false, []any{"arn:aws:ecs:us-east-1:" + acctA + ":cluster/c1", "arn:aws:lambda:us-east-1:" + acctB + ":function:f"}, []string{"arn:aws:ecs:*:" + acctA + ":cluster/*", "arn:aws:ecs:us-east-1:" + acctA + ":cluster/c1", "arn:aws:lambda:*:*:function:*"}},
	{"aws:RequestTag/blob", "binary", false, []any{"aGVsbG8=", "d29ybGQ="}, []string{"aGVsbG8=", "d29ybGQ="}},
}

var operatorsByType = map[string][]string{
	"string":  {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"},
	"arn":     {"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "StringLike", "StringEquals"},
	"numeric": {"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"},
	"date":    {"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"},
	"bool":    {"Bool"},
	"ip":      {"IpAddress", "NotIpAddress"},
	"binary":  {"BinaryEquals"},
}

// conditions is a Condition element over random keys, with the request's
// values for some of them in c.Context.
func (g *gen) conditions(c *ocase) map[string]any {
	out := map[string]any{}
	for n := 1 + g.r.IntN(2); n > 0; n-- {
		k := pick(g, ckeys...)
		var op string
		var vals []string
		if g.pct(10) {
			op = "Null"
			vals = []string{pick(g, "true", "false")}
		} else {
			op = pick(g, operatorsByType[k.typ]...)
			// Multivalued keys always get a set operator: "Multivalued context
			// keys require a condition set operator" (IAM User Guide,
			// "Single-valued vs. multivalued context keys"); what AWS does
			// without one is not documented. Single-valued keys sometimes get
			// one too (a set of one value).
			if k.multi || (k.typ == "string" || k.typ == "arn") && g.pct(10) {
				op = pick(g, "ForAnyValue:", "ForAllValues:") + op
			}
			if g.pct(20) {
				op += "IfExists"
			}
			for m := 1 + g.r.IntN(2); m > 0; m-- {
				vals = append(vals, pick(g, k.policy...))
			}
		}
		block, _ := out[op].(map[string]any)
		if block == nil {
			block = map[string]any{}
			out[op] = block
		}
		if len(vals) == 1 {
			block[k.name] = vals[0]
		} else {
			block[k.name] = vals
		}
		// A service's own keys are in the request context only for actions
		// that support them (s3:prefix: s3:ListBucket); the oracle drops the
		// others, as AWS would never send them.
		if _, set := c.Context[k.name]; !set && (k.name != "s3:prefix" || strings.EqualFold(c.Action, "s3:ListBucket")) {
			g.maybeContext(c, k.name, pick(g, k.ctx...))
		}
		if strings.Contains(strings.Join(vals, ""), "${aws:username}") {
			g.maybeContext(c, "aws:username", pick(g, "alice", "bob"))
		}
	}
	return out
}
