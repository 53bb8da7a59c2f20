package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/ids"
)

var signTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type whoOut struct{ UserId, Account, Arn string }

// authHandler serves a fake STS GetCallerIdentity and ECS ListClusters
// that answer with the principal, behind a real authenticator.
func authHandler(mode auth.Mode) *Handler {
	who := func(ctx context.Context, c *api.Call, _ *struct{}) (*whoOut, error) {
		return &whoOut{UserId: c.Principal.UserID, Account: c.Account, Arn: c.Principal.ARN}, nil
	}
	type clustersOut struct{ ClusterArns []string }
	clusters := func(ctx context.Context, c *api.Call, _ *struct{}) (*clustersOut, error) {
		return &clustersOut{ClusterArns: []string{c.Principal.ARN}}, nil
	}
	a := &auth.Authenticator{Mode: mode, DefaultAccount: DefaultAccount, Clock: &ids.FixedClock{T: signTime.Add(time.Minute)}}
	return New(Config{Auth: a, IDs: &ids.Sequence{}, Version: "test", Store: "memory", Services: []*api.Service{
		api.NewService("sts", api.Op("GetCallerIdentity", who, nil)),
		api.NewService("ecs", api.Op("ListClusters", clusters, nil))}})
}

func send(t *testing.T, h http.Handler, r *http.Request) (int, http.Header, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Body)
	return w.Code, w.Header(), string(b)
}

func signedRequest(t *testing.T, service, key, secret, body string, headers ...string) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, r, hex.EncodeToString(sum[:]), service, "eu-west-1", signTime); err != nil {
		t.Fatal(err)
	}
	return r
}

const gci = "Action=GetCallerIdentity&Version=2011-06-15"

func TestStrictAuthentication(t *testing.T) {
	h := authHandler(auth.Strict)
	ecsTarget := []string{"X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters", "Content-Type", "application/x-amz-json-1.1"}
	cases := []struct {
		name     string
		req      *http.Request
		status   int
		contains []string
	}{
		{"signed", signedRequest(t, "sts", "test", "test", gci), 200,
			[]string{"<Arn>arn:aws:iam::000000000000:root</Arn>", "<UserId>000000000000</UserId>", "<Account>000000000000</Account>"}},
		{"another account's root", signedRequest(t, "sts", "123456789012", "test", gci), 200,
			[]string{"<Arn>arn:aws:iam::123456789012:root</Arn>", "<Account>123456789012</Account>"}},
		{"wrong secret", signedRequest(t, "sts", "test", "nope", gci), 403, []string{
			`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`, "<Type>Sender</Type>", "<Code>SignatureDoesNotMatch</Code>",
			"<Message>The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.</Message>"}},
		{"unknown key", signedRequest(t, "sts", "AKIAUNKNOWN000000000", "x", gci), 403,
			[]string{"<Code>InvalidClientTokenId</Code>", "<Message>The security token included in the request is invalid</Message>"}},
		{"unsigned", httptest.NewRequest("GET", "/?"+gci, nil), 403,
			[]string{"<Code>MissingAuthenticationToken</Code>", "<Message>Request is missing Authentication Token</Message>"}},
		{"malformed authorization", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader(gci))
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature")
			return r
		}(), 400, []string{"<Code>IncompleteSignature</Code>", "not a valid key=value pair (missing equal-sign) in Authorization header"}},
		{"ecs signed", signedRequest(t, "ecs", "test", "test", "{}", ecsTarget...), 200, []string{`"clusterArns":["arn:aws:iam::000000000000:root"]`}},
		{"ecs unknown key", signedRequest(t, "ecs", "AKIAUNKNOWN000000000", "x", "{}", ecsTarget...), 400,
			[]string{`{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}`}},
		{"ecs wrong secret", signedRequest(t, "ecs", "test", "nope", "{}", ecsTarget...), 400,
			[]string{`{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match the signature you provided.`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, hdr, body := send(t, h, c.req)
			if status != c.status {
				t.Errorf("status %d, want %d\n%s", status, c.status, body)
			}
			for _, want := range c.contains {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
			if v := hdr.Get("X-Rolecall-Auth"); v != "" {
				t.Errorf("strict mode says X-Rolecall-Auth: %s", v)
			}
		})
	}
}

func TestLenientAuthentication(t *testing.T) {
	h := authHandler(auth.Lenient)
	// header is X-Rolecall-Auth: only a request let through because of
	// leniency says so; one AWS would take as it is does not.
	cases := []struct {
		name, arn, header string
		req               *http.Request
	}{
		{"unsigned, routed by Action", "arn:aws:iam::000000000000:root", "lenient", httptest.NewRequest("GET", "/?"+gci, nil)},
		{"unknown key", "arn:aws:iam::000000000000:root", "lenient", signedRequest(t, "sts", "AKIAUNKNOWN000000000", "x", gci)},
		{"12-digit key, wrong secret", "arn:aws:iam::444455556666:root", "lenient", signedRequest(t, "sts", "444455556666", "x", gci)},
		{"scoped to another service", "arn:aws:iam::000000000000:root", "lenient", func() *http.Request {
			r := signedRequest(t, "iam", "test", "test", gci)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/iam/", "/sts/", 1))
			return r
		}()},
		{"signed as AWS takes it", "arn:aws:iam::000000000000:root", "", signedRequest(t, "sts", "test", "test", gci)},
		{"another account's root, signed", "arn:aws:iam::444455556666:root", "", signedRequest(t, "sts", "444455556666", "test", gci)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, hdr, body := send(t, h, c.req)
			if status != 200 || !strings.Contains(body, "<Arn>"+c.arn+"</Arn>") {
				t.Errorf("%d %s", status, body)
			}
			if got := hdr.Get("X-Rolecall-Auth"); got != c.header {
				t.Errorf("X-Rolecall-Auth: %q, want %q", got, c.header)
			}
		})
	}
}

// TestHealthUnauthenticated: the health endpoint needs no signature, and
// says how requests are authenticated.
func TestHealthUnauthenticated(t *testing.T) {
	status, _, body := send(t, authHandler(auth.Strict), httptest.NewRequest("GET", "/_rolecall/health", nil))
	if status != 200 || !strings.Contains(body, `"auth":"strict"`) {
		t.Errorf("%d %s", status, body)
	}
}

// BenchmarkSignedRequest is one signed STS request through the handler:
// routing, authentication, decoding, the operation, encoding.
func BenchmarkSignedRequest(b *testing.B) {
	t := &testing.T{}
	h := authHandler(auth.Strict)
	proto := signedRequest(t, "sts", "test", "test", gci)
	for b.Loop() {
		r := proto.Clone(context.Background())
		r.Body = io.NopCloser(strings.NewReader(gci))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Body.String())
		}
	}
}
