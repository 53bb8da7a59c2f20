package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// A browser's GET / goes to the console; API requests to / are the API's.
func TestRouting(t *testing.T) {
	e := newEnv(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(e.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/console/" {
		t.Errorf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = noFollow.Get(e.srv.URL + "/console/iam/roles")
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/console/signin?next=") {
		t.Errorf("signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Unsigned API requests at / still get the API's answer.
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/?Action=ListRoles&Version=2010-05-08", ""},
		{"POST", "/", "Action=ListRoles&Version=2010-05-08"},
	} {
		req, _ := http.NewRequest(tc.method, e.srv.URL+tc.path, strings.NewReader(tc.body))
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Header.Get("Content-Type"), "xml") {
			t.Errorf("%s %s: %d %s, want the API's 403", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	// Signed requests work as before.
	must(e.iam.ListRoles(ctx, &iam.ListRolesInput{}))(t)
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	b := e.browser(t)
	status, body := b.get("/console/signin")
	if status != 200 {
		t.Fatalf("sign-in page: %d", status)
	}
	has(t, body, `<label for="access_key_id">Access key ID</label>`, `<label for="secret_access_key">Secret access key</label>`, ">Sign in</button>",
		`<label for="account">Account ID or alias</label>`, `<label for="user_name">IAM user name</label>`, `<label for="password">Password</label>`)

	keyID, secret := e.user(t, "dev")
	for _, tc := range []struct{ name, key, secret string }{
		{"wrong secret", "test", "nope"},
		{"unknown key", "AKIAUNKNOWNUNKNOWN00", "test"},
		{"user key, root secret", keyID, "test"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser(t)
			status, body := b.signIn(tc.key, tc.secret)
			if status != http.StatusForbidden {
				t.Errorf("status %d", status)
			}
			has(t, body, "Authentication failed", "Your authentication information is incorrect. Please try again.")
		})
	}

	// test/test is the root of the default account; a user's key is the
	// user.
	root := e.signedIn(t, "test", "test")
	_, body = root.get("/console/")
	has(t, body, "arn:aws:iam::"+account+":root", "Account ID: "+account)
	user := e.signedIn(t, keyID, secret)
	_, body = user.get("/console/")
	has(t, body, "arn:aws:iam::"+account+":user/dev")

	// Signing in from a page's redirect comes back to that page; a return
	// path off the console is dropped.
	back := e.browser(t)
	back.get("/console/iam/roles?q=app")
	_, body = back.post("/console/signin", url.Values{"method": {"key"}, "access_key_id": {"test"}, "secret_access_key": {"test"}, "next": {"/console/iam/roles?q=app"}})
	has(t, body, `id="q" name="q" type="search" placeholder="Search" value="app"`)
	away := e.browser(t)
	away.get("/console/signin")
	_, body = away.post("/console/signin", url.Values{"method": {"key"}, "access_key_id": {"test"}, "secret_access_key": {"test"}, "next": {"//evil.example/"}})
	has(t, body, "Console Home")

	// The cookie is the session's id only, HttpOnly and SameSite=Strict.
	resp, err := (&http.Client{}).Get(e.srv.URL + "/console/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console/" {
			t.Errorf("cookie %+v", c)
		}
	}

	// A key made inactive, or deleted, ends its sessions at once.
	must(e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: aws.String(keyID), Status: iamtypes.StatusTypeInactive}))(t)
	if _, body := user.get("/console/iam/roles"); !strings.Contains(body, "Access key ID") {
		t.Errorf("a session of an inactive key goes on:\n%s", mainOf(body))
	}
	if status, _ := e.browser(t).signIn(keyID, secret); status != http.StatusForbidden {
		t.Errorf("inactive key signs in: %d", status)
	}

	// Sign out ends the session: its cookie no longer signs anything in.
	old := root.hc.Jar.Cookies(mustURL(e.srv.URL + "/console/"))
	root.post("/console/signout", nil)
	if _, body := root.get("/console/"); !strings.Contains(body, "Access key ID") {
		t.Error("still signed in after signing out")
	}
	replay := e.browser(t)
	replay.hc.Jar.SetCookies(mustURL(e.srv.URL+"/console/"), old)
	if _, body := replay.get("/console/"); !strings.Contains(body, "Access key ID") {
		t.Error("the old session cookie still signs in")
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// Every form needs its session's CSRF token, and is refused from another
// origin; the sign-in form needs the token of its own cookie.
func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.role(t, "app", tasksTrust)
	b := e.signedIn(t, "test", "test")
	b.get("/console/iam/roles/details/app")
	form := url.Values{"description": {"changed"}}
	for _, tc := range []struct {
		name, token, origin string
	}{
		{"no token", "", e.srv.URL},
		{"wrong token", "AAAA", e.srv.URL},
		{"other origin", b.csrf, "https://attacker.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{"description": form["description"], "csrf": {tc.token}}
			status, body := b.postRaw("/console/iam/roles/details/app/description", f, tc.origin)
			if status != http.StatusForbidden || !strings.Contains(body, "CSRF") && tc.name != "other origin" {
				t.Errorf("status %d: %s", status, body)
			}
			if d := aws.ToString(e.getRole(t, "app").Role.Description); d != "" {
				t.Errorf("description changed to %q", d)
			}
		})
	}
	// Another session's token does not do either.
	other := e.signedIn(t, "test", "test")
	other.get("/console/")
	if status, _ := b.postRaw("/console/iam/roles/details/app/description", url.Values{"description": {"x"}, "csrf": {other.csrf}}, ""); status != http.StatusForbidden {
		t.Errorf("another session's token: %d", status)
	}
	// Sign-in: a post without the form's token is refused (login CSRF).
	fresh := e.browser(t)
	if status, _ := fresh.postRaw("/console/signin", url.Values{"access_key_id": {"test"}, "secret_access_key": {"test"}}, ""); status != http.StatusForbidden {
		t.Errorf("sign-in without the form's token: %d", status)
	}
	// Signed out, a post is refused rather than redirected.
	if status, _ := fresh.postRaw("/console/iam/roles/delete", url.Values{"role": {"app"}, "confirm": {"app"}}, ""); status != http.StatusUnauthorized {
		t.Errorf("signed-out post: %d", status)
	}
	e.getRole(t, "app")
}

// An IAM user signs in with its password (its login profile), in the
// account named by ID or alias; a password to be reset must be changed,
// through ChangePassword as the user, before anything else.
func TestPasswordSignIn(t *testing.T) {
	e := newEnv(t)
	e.user(t, "dev", "iam:ListRoles")
	must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Long-enough-1")}))(t)
	must(e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("my-team")}))(t)
	signIn := func(b *browser, account, user, password string) (int, string) {
		b.get("/console/signin")
		return b.post("/console/signin", url.Values{"method": {"password"}, "account": {account}, "user_name": {user}, "password": {password}})
	}
	for _, tc := range []struct{ name, account, user, password string }{
		{"wrong password", account, "dev", "Long-enough-2"},
		{"no such user", account, "nobody", "Long-enough-1"},
		{"unknown alias", "other-team", "dev", "Long-enough-1"},
		{"other account", "111111111111", "dev", "Long-enough-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := signIn(e.browser(t), tc.account, tc.user, tc.password)
			if status != http.StatusForbidden {
				t.Errorf("status %d", status)
			}
			has(t, body, "Authentication failed", "Your authentication information is incorrect. Please try again.")
		})
	}
	for _, acct := range []string{account, "my-team"} {
		b := e.browser(t)
		status, body := signIn(b, acct, "dev", "Long-enough-1")
		if status != 200 {
			t.Fatalf("sign in with %s: %d", acct, status)
		}
		has(t, body, "Console Home", "arn:aws:iam::"+account+":user/dev")
		// The user acts with its own permissions.
		if status, _ := b.get("/console/iam/roles"); status != 200 {
			t.Errorf("roles: %d", status)
		}
		if status, body := b.get("/console/ecs/clusters"); status != http.StatusForbidden || !strings.Contains(body, "ecs:ListClusters") {
			t.Errorf("clusters: %d", status)
		}
	}
	if u := must(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("dev")}))(t).User; u.PasswordLastUsed == nil {
		t.Error("PasswordLastUsed not recorded")
	}

	// A password to be reset: only the password page until it is changed.
	must(e.iam.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Temporary-pass-1"), PasswordResetRequired: aws.Bool(true)}))(t)
	b := e.browser(t)
	_, body := signIn(b, account, "dev", "Temporary-pass-1")
	has(t, body, "You must change your password to continue.", "Old password", "New password", "Retype new password", "Confirm password change")
	_, body = b.get("/console/iam/roles")
	has(t, body, "You must change your password to continue.")
	_, body = b.post("/console/password", url.Values{"old_password": {"Temporary-pass-1"}, "new_password": {"New-password-22"}, "confirm_password": {"New-password-2"}})
	has(t, body, "The new passwords do not match.")
	// ChangePassword is the user's own request: without iam:ChangePassword
	// (no policy lets users change their password) it is refused.
	_, body = b.post("/console/password", url.Values{"old_password": {"Temporary-pass-1"}, "new_password": {"New-password-22"}, "confirm_password": {"New-password-22"}})
	has(t, body, "You need permissions", "iam:ChangePassword")
	must(e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{AllowUsersToChangePassword: true, MinimumPasswordLength: aws.Int32(14)}))(t)
	_, body = b.post("/console/password", url.Values{"old_password": {"Temporary-pass-1"}, "new_password": {"Short-pass-1"}, "confirm_password": {"Short-pass-1"}})
	has(t, body, "PasswordPolicyViolation")
	_, body = b.post("/console/password", url.Values{"old_password": {"Temporary-pass-1"}, "new_password": {"New-password-22"}, "confirm_password": {"New-password-22"}})
	has(t, body, "Your password has been changed.", "Console Home")
	if status, _ := b.get("/console/iam/roles"); status != 200 {
		t.Errorf("roles after the change: %d", status)
	}
	if status, _ := signIn(e.browser(t), account, "dev", "New-password-22"); status != 200 {
		t.Errorf("new password: %d", status)
	}

	// An expired password under HardExpiry: no sign-in at all.
	must(e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1), HardExpiry: aws.Bool(true)}))(t)
	e.clock.Advance(48 * time.Hour)
	status, body := signIn(e.browser(t), account, "dev", "New-password-22")
	if status != http.StatusForbidden {
		t.Errorf("hard-expired: %d", status)
	}
	has(t, body, "Your password has expired")
}

