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
		{"same origin", "POST", "/", []string{"Sec-Fetch-Site", "same-origin", "Origin", "http://127.0.0.1:4566", "Host", "127.0.0.1:4566"}, false},
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

// A web page can make its own name resolve to 127.0.0.1 (DNS rebinding):
// the browser then sends it to rolecall as that page's origin, and the
// page could sign requests with test/test. A browser must name rolecall
// by an IP address, localhost, or a name given to --allowed-hosts;
// SDKs and the CLI, which a page cannot drive, may use any name (a
// compose service's, a container's).
func TestBrowserHostNames(t *testing.T) {
	h := testHandler()
	h.console = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("console")) })
	h.allowedHosts = []string{"rolecall.internal"}
	const getRole = "/?Action=GetRole&RoleName=app&Version=2010-05-08"
	browser := []string{"Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors"}
	for _, tc := range []struct {
		name, target string
		headers      []string
		refused      bool
	}{
		{"rebound name", getRole, append([]string{"Host", "attacker.example:4566"}, browser...), true},
		{"rebound name, console", "/console/", append([]string{"Host", "attacker.example:4566"}, browser...), true},
		{"old browser", getRole, []string{"Host", "attacker.example", "User-Agent", "Mozilla/5.0"}, true},
		{"loopback address", getRole, append([]string{"Host", "127.0.0.1:4566"}, browser...), false},
		{"IPv6 loopback", "/console/", append([]string{"Host", "[::1]:4566"}, browser...), false},
		{"localhost", "/console/", append([]string{"Host", "LocalHost:4566"}, browser...), false},
		{"a .localhost name", "/console/", append([]string{"Host", "rolecall.localhost"}, browser...), false},
		{"allowed name", "/console/", append([]string{"Host", "Rolecall.Internal.:4566"}, browser...), false},
		{"sdk by a compose name", getRole, []string{"Host", "rolecall:4566", "User-Agent", "aws-sdk-go-v2/1.48.0"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, h, "GET", tc.target, "", tc.headers...)
			refused := status == http.StatusForbidden && strings.Contains(body, "<Code>HostNotAllowed</Code>") &&
				strings.Contains(body, "rolecall serve --allowed-hosts")
			if refused != tc.refused {
				t.Errorf("%d %s", status, body)
			}
		})
	}
}

// ServeHTTP asks fromOtherSite only of a request fromBrowser: every
// request from another site must be one from a browser.
func TestOtherSiteIsBrowser(t *testing.T) {
	for _, site := range []string{"", "cross-site", "same-site", "same-origin", "none", "other"} {
		for _, origin := range []string{"", "null", "https://attacker.example", "http://127.0.0.1:4566", "%zz"} {
			r, _ := http.NewRequest("GET", "http://127.0.0.1:4566/", nil)
			if site != "" {
				r.Header.Set("Sec-Fetch-Site", site)
			}
			if origin != "" {
				r.Header.Set("Origin", origin)
			}
			if fromOtherSite(r) && !fromBrowser(r) {
				t.Errorf("Sec-Fetch-Site %q, Origin %q: from another site, not from a browser", site, origin)
			}
		}
	}
}
