package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/server"
)

// dropinFlags are serve's flags for test set-ups written for moto or
// LocalStack: the default account and Region they expect, and the reset
// their suites call between tests.
type dropinFlags struct {
	account, region *string
	allowReset      *bool
}

func addDropinFlags(fs *flag.FlagSet) *dropinFlags {
	return &dropinFlags{
		account: fs.String("account", server.DefaultAccount, "the default `ID`: the account of the root credentials test/test, and of unsigned requests in lenient mode (moto's suites expect 123456789012)"),
		region:  fs.String("region", server.DefaultRegion, "the default `REGION`: of requests signed for no valid Region, of instances launched without one, and of the exports printed"),
		allowReset: fs.Bool("allow-reset", false, "let POST "+app.ResetPath+" and "+app.MotoResetPath+
			" forget state in strict mode (lenient mode allows them)"),
	}
}

// apply checks the flags and sets them on o.
func (d *dropinFlags) apply(o *app.Options) error {
	if !arn.IsAccountID(*d.account) {
		return fmt.Errorf("bad --account %q: an account ID is 12 digits", *d.account)
	}
	if !auth.ValidRegion(*d.region) {
		return fmt.Errorf("bad --region %q: name an AWS Region, such as us-east-1", *d.region)
	}
	o.Account, o.Region, o.AllowReset = *d.account, *d.region, *d.allowReset
	return nil
}

// printRelaxed writes, for the start-up banner, what srv lets through
// that AWS refuses, and whether it resets.
func printRelaxed(w io.Writer, srv *app.App) {
	if r := srv.Relaxed(); len(r) > 0 {
		fmt.Fprintln(w, "rolecall: WARNING: this rolecall lets through what AWS refuses; a response to a request let through only because of --auth lenient carries X-Rolecall-Auth: lenient:")
		for _, s := range r {
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
	if srv.ResetAllowed() {
		fmt.Fprintf(w, "rolecall: POST %s (?account=ID for one account) and %s forget the state\n", app.ResetPath, app.MotoResetPath)
	}
}
