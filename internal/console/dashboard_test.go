package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// The IAM Dashboard: the account summary's counts with their quotas, and
// the AWS Account section with the alias (Create, Edit, Delete) and the
// sign-in URL; the header shows the alias once there is one.
func TestDashboard(t *testing.T) {
	e := newEnv(t)
	e.user(t, "ana")
	e.user(t, "bo")
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))(t)
	e.role(t, "app", tasksTrust)
	must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("s3-read"), PolicyDocument: aws.String(s3Read)}))(t)
	b := e.signedIn(t, "test", "test")

	body := b.getAs(http.StatusOK, "/console/iam")
	has(t, body, "<h1>IAM Dashboard</h1>", "IAM resources", `<a href="/console/iam" aria-current="page">Dashboard</a>`,
		`<a href="/console/iam/groups">User groups</a></td><td class="count">1</td><td>300</td>`,
		`<a href="/console/iam/users">Users</a></td><td class="count">2</td><td>5000</td>`,
		`<a href="/console/iam/roles">Roles</a></td><td class="count">1</td><td>1000</td>`,
		`<a href="/console/iam/policies?type=customer">Policies</a></td><td class="count">1</td><td>1500</td>`,
		`Policy versions in use</td><td class="count">1</td><td>10000</td>`,
		"<td>Access keys per user</td><td>2</td>", "<td>Role trust policy size (characters)</td><td>2048</td>",
		`<dd id="account-id">`+account+`</dd>`, "Sign-in URL for IAM users in this account", "/console/signin?account="+account, ">Create</summary>")
	hasNot(t, body, `id="account-alias"`, `id="delete-alias"`)

	// "In the AWS Account section, next to Account Alias, choose Create."
	_, body = b.post("/console/iam/alias", url.Values{"alias": {"my-team"}})
	has(t, body, "Account alias my-team created.", `<span id="alias-value">my-team</span>`, `<span class="alias" id="account-alias" title="Account alias">Account alias: my-team</span>`,
		"/console/signin?account=my-team", ">Edit</summary>")
	if got := must(e.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}))(t).AccountAliases; len(got) != 1 || got[0] != "my-team" {
		t.Errorf("aliases %v", got)
	}
	// The API's validation, in its words; the alias stays.
	_, body = b.post("/console/iam/alias", url.Values{"alias": {"My_Team"}})
	has(t, body, "ValidationError: 1 validation error detected: Value at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern", "Account alias: my-team")
	// Edit: the new alias replaces the old.
	_, body = b.post("/console/iam/alias", url.Values{"alias": {"our-team"}})
	has(t, body, "Account alias our-team created.", "Account alias: our-team")
	// The alias's sign-in URL fills the account in.
	_, body = e.browser(t).get("/console/signin?account=our-team")
	has(t, body, `<input id="account" name="account" value="our-team" required>`)
	// Another session reads it for its header, on any page.
	_, body = e.signedIn(t, "test", "test").get("/console/iam/roles")
	has(t, body, "Account alias: our-team")

	b.refusesForgery("/console/iam/alias/delete", url.Values{"alias": {"our-team"}})
	b.refusesForgery("/console/iam/alias", url.Values{"alias": {"forged"}})
	if got := must(e.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}))(t).AccountAliases; len(got) != 1 || got[0] != "our-team" {
		t.Errorf("aliases after forged posts %v", got)
	}

	// "next to Account Alias, choose Delete."
	_, body = b.post("/console/iam/alias/delete", url.Values{"alias": {"our-team"}})
	has(t, body, "Account alias our-team deleted.", "/console/signin?account="+account)
	hasNot(t, body, `id="account-alias"`)
	if got := must(e.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}))(t).AccountAliases; len(got) != 0 {
		t.Errorf("aliases %v", got)
	}
}

// A user who may read nothing sees each part of the Dashboard refused in
// the console's words; one who may read but not create an alias is
// refused the alias.
func TestDashboardDenied(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("my-team")}))(t)
	keyID, secret := e.user(t, "viewer")
	b := e.signedIn(t, keyID, secret)
	body := b.getAs(http.StatusForbidden, "/console/iam")
	user := "arn:aws:iam::" + account + ":user/viewer"
	has(t, body, "You need permissions", "You do not have the permission required to perform this operation. Ask your administrator to add permissions.",
		"User: "+user+" is not authorized to perform: iam:GetAccountSummary on resource: *",
		`<dd class="action">iam:GetAccountSummary</dd>`, `<dd class="action">iam:ListAccountAliases</dd>`, "<dt>Resource</dt><dd>*</dd>")
	hasNot(t, body, "Account alias: my-team", "resource-counts")

	keyID, secret = e.user(t, "reader", "iam:GetAccountSummary", "iam:ListAccountAliases")
	rb := e.signedIn(t, keyID, secret)
	_, body = rb.get("/console/iam")
	has(t, body, "Account alias: my-team", `<span id="alias-value">my-team</span>`, "resource-counts")
	_, body = rb.post("/console/iam/alias", url.Values{"alias": {"their-team"}})
	has(t, body, "You need permissions", "User: arn:aws:iam::"+account+":user/reader is not authorized to perform: iam:CreateAccountAlias on resource: *",
		`<dd class="action">iam:CreateAccountAlias</dd>`, "Account alias: my-team")
	_, body = rb.post("/console/iam/alias/delete", url.Values{"alias": {"my-team"}})
	has(t, body, `<dd class="action">iam:DeleteAccountAlias</dd>`)
	if got := must(e.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}))(t).AccountAliases; len(got) != 1 || got[0] != "my-team" {
		t.Errorf("aliases %v", got)
	}
}
