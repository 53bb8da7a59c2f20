package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// captured is the request an HTTP client was asked to send, as it went on
// the wire.
type captured struct {
	wire bytes.Buffer
	err  error
}

var errCaptured = errors.New("captured")

func (c *captured) Do(r *http.Request) (*http.Response, error) {
	c.err = r.Write(&c.wire)
	return nil, errCaptured
}

// sdkGetRole is a GetRole request as aws-sdk-go-v2's IAM client signs it
// (its own middleware: amz-sdk-invocation-id, amz-sdk-request,
// content-length, content-type, host, x-amz-date), put on the wire and
// read back as rolecall's server reads it, with its body. It is signed
// now (the SDK's clock): verify it at its own signing time.
func sdkGetRole(tb testing.TB, secret string) (*http.Request, []byte) {
	tb.Helper()
	c := &captured{}
	client := iam.New(iam.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://127.0.0.1:4566"),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: secret}, nil
		}),
		HTTPClient:       c,
		RetryMaxAttempts: 1,
	})
	_, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("app")})
	if !errors.Is(err, errCaptured) {
		tb.Fatalf("GetRole: %v", err)
	}
	if c.err != nil {
		tb.Fatal(c.err)
	}
	r, err := http.ReadRequest(bufio.NewReader(&c.wire))
	if err != nil {
		tb.Fatal(err)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return r, b
}

func TestVerifySDKGetRole(t *testing.T) {
	r, body := sdkGetRole(t, "secret")
	s, aerr := Parse(r)
	if aerr != nil {
		t.Fatal(aerr)
	}
	if s.SignedHeaders != "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date" {
		t.Errorf("signed headers %q", s.SignedHeaders)
	}
	if aerr := s.Verify(r, body, "secret", s.Time()); aerr != nil {
		t.Fatal(aerr)
	}
}

// BenchmarkVerifySDK is the server's cost of checking an SDK's GetRole:
// parse, signing time, signature.
func BenchmarkVerifySDK(b *testing.B) {
	r, body := sdkGetRole(b, "secret")
	var s Signature
	if aerr := ParseInto(r, &s); aerr != nil {
		b.Fatal(aerr)
	}
	now := s.Time()
	target := Key("X-Amz-Target") // made once, as the server does
	b.ReportAllocs()
	for b.Loop() {
		if aerr := ParseInto(r, &s); aerr != nil {
			b.Fatal(aerr)
		}
		if aerr := s.CheckSignedHeaders(r, target); aerr != nil {
			b.Fatal(aerr)
		}
		if aerr := s.Verify(r, body, "secret", now); aerr != nil {
			b.Fatal(aerr)
		}
	}
}
