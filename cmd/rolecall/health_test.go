package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/rolecalltest"
)

func TestHealthCommand(t *testing.T) {
	rc := rolecalltest.RunT(t)
	out, errs, code := rolecallCLI(t, rc, "health")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if want := "at " + rc.Endpoint + ": running (account 000000000000, auth strict, enforce on, state "; !strings.Contains(out, want) {
		t.Errorf("health printed %q, want it to contain %q", out, want)
	}

	// The endpoint from the environment, as the other commands take it.
	t.Setenv("AWS_ENDPOINT_URL", rc.Endpoint+"/")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"health"}, &stdout, &stderr); code != 0 {
		t.Errorf("health with AWS_ENDPOINT_URL: exit %d, %s", code, stderr.String())
	}
}

// TestHealthCommandFails: a health check passes only when a running
// rolecall answers: not for a closed port, another server's 200, a
// rolecall-shaped answer whose status is not running, or an error status.
func TestHealthCommandFails(t *testing.T) {
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr
	}()
	answering := func(status int, body string) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/_rolecall/health" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(status)
			w.Write([]byte(body))
		}))
		t.Cleanup(s.Close)
		return s.URL
	}
	for _, c := range []struct{ name, endpoint, want string }{
		{"nothing listens", closed, "no answer"},
		{"another server", answering(200, "<html>hello</html>"), "not rolecall's health JSON"},
		{"not running", answering(200, `{"status":"stopping"}`), `status "stopping", not "running"`},
		{"error status", answering(503, `{"status":"running"}`), "answered 503 Service Unavailable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"health", "--endpoint", c.endpoint}, &stdout, &stderr)
			if code != 1 || stdout.Len() != 0 || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout.String(), stderr.String(), c.want)
			}
		})
	}

	var stdout, stderr bytes.Buffer
	if code := run([]string{"health", "extra"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "Usage:") {
		t.Errorf("a stray word: exit %d, %q", code, stderr.String())
	}
}

// TestExposureWarning: serve warns when it listens where other machines
// may reach it, and only then.
func TestExposureWarning(t *testing.T) {
	for _, c := range []struct {
		addr string
		warn bool
	}{
		{"127.0.0.1:4566", false},
		{"127.0.0.2:4566", false},
		{"[::1]:4566", false},
		{"0.0.0.0:4566", true},
		{"[::]:4566", true},
		{"192.168.1.20:4566", true},
	} {
		a, err := net.ResolveTCPAddr("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		w := exposure(a)
		if (w != "") != c.warn {
			t.Errorf("%s: warning %q, want one: %v", c.addr, w, c.warn)
		}
		if c.warn && !strings.Contains(w, "root of account 000000000000") {
			t.Errorf("%s: the warning does not say who can act: %q", c.addr, w)
		}
	}
}
