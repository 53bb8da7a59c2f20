package server

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// fromOtherSite says whether a browser sent r from a page of another site
// (or origin): its Sec-Fetch-Site (sent by every current browser, never by
// an AWS SDK or CLI) says so, or, from a browser without it, an Origin
// that is not this server's. The API refuses such requests: the default
// credentials (test/test) are public, so any web page could otherwise
// presign a query-API request with them and have a visitor's browser send
// it (an <img> is enough), as rolecall's root. The console has its own
// guards (its session cookie is SameSite=Strict, its forms carry a CSRF
// token), and a link from another site to it must still open it.
func fromOtherSite(r *http.Request) bool {
	switch header(r, "Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	case "same-origin", "none": // "none": the user typed the address
		return false
	}
	o := header(r, "Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err != nil || u.Host != r.Host // "null" has no host
}

// fromBrowser says whether a web browser sent r: browsers send Sec-Fetch-*
// or Origin headers, and name themselves Mozilla/...; AWS SDKs, the CLI and
// Terraform do none of these.
func fromBrowser(r *http.Request) bool {
	return header(r, "Sec-Fetch-Site") != "" || header(r, "Sec-Fetch-Mode") != "" || header(r, "Origin") != "" ||
		strings.HasPrefix(header(r, "User-Agent"), "Mozilla/")
}

// hostAllowed says whether a browser may reach rolecall by the name in a
// request's Host header. A page of another site can make its own name
// resolve to 127.0.0.1 (DNS rebinding): the browser then treats rolecall
// as that page's origin, and the page could sign in with the public
// test/test keys. An IP address or localhost cannot be rebound; any other
// name must be one the operator gave (serve --allowed-hosts).
func (h *Handler) hostAllowed(host string) bool {
	name := host
	if n, _, err := net.SplitHostPort(host); err == nil {
		name = n
	}
	name = strings.TrimSuffix(strings.ToLower(strings.Trim(name, "[]")), ".")
	if net.ParseIP(name) != nil || name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	return slices.Contains(h.allowedHosts, name)
}
