package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/leniency"
	"github.com/rolecall/rolecall/internal/principal"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const body = "Action=GetCallerIdentity&Version=2011-06-15"

type fakeKeys struct {
	mu      sync.Mutex
	keys    map[string]*AccessKey
	used    []string
	lookups int
}

func (f *fakeKeys) AccessKey(_ context.Context, id string) (*AccessKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	if k, ok := f.keys[id]; ok {
		c := *k
		return &c, nil
	}
	return nil, nil
}

func (f *fakeKeys) RecordAccessKeyUsed(_ context.Context, id, service, region string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.used = append(f.used, id+" "+service+" "+region+" "+at.Format(time.RFC3339))
	return nil
}

type fakeSessions map[string]*principal.Session

func (f fakeSessions) Session(_ context.Context, id string) (*principal.Session, error) {
	return f[id], nil
}

func newAuthenticator(mode Mode, now time.Time) (*Authenticator, *fakeKeys) {
	keys := &fakeKeys{keys: map[string]*AccessKey{
		"AKIAALICE0000000000A": {Account: "111111111111", AccessKeyID: "AKIAALICE0000000000A", SecretAccessKey: "alice-secret", Active: true,
			UserName: "alice", UserID: "AIDAALICE", ARN: "arn:aws:iam::111111111111:user/alice"},
		"AKIAOLD0000000000000": {Account: "111111111111", AccessKeyID: "AKIAOLD0000000000000", SecretAccessKey: "old-secret",
			UserName: "alice", UserID: "AIDAALICE", ARN: "arn:aws:iam::111111111111:user/alice"},
	}}
	sessions := fakeSessions{
		"ASIAROLE000000000000": {AccessKeyID: "ASIAROLE000000000000", SecretAccessKey: "role-secret", SessionToken: "role-token", Expiration: t0.Add(time.Hour),
			Principal: principal.Principal{Kind: principal.AssumedRole, Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/app/s1", UserID: "AROAAPP:s1",
				Name: "app", RoleARN: "arn:aws:iam::111111111111:role/app", SessionName: "s1"}},
		"ASIAUSER000000000000": {AccessKeyID: "ASIAUSER000000000000", SecretAccessKey: "user-secret", SessionToken: "user-token", Expiration: t0.Add(time.Hour),
			Principal: principal.Principal{Kind: principal.User, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/alice", UserID: "AIDAALICE", Name: "alice"}},
	}
	return &Authenticator{Mode: mode, DefaultAccount: "000000000000", Clock: &ids.FixedClock{T: now}, Keys: keys, Sessions: sessions}, keys
}

// signed is a request signed by aws-sdk-go-v2's signer, as SDK calls are.
func signed(t *testing.T, service, key, secret, token string, at time.Time) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: token},
		r, hex.EncodeToString(sum[:]), service, "eu-west-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAuthenticateStrict(t *testing.T) {
	const (
		invalid = "The security token included in the request is invalid"
		expired = "The security token included in the request is expired"
	)
	cases := []struct {
		name                string
		service, key        string
		secret, token       string
		signedAt, now       time.Time
		wantARN, wantUserID string
		wantAccount         string
		temporary           bool
		status              int
		code, msg           string
	}{
		{name: "root keys", service: "sts", key: "test", secret: "test", wantARN: "arn:aws:iam::000000000000:root", wantUserID: "000000000000", wantAccount: "000000000000"},
		{name: "root keys, wrong secret", service: "sts", key: "test", secret: "nope", status: 403, code: "SignatureDoesNotMatch",
			msg: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{name: "account id key", service: "iam", key: "222222222222", secret: "test", wantARN: "arn:aws:iam::222222222222:root", wantUserID: "222222222222", wantAccount: "222222222222"},
		{name: "user key", service: "iam", key: "AKIAALICE0000000000A", secret: "alice-secret", wantARN: "arn:aws:iam::111111111111:user/alice", wantUserID: "AIDAALICE", wantAccount: "111111111111"},
		{name: "user key, wrong secret", service: "iam", key: "AKIAALICE0000000000A", secret: "x", status: 403, code: "SignatureDoesNotMatch"},
		{name: "user key with a session token", service: "iam", key: "AKIAALICE0000000000A", secret: "alice-secret", token: "stale", status: 403, code: "InvalidClientTokenId", msg: invalid},
		{name: "inactive key", service: "iam", key: "AKIAOLD0000000000000", secret: "old-secret", status: 403, code: "InvalidClientTokenId", msg: invalid},
		{name: "unknown key", service: "sts", key: "AKIANOBODY0000000000", secret: "x", status: 403, code: "InvalidClientTokenId", msg: invalid},
		{name: "role session", service: "iam", key: "ASIAROLE000000000000", secret: "role-secret", token: "role-token",
			wantARN: "arn:aws:sts::111111111111:assumed-role/app/s1", wantUserID: "AROAAPP:s1", wantAccount: "111111111111", temporary: true},
		{name: "role session without token", service: "sts", key: "ASIAROLE000000000000", secret: "role-secret", status: 403, code: "InvalidClientTokenId", msg: invalid},
		{name: "role session, wrong token", service: "sts", key: "ASIAROLE000000000000", secret: "role-secret", token: "other", status: 403, code: "InvalidClientTokenId", msg: invalid},
		{name: "role session expired", service: "sts", key: "ASIAROLE000000000000", secret: "role-secret", token: "role-token",
			signedAt: t0.Add(time.Hour), now: t0.Add(time.Hour), status: 403, code: "ExpiredToken", msg: expired},
		{name: "session token credentials on STS", service: "sts", key: "ASIAUSER000000000000", secret: "user-secret", token: "user-token",
			wantARN: "arn:aws:iam::111111111111:user/alice", wantUserID: "AIDAALICE", wantAccount: "111111111111", temporary: true},
		{name: "session token credentials on IAM", service: "iam", key: "ASIAUSER000000000000", secret: "user-secret", token: "user-token",
			status: 403, code: "InvalidClientTokenId", msg: invalid},
		{name: "stale", service: "sts", key: "test", secret: "test", signedAt: t0, now: t0.Add(20 * time.Minute), status: 403, code: "SignatureDoesNotMatch",
			msg: "Signature expired: 20260301T120000Z is now earlier than 20260301T120500Z (20260301T122000Z - 15 min.)"},
		{name: "ecs allows 5 minutes", service: "ecs", key: "test", secret: "test", signedAt: t0, now: t0.Add(6 * time.Minute), status: 403, code: "SignatureDoesNotMatch",
			msg: "Signature expired: 20260301T120000Z is now earlier than 20260301T120100Z (20260301T120600Z - 5 min.)"},
		{name: "stale date checked before the key", service: "sts", key: "AKIANOBODY0000000000", secret: "x", signedAt: t0, now: t0.Add(-20 * time.Minute),
			status: 403, code: "SignatureDoesNotMatch", msg: "Signature not yet current: 20260301T120000Z is still later than 20260301T115500Z (20260301T114000Z + 15 min.)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.signedAt.IsZero() {
				c.signedAt = t0
			}
			if c.now.IsZero() {
				c.now = c.signedAt.Add(time.Minute)
			}
			a, _ := newAuthenticator(Strict, c.now)
			r := signed(t, c.service, c.key, c.secret, c.token, c.signedAt)
			p, err := a.Authenticate(context.Background(), r, []byte(body), c.service)
			if c.code != "" {
				if err == nil || err.Code != c.code || err.Status != c.status || (c.msg != "" && err.Message != c.msg) {
					t.Fatalf("got %v (%+v), want %d %s: %s", err, p, c.status, c.code, c.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if p.ARN != c.wantARN || p.UserID != c.wantUserID || p.Account != c.wantAccount || p.Temporary != c.temporary || p.AccessKeyID != c.key {
				t.Fatalf("principal %+v", p)
			}
		})
	}
}

func TestAuthenticateUnsigned(t *testing.T) {
	a, _ := newAuthenticator(Strict, t0)
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	_, err := a.Authenticate(context.Background(), r, []byte(body), "sts")
	if err == nil || err.Code != "MissingAuthenticationToken" || err.Status != 403 || err.Message != "Request is missing Authentication Token" {
		t.Fatalf("got %v", err)
	}
}

// TestPresignedURL: a GetCallerIdentity URL presigned by the SDK (as EKS
// and Vault use them) authenticates.
func TestPresignedURL(t *testing.T) {
	a, _ := newAuthenticator(Strict, t0.Add(time.Minute))
	r := httptest.NewRequest("GET", "http://127.0.0.1:4566/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	sum := sha256.Sum256(nil)
	url, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIAALICE0000000000A", SecretAccessKey: "alice-secret"},
		r, hex.EncodeToString(sum[:]), "sts", "us-east-1", t0)
	if err != nil {
		t.Fatal(err)
	}
	p, aerr := a.Authenticate(context.Background(), httptest.NewRequest("GET", url, nil), nil, "sts")
	if aerr != nil || p.ARN != "arn:aws:iam::111111111111:user/alice" {
		t.Fatalf("%v %+v", aerr, p)
	}
	tampered := strings.Replace(url, "GetCallerIdentity", "GetSessionToken", 1)
	if _, aerr := a.Authenticate(context.Background(), httptest.NewRequest("GET", tampered, nil), nil, "sts"); aerr == nil || aerr.Code != "SignatureDoesNotMatch" {
		t.Fatalf("tampered URL: %v", aerr)
	}
}

func TestAuthenticateLenient(t *testing.T) {
	cases := []struct {
		name, key, secret, token string
		unsigned                 bool
		late                     time.Duration
		wantARN                  string
		// noted is what leniency notes: what AWS would have answered;
		// "" for a request AWS would take as it is.
		noted string
	}{
		{name: "unsigned", unsigned: true, wantARN: "arn:aws:iam::000000000000:root", noted: "authentication: AWS would answer MissingAuthenticationToken"},
		{name: "unknown key", key: "AKIANOBODY0000000000", secret: "x", wantARN: "arn:aws:iam::000000000000:root", noted: "authentication: AWS would answer InvalidClientTokenId"},
		{name: "account id key, any secret", key: "333333333333", secret: "whatever", wantARN: "arn:aws:iam::333333333333:root", noted: "authentication: AWS would answer SignatureDoesNotMatch"},
		{name: "known user, wrong secret", key: "AKIAALICE0000000000A", secret: "wrong", wantARN: "arn:aws:iam::111111111111:user/alice", noted: "authentication: AWS would answer SignatureDoesNotMatch"},
		{name: "role session without token", key: "ASIAROLE000000000000", secret: "x", wantARN: "arn:aws:sts::111111111111:assumed-role/app/s1", noted: "authentication: AWS would answer InvalidClientTokenId"},
		// An hour late: lenient takes it, AWS would not.
		{name: "known user, an hour late", key: "AKIAALICE0000000000A", secret: "alice-secret", late: time.Hour, wantARN: "arn:aws:iam::111111111111:user/alice", noted: "authentication: AWS would answer SignatureDoesNotMatch"},
		{name: "known user, signed as AWS wants", key: "AKIAALICE0000000000A", secret: "alice-secret", wantARN: "arn:aws:iam::111111111111:user/alice"},
		{name: "root keys, signed as AWS wants", key: "test", secret: "test", wantARN: "arn:aws:iam::000000000000:root"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, _ := newAuthenticator(Lenient, t0.Add(c.late))
			r := httptest.NewRequest("POST", "/", strings.NewReader(body))
			if !c.unsigned {
				r = signed(t, "sts", c.key, c.secret, c.token, t0)
			}
			ctx, notes := leniency.Track(context.Background())
			p, err := a.Authenticate(ctx, r, []byte(body), "sts")
			if err != nil || p.ARN != c.wantARN {
				t.Fatalf("got %+v, %v; want %s", p, err, c.wantARN)
			}
			if got := strings.Join(notes.List(), "; "); got != c.noted {
				t.Errorf("noted %q, want %q", got, c.noted)
			}
		})
	}
}

// TestKeyUseRecorded: a user key's use is recorded for
// GetAccessKeyLastUsed, once a minute per service and region at most.
func TestKeyUseRecorded(t *testing.T) {
	clock := &ids.FixedClock{T: t0}
	a, keys := newAuthenticator(Strict, t0)
	a.Clock = clock
	call := func(service string) {
		t.Helper()
		r := signed(t, service, "AKIAALICE0000000000A", "alice-secret", "", clock.Now())
		if _, err := a.Authenticate(context.Background(), r, []byte(body), service); err != nil {
			t.Fatal(err)
		}
	}
	call("iam")
	call("iam")
	call("sts")
	clock.Advance(2 * time.Minute)
	call("sts")
	// The user's GetSessionToken credentials are no access key of its.
	r := signed(t, "sts", "ASIAUSER000000000000", "user-secret", "user-token", clock.Now())
	if _, err := a.Authenticate(context.Background(), r, []byte(body), "sts"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"AKIAALICE0000000000A iam eu-west-1 2026-03-01T12:00:00Z",
		"AKIAALICE0000000000A sts eu-west-1 2026-03-01T12:00:00Z",
		"AKIAALICE0000000000A sts eu-west-1 2026-03-01T12:02:00Z",
	}
	if strings.Join(keys.used, "\n") != strings.Join(want, "\n") {
		t.Fatalf("recorded:\n%s\nwant:\n%s", strings.Join(keys.used, "\n"), strings.Join(want, "\n"))
	}
}

// TestKeyCache: with a write count, a key is looked up once and then
// served from memory while nothing is written; any write (a key made
// inactive or deleted, a user renamed) is seen by the very next request.
func TestKeyCache(t *testing.T) {
	var gen atomic.Uint64
	a, keys := newAuthenticator(Strict, t0.Add(time.Minute))
	a.Generation = gen.Load
	write := func(fn func()) {
		keys.mu.Lock()
		fn()
		keys.mu.Unlock()
		gen.Add(1) // as authz.Versioned counts a commit
	}
	call := func() (*principal.Principal, *awserr.Error) {
		t.Helper()
		r := signed(t, "sts", "AKIAALICE0000000000A", "alice-secret", "", t0)
		return a.Authenticate(context.Background(), r, []byte(body), "sts")
	}
	lookups := func() int { keys.mu.Lock(); defer keys.mu.Unlock(); return keys.lookups }
	const invalid = "The security token included in the request is invalid"

	// One lookup, then none while nothing is written.
	for range 5 {
		if p, err := call(); err != nil || p.ARN != "arn:aws:iam::111111111111:user/alice" {
			t.Fatalf("%+v %v", p, err)
		}
	}
	if n := lookups(); n != 1 {
		t.Fatalf("%d lookups for 5 calls, want 1", n)
	}

	before, _ := call()
	write(func() { keys.keys["AKIAALICE0000000000A"].ARN = "arn:aws:iam::111111111111:user/eng/alice2" })
	if p, err := call(); err != nil || p.ARN != "arn:aws:iam::111111111111:user/eng/alice2" {
		t.Fatalf("after a rename: %+v %v", p, err)
	}
	// The principal is made again from the new lookup, not changed in
	// place under a request that holds it.
	if before.ARN != "arn:aws:iam::111111111111:user/alice" {
		t.Fatalf("a held principal changed: %+v", before)
	}
	write(func() { keys.keys["AKIAALICE0000000000A"].Active = false })
	if _, err := call(); err == nil || err.Code != "InvalidClientTokenId" || err.Message != invalid {
		t.Fatalf("inactive key: %v", err)
	}
	write(func() { keys.keys["AKIAALICE0000000000A"].Active = true })
	if _, err := call(); err != nil {
		t.Fatalf("active again: %v", err)
	}
	write(func() { delete(keys.keys, "AKIAALICE0000000000A") })
	if _, err := call(); err == nil || err.Code != "InvalidClientTokenId" || err.Message != invalid {
		t.Fatalf("deleted key: %v", err)
	}

	// Without a write count every request looks its key up.
	b, keys2 := newAuthenticator(Strict, t0.Add(time.Minute))
	for range 3 {
		r := signed(t, "sts", "AKIAALICE0000000000A", "alice-secret", "", t0)
		if _, err := b.Authenticate(context.Background(), r, []byte(body), "sts"); err != nil {
			t.Fatal(err)
		}
	}
	if keys2.lookups != 3 {
		t.Fatalf("%d lookups without a write count, want 3", keys2.lookups)
	}
}

// TestRootShared: each root key signs as its own account's root, from
// the first request on, whichever was asked before; the default account
// "test" stands for is read on every request; a wrong secret is still
// refused; the console's sign-in gets a principal of its own.
func TestRootShared(t *testing.T) {
	a, _ := newAuthenticator(Strict, t0.Add(time.Minute))
	call := func(key, secret string) (*principal.Principal, *awserr.Error) {
		t.Helper()
		return a.Authenticate(context.Background(), signed(t, "sts", key, secret, "", t0), []byte(body), "sts")
	}
	for range 2 {
		for _, c := range []struct{ key, account string }{
			{"111122223333", "111122223333"}, {"444455556666", "444455556666"}, {"test", "000000000000"}, {"000000000000", "000000000000"},
		} {
			p, err := call(c.key, "test")
			want := principal.Principal{Kind: principal.Root, Account: c.account, ARN: "arn:aws:iam::" + c.account + ":root", UserID: c.account, AccessKeyID: c.key}
			if err != nil || !reflect.DeepEqual(*p, want) {
				t.Fatalf("%s: %+v %v, want %+v", c.key, p, err, want)
			}
		}
	}
	a.DefaultAccount = "777777777777"
	if p, err := call("test", "test"); err != nil || p.Account != "777777777777" || p.ARN != "arn:aws:iam::777777777777:root" {
		t.Fatalf("another default account: %+v %v", p, err)
	}
	if _, err := call("111122223333", "wrong"); err == nil || err.Code != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: %v", err)
	}
	signedIn, err := a.SignIn(context.Background(), "111122223333", "test")
	if err != nil {
		t.Fatal(err)
	}
	signedIn.MFAAuthTime = t0
	if p, _ := call("111122223333", "test"); !p.MFAAuthTime.IsZero() {
		t.Fatalf("a change to a signed-in principal reached requests: %+v", p)
	}
}

