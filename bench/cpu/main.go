// Command cpu measures server CPU per request (the server process's CPU
// time, bench.ProcessCPU, over the requests it answered) for GetRole and
// ListRoles (MaxItems 100, 1,000 roles in the account), sent by the
// aws-sdk-go-v2 IAM client, against three servers side by side:
//
//   - rolecall (`rolecall serve --ephemeral`);
//   - the floor: a do-nothing net/http server that replays rolecall's own
//     answers, recorded once, byte for byte (this program re-run with -replay);
//   - moto_server, if it is installed.
//
// CPU per request, unlike req/s, does not depend on how much of the machine
// the client takes, so the ratios hold on a shared 2-core machine.
//
//	go run ./bench/cpu [-duration 3s] [-concurrency 4] [-moto moto_server]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/bench"
)

// roles is the account's size: at its quota of 1,000 roles (IAM's default
// quota, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
const roles = 1000

// pageSize is ListRoles' MaxItems: one full page.
const pageSize = 100

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

var ops = []string{"GetRole", "ListRoles"}

func main() {
	replay := flag.String("replay", "", "internal: serve the recorded answers in -answers on this address until killed")
	answers := flag.String("answers", "", "internal: directory of recorded answers, one file per operation")
	duration := flag.Duration("duration", 3*time.Second, "measured time per operation and server")
	concurrency := flag.Int("concurrency", 4, "requests in flight")
	rounds := flag.Int("rounds", 10, "rounds the measured time is cut into, each server loaded in turn in each")
	moto := flag.String("moto", "moto_server", "the moto server command (empty: skip moto)")
	flag.Parse()
	if *replay != "" {
		if err := serveReplay(*replay, *answers); err != nil {
			fmt.Fprintln(os.Stderr, "cpu:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*duration, *rounds, *concurrency, *moto); err != nil {
		fmt.Fprintln(os.Stderr, "cpu:", err)
		os.Exit(1)
	}
}

// serveReplay answers every IAM request whose Action has a recorded answer
// with those bytes, and nothing else: the cost of the wire and nothing more.
func serveReplay(addr, dir string) error {
	bodies := map[string][]byte{}
	for _, op := range ops {
		b, err := os.ReadFile(filepath.Join(dir, op+".xml"))
		if err != nil {
			return err
		}
		bodies[op] = b
	}
	return http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_rolecall/health" {
			return
		}
		r.ParseForm()
		b, ok := bodies[r.PostForm.Get("Action")]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Write(b)
	}))
}

type server struct {
	name string
	cmd  *exec.Cmd
	url  string
}

func (s *server) stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// cpuTime is the process's CPU time so far (bench.ProcessCPU).
func (s *server) cpuTime() (time.Duration, error) { return bench.ProcessCPU(s.cmd.Process.Pid) }

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs a server and waits until it answers HTTP at all. Its
// stderr is shown only if quiet is false (moto logs every request there).
func start(name, addr string, quiet bool, args ...string) (*server, error) {
	cmd := exec.Command(args[0], args[1:]...)
	if !quiet {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &server{name: name, cmd: cmd, url: "http://" + addr}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(s.url + "/_rolecall/health"); err == nil {
			resp.Body.Close()
			return s, nil
		}
	}
	s.stop()
	return nil, fmt.Errorf("%s did not answer on %s", name, addr)
}

// recorder keeps the last answer's body: how rolecall's answers are recorded
// for the replaying server.
type recorder struct {
	rt   http.RoundTripper
	mu   sync.Mutex
	last []byte
}

func (t *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.last = body
	t.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func client(endpoint string, rec *recorder) *iam.Client {
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	rec.rt = tr
	return iam.New(iam.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		HTTPClient: &http.Client{Transport: bench.InMemoryBody{RT: rec}},
	})
}

func roleName(i int) string { return fmt.Sprintf("bench-cpu-%04d", i) }

// populate creates the account's roles, a few at a time.
func populate(ctx context.Context, c *iam.Client) error {
	var next atomic.Int64
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for i := int(next.Add(1)) - 1; i < roles; i = int(next.Add(1)) - 1 {
				if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName(i)), AssumeRolePolicyDocument: aws.String(trustPolicy)}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	var err error
	for range 8 {
		err = errors.Join(err, <-errs)
	}
	return err
}

func call(ctx context.Context, c *iam.Client, op string) error {
	switch op {
	case "GetRole":
		_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName(0))})
		return err
	default:
		out, err := c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(pageSize)})
		if err == nil && len(out.Roles) != pageSize {
			err = fmt.Errorf("ListRoles answered %d roles, want %d", len(out.Roles), pageSize)
		}
		return err
	}
}

// load sends op to c from concurrency clients for d and counts the answers.
func load(ctx context.Context, name string, c *iam.Client, op string, d time.Duration, concurrency int) (int64, error) {
	return bench.ClosedLoop(d, concurrency, func(int) error {
		if err := call(ctx, c, op); err != nil {
			return fmt.Errorf("%s %s: %w", name, op, err)
		}
		return nil
	})
}

