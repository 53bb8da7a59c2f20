// Package console is rolecall's web console: server-rendered pages (no
// JavaScript needed; a small embedded script only polls and auto-submits)
// on which the procedures of the IAM and ECS documentation that say
// "(console)" can be followed, for the principal signed in.
//
// Every page and form acts through the API: it runs the operation the AWS
// console would call (ListRoles, UpdateRoleDescription,
// DeleteServiceLinkedRole, DescribeTasks...) through the server's own
// operation bindings (API, internal/server's Handler.Call), so that the one
// authorizer decides on the stored resources, records the decision and
// answers AWS's error, exactly as for a signed request. The console itself
// decides nothing about permissions: it shows what the API answered, a
// denial in the console's words (denied.go).
//
// The console knows the domains' output types (internal/iam's, the ECS wire
// shapes) only to show them; it reads outputs by their AWS member names,
// as the protocol codecs do.
package console

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
)

// Prefix is where the console's pages are (internal/server routes them
// here, and a browser's bare GET /).
const Prefix = "/console/"

// API runs an AWS operation for a principal as a signed request for it
// would run (internal/server's Handler.Call): params are url.Values for
// query services (IAM), or a value marshalled to the JSON body (ECS). It
// answers the operation's output, and the id its decisions are recorded
// under.
type API interface {
	Call(r *http.Request, p *principal.Principal, service, region, operation string, params any) (out any, requestID string, err error)
}

// Keys signs in with an access key and its secret (internal/auth's
// Authenticator.SignIn): the principal a request signed with them acts as.
type Keys interface {
	SignIn(ctx context.Context, accessKeyID, secret string) (*principal.Principal, *awserr.Error)
}

// Passwords signs an IAM user in with the console password of its login
// profile, in the account named by its ID or alias (internal/iam's
// CheckPassword, wired by internal/app). Failures are the answers to show
// (an *awserr.Error).
type Passwords interface {
	PasswordSignIn(ctx context.Context, accountOrAlias, userName, password string) (*PasswordSignIn, error)
	// UserExists says whether the IAM user p signed in as is still there:
	// a user of its name with its unique ID (not deleted, nor deleted and
	// created again).
	UserExists(ctx context.Context, p *principal.Principal) (bool, error)
	// CheckMFACode checks a code of p's MFA device (PasswordSignIn.MFA),
	// with STS's check: a code is accepted once. A wrong one is the
	// answer to show.
	CheckMFACode(ctx context.Context, p *principal.Principal, code string) error
}

// PasswordSignIn is a password sign-in that passed.
type PasswordSignIn struct {
	Principal *principal.Principal
	// MustChange: the user must choose a new password before anything
	// else (an administrator required it, or it has expired).
	MustChange bool
	// MFA: the user has an MFA device enabled, whose code the sign-in
	// asks for next (mfa.go).
	MFA bool
}

// Decisions finds the authorizer's record of a request's decision
// (internal/authz's AuditLog), to name the action and resource of a denial.
type Decisions interface {
	Get(requestID string) (*authz.Record, bool)
}

// Config is what a Console is built from.
type Config struct {
	// API runs the operations; it must be set before the console serves.
	API  API
	Keys Keys
	// Passwords, if set, lets IAM users sign in with their password.
	Passwords Passwords
	// Decisions, if set, names the action and resource of denials.
	Decisions Decisions
	Clock     ids.Clock     // default the system clock
	Log       *slog.Logger  // default discards
	Account   string        // the default account, shown on the sign-in page
	Session   time.Duration // how long a sign-in lasts; default DefaultSession
}

// DefaultSession is how long a console sign-in lasts: 12 hours, as an IAM
// user's AWS Management Console session ("Sessions last 12 hours", AWS
// Sign-In User Guide, https://docs.aws.amazon.com/signin/latest/userguide/).
const DefaultSession = 12 * time.Hour

// Console serves the web console.
type Console struct {
	cfg      Config
	mux      *http.ServeMux
	sessions *sessions
	pending  *sessions // password sign-ins waiting for their MFA code (mfa.go)
	throttle *throttle // of password sign-ins
	trusted  trustCache
}

//go:embed static
var static embed.FS

