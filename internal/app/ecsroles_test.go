package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/resolve"
	"github.com/rolecall/rolecall/internal/server"
)

const (
	tasksTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	ecsTrust   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

// rolesFixture is a rolecall instance and the adapter ECS is given.
func rolesFixture(t *testing.T) (*App, ecsRoles, *ids.FixedClock) {
	t.Helper()
	clock := &ids.FixedClock{T: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s, err := Open(Options{Ephemeral: true, Clock: clock, IDs: &ids.Sequence{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, ecsRoles{iam: s.IAM, res: resolve.IAM{Svc: s.IAM}, authz: s.Authz, sts: s.STS}, clock
}

const DefaultAccount = server.DefaultAccount

func mustRole(t *testing.T, s *App, name, trust string, policies ...string) string {
	t.Helper()
	r, err := s.IAM.CreateRole(context.Background(), DefaultAccount, iam.CreateRoleInput{Path: "/", RoleName: name, AssumeRolePolicyDocument: trust})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policies {
		if err := s.IAM.AttachRolePolicy(context.Background(), DefaultAccount, name, p); err != nil {
			t.Fatal(err)
		}
	}
	return r.Arn
}

func wantAWSErr(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	e := awserr.As(err)
	if err == nil || e.Status != status || e.Code != code || e.Message != msg {
		t.Errorf("got %v, want %d %s: %s", err, status, code, msg)
	}
}

// AssumeAsService: the role's trust policy decides, through STS; the
// session is the role's.
func TestECSRolesAssumeAsService(t *testing.T) {
	s, r, clock := rolesFixture(t)
	ctx := context.Background()
	c := ecs.Call{Account: DefaultAccount, Region: "eu-west-1"}
	task := mustRole(t, s, "task", tasksTrust)
	wrong := mustRole(t, s, "wrong", ecsTrust)

	sess, err := r.AssumeAsService(ctx, c, ecs.PrincipalECSTasks, task, "0123abcd", "arn:aws:ecs:eu-west-1:"+DefaultAccount+":task/default/0123abcd")
	if err != nil {
		t.Fatal(err)
	}
	p := sess.Principal
	if p.ARN != "arn:aws:sts::"+DefaultAccount+":assumed-role/task/0123abcd" || p.RoleARN != task || p.AssumedBy != ecs.PrincipalECSTasks ||
		sess.AccessKeyID == "" || sess.SecretAccessKey == "" || sess.SessionToken == "" || !sess.Expiration.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("session %+v", sess)
	}
	role, _ := s.IAM.GetRole(ctx, DefaultAccount, "task")
	if role.RoleLastUsed == nil || role.RoleLastUsed.Region != "eu-west-1" {
		t.Errorf("RoleLastUsed %+v", role.RoleLastUsed)
	}
	for _, tc := range []struct{ name, principal, role string }{
		{"task role trusting ecs.amazonaws.com", ecs.PrincipalECSTasks, wrong},
		{"service role trusting ecs-tasks.amazonaws.com", ecs.PrincipalECS, task},
		{"no such role", ecs.PrincipalECSTasks, "arn:aws:iam::" + DefaultAccount + ":role/nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.AssumeAsService(ctx, c, tc.principal, tc.role, "s", "")
			wantAWSErr(t, err, http.StatusForbidden, "AccessDenied", "User: "+tc.principal+" is not authorized to perform: sts:AssumeRole on resource: "+tc.role)
		})
	}
}

// RoleAllows evaluates what ECS does with a role against the role's own
// policies, in AWS's AccessDenied words for the session.
func TestECSRolesRoleAllows(t *testing.T) {
	s, r, _ := rolesFixture(t)
	ctx := context.Background()
	c := ecs.Call{Account: DefaultAccount, Region: "us-east-1"}
	good := mustRole(t, s, "good", ecsTrust, "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceRole")
	bare := mustRole(t, s, "bare", ecsTrust)
	narrow := mustRole(t, s, "narrow", ecsTrust)
	if err := s.IAM.PutRolePolicy(ctx, DefaultAccount, "narrow", "one", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"elasticloadbalancing:*","Resource":"*"},`+
		`{"Effect":"Deny","Action":"elasticloadbalancing:RegisterTargets","Resource":"arn:aws:elasticloadbalancing:*:*:targetgroup/secret/*"}]}`); err != nil {
		t.Fatal(err)
	}
	tg := "arn:aws:elasticloadbalancing:us-east-1:" + DefaultAccount + ":targetgroup/web/1"
	secret := "arn:aws:elasticloadbalancing:us-east-1:" + DefaultAccount + ":targetgroup/secret/1"
	session := "arn:aws:sts::" + DefaultAccount + ":assumed-role/"
	for _, tc := range []struct {
		name, role string
		act        ecs.RoleAction
		msg        string
	}{
		{"managed policy allows", good, ecs.RoleAction{Action: "elasticloadbalancing:RegisterTargets", Resource: tg}, ""},
		{"no policy, resource", bare, ecs.RoleAction{Action: "elasticloadbalancing:RegisterTargets", Resource: tg},
			"User: " + session + "bare/ecs-service-scheduler is not authorized to perform: elasticloadbalancing:RegisterTargets on resource: " + tg + " because no identity-based policy allows the elasticloadbalancing:RegisterTargets action"},
		{"no policy, no resource type", bare, ecs.RoleAction{Action: "elasticloadbalancing:DescribeTargetGroups", Resource: "*"},
			"User: " + session + "bare/ecs-service-scheduler is not authorized to perform: elasticloadbalancing:DescribeTargetGroups because no identity-based policy allows the elasticloadbalancing:DescribeTargetGroups action"},
		{"explicit deny", narrow, ecs.RoleAction{Action: "elasticloadbalancing:RegisterTargets", Resource: secret},
			"User: " + session + "narrow/ecs-service-scheduler is not authorized to perform: elasticloadbalancing:RegisterTargets on resource: " + secret + " with an explicit deny in an identity-based policy"},
		{"allowed besides the deny", narrow, ecs.RoleAction{Action: "elasticloadbalancing:RegisterTargets", Resource: tg}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := r.RoleAllows(ctx, c, tc.role, "ecs-service-scheduler", tc.act)
			if tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantAWSErr(t, err, http.StatusForbidden, "AccessDenied", tc.msg)
		})
	}
	err := r.RoleAllows(ctx, c, "arn:aws:iam::"+DefaultAccount+":role/nope", "s", ecs.RoleAction{Action: "ec2:DescribeInstances", Resource: "*"})
	wantAWSErr(t, err, http.StatusNotFound, "NoSuchEntity", "The role with name nope cannot be found.")
}

// LinkedRoleUsed: AWSServiceRoleForECS's real policy decides, and its use
// is its RoleLastUsed; without the role nothing is recorded.
func TestECSRolesLinkedRoleUsed(t *testing.T) {
	s, r, _ := rolesFixture(t)
	ctx := context.Background()
	c := ecs.Call{Account: DefaultAccount, Region: "ap-south-1"}
	acts := []ecs.RoleAction{
		{Action: "elasticloadbalancing:RegisterTargets", Resource: "arn:aws:elasticloadbalancing:ap-south-1:" + DefaultAccount + ":targetgroup/web/1"},
		{Action: "ec2:CreateNetworkInterface", Resource: "arn:aws:ec2:ap-south-1:" + DefaultAccount + ":network-interface/eni-1"},
	}
	if err := r.LinkedRoleUsed(ctx, c, ecs.PrincipalECS, acts...); err != nil {
		t.Fatalf("no SLR: %v", err)
	}
	if _, _, err := s.IAM.EnsureServiceLinkedRole(ctx, DefaultAccount, "arn:aws:iam::"+DefaultAccount+":root", ecs.PrincipalECS); err != nil {
		t.Fatal(err)
	}
	if err := r.LinkedRoleUsed(ctx, c, ecs.PrincipalECS, acts...); err != nil {
		t.Fatal(err)
	}
	role, _ := s.IAM.GetRole(ctx, DefaultAccount, "AWSServiceRoleForECS")
	if role.RoleLastUsed == nil || role.RoleLastUsed.Region != "ap-south-1" {
		t.Errorf("RoleLastUsed %+v", role.RoleLastUsed)
	}
	// Nothing in AmazonECSServiceRolePolicy allows this.
	err := r.LinkedRoleUsed(ctx, c, ecs.PrincipalECS, ecs.RoleAction{Action: "iam:CreateUser", Resource: "arn:aws:iam::" + DefaultAccount + ":user/x"})
	wantAWSErr(t, err, http.StatusForbidden, "AccessDenied", "User: arn:aws:sts::"+DefaultAccount+
		":assumed-role/AWSServiceRoleForECS/ecs-service-scheduler is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+DefaultAccount+":user/x because no identity-based policy allows the iam:CreateUser action")
}

// The task credentials endpoints' own refusals (integration/ecs_roles_test.go
// drives them with a running task and the SDKs).
func TestTaskCredentialsEndpoints(t *testing.T) {
	s, _, _ := rolesFixture(t)
	for _, tc := range []struct {
		name, method, target, token string
		status                      int
		body                        string
	}{
		{"no token", "GET", "/_rolecall/ecs/credentials/0123", "", 401,
			`{"code":"NoAuthorizationToken","message":"TaskCredentialsRequest: No authorization token in the request: send AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header"}`},
		{"unknown task", "GET", "/_rolecall/ecs/credentials/0123", "tok", 400, `{"code":"InvalidIdInRequest","message":"TaskCredentialsRequest: Credentials not found"}`},
		{"no id", "GET", "/_rolecall/ecs/credentials/", "tok", 400, `{"code":"NoIdInRequest","message":"TaskCredentialsRequest: No Credential ID in the request"}`},
		{"not GET", "POST", "/_rolecall/ecs/credentials/0123", "tok", 405, `{"code":"MethodNotAllowed","message":"TaskCredentialsRequest: use GET"}`},
		{"env unsigned", "GET", "/_rolecall/ecs/task-env?task=arn:aws:ecs:us-east-1:000000000000:task/default/0123", "", 400,
			`{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.token != "" {
				headers = []string{"Authorization", tc.token}
			}
			status, body := do(t, s.Handler, tc.method, tc.target, headers...)
			if status != tc.status || strings.TrimSpace(body) != tc.body {
				t.Errorf("%d %s", status, body)
			}
		})
	}
}

func do(t *testing.T, h http.Handler, method, target string, headers ...string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}
