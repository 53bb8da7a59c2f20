package saml

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"
)

// The service provider's key pair in these tests is testdata/other.json's
// (making an RSA key is slow); the identity provider's key is the wrong
// one to decrypt with.
func spKey() *rsa.PrivateKey { return otherSigner().Key.(*rsa.PrivateKey) }

func spCert(t testing.TB) *x509.Certificate {
	t.Helper()
	return must(x509.ParseCertificate(otherSigner().Cert))
}

func wrongKey() *rsa.PrivateKey {
	return must(testIdP().Signer(context.Background())).Key.(*rsa.PrivateKey)
}

var ecKey = sync.OnceValue(func() *ecdsa.PrivateKey { return must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) })

// encryptedResponse is request()'s response, its signed assertion
// encrypted to the service provider's certificate with enc (nil: the
// default).
func encryptedResponse(t testing.TB, enc xmlenc.Encrypter) string {
	t.Helper()
	r := request()
	spec, err := r.Spec(now)
	if err != nil {
		t.Fatal(err)
	}
	spec.Encrypt = &Encryption{To: spCert(t), With: enc}
	return decoded(t, must(signer(t).Response(spec)))
}

func encrypter(transport xmlenc.RSA, cipher xmlenc.BlockCipher) xmlenc.Encrypter {
	transport.BlockCipher = cipher
	return transport
}

// verified is what the plain response of request() verifies to.
func verified(t *testing.T) *Assertion {
	t.Helper()
	r := must(ParseResponse(assertResponse(t, signer(t), request())))
	return must(r.Verify(metadataCerts(t), now))
}

func TestEncryptedRoundTrip(t *testing.T) {
	certs, want := metadataCerts(t), mustJSON(verified(t))
	for name, enc := range map[string]xmlenc.Encrypter{
		"default (RSA-OAEP, AES-256-GCM)":   nil,
		"RSA-OAEP, AES-128-CBC":             encrypter(xmlenc.OAEP(), xmlenc.AES128CBC),
		"RSA-OAEP 1.1 SHA-256, AES-256-CBC": encrypter(xmlenc.OAEP_SHA256(), xmlenc.AES256CBC),
		"RSA-OAEP, AES-128-GCM":             encrypter(xmlenc.OAEP(), xmlenc.AES128GCM),
		"RSA 1.5, AES-256-CBC":              encrypter(xmlenc.PKCS1v15(), xmlenc.AES256CBC),
	} {
		t.Run(name, func(t *testing.T) {
			xml := encryptedResponse(t, enc)
			if strings.Contains(xml, "alice@example.com") || !strings.Contains(xml, "<saml:EncryptedAssertion>") {
				t.Fatalf("not encrypted:\n%s", xml)
			}
			r := must(ParseResponse(encoded(xml)))
			if !r.Encrypted() || r.Issuer() != EntityID {
				t.Fatalf("Encrypted %v, Issuer %q", r.Encrypted(), r.Issuer())
			}
			// The first key that opens it does: a wrong one before it is
			// passed over.
			a, err := r.Verify(certs, now, wrongKey(), spKey())
			if err != nil {
				t.Fatal(err)
			}
			if got := mustJSON(a); string(got) != string(want) {
				t.Errorf("decrypted assertion\n got %s\nwant %s", got, want)
			}
		})
	}
}

// editXML answers xml changed by edit.
func editXML(t testing.TB, xml string, edit func(root *etree.Element)) string {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	edit(d.Root())
	return must(d.WriteToString())
}

