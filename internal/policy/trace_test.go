package policy

import (
	"reflect"
	"testing"
)

func TestTrace(t *testing.T) {
	p := compileT(t, v12(`[{"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::`+acct+`:role/app-*",
		"Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"},"Bool":{"aws:SecureTransport":"true"}}},
		{"Effect":"Deny","NotAction":"iam:*","Resource":"*"},
		{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"}]`), Identity, TypeIdentity)
	r := &Request{Caller: alice, Action: "iam:PassRole", Resource: "arn:aws:iam::" + acct + ":role/app-task",
		Context: ctxOf("iam:PassedToService", "ec2.amazonaws.com")}
	tr := p.Trace(r)
	if len(tr) != 3 {
		t.Fatalf("%d traces", len(tr))
	}
	want := StatementTrace{Ref: p.Statements()[0], Action: true, Resource: true, Principal: true, Conditions: []ConditionTrace{
		{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}, Held: false},
		{Operator: "StringEquals", Key: "iam:PassedToService", Values: []string{"ecs-tasks.amazonaws.com"}, Present: true, Request: []string{"ec2.amazonaws.com"}, Held: false},
	}}
	if !reflect.DeepEqual(tr[0], want) {
		t.Errorf("statement 1\n got %+v\nwant %+v", tr[0], want)
	}
	if tr[0].Applies() {
		t.Error("statement 1 applies")
	}
	if tr[1].Action || !tr[1].Resource || tr[1].Applies() {
		t.Errorf("statement 2 (NotAction iam:*) %+v", tr[1])
	}
	if tr[2].Action || tr[2].Applies() {
		t.Errorf("statement 3 %+v", tr[2])
	}

	// The same request with the key right and TLS: statement 1 applies, as
	// Evaluate says.
	r.Context = ctxOf("iam:PassedToService", "ecs-tasks.amazonaws.com", "aws:SecureTransport", "true")
	if tr := p.Trace(r); !tr[0].Applies() {
		t.Errorf("statement 1 does not apply: %+v", tr[0])
	}
	if d := Evaluate(&PolicySet{Identity: []*Policy{p}}, r); d.Result != Allowed || d.Statement != p.Statements()[0] {
		t.Errorf("Evaluate %+v", d)
	}

	// Resource-based statements: a Principal that names someone else.
	trust := compileT(t, v12(`{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}`), Trust, TypeResource)
	svc := Caller{Kind: CallerService, ARN: "lambda.amazonaws.com"}
	if tr := trust.Trace(&Request{Caller: svc, Action: "sts:AssumeRole", Resource: "arn:aws:iam::" + acct + ":role/r"}); !tr[0].Action || !tr[0].Resource || tr[0].Principal {
		t.Errorf("trust statement %+v", tr[0])
	}
}

// FuzzTrace: Trace never panics, and a statement applies by Trace exactly
// when Evaluate (explaining, with no boundary) lists it as matched.
func FuzzTrace(f *testing.F) {
	f.Add(v12(`{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringLike":{"s3:prefix":"${aws:username, 'x'}*"}}}`), false, "s3:GetObject", "arn:aws:s3:::b/alice/k", "aws:username", "alice")
	f.Add(v12(`[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:user/alice","123456789012"]},"Action":"s3:*","Resource":"*"}]`), true, "s3:GetObject", "*", "k", "v")
	f.Add(v12(`{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::x","Condition":{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"},"Null":{"x":"true"}}}`), false, "s3:PutObject", "arn:aws:s3:::y", "aws:TagKeys", "b")
	f.Fuzz(func(t *testing.T, doc string, resourcePolicy bool, action, resource, key, value string) {
		kind, typ := Identity, TypeIdentity
		if resourcePolicy {
			kind, typ = Resource, TypeResource
		}
		p, err := CompileJSON(doc, kind, Source{ID: "fuzz", Type: typ})
		if err != nil {
			return
		}
		var ps PolicySet
		if resourcePolicy {
			ps.Resource = p
		} else {
			ps.Identity = []*Policy{p}
		}
		r := &Request{Caller: alice, Action: action, Resource: resource, Context: NewContext().Set(key, value), Explain: true}
		matched := map[*StatementRef]bool{}
		for _, m := range Evaluate(&ps, r).Matched {
			matched[m] = true
		}
		for _, s := range p.Trace(r) {
			if s.Applies() != matched[s.Ref] {
				t.Fatalf("statement %d: Trace says applies=%v, Evaluate matched=%v\n%+v", s.Ref.Index, s.Applies(), matched[s.Ref], s)
			}
		}
	})
}
