package iam

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"strings"
)

// PEM parsing for server certificates (servercerts.go) and signing
// certificates (signingcerts.go): what IAM accepts is PEM, "the contents
// of the public key certificate in PEM-encoded format" (UploadServerCertificate
// and UploadSigningCertificate API references).

// pemBlocks reads s as PEM blocks and nothing else but whitespace between
// them; ok is false for anything else (pem.Decode alone skips text before
// a block, which AWS refuses: aws/aws-cli #715, a chain file with the
// certificate's text dump before its PEM).
func pemBlocks(s string) (blocks []*pem.Block, ok bool) {
	rest := []byte(strings.TrimSpace(s))
	for len(rest) > 0 {
		if !strings.HasPrefix(string(rest), "-----BEGIN ") {
			return nil, false
		}
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, false
		}
		blocks = append(blocks, b)
		rest = []byte(strings.TrimSpace(string(rest)))
	}
	return blocks, len(blocks) > 0
}

// parseCertificatePEM reads one X.509 certificate in PEM.
func parseCertificatePEM(s string) (*x509.Certificate, error) {
	blocks, ok := pemBlocks(s)
	if !ok || len(blocks) != 1 || blocks[0].Type != "CERTIFICATE" {
		return nil, errMalformedCertificate
	}
	c, err := x509.ParseCertificate(blocks[0].Bytes)
	if err != nil {
		return nil, errMalformedCertificate
	}
	return c, nil
}

// parseChainPEM reads a certificate chain, the body's issuer first, and
// checks that each certificate signed the one before it (the body, for the
// first).
func parseChainPEM(s string, body *x509.Certificate) ([]*x509.Certificate, error) {
	blocks, ok := pemBlocks(s)
	if !ok {
		return nil, errMalformedChain(0)
	}
	chain := make([]*x509.Certificate, len(blocks))
	for i, b := range blocks {
		if b.Type != "CERTIFICATE" {
			return nil, errMalformedChain(i)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, errMalformedChain(i)
		}
		chain[i] = c
	}
	child := body
	for i, parent := range chain {
		if child.CheckSignatureFrom(parent) != nil {
			return nil, errMalformedChain(i - 1)
		}
		child = parent
	}
	return chain, nil
}

// parsePrivateKeyPEM reads a private key in PEM: PKCS #1 ("RSA PRIVATE
// KEY"), SEC 1 ("EC PRIVATE KEY") or PKCS #8 ("PRIVATE KEY").
func parsePrivateKeyPEM(s string) (crypto.Signer, error) {
	blocks, ok := pemBlocks(s)
	if !ok || len(blocks) != 1 {
		return nil, errMalformedPrivateKey
	}
	var key any
	var err error
	switch b := blocks[0]; b.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(b.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	default:
		return nil, errMalformedPrivateKey
	}
	signer, ok := key.(crypto.Signer)
	if err != nil || !ok {
		return nil, errMalformedPrivateKey
	}
	return signer, nil
}

// keyMatches reports whether key is the private half of cert's public key.
func keyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}
