// Package integration drives rolecall through real AWS clients: the Go SDK
// in these tests, and the aws CLI and boto3 through scripts/. Every test
// asserts AWS's error code, HTTP status and message, not merely an error.
package integration

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/rolecalltest"
)

var ctx = context.Background()

const account = "000000000000"

const ecsTasksTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const s3ReadPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

func newIAM(t *testing.T) *iam.Client {
	t.Helper()
	return iam.NewFromConfig(rolecalltest.RunT(t).Config)
}

// wantErr asserts err is AWS's error with this code, HTTP status and message.
func wantErr(t *testing.T, err error, status int, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("succeeded; want %d %s: %s", status, code, message)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != message {
		t.Fatalf("got %s: %s\nwant %s: %s", ae.ErrorCode(), ae.ErrorMessage(), code, message)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("%s: HTTP status %d, want %d", code, re.HTTPStatusCode(), status)
	}
}

// must fails the test on an error and returns the value:
// must(c.GetRole(ctx, in))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// decoded undoes IAM's URL-encoding of policy documents, as SDK users must.
func decoded(t *testing.T, doc *string) string {
	t.Helper()
	s, err := url.QueryUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatalf("policy document is not URL-encoded: %v", err)
	}
	return s
}

func createRole(t *testing.T, c *iam.Client, name string, opts ...func(*iam.CreateRoleInput)) {
	t.Helper()
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)}
	for _, o := range opts {
		o(in)
	}
	if _, err := c.CreateRole(ctx, in); err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
}
