package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/server"
)

const account = server.DefaultAccount

var ctx = context.Background()

// deletionDelay is how long a service-linked role's deletion task takes in
// these tests: half NOT_STARTED, half IN_PROGRESS (internal/iam).
const deletionDelay = 2 * time.Second

// env is a rolecall served over HTTP, the console included, with a clock
// the test moves, and SDK clients signed as the default account's root.
type env struct {
	app   *app.App
	srv   *httptest.Server
	clock *ids.FixedClock
	iam   *iam.Client
	ecs   *ecs.Client
}

func newEnv(t testing.TB) *env {
	t.Helper()
	// The clock starts now: the SDK signs with the wall clock.
	clock := &ids.FixedClock{T: time.Now().UTC().Truncate(time.Second)}
	a, err := app.Open(app.Options{Ephemeral: true, Clock: clock, SLRDeletionDelay: deletionDelay, PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() { srv.Close(); a.Close() })
	e := &env{app: a, srv: srv, clock: clock}
	cfg := e.config("test", "test", "us-east-1")
	e.iam, e.ecs = iam.NewFromConfig(cfg), ecs.NewFromConfig(cfg)
	return e
}

func (e *env) config(key, secret, region string) aws.Config {
	return aws.Config{Region: region, BaseEndpoint: aws.String(e.srv.URL), Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1}
}

func (e *env) ecsIn(region string) *ecs.Client {
	return ecs.NewFromConfig(e.config("test", "test", region))
}

// user creates an IAM user with an inline policy allowing actions (none:
// no policy) and answers its access key.
func (e *env) user(t testing.TB, name string, actions ...string) (keyID, secret string) {
	t.Helper()
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))(t)
	if len(actions) > 0 {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("console"), PolicyDocument: aws.String(doc)}))(t)
	}
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))(t).AccessKey
	return aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey)
}

func (e *env) role(t testing.TB, name, trust string) {
	t.Helper()
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))(t)
}

func (e *env) getRole(t testing.TB, name string) *iam.GetRoleOutput {
	t.Helper()
	return must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}))(t)
}

// stoppedTask runs a Fargate task in cluster of region whose execution role
// has no permission: the agent's first request is refused and the task
// stops with ECS's reason. It answers the task's ID and reason.
func (e *env) stoppedTask(t testing.TB, region, cluster string) (id, reason string) {
	t.Helper()
	c := e.ecsIn(region)
	must(c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(cluster)}))(t)
	e.role(t, "ecsTaskExecutionRole", tasksTrust)
	must(c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		ExecutionRoleArn:     aws.String("arn:aws:iam::" + account + ":role/ecsTaskExecutionRole"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String(account + ".dkr.ecr." + region + ".amazonaws.com/web:1")}},
	}))(t)
	task := must(c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String(cluster), TaskDefinition: aws.String("web"), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0123456789abcdef0"}}}}))(t).Tasks[0]
	e.clock.Advance(time.Second)
	task = must(c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: []string{aws.ToString(task.TaskArn)}}))(t).Tasks[0]
	if aws.ToString(task.LastStatus) != "STOPPED" || aws.ToString(task.StoppedReason) == "" {
		t.Fatalf("task %s: %s", aws.ToString(task.LastStatus), aws.ToString(task.StoppedReason))
	}
	arn := aws.ToString(task.TaskArn)
	return arn[strings.LastIndexByte(arn, '/')+1:], aws.ToString(task.StoppedReason)
}

// s3Read is a permissions policy document.
const s3Read = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

const tasksTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// browser is a cookie-keeping HTTP client of the console, as a browser
// without scripts uses it.
type browser struct {
	t    testing.TB
	base string
	hc   *http.Client
	csrf string // the session's CSRF token, read from the last page
}

func (e *env) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: e.srv.URL, hc: &http.Client{Jar: jar}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a request and answers the status and body of the last
// response, following redirects.
func (b *browser) do(req *http.Request) (int, string) {
	b.t.Helper()
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body)
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.do(req)
}

// post sends a form with the session's CSRF token, from the console's
// origin, as the browser does.
func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	return b.postRaw(path, form, b.base)
}

// postRaw sends a form as it is, from origin ("" for none).
func (b *browser) postRaw(path string, form url.Values, origin string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	return b.do(req)
}

// signIn signs in with an access key; the body is the page it lands on.
func (b *browser) signIn(key, secret string) (int, string) {
	b.t.Helper()
	b.get("/console/signin")
	return b.post("/console/signin", url.Values{"method": {"key"}, "access_key_id": {key}, "secret_access_key": {secret}})
}

func (e *env) signedIn(t testing.TB, key, secret string) *browser {
	t.Helper()
	b := e.browser(t)
	if status, body := b.signIn(key, secret); status != 200 || !strings.Contains(body, "Console Home") {
		t.Fatalf("sign in as %s: %d\n%s", key, status, body)
	}
	return b
}

// has fails the test unless body has every text, as written or as HTML
// escapes it.
func has(t testing.TB, body string, texts ...string) {
	t.Helper()
	missing := false
	for _, s := range texts {
		if !strings.Contains(body, s) && !strings.Contains(body, htmlEscape(s)) {
			t.Errorf("page lacks %q", s)
			missing = true
		}
	}
	if missing {
		t.Logf("page:\n%s", mainOf(body))
	}
}

func hasNot(t testing.TB, body string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(body, s) || strings.Contains(body, htmlEscape(s)) {
			t.Errorf("page has %q", s)
		}
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

// mainOf is the page's main element, for failure messages.
func mainOf(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if i := strings.Index(body, "</main>"); i >= 0 {
		body = body[:i]
	}
	return body
}

// refusesForgery posts form to path without the session's CSRF token and
// with a wrong one: each must be refused (the caller checks that nothing
// changed).
func (b *browser) refusesForgery(path string, form url.Values) {
	b.t.Helper()
	for _, tok := range []string{"", "AAAA"} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("csrf", tok)
		if status, body := b.postRaw(path, f, b.base); status != http.StatusForbidden || !strings.Contains(body, "CSRF token does not match") {
			b.t.Errorf("post to %s with token %q: %d\n%s", path, tok, status, body)
		}
	}
}

// getAs gets path, which must answer status, and answers the body.
func (b *browser) getAs(status int, path string) string {
	b.t.Helper()
	got, body := b.get(path)
	if got != status {
		b.t.Errorf("GET %s: status %d, want %d", path, got, status)
	}
	return body
}
