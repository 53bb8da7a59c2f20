package server

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
)

type getRoleIn struct{ RoleName string }
type getRoleOut struct {
	Role *struct{ RoleName, Path string }
}

// testHandler serves a fake IAM binding, so these tests exercise routing and
// the codecs without the IAM domain.
func testHandler() *Handler {
	b := api.NewService("iam",
		api.Op("GetRole", func(ctx context.Context, c *api.Call, in *getRoleIn) (*getRoleOut, error) {
			switch in.RoleName {
			case "missing":
				return nil, awserr.NoSuchEntity("The role with name %s cannot be found.", in.RoleName)
			case "boom":
				panic("handler bug")
			}
			return &getRoleOut{Role: &struct{ RoleName, Path string }{in.RoleName + "@" + c.Account + "@" + c.Region, "/"}}, nil
		}, nil),
	)
	return New(Config{Auth: lenient, IDs: &ids.Sequence{}, Version: "test", Store: "memory", Services: []*api.Service{b}})
}

// lenient lets these routing and codec tests send made-up signatures;
// auth_test.go covers strict authentication.
var lenient = &auth.Authenticator{Mode: auth.Lenient, DefaultAccount: DefaultAccount, Clock: ids.SystemClock{}}

const iamAuth = "AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"

func do(t *testing.T, h http.Handler, method, target, body string, headers ...string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			r.Host = headers[i+1]
			continue
		}
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Body)
	return w.Code, string(b)
}

