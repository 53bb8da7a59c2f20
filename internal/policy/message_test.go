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
