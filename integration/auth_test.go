package integration

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/rolecalltest"
)

const (
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidToken      = "The security token included in the request is invalid"
	msgExpiredToken      = "The security token included in the request is expired"
)

// testClock is a clock the test moves; rolecall and the SDK's signer both
// read it (clockSigner), so that signatures stay current while the test
// moves time on by hours.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock { return &testClock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// clockSigner is the SDK's SigV4 signer with the signing time taken from a
// clock, shifted by skew: the SDK's option for a custom signer.
type clockSigner struct {
	clock interface{ Now() time.Time }
	skew  time.Duration
}

func (s clockSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) error {
	return v4.NewSigner().SignHTTP(ctx, creds, r, payloadHash, service, region, s.clock.Now().Add(s.skew), optFns...)
}

// withCreds is cfg signing with other credentials.
func withCreds(cfg aws.Config, key, secret, token string) aws.Config {
	cfg = cfg.Copy()
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, token))
	return cfg
}

// clients are an STS and an IAM client for one set of credentials, signing
// at the clock's time.
type clients struct {
	sts *sts.Client
	iam *iam.Client
}

func clientsFor(cfg aws.Config, clock interface{ Now() time.Time }) clients {
	if clock == nil {
		return clients{sts: sts.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg)}
	}
	signer := clockSigner{clock: clock}
	return clients{
		sts: sts.NewFromConfig(cfg, func(o *sts.Options) { o.HTTPSignerV4 = signer }),
		iam: iam.NewFromConfig(cfg, func(o *iam.Options) { o.HTTPSignerV4 = signer }),
	}
}

// newUser creates an IAM user with an inline policy (none if doc is "")
// and an access key, and returns clients signing as it.
func newUser(t *testing.T, root clients, cfg aws.Config, clock interface{ Now() time.Time }, name, doc string) (clients, *iamtypes.AccessKey) {
	t.Helper()
	must(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))(t)
	if doc != "" {
		must(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))(t)
	}
	k := must(root.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))(t).AccessKey
	return clientsFor(withCreds(cfg, *k.AccessKeyId, *k.SecretAccessKey, ""), clock), k
}

func TestAuthRootKeysAndWrongSecret(t *testing.T) {
	rc := rolecalltest.RunT(t)
	id := must(sts.NewFromConfig(rc.Config).GetCallerIdentity(ctx, nil))(t)
	if aws.ToString(id.Arn) != "arn:aws:iam::000000000000:root" || aws.ToString(id.UserId) != account || aws.ToString(id.Account) != account {
		t.Errorf("root: %s %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(id.Account))
	}

	wrong := clientsFor(withCreds(rc.Config, "test", "not-test", ""), nil)
	_, err := wrong.sts.GetCallerIdentity(ctx, nil)
	wantErr(t, err, 403, "SignatureDoesNotMatch", msgSignatureMismatch)
	_, err = wrong.iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "SignatureDoesNotMatch", msgSignatureMismatch)

	unknown := clientsFor(withCreds(rc.Config, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""), nil)
	_, err = unknown.sts.GetCallerIdentity(ctx, nil)
	wantErr(t, err, 403, "InvalidClientTokenId", msgInvalidToken)
	_, err = unknown.iam.GetUser(ctx, nil)
	wantErr(t, err, 403, "InvalidClientTokenId", msgInvalidToken)
}

// TestAuthStaleSignature: a request signed more than 15 minutes away from
// rolecall's time is refused as AWS refuses it.
func TestAuthStaleSignature(t *testing.T) {
	clock := newClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	now := clock.Now()
	f := "20060102T150405Z"
	for _, c := range []struct {
		skew time.Duration
		msg  string
	}{
		{-20 * time.Minute, "Signature expired: " + now.Add(-20*time.Minute).Format(f) + " is now earlier than " + now.Add(-15*time.Minute).Format(f) + " (" + now.Format(f) + " - 15 min.)"},
		{20 * time.Minute, "Signature not yet current: " + now.Add(20*time.Minute).Format(f) + " is still later than " + now.Add(15*time.Minute).Format(f) + " (" + now.Format(f) + " + 15 min.)"},
	} {
		signer := clockSigner{clock: clock, skew: c.skew}
		_, err := sts.NewFromConfig(rc.Config, func(o *sts.Options) { o.HTTPSignerV4 = signer }).GetCallerIdentity(ctx, nil)
		wantErr(t, err, 403, "SignatureDoesNotMatch", c.msg)
		_, err = iam.NewFromConfig(rc.Config, func(o *iam.Options) { o.HTTPSignerV4 = signer }).ListRoles(ctx, nil)
		wantErr(t, err, 403, "SignatureDoesNotMatch", c.msg)
	}
	// Ten minutes off is within AWS's window.
	signer := clockSigner{clock: clock, skew: -10 * time.Minute}
	must(sts.NewFromConfig(rc.Config, func(o *sts.Options) { o.HTTPSignerV4 = signer }).GetCallerIdentity(ctx, nil))(t)
}

