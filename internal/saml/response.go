package saml

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Name identifier formats and the success status (SAML 2.0 core,
// sections 8.3 and 3.2.2.2).
const (
	NameIDPersistent  = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	NameIDTransient   = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
	NameIDEmail       = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	NameIDUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
	StatusSuccess     = "urn:oasis:names:tc:SAML:2.0:status:Success"
	bearer            = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
)

// Failures of reading and verifying a response.
var (
	// ErrNotResponse: not base64, not XML, or not a SAML 2.0 Response.
	ErrNotResponse = errors.New("saml: not a SAML 2.0 response")
	// ErrAssertions: the response carries no assertion, or more than
	// one (AWS takes one).
	ErrAssertions = errors.New("saml: the response does not carry exactly one assertion")
	// ErrSignature: no signature by one of the provider's certificates
	// covers the assertion, or one that claims to is not valid.
	ErrSignature = errors.New("saml: no valid signature covers the assertion")
)

// Response is a SAML response read, not yet trusted.
type Response struct {
	root *etree.Element
}

// ParseResponse reads a base64 SAML response (AssumeRoleWithSAML's
// SAMLAssertion: "The base64 encoded SAML authentication response
// provided by the IdP"). Line breaks in the base64 are allowed.
func ParseResponse(encoded string) (*Response, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(encoded), ""))
	if err != nil {
		return nil, fmt.Errorf("%w: not base64: %v", ErrNotResponse, err)
	}
	d, err := readXML(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotResponse, err)
	}
	if !is(d.Root(), nsProtocol, "Response") {
		return nil, fmt.Errorf("%w: the root element is %s", ErrNotResponse, d.Root().FullTag())
	}
	return &Response{root: d.Root()}, nil
}

// Issuer is the issuer the response claims, unverified: the Response's
// Issuer, else its assertion's. It picks the provider's metadata whose
// certificates Verify then checks the response with.
func (r *Response) Issuer() string {
	if iss := child(r.root, nsAssertion, "Issuer"); iss != nil {
		return text(iss)
	}
	return text(child(child(r.root, nsAssertion, "Assertion"), nsAssertion, "Issuer"))
}

// Encrypted reports whether the response carries an encrypted assertion.
func (r *Response) Encrypted() bool {
	return len(children(r.root, nsAssertion, "EncryptedAssertion")) > 0
}

// assertions are a response's assertions, plain and encrypted.
func assertions(response *etree.Element) []*etree.Element {
	return append(children(response, nsAssertion, "Assertion"), children(response, nsAssertion, "EncryptedAssertion")...)
}

// Verify checks the response's XML signatures against certs, at time now
// (a certificate must be valid then), and answers its assertion as
// signed. An encrypted assertion is decrypted with the first of keys
// that opens it (ErrDecrypt if none does). The Response's signature,
// when it has one, and the assertion's, when it has one, must each be
// valid; at least one must be there. The Response's signature covers the
// assertion as it was sent (encrypted or not); the assertion's own, the
// assertion. What Verify answers is read from the signed bytes alone
// (goxmldsig's Validate answers them), so elements wrapped around or
// beside the signed ones are never read.
func (r *Response) Verify(certs []*x509.Certificate, now time.Time, keys ...*rsa.PrivateKey) (*Assertion, error) {
	if len(assertions(r.root)) != 1 {
		return nil, ErrAssertions
	}
	response := r.root
	var signed *etree.Element
	if child(response, nsDSig, "Signature") != nil {
		v, err := validate(response, certs, now)
		if err != nil {
			return nil, err
		}
		response = v
		if len(assertions(response)) != 1 {
			return nil, ErrAssertions
		}
	}
	// The assertion, decrypted if it is encrypted, detached with the
	// namespaces in scope where it stands.
	var assertion *etree.Element
	if ea := child(response, nsAssertion, "EncryptedAssertion"); ea != nil {
		a, err := decryptAssertion(ea, keys)
		if err != nil {
			return nil, err
		}
		assertion = a
	} else {
		a, err := detach(child(response, nsAssertion, "Assertion"))
		if err != nil {
			return nil, err
		}
		assertion = a
	}
	if response != r.root {
		signed = assertion
	}
	if child(assertion, nsDSig, "Signature") != nil {
		var err error
		if signed, err = validate(assertion, certs, now); err != nil {
			return nil, err
		}
	}
	if signed == nil {
		return nil, ErrSignature
	}
	a, err := readAssertion(signed)
	if err != nil {
		return nil, err
	}
	a.Status = attr(child(child(response, nsProtocol, "Status"), nsProtocol, "StatusCode"), "Value")
	return a, nil
}

// detach copies el with the namespace declarations in scope where it
// stands, so that it can be canonicalized and checked alone.
func detach(el *etree.Element) (*etree.Element, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotResponse, err)
	}
	d, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotResponse, err)
	}
	return d, nil
}

