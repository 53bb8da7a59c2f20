package console_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// totpAt is the RFC 6238 code of a base32 seed at t (HMAC-SHA1, 30-second
// steps, six digits), as an authenticator app computes it.
func totpAt(t testing.TB, seed string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(seed)
	if err != nil {
		t.Fatalf("Base32StringSeed %q: %v", seed, err)
	}
	mac := hmac.New(sha1.New, key)
	binary.Write(mac, binary.BigEndian, uint64(at.Unix()/30))
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0xf
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}

// mfaUser makes an IAM user with a password whose policy allows
// iam:ListRoles only with MFA, and, when withDevice, a virtual MFA device
// enabled for it; it answers the device's seed. The clock then stands
// one step after the enabling codes, so that the code it shows is new.
func (e *env) mfaUser(t testing.TB, name string, withDevice bool) (seed string) {
	t.Helper()
	e.user(t, name)
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("mfa"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)}))(t)
	must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String("Long-enough-1")}))(t)
	if !withDevice {
		return ""
	}
	d := must(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)}))(t).VirtualMFADevice
	seed = string(d.Base32StringSeed)
	now := e.clock.Now()
	must(e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(name), SerialNumber: d.SerialNumber,
		AuthenticationCode1: aws.String(totpAt(t, seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(totpAt(t, seed, now))}))(t)
	e.clock.Advance(30 * time.Second)
	return seed
}

func (b *browser) passwordSignIn(user, password string) (int, string) {
	b.t.Helper()
	b.get("/console/signin")
	return b.post("/console/signin", url.Values{"method": {"password"}, "account": {account}, "user_name": {user}, "password": {password}})
}

func TestMFASignIn(t *testing.T) {
	e := newEnv(t)
	seed := e.mfaUser(t, "dev", true)
	b := e.browser(t)
	status, body := b.passwordSignIn("dev", "Long-enough-1")
	if status != 200 {
		t.Fatalf("password: %d", status)
	}
	has(t, body, "<h1>Multi-factor authentication</h1>", `<label for="mfa_code">MFA code</label>`, `>Submit</button>`, "<strong>dev</strong> (account "+account+")")
	hasNot(t, body, "Console Home")
	// Until the code is typed, nothing is signed in.
	if _, body := b.get("/console/iam/roles"); !strings.Contains(body, `<h1>Sign in</h1>`) {
		t.Errorf("roles before the MFA code:\n%s", mainOf(body))
	}
	if _, body := b.get("/console/signin/mfa"); !strings.Contains(body, "MFA code") {
		t.Fatalf("the MFA page again:\n%s", mainOf(body))
	}

	// Without the form's CSRF token, with a wrong one, or from another
	// origin, the code is not even looked at.
	for _, forged := range []struct{ token, origin string }{{"", b.base}, {"AAAA", b.base}, {b.csrf, "https://evil.example"}} {
		status, body = b.postRaw("/console/signin/mfa", url.Values{"csrf": {forged.token}, "mfa_code": {totpAt(t, seed, e.clock.Now())}}, forged.origin)
		if status != http.StatusForbidden {
			t.Errorf("forged %+v: %d", forged, status)
		}
		has(t, body, "The sign-in form has expired or was not sent from this console: open the sign-in page again.")
	}

	status, body = b.post("/console/signin/mfa", url.Values{"mfa_code": {wrongCode(t, seed, e.clock.Now())}})
	if status != http.StatusForbidden {
		t.Errorf("wrong code: %d", status)
	}
	has(t, body, "Authentication failed", "Your authentication information is incorrect. Please try again.", "MFA code")

	code := totpAt(t, seed, e.clock.Now())
	status, body = b.post("/console/signin/mfa", url.Values{"mfa_code": {code}})
	if status != 200 {
		t.Fatalf("right code: %d\n%s", status, mainOf(body))
	}
	has(t, body, "Console Home", "arn:aws:iam::"+account+":user/dev")
	// The session is MFA-authenticated: the policy's condition holds.
	if status, body := b.get("/console/iam/roles"); status != 200 {
		t.Errorf("roles with MFA: %d\n%s", status, mainOf(body))
	}
	if _, body := b.get("/console/signin/mfa"); !strings.Contains(body, "<h1>Sign in</h1>") && !strings.Contains(body, "Console Home") {
		t.Errorf("the MFA page after signing in:\n%s", mainOf(body))
	}

	// A code is accepted once.
	other := e.browser(t)
	other.passwordSignIn("dev", "Long-enough-1")
	status, body = other.post("/console/signin/mfa", url.Values{"mfa_code": {code}})
	if status != http.StatusForbidden {
		t.Errorf("the same code again: %d", status)
	}
	has(t, body, "Your authentication information is incorrect. Please try again.")
}

