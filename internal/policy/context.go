package policy

import (
	"sort"
	"strings"
)

// Context is a request's condition keys and their values (the "request
// context" of the IAM User Guide, "Policy evaluation logic"). Keys are
// case-insensitive ("Key names are case-insensitive. For example,
// aws:CurrentTime is equivalent to AWS:currenttime": IAM User Guide, "IAM
// policy elements: Variables and tags"); values are kept as given and
// compared as each condition operator says.
//
// Every key may hold several values (aws:TagKeys, aws:CalledVia...); a
// single-valued key is a one-value list. A key set with no values is the
// empty set: ForAllValues matches it, every other operator treats it as
// absent.
//
// Build a Context once per request, then evaluate as many policies against
// it as needed: lookups are one map access on a key lowered at compile
// time. A Context is not safe for concurrent writes; concurrent Evaluate
// calls that only read it are fine.
type Context struct {
	index map[string]int // lowered key -> entries index
	ents  []ctxEntry
}

type ctxEntry struct {
	key    string // as first set
	lkey   string // lowered
	values []string
}

// smallContext is the size up to which lookups scan entries instead of
// hashing: cheaper for the handful of keys most requests carry.
const smallContext = 8

// NewContext returns an empty context.
func NewContext() *Context { return &Context{index: map[string]int{}} }

// Set sets key to values, replacing what it held. It returns c, so that
// calls chain.
func (c *Context) Set(key string, values ...string) *Context {
	if c.index == nil {
		c.index = map[string]int{}
	}
	lk := strings.ToLower(key)
	vs := append([]string(nil), values...)
	if vs == nil {
		vs = []string{}
	}
	if i, ok := c.index[lk]; ok {
		c.ents[i].values = vs
		return c
	}
	c.index[lk] = len(c.ents)
	c.ents = append(c.ents, ctxEntry{key: key, lkey: lk, values: vs})
	return c
}

// Add appends values to key's values.
func (c *Context) Add(key string, values ...string) *Context {
	if i, ok := c.index[strings.ToLower(key)]; ok {
		c.ents[i].values = append(c.ents[i].values, values...)
		return c
	}
	return c.Set(key, values...)
}

// Values returns key's values and whether the key is present at all.
func (c *Context) Values(key string) ([]string, bool) {
	return c.lookup(strings.ToLower(key))
}

// Delete removes key.
func (c *Context) Delete(key string) {
	lk := strings.ToLower(key)
	i, ok := c.index[lk]
	if !ok {
		return
	}
	delete(c.index, lk)
	c.ents = append(c.ents[:i], c.ents[i+1:]...)
	for k, j := range c.index {
		if j > i {
			c.index[k] = j - 1
		}
	}
}

// Keys lists the keys, as first set, in the order they were first set.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	out := make([]string, len(c.ents))
	for i, e := range c.ents {
		out[i] = e.key
	}
	return out
}

// lookup takes an already lowered key. It is the hot path: no allocation.
func (c *Context) lookup(lowerKey string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	if len(c.ents) <= smallContext {
		for i := range c.ents {
			if e := &c.ents[i]; len(e.lkey) == len(lowerKey) && e.lkey == lowerKey {
				return e.values, true
			}
		}
		return nil, false
	}
	i, ok := c.index[lowerKey]
	if !ok {
		return nil, false
	}
	return c.ents[i].values, true
}

// single returns key's value when the key has exactly one: policy
// variables can only be single-valued keys ("You can use any available
// single-valued context key as a policy variable, but you can't use a
// multivalued context key": IAM User Guide, "Single-valued vs. multivalued
// context keys").
func (c *Context) single(lowerKey string) (string, bool) {
	vs, ok := c.lookup(lowerKey)
	if !ok || len(vs) != 1 {
		return "", false
	}
	return vs[0], true
}

// CallerKind says what kind of principal makes a request.
type CallerKind uint8

