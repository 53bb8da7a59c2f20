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

// Refusal is the stoppedReason of a task whose execution role (or, on EC2
// without one, instance role) is refused n; denial is AWS's AccessDenied
// message for the request.
func Refusal(n Need, denial string) string {
	denial = strings.TrimSpace(denial)
	switch n.Step {
	case StepRegistryAuth:
		return "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): AccessDeniedException: " + denial
	case StepRegistryCredentials, StepSecret:
		if n.Action == "kms:Decrypt" {
			return "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret " + n.Subject + " from secrets manager: AccessDeniedException: Access to KMS is not allowed"
		}
		return "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret " + n.Subject + " from secrets manager: AccessDeniedException: " + denial
	case StepParameter:
		return "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: " + denial
	case StepEnvironmentFile:
		return "ResourceInitializationError: failed to download env files: file download command: non empty error stream: service call has been retried 5 time(s): AccessDenied: Access Denied"
	case StepImagePull:
		return "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref " + n.Subject + ": unexpected status from HEAD request: 403 Forbidden"
	case StepLogGroup:
		return "ResourceInitializationError: failed to validate logger args: create log group has been retried 1 times: failed to create Cloudwatch log group: AccessDeniedException: " + denial
	case StepLogStream:
		return "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: " + denial
	}
	return denial
}
