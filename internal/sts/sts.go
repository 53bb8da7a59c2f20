// Package sts is rolecall's AWS Security Token Service domain: who the
// caller is (GetCallerIdentity), temporary credentials for users
// (GetSessionToken), and role sessions (AssumeRole, and AWS services
// assuming roles inside rolecall). Whether a principal may assume a role
// is the one authorizer's to decide (internal/authz), with the role's
// trust policy as the resource policy.
//
// It knows no wire format and no IAM internals: it reads roles through
// Roles, which internal/app wires to IAM. Issued credentials are kept in
// the store, so they survive a restart, and expire by the injected clock;
// the authenticator finds them through Session.
package sts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

// Bucket names.
const (
	bucketSessions = "sts-sessions" // access key id -> sessionRecord
	bucketExpiry   = "sts-expiry"   // "<expiration>/<access key id>" -> a placeholder byte: sessions by expiry, for purging
)

// keepExpired is how long an expired session is kept, so that its
// credentials are answered ExpiredToken rather than InvalidClientTokenId.
const keepExpired = 30 * 24 * time.Hour

// purgeBatch bounds the expired sessions one issuance deletes.
const purgeBatch = 64

// Roles is what STS needs of IAM.
type Roles interface {
	// Trust resolves a role ARN for sts:AssumeRole: the authorizer's
	// target (the role's trust policy, as IAM keeps it), and the role;
	// role is nil when there is none. callerAccount is the account the
	// request acts in.
	Trust(ctx context.Context, callerAccount, roleArn string) (t authz.Target, role *Role, err error)
	// PolicyExists reports whether a managed policy exists for account
	// (its own, or AWS's).
	PolicyExists(ctx context.Context, account, policyArn string) (bool, error)
	// RecordRoleUsed notes a role's use (RoleLastUsed).
	RecordRoleUsed(ctx context.Context, account, roleName, region string, at time.Time) error
}

// Role is what STS needs of a role.
type Role struct {
	Arn, RoleName, RoleId string
	MaxSessionDuration    time.Duration // 0: the default, an hour
}

// Config is what the STS domain is built from.
type Config struct {
	Store store.Store
	Clock ids.Clock
	IDs   ids.Generator
	Roles Roles
	// Authorizer decides sts:AssumeRole (and sts:TagSession,
	// sts:SetSourceIdentity); nil allows them all.
	Authorizer authz.Decider
	// RootMayAssume lets an account's root user assume roles, which AWS
	// refuses (errRootAssume): --auth lenient, for code written against
	// emulators that allow it. The role's trust policy still decides.
	RootMayAssume bool
	// WebIdentity verifies AssumeRoleWithWebIdentity's tokens
	// (webidentity.go); nil refuses every token.
	WebIdentity *WebIdentity
	// MFA checks MFA codes (mfa.go); nil: no device is anyone's.
	MFA MFA
	// SAML finds IAM's SAML providers for AssumeRoleWithSAML (saml.go);
	// nil: there are none.
	SAML SAMLProviders
	// Extras is what the operations beyond sessions and roles read of the
	// rest of rolecall (extras.go).
	Extras Extras
}

// RootAssumeRelaxed is what RootMayAssume relaxes, for the start-up banner.
var RootAssumeRelaxed = "the root user may assume roles (AWS answers \"" + awserr.As(errRootAssume()).Message +
	"\"); the role's trust policy still decides whether the root's account may"

// Service is the STS domain.
type Service struct {
	st            store.Store
	clock         ids.Clock
	gen           ids.Generator
	roles         Roles
	authz         authz.Decider
	rootMayAssume bool
	web           *WebIdentity
	mfa           MFA
	saml          SAMLProviders
	extras        Extras
}

