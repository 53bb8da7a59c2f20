package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// policyFiles writes policy documents into a temporary directory and
// returns their paths by name.
func policyFiles(t *testing.T, docs map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	out := map[string]string{}
	for name, doc := range docs {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		out[name] = p
	}
	return out
}

func runCLI(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

const deployerPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PassTaskRoles",
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::123456789012:role/app-*",
      "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    },
    {
      "Sid": "NoAdmin",
      "Effect": "Deny",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::123456789012:role/app-admin"
    }
  ]
}`

func TestPolicyEval(t *testing.T) {
	f := policyFiles(t, map[string]string{
		"deployer.json": deployerPolicy,
		"boundary.json": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
		"bucket.json":   `{"Version":"2012-10-17","Statement":[{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`,
		"s3read.json":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		"trust.json":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		"scp.json":      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoLeaving","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`,
		"session.json":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`,
		"s3cond.json":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","172.16.0.0/12"]},"Bool":{"aws:SecureTransport":"true"}}}]}`,
	})
	const task = "arn:aws:iam::123456789012:role/app-task"
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // substrings of stdout, in order
	}{{
		name: "allowed by an identity statement",
		args: []string{"--policy", f["deployer.json"], "--action", "iam:PassRole", "--resource", task, "--context", "iam:PassedToService=ecs-tasks.amazonaws.com"},
		code: 0,
		want: []string{
			"ALLOWED\n",
			"  principal  arn:aws:iam::123456789012:user/example (no --principal given: an IAM user of the resource's account)\n",
			"  context    iam:PassedToService=ecs-tasks.amazonaws.com\n",
			"Why\n  Statement 1 (Sid \"PassTaskRoles\") of " + f["deployer.json"] + ", lines 4-10 (identity-based policy) allows iam:PassRole.\n",
		},
	}, {
		name: "implicit deny: the condition's key is missing",
		args: []string{"--policy", f["deployer.json"], "--action", "iam:PassRole", "--resource", task},
		code: 1,
		want: []string{
			"DENIED (implicit deny: nothing allowed it)\n",
			"No statement of the identity-based policies (" + f["deployer.json"] + ") allows iam:PassRole on " + task + ".\n",
			"  The Allow statements that cover iam:PassRole did not apply:\n" +
				"    - statement 1 (Sid \"PassTaskRoles\") of " + f["deployer.json"] + ", lines 4-10: its condition \"StringEquals\": {\"iam:PassedToService\": \"ecs-tasks.amazonaws.com\"} does not hold: the request has no iam:PassedToService; give it with --context iam:PassedToService=VALUE.\n",
			"AWS would answer\n  AccessDenied: User: arn:aws:iam::123456789012:user/example is not authorized to perform: iam:PassRole on resource: " + task + " because no identity-based policy allows the iam:PassRole action\n",
			"Missing context keys\n", "  iam:PassedToService\n",
		},
	}, {
		name: "implicit deny: the condition's key has another value",
		args: []string{"--policy", f["deployer.json"], "--action", "iam:PassRole", "--resource", task, "--context", "iam:PassedToService=ec2.amazonaws.com"},
		code: 1,
		want: []string{
			"    - statement 1 (Sid \"PassTaskRoles\") of " + f["deployer.json"] + ", lines 4-10: its condition \"StringEquals\": {\"iam:PassedToService\": \"ecs-tasks.amazonaws.com\"} does not hold: the request has iam:PassedToService=ec2.amazonaws.com.\n",
		},
	}, {
		name: "implicit deny: the resource does not match",
		args: []string{"--policy", f["deployer.json"], "--action", "iam:PassRole", "--resource", "arn:aws:iam::123456789012:role/db", "--context", "iam:PassedToService=ecs-tasks.amazonaws.com"},
		code: 1,
		want: []string{
			"    - statement 1 (Sid \"PassTaskRoles\") of " + f["deployer.json"] + ", lines 4-10: its Resource [\"arn:aws:iam::123456789012:role/app-*\"] does not match arn:aws:iam::123456789012:role/db.\n",
		},
	}, {
		name: "implicit deny: no statement covers the action",
		args: []string{"--policy", f["deployer.json"], "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"},
		code: 1,
		want: []string{"allows s3:GetObject on arn:aws:s3:::b/k.\n  None of its Allow statements covers the action s3:GetObject.\n"},
	}, {
		name: "implicit deny: several conditions fail",
		args: []string{"--policy", f["s3cond.json"], "--action", "s3:GetObject", "--resource", "arn:aws:s3:::reports/q1", "--context", "aws:SourceIp=192.168.1.1"},
		code: 1,
		want: []string{": 2 of its conditions do not hold: \"Bool\": {\"aws:SecureTransport\": \"true\"} (the request has no aws:SecureTransport; give it with --context aws:SecureTransport=VALUE); " +
			"\"IpAddress\": {\"aws:SourceIp\": [\"10.0.0.0/8\", \"172.16.0.0/12\"]} (the request has aws:SourceIp=192.168.1.1).\n"},
	}, {
		name: "explicit deny wins over the allow",
		args: []string{"--policy", f["deployer.json"], "--action", "iam:PassRole", "--resource", "arn:aws:iam::123456789012:role/app-admin", "--context", "iam:PassedToService=ecs-tasks.amazonaws.com"},
		code: 1,
		want: []string{
			"DENIED (explicit deny)\n",
			"Statement 2 (Sid \"NoAdmin\") of " + f["deployer.json"] + ", lines 11-16 (identity-based policy) denies iam:PassRole.\n  An explicit Deny in any policy overrides every Allow.\n",
			"with an explicit deny in an identity-based policy\n",
			"Statements that matched the request\n  Allow  statement 1 (Sid \"PassTaskRoles\")", "  Deny   statement 2 (Sid \"NoAdmin\")",
		},
	}, {
		name: "the boundary does not allow: a role's session",
		args: []string{"--policy", f["deployer.json"], "--boundary", f["boundary.json"], "--principal", "arn:aws:iam::123456789012:role/deployer",
			"--action", "iam:PassRole", "--resource", task, "--context", "iam:PassedToService=ecs-tasks.amazonaws.com"},
		code: 1,
		want: []string{
			"  principal  arn:aws:sts::123456789012:assumed-role/deployer/policy-eval (a session of role arn:aws:iam::123456789012:role/deployer)\n",
			"The permissions boundary " + f["boundary.json"] + " does not allow iam:PassRole.\n",
			"  None of its Allow statements covers the action iam:PassRole.\n",
			"AccessDenied: User: arn:aws:sts::123456789012:assumed-role/deployer/policy-eval is not authorized to perform: iam:PassRole on resource: " + task + " because no permissions boundary allows the iam:PassRole action\n",
		},
	}, {
		name: "cross account: the bucket policy and the identity policy both allow",
		args: []string{"--policy", f["s3read.json"], "--resource-policy", f["bucket.json"], "--principal", "arn:aws:iam::210987654321:user/partner",
			"--action", "s3:GetObject", "--resource", "arn:aws:s3:::reports/q1.csv", "--context", "aws:ResourceAccount=123456789012"},
		code: 0,
		want: []string{"ALLOWED\n", "Statement 1 of " + f["s3read.json"] + ", line 1 (identity-based policy) allows s3:GetObject.\n"},
	}, {
		name: "cross account: no resource policy",
		args: []string{"--policy", f["s3read.json"], "--principal", "arn:aws:iam::210987654321:user/partner",
			"--action", "kms:Decrypt", "--resource", "arn:aws:kms:us-east-1:123456789012:key/k1"},
		code: 1,
		want: []string{"  accounts   principal in 210987654321, resource in 123456789012: a cross-account request\n",
			"The resource is in account 123456789012 and no resource-based policy was given (--resource-policy)"},
	}, {
		name: "a service assumes a role through its trust policy",
		args: []string{"--resource-policy", f["trust.json"], "--principal", "ecs-tasks.amazonaws.com", "--action", "sts:AssumeRole", "--resource", task},
		code: 0,
		want: []string{"ALLOWED\n", "(resource-based policy) allows sts:AssumeRole for ecs-tasks.amazonaws.com; a service or federated principal has no identity-based policies"},
	}, {
		name: "the trust policy does not name the service",
		args: []string{"--resource-policy", f["trust.json"], "--principal", "lambda.amazonaws.com", "--action", "sts:AssumeRole", "--resource", task},
		code: 1,
		want: []string{"No statement of the resource-based policy " + f["trust.json"] + " allows sts:AssumeRole for lambda.amazonaws.com",
			"    - statement 1 of " + f["trust.json"] + ", line 1: its Principal {\"Service\": \"ecs-tasks.amazonaws.com\"} does not name lambda.amazonaws.com.\n",
			"because no resource-based policy allows the sts:AssumeRole action\n"},
	}, {
		name: "SCP deny",
		args: []string{"--policy", f["s3read.json"], "--scp", f["scp.json"], "--principal", "123456789012", "--action", "organizations:LeaveOrganization", "--resource", "*"},
		code: 1,
		want: []string{"Statement 2 (Sid \"NoLeaving\") of " + f["scp.json"] + ", line 1 (service control policy) denies organizations:LeaveOrganization.\n",
			"AccessDenied: User: arn:aws:iam::123456789012:root is not authorized to perform: organizations:LeaveOrganization on resource: * with an explicit deny in a service control policy\n"},
	}, {
		name: "root needs no identity policy",
		args: []string{"--policy", f["s3read.json"], "--principal", "arn:aws:iam::123456789012:root", "--action", "iam:CreateRole", "--resource", "arn:aws:iam::123456789012:role/x"},
		code: 0,
		want: []string{"The principal is the account's root user"},
	}, {
		name: "session policy",
		args: []string{"--policy", f["s3read.json"], "--session-policy", f["session.json"], "--principal", "arn:aws:sts::123456789012:assumed-role/app/s1", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"},
		code: 1,
		want: []string{"No session policy (" + f["session.json"] + ") allows s3:GetObject.\n", "because no session policy allows the s3:GetObject action\n"},
	}, {
		name: "typed and multivalued context",
		args: []string{"--policy", f["s3read.json"], "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k",
			"--context", "aws:TagKeys=a", "--context", "aws:TagKeys=b", "--context", "aws:MultiFactorAuthAge=30", "--context-type", "aws:MultiFactorAuthAge=numeric"},
		code: 0,
		want: []string{"  context    aws:TagKeys=a\n             aws:TagKeys=b\n             aws:MultiFactorAuthAge=30\n"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runCLI(append([]string{"policy", "eval"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errs)
			}
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (after the previous expectations):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestPolicyEvalUsage(t *testing.T) {
	f := policyFiles(t, map[string]string{
		"ok.json":         `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		"noresource.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`,
		"notjson.json":    `{"Version":`,
	})
	ok := f["ok.json"]
	for _, tc := range []struct {
		name string
		args []string
		want string // stderr
	}{
		{"no action", []string{"--policy", ok, "--resource", "*"}, "rolecall policy eval: --action is required, e.g. --action iam:PassRole\n"},
		{"wildcard action", []string{"--policy", ok, "--action", "s3:Get*", "--resource", "*"}, `rolecall policy eval: --action "s3:Get*" is not an action: write SERVICE:ACTION without wildcards, e.g. s3:GetObject` + "\n"},
		{"no resource", []string{"--policy", ok, "--action", "s3:GetObject"}, "rolecall policy eval: --resource is required: the ARN the action is on, or '*' for actions without resource types\n"},
		{"bad resource", []string{"--policy", ok, "--action", "s3:GetObject", "--resource", "bucket/key"}, `rolecall policy eval: --resource "bucket/key" is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) or '*'` + "\n"},
		{"no policy", []string{"--action", "s3:GetObject", "--resource", "*"}, "rolecall policy eval: give the policies to evaluate: --policy FILE for the principal's identity-based policies, --resource-policy FILE for the resource's\n"},
		{"missing file", []string{"--policy", "/nonexistent/p.json", "--action", "s3:GetObject", "--resource", "*"}, "rolecall policy eval: cannot read --policy /nonexistent/p.json: open /nonexistent/p.json: no such file or directory\n"},
		{"malformed policy", []string{"--policy", f["noresource.json"], "--action", "s3:GetObject", "--resource", "*"},
			"rolecall policy eval: --policy " + f["noresource.json"] + " is not a valid identity-based policy, as IAM would refuse it: MalformedPolicyDocument: Policy statement must contain resources.\n"},
		{"not JSON", []string{"--boundary", f["notjson.json"], "--policy", ok, "--action", "s3:GetObject", "--resource", "*"},
			"rolecall policy eval: --boundary " + f["notjson.json"] + " is not a valid permissions boundary, as IAM would refuse it: MalformedPolicyDocument: Syntax errors in policy.\n"},
		{"bad context", []string{"--policy", ok, "--action", "s3:GetObject", "--resource", "*", "--context", "aws:SecureTransport"}, `rolecall policy eval: --context "aws:SecureTransport": write KEY=VALUE, e.g. --context aws:SecureTransport=true` + "\n"},
		{"bad context type", []string{"--policy", ok, "--action", "s3:GetObject", "--resource", "*", "--context", "k:k=1", "--context-type", "k:k=integer"},
			`rolecall policy eval: --context-type k:k: unknown type "integer"; use string, numeric, boolean, date, ip or binary, or one of those with List (stringList...)` + "\n"},
		{"typed value does not parse", []string{"--policy", ok, "--action", "s3:GetObject", "--resource", "*", "--context", "aws:SecureTransport=yes", "--context-type", "aws:SecureTransport=boolean"},
			"rolecall policy eval: Invalid value yes for context key aws:SecureTransport of type boolean.\n"},
		{"type for no key", []string{"--policy", ok, "--action", "s3:GetObject", "--resource", "*", "--context-type", "aws:SecureTransport=boolean"},
			"rolecall policy eval: --context-type names aws:securetransport, which no --context sets\n"},
		{"bad principal", []string{"--policy", ok, "--action", "s3:GetObject", "--resource", "*", "--principal", "alice"},
			`rolecall policy eval: --principal "alice" is neither an ARN, an account ID nor a service principal (e.g. ecs-tasks.amazonaws.com)` + "\n"},
		{"stray argument", []string{"--policy", ok, "--action", "s3:GetObject", "--resource", "*", "extra"},
			`rolecall policy eval: unexpected argument "extra" (every input is a flag; see rolecall policy eval -h)` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runCLI(append([]string{"policy", "eval"}, tc.args...)...)
			if code != 2 || errs != tc.want || out != "" {
				t.Errorf("exit %d, stderr %q, stdout %q\nwant exit 2, stderr %q", code, errs, out, tc.want)
			}
		})
	}
	if _, errs, code := runCLI("policy"); code != 2 || !strings.Contains(errs, "rolecall policy eval --policy FILE") {
		t.Errorf("policy alone: exit %d, %q", code, errs)
	}
	if _, errs, code := runCLI("policy", "check"); code != 2 || !strings.HasPrefix(errs, "rolecall policy: unknown command \"check\"\n") {
		t.Errorf("policy check: exit %d, %q", code, errs)
	}
	if out, _, code := runCLI("policy", "--help"); code != 0 || !strings.Contains(out, "Exit status: 0 allowed, 1 denied, 2 bad usage or input.") {
		t.Errorf("policy --help: exit %d, %q", code, out)
	}
}

// FuzzPolicyEvalInputs: the command's own parsing of --principal and
// --context never panics, and a principal it accepts has an account unless
// it is a service.
func FuzzPolicyEvalInputs(f *testing.F) {
	f.Add("arn:aws:sts::123456789012:assumed-role/app/s1", "aws:SecureTransport=true", "aws:SecureTransport=boolean")
	f.Add("arn:aws:iam::123456789012:role/path/app", "k=v=w", "")
	f.Add("ecs-tasks.amazonaws.com", "=x", "k=stringList")
	f.Add("123456789012", "k:k=1", "k:k=numeric")
	f.Fuzz(func(t *testing.T, principal, ctx, typ string) {
		c, _, err := callerOf(principal, "")
		if err == nil && c.ARN == "" {
			t.Fatalf("callerOf(%q) accepted with no ARN", principal)
		}
		types := multiFlag{}
		if typ != "" {
			types = append(types, typ)
		}
		_, _, _ = contextOf(multiFlag{ctx}, types)
	})
}
