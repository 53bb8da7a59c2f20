// Package app wires rolecall together from one set of Options: the store,
// the IAM, STS, ECS and Application Auto Scaling domains, the one
// authorizer, the authenticator, the API bindings and the HTTP server. It
// holds the adapters through which the domains reach each other without
// importing each other: the authorizer reads IAM through a Directory
// (iam.go), STS reads roles through sts.Roles, ECS takes its role
// decisions through ecs.Roles (ecsroles.go), Application Auto Scaling its
// own through appautoscaling.Roles and finds ECS services through
// appautoscaling.Services (appautoscaling.go), and IAM asks ECS and
// Application Auto Scaling which resources still use a service-linked
// role (iam.RoleUsage).
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/agent"
	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/api/appautoscalingapi"
	"github.com/rolecall/rolecall/internal/api/ec2api"
	"github.com/rolecall/rolecall/internal/api/ecsapi"
	"github.com/rolecall/rolecall/internal/api/iamapi"
	"github.com/rolecall/rolecall/internal/api/stsapi"
	"github.com/rolecall/rolecall/internal/appautoscaling"
	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/imds"
	"github.com/rolecall/rolecall/internal/instances"
	"github.com/rolecall/rolecall/internal/oidc"
	"github.com/rolecall/rolecall/internal/resolve"
	"github.com/rolecall/rolecall/internal/saml"
	"github.com/rolecall/rolecall/internal/server"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/sts"
)

// Options configure a rolecall instance.
type Options struct {
	// DataDir holds the state file; ignored when Ephemeral.
	DataDir   string
	Ephemeral bool
	Account   string // default server.DefaultAccount
	// Region is where requests act when they name no valid Region, and
	// where instances launch by default; default server.DefaultRegion.
	Region  string
	Version string
	Clock   ids.Clock     // default the system clock
	IDs     ids.Generator // default random
	Log     *slog.Logger  // default discards
	// Auth is how requests are authenticated: auth.Strict (the default)
	// or auth.Lenient (--auth=lenient).
	Auth auth.Mode

	// LinkedServices answer, per service principal, which of their
	// resources still use their service-linked role when IAM deletes it
	// (iam.RoleUsage). Services built in register themselves; tests add
	// doubles here.
	LinkedServices map[string]iam.RoleUsage
	// SLRDeletionDelay is how long a DeleteServiceLinkedRole task takes,
	// SLRTaskRetention how long its record is kept after; defaults
	// iam.DefaultDeletionDelay and iam.DefaultDeletionRetention.
	SLRDeletionDelay, SLRTaskRetention time.Duration
	// ECSTiming is how long ECS tasks take to start and stop; zero fields
	// keep ecs.DefaultTiming.
	ECSTiming ecs.Timing
	// Enforce is what authorization does with a denial: authz.On (the
	// default, AWS's behaviour), authz.Audit (--enforce=audit: allow, and
	// say what would be denied) or authz.Off.
	Enforce authz.Mode
	// AuditLog receives every authorization decision as a JSON line
	// (--audit-log); nil keeps them only in memory, for explain-denied.
	AuditLog io.Writer
	// AllowedHosts are the host names, besides IP addresses and localhost,
	// by which a web browser may reach the server (server.Config).
	AllowedHosts []string
	// AllowReset lets ResetPath and MotoResetPath forget state in strict
	// mode (--allow-reset); lenient mode allows them without it.
	AllowReset bool
	// PasswordIterations is the PBKDF2 iteration count for new console
	// passwords; zero takes iam.DefaultPasswordIterations.
	PasswordIterations int
	// OIDCIssuer is rolecall's own issuer identifier (serve
	// --oidc-issuer); "" is oidc.DefaultIssuer. OIDCClient fetches other
	// issuers' keys; nil is a client checking the system's CAs (tests
	// pass one that trusts their TLS servers).
	OIDCIssuer string
	OIDCClient *http.Client
	// OIDCURL is the http URL where OIDCHandler is served (serve
	// --oidc-addr); when set, the accounts' outbound web identity issuers
	// are URLs under it, which a relying party can fetch. Empty, they take
	// AWS's form.
	OIDCURL string
}

