package console

import (
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/iam"
)

// The Policies page ("In the navigation pane, choose Policies. In the list
// of policies, choose the policy name ... You can use the search box to
// filter the list of policies", IAM User Guide): the managed policies by
// type, searched by name; a policy's page with its Summary and the tabs
// Permissions (the default version's document), Entities attached and
// Policy versions, where a customer managed policy's default version is
// set ("Choose the Policy versions tab. Select the check box next to the
// version that you want to set as the default version, and then choose
// Set as default",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html).

// The Type filter's choices: each is a ListPolicies request, so that IAM
// does the filtering (Scope, and the path AWS keeps its job function
// policies under).
var policyFilters = []struct {
	ID, Name          string
	Scope, PathPrefix string
}{
	{"", "All types", "", ""},
	{"aws", "AWS managed", "AWS", ""},
	{"customer", "Customer managed", "Local", ""},
	{"job", "AWS managed - job function", "AWS", jobFunctionPath},
}

// jobFunctionPath is where AWS keeps its managed policies for job
// functions ("AWS managed policies for job functions", IAM User Guide,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html).
const jobFunctionPath = "/job-function/"

// awsPolicyPrefix begins the ARN of every AWS managed policy.
const awsPolicyPrefix = "arn:aws:iam::aws:policy/"

// policyType is the Type column of a managed policy.
func policyType(policyArn string) string {
	switch {
	case strings.HasPrefix(policyArn, awsPolicyPrefix+strings.TrimPrefix(jobFunctionPath, "/")):
		return "AWS managed - job function"
	case strings.HasPrefix(policyArn, awsPolicyPrefix):
		return "AWS managed"
	}
	return "Customer managed"
}

type policiesView struct {
	Query, Type string
	Types       []struct{ ID, Name string }
	Rows        []policyListRow
	Total       int // policies of the type, before the search
}

type policyListRow struct {
	*iam.Policy
	Type, UsedAs string
}

func (c *Console) policiesPage(q *req) {
	v := q.iamView("Policies", "policies")
	pv := &policiesView{Query: strings.TrimSpace(q.r.URL.Query().Get("q"))}
	v.Page = pv
	filter := policyFilters[0]
	for _, f := range policyFilters {
		pv.Types = append(pv.Types, struct{ ID, Name string }{f.ID, f.Name})
		if f.ID == q.r.URL.Query().Get("type") {
			filter = f
		}
	}
	pv.Type = filter.ID
	all, f := iamList[iam.Policy](q, "ListPolicies", "Policies", params("Scope", filter.Scope, "PathPrefix", filter.PathPrefix))
	if f != nil {
		q.page("policies", v, f)
		return
	}
	pv.Total = len(all)
	for _, p := range named(all, pv.Query, func(p *iam.Policy) string { return p.PolicyName }) {
		pv.Rows = append(pv.Rows, policyListRow{Policy: p, Type: policyType(p.Arn), UsedAs: usedAs(p)})
	}
	q.page("policies", v, nil)
}

// The list has no Description column: ListPolicies answers no
// descriptions (as AWS's does); a policy's page shows its description.

// usedAs is the Used as column: how many entities have the policy as a
// permissions policy, and as a permissions boundary.
func usedAs(p *iam.Policy) string {
	var uses []string
	if p.AttachmentCount > 0 {
		uses = append(uses, "Permissions policy ("+strconv.Itoa(int(p.AttachmentCount))+")")
	}
	if p.PermissionsBoundaryUsageCount > 0 {
		uses = append(uses, "Permissions boundary ("+strconv.Itoa(int(p.PermissionsBoundaryUsageCount))+")")
	}
	if len(uses) == 0 {
		return "None"
	}
	return strings.Join(uses, ", ")
}

// The policy's tabs, in the console's order and words.
var policyTabs = []struct{ ID, Name string }{
	{"permissions", "Permissions"},
	{"entities", "Entities attached"},
	{"versions", "Policy versions"},
}

