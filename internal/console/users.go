package console

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/iam"
)

// Users: "In the navigation pane, choose Users" (IAM User Guide), a
// searchable list; a user's page with its Summary and the tabs
// Permissions, Groups, Tags and Security credentials, where its access
// keys are created, deactivated, activated and deleted ("Managing access
// keys (console)",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#Using_CreateAccessKey)
// and its console password's status is shown.

type usersView struct {
	Query string
	Rows  []userRow
	Total int
	// Groups is why the Groups column is empty, when the request that
	// reads it was refused or failed.
	Groups *failure
}

type userRow struct {
	*iam.User
	Groups int
}

// usersPage lists the users: ListUsers, and for the Groups column (which
// ListUsers does not answer) one GetAccountAuthorizationDetails of the
// account's users.
func (c *Console) usersPage(q *req) {
	v := q.iamView("Users", "users")
	uv := &usersView{Query: strings.TrimSpace(q.r.URL.Query().Get("q"))}
	v.Page = uv
	users, f := iamList[iam.User](q, "ListUsers", "Users", nil)
	if f != nil {
		q.page("users", v, f)
		return
	}
	groups, f := q.usersGroups()
	uv.Groups, uv.Total = f, len(users)
	for _, u := range named(users, uv.Query, func(u *iam.User) string { return u.UserName }) {
		uv.Rows = append(uv.Rows, userRow{User: u, Groups: len(groups[u.UserName])})
	}
	q.page("users", v, nil)
}

// usersGroups is the groups of each user, by name.
func (q *req) usersGroups() (map[string][]string, *failure) {
	out := map[string][]string{}
	f := q.iamPages("GetAccountAuthorizationDetails", params("Filter.member.1", iam.EntityUser), func(page any) {
		for _, d := range member[[]iam.UserDetail](page, "UserDetailList") {
			out[d.UserName] = d.GroupList
		}
	})
	return out, f
}

// The user's tabs, in the console's order and words.
var userTabs = []struct{ ID, Name string }{
	{"permissions", "Permissions"},
	{"groups", "Groups"},
	{"tags", "Tags"},
	{"credentials", "Security credentials"},
}

type userView struct {
	User       *iam.User
	LastSignIn string
	Tab        string
	Tabs       []struct{ ID, Name string }
	permissionsView
	Groups      []iam.Group
	Others      []iam.Group // the groups the user can be added to
	Tags        []iam.Tag
	Credentials *credentialsView
	Failed      *failure
}

// credentialsView is the Security credentials tab.
type credentialsView struct {
	// Console sign-in: the login profile, nil when the user has none
	// (GetLoginProfile answers NoSuchEntity); Profile says why it could
	// not be read.
	Login   *iam.LoginProfile
	Profile *failure
	Keys    []iam.AccessKeyMetadata
	// CanCreate: the user has fewer access keys than IAM allows.
	CanCreate bool
	// MFA: the user's MFA devices (ListMFADevices); MFAFailed says why
	// they could not be read.
	MFA       []iam.MFADevice
	MFAFailed *failure
}

func (c *Console) userPage(q *req) {
	name := q.name()
	v := q.iamView(name, "users")
	out, f := q.iam("GetUser", params("UserName", name))
	if f != nil {
		q.page("user", v, f)
		return
	}
	u := member[*iam.User](out, "User")
	v.Title = u.UserName
	uv := &userView{User: u, LastSignIn: formatDate(u.PasswordLastUsed), Tab: q.r.URL.Query().Get("tab"), Tabs: userTabs[:]}
	if u.PasswordLastUsed == nil {
		uv.LastSignIn = "Never"
	}
	v.Page = uv
	switch uv.Tab {
	case "groups":
		uv.Groups, uv.Others, uv.Failed = q.userGroups(u.UserName)
	case "tags":
		uv.Tags, uv.Failed = iamList[iam.Tag](q, "ListUserTags", "Tags", params("UserName", u.UserName))
	case "credentials":
		uv.Credentials, uv.Failed = q.credentials(u.UserName)
	default:
		uv.Tab = "permissions"
		uv.permissionsView, uv.Failed = q.permissions(userHolder, u.UserName)
	}
	q.page("user", v, nil)
}

// userGroups is the user's groups (ListGroupsForUser) and the others of
// the account (ListGroups), which it can be added to.
func (q *req) userGroups(name string) (in, others []iam.Group, f *failure) {
	if in, f = iamList[iam.Group](q, "ListGroupsForUser", "Groups", params("UserName", name)); f != nil {
		return nil, nil, f
	}
	all, f := iamList[iam.Group](q, "ListGroups", "Groups", nil)
	if f != nil {
		return nil, nil, f
	}
	member := map[string]bool{}
	for _, g := range in {
		member[g.GroupName] = true
	}
	for _, g := range all {
		if !member[g.GroupName] {
			others = append(others, g)
		}
	}
	return in, others, nil
}

