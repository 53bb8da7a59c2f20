// Package server is rolecall's HTTP front: one port for every service. It
// routes a request to its service and operation, has the protocol codec
// decode it, runs the bound operation and has the codec answer. It knows no
// roles and no XML; those belong to the domain and protocol packages.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/leniency"
	"github.com/rolecall/rolecall/internal/model"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/protocol"
	"github.com/rolecall/rolecall/internal/protocol/ec2query"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/protocol/query"
)

// DefaultAccount is the account the emulator convention's root keys act in,
// unless told another (rolecall serve --account).
const DefaultAccount = "000000000000"

// DefaultRegion is the Region a request acts in when it names none that
// is valid (unless told another: rolecall serve --region).
const DefaultRegion = "us-east-1"

// LenientRouting is the server's part of what lenient mode relaxes.
const LenientRouting = "an unsigned query request (curl) is routed to IAM or STS by its Action"

// HealthPath answers, unauthenticated, whether rolecall runs and how
// (Health): what container health checks and `rolecall health` ask.
const HealthPath = "/_rolecall/health"

// HealthRunning is Health.Status while rolecall serves.
const HealthRunning = "running"

// Health is the answer of HealthPath.
type Health struct {
	Status   string   `json:"status"`
	Version  string   `json:"version"`
	Account  string   `json:"account"`
	Region   string   `json:"region"`
	Services []string `json:"services"`
	Store    string   `json:"store"`
	Auth     string   `json:"auth"`
	Enforce  string   `json:"enforce"`
}

// maxBody bounds a request body: the largest IAM input (a 131,072-character
// policy document, percent-encoded) fits with room to spare.
const maxBody = 2 << 20

// smallBody is the largest declared body read into a buffer of its size.
const smallBody = 64 << 10

// Config is what a Handler is built from.
type Config struct {
	Account string // the default account, shown by /_rolecall/health
	// Region is where a request acts when its signature names no valid
	// Region (lenient mode); default DefaultRegion.
	Region string
	Auth   *auth.Authenticator
	// Authorizer authorizes every operation; nil authorizes nothing
	// (handler tests).
	Authorizer *authz.Authorizer
	IDs        ids.Generator
	Log        *slog.Logger // default discards
	Version    string
	Store      string // where the state is, for /_rolecall/health
	// Services are the bound AWS services.
	Services []*api.Service
	// Internal are further endpoints under /_rolecall/, by path prefix
	// (the ECS agent's task credentials). A path outside /_rolecall/
	// (moto's /moto-api/reset) is served as it is, and only that path.
	Internal map[string]http.Handler
	// OnPanic, if set, runs after a request's panic was recovered (the
	// state may be damaged: it checks it).
	OnPanic func()
	// Before, if set, runs before each request is served: what the clock
	// alone changes catches up first, so that the request sees it. Its
	// context is not the request's (see ServeHTTP).
	Before func(context.Context)
	// Console, if set, serves the web console: its paths, and a browser's
	// bare GET / (see isConsole).
	Console http.Handler
	// AllowedHosts are the host names, besides IP addresses and
	// localhost, by which a web browser may reach rolecall (hostAllowed).
	AllowedHosts []string
}

// Handler serves the AWS APIs over HTTP.
type Handler struct {
	account   string
	region    string
	auth      *auth.Authenticator
	authz     *authz.Authorizer
	ids       ids.Generator
	log       *slog.Logger
	query     map[string]*queryService // by signing name
	json      map[string]*jsonService  // by signing name
	internal  map[string]http.Handler
	onPanic   func()
	before    func(context.Context)
	version   string
	storeDesc string
	console   http.Handler
	// allowedHosts are Config.AllowedHosts, lower-case.
	allowedHosts []string
	// outside are internal's paths outside /_rolecall/ (moto's reset),
	// few: gone through in turn, which costs an API request's "/" less
	// than hashing it to look it up in internal (issue 18).
	outside []string
}

// The services' codecs are made on first use: decoding a model takes
// milliseconds, and start-up should not wait for services not yet asked.
type jsonService struct {
	codec   func() *jsonrpc.Codec
	binding *api.Service
}