type policyView struct {
	Policy   *iam.Policy
	Type     string
	Customer bool // its default version can be set
	Tab      string
	Tabs     []struct{ ID, Name string }

	// The tab's content, and why it is missing if its request failed.
	Document string // the default version's, or the chosen version's
	Version  string // the version Document is of
	Versions []iam.PolicyVersion
	Entities []entityRow
	Failed   *failure
}

// entityRow is an entity a policy is attached to, or bounds.
type entityRow struct{ Name, Type, AttachedAs, Link string }

func (c *Console) policyPage(q *req) {
	policyArn := policyArnOf(q.r.PathValue("arn"))
	v := q.iamView(policyName(policyArn), "policies")
	out, f := q.iam("GetPolicy", params("PolicyArn", policyArn))
	if f != nil {
		q.page("policy", v, f)
		return
	}
	p := member[*iam.Policy](out, "Policy")
	v.Title = p.PolicyName
	pv := &policyView{Policy: p, Type: policyType(p.Arn), Customer: !strings.HasPrefix(p.Arn, awsPolicyPrefix), Tab: q.r.URL.Query().Get("tab"), Tabs: policyTabs[:]}
	v.Page = pv
	switch pv.Tab {
	case "entities":
		pv.Entities, pv.Failed = q.policyEntities(p.Arn)
	case "versions":
		if pv.Versions, pv.Failed = iamList[iam.PolicyVersion](q, "ListPolicyVersions", "Versions", params("PolicyArn", p.Arn)); pv.Failed == nil {
			if pv.Version = q.r.URL.Query().Get("version"); pv.Version != "" {
				pv.Document, pv.Failed = q.policyDocument(p.Arn, pv.Version)
			}
		}
	default:
		pv.Tab, pv.Version = "permissions", p.DefaultVersionId
		pv.Document, pv.Failed = q.policyDocument(p.Arn, p.DefaultVersionId)
	}
	q.page("policy", v, nil)
}

// policyDocument is a version's document, indented.
func (q *req) policyDocument(policyArn, version string) (string, *failure) {
	out, f := q.iam("GetPolicyVersion", params("PolicyArn", policyArn, "VersionId", version))
	if f != nil {
		return "", f
	}
	return indentJSON(member[*iam.PolicyVersion](out, "PolicyVersion").Document), nil
}

// policyEntities are the roles, users and groups the policy is attached
// to, then those it is the permissions boundary of: one
// ListEntitiesForPolicy for each use.
func (q *req) policyEntities(policyArn string) ([]entityRow, *failure) {
	var rows []entityRow
	for _, use := range []struct{ filter, name string }{{"PermissionsPolicy", "Permissions policy"}, {"PermissionsBoundary", "Permissions boundary"}} {
		f := q.iamPages("ListEntitiesForPolicy", params("PolicyArn", policyArn, "PolicyUsageFilter", use.filter), func(out any) {
			for _, g := range member[[]iam.PolicyGroup](out, "PolicyGroups") {
				rows = append(rows, entityRow{g.GroupName, "Group", use.name, groupPath(g.GroupName)})
			}
			for _, u := range member[[]iam.PolicyUser](out, "PolicyUsers") {
				rows = append(rows, entityRow{u.UserName, "User", use.name, userPath(u.UserName)})
			}
			for _, r := range member[[]iam.PolicyRole](out, "PolicyRoles") {
				rows = append(rows, entityRow{r.RoleName, "Role", use.name, rolePath(r.RoleName)})
			}
		})
		if f != nil {
			return nil, f
		}
	}
	return rows, nil
}

// setDefaultVersion sets the version chosen on the Policy versions tab as
// the policy's default.
func (c *Console) setDefaultVersion(q *req) {
	policyArn, version := q.r.PostFormValue("policy"), q.r.PostFormValue("version")
	back := policyPath(policyArn) + "?tab=versions"
	if version == "" {
		q.incomplete(back, "Select the version to set as the default version.")
		return
	}
	if _, f := q.iam("SetDefaultPolicyVersion", params("PolicyArn", policyArn, "VersionId", version)); f != nil {
		q.failed(back, f)
		return
	}
	q.done(back, "Version "+version+" is now the default version.")
}
