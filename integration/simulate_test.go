package integration

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The IAM policy simulator through the Go SDK: the query protocol's
// rendering of EvaluationResults (nested lists, the EvalDecisionDetails
// map, positions) and AWS's error texts.

const taskExecutionPolicy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

func byAction(rs []types.EvaluationResult) map[string]types.EvaluationResult {
	out := map[string]types.EvaluationResult{}
	for _, r := range rs {
		out[aws.ToString(r.EvalActionName)] = r
	}
	return out
}

func TestSimulatePrincipalPolicyTaskExecutionRole(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "exec")
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("exec"), PolicyArn: aws.String(taskExecutionPolicy)}))(t)
	// An explicit deny, inline; its statement is a single object so that
	// its place is {1,38}-{1,87}: just after its '{' and its '}', as AWS
	// reports a statement (simulate-custom-policy CLI example 1).
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("exec"), PolicyName: aws.String("no-logs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"logs:*","Resource":"*"}}`)}))(t)

	out := must(c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + account + ":role/exec"),
		ActionNames:     []string{"ecr:GetAuthorizationToken", "s3:GetObject", "logs:PutLogEvents"},
	}))(t)
	if out.IsTruncated || len(out.EvaluationResults) != 3 {
		t.Fatalf("results = %d, truncated %v", len(out.EvaluationResults), out.IsTruncated)
	}
	rs := byAction(out.EvaluationResults)
	ecr := rs["ecr:GetAuthorizationToken"]
	if ecr.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || aws.ToString(ecr.EvalResourceName) != "*" {
		t.Errorf("ecr:GetAuthorizationToken = %s on %s", ecr.EvalDecision, aws.ToString(ecr.EvalResourceName))
	}
	if len(ecr.MatchedStatements) != 1 || aws.ToString(ecr.MatchedStatements[0].SourcePolicyId) != "AmazonECSTaskExecutionRolePolicy" ||
		ecr.MatchedStatements[0].SourcePolicyType != "IAM Policy" {
		t.Errorf("ecr matched = %+v", ecr.MatchedStatements)
	}
	if ecr.EvalDecisionDetails != nil || ecr.ResourceSpecificResults != nil {
		t.Errorf("resource * carries EvalDecisionDetails %v / ResourceSpecificResults %v", ecr.EvalDecisionDetails, ecr.ResourceSpecificResults)
	}
	if s3 := rs["s3:GetObject"]; s3.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || len(s3.MatchedStatements) != 0 || s3.MissingContextValues == nil {
		t.Errorf("s3:GetObject = %+v", s3)
	}
	logs := rs["logs:PutLogEvents"]
	if logs.EvalDecision != types.PolicyEvaluationDecisionTypeExplicitDeny {
		t.Errorf("logs:PutLogEvents = %s", logs.EvalDecision)
	}
	var deny *types.Statement
	for i, s := range logs.MatchedStatements {
		if aws.ToString(s.SourcePolicyId) == "role_exec_no-logs" {
			deny = &logs.MatchedStatements[i]
		}
	}
	if deny == nil {
		t.Fatalf("deny not among matched statements %+v", logs.MatchedStatements)
	}
	if *deny.StartPosition != (types.Position{Line: 1, Column: 38}) || *deny.EndPosition != (types.Position{Line: 1, Column: 87}) {
		t.Errorf("deny at %+v-%+v, want {1 38}-{1 87}", *deny.StartPosition, *deny.EndPosition)
	}
}

