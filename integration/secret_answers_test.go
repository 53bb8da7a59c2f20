package integration

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/rolecalltest"
)

// TestSecretAnswersAreNotStored: rolecall's own endpoints that answer a
// credential (MFA codes, a web identity token, a SAML assertion, a state
// file with access keys' secrets) tell caches on the way to keep no copy,
// as the console's pages do.
func TestSecretAnswersAreNotStored(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	d := createMFADevice(t, root.iam, "frank")
	for _, c := range []struct {
		name, method, path, body string
	}{
		{"MFA codes", http.MethodGet, app.MFACodePath + "?" + url.Values{"serial": {d.serial}}.Encode(), ""},
		{"a web identity token", http.MethodPost, app.OIDCTokenPath, `{"sub":"repo:octo/app:ref:refs/heads/main","aud":["sts.amazonaws.com"]}`},
		{"a SAML assertion", http.MethodPost, app.SAMLAssertPath, `{"Provider":"rolecall","Role":"federated","Subject":"alice"}`},
		{"a state file", http.MethodGet, app.StatePath, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := rolecallRequest(t, rc, c.method, c.path, c.body, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"})
			defer resp.Body.Close()
			body := must(io.ReadAll(resp.Body))(t)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %s %s", c.method, c.path, resp.Status, body)
			}
			if got := resp.Header.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
				t.Errorf("%s answers Cache-Control %q, want no-store", c.path, got)
			}
		})
	}
}

// TestSAMLAssertionForAnotherAccountsProvider: an assertion in the name of
// another account's SAML provider (which that account's roles trust) is
// refused to a caller of this account, even its root: the provider is the
// other account's resource, and it has no resource-based policy.
func TestSAMLAssertionForAnotherAccountsProvider(t *testing.T) {
	rc := rolecalltest.RunT(t)
	samlSetup(t, rc)
	resp := rolecallRequest(t, rc, http.MethodPost, app.SAMLAssertPath, `{"Provider":"`+samlProviderArn+`","Role":"`+roleArn("federated")+`","Subject":"mallory"}`,
		aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "test"})
	defer resp.Body.Close()
	body := string(must(io.ReadAll(resp.Body))(t))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `"User: arn:aws:iam::111122223333:root is not authorized to perform: rolecall:AssertSAML on resource: `+samlProviderArn+
		` because no resource-based policy allows the rolecall:AssertSAML action"`) || strings.Contains(body, "SAMLAssertion") {
		t.Errorf("another account's provider: %s %s", resp.Status, body)
	}
}
