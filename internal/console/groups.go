package console

import (
	"strings"

	"github.com/rolecall/rolecall/internal/iam"
)

// User groups: "In the navigation pane, choose User groups and then choose
// the name of the group. Choose the Users tab and then choose Add users.
// Select the check box next to the users you want to add. Choose Add
// users." and, to remove, "Select the check box next to the users you want
// to remove and then choose Remove users" (IAM User Guide,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_add-remove-users.html).

type groupsView struct {
	Query string
	Rows  []groupRow
	Total int
	// Users is why the Users column is empty, when the request that reads
	// it was refused or failed.
	Users *failure
}

type groupRow struct {
	*iam.Group
	Users int
}

// groupsPage lists the groups: ListGroups, and for the Users column one
// GetAccountAuthorizationDetails of the users (each with its groups).
func (c *Console) groupsPage(q *req) {
	v := q.iamView("User groups", "groups")
	gv := &groupsView{Query: strings.TrimSpace(q.r.URL.Query().Get("q"))}
	v.Page = gv
	groups, f := iamList[iam.Group](q, "ListGroups", "Groups", nil)
	if f != nil {
		q.page("groups", v, f)
		return
	}
	members := map[string]int{}
	usersGroups, f := q.usersGroups()
	for _, gs := range usersGroups {
		for _, g := range gs {
			members[g]++
		}
	}
	gv.Users, gv.Total = f, len(groups)
	for _, g := range named(groups, gv.Query, func(g *iam.Group) string { return g.GroupName }) {
		gv.Rows = append(gv.Rows, groupRow{Group: g, Users: members[g.GroupName]})
	}
	q.page("groups", v, nil)
}

// The group's tabs, in the console's order and words.
var groupTabs = []struct{ ID, Name string }{
	{"users", "Users"},
	{"permissions", "Permissions"},
}

type groupView struct {
	Group *iam.Group
	Tab   string
	Tabs  []struct{ ID, Name string }
	Users []iam.User
	permissionsView
	Failed *failure
}

// groupPage is the group's page: GetGroup (its members, page by page),
// and the tab's requests.
func (c *Console) groupPage(q *req) {
	v := q.iamView(q.name(), "groups")
	gv := &groupView{Tab: q.r.URL.Query().Get("tab"), Tabs: groupTabs[:]}
	if f := q.getGroup(q.name(), gv); f != nil {
		q.page("group", v, f)
		return
	}
	v.Title, v.Page = gv.Group.GroupName, gv
	if gv.Tab == "permissions" {
		gv.permissionsView, gv.Failed = q.permissions(groupHolder, gv.Group.GroupName)
	} else {
		gv.Tab = "users"
	}
	q.page("group", v, nil)
}

// getGroup reads the group and its members into gv.
func (q *req) getGroup(name string, gv *groupView) *failure {
	return q.iamPages("GetGroup", params("GroupName", name), func(out any) {
		gv.Group = member[*iam.Group](out, "Group")
		gv.Users = append(gv.Users, member[[]iam.User](out, "Users")...)
	})
}

type addUsersView struct {
	Group *iam.Group
	Users []iam.User // the users not in the group
}

// addUsersPage lists the users that are not in the group, to add.
func (c *Console) addUsersPage(q *req) {
	v := q.iamView("Add users to "+q.name(), "groups")
	gv := &groupView{}
	if f := q.getGroup(q.name(), gv); f != nil {
		q.page("addusers", v, f)
		return
	}
	all, f := iamList[iam.User](q, "ListUsers", "Users", nil)
	if f != nil {
		q.page("addusers", v, f)
		return
	}
	in := map[string]bool{}
	for _, u := range gv.Users {
		in[u.UserName] = true
	}
	av := &addUsersView{Group: gv.Group}
	for _, u := range all {
		if !in[u.UserName] {
			av.Users = append(av.Users, u)
		}
	}
	v.Page = av
	q.page("addusers", v, nil)
}

func (c *Console) addUsers(q *req) {
	name := q.name()
	users := q.r.PostForm["user"]
	q.membership("AddUserToGroup", groupPath(name), []string{name}, users,
		"Select the users to add.", plural(len(users), "user")+" added to "+name+".")
}

func (c *Console) removeUsers(q *req) {
	name := q.name()
	users := q.r.PostForm["user"]
	q.membership("RemoveUserFromGroup", groupPath(name), []string{name}, users,
		"Select the users to remove.", plural(len(users), "user")+" removed from "+name+".")
}
