package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// TestExplainDenied: a denied request's id, given to explain-denied, prints
// AWS's message and the reasoning behind it.
func TestExplainDenied(t *testing.T) {
	rc := rolecalltest.RunT(t)
	ctx := context.Background()
	root := iam.NewFromConfig(rc.Config)
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Sid":"NoRoles","Effect":"Deny","Action":"iam:CreateRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := rc.Config.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, "")
	_, err = iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("CreateRole: %v", err)
	}
	id := re.ServiceRequestID()

	out, errs, code := rolecallCLI(t, rc, "explain-denied", id)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Request " + id + " at ",
		"  principal: arn:aws:iam::000000000000:user/dev (user)\n",
		"  action:    iam:CreateRole\n",
		"  resource:  arn:aws:iam::000000000000:role/app\n",
		"DENIED, explicitly: a Deny statement matched.\n",
		"AWS answers: User: arn:aws:iam::000000000000:user/dev is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::000000000000:role/app with an explicit deny in an identity-based policy\n",
		"  * identity-based policies (1): a statement denies iam:CreateRole  <- decides\n",
		`  The deciding statement: Deny statement 1 (Sid "NoRoles") at line 1 of identity arn:aws:iam::000000000000:user/dev#p`,
		"  aws:username = dev\n",
		"and remove or narrow the Deny above: an explicit Deny always wins.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out, _, code = rolecallCLI(t, rc, "explain-denied", "--recent", "3")
	if code != 0 || !strings.Contains(out, id+"  explicitDeny  arn:aws:iam::000000000000:user/dev  iam:CreateRole  arn:aws:iam::000000000000:role/app\n") {
		t.Errorf("--recent (exit %d):\n%s", code, out)
	}

	_, errs, code = rolecallCLI(t, rc, "explain-denied", "no-such-id")
	if code != 1 || !strings.Contains(errs, "no decision recorded for request no-such-id") {
		t.Errorf("unknown id: exit %d, %s", code, errs)
	}
	if _, _, code := rolecallCLI(t, rc, "explain-denied"); code != 2 {
		t.Errorf("no id: exit %d", code)
	}
}
