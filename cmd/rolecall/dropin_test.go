package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestVersionText(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/rolecall/rolecall", Version: "v0.0.0-20261207091243-0d7eaa0d4009+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0d7eaa0d40093f8573779335d9d0decf5fc367fd"},
			{Key: "vcs.time", Value: "2026-12-07T09:12:43Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "rolecall v0.0.0-20261207091243-0d7eaa0d4009+dirty\nrevision 0d7eaa0d40093f8573779335d9d0decf5fc367fd (modified)\ncommitted 2026-12-07T09:12:43Z\nbuilt with go1.26.8\n"
	if got := versionText("dev", bi); got != want {
		t.Errorf("from the build info:\n%s\nwant\n%s", got, want)
	}
	// -ldflags "-X main.version=1.2.3" wins over the module's version.
	if got := versionText("1.2.3", bi); !strings.HasPrefix(got, "rolecall 1.2.3\nrevision 0d7eaa0d40093f8573779335d9d0decf5fc367fd (modified)\n") {
		t.Errorf("with -ldflags:\n%s", got)
	}
	bi.Main.Version = "(devel)"
	bi.Settings = nil
	if got := versionText("dev", bi); got != "rolecall dev\nbuilt with go1.26.8\n" {
		t.Errorf("no version, no VCS:\n%s", got)
	}
	if got := versionText("dev", nil); got != "rolecall dev\n" {
		t.Errorf("no build info:\n%s", got)
	}
	out, _, code := cli("version")
	if code != 0 || !strings.HasPrefix(out, "rolecall ") {
		t.Errorf("rolecall version: %d %q", code, out)
	}
}

func TestServeRefusesBadAccountAndRegion(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--account", "12345678901"}, `rolecall: bad --account "12345678901": an account ID is 12 digits`},
		{[]string{"--account", "12345678901x"}, `rolecall: bad --account "12345678901x": an account ID is 12 digits`},
		{[]string{"--region", "local"}, `rolecall: bad --region "local": name an AWS Region, such as us-east-1`},
	} {
		out, errs, code := cli(append([]string{"serve", "--ephemeral", "--addr", "127.0.0.1:0"}, c.args...)...)
		if code != 2 || out != "" || strings.TrimSpace(errs) != c.want {
			t.Errorf("serve %v: exit %d\n%s%s", c.args, code, out, errs)
		}
	}
}

// TestServeProcess is `rolecall serve` in a process of its own, for the
// tests below (the test binary run again, as os/exec's tests do): its
// arguments are $ROLECALL_SERVE_ARGS.
func TestServeProcess(t *testing.T) {
	args := os.Getenv("ROLECALL_SERVE_ARGS")
	if args == "" {
		return
	}
	os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
}

// serveProc is a `rolecall serve` process: its endpoint, banner and log.
type serveProc struct {
	endpoint string
	banner   []string
	cmd      *exec.Cmd
	mu       sync.Mutex
	stderr   bytes.Buffer
	done     chan struct{}
}

func (s *serveProc) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.Write(p)
}

func (s *serveProc) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// startServe runs rolecall serve with args on a free port until the test
// ends, and reads its banner.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	s := &serveProc{done: make(chan struct{})}
	s.cmd = exec.Command(os.Args[0], "-test.run=^TestServeProcess$")
	s.cmd.Env = append(os.Environ(), "ROLECALL_SERVE_ARGS="+strings.Join(append([]string{"serve", "--ephemeral", "--addr", "127.0.0.1:0"}, args...), " "))
	s.cmd.Stderr = s
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		<-s.done
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		l := lines.Text()
		s.banner = append(s.banner, l)
		if _, after, ok := strings.Cut(l, " listening on "); ok {
			s.endpoint = after
		}
		if strings.HasPrefix(strings.TrimSpace(l), "export AWS_ACCESS_KEY_ID=") {
			break
		}
	}
	go func() {
		io.Copy(io.Discard, out)
		s.cmd.Wait()
		close(s.done)
	}()
	if s.endpoint == "" {
		t.Fatalf("rolecall serve %v printed no endpoint:\n%s\n%s", args, strings.Join(s.banner, "\n"), s.log())
	}
	return s
}

func (s *serveProc) config(key string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(key, "test", "")}
}

// stop ends the process as SIGTERM does, and answers its exit status.
func (s *serveProc) stop(t *testing.T) int {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.done
	return s.cmd.ProcessState.ExitCode()
}

// rolecall serve as a moto suite needs it: lenient, with moto's account
// and a Region; the banner says what is relaxed, the root keys act in the
// account, root assumes a role, and moto's reset forgets it.
func TestServeForMotoSuites(t *testing.T) {
	s := startServe(t, "--auth", "lenient", "--account", "123456789012", "--region", "eu-west-1")
	banner := strings.Join(s.banner, "\n")
	for _, want := range []string{"  account:  123456789012", "  region:   eu-west-1", "  auth:     lenient",
		"export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=eu-west-1"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	ctx := context.Background()
	cfg := s.config("test")
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, nil)
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::123456789012:root" {
		t.Fatalf("GetCallerIdentity: %v %v", err, id)
	}
	c := iam.NewFromConfig(cfg)
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/app"), RoleSessionName: aws.String("s1")})
	if err != nil || aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/app/s1" {
		t.Fatalf("root's AssumeRole: %v", err)
	}
	resp, err := http.Post(s.endpoint+"/moto-api/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var status map[string]string
	json.NewDecoder(resp.Body).Decode(&status)
	resp.Body.Close()
	if resp.StatusCode != 200 || status["status"] != "ok" {
		t.Fatalf("moto-api/reset: %d %v", resp.StatusCode, status)
	}
	if roles, err := c.ListRoles(ctx, &iam.ListRolesInput{}); err != nil || len(roles.Roles) != 0 {
		t.Errorf("roles after the reset: %v %v", err, roles)
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("exit %d:\n%s", code, s.log())
	}
	log := s.log()
	for _, want := range []string{
		"rolecall: WARNING: this rolecall lets through what AWS refuses; a response to a request let through only because of --auth lenient carries X-Rolecall-Auth: lenient:",
		"  - signatures are not checked: ",
		"  - an unknown access key, and an unsigned request, act as the root user of 123456789012 ",
		"  - expired session credentials, ",
		"  - GetSessionToken credentials may call IAM without MFA",
		"  - an unsigned query request (curl) is routed to IAM or STS by its Action",
		`  - the root user may assume roles (AWS answers "Roles may not be assumed by root accounts."); the role's trust policy still decides`,
		"  - POST /_rolecall/reset and /moto-api/reset forget state without --allow-reset",
		"rolecall: POST /_rolecall/reset (?account=ID for one account) and /moto-api/reset forget the state",
		"msg=reset", "scope=\"every account\"",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// Strict mode relaxes nothing and says nothing of it; --allow-reset is
// announced, --enforce audit listed as what it relaxes.
func TestServeStrictBanner(t *testing.T) {
	s := startServe(t)
	s.stop(t)
	if log := s.log(); strings.Contains(log, "WARNING") || strings.Contains(log, "reset") {
		t.Errorf("strict: %s", log)
	}
	s = startServe(t, "--allow-reset", "--enforce", "audit")
	s.stop(t)
	log := s.log()
	for _, want := range []string{"  - --enforce audit: a request AWS would deny goes through; X-Rolecall-Would-Deny says what AWS would answer",
		"rolecall: POST /_rolecall/reset (?account=ID for one account) and /moto-api/reset forget the state"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "signatures are not checked") {
		t.Errorf("strict mode lists lenient mode's relaxations:\n%s", log)
	}
}