type queryService struct {
	codec   func() formCodec
	model   func() *model.Service
	binding *api.Service
	// authError renames authentication failures as the service words
	// them; nil keeps the query protocol's (IAM's and STS's) answers.
	authError func(*awserr.Error) *awserr.Error
}

// formCodec is a protocol whose requests are forms naming an Action: the
// query protocol (IAM, STS) and its EC2 variant.
type formCodec interface {
	Operation(form protocol.Form) (*model.Operation, *awserr.Error)
	Decode(op *model.Operation, form protocol.Form, dst any) *awserr.Error
	WriteResponse(w http.ResponseWriter, op *model.Operation, out any, requestID string)
	WriteError(w http.ResponseWriter, err *awserr.Error, requestID string)
}

// iamURLEncoded are the IAM shapes whose values IAM returns percent-encoded.
var iamURLEncoded = map[string]bool{"policyDocumentType": true}

// iamOwnPatterns are the members whose pattern IAM checks with its own
// message instead of the generic constraint text. PathPrefix: ListPolicies
// "/foo" (aws/aws-cli #5860), ListRoles (ansible-collections/amazon.aws
// #2065); ListUsers, ListGroups, ListInstanceProfiles and the
// ListAttached*Policies by third-party tests that say they match AWS
// (versity/versitygw, mulgadc/spinifex). Pattern before length follows
// spinifex; versitygw has a 513-character "/aaa..." get this text too
// rather than the length message (unresolved). Path: CreateVirtualMFADevice
// "invalid-path/" and "/invalid-path" (recorded, LocalStack's
// test_iam_mfa; a 514-character path gets the length message there).
var iamOwnPatterns = map[string]string{
	"PathPrefix": "The specified value for pathPrefix is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters.",
	"Path":       "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
}

