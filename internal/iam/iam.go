// Package iam is rolecall's IAM domain: roles, managed and inline policies,
// users, groups, access keys and instance profiles, with AWS's validation,
// quotas and error texts. It knows no HTTP, XML or wire protocol: callers
// pass plain values and get back the types below, whose field names are
// AWS's member names so that a protocol binding can return them as they are.
//
// Every method takes the account it acts in; IAM is global per account, so
// there is no region. State lives in a store.Store as JSON records, one
// Update per mutating call: a call that fails writes nothing.
package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

// Quotas AWS applies by default ("IAM and AWS STS quotas"; GetAccountSummary
// reports the same figures).
const (
	QuotaRolesPerAccount            = 1000
	QuotaUsersPerAccount            = 5000
	QuotaGroupsPerAccount           = 300
	QuotaPoliciesPerAccount         = 1500
	QuotaInstanceProfilesPerAccount = 1000
	QuotaPoliciesPerEntity          = 10 // managed policies attached to one role, user or group
	QuotaGroupsPerUser              = 10
	QuotaAccessKeysPerUser          = 2
	QuotaVersionsPerPolicy          = 5
	QuotaTagsPerEntity              = 50
	QuotaRoleInlineSize             = 10240 // aggregate of a role's inline policies, non-whitespace characters
	QuotaUserInlineSize             = 2048
	QuotaGroupInlineSize            = 5120
	QuotaManagedPolicySize          = 6144
	QuotaTrustPolicySize            = 2048
	QuotaRolesPerInstanceProfile    = 1
	QuotaPolicyVersionsInUse        = 10000
	QuotaServerCertificates         = 20
	QuotaSigningCertificatesPerUser = 2
	DefaultMaxSessionDuration       = 3600
	MaxMaxSessionDuration           = 43200
	DefaultMaxItems                 = 100
)

// Service is the IAM domain over a store.
type Service struct {
	st    store.Store
	clock ids.Clock
	gen   ids.Generator
	slr   slrState // service-linked roles: usage checkers, deletion tasks (slr.go)

	advisor advisorTiming // Access Advisor report timing (advisor.go)

	passwordIterations int // PBKDF2 iterations for new password keys (passwords.go)

	reportDelay time.Duration // how long a credential report takes (credreport.go)

	// Answers kept beside the records they were made from (answercache.go).
	roles            answerCache[Role]            // ListRoles' and GetRole's
	users            answerCache[User]            // ListUsers'
	instanceProfiles answerCache[InstanceProfile] // ListInstanceProfiles'
	details          struct {                     // GetAccountAuthorizationDetails'
		users    answerCache[UserDetail]
		groups   answerCache[GroupDetail]
		roles    answerCache[RoleDetail]
		policies answerCache[ManagedPolicyDetail]
	}

	outboundBase string // Config.OutboundIssuerBase (outbound.go)
}

// Config is what the IAM domain is built from.
type Config struct {
	Store store.Store
	Clock ids.Clock
	IDs   ids.Generator
	// DeletionDelay is how long a DeleteServiceLinkedRole task takes,
	// DeletionRetention how long its record is kept after; zero takes
	// DefaultDeletionDelay and DefaultDeletionRetention.
	DeletionDelay, DeletionRetention time.Duration
	// AdvisorDelay is how long an Access Advisor report job stays
	// IN_PROGRESS (zero: it completes at once); AdvisorRetention how long
	// a report is kept (zero: DefaultAdvisorJobRetention).
	AdvisorDelay, AdvisorRetention time.Duration
	// CredentialReportDelay is how long a credential report stays
	// INPROGRESS (zero: it completes at once).
	CredentialReportDelay time.Duration
	// PasswordIterations is the PBKDF2 iteration count new console
	// password keys are derived with; zero takes
	// DefaultPasswordIterations. Tests lower it: a key's own count is kept
	// with it, so keys made with any count keep working.
	PasswordIterations int
	// OutboundIssuerBase, when set, is where rolecall publishes the
	// accounts' outbound web identity issuers (serve --oidc-addr): an
	// account's issuer is the base followed by its issuer ID, a URL a
	// relying party can fetch discovery and keys from. Empty, issuers
	// take AWS's form, which no one can fetch (outbound.go).
	OutboundIssuerBase string
}

// New returns the IAM domain.
func New(c Config) *Service {
	s := &Service{st: c.Store, clock: c.Clock, gen: c.IDs}
	s.slr.delay, s.slr.retention = c.DeletionDelay, c.DeletionRetention
	s.advisor = advisorTiming{delay: max(c.AdvisorDelay, 0), retention: c.AdvisorRetention}
	s.passwordIterations = c.PasswordIterations
	s.outboundBase = c.OutboundIssuerBase
	s.reportDelay = max(c.CredentialReportDelay, 0)
	if s.passwordIterations <= 0 {
		s.passwordIterations = DefaultPasswordIterations
	}
	if s.advisor.retention <= 0 {
		s.advisor.retention = DefaultAdvisorJobRetention
	}
	if s.slr.delay <= 0 {
		s.slr.delay = DefaultDeletionDelay
	}
	if s.slr.retention <= 0 {
		s.slr.retention = DefaultDeletionRetention
	}
	return s
}

