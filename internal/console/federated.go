package console

import (
	"reflect"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/iam"
)

// Create role's Web identity and SAML 2.0 federation types, as "Create a
// role for OpenID Connect federation (console)" and "Create a role for
// SAML 2.0 federation (console)" (IAM User Guide,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html)
// walk them: choose the identity provider and, for OIDC, the audience
// (for GitHub's provider, the organization, and optionally repository
// and branch, the token's sub must name); for SAML, "Allow programmatic
// access only" or "Allow programmatic and AWS Management Console access",
// which requires the assertion's audience to be AWS's sign-in endpoint.

// githubIssuer is GitHub Actions' OIDC provider, for which the console
// asks for the organization, repository and branch.
const githubIssuer = "token.actions.githubusercontent.com"

// samlConsoleAudience is SAML:aud for console access: AWS's sign-in
// endpoint, where the IdP posts the assertion.
const samlConsoleAudience = "https://signin.aws.amazon.com/saml"

// samlAttributes are the SAML condition keys programmatic access may
// require a value of (IAM's SAML keys, "Available keys for SAML-based
// AWS STS federation").
var samlAttributes = []string{"SAML:aud", "SAML:iss", "SAML:sub", "SAML:sub_type", "SAML:eduPersonOrgDN", "SAML:namequalifier"}

// providerChoice is an identity provider in the wizard's list.
type providerChoice struct{ Arn, Name string }

// providerName is the name in a provider's ARN (a URL without https://
// for OIDC), "" when arn is not a provider of kind in account.
func providerName(account, kind, arn string) string {
	name, ok := strings.CutPrefix(arn, "arn:aws:iam::"+account+":"+kind+"/")
	if !ok {
		return ""
	}
	return name
}

// providerKind is the ARN resource type of the providers a federated
// entity type chooses among.
func (s *createState) providerKind() string {
	if s.Type == "saml" {
		return "saml-provider"
	}
	return "oidc-provider"
}

// federatedCondition is the Condition of the trust policy the choices
// make for Web identity or SAML 2.0 federation; ok is false while they
// are not enough (federatedProblem says why).
func (s *createState) federatedCondition(account string) (map[string]any, bool) {
	name := providerName(account, s.providerKind(), s.Provider)
	if name == "" {
		return nil, false
	}
	if s.Type == "saml" {
		switch {
		case s.SAMLAccess == "console":
			return map[string]any{"StringEquals": map[string]any{"SAML:aud": samlConsoleAudience}}, true
		case s.SAMLAttr == "" && s.SAMLValue == "":
			return map[string]any{}, true
		case !slices.Contains(samlAttributes, s.SAMLAttr) || s.SAMLValue == "":
			return nil, false
		}
		return map[string]any{"StringEquals": map[string]any{s.SAMLAttr: s.SAMLValue}}, true
	}
	if s.Audience == "" {
		return nil, false
	}
	cond := map[string]any{"StringEquals": map[string]any{name + ":aud": s.Audience}}
	if name == githubIssuer {
		if s.GitHubOrg == "" {
			return nil, false
		}
		cond["StringLike"] = map[string]any{name + ":sub": githubSubject(s.GitHubOrg, s.GitHubRepo, s.GitHubBranch)}
	}
	return cond, true
}

// githubSubject is the sub a GitHub Actions token must match: any
// repository of the organization when none is given, any ref when no
// branch is ("Configuring a role for GitHub OIDC identity provider",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub).
func githubSubject(org, repo, branch string) string {
	if repo == "" {
		repo = "*"
	}
	if branch == "" {
		return "repo:" + org + "/" + repo + ":*"
	}
	return "repo:" + org + "/" + repo + ":ref:refs/heads/" + branch
}

// federatedProblem is why federatedCondition is not ok.
func (s *createState) federatedProblem(account string) string {
	name := providerName(account, s.providerKind(), s.Provider)
	switch {
	case name == "" && s.Type == "saml":
		return "Choose a SAML 2.0 provider."
	case name == "":
		return "Choose an identity provider."
	case s.Type == "saml":
		return "Choose an attribute and enter its value."
	case s.Audience == "":
		return "Choose an audience."
	}
	return "Enter a GitHub organization."
}

// federatedChoices lists, through the API as the signed-in principal,
// the providers of the type chosen and, for a chosen OIDC provider, its
// audiences.
func (q *req) federatedChoices(cv *createView) *failure {
	st := cv.createState
	kind := st.providerKind()
	var arns []string
	if st.Type == "saml" {
		cv.SAMLAttrs = samlAttributes
		out, f := q.iam("ListSAMLProviders", nil)
		if f != nil {
			return f
		}
		for _, p := range member[[]iam.SAMLProviderListEntry](out, "SAMLProviderList") {
			arns = append(arns, p.Arn)
		}
	} else {
		out, f := q.iam("ListOpenIDConnectProviders", nil)
		if f != nil {
			return f
		}
		arns = memberStrings(out, "OpenIDConnectProviderList", "Arn")
	}
	slices.Sort(arns)
	for _, a := range arns {
		cv.Providers = append(cv.Providers, providerChoice{Arn: a, Name: providerName(q.p.Account, kind, a)})
	}
	if st.Type != "webidentity" || !slices.Contains(arns, st.Provider) {
		return nil
	}
	out, f := q.iam("GetOpenIDConnectProvider", params("OpenIDConnectProviderArn", st.Provider))
	if f != nil {
		return f
	}
	cv.Audiences = member[[]string](out, "ClientIDList")
	cv.GitHub = providerName(q.p.Account, kind, st.Provider) == githubIssuer
	return nil
}

// memberStrings is the string member field of each element of the list
// member of an operation's output, whatever the elements' type (some are
// the binding's own, unexported).
func memberStrings(out any, list, field string) []string {
	v, err := memberValue(reflect.ValueOf(out), []string{list})
	if err != nil || !v.IsValid() || v.Kind() != reflect.Slice {
		return nil
	}
	var strs []string
	for i := range v.Len() {
		if f, err := memberValue(v.Index(i), []string{field}); err == nil && f.Kind() == reflect.String {
			strs = append(strs, f.String())
		}
	}
	return strs
}
