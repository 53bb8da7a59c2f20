package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/go-jose/go-jose/v4"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/rolecalltest"
)

// Web identity federation end to end: an IAM OIDC provider, a role that
// trusts it as GitHub Actions roles do, and tokens from rolecall's issuer
// exchanged by the Go SDK's own web identity credentials provider
// (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN), then every refusal with
// AWS's code, status and text.

const (
	githubProvider = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"
	// githubTrust is the trust policy GitHub's and AWS's guides give: the
	// audience, and the repository's subjects.
	githubTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Federated":"` + githubProvider + `"},
		"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
			"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:*"}}}]}`
	mainBranch = "repo:octo-org/octo-repo:ref:refs/heads/main"
)

// githubSetUp makes the provider and the role "deploy" that trusts it.
func githubSetUp(t *testing.T, rc *rolecalltest.Server) *iam.Client {
	t.Helper()
	c := iam.NewFromConfig(rc.Config)
	out := must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"}}))(t)
	if aws.ToString(out.OpenIDConnectProviderArn) != githubProvider {
		t.Fatalf("provider ARN %s", aws.ToString(out.OpenIDConnectProviderArn))
	}
	createRole(t, c, "deploy", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(githubTrust) })
	putRolePolicy(t, c, "deploy", allowIAMRead)
	return c
}

func token(t *testing.T, rc *rolecalltest.Server, r rolecalltest.TokenRequest) string {
	t.Helper()
	return must(rc.WebIdentityToken(ctx, r))(t)
}

// TestWebIdentityGitHubActions: the SDK's default chain, given only the
// two variables a GitHub Actions job (or an EKS pod) sets, assumes the
// role, and the session acts as it.
func TestWebIdentityGitHubActions(t *testing.T) {
	rc := rolecalltest.RunT(t)
	githubSetUp(t, rc)
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte(token(t, rc, rolecalltest.TokenRequest{Preset: "github", Subject: mainBranch})), 0o600); err != nil {
		t.Fatal(err)
	}
	// Nothing of the developer's may take part.
	for k, v := range map[string]string{
		"AWS_WEB_IDENTITY_TOKEN_FILE": file, "AWS_ROLE_ARN": roleArn("deploy"), "AWS_ROLE_SESSION_NAME": "gha-run-1",
		"AWS_ENDPOINT_URL": rc.Endpoint, "AWS_ENDPOINT_URL_STS": rc.Endpoint, "AWS_REGION": "us-east-1",
		"AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := must(sts.NewFromConfig(cfg).GetCallerIdentity(ctx, nil))(t)
	if got := aws.ToString(id.Arn); got != "arn:aws:sts::000000000000:assumed-role/deploy/gha-run-1" {
		t.Errorf("caller %s", got)
	}
	role := must(iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")}))(t).Role
	if role.RoleLastUsed == nil || role.RoleLastUsed.LastUsedDate == nil {
		t.Errorf("RoleLastUsed %+v", role.RoleLastUsed)
	}
}

// TestWebIdentityAnswer: what AssumeRoleWithWebIdentity answers besides
// the credentials.
func TestWebIdentityAnswer(t *testing.T) {
	rc := rolecalltest.RunT(t)
	githubSetUp(t, rc)
	out := must(sts.NewFromConfig(rc.Config).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleArn("deploy")), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900),
		WebIdentityToken: aws.String(token(t, rc, rolecalltest.TokenRequest{Preset: "github", Subject: mainBranch}))}))(t)
	if aws.ToString(out.SubjectFromWebIdentityToken) != mainBranch || aws.ToString(out.Audience) != "sts.amazonaws.com" ||
		aws.ToString(out.Provider) != githubProvider || aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/deploy/s1" ||
		out.PackedPolicySize != nil || out.SourceIdentity != nil {
		t.Errorf("answer %+v %+v", out, out.AssumedRoleUser)
	}
	if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d > 15*time.Minute || d < 14*time.Minute {
		t.Errorf("expires in %v, want 15m", d)
	}
}

// TestWebIdentityRefusals: each token STS refuses, with AWS's answer.
func TestWebIdentityRefusals(t *testing.T) {
	clock := &ids.FixedClock{T: time.Now().UTC().Truncate(time.Second)}
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	githubSetUp(t, rc)
	good := token(t, rc, rolecalltest.TokenRequest{Preset: "github", Subject: mainBranch})
	st := sts.NewFromConfig(rc.Config)
	assume := func(tok string) error {
		_, err := st.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(roleArn("deploy")), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tok)})
		return err
	}
	for _, c := range []struct {
		name, token   string
		status        int
		code, message string
	}{
		{"another repository", token(t, rc, rolecalltest.TokenRequest{Preset: "github", Subject: "repo:octo-org/other:ref:refs/heads/main"}),
			403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"another audience", token(t, rc, rolecalltest.TokenRequest{Preset: "github", Subject: mainBranch, Audience: []string{"https://github.com/octo-org"}}),
			400, "InvalidIdentityToken", "Incorrect token audience"},
		{"unknown issuer", token(t, rc, rolecalltest.TokenRequest{Preset: "gitlab", Subject: "project_path:octo-org/octo-repo:ref_type:branch:ref:main"}),
			400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://gitlab.com"},
		{"tampered", tampered(t, good),
			400, "InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."},
		{"not a JWT", "not-a-jwt",
			400, "InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"},
		{"expired", token(t, rc, rolecalltest.TokenRequest{Preset: "github", Subject: mainBranch, Lifetime: -time.Hour}),
			400, "ExpiredTokenException", fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", clock.Now().Unix(), clock.Now().Unix()-3600)},
	} {
		t.Run(c.name, func(t *testing.T) { wantErr(t, assume(c.token), c.status, c.code, c.message) })
	}

	// IAM allows five minutes past exp for clocks that differ; not six.
	clock.Advance(time.Hour + 4*time.Minute)
	if err := assume(good); err != nil {
		t.Fatalf("four minutes past exp: %v", err)
	}
	clock.Advance(2 * time.Minute)
	exp := clock.Now().Unix() - 6*60
	wantErr(t, assume(good), 400, "ExpiredTokenException", fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", clock.Now().Unix(), exp))
}

// tampered changes the payload's subject, keeping the signature.
func tampered(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(b), "octo-org/octo-repo", "octo-org/octo-rep0", 1)))
	return strings.Join(parts, ".")
}

// TestWebIdentityRealIssuer: a token of an issuer other than rolecall's is
// verified with the keys the issuer publishes through its discovery
// document, fetched over TLS; an issuer that cannot be reached, or that
// lacks the token's key, is answered as AWS answers.
func TestWebIdentityRealIssuer(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	idp := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, "https://"+r.Host, "https://"+r.Host+"/jwks")
		case "/jwks":
			json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "idp-1", Algorithm: "ES256", Use: "sig"}}})
		default:
			http.NotFound(w, r)
		}
	}))
	defer idp.Close()
	rc := rolecalltest.RunT(t, rolecalltest.WithOIDCClient(idp.Client()))
	c := iam.NewFromConfig(rc.Config)
	provider := aws.ToString(must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(idp.URL), ClientIDList: []string{"my-app"}}))(t).OpenIDConnectProviderArn)
	name := strings.TrimPrefix(idp.URL, "https://")
	createRole(t, c, "app", func(in *iam.CreateRoleInput) {
		in.AssumeRolePolicyDocument = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},
			"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + name + `:sub":"user-1"}}}]}`)
	})
	sign := func(kid string, claims map[string]any) string {
		t.Helper()
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(claims)
		jws, err := s.Sign(b)
		if err != nil {
			t.Fatal(err)
		}
		return must(jws.CompactSerialize())(t)
	}
	now := time.Now().Unix()
	claims := func(sub string) map[string]any {
		return map[string]any{"iss": idp.URL, "sub": sub, "aud": "my-app", "iat": now, "exp": now + 600}
	}
	st := sts.NewFromConfig(rc.Config)
	assume := func(tok string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return st.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tok)})
	}
	out := must(assume(sign("idp-1", claims("user-1"))))(t)
	if aws.ToString(out.Provider) != provider || aws.ToString(out.SubjectFromWebIdentityToken) != "user-1" {
		t.Errorf("answer %+v", out)
	}
	_, err = assume(sign("idp-1", claims("user-2")))
	wantErr(t, err, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	_, err = assume(sign("rotated-away", claims("user-1")))
	wantErr(t, err, 400, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")

	// Unreachable: another rolecall, which has never fetched its keys.
	idp.Close()
	rc2 := rolecalltest.RunT(t, rolecalltest.WithOIDCClient(idp.Client()))
	must(iam.NewFromConfig(rc2.Config).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(idp.URL), ClientIDList: []string{"my-app"}}))(t)
	_, err = sts.NewFromConfig(rc2.Config, func(o *sts.Options) { o.RetryMaxAttempts = 1 }).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(sign("idp-1", claims("user-1")))})
	wantErr(t, err, 400, "IDPCommunicationError", "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached. This is often a transient error caused by network conditions. Retry the request a limited number of times and wait between attempts to avoid network overload.")
}

