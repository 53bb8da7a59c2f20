package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rolecall/rolecall/rolecalltest"
)

// The edges of SigV4 an attacker pushes on, through a real connection:
// the body, the headers that route a request, and the credential scope
// must all be part of what was signed.

var rootCreds = aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}

// rawRequest builds a request to rolecall.
func rawRequest(t *testing.T, rc *rolecalltest.Server, body string, headers ...string) *http.Request {
	t.Helper()
	r := must(http.NewRequestWithContext(ctx, http.MethodPost, rc.Endpoint+"/", strings.NewReader(body)))(t)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	return r
}

func sha(body string) string {
	s := sha256.Sum256([]byte(body))
	return hex.EncodeToString(s[:])
}

// send sends r and answers its status and body.
func send(t *testing.T, r *http.Request) (int, string) {
	t.Helper()
	resp := must(http.DefaultClient.Do(r))(t)
	defer resp.Body.Close()
	b := must(io.ReadAll(resp.Body))(t)
	return resp.StatusCode, string(b)
}

func wantRaw(t *testing.T, status int, body string, wantStatus int, fragments ...string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("status %d, want %d: %s", status, wantStatus, body)
	}
	for _, f := range fragments {
		if !strings.Contains(body, f) {
			t.Errorf("answer lacks %q: %s", f, body)
		}
	}
}

// TestSigV4BodySwap: a request signed with UNSIGNED-PAYLOAD (or any body
// hash but the body's) does not verify: a captured GetUser cannot be sent
// again as CreateUser.
func TestSigV4BodySwap(t *testing.T) {
	rc := rolecalltest.RunT(t)
	const getUser = "Action=GetUser&Version=2010-05-08"
	const createUser = "Action=CreateUser&Version=2010-05-08&UserName=mallory"
	for _, declared := range []string{"UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x"} {
		t.Run(declared, func(t *testing.T) {
			r := rawRequest(t, rc, getUser, "X-Amz-Content-Sha256", declared)
			if err := v4.NewSigner().SignHTTP(ctx, rootCreds, r, declared, "iam", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			swapped := r.Clone(ctx)
			swapped.Body, swapped.ContentLength = io.NopCloser(strings.NewReader(createUser)), int64(len(createUser))
			status, body := send(t, swapped)
			wantRaw(t, status, body, 403, "<Code>SignatureDoesNotMatch</Code>", msgSignatureMismatch)
		})
	}
	status, body := send(t, rawRequest(t, rc, "Action=GetUser&Version=2010-05-08&UserName=mallory"))
	wantRaw(t, status, body, 403, "MissingAuthenticationToken")
	// A body hash the signer computed over the body verifies.
	r := rawRequest(t, rc, getUser, "X-Amz-Content-Sha256", sha(getUser))
	if err := v4.NewSigner().SignHTTP(ctx, rootCreds, r, sha(getUser), "iam", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	status, body = send(t, r)
	wantRaw(t, status, body, 200, "<UserId>000000000000</UserId>")
}

// TestSigV4RoutingHeadersSigned: Host must be signed, and ECS's
// X-Amz-Target, which names the operation.
func TestSigV4RoutingHeadersSigned(t *testing.T) {
	rc := rolecalltest.RunT(t)
	const gci = "Action=GetCallerIdentity&Version=2011-06-15"
	now := time.Now().UTC()
	r := rawRequest(t, rc, gci, "X-Amz-Date", now.Format("20060102T150405Z"),
		"Authorization", "AWS4-HMAC-SHA256 Credential=test/"+now.Format("20060102")+"/us-east-1/sts/aws4_request, SignedHeaders=x-amz-date, Signature="+strings.Repeat("0", 64))
	status, body := send(t, r)
	wantRaw(t, status, body, 400, "<Code>IncompleteSignature</Code>", "&#39;Host&#39; or &#39;:authority&#39; must be a &#39;SignedHeader&#39; in the AWS Authorization.")

	// ECS: DescribeClusters signed, sent as DeleteCluster.
	const ecsBody = `{"clusters":["default"]}`
	e := rawRequest(t, rc, ecsBody, "Content-Type", "application/x-amz-json-1.1")
	if err := v4.NewSigner().SignHTTP(ctx, rootCreds, e, sha(ecsBody), "ecs", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	e.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DeleteCluster")
	status, body = send(t, e)
	var got struct{ Type, Message string }
	got.Type, got.Message = jsonField(body, "__type"), jsonField(body, "message")
	if status != 400 || got.Type != "IncompleteSignatureException" || got.Message != "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization." {
		t.Errorf("%d %s", status, body)
	}
}

// TestSigV4Scope: the credential scope names the service addressed and a
// Region that exists.
func TestSigV4Scope(t *testing.T) {
	rc := rolecalltest.RunT(t)
	const ecsBody = `{}`
	e := rawRequest(t, rc, ecsBody, "Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters")
	if err := v4.NewSigner().SignHTTP(ctx, rootCreds, e, sha(ecsBody), "iam", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	status, body := send(t, e)
	if status != 400 || jsonField(body, "__type") != "InvalidSignatureException" || jsonField(body, "message") != "Credential should be scoped to correct service: 'ecs'. " {
		t.Errorf("ECS signed for IAM: %d %s", status, body)
	}
	const gu = "Action=GetUser&Version=2010-05-08"
	r := rawRequest(t, rc, gu)
	if err := v4.NewSigner().SignHTTP(ctx, rootCreds, r, sha(gu), "iam", "mars-west-9", time.Now()); err != nil {
		t.Fatal(err)
	}
	status, body = send(t, r)
	wantRaw(t, status, body, 403, "<Code>SignatureDoesNotMatch</Code>", "Credential should be scoped to a valid region, not &#39;mars-west-9&#39;. ")
}

func jsonField(body, name string) string {
	var m map[string]any
	if json.Unmarshal([]byte(body), &m) != nil {
		return ""
	}
	s, _ := m[name].(string)
	return s
}
