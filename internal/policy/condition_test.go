package policy

import "testing"

func TestValidDate(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		// Recorded (LocalStack test_iam_policies valid-5, -30, -34..-37;
		// invalid-64, -72..-75).
		{"2017-07-01T00:00:00Z", true},
		{"2019-07-01T13:20:15Z", true},
		{"01T", true},
		{"2016-12-13T21:20:37.593194+00:00", true},
		{"2016-12-13t2:00:00.593194+23", true},
		{"-292275054", true},
		{"sdfdsf", false},
		{"234-13", false},
		{"2016-12-13t2:00:00.593194+1", false},
		{"2016-12-13t2:00:00.1999999999+10:59", false},
		{"9223372036854775808", false},
		// ISO 8601 forms and ranges (rolecall's reading of the lenient parser).
		{"1700000000", true},
		{"9223372036854775807", true},
		{"2016", true},
		{"2016-02", true},
		{"2016-02-29", true},
		{"2015-02-29", false},
		{"2016-366", true},
		{"2015-366", false},
		{"2016-W05", true},
		{"2016-W05-7", true},
		{"2016-W54", false},
		{"2016-12-13T24:00:00Z", false},
		{"2016-12-13T23:60Z", false},
		{"2016-12-13T10Z", true},
		{"2016-12-13T10:30", true},
		{"2016-12-13T10:30:00,5-05:00", true},
		{"2016-12-13T10:30:00+0530", true},
		{"2016-12-13T10:30:00+05:3", false},
		{"2016-12-13T+05:00", true},
		{"T10:30Z", true},
		{"2016-12-13 10:30:00", false},
		{"", false},
		{"-", false},
		{"2016-", false},
		{"2016-12-", false},
		{"2016-12-13T", true},
	} {
		if got := validDate(tc.in); got != tc.ok {
			t.Errorf("validDate(%q) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

func TestParseOperator(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Operator
		ok   bool
	}{
		{"StringEquals", Operator{Base: "StringEquals"}, true},
		{"ForAnyValue:StringLikeIfExists", Operator{Set: "ForAnyValue", Base: "StringLike", IfExists: true}, true},
		{"ForAllValues:ArnNotLike", Operator{Set: "ForAllValues", Base: "ArnNotLike"}, true},
		{"BoolIfExists", Operator{Base: "Bool", IfExists: true}, true},
		{"Null", Operator{Base: "Null"}, true},
		{"NullIfExists", Operator{}, false},
		{"ForAnyValue::StringEqualsIfExists", Operator{}, false}, // recorded invalid-53
		{"stringequals", Operator{}, false},
		{"x", Operator{}, false},
		{"IfExists", Operator{}, false},
	} {
		got, ok := ParseOperator(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseOperator(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