// A user without an MFA device signs in with the password alone, and a
// policy requiring MFA denies it, with the console's permission message.
func TestMFASignInWithoutDevice(t *testing.T) {
	e := newEnv(t)
	e.mfaUser(t, "plain", false)
	b := e.browser(t)
	_, body := b.passwordSignIn("plain", "Long-enough-1")
	has(t, body, "Console Home")
	status, body := b.get("/console/iam/roles")
	if status != http.StatusForbidden {
		t.Errorf("roles without MFA: %d", status)
	}
	has(t, body, "You need permissions", "User: arn:aws:iam::"+account+":user/plain is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::"+account+":role/")
}

// Wrong codes are slowed down like wrong passwords, and a right password
// in between does not start the count again.
func TestMFASignInThrottle(t *testing.T) {
	e := newEnv(t)
	seed := e.mfaUser(t, "dev", true)
	b := e.browser(t)
	b.passwordSignIn("dev", "Long-enough-1")
	for i := 0; i < 3; i++ {
		if status, _ := b.post("/console/signin/mfa", url.Values{"mfa_code": {wrongCode(t, seed, e.clock.Now())}}); status != http.StatusForbidden {
			t.Fatalf("guess %d: %d", i, status)
		}
	}
	// The password again, right: the fifth attempt that has not passed
	// (a right password counts until its code is right), and the next
	// one waits.
	if _, body := b.passwordSignIn("dev", "Long-enough-1"); !strings.Contains(body, "MFA code") {
		t.Fatalf("password again:\n%s", mainOf(body))
	}
	status, body := b.post("/console/signin/mfa", url.Values{"mfa_code": {totpAt(t, seed, e.clock.Now())}})
	if status != http.StatusTooManyRequests {
		t.Errorf("sixth attempt: %d", status)
	}
	has(t, body, "Too many failed sign-in attempts for this user. Wait 1 second, then try again.")
	e.clock.Advance(time.Second)
	_, body = b.post("/console/signin/mfa", url.Values{"mfa_code": {totpAt(t, seed, e.clock.Now())}})
	has(t, body, "Console Home")
}

// wrongCode is a code the device shows at no step near at.
func wrongCode(t testing.TB, seed string, at time.Time) string {
	t.Helper()
	near := map[string]bool{}
	for d := -30; d <= 30; d++ {
		near[totpAt(t, seed, at.Add(time.Duration(d)*30*time.Second))] = true
	}
	for i := 0; ; i++ {
		if c := fmt.Sprintf("%06d", i*7919%1000000); !near[c] {
			return c
		}
	}
}

var seedRE = regexp.MustCompile(`<code id="seed">([A-Z2-7]+)</code>`)

