package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/iam"
)

// A role's page: the Summary (ARN, creation date, last activity, maximum
// session duration, description with Edit) and the tabs Permissions,
// Trust relationships, Tags and Last accessed, each read with the calls
// the console makes for it, as the signed-in principal.

// The tabs, in the console's order and words.
var roleTabs = []struct{ ID, Name string }{
	{"permissions", "Permissions"},
	{"trust", "Trust relationships"},
	{"tags", "Tags"},
	{"access", "Last accessed"},
}

type roleView struct {
	Role          *iam.Role
	ServiceLinked bool
	LinkedService string // the service principal of a service-linked role
	LastActivity  string
	LastUsed      string
	MaxSession    string
	Tab           string
	Tabs          []struct{ ID, Name string }

	// The tab's content, and why it is missing if its request failed.
	permissionsView
	Trust  string
	Tags   []iam.Tag
	Access *accessView
	Failed *failure
}

func (c *Console) rolePage(q *req) {
	name := q.name()
	v := q.iamView(name, "roles")
	out, f := q.iam("GetRole", params("RoleName", name))
	if f != nil {
		q.page("role", v, f)
		return
	}
	r := member[*iam.Role](out, "Role")
	v.Title = r.RoleName
	rv := &roleView{Role: r, ServiceLinked: strings.HasPrefix(r.Path, serviceRolePath), Tab: q.r.URL.Query().Get("tab"), Tabs: roleTabs[:]}
	if rv.ServiceLinked {
		rv.LinkedService = strings.TrimSuffix(strings.TrimPrefix(r.Path, serviceRolePath), "/")
	}
	rv.LastActivity, rv.LastUsed = lastActivity(c.cfg.Clock.Now(), r.RoleLastUsed)
	if r.MaxSessionDuration != nil {
		rv.MaxSession = formatSeconds(*r.MaxSessionDuration)
	}
	v.Page = rv
	switch rv.Tab {
	case "trust":
		rv.Trust = indentJSON(r.AssumeRolePolicyDocument)
	case "tags":
		rv.Tags, rv.Failed = iamList[iam.Tag](q, "ListRoleTags", "Tags", params("RoleName", r.RoleName))
	case "access":
		rv.Access, rv.Failed = q.lastAccessed(r.Arn)
	default:
		rv.Tab = "permissions"
		rv.permissionsView, rv.Failed = q.permissions(roleHolder, r.RoleName)
	}
	q.page("role", v, nil)
}

// indentJSON shows a policy document indented, as the console does; a
// document that does not parse is shown as written.
func indentJSON(doc string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(doc), "", "    ") != nil {
		return doc
	}
	return b.String()
}

// accessView is the Last accessed tab: Access Advisor's report on the
// role ("To check whether the service-linked role has an active session:
// ... choose the Access Advisor tab (Last accessed), review recent
// activity", IAM User Guide).
type accessView struct {
	Status   string // the report job's status
	Services []accessRow
}

// notAccessed is the Last accessed of a service the role has not used.
const notAccessed = "Not accessed in the tracking period"

type accessRow struct {
	at                 *time.Time
	Service, Namespace string
	LastAccessed       string // date, or "Not accessed in the tracking period"
	Region             string
	Actions            []iam.TrackedActionLastAccessed
}

// lastAccessed generates the role's report (action level, for the services
// IAM tracks actions of) and reads it.
func (q *req) lastAccessed(roleArn string) (*accessView, *failure) {
	out, f := q.iam("GenerateServiceLastAccessedDetails", params("Arn", roleArn, "Granularity", "ACTION_LEVEL"))
	if f != nil {
		return nil, f
	}
	job := member[string](out, "JobId")
	av := &accessView{}
	f = q.iamPages("GetServiceLastAccessedDetails", params("JobId", job), func(out any) {
		av.Status = member[string](out, "JobStatus")
		for _, s := range member[[]iam.ServiceLastAccessed](out, "ServicesLastAccessed") {
			row := accessRow{at: s.LastAuthenticated, Service: s.ServiceName, Namespace: s.ServiceNamespace, LastAccessed: notAccessed, Region: s.LastAuthenticatedRegion, Actions: s.TrackedActionsLastAccessed}
			if s.LastAuthenticated != nil {
				row.LastAccessed = formatDate(s.LastAuthenticated)
			}
			av.Services = append(av.Services, row)
		}
	})
	if f != nil {
		return nil, f
	}
	// Accessed services first, most recent first, as the console sorts.
	sort.SliceStable(av.Services, func(i, j int) bool {
		a, b := av.Services[i].at, av.Services[j].at
		return a != nil && (b == nil || a.After(*b))
	})
	return av, nil
}

