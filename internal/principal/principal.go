// Package principal is who makes a request: an account's root user, an IAM
// user, a role session, or an AWS service acting inside rolecall. It is a
// leaf: authentication (internal/auth) makes principals, the authorizer
// (internal/authz) decides for them, STS issues sessions of them, and ECS
// keeps a task's sessions, without any of them linking the others.
package principal

import (
	"time"

	"github.com/rolecall/rolecall/internal/policy"
)

// Kind is what kind of principal makes a request.
type Kind uint8

const (
	// Root is an account's root user.
	Root Kind = iota + 1
	// User is an IAM user.
	User
	// AssumedRole is a role session (AssumeRole, or a service assuming a
	// role for a task or an instance).
	AssumedRole
	// Service is an AWS service principal acting inside rolecall
	// ("ecs-tasks.amazonaws.com" assuming a task role).
	Service
	// Federated is an identity provider's user before it has a role
	// (AssumeRoleWithWebIdentity, AssumeRoleWithSAML): ARN is the
	// provider's (arn:aws:iam::ACCOUNT:oidc-provider/NAME or
	// saml-provider/NAME), Account its account.
	Federated
	// FederatedUser is a GetFederationToken session: the IAM user (or
	// root) that asked for it, limited by its session policies.
	FederatedUser
)

var kindNames = [...]string{"", "root", "user", "assumed-role", "service", "federated", "federated-user"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "unknown"
}

// Tag is a session tag.
type Tag struct {
	Key, Value string
}

// Principal is an authenticated caller. Its JSON form is what STS keeps of
// a session: field names are part of the state file.
type Principal struct {
	Kind    Kind
	Account string // 12-digit account; "" for services
	// ARN as GetCallerIdentity answers it: arn:aws:iam::ACCOUNT:root,
	// arn:aws:iam::ACCOUNT:user/PATH/NAME,
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION; for a service, its
	// principal name ("ecs-tasks.amazonaws.com").
	ARN string
	// UserID as GetCallerIdentity answers it: the account ID for root,
	// AIDA... for a user, AROA...:SESSION for a role session.
	UserID string
	// Name is the user's name (users), the role's name (role sessions) or
	// the service principal (services).
	Name string

	// AccessKeyID is the key the request was signed with; "" for services.
	AccessKeyID string
	// Temporary is set for requests signed with STS credentials: every role
	// session, and root or users signing with GetSessionToken credentials
	// (which AWS does not let call IAM, nor STS other than AssumeRole and
	// GetCallerIdentity).
	Temporary bool
	// Expiration is when temporary credentials expire; IssuedAt when
	// they were issued (aws:TokenIssueTime, which the IAM console's
	// "Revoke active sessions" policy compares).
	Expiration time.Time
	IssuedAt   time.Time `json:"-"`

	// Role sessions.
	RoleARN     string // arn:aws:iam::ACCOUNT:role/PATH/NAME
	RoleID      string // AROA...
	SessionName string
	// SessionTags are the session's tags, transitive ones included (those
	// inherited through role chaining first).
	SessionTags []Tag `json:",omitempty"`
	// TransitiveTagKeys name the session tags that pass on to sessions
	// this one assumes (role chaining).
	TransitiveTagKeys []string `json:",omitempty"`
	// SessionPolicy is the inline session policy; SessionPolicyARNs the
	// managed session policies.
	SessionPolicy     string   `json:",omitempty"`
	SessionPolicyARNs []string `json:",omitempty"`
	SourceIdentity    string   `json:",omitempty"`
	// Chained is set for a session assumed with another role session's
	// credentials (role chaining: AWS caps its duration at one hour).
	Chained bool `json:",omitempty"`
	// AssumedBy is the ARN of the principal that assumed the role (a user,
	// a role session, or a service principal).
	AssumedBy string `json:",omitempty"`
	// MFAAuthTime is when the principal proved an MFA code: for
	// credentials that GetSessionToken or AssumeRole issued after checking
	// one (or that a session holding it assumed), and for the AssumeRole
	// request that passes one. It sets aws:MultiFactorAuthPresent and
	// aws:MultiFactorAuthAge; zero: no MFA.
	MFAAuthTime time.Time `json:",omitzero"`
	// FederationKeys are condition keys a federated session brings to its
	// own requests (AssumeRoleWithSAML: saml:sub, saml:sub_type and
	// saml:namequalifier), for the role's permission policies.
	FederationKeys map[string]string `json:",omitempty"`

	// Federated users (federation.go): Issuer is the ARN of the IAM user
	// (or root) that called GetFederationToken, IssuerID its unique id
	// ("" for root); Name is that user's name, SessionName the federated
	// user's.
	Issuer   string `json:",omitempty"`
	IssuerID string `json:",omitempty"`
	// DelegatedPolicy is the permission policy of an accepted delegation
	// request (GetDelegatedAccessToken): one more session policy.
	DelegatedPolicy string `json:",omitempty"`
}

// RootUser is an account's root user, as its root access keys make it.
func RootUser(account string) *Principal {
	return &Principal{Kind: Root, Account: account, ARN: "arn:aws:iam::" + account + ":root", UserID: account}
}

// AWSService is an AWS service principal ("ecs-tasks.amazonaws.com")
// acting inside rolecall.
func AWSService(name string) *Principal {
	return &Principal{Kind: Service, ARN: name, Name: name}
}

// EntityID is the unique id of the IAM user or role behind p (AIDA...,
// AROA...); "" for root and services.
func (p *Principal) EntityID() string {
	switch p.Kind {
	case User:
		return p.UserID
	case AssumedRole:
		return p.RoleID
	case FederatedUser:
		return p.IssuerID
	}
	return ""
}

// Restricted reports whether session policies limit p: a role session or
// federated user given some, or any principal acting for an accepted
// delegation request.
func (p *Principal) Restricted() bool {
	return p.SessionPolicy != "" || len(p.SessionPolicyARNs) > 0 || p.DelegatedPolicy != "" || p.Kind == FederatedUser
}

// Caller is the principal as the policy engine sees it. Principal tags are
// the session tags; an authorizer that knows the user's or role's own tags
// adds them underneath (session tags win).
func (p *Principal) Caller() policy.Caller {
	c := policy.Caller{ARN: p.ARN, Account: p.Account, UserID: p.UserID, SourceIdentity: p.SourceIdentity}
	switch p.Kind {
	case Root:
		c.Kind = policy.CallerRoot
	case User:
		c.Kind = policy.CallerUser
		c.Name = p.Name
	case AssumedRole:
		c.Kind = policy.CallerRoleSession
		c.Issuer = p.RoleARN
	case FederatedUser:
		c.Kind = policy.CallerFederatedUser
		c.Issuer = p.Issuer
	case Service:
		c.Kind = policy.CallerService
	case Federated:
		// The trust policy names the provider, not an account.
		c.Kind, c.Account = policy.CallerFederated, ""
	}
	if len(p.SessionTags) > 0 {
		c.Tags = make(map[string]string, len(p.SessionTags))
		for _, t := range p.SessionTags {
			c.Tags[t.Key] = t.Value
		}
	}
	return c
}

// Session is a set of temporary credentials STS issued, and whose they are.
type Session struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
	IssuedAt                                   time.Time // aws:TokenIssueTime
	Principal                                  Principal
}
