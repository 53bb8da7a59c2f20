package doctor

import (
	"bytes"
	"strings"
	"testing"
)

// Every text explain recognizes, as AWS (or the ECS agent) writes it;
// sources in aws-facts.md and the rules' Source.
func TestExplainRecognizes(t *testing.T) {
	cases := []struct {
		text  string
		id    string
		facts map[string]string
		cmd   string // a substring of one of the commands
	}{
		{text: "An error occurred (InvalidParameterException) when calling the CreateService operation: Unable to assume the service linked role. Please verify that the ECS service linked role exists.",
			id: "ecs-slr-missing", cmd: "create-service-linked-role --aws-service-name ecs.amazonaws.com"},
		{text: "InvalidParameterException: Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.",
			id: "legacy-service-role-targetgroup", cmd: "AmazonEC2ContainerServiceRole"},
		{text: "InvalidParameterException: Unable to assume role and validate the listeners configured on your load balancer. Please verify that the ECS service role being passed has the proper permissions.",
			id: "legacy-service-role-targetgroup"},
		{text: "service web failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::123456789012:role/app/web-task' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.)",
			id: "task-role-assume", facts: map[string]string{"role": "arn:aws:iam::123456789012:role/app/web-task"}, cmd: "--role-name web-task"},
		{text: "An error occurred (AccessDeniedException) when calling the RunTask operation: User: arn:aws:sts::123456789012:assumed-role/deployer/ci is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/ecsTaskExecutionRole because no identity-based policy allows the iam:PassRole action",
			id: "passrole-denied", facts: map[string]string{"caller": "arn:aws:sts::123456789012:assumed-role/deployer/ci", "action": "iam:PassRole", "resource": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole", "callerName": "deployer", "denied": "implicitly: no identity-based policy allows it"},
			cmd: `put-role-policy --role-name deployer --policy-name rolecall-doctor-iam-PassRole --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ecsTaskExecutionRole","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}'`},
		{text: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/task",
			id: "passrole-denied", facts: map[string]string{"callerKind": "user", "callerName": "ci"}, cmd: "put-user-policy --user-name ci"},
		{text: "InvalidParameterException: You cannot specify an IAM role for services that require a service linked role.", id: "role-with-slr-service"},
		{text: "ClientException: Role is not valid", id: "role-not-valid"},
		{text: "An error occurred (AccessDenied) when calling the AssumeRole operation: MultiFactorAuthentication failed with invalid MFA one time pass code.",
			id: "mfa-invalid-code", cmd: "resync-mfa-device"},
		{text: "An error occurred (AccessDenied) when calling the GetSessionToken operation: MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.",
			id: "mfa-not-associated", cmd: "list-mfa-devices"},
		{text: "AccessDenied: MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.", id: "mfa-incomplete"},
		{text: "InvalidParameterException: The service couldn't be updated because a valid taskRoleArn is not being used. Specify a valid task role in your task definition and try again.",
			id: "exec-needs-task-role", cmd: "ssmmessages:OpenDataChannel"},
		{text: "An error occurred (TargetNotConnectedException) when calling the ExecuteCommand operation: The execute command failed due to an internal error. Try again later.",
			id: "exec-not-connected", cmd: "ssmmessages:OpenControlChannel"},
		{text: "An error occurred (InvalidParameterException) when calling the ExecuteCommand operation: The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.",
			id: "exec-not-enabled", cmd: "--enable-execute-command"},
		{text: "ClientException: Fargate requires task definition to have execution role ARN to support log driver awslogs.", id: "fargate-awslogs-needs-exec-role", cmd: "AmazonECSTaskExecutionRolePolicy"},
		{text: "ClientException: Fargate requires task definition to have execution role ARN to support ECR images.", id: "fargate-ecr-needs-exec-role", cmd: "create-role --role-name ecsTaskExecutionRole"},
		{text: "ClientException: When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.", id: "secrets-need-exec-role"},
		{text: "ClientException: Private repository authentication requires that the task definition specify a value for executionRoleArn.", id: "registry-auth-needs-exec-role"},
		{text: "ClientException: EFS IAM authorization requires a task role.", id: "efs-iam-needs-task-role"},
		{text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 1 time(s): operation error ECR: GetAuthorizationToken, https response error StatusCode: 400, RequestID: 24460c33-1d7d-4ee9-99cf-c259d53e7b44, api error AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/web-exec/a5209a25e0f04b7fa1f2c3d4e5f60718 is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action",
			id: "ecr-auth-denied", facts: map[string]string{"action": "ecr:GetAuthorizationToken", "callerName": "web-exec", "resource": "*"}, cmd: "attach-role-policy --role-name web-exec"},
		{text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123 from secrets manager: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ecsTaskExecutionRole/17cbd22653424f62971b13fffcf6113e is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123 because no identity-based policy allows the secretsmanager:GetSecretValue action",
			id: "asm-denied", facts: map[string]string{"action": "secretsmanager:GetSecretValue", "resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"}, cmd: `"Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"`},
		{text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::471112983866:assumed-role/ecsTaskExecutionRole/17cbd22653424f62971b13fffcf6113e is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:ap-northeast-2:471112983866:parameter/JobSyncHub/email/AWS_SES",
			id: "ssm-denied", facts: map[string]string{"action": "ssm:GetParameters", "callerName": "ecsTaskExecutionRole"}, cmd: "--role-name ecsTaskExecutionRole"},
		{text: "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exec/0123456789abcdef0123456789abcdef is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:log-stream:web/web/0123456789abcdef0123456789abcdef",
			id: "logger-denied", facts: map[string]string{"action": "logs:CreateLogStream"}},
		{text: "ResourceInitializationError: failed to validate logger args: failed to create CloudWatch log stream: ResourceNotFoundException: The specified log group does not exist.",
			id: "logger-no-group", cmd: "create-log-group"},
		{text: "ResourceInitializationError: failed to validate logger args: unable to get awslogs driver arguments: awslogs-region is required", id: "logger-region"},
		{text: "ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed",
			id: "task-network"},
		{text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 52.46.145.142:443: i/o timeout. Please check your task network configuration.",
			id: "task-network"},
		{text: "CannotPullContainerError: Error response from daemon: pull access denied for 123456789012.dkr.ecr.us-west-2.amazonaws.com/everything2/e2lib, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::123456789012:assumed-role/ecsInstanceRole/i-0123456789abcdef0 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-west-2:123456789012:repository/everything2/e2lib because no identity-based policy allows the ecr:BatchGetImage action",
			id: "pull-denied", facts: map[string]string{"action": "ecr:BatchGetImage", "callerName": "ecsInstanceRole", "resource": "arn:aws:ecr:us-west-2:123456789012:repository/everything2/e2lib"}, cmd: "--role-name ecsInstanceRole"},
		{text: "CannotPullContainerError: Error response from daemon: pull access denied for 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app, repository does not exist or may require 'docker login'",
			id: "pull-access"},
		{text: "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::123456789012:assumed-role/ci/build is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/deploy",
			id: "assume-role-denied", facts: map[string]string{"resource": "arn:aws:iam::210987654321:role/deploy"}},
		{text: "An error occurred (UnmodifiableEntity) when calling the DeleteRole operation: Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS",
			id: "protected-role", facts: map[string]string{"role": "AWSServiceRoleForECS"}, cmd: "delete-service-linked-role --role-name AWSServiceRoleForECS"},
		{text: "InvalidInput: Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.", id: "slr-name-taken", facts: map[string]string{"role": "AWSServiceRoleForECS"}},
		{text: "InvalidInput: Custom suffix is not allowed for ecs.amazonaws.com", id: "slr-custom-suffix", facts: map[string]string{"service": "ecs.amazonaws.com"}},
		{text: "AccessDeniedException: Caller does not have permissions to create a Service Linked Role", id: "cannot-create-slr"},
		{text: "PolicyNotAttachable: Cannot attach a Service Role Policy to a Customer Role.", id: "service-role-policy-attach"},
		{text: "An error occurred (NoSuchEntity) when calling the AttachRolePolicy operation: Policy arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy does not exist or is not attachable.",
			id: "policy-not-attachable", facts: map[string]string{"policy": "arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy"},
			cmd: "--policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"},
		{text: "NoSuchEntity: Policy arn:aws:iam::123456789012:policy/gone does not exist or is not attachable.", id: "policy-not-attachable"},
		{text: "InvalidInput: Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles", id: "slr-path-prefix", cmd: "create-service-linked-role"},
		{text: `MalformedPolicyDocument: Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/gone"`, id: "invalid-principal", facts: map[string]string{"principal": "arn:aws:iam::123456789012:role/gone"}},
		{text: `MalformedPolicyDocument: Invalid principal in policy: "FEDERATED":"arn:aws:iam::123456789012:oidc-provider/gitlab.com"`, id: "invalid-federated-principal", facts: map[string]string{"principal": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"}},
		{text: "An error occurred (AccessDeniedException) when calling the PutObject operation: User: arn:aws:sts::123456789012:assumed-role/web-task/0123456789abcdef0123456789abcdef is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::uploads/a.txt because no identity-based policy allows the s3:PutObject action",
			id: "access-denied", facts: map[string]string{"action": "s3:PutObject", "callerName": "web-task"}, cmd: `--role-name web-task --policy-name rolecall-doctor-s3-PutObject`},
		{text: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:123456789012:task-definition/web:3 with an explicit deny in an identity-based policy",
			id: "access-denied", facts: map[string]string{"denied": "explicitly: a Deny in an identity-based policy"}},
		{text: "Unable to assume the service linked role.", id: "ecs-slr-missing"},
		{text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-central-1:123456789012:secret:directus-EaPYTy from secrets manager: AccessDeniedException: Access to KMS is not allowed status code: 400, request id: a87a66d9-f839-4353-b8c2-9984b1465695",
			id: "secret-key-denied"},
		{text: "ResourceInitializationError: failed to download env files: service call has been retried 1 time(s): operation error S3: HeadObject, https response error StatusCode: 403, api error Forbidden: Forbidden.", id: "env-files-denied"},
		{text: "An error occurred (AccessDenied) when calling the AssumeRole operation: Roles may not be assumed by root accounts.", id: "root-assume"},
		{text: "AccessDenied: Cannot call GetSessionToken with session credentials", id: "session-credentials"},
		{text: "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity", id: "web-identity-trust"},
		{text: "An error occurred (ExpiredTokenException) when calling the AssumeRoleWithSAML operation: Response has expired", id: "web-identity-token"},
		{text: "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithSAML operation: Unable to decrypt the encrypted assertion with the private keys of the SAML provider", id: "saml-response", cmd: "--add-private-key"},
		{text: "InvalidIdentityToken: The SAML provider requires encrypted assertions (AssertionEncryptionMode Required), and the response's assertion is not encrypted", id: "saml-response", cmd: "--encrypt-to"},
		{text: "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithSAML operation: Response signature invalid", id: "saml-response", cmd: "--saml-metadata-document"},
		{text: "Error: RoleSessionName is required in AuthnResponse (service: AWSSecurityTokenService; status code: 400; error code: InvalidIdentityToken)", id: "saml-response"},
		{text: "ExpiredTokenException: Token expired: current date/time 1796673000 must be before the expiration date/time 1796672000", id: "web-identity-token"},
		{text: "AccessDenied: Cannot call GetFederationToken with session credentials", id: "session-credentials"},
		{text: "PackedPolicyTooLarge: Packed policy consumes 112% of allotted space, please use smaller policy.", id: "packed-size"},
		{text: "InvalidParameterValue: One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.", id: "transitive-tags"},
		{text: "InvalidParameterException: The infrastructure role arn:aws:iam::123456789012:role/ecsInfrastructureRole is not valid. Specify a valid IAM role that Amazon ECS can assume and try again.",
			id: "infrastructure-role-invalid", facts: map[string]string{"role": "arn:aws:iam::123456789012:role/ecsInfrastructureRole"}, cmd: "--role-name ecsInfrastructureRole"},
		{text: "InvalidParameterException: The instance profile arn:aws:iam::123456789012:instance-profile/gone is not valid. Specify an existing instance profile and try again.", id: "infrastructure-role-invalid", cmd: "create-instance-profile"},
		{text: "InvalidParameterException: The infrastructure role arn:aws:iam::123456789012:role/bareInfra does not allow Amazon ECS to manage the resources of the Express service: User: arn:aws:sts::123456789012:assumed-role/bareInfra/ECSExpressGatewayServices is not authorized to perform: ec2:DescribeVpcs because no identity-based policy allows the ec2:DescribeVpcs action",
			id: "express-infrastructure-refused", facts: map[string]string{"role": "arn:aws:iam::123456789012:role/bareInfra", "action": "ec2:DescribeVpcs", "callerName": "bareInfra"},
			cmd: "attach-role-policy --role-name bareInfra --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"},
		{text: "InvalidParameterException: The lifecycle hook role arn:aws:iam::123456789012:role/lambdaTrusting is not valid. Specify a valid IAM role that Amazon ECS can assume and try again.",
			id: "lifecycle-hook-role-invalid", facts: map[string]string{"role": "arn:aws:iam::123456789012:role/lambdaTrusting"}, cmd: "--role-name lambdaTrusting"},
		{text: "Lifecycle hook arn:aws:lambda:us-east-1:123456789012:function:checkGreen failed at stage POST_SCALE_UP: User: arn:aws:sts::123456789012:assumed-role/bareHook/ECSDeploymentLifecycleHook is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:checkGreen because no identity-based policy allows the lambda:InvokeFunction action",
			id: "lifecycle-hook-failed", facts: map[string]string{"stage": "POST_SCALE_UP", "action": "lambda:InvokeFunction", "callerName": "bareHook"}, cmd: "put-role-policy --role-name bareHook"},
		{text: "Lifecycle hook arn:aws:lambda:us-east-1:123456789012:function:checkGreen failed at stage PRE_SCALE_UP: ECS was unable to assume the role 'arn:aws:iam::123456789012:role/gone' that was provided for the lifecycle hook.",
			id: "lifecycle-hook-failed", facts: map[string]string{"role": "arn:aws:iam::123456789012:role/gone"}, cmd: "update-assume-role-policy --role-name gone"},
		{text: "ResourceInitializationError: Amazon ECS could not launch a Managed Instances instance for capacity provider mi: User: arn:aws:sts::123456789012:assumed-role/infra/ECSManagedInstancesForCompute is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/app-instance because no identity-based policy allows the iam:PassRole action",
			id: "managed-instance-launch", facts: map[string]string{"callerName": "infra", "action": "iam:PassRole"}, cmd: "ec2.amazonaws.com"},
		{text: "ClientException: The instance identity document names instance i-0123456789abcdef0, but the request is signed with the instance role credentials of instance i-0fedcba9876543210.", id: "identity-document-instance", facts: map[string]string{"signer": "i-0fedcba9876543210"}},
		{text: "InvalidParameterValue: Value (ecsInstanceRole) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name", id: "ec2-instance-profile", facts: map[string]string{"profile": "ecsInstanceRole"}, cmd: "create-instance-profile"},
		{text: "An error occurred (IncorrectState) when calling the AssociateIamInstanceProfile operation: There is an existing association for instance i-00fd9028cfc49c644",
			id: "ec2-profile-association", facts: map[string]string{"instance": "i-00fd9028cfc49c644"}, cmd: "replace-iam-instance-profile-association"},
		{text: "InvalidAssociationID.NotFound: The association ID 'iip-assoc-0123456789abcdef0' does not exist", id: "ec2-profile-association",
			facts: map[string]string{"association": "iip-assoc-0123456789abcdef0"}, cmd: "describe-iam-instance-profile-associations"},
		{text: "An error occurred (InvalidParameterValue) when calling the ReplaceIamInstanceProfileAssociation operation: Invalid value for associationId.", id: "ec2-profile-association", cmd: "describe-iam-instance-profile-associations"},
		{text: "UnauthorizedOperation: You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/* because no identity-based policy allows the ec2:RunInstances action",
			id: "ec2-unauthorized", facts: map[string]string{"action": "ec2:RunInstances", "callerName": "dev"}, cmd: "put-user-policy --user-name dev"},
		{text: "ValidationException: Unable to assume IAM role: arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService", id: "scaling-role", cmd: "ecs.application-autoscaling.amazonaws.com"},
		{text: "Fetching secret data from SSM Parameter Store in us-west-2: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/plotwatt-ExecutionRole/094510bf0b0d43f5ba82ea9c6ed7ae02 is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-west-2:123456789012:parameter/db status code: 400, request id: f414df50-e113-414d-afb9-dad57c740465",
			id: "ssm-denied", facts: map[string]string{"action": "ssm:GetParameters"}},
		{text: "CannotPullECRContainerError: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ecsInstanceRole/i-0123456789abcdef0 is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action status code: 400, request id: 0f0f0f0f-0000-4000-8000-000000000000",
			id: "ecr-auth-denied", facts: map[string]string{"callerName": "ecsInstanceRole"}},
		{text: "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ecsInstanceRole/i-0123456789abcdef0 is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:log-stream:web/web/0123 because no identity-based policy allows the logs:CreateLogStream action",
			id: "logger-denied"},
		{text: "CannotPullECRContainerError: NoCredentialProviders: no valid providers in chain. Deprecated.", id: "instance-credentials", cmd: "add-role-to-instance-profile"},
		{text: "Host EC2 (instance i-0123456789abcdef0) terminated.", id: "instance-credentials", facts: map[string]string{"instance": "i-0123456789abcdef0"}},
		{text: "SLR [AWSServiceRoleForECS] is in use by other resources: [[RoleUsageType(Region=us-east-1, Resources=[arn:aws:ecs:us-east-1:123456789012:cluster/default])]]", id: "slr-in-use", facts: map[string]string{"role": "AWSServiceRoleForECS"}},
		{text: "TaskCredentialsRequest: Credentials not found", id: "task-credentials"},
		{text: "ClusterNotFoundException: Cluster not found.", id: "ecs-not-found"},
		{text: "NoSuchEntity: The role with name ecsTaskExecutionRole cannot be found.", id: "iam-not-found"},
		{text: "EntityAlreadyExists: Role with name ecsTaskExecutionRole already exists.", id: "iam-exists"},
		{text: "ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", id: "session-duration", cmd: "--max-session-duration"},
		{text: "ValidationError: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", id: "session-duration"},
		{text: "InvalidInput: Service name ecs is not known or not supported for service-linked roles.", id: "slr-unknown-service", facts: map[string]string{"service": "ecs"}},
		{text: "NoSuchEntity: Scope ARN: arn:aws:iam::123456789012:policy/boundary does not exist or is not attachable.", id: "boundary-not-found"},
		{text: "LimitExceeded: Maximum policy size of 10240 bytes exceeded for role app", id: "policy-size", facts: map[string]string{"entity": "role app"}},
		{text: "LimitExceeded: Cannot exceed quota for PoliciesPerRole: 10", id: "iam-quota", facts: map[string]string{"quota": "PoliciesPerRole"}},
		{text: "LimitExceeded: The number of tags has reached the maximum limit.", id: "tag-quota"},
		{text: "ValidationError: ecsTaskExecutionRole is invalid", id: "arn-invalid"},
		{text: "ValidationError: 1 validation error detected: Value '/service-role/visitor-counter-role' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", id: "model-validation"},
		{text: "DeleteConflict: Cannot delete entity, must remove roles from instance profile first.", id: "delete-conflict", cmd: "remove-role-from-instance-profile"},
		// Questions.
		{text: "my task has a task role and the instance has an instance role: who wins?", id: "who-wins-task-vs-instance"},
		{text: "Do I need the execution role if I have a task role?", id: "who-wins-execution-vs-task"},
		{text: "Which roles does my Fargate service need?", id: "which-roles"},
	}
	for _, c := range cases {
		ex := Explain(c.text)
		if len(ex.Matches) == 0 {
			t.Errorf("not recognized: %s", c.text)
			continue
		}
		m := ex.Matches[0]
		if m.ID != c.id {
			t.Errorf("%s\n  recognized as %s, want %s", c.text, m.ID, c.id)
			continue
		}
		if m.Title == "" || len(m.Cause) == 0 {
			t.Errorf("%s: no title or cause", c.id)
		}
		for k, v := range c.facts {
			if m.Facts[k] != v {
				t.Errorf("%s: fact %s = %q, want %q", c.id, k, m.Facts[k], v)
			}
		}
		if c.cmd != "" && !strings.Contains(strings.Join(m.Commands, "\n"), c.cmd) {
			t.Errorf("%s: commands\n%s\nlack %s", c.id, strings.Join(m.Commands, "\n"), c.cmd)
		}
		for _, w := range []func(*bytes.Buffer) error{func(b *bytes.Buffer) error { return ex.WriteText(b) }, func(b *bytes.Buffer) error { return ex.WriteMarkdown(b) }, func(b *bytes.Buffer) error { return ex.WriteJSON(b) }} {
			var b bytes.Buffer
			if err := w(&b); err != nil || !strings.Contains(b.String(), m.Title[:10]) {
				t.Errorf("%s: rendering: %v\n%s", c.id, err, b.String())
			}
		}
	}
	// Every rule has a case above.
	tested := map[string]bool{}
	for _, c := range cases {
		tested[c.id] = true
	}
	for _, r := range rules() {
		if !tested[r.id] {
			t.Errorf("rule %s has no test", r.id)
		}
	}
}

// The question behind rolecall: both the precedence answer and the list of
// roles come back.
func TestExplainTheQuestion(t *testing.T) {
	ex := Explain("Do I need the container instance role and the task role? Did I miss anything?")
	var ids []string
	for _, m := range ex.Matches {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "who-wins-task-vs-instance,which-roles" {
		t.Errorf("matches %v", ids)
	}
}

func TestExplainUnknown(t *testing.T) {
	ex := Explain("the build is slow")
	if len(ex.Matches) != 0 {
		t.Fatalf("matched %+v", ex.Matches)
	}
	var b bytes.Buffer
	_ = ex.WriteText(&b)
	if !strings.Contains(b.String(), "does not recognize") {
		t.Error(b.String())
	}
}

// An explicit deny gets no Allow command: adding one cannot help.
func TestExplainExplicitDenyHasNoGrant(t *testing.T) {
	ex := Explain("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:123456789012:task-definition/web:3 with an explicit deny in an identity-based policy")
	if len(ex.Matches[0].Commands) != 0 {
		t.Errorf("commands %v", ex.Matches[0].Commands)
	}
}

// Every ECS role error text in the shared AWS facts (aws-facts.md, "ECS"
// sections), verbatim with its placeholders filled, is recognized as the
// error it is.
func TestExplainAWSFactsECS(t *testing.T) {
	cases := []struct{ source, text, id string }{
		{"CreateService/RunTask/CreateCluster without the ECS SLR",
			"Unable to assume the service linked role. Please verify that the ECS service linked role exists.", "ecs-slr-missing"},
		{"service event: task or execution role not trusted or not passable",
			"service web failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.)", "task-role-assume"},
		{"CreateService with a legacy role and a target group",
			"Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.", "legacy-service-role-targetgroup"},
		{"RegisterTaskDefinition with a task role that is not a role",
			"Role is not valid", "role-not-valid"},
		{"UpdateService enabling ECS Exec without a task role",
			"The service couldn't be updated because a valid taskRoleArn is not being used. Specify a valid task role in your task definition and try again.", "exec-needs-task-role"},
		{"RegisterTaskDefinition, Fargate, awslogs, no execution role",
			"Fargate requires task definition to have execution role ARN to support log driver awslogs.", "fargate-awslogs-needs-exec-role"},
		{"RegisterTaskDefinition, Fargate, ECR image, no execution role",
			"Fargate requires task definition to have execution role ARN to support ECR images.", "fargate-ecr-needs-exec-role"},
		{"RegisterTaskDefinition, secrets, no execution role",
			"When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.", "secrets-need-exec-role"},
		{"RegisterTaskDefinition, repositoryCredentials, no execution role",
			"Private repository authentication requires that the task definition specify a value for executionRoleArn.", "registry-auth-needs-exec-role"},
		{"CreateService with role for a service that uses the SLR",
			"You cannot specify an IAM role for services that require a service linked role.", "role-with-slr-service"},
		{"RunTask without iam:PassRole",
			"User: arn:aws:sts::123456789012:assumed-role/deployer/ci-session is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/ecsTaskExecutionRole because no identity-based policy allows the iam:PassRole action", "passrole-denied"},
		{"RunTask without iam:PassRole, 2019 text",
			"User: arn:aws:sts::123456789012:assumed-role/deployer/ci-session is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/ecsTaskExecutionRole", "passrole-denied"},
		{"RegisterTaskDefinition without iam:PassRole on the task role",
			"An error occurred (AccessDeniedException) when calling the RegisterTaskDefinition operation: User: arn:aws:sts::123456789012:assumed-role/github-actions/deploy is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/app-task because no identity-based policy allows the iam:PassRole action", "passrole-denied"},
		{"ECS action denied (RunTask), 2020 text",
			"User: arn:aws:sts::123456789012:assumed-role/deployer/ci-session is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:123456789012:task-definition/web:1", "access-denied"},
		{"a service creating its SLR for a caller without iam:CreateServiceLinkedRole",
			"Caller does not have permissions to create a Service Linked Role", "cannot-create-slr"},
	}
	for _, c := range cases {
		ex := Explain(c.text)
		if len(ex.Matches) == 0 {
			t.Errorf("%s: not recognized: %s", c.source, c.text)
			continue
		}
		if m := ex.Matches[0]; m.ID != c.id || len(m.Cause) == 0 || len(m.Fix) == 0 {
			t.Errorf("%s: recognized as %s (want %s), %d causes, %d fixes", c.source, m.ID, c.id, len(m.Cause), len(m.Fix))
		}
	}
}

// A service-linked role's policies cannot be changed (IAM answers
// UnmodifiableEntity), so explain gives no command that would try.
func TestExplainLinkedCallerGetsNoGrantCommand(t *testing.T) {
	for _, caller := range []string{"AWSServiceRoleForECS", "AWSServiceRoleForAutoScaling_mysuffix"} {
		text := "User: arn:aws:sts::123456789012:assumed-role/" + caller + "/ecs-service-scheduler is not authorized to perform: ec2:CreateNetworkInterface on resource: arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1 because no identity-based policy allows the ec2:CreateNetworkInterface action"
		ex := Explain(text)
		if len(ex.Matches) != 1 || ex.Matches[0].ID != "access-denied" {
			t.Fatalf("%s: matches %+v, want access-denied", caller, ex.Matches)
		}
		m := ex.Matches[0]
		for _, c := range m.Commands {
			if strings.Contains(c, caller) {
				t.Errorf("%s: command %q changes a service-linked role", caller, c)
			}
		}
		if fix := strings.Join(m.Fix, "\n"); !strings.Contains(fix, caller+" is ") || !strings.Contains(fix, "service-linked role") || !strings.Contains(fix, "arn:aws:iam::aws:policy/aws-service-role/") {
			t.Errorf("%s: fix %q does not say the role is service-linked with the service's policy", caller, fix)
		}
	}
	// A customer role of a similar name keeps its command.
	ex := Explain("User: arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForECSx/s is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action")
	if len(ex.Matches) != 1 || !strings.Contains(strings.Join(ex.Matches[0].Commands, "\n"), "put-role-policy --role-name AWSServiceRoleForECSx ") {
		t.Errorf("customer role: %+v, want a put-role-policy command", ex.Matches)
	}
}