// validate checks el's enveloped signature against each certificate in
// turn, and answers the signed element as signed.
func validate(el *etree.Element, certs []*x509.Certificate, now time.Time) (*etree.Element, error) {
	clock := dsig.NewFakeClockAt(now)
	var last error
	for _, c := range certs {
		vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{c}})
		vc.Clock = clock
		v, err := vc.Validate(el)
		if err == nil {
			return v, nil
		}
		last = err
	}
	return nil, fmt.Errorf("%w: %v", ErrSignature, last)
}

// Assertion is what a signed assertion says.
type Assertion struct {
	// Status is the Response's status code (StatusSuccess when the
	// identity provider authenticated the user).
	Status       string
	Issuer       string
	IssueInstant time.Time
	// NameID is the Subject's name identifier, NameIDFormat its Format
	// ("" when it names none).
	NameID, NameIDFormat string
	// Confirmations are the Subject's bearer SubjectConfirmations.
	Confirmations []Confirmation
	// NotBefore and NotOnOrAfter are the Conditions'; zero when absent.
	NotBefore, NotOnOrAfter time.Time
	// Audiences are the Audiences of each AudienceRestriction (SAML 2.0
	// core 2.5.1.4: the assertion is for a party named in every one).
	Audiences [][]string
	// Attributes are the AttributeStatements' attributes, in order.
	Attributes []Attribute
}

// Confirmation is a SubjectConfirmation's SubjectConfirmationData.
type Confirmation struct {
	Method, Recipient       string
	NotBefore, NotOnOrAfter time.Time
}

// Attribute is an assertion's attribute and its values.
type Attribute struct {
	Name, FriendlyName string
	Values             []string
}

// Values answers the values of the attribute named name; nil when the
// assertion has none.
func (a *Assertion) Values(name string) []string {
	var out []string
	for _, at := range a.Attributes {
		if at.Name == name {
			out = append(out, at.Values...)
		}
	}
	return out
}

// Has reports whether the assertion has an attribute named name.
func (a *Assertion) Has(name string) bool {
	for _, at := range a.Attributes {
		if at.Name == name {
			return true
		}
	}
	return false
}

func readAssertion(el *etree.Element) (*Assertion, error) {
	t := times{}
	a := &Assertion{Issuer: text(child(el, nsAssertion, "Issuer")), IssueInstant: t.attr(el, "IssueInstant")}
	if subject := child(el, nsAssertion, "Subject"); subject != nil {
		if id := child(subject, nsAssertion, "NameID"); id != nil {
			a.NameID, a.NameIDFormat = text(id), attr(id, "Format")
		}
		for _, sc := range children(subject, nsAssertion, "SubjectConfirmation") {
			c := Confirmation{Method: attr(sc, "Method")}
			if d := child(sc, nsAssertion, "SubjectConfirmationData"); d != nil {
				c.Recipient = attr(d, "Recipient")
				c.NotBefore, c.NotOnOrAfter = t.attr(d, "NotBefore"), t.attr(d, "NotOnOrAfter")
			}
			a.Confirmations = append(a.Confirmations, c)
		}
	}
	if cond := child(el, nsAssertion, "Conditions"); cond != nil {
		a.NotBefore, a.NotOnOrAfter = t.attr(cond, "NotBefore"), t.attr(cond, "NotOnOrAfter")
		for _, ar := range children(cond, nsAssertion, "AudienceRestriction") {
			var auds []string
			for _, au := range children(ar, nsAssertion, "Audience") {
				auds = append(auds, text(au))
			}
			a.Audiences = append(a.Audiences, auds)
		}
	}
	for _, st := range children(el, nsAssertion, "AttributeStatement") {
		for _, at := range children(st, nsAssertion, "Attribute") {
			out := Attribute{Name: attr(at, "Name"), FriendlyName: attr(at, "FriendlyName"), Values: []string{}}
			for _, v := range children(at, nsAssertion, "AttributeValue") {
				out.Values = append(out.Values, text(v))
			}
			a.Attributes = append(a.Attributes, out)
		}
	}
	if t.bad != "" {
		return nil, fmt.Errorf("%w: %s", ErrNotResponse, t.bad)
	}
	return a, nil
}

// times reads xs:dateTime attributes, noting the first that is not one:
// a limit that cannot be read must not read as no limit.
type times struct{ bad string }

// attr is el's time attribute name; zero when absent.
func (t *times) attr(el *etree.Element, name string) time.Time {
	v := el.SelectAttr(name)
	if v == nil {
		return time.Time{}
	}
	at, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v.Value))
	if err != nil {
		if t.bad == "" {
			t.bad = fmt.Sprintf("%s %s=%q is not an xs:dateTime", el.Tag, name, v.Value)
		}
		return time.Time{}
	}
	return at.UTC()
}
