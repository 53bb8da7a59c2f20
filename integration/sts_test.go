package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

const (
	allowAssumeRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`
	trustAccount    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
)

func roleArn(name string) string { return "arn:aws:iam::000000000000:role/" + name }

// sessionClients are clients signing with an AssumeRole or
// GetSessionToken answer's credentials.
func sessionClients(cfg aws.Config, clock interface{ Now() time.Time }, c *ststypes.Credentials) clients {
	return clientsFor(withCreds(cfg, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken), clock)
}

func TestSTSGetCallerIdentity(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	alice, _ := newUser(t, root, rc.Config, nil, "alice", allowAssumeRole)
	createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	putRolePolicy(t, root.iam, "app", allowIAMRead) // the session reads IAM below
	role := must(root.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t).Role
	user := must(root.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))(t).User
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1")}))(t)
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/app/s1" ||
		aws.ToString(out.AssumedRoleUser.AssumedRoleId) != aws.ToString(role.RoleId)+":s1" || out.PackedPolicySize != nil {
		t.Errorf("AssumedRoleUser %s %s, PackedPolicySize %v", aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(out.AssumedRoleUser.AssumedRoleId), out.PackedPolicySize)
	}
	session := sessionClients(rc.Config, nil, out.Credentials)
	for _, c := range []struct {
		name                 string
		client               *sts.Client
		arn, userID, account string
	}{
		{"root", root.sts, "arn:aws:iam::000000000000:root", "000000000000", "000000000000"},
		{"user", alice.sts, "arn:aws:iam::000000000000:user/alice", aws.ToString(user.UserId), "000000000000"},
		{"assumed role", session.sts, "arn:aws:sts::000000000000:assumed-role/app/s1", aws.ToString(role.RoleId) + ":s1", "000000000000"},
	} {
		id := must(c.client.GetCallerIdentity(ctx, nil))(t)
		if aws.ToString(id.Arn) != c.arn || aws.ToString(id.UserId) != c.userID || aws.ToString(id.Account) != c.account {
			t.Errorf("%s: %s %s %s", c.name, aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(id.Account))
		}
	}
	// The session's credentials work for IAM too, and the role records
	// its use.
	got := must(session.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t).Role
	if got.RoleLastUsed == nil || aws.ToString(got.RoleLastUsed.Region) != "us-east-1" || got.RoleLastUsed.LastUsedDate == nil {
		t.Errorf("RoleLastUsed %+v", got.RoleLastUsed)
	}
}

func TestSTSAssumeRoleDenied(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	alice, _ := newUser(t, root, rc.Config, nil, "alice", allowAssumeRole)
	bob, _ := newUser(t, root, rc.Config, nil, "bob", "")
	createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	createRole(t, root.iam, "task") // trusts ecs-tasks.amazonaws.com
	must(root.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)

	denied := func(user, role string) string {
		return "User: arn:aws:iam::000000000000:user/" + user + " is not authorized to perform: sts:AssumeRole on resource: " + role
	}
	slr := "arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
	cases := []struct {
		name      string
		client    *sts.Client
		in        sts.AssumeRoleInput
		status    int
		code, msg string
	}{
		{"root", root.sts, sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1")},
			403, "AccessDenied", "Roles may not be assumed by root accounts."},
		{"trust names the account, no identity policy", bob.sts, sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1")},
			403, "AccessDenied", denied("bob", roleArn("app"))},
		{"trust names a service", alice.sts, sts.AssumeRoleInput{RoleArn: aws.String(roleArn("task")), RoleSessionName: aws.String("s1")},
			403, "AccessDenied", denied("alice", roleArn("task"))},
		{"service-linked role", alice.sts, sts.AssumeRoleInput{RoleArn: aws.String(slr), RoleSessionName: aws.String("s1")},
			403, "AccessDenied", denied("alice", slr)},
		{"no such role", alice.sts, sts.AssumeRoleInput{RoleArn: aws.String(roleArn("nope")), RoleSessionName: aws.String("s1")},
			403, "AccessDenied", denied("alice", roleArn("nope"))},
		// Recorded (test_sts_invalid_parameters).
		{"not an ARN", alice.sts, sts.AssumeRoleInput{RoleArn: aws.String("nothing-valid-in-here"), RoleSessionName: aws.String("Session1")},
			400, "ValidationError", "nothing-valid-in-here is invalid"},
		{"session name with a colon", alice.sts, sts.AssumeRoleInput{RoleArn: aws.String("arn:a:b:::something/test-role"), RoleSessionName: aws.String("Session1:2")},
			400, "ValidationError", `1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"session name of 65 characters", alice.sts, sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String(strings.Repeat("s", 65))},
			400, "ValidationError", "1 validation error detected: Value '" + strings.Repeat("s", 65) + "' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.client.AssumeRole(ctx, &c.in)
			wantErr(t, err, c.status, c.code, c.msg)
		})
	}
}

