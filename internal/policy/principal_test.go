package policy

import "testing"

func TestValidAWSPrincipal(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"*", true},
		{"123456789012", true},
		{"arn:aws:iam::123456789012:root", true},
		{"arn:aws:iam::123456789012:user/alice", true},
		{"arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/JaneDoe", true},
		{"arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", true},
		{"arn:aws-cn:iam::123456789012:role/app", true},
		{"arn:aws:sts::123456789012:assumed-role/app/i-0abc", true},
		{"arn:aws:sts::123456789012:federated-user/bob", true},
		{"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL", true},
		{"12345678901", false},
		{"1234567890123", false},
		{"arn:aws:iam::123456789012:group/admins", false},
		{"arn:aws:iam::123456789012:role/", false},
		{"arn:aws:iam::123456789012:role/a b", false},
		{"arn:aws:iam::123456789012:role/*", false},
		{"arn:aws:iam::*:root", false},
		{"arn:aws:iam::12345:root", false},
		{"arn:aws:iam:us-east-1:123456789012:root", false},
		{"arn:nope:iam::123456789012:root", false},
		{"arn:aws:s3:::bucket", false},
		{"arn:aws:sts::123456789012:assumed-role/app", false},
		{"AROAEXAMPLEID", false},
		{"", false},
	} {
		if got := validAWSPrincipal(tc.in); got != tc.ok {
			t.Errorf("validAWSPrincipal(%q) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

func TestValidServiceAndFederatedPrincipal(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"ecs-tasks.amazonaws.com", true},
		{"logs.us-east-1.amazonaws.com", true},
		{"ec2.amazonaws.com.cn", true},
		{"alexa-appkit.amazon.com", true},
		{"amazonaws.com", false}, // aws-samples/aws-cdk-examples #801
		{".amazonaws.com", false},
		{"EC2.amazonaws.com", false},
		{"*.amazonaws.com", false},
		{"example.com", false},
	} {
		if got := validServicePrincipal(tc.in); got != tc.ok {
			t.Errorf("validServicePrincipal(%q) = %v, want %v", tc.in, got, tc.ok)
		}
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"cognito-identity.amazonaws.com", true},
		{"accounts.google.com", true},
		{"www.amazon.com", true},
		{"arn:aws:iam::123456789012:saml-provider/Okta", true},
		{"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", true},
		{"arn:aws:iam::123456789012:oidc-provider/", false},
		{"arn:aws:iam::123456789012:role/x", false},
		{"localhost", false},
		{"", false},
	} {
		if got := validFederatedPrincipal(tc.in); got != tc.ok {
			t.Errorf("validFederatedPrincipal(%q) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

func TestMatchWildcard(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		ok         bool
	}{
		{"*", "", true},
		{"*", "sts:assumerole", true},
		{"sts:assume*", "sts:assumerole", true},
		{"sts:assumerole?", "sts:assumerole", false},
		{"sts:?ag*", "sts:tagsession", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"sts:*session", "sts:tagsession", true},
	} {
		if got := matchWildcard(tc.pattern, tc.s); got != tc.ok {
			t.Errorf("matchWildcard(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.ok)
		}
	}
}