// tally is one server's CPU and answered requests over the rounds.
type tally struct {
	cpu    time.Duration
	n      int64
	rounds []time.Duration // CPU per request in each round
}

func (t tally) per() time.Duration { return t.cpu / time.Duration(max(t.n, 1)) }

// measure loads the targets with op in turn, a slice of d each per round,
// so that whatever else the machine does in those seconds falls on all of
// them alike: a ratio measured in the same round is steadier than one
// between runs seconds apart.
func measure(ctx context.Context, targets []target, op string, d time.Duration, rounds, concurrency int) ([]tally, error) {
	for _, t := range targets { // warm up
		if _, err := load(ctx, t.s.name, t.c, op, d/5, concurrency); err != nil {
			return nil, err
		}
	}
	tallies := make([]tally, len(targets))
	slice := d / time.Duration(rounds)
	for range rounds {
		for i, t := range targets {
			before, err := t.s.cpuTime()
			if err != nil {
				return nil, err
			}
			n, err := load(ctx, t.s.name, t.c, op, slice, concurrency)
			if err != nil {
				return nil, err
			}
			after, err := t.s.cpuTime()
			if err != nil {
				return nil, err
			}
			tallies[i].cpu += after - before
			tallies[i].n += n
			tallies[i].rounds = append(tallies[i].rounds, (after-before)/time.Duration(max(n, 1)))
		}
	}
	return tallies, nil
}

type target struct {
	s *server
	c *iam.Client
}

func run(d time.Duration, rounds, concurrency int, motoCmd string) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "rolecall-bench-cpu")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "rolecall")
	build := exec.Command("go", "build", "-o", bin, "./cmd/rolecall")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building rolecall (run from the repository's root): %w", err)
	}

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	rc, err := start("rolecall", addr, false, bin, "serve", "--ephemeral", "--addr", addr, "--log-level", "warn")
	if err != nil {
		return err
	}
	defer rc.stop()
	rcRec := &recorder{}
	rcClient := client(rc.url, rcRec)
	if err := populate(ctx, rcClient); err != nil {
		return fmt.Errorf("rolecall: %w", err)
	}
	// Record rolecall's answers for the floor.
	for _, op := range ops {
		if err := call(ctx, rcClient, op); err != nil {
			return fmt.Errorf("rolecall: %w", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, op+".xml"), rcRec.last, 0o600); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if addr, err = freeAddr(); err != nil {
		return err
	}
	null, err := start("floor", addr, false, self, "-replay", addr, "-answers", tmp)
	if err != nil {
		return err
	}
	defer null.stop()

	targets := []target{{null, client(null.url, &recorder{})}, {rc, rcClient}}
	if motoCmd != "" {
		if path, err := exec.LookPath(motoCmd); err != nil {
			fmt.Fprintf(os.Stderr, "cpu: %s not found: measuring without moto\n", motoCmd)
		} else {
			if addr, err = freeAddr(); err != nil {
				return err
			}
			host, port, _ := net.SplitHostPort(addr)
			m, err := start("moto", addr, true, path, "-H", host, "-p", port)
			if err != nil {
				return err
			}
			defer m.stop()
			mc := client(m.url, &recorder{})
			if err := populate(ctx, mc); err != nil {
				return fmt.Errorf("moto: %w", err)
			}
			targets = append(targets, target{m, mc})
		}
	}

	fmt.Printf("server CPU per request (its CPU time over requests answered), aws-sdk-go-v2 client, %d in flight, %s each in %d rounds taken in turn, %d roles\n\n", concurrency, d, rounds, roles)
	header := "| request |"
	rule := "|---|"
	for _, t := range targets {
		header += " " + t.s.name + " |"
		rule += "---|"
	}
	fmt.Println(header)
	fmt.Println(rule)
	for _, op := range ops {
		row := "| " + op
		if op == "ListRoles" {
			row += fmt.Sprintf(", MaxItems %d", pageSize)
		}
		row += " |"
		tallies, err := measure(ctx, targets, op, d, rounds, concurrency)
		if err != nil {
			return err
		}
		floor := tallies[0]
		for i, t := range tallies {
			row += fmt.Sprintf(" %s µs (%d requests)", micros(t.per()), t.n)
			if i > 0 && floor.n > 0 {
				med, lo, hi := roundRatios(t, floor)
				row += fmt.Sprintf(", %.2fx (rounds: median %.2fx, %.2f-%.2fx)", float64(t.per())/float64(floor.per()), med, lo, hi)
			}
			row += " |"
		}
		fmt.Println(row)
	}
	return nil
}

func micros(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 0, 64)
}

// roundRatios are the median, least and greatest of t's CPU per request
// over the floor's in the same round.
func roundRatios(t, floor tally) (median, least, greatest float64) {
	var r []float64
	for i := range t.rounds {
		if floor.rounds[i] > 0 {
			r = append(r, float64(t.rounds[i])/float64(floor.rounds[i]))
		}
	}
	if len(r) == 0 {
		return 0, 0, 0
	}
	slices.Sort(r)
	return r[len(r)/2], r[0], r[len(r)-1]
}
