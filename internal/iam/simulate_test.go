package iam

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/arn"
)

// The AWS CLI's examples for simulate-custom-policy (awscli/examples/iam):
// a policy allowing dynamodb:* after a date, simulated at a later and an
// earlier aws:CurrentTime.
const cliExamplePolicy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`

func at(line, col int32) *StatementPosition { return &StatementPosition{Line: line, Column: col} }

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantResults(t *testing.T, got, want []EvaluationResult) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results\n got %s\nwant %s", jsonOf(t, got), jsonOf(t, want))
	}
}

func TestSimulateCustomPolicyCLIExamples(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name    string
		context []ContextEntry
		want    EvaluationResult
	}{{
		name:    "example 1: allowed after the date",
		context: []ContextEntry{{ContextKeyName: "aws:CurrentTime", ContextKeyValues: []string{"2019-04-25T11:00:00Z"}, ContextKeyType: "date"}},
		want: EvaluationResult{
			EvalActionName: "dynamodb:CreateBackup", EvalResourceName: "*", EvalDecision: "allowed",
			MatchedStatements:    []MatchedStatement{{SourcePolicyId: "PolicyInputList.1", SourcePolicyType: "IAM Policy", StartPosition: at(1, 38), EndPosition: at(1, 167)}},
			MissingContextValues: []string{},
		},
	}, {
		name:    "example 2: denied before the date",
		context: []ContextEntry{{ContextKeyName: "aws:CurrentTime", ContextKeyValues: []string{"2014-04-25T11:00:00Z"}, ContextKeyType: "date"}},
		want: EvaluationResult{
			EvalActionName: "dynamodb:CreateBackup", EvalResourceName: "*", EvalDecision: "implicitDeny",
			MatchedStatements: []MatchedStatement{}, MissingContextValues: []string{},
		},
	}, {
		name: "no aws:CurrentTime: the key is missing",
		want: EvaluationResult{
			EvalActionName: "dynamodb:CreateBackup", EvalResourceName: "*", EvalDecision: "implicitDeny",
			MatchedStatements: []MatchedStatement{}, MissingContextValues: []string{"aws:CurrentTime"},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, next, err := f.SimulateCustomPolicy(ctx, acct, SimulateInput{
				PolicyInputList: []string{cliExamplePolicy},
				ActionNames:     []string{"dynamodb:CreateBackup"},
				ContextEntries:  tc.context,
			}, Page{})
			must(t, err)
			if next != "" {
				t.Errorf("marker %q", next)
			}
			wantResults(t, got, []EvaluationResult{tc.want})
		})
	}
}

// The AWS CLI's examples for simulate-principal-policy
// (awscli/examples/iam/simulate-principal-policy.rst), for the user
// alejandro:
//  1. a policy allowing only codecommit:ListRepositories, pretty-printed:
//     allowed, the statement reported from {3, 19} to {9, 10} of the policy
//     named Grant-Access-To-CodeCommit-ListRepo;
//  2. a policy allowing DynamoDB only after a date, simulated with an
//     earlier aws:CurrentTime: implicitDeny, nothing matched, nothing
//     missing.
//
// The examples' output predates SourcePolicyType; rolecall sends it, as
// AWS does today (LocalStack's recording, TestSimulatePrincipalPolicyRecorded).
func TestSimulatePrincipalPolicyCLIExamples(t *testing.T) {
	const codecommit = "{\n" +
		"    \"Version\": \"2012-10-17\",\n" +
		"    \"Statement\": [\n" +
		"        {\n" +
		"            \"Sid\": \"ListRepositories\",\n" +
		"            \"Effect\": \"Allow\",\n" +
		"            \"Action\": \"codecommit:ListRepositories\",\n" +
		"            \"Resource\": \"*\"\n" +
		"        }\n" +
		"    ]\n" +
		"}"
	f := newFixture(t)
	f.user(t, "alejandro")
	for name, doc := range map[string]string{"Grant-Access-To-CodeCommit-ListRepo": codecommit, "DynamoDBAfterDate": cliExamplePolicy} {
		_, err := f.CreatePolicy(ctx, acct, CreatePolicyInput{PolicyName: name, PolicyDocument: doc})
		must(t, err)
		must(t, f.AttachUserPolicy(ctx, acct, "alejandro", policyArnOf(name)))
	}
	for _, tc := range []struct {
		name    string
		action  string
		context []ContextEntry
		want    EvaluationResult
	}{{
		name:   "example 1: allowed by the CodeCommit policy",
		action: "codecommit:ListRepositories",
		want: EvaluationResult{
			EvalActionName: "codecommit:ListRepositories", EvalResourceName: "*", EvalDecision: "allowed",
			MatchedStatements:    []MatchedStatement{{SourcePolicyId: "Grant-Access-To-CodeCommit-ListRepo", SourcePolicyType: "IAM Policy", StartPosition: at(3, 19), EndPosition: at(9, 10)}},
			MissingContextValues: []string{},
		},
	}, {
		name:    "example 2: denied before the date",
		action:  "dynamodb:CreateBackup",
		context: []ContextEntry{{ContextKeyName: "aws:CurrentTime", ContextKeyValues: []string{"2018-04-25T11:00:00Z"}, ContextKeyType: "date"}},
		want: EvaluationResult{
			EvalActionName: "dynamodb:CreateBackup", EvalResourceName: "*", EvalDecision: "implicitDeny",
			MatchedStatements: []MatchedStatement{}, MissingContextValues: []string{},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, next, err := f.SimulatePrincipalPolicy(ctx, acct, SimulateInput{
				PolicySourceArn: "arn:aws:iam::" + acct + ":user/alejandro",
				ActionNames:     []string{tc.action},
				ContextEntries:  tc.context,
			}, Page{})
			must(t, err)
			if next != "" {
				t.Errorf("marker %q", next)
			}
			wantResults(t, got, []EvaluationResult{tc.want})
		})
	}
}

// LocalStack's recording of AWS (test_simulate_principle_policy, in
// ../shared/data/aws-recorded): a managed policy attached to a role, a
// group or a user; s3:PutObject allowed on the bucket with the statement's
// place, s3:GetObjectVersion implicitly denied, each with its
// ResourceSpecificResults.
func TestSimulatePrincipalPolicyRecorded(t *testing.T) {
	const doc = `{"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}`
	const bucket = "arn:aws:s3:::bucket"
	allow := []MatchedStatement{{SourcePolicyId: "sim", SourcePolicyType: "IAM Policy", StartPosition: at(1, 41), EndPosition: at(1, 113)}}
	want := []EvaluationResult{{
		EvalActionName: "s3:PutObject", EvalResourceName: bucket, EvalDecision: "allowed",
		MatchedStatements: allow, MissingContextValues: []string{}, EvalDecisionDetails: map[string]string{},
		ResourceSpecificResults: []ResourceSpecificResult{{EvalResourceName: bucket, EvalResourceDecision: "allowed", MatchedStatements: allow, MissingContextValues: []string{}}},
	}, {
		EvalActionName: "s3:GetObjectVersion", EvalResourceName: bucket, EvalDecision: "implicitDeny",
		MatchedStatements: []MatchedStatement{}, MissingContextValues: []string{}, EvalDecisionDetails: map[string]string{},
		ResourceSpecificResults: []ResourceSpecificResult{{EvalResourceName: bucket, EvalResourceDecision: "implicitDeny", MatchedStatements: []MatchedStatement{}, MissingContextValues: []string{}}},
	}}
	f := newFixture(t)
	_, err := f.CreatePolicy(ctx, acct, CreatePolicyInput{PolicyName: "sim", PolicyDocument: doc})
	must(t, err)
	f.role(t, "r")
	f.group(t, "g")
	f.user(t, "u")
	must(t, f.AttachRolePolicy(ctx, acct, "r", policyArnOf("sim")))
	must(t, f.AttachGroupPolicy(ctx, acct, "g", policyArnOf("sim")))
	must(t, f.AttachUserPolicy(ctx, acct, "u", policyArnOf("sim")))
	for _, src := range []string{"role/r", "group/g", "user/u"} {
		t.Run(src, func(t *testing.T) {
			got, _, err := f.SimulatePrincipalPolicy(ctx, acct, SimulateInput{
				PolicySourceArn: "arn:aws:iam::" + acct + ":" + src,
				ActionNames:     []string{"s3:PutObject", "s3:GetObjectVersion"},
				ResourceArns:    []string{bucket},
			}, Page{})
			must(t, err)
			wantResults(t, got, want)
		})
	}
}

