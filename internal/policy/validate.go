package policy

import (
	"github.com/rolecall/rolecall/internal/awserr"
)

// IAM validates in passes and answers the first failure. The order of the
// passes for identity policies is read off LocalStack's recordings of real
// AWS (test_create_policy_invalid_document): syntax before Version
// (invalid-3), Version before legacy parsing (-65, -66), legacy parsing
// before SID uniqueness (-70), SIDs before "must contain actions" (-59),
// legacy parsing before "must contain actions" (-37, -67), actions before
// resources (-32), resources before action formats (-29), resource formats
// before action formats (-18). Where a pass sits for trust
// and resource policies, and where the principal checks sit, is
// rolecall's reading (unverified).

type pass func(*parsed) *awserr.Error

var passes = map[Kind][]pass{
	Identity: {
		identityVersion,
		noPrincipals,
		legacy,
		sidsAlnum,
		sidsUnique,
		actionsPresent,
		resourcesPresent,
		resourceFormats,
		actionFormats,
	},
	Trust: {
		legacy,
		sidsAlnum,
		sidsUnique,
		trustProhibited,
		actionsPresent,
		trustActionsOnly,
		trustPrincipalsPresent,
		principalValues(Trust),
	},
	Resource: {
		legacy,
		sidsAlnum,
		sidsUnique,
		notPrincipalDenyOnly,
		resourcePrincipalsPresent,
		actionsPresent,
		resourcesPresent,
		resourceFormats,
		actionFormats,
		principalValues(Resource),
	},
}

// identityVersion: identity policies must say 2012-10-17; 2008-10-17 and no
// Version are refused alike (recorded invalid-1, -2). Trust policies take
// either or none (hashicorp/terraform #35086 shows a 2008-10-17 trust policy
// passing every check before its principal's).
func identityVersion(p *parsed) *awserr.Error {
	if p.doc.Version != Version2012 {
		return malformed(msgVersion)
	}
	return nil
}

func noPrincipals(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		if s.Principal != nil || s.NotPrincipal != nil {
			return malformed(msgNoPrincipalAllowed)
		}
	}
	return nil
}

// legacy is IAM's legacy parser: Effect in exact case, date condition
// values, and the legacy resource rule.
func legacy(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		if s.Effect != "Allow" && s.Effect != "Deny" {
			return malformed(msgLegacy)
		}
		for op, keys := range s.Condition {
			if !isDateOperator(op) {
				continue
			}
			for _, vals := range keys {
				for _, v := range vals {
					if !validDate(v) {
						return malformed(msgLegacy)
					}
				}
			}
		}
		for _, list := range [][]string{s.Resource, s.NotResource} {
			for _, r := range list {
				if !legacyResourceOK(r) {
					return malformed(msgLegacy)
				}
			}
		}
	}
	return nil
}

func sidsAlnum(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		for i := 0; i < len(s.Sid); i++ {
			c := s.Sid[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return malformed(msgSidAlnum)
			}
		}
	}
	return nil
}

// sidsUnique: SIDs must differ, except that any number of statements may
// have none or an empty one (recorded invalid-59; valid-29, -49).
func sidsUnique(p *parsed) *awserr.Error {
	seen := map[string]bool{}
	for _, s := range p.doc.Statements {
		if s.Sid == "" {
			continue
		}
		if seen[s.Sid] {
			return malformed(msgSidUnique)
		}
		seen[s.Sid] = true
	}
	return nil
}

func actionsPresent(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		if len(s.Action) == 0 && len(s.NotAction) == 0 {
			return malformed(msgNoActions)
		}
	}
	return nil
}

func resourcesPresent(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		if len(s.Resource) == 0 && len(s.NotResource) == 0 {
			return malformed(msgNoResources)
		}
	}
	return nil
}

func resourceFormats(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		for _, list := range [][]string{s.Resource, s.NotResource} {
			for _, r := range list {
				if err := checkResourceFormat(r); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func actionFormats(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		for _, list := range [][]string{s.Action, s.NotAction} {
			for _, a := range list {
				if err := checkActionFormat(a); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// trustProhibited: a trust policy names no resources (it is the role's own
// policy) and, per the IAM User Guide, cannot use NotPrincipal.
func trustProhibited(p *parsed) *awserr.Error {
	for i, s := range p.doc.Statements {
		switch {
		case p.stmts[i].hasResource:
			return errProhibited("Resource")
		case p.stmts[i].hasNotResource:
			return errProhibited("NotResource")
		case s.NotPrincipal != nil:
			return errProhibited("NotPrincipal")
		}
	}
	return nil
}

// trustActionsOnly: every action must be one a role can be assumed with.
// NotAction would allow everything else, so it is refused the same way
// (unverified).
func trustActionsOnly(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		if len(s.NotAction) > 0 {
			return malformed(msgTrustActions)
		}
		for _, a := range s.Action {
			if !trustAction(a) {
				return malformed(msgTrustActions)
			}
		}
	}
	return nil
}

func trustPrincipalsPresent(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		if s.Principal == nil || s.Principal.empty() {
			return malformed(msgTrustNoPrincipal)
		}
	}
	return nil
}

func notPrincipalDenyOnly(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		if s.NotPrincipal != nil && s.Effect != "Deny" {
			return malformed(msgNotPrincipalAllow)
		}
	}
	return nil
}

func resourcePrincipalsPresent(p *parsed) *awserr.Error {
	for _, s := range p.doc.Statements {
		pr := s.Principal
		if pr == nil {
			pr = s.NotPrincipal
		}
		if pr == nil || pr.empty() {
			return malformed(msgResourceNoPrincipal)
		}
	}
	return nil
}

func principalValues(kind Kind) pass {
	return func(p *parsed) *awserr.Error {
		for _, s := range p.doc.Statements {
			for _, pr := range []*Principal{s.Principal, s.NotPrincipal} {
				if err := checkPrincipalValues(pr, kind); err != nil {
					return err
				}
			}
		}
		return nil
	}
}
