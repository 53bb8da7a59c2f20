package auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth/sigv4"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/leniency"
	"github.com/rolecall/rolecall/internal/principal"
)

// Mode is how strictly requests are authenticated.
type Mode uint8

const (
	// Strict is AWS's behaviour: every request is signed with a known key
	// and the right secret, at the right time.
	Strict Mode = iota
	// Lenient is for teams coming from emulators that accept anything: a
	// request is never refused for its credentials. A known key acts as its
	// principal whatever the signature; an unknown key acts as the root of
	// the default account, or of the account it names when it is 12 digits;
	// an unsigned request acts as the default account's root.
	Lenient
)

func (m Mode) String() string {
	if m == Lenient {
		return "lenient"
	}
	return "strict"
}

// Relaxed says what lenient mode lets through that AWS refuses, for the
// start-up banner; nothing in strict mode.
func (a *Authenticator) Relaxed() []string {
	if a.Mode != Lenient {
		return nil
	}
	return []string{
		"signatures are not checked: a wrong secret or signature, a stale date, a credential scope naming another service or no valid Region, and an unsigned host or X-Amz-Target header are let through",
		"an unknown access key, and an unsigned request, act as the root user of " + a.DefaultAccount + " (a 12-digit access key id: the root user of that account)",
		"expired session credentials, a session token that is not its key's, and an inactive access key act as their principal",
		"GetSessionToken credentials may call IAM without MFA",
	}
}

// ParseMode reads --auth.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "strict", "":
		return Strict, nil
	case "lenient":
		return Lenient, nil
	}
	return Strict, fmt.Errorf("unknown auth mode %q: want strict or lenient", s)
}

// The emulator convention's root credentials: access key "test", secret
// "test", for the default account; and a 12-digit access key with secret
// "test" for that account's root, so that cross-account scenarios can be
// driven through the wire (LocalStack's convention too).
const (
	RootAccessKey = "test"
	RootSecret    = "test"
)

// Sessions finds temporary credentials by access key id (internal/sts).
type Sessions interface {
	// Session returns nil, nil for an access key it never issued.
	Session(ctx context.Context, accessKeyID string) (*principal.Session, error)
}

// AccessKey is what authentication needs to know about an IAM user's
// access key: its secret, whether it is active, and whose it is.
type AccessKey struct {
	Account, AccessKeyID, SecretAccessKey string
	Active                                bool
	UserName, UserID, ARN                 string
}

// AccessKeys finds IAM users' access keys (internal/iam, wired by
// internal/app).
type AccessKeys interface {
	// AccessKey returns nil, nil for a key that does not exist.
	AccessKey(ctx context.Context, accessKeyID string) (*AccessKey, error)
	RecordAccessKeyUsed(ctx context.Context, accessKeyID, service, region string, at time.Time) error
}

// AWS's answers to authentication failures on IAM and STS (query
// protocol). Raw IAM and STS error bodies carry these texts without a final
// period (aws/aws-cli #8918, IAM, 2024; aws-azure-login #251, regional
// STS, 2022; cfn-sphere #55, ExpiredToken on IAM).
const (
	msgInvalidToken = "The security token included in the request is invalid"
	msgExpiredToken = "The security token included in the request is expired"
)

func errInvalidClientToken() *awserr.Error {
	return awserr.New(http.StatusForbidden, "InvalidClientTokenId", msgInvalidToken)
}

// InvalidClientToken is AWS's answer for a key it does not know, for the
// operations that name keys (STS GetAccessKeyInfo).
func InvalidClientToken() *awserr.Error { return errInvalidClientToken() }

func errExpiredToken() *awserr.Error {
	return awserr.New(http.StatusForbidden, "ExpiredToken", msgExpiredToken)
}

