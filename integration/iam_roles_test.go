package integration

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestCreateAndGetRole(t *testing.T) {
	c := newIAM(t)
	out := must(c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("app"), Path: aws.String("/ecs/"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust),
		Description: aws.String("the app's task role"), MaxSessionDuration: aws.Int32(7200),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
	}))(t)
	r := out.Role
	if aws.ToString(r.Arn) != "arn:aws:iam::"+account+":role/ecs/app" || aws.ToString(r.Path) != "/ecs/" {
		t.Errorf("arn %s path %s", aws.ToString(r.Arn), aws.ToString(r.Path))
	}
	if id := aws.ToString(r.RoleId); !strings.HasPrefix(id, "AROA") || len(id) != 21 {
		t.Errorf("role id %q", id)
	}
	got := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t).Role
	if decoded(t, got.AssumeRolePolicyDocument) != ecsTasksTrust {
		t.Errorf("trust policy %q", decoded(t, got.AssumeRolePolicyDocument))
	}
	if aws.ToInt32(got.MaxSessionDuration) != 7200 || aws.ToString(got.Description) != "the app's task role" {
		t.Errorf("role %+v", got)
	}
	if got.RoleLastUsed == nil || got.RoleLastUsed.LastUsedDate != nil {
		t.Errorf("RoleLastUsed must be present and empty for an unused role: %+v", got.RoleLastUsed)
	}
	if len(got.Tags) != 1 || aws.ToString(got.Tags[0].Key) != "team" {
		t.Errorf("tags %+v", got.Tags)
	}
	if got.CreateDate == nil || !got.CreateDate.Equal(*r.CreateDate) {
		t.Errorf("create date %v vs %v", got.CreateDate, r.CreateDate)
	}
}

func TestRoleDefaults(t *testing.T) {
	c := newIAM(t)
	// AWS's CreateRole answer omits MaxSessionDuration, Description, Tags
	// and RoleLastUsed (recorded: test_create_describe_role); GetRole has
	// the default session duration.
	r := must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("plain"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)}))(t).Role
	if aws.ToString(r.Path) != "/" || r.MaxSessionDuration != nil || r.Description != nil || r.Tags != nil || r.RoleLastUsed != nil {
		t.Errorf("CreateRole shape %+v", r)
	}
	g := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("plain")}))(t).Role
	if aws.ToInt32(g.MaxSessionDuration) != 3600 || g.Description != nil || g.Tags != nil || g.RoleLastUsed == nil {
		t.Errorf("GetRole defaults %+v", g)
	}
}

func TestRoleErrors(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "Web")
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
	wantErr(t, err, 409, "EntityAlreadyExists", "Role with name web already exists.")

	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("nobody")})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name nobody cannot be found.")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("nobody")})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name nobody cannot be found.")
	_, err = c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("nobody"), Description: aws.String("x")})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name nobody cannot be found.")

	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(strings.Repeat("r", 65)), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64")

	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String("{not json")})
	wantErr(t, err, 400, "MalformedPolicyDocument", "This policy contains invalid Json")

	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("long"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust), MaxSessionDuration: aws.Int32(43201)})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200")

	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("nonsts"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`)})
	wantErr(t, err, 400, "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.")

	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("trustres"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`)})
	wantErr(t, err, 400, "MalformedPolicyDocument", "Has prohibited field Resource")

	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ghost"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:role/nobody"},"Action":"sts:AssumeRole"}]}`)})
	wantErr(t, err, 400, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::`+account+`:role/nobody"`)

	// A failed create leaves nothing behind.
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bad")})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name bad cannot be found.")
}

func TestUpdateRole(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "app")
	must(c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("app"), Description: aws.String("new"), MaxSessionDuration: aws.Int32(43200)}))(t)
	r := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t).Role
	if aws.ToString(r.Description) != "new" || aws.ToInt32(r.MaxSessionDuration) != 43200 {
		t.Errorf("after UpdateRole %+v", r)
	}
	d := must(c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("app"), Description: aws.String("newer")}))(t)
	if aws.ToString(d.Role.Description) != "newer" {
		t.Errorf("UpdateRoleDescription returned %+v", d.Role)
	}
	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	must(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(newTrust)}))(t)
	r = must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t).Role
	if decoded(t, r.AssumeRolePolicyDocument) != newTrust {
		t.Errorf("trust after update %s", decoded(t, r.AssumeRolePolicyDocument))
	}
	_, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String("[")})
	wantErr(t, err, 400, "MalformedPolicyDocument", "This policy contains invalid Json")
}

