// Package policy is the IAM policy language: parsing and validating policy
// documents as IAM does on write, compiling them, and evaluating requests
// against them as AWS does. It is pure: no I/O, no storage, no clock (the
// time of a request is the aws:CurrentTime / aws:EpochTime context keys the
// caller sets).
//
// # Parsing
//
// Parse(doc, kind) validates a document as IAM's CreatePolicy,
// CreateRole/UpdateAssumeRolePolicy (Trust) or a resource policy API would,
// answering AWS's MalformedPolicyDocument messages.
//
// # Compiling
//
// A Policy is compiled once and evaluated many times, concurrently:
//
//	p, err := policy.CompileJSON(text, policy.Identity, policy.Source{
//		ID:   "arn:aws:iam::123456789012:policy/app", // or an inline policy's name
//		Type: policy.TypeIdentity,
//	})
//
// CompileJSON parses (errors are MalformedPolicyDocument) and records each
// statement's line and column, as IAM's simulator reports them; Compile
// takes an already parsed *Document. The Source travels into decisions, so
// that a matched statement names its policy. Policy.ContextKeys lists the
// condition keys a policy references (GetContextKeysForCustomPolicy);
// ContextKeys(policies...) merges several (GetContextKeysForPrincipalPolicy).
//
// Trust policies are compiled with kind Trust and Type TypeResource: a trust
// policy is the role's resource-based policy for sts:AssumeRole,
// sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML, sts:TagSession and
// sts:SetSourceIdentity. SCPs, RCPs, boundaries and session policies are
// compiled with kind Identity (RCPs, which carry a Principal, with kind
// Resource) and their own Type.
//
// # Evaluating
//
// Build the request context once per request, then ask:
//
//	ctx := policy.NewContext().
//		Set("aws:CurrentTime", now.Format(time.RFC3339)).
//		Set("aws:SecureTransport", "true").
//		Set("iam:PassedToService", "ecs-tasks.amazonaws.com")
//	caller := policy.Caller{
//		Kind:    policy.CallerRoleSession,
//		ARN:     "arn:aws:sts::123456789012:assumed-role/deployer/ci",
//		Issuer:  "arn:aws:iam::123456789012:role/deployer",
//		Account: "123456789012",
//		UserID:  "AROAEXAMPLE:ci",
//	}
//	ctx.AddCaller(caller) // aws:PrincipalArn, aws:userid, aws:PrincipalTag/... (enforcement, not simulation)
//	d := policy.Evaluate(&policy.PolicySet{
//		Identity: rolePolicies,  // []*Policy
//		Boundary: boundary,      // nil when none
//		Resource: resourcePolicy, // nil when none; the trust policy for sts:AssumeRole
//	}, &policy.Request{
//		Caller:   caller,
//		Action:   "iam:PassRole",
//		Resource: "arn:aws:iam::123456789012:role/app-task",
//		Context:  ctx,
//	})
//	if !d.Allowed() {
//		return awserr.AccessDenied("%s", policy.AccessDeniedMessage(d, caller.ARN, "iam:PassRole", resource))
//	}
//
// A Decision carries its Result (Allowed, ExplicitDeny, ImplicitDeny, whose
// String is IAM's EvalDecision), the policy Type behind it (which Deny, or
// which type failed to allow), the deciding Statement, and each type's own
// answer in Types (for PermissionsBoundaryDecisionDetail and
// OrganizationsDecisionDetail). With Request.Explain set, it also lists
// every matched statement (MatchedStatements) and the context keys that
// evaluated conditions lacked (MissingContextValues); that mode allocates,
// the normal one does not.
//
// Evaluate implements the same-account and cross-account logic of the IAM
// User Guide's "Policy evaluation logic" (see Evaluate for the rules,
// including resource policies naming a role versus a role session), every
// condition operator (operators.go), AWS's resource ARN wildcard rule
// (match.go) and policy variables (vars.go).
//
// Policy.Trace says, statement by statement, how a policy met a request:
// whether its action, resource and principal elements matched and which
// conditions held, with the request's values. It explains near misses to
// people (rolecall policy eval); it is not for the hot path.
//
// # Messages
//
// AccessDeniedMessage and Decision.Reason render AWS's AccessDenied texts
// ("User: ARN is not authorized to perform: ACTION on resource: RESOURCE
// because no identity-based policy allows the ACTION action", "... with an
// explicit deny in a service control policy", ...); an explicit deny by a
// managed policy ends with that policy's ARN, as AWS's do since 2026.
package policy
