package authz

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
)

const who = "User: arn:aws:iam::000000000000:user/dev is not authorized to perform: "

// TestMessages: a denial is AWS's AccessDenied in the words of the
// action's service, naming the target as AWS names it.
func TestMessages(t *testing.T) {
	f := newFixture(t, On)
	dev := f.user(t, "dev", "")
	ecsTask := "arn:aws:ecs:us-east-1:000000000000:task/c1/0123abcd"
	cases := []struct {
		action       string
		target       Target
		code         string
		status       int
		msg          string
		resourceSeen string
	}{
		{"iam:GetRole", role("app", nil), "AccessDenied", 403,
			"iam:GetRole on resource: role app because no identity-based policy allows the iam:GetRole action", "arn:aws:iam::000000000000:role/app"},
		{"iam:GetAccountSummary", Any(), "AccessDenied", 403,
			"iam:GetAccountSummary on resource: * because no identity-based policy allows the iam:GetAccountSummary action", "*"},
		{"ecs:StopTask", Target{ARN: ecsTask, Type: "task"}, "AccessDeniedException", 400,
			"ecs:StopTask on resource: " + ecsTask + " because no identity-based policy allows the ecs:StopTask action", ecsTask},
		{"ec2:DescribeSubnets", Target{ARN: "*", Unnamed: true}, "AccessDenied", 403,
			"ec2:DescribeSubnets because no identity-based policy allows the ec2:DescribeSubnets action", "*"},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			_, err := f.decide(dev, c.action, c.target)
			wantErr(t, err, c.code, c.status, who+c.msg)
			r := f.last(t)
			if strings.Join(r.Resources, " ") != c.resourceSeen || r.Decision != "implicitDeny" || !r.Enforced || r.Region != "us-east-1" {
				t.Errorf("record: resources %q, decision %s, enforced %v, region %s", r.Resources, r.Decision, r.Enforced, r.Region)
			}
		})
	}
	// Every target must be allowed; the first denied one is named.
	p := f.user(t, "one", allow(`"ecs:DescribeServices"`, "arn:aws:ecs:*:*:service/c1/web"))
	web := Target{ARN: "arn:aws:ecs:us-east-1:000000000000:service/c1/web", Type: "service"}
	api := Target{ARN: "arn:aws:ecs:us-east-1:000000000000:service/c1/api", Type: "service"}
	_, err := f.decide(p, "ecs:DescribeServices", web, api)
	wantErr(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::000000000000:user/one is not authorized to perform: ecs:DescribeServices on resource: "+api.ARN+" because no identity-based policy allows the ecs:DescribeServices action")
	if r := f.last(t); r.Denied != api.ARN || len(r.Resources) != 2 {
		t.Errorf("record %+v", r)
	}
}

// TestRootInItsOwnAccountOnly: the root user may do everything in its own
// account, and nothing in another's that the other's policies do not
// allow.
func TestRootInItsOwnAccountOnly(t *testing.T) {
	f := newFixture(t, On)
	root := principal.RootUser(acct)
	if _, err := f.decide(root, "iam:DeleteRole", role("x", nil)); err != nil {
		t.Fatalf("root in its own account: %v", err)
	}
	if r := f.last(t); r.Decision != "allowed" || r.Reason != rootReason {
		t.Errorf("root's record %+v", r)
	}
	// Account B's root passing account A's role: a role of another account
	// is that account's, and nothing there lets B in.
	other := principal.RootUser("111122223333")
	_, err := f.decideKeys(other, "iam:PassRole", Keys{"iam:PassedToService": {"ecs-tasks.amazonaws.com"}}, Target{ARN: "arn:aws:iam::000000000000:role/admin", Account: acct, Type: "role"})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::111122223333:root is not authorized to perform: iam:PassRole on resource: arn:aws:iam::000000000000:role/admin because no resource-based policy allows the iam:PassRole action")
	// An IAM user with iam:PassRole on "*" no more.
	star := f.user(t, "star", allow(`"iam:PassRole"`, "*"))
	_, err = f.decide(star, "iam:PassRole", Target{ARN: "arn:aws:iam::111122223333:role/x", Account: "111122223333", Type: "role"})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::000000000000:user/star is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/x because no resource-based policy allows the iam:PassRole action")
}

