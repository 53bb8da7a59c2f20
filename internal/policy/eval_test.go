package policy

import (
	"reflect"
	"strings"
	"testing"
)

type evalCase struct {
	name     string
	ps       *PolicySet
	req      Request
	want     Result
	wantType PolicyType
	wantSid  string // of the deciding statement; "" = don't check
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, explain := range []bool{false, true} {
				req := tc.req
				req.Explain = explain
				d := Evaluate(tc.ps, &req)
				if d.Result != tc.want || d.Type != tc.wantType {
					t.Fatalf("explain=%v: %v by %v, want %v by %v", explain, d.Result, d.Type, tc.want, tc.wantType)
				}
				if tc.wantSid != "" && (d.Statement == nil || d.Statement.Sid != tc.wantSid) {
					t.Fatalf("explain=%v: deciding statement %+v, want Sid %q", explain, d.Statement, tc.wantSid)
				}
				if d.Result == ImplicitDeny && d.Statement != nil {
					t.Fatalf("implicit deny with a statement %+v", d.Statement)
				}
			}
		})
	}
}

func allowS3(t *testing.T, sid string) *Policy {
	return identity(t, `{"Sid":"`+sid+`","Effect":"Allow","Action":"s3:*","Resource":"*"}`)
}

func get(c Caller, resource string) Request {
	return Request{Caller: c, Action: "s3:GetObject", Resource: resource}
}

