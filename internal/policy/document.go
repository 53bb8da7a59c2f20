package policy

import (
	"encoding/json"
	"strings"
)

// Kind says where a document is used; IAM validates each kind differently.
type Kind int

const (
	// Identity policies: managed policies and user/group/role inline policies.
	Identity Kind = iota
	// Trust is a role's assume-role policy (a resource policy for sts:AssumeRole).
	Trust
	// Resource policies other than trust policies.
	Resource
)

func (k Kind) String() string {
	switch k {
	case Identity:
		return "identity"
	case Trust:
		return "trust"
	case Resource:
		return "resource"
	}
	return "unknown"
}

// Versions of the policy language.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Document is a parsed policy. Version is "" when the document has none
// (IAM then reads it as 2008-10-17; only trust and resource policies may
// omit it).
type Document struct {
	Version    string
	ID         string
	Statements []Statement // in document order
}

// Statement is one statement of a policy. An element written as a single
// string ("Action": "s3:GetObject") is held as a one-element list.
type Statement struct {
	Sid          string
	Effect       string // "Allow" or "Deny"
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Principal    *Principal
	NotPrincipal *Principal
	// Condition maps operator (e.g. "StringEquals", "ForAnyValue:StringLike")
	// to condition key to values. Booleans and numbers are held as their JSON
	// text ("true", "10"); a single value is a one-element list.
	Condition map[string]map[string][]string
}

// Principal is a Principal or NotPrincipal element. Any is true for the bare
// "*"; {"AWS": "*"} is held as ByType["AWS"] = ["*"].
type Principal struct {
	Any    bool
	ByType map[string][]string // "AWS", "Service", "Federated", "CanonicalUser" -> values
}

// Principal types, as written in policies, in the order rolecall checks them.
const (
	PrincipalAWS           = "AWS"
	PrincipalService       = "Service"
	PrincipalFederated     = "Federated"
	PrincipalCanonicalUser = "CanonicalUser"
)

var principalTypes = []string{PrincipalAWS, PrincipalService, PrincipalFederated, PrincipalCanonicalUser}

// AWSPrincipals lists the "AWS" principal values the document names, in
// Principal and NotPrincipal elements, in document order, without "*" and
// without repeats. Values are as written: account IDs, account root ARNs,
// user, role, assumed-role and federated-user ARNs. IAM rejects a trust
// policy naming a user or role that does not exist (see InvalidPrincipal);
// the caller, which knows the account, checks that.
func (d *Document) AWSPrincipals() []string { return d.principals(PrincipalAWS) }

// ServicePrincipals lists the "Service" principal values, as AWSPrincipals
// does. IAM rejects service principals it does not know
// (`Invalid principal in policy: "SERVICE":"tagging.amazonaws.com"`,
// hashicorp/terraform #35086); that check belongs to the caller's catalog.
func (d *Document) ServicePrincipals() []string { return d.principals(PrincipalService) }

// FederatedPrincipals lists the "Federated" principal values (SAML and OIDC
// provider ARNs, or identity provider domain names), as AWSPrincipals does.
func (d *Document) FederatedPrincipals() []string { return d.principals(PrincipalFederated) }

func (d *Document) principals(typ string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range d.Statements {
		for _, p := range []*Principal{s.Principal, s.NotPrincipal} {
			if p == nil {
				continue
			}
			for _, v := range p.ByType[typ] {
				if v != "*" && !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// RewriteAWSPrincipals returns doc with each "AWS" principal value v of
// its Principal and NotPrincipal elements replaced by f(v), and everything
// else as written: IAM keeps a trust policy's user and role principals as
// unique IDs and shows them as ARNs (IsUniqueID). doc is a stored
// document; one that does not parse is returned as it is.
func RewriteAWSPrincipals(doc string, f func(string) string) string {
	root, err := decodeJSON(doc)
	if err != nil || root.kind != jsonObject {
		return doc
	}
	type edit struct {
		start, end int
		with       string
	}
	var edits []edit
	visit := func(v *jsonValue) {
		if v.kind != jsonString {
			return
		}
		if w := f(v.str); w != v.str {
			q, _ := json.Marshal(w)
			edits = append(edits, edit{v.start, v.end, string(q)})
		}
	}
	stmts, _ := root.get("Statement")
	var list []*jsonValue
	switch {
	case stmts == nil:
	case stmts.kind == jsonArray:
		list = stmts.arr
	case stmts.kind == jsonObject:
		list = []*jsonValue{stmts}
	}
	for _, st := range list {
		if st.kind != jsonObject {
			continue
		}
		for _, m := range st.members {
			if (m.key != "Principal" && m.key != "NotPrincipal") || m.val.kind != jsonObject {
				continue
			}
			for _, pm := range m.val.members {
				if pm.key != PrincipalAWS {
					continue
				}
				visit(pm.val)
				for _, e := range pm.val.arr {
					visit(e)
				}
			}
		}
	}
	if len(edits) == 0 {
		return doc
	}
	var b strings.Builder
	last := 0
	for _, e := range edits {
		b.WriteString(doc[last:e.start])
		b.WriteString(e.with)
		last = e.end
	}
	b.WriteString(doc[last:])
	return b.String()
}