// outboundBase is where the outbound issuers are under the OIDC
// listener at u; "" when it is not known.
func outboundBase(u string) string {
	if u == "" {
		return ""
	}
	return strings.TrimSuffix(u, "/") + oidc.OutboundPrefix
}

// App is a rolecall instance: its state, its services and the HTTP
// handler over them.
type App struct {
	Handler *server.Handler
	IAM     *iam.Service
	// STS lets services built into rolecall assume roles
	// (sts.Service.AssumeRoleAsService).
	STS *sts.Service
	ECS *ecs.Service
	// Instances are the simulated EC2 instances; Metadata serves their
	// instance metadata, each on its own loopback port.
	Instances *instances.Service
	Metadata  *imds.Server
	// AppAutoScaling is Application Auto Scaling for ECS services.
	AppAutoScaling *appautoscaling.Service
	// Authz authorizes every decision and keeps its records.
	Authz *authz.Authorizer
	// Issuer is rolecall's OpenID Connect issuer (serve --oidc-addr
	// publishes it: oidc.Handler).
	Issuer *oidc.Issuer
	authn  *auth.Authenticator
	apis   []*api.Service
	reset  *resetter
	// state is the store as every service writes it; clock and gen are
	// Options' (state in and out, stateio.go).
	state *store.Versioned
	clock ids.Clock
	gen   ids.Generator
	// stopSchedule stops the scheduled actions' ticker, if one runs.
	stopSchedule func()
}

// StateFile is the name of the state file inside the data directory.
const StateFile = "rolecall.db"