// New builds the console.
func New(c Config) *Console {
	if c.Clock == nil {
		c.Clock = ids.SystemClock{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Session <= 0 {
		c.Session = DefaultSession
	}
	con := &Console{cfg: c, mux: http.NewServeMux(), sessions: newSessions(sessionCookie, c.Clock, c.Session), pending: newSessions(mfaCookie, c.Clock, mfaWait), throttle: newThrottle(c.Clock)}
	con.routes()
	return con
}

// SetAPI sets what runs the operations, for wiring where the API is built
// after the console (the server serves both).
func (c *Console) SetAPI(a API) { c.cfg.API = a }

func (c *Console) routes() {
	m := c.mux
	sub, _ := fs.Sub(static, "static")
	files := http.StripPrefix(Prefix+"static/", http.FileServerFS(sub))
	m.Handle("GET "+Prefix+"static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // files only, no listing
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "max-age=3600")
		files.ServeHTTP(w, r)
	}))
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, Prefix, http.StatusFound) })
	m.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, Prefix, http.StatusFound) })
	m.HandleFunc("GET "+Prefix+"signin", c.signInPage)
	m.HandleFunc("POST "+Prefix+"signin", c.signIn)
	m.HandleFunc("GET "+Prefix+"signin/mfa", c.mfaPage)
	m.HandleFunc("POST "+Prefix+"signin/mfa", c.mfaSignIn)
	m.Handle("POST "+Prefix+"signout", c.signedIn(c.signOut))
	m.Handle("GET "+Prefix+"password", c.signedIn(c.passwordPage))
	m.Handle("POST "+Prefix+"password", c.signedIn(c.changePassword))
	m.Handle("GET "+Prefix+"{$}", c.signedIn(c.home))

	// IAM: the Dashboard (dashboard.go), roles (roles.go, role.go,
	// create.go, deletion.go).
	m.Handle("GET "+Prefix+"iam", c.signedIn(c.dashboardPage))
	m.Handle("POST "+Prefix+"iam/alias", c.signedIn(c.createAlias))
	m.Handle("POST "+Prefix+"iam/alias/delete", c.signedIn(c.deleteAlias))
	m.Handle("GET "+Prefix+"iam/roles", c.signedIn(c.rolesPage))
	m.Handle("GET "+Prefix+"iam/roles/create", c.signedIn(c.createRolePage))
	m.Handle("POST "+Prefix+"iam/roles/create", c.signedIn(c.createRole))
	m.Handle("GET "+Prefix+"iam/roles/delete", c.signedIn(c.deleteRolePage))
	m.Handle("POST "+Prefix+"iam/roles/delete", c.signedIn(c.deleteRole))
	m.Handle("GET "+Prefix+"iam/roles/details/{name}", c.signedIn(c.rolePage))
	m.Handle("GET "+Prefix+"iam/roles/details/{name}/description", c.signedIn(c.descriptionPage))
	m.Handle("POST "+Prefix+"iam/roles/details/{name}/description", c.signedIn(c.updateDescription))
	m.Handle("GET "+Prefix+"iam/roles/details/{name}/trust", c.signedIn(c.trustPage))
	m.Handle("POST "+Prefix+"iam/roles/details/{name}/trust", c.signedIn(c.updateTrust))
	m.Handle("POST "+Prefix+"iam/roles/details/{name}/tags", c.signedIn(c.tagRole))
	m.Handle("POST "+Prefix+"iam/roles/details/{name}/tags/remove", c.signedIn(c.untagRole))
	m.Handle("GET "+Prefix+"iam/roles/details/{name}/attach", c.signedIn(c.attachPage))
	m.Handle("POST "+Prefix+"iam/roles/details/{name}/attach", c.signedIn(c.attachPolicies))
	m.Handle("POST "+Prefix+"iam/roles/details/{name}/detach", c.signedIn(c.detachPolicy))
	m.Handle("GET "+Prefix+"iam/roles/details/{name}/inline", c.signedIn(c.inlinePage))
	m.Handle("POST "+Prefix+"iam/roles/details/{name}/inline", c.signedIn(c.putInline))
	m.Handle("POST "+Prefix+"iam/roles/details/{name}/inline/delete", c.signedIn(c.deleteInline))
	// IAM policies (policies.go).
	m.Handle("GET "+Prefix+"iam/policies", c.signedIn(c.policiesPage))
	m.Handle("GET "+Prefix+"iam/policies/details/{arn...}", c.signedIn(c.policyPage))
	m.Handle("POST "+Prefix+"iam/policies/default", c.signedIn(c.setDefaultVersion))
	// IAM users and user groups (users.go, groups.go).
	m.Handle("GET "+Prefix+"iam/users", c.signedIn(c.usersPage))
	m.Handle("GET "+Prefix+"iam/users/details/{name}", c.signedIn(c.userPage))
	m.Handle("POST "+Prefix+"iam/users/details/{name}/keys", c.signedIn(c.createAccessKey))
	m.Handle("POST "+Prefix+"iam/users/details/{name}/keys/status", c.signedIn(c.keyStatus))
	m.Handle("POST "+Prefix+"iam/users/details/{name}/keys/delete", c.signedIn(c.deleteAccessKey))
	m.Handle("GET "+Prefix+"iam/users/details/{name}/mfa", c.signedIn(c.assignMFAPage))
	m.Handle("POST "+Prefix+"iam/users/details/{name}/mfa", c.signedIn(c.createMFADevice))
	m.Handle("POST "+Prefix+"iam/users/details/{name}/mfa/enable", c.signedIn(c.enableMFADevice))
	m.Handle("POST "+Prefix+"iam/users/details/{name}/mfa/remove", c.signedIn(c.removeMFADevice))
	m.Handle("POST "+Prefix+"iam/users/details/{name}/groups", c.signedIn(c.addUserToGroups))
	m.Handle("POST "+Prefix+"iam/users/details/{name}/groups/remove", c.signedIn(c.removeUserFromGroups))
	m.Handle("GET "+Prefix+"iam/providers", c.signedIn(c.providersPage))
	m.Handle("GET "+Prefix+"iam/providers/create", c.signedIn(c.addProviderPage))
	m.Handle("POST "+Prefix+"iam/providers/create", c.signedIn(c.addProvider))
	m.Handle("GET "+Prefix+"iam/providers/details", c.signedIn(c.providerPage))
	m.Handle("POST "+Prefix+"iam/providers/delete", c.signedIn(c.deleteProvider))
	m.Handle("GET "+Prefix+"iam/groups", c.signedIn(c.groupsPage))
	m.Handle("GET "+Prefix+"iam/groups/details/{name}", c.signedIn(c.groupPage))
	m.Handle("GET "+Prefix+"iam/groups/details/{name}/users", c.signedIn(c.addUsersPage))
	m.Handle("POST "+Prefix+"iam/groups/details/{name}/users", c.signedIn(c.addUsers))
	m.Handle("POST "+Prefix+"iam/groups/details/{name}/users/remove", c.signedIn(c.removeUsers))
	// The IAM policy simulator (simulator.go).
	m.Handle("GET "+Prefix+"iam/simulator", c.signedIn(c.simulatorPage))
	m.Handle("POST "+Prefix+"iam/simulator", c.signedIn(c.simulate))
	m.Handle("GET "+Prefix+"notifications/{id}", c.signedIn(c.notificationFragment))
	m.Handle("POST "+Prefix+"notifications/{id}/dismiss", c.signedIn(c.dismissNotification))

	// ECS (ecs.go, infrastructure.go, service.go, rolecheck.go).
	m.Handle("GET "+Prefix+"ecs/clusters", c.signedIn(c.clustersPage))
	m.Handle("GET "+Prefix+"ecs/clusters/{cluster}", c.signedIn(c.clusterPage))
	m.Handle("GET "+Prefix+"ecs/clusters/{cluster}/tasks/{task}", c.signedIn(c.taskPage))
	m.Handle("GET "+Prefix+"ecs/clusters/{cluster}/services/{service}", c.signedIn(c.servicePage))
	m.Handle("GET "+Prefix+"ecs/clusters/{cluster}/rolecheck", c.signedIn(c.clusterRoleCheck))
	m.Handle("GET "+Prefix+"ecs/clusters/{cluster}/services/{service}/rolecheck", c.signedIn(c.serviceRoleCheck))
}

// ServeHTTP serves the console, with the headers every page needs: no
// framing (clickjacking), scripts and styles from the console only, no
// sniffing, and no caching of pages that show an account's state.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if !strings.HasPrefix(r.URL.Path, Prefix+"static/") {
		h.Set("Cache-Control", "no-store")
	}
	if r.Method == http.MethodPost && !c.readForm(w, r) {
		return
	}
	c.mux.ServeHTTP(w, r)
}

// maxForm bounds a form's body: the largest thing a console form sends is
// a policy document (IAM takes up to 131,072 characters, percent-encoded
// at most threefold), as the API bounds its own requests.
const maxForm = 2 << 20

// readForm reads a posted form before anything else looks at it, within
// maxForm: the console's forms are URL-encoded (the browser's default), so
// another body (multipart, whose files Go would spool to disk) is refused
// before it is read, as is one too large. It answers whether the request
// may go on.
func (c *Console) readForm(w http.ResponseWriter, r *http.Request) bool {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		http.Error(w, "The console takes forms as application/x-www-form-urlencoded.", http.StatusUnsupportedMediaType)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "The form is larger than the console takes.", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "The form could not be read.", http.StatusBadRequest)
		}
		return false
	}
	return true
}
