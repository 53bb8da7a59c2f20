package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/chromedp/chromedp"
)

// The console in a real browser: headless Chromium (Debian's chromium),
// driven through the DevTools protocol, one browser for the whole suite
// and a fresh profile (browser context) per test. The steps wait on what
// the page shows, never on time. Each page is saved as a screenshot in
// testdata/screenshots (ROLECALL_SCREENSHOTS names another directory) for
// review.
//
// Without Chromium the tests skip, saying how to install it; with
// ROLECALL_REQUIRE_BROWSER=1 (scripts/test.sh, which installs it) they
// fail instead.

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel = func() {}
)

func TestMain(m *testing.M) {
	code := m.Run()
	browserCancel()
	os.Exit(code)
}

// chromium finds the browser.
func chromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium on PATH: install it (Debian: apt-get install chromium) to run the console's browser tests")
}

// tab is a new tab in a fresh browser profile, for the test's duration.
func tab(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		path, err := chromium()
		if err != nil {
			browserErr = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.WindowSize(1440, 1000))
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		if err := chromedp.Do(ctx); err != nil {
			cancelCtx()
			cancelAlloc()
			browserErr = fmt.Errorf("cannot start %s: %w", path, err)
			return
		}
		browserCtx, browserCancel = ctx, func() { cancelCtx(); cancelAlloc() }
	})
	if browserErr != nil {
		if os.Getenv("ROLECALL_REQUIRE_BROWSER") == "1" {
			t.Fatal("browser tests required (ROLECALL_REQUIRE_BROWSER=1) but cannot run: " + browserErr.Error())
		}
		t.Skip("browser tests skipped: " + browserErr.Error())
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return ctx
}

// page is a test's browser tab on an env's console.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot int

	mu       sync.Mutex
	problems []string // the page's script errors and refused loads (CSP)
}

// page opens a tab. When the test ends, the tab must have had no script
// exception and nothing refused by the Content-Security-Policy.
func (e *env) page(t *testing.T) *page {
	p := &page{t: t, ctx: tab(t), base: e.srv.URL}
	msgs := chromedp.Console(p.ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || m.Source == "security" || strings.Contains(m.Text, "Content Security Policy") {
				p.mu.Lock()
				p.problems = append(p.problems, m.String())
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, m := range p.problems {
			t.Errorf("browser console: %s", m)
		}
	})
	return p
}

// do runs steps on the page once it has loaded. A lone step that finds
// its node replaced under it (the page was still settling after a
// navigation: "Could not find node with given id") did nothing, and runs
// again.
func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	var err error
	for range 5 {
		p.waitFor(`document.readyState === "complete"`)
		if err = chromedp.Do(p.ctx, steps...); err == nil || len(steps) > 1 || !strings.Contains(err.Error(), "Could not find node with given id") {
			break
		}
	}
	if err != nil {
		p.t.Fatal(err)
	}
}

func (p *page) open(path string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Navigate(p.base+path)); err != nil {
		p.t.Fatal(err)
	}
}

// waitFor waits until the JavaScript condition holds on the page.
func (p *page) waitFor(cond string) {
	p.t.Helper()
	var err error
	// A navigation under way (a form just submitted) ends the poll in the
	// old page: it starts again in the new one.
	for range 20 {
		if _, err = chromedp.Run(p.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(30*time.Second))); err == nil || !navigated(err) {
			break
		}
	}
	if err != nil {
		body, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").innerText : document.body.innerText`))
		p.t.Fatalf("waiting for %s: %v\npage:\n%s", cond, err, body)
	}
}

