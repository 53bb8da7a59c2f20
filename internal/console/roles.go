package console

import (
	"html"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/policy"
)

// The Roles page: "In the navigation pane of the IAM console, choose
// Roles" (IAM User Guide), a searchable list with the columns Role name,
// Trusted entities and Last activity, from which a role is opened, created
// or, with its check box, deleted.

// serviceRolePath is where service-linked roles are: only
// CreateServiceLinkedRole can put a role there.
const serviceRolePath = "/aws-service-role/"

type roleRow struct {
	Name          string
	Trusted       []string
	ServiceLinked bool
	LastActivity  string
	LastUsed      string // the date and Region, for the title
}

type rolesView struct {
	Query string
	Rows  []roleRow
	// Table is the rows' HTML (rowsHTML): a thousand rows through the
	// template's contextual escaping took most of the page's time.
	Table template.HTML
	Total int // roles in the account, before the search
	// LastActivity is why the Last activity column is empty, when the
	// request that reads it was refused or failed.
	LastActivity *failure
}

// rolesPage lists the roles: ListRoles, and for the Last activity column
// (which ListRoles does not answer: it leaves out RoleLastUsed, as AWS's
// does) one GetAccountAuthorizationDetails of the account's roles.
func (c *Console) rolesPage(q *req) {
	v := q.iamView("Roles", "roles")
	rv := &rolesView{Query: strings.TrimSpace(q.r.URL.Query().Get("q"))}
	v.Page = rv
	roles, f := q.listRoles()
	if f != nil {
		q.page("roles", v, f)
		return
	}
	lastUsed, f := q.rolesLastUsed()
	rv.LastActivity = f
	rv.Total = len(roles)
	rv.Rows = roleRows(roles, lastUsed, rv.Query, c.cfg.Clock.Now(), &c.trusted)
	rv.Table = rowsHTML(rv.Rows)
	q.page("roles", v, nil)
}

// rowsHTML writes the Roles table's rows. Every value is escaped for the
// one context it is in (an element's text, or a double-quoted attribute
// value: html.EscapeString covers both), and the link's path is the role
// name path-escaped under the console's prefix.
func rowsHTML(rows []roleRow) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 400)
	esc := html.EscapeString
	for i := range rows {
		r := &rows[i]
		name := esc(r.Name)
		b.WriteString(`<tr data-role="`)
		b.WriteString(name)
		b.WriteString(`"><td class="check"><input type="checkbox" name="role" value="`)
		b.WriteString(name)
		b.WriteString(`" aria-label="Select `)
		b.WriteString(name)
		b.WriteString(`"></td><td><a href="`)
		b.WriteString(esc(rolePath(r.Name)))
		b.WriteString(`">`)
		b.WriteString(name)
		b.WriteString(`</a>`)
		if r.ServiceLinked {
			b.WriteString(` <span class="badge" title="Service-linked role">Service-linked</span>`)
		}
		b.WriteString(`</td><td>`)
		for j, t := range r.Trusted {
			if j > 0 {
				b.WriteString(`<br>`)
			}
			b.WriteString(esc(t))
		}
		b.WriteString(`</td><td`)
		if r.LastUsed != "" {
			b.WriteString(` title="`)
			b.WriteString(esc(r.LastUsed))
			b.WriteString(`"`)
		}
		b.WriteString(`>`)
		b.WriteString(esc(r.LastActivity))
		b.WriteString("</td></tr>\n")
	}
	return template.HTML(b.String())
}

