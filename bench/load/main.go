// Command load measures an IAM query-protocol endpoint (rolecall, moto, or
// anything else that speaks IAM) with a closed loop of SigV4-signed requests,
// sent the way the AWS SDKs send them.
//
//	load -endpoint http://127.0.0.1:4566 -op GetRole [-duration 5s] [-concurrency 8] [-warmup 1s] [-json]
//	load -probe -endpoint URL [-health /_rolecall/health] [-pidfile F] [-log F] -- server args...
//	load -report results.jsonl
//	load -serve-null 127.0.0.1:4600
//
// The first form prints one line: op, target, requests, errors, req/s, p50,
// p99 and max latency. The second starts a server and times exec to its first
// answers (see probe.go). The third prints the side-by-side table that
// bench/run.sh shows (see report.go). The fourth serves a do-nothing IAM,
// to measure what the machine and the generator allow (see null.go).
//
// Only HTTP 200 answers count as successes; anything else is an error,
// counted apart, and a run where most requests fail stops with the first
// error's body.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The emulator convention's root keys; moto accepts any.
const (
	accessKey  = "test"
	secretKey  = "test"
	region     = "us-east-1"
	service    = "iam"
	apiVersion = "2010-05-08"
)

// Fixture names are fixed so that repeated runs against one server reuse
// them instead of piling up roles towards the account's quota of 1000.
const (
	getRoleName   = "rolecall-bench-get"
	listRolePrefx = "rolecall-bench-list-"
	listRoles     = 100 // ListRoles' default MaxItems: one full page
	probeRoleName = "rolecall-bench-probe"
)

// trustPolicy is what an ECS task role trusts; small, like most.
const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// resign is how long a signature is reused. AWS accepts a signature for 15
// minutes; re-signing well before keeps long runs valid.
const resign = 5 * time.Minute

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	endpoint    string
	op          string
	target      string
	duration    time.Duration
	warmup      time.Duration
	concurrency int
	batch       int
	timeout     time.Duration
	json        bool

	probe        bool
	health       string
	pidfile      string
	logfile      string
	probeTimeout time.Duration
	starts       int

	report    string
	appendTo  string
	freePort  bool
	serveNull string
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.endpoint, "endpoint", "http://127.0.0.1:4566", "base URL of the IAM endpoint")
	fs.StringVar(&o.op, "op", "GetRole", "operation to load: GetRole, ListRoles or CreateRole")
	fs.StringVar(&o.target, "target", "", "label for the target in the output (default the endpoint's host:port)")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "measured time")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before the measured time")
	fs.IntVar(&o.concurrency, "concurrency", 8, "requests in flight (closed loop: each worker waits for its answer)")
	fs.IntVar(&o.batch, "batch", 800, "CreateRole: roles created per phase before they are deleted (unmeasured), to stay under the account's 1000-role quota")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "how long to wait for an answer's headers")
	fs.BoolVar(&o.json, "json", false, "print a JSON object instead of a line")
	fs.BoolVar(&o.probe, "probe", false, "start the server given after -- and time exec to its first answers; leaves it running")
	fs.StringVar(&o.health, "health", "", "probe: health path to poll first, e.g. /_rolecall/health (empty: none)")
	fs.StringVar(&o.pidfile, "pidfile", "", "probe: write the started server's pid here")
	fs.StringVar(&o.logfile, "log", "", "probe: the server's stdout and stderr go here (default discarded)")
	fs.DurationVar(&o.probeTimeout, "probe-timeout", 60*time.Second, "probe: give up after this long (per start)")
	fs.IntVar(&o.starts, "starts", 1, "probe: start the server this many times and report the median (the last stays running)")
	fs.StringVar(&o.report, "report", "", "print the comparison table for a file of -json lines and exit")
	fs.StringVar(&o.appendTo, "append", "", "also append the result as a JSON line to this file (for -report)")
	fs.BoolVar(&o.freePort, "free-port", false, "print a free loopback TCP port and exit")
	fs.StringVar(&o.serveNull, "serve-null", "", "serve a do-nothing IAM on this address until killed: the harness's ceiling")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.freePort {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(stderr, "load:", err)
			return 1
		}
		fmt.Fprintln(stdout, ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		return 0
	}
	if o.serveNull != "" {
		err := http.ListenAndServe(o.serveNull, &nullIAM{roles: map[string]bool{}})
		fmt.Fprintln(stderr, "load:", err)
		return 1
	}
	if o.report != "" {
		if err := report(o.report, stdout); err != nil {
			fmt.Fprintln(stderr, "load:", err)
			return 1
		}
		return 0
	}
	c, err := newClient(o.endpoint, o.concurrency, o.timeout)
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 2
	}
	if o.target == "" {
		o.target = c.url.Host
	}
	if o.probe {
		if fs.NArg() == 0 {
			fmt.Fprintln(stderr, "load: -probe needs the server command after --")
			return 2
		}
		rec, err := probe(c, o, fs.Args())
		if err != nil {
			fmt.Fprintln(stderr, "load:", err)
			return 1
		}
		return output(stdout, stderr, o, rec)
	}
	if o.concurrency < 1 || o.duration <= 0 {
		fmt.Fprintln(stderr, "load: -concurrency must be at least 1 and -duration positive")
		return 2
	}
	w, err := newWorkload(o.op, o.batch)
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 2
	}
	rec, err := measure(c, w, o)
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 1
	}
	return output(stdout, stderr, o, rec)
}

