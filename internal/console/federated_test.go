package console_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/internal/app"
)

const (
	githubProvider = "arn:aws:iam::" + account + ":oidc-provider/token.actions.githubusercontent.com"
	samlProvider   = "arn:aws:iam::" + account + ":saml-provider/corp"
)

// oidcProvider adds an OIDC provider of url with audiences.
func (e *env) oidcProvider(t testing.TB, url string, audiences ...string) {
	t.Helper()
	must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(url), ClientIDList: audiences,
		ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}}))(t)
}

// samlMetadata is the metadata document of rolecall's own identity
// provider.
func (e *env) samlMetadata(t testing.TB) string {
	t.Helper()
	resp, err := http.Get(e.srv.URL + app.SAMLMetadataPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func (e *env) samlProvider(t testing.TB, name string) {
	t.Helper()
	must(e.iam.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String(name), SAMLMetadataDocument: aws.String(e.samlMetadata(t))}))(t)
}

// trustOf is a role's trust policy, compact.
func (e *env) trustOf(t testing.TB, role string) string {
	t.Helper()
	doc, _ := url.QueryUnescape(aws.ToString(e.getRole(t, role).Role.AssumeRolePolicyDocument))
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil {
		t.Fatalf("trust policy of %s: %v\n%s", role, err, doc)
	}
	return b.String()
}

// Create role with Web identity: the account's OIDC providers and their
// audiences, GitHub's organization, repository and branch, and the trust
// policy the console writes, created through CreateRole.
func TestCreateRoleWebIdentity(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn(t, "test", "test")
	_, body := b.get("/console/iam/roles/create?type=webidentity")
	has(t, body, "This account has no OpenID Connect providers")

	e.oidcProvider(t, "https://token.actions.githubusercontent.com", "sts.amazonaws.com")
	e.oidcProvider(t, "https://accounts.example.com", "client-1", "client-2")
	_, body = b.get("/console/iam/roles/create?type=webidentity")
	has(t, body, `<option value="`+githubProvider+`">token.actions.githubusercontent.com</option>`, ">accounts.example.com</option>")
	hasNot(t, body, `id="audience"`, `id="github"`)
	_, body = b.get("/console/iam/roles/create?type=webidentity&provider=arn:aws:iam::" + account + ":oidc-provider/accounts.example.com")
	has(t, body, `<option value="client-1">client-1</option>`, `<option value="client-2">client-2</option>`)
	hasNot(t, body, `id="github"`)

	gh := "/console/iam/roles/create?type=webidentity&provider=" + url.QueryEscape(githubProvider) + "&audience=sts.amazonaws.com"
	_, body = b.get(gh)
	has(t, body, `id="github"`, "GitHub organization", "GitHub repository", "GitHub branch")
	_, body = b.get(gh + "&step=2")
	has(t, body, "Enter a GitHub organization.")
	_, body = b.get("/console/iam/roles/create?type=webidentity&provider=" + url.QueryEscape(githubProvider) + "&step=2")
	has(t, body, "Choose an audience.")
	_, body = b.get(gh + "&gh_org=octo-org&gh_repo=octo-repo&gh_branch=main&step=3")
	has(t, body, `"Federated": "`+githubProvider+`"`, `"Action": "sts:AssumeRoleWithWebIdentity"`,
		`"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"`,
		`"StringLike": {`, `"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:ref:refs/heads/main"`)
	_, body = b.get(gh + "&gh_org=octo-org&step=3")
	has(t, body, `"token.actions.githubusercontent.com:sub": "repo:octo-org/*:*"`)

	form := url.Values{"type": {"webidentity"}, "provider": {githubProvider}, "audience": {"sts.amazonaws.com"}, "gh_org": {"octo-org"}, "gh_repo": {"octo-repo"}, "name": {"deploy"}}
	_, body = b.post("/console/iam/roles/create", form)
	has(t, body, "Role deploy created.")
	trust := e.trustOf(t, "deploy")
	has(t, trust, `"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:*"`, `"Federated":"`+githubProvider+`"`)

	// Another provider's audience, without GitHub's helper.
	_, body = b.get("/console/iam/roles/create?type=webidentity&provider=arn:aws:iam::" + account + ":oidc-provider/accounts.example.com&audience=client-2&step=3")
	has(t, body, `"accounts.example.com:aud": "client-2"`)
	hasNot(t, body, "StringLike")
}

// Create role with SAML 2.0 federation: the account's SAML providers,
// programmatic access only or with console access (SAML:aud AWS's
// sign-in endpoint).
func TestCreateRoleSAML(t *testing.T) {
	e := newEnv(t)
	e.samlProvider(t, "corp")
	b := e.signedIn(t, "test", "test")
	_, body := b.get("/console/iam/roles/create?type=saml")
	has(t, body, `<option value="`+samlProvider+`">corp</option>`, "Allow programmatic access only", "Allow programmatic and AWS Management Console access")
	_, body = b.get("/console/iam/roles/create?type=saml&provider=" + url.QueryEscape(samlProvider) + "&saml_access=console&step=3")
	has(t, body, `"Federated": "`+samlProvider+`"`, `"Action": "sts:AssumeRoleWithSAML"`, `"SAML:aud": "https://signin.aws.amazon.com/saml"`)
	_, body = b.get("/console/iam/roles/create?type=saml&provider=" + url.QueryEscape(samlProvider) + "&saml_access=programmatic&saml_attr=SAML:sub&saml_value=alice&step=3")
	has(t, body, `"SAML:sub": "alice"`)
	hasNot(t, body, "signin.aws.amazon.com")
	_, body = b.get("/console/iam/roles/create?type=saml&provider=" + url.QueryEscape(samlProvider) + "&saml_access=programmatic&saml_attr=SAML:sub&step=2")
	has(t, body, "Choose an attribute and enter its value.")

	_, body = b.post("/console/iam/roles/create", url.Values{"type": {"saml"}, "provider": {samlProvider}, "saml_access": {"console"}, "name": {"corp-admins"}})
	has(t, body, "Role corp-admins created.")
	trust := e.trustOf(t, "corp-admins")
	has(t, trust, `"SAML:aud":"https://signin.aws.amazon.com/saml"`, `"Action":"sts:AssumeRoleWithSAML"`)
}

// A user who may not list the providers sees the console's permission
// message on the wizard's step; one who may not create the role sees it
// on Create role; a form without the session's CSRF token creates
// nothing.
func TestCreateFederatedRoleDenied(t *testing.T) {
	e := newEnv(t)
	e.samlProvider(t, "corp")
	keyID, secret := e.user(t, "viewer", "iam:ListPolicies")
	b := e.signedIn(t, keyID, secret)
	status, body := b.get("/console/iam/roles/create?type=saml")
	if status != http.StatusForbidden {
		t.Errorf("list SAML providers: %d", status)
	}
	has(t, body, "You need permissions", "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:ListSAMLProviders on resource: *")
	_, body = b.get("/console/iam/roles/create?type=webidentity")
	has(t, body, "iam:ListOpenIDConnectProviders")
	form := url.Values{"type": {"saml"}, "provider": {samlProvider}, "saml_access": {"console"}, "name": {"corp-admins"}}
	_, body = b.post("/console/iam/roles/create", form)
	has(t, body, "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::"+account+":role/corp-admins")

	root := e.signedIn(t, "test", "test")
	root.refusesForgery("/console/iam/roles/create", form)
	if _, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("corp-admins")}); err == nil {
		t.Error("a forged form created the role")
	}
}
