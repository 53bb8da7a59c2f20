package console_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/url"
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