func output(stdout, stderr io.Writer, o options, rec record) int {
	emit(stdout, o.json, rec)
	if o.appendTo == "" {
		return 0
	}
	f, err := os.OpenFile(o.appendTo, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err == nil {
		emit(f, true, rec)
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 1
	}
	return 0
}

// record is one line of output: a load run, a startup probe, or (written by
// run.sh) a memory reading.
type record struct {
	Kind        string  `json:"kind"` // load, startup, rss
	Target      string  `json:"target"`
	Op          string  `json:"op,omitempty"`
	Concurrency int     `json:"concurrency,omitempty"`
	Seconds     float64 `json:"seconds,omitempty"`
	Requests    int64   `json:"requests,omitempty"`
	Errors      int64   `json:"errors"`
	RPS         float64 `json:"rps,omitempty"`
	P50ms       float64 `json:"p50_ms,omitempty"`
	P99ms       float64 `json:"p99_ms,omitempty"`
	Maxms       float64 `json:"max_ms,omitempty"`

	PID            int     `json:"pid,omitempty"`
	HealthMS       float64 `json:"health_ms,omitempty"`
	FirstIAMms     float64 `json:"first_iam_ms,omitempty"`
	FirstGetRoleMS float64 `json:"first_getrole_ms,omitempty"`
	Starts         int     `json:"starts,omitempty"` // the timings are the median of this many starts

	Phase  string `json:"phase,omitempty"`
	RSSKiB int64  `json:"rss_kib,omitempty"`
}

func emit(w io.Writer, asJSON bool, r record) {
	if asJSON {
		b, _ := json.Marshal(r)
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	switch r.Kind {
	case "startup":
		fmt.Fprintf(w, "startup  %-10s pid=%d health=%s first-iam=%s first-getrole=%s (median of %d starts)\n",
			r.Target, r.PID, msOrDash(r.HealthMS), msOrDash(r.FirstIAMms), msOrDash(r.FirstGetRoleMS), max(r.Starts, 1))
	default:
		fmt.Fprintf(w, "%-10s %-10s requests=%d errors=%d req/s=%.0f p50=%.3fms p99=%.3fms max=%.3fms (c=%d, %.1fs)\n",
			r.Op, r.Target, r.Requests, r.Errors, r.RPS, r.P50ms, r.P99ms, r.Maxms, r.Concurrency, r.Seconds)
	}
}

func msOrDash(ms float64) string {
	if ms == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fms", ms)
}

// client sends signed IAM query requests to one endpoint.
type client struct {
	url    *url.URL
	rt     *http.Transport
	signer *v4.Signer
	creds  aws.Credentials
}

func newClient(endpoint string, concurrency int, timeout time.Duration) (*client, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("bad -endpoint %q: want a URL like http://127.0.0.1:4566", endpoint)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	if concurrency < 1 {
		concurrency = 1
	}
	rt := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          concurrency,
		MaxIdleConnsPerHost:   concurrency,
		MaxConnsPerHost:       concurrency,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: timeout,
		// IAM answers are small, and the SDKs do not ask for gzip from IAM.
		DisableCompression: true,
	}
	return &client{
		url:    u,
		rt:     rt,
		signer: v4.NewSigner(),
		creds:  aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey, Source: "bench"},
	}, nil
}

