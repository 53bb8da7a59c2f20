package policy

import "testing"

// Statement positions as AWS's policy simulator reports them, for
// statements inside a Statement array. Three of AWS's answers, each
// reproduced exactly by the documents below:
//
//   - ScottLogic's blog "Automated permissions testing with AWS IAM Policy
//     Simulator" (2025): a role policy serialised by Python's json.dumps,
//     {"Version": "2012-10-17", "Statement": [{"Sid": "s3", ...}]}, answers
//     StartPosition {1, 41}, EndPosition {1, 180}: '[' is at column 40 and
//     the statement's '{' at 41.
//   - The same blog's bucket policy as S3 returns it (compact), two
//     statements: {1, 38}-{1, 248} and {1, 248}-{1, 470}. The second
//     statement starts where the first ended, just after its '}' (the ','
//     is at 248, the second '{' at 249).
//   - The AWS CLI's simulate-principal-policy example 1: a pretty-printed
//     policy whose statement is reported at {3, 19}-{9, 10}: line 3 is
//     `    "Statement": [`, whose '[' is at column 18; the statement's '{'
//     is on line 4.
//
// So a statement starts just after the token before it ('[' or the
// previous statement's '}'), not just after its own '{' (which is where a
// lone Statement object starts, TestPositionsAWSExample), and ends just
// after its '}'.
func TestStatementPositionsInArraysAsAWS(t *testing.T) {
	pretty := "{\n" +
		"    \"Version\": \"2012-10-17\",\n" +
		"    \"Statement\": [\n" +
		"        {\n" +
		"            \"Sid\": \"ListRepositories\",\n" +
		"            \"Effect\": \"Allow\",\n" +
		"            \"Action\": \"codecommit:ListRepositories\",\n" +
		"            \"Resource\": \"*\"\n" +
		"        }\n" +
		"    ]\n" +
		"}"
	for _, tc := range []struct {
		name string
		text string
		kind Kind
		want []Position // start, end of each statement
	}{
		{"json.dumps role policy", `{"Version": "2012-10-17", "Statement": [{"Sid": "s3", "Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": ["arn:aws:s3:::tims-fancy-bucket/only-here/*"]}]}`,
			Identity, []Position{{1, 41}, {1, 180}}},
		{"compact bucket policy, two statements", `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"*","Resource":["arn:aws:s3:::tims-fancy-bucket/*","arn:aws:s3:::tims-fancy-bucket"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Sid":"DenyTimDelete","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::tims-fancy-bucket/*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::112233445566:role/tims-test-role"}}}]}`,
			Resource, []Position{{1, 38}, {1, 248}, {1, 248}, {1, 470}}},
		{"pretty-printed (AWS CLI example)", pretty, Identity, []Position{{3, 19}, {9, 10}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CompileJSON(tc.text, tc.kind, Source{ID: "p"})
			if err != nil {
				t.Fatal(err)
			}
			var got []Position
			for _, s := range p.Statements() {
				got = append(got, s.Start, s.End)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("positions %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("positions %v, want %v (AWS's)", got, tc.want)
					break
				}
			}
		})
	}
}
