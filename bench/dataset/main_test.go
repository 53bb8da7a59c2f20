package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/bench/scaledata"
	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/iam"
)

// TestDataset builds a tiny data set and reads it back as rolecall serve
// would: each account has its roles, each role both policies and a trust
// policy naming its account; a second run over it keeps what is there.
func TestDataset(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		var out, errs bytes.Buffer
		if code := run([]string{"-dir", dir, "-accounts", "3", "-roles", "4", "-workers", "5"}, &out, &errs); code != 0 {
			t.Fatalf("exit %d: %s", code, errs.String())
		}
		if !strings.HasPrefix(out.String(), "3 accounts, 12 roles, in "+dir) {
			t.Errorf("output %q", out.String())
		}
	}
	a, err := app.Open(app.Options{DataDir: dir, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	for i := range 3 {
		account := scaledata.Account(i)
		roles, _, err := a.IAM.ListRoles(ctx, account, "", iam.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range roles {
			names = append(names, r.RoleName)
			if !strings.Contains(r.AssumeRolePolicyDocument, "arn:aws:iam::"+account+":root") {
				t.Errorf("%s/%s trusts %s", account, r.RoleName, r.AssumeRolePolicyDocument)
			}
		}
		if want := []string{"scale-role-0000", "scale-role-0001", "scale-role-0002", "scale-role-0003"}; !slices.Equal(names, want) {
			t.Errorf("account %s: roles %v, want %v", account, names, want)
		}
		attached, _, err := a.IAM.ListAttachedRolePolicies(ctx, account, "scale-role-0003", "", iam.Page{})
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprint([]iam.AttachedPolicy{
			{PolicyName: "ReadOnlyAccess", PolicyArn: scaledata.AWSPolicy},
			{PolicyName: scaledata.LocalPolicy, PolicyArn: "arn:aws:iam::" + account + ":policy/" + scaledata.LocalPolicy}})
		if got := fmt.Sprint(attached); got != want {
			t.Errorf("account %s: attached %s, want %s", account, got, want)
		}
	}
	if scaledata.Account(0) != "100000000001" || scaledata.Account(999) != "100000001000" {
		t.Errorf("accounts %s..%s", scaledata.Account(0), scaledata.Account(999))
	}
}

func TestDatasetRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{}, {"-dir", t.TempDir(), "-roles", "1001"}, {"-dir", t.TempDir(), "-accounts", "0"}} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 2 || !strings.Contains(errs.String(), "dataset: need -dir") {
			t.Errorf("%q: exit %d, %s", args, code, errs.String())
		}
	}
}
