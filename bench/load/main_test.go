package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/rolecalltest"
)

// TestMain lets the test binary play a server for TestProbe: with
// LOAD_FAKE_ADDR set it runs -serve-null there.
func TestMain(m *testing.M) {
	if addr := os.Getenv("LOAD_FAKE_ADDR"); addr != "" {
		os.Exit(run([]string{"-serve-null", addr}, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestPercentile(t *testing.T) {
	ten := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 99, 0},
		{[]time.Duration{7}, 50, 7},
		{[]time.Duration{7}, 99, 7},
		{ten, 50, 5},
		{ten, 99, 10},
		{ten, 10, 1},
		{ten, 100, 10},
	} {
		if got := percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("percentile(%v, %v) = %v, want %v", tc.in, tc.p, got, tc.want)
		}
	}
}

func TestForm(t *testing.T) {
	for _, tc := range []struct {
		action string
		params []string
		want   string
	}{
		{"ListRoles", nil, "Action=ListRoles&Version=2010-05-08"},
		{"GetRole", []string{"RoleName", "a+b"}, "Action=GetRole&Version=2010-05-08&RoleName=a%2Bb"},
		{"CreateRole", []string{"RoleName", "r", "AssumeRolePolicyDocument", `{"a":"b c"}`},
			"Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%22a%22%3A%22b+c%22%7D"},
	} {
		if got := string(form(tc.action, tc.params...)); got != tc.want {
			t.Errorf("form(%s, %q) = %s, want %s", tc.action, tc.params, got, tc.want)
		}
	}
}

func TestNewWorkloadUnknownOp(t *testing.T) {
	_, err := newWorkload("DeleteRole", 10)
	if err == nil || !strings.Contains(err.Error(), `unknown -op "DeleteRole"`) {
		t.Fatalf("err = %v", err)
	}
}

func startFake(t *testing.T, f *nullIAM) (*client, options) {
	t.Helper()
	f.roles = map[string]bool{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	o := options{endpoint: srv.URL, target: "fake", duration: 30 * time.Millisecond, concurrency: 4, batch: 5, timeout: 5 * time.Second}
	c, err := newClient(srv.URL, o.concurrency, o.timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.rt.CloseIdleConnections)
	return c, o
}

func TestMeasureCountsErrorsApart(t *testing.T) {
	f := &nullIAM{failGet: func(n int) bool { return n > 1 && n%4 == 0 }}
	c, o := startFake(t, f)
	w, _ := newWorkload("GetRole", o.batch)
	rec, err := measure(c, w, o)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Kind != "load" || rec.Op != "GetRole" || rec.Target != "fake" || rec.Concurrency != 4 {
		t.Errorf("record = %+v", rec)
	}
	if rec.Errors == 0 || rec.Errors >= rec.Requests {
		t.Errorf("errors = %d of %d requests, want some but not all", rec.Errors, rec.Requests)
	}
	if rec.P50ms > rec.P99ms || rec.P99ms > rec.Maxms {
		t.Errorf("p50 %v, p99 %v, max %v out of order", rec.P50ms, rec.P99ms, rec.Maxms)
	}
}

func TestMeasureStopsWhenMostFail(t *testing.T) {
	f := &nullIAM{failGet: func(n int) bool { return n > 1 }} // the setup check passes, then all fail
	c, o := startFake(t, f)
	w, _ := newWorkload("GetRole", o.batch)
	_, err := measure(c, w, o)
	if err == nil || !strings.Contains(err.Error(), "most warm-up requests failed") && !strings.Contains(err.Error(), "most requests failed") ||
		!strings.Contains(err.Error(), "HTTP 500") || !strings.Contains(err.Error(), "ServiceFailure") {
		t.Fatalf("err = %v, want most failed with the first error body", err)
	}
}

func TestMeasureSetupReportsFailure(t *testing.T) {
	f := &nullIAM{failGet: func(int) bool { return true }}
	c, o := startFake(t, f)
	w, _ := newWorkload("GetRole", o.batch)
	_, err := measure(c, w, o)
	if err == nil || !strings.Contains(err.Error(), "GetRole check: HTTP 500") {
		t.Fatalf("err = %v", err)
	}
}

func TestListRolesCreatesFixtures(t *testing.T) {
	f := &nullIAM{}
	c, o := startFake(t, f)
	w, _ := newWorkload("ListRoles", o.batch)
	rec, err := measure(c, w, o)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Errors != 0 || len(f.roles) != listRoles {
		t.Errorf("errors %d, roles %d, want 0 and %d", rec.Errors, len(f.roles), listRoles)
	}
	// A second run reuses the fixtures (EntityAlreadyExists is fine).
	if _, err := measure(c, w, o); err != nil {
		t.Fatal(err)
	}
}

// CreateRole runs in phases of -batch creates and deletes them between
// phases, so an account quota is never hit and nothing is left behind.
func TestCreateRoleStaysUnderQuota(t *testing.T) {
	f := &nullIAM{quota: 6}
	c, o := startFake(t, f)
	o.warmup = 10 * time.Millisecond
	w, _ := newWorkload("CreateRole", o.batch)
	rec, err := measure(c, w, o)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Errors != 0 || rec.Requests == 0 {
		t.Errorf("requests %d errors %d, want some and none", rec.Requests, rec.Errors)
	}
	if len(f.roles) != 0 {
		t.Errorf("%d roles left behind", len(f.roles))
	}
}

func TestReport(t *testing.T) {
	recs := []record{
		{Kind: "startup", Target: "rolecall", HealthMS: 3, FirstIAMms: 4, FirstGetRoleMS: 5},
		{Kind: "startup", Target: "moto", FirstIAMms: 900, FirstGetRoleMS: 910},
		{Kind: "rss", Target: "rolecall", Phase: "idle", RSSKiB: 10 << 10},
		{Kind: "rss", Target: "moto", Phase: "idle", RSSKiB: 70 << 10},
		{Kind: "load", Target: "rolecall", Op: "GetRole", Concurrency: 8, RPS: 12000, P50ms: 0.5, P99ms: 2.5, Requests: 60000},
		{Kind: "load", Target: "moto", Op: "GetRole", Concurrency: 8, RPS: 200, P50ms: 30, P99ms: 50, Requests: 1000},
		{Kind: "load", Target: "rolecall", Op: "ListRoles", Concurrency: 8, RPS: 900, P99ms: 9},
		{Kind: "load", Target: "rolecall", Op: "GetRole", Concurrency: 1, RPS: 5000, P99ms: 0.5},
		{Kind: "load", Target: "moto", Op: "GetRole", Concurrency: 1, RPS: 250, P99ms: 6},
		{Kind: "startup", Target: "null", FirstIAMms: 1},
		{Kind: "load", Target: "null", Op: "GetRole", Concurrency: 8, RPS: 16000, P99ms: 2.25},
	}
	var b bytes.Buffer
	writeReport(&b, recs)
	out := b.String()
	if strings.Contains(out, "(c=1): 20.0x") {
		t.Errorf("throughput target judged at c=1:\n%s", out)
	}
	for _, want := range []string{
		"60.0x",
		"GetRole (c=8)",
		"GetRole throughput >= 50x moto (c=8): 60.0x  ok",
		"GetRole p99 < 2 ms (c=8): 2.500 ms  MISSED",
		"GetRole p99 < 2 ms (c=1): 0.500 ms  ok",
		"startup to first answered IAM request < 50 ms: 4.0 ms  ok",
		"idle RSS < 30 MiB: 10.0 MiB  ok",
		"900.0ms",
		"ceiling, GetRole (c=8): a do-nothing Go server answers 16000 req/s, p99 2.25ms here; rolecall reaches 75% of it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// Round trip through the JSON lines the tool writes.
	var lines bytes.Buffer
	for _, r := range recs {
		emit(&lines, true, r)
	}
	got, err := readRecords(&lines)
	if strings.Contains(out, "null req/s") {
		t.Errorf("the ceiling got a column:\n%s", out)
	}
	if err != nil || len(got) != len(recs) || got[4] != recs[4] {
		t.Fatalf("readRecords: %v, %d records, %+v", err, len(got), got)
	}
}

func TestRunFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-endpoint", "ftp://x"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "bad -endpoint") {
		t.Errorf("code %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"-probe", "-endpoint", "http://127.0.0.1:1"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "needs the server command") {
		t.Errorf("code %d, stderr %q", code, errb.String())
	}
}

func TestProbe(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	port := freePort(t)
	t.Setenv("LOAD_FAKE_ADDR", "127.0.0.1:"+port)
	pidfile := filepath.Join(dir, "pid")
	code := run([]string{"-probe", "-json", "-starts", "3", "-target", "fake", "-endpoint", "http://127.0.0.1:" + port, "-health", "/_rolecall/health",
		"-pidfile", pidfile, "-log", filepath.Join(dir, "log"), "--", os.Args[0]}, &out, &errb)
	if b, err := os.ReadFile(pidfile); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			if p, err := os.FindProcess(pid); err == nil {
				defer p.Kill()
			}
		}
	}
	if code != 0 {
		t.Fatalf("code %d, stderr %s", code, errb.String())
	}
	got, err := readRecords(&out)
	if err != nil || len(got) != 1 {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	r := got[0]
	if r.Kind != "startup" || r.Target != "fake" || r.PID == 0 || r.Starts != 3 ||
		!(0 < r.HealthMS && r.HealthMS <= r.FirstIAMms && r.FirstIAMms <= r.FirstGetRoleMS) {
		t.Errorf("record = %+v", r)
	}
}

func TestProbeServerExits(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"-probe", "-endpoint", "http://127.0.0.1:" + freePort(t), "--", "false"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "false exited before IAM answer") {
		t.Errorf("code %d, stderr %q", code, errb.String())
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run([]string{"-free-port"}, &out, &errb); code != 0 {
		t.Fatalf("-free-port: %s", errb.String())
	}
	return strings.TrimSpace(out.String())
}

// The generator's requests, fixtures and CreateRole phases work against
// rolecall itself (and within its 1000-role quota).
func TestAgainstRolecall(t *testing.T) {
	s := rolecalltest.RunT(t)
	for _, op := range []string{"GetRole", "ListRoles", "CreateRole"} {
		t.Run(op, func(t *testing.T) {
			o := options{endpoint: s.Endpoint, target: "rolecall", duration: 50 * time.Millisecond, concurrency: 2, batch: 800, timeout: 5 * time.Second}
			c, err := newClient(o.endpoint, o.concurrency, o.timeout)
			if err != nil {
				t.Fatal(err)
			}
			defer c.rt.CloseIdleConnections()
			w, err := newWorkload(op, o.batch)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := measure(c, w, o)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Errors != 0 || rec.Requests == 0 {
				t.Errorf("%+v: want requests and no errors", rec)
			}
		})
	}
}
