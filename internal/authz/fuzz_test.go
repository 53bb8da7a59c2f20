package authz

import (
	"errors"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
)

// FuzzDecide: whatever ARNs, accounts, keys and resource policies a
// request carries, the authorizer answers allowed or AWS's AccessDenied,
// never a panic or an internal error.
func FuzzDecide(f *testing.F) {
	for _, s := range []string{"app", "", "arn:aws:iam::000000000000:role/x/y", "111122223333", "*",
		"arn:aws:ecs:us-east-1:111122223333:cluster/c", "web:3", "arn:", ":", "/", "a/b/c:d"} {
		f.Add(s, s, "")
	}
	f.Add("arn:aws:iam::000000000000:role/r", "000000000000", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)
	fx := newFixture(f, On)
	dev := fx.user(f, "dev", allow(`"*"`, "arn:aws:iam::*:role/a*"))
	f.Fuzz(func(t *testing.T, a, account, doc string) {
		targets := []Target{
			{ARN: a, Account: account, Type: "role", Tags: map[string]string{account: a}, Keys: Keys{a: {account}}},
			Trust(a, account, doc, nil),
		}
		for _, p := range []*principal.Principal{dev, principal.RootUser(acct), principal.AWSService("ecs-tasks.amazonaws.com")} {
			for _, action := range []string{"iam:GetRole", "sts:AssumeRole", "ecs:RunTask", a} {
				for _, tg := range targets {
					_, err := fx.decideKeys(p, action, Keys{"aws:SourceArn": {a}, account: {doc}}, tg)
					var e *awserr.Error
					if err != nil && (!errors.As(err, &e) || (e.Code != "AccessDenied" && e.Code != "AccessDeniedException")) {
						if tg.Policy != nil && tg.Policy.Document != "" {
							continue // a document IAM would not have stored: it does not compile
						}
						t.Fatalf("%s %s on %+v: %v", p.ARN, action, tg, err)
					}
				}
			}
		}
	})
}

// FuzzLowerKey: the stack-lowered key lookup and the aws: prefix test
// answer as strings.ToLower does, for any key.
func FuzzLowerKey(f *testing.F) {
	for _, s := range []string{"aws:CurrentTime", "AWS:SourceIp", "iam:PermissionsBoundary", "awſ:x", "aWs:", "aws", "\u212Aey", "İ", strings.Repeat("A", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, k string) {
		lk := strings.ToLower(k)
		m := map[string]bool{lk: true}
		if !lookupLower(m, k) || lookupLower(map[string]bool{lk + "x": true}, k) {
			t.Fatalf("lookupLower(%q) differs from ToLower %q", k, lk)
		}
		if globalKey(k) != strings.HasPrefix(lk, "aws:") {
			t.Fatalf("globalKey(%q) = %v, ToLower %q", k, globalKey(k), lk)
		}
	})
}