// New builds the HTTP handler.
func New(c Config) *Handler {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Account == "" {
		c.Account = DefaultAccount
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	h := &Handler{account: c.Account, region: c.Region, auth: c.Auth, authz: c.Authorizer, ids: c.IDs, log: c.Log, query: map[string]*queryService{}, json: map[string]*jsonService{},
		internal: c.Internal, onPanic: c.OnPanic, before: c.Before, version: c.Version, storeDesc: c.Store}
	for p := range c.Internal {
		if !strings.HasPrefix(p, "/_rolecall/") {
			h.outside = append(h.outside, p)
		}
	}
	for _, n := range c.AllowedHosts {
		h.allowedHosts = append(h.allowedHosts, strings.TrimSuffix(strings.ToLower(n), "."))
	}
	for _, b := range c.Services {
		md, err := model.LoadMetadata(b.Name)
		if err != nil {
			panic(err) // the models are embedded: a broken build
		}
		name := b.Name
		load := func() *model.Service { return model.MustLoad(name) }
		switch md.Protocol {
		case "query":
			h.query[name] = &queryService{binding: b, model: load, codec: sync.OnceValue(func() formCodec {
				c := &query.Codec{Model: model.MustLoad(name), QuoteValues: name != "iam"}
				if name == "iam" {
					c.URLEncoded = iamURLEncoded
					c.OwnPatterns = iamOwnPatterns
				}
				return c
			})}
		case "ec2":
			h.query[name] = &queryService{binding: b, model: load, authError: auth.EC2Error, codec: sync.OnceValue(func() formCodec {
				return &ec2query.Codec{Model: model.MustLoad(name)}
			})}
		case "json":
			code := b.ValidationCode
			h.json[name] = &jsonService{binding: b, codec: sync.OnceValue(func() *jsonrpc.Codec {
				return &jsonrpc.Codec{Model: model.MustLoad(name), ValidationCode: code}
			})}
		default:
			panic("server: no codec for protocol " + md.Protocol)
		}
	}
	// Decode the models in the background, IAM first, so that the first
	// requests rarely wait for them and start-up never does.
	go func() {
		for _, name := range []string{"iam", "sts"} {
			if qs, ok := h.query[name]; ok {
				qs.codec()
			}
		}
		for _, js := range h.json {
			js.codec()
		}
	}()
	h.console = c.Console
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := h.ids.UUID()
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic serving request", "request_id", requestID, "panic", p, "stack", string(debug.Stack()))
			query.WriteError(w, "", awserr.As(fmt.Errorf("panic")), requestID)
			if h.onPanic != nil {
				h.onPanic()
			}
		}
	}()
	if h.before != nil {
		// Not the request's context: a client that goes away does not
		// cut the catching up short, which is no part of the request
		// (the timer's catching up runs on context.Background() too).
		// context.WithoutCancel would allocate on every request.
		h.before(context.Background())
	}
	if h.auth.Mode == auth.Lenient {
		// What is let through only because of leniency is noted on the
		// way; the answer says so.
		ctx, notes := leniency.Track(r.Context())
		r = r.WithContext(ctx)
		w = &lenientWriter{ResponseWriter: w, notes: notes}
	}
	// Only a browser sends a request from another site (the headers that
	// say so are a browser's): an SDK's request is asked once.
	if fromBrowser(r) {
		if fromOtherSite(r) && !(h.console != nil && isConsole(r)) {
			query.WriteError(w, "", awserr.New(http.StatusForbidden, "CrossSiteRequest",
				"A web browser sent this request from a page of another site: rolecall's API answers AWS clients, not web pages"), requestID)
			return
		}
		if !h.hostAllowed(r.Host) {
			query.WriteError(w, "", awserr.New(http.StatusForbidden, "HostNotAllowed",
				"A web browser reached rolecall by the name %q, which may be any site's name made to resolve to this server (DNS rebinding): open rolecall by its IP address or localhost, or give the name to rolecall serve --allowed-hosts", r.Host), requestID)
			return
		}
	}
	if strings.HasPrefix(r.URL.Path, "/_rolecall/") {
		h.serveInternal(w, r)
		return
	}
	if slices.Contains(h.outside, r.URL.Path) {
		h.internal[r.URL.Path].ServeHTTP(w, r)
		return
	}
	t := route(r)
	if h.console != nil && isConsole(r) {
		h.console.ServeHTTP(w, r)
		return
	}
	if tgt := t.Target; tgt != "" {
		js, ok := h.json[t.Service]
		if !ok || t.Operation == "" {
			jsonrpc.WriteError(w, awserr.New(http.StatusBadRequest, "UnknownOperationException",
				"rolecall does not serve the target %q; it serves %s", tgt, strings.Join(h.services(), ", ")), requestID)
			return
		}
		h.serveJSON(w, r, js, t, requestID)
		return
	}
	body, form, aerr := readForm(r)
	if aerr != nil {
		query.WriteError(w, "", aerr, requestID)
		return
	}
	svc := t.Service
	if qs := h.unsignedService(svc, form.Get("Action")); qs != nil {
		// Unsigned, as AWS serves it: the operation authenticates its
		// caller itself, from what the request carries.
		h.serveQuery(w, r, qs, t, &principal.Principal{}, form, requestID)
		return
	}
	if svc == "" && h.auth.Mode == auth.Lenient {
		// Unsigned, and lenient: recognise the service by its Action, so
		// curl works.
		svc = h.serviceForAction(form.Get("Action"))
	}
	qs, ok := h.query[svc]
	if !ok {
		if svc == "" {
			// Unsigned (or a signature whose scope names no service).
			_, aerr := h.auth.Authenticate(r.Context(), r, body, "")
			if aerr == nil {
				aerr = awserr.New(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
			}
			query.WriteError(w, "", aerr, requestID)
			return
		}
		query.WriteError(w, "", awserr.New(http.StatusBadRequest, "UnknownService",
			"rolecall does not serve the service %q named in the request's credential scope; it serves %s", svc, strings.Join(h.services(), ", ")), requestID)
		return
	}
	p, aerr := h.auth.Authenticate(r.Context(), r, body, svc)
	if aerr != nil {
		if qs.authError != nil {
			aerr = qs.authError(aerr)
		}
		qs.codec().WriteError(w, aerr, requestID)
		return
	}
	h.serveQuery(w, r, qs, t, p, form, requestID)
}

