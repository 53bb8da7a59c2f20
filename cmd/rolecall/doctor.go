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
                          an IAM export), nowhere, or an export: the output of
                          'aws iam get-account-authorization-details' against AWS or rolecall,
                          a file or a directory of pieces (one per page or per --filter)
  --cluster NAME          live: only this cluster (repeatable)
  --service NAME          live: only this service (repeatable)
  --task-definition TD    live: also this task definition (repeatable)
  --deployer ARN          the principal that deploys (iam:PassRole is checked for it);
                          live: default the caller's identity
  --instance-profile NAME the EC2 container instances' instance profile (repeatable); live,
                          without it: the profiles EC2 gives the clusters' registered
                          container instances
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
ecs Describe*/List*, iam Get*/List*, sts GetCallerIdentity,
application-autoscaling DescribeScalableTargets for the services' auto scaling, and
ec2 DescribeInstances for the instance profiles of the clusters' container instances
(their role is the container instance role; without --instance-profile).
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

// buildSetup reads the setup from files and/or the account, with service
// auto scaling when scaling is set; notes are for the report (what could
// not be read).
func buildSetup(ctx context.Context, f *doctorFlags, scaling bool, stderr io.Writer) (s *doctor.Setup, notes []string, err error) {
	s = &doctor.Setup{Account: f.account, Region: f.region, Deployer: f.deployer, InstanceProfiles: f.profiles}
	var loaded *source.Loaded
	if len(f.files) > 0 {
		if loaded, err = source.LoadFiles(f.files...); err != nil {
			return nil, nil, err
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
			return nil, nil, err
		}
		if s.Region == "" {
			s.Region = cfg.Region
		}
		live = source.NewLive(cfg)
		arn, acct, err := live.Caller(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("sts GetCallerIdentity: %w", err)
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
			return nil, nil, err
		}
		st.Apply(s)
		if len(s.InstanceProfiles) == 0 && len(s.ContainerInstances) > 0 {
			n, err := readInstanceProfiles(ctx, live, s)
			if err != nil {
				return nil, nil, err
			}
			if n != "" {
				notes = append(notes, n)
			}
		}
		if scaling {
			n, err := readScaling(ctx, live, s)
			if err != nil {
				return nil, nil, err
			}
			if n != "" {
				notes = append(notes, n)
			}
		}
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
			return nil, nil, err
		}
		if l.IAM == nil {
			return nil, nil, fmt.Errorf("--iam %s: not an IAM export (aws iam get-account-authorization-details)", iamSrc)
		}
		s.IAM = l.IAM
	}
	return s, notes, nil
}