// TestSTSCrossAccount: across accounts both the trust policy and the
// caller's own policies must allow. Account 222222222222 is reached with
// its root keys: access key "222222222222", secret "test".
func TestSTSCrossAccount(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	otherRoot := clientsFor(withCreds(rc.Config, "222222222222", "test", ""), nil)
	dave, _ := newUser(t, otherRoot, rc.Config, nil, "dave", allowAssumeRole)
	erin, _ := newUser(t, otherRoot, rc.Config, nil, "erin", "")
	trustOther := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"s3cret"}}}]}`
	createRole(t, root.iam, "partner", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustOther) })

	out := must(dave.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("partner")), RoleSessionName: aws.String("dave"), ExternalId: aws.String("s3cret")}))(t)
	id := must(sessionClients(rc.Config, nil, out.Credentials).sts.GetCallerIdentity(ctx, nil))(t)
	if aws.ToString(id.Account) != "000000000000" || aws.ToString(id.Arn) != "arn:aws:sts::000000000000:assumed-role/partner/dave" {
		t.Errorf("cross-account session: %s %s", aws.ToString(id.Account), aws.ToString(id.Arn))
	}
	_, err := dave.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("partner")), RoleSessionName: aws.String("dave"), ExternalId: aws.String("guess")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::222222222222:user/dave is not authorized to perform: sts:AssumeRole on resource: "+roleArn("partner"))
	// The trust allows; erin's own policies do not.
	_, err = erin.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("partner")), RoleSessionName: aws.String("erin"), ExternalId: aws.String("s3cret")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::222222222222:user/erin is not authorized to perform: sts:AssumeRole on resource: "+roleArn("partner"))
	// The reverse: dave's policies allow, the trust names only its own
	// account.
	createRole(t, root.iam, "internal", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	_, err = dave.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("internal")), RoleSessionName: aws.String("dave")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::222222222222:user/dave is not authorized to perform: sts:AssumeRole on resource: "+roleArn("internal"))
	// And an explicit Deny in dave's own policies beats a trust that names
	// him.
	trustDave := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:user/dave"},"Action":"sts:AssumeRole"}]}`
	createRole(t, root.iam, "for-dave", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustDave) })
	must(dave.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("for-dave")), RoleSessionName: aws.String("dave")}))(t)
	must(otherRoot.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dave"), PolicyName: aws.String("no"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"` + roleArn("for-dave") + `"}]}`)}))(t)
	_, err = dave.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("for-dave")), RoleSessionName: aws.String("dave")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::222222222222:user/dave is not authorized to perform: sts:AssumeRole on resource: "+roleArn("for-dave"))
}

func TestSTSDurations(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	alice, _ := newUser(t, root, rc.Config, nil, "alice", allowAssumeRole)
	createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	createRole(t, root.iam, "next", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	must(root.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("chain"), PolicyDocument: aws.String(allowAssumeRole)}))(t)
	assume := func(c *sts.Client, role string, seconds int32) (*sts.AssumeRoleOutput, error) {
		return c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn(role)), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(seconds)})
	}
	_, err := assume(alice.sts, "app", 7200)
	wantErr(t, err, 400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	_, err = assume(alice.sts, "app", 899)
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")

	must(root.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("app"), MaxSessionDuration: aws.Int32(43200)}))(t)
	before := time.Now()
	out := must(assume(alice.sts, "app", 43200))(t)
	if d := out.Credentials.Expiration.Sub(before); d < 12*time.Hour-time.Minute || d > 12*time.Hour+time.Minute {
		t.Errorf("12-hour session expires in %v", d)
	}

	// Role chaining: at most an hour.
	chained := sessionClients(rc.Config, nil, out.Credentials)
	must(root.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("next"), MaxSessionDuration: aws.Int32(43200)}))(t)
	_, err = assume(chained.sts, "next", 3601)
	wantErr(t, err, 400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	must(assume(chained.sts, "next", 3600))(t)
}