func TestSimulateBoundaryAndMissingContext(t *testing.T) {
	c := newIAM(t)
	bound := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bound"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`)}))(t)
	createRole(t, c, "bounded", func(in *iam.CreateRoleInput) { in.PermissionsBoundary = bound.Policy.Arn })
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("bounded"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","sqs:SendMessage"],"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`)}))(t)

	out := must(c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + account + ":role/bounded"),
		ActionNames:     []string{"s3:GetObject", "sqs:SendMessage"},
		ResourceArns:    []string{"arn:aws:s3:::b/k"},
	}))(t)
	rs := byAction(out.EvaluationResults)
	s3 := rs["s3:GetObject"]
	if s3.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Errorf("s3:GetObject without the tag = %s", s3.EvalDecision)
	}
	if s3.PermissionsBoundaryDecisionDetail == nil || !s3.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("s3 boundary detail = %+v", s3.PermissionsBoundaryDecisionDetail)
	}
	if want := []string{"aws:PrincipalTag/team"}; !reflect.DeepEqual(s3.MissingContextValues, want) ||
		len(s3.ResourceSpecificResults) != 1 || !reflect.DeepEqual(s3.ResourceSpecificResults[0].MissingContextValues, want) {
		t.Errorf("missing = %v, resource-specific %+v", s3.MissingContextValues, s3.ResourceSpecificResults)
	}
	if s3.EvalDecisionDetails == nil || len(s3.EvalDecisionDetails) != 0 {
		t.Errorf("same-account EvalDecisionDetails = %v, want present and empty", s3.EvalDecisionDetails)
	}
	if sqs := rs["sqs:SendMessage"]; sqs.PermissionsBoundaryDecisionDetail == nil || sqs.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("sqs boundary detail = %+v", sqs.PermissionsBoundaryDecisionDetail)
	}

	out = must(c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + account + ":role/bounded"),
		ActionNames:     []string{"s3:GetObject", "sqs:SendMessage"},
		ResourceArns:    []string{"arn:aws:s3:::b/k"},
		ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:PrincipalTag/team"), ContextKeyValues: []string{"blue"},
			ContextKeyType: types.ContextKeyTypeEnumString}},
	}))(t)
	rs = byAction(out.EvaluationResults)
	if s3 := rs["s3:GetObject"]; s3.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(s3.MissingContextValues) != 0 {
		t.Errorf("s3:GetObject with the tag = %s, missing %v", s3.EvalDecision, s3.MissingContextValues)
	}
	if sqs := rs["sqs:SendMessage"]; sqs.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Errorf("sqs:SendMessage outside the boundary = %s", sqs.EvalDecision)
	}
}

func TestSimulateCustomPolicyWithResourcePolicy(t *testing.T) {
	c := newIAM(t)
	const user = "arn:aws:iam::" + account + ":user/dev"
	const object = "arn:aws:s3:::reports/q1.csv"
	rp := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + user + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}}`
	identity := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}}`

	out := must(c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{identity},
		ActionNames:     []string{"s3:GetObject"},
		ResourceArns:    []string{object},
		ResourcePolicy:  aws.String(rp),
		CallerArn:       aws.String(user),
	}))(t)
	r := out.EvaluationResults[0]
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(r.MatchedStatements) != 1 ||
		aws.ToString(r.MatchedStatements[0].SourcePolicyId) != "ResourcePolicy" || r.MatchedStatements[0].SourcePolicyType != "Resource Policy" {
		t.Errorf("same account = %s %+v", r.EvalDecision, r.MatchedStatements)
	}
	if len(r.ResourceSpecificResults) != 1 || aws.ToString(r.ResourceSpecificResults[0].EvalResourceName) != object ||
		r.ResourceSpecificResults[0].EvalResourceDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("resource-specific = %+v", r.ResourceSpecificResults)
	}

	// Across accounts the identity policy must allow too, and
	// EvalDecisionDetails tells each side's answer.
	out = must(c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{identity},
		ActionNames:     []string{"s3:GetObject"},
		ResourceArns:    []string{object},
		ResourcePolicy:  aws.String(rp),
		CallerArn:       aws.String(user),
		ResourceOwner:   aws.String("arn:aws:iam::111122223333:root"),
	}))(t)
	r = out.EvaluationResults[0]
	want := map[string]types.PolicyEvaluationDecisionType{"IAM Policy": "implicitDeny", "Resource Policy": "allowed"}
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || !reflect.DeepEqual(r.EvalDecisionDetails, want) {
		t.Errorf("cross account = %s %v", r.EvalDecision, r.EvalDecisionDetails)
	}

	_, err := c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{identity},
		ActionNames:     []string{"s3:GetObject"},
		ResourcePolicy:  aws.String(rp),
	})
	wantErr(t, err, 400, "InvalidInput", "Invalid caller - Caller must be an IAM user in this context.")
}

func TestSimulatePaginator(t *testing.T) {
	c := newIAM(t)
	p := iam.NewSimulateCustomPolicyPaginator(c, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{s3ReadPolicy},
		ActionNames:     []string{"s3:GetObject", "s3:PutObject", "sqs:ListQueues"},
		MaxItems:        aws.Int32(2),
	})
	var got []string
	pages := 0
	for p.HasMorePages() {
		out := must(p.NextPage(ctx))(t)
		pages++
		for _, r := range out.EvaluationResults {
			got = append(got, aws.ToString(r.EvalActionName)+"="+string(r.EvalDecision))
		}
	}
	want := []string{"s3:GetObject=allowed", "s3:PutObject=implicitDeny", "sqs:ListQueues=implicitDeny"}
	if pages != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("%d pages: %v, want 2: %v", pages, got, want)
	}
}

func TestGetContextKeys(t *testing.T) {
	c := newIAM(t)
	// AWS CLI example for get-context-keys-for-custom-policy.
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}`
	out := must(c.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{doc}}))(t)
	if want := []string{"aws:username", "aws:CurrentTime"}; !reflect.DeepEqual(out.ContextKeyNames, want) {
		t.Errorf("custom = %v, want %v", out.ContextKeyNames, want)
	}
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("saanvi")}))(t)
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("saanvi"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))(t)
	pout := must(c.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + account + ":user/saanvi")}))(t)
	if want := []string{"aws:username", "aws:CurrentTime"}; !reflect.DeepEqual(pout.ContextKeyNames, want) {
		t.Errorf("principal = %v, want %v", pout.ContextKeyNames, want)
	}

	_, err := c.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + account + ":user/nobody")})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err = c.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17"}`}})
	wantErr(t, err, 400, "MalformedPolicyDocument", "Syntax errors in policy.")
}

func TestSimulateErrors(t *testing.T) {
	c := newIAM(t)
	_, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + account + ":role/missing"),
		ActionNames:     []string{"s3:GetObject"},
	})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name missing cannot be found.")
	_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:sts::" + account + ":assumed-role/r/s"),
		ActionNames:     []string{"s3:GetObject"},
	})
	wantErr(t, err, 400, "InvalidInput", "Invalid Entity Arn: arn:aws:sts::"+account+":assumed-role/r/s does not clearly define entity type and name.")
	createRole(t, c, "r")
	_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + account + ":role/r"),
		ActionNames:     []string{"s3:GetObject"},
		ResourcePolicy:  aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`),
	})
	wantErr(t, err, 400, "InvalidInput", "Invalid caller - Caller must be an IAM user in this context.")
	_, err = c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject"}}`},
		ActionNames:     []string{"s3:GetObject"},
	})
	wantErr(t, err, 400, "MalformedPolicyDocument", "Policy statement must contain resources.")
	_, err = c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{s3ReadPolicy},
		ActionNames:     []string{"s3:GetObject"},
		ResourceOwner:   aws.String("1234-5678-9012"),
	})
	wantErr(t, err, 400, "InvalidInput", "'1234-5678-9012' is not a valid as a Resource Owner.")
}
