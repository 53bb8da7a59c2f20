package policy

import (
	"fmt"
	"testing"
)

// Every condition operator, in its plain and ...IfExists forms, with the
// key present and matching, present and not matching, and absent. The
// rules, from the IAM User Guide, "IAM JSON policy elements: Condition
// operators":
//   - "If the key that you specify in a policy condition is not present in
//     the request context, the values do not match and the condition is
//     false. If the policy condition requires that the key is not matched,
//     such as StringNotLike or ArnNotLike, and the right key is not present,
//     the condition is true." (negated operators: StringNot*,
//     NumericNotEquals, DateNotEquals, NotIpAddress, ArnNot*)
//   - "...IfExists condition operators": "If the policy key is present in
//     the context of the request, process the key as specified in the
//     policy. If the key is not present, evaluate the condition element as
//     true." "You can add IfExists to the end of any condition operator name
//     except the Null condition."
//   - Null: "true" holds when the key is absent, "false" when it is present.
//
// The table must name every operator rolecall knows (operatorTable), so
// that an operator added without a test fails here.
func TestEveryOperatorPresentAndMissing(t *testing.T) {
	type row struct {
		op, key      string
		policy       string // the value in the policy
		match, other string // request values that match and that do not
		negated      bool
	}
	rows := []row{
		{op: "StringEquals", key: "aws:username", policy: "alice", match: "alice", other: "bob"},
		{op: "StringNotEquals", key: "aws:username", policy: "alice", match: "bob", other: "alice", negated: true},
		{op: "StringEqualsIgnoreCase", key: "aws:username", policy: "Alice", match: "aLICE", other: "bob"},
		{op: "StringNotEqualsIgnoreCase", key: "aws:username", policy: "Alice", match: "bob", other: "ALICE", negated: true},
		{op: "StringLike", key: "s3:prefix", policy: "home/*", match: "home/alice/", other: "tmp/"},
		{op: "StringNotLike", key: "s3:prefix", policy: "home/*", match: "tmp/", other: "home/alice/", negated: true},
		{op: "NumericEquals", key: "s3:max-keys", policy: "10", match: "10.0", other: "11"},
		{op: "NumericNotEquals", key: "s3:max-keys", policy: "10", match: "11", other: "10", negated: true},
		{op: "NumericLessThan", key: "s3:max-keys", policy: "10", match: "9", other: "10"},
		{op: "NumericLessThanEquals", key: "s3:max-keys", policy: "10", match: "10", other: "11"},
		{op: "NumericGreaterThan", key: "s3:max-keys", policy: "10", match: "11", other: "10"},
		{op: "NumericGreaterThanEquals", key: "s3:max-keys", policy: "10", match: "10", other: "9"},
		{op: "DateEquals", key: "aws:CurrentTime", policy: "2020-01-01T00:00:00Z", match: "2020-01-01T00:00:00Z", other: "2020-01-02T00:00:00Z"},
		{op: "DateNotEquals", key: "aws:CurrentTime", policy: "2020-01-01T00:00:00Z", match: "2020-01-02T00:00:00Z", other: "2020-01-01T00:00:00Z", negated: true},
		{op: "DateLessThan", key: "aws:CurrentTime", policy: "2020-01-01T00:00:00Z", match: "2019-12-31T23:59:59Z", other: "2020-01-01T00:00:00Z"},
		{op: "DateLessThanEquals", key: "aws:CurrentTime", policy: "2020-01-01T00:00:00Z", match: "2020-01-01T00:00:00Z", other: "2020-01-01T00:00:01Z"},
		{op: "DateGreaterThan", key: "aws:CurrentTime", policy: "2020-01-01T00:00:00Z", match: "2020-01-01T00:00:01Z", other: "2020-01-01T00:00:00Z"},
		{op: "DateGreaterThanEquals", key: "aws:CurrentTime", policy: "2020-01-01T00:00:00Z", match: "2020-01-01T00:00:00Z", other: "2019-12-31T23:59:59Z"},
		{op: "Bool", key: "aws:SecureTransport", policy: "true", match: "true", other: "false"},
		{op: "BinaryEquals", key: "key", policy: "QmluYXJ5VmFsdWVJbkJhc2U2NA==", match: "QmluYXJ5VmFsdWVJbkJhc2U2NA==", other: "b3RoZXI="},
		{op: "IpAddress", key: "aws:SourceIp", policy: "203.0.113.0/24", match: "203.0.113.7", other: "198.51.100.7"},
		{op: "NotIpAddress", key: "aws:SourceIp", policy: "203.0.113.0/24", match: "198.51.100.7", other: "203.0.113.7", negated: true},
		{op: "ArnEquals", key: "aws:SourceArn", policy: "arn:aws:sns:us-east-1:123456789012:t", match: "arn:aws:sns:us-east-1:123456789012:t", other: "arn:aws:sns:us-east-1:123456789012:u"},
		{op: "ArnLike", key: "aws:SourceArn", policy: "arn:aws:sns:*:123456789012:*", match: "arn:aws:sns:eu-west-1:123456789012:t", other: "arn:aws:sqs:eu-west-1:123456789012:t"},
		{op: "ArnNotEquals", key: "aws:SourceArn", policy: "arn:aws:sns:us-east-1:123456789012:t", match: "arn:aws:sns:us-east-1:123456789012:u", other: "arn:aws:sns:us-east-1:123456789012:t", negated: true},
		{op: "ArnNotLike", key: "aws:SourceArn", policy: "arn:aws:sns:*:123456789012:*", match: "arn:aws:sqs:eu-west-1:123456789012:t", other: "arn:aws:sns:eu-west-1:123456789012:t", negated: true},
	}
	covered := map[string]bool{"Null": true} // Null has its own cases below
	for _, r := range rows {
		covered[r.op] = true
		for _, ifExists := range []bool{false, true} {
			op := r.op
			if ifExists {
				op += "IfExists"
			}
			cond := fmt.Sprintf(`{%q:{%q:%q}}`, op, r.key, r.policy)
			runCondCases(t, []condCase{
				{op + " present, matching", cond, ctxOf(r.key, r.match), true},
				{op + " present, not matching", cond, ctxOf(r.key, r.other), false},
				// Absent: true for IfExists and for negated operators.
				{op + " absent", cond, NewContext(), ifExists || r.negated},
			})
		}
	}
	runCondCases(t, []condCase{
		{"Null true, absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, NewContext(), true},
		{"Null true, present", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctxOf("aws:TokenIssueTime", "2020-01-01T00:00:00Z"), false},
		{"Null false, absent", `{"Null":{"aws:TokenIssueTime":"false"}}`, NewContext(), false},
		{"Null false, present", `{"Null":{"aws:TokenIssueTime":"false"}}`, ctxOf("aws:TokenIssueTime", "2020-01-01T00:00:00Z"), true},
	})
	for op := range operatorTable {
		if !covered[op] {
			t.Errorf("operator %s has no row in this table", op)
		}
	}
	if _, ok := ParseOperator("NullIfExists"); ok {
		t.Error("NullIfExists parsed: the guide allows IfExists on every operator except Null")
	}
}

// IAM User Guide, "Single-valued vs. multivalued context keys" and
// "...IfExists condition operators": the set operators with IfExists on a
// missing key. ForAllValues holds for a missing key with or without
// IfExists ("It also returns true if there are no context keys in the
// request"); ForAnyValue fails for a missing key ("if the key is not present
// the condition returns false") unless IfExists makes the missing key true.
func TestSetOperatorsIfExistsMissingKey(t *testing.T) {
	runCondCases(t, []condCase{
		{"ForAllValues absent", `{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}`, NewContext(), true},
		{"ForAllValues IfExists absent", `{"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":"a"}}`, NewContext(), true},
		{"ForAllValues IfExists present, one off", `{"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":"a"}}`, NewContext().Set("aws:TagKeys", "a", "b"), false},
		{"ForAnyValue absent", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}`, NewContext(), false},
		{"ForAnyValue IfExists absent", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"}}`, NewContext(), true},
		{"ForAnyValue IfExists present, none matches", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"}}`, NewContext().Set("aws:TagKeys", "b"), false},
		{"ForAnyValue:NumericLessThanIfExists absent", `{"ForAnyValue:NumericLessThanIfExists":{"k":1}}`, NewContext(), true},
	})
}
