package doctor

import "testing"

// A fix grants the real ARNs, not the stand-ins the checks evaluate: a
// policy naming "TASK_ID" or "-XXXXXX" would pass rolecall's check and fail
// in AWS.
func TestPolicyResource(t *testing.T) {
	cases := []struct{ in, want string }{
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:worker/token-XXXXXX", "arn:aws:secretsmanager:us-east-1:123456789012:secret:worker/token-??????"},
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:log-stream:web/web/TASK_ID", "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:log-stream:web/web/*"},
		{"arn:aws:ecs:us-east-1:123456789012:container-instance/batch/INSTANCE_ID", "arn:aws:ecs:us-east-1:123456789012:container-instance/batch/*"},
		{"arn:aws:ssm:us-east-1:123456789012:parameter/prod/web/api-key", "arn:aws:ssm:us-east-1:123456789012:parameter/prod/web/api-key"},
		{"*", "*"},
	}
	for _, c := range cases {
		if got := policyResource(c.in); got != c.want {
			t.Errorf("policyResource(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

// The doctor's inline policy is extended, keeping the statements an earlier
// fix wrote.
func TestAddStatements(t *testing.T) {
	add := docFromNeeds([]need{{Action: "ssm:GetParameters", Resource: "arn:aws:ssm:us-east-1:123456789012:parameter/a"}})
	got, _ := addStatements(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, add)
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"arn:aws:ssm:us-east-1:123456789012:parameter/a"}]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got, _ := addStatements("not json", add); got != add.compact() {
		t.Errorf("unparsable: %s", got)
	}
}

// One role serving two purposes is created once: the later fix keeps only
// what it adds.
func TestDedupeCommands(t *testing.T) {
	create := "aws iam create-role --role-name ecsInfrastructureRole --assume-role-policy-document '{}'"
	roles := []*RoleCase{
		{Fixes: []Fix{{Summary: "create role ecsInfrastructureRole", Commands: []string{create, "aws iam attach-role-policy --role-name ecsInfrastructureRole --policy-arn A"}}}},
		{Fixes: []Fix{
			{Summary: "create role ecsInfrastructureRole", Commands: []string{create + " ", "aws iam attach-role-policy --role-name ecsInfrastructureRole --policy-arn B"}},
			{Summary: "pass", Commands: []string{"aws iam attach-role-policy --role-name ecsInfrastructureRole --policy-arn A"}},
		}},
	}
	dedupeCommands(roles)
	if got := roles[1].Fixes[0].Commands; len(got) != 1 || got[0] != "aws iam attach-role-policy --role-name ecsInfrastructureRole --policy-arn B" {
		t.Errorf("second fix: %q", got)
	}
	if s := roles[1].Fixes[0].Summary; s != "create role ecsInfrastructureRole (created by the commands above; these add the rest)" {
		t.Errorf("summary %q", s)
	}
	if f := roles[1].Fixes[1]; len(f.Commands) != 0 || f.Summary != "pass (the commands above do it)" {
		t.Errorf("duplicate: %+v", f)
	}
	if len(roles[0].Fixes[0].Commands) != 2 {
		t.Errorf("first fix changed: %q", roles[0].Fixes[0].Commands)
	}
}
