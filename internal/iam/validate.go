package iam

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog/managed"
	"github.com/rolecall/rolecall/internal/policy"
)

// The protocol codec checks every model constraint (lengths, patterns,
// ranges) before a wire request reaches the domain. The checks here are the
// few the domain relies on for its own integrity, so that a direct caller
// (a test, a later service creating roles itself) cannot store a record AWS
// would never hold.

const (
	maxRoleName    = 64
	maxUserName    = 64
	maxGroupName   = 128
	maxPolicyName  = 128
	maxProfileName = 128
	maxPath        = 512
	maxDescription = 1000
)

func checkName(member, name string, max int) error {
	if name == "" || utf8.RuneCountInString(name) > max {
		return errLength(member, name, max)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0) {
			return errValidation(member, name, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
		}
	}
	return nil
}

// cleanPath defaults an empty path to "/" and checks that it begins and
// ends with '/'.
func cleanPath(member, path string) (string, error) {
	if path == "" {
		return "/", nil
	}
	if len(path) > maxPath {
		return "", errLength(member, path, maxPath)
	}
	if path[0] != '/' || path[len(path)-1] != '/' {
		return "", errValidation(member, path, `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	}
	for i := 0; i < len(path); i++ {
		if path[i] < 0x21 || path[i] > 0x7e {
			return "", errValidation(member, path, `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
		}
	}
	return path, nil
}

func checkDescription(member, d string) error {
	if utf8.RuneCountInString(d) > maxDescription {
		return errValidation(member, d, "Member must have length less than or equal to 1000")
	}
	return nil
}

func checkMaxSessionDuration(d int32) error {
	switch {
	case d < DefaultMaxSessionDuration:
		return errValidation("maxSessionDuration", strconv.Itoa(int(d)), "Member must have value greater than or equal to 3600")
	case d > MaxMaxSessionDuration:
		return errValidation("maxSessionDuration", strconv.Itoa(int(d)), "Member must have value less than or equal to 43200")
	}
	return nil
}

// policySize is a document's size as IAM counts it against its quotas.
func policySize(doc string) int { return policy.NonWhitespaceLen(doc) }

// parseIdentity validates an identity policy (managed or inline).
func parseIdentity(doc string) (*policy.Document, error) {
	return policy.Parse(doc, policy.Identity)
}

// Tag rules. Role, user and instance profile tag keys are unique regardless
// of case; managed policy tag keys are case-sensitive (both recorded).
type tagRules struct {
	caseFold     bool
	duplicateErr error
}

var (
	roleTags    = tagRules{caseFold: true, duplicateErr: errDuplicateTagKeys}
	userTags    = tagRules{caseFold: true, duplicateErr: errDuplicateTagKeys}
	profileTags = tagRules{caseFold: true, duplicateErr: errDuplicateTagKeys}
	policyTags  = tagRules{caseFold: false, duplicateErr: errDuplicatePolicyTagKeys}
)

func (r tagRules) key(k string) string {
	if r.caseFold {
		return strings.ToLower(k)
	}
	return k
}

// check validates a request's tags: no duplicate keys, at most 50.
func (r tagRules) check(tags []Tag) error {
	if len(tags) > QuotaTagsPerEntity {
		return errValidationList("tags")
	}
	seen := make(map[string]bool, len(tags))
	for i, t := range tags {
		if t.Key == "" {
			return errValidationNoValue("tags."+strconv.Itoa(i+1)+".member.key", "Member must have length greater than or equal to 1")
		}
		if utf8.RuneCountInString(t.Key) > 128 {
			return errLengthMember("tags."+strconv.Itoa(i+1)+".member.key", 128)
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return errLengthMember("tags."+strconv.Itoa(i+1)+".member.value", 256)
		}
		k := r.key(t.Key)
		if seen[k] {
			return r.duplicateErr
		}
		seen[k] = true
	}
	return nil
}

// merge adds or replaces tags in set; new keys go at the end, replaced keys
// keep their place. A case-insensitive match takes the new key's case.
func (r tagRules) merge(set, tags []Tag) ([]Tag, error) {
	if err := r.check(tags); err != nil {
		return nil, err
	}
	out := append([]Tag(nil), set...)
	for _, t := range tags {
		found := false
		for i := range out {
			if r.key(out[i].Key) == r.key(t.Key) {
				out[i] = t
				found = true
				break
			}
		}
		if !found {
			out = append(out, t)
		}
	}
	if len(out) > QuotaTagsPerEntity {
		return nil, errTagQuota
	}
	return r.order(out), nil
}

// remove drops the tags with these keys; unknown keys are ignored.
func (r tagRules) remove(set []Tag, keys []string) []Tag {
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		drop[r.key(k)] = true
	}
	var out []Tag
	for _, t := range set {
		if !drop[r.key(t.Key)] {
			out = append(out, t)
		}
	}
	return out
}

// order is how IAM lists an entity's tags. Roles, users and instance
// profiles keep the order tags were added in; ListPolicyTags answers
// shorter keys first, then in byte order (recorded: a, b, z, abc).
func (r tagRules) order(tags []Tag) []Tag {
	if r.caseFold {
		return tags
	}
	out := append([]Tag(nil), tags...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && policyTagLess(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func policyTagLess(a, b Tag) bool {
	if len(a.Key) != len(b.Key) {
		return len(a.Key) < len(b.Key)
	}
	return a.Key < b.Key
}

func errValidationList(member string) error {
	return errValidationNoValue(member, "Member must have length less than or equal to 50")
}

func errLengthMember(member string, max int) error {
	return errValidationNoValue(member, "Member must have length less than or equal to "+strconv.Itoa(max))
}

// errValidationNoValue is the form IAM uses for list members (no value quoted).
func errValidationNoValue(member, constraint string) error {
	return awserr.ValidationError("1 validation error detected: Value at '%s' failed to satisfy constraint: %s", member, constraint)
}

// policyARN is a parsed managed policy ARN.
type policyARN struct {
	arn        string
	awsManaged bool
	account    string
	path, name string
}

// parsePolicyARN splits a policy ARN. ok is false for an ARN that is well
// formed but names no IAM policy; err is set for a string that is not an
// ARN at all.
func parsePolicyARN(s string) (p policyARN, ok bool, err error) {
	a, perr := arn.Parse(s)
	if perr != nil {
		return p, false, errArnNotValid(s)
	}
	if a.Service != "iam" || a.Region != "" || !strings.HasPrefix(a.Resource, "policy/") {
		return p, false, nil
	}
	rest := a.Resource[len("policy"):] // "/path/name"
	i := strings.LastIndexByte(rest, '/')
	p = policyARN{arn: s, account: a.Account, path: rest[:i+1], name: rest[i+1:]}
	if p.name == "" {
		return p, false, nil
	}
	if a.Account == "aws" {
		p.awsManaged = true
		return p, a.Partition == "aws", nil
	}
	return p, a.Partition == "aws", nil
}

// isServiceRolePolicy says whether an AWS managed policy is one IAM keeps
// for service-linked roles (path /aws-service-role/): those attach only to
// service-linked roles.
func isServiceRolePolicy(p policyARN) bool {
	return p.awsManaged && strings.HasPrefix(p.path, "/aws-service-role/")
}

// lookupManaged finds an AWS managed policy.
func lookupManaged(arn string) (*managed.Policy, bool) { return managed.Lookup(arn) }
