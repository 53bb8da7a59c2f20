package main

// rolecall doctor: every role an ECS setup needs, checked with rolecall's
// own knowledge (the policy engine, AWS managed policies, the linked-service
// catalog, the Service Authorization Reference), with the fix.

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/internal/doctor"
	"github.com/rolecall/rolecall/internal/doctor/source"
)

func doctorUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall doctor [flags]                 check every role an ECS setup needs
  rolecall doctor explain "ERROR TEXT"    what an ECS or IAM role error means, and the fix
  rolecall doctor explain "task role or instance role?"   who wins
  rolecall doctor indirect [flags]        what each principal reaches through service-linked and passable roles

Where the setup comes from:
  -f, --file PATH         task definition, service, cluster, capacity provider or scalable
                          target JSON (as 'aws ecs register-task-definition --cli-input-json',
                          'create-service --cli-input-json' and the describe calls use), an
                          'aws iam get-account-authorization-details' export, secret or
                          parameter descriptions; or a directory of them. Repeatable.
                          Without ECS definitions in the files, ECS is read from the account
                          (read-only calls).
  --iam live|none|FILE    where roles are read: the account (default, unless a --file holds
                          an IAM export), nowhere, or an export file
  --cluster NAME          live: only this cluster (repeatable)
  --service NAME          live: only this service (repeatable)
  --task-definition TD    live: also this task definition (repeatable)
  --deployer ARN          the principal that deploys (iam:PassRole is checked for it);
                          live: default the caller's identity
  --instance-profile NAME the EC2 container instances' instance profile (repeatable)
  --account ID, --region R
  --endpoint URL          an endpoint for every AWS call (default $AWS_ENDPOINT_URL)

Output:
  --format table|json|markdown   (indirect also: dot)
                          table: the roles this setup needs, then those it does not and
                          why, then each needed role's failed checks and fix commands;
                          colour only when stdout is a terminal and NO_COLOR is unset.
                          json: {account, region, deployer, workloads[], roles[], notes[]};
                          each role: kind, title, name, arn, needed, why[], principal,
                          managedPolicy, status (ok|warn|fail|skipped|not-needed),
                          checks[] {area (config|exists|trust|permissions|passrole),
                          status, what, detail, why}, fixes[] {summary, commands[], policy}.
                          markdown: the table and the fixes, for a pull request comment.
  --svg FILE              indirect: render the graph with Graphviz 'dot' when installed

