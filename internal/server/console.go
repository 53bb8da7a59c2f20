package server

import (
	"net/http"
	"strings"
)

// ConsolePrefix is where the web console's pages are.
const ConsolePrefix = "/console/"

// isConsole says whether r is for the web console: a path under
// ConsolePrefix (or /console itself), or a browser's bare GET / or HEAD /.
// No AWS API request is either: the query protocol posts its form to /
// (or gets / with an Action in the query string), signed, and the JSON
// protocols post with X-Amz-Target; an unsigned request with none of these
// names no operation.
func isConsole(r *http.Request) bool {
	if r.URL.Path == "/console" || strings.HasPrefix(r.URL.Path, ConsolePrefix) {
		return true
	}
	return r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.RawQuery == "" &&
		header(r, "Authorization") == "" && header(r, "X-Amz-Target") == ""
}
