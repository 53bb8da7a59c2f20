package integration

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestCustomerManagedPolicyLifecycle(t *testing.T) {
	c := newIAM(t)
	p := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"), Path: aws.String("/team/"),
		PolicyDocument: aws.String(s3ReadPolicy), Description: aws.String("reads")}))(t).Policy
	arn := aws.ToString(p.Arn)
	if arn != "arn:aws:iam::"+account+":policy/team/read" || aws.ToString(p.DefaultVersionId) != "v1" ||
		aws.ToInt32(p.AttachmentCount) != 0 || !p.IsAttachable || len(aws.ToString(p.PolicyId)) != 21 {
		t.Errorf("created %+v", p)
	}
	_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("READ"), PolicyDocument: aws.String(s3ReadPolicy)})
	wantErr(t, err, 409, "EntityAlreadyExists", "A policy called READ already exists. Duplicate names are not allowed.")

	// Versions: at most five; the default cannot be deleted.
	for i := 2; i <= 5; i++ {
		v := must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: &arn, PolicyDocument: aws.String(s3ReadPolicy)}))(t).PolicyVersion
		if aws.ToString(v.VersionId) != fmt.Sprintf("v%d", i) || v.IsDefaultVersion {
			t.Errorf("version %+v", v)
		}
	}
	_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: &arn, PolicyDocument: aws.String(s3ReadPolicy)})
	wantErr(t, err, 409, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: &arn, VersionId: aws.String("v1")})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete the default version of a policy.")
	must(c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: &arn, VersionId: aws.String("v3")}))(t)
	must(c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: &arn, VersionId: aws.String("v1")}))(t)
	vs := must(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: &arn}))(t).Versions
	if len(vs) != 4 {
		t.Errorf("versions %d", len(vs))
	}
	for _, v := range vs {
		if v.IsDefaultVersion != (aws.ToString(v.VersionId) == "v3") {
			t.Errorf("default flag on %s: %v", aws.ToString(v.VersionId), v.IsDefaultVersion)
		}
	}
	got := must(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &arn, VersionId: aws.String("v3")}))(t).PolicyVersion
	if decoded(t, got.Document) != s3ReadPolicy || !got.IsDefaultVersion {
		t.Errorf("GetPolicyVersion %+v", got)
	}
	_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &arn, VersionId: aws.String("v1")})
	wantErr(t, err, 404, "NoSuchEntity", "Policy "+arn+" version v1 does not exist or is not attachable.")

	// An attached policy cannot be deleted.
	createRole(t, c, "app")
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: &arn}))(t)
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &arn})
	wantErr(t, err, 409, "DeleteConflict", "Cannot delete a policy attached to entities.")
	ents := must(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: &arn}))(t)
	if len(ents.PolicyRoles) != 1 || aws.ToString(ents.PolicyRoles[0].RoleName) != "app" {
		t.Errorf("entities %+v", ents.PolicyRoles)
	}
	must(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: &arn}))(t)

	// Non-default versions go first; the default goes with the policy.
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &arn})
	wantErr(t, err, 409, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, v := range []string{"v2", "v4", "v5"} {
		must(c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: &arn, VersionId: aws.String(v)}))(t)
	}
	must(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &arn}))(t)
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
	wantErr(t, err, 404, "NoSuchEntity", "Policy "+arn+" was not found.")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::" + account + ":policy/non-existent-policy")})
	wantErr(t, err, 404, "NoSuchEntity", "Policy arn:aws:iam::"+account+":policy/non-existent-policy was not found.")
}

func TestCreatePolicyMalformed(t *testing.T) {
	c := newIAM(t)
	cases := []struct{ doc, msg string }{
		{"not json", "Syntax errors in policy."},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, "Policy document must be version 2012-10-17 or greater."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`, "Policy statement must contain resources."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Policy statement must contain actions."},
	}
	for i, tc := range cases {
		_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("bad%d", i)), PolicyDocument: aws.String(tc.doc)})
		wantErr(t, err, 400, "MalformedPolicyDocument", tc.msg)
	}
}

func TestAWSManagedPolicies(t *testing.T) {
	c := newIAM(t)
	for _, tc := range []struct{ arn, path string }{
		{"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", "/service-role/"},
		{"arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy", "/aws-service-role/"},
		{"arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceRole", "/service-role/"},
		{"arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role", "/service-role/"},
	} {
		p := must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(tc.arn)}))(t).Policy
		if aws.ToString(p.Path) != tc.path || aws.ToString(p.Arn) != tc.arn || p.DefaultVersionId == nil {
			t.Errorf("%s: %+v", tc.arn, p)
		}
		v := must(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(tc.arn), VersionId: p.DefaultVersionId}))(t).PolicyVersion
		if doc := decoded(t, v.Document); len(doc) < 20 || doc[0] != '{' {
			t.Errorf("%s document %q", tc.arn, doc)
		}
	}
	_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	if err == nil {
		t.Error("deleting an AWS managed policy succeeded")
	}
	// Scope filters: AWS policies are many; Local ones are this account's.
	must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("mine"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	local := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}))(t)
	if len(local.Policies) != 1 || aws.ToString(local.Policies[0].PolicyName) != "mine" {
		t.Errorf("local %+v", local.Policies)
	}
	awsPage := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(100)}))(t)
	if len(awsPage.Policies) != 100 || !awsPage.IsTruncated || awsPage.Marker == nil {
		t.Errorf("AWS scope page: %d policies, truncated %v", len(awsPage.Policies), awsPage.IsTruncated)
	}
	createRole(t, c, "app")
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t)
	attached := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{OnlyAttached: true}))(t)
	if len(attached.Policies) != 1 || aws.ToString(attached.Policies[0].PolicyName) != "ReadOnlyAccess" {
		t.Errorf("only attached %+v", attached.Policies)
	}
}

func TestPolicyTags(t *testing.T) {
	c := newIAM(t)
	arn := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(s3ReadPolicy)}))(t).Policy.Arn
	must(c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))(t)
	tags := must(c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: arn}))(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Value) != "v" {
		t.Errorf("tags %+v", tags)
	}
	must(c.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"k"}}))(t)
	if tags := must(c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: arn}))(t).Tags; len(tags) != 0 {
		t.Errorf("tags after untag %+v", tags)
	}
}
