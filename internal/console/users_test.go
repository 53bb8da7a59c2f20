package console_test

import (
	"html"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func (e *env) group(t testing.TB, name string, users ...string) {
	t.Helper()
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(name)}))(t)
	for _, u := range users {
		must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(name), UserName: aws.String(u)}))(t)
	}
}

func (e *env) groupsOf(t testing.TB, user string) []string {
	t.Helper()
	var names []string
	for _, g := range must(e.iam.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String(user)}))(t).Groups {
		names = append(names, aws.ToString(g.GroupName))
	}
	slices.Sort(names)
	return names
}

func (e *env) keysOf(t testing.TB, user string) map[string]string {
	t.Helper()
	keys := map[string]string{}
	for _, k := range must(e.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(user)}))(t).AccessKeyMetadata {
		keys[aws.ToString(k.AccessKeyId)] = string(k.Status)
	}
	return keys
}

func TestUsersPage(t *testing.T) {
	e := newEnv(t)
	e.user(t, "ana")
	e.user(t, "bo")
	e.group(t, "devs", "ana")
	e.group(t, "ops", "ana")
	b := e.signedIn(t, "test", "test")

	body := b.getAs(http.StatusOK, "/console/iam/users")
	has(t, body, `Users <span class="count">(2)</span>`, "<th>User name</th><th>Path</th><th>Groups</th><th>Console last sign-in</th><th>Creation time</th>",
		`<tr data-user="ana"><td><a href="/console/iam/users/details/ana">ana</a></td><td>/</td><td>2</td><td>Never</td>`,
		`<tr data-user="bo"><td><a href="/console/iam/users/details/bo">bo</a></td><td>/</td><td>0</td>`)
	_, body = b.get("/console/iam/users?q=AN")
	has(t, body, `data-user="ana"`)
	hasNot(t, body, `data-user="bo"`)

	// Without iam:ListUsers: the console's refusal. With it but without
	// GetAccountAuthorizationDetails: the list, and why Groups is empty.
	keyID, secret := e.user(t, "viewer")
	body = e.signedIn(t, keyID, secret).getAs(http.StatusForbidden, "/console/iam/users")
	has(t, body, "You need permissions", "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::"+account+":user/",
		`<dd class="action">iam:ListUsers</dd>`)
	keyID, secret = e.user(t, "lister", "iam:ListUsers")
	_, body = e.signedIn(t, keyID, secret).get("/console/iam/users")
	has(t, body, `data-user="ana"`, "Groups are not shown", `<dd class="action">iam:GetAccountAuthorizationDetails</dd>`)
}

