package saml

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/rolecall/rolecall/internal/store"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

const (
	providerARN = "arn:aws:iam::000000000000:saml-provider/rolecall"
	roleARN     = "arn:aws:iam::000000000000:role/federated"
)

// testIdP is an identity provider for the package's tests, with the key
// of testdata/idp.json (made by newIdPRecord at now): making an RSA key
// is slow, and far slower in a fuzzing build.
var testIdP = sync.OnceValue(func() *IdP {
	st := store.NewMemory()
	raw, err := os.ReadFile("testdata/idp.json")
	if err == nil {
		err = st.Update(func(tx store.Tx) error { return tx.Put(bucketIdP, keyIdP, raw) })
	}
	if err != nil {
		panic(err)
	}
	return NewIdP(st, fixedClock{now})
})

func signer(t testing.TB) Signer {
	t.Helper()
	s, err := testIdP().Signer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// otherSigner is a key and certificate no metadata names
// (testdata/other.json).
var otherSigner = sync.OnceValue(func() Signer {
	raw, err := os.ReadFile("testdata/other.json")
	if err != nil {
		panic(err)
	}
	return must(parseIdPRecord(raw))
})

func request() Request {
	return Request{Provider: providerARN, Role: roleARN, Subject: "alice@example.com",
		Attributes: []Attribute{{Name: "saml:edupersonaffiliation", Values: []string{"staff"}}, {Name: "saml:edupersonaffiliation", Values: []string{"member"}}}}
}

func assertResponse(t testing.TB, s Signer, r Request) string {
	t.Helper()
	spec, err := r.Spec(now)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Response(spec)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func metadataCerts(t testing.TB) []*x509.Certificate {
	t.Helper()
	doc, err := testIdP().Metadata(context.Background(), "http://127.0.0.1:4566/_rolecall/saml/sso")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMetadata(doc)
	if err != nil {
		t.Fatalf("rolecall's own metadata: %v\n%s", err, doc)
	}
	if m.EntityID != EntityID || !m.ValidUntil.IsZero() || len(m.Certificates) != 1 {
		t.Fatalf("metadata: %+v", m)
	}
	return m.Certificates
}

func TestRoundTrip(t *testing.T) {
	certs := metadataCerts(t)
	r, err := ParseResponse(assertResponse(t, signer(t), request()))
	if err != nil {
		t.Fatal(err)
	}
	if r.Issuer() != EntityID {
		t.Errorf("Issuer %q", r.Issuer())
	}
	a, err := r.Verify(certs, now)
	if err != nil {
		t.Fatal(err)
	}
	want := &Assertion{Status: StatusSuccess, Issuer: EntityID, IssueInstant: now, NameID: "alice@example.com", NameIDFormat: NameIDPersistent,
		Confirmations: []Confirmation{{Method: bearer, Recipient: SignInURL, NotOnOrAfter: now.Add(DefaultValidity)}},
		NotBefore:     now, NotOnOrAfter: now.Add(DefaultValidity), Audiences: [][]string{{SignInURL}},
		Attributes: []Attribute{
			{Name: AttributeRole, Values: []string{roleARN + "," + providerARN}},
			{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.1", Values: []string{"staff", "member"}},
			{Name: AttributeRoleSessionName, Values: []string{"alice@example.com"}},
		}}
	if got, w := mustJSON(a), mustJSON(want); string(got) != string(w) {
		t.Errorf("assertion\n got %s\nwant %s", got, w)
	}
}

// decoded and encoded move between a response's base64 and its XML.
func decoded(t testing.TB, b64 string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func encoded(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestVerifyRefuses(t *testing.T) {
	certs := metadataCerts(t)
	good := decoded(t, assertResponse(t, signer(t), request()))
	doc := etree.NewDocument()
	if err := doc.ReadFromString(good); err != nil {
		t.Fatal(err)
	}
	assertion := doc.Root().SelectElement("saml:Assertion")
	evil := assertion.Copy()
	evil.RemoveChildAt(1) // its signature
	evil.FindElement(".//saml:NameID").SetText("mallory")
	evilXML := func(build func(d *etree.Document)) string {
		d := doc.Copy()
		build(d)
		s, err := d.WriteToString()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct {
		name string
		xml  string
		want error
	}{
		{"a value changed", strings.Replace(good, "staff", "admin", 1), ErrSignature},
		{"the subject changed", strings.Replace(good, "alice@example.com</saml:NameID>", "mallory@example.com</saml:NameID>", 1), ErrSignature},
		{"signed by a key the metadata does not name", decoded(t, assertResponse(t, otherSigner(), request())), ErrSignature},
		{"unsigned", evilXML(func(d *etree.Document) {
			a := d.Root().SelectElement("saml:Assertion")
			a.RemoveChildAt(1)
		}), ErrSignature},
		// Signature wrapping: the signed assertion kept beside an unsigned
		// one, or moved under another element, with the unsigned one
		// where the assertion belongs.
		{"a second, unsigned assertion beside the signed one", evilXML(func(d *etree.Document) { d.Root().AddChild(evil.Copy()) }), ErrAssertions},
		{"the signed assertion wrapped, an unsigned one in its place", evilXML(func(d *etree.Document) {
			a := d.Root().SelectElement("saml:Assertion")
			d.Root().RemoveChild(a)
			ext := d.Root().CreateElement("samlp:Extensions")
			ext.AddChild(a)
			d.Root().AddChild(evil.Copy())
		}), ErrSignature},
		{"the signature of the assertion moved onto an unsigned copy with its ID", evilXML(func(d *etree.Document) {
			a := d.Root().SelectElement("saml:Assertion")
			sig := a.ChildElements()[1]
			e := evil.Copy()
			e.InsertChildAt(1, sig.Copy())
			d.Root().RemoveChild(a)
			d.Root().AddChild(e)
		}), ErrSignature},
		{"encrypted, with nothing in it", evilXML(func(d *etree.Document) {
			d.Root().RemoveChild(d.Root().SelectElement("saml:Assertion"))
			d.Root().CreateElement("saml:EncryptedAssertion")
		}), ErrDecrypt},
		{"an encrypted assertion beside the signed one", evilXML(func(d *etree.Document) {
			d.Root().CreateElement("saml:EncryptedAssertion")
		}), ErrAssertions},
		{"no assertion", evilXML(func(d *etree.Document) { d.Root().RemoveChild(d.Root().SelectElement("saml:Assertion")) }), ErrAssertions},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseResponse(encoded(c.xml))
			if err != nil {
				t.Fatal(err)
			}
			a, err := r.Verify(certs, now)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %+v, %v; want %v", a, err, c.want)
			}
		})
	}
	// A certificate that has expired, or is not yet valid, verifies
	// nothing.
	r, err := ParseResponse(encoded(good))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Verify(certs, now.AddDate(21, 0, 0)); !errors.Is(err, ErrSignature) {
		t.Errorf("with an expired certificate: %v", err)
	}
}

// TestSignedResponse: a response signed as a whole (the assertion not)
// verifies, and a change to it does not.
func TestSignedResponse(t *testing.T) {
	certs := metadataCerts(t)
	doc := etree.NewDocument()
	if err := doc.ReadFromString(decoded(t, assertResponse(t, signer(t), request()))); err != nil {
		t.Fatal(err)
	}
	a := doc.Root().SelectElement("saml:Assertion")
	a.RemoveChildAt(1)
	s := signer(t)
	ctx, err := dsig.NewSigningContext(s.Key, [][]byte{s.Cert})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	sig, err := ctx.ConstructSignature(doc.Root(), true)
	if err != nil {
		t.Fatal(err)
	}
	doc.Root().InsertChildAt(1, sig)
	xml, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseResponse(encoded(xml))
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Verify(certs, now)
	if err != nil || got.NameID != "alice@example.com" || got.Status != StatusSuccess {
		t.Fatalf("%+v, %v", got, err)
	}
	r, err = ParseResponse(encoded(strings.Replace(xml, "alice@example.com</saml:NameID>", "mallory</saml:NameID>", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Verify(certs, now); !errors.Is(err, ErrSignature) {
		t.Errorf("a changed, signed response: %v", err)
	}
}

func TestParseResponseRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"not base64":        "%%%",
		"not XML":           encoded("hello"),
		"not a Response":    encoded(`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>`),
		"wrong namespace":   encoded(`<Response xmlns="urn:example"/>`),
		"a DOCTYPE":         encoded(`<!DOCTYPE r [<!ENTITY e "x">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&e;</samlp:Response>`),
		"an unknown entity": encoded(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&e;</samlp:Response>`),
	} {
		if _, err := ParseResponse(in); !errors.Is(err, ErrNotResponse) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A limit that cannot be read is no missing limit.
	certs := metadataCerts(t)
	spec, err := request().Spec(now)
	if err != nil {
		t.Fatal(err)
	}
	xml := decoded(t, must(signer(t).Response(spec)))
	doc := etree.NewDocument()
	doc.ReadFromString(xml)
	a := doc.Root().SelectElement("saml:Assertion")
	a.SelectElement("saml:Conditions").CreateAttr("NotOnOrAfter", "tomorrow")
	a.RemoveChildAt(1)
	s := signer(t)
	ctx, _ := dsig.NewSigningContext(s.Key, [][]byte{s.Cert})
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	sig, err := ctx.ConstructSignature(a, true)
	if err != nil {
		t.Fatal(err)
	}
	a.InsertChildAt(1, sig)
	out, _ := doc.WriteToString()
	r, err := ParseResponse(encoded(out))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Verify(certs, now); !errors.Is(err, ErrNotResponse) || !strings.Contains(err.Error(), `NotOnOrAfter="tomorrow"`) {
		t.Errorf("unreadable NotOnOrAfter: %v", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestIdPKeyKept: the key is made once and kept in the state; another IdP
// over the same state signs with it.
func TestIdPKeyKept(t *testing.T) {
	st := store.NewMemory()
	a, b := NewIdP(st, fixedClock{now}), NewIdP(st, fixedClock{now})
	sa, err := a.Signer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Signer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if string(sa.Cert) != string(sb.Cert) {
		t.Error("two identity providers over one state have two keys")
	}
	cert, err := x509.ParseCertificate(sa.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if cert.NotBefore.After(now) || cert.NotAfter.Before(now.AddDate(19, 0, 0)) {
		t.Errorf("certificate valid %v to %v", cert.NotBefore, cert.NotAfter)
	}
}

func TestRequestSpec(t *testing.T) {
	spec, err := Request{Provider: providerARN, Role: roleARN, Subject: "bob", SessionName: "bob-session", SubjectFormat: NameIDTransient,
		Recipient: "https://example.com/acs", Audience: AudienceURN, ValidFor: -time.Minute,
		Attributes: []Attribute{{Name: "PrincipalTag:Project", Values: []string{"blue"}}, {Name: "SessionDuration", Values: []string{"900"}},
			{Name: "urn:example:custom", Values: []string{"x"}}}}.Spec(now)
	if err != nil {
		t.Fatal(err)
	}
	want := Spec{Issuer: EntityID, NameID: "bob", NameIDFormat: NameIDTransient, Recipient: "https://example.com/acs", Audiences: []string{AudienceURN},
		IssueInstant: now, NotBefore: now, NotOnOrAfter: now.Add(-time.Minute), Attributes: []Attribute{
			{Name: AttributeRole, Values: []string{roleARN + "," + providerARN}},
			{Name: AttributePrincipalTag + "Project", Values: []string{"blue"}},
			{Name: AttributeSessionDuration, Values: []string{"900"}},
			{Name: "urn:example:custom", Values: []string{"x"}},
			{Name: AttributeRoleSessionName, Values: []string{"bob-session"}},
		}}
	if got, w := mustJSON(spec), mustJSON(want); string(got) != string(w) {
		t.Errorf("spec\n got %s\nwant %s", got, w)
	}
	for _, r := range []Request{
		{Provider: providerARN, Role: roleARN},
		{Provider: providerARN, Subject: "x"},
		{Provider: providerARN, Role: roleARN, Subject: "x", Attributes: []Attribute{{Name: "saml:sub", Values: []string{"y"}}}},
	} {
		if _, err := r.Spec(now); err == nil {
			t.Errorf("%+v: no error", r)
		}
	}
}

// selfSigned is a certificate for key.
func selfSigned(t testing.TB, key any, pub any) string {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func metadataWith(entity, descriptors string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ` + entity + `>` + descriptors + `</md:EntityDescriptor>`
}

func idpDescriptor(keys string) string {
	return `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` + keys +
		`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor>`
}

func keyDescriptor(use, cert string) string {
	if use != "" {
		use = ` use="` + use + `"`
	}
	return `<md:KeyDescriptor` + use + `><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + cert + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
}

func TestParseMetadata(t *testing.T) {
	s := signer(t)
	good := base64.StdEncoding.EncodeToString(s.Cert)
	// Line breaks in the base64, as IdPs write it.
	wrapped := good[:64] + "\n        " + good[64:]
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GODEBUG", "rsa1024min=0") // to make a key AWS refuses
	small, err := rsa.GenerateKey(rand.Reader, 512)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMetadata(metadataWith(`entityID="https://idp.example.com" validUntil="2030-01-02T03:04:05Z"`,
		idpDescriptor(keyDescriptor("encryption", selfSigned(t, ec, &ec.PublicKey))+keyDescriptor("signing", wrapped)+keyDescriptor("", selfSigned(t, ec, &ec.PublicKey)))))
	if err != nil {
		t.Fatal(err)
	}
	if m.EntityID != "https://idp.example.com" || !m.ValidUntil.Equal(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) || len(m.Certificates) != 2 ||
		string(m.Certificates[0].Raw) != string(s.Cert) {
		t.Errorf("metadata %+v", m)
	}
	// ADFS-style: the one identity provider among the entities.
	if m, err := ParseMetadata(`<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` +
		`<EntityDescriptor entityID="sp"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></EntityDescriptor>` +
		`<EntityDescriptor entityID="idp">` + strings.ReplaceAll(idpDescriptor(keyDescriptor("signing", good)), "md:", "") + `</EntityDescriptor></EntitiesDescriptor>`); err != nil || m.EntityID != "idp" {
		t.Errorf("EntitiesDescriptor: %+v %v", m, err)
	}
	for name, doc := range map[string]string{
		"not XML": "this is not XML",
		// "The metadata file must be encoded in UTF-8 format without a
		// byte order mark (BOM)" (IAM User Guide, troubleshooting).
		"a byte order mark":   "\ufeff" + metadataWith(`entityID="e"`, idpDescriptor(keyDescriptor("signing", good))),
		"not UTF-8":           metadataWith("entityID=\"\xe9\"", idpDescriptor(keyDescriptor("signing", good))),
		"a DOCTYPE":           `<!DOCTYPE x>` + metadataWith(`entityID="e"`, idpDescriptor(keyDescriptor("signing", good))),
		"another root":        `<foo xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>`,
		"no namespace":        strings.ReplaceAll(metadataWith(`entityID="e"`, idpDescriptor(keyDescriptor("signing", good))), `xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"`, `xmlns:md="urn:example"`),
		"no entityID":         metadataWith(``, idpDescriptor(keyDescriptor("signing", good))),
		"a bad validUntil":    metadataWith(`entityID="e" validUntil="soon"`, idpDescriptor(keyDescriptor("signing", good))),
		"no IDPSSODescriptor": metadataWith(`entityID="e"`, `<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>`),
		"no signing key":      metadataWith(`entityID="e"`, idpDescriptor(keyDescriptor("encryption", good))),
		"not base64":          metadataWith(`entityID="e"`, idpDescriptor(keyDescriptor("signing", "!!!"))),
		"not a certificate":   metadataWith(`entityID="e"`, idpDescriptor(keyDescriptor("signing", "aGVsbG8="))),
		"a 512-bit RSA key":   metadataWith(`entityID="e"`, idpDescriptor(keyDescriptor("signing", selfSigned(t, small, &small.PublicKey)))),
	} {
		if m, err := ParseMetadata(doc); !errors.Is(err, ErrMetadata) {
			t.Errorf("%s: %+v %v", name, m, err)
		}
	}
}

func TestAttributeName(t *testing.T) {
	for short, want := range map[string]string{
		"Role":                      AttributeRole,
		"RoleSessionName":           AttributeRoleSessionName,
		"PrincipalTag:CostCenter":   AttributePrincipalTag + "CostCenter",
		"saml:edupersonaffiliation": "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
		"saml:commonName":           "http://schemas.xmlsoap.org/claims/CommonName",
		"SAML:MAIL":                 "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
		"urn:oid:2.5.4.3":           "urn:oid:2.5.4.3",
	} {
		if got, err := AttributeName(short); err != nil || got != want {
			t.Errorf("%s: %q %v", short, got, err)
		}
	}
	if _, err := AttributeName("saml:aud"); err == nil {
		t.Error("saml:aud: no error")
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
