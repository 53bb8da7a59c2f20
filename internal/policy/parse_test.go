package policy

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/awserr"
)

// v12 wraps statements (one object or a list) in a 2012-10-17 document.
func v12(statement string) string {
	return `{"Version":"2012-10-17","Statement":` + statement + `}`
}

const bucket = `"Resource":"arn:aws:s3:::example_bucket"`

type parseCase struct{ name, doc, msg string }

func runCases(t *testing.T, cases []parseCase, kind Kind) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantParse(t, tc.doc, kind, tc.msg) })
	}
}

// wantParse checks that Parse answers msg (AWS's MalformedPolicyDocument
// text, status 400), or succeeds when msg is "".
func wantParse(t *testing.T, doc string, kind Kind, msg string) {
	t.Helper()
	_, err := Parse(doc, kind)
	if msg == "" {
		if err != nil {
			t.Fatalf("Parse(%s, %v) = %v, want success", doc, kind, err)
		}
		return
	}
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(%s, %v) = %v, want MalformedPolicyDocument %q", doc, kind, err, msg)
	}
	if e.Code != "MalformedPolicyDocument" || e.Status != http.StatusBadRequest || !e.Sender || e.Message != msg {
		t.Fatalf("Parse(%s, %v)\n got %s %d %q\nwant MalformedPolicyDocument 400 %q", doc, kind, e.Code, e.Status, e.Message, msg)
	}
}

