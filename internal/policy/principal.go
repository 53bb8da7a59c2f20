package policy

import (
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
)

// partitions IAM knows. A principal or resource ARN must name one of them.
var partitions = map[string]bool{
	"aws": true, "aws-cn": true, "aws-us-gov": true,
	"aws-iso": true, "aws-iso-b": true, "aws-iso-e": true, "aws-iso-f": true,
	"aws-eusc": true,
}

// checkPrincipalValues validates the values of a trust or resource policy's
// principals, answering as IAM does for the first one it rejects (types in
// the order of principalTypes, values in document order; which of two bad
// types IAM names first is unverified). It checks shape only; whether a named user, role or service
// exists is the caller's question (AWSPrincipals, ServicePrincipals).
func checkPrincipalValues(p *Principal, kind Kind) *awserr.Error {
	if p == nil || p.Any {
		return nil
	}
	for _, typ := range principalTypes {
		for _, v := range p.ByType[typ] {
			switch typ {
			case PrincipalAWS:
				if !validAWSPrincipal(v) {
					return InvalidPrincipal(InvalidPrincipalAWS, v)
				}
			case PrincipalService:
				if !validServicePrincipal(v) {
					return InvalidPrincipal(InvalidPrincipalService, v)
				}
			case PrincipalFederated:
				if !validFederatedPrincipal(v) {
					return malformed(msgFederated)
				}
			case PrincipalCanonicalUser:
				// Roles cannot be assumed by S3 canonical users (unverified
				// text); other resource policies take a 64-hex-digit ID.
				if kind == Trust || !validCanonicalUser(v) {
					return InvalidPrincipal(InvalidPrincipalCanonicalUser, v)
				}
			}
		}
	}
	return nil
}

// empty reports whether a principal names nobody: {} or {"AWS": []}.
func (p *Principal) empty() bool {
	if p.Any {
		return false
	}
	for _, vs := range p.ByType {
		if len(vs) > 0 {
			return false
		}
	}
	return true
}

// validAWSPrincipal accepts "*", a 12-digit account ID, and the ARNs of an
// account root, a user, a role, an assumed-role session or a federated user
// (IAM User Guide, "AWS JSON policy elements: Principal"). Wildcards inside
// an ARN are refused: `Invalid principal in policy:
// "AWS":"arn:aws:sts::123456789012:assumed-role/204503-PowerUser/*"` is
// reported publicly. So is any other string (`"AWS":"Calling [toJSON] on an
// [Output<T>] is not supported..."`, a Pulumi report).
func validAWSPrincipal(v string) bool {
	if v == "*" || arn.IsAccountID(v) || IsUniqueID(v) {
		return true
	}
	if strings.ContainsAny(v, "*?") {
		return false
	}
	a, err := arn.Parse(v)
	if err != nil || !partitions[a.Partition] || a.Region != "" {
		return false
	}
	switch a.Service {
	case "iam":
		if a.Account == "cloudfront" { // S3 origin access identities
			return strings.HasPrefix(a.Resource, "user/CloudFront Origin Access Identity ")
		}
		if !arn.IsAccountID(a.Account) {
			return false
		}
		if a.Resource == "root" {
			return true
		}
		kind, rest, _ := strings.Cut(a.Resource, "/")
		return (kind == "user" || kind == "role") && validPathName(rest)
	case "sts":
		if !arn.IsAccountID(a.Account) {
			return false
		}
		kind, rest, _ := strings.Cut(a.Resource, "/")
		switch kind {
		case "assumed-role":
			role, session, ok := strings.Cut(rest, "/")
			return ok && validName(role) && validName(session)
		case "federated-user":
			return validName(rest)
		}
	}
	return false
}

// validPathName accepts [path/]name with IAM's name characters.
func validPathName(s string) bool {
	if s == "" || strings.HasSuffix(s, "/") {
		return false
	}
	for _, part := range strings.Split(s, "/") {
		if part != "" && !validName(part) {
			return false
		}
	}
	return true
}

// validName accepts IAM's name characters: [\w+=,.@-]+.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_+=,.@-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// IsUniqueID reports whether v is the unique ID of an IAM user (AIDA...)
// or role (AROA...). IAM keeps a trust policy's user and role principals
// as these IDs: an ARN naming one "transforms to the role's unique
// principal ID when you save the policy", and after the role is deleted
// "the principal ID appears" in the policy, matching no new role of the
// same name (IAM User Guide, "AWS JSON policy elements: Principal"). IAM
// accepts them written in a policy too (it shows them as the ARN while
// the entity exists).
func IsUniqueID(v string) bool {
	if len(v) < 20 || len(v) > 128 || !(strings.HasPrefix(v, "AIDA") || strings.HasPrefix(v, "AROA")) {
		return false
	}
	for i := 4; i < len(v); i++ {
		if c := v[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// serviceSuffixes are the domains of AWS service principals.
var serviceSuffixes = []string{".amazonaws.com", ".amazonaws.com.cn", ".amazon.com", ".c2s.ic.gov", ".sc2s.sgov.gov"}

// validServicePrincipal accepts a service principal's shape, such as
// "ecs-tasks.amazonaws.com" or "logs.us-east-1.amazonaws.com". The bare
// domain is refused (`Invalid principal in policy: "SERVICE":"amazonaws.com"`,
// aws-samples/aws-cdk-examples #801).
func validServicePrincipal(v string) bool {
	for _, suf := range serviceSuffixes {
		if name, ok := strings.CutSuffix(v, suf); ok && name != "" {
			return isDomain(name)
		}
	}
	return false
}

// validFederatedPrincipal accepts a SAML or OIDC provider ARN, or an
// identity provider's domain name ("cognito-identity.amazonaws.com",
// "accounts.google.com", "graph.facebook.com", "www.amazon.com").
func validFederatedPrincipal(v string) bool {
	if strings.HasPrefix(v, "arn:") {
		a, err := arn.Parse(v)
		if err != nil || !partitions[a.Partition] || a.Service != "iam" || a.Region != "" || !arn.IsAccountID(a.Account) {
			return false
		}
		kind, rest, _ := strings.Cut(a.Resource, "/")
		return (kind == "saml-provider" || kind == "oidc-provider") && rest != "" && !strings.ContainsAny(rest, "*? ")
	}
	return strings.Contains(v, ".") && isDomain(v)
}

// isDomain accepts dot-separated labels of lowercase letters, digits and
// hyphens.
func isDomain(s string) bool {
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func validCanonicalUser(v string) bool {
	if len(v) != 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