func (q *req) credentials(name string) (*credentialsView, *failure) {
	cv := &credentialsView{}
	keys, f := iamList[iam.AccessKeyMetadata](q, "ListAccessKeys", "AccessKeyMetadata", params("UserName", name))
	if f != nil {
		return nil, f
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].CreateDate.Before(keys[j].CreateDate) })
	cv.Keys, cv.CanCreate = keys, len(keys) < iam.QuotaAccessKeysPerUser
	out, f := q.iam("GetLoginProfile", params("UserName", name))
	switch {
	case f == nil:
		cv.Login = member[*iam.LoginProfile](out, "LoginProfile")
	case f.Err.Code != "NoSuchEntity":
		cv.Profile = f
	}
	cv.MFA, cv.MFAFailed = iamList[iam.MFADevice](q, "ListMFADevices", "MFADevices", params("UserName", name))
	return cv, nil
}

// Access keys. "Choose Create access key ... On the Retrieve access keys
// page, choose Show to reveal the value of your user's secret access key
// ... This is your only opportunity to save your secret access key": the
// secret is on the page that answers the form and nowhere else (the
// console keeps no copy; pages are not cached).

type newKeyView struct {
	User string
	Key  *iam.AccessKey
}

func (c *Console) createAccessKey(q *req) {
	name := q.name()
	back := userPath(name) + "?tab=credentials"
	out, f := q.iam("CreateAccessKey", params("UserName", name))
	if f != nil {
		q.failed(back, f)
		return
	}
	k := member[*iam.AccessKey](out, "AccessKey")
	v := q.iamView("Retrieve access keys", "users")
	v.Page = &newKeyView{User: k.UserName, Key: k}
	c.render(q.w, http.StatusOK, "accesskey", v)
}

// keyStatus deactivates or activates an access key ("choose Actions, and
// then choose Deactivate").
func (c *Console) keyStatus(q *req) {
	name := q.name()
	back := userPath(name) + "?tab=credentials"
	key, status := q.r.PostFormValue("key"), q.r.PostFormValue("status")
	if _, f := q.iam("UpdateAccessKey", params("UserName", name, "AccessKeyId", key, "Status", status)); f != nil {
		q.failed(back, f)
		return
	}
	word := "activated"
	if status == iam.StatusInactive {
		word = "deactivated"
	}
	q.done(back, "Access key "+key+" "+word+".")
}

// msgConfirmKey asks for the key's ID before it is deleted ("Follow the
// instructions in the dialog to first Deactivate and then confirm the
// deletion"; the console deletes inactive keys only).
const msgConfirmKey = "To confirm deletion, enter the access key ID in the text input field."

func (c *Console) deleteAccessKey(q *req) {
	name := q.name()
	back := userPath(name) + "?tab=credentials"
	key := q.r.PostFormValue("key")
	if q.r.PostFormValue("confirm") != key {
		q.incomplete(back, msgConfirmKey+" Enter "+key+" exactly.")
		return
	}
	if _, f := q.iam("DeleteAccessKey", params("UserName", name, "AccessKeyId", key)); f != nil {
		q.failed(back, f)
		return
	}
	q.done(back, "Access key "+key+" deleted.")
}

// Group membership, from the user's Groups tab ("Add user to groups",
// "Remove") or the group's Users tab ("Add users", "Remove users").

// membership runs op (AddUserToGroup or RemoveUserFromGroup) for each
// group and user pair, and answers at back.
func (q *req) membership(op, back string, groups, users []string, none, done string) {
	if len(groups) == 0 || len(users) == 0 {
		q.incomplete(back, none)
		return
	}
	for _, g := range groups {
		for _, u := range users {
			if _, f := q.iam(op, url.Values{"GroupName": {g}, "UserName": {u}}); f != nil {
				q.failed(back, f)
				return
			}
		}
	}
	q.done(back, done)
}

func (c *Console) addUserToGroups(q *req) {
	name := q.name()
	groups := q.r.PostForm["group"]
	q.membership("AddUserToGroup", userPath(name)+"?tab=groups", groups, []string{name},
		"Select the groups to add the user to.", name+" added to "+strings.Join(groups, ", ")+".")
}

func (c *Console) removeUserFromGroups(q *req) {
	name := q.name()
	groups := q.r.PostForm["group"]
	q.membership("RemoveUserFromGroup", userPath(name)+"?tab=groups", groups, []string{name},
		"Select the groups to remove the user from.", name+" removed from "+strings.Join(groups, ", ")+".")
}
