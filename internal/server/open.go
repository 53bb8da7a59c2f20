package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/rolecall/rolecall/internal/api/ecsapi"
	"github.com/rolecall/rolecall/internal/api/iamapi"
	"github.com/rolecall/rolecall/internal/api/stsapi"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/sts"
)

// Options configure a rolecall instance.
type Options struct {
	// DataDir holds the state file; ignored when Ephemeral.
	DataDir   string
	Ephemeral bool
	Account   string // default DefaultAccount
	Version   string
	Clock     ids.Clock     // default the system clock
	IDs       ids.Generator // default random
	Log       *slog.Logger  // default discards
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
}

// Server is a rolecall instance: its state and the HTTP handler over it.
type Server struct {
	Handler *Handler
	// STS lets services built into rolecall assume roles
	// (sts.Service.AssumeRoleAsService).
	STS *sts.Service
	IAM *iam.Service
	ECS *ecs.Service
	// Authz authorizes every operation and keeps its decisions.
	Authz *authz.Authorizer
	store store.Store
}

// StateFile is the name of the state file inside the data directory.
const StateFile = "rolecall.db"

// Open opens (or creates) the state and wires every service.
func Open(o Options) (*Server, error) {
	if o.Account == "" {
		o.Account = DefaultAccount
	}
	if o.Clock == nil {
		o.Clock = ids.SystemClock{}
	}
	if o.IDs == nil {
		o.IDs = ids.Random{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	var st store.Store
	desc := "memory (ephemeral)"
	if o.Ephemeral {
		st = store.NewMemory()
	} else {
		if o.DataDir == "" {
			return nil, errors.New("no data directory: pass --data-dir, or --ephemeral to keep state in memory")
		}
		if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("cannot create data directory: %w", err)
		}
		path := filepath.Join(o.DataDir, StateFile)
		b, err := store.OpenBolt(path, store.BoltOptions{})
		if err != nil {
			return nil, err
		}
		st, desc = b, path
	}
	// Every service writes through vst, whose write count keys the
	// authorizer's cache.
	vst := authz.NewVersioned(st)
	iamSvc := iam.New(vst, o.Clock, o.IDs)
	iamSvc.SetDeletionTiming(o.SLRDeletionDelay, o.SLRTaskRetention)
	policies := &auth.Policies{IAM: iamSvc}
	var audit *authz.AuditLog
	if o.Enforce != authz.Off {
		audit = authz.NewAuditLog(0, o.AuditLog)
	}
	az := authz.New(authz.Config{Mode: o.Enforce, Policies: policies, IAM: iamSvc, Store: vst, Clock: o.Clock, Audit: audit, Log: o.Log})
	// ECS answers for its service-linked roles; LinkedServices may stand
	// in for it.
	stsSvc := sts.New(vst, o.Clock, o.IDs, iamSvc, policies)
	ecsSvc := ecs.New(vst, o.Clock, o.IDs, ecsRoles{iam: iamSvc, authz: az, sts: stsSvc, policies: policies, clock: o.Clock})
	ecsSvc.SetTiming(o.ECSTiming)
	az.SetECS(ecsSvc)
	iamSvc.RegisterLinkedService(ecs.PrincipalECS, ecsRoleUsage(ecsSvc, ecs.PrincipalECS))
	iamSvc.RegisterLinkedService(ecs.PrincipalECSCompute, ecsRoleUsage(ecsSvc, ecs.PrincipalECSCompute))
	for principal, u := range o.LinkedServices {
		iamSvc.RegisterLinkedService(principal, u)
	}
	authn := &auth.Authenticator{Mode: o.Auth, DefaultAccount: o.Account, Clock: o.Clock, Keys: iamSvc, Sessions: stsSvc, Generation: vst.Generation}
	h := newHandler(o.Account, authn, o.IDs, o.Log, o.Version, desc, iamapi.New(iamSvc), stsapi.New(stsSvc), ecsapi.New(ecsSvc))
	h.authz = az
	h.ecs = ecsSvc
	return &Server{Handler: h, IAM: iamSvc, STS: stsSvc, ECS: ecsSvc, Authz: az, store: st}, nil
}

// Close releases the state; call it after the HTTP server has drained.
func (s *Server) Close() error { return s.store.Close() }
