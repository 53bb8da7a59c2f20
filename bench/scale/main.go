// Command scale measures rolecall on a large state and its durable writes.
//
//	go run ./bench/scale -data DIR [-accounts 1000] [-duration 3s] [-concurrency 4] [-starts 5]
//	go run ./bench/scale -writes [-duration 3s]
//
// With -data (a data directory bench/dataset wrote, of -accounts
// accounts), it compares rolecall serving that directory with rolecall
// serving one account of 1,000 roles (built here the same way): start-up
// (exec to the first answered GetRole, the median of -starts starts, on a
// warm page cache), resident memory after start-up and after the load, and
// the server's CPU per request (its CPU time, bench.ProcessCPU, over the
// requests answered) for GetRole, ListRoles' first and last pages (MaxItems
// 100), AssumeRole and an ECS RunTask (Fargate, with a task role),
// -concurrency in flight.
// The requests act in the last account of the data set.
//
// With -writes, it measures durable CreateRole/s against `rolecall serve
// --data-dir` on a new directory (every commit fsynced, group commit) at
// 1, 16 and 64 requests in flight, each request in the next account that
// has room (IAM's quota is 1,000 roles an account).
//
// Requests are SigV4-signed with an account ID as the access key and
// "test" as the secret (the account's root, as rolecall's convention
// allows); identical requests are signed once per worker and re-sent.
package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rolecall/rolecall/bench"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	data        string
	accounts    int
	writes      bool
	bin         string
	duration    time.Duration
	concurrency int
	starts      int
	inFlight    []int
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.data, "data", "", "a data directory bench/dataset wrote: measure rolecall on it next to one account alone")
	fs.IntVar(&o.accounts, "accounts", 1000, "-data's accounts (bench/dataset -accounts); requests act in the last")
	fs.BoolVar(&o.writes, "writes", false, "measure durable CreateRole/s at 1, 16 and 64 in flight")
	fs.StringVar(&o.bin, "rolecall", "", "the rolecall binary (default: build ./cmd/rolecall)")
	fs.DurationVar(&o.duration, "duration", 3*time.Second, "measured time per operation")
	fs.IntVar(&o.concurrency, "concurrency", 4, "-data: requests in flight")
	fs.IntVar(&o.starts, "starts", 5, "-data: starts per state for the start-up time (median)")
	inFlight := fs.String("in-flight", "1,16,64", "-writes: requests in flight, each a run")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, f := range strings.Split(*inFlight, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "scale: bad -in-flight %q\n", *inFlight)
			return 2
		}
		o.inFlight = append(o.inFlight, n)
	}
	if o.data == "" && !o.writes {
		fmt.Fprintln(stderr, "scale: give -data DIR (from bench/dataset), -writes, or both")
		return 2
	}
	if err := measureAll(o, stdout); err != nil {
		fmt.Fprintln(stderr, "scale:", err)
		return 1
	}
	return 0
}

func measureAll(o options, stdout io.Writer) error {
	tmp, err := os.MkdirTemp("", "rolecall-bench-scale")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.bin == "" {
		o.bin = filepath.Join(tmp, "rolecall")
		build := exec.Command("go", "build", "-o", o.bin, "./cmd/rolecall")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building rolecall (run from the repository's root): %w", err)
		}
	}
	if o.data != "" {
		if err := scale(o, tmp, stdout); err != nil {
			return err
		}
	}
	if o.writes {
		if err := writes(o, tmp, stdout); err != nil {
			return err
		}
	}
	return nil
}

// ---- requests ----

const region = "us-east-1"

// request is one AWS request, before signing.
type request struct {
	service string // SigV4 signing name: iam, sts, ecs
	target  string // X-Amz-Target, for JSON protocols
	body    []byte
	account string // the access key: an account ID signs as its root
	secret  string // the secret key; "" is "test", the root's
	expect  string // a 200 answer contains this
}

func query(service, account, expect string, params ...string) request {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return request{service: service, account: account, body: []byte(v.Encode()), expect: expect}
}

func iamQuery(account, action, expect string, params ...string) request {
	return query("iam", account, expect, append([]string{"Action", action, "Version", "2010-05-08"}, params...)...)
}

func ecsCall(account, op, body, expect string) request {
	return request{service: "ecs", target: "AmazonEC2ContainerServiceV20141113." + op, body: []byte(body), account: account, expect: expect}
}

type client struct {
	url    string
	hc     *http.Client
	signer *v4.Signer
}

func newClient(endpoint string) *client {
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, DisableCompression: true,
		DialContext: (&net.Dialer{Timeout: 200 * time.Millisecond}).DialContext}
	return &client{url: endpoint + "/", hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}, signer: v4.NewSigner()}
}

// signed is a request ready to send, again and again.
type signed struct {
	r      request
	header http.Header
}

func (c *client) sign(r request) (*signed, error) {
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(r.body))
	if err != nil {
		return nil, err
	}
	if r.target != "" {
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", r.target)
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	sum := sha256.Sum256(r.body)
	creds := aws.Credentials{AccessKeyID: r.account, SecretAccessKey: cmp.Or(r.secret, "test")}
	if err := c.signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), r.service, region, time.Now()); err != nil {
		return nil, err
	}
	return &signed{r: r, header: req.Header}, nil
}

// send sends s and answers the body of a 200 that contains what s
// expects, or an error.
func (c *client) send(s *signed, buf *bytes.Buffer) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(s.r.body))
	if err != nil {
		return nil, err
	}
	req.Header = s.header
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(buf.Bytes(), []byte(s.r.expect)) {
		b := buf.String()
		if len(b) > 600 {
			b = b[:600] + "..."
		}
		return nil, fmt.Errorf("HTTP %d, want 200 with %q: %s", resp.StatusCode, s.r.expect, b)
	}
	return buf.Bytes(), nil
}

