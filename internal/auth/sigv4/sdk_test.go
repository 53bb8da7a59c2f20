package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
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

// TestVerifySDKGetRoleTampered changes an SDK's signed GetRole after
// signing, each change after a verification that kept the request's
// credential, date and signing key: what is signed must not change, and
// what is not may.
func TestVerifySDKGetRoleTampered(t *testing.T) {
	signedReq, signedBody := sdkGetRole(t, "secret")
	cases := []struct {
		name   string
		change func(r *http.Request, body []byte) []byte
		ok     bool
	}{
		{"as signed", func(r *http.Request, b []byte) []byte { return b }, true},
		{"unsigned User-Agent changed", func(r *http.Request, b []byte) []byte { r.Header.Set("User-Agent", "other"); return b }, true},
		{"unsigned header added", func(r *http.Request, b []byte) []byte { r.Header.Set("X-Extra", "1"); return b }, true},
		{"signed value padded with white space", func(r *http.Request, b []byte) []byte {
			r.Header.Set("Content-Type", "  "+r.Header.Get("Content-Type")+"\t")
			return b
		}, true},
		{"body", func(r *http.Request, b []byte) []byte { return []byte(strings.Replace(string(b), "app", "adm", 1)) }, false},
		{"Content-Type", func(r *http.Request, b []byte) []byte { r.Header.Set("Content-Type", "application/json"); return b }, false},
		{"Content-Type inner space", func(r *http.Request, b []byte) []byte {
			r.Header.Set("Content-Type", strings.Replace(r.Header.Get("Content-Type"), "/", " /", 1))
			return b
		}, false},
		{"Amz-Sdk-Invocation-Id", func(r *http.Request, b []byte) []byte { r.Header.Set("Amz-Sdk-Invocation-Id", "x"); return b }, false},
		{"a second X-Amz-Date", func(r *http.Request, b []byte) []byte { r.Header.Add("X-Amz-Date", "20200101T000000Z"); return b }, false},
		{"Content-Length", func(r *http.Request, b []byte) []byte { r.Header.Set("Content-Length", "047"); return b }, false},
		{"Host", func(r *http.Request, b []byte) []byte { r.Host = "127.0.0.1:4567"; return b }, false},
		{"path", func(r *http.Request, b []byte) []byte { r.RequestURI = "/x"; return b }, false},
		{"method", func(r *http.Request, b []byte) []byte { r.Method = "PUT"; return b }, false},
		{"signature's last digit", func(r *http.Request, b []byte) []byte {
			h := r.Header.Get("Authorization")
			last := h[len(h)-1]
			r.Header.Set("Authorization", h[:len(h)-1]+map[bool]string{true: "1", false: "0"}[last == '0'])
			return b
		}, false},
		{"signature in upper case", func(r *http.Request, b []byte) []byte {
			h := r.Header.Get("Authorization")
			i := strings.LastIndex(h, "=") + 1
			r.Header.Set("Authorization", h[:i]+strings.ToUpper(h[i:]))
			return b
		}, false},
		{"credential's Region", func(r *http.Request, b []byte) []byte {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/", "/us-east-2/", 1))
			return b
		}, false},
		{"signed headers, one left out", func(r *http.Request, b []byte) []byte {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "amz-sdk-request;", "", 1))
			return b
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, tamper := range []bool{false, true} {
				r := signedReq.Clone(context.Background())
				body := signedBody
				if tamper {
					body = c.change(r, slices.Clone(signedBody))
				}
				s, aerr := Parse(r)
				if aerr != nil {
					t.Fatal(aerr)
				}
				aerr = s.Verify(r, body, "secret", s.Time())
				if ok := !tamper || c.ok; ok != (aerr == nil) || aerr != nil && (aerr.Code != "SignatureDoesNotMatch" || aerr.Message != MismatchMessage) {
					t.Fatalf("tampered %v: %v, want ok %v", tamper, aerr, ok)
				}
			}
		})
	}
}