// A form is read within a bound, and only as the console's forms are sent
// (URL-encoded): a multipart body, whose files Go would spool to disk, or
// a body of gigabytes, is refused before it is read, signed in or not.
func TestFormLimits(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn(t, "test", "test")
	for _, path := range []string{"/console/signin", "/console/iam/alias"} {
		big := url.Values{"csrf": {b.csrf}, "alias": {strings.Repeat("a", 3<<20)}}
		if status, body := b.postRaw(path, big, b.base); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "The form is larger than the console takes.") {
			t.Errorf("%s, 3 MiB: %d %s", path, status, body)
		}
		req, _ := http.NewRequest("POST", b.base+path, strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n"+strings.Repeat("a", 1<<20)+"\r\n--x--\r\n"))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		if status, body := b.do(req); status != http.StatusUnsupportedMediaType || !strings.Contains(body, "application/x-www-form-urlencoded") {
			t.Errorf("%s, multipart: %d %s", path, status, body)
		}
	}
	// The account has no alias: neither post did anything.
	if out := must(e.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}))(t); len(out.AccountAliases) != 0 {
		t.Errorf("aliases %v", out.AccountAliases)
	}
}

// Signing in again from a sign-in form left open (another tab) ends the
// browser's session until then: a copy of its cookie signs nothing in.
func TestSignInAgainEndsSession(t *testing.T) {
	e := newEnv(t)
	keyID, secret := e.user(t, "dev")
	b := e.browser(t)
	b.get("/console/signin")
	form := b.hc.Jar.Cookies(mustURL(e.srv.URL + "/console/"))
	tok := b.csrf
	b.post("/console/signin", url.Values{"access_key_id": {"test"}, "secret_access_key": {"test"}})
	first := b.hc.Jar.Cookies(mustURL(e.srv.URL + "/console/"))
	b.hc.Jar.SetCookies(mustURL(e.srv.URL+"/console/"), form)
	_, body := b.post("/console/signin", url.Values{"csrf": {tok}, "access_key_id": {keyID}, "secret_access_key": {secret}})
	has(t, body, "Console Home", "arn:aws:iam::"+account+":user/dev")
	replay := e.browser(t)
	replay.hc.Jar.SetCookies(mustURL(e.srv.URL+"/console/"), first)
	if _, body := replay.get("/console/"); !strings.Contains(body, "Access key ID") {
		t.Errorf("the first session goes on:\n%s", mainOf(body))
	}
}

