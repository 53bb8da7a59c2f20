// Command rolecall is a local AWS IAM, STS and ECS endpoint that behaves as
// AWS does about roles.
//
//	rolecall serve [--addr 127.0.0.1:4566] [--allowed-hosts NAMES] [--data-dir DIR | --ephemeral] [--auth strict|lenient] [--enforce on|audit|off] [--audit-log FILE]
//	               [--account ID] [--region REGION] [--allow-reset]
//	rolecall explain-denied REQUEST_ID [--endpoint URL]
//	rolecall roles [show NAME] [--endpoint URL]
//	rolecall task env TASK_ARN [--endpoint URL]
//	rolecall instance launch|env|list|terminate [...] [--endpoint URL]
//	rolecall mfa code SERIAL [--two] [--endpoint URL]
//	rolecall delegation token DELEGATION_REQUEST_ID [--endpoint URL]
//	rolecall policy eval --policy FILE --action ACTION --resource ARN [...]
//	rolecall doctor [--file PATH]... [--format table|json|markdown]; doctor explain TEXT; doctor indirect
//	rolecall state export|import [--data-dir DIR | --endpoint URL] [FILE]; state check|salvage|repair [--data-dir DIR]
//	rolecall health [--endpoint URL]
//	rolecall oidc token --sub SUBJECT [--aud AUD]... [--claim K=V]... [--preset github|eks|gitlab] [--endpoint URL]
//	rolecall saml metadata|assertion [...] [--endpoint URL]
//	rolecall version
//
// For test set-ups written against moto or LocalStack: --auth lenient
// (unchecked credentials act as a root user, and root may assume roles),
// --account 123456789012, and POST /_rolecall/reset or /moto-api/reset
// between tests (lenient mode, or --allow-reset).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/console"
	"github.com/rolecall/rolecall/internal/gcpace"
	"github.com/rolecall/rolecall/internal/oidc"
	"github.com/rolecall/rolecall/internal/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "roles":
		return roles(args[1:], stdout, stderr)
	case "policy":
		return policyCmd(args[1:], stdout, stderr)
	case "doctor":
		return doctorCmd(args[1:], stdout, stderr)
	case "explain-denied":
		return explainDenied(args[1:], stdout, stderr)
	case "task":
		return taskCmd(args[1:], stdout, stderr)
	case "instance":
		return instanceCmd(args[1:], stdout, stderr)
	case "mfa":
		return mfaCmd(args[1:], stdout, stderr)
	case "delegation":
		return delegationCmd(args[1:], stdout, stderr)
	case "state":
		return stateCmd(args[1:], stdout, stderr)
	case "health":
		return healthCmd(args[1:], stdout, stderr)
	case "oidc":
		return oidcCmd(args[1:], stdout, stderr)
	case "saml":
		return samlCmd(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprint(stdout, versionText(version, buildInfo()))
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "rolecall: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `rolecall: AWS IAM, STS and ECS roles, locally, as AWS runs them.

Commands:
  serve     start the endpoint (default 127.0.0.1:4566); for suites written for moto or
            LocalStack: --auth lenient, --account 123456789012, --region R, and
            POST /_rolecall/reset or /moto-api/reset between tests (--allow-reset in strict mode)
  roles     list a running rolecall's roles; 'roles show NAME' explains one
  task      'task env TASK_ARN': the exports that make a local program act as a task's role
  instance  'instance launch|env|list|terminate': EC2 instances with an instance profile, and
            the exports that make a local program act as an instance's role (IMDSv2)
  mfa       'mfa code SERIAL': the code a virtual MFA device rolecall made shows now
  delegation 'delegation token ID': a delegation request's exchange token, for the partner
            (AWS sends it to the partner's SNS topic)
  policy    'policy eval': evaluate policy files against a request and explain the decision
  doctor    every role an ECS setup needs, checked, with the fix; 'doctor explain', 'doctor indirect'
  explain-denied REQUEST_ID
            why a running rolecall denied a request
  state     'state export|import': the state as a file, out and in;
            'state check|salvage|repair': a damaged state file checked, read out, rebuilt
  health    whether a rolecall answers at the endpoint (exit 0) or not (exit 1)
  oidc      'oidc token': an ID token from rolecall's OpenID Connect issuer, for
            AssumeRoleWithWebIdentity (GitHub Actions, EKS and GitLab presets)
  saml      'saml metadata|assertion': rolecall's SAML identity provider, for AssumeRoleWithSAML
  version   print the version, the VCS revision and commit time it was built from

Run 'rolecall serve -h' for the flags of serve.
`)
}

// defaultDataDir is per user: $XDG_STATE_HOME/rolecall, else ~/.local/state/rolecall.
func defaultDataDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "rolecall")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "rolecall")
	}
	return filepath.Join(os.TempDir(), "rolecall")
}

// gcHeadroom is how far the heap may grow past what is live before the
// collector runs while requests keep it busy, for a small live heap: 24 MiB
// (GOGC=400 for rolecall's usual 6 MiB) costs that much memory under load
// and saves a few percent of a GetRole's CPU (README, Speed).
const gcHeadroom = 24 << 20

func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4566", "address to listen on")
	allowedHosts := fs.String("allowed-hosts", "", "comma-separated host `NAMES`, besides IP addresses and localhost, by which a web browser may reach rolecall (a name a page could make resolve to this server is refused, against DNS rebinding)")
	dataDir := fs.String("data-dir", defaultDataDir(), "directory for the state file")
	ephemeral := fs.Bool("ephemeral", false, "keep state in memory only; nothing survives a restart")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	quiet := fs.Bool("quiet", false, "do not log each denied request (the same as --log-level warn)")
	authFlag := fs.String("auth", "strict", "strict: every request signed with known credentials, as AWS; lenient: unknown or bad credentials act as an account's root (for code written against emulators that check nothing)")
	enforceFlag := fs.String("enforce", "on", "on: every action is authorized as AWS authorizes it; audit: allowed, but what AWS would deny is logged and reported (X-Rolecall-Would-Deny); off: nothing is authorized")
	auditLog := fs.String("audit-log", "", "append every authorization decision to `FILE` as a JSON line")
	maxConns := fs.Int("max-connections", server.DefaultLimits.MaxConnections, "connections served at once; more wait (0: no cap)")
	initFile := fs.String("init", "", "seed the state from `FILE` before listening: a rolecall state file or an aws iam get-account-authorization-details export (accounts that already have state are left as they are)")
	oidcAddr := fs.String("oidc-addr", "", defaultOIDCAddrHelp)
	oidcIssuer := fs.String("oidc-issuer", oidc.DefaultIssuer, "the `URL` rolecall's OpenID Connect issuer signs as (iss) when a token names no other")
	dropin := addDropinFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ver := versionOf(version, buildInfo())
	enforce, err := authz.ParseMode(*enforceFlag)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall: bad --enforce: %v\n", err)
		return 2
	}
	var auditW io.Writer
	if *auditLog != "" {
		f, err := os.OpenFile(*auditLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			fmt.Fprintf(stderr, "rolecall: cannot open --audit-log: %v\n", err)
			return 1
		}
		defer f.Close()
		auditW = f
	}
	authMode, err := auth.ParseMode(*authFlag)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall: bad --auth: %v\n", err)
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "rolecall: bad --log-level %q: %v\n", *logLevel, err)
		return 2
	}
	if *quiet {
		level = max(level, slog.LevelWarn)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	opts := app.Options{DataDir: *dataDir, Ephemeral: *ephemeral, Version: ver, Log: log, Auth: authMode, Enforce: enforce, AuditLog: auditW,
		OIDCIssuer: *oidcIssuer}
	for _, n := range strings.Split(*allowedHosts, ",") {
		if n = strings.TrimSpace(n); n != "" {
			opts.AllowedHosts = append(opts.AllowedHosts, n)
		}
	}
	if err := dropin.apply(&opts); err != nil {
		fmt.Fprintf(stderr, "rolecall: %v\n", err)
		return 2
	}
	// Listening comes first: the accounts' outbound issuers are URLs on
	// the OIDC listener, which IAM is built knowing.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall: cannot listen on %s: %v\n", *addr, err)
		return 1
	}
	oidcLn, err := oidcListen(*oidcAddr, *addr, ln.Addr(), stderr)
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "rolecall: cannot listen on --oidc-addr %s: %v\n", *oidcAddr, err)
		return 1
	}
	closeListeners := func() {
		ln.Close()
		if oidcLn != nil {
			oidcLn.Close()
		}
	}
	if oidcLn != nil {
		opts.OIDCURL = "http://" + oidcLn.Addr().String()
	}
	srv, err := app.Open(opts)
	if err != nil {
		closeListeners()
		fmt.Fprintf(stderr, "rolecall: %v\n", err)
		return 1
	}
	if *initFile != "" {
		if code := seed(srv, *initFile, stdout, stderr); code != 0 {
			closeListeners()
			srv.Close()
			return code
		}
	}
	// The collector's pace: see internal/gcpace (GOGC, when set, stands).
	defer gcpace.Keep(gcHeadroom, time.Second)()
	endpoint := "http://" + ln.Addr().String()
	state := filepath.Join(*dataDir, app.StateFile)
	if *ephemeral {
		state = "in memory (--ephemeral): nothing survives a restart"
	}
	if w := exposure(ln.Addr()); w != "" {
		fmt.Fprintf(stderr, "rolecall: WARNING: %s\n", w)
	}
	printRelaxed(stderr, srv)
	fmt.Fprintf(stdout, `rolecall %s listening on %s
  account:  %s
  region:   %s
  auth:     %s
  enforce:  %s
  state:    %s
  console:  %s%s
%s
  export AWS_ENDPOINT_URL=%s
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=%s
`, ver, endpoint, opts.Account, opts.Region, authMode, enforce, state, endpoint, console.Prefix, oidcBanner(oidcLn, srv.Issuer.URL()), endpoint, opts.Region)

	limits := server.DefaultLimits
	limits.MaxConnections = *maxConns
	hs := limits.HTTPServer(srv.Handler)
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(limits.Listener(ln, log)) }()
	var oidcServer *http.Server
	if oidcLn != nil {
		oidcServer = limits.HTTPServer(srv.OIDCHandler())
		go func() { errc <- oidcServer.Serve(limits.Listener(oidcLn, log)) }()
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case s := <-sig:
		log.Info("shutting down", "signal", s.String())
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("server failed", "error", err)
		}
	}
	// Drain in-flight requests before closing the store, so no acknowledged
	// write is cut off.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		log.Warn("shutdown did not drain every request", "error", err)
	}
	if oidcServer != nil {
		oidcServer.Shutdown(ctx)
	}
	if err := srv.Close(); err != nil {
		log.Error("closing state", "error", err)
		return 1
	}
	return 0
}

// exposure says, for a listening address other than loopback, who can act
// there: the root keys test/test are public knowledge, so anyone who
// reaches the port is the default account's root (AWS's own endpoints need
// secret credentials; this one's are in every README).
func exposure(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("listening on %s, which other machines may reach: whoever reaches it acts as the root of account %s with the well-known keys test/test. Listen on 127.0.0.1 (the default) unless only trusted clients can reach this address, as inside a container whose port is published on the host's loopback.", a, server.DefaultAccount)
}
