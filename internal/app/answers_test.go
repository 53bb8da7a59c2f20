package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// The role answers that are kept between requests (IAM's role cache and
// the query codec's stamped XML, issue 18) show every write in the very
// next answer, keep two accounts' same-named roles apart, and never stand
// in for authorization.

// roleSeen is what GetRole and ListRoles answer about one role, as the SDK
// reads it.
type roleSeen struct {
	get, list iamtypes.Role
}

func seeRole(t *testing.T, c *iam.Client, name string) roleSeen {
	t.Helper()
	ctx := context.Background()
	got := check[*iam.GetRoleOutput](t, "GetRole")(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}))
	out := roleSeen{get: *got.Role}
	lr := check[*iam.ListRolesOutput](t, "ListRoles")(c.ListRoles(ctx, &iam.ListRolesInput{}))
	n := 0
	for _, r := range lr.Roles {
		if aws.ToString(r.RoleName) == name {
			out.list, n = r, n+1
		}
	}
	if n != 1 {
		t.Fatalf("ListRoles shows %s %d times", name, n)
	}
	return out
}

// both asks what must hold of the role in GetRole's and ListRoles' answers,
// twice: the second answers come from what the first kept.
func both(t *testing.T, c *iam.Client, name, what string, ok func(r iamtypes.Role) bool) roleSeen {
	t.Helper()
	var s roleSeen
	for i := range 2 {
		s = seeRole(t, c, name)
		if !ok(s.get) {
			t.Fatalf("%s: GetRole (%d) shows %+v", what, i+1, s.get)
		}
		if !ok(s.list) {
			t.Fatalf("%s: ListRoles (%d) shows %+v", what, i+1, s.list)
		}
	}
	return s
}

func decoded(doc *string) string {
	s, _ := url.QueryUnescape(aws.ToString(doc))
	return s
}

func TestRoleAnswersShowEveryWrite(t *testing.T) {
	e := newResetEnv(t, Options{})
	ctx := context.Background()
	a, b := iam.NewFromConfig(e.cfg(acctA, "test")), iam.NewFromConfig(e.cfg(acctB, "test"))
	trustA := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acctA + `:root"},"Action":"sts:AssumeRole"}]}`
	trustB := strings.Replace(trustA, acctA, acctB, 1)
	for _, c := range []struct {
		cl          *iam.Client
		path, trust string
	}{{a, "/a/", trustA}, {b, "/b/", trustB}} {
		check[*iam.CreateRoleOutput](t, "CreateRole")(c.cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String(c.path),
			AssumeRolePolicyDocument: aws.String(c.trust), Description: aws.String("in " + c.path)}))
	}
	// The same name in two accounts: each account sees its own role.
	inB := func(r iamtypes.Role) bool {
		return aws.ToString(r.Arn) == "arn:aws:iam::"+acctB+":role/b/app" && aws.ToString(r.Description) == "in /b/" && decoded(r.AssumeRolePolicyDocument) == trustB
	}
	bBefore := both(t, b, "app", "account B's role", inB)
	both(t, a, "app", "account A's role", func(r iamtypes.Role) bool {
		return aws.ToString(r.Arn) == "arn:aws:iam::"+acctA+":role/a/app" && aws.ToString(r.Description) == "in /a/"
	})

	check[*iam.TagRoleOutput](t, "TagRole")(a.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}}))
	s := seeRole(t, a, "app")
	if len(s.get.Tags) != 1 || aws.ToString(s.get.Tags[0].Value) != "red" {
		t.Fatalf("after TagRole GetRole shows tags %+v", s.get.Tags)
	}
	check[*iam.TagRoleOutput](t, "TagRole")(a.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	if s := seeRole(t, a, "app"); len(s.get.Tags) != 1 || aws.ToString(s.get.Tags[0].Value) != "blue" {
		t.Fatalf("after the second TagRole GetRole shows tags %+v", s.get.Tags)
	}

	trust2 := strings.Replace(trustA, `"sts:AssumeRole"`, `["sts:AssumeRole","sts:TagSession"]`, 1)
	check[*iam.UpdateAssumeRolePolicyOutput](t, "UpdateAssumeRolePolicy")(a.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(trust2)}))
	both(t, a, "app", "after UpdateAssumeRolePolicy", func(r iamtypes.Role) bool { return decoded(r.AssumeRolePolicyDocument) == trust2 })

	check[*iam.UpdateRoleOutput](t, "UpdateRole")(a.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("app"), Description: aws.String("changed"), MaxSessionDuration: aws.Int32(7200)}))
	both(t, a, "app", "after UpdateRole", func(r iamtypes.Role) bool {
		return aws.ToString(r.Description) == "changed" && aws.ToInt32(r.MaxSessionDuration) == 7200
	})

	boundary := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	check[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(a.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(boundary)}))
	check[*iam.PutRolePermissionsBoundaryOutput](t, "PutRolePermissionsBoundary")(a.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("app"), PermissionsBoundary: aws.String(boundary)}))
	if s := seeRole(t, a, "app"); s.get.PermissionsBoundary == nil || aws.ToString(s.get.PermissionsBoundary.PermissionsBoundaryArn) != boundary {
		t.Fatalf("after PutRolePermissionsBoundary GetRole shows boundary %+v", s.get.PermissionsBoundary)
	}

	// Assumed by a user of the account: GetRole's RoleLastUsed says where.
	check[*iam.CreateUserOutput](t, "CreateUser")(a.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))
	check[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(a.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	key := check[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(a.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")})).AccessKey
	if s := seeRole(t, a, "app"); s.get.RoleLastUsed == nil || s.get.RoleLastUsed.LastUsedDate != nil {
		t.Fatalf("before AssumeRole GetRole shows RoleLastUsed %+v", s.get.RoleLastUsed)
	}
	dev := sts.NewFromConfig(e.cfg(aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey)))
	check[*sts.AssumeRoleOutput](t, "AssumeRole")(dev.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acctA + ":role/a/app"), RoleSessionName: aws.String("s1")}))
	if s := seeRole(t, a, "app"); s.get.RoleLastUsed == nil || s.get.RoleLastUsed.LastUsedDate == nil || aws.ToString(s.get.RoleLastUsed.Region) != "us-east-1" {
		t.Fatalf("after AssumeRole GetRole shows RoleLastUsed %+v", s.get.RoleLastUsed)
	}

	// Another path: deleted and created again, with its new ID.
	check[*iam.DeleteRolePermissionsBoundaryOutput](t, "DeleteRolePermissionsBoundary")(a.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("app")}))
	check[*iam.DetachRolePolicyOutput](t, "DetachRolePolicy")(a.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(boundary)}))
	check[*iam.DeleteRoleOutput](t, "DeleteRole")(a.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")}))
	again := check[*iam.CreateRoleOutput](t, "CreateRole")(a.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String("/c/"), AssumeRolePolicyDocument: aws.String(trustA)})).Role
	both(t, a, "app", "created again under /c/", func(r iamtypes.Role) bool {
		return aws.ToString(r.Path) == "/c/" && aws.ToString(r.Arn) == "arn:aws:iam::"+acctA+":role/c/app" && aws.ToString(r.RoleId) == aws.ToString(again.RoleId) &&
			r.Description == nil && len(r.Tags) == 0 && r.PermissionsBoundary == nil
	})

	// Account B's role, through all of it: as it was.
	if s := both(t, b, "app", "account B's role after A's writes", inB); aws.ToString(s.get.RoleId) != aws.ToString(bBefore.get.RoleId) || len(s.get.Tags) != 0 {
		t.Fatalf("account B's role changed: %+v", s.get)
	}
}