// TestTrust: a role's trust policy must allow sts:AssumeRole even in the
// role's own account; it names users and roles by unique ID; STS words a
// denial without a reason; a service principal is matched with the keys it
// sends.
func TestTrust(t *testing.T) {
	f := newFixture(t, On)
	dev := f.user(t, "dev", allow(`"sts:AssumeRole"`, "*"))
	arn := "arn:aws:iam::000000000000:role/app"
	trust := func(principal, cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"` + cond + `}]}`
	}
	denied := "User: arn:aws:iam::000000000000:user/dev is not authorized to perform: sts:AssumeRole on resource: " + arn

	// The identity policy alone does not do.
	_, err := f.decide(dev, "sts:AssumeRole", Trust(arn, "", trust(`{"Service":"ec2.amazonaws.com"}`, ""), nil))
	wantErr(t, err, "AccessDenied", 403, denied)
	if r := f.last(t); r.Decision != "implicitDeny" || r.Reason != "because no resource-based policy allows the sts:AssumeRole action" {
		t.Errorf("record: %s %q", r.Decision, r.Reason)
	}
	// Nor does a role that does not exist (no trust policy).
	_, err = f.decide(dev, "sts:AssumeRole", Trust(arn, "", "", nil))
	wantErr(t, err, "AccessDenied", 403, denied)
	// Trusted by unique ID: dev, and not a new user of the same name.
	if _, err := f.decide(dev, "sts:AssumeRole", Trust(arn, "", trust(`{"AWS":"`+dev.UserID+`"}`, ""), nil)); err != nil {
		t.Fatalf("trusted by id: %v", err)
	}
	again := *dev
	again.UserID = "AIDADEV1111111111111111"
	f.iam.write(func() { f.iam.entities[acct+"/user/dev"].ID = again.UserID })
	_, err = f.decide(&again, "sts:AssumeRole", Trust(arn, "", trust(`{"AWS":"`+dev.UserID+`"}`, ""), nil))
	wantErr(t, err, "AccessDenied", 403, denied)
	// A role's sessions by the role's unique ID.
	s := f.session(t, "chain", allow(`"sts:AssumeRole"`, "*"))
	if _, err := f.decide(s, "sts:AssumeRole", Trust(arn, "", trust(`{"AWS":"`+s.RoleID+`"}`, ""), nil)); err != nil {
		t.Fatalf("role session trusted by the role's id: %v", err)
	}

	// ECS assuming a task role: the condition the ECS developer guide
	// recommends holds for the task's account and ARN.
	ecsTasks := principal.AWSService("ecs-tasks.amazonaws.com")
	guarded := trust(`{"Service":"ecs-tasks.amazonaws.com"}`, `,"Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"},"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:000000000000:*"}}`)
	keys := Keys{"aws:SourceAccount": {acct}, "aws:SourceArn": {"arn:aws:ecs:us-east-1:000000000000:task/web/0123"}}
	if _, err := f.decideKeys(ecsTasks, "sts:AssumeRole", keys, Trust(arn, "", guarded, nil)); err != nil {
		t.Fatalf("ECS with its source keys: %v", err)
	}
	other := Keys{"aws:SourceAccount": {"111122223333"}, "aws:SourceArn": {"arn:aws:ecs:us-east-1:111122223333:task/web/0123"}}
	_, err = f.decideKeys(ecsTasks, "sts:AssumeRole", other, Trust(arn, "", guarded, nil))
	wantErr(t, err, "AccessDenied", 403, "User: ecs-tasks.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: "+arn)
	if r := f.last(t); r.PrincipalType != "service" || r.Context["aws:PrincipalIsAWSService"][0] != "true" || r.Context["aws:SourceAccount"][0] != "111122223333" {
		t.Errorf("service record %+v", r)
	}
	// Root may not use the root shortcut on a trust policy.
	_, err = f.decide(principal.RootUser(acct), "sts:AssumeRole", Trust(arn, "", trust(`{"Service":"ec2.amazonaws.com"}`, ""), nil))
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: "+arn)
}