// A user's page: Summary, Permissions (attached and inline, linked to the
// policies), Groups (add, remove), Tags.
func TestUserPage(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ana"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}))(t)
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ana"), PolicyArn: aws.String(readOnlyAccess)}))(t)
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ana"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(s3Read)}))(t)
	e.group(t, "devs", "ana")
	e.group(t, "ops")
	e.group(t, "qa")
	b := e.signedIn(t, "test", "test")

	body := b.getAs(http.StatusOK, "/console/iam/users/details/ANA")
	has(t, body, `<h1 id="user-name">ana</h1>`, "<code>arn:aws:iam::"+account+":user/ana</code>", `<dd id="user-last-signin">Never</dd>`,
		`<a href="/console/iam/policies/details/`+readOnlyAccess+`">ReadOnlyAccess</a></td><td>AWS managed</td>`, "<td>s3</td><td>Customer inline</td>",
		`<a href="/console/iam/users" aria-current="page">Users</a>`)
	_, body = b.get("/console/iam/users/details/ana?tab=tags")
	has(t, body, "<td>team</td><td>web</td>")

	_, body = b.get("/console/iam/users/details/ana?tab=groups")
	has(t, body, "User groups membership (1)", `<a href="/console/iam/groups/details/devs">devs</a>`, `aria-label="Add to ops"`, `aria-label="Add to qa"`)
	hasNot(t, body, `aria-label="Add to devs"`)
	b.refusesForgery("/console/iam/users/details/ana/groups", url.Values{"group": {"ops"}})
	b.refusesForgery("/console/iam/users/details/ana/groups/remove", url.Values{"group": {"devs"}})
	if g := e.groupsOf(t, "ana"); !slices.Equal(g, []string{"devs"}) {
		t.Errorf("forged posts changed the groups: %v", g)
	}
	_, body = b.post("/console/iam/users/details/ana/groups", nil)
	has(t, body, "Select the groups to add the user to.")
	_, body = b.post("/console/iam/users/details/ana/groups", url.Values{"group": {"ops", "qa"}})
	has(t, body, "ana added to ops, qa.", "User groups membership (3)")
	_, body = b.post("/console/iam/users/details/ana/groups/remove", url.Values{"group": {"devs"}})
	has(t, body, "ana removed from devs.", "User groups membership (2)")
	if g := e.groupsOf(t, "ana"); !slices.Equal(g, []string{"ops", "qa"}) {
		t.Errorf("groups %v", g)
	}

	body = b.getAs(http.StatusNotFound, "/console/iam/users/details/nope")
	has(t, body, "NoSuchEntity: The user with name nope cannot be found.")

	// A user who may read but not change membership is refused, naming
	// the group the decision was on.
	keyID, secret := e.user(t, "reader", "iam:Get*", "iam:List*")
	rb := e.signedIn(t, keyID, secret)
	rb.get("/console/iam/users/details/ana?tab=groups")
	_, body = rb.post("/console/iam/users/details/ana/groups", url.Values{"group": {"devs"}})
	has(t, body, "You need permissions", `<dd class="action">iam:AddUserToGroup</dd>`,
		"User: arn:aws:iam::"+account+":user/reader is not authorized to perform: iam:AddUserToGroup on resource: group devs because",
		"<dt>Resource</dt><dd>arn:aws:iam::"+account+":group/devs</dd>")
	if g := e.groupsOf(t, "ana"); !slices.Equal(g, []string{"ops", "qa"}) {
		t.Errorf("groups %v", g)
	}
	// One who may not read the user sees the refusal in place of the page.
	keyID, secret = e.user(t, "viewer")
	body = e.signedIn(t, keyID, secret).getAs(http.StatusForbidden, "/console/iam/users/details/ana")
	has(t, body, `<dd class="action">iam:GetUser</dd>`, "<dt>Resource</dt><dd>arn:aws:iam::"+account+":user/ana</dd>")
}