// New returns the STS domain.
func New(c Config) *Service {
	return &Service{st: c.Store, clock: c.Clock, gen: c.IDs, roles: c.Roles, authz: c.Authorizer, rootMayAssume: c.RootMayAssume, web: c.WebIdentity, mfa: c.MFA, saml: c.SAML, extras: c.Extras}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

// Credentials are temporary security credentials, as STS returns them.
type Credentials struct {
	AccessKeyId, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
}

// sessionRecord is an issued set of credentials and who they make the
// caller.
type sessionRecord struct {
	AccessKeyId, SecretAccessKey, SessionToken string
	Expiration, IssuedAt                       time.Time
	Principal                                  principal.Principal
}

const expiryFormat = "20060102T150405Z"

// expiryKey is a session's key in bucketExpiry.
func expiryKey(r *sessionRecord) string {
	return r.Expiration.Format(expiryFormat) + "/" + r.AccessKeyId
}

// issue makes credentials for principal, valid for d, and stores them.
func (s *Service) issue(ctx context.Context, p principal.Principal, d time.Duration) (*Credentials, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	id := s.gen.ID("ASIA")
	rec := sessionRecord{
		// ASIA and 16 characters, 20 in all, as AWS's are.
		AccessKeyId:     "ASIA" + id[5:],
		SecretAccessKey: s.gen.Secret(40),
		SessionToken:    s.gen.Secret(300),
		Expiration:      now.Add(d),
		IssuedAt:        now,
		Principal:       p,
	}
	b, err := json.Marshal(&rec)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx store.Tx) error {
		if err := purgeExpired(tx, now.Add(-keepExpired)); err != nil {
			return err
		}
		if err := tx.Put(bucketSessions, rec.AccessKeyId, b); err != nil {
			return err
		}
		return tx.Put(bucketExpiry, expiryKey(&rec), []byte{1})
	})
	if err != nil {
		return nil, err
	}
	return &Credentials{AccessKeyId: rec.AccessKeyId, SecretAccessKey: rec.SecretAccessKey, SessionToken: rec.SessionToken, Expiration: rec.Expiration}, nil
}

// purgeExpired deletes up to purgeBatch sessions that expired before cut.
func purgeExpired(tx store.Tx, cut time.Time) error {
	limit := cut.Format(expiryFormat)
	var keys []string
	err := tx.Scan(bucketExpiry, "", "", func(k string, _ []byte) bool {
		if k >= limit || len(keys) >= purgeBatch {
			return false
		}
		keys = append(keys, k)
		return true
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(bucketExpiry, k); err != nil {
			return err
		}
		if i := len(expiryFormat) + 1; len(k) > i {
			if err := tx.Delete(bucketSessions, k[i:]); err != nil {
				return err
			}
		}
	}
	return nil
}

// Session finds the credentials STS issued with this access key id, for
// the authenticator; nil, nil if STS never issued it (or purged it long
// after it expired).
func (s *Service) Session(ctx context.Context, accessKeyID string) (*principal.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *principal.Session
	err := s.st.View(func(tx store.Tx) error {
		b, ok := tx.Get(bucketSessions, accessKeyID)
		if !ok {
			return nil
		}
		var rec sessionRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return fmt.Errorf("sts: corrupt session %s: %w", accessKeyID, err)
		}
		out = &principal.Session{AccessKeyID: rec.AccessKeyId, SecretAccessKey: rec.SecretAccessKey, SessionToken: rec.SessionToken,
			Expiration: rec.Expiration, IssuedAt: rec.IssuedAt, Principal: rec.Principal}
		return nil
	})
	return out, err
}

// CallerIdentity is GetCallerIdentity's answer.
type CallerIdentity struct {
	UserId, Account, Arn string
}

// GetCallerIdentity answers who the caller is: the account ID and root ARN
// for root, the user's ID and ARN for a user, ROLEID:SESSION and the
// assumed-role ARN for a role session. Credentials from GetSessionToken
// answer as the user (or root) that asked for them. No permission is
// needed, and none can deny it.
func (s *Service) GetCallerIdentity(ctx context.Context, caller *principal.Principal) (*CallerIdentity, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &CallerIdentity{UserId: caller.UserID, Account: caller.Account, Arn: caller.ARN}, nil
}
