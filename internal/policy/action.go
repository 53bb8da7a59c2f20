package policy

import (
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
)

// checkActionFormat answers the first thing wrong with an Action or
// NotAction value: no vendor prefix (recorded invalid-11, -12), more than
// one colon (invalid-14, -15), a vendor with characters other than letters,
// digits, '-' and '.' (invalid-13; valid-25..-27). Anything goes after the
// colon ("iam: asdf safdsf af " is accepted, valid-1).
func checkActionFormat(a string) *awserr.Error {
	if a == "*" {
		return nil
	}
	vendor, _, found := strings.Cut(a, ":")
	if !found || vendor == "" { // an empty vendor: unverified
		return malformed(msgVendorPrefix)
	}
	if strings.Count(a, ":") > 1 {
		return malformed(msgOneColon)
	}
	if vendor == "*" {
		return nil
	}
	for i := 0; i < len(vendor); i++ {
		c := vendor[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return errVendor(vendor)
		}
	}
	return nil
}

// trustActions are the actions a role trust policy may allow: IAM refuses
// any other with "AssumeRole policy may only specify STS AssumeRole
// actions." (recorded for sts:InvalidAction; hashicorp/terraform-provider-aws
// #32872 for sts:TagSessions). The list is the IAM User Guide's (trust
// policies, session tags, source identity, trusted identity propagation).
var trustActions = []string{
	"sts:AssumeRole",
	"sts:AssumeRoleWithSAML",
	"sts:AssumeRoleWithWebIdentity",
	"sts:TagSession",
	"sts:SetSourceIdentity",
	"sts:SetContext",
}

// trustAction reports whether a names at least one trust action. Action
// names are case-insensitive; a wildcard pattern such as "sts:Assume*" or
// "*" counts when it matches one (unverified: no AWS answer to a wildcard
// in a trust policy was found).
func trustAction(a string) bool {
	for _, t := range trustActions {
		if matchWildcard(strings.ToLower(a), strings.ToLower(t)) {
			return true
		}
	}
	return false
}

// MatchWildcard is matchWildcard, for the services whose own filters
// have IAM's wildcards (EC2's Describe filters: * and ?).
func MatchWildcard(pattern, s string) bool { return matchWildcard(pattern, s) }

// matchWildcard reports whether s matches pattern, where '*' matches any
// run of characters and '?' any one character, as IAM matches actions and
// resources. Comparison is exact; callers fold case where IAM does.
func matchWildcard(pattern, s string) bool {
	// Iterative matching with one backtrack point: linear in practice and
	// never exponential.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
