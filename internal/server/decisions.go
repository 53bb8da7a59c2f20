package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
)

// DecisionsService is the credential scope's service of a request for the
// recorded decisions, and DecisionsAction the action a principal other
// than the account's root needs to read them (root may).
const (
	DecisionsService = "rolecall"
	DecisionsAction  = "rolecall:GetDecisions"
)

// serveDecisions answers the authorizer's recorded decisions:
//
//	GET /_rolecall/decisions/REQUEST_ID   one request's decision (404 if not kept)
//	GET /_rolecall/decisions?limit=N      the latest N (default 20), newest first
//
// `rolecall explain-denied` reads them. A decision names principals, user
// ids and request tags, so the request must be signed (SigV4, service
// "rolecall") by a principal the one authorizer lets perform
// rolecall:GetDecisions (an account's root may), and it sees the decisions
// of its own account only.
func (h *Handler) serveDecisions(w http.ResponseWriter, r *http.Request) {
	requestID := h.ids.UUID()
	p, aerr := h.auth.Authenticate(r.Context(), r, nil, DecisionsService)
	if aerr != nil {
		jsonrpc.WriteError(w, auth.JSONError(aerr), requestID)
		return
	}
	ctx := authz.WithMeta(r.Context(), authz.MetaOf(r, requestID))
	if _, err := h.authz.Decide(ctx, &authz.Request{Principal: p, Action: DecisionsAction, Access: authz.Acting(authz.Any())}); err != nil {
		jsonrpc.WriteError(w, awserr.As(err), requestID)
		return
	}
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
		writeJSON(w, http.StatusOK, map[string]any{"decisions": log.Recent(n, p.Account)})
		return
	}
	rec, ok := log.Get(id)
	if !ok || rec.Account != p.Account {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "no decision recorded for request " + id + " in account " + p.Account +
			" (rolecall keeps the latest decisions in memory; an older request, or one from before a restart, is gone: see --audit-log)"})
		return
	}
	writeJSON(w, http.StatusOK, rec)
}