// TestAuthUserKeys: an IAM user's access keys sign as the user; an
// inactive or deleted key is refused; use is recorded.
func TestAuthUserKeys(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	alice, key := newUser(t, root, rc.Config, nil, "alice", allowOwnUser)
	id := must(alice.sts.GetCallerIdentity(ctx, nil))(t)
	user := must(root.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))(t).User
	if aws.ToString(id.Arn) != "arn:aws:iam::000000000000:user/alice" || aws.ToString(id.UserId) != aws.ToString(user.UserId) {
		t.Errorf("user: %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId))
	}
	// GetUser without a name answers for the calling user.
	if got := must(alice.iam.GetUser(ctx, nil))(t).User; aws.ToString(got.UserName) != "alice" {
		t.Errorf("GetUser as alice: %+v", got)
	}
	last := must(root.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: key.AccessKeyId}))(t).AccessKeyLastUsed
	if aws.ToString(last.ServiceName) != "iam" || aws.ToString(last.Region) != "us-east-1" || last.LastUsedDate == nil {
		t.Errorf("last used: %s %s %v", aws.ToString(last.ServiceName), aws.ToString(last.Region), last.LastUsedDate)
	}

	wrong := clientsFor(withCreds(rc.Config, *key.AccessKeyId, "wrong", ""), nil)
	_, err := wrong.sts.GetCallerIdentity(ctx, nil)
	wantErr(t, err, 403, "SignatureDoesNotMatch", msgSignatureMismatch)

	// rolecall keeps a key between requests; every IAM write is seen by
	// the next request: a renamed user, a key made inactive, active again,
	// deleted.
	must(root.iam.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alice2"), NewPath: aws.String("/eng/")}))(t)
	if id := must(alice.sts.GetCallerIdentity(ctx, nil))(t); aws.ToString(id.Arn) != "arn:aws:iam::000000000000:user/eng/alice2" {
		t.Errorf("renamed user: %s", aws.ToString(id.Arn))
	}
	must(root.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice2"), AccessKeyId: key.AccessKeyId, Status: iamtypes.StatusTypeInactive}))(t)
	_, err = alice.sts.GetCallerIdentity(ctx, nil)
	wantErr(t, err, 403, "InvalidClientTokenId", msgInvalidToken)
	must(root.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice2"), AccessKeyId: key.AccessKeyId, Status: iamtypes.StatusTypeActive}))(t)
	must(alice.sts.GetCallerIdentity(ctx, nil))(t)
	must(root.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice2"), AccessKeyId: key.AccessKeyId}))(t)
	_, err = alice.sts.GetCallerIdentity(ctx, nil)
	wantErr(t, err, 403, "InvalidClientTokenId", msgInvalidToken)
}

// TestAuthPresignedURL: a GetCallerIdentity URL presigned by the SDK (the
// way EKS and Vault authenticate with AWS identities) is answered for its
// signer; tampering with it breaks the signature.
func TestAuthPresignedURL(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	alice, _ := newUser(t, root, rc.Config, nil, "alice", "")
	req := must(sts.NewPresignClient(alice.sts).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)

	get := func(url string) (int, string) {
		t.Helper()
		r, _ := http.NewRequest(req.Method, url, nil)
		for k, vs := range req.SignedHeader {
			r.Header[k] = vs
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := get(req.URL)
	if status != 200 || !strings.Contains(body, "<Arn>arn:aws:iam::000000000000:user/alice</Arn>") {
		t.Fatalf("presigned: %d %s", status, body)
	}
	status, body = get(strings.Replace(req.URL, "GetCallerIdentity", "GetSessionToken", 1))
	if status != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
		t.Fatalf("tampered: %d %s", status, body)
	}
}

// TestAuthUnsigned: an unsigned request is refused in strict mode (the
// default), and served as the default account's root in lenient mode,
// which says so on every response.
func TestAuthUnsigned(t *testing.T) {
	post := func(endpoint string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Post(endpoint+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := post(rolecalltest.RunT(t).Endpoint)
	if resp.StatusCode != 403 || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") ||
		!strings.Contains(body, "<Message>Request is missing Authentication Token</Message>") || resp.Header.Get("X-Rolecall-Auth") != "" {
		t.Errorf("strict: %d %s", resp.StatusCode, body)
	}

	lenient := rolecalltest.RunT(t, rolecalltest.WithLenientAuth())
	resp, body = post(lenient.Endpoint)
	if resp.StatusCode != 200 || !strings.Contains(body, "<Arn>arn:aws:iam::000000000000:root</Arn>") || resp.Header.Get("X-Rolecall-Auth") != "lenient" {
		t.Errorf("lenient: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	// Lenient: any secret for an unknown key; a 12-digit key is that
	// account's root.
	id := must(sts.NewFromConfig(withCreds(lenient.Config, "123456789012", "anything", "")).GetCallerIdentity(ctx, nil))(t)
	if aws.ToString(id.Arn) != "arn:aws:iam::123456789012:root" {
		t.Errorf("lenient 12-digit key: %s", aws.ToString(id.Arn))
	}
	id = must(sts.NewFromConfig(withCreds(lenient.Config, "AKIAIOSFODNN7EXAMPLE", "anything", "")).GetCallerIdentity(ctx, nil))(t)
	if aws.ToString(id.Arn) != "arn:aws:iam::000000000000:root" {
		t.Errorf("lenient unknown key: %s", aws.ToString(id.Arn))
	}
}
