package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/iam"
)

// Create role, as "To create a service-linked role (console)" (IAM User
// Guide, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create-service-linked-role.html)
// walks it: "2. ... choose Roles. Then, choose Create role. 3. Choose the
// AWS Service role type. 4. Choose the use case for your service. ...
// Then, choose Next. 5. Choose one or more permissions policies ... 6. For
// Role name, the degree of role name customization is defined by the
// service. If the service defines the role's name, then this option is
// not editable. In other cases, the service might define a prefix for the
// role and let you enter an optional suffix. 7. (Optional) For
// Description, edit the description ... 8. You cannot attach tags to
// service-linked roles during creation. 9. Review the role and then choose
// Create role." Three steps, each a GET form carrying the choices so far
// (no script needed); Create role posts them.

// The trusted entity types, in the console's order and words. Web
// identity and SAML 2.0 federation choose among the account's identity
// providers (providers.go).
var entityTypes = []struct{ ID, Name, About string }{
	{"service", "AWS service", "Allow AWS services like EC2, Lambda, or others to perform actions in this account."},
	{"account", "AWS account", "Allow entities in other AWS accounts belonging to you or a 3rd party to perform actions in this account."},
	{"webidentity", "Web identity", "Allows users federated by the specified external web identity provider to assume this role to perform actions in this account."},
	{"saml", "SAML 2.0 federation", "Allow users federated with SAML 2.0 from a corporate directory to perform actions in this account."},
	{"custom", "Custom trust policy", "Create a custom trust policy to enable others to perform actions in this account."},
}

// linkedGroup is a service of the "Service or use case" list, with its
// service-linked roles as use cases (internal/catalog's linked services).
type linkedGroup struct {
	Key, Name string
	UseCases  []*catalog.LinkedService
}

// linkedGroups are the linked-service catalog grouped by service, in name
// order: ecs.amazonaws.com and ecs-compute.amazonaws.com both under
// "Elastic Container Service".
var linkedGroups = sync.OnceValue(func() []linkedGroup {
	by := map[string]*linkedGroup{}
	for _, ls := range catalog.LinkedServices() {
		key, name := linkedServiceName(ls.Principal)
		g := by[key]
		if g == nil {
			g = &linkedGroup{Key: key, Name: name}
			by[key] = g
		}
		g.UseCases = append(g.UseCases, ls)
	}
	out := make([]linkedGroup, 0, len(by))
	for _, g := range by {
		sort.Slice(g.UseCases, func(i, j int) bool { return g.UseCases[i].RoleName < g.UseCases[j].RoleName })
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
})

// linkedServiceName is the service of a linked service's principal: the
// label before .amazonaws.com ("dynamodb.application-autoscaling" ->
// "application-autoscaling"), named as the Service Authorization Reference
// names it without "Amazon" or "AWS" ("Elastic Container Service"); a
// label the reference does not know is tried without its "-suffix"
// ("ecs-compute" -> "ecs"), else named as it is.
func linkedServiceName(principal string) (key, name string) {
	host := strings.TrimSuffix(principal, ".amazonaws.com")
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		host = host[i+1:]
	}
	for _, ns := range []string{host, strings.SplitN(host, "-", 2)[0]} {
		if si, ok := actions.Service(ns); ok {
			n := strings.TrimPrefix(strings.TrimPrefix(si.Name, "Amazon "), "AWS ")
			return ns, n
		}
	}
	return host, host
}

func findGroup(key string) *linkedGroup {
	for _, g := range linkedGroups() {
		if g.Key == key {
			return &g
		}
	}
	return nil
}

// createState is the wizard's choices, carried from step to step.
type createState struct {
	Step    int
	Type    string // an entityTypes ID
	Service string // a linkedGroup key
	UseCase string // a linked service's principal
	Account string // "this", or another account's ID (type account)
	Trust   string // the custom trust policy (type custom)
	// Web identity and SAML 2.0 federation: the provider's ARN; for web
	// identity its audience, or GitHub's organization, repository and
	// branch; for SAML the access ("programmatic" or "console") and, for
	// programmatic access, an attribute's value to require.
	Provider, Audience                  string
	GitHubOrg, GitHubRepo, GitHubBranch string
	SAMLAccess, SAMLAttr, SAMLValue     string
	Policies                            []string // managed policies to attach (not service-linked)
	Name                                string   // the role's name (not service-linked)
	Suffix                              string   // a service-linked role's custom suffix
	Desc                                string
}