// TestModes: audit lets denials through and reports them; off decides
// nothing and records nothing, whoever asks.
func TestModes(t *testing.T) {
	f := newFixture(t, Audit)
	dev := f.user(t, "dev", "")
	meta := &Meta{RequestID: "r1"}
	c := WithMeta(ctx, meta)
	out, err := f.Decide(c, &Request{Principal: dev, Action: "iam:DeleteRole", Access: Acting(role("x", nil))})
	want := who + "iam:DeleteRole on resource: role x because no identity-based policy allows the iam:DeleteRole action"
	if err != nil || out.WouldDeny != want {
		t.Errorf("audit: %v %q", err, out.WouldDeny)
	}
	if _, err := f.Decide(c, &Request{Principal: dev, Action: "sts:AssumeRole", Access: Acting(Trust("arn:aws:iam::000000000000:role/x", "", "", nil))}); err != nil {
		t.Errorf("audit, AssumeRole: %v", err)
	}
	if wd := meta.WouldDeny(); len(wd) != 2 || wd[0] != want || !strings.Contains(wd[1], "sts:AssumeRole") {
		t.Errorf("would deny %q", wd)
	}
	r, ok := f.audit.Get("r1")
	if !ok || r.Enforced || r.Action != "iam:DeleteRole" || r.Mode != "audit" { // the first denial stands
		t.Errorf("record %+v", r)
	}

	off := newFixture(t, Off)
	dev = off.user(t, "dev", "")
	for _, action := range []string{"iam:DeleteRole", "sts:AssumeRole", "iam:PassRole"} {
		if _, err := off.decide(dev, action, Trust("arn:aws:iam::000000000000:role/x", "", "", nil)); err != nil {
			t.Errorf("off, %s: %v", action, err)
		}
	}
	if len(off.audit.Recent(10, "")) != 0 {
		t.Errorf("off recorded decisions")
	}
	for _, s := range []string{"on", "audit", "off", ""} {
		if _, err := ParseMode(s); err != nil {
			t.Errorf("ParseMode(%q): %v", s, err)
		}
	}
	if _, err := ParseMode("yes"); err == nil || err.Error() != `unknown enforce mode "yes": want on, audit or off` {
		t.Errorf("ParseMode(yes): %v", err)
	}
}

