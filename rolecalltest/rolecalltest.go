// Package rolecalltest runs rolecall inside a Go test, so code that talks to
// IAM, STS or ECS through aws-sdk-go-v2 can be tested against AWS's role
// behaviour without an AWS account:
//
//	func TestBootstrap(t *testing.T) {
//		rc := rolecalltest.RunT(t)
//		client := iam.NewFromConfig(rc.Config)
//		...
//	}
package rolecalltest

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rolecall/rolecall/internal/server"
)

// Server is a running in-process rolecall.
type Server struct {
	// Endpoint is the base URL, e.g. "http://127.0.0.1:41234".
	Endpoint string
	// Config is an aws.Config signed with the default account's root keys
	// (test/test), region us-east-1, pointed at Endpoint.
	Config aws.Config
	// Account is the default account id.
	Account string

	srv *server.Server
	hs  *httptest.Server
}

// Option adjusts the instance RunT starts.
type Option func(*server.Options)

// WithDataDir keeps state in a bbolt file in dir instead of memory, so a
// test can restart rolecall on the same state with RunT again.
func WithDataDir(dir string) Option {
	return func(o *server.Options) { o.DataDir, o.Ephemeral = dir, false }
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
	o := server.Options{Ephemeral: true, Version: "test"}
	for _, opt := range opts {
		opt(&o)
	}
	srv, err := server.Open(o)
	if err != nil {
		return nil, err
	}
	hs := httptest.NewServer(srv.Handler)
	// Built by hand rather than with config.LoadDefaultConfig so that the
	// developer's environment and ~/.aws files cannot redirect a test.
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("test", "test", "")),
		BaseEndpoint: aws.String(hs.URL),
		// The SDK's default retryer: with RetryMaxAttempts 1 the SDK can
		// close a large response body early (aws-sdk-go-v2#2737), and
		// AWS's 4xx answers are not retried anyway.
	}
	return &Server{Endpoint: hs.URL, Config: cfg, Account: server.DefaultAccount, srv: srv, hs: hs}, nil
}

// Close stops the HTTP server, then closes the state.
func (s *Server) Close() {
	s.hs.Close()
	s.srv.Close()
}