// A password session is AWS's console session of an IAM user: it outlives
// changes to the password, even its deletion, but not its user. A user
// deleted and created again under its name (with more permissions) is
// another user: the first one's session does not act as it.
func TestPasswordSessionLifetime(t *testing.T) {
	e := newEnv(t)
	keyID, _ := e.user(t, "dev", "iam:ListRoles")
	must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Long-enough-1")}))(t)
	signIn := func() *browser {
		b := e.browser(t)
		b.get("/console/signin")
		if _, body := b.post("/console/signin", url.Values{"method": {"password"}, "account": {account}, "user_name": {"dev"}, "password": {"Long-enough-1"}}); !strings.Contains(body, "Console Home") {
			t.Fatalf("sign-in:\n%s", mainOf(body))
		}
		return b
	}
	b := signIn()
	must(e.iam.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Long-enough-2")}))(t)
	if status, _ := b.get("/console/iam/roles"); status != http.StatusOK {
		t.Errorf("after the password changed: %d", status)
	}
	must(e.iam.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("dev")}))(t)
	if status, _ := b.get("/console/iam/roles"); status != http.StatusOK {
		t.Errorf("after the password was deleted: %d", status)
	}

	must(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: aws.String(keyID)}))(t)
	must(e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("console")}))(t)
	must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("dev")}))(t)
	e.user(t, "dev", "iam:*")
	if _, body := b.get("/console/iam/roles"); !strings.Contains(body, "Access key ID") || strings.Contains(body, "Roles <span") {
		t.Errorf("the deleted user's session goes on as the new dev:\n%s", mainOf(body))
	}
	if status, body := b.post("/console/iam/roles/create", url.Values{"type": {"custom"}, "trust": {tasksTrust}, "name": {"mine"}}); status != http.StatusUnauthorized {
		t.Errorf("the deleted user's session posts: %d\n%s", status, mainOf(body))
	}
	if _, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("mine")}); err == nil {
		t.Error("the deleted user's session created a role")
	}
}

