package integration

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// roleListed is the account's role named name as ListRoles shows it, nil
// when it does not.
func roleListed(t *testing.T, c *iam.Client, name string) *iamtypes.Role {
	t.Helper()
	for _, r := range must(c.ListRoles(ctx, &iam.ListRolesInput{}))(t).Roles {
		if aws.ToString(r.RoleName) == name {
			return &r
		}
	}
	return nil
}

// TestRoleAnswersFollowServiceLinkedRoles: the role answers IAM keeps
// (GetRole's and ListRoles', issue 18) follow a service-linked role that
// ECS makes, that a deletion task deletes, and that ECS makes again with a
// new ID under the same path and name: no answer kept from the first role
// stands in for the second, or for none.
func TestRoleAnswersFollowServiceLinkedRoles(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("a")}))(t)
	var first string
	for range 2 { // the second answers are the kept ones
		got := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)}))(t).Role
		first = aws.ToString(got.RoleId)
		if l := roleListed(t, e.iam, slrECS); l == nil || aws.ToString(l.RoleId) != first || aws.ToString(l.Path) != "/aws-service-role/ecs.amazonaws.com/" {
			t.Fatalf("ListRoles shows %+v, GetRole %s", l, first)
		}
	}
	must(e.ecs.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("a")}))(t)
	if st := e.deleteSLR(t, slrECS); st.Status != iamtypes.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("deletion task %+v", st)
	}
	_, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)})
	wantErr(t, err, http.StatusNotFound, "NoSuchEntity", "The role with name "+slrECS+" cannot be found.")
	if l := roleListed(t, e.iam, slrECS); l != nil {
		t.Fatalf("ListRoles still shows the deleted role %+v", l)
	}
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("b")}))(t)
	again := aws.ToString(must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrECS)}))(t).Role.RoleId)
	if again == first {
		t.Fatalf("the role made again has the first one's ID %s", first)
	}
	if l := roleListed(t, e.iam, slrECS); l == nil || aws.ToString(l.RoleId) != again {
		t.Fatalf("ListRoles shows %+v, want role ID %s", l, again)
	}
}

// TestRoleAnswersFollowStateImport: an account reset and a state file
// imported into it, whose role of the same name and path says something
// else and trusts a user the file makes again elsewhere, answer what the
// file says, not what was kept from the role before.
func TestRoleAnswersFollowStateImport(t *testing.T) {
	rc := rolecalltest.RunT(t, rolecalltest.WithAllowReset())
	c := iam.NewFromConfig(rc.Config)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev"), Path: aws.String("/a/")}))(t)
	trust := strings.Replace(userTrustTemplate, "user/USER", "user/a/dev", 1)
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust), Description: aws.String("before")}))(t)
	file := string(exportState(t, rc))
	for range 2 {
		if r := roleListed(t, c, "app"); r == nil || aws.ToString(r.Description) != "before" {
			t.Fatalf("ListRoles shows %+v", r)
		}
		must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t)
	}
	edited := strings.NewReplacer(`"before"`, `"after"`, `"/a/"`, `"/b/"`, `user/a/dev`, `user/b/dev`).Replace(file)
	must(0, rc.Reset(ctx, account))(t)
	if status, body := stateRequest(t, rc, http.MethodPost, []byte(edited), rootCreds); status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	want := strings.Replace(trust, "user/a/dev", "user/b/dev", 1)
	for range 2 {
		r := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t).Role
		l := roleListed(t, c, "app")
		if l == nil {
			t.Fatal("ListRoles does not show the imported role")
		}
		for _, got := range []*iamtypes.Role{r, l} {
			if doc, _ := url.QueryUnescape(aws.ToString(got.AssumeRolePolicyDocument)); aws.ToString(got.Description) != "after" || doc != want {
				t.Fatalf("after the import: %s %s", aws.ToString(got.Description), doc)
			}
		}
	}
}
