package integration

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// Replays of the IAM error scenarios recorded against AWS in LocalStack's
// snapshot tests (tests/aws/services/iam/test_iam.snapshot.json at
// 8b9a79f0): the request side rebuilt from the test of the same name in
// tests/aws/services/iam/test_iam.py, the answer compared exactly (code,
// message, HTTP status). The recording's account 111111111111 and
// partition placeholder are this server's account and "aws".
//
// The recording has 169 scenarios; 81 of them answer an error. 73 are
// replayed here; the 8 of TestIAMServiceSpecificCredentials, with their
// successful answers, in TestServiceSpecificCredentialsRecorded
// (notReplayed lists them).

// replayAnswer is one recorded error answer. now, when set, is the message
// AWS answers today where a later recording shows the text changed; the
// replay asserts it instead.
type replayAnswer struct {
	status        int
	code, message string
	now           string
}

// recordedScenario is one LocalStack test: run makes its requests against
// c and returns, per snapshot key, the error each one answered.
type recordedScenario struct {
	name string
	want map[string]replayAnswer
	run  func(t *testing.T, c *iam.Client) map[string]error
}

const malformedTrustPolicy = `
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Action": "sts:AssumeRole",
              "Principal": "*",
              "Effect": "Allow",
            }
          ]
        }
        `

const lambdaListFunctions = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["lambda:ListFunctions"], "Resource": ["*"]}]}`

const recordedEC2Trust = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`

// attachErrors is the recording of test_role_attach_policy and
// test_user_attach_policy (both 2025-03). AWS has since reworded the
// answer to a PolicyArn that is not an ARN: LocalStack's
// test_role_managed_policy_errors recorded "ARN NAME is not valid." in
// 2026-02, which rolecall answers.
func replayAttachErrors(policyName string) map[string]replayAnswer {
	return map[string]replayAnswer{
		"non_existent_malformed_policy_arn": {400, "ValidationError", "Invalid ARN:  Could not be parsed!", "ARN longpolicynamebutnoarn is not valid."},
		"existing_policy_name_provided":     {400, "ValidationError", "Invalid ARN:  Could not be parsed!", "ARN " + policyName + " is not valid."},
		"valid_arn_not_existent":            {404, "NoSuchEntity", "Policy arn:aws:iam::" + account + ":policy/" + policyName + "123 does not exist or is not attachable.", ""},
	}
}

// The recorded policy names are "test-policy-" and an 8-character id:
// 20 characters, exactly PolicyArn's minimum length, so that passing the
// name as an ARN fails as not an ARN rather than as too short.
const (
	rolePolicyName = "test-policy-a1b2c3d4"
	userPolicyName = "test-policy-e5f6a7b8"
)

