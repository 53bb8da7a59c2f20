package oracle

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/policy"
)

// classify attributes disagreements to known differences (see
// knownDifference): each class is tried alone, then all that apply
// together. A case is explained when, rewritten, the oracle agrees with
// rolecall and rolecall's decision has not changed.
func classify(t *testing.T, cases []*ocase, mine []string, disagree []int) map[int]string {
	t.Helper()
	type attempt struct {
		i       int
		name    string
		variant *ocase
	}
	var attempts []attempt
	for _, i := range disagree {
		var names []string
		combined := cases[i]
		for _, k := range knownDifferences {
			if v := k.neutralize(clone(cases[i])); v != nil {
				attempts = append(attempts, attempt{i, k.name, v})
			}
			if v := k.neutralize(clone(combined)); v != nil {
				combined, names = v, append(names, k.name)
			}
		}
		if len(names) > 1 {
			attempts = append(attempts, attempt{i, strings.Join(names, " + "), combined})
		}
	}
	out := map[int]string{}
	if len(attempts) == 0 {
		return out
	}
	variants := make([]*ocase, len(attempts))
	for n, a := range attempts {
		variants[n] = a.variant
	}
	theirs := askOracle(t, variants)
	for n, a := range attempts {
		if _, done := out[a.i]; done {
			continue
		}
		d, err := ours(a.variant)
		if err != nil {
			b, _ := json.Marshal(a.variant)
			t.Fatalf("case %d rewritten for %q: rolecall refuses it: %v\n%s", a.i, a.name, err, b)
		}
		if d == mine[a.i] && theirs[n] == d {
			out[a.i] = a.name
		}
	}
	return out
}

// clone deep-copies a case through JSON, keeping the fields JSON does not
// carry.
func clone(c *ocase) *ocase {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	out := &ocase{}
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	for k, v := range out.Context {
		if l, ok := v.([]any); ok {
			ss := make([]string, len(l))
			for i, x := range l {
				ss[i] = x.(string)
			}
			out.Context[k] = ss
		}
	}
	out.scenario, out.caller, out.trust = c.scenario, c.caller, c.trust
	return out
}

// pdoc is a policy decoded for rewriting.
type pdoc struct {
	raw   *json.RawMessage
	doc   map[string]any
	where string // "identity", "boundary", "resource", "scp"
}

func decodePolicies(c *ocase) []*pdoc {
	var out []*pdoc
	add := func(r *json.RawMessage, where string) {
		if len(*r) == 0 {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(*r, &m); err != nil {
			panic(err)
		}
		out = append(out, &pdoc{raw: r, doc: m, where: where})
	}
	for i := range c.Identity {
		add(&c.Identity[i], "identity")
	}
	add(&c.Boundary, "boundary")
	add(&c.ResourcePolicy, "resource")
	add(&c.Session, "session")
	for i := range c.SCPs {
		for j := range c.SCPs[i] {
			add(&c.SCPs[i][j], "scp")
		}
	}
	return out
}

func (p *pdoc) statements() []map[string]any {
	switch s := p.doc["Statement"].(type) {
	case map[string]any:
		return []map[string]any{s}
	case []any:
		out := make([]map[string]any, len(s))
		for i, x := range s {
			out[i] = x.(map[string]any)
		}
		return out
	}
	return nil
}

// setStatements writes stmts back; a policy left with none gets one that
// matches no request, so that it still stands (a boundary without
// statements would deny all).
func (p *pdoc) setStatements(stmts []map[string]any) {
	if len(stmts) == 0 {
		stmts = []map[string]any{{"Effect": "Allow", "Action": "none:none", "Resource": "*"}}
		if p.where == "resource" {
			stmts[0]["Principal"] = map[string]any{"AWS": "arn:aws:iam::999999999999:root"}
		}
		if p.where == "resource" && isTrust(p) {
			delete(stmts[0], "Resource")
			stmts[0]["Action"] = "sts:SetSourceIdentity"
		}
	}
	list := make([]any, len(stmts))
	for i, s := range stmts {
		list[i] = s
	}
	p.doc["Statement"] = list
	b, err := json.Marshal(p.doc)
	if err != nil {
		panic(err)
	}
	*p.raw = b
}

func isTrust(p *pdoc) bool {
	for _, s := range p.statements() {
		if _, ok := s["Resource"]; ok {
			return false
		}
	}
	return true
}

func strList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return x
	}
	return nil
}