const (
	// CallerAnonymous is an unauthenticated request.
	CallerAnonymous CallerKind = iota
	// CallerRoot is an account's root user.
	CallerRoot
	// CallerUser is an IAM user.
	CallerUser
	// CallerRoleSession is a role session (AssumeRole, AssumeRoleWithSAML,
	// AssumeRoleWithWebIdentity, an instance profile, an ECS task role...):
	// ARN is the session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)
	// and Issuer the role ARN (arn:aws:iam::ACCOUNT:role/PATH/ROLE).
	CallerRoleSession
	// CallerFederatedUser is a GetFederationToken session: ARN is
	// arn:aws:sts::ACCOUNT:federated-user/NAME and Issuer the IAM user
	// that asked for it.
	CallerFederatedUser
	// CallerService is an AWS service principal ("ecs-tasks.amazonaws.com"),
	// as when a service assumes a role: ARN is the service principal name.
	CallerService
	// CallerFederated is an identity provider's principal before it has a
	// role, as in AssumeRoleWithWebIdentity or AssumeRoleWithSAML: ARN is
	// the provider ("cognito-identity.amazonaws.com",
	// "arn:aws:iam::ACCOUNT:oidc-provider/...").
	CallerFederated
)

var callerKindNames = [...]string{"anonymous", "root", "user", "role-session", "federated-user", "service", "federated"}

func (k CallerKind) String() string {
	if int(k) < len(callerKindNames) {
		return callerKindNames[k]
	}
	return "unknown"
}

// Caller is the principal that makes a request: the request side of
// Principal matching in resource-based and trust policies, and the "User:"
// of AccessDenied messages.
type Caller struct {
	Kind    CallerKind
	ARN     string // see CallerKind; the root user's is arn:aws:iam::ACCOUNT:root
	Account string // 12-digit account ID; "" for services, federated and anonymous callers
	Issuer  string // role ARN (role sessions) or IAM user ARN (federated users)
	UserID  string // unique ID: AIDA... (user), AROA...:SESSION (role session), ACCOUNT (root)
	Name    string // friendly name of an IAM user (aws:username)

	// Tags are the principal's tags: the user's or role's, with session tags
	// taking precedence for sessions (aws:PrincipalTag/KEY).
	Tags           map[string]string
	SourceIdentity string
}

// AddCaller sets the global condition keys that describe c, as AWS fills
// them in every request (IAM User Guide, "IAM policy elements: Variables
// and tags", principal key values; "AWS global condition context keys"):
// aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:userid,
// aws:username (IAM users only), aws:PrincipalTag/KEY and
// aws:SourceIdentity. Keys already set are left alone, so a simulation can
// override them. Policy simulations that want AWS's MissingContextValues
// should not call this: the IAM simulator does not fill these keys itself.
func (c *Context) AddCaller(p Caller) *Context {
	set := func(k string, v string) {
		if v == "" {
			return
		}
		if _, ok := c.lookup(strings.ToLower(k)); !ok {
			c.Set(k, v)
		}
	}
	switch p.Kind {
	case CallerRoot:
		set("aws:PrincipalArn", p.ARN)
		set("aws:PrincipalType", "Account")
		set("aws:userid", firstNonEmpty(p.UserID, p.Account))
	case CallerUser:
		set("aws:PrincipalArn", p.ARN)
		set("aws:PrincipalType", "User")
		set("aws:userid", p.UserID)
		set("aws:username", p.Name)
	case CallerRoleSession:
		// aws:PrincipalArn of a role session is the role's ARN (global
		// condition keys, aws:PrincipalArn).
		set("aws:PrincipalArn", p.Issuer)
		set("aws:PrincipalType", "AssumedRole")
		set("aws:userid", p.UserID)
	case CallerFederatedUser:
		set("aws:PrincipalArn", p.ARN)
		set("aws:PrincipalType", "FederatedUser")
		set("aws:userid", p.UserID)
	case CallerService:
		set("aws:PrincipalServiceName", p.ARN)
	}
	set("aws:PrincipalAccount", p.Account)
	set("aws:SourceIdentity", p.SourceIdentity)
	keys := make([]string, 0, len(p.Tags))
	for k := range p.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic Keys order
	for _, k := range keys {
		set("aws:PrincipalTag/"+k, p.Tags[k])
	}
	return c
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
