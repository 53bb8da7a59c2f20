package server

import (
	"net/http"
	"net/url"
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
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	case "same-origin", "none": // "none": the user typed the address
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err != nil || u.Host != r.Host // "null" has no host
}