// TestRoleAnswersAuthorizedEachTime: a role's answer kept from the root's
// request is not given to a user whose policies do not allow the request.
func TestRoleAnswersAuthorizedEachTime(t *testing.T) {
	e := newResetEnv(t, Options{})
	ctx := context.Background()
	a := iam.NewFromConfig(e.cfg(acctA, "test"))
	check[*iam.CreateRoleOutput](t, "CreateRole")(a.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	seeRole(t, a, "app")
	check[*iam.CreateUserOutput](t, "CreateUser")(a.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("nobody")}))
	key := check[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(a.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})).AccessKey
	nobody := iam.NewFromConfig(e.cfg(aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey)))
	user := "arn:aws:iam::" + acctA + ":user/nobody"
	for _, c := range []struct {
		op   string
		call func() error
		msg  string
	}{
		{"GetRole", func() error {
			_, err := nobody.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
			return err
		}, "User: " + user + " is not authorized to perform: iam:GetRole on resource: role app because no identity-based policy allows the iam:GetRole action"},
		{"ListRoles", func() error {
			_, err := nobody.ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}, "User: " + user + " is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::" + acctA + ":role/ because no identity-based policy allows the iam:ListRoles action"},
	} {
		var ae smithy.APIError
		if err := c.call(); !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || ae.ErrorMessage() != c.msg {
			t.Errorf("%s by a user without permission: %v, want AccessDenied: %s", c.op, err, c.msg)
		}
	}
}

// TestRoleAnswersConcurrentWrites reads roles beside writers (for -race);
// once the writers are done, GetRole and ListRoles show each role's last
// write.
func TestRoleAnswersConcurrentWrites(t *testing.T) {
	e := newResetEnv(t, Options{})
	ctx := context.Background()
	a := iam.NewFromConfig(e.cfg(acctA, "test"))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for i := range 3 {
		check[*iam.CreateRoleOutput](t, "CreateRole")(a.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprint("r", i)), AssumeRolePolicyDocument: aws.String(trust)}))
	}
	var writers, readers sync.WaitGroup
	done := make(chan struct{})
	for i := range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := a.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(fmt.Sprint("r", i))}); err != nil {
					t.Error(err)
					return
				}
				if _, err := a.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 3 {
		writers.Go(func() {
			for n := range 20 {
				if _, err := a.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(fmt.Sprint("r", i)), Description: aws.String(fmt.Sprint("write ", n))}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	writers.Wait()
	close(done)
	readers.Wait()
	for i := range 3 {
		both(t, a, fmt.Sprint("r", i), "after the writers", func(r iamtypes.Role) bool { return aws.ToString(r.Description) == "write 19" })
	}
}