func TestSimulatePrincipalPolicySources(t *testing.T) {
	f := newFixture(t)
	f.role(t, "app")
	must(t, f.PutRolePolicy(ctx, acct, "app", "ecs_execution_secrets", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"ssm:*","Resource":"*"}}`))
	must(t, f.AttachRolePolicy(ctx, acct, "app", ecsTaskExecution))
	f.user(t, "u")
	f.group(t, "g")
	must(t, f.AddUserToGroup(ctx, acct, "g", "u"))
	must(t, f.PutGroupPolicy(ctx, acct, "g", "team", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}}`))
	must(t, f.PutUserPolicy(ctx, acct, "u", "own", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`))

	decisions := func(t *testing.T, src string, actionNames ...string) map[string]EvaluationResult {
		t.Helper()
		got, _, err := f.SimulatePrincipalPolicy(ctx, acct, SimulateInput{PolicySourceArn: "arn:aws:iam::" + acct + ":" + src, ActionNames: actionNames}, Page{})
		must(t, err)
		out := map[string]EvaluationResult{}
		for _, r := range got {
			out[r.EvalActionName] = r
		}
		return out
	}
	t.Run("role: managed and inline", func(t *testing.T) {
		got := decisions(t, "role/app", "ecr:GetAuthorizationToken", "s3:GetObject", "ssm:GetParameters")
		if r := got["ecr:GetAuthorizationToken"]; r.EvalDecision != "allowed" || len(r.MatchedStatements) != 1 || r.MatchedStatements[0].SourcePolicyId != "AmazonECSTaskExecutionRolePolicy" {
			t.Errorf("ecr:GetAuthorizationToken = %s", jsonOf(t, r))
		}
		if r := got["s3:GetObject"]; r.EvalDecision != "implicitDeny" {
			t.Errorf("s3:GetObject = %s", jsonOf(t, r))
		}
		// A role's inline policy is role_ROLE_POLICY (a recorded answer:
		// "role_ecs-task-execution-role-ce-grp-4r_ecs_execution_secrets"),
		// its statement from just after its '{' to just after its '}'.
		want := []MatchedStatement{{SourcePolicyId: "role_app_ecs_execution_secrets", SourcePolicyType: "IAM Policy", StartPosition: at(1, 38), EndPosition: at(1, 86)}}
		if r := got["ssm:GetParameters"]; r.EvalDecision != "explicitDeny" || !reflect.DeepEqual(r.MatchedStatements, want) {
			t.Errorf("ssm:GetParameters = %s", jsonOf(t, r))
		}
	})
	t.Run("user: own and its groups' policies", func(t *testing.T) {
		got := decisions(t, "user/u", "s3:ListBucket", "ec2:DescribeInstances", "iam:ListRoles")
		if r := got["s3:ListBucket"]; r.EvalDecision != "allowed" || r.MatchedStatements[0].SourcePolicyId != "user_u_own" {
			t.Errorf("s3:ListBucket = %s", jsonOf(t, r))
		}
		if r := got["ec2:DescribeInstances"]; r.EvalDecision != "allowed" || r.MatchedStatements[0].SourcePolicyId != "group_g_team" {
			t.Errorf("ec2:DescribeInstances = %s", jsonOf(t, r))
		}
		if r := got["iam:ListRoles"]; r.EvalDecision != "implicitDeny" {
			t.Errorf("iam:ListRoles = %s", jsonOf(t, r))
		}
	})
	t.Run("group: its own only", func(t *testing.T) {
		got := decisions(t, "group/g", "s3:ListBucket", "ec2:DescribeInstances")
		if got["s3:ListBucket"].EvalDecision != "implicitDeny" || got["ec2:DescribeInstances"].EvalDecision != "allowed" {
			t.Errorf("group = %s", jsonOf(t, got))
		}
	})
	t.Run("input policies after the entity's", func(t *testing.T) {
		got, _, err := f.SimulatePrincipalPolicy(ctx, acct, SimulateInput{
			PolicySourceArn: "arn:aws:iam::" + acct + ":role/app",
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`},
			ActionNames:     []string{"s3:GetObject"},
		}, Page{})
		must(t, err)
		if r := got[0]; r.EvalDecision != "allowed" || r.MatchedStatements[0].SourcePolicyId != "PolicyInputList.1" {
			t.Errorf("s3:GetObject = %s", jsonOf(t, r))
		}
	})
}

