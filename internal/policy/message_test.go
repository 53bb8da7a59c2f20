package policy

import "testing"

// IAM User Guide, "Troubleshooting access denied error messages", and the
// recorded messages in shared/data/aws-facts.md.
func TestAccessDeniedMessage(t *testing.T) {
	const john = "arn:aws:iam::123456789012:user/JohnDoe"
	const dg = "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:*"
	for _, tc := range []struct {
		name             string
		d                Decision
		caller, action   string
		resource, want   string
		reasonOnlyAction string
	}{
		{"identity implicit (doc)", Decision{Result: ImplicitDeny, Type: TypeIdentity}, john, "codecommit:ListRepositories", "",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codecommit:ListRepositories because no identity-based policy allows the codecommit:ListRepositories action", ""},
		{"identity explicit (doc)", Decision{Result: ExplicitDeny, Type: TypeIdentity}, john, "codedeploy:ListDeployments", dg,
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* with an explicit deny in an identity-based policy", ""},
		{"boundary implicit (doc)", Decision{Result: ImplicitDeny, Type: TypeBoundary}, john, "codedeploy:ListDeployments", dg,
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* because no permissions boundary allows the codedeploy:ListDeployments action", ""},
		{"boundary explicit (doc)", Decision{Result: ExplicitDeny, Type: TypeBoundary}, "arn:aws:iam::777788889999:user/JohnDoe", "sagemaker:ListModels", "",
			"User: arn:aws:iam::777788889999:user/JohnDoe is not authorized to perform: sagemaker:ListModels with an explicit deny in a permissions boundary", ""},
		{"session implicit (doc)", Decision{Result: ImplicitDeny, Type: TypeSession}, john, "codecommit:ListRepositories", "",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codecommit:ListRepositories because no session policy allows the codecommit:ListRepositories action", ""},
		{"session explicit", Decision{Result: ExplicitDeny, Type: TypeSession}, john, "codedeploy:ListDeployments", dg,
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* with an explicit deny in a session policy", ""},
		{"resource implicit (doc)", Decision{Result: ImplicitDeny, Type: TypeResource}, john, "secretsmanager:GetSecretValue", "",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: secretsmanager:GetSecretValue because no resource-based policy allows the secretsmanager:GetSecretValue action", ""},
		{"resource explicit (doc)", Decision{Result: ExplicitDeny, Type: TypeResource}, john, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:* with an explicit deny in a resource-based policy", ""},
		{"SCP explicit (doc)", Decision{Result: ExplicitDeny, Type: TypeSCP}, "arn:aws:iam::777788889999:user/JohnDoe", "codecommit:ListRepositories", "",
			"User: arn:aws:iam::777788889999:user/JohnDoe is not authorized to perform: codecommit:ListRepositories with an explicit deny in a service control policy", ""},
		{"SCP implicit", Decision{Result: ImplicitDeny, Type: TypeSCP}, john, "iam:ListRoles", "arn:aws:iam::123456789012:role/*",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/* because no service control policy allows the iam:ListRoles action", ""},
		{"RCP explicit", Decision{Result: ExplicitDeny, Type: TypeRCP}, john, "s3:PutObject", "arn:aws:s3:::b/k",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::b/k with an explicit deny in a resource control policy", ""},
		{"RCP implicit", Decision{Result: ImplicitDeny, Type: TypeRCP}, john, "s3:PutObject", "",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: s3:PutObject because no resource control policy allows the s3:PutObject action", ""},
		// aws/aws-cdk #27067 (aws-facts.md): IAM names the role as "role NAME".
		{"IAM GetRole (recorded)", Decision{Result: ImplicitDeny, Type: TypeIdentity}, "arn:aws:iam::123456789012:user/NAME", "iam:GetRole", "role ROLE",
			"User: arn:aws:iam::123456789012:user/NAME is not authorized to perform: iam:GetRole on resource: role ROLE because no identity-based policy allows the iam:GetRole action", ""},
		{"allowed", Decision{Result: Allowed}, john, "s3:GetObject", "", "", ""},
		// Since 2026 an explicit deny names the denying policy's ARN (AWS
		// Security Blog, "Enhanced access denied error messages with policy
		// ARNs"; the SCP case is the blog's own example).
		{"SCP explicit, policy ARN (blog)", deniedBy(TypeSCP, "arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd"),
			"arn:aws:iam::123456789012:user/Matt", "iam:ListRoles", "arn:aws:iam::123456789012:role/*",
			"User: arn:aws:iam::123456789012:user/Matt is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/* with an explicit deny in a service control policy: arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd", ""},
		{"identity explicit, customer managed policy", deniedBy(TypeIdentity, "arn:aws:iam::123456789012:policy/DenyBedrockAccess"), john, "iam:GetRole", "role voclabs",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: iam:GetRole on resource: role voclabs with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/DenyBedrockAccess", ""},
		{"identity explicit, AWS managed policy", deniedBy(TypeIdentity, "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"), john, "ec2:RunInstances", "arn:aws:ec2:ap-south-1:123456789012:instance/*",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:ap-south-1:123456789012:instance/* with an explicit deny in an identity-based policy: arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3", ""},
		{"identity explicit, inline policy: anonymous", deniedBy(TypeIdentity, "arn:aws:iam::123456789012:user/JohnDoe#deny-all"), john, "iam:DeleteRole", "role keep",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: iam:DeleteRole on resource: role keep with an explicit deny in an identity-based policy", ""},
		{"identity explicit, named inline policy: anonymous", deniedBy(TypeIdentity, "deny-all"), john, "iam:DeleteRole", "role keep",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: iam:DeleteRole on resource: role keep with an explicit deny in an identity-based policy", ""},
		{"boundary explicit, policy ARN", deniedBy(TypeBoundary, "arn:aws:iam::123456789012:policy/DeveloperBoundary"), john, "iam:CreatePolicyVersion", "policy arn:aws:iam::123456789012:policy/tools",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: iam:CreatePolicyVersion on resource: policy arn:aws:iam::123456789012:policy/tools with an explicit deny in a permissions boundary: arn:aws:iam::123456789012:policy/DeveloperBoundary", ""},
		{"session explicit, managed session policy", deniedBy(TypeSession, "arn:aws:iam::aws:policy/ReadOnlyAccess"), appSession.ARN, "iam:CreateRole", "arn:aws:iam::123456789012:role/x",
			"User: arn:aws:sts::123456789012:assumed-role/app/s1 is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/x with an explicit deny in a session policy: arn:aws:iam::aws:policy/ReadOnlyAccess", ""},
		{"session explicit, inline session policy: anonymous", deniedBy(TypeSession, "session-policy"), appSession.ARN, "iam:CreateRole", "",
			"User: arn:aws:sts::123456789012:assumed-role/app/s1 is not authorized to perform: iam:CreateRole with an explicit deny in a session policy", ""},
		{"resource explicit: no ARN", deniedBy(TypeResource, "arn:aws:iam::123456789012:role/app"), john, "sts:AssumeRole", "arn:aws:iam::123456789012:role/app",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/app with an explicit deny in a resource-based policy", ""},
		{"implicit: no ARN", Decision{Result: ImplicitDeny, Type: TypeBoundary, Statement: deniedBy(TypeBoundary, "arn:aws:iam::123456789012:policy/B").Statement}, john, "iam:ListRoles", "",
			"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: iam:ListRoles because no permissions boundary allows the iam:ListRoles action", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AccessDeniedMessage(tc.d, tc.caller, tc.action, tc.resource); got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// The message follows from a real evaluation.
func TestAccessDeniedFromEvaluation(t *testing.T) {
	role := "arn:aws:iam::123456789012:role/app-task"
	d := Evaluate(&PolicySet{Identity: []*Policy{allowS3(t, "S3")}}, &Request{Caller: appSession, Action: "iam:PassRole", Resource: role})
	want := "User: arn:aws:sts::123456789012:assumed-role/app/s1 is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/app-task because no identity-based policy allows the iam:PassRole action"
	if got := AccessDeniedMessage(d, appSession.ARN, "iam:PassRole", role); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := d.Reason("iam:PassRole"); got != "because no identity-based policy allows the iam:PassRole action" {
		t.Fatal(got)
	}
}

// deniedBy is an explicit deny by a statement of the policy id.
func deniedBy(typ PolicyType, id string) Decision {
	return Decision{Result: ExplicitDeny, Type: typ, Statement: &StatementRef{Source: &Source{ID: id, Type: typ}, Effect: "Deny"}}
}

// An explicit deny from a real evaluation names the managed policy that
// denied, and not an inline one.
func TestAccessDeniedNamesManagedPolicy(t *testing.T) {
	const deny = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:DeleteRole","Resource":"*"}]}`
	const role = "arn:aws:iam::123456789012:role/keep"
	for _, tc := range []struct{ id, want string }{
		{"arn:aws:iam::123456789012:policy/guard", "User: arn:aws:sts::123456789012:assumed-role/app/s1 is not authorized to perform: iam:DeleteRole on resource: arn:aws:iam::123456789012:role/keep with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/guard"},
		{"arn:aws:iam::123456789012:role/svc/app#guard", "User: arn:aws:sts::123456789012:assumed-role/app/s1 is not authorized to perform: iam:DeleteRole on resource: arn:aws:iam::123456789012:role/keep with an explicit deny in an identity-based policy"},
	} {
		p, err := CompileJSON(deny, Identity, Source{ID: tc.id, Type: TypeIdentity})
		if err != nil {
			t.Fatal(err)
		}
		d := Evaluate(&PolicySet{Identity: []*Policy{p}}, &Request{Caller: appSession, Action: "iam:DeleteRole", Resource: role})
		if got := AccessDeniedMessage(d, appSession.ARN, "iam:DeleteRole", role); got != tc.want {
			t.Errorf("%s:\n got  %q\n want %q", tc.id, got, tc.want)
		}
	}
}

func TestStringers(t *testing.T) {
	if ImplicitDeny.String() != "implicitDeny" || Allowed.String() != "allowed" || ExplicitDeny.String() != "explicitDeny" || Result(9).String() != "unknown" {
		t.Error("Result names are IAM's EvalDecision values")
	}
	if TypeSCP.String() != "scp" || PolicyType(42).String() != "unknown" {
		t.Error("PolicyType names")
	}
	if CallerRoleSession.String() != "role-session" || CallerKind(42).String() != "unknown" {
		t.Error("CallerKind names")
	}
}
