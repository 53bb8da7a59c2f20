package app

import (
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/server"
	"github.com/rolecall/rolecall/internal/sts"
)

// resetRelaxed is what lenient mode relaxes about resets.
const resetRelaxed = "POST " + ResetPath + " and " + MotoResetPath + " forget state without --allow-reset"

// Relaxed lists what this rolecall lets through that AWS refuses, as the
// parts that do it say (--auth lenient, --enforce audit or off), for the
// start-up banner; nothing for --auth strict --enforce on.
func (a *App) Relaxed() []string {
	out := a.authn.Relaxed()
	if a.authn.Mode == auth.Lenient {
		out = append(out, server.LenientRouting, sts.RootAssumeRelaxed)
		if !a.reset.allowReset {
			out = append(out, resetRelaxed)
		}
	}
	if s := a.Authz.Mode().Relaxes(); s != "" {
		out = append(out, s)
	}
	return out
}

// ResetAllowed reports whether the reset endpoints forget state (lenient
// mode, or --allow-reset), for the start-up banner.
func (a *App) ResetAllowed() bool { return a.reset.allowReset || a.reset.lenient }
