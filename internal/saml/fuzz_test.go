package saml

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/crewjam/saml/xmlenc"
)

// ParseMetadata never panics; it answers a usable document (an entity ID
// and at least one signing certificate) or ErrMetadata.
func FuzzParseMetadata(f *testing.F) {
	good, err := testIdP().Metadata(context.Background(), "http://127.0.0.1:4566/_rolecall/saml/sso")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(strings.Replace(good, "md:IDPSSODescriptor", "md:SPSSODescriptor", 2))
	f.Add(strings.Replace(good, `use="signing"`, `use="encryption"`, 1))
	f.Add(`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">` + good[strings.Index(good, "<md:EntityDescriptor"):] + `</md:EntitiesDescriptor>`)
	f.Add(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`)
	f.Add(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e" validUntil="x"/>`)
	f.Add("")
	f.Fuzz(func(t *testing.T, doc string) {
		m, err := ParseMetadata(doc)
		if err != nil {
			if !errors.Is(err, ErrMetadata) {
				t.Fatalf("ParseMetadata: an error that is not ErrMetadata: %v", err)
			}
			return
		}
		if m.EntityID == "" || len(m.Certificates) == 0 {
			t.Fatalf("ParseMetadata took %q: %+v", doc, m)
		}
	})
}

// No response verifies unless rolecall's identity provider signed the
// assertion it answers: a response that verifies answers, for its
// subject, one the identity provider asserted.
func FuzzVerifyResponse(f *testing.F) {
	certs := metadataCerts(f)
	good := assertResponse(f, signer(f), request())
	xml := decoded(f, good)
	f.Add(xml)
	f.Add(strings.Replace(xml, "alice", "mallory", -1))
	f.Add(strings.Replace(xml, "<saml:Assertion", "<samlp:Extensions><saml:Assertion", 1))
	f.Add(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`)
	f.Fuzz(func(t *testing.T, doc string) {
		r, err := ParseResponse(base64.StdEncoding.EncodeToString([]byte(doc)))
		if err != nil {
			return
		}
		r.Issuer()
		a, err := r.Verify(certs, now)
		if err != nil {
			return
		}
		if a.NameID != "alice@example.com" || a.Issuer != EntityID || len(a.Values(AttributeRole)) != 1 || a.Values(AttributeRole)[0] != roleARN+","+providerARN {
			t.Fatalf("a response rolecall did not sign verifies: %+v", a)
		}
	})
}

// No response verifies, encrypted or not, unless rolecall's identity
// provider signed the assertion it answers, and no input makes the
// decryption panic or answer anything but ErrDecrypt when it fails.
func FuzzVerifyEncrypted(f *testing.F) {
	certs := metadataCerts(f)
	good := encryptedResponse(f, nil)
	f.Add(good)
	f.Add(encryptedResponse(f, encrypter(xmlenc.OAEP(), xmlenc.AES128CBC)))
	f.Add(encryptedResponse(f, encrypter(xmlenc.PKCS1v15(), xmlenc.AES256CBC)))
	f.Add(strings.Replace(good, "aes256-gcm", "aes256-cbc", 1))
	f.Add(strings.Replace(good, "<ds:KeyInfo", "<ds:Other", 1))
	f.Add(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:EncryptedAssertion/></samlp:Response>`)
	f.Fuzz(func(t *testing.T, doc string) {
		r, err := ParseResponse(base64.StdEncoding.EncodeToString([]byte(doc)))
		if err != nil {
			return
		}
		a, err := r.Verify(certs, now, spKey())
		if err != nil {
			if r.Encrypted() && !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrSignature) && !errors.Is(err, ErrAssertions) && !errors.Is(err, ErrNotResponse) {
				t.Fatalf("an error of no kind Verify answers: %v", err)
			}
			return
		}
		if a.NameID != "alice@example.com" || a.Issuer != EntityID || len(a.Values(AttributeRole)) != 1 || a.Values(AttributeRole)[0] != roleARN+","+providerARN {
			t.Fatalf("a response rolecall did not sign verifies: %+v", a)
		}
	})
}