// skew is a service's signing-time window: AWS's usual 15 minutes but
// where a service allows less. ECS answers "Signature expired: ... (... -
// 5 min.)" (fabfuel/ecs-deploy #126, sil-org/ecs-deploy #69:
// DescribeServices). A switch, not a map: every request asks.
func skew(service string) time.Duration {
	switch service {
	case "ecs":
		return 5 * time.Minute
	}
	return sigv4.MaxSkew
}

// Authenticator resolves a request's principal.
type Authenticator struct {
	Mode           Mode
	DefaultAccount string
	Clock          ids.Clock
	Keys           AccessKeys // nil: no IAM users' keys
	Sessions       Sessions   // nil: no temporary credentials
	// Generation, when set, counts the writes committed to the state Keys
	// and Sessions read (authz.Versioned.Generation). A key or session
	// read is then kept while no write has been committed since it was
	// read: a warm request reads no state (a user's key cost ~10 µs more
	// than root's without it), and a key deleted or made inactive, or its
	// user deleted or renamed, is refused from the next request on. Nil:
	// every request looks its key up.
	Generation func() uint64

	mu   sync.Mutex
	used map[string]keyUse // access key -> last use recorded

	cacheMu sync.RWMutex
	cache   map[string]cachedKey // access key -> what it resolved to

	rootMu sync.RWMutex
	roots  map[string]*principal.Principal // root access key -> its principal
}

// cachedKey is an access key's lookup, valid while the write count is gen:
// an IAM user's key or an STS session (never both), and the principal it
// signs as, made once and shared as root's are (root).
type cachedKey struct {
	gen       uint64
	key       *AccessKey
	session   *principal.Session
	principal *principal.Principal
}

// keyCacheMax bounds the cache; past it the cache starts again.
const keyCacheMax = 4096

type keyUse struct {
	at              time.Time
	service, region string
}

// keyUseInterval bounds how often one key's last use is written: AWS's
// GetAccessKeyLastUsed is itself coarse (updated within hours), and a write
// per request would cost a durable commit per request.
const keyUseInterval = time.Minute

// Authenticate verifies r (whose body has been read into body), signed for
// service (the credential scope's, or the service routed to), and returns
// its principal. Failures are AWS's query-protocol answers; JSON protocols
// rename them (see JSONError).
//
// In lenient mode a request is checked as strictly, and what strict mode
// would refuse is let through instead (Relaxed lists how), noted on ctx
// (internal/leniency) so that the answer says so.
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, body []byte, service string) (*principal.Principal, *awserr.Error) {
	var sig sigv4.Signature // on the stack: every request has one
	p, signed, err := a.authenticate(ctx, r, body, service, &sig)
	if err != nil {
		if a.Mode != Lenient || err.Status >= 500 {
			return nil, err
		}
		leniency.Note(ctx, "authentication: AWS would answer "+err.Code)
		if p == nil {
			if !signed {
				return a.lenientPrincipal(nil), nil
			}
			return a.lenientPrincipal(&sig), nil
		}
		// A known key, with a signature, scope or date AWS would refuse:
		// it acts as its principal.
	}
	if p.Kind == principal.User && !p.Temporary {
		// GetSessionToken credentials (ASIA...) are no access key of the
		// user's: GetAccessKeyLastUsed knows nothing of them.
		a.recordKeyUse(ctx, p.AccessKeyID, service, sig.Region, a.Clock.Now())
	}
	return p, nil
}

