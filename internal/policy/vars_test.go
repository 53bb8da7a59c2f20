package policy

import (
	"reflect"
	"testing"
)

// IAM User Guide, "IAM policy elements: Variables and tags".
func TestVariablesInResource(t *testing.T) {
	// The doc's "home directory" example.
	home := v12(`[{"Action":["s3:ListBucket"],"Effect":"Allow","Resource":["arn:aws:s3:::mybucket"],"Condition":{"StringLike":{"s3:prefix":["${aws:username}/*"]}}},
		{"Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow","Resource":["arn:aws:s3:::mybucket/${aws:username}/*"]}]`)
	p := compileT(t, home, Identity, TypeIdentity)
	ps := &PolicySet{Identity: []*Policy{p}}
	for _, tc := range []struct {
		name             string
		action, resource string
		ctx              *Context
		want             Result
	}{
		{"own object", "s3:GetObject", "arn:aws:s3:::mybucket/alice/notes.txt", ctxOf("aws:username", "alice"), Allowed},
		{"someone else's object", "s3:GetObject", "arn:aws:s3:::mybucket/bob/notes.txt", ctxOf("aws:username", "alice"), ImplicitDeny},
		{"no aws:username (a role session)", "s3:GetObject", "arn:aws:s3:::mybucket/alice/notes.txt", NewContext(), ImplicitDeny},
		{"list own prefix", "s3:ListBucket", "arn:aws:s3:::mybucket", ctxOf("aws:username", "alice", "s3:prefix", "alice/docs"), Allowed},
		{"list another prefix", "s3:ListBucket", "arn:aws:s3:::mybucket", ctxOf("aws:username", "alice", "s3:prefix", "bob/"), ImplicitDeny},
		// A '*' in the variable's value is literal, not a wildcard.
		{"value with a star", "s3:GetObject", "arn:aws:s3:::mybucket/alice/x", ctxOf("aws:username", "*"), ImplicitDeny},
		{"value with a star, literal match", "s3:GetObject", "arn:aws:s3:::mybucket/*/x", ctxOf("aws:username", "*"), Allowed},
		// Key names are case-insensitive.
		{"key case", "s3:GetObject", "arn:aws:s3:::mybucket/alice/x", ctxOf("AWS:USERNAME", "alice"), Allowed},
		// A multivalued key is no variable.
		{"multivalued key", "s3:GetObject", "arn:aws:s3:::mybucket/alice/x", NewContext().Set("aws:username", "alice", "bob"), ImplicitDeny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(ps, &Request{Caller: alice, Action: tc.action, Resource: tc.resource, Context: tc.ctx})
			if d.Result != tc.want {
				t.Fatalf("%s %s: %v, want %v", tc.action, tc.resource, d.Result, tc.want)
			}
		})
	}
}

func TestVariableForms(t *testing.T) {
	ctx := ctxOf("aws:username", "alice", "aws:PrincipalTag/team", "blue", "aws:SourceIdentity", "ci-bot", "aws:userid", "AIDAX")
	for _, tc := range []struct {
		name, value, s string
		want           bool
	}{
		{"username", "${aws:username}", "alice", true},
		{"userid", "u-${aws:userid}", "u-AIDAX", true},
		{"principal tag", "team-${aws:PrincipalTag/team}", "team-blue", true},
		{"source identity", "${aws:SourceIdentity}", "ci-bot", true},
		{"spaces inside", "${ aws:username }", "alice", true},
		// "${aws:userid, 'anonymous'}": the doc's default value example.
		{"default unused", "${aws:username, 'nobody'}", "alice", true},
		{"default used", "${aws:missing, 'nobody'}", "nobody", true},
		{"default with quote", "${aws:missing, 'it''s'}", "it's", true},
		{"default with a brace", "${aws:missing, 'a}b'}", "a}b", true},
		{"no default, missing", "${aws:missing}", "", false},
		{"special star", "a${*}b", "a*b", true},
		{"special question", "a${?}b", "a?b", true},
		{"special dollar", "${$}{aws:username}", "${aws:username}", true},
		{"unterminated is text", "${aws:username", "${aws:username", true},
		{"empty variable", "${}", "", false},
		{"default not quoted", "${aws:missing, nobody}", "nobody", false},
		{"two variables", "${aws:username}/${aws:PrincipalTag/team}", "alice/blue", true},
	} {
		for _, like := range []bool{false, true} {
			p := compilePattern(tc.value, like, false, true)
			if got, _ := p.match(tc.s, ctx, mWhole); got != tc.want {
				t.Errorf("%s (like=%v): %q ~ %q = %v, want %v", tc.name, like, tc.s, tc.value, got, tc.want)
			}
		}
	}
}

// "If you don't include the Version element ... variables like
// ${aws:username} are treated as literal strings in the policy."
func TestVariablesNeedVersion2012(t *testing.T) {
	p := compileT(t, `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}"}}`, Resource, TypeResource)
	req := &Request{Caller: alice, Action: "s3:GetObject", Context: ctxOf("aws:username", "alice")}
	req.Resource = "arn:aws:s3:::b/alice"
	if d := Evaluate(&PolicySet{Resource: p}, req); d.Result != ImplicitDeny {
		t.Errorf("2008 policy substituted a variable: %v", d.Result)
	}
	req.Resource = "arn:aws:s3:::b/${aws:username}"
	if d := Evaluate(&PolicySet{Resource: p}, req); d.Result != Allowed {
		t.Errorf("2008 policy: literal %v", d.Result)
	}
}

// Unresolved variables are null: they match nothing, so a negated operator
// is not stopped by them, and NotResource does not exclude with them.
func TestUnresolvedVariables(t *testing.T) {
	runCondCases(t, []condCase{
		{"StringEquals", `{"StringEquals":{"k":"${aws:username}"}}`, ctxOf("k", ""), false},
		{"StringNotEquals", `{"StringNotEquals":{"k":"${aws:username}"}}`, ctxOf("k", "x"), true},
		{"StringLike", `{"StringLike":{"k":"${aws:username}*"}}`, ctxOf("k", "x"), false},
		{"ArnLike", `{"ArnLike":{"k":"arn:aws:iam::*:user/${aws:username}"}}`, ctxOf("k", "arn:aws:iam::1:user/"), false},
		{"resolved in ArnLike", `{"ArnLike":{"k":"arn:aws:iam::*:user/${aws:username}"}}`, ctxOf("k", "arn:aws:iam::1:user/al", "aws:username", "al"), true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"k":"${aws:username}"}}`, ctxOf("k", "ALICE", "aws:username", "alice"), true},
	})
	p := identity(t, `{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::b/${aws:username}/*"}`)
	d := Evaluate(&PolicySet{Identity: []*Policy{p}}, &Request{Caller: appSession, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/x/y", Context: NewContext()})
	if d.Result != Allowed {
		t.Errorf("NotResource with an unresolved variable: %v", d.Result)
	}
}

func TestParseTemplate(t *testing.T) {
	parts, ok := parseTemplate("a${aws:UserName}b${*}${x, 'd'}")
	if !ok {
		t.Fatal("no variables found")
	}
	want := []tpart{
		{kind: tText, text: "a"},
		{kind: tVar, key: "aws:username", rawKey: "aws:UserName"},
		{kind: tText, text: "b"},
		{kind: tLit, text: "*"},
		{kind: tVar, key: "x", rawKey: "x", def: "d", hasDef: true},
	}
	if !reflect.DeepEqual(parts, want) {
		t.Fatalf("got %+v\nwant %+v", parts, want)
	}
	if _, ok := parseTemplate("plain"); ok {
		t.Error("plain text has variables")
	}
}
