package authz

import (
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/iam"
)

// Inputs are read by member name, so tests use small structs of their own
// with the model's member names.
type (
	roleName   struct{ RoleName string }
	userName   struct{ UserName string }
	policyArn  struct{ PolicyArn string }
	pathPrefix struct{ PathPrefix string }
	noInput    struct{}
	createRole struct {
		Path, RoleName, PermissionsBoundary string
		Tags                                []iam.Tag
	}
	attachRole struct{ RoleName, PolicyArn string }
	slrInput   struct{ AWSServiceName, CustomSuffix string }
	untagRole  struct {
		RoleName string
		TagKeys  []string
	}
)

// TestTargets: each operation is authorized on the resource AWS names, and
// denied with AWS's words for it.
func TestTargets(t *testing.T) {
	f := newFixture(t, On)
	f.role(t, "app", "/service-role/")
	dev := f.user(t, "dev", "")
	const who = "User: arn:aws:iam::000000000000:user/dev is not authorized to perform: "
	ecsARN := "arn:aws:ecs:us-east-1:000000000000:"
	cases := []struct {
		service, op string
		in          any
		resources   []string
		code        string
		status      int
		msg         string // after "User: ... perform: "
	}{
		{"iam", "GetRole", &roleName{"app"}, []string{"arn:aws:iam::000000000000:role/service-role/app"}, "AccessDenied", 403,
			"iam:GetRole on resource: role app because no identity-based policy allows the iam:GetRole action"},
		{"iam", "GetRole", &roleName{"missing"}, []string{"arn:aws:iam::000000000000:role/missing"}, "AccessDenied", 403,
			"iam:GetRole on resource: role missing because no identity-based policy allows the iam:GetRole action"},
		{"iam", "CreateRole", &createRole{Path: "/x/", RoleName: "new"}, []string{"arn:aws:iam::000000000000:role/x/new"}, "AccessDenied", 403,
			"iam:CreateRole on resource: arn:aws:iam::000000000000:role/x/new because no identity-based policy allows the iam:CreateRole action"},
		{"iam", "CreateServiceLinkedRole", &slrInput{AWSServiceName: "ecs.amazonaws.com"},
			[]string{"arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"}, "AccessDenied", 403,
			"iam:CreateServiceLinkedRole on resource: arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS because no identity-based policy allows the iam:CreateServiceLinkedRole action"},
		{"iam", "ListRoles", &pathPrefix{"/team/"}, []string{"arn:aws:iam::000000000000:role/team/"}, "AccessDenied", 403,
			"iam:ListRoles on resource: arn:aws:iam::000000000000:role/team/ because no identity-based policy allows the iam:ListRoles action"},
		{"iam", "ListPolicies", &pathPrefix{}, []string{"arn:aws:iam::000000000000:policy/"}, "AccessDenied", 403,
			"iam:ListPolicies on resource: policy path / because no identity-based policy allows the iam:ListPolicies action"},
		{"iam", "GetPolicy", &policyArn{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, "AccessDenied", 403,
			"iam:GetPolicy on resource: policy arn:aws:iam::aws:policy/ReadOnlyAccess because no identity-based policy allows the iam:GetPolicy action"},
		{"iam", "GetUser", &userName{}, []string{"arn:aws:iam::000000000000:user/dev"}, "AccessDenied", 403,
			"iam:GetUser on resource: user dev because no identity-based policy allows the iam:GetUser action"},
		{"iam", "GetAccountSummary", &noInput{}, []string{"*"}, "AccessDenied", 403,
			"iam:GetAccountSummary on resource: * because no identity-based policy allows the iam:GetAccountSummary action"},
		{"iam", "GetServiceLinkedRoleDeletionStatus", &struct{ DeletionTaskId string }{"task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/6d0e6d5a"},
			[]string{"arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"}, "AccessDenied", 403,
			"iam:GetServiceLinkedRoleDeletionStatus on resource: arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS because no identity-based policy allows the iam:GetServiceLinkedRoleDeletionStatus action"},
		{"iam", "GenerateServiceLastAccessedDetails", &struct{ Arn string }{"arn:aws:iam::000000000000:role/service-role/app"},
			[]string{"arn:aws:iam::000000000000:role/service-role/app"}, "AccessDenied", 403,
			"iam:GenerateServiceLastAccessedDetails on resource: arn:aws:iam::000000000000:role/service-role/app because no identity-based policy allows the iam:GenerateServiceLastAccessedDetails action"},
		{"ecs", "CreateCluster", &types.CreateClusterRequest{ClusterName: "c1"}, []string{ecsARN + "cluster/c1"}, "AccessDeniedException", 400,
			"ecs:CreateCluster on resource: " + ecsARN + "cluster/c1 because no identity-based policy allows the ecs:CreateCluster action"},
		{"ecs", "DescribeClusters", &types.DescribeClustersRequest{}, []string{ecsARN + "cluster/default"}, "AccessDeniedException", 400,
			"ecs:DescribeClusters on resource: " + ecsARN + "cluster/default because no identity-based policy allows the ecs:DescribeClusters action"},
		{"ecs", "ListClusters", &types.ListClustersRequest{}, []string{"*"}, "AccessDeniedException", 400,
			"ecs:ListClusters on resource: * because no identity-based policy allows the ecs:ListClusters action"},
		{"ecs", "StopTask", &types.StopTaskRequest{Cluster: "c1", Task: "0123abcd"}, []string{ecsARN + "task/c1/0123abcd"}, "AccessDeniedException", 400,
			"ecs:StopTask on resource: " + ecsARN + "task/c1/0123abcd because no identity-based policy allows the ecs:StopTask action"},
		{"ecs", "DescribeServices", &types.DescribeServicesRequest{Cluster: ecsARN + "cluster/c1", Services: []string{"web", "api"}},
			[]string{ecsARN + "service/c1/web", ecsARN + "service/c1/api"}, "AccessDeniedException", 400,
			"ecs:DescribeServices on resource: " + ecsARN + "service/c1/web because no identity-based policy allows the ecs:DescribeServices action"},
		{"ecs", "RunTask", &types.RunTaskRequest{TaskDefinition: "web:3"}, []string{ecsARN + "task-definition/web:3"}, "AccessDeniedException", 400,
			"ecs:RunTask on resource: " + ecsARN + "task-definition/web:3 because no identity-based policy allows the ecs:RunTask action"},
		{"ecs", "RegisterTaskDefinition", &types.RegisterTaskDefinitionRequest{Family: "web"}, []string{ecsARN + "task-definition/web:1"}, "AccessDeniedException", 400,
			"ecs:RegisterTaskDefinition on resource: " + ecsARN + "task-definition/web:1 because no identity-based policy allows the ecs:RegisterTaskDefinition action"},
		{"ecs", "TagResource", &types.TagResourceRequest{ResourceArn: ecsARN + "cluster/c1"}, []string{ecsARN + "cluster/c1"}, "AccessDeniedException", 400,
			"ecs:TagResource on resource: " + ecsARN + "cluster/c1 because no identity-based policy allows the ecs:TagResource action"},
	}
	for _, c := range cases {
		t.Run(c.service+":"+c.op, func(t *testing.T) {
			_, err := f.authorize(dev, c.service, c.op, c.in)
			wantErr(t, err, c.code, c.status, who+c.msg)
			r := f.last(t)
			if strings.Join(r.Resources, " ") != strings.Join(c.resources, " ") || r.Decision != "implicitDeny" || !r.Enforced {
				t.Errorf("record: resources %q, decision %s, enforced %v", r.Resources, r.Decision, r.Enforced)
			}
		})
	}
}

// TestUnauthorizedOperations: what AWS lets every caller do, or leaves to
// the operation.
func TestUnauthorizedOperations(t *testing.T) {
	f := newFixture(t, On)
	dev := f.user(t, "dev", "")
	for _, op := range []string{"GetCallerIdentity", "GetSessionToken", "AssumeRole"} {
		if _, err := f.authorize(dev, "sts", op, &noInput{}); err != nil {
			t.Errorf("sts:%s: %v", op, err)
		}
	}
	// GetAccessKeyLastUsed of a key nobody has: the operation's own answer.
	if _, err := f.authorize(dev, "iam", "GetAccessKeyLastUsed", &struct{ AccessKeyId string }{"AKIAIOSFODNN7EXAMPLE"}); err != nil {
		t.Errorf("GetAccessKeyLastUsed: %v", err)
	}
	// Root may do everything in its own account.
	if _, err := f.authorize(auth.RootPrincipal(acct), "iam", "DeleteRole", &roleName{"x"}); err != nil {
		t.Errorf("root: %v", err)
	}
	if r := f.last(t); r.Decision != "allowed" || r.Principal != "arn:aws:iam::000000000000:root" {
		t.Errorf("root's record %+v", r)
	}
}

// TestConditionKeys: the request context carries the keys AWS fills.
func TestConditionKeys(t *testing.T) {
	f := newFixture(t, On)
	f.role(t, "blue", "/", iam.Tag{Key: "team", Value: "blue"})
	f.role(t, "red", "/", iam.Tag{Key: "team", Value: "red"})
	_, err := f.iam.CreatePolicy(ctx, acct, iam.CreatePolicyInput{PolicyName: "bound", PolicyDocument: allow(`"*"`, "*")})
	must(t, err)
	bound := "arn:aws:iam::000000000000:policy/bound"
	cond := func(action, cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*","Condition":` + cond + `}]}`
	}
	cases := []struct {
		name, doc string
		op        string
		in        any
		allowed   bool
	}{
		{"iam:PolicyARN matches", cond("iam:AttachRolePolicy", `{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}`),
			"AttachRolePolicy", &attachRole{"blue", "arn:aws:iam::aws:policy/ReadOnlyAccess"}, true},
		{"iam:PolicyARN differs", cond("iam:AttachRolePolicy", `{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}`),
			"AttachRolePolicy", &attachRole{"blue", "arn:aws:iam::aws:policy/AdministratorAccess"}, false},
		{"iam:PermissionsBoundary on create", cond("iam:CreateRole", `{"StringEquals":{"iam:PermissionsBoundary":"`+bound+`"}}`),
			"CreateRole", &createRole{RoleName: "n", PermissionsBoundary: bound}, true},
		{"iam:PermissionsBoundary missing", cond("iam:CreateRole", `{"StringEquals":{"iam:PermissionsBoundary":"`+bound+`"}}`),
			"CreateRole", &createRole{RoleName: "n"}, false},
		{"aws:RequestTag", cond("iam:CreateRole", `{"StringEquals":{"aws:RequestTag/team":"blue"}}`),
			"CreateRole", &createRole{RoleName: "n", Tags: []iam.Tag{{Key: "team", Value: "blue"}}}, true},
		{"aws:RequestTag other value", cond("iam:CreateRole", `{"StringEquals":{"aws:RequestTag/team":"blue"}}`),
			"CreateRole", &createRole{RoleName: "n", Tags: []iam.Tag{{Key: "team", Value: "red"}}}, false},
		{"aws:TagKeys of an untag", cond("iam:UntagRole", `{"ForAllValues:StringEquals":{"aws:TagKeys":["scratch"]}}`),
			"UntagRole", &untagRole{"blue", []string{"scratch"}}, true},
		{"aws:TagKeys of an untag, other key", cond("iam:UntagRole", `{"ForAllValues:StringEquals":{"aws:TagKeys":["scratch"]}}`),
			"UntagRole", &untagRole{"blue", []string{"team"}}, false},
		{"aws:ResourceTag", cond("iam:GetRole", `{"StringEquals":{"aws:ResourceTag/team":"blue"}}`), "GetRole", &roleName{"blue"}, true},
		{"aws:ResourceTag other", cond("iam:GetRole", `{"StringEquals":{"aws:ResourceTag/team":"blue"}}`), "GetRole", &roleName{"red"}, false},
		{"iam:ResourceTag", cond("iam:GetRole", `{"StringEquals":{"iam:ResourceTag/team":"blue"}}`), "GetRole", &roleName{"blue"}, true},
		{"aws:PrincipalTag", cond("iam:GetRole", `{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`), "GetRole", &roleName{"red"}, true},
		{"aws:PrincipalTag matches the resource's", cond("iam:GetRole", `{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}`), "GetRole", &roleName{"red"}, false},
		{"aws:username", cond("iam:GetUser", `{"StringEquals":{"aws:username":"u"}}`), "GetUser", &userName{}, true},
		{"aws:PrincipalType", cond("iam:GetRole", `{"StringEquals":{"aws:PrincipalType":"User"}}`), "GetRole", &roleName{"red"}, true},
		{"aws:RequestedRegion", cond("iam:GetRole", `{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}`), "GetRole", &roleName{"red"}, false},
		{"aws:SourceIp", cond("iam:GetRole", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`), "GetRole", &roleName{"red"}, true},
		{"aws:SecureTransport", cond("iam:GetRole", `{"Bool":{"aws:SecureTransport":"true"}}`), "GetRole", &roleName{"red"}, false},
		{"aws:CurrentTime", cond("iam:GetRole", `{"DateLessThan":{"aws:CurrentTime":"2025-03-07T00:00:00Z"}}`), "GetRole", &roleName{"red"}, true},
		{"aws:ViaAWSService", cond("iam:GetRole", `{"Bool":{"aws:ViaAWSService":"false"}}`), "GetRole", &roleName{"red"}, true},
		{"iam:AWSServiceName", cond("iam:CreateServiceLinkedRole", `{"StringLike":{"iam:AWSServiceName":"ecs*.amazonaws.com"}}`),
			"CreateServiceLinkedRole", &slrInput{AWSServiceName: "ecs.amazonaws.com"}, true},
		{"ecs:cluster", cond("ecs:RunTask", `{"ArnEquals":{"ecs:cluster":"arn:aws:ecs:us-east-1:000000000000:cluster/prod"}}`),
			"RunTask", &types.RunTaskRequest{Cluster: "prod", TaskDefinition: "web:1"}, true},
		{"ecs:cluster other", cond("ecs:RunTask", `{"ArnEquals":{"ecs:cluster":"arn:aws:ecs:us-east-1:000000000000:cluster/prod"}}`),
			"RunTask", &types.RunTaskRequest{TaskDefinition: "web:1"}, false},
		{"ecs:capacity-provider", cond("ecs:CreateCluster", `{"ForAllValues:ArnLike":{"ecs:capacity-provider":"arn:aws:ecs:*:*:capacity-provider/FARGATE*"}}`),
			"CreateCluster", &types.CreateClusterRequest{ClusterName: "c", CapacityProviders: []string{"FARGATE", "FARGATE_SPOT"}}, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "u"
			if c.name != "aws:username" {
				name = "u" + string(rune('a'+i%26)) + string(rune('a'+i/26))
			}
			p := f.user(t, name, c.doc, iam.Tag{Key: "team", Value: "ops"})
			service := "iam"
			if strings.HasPrefix(c.name, "ecs:") {
				service = "ecs"
			}
			_, err := f.authorize(p, service, c.op, c.in)
			if (err == nil) != c.allowed {
				t.Errorf("allowed = %v, want %v (%v)\ncontext: %v", err == nil, c.allowed, err, f.last(t).Context)
			}
		})
	}
}

// TestPassRole: iam:PassRole on the role, with iam:PassedToService.
func TestPassRole(t *testing.T) {
	f := newFixture(t, On)
	f.role(t, "task-ok", "/")
	f.role(t, "task-other", "/app/")
	dep := f.user(t, "deployer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::000000000000:role/task-ok",
		"Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}`)
	ok := "arn:aws:iam::000000000000:role/task-ok"
	other := "arn:aws:iam::000000000000:role/app/task-other"
	must(t, f.PassRole(ctx, dep, ok, "ecs-tasks.amazonaws.com"))
	err := f.PassRole(ctx, dep, ok, "ec2.amazonaws.com")
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::000000000000:user/deployer is not authorized to perform: iam:PassRole on resource: "+ok+" because no identity-based policy allows the iam:PassRole action")
	err = f.PassRole(ctx, dep, other, "ecs-tasks.amazonaws.com")
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::000000000000:user/deployer is not authorized to perform: iam:PassRole on resource: "+other+" because no identity-based policy allows the iam:PassRole action")
	if r := f.last(t); r.Action != "iam:PassRole" || r.Context["iam:PassedToService"][0] != "ecs-tasks.amazonaws.com" {
		t.Errorf("record %+v", r)
	}
	// Another account's role: no identity policy alone passes it.
	star := f.user(t, "star", allow(`"iam:PassRole"`, "*"))
	must(t, f.PassRole(ctx, star, other, "ecs-tasks.amazonaws.com"))
	err = f.PassRole(ctx, star, "arn:aws:iam::111122223333:role/x", "ecs-tasks.amazonaws.com")
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::000000000000:user/star is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/x because no resource-based policy allows the iam:PassRole action")
	// Root passes any role of its account.
	must(t, f.PassRole(ctx, auth.RootPrincipal(acct), other, "ecs-tasks.amazonaws.com"))
	// The service-linked role check made for a caller through ECS.
	err = f.CreateServiceLinkedRole(ctx, dep, acct, "us-east-1", "ecs.amazonaws.com", "ecs.amazonaws.com")
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::000000000000:user/deployer is not authorized to perform: iam:CreateServiceLinkedRole on resource: arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS because no identity-based policy allows the iam:CreateServiceLinkedRole action")
	via := f.user(t, "via", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*",
		"Condition":{"ForAnyValue:StringEquals":{"aws:CalledVia":"ecs.amazonaws.com"}}}]}`)
	must(t, f.CreateServiceLinkedRole(ctx, via, acct, "us-east-1", "ecs.amazonaws.com", "ecs.amazonaws.com"))
}

// TestModes: audit lets denials through and reports them; off decides
// nothing.
func TestModes(t *testing.T) {
	f := newFixture(t, Audit)
	dev := f.user(t, "dev", "")
	meta := &Meta{RequestID: "r1"}
	c := WithMeta(ctx, meta)
	out, err := f.Authorize(c, &Request{Service: "iam", Operation: "DeleteRole", Call: callOf(dev, "r1"), Input: &roleName{"x"}})
	want := "User: arn:aws:iam::000000000000:user/dev is not authorized to perform: iam:DeleteRole on resource: role x because no identity-based policy allows the iam:DeleteRole action"
	if err != nil || out.WouldDeny != want {
		t.Errorf("audit: %v %q", err, out.WouldDeny)
	}
	must(t, f.PassRole(c, dev, "arn:aws:iam::000000000000:role/x", "ecs-tasks.amazonaws.com"))
	if wd := meta.WouldDeny(); len(wd) != 2 || wd[0] != want || !strings.Contains(wd[1], "iam:PassRole") {
		t.Errorf("would deny %q", wd)
	}
	r, ok := f.audit.Get("r1")
	if !ok || r.Enforced || r.Action != "iam:DeleteRole" || r.Mode != "audit" { // the first denial stands
		t.Errorf("record %+v", r)
	}

	off := newFixture(t, Off)
	dev = off.user(t, "dev", "")
	if _, err := off.authorize(dev, "iam", "DeleteRole", &roleName{"x"}); err != nil {
		t.Errorf("off: %v", err)
	}
	must(t, off.PassRole(ctx, dev, "arn:aws:iam::000000000000:role/x", "ecs-tasks.amazonaws.com"))
	if len(off.audit.Recent(10)) != 0 {
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

// TestCacheFollowsWrites: a cached decision input never outlives a write.
func TestCacheFollowsWrites(t *testing.T) {
	f := newFixture(t, On)
	f.role(t, "app", "/")
	dev := f.user(t, "dev", "")
	if _, err := f.authorize(dev, "iam", "GetRole", &roleName{"app"}); err == nil {
		t.Fatal("allowed without a policy")
	}
	must(t, f.iam.PutUserPolicy(ctx, acct, "dev", "p", allow(`"iam:GetRole"`, "arn:aws:iam::*:role/app")))
	if _, err := f.authorize(dev, "iam", "GetRole", &roleName{"app"}); err != nil {
		t.Fatalf("after the policy: %v", err)
	}
	// The role moves to another path: the resource ARN follows.
	must(t, f.iam.DeleteRole(ctx, acct, "app"))
	f.role(t, "app", "/moved/")
	if _, err := f.authorize(dev, "iam", "GetRole", &roleName{"app"}); err == nil {
		t.Fatal("allowed on the old path")
	}
	if r := f.last(t); r.Resources[0] != "arn:aws:iam::000000000000:role/moved/app" {
		t.Errorf("resource %s", r.Resources[0])
	}
}

// TestDenialRecord: a denial's record explains itself.
func TestDenialRecord(t *testing.T) {
	f := newFixture(t, On)
	f.role(t, "app", "/")
	_, err := f.iam.CreatePolicy(ctx, acct, iam.CreatePolicyInput{PolicyName: "bound", PolicyDocument: allow(`"iam:List*"`, "*")})
	must(t, err)
	_, err = f.iam.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "capped", PermissionsBoundary: "arn:aws:iam::000000000000:policy/bound"})
	must(t, err)
	must(t, f.iam.PutUserPolicy(ctx, acct, "capped", "admin", `{"Version":"2012-10-17","Statement":[
  {"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}`))
	u, _ := f.iam.GetUser(ctx, acct, "capped")
	p := &auth.Principal{Kind: auth.User, Account: acct, ARN: u.Arn, UserID: u.UserId, Name: "capped", AccessKeyID: "AKIACAPPED"}
	_, err = f.authorize(p, "iam", "GetRole", &roleName{"app"})
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
	// The allowed decision names its statement.
	must(t, f.iam.PutUserPolicy(ctx, acct, "capped", "admin", allow(`"iam:ListRoles"`, "*")))
	_, err = f.authorize(p, "iam", "ListRoles", &pathPrefix{})
	must(t, err)
	if r := f.last(t); r.Decision != "allowed" || r.Statement == nil || r.Statement.Source != "arn:aws:iam::000000000000:user/capped#admin" {
		t.Errorf("allowed record %+v", r)
	}
}

// TestAccessAdvisor: an allowed request is the entity's use of the
// service, as Access Advisor reports it; a denied one is not.
func TestAccessAdvisor(t *testing.T) {
	f := newFixture(t, On)
	f.role(t, "app", "/")
	dev := f.user(t, "dev", allow(`["iam:GetRole","ecs:ListClusters"]`, "*"))
	_, err := f.authorize(dev, "iam", "GetRole", &roleName{"app"})
	must(t, err)
	if _, err := f.authorize(dev, "ecs", "ListServices", &types.ListServicesRequest{}); err == nil {
		t.Fatal("ListServices allowed")
	}
	job, err := f.iam.GenerateServiceLastAccessedDetails(ctx, acct, "arn:aws:iam::000000000000:root", dev.ARN, "SERVICE_LEVEL")
	must(t, err)
	rep, _, err := f.iam.GetServiceLastAccessedDetails(ctx, acct, "arn:aws:iam::000000000000:root", job, iam.Page{})
	must(t, err)
	used := map[string]string{}
	for _, s := range rep.ServicesLastAccessed {
		if s.LastAuthenticated != nil {
			used[s.ServiceNamespace] = s.LastAuthenticatedRegion + " " + s.LastAuthenticated.Format("15:04")
		}
	}
	if len(used) != 1 || used["iam"] != "us-east-1 12:00" {
		t.Errorf("used %v", used)
	}
}

// TestRevokeOlderSessions: the IAM console's "Revoke active sessions" puts
// AWSRevokeOlderSessions on the role, denying every action to sessions
// whose aws:TokenIssueTime is before a moment (IAM User Guide, "Revoke IAM
// role temporary security credentials"); later sessions are unaffected.
func TestRevokeOlderSessions(t *testing.T) {
	f := newFixture(t, On)
	f.role(t, "app", "/")
	must(t, f.iam.PutRolePolicy(ctx, acct, "app", "read", allow(`"iam:GetRole"`, "*")))
	must(t, f.iam.PutRolePolicy(ctx, acct, "app", "AWSRevokeOlderSessions", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],
		"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2025-03-06T12:00:00Z"}}}]}`))
	session := func(name string, issued time.Time) *auth.Principal {
		return &auth.Principal{Kind: auth.AssumedRole, Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/app/" + name, UserID: "AROAAPP:" + name,
			Name: "app", RoleARN: "arn:aws:iam::" + acct + ":role/app", SessionName: name, AccessKeyID: "ASIA" + name,
			Temporary: true, IssuedAt: issued, Expiration: issued.Add(time.Hour)}
	}
	_, err := f.authorize(session("old", epoch.Add(-time.Minute)), "iam", "GetRole", &roleName{"app"})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::000000000000:assumed-role/app/old is not authorized to perform: iam:GetRole on resource: role app with an explicit deny in an identity-based policy")
	if got := f.last(t).Context["aws:TokenIssueTime"]; len(got) != 1 || got[0] != "2025-03-06T11:59:00Z" {
		t.Errorf("aws:TokenIssueTime in the context: %v", got)
	}
	if _, err := f.authorize(session("new", epoch), "iam", "GetRole", &roleName{"app"}); err != nil {
		t.Fatalf("a session issued after the revocation: %v", err)
	}
}