// waitText waits until the element has the text in it.
func (p *page) waitText(css, text string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent.includes(%q); })()`, css, text))
}

// navigated says whether err is the page going away under an evaluation.
func navigated(err error) bool {
	m := err.Error()
	return strings.Contains(m, "navigated or closed") || strings.Contains(m, "Execution context was destroyed") || strings.Contains(m, "Cannot find context")
}

func (p *page) text(css string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// screenshot saves the page as NN-name.png.
func (p *page) screenshot(name string) {
	p.t.Helper()
	p.waitFor(`document.readyState === "complete" && document.body.getBoundingClientRect().width > 0`)
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatal(err)
	}
	dir := os.Getenv("ROLECALL_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	p.shot++
	file := filepath.Join(dir, fmt.Sprintf("%s-%02d-%s.png", strings.TrimPrefix(p.t.Name(), "TestBrowser"), p.shot, name))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *page) signIn(key, secret string) {
	p.t.Helper()
	p.open("/")
	p.do(chromedp.WaitVisible(chromedp.ID("access_key_id")))
	p.screenshot("signin")
	p.do(chromedp.SendKeys(chromedp.ID("access_key_id"), key), chromedp.SendKeys(chromedp.ID("secret_access_key"), secret),
		chromedp.Click(chromedp.ID("signin-key")))
	p.waitText("main h1", "Console Home")
}

// The service-linked role procedures of the IAM and ECS guides, step by
// step: create AWSServiceRoleForECS (Roles, Create role, AWS service,
// Elastic Container Service, its use case, Next, Next, Create role), edit
// its description, delete it while a cluster in another Region uses it
// (the notification follows the task to FAILED, View resources lists the
// Region), then again once the cluster is gone (SUCCEEDED, and the role
// leaves the list).
func TestBrowserServiceLinkedRole(t *testing.T) {
	e := newEnv(t)
	p := e.page(t)
	p.signIn("test", "test")
	p.screenshot("home")

	// "In the navigation pane of the IAM console, choose Roles. Then,
	// choose Create role."
	p.do(chromedp.Click(chromedp.CSS(`nav.services a[href="/console/iam"]`)))
	p.waitText("main h1", "IAM Dashboard")
	p.do(chromedp.Click(chromedp.CSS(`.sidenav a[href="/console/iam/roles"]`)))
	p.waitText("main h1", "Roles")
	p.screenshot("roles-empty")
	p.do(chromedp.Click(chromedp.ID("create-role")))
	p.waitText("main h1", "Select trusted entity")
	// "Choose the AWS Service role type" (chosen first), then the service
	// and its use case.
	p.do(chromedp.Click(chromedp.CSS(`input[name=type][value=service]`)))
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("service"); s.value = "ecs"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	p.do(chromedp.WaitVisible(chromedp.ID("usecases")))
	p.do(chromedp.Click(chromedp.CSS(`input[name=usecase][value="ecs.amazonaws.com"]`)))
	p.screenshot("create-usecase")
	p.do(chromedp.Click(chromedp.ID("next")))
	p.do(chromedp.WaitVisible(chromedp.ID("linked-policies")))
	p.screenshot("create-permissions")
	p.do(chromedp.Click(chromedp.ID("next")))
	p.do(chromedp.WaitVisible(chromedp.ID("role-name-fixed")))
	if got := p.text("#role-name-fixed"); got != "AWSServiceRoleForECS" {
		t.Errorf("role name %q", got)
	}
	p.screenshot("create-review")
	p.do(chromedp.Click(chromedp.ID("create")))
	p.waitText("#notifications", "Role AWSServiceRoleForECS created.")
	p.waitText("#roles", "AWS Service: ecs (Service-Linked Role)")
	p.screenshot("roles-created")

	// "Choose the name of the role to modify. To the far right of Role
	// description, choose Edit. Enter a new description in the box and
	// choose Save."
	p.do(chromedp.Click(chromedp.CSS(`#roles a[href="/console/iam/roles/details/AWSServiceRoleForECS"]`)))
	p.do(chromedp.WaitVisible(chromedp.ID("role-arn")))
	p.screenshot("role")
	p.do(chromedp.Click(chromedp.ID("edit-description")))
	p.do(chromedp.WaitVisible(chromedp.ID("description")), chromedp.Evaluate[chromedp.Void](`document.getElementById("description").value = ""`),
		chromedp.SendKeys(chromedp.ID("description"), "ECS manages this account's resources"))
	p.screenshot("edit-description")
	p.do(chromedp.Click(chromedp.ID("save")))
	p.waitText("#role-description", "ECS manages this account's resources")
	if d := aws.ToString(e.getRole(t, "AWSServiceRoleForECS").Role.Description); d != "ECS manages this account's resources" {
		t.Errorf("description %q", d)
	}
	for _, tab := range []string{"trust", "tags", "access", "permissions"} {
		p.do(chromedp.Click(chromedp.ID("tab-" + tab)))
		p.waitFor(fmt.Sprintf(`document.querySelector("#tab-%s[aria-current]") !== null`, tab))
		p.screenshot("role-" + tab)
	}

	// A cluster in another Region uses the role.
	eu := e.ecsIn("eu-west-1")
	cl := must(eu.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t).Cluster

	// "Select the check box next to the role ... Choose Delete. ... review
	// the service last accessed data ... To confirm deletion, enter the
	// role name in the text input field. Choose Delete."
	p.do(chromedp.Click(chromedp.CSS(`.sidenav a[href="/console/iam/roles"]`)))
	p.do(chromedp.WaitVisible(chromedp.ID("roles")))
	p.do(chromedp.Click(chromedp.CSS(`input[name=role][value=AWSServiceRoleForECS]`)), chromedp.Click(chromedp.ID("delete-role")))
	p.do(chromedp.WaitVisible(chromedp.ID("confirm-last-activity")))
	p.screenshot("delete-confirm")
	p.do(chromedp.SendKeys(chromedp.ID("confirm"), "AWSServiceRoleForECS"), chromedp.Click(chromedp.ID("confirm-delete")))
	// "Watch the IAM console notifications to monitor the progress."
	p.waitText("#note-1 .task-status", "NOT_STARTED")
	p.screenshot("delete-not-started")
	e.clock.Advance(deletionDelay / 2)
	p.waitText("#note-1 .task-status", "IN_PROGRESS")
	p.screenshot("delete-in-progress")
	e.clock.Advance(deletionDelay / 2)
	p.waitText("#note-1", "Deletion of AWSServiceRoleForECS failed.")
	// "If the task fails, you can choose View details or View Resources."
	p.do(chromedp.Click(chromedp.CSS(`#note-1 details.resources summary`)))
	p.do(chromedp.WaitVisible(chromedp.CSS(`#note-1 td.region`)))
	if got := p.text("#note-1 td.region"); got != "eu-west-1" {
		t.Errorf("View resources Region %q", got)
	}
	p.waitText("#note-1 .resource", aws.ToString(cl.ClusterArn))
	p.screenshot("delete-failed-resources")

	// "Delete all Amazon ECS clusters in all regions", and again.
	must(eu.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("prod")}))(t)
	p.do(chromedp.Click(chromedp.CSS(`#note-1 .dismiss button`)))
	p.do(chromedp.WaitVisible(chromedp.ID("roles")))
	p.do(chromedp.Click(chromedp.CSS(`input[name=role][value=AWSServiceRoleForECS]`)), chromedp.Click(chromedp.ID("delete-role")))
	p.do(chromedp.WaitVisible(chromedp.ID("confirm")), chromedp.SendKeys(chromedp.ID("confirm"), "AWSServiceRoleForECS"), chromedp.Click(chromedp.ID("confirm-delete")))
	p.waitText("#note-2 .task-status", "NOT_STARTED")
	e.clock.Advance(deletionDelay)
	// "If the task succeeds, then the role is removed from the list and a
	// notification of success appears at the top of the page."
	p.waitText("#note-2", "AWSServiceRoleForECS deleted.")
	p.waitFor(`document.querySelector('#roles tr[data-role="AWSServiceRoleForECS"]') === null`)
	p.screenshot("delete-succeeded")
}