// Open opens (or creates) the state and wires every service.
func Open(o Options) (*App, error) {
	if o.Account == "" {
		o.Account = server.DefaultAccount
	}
	if !arn.IsAccountID(o.Account) {
		return nil, fmt.Errorf("invalid account ID %q: an account ID is 12 digits", o.Account)
	}
	if o.Region == "" {
		o.Region = server.DefaultRegion
	}
	if !auth.ValidRegion(o.Region) {
		return nil, fmt.Errorf("invalid Region %q: name an AWS Region, such as us-east-1", o.Region)
	}
	systemClock := o.Clock == nil
	if systemClock {
		o.Clock = ids.SystemClock{}
	}
	if o.IDs == nil {
		o.IDs = ids.Random{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	st, desc, err := openStore(o)
	if err != nil {
		return nil, err
	}
	// Every service writes through vst, whose write count keys what the
	// authorizer, the resolvers and the authenticator keep.
	vst := store.NewVersioned(st)
	if err := prepareState(vst, o.Version, o.Log, o.Clock.Now()); err != nil {
		st.Close()
		return nil, err
	}
	iamSvc := iam.New(iam.Config{Store: vst, Clock: o.Clock, IDs: o.IDs, DeletionDelay: o.SLRDeletionDelay, DeletionRetention: o.SLRTaskRetention,
		PasswordIterations: o.PasswordIterations, OutboundIssuerBase: outboundBase(o.OIDCURL)})
	var audit *authz.AuditLog
	if o.Enforce != authz.Off {
		audit = authz.NewAuditLog(0, o.AuditLog)
	}
	az := authz.New(authz.Config{Mode: o.Enforce, Directory: directory{iamSvc}, Generation: vst.Generation, Clock: o.Clock, Audit: audit, Log: o.Log})
	cache := &resolve.Cache{Generation: vst.Generation}
	iamRes := resolve.IAM{Svc: iamSvc, Cache: cache}
	issuer := oidc.NewIssuer(vst, o.OIDCIssuer)
	web := &sts.WebIdentity{Providers: stsOIDC{iamSvc}, Issuer: issuer, Keys: &oidc.KeySource{Client: o.OIDCClient, Clock: o.Clock}}
	stsSvc := sts.New(sts.Config{Store: vst, Clock: o.Clock, IDs: o.IDs, Roles: stsRoles{iamRes}, Authorizer: az, RootMayAssume: o.Auth == auth.Lenient,
		WebIdentity: web, MFA: iamSvc, SAML: samlProviders{iamSvc}, Extras: stsExtras(iamSvc, az)})
	roles := ecsRoles{iam: iamSvc, res: iamRes, authz: az, sts: stsSvc}
	instSvc := instances.New(instances.Config{Store: vst, Clock: o.Clock, IDs: o.IDs, Roles: ec2Roles{res: iamRes, roles: roles, sts: stsSvc}})
	md := imds.New(imds.Config{Instances: instSvc, Clock: o.Clock, Log: o.Log})
	ecsSvc := ecs.New(ecs.Config{Store: vst, Clock: o.Clock, IDs: o.IDs, Timing: o.ECSTiming,
		Roles: ecsInstanceRoles{ecsRoles: roles, ec2: instSvc, metadata: md}})
	// ECS and Application Auto Scaling answer for their service-linked
	// roles; LinkedServices may stand in for them.
	iamSvc.RegisterLinkedService(ecs.PrincipalECS, ecsRoleUsage(ecsSvc, ecs.PrincipalECS))
	iamSvc.RegisterLinkedService(ecs.PrincipalECSCompute, ecsRoleUsage(ecsSvc, ecs.PrincipalECSCompute))
	aasSvc := appautoscaling.New(appautoscaling.Config{Store: vst, Clock: o.Clock, IDs: o.IDs,
		Roles: scalingRoles{roleBroker{iam: iamSvc, res: iamRes, authz: az}}, Services: ecsServices{ecs: ecsSvc, roles: roles}})
	iamSvc.RegisterLinkedService(appautoscaling.PrincipalECSService, scalingRoleUsage(aasSvc))
	for principal, u := range o.LinkedServices {
		iamSvc.RegisterLinkedService(principal, u)
	}
	authn := &auth.Authenticator{Mode: o.Auth, DefaultAccount: o.Account, Clock: o.Clock, Keys: accessKeys{iamSvc}, Sessions: stsSvc, Generation: vst.Generation}
	ecsRes := resolve.ECS{Svc: ecsSvc, Cache: cache}
	apis := []*api.Service{iamapi.New(iamRes), stsapi.New(stsSvc), ecsapi.New(ecsRes),
		appautoscalingapi.New(resolve.AppAutoScaling{Svc: aasSvc, Cache: cache}),
		ec2api.New(resolve.EC2{Svc: instSvc}, iamRes, md)}
	reset := &resetter{store: vst, metadata: md, authn: authn, authz: az, ids: o.IDs, log: o.Log, account: o.Account,
		allowReset: o.AllowReset, lenient: o.Auth == auth.Lenient}
	cons := newConsole(o, authn, iamSvc, audit)
	h := server.New(server.Config{
		Account: o.Account, Region: o.Region, Auth: authn, Authorizer: az, IDs: o.IDs, Log: o.Log, Version: o.Version, Store: desc, Services: apis,
		OnPanic: verifier(st, o.Log),
		Before:  func(ctx context.Context) { runDue(ctx, aasSvc, o.Log) },
		Console: cons, AllowedHosts: o.AllowedHosts,
		Internal: map[string]http.Handler{
			agent.Prefix:        &agent.Handler{ECS: ecsSvc, Tasks: ecsRes, Authorizer: az, Auth: authn, IDs: o.IDs, Log: o.Log},
			imds.ControlPrefix:  &imds.Control{Instances: instSvc, Metadata: md, EC2: resolve.EC2{Svc: instSvc}, IAM: iamRes, Authorizer: az, Auth: authn, IDs: o.IDs, Log: o.Log, Region: o.Region},
			StatePath:           &stateEndpoint{iam: iamSvc, ecs: ecsSvc, aas: aasSvc, st: vst, authn: authn, authz: az, clock: o.Clock, gen: o.IDs, version: o.Version, log: o.Log},
			OIDCTokenPath:       &oidcTokenEndpoint{issuer: issuer, authn: authn, authz: az, clock: o.Clock, gen: o.IDs},
			MFACodePath:         &mfaCodeEndpoint{iam: iamSvc, res: iamRes, authn: authn, authz: az, gen: o.IDs},
			DelegationTokenPath: &delegationTokenEndpoint{iam: iamSvc, authn: authn, authz: az, gen: o.IDs},
			ResetPath:           reset,
			MotoResetPath:       reset,
			SAMLPrefix:          &samlEndpoint{idp: saml.NewIdP(vst, o.Clock), authn: authn, authz: az, ids: o.IDs, log: o.Log},
		},
	})
	cons.SetAPI(h)
	// The running instances' metadata services listen from the start.
	if err := md.Start(context.Background()); err != nil {
		md.Shutdown(context.Background())
		st.Close()
		return nil, err
	}
	a := &App{Handler: h, IAM: iamSvc, STS: stsSvc, ECS: ecsSvc, AppAutoScaling: aasSvc, Instances: instSvc, Metadata: md, Authz: az, Issuer: issuer, authn: authn, apis: apis,
		state: vst, clock: o.Clock, gen: o.IDs, reset: reset}
	if systemClock {
		a.stopSchedule = every(time.Second, func() { runDue(context.Background(), aasSvc, o.Log) })
	}
	return a, nil
}

// runDue runs Application Auto Scaling's scheduled actions that are due.
// It runs before each request (the request sees what the clock has
// done), and every second on the system clock (an action runs at its
// time, and ECS starts its tasks then). An injected clock moves only when
// its test moves it, and the next request catches up: nothing in a test
// waits on a timer.
func runDue(ctx context.Context, svc *appautoscaling.Service, log *slog.Logger) {
	if err := svc.RunDue(ctx); err != nil {
		log.Error("scheduled actions", "error", err)
	}
}

// every calls fn every d until the answered stop is called; stop waits
// for a call under way.
func every(d time.Duration, fn func()) (stop func()) {
	t := time.NewTicker(d)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-t.C:
				fn()
			case <-quit:
				return
			}
		}
	}()
	return sync.OnceFunc(func() {
		t.Stop()
		close(quit)
		<-done
	})
}