// Identity policies. Unless noted, each row is LocalStack's
// tests/aws/services/iam/test_iam_policies.py test case of the same number
// and the message is AWS's answer as recorded in
// test_iam_policies.snapshot.json (test_create_policy_invalid_document
// [invalid-N], test_create_policy_valid_document[valid-N], recorded
// 2026-02-10/18 against real AWS).
var identityCases = []parseCase{
	{"invalid-0 not JSON", `This is not a json document`, msgSyntax},
	{"invalid-1 no Version", `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}}`, msgVersion},
	{"invalid-2 version 2008-10-17", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}}`, msgVersion},
	{"invalid-3 unknown version", `{"Version":"2013-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}}`, msgSyntax},
	{"invalid-4 no Statement", `{"Version":"2012-10-17"}`, msgSyntax},
	{"invalid-5 statement not an object", v12(`["afd"]`), msgSyntax},
	{"invalid-6 unknown top-level element", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `},"Extra field":"value"}`, msgSyntax},
	{"invalid-7 unknown statement element", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Extra field":"value"}`), msgSyntax},
	{"invalid-8 Id a list", `{"Version":"2012-10-17","Id":["cd3a324d2343d942772346-34234234423404-4c2242343242349d1642ee"],"Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}}`, msgSyntax},
	{"invalid-9 Id an object", `{"Version":"2012-10-17","Id":{},"Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}}`, msgSyntax},
	{"invalid-10 bad Effect", v12(`{"Effect":"invalid","Action":"s3:ListBucket",` + bucket + `}`), msgSyntax},
	{"invalid-11 action without vendor", v12(`{"Effect":"Allow","Action":"invalid",` + bucket + `}`), msgVendorPrefix},
	{"invalid-12 empty NotAction", v12(`{"Effect":"Allow","NotAction":"",` + bucket + `}`), msgVendorPrefix},
	{"invalid-13 vendor with a space", v12(`{"Effect":"Allow","Action":"a a:ListBucket",` + bucket + `}`), "Vendor a a is not valid"},
	{"invalid-14 two colons", v12(`{"Effect":"Allow","Action":"s3:List:Bucket",` + bucket + `}`), msgOneColon},
	{"invalid-15 two colons in second statement", v12(`[{"Effect":"Allow","Action":"s3s:ListBucket",` + bucket + `},{"Effect":"Allow","Action":"s:3s:ListBucket",` + bucket + `}]`), msgOneColon},
	{"invalid-16 resource not an ARN", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"invalid resource"}`), `Resource invalid resource must be in ARN format or "*".`},
	{"invalid-17 empty resources with a condition", v12(`[{"Sid":"EnableDisableHongKong","Effect":"Allow","Action":["account:EnableRegion","account:DisableRegion"],"Resource":"","Condition":{"StringEquals":{"account:TargetRegion":"ap-east-1"}}},{"Sid":"ViewConsole","Effect":"Allow","Action":["aws-portal:ViewAccount","account:ListRegions"],"Resource":""}]`), `Resource  must be in ARN format or "*".`},
	{"invalid-18 resource checked before action", v12(`{"Effect":"Allow","Action":"s:3:ListBucket","Resource":"sdfsadf"}`), `Resource sdfsadf must be in ARN format or "*".`},
	{"invalid-19 resource list", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":["adf"]}`), `Resource adf must be in ARN format or "*".`},
	{"invalid-20 empty resource", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":""}`), `Resource  must be in ARN format or "*".`},
	{"invalid-21 partition", v12(`{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:bsdfdsafsad"}`), `Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".`},
	{"invalid-22 partition", v12(`{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:cadfsdf"}`), `Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".`},
	{"invalid-23 partition, long", v12(`{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:c:d:e:f:g:h"}`), `Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".`},
	{"invalid-24 no arn: prefix", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"aws:s3:::example_bucket"}`), `Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".`},
	{"invalid-25 partition in a list", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:error:s3:::example_bucket","arn:error:s3::example_bucket"]}`), `Partition "error" is not valid for resource "arn:error:s3:::example_bucket".`},
	{"invalid-26 empty Statement list", v12(`[]`), msgSyntax},
	{"invalid-27 no Resource", v12(`{"Effect":"Allow","Action":"s3:ListBucket"}`), msgNoResources},
	{"invalid-28 empty Resource list", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":[]}`), msgNoResources},
	{"invalid-29 resources before action format", v12(`{"Effect":"Allow","Action":"invalid"}`), msgNoResources},
	{"invalid-30 no Action", v12(`{"Effect":"Allow",` + bucket + `}`), msgNoActions},
	{"invalid-31 no Effect", v12(`{"Action":"s3:ListBucket",` + bucket + `}`), msgSyntax},
	{"invalid-32 actions before resources", v12(`{"Effect":"Allow"}`), msgNoActions},
	{"invalid-33 empty Action list", v12(`{"Effect":"Allow","Action":[],` + bucket + `}`), msgNoActions},
	{"invalid-34 first statement has no action", v12(`[{"Effect":"Deny"},{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}]`), msgNoActions},
	{"invalid-35 iam resource path", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::example_bucket"}`), msgIAMPath},
	{"invalid-36 five-section ARN", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3::example_bucket"}`), msgLegacy},
	{"invalid-37 legacy before actions", v12(`{"Effect":"Allow","Resource":"arn:aws:s3::example_bucket"}`), msgLegacy},
	{"invalid-38 no vendor", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws"}`), msgResourceVendor},
	{"invalid-39 Resource an object", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":{"a":"arn:aws:s3:::example_bucket"}}`), msgSyntax},
	{"invalid-40 object in Resource list", v12(`{"Effect":"Deny","Action":"s3:ListBucket","Resource":["adfdf",{}]}`), msgSyntax},
	{"invalid-41 Resource and NotResource", v12(`{"Effect":"Allow","NotAction":"s3:ListBucket",` + bucket + `,"NotResource":[]}`), msgSyntax},
	{"invalid-42 list in Action list", v12(`{"Effect":"Deny","Action":[[]],` + bucket + `}`), msgSyntax},
	{"invalid-43 Action and NotAction", v12(`{"Effect":"Allow","NotAction":"s3s:ListBucket","Action":[],` + bucket + `}`), msgSyntax},
	{"invalid-44 Action an object", v12(`{"Effect":"Allow","Action":{},` + bucket + `}`), msgSyntax},
	{"invalid-45 Condition a list", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":[]}`), msgSyntax},
	{"invalid-46 Condition a string", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":"a"}`), msgSyntax},
	{"invalid-47 operator block a string", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"a":"b"}}`), msgSyntax},
	{"invalid-48 operator block a string", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateGreaterThan":"b"}}`), msgSyntax},
	{"invalid-49 operator block a list", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateGreaterThan":[]}}`), msgSyntax},
	{"invalid-50 condition value an object", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateGreaterThan":{"a":{}}}}`), msgSyntax},
	{"invalid-51 syntax before actions", v12(`{"Effect":"Allow",` + bucket + `,"Condition":{"DateGreaterThan":{"a":{}}}}`), msgSyntax},
	{"invalid-52 unknown operator", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"x":{"a":"1"}}}`), msgSyntax},
	{"invalid-53 double colon in operator", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}}`), msgSyntax},
	{"invalid-54 Condition a list of objects", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":[{"ForAllValues:StringEquals":{"aws:TagKeys":"Department"}}]}`), msgSyntax},
	{"invalid-55 iam ARN with a region", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:us-east-1::example_bucket"}`), "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
	{"invalid-56 s3 ARN with a region", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:us-east-1::example_bucket"}`), "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
	{"invalid-57 Sid an object", v12(`{"Sid":{},"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}`), msgSyntax},
	{"invalid-58 Sid a list", v12(`{"Sid":[],"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}`), msgSyntax},
	{"invalid-59 duplicate SIDs before actions", v12(`[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket",` + bucket + `},{"Sid":"sdf","Effect":"Allow"}]`), msgSidUnique},
	{"invalid-60 version before SIDs", `{"Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket",` + bucket + `},{"Sid":"sdf","Effect":"Allow"}]}`, msgVersion},
	{"invalid-61 Action and NotAction", v12(`{"Effect":"Allow","NotAction":"s3:ListBucket","Action":"iam:dsf",` + bucket + `}`), msgSyntax},
	{"invalid-62 Resource and NotResource", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"NotResource":"*"}`), msgSyntax},
	{"invalid-63 Effect case", v12(`{"Effect":"denY","Action":"s3:ListBucket",` + bucket + `}`), msgLegacy},
	{"invalid-64 bad date", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}`), msgLegacy},
	{"invalid-65 version before legacy", `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}}`, msgVersion},
	{"invalid-66 version before Effect case", `{"Statement":{"Effect":"denY","Action":"s3:ListBucket",` + bucket + `}}`, msgVersion},
	{"invalid-67 legacy before actions", v12(`{"Effect":"Allow","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}`), msgLegacy},
	{"invalid-68 empty service", v12(`{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws::::example_bucket"}`), msgLegacy},
	{"invalid-69 Effect case before resources", v12(`{"Effect":"allow","Resource":"arn:aws:s3:us-east-1::example_bucket"}`), msgLegacy},
	{"invalid-70 legacy before SIDs", v12(`[{"Sid":"sdf","Effect":"aLLow","Action":"s3:ListBucket",` + bucket + `},{"Sid":"sdf","Effect":"Allow"}]`), msgLegacy},
	{"invalid-71 NotResource five sections", v12(`{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3::example_bucket"}`), msgLegacy},
	{"invalid-72 month 13", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateLessThanEquals":{"a":"234-13"}}}`), msgLegacy},
	{"invalid-73 one-digit offset", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+1"}}}`), msgLegacy},
	{"invalid-74 ten fraction digits", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.1999999999+10:59"}}}`), msgLegacy},
	{"invalid-75 epoch overflow", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateLessThan":{"a":"9223372036854775808"}}}`), msgLegacy},
	{"invalid-76 legacy before partition", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:error:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}`), msgLegacy},
	{"invalid-77 empty service, four sections", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws::fdsasf"}`), msgLegacy},

	{"valid-0 Resource list", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket"]}`), ""},
	{"valid-1 spaces after the vendor", v12(`{"Effect":"Allow","Action":"iam: asdf safdsf af ",` + bucket + `}`), ""},
	{"valid-2 ARN and *", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket","*"]}`), ""},
	{"valid-3 Action *", v12(`{"Effect":"Allow","Action":"*",` + bucket + `}`), ""},
	{"valid-4 Statement list", v12(`[{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}]`), ""},
	{"valid-5 date conditions", v12(`{"Effect":"Allow","Action":"service-prefix:action-name","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2017-12-31T23:59:59Z"}}}`), ""},
	{"valid-6 unknown action of a known vendor", v12(`{"Effect":"Allow","Action":"fsx:ListBucket",` + bucket + `}`), ""},
	{"valid-7 iam user ARN without account", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::user/example_bucket"}`), ""},
	{"valid-8 unknown service", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s33:::example_bucket"}`), ""},
	{"valid-9 three-section ARN", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:fdsasf"}`), ""},
	{"valid-10 empty Condition", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{}}`), ""},
	{"valid-11 ForAllValues", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"Department"}}}`), ""},
	{"valid-12 region for cloudwatch", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:cloudwatch:us-east-1::example_bucket"}`), ""},
	{"valid-13 region for ec2", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:ec2:us-east-1::example_bucket"}`), ""},
	{"valid-14 unknown service with hyphen", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:invalid-service:::example_bucket"}`), ""},
	{"valid-15 unknown service with region", v12(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:invalid-service:us-east-1::example_bucket"}`), ""},
	{"valid-17 empty operator block", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateGreaterThan":{}}}`), ""},
	{"valid-18 empty value list", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateGreaterThan":{"a":[]}}}`), ""},
	{"valid-19 unknown operator, empty block", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"a":{}}}`), ""},
	{"valid-20 Sid", v12(`{"Sid":"dsfsdfsdfsdfsdfsadfsd","Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}`), ""},
	{"valid-21 tag conditions", v12(`[{"Sid":"ConsoleDisplay","Effect":"Allow","Action":["iam:GetRole","iam:GetUser","iam:ListRoles","iam:ListRoleTags","iam:ListUsers","iam:ListUserTags"],"Resource":"*"},{"Sid":"AddTag","Effect":"Allow","Action":["iam:TagUser","iam:TagRole"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/CostCenter":["A-123","B-456"]},"ForAllValues:StringEquals":{"aws:TagKeys":"CostCenter"}}}]`), ""},
	{"valid-16 two date operators on one key", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2017-12-31T23:59:59Z"}}}`), ""},
	{"valid-22 NotAction", v12(`{"Effect":"Allow","NotAction":"s3:ListBucket",` + bucket + `}`), ""},
	{"valid-23 NotResource", v12(`{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}`), ""},
	{"valid-24 Id", `{"Version":"2012-10-17","Id":"sdfsdfsdf","Statement":{"Effect":"Allow","NotAction":"s3:ListBucket",` + bucket + `}}`, ""},
	{"valid-25 long vendor", v12(`{"Effect":"Allow","Action":"aaaaaadsfdsafsadfsadfaaaaa:ListBucket",` + bucket + `}`), ""},
	{"valid-26 vendor with hyphen", v12(`{"Effect":"Allow","Action":"s3-s:ListBucket",` + bucket + `}`), ""},
	{"valid-27 vendor with dot", v12(`{"Effect":"Allow","Action":"s3.s:ListBucket",` + bucket + `}`), ""},
	{"valid-28 NotAction and NotResource", v12(`{"Effect":"Allow","NotAction":"s3:ListBucket","NotResource":"*"}`), ""},
	{"valid-29 one statement without Sid", v12(`[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket",` + bucket + `},{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `}]`), ""},
	{"valid-30 date 01T", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateGreaterThan":{"a":"01T"}}}`), ""},
	{"valid-31 unknown operators, empty blocks", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"x":{},"y":{}}}`), ""},
	{"valid-32 StringEqualsIfExists", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"StringEqualsIfExists":{"a":"asf"}}}`), ""},
	{"valid-33 ForAnyValue IfExists", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"ForAnyValue:StringEqualsIfExists":{"a":"asf"}}}`), ""},
	{"valid-34 date Z", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateLessThanEquals":{"a":"2019-07-01T13:20:15Z"}}}`), ""},
	{"valid-35 date with fraction and offset", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13T21:20:37.593194+00:00"}}}`), ""},
	{"valid-36 lowercase t, hour offset", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+23"}}}`), ""},
	{"valid-37 negative epoch", v12(`{"Effect":"Allow","Action":"s3:ListBucket",` + bucket + `,"Condition":{"DateLessThan":{"a":"-292275054"}}}`), ""},
	{"valid-38 policy variables, BoolIfExists", v12(`[{"Sid":"AllowManageOwnPasswords","Effect":"Allow","Action":["iam:ChangePassword","iam:GetUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"},{"Sid":"AllowManageOwnVirtualMFADevice","Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:DeleteVirtualMFADevice"],"Resource":"arn:aws:iam::*:mfa/${aws:username}"},{"Sid":"DenyAllExceptListedIfNoMFA","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]`), ""},
	{"valid-39 dynamodb table", v12(`[{"Sid":"ListAndDescribe","Effect":"Allow","Action":["dynamodb:List*","dynamodb:DescribeReservedCapacity*"],"Resource":"*"},{"Sid":"SpecificTable","Effect":"Allow","Action":["dynamodb:BatchGet*","dynamodb:Get*","dynamodb:PutItem"],"Resource":"arn:aws:dynamodb:*:*:table/MyTable"}]`), ""},
	{"valid-40 ArnEquals", v12(`[{"Effect":"Allow","Action":["ec2:AttachVolume","ec2:DetachVolume"],"Resource":["arn:aws:ec2:*:*:volume/*","arn:aws:ec2:*:*:instance/*"],"Condition":{"ArnEquals":{"ec2:SourceInstanceARN":"arn:aws:ec2:*:*:instance/instance-id"}}}]`), ""},
	{"valid-41 variable in a condition", v12(`[{"Effect":"Allow","Action":["ec2:AttachVolume","ec2:DetachVolume"],"Resource":"arn:aws:ec2:*:*:volume/*","Condition":{"StringEquals":{"ec2:ResourceTag/VolumeUser":"${aws:username}"}}}]`), ""},
	{"valid-42 placeholder region and account", v12(`[{"Sid":"StartStopIfTags","Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances"],"Resource":"arn:aws:ec2:region:account-id:instance/*","Condition":{"StringEquals":{"ec2:ResourceTag/Project":"DataAnalytics","aws:PrincipalTag/Department":"Data"}}}]`), ""},
	{"valid-43 variables in resources", v12(`{"Sid":"ReadWriteDeleteYourObjects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::bucket-name/cognito/application-name/${cognito-identity.amazonaws.com:sub}/*"]}`), ""},
	{"valid-44 empty string condition value", v12(`[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket-name","Condition":{"StringLike":{"s3:prefix":["","home/","home/${aws:userid}/*"]}}}]`), ""},
	{"valid-47 action wildcard with condition", v12(`[{"Action":"ec2:*","Resource":"*","Effect":"Allow","Condition":{"StringEquals":{"ec2:Region":"region"}}}]`), ""},
	{"valid-48 rds wildcards", v12(`[{"Effect":"Allow","Action":"rds:*","Resource":["arn:aws:rds:region:*:*"]},{"Effect":"Allow","Action":["rds:Describe*"],"Resource":["*"]}]`), ""},
	{"valid-49 empty Sids repeat", v12(`[{"Sid":"","Effect":"Allow","Action":"rds:*","Resource":["arn:aws:rds:region:*:*"]},{"Sid":"","Effect":"Allow","Action":["rds:Describe*"],"Resource":["*"]}]`), ""},
	{"valid-50 access point", v12(`[{"Sid":"","Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point","arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/*"]}]`), ""},

	// Other sources.
	// hashicorp/terraform #13449: a trust policy sent as an inline policy.
	{"principal in identity policy", v12(`{"Sid":"","Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::123456789012:root","Service":"ec2.amazonaws.com"}}`), msgNoPrincipalAllowed},
	// Unverified: NotPrincipal answered like Principal.
	{"NotPrincipal in identity policy", v12(`{"Effect":"Deny","Action":"s3:*","Resource":"*","NotPrincipal":{"AWS":"123456789012"}}`), msgNoPrincipalAllowed},
	// CloudTrail record of a CreatePolicy (Sid "Atomic_Red_Team", 2021).
	{"Sid not alphanumeric", v12(`[{"Sid":"Atomic_Red_Team","Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"arn:aws:iam::*:policy/*"}]`), msgSidAlnum},
	// CloudTrail record of a CreatePolicy with an ECR registry URI.
	{"ECR URI as resource", v12(`{"Effect":"Allow","Action":"ecr:*","Resource":"174313347505.dkr.ecr.us-west-2.amazonaws.com/mhart-experimental"}`), `Resource 174313347505.dkr.ecr.us-west-2.amazonaws.com/mhart-experimental must be in ARN format or "*".`},
	// Terraform's jsonencode sorts keys, so Statement before Version is
	// what most Terraform users send; AWS accepts it.
	{"Statement before Version", `{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`, ""},
	// Duplicate keys: the last wins (hashicorp/terraform-provider-aws
	// #33570 on overwritten Condition operators).
	{"duplicate key, last wins", `{"Version":"2008-10-17","Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, ""},
	{"duplicate key, last wins badly", v12(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Effect":"Maybe"}`), msgSyntax},
	// rolecall's readings (unverified).
	{"trailing text", v12(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`) + ` x`, msgSyntax},
	{"top level a list", `[]`, msgSyntax},
	{"null Version", `{"Version":null,"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, msgSyntax},
	{"null condition value", v12(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":null}}}`), msgSyntax},
	{"bool and number condition values", v12(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":[10,"20"]}}}`), ""},
	{"NullIfExists", v12(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NullIfExists":{"a":"true"}}}`), msgSyntax},
	{"empty vendor", v12(`{"Effect":"Allow","Action":":GetObject","Resource":"*"}`), msgVendorPrefix},
	{"wildcard vendor in action", v12(`{"Effect":"Allow","Action":"*:Get*","Resource":"*"}`), ""},
	{"wildcard in vendor", v12(`{"Effect":"Allow","Action":"s3*:Get","Resource":"*"}`), "Vendor s3* is not valid"},
	{"wildcard resource vendor", v12(`{"Effect":"Allow","Action":"s3:Get","Resource":"arn:aws:*:*:*:*"}`), msgResourceVendor},
	{"iam root and role paths", v12(`{"Effect":"Allow","Action":"iam:*","Resource":["arn:aws:iam::123456789012:root","arn:aws:iam::*:role/service-role/*","arn:aws:iam::123456789012:*"]}`), ""},
	{"date epoch number", v12(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:EpochTime":1700000000}}}`), ""},
	{"date bool", v12(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateEquals":{"aws:CurrentTime":true}}}`), msgLegacy},
	{"Principal and NotPrincipal", v12(`{"Effect":"Deny","Action":"s3:*","Resource":"*","Principal":"*","NotPrincipal":"*"}`), msgSyntax},
	{"empty document", ``, msgSyntax},
}

func TestParseIdentity(t *testing.T) { runCases(t, identityCases, Identity) }

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// trust wraps one statement body in a 2012-10-17 trust policy.
func trust(body string) string { return v12(`[{"Effect":"Allow",` + body + `}]`) }

// Trust policies (CreateRole, UpdateAssumeRolePolicy).
var trustCases = []parseCase{
	// Recorded: LocalStack test_iam.snapshot.json,
	// test_create_role_with_malformed_assume_role_policy_document (a
	// trailing comma), and test_iam_roles test_update_assume_role_policy_errors.
	{"not JSON (trailing comma)", `{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Principal":"*","Effect":"Allow",}]}`, msgTrustInvalidJSON},
	{"not JSON", `not valid json`, msgTrustInvalidJSON},
	{"non-STS action", trust(`"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:InvalidAction"`), msgTrustActions},
	{"Resource", trust(`"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"arn:aws:s3:::example_bucket"`), "Has prohibited field Resource"},
	// hashicorp/terraform-provider-aws #32872: "sts:TagSessions".
	{"misspelt STS action", trust(`"Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:SetSourceIdentity","sts:AssumeRole","sts:TagSessions"]`), msgTrustActions},
	{"s3 action", trust(`"Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"`), msgTrustActions},
	// hashicorp/terraform-provider-aws #7756.
	{"no principal", trust(`"Action":"sts:AssumeRole"`), msgTrustNoPrincipal},
	// aws-samples/aws-cdk-examples #801.
	{"service principal bare domain", trust(`"Principal":{"Service":"amazonaws.com"},"Action":"sts:AssumeRole"`), `Invalid principal in policy: "SERVICE":"amazonaws.com"`},
	// A public write-up: wildcards in an assumed-role principal.
	{"wildcard in AWS principal", trust(`"Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/204503-PowerUser/*"},"Action":"sts:AssumeRole"`), `Invalid principal in policy: "AWS":"arn:aws:sts::123456789012:assumed-role/204503-PowerUser/*"`},
	// A Pulumi report: an unresolved output rendered as text.
	{"AWS principal not an ARN", trust(`"Principal":{"AWS":"Calling [toJSON] on an [Output<T>] is not supported."},"Action":"sts:AssumeRole"`), `Invalid principal in policy: "AWS":"Calling [toJSON] on an [Output<T>] is not supported."`},
	// terraform-aws-modules/terraform-aws-iam #202 (an empty provider ARN).
	{"federated principal empty", trust(`"Principal":{"Federated":""},"Action":"sts:AssumeRoleWithWebIdentity"`), msgFederated},
	// hashicorp/terraform #35086: 2008-10-17 passes; tagging.amazonaws.com
	// is refused by the caller's catalog, not here.
	{"version 2008 passes", `{"Version":"2008-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":["tagging.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`, ""},

	{"ec2 service role", ec2Trust, ""},
	{"no Version", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ""},
	{"statement an object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}}`, ""},
	{"account root, user, role, session", trust(`"Principal":{"AWS":["arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:user/division/alice","arn:aws:iam::123456789012:role/service-role/app","arn:aws:sts::123456789012:assumed-role/app/session-1","arn:aws:sts::123456789012:federated-user/bob"]},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]`), ""},
	{"OIDC web identity", trust(`"Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/ABCDEF:sub":"system:serviceaccount:default:app"}}`), ""},
	{"Cognito web identity", trust(`"Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"`), ""},
	{"SAML", trust(`"Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/ExampleOrgSSO"},"Action":["sts:AssumeRoleWithSAML","sts:SetContext"]`), ""},
	{"anyone", trust(`"Principal":"*","Action":"sts:AssumeRole"`), ""},
	{"anyone AWS", trust(`"Principal":{"AWS":"*"},"Action":"sts:AssumeRole"`), ""},

	// rolecall's readings (unverified).
	{"syntax error", trust(`"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Principle":"x"`), msgSyntax},
	{"NotResource", trust(`"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","NotResource":"*"`), "Has prohibited field NotResource"},
	{"NotPrincipal", v12(`[{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]`), "Has prohibited field NotPrincipal"},
	{"no action", trust(`"Principal":{"Service":"ec2.amazonaws.com"}`), msgNoActions},
	{"NotAction", trust(`"Principal":{"Service":"ec2.amazonaws.com"},"NotAction":"s3:*"`), msgTrustActions},
	{"wildcard action", trust(`"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:Assume*"`), ""},
	{"action case", trust(`"Principal":{"Service":"ec2.amazonaws.com"},"Action":"STS:assumerole"`), ""},
	{"empty principal", trust(`"Principal":{},"Action":"sts:AssumeRole"`), msgTrustNoPrincipal},
	{"empty principal list", trust(`"Principal":{"AWS":[]},"Action":"sts:AssumeRole"`), msgTrustNoPrincipal},
	{"principal string", trust(`"Principal":"ec2.amazonaws.com","Action":"sts:AssumeRole"`), msgSyntax},
	{"unknown principal type", trust(`"Principal":{"Role":"x"},"Action":"sts:AssumeRole"`), msgSyntax},
	{"second principal of the list", trust(`"Principal":{"AWS":["123456789012","12345"]},"Action":"sts:AssumeRole"`), `Invalid principal in policy: "AWS":"12345"`},
	{"AWS checked before Service", trust(`"Principal":{"Service":"nope","AWS":"nope"},"Action":"sts:AssumeRole"`), `Invalid principal in policy: "AWS":"nope"`},
	{"canonical user", trust(`"Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"sts:AssumeRole"`), `Invalid principal in policy: "CANONICAL_USER":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"`},
	{"role ARN with region", trust(`"Principal":{"AWS":"arn:aws:iam:us-east-1:123456789012:role/x"},"Action":"sts:AssumeRole"`), `Invalid principal in policy: "AWS":"arn:aws:iam:us-east-1:123456789012:role/x"`},
	{"legacy Effect case", trust(`"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Effect":"allow"`), msgLegacy},
	{"duplicate SIDs", v12(`[{"Sid":"a","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Sid":"a","Effect":"Allow","Principal":"*","Action":"sts:TagSession"}]`), msgSidUnique},
}

func TestParseTrust(t *testing.T) { runCases(t, trustCases, Trust) }

// Resource policies other than trust policies (rolecall's readings; the
// texts are AWS's own, from the rows above, except where marked).
var resourceCases = []parseCase{
	{"bucket policy", `{"Version":"2008-10-17","Id":"PolicyForCloudFront","Statement":[{"Sid":"1","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`, ""},
	{"canonical user", v12(`{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"*"}`), ""},
	{"deny with NotPrincipal", v12(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"*"}`), ""},
	{"not JSON", `{`, msgSyntax},
	// humanmade/S3-Uploads #191 (S3's text).
	{"no principal", v12(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), msgResourceNoPrincipal},
	{"allow with NotPrincipal", v12(`{"Effect":"Allow","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}`), msgNotPrincipalAllow},
	{"no resource", v12(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}`), msgNoResources},
	{"bad principal", v12(`{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"s3:GetObject","Resource":"*"}`), `Invalid principal in policy: "AWS":"alice"`},
}

func TestParseResource(t *testing.T) { runCases(t, resourceCases, Resource) }

func TestParseUnknownKind(t *testing.T) {
	_, err := Parse(ec2Trust, Kind(42))
	if e := awserr.As(err); e == nil || e.Code != "ServiceFailure" {
		t.Fatalf("Parse with an unknown kind = %v", err)
	}
}

func TestDocumentShape(t *testing.T) {
	doc := `{"Id":"x","Version":"2012-10-17","Statement":[
		{"Sid":"One","Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","*"],
		 "Condition":{"StringEquals":{"s3:prefix":"home/"},"Bool":{"aws:SecureTransport":true},
		              "NumericLessThan":{"s3:max-keys":[10,"2.50"]},"StringLike":{"a":"1"},"StringLike":{"b":"2"}}},
		{"Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":"*"}]}`
	d, err := Parse(doc, Identity)
	if err != nil {
		t.Fatal(err)
	}
	want := &Document{Version: "2012-10-17", ID: "x", Statements: []Statement{
		{Sid: "One", Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/*", "*"},
			Condition: map[string]map[string][]string{
				"StringEquals":    {"s3:prefix": {"home/"}},
				"Bool":            {"aws:SecureTransport": {"true"}},
				"NumericLessThan": {"s3:max-keys": {"10", "2.50"}},
				"StringLike":      {"b": {"2"}}, // a repeated operator: the last wins
			}},
		{Effect: "Deny", NotAction: []string{"iam:*", "sts:*"}, NotResource: []string{"*"}},
	}}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("got  %+v\nwant %+v", d, want)
	}

	tr, err := Parse(`{"Statement":{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com","ec2.amazonaws.com"],"AWS":"*"},"Action":"sts:AssumeRole"}}`, Trust)
	if err != nil {
		t.Fatal(err)
	}
	p := tr.Statements[0].Principal
	if tr.Version != "" || p.Any || !reflect.DeepEqual(p.ByType, map[string][]string{"Service": {"ecs-tasks.amazonaws.com", "ec2.amazonaws.com"}, "AWS": {"*"}}) {
		t.Fatalf("trust %+v principal %+v", tr, p)
	}
	any, err := Parse(trust(`"Principal":"*","Action":"sts:AssumeRole"`), Trust)
	if err != nil || !any.Statements[0].Principal.Any || any.Statements[0].Principal.ByType != nil {
		t.Fatalf("Principal \"*\": %+v, %v", any, err)
	}
}

func TestPrincipalLists(t *testing.T) {
	doc := v12(`[
		{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/a","*","123456789012"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
		{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com","AWS":"arn:aws:iam::123456789012:role/a"},"Action":"sts:AssumeRoleWithWebIdentity"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:user/b"},"Action":"sts:TagSession"}]`)
	d, err := Parse(doc, Trust)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.AWSPrincipals(), []string{"arn:aws:iam::123456789012:role/a", "123456789012", "arn:aws:iam::210987654321:user/b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AWSPrincipals = %q, want %q", got, want)
	}
	if got, want := d.ServicePrincipals(), []string{"ec2.amazonaws.com"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ServicePrincipals = %q, want %q", got, want)
	}
	if got, want := d.FederatedPrincipals(), []string{"cognito-identity.amazonaws.com"}; !reflect.DeepEqual(got, want) {
		t.Errorf("FederatedPrincipals = %q, want %q", got, want)
	}
	if got := (&Document{}).AWSPrincipals(); got != nil {
		t.Errorf("empty document AWSPrincipals = %q", got)
	}
}

func TestInvalidPrincipal(t *testing.T) {
	// opstrace/opstrace #88, databrickslabs/ucx #2269: a role that does not exist.
	e := InvalidPrincipal(InvalidPrincipalAWS, "arn:aws:iam::959325414060:role/bk-1588-092-a-eks-nodes")
	if e.Code != "MalformedPolicyDocument" || e.Status != 400 || !e.Sender ||
		e.Message != `Invalid principal in policy: "AWS":"arn:aws:iam::959325414060:role/bk-1588-092-a-eks-nodes"` {
		t.Fatalf("%+v", e)
	}
	// hashicorp/terraform #35086: a service IAM does not know.
	if got := InvalidPrincipal(InvalidPrincipalService, "tagging.amazonaws.com").Message; got != `Invalid principal in policy: "SERVICE":"tagging.amazonaws.com"` {
		t.Fatal(got)
	}
	// A value with a '%' is printed as is.
	if got := InvalidPrincipal("AWS", "100%").Message; got != `Invalid principal in policy: "AWS":"100%"` {
		t.Fatal(got)
	}
}

func TestNonWhitespaceLen(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{`{"a": 1}`, 7},
		{"{\n\t\"a\" :\r\n 1 }", 7},
		{`"é ü"`, 4}, // characters, not bytes
	} {
		if got := NonWhitespaceLen(tc.in); got != tc.want {
			t.Errorf("NonWhitespaceLen(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
	if n := NonWhitespaceLen(strings.Repeat(" ", 10) + ec2Trust); n != len(ec2Trust) {
		t.Errorf("got %d", n)
	}
}
