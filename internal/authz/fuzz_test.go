package authz

import (
	"errors"
	"testing"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
)

// FuzzAuthorize: whatever names, ids and ARNs a request carries, the
// authorizer answers allowed or AWS's AccessDenied, never a panic or an
// internal error.
func FuzzAuthorize(f *testing.F) {
	for _, s := range []string{"app", "", "arn:aws:iam::000000000000:role/x/y", "task/aws-service-role/ecs.amazonaws.com/R/1",
		"arn:aws:ecs:us-east-1:111122223333:cluster/c", "web:3", "arn:", ":", "/", "a/b/c:d"} {
		f.Add(s, s)
	}
	fx := newFixture(f, On)
	dev := fx.user(f, "dev", allow(`"*"`, "arn:aws:iam::*:role/a*"))
	f.Fuzz(func(t *testing.T, a, b string) {
		inputs := []struct {
			service, op string
			in          any
		}{
			{"iam", "GetRole", &roleName{a}},
			{"iam", "CreateRole", &createRole{Path: a, RoleName: b}},
			{"iam", "GetServiceLinkedRoleDeletionStatus", &struct{ DeletionTaskId string }{a}},
			{"iam", "GenerateServiceLastAccessedDetails", &struct{ Arn string }{a}},
			{"iam", "CreateServiceLinkedRole", &slrInput{a, b}},
			{"iam", "ListRoles", &pathPrefix{a}},
			{"ecs", "StopTask", &types.StopTaskRequest{Cluster: a, Task: b}},
			{"ecs", "RunTask", &types.RunTaskRequest{Cluster: a, TaskDefinition: b}},
			{"ecs", "TagResource", &types.TagResourceRequest{ResourceArn: a, Tags: []types.Tag{{Key: b, Value: a}}}},
			{"ecs", "DescribeServices", &types.DescribeServicesRequest{Cluster: a, Services: []string{b, a}}},
		}
		for _, in := range inputs {
			_, err := fx.authorize(dev, in.service, in.op, in.in)
			var e *awserr.Error
			if err != nil && (!errors.As(err, &e) || (e.Code != "AccessDenied" && e.Code != "AccessDeniedException")) {
				t.Fatalf("%s:%s(%q, %q): %v", in.service, in.op, a, b, err)
			}
		}
	})
}
