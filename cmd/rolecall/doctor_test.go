package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/rolecalltest"
)

var updateDoctor = flag.Bool("update", false, "rewrite testdata/doctor/*.golden with the current output")

// setupsDir holds the realistic setups the doctor package's golden tests
// read through the file source; here the same setups are created in a
// rolecall account and read back through the live source.
const setupsDir = "../../internal/doctor/testdata/setups"

// liveEnv points the standard AWS configuration (what a person's shell
// has) at rc: the CLI loads it with config.LoadDefaultConfig.
func liveEnv(t *testing.T, rc *rolecalltest.Server) {
	t.Setenv("AWS_ENDPOINT_URL", rc.Endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("NO_COLOR", "1")
}

// iamExport is the part of get-account-authorization-details the setups use.
type iamExport struct {
	UserDetailList []struct {
		UserName       string
		UserPolicyList []struct {
			PolicyName     string
			PolicyDocument json.RawMessage
		}
	}
	RoleDetailList []struct {
		Path                     string
		RoleName                 string
		AssumeRolePolicyDocument json.RawMessage
		InstanceProfileList      []struct{ InstanceProfileName string }
		RolePolicyList           []struct {
			PolicyName     string
			PolicyDocument json.RawMessage
		}
		AttachedManagedPolicies []struct{ PolicyArn string }
	}
}

// createSetup makes a setup's IAM export and ECS definitions real in rc,
// with the account's root, through the IAM and ECS APIs.
func createSetup(t *testing.T, rc *rolecalltest.Server, files []string) {
	t.Helper()
	ctx := context.Background()
	ic, ec := iam.NewFromConfig(rc.Config), ecs.NewFromConfig(rc.Config)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	acct := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("123456789012"), []byte(rc.Account)) }
	var clusters = map[string]bool{}
	var taskDefs, services, providers, express, daemonDefs, daemons [][]byte
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(setupsDir, f))
		if err != nil {
			t.Fatal(err)
		}
		b = acct(b)
		switch {
		case bytes.Contains(b, []byte(`"RoleDetailList"`)):
			var x iamExport
			if err := json.Unmarshal(b, &x); err != nil {
				t.Fatal(err)
			}
			for _, r := range x.RoleDetailList {
				if strings.HasPrefix(r.Path, "/aws-service-role/") {
					svc := strings.Split(r.Path, "/")[2]
					must(ic.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(svc)}))
					continue
				}
				must(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.RoleName), Path: aws.String(r.Path), AssumeRolePolicyDocument: aws.String(string(r.AssumeRolePolicyDocument))}))
				for _, p := range r.RolePolicyList {
					must(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.RoleName), PolicyName: aws.String(p.PolicyName), PolicyDocument: aws.String(string(p.PolicyDocument))}))
				}
				for _, p := range r.AttachedManagedPolicies {
					must(ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(r.RoleName), PolicyArn: aws.String(p.PolicyArn)}))
				}
				for _, ip := range r.InstanceProfileList {
					must(ic.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(ip.InstanceProfileName)}))
					must(ic.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(ip.InstanceProfileName), RoleName: aws.String(r.RoleName)}))
				}
			}
			for _, u := range x.UserDetailList {
				must(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u.UserName)}))
				for _, p := range u.UserPolicyList {
					must(ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(u.UserName), PolicyName: aws.String(p.PolicyName), PolicyDocument: aws.String(string(p.PolicyDocument))}))
				}
			}
		case bytes.Contains(b, []byte(`"daemonTaskDefinition"`)):
			var x struct{ DaemonTaskDefinition json.RawMessage }
			if err := json.Unmarshal(b, &x); err != nil {
				t.Fatal(err)
			}
			daemonDefs = append(daemonDefs, x.DaemonTaskDefinition)
		case bytes.Contains(b, []byte(`"daemonName"`)):
			daemons = append(daemons, b)
			var d struct{ ClusterArn string }
			_ = json.Unmarshal(b, &d)
			clusters[d.ClusterArn[strings.LastIndexByte(d.ClusterArn, '/')+1:]] = true
		case bytes.Contains(b, []byte(`"containerDefinitions"`)):
			taskDefs = append(taskDefs, b)
		case bytes.Contains(b, []byte(`"infrastructureRoleArn"`)) && bytes.Contains(b, []byte(`"primaryContainer"`)):
			express = append(express, b)
			var s struct{ Cluster string }
			_ = json.Unmarshal(b, &s)
			clusters[s.Cluster] = true
		case bytes.Contains(b, []byte(`"serviceName"`)):
			services = append(services, b)
			var s struct{ Cluster string }
			_ = json.Unmarshal(b, &s)
			clusters[s.Cluster] = true
		case bytes.Contains(b, []byte(`"managedInstancesProvider"`)):
			providers = append(providers, b)
		}
	}
	for c := range clusters {
		must(ec.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(c)}))
	}
	// The AWS CLI's --cli-input-json members are the API's; the SDK's
	// input structs carry the same names, so the files decode into them.
	// A daemon task definition as DescribeDaemonTaskDefinition answers it
	// holds the members RegisterDaemonTaskDefinition takes.
	made(t, providers, func(in *ecs.CreateCapacityProviderInput) { must(ec.CreateCapacityProvider(ctx, in)) })
	made(t, taskDefs, func(in *ecs.RegisterTaskDefinitionInput) { must(ec.RegisterTaskDefinition(ctx, in)) })
	made(t, services, func(in *ecs.CreateServiceInput) { must(ec.CreateService(ctx, in)) })
	made(t, express, func(in *ecs.CreateExpressGatewayServiceInput) { must(ec.CreateExpressGatewayService(ctx, in)) })
	made(t, daemonDefs, func(in *ecs.RegisterDaemonTaskDefinitionInput) { must(ec.RegisterDaemonTaskDefinition(ctx, in)) })
	made(t, daemons, func(in *ecs.CreateDaemonInput) { must(ec.CreateDaemon(ctx, in)) })
}

