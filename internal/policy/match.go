package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Wildcard matching, as IAM does it.
//
// Actions: case-insensitive; '*' matches any run of characters and '?' any
// one character, anywhere, service prefix included (IAM User Guide, "IAM
// JSON policy elements: Action": "You can use multi-character match
// wildcards (*) and single-character match wildcards (?)"; action names
// are not case sensitive). Patterns are lowered once at compile time and
// the request's action is folded byte by byte while matching (action names
// are ASCII), so matching allocates nothing.
//
// Resource ARNs (IAM User Guide, "IAM JSON policy elements: Resource",
// "Using wildcards in resource ARNs"): "You can use wildcard characters (*
// and ?) within the individual segments of an ARN (the parts separated by
// colons) ... You can use multiple * or ? characters in each segment. If
// the * wildcard is the last character of a resource ARN segment, it can
// expand to match beyond the colon boundaries." rolecall reads that as:
//
//   - An ARN has six segments: arn, partition, service, region, account and
//     the resource, which is everything after the fifth colon, colons
//     included. Pattern and request ARN are split the same way and matched
//     segment by segment; a '*' or '?' inside one of the first five
//     segments does not cross a colon.
//   - In the resource segment '*' matches any run of characters, colons
//     included ("arn:aws:s3:::bucket/*" matches keys with colons in them).
//   - A pattern with fewer than six segments whose last segment ends in '*'
//     lets that segment match the rest of the ARN ("arn:aws:iam::*" matches
//     every IAM ARN; "*" matches everything). A pattern with fewer than six
//     segments otherwise matches only a value with as many segments.
//   - Matching is case-sensitive ("In the Resource element, the IAM user
//     name is case sensitive").
//   - A request resource that is not an ARN (a "*" for actions without
//     resource types) is matched the same way, so only patterns like "*"
//     match it.
//
// ArnEquals/ArnLike (IAM User Guide, "Condition operators", ARN condition
// operators: "Each of the six colon-delimited components of the ARN is
// checked separately and each can include multi-character match wildcards
// (*) or single-character match wildcards (?)") use the same matcher.
//
// StringLike: '*' and '?' anywhere, case-sensitive, over the whole string.

type pkind uint8

const (
	pNone   pkind = iota // matches nothing
	pAny                 // "*"
	pExact               // no wildcards
	pPrefix              // one trailing '*', no other wildcard
	pGlob                // other wildcard patterns
	pVars                // has policy variables: resolved per request
)

// strPat is one compiled pattern or condition value.
type strPat struct {
	kind  pkind
	wild  bool   // '*' and '?' are wildcards
	text  string // pExact: the text; pPrefix: the prefix; pGlob: the pattern
	parts []tpart
	// lit is the literal text every match starts with (pGlob, pVars): a
	// cheap rejection before wildcard matching or resolving variables.
	lit string
}

// compilePattern compiles s. wild makes '*' and '?' wildcards; fold lowers
// ASCII letters (actions); vars reads policy variables.
func compilePattern(s string, wild, fold, vars bool) strPat {
	if fold {
		s = lowerASCII(s)
	}
	if vars {
		if parts, ok := parseTemplate(s); ok {
			p := strPat{kind: pVars, wild: wild, parts: parts}
			if parts[0].kind == tText {
				p.lit = parts[0].text
				if wild {
					p.lit = literalPrefix(p.lit)
				}
			}
			return p
		}
	}
	if !wild {
		return strPat{kind: pExact, text: s}
	}
	switch i := strings.IndexAny(s, "*?"); {
	case s == "*":
		return strPat{kind: pAny, wild: true}
	case i < 0:
		return strPat{kind: pExact, wild: true, text: s}
	case i == len(s)-1 && s[i] == '*':
		return strPat{kind: pPrefix, wild: true, text: s[:i]}
	}
	return strPat{kind: pGlob, wild: true, text: s, lit: literalPrefix(s)}
}

// literalPrefix is s up to its first wildcard.
func literalPrefix(s string) string {
	if i := strings.IndexAny(s, "*?"); i >= 0 {
		return s[:i]
	}
	return s
}

// matchMode says how a pattern is compared with a value.
type matchMode uint8

const (
	mWhole     matchMode = iota // exact, or StringLike glob when wild
	mWholeFold                  // as mWhole, ASCII case-insensitive (actions)
	mARN                        // segment-wise ARN matching
	mFold                       // Unicode case-insensitive equality (StringEqualsIgnoreCase)
)

// resolveBuf is the stack size for patterns with variables; longer ones
// spill to the heap.
const resolveBuf = 256

