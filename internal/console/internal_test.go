package console

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/iam"
)

func TestParseDenied(t *testing.T) {
	for _, tc := range []struct{ msg, principal, action, resource string }{
		{"User: arn:aws:iam::1:user/a is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::1:role/ because no identity-based policy allows the iam:ListRoles action",
			"arn:aws:iam::1:user/a", "iam:ListRoles", "arn:aws:iam::1:role/"},
		{"User: arn:aws:iam::1:user/a is not authorized to perform: iam:GetAccountSummary because no identity-based policy allows the iam:GetAccountSummary action",
			"arn:aws:iam::1:user/a", "iam:GetAccountSummary", ""},
		{"User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ecs:ListTasks on resource: arn:aws:ecs:eu-west-1:1:container-instance/c/* with an explicit deny in an identity-based policy",
			"arn:aws:sts::1:assumed-role/r/s", "ecs:ListTasks", "arn:aws:ecs:eu-west-1:1:container-instance/c/*"},
		{"User: ecs-tasks.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/x", "ecs-tasks.amazonaws.com", "sts:AssumeRole", "arn:aws:iam::1:role/x"},
		{"Access denied", "", "", ""},
	} {
		p, a, r := parseDenied(tc.msg)
		if p != tc.principal || a != tc.action || r != tc.resource {
			t.Errorf("%s:\n got %q %q %q", tc.msg, p, a, r)
		}
	}
}

func FuzzParseDenied(f *testing.F) {
	f.Add("User: arn:aws:iam::1:user/a is not authorized to perform: iam:ListRoles on resource: x because y")
	f.Add("User:  is not authorized to perform:  on resource:  with an explicit deny")
	f.Fuzz(func(t *testing.T, msg string) {
		p, a, r := parseDenied(msg)
		for _, part := range []string{p, a, r} {
			if !strings.Contains(msg, part) {
				t.Fatalf("%q is not part of %q", part, msg)
			}
		}
	})
}

// member reads outputs by their member names, as the codecs do: through
// pointers, embedded structs (exported or not) and nested members.
func TestMember(t *testing.T) {
	type paging struct {
		IsTruncated bool
		Marker      string
	}
	type failure struct{ RoleUsageList []iam.Usage }
	type out struct {
		Roles  []iam.Role
		Reason *failure
		paging
	}
	o := &out{Roles: []iam.Role{{RoleName: "a"}}, Reason: &failure{RoleUsageList: []iam.Usage{{Region: "eu-west-1"}}}, paging: paging{true, "m"}}
	if got := member[[]iam.Role](o, "Roles"); len(got) != 1 || got[0].RoleName != "a" {
		t.Errorf("Roles %v", got)
	}
	if !member[bool](o, "IsTruncated") || member[string](o, "Marker") != "m" {
		t.Error("promoted members")
	}
	if got := member[[]iam.Usage](o, "Reason", "RoleUsageList"); len(got) != 1 || got[0].Region != "eu-west-1" {
		t.Errorf("nested %v", got)
	}
	o.Reason = nil
	if got := member[[]iam.Usage](o, "Reason", "RoleUsageList"); got != nil {
		t.Errorf("absent %v", got)
	}
	for _, path := range [][]string{{"Nope"}, {"paging"}, {"Roles", "X"}, {""}} {
		if got := member[any](o, path...); got != nil {
			t.Errorf("%v: %v", path, got)
		}
	}
	if got := member[string](nil, "Marker"); got != "" {
		t.Errorf("nil output: %q", got)
	}
}

func TestTrustedEntities(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		slr  bool
		want []string
	}{
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, true, []string{"AWS Service: ecs (Service-Linked Role)"}},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com","ec2.amazonaws.com"]},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`, false,
			[]string{"AWS Service: ecs-tasks", "AWS Service: ec2"}},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","111122223333","arn:aws:iam::444455556666:user/u"]},"Action":"sts:AssumeRole"}]}`, false,
			[]string{"Account: 111122223333", "AWS: arn:aws:iam::444455556666:user/u"}},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, false, []string{"Identity Provider: cognito-identity.amazonaws.com"}},
		{`not json`, false, nil},
	} {
		if got := trustedEntities(tc.doc, tc.slr); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.doc, got, tc.want)
		}
	}
}

func TestLinkedServiceName(t *testing.T) {
	for principal, want := range map[string][2]string{
		"ecs.amazonaws.com":                              {"ecs", "Elastic Container Service"},
		"ecs-compute.amazonaws.com":                      {"ecs", "Elastic Container Service"},
		"ecs.application-autoscaling.amazonaws.com":      {"application-autoscaling", "Application Auto Scaling"},
		"replication.ecr.amazonaws.com":                  {"ecr", "Elastic Container Registry"},
		"no-such-thing-at-all.amazonaws.com":             {"no-such-thing-at-all", "no-such-thing-at-all"},
		"dynamodb.application-autoscaling.amazonaws.com": {"application-autoscaling", "Application Auto Scaling"},
	} {
		k, n := linkedServiceName(principal)
		if k != want[0] || n != want[1] {
			t.Errorf("%s: %q %q, want %q", principal, k, n, want)
		}
	}
	// Every linked service is in exactly one group.
	n := 0
	for _, g := range linkedGroups() {
		n += len(g.UseCases)
	}
	if n == 0 || findGroup("ecs") == nil || len(findGroup("ecs").UseCases) != 2 {
		t.Errorf("groups: %d use cases, ecs %+v", n, findGroup("ecs"))
	}
}

func TestFormats(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	for _, tc := range []struct {
		t    *time.Time
		want string
	}{{nil, "-"}, {at(10 * time.Second), "Just now"}, {at(time.Minute), "1 minute ago"}, {at(5 * time.Hour), "5 hours ago"}, {at(49 * time.Hour), "2 days ago"}} {
		if got := since(now, tc.t); got != tc.want {
			t.Errorf("since %v: %q, want %q", tc.t, got, tc.want)
		}
	}
	for s, want := range map[int32]string{3600: "1 hour", 43200: "12 hours", 5400: "90 minutes", 61: "61 seconds"} {
		if got := formatSeconds(s); got != want {
			t.Errorf("%d: %q, want %q", s, got, want)
		}
	}
	for in, want := range map[string]string{"/console/iam/roles?q=x": "/console/iam/roles?q=x", "//evil.example/console/": "", "https://evil.example": "", "/console/\\evil": "", "/other": ""} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q", in, got)
		}
	}
}

// The Roles table is written without the template: every value escaped.
func TestRowsHTMLEscapes(t *testing.T) {
	got := string(rowsHTML([]roleRow{{Name: `a"<b>&'`, Trusted: []string{"<script>alert(1)</script>"}, LastActivity: "<i>", LastUsed: `"x"`}}))
	for _, bad := range []string{"<script>", `a"<b>`, "<i>", `""x""`} {
		if strings.Contains(got, bad) {
			t.Errorf("unescaped %q in %s", bad, got)
		}
	}
	for _, want := range []string{"&lt;script&gt;", `data-role="a&#34;&lt;b&gt;&amp;&#39;"`, `href="/console/iam/roles/details/a%22%3Cb%3E&amp;%27"`} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q in %s", want, got)
		}
	}
}
