package integration

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/server"
	"github.com/rolecall/rolecall/rolecalltest"
)

// MFA-protected API access through the Go SDK: a trust policy or an
// identity policy that asks for aws:MultiFactorAuthPresent is proven right
// or wrong with codes computed from a virtual device's seed.

const (
	msgMFAInvalidCode   = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	msgMFANotAssociated = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgMFAIncomplete    = "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
	trustWithMFA        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole",
		"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"600"}}}]}`
)

func sessionTokenMFA(serial, code string) *sts.GetSessionTokenInput {
	return &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)}
}

func TestSTSAssumeRoleWithMFA(t *testing.T) {
	clock := mfaClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(rc.Config, clock)
	alice, _ := newUser(t, root, rc.Config, clock, "alice", allowAssumeRole)
	bob, _ := newUser(t, root, rc.Config, clock, "bob", allowAssumeRole)
	createRole(t, root.iam, "admin", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustWithMFA) })
	putRolePolicy(t, root.iam, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","sts:AssumeRole"],"Resource":"*"}]}`)
	d := createMFADevice(t, root.iam, "alice")
	enableMFADevice(t, root.iam, clock, "alice", d)
	bobs := createMFADevice(t, root.iam, "bob")
	enableMFADevice(t, root.iam, clock, "bob", bobs)

	assume := func(c clients, serial, code string) (*sts.AssumeRoleOutput, error) {
		in := &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("admin")), RoleSessionName: aws.String("s1")}
		if serial != "" {
			in.SerialNumber = aws.String(serial)
		}
		if code != "" {
			in.TokenCode = aws.String(code)
		}
		return c.sts.AssumeRole(ctx, in)
	}
	now := clock.Now()
	next := totpAt(t, d.seed, now.Add(30*time.Second))

	// The trust policy asks for MFA: without a code the key is absent
	// (long-term keys) and the condition fails.
	_, err := assume(alice, "", "")
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: sts:AssumeRole on resource: "+roleArn("admin"))
	_, err = assume(alice, d.serial, wrongCode(t, d.seed, now))
	wantErr(t, err, 403, "AccessDenied", msgMFAInvalidCode)
	// The codes enabling spent, and older ones, are refused.
	_, err = assume(alice, d.serial, totpAt(t, d.seed, now))
	wantErr(t, err, 403, "AccessDenied", msgMFAInvalidCode)
	_, err = assume(alice, d.serial, "")
	wantErr(t, err, 403, "AccessDenied", msgMFAIncomplete)
	_, err = assume(alice, "", next)
	wantErr(t, err, 403, "AccessDenied", msgMFAIncomplete)
	// Another user's device, a device that does not exist, a user ARN.
	for _, serial := range []string{bobs.serial, mfaArn + "nope", "arn:aws:iam::000000000000:user/alice", "GAHT12345678"} {
		_, err = assume(alice, serial, next)
		wantErr(t, err, 403, "AccessDenied", msgMFANotAssociated)
	}

	// The right code: the role is assumed, once per code.
	out := must(assume(alice, d.serial, next))(t)
	_, err = assume(alice, d.serial, next)
	wantErr(t, err, 403, "AccessDenied", msgMFAInvalidCode)
	session := sessionClients(rc.Config, clock, out.Credentials)
	if id := must(session.sts.GetCallerIdentity(ctx, nil))(t); aws.ToString(id.Arn) != "arn:aws:sts::000000000000:assumed-role/admin/s1" {
		t.Errorf("session: %s", aws.ToString(id.Arn))
	}
	must(session.iam.ListRoles(ctx, nil))(t)
	clock.Advance(30 * time.Second)
	must(assume(alice, d.serial, totpAt(t, d.seed, clock.Now().Add(30*time.Second))))(t)

	// Bob's code is Bob's.
	clock.Advance(30 * time.Second)
	must(assume(bob, bobs.serial, totpAt(t, bobs.seed, clock.Now())))(t)

	// Chaining: a session that proved MFA assumes the role without a code.
	chained := must(session.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("admin")), RoleSessionName: aws.String("again")}))(t)
	if aws.ToString(chained.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/admin/again" {
		t.Errorf("chained: %s", aws.ToString(chained.AssumedRoleUser.Arn))
	}
	// Ten minutes after the code, aws:MultiFactorAuthAge no longer passes.
	clock.Advance(9 * time.Minute)
	_, err = session.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("admin")), RoleSessionName: aws.String("late")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::000000000000:assumed-role/admin/s1 is not authorized to perform: sts:AssumeRole on resource: "+roleArn("admin"))
}

