package policy

import (
	"strings"
	"testing"
)

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
		{"AROAEXAMPLEID", false}, // too short for a unique ID
		{"AROAEXAMPLEUNIQUEID1", true},
		{"AIDACKCEVSQ6C2EXAMPLE", true},
		{"AIDAckcevsq6c2example", false},
		{"AGPACKCEVSQ6C2EXAMPLE", false}, // a group's: groups are no principals
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

// TestUniqueIDPrincipals: a trust policy as IAM keeps it names users and
// roles by unique ID; the ID matches the user, and every session of the
// role, and nothing else of the same name.
func TestUniqueIDPrincipals(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["AIDAALICE00000000000A","AROAAPP000000000000A1"]},"Action":"sts:AssumeRole"}]}`
	p, err := CompileJSON(doc, Trust, Source{ID: "trust", Type: TypeResource})
	if err != nil {
		t.Fatal(err)
	}
	set := &PolicySet{Resource: p}
	for _, tc := range []struct {
		name   string
		caller Caller
		ok     bool
	}{
		{"the user", Caller{Kind: CallerUser, ARN: "arn:aws:iam::111111111111:user/alice", Account: "111111111111", UserID: "AIDAALICE00000000000A", Name: "alice"}, true},
		{"a new user of the name", Caller{Kind: CallerUser, ARN: "arn:aws:iam::111111111111:user/alice", Account: "111111111111", UserID: "AIDAALICE00000000000B", Name: "alice"}, false},
		{"a session of the role", Caller{Kind: CallerRoleSession, ARN: "arn:aws:sts::111111111111:assumed-role/app/s", Account: "111111111111",
			Issuer: "arn:aws:iam::111111111111:role/app", UserID: "AROAAPP000000000000A1:s"}, true},
		{"a session of a new role of the name", Caller{Kind: CallerRoleSession, ARN: "arn:aws:sts::111111111111:assumed-role/app/s", Account: "111111111111",
			Issuer: "arn:aws:iam::111111111111:role/app", UserID: "AROAAPP000000000000B2:s"}, false},
		{"a user whose id is the role's", Caller{Kind: CallerUser, ARN: "arn:aws:iam::111111111111:user/x", Account: "111111111111", UserID: "AROAAPP000000000000A1"}, true},
	} {
		d := Evaluate(set, &Request{Caller: tc.caller, Action: "sts:AssumeRole", Resource: "arn:aws:iam::111111111111:role/target"})
		if d.Allowed() != tc.ok {
			t.Errorf("%s: allowed %v, want %v (%s)", tc.name, d.Allowed(), tc.ok, d.Reason("sts:AssumeRole"))
		}
	}
}

func TestRewriteAWSPrincipals(t *testing.T) {
	doc := `{ "Version": "2012-10-17",
  "Statement": [
    {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:user/a", "Service":"arn:aws:iam::1:user/a"},"Action":"sts:AssumeRole",
     "Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::1:user/a"}}},
    {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::1:user/a", "arn:aws:iam::1:role/b"]},"Action":"sts:AssumeRole"}
  ]}`
	// Only the AWS principals change, in place; Service and the
	// condition keep the ARN.
	got := RewriteAWSPrincipals(doc, func(v string) string { return "ID-" + v[len(v)-1:] })
	want := strings.NewReplacer(
		`{"AWS":"arn:aws:iam::1:user/a",`, `{"AWS":"ID-a",`,
		`["arn:aws:iam::1:user/a", "arn:aws:iam::1:role/b"]`, `["ID-a", "ID-b"]`,
	).Replace(doc)
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if same := RewriteAWSPrincipals(doc, func(v string) string { return v }); same != doc {
		t.Errorf("the identity rewrite changed the document")
	}
	// A statement object rather than a list; a value that needs escaping;
	// documents that are not policies.
	single := `{"Statement":{"Principal":{"AWS":"x"}}}`
	if got := RewriteAWSPrincipals(single, func(string) string { return `q"y` }); got != `{"Statement":{"Principal":{"AWS":"q\"y"}}}` {
		t.Errorf("single statement: %s", got)
	}
	for _, bad := range []string{"", "not json", `[]`, `{"Statement":3}`} {
		if got := RewriteAWSPrincipals(bad, func(string) string { return "y" }); got != bad {
			t.Errorf("%q: %q", bad, got)
		}
	}
}
