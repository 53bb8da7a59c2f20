package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"github.com/rolecall/rolecall/internal/appautoscaling"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/server"
	"github.com/rolecall/rolecall/internal/statefile"
	"github.com/rolecall/rolecall/internal/store"
)

// ExportState reads the running rolecall's state as a state file.
func (a *App) ExportState(ctx context.Context, o ExportOptions) (*statefile.File, error) {
	return exportState(ctx, a.IAM, a.ECS, a.AppAutoScaling, o)
}

// ImportState imports f into the running rolecall's state, in one
// transaction (serve --init).
func (a *App) ImportState(ctx context.Context, f *statefile.File, mode ImportMode) (*ImportResult, error) {
	return importLive(ctx, a.state, a.AppAutoScaling, f, mode, a.clock, a.gen)
}

// importLive imports f into a running rolecall's state; its Application
// Auto Scaling then looks at once for the scheduled actions imported.
func importLive(ctx context.Context, st store.Store, aas *appautoscaling.Service, f *statefile.File, mode ImportMode, clock ids.Clock, gen ids.Generator) (*ImportResult, error) {
	res, err := importState(ctx, st, f, mode, clock, gen)
	if err == nil {
		aas.Changed()
	}
	return res, err
}

// openDir opens the state of a data directory that no rolecall serves,
// brought to the current format as serve brings it.
func openDir(dir, version string, create bool) (store.Store, error) {
	path := filepath.Join(dir, StateFile)
	if !create {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no state to read: %w", err)
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create data directory: %w", err)
	}
	b, err := store.OpenBolt(path, store.BoltOptions{})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w: a rolecall serves %s; stop it, or pass --endpoint to go through it", err, dir)
	}
	if err != nil {
		return nil, err
	}
	if err := prepareState(b, version, slog.New(slog.DiscardHandler), ids.SystemClock{}.Now()); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// ExportDir reads the state of a data directory that no rolecall serves.
func ExportDir(ctx context.Context, dir string, o ExportOptions) (*statefile.File, error) {
	st, err := openDir(dir, o.Version, false)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	clock, gen := ids.SystemClock{}, ids.Random{}
	iamSvc := iam.New(iam.Config{Store: st, Clock: clock, IDs: gen})
	ecsSvc := ecs.New(ecs.Config{Store: st, Clock: clock, IDs: gen})
	aasSvc := appautoscaling.New(appautoscaling.Config{Store: st, Clock: clock, IDs: gen})
	return exportState(ctx, iamSvc, ecsSvc, aasSvc, o)
}

// ImportDir imports f into the state of a data directory that no rolecall
// serves (made if there is none), in one transaction.
func ImportDir(ctx context.Context, dir, version string, f *statefile.File, mode ImportMode) (*ImportResult, error) {
	st, err := openDir(dir, version, true)
	if err != nil {
		return nil, err
	}
	res, err := importState(ctx, st, f, mode, ids.SystemClock{}, ids.Random{})
	if cerr := st.Close(); err == nil && cerr != nil {
		return nil, cerr
	}
	return res, err
}

// StatePath is rolecall's state endpoint:
//
//	GET  /_rolecall/state   the signer's account as a state file (rolecall:ExportState)
//	POST /_rolecall/state   a state file of the signer's account imported (rolecall:ImportState)
//
// Requests are signed (SigV4, service "rolecall", as for the decisions)
// and act on the signer's account only: a file naming another account is
// refused, whatever else it holds. Access keys' secrets are exported to
// the account's root only. rolecall:ImportState can make any IAM entity:
// grant it as you would iam:*.
const StatePath = "/_rolecall/state"

// The actions the endpoint's requests are authorized for.
const (
	ExportStateAction = "rolecall:ExportState"
	ImportStateAction = "rolecall:ImportState"
)

type stateEndpoint struct {
	iam     *iam.Service
	ecs     *ecs.Service
	aas     *appautoscaling.Service
	st      store.Store
	authn   *auth.Authenticator
	authz   authz.Decider
	clock   ids.Clock
	gen     ids.Generator
	version string
	log     *slog.Logger
}

// stateError is the endpoint's error for a file it cannot import.
func stateError(status int, code string, err error) *awserr.Error {
	return awserr.New(status, code, "%s", err.Error())
}

func (h *stateEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := h.gen.UUID()
	if r.URL.Path != StatePath {
		jsonrpc.WriteError(w, awserr.New(http.StatusNotFound, "NotFound", "no such rolecall endpoint: %s", r.URL.Path), requestID)
		return
	}
	action := ExportStateAction
	var body []byte
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		action = ImportStateAction
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, statefile.MaxSize+1))
		if err != nil {
			jsonrpc.WriteError(w, awserr.New(http.StatusBadRequest, "InvalidStateFile", "the request body could not be read: %v", err), requestID)
			return
		}
		if len(body) > statefile.MaxSize {
			jsonrpc.WriteError(w, awserr.New(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than %d bytes", statefile.MaxSize), requestID)
			return
		}
	default:
		jsonrpc.WriteError(w, awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s takes GET (export) and POST (import)", StatePath), requestID)
		return
	}
	p, aerr := h.authn.Authenticate(r.Context(), r, body, server.DecisionsService)
	if aerr != nil {
		jsonrpc.WriteError(w, auth.JSONError(aerr), requestID)
		return
	}
	ctx := authz.WithMeta(r.Context(), authz.MetaOf(r, requestID))
	if _, err := h.authz.Decide(ctx, &authz.Request{Principal: p, Action: action, Access: authz.Acting(authz.Any())}); err != nil {
		jsonrpc.WriteError(w, awserr.As(err), requestID)
		return
	}
	if r.Method == http.MethodGet {
		h.export(ctx, w, p, requestID)
		return
	}
	h.importFile(ctx, w, p, body, requestID)
}

func (h *stateEndpoint) export(ctx context.Context, w http.ResponseWriter, p *principal.Principal, requestID string) {
	f, err := exportState(ctx, h.iam, h.ecs, h.aas, ExportOptions{Accounts: []string{p.Account}, Secrets: p.Kind == principal.Root, Version: h.version, Now: h.clock.Now()})
	if err != nil {
		jsonrpc.WriteError(w, awserr.As(err), requestID)
		return
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		jsonrpc.WriteError(w, awserr.As(err), requestID)
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.Write(b.Bytes())
}

func (h *stateEndpoint) importFile(ctx context.Context, w http.ResponseWriter, p *principal.Principal, body []byte, requestID string) {
	f, _, err := statefile.Parse(body)
	if err != nil {
		jsonrpc.WriteError(w, stateError(http.StatusBadRequest, "InvalidStateFile", err), requestID)
		return
	}
	for account := range f.Accounts {
		if account != p.Account {
			jsonrpc.WriteError(w, awserr.AccessDenied("The file holds account %s, and %s may import into its own account (%s) only: nothing was imported.", account, p.ARN, p.Account), requestID)
			return
		}
	}
	res, err := importLive(ctx, h.st, h.aas, f, RefuseExisting, h.clock, h.gen)
	switch {
	case errors.Is(err, ErrAccountHasState):
		jsonrpc.WriteError(w, stateError(http.StatusConflict, "AccountHasState", err), requestID)
		return
	case err != nil:
		jsonrpc.WriteError(w, stateError(http.StatusBadRequest, "InvalidStateFile", fmt.Errorf("nothing was imported: %w", err)), requestID)
		return
	}
	h.log.Info("state imported", "request_id", requestID, "principal", p.ARN, "accounts", res.Imported)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID)
	json.NewEncoder(w).Encode(res)
}
