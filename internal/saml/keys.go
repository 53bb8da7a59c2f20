package saml

import (
	"fmt"
	"strings"
)

// AWS's SAML attributes (IAM User Guide, "Configure SAML assertions for
// the authentication response",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html).
// Their names are case-sensitive.
const (
	AttributePrefix          = "https://aws.amazon.com/SAML/Attributes/"
	AttributeRole            = AttributePrefix + "Role"
	AttributeRoleSessionName = AttributePrefix + "RoleSessionName"
	AttributeSessionDuration = AttributePrefix + "SessionDuration"
	AttributeSourceIdentity  = AttributePrefix + "SourceIdentity"
	AttributeTransitiveTags  = AttributePrefix + "TransitiveTagKeys"
	// AttributePrincipalTag is followed by the session tag's key.
	AttributePrincipalTag = AttributePrefix + "PrincipalTag:"
)

// AWS's sign-in endpoint, the Recipient AWS takes responses for, and the
// two audiences it answers to ("specify either
// https://signin.aws.amazon.com/saml or urn:amazon:webservices", same
// page).
const (
	SignInURL   = "https://signin.aws.amazon.com/saml"
	AudienceURN = "urn:amazon:webservices"
)

// ContextKey is a SAML attribute that AWS maps to a trust policy
// condition key.
type ContextKey struct {
	Attribute, Key string
}

// ContextKeys are the attributes AWS maps to saml: condition keys, as the
// IAM User Guide lists them ("Mapping SAML attributes to AWS trust policy
// context keys", same page; the keys as the Service Authorization
// Reference spells them). An assertion with two attributes for one key
// has the first mapped ("If you include more than one, only one claim
// will be mapped").
var ContextKeys = []ContextKey{
	// eduPerson and eduOrg.
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "saml:edupersonaffiliation"},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "saml:edupersonnickname"},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "saml:edupersonorgdn"},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.4", "saml:edupersonorgunitdn"},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.5", "saml:edupersonprimaryaffiliation"},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "saml:edupersonprincipalname"},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "saml:edupersonentitlement"},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.8", "saml:edupersonprimaryorgunitdn"},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.9", "saml:edupersonscopedaffiliation"},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.10", "saml:edupersontargetedid"},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.11", "saml:edupersonassurance"},
	{"urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "saml:eduorghomepageuri"},
	{"urn:oid:1.3.6.1.4.1.5923.1.2.1.3", "saml:eduorgidentityauthnpolicyuri"},
	{"urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "saml:eduorglegalname"},
	{"urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "saml:eduorgsuperioruri"},
	{"urn:oid:1.3.6.1.4.1.5923.1.2.1.6", "saml:eduorgwhitepagesuri"},
	{"urn:oid:2.5.4.3", "saml:cn"},
	// Active Directory.
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "saml:name"},
	{"http://schemas.xmlsoap.org/claims/CommonName", "saml:commonName"},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "saml:givenName"},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "saml:surname"},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "saml:mail"},
	{"http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid", "saml:primaryGroupSID"},
	// X.500 (the OIDs as the guide writes them).
	{"2.5.4.3", "saml:commonName"},
	{"2.5.4.4", "saml:surname"},
	{"2.4.5.42", "saml:givenName"},
	{"2.5.4.45", "saml:x500UniqueIdentifier"},
	{"0.9.2342.19200300100.1.1", "saml:uid"},
	{"0.9.2342.19200300100.1.3", "saml:mail"},
	{"0.9.2342.19200300.100.1.45", "saml:organizationStatus"},
}

// AttributeName is the attribute Name a short name stands for: AWS's own
// attributes by their last part ("RoleSessionName", "SessionDuration",
// "PrincipalTag:Project"), a saml: condition key by the first attribute
// that maps to it ("saml:edupersonaffiliation"); anything else is a
// Name as it is.
func AttributeName(short string) (string, error) {
	switch base, _, _ := strings.Cut(short, ":"); {
	case short == "Role" || short == "RoleSessionName" || short == "SessionDuration" || short == "SourceIdentity" || short == "TransitiveTagKeys":
		return AttributePrefix + short, nil
	case base == "PrincipalTag":
		return AttributePrefix + short, nil
	case strings.EqualFold(base, "saml"):
		for _, k := range ContextKeys {
			if strings.EqualFold(k.Key, short) {
				return k.Attribute, nil
			}
		}
		return "", fmt.Errorf("%s is no condition key an attribute maps to (saml:aud, saml:iss, saml:sub, saml:sub_type, saml:doc and saml:namequalifier come from the response itself)", short)
	}
	return short, nil
}