func readCreateState(v url.Values) *createState {
	account := v.Get("account")
	switch v.Get("acct") { // the AWS account radio buttons: this one, or the ID typed
	case "this":
		account = "this"
	case "other":
		account = strings.TrimSpace(v.Get("account_id"))
	}
	s := &createState{Type: v.Get("type"), Service: v.Get("service"), UseCase: v.Get("usecase"), Account: account,
		Trust: v.Get("trust"), Policies: v["policy"],
		Provider: v.Get("provider"), Audience: v.Get("audience"),
		GitHubOrg: strings.TrimSpace(v.Get("gh_org")), GitHubRepo: strings.TrimSpace(v.Get("gh_repo")), GitHubBranch: strings.TrimSpace(v.Get("gh_branch")),
		SAMLAccess: v.Get("saml_access"), SAMLAttr: v.Get("saml_attr"), SAMLValue: strings.TrimSpace(v.Get("saml_value")), Name: strings.TrimSpace(v.Get("name")), Suffix: strings.TrimSpace(v.Get("suffix")), Desc: v.Get("description")}
	switch v.Get("step") {
	case "2":
		s.Step = 2
	case "3":
		s.Step = 3
	default:
		s.Step = 1
	}
	if s.Type == "" {
		s.Type = "service"
	}
	if s.Account == "" {
		s.Account = "this"
	}
	if s.SAMLAccess != "programmatic" {
		s.SAMLAccess = "console"
	}
	return s
}

// linked is the use case chosen, when it is a service-linked role.
func (s *createState) linked() *catalog.LinkedService {
	if s.Type != "service" {
		return nil
	}
	ls, ok := catalog.LinkedServiceFor(s.UseCase)
	if !ok {
		return nil
	}
	return ls
}

// trustPolicy is the trust policy the choices make; "" when they make
// none yet.
func (s *createState) trustPolicy(account string) string {
	switch s.Type {
	case "custom":
		return s.Trust
	case "account":
		id := account
		if s.Account != "this" {
			id = s.Account
		}
		if !arn.IsAccountID(id) {
			return ""
		}
		// The document the console writes for "AWS account".
		doc := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + id + ":root"}, "Action": "sts:AssumeRole", "Condition": map[string]any{}}}}
		b, _ := json.MarshalIndent(doc, "", "    ")
		return string(b)
	case "service":
		if ls := s.linked(); ls != nil {
			return indentJSON(`{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"` + ls.Principal + `"}}]}`)
		}
	case "webidentity", "saml":
		if cond, ok := s.federatedCondition(account); ok {
			action := "sts:AssumeRoleWithWebIdentity"
			if s.Type == "saml" {
				action = "sts:AssumeRoleWithSAML"
			}
			doc := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"Federated": s.Provider}, "Action": action, "Condition": cond}}}
			b, _ := json.MarshalIndent(doc, "", "    ")
			return string(b)
		}
	}
	return ""
}

// problem is why the choices of the steps before s.Step are not enough
// to go on, as the console says it beside the field; "" if they are.
func (s *createState) problem(account string) string {
	switch {
	case s.Type == "service" && s.linked() == nil:
		return "Choose a service and a use case."
	case s.Type == "account" && s.trustPolicy(account) == "":
		return "Enter a 12-digit account ID."
	case s.Type == "custom" && strings.TrimSpace(s.Trust) == "":
		return "Enter a trust policy."
	case s.Type == "webidentity" || s.Type == "saml":
		if _, ok := s.federatedCondition(account); !ok {
			return s.federatedProblem(account)
		}
	case s.Type != "service" && s.Type != "account" && s.Type != "custom":
		return "Choose a trusted entity type."
	}
	return ""
}

type createView struct {
	*createState
	Types     any
	Groups    []linkedGroup
	Group     *linkedGroup
	Linked    *catalog.LinkedService
	RoleName  string // the name the role will have (service-linked)
	TrustDoc  string
	Problem   string
	Providers []providerChoice // the identity providers of the type chosen
	Audiences []string         // the web identity provider's client IDs
	GitHub    bool             // the provider is GitHub's (token.actions.githubusercontent.com)
	SAMLAttrs []string         // the attributes programmatic SAML access may require
	Query     string
	Available []iam.Policy // step 2: the policies to choose from
	More      int
	Failed    *failure
	BackURL   string // the step before, with the choices so far
}