func (h *Handler) serveQuery(w http.ResponseWriter, r *http.Request, qs *queryService, t target, p *principal.Principal, form protocol.Form, requestID string) {
	op, aerr := qs.codec().Operation(form)
	if aerr != nil {
		qs.codec().WriteError(w, aerr, requestID)
		return
	}
	h.invoke(w, r, qs.binding, op, t, p, requestID,
		func(in any) *awserr.Error { return qs.codec().Decode(op, form, in) },
		func(out any) { qs.codec().WriteResponse(w, op, out, requestID) },
		func(e *awserr.Error) { qs.codec().WriteError(w, e, requestID) })
}

func (h *Handler) serveJSON(w http.ResponseWriter, r *http.Request, js *jsonService, t target, requestID string) {
	if r.Method != http.MethodPost {
		jsonrpc.WriteError(w, awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "JSON protocol requests must be POST, not %s", r.Method), requestID)
		return
	}
	body, aerr := readBody(r)
	if aerr != nil {
		jsonrpc.WriteError(w, aerr, requestID)
		return
	}
	p, aerr := h.auth.Authenticate(r.Context(), r, body, t.Service)
	if aerr != nil {
		jsonrpc.WriteError(w, auth.JSONError(aerr), requestID)
		return
	}
	op, aerr := js.codec().Operation(t.Operation)
	if aerr != nil {
		jsonrpc.WriteError(w, aerr, requestID)
		return
	}
	h.invoke(w, r, js.binding, op, t, p, requestID,
		func(in any) *awserr.Error { return js.codec().Decode(op, body, in) },
		func(out any) { js.codec().WriteResponse(w, op, out, requestID) },
		func(e *awserr.Error) { jsonrpc.WriteError(w, e, requestID) })
}

// invoke runs a bound operation for principal p between a codec's decode
// and its encoders.
func (h *Handler) invoke(w http.ResponseWriter, r *http.Request, binding *api.Service, op *model.Operation, t target, p *principal.Principal, requestID string,
	decode func(in any) *awserr.Error, writeOut func(out any), writeErr func(*awserr.Error)) {
	bound, ok := binding.Ops[op.Name]
	if !ok {
		writeErr(awserr.New(http.StatusNotImplemented, "NotImplemented", "rolecall does not implement %s:%s yet", binding.Name, op.Name))
		return
	}
	call, in := bound.NewCall()
	if aerr := decode(in); aerr != nil {
		writeErr(aerr)
		return
	}
	*call = api.Call{Account: p.Account, Region: t.Region, RequestID: requestID, Principal: p}
	if binding.Region != "" {
		// IAM: global, in us-east-1, whatever Region the request was
		// signed for (an SDK given an endpoint signs with its own).
		call.Region = binding.Region
	} else if !auth.ValidRegion(call.Region) {
		// Unsigned, or signed for no Region (lenient mode).
		call.Region = h.region
	}
	// Authorize between decode and invoke; decisions the operation makes
	// inside (sts:AssumeRole, iam:PassRole) find the request through ctx.
	meta := authz.MetaOf(r, requestID)
	ctx := authz.WithMeta(r.Context(), meta)
	out, what, err := h.run(ctx, binding, bound, call, in)
	for _, msg := range meta.WouldDeny() {
		w.Header().Add("X-Rolecall-Would-Deny", msg)
	}
	if err != nil {
		h.fail(writeErr, requestID, op.Name, what, err)
		return
	}
	writeOut(out)
}

// fail answers err, logging rolecall's own failures.
func (h *Handler) fail(writeErr func(*awserr.Error), requestID, op, what string, err error) {
	e := awserr.As(err)
	if e.Status >= 500 {
		h.log.Error(what, "request_id", requestID, "operation", op, "error", err)
	}
	writeErr(e)
}

