package appautoscaling

import (
	"net/http"

	"github.com/rolecall/rolecall/internal/awserr"
)

// Application Auto Scaling's errors. The model gives its exceptions no
// HTTP status; AWS answers them with 400 ("Status Code: 400; Error Code:
// AccessDeniedException", aws-samples/aws-application-auto-scaling-kinesis
// #1; "StatusCode: 400 ... ObjectNotFoundException", cloudposse/
// terraform-aws-ecs-cloudwatch-autoscaling #36). Texts are AWS's, with
// the source beside each; those marked "rolecall's wording" are cases no
// public record shows.

func validation(format string, args ...any) error {
	return awserr.New(http.StatusBadRequest, "ValidationException", format, args...)
}

func objectNotFound(format string, args ...any) error {
	return awserr.New(http.StatusBadRequest, "ObjectNotFoundException", format, args...)
}

// errUnsupported: a namespace, resource ID and dimension that do not go
// together, "the exact service response" of a RegisterScalableTarget
// recorded against AWS in a public API study (2026; moto answers the same
// text). rolecall serves ECS services only, and answers it for the other
// namespaces too, which AWS serves.
func errUnsupported() error {
	return validation("Unsupported service namespace, resource type or scalable dimension")
}

// errNoService: RegisterScalableTarget for an ECS service that does not
// exist, ValidationException "ECS service doesn't exist" (hashicorp/
// terraform-provider-aws retries on it; Spinnaker's clouddriver says so
// in a comment); the resource ID after the colon is moto's text.
func errNoService(resourceID string) error {
	return validation("ECS service doesn't exist: %s", resourceID)
}

// errNotRegistered: PutScalingPolicy without a scalable target
// (cloudposse/terraform-aws-ecs-cloudwatch-autoscaling #36; ansible/
// ansible #35632). rolecall answers PutScheduledAction the same.
func errNotRegistered(r targetRef) error {
	return objectNotFound("No scalable target registered for service namespace: %s, resource ID: %s, scalable dimension: %s", r.Namespace, r.ResourceID, r.Dimension)
}

// errTargetNotFound: DeregisterScalableTarget of a target never registered
// (a public lab comparing an emulator with AWS reports it "as on AWS",
// FlociLab 2026; moto's text).
func errTargetNotFound(r targetRef) error {
	return objectNotFound("No scalable target found for service namespace: %s, resource ID: %s, scalable dimension: %s", r.Namespace, r.ResourceID, r.Dimension)
}

// errPolicyNotFound: DeleteScalingPolicy of a policy that does not exist;
// moto's text, with the code the model lists. Unverified against AWS.
func errPolicyNotFound(r targetRef, name string) error {
	return objectNotFound("No scaling policy found for service namespace: %s, resource ID: %s, scalable dimension: %s, policy name: %s", r.Namespace, r.ResourceID, r.Dimension, name)
}

// errScheduledActionNotFound: rolecall's wording, after the policy's.
func errScheduledActionNotFound(r targetRef, name string) error {
	return objectNotFound("No scheduled action found for service namespace: %s, resource ID: %s, scalable dimension: %s, scheduled action name: %s", r.Namespace, r.ResourceID, r.Dimension, name)
}

// UnableToAssumeRole: a RoleARN that names no role, ValidationException
// "Unable to assume IAM role: ARN" (aws-samples/amazon-bedrock-samples
// #285, status 400; hashicorp/terraform-provider-aws retries on "Unable to
// assume IAM role"). Exported for Roles that find no service-linked role
// to use and create none (a state import).
func UnableToAssumeRole(roleArn string) error {
	return validation("Unable to assume IAM role: %s", roleArn)
}

// errTagsOnExisting: RegisterScalableTarget with Tags for a target that
// exists (terraform-aws-modules/terraform-aws-rds-aurora #420).
func errTagsOnExisting() error {
	return validation("The scalable target that you tried to tag already exists. To update tags on an existing scalable target, use the TagResource API.")
}

// errCapacityRequired: a new target without MinCapacity or MaxCapacity
// ("Required if you are registering a scalable target", API reference);
// rolecall's wording.
func errCapacityRequired() error {
	return validation("MinCapacity and MaxCapacity are required to register a new scalable target")
}

// errMinAboveMax: AWS refuses a minimum above the maximum with
// ValidationException (FlociLab 2026, against AWS); rolecall's wording.
func errMinAboveMax(min, max int32) error {
	return validation("MinCapacity (%d) cannot be greater than MaxCapacity (%d)", min, max)
}

// errScheduleCapacity: PutScheduledAction without a capacity to set
// (aws-cloudformation/community-registry-extensions #255).
func errScheduleCapacity() error {
	return validation("At least one of minimum capacity and maximum capacity should be provided")
}

// errScheduleRequired: a new scheduled action without Schedule;
// rolecall's wording.
func errScheduleRequired() error {
	return validation("Schedule is required to create a scheduled action")
}

// errPolicyConfiguration: a policy whose type's configuration is missing
// ("TargetTrackingScalingPolicyConfiguration ... This parameter is
// required if you are creating a policy and the policy type is
// TargetTrackingScaling", API reference); rolecall's wording.
func errPolicyConfiguration(policyType, member string) error {
	return validation("%s is required for a policy of type %s", member, policyType)
}

// errResourceNotFound: TagResource, UntagResource or ListTagsForResource
// for an ARN that names no scalable target. The text is the exception's
// description in the API reference ("The specified resource could not
// be found."); AWS's message on the wire is unverified.
func errResourceNotFound() error {
	return awserr.New(http.StatusBadRequest, "ResourceNotFoundException", "The specified resource could not be found.")
}

// errTooManyTags: more than maxTags tags on a target (AWS's usual limit of
// 50 a resource; unverified for scalable targets). The text is the
// exception's description in the API reference.
func errTooManyTags() error {
	return awserr.New(http.StatusBadRequest, "TooManyTagsException", "The request contains too many tags. Try the request again with fewer tags.")
}

// errBadToken: a NextToken rolecall did not issue; rolecall's wording.
func errBadToken() error {
	return awserr.New(http.StatusBadRequest, "InvalidNextTokenException", "The NextToken is not valid.")
}

// errInvalidSchedule: PutScheduledAction with a Schedule that is no
// at(...), rate(...) or cron(...) expression Application Auto Scaling
// reads. "Invalid schedule expression" is how AWS answers one (aws/
// aws-cdk #6053); what follows the colon, saying why, is rolecall's
// (unverified).
func errInvalidSchedule(detail string) error {
	return validation("Invalid schedule expression: %s", detail)
}

// errInvalidTimezone: a Timezone that is no IANA time zone name ("The
// supported time zone values are the canonical names of the IANA time
// zones supported by Joda-Time", user guide); rolecall's wording
// (unverified).
func errInvalidTimezone(detail string) error {
	return validation("Invalid time zone: %s", detail)
}
