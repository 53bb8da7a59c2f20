package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

const (
	readOnlyAccess = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	viewOnlyAccess = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
	s3Write        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`
)

// policy creates a customer managed policy and answers its ARN.
func (e *env) policy(t testing.TB, name, doc string) string {
	t.Helper()
	p := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc), Description: aws.String("reads objects")}))(t).Policy
	return aws.ToString(p.Arn)
}

// The Policies list: every managed policy with its type and use, filtered
// by type through ListPolicies, searched by name.
func TestPoliciesPage(t *testing.T) {
	e := newEnv(t)
	arn := e.policy(t, "s3-read", s3Read)
	e.role(t, "app", tasksTrust)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(arn)}))(t)
	b := e.signedIn(t, "test", "test")

	body := b.getAs(http.StatusOK, "/console/iam/policies")
	has(t, body, "<th>Policy name</th><th>Type</th><th>Used as</th>", `<a href="/console/iam/policies" aria-current="page">Policies</a>`,
		`<tr data-policy="`+arn+`"><td><a href="/console/iam/policies/details/`+arn+`">s3-read</a></td><td>Customer managed</td><td>Permissions policy (1)</td></tr>`,
		`<a href="/console/iam/policies/details/`+readOnlyAccess+`">ReadOnlyAccess</a></td><td>AWS managed</td><td>None</td>`,
		`<a href="/console/iam/policies/details/`+viewOnlyAccess+`">ViewOnlyAccess</a></td><td>AWS managed - job function</td>`)

	_, body = b.get("/console/iam/policies?type=customer")
	has(t, body, `Policies <span class="count">(1)</span>`, `data-policy="`+arn+`"`, `<option value="customer" selected>Customer managed</option>`)
	hasNot(t, body, `data-policy="`+readOnlyAccess+`"`)
	_, body = b.get("/console/iam/policies?type=job")
	has(t, body, `data-policy="`+viewOnlyAccess+`"`, `<option value="job" selected>AWS managed - job function</option>`)
	hasNot(t, body, `data-policy="`+readOnlyAccess+`"`, `data-policy="`+arn+`"`)
	_, body = b.get("/console/iam/policies?type=aws")
	has(t, body, `data-policy="`+viewOnlyAccess+`"`, `data-policy="`+readOnlyAccess+`"`)
	hasNot(t, body, `data-policy="`+arn+`"`)
	_, body = b.get("/console/iam/policies?q=READONLYACCESS")
	has(t, body, `data-policy="`+readOnlyAccess+`"`, `data-policy="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"`)
	hasNot(t, body, `data-policy="`+viewOnlyAccess+`"`, `data-policy="`+arn+`"`)
	_, body = b.get("/console/iam/policies?type=customer&q=nothing")
	has(t, body, "No policies match “nothing”.")

	// A role's permissions link to their policies' pages.
	_, body = b.get("/console/iam/roles/details/app")
	has(t, body, `<a href="/console/iam/policies/details/`+arn+`">s3-read</a>`)
}

// A policy's page: its details, the default version's document, the
// entities it is attached to (linked to their pages), and its versions,
// of which a customer managed policy's default is set there.
func TestPolicyPage(t *testing.T) {
	e := newEnv(t)
	arn := e.policy(t, "s3", s3Read)
	must(e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(s3Write), SetAsDefault: true}))(t)
	e.role(t, "app", tasksTrust)
	e.user(t, "ana")
	e.user(t, "bo")
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))(t)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(arn)}))(t)
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ana"), PolicyArn: aws.String(arn)}))(t)
	must(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(arn)}))(t)
	must(e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bo"), PermissionsBoundary: aws.String(arn)}))(t)
	b := e.signedIn(t, "test", "test")
	page := "/console/iam/policies/details/" + arn

	body := b.getAs(http.StatusOK, page)
	has(t, body, `<h1 id="policy-name">s3</h1>`, `<dd id="policy-type">Customer managed</dd>`, "<code>"+arn+"</code>",
		`<dd id="policy-description">reads objects</dd>`, "The document of the default version, v2.", `"Action": "s3:PutObject"`,
		`<a href="`+page+`?tab=permissions" id="tab-permissions" aria-current="page">Permissions</a>`)
	hasNot(t, body, "s3:GetObject")

	_, body = b.get(page + "?tab=entities")
	has(t, body, "Entities attached (4)",
		`<tr><td><a href="/console/iam/groups/details/devs">devs</a></td><td>Group</td><td>Permissions policy</td></tr>`,
		`<tr><td><a href="/console/iam/users/details/ana">ana</a></td><td>User</td><td>Permissions policy</td></tr>`,
		`<tr><td><a href="/console/iam/roles/details/app">app</a></td><td>Role</td><td>Permissions policy</td></tr>`,
		`<tr><td><a href="/console/iam/users/details/bo">bo</a></td><td>User</td><td>Permissions boundary</td></tr>`)

	_, body = b.get(page + "?tab=versions")
	has(t, body, "Policy versions (2)", `<input type="radio" name="version" value="v1" aria-label="Select v1">`, `v2</a> <span class="badge">Default version</span>`, "Set as default")
	hasNot(t, body, `value="v2" aria-label`)
	_, body = b.get(page + "?tab=versions&version=v1")
	has(t, body, "<h2>v1</h2>", `"Action": "s3:GetObject"`)

	// "Select the check box next to the version that you want to set as
	// the default version, and then choose Set as default."
	b.refusesForgery("/console/iam/policies/default", url.Values{"policy": {arn}, "version": {"v1"}})
	if v := aws.ToString(must(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy.DefaultVersionId); v != "v2" {
		t.Errorf("forged posts set the default version to %s", v)
	}
	_, body = b.post("/console/iam/policies/default", url.Values{"policy": {arn}})
	has(t, body, "Select the version to set as the default version.")
	_, body = b.post("/console/iam/policies/default", url.Values{"policy": {arn}, "version": {"v1"}})
	has(t, body, "Version v1 is now the default version.", `v1</a> <span class="badge">Default version</span>`)
	if v := aws.ToString(must(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy.DefaultVersionId); v != "v1" {
		t.Errorf("default version %s", v)
	}
	_, body = b.post("/console/iam/policies/default", url.Values{"policy": {arn}, "version": {"v9"}})
	has(t, body, "NoSuchEntity: ")

	// An AWS managed job function policy: its default is AWS's.
	_, body = b.get("/console/iam/policies/details/" + viewOnlyAccess)
	has(t, body, `<h1 id="policy-name">ViewOnlyAccess</h1>`, `<dd id="policy-type">AWS managed - job function</dd>`, `"Version": "2012-10-17"`)
	_, body = b.get("/console/iam/policies/details/" + viewOnlyAccess + "?tab=versions")
	has(t, body, "For AWS managed policies, the default version is set by AWS.")
	hasNot(t, body, `id="set-default"`)

	body = b.getAs(http.StatusNotFound, "/console/iam/policies/details/arn:aws:iam::"+account+":policy/nope")
	has(t, body, "NoSuchEntity: Policy arn:aws:iam::"+account+":policy/nope was not found.")
}

// Each request of the Policies pages is the principal's: a refusal is
// shown in the console's words with its action and resource.
func TestPoliciesDenied(t *testing.T) {
	e := newEnv(t)
	arn := e.policy(t, "s3", s3Read)
	must(e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(s3Write), SetAsDefault: true}))(t)

	keyID, secret := e.user(t, "viewer")
	body := e.signedIn(t, keyID, secret).getAs(http.StatusForbidden, "/console/iam/policies")
	has(t, body, "You need permissions", "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:ListPolicies on resource: ",
		`<dd class="action">iam:ListPolicies</dd>`)

	// May read the policy but not its versions' documents.
	keyID, secret = e.user(t, "lister", "iam:ListPolicies", "iam:GetPolicy", "iam:ListPolicyVersions", "iam:ListEntitiesForPolicy")
	lb := e.signedIn(t, keyID, secret)
	_, body = lb.get("/console/iam/policies/details/" + arn)
	has(t, body, `<dd id="policy-type">Customer managed</dd>`, "You need permissions",
		"User: arn:aws:iam::"+account+":user/lister is not authorized to perform: iam:GetPolicyVersion on resource: policy "+arn,
		`<dd class="action">iam:GetPolicyVersion</dd>`, "<dt>Resource</dt><dd>"+arn+"</dd>")
	// May not set the default version.
	lb.get("/console/iam/policies/details/" + arn + "?tab=versions")
	_, body = lb.post("/console/iam/policies/default", url.Values{"policy": {arn}, "version": {"v1"}})
	has(t, body, "Policy versions (2)", `<dd class="action">iam:SetDefaultPolicyVersion</dd>`,
		"is not authorized to perform: iam:SetDefaultPolicyVersion on resource: policy "+arn)
	if v := aws.ToString(must(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy.DefaultVersionId); v != "v2" {
		t.Errorf("default version %s", v)
	}
}

// Another account's managed policy, named by its ARN in a URL or a form,
// is refused by the API as a signed request for it is.
func TestPolicyOfAnotherAccount(t *testing.T) {
	e := newEnv(t)
	arn := e.policy(t, "secret", s3Read)
	b := e.signedIn(t, "111111111111", "test")
	denied := "User: arn:aws:iam::111111111111:root is not authorized to perform: iam:GetPolicy on resource: policy " + arn
	for _, tab := range []string{"", "?tab=entities", "?tab=versions&version=v1"} {
		has(t, b.getAs(http.StatusForbidden, "/console/iam/policies/details/"+arn+tab), denied)
	}
	_, body := b.post("/console/iam/policies/default", url.Values{"policy": {arn}, "version": {"v1"}})
	has(t, body, "not authorized to perform: iam:SetDefaultPolicyVersion on resource: policy "+arn)
	b.post("/console/iam/roles/create", url.Values{"type": {"custom"}, "trust": {tasksTrust}, "name": {"mine"}})
	_, body = b.post("/console/iam/roles/details/mine/attach", url.Values{"policy": {arn}})
	has(t, body, "NoSuchEntity: Policy "+arn+" does not exist or is not attachable.")
}
