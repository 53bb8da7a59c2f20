package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/catalog/managed"
)

// Explanation is what `rolecall doctor explain` answers for a text: the
// errors it recognizes in it (and "who wins" questions), each with its
// cause and fix.
type Explanation struct {
	Text    string  `json:"text"`
	Matches []Match `json:"matches"`
}

// Match is one recognized error or question.
type Match struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Facts are what was read from the text: role, caller, action, resource.
	Facts    map[string]string `json:"facts,omitempty"`
	Cause    []string          `json:"cause"`
	Fix      []string          `json:"fix,omitempty"`
	Commands []string          `json:"commands,omitempty"`
	// Source says where AWS's text comes from.
	Source string `json:"source,omitempty"`
}

// explainRule recognizes one error. Rules are tried in order and the first
// that matches explains the error; the "who wins" rules are questions and
// answer alongside.
type explainRule struct {
	id       string
	re       *regexp.Regexp
	also     *regexp.Regexp // must also match, when set
	question bool
	build    func(m []string, text string) Match
}

var (
	reDenied      = regexp.MustCompile(`(?i)AccessDenied|not authorized to perform`)
	reNetwork     = regexp.MustCompile(`(?i)i/o timeout|context deadline exceeded|connection issue|check your (task )?network configuration|send request failed|RequestCanceled`)
	reUserAction  = regexp.MustCompile(`User: (\S+) is not authorized to perform:? (\S+?)(?: on resource: (\S+?))?(?:[\s,.]|$)`)
	reDenyReason  = regexp.MustCompile(`(because no ([a-z -]+?) (?:policy )?allows the \S+ action|with an explicit deny in an? ([a-z -]+?)(?: policy)?(?:[\s.,(]|$))`)
	reTaskSession = regexp.MustCompile(`^arn:[^:]+:sts::\d{12}:assumed-role/[^/]+/[0-9a-f]{32}$`)
)

// roleOfSession reads ROLE from arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
// and NAME from an IAM user or role ARN.
func principalOf(arn string) (kind, name string) {
	k, _, n, _, ok := principalARNParts(arn)
	if !ok {
		return "", ""
	}
	return string(k), n
}

// reHookUnassumable: the role of a lifecycle hook ECS could not assume.
var reHookUnassumable = regexp.MustCompile(`unable to assume the role '([^']+)' that was provided for the lifecycle hook`)

func accessFacts(text string) map[string]string {
	f := map[string]string{}
	if m := reUserAction.FindStringSubmatch(text); m != nil {
		f["caller"] = m[1]
		f["action"] = strings.TrimRight(m[2], ".,")
		if m[3] != "" {
			f["resource"] = strings.TrimRight(m[3], ".,")
		}
		if k, n := principalOf(m[1]); n != "" {
			f["callerKind"], f["callerName"] = k, n
		}
	}
	if m := reDenyReason.FindStringSubmatch(text); m != nil {
		if m[2] != "" {
			f["denied"] = "implicitly: no " + m[2] + " policy allows it"
		} else {
			f["denied"] = "explicitly: a Deny in " + articled(m[3]) + " policy"
		}
	}
	return f
}

