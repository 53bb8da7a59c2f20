package policy

import "testing"

func TestActionMatching(t *testing.T) {
	// IAM User Guide, "IAM JSON policy elements: Action": action names are
	// case-insensitive; '*' and '?' match anywhere.
	for _, tc := range []struct {
		pattern, action string
		want            bool
	}{
		{"iam:PassRole", "iam:PassRole", true},
		{"iam:PassRole", "IAM:passrole", true},
		{"IAM:PASSROLE", "iam:PassRole", true},
		{"iam:PassRole", "iam:PassRoles", false},
		{"iam:*", "iam:CreateRole", true},
		{"iam:*", "sts:AssumeRole", false},
		{"*", "anything:AtAll", true},
		{"iam:*AccessKey*", "iam:UpdateAccessKey", true}, // the doc's example
		{"iam:*AccessKey*", "iam:ListUsers", false},
		{"iam:Get*", "iam:GetRole", true},
		{"iam:Get*", "iam:ListRoles", false},
		{"s3:Get?bject", "s3:GetObject", true},
		{"s3:Get?bject", "s3:GetObjject", false},
		{"*:Describe*", "ec2:DescribeInstances", true},
		{"ec2:*Instances", "EC2:describeinstances", true},
		{"sts:Assume*", "sts:AssumeRoleWithWebIdentity", true},
	} {
		p := compilePattern(tc.pattern, true, true, false)
		if got, _ := p.match(tc.action, nil, mWholeFold); got != tc.want {
			t.Errorf("action %q ~ %q = %v, want %v", tc.action, tc.pattern, got, tc.want)
		}
	}
}

// TestResourceMatching follows IAM User Guide, "IAM JSON policy elements:
// Resource", "Using wildcards in resource ARNs" (see match.go).
func TestResourceMatching(t *testing.T) {
	for _, tc := range []struct {
		pattern, arn string
		want         bool
	}{
		// The doc's examples.
		{"arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/accounting/bob", true},
		{"arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/marketing/bob", false},
		{"arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c.txt", true},
		{"arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket", false},
		// "The asterisk (*) character can expand to replace everything
		// within a segment, including characters like a forward slash (/)".
		{"arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test/3/4", true},
		{"arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", "arn:aws:s3:::amzn-s3-demo-bucket/1/2/other/3", false},
		// "In the Resource element, the IAM user name is case sensitive."
		{"arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", false},
		{"arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/Bob", true},
		// "If the * wildcard is the last character of a resource ARN
		// segment, it can expand to match beyond the colon boundaries."
		{"arn:aws:iam::*", "arn:aws:iam::123456789012:role/x", true},
		{"arn:aws:iam::123456789012:*", "arn:aws:iam::123456789012:role/x", true},
		{"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", true},
		{"arn:aws:ec2:us-*:*:instance/*", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1", false},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:*", "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:log-stream:x", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/key:with:colons", true},
		{"*", "arn:aws:s3:::bucket", true},
		{"*", "*", true},
		// Wildcards within a segment do not cross its colons.
		{"arn:aws:s*1:123456789012:x", "arn:aws:s3:us-east-1:123456789012:x", false},
		{"arn:aws:sqs:us-?ast-1:*:q", "arn:aws:sqs:us-east-1:123456789012:q", true},
		{"arn:aws:sqs:us-?ast-1:*:q", "arn:aws:sqs:us-eeast-1:123456789012:q", false},
		// Fewer segments without a final '*' match only as many segments.
		{"arn:aws:iam::123456789012", "arn:aws:iam::123456789012:root", false},
		// Actions without resource types are evaluated against "*": only
		// patterns that match anything match it.
		{"arn:aws:iam::123456789012:role/*", "*", false},
		// A '*' mid resource segment crosses colons there.
		{"arn:aws:logs:*:*:log-group:*:log-stream:x", "arn:aws:logs:us-east-1:1:log-group:a:b:log-stream:x", true},
	} {
		p := compilePattern(tc.pattern, true, false, true)
		if got, _ := p.match(tc.arn, nil, mARN); got != tc.want {
			t.Errorf("resource %q ~ %q = %v, want %v", tc.arn, tc.pattern, got, tc.want)
		}
		// Fast paths and the general matcher agree.
		if got := arnMatch(tc.pattern, nil, tc.arn); got != tc.want {
			t.Errorf("arnMatch(%q, %q) = %v, want %v", tc.pattern, tc.arn, got, tc.want)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"*", "", true},
		{"?", "", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbYd", false},
		{"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"?", "é", true}, // one character, several bytes
		{"h?me/*", "home/alice/x", true},
		{"h?me/*", "HOME/alice", false}, // StringLike is case-sensitive
	} {
		if got := globMatch(tc.pattern, nil, tc.s, false); got != tc.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// The compiled fast paths (exact, prefix, literal-prefix rejection) agree
// with the general matchers on random patterns and values.
func TestFastPathsAgree(t *testing.T) {
	const alphabet = "ab:/*?"
	rnd := uint32(1)
	next := func(n int) int {
		rnd = rnd*1664525 + 1013904223
		return int(rnd>>16) % n
	}
	word := func(max int, chars string) string {
		b := make([]byte, next(max))
		for i := range b {
			b[i] = chars[next(len(chars))]
		}
		return string(b)
	}
	for i := 0; i < 20000; i++ {
		pat, s := word(10, alphabet), word(10, "ab:/*")
		p := compilePattern(pat, true, false, false)
		if got, _ := p.match(s, nil, mARN); got != arnMatch(pat, nil, s) {
			t.Fatalf("ARN %q ~ %q: compiled %v, general %v", s, pat, got, !got)
		}
		if got, _ := p.match(s, nil, mWhole); got != globMatch(pat, nil, s, false) {
			t.Fatalf("glob %q ~ %q: compiled %v, general %v", s, pat, got, !got)
		}
		// With a variable in front, the same again through resolve.
		v := compilePattern("${k}"+pat, true, false, true)
		ctx := ctxOf("k", "a")
		if got, _ := v.match("a"+s, ctx, mARN); got != arnMatch("a"+pat, nil, "a"+s) {
			t.Fatalf("ARN with variable %q ~ %q: %v", s, pat, got)
		}
	}
}
