package main

// rolecall task env TASK_ARN: the environment that makes a local program
// act as a running task's task role, with credentials served by rolecall
// as the ECS agent serves them to a task's containers.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rolecall/rolecall/internal/arn"
)

func taskUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall task env TASK_ARN [--endpoint URL]

Prints the exports that make a local program act as the task's task role:
the SDKs' container credentials provider fetches the role session's
credentials from rolecall, renewed before they expire, while the task runs.

  eval "$(rolecall task env arn:aws:ecs:us-east-1:000000000000:task/default/0123...)"

The request is signed with $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY
($AWS_SESSION_TOKEN), else the emulator's root keys test/test; the caller
must be of the task's account and may pass the task role to
ecs-tasks.amazonaws.com (iam:PassRole; the account's root may).

`+endpointHelp+`
The SDKs accept container credentials over http only from a loopback host
(127.0.0.1, localhost, ::1).
`)
}

func taskCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("task", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { taskUsage(stderr) }
	endpoint := endpointFlag(fs)
	words, err := parseWords(fs, args)
	if err != nil {
		return 2
	}
	if len(words) != 2 || words[0] != "env" {
		taskUsage(stderr)
		return 2
	}
	base := endpointURL(*endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env, err := fetchTaskEnv(ctx, base, words[1])
	if err != nil {
		fmt.Fprintf(stderr, "rolecall task env: %v\n", err)
		return 1
	}
	if u, err := url.Parse(base); err == nil && !loopback(u.Hostname()) {
		fmt.Fprintf(stderr, "rolecall task env: warning: %s is not a loopback host; the SDKs refuse container credentials over http from other hosts\n", u.Hostname())
	}
	fmt.Fprintf(stdout, `# Task %s acts as %s.
# The SDKs use static credentials from the environment before container
# credentials: unset them.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
export AWS_CONTAINER_CREDENTIALS_FULL_URI=%s
export AWS_CONTAINER_AUTHORIZATION_TOKEN=%s
export AWS_ENDPOINT_URL=%s
export AWS_REGION=%s AWS_DEFAULT_REGION=%s
`, env.TaskArn, env.RoleArn, shellQuote(base+env.CredentialsPath), shellQuote(env.AuthorizationToken), shellQuote(base), env.Region, env.Region)
	return 0
}

// taskEnv is rolecall's GET /_rolecall/ecs/task-env answer.
type taskEnv struct {
	TaskArn, RoleArn, Region string
	CredentialsPath          string
	AuthorizationToken       string
}

// fetchTaskEnv asks rolecall, with a SigV4-signed GET (service ecs, the
// task's Region), where the task's credentials are served.
func fetchTaskEnv(ctx context.Context, base, taskArn string) (*taskEnv, error) {
	a, err := arn.Parse(taskArn)
	if err != nil || a.Service != "ecs" || !strings.HasPrefix(a.Resource, "task/") {
		return nil, fmt.Errorf("%q is not a task ARN (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID)", taskArn)
	}
	resp, err := signedGet(ctx, base+"/_rolecall/ecs/task-env?task="+url.QueryEscape(taskArn), "ecs", a.Region)
	if err != nil {
		return nil, err
	}
	var out taskEnv
	if err := endpointJSON(resp, 1<<20, "the task environment endpoint", base, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// loopback: the SDKs' container credentials providers accept http URIs
// only for these hosts.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// signedGet GETs u signed as the AWS SDKs sign (SigV4, for service and
// region) with the standard environment's credentials, else the root
// keys "test"/"test": rolecall's own endpoints answer only to a principal
// that may read them.
func signedGet(ctx context.Context, u, service, region string) (*http.Response, error) {
	return signedRequest(ctx, http.MethodGet, u, service, region)
}

// signedRequest is signedGet for any method, with no body.
func signedRequest(ctx context.Context, method, u, service, region string) (*http.Response, error) {
	return signedRequestBody(ctx, method, u, service, region, nil)
}

// signedRequestBody is signedRequest with a body.
func signedRequestBody(ctx context.Context, method, u, service, region string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	token := os.Getenv("AWS_SESSION_TOKEN")
	if id == "" || secret == "" {
		id, secret, token = "test", "test", ""
	}
	creds, err := credentials.NewStaticCredentialsProvider(id, secret, token).Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil && strings.Contains(err.Error(), "connection refused") {
		return nil, fmt.Errorf("%v\n(is rolecall running? start it with 'rolecall serve', or pass --endpoint)", err)
	}
	return resp, err
}