// TestSTSGetSessionTokenWithMFA: an identity policy that allows an
// action only with MFA, and only for ten minutes after the code.
func TestSTSGetSessionTokenWithMFA(t *testing.T) {
	clock := mfaClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(rc.Config, clock)
	const mfaOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*",
		"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"600"}}}]}`
	dana, _ := newUser(t, root, rc.Config, clock, "dana", mfaOnly)
	d := createMFADevice(t, root.iam, "dana")
	enableMFADevice(t, root.iam, clock, "dana", d)
	listDenied := func(who string) string {
		return "User: " + who + " is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::000000000000:role/ because no identity-based policy allows the iam:ListRoles action"
	}

	// Long-term keys carry no MFA.
	_, err := dana.iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", listDenied(userArn+"dana"))
	// Session credentials issued without a code may not call IAM at all.
	plain := must(dana.sts.GetSessionToken(ctx, nil))(t)
	_, err = sessionClients(rc.Config, clock, plain.Credentials).iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "InvalidClientTokenId", msgInvalidToken)

	_, err = dana.sts.GetSessionToken(ctx, sessionTokenMFA(d.serial, wrongCode(t, d.seed, clock.Now())))
	wantErr(t, err, 403, "AccessDenied", msgMFAInvalidCode)
	_, err = dana.sts.GetSessionToken(ctx, sessionTokenMFA(mfaArn+"nope", totpAt(t, d.seed, clock.Now())))
	wantErr(t, err, 403, "AccessDenied", msgMFANotAssociated)
	_, err = dana.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial)})
	wantErr(t, err, 403, "AccessDenied", msgMFAIncomplete)
	_, err = root.sts.GetSessionToken(ctx, sessionTokenMFA(d.serial, totpAt(t, d.seed, clock.Now().Add(30*time.Second))))
	wantErr(t, err, 403, "AccessDenied", msgMFANotAssociated)

	clock.Advance(30 * time.Second)
	withMFA := must(dana.sts.GetSessionToken(ctx, sessionTokenMFA(d.serial, totpAt(t, d.seed, clock.Now()))))(t)
	mfaSession := sessionClients(rc.Config, clock, withMFA.Credentials)
	must(mfaSession.iam.ListRoles(ctx, nil))(t)
	if id := must(mfaSession.sts.GetCallerIdentity(ctx, nil))(t); aws.ToString(id.Arn) != userArn+"dana" {
		t.Errorf("GetCallerIdentity = %s", aws.ToString(id.Arn))
	}
	clock.Advance(10 * time.Minute)
	_, err = mfaSession.iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", listDenied(userArn+"dana"))
}

// TestMFACodeEndpoint: rolecall mfa code's endpoint answers the codes of
// the signer's account's devices, to its root and to principals allowed
// rolecall:GetMFACode.
func TestMFACodeEndpoint(t *testing.T) {
	clock := mfaClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(rc.Config, clock)
	_, erinKey := newUser(t, root, rc.Config, clock, "erin", "")
	_, frankKey := newUser(t, root, rc.Config, clock, "frank", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"rolecall:GetMFACode","Resource":"arn:aws:iam::*:mfa/${aws:username}"}]}`)
	d := createMFADevice(t, root.iam, "frank")
	get := func(key, secret, serial string, two bool) (int, string) {
		q := url.Values{"serial": {serial}}
		if two {
			q.Set("two", "1")
		}
		return rolecallGet(t, rc.Endpoint+app.MFACodePath+"?"+q.Encode(), key, secret, clock)
	}
	codes := func(body string) []string {
		var out app.MFACodes
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		return out.Codes
	}
	now := clock.Now()
	status, body := get("test", "test", d.serial, true)
	if got := codes(body); status != 200 || len(got) != 2 || got[0] != totpAt(t, d.seed, now.Add(-30*time.Second)) || got[1] != totpAt(t, d.seed, now) {
		t.Fatalf("two codes: %d %s", status, body)
	}
	must(root.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("frank"), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(codes(body)[0]), AuthenticationCode2: aws.String(codes(body)[1])}))(t)
	// The current code was spent enabling: the next one is answered.
	status, body = get(*frankKey.AccessKeyId, *frankKey.SecretAccessKey, d.serial, false)
	if got := codes(body); status != 200 || len(got) != 1 || got[0] != totpAt(t, d.seed, now.Add(30*time.Second)) {
		t.Fatalf("frank's code: %d %s", status, body)
	}
	status, body = get(*erinKey.AccessKeyId, *erinKey.SecretAccessKey, d.serial, false)
	if status != 403 || !strings.Contains(body, "User: "+userArn+"erin is not authorized to perform: rolecall:GetMFACode on resource: "+d.serial) {
		t.Errorf("erin: %d %s", status, body)
	}
	status, body = get("test", "test", mfaArn+"nope", false)
	if status != 404 || !strings.Contains(body, "MFA Device with serial number "+mfaArn+"nope does not exist.") {
		t.Errorf("no such device: %d %s", status, body)
	}
	// Another account's root sees none of this account's devices.
	status, body = get("222222222222", "test", d.serial, false)
	if status != 403 {
		t.Errorf("another account: %d %s", status, body)
	}
}

// rolecallGet sends a GET to one of rolecall's own endpoints, signed as
// `rolecall mfa code` and the like sign (service "rolecall"), and answers
// its status and body.
func rolecallGet(t *testing.T, u, key, secret string, clock interface{ Now() time.Time }) (int, string) {
	t.Helper()
	req := must(http.NewRequestWithContext(ctx, http.MethodGet, u, nil))(t)
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, sha(""), server.DecisionsService, "us-east-1", clock.Now()); err != nil {
		t.Fatal(err)
	}
	resp := must(http.DefaultClient.Do(req))(t)
	defer resp.Body.Close()
	return resp.StatusCode, strings.TrimSpace(string(must(io.ReadAll(resp.Body))(t)))
}
