package policy

import "strings"

// Policy variables (IAM User Guide, "IAM policy elements: Variables and
// tags"):
//
//   - ${key} is replaced by the value of the request context key key
//     (case-insensitive). Only single-valued keys can be variables; a key
//     that is absent, or holds several values, does not resolve.
//   - ${key, 'default'} uses default when key does not resolve ("surround
//     the default value with single quotes (' '), and separate the variable
//     text and the default value with a comma and space (, )"). Inside the
//     quotes, '' is one quote (unverified for AWS; that is how AWS's
//     documented grammar for quoted text reads elsewhere).
//   - ${*}, ${?} and ${$} are a literal '*', '?' and '$' ("Special
//     characters").
//   - Variables work only in documents of Version 2012-10-17; otherwise
//     "variables like ${aws:username} are treated as literal strings in the
//     policy".
//   - They are allowed in Resource (the doc says: in the resource part of
//     the ARN, after the fifth colon; rolecall replaces them wherever they
//     appear) and in the values of string and ARN condition operators.
//
// A value whose variable does not resolve is "effectively null": it
// matches nothing ("Policy variables with no value": "If AWS cannot
// resolve a variable, this might cause the entire statement to be
// invalid"). So a Resource entry with such a variable matches no resource,
// a positive condition value never matches, and a negated operator (one
// that asks for no match) is not stopped by it. Text after a "${" with no
// closing "}" is literal (unverified). A malformed variable (empty key, a
// default not in quotes) never resolves (unverified).

// tpartKind says what a template part is.
type tpartKind uint8

const (
	tText tpartKind = iota // policy text: '*' and '?' are wildcards where the operator has them
	tLit                   // literal characters: ${*}, ${?}, ${$}
	tVar                   // a variable
	tBad                   // a malformed variable: never resolves
)

type tpart struct {
	kind   tpartKind
	text   string // tText, tLit
	key    string // tVar: lowered context key
	rawKey string // tVar: the key as written
	def    string
	hasDef bool
}

// parseTemplate splits s into parts. ok is false when s has no variables
// (then s is used as it is).
func parseTemplate(s string) (parts []tpart, ok bool) {
	if !strings.Contains(s, "${") {
		return nil, false
	}
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		end := closeBrace(rest, i+2)
		if end < 0 {
			break // no closing brace: the rest is text
		}
		if i > 0 {
			parts = append(parts, tpart{kind: tText, text: rest[:i]})
		}
		parts = append(parts, parseVariable(rest[i+2:end]))
		rest = rest[end+1:]
	}
	if rest != "" {
		parts = append(parts, tpart{kind: tText, text: rest})
	}
	return parts, true
}

// closeBrace finds the '}' that closes a variable starting at from,
// skipping quoted default text.
func closeBrace(s string, from int) int {
	quoted := false
	for j := from; j < len(s); j++ {
		switch s[j] {
		case '\'':
			quoted = !quoted // '' inside quotes toggles twice: still quoted
		case '}':
			if !quoted {
				return j
			}
		}
	}
	return -1
}

func parseVariable(inner string) tpart {
	in := strings.TrimSpace(inner)
	switch in {
	case "*", "?", "$":
		return tpart{kind: tLit, text: in}
	}
	key, def, hasDef := strings.Cut(in, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " '") {
		return tpart{kind: tBad}
	}
	p := tpart{kind: tVar, key: strings.ToLower(key), rawKey: key}
	if hasDef {
		d := strings.TrimSpace(def)
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			return tpart{kind: tBad, rawKey: key}
		}
		p.def, p.hasDef = strings.ReplaceAll(d[1:len(d)-1], "''", "'"), true
	}
	return p
}

// resolve writes the template's text into b (and, per byte, whether the
// byte is literal into m), replacing variables from ctx. ok is false when a
// variable does not resolve. b and m are appended to: pass stack buffers.
func resolve(parts []tpart, ctx *Context, b []byte, m []bool) ([]byte, []bool, bool) {
	for i := range parts {
		p := &parts[i]
		switch p.kind {
		case tText:
			b = append(b, p.text...)
			for range len(p.text) {
				m = append(m, false)
			}
			continue
		case tBad:
			return b, m, false
		}
		v := p.text
		if p.kind == tVar {
			var ok bool
			if v, ok = ctx.single(p.key); !ok {
				if !p.hasDef {
					return b, m, false
				}
				v = p.def
			}
		}
		b = append(b, v...)
		for range len(v) {
			m = append(m, true)
		}
	}
	return b, m, true
}

// variableKeys lists the keys of the variables in parts, as written.
func variableKeys(parts []tpart) []string {
	var out []string
	for _, p := range parts {
		if p.kind == tVar || (p.kind == tBad && p.rawKey != "") {
			out = append(out, p.rawKey)
		}
	}
	return out
}
