// Package rolecalltest runs rolecall inside a Go test, so code that talks to
// IAM, STS, ECS, Application Auto Scaling or EC2 through aws-sdk-go-v2 can be
// tested against AWS's role behaviour without an AWS account:
//
//	func TestBootstrap(t *testing.T) {
//		rc := rolecalltest.RunT(t)
//		client := iam.NewFromConfig(rc.Config)
//		...
//	}
package rolecalltest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/server"
)

// Server is a running in-process rolecall.
type Server struct {
	// Endpoint is the base URL, e.g. "http://127.0.0.1:41234".
	Endpoint string
	// Config is an aws.Config signed with the default account's root keys
	// (test/test), in the default Region (us-east-1 unless WithRegion),
	// pointed at Endpoint.
	Config aws.Config
	// Account is the default account id.
	Account string
	// IssuerEndpoint is where rolecall's OpenID Connect issuer and the
	// accounts' outbound web identity issuers publish their discovery
	// documents and keys, as serve --oidc-addr: an account's
	// IssuerIdentifier (EnableOutboundWebIdentityFederation) is a URL
	// under it.
	IssuerEndpoint string

	srv  *app.App
	hs   *httptest.Server
	oidc *httptest.Server
}

// Option adjusts the instance RunT starts.
type Option func(*app.Options)

// WithDataDir keeps state in a bbolt file in dir instead of memory, so a
// test can restart rolecall on the same state with RunT again.
func WithDataDir(dir string) Option {
	return func(o *app.Options) { o.DataDir, o.Ephemeral = dir, false }
}

// WithLenientAuth starts rolecall as --auth=lenient does: requests with
// unknown or wrongly signed credentials, or none, act as a root user
// instead of failing, the root user may assume roles (as its trust policy
// allows), resets are allowed, and a response to a request let through
// only because of this says X-Rolecall-Auth: lenient. The default, as in
// AWS, is strict.
func WithLenientAuth() Option {
	return func(o *app.Options) { o.Auth = auth.Lenient }
}

// WithAccount makes account (12 digits) the default account, as --account
// does: the account of the root keys test/test.
func WithAccount(account string) Option {
	return func(o *app.Options) { o.Account = account }
}

// WithRegion makes region the default Region, as --region does, and the
// Region of Server.Config.
func WithRegion(region string) Option {
	return func(o *app.Options) { o.Region = region }
}

// WithAllowReset lets Server.Reset (POST /_rolecall/reset) and
// /moto-api/reset forget state in strict mode, as --allow-reset does.
func WithAllowReset() Option {
	return func(o *app.Options) { o.AllowReset = true }
}

// EnforceMode is what rolecall does with an authorization denial.
type EnforceMode string

const (
	// EnforceOn refuses denied requests with AWS's AccessDenied (the
	// default, as AWS does).
	EnforceOn EnforceMode = "on"
	// EnforceAudit lets denied requests through but says what AWS would
	// have answered: the X-Rolecall-Would-Deny response header, and the
	// decision at /_rolecall/decisions/REQUEST_ID.
	EnforceAudit EnforceMode = "audit"
	// EnforceOff authorizes nothing.
	EnforceOff EnforceMode = "off"
)

// WithEnforce starts rolecall as --enforce=MODE does.
func WithEnforce(mode EnforceMode) Option {
	return func(o *app.Options) {
		m, err := authz.ParseMode(string(mode))
		if err != nil {
			panic("rolecalltest: " + err.Error())
		}
		o.Enforce = m
	}
}

// WithAuditLog writes every authorization decision to w as a JSON line, as
// --audit-log does.
func WithAuditLog(w io.Writer) Option {
	return func(o *app.Options) { o.AuditLog = w }
}

// WithClock makes rolecall take time from c instead of the system clock,
// so that a test can move time on (a fixed clock that it advances) and see
// what AWS does after a while (service-linked role deletion tasks that
// complete, records that expire, Application Auto Scaling's scheduled
// actions that run: the next request finds them run) without sleeping. Start it at the real
// time and keep it within minutes of it: requests are signed with the real
// time, and AWS refuses signatures more than 15 minutes off.
func WithClock(c interface{ Now() time.Time }) Option {
	return func(o *app.Options) { o.Clock = c }
}

