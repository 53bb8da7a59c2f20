package saml

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// Metadata is what an identity provider's SAML 2.0 metadata document says
// that AWS uses: who issues its responses, until when the document holds,
// and the certificates its responses are signed with ("The document
// includes the issuer's name, expiration information, and keys that can
// be used to validate the SAML authentication response (assertions) that
// are received from the IdP", IAM API reference, CreateSAMLProvider).
type Metadata struct {
	// EntityID is the EntityDescriptor's entityID: the Issuer of the
	// provider's responses.
	EntityID string
	// ValidUntil is the EntityDescriptor's validUntil; zero when it has
	// none.
	ValidUntil time.Time
	// Certificates are the IDPSSODescriptor's signing certificates (its
	// KeyDescriptors for use "signing", or for no use named).
	Certificates []*x509.Certificate
}

// ErrMetadata is a metadata document IAM cannot use; the error wrapping
// it says why.
var ErrMetadata = errors.New("saml: unusable metadata")

// MinRSABits is the smallest RSA key a signing certificate may have ("the
// x.509 certificate that is included as part of the SAML metadata
// document must use a key size of at least 1024 bits", IAM User Guide,
// "Troubleshoot SAML federation with IAM",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html).
const MinRSABits = 1024

func metadataError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrMetadata, fmt.Sprintf(format, a...))
}

// ParseMetadata reads a SAML 2.0 metadata document: an EntityDescriptor
// (alone, or the one identity provider of an EntitiesDescriptor) with an
// entityID and an IDPSSODescriptor that names at least one signing
// certificate.
func ParseMetadata(doc string) (*Metadata, error) {
	// "The metadata file must be encoded in UTF-8 format without a byte
	// order mark (BOM)" (IAM User Guide, "Troubleshoot SAML federation
	// with IAM").
	if strings.HasPrefix(doc, "\ufeff") || !utf8.ValidString(doc) {
		return nil, metadataError("the document is not UTF-8 without a byte order mark")
	}
	d, err := readXML([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMetadata, err)
	}
	ed, err := entityDescriptor(d.Root())
	if err != nil {
		return nil, err
	}
	m := &Metadata{EntityID: strings.TrimSpace(ed.SelectAttrValue("entityID", ""))}
	if m.EntityID == "" {
		return nil, metadataError("the EntityDescriptor has no entityID")
	}
	if v := ed.SelectAttr("validUntil"); v != nil {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v.Value))
		if err != nil {
			return nil, metadataError("validUntil %q is not an xs:dateTime", v.Value)
		}
		m.ValidUntil = t.UTC()
	}
	idps := children(ed, nsMetadata, "IDPSSODescriptor")
	if len(idps) == 0 {
		return nil, metadataError("the EntityDescriptor has no IDPSSODescriptor: it describes no identity provider")
	}
	for _, idp := range idps {
		for _, kd := range children(idp, nsMetadata, "KeyDescriptor") {
			if use := kd.SelectAttrValue("use", ""); use != "" && use != "signing" {
				continue
			}
			certs, err := keyCertificates(kd)
			if err != nil {
				return nil, err
			}
			m.Certificates = append(m.Certificates, certs...)
		}
	}
	if len(m.Certificates) == 0 {
		return nil, metadataError("the IDPSSODescriptor names no signing certificate (KeyDescriptor/KeyInfo/X509Data/X509Certificate)")
	}
	return m, nil
}

// entityDescriptor is the document's EntityDescriptor: its root, or the
// one of an EntitiesDescriptor root that describes an identity provider.
func entityDescriptor(root *etree.Element) (*etree.Element, error) {
	switch {
	case is(root, nsMetadata, "EntityDescriptor"):
		return root, nil
	case is(root, nsMetadata, "EntitiesDescriptor"):
		var found *etree.Element
		for _, ed := range children(root, nsMetadata, "EntityDescriptor") {
			if child(ed, nsMetadata, "IDPSSODescriptor") == nil {
				continue
			}
			if found != nil {
				return nil, metadataError("the EntitiesDescriptor describes more than one identity provider")
			}
			found = ed
		}
		if found == nil {
			return nil, metadataError("the EntitiesDescriptor describes no identity provider")
		}
		return found, nil
	}
	return nil, metadataError("the root element is %s, not a SAML 2.0 metadata EntityDescriptor (%s)", root.FullTag(), nsMetadata)
}

// keyCertificates reads a KeyDescriptor's X.509 certificates.
func keyCertificates(kd *etree.Element) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, data := range children(child(kd, nsDSig, "KeyInfo"), nsDSig, "X509Data") {
		for _, c := range children(data, nsDSig, "X509Certificate") {
			cert, err := parseCertificate(c.Text())
			if err != nil {
				return nil, err
			}
			out = append(out, cert)
		}
	}
	return out, nil
}

// parseCertificate reads a base64 DER certificate (whitespace allowed)
// with a key that can check signatures: RSA of at least MinRSABits, or
// ECDSA.
func parseCertificate(text string) (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil {
		return nil, metadataError("an X509Certificate is not base64: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, metadataError("an X509Certificate is not an X.509 certificate: %v", err)
	}
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < MinRSABits {
			return nil, metadataError("a signing certificate's RSA key has %d bits, fewer than %d", k.N.BitLen(), MinRSABits)
		}
	case *ecdsa.PublicKey:
	default:
		return nil, metadataError("a signing certificate's key is a %T, neither RSA nor ECDSA", cert.PublicKey)
	}
	return cert, nil
}

// idpMetadata is an identity provider's metadata document, as rolecall's
// identity provider publishes it: its entity ID, its signing certificate
// (DER), and where it would take authentication requests.
func idpMetadata(entityID string, certDER []byte, ssoURL string) string {
	d := etree.NewDocument()
	d.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	ed := d.CreateElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", nsMetadata)
	ed.CreateAttr("xmlns:ds", nsDSig)
	ed.CreateAttr("entityID", entityID)
	idp := ed.CreateElement("md:IDPSSODescriptor")
	idp.CreateAttr("WantAuthnRequestsSigned", "false")
	idp.CreateAttr("protocolSupportEnumeration", nsProtocol)
	kd := idp.CreateElement("md:KeyDescriptor")
	kd.CreateAttr("use", "signing")
	kd.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(certDER))
	for _, f := range []string{NameIDPersistent, NameIDTransient, NameIDEmail, NameIDUnspecified} {
		idp.CreateElement("md:NameIDFormat").SetText(f)
	}
	sso := idp.CreateElement("md:SingleSignOnService")
	sso.CreateAttr("Binding", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")
	sso.CreateAttr("Location", ssoURL)
	d.Indent(2)
	s, _ := d.WriteToString()
	return s
}
