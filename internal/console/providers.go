package console

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/iam"
)

// Identity providers, as the IAM User Guide's procedures walk them: "In
// the navigation pane, choose Identity providers, and then choose Add
// provider. For Configure provider, choose OpenID Connect. For Provider
// URL, type the URL of the IdP ... For Audience, type the client ID"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html);
// "For Configure provider, choose SAML. Type a name for the identity
// provider. For Metadata document, ... upload the SAML metadata document"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html);
// a provider's page, and Delete. Every step is the API's call, as the
// signed-in principal.

// idpRow is a provider in the list.
type idpRow struct {
	Arn, Name, Type string
	Created         time.Time
}

type providersView struct {
	Rows []idpRow
}

// providerTypeName is how the console names a provider ARN's type.
func providerTypeName(arn string) string {
	if strings.Contains(arn, ":saml-provider/") {
		return "SAML"
	}
	return "OpenID Connect"
}

// providerNameOf is the name in any provider ARN.
func providerNameOf(arn string) string {
	_, name, _ := strings.Cut(arn, "-provider/")
	return name
}

// providerPath is a provider's page.
func providerPath(arn string) string {
	return Prefix + "iam/providers/details?arn=" + url.QueryEscape(arn)
}

// providersPage lists the account's OIDC providers (ListOpenIDConnectProviders,
// and GetOpenIDConnectProvider for each one's creation date) and SAML
// providers (ListSAMLProviders), by name.
func (c *Console) providersPage(q *req) {
	v := q.iamView("Identity providers", "providers")
	pv := &providersView{}
	v.Page = pv
	out, f := q.iam("ListOpenIDConnectProviders", nil)
	if f != nil {
		q.page("providers", v, f)
		return
	}
	for _, a := range memberStrings(out, "OpenIDConnectProviderList", "Arn") {
		row := idpRow{Arn: a, Name: providerNameOf(a), Type: providerTypeName(a)}
		if p, f := q.iam("GetOpenIDConnectProvider", params("OpenIDConnectProviderArn", a)); f == nil {
			row.Created = member[time.Time](p, "CreateDate")
		}
		pv.Rows = append(pv.Rows, row)
	}
	out, f = q.iam("ListSAMLProviders", nil)
	if f != nil {
		q.page("providers", v, f)
		return
	}
	for _, p := range member[[]iam.SAMLProviderListEntry](out, "SAMLProviderList") {
		pv.Rows = append(pv.Rows, idpRow{Arn: p.Arn, Name: providerNameOf(p.Arn), Type: providerTypeName(p.Arn), Created: p.CreateDate})
	}
	slices.SortFunc(pv.Rows, func(a, b idpRow) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	q.page("providers", v, nil)
}

// addProviderView is the Add provider form and what it was sent with.
type addProviderView struct {
	Type                          string // "oidc" or "saml"
	URL, Audience, Name, Metadata string
	Failed                        *failure
}

func (c *Console) addProviderPage(q *req) {
	v := q.iamView("Add an identity provider", "providers")
	av := &addProviderView{Type: "oidc"}
	if q.r.URL.Query().Get("type") == "saml" {
		av.Type = "saml"
	}
	v.Page = av
	q.page("addprovider", v, nil)
}

// addProvider is CreateOpenIDConnectProvider (the URL and one audience) or
// CreateSAMLProvider (the name and the metadata document).
func (c *Console) addProvider(q *req) {
	f := q.r.PostForm
	av := &addProviderView{Type: f.Get("type"), URL: strings.TrimSpace(f.Get("url")), Audience: strings.TrimSpace(f.Get("audience")),
		Name: strings.TrimSpace(f.Get("name")), Metadata: f.Get("metadata")}
	var out any
	var fail *failure
	var arn string
	if av.Type == "saml" {
		out, fail = q.iam("CreateSAMLProvider", params("Name", av.Name, "SAMLMetadataDocument", av.Metadata))
		arn = member[string](out, "SAMLProviderArn")
	} else {
		av.Type = "oidc"
		in := params("Url", av.URL)
		if av.Audience != "" {
			in.Set("ClientIDList.member.1", av.Audience)
		}
		out, fail = q.iam("CreateOpenIDConnectProvider", in)
		arn = member[string](out, "OpenIDConnectProviderArn")
	}
	if fail != nil {
		av.Failed = fail
		v := q.iamView("Add an identity provider", "providers")
		v.Page = av
		q.c.render(q.w, failureStatus(fail), "addprovider", v)
		return
	}
	q.done(providerPath(arn), "Provider "+providerNameOf(arn)+" added.")
}

// providerView is a provider's page: GetOpenIDConnectProvider or
// GetSAMLProvider.
type providerView struct {
	Arn, Name, Type string
	Created         time.Time
	// OIDC
	URL                    string
	Audiences, Thumbprints []string
	// SAML
	Metadata   string
	ValidUntil time.Time
	Tags       []iam.Tag
}

func (c *Console) providerPage(q *req) {
	arn := q.r.URL.Query().Get("arn")
	v := q.iamView(providerNameOf(arn), "providers")
	pv := &providerView{Arn: arn, Name: providerNameOf(arn), Type: providerTypeName(arn)}
	v.Page = pv
	var out any
	var f *failure
	if pv.Type == "SAML" {
		out, f = q.iam("GetSAMLProvider", params("SAMLProviderArn", arn))
		pv.Metadata, pv.ValidUntil = member[string](out, "SAMLMetadataDocument"), member[time.Time](out, "ValidUntil")
	} else {
		out, f = q.iam("GetOpenIDConnectProvider", params("OpenIDConnectProviderArn", arn))
		pv.URL = member[string](out, "Url")
		pv.Audiences, pv.Thumbprints = member[[]string](out, "ClientIDList"), member[[]string](out, "ThumbprintList")
	}
	pv.Created, pv.Tags = member[time.Time](out, "CreateDate"), member[[]iam.Tag](out, "Tags")
	q.page("provider", v, f)
}

// deleteProvider is DeleteOpenIDConnectProvider or DeleteSAMLProvider.
func (c *Console) deleteProvider(q *req) {
	arn := q.r.PostForm.Get("arn")
	if q.r.PostForm.Get("confirm") != providerNameOf(arn) {
		q.s.addFlash(flash{Kind: "error", Text: "Enter the provider name exactly to confirm its deletion."})
		q.done(providerPath(arn), "")
		return
	}
	var f *failure
	if providerTypeName(arn) == "SAML" {
		_, f = q.iam("DeleteSAMLProvider", params("SAMLProviderArn", arn))
	} else {
		_, f = q.iam("DeleteOpenIDConnectProvider", params("OpenIDConnectProviderArn", arn))
	}
	if f != nil {
		q.failed(providerPath(arn), f)
		return
	}
	q.done(Prefix+"iam/providers", "Provider "+providerNameOf(arn)+" deleted.")
}
