package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
)

// msgSignInFormExpired refuses a sign-in form posted without its CSRF
// token, from another origin, or too late.
const msgSignInFormExpired = "The sign-in form has expired or was not sent from this console: open the sign-in page again."

// signInView is the sign-in page.
type signInView struct {
	CSRF      string
	Account   string
	Passwords bool // password sign-in is offered
	// Failed is the answer to a sign-in that failed ("Authentication
	// failed" and AWS's text), and the values to keep in the form.
	Failed                    string
	AccessKeyID, AccountAlias string
	UserName                  string
	Next                      string
}

// signInPage shows the sign-in form. It sets the form's CSRF token in a
// cookie of its own, which the post must match: nobody can sign a browser
// in as someone else (login CSRF) before there is a session.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	if s := c.sessions.get(r); s != nil {
		http.Redirect(w, r, Prefix, http.StatusFound)
		return
	}
	// A token already set is kept, so that a second tab's form does not
	// make the first one's stale; its lifetime starts again.
	tok := token()
	if ck, err := r.Cookie(signInCookie); err == nil && wellFormedToken(ck.Value) {
		tok = ck.Value
	}
	setCookie(w, r, signInCookie, tok, 600)
	// ?account= fills the account in, as an account's own sign-in URL does
	// (the Dashboard's "Sign-in URL for IAM users in this account").
	c.renderSignIn(w, http.StatusOK, &signInView{CSRF: tok, Account: c.cfg.Account, Passwords: c.cfg.Passwords != nil, Next: safeNext(r.URL.Query().Get("next")),
		AccountAlias: strings.TrimSpace(r.URL.Query().Get("account"))})
}

func (c *Console) renderSignIn(w http.ResponseWriter, status int, sv *signInView) {
	c.render(w, status, "signin", &view{Title: "Sign in", Page: sv})
}

// signIn signs in with an access key (test/test is the default account's
// root, an IAM user's key is that user) or, when offered, an IAM user's
// password.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(signInCookie)
	if err != nil || !sameToken(r.PostFormValue(csrfField), ck.Value) || !sameOrigin(r) {
		http.Error(w, msgSignInFormExpired, http.StatusForbidden)
		return
	}
	f := r.PostForm
	sv := &signInView{CSRF: ck.Value, Account: c.cfg.Account, Passwords: c.cfg.Passwords != nil, Next: safeNext(f.Get("next")),
		AccessKeyID: strings.TrimSpace(f.Get("access_key_id")), UserName: strings.TrimSpace(f.Get("user_name")), AccountAlias: strings.TrimSpace(f.Get("account"))}
	var s *session
	switch {
	case f.Get("method") == "password" && c.cfg.Passwords != nil:
		key := throttleKey(r, sv.UserName)
		if wait := c.throttle.attempt(key); wait > 0 {
			sv.Failed = tooManyAttempts(w, wait)
			c.renderSignIn(w, http.StatusTooManyRequests, sv)
			return
		}
		in, err := c.cfg.Passwords.PasswordSignIn(r.Context(), sv.AccountAlias, sv.UserName, f.Get("password"))
		if err != nil {
			e := awserr.As(err)
			sv.Failed = e.Message
			c.renderSignIn(w, max(e.Status, http.StatusBadRequest), sv)
			return
		}
		if in.MFA {
			c.askMFA(w, r, in, key, sv.Next)
			return
		}
		c.throttle.passed(key)
		s = c.sessions.start(in.Principal, "", "")
		s.mustChange.Store(in.MustChange)
	default:
		secret := f.Get("secret_access_key")
		p, aerr := c.cfg.Keys.SignIn(r.Context(), sv.AccessKeyID, secret)
		if aerr != nil {
			sv.Failed = aerr.Message
			c.renderSignIn(w, http.StatusForbidden, sv)
			return
		}
		s = c.sessions.start(p, sv.AccessKeyID, secret)
	}
	c.signedInAs(w, r, s, sv.Next)
}