// match compares s with p. resolved is false when p has a variable that
// does not resolve (p then matches nothing).
func (p *strPat) match(s string, ctx *Context, mode matchMode) (matched, resolved bool) {
	switch p.kind {
	case pNone:
		return false, true
	case pAny:
		return true, true
	case pExact:
		if mode == mFold {
			return strings.EqualFold(p.text, s), true
		}
		if mode == mWholeFold {
			return equalFoldASCII(p.text, s), true
		}
		return p.text == s, true
	case pPrefix:
		if mode == mWholeFold {
			return len(s) >= len(p.text) && equalFoldASCII(p.text, s[:len(p.text)]), true
		}
		// For ARNs too: a trailing '*' is the last character of its
		// segment, so it may cross colons.
		return strings.HasPrefix(s, p.text), true
	case pGlob:
		if !strings.HasPrefix(s, p.lit) && mode != mWholeFold {
			return false, true
		}
		if mode == mARN {
			return arnMatch(p.text, nil, s), true
		}
		return globMatch(p.text, nil, s, mode == mWholeFold), true
	}
	if mode != mFold && !strings.HasPrefix(s, p.lit) {
		return false, true
	}
	var bb [resolveBuf]byte
	var mb [resolveBuf]bool
	b, m, ok := resolve(p.parts, ctx, bb[:0], mb[:0])
	if !ok {
		return false, false
	}
	if !p.wild {
		for i := range m {
			m[i] = true
		}
	}
	switch mode {
	case mFold:
		return equalFoldBytes(b, s), true
	case mARN:
		return arnMatch(b, m, s), true
	}
	return globMatch(b, m, s, mode == mWholeFold), true
}

type patText interface{ ~string | ~[]byte }

// globMatch reports whether s matches p, where unmasked '*' matches any run
// of characters and unmasked '?' one character. m, when not nil, marks
// literal bytes of p. fold lowers ASCII letters of s (p is lowered
// already). Greedy matching with one backtrack point: linear in practice,
// never exponential.
func globMatch[P patText](p P, m []bool, s string, fold bool) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			live := m == nil || !m[pi]
			if live && c == '*' {
				star, mark = pi, si
				pi++
				continue
			}
			if live && c == '?' {
				pi++
				si += runeLen(s, si)
				continue
			}
			sc := s[si]
			if fold && 'A' <= sc && sc <= 'Z' {
				sc += 'a' - 'A'
			}
			if c == sc {
				pi++
				si++
				continue
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		mark += runeLen(s, mark)
		si = mark
	}
	for pi < len(p) && p[pi] == '*' && (m == nil || !m[pi]) {
		pi++
	}
	return pi == len(p)
}

func runeLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

// arnMatch matches s against p segment by segment (see the comment at the
// top of this file).
func arnMatch[P patText](p P, m []bool, s string) bool {
	pi, si := 0, 0
	for seg := 0; ; seg++ {
		pe, se := len(p), len(s)
		if seg < 5 {
			pe = indexByteFrom(p, ':', pi)
			se = indexByteFrom(s, ':', si)
		}
		var pm []bool
		if m != nil {
			pm = m[pi:pe]
		}
		if pe == len(p) { // the pattern's last segment
			if se != len(s) {
				// The value has more segments: only a final '*' reaches them.
				if pe > pi && p[pe-1] == '*' && (m == nil || !m[pe-1]) {
					return globMatch(p[pi:pe], pm, s[si:], false)
				}
				return false
			}
			return globMatch(p[pi:pe], pm, s[si:], false)
		}
		if se == len(s) {
			return false // the value ran out of segments first
		}
		if !globMatch(p[pi:pe], pm, s[si:se], false) {
			return false
		}
		pi, si = pe+1, se+1
	}
}

func indexByteFrom[P patText](p P, c byte, from int) int {
	for i := from; i < len(p); i++ {
		if p[i] == c {
			return i
		}
	}
	return len(p)
}

// lowerASCII lowers ASCII letters only: action names are ASCII, and
// Unicode lowering could change byte lengths.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// equalFoldASCII compares lower (already lowered) with s, folding ASCII
// letters of s.
func equalFoldASCII(lower, s string) bool {
	if len(lower) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// equalFoldBytes is strings.EqualFold for a byte slice and a string,
// without converting either.
func equalFoldBytes(b []byte, s string) bool {
	for len(b) > 0 && len(s) > 0 {
		r1, n1 := utf8.DecodeRune(b)
		r2, n2 := utf8.DecodeRuneInString(s)
		b, s = b[n1:], s[n2:]
		if r1 == r2 {
			continue
		}
		if !foldEq(r1, r2) {
			return false
		}
	}
	return len(b) == 0 && len(s) == 0
}

// foldEq reports whether r1 and r2 are equal under Unicode simple case
// folding, as strings.EqualFold decides it.
func foldEq(r1, r2 rune) bool {
	for r := unicode.SimpleFold(r1); r != r1; r = unicode.SimpleFold(r) {
		if r == r2 {
			return true
		}
	}
	return false
}
