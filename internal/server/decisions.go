package server

import (
	"net/http"
	"strconv"
	"strings"
)

// serveDecisions answers the authorizer's recorded decisions:
//
//	GET /_rolecall/decisions/REQUEST_ID   one request's decision (404 if not kept)
//	GET /_rolecall/decisions?limit=N      the latest N (default 20), newest first
//
// `rolecall explain-denied REQUEST_ID` reads the first. Like health, these
// need no signature: they serve a developer on the same machine.
func (h *Handler) serveDecisions(w http.ResponseWriter, r *http.Request) {
	log := h.authz.Audit()
	if log == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "authorization decisions are not recorded (--enforce=off)"})
		return
	}
	id := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/_rolecall/decisions"), "/")
	if id == "" {
		n := 20
		if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v > 0 {
			n = v
		}
		writeJSON(w, http.StatusOK, map[string]any{"decisions": log.Recent(n)})
		return
	}
	rec, ok := log.Get(id)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "no decision recorded for request " + id + " (rolecall keeps the latest decisions in memory; an older request, or one from before a restart, is gone: see --audit-log)"})
		return
	}
	writeJSON(w, http.StatusOK, rec)
}