// signedInAs gives the browser its new session s and sends it on to next.
func (c *Console) signedInAs(w http.ResponseWriter, r *http.Request, s *session, next string) {
	// The browser's session until now (a sign-in form left open in
	// another tab) ends: its cookie is replaced, and no one else may go on
	// with it.
	if old := c.sessions.get(r); old != nil {
		c.sessions.end(old)
	}
	setCookie(w, r, signInCookie, "", -1)
	setCookie(w, r, sessionCookie, s.id, int(c.cfg.Session.Seconds()))
	if next == "" {
		next = Prefix
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// tooManyAttempts is the answer to a sign-in attempt the throttle holds
// back for wait, its Retry-After set.
func tooManyAttempts(w http.ResponseWriter, wait time.Duration) string {
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return "Too many failed sign-in attempts for this user. Wait " + plural(secs, "second") + ", then try again."
}

// safeNext keeps a return path only if it is one of the console's own.
func safeNext(p string) string {
	if strings.HasPrefix(p, Prefix) && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n") {
		return p
	}
	return ""
}

func (c *Console) signOut(q *req) {
	c.sessions.end(q.s)
	setCookie(q.w, q.r, sessionCookie, "", -1)
	http.Redirect(q.w, q.r, Prefix+"signin", http.StatusSeeOther)
}

// signedIn runs h for the request's session: without one (or with an
// expired one, or one whose access key no longer signs in, or whose user is
// gone) the browser goes to the sign-in page; a form posted without the
// session's CSRF token, or from another origin, is refused.
func (c *Console) signedIn(h func(q *req)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := c.sessions.get(r)
		var p *principal.Principal
		if s != nil {
			if p = c.current(r, s); p == nil {
				c.sessions.end(s)
				s = nil
			}
		}
		if s == nil {
			if r.Method != http.MethodGet {
				http.Error(w, "You are signed out: sign in again.", http.StatusUnauthorized)
				return
			}
			setCookie(w, r, sessionCookie, "", -1)
			http.Redirect(w, r, Prefix+"signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
			return
		}
		if r.Method == http.MethodPost && (!sameToken(r.PostFormValue(csrfField), s.csrf) || !sameOrigin(r)) {
			http.Error(w, "The form was not sent from this console session (its CSRF token does not match): reload the page and try again.", http.StatusForbidden)
			return
		}
		if s.mustChange.Load() && r.URL.Path != Prefix+"password" && r.URL.Path != Prefix+"signout" {
			http.Redirect(w, r, Prefix+"password", http.StatusSeeOther)
			return
		}
		h(&req{c: c, w: w, r: r, s: s, p: p})
	})
}

// current is the principal a session acts as now; nil when the session is
// over (see session.accessKey).
func (c *Console) current(r *http.Request, s *session) *principal.Principal {
	switch {
	case s.accessKey != "":
		// The key is checked again: deleted, made inactive, or its user
		// gone, the session ends; the principal is as it is now (a user
		// renamed has another ARN).
		p, err := c.cfg.Keys.SignIn(r.Context(), s.accessKey, s.secret)
		if err != nil {
			return nil
		}
		return p
	case s.principal.Kind == principal.User && c.cfg.Passwords != nil:
		if ok, err := c.cfg.Passwords.UserExists(r.Context(), s.principal); err != nil || !ok {
			return nil
		}
	}
	return s.principal
}

// Changing one's password: "Old password", "New password", "Retype new
// password", "Confirm password change" (the AWS console's page, as the IAM
// User Guide's "Change your own IAM user password" procedure words it,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_user-change-own.html).
// It is ChangePassword as the user, so that the account's password policy
// and the user's permission decide; a user whose password must be changed
// sees only this page until it is.

type passwordView struct {
	Required bool
	Failed   *failure
	Mismatch bool
}

func (c *Console) passwordPage(q *req) {
	v := q.view("Change password", "home")
	v.Page = &passwordView{Required: q.s.mustChange.Load()}
	q.page("password", v, nil)
}

func (c *Console) changePassword(q *req) {
	f := q.r.PostForm
	pv := &passwordView{Required: q.s.mustChange.Load()}
	if f.Get("new_password") != f.Get("confirm_password") {
		pv.Mismatch = true
		v := q.view("Change password", "home")
		v.Page = pv
		c.render(q.w, http.StatusBadRequest, "password", v)
		return
	}
	if _, fail := q.iam("ChangePassword", url.Values{"OldPassword": {f.Get("old_password")}, "NewPassword": {f.Get("new_password")}}); fail != nil {
		pv.Failed = fail
		v := q.view("Change password", "home")
		v.Page = pv
		c.render(q.w, failureStatus(fail), "password", v)
		return
	}
	q.s.mustChange.Store(false)
	q.done(Prefix, "Your password has been changed.")
}

// homeView is the console's home page.
type homeView struct {
	Kind string // root, user, assumed-role
}

func (c *Console) home(q *req) {
	v := q.view("Console Home", "home")
	v.Page = &homeView{Kind: q.p.Kind.String()}
	q.page("home", v, nil)
}