// query is the state as a query string, at step.
func (s *createState) query(step int) string {
	v := url.Values{"step": {strconv.Itoa(step)}, "type": {s.Type}, "service": {s.Service}, "usecase": {s.UseCase}, "account": {s.Account},
		"trust": {s.Trust}, "policy": s.Policies, "provider": {s.Provider}, "audience": {s.Audience},
		"gh_org": {s.GitHubOrg}, "gh_repo": {s.GitHubRepo}, "gh_branch": {s.GitHubBranch}, "saml_access": {s.SAMLAccess}, "saml_attr": {s.SAMLAttr}, "saml_value": {s.SAMLValue}, "name": {s.Name}, "suffix": {s.Suffix}, "description": {s.Desc}}
	for k, vs := range v {
		if len(vs) == 0 || (len(vs) == 1 && vs[0] == "") {
			delete(v, k)
		}
	}
	return Prefix + "iam/roles/create?" + v.Encode()
}

func (c *Console) createRolePage(q *req) {
	st := readCreateState(q.r.URL.Query())
	q.renderCreate(st, strings.TrimSpace(q.r.URL.Query().Get("q")), nil)
}

func (q *req) renderCreate(st *createState, query string, failed *failure) {
	v := q.iamView("Create role", "roles")
	cv := &createView{createState: st, Types: entityTypes, Groups: linkedGroups(), Group: findGroup(st.Service), Linked: st.linked(), Query: query, Failed: failed}
	v.Page = cv
	if st.Step > 1 {
		if cv.Problem = st.problem(q.p.Account); cv.Problem != "" {
			st.Step = 1
		}
	}
	if st.Step == 1 && (st.Type == "webidentity" || st.Type == "saml") {
		if f := q.federatedChoices(cv); f != nil && cv.Failed == nil {
			cv.Failed = f
			failed = f
		}
	}
	cv.TrustDoc = st.trustPolicy(q.p.Account)
	cv.BackURL = st.query(max(st.Step-1, 1))
	if cv.Linked != nil {
		cv.RoleName = cv.Linked.RoleNameWithSuffix(st.Suffix)
	}
	status := http.StatusOK
	if failed != nil {
		status = failureStatus(failed)
	}
	if st.Step == 2 && cv.Linked == nil {
		all, f := q.listPolicies()
		if f != nil {
			cv.Failed, status = f, failureStatus(f)
		}
		chosen := map[string]bool{}
		for _, p := range st.Policies {
			chosen[p] = true
		}
		cv.Available, cv.More = shownPolicies(all, query, chosen)
	}
	q.c.render(q.w, status, "create", v)
}

// createRole creates the role the wizard describes: a service-linked role
// with CreateServiceLinkedRole (its name and path the service's, a suffix
// only where the service takes one), any other with CreateRole and an
// AttachRolePolicy per policy chosen.
func (c *Console) createRole(q *req) {
	st := readCreateState(q.r.PostForm)
	st.Step = 3
	if p := st.problem(q.p.Account); p != "" {
		q.renderCreate(st, "", nil)
		return
	}
	if ls := st.linked(); ls != nil {
		out, f := q.iam("CreateServiceLinkedRole", params("AWSServiceName", ls.Principal, "Description", st.Desc, "CustomSuffix", st.Suffix))
		if f != nil {
			q.renderCreate(st, "", f)
			return
		}
		q.done(Prefix+"iam/roles", "Role "+member[*iam.Role](out, "Role").RoleName+" created.")
		return
	}
	if _, f := q.iam("CreateRole", params("RoleName", st.Name, "AssumeRolePolicyDocument", st.trustPolicy(q.p.Account), "Description", st.Desc)); f != nil {
		q.renderCreate(st, "", f)
		return
	}
	for _, p := range st.Policies {
		if _, f := q.iam("AttachRolePolicy", params("RoleName", st.Name, "PolicyArn", p)); f != nil {
			// The role exists; what could not be attached is said on its
			// page, as the console does.
			q.failed(rolePath(st.Name), f)
			return
		}
	}
	q.done(Prefix+"iam/roles", "Role "+st.Name+" created.")
}