// formView is a page with one form about a role: its description, its
// trust policy, an inline policy.
type formView struct {
	Role          *iam.Role
	ServiceLinked bool
	Name          string // an inline policy's name
	Text          string // what the form shows in its text box
	Failed        *failure
}

// roleForm reads the role a form is about; ok is false when the page has
// been answered (the role could not be read).
func (q *req) roleForm(title string) (*view, *formView, bool) {
	name := q.name()
	v := q.iamView(title, "roles")
	out, f := q.iam("GetRole", params("RoleName", name))
	if f != nil {
		q.page("form", v, f)
		return nil, nil, false
	}
	r := member[*iam.Role](out, "Role")
	fv := &formView{Role: r, ServiceLinked: strings.HasPrefix(r.Path, serviceRolePath)}
	v.Page = fv
	return v, fv, true
}

// showForm shows a role's form page, its text box filled from the role.
func (q *req) showForm(title, page string, text func(*iam.Role) string) {
	v, fv, ok := q.roleForm(title)
	if !ok {
		return
	}
	fv.Text = text(fv.Role)
	q.c.render(q.w, http.StatusOK, page, v)
}

// refill shows a role's form again with what was typed and why the
// request failed.
func (q *req) refill(title, page, name, text string, f *failure) {
	v, fv, ok := q.roleForm(title)
	if !ok {
		return
	}
	fv.Name, fv.Text, fv.Failed = name, text, f
	q.c.render(q.w, failureStatus(f), page, v)
}

// "To edit the description of a service-linked role (console): 1. In the
// navigation pane of the IAM console, choose Roles. 2. Choose the name of
// the role to modify. 3. To the far right of Role description, choose
// Edit. 4. Enter a new description in the box and choose Save." (IAM User
// Guide, https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html#edit-service-linked-role).
func (c *Console) descriptionPage(q *req) {
	q.showForm("Edit description", "description", func(r *iam.Role) string { return r.Description })
}

func (c *Console) updateDescription(q *req) {
	name := q.name()
	desc := q.r.PostFormValue("description")
	// UpdateRoleDescription takes an empty description (it removes it).
	if _, f := q.iam("UpdateRoleDescription", url.Values{"RoleName": {name}, "Description": {desc}}); f != nil {
		q.refill("Edit description", "description", "", desc, f)
		return
	}
	q.done(rolePath(name), "Role description updated.")
}

// failureStatus is the status a page answers for a failed request.
func failureStatus(f *failure) int {
	if f.Denied != nil {
		return http.StatusForbidden
	}
	if f.Err.Status >= 400 {
		return f.Err.Status
	}
	return http.StatusInternalServerError
}

// The trust policy: "Trust relationships" tab, "Edit trust policy".
func (c *Console) trustPage(q *req) {
	q.showForm("Edit trust policy", "trust", func(r *iam.Role) string { return indentJSON(r.AssumeRolePolicyDocument) })
}

func (c *Console) updateTrust(q *req) {
	name := q.name()
	doc := q.r.PostFormValue("policy")
	if _, f := q.iam("UpdateAssumeRolePolicy", url.Values{"RoleName": {name}, "PolicyDocument": {doc}}); f != nil {
		q.refill("Edit trust policy", "trust", "", doc, f)
		return
	}
	q.done(rolePath(name)+"?tab=trust", "Trust policy updated.")
}

// Tags: add one (TagRole) or remove one (UntagRole).
func (c *Console) tagRole(q *req) {
	name := q.name()
	back := rolePath(name) + "?tab=tags"
	key, value := q.r.PostFormValue("key"), q.r.PostFormValue("value")
	if _, f := q.iam("TagRole", url.Values{"RoleName": {name}, "Tags.member.1.Key": {key}, "Tags.member.1.Value": {value}}); f != nil {
		q.failed(back, f)
		return
	}
	q.done(back, "Tag "+key+" added.")
}

