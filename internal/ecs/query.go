package ecs

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The cluster query language: expressions that select container instances
// by attribute and by what runs on them, used by memberOf placement
// constraints and by ListContainerInstances' filter
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html).
//
//	expression := term { ("or" | "||") term }
//	term       := factor { ("and" | "&&") factor }
//	factor     := ("not" | "!") factor | "(" expression ")" | subject operator [argument]
//	argument   := value | "[" value { "," value } "]"

// host is what an expression reads of a container instance.
type host struct {
	rec *instanceRecord
	// tasks counts its tasks that have not stopped, running those
	// RUNNING; groups are their task groups.
	tasks, running int
	groups         []string
	// wanted are the groups of its tasks whose desired status is RUNNING
	// (those distinctInstance counts); enis, its awsvpc tasks that have
	// not stopped, each holding a network interface (placement.go).
	wanted []string
	enis   int
}

// query is a parsed expression.
type query func(h *host) bool

// parseQuery parses an expression; ok is false for one that is not valid.
func parseQuery(expr string) (q query, ok bool) {
	toks, ok := lexQuery(expr)
	if !ok || len(toks) == 0 {
		return nil, false
	}
	p := &queryParser{toks: toks}
	q, ok = p.or()
	return q, ok && p.i == len(toks)
}

// token is a lexeme; quoted values are words too.
type token struct {
	s      string
	word   bool
	quoted bool
}

// lexQuery splits an expression into words (subjects, operators given as
// words, values; quoted or not) and symbols.
func lexQuery(s string) ([]token, bool) {
	var out []token
	symbols := []string{"==", "!=", ">=", "<=", "=~", "!~", "&&", "||", "(", ")", "[", "]", ",", ">", "<", "!"}
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
			continue
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], s[i])
			if end < 0 {
				return nil, false
			}
			out = append(out, token{s: s[i+1 : i+1+end], word: true, quoted: true})
			i += end + 2
			continue
		}
		sym := ""
		for _, y := range symbols {
			if strings.HasPrefix(s[i:], y) {
				sym = y
				break
			}
		}
		if sym != "" {
			out = append(out, token{s: sym})
			i += len(sym)
			continue
		}
		j := i
		for j < len(s) && !unicode.IsSpace(rune(s[j])) && !strings.ContainsRune("()[],=!<>&|'\"", rune(s[j])) {
			j++
		}
		if j == i {
			return nil, false
		}
		out = append(out, token{s: s[i:j], word: true})
		i = j
	}
	return out, true
}

type queryParser struct {
	toks []token
	i    int
}

func (p *queryParser) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{}, false
}

// accept consumes the next token if it is one of names (symbols, or words
// case-insensitively).
func (p *queryParser) accept(names ...string) bool {
	t, ok := p.peek()
	if !ok || t.quoted {
		return false
	}
	for _, n := range names {
		if t.s == n || (t.word && strings.EqualFold(t.s, n)) {
			p.i++
			return true
		}
	}
	return false
}

func (p *queryParser) or() (query, bool) {
	q, ok := p.and()
	for ok && p.accept("or", "||") {
		var r query
		if r, ok = p.and(); ok {
			l := q
			q = func(h *host) bool { return l(h) || r(h) }
		}
	}
	return q, ok
}

func (p *queryParser) and() (query, bool) {
	q, ok := p.factor()
	for ok && p.accept("and", "&&") {
		var r query
		if r, ok = p.factor(); ok {
			l := q
			q = func(h *host) bool { return l(h) && r(h) }
		}
	}
	return q, ok
}

func (p *queryParser) factor() (query, bool) {
	if p.accept("not", "!") {
		q, ok := p.factor()
		return func(h *host) bool { return !q(h) }, ok
	}
	if p.accept("(") {
		q, ok := p.or()
		return q, ok && p.accept(")")
	}
	return p.comparison()
}

// operators maps every spelling of an operator to its symbol.
var operators = map[string]string{
	"==": "==", "equals": "==", "!=": "!=", "not_equals": "!=",
	">": ">", "greater_than": ">", ">=": ">=", "greater_than_equal": ">=",
	"<": "<", "less_than": "<", "<=": "<=", "less_than_equal": "<=",
	"exists": "exists", "not_exists": "!exists", "in": "in", "not_in": "!in",
	"=~": "=~", "matches": "=~", "!~": "!~", "not_matches": "!~",
}

