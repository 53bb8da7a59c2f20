package console_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func (e *env) membersOf(t testing.TB, group string) []string {
	t.Helper()
	var names []string
	for _, u := range must(e.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(group)}))(t).Users {
		names = append(names, aws.ToString(u.UserName))
	}
	slices.Sort(names)
	return names
}

// User groups: the list with each group's number of users; a group's page
// with its members (Add users, Remove users) and its permissions.
func TestGroups(t *testing.T) {
	e := newEnv(t)
	e.user(t, "ana")
	e.user(t, "bo")
	e.user(t, "cy")
	e.group(t, "devs", "ana")
	e.group(t, "ops")
	must(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(readOnlyAccess)}))(t)
	must(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(s3Read)}))(t)
	b := e.signedIn(t, "test", "test")

	body := b.getAs(http.StatusOK, "/console/iam/groups")
	has(t, body, `User groups <span class="count">(2)</span>`, `<a href="/console/iam/groups" aria-current="page">User groups</a>`,
		`<tr data-group="devs"><td><a href="/console/iam/groups/details/devs">devs</a></td><td>1</td>`,
		`<tr data-group="ops"><td><a href="/console/iam/groups/details/ops">ops</a></td><td>0</td>`)
	_, body = b.get("/console/iam/groups?q=OP")
	has(t, body, `data-group="ops"`)
	hasNot(t, body, `data-group="devs"`)

	_, body = b.get("/console/iam/groups/details/devs")
	has(t, body, `<h1 id="group-name">devs</h1>`, "<code>arn:aws:iam::"+account+":group/devs</code>", "Users in this group (1)",
		`<tr data-user="ana">`, `<a href="/console/iam/users/details/ana">ana</a>`)
	_, body = b.get("/console/iam/groups/details/devs?tab=permissions")
	has(t, body, `<a href="/console/iam/policies/details/`+readOnlyAccess+`">ReadOnlyAccess</a>`, "<td>s3</td><td>Customer inline</td>")

	// "Choose the Users tab and then choose Add users. Select the check
	// box next to the users you want to add. Choose Add users."
	_, body = b.get("/console/iam/groups/details/devs/users")
	has(t, body, "Add users to devs", `value="bo" aria-label="Select bo"`, `value="cy" aria-label="Select cy"`)
	hasNot(t, body, `value="ana"`)
	b.refusesForgery("/console/iam/groups/details/devs/users", url.Values{"user": {"bo"}})
	b.refusesForgery("/console/iam/groups/details/devs/users/remove", url.Values{"user": {"ana"}})
	if m := e.membersOf(t, "devs"); !slices.Equal(m, []string{"ana"}) {
		t.Errorf("forged posts changed the members: %v", m)
	}
	_, body = b.post("/console/iam/groups/details/devs/users", url.Values{"user": {"bo", "cy"}})
	has(t, body, "2 users added to devs.", "Users in this group (3)")
	// "Select the check box next to the users you want to remove and then
	// choose Remove users."
	_, body = b.post("/console/iam/groups/details/devs/users/remove", nil)
	has(t, body, "Select the users to remove.")
	_, body = b.post("/console/iam/groups/details/devs/users/remove", url.Values{"user": {"ana"}})
	has(t, body, "1 user removed from devs.", "Users in this group (2)")
	if m := e.membersOf(t, "devs"); !slices.Equal(m, []string{"bo", "cy"}) {
		t.Errorf("members %v", m)
	}

	body = b.getAs(http.StatusNotFound, "/console/iam/groups/details/nope")
	has(t, body, "NoSuchEntity: The group with name nope cannot be found.")
}

func TestGroupsDenied(t *testing.T) {
	e := newEnv(t)
	e.user(t, "ana")
	e.group(t, "devs", "ana")
	keyID, secret := e.user(t, "viewer")
	vb := e.signedIn(t, keyID, secret)
	body := vb.getAs(http.StatusForbidden, "/console/iam/groups")
	has(t, body, "You need permissions", "User: arn:aws:iam::"+account+":user/viewer is not authorized to perform: iam:ListGroups on resource: arn:aws:iam::"+account+":group/",
		`<dd class="action">iam:ListGroups</dd>`)
	body = vb.getAs(http.StatusForbidden, "/console/iam/groups/details/devs")
	has(t, body, `<dd class="action">iam:GetGroup</dd>`, "<dt>Resource</dt><dd>arn:aws:iam::"+account+":group/devs</dd>")

	keyID, secret = e.user(t, "reader", "iam:Get*", "iam:List*")
	rb := e.signedIn(t, keyID, secret)
	rb.get("/console/iam/groups/details/devs")
	_, body = rb.post("/console/iam/groups/details/devs/users/remove", url.Values{"user": {"ana"}})
	has(t, body, "You need permissions", `<dd class="action">iam:RemoveUserFromGroup</dd>`,
		"User: arn:aws:iam::"+account+":user/reader is not authorized to perform: iam:RemoveUserFromGroup on resource: group devs because")
	if m := e.membersOf(t, "devs"); !slices.Equal(m, []string{"ana"}) {
		t.Errorf("members %v", m)
	}
}
