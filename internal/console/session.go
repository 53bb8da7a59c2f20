package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
)

// Cookie names. The session cookie holds only a random id: the session
// (principal, credentials, CSRF token) stays in the server's memory.
const (
	sessionCookie = "rolecall-console"
	signInCookie  = "rolecall-console-signin" // the sign-in form's CSRF token, before there is a session
	mfaCookie     = "rolecall-console-mfa"    // a password sign-in waiting for its MFA code (mfa.go)
	csrfField     = "csrf"
)

// maxSessions bounds the sessions kept; past it the oldest is dropped.
const maxSessions = 10000

// session is one browser's sign-in.
type session struct {
	id, csrf string
	expires  time.Time

	// How the session signed in: an access key and its secret, checked
	// again on every request (a key deleted or made inactive ends the
	// session at once), or an IAM user's password, checked once. A
	// password session is what AWS's console session of an IAM user is,
	// temporary credentials: it lasts its 12 hours whatever becomes of the
	// password (changed, deleted: "Temporary security credentials are
	// valid until they expire ... Permissions assigned to temporary
	// security credentials are evaluated each time they are used",
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html),
	// and ends once its user is gone (deleted, or deleted and created
	// again under its name), whose permissions it had.
	accessKey, secret string
	principal         *principal.Principal
	// mustChange: a password sign-in whose user must choose a new password
	// first; nothing else is served until it has.
	mustChange atomic.Bool
	// A password sign-in waiting for its MFA code (Console.pending, never
	// a session that pages serve): where to go once signed in, and the
	// throttle's key for its guesses.
	next, throttleKey string

	mu    sync.Mutex
	notes []*note // deletion tasks being followed (deletion.go)
	// alias is the account's alias for the page header, once read
	// (aliasRead) by the session's principal (dashboard.go).
	alias     string
	aliasRead bool
	flash     []flash // one-time messages for the next page
	nextID    int
}

// flash is a one-time message: what a form did, or why it did not.
type flash struct {
	Kind   string // "success" or "error"
	Text   string
	Denied *denial // a refused request, shown in the console's words
}

func (s *session) addFlash(f flash) {
	s.mu.Lock()
	s.flash = append(s.flash, f)
	s.mu.Unlock()
}

func (s *session) takeFlash() []flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flash
	s.flash = nil
	return f
}

// sessions keeps the console's sessions in memory: a restart signs every
// browser out, as it should (nothing of a session is on disk).
type sessions struct {
	cookie   string // the cookie that holds a session's id
	clock    ids.Clock
	lifetime time.Duration
	mu       sync.Mutex
	byID     map[string]*session
}

func newSessions(cookie string, clock ids.Clock, lifetime time.Duration) *sessions {
	return &sessions{cookie: cookie, clock: clock, lifetime: lifetime, byID: map[string]*session{}}
}

// token is 32 random bytes, URL-safe: a session id or a CSRF token.
func token() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("console: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// wellFormedToken reports whether s has the form of a token().
func wellFormedToken(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

// start makes a session for p.
func (ss *sessions) start(p *principal.Principal, accessKey, secret string) *session {
	s := &session{id: token(), csrf: token(), expires: ss.clock.Now().Add(ss.lifetime), principal: p, accessKey: accessKey, secret: secret}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	now := ss.clock.Now()
	if len(ss.byID) >= maxSessions {
		var oldest *session
		for _, o := range ss.byID {
			if !now.Before(o.expires) {
				delete(ss.byID, o.id)
				continue
			}
			if oldest == nil || o.expires.Before(oldest.expires) {
				oldest = o
			}
		}
		if len(ss.byID) >= maxSessions && oldest != nil {
			delete(ss.byID, oldest.id)
		}
	}
	ss.byID[s.id] = s
	return s
}

// get returns r's live session, or nil.
func (ss *sessions) get(r *http.Request) *session {
	ck, err := r.Cookie(ss.cookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.byID[ck.Value]
	if s == nil {
		return nil
	}
	if !ss.clock.Now().Before(s.expires) {
		delete(ss.byID, s.id)
		return nil
	}
	return s
}

func (ss *sessions) end(s *session) {
	ss.mu.Lock()
	delete(ss.byID, s.id)
	ss.mu.Unlock()
}

// setCookie sets a console cookie: HttpOnly, SameSite=Strict (a page of
// another site cannot make the browser send it), Secure over TLS, for the
// console's paths only; maxAge < 0 deletes it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

// sameToken compares a submitted CSRF token with the expected one in
// constant time; an empty expected token matches nothing.
func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sameOrigin rejects a form posted from another origin, when the browser
// says where it came from (every current browser sends Origin on POST):
// a second guard beside the CSRF token and the SameSite cookie.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host != "" && u.Host == r.Host
}
