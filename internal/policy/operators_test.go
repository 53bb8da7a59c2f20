package policy

import "testing"

type condCase struct {
	name      string
	condition string
	ctx       *Context
	want      bool
}

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := withCondition(t, tc.condition, tc.ctx); got != tc.want {
				t.Fatalf("%s with %v: allowed = %v, want %v", tc.condition, tc.ctx.Keys(), got, tc.want)
			}
		})
	}
}

// IAM User Guide, "IAM JSON policy elements: Condition operators", String
// condition operators.
func TestStringOperators(t *testing.T) {
	const tag = `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}` // the doc's example
	runCondCases(t, []condCase{
		{"StringEquals doc example", tag, ctxOf("aws:PrincipalTag/job-category", "iamuser-admin"), true},
		{"StringEquals other value", tag, ctxOf("aws:PrincipalTag/job-category", "other"), false},
		// "If the key that you specify in a policy condition is not present
		// in the request context, the values do not match".
		{"StringEquals key absent", tag, NewContext(), false},
		{"StringEquals is case-sensitive", tag, ctxOf("aws:PrincipalTag/job-category", "IAMUSER-ADMIN"), false},
		{"condition keys are case-insensitive", tag, ctxOf("AWS:principaltag/JOB-CATEGORY", "iamuser-admin"), true},
		{"StringEquals several values OR", `{"StringEquals":{"k":["a","b"]}}`, ctxOf("k", "b"), true},
		{"StringEquals no wildcards", `{"StringEquals":{"k":"a*"}}`, ctxOf("k", "abc"), false},
		{"StringNotEquals differs", `{"StringNotEquals":{"k":["a","b"]}}`, ctxOf("k", "c"), true},
		{"StringNotEquals equal", `{"StringNotEquals":{"k":["a","b"]}}`, ctxOf("k", "b"), false},
		// "If the policy condition requires that the key is not matched,
		// such as StringNotLike or ArnNotLike, and the right key is not
		// present, the condition is true."
		{"StringNotEquals key absent", `{"StringNotEquals":{"k":"a"}}`, NewContext(), true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"k":"Admin"}}`, ctxOf("k", "aDMIN"), true},
		{"StringEqualsIgnoreCase unicode", `{"StringEqualsIgnoreCase":{"k":"ÉTÉ"}}`, ctxOf("k", "été"), true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"k":"Admin"}}`, ctxOf("k", "ADMIN"), false},
		{"StringNotEqualsIgnoreCase absent", `{"StringNotEqualsIgnoreCase":{"k":"Admin"}}`, NewContext(), true},
		{"StringLike wildcards", `{"StringLike":{"s3:prefix":["","home/","home/*"]}}`, ctxOf("s3:prefix", "home/alice/x"), true},
		{"StringLike empty string value", `{"StringLike":{"s3:prefix":["","home/"]}}`, ctxOf("s3:prefix", ""), true},
		{"StringLike ?", `{"StringLike":{"k":"t?.micro"}}`, ctxOf("k", "t3.micro"), true},
		{"StringLike case-sensitive", `{"StringLike":{"k":"t?.micro"}}`, ctxOf("k", "T3.MICRO"), false},
		{"StringNotLike matching", `{"StringNotLike":{"k":"t*"}}`, ctxOf("k", "t2.large"), false},
		{"StringNotLike not matching", `{"StringNotLike":{"k":"t*"}}`, ctxOf("k", "m5.large"), true},
		{"StringNotLike absent", `{"StringNotLike":{"k":"t*"}}`, NewContext(), true},
		// Booleans and numbers in policies are compared as their JSON text.
		{"StringEquals with a JSON boolean", `{"StringEquals":{"k":true}}`, ctxOf("k", "true"), true},
	})
}