func doctorCheck(ctx context.Context, f *doctorFlags, stdout, stderr io.Writer) int {
	s, notes, err := buildSetup(ctx, f, true, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall doctor: %s%s\n", describeErr(err), readHint(err))
		return 2
	}
	rep, err := doctor.Diagnose(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall doctor: %s%s\n", describeErr(err), readHint(err))
		return 2
	}
	rep.Notes = append(rep.Notes, notes...)
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

// readScaling adds the scalable targets of the services read from the
// account: service auto scaling lives in Application Auto Scaling, not in
// ECS. Targets given as files win over the account's for the same service.
// When the endpoint does not serve Application Auto Scaling (an older
// rolecall, another emulator) or the caller may not read it, the doctor
// goes on without, and the note it returns says how to add them, rather
// than let "not needed" pass for "not looked at".
func readScaling(ctx context.Context, live *source.Live, s *doctor.Setup) (note string, err error) {
	var svcs []*doctor.Service
	for _, sv := range s.Services {
		if sv.Source == "ecs" {
			svcs = append(svcs, sv)
		}
	}
	if len(svcs) == 0 {
		return "", nil
	}
	targets, err := live.ReadScalableTargets(ctx, svcs)
	if err != nil {
		if len(s.ScalableTargets) > 0 {
			return "", nil // files gave them
		}
		const add = "if a service scales, add its scalable targets with --file targets.json, " +
			"from 'aws application-autoscaling describe-scalable-targets --service-namespace ecs > targets.json'"
		if errors.Is(err, source.ErrNotServed) {
			return "service auto scaling is not read from the account: " + add, nil
		}
		if accessDenied(err) {
			return "service auto scaling is not read from the account: application-autoscaling:DescribeScalableTargets is denied to the caller; " + add, nil
		}
		return "", err
	}
	given := map[string]bool{}
	for _, t := range s.ScalableTargets {
		given[t.ResourceId] = true
	}
	for _, t := range targets {
		if !given[t.ResourceId] {
			s.ScalableTargets = append(s.ScalableTargets, t)
		}
	}
	return "", nil
}

// readInstanceProfiles asks EC2 which instance profile each registered
// container instance's instance has: the role in it is the container
// instance role, which the ECS agent acts with. When EC2 cannot be read
// (the caller may not describe instances; an endpoint without EC2), the
// doctor says which permission it lacked and goes on, looking for the
// role by its conventional name.
func readInstanceProfiles(ctx context.Context, live *source.Live, s *doctor.Setup) (note string, err error) {
	err = live.ReadInstanceProfiles(ctx, s.ContainerInstances)
	var why string
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, source.ErrEC2NotServed):
		why = "the endpoint does not serve EC2"
	case accessDenied(err):
		why = "ec2:DescribeInstances is denied to the caller"
	default:
		return "", err
	}
	for _, ci := range s.ContainerInstances {
		if ci.Unknown == "" && ci.InstanceProfileArn == "" {
			ci.Unknown = why
		}
	}
	return "the container instances' instance profiles are not read from EC2: " + why +
		"; the container instance role is looked for by its conventional name: allow ec2:DescribeInstances, or give --instance-profile", nil
}

// readHint says what reading an account takes, after an AccessDenied, and
// what reads the denied service's part from files instead. ECS is read from
// the account unless --file gives its definitions, IAM unless --iam (or a
// --file) gives an export; the export needs iam:GetAccountAuthorizationDetails
// (an iam:Get* action: whoever runs it needs that one permission), and the
// CLI writes it to stdout. sts:GetCallerIdentity needs no permission.
func readHint(err error) string {
	if !accessDenied(err) {
		return ""
	}
	const reads = "rolecall doctor reads the account with ecs:Describe*, ecs:List*, iam:Get*, iam:List*, application-autoscaling:DescribeScalableTargets and ec2:DescribeInstances only"
	switch deniedService(err) {
	case "iam":
		return "\n(" + reads + "; allow those to the caller, or read IAM from an export instead: " +
			"'aws iam get-account-authorization-details > iam.json', run by a principal allowed iam:GetAccountAuthorizationDetails, then --iam iam.json)"
	case "ecs":
		return "\n(" + reads + "; allow those to the caller, or give the ECS set-up as files instead: " +
			"--file with its task definitions and services (register-task-definition and create-service input, or describe-task-definition and describe-services output))"
	}
	return "\n(" + reads + "; allow those to the caller)"
}

// deniedService is the service of the action an AccessDenied message names
// ("... is not authorized to perform: iam:GetRole on resource: ...").
func deniedService(err error) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return ""
	}
	_, rest, ok := strings.Cut(ae.ErrorMessage(), "to perform: ")
	if !ok {
		return ""
	}
	svc, _, _ := strings.Cut(rest, ":")
	return svc
}

// accessDenied: IAM's AccessDenied, AccessDeniedException from the JSON
// services (ECS, Application Auto Scaling), or EC2's UnauthorizedOperation.
func accessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && (strings.Contains(ae.ErrorCode(), "AccessDenied") || ae.ErrorCode() == "UnauthorizedOperation")
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
	// What a principal reaches does not depend on which services scale.
	s, _, err := buildSetup(ctx, f, false, stderr)
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