func TestSimulateBoundary(t *testing.T) {
	const identity = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*","iam:*"],"Resource":"*"}}`
	const bound = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	f := newFixture(t)
	_, err := f.CreatePolicy(ctx, acct, CreatePolicyInput{PolicyName: "bound", PolicyDocument: bound})
	must(t, err)
	f.role(t, "r")
	must(t, f.PutRolePolicy(ctx, acct, "r", "all", identity))
	must(t, f.PutRolePermissionsBoundary(ctx, acct, "r", policyArnOf("bound")))

	got, _, err := f.SimulatePrincipalPolicy(ctx, acct, SimulateInput{
		PolicySourceArn: "arn:aws:iam::" + acct + ":role/r",
		ActionNames:     []string{"s3:GetObject", "iam:CreateRole"},
	}, Page{})
	must(t, err)
	s3, iam := got[0], got[1]
	if s3.EvalDecision != "allowed" || !s3.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("s3:GetObject = %s", jsonOf(t, s3))
	}
	wantStmts := []MatchedStatement{
		{SourcePolicyId: "role_r_all", SourcePolicyType: "IAM Policy", StartPosition: at(1, 38), EndPosition: at(1, 96)},
		{SourcePolicyId: "bound", SourcePolicyType: "Permissions Boundary Policy", StartPosition: at(1, 38), EndPosition: at(1, 86)},
	}
	if !reflect.DeepEqual(s3.MatchedStatements, wantStmts) {
		t.Errorf("s3:GetObject statements = %s", jsonOf(t, s3.MatchedStatements))
	}
	if iam.EvalDecision != "implicitDeny" || iam.PermissionsBoundaryDecisionDetail == nil || iam.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("iam:CreateRole = %s", jsonOf(t, iam))
	}

	// An input boundary replaces the entity's.
	got, _, err = f.SimulatePrincipalPolicy(ctx, acct, SimulateInput{
		PolicySourceArn:                    "arn:aws:iam::" + acct + ":role/r",
		PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`},
		ActionNames:                        []string{"s3:GetObject", "iam:CreateRole"},
	}, Page{})
	must(t, err)
	if got[0].EvalDecision != "implicitDeny" || got[1].EvalDecision != "allowed" || got[1].MatchedStatements[1].SourcePolicyId != "PermissionsBoundaryPolicyInputList.1" {
		t.Errorf("input boundary = %s", jsonOf(t, got))
	}
	_, _, err = f.SimulateCustomPolicy(ctx, acct, SimulateInput{
		PolicyInputList:                    []string{identity},
		PermissionsBoundaryPolicyInputList: []string{bound, bound},
		ActionNames:                        []string{"s3:GetObject"},
	}, Page{})
	wantErr(t, err, "InvalidInput", 400, "The list of Permissions Boundary policies cannot exceed 1 items.")
}

func TestSimulateResourcePolicy(t *testing.T) {
	const user = "arn:aws:iam::" + acct + ":user/dev"
	const object = "arn:aws:s3:::b/key"
	rp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + user + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}]}`
	allowAll := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	none := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}}`
	f := newFixture(t)
	sim := func(in SimulateInput) EvaluationResult {
		t.Helper()
		got, _, err := f.SimulateCustomPolicy(ctx, acct, in, Page{})
		must(t, err)
		return got[0]
	}

	// Same account: the resource policy naming the user allows alone.
	r := sim(SimulateInput{PolicyInputList: []string{none}, ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{object}, ResourcePolicy: rp, CallerArn: user})
	if r.EvalDecision != "allowed" || r.MatchedStatements[0].SourcePolicyId != "ResourcePolicy" || r.MatchedStatements[0].SourcePolicyType != "Resource Policy" {
		t.Errorf("same account = %s", jsonOf(t, r))
	}
	if r.EvalDecisionDetails == nil || len(r.EvalDecisionDetails) != 0 {
		t.Errorf("same account EvalDecisionDetails = %v, want present and empty", r.EvalDecisionDetails)
	}
	// An explicit deny lists the Deny and the Allow, resource policy first.
	r = sim(SimulateInput{PolicyInputList: []string{allowAll}, ActionNames: []string{"s3:DeleteObject"}, ResourceArns: []string{object}, ResourcePolicy: rp, CallerArn: user})
	if r.EvalDecision != "explicitDeny" || len(r.MatchedStatements) != 2 || r.MatchedStatements[0].SourcePolicyId != "ResourcePolicy" || r.MatchedStatements[1].SourcePolicyId != "PolicyInputList.1" {
		t.Errorf("explicit deny = %s", jsonOf(t, r))
	}
	// Cross account (ResourceOwner): both sides must allow; the details
	// say what each policy type answered.
	r = sim(SimulateInput{PolicyInputList: []string{none}, ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{object}, ResourcePolicy: rp, CallerArn: user, ResourceOwner: "arn:aws:iam::111122223333:root"})
	wantDetails := map[string]string{"IAM Policy": "implicitDeny", "Resource Policy": "allowed"}
	if r.EvalDecision != "implicitDeny" || !reflect.DeepEqual(r.EvalDecisionDetails, wantDetails) || !reflect.DeepEqual(r.ResourceSpecificResults[0].EvalDecisionDetails, wantDetails) {
		t.Errorf("cross account = %s", jsonOf(t, r))
	}
	r = sim(SimulateInput{PolicyInputList: []string{allowAll}, ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{object}, ResourcePolicy: rp, CallerArn: user, ResourceOwner: "111122223333"})
	if r.EvalDecision != "allowed" || r.EvalDecisionDetails["IAM Policy"] != "allowed" {
		t.Errorf("cross account, both allow = %s", jsonOf(t, r))
	}
	// "Simulation of resource-based policies isn't supported for IAM
	// roles": a Deny trust policy is not evaluated for the role.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"` + user + `"},"Action":"sts:AssumeRole"}]}`
	r = sim(SimulateInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`}, ActionNames: []string{"sts:AssumeRole"}, ResourceArns: []string{"arn:aws:iam::" + acct + ":role/target"}, ResourcePolicy: trust, CallerArn: user})
	if r.EvalDecision != "allowed" {
		t.Errorf("role resource = %s", jsonOf(t, r))
	}

	// A resource policy needs an IAM user as the caller.
	_, _, err := f.SimulateCustomPolicy(ctx, acct, SimulateInput{PolicyInputList: []string{none}, ActionNames: []string{"s3:GetObject"}, ResourcePolicy: rp}, Page{})
	wantErr(t, err, "InvalidInput", 400, "Invalid caller - Caller must be an IAM user in this context.")
	_, _, err = f.SimulateCustomPolicy(ctx, acct, SimulateInput{PolicyInputList: []string{none}, ActionNames: []string{"s3:GetObject"}, ResourcePolicy: rp, CallerArn: "arn:aws:iam::" + acct + ":role/r"}, Page{})
	wantErr(t, err, "InvalidInput", 400, "Invalid caller - Caller must be an IAM user in this context.")
	f.role(t, "r")
	_, _, err = f.SimulatePrincipalPolicy(ctx, acct, SimulateInput{PolicySourceArn: "arn:aws:iam::" + acct + ":role/r", ActionNames: []string{"s3:GetObject"}, ResourcePolicy: rp}, Page{})
	wantErr(t, err, "InvalidInput", 400, "Invalid caller - Caller must be an IAM user in this context.")
	_, _, err = f.SimulateCustomPolicy(ctx, acct, SimulateInput{PolicyInputList: []string{none}, ActionNames: []string{"s3:GetObject"}, ResourceOwner: "123456789012-x"}, Page{})
	wantErr(t, err, "InvalidInput", 400, "'123456789012-x' is not a valid as a Resource Owner.")
	// A resource is named by its ARN, or "*".
	_, _, err = f.SimulatePrincipalPolicy(ctx, acct, SimulateInput{PolicySourceArn: "arn:aws:iam::" + acct + ":role/r", ActionNames: []string{"kms:Decrypt"}, ResourceArns: []string{"arn:aws:kms:us-east-1:" + acct + ":key/*", "14a050d4-021e-4efe-84bb-0871bf6d0fda"}}, Page{})
	wantErr(t, err, "InvalidInput", 400, "ResourceNames are not in a valid ARN format: 14a050d4-021e-4efe-84bb-0871bf6d0fda.")
	// A resource policy is parsed as one: it must name a Principal.
	_, _, err = f.SimulateCustomPolicy(ctx, acct, SimulateInput{PolicyInputList: []string{none}, ActionNames: []string{"s3:GetObject"}, ResourcePolicy: allowAll, CallerArn: user}, Page{})
	wantErr(t, err, "MalformedPolicyDocument", 400, "Missing required field Principal")
}

// Several resources: one result per action, an aggregate at the top under
// the resource type's template, each resource's own answer beneath.
func TestSimulateSeveralResources(t *testing.T) {
	f := newFixture(t)
	got, _, err := f.SimulateCustomPolicy(ctx, acct, SimulateInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::good/*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::bad/*"}]}`},
		ActionNames:     []string{"s3:GetObject", "s3:PutObject"},
		ResourceArns:    []string{"arn:aws:s3:::good/example", "arn:aws:s3:::bad/example", "arn:aws:s3:::other/example"},
	}, Page{})
	must(t, err)
	if len(got) != 2 {
		t.Fatalf("%d results, want 2", len(got))
	}
	get := got[0]
	if get.EvalResourceName != "arn:aws:s3:::${BucketName}/${ObjectName}" || get.EvalDecision != "explicitDeny" || len(get.MatchedStatements) != 0 || get.MissingContextValues == nil {
		t.Errorf("aggregate = %s", jsonOf(t, get))
	}
	var decisions []string
	for _, r := range get.ResourceSpecificResults {
		decisions = append(decisions, r.EvalResourceName+"="+r.EvalResourceDecision)
	}
	want := []string{"arn:aws:s3:::good/example=allowed", "arn:aws:s3:::bad/example=explicitDeny", "arn:aws:s3:::other/example=implicitDeny"}
	if !reflect.DeepEqual(decisions, want) {
		t.Errorf("resource decisions = %v, want %v", decisions, want)
	}
	if got[1].EvalDecision != "implicitDeny" || len(got[1].ResourceSpecificResults) != 3 {
		t.Errorf("s3:PutObject = %s", jsonOf(t, got[1]))
	}
}