func TestListRolesPagination(t *testing.T) {
	c := newIAM(t)
	var want []string
	for i := 0; i < 7; i++ {
		name := fmt.Sprintf("svc-%02d", i)
		createRole(t, c, name, func(in *iam.CreateRoleInput) { in.Path = aws.String("/svc/") })
		want = append(want, name)
	}
	createRole(t, c, "other")
	var got []string
	pages := 0
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{PathPrefix: aws.String("/svc/"), MaxItems: aws.Int32(3)})
	for p.HasMorePages() {
		page := must(p.NextPage(ctx))(t)
		pages++
		for _, r := range page.Roles {
			got = append(got, aws.ToString(r.RoleName))
			if r.RoleLastUsed != nil || r.Tags != nil {
				t.Errorf("ListRoles returns neither RoleLastUsed nor Tags: %+v", r)
			}
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%d pages: %v", pages, got)
	}
	all := must(c.ListRoles(ctx, &iam.ListRolesInput{}))(t)
	if len(all.Roles) != 8 || all.IsTruncated {
		t.Errorf("all roles: %d truncated=%v", len(all.Roles), all.IsTruncated)
	}
}

func TestRoleTags(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "app")
	must(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []types.Tag{
		{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")}}}))(t)
	must(c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("app"), TagKeys: []string{"b"}}))(t)
	tags := must(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("app")}))(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "a" || aws.ToString(tags[0].Value) != "1" {
		t.Errorf("tags %+v", tags)
	}
	_, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("nobody"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name nobody cannot be found.")
	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
	}
	_, err = c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: many})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
}

func TestRoleInlinePolicies(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "app")
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("read"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	got := must(c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("read")}))(t)
	if decoded(t, got.PolicyDocument) != s3ReadPolicy || aws.ToString(got.RoleName) != "app" {
		t.Errorf("GetRolePolicy %+v", got)
	}
	names := must(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("app")}))(t).PolicyNames
	if len(names) != 1 || names[0] != "read" {
		t.Errorf("names %v", names)
	}
	_, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("write")})
	wantErr(t, err, 404, "NoSuchEntity", "The role policy with name write cannot be found.")
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`)})
	wantErr(t, err, 400, "MalformedPolicyDocument", "Policy document should not specify a principal.")
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`)})
	wantErr(t, err, 400, "MalformedPolicyDocument", "Policy statement must contain resources.")

	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	must(c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("read")}))(t)
	_, err = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("read")})
	wantErr(t, err, 404, "NoSuchEntity", "The role policy with name read cannot be found.")
	must(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")}))(t)
}

func TestRoleManagedPolicies(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "app")
	exec := "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(exec)}))(t)
	// Attaching twice is not an error and does not count twice.
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(exec)}))(t)
	att := must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app")}))(t).AttachedPolicies
	if len(att) != 1 || aws.ToString(att[0].PolicyName) != "AmazonECSTaskExecutionRolePolicy" || aws.ToString(att[0].PolicyArn) != exec {
		t.Errorf("attached %+v", att)
	}
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(exec)}))(t).Policy.AttachmentCount); n != 1 {
		t.Errorf("attachment count %d", n)
	}
	_, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete entity, must detach all policies first.")

	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::" + account + ":policy/nope")})
	wantErr(t, err, 404, "NoSuchEntity", "Policy arn:aws:iam::"+account+":policy/nope does not exist or is not attachable.")
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	wantErr(t, err, 404, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found.")

	must(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(exec)}))(t)
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(exec)}))(t).Policy.AttachmentCount); n != 0 {
		t.Errorf("attachment count after detach %d", n)
	}
}

func TestManagedPolicyQuotaPerRole(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "app")
	for i := 0; i < 11; i++ {
		arn := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%d", i)), PolicyDocument: aws.String(s3ReadPolicy)}))(t).Policy.Arn
		_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: arn})
		if i < 10 {
			must(0, err)(t)
			continue
		}
		wantErr(t, err, 409, "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10")
	}
}

func TestPermissionsBoundary(t *testing.T) {
	c := newIAM(t)
	boundary := "arn:aws:iam::aws:policy/PowerUserAccess"
	createRole(t, c, "bounded", func(in *iam.CreateRoleInput) { in.PermissionsBoundary = aws.String(boundary) })
	r := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bounded")}))(t).Role
	if r.PermissionsBoundary == nil || aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn) != boundary ||
		// AWS answers "Policy", not the model's enum value "PermissionsBoundaryPolicy".
		r.PermissionsBoundary.PermissionsBoundaryType != "Policy" {
		t.Fatalf("boundary %+v", r.PermissionsBoundary)
	}
	must(c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("bounded")}))(t)
	if r := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bounded")}))(t).Role; r.PermissionsBoundary != nil {
		t.Errorf("boundary still set: %+v", r.PermissionsBoundary)
	}
	missing := "arn:aws:iam::" + account + ":policy/nope"
	_, err := c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded"), PermissionsBoundary: aws.String(missing)})
	wantErr(t, err, 404, "NoSuchEntity", "Scope ARN: "+missing+" does not exist or is not attachable.")
	must(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded"), PermissionsBoundary: aws.String(boundary)}))(t)
}
