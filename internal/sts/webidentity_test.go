package sts_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/oidc"
	"github.com/rolecall/rolecall/internal/sts"
)

// AssumeRoleWithWebIdentity's verification, claim by claim, with rolecall's
// own issuer signing the tokens (integration/webidentity_test.go drives it
// through the SDK, and a real issuer's keys over TLS).

const (
	idpURL   = "https://idp.example.com"
	idpArn   = "arn:aws:iam::" + acct + ":oidc-provider/idp.example.com"
	webTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + idpArn + `"},
		"Action":["sts:AssumeRoleWithWebIdentity","sts:SetSourceIdentity"],
		"Condition":{"StringEquals":{"idp.example.com:sub":"alice"}}}]}`
)

type webFixture struct {
	*sts.Service
	iam    *iam.Service
	issuer *oidc.Issuer
	clock  *ids.FixedClock
}

func newWebFixture(t *testing.T) *webFixture {
	t.Helper()
	clock := &ids.FixedClock{T: epoch}
	a, err := app.Open(app.Options{Ephemeral: true, Clock: clock, IDs: &ids.Sequence{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	f := &webFixture{Service: a.STS, iam: a.IAM, issuer: a.Issuer, clock: clock}
	if _, err := f.iam.CreateOpenIDConnectProvider(ctx, acct, iam.CreateOpenIDConnectProviderInput{Url: idpURL, ClientIDList: []string{"app"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.iam.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "web", AssumeRolePolicyDocument: webTrust, MaxSessionDuration: 7200}); err != nil {
		t.Fatal(err)
	}
	return f
}

// token signs claims: iss, sub, aud, iat and exp as a valid token has
// them, changed by set (a nil value removes the claim).
func (f *webFixture) token(t *testing.T, set map[string]any) string {
	t.Helper()
	now := f.clock.Now().Unix()
	c := map[string]any{"iss": idpURL, "sub": "alice", "aud": "app", "iat": now, "exp": now + 600}
	for k, v := range set {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	s, err := f.issuer.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *webFixture) assume(tok string, edit ...func(*sts.AssumeRoleWithWebIdentityInput)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	in := sts.AssumeRoleWithWebIdentityInput{RoleArn: "arn:aws:iam::" + acct + ":role/web", RoleSessionName: "s1", WebIdentityToken: tok}
	for _, e := range edit {
		e(&in)
	}
	return f.AssumeRoleWithWebIdentity(ctx, "us-east-1", in)
}

func TestWebIdentityClaims(t *testing.T) {
	f := newWebFixture(t)
	out, err := f.assume(f.token(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if out.Provider != idpArn || out.Audience != "app" || out.SubjectFromWebIdentityToken != "alice" ||
		out.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/web/s1" || !out.Credentials.Expiration.Equal(epoch.Add(time.Hour)) {
		t.Errorf("answer %+v %+v", out, out.AssumedRoleUser)
	}
	// azp names the client when the token has one; aud may then be
	// another audience.
	if out, err := f.assume(f.token(t, map[string]any{"aud": []string{"other", "more"}, "azp": "app"})); err != nil || out.Audience != "app" {
		t.Errorf("azp: %+v %v", out, err)
	}
	// A source identity claim sets the session's.
	if out, err := f.assume(f.token(t, map[string]any{oidc.SourceIdentityClaim: "alice@example.com"})); err != nil || out.SourceIdentity != "alice@example.com" {
		t.Errorf("source identity: %+v %v", out, err)
	}

	const invalid = "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."
	const rejected = "The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid."
	now := epoch.Unix()
	for _, c := range []struct {
		name          string
		claims        map[string]any
		status        int
		code, message string
	}{
		{"no iss", map[string]any{"iss": nil}, 400, "InvalidIdentityToken", "Missing a required claim: iss"},
		{"another issuer", map[string]any{"iss": "https://other.example.com"}, 400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://other.example.com"},
		{"an issuer over http", map[string]any{"iss": "http://idp.example.com"}, 400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for http://idp.example.com"},
		{"no exp", map[string]any{"exp": nil}, 400, "InvalidIdentityToken", "Missing a required claim: exp"},
		{"exp not a number", map[string]any{"exp": "soon"}, 400, "InvalidIdentityToken", invalid},
		{"expired", map[string]any{"exp": now - 301}, 400, "ExpiredTokenException", "Token expired: current date/time " + itoa(now) + " must be before the expiration date/time " + itoa(now-301)},
		{"nbf ahead", map[string]any{"nbf": now + 301}, 400, "InvalidIdentityToken", invalid},
		{"iat ahead", map[string]any{"iat": now + 301}, 400, "InvalidIdentityToken", invalid},
		{"no aud", map[string]any{"aud": nil}, 400, "InvalidIdentityToken", "Missing a required claim: aud"},
		{"aud a number", map[string]any{"aud": 7}, 400, "InvalidIdentityToken", "Missing a required claim: aud"},
		{"another audience", map[string]any{"aud": []string{"x", "y"}}, 400, "InvalidIdentityToken", "Incorrect token audience"},
		{"azp another client", map[string]any{"azp": "x", "aud": "y"}, 400, "InvalidIdentityToken", "Incorrect token audience"},
		{"no sub", map[string]any{"sub": nil}, 400, "InvalidIdentityToken", "Missing a required claim: sub"},
		{"tags malformed", map[string]any{oidc.TagsClaim: "team=ci"}, 403, "IDPRejectedClaim", rejected},
		{"source identity not a string", map[string]any{oidc.SourceIdentityClaim: 7}, 403, "IDPRejectedClaim", rejected},
		{"another subject", map[string]any{"sub": "bob"}, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"tags the trust does not allow", map[string]any{oidc.TagsClaim: map[string]any{"principal_tags": map[string]any{"team": []string{"ci"}}}},
			403, "AccessDenied", "Not authorized to perform sts:TagSession"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.assume(f.token(t, c.claims))
			wantErr(t, err, c.status, c.code, c.message)
		})
	}
	// Exactly five minutes past exp is still in time.
	if _, err := f.assume(f.token(t, map[string]any{"exp": now - 300})); err != nil {
		t.Errorf("five minutes past exp: %v", err)
	}

	// The request's own checks.
	tok := f.token(t, nil)
	_, err = f.assume(tok, func(in *sts.AssumeRoleWithWebIdentityInput) { in.RoleArn = "arn:aws:iam::" + acct + ":role/none" })
	wantErr(t, err, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	_, err = f.assume(tok, func(in *sts.AssumeRoleWithWebIdentityInput) { in.RoleArn = "arn:aws:iam::" + other + ":role/web" })
	wantErr(t, err, 400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for "+idpURL)
	_, err = f.assume(tok, func(in *sts.AssumeRoleWithWebIdentityInput) { in.RoleArn = "not-an-arn" })
	wantErr(t, err, 400, "ValidationError", "not-an-arn is invalid")
	_, err = f.assume(tok, func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = i32(7201) })
	wantErr(t, err, 400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	_, err = f.assume(tok, func(in *sts.AssumeRoleWithWebIdentityInput) {
		in.PolicyArns = []string{"arn:aws:iam::" + acct + ":policy/none"}
	})
	wantErr(t, err, 404, "NoSuchEntity", "Policy arn:aws:iam::"+acct+":policy/none does not exist or is not attachable.")
	_, err = f.assume("not-a-token")
	wantErr(t, err, 400, "InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