// A user without iam:ListRoles sees the console's words for the missing
// permission.
func TestBrowserPermissionDenied(t *testing.T) {
	e := newEnv(t)
	keyID, secret := e.user(t, "viewer")
	p := e.page(t)
	p.signIn(keyID, secret)
	p.open("/console/iam/roles")
	p.waitText(".denied h2", "You need permissions")
	p.waitText(".denied", "You do not have the permission required to perform this operation. Ask your administrator to add permissions.")
	p.waitText(".denied .message", "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:ListRoles")
	p.waitText(".denied .action", "iam:ListRoles")
	p.screenshot("roles-denied")
}

// A task stopped because its execution role may not do what the agent
// needs shows why, on the cluster's page and the task's, with the role
// linked to its IAM page.
func TestBrowserStoppedTask(t *testing.T) {
	e := newEnv(t)
	id, reason := e.stoppedTask(t, "eu-west-1", "prod")
	p := e.page(t)
	p.signIn("test", "test")
	p.do(chromedp.Click(chromedp.CSS(`nav.services a[href^="/console/ecs/clusters"]`)))
	p.do(chromedp.WaitVisible(chromedp.ID("clusters")))
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("region"); s.value = "eu-west-1"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	p.waitText("#clusters", "prod")
	p.screenshot("clusters")
	p.do(chromedp.Click(chromedp.CSS(`#clusters a`)))
	p.do(chromedp.WaitVisible(chromedp.ID("tab-tasks")), chromedp.Click(chromedp.ID("tab-tasks")))
	p.waitText(`#tasks tr[data-task="`+id+`"] .stopped-reason`, reason)
	p.waitText(`#tasks tr[data-task="`+id+`"] .stop-code`, "TaskFailedToStart")
	p.screenshot("cluster")
	p.do(chromedp.Click(chromedp.CSS(`#tasks tr[data-task="` + id + `"] a`)))
	p.waitText("#stopped .stopped-reason", reason)
	p.screenshot("task")
	p.do(chromedp.Click(chromedp.CSS(`#execution-role a`)))
	p.waitText("#role-name", "ecsTaskExecutionRole")
}