// TestSessionCache: temporary credentials are cached the same way; expiry
// is still checked on every request.
func TestSessionCache(t *testing.T) {
	var gen atomic.Uint64
	clock := &ids.FixedClock{T: t0.Add(time.Minute)}
	a, _ := newAuthenticator(Strict, t0)
	a.Clock = clock
	n := 0
	inner := a.Sessions
	a.Sessions = sessionsFunc(func(ctx context.Context, id string) (*principal.Session, error) { n++; return inner.Session(ctx, id) })
	a.Generation = gen.Load
	for range 3 {
		r := signed(t, "iam", "ASIAROLE000000000000", "role-secret", "role-token", clock.Now())
		if _, err := a.Authenticate(context.Background(), r, []byte(body), "iam"); err != nil {
			t.Fatal(err)
		}
	}
	if n != 1 {
		t.Fatalf("%d session lookups, want 1", n)
	}
	clock.Advance(time.Hour)
	r := signed(t, "iam", "ASIAROLE000000000000", "role-secret", "role-token", clock.Now())
	if _, err := a.Authenticate(context.Background(), r, []byte(body), "iam"); err == nil || err.Code != "ExpiredToken" || err.Message != "The security token included in the request is expired" {
		t.Fatalf("expired session: %v", err)
	}
}

