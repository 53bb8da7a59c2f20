package console

import (
	"net/url"
	"strings"
)

// The IAM Dashboard ("In the navigation pane, choose Dashboard", IAM User
// Guide): the account's IAM resources with their quotas (GetAccountSummary)
// and the AWS Account section, with the Account Alias and its Create, Edit
// and Delete ("In the AWS Account section, next to Account Alias, choose
// Delete", https://docs.aws.amazon.com/IAM/latest/UserGuide/DeleteAccountAlias.html)
// and the sign-in URL of the account's IAM users, which names the alias
// in place of the account ID once there is one ("Your AWS account ID and
// its alias", https://docs.aws.amazon.com/IAM/latest/UserGuide/console_account-alias.html).

type dashboardView struct {
	Resources []summaryRow
	Quotas    []summaryRow
	Summary   *failure // why the resources are not shown
	Alias     string
	Aliases   *failure // why the alias is not shown
	SignInURL string
}

// summaryRow is one line of the account summary: a count and its quota,
// or a quota alone.
type summaryRow struct {
	Name         string
	Count, Quota int32
	HasQuota     bool
	Link         string // the resource's list page
}

// The summary's members as the Dashboard shows them: the IAM resources
// (the console's card lists the first five), then the limits on each
// entity. GetAccountSummary API reference:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html
var (
	summaryResources = []struct{ Name, Count, Quota, Link string }{
		{"User groups", "Groups", "GroupsQuota", Prefix + "iam/groups"},
		{"Users", "Users", "UsersQuota", Prefix + "iam/users"},
		{"Roles", "Roles", "RolesQuota", Prefix + "iam/roles"},
		{"Policies", "Policies", "PoliciesQuota", Prefix + "iam/policies?type=customer"},
		{"Identity providers", "Providers", "", ""},
		{"Instance profiles", "InstanceProfiles", "InstanceProfilesQuota", ""},
		{"Policy versions in use", "PolicyVersionsInUse", "PolicyVersionsInUseQuota", ""},
		{"Server certificates", "ServerCertificates", "ServerCertificatesQuota", ""},
		{"MFA devices", "MFADevices", "", ""},
	}
	summaryQuotas = []struct{ Name, Quota string }{
		{"Access keys per user", "AccessKeysPerUserQuota"},
		{"Signing certificates per user", "SigningCertificatesPerUserQuota"},
		{"Groups per user", "GroupsPerUserQuota"},
		{"Managed policies attached per role", "AttachedPoliciesPerRoleQuota"},
		{"Managed policies attached per user", "AttachedPoliciesPerUserQuota"},
		{"Managed policies attached per group", "AttachedPoliciesPerGroupQuota"},
		{"Versions per managed policy", "VersionsPerPolicyQuota"},
		{"Managed policy size (characters)", "PolicySizeQuota"},
		{"Role trust policy size (characters)", "AssumeRolePolicySizeQuota"},
		{"Role inline policies size (characters)", "RolePolicySizeQuota"},
		{"User inline policies size (characters)", "UserPolicySizeQuota"},
		{"Group inline policies size (characters)", "GroupPolicySizeQuota"},
	}
)

func (c *Console) dashboardPage(q *req) {
	// The alias first: the page header shows what the page reads.
	dv := &dashboardView{}
	dv.Alias, dv.Aliases = q.accountAlias()
	v := q.iamView("IAM Dashboard", "dashboard")
	v.Page = dv
	dv.SignInURL = signInURL(q, dv.Alias)
	out, f := q.iam("GetAccountSummary", nil)
	if f != nil {
		dv.Summary = f
		q.c.render(q.w, failureStatus(f), "dashboard", v)
		return
	}
	m := member[map[string]int32](out, "SummaryMap")
	for _, r := range summaryResources {
		n, ok := m[r.Count]
		row := summaryRow{Name: r.Name, Count: n, Link: r.Link}
		row.Quota, row.HasQuota = m[r.Quota]
		if ok {
			dv.Resources = append(dv.Resources, row)
		}
	}
	for _, r := range summaryQuotas {
		if n, ok := m[r.Quota]; ok {
			dv.Quotas = append(dv.Quotas, summaryRow{Name: r.Name, Quota: n, HasQuota: true})
		}
	}
	q.page("dashboard", v, nil)
}

// signInURL is where the account's IAM users sign in to this console: its
// sign-in page with the account, by its alias when it has one, filled in.
func signInURL(q *req, alias string) string {
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	account := alias
	if account == "" {
		account = q.p.Account
	}
	return scheme + "://" + q.r.Host + Prefix + "signin?" + url.Values{"account": {account}}.Encode()
}

// alias is the account alias the page header shows, as the AWS console's
// navigation bar does for whoever signed in. It is read once a session,
// as its principal (ListAccountAliases): one who may not read it sees no
// alias, and the refusal is recorded once rather than on every page. The
// Dashboard reads it again; its forms set it.
func (q *req) alias() string {
	q.s.mu.Lock()
	a, read := q.s.alias, q.s.aliasRead
	q.s.mu.Unlock()
	if read {
		return a
	}
	a, _ = q.accountAlias()
	return a
}

// accountAlias reads the account's alias (an account has at most one) and
// keeps it for the header.
func (q *req) accountAlias() (string, *failure) {
	aliases, f := iamList[string](q, "ListAccountAliases", "AccountAliases", nil)
	a := ""
	if len(aliases) > 0 {
		a = aliases[0]
	}
	q.setAlias(a)
	return a, f
}

func (q *req) setAlias(a string) {
	q.s.mu.Lock()
	q.s.alias, q.s.aliasRead = a, true
	q.s.mu.Unlock()
}

// createAlias creates the account's alias, in place of the one it has
// (CreateAccountAlias: "the new alias overwrites the previous alias").
func (c *Console) createAlias(q *req) {
	back := Prefix + "iam"
	alias := strings.TrimSpace(q.r.PostFormValue("alias"))
	if _, f := q.iam("CreateAccountAlias", url.Values{"AccountAlias": {alias}}); f != nil {
		q.failed(back, f)
		return
	}
	q.setAlias(alias)
	q.done(back, "Account alias "+alias+" created.")
}

func (c *Console) deleteAlias(q *req) {
	back := Prefix + "iam"
	alias := q.r.PostFormValue("alias")
	if _, f := q.iam("DeleteAccountAlias", url.Values{"AccountAlias": {alias}}); f != nil {
		q.failed(back, f)
		return
	}
	q.setAlias("")
	q.done(back, "Account alias "+alias+" deleted.")
}