// A service whose task execution role ECS cannot assume: its event says
// so in AWS's words, with the doctor's reading; the Role check names the
// role's trust as what fails, with the fix and the indirect-permission
// graph; the role links to its IAM page.
func TestBrowserServiceRoleFailure(t *testing.T) {
	e := newEnv(t)
	e.failingService(t, "eu-west-1", "prod", "api")
	e.registered(t, "eu-west-1", "prod", "web-hosts", "webhost")
	e.role(t, "ecsTaskExecutionRole", tasksTrust)
	e.user(t, "deployer", "ecs:CreateService", "ecs:RegisterTaskDefinition", "iam:PassRole")
	p := e.page(t)
	p.signIn("test", "test")
	p.open("/console/ecs/clusters/prod?region=eu-west-1")
	p.waitText(`#services tr[data-service="api"] .rollout`, "IN_PROGRESS")
	p.screenshot("cluster-services")
	p.do(chromedp.Click(chromedp.ID("tab-infrastructure")))
	p.waitText("#instances .instance-role", "webhost")
	p.screenshot("cluster-infrastructure")
	p.do(chromedp.Click(chromedp.ID("tab-services")))
	p.do(chromedp.Click(chromedp.CSS(`#services tr[data-service="api"] a`)))
	p.waitText("#events tr.role-failure .message", "(service api) failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::"+account+":role/apiExecution'")
	p.do(chromedp.Click(chromedp.CSS(`#events tr.role-failure details.explained summary`)))
	p.do(chromedp.WaitVisible(chromedp.CSS(`#events tr.role-failure pre.commands`)))
	p.screenshot("service-events")
	p.do(chromedp.Click(chromedp.ID("tab-deployments")))
	p.waitText("#deployments .rollout", "IN_PROGRESS")
	p.screenshot("service-deployments")

	p.do(chromedp.Click(chromedp.ID("role-check")))
	p.waitText("#verdict", "Something this setup needs is missing or denied.")
	p.waitText(`#roles-needed tr[data-kind="task-execution-role"] .role-status`, "FAIL")
	p.waitText("#role-task-execution-role-apiExecution .commands", "aws iam update-assume-role-policy --role-name apiExecution")
	p.waitText("#indirect-graph", "user/deployer")
	p.waitText("#indirect-graph", "ecsTaskExecutionRole")
	p.screenshot("service-role-check")

	p.do(chromedp.Click(chromedp.CSS(`#roles-needed tr[data-kind="task-execution-role"] a[href^="/console/iam/"]`)))
	p.waitText("#role-name", "apiExecution")
}