// neutralizeNotPrincipal rewrites each Deny with NotPrincipal of the
// resource policy as AWS reads it for this caller: gone when the caller
// escapes it, Principal "*" when it applies.
func neutralizeNotPrincipal(c *ocase) *ocase {
	changed := false
	for _, p := range decodePolicies(c) {
		if p.where != "resource" {
			continue
		}
		var keep []map[string]any
		for _, s := range p.statements() {
			np, ok := s["NotPrincipal"]
			if !ok {
				keep = append(keep, s)
				continue
			}
			changed = true
			if escapes(np, c.caller) && len(c.Boundary) == 0 {
				continue
			}
			delete(s, "NotPrincipal")
			s["Principal"] = "*"
			keep = append(keep, s)
		}
		if changed {
			p.setStatements(keep)
		}
	}
	if !changed {
		return nil
	}
	return c
}

// escapes says whether a NotPrincipal element names everything AWS checks
// for the caller: its account, its role (sessions) and itself.
func escapes(np any, caller policy.Caller) bool {
	m, ok := np.(map[string]any)
	if !ok {
		return np == "*"
	}
	if caller.Kind == policy.CallerService {
		for _, v := range strList(m["Service"]) {
			if v == caller.ARN {
				return true
			}
		}
		return false
	}
	listed := map[string]bool{}
	for _, v := range strList(m["AWS"]) {
		listed[strings.ToLower(v)] = true
	}
	if listed["*"] {
		return true
	}
	if !listed[caller.Account] && !listed["arn:aws:iam::"+caller.Account+":root"] {
		return false
	}
	if caller.Issuer != "" && !listed[strings.ToLower(caller.Issuer)] {
		return false
	}
	return listed[strings.ToLower(caller.ARN)]
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func iso(epoch string) string {
	var n int64
	for _, r := range epoch {
		n = n*10 + int64(r-'0')
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339)
}

// neutralizeEpochs writes every epoch value of a date comparison as ISO
// 8601: the same instant.
func neutralizeEpochs(c *ocase) *ocase {
	changed := false
	dateKeys := map[string]bool{}
	for _, p := range decodePolicies(c) {
		stmts := p.statements()
		touched := false
		for _, s := range stmts {
			cond, _ := s["Condition"].(map[string]any)
			for op, block := range cond {
				base := op[strings.LastIndexByte(op, ':')+1:]
				if !strings.HasPrefix(base, "Date") {
					continue
				}
				for key, vals := range block.(map[string]any) {
					dateKeys[strings.ToLower(key)] = true
					list := strList(vals)
					for i, v := range list {
						if isDigits(v) {
							list[i], touched = iso(v), true
						}
					}
					block.(map[string]any)[key] = list
				}
			}
		}
		if touched {
			changed = true
			p.setStatements(stmts)
		}
	}
	for k, v := range c.Context {
		if s, ok := v.(string); ok && dateKeys[strings.ToLower(k)] && isDigits(s) {
			c.Context[k], changed = iso(s), true
		}
	}
	if !changed {
		return nil
	}
	return c
}

func (c *ocase) has(key string) bool {
	for k := range c.Context {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// neutralizeIfExistsSets drops ForAnyValue:/ForAllValues: ...IfExists
// tests of keys the request lacks: they hold.
func neutralizeIfExistsSets(c *ocase) *ocase {
	changed := false
	for _, p := range decodePolicies(c) {
		stmts := p.statements()
		touched := false
		for _, s := range stmts {
			cond, _ := s["Condition"].(map[string]any)
			for op, block := range cond {
				if !strings.HasSuffix(op, "IfExists") || !strings.HasPrefix(op, "For") {
					continue
				}
				for key := range block.(map[string]any) {
					if !c.has(key) {
						delete(block.(map[string]any), key)
						touched = true
					}
				}
				if len(block.(map[string]any)) == 0 {
					delete(cond, op)
				}
			}
			if cond != nil && len(cond) == 0 {
				delete(s, "Condition")
			}
		}
		if touched {
			changed = true
			p.setStatements(stmts)
		}
	}
	if !changed {
		return nil
	}
	return c
}

// missingVar reports whether v holds a policy variable, without a default,
// whose key the request lacks.
func (c *ocase) missingVar(v string) bool {
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			return false
		}
		j := strings.IndexByte(v[i:], '}')
		if j < 0 {
			return false
		}
		inner := v[i+2 : i+j]
		v = v[i+j+1:]
		if inner == "*" || inner == "?" || inner == "$" || strings.Contains(inner, ", '") {
			continue
		}
		if !c.has(inner) {
			return true
		}
	}
}

// neutralizeNoValueVariables rewrites values with variables that have no
// value as AWS documents them: such a condition value matches nothing (an
// inverted operator then holds), such a Resource or NotResource entry
// matches no resource.
func neutralizeNoValueVariables(c *ocase) *ocase {
	changed := false
	for _, p := range decodePolicies(c) {
		var keep []map[string]any
		touched := false
	statements:
		for _, s := range p.statements() {
			for _, field := range []string{"Resource", "NotResource"} {
				v, ok := s[field]
				if !ok {
					continue
				}
				var rest []string
				for _, r := range strList(v) {
					if c.missingVar(r) {
						touched = true
					} else {
						rest = append(rest, r)
					}
				}
				switch {
				case len(rest) > 0:
					s[field] = rest
				case field == "Resource":
					continue statements // matches nothing: the statement never applies
				default:
					delete(s, "NotResource") // excludes nothing
					s["Resource"] = "*"
				}
			}
			cond, _ := s["Condition"].(map[string]any)
			for op, block := range cond {
				inverted := strings.Contains(op, "Not")
				set := strings.HasPrefix(op, "For")
				for key, vals := range block.(map[string]any) {
					var rest []string
					for _, v := range strList(vals) {
						if c.missingVar(v) {
							touched = true
						} else {
							rest = append(rest, v)
						}
					}
					// A null value matches no request value: dropping it changes
					// nothing while others remain. With none left, a test of
					// each request value fails (inverted: holds).
					switch {
					case len(rest) == len(strList(vals)):
					case len(rest) > 0:
						block.(map[string]any)[key] = rest
					case set && !c.has(key):
						// The key is missing: ForAllValues and ...IfExists hold
						// whatever the values, ForAnyValue fails.
						if strings.HasPrefix(op, "ForAllValues:") || strings.HasSuffix(op, "IfExists") {
							delete(block.(map[string]any), key)
						} else {
							continue statements
						}
					case inverted:
						delete(block.(map[string]any), key) // holds
					default:
						continue statements // fails: the statement never applies
					}
				}
				if len(block.(map[string]any)) == 0 {
					delete(cond, op)
				}
			}
			if cond != nil && len(cond) == 0 {
				delete(s, "Condition")
			}
			keep = append(keep, s)
		}
		if touched {
			changed = true
			p.setStatements(keep)
		}
	}
	if !changed {
		return nil
	}
	return c
}

// neutralizeBareAddresses writes bare addresses of IpAddress and
// NotIpAddress as the CIDR blocks AWS reads them as (/32, /128).
func neutralizeBareAddresses(c *ocase) *ocase {
	changed := false
	for _, p := range decodePolicies(c) {
		stmts := p.statements()
		touched := false
		for _, s := range stmts {
			cond, _ := s["Condition"].(map[string]any)
			for op, block := range cond {
				base := strings.TrimSuffix(op[strings.LastIndexByte(op, ':')+1:], "IfExists")
				if base != "IpAddress" && base != "NotIpAddress" {
					continue
				}
				for key, vals := range block.(map[string]any) {
					list := strList(vals)
					for i, v := range list {
						if !strings.Contains(v, "/") {
							if strings.Contains(v, ":") {
								list[i] = v + "/128"
							} else {
								list[i] = v + "/32"
							}
							touched = true
						}
					}
					block.(map[string]any)[key] = list
				}
			}
		}
		if touched {
			changed = true
			p.setStatements(stmts)
		}
	}
	if !changed {
		return nil
	}
	return c
}

// neutralizeSessionNamed drops the session policy of a case whose resource
// policy allows the session by its own ARN (or, star, by "*"): such a
// grant is not limited by session policies.
func neutralizeSessionNamed(c *ocase, star bool) *ocase {
	if len(c.Session) == 0 || c.caller.Kind != policy.CallerRoleSession {
		return nil
	}
	for _, p := range decodePolicies(c) {
		if p.where != "resource" {
			continue
		}
		for _, s := range p.statements() {
			if s["Effect"] != "Allow" {
				continue
			}
			var names []string
			switch pr := s["Principal"].(type) {
			case string:
				names = []string{pr}
			case map[string]any:
				names = strList(pr["AWS"])
			}
			for _, n := range names {
				if star && n == "*" || !star && strings.EqualFold(n, c.caller.ARN) {
					c.Session = nil
					return c
				}
			}
		}
	}
	return nil
}