// do signs and sends r once.
func (c *client) do(r request) ([]byte, error) {
	s, err := c.sign(r)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	b, err := c.send(s, &buf)
	return slices.Clone(b), err
}

// ---- servers ----

type proc struct {
	cmd    *exec.Cmd
	url    string
	exited chan struct{} // closed once the process has ended
}

// start runs rolecall serve on dir and waits for first to be answered:
// it answers the time from just before exec.
func start(bin, dir string, first request) (*proc, time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &proc{url: "http://" + addr}
	c := newClient(s.url)
	probe, err := c.sign(first)
	if err != nil {
		return nil, 0, err
	}
	// --oidc-addr off: the issuer would take the next port, which may be
	// another server's.
	s.cmd = exec.Command(bin, "serve", "--data-dir", dir, "--addr", addr, "--oidc-addr", "off", "--log-level", "warn")
	s.cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, 0, err
	}
	s.exited = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.exited) }()
	var buf bytes.Buffer
	var last error
	for deadline := t0.Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Microsecond) {
		select {
		case <-s.exited:
			return nil, 0, fmt.Errorf("rolecall serve --data-dir %s exited: %v", dir, s.cmd.ProcessState)
		default:
		}
		if _, last = c.send(probe, &buf); last == nil {
			c.hc.CloseIdleConnections()
			return s, time.Since(t0), nil
		}
	}
	s.stop()
	return nil, 0, fmt.Errorf("rolecall on %s did not answer: %v", dir, last)
}

// stop ends the server as an operator would (SIGTERM) and waits for it,
// killing it if it lingers.
func (s *proc) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// cpu is the server's CPU time so far (bench.ProcessCPU).
func (s *proc) cpu() (time.Duration, error) { return bench.ProcessCPU(s.cmd.Process.Pid) }

// settle waits (up to a minute) until the server has spent no CPU for
// 300 ms: what it does after start-up on its own is over.
func (s *proc) settle() error {
	prev, err := s.cpu()
	for deadline := time.Now().Add(time.Minute); err == nil && time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		var now time.Duration
		if now, err = s.cpu(); err == nil && now == prev {
			return nil
		}
		prev = now
	}
	return err
}

// memory is a process's resident memory, in MiB: all of it, and its
// anonymous part (the heap and stacks; the rest is the state file's pages
// in the memory map, which the kernel may drop at will).
type memory struct{ rss, anon float64 }

func (m memory) String() string { return fmt.Sprintf("%.0f MiB (%.0f MiB anonymous)", m.rss, m.anon) }

var memRE = regexp.MustCompile(`(?m)^(VmRSS|RssAnon):\s+(\d+) kB`)

func (s *proc) memory() (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, f := range memRE.FindAllSubmatch(b, -1) {
		kb, _ := strconv.ParseFloat(string(f[2]), 64)
		if string(f[1]) == "VmRSS" {
			m.rss = kb / 1024
		} else {
			m.anon = kb / 1024
		}
	}
	if m.rss == 0 {
		return m, errors.New("no VmRSS in /proc/PID/status")
	}
	return m, nil
}

// ---- load ----

// result is one load run.
type result struct {
	n       int64
	elapsed time.Duration
	cpu     time.Duration // server CPU over the run
	own     time.Duration // this process's (the client's) CPU over the run
	lat     []time.Duration
}

func (r result) perRequest() time.Duration { return r.cpu / time.Duration(max(r.n, 1)) }
func (r result) rate() float64             { return float64(r.n) / r.elapsed.Seconds() }
func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	slices.Sort(r.lat)
	return r.lat[min(len(r.lat)-1, int(p/100*float64(len(r.lat))))]
}

// load sends next()'s requests from concurrency workers for d, after a
// warm-up of d/5, and measures the server's CPU over the measured part.
// next is called per request by each worker; a request it signed once may
// come back each time.
func load(s *proc, c *client, concurrency int, d time.Duration, next func(worker int) (*signed, error)) (result, error) {
	drive := func(d time.Duration) (result, error) {
		lats := make([][]time.Duration, concurrency)
		bufs := make([]bytes.Buffer, concurrency)
		t0 := time.Now()
		n, err := bench.ClosedLoop(d, concurrency, func(w int) error {
			r, err := next(w)
			if err != nil {
				return err
			}
			t := time.Now()
			_, err = c.send(r, &bufs[w])
			lats[w] = append(lats[w], time.Since(t))
			return err
		})
		return result{n: n, elapsed: time.Since(t0), lat: slices.Concat(lats...)}, err
	}
	if _, err := drive(d / 5); err != nil {
		return result{}, err
	}
	ownBefore := ownCPU()
	before, err := s.cpu()
	if err != nil {
		return result{}, err
	}
	r, err := drive(d)
	if err != nil {
		return result{}, err
	}
	after, err := s.cpu()
	r.cpu, r.own = after-before, ownCPU()-ownBefore
	return r, err
}

// ownCPU is this process's CPU time so far.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// same re-sends one request, signed once per worker.
func same(c *client, r request, concurrency int) (func(int) (*signed, error), error) {
	ss := make([]*signed, concurrency)
	for i := range ss {
		var err error
		if ss[i], err = c.sign(r); err != nil {
			return nil, err
		}
	}
	return func(w int) (*signed, error) { return ss[w], nil }, nil
}

func us(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 0, 64) + " µs"
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}