func (c *Console) untagRole(q *req) {
	name := q.name()
	back := rolePath(name) + "?tab=tags"
	key := q.r.PostFormValue("key")
	if _, f := q.iam("UntagRole", url.Values{"RoleName": {name}, "TagKeys.member.1": {key}}); f != nil {
		q.failed(back, f)
		return
	}
	q.done(back, "Tag "+key+" removed.")
}

// Permissions: attach managed policies ("Add permissions", "Attach
// policies"), detach one ("Remove"), create or delete an inline policy.

type attachView struct {
	Role     *iam.Role
	Query    string
	Policies []iam.Policy
	More     int // matches not shown
	Failed   *failure
}

// attachShown bounds the policies the attach page lists at once (AWS
// manages over a thousand); a search narrows them.
const attachShown = 200

func (c *Console) attachPage(q *req) {
	v, fv, ok := q.roleForm("Attach policies")
	if !ok {
		return
	}
	av := &attachView{Role: fv.Role, Query: strings.TrimSpace(q.r.URL.Query().Get("q"))}
	v.Page = av
	all, f := q.listPolicies()
	if f != nil {
		av.Failed = f
		c.render(q.w, failureStatus(f), "attach", v)
		return
	}
	av.Policies, av.More = shownPolicies(all, av.Query, nil)
	c.render(q.w, http.StatusOK, "attach", v)
}

// shownPolicies are the first attachShown policies whose name contains
// query, leaving out those in skip, and how many more there are.
func shownPolicies(all []iam.Policy, query string, skip map[string]bool) (shown []iam.Policy, more int) {
	for _, p := range named(all, query, func(p *iam.Policy) string { return p.PolicyName }) {
		switch {
		case skip[p.Arn]:
		case len(shown) == attachShown:
			more++
		default:
			shown = append(shown, *p)
		}
	}
	return shown, more
}

// listPolicies is every attachable managed policy, AWS's and the
// account's.
func (q *req) listPolicies() ([]iam.Policy, *failure) {
	return iamList[iam.Policy](q, "ListPolicies", "Policies", params("OnlyAttachable", "true"))
}

func (c *Console) attachPolicies(q *req) {
	name := q.name()
	back := rolePath(name)
	arns := q.r.PostForm["policy"]
	if len(arns) == 0 {
		q.incomplete(back+"/attach", "Select at least one policy to attach.")
		return
	}
	for _, a := range arns {
		if _, f := q.iam("AttachRolePolicy", params("RoleName", name, "PolicyArn", a)); f != nil {
			q.failed(back, f)
			return
		}
	}
	q.done(back, plural(len(arns), "policy")+" attached.")
}

func (c *Console) detachPolicy(q *req) {
	name := q.name()
	back := rolePath(name)
	a := q.r.PostFormValue("policy")
	if _, f := q.iam("DetachRolePolicy", params("RoleName", name, "PolicyArn", a)); f != nil {
		q.failed(back, f)
		return
	}
	q.done(back, "Policy "+policyName(a)+" removed.")
}

// policyName is the name at the end of a policy ARN.
func policyName(policyArn string) string { return policyArn[strings.LastIndex(policyArn, "/")+1:] }

// inlineTemplate is the document the inline policy editor starts with.
const inlineTemplate = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [],
            "Resource": []
        }
    ]
}`

func (c *Console) inlinePage(q *req) {
	q.showForm("Create inline policy", "inline", func(*iam.Role) string { return inlineTemplate })
}

func (c *Console) putInline(q *req) {
	name := q.name()
	policy, doc := strings.TrimSpace(q.r.PostFormValue("name")), q.r.PostFormValue("policy")
	if _, f := q.iam("PutRolePolicy", url.Values{"RoleName": {name}, "PolicyName": {policy}, "PolicyDocument": {doc}}); f != nil {
		q.refill("Create inline policy", "inline", policy, doc, f)
		return
	}
	q.done(rolePath(name), "Policy "+policy+" created.")
}

func (c *Console) deleteInline(q *req) {
	name := q.name()
	back := rolePath(name)
	policy := q.r.PostFormValue("name")
	if _, f := q.iam("DeleteRolePolicy", params("RoleName", name, "PolicyName", policy)); f != nil {
		q.failed(back, f)
		return
	}
	q.done(back, "Policy "+policy+" removed.")
}
