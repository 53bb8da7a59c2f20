package ecsroles

import (
	"slices"
	"strings"
)

// AtLaunch are the needs the agent acts on when a task starts, in the
// order it takes them (Step order, stable).
func AtLaunch(needs []Need) []Need {
	var out []Need
	for _, n := range needs {
		if n.Step >= StepRegistryAuth && n.Step <= StepLogStream {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b Need) int { return int(a.Step) - int(b.Step) })
	return out
}

// Refusal is the stoppedReason (stopCode TaskFailedToStart) of a task whose
// execution role (or, on a container instance without one, instance role)
// is refused n as the task starts on platform p; denial is AWS's
// AccessDenied message for the request and requestID the refused call's
// request ID. On Fargate and Managed Instances the texts are the agent's as
// real tasks stopped with them, in today's form (the agent's AWS SDK for Go
// v2 errors: "operation error SERVICE: OPERATION, https response error
// StatusCode: 400, RequestID: ..., api error AccessDeniedException: ..."),
// where one is on record, else in the form of the older ones:
//
//   - Secrets Manager: n8n-on-ECS notes (2026), GiamPy5/terraform-aws-directus #10
//     (2024; "Access to KMS is not allowed" for the key);
//   - Parameter Store: aws/copilot-cli #4504 (2023), the SDK v2 form in 2025 runbooks;
//   - ECR: seekatekode/aws-bootcamp-cruddur-2024 (2023), yayfalafels/mcfpipe notes (2025);
//     the image pull's 403: aws/aws-cdk #29876 (2024);
//   - awslogs: seekatekode/aws-bootcamp-cruddur-2024 (2023, the stream),
//     terraform-aws-modules/terraform-aws-ecs PR #313 (2025, the group);
//   - environment files: public notes (2025-12, the HeadObject form).
//
// On EC2 the open-source ECS agent words them (aws/amazon-ecs-agent):
// Parameter Store as aws/copilot-cli #1368 (2020) shows it, Secrets
// Manager as agents before 1.84 did (New Relic's ECS integration docs),
// the pull as Docker answers it (the EC2 report beside the doctor's
// explain tests), awslogs as Docker's driver fails.
//
// Private registry credentials, an SSM parameter's key, a layer download,
// ECR authentication and environment files on EC2 are rolecall's
// composition of the agent's step texts (none is on record for an IAM
// refusal).
func Refusal(n Need, p Platform, denial, requestID string) string {
	denial = strings.TrimSuffix(strings.TrimSpace(denial), ".")
	kms := n.Action == "kms:Decrypt"
	if kms && (n.Step == StepSecret || n.Step == StepRegistryCredentials) {
		denial = "Access to KMS is not allowed"
	} else if kms {
		denial = "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: " + requestID + ")"
	}
	if p.OnInstances() {
		return agentRefusal(n, denial, requestID)
	}
	const pull = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
	sdk := func(service, op string) string {
		return "operation error " + service + ": " + op + ", https response error StatusCode: 400, RequestID: " + requestID + ", api error AccessDeniedException: "
	}
	switch n.Step {
	case StepRegistryAuth:
		return pull + "unable to retrieve ecr registry auth: service call has been retried 1 time(s): " + sdk("ECR", "GetAuthorizationToken") + denial
	case StepSecret:
		return pull + "unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret " + n.Subject + " from secrets manager: " + sdk("Secrets Manager", "GetSecretValue") + denial
	case StepRegistryCredentials:
		return pull + "unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the service for " + n.Subject + ": " + sdk("Secrets Manager", "GetSecretValue") + denial
	case StepParameter:
		return pull + "unable to retrieve secrets from ssm: service call has been retried 1 time(s): " + sdk("SSM", "GetParameters") + denial
	case StepEnvironmentFile:
		return "ResourceInitializationError: failed to download env files: service call has been retried 1 time(s): operation error S3: HeadObject, https response error StatusCode: 403, RequestID: " + requestID + ", api error Forbidden: Forbidden"
	case StepImagePull:
		host, repo, ref := imageParts(n.Subject)
		if n.Action == "ecr:GetDownloadUrlForLayer" {
			return "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReaderSeeker: failed open: unexpected status code https://" + host + "/v2/" + repo + "/blobs/: 403 Forbidden"
		}
		return "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref " + n.Subject + ": pulling from host " + host + " failed with status code [manifests " + ref + "]: 403 Forbidden"
	case StepLogGroup:
		return "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log group: AccessDeniedException: " + denial + " : exit status 1"
	case StepLogStream:
		return "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: " + denial + " status code: 400, request id: " + requestID + " : exit status 1"
	}
	return denial
}

// agentRefusal is Refusal on a container instance, as the ECS agent and
// Docker word it.
func agentRefusal(n Need, denial, requestID string) string {
	tail := " status code: 400, request id: " + requestID
	switch n.Step {
	case StepRegistryAuth:
		return "CannotPullECRContainerError: AccessDeniedException: " + denial + tail
	case StepSecret:
		return "Fetching secret data from AWS Secrets Manager in region " + regionOf(n.Subject) + ": secret " + n.Subject + ": AccessDeniedException: " + denial + tail
	case StepRegistryCredentials:
		return "Asm fetching secret from the service for " + n.Subject + ": AccessDeniedException: " + denial + tail
	case StepParameter:
		return "Fetching secret data from SSM Parameter Store in " + regionOf(n.Subject) + ": AccessDeniedException: " + denial + tail
	case StepEnvironmentFile:
		_, object, _ := strings.Cut(n.Subject, ":::")
		bucket, key, _ := strings.Cut(object, "/")
		return "Unable to download env file with key " + key + " from bucket " + bucket + ", error: AccessDenied: Access Denied status code: 403, request id: " + requestID
	case StepImagePull:
		host, repo, _ := imageParts(n.Subject)
		return "CannotPullContainerError: Error response from daemon: pull access denied for " + host + "/" + repo + ", repository does not exist or may require 'docker login': denied: " + denial
	case StepLogGroup:
		return "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log group: AccessDeniedException: " + denial + tail
	case StepLogStream:
		return "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: AccessDeniedException: " + denial + tail
	}
	return denial
}

// regionOf is the Region of an ARN, "" for none.
func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// imageParts splits HOST/REPO[:TAG|@DIGEST] into the registry host, the
// repository and the reference the manifest is fetched by (latest when
// none is given).
func imageParts(image string) (host, repo, ref string) {
	host, rest, ok := strings.Cut(image, "/")
	if !ok {
		return "", image, "latest"
	}
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		return host, rest[:i], rest[i+1:]
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		return host, rest[:i], rest[i+1:]
	}
	return host, rest, "latest"
}

// InstanceLaunchReason is the stoppedReason of a task that ECS could not
// launch a Managed Instances instance for, with the provider's
// infrastructure role: rolecall's wording (AWS documents that "a
// mismatched name causes an authorization error at task launch", not the
// text), with the refusal it met.
func InstanceLaunchReason(provider, refusal string) string {
	return "ResourceInitializationError: Amazon ECS could not launch a Managed Instances instance for capacity provider " + provider + ": " + strings.TrimSpace(refusal)
}
