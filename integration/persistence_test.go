package integration

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// TestRestartKeepsState restarts rolecall on the same data directory: every
// acknowledged write is still there, and a second instance on the same
// directory is refused while the first runs.
func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	first, err := rolecalltest.Start(rolecalltest.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	c := iam.NewFromConfig(first.Config)
	createRole(t, c, "durable")
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("durable"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t)
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("durable"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)

	if second, err := rolecalltest.Start(rolecalltest.WithDataDir(dir)); err == nil {
		second.Close()
		t.Fatal("a second rolecall opened a data directory that is in use")
	}
	first.Close()

	again := rolecalltest.RunT(t, rolecalltest.WithDataDir(dir))
	c = iam.NewFromConfig(again.Config)
	r := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("durable")}))(t).Role
	if decoded(t, r.AssumeRolePolicyDocument) != ecsTasksTrust {
		t.Errorf("trust after restart %s", decoded(t, r.AssumeRolePolicyDocument))
	}
	att := must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("durable")}))(t).AttachedPolicies
	if len(att) != 1 || aws.ToString(att[0].PolicyName) != "ReadOnlyAccess" {
		t.Errorf("attached after restart %+v", att)
	}
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t).Policy.AttachmentCount); n != 1 {
		t.Errorf("attachment count after restart %d", n)
	}
	if names := must(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("durable")}))(t).PolicyNames; len(names) != 1 {
		t.Errorf("inline after restart %v", names)
	}
}
