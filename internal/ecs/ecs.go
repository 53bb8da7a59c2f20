// Package ecs is rolecall's Amazon ECS control plane: clusters, capacity
// providers, task definitions, services, tasks and container instances,
// with AWS's shapes (internal/ecs/types), error codes and texts. No
// container runs: a task's PROVISIONING -> PENDING -> RUNNING -> STOPPED
// lifecycle follows from its timestamps and the injected clock, computed
// when the task is read (as internal/iam/slr.go does for deletion tasks),
// so there is no timer and no goroutine.
//
// What ECS does with roles is the point: it creates and uses its
// service-linked roles (AWSServiceRoleForECS, AWSServiceRoleForECSCompute),
// has the caller pass task, execution, service and infrastructure roles,
// and has ecs-tasks.amazonaws.com assume a task's roles when it launches.
// Those decisions go through Roles, which the server wires to IAM and STS;
// this package imports neither. It knows no wire format.
//
// ECS is regional: every record is keyed by account and Region, both taken
// from the Call.
package ecs

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

// Call is who acts, in which account and Region.
type Call struct {
	Account, Region string
	// Principal is the caller; nil reads as the account's root user.
	Principal *principal.Principal
}

// Caller is the calling principal, the account's root when none is set.
func (c Call) Caller() *principal.Principal {
	if c.Principal != nil {
		return c.Principal
	}
	return principal.RootUser(c.Account)
}

// Service principals ECS acts as.
const (
	// PrincipalECS is ECS itself: its service-linked role
	// AWSServiceRoleForECS, and the legacy service role (ecsServiceRole)
	// a service may be given.
	PrincipalECS = ecsroles.PrincipalECS
	// PrincipalECSCompute is ECS Managed Instances: its service-linked
	// role AWSServiceRoleForECSCompute.
	PrincipalECSCompute = ecsroles.PrincipalECSCompute
	// PrincipalECSTasks assumes task roles and task execution roles.
	PrincipalECSTasks = ecsroles.PrincipalECSTasks
)

// envOf is where a call's requests are formed, for the one model of ECS's
// role use.
func envOf(c Call) ecsroles.Env {
	return ecsroles.Env{Partition: "aws", Account: c.Account, Region: c.Region}
}

// Timing is how long the phases of a task take. Zero fields take the
// defaults; a negative one makes the phase instant.
type Timing struct {
	// Provisioning is how long an awsvpc task is PROVISIONING (its network
	// interface being attached); other tasks skip it.
	Provisioning time.Duration
	// Pending is how long a task is PENDING before it is RUNNING.
	Pending time.Duration
	// Stopping is how long a task takes from the stop request to STOPPED.
	Stopping time.Duration
}

// DefaultTiming keeps tasks quick: a script's next aws CLI call (about a
// second) sees them RUNNING or STOPPED, where AWS takes tens of seconds.
var DefaultTiming = Timing{Provisioning: 300 * time.Millisecond, Pending: 300 * time.Millisecond, Stopping: 300 * time.Millisecond}

func (t Timing) withDefaults() Timing {
	fix := func(d, def time.Duration) time.Duration {
		switch {
		case d == 0:
			return def
		case d < 0:
			return 0
		}
		return d
	}
	return Timing{
		Provisioning: fix(t.Provisioning, DefaultTiming.Provisioning),
		Pending:      fix(t.Pending, DefaultTiming.Pending),
		Stopping:     fix(t.Stopping, DefaultTiming.Stopping),
	}
}

// stoppedRetention is how long a STOPPED task stays visible; AWS keeps
// stopped tasks "at least one hour" (DescribeTasks reference).
const stoppedRetention = time.Hour

// Config is what the ECS domain is built from.
type Config struct {
	Store store.Store
	Clock ids.Clock
	IDs   ids.Generator
	// Roles takes ECS's role decisions (internal/app wires IAM, STS and
	// the authorizer behind it).
	Roles Roles
	// Timing is how long task phases take; zero fields keep DefaultTiming.
	Timing Timing
	// Paused: services' schedulers start and stop no task. A state import
	// writes services so; their tasks start when the live server next
	// reads them (DescribeServices), with the roles as they are then.
	Paused bool
}

// Service is the ECS domain over a store.
type Service struct {
	st     store.Store
	clock  ids.Clock
	gen    ids.Generator
	roles  Roles
	timing Timing
	paused bool
}

// New returns the ECS domain.
func New(c Config) *Service {
	return &Service{st: c.Store, clock: c.Clock, gen: c.IDs, roles: c.Roles, timing: c.Timing.withDefaults(), paused: c.Paused}
}

