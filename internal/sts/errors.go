package sts

import (
	"net/http"

	"github.com/rolecall/rolecall/internal/awserr"
)

// AWS's STS answers, with their sources.

// errInvalidARN: "nothing-valid-in-here is invalid" (recorded,
// test_sts_invalid_parameters).
func errInvalidARN(a string) error { return awserr.ValidationError("%s is invalid", a) }

// errNotAuthorized: 403 AccessDenied "User: arn:... is not authorized to
// perform: sts:AssumeRole on resource: arn:aws:iam::ACCOUNT:role/NAME",
// with no "because ..." reason (Netflix/security_monkey #77 raw XML,
// reports to 2024). The resource is the RoleArn as given, also when no such
// role exists (AWS does not say which: uswitch/kiam #33).
func errNotAuthorized(caller, action, resource string) error {
	return awserr.AccessDenied("User: %s is not authorized to perform: %s on resource: %s", caller, action, resource)
}

// errNoSuchSessionPolicy: a managed session policy that does not exist.
// AWS's text is unverified; rolecall words it as IAM words a policy it
// cannot attach ("Policy ARN does not exist or is not attachable.", 404
// NoSuchEntity), rather than ignoring the ARN, which would hand the session
// the role's full permissions.
func errNoSuchSessionPolicy(a string) error {
	return awserr.NoSuchEntity("Policy %s does not exist or is not attachable.", a)
}

// errRootAssume: "Roles may not be assumed by root accounts." (kubeflow/
// testing #961, AccessDenied on AssumeRole).
func errRootAssume() error { return awserr.AccessDenied("Roles may not be assumed by root accounts.") }

// errSessionCredentials: "Cannot call GetSessionToken with session
// credentials" (AccessDenied; aws/aws-sdk-php #1876, aws/aws-sdk-net #1704).
func errSessionCredentials() error {
	return awserr.AccessDenied("Cannot call GetSessionToken with session credentials")
}

// errMaxSessionDuration: 400 ValidationError (kreuzwerker/awsu #27).
func errMaxSessionDuration() error {
	return awserr.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
}

// errChainedDuration: ValidationError (99designs/aws-vault #263).
func errChainedDuration() error {
	return awserr.ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
}

// Session tag errors: 400 InvalidParameterValue (recorded,
// test_assume_role_tag_validation, test_iam_role_chaining_override_transitive_tags).
func invalidParameter(msg string) error {
	return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "%s", msg)
}

func errDuplicateTagKeys() error {
	return invalidParameter("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
}

func errTransitiveNotInTags() error {
	return invalidParameter("The specified transitive tag key must be included in the requested tags.")
}

func errTransitiveConflict() error {
	return invalidParameter("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
}

// errTooManyPolicyArns: the model leaves PolicyArns unbounded; AWS
// documents at most 10. Worded as the model's length constraints are
// (unverified).
func errTooManyPolicyArns() error {
	return awserr.ValidationError("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")
}

// PackedPolicyTooLarge: 400, "Packed policy consumes n% of allotted space,
// please use smaller policy." and "Packed size of session tags consumes n%
// of allotted space." (AWS re:Post knowledge center, "iam-role-aws-sts-error").
func errPackedPolicy(pct int) error {
	return awserr.New(http.StatusBadRequest, "PackedPolicyTooLarge", "Packed policy consumes %d%% of allotted space, please use smaller policy.", pct)
}

func errPackedTags(pct int) error {
	return awserr.New(http.StatusBadRequest, "PackedPolicyTooLarge", "Packed size of session tags consumes %d%% of allotted space.", pct)
}