func TestServeQuery(t *testing.T) {
	h := testHandler()
	cases := []struct {
		name, method, target, body string
		headers                    []string
		status                     int
		contains                   []string
	}{
		{"signed GetRole", "POST", "/", "Action=GetRole&Version=2010-05-08&RoleName=app", []string{"Authorization", iamAuth}, 200,
			[]string{"<GetRoleResponse", "<RoleName>app@000000000000@eu-west-1</RoleName>", "<RequestId>"}},
		{"unsigned GetRole found by action", "GET", "/?Action=GetRole&RoleName=app", "", nil, 200, []string{"<RoleName>app@000000000000@us-east-1</RoleName>"}},
		{"domain error", "POST", "/", "Action=GetRole&RoleName=missing", []string{"Authorization", iamAuth}, 404,
			[]string{"<Code>NoSuchEntity</Code>", "<Message>The role with name missing cannot be found.</Message>", "<Type>Sender</Type>"}},
		{"panic becomes 500", "POST", "/", "Action=GetRole&RoleName=boom", []string{"Authorization", iamAuth}, 500, []string{"<Code>ServiceFailure</Code>"}},
		{"validation", "POST", "/", "Action=GetRole", []string{"Authorization", iamAuth}, 400,
			[]string{"<Code>ValidationError</Code>", "Value null at &#39;roleName&#39; failed to satisfy constraint: Member must not be null"}},
		{"unknown action", "POST", "/", "Action=MakeCoffee", []string{"Authorization", iamAuth}, 400,
			[]string{"<Code>InvalidAction</Code>", "Could not find operation MakeCoffee for version 2010-05-08"}},
		{"not implemented", "POST", "/", "Action=ListRoles", []string{"Authorization", iamAuth}, 501,
			[]string{"<Code>NotImplemented</Code>", "rolecall does not implement iam:ListRoles yet"}},
		{"unknown service", "POST", "/", "Action=ListBuckets", []string{"Authorization", strings.Replace(iamAuth, "/iam/", "/s3/", 1)}, 400,
			[]string{"<Code>UnknownService</Code>", "&#34;s3&#34;"}},
		{"unsigned, unknown action", "POST", "/", "Action=Nothing", nil, 403, []string{"<Code>MissingAuthenticationToken</Code>"}},
		{"wrong method", "DELETE", "/", "", []string{"Authorization", iamAuth}, 405, []string{"<Code>MethodNotAllowed</Code>"}},
		{"bad form", "POST", "/", "Action=%zz", []string{"Authorization", iamAuth}, 400,
			[]string{"<Code>MalformedQueryString</Code>", "<Message>The request body is not valid form encoding: invalid URL escape &#34;%zz&#34;</Message>"}},
		{"bad query string", "POST", "/?a=1;b=2", "Action=GetRole&RoleName=app", []string{"Authorization", iamAuth}, 400,
			[]string{"<Code>MalformedQueryString</Code>", "<Message>The query string is not valid URL encoding: invalid semicolon separator in query</Message>"}},
		{"query string and body", "POST", "/?RoleName=first", "Action=GetRole&Version=2010-05-08&RoleName=app", []string{"Authorization", iamAuth}, 200,
			[]string{"<RoleName>first@000000000000@eu-west-1</RoleName>"}},
		{"unknown JSON target", "POST", "/", "{}", []string{"X-Amz-Target", "AWSCognitoIdentityService.ListPools"}, 400, []string{`"__type":"UnknownOperationException"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := do(t, h, c.method, c.target, c.body, c.headers...)
			if status != c.status {
				t.Errorf("status %d, want %d\n%s", status, c.status, body)
			}
			for _, want := range c.contains {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
		})
	}
}

func TestOversizeBody(t *testing.T) {
	status, body := do(t, testHandler(), "POST", "/", "Action=GetRole&RoleName="+strings.Repeat("a", maxBody), "Authorization", iamAuth)
	if status != 413 || !strings.Contains(body, "<Code>RequestEntityTooLarge</Code>") {
		t.Errorf("%d %s", status, body)
	}
}

// A body shorter than its declared length (the client stopped sending) is
// answered as cut off, whether it is read into a buffer of the declared size
// (a small one) or as it comes (a large one).
func TestBodyCutOff(t *testing.T) {
	srv := httptest.NewServer(testHandler())
	defer srv.Close()
	for _, declared := range []int{100, smallBody + 1} {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: "+iamAuth+"\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
			"Content-Length: "+strconv.Itoa(declared)+"\r\n\r\nAction=GetRole")
		c.(*net.TCPConn).CloseWrite()
		b, _ := io.ReadAll(c)
		c.Close()
		answer := string(b)
		if !strings.HasPrefix(answer, "HTTP/1.1 400 ") || !strings.Contains(answer, "<Code>RequestTimeout</Code>") ||
			!strings.Contains(answer, "<Message>The request body was not received in full before the read timeout: unexpected EOF</Message>") {
			t.Errorf("declared %d bytes, sent 14: %s", declared, answer)
		}
	}
}

func TestHealth(t *testing.T) {
	status, body := do(t, testHandler(), "GET", "/_rolecall/health", "")
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil || status != 200 {
		t.Fatalf("%d %s %v", status, body, err)
	}
	if got["status"] != "running" || got["account"] != DefaultAccount {
		t.Errorf("health %v", got)
	}
}

// TestInternalPathOutside: an internal endpoint outside /_rolecall/ (moto's
// reset) answers its path, and only that path; the API's "/" and a path
// under /_rolecall/ are not it.
func TestInternalPathOutside(t *testing.T) {
	reset := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "reset") })
	h := New(Config{Auth: lenient, IDs: &ids.Sequence{}, Internal: map[string]http.Handler{"/moto-api/reset": reset, "/_rolecall/other": reset}})
	if code, body := do(t, h, "POST", "/moto-api/reset", ""); code != 200 || body != "reset" {
		t.Errorf("/moto-api/reset: %d %s", code, body)
	}
	if code, body := do(t, h, "POST", "/moto-api/reset/x", ""); body == "reset" {
		t.Errorf("/moto-api/reset/x: %d %s", code, body)
	}
	if code, body := do(t, h, "POST", "/", "Action=GetRole&RoleName=a"); !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("/: %d %s", code, body)
	}
}