func TestSimulatePaging(t *testing.T) {
	f := newFixture(t)
	in := SimulateInput{PolicyInputList: []string{docS3}, ActionNames: []string{"s3:ListBucket", "sqs:ListQueues", "iam:ListRoles"}}
	var seen []string
	p := Page{MaxItems: 2}
	for i := 0; ; i++ {
		got, next, err := f.SimulateCustomPolicy(ctx, acct, in, p)
		must(t, err)
		for _, r := range got {
			seen = append(seen, r.EvalActionName+"="+r.EvalDecision)
		}
		if next == "" {
			break
		}
		if i > 3 {
			t.Fatal("paging does not end")
		}
		p.Marker = next
	}
	want := []string{"s3:ListBucket=allowed", "sqs:ListQueues=implicitDeny", "iam:ListRoles=implicitDeny"}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("pages = %v, want %v", seen, want)
	}
}

func TestSimulateContextTypes(t *testing.T) {
	f := newFixture(t)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"},"NumericLessThan":{"s3:max-keys":"10"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}}}`
	sim := func(entries ...ContextEntry) (string, error) {
		got, _, err := f.SimulateCustomPolicy(ctx, acct, SimulateInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:ListBucket"}, ContextEntries: entries}, Page{})
		if err != nil {
			return "", err
		}
		return got[0].EvalDecision, nil
	}
	ok := []ContextEntry{
		{ContextKeyName: "aws:SecureTransport", ContextKeyValues: []string{"TRUE"}, ContextKeyType: "boolean"},
		{ContextKeyName: "s3:max-keys", ContextKeyValues: []string{"5"}, ContextKeyType: "numeric"},
		{ContextKeyName: "aws:SourceIp", ContextKeyValues: []string{"10.1.2.3"}, ContextKeyType: "ip"},
		{ContextKeyName: "aws:TagKeys", ContextKeyValues: []string{"a", "b"}, ContextKeyType: "stringList"},
	}
	if d, err := sim(ok...); err != nil || d != "allowed" {
		t.Errorf("typed context = %s, %v", d, err)
	}
	for _, tc := range []struct {
		entry ContextEntry
		msg   string
	}{
		{ContextEntry{ContextKeyName: "s3:max-keys", ContextKeyValues: []string{"ten"}, ContextKeyType: "numeric"}, "Invalid value ten for context key s3:max-keys of type numeric."},
		{ContextEntry{ContextKeyName: "aws:SecureTransport", ContextKeyValues: []string{"yes"}, ContextKeyType: "boolean"}, "Invalid value yes for context key aws:SecureTransport of type boolean."},
		{ContextEntry{ContextKeyName: "aws:SourceIp", ContextKeyValues: []string{"10.1"}, ContextKeyType: "ipList"}, "Invalid value 10.1 for context key aws:SourceIp of type ipList."},
		{ContextEntry{ContextKeyName: "aws:CurrentTime", ContextKeyValues: []string{"yesterday"}, ContextKeyType: "date"}, "Invalid value yesterday for context key aws:CurrentTime of type date."},
		{ContextEntry{ContextKeyName: "aws:x", ContextKeyValues: []string{"%%"}, ContextKeyType: "binary"}, "Invalid value %% for context key aws:x of type binary."},
	} {
		_, err := sim(tc.entry)
		wantErr(t, err, "InvalidInput", 400, tc.msg)
	}
}

func TestSimulateErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name            string
		in              SimulateInput
		code, msg       string
		status          int
		custom, keysToo bool
	}{
		{name: "unknown role", in: SimulateInput{PolicySourceArn: "arn:aws:iam::" + acct + ":role/nope"}, code: "NoSuchEntity", status: 404, msg: "The role with name nope cannot be found.", keysToo: true},
		{name: "unknown user", in: SimulateInput{PolicySourceArn: "arn:aws:iam::" + acct + ":user/path/nope"}, code: "NoSuchEntity", status: 404, msg: "The user with name nope cannot be found.", keysToo: true},
		{name: "unknown group", in: SimulateInput{PolicySourceArn: "arn:aws:iam::" + acct + ":group/nope"}, code: "NoSuchEntity", status: 404, msg: "The group with name nope cannot be found.", keysToo: true},
		{name: "another account's role", in: SimulateInput{PolicySourceArn: "arn:aws:iam::111122223333:role/r"}, code: "NoSuchEntity", status: 404, msg: "The role with name r cannot be found."},
		{name: "a role session", in: SimulateInput{PolicySourceArn: "arn:aws:sts::123456789012:assumed-role/u-admin/botocore-session-0987654321"}, code: "InvalidInput", status: 400,
			msg: "Invalid Entity Arn: arn:aws:sts::123456789012:assumed-role/u-admin/botocore-session-0987654321 does not clearly define entity type and name.", keysToo: true},
		{name: "a policy", in: SimulateInput{PolicySourceArn: "arn:aws:iam::" + acct + ":policy/p"}, code: "InvalidInput", status: 400, msg: "Invalid Entity Arn: arn:aws:iam::" + acct + ":policy/p does not clearly define entity type and name."},
		{name: "malformed input policy", in: SimulateInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket"}}`}}, custom: true,
			code: "MalformedPolicyDocument", status: 400, msg: "Policy statement must contain resources."},
		{name: "not JSON", in: SimulateInput{PolicyInputList: []string{`{`}}, custom: true, code: "MalformedPolicyDocument", status: 400, msg: "Syntax errors in policy."},
		{name: "unknown scenario", in: SimulateInput{PolicyInputList: []string{docS3}, ResourceHandlingOption: "EC2-Classic"}, custom: true, code: "InvalidInput", status: 400, msg: "Invalid ResourceHandlingOption: EC2-Classic."},
		{name: "scenario without its resources", in: SimulateInput{PolicyInputList: []string{docS3}, ResourceHandlingOption: "EC2-VPC-EBS", ResourceArns: []string{"arn:aws:ec2:us-east-1:" + acct + ":instance/i-1"}}, custom: true,
			code: "InvalidInput", status: 400, msg: "Resource handling option EC2-VPC-EBS requires resources of type: image, security-group, network-interface, volume."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.ActionNames = []string{"s3:ListBucket"}
			var err error
			if tc.custom {
				_, _, err = f.SimulateCustomPolicy(ctx, acct, in, Page{})
			} else {
				_, _, err = f.SimulatePrincipalPolicy(ctx, acct, in, Page{})
			}
			wantErr(t, err, tc.code, tc.status, tc.msg)
			if tc.keysToo {
				_, err = f.GetContextKeysForPrincipalPolicy(ctx, acct, in.PolicySourceArn, nil)
				wantErr(t, err, tc.code, tc.status, tc.msg)
			}
		})
	}
}

