package policy

import (
	"testing"
)

const (
	acct     = "123456789012"
	otherAcc = "210987654321"
)

var (
	alice = Caller{Kind: CallerUser, ARN: "arn:aws:iam::" + acct + ":user/alice", Account: acct, Name: "alice", UserID: "AIDAALICE"}
	// A session of role "app" (path /svc/).
	appSession = Caller{Kind: CallerRoleSession, ARN: "arn:aws:sts::" + acct + ":assumed-role/app/s1",
		Issuer: "arn:aws:iam::" + acct + ":role/svc/app", Account: acct, UserID: "AROAAPP:s1"}
	otherUser = Caller{Kind: CallerUser, ARN: "arn:aws:iam::" + otherAcc + ":user/bob", Account: otherAcc, Name: "bob"}
	root      = Caller{Kind: CallerRoot, ARN: "arn:aws:iam::" + acct + ":root", Account: acct}
)

// compileT compiles text (parsed as kind) with type typ, failing the test
// on error.
func compileT(t testing.TB, text string, kind Kind, typ PolicyType) *Policy {
	t.Helper()
	p, err := CompileJSON(text, kind, Source{ID: typ.String() + "-policy", Type: typ})
	if err != nil {
		t.Fatalf("CompileJSON(%s): %v", text, err)
	}
	return p
}

// identity is a 2012-10-17 identity policy with the given statements.
func identity(t testing.TB, statements string) *Policy {
	t.Helper()
	return compileT(t, v12(statements), Identity, TypeIdentity)
}

// withCondition evaluates an identity policy allowing s3:GetObject on any
// resource under condition, for alice with ctx.
func withCondition(t *testing.T, condition string, ctx *Context) bool {
	t.Helper()
	p := identity(t, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":`+condition+`}`)
	d := Evaluate(&PolicySet{Identity: []*Policy{p}}, &Request{Caller: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx})
	return d.Result == Allowed
}

func ctxOf(kv ...string) *Context {
	c := NewContext()
	for i := 0; i+1 < len(kv); i += 2 {
		c.Set(kv[i], kv[i+1])
	}
	return c
}