type sessionsFunc func(ctx context.Context, id string) (*principal.Session, error)

func (f sessionsFunc) Session(ctx context.Context, id string) (*principal.Session, error) {
	return f(ctx, id)
}

func TestJSONError(t *testing.T) {
	cases := []struct {
		in         *awserr.Error
		code, msg  string
		wantStatus int
	}{
		{errInvalidClientToken(), "UnrecognizedClientException", "The security token included in the request is invalid.", 400},
		{errExpiredToken(), "ExpiredTokenException", "The security token included in the request is expired.", 400},
		{awserr.New(403, "SignatureDoesNotMatch", "Signature expired: x"), "InvalidSignatureException", "Signature expired: x", 400},
		{awserr.New(403, "MissingAuthenticationToken", "Request is missing Authentication Token"), "MissingAuthenticationTokenException", "Missing Authentication Token", 400},
	}
	for _, c := range cases {
		got := JSONError(c.in)
		if got.Code != c.code || got.Message != c.msg || got.Status != c.wantStatus {
			t.Errorf("%s: got %d %s: %s", c.in.Code, got.Status, got.Code, got.Message)
		}
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": Strict, "strict": Strict, "lenient": Lenient} {
		if m, err := ParseMode(in); err != nil || m != want {
			t.Errorf("ParseMode(%q) = %v, %v", in, m, err)
		}
	}
	if _, err := ParseMode("off"); err == nil || err.Error() != `unknown auth mode "off": want strict or lenient` {
		t.Errorf("ParseMode(off): %v", err)
	}
}

