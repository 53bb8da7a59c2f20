package saml

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Encrypted assertions (SAML 2.0 core 2.3.4, EncryptedAssertion): the
// identity provider encrypts the assertion with a content key (AES-CBC or
// AES-GCM) and wraps that key to the service provider's public key
// (RSA-OAEP or RSA 1.5), as XML Encryption describes. IAM keeps the
// service provider's private keys with the SAML provider (AddPrivateKey:
// "a .pem file that uses AES-GCM or AES-CBC encryption algorithm to
// decrypt SAML assertions", IAM API reference, CreateSAMLProvider,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html).
// The XML Encryption itself is github.com/crewjam/saml's xmlenc package:
// it decrypts AES-128/192/256 in CBC and GCM mode with keys wrapped by
// RSA-OAEP (1.0 and 1.1), and refuses a block cipher as a key transport.

const (
	nsXEnc = "http://www.w3.org/2001/04/xmlenc#"
	// xencElement is EncryptedData's Type for an encrypted element.
	xencElement = "http://www.w3.org/2001/04/xmlenc#Element"
)

// ErrDecrypt: the assertion is encrypted, and none of the keys decrypts
// it to an assertion. It says no more, whatever failed (the key, the
// cipher's padding or tag, or the XML decrypted): telling them apart
// would let a sender learn about the plaintext from changed ciphertexts
// (Jager and Somorovsky, "How to break XML Encryption", 2011).
var ErrDecrypt = errors.New("saml: no key decrypts the encrypted assertion")

// maxEncryptedKeys bounds the wrapped keys tried: each costs an RSA
// private-key operation per key, for a response nobody has yet verified.
const maxEncryptedKeys = 4

func init() {
	// RSA 1.5 key transport, which xmlenc leaves out by default: identity
	// providers offer it (Okta's "RSA15", ADFS's default before RSA-OAEP),
	// and a response AWS would take must not be refused here (AWS does
	// not say which key transports it takes). ErrDecrypt answers every
	// failure alike, so its padding says nothing to a sender.
	xmlenc.RegisterDecrypter(xmlenc.PKCS1v15())
}

// ParsePrivateKey reads a SAML provider's private key as AddPrivateKey
// takes it: PEM, PKCS #1 (RSA) or PKCS #8.
func ParsePrivateKey(s string) (crypto.PrivateKey, error) {
	b, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if b == nil {
		return nil, errors.New("saml: the private key is not PEM")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	return x509.ParsePKCS8PrivateKey(b.Bytes)
}

// DecryptionKeys are the RSA keys among a SAML provider's private keys
// (PEM, as ParsePrivateKey reads them), which RSA key transport unwraps
// content keys with; the others decrypt nothing.
func DecryptionKeys(pems ...string) []*rsa.PrivateKey {
	var out []*rsa.PrivateKey
	for _, p := range pems {
		if k, err := ParsePrivateKey(p); err == nil {
			if rk, ok := k.(*rsa.PrivateKey); ok {
				out = append(out, rk)
			}
		}
	}
	return out
}

// decryptAssertion is the assertion an EncryptedAssertion holds,
// decrypted with the first of keys that opens it, read through the
// guarded parser and detached with the namespace declarations in scope
// at the EncryptedAssertion: a decryptor puts the decrypted element in
// the place of the encrypted one (XML Encryption's processing rules,
// https://www.w3.org/TR/xmlenc-core1/), so an assertion may use a
// prefix only the Response declares.
func decryptAssertion(ea *etree.Element, keys []*rsa.PrivateKey) (*etree.Element, error) {
	data := children(ea, nsXEnc, "EncryptedData")
	if len(data) != 1 || len(keys) == 0 {
		return nil, ErrDecrypt
	}
	scope, err := etreeutils.NSBuildParentContext(ea)
	if err == nil {
		scope, err = scope.SubContext(ea)
	}
	if err != nil {
		return nil, ErrDecrypt
	}
	// The wrapped content key is in the EncryptedData's KeyInfo, or
	// beside it in the EncryptedAssertion (SAML 2.0 core 2.2.4).
	wrapped := append(children(ea, nsXEnc, "EncryptedKey"), children(child(data[0], nsDSig, "KeyInfo"), nsXEnc, "EncryptedKey")...)
	if len(wrapped) == 0 || len(wrapped) > maxEncryptedKeys {
		return nil, ErrDecrypt
	}
	// The cipher is handed the EncryptedData without the wrapped key,
	// which it would otherwise unwrap itself with what it is given (it
	// finds it by local names, and so is it removed).
	bare := data[0].Copy()
	for _, ki := range bare.SelectElements("KeyInfo") {
		for _, k := range ki.SelectElements("EncryptedKey") {
			ki.RemoveChild(k)
		}
	}
	for _, w := range wrapped {
		for _, key := range keys {
			cek, err := xmlenc.Decrypt(key, w)
			if err != nil {
				continue
			}
			plain, err := xmlenc.Decrypt(cek, bare)
			if err != nil {
				continue
			}
			d, err := readXML(plain)
			if err != nil {
				return nil, ErrDecrypt
			}
			a, err := etreeutils.NSDetatch(scope, d.Root())
			if err != nil || !is(a, nsAssertion, "Assertion") {
				return nil, ErrDecrypt
			}
			return a, nil
		}
	}
	return nil, ErrDecrypt
}

// Encryption is how an identity provider encrypts an assertion: to the
// service provider's certificate, with an XML Encryption key transport
// and block cipher.
type Encryption struct {
	// To is the certificate whose RSA public key the content key is
	// wrapped to.
	To *x509.Certificate
	// With wraps the key and encrypts; nil: RSA-OAEP (MGF1 with SHA-1,
	// as every XML Encryption 1.0 recipient reads it) and AES-256-GCM.
	With xmlenc.Encrypter
}

// encrypt is the EncryptedAssertion that holds assertion, encrypted as e
// says.
func (e Encryption) encrypt(assertion *etree.Element) (*etree.Element, error) {
	if _, ok := e.To.PublicKey.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("%w: the encryption certificate's key is not an RSA key", ErrRequest)
	}
	with := e.With
	if with == nil {
		oaep := xmlenc.OAEP()
		oaep.DigestMethod = &xmlenc.SHA1
		oaep.BlockCipher = xmlenc.AES256GCM
		with = oaep
	}
	d := etree.NewDocument()
	d.SetRoot(assertion.Copy())
	plain, err := d.WriteToBytes()
	if err != nil {
		return nil, err
	}
	data, err := with.Encrypt(e.To, plain, nil)
	if err != nil {
		return nil, err
	}
	data.CreateAttr("Type", xencElement)
	ea := etree.NewElement("saml:EncryptedAssertion")
	ea.AddChild(data)
	return ea, nil
}