// TestSTSCredentialsExpire: temporary credentials work until they expire
// by rolecall's clock, then are refused with ExpiredToken; they survive a
// restart.
func TestSTSCredentialsExpire(t *testing.T) {
	clock := newClock()
	dir := t.TempDir()
	rc, err := rolecalltest.Start(rolecalltest.WithClock(clock), rolecalltest.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	root := clientsFor(rc.Config, clock)
	alice, _ := newUser(t, root, rc.Config, clock, "alice", allowAssumeRole)
	createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	putRolePolicy(t, root.iam, "app", allowIAMRead) // the session lists roles below
	role := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)}))(t)
	token := must(alice.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(1800)}))(t)
	if !role.Credentials.Expiration.Equal(clock.Now().Add(15 * time.Minute)) {
		t.Errorf("expires %v, want %v", role.Credentials.Expiration, clock.Now().Add(15*time.Minute))
	}

	// Restart on the same state: the credentials still work.
	rc.Close()
	rc = rolecalltest.RunT(t, rolecalltest.WithClock(clock), rolecalltest.WithDataDir(dir))
	sessionRole := sessionClients(rc.Config, clock, role.Credentials)
	sessionUser := sessionClients(rc.Config, clock, token.Credentials)
	clock.Advance(14 * time.Minute)
	must(sessionRole.iam.ListRoles(ctx, nil))(t)
	if id := must(sessionUser.sts.GetCallerIdentity(ctx, nil))(t); aws.ToString(id.Arn) != "arn:aws:iam::000000000000:user/alice" {
		t.Errorf("GetSessionToken credentials act as %s", aws.ToString(id.Arn))
	}
	clock.Advance(time.Minute)
	_, err = sessionRole.iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "ExpiredToken", msgExpiredToken)
	_, err = sessionRole.sts.GetCallerIdentity(ctx, nil)
	wantErr(t, err, 403, "ExpiredToken", msgExpiredToken)
	clock.Advance(15 * time.Minute)
	_, err = sessionUser.sts.GetCallerIdentity(ctx, nil)
	wantErr(t, err, 403, "ExpiredToken", msgExpiredToken)

	// A session token that is not the one issued is invalid.
	forged := *role.Credentials
	forged.SessionToken = aws.String("forged")
	_, err = sessionClients(rc.Config, clock, &forged).sts.GetCallerIdentity(ctx, nil)
	wantErr(t, err, 403, "InvalidClientTokenId", msgInvalidToken)
}

// TestSTSGetSessionToken: GetSessionToken credentials act as the user, may
// not call IAM (no MFA in rolecall), nor ask for another session token.
func TestSTSGetSessionToken(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	alice, _ := newUser(t, root, rc.Config, nil, "alice", allowAssumeRole)
	createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	before := time.Now()
	out := must(alice.sts.GetSessionToken(ctx, nil))(t)
	if d := out.Credentials.Expiration.Sub(before); d < 12*time.Hour-time.Minute || d > 12*time.Hour+time.Minute {
		t.Errorf("default session token lasts %v, want 12 hours", d)
	}
	if id := aws.ToString(out.Credentials.AccessKeyId); !strings.HasPrefix(id, "ASIA") || len(id) != 20 {
		t.Errorf("access key id %s", id)
	}
	s := sessionClients(rc.Config, nil, out.Credentials)
	_, err := s.iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "InvalidClientTokenId", msgInvalidToken)
	_, err = s.sts.GetSessionToken(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	// AssumeRole with them is not role chaining.
	ar := must(s.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1")}))(t)
	_, err = sessionClients(rc.Config, nil, ar.Credentials).sts.GetSessionToken(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", "Cannot call GetSessionToken with session credentials")

	rootToken := must(root.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129600)}))(t)
	if d := rootToken.Credentials.Expiration.Sub(before); d > time.Hour+time.Minute {
		t.Errorf("root session token lasts %v, want at most an hour", d)
	}
	_, err = root.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600")
}

