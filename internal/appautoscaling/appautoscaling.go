// Package appautoscaling is rolecall's Application Auto Scaling for ECS
// services: the scalable dimension ecs:service:DesiredCount
// (ServiceNamespace "ecs", ResourceId "service/CLUSTER/SERVICE"), its
// scaling policies and scheduled actions, with AWS's shapes
// (internal/appautoscaling/types), error codes and texts. Scheduled actions
// run at their times (scheduler.go), and a change of a target's minimum
// or maximum brings the service's desired count within them, each a
// scaling activity DescribeScalingActivities tells of. Scaling policies
// are kept and described as AWS keeps them, and never run: target
// tracking and step scaling act on CloudWatch alarms, and rolecall has no
// CloudWatch metrics or alarms to trigger them.
//
// What it does with roles is the point, as AWS does it ("Service-linked
// roles for Application Auto Scaling", Application Auto Scaling User
// Guide): registering a target creates the service-linked role
// AWSServiceRoleForApplicationAutoScaling_ECSService on the caller's
// behalf, which the caller must be allowed to create
// (iam:CreateServiceLinkedRole); a role named in RoleARN is passed by the
// caller (iam:PassRole) and must exist, yet the target uses the
// service-linked role, as AWS uses it for ECS; and IAM cannot delete that
// role while a target uses it (RoleUsage). Those decisions go through
// Roles, and the ECS services a target names are looked up through
// Services; internal/app wires IAM, the authorizer and ECS behind them.
// This package imports none of them, and knows no wire format.
//
// Scalable targets are regional: every record is keyed by account and
// Region, both taken from the Call.
package appautoscaling

import (
	"context"
	"errors"
	"time"

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

// What rolecall scales: an ECS service's desired count.
const (
	NamespaceECS = "ecs"
	DimensionECS = "ecs:service:DesiredCount"
)

// Service principals.
const (
	// PrincipalECSService is the service-linked role's principal for ECS
	// services: AWSServiceRoleForApplicationAutoScaling_ECSService.
	PrincipalECSService = "ecs.application-autoscaling.amazonaws.com"
	// PrincipalService is Application Auto Scaling itself: the service a
	// role is passed to (iam:PassedToService), and the one that creates its
	// service-linked role for the caller (aws:CalledVia).
	PrincipalService = "application-autoscaling.amazonaws.com"
)

// Config is what the domain is built from.
type Config struct {
	Store store.Store
	Clock ids.Clock
	IDs   ids.Generator
	// Roles takes the decisions about IAM roles (internal/app wires IAM
	// and the authorizer behind it).
	Roles Roles
	// Services finds the ECS services targets name (internal/app wires
	// ECS behind it).
	Services Services
	// Paused: nothing scales. Scheduled actions do not run (RunDue), and a
	// registration leaves the service's desired count as it is. A state
	// import writes so: the file's desired counts are what the targets
	// left them, and the live server runs the actions from then on.
	Paused bool
}

// Service is the Application Auto Scaling domain over a store.
type Service struct {
	st       store.Store
	clock    ids.Clock
	gen      ids.Generator
	roles    Roles
	services Services
	sched    scheduler
	paused   bool
}

// New returns the domain.
func New(c Config) *Service {
	return &Service{st: c.Store, clock: c.Clock, gen: c.IDs, roles: c.Roles, services: c.Services, paused: c.Paused}
}

// Buckets. Keys begin "<account>/<region>/" so that a Region's records
// scan together; a target's key (targetKey) is the prefix of its
// policies' and scheduled actions'.
const (
	bucketTargets   = "aas-targets"   // <acct>/<region>/<namespace>/<dimension>/<resource id>
	bucketPolicies  = "aas-policies"  // <target key>\x00<policy name>
	bucketScheduled = "aas-scheduled" // <target key>\x00<scheduled action name>
	// <target key>\x00<activityOrder>: a target's activities, newest first
	bucketActivities = "aas-activities"
)

func regionKey(c Call) string { return c.Account + "/" + c.Region + "/" }

// now is the clock's time at the millisecond resolution the API's
// timestamps have on the wire.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

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
		return errors.New("appautoscaling: account and region required")
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
