// Package saml is SAML 2.0 as AWS's IAM and STS use it: metadata
// documents of identity providers (what CreateSAMLProvider keeps),
// authentication responses checked against them (what AssumeRoleWithSAML
// takes), and rolecall's own identity provider, which signs responses
// for local tests. XML signatures are made and checked by
// github.com/russellhaering/goxmldsig, encrypted assertions encrypted and
// decrypted by github.com/crewjam/saml's xmlenc; every document, a
// decrypted assertion too, is read through one guarded parser (readXML).
//
// It knows no AWS error texts: IAM and STS word its failures as AWS does.
package saml

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	rtvalidator "github.com/mattermost/xml-roundtrip-validator"
)

// XML namespaces.
const (
	nsMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// maxTokens bounds the XML tokens of a document read: a metadata
// document may be 10,000,000 characters (IAM's model), a SAML response
// 100,000; a document of many tiny elements must not cost more than a
// large one of text.
const maxTokens = 1 << 20

// ErrMalformed is a document that is not XML this package reads.
var ErrMalformed = errors.New("saml: malformed XML")

// readXML parses a document from an untrusted source: bounded in its
// tokens, without a document type declaration (no entities, no external
// references), and only if encoding/xml reads it back as it was written
// (github.com/mattermost/xml-roundtrip-validator: namespace tricks that
// make two readers see different elements are refused).
func readXML(b []byte) (*etree.Document, error) {
	if bound := 3*bytes.Count(b, []byte("<")) + 1; bound > maxTokens {
		return nil, fmt.Errorf("%w: more than %d XML tokens", ErrMalformed, maxTokens)
	}
	if err := rtvalidator.Validate(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	for _, t := range doc.Child {
		if _, ok := t.(*etree.Directive); ok {
			return nil, fmt.Errorf("%w: a document type declaration", ErrMalformed)
		}
	}
	if doc.Root() == nil {
		return nil, fmt.Errorf("%w: no root element", ErrMalformed)
	}
	return doc, nil
}

// is reports whether el is the element tag of namespace ns.
func is(el *etree.Element, ns, tag string) bool {
	return el != nil && el.Tag == tag && el.NamespaceURI() == ns
}

// children are el's child elements named tag in namespace ns; none for
// no element.
func children(el *etree.Element, ns, tag string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if is(c, ns, tag) {
			out = append(out, c)
		}
	}
	return out
}

// child is el's first child element named tag in namespace ns; nil if
// none.
func child(el *etree.Element, ns, tag string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if is(c, ns, tag) {
			return c
		}
	}
	return nil
}

// text is el's text, trimmed; "" for no element.
func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text())
}

// attr is el's attribute name; "" for no element or no attribute.
func attr(el *etree.Element, name string) string {
	if el == nil {
		return ""
	}
	return el.SelectAttrValue(name, "")
}