func TestGetContextKeys(t *testing.T) {
	f := newFixture(t)
	// AWS CLI example for get-context-keys-for-custom-policy.
	const doc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}`
	keys, err := f.GetContextKeysForCustomPolicy(ctx, acct, []string{doc})
	must(t, err)
	if want := []string{"aws:username", "aws:CurrentTime"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("custom keys = %q, want %q", keys, want)
	}
	// Resource policies are read too.
	keys, err = f.GetContextKeysForCustomPolicy(ctx, acct, []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}}`})
	must(t, err)
	if want := []string{"aws:PrincipalOrgID"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("resource policy keys = %q, want %q", keys, want)
	}
	keys, err = f.GetContextKeysForCustomPolicy(ctx, acct, []string{docS3})
	must(t, err)
	if keys == nil || len(keys) != 0 {
		t.Errorf("no keys = %#v, want an empty list", keys)
	}
	_, err = f.GetContextKeysForCustomPolicy(ctx, acct, []string{`{`})
	wantErr(t, err, "MalformedPolicyDocument", 400, "Syntax errors in policy.")

	// A user's keys include its groups' and the input policies'.
	f.user(t, "saanvi")
	f.group(t, "g")
	must(t, f.AddUserToGroup(ctx, acct, "g", "saanvi"))
	must(t, f.PutUserPolicy(ctx, acct, "saanvi", "own", doc))
	must(t, f.PutGroupPolicy(ctx, acct, "g", "team", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"},"DateGreaterThan":{"AWS:currenttime":"2015-08-16T12:00:00Z"}}}}`))
	keys, err = f.GetContextKeysForPrincipalPolicy(ctx, acct, "arn:aws:iam::"+acct+":user/saanvi", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`})
	must(t, err)
	if want := []string{"aws:username", "aws:CurrentTime", "aws:SecureTransport", "aws:SourceIp"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("principal keys = %q, want %q", keys, want)
	}
}

// FuzzSimulationInputs: the simulator's own parsing (context values by
// type, entity ARNs, ResourceOwner) never panics and is deterministic.
func FuzzSimulationInputs(f *testing.F) {
	f.Add("aws:CurrentTime", "2019-04-25T11:00:00Z", "date", "arn:aws:iam::123456789012:user/a/b", "arn:aws:iam::123456789012:root")
	f.Add("aws:SourceIp", "10.0.0.0/8", "ipList", "arn:aws:sts::123456789012:assumed-role/r/s", "123456789012")
	f.Add("k", "dGVzdA==", "binary", "arn:aws:iam::123456789012:role/", "arn:aws:iam::x:root")
	f.Add("k", "1e3", "numeric", "", "")
	f.Fuzz(func(t *testing.T, key, value, typ, entity, owner string) {
		e := []ContextEntry{{ContextKeyName: key, ContextKeyValues: []string{value}, ContextKeyType: typ}}
		c1, err1 := SimulationContext(e)
		c2, err2 := SimulationContext(e)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("nondeterministic: %v / %v", err1, err2)
		}
		if err1 == nil {
			v1, _ := c1.Values(key)
			v2, _ := c2.Values(key)
			if !reflect.DeepEqual(v1, v2) {
				t.Fatalf("nondeterministic values %q / %q", v1, v2)
			}
		}
		k1, n1, ok1 := entityOf(entity)
		k2, n2, ok2 := entityOf(entity)
		if k1 != k2 || n1 != n2 || ok1 != ok2 || ok1 && (n1 == "" || strings.Contains(n1, "/")) {
			t.Fatalf("entityOf(%q) = %q %q %v", entity, k1, n1, ok1)
		}
		if a := ownerAccount(owner); a != "" && !arn.IsAccountID(a) {
			t.Fatalf("ownerAccount(%q) = %q", owner, a)
		}
	})
}
