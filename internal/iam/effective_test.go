package iam

import (
	"testing"
)

func TestPrincipalPolicies(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	f.group(t, "g")
	f.policy(t, "managed")
	f.policy(t, "bound")
	must(t, f.PutUserPolicy(ctx, acct, "u", "own", docS3))
	must(t, f.AttachUserPolicy(ctx, acct, "u", policyArnOf("managed")))
	must(t, f.AddUserToGroup(ctx, acct, "g", "u"))
	must(t, f.PutGroupPolicy(ctx, acct, "g", "team", docEC2))
	must(t, f.AttachGroupPolicy(ctx, acct, "g", ecsTaskExecution))
	must(t, f.PutUserPermissionsBoundary(ctx, acct, "u", policyArnOf("bound")))
	_, err := f.CreatePolicyVersion(ctx, acct, policyArnOf("managed"), docEC2, true)
	must(t, err)

	p, err := f.UserPolicies(ctx, acct, "u")
	must(t, err)
	if len(p.Identity) != 4 {
		t.Fatalf("identity policies = %+v", p.Identity)
	}
	own, managed, team, aws := p.Identity[0], p.Identity[1], p.Identity[2], p.Identity[3]
	if !own.Inline || own.PolicyName != "own" || own.Document != docS3 || own.Owner != "arn:aws:iam::000000000000:user/u" {
		t.Errorf("own = %+v", own)
	}
	if managed.Inline || managed.VersionId != "v2" || managed.Document != docEC2 || managed.PolicyArn != policyArnOf("managed") {
		t.Errorf("managed = %+v", managed)
	}
	if !team.Inline || team.Owner != "arn:aws:iam::000000000000:group/g" {
		t.Errorf("group inline = %+v", team)
	}
	if aws.PolicyArn != ecsTaskExecution || aws.Document == "" {
		t.Errorf("group AWS managed = %+v", aws)
	}
	if p.PermissionsBoundary == nil || p.PermissionsBoundary.PolicyArn != policyArnOf("bound") || p.PermissionsBoundary.Document != docS3 {
		t.Errorf("boundary = %+v", p.PermissionsBoundary)
	}

	f.role(t, "r")
	must(t, f.PutRolePolicy(ctx, acct, "r", "inline", docS3))
	rp, err := f.RolePolicies(ctx, acct, "r")
	must(t, err)
	if len(rp.Identity) != 1 || rp.PermissionsBoundary != nil {
		t.Errorf("role policies = %+v", rp)
	}
	gp, err := f.GroupPolicies(ctx, acct, "g")
	must(t, err)
	if len(gp.Identity) != 2 {
		t.Errorf("group policies = %+v", gp)
	}
	_, err = f.RolePolicies(ctx, acct, "missing")
	wantErr(t, err, "NoSuchEntity", 404, "The role with name missing cannot be found.")
}
