package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
)

// Sign-in with MFA: an IAM user with an MFA device enabled, once the
// password is right, is asked on a second page for the code the device
// shows ("If MFA is enabled for the user, they must type the MFA code",
// "Using MFA devices with your IAM sign-in page",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/console_sign-in-mfa.html).
// IAM checks it as STS does (a code is accepted once), and the session
// is then MFA-authenticated: aws:MultiFactorAuthPresent is true and
// aws:MultiFactorAuthAge counts from the sign-in, so a policy requiring
// MFA allows what the user does in the console.
//
// Until the code is right the sign-in waits in Console.pending, known to
// the browser by its own cookie, and serves no page. Wrong codes count
// against the password's throttle (throttle.go), which is passed only
// when the code is right: a right password does not buy more guesses.

// mfaWait is how long a sign-in waits for its MFA code before the
// password must be typed again (rolecall's own; AWS does not say).
const mfaWait = 5 * time.Minute

// mfaView is the MFA code page.
type mfaView struct {
	CSRF     string
	UserName string
	Account  string
	Failed   string
}

// askMFA keeps a sign-in whose password was right until its MFA code is
// typed, and sends the browser to the code's page.
func (c *Console) askMFA(w http.ResponseWriter, r *http.Request, in *PasswordSignIn, throttleKey, next string) {
	if old := c.pending.get(r); old != nil {
		c.pending.end(old)
	}
	p := c.pending.start(in.Principal, "", "")
	p.mustChange.Store(in.MustChange)
	p.next, p.throttleKey = next, throttleKey
	setCookie(w, r, signInCookie, "", -1)
	setCookie(w, r, mfaCookie, p.id, int(mfaWait.Seconds()))
	http.Redirect(w, r, Prefix+"signin/mfa", http.StatusSeeOther)
}

func (c *Console) renderMFA(w http.ResponseWriter, status int, p *session, failed string) {
	c.render(w, status, "mfa", &view{Title: "Multi-factor authentication",
		Page: &mfaView{CSRF: p.csrf, UserName: p.principal.Name, Account: p.principal.Account, Failed: failed}})
}

// mfaPage asks for the MFA code; without a sign-in waiting for one, the
// browser goes back to the sign-in page.
func (c *Console) mfaPage(w http.ResponseWriter, r *http.Request) {
	p := c.pending.get(r)
	if p == nil {
		http.Redirect(w, r, Prefix+"signin", http.StatusFound)
		return
	}
	c.renderMFA(w, http.StatusOK, p, "")
}

// mfaSignIn checks the MFA code and, when IAM accepts it, signs in.
func (c *Console) mfaSignIn(w http.ResponseWriter, r *http.Request) {
	p := c.pending.get(r)
	if p == nil || !sameToken(r.PostFormValue(csrfField), p.csrf) || !sameOrigin(r) {
		http.Error(w, msgSignInFormExpired, http.StatusForbidden)
		return
	}
	if wait := c.throttle.attempt(p.throttleKey); wait > 0 {
		c.renderMFA(w, http.StatusTooManyRequests, p, tooManyAttempts(w, wait))
		return
	}
	if err := c.cfg.Passwords.CheckMFACode(r.Context(), p.principal, strings.TrimSpace(r.PostFormValue("mfa_code"))); err != nil {
		e := awserr.As(err)
		c.renderMFA(w, max(e.Status, http.StatusBadRequest), p, e.Message)
		return
	}
	c.throttle.passed(p.throttleKey)
	c.pending.end(p)
	setCookie(w, r, mfaCookie, "", -1)
	who := *p.principal
	who.MFAAuthTime = c.cfg.Clock.Now()
	s := c.sessions.start(&who, "", "")
	s.mustChange.Store(p.mustChange.Load())
	c.signedInAs(w, r, s, p.next)
}