// roleRows are the rows of the roles matching query (a case-insensitive
// part of the name or of a trusted entity), in name order.
func roleRows(roles []iam.Role, lastUsed map[string]*iam.RoleLastUsed, query string, now time.Time, trusted *trustCache) []roleRow {
	query = strings.ToLower(query)
	rows := make([]roleRow, 0, len(roles))
	for i := range roles {
		r := &roles[i]
		row := roleRow{Name: r.RoleName, ServiceLinked: strings.HasPrefix(r.Path, serviceRolePath)}
		row.Trusted = trusted.entities(r.AssumeRolePolicyDocument, row.ServiceLinked)
		if query != "" && !matches(query, row) {
			continue
		}
		row.LastActivity, row.LastUsed = "-", ""
		if lu := lastUsed[r.RoleName]; lu != nil && lu.LastUsedDate != nil {
			row.LastActivity = since(now, lu.LastUsedDate)
			row.LastUsed = formatDate(lu.LastUsedDate) + " in " + lu.Region
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool { return strings.ToLower(rows[i].Name) < strings.ToLower(rows[j].Name) })
	return rows
}

func matches(query string, row roleRow) bool {
	if strings.Contains(strings.ToLower(row.Name), query) {
		return true
	}
	for _, t := range row.Trusted {
		if strings.Contains(strings.ToLower(t), query) {
			return true
		}
	}
	return false
}

// listRoles is every role of the account.
func (q *req) listRoles() ([]iam.Role, *failure) {
	return iamList[iam.Role](q, "ListRoles", "Roles", nil)
}

// rolesLastUsed is each role's RoleLastUsed, by name.
func (q *req) rolesLastUsed() (map[string]*iam.RoleLastUsed, *failure) {
	out := map[string]*iam.RoleLastUsed{}
	f := q.iamPages("GetAccountAuthorizationDetails", params("Filter.member.1", iam.EntityRole), func(page any) {
		for _, d := range member[[]iam.RoleDetail](page, "RoleDetailList") {
			out[d.RoleName] = d.RoleLastUsed
		}
	})
	return out, f
}

// trustedEntities is the Trusted entities column for a trust policy: who
// its Allow statements let assume the role, as the console words them
// ("AWS Service: ecs (Service-Linked Role)", "Account: 111122223333",
// "Identity Provider: ..."; the console's wording, unverified beyond
// screenshots in public posts).
func trustedEntities(doc string, serviceLinked bool) []string {
	d, err := policy.Parse(doc, policy.Trust)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, st := range d.Statements {
		if st.Effect != "Allow" || st.Principal == nil {
			continue
		}
		if st.Principal.Any {
			add("AWS: *")
		}
		for _, s := range st.Principal.ByType[policy.PrincipalService] {
			e := "AWS Service: " + strings.TrimSuffix(s, ".amazonaws.com")
			if serviceLinked {
				e += " (Service-Linked Role)"
			}
			add(e)
		}
		for _, a := range st.Principal.ByType[policy.PrincipalAWS] {
			add(awsPrincipalEntity(a))
		}
		for _, f := range st.Principal.ByType[policy.PrincipalFederated] {
			add("Identity Provider: " + f)
		}
	}
	return out
}

// awsPrincipalEntity names an "AWS" principal: an account (its ID or its
// root's ARN) as "Account: ID", anything else by its ARN.
func awsPrincipalEntity(a string) string {
	if arn.IsAccountID(a) {
		return "Account: " + a
	}
	if acct, ok := strings.CutPrefix(a, "arn:aws:iam::"); ok {
		if id, ok := strings.CutSuffix(acct, ":root"); ok && arn.IsAccountID(id) {
			return "Account: " + id
		}
	}
	return "AWS: " + a
}

// trustCache keeps the Trusted entities of trust policies already read: a
// Roles page of 1,000 roles reads 1,000 documents, mostly the same few.
type trustCache struct {
	mu      sync.Mutex
	entries map[trustKey][]string
}

type trustKey struct {
	doc           string
	serviceLinked bool
}

// trustCacheMax bounds the cache; past it the cache starts again.
const trustCacheMax = 4096

func (t *trustCache) entities(doc string, serviceLinked bool) []string {
	k := trustKey{doc, serviceLinked}
	t.mu.Lock()
	e, ok := t.entries[k]
	t.mu.Unlock()
	if ok {
		return e
	}
	e = trustedEntities(doc, serviceLinked)
	t.mu.Lock()
	if t.entries == nil || len(t.entries) >= trustCacheMax {
		t.entries = map[trustKey][]string{}
	}
	t.entries[k] = e
	t.mu.Unlock()
	return e
}

// The Delete procedure: "select the check box next to the role name ...
// Choose Delete. To confirm deletion, enter the role name in the text input
// field. Choose Delete." (IAM User Guide's procedures, current console); in
// the dialog, "review the service last accessed data, which shows when each
// of the selected roles last accessed an AWS service" ("To delete a
// service-linked role (console)", IAM User Guide,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html#delete-service-linked-role).

type deleteView struct {
	Role          *iam.Role
	ServiceLinked bool
	LastActivity  string
	LastUsed      string
	Confirm       string // what was typed, when it did not match
	Mismatch      bool
}

const msgConfirmDelete = "To confirm deletion, enter the role name in the text input field."

func (c *Console) deleteRolePage(q *req) {
	names := q.r.URL.Query()["role"]
	switch len(names) {
	case 0:
		q.incomplete(Prefix+"iam/roles", "Select the check box next to the role you want to delete.")
		return
	case 1:
	default:
		q.incomplete(Prefix+"iam/roles", "Select one role at a time to delete.")
		return
	}
	q.renderDelete(names[0], "", http.StatusOK)
}

// renderDelete shows the confirmation of a role's deletion, with its last
// activity (GetRole's RoleLastUsed).
func (q *req) renderDelete(name, typed string, status int) {
	v := q.iamView("Delete "+name, "roles")
	out, f := q.iam("GetRole", params("RoleName", name))
	if f != nil {
		q.page("delete", v, f)
		return
	}
	r := member[*iam.Role](out, "Role")
	dv := &deleteView{Role: r, ServiceLinked: strings.HasPrefix(r.Path, serviceRolePath), Confirm: typed, Mismatch: status != http.StatusOK}
	dv.LastActivity, dv.LastUsed = lastActivity(q.c.cfg.Clock.Now(), r.RoleLastUsed)
	v.Page = dv
	q.c.render(q.w, status, "delete", v)
}

// lastActivity is a role's last use as the console shows it: how long ago
// (or "-"), and when and where.
func lastActivity(now time.Time, lu *iam.RoleLastUsed) (ago, when string) {
	if lu == nil || lu.LastUsedDate == nil {
		return "-", "Not used since it was created (or in the last 400 days)"
	}
	return since(now, lu.LastUsedDate), formatDate(lu.LastUsedDate) + " in " + lu.Region
}

// deleteRole deletes the role confirmed by name. A service-linked role is
// submitted for deletion (DeleteServiceLinkedRole) and the task is followed
// in the notifications; another role is deleted as the console does it:
// its managed policies detached, its inline policies deleted and its
// instance profiles left, then DeleteRole.
func (c *Console) deleteRole(q *req) {
	name := q.r.PostFormValue("role")
	if typed := q.r.PostFormValue("confirm"); typed != name || name == "" {
		q.renderDelete(name, typed, http.StatusBadRequest)
		return
	}
	out, f := q.iam("GetRole", params("RoleName", name))
	if f != nil {
		q.failed(Prefix+"iam/roles", f)
		return
	}
	r := member[*iam.Role](out, "Role")
	if strings.HasPrefix(r.Path, serviceRolePath) {
		out, f := q.iam("DeleteServiceLinkedRole", params("RoleName", r.RoleName))
		if f != nil {
			q.failed(Prefix+"iam/roles", f)
			return
		}
		q.follow(r.RoleName, member[string](out, "DeletionTaskId"))
		http.Redirect(q.w, q.r, Prefix+"iam/roles", http.StatusSeeOther)
		return
	}
	if f := q.deleteRoleWhole(r.RoleName); f != nil {
		q.failed(Prefix+"iam/roles", f)
		return
	}
	q.done(Prefix+"iam/roles", "Role "+r.RoleName+" deleted.")
}

// deleteRoleWhole removes what holds a role, then the role.
func (q *req) deleteRoleWhole(name string) *failure {
	attached, f := q.attachedPolicies(roleHolder, name)
	if f != nil {
		return f
	}
	for _, p := range attached {
		if _, f := q.iam("DetachRolePolicy", params("RoleName", name, "PolicyArn", p.PolicyArn)); f != nil {
			return f
		}
	}
	inline, f := q.inlinePolicies(roleHolder, name)
	if f != nil {
		return f
	}
	for _, p := range inline {
		if _, f := q.iam("DeleteRolePolicy", params("RoleName", name, "PolicyName", p)); f != nil {
			return f
		}
	}
	profiles, f := iamList[iam.InstanceProfile](q, "ListInstanceProfilesForRole", "InstanceProfiles", params("RoleName", name))
	if f != nil {
		return f
	}
	for _, ip := range profiles {
		if _, f := q.iam("RemoveRoleFromInstanceProfile", params("InstanceProfileName", ip.InstanceProfileName, "RoleName", name)); f != nil {
			return f
		}
	}
	_, f = q.iam("DeleteRole", params("RoleName", name))
	return f
}

// roleName is the name in a role ARN ("arn:aws:iam::1:role/path/name"),
// and whether the role is in account.
func roleName(roleArn, account string) (string, bool) {
	a, err := arn.Parse(roleArn)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return "", false
	}
	res := a.Resource
	return res[strings.LastIndex(res, "/")+1:], a.Account == account
}