// TestConditionKeys: the one request context carries the keys AWS fills,
// the request's and the resource's, and leaves out service keys the action
// does not support.
func TestConditionKeys(t *testing.T) {
	cond := func(action, cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*","Condition":` + cond + `}]}`
	}
	blue, red := role("blue", map[string]string{"team": "blue"}), role("red", map[string]string{"team": "red"})
	bounded := role("bounded", nil)
	bounded.Keys = Keys{"iam:PermissionsBoundary": {"arn:aws:iam::000000000000:policy/bound"}}
	cases := []struct {
		name, doc string
		action    string
		keys      Keys
		target    Target
		via       string
		allowed   bool
	}{
		{"iam:PolicyARN", cond("iam:AttachRolePolicy", `{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}`),
			"iam:AttachRolePolicy", Keys{"iam:PolicyARN": {"arn:aws:iam::aws:policy/ReadOnlyAccess"}}, blue, "", true},
		{"iam:PolicyARN differs", cond("iam:AttachRolePolicy", `{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}`),
			"iam:AttachRolePolicy", Keys{"iam:PolicyARN": {"arn:aws:iam::aws:policy/AdministratorAccess"}}, blue, "", false},
		{"a key the action does not support is left out", cond("iam:GetRole", `{"Null":{"iam:PolicyARN":"true"}}`),
			"iam:GetRole", Keys{"iam:PolicyARN": {"arn:aws:iam::aws:policy/ReadOnlyAccess"}}, blue, "", true},
		{"the entity's boundary", cond("iam:DeleteRolePolicy", `{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::000000000000:policy/bound"}}`),
			"iam:DeleteRolePolicy", nil, bounded, "", true},
		{"the request's boundary wins", cond("iam:PutRolePermissionsBoundary", `{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::000000000000:policy/bound"}}`),
			"iam:PutRolePermissionsBoundary", Keys{"iam:PermissionsBoundary": {"arn:aws:iam::000000000000:policy/other"}}, bounded, "", false},
		{"aws:RequestTag", cond("iam:TagRole", `{"StringEquals":{"aws:RequestTag/team":"blue"}}`),
			"iam:TagRole", Keys{"aws:RequestTag/team": {"blue"}, "aws:TagKeys": {"team"}}, blue, "", true},
		{"aws:ResourceTag", cond("iam:GetRole", `{"StringEquals":{"aws:ResourceTag/team":"blue"}}`), "iam:GetRole", nil, blue, "", true},
		{"aws:ResourceTag other", cond("iam:GetRole", `{"StringEquals":{"aws:ResourceTag/team":"blue"}}`), "iam:GetRole", nil, red, "", false},
		{"iam:ResourceTag", cond("iam:GetRole", `{"StringEquals":{"iam:ResourceTag/team":"blue"}}`), "iam:GetRole", nil, blue, "", true},
		{"aws:PrincipalTag", cond("iam:GetRole", `{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`), "iam:GetRole", nil, red, "", true},
		{"aws:PrincipalTag against the resource's", cond("iam:GetRole", `{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}`), "iam:GetRole", nil, red, "", false},
		{"aws:PrincipalType", cond("iam:GetRole", `{"StringEquals":{"aws:PrincipalType":"User"}}`), "iam:GetRole", nil, red, "", true},
		{"aws:RequestedRegion", cond("iam:GetRole", `{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`), "iam:GetRole", nil, red, "", true},
		{"aws:SourceIp", cond("iam:GetRole", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`), "iam:GetRole", nil, red, "", true},
		{"aws:SecureTransport", cond("iam:GetRole", `{"Bool":{"aws:SecureTransport":"true"}}`), "iam:GetRole", nil, red, "", false},
		{"aws:CurrentTime", cond("iam:GetRole", `{"DateLessThan":{"aws:CurrentTime":"2025-03-07T00:00:00Z"}}`), "iam:GetRole", nil, red, "", true},
		{"aws:ViaAWSService false", cond("iam:GetRole", `{"Bool":{"aws:ViaAWSService":"false"}}`), "iam:GetRole", nil, red, "", true},
		{"aws:CalledVia", cond("iam:CreateServiceLinkedRole", `{"ForAnyValue:StringEquals":{"aws:CalledVia":"ecs.amazonaws.com"}}`),
			"iam:CreateServiceLinkedRole", Keys{"iam:AWSServiceName": {"ecs.amazonaws.com"}}, role("aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", nil), "ecs.amazonaws.com", true},
		{"aws:CalledVia absent", cond("iam:CreateServiceLinkedRole", `{"ForAnyValue:StringEquals":{"aws:CalledVia":"ecs.amazonaws.com"}}`),
			"iam:CreateServiceLinkedRole", Keys{"iam:AWSServiceName": {"ecs.amazonaws.com"}}, role("aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", nil), "", false},
		{"ecs:cluster", cond("ecs:RunTask", `{"ArnEquals":{"ecs:cluster":"arn:aws:ecs:us-east-1:000000000000:cluster/prod"}}`),
			"ecs:RunTask", Keys{"ecs:cluster": {"arn:aws:ecs:us-east-1:000000000000:cluster/prod"}}, Target{ARN: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1", Type: "task-definition"}, "", true},
	}
	f := newFixture(t, On)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := f.user(t, "u"+string(rune('a'+i)), c.doc, principal.Tag{Key: "team", Value: "ops"})
			c1 := WithMeta(ctx, &Meta{RequestID: c.name, SourceIP: "192.0.2.10"})
			_, err := f.Decide(c1, &Request{Principal: p, Action: c.action, Region: "us-east-1", Via: c.via, Access: Access{Targets: []Target{c.target}, Keys: c.keys}})
			if (err == nil) != c.allowed {
				t.Errorf("allowed = %v, want %v (%v)\ncontext: %v", err == nil, c.allowed, err, f.last(t).Context)
			}
		})
	}
}

// TestSessionPolicies: a session is limited by its session policies; a
// managed session policy deleted since grants nothing, and the session
// keeps its limit.
func TestSessionPolicies(t *testing.T) {
	f := newFixture(t, On)
	s := f.session(t, "app", allow(`"iam:*"`, "*"))
	narrow := "arn:aws:iam::000000000000:policy/read"
	f.iam.write(func() { f.iam.managed[narrow] = allow(`"iam:GetRole"`, "*") })
	s.SessionPolicyARNs = []string{narrow}
	if _, err := f.decide(s, "iam:GetRole", role("x", nil)); err != nil {
		t.Fatalf("allowed by the session policy: %v", err)
	}
	_, err := f.decide(s, "iam:DeleteRole", role("x", nil))
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::000000000000:assumed-role/app/s is not authorized to perform: iam:DeleteRole on resource: role x because no session policy allows the iam:DeleteRole action")
	f.iam.write(func() { delete(f.iam.managed, narrow) })
	_, err = f.decide(s, "iam:DeleteRole", role("x", nil))
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::000000000000:assumed-role/app/s is not authorized to perform: iam:DeleteRole on resource: role x because no session policy allows the iam:DeleteRole action")
	_, err = f.decide(s, "iam:GetRole", role("x", nil))
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::000000000000:assumed-role/app/s is not authorized to perform: iam:GetRole on resource: role x because no session policy allows the iam:GetRole action")
}

// TestDeletedEntity: a user or role deleted (or deleted and created again,
// a new unique id) has no permissions left.
func TestDeletedEntity(t *testing.T) {
	f := newFixture(t, On)
	dev := f.user(t, "dev", allow(`"iam:*"`, "*"))
	f.mustAllow(t, dev, "iam:GetRole", role("x", nil))
	f.iam.write(func() { f.iam.entities[acct+"/user/dev"].ID = "AIDANEW00000000000000000" })
	_, err := f.decide(dev, "iam:GetRole", role("x", nil))
	wantErr(t, err, "AccessDenied", 403, who+"iam:GetRole on resource: role x because no identity-based policy allows the iam:GetRole action")
}

func (f *fixture) mustAllow(t testing.TB, p *principal.Principal, action string, targets ...Target) {
	t.Helper()
	_, err := f.decide(p, action, targets...)
	must(t, err)
}

// TestCacheFollowsWrites: what the authorizer keeps never outlives a write.
func TestCacheFollowsWrites(t *testing.T) {
	f := newFixture(t, On)
	dev := f.user(t, "dev", "")
	if _, err := f.decide(dev, "iam:GetRole", role("app", nil)); err == nil {
		t.Fatal("allowed without a policy")
	}
	reads := f.iam.reads.Load()
	if _, err := f.decide(dev, "iam:GetRole", role("app", nil)); err == nil {
		t.Fatal("allowed without a policy")
	}
	if n := f.iam.reads.Load() - reads; n != 0 {
		t.Errorf("%d reads with nothing written", n)
	}
	f.iam.write(func() {
		f.iam.entities[acct+"/user/dev"].Identity = []Document{{Source: "p", Text: allow(`"iam:GetRole"`, "arn:aws:iam::*:role/app")}}
	})
	f.mustAllow(t, dev, "iam:GetRole", role("app", nil))
}

// TestDenialRecord: a denial's record explains itself.
func TestDenialRecord(t *testing.T) {
	f := newFixture(t, On)
	p := f.user(t, "capped", `{"Version":"2012-10-17","Statement":[
  {"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}`)
	f.iam.write(func() {
		f.iam.entities[acct+"/user/capped"].Boundary = &Document{Source: "arn:aws:iam::000000000000:policy/bound", Text: allow(`"iam:List*"`, "*")}
		f.iam.entities[acct+"/user/capped"].Identity[0].Source = "arn:aws:iam::000000000000:user/capped#admin"
	})
	_, err := f.decide(p, "iam:GetRole", role("app", nil))
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::000000000000:user/capped is not authorized to perform: iam:GetRole on resource: role app because no permissions boundary allows the iam:GetRole action")
	r := f.last(t)
	if r.Decision != "implicitDeny" || r.Reason != "because no permissions boundary allows the iam:GetRole action" {
		t.Errorf("decision %s, reason %q", r.Decision, r.Reason)
	}
	if len(r.Matched) != 1 || r.Matched[0].Sid != "All" || r.Matched[0].Source != "arn:aws:iam::000000000000:user/capped#admin" || r.Matched[0].Line == 0 {
		t.Errorf("matched %+v", r.Matched)
	}
	want := []TypeSummary{{Type: "identity", Count: 1, Allowed: true}, {Type: "boundary", Count: 1, Deciding: true}}
	if len(r.Policies) != 2 || r.Policies[0] != want[0] || r.Policies[1] != want[1] {
		t.Errorf("policy types %+v", r.Policies)
	}
	var b strings.Builder
	Explain(&b, r)
	for _, line := range []string{
		"DENIED, implicitly: nothing allowed it.",
		"  - identity-based policies (1): allow iam:GetRole",
		"  * the permissions boundary (1): no statement allows iam:GetRole on this resource with this request's context  <- decides",
		"  - Allow statement 0 (Sid \"All\") at line 1 of identity arn:aws:iam::000000000000:user/capped#admin",
		"To allow it, add to the permissions boundary a statement like:",
		`  {"Effect": "Allow", "Action": "iam:GetRole", "Resource": "arn:aws:iam::000000000000:role/app"}`,
	} {
		if !strings.Contains(b.String(), line+"\n") {
			t.Errorf("explanation lacks %q:\n%s", line, b.String())
		}
	}
	f.mustAllow(t, p, "iam:ListRoles", Target{ARN: "arn:aws:iam::000000000000:role/"})
	if r := f.last(t); r.Decision != "allowed" || r.Statement == nil || r.Statement.Source != "arn:aws:iam::000000000000:user/capped#admin" {
		t.Errorf("allowed record %+v", r)
	}
}

// TestAccessAdvisor: an allowed request is the entity's use of the
// service, noted once a minute; a denied one is not.
func TestAccessAdvisor(t *testing.T) {
	f := newFixture(t, On)
	dev := f.user(t, "dev", allow(`["iam:GetRole","ecs:ListClusters"]`, "*"))
	f.mustAllow(t, dev, "iam:GetRole", role("app", nil))
	f.mustAllow(t, dev, "iam:GetRole", role("app", nil))
	if _, err := f.decide(dev, "ecs:ListServices", Any()); err == nil {
		t.Fatal("ListServices allowed")
	}
	if len(f.iam.accesses) != 1 || f.iam.accesses[0] != dev.ARN+" iam:GetRole us-east-1" {
		t.Errorf("accesses %q", f.iam.accesses)
	}
}

// TestRevokeOlderSessions: the IAM console's "Revoke active sessions" puts
// AWSRevokeOlderSessions on the role, denying every action to sessions
// whose aws:TokenIssueTime is before a moment (IAM User Guide, "Revoke IAM
// role temporary security credentials"); later sessions are unaffected.
func TestRevokeOlderSessions(t *testing.T) {
	f := newFixture(t, On)
	old := f.session(t, "app", allow(`"iam:GetRole"`, "*"))
	f.iam.write(func() {
		e := f.iam.entities[acct+"/role/app"]
		e.Identity = append(e.Identity, Document{Source: "arn:aws:iam::000000000000:role/app#AWSRevokeOlderSessions", Text: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],
		"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2025-03-06T12:00:00Z"}}}]}`})
	})
	_, err := f.decide(old, "iam:GetRole", role("app", nil))
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::000000000000:assumed-role/app/s is not authorized to perform: iam:GetRole on resource: role app with an explicit deny in an identity-based policy")
	if got := f.last(t).Context["aws:TokenIssueTime"]; len(got) != 1 || got[0] != "2025-03-06T11:59:00Z" {
		t.Errorf("aws:TokenIssueTime in the context: %v", got)
	}
	fresh := *old
	fresh.IssuedAt, fresh.AccessKeyID = epoch, "ASIANEW"
	if _, err := f.decide(&fresh, "iam:GetRole", role("app", nil)); err != nil {
		t.Fatalf("a session issued after the revocation: %v", err)
	}
}

// TestDenialLogLine: each denied request is one info line, with what a
// person needs to look it up.
func TestDenialLogLine(t *testing.T) {
	var buf strings.Builder
	clock := &ids.FixedClock{T: epoch}
	fi := newFakeIAM()
	a := New(Config{Mode: On, Directory: fi, Clock: clock, Log: slog.New(slog.NewTextHandler(&buf, nil))})
	f := &fixture{Authorizer: a, iam: fi, clock: clock}
	dev := f.user(t, "dev", "")
	f.mustAllow(t, principal.RootUser(acct), "iam:GetRole", role("app", nil))
	f.decide(dev, "iam:GetRole", role("app", nil))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("log:\n%s", buf.String())
	}
	for _, want := range []string{"level=INFO", "msg=denied", "request_id=req-", "principal=arn:aws:iam::000000000000:user/dev", "action=iam:GetRole",
		"resource=arn:aws:iam::000000000000:role/app", `reason="because no identity-based policy allows the iam:GetRole action"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line lacks %s: %s", want, lines[0])
		}
	}
}

// TestKnownAction: an action looked up ahead decides as one looked up on
// the request, spelling included; one looked up for another action is not
// used, so a stale or wrong entry cannot allow what the request asks.
func TestKnownAction(t *testing.T) {
	f := newFixture(t, On)
	dev := f.user(t, "dev", allow(`"iam:GetRole"`, "*"))
	c := WithMeta(ctx, &Meta{RequestID: "known", SourceIP: "192.0.2.10"})
	ask := func(action string, known *KnownAction) error {
		_, err := f.Decide(c, &Request{Principal: dev, Action: action, Known: known, Region: IAMRegion, Access: Acting(role("app", nil))})
		return err
	}
	must(t, ask("iam:GetRole", LookUp("iam:GetRole")))
	// Spelled otherwise: recorded as the reference spells it.
	must(t, ask("IAM:getrole", LookUp("IAM:getrole")))
	if r := f.last(t); r.Action != "iam:GetRole" {
		t.Errorf("recorded action %q", r.Action)
	}
	// Another action's entry: the request's own action decides.
	wantErr(t, ask("iam:DeleteRole", LookUp("iam:GetRole")), "AccessDenied", 403,
		who+"iam:DeleteRole on resource: role app because no identity-based policy allows the iam:DeleteRole action")
	if r := f.last(t); r.Action != "iam:DeleteRole" || r.Decision != "implicitDeny" {
		t.Errorf("record %+v", r)
	}
}
