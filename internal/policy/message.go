package policy

import "strings"

// AWS's AccessDenied texts (IAM User Guide, "Troubleshooting access denied
// error messages"; awsdocs/iam-user-guide doc_source/troubleshoot_access-
// denied.md): "Most access denied error messages appear in the format User
// user is not authorized to perform action on resource because context",
// where context is "with an explicit deny in a type policy" or "because no
// type policy allows the action action". The doc's examples:
//
//	User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codecommit:ListRepositories because no identity-based policy allows the codecommit:ListRepositories action
//	User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* with an explicit deny in an identity-based policy
//	... because no resource-based policy allows the secretsmanager:GetSecretValue action
//	... with an explicit deny in a resource-based policy
//	... because no permissions boundary allows the codedeploy:ListDeployments action
//	... with an explicit deny in a permissions boundary
//	... because no session policy allows the codecommit:ListRepositories action
//	... with an explicit deny in a service control policy
//
// Choices where sources differ or are silent:
//   - Explicit deny in a session policy: the IAM doc's example says "in a
//     sessions policy"; Amazon S3's list of the same messages
//     ("Troubleshoot access denied (403 Forbidden) errors in Amazon S3")
//     says "with an explicit deny in a session policy". rolecall uses the
//     latter (the doc's "sessions" reads as a typo).
//   - SCP implicit deny: an older IAM doc note says the message always
//     says "explicit deny" for SCPs "even if the denial is implicit"; the
//     newer S3 list has "because no service control policy allows".
//     rolecall uses the newer form.
//   - RCPs: "with an explicit deny in a resource control policy" is seen in
//     AWS's answers (S3 access denied reports); the implicit form "because
//     no resource control policy allows the ... action" is by analogy
//     (unverified; RCPFullAWSAccess makes it rare).
//   - IAM itself often names its resource by kind and name ("on resource:
//     role NAME", aws/aws-cdk #27067) and STS omits the reason for
//     sts:AssumeRole; the caller chooses the resource text and may use
//     Reason alone.
//
// The denying policy's ARN: since January 2026 an explicit deny names the
// policy that denied after a colon (AWS Security Blog, "Enhanced access
// denied error messages with policy ARNs": "... with an explicit deny in a
// service control policy: arn:aws:organizations::987654321098:policy/
// o-qv5af4abcd/service_control_policy/p-2kgnabcd"; the IAM User Guide's
// troubleshooting page now says to check "the type and Amazon Resource
// Name (ARN) of the policy responsible"). The blog covers SCPs, RCPs,
// permissions boundaries, session policies and identity-based policies,
// in same-account and same-organization requests. Reports show it for
// customer managed and AWS managed identity policies and for boundaries
// ("with an explicit deny in an identity-based policy:
// arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"; "... in a
// permissions boundary: arn:aws:iam::ACCOUNT:policy/NAME", IAM's own
// GetRole and CreatePolicyVersion included). Policies without an ARN are
// reported anonymously, as before: inline identity policies (LocalStack's
// docs: "On AWS, inline policies are reported anonymously"), an inline
// session policy, and resource-based policies, which the change does not
// cover. Implicit denials name no policy: none denied. The ARN is the
// deciding statement's Source.ID when that is a policy's ARN; the
// policies rolecall evaluates are the caller's own (identity, boundary,
// session), so the same-account rule always holds.

var denyPhrases = [numTypes]struct{ explicit, implicit string }{
	TypeIdentity: {"with an explicit deny in an identity-based policy", "because no identity-based policy allows the "},
	TypeResource: {"with an explicit deny in a resource-based policy", "because no resource-based policy allows the "},
	TypeBoundary: {"with an explicit deny in a permissions boundary", "because no permissions boundary allows the "},
	TypeSession:  {"with an explicit deny in a session policy", "because no session policy allows the "},
	TypeSCP:      {"with an explicit deny in a service control policy", "because no service control policy allows the "},
	TypeRCP:      {"with an explicit deny in a resource control policy", "because no resource control policy allows the "},
}

// Reason is the "because ..." or "with an explicit deny ..." part of AWS's
// AccessDenied message for a denied decision about action; "" when d
// allows.
func (d Decision) Reason(action string) string {
	if d.Result == Allowed || d.Type >= numTypes {
		return ""
	}
	ph := denyPhrases[d.Type]
	if d.Result == ExplicitDeny {
		if arn := d.denyingPolicyARN(); arn != "" {
			return ph.explicit + ": " + arn
		}
		return ph.explicit
	}
	return ph.implicit + action + " action"
}

// AccessDeniedMessage renders AWS's AccessDenied message for a denied
// decision: "User: CALLER is not authorized to perform: ACTION on resource:
// RESOURCE REASON". An empty resource leaves out the "on resource:" part, as
// some of AWS's messages do. It returns "" when d allows.
func AccessDeniedMessage(d Decision, callerARN, action, resource string) string {
	reason := d.Reason(action)
	if reason == "" {
		return ""
	}
	msg := "User: " + callerARN + " is not authorized to perform: " + action
	if resource != "" {
		msg += " on resource: " + resource
	}
	return msg + " " + reason
}

// denyingPolicyARN is the ARN of the policy whose Deny decided, when AWS
// names it: a managed policy (IAM's arn:PARTITION:iam::ACCOUNT:policy/...,
// or an Organizations policy) of a type the 2026 messages cover. Inline
// policies' IDs ("arn:...:user/NAME#POLICY", a name) are no policy ARNs.
func (d Decision) denyingPolicyARN() string {
	if d.Statement == nil || d.Statement.Source == nil || d.Type == TypeResource {
		return ""
	}
	id := d.Statement.Source.ID
	// arn:partition:service:region:account:resource
	parts := strings.SplitN(id, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[5], "policy/") || strings.ContainsAny(parts[5], "# ") {
		return ""
	}
	return id
}
