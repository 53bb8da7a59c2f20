package policy

import (
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
)

// IAM checks a Resource or NotResource value twice. Its legacy parser
// refuses some ARNs of a known partition outright ("The policy failed legacy
// parsing"); later, the format check explains what is wrong with the rest.
// Both sets of rules are read off LocalStack's recordings of real AWS
// (test_create_policy_invalid_document, invalid-16..-25, -35..-38, -55,
// -56, -68, -71, -77; valid-8, -9, -12..-15).

// legacyResourceOK is the legacy parser's rule: an ARN of a known partition
// with an empty service ("arn:aws::fdsasf", "arn:aws::::example_bucket"),
// or with "::" but fewer than six sections ("arn:aws:s3::example_bucket"),
// is refused. "arn:aws:fdsasf" and "arn:aws" pass here.
func legacyResourceOK(r string) bool {
	if r == "*" {
		return true
	}
	parts := strings.Split(r, ":")
	if len(parts) < 2 || parts[0] != "arn" || !(partitions[parts[1]] || parts[1] == "*") {
		return true // the format check answers for these
	}
	if strings.Contains(r, "::") && len(parts) < 6 {
		return false
	}
	return len(parts) < 3 || parts[2] != ""
}

// iamResourcePrefixes are the resource types an iam ARN may name (recorded
// invalid-35).
var iamResourcePrefixes = []string{
	"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
	"server-certificate/", "policy/", "sms-mfa/", "saml-provider/",
	"oidc-provider/", "report/", "access-report/",
}

// checkResourceFormat answers the first thing wrong with r's format.
func checkResourceFormat(r string) *awserr.Error {
	if r == "*" {
		return nil
	}
	parts := strings.Split(r, ":")
	if len(parts) < 2 {
		return errResourceFormat(r) // no colon at all, "" included
	}
	// Whatever comes first, IAM reads the second section as the partition
	// and, in its answer, rewrites the value as a six-section ARN, filling
	// missing sections with "*": "a:b:cadfsdf" -> "arn:b:cadfsdf:*:*:*".
	if p := parts[1]; !partitions[p] && p != "*" {
		return errPartition(p, "arn:"+p+":"+sixSections(parts[2:]))
	}
	if len(parts) < 3 || parts[2] == "" || strings.ContainsAny(parts[2], "*?") {
		return malformed(msgResourceVendor)
	}
	service := parts[2]
	// S3's regional resources (access points, batch jobs) carry an account
	// and are accepted (recorded valid-50); a bucket ARN, which has none,
	// may not name a region (invalid-56). IAM has no regional resources.
	if len(parts) > 3 && parts[3] != "" &&
		(service == "iam" || service == "s3" && (len(parts) < 5 || parts[4] == "")) {
		return errRegion(service, r)
	}
	if service == "iam" {
		path := ""
		if len(parts) > 5 {
			path = strings.Join(parts[5:], ":")
		}
		if !validIAMResourcePath(path) {
			return malformed(msgIAMPath)
		}
	}
	return nil
}

// sixSections renders the sections after the partition as the four IAM
// prints: service, region, account and resource, "*" where missing.
func sixSections(rest []string) string {
	sec := [4]string{"*", "*", "*", "*"}
	switch {
	case len(rest) == 1 && rest[0] == "":
		// a lone empty service prints as "*"
	case len(rest) > 3:
		copy(sec[:3], rest[:3])
		sec[3] = strings.Join(rest[3:], ":")
	default:
		copy(sec[:], rest)
	}
	return strings.Join(sec[:], ":")
}

func validIAMResourcePath(path string) bool {
	if path == "*" || path == "root" {
		return true
	}
	for _, p := range iamResourcePrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}
