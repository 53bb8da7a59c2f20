package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// Identity providers: the list, Add provider (OIDC and SAML), a
// provider's page and Delete, each the API's call.
func TestIdentityProviders(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn(t, "test", "test")
	_, body := b.get("/console/iam/providers")
	has(t, body, "Identity providers <span class=\"count\">(0)</span>", "No resources to display.", `href="/console/iam/providers" aria-current="page"`)

	_, body = b.get("/console/iam/providers/create")
	has(t, body, "Provider URL", "Audience", "OpenID Connect", "SAML")
	status, body := b.post("/console/iam/providers/create", url.Values{"type": {"oidc"}, "url": {"http://accounts.example.com"}, "audience": {"app"}})
	if status != http.StatusBadRequest {
		t.Errorf("an http URL: %d", status)
	}
	has(t, body, "ValidationError: Invalid Open ID Connect Provider URL", `value="http://accounts.example.com"`)
	_, body = b.post("/console/iam/providers/create", url.Values{"type": {"oidc"}, "url": {"https://token.actions.githubusercontent.com"}, "audience": {"sts.amazonaws.com"}})
	has(t, body, "Provider token.actions.githubusercontent.com added.", githubProvider, "<code>sts.amazonaws.com</code>", "OpenID Connect")

	_, body = b.get("/console/iam/providers/create?type=saml")
	has(t, body, "Provider name", "Metadata document")
	_, body = b.post("/console/iam/providers/create", url.Values{"type": {"saml"}, "name": {"corp"}, "metadata": {e.samlMetadata(t)}})
	has(t, body, "Provider corp added.", samlProvider, "Metadata document", "EntityDescriptor", "Valid until")
	must(e.iam.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{SAMLProviderArn: aws.String(samlProvider), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}}))(t)
	_, body = b.get("/console/iam/providers/details?arn=" + url.QueryEscape(samlProvider))
	has(t, body, "<td>team</td><td>platform</td>")

	_, body = b.get("/console/iam/providers")
	has(t, body, `<tr data-provider="corp">`, `<td>SAML</td>`, `<tr data-provider="token.actions.githubusercontent.com">`, `<td>OpenID Connect</td>`)

	// Delete asks for the name.
	_, body = b.post("/console/iam/providers/delete", url.Values{"arn": {samlProvider}, "confirm": {"cor"}})
	has(t, body, "Enter the provider name exactly to confirm its deletion.")
	_, body = b.post("/console/iam/providers/delete", url.Values{"arn": {samlProvider}, "confirm": {"corp"}})
	has(t, body, "Provider corp deleted.")
	hasNot(t, body, `data-provider="corp"`)
	if out := must(e.iam.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{}))(t); len(out.SAMLProviderList) != 0 {
		t.Errorf("SAML providers left: %d", len(out.SAMLProviderList))
	}
}

// A user who may not list or add providers sees the console's permission
// message, with the action and the resource; forged forms do nothing.
func TestIdentityProvidersDenied(t *testing.T) {
	e := newEnv(t)
	e.oidcProvider(t, "https://token.actions.githubusercontent.com", "sts.amazonaws.com")
	keyID, secret := e.user(t, "viewer", "iam:ListSAMLProviders")
	b := e.signedIn(t, keyID, secret)
	status, body := b.get("/console/iam/providers")
	if status != http.StatusForbidden {
		t.Errorf("list: %d", status)
	}
	has(t, body, "You need permissions", "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:ListOpenIDConnectProviders on resource: *")
	_, body = b.get("/console/iam/providers/details?arn=" + url.QueryEscape(githubProvider))
	has(t, body, "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:GetOpenIDConnectProvider on resource: "+githubProvider)
	_, body = b.post("/console/iam/providers/create", url.Values{"type": {"oidc"}, "url": {"https://accounts.example.com"}, "audience": {"app"}})
	has(t, body, "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:CreateOpenIDConnectProvider on resource: arn:aws:iam::"+account+":oidc-provider/accounts.example.com")
	_, body = b.post("/console/iam/providers/delete", url.Values{"arn": {githubProvider}, "confirm": {"token.actions.githubusercontent.com"}})
	has(t, body, "iam:DeleteOpenIDConnectProvider on resource: "+githubProvider)

	root := e.signedIn(t, "test", "test")
	root.refusesForgery("/console/iam/providers/delete", url.Values{"arn": {githubProvider}, "confirm": {"token.actions.githubusercontent.com"}})
	root.refusesForgery("/console/iam/providers/create", url.Values{"type": {"oidc"}, "url": {"https://accounts.example.com"}, "audience": {"app"}})
	if out := must(e.iam.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}))(t); len(out.OpenIDConnectProviderList) != 1 {
		t.Errorf("OIDC providers: %d", len(out.OpenIDConnectProviderList))
	}
}
