package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// rolecallCLI runs the CLI with args against rc.
func rolecallCLI(t *testing.T, rc *rolecalltest.Server, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append(args, "--endpoint", rc.Endpoint), &out, &errb)
	return out.String(), errb.String(), code
}

func TestRolesCommand(t *testing.T) {
	rc := rolecalltest.RunT(t)
	ctx := context.Background()
	c := iam.NewFromConfig(rc.Config)
	if _, err := c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com","lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("task"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	human := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}}`
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("admin"), AssumeRolePolicyDocument: aws.String(human)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("task"), PolicyName: aws.String("logs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}

	out, errs, code := rolecallCLI(t, rc, "roles")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Service-linked roles (owned by an AWS service; only it may change them): 1\n  AWSServiceRoleForECS  ecs.amazonaws.com\n",
		"Service roles (an AWS service may assume them): 1\n  task  ecs-tasks.amazonaws.com, lambda.amazonaws.com\n",
		"Other roles: 1\n  admin  assumed by arn:aws:iam::000000000000:root\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("roles output lacks %q:\n%s", want, out)
		}
	}

	out, errs, code = rolecallCLI(t, rc, "roles", "show", "AWSServiceRoleForECS")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Kind         service-linked (ecs.amazonaws.com; only the service may change it)\n",
		"Max session  1h0m0s\n",
		"Last used    never",
		`"Service": "ecs.amazonaws.com"`,
		"managed  AmazonECSServiceRolePolicy  arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show output lacks %q:\n%s", want, out)
		}
	}

	out, _, code = rolecallCLI(t, rc, "roles", "show", "task")
	if code != 0 || !strings.Contains(out, "inline   logs\n") || !strings.Contains(out, `"Action": "logs:PutLogEvents"`) ||
		!strings.Contains(out, "service (assumed by ecs-tasks.amazonaws.com, lambda.amazonaws.com)") {
		t.Errorf("show task (exit %d):\n%s", code, out)
	}

	_, errs, code = rolecallCLI(t, rc, "roles", "show", "nope")
	if code != 1 || errs != "rolecall roles: NoSuchEntity: The role with name nope cannot be found.\n" {
		t.Errorf("missing role: exit %d, %q", code, errs)
	}
	// Flags may come first.
	out, _, code = rolecallCLI(t, rc)
	if code != 2 {
		t.Errorf("no command: exit %d", code)
	}
	var outb bytes.Buffer
	if code := run([]string{"roles", "--endpoint", rc.Endpoint, "show", "admin"}, &outb, &bytes.Buffer{}); code != 0 || !strings.Contains(outb.String(), "Kind         other\n") {
		t.Errorf("flags first: exit %d\n%s", code, outb.String())
	}
	for _, args := range [][]string{{"roles", "show"}, {"roles", "list", "x"}, {"roles", "show", "a", "b"}} {
		var errb bytes.Buffer
		if code := run(args, &bytes.Buffer{}, &errb); code != 2 || !strings.Contains(errb.String(), "rolecall roles show NAME") {
			t.Errorf("%v: exit %d, %q", args, code, errb.String())
		}
	}
}

// trustedServices reads any policy document a server might return without
// panicking.
func FuzzTrustedServices(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["a.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"Service":"b.amazonaws.com"}}}`)
	f.Add(`%7B%22Statement%22%3A%5B%5D%7D`)
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":"*"}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		for _, s := range trustedServices(doc) {
			_ = s
		}
	})
}

func TestTrustedPrincipals(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want []string
	}{
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root","arn:aws:iam::1:user/u"],"Service":"s.amazonaws.com"}},{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::1:user/x"}}]}`,
			[]string{"arn:aws:iam::1:root", "arn:aws:iam::1:user/u"}},
		{`{"Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"}}}`, []string{"cognito-identity.amazonaws.com"}},
		{`{"Statement":{"Effect":"Allow","Principal":"*"}}`, []string{"*"}},
		{`{"Statement":{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"}}}`, []string{}},
	} {
		if got := trustedPrincipals(tc.doc, "AWS", "Federated"); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("trustedPrincipals(%s) = %q, want %q", tc.doc, got, tc.want)
		}
	}
}