// IAM User Guide, "Condition operators", Numeric condition operators; the
// doc's example is NumericLessThanEquals s3:max-keys 10.
func TestNumericOperators(t *testing.T) {
	const maxKeys = `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`
	runCondCases(t, []condCase{
		{"doc example below", maxKeys, ctxOf("s3:max-keys", "5"), true},
		{"doc example equal", maxKeys, ctxOf("s3:max-keys", "10"), true},
		{"doc example above", maxKeys, ctxOf("s3:max-keys", "11"), false},
		{"doc example absent", maxKeys, NewContext(), false},
		{"NumericEquals decimal", `{"NumericEquals":{"k":"2.50"}}`, ctxOf("k", "2.5"), true},
		{"NumericEquals JSON number", `{"NumericEquals":{"k":10}}`, ctxOf("k", "10"), true},
		{"NumericNotEquals", `{"NumericNotEquals":{"k":[1,2]}}`, ctxOf("k", "3"), true},
		{"NumericNotEquals equal", `{"NumericNotEquals":{"k":[1,2]}}`, ctxOf("k", "2"), false},
		{"NumericNotEquals absent", `{"NumericNotEquals":{"k":1}}`, NewContext(), true},
		{"NumericLessThan", `{"NumericLessThan":{"k":10}}`, ctxOf("k", "9.99"), true},
		{"NumericLessThan equal", `{"NumericLessThan":{"k":10}}`, ctxOf("k", "10"), false},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"k":10}}`, ctxOf("k", "11"), true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"k":10}}`, ctxOf("k", "10"), true},
		{"NumericGreaterThanEquals below", `{"NumericGreaterThanEquals":{"k":10}}`, ctxOf("k", "-3"), false},
		{"not a number in the request", `{"NumericLessThan":{"k":10}}`, ctxOf("k", "ten"), false},
		{"not a number in the policy", `{"NumericLessThan":{"k":"ten"}}`, ctxOf("k", "1"), false},
	})
}