var recordedScenarios = []recordedScenario{
	{
		name: "TestIAMExtensions::test_create_role_with_malformed_assume_role_policy_document",
		want: map[string]replayAnswer{"invalid-json": {400, "MalformedPolicyDocument", "This policy contains invalid Json", ""}},
		run: func(t *testing.T, c *iam.Client) map[string]error {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("role-malformed"), AssumeRolePolicyDocument: aws.String(malformedTrustPolicy)})
			return map[string]error{"invalid-json": err}
		},
	},
	{
		name: "TestIAMIntegrations::test_role_attach_policy",
		want: replayAttachErrors(rolePolicyName),
		run: func(t *testing.T, c *iam.Client) map[string]error {
			createRole(t, c, "test-role-attach", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(recordedEC2Trust) })
			arn := replayCreatePolicy(t, c, rolePolicyName)
			attach := func(policyArn string) error {
				_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("test-role-attach"), PolicyArn: aws.String(policyArn)})
				return err
			}
			out := map[string]error{
				"non_existent_malformed_policy_arn": attach("longpolicynamebutnoarn"),
				"existing_policy_name_provided":     attach(rolePolicyName),
				"valid_arn_not_existent":            attach(arn + "123"),
			}
			if err := attach(arn); err != nil {
				t.Errorf("valid_policy_arn: %v", err)
			}
			return out
		},
	},
	{
		name: "TestIAMIntegrations::test_user_attach_policy",
		want: replayAttachErrors(userPolicyName),
		run: func(t *testing.T, c *iam.Client) map[string]error {
			must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("test-role-user")}))(t)
			arn := replayCreatePolicy(t, c, userPolicyName)
			attach := func(policyArn string) error {
				_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("test-role-user"), PolicyArn: aws.String(policyArn)})
				return err
			}
			out := map[string]error{
				"non_existent_malformed_policy_arn": attach("longpolicynamebutnoarn"),
				"existing_policy_name_provided":     attach(userPolicyName),
				"valid_arn_not_existent":            attach(arn + "123"),
			}
			if err := attach(arn); err != nil {
				t.Errorf("valid_policy_arn: %v", err)
			}
			return out
		},
	},
	{
		name: "TestIAMIntegrations::test_delete_non_existent_policy_returns_no_such_entity",
		want: map[string]replayAnswer{"delete-non-existent-policy-exc": {404, "NoSuchEntity", "Policy arn:aws:iam::" + account + ":policy/non-existent-policy was not found.", ""}},
		run: func(t *testing.T, c *iam.Client) map[string]error {
			_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::" + account + ":policy/non-existent-policy")})
			return map[string]error{"delete-non-existent-policy-exc": err}
		},
	},
}

// serviceRoleAlreadyExists runs after every custom_suffix_not_allowed
// scenario: one of them names batch.amazonaws.com, whose role this one
// creates.
var serviceRoleAlreadyExists = recordedScenario{
	name: "TestIAMServiceRoles::test_service_role_already_exists",
	want: map[string]replayAnswer{"role-already-exists-error": {400, "InvalidInput", "Service role name AWSServiceRoleForBatch has been taken in this account, please try a different suffix.", ""}},
	run: func(t *testing.T, c *iam.Client) map[string]error {
		must(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("batch.amazonaws.com")}))(t)
		_, err := c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("batch.amazonaws.com")})
		return map[string]error{"role-already-exists-error": err}
	},
}

// customSuffixNotAllowed are the services of the recorded
// test_service_role_lifecycle_custom_suffix_not_allowed[SERVICE]
// scenarios: CreateServiceLinkedRole with CustomSuffix "testsuffix"
// answers 400 InvalidInput "Custom suffix is not allowed for SERVICE".
var customSuffixNotAllowed = []string{
	"accountdiscovery.ssm.amazonaws.com", "acm.amazonaws.com", "appmesh.amazonaws.com", "autoscaling-plans.amazonaws.com",
	"backup.amazonaws.com", "batch.amazonaws.com", "cassandra.application-autoscaling.amazonaws.com", "cks.kms.amazonaws.com",
	"cloudtrail.amazonaws.com", "codestar-notifications.amazonaws.com", "config.amazonaws.com", "dms-fleet-advisor.amazonaws.com",
	"dms.amazonaws.com", "docdb-elastic.amazonaws.com", "ec2-instance-connect.amazonaws.com", "ec2.application-autoscaling.amazonaws.com",
	"ecr.amazonaws.com", "ecs.amazonaws.com", "eks-connector.amazonaws.com", "eks-fargate.amazonaws.com",
	"eks-nodegroup.amazonaws.com", "eks.amazonaws.com", "elasticache.amazonaws.com", "elasticbeanstalk.amazonaws.com",
	"elasticfilesystem.amazonaws.com", "elasticloadbalancing.amazonaws.com", "email.cognito-idp.amazonaws.com", "emr-containers.amazonaws.com",
	"emrwal.amazonaws.com", "fis.amazonaws.com", "grafana.amazonaws.com", "imagebuilder.amazonaws.com",
	"iotmanagedintegrations.amazonaws.com", "kafka.amazonaws.com", "kafkaconnect.amazonaws.com", "lakeformation.amazonaws.com",
	"lex.amazonaws.com", "lightsail.amazonaws.com", "m2.amazonaws.com", "memorydb.amazonaws.com",
	"mq.amazonaws.com", "mrk.kms.amazonaws.com", "notifications.amazonaws.com", "observability.aoss.amazonaws.com",
	"opensearchservice.amazonaws.com", "ops.apigateway.amazonaws.com", "ops.emr-serverless.amazonaws.com", "opsdatasync.ssm.amazonaws.com",
	"opsinsights.ssm.amazonaws.com", "pullthroughcache.ecr.amazonaws.com", "ram.amazonaws.com", "rds.amazonaws.com",
	"redshift.amazonaws.com", "replication.cassandra.amazonaws.com", "replication.ecr.amazonaws.com", "repository.sync.codeconnections.amazonaws.com",
	"resource-explorer-2.amazonaws.com", "rolesanywhere.amazonaws.com", "s3-outposts.amazonaws.com", "ses.amazonaws.com",
	"shield.amazonaws.com", "ssm-incidents.amazonaws.com", "ssm-quicksetup.amazonaws.com", "ssm.amazonaws.com",
	"sso.amazonaws.com", "vpcorigin.cloudfront.amazonaws.com", "waf.amazonaws.com", "wafv2.amazonaws.com",
}