// TestWebIdentitySessionTags: the token's https://aws.amazon.com/tags
// claim tags the session, when the trust policy allows sts:TagSession;
// the role's policies then read them as aws:PrincipalTag.
func TestWebIdentitySessionTags(t *testing.T) {
	rc := rolecalltest.RunT(t)
	c := githubSetUp(t, rc)
	putRolePolicy(t, c, "deploy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*",
		"Condition":{"StringEquals":{"aws:PrincipalTag/team":"platform"}}}]}`)
	tags := map[string]any{"https://aws.amazon.com/tags": map[string]any{
		"principal_tags": map[string]any{"team": []string{"platform"}}, "transitive_tag_keys": []string{"team"}}}
	tok := token(t, rc, rolecalltest.TokenRequest{Preset: "github", Subject: mainBranch, Claims: tags})
	st := sts.NewFromConfig(rc.Config)
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleArn("deploy")), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tok)}
	_, err := st.AssumeRoleWithWebIdentity(ctx, in)
	wantErr(t, err, 403, "AccessDenied", "Not authorized to perform sts:TagSession")

	must(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deploy"),
		PolicyDocument: aws.String(strings.Replace(githubTrust, `"sts:AssumeRoleWithWebIdentity"`, `["sts:AssumeRoleWithWebIdentity","sts:TagSession"]`, 1))}))(t)
	out := must(st.AssumeRoleWithWebIdentity(ctx, in))(t)
	if aws.ToInt32(out.PackedPolicySize) < 1 {
		t.Errorf("PackedPolicySize %v", out.PackedPolicySize)
	}
	session := sessionClients(rc.Config, nil, out.Credentials)
	must(session.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")}))(t)
}

// TestWebIdentityFederatedProvider: the session of a role assumed with a
// web identity carries aws:FederatedProvider, the IAM OIDC provider's ARN,
// so the role's policies can tell which identity provider it came from.
func TestWebIdentityFederatedProvider(t *testing.T) {
	rc := rolecalltest.RunT(t)
	c := githubSetUp(t, rc)
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("only-github"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*",
			"Condition":{"StringNotEquals":{"aws:FederatedProvider":"` + githubProvider + `"}}},
			{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*",
			"Condition":{"StringEquals":{"aws:FederatedProvider":"` + githubProvider + `"}}}]}`)}))(t)
	out := must(sts.NewFromConfig(rc.Config).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleArn("deploy")), RoleSessionName: aws.String("s1"),
		WebIdentityToken: aws.String(token(t, rc, rolecalltest.TokenRequest{Preset: "github", Subject: mainBranch}))}))(t)
	session := iam.NewFromConfig(withCreds(rc.Config, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)))
	must(session.ListRoles(ctx, &iam.ListRolesInput{}))(t)
	_, err := session.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::000000000000:assumed-role/deploy/s1 is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::000000000000:user/ with an explicit deny in an identity-based policy")
}

