package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/imds"
	"github.com/rolecall/rolecall/internal/leniency"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/server"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/sts"
)

// Reset forgets state, so that a test suite can start each test afresh,
// as moto's and LocalStack's users do:
//
//	POST /_rolecall/reset                every account's state
//	POST /_rolecall/reset?account=ID     one account's state
//	POST /moto-api/reset                 the same, where moto's server-mode suites send it
//
// The account is a query parameter, never a body: a request with a body,
// or with any other parameter, is refused rather than read as "every
// account". The request is authenticated as the other /_rolecall/
// endpoints are (SigV4, service "rolecall"; in lenient mode an unsigned
// request acts as the default account's root, which is what moto's plain
// POST is), and the one authorizer decides rolecall:Reset on the state
// reset: one account's (arn:aws:rolecall::ID:state), which only that
// account's principals may reset, or every account's
// (arn:aws:rolecall:::state, the default account's), which only the
// default account's may. An account's root may; an IAM user needs an
// identity policy that allows it.
//
// Strict mode refuses resets unless rolecall serve was started with
// --allow-reset; lenient mode allows them.
//
// A reset is one store transaction, so it happens whole or not at all; the
// state's format header stays. It forgets IAM's, STS's, ECS's (tasks' role
// credentials included), Application Auto Scaling's and EC2 instances'
// state, and then stops the metadata services of the instances forgotten.
// What is built in stays: AWS managed policies, the service-linked role
// catalog, and each account's root user. The decision log
// (explain-denied) is kept: it is a log of what happened, not state.
const (
	ResetPath     = "/_rolecall/reset"
	MotoResetPath = "/moto-api/reset"
	ResetAction   = "rolecall:Reset"
)

// resetter serves the reset endpoints.
type resetter struct {
	store    *store.Versioned
	metadata *imds.Server
	authn    *auth.Authenticator
	authz    authz.Decider
	ids      ids.Generator
	log      *slog.Logger
	// account is the default account, whose principals may reset every
	// account.
	account string
	// allowReset is --allow-reset; lenient mode allows resets without it.
	allowReset, lenient bool
}

// forgetters delete, inside the reset's transaction, one account's state:
// the records keyed by the account, in every bucket, then those the
// domains key otherwise. A domain that adds a bucket keyed otherwise adds
// its ForgetAccount here (TestResetAccountForgetsEveryRecordOfItsOwn finds
// what is left).
var forgetters = []func(store.Tx, string) error{
	store.DeleteAccountKeys, iam.ForgetAccount, sts.ForgetAccount, ecs.ForgetAccount,
}

// maxResetBody bounds what is read of a reset's body, which must be empty.
const maxResetBody = 64 << 10

func (h *resetter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := h.ids.UUID()
	fail := func(e *awserr.Error) { jsonrpc.WriteError(w, e, requestID) }
	if r.URL.Path != ResetPath && r.URL.Path != MotoResetPath {
		fail(awserr.New(http.StatusNotFound, "NotFound", "No such rolecall endpoint: %s", r.URL.Path))
		return
	}
	if r.Method != http.MethodPost {
		fail(awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "A reset is a POST to %s (or %s), not a %s", ResetPath, MotoResetPath, r.Method))
		return
	}
	if !h.allowReset && !h.lenient {
		fail(awserr.New(http.StatusForbidden, "ResetNotAllowed",
			"This rolecall refuses resets: it runs with --auth strict. Start it with --allow-reset to let %s and %s forget its state", ResetPath, MotoResetPath))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxResetBody))
	if err != nil || len(body) > 0 {
		fail(awserr.New(http.StatusBadRequest, "InvalidParameterValue",
			"A reset takes no body: name one account with ?account=ID, or none to reset every account"))
		return
	}
	account, aerr := resetAccount(r)
	if aerr != nil {
		fail(aerr)
		return
	}
	p, aerr := h.authn.Authenticate(r.Context(), r, body, server.DecisionsService)
	if aerr != nil {
		fail(auth.JSONError(aerr))
		return
	}
	target := authz.Target{ARN: "arn:aws:rolecall:::state", Account: h.account}
	if account != "" {
		target = authz.Target{ARN: "arn:aws:rolecall::" + account + ":state", Account: account}
	}
	ctx := authz.WithMeta(r.Context(), authz.MetaOf(r, requestID))
	if _, err := h.authz.Decide(ctx, &authz.Request{Principal: p, Action: ResetAction, Access: authz.Acting(target)}); err != nil {
		fail(awserr.As(err))
		return
	}
	if err := h.reset(ctx, account); err != nil {
		h.log.Error("reset failed", "request_id", requestID, "error", err)
		fail(awserr.As(err))
		return
	}
	if !h.allowReset {
		leniency.Note(ctx, "a reset, allowed by --auth lenient")
	}
	scope := "every account"
	if account != "" {
		scope = "account " + account
	}
	h.log.Info("reset", "request_id", requestID, "principal", p.ARN, "scope", scope)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID)
	// moto's answer is {"status": "ok"}; the rest is rolecall's.
	json.NewEncoder(w).Encode(map[string]string{"status": "ok", "reset": scope})
}

// resetAccount reads the account a reset names: "" for every account.
func resetAccount(r *http.Request) (string, *awserr.Error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		// Not read as "no parameter": that would reset every account.
		return "", awserr.New(http.StatusBadRequest, "InvalidParameterValue", "The query string is not valid URL encoding: %v", err)
	}
	for k, v := range q {
		if k != "account" || len(v) != 1 {
			return "", awserr.New(http.StatusBadRequest, "InvalidParameterValue",
				"A reset takes one parameter, account=ID, at most once; %q is not one", k)
		}
	}
	a, ok := q["account"]
	if !ok {
		return "", nil
	}
	if !arn.IsAccountID(a[0]) {
		return "", awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Invalid account ID %q: an account ID is 12 digits", a[0])
	}
	return a[0], nil
}

// reset forgets account's state (every account's when ""), in one
// transaction, then stops the metadata services of the instances it
// forgot.
func (h *resetter) reset(ctx context.Context, account string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := h.store.Update(func(tx store.Tx) error {
		if account == "" {
			return store.Clear(tx)
		}
		for _, forget := range forgetters {
			if err := forget(tx, account); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return h.metadata.Forget(ctx)
}