// phases is how long task phases take.
func (s *Service) phases() Timing { return s.timing }

// now is the clock's time at the millisecond resolution ECS timestamps
// have on the wire.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

// Buckets. Keys begin "<account>/<region>/" so that a Region's records
// scan together.
const (
	bucketClusters  = "ecs-clusters"            // <acct>/<region>/<cluster>
	bucketServices  = "ecs-services"            // <acct>/<region>/<cluster>/<service>
	bucketTaskDefs  = "ecs-task-definitions"    // <acct>/<region>/<family>/<revision, 10 digits>
	bucketFamilies  = "ecs-task-families"       // <acct>/<region>/<family>: the last revision given
	bucketTasks     = "ecs-tasks"               // <acct>/<region>/<cluster>/<task id>
	bucketInstances = "ecs-container-instances" // <acct>/<region>/<cluster>/<instance id>
	bucketProviders = "ecs-capacity-providers"  // <acct>/<region>/<name>
	bucketSettings  = "ecs-account-settings"    // <acct>/<region>/<principal ARN>|<setting name>
)

func regionKey(c Call) string { return c.Account + "/" + c.Region + "/" }

func (s *Service) update(ctx context.Context, c Call, fn func(tx store.Tx) error) error {
	if err := check(ctx, c); err != nil {
		return err
	}
	return s.st.Update(fn)
}

func (s *Service) view(ctx context.Context, c Call, fn func(tx store.Tx) error) error {
	if err := check(ctx, c); err != nil {
		return err
	}
	return s.st.View(fn)
}

func check(ctx context.Context, c Call) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.Account == "" || c.Region == "" {
		return errors.New("ecs: account and region required")
	}
	return nil
}

// The records' JSON in the store (store.GetJSON, PutJSON, ScanJSON).
var (
	getJSON = store.GetJSON
	putJSON = store.PutJSON
)

func scanJSON[T any](tx store.Tx, bucket, prefix string, fn func(key string, v *T) bool) error {
	return store.ScanJSON(tx, bucket, prefix, fn)
}

// ecsARN is arn:aws:ecs:<region>:<account>:<resource>.
func ecsARN(c Call, resource string) string {
	return "arn:aws:ecs:" + c.Region + ":" + c.Account + ":" + resource
}

// resourceOf returns what follows "<kind>/" in an ECS ARN of this Call's
// account and Region, or ok false when id is not such an ARN.
func resourceOf(c Call, id, kind string) (rest string, ok bool) {
	prefix := "arn:aws:ecs:" + c.Region + ":" + c.Account + ":" + kind + "/"
	if !strings.HasPrefix(id, prefix) {
		return "", false
	}
	return id[len(prefix):], true
}

// clusterMemberID resolves a task or container instance (kind "task" or
// "container-instance") given by ID or ARN (arn:...:<kind>/CLUSTER/ID, or
// the old arn:...:<kind>/ID) within cluster; ok is false for an ARN of
// another cluster or an ID that cannot be one.
func clusterMemberID(c Call, cluster, id, kind string) (string, bool) {
	if rest, ok := resourceOf(c, id, kind); ok {
		cl, mid, long := strings.Cut(rest, "/")
		if !long {
			return cl, true
		}
		return mid, cl == cluster
	}
	return id, id != "" && !strings.Contains(id, "/") && !isARN(id)
}

func isARN(id string) bool { return strings.HasPrefix(id, "arn:") }

func ptr[T any](v T) *T { return &v }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// hexID is a 32-digit lower-case hex identifier, the form of task and
// container instance IDs.
func (s *Service) hexID() string { return strings.ReplaceAll(s.gen.UUID(), "-", "") }

// MemberARN is the ARN, in the long format (KIND/CLUSTER/ID), of the
// service, task or container instance (kind) that ref names in cluster as
// the operations find it: a name or ID, or an ARN of the Call's account
// and Region in the long or the old short format. The authorizer
// evaluates this ARN, so that a spelling the operations accept cannot
// dodge a policy written for the long one. ok is false for a reference no
// operation of this Call would find.
func MemberARN(c Call, kind, cluster, ref string) (string, bool) {
	cl, ok := clusterName(c, cluster)
	if !ok {
		return "", false
	}
	var id string
	if kind == "service" {
		id, ok = serviceName(c, cl, ref)
	} else {
		id, ok = clusterMemberID(c, cl, ref, kind)
	}
	if !ok {
		return "", false
	}
	return ecsARN(c, kind+"/"+cl+"/"+id), true
}