// TestEncryptedLayouts: the wrapped key beside the EncryptedData, as
// some identity providers send it, and a Response signed over the
// EncryptedAssertion, verify.
func TestEncryptedLayouts(t *testing.T) {
	certs, want := metadataCerts(t), mustJSON(verified(t))
	beside := editXML(t, encryptedResponse(t, nil), func(root *etree.Element) {
		ea := root.SelectElement("EncryptedAssertion")
		ki := ea.SelectElement("EncryptedData").SelectElement("KeyInfo")
		ek := ki.SelectElement("EncryptedKey")
		ki.RemoveChild(ek)
		ea.AddChild(ek)
	})
	s := signer(t)
	ctx := must(dsig.NewSigningContext(s.Key, [][]byte{s.Cert}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signedResponse := editXML(t, encryptedResponse(t, nil), func(root *etree.Element) {
		sig := must(ctx.ConstructSignature(root, true))
		root.InsertChildAt(1, sig)
	})
	for name, xml := range map[string]string{"the key beside the data": beside, "the Response signed": signedResponse} {
		a, err := must(ParseResponse(encoded(xml))).Verify(certs, now, spKey())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := mustJSON(a); string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	// The Response's signature covers the ciphertext.
	tampered := editXML(t, signedResponse, func(root *etree.Element) {
		cv := root.FindElement("./EncryptedAssertion/EncryptedData/CipherData/CipherValue")
		cv.SetText(flipByte(t, cv.Text()))
	})
	if _, err := must(ParseResponse(encoded(tampered))).Verify(certs, now, spKey()); !errors.Is(err, ErrSignature) {
		t.Errorf("a signed response with its ciphertext changed: %v", err)
	}
}

// flipByte changes a byte in the middle of base64 data.
func flipByte(t testing.TB, b64 string) string {
	t.Helper()
	b := must(base64.StdEncoding.DecodeString(strings.TrimSpace(b64)))
	b[len(b)/2] ^= 0x40
	return base64.StdEncoding.EncodeToString(b)
}

func TestEncryptedRefuses(t *testing.T) {
	certs := metadataCerts(t)
	good := encryptedResponse(t, nil)
	cbc := encryptedResponse(t, encrypter(xmlenc.OAEP(), xmlenc.AES256CBC))
	unsignedInside := func() string {
		spec := must(request().Spec(now))
		s := signer(t)
		plain := editXML(t, decoded(t, must(s.Response(spec))), func(root *etree.Element) {
			a := root.SelectElement("Assertion")
			a.RemoveChild(a.SelectElement("Signature"))
			ea := must(Encryption{To: spCert(t)}.encrypt(a))
			root.RemoveChild(a)
			root.AddChild(ea)
		})
		return plain
	}()
	notAnAssertion := editXML(t, good, func(root *etree.Element) {
		ea := root.SelectElement("EncryptedAssertion")
		root.RemoveChild(ea)
		el := etree.NewElement("saml:Issuer")
		el.CreateAttr("xmlns:saml", nsAssertion)
		el.SetText(EntityID)
		root.AddChild(must(Encryption{To: spCert(t)}.encrypt(el)))
	})
	// A signed plain assertion and an encrypted one side by side, in
	// either order: which one's attributes would be read is never asked.
	plainSigned := decoded(t, assertResponse(t, signer(t), request()))
	beside := func(encryptedFirst bool) string {
		ea := must(ParseResponse(encoded(unsignedInside))).root.SelectElement("EncryptedAssertion")
		return editXML(t, plainSigned, func(root *etree.Element) {
			if encryptedFirst {
				root.InsertChildAt(root.SelectElement("Assertion").Index(), ea.Copy())
			} else {
				root.AddChild(ea.Copy())
			}
		})
	}
	for _, c := range []struct {
		name string
		xml  string
		keys []*rsa.PrivateKey
		want error
	}{
		{"a signed assertion, then an encrypted one", beside(false), []*rsa.PrivateKey{spKey()}, ErrAssertions},
		{"an encrypted assertion, then a signed one", beside(true), []*rsa.PrivateKey{spKey()}, ErrAssertions},
		{"no key", good, nil, ErrDecrypt},
		{"encrypted to another key", good, []*rsa.PrivateKey{wrongKey()}, ErrDecrypt},
		{"the ciphertext changed (GCM)", editXML(t, good, func(root *etree.Element) {
			cv := root.FindElement("./EncryptedAssertion/EncryptedData/CipherData/CipherValue")
			cv.SetText(flipByte(t, cv.Text()))
		}), []*rsa.PrivateKey{spKey()}, ErrDecrypt},
		{"the ciphertext changed (CBC)", editXML(t, cbc, func(root *etree.Element) {
			cv := root.FindElement("./EncryptedAssertion/EncryptedData/CipherData/CipherValue")
			cv.SetText(flipByte(t, cv.Text()))
		}), []*rsa.PrivateKey{spKey()}, ErrDecrypt},
		{"the wrapped key changed", editXML(t, good, func(root *etree.Element) {
			cv := root.FindElement("./EncryptedAssertion/EncryptedData/KeyInfo/EncryptedKey/CipherData/CipherValue")
			cv.SetText(flipByte(t, cv.Text()))
		}), []*rsa.PrivateKey{spKey()}, ErrDecrypt},
		{"relabelled GCM as CBC", strings.Replace(good, xmlenc.AES256GCM.Algorithm(), xmlenc.AES256CBC.Algorithm(), 1), []*rsa.PrivateKey{spKey()}, ErrDecrypt},
		{"a block cipher as the key transport", strings.Replace(good, `Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"`, `Algorithm="`+xmlenc.AES256CBC.Algorithm()+`"`, 1), []*rsa.PrivateKey{spKey()}, ErrDecrypt},
		{"too many wrapped keys", editXML(t, good, func(root *etree.Element) {
			ea := root.SelectElement("EncryptedAssertion")
			ek := ea.FindElement("./EncryptedData/KeyInfo/EncryptedKey")
			for range maxEncryptedKeys {
				ea.AddChild(ek.Copy())
			}
		}), []*rsa.PrivateKey{spKey()}, ErrDecrypt},
		{"two EncryptedData", editXML(t, good, func(root *etree.Element) {
			ea := root.SelectElement("EncryptedAssertion")
			ea.AddChild(ea.SelectElement("EncryptedData").Copy())
		}), []*rsa.PrivateKey{spKey()}, ErrDecrypt},
		{"decrypts to something else than an assertion", notAnAssertion, []*rsa.PrivateKey{spKey()}, ErrDecrypt},
		// Encrypting to the service provider's public key proves nothing
		// of who sent it: the assertion must still be signed.
		{"an unsigned assertion, encrypted", unsignedInside, []*rsa.PrivateKey{spKey()}, ErrSignature},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseResponse(encoded(c.xml))
			if err != nil {
				t.Fatal(err)
			}
			a, err := r.Verify(certs, now, c.keys...)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %+v, %v; want %v", a, err, c.want)
			}
		})
	}
}

