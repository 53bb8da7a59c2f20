package authz

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// typeWords name policy types as AWS's messages do.
var typeWords = map[string]string{
	"identity": "identity-based policies",
	"resource": "the resource-based policy",
	"boundary": "the permissions boundary",
	"session":  "session policies",
	"scp":      "service control policies",
	"rcp":      "resource control policies",
}

// Explain writes a decision in words: what was asked, what AWS answers,
// and why, policy type by policy type, with the statements that matched
// and the condition keys the request lacked.
func Explain(w io.Writer, r *Record) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("Request %s at %s", r.RequestID, r.Time.Format("2006-01-02T15:04:05Z07:00"))
	p("  principal: %s (%s)", r.Principal, r.PrincipalType)
	p("  action:    %s", r.Action)
	switch len(r.Resources) {
	case 0:
		p("  resource:  (not evaluated)")
	case 1:
		p("  resource:  %s", r.Resources[0])
	default:
		p("  resources: %s", strings.Join(r.Resources, ", "))
	}
	if r.Region != "" {
		p("  region:    %s", r.Region)
	}
	p("")
	if r.Decision == "allowed" {
		p("ALLOWED: %s.", r.Reason)
		return
	}
	verdict := "DENIED"
	if !r.Enforced {
		verdict = "WOULD BE DENIED (enforcement is " + r.Mode + ": the request went through)"
	}
	kind := "implicitly: nothing allowed it"
	if r.Decision == "explicitDeny" {
		kind = "explicitly: a Deny statement matched"
	}
	p("%s, %s.", verdict, kind)
	if r.Message != "" {
		p("AWS answers: %s", r.Message)
	}
	if r.Denied != "" && len(r.Resources) > 1 {
		p("The denied resource: %s", r.Denied)
	}
	p("")
	p("Why:")
	for _, t := range r.Policies {
		words := typeWords[t.Type]
		if words == "" {
			words = t.Type + " policies"
		}
		var said string
		switch {
		case t.Denied:
			said = "a statement denies " + r.Action
		case t.Allowed:
			said = "allow " + r.Action
		case t.Count == 0:
			said = "there are none, so nothing allows " + r.Action
		default:
			said = "no statement allows " + r.Action + " on this resource with this request's context"
		}
		mark := "  - "
		if t.Deciding {
			mark = "  * "
		}
		count := ""
		if t.Count > 0 {
			count = fmt.Sprintf(" (%d)", t.Count)
		}
		p("%s%s%s: %s%s", mark, words, count, said, decidingNote(t))
	}
	if r.Statement != nil && r.Decision == "explicitDeny" {
		p("  The deciding statement: %s", stmtWords(r.Statement))
	}
	if len(r.Matched) > 0 {
		p("")
		p("Statements that matched the request:")
		for _, s := range r.Matched {
			s := s
			p("  - %s", stmtWords(&s))
		}
	}
	if len(r.Missing) > 0 {
		p("")
		p("Condition keys that conditions needed and the request did not have: %s", strings.Join(r.Missing, ", "))
	}
	if len(r.Context) > 0 {
		p("")
		p("Request context:")
		keys := make([]string, 0, len(r.Context))
		for k := range r.Context {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p("  %s = %s", k, strings.Join(r.Context[k], ", "))
		}
	}
	p("")
	p("To allow it, add to the %s a statement like:", fixTarget(r))
	p(`  {"Effect": "Allow", "Action": "%s", "Resource": "%s"}`, r.Action, firstResource(r))
	if r.Decision == "explicitDeny" {
		p("and remove or narrow the Deny above: an explicit Deny always wins.")
	}
}

func decidingNote(t TypeSummary) string {
	if t.Deciding {
		return "  <- decides"
	}
	return ""
}

func stmtWords(s *StatementInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s statement %d", s.Effect, s.Index)
	if s.Sid != "" {
		fmt.Fprintf(&b, " (Sid %q)", s.Sid)
	}
	if s.Line > 0 {
		fmt.Fprintf(&b, " at line %d", s.Line)
	}
	if s.Source != "" {
		fmt.Fprintf(&b, " of %s %s", s.Type, s.Source)
	}
	return b.String()
}

// fixTarget is the policy type a fix belongs in: the one that decided an
// implicit denial.
func fixTarget(r *Record) string {
	for _, t := range r.Policies {
		if t.Deciding {
			switch t.Type {
			case "boundary":
				return "permissions boundary"
			case "session":
				return "session policy"
			case "resource":
				return "resource-based policy"
			}
		}
	}
	return "caller's identity-based policies"
}

func firstResource(r *Record) string {
	if r.Denied != "" {
		return r.Denied
	}
	if len(r.Resources) > 0 {
		return r.Resources[0]
	}
	return "*"
}