// now is the clock's time at the resolution AWS keeps (whole seconds are
// what the wire shows; keeping the rest would make equal dates differ).
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

// Bucket names. Keys within them begin with "<account>/" so that an
// account's entities scan together, in name order.
const (
	bucketAccounts         = "iam-accounts"
	bucketRoles            = "iam-roles"
	bucketUsers            = "iam-users"
	bucketGroups           = "iam-groups"
	bucketPolicies         = "iam-policies"
	bucketInstanceProfiles = "iam-instance-profiles"
	bucketAccessKeys       = "iam-access-keys" // keyed by access key id alone: auth looks keys up before it knows the account
	bucketAttachments      = "iam-attachments" // policy ARN -> entities using it
)

// update runs fn in one read-write transaction for account. fn may run more
// than once, so callers take ids and time before calling update.
func (s *Service) update(ctx context.Context, account string, fn func(tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if account == "" {
		return errors.New("iam: account required")
	}
	s.settleDeletions(ctx)
	now := s.now()
	return s.st.Update(func(tx store.Tx) error {
		if err := ensureAccount(tx, account, now); err != nil {
			return err
		}
		return fn(tx)
	})
}

// view runs fn in a read-only transaction.
func (s *Service) view(ctx context.Context, account string, fn func(tx store.Tx) error) error {
	if err := s.ready(ctx, account); err != nil {
		return err
	}
	return s.st.View(fn)
}

// ready is what comes before reading an account: the request is still
// wanted, names an account, and deletions due are done.
func (s *Service) ready(ctx context.Context, account string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if account == "" {
		return errors.New("iam: account required")
	}
	s.settleDeletions(ctx)
	return nil
}

// accountRecord is what IAM keeps about the account itself: when rolecall
// first wrote to it (the root user's CreateDate), and how many entities of
// each kind it has, kept in the same transactions that create and delete
// them so that quota checks need not count; its custom password policy
// (passwordpolicy.go) and its alias (aliases.go), absent when it has none.
type accountRecord struct {
	CreateDate     time.Time
	Counts         map[string]int        `json:",omitempty"` // bucket -> entities
	PasswordPolicy *passwordPolicyRecord `json:",omitempty"`
	Alias          string                `json:",omitempty"`
}

func ensureAccount(tx store.Tx, account string, now time.Time) error {
	if _, ok := tx.Get(bucketAccounts, account); ok {
		return nil
	}
	return putJSON(tx, bucketAccounts, account, &accountRecord{CreateDate: now})
}

// entityCount is how many entities of a kind (named by its bucket) the
// account has.
func entityCount(tx store.Tx, account, bucket string) (int, error) {
	var a accountRecord
	_, err := getJSON(tx, bucketAccounts, account, &a)
	return a.Counts[bucket], err
}

// countEntity adds delta to the account's count of entities in bucket.
func countEntity(tx store.Tx, account, bucket string, delta int) error {
	_, err := addCount(tx, account, bucket, delta, -1)
	return err
}

// countNew counts one more entity of a kind (named by its bucket) in the
// account, refused with AWS's LimitExceeded for quotaName if the account
// already has quota of them. The count is written at once: should the
// creation fail after, the transaction keeps nothing.
func countNew(tx store.Tx, account, bucket, quotaName string, quota int) error {
	full, err := addCount(tx, account, bucket, 1, quota)
	if full {
		return errQuota(quotaName, quota)
	}
	return err
}

// addCount adds delta to the account's count of entities in bucket unless
// quota is not negative and the count has reached it (full): one read and
// one write of the account's record, which every create in a group commit
// rewrites.
func addCount(tx store.Tx, account, bucket string, delta, quota int) (full bool, err error) {
	var a accountRecord
	if _, err := getJSON(tx, bucketAccounts, account, &a); err != nil {
		return false, err
	}
	if quota >= 0 && a.Counts[bucket] >= quota {
		return true, nil
	}
	if a.Counts == nil {
		a.Counts = map[string]int{}
	}
	a.Counts[bucket] += delta
	return false, putJSON(tx, bucketAccounts, account, &a)
}

// The records' JSON in the store (store.GetJSON, PutJSON).
var (
	getJSON = store.GetJSON
	putJSON = store.PutJSON
)

func unmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("iam: corrupt record: %w", err)
	}
	return nil
}