// WithSLRDeletionTiming sets how long a DeleteServiceLinkedRole task takes
// (default one second) and how long its record is kept after it completes
// (default 15 minutes), after which GetServiceLinkedRoleDeletionStatus
// answers NoSuchEntity; zero keeps a default.
func WithSLRDeletionTiming(delay, retention time.Duration) Option {
	return func(o *app.Options) { o.SLRDeletionDelay, o.SLRTaskRetention = delay, retention }
}

// TestPasswordIterations is the PBKDF2 iteration count RunT derives
// console password keys with (CreateLoginProfile, ChangePassword...): far
// too few for a real password, enough to keep a test's sign-ins fast.
// `rolecall serve` uses iam.DefaultPasswordIterations.
const TestPasswordIterations = 1000

// WithPasswordIterations derives console password keys with n PBKDF2
// iterations instead of TestPasswordIterations.
func WithPasswordIterations(n int) Option {
	return func(o *app.Options) { o.PasswordIterations = n }
}

// RoleUsage is one Region's resources that still use a service-linked role.
type RoleUsage struct {
	Region    string
	Resources []string // resource ARNs
}

// WithLinkedService stands in for the AWS service whose principal is given
// (e.g. "ecs.amazonaws.com") when IAM deletes its service-linked role:
// usage answers which of the service's resources still use the role
// (roleArn, in account). A non-empty answer makes the deletion task fail
// with that RoleUsageList, as AWS's does; an empty one lets it succeed.
func WithLinkedService(principal string, usage func(ctx context.Context, account, roleArn string) ([]RoleUsage, error)) Option {
	return func(o *app.Options) {
		if o.LinkedServices == nil {
			o.LinkedServices = map[string]iam.RoleUsage{}
		}
		o.LinkedServices[principal] = iam.RoleUsageFunc(func(ctx context.Context, account, roleArn string) ([]iam.Usage, error) {
			list, err := usage(ctx, account, roleArn)
			out := make([]iam.Usage, len(list))
			for i, u := range list {
				out[i] = iam.Usage{Region: u.Region, Resources: u.Resources}
			}
			return out, err
		})
	}
}

// RunT starts rolecall on a free loopback port with in-memory state and
// stops it when the test ends.
func RunT(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatalf("rolecalltest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start is RunT without a testing.TB; call Close when done.
func Start(opts ...Option) (*Server, error) {
	o := app.Options{Ephemeral: true, Version: "test", Account: server.DefaultAccount, Region: server.DefaultRegion, PasswordIterations: TestPasswordIterations}
	for _, opt := range opts {
		opt(&o)
	}
	// The issuers' listener, whose address IAM is built knowing; its
	// handler is the app's, set before it serves.
	var issuers http.Handler
	ohs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { issuers.ServeHTTP(w, r) }))
	o.OIDCURL = "http://" + ohs.Listener.Addr().String()
	srv, err := app.Open(o)
	if err != nil {
		ohs.Close()
		return nil, err
	}
	issuers = srv.OIDCHandler()
	ohs.Start()
	// The server's limits, as `rolecall serve` has them.
	hs := httptest.NewUnstartedServer(srv.Handler)
	hs.Config = server.DefaultLimits.HTTPServer(srv.Handler)
	hs.Listener = server.DefaultLimits.Listener(hs.Listener, nil)
	hs.Start()
	// Built by hand rather than with config.LoadDefaultConfig so that the
	// developer's environment and ~/.aws files cannot redirect a test.
	cfg := aws.Config{
		Region:       o.Region,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("test", "test", "")),
		BaseEndpoint: aws.String(hs.URL),
		// The SDK's default retryer: with RetryMaxAttempts 1 the SDK can
		// close a large response body early (aws-sdk-go-v2#2737), and
		// AWS's 4xx answers are not retried anyway.
	}
	return &Server{Endpoint: hs.URL, Config: cfg, Account: o.Account, IssuerEndpoint: ohs.URL, srv: srv, hs: hs, oidc: ohs}, nil
}

// Close stops the HTTP server, then closes the state.
func (s *Server) Close() {
	s.hs.Close()
	s.oidc.Close()
	s.srv.Close()
}