// TestSTSSessionTagsAndPolicies: tags need sts:TagSession; the answer
// reports PackedPolicySize; too large a session policy is refused.
func TestSTSSessionTagsAndPolicies(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	alice, _ := newUser(t, root, rc.Config, nil, "alice", allowAssumeRole)
	createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	createRole(t, root.iam, "untagged", func(in *iam.CreateRoleInput) {
		in.AssumeRolePolicyDocument = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"sts:AssumeRole"}]}`)
	})
	tags := []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
	_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("untagged")), RoleSessionName: aws.String("s1"), Tags: tags})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: sts:TagSession on resource: "+roleArn("untagged"))

	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1"), Tags: tags,
		TransitiveTagKeys: []string{"team"}, Policy: aws.String(s3ReadPolicy),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}}))(t)
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize > 100 {
		t.Errorf("PackedPolicySize %v", out.PackedPolicySize)
	}
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1"),
		Tags: []ststypes.Tag{{Key: aws.String("Team"), Value: aws.String("a")}, {Key: aws.String("team"), Value: aws.String("b")}}})
	wantErr(t, err, 400, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")

	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 2100) + `"}]}`
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1"), Policy: aws.String(big)})
	wantErr(t, err, 400, "PackedPolicyTooLarge", "Packed policy consumes 108% of allotted space, please use smaller policy.")
}

// TestSTSRevokeOlderSessions: the IAM console's "Revoke active sessions"
// puts AWSRevokeOlderSessions on the role, denying every action, role
// chaining included, to sessions whose aws:TokenIssueTime is before that
// moment (IAM User Guide, "Revoke IAM role temporary security
// credentials"); sessions issued later are unaffected.
func TestSTSRevokeOlderSessions(t *testing.T) {
	clock := newClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(rc.Config, clock)
	alice, _ := newUser(t, root, rc.Config, clock, "alice", allowAssumeRole)
	createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	putRolePolicy(t, root.iam, "app", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetRole","sts:AssumeRole"],"Resource":"*"}]}`)
	assume := func(name string) clients {
		out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String(name)}))(t)
		return sessionClients(rc.Config, clock, out.Credentials)
	}
	old := assume("old")
	must(old.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t)

	clock.Advance(time.Minute)
	must(root.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("AWSRevokeOlderSessions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],
			"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + clock.Now().Format(time.RFC3339) + `"}}}]}`)}))(t)
	_, err := old.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::000000000000:assumed-role/app/old is not authorized to perform: iam:GetRole on resource: role app with an explicit deny in an identity-based policy")
	_, err = old.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("chained")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::000000000000:assumed-role/app/old is not authorized to perform: sts:AssumeRole on resource: "+roleArn("app"))

	clock.Advance(time.Minute)
	must(assume("new").iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t)
}

// A role deleted and created again under its name is a new role (a new
// RoleId): a session of the old one carries none of the new one's
// permissions, and is denied, as IAM's unique ids make it on AWS.
func TestSTSSessionOfADeletedRole(t *testing.T) {
	clock := newClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(rc.Config, clock)
	alice, _ := newUser(t, root, rc.Config, clock, "alice", allowAssumeRole)
	getRole := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`
	makeRole := func() {
		createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
		putRolePolicy(t, root.iam, "app", getRole)
	}
	makeRole()
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1")}))(t)
	old := sessionClients(rc.Config, clock, out.Credentials)
	must(old.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t)

	must(root.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p")}))(t)
	must(root.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")}))(t)
	makeRole()
	_, err := old.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::000000000000:assumed-role/app/s1 is not authorized to perform: iam:GetRole on resource: role app because no identity-based policy allows the iam:GetRole action")
}
