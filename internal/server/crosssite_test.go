package server

import (
	"net/http"
	"strings"
	"testing"
)

// A browser's request from another site's page (an <img> whose URL is a
// query-API request, presigned with the public test/test credentials, or
// a form posted to a rolecall endpoint) is refused; SDKs, the CLI and the
// console's own pages are not.
func TestCrossSiteRequests(t *testing.T) {
	h := testHandler()
	h.console = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("console")) })
	const getRole = "/?Action=GetRole&RoleName=app&Version=2010-05-08"
	for _, tc := range []struct {
		name, method, target string
		headers              []string
		refused              bool
	}{
		{"sdk", "GET", getRole, nil, false},
		{"address bar", "GET", getRole, []string{"Sec-Fetch-Site", "none"}, false},
		{"same origin", "POST", "/", []string{"Sec-Fetch-Site", "same-origin", "Origin", "http://example.com"}, false},
		{"img from another site", "GET", getRole, []string{"Sec-Fetch-Site", "cross-site"}, true},
		{"another port of localhost", "GET", getRole, []string{"Sec-Fetch-Site", "same-site"}, true},
		{"form from another site", "POST", "/", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://attacker.example"}, true},
		{"old browser's form", "POST", "/", []string{"Origin", "https://attacker.example"}, true},
		{"sandboxed page", "POST", "/", []string{"Origin", "null"}, true},
		{"rolecall endpoint", "POST", "/_rolecall/health", []string{"Sec-Fetch-Site", "cross-site"}, true},
		{"link to the console", "GET", "/console/", []string{"Sec-Fetch-Site", "cross-site"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, h, tc.method, tc.target, "Action=GetRole&RoleName=app&Version=2010-05-08", tc.headers...)
			refused := status == http.StatusForbidden && strings.Contains(body, "<Code>CrossSiteRequest</Code>") &&
				strings.Contains(body, "A web browser sent this request from a page of another site: rolecall&#39;s API answers AWS clients, not web pages")
			if refused != tc.refused {
				t.Errorf("%d %s", status, body)
			}
		})
	}
}
