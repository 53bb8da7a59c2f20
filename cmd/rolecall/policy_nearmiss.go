package main

// Near misses: when nothing allowed a request, say of each Allow statement
// that covers the action why it did not apply (its resource, its principal
// or which condition, with the request's value), which is what a person
// fixing a policy needs. Statements for other actions are summed up in one
// line: listing every statement of a large policy would bury the answer.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/policy"
)

// maxNearMisses bounds the statements described one by one.
const maxNearMisses = 8

// nearMisses explains why no Allow statement of ps applied to the request,
// as lines to print under the reason.
func (ev *evaluation) nearMisses(ps []*policy.Policy) []string {
	r := ev.req
	var lines []string
	covering, allows := 0, 0
	for _, p := range ps {
		doc := p.Document()
		for _, t := range p.Trace(r) {
			if t.Ref.Effect != "Allow" {
				continue
			}
			allows++
			if !t.Action {
				continue
			}
			covering++
			if covering > maxNearMisses {
				continue
			}
			var st *policy.Statement
			if doc != nil && t.Ref.Index < len(doc.Statements) {
				st = &doc.Statements[t.Ref.Index]
			}
			lines = append(lines, "  - "+ev.stmtWords(t.Ref)+": "+whyNot(&t, st, r)+".")
		}
	}
	its := "its"
	if len(ps) > 1 {
		its = "their"
	}
	switch {
	case allows == 0:
		return []string{fmt.Sprintf("There is no Allow statement in %s at all.", map[string]string{"its": "it", "their": "them"}[its])}
	case covering == 0:
		return []string{fmt.Sprintf("None of %s Allow statements covers the action %s.", its, r.Action)}
	}
	head := fmt.Sprintf("The Allow statements that cover %s did not apply:", r.Action)
	if covering > maxNearMisses {
		lines = append(lines, fmt.Sprintf("  (and %d more)", covering-maxNearMisses))
	}
	return append([]string{head}, lines...)
}

// whyNot says why a statement that covers the action did not apply: the
// first element that failed, or every condition that did not hold.
func whyNot(t *policy.StatementTrace, st *policy.Statement, r *policy.Request) string {
	switch {
	case !t.Resource:
		if st != nil && st.NotResource != nil {
			return fmt.Sprintf("its NotResource %s excludes %s", quoteList(st.NotResource), r.Resource)
		}
		if st != nil {
			return fmt.Sprintf("its Resource %s does not match %s", quoteList(st.Resource), r.Resource)
		}
		return "its resource does not match " + r.Resource
	case !t.Principal:
		who := r.Caller.ARN
		if st != nil && st.NotPrincipal != nil {
			return fmt.Sprintf("its NotPrincipal %s names %s", principalWords(st.NotPrincipal), who)
		}
		if st != nil && st.Principal != nil {
			return fmt.Sprintf("its Principal %s does not name %s", principalWords(st.Principal), who)
		}
		return "it names no principal, which a resource-based policy's statement must"
	}
	var conds, facts []string
	for _, c := range t.Conditions {
		if c.Held {
			continue
		}
		conds = append(conds, fmt.Sprintf("%q: {%q: %s}", c.Operator, c.Key, quoteValues(c.Values)))
		if c.Present {
			facts = append(facts, "the request has "+keyValues(c.Key, c.Request))
		} else {
			facts = append(facts, fmt.Sprintf("the request has no %s; give it with --context %s=VALUE", c.Key, c.Key))
		}
	}
	switch len(conds) {
	case 0:
		return "it did not apply" // cannot happen: Trace said it did not
	case 1:
		return "its condition " + conds[0] + " does not hold: " + facts[0]
	}
	parts := make([]string, len(conds))
	for i := range conds {
		parts[i] = conds[i] + " (" + facts[i] + ")"
	}
	return fmt.Sprintf("%d of its conditions do not hold: %s", len(conds), strings.Join(parts, "; "))
}

// quoteValues writes a condition's values as in the policy: one value as a
// string, several as a list.
func quoteValues(vs []string) string {
	if len(vs) == 1 {
		b, _ := json.Marshal(vs[0])
		return string(b)
	}
	return quoteList(vs)
}

func quoteList(vs []string) string {
	b, _ := json.Marshal(vs)
	return strings.ReplaceAll(string(b), `","`, `", "`)
}

// keyValues writes a context key's values as --context takes them.
func keyValues(key string, vs []string) string {
	if len(vs) == 0 {
		return key + " with no value"
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = key + "=" + v
	}
	return strings.Join(parts, ", ")
}

// principalWords writes a Principal element briefly: "*", or
// {"Service": ["ecs-tasks.amazonaws.com"]}.
func principalWords(p *policy.Principal) string {
	if p.Any {
		return `"*"`
	}
	types := make([]string, 0, len(p.ByType))
	for t := range p.ByType {
		types = append(types, t)
	}
	sort.Strings(types)
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%q: %s", t, quoteValues(p.ByType[t]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