// Guessing a password is slowed down, not locked out: after five failures
// in a row for a user name, the next attempt from that address waits,
// twice as long after each further failure; an early attempt is refused
// even with the right password (it is no guess); other user names are not
// slowed, and a sign-in that passes starts again.
func TestPasswordSignInThrottle(t *testing.T) {
	e := newEnv(t)
	e.user(t, "dev")
	must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Long-enough-1")}))(t)
	b := e.browser(t)
	try := func(user, password string) (int, string) {
		b.get("/console/signin")
		return b.post("/console/signin", url.Values{"method": {"password"}, "account": {account}, "user_name": {user}, "password": {password}})
	}
	failFive := func() {
		t.Helper()
		for i := 0; i < 5; i++ {
			if status, body := try("dev", "wrong-guess-"+strconv.Itoa(i)); status != http.StatusForbidden || !strings.Contains(body, "Your authentication information is incorrect.") {
				t.Fatalf("guess %d: %d\n%s", i, status, mainOf(body))
			}
		}
	}
	failFive()
	status, body := try("DEV", "Long-enough-1")
	if status != http.StatusTooManyRequests {
		t.Errorf("sixth attempt: %d", status)
	}
	has(t, body, "Too many failed sign-in attempts for this user. Wait 1 second, then try again.")
	hasNot(t, body, "Console Home")
	if status, _ := try("other", "wrong"); status != http.StatusForbidden {
		t.Errorf("another user name: %d", status)
	}
	e.clock.Advance(time.Second)
	if status, _ := try("dev", "wrong-again"); status != http.StatusForbidden {
		t.Errorf("after the wait: %d", status)
	}
	_, body = try("dev", "Long-enough-1")
	has(t, body, "Wait 2 seconds")
	e.clock.Advance(2 * time.Second)
	_, body = try("dev", "Long-enough-1")
	has(t, body, "Console Home")
	b.post("/console/signout", nil)
	failFive()
}