// IAM User Guide, "Condition operators", Date condition operators: ISO 8601
// dates or epoch (UNIX) time; the doc's example is DateGreaterThan
// aws:TokenIssueTime "2020-01-01T00:00:01Z".
func TestDateOperators(t *testing.T) {
	const issued = `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}`
	runCondCases(t, []condCase{
		{"doc example after", issued, ctxOf("aws:TokenIssueTime", "2020-01-01T00:00:02Z"), true},
		{"doc example equal", issued, ctxOf("aws:TokenIssueTime", "2020-01-01T00:00:01Z"), false},
		{"doc example before", issued, ctxOf("aws:TokenIssueTime", "2019-12-31T23:59:59Z"), false},
		{"doc example absent", issued, NewContext(), false},
		{"epoch in the request", issued, ctxOf("aws:TokenIssueTime", "1577836802"), true},
		{"epoch in the policy", `{"DateLessThan":{"aws:EpochTime":1577836801}}`, ctxOf("aws:EpochTime", "1577836800"), true},
		{"offsets", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T02:00:00+02:00"}}`, ctxOf("aws:CurrentTime", "2020-01-01T00:00:00Z"), true},
		{"fractions", `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00.5Z"}}`, ctxOf("aws:CurrentTime", "2020-01-01T00:00:00.6Z"), true},
		{"date only", `{"DateLessThanEquals":{"aws:CurrentTime":"2020-01-02"}}`, ctxOf("aws:CurrentTime", "2020-01-02T00:00:00Z"), true},
		{"date only, later", `{"DateLessThanEquals":{"aws:CurrentTime":"2020-01-02"}}`, ctxOf("aws:CurrentTime", "2020-01-02T00:00:01Z"), false},
		{"DateGreaterThanEquals", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-02"}}`, ctxOf("aws:CurrentTime", "2020-01-02"), true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2020-01-02"}}`, ctxOf("aws:CurrentTime", "2020-01-03"), true},
		{"DateNotEquals absent", `{"DateNotEquals":{"aws:CurrentTime":"2020-01-02"}}`, NewContext(), true},
		{"not a date", issued, ctxOf("aws:TokenIssueTime", "yesterday"), false},
		{"ordinal date", `{"DateEquals":{"aws:CurrentTime":"2020-032"}}`, ctxOf("aws:CurrentTime", "2020-02-01"), true},
		{"week date", `{"DateEquals":{"aws:CurrentTime":"2020-W01-1"}}`, ctxOf("aws:CurrentTime", "2019-12-30"), true},
	})
}

// IAM User Guide, "Condition operators": Bool (doc example
// aws:SecureTransport), BinaryEquals (doc example
// "QmluYXJ5VmFsdWVJbkJhc2U2NA=="), IP address operators (doc examples
// 203.0.113.0/24 and 2001:DB8:1234:5678::/64).
func TestBoolBinaryIPOperators(t *testing.T) {
	const ips = `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}`
	runCondCases(t, []condCase{
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctxOf("aws:SecureTransport", "true"), true},
		{"Bool JSON true", `{"Bool":{"aws:SecureTransport":true}}`, ctxOf("aws:SecureTransport", "TRUE"), true},
		{"Bool mismatch", `{"Bool":{"aws:SecureTransport":"true"}}`, ctxOf("aws:SecureTransport", "false"), false},
		{"Bool absent", `{"Bool":{"aws:SecureTransport":"false"}}`, NewContext(), false},
		{"BoolIfExists absent", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, NewContext(), true},
		{"BinaryEquals", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, ctxOf("key", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="), true},
		{"BinaryEquals other", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, ctxOf("key", "b3RoZXI="), false},
		{"IpAddress v4 in range", ips, ctxOf("aws:SourceIp", "203.0.113.42"), true},
		{"IpAddress v4 out of range", ips, ctxOf("aws:SourceIp", "203.0.114.1"), false},
		{"IpAddress v6 in range", ips, ctxOf("aws:SourceIp", "2001:db8:1234:5678::1"), true},
		{"IpAddress v6 out of range", ips, ctxOf("aws:SourceIp", "2001:db8:1234:5679::1"), false},
		{"IpAddress v4-mapped v6 request", ips, ctxOf("aws:SourceIp", "::ffff:203.0.113.9"), true},
		{"IpAddress single address", `{"IpAddress":{"aws:SourceIp":"192.0.2.1"}}`, ctxOf("aws:SourceIp", "192.0.2.1"), true},
		{"IpAddress host bits set", `{"IpAddress":{"aws:SourceIp":"192.0.2.77/24"}}`, ctxOf("aws:SourceIp", "192.0.2.1"), true},
		{"IpAddress not an address", ips, ctxOf("aws:SourceIp", "example.com"), false},
		{"IpAddress absent", ips, NewContext(), false},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctxOf("aws:SourceIp", "198.51.100.1"), true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctxOf("aws:SourceIp", "192.0.2.1"), false},
		{"NotIpAddress absent", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, NewContext(), true},
	})
}

// IAM User Guide, "Condition operators", Amazon Resource Name (ARN)
// condition operators: "Each of the six colon-delimited components of the
// ARN is checked separately"; ArnEquals and ArnLike behave alike.
func TestArnOperators(t *testing.T) {
	const topic = `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:TOPIC-ID"}}`
	runCondCases(t, []condCase{
		{"ArnEquals doc example", topic, ctxOf("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:TOPIC-ID"), true},
		{"ArnEquals other topic", topic, ctxOf("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:OTHER"), false},
		{"ArnEquals case-sensitive", topic, ctxOf("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:topic-id"), false},
		{"ArnLike wildcard account", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket-*"}}`, ctxOf("aws:SourceArn", "arn:aws:s3:::bucket-1"), true},
		{"ArnEquals takes wildcards too", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}`, ctxOf("aws:SourceArn", "arn:aws:sns:eu-west-1:123456789012:t"), true},
		{"ArnLike segment-wise", `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-east-1*"}}`, ctxOf("aws:SourceArn", "arn:aws:ec2:us-east-1:1:instance/i"), true},
		{"ArnLike not an ARN", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b"}}`, ctxOf("aws:SourceArn", "b"), false},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/admin"}}`, ctxOf("aws:PrincipalArn", "arn:aws:iam::123456789012:role/dev"), true},
		{"ArnNotLike matching", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin*"}}`, ctxOf("aws:PrincipalArn", "arn:aws:iam::123456789012:role/admin-1"), false},
		{"ArnNotLike absent", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin*"}}`, NewContext(), true},
	})
}

// IAM User Guide, "Condition operators", ...IfExists and "Condition
// operator to check existence of condition keys" (Null).
func TestIfExistsAndNull(t *testing.T) {
	// The doc's IfExists example: instance types t1/t2/m3 when the key is
	// there, anything when it is not.
	const types = `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}`
	runCondCases(t, []condCase{
		{"IfExists present matching", types, ctxOf("ec2:InstanceType", "t2.micro"), true},
		{"IfExists present other", types, ctxOf("ec2:InstanceType", "c5.large"), false},
		{"IfExists absent", types, NewContext(), true},
		{"NotEqualsIfExists absent", `{"StringNotEqualsIfExists":{"k":"a"}}`, NewContext(), true},
		{"NotEqualsIfExists present equal", `{"StringNotEqualsIfExists":{"k":"a"}}`, ctxOf("k", "a"), false},
		{"NumericIfExists absent", `{"NumericLessThanIfExists":{"k":1}}`, NewContext(), true},
		{"DateIfExists present", `{"DateLessThanIfExists":{"aws:CurrentTime":"2020-01-01"}}`, ctxOf("aws:CurrentTime", "2021-01-01"), false},
		{"ArnLikeIfExists absent", `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::x"}}`, NewContext(), true},
		{"IpAddressIfExists absent", `{"IpAddressIfExists":{"aws:SourceIp":"192.0.2.0/24"}}`, NewContext(), true},
		// The doc's Null example: "Null": {"aws:TokenIssueTime": "true"}
		// allows only requests without temporary credentials.
		{"Null true, key absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, NewContext(), true},
		{"Null true, key present", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctxOf("aws:TokenIssueTime", "2020-01-01T00:00:00Z"), false},
		{"Null false, key present", `{"Null":{"aws:TokenIssueTime":false}}`, ctxOf("aws:TokenIssueTime", "2020-01-01T00:00:00Z"), true},
		{"Null false, key absent", `{"Null":{"aws:TokenIssueTime":false}}`, NewContext(), false},
		{"Null empty set is null", `{"Null":{"aws:TagKeys":"true"}}`, NewContext().Set("aws:TagKeys"), true},
		{"Null neither true nor false", `{"Null":{"k":"maybe"}}`, NewContext(), false},
	})
}

// IAM User Guide, "Single-valued vs. multivalued context keys", set
// operators: ForAllValues "returns true if every context key value in the
// request matches at least one context key value in the policy. It also
// returns true if there are no context keys in the request"; ForAnyValue
// "returns true if any one of the context key values in the request matches
// any one of the context key values in the policy. For context keys, if the
// key is not present the condition returns false". The doc's examples use
// aws:TagKeys with ["environment","cost-center"].
func TestSetOperators(t *testing.T) {
	const all = `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`
	const anyOf = `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`
	tags := func(keys ...string) *Context { return NewContext().Set("aws:TagKeys", keys...) }
	runCondCases(t, []condCase{
		{"ForAllValues subset", all, tags("environment"), true},
		{"ForAllValues all", all, tags("environment", "cost-center"), true},
		{"ForAllValues extra value", all, tags("environment", "dept"), false},
		{"ForAllValues key absent", all, NewContext(), true},
		{"ForAllValues empty set", all, tags(), true},
		{"ForAnyValue one matches", anyOf, tags("dept", "cost-center"), true},
		{"ForAnyValue none matches", anyOf, tags("dept"), false},
		{"ForAnyValue key absent", anyOf, NewContext(), false},
		{"ForAnyValue empty set", anyOf, tags(), false},
		{"ForAllValues:StringLike", `{"ForAllValues:StringLike":{"aws:TagKeys":"env*"}}`, tags("env", "environment"), true},
		{"ForAllValues:StringLike one off", `{"ForAllValues:StringLike":{"aws:TagKeys":"env*"}}`, tags("env", "x"), false},
		// Negated operators under set operators apply per value.
		{"ForAllValues:StringNotEquals none listed", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, tags("c", "d"), true},
		{"ForAllValues:StringNotEquals one listed", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, tags("c", "a"), false},
		{"ForAllValues:StringNotEquals absent", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a"]}}`, NewContext(), true},
		{"ForAnyValue:StringNotEquals one unlisted", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, tags("a", "c"), true},
		{"ForAnyValue:StringNotEquals all listed", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, tags("a", "b"), false},
		{"ForAnyValue:StringNotEquals absent", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, NewContext(), false},
		{"ForAnyValue IfExists absent", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["a"]}}`, NewContext(), true},
		// A multivalued key without a set operator: any value may match.
		{"no set operator, multivalued", `{"StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}}`, NewContext().Set("aws:CalledVia", "x", "athena.amazonaws.com"), true},
		{"no set operator, negated multivalued", `{"StringNotEquals":{"aws:CalledVia":"athena.amazonaws.com"}}`, NewContext().Set("aws:CalledVia", "x", "athena.amazonaws.com"), false},
		{"empty set, plain operator", `{"StringEquals":{"aws:TagKeys":"a"}}`, tags(), false},
		{"empty set, negated operator", `{"StringNotEquals":{"aws:TagKeys":"a"}}`, tags(), true},
	})
}

// IAM User Guide, "IAM JSON policy elements: Condition": several operators
// and several keys are ANDed, several values ORed.
func TestConditionLogic(t *testing.T) {
	const both = `{"StringEquals":{"a":"1","b":"2"},"Bool":{"c":"true"}}`
	runCondCases(t, []condCase{
		{"all hold", both, ctxOf("a", "1", "b", "2", "c", "true"), true},
		{"one key fails", both, ctxOf("a", "1", "b", "3", "c", "true"), false},
		{"one operator fails", both, ctxOf("a", "1", "b", "2", "c", "false"), false},
		{"empty operator block", `{"StringEquals":{}}`, NewContext(), true},
	})
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1970-01-01T00:00:00Z", 0, true},
		{"2020-01-01T00:00:00Z", 1577836800, true},
		{"2020-01-01", 1577836800, true},
		{"2020-01", 1577836800, true},
		{"2020", 2020, true}, // an integer is epoch seconds, never a year
		{"2020-01-01T01:00:00+01:00", 1577836800, true},
		{"2019-12-31T23:00:00-01:00", 1577836800, true},
		{"2020-01-01t00:00:00z", 1577836800, true},
		{"2020-01-01T00:00:00+0000", 1577836800, true},
		{"1577836800", 1577836800, true},
		{"-1", -1, true},
		{"1577836800.5", 1577836800, true},
		{"T01:00", 3600, true},
		{"nope", 0, false},
		{"", 0, false},
	} {
		d, ok := parseDate(tc.in)
		if ok != tc.ok || ok && d.sec != tc.want {
			t.Errorf("parseDate(%q) = %d, %v; want %d, %v", tc.in, d.sec, ok, tc.want, tc.ok)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	if _, err := Compile(&Document{Statements: []Statement{{Effect: "Maybe", Action: []string{"s3:*"}}}}, Source{}); err == nil {
		t.Error("Effect Maybe compiled")
	}
	if _, err := Compile(&Document{Statements: []Statement{{Effect: "Allow", Action: []string{"s3:*"},
		Condition: map[string]map[string][]string{"StringSorta": {"k": {"v"}}}}}}, Source{}); err == nil {
		t.Error("unknown operator compiled")
	}
	// An unknown operator with an empty block is no condition (IAM accepts
	// it: parse_test valid-19).
	if _, err := Compile(&Document{Statements: []Statement{{Effect: "Allow", Action: []string{"s3:*"},
		Condition: map[string]map[string][]string{"StringSorta": {}}}}}, Source{}); err != nil {
		t.Error(err)
	}
}