func TestDecryptionKeys(t *testing.T) {
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(spKey())}))
	pkcs8 := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(spKey()))}))
	ec := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(ecKey()))}))
	keys := DecryptionKeys(pkcs1, "not a key", ec, "  \n"+pkcs8)
	if len(keys) != 2 || !keys[0].Equal(spKey()) || !keys[1].Equal(spKey()) {
		t.Errorf("DecryptionKeys: %d keys", len(keys))
	}
	if _, err := ParsePrivateKey(ec); err != nil {
		t.Errorf("an EC key in PKCS #8: %v", err)
	}
	if _, err := ParsePrivateKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"); err == nil {
		t.Error("a PEM block that holds no key read")
	}
}

// The identity provider encrypts to RSA keys only.
func TestEncryptToNonRSA(t *testing.T) {
	spec := must(request().Spec(now))
	spec.Encrypt = &Encryption{To: &x509.Certificate{PublicKey: &ecKey().PublicKey}}
	if _, err := signer(t).Response(spec); !errors.Is(err, ErrRequest) {
		t.Errorf("encrypting to an EC certificate: %v", err)
	}
}

// TestEncryptedInheritsNamespaces: an assertion that uses a prefix
// declared only on the Response, or on the EncryptedAssertion, is
// encrypted without the declaration (identity providers encrypt the
// element as it stands in the document); it is read decrypted in the
// place of the EncryptedAssertion, with the declarations in scope there.
func TestEncryptedInheritsNamespaces(t *testing.T) {
	certs, want := metadataCerts(t), mustJSON(verified(t))
	// undeclared re-encrypts the signed assertion without its own
	// xmlns:saml; exclusive canonicalization renders the prefix where
	// it is used, so the signature does not change.
	undeclared := func(onEncrypted bool) string {
		spec := must(request().Spec(now))
		return editXML(t, decoded(t, must(signer(t).Response(spec))), func(root *etree.Element) {
			a := root.SelectElement("Assertion")
			a.RemoveAttr("xmlns:saml")
			ea := must(Encryption{To: spCert(t)}.encrypt(a))
			if onEncrypted {
				root.RemoveAttr("xmlns:saml")
				ea.CreateAttr("xmlns:saml", nsAssertion)
				for _, el := range root.SelectElements("Issuer") {
					el.CreateAttr("xmlns:saml", nsAssertion)
				}
			}
			root.RemoveChild(a)
			root.AddChild(ea)
		})
	}
	for name, xml := range map[string]string{"on the Response": undeclared(false), "on the EncryptedAssertion": undeclared(true)} {
		r := must(ParseResponse(encoded(xml)))
		a, err := r.Verify(certs, now, spKey())
		if err != nil {
			t.Fatalf("the prefix declared %s: %v", name, err)
		}
		if got := mustJSON(a); string(got) != string(want) {
			t.Errorf("the prefix declared %s:\n got %s\nwant %s", name, got, want)
		}
	}
	// Declared nowhere in scope (the EncryptedAssertion names the
	// namespace by another prefix), it names no namespace: no assertion.
	nowhere := editXML(t, undeclared(true), func(root *etree.Element) {
		ea := root.SelectElement("EncryptedAssertion")
		ea.RemoveAttr("xmlns:saml")
		ea.Space = "a"
		ea.CreateAttr("xmlns:a", nsAssertion)
	})
	if a, err := must(ParseResponse(encoded(nowhere))).Verify(certs, now, spKey()); !errors.Is(err, ErrDecrypt) {
		t.Errorf("the prefix declared nowhere: %+v, %v; want ErrDecrypt", a, err)
	}
}
