package authz

import "fmt"

// Mode is how the authorizer acts on its decisions (--enforce).
type Mode uint8

const (
	// On is AWS's behaviour: denied requests fail with AccessDenied.
	On Mode = iota
	// Audit evaluates and records every decision but lets denied requests
	// through, saying what AWS would have answered (the
	// X-Rolecall-Would-Deny response header and the audit log): for teams
	// finding out what their code lacks before they enforce.
	Audit
	// Off neither evaluates nor records: every authenticated request is
	// allowed, as emulators that check nothing allow it.
	Off
)

var modeNames = [...]string{"on", "audit", "off"}

func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "unknown"
}

// Relaxes says what the mode lets through that AWS refuses, for the
// start-up banner; "" for On.
func (m Mode) Relaxes() string {
	switch m {
	case Audit:
		return "--enforce audit: a request AWS would deny goes through; X-Rolecall-Would-Deny says what AWS would answer"
	case Off:
		return "--enforce off: nothing is authorized; every authenticated request is allowed, AssumeRole and ECS's launches included"
	}
	return ""
}

// ParseMode reads --enforce.
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if s == n {
			return Mode(i), nil
		}
	}
	if s == "" {
		return On, nil
	}
	return On, fmt.Errorf("unknown enforce mode %q: want on, audit or off", s)
}
