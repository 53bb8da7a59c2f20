package policy

import (
	"github.com/rolecall/rolecall/internal/awserr"
)

// AWS's texts for MalformedPolicyDocument (HTTP 400). "recorded" means the
// text is in a response recorded against real AWS: LocalStack's
// tests/aws/services/iam/test_iam_policies.snapshot.json
// (test_create_policy_invalid_document[invalid-N], recorded 2026-02) or
// test_iam.snapshot.json / test_iam_roles.snapshot.json. Texts marked
// unverified are rolecall's choice in AWS's style.
const (
	// recorded invalid-0, -3..-10, -26, -31, -39..-54, -57, -58, -61, -62.
	msgSyntax = "Syntax errors in policy."
	// recorded test_create_role_with_malformed_assume_role_policy_document.
	msgTrustInvalidJSON = "This policy contains invalid Json"
	// recorded invalid-1, -2, -60, -65, -66.
	msgVersion = "Policy document must be version 2012-10-17 or greater."
	// recorded invalid-36, -37, -63, -64, -67..-77.
	msgLegacy = "The policy failed legacy parsing"
	// recorded invalid-59.
	msgSidUnique = "Statement IDs (SID) in a single policy must be unique."
	// CloudTrail record of a CreatePolicy with Sid "Atomic_Red_Team"
	// (splunk/attack_data T1580 capture, 2021).
	msgSidAlnum = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	// recorded invalid-30, -32..-34.
	msgNoActions = "Policy statement must contain actions."
	// recorded invalid-27..-29.
	msgNoResources = "Policy statement must contain resources."
	// recorded invalid-11, -12.
	msgVendorPrefix = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	// recorded invalid-14, -15.
	msgOneColon = "Actions/Condition can contain only one colon."
	// recorded invalid-38.
	msgResourceVendor = "Resource vendor must be fully qualified and cannot contain regexes."
	// recorded invalid-35.
	msgIAMPath = `IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`
	// hashicorp/terraform #13449, hashicorp/terraform-provider-aws #10419.
	msgNoPrincipalAllowed = "Policy document should not specify a principal."
	// recorded test_update_assume_role_policy_errors (sts:InvalidAction);
	// hashicorp/terraform-provider-aws #32872 (sts:TagSessions).
	msgTrustActions = "AssumeRole policy may only specify STS AssumeRole actions."
	// hashicorp/terraform-provider-aws #7756 (status code: 400).
	msgTrustNoPrincipal = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"
	// terraform-aws-modules/terraform-aws-iam #202, terraform-aws-eks #2594.
	msgFederated = "Federated principals must be valid domain names or SAML metadata ARNs"
	// S3's text for a bucket policy statement without a principal
	// (humanmade/S3-Uploads #191); used for Resource policies. Unverified for
	// IAM.
	msgResourceNoPrincipal = "Missing required field Principal"
	// Unverified: the docs say NotPrincipal must be used with Deny
	// (reference_policies_elements_notprincipal); no AWS text found.
	msgNotPrincipalAllow = "NotPrincipal must be used with \"Effect\":\"Deny\"."
)

// recorded invalid-16..-20 and a CloudTrail record ("Resource
// 174313347505.dkr.ecr.us-west-2.amazonaws.com/mhart-experimental must be in
// ARN format or \"*\".").
func errResourceFormat(r string) *awserr.Error {
	return malformed(`Resource ` + r + ` must be in ARN format or "*".`)
}

// recorded invalid-21..-25.
func errPartition(partition, resource string) *awserr.Error {
	return malformed(`Partition "` + partition + `" is not valid for resource "` + resource + `".`)
}

// recorded invalid-55 (iam: "cannot") and invalid-56 (s3: "can not").
func errRegion(service, resource string) *awserr.Error {
	if service == "iam" {
		return malformed("IAM resource " + resource + " cannot contain region information.")
	}
	return malformed("Resource " + resource + " can not contain region information.")
}

// recorded invalid-13 ("Vendor a a is not valid").
func errVendor(vendor string) *awserr.Error {
	return malformed("Vendor " + vendor + " is not valid")
}

// Trust policies name each prohibited element: "Has prohibited field
// Resource" is recorded (test_update_assume_role_policy_errors); the same
// form for NotResource and NotPrincipal is unverified.
func errProhibited(field string) *awserr.Error {
	return malformed("Has prohibited field " + field)
}

// InvalidPrincipal is IAM's answer to a principal it rejects, for example a
// trust policy naming a role that does not exist:
//
//	Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/NAME"
//
// typ is the type as IAM prints it: "AWS" (opstrace/opstrace #88, databrickslabs/ucx
// #2269, aws-samples/aws-iam-access-key-auto-rotation #26) or "SERVICE"
// (hashicorp/terraform #35086, aws-samples/aws-cdk-examples #801); IAM
// prints the type in capitals.
func InvalidPrincipal(typ, value string) *awserr.Error {
	return malformed(`Invalid principal in policy: "` + typ + `":"` + value + `"`)
}

// Types as InvalidPrincipal prints them.
const (
	InvalidPrincipalAWS     = "AWS"
	InvalidPrincipalService = "SERVICE"
	// Unverified: by analogy with "SERVICE".
	InvalidPrincipalCanonicalUser = "CANONICAL_USER"
	// InvalidPrincipalFederated is a SAML or OpenID Connect provider ARN
	// that names no provider. Unverified, by analogy with "SERVICE": no
	// public record of AWS's answer was found.
	InvalidPrincipalFederated = "FEDERATED"
)

func malformed(msg string) *awserr.Error { return awserr.MalformedPolicyDocument("%s", msg) }
