package actions

import "strings"

// MatchResourceType tells which of the action's resource types a concrete
// ARN is, as the authorizer needs to pick the resource-level condition keys:
// "arn:aws:iam::123456789012:role/service-role/r" is iam:PassRole's "role".
// When several match (a Lambda alias ARN also fits the function format),
// the most specific format wins: the one with the most literal characters.
func (a ActionInfo) MatchResourceType(arn string) (ActionResourceType, bool) {
	best, bestScore := -1, -1
	for i := range a.ResourceTypes {
		if score := arnScore(a.ResourceTypes[i].ARN, arn); score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return ActionResourceType{}, false
	}
	return a.ResourceTypes[best], true
}

// ResourceTypeOf tells which resource type of the service named in the
// ARN (its third field) a concrete ARN is, independent of any action.
func ResourceTypeOf(arn string) (ResourceTypeInfo, bool) {
	f := strings.SplitN(arn, ":", 4)
	if len(f) < 4 || f[0] != "arn" {
		return ResourceTypeInfo{}, false
	}
	s := load().service(f[2])
	if s == nil {
		return ResourceTypeInfo{}, false
	}
	d := s.get()
	best, bestScore := -1, -1
	for i := range d.resTypes {
		if score := arnScore(d.resTypes[i].ARN, arn); score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return ResourceTypeInfo{}, false
	}
	return d.resTypes[best], true
}

// MatchARN reports whether a concrete ARN has the format a resource type's
// ARN describes. Placeholders (${Partition}, ${Account}, ${RoleNameWithPath})
// match a non-empty run of characters: within one field in the first five
// ARN fields; in the resource part they stop at '/' and ':' except the last
// placeholder, which takes the rest. The formats do not say which names may
// hold '/' (role paths, log groups, secrets, SSM parameters and S3 keys do),
// so a format also matches ARNs of deeper resources ("bucket" matches
// "arn:aws:s3:::b/key"); MatchResourceType and ResourceTypeOf prefer the
// most specific format. A literal '*' in the format matches anything. Case
// is significant. A format listing several ARNs separated by ", " matches
// if one does.
func MatchARN(format, arn string) bool { return arnScore(format, arn) >= 0 }

// arnScore is -1 if arn does not match format, else the literal length of
// the best matching alternative: a measure of specificity.
func arnScore(format, arn string) int {
	best := -1
	for format != "" {
		var alt string
		alt, format, _ = strings.Cut(format, ", ")
		if matchARN(alt, arn) {
			best = max(best, literalLen(alt))
		}
	}
	return best
}

func matchARN(p, s string) bool {
	// arn, partition, service, region, account: one field each.
	for range 5 {
		pf, prest, ok1 := strings.Cut(p, ":")
		sf, srest, ok2 := strings.Cut(s, ":")
		if !ok1 || !ok2 || !matchTpl(pf, sf, modeField, 0) {
			return false
		}
		p, s = prest, srest
	}
	return matchTpl(p, s, modeResource, 0)
}

func literalLen(p string) int {
	n := 0
	for p != "" {
		if strings.HasPrefix(p, "${") {
			if end := strings.IndexByte(p, '}'); end >= 0 {
				p = p[end+1:]
				continue
			}
		}
		if p[0] != '*' {
			n++
		}
		p = p[1:]
	}
	return n
}

type tplMode uint8

const (
	modeKey      tplMode = iota // condition keys: literals fold case, placeholders take anything
	modeField                   // an ARN header field: exact case, placeholders take anything
	modeResource                // an ARN resource part: see MatchARN
)

// maxDepth bounds backtracking; real formats have at most a handful of
// placeholders.
const maxDepth = 16

// matchTpl matches s against template p: "${Name}" matches a non-empty run,
// '*' (ARN modes only) any run, anything else itself.
func matchTpl(p, s string, mode tplMode, depth int) bool {
	if depth > maxDepth {
		return false
	}
	for p != "" {
		switch {
		case p[0] == '*' && mode != modeKey:
			p = p[1:]
			for i := 0; i <= len(s); i++ {
				if matchTpl(p, s[i:], mode, depth+1) {
					return true
				}
			}
			return false
		case strings.HasPrefix(p, "${") && strings.IndexByte(p, '}') > 0:
			p = p[strings.IndexByte(p, '}')+1:]
			bounded := mode == modeResource && (strings.Contains(p, "${") || strings.Contains(p, "*"))
			for i := 1; i <= len(s); i++ {
				if c := s[i-1]; bounded && (c == '/' || c == ':') {
					return false
				}
				if matchTpl(p, s[i:], mode, depth+1) {
					return true
				}
			}
			return false
		default:
			// A literal run up to the next placeholder or star.
			n := 1
			for n < len(p) && !strings.HasPrefix(p[n:], "${") && (p[n] != '*' || mode == modeKey) {
				n++
			}
			if len(s) < n {
				return false
			}
			if mode == modeKey {
				if !strings.EqualFold(p[:n], s[:n]) {
					return false
				}
			} else if p[:n] != s[:n] {
				return false
			}
			p, s = p[n:], s[n:]
		}
	}
	return s == ""
}

// matchTemplate matches a condition key (or key prefix) against a
// definition that may hold placeholders, case-insensitively.
func matchTemplate(tpl, s string) bool { return matchTpl(tpl, s, modeKey, 0) }

// globFold matches IAM action wildcards: '*' any run, '?' one character,
// ASCII case-insensitive. Linear-time: the classic single-backtrack walk.
func globFold(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || lower(p[pi]) == lower(s[si])):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