func (p *queryParser) comparison() (query, bool) {
	subj, ok := p.peek()
	if !ok || !subj.word || subj.quoted {
		return nil, false
	}
	p.i++
	get, ok := subject(subj.s)
	if !ok {
		return nil, false
	}
	op, ok := p.operator()
	if !ok {
		return nil, false
	}
	switch op {
	case "exists", "!exists":
		want := op == "exists"
		return func(h *host) bool { return (len(get(h)) > 0) == want }, true
	case "in", "!in":
		list, ok := p.list()
		if !ok {
			return nil, false
		}
		want := op == "in"
		return func(h *host) bool {
			return slices.ContainsFunc(get(h), func(v string) bool { return slices.Contains(list, v) }) == want
		}, true
	}
	arg, ok := p.peek()
	if !ok || !arg.word {
		return nil, false
	}
	p.i++
	switch op {
	case "==", "!=":
		want := op == "=="
		return func(h *host) bool { return slices.Contains(get(h), arg.s) == want }, true
	case "=~", "!~":
		// Java's String.matches: the whole value.
		re, err := regexp.Compile("^(?:" + arg.s + ")$")
		if err != nil {
			return nil, false
		}
		want := op == "=~"
		return func(h *host) bool { return slices.ContainsFunc(get(h), re.MatchString) == want }, true
	}
	return func(h *host) bool {
		return slices.ContainsFunc(get(h), func(v string) bool {
			c, ok := compareValues(subj.s, v, arg.s)
			switch op {
			case ">":
				return ok && c > 0
			case ">=":
				return ok && c >= 0
			case "<":
				return ok && c < 0
			}
			return ok && c <= 0
		})
	}, true
}

// operator reads an operator: a symbol, a word, or "!" before "in",
// "exists" ("!in", "!exists").
func (p *queryParser) operator() (string, bool) {
	t, ok := p.peek()
	if !ok || t.quoted {
		return "", false
	}
	if t.s == "!" {
		p.i++
		if p.accept("in") {
			return "!in", true
		}
		if p.accept("exists") {
			return "!exists", true
		}
		return "", false
	}
	op, ok := operators[strings.ToLower(t.s)]
	if ok {
		p.i++
	}
	return op, ok
}

// list reads "[a, b, ...]".
func (p *queryParser) list() ([]string, bool) {
	if !p.accept("[") {
		return nil, false
	}
	var out []string
	for {
		t, ok := p.peek()
		if !ok || !t.word {
			return nil, false
		}
		p.i++
		out = append(out, t.s)
		if p.accept("]") {
			return out, true
		}
		if !p.accept(",") {
			return nil, false
		}
	}
}

// subject returns what a subject reads of a host: its values (none when
// it has no such thing; task:group has one per task).
func subject(s string) (func(h *host) []string, bool) {
	if name, ok := strings.CutPrefix(s, "attribute:"); ok && name != "" {
		return func(h *host) []string {
			for _, a := range h.rec.Instance.Attributes {
				if a.Name == name {
					return []string{a.Value}
				}
			}
			return nil
		}, true
	}
	switch s {
	case "task:group":
		return func(h *host) []string { return h.groups }, true
	case "ec2InstanceId":
		return func(h *host) []string { return []string{h.rec.Instance.Ec2InstanceId} }, true
	case "agentConnected":
		return func(h *host) []string { return []string{strconv.FormatBool(h.rec.Instance.AgentConnected)} }, true
	case "agentVersion":
		return func(h *host) []string {
			if v := h.rec.Instance.VersionInfo; v != nil && v.AgentVersion != "" {
				return []string{v.AgentVersion}
			}
			return nil
		}, true
	case "registeredAt":
		return func(h *host) []string {
			if t := h.rec.Instance.RegisteredAt; t != nil {
				return []string{t.UTC().Format(time.RFC3339)}
			}
			return nil
		}, true
	case "runningTasksCount":
		return func(h *host) []string { return []string{strconv.Itoa(h.running)} }, true
	}
	return nil, false
}

// compareValues orders a subject's value against an argument: versions
// by their numbers, registration times as times (in the formats the
// language documents), counts and numeric attributes as numbers, other
// values as strings. ok is false for an argument that is not of the
// subject's kind.
func compareValues(subj, v, arg string) (int, bool) {
	switch subj {
	case "agentVersion":
		return compareVersions(v, arg), true
	case "registeredAt":
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return 0, false
		}
		for _, f := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err := time.Parse(f, arg); err == nil {
				return at.Compare(t), true
			}
		}
		return 0, false
	}
	a, errA := strconv.ParseFloat(v, 64)
	b, errB := strconv.ParseFloat(arg, 64)
	if errA == nil && errB == nil {
		switch {
		case a < b:
			return -1, true
		case a > b:
			return 1, true
		}
		return 0, true
	}
	if subj == "runningTasksCount" {
		return 0, false
	}
	return strings.Compare(v, arg), true
}

// compareVersions orders dotted versions ("1.89.0") by their numbers.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}