// notReplayed are the recorded error scenarios this test cannot replay,
// with the reason.
var notReplayed = map[string]string{
	"TestIAMServiceSpecificCredentials::test_create_service_specific_credential_invalid_user":                  noServiceSpecificCredentials,
	"TestIAMServiceSpecificCredentials::test_create_service_specific_credential_invalid_service":               noServiceSpecificCredentials,
	"TestIAMServiceSpecificCredentials::test_list_service_specific_credential_different_service":               noServiceSpecificCredentials,
	"TestIAMServiceSpecificCredentials::test_delete_user_after_service_credential_created":                     noServiceSpecificCredentials,
	"TestIAMServiceSpecificCredentials::test_user_match_id_mismatch[totally-wrong-credential-id-with-hyphens]": noServiceSpecificCredentials,
	"TestIAMServiceSpecificCredentials::test_user_match_id_mismatch[satisfiesregexbutstillinvalid]":            noServiceSpecificCredentials,
	"TestIAMServiceSpecificCredentials::test_id_match_user_mismatch":                                           noServiceSpecificCredentials,
	"TestIAMServiceSpecificCredentials::test_invalid_update_parameters":                                        noServiceSpecificCredentials,
}

// Every one of these scenarios first creates a credential, or asks about
// one: they are replayed whole, answers compared element by element.
const noServiceSpecificCredentials = "replayed with the rest of the scenario in TestServiceSpecificCredentialsRecorded (iam_servicecreds_test.go)"

func replayCreatePolicy(t *testing.T, c *iam.Client, name string) string {
	t.Helper()
	out := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(lambdaListFunctions)}))(t)
	return aws.ToString(out.Policy.Arn)
}