// authenticate is strict authentication. A principal returned with an
// error is the key's, whose request failed a later check (its signature,
// scope or date); sig is filled with the request's signature, and signed
// says whether it has one.
func (a *Authenticator) authenticate(ctx context.Context, r *http.Request, body []byte, service string, sig *sigv4.Signature) (*principal.Principal, bool, *awserr.Error) {
	if perr := sigv4.ParseInto(r, sig); perr != nil {
		return nil, false, perr
	}
	now := a.Clock.Now()
	// Checks that need no key come first, as AWS's answers show.
	early := sig.CheckSignedHeaders(r, targetHeader)
	if early == nil {
		early = sig.CheckScope(service, ValidRegion)
	}
	if early == nil {
		early = sig.CheckTime(now, skew(service))
	}
	if early != nil && a.Mode == Strict {
		// Strict mode answers these before it looks the key up; lenient
		// mode still wants the key's principal.
		return nil, true, early
	}
	p, secret, err := a.resolve(ctx, sig, now)
	if err != nil {
		return nil, true, err
	}
	if early != nil {
		return p, true, early
	}
	if err := sig.CheckSignature(r, body, secret); err != nil {
		return p, true, err
	}
	// GetSessionToken credentials cannot call IAM unless they were
	// issued with MFA ("You cannot call any IAM API operations unless MFA
	// authentication information is included in the request",
	// GetSessionToken API reference): AWS answers InvalidClientTokenId
	// (99designs/aws-vault #15, #1056; aws/aws-sdk-js #460). Federated
	// users neither (jantman/awslimitchecker #139). A delegated session
	// (GetDelegatedAccessToken) acts in IAM as its delegation allows.
	if p.Temporary && p.Kind != principal.AssumedRole && p.DelegatedPolicy == "" && service == "iam" && p.MFAAuthTime.IsZero() {
		return p, true, errInvalidClientToken()
	}
	return p, true, nil
}

// targetHeader is X-Amz-Target, which names a JSON protocol's operation.
var targetHeader = sigv4.Key("X-Amz-Target")

// resolve finds the principal and secret of the signature's access key.
func (a *Authenticator) resolve(ctx context.Context, sig *sigv4.Signature, now time.Time) (*principal.Principal, string, *awserr.Error) {
	key := sig.AccessKey
	if key == RootAccessKey || arn.IsAccountID(key) {
		if sig.SecurityToken != "" {
			return nil, "", errInvalidClientToken()
		}
		account := a.DefaultAccount
		if key != RootAccessKey {
			account = key
		}
		return a.root(account, key), RootSecret, nil
	}
	// STS's access keys begin ASIA, IAM users' AKIA: one lookup each.
	if a.Sessions != nil && strings.HasPrefix(key, "ASIA") {
		s, sp, err := a.session(ctx, key)
		if err != nil {
			return nil, "", awserr.As(err)
		}
		if s != nil {
			// A temporary key needs its own token (AWS decodes the
			// session from it).
			if sig.SecurityToken == "" || sig.SecurityToken != s.SessionToken {
				return nil, "", errInvalidClientToken()
			}
			if !now.Before(s.Expiration) {
				return nil, "", errExpiredToken()
			}
			return sp, s.SecretAccessKey, nil
		}
	}
	if a.Keys != nil && !strings.HasPrefix(key, "ASIA") {
		k, kp, err := a.accessKey(ctx, key)
		switch {
		case err != nil:
			return nil, "", awserr.As(err)
		case k == nil:
		case !k.Active:
			// An inactive key is refused as an unknown one.
			return nil, "", errInvalidClientToken()
		case sig.SecurityToken != "":
			// A long-term key with a session token (a stale
			// AWS_SESSION_TOKEN): the token does not belong to it.
			return nil, "", errInvalidClientToken()
		default:
			return kp, k.SecretAccessKey, nil
		}
	}
	return nil, "", errInvalidClientToken()
}

// root is the root user that access key key signs as in account. A root
// user is made of its key and account alone, which no write changes, so
// each is made once and shared: no one changes an authenticated
// principal (a copy is made to change one, as STS and the console do).
func (a *Authenticator) root(account, key string) *principal.Principal {
	a.rootMu.RLock()
	p := a.roots[key]
	a.rootMu.RUnlock()
	if p != nil && p.Account == account {
		return p
	}
	p = principal.RootUser(account)
	p.AccessKeyID = key
	a.rootMu.Lock()
	if a.roots == nil || len(a.roots) >= keyCacheMax {
		a.roots = map[string]*principal.Principal{}
	}
	a.roots[key] = p
	a.rootMu.Unlock()
	return p
}