Credentials and Region come from the standard AWS environment and profile, so the
same command checks rolecall (AWS_ENDPOINT_URL) and a real account. It only reads:
ecs Describe*/List*, iam Get*/List*, sts GetCallerIdentity.
Exit status: 0 every needed role is right (warnings allowed), 1 something needed is
missing or denied, 2 usage or reading errors. explain: 0 recognized, 1 not recognized.
`)
}

type doctorFlags struct {
	files, clusters, services, taskDefs, profiles multi
	iamSrc, deployer, account, region, endpoint   string
	format, svg                                   string
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func doctorCmd(args []string, stdout, stderr io.Writer) int {
	var f doctorFlags
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { doctorUsage(stderr) }
	fs.Var(&f.files, "file", "")
	fs.Var(&f.files, "f", "")
	fs.Var(&f.clusters, "cluster", "")
	fs.Var(&f.services, "service", "")
	fs.Var(&f.taskDefs, "task-definition", "")
	fs.Var(&f.profiles, "instance-profile", "")
	fs.StringVar(&f.iamSrc, "iam", "", "")
	fs.StringVar(&f.deployer, "deployer", "", "")
	fs.StringVar(&f.account, "account", "", "")
	fs.StringVar(&f.region, "region", "", "")
	fs.StringVar(&f.endpoint, "endpoint", "", "")
	fs.StringVar(&f.format, "format", "table", "")
	fs.StringVar(&f.svg, "svg", "", "")
	words, err := parseWords(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	switch {
	case len(words) == 0:
		return doctorCheck(ctx, &f, stdout, stderr)
	case words[0] == "explain":
		return doctorExplain(strings.Join(words[1:], " "), f.format, stdout, stderr)
	case words[0] == "indirect" && len(words) == 1:
		return doctorIndirect(ctx, &f, stdout, stderr)
	case words[0] == "help":
		doctorUsage(stdout)
		return 0
	}
	doctorUsage(stderr)
	return 2
}

// awsConfig is the standard AWS configuration (environment, shared files,
// AWS_ENDPOINT_URL), with --region and --endpoint on top.
func awsConfig(ctx context.Context, f *doctorFlags) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if f.region != "" {
		opts = append(opts, config.WithRegion(f.region))
	}
	if f.endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(f.endpoint))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg, nil
}

// buildSetup reads the setup from files and/or the account.
func buildSetup(ctx context.Context, f *doctorFlags, stderr io.Writer) (*doctor.Setup, error) {
	s := &doctor.Setup{Account: f.account, Region: f.region, Deployer: f.deployer, InstanceProfiles: f.profiles}
	var loaded *source.Loaded
	if len(f.files) > 0 {
		var err error
		if loaded, err = source.LoadFiles(f.files...); err != nil {
			return nil, err
		}
		loaded.Apply(s)
		for _, sk := range loaded.Skipped {
			fmt.Fprintf(stderr, "rolecall doctor: skipped %s (not an ECS or IAM document)\n", sk)
		}
	}
	iamSrc := f.iamSrc
	if iamSrc == "" {
		iamSrc = "live"
		if loaded != nil && loaded.IAM != nil {
			iamSrc = "file"
		}
	}
	// ECS is read from the account unless the files define it (files may
	// add what ECS does not hold, such as scalable targets, to a live read).
	liveECS := loaded == nil || len(loaded.TaskDefinitions)+len(loaded.Services)+len(loaded.CapacityProviders)+len(loaded.Clusters) == 0
	needLive := liveECS || iamSrc == "live"
	var live *source.Live
	if needLive {
		cfg, err := awsConfig(ctx, f)
		if err != nil {
			return nil, err
		}
		if s.Region == "" {
			s.Region = cfg.Region
		}
		live = source.NewLive(cfg)
		arn, acct, err := live.Caller(ctx)
		if err != nil {
			return nil, fmt.Errorf("sts GetCallerIdentity: %w", err)
		}
		if s.Account == "" {
			s.Account = acct
		}
		if s.Deployer == "" {
			s.Deployer = arn
		}
	}
	if liveECS {
		st, err := live.ReadECS(ctx, f.clusters, f.services, f.taskDefs)
		if err != nil {
			return nil, err
		}
		st.Apply(s)
	}
	switch iamSrc {
	case "live":
		s.IAM = live.IAM
	case "none":
	case "file":
		s.IAM = loaded.IAM
	default:
		l, err := source.LoadFiles(iamSrc)
		if err != nil {
			return nil, err
		}
		if l.IAM == nil {
			return nil, fmt.Errorf("--iam %s: not an IAM export (aws iam get-account-authorization-details)", iamSrc)
		}
		s.IAM = l.IAM
	}
	return s, nil
}

func doctorCheck(ctx context.Context, f *doctorFlags, stdout, stderr io.Writer) int {
	s, err := buildSetup(ctx, f, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall doctor: %s%s\n", describeErr(err), readHint(err))
		return 2
	}
	rep, err := doctor.Diagnose(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall doctor: %s%s\n", describeErr(err), readHint(err))
		return 2
	}
	if n := scalingNote(s); n != "" {
		rep.Notes = append(rep.Notes, n)
	}
	switch f.format {
	case "json":
		err = rep.WriteJSON(stdout)
	case "markdown", "md":
		err = rep.WriteMarkdown(stdout)
	case "table", "":
		err = rep.WriteTable(stdout, isTTY(stdout))
	default:
		fmt.Fprintf(stderr, "rolecall doctor: unknown --format %q (table, json, markdown)\n", f.format)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "rolecall doctor: %v\n", err)
		return 2
	}
	if rep.Failed() {
		return 1
	}
	return 0
}

// scalingNote: service auto scaling lives in Application Auto Scaling, not
// in ECS, and the doctor reads only ECS, IAM and STS from an account; so
// when services came from the account and no scalable target was given,
// the report says how to add them rather than let "not needed" pass for
// "not looked at".
func scalingNote(s *doctor.Setup) string {
	if len(s.ScalableTargets) > 0 {
		return ""
	}
	for _, sv := range s.Services {
		if sv.Source == "ecs" {
			return "service auto scaling is not read from the account: if a service scales, add its scalable targets with " +
				"--file targets.json, from 'aws application-autoscaling describe-scalable-targets --service-namespace ecs > targets.json'"
		}
	}
	return ""
}

// readHint says what reading an account takes, after an AccessDenied.
func readHint(err error) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) || !strings.Contains(ae.ErrorCode(), "AccessDenied") {
		return ""
	}
	return "\n(rolecall doctor reads the account with ecs:Describe*, ecs:List*, iam:Get*, iam:List* and sts:GetCallerIdentity only;" +
		" allow those to the caller, or give IAM as a file: --iam FILE from 'aws iam get-account-authorization-details')"
}

// isTTY: colour only for a terminal, and never with NO_COLOR set
// (https://no-color.org).
func isTTY(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func doctorExplain(text, format string, stdout, stderr io.Writer) int {
	if strings.TrimSpace(text) == "" {
		fmt.Fprintln(stderr, "rolecall doctor explain: give the error text (or a question) in quotes")
		return 2
	}
	ex := doctor.Explain(text)
	var err error
	switch format {
	case "json":
		err = ex.WriteJSON(stdout)
	case "markdown", "md":
		err = ex.WriteMarkdown(stdout)
	case "table", "":
		err = ex.WriteText(stdout)
	default:
		fmt.Fprintf(stderr, "rolecall doctor: unknown --format %q (table, json, markdown)\n", format)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "rolecall doctor: %v\n", err)
		return 2
	}
	if len(ex.Matches) == 0 {
		return 1
	}
	return 0
}

func doctorIndirect(ctx context.Context, f *doctorFlags, stdout, stderr io.Writer) int {
	s, err := buildSetup(ctx, f, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall doctor: %s\n", describeErr(err))
		return 2
	}
	rep, err := doctor.Indirect(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall doctor: %s\n", describeErr(err))
		return 2
	}
	switch f.format {
	case "json":
		err = rep.WriteJSON(stdout)
	case "markdown", "md":
		err = rep.WriteMarkdown(stdout)
	case "dot":
		_, err = io.WriteString(stdout, rep.DOT())
	case "table", "":
		err = rep.WriteTable(stdout)
	default:
		fmt.Fprintf(stderr, "rolecall doctor: unknown --format %q (table, json, markdown, dot)\n", f.format)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "rolecall doctor: %v\n", err)
		return 2
	}
	if f.svg != "" {
		if err := renderSVG(rep.DOT(), f.svg); err != nil {
			fmt.Fprintf(stderr, "rolecall doctor: %v\n", err)
			return 2
		}
	}
	return 0
}

// renderSVG runs Graphviz when it is installed; without it, it writes the
// DOT source next to the requested file and says so.
func renderSVG(dot, path string) error {
	bin, err := exec.LookPath("dot")
	if err != nil {
		alt := strings.TrimSuffix(path, ".svg") + ".dot"
		if werr := os.WriteFile(alt, []byte(dot), 0o644); werr != nil {
			return werr
		}
		return fmt.Errorf("Graphviz 'dot' is not installed: wrote %s instead (render it with: dot -Tsvg %s -o %s)", alt, alt, path)
	}
	cmd := exec.Command(bin, "-Tsvg", "-o", path)
	cmd.Stdin = strings.NewReader(dot)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("dot: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	return nil
}