// An IAM user signs in with the account's alias, its name and its
// password, and must choose a new password first when told to.
func TestBrowserPasswordSignIn(t *testing.T) {
	e := newEnv(t)
	e.user(t, "dev", "iam:ListRoles")
	must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Temporary-pass-1"), PasswordResetRequired: true}))(t)
	must(e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("my-team")}))(t)
	must(e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{AllowUsersToChangePassword: true}))(t)
	p := e.page(t)
	p.open("/")
	p.do(chromedp.WaitVisible(chromedp.ID("user_name")),
		chromedp.SendKeys(chromedp.ID("account"), "my-team"), chromedp.SendKeys(chromedp.ID("user_name"), "dev"),
		chromedp.SendKeys(chromedp.ID("password"), "Temporary-pass-1"))
	p.screenshot("signin")
	p.do(chromedp.Click(chromedp.ID("signin-password")))
	p.do(chromedp.WaitVisible(chromedp.ID("password-required")))
	p.screenshot("change-password")
	p.do(chromedp.SendKeys(chromedp.ID("old_password"), "Temporary-pass-1"), chromedp.SendKeys(chromedp.ID("new_password"), "New-password-22"),
		chromedp.SendKeys(chromedp.ID("confirm_password"), "New-password-22"), chromedp.Click(chromedp.ID("change-password")))
	p.waitText("main h1", "Console Home")
	p.waitText("#identity", "arn:aws:iam::"+account+":user/dev")
	p.screenshot("home")
}

// An IAM user with a virtual MFA device signs in with the password, then
// the MFA code on the second page; a wrong code is refused, the right one
// signs in with MFA, so that a policy requiring MFA allows Roles.
func TestBrowserMFASignIn(t *testing.T) {
	e := newEnv(t)
	seed := e.mfaUser(t, "dev", true)
	p := e.page(t)
	p.open("/console/signin")
	p.do(chromedp.WaitVisible(chromedp.ID("user_name")),
		chromedp.SendKeys(chromedp.ID("account"), account), chromedp.SendKeys(chromedp.ID("user_name"), "dev"),
		chromedp.SendKeys(chromedp.ID("password"), "Long-enough-1"), chromedp.Click(chromedp.ID("signin-password")))
	p.do(chromedp.WaitVisible(chromedp.ID("mfa_code")))
	p.waitText("main h1", "Multi-factor authentication")
	p.do(chromedp.SendKeys(chromedp.ID("mfa_code"), wrongCode(t, seed, e.clock.Now())), chromedp.Click(chromedp.ID("signin-mfa")))
	p.waitText("#signin-error", "Your authentication information is incorrect. Please try again.")
	p.screenshot("mfa-wrong-code")
	p.do(chromedp.SendKeys(chromedp.ID("mfa_code"), totpAt(t, seed, e.clock.Now())))
	p.screenshot("mfa-code")
	p.do(chromedp.Click(chromedp.ID("signin-mfa")))
	p.waitText("main h1", "Console Home")
	p.waitText("#identity", "arn:aws:iam::"+account+":user/dev")
	p.open("/console/iam/roles")
	p.do(chromedp.WaitVisible(chromedp.ID("roles")))
	p.screenshot("roles-with-mfa")
}