// readBody reads a request's body, up to maxBody. A body cut off (the
// client stopped sending, and the read timeout fired) is answered as such
// (rolecall's wording), not as one too large.
func readBody(r *http.Request) ([]byte, *awserr.Error) {
	if n := r.ContentLength; n >= 0 && n <= smallBody {
		// The length is declared (the SDKs declare it) and net/http
		// stops the body there: read it into one buffer of that size.
		// Only a small one: a client that declares a large body and sends
		// little would otherwise have the whole of it allocated at once.
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, errBodyCut(err)
		}
		return body, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return body, nil
	case errors.As(err, &tooLarge):
		return nil, awserr.New(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than %d bytes", maxBody)
	}
	return nil, errBodyCut(err)
}

func errBodyCut(err error) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "RequestTimeout", "The request body was not received in full before the read timeout: %v", err)
}

// readForm reads a query-protocol request's parameters: the URL query, and
// for POST the form body, which it also returns for the signature check.
func readForm(r *http.Request) ([]byte, protocol.Form, *awserr.Error) {
	switch r.Method {
	case http.MethodPost, http.MethodGet:
	default:
		return nil, nil, awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed",
			"The HTTP method %s is not allowed; AWS query APIs take POST with a form body (or GET with a query string)", r.Method)
	}
	form, err := protocol.ParseForm(nil, r.URL.RawQuery)
	if err != nil {
		return nil, nil, awserr.New(http.StatusBadRequest, "MalformedQueryString", "The query string is not valid URL encoding: %v", err)
	}
	var body []byte
	if r.Method == http.MethodPost {
		var aerr *awserr.Error
		if body, aerr = readBody(r); aerr != nil {
			return nil, nil, aerr
		}
		// The body's parameters follow the query's: a key in both has
		// the query's value first.
		if form, err = protocol.ParseForm(form, string(body)); err != nil {
			return nil, nil, awserr.New(http.StatusBadRequest, "MalformedQueryString", "The request body is not valid form encoding: %v", err)
		}
	}
	return body, form, nil
}

func (h *Handler) serviceForAction(action string) string {
	if action == "" {
		return ""
	}
	for _, name := range h.services() {
		if qs := h.query[name]; qs != nil {
			if _, ok := qs.model().Operations[action]; ok {
				return name
			}
		}
	}
	return ""
}

// unsignedService is the query service whose operation action AWS serves
// unsigned (api.Operation.Unsigned), for a request signed for no service;
// nil otherwise.
func (h *Handler) unsignedService(signedFor, action string) *queryService {
	if signedFor != "" || action == "" {
		return nil
	}
	for _, qs := range h.query {
		if op, ok := qs.binding.Ops[action]; ok && op.IsUnsigned() {
			return qs
		}
	}
	return nil
}

func (h *Handler) services() []string {
	var out []string
	for name := range h.query {
		out = append(out, name)
	}
	for name := range h.json {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func (h *Handler) serveInternal(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case HealthPath:
		writeJSON(w, http.StatusOK, Health{
			Status:   HealthRunning,
			Version:  h.version,
			Account:  h.account,
			Region:   h.region,
			Services: h.services(),
			Store:    h.storeDesc,
			Auth:     h.auth.Mode.String(),
			Enforce:  h.authz.Mode().String(),
		})
	default:
		if strings.HasPrefix(r.URL.Path, "/_rolecall/decisions") {
			h.serveDecisions(w, r)
			return
		}
		for prefix, ih := range h.internal {
			if strings.HasPrefix(r.URL.Path, prefix) {
				ih.ServeHTTP(w, r)
				return
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "no such rolecall endpoint: " + r.URL.Path})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// lenientWriter sets X-Rolecall-Auth: lenient on an answer to a request
// that leniency let through, as the answer starts.
type lenientWriter struct {
	http.ResponseWriter
	notes   *leniency.Notes
	started bool
}

func (w *lenientWriter) start() {
	if !w.started {
		w.started = true
		if w.notes.Used() {
			w.Header().Set(leniency.Header, leniency.Value)
		}
	}
}

func (w *lenientWriter) WriteHeader(status int) {
	w.start()
	w.ResponseWriter.WriteHeader(status)
}

func (w *lenientWriter) Write(b []byte) (int, error) {
	w.start()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *lenientWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