// Security credentials: the console password's status, and the access
// keys created, deactivated, activated and deleted as the IAM User Guide's
// "Managing access keys (console)" words it.
func TestUserCredentials(t *testing.T) {
	e := newEnv(t)
	first, _ := e.user(t, "ana")
	e.user(t, "bo")
	must(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("ana"), Password: aws.String("Temporary-pass-1"), PasswordResetRequired: true}))(t)
	b := e.signedIn(t, "test", "test")
	page := "/console/iam/users/details/ana?tab=credentials"

	_, body := b.get(page)
	has(t, body, `<dd id="console-password">Enabled (set `, `<dd id="password-reset">Yes</dd>`, "Access keys (1)",
		`<tr data-key="`+first+`"><td><code>`+first+`</code></td><td class="key-status">Active</td>`, `id="deactivate-`+first+`"`, "Deactivate the key to delete it.",
		`<button type="submit" class="secondary" id="create-key">Create access key</button>`)
	_, body = b.get("/console/iam/users/details/bo?tab=credentials")
	has(t, body, `<dd id="console-password">Not enabled</dd>`)

	b.refusesForgery("/console/iam/users/details/ana/keys", nil)
	b.refusesForgery("/console/iam/users/details/ana/keys/status", url.Values{"key": {first}, "status": {"Inactive"}})
	if k := e.keysOf(t, "ana"); len(k) != 1 || k[first] != "Active" {
		t.Errorf("forged posts changed the keys: %v", k)
	}

	// "Choose Create access key ... On the Retrieve access keys page,
	// choose Show to reveal the value of your user's secret access key."
	status, body := b.post("/console/iam/users/details/ana/keys", nil)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	has(t, body, "<h1>Retrieve access keys</h1>", "This is your only opportunity to save your secret access key", "<summary>Show</summary>")
	newID, newSecret := between(body, `<code id="new-key-id">`, "</code>"), html.UnescapeString(between(body, `<code id="new-key-secret">`, "</code>"))
	if k := e.keysOf(t, "ana"); len(k) != 2 || k[newID] != "Active" {
		t.Fatalf("keys %v, new %q", k, newID)
	}
	// The new key signs in as ana.
	_, home := e.signedIn(t, newID, newSecret).get("/console/")
	has(t, home, "arn:aws:iam::"+account+":user/ana")
	// "If you already have two access keys, this button is deactivated";
	// the API refuses a third.
	_, body = b.get(page)
	has(t, body, `id="create-key" disabled>Create access key</button>`)
	_, body = b.post("/console/iam/users/details/ana/keys", nil)
	has(t, body, "LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2")

	// "choose Actions, and then choose Deactivate"; then Delete, confirmed
	// with the key's ID.
	_, body = b.post("/console/iam/users/details/ana/keys/status", url.Values{"key": {first}, "status": {"Inactive"}})
	has(t, body, "Access key "+first+" deactivated.", `<td class="key-status">Inactive</td>`, `id="activate-`+first+`"`, `id="delete-`+first+`"`)
	b.refusesForgery("/console/iam/users/details/ana/keys/delete", url.Values{"key": {first}, "confirm": {first}})
	_, body = b.post("/console/iam/users/details/ana/keys/delete", url.Values{"key": {first}, "confirm": {"AKIA"}})
	has(t, body, "To confirm deletion, enter the access key ID in the text input field. Enter "+first+" exactly.")
	if k := e.keysOf(t, "ana"); len(k) != 2 || k[first] != "Inactive" {
		t.Errorf("keys %v", k)
	}
	_, body = b.post("/console/iam/users/details/ana/keys/status", url.Values{"key": {first}, "status": {"Active"}})
	has(t, body, "Access key "+first+" activated.")
	b.post("/console/iam/users/details/ana/keys/status", url.Values{"key": {first}, "status": {"Inactive"}})
	_, body = b.post("/console/iam/users/details/ana/keys/delete", url.Values{"key": {first}, "confirm": {first}})
	has(t, body, "Access key "+first+" deleted.", "Access keys (1)")
	if k := e.keysOf(t, "ana"); len(k) != 1 || k[newID] != "Active" {
		t.Errorf("keys %v", k)
	}

	// A user who may read but not manage keys: each refusal names the
	// action and the user it was about.
	keyID, secret := e.user(t, "reader", "iam:Get*", "iam:List*")
	rb := e.signedIn(t, keyID, secret)
	_, body = rb.get(page)
	has(t, body, `<dd id="console-password">Enabled (set `)
	for _, tc := range []struct {
		path, action string
		form         url.Values
	}{
		{"/console/iam/users/details/ana/keys", "iam:CreateAccessKey", nil},
		{"/console/iam/users/details/ana/keys/status", "iam:UpdateAccessKey", url.Values{"key": {newID}, "status": {"Inactive"}}},
		{"/console/iam/users/details/ana/keys/delete", "iam:DeleteAccessKey", url.Values{"key": {newID}, "confirm": {newID}}},
	} {
		_, body := rb.post(tc.path, tc.form)
		has(t, body, "You need permissions", `<dd class="action">`+tc.action+`</dd>`,
			"User: arn:aws:iam::"+account+":user/reader is not authorized to perform: "+tc.action+" on resource: user ana because",
			"<dt>Resource</dt><dd>arn:aws:iam::"+account+":user/ana</dd>")
	}
	if k := e.keysOf(t, "ana"); len(k) != 1 || k[newID] != "Active" {
		t.Errorf("keys %v", k)
	}
	// One who may list keys but not read login profiles sees that refusal
	// in the Console sign-in section.
	keyID, secret = e.user(t, "keys", "iam:GetUser", "iam:ListAccessKeys")
	_, body = e.signedIn(t, keyID, secret).get(page)
	has(t, body, "Access keys (1)", `<dd class="action">iam:GetLoginProfile</dd>`)
}