// made decodes each file into the input of the call that makes it, and
// makes it.
func made[T any](t *testing.T, files [][]byte, call func(*T)) {
	t.Helper()
	for _, b := range files {
		var in T
		if err := json.Unmarshal(b, &in); err != nil {
			t.Fatal(err)
		}
		call(&in)
	}
}

// liveSetup is a realistic setup made real in a rolecall account.
type liveSetup struct {
	name   string
	files  []string
	extra  []string // files the CLI reads beside the account
	args   []string
	status int
	// after changes the account once the setup is deployed: a role
	// broken after ECS accepted it (ECS refuses to create the service
	// with it broken, as AWS does).
	after func(t *testing.T, c *iam.Client)
	// profile is the instance profile the setup's container instances
	// are launched with, when the doctor is not told (it reads the
	// clusters' registrations).
	profile string
}

var liveSetups = []liveSetup{
	{name: "fargate-alb-ok", files: []string{"fargate-alb/iam-ok.json", "fargate-alb/taskdef.json", "fargate-alb/service.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}},
	{name: "fargate-alb-broken", files: []string{"fargate-alb/iam-broken.json", "fargate-alb/taskdef.json", "fargate-alb/service.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}, status: 1},
	{name: "ec2-ok", files: []string{"ec2/iam-ok.json", "ec2/taskdef.json", "ec2/service.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}},
	{name: "ec2-broken", files: []string{"ec2/iam-broken.json", "ec2/taskdef.json", "ec2/service.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer", "--instance-profile", "ecsInstanceProfile"}, status: 1},
	{name: "autoscaling-ok", files: []string{"autoscaling/iam-ok.json", "autoscaling/taskdef.json", "autoscaling/service.json"},
		extra: []string{"autoscaling/scalable-target.json"}, args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}},
	{name: "autoscaling-broken", files: []string{"autoscaling/iam-broken.json", "autoscaling/taskdef.json", "autoscaling/service-exec.json"},
		extra: []string{"autoscaling/scalable-target.json"}, args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}, status: 1},
	{name: "managed-instances-ok", files: []string{"managed-instances/iam-ok.json", "managed-instances/capacity-provider-ok.json", "managed-instances/taskdef.json", "managed-instances/service.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}},
	{name: "legacy-elb-ok", files: []string{"legacy-elb/iam-ok.json", "legacy-elb/taskdef.json", "legacy-elb/service.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}},
	{name: "legacy-elb-broken", files: []string{"legacy-elb/iam-ok.json", "legacy-elb/taskdef.json", "legacy-elb/service.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}, status: 1,
		after: func(t *testing.T, c *iam.Client) {
			ctx := context.Background()
			if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ecsServiceRole"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("ecsServiceRole"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceRole")}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("deployer"), PolicyName: aws.String("no-service-roles"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::000000000000:role/ecsServiceRole"}]}`)}); err != nil {
				t.Fatal(err)
			}
		}},
	// The container instances run with a profile of another name, whose
	// role may register them and do nothing more: the doctor finds it
	// from the registrations (doctor_agree_test.go registers them).
	{name: "ec2-registered", files: []string{"ec2/iam-ok.json", "ec2/taskdef.json", "ec2/service.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}, profile: "web-hosts",
		after: func(t *testing.T, c *iam.Client) {
			ctx := context.Background()
			for _, err := range []error{
				second(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("webhost"),
					AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})),
				second(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("webhost"), PolicyName: aws.String("register"),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:RegisterContainerInstance","Resource":"*"}]}`)})),
				second(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-hosts")})),
				second(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-hosts"), RoleName: aws.String("webhost")})),
			} {
				if err != nil {
					t.Fatal(err)
				}
			}
		}},
	// Express services and daemons are found through the public API:
	// DescribeServices' resourceManagementType, ListDaemons.
	{name: "express-ok", files: []string{"express/iam-ok.json", "express/service.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}},
	{name: "daemon-ok", files: []string{"daemon/iam-ok.json", "managed-instances/capacity-provider-ok.json", "daemon/daemon-taskdef.json", "daemon/daemon.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}},
	{name: "managed-instances-broken", files: []string{"managed-instances/iam-broken.json", "managed-instances/capacity-provider-broken.json", "managed-instances/taskdef.json", "managed-instances/service.json"},
		args: []string{"--deployer", "arn:aws:iam::000000000000:user/deployer"}, status: 1},
}

// second is a call's error.
func second[T any](_ T, err error) error { return err }

// deploy makes the setup real in a new rolecall, points the standard AWS
// environment at it, and returns it with the doctor's arguments.
func (s liveSetup) deploy(t *testing.T) (*rolecalltest.Server, []string) {
	t.Helper()
	rc := rolecalltest.RunT(t)
	createSetup(t, rc, s.files)
	if s.after != nil {
		s.after(t, iam.NewFromConfig(rc.Config))
	}
	liveEnv(t, rc)
	return rc, s.doctorArgs()
}

// doctorArgs is how the doctor is run on the setup.
func (s liveSetup) doctorArgs() []string {
	args := append([]string{"doctor"}, s.args...)
	for _, f := range s.extra {
		args = append(args, "--file", filepath.Join(setupsDir, f))
	}
	return args
}

// The realistic setups, correct and broken, created in rolecall and read
// by `rolecall doctor` through the AWS API exactly as it reads a real
// account: ECS Describe/List, IAM Get/List, STS GetCallerIdentity.
func TestDoctorLiveGolden(t *testing.T) {
	for _, tc := range liveSetups {
		t.Run(tc.name, func(t *testing.T) {
			_, args := tc.deploy(t)
			stdout, stderr, code := runCLI(args...)
			if code != tc.status {
				t.Errorf("exit status %d, want %d; stderr: %s\n%s", code, tc.status, stderr, stdout)
			}
			doctorGolden(t, "live-"+tc.name+".golden", stdout)
		})
	}
}

// doctorGolden compares with testdata/doctor/NAME (rewritten with -update).
func doctorGolden(t *testing.T, name, got string) {
	t.Helper()
	// The setups name files by their path; keep the golden files free of
	// where the repository is checked out.
	got = strings.ReplaceAll(got, setupsDir+"/", "")
	path := filepath.Join("testdata", "doctor", name)
	if *updateDoctor {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if line, w, g, differ := firstDiff(string(want), got); differ {
		t.Fatalf("%s differs at line %d (go test -update rewrites it):\n  want: %s\n  got:  %s", path, line, w, g)
	}
}

// firstDiff finds the first line (from 1) where got differs from want.
func firstDiff(want, got string) (line int, w, g string, differ bool) {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		w, g = "", ""
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return i + 1, w, g, true
		}
	}
	return 0, "", "", false
}

// The file source through the CLI: flags, formats and exit statuses.
func TestDoctorFilesCLI(t *testing.T) {
	dir := filepath.Join(setupsDir, "fargate-alb")
	files := []string{"--file", filepath.Join(dir, "taskdef.json"), "--file", filepath.Join(dir, "service.json")}
	ok := append(append([]string{"doctor"}, files...), "--file", filepath.Join(dir, "iam-ok.json"), "--deployer", "arn:aws:iam::123456789012:user/deployer")
	broken := append(append([]string{"doctor"}, files...), "--file", filepath.Join(dir, "iam-broken.json"), "--deployer", "arn:aws:iam::123456789012:user/deployer")

	out, errb, code := runCLI(ok...)
	if code != 0 || !strings.Contains(out, "3 roles needed: 3 ok, 0 failing") {
		t.Errorf("ok setup: exit %d, stderr %q\n%s", code, errb, out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour written to a buffer, which is not a terminal")
	}
	out, _, code = runCLI(broken...)
	if code != 1 || !strings.Contains(out, "Something this setup needs is missing.") {
		t.Errorf("broken setup: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(append(broken, "--format", "json")...)
	var rep struct {
		Roles []struct {
			Kind, Status string
		}
	}
	if code != 1 || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Roles) != len(ecsroles.Kinds) {
		t.Errorf("json: exit %d, %d roles\n%s", code, len(rep.Roles), out)
	}
	out, _, code = runCLI(append(broken, "--format", "markdown")...)
	if code != 1 || !strings.HasPrefix(out, "## rolecall doctor\n") || !strings.Contains(out, "```sh\naws iam put-role-policy --role-name ecsTaskExecutionRole") {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}
	// Without IAM, the roles are not checked; the setup's needs still are.
	out, _, code = runCLI("doctor", "--iam", "none", "--file", dir+"/taskdef.json", "--file", dir+"/service.json")
	if code != 0 || !strings.Contains(out, "IAM is not read") {
		t.Errorf("--iam none: exit %d\n%s", code, out)
	}
	_, errb, code = runCLI("doctor", "--format", "yaml", "--iam", "none", "--file", dir+"/taskdef.json")
	if code != 2 || !strings.Contains(errb, `unknown --format "yaml"`) {
		t.Errorf("bad format: exit %d, %q", code, errb)
	}
	_, errb, code = runCLI("doctor", "--file", "/nonexistent.json")
	if code != 2 || !strings.Contains(errb, "nonexistent.json") {
		t.Errorf("missing file: exit %d, %q", code, errb)
	}
	// A service without the task definition it runs cannot pass: its task
	// and execution roles would go unchecked.
	out, errb, code = runCLI("doctor", "--iam", "none", "--file", dir+"/service.json")
	if code != 2 || out != "" || !strings.Contains(errb, "rolecall doctor: service web runs task definition web, which the setup does not include: give its JSON too (aws ecs describe-task-definition --task-definition web)") {
		t.Errorf("service alone: exit %d, %q\n%s", code, errb, out)
	}
}

func TestDoctorExplainCLI(t *testing.T) {
	out, _, code := runCLI("doctor", "explain", "Unable to assume the service linked role. Please verify that the ECS service linked role exists.")
	if code != 0 || !strings.Contains(out, "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com") {
		t.Errorf("exit %d\n%s", code, out)
	}
	out, _, code = runCLI("doctor", "explain", "--format", "json", "task role or instance role: who wins?")
	if code != 0 || !strings.Contains(out, `"id": "who-wins-task-vs-instance"`) || !strings.Contains(out, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
		t.Errorf("exit %d\n%s", code, out)
	}
	out, _, code = runCLI("doctor", "explain", "nothing to see")
	if code != 1 || !strings.Contains(out, "does not recognize") {
		t.Errorf("exit %d\n%s", code, out)
	}
	_, _, code = runCLI("doctor", "explain")
	if code != 2 {
		t.Errorf("no text: exit %d", code)
	}
}

// doctor indirect against a rolecall account: the deployer may pass the
// task role and run tasks, so it reaches the task role's permissions; it
// may create services, so it acts through AWSServiceRoleForECS.
func TestDoctorIndirectLive(t *testing.T) {
	rc := rolecalltest.RunT(t)
	createSetup(t, rc, []string{"fargate-alb/iam-ok.json"})
	liveEnv(t, rc)
	out, errb, code := runCLI("doctor", "indirect")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, want := range []string{
		"user/deployer  passes role to ecs-tasks.amazonaws.com  web-task",
		"iam:PassRole + ecs:RunTask + ecs:RegisterTaskDefinition",
		"runs a task with it: uploads (s3)",
		"user/deployer  service-linked role",
		"AWSServiceRoleForECS",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("indirect lacks %q:\n%s", want, out)
		}
	}
	out, _, code = runCLI("doctor", "indirect", "--format", "dot")
	if code != 0 || !strings.HasPrefix(out, "digraph indirect {") || !strings.Contains(out, `"arn:aws:iam::000000000000:user/deployer" -> "arn:aws:iam::000000000000:role/web-task"`) {
		t.Errorf("dot: exit %d\n%s", code, out)
	}
	// --svg renders with Graphviz when it is installed, else writes the DOT
	// source beside and says how to render it.
	svg := filepath.Join(t.TempDir(), "g.svg")
	_, errb, code = runCLI("doctor", "indirect", "--svg", svg)
	if _, err := os.Stat(svg); err != nil {
		if code != 2 || !strings.Contains(errb, "Graphviz 'dot' is not installed") {
			t.Errorf("svg: exit %d, %s", code, errb)
		}
		if _, err := os.Stat(strings.TrimSuffix(svg, ".svg") + ".dot"); err != nil {
			t.Error(err)
		}
	}
}

// Service auto scaling read from the account: Application Auto Scaling
// (which rolecall does not serve) is a fake at its own endpoint
// (AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING, as a person would point the
// SDK at it), ECS, IAM and STS are rolecall.
func TestDoctorLiveScaling(t *testing.T) {
	const notRead = "service auto scaling is not read from the account"
	// target is a DescribeScalableTargets answer (the AWS CLI's
	// describe-scalable-targets example, for service/prod/api).
	target := func(acct string) string {
		return `{"ScalableTargets":[{"ServiceNamespace":"ecs","ScalableDimension":"ecs:service:DesiredCount","ResourceId":"service/prod/api",` +
			`"MinCapacity":2,"MaxCapacity":10,"RoleARN":"arn:aws:iam::` + acct + `:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",` +
			`"CreationTime":1462558906.199,"SuspendedState":{"DynamicScalingOutSuspended":false,"ScheduledScalingSuspended":false,"DynamicScalingInSuspended":false},` +
			`"ScalableTargetARN":"arn:aws:application-autoscaling:us-east-1:` + acct + `:scalable-target/0123abcd56ab78cd901ef1234567890ab123"}]}`
	}
	cases := []struct {
		name   string
		files  []string
		extra  []string
		status int    // the fake's HTTP status
		body   string // the fake's body; ACCOUNT is rolecall's account
		exit   int
		golden string   // compared with testdata/doctor/GOLDEN
		want   []string // in stdout, or stderr when exit is 2
		lacks  []string // not in stdout
	}{
		{name: "read, role ok", files: []string{"autoscaling/iam-ok.json", "autoscaling/taskdef.json", "autoscaling/service.json"},
			status: 200, body: "TARGET", golden: "live-autoscaling-read-ok.golden", lacks: []string{notRead}},
		{name: "read, role missing", files: []string{"autoscaling/iam-broken.json", "autoscaling/taskdef.json", "autoscaling/service-exec.json"},
			status: 200, body: "TARGET", exit: 1, golden: "live-autoscaling-read-broken.golden", lacks: []string{notRead}},
		{name: "read, no service scales", files: []string{"fargate-alb/iam-ok.json", "fargate-alb/taskdef.json", "fargate-alb/service.json"},
			status: 200, body: `{"ScalableTargets":[]}`, want: []string{"Service auto scaling service-linked role: no ECS service is a scalable target of Application Auto Scaling in this setup"}, lacks: []string{notRead}},
		// A target given as a file wins over the account's for the service.
		{name: "file and account", files: []string{"autoscaling/iam-ok.json", "autoscaling/taskdef.json", "autoscaling/service.json"},
			extra: []string{"autoscaling/scalable-target.json"}, status: 200, body: "TARGET",
			want: []string{"scalable-target service/prod/api (cluster prod) from autoscaling/scalable-target.json\n\n"}, lacks: []string{notRead, "from application-autoscaling"}},
		{name: "denied", files: []string{"autoscaling/iam-ok.json", "autoscaling/taskdef.json", "autoscaling/service.json"},
			status: 400, body: `{"__type":"AccessDeniedException","Message":"User: arn:aws:iam::ACCOUNT:root is not authorized to perform: application-autoscaling:DescribeScalableTargets"}`,
			want: []string{notRead + ": application-autoscaling:DescribeScalableTargets is denied to the caller; if a service scales, add its scalable targets with --file targets.json"}},
		{name: "other error", files: []string{"autoscaling/iam-ok.json", "autoscaling/taskdef.json", "autoscaling/service.json"},
			status: 400, body: `{"__type":"ValidationException","Message":"1 validation error detected"}`, exit: 2,
			want: []string{"rolecall doctor: ValidationException: 1 validation error detected"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := rolecalltest.RunT(t)
			createSetup(t, rc, tc.files)
			body := strings.ReplaceAll(strings.ReplaceAll(tc.body, "TARGET", target(rc.Account)), "ACCOUNT", rc.Account)
			fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if got := r.Header.Get("X-Amz-Target"); got != "AnyScaleFrontendService.DescribeScalableTargets" {
					t.Errorf("X-Amz-Target %q", got)
				}
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, body)
			}))
			defer fake.Close()
			liveEnv(t, rc)
			t.Setenv("AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING", fake.URL)
			args := []string{"doctor", "--deployer", "arn:aws:iam::000000000000:user/deployer"}
			for _, f := range tc.extra {
				args = append(args, "--file", filepath.Join(setupsDir, f))
			}
			stdout, stderr, code := runCLI(args...)
			if code != tc.exit {
				t.Errorf("exit status %d, want %d; stderr: %s\n%s", code, tc.exit, stderr, stdout)
			}
			out := strings.ReplaceAll(stdout, setupsDir+"/", "")
			if tc.exit == 2 {
				out = stderr
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, l := range tc.lacks {
				if strings.Contains(out, l) {
					t.Errorf("output has %q:\n%s", l, out)
				}
			}
			if tc.golden != "" {
				doctorGolden(t, tc.golden, stdout)
			}
		})
	}
}