// TestWebIdentityProviderMustExist: a trust policy's Federated principal
// that is an IAM provider ARN must name a provider that exists, as a user
// or role ARN must; the check cannot be turned into a way in: another
// account's provider ARN in a role's trust lets no token in (STS looks
// for the provider in the role's account), and a deleted provider leaves
// its roles in place, trusting no one until it is created again.
func TestWebIdentityProviderMustExist(t *testing.T) {
	rc := rolecalltest.RunT(t)
	c := iam.NewFromConfig(rc.Config)
	trustSAML := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + account + `:saml-provider/nope"},"Action":"sts:AssumeRoleWithSAML"}]}`
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"), AssumeRolePolicyDocument: aws.String(githubTrust)})
	wantErr(t, err, 400, "MalformedPolicyDocument", `Invalid principal in policy: "FEDERATED":"`+githubProvider+`"`)
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("sso"), AssumeRolePolicyDocument: aws.String(trustSAML)})
	wantErr(t, err, 400, "MalformedPolicyDocument", `Invalid principal in policy: "FEDERATED":"arn:aws:iam::`+account+`:saml-provider/nope"`)
	// A domain name is no IAM entity: nothing to find.
	createRole(t, c, "cognito", func(in *iam.CreateRoleInput) {
		in.AssumeRolePolicyDocument = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`)
	})

	githubSetUp(t, rc)
	st := sts.NewFromConfig(rc.Config)
	good := token(t, rc, rolecalltest.TokenRequest{Preset: "github", Subject: mainBranch})
	assume := func(role string) error {
		_, err := st.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(good)})
		return err
	}
	if err := assume(roleArn("deploy")); err != nil {
		t.Fatalf("with the provider: %v", err)
	}

	// Another account names this account's provider: its role is made
	// (the provider exists), and lets no GitHub token in, since that
	// account has no provider of its own for the issuer; a provider this
	// account does not have is refused as here.
	other := iam.NewFromConfig(withCreds(rc.Config, partner, "test", ""))
	must(other.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("borrowed"), AssumeRolePolicyDocument: aws.String(githubTrust)}))(t)
	wantErr(t, assume("arn:aws:iam::"+partner+":role/borrowed"), 400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com")
	gitlab := "arn:aws:iam::" + account + ":oidc-provider/gitlab.com"
	_, err = other.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gitlab"), AssumeRolePolicyDocument: aws.String(strings.ReplaceAll(githubTrust, githubProvider, gitlab))})
	wantErr(t, err, 400, "MalformedPolicyDocument", `Invalid principal in policy: "FEDERATED":"`+gitlab+`"`)

	// The provider deleted: the role and its trust stay as written, the
	// token finds no provider, and the trust cannot be written again
	// until the provider is back, which lets the token in again.
	must(c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(githubProvider)}))(t)
	doc := must(url.QueryUnescape(aws.ToString(must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")}))(t).Role.AssumeRolePolicyDocument)))(t)
	if !strings.Contains(doc, `"Federated":"`+githubProvider+`"`) {
		t.Errorf("the trust policy after the provider was deleted: %s", doc)
	}
	wantErr(t, assume(roleArn("deploy")), 400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com")
	_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deploy"), PolicyDocument: aws.String(githubTrust)})
	wantErr(t, err, 400, "MalformedPolicyDocument", `Invalid principal in policy: "FEDERATED":"`+githubProvider+`"`)
	must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"}}))(t)
	if err := assume(roleArn("deploy")); err != nil {
		t.Errorf("with the provider made again: %v", err)
	}
}
