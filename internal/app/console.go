package app

import (
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/console"
)

// newConsole builds the web console over the authenticator (access-key
// sign-in) and the authorizer's decisions. It acts through the server's
// operation bindings, which the caller gives it (Console.SetAPI) once the
// server is built. Password sign-in (IAM login profiles) is not wired yet.
func newConsole(o Options, authn *auth.Authenticator, audit *authz.AuditLog) *console.Console {
	c := console.Config{Keys: authn, Clock: o.Clock, Log: o.Log, Account: o.Account}
	if audit != nil {
		c.Decisions = audit
	}
	return console.New(c)
}