// Create role for GitHub Actions: Web identity, the GitHub provider and
// its audience, the organization and repository, then the trust policy
// reviewed and the role created.
func TestBrowserCreateRoleWebIdentity(t *testing.T) {
	e := newEnv(t)
	e.oidcProvider(t, "https://token.actions.githubusercontent.com", "sts.amazonaws.com")
	p := e.page(t)
	p.signIn("test", "test")
	p.open("/console/iam/roles/create")
	p.do(chromedp.WaitVisible(chromedp.CSS(`input[name=type][value=webidentity]`)), chromedp.Click(chromedp.CSS(`input[name=type][value=webidentity]`)))
	p.do(chromedp.WaitVisible(chromedp.ID("provider")))
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("provider"); s.value = "` + githubProvider + `"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	p.do(chromedp.WaitVisible(chromedp.ID("github")))
	p.do(chromedp.SetValue(chromedp.ID("audience"), "sts.amazonaws.com"), chromedp.SendKeys(chromedp.ID("gh_org"), "octo-org"), chromedp.SendKeys(chromedp.ID("gh_repo"), "octo-repo"))
	p.screenshot("create-webidentity")
	p.do(chromedp.Click(chromedp.ID("next")))
	p.waitText("main h1", "Add permissions")
	p.do(chromedp.Click(chromedp.ID("next")))
	p.do(chromedp.WaitVisible(chromedp.ID("review-trust")))
	if got := p.text("#review-trust"); !strings.Contains(got, `"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:*"`) {
		t.Errorf("trust policy reviewed:\n%s", got)
	}
	p.do(chromedp.SendKeys(chromedp.ID("name"), "deploy"))
	p.screenshot("create-webidentity-review")
	p.do(chromedp.Click(chromedp.ID("create")))
	p.waitText("#notifications", "Role deploy created.")
	p.screenshot("roles-created")
}

// "In the navigation pane, choose Identity providers, and then choose Add
// provider. For Configure provider, choose OpenID Connect": the provider
// added, its page, and the list.
func TestBrowserIdentityProviders(t *testing.T) {
	e := newEnv(t)
	p := e.page(t)
	p.signIn("test", "test")
	p.open("/console/iam")
	p.do(chromedp.Click(chromedp.CSS(`.sidenav a[href="/console/iam/providers"]`)))
	p.waitText("main h1", "Identity providers")
	p.do(chromedp.Click(chromedp.ID("add-provider")))
	p.do(chromedp.WaitVisible(chromedp.ID("url")))
	p.do(chromedp.SendKeys(chromedp.ID("url"), "https://token.actions.githubusercontent.com"), chromedp.SendKeys(chromedp.ID("audience"), "sts.amazonaws.com"))
	p.screenshot("add-oidc-provider")
	p.do(chromedp.Click(chromedp.CSS(`#add button[type=submit]`)))
	p.waitText("#notifications", "Provider token.actions.githubusercontent.com added.")
	p.waitText("#provider-arn", githubProvider)
	p.screenshot("oidc-provider")
	p.open("/console/iam/providers/create")
	p.do(chromedp.WaitVisible(chromedp.CSS(`input[name=type][value=saml]`)), chromedp.Click(chromedp.CSS(`input[name=type][value=saml]`)))
	p.do(chromedp.WaitVisible(chromedp.ID("metadata")))
	p.do(chromedp.SendKeys(chromedp.ID("name"), "corp"), chromedp.SetValue(chromedp.ID("metadata"), e.samlMetadata(t)))
	p.screenshot("add-saml-provider")
	p.do(chromedp.Click(chromedp.CSS(`#add button[type=submit]`)))
	p.waitText("#notifications", "Provider corp added.")
	p.waitText("#metadata", "EntityDescriptor")
	p.open("/console/iam/providers")
	p.waitText("#providers", "corp")
	p.screenshot("providers")
}

// "Assign a virtual MFA device (console)": Assign MFA device, the device's
// name, Show QR code and Show secret key, two consecutive codes, Add MFA.
func TestBrowserAssignMFADevice(t *testing.T) {
	e := newEnv(t)
	e.user(t, "dev")
	p := e.page(t)
	p.signIn("test", "test")
	p.open("/console/iam/users/details/dev?tab=credentials")
	p.do(chromedp.WaitVisible(chromedp.ID("assign-mfa")), chromedp.Click(chromedp.ID("assign-mfa")))
	p.do(chromedp.WaitVisible(chromedp.ID("device")), chromedp.SendKeys(chromedp.ID("device"), "dev-phone"), chromedp.Click(chromedp.ID("next")))
	p.do(chromedp.WaitVisible(chromedp.CSS(`#qr-code img`)))
	p.do(chromedp.Click(chromedp.CSS(`#secret-key summary`)))
	p.do(chromedp.WaitVisible(chromedp.ID("seed")))
	seed := p.text("#seed")
	now := e.clock.Now()
	p.do(chromedp.SendKeys(chromedp.ID("code1"), totpAt(t, seed, now.Add(-30*time.Second))), chromedp.SendKeys(chromedp.ID("code2"), totpAt(t, seed, now)))
	p.screenshot("set-up-device")
	p.do(chromedp.Click(chromedp.ID("add-mfa")))
	p.waitText("#notifications", "MFA device dev-phone assigned.")
	p.waitText("#mfa-devices", "arn:aws:iam::"+account+":mfa/dev-phone")
	p.screenshot("mfa-assigned")
}

