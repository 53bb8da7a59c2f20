package policy

import "testing"

// IAM User Guide, "Policy evaluation logic" (identity-based and
// resource-based policies in one account): "Role trust policies and KMS key
// policies are exceptions to this logic, because they must explicitly allow
// access for principals." An identity policy allowing sts:AssumeRole (or a
// key's kms: actions) is not enough in the role's own account: the trust
// (key) policy must allow the principal, or its account and then the
// identity policy too. The differential test (internal/policy/oracle)
// found this against @cloud-copilot/iam-simulate.
func TestTrustAndKeyPoliciesMustAllow(t *testing.T) {
	role := "arn:aws:iam::" + acct + ":role/target"
	key := "arn:aws:kms:us-east-1:" + acct + ":key/k1"
	serviceOnly := compileT(t, v12(`{"Sid":"ECS","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}`), Trust, TypeResource)
	accountTrust := compileT(t, v12(`{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"sts:AssumeRole"}`), Trust, TypeResource)
	otherKeyPolicy := compileT(t, v12(`{"Sid":"Other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+otherAcc+`:root"},"Action":"kms:*","Resource":"*"}`), Resource, TypeResource)
	accountKeyPolicy := compileT(t, v12(`{"Sid":"EnableIAM","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"kms:*","Resource":"*"}`), Resource, TypeResource)
	bucketPolicy := compileT(t, v12(`{"Sid":"Other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+otherAcc+`:root"},"Action":"s3:*","Resource":"*"}`), Resource, TypeResource)
	mayAssume := []*Policy{identity(t, `{"Sid":"Assume","Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`)}
	mayDecrypt := []*Policy{identity(t, `{"Sid":"Decrypt","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}`)}
	assume := func(c Caller) Request { return Request{Caller: c, Action: "sts:AssumeRole", Resource: role} }
	decrypt := Request{Caller: alice, Action: "kms:Decrypt", Resource: key}
	runEvalCases(t, []evalCase{
		{"trust names only a service: identity policy not enough", &PolicySet{Resource: serviceOnly, Identity: mayAssume}, assume(alice), ImplicitDeny, TypeResource, ""},
		{"trust names only a service: a role session", &PolicySet{Resource: serviceOnly, Identity: mayAssume}, assume(appSession), ImplicitDeny, TypeResource, ""},
		{"trust names only a service: the root user", &PolicySet{Resource: serviceOnly}, assume(root), ImplicitDeny, TypeResource, ""},
		{"trust names the account: identity policy decides", &PolicySet{Resource: accountTrust, Identity: mayAssume}, assume(alice), Allowed, TypeIdentity, "Assume"},
		{"trust names the account, no identity policy", &PolicySet{Resource: accountTrust}, assume(alice), ImplicitDeny, TypeIdentity, ""},
		{"key policy names another account", &PolicySet{Resource: otherKeyPolicy, Identity: mayDecrypt}, decrypt, ImplicitDeny, TypeResource, ""},
		{"key policy enables IAM policies", &PolicySet{Resource: accountKeyPolicy, Identity: mayDecrypt}, decrypt, Allowed, TypeIdentity, "Decrypt"},
		{"other resource policies do not need to allow", &PolicySet{Resource: bucketPolicy, Identity: []*Policy{allowS3(t, "S3")}}, get(alice, "arn:aws:s3:::b/k"), Allowed, TypeIdentity, "S3"},
	})
}