// IAM User Guide, "Policy evaluation logic": "By default, all requests are
// implicitly denied"; "An explicit deny in any policy overrides any allows".
func TestEvaluateIdentityPolicies(t *testing.T) {
	deny := identity(t, `{"Sid":"NoSecrets","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::secrets/*"}`)
	runEvalCases(t, []evalCase{
		{"no policies", &PolicySet{}, get(alice, "arn:aws:s3:::b/k"), ImplicitDeny, TypeIdentity, ""},
		{"allowed", &PolicySet{Identity: []*Policy{allowS3(t, "S3")}}, get(alice, "arn:aws:s3:::b/k"), Allowed, TypeIdentity, "S3"},
		{"other service", &PolicySet{Identity: []*Policy{allowS3(t, "S3")}},
			Request{Caller: alice, Action: "ec2:RunInstances", Resource: "*"}, ImplicitDeny, TypeIdentity, ""},
		{"explicit deny wins", &PolicySet{Identity: []*Policy{allowS3(t, "S3"), deny}}, get(alice, "arn:aws:s3:::secrets/k"), ExplicitDeny, TypeIdentity, "NoSecrets"},
		{"deny elsewhere", &PolicySet{Identity: []*Policy{allowS3(t, "S3"), deny}}, get(alice, "arn:aws:s3:::public/k"), Allowed, TypeIdentity, "S3"},
		{"NotAction allow", &PolicySet{Identity: []*Policy{identity(t, `{"Sid":"AllButIAM","Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)}},
			get(alice, "arn:aws:s3:::b/k"), Allowed, TypeIdentity, "AllButIAM"},
		{"NotAction excludes", &PolicySet{Identity: []*Policy{identity(t, `{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)}},
			Request{Caller: alice, Action: "iam:CreateUser", Resource: "*"}, ImplicitDeny, TypeIdentity, ""},
		{"NotResource", &PolicySet{Identity: []*Policy{identity(t, `{"Sid":"NR","Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secrets/*"}`)}},
			get(alice, "arn:aws:s3:::b/k"), Allowed, TypeIdentity, "NR"},
		{"NotResource excludes", &PolicySet{Identity: []*Policy{identity(t, `{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secrets/*"}`)}},
			get(alice, "arn:aws:s3:::secrets/k"), ImplicitDeny, TypeIdentity, ""},
		// "all requests are implicitly denied with the exception of the AWS
		// account root user, which has full access".
		{"root needs no policy", &PolicySet{}, get(root, "arn:aws:s3:::b/k"), Allowed, TypeIdentity, ""},
		{"root and a resource deny", &PolicySet{Resource: compileT(t, v12(`{"Sid":"D","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}`), Resource, TypeResource)},
			get(root, "arn:aws:s3:::b/k"), ExplicitDeny, TypeResource, "D"},
		{"services have no identity policies", &PolicySet{Identity: []*Policy{allowS3(t, "S3")}},
			get(Caller{Kind: CallerService, ARN: "s3.amazonaws.com"}, "arn:aws:s3:::b/k"), ImplicitDeny, TypeResource, ""},
	})
}

// IAM User Guide, "Service control policies (SCPs)": "an SCP must allow
// the action at every level from the root to the account"; RCPs likewise
// ("RCP evaluation").
func TestEvaluateOrganizations(t *testing.T) {
	full := identity(t, `{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}`)
	s3only := identity(t, `{"Sid":"S3Only","Effect":"Allow","Action":"s3:*","Resource":"*"}`)
	denyDelete := identity(t, `{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}`)
	rcpDeny := compileT(t, v12(`{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-1"}}}`), Resource, TypeRCP)
	rcpFull := compileT(t, v12(`{"Sid":"RCPFullAWSAccess","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), Resource, TypeRCP)
	id := []*Policy{allowS3(t, "S3")}
	runEvalCases(t, []evalCase{
		{"every level allows", &PolicySet{Identity: id, SCPs: [][]*Policy{{full}, {s3only}, {full}}}, get(alice, "arn:aws:s3:::b/k"), Allowed, TypeIdentity, "S3"},
		{"a level without allow", &PolicySet{Identity: []*Policy{full}, SCPs: [][]*Policy{{full}, {s3only}}},
			Request{Caller: alice, Action: "ec2:RunInstances", Resource: "*"}, ImplicitDeny, TypeSCP, ""},
		{"empty level", &PolicySet{Identity: id, SCPs: [][]*Policy{{full}, {}}}, get(alice, "arn:aws:s3:::b/k"), ImplicitDeny, TypeSCP, ""},
		{"SCP deny", &PolicySet{Identity: id, SCPs: [][]*Policy{{full, denyDelete}}},
			Request{Caller: alice, Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::b"}, ExplicitDeny, TypeSCP, "NoDelete"},
		{"SCPs do not grant", &PolicySet{SCPs: [][]*Policy{{full}}}, get(alice, "arn:aws:s3:::b/k"), ImplicitDeny, TypeIdentity, ""},
		{"SCP applies to the root user", &PolicySet{SCPs: [][]*Policy{{s3only}}},
			Request{Caller: root, Action: "ec2:RunInstances", Resource: "*"}, ImplicitDeny, TypeSCP, ""},
		{"RCP deny outside the org", &PolicySet{Identity: id, RCPs: [][]*Policy{{rcpFull, rcpDeny}}},
			Request{Caller: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctxOf("aws:PrincipalOrgID", "o-2")}, ExplicitDeny, TypeRCP, "OrgOnly"},
		{"RCP inside the org", &PolicySet{Identity: id, RCPs: [][]*Policy{{rcpFull, rcpDeny}}},
			Request{Caller: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctxOf("aws:PrincipalOrgID", "o-1")}, Allowed, TypeIdentity, "S3"},
		{"RCP without allow", &PolicySet{Identity: id, RCPs: [][]*Policy{{rcpDeny}}},
			Request{Caller: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctxOf("aws:PrincipalOrgID", "o-1")}, ImplicitDeny, TypeRCP, ""},
		// The RCP's deny is reported before an identity deny.
		{"RCP deny named first", &PolicySet{Identity: []*Policy{denyDelete}, RCPs: [][]*Policy{{rcpDeny}}},
			Request{Caller: alice, Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::b"}, ExplicitDeny, TypeRCP, "OrgOnly"},
	})
}

// IAM User Guide, "Permissions boundaries for IAM entities": the boundary
// example lets ShirleyRodriguez manage only S3, CloudWatch and EC2; her
// identity policy allowing iam:CreateUser then allows nothing. "Session
// policies": the session's permissions are the intersection of the role's
// identity policies and the session policies.
func TestEvaluateBoundaryAndSession(t *testing.T) {
	boundary := compileT(t, v12(`{"Sid":"Boundary","Effect":"Allow","Action":["s3:*","cloudwatch:*","ec2:*"],"Resource":"*"}`), Identity, TypeBoundary)
	createUser := identity(t, `{"Sid":"CreateUser","Effect":"Allow","Action":"iam:CreateUser","Resource":"*"}`)
	boundaryDeny := compileT(t, v12(`{"Sid":"NoPut","Effect":"Deny","Action":"s3:PutObject","Resource":"*"}`), Identity, TypeBoundary)
	session := compileT(t, v12(`{"Sid":"ReadOnly","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), Identity, TypeSession)
	sessionDeny := compileT(t, v12(`{"Sid":"NoGet","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`), Identity, TypeSession)
	s3 := []*Policy{allowS3(t, "S3")}
	runEvalCases(t, []evalCase{
		{"boundary blocks iam:CreateUser", &PolicySet{Identity: []*Policy{createUser}, Boundary: boundary},
			Request{Caller: alice, Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/x"}, ImplicitDeny, TypeBoundary, ""},
		{"boundary and identity allow", &PolicySet{Identity: s3, Boundary: boundary}, get(alice, "arn:aws:s3:::b/k"), Allowed, TypeIdentity, "S3"},
		{"boundary alone grants nothing", &PolicySet{Boundary: boundary}, get(alice, "arn:aws:s3:::b/k"), ImplicitDeny, TypeIdentity, ""},
		{"boundary deny", &PolicySet{Identity: s3, Boundary: boundaryDeny},
			Request{Caller: alice, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, ExplicitDeny, TypeBoundary, "NoPut"},
		{"session allows", &PolicySet{Identity: s3, Session: []*Policy{session}}, get(appSession, "arn:aws:s3:::b/k"), Allowed, TypeIdentity, "S3"},
		{"session does not allow", &PolicySet{Identity: s3, Session: []*Policy{session}},
			Request{Caller: appSession, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, ImplicitDeny, TypeSession, ""},
		{"session deny", &PolicySet{Identity: s3, Session: []*Policy{session, sessionDeny}}, get(appSession, "arn:aws:s3:::b/k"), ExplicitDeny, TypeSession, "NoGet"},
		{"session alone grants nothing", &PolicySet{Session: []*Policy{session}}, get(appSession, "arn:aws:s3:::b/k"), ImplicitDeny, TypeIdentity, ""},
		{"boundary checked before session", &PolicySet{Identity: s3, Boundary: compileT(t, v12(`{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`), Identity, TypeBoundary), Session: []*Policy{session}},
			Request{Caller: appSession, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, ImplicitDeny, TypeBoundary, ""},
	})
}

// IAM User Guide, "Policy evaluation logic", resource-based policies within
// one account, and "Permissions boundaries for IAM entities": a resource
// policy naming an IAM user, or a role session's ARN, allows on its own; one
// naming the role is limited by the boundary and session policies (also
// checked against AWS in "aws-iam-policy-evaluation-docs-are-incorrect");
// one naming the account needs identity policies.
func TestEvaluateSameAccountResourcePolicies(t *testing.T) {
	bucket := func(principal string) *Policy {
		return compileT(t, v12(`{"Sid":"Bucket","Effect":"Allow","Principal":`+principal+`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), Resource, TypeResource)
	}
	byUser := bucket(`{"AWS":"` + alice.ARN + `"}`)
	byRole := bucket(`{"AWS":"` + appSession.Issuer + `"}`)
	bySession := bucket(`{"AWS":"` + appSession.ARN + `"}`)
	byAccount := bucket(`{"AWS":"arn:aws:iam::` + acct + `:root"}`)
	byAccountID := bucket(`{"AWS":"` + acct + `"}`)
	anyone := bucket(`"*"`)
	ec2Boundary := compileT(t, v12(`{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`), Identity, TypeBoundary)
	ec2Session := compileT(t, v12(`{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`), Identity, TypeSession)
	s3 := []*Policy{allowS3(t, "S3")}
	obj := "arn:aws:s3:::b/k"
	runEvalCases(t, []evalCase{
		{"user named, no identity policy", &PolicySet{Resource: byUser}, get(alice, obj), Allowed, TypeResource, "Bucket"},
		{"user named, boundary does not allow", &PolicySet{Resource: byUser, Boundary: ec2Boundary}, get(alice, obj), Allowed, TypeResource, "Bucket"},
		{"another user named", &PolicySet{Resource: byUser}, get(Caller{Kind: CallerUser, ARN: "arn:aws:iam::" + acct + ":user/carol", Account: acct}, obj), ImplicitDeny, TypeIdentity, ""},
		{"role named, no identity policy", &PolicySet{Resource: byRole}, get(appSession, obj), Allowed, TypeResource, "Bucket"},
		{"role named, boundary does not allow", &PolicySet{Resource: byRole, Boundary: ec2Boundary}, get(appSession, obj), ImplicitDeny, TypeBoundary, ""},
		{"role named, session policy does not allow", &PolicySet{Resource: byRole, Session: []*Policy{ec2Session}}, get(appSession, obj), ImplicitDeny, TypeSession, ""},
		{"session named, boundary does not allow", &PolicySet{Resource: bySession, Boundary: ec2Boundary}, get(appSession, obj), Allowed, TypeResource, "Bucket"},
		{"session named, session policy does not allow", &PolicySet{Resource: bySession, Session: []*Policy{ec2Session}}, get(appSession, obj), Allowed, TypeResource, "Bucket"},
		{"account named, no identity policy", &PolicySet{Resource: byAccount}, get(alice, obj), ImplicitDeny, TypeIdentity, ""},
		{"account id named, no identity policy", &PolicySet{Resource: byAccountID}, get(appSession, obj), ImplicitDeny, TypeIdentity, ""},
		{"account named, identity allows", &PolicySet{Resource: byAccount, Identity: s3}, get(alice, obj), Allowed, TypeIdentity, "S3"},
		{"anyone", &PolicySet{Resource: anyone}, get(appSession, obj), Allowed, TypeResource, "Bucket"},
		{"anonymous, anyone", &PolicySet{Resource: anyone}, get(Caller{Kind: CallerAnonymous}, obj), Allowed, TypeResource, "Bucket"},
		{"anonymous, account named", &PolicySet{Resource: byAccount}, get(Caller{Kind: CallerAnonymous}, obj), ImplicitDeny, TypeResource, ""},
		{"resource does not match", &PolicySet{Resource: byUser}, get(alice, "arn:aws:s3:::other/k"), ImplicitDeny, TypeIdentity, ""},
		{"identity allows, no resource statement", &PolicySet{Resource: byRole, Identity: s3}, get(alice, obj), Allowed, TypeIdentity, "S3"},
	})
}

// IAM User Guide, "Cross-account policy evaluation logic": "the identity-
// based policy in the trusted account and the resource-based policy in the
// trusting account must both allow".
func TestEvaluateCrossAccount(t *testing.T) {
	bucket := func(principal string) *Policy {
		return compileT(t, v12(`{"Sid":"Bucket","Effect":"Allow","Principal":{"AWS":"`+principal+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), Resource, TypeResource)
	}
	s3 := []*Policy{allowS3(t, "S3")}
	req := get(otherUser, "arn:aws:s3:::b/k")
	req.ResourceAccount = acct
	runEvalCases(t, []evalCase{
		{"both allow", &PolicySet{Identity: s3, Resource: bucket(otherUser.ARN)}, req, Allowed, TypeIdentity, "S3"},
		{"account named, both allow", &PolicySet{Identity: s3, Resource: bucket(otherAcc)}, req, Allowed, TypeIdentity, "S3"},
		{"only the resource allows", &PolicySet{Resource: bucket(otherUser.ARN)}, req, ImplicitDeny, TypeIdentity, ""},
		{"only the identity allows", &PolicySet{Identity: s3}, req, ImplicitDeny, TypeResource, ""},
		{"resource names someone else", &PolicySet{Identity: s3, Resource: bucket(alice.ARN)}, req, ImplicitDeny, TypeResource, ""},
		{"root of another account", &PolicySet{Resource: bucket(otherAcc)}, Request{Caller: Caller{Kind: CallerRoot, ARN: "arn:aws:iam::" + otherAcc + ":root", Account: otherAcc},
			Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: acct}, Allowed, TypeIdentity, ""},
	})
}

// Trust policies: the role's resource-based policy for sts:AssumeRole
// (IAM User Guide, "IAM roles", "Roles terms and concepts": trust policy;
// "AWS JSON policy elements: Principal").
func TestEvaluateTrustPolicies(t *testing.T) {
	ecsTrust := compileT(t, `{"Version":"2012-10-17","Statement":[{"Sid":"ECS","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole",
		"Condition":{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:ecs:us-east-1:123456789012:*"}}}]}`, Trust, TypeResource)
	role := "arn:aws:iam::" + acct + ":role/app-task"
	assume := func(c Caller, ctx *Context) Request {
		return Request{Caller: c, Action: "sts:AssumeRole", Resource: role, ResourceAccount: acct, Context: ctx}
	}
	ecsTasks := Caller{Kind: CallerService, ARN: "ecs-tasks.amazonaws.com"}
	crossTrust := compileT(t, v12(`[{"Sid":"Other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+otherAcc+`:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x-1"}}},
		{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"`+alice.ARN+`"},"Action":["sts:AssumeRole","sts:TagSession"]},
		{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"sts:AssumeRole"}]`), Trust, TypeResource)
	webTrust := compileT(t, v12(`{"Sid":"Web","Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:pool"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}`), Trust, TypeResource)
	assumeAllowed := []*Policy{identity(t, `{"Sid":"Assume","Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+role+`"}`)}
	bobReq := assume(otherUser, ctxOf("sts:ExternalId", "x-1"))
	carol := Caller{Kind: CallerUser, ARN: "arn:aws:iam::" + acct + ":user/carol", Account: acct}
	runEvalCases(t, []evalCase{
		{"service principal", &PolicySet{Resource: ecsTrust}, assume(ecsTasks, ctxOf("aws:SourceArn", "arn:aws:ecs:us-east-1:123456789012:task/c/1")), Allowed, TypeResource, "ECS"},
		{"service principal, no source arn", &PolicySet{Resource: ecsTrust}, assume(ecsTasks, nil), Allowed, TypeResource, "ECS"},
		{"service principal, other account's task", &PolicySet{Resource: ecsTrust}, assume(ecsTasks, ctxOf("aws:SourceArn", "arn:aws:ecs:us-east-1:999999999999:task/c/1")), ImplicitDeny, TypeResource, ""},
		{"other service", &PolicySet{Resource: ecsTrust}, assume(Caller{Kind: CallerService, ARN: "ec2.amazonaws.com"}, nil), ImplicitDeny, TypeResource, ""},
		{"cross account with external id", &PolicySet{Resource: crossTrust, Identity: assumeAllowed}, bobReq, Allowed, TypeIdentity, "Assume"},
		{"cross account, wrong external id", &PolicySet{Resource: crossTrust, Identity: assumeAllowed}, assume(otherUser, ctxOf("sts:ExternalId", "nope")), ImplicitDeny, TypeResource, ""},
		{"cross account, no identity policy", &PolicySet{Resource: crossTrust}, bobReq, ImplicitDeny, TypeIdentity, ""},
		{"same account user named", &PolicySet{Resource: crossTrust}, assume(alice, nil), Allowed, TypeResource, "Alice"},
		{"same account, account named, no identity policy", &PolicySet{Resource: crossTrust}, assume(carol, nil), ImplicitDeny, TypeIdentity, ""},
		{"same account, account named, identity allows", &PolicySet{Resource: crossTrust, Identity: assumeAllowed}, assume(carol, nil), Allowed, TypeIdentity, "Assume"},
		{"tag session", &PolicySet{Resource: crossTrust}, Request{Caller: alice, Action: "sts:TagSession", Resource: role}, Allowed, TypeResource, "Alice"},
		{"web identity", &PolicySet{Resource: webTrust}, Request{Caller: Caller{Kind: CallerFederated, ARN: "cognito-identity.amazonaws.com"}, Action: "sts:AssumeRoleWithWebIdentity", Resource: role,
			Context: NewContext().Set("cognito-identity.amazonaws.com:aud", "us-east-1:pool").Set("cognito-identity.amazonaws.com:amr", "authenticated", "cognito-identity.amazonaws.com:us-east-1:x")}, Allowed, TypeResource, "Web"},
		{"web identity, unauthenticated", &PolicySet{Resource: webTrust}, Request{Caller: Caller{Kind: CallerFederated, ARN: "cognito-identity.amazonaws.com"}, Action: "sts:AssumeRoleWithWebIdentity", Resource: role,
			Context: NewContext().Set("cognito-identity.amazonaws.com:aud", "us-east-1:pool").Set("cognito-identity.amazonaws.com:amr", "unauthenticated")}, ImplicitDeny, TypeResource, ""},
	})
}

// IAM User Guide, "AWS JSON policy elements: NotPrincipal": with Deny, the
// principal escapes only when its account (and role, for a session) is
// listed too; "Permissions boundaries for IAM entities": NotPrincipal with
// Deny always denies a principal that has a boundary.
func TestEvaluateNotPrincipal(t *testing.T) {
	allowAll := `{"Sid":"All","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`
	notBob := compileT(t, v12(`[`+allowAll+`,{"Sid":"OnlyBob","Effect":"Deny","NotPrincipal":{"AWS":["`+otherUser.ARN+`","arn:aws:iam::`+otherAcc+`:root"]},"Action":"s3:*","Resource":"*"}]`), Resource, TypeResource)
	onlyBobARN := compileT(t, v12(`[`+allowAll+`,{"Sid":"OnlyBob","Effect":"Deny","NotPrincipal":{"AWS":"`+otherUser.ARN+`"},"Action":"s3:*","Resource":"*"}]`), Resource, TypeResource)
	sessionOnly := compileT(t, v12(`[`+allowAll+`,{"Sid":"OnlyApp","Effect":"Deny","NotPrincipal":{"AWS":["`+appSession.ARN+`","arn:aws:iam::`+acct+`:root"]},"Action":"s3:*","Resource":"*"}]`), Resource, TypeResource)
	sessionFull := compileT(t, v12(`[`+allowAll+`,{"Sid":"OnlyApp","Effect":"Deny","NotPrincipal":{"AWS":["`+appSession.ARN+`","`+appSession.Issuer+`","arn:aws:iam::`+acct+`:root"]},"Action":"s3:*","Resource":"*"}]`), Resource, TypeResource)
	s3 := []*Policy{allowS3(t, "S3")}
	bob := get(otherUser, "arn:aws:s3:::b/k")
	bob.ResourceAccount = acct
	runEvalCases(t, []evalCase{
		{"listed with account", &PolicySet{Resource: notBob, Identity: s3}, bob, Allowed, TypeIdentity, "S3"},
		{"not listed", &PolicySet{Resource: notBob}, get(alice, "arn:aws:s3:::b/k"), ExplicitDeny, TypeResource, "OnlyBob"},
		{"listed without account", &PolicySet{Resource: onlyBobARN, Identity: s3}, bob, ExplicitDeny, TypeResource, "OnlyBob"},
		{"session without role", &PolicySet{Resource: sessionOnly}, get(appSession, "arn:aws:s3:::b/k"), ExplicitDeny, TypeResource, "OnlyApp"},
		{"session, role and account", &PolicySet{Resource: sessionFull}, get(appSession, "arn:aws:s3:::b/k"), Allowed, TypeResource, "All"},
		{"boundary: always denied", &PolicySet{Resource: sessionFull, Boundary: compileT(t, v12(`{"Effect":"Allow","Action":"*","Resource":"*"}`), Identity, TypeBoundary)},
			get(appSession, "arn:aws:s3:::b/k"), ExplicitDeny, TypeResource, "OnlyApp"},
	})
}

func TestDecisionDetails(t *testing.T) {
	text := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\",\n     \"Condition\": {\"StringEquals\": {\"s3:prefix\": \"${aws:username}/\"}, \"Bool\": {\"aws:SecureTransport\": true}}},\n    {\"Sid\": \"B\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::b/${aws:PrincipalTag/team}/*\"}\n  ]\n}"
	p, err := CompileJSON(text, Identity, Source{ID: "arn:aws:iam::123456789012:policy/p", Type: TypeIdentity, Detail: "user-managed"})
	if err != nil {
		t.Fatal(err)
	}
	refs := p.Statements()
	// In a list a statement starts just after the '[' or the previous '}'
	// (positions_aws_test.go).
	if refs[0].Start != (Position{3, 17}) || refs[0].End != (Position{5, 110}) || refs[1].Start != (Position{5, 110}) || refs[1].End != (Position{6, 111}) {
		t.Errorf("positions %+v %+v / %+v %+v", refs[0].Start, refs[0].End, refs[1].Start, refs[1].End)
	}
	if refs[1].Source.ID != "arn:aws:iam::123456789012:policy/p" || refs[1].Source.Detail != "user-managed" || refs[1].Index != 1 || refs[1].Sid != "B" || refs[1].Effect != "Allow" {
		t.Errorf("ref %+v", refs[1])
	}
	if got, want := p.ContextKeys(), []string{"aws:SecureTransport", "s3:prefix", "aws:username", "aws:PrincipalTag/team"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ContextKeys = %q, want %q", got, want)
	}
	other := identity(t, `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"AWS:SECURETRANSPORT":"x","aws:RequestedRegion":"y"}}}`)
	if got, want := ContextKeys(p, nil, other), []string{"aws:SecureTransport", "s3:prefix", "aws:username", "aws:PrincipalTag/team", "aws:RequestedRegion"}; !reflect.DeepEqual(got, want) {
		t.Errorf("merged ContextKeys = %q, want %q", got, want)
	}

	// Explain: both statements are tried, both lack context.
	req := &Request{Caller: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/blue/k", Context: NewContext(), Explain: true}
	d := Evaluate(&PolicySet{Identity: []*Policy{p}}, req)
	if d.Result != ImplicitDeny || len(d.Matched) != 0 {
		t.Fatalf("%+v", d)
	}
	if want := []string{"aws:PrincipalTag/team", "aws:SecureTransport", "s3:prefix"}; !sameSet(d.Missing, want) {
		t.Errorf("Missing = %q, want %q", d.Missing, want)
	}
	// aws:username is missing too once s3:prefix is there.
	req.Context = ctxOf("s3:prefix", "alice/")
	d = Evaluate(&PolicySet{Identity: []*Policy{p}}, req)
	if want := []string{"aws:PrincipalTag/team", "aws:SecureTransport", "aws:username"}; !sameSet(d.Missing, want) {
		t.Errorf("Missing = %q, want %q", d.Missing, want)
	}
	// Everything given: both statements match.
	req.Context = ctxOf("s3:prefix", "alice/", "aws:username", "alice", "aws:SecureTransport", "true", "aws:PrincipalTag/team", "blue")
	d = Evaluate(&PolicySet{Identity: []*Policy{p}}, req)
	if d.Result != Allowed || len(d.Missing) != 0 || len(d.Matched) != 2 || d.Matched[0] != refs[0] || d.Matched[1] != refs[1] || d.Statement != refs[0] {
		t.Fatalf("%+v", d)
	}
	if !d.Types[TypeIdentity].Applicable || !d.Types[TypeIdentity].Allowed || d.Types[TypeBoundary].Applicable {
		t.Errorf("types %+v", d.Types)
	}
	// Without Explain, nothing is collected.
	req.Explain = false
	d = Evaluate(&PolicySet{Identity: []*Policy{p}}, req)
	if d.Matched != nil || d.Missing != nil || d.Statement != refs[0] {
		t.Errorf("%+v", d)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, s := range a {
		m[s] = true
	}
	for _, s := range b {
		if !m[s] {
			return false
		}
	}
	return true
}

func TestAddCaller(t *testing.T) {
	c := NewContext().Set("aws:username", "override")
	c.AddCaller(Caller{Kind: CallerUser, ARN: alice.ARN, Account: acct, Name: "alice", UserID: "AIDAX", Tags: map[string]string{"team": "blue", "a": "1"}})
	for k, want := range map[string]string{
		"aws:username": "override", "AWS:PrincipalArn": alice.ARN, "aws:PrincipalAccount": acct,
		"aws:PrincipalType": "User", "aws:userid": "AIDAX", "aws:principaltag/team": "blue",
	} {
		if v, ok := c.Values(k); !ok || len(v) != 1 || v[0] != want {
			t.Errorf("%s = %q, %v; want %q", k, v, ok, want)
		}
	}
	s := NewContext().AddCaller(appSession)
	if v, _ := s.Values("aws:PrincipalArn"); len(v) != 1 || v[0] != appSession.Issuer {
		t.Errorf("session aws:PrincipalArn = %q", v)
	}
	if _, ok := s.Values("aws:username"); ok {
		t.Error("a role session has aws:username")
	}
	if v, _ := s.Values("aws:PrincipalType"); len(v) != 1 || v[0] != "AssumedRole" {
		t.Errorf("aws:PrincipalType = %q", v)
	}
}

func TestContext(t *testing.T) {
	c := NewContext().Set("A", "1").Add("a", "2").Set("b")
	if v, ok := c.Values("a"); !ok || !reflect.DeepEqual(v, []string{"1", "2"}) {
		t.Errorf("a = %q %v", v, ok)
	}
	if v, ok := c.Values("B"); !ok || len(v) != 0 {
		t.Errorf("b = %q %v", v, ok)
	}
	c.Delete("a")
	if _, ok := c.Values("A"); ok || !reflect.DeepEqual(c.Keys(), []string{"b"}) {
		t.Errorf("after Delete: %q", c.Keys())
	}
	// Large contexts use the map.
	big := NewContext()
	for i := 0; i < 20; i++ {
		big.Set("Key"+strings.Repeat("x", i), "v")
	}
	if v, ok := big.Values("KEYXXXXXXXXXXXXXXXXXXX"); !ok || v[0] != "v" {
		t.Error("big context lookup")
	}
	big.Delete("key")
	if _, ok := big.Values("keyx"); !ok {
		t.Error("Delete shifted the index wrongly")
	}
	var nilCtx *Context
	if _, ok := nilCtx.lookup("a"); ok {
		t.Error("nil context has keys")
	}
}

// The AWS CLI documentation's simulate-custom-policy example 1: the
// one-line policy's statement is at StartPosition {1, 38}, EndPosition
// {1, 167}.
func TestPositionsAWSExample(t *testing.T) {
	p := compileT(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`, Identity, TypeIdentity)
	ref := p.Statements()[0]
	if ref.Start != (Position{1, 38}) || ref.End != (Position{1, 167}) {
		t.Fatalf("positions %+v %+v", ref.Start, ref.End)
	}
	// The example's decisions: allowed at 2019-04-25T11:00:00Z, implicitly
	// denied at 2014-04-25T11:00:00Z.
	for when, want := range map[string]Result{"2019-04-25T11:00:00Z": Allowed, "2014-04-25T11:00:00Z": ImplicitDeny} {
		d := Evaluate(&PolicySet{Identity: []*Policy{p}}, &Request{Caller: alice, Action: "dynamodb:CreateBackup", Resource: "*", Context: ctxOf("aws:CurrentTime", when)})
		if d.Result != want {
			t.Errorf("at %s: %v, want %v", when, d.Result, want)
		}
	}
}