// The IAM pages beside Roles, in the IAM User Guide's steps: the
// Dashboard with the account alias; Policies, a customer managed policy's
// versions ("Choose the Policy versions tab. Select the check box next to
// the version ... and then choose Set as default") and the entities it is
// attached to; a user's page, from which an access key is created ("On
// the Retrieve access keys page, choose Show") and the user added to a
// group.
func TestBrowserIAMPages(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("my-team")}))(t)
	arn := e.policy(t, "s3-access", s3Read)
	must(e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(s3Write), SetAsDefault: true}))(t)
	e.user(t, "ana")
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ana"), PolicyArn: aws.String(arn)}))(t)
	must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("ana"), Password: aws.String("Temporary-pass-1")}))(t)
	e.group(t, "devs")
	p := e.page(t)
	p.signIn("test", "test")
	p.waitText("#account-alias", "my-team")

	p.do(chromedp.Click(chromedp.CSS(`nav.services a[href="/console/iam"]`)))
	p.waitText("main h1", "IAM Dashboard")
	p.waitText("#dashboard-alias", "my-team")
	p.waitText("#signin-url", "/console/signin?account=my-team")
	p.screenshot("dashboard")

	// "In the navigation pane, choose Policies. In the list of policies,
	// choose the policy name."
	p.do(chromedp.Click(chromedp.CSS(`.sidenav a[href="/console/iam/policies"]`)))
	p.do(chromedp.WaitVisible(chromedp.ID("policies")))
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("type"); s.value = "customer"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	p.waitFor(`document.querySelectorAll("#policies tr[data-policy]").length === 1`)
	p.screenshot("policies-customer")
	p.do(chromedp.Click(chromedp.CSS(`#policies a`)))
	p.waitText("#policy-document", "s3:PutObject")
	p.screenshot("policy")
	p.do(chromedp.Click(chromedp.ID("tab-versions")))
	p.do(chromedp.WaitVisible(chromedp.ID("versions")))
	p.do(chromedp.Click(chromedp.CSS(`input[name=version][value=v1]`)), chromedp.Click(chromedp.ID("set-default")))
	p.waitText("#notifications", "Version v1 is now the default version.")
	p.waitText(`#versions tr[data-version="v1"]`, "Default version")
	p.screenshot("policy-versions")
	if v := aws.ToString(must(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy.DefaultVersionId); v != "v1" {
		t.Errorf("default version %s", v)
	}
	p.do(chromedp.Click(chromedp.ID("tab-entities")))
	p.waitText("#entities", "ana")
	p.screenshot("policy-entities")

	// The user's page, from the entity.
	p.do(chromedp.Click(chromedp.CSS(`#entities a[href="/console/iam/users/details/ana"]`)))
	p.waitText("#user-name", "ana")
	p.waitText("#policies", "s3-access")
	p.screenshot("user")
	p.do(chromedp.Click(chromedp.ID("tab-credentials")))
	p.waitText("#console-password", "Enabled")
	p.screenshot("user-credentials")
	// "choose Create access key ... On the Retrieve access keys page,
	// choose Show ... choose Done."
	p.do(chromedp.Click(chromedp.ID("create-key")))
	p.waitText("main h1", "Retrieve access keys")
	p.do(chromedp.Click(chromedp.CSS(`#new-key summary`)))
	p.do(chromedp.WaitVisible(chromedp.ID("new-key-secret")))
	id := p.text("#new-key-id")
	p.screenshot("user-new-key")
	p.do(chromedp.Click(chromedp.ID("done")))
	p.waitText("#access-keys", id)
	if k := e.keysOf(t, "ana"); len(k) != 2 || k[id] != "Active" {
		t.Errorf("keys %v", k)
	}
	p.do(chromedp.Click(chromedp.ID("tab-groups")))
	p.do(chromedp.WaitVisible(chromedp.ID("other-groups")))
	p.do(chromedp.Click(chromedp.CSS(`input[name=group][value=devs]`)), chromedp.Click(chromedp.ID("add-to-groups")))
	p.waitText("#notifications", "ana added to devs.")
	p.waitText("#groups", "devs")
	p.screenshot("user-groups")
	if g := e.groupsOf(t, "ana"); !slices.Equal(g, []string{"devs"}) {
		t.Errorf("groups %v", g)
	}
}

