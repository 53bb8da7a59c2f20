package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// cliLib is the aws CLI scripts' environment (integration/scripts): the CLI
// pointed at $AWS_ENDPOINT_URL as the account's root, with nothing of the
// developer's configuration, and a clear failure when the CLI is missing.
const cliLib = "../../integration/scripts/lib.sh"

// awsCLI runs `aws ARGS...` against rc through cliLib and returns stdout.
func awsCLI(t *testing.T, rc *rolecalltest.Server, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("bash", append([]string{"-c", `. "$0" && aws "$@"`, cliLib}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+rc.Endpoint)
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out
}

// export writes `aws iam get-account-authorization-details EXTRA...` to
// dir/name and returns its path.
func export(t *testing.T, rc *rolecalltest.Server, dir, name string, extra ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	out := awsCLI(t, rc, append([]string{"iam", "get-account-authorization-details"}, extra...)...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// An IAM export that rolecall itself answers, made with the aws CLI (which
// prints the documents decoded, as JSON objects), is read by the doctor as
// one from AWS: `rolecall doctor --iam FILE` gives the verdict, word for
// word, that the doctor gives reading the same rolecall live. ECS is read
// live in both runs; only where IAM comes from differs.
func TestDoctorIAMExport(t *testing.T) {
	for _, tc := range liveSetups {
		t.Run(tc.name, func(t *testing.T) {
			rc, args := tc.deploy(t)
			live, stderr, code := runCLI(args...)
			if code != tc.status {
				t.Fatalf("live: exit %d, want %d; %s", code, tc.status, stderr)
			}
			file := export(t, rc, t.TempDir(), "iam.json")
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var x struct {
				RoleDetailList []struct{ AssumeRolePolicyDocument json.RawMessage }
			}
			if err := json.Unmarshal(raw, &x); err != nil || len(x.RoleDetailList) == 0 || x.RoleDetailList[0].AssumeRolePolicyDocument[0] != '{' {
				t.Fatalf("not the CLI's export, documents decoded (%v):\n%.300s", err, raw)
			}
			got, stderr, code := runCLI(append(args, "--iam", file)...)
			if code != tc.status || got != live {
				t.Errorf("--iam %s: exit %d, want %d; %s\n%s", filepath.Base(file), code, tc.status, stderr, diffLines(live, got))
			}
		})
	}
}

// Exports made in pieces read as one: the CLI's own paging (--page-size,
// all pages in one document), the API's pages one file each, one file per
// entity type (as cloudsplaining downloads), given as a directory or as
// files.
func TestDoctorIAMExportPaged(t *testing.T) {
	var setup liveSetup
	for _, s := range liveSetups {
		if s.name == "legacy-elb-broken" { // a user with an inline Deny, roles with inline and AWS managed policies
			setup = s
		}
	}
	rc, args := setup.deploy(t)
	c := iam.NewFromConfig(rc.Config)
	// Users over several pages.
	for i := range 5 {
		if _, err := c.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("extra-" + strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	live, stderr, code := runCLI(args...)
	if code != setup.status {
		t.Fatalf("live: exit %d; %s", code, stderr)
	}
	check := func(what string, iamArgs ...string) {
		t.Helper()
		got, stderr, code := runCLI(append(args, iamArgs...)...)
		if code != setup.status || got != live {
			t.Errorf("%s: exit %d, want %d; %s\n%s", what, code, setup.status, stderr, diffLines(live, got))
		}
	}

	dir := t.TempDir()
	check("--page-size 2", "--iam", export(t, rc, dir, "paged.json", "--page-size", "2"))

	// The API's own pages, one file each (IsTruncated and Marker in each):
	// MaxItems and Marker passed to the API as they are.
	pages := filepath.Join(dir, "pages")
	if err := os.Mkdir(pages, 0o755); err != nil {
		t.Fatal(err)
	}
	marker := ""
	for i := 0; ; i++ {
		in := `{"MaxItems": 4}`
		if marker != "" {
			in = `{"MaxItems": 4, "Marker": "` + marker + `"}`
		}
		path := export(t, rc, pages, "page-"+strconv.Itoa(i)+".json", "--no-paginate", "--cli-input-json", in)
		var p struct {
			IsTruncated bool
			Marker      string
		}
		b, _ := os.ReadFile(path)
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if marker = p.Marker; !p.IsTruncated {
			break
		}
		if i > 50 {
			t.Fatal("the pages do not end")
		}
	}
	check("the API's pages, a directory", "--iam", pages)

	// --max-items pieces: the CLI's paginator counts users only and, on
	// --starting-token, drops the groups, roles and policies of the page it
	// resumes at; the doctor says so rather than judge what is missing.
	pieces := filepath.Join(dir, "pieces")
	if err := os.Mkdir(pieces, 0o755); err != nil {
		t.Fatal(err)
	}
	var token string
	for i := 0; ; i++ {
		extra := []string{"--max-items", "2", "--page-size", "3"}
		if token != "" {
			extra = append(extra, "--starting-token", token)
		}
		path := export(t, rc, pieces, "piece-"+strconv.Itoa(i)+".json", extra...)
		var p struct{ NextToken string }
		b, _ := os.ReadFile(path)
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if token = p.NextToken; token == "" {
			break
		}
		if i > 20 {
			t.Fatal("the CLI's paging does not end")
		}
	}
	_, stderr, code = runCLI(append(args, "--iam", pieces)...)
	if code != 2 || !strings.Contains(stderr, "an IAM export made with --max-items and --starting-token may lack groups, roles and policies") {
		t.Errorf("--max-items pieces: exit %d, %s", code, stderr)
	}

	var files []string
	for _, f := range []string{"User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"} {
		files = append(files, "--file", export(t, rc, dir, f+".json", "--filter", f))
	}
	check("one file per entity type", files...)
}

// diffLines shows the first line where got differs from want.
func diffLines(want, got string) string {
	line, w, g, differ := firstDiff(want, got)
	if !differ {
		return "(same text)"
	}
	return "line " + strconv.Itoa(line) + ":\n  live: " + w + "\n  file: " + g
}

// A caller denied the reads is told what each denied part takes, and the
// way round it that the hint names works: IAM from an export another
// principal makes, ECS from the set-up's files.
func TestDoctorReadHint(t *testing.T) {
	var setup liveSetup
	for _, s := range liveSetups {
		if s.name == "fargate-alb-broken" {
			setup = s
		}
	}
	rc, args := setup.deploy(t)
	live, _, code := runCLI(args...)
	if code != setup.status {
		t.Fatalf("live: exit %d", code)
	}
	c := iam.NewFromConfig(rc.Config)
	as := func(name, doc string) {
		t.Helper()
		ctx := context.Background()
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("reads"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
		k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(k.AccessKey.AccessKeyId))
		t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(k.AccessKey.SecretAccessKey))
	}
	file := export(t, rc, t.TempDir(), "iam.json") // as the account's root

	as("ecs-reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:Describe*","ecs:List*","application-autoscaling:Describe*"],"Resource":"*"}]}`)
	_, stderr, code := runCLI(args...)
	if code != 2 || !strings.Contains(stderr, "is not authorized to perform: iam:") ||
		!strings.Contains(stderr, "or read IAM from an export instead: 'aws iam get-account-authorization-details > iam.json', run by a principal allowed iam:GetAccountAuthorizationDetails, then --iam iam.json)") {
		t.Errorf("IAM denied: exit %d\n%s", code, stderr)
	}
	got, stderr, code := runCLI(append(args, "--iam", file)...)
	if code != setup.status || got != live {
		t.Errorf("IAM denied, --iam export: exit %d; %s\n%s", code, stderr, diffLines(live, got))
	}

	as("iam-reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`)
	_, stderr, code = runCLI(args...)
	if code != 2 || !strings.Contains(stderr, "is not authorized to perform: ecs:") ||
		!strings.Contains(stderr, "or give the ECS set-up as files instead: --file with its task definitions and services") {
		t.Errorf("ECS denied: exit %d\n%s", code, stderr)
	}
	files := []string{"--file", filepath.Join(setupsDir, "fargate-alb/taskdef.json"), "--file", filepath.Join(setupsDir, "fargate-alb/service.json")}
	if _, stderr, code = runCLI(append(args, files...)...); code != setup.status {
		t.Errorf("ECS denied, --file: exit %d; %s", code, stderr)
	}
}