// signed is a request whose headers are signed, ready to be sent (again).
type signed struct {
	req      *http.Request
	body     []byte
	signedAt time.Time
}

// form builds the body the SDKs send: Action and Version, then parameters.
func form(action string, params ...string) []byte {
	var b strings.Builder
	b.WriteString("Action=")
	b.WriteString(action)
	b.WriteString("&Version=")
	b.WriteString(apiVersion)
	for i := 0; i+1 < len(params); i += 2 {
		b.WriteByte('&')
		b.WriteString(url.QueryEscape(params[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(params[i+1]))
	}
	return []byte(b.String())
}

func (c *client) sign(body []byte) (*signed, error) {
	req, err := http.NewRequest(http.MethodPost, c.url.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256(body)
	now := time.Now()
	if err := c.signer.SignHTTP(context.Background(), c.creds, req, hex.EncodeToString(sum[:]), service, region, now); err != nil {
		return nil, err
	}
	// Unsigned, as the SDKs leave it.
	req.Header.Set("User-Agent", "rolecall-bench/1")
	return &signed{req: req, body: body, signedAt: now}, nil
}

// answer is what came back: status and (for checks and errors) the body.
type answer struct {
	status int
	body   []byte
}

// send sends s once. buf is reused between calls by one worker.
func (c *client) send(ctx context.Context, s *signed, buf *bytes.Buffer) (answer, error) {
	req := s.req.WithContext(ctx) // shallow copy; the signed headers are shared read-only
	req.Body = io.NopCloser(bytes.NewReader(s.body))
	resp, err := c.rt.RoundTrip(req)
	if err != nil {
		return answer{}, err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, body: buf.Bytes()}, nil
}

// call signs and sends one request, for fixtures and checks.
func (c *client) call(ctx context.Context, body []byte) (answer, error) {
	s, err := c.sign(body)
	if err != nil {
		return answer{}, err
	}
	var buf bytes.Buffer
	a, err := c.send(ctx, s, &buf)
	a.body = slices.Clone(a.body)
	return a, err
}

func createRoleBody(name string) []byte {
	return form("CreateRole", "RoleName", name, "AssumeRolePolicyDocument", trustPolicy)
}

// ensureRole creates a role unless it exists already.
func (c *client) ensureRole(ctx context.Context, name string) error {
	a, err := c.call(ctx, createRoleBody(name))
	if err != nil {
		return err
	}
	if a.status == http.StatusOK || (a.status == http.StatusConflict && bytes.Contains(a.body, []byte("EntityAlreadyExists"))) {
		return nil
	}
	return fmt.Errorf("creating fixture role %s: HTTP %d: %s", name, a.status, clip(a.body))
}

func clip(b []byte) string {
	const n = 1024
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// workload is one operation's setup, the request a worker sends next, and
// for CreateRole the bookkeeping that keeps the account under its quota.
type workload interface {
	op() string
	// setup creates fixtures and checks that one request of the kind
	// succeeds with the expected answer.
	setup(ctx context.Context, c *client) error
	// worker returns the per-worker request source.
	worker(c *client) func() (*signed, error)
}

func newWorkload(op string, batch int) (workload, error) {
	switch op {
	case "GetRole":
		return &fixed{name: op, body: form("GetRole", "RoleName", getRoleName), expect: "<RoleName>" + getRoleName + "</RoleName>",
			prepare: func(ctx context.Context, c *client) error { return c.ensureRole(ctx, getRoleName) }}, nil
	case "ListRoles":
		return &fixed{name: op, body: form("ListRoles"), expect: "<ListRolesResult>", expectCount: listRoles,
			prepare: func(ctx context.Context, c *client) error {
				return parallel(ctx, 8, listRoles, func(ctx context.Context, i int) error {
					return c.ensureRole(ctx, fmt.Sprintf("%s%03d", listRolePrefx, i))
				})
			}}, nil
	case "CreateRole":
		if batch < 1 {
			return nil, errors.New("-batch must be at least 1")
		}
		return newCreates(batch), nil
	default:
		return nil, fmt.Errorf("unknown -op %q: want GetRole, ListRoles or CreateRole", op)
	}
}

// fixed is a workload of one identical request, signed once per worker and
// re-sent, so that the generator spends its CPU on sending, not signing.
type fixed struct {
	name        string
	body        []byte
	expect      string // a substring every success contains
	expectCount int    // ListRoles: roles on the page
	prepare     func(context.Context, *client) error
}

func (f *fixed) op() string { return f.name }

func (f *fixed) setup(ctx context.Context, c *client) error {
	if err := f.prepare(ctx, c); err != nil {
		return err
	}
	a, err := c.call(ctx, f.body)
	if err != nil {
		return err
	}
	if a.status != http.StatusOK || !bytes.Contains(a.body, []byte(f.expect)) {
		return fmt.Errorf("%s check: HTTP %d, want 200 with %s: %s", f.name, a.status, f.expect, clip(a.body))
	}
	if f.expectCount > 0 {
		if n := bytes.Count(a.body, []byte("<RoleName>")); n != f.expectCount {
			return fmt.Errorf("%s check: %d roles on the first page, want %d", f.name, n, f.expectCount)
		}
	}
	return nil
}

func (f *fixed) worker(c *client) func() (*signed, error) {
	var s *signed
	return func() (*signed, error) {
		if s == nil || time.Since(s.signedAt) > resign {
			var err error
			if s, err = c.sign(f.body); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
}

// creates is CreateRole with a unique name per request, each signed anew.
// The account holds at most 1000 roles, so the run goes in phases: create
// up to batch roles (measured), then delete them (not measured).
type creates struct {
	batch  int
	prefix string
	seq    atomic.Int64
	left   atomic.Int64 // creates left in this phase

	mu      sync.Mutex
	created []string // this phase's roles, to delete
}

func newCreates(batch int) *creates {
	var r [4]byte
	rand.Read(r[:])
	// "rcb-" + 8 hex + "-" + sequence stays far below the 64-character limit.
	return &creates{batch: batch, prefix: "rcb-" + hex.EncodeToString(r[:]) + "-"}
}

func (*creates) op() string { return "CreateRole" }

func (w *creates) setup(ctx context.Context, c *client) error {
	name := w.prefix + "check"
	a, err := c.call(ctx, createRoleBody(name))
	if err != nil {
		return err
	}
	if a.status != http.StatusOK || !bytes.Contains(a.body, []byte("<RoleName>"+name+"</RoleName>")) {
		return fmt.Errorf("CreateRole check: HTTP %d, want 200 with the role: %s", a.status, clip(a.body))
	}
	return w.deleteAll(ctx, c, []string{name})
}

func (w *creates) worker(c *client) func() (*signed, error) {
	return func() (*signed, error) {
		if w.left.Add(-1) < 0 {
			return nil, errPhaseDone
		}
		name := fmt.Sprintf("%s%d", w.prefix, w.seq.Add(1))
		s, err := c.sign(createRoleBody(name))
		if err != nil {
			return nil, err
		}
		w.mu.Lock()
		w.created = append(w.created, name)
		w.mu.Unlock()
		return s, nil
	}
}

// startPhase allows batch more creates and hands back the last phase's roles.
func (w *creates) startPhase() []string {
	w.mu.Lock()
	done := w.created
	w.created = nil
	w.mu.Unlock()
	w.left.Store(int64(w.batch))
	return done
}

func (w *creates) deleteAll(ctx context.Context, c *client, names []string) error {
	return parallel(ctx, 8, len(names), func(ctx context.Context, i int) error {
		a, err := c.call(ctx, form("DeleteRole", "RoleName", names[i]))
		if err != nil {
			return err
		}
		// A create that failed left nothing to delete.
		if a.status != http.StatusOK && !(a.status == http.StatusNotFound && bytes.Contains(a.body, []byte("NoSuchEntity"))) {
			return fmt.Errorf("deleting %s: HTTP %d: %s", names[i], a.status, clip(a.body))
		}
		return nil
	})
}

var errPhaseDone = errors.New("phase done")

// parallel runs fn(0..n-1) on at most k goroutines and returns the first error.
func parallel(ctx context.Context, k, n int, fn func(context.Context, int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range k {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// tally is what a worker saw.
type tally struct {
	lat      []time.Duration // of successes
	errors   int64
	firstErr string
}

// drive runs c workers until the deadline (or, for CreateRole, the phase's
// quota) and returns each worker's tally.
func drive(c *client, w workload, concurrency int, deadline time.Time) []tally {
	out := make([]tally, concurrency)
	var wg sync.WaitGroup
	for i := range concurrency {
		wg.Go(func() {
			next := w.worker(c)
			t := &out[i]
			t.lat = make([]time.Duration, 0, 4096)
			var buf bytes.Buffer
			// No per-request context: a timer per request costs the
			// generator CPU; Transport.ResponseHeaderTimeout bounds a stuck
			// server instead.
			ctx := context.Background()
			for time.Now().Before(deadline) {
				s, err := next()
				if err == errPhaseDone {
					return
				}
				if err != nil {
					t.fail(err.Error())
					continue
				}
				start := time.Now()
				a, err := c.send(ctx, s, &buf)
				d := time.Since(start)
				switch {
				case err != nil:
					t.fail(err.Error())
				case a.status != http.StatusOK:
					t.fail(fmt.Sprintf("HTTP %d: %s", a.status, clip(a.body)))
				default:
					t.lat = append(t.lat, d)
				}
			}
		})
	}
	wg.Wait()
	return out
}

func (t *tally) fail(msg string) {
	t.errors++
	if t.firstErr == "" {
		t.firstErr = msg
	}
}

// measure sets up, warms up, then measures one workload.
func measure(c *client, w workload, o options) (record, error) {
	ctx := context.Background()
	if err := w.setup(ctx, c); err != nil {
		return record{}, err
	}
	phases, _ := w.(*creates)
	// runFor loads for d of load time; CreateRole's deletes between phases
	// are not counted in it.
	runFor := func(d time.Duration) ([]tally, time.Duration, error) {
		if phases == nil {
			start := time.Now()
			t := drive(c, w, o.concurrency, start.Add(d))
			return t, time.Since(start), nil
		}
		var all []tally
		var spent time.Duration
		for spent < d {
			if err := phases.deleteAll(ctx, c, phases.startPhase()); err != nil {
				return nil, 0, err
			}
			start := time.Now()
			t := drive(c, w, o.concurrency, start.Add(d-spent))
			spent += time.Since(start)
			all = append(all, t...)
			if failed(all) {
				break
			}
		}
		err := phases.deleteAll(ctx, c, phases.startPhase())
		return all, spent, err
	}
	if o.warmup > 0 {
		t, _, err := runFor(o.warmup)
		if err != nil {
			return record{}, err
		}
		if failed(t) {
			return record{}, fmt.Errorf("%s against %s: most warm-up requests failed; first error: %s", w.op(), o.target, firstErr(t))
		}
	}
	t, elapsed, err := runFor(o.duration)
	if err != nil {
		return record{}, err
	}
	if failed(t) {
		return record{}, fmt.Errorf("%s against %s: most requests failed; first error: %s", w.op(), o.target, firstErr(t))
	}
	return summarize(w.op(), o.target, o.concurrency, elapsed, t), nil
}

func failed(t []tally) bool {
	var ok, bad int64
	for _, x := range t {
		ok += int64(len(x.lat))
		bad += x.errors
	}
	return bad > ok
}

func firstErr(t []tally) string {
	for _, x := range t {
		if x.firstErr != "" {
			return x.firstErr
		}
	}
	return ""
}

func summarize(op, target string, concurrency int, elapsed time.Duration, t []tally) record {
	var lat []time.Duration
	var errs int64
	for _, x := range t {
		lat = append(lat, x.lat...)
		errs += x.errors
	}
	slices.Sort(lat)
	r := record{
		Kind: "load", Op: op, Target: target, Concurrency: concurrency,
		Seconds:  elapsed.Seconds(),
		Requests: int64(len(lat)) + errs, Errors: errs,
		P50ms: ms(percentile(lat, 50)), P99ms: ms(percentile(lat, 99)),
	}
	if len(lat) > 0 {
		r.Maxms = ms(lat[len(lat)-1])
	}
	if elapsed > 0 {
		r.RPS = float64(len(lat)) / elapsed.Seconds()
	}
	return r
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := min(max(int(math.Ceil(p/100*float64(len(sorted)))), 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