func articled(s string) string {
	if s == "" {
		return "a"
	}
	if strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// grantCommand is the command that gives the caller in facts the action on
// the resource (an inline policy on the user, or on the role behind a role
// session).
func grantCommand(f map[string]string, cond map[string]map[string]strList) []string {
	if f["callerName"] == "" || f["action"] == "" {
		return nil
	}
	res := f["resource"]
	if res == "" {
		res = "*"
	}
	d := policyDoc{Version: "2012-10-17", Statement: []statement{{Effect: "Allow", Action: strList{f["action"]}, Resource: strList{res}, Condition: cond}}}
	name := "rolecall-doctor-" + strings.ReplaceAll(f["action"], ":", "-")
	if f["callerKind"] == string(KindUser) {
		return []string{"aws iam put-user-policy --user-name " + f["callerName"] + " --policy-name " + name + " --policy-document " + shellQuote(d.compact())}
	}
	return []string{"aws iam put-role-policy --role-name " + f["callerName"] + " --policy-name " + name + " --policy-document " + shellQuote(d.compact())}
}

func denyNote(f map[string]string) []string {
	if strings.HasPrefix(f["denied"], "explicitly") {
		return []string{"the denial is explicit: no Allow can fix it; find the Deny (" + strings.TrimPrefix(f["denied"], "explicitly: ") + ") and narrow it"}
	}
	return nil
}

// rules are compiled on first use: `rolecall serve` links this package
// and should not compile these patterns at every start.
var rules = sync.OnceValue(func() []explainRule {
	return append([]explainRule{
		{id: "ecs-slr-missing", re: regexp.MustCompile(`(?i)Unable to assume the service linked role|ECS Service Linked Role does not exist`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "ECS cannot use its service-linked role AWSServiceRoleForECS",
					Cause: []string{
						"AWSServiceRoleForECS does not exist in the account, or it was created moments ago and IAM has not propagated it yet (the first cluster in a new account).",
						"ECS creates it when a cluster is created, or a service created or updated, by a caller allowed iam:CreateServiceLinkedRole; for any other caller the cluster is created without it, and CreateService and RunTask then fail with this error.",
					},
					Fix: []string{"create the role (once per account), then retry; if it already exists, wait a few seconds and retry"},
					Commands: []string{
						"aws iam get-role --role-name AWSServiceRoleForECS",
						"aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com",
					},
					Source: "CreateService/RunTask/CreateCluster InvalidParameterException (aws-samples/aws-modern-application-workshop #69, #99; aws-samples/baseline-environment-on-aws #238)"}
			}},
		{id: "managed-instance-launch", re: regexp.MustCompile(`could not launch a Managed Instances instance for capacity provider (\S+?):`),
			build: func(m []string, text string) Match {
				f := accessFacts(text)
				mm := withDeny(Match{Title: "ECS could not launch an instance with the capacity provider's infrastructure role", Facts: f,
					Cause:    []string{"ECS launches the instances of capacity provider " + m[1] + " with its infrastructure role: the role could not be assumed (it must trust ecs.amazonaws.com), lacks an EC2 permission, may not pass the instance profile's role to ec2.amazonaws.com (AmazonECSInfrastructureRolePolicyForManagedInstances allows iam:PassRole only on roles named ecsInstanceRole*), or the instance profile does not exist"},
					Fix:      []string{"attach AmazonECSInfrastructureRolePolicyForManagedInstances to the infrastructure role and name the instance role ecsInstanceRole..., or allow the infrastructure role iam:PassRole on the instance role with iam:PassedToService ec2.amazonaws.com"},
					Commands: grantCommand(f, map[string]map[string]strList{"StringEquals": {"iam:PassedToService": {"ec2.amazonaws.com"}}}),
					Source:   "rolecall's wording of a documented failure (ECS Developer Guide, Amazon ECS Managed Instances instance profile)"}, f)
				if f["action"] != "iam:PassRole" {
					mm.Commands = grantCommand(f, nil)
				}
				return mm
			}},
		{id: "legacy-service-role-targetgroup", re: regexp.MustCompile(`Unable to assume role and validate the (specified targetGroupArn|listeners configured on your load balancer)`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "ECS cannot use the service's legacy role for its load balancer",
					Cause: []string{
						"the service names a role (the legacy ecsServiceRole), and ecs.amazonaws.com cannot assume it or it lacks Elastic Load Balancing permissions; or the target group ARN is wrong.",
					},
					Fix: []string{
						"preferred: remove \"role\" from the service; ECS then registers targets with AWSServiceRoleForECS (required anyway for awsvpc tasks)",
						"or: let ecs.amazonaws.com assume the role and attach AmazonEC2ContainerServiceRole",
					},
					Commands: []string{
						"aws iam update-assume-role-policy --role-name ecsServiceRole --policy-document " + shellQuote(trustDoc("ecs.amazonaws.com").compact()),
						"aws iam attach-role-policy --role-name ecsServiceRole --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceRole",
					},
					Source: "CreateService with role: the target group text (a widely shared Q&A on ECS roles), the Classic Load Balancer listeners text (hashicorp/terraform #4609)"}
			}},
		{id: "task-role-assume", re: regexp.MustCompile(`ECS was unable to assume the role '([^']+)' that was provided for this task`),
			build: func(m []string, _ string) Match {
				_, name := principalOf(m[1])
				return Match{Title: "ECS cannot assume the task's role",
					Facts: map[string]string{"role": m[1]},
					Cause: []string{
						"the role's trust policy does not let ecs-tasks.amazonaws.com assume it (the usual cause: it trusts ec2.amazonaws.com or ecs.amazonaws.com instead), or its conditions (aws:SourceAccount, aws:SourceArn) do not match the task",
						"or the role does not exist (deleted, or named in another account), or the principal that started the task may not iam:PassRole it",
					},
					Fix:      []string{"let ecs-tasks.amazonaws.com assume " + name + " (the command replaces the trust policy; merge by hand if it trusts others too)", "check the deployer with: rolecall doctor --deployer ARN"},
					Commands: []string{"aws iam update-assume-role-policy --role-name " + name + " --policy-document " + shellQuote(trustDoc("ecs-tasks.amazonaws.com").compact())},
					Source:   "service event (aws-samples/aws-modern-application-workshop #88, #149; telia-oss/terraform-aws-ecs-fargate #58)"}
			}},
		{id: "passrole-denied", re: regexp.MustCompile(`not authorized to perform:? iam:PassRole`),
			build: func(_ []string, text string) Match {
				f := accessFacts(text)
				role := f["resource"]
				_, rn := principalOf(role)
				svc := "ecs-tasks.amazonaws.com"
				if strings.Contains(strings.ToLower(rn), "infrastructure") || strings.Contains(strings.ToLower(rn), "servicerole") {
					svc = "ecs.amazonaws.com"
				}
				mm := Match{Title: "the caller may not pass the role (iam:PassRole)", Facts: f,
					Cause: []string{
						"ECS checks iam:PassRole for the caller's identity when a request names a role: RegisterTaskDefinition, RegisterDaemonTaskDefinition and RunTask (task and execution roles), CreateService (a legacy service role, infrastructure roles), CreateCapacityProvider (the Managed Instances infrastructure role), CreateExpressGatewayService (its infrastructure role, and its task and execution roles).",
						"the caller's policies do not allow iam:PassRole on that role, or their iam:PassedToService condition names another service",
					},
					Fix:      []string{"allow the caller iam:PassRole on exactly that role, for the service it is passed to (" + svc + " for task and execution roles; ecs.amazonaws.com for service and infrastructure roles; ec2.amazonaws.com for instance roles)"},
					Commands: grantCommand(f, map[string]map[string]strList{"StringEquals": {"iam:PassedToService": {svc}}}),
					Source:   "ECS AccessDeniedException, HTTP 400 (aws/serverless-application-model #2247; ministryofjustice/modernisation-platform PR #8443)"}
				mm.Fix = append(mm.Fix, denyNote(f)...)
				return mm
			}},
		{id: "role-with-slr-service", re: regexp.MustCompile(`You cannot specify an IAM role for services that require a service linked role`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the service may not name a role",
					Cause:  []string{"the service's tasks use awsvpc networking (Fargate always does), or it has no load balancer: ECS uses AWSServiceRoleForECS and refuses the legacy \"role\" parameter"},
					Fix:    []string{"remove \"role\" (or --role) from the service definition"},
					Source: "CreateService InvalidParameterException (hashicorp/terraform-provider-aws #4657; aws/amazon-ecs-cli #426)"}
			}},
		{id: "role-not-valid", re: regexp.MustCompile(`(?:^|\W)Role is not valid`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the task definition names a role that is not valid",
					Cause:  []string{"taskRoleArn or executionRoleArn is not the ARN of an existing role of this account: a typo, a role name instead of its ARN, a role in another account, a deleted role, or one created moments ago that IAM has not propagated yet"},
					Fix:    []string{"give the full role ARN (with its path) of an existing role; check it with aws iam get-role"},
					Source: "RegisterTaskDefinition ClientException (fabfuel/ecs-deploy #231)"}
			}},
		{id: "exec-needs-task-role", re: regexp.MustCompile(`a valid taskRoleArn is not being used`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "ECS Exec needs a task role",
					Cause: []string{"enableExecuteCommand is set, but the task definition names no task role: the SSM agent in the task opens its channels with the task role's credentials"},
					Fix:   []string{"name a task role in the task definition, trusted by ecs-tasks.amazonaws.com, that allows ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel"},
					Commands: []string{"aws iam put-role-policy --role-name TASK_ROLE --policy-name ecs-exec --policy-document " +
						shellQuote(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateControlChannel","ssmmessages:CreateDataChannel","ssmmessages:OpenControlChannel","ssmmessages:OpenDataChannel"],"Resource":"*"}]}`)},
					Source: "UpdateService InvalidParameterException (aws/aws-toolkit-jetbrains #3649)"}
			}},
		{id: "exec-not-connected", re: regexp.MustCompile(`TargetNotConnectedException|The execute command failed due to an internal error`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "ECS Exec: the SSM agent in the task could not connect",
					Cause: []string{"the task role does not allow the SSM agent's ssmmessages actions (the usual cause), or the task names no task role; also: the task cannot reach ssmmessages (no NAT or VPC endpoint), or the container's SSM agent failed to start"},
					Fix:   []string{"allow ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel to the task role, then start a new task (the agent connects when the task starts); aws-containers/amazon-ecs-exec-checker checks the rest"},
					Commands: []string{"aws iam put-role-policy --role-name TASK_ROLE --policy-name ecs-exec --policy-document " +
						shellQuote(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateControlChannel","ssmmessages:CreateDataChannel","ssmmessages:OpenControlChannel","ssmmessages:OpenDataChannel"],"Resource":"*"}]}`)},
					Source: "ExecuteCommand TargetNotConnectedException (aws/aws-cli #9070; aws/amazon-ssm-agent #565)"}
			}},
		{id: "exec-not-enabled", re: regexp.MustCompile(`execute command was not enabled when the task was run`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "ECS Exec is not on for this task",
					Cause:    []string{"the task was started without enableExecuteCommand (turning it on for a service changes only tasks started afterwards), or it is not RUNNING"},
					Fix:      []string{"turn it on and start new tasks: aws ecs update-service --enable-execute-command --force-new-deployment, or run-task --enable-execute-command"},
					Commands: []string{"aws ecs update-service --cluster CLUSTER --service SERVICE --enable-execute-command --force-new-deployment"},
					Source:   "ExecuteCommand InvalidParameterException (fabfuel/ecs-deploy #193; keidarcy/e1s #206)"}
			}},
		{id: "fargate-awslogs-needs-exec-role", re: regexp.MustCompile(`Fargate requires task definition to have execution role ARN to support log driver awslogs`),
			build: func(_ []string, _ string) Match {
				return needExecRole("awslogs on Fargate: the Fargate agent creates log streams and sends logs with the execution role", "virtual-kubelet/virtual-kubelet #193")
			}},
		{id: "fargate-ecr-needs-exec-role", re: regexp.MustCompile(`Fargate requires task definition to have execution role ARN to support ECR images`),
			build: func(_ []string, _ string) Match {
				return needExecRole("a private ECR image on Fargate: the Fargate agent pulls it with the execution role", "hashicorp/terraform-provider-aws #3051")
			}},
		{id: "secrets-need-exec-role", re: regexp.MustCompile(`When you are specifying container secrets, you must also specify a value for 'executionRoleArn'`),
			build: func(_ []string, _ string) Match {
				return needExecRole("container secrets: the agent reads Secrets Manager and Parameter Store with the execution role", "fabfuel/ecs-deploy #87")
			}},
		{id: "registry-auth-needs-exec-role", re: regexp.MustCompile(`Private repository authentication requires that the task definition specify a value for executionRoleArn`),
			build: func(_ []string, _ string) Match {
				return needExecRole("private registry credentials: the agent reads the credentials secret with the execution role", "sil-org/ecs-deploy #188")
			}},
		{id: "efs-iam-needs-task-role", re: regexp.MustCompile(`EFS IAM authorization requires a task role`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "EFS IAM authorization needs a task role",
					Cause: []string{"a volume sets authorizationConfig.iam ENABLED: the task mounts the file system with the task role's credentials"},
					Fix:   []string{"name a task role that allows elasticfilesystem:ClientMount (and ClientWrite for read-write mounts) on the file system"}}
			}},
		{id: "ecr-auth-denied", re: regexp.MustCompile(`unable to retrieve ecr registry auth|CannotPullECRContainerError`), also: reDenied,
			build: func(_ []string, text string) Match {
				f := accessFacts(text)
				return withDeny(Match{Title: "the execution role may not get an ECR authorization token", Facts: f,
					Cause:    []string{"the task execution role lacks ecr:GetAuthorizationToken (which only Resource \"*\" grants)"},
					Fix:      []string{"attach AmazonECSTaskExecutionRolePolicy to the execution role, or allow ecr:GetAuthorizationToken on \"*\" and ecr:BatchGetImage, ecr:GetDownloadUrlForLayer on the repository"},
					Commands: attachExec(f),
					Source:   "ResourceInitializationError (stopped task reason)"}, f)
			}},
		{id: "secret-key-denied", re: regexp.MustCompile(`Access to KMS is not allowed|The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access`),
			build: func(_ []string, text string) Match {
				f := accessFacts(text)
				return Match{Title: "the execution role may not decrypt the secret's key", Facts: f,
					Cause:  []string{"the secret or SecureString parameter is encrypted with a customer managed KMS key, and the task execution role lacks kms:Decrypt on that key (or the key's policy does not let the account's IAM policies grant it)"},
					Fix:    []string{"allow the execution role kms:Decrypt on the key's ARN, with the condition kms:ViaService secretsmanager.REGION.amazonaws.com (or ssm.REGION.amazonaws.com); check the key policy too"},
					Source: "ResourceInitializationError (GiamPy5/terraform-aws-directus #10; aws/aws-cdk #4498)"}
			}},
		{id: "asm-denied", re: regexp.MustCompile(`unable to retrieve secrets? from asm|unable to get registry auth from asm|(?i)asm fetching secret|Fetching secret data from AWS Secrets Manager`), also: reDenied,
			build: func(_ []string, text string) Match {
				f := accessFacts(text)
				return withDeny(Match{Title: "the execution role may not read a Secrets Manager secret", Facts: f,
					Cause:    []string{"the task execution role lacks " + orDefault(f["action"], "secretsmanager:GetSecretValue") + " on the secret (or kms:Decrypt on its customer managed key); the secret's resource policy may also deny it"},
					Fix:      []string{"allow the execution role secretsmanager:GetSecretValue on the secret's ARN (and kms:Decrypt on its key if it is a customer managed key)"},
					Commands: grantCommand(f, nil),
					Source:   "ResourceInitializationError: unable to pull secrets or registry auth (stopped task reason)"}, f)
			}},
		{id: "ssm-denied", re: regexp.MustCompile(`unable to retrieve secrets from ssm|Fetching secret data from SSM Parameter Store`), also: reDenied,
			build: func(_ []string, text string) Match {
				f := accessFacts(text)
				return withDeny(Match{Title: "the execution role may not read a Parameter Store parameter", Facts: f,
					Cause:    []string{"the task execution role lacks ssm:GetParameters on the parameter (or kms:Decrypt on the key of a SecureString under a customer managed key)"},
					Fix:      []string{"allow the execution role ssm:GetParameters on the parameter's ARN"},
					Commands: grantCommand(f, nil),
					Source:   "ResourceInitializationError: unable to pull secrets or registry auth (stopped task reason)"}, f)
			}},
		{id: "env-files-denied", re: regexp.MustCompile(`failed to download env files|(?i)unable to download env file`), also: regexp.MustCompile(`(?i)AccessDenied|Forbidden|403`),
			build: func(_ []string, text string) Match {
				return Match{Title: "the execution role may not read the task's environment files",
					Cause:  []string{"a container names environmentFiles in Amazon S3, and the task execution role lacks s3:GetObject on the object (and s3:GetBucketLocation on the bucket), or the bucket policy refuses it; a missing object also answers 403 when the role may not list the bucket"},
					Fix:    []string{"allow the execution role s3:GetObject on arn:aws:s3:::BUCKET/KEY and s3:GetBucketLocation on arn:aws:s3:::BUCKET; check the object exists"},
					Source: "ResourceInitializationError (aws/aws-cdk #12720; public notes, 2025)"}
			}},
		{id: "logger-denied", re: regexp.MustCompile(`failed to validate logger args|failed to initialize logging driver`), also: reDenied,
			build: func(_ []string, text string) Match {
				f := accessFacts(text)
				return withDeny(Match{Title: "the role sending awslogs may not write the log group", Facts: f,
					Cause:    []string{"the task execution role (on EC2 without one, the container instance role) lacks logs:CreateLogStream and logs:PutLogEvents on arn:aws:logs:REGION:ACCOUNT:log-group:GROUP:log-stream:*, or logs:CreateLogGroup with awslogs-create-group"},
					Fix:      []string{"attach AmazonECSTaskExecutionRolePolicy, or allow those actions on \"arn:aws:logs:REGION:ACCOUNT:log-group:GROUP:*\" (a resource without the trailing :* does not cover the streams)"},
					Commands: grantCommand(f, nil),
					Source:   "ResourceInitializationError (stopped task reason)"}, f)
			}},
		{id: "logger-no-group", re: regexp.MustCompile(`(?i)failed to validate logger args.*(log group does not exist|ResourceNotFoundException)`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the awslogs log group does not exist",
					Cause:    []string{"awslogs-group names a log group that is not there (or is in another Region than awslogs-region)"},
					Fix:      []string{"create the log group, or set awslogs-create-group to \"true\" and allow logs:CreateLogGroup to the execution role"},
					Commands: []string{"aws logs create-log-group --log-group-name GROUP --region REGION"},
					Source:   "ResourceInitializationError (stopped task reason)"}
			}},
		{id: "logger-region", re: regexp.MustCompile(`awslogs-region is required`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "awslogs needs a Region", Cause: []string{"the container's logConfiguration has no awslogs-region option"},
					Fix: []string{"add \"awslogs-region\": \"REGION\" to the container's logConfiguration.options"}}
			}},
		{id: "task-network", re: regexp.MustCompile(`(?i)ResourceInitializationError|CannotPullContainerError`), also: reNetwork,
			build: func(_ []string, _ string) Match {
				return Match{Title: "the task cannot reach an AWS endpoint: a network problem, not a role",
					Cause: []string{"the task's subnet has no route to ECR, Secrets Manager, Parameter Store or CloudWatch Logs: a private subnet without NAT gateway or VPC endpoints, a public subnet without a public IP, or a security group without outbound HTTPS"},
					Fix:   []string{"give the task a path out: a NAT gateway, assignPublicIp ENABLED in a public subnet, or interface VPC endpoints (ecr.api, ecr.dkr, logs, secretsmanager, ssm) plus the S3 gateway endpoint for image layers"}}
			}},
		{id: "pull-denied", re: regexp.MustCompile(`CannotPullContainerError`), also: reDenied,
			build: func(_ []string, text string) Match {
				f := accessFacts(text)
				return withDeny(Match{Title: "the role pulling the image may not read the ECR repository", Facts: f,
					Cause:    []string{"on Fargate and Managed Instances the task execution role pulls the image; on EC2 the execution role when the task definition names one, otherwise the container instance role. That role lacks " + orDefault(f["action"], "ecr:BatchGetImage / ecr:GetDownloadUrlForLayer") + ", or a cross-account repository's policy does not allow it"},
					Fix:      []string{"attach AmazonECSTaskExecutionRolePolicy (or AmazonEC2ContainerServiceforEC2Role to the instance role), or allow the missing action on the repository ARN; for another account's repository, also allow the role in the repository policy"},
					Commands: grantCommand(f, nil),
					Source:   "CannotPullContainerError (stopped task reason)"}, f)
			}},
		{id: "pull-access", re: regexp.MustCompile(`(?i)CannotPullContainerError.*(pull access denied|may require 'docker login'|403 Forbidden|no basic auth credentials)`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the image could not be pulled: wrong name, or no credentials for the registry",
					Cause: []string{"the image or tag does not exist, or the pull had no credentials: a private ECR image on Fargate without an execution role, a private registry without repositoryCredentials, or a repository policy that refuses the role"},
					Fix:   []string{"check the image name and tag; name an execution role with AmazonECSTaskExecutionRolePolicy; for other registries, set repositoryCredentials"}}
			}},
		{id: "root-assume", re: regexp.MustCompile(`Roles may not be assumed by root accounts`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the account's root user cannot assume roles",
					Cause: []string{"AssumeRole was called with the root user's credentials; IAM refuses role assumption by root, whatever the trust policy says"},
					Fix: []string{"call it as an IAM user or role (create a user with sts:AssumeRole on the role, and trust that user or the account in the role's trust policy)",
						"for a test suite written against an emulator that lets root assume roles: rolecall serve --auth lenient allows it, as the role's trust policy does (AWS never does)"},
					Source: "STS AccessDenied (aws/aws-cli #3875)"}
			}},
		{id: "web-identity-trust", re: regexp.MustCompile(`Not authorized to perform sts:AssumeRoleWith(WebIdentity|SAML)`),
			build: func(m []string, _ string) Match {
				if m[1] == "SAML" {
					return Match{Title: "the role does not trust this SAML assertion",
						Cause: []string{"the role's trust policy has no statement allowing sts:AssumeRoleWithSAML for the SAML provider (Principal {\"Federated\": \"arn:aws:iam::ACCOUNT:saml-provider/NAME\"}), or its conditions (saml:aud, saml:sub, ...) do not match the assertion"},
						Fix:   []string{"trust the provider's ARN as Federated principal for sts:AssumeRoleWithSAML, with \"StringEquals\": {\"saml:aud\": \"https://signin.aws.amazon.com/saml\"}; check the assertion's Role attribute names this role and provider"}}
				}
				return Match{Title: "the role does not trust this web identity token",
					Cause:  []string{"the role's trust policy has no statement allowing sts:AssumeRoleWithWebIdentity for the OIDC provider (Principal {\"Federated\": \"arn:aws:iam::ACCOUNT:oidc-provider/ISSUER\"}), or its conditions do not match the token's claims: most often ISSUER:sub (GitHub: repo:ORG/REPO:ref:refs/heads/BRANCH, repo:ORG/REPO:environment:NAME; EKS: system:serviceaccount:NAMESPACE:NAME) or ISSUER:aud (sts.amazonaws.com)"},
					Fix:    []string{"compare the token's sub and aud claims with the trust policy's conditions (StringLike for wildcards such as repo:ORG/REPO:*); rolecall oidc token --preset github|eks prints a token to try the policy with, and rolecall explain-denied REQUEST_ID shows which condition failed"},
					Source: "STS AccessDenied (AssumeRoleWithWebIdentity API reference)"}
			}},
		// AssumeRoleWithSAML's InvalidIdentityToken texts ("Troubleshoot
		// SAML federation with IAM",
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html).
		{id: "saml-response", re: regexp.MustCompile(`decrypt the encrypted assertion|requires encrypted assertions|Response signature invalid|Issuer not present in specified provider|Specified provider doesn't exist|invalid SAML response|Response is not addressed to AWS|Response does not contain the required audience|Response is not yet valid|(RoleSessionName|SessionDuration) (is required )?in AuthnResponse|Source Identity must match|more than 50 PrincipalTag attributes`),
			build: func(_ []string, text string) Match {
				switch {
				case strings.Contains(text, "decrypt the encrypted assertion"):
					return Match{Title: "STS could not decrypt the encrypted SAML assertion",
						Cause:    []string{"the identity provider encrypted the assertion to a certificate whose private key the SAML provider does not hold (none added, another key, or one removed in a rotation), or the ciphertext was changed on the way"},
						Fix:      []string{"add the private key of the certificate the identity provider encrypts to, or give the identity provider the certificate of a key the provider holds; rotate by adding the new key before removing the old one"},
						Commands: []string{"aws iam update-saml-provider --saml-provider-arn PROVIDER_ARN --add-private-key file://sp.key"}}
				case strings.Contains(text, "requires encrypted assertions"):
					return Match{Title: "the SAML provider takes encrypted assertions only",
						Cause: []string{"the provider's AssertionEncryptionMode is Required, and the identity provider sent the assertion unencrypted"},
						Fix:   []string{"have the identity provider encrypt assertions to the certificate of a private key the provider holds, or take plain ones again (mode Allowed)"},
						Commands: []string{"rolecall saml assertion --encrypt-to sp.crt ...",
							"aws iam update-saml-provider --saml-provider-arn PROVIDER_ARN --assertion-encryption-mode Allowed"}}
				case strings.Contains(text, "signature") || strings.Contains(text, "Issuer not present") || strings.Contains(text, "provider doesn't exist"):
					return Match{Title: "the SAML response is not the provider's identity provider's",
						Cause:    []string{"the PrincipalArn names no SAML provider, or the response's Issuer is not the entity ID of the provider's metadata, or its signature is not valid with a certificate the metadata names (a certificate rotated at the identity provider, a response changed after it was signed)"},
						Fix:      []string{"pass the SAML provider's ARN as PrincipalArn; update the provider with the identity provider's current metadata"},
						Commands: []string{"aws iam update-saml-provider --saml-provider-arn PROVIDER_ARN --saml-metadata-document file://metadata.xml"}}
				case strings.Contains(text, "AuthnResponse") || strings.Contains(text, "Source Identity") || strings.Contains(text, "PrincipalTag"):
					return Match{Title: "an attribute of the SAML assertion is not one AWS takes",
						Cause: []string{"the assertion lacks https://aws.amazon.com/SAML/Attributes/RoleSessionName, or its RoleSessionName, SessionDuration, SourceIdentity or PrincipalTag attributes break AWS's rules"},
						Fix:   []string{"configure the identity provider's AWS attributes as the IAM User Guide's \"Configure SAML assertions for the authentication response\" describes: RoleSessionName of 2 to 64 of [a-zA-Z_0-9+=,.@-], SessionDuration 900 to 43200, at most 50 session tags"}}
				}
				return Match{Title: "the SAML response is not addressed to AWS, or not valid now",
					Cause: []string{"its SubjectConfirmationData's Recipient is not AWS's sign-in endpoint (https://signin.aws.amazon.com/saml), no AudienceRestriction names AWS, its NotBefore is in the future, or it is not a SAML 2.0 response with the Role attribute"},
					Fix:   []string{"configure the identity provider's AWS application with the ACS URL and audience https://signin.aws.amazon.com/saml (or urn:amazon:webservices), and check the clocks of the identity provider and the client"}}
			}},
		{id: "web-identity-token", re: regexp.MustCompile(`Token expired: current date/time|identity provider \(IDP\) that was asked to verify the incoming identity token could not be reached|The identity provider( \(IdP\))? reported that authentication failed|Response has expired|Token must be redeemed within 5 minutes`),
			build: func(_ []string, text string) Match {
				switch {
				case strings.Contains(text, "Token expired"):
					return Match{Title: "the web identity token has expired",
						Cause: []string{"the token's exp is in the past (STS allows five minutes of clock skew): a token file read after its lifetime, or a clock that is off"},
						Fix:   []string{"get a fresh token (GitHub Actions: request it in the job that uses it; EKS: the kubelet refreshes the projected token, so read the file again)"}}
				case strings.Contains(text, "Response has expired") || strings.Contains(text, "must be redeemed"):
					return Match{Title: "the SAML response has expired",
						Cause: []string{"the assertion's NotOnOrAfter has passed, or it was issued more than five minutes before it was presented to STS"},
						Fix:   []string{"sign in to the identity provider again for a fresh response, and present it at once; check the clocks of the IdP and the client"}}
				case strings.Contains(text, "could not be reached"):
					return Match{Title: "STS could not fetch the identity provider's keys",
						Cause: []string{"the token's issuer URL (its /.well-known/openid-configuration and jwks_uri) could not be read: a private issuer, a network problem, or a wrong issuer in the token"},
						Fix:   []string{"make the issuer's discovery document and JWKS reachable over HTTPS, and retry with backoff"}}
				}
				return Match{Title: "the identity provider rejected a claim of the token",
					Cause: []string{"the token's aud (or azp) is not one of the OIDC provider's client IDs, or a claim STS checks is invalid"},
					Fix:   []string{"add the token's audience to the provider (aws iam add-client-id-to-open-id-connect-provider), or request the token for an audience the provider lists (GitHub Actions: sts.amazonaws.com)"}}
			}},
		{id: "session-credentials", re: regexp.MustCompile(`Cannot call (GetSessionToken|GetFederationToken) with session credentials`),
			build: func(m []string, _ string) Match {
				return Match{Title: m[1] + " needs long-term credentials",
					Cause: []string{"the caller already uses temporary credentials (a role session, a federated user, or an earlier session token)"},
					Fix:   []string{"call " + m[1] + " with an IAM user's access key, or use the session you have"}}
			}},
		{id: "packed-size", re: regexp.MustCompile(`Packed (policy|size of session tags) consumes`),
			build: func(m []string, _ string) Match {
				what := "the session policies"
				if m[1] != "policy" {
					what = "the session tags"
				}
				return Match{Title: "the session's policies or tags are too large",
					Cause: []string{what + " passed to AssumeRole or GetFederationToken, packed, exceed the space STS allows a session"},
					Fix:   []string{"pass fewer or shorter session policies and tags (managed policy ARNs count too; each inline policy at most 2,048 characters)"}}
			}},
		{id: "transitive-tags", re: regexp.MustCompile(`transitive tag key`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the session's transitive tags conflict",
					Cause: []string{"TransitiveTagKeys must name tags passed in the same call, and cannot change a tag key that the calling session already passes on transitively"},
					Fix:   []string{"list in TransitiveTagKeys only keys of the Tags you pass, and do not repeat a transitive key of the calling session with another value"}}
			}},
		{id: "infrastructure-role-invalid", re: regexp.MustCompile(`The (infrastructure role|instance profile) (\S+) is not valid`),
			build: func(m []string, _ string) Match {
				if m[1] == "instance profile" {
					return Match{Title: "the Managed Instances capacity provider names no instance profile of the account", Facts: map[string]string{"profile": m[2]},
						Cause:    []string{"instanceLaunchTemplate.ec2InstanceProfileArn names an instance profile that does not exist (a role's ARN given instead of the profile's, a typo, another account's)"},
						Fix:      []string{"create the profile with the instance role in it, and give the profile's ARN"},
						Commands: []string{"aws iam create-instance-profile --instance-profile-name ecsInstanceRole", "aws iam add-role-to-instance-profile --instance-profile-name ecsInstanceRole --role-name ecsInstanceRole"}}
				}
				_, name := principalOf(m[2])
				return Match{Title: "ECS cannot use the infrastructure role", Facts: map[string]string{"role": m[2]},
					Cause: []string{"the role does not exist, or its trust policy does not let ecs.amazonaws.com assume it"},
					Fix: []string{"let ecs.amazonaws.com assume it and attach the AWS managed policy of its use: AmazonECSInfrastructureRolePolicyForManagedInstances for a Managed Instances capacity provider, " +
						"AmazonECSInfrastructureRoleforExpressGatewayServices for an Express service"},
					Commands: []string{"aws iam update-assume-role-policy --role-name " + orDefault(name, "ROLE") + " --policy-document " + shellQuote(trustDoc("ecs.amazonaws.com").compact())}}
			}},
		{id: "lifecycle-hook-role-invalid", re: regexp.MustCompile(`The lifecycle hook role (\S+) is not valid`),
			build: func(m []string, _ string) Match {
				_, name := principalOf(m[1])
				return Match{Title: "ECS cannot use the lifecycle hook's role", Facts: map[string]string{"role": m[1]},
					Cause:    []string{"the role does not exist in the account, or its trust policy does not let ecs.amazonaws.com assume it (ECS assumes it to invoke the hook's Lambda function)"},
					Fix:      []string{"let ecs.amazonaws.com assume it, and allow it lambda:InvokeFunction on the hook's function"},
					Commands: []string{"aws iam update-assume-role-policy --role-name " + orDefault(name, "ROLE") + " --policy-document " + shellQuote(trustDoc("ecs.amazonaws.com").compact())},
					Source:   "rolecall's wording: AWS records no text for it (ECS Developer Guide, Permissions required for Lambda functions in Amazon ECS blue/green deployments)"}
			}},
		{id: "lifecycle-hook-failed", re: regexp.MustCompile(`Lifecycle hook (\S+) failed at stage (\S+): `),
			build: func(m []string, text string) Match {
				const source = "rolecall's wording: AWS records no text for it (ECS Developer Guide, Lifecycle hooks for Amazon ECS service deployments)"
				if rm := reHookUnassumable.FindStringSubmatch(text); rm != nil {
					_, name := principalOf(rm[1])
					return Match{Title: "ECS cannot assume the lifecycle hook's role", Facts: map[string]string{"function": m[1], "stage": m[2], "role": rm[1]},
						Cause:    []string{"when the deployment reached the stage, ECS could not assume the hook's role: its trust policy no longer lets ecs.amazonaws.com assume it, or it was deleted. The deployment failed and rolled back."},
						Fix:      []string{"let ecs.amazonaws.com assume the role, then deploy again"},
						Commands: []string{"aws iam update-assume-role-policy --role-name " + orDefault(name, "ROLE") + " --policy-document " + shellQuote(trustDoc("ecs.amazonaws.com").compact())},
						Source:   source}
				}
				f := accessFacts(text)
				f["function"], f["stage"] = m[1], m[2]
				return withDeny(Match{Title: "the lifecycle hook's role does not allow ECS to invoke the function", Facts: f,
					Cause:    []string{"ECS assumed the hook's role when the deployment reached the stage and invoked the function with it: the role's policies (and boundary) do not allow lambda:InvokeFunction on the function. The deployment failed and rolled back."},
					Fix:      []string{"allow the role lambda:InvokeFunction on the function, then deploy again"},
					Commands: grantCommand(f, nil),
					Source:   source}, f)
			}},
		{id: "express-infrastructure-refused", re: regexp.MustCompile(`The infrastructure role (\S+) does not allow Amazon ECS to manage the resources of the Express service`),
			build: func(m []string, text string) Match {
				f := accessFacts(text)
				f["role"] = m[1]
				_, name := principalOf(m[1])
				return withDeny(Match{Title: "the Express service's infrastructure role does not allow what ECS provisions with it", Facts: f,
					Cause: []string{"ECS assumed the role and made the request named with it: the role's policies (and boundary) do not allow it. " +
						"ECS creates the service's load balancer, target group, security group, scaling policy, alarm and log group with this role, tagged AmazonECSManaged=true, and updates and deletes them with it."},
					Fix:      []string{"attach AmazonECSInfrastructureRoleforExpressGatewayServices to the role"},
					Commands: []string{"aws iam attach-role-policy --role-name " + orDefault(name, "ROLE") + " --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"},
					Source:   "rolecall's wording: AWS records no text for it (CreateExpressGatewayService reference; ECS Developer Guide, Amazon ECS infrastructure IAM role)"}, f)
			}},
		{id: "identity-document-instance", re: regexp.MustCompile(`The instance identity document names instance (\S+), but the request is signed with the instance role credentials of instance (\S+?)\.`),
			build: func(m []string, _ string) Match {
				return Match{Title: "the container instance registers as another EC2 instance than the one whose role signs", Facts: map[string]string{"document": m[1], "signer": m[2]},
					Cause: []string{"RegisterContainerInstance was called with the instance role credentials of one instance and the identity document of another: the agent runs with credentials it did not get from its own instance's metadata service"},
					Fix:   []string{"run the agent with the credentials of the instance it registers (the exports of rolecall instance env INSTANCE_ID)"}}
			}},
		{id: "ec2-instance-profile", re: regexp.MustCompile(`Value \((\S+)\) for parameter iamInstanceProfile\.(name|arn) is invalid|The instance profile (\S+) contains no role`),
			build: func(m []string, _ string) Match {
				mm := Match{Title: "EC2 cannot launch the instance with that instance profile", Facts: map[string]string{"profile": m[1] + m[3]},
					Cause:    []string{"the instance profile does not exist in the account (an instance profile is not a role: a role created in the IAM console gets a profile of the same name, one created with the CLI or an SDK does not)"},
					Fix:      []string{"create the profile and put the role in it"},
					Commands: []string{"aws iam create-instance-profile --instance-profile-name PROFILE", "aws iam add-role-to-instance-profile --instance-profile-name PROFILE --role-name ROLE"},
					Source:   "RunInstances InvalidParameterValue (EC2 API reference)"}
				if m[3] != "" {
					mm.Cause = []string{"the instance profile holds no role, so an instance launched with it would get no credentials"}
					mm.Commands = mm.Commands[1:]
				}
				return mm
			}},
		{id: "ec2-profile-association", re: regexp.MustCompile(`There is an existing association for instance (\S+)|The association ID '(\S+)' does not exist|Invalid value for associationId\.`),
			build: func(m []string, _ string) Match {
				mm := Match{Title: "the instance already has an instance profile", Facts: map[string]string{"instance": m[1]},
					Cause:    []string{"AssociateIamInstanceProfile gives a profile to an instance that has none; an instance has at most one association"},
					Fix:      []string{"replace the instance's association with one of the new profile (its role's credentials are delivered from then on)"},
					Commands: []string{"aws ec2 describe-iam-instance-profile-associations --filters Name=instance-id,Values=" + orDefault(m[1], "INSTANCE_ID"), "aws ec2 replace-iam-instance-profile-association --association-id ASSOCIATION_ID --iam-instance-profile Name=PROFILE"},
					Source:   "AssociateIamInstanceProfile IncorrectState (EC2 API reference; aws-samples/one-observability-demo #201)"}
				switch {
				case m[2] != "":
					mm.Title, mm.Facts = "no such instance profile association", map[string]string{"association": m[2]}
					mm.Cause = []string{"the association was replaced (a replacement gets a new ID) or taken away, or its instance was terminated, or it is in another account or Region"}
					mm.Fix = []string{"find the instance's current association"}
					mm.Commands = mm.Commands[:1]
				case m[1] == "":
					mm.Title, mm.Facts = "that is not an association ID", nil
					mm.Cause = []string{"ReplaceIamInstanceProfileAssociation and DisassociateIamInstanceProfile take the association's ID (iip-assoc-...), not the instance's"}
					mm.Fix = []string{"find the association of the instance"}
					mm.Commands = mm.Commands[:1]
				}
				return mm
			}},
		{id: "ec2-unauthorized", re: regexp.MustCompile(`You are not authorized to perform this operation\.`),
			build: func(_ []string, text string) Match {
				f := accessFacts(text)
				return withDeny(Match{Title: "EC2 refused the request", Facts: f,
					Cause:    []string{"EC2 answers UnauthorizedOperation when the caller lacks the action, or, launching with an instance profile, iam:PassRole on the profile's role (with iam:PassedToService ec2.amazonaws.com)"},
					Fix:      []string{"allow the caller the action it names, and iam:PassRole on the instance profile's role for ec2.amazonaws.com"},
					Commands: grantCommand(f, nil),
					Source:   "UnauthorizedOperation, HTTP 403 (aws/karpenter-provider-aws reports, 2024)"}, f)
			}},
		{id: "scaling-role", re: regexp.MustCompile(`Unable to assume IAM role: (\S+)`),
			build: func(m []string, _ string) Match {
				return Match{Title: "Application Auto Scaling cannot use the role", Facts: map[string]string{"role": m[1]},
					Cause:    []string{"for ECS services Application Auto Scaling acts through its service-linked role AWSServiceRoleForApplicationAutoScaling_ECSService: the role named does not exist (it is created by RegisterScalableTarget for a caller allowed iam:CreateServiceLinkedRole), or, newly created, IAM has not propagated it yet"},
					Fix:      []string{"create the service-linked role, then register the target again without RoleARN"},
					Commands: []string{"aws iam create-service-linked-role --aws-service-name ecs.application-autoscaling.amazonaws.com"},
					Source:   "RegisterScalableTarget ValidationException (aws/aws-cdk #4108; aws-samples/amazon-bedrock-samples PR #285)"}
			}},
		{id: "instance-credentials", re: regexp.MustCompile(`NoCredentialProviders|Host EC2 \(instance (\S+)\) terminated|can be registered only with that instance's role credentials`),
			build: func(m []string, text string) Match {
				if strings.Contains(text, "terminated") {
					return Match{Title: "the task's container instance is gone", Facts: map[string]string{"instance": m[1]},
						Cause: []string{"the EC2 instance the task was placed on was terminated (or stopped); its container instance no longer runs tasks"},
						Fix:   []string{"deregister the container instance and run the task elsewhere; with an Auto Scaling group, let managed termination protection drain instances first"}}
				}
				if strings.Contains(text, "registered only") {
					return Match{Title: "a container instance registers with its own instance's credentials only",
						Cause: []string{"RegisterContainerInstance named an EC2 instance (in its identity document, or through the container instance it registered) that the caller is not: only the ECS agent on that instance, with the instance role credentials its metadata service gives, registers it"},
						Fix:   []string{"run the agent with the instance's own credentials (rolecall instance env INSTANCE_ID)"}}
				}
				return Match{Title: "the ECS agent has no credentials",
					Cause:    []string{"the instance's instance profile holds no role (or the instance has none), so its metadata service gives the agent no credentials to pull images, send logs or call ECS with"},
					Fix:      []string{"put the container instance role in the instance profile"},
					Commands: []string{"aws iam add-role-to-instance-profile --instance-profile-name PROFILE --role-name ecsInstanceRole"}}
			}},
		{id: "slr-in-use", re: regexp.MustCompile(`SLR \[([^\]]+)\] is in use by other resources`),
			build: func(m []string, _ string) Match {
				return Match{Title: "the service-linked role is still used", Facts: map[string]string{"role": m[1]},
					Cause:  []string{"a service-linked role is deleted only once the service no longer uses it: the deletion task failed, and its RoleUsageList names the resources, Region by Region (for AWSServiceRoleForECS: clusters, and for AWSServiceRoleForECSCompute Managed Instances capacity providers)"},
					Fix:    []string{"delete the resources it lists in every Region, then delete the role again"},
					Source: "GetServiceLinkedRoleDeletionStatus FAILED (awslabs/landing-zone-accelerator-on-aws #221)"}
			}},
		{id: "task-credentials", re: regexp.MustCompile(`TaskCredentialsRequest:|has no task role \(taskRoleArn\)|is not running: its role credentials|use GET \S+\?task=TASK_ARN`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "no role credentials for this task",
					Cause: []string{"the task's credentials are served from its launch until it stops, and only when its task definition names a task role; the request named no task, a task that is not running, or one without a task role"},
					Fix:   []string{"name a task role in the task definition; get the exports of a running task with rolecall task env TASK_ARN"}}
			}},
		{id: "ecs-not-found", re: regexp.MustCompile(`\b(Cluster|Service|TaskDefinition) not found\.|The referenced (task|container instance|cluster) was (not found|inactive)|The specified (capacity provider|resource) (does not exist|could not be found)|The specified cluster is inactive|TaskDefinition is inactive|Service was not ACTIVE|ECS service doesn't exist`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the ECS resource named is not there",
					Cause: []string{"ECS resources are regional and per account: the name or ARN is wrong, the request went to another Region (check --region and AWS_REGION), the resource was deleted (INACTIVE), or it is in another account"},
					Fix:   []string{"list what exists where you call: aws ecs list-clusters, list-services --cluster C, list-task-definitions"}}
			}},
		{id: "iam-not-found", re: regexp.MustCompile(`(?i)(role|user|group|instance profile|policy|access key|deletion task)\b.* cannot be found|Policy \S+ was not found|Policy \S+ version \S+ does not exist`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the IAM entity named is not there",
					Cause: []string{"IAM names are unique in the account whatever their case, and roles, users and policies are global: the name is wrong, it was deleted, it belongs to another account, or an ARN lacks the entity's path"},
					Fix:   []string{"check it with aws iam get-role --role-name NAME (or get-user, get-instance-profile, get-policy --policy-arn ARN)"}}
			}},
		{id: "session-duration", re: regexp.MustCompile(`The requested DurationSeconds exceeds the (MaxSessionDuration set for this role|1 hour session limit for roles assumed by role chaining)`),
			build: func(m []string, _ string) Match {
				mm := Match{Title: "the session asked for is longer than the role allows",
					Cause:    []string{"DurationSeconds is above the role's MaxSessionDuration (one hour unless the role raises it, up to 12 hours)"},
					Fix:      []string{"ask for less, or raise the role's limit"},
					Commands: []string{"aws iam update-role --role-name ROLE --max-session-duration 43200"},
					Source:   "STS ValidationError (hashicorp/terraform-provider-aws #13016)"}
				if strings.Contains(m[1], "chaining") {
					mm.Cause = []string{"the caller is itself a role session: a role assumed with another role's credentials (role chaining) gets at most one hour, whatever the role's MaxSessionDuration"}
					mm.Fix = []string{"ask for 3600 seconds or less, or assume the role with an IAM user's (or the source identity's) credentials"}
					mm.Commands = nil
				}
				return mm
			}},
		{id: "slr-unknown-service", re: regexp.MustCompile(`Service name (\S+) is not known or not supported for service-linked roles`),
			build: func(m []string, _ string) Match {
				return Match{Title: "that service has no service-linked role", Facts: map[string]string{"service": m[1]},
					Cause: []string{"create-service-linked-role takes a service principal (ecs.amazonaws.com, ecs.application-autoscaling.amazonaws.com...) of a service that has a service-linked role; the name given is none of them (a typo, or the service's short name)"},
					Fix:   []string{"give the service's principal; for ECS: aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com"}}
			}},
		{id: "boundary-not-found", re: regexp.MustCompile(`Scope ARN: (\S+) does not exist or is not attachable`),
			build: func(m []string, _ string) Match {
				return Match{Title: "the permissions boundary names no managed policy", Facts: map[string]string{"policy": m[1]},
					Cause: []string{"a permissions boundary is a managed policy given by ARN; there is none with this ARN (a typo, another account's, or an AWS managed policy without its path)"},
					Fix:   []string{"give an existing managed policy's exact ARN: aws iam get-policy --policy-arn ARN"}}
			}},
		{id: "policy-size", re: regexp.MustCompile(`Maximum policy size of (\d+|X) bytes exceeded for (\S+) (\S+)`),
			build: func(m []string, _ string) Match {
				return Match{Title: "the inline policies are too large", Facts: map[string]string{"entity": m[2] + " " + m[3]},
					Cause: []string{"IAM counts all inline policies of a role, user or group together, without whitespace: 10,240 characters for a role, 2,048 for a user, 5,120 for a group"},
					Fix:   []string{"move statements into customer managed policies (6,144 characters each, up to 10 attached by default), and use wildcards and fewer Resource entries"}}
			}},
		{id: "iam-quota", re: regexp.MustCompile(`Cannot exceed quota for (\w+)`),
			build: func(m []string, _ string) Match {
				return Match{Title: "an IAM quota is reached", Facts: map[string]string{"quota": m[1]},
					Cause: []string{"the account or entity is at IAM's limit for " + m[1] + " (for example 10 managed policies attached to a role, 1,000 roles per account, 50 tags)"},
					Fix:   []string{"detach or delete what is not needed; some quotas can be raised through Service Quotas (aws service-quotas list-service-quotas --service-code iam)"}}
			}},
		{id: "tag-quota", re: regexp.MustCompile(`The number of tags has reached the maximum limit`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the entity would have more than 50 tags",
					Cause: []string{"IAM keeps at most 50 tags on a role, user, policy, instance profile or provider; a Tag call that would leave more (its new keys added to those already there) is refused"},
					Fix:   []string{"remove tags that are not needed first: aws iam list-role-tags --role-name ROLE, then aws iam untag-role --role-name ROLE --tag-keys KEY"}}
			}},
		{id: "arn-invalid", re: regexp.MustCompile(`^(?:\w+: )?(ARN (\S+) is not valid|(\S+) is invalid)`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the ARN is not well formed",
					Cause: []string{"the value is not an ARN of the kind expected (arn:aws:iam::ACCOUNT:role/PATH/NAME for a role, arn:aws:iam::ACCOUNT:policy/... for a policy): a name where an ARN belongs, a missing account, or a typo"},
					Fix:   []string{"give the full ARN, as get-role or get-policy prints it"}}
			}},
		{id: "model-validation", re: regexp.MustCompile(`\d+ validation errors? detected: Value`),
			build: func(_ []string, text string) Match {
				return Match{Title: "a parameter breaks AWS's constraints on it",
					Cause: []string{"AWS checks every parameter against its service model before anything else: its length, its pattern (role names: letters, digits and +=,.@_- only, at most 64 characters; a path is not part of the name), its allowed values, whether it may be empty"},
					Fix:   []string{"give the value the text names in the form the constraint asks for; for a role given with its path, pass the name alone (and the path in --path)"}}
			}},
		{id: "delete-conflict", re: regexp.MustCompile(`Cannot delete entity, must (detach all policies|delete policies|remove roles from instance profile|delete access keys|remove users from group) first|Cannot delete a policy attached to entities`),
			build: func(m []string, _ string) Match {
				mm := Match{Title: "IAM deletes nothing that is still in use",
					Cause: []string{"DeleteRole (DeleteUser, DeleteGroup, DeletePolicy) refuses while the entity still has something: attached managed policies, inline policies, instance profiles holding the role, access keys, members, attachments"},
					Fix:   []string{"remove those first, then delete"},
					Commands: []string{
						"aws iam list-attached-role-policies --role-name ROLE   # then detach-role-policy each",
						"aws iam list-role-policies --role-name ROLE            # then delete-role-policy each",
						"aws iam list-instance-profiles-for-role --role-name ROLE   # then remove-role-from-instance-profile each",
					},
					Source: "DeleteConflict, HTTP 409 (IAM API reference, DeleteRole)"}
				if m[1] == "" {
					mm.Commands = []string{"aws iam list-entities-for-policy --policy-arn ARN   # then detach it from each"}
				}
				return mm
			}},
		{id: "iam-exists", re: regexp.MustCompile(`(?i)\b(role|user|group) with name \S+ already exists|Instance Profile \S+ already exists|A policy called \S+ already exists`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "an IAM entity of that name exists already",
					Cause: []string{"IAM names are unique in the account whatever their case (Admin and ADMIN are one name)"},
					Fix:   []string{"use the existing entity, or another name"}}
			}},
		{id: "assume-role-denied", re: regexp.MustCompile(`not authorized to perform:? sts:AssumeRole`),
			build: func(_ []string, text string) Match {
				f := accessFacts(text)
				return Match{Title: "the caller may not assume the role", Facts: f,
					Cause:  []string{"the role's trust policy does not name the caller (or its account, or its service principal), or the caller's own policies do not allow sts:AssumeRole on the role (needed across accounts)"},
					Fix:    []string{"add the caller to the role's trust policy (aws iam update-assume-role-policy), and allow it sts:AssumeRole on the role when it is in another account"},
					Source: "STS AccessDenied, HTTP 403 (Netflix/security_monkey #77)"}
			}},
		{id: "protected-role", re: regexp.MustCompile(`Cannot perform the operation on the protected role '([^']+)'`),
			build: func(m []string, _ string) Match {
				return Match{Title: "service-linked roles are changed only by AWS", Facts: map[string]string{"role": m[1]},
					Cause:    []string{m[1] + " is a service-linked role: its trust policy and permissions are AWS's, and IAM refuses PutRolePolicy, DetachRolePolicy, DeleteRolePolicy, UpdateAssumeRolePolicy and DeleteRole on it"},
					Fix:      []string{"leave it as it is; to remove it, delete the service's resources that use it, then delete it with delete-service-linked-role"},
					Commands: []string{"aws iam delete-service-linked-role --role-name " + m[1]},
					Source:   "UnmodifiableEntity (rebuy-de/aws-nuke #49, #331; gruntwork-io/cloud-nuke #880)"}
			}},
		{id: "slr-name-taken", re: regexp.MustCompile(`Service role name (\S+) has been taken in this account`),
			build: func(m []string, _ string) Match {
				return Match{Title: "the service-linked role already exists", Facts: map[string]string{"role": m[1]},
					Cause:  []string{m[1] + " exists already: there is one per account (per suffix)"},
					Fix:    []string{"nothing to create; tools that always create it should ignore this error"},
					Source: "CreateServiceLinkedRole InvalidInput (recorded)"}
			}},
		{id: "slr-custom-suffix", re: regexp.MustCompile(`Custom suffix is not allowed for (\S+)`),
			build: func(m []string, _ string) Match {
				return Match{Title: "this service's service-linked role takes no suffix", Facts: map[string]string{"service": strings.TrimRight(m[1], ".")},
					Cause:  []string{"only some services allow several service-linked roles with custom suffixes; ECS does not"},
					Fix:    []string{"call create-service-linked-role without --custom-suffix"},
					Source: "CreateServiceLinkedRole InvalidInput (recorded)"}
			}},
		{id: "cannot-create-slr", re: regexp.MustCompile(`Caller does not have permissions to create a Service Linked Role`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "the caller may not create the service-linked role",
					Cause:  []string{"a service tried to create its service-linked role for the caller, who lacks iam:CreateServiceLinkedRole"},
					Fix:    []string{"allow iam:CreateServiceLinkedRole with the condition iam:AWSServiceName set to the service's principal, or have an administrator create the role once"},
					Source: "AccessDeniedException (amplify-education/serverless-domain-manager #112)"}
			}},
		{id: "service-role-policy-attach", re: regexp.MustCompile(`Cannot attach a Service Role Policy to a Customer Role`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "an aws-service-role/ policy cannot be attached to your own role",
					Cause:  []string{"policies under arn:aws:iam::aws:policy/aws-service-role/ belong to service-linked roles only"},
					Fix:    []string{"create the service-linked role instead (aws iam create-service-linked-role --aws-service-name SERVICE), or attach the service-role/ policy meant for your own roles"},
					Source: "PolicyNotAttachable (aws/aws-cdk #6131)"}
			}},
		{id: "policy-not-attachable", re: regexp.MustCompile(`Policy (\S+?) does not exist or is not attachable`),
			build: func(m []string, _ string) Match {
				mm := Match{Title: "the managed policy ARN names no policy", Facts: map[string]string{"policy": m[1]},
					Cause:  []string{"no policy has this ARN: a typo, a customer managed policy of another account, or an AWS managed policy without its path (AWS's ECS role policies live under service-role/ or aws-service-role/)"},
					Fix:    []string{"use the policy's exact ARN, path included"},
					Source: "AttachRolePolicy NoSuchEntity (aws/aws-cdk #3379)"}
				if right := managedByName(m[1]); right != "" && right != m[1] {
					mm.Cause = []string{"there is an AWS managed policy of that name, but its ARN is " + right}
					mm.Fix = []string{"attach it by its full ARN, with the path"}
					mm.Commands = []string{"aws iam attach-role-policy --role-name ROLE --policy-arn " + right}
				}
				return mm
			}},
		{id: "slr-path-prefix", re: regexp.MustCompile(`Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "a service-linked role cannot be made with create-role",
					Cause:    []string{"the path /aws-service-role/ belongs to service-linked roles, which only the service (or create-service-linked-role) creates"},
					Fix:      []string{"create it with create-service-linked-role and the service's principal; for ECS:"},
					Commands: []string{"aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com"},
					Source:   "CreateRole InvalidInput (tilfin/aws-iam-policy-tool #9)"}
			}},
		{id: "invalid-principal", re: regexp.MustCompile(`Invalid principal in policy: "AWS":"([^"]+)"`),
			build: func(m []string, _ string) Match {
				return Match{Title: "the trust policy names a principal that does not exist", Facts: map[string]string{"principal": m[1]},
					Cause:  []string{m[1] + " is not an existing user or role (IAM checks named principals when the policy is written)"},
					Fix:    []string{"create that principal first, or name its account (arn:aws:iam::ACCOUNT:root) instead"},
					Source: "MalformedPolicyDocument (databrickslabs/ucx #2269)"}
			}},
		{id: "invalid-federated-principal", re: regexp.MustCompile(`Invalid principal in policy: "FEDERATED":"([^"]+)"`),
			build: func(m []string, _ string) Match {
				return Match{Title: "the trust policy names an identity provider that does not exist", Facts: map[string]string{"principal": m[1]},
					Cause: []string{m[1] + " is not an existing SAML or OpenID Connect provider (IAM checks named providers when the policy is written)"},
					Fix: []string{"create the provider first (create-open-id-connect-provider or create-saml-provider), in the role's account: STS looks for it there",
						"check the ARN's account and the provider's URL or name"},
					Commands: []string{"aws iam list-open-id-connect-providers", "aws iam list-saml-providers"},
					Source:   "MalformedPolicyDocument, worded as for a missing user or role"}
			}},
		{id: "access-denied", re: reUserAction,
			build: func(_ []string, text string) Match {
				f := accessFacts(text)
				var who []string
				if reTaskSession.MatchString(f["caller"]) {
					who = append(who, "the caller is an ECS task's role session (the session name is the task ID): the task role when the application made the call, the execution role when the agent did (pulling, logging, reading secrets)")
				}
				return withDeny(Match{Title: "the caller may not perform the action", Facts: f,
					Cause:    append(who, "no policy of the caller allows "+f["action"]+orDefault(prefixed(" on ", f["resource"]), "")+" ("+orDefault(f["denied"], "the reason is not in the text")+")"),
					Fix:      []string{"allow it to the caller, scoped to the resource (see the command), or remove the Deny when the denial is explicit"},
					Commands: grantCommand(f, nil),
					Source:   "AWS's AccessDenied format (IAM User Guide, Troubleshooting access denied error messages)"}, f)
			}},
		// Questions.
		{id: "who-wins-task-vs-instance", question: true,
			re: regexp.MustCompile(`(?is)(task[ -]role.*(instance[ -](role|profile)|ec2 role|container instance)|(instance[ -](role|profile)|ec2 role|container instance).*task[ -]role|who wins|which credentials|credential (chain|precedence))`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "task role versus instance role: which credentials a container gets",
					Cause: []string{
						"inside a container the AWS SDKs walk their default credential chain: environment variables (AWS_ACCESS_KEY_ID...) and shared config files first, then the container credentials provider (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, which the ECS agent sets only when the task definition names a task role), then the EC2 instance metadata service (the instance role)",
						"so the task role wins whenever the task definition names one; static keys in the container's environment win over both",
						"without a task role, a container on an EC2 instance falls through to the instance metadata service and gets the container instance role (\"If a task can't find the IAM task role due to configuration issues, then the Amazon EC2 instance role is used\", AWS re:Post) unless that is blocked: ECS_AWSVPC_BLOCK_IMDS=true in /etc/ecs/ecs.config for awsvpc tasks, iptables rules for bridge mode",
						"on EC2, tasks in bridge or default network mode get their task role only with ECS_ENABLE_TASK_IAM_ROLE=true, and host mode tasks with ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true; awsvpc tasks always do",
						"on Fargate and Managed Instances there is no instance role for the containers: the task role or nothing",
					},
					Fix: []string{"give every task that calls AWS its own task role, and block the instance metadata service from tasks on EC2 so none falls back to the instance role"}}
			}},
		{id: "who-wins-execution-vs-task", question: true,
			re: regexp.MustCompile(`(?is)(execution[ -]role.*task[ -]role|task[ -]role.*execution[ -]role)`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "task execution role versus task role: two different jobs",
					Cause: []string{
						"the task execution role is used by the ECS agent (or Fargate's) before and around the containers: pulling private ECR images, creating log streams and sending awslogs, reading secrets and parameters; its credentials never reach the containers",
						"the task role is what the application in the containers gets; nothing ECS itself does uses it, except ECS Exec's channels and EFS IAM mounts",
						"on EC2, the agent uses the execution role when the task definition names one, and the container instance role otherwise",
					},
					Fix: []string{"keep them separate (AWS recommends separate roles): AmazonECSTaskExecutionRolePolicy plus secret access on the execution role, the application's permissions on the task role"}}
			}},
		{id: "which-roles", question: true,
			re: regexp.MustCompile(`(?is)(do i (really )?need|which roles|what roles|roles? (do|does) .*need|did i miss|all (the|these) roles)`),
			build: func(_ []string, _ string) Match {
				return Match{Title: "which ECS roles a setup needs",
					Cause: []string{
						"AWSServiceRoleForECS (service-linked): for services (but those registering targets through a legacy ecsServiceRole), awsvpc tasks, service discovery, Service Connect, managed scaling; ECS creates it on CreateCluster, CreateService and UpdateService for a caller allowed iam:CreateServiceLinkedRole",
						"task execution role (ecs-tasks.amazonaws.com, AmazonECSTaskExecutionRolePolicy): when the ECS agent works for the task: private ECR images and awslogs on Fargate and Managed Instances, secrets and parameters, private registry credentials, S3 environment files",
						"task role (ecs-tasks.amazonaws.com): only when the application calls AWS, or for ECS Exec and EFS IAM authorization",
						"container instance role (ec2.amazonaws.com, in an instance profile, AmazonEC2ContainerServiceforEC2Role): only for the EC2 launch type: the agent registers the instance; without an execution role it also pulls images and sends logs",
						"legacy ecsServiceRole: only for a service that names \"role\" with a load balancer outside awsvpc; otherwise ECS refuses it",
						"service auto scaling (AWSServiceRoleForApplicationAutoScaling_ECSService): when a service is a scalable target; created on RegisterScalableTarget",
						"Managed Instances: AWSServiceRoleForECSCompute, an infrastructure role (ecs.amazonaws.com) and an instance profile; EBS volumes and Service Connect TLS: an infrastructure role each",
					},
					Fix: []string{"for your setup, exactly: rolecall doctor --file taskdef.json --file service.json (or against the account: rolecall doctor)"}}
			}},
	}, mfaRules()...)
})