// replayDiff compares err with a recorded answer; it returns what
// differs, or "".
func replayDiff(err error, want replayAnswer) string {
	if err == nil {
		return "succeeded"
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "not an API error: " + err.Error()
	}
	message := want.message
	if want.now != "" {
		message = want.now
	}
	var diffs []string
	if ae.ErrorCode() != want.code || ae.ErrorMessage() != message {
		diffs = append(diffs, "got "+ae.ErrorCode()+": "+ae.ErrorMessage())
	}
	// The SDK knows the fault of modelled errors only; every recorded
	// answer is Type Sender.
	if ae.ErrorFault() == smithy.FaultServer {
		diffs = append(diffs, "fault is Receiver")
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != want.status {
		diffs = append(diffs, fmt.Sprint("HTTP status ", re.HTTPStatusCode()))
	}
	return strings.Join(diffs, "; ")
}

func TestRecordedIAMErrors(t *testing.T) {
	c := newIAM(t)
	scenarios := append([]recordedScenario(nil), recordedScenarios...)
	for _, svc := range customSuffixNotAllowed {
		scenarios = append(scenarios, recordedScenario{
			name: "TestIAMServiceRoles::test_service_role_lifecycle_custom_suffix_not_allowed[" + svc + "]",
			want: map[string]replayAnswer{"custom-suffix-not-allowed": {400, "InvalidInput", "Custom suffix is not allowed for " + svc, ""}},
			run: func(t *testing.T, c *iam.Client) map[string]error {
				_, err := c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(svc), CustomSuffix: aws.String("testsuffix")})
				return map[string]error{"custom-suffix-not-allowed": err}
			},
		})
	}
	scenarios = append(scenarios, serviceRoleAlreadyExists)
	// Sequential on one server: the scenarios use distinct names, but the
	// last one creates a role an earlier one must not find.
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			got := sc.run(t, c)
			for key, want := range sc.want {
				if d := replayDiff(got[key], want); d != "" {
					t.Errorf("%s: %s\nrecorded %d %s: %s", key, d, want.status, want.code, want.message)
				}
			}
		})
	}
	for name, why := range notReplayed {
		t.Run(name, func(t *testing.T) { t.Skip(why) })
	}
	if n := len(scenarios) + len(notReplayed); n != 81 {
		t.Errorf("%d scenarios listed; the recording has 81 error scenarios", n)
	}
}

// IAM answers a PathPrefix outside its pattern with its own text, not the
// generic constraint message: recorded for ListPolicies "/foo" (aws/aws-cli
// #5860) and ListRoles (ansible-collections/amazon.aws #2065); the other
// lists by the same rule. A prefix that is only too long gets the generic
// length message.
func TestPathPrefixValidation(t *testing.T) {
	c := newIAM(t)
	const invalid = "The specified value for pathPrefix is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters."
	list := map[string]func(prefix string) error{
		"ListRoles": func(p string) error {
			_, err := c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String(p)})
			return err
		},
		"ListUsers": func(p string) error {
			_, err := c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String(p)})
			return err
		},
		"ListGroups": func(p string) error {
			_, err := c.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String(p)})
			return err
		},
		"ListInstanceProfiles": func(p string) error {
			_, err := c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String(p)})
			return err
		},
		"ListPolicies": func(p string) error {
			_, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{PathPrefix: aws.String(p)})
			return err
		},
	}
	for op, call := range list {
		t.Run(op, func(t *testing.T) {
			wantErr(t, call("foo"), 400, "ValidationError", invalid)
			wantErr(t, call("/"+strings.Repeat("a", 511)+"/"), 400, "ValidationError",
				"1 validation error detected: Value at 'pathPrefix' failed to satisfy constraint: Member must have length less than or equal to 512")
			if err := call("/a/"); err != nil {
				t.Errorf("PathPrefix /a/: %v", err)
			}
		})
	}
	// Policy paths end in '/', so "/foo" is no policy path prefix.
	wantErr(t, list["ListPolicies"]("/foo"), 400, "ValidationError", invalid)
	if err := list["ListRoles"]("/foo"); err != nil {
		t.Errorf("ListRoles /foo: %v", err)
	}
}

// A bad element of a list of strings is reported at the list, once, with
// every constraint of the element (recorded for UntagRole); elements of a
// list of structures are named ('tags.1.member.key').
func TestListElementViolations(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "app")
	const keys = `Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, ` +
		`Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`
	_, err := c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("app"), TagKeys: []string{"ok", "bad!key", strings.Repeat("k", 129)}})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: "+keys)
	// Validated before the role is looked up.
	_, err = c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("missing"), TagKeys: []string{"bad!key"}})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: "+keys)
	_, err = c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []types.Tag{{Key: aws.String("ok"), Value: aws.String("v")}, {Key: aws.String("bad!key"), Value: aws.String("v")}}})
	wantErr(t, err, 400, "ValidationError", `1 validation error detected: Value at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
}