// openStore opens the state: in memory, or the bbolt file in the data
// directory.
func openStore(o Options) (store.Store, string, error) {
	if o.Ephemeral {
		return store.NewMemory(), "memory (ephemeral)", nil
	}
	if o.DataDir == "" {
		return nil, "", errors.New("no data directory: pass --data-dir, or --ephemeral to keep state in memory")
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, "", fmt.Errorf("cannot create data directory: %w", err)
	}
	path := filepath.Join(o.DataDir, StateFile)
	b, err := store.OpenBolt(path, store.BoltOptions{})
	if err != nil {
		return nil, "", err
	}
	return b, path, nil
}

// verifier is what the server does after it recovered from a panic: the
// panic may have come from a damaged page of the state file, so the file
// is checked, and sealed against writes if it is damaged.
func verifier(st store.Store, log *slog.Logger) func() {
	b, ok := st.(*store.Bolt)
	if !ok {
		return nil
	}
	return func() {
		if err := b.Verify(5 * time.Second); err != nil {
			log.Error("the state file is damaged: no more writes are taken; restart rolecall to recover", "error", err)
		}
	}
}

// Close stops the scheduled actions' ticker and the instances' metadata
// services (letting requests under way end, for up to 5 s) and releases
// the state; call it after the HTTP
// server has drained.
func (a *App) Close() error {
	if a.stopSchedule != nil {
		a.stopSchedule()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a.Metadata.Shutdown(ctx)
	return a.state.Close() // through the count: see store.Versioned.Close
}