// accessKey is Keys.LookupAccessKey, through the cache, with the
// principal the key signs as (nil for no key).
func (a *Authenticator) accessKey(ctx context.Context, id string) (*AccessKey, *principal.Principal, error) {
	e, g, ok := a.cached(id)
	if ok && e.key != nil {
		return e.key, e.principal, nil
	}
	k, err := a.Keys.AccessKey(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var p *principal.Principal
	if k != nil {
		p = userPrincipal(k, id)
	}
	a.remember(id, g, cachedKey{key: k, principal: p})
	return k, p, nil
}

func userPrincipal(k *AccessKey, id string) *principal.Principal {
	return &principal.Principal{Kind: principal.User, Account: k.Account, ARN: k.ARN, UserID: k.UserID, Name: k.UserName, AccessKeyID: id}
}

// session is Sessions.Session, through the cache, with the principal its
// key signs as (nil for no session). Sessions never change once issued;
// the write count still bounds how long one is kept.
func (a *Authenticator) session(ctx context.Context, id string) (*principal.Session, *principal.Principal, error) {
	e, g, ok := a.cached(id)
	if ok && e.session != nil {
		return e.session, e.principal, nil
	}
	s, err := a.Sessions.Session(ctx, id)
	if err != nil || s == nil {
		return s, nil, err
	}
	p := s.Principal
	p.AccessKeyID, p.Temporary, p.Expiration, p.IssuedAt = id, true, s.Expiration, s.IssuedAt
	a.remember(id, g, cachedKey{session: s, principal: &p})
	return s, &p, nil
}

// cached returns id's entry if it was read at the current write count,
// and the count to store a fresh read under: read before the lookup, so
// that a write committed during the lookup leaves the entry stale.
func (a *Authenticator) cached(id string) (cachedKey, uint64, bool) {
	if a.Generation == nil {
		return cachedKey{}, 0, false
	}
	g := a.Generation()
	a.cacheMu.RLock()
	e, ok := a.cache[id]
	a.cacheMu.RUnlock()
	return e, g, ok && e.gen == g
}

func (a *Authenticator) remember(id string, g uint64, e cachedKey) {
	if a.Generation == nil {
		return
	}
	e.gen = g
	a.cacheMu.Lock()
	if a.cache == nil || len(a.cache) >= keyCacheMax {
		a.cache = map[string]cachedKey{}
	}
	a.cache[id] = e
	a.cacheMu.Unlock()
}

// lenientPrincipal is the principal of a request lenient mode cannot
// authenticate: a known key's principal, else a root user.
func (a *Authenticator) lenientPrincipal(sig *sigv4.Signature) *principal.Principal {
	if sig == nil {
		return principal.RootUser(a.DefaultAccount)
	}
	if arn.IsAccountID(sig.AccessKey) {
		return principal.RootUser(sig.AccessKey)
	}
	ctx := context.Background()
	if a.Sessions != nil {
		if s, err := a.Sessions.Session(ctx, sig.AccessKey); err == nil && s != nil {
			p := s.Principal
			p.AccessKeyID, p.Temporary, p.Expiration = sig.AccessKey, true, s.Expiration
			return &p
		}
	}
	if a.Keys != nil {
		if k, err := a.Keys.AccessKey(ctx, sig.AccessKey); err == nil && k != nil {
			return userPrincipal(k, sig.AccessKey)
		}
	}
	return principal.RootUser(a.DefaultAccount)
}

// recordKeyUse notes an IAM user key's use for GetAccessKeyLastUsed, at
// most once per keyUseInterval per key unless the service or region
// changes. A failure to record does not fail the request.
func (a *Authenticator) recordKeyUse(ctx context.Context, key, service, region string, now time.Time) {
	if a.Keys == nil {
		return
	}
	a.mu.Lock()
	last, ok := a.used[key]
	if ok && last.service == service && last.region == region && now.Sub(last.at) < keyUseInterval && !now.Before(last.at) {
		a.mu.Unlock()
		return
	}
	if a.used == nil || len(a.used) > 100000 {
		a.used = map[string]keyUse{}
	}
	a.used[key] = keyUse{at: now, service: service, region: region}
	a.mu.Unlock()
	_ = a.Keys.RecordAccessKeyUsed(ctx, key, service, region, now)
}

// ValidRegion reports whether r has the shape of an AWS Region's name:
// us-east-1, eu-central-2, us-gov-west-1, cn-north-1, us-isob-east-1.
// IAM's Region is us-east-1 on AWS, but an SDK pointed at a custom
// endpoint (AWS_ENDPOINT_URL) signs IAM requests with the Region it is
// configured for, so rolecall takes any Region there.
func ValidRegion(r string) bool {
	// Split in place: 3 or 4 parts.
	var buf [4]string
	count := 0
	for rest, more := r, true; more; count++ {
		if count == len(buf) {
			return false
		}
		buf[count], rest, more = strings.Cut(rest, "-")
	}
	parts := buf[:count]
	if len(parts) < 3 || len(parts[0]) != 2 {
		return false
	}
	for _, c := range parts[0] {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	if len(parts) == 4 && !partitionInfix(parts[1]) {
		return false
	}
	if !direction(parts[len(parts)-2]) {
		return false
	}
	n := parts[len(parts)-1]
	if len(n) < 1 || len(n) > 2 || n[0] == '0' {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return true
}

// partitionInfix and direction are switches, not maps: every request asks.
func partitionInfix(s string) bool {
	switch s {
	case "gov", "iso", "isob", "isoe", "isof":
		return true
	}
	return false
}

func direction(s string) bool {
	switch s {
	case "north", "south", "east", "west", "central", "northeast", "northwest", "southeast", "southwest":
		return true
	}
	return false
}

// EC2Error renames an authentication failure for EC2, which does not say
// whether the key or the signature was wrong: both are AuthFailure (401,
// "AWS was not able to validate the provided access credentials"); a
// signing time out of the window and expired temporary credentials are
// RequestExpired ("Request has expired.", aws/aws-sdk-go-v2 #1674:
// DescribeRegions with expired SSO credentials). Codes from
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
func EC2Error(e *awserr.Error) *awserr.Error {
	stale := strings.HasPrefix(e.Message, sigv4.StaleExpired) || strings.HasPrefix(e.Message, sigv4.StaleFuture)
	switch {
	case e.Code == "ExpiredToken" || (e.Code == "SignatureDoesNotMatch" && stale):
		return awserr.New(http.StatusBadRequest, "RequestExpired", "Request has expired.")
	case e.Code == "InvalidClientTokenId" || e.Code == "SignatureDoesNotMatch":
		return awserr.New(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	}
	return e
}

// JSONError renames an authentication failure for a JSON-protocol service
// (ECS), which answers with its own codes, 400 and texts ending in a
// period (ecs-cli and other reports: "UnrecognizedClientException: The
// security token included in the request is invalid. status code: 400";
// InvalidSignatureException "Signature expired: ..." with status 400).
func JSONError(e *awserr.Error) *awserr.Error {
	switch e.Code {
	case "InvalidClientTokenId":
		return awserr.New(http.StatusBadRequest, "UnrecognizedClientException", msgInvalidToken+".")
	case "ExpiredToken":
		return awserr.New(http.StatusBadRequest, "ExpiredTokenException", msgExpiredToken+".")
	case "SignatureDoesNotMatch":
		return awserr.New(http.StatusBadRequest, "InvalidSignatureException", "%s", e.Message)
	case "IncompleteSignature":
		return awserr.New(http.StatusBadRequest, "IncompleteSignatureException", "%s", e.Message)
	case "MissingAuthenticationToken":
		// Unverified for ECS: the shape of AWS's JSON services.
		return awserr.New(http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
	}
	return e
}
