package sts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/sts"
)

const (
	acct  = "111111111111"
	other = "222222222222"
)

var (
	ctx   = context.Background()
	epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

const (
	allowAssume    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	allowTagAssume = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`
	denyAssume     = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}`
)

func trustAccount(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
}

func trustPrincipal(arn string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + arn + `"},"Action":"sts:AssumeRole"}]}`
}

const trustECSTasks = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// fixture is STS as rolecall wires it: IAM's roles, the one authorizer.
type fixture struct {
	*sts.Service
	iam   *iam.Service
	clock *ids.FixedClock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := &ids.FixedClock{T: epoch}
	a, err := app.Open(app.Options{Ephemeral: true, Clock: clock, IDs: &ids.Sequence{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &fixture{Service: a.STS, iam: a.IAM, clock: clock}
}

// asService is the keys ECS sends when it assumes a role for a task.
func asService(account string) authz.Keys {
	return authz.Keys{"aws:SourceAccount": {account}, "aws:SourceArn": {"arn:aws:ecs:eu-west-1:" + account + ":task/c/1"}}
}

func (f *fixture) role(t *testing.T, account, name, trust string, maxSession int32) *iam.Role {
	t.Helper()
	r, err := f.iam.CreateRole(ctx, account, iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trust, MaxSessionDuration: maxSession})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return r
}

// user creates an IAM user with an inline policy (none if doc is empty)
// and returns it as the authenticator would.
func (f *fixture) user(t *testing.T, account, name, doc string) *principal.Principal {
	t.Helper()
	u, err := f.iam.CreateUser(ctx, account, iam.CreateUserInput{UserName: name})
	if err != nil {
		t.Fatal(err)
	}
	if doc != "" {
		if err := f.iam.PutUserPolicy(ctx, account, name, "p", doc); err != nil {
			t.Fatal(err)
		}
	}
	return &principal.Principal{Kind: principal.User, Account: account, ARN: u.Arn, UserID: u.UserId, Name: name, AccessKeyID: "AKIA" + name}
}

// session returns the principal the authenticator makes of credentials.
func (f *fixture) session(t *testing.T, c *sts.Credentials) *principal.Principal {
	t.Helper()
	s, err := f.Session(ctx, c.AccessKeyId)
	if err != nil || s == nil {
		t.Fatalf("session %s: %v", c.AccessKeyId, err)
	}
	p := s.Principal
	p.AccessKeyID, p.Temporary, p.Expiration = c.AccessKeyId, true, s.Expiration
	return &p
}

func wantErr(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want %d %s: %s", err, status, code, msg)
	}
	if e.Status != status || e.Code != code || e.Message != msg {
		t.Fatalf("got %d %s: %s\nwant %d %s: %s", e.Status, e.Code, e.Message, status, code, msg)
	}
}

func i32(v int32) *int32 { return &v }

func TestGetCallerIdentity(t *testing.T) {
	f := newFixture(t)
	alice := f.user(t, acct, "alice", allowAssume)
	f.role(t, acct, "app", trustAccount(acct), 0)
	out, err := f.AssumeRole(ctx, alice, "eu-west-1", sts.AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":role/app", RoleSessionName: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	role, _ := f.iam.GetRole(ctx, acct, "app")
	cases := []struct {
		name   string
		caller *principal.Principal
		want   sts.CallerIdentity
	}{
		{"root", principal.RootUser(acct), sts.CallerIdentity{UserId: acct, Account: acct, Arn: "arn:aws:iam::" + acct + ":root"}},
		{"user", alice, sts.CallerIdentity{UserId: alice.UserID, Account: acct, Arn: "arn:aws:iam::" + acct + ":user/alice"}},
		{"assumed role", f.session(t, out.Credentials), sts.CallerIdentity{UserId: role.RoleId + ":s1", Account: acct, Arn: "arn:aws:sts::" + acct + ":assumed-role/app/s1"}},
	}
	for _, c := range cases {
		got, err := f.GetCallerIdentity(ctx, c.caller)
		if err != nil || *got != c.want {
			t.Errorf("%s: got %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

func TestGetSessionToken(t *testing.T) {
	f := newFixture(t)
	alice := f.user(t, acct, "alice", "")
	root := principal.RootUser(acct)
	cases := []struct {
		name     string
		caller   *principal.Principal
		duration *int32
		want     time.Duration
	}{
		{"user default: 12 hours", alice, nil, 12 * time.Hour},
		{"user 36 hours", alice, i32(129600), 36 * time.Hour},
		{"user 15 minutes", alice, i32(900), 15 * time.Minute},
		{"root default: 1 hour", root, nil, time.Hour},
		{"root asks more: 1 hour", root, i32(7200), time.Hour},
		{"root 15 minutes", root, i32(900), 15 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cr, err := f.GetSessionToken(ctx, c.caller, sts.GetSessionTokenInput{DurationSeconds: c.duration})
			if err != nil {
				t.Fatal(err)
			}
			if got := cr.Expiration.Sub(epoch); got != c.want {
				t.Errorf("lasts %v, want %v", got, c.want)
			}
			if !strings.HasPrefix(cr.AccessKeyId, "ASIA") || len(cr.AccessKeyId) != 20 || len(cr.SecretAccessKey) != 40 || cr.SessionToken == "" {
				t.Errorf("credentials %+v", cr)
			}
			p := f.session(t, cr)
			if p.ARN != c.caller.ARN || p.UserID != c.caller.UserID || p.Kind != c.caller.Kind {
				t.Errorf("session acts as %+v", p)
			}
			// Session credentials cannot ask for more.
			_, err = f.GetSessionToken(ctx, p, sts.GetSessionTokenInput{})
			wantErr(t, err, 403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
		})
	}
}

func TestAssumeRoleValidation(t *testing.T) {
	f := newFixture(t)
	alice := f.user(t, acct, "alice", allowTagAssume)
	appArn := f.role(t, acct, "app", trustAccount(acct), 0).Arn
	cases := []struct {
		name      string
		caller    *principal.Principal
		in        sts.AssumeRoleInput
		status    int
		code, msg string
	}{
		// Recorded (test_sts_invalid_parameters).
		{"not an ARN", alice, sts.AssumeRoleInput{RoleArn: "nothing-valid-in-here", RoleSessionName: "s"}, 400, "ValidationError", "nothing-valid-in-here is invalid"},
		{"no partition", alice, sts.AssumeRoleInput{RoleArn: "arn::b:::something/test-role", RoleSessionName: "s"}, 400, "ValidationError", "arn::b:::something/test-role is invalid"},
		{"no service", alice, sts.AssumeRoleInput{RoleArn: "arn:a::::something/test-role", RoleSessionName: "s"}, 400, "ValidationError", "arn:a::::something/test-role is invalid"},
		{"not enough colons", alice, sts.AssumeRoleInput{RoleArn: "arn:a:::something/test-role", RoleSessionName: "s"}, 400, "ValidationError", "arn:a:::something/test-role is invalid"},
		{"no resource", alice, sts.AssumeRoleInput{RoleArn: "arn:a:a::aaaaaaaaaa:", RoleSessionName: "s"}, 400, "ValidationError", "arn:a:a::aaaaaaaaaa: is invalid"},
		{"root", principal.RootUser(acct), sts.AssumeRoleInput{RoleArn: appArn, RoleSessionName: "s"}, 403, "AccessDenied", "Roles may not be assumed by root accounts."},
		{"no such role", alice, sts.AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":role/nope", RoleSessionName: "s"}, 403, "AccessDenied",
			"User: arn:aws:iam::" + acct + ":user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" + acct + ":role/nope"},
		{"a user's ARN", alice, sts.AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":user/alice", RoleSessionName: "s"}, 403, "AccessDenied",
			"User: arn:aws:iam::" + acct + ":user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" + acct + ":user/alice"},
		{"wrong path", alice, sts.AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":role/team/app", RoleSessionName: "s"}, 403, "AccessDenied",
			"User: arn:aws:iam::" + acct + ":user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" + acct + ":role/team/app"},
		{"longer than the role allows", alice, sts.AssumeRoleInput{RoleArn: appArn, RoleSessionName: "s", DurationSeconds: i32(3601)}, 400, "ValidationError",
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"duplicate tag keys", alice, sts.AssumeRoleInput{RoleArn: appArn, RoleSessionName: "s",
			Tags: []principal.Tag{{Key: "SessionTag1", Value: "a"}, {Key: "sessiontag1", Value: "b"}}, TransitiveTagKeys: []string{"sessiontag1"}},
			400, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"transitive key not among tags", alice, sts.AssumeRoleInput{RoleArn: appArn, RoleSessionName: "s",
			Tags: []principal.Tag{{Key: "SessionTag1", Value: "a"}}, TransitiveTagKeys: []string{"InvalidKey"}},
			400, "InvalidParameterValue", "The specified transitive tag key must be included in the requested tags."},
		{"eleven policy ARNs", alice, sts.AssumeRoleInput{RoleArn: appArn, RoleSessionName: "s", PolicyArns: make([]string, 11)},
			400, "ValidationError", "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{"session policy too large", alice, sts.AssumeRoleInput{RoleArn: appArn, RoleSessionName: "s", Policy: sts.BigPolicy(2100)},
			400, "PackedPolicyTooLarge", "Packed policy consumes 103% of allotted space, please use smaller policy."},
		{"session tags too large", alice, sts.AssumeRoleInput{RoleArn: appArn, RoleSessionName: "s", Tags: bigTags(30, 80)},
			400, "PackedPolicyTooLarge", "Packed size of session tags consumes 118% of allotted space."},
		{"malformed session policy", alice, sts.AssumeRoleInput{RoleArn: appArn, RoleSessionName: "s", Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}`},
			400, "MalformedPolicyDocument", "Policy statement must contain actions."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.AssumeRole(ctx, c.caller, "us-east-1", c.in)
			wantErr(t, err, c.status, c.code, c.msg)
		})
	}
}

func bigTags(n, size int) []principal.Tag {
	var out []principal.Tag
	for i := range n {
		out = append(out, principal.Tag{Key: string(rune('A'+i%26)) + strings.Repeat("k", size/2-1) + string(rune('a'+i/26)), Value: strings.Repeat("v", size/2-1)})
	}
	return out
}

// TestTrust covers the trust decision (policy.Evaluate with the trust
// policy as the role's resource-based policy) across the cases AWS
// documents.
func TestTrust(t *testing.T) {
	f := newFixture(t)
	// Callers in acct: alice may assume anything; bob has no policy; carol
	// is explicitly denied.
	alice := f.user(t, acct, "alice", allowAssume)
	bob := f.user(t, acct, "bob", "")
	carol := f.user(t, acct, "carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"},{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}`)
	// Callers in other: dave may assume anything; erin nothing.
	dave := f.user(t, other, "dave", allowAssume)
	erin := f.user(t, other, "erin", "")

	f.role(t, acct, "by-account", trustAccount(acct), 0)
	f.role(t, acct, "names-bob", trustPrincipal(bob.ARN), 0)
	f.role(t, acct, "names-carol", trustPrincipal(carol.ARN), 0)
	f.role(t, acct, "trusts-other", trustAccount(other), 0)
	f.role(t, acct, "names-erin", trustPrincipal(erin.ARN), 0)
	f.role(t, acct, "task", trustECSTasks, 0)
	f.role(t, acct, "external", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+other+`"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"xyz"}}}]}`, 0)
	if _, err := f.iam.CreateServiceLinkedRole(ctx, acct, iam.CreateServiceLinkedRoleInput{AWSServiceName: "ecs.amazonaws.com"}); err != nil {
		t.Fatal(err)
	}
	arn := func(name string) string { return "arn:aws:iam::" + acct + ":role/" + name }
	cases := []struct {
		name     string
		caller   *principal.Principal
		role     string
		external string
		ok       bool
	}{
		{"same account: trust names the account, identity allows", alice, "by-account", "", true},
		{"same account: trust names the account, no identity policy", bob, "by-account", "", false},
		{"same account: trust names the user, no identity policy", bob, "names-bob", "", true},
		{"same account: trust names the user, identity denies", carol, "names-carol", "", false},
		{"same account: trust names someone else, identity allows", alice, "names-bob", "", false}, // the trust policy must allow
		{"cross account: both allow", dave, "trusts-other", "", true},
		{"cross account: trust allows, identity does not", erin, "trusts-other", "", false},
		{"cross account: trust names the user, identity does not", erin, "names-erin", "", false},
		{"cross account: identity allows, trust does not", dave, "by-account", "", false},
		{"service role: a user may not", alice, "task", "", false},
		{"service-linked role: a user may not", alice, "aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", "", false},
		{"external id matches", dave, "external", "xyz", true},
		{"external id missing", dave, "external", "", false},
		{"external id wrong", dave, "external", "abc", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := f.AssumeRole(ctx, c.caller, "us-east-1", sts.AssumeRoleInput{RoleArn: arn(c.role), RoleSessionName: "s", ExternalId: c.external})
			if c.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if out.PackedPolicySize != nil {
					t.Errorf("PackedPolicySize without session policies or tags")
				}
				return
			}
			wantErr(t, err, 403, "AccessDenied", "User: "+c.caller.ARN+" is not authorized to perform: sts:AssumeRole on resource: "+arn(c.role))
		})
	}
}

func TestAssumeRoleSession(t *testing.T) {
	f := newFixture(t)
	alice := f.user(t, acct, "alice", allowTagAssume)
	role := f.role(t, acct, "app", trustAccount(acct), 7200)
	in := sts.AssumeRoleInput{
		RoleArn: role.Arn, RoleSessionName: "s1", DurationSeconds: i32(7200),
		Policy:            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		PolicyArns:        []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		Tags:              []principal.Tag{{Key: "team", Value: "blue"}, {Key: "env", Value: "dev"}},
		TransitiveTagKeys: []string{"TEAM"},
		SourceIdentity:    "alice-laptop",
	}
	// sts:SetSourceIdentity is not allowed yet.
	_, err := f.AssumeRole(ctx, alice, "eu-west-1", in)
	wantErr(t, err, 403, "AccessDenied", "User: "+alice.ARN+" is not authorized to perform: sts:SetSourceIdentity on resource: "+role.Arn)
	if err := f.iam.UpdateAssumeRolePolicy(ctx, acct, "app", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`); err != nil {
		t.Fatal(err)
	}
	if err := f.iam.PutUserPolicy(ctx, acct, "alice", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	out, err := f.AssumeRole(ctx, alice, "eu-west-1", in)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Credentials.Expiration.Sub(f.clock.Now()); got != 2*time.Hour {
		t.Errorf("lasts %v", got)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize != 7 || out.SourceIdentity != "alice-laptop" {
		t.Errorf("PackedPolicySize %v, SourceIdentity %q", out.PackedPolicySize, out.SourceIdentity)
	}
	if out.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/app/s1" || out.AssumedRoleUser.AssumedRoleId != role.RoleId+":s1" {
		t.Errorf("sts.AssumedRoleUser %+v", out.AssumedRoleUser)
	}
	p := f.session(t, out.Credentials)
	if p.Kind != principal.AssumedRole || p.RoleARN != role.Arn || p.SessionName != "s1" || p.SessionPolicy != in.Policy ||
		strings.Join(p.SessionPolicyARNs, ",") != "arn:aws:iam::aws:policy/ReadOnlyAccess" || len(p.SessionTags) != 2 ||
		strings.Join(p.TransitiveTagKeys, ",") != "TEAM" || p.SourceIdentity != "alice-laptop" || p.AssumedBy != alice.ARN || p.Chained {
		t.Errorf("session %+v", p)
	}
	got, _ := f.iam.GetRole(ctx, acct, "app")
	if got.RoleLastUsed == nil || got.RoleLastUsed.Region != "eu-west-1" || !got.RoleLastUsed.LastUsedDate.Equal(epoch.Add(time.Minute)) {
		t.Errorf("RoleLastUsed %+v", got.RoleLastUsed)
	}
}

// TestRoleChaining: a role session assuming a role is capped at one hour,
// passes on its transitive tags and source identity, and cannot override a
// transitive tag (recorded: test_iam_role_chaining_override_transitive_tags).
func TestRoleChaining(t *testing.T) {
	f := newFixture(t)
	alice := f.user(t, acct, "alice", allowTagAssume)
	r1 := f.role(t, acct, "role-1", trustAccount(acct), 43200)
	r2 := f.role(t, acct, "role-2", trustAccount(acct), 43200)
	if err := f.iam.PutRolePolicy(ctx, acct, "role-1", "chain", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"`+r2.Arn+`"}]}`); err != nil {
		t.Fatal(err)
	}
	out, err := f.AssumeRole(ctx, alice, "us-east-1", sts.AssumeRoleInput{RoleArn: r1.Arn, RoleSessionName: "Session1", DurationSeconds: i32(43200),
		Tags: []principal.Tag{{Key: "SessionTag1", Value: "SessionValue1"}, {Key: "Other", Value: "x"}}, TransitiveTagKeys: []string{"SessionTag1"}})
	if err != nil {
		t.Fatal(err)
	}
	s1 := f.session(t, out.Credentials)

	_, err = f.AssumeRole(ctx, s1, "us-east-1", sts.AssumeRoleInput{RoleArn: r2.Arn, RoleSessionName: "s2", DurationSeconds: i32(3601)})
	wantErr(t, err, 400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	for _, key := range []string{"SessionTag1", "sessiontag1"} {
		_, err = f.AssumeRole(ctx, s1, "us-east-1", sts.AssumeRoleInput{RoleArn: r2.Arn, RoleSessionName: "Session2SessionTagOverride", Tags: []principal.Tag{{Key: key, Value: "SessionValue2"}}})
		wantErr(t, err, 400, "InvalidParameterValue", "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
	}
	// Not allowed by role-1's policy: role-1 itself.
	_, err = f.AssumeRole(ctx, s1, "us-east-1", sts.AssumeRoleInput{RoleArn: r1.Arn, RoleSessionName: "again"})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::"+acct+":assumed-role/role-1/Session1 is not authorized to perform: sts:AssumeRole on resource: "+r1.Arn)

	out2, err := f.AssumeRole(ctx, s1, "us-east-1", sts.AssumeRoleInput{RoleArn: r2.Arn, RoleSessionName: "s2", Tags: []principal.Tag{{Key: "New", Value: "n"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := out2.Credentials.Expiration.Sub(f.clock.Now()); got != time.Hour {
		t.Errorf("chained session lasts %v", got)
	}
	s2 := f.session(t, out2.Credentials)
	if !s2.Chained || s2.AssumedBy != s1.ARN || len(s2.SessionTags) != 2 || s2.SessionTags[0] != (principal.Tag{Key: "SessionTag1", Value: "SessionValue1"}) ||
		s2.SessionTags[1] != (principal.Tag{Key: "New", Value: "n"}) || strings.Join(s2.TransitiveTagKeys, ",") != "SessionTag1" {
		t.Errorf("chained session %+v", s2)
	}
}

// TestSessionPolicyNarrows: a role session's session policy is part of
// its own later AssumeRole decisions.
func TestSessionPolicyNarrows(t *testing.T) {
	f := newFixture(t)
	alice := f.user(t, acct, "alice", allowAssume)
	r1 := f.role(t, acct, "role-1", trustAccount(acct), 0)
	r2 := f.role(t, acct, "role-2", trustAccount(acct), 0)
	if err := f.iam.PutRolePolicy(ctx, acct, "role-1", "chain", allowAssume); err != nil {
		t.Fatal(err)
	}
	out, err := f.AssumeRole(ctx, alice, "us-east-1", sts.AssumeRoleInput{RoleArn: r1.Arn, RoleSessionName: "narrow",
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.AssumeRole(ctx, f.session(t, out.Credentials), "us-east-1", sts.AssumeRoleInput{RoleArn: r2.Arn, RoleSessionName: "s2"})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::"+acct+":assumed-role/role-1/narrow is not authorized to perform: sts:AssumeRole on resource: "+r2.Arn)
}

// TestTagSessionNeedsPermission: passing tags needs sts:TagSession in the
// trust policy.
func TestTagSessionNeedsPermission(t *testing.T) {
	f := newFixture(t)
	alice := f.user(t, acct, "alice", allowTagAssume)
	role := f.role(t, acct, "app", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"sts:AssumeRole"}]}`, 0)
	_, err := f.AssumeRole(ctx, alice, "us-east-1", sts.AssumeRoleInput{RoleArn: role.Arn, RoleSessionName: "s", Tags: []principal.Tag{{Key: "k", Value: "v"}}})
	wantErr(t, err, 403, "AccessDenied", "User: "+alice.ARN+" is not authorized to perform: sts:TagSession on resource: "+role.Arn)
	if _, err := f.AssumeRole(ctx, alice, "us-east-1", sts.AssumeRoleInput{RoleArn: role.Arn, RoleSessionName: "s"}); err != nil {
		t.Fatal(err)
	}
}

func TestAssumeRoleAsService(t *testing.T) {
	f := newFixture(t)
	task := f.role(t, acct, "task", trustECSTasks, 0)
	s, err := f.AssumeRoleAsService(ctx, "ecs-tasks.amazonaws.com", acct, task.Arn, "task-1", "eu-west-1", asService(acct))
	if err != nil {
		t.Fatal(err)
	}
	if s.Principal.ARN != "arn:aws:sts::"+acct+":assumed-role/task/task-1" || s.Principal.AssumedBy != "ecs-tasks.amazonaws.com" ||
		!s.Expiration.Equal(epoch.Add(time.Hour)) || !s.Principal.Temporary {
		t.Errorf("session %+v", s)
	}
	// The credentials work: the authenticator finds them.
	if got, _ := f.Session(ctx, s.AccessKeyID); got == nil || got.SessionToken != s.SessionToken {
		t.Errorf("issued session not found: %+v", got)
	}
	_, err = f.AssumeRoleAsService(ctx, "ecs.amazonaws.com", acct, task.Arn, "x", "eu-west-1", asService(acct))
	wantErr(t, err, 403, "AccessDenied", "User: ecs.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: "+task.Arn)

	slr, err := f.iam.CreateServiceLinkedRole(ctx, acct, iam.CreateServiceLinkedRoleInput{AWSServiceName: "ecs.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.AssumeRoleAsService(ctx, "ecs.amazonaws.com", acct, slr.Arn, "ecs", "eu-west-1", asService(acct)); err != nil {
		t.Fatalf("ECS refused its own service-linked role: %v", err)
	}
	_, err = f.AssumeRoleAsService(ctx, "ecs-tasks.amazonaws.com", acct, slr.Arn, "x", "eu-west-1", asService(acct))
	wantErr(t, err, 403, "AccessDenied", "User: ecs-tasks.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: "+slr.Arn)
	_, err = f.AssumeRoleAsService(ctx, "ecs-tasks.amazonaws.com", acct, "arn:aws:iam::"+acct+":role/missing", "x", "eu-west-1", asService(acct))
	wantErr(t, err, 403, "AccessDenied", "User: ecs-tasks.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+acct+":role/missing")
}