// The Policy simulator, as "How to simulate policies" walks it: in the
// navigation pane, choose Policy simulator; choose the identity, add the
// actions (a service's, from its list) and the resource, run; then Custom
// mode with a pasted policy.
func TestBrowserPolicySimulator(t *testing.T) {
	e := newEnv(t)
	e.simUser(t)
	p := e.page(t)
	p.signIn("test", "test")
	p.do(chromedp.Click(chromedp.CSS(`nav.services a[href="/console/iam"]`)))
	p.waitText("main h1", "IAM Dashboard")
	p.do(chromedp.Click(chromedp.CSS(`.sidenav a[href="/console/iam/simulator"]`)))
	p.waitText("main h1", "Policy simulator")
	p.do(chromedp.SetValue(chromedp.ID("principal"), anaArn))
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("service"); s.value = "s3"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	p.do(chromedp.WaitVisible(chromedp.ID("service-actions")))
	p.do(chromedp.Click(chromedp.CSS(`#service-actions input[value="s3:GetObject"]`)), chromedp.Click(chromedp.CSS(`#service-actions input[value="s3:DeleteObject"]`)),
		chromedp.Click(chromedp.CSS(`#service-actions input[value="s3:PutObject"]`)),
		chromedp.SendKeys(chromedp.ID("resources"), "arn:aws:s3:::amzn-s3-demo-bucket/report.csv"))
	p.screenshot("principal-form")
	p.do(chromedp.Click(chromedp.ID("run")))
	p.waitText("#results", "Results (3)")
	p.waitText(`tbody[data-eval-action="s3:GetObject"] .decision`, "Allowed")
	p.waitText(`tbody[data-eval-action="s3:GetObject"] .statements`, "user_ana_console")
	p.waitText(`tbody[data-eval-action="s3:DeleteObject"] .decision`, "explicitDeny")
	p.waitText(`tbody[data-eval-action="s3:PutObject"] .missing`, "aws:SourceIp")
	p.screenshot("principal-results")

	// The context key the policies use, and its value.
	p.do(chromedp.Click(chromedp.ID("get-keys")))
	p.waitText("#note", "aws:SourceIp")
	p.do(chromedp.SendKeys(chromedp.ID("context_values_0"), "203.0.113.7"), chromedp.Click(chromedp.ID("run-bottom")))
	p.waitText(`tbody[data-eval-action="s3:PutObject"] .decision`, "Allowed")
	p.screenshot("context-results")

	// Custom mode: a pasted policy.
	p.do(chromedp.Click(chromedp.CSS(`input[name=mode][value=custom]`)))
	p.do(chromedp.WaitVisible(chromedp.ID("policy")))
	p.do(chromedp.SetValue(chromedp.ID("policy"), "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"),
		chromedp.Click(chromedp.ID("run")))
	p.waitText(`tbody[data-eval-action="s3:GetObject"] .decision`, "explicitDeny")
	p.waitText(`tbody[data-eval-action="s3:GetObject"] pre.statement`, `"Effect": "Deny"`)
	p.screenshot("custom-results")
}
