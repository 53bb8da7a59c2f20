package saml

import (
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Spec is a SAML response to build: what an identity provider asserts of
// a user it authenticated.
type Spec struct {
	Issuer string
	// NameID is the Subject's name identifier; NameIDFormat its Format
	// (default NameIDPersistent).
	NameID, NameIDFormat string
	// Recipient is where the response is presented (the
	// SubjectConfirmationData's Recipient and the Response's
	// Destination).
	Recipient string
	// Audiences form the Conditions' AudienceRestriction; none: no
	// AudienceRestriction.
	Audiences []string
	// IssueInstant is when the response is issued; NotBefore and
	// NotOnOrAfter bound the assertion (zero NotBefore: none).
	IssueInstant, NotBefore, NotOnOrAfter time.Time
	Attributes                            []Attribute
	// Encrypt, when set, encrypts the signed assertion
	// (EncryptedAssertion).
	Encrypt *Encryption
}

// Signer signs responses: a private key and its certificate (DER).
type Signer struct {
	Key  crypto.Signer
	Cert []byte
}

// Response builds the response spec describes, its assertion signed
// (enveloped, exclusive canonicalization, RSA-SHA256 or ECDSA-SHA256) and
// then encrypted if spec says so, and answers it base64-encoded, as
// AssumeRoleWithSAML takes it.
func (s Signer) Response(spec Spec) (string, error) {
	if s.Key == nil || len(s.Cert) == 0 {
		return "", errors.New("saml: no signing key")
	}
	format := spec.NameIDFormat
	if format == "" {
		format = NameIDPersistent
	}
	issued := stamp(spec.IssueInstant)

	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", nsAssertion)
	a.CreateAttr("ID", newID())
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", issued)
	a.CreateElement("saml:Issuer").SetText(spec.Issuer)
	subject := a.CreateElement("saml:Subject")
	nameID := subject.CreateElement("saml:NameID")
	nameID.CreateAttr("Format", format)
	nameID.SetText(spec.NameID)
	sc := subject.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", bearer)
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", stamp(spec.NotOnOrAfter))
	scd.CreateAttr("Recipient", spec.Recipient)
	cond := a.CreateElement("saml:Conditions")
	if !spec.NotBefore.IsZero() {
		cond.CreateAttr("NotBefore", stamp(spec.NotBefore))
	}
	cond.CreateAttr("NotOnOrAfter", stamp(spec.NotOnOrAfter))
	if len(spec.Audiences) > 0 {
		ar := cond.CreateElement("saml:AudienceRestriction")
		for _, au := range spec.Audiences {
			ar.CreateElement("saml:Audience").SetText(au)
		}
	}
	authn := a.CreateElement("saml:AuthnStatement")
	authn.CreateAttr("AuthnInstant", issued)
	authn.CreateAttr("SessionIndex", newID())
	authn.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").
		SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	if len(spec.Attributes) > 0 {
		st := a.CreateElement("saml:AttributeStatement")
		for _, at := range spec.Attributes {
			el := st.CreateElement("saml:Attribute")
			el.CreateAttr("Name", at.Name)
			if at.FriendlyName != "" {
				el.CreateAttr("FriendlyName", at.FriendlyName)
			}
			// No xsi:type="xs:string": exclusive canonicalization drops
			// the declaration of a prefix used only in an attribute's
			// value, and goxmldsig writes no InclusiveNamespaces to keep
			// it, so the signed values are untyped, as ADFS sends them.
			for _, v := range at.Values {
				el.CreateElement("saml:AttributeValue").SetText(v)
			}
		}
	}

	ctx, err := dsig.NewSigningContext(s.Key, [][]byte{s.Cert})
	if err != nil {
		return "", err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	sig, err := ctx.ConstructSignature(a, true)
	if err != nil {
		return "", err
	}
	// The schema puts the Signature right after the Issuer.
	a.InsertChildAt(1, sig)

	d := etree.NewDocument()
	r := d.CreateElement("samlp:Response")
	r.CreateAttr("xmlns:samlp", nsProtocol)
	r.CreateAttr("xmlns:saml", nsAssertion)
	r.CreateAttr("ID", newID())
	r.CreateAttr("Version", "2.0")
	r.CreateAttr("IssueInstant", issued)
	r.CreateAttr("Destination", spec.Recipient)
	r.CreateElement("saml:Issuer").SetText(spec.Issuer)
	r.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", StatusSuccess)
	if spec.Encrypt != nil {
		if a, err = spec.Encrypt.encrypt(a); err != nil {
			return "", err
		}
	}
	r.AddChild(a)
	b, err := d.WriteToBytes()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// stamp is an xs:dateTime as identity providers write them.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// newID is a SAML ID: an NCName that no other response shares.
func newID() string {
	b := make([]byte, 20)
	rand.Read(b)
	return "_" + hex.EncodeToString(b)
}
