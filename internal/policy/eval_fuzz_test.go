package policy

import (
	"reflect"
	"testing"
)

// FuzzEvaluate: any document IAM accepts compiles; evaluating it never
// panics and is deterministic; Explain changes what is reported, never the
// decision; an Allowed decision matched no Deny, an ExplicitDeny one did.
func FuzzEvaluate(f *testing.F) {
	seeds := []string{
		benchPolicy,
		v12(`{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringLike":{"s3:prefix":"${aws:username, 'x'}*"}}}`),
		v12(`[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:user/alice","123456789012"]},"Action":"s3:*","Resource":"*"}]`),
		`{"Statement":{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com","AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}}`,
		v12(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]},"NumericLessThan":{"n":"3"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Null":{"x":"true"},"BinaryEquals":{"b":"AA=="},"ArnLike":{"a":"arn:aws:*"}}}`),
	}
	for _, s := range seeds {
		f.Add(s, uint8(0), "s3:GetObject", "arn:aws:s3:::b/alice/k", "aws:username", "alice")
		f.Add(s, uint8(1), "sts:AssumeRole", "arn:aws:iam::123456789012:role/r", "aws:TagKeys", "a")
		f.Add(s, uint8(2), "iam:PassRole", "*", "aws:SourceIp", "10.1.2.3")
	}
	callers := []Caller{alice, appSession, otherUser, root,
		{Kind: CallerService, ARN: "ecs-tasks.amazonaws.com"}, {Kind: CallerAnonymous}}
	f.Fuzz(func(t *testing.T, doc string, k uint8, action, resource, key, value string) {
		kind := Kind(k % 3)
		parsed, err := Parse(doc, kind)
		if err != nil {
			return
		}
		typ := TypeIdentity
		if kind != Identity {
			typ = TypeResource
		}
		p, err := Compile(parsed, Source{ID: "fuzz", Type: typ})
		if err != nil {
			t.Fatalf("Parse accepted but Compile refused: %v", err)
		}
		if _, err := CompileJSON(doc, kind, Source{ID: "fuzz", Type: typ}); err != nil {
			t.Fatalf("CompileJSON: %v", err)
		}
		_ = p.ContextKeys()
		ctx := NewContext().Set(key, value).Set("aws:TagKeys", value, key)
		var ps PolicySet
		if typ == TypeIdentity {
			ps.Identity, ps.Boundary = []*Policy{p}, p
		} else {
			ps.Resource = p
		}
		for i, c := range callers {
			r := Request{Caller: c, Action: action, Resource: resource, Context: ctx}
			if i%2 == 1 {
				r.ResourceAccount = otherAcc
			}
			d1 := Evaluate(&ps, &r)
			d2 := Evaluate(&ps, &r)
			if !reflect.DeepEqual(d1, d2) {
				t.Fatalf("not deterministic: %+v / %+v", d1, d2)
			}
			r.Explain = true
			e := Evaluate(&ps, &r)
			if e.Result != d1.Result || e.Type != d1.Type || e.Statement != d1.Statement {
				t.Fatalf("Explain changed the decision: %+v / %+v", d1, e)
			}
			denied := false
			for _, m := range e.Matched {
				denied = denied || m.Effect == "Deny"
			}
			if (e.Result == ExplicitDeny) != denied {
				t.Fatalf("%v with matched %+v", e.Result, e.Matched)
			}
			_ = AccessDeniedMessage(d1, c.ARN, action, resource)
		}
	})
}
