package ecs

import (
	"net/http"

	"github.com/rolecall/rolecall/internal/awserr"
)

// ECS's errors. The ECS model gives its exceptions no HTTP status, so they
// are 400, as AWS answers every one of them (aws-facts.md, ECS), except
// ServerException (500). Texts are AWS's, with the source beside each; the
// few marked "rolecall's wording" are cases no public record shows.

func clientException(format string, args ...any) error {
	return awserr.New(http.StatusBadRequest, "ClientException", format, args...)
}

func invalidParameter(format string, args ...any) error {
	return awserr.New(http.StatusBadRequest, "InvalidParameterException", format, args...)
}

// errClusterNotFound: k1LoW/awspec #473 and others (aws-facts.md).
func errClusterNotFound() error {
	return awserr.New(http.StatusBadRequest, "ClusterNotFoundException", "Cluster not found.")
}

// errClusterInactive: CreateService/UpdateService/RunTask on a deleted
// (INACTIVE) cluster, "ClusterNotFoundException: The referenced cluster
// was inactive." (public deployment notes quoting the CLI).
func errClusterInactive() error {
	return awserr.New(http.StatusBadRequest, "ClusterNotFoundException", "The referenced cluster was inactive.")
}

// errClusterNotFoundAgent: RegisterContainerInstance answers ClientException
// rather than ClusterNotFoundException (aws/amazon-ecs-agent #750).
func errClusterNotFoundAgent() error { return clientException("Cluster not found.") }