// BenchmarkAuthenticate is the whole per-request cost for root keys: parse,
// time check, key resolution, signature.
func BenchmarkAuthenticate(b *testing.B) {
	t := &testing.T{}
	a, _ := newAuthenticator(Strict, t0)
	r := signed(t, "sts", "test", "test", "", t0)
	ctx := context.Background()
	for b.Loop() {
		if _, err := a.Authenticate(ctx, r, []byte(body), "sts"); err != nil {
			b.Fatal(err)
		}
	}
}

// Region names as AWS spells them
// (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html),
// and shapes that are not one.
func TestValidRegion(t *testing.T) {
	for r, want := range map[string]bool{
		"us-east-1": true, "eu-central-2": true, "ap-southeast-4": true, "us-gov-west-1": true,
		"cn-north-1": true, "us-isob-east-1": true, "ca-west-1": true, "me-central-1": true,
		"": false, "us-east": false, "us-east-0": false, "us-east-100": false, "us-east-01": false,
		"usa-east-1": false, "US-east-1": false, "us-up-1": false, "us-foo-east-1": false,
		"us-gov-west-1-x": false, "us-gov-west-1-x-y": false, "us-east-1-": false, "-east-1": false,
	} {
		if got := ValidRegion(r); got != want {
			t.Errorf("ValidRegion(%q) = %v, want %v", r, got, want)
		}
	}
}