// "Assign MFA device" on a user's Security credentials tab: the device
// named, its QR code and secret key shown, two consecutive codes; the
// user then signs in with MFA; Remove deactivates and deletes it.
func TestAssignMFADevice(t *testing.T) {
	e := newEnv(t)
	e.mfaUser(t, "dev", false)
	b := e.signedIn(t, "test", "test")
	_, body := b.get("/console/iam/users/details/dev?tab=credentials")
	has(t, body, "Multi-factor authentication (MFA) (0)", "Assign MFA device", "No MFA devices.")
	_, body = b.get("/console/iam/users/details/dev/mfa")
	has(t, body, "Select MFA device", `<label for="device">Device name</label>`, "Authenticator app")

	_, body = b.post("/console/iam/users/details/dev/mfa", url.Values{"device": {"dev-phone"}})
	has(t, body, "Set up device", `<img src="data:image/png;base64,iVBORw0KGgo`, "Show QR code", "Show secret key", "MFA code 1", "MFA code 2", "Add MFA")
	m := seedRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret key:\n%s", mainOf(body))
	}
	seed, serial := m[1], "arn:aws:iam::"+account+":mfa/dev-phone"
	form := func(code1, code2 string) url.Values {
		f := url.Values{"device": {"dev-phone"}, "serial": {serial}, "seed": {seed}, "code1": {code1}, "code2": {code2}}
		for _, in := range regexp.MustCompile(`name="qr" value="([^"]*)"`).FindAllStringSubmatch(body, 1) {
			f.Set("qr", html.UnescapeString(in[1]))
		}
		return f
	}
	now := e.clock.Now()
	status, page := b.post("/console/iam/users/details/dev/mfa/enable", form(wrongCode(t, seed, now), wrongCode(t, seed, now)))
	if status != http.StatusForbidden && status != http.StatusBadRequest {
		t.Errorf("wrong codes: %d", status)
	}
	has(t, page, "InvalidAuthenticationCode", `<img src="data:image/png;base64,iVBORw0KGgo`, seed)
	// Only a base64 QR code goes back into the page's img.
	f := form("1", "2")
	f.Set("qr", `"><script>alert(1)</script>`)
	_, page = b.post("/console/iam/users/details/dev/mfa/enable", f)
	if strings.Contains(page, "<script>") || strings.Contains(page, `<img src="data:`) {
		t.Errorf("a forged QR code in the page:\n%s", mainOf(page))
	}

	_, page = b.post("/console/iam/users/details/dev/mfa/enable", form(totpAt(t, seed, now.Add(-30*time.Second)), totpAt(t, seed, now)))
	has(t, page, "MFA device dev-phone assigned.", "Multi-factor authentication (MFA) (1)", "<code>"+serial+"</code>")

	// The user now signs in with the device's code.
	e.clock.Advance(30 * time.Second)
	dev := e.browser(t)
	if _, body := dev.passwordSignIn("dev", "Long-enough-1"); !strings.Contains(body, "MFA code") {
		t.Fatalf("password:\n%s", mainOf(body))
	}
	_, body = dev.post("/console/signin/mfa", url.Values{"mfa_code": {totpAt(t, seed, e.clock.Now())}})
	has(t, body, "Console Home")

	b.refusesForgery("/console/iam/users/details/dev/mfa/remove", url.Values{"serial": {serial}})
	_, page = b.post("/console/iam/users/details/dev/mfa/remove", url.Values{"serial": {serial}})
	has(t, page, "MFA device "+serial+" removed.", "No MFA devices.")
	if out := must(e.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{}))(t); len(out.VirtualMFADevices) != 0 {
		t.Errorf("virtual devices left: %d", len(out.VirtualMFADevices))
	}
}

// A user without the permissions sees the console's message with the
// action and resource; forged forms create nothing.
func TestAssignMFADeviceDenied(t *testing.T) {
	e := newEnv(t)
	keyID, secret := e.user(t, "viewer", "iam:GetUser", "iam:ListAccessKeys", "iam:GetLoginProfile")
	b := e.signedIn(t, keyID, secret)
	_, body := b.get("/console/iam/users/details/viewer?tab=credentials")
	has(t, body, "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:ListMFADevices on resource: user viewer",
		`<dd class="action">iam:ListMFADevices</dd><dt>Resource</dt><dd>arn:aws:iam::`+account+`:user/viewer</dd>`)
	b.get("/console/iam/users/details/viewer/mfa")
	b.refusesForgery("/console/iam/users/details/viewer/mfa", url.Values{"device": {"phone"}})
	status, body := b.post("/console/iam/users/details/viewer/mfa", url.Values{"device": {"phone"}})
	if status != http.StatusForbidden {
		t.Errorf("create: %d", status)
	}
	has(t, body, "You need permissions", "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:CreateVirtualMFADevice on resource: arn:aws:iam::"+account+":mfa/phone")
	if out := must(e.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{}))(t); len(out.VirtualMFADevices) != 0 {
		t.Errorf("virtual devices: %d", len(out.VirtualMFADevices))
	}
}