// Every console answer, pages, refusals and redirects alike, forbids
// framing, foreign scripts and sniffing; none but the static files may be
// kept by a cache, least of all the page that shows a new secret key.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	e.user(t, "dev")
	b := e.signedIn(t, "test", "test")
	b.get("/console/iam/users/details/dev")
	noFollow := *b.hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	check := func(name string, req *http.Request, cache string) {
		t.Helper()
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
			"X-Frame-Options":         "DENY",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
			"Cache-Control":           cache,
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s (%d): %s %q, want %q", name, resp.StatusCode, k, got, want)
			}
		}
	}
	get := func(path string) *http.Request { r, _ := http.NewRequest("GET", e.srv.URL+path, nil); return r }
	post := func(path string, form url.Values) *http.Request {
		r, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	check("bare /", get("/"), "no-store")
	check("sign-in page", get("/console/signin"), "no-store")
	check("a page", get("/console/iam/roles"), "no-store")
	check("new access key", post("/console/iam/users/details/dev/keys", url.Values{"csrf": {b.csrf}}), "no-store")
	check("forged form", post("/console/iam/users/details/dev/keys", url.Values{"csrf": {"AAAA"}}), "no-store")
	check("static file", get("/console/static/console.js"), "max-age=3600")
}

// Guesses sent at once are counted as they come, not as they fail: of
// twenty at once, five are checked.
func TestPasswordSignInThrottleAtOnce(t *testing.T) {
	e := newEnv(t)
	e.user(t, "dev")
	must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Long-enough-1")}))(t)
	b := e.browser(t)
	b.get("/console/signin")
	tok := b.csrf
	statuses := make(chan int, 20)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"csrf": {tok}, "method": {"password"}, "account": {account}, "user_name": {"dev"}, "password": {"guess-" + strconv.Itoa(i)}}
			req, _ := http.NewRequest("POST", e.srv.URL+"/console/signin", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "rolecall-console-signin", Value: tok})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusForbidden] != 5 || count[http.StatusTooManyRequests] != 15 {
		t.Errorf("answers %v, want 5 refused guesses and 15 told to wait", count)
	}
}

// The attack the API's cross-site guard stops: a page of any site presigns
// an IAM request with the public test/test credentials and has its
// visitor's browser send it (an <img>), as the root user. An SDK sending
// the same URL is served.
func TestPresignedRequestFromAnotherSite(t *testing.T) {
	e := newEnv(t)
	presigned := func(user string) string {
		req, _ := http.NewRequest("GET", e.srv.URL+"/?Action=CreateUser&UserName="+user+"&Version=2010-05-08", nil)
		u, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req,
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "iam", "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	img, _ := http.NewRequest("GET", presigned("planted"), nil)
	img.Header.Set("Sec-Fetch-Site", "cross-site")
	img.Header.Set("Sec-Fetch-Dest", "image")
	resp, err := http.DefaultClient.Do(img)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("from another site: %d", resp.StatusCode)
	}
	if _, err := e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("planted")}); err == nil {
		t.Error("a page of another site created a user")
	}
	resp, err = http.Get(presigned("sdk"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	must(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("sdk")}))(t)
}

// TestSignInTwoTabs: opening the sign-in page in a second tab does not
// make the first tab's form stale; a forged or foreign cookie value is not
// taken as the token.
func TestSignInTwoTabs(t *testing.T) {
	e := newEnv(t)
	b := e.browser(t)
	b.get("/console/signin")
	first := b.csrf
	b.get("/console/signin")
	if b.csrf != first {
		t.Fatalf("second tab's token %q differs from the first's %q", b.csrf, first)
	}
	if status, body := b.post("/console/signin", url.Values{"csrf": {first}, "method": {"key"}, "access_key_id": {"test"}, "secret_access_key": {"test"}}); status != 200 || !strings.Contains(body, "Console Home") {
		t.Fatalf("sign in from the first tab: %d\n%s", status, body)
	}

	// A cookie that is no token of rolecall's is replaced, not echoed.
	other := e.browser(t)
	u, _ := url.Parse(e.srv.URL + "/console/signin")
	other.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "rolecall-console-signin", Value: "chosen-by-attacker", Path: "/"}})
	other.get("/console/signin")
	if other.csrf == "chosen-by-attacker" || len(other.csrf) != 43 {
		t.Fatalf("sign-in token %q", other.csrf)
	}
}