// managedByName is the ARN of the AWS managed policy named as arn's last
// segment, "" when there is none.
func managedByName(arn string) string {
	i := strings.Index(arn, ":iam::aws:policy/")
	if i < 0 {
		return ""
	}
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	for _, h := range managed.Headers() {
		if h.Name == name {
			return arn[:i] + ":iam::aws:policy" + h.Path + h.Name
		}
	}
	return ""
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func withDeny(m Match, f map[string]string) Match {
	m.Fix = append(m.Fix, denyNote(f)...)
	if strings.HasPrefix(f["denied"], "explicitly") {
		m.Commands = nil
	}
	return m
}

// linkedCaller mends a match whose caller is a service-linked role: IAM
// refuses every change to such a role's policies ("Cannot perform the
// operation on the protected role ... - this role is only modifiable by
// AWS"), so the commands that grant the caller more are dropped and the fix
// says where the denial can come from instead. See
// https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
func linkedCaller(m Match) Match {
	ls, ok := linkedRoleNamed(m.Facts["callerName"])
	if !ok || m.Facts["callerKind"] != string(KindRole) {
		return m
	}
	var keep []string
	for _, c := range m.Commands {
		if !strings.Contains(c, "--role-name "+m.Facts["callerName"]+" ") {
			keep = append(keep, c)
		}
	}
	m.Commands = keep
	m.Fix = append(m.Fix, m.Facts["callerName"]+" is "+ls.Principal+"'s service-linked role: its permissions are the service's ("+strings.Join(ls.Policies, ", ")+
		") and IAM refuses to change them; the denial comes from elsewhere (an SCP or resource control policy, the resource's own policy, or a resource the service's policy does not cover, such as one without the tag it requires)")
	return m
}

// linkedRoleNamed finds the service whose service-linked role is named
// name, with or without a custom suffix.
func linkedRoleNamed(name string) (*catalog.LinkedService, bool) {
	for _, ls := range catalog.LinkedServices() {
		if name == ls.RoleName || (ls.CustomSuffix && strings.HasPrefix(name, ls.RoleName+"_")) {
			return ls, true
		}
	}
	return nil, false
}

func attachExec(f map[string]string) []string {
	if f["callerKind"] != string(KindRole) || f["callerName"] == "" {
		return []string{"aws iam attach-role-policy --role-name EXECUTION_ROLE --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}
	}
	return []string{"aws iam attach-role-policy --role-name " + f["callerName"] + " --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}
}

func needExecRole(what, source string) Match {
	return Match{Title: "the task definition needs an execution role",
		Cause: []string{"the task uses " + what},
		Fix:   []string{"create the role (once), then set \"executionRoleArn\" in the task definition and register it again"},
		Commands: []string{
			"aws iam create-role --role-name ecsTaskExecutionRole --assume-role-policy-document " + shellQuote(trustDoc("ecs-tasks.amazonaws.com").compact()),
			"aws iam attach-role-policy --role-name ecsTaskExecutionRole --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
		},
		Source: "RegisterTaskDefinition ClientException (" + source + ")"}
}

// Explain recognizes the ECS and IAM role errors (and "who wins"
// questions) in text.
func Explain(text string) *Explanation {
	ex := &Explanation{Text: text}
	found := false
	for _, r := range rules() {
		if r.question {
			continue
		}
		m := r.re.FindStringSubmatch(text)
		if m == nil || (r.also != nil && !r.also.MatchString(text)) {
			continue
		}
		mm := r.build(m, text)
		mm.ID = r.id
		ex.Matches = append(ex.Matches, linkedCaller(mm))
		found = true
		break
	}
	for _, r := range rules() {
		if !r.question {
			continue
		}
		if m := r.re.FindStringSubmatch(text); m != nil && !found {
			mm := r.build(m, text)
			mm.ID = r.id
			ex.Matches = append(ex.Matches, mm)
		}
	}
	return ex
}

// WriteText writes the explanation for a terminal.
func (e *Explanation) WriteText(w io.Writer) error {
	var b strings.Builder
	if len(e.Matches) == 0 {
		b.WriteString("rolecall doctor does not recognize this text as an ECS or IAM role error.\n")
		b.WriteString("It knows: Unable to assume the service linked role...; Unable to assume role and validate the specified targetGroupArn...;\n")
		b.WriteString("ECS was unable to assume the role...; ...is not authorized to perform: iam:PassRole...; CannotPullContainerError;\n")
		b.WriteString("ResourceInitializationError (secrets, registry auth, logger args); RegisterTaskDefinition's execution role errors;\n")
		b.WriteString("protected and service-linked role errors; AccessDenied messages; and \"task role or instance role?\" questions.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	for i, m := range e.Matches {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s [%s]\n", m.Title, m.ID)
		for _, k := range sortedKeys(m.Facts) {
			fmt.Fprintf(&b, "  %-10s %s\n", k+":", m.Facts[k])
		}
		b.WriteString("cause:\n")
		for _, c := range m.Cause {
			b.WriteString("  - " + c + "\n")
		}
		if len(m.Fix) > 0 {
			b.WriteString("fix:\n")
			for _, f := range m.Fix {
				b.WriteString("  - " + f + "\n")
			}
		}
		for _, c := range m.Commands {
			b.WriteString("    " + c + "\n")
		}
		if m.Source != "" {
			b.WriteString("seen as: " + m.Source + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the explanation as Markdown.
func (e *Explanation) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	if len(e.Matches) == 0 {
		b.WriteString("rolecall doctor does not recognize this text as an ECS or IAM role error.\n")
	}
	for _, m := range e.Matches {
		fmt.Fprintf(&b, "### %s\n\n", mdEscape(m.Title))
		for _, k := range sortedKeys(m.Facts) {
			fmt.Fprintf(&b, "- %s: `%s`\n", k, m.Facts[k])
		}
		b.WriteString("\n**Cause**\n\n")
		for _, c := range m.Cause {
			b.WriteString("- " + mdEscape(c) + "\n")
		}
		if len(m.Fix) > 0 {
			b.WriteString("\n**Fix**\n\n")
			for _, f := range m.Fix {
				b.WriteString("- " + mdEscape(f) + "\n")
			}
		}
		if len(m.Commands) > 0 {
			b.WriteString("\n```sh\n" + strings.Join(m.Commands, "\n") + "\n```\n")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the explanation as JSON.
func (e *Explanation) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