// DeleteCluster conflicts (aws-facts.md).
func errClusterContainsServices() error {
	return awserr.New(http.StatusBadRequest, "ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.")
}
func errClusterContainsInstances() error {
	return awserr.New(http.StatusBadRequest, "ClusterContainsContainerInstancesException", "The Cluster cannot be deleted while Container Instances are active or draining.")
}
func errClusterContainsTasks() error {
	return awserr.New(http.StatusBadRequest, "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
}

// errClusterContainsProviders: a cluster with a Managed Instances
// (cluster-scoped) capacity provider (ekristen/aws-nuke #990, 2026).
func errClusterContainsProviders() error {
	return clientException("The Cluster cannot be deleted while Cluster Scoped Capacity Providers are attached to the cluster.")
}

// errServiceNotFound: hashicorp/terraform PR #15073 (raw body).
func errServiceNotFound() error {
	return awserr.New(http.StatusBadRequest, "ServiceNotFoundException", "Service not found.")
}

// errServiceName: rolecall's wording of the documented rule.
func errServiceName() error {
	return invalidParameter("Service name can only contain letters (uppercase and lowercase), numbers, underscores, and hyphens, and be 1 to 255 characters long.")
}

// errServiceNotActive: alchemy-run/alchemy PR #1581.
func errServiceNotActive() error {
	return awserr.New(http.StatusBadRequest, "ServiceNotActiveException", "Service was not ACTIVE.")
}

// errNoSLR: CreateService, RunTask and CreateCluster (CloudFormation) when
// AWSServiceRoleForECS does not exist (aws-facts.md).
func errNoSLR() error {
	return invalidParameter("Unable to assume the service linked role. Please verify that the ECS service linked role exists.")
}

// errServiceRole: CreateService with a `role` ECS cannot assume or whose
// permissions are wrong (metaps/genova #9; Shippable/support #3027,
// InvalidParameterException, status 400).
func errServiceRole() error {
	return invalidParameter("Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.")
}

// errRoleWithSLR: a `role` for a service that uses the service-linked role
// (awsvpc, or no load balancer): hashicorp/terraform-provider-aws #4657;
// aws/amazon-ecs-cli #426.
func errRoleWithSLR() error {
	return invalidParameter("You cannot specify an IAM role for services that require a service linked role.")
}

// errFamilyInvalid: layer0 PR #441 quotes ECS's "Family contains invalid
// characters".
func errFamilyInvalid() error { return clientException("Family contains invalid characters.") }

// errRoleNotValid: RegisterTaskDefinition with a task or execution role
// that is not a valid role (fabfuel/ecs-deploy #231).
func errRoleNotValid() error { return clientException("Role is not valid") }

// errTaskDefinitionNotFound: CreateService with a task definition that
// does not exist (Cloud-CV/EvalAI #2419); rolecall answers RunTask the same.
func errTaskDefinitionNotFound() error { return clientException("TaskDefinition not found.") }

// errTaskDefinitionInactive: aws/aws-cdk #33195.
func errTaskDefinitionInactive() error { return clientException("TaskDefinition is inactive") }

// errDescribeTaskDefinition: moto PR #5910 records AWS's answer; many
// Terraform reports show it.
func errDescribeTaskDefinition() error { return clientException("Unable to describe task definition.") }

// errTaskDefinitionMissing: deregistering a revision that does not exist.
// The text is DeleteTaskDefinitions' failure reason for the same case
// (moto's tests); for DeregisterTaskDefinition it is rolecall's choice.
func errTaskDefinitionMissing() error {
	return clientException(reasonTaskDefinitionMissing)
}

// DeleteTaskDefinitions failure reasons (moto's tests of the API,
// test_ecs_task_definitions).
const (
	reasonTaskDefinitionMissing = "The specified task definition does not exist. Specify a valid account, family, revision and try again."
	reasonTaskDefinitionInvalid = "The specified task definition identifier is invalid. Specify a valid name or ARN and try again."
	reasonTaskDefinitionActive  = "The specified task definition is still in ACTIVE status. Please deregister the target and try again."
)

// errNotIdempotent: CreateService for a name in use (ACTIVE or DRAINING)
// with other parameters (hashicorp/terraform-provider-aws #2283, #23462).
func errNotIdempotent() error { return invalidParameter("Creation of service was not idempotent.") }

// errScaledAboveZero: DeleteService without force while desiredCount > 0
// ("A client error (InvalidParameterException) occurred when calling the
// DeleteService operation: The service cannot be stopped while the primary
// deployment is scaled above 0.", quoted in public deploy scripts).
func errScaledAboveZero() error {
	return invalidParameter("The service cannot be stopped while the primary deployment is scaled above 0.")
}

// errLaunchTypeAndStrategy: InvalidParameterException (public Terraform
// and CDK reports).
func errLaunchTypeAndStrategy() error {
	return invalidParameter("Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.")
}

// errLaunchTypeUnsupported: oranmoshai/ecsServiceRestart #2.
func errLaunchTypeUnsupported(launchType string) error {
	return invalidParameter("Task definition does not support launch_type %s.", launchType)
}

// errNetworkConfigRequired: metaps/genova #122; PasseiDireto/
// gh-runner-task-action #8 (RunTask).
func errNetworkConfigRequired() error {
	return invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
}

// errNetworkConfigNotValid: muya/amazon-ecs-run-task #7.
func errNetworkConfigNotValid() error {
	return invalidParameter("Network Configuration is not valid for the given networkMode of this task definition.")
}

// errNoContainerInstances: RunTask on the EC2 launch type in a cluster
// without instances (aws/amazon-ecs-cli #1122, status 400).
func errNoContainerInstances() error {
	return invalidParameter("No Container Instances were found in your cluster.")
}

// errTaskNotFound: StopTask on an unknown task (griptape-ai/
// griptape-nodes-engine #1454; wazuh/wazuh #25439).
func errTaskNotFound() error { return invalidParameter("The referenced task was not found.") }

// errTasksEmpty: DescribeTasks without tasks (sil-org/ecs-deploy #63).
func errTasksEmpty() error { return invalidParameter("Tasks cannot be empty.") }

// errRunningTasksOnInstance: DeregisterContainerInstance without force on
// an instance with tasks (the text moto checks its answer against; the
// agent's maintainers describe the refusal in aws/amazon-ecs-agent #125).
func errRunningTasksOnInstance() error {
	return invalidParameter("Found running tasks on the instance.")
}

// errContainerInstanceNotFound: rolecall's wording (no public record).
func errContainerInstanceNotFound() error {
	return invalidParameter("The referenced container instance was not found.")
}

// errExecWithoutTaskRole: UpdateService enabling ECS Exec with no task role
// (aws/aws-toolkit-jetbrains #3649).
func errExecWithoutTaskRole() error {
	return invalidParameter("The service couldn't be updated because a valid taskRoleArn is not being used. Specify a valid task role in your task definition and try again.")
}

// errDaemonDesiredCount: cloud-nuke #219; base2Services/cfn-start-stop-stack
// #45 (no final period in either).
func errDaemonDesiredCount() error {
	return invalidParameter("The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again")
}

// Capacity providers.

// errProviderMissing: ClientException (hashicorp/terraform-provider-aws,
// resource_capacity_provider.go, quoting the CLI).
func errProviderMissing() error {
	return clientException("The specified capacity provider does not exist. Specify a valid name or ARN and try again.")
}

// errProviderExists: ClientException (public Terraform reports).
func errProviderExists() error {
	return clientException("The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.")
}

// errASGInUse: aws/containers-roadmap #632.
func errASGInUse() error {
	return clientException("The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.")
}

// errProviderInUse: a capacity provider a service uses, or tasks run on,
// cannot be removed: ResourceInUseException (pahud/cdk-fargate-patterns
// #71, aws/aws-cdk #15366, aws/containers-roadmap #631, 2021).
func errProviderInUse() error {
	return awserr.New(http.StatusBadRequest, "ResourceInUseException", "The specified capacity provider is in use and cannot be removed.")
}

// providerAssociatedReason is DeleteCapacityProvider's updateStatusReason
// for a provider still associated with a cluster: the call succeeds, with
// updateStatus DELETE_FAILED (re:Post knowledge-center
// ecs-capacity-provider-error; ekristen/aws-nuke #540, 2025).
func providerAssociatedReason(cluster string) string {
	return "The capacity provider cannot be deleted because it is associated with cluster: " + cluster + ". Remove the capacity provider from the cluster and try again."
}

// errProviderName: a capacity provider name prefixed with "aws", "ecs" or
// "fargate" (in any case), or with characters other than those allowed:
// AWS's text as CloudFormation relays it (aws-samples/aws-cdk-examples
// #626, aws/aws-cdk #36584, for "EcsCp"); the code is rolecall's choice
// (ECS's other capacity provider refusals are ClientExceptions).
func errProviderName() error {
	return clientException(`The specified capacity provider name is invalid. Up to 255 characters are allowed, including letters (upper and lowercase), numbers, underscores, and hyphens. The name cannot be prefixed with "aws", "ecs", or "fargate". Specify a valid name and try again.`)
}

// errManagedInstancesNeedsCluster: rolecall's wording of a documented
// rule (a Managed Instances capacity provider belongs to one cluster).
func errManagedInstancesNeedsCluster() error {
	return invalidParameter("A cluster must be specified for a capacity provider that uses Amazon ECS Managed Instances.")
}

// errInfrastructureRole: the infrastructure role of a Managed Instances
// capacity provider or of an Express service is not a role ECS can use
// (rolecall's wording).
func errInfrastructureRole(arn string) error {
	return invalidParameter("The infrastructure role %s is not valid. Specify a valid IAM role that Amazon ECS can assume and try again.", arn)
}

// errInstanceProfile: the instance profile of a Managed Instances capacity
// provider does not exist in the account (rolecall's wording, worded as
// the infrastructure role's).
func errInstanceProfile(arn string) error {
	return invalidParameter("The instance profile %s is not valid. Specify an existing instance profile and try again.", arn)
}

// Tags.

// errInvalidARN: ListTagsForResource with an ARN that is not ECS's
// (boto/boto3 #2774).
func errInvalidARN() error { return invalidParameter("The ARN provided is invalid.") }

// errLongARN: tagging through an old-format ARN (pulumi/pulumi-aws #930).
func errLongARN() error {
	return invalidParameter("Long arn format must be used for tagging operations")
}

// errTagClusterInactive: tagging a deleted or unknown cluster (the message
// hashicorp/terraform-provider-aws treats as a gone parent).
func errTagClusterInactive() error {
	return invalidParameter("The specified cluster is inactive. Specify an active cluster and try again.")
}

// errResourceNotFound: rolecall's wording (no public record).
func errResourceNotFound() error {
	return awserr.New(http.StatusBadRequest, "ResourceNotFoundException", "The specified resource could not be found.")
}

// errBadToken: a nextToken ECS did not issue; rolecall's wording.
func errBadToken() error { return invalidParameter("The nextToken is not valid.") }

// Account settings.

// errSettingValue: a value the setting does not take
// (hashicorp/terraform-provider-aws #32114, "enabled" for
// tagResourceAuthorization; aws/aws-cli #3785, "ENABLED").
func errSettingValue() error { return invalidParameter("Invalid setting 'value'") }

// errLongARNsForever: disabling a long ARN format since the opt-out ended
// (the AWS error hashicorp/terraform-provider-aws documents for
// aws_ecs_account_setting_default).
func errLongARNsForever() error {
	return invalidParameter("You can no longer disable Long Arn settings")
}

// errTagAuthorizationForever: turning tagResourceAuthorization off since
// it is on for every account (rolecall's wording, after the long ARN
// formats' answer).
func errTagAuthorizationForever() error {
	return invalidParameter("You can no longer disable tagResourceAuthorization settings")
}

// errSettingAWSManaged: guardDutyActivate is read-only, GuardDuty sets it
// (rolecall's wording of the documented rule).
func errSettingAWSManaged(name string) error {
	return invalidParameter("The %s account setting is managed by AWS and cannot be changed.", name)
}

// errSettingRootOnly: fargateTaskRetirementWaitPeriod set by anyone but
// the root user (rolecall's wording of the documented rule).
func errSettingRootOnly(name string) error {
	return clientException("You must use the root user to set %s.", name)
}

// errSettingPrincipal: principalArn naming another principal, from anyone
// but the root user (rolecall's wording of the documented rule).
func errSettingPrincipal() error {
	return clientException("You must be the root user, or the principal, to specify principalArn.")
}

// errSettingPrincipalARN: a principalArn that is no user, role or root
// user of the account (rolecall's wording).
func errSettingPrincipalARN() error {
	return invalidParameter("principalArn must be the ARN of a user, a role or the root user of the account.")
}

// errSettingValueWithoutName: ListAccountSettings filtering by value
// alone (rolecall's wording of the documented rule).
func errSettingValueWithoutName() error {
	return invalidParameter("You must also specify an account setting name to use the value parameter.")
}

// Placement.

// errDistinctInstanceExpression: a distinctInstance constraint with an
// expression (hashicorp/terraform #11471, status code 400).
func errDistinctInstanceExpression() error {
	return invalidParameter("distinctInstance expression should not be specified.")
}

// errQueryExpression: a memberOf expression or a ListContainerInstances
// filter that is not of the cluster query language (rolecall's wording).
func errQueryExpression(expr string) error {
	return invalidParameter("The expression is not valid in the cluster query language: %s", expr)
}

// errAtMost: a list longer than ECS takes, named as ECS names it inside
// ("instanceIds can have at most 10 items.": UpdateContainerInstancesState,
// minamijoyo/myaws #25; "service names can have at most 10 items":
// DescribeServices, quoted in public deploy scripts).
func errAtMost(list string, n int) error {
	return invalidParameter("%s can have at most %d items.", list, n)
}

// Attributes.

// errAttributeTarget: an attribute naming no target, or a short ID without
// its target type (rolecall's wording of the documented rule).
func errAttributeTarget() error {
	return invalidParameter("You must specify the target type when you use the short form ID of the target.")
}

// errTargetNotFound: rolecall's wording, after the exception's
// description in the ECS API reference.
func errTargetNotFound(id string) error {
	return awserr.New(http.StatusBadRequest, "TargetNotFoundException", "The specified target %s wasn't found.", id)
}

// errAttributeInvalid: a name or value outside the documented characters
// and lengths (rolecall's wording).
func errAttributeInvalid(name string) error {
	return invalidParameter("The attribute %s is not valid. Names and values must be 1 to 128 characters of those the Attribute reference allows.", name)
}

// errAttributeLimit: an eleventh custom attribute (rolecall's wording of
// the exception's description in the ECS API reference).
func errAttributeLimit() error {
	return awserr.New(http.StatusBadRequest, "AttributeLimitExceededException", "You can apply up to 10 custom attributes for each resource.")
}

// errAttributeValueWithoutName: ListAttributes filtering by value alone
// (rolecall's wording of the documented rule).
func errAttributeValueWithoutName() error {
	return invalidParameter("You must also specify an attribute name to use the attributeValue parameter.")
}

// errProtectionMinutes: expiresInMinutes outside 1 to 2,880 (rolecall's
// wording of the documented range).
func errProtectionMinutes() error {
	return invalidParameter("expiresInMinutes must be between 1 and 2880.")
}

// Container instance state and agent.

// errInstanceStatus: UpdateContainerInstancesState to a status other than
// ACTIVE or DRAINING (the text moto answers; no public record of AWS's).
func errInstanceStatus() error {
	return invalidParameter("Container instance status should be one of [ACTIVE, DRAINING]")
}

// errNoUpdateAvailable: the agent runs the latest version
// (aws/amazon-ecs-agent #2287, the CLI's answer).
func errNoUpdateAvailable() error {
	return awserr.New(http.StatusBadRequest, "NoUpdateAvailableException", "There is no update available for your container agent.")
}

// errMissingVersion: an agent that reported no version (rolecall's
// wording, after the exception's description in the ECS API reference).
func errMissingVersion() error {
	return awserr.New(http.StatusBadRequest, "MissingVersionException", "Amazon ECS can't determine the current version of the Amazon ECS container agent on the container instance.")
}

// errUpdateInProgress: an update already under way (rolecall's wording,
// after the exception's description in the ECS API reference).
func errUpdateInProgress() error {
	return awserr.New(http.StatusBadRequest, "UpdateInProgressException", "There's already a current Amazon ECS container agent update in progress on the container instance.")
}

// errDistinctInTaskDefinition: distinctInstance "can be specified with
// CreateService, UpdateService and RunTask", not in a task definition
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html).
// AWS's text as CloudFormation relays it, without CloudFormation's
// "Invalid request provided: Create TaskDefinition: " (aws/aws-cdk #25905,
// aws-samples/aws-cdk-examples #628: ClientException, status 400).
func errDistinctInTaskDefinition() error {
	return clientException("constraint.type 'distinctInstance' is not supported.")
}
