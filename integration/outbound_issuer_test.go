package integration

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rolecall/rolecall/rolecalltest"
)

// TestOutboundIssuerPublishesPublicKeysOnly: what anyone may fetch of an
// account's outbound issuer, unsigned, is its discovery document and the
// public halves of its keys; a path that climbs out of the issuer, a
// method other than GET or HEAD, an issuer ID no account has, are refused
// without reaching another issuer.
func TestOutboundIssuerPublishesPublicKeysOnly(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	issuer := aws.ToString(must(root.iam.EnableOutboundWebIdentityFederation(ctx, nil))(t).IssuerIdentifier)
	_, jwks := fetchIssuer(t, issuer)
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(jwks, &set); err != nil || len(set.Keys) != 2 {
		t.Fatalf("key set %s: %v", jwks, err)
	}
	for _, k := range set.Keys {
		// RFC 7518, sections 6.2.2 and 6.3.2: the private key members.
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth"} {
			if _, ok := k[private]; ok {
				t.Errorf("the published key %v has the private member %q", k["kid"], private)
			}
		}
	}
	id := issuer[strings.LastIndex(issuer, "/")+1:]
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/outbound/" + id + "/.well-known/jwks.json", http.StatusMethodNotAllowed},
		{http.MethodGet, "/outbound/" + id + "/../" + id + "/.well-known/jwks.json", http.StatusNotFound},
		{http.MethodGet, "/outbound/../.well-known/jwks.json", http.StatusNotFound},
		{http.MethodGet, "/outbound//.well-known/jwks.json", http.StatusNotFound},
		{http.MethodGet, "/outbound/" + id + "x/.well-known/jwks.json", http.StatusNotFound},
		{http.MethodGet, "/outbound/" + id + "/.well-known/jwks.json/", http.StatusNotFound},
	} {
		req := must(http.NewRequestWithContext(ctx, c.method, rc.IssuerEndpoint+c.path, nil))(t)
		// Sent as written: the client does not clean the path.
		req.URL.Opaque = c.path
		resp := must(http.DefaultClient.Do(req))(t)
		body := must(io.ReadAll(resp.Body))(t)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %s %s, want %d", c.method, c.path, resp.Status, body, c.status)
		}
	}
}
