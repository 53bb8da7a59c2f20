package arn

import "testing"

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want ARN
		ok   bool
	}{
		{"arn:aws:iam::123456789012:role/app", ARN{"aws", "iam", "", "123456789012", "role/app"}, true},
		{"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", ARN{"aws", "iam", "", "aws", "policy/service-role/AmazonECSTaskExecutionRolePolicy"}, true},
		{"arn:aws:ecs:us-east-1:123456789012:cluster/default", ARN{"aws", "ecs", "us-east-1", "123456789012", "cluster/default"}, true},
		{"arn:aws:sts::123456789012:assumed-role/r/s:x", ARN{"aws", "sts", "", "123456789012", "assumed-role/r/s:x"}, true},
		{"nothing-valid-in-here", ARN{}, false},
		{"arn::b:::something/test-role", ARN{}, false},
		{"arn:aws:iam::123456789012:", ARN{}, false},
		{"arn:aws:iam:123456789012:role/x", ARN{}, false},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v", c.in, got, err)
		}
		if c.ok && got.String() != c.in {
			t.Errorf("round trip %q -> %q", c.in, got.String())
		}
	}
}

func TestIAM(t *testing.T) {
	if got := IAM("000000000000", "role", "/aws-service-role/ecs.amazonaws.com/", "AWSServiceRoleForECS"); got != "arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS" {
		t.Error(got)
	}
	if got := IAM("000000000000", "user", "", "bob"); got != "arn:aws:iam::000000000000:user/bob" {
		t.Error(got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("arn:aws:iam::123456789012:role/app")
	f.Add("arn:::::")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err == nil && a.String() != s {
			t.Fatalf("round trip %q -> %q", s, a.String())
		}
	})
}

func TestIsServiceLinkedRole(t *testing.T) {
	for a, want := range map[string]bool{
		"arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS": true,
		"arn:aws:iam::111111111111:role/app":                                                     false,
		"arn:aws:iam::111111111111:role/service-role/app":                                        false,
		"arn:aws:iam::111111111111:role/aws-service-role/":                                       false,
	} {
		if got := IsServiceLinkedRole(a); got != want {
			t.Errorf("%s: %v", a, got)
		}
	}
}
