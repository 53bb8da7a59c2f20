package iam

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

// Keys and certificates made once per test binary (RSA key generation is
// slow under -race): a 2048-bit and a 1024-bit RSA key, and a chain root
// -> intermediate -> leaf with the leaf's key.
type testPKI struct {
	key2048, key1024           *rsa.PrivateKey
	root, intermediate, leaf   string // PEM
	leafKey, otherKey, rootKey string // PEM
}

var pkiOnce = sync.OnceValue(func() *testPKI {
	gen := func(bits int) *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			panic(err)
		}
		return k
	}
	p := &testPKI{key2048: gen(2048), key1024: gen(1024)}
	rootKey, intKey, leafKey := gen(2048), gen(2048), p.key2048
	issue := func(serial int64, cn string, ca bool, pub *rsa.PublicKey, parent *x509.Certificate, signer *rsa.PrivateKey) (*x509.Certificate, string) {
		tpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: epoch, NotAfter: epoch.AddDate(1, 0, 0), BasicConstraintsValid: true, IsCA: ca}
		if parent == nil {
			parent = tpl
		}
		der, err := x509.CreateCertificate(rand.Reader, tpl, parent, pub, signer)
		if err != nil {
			panic(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	}
	root, rootPEM := issue(1, "root", true, &rootKey.PublicKey, nil, rootKey)
	inter, intPEM := issue(2, "intermediate", true, &intKey.PublicKey, root, rootKey)
	_, leafPEM := issue(3, "www.example.com", false, &leafKey.PublicKey, inter, intKey)
	p.root, p.intermediate, p.leaf = rootPEM, intPEM, leafPEM
	p.leafKey = pkcs8PEM(leafKey)
	p.otherKey = pkcs8PEM(intKey)
	p.rootKey = pkcs8PEM(rootKey)
	return p
})

func pkcs8PEM(k any) string {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func sshLine(k *rsa.PublicKey, comment string) string {
	return strings.TrimSpace("ssh-rsa " + base64.StdEncoding.EncodeToString(sshRSAWire(k)) + " " + comment)
}

func TestParseSSHPublicKey(t *testing.T) {
	p := pkiOnce()
	pub := &p.key2048.PublicKey
	pkix, _ := x509.MarshalPKIXPublicKey(pub)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	wire := sshRSAWire(pub)
	negative := append([]byte(nil), wire...)
	negative[4+7+4] |= 0x80 // the exponent's first byte
	for _, c := range []struct {
		name, body string
		encoding   string
		err        error
	}{
		{"ssh-rsa with a comment", sshLine(pub, "me@host"), EncodingSSH, nil},
		{"ssh-rsa alone, with a newline", sshLine(pub, "") + "\n", EncodingSSH, nil},
		{"PKIX PEM", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})), EncodingPEM, nil},
		{"PKCS #1 PEM", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)})), EncodingPEM, nil},
		{"1024 bits", sshLine(&p.key1024.PublicKey, ""), "", errInvalidPublicKey},
		{"1024 bits in PEM", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&p.key1024.PublicKey)})), "", errInvalidPublicKey},
		{"no key after the type", "ssh-rsa", "", errInvalidPublicKey},
		{"not base64", "ssh-rsa AAAA!!!!", "", errInvalidPublicKey},
		{"bytes after the modulus", "ssh-rsa " + base64.StdEncoding.EncodeToString(append(wire, 0)), "", errInvalidPublicKey},
		{"a negative exponent", "ssh-rsa " + base64.StdEncoding.EncodeToString(negative), "", errInvalidPublicKey},
		{"another type inside", "ssh-rsa " + base64.StdEncoding.EncodeToString(append(binary.BigEndian.AppendUint32(nil, 7), "ssh-dss"...)), "", errInvalidPublicKey},
		{"a length past the end", "ssh-rsa " + base64.StdEncoding.EncodeToString([]byte{0xff, 0xff, 0xff, 0xff}), "", errInvalidPublicKey},
		{"text after the PEM", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})) + "x", "", errInvalidPublicKey},
		{"ECDSA in PEM", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecDER})), "", errUnrecognizedKeyEncoding},
		{"ed25519", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKzvfE+qS09w+okgrO0gY7jryF0lSCxdEO/O0UaUhuZe me", "", errUnrecognizedKeyEncoding},
		{"a private key", p.leafKey, "", errUnrecognizedKeyEncoding},
		{"nothing", "   ", "", errUnrecognizedKeyEncoding},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, enc, err := parseSSHPublicKey(c.body)
			if err != c.err || enc != c.encoding {
				t.Fatalf("= %v %q, want %v %q", err, enc, c.err, c.encoding)
			}
			if err == nil && !k.Equal(pub) {
				t.Fatal("another key")
			}
		})
	}
}

// TestSSHFingerprint: OpenSSH's MD5 fingerprint is the MD5 of the
// base64-decoded key, which is what sshFingerprint hashes.
func TestSSHFingerprint(t *testing.T) {
	pub := &pkiOnce().key2048.PublicKey
	blob, _ := base64.StdEncoding.DecodeString(strings.Fields(sshLine(pub, "x"))[1])
	sum := md5.Sum(blob)
	want := hex.EncodeToString(sum[:])
	got := sshFingerprint(pub)
	if strings.ReplaceAll(got, ":", "") != want || len(got) != 47 {
		t.Errorf("sshFingerprint = %s, want %s with colons", got, want)
	}
}

func TestSSHPublicKeyEncodings(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	pub := &pkiOnce().key2048.PublicKey
	k, err := f.UploadSSHPublicKey(ctx, acct, "u", sshLine(pub, "u@host"))
	must(t, err)
	for _, enc := range []string{EncodingSSH, EncodingPEM} {
		got, err := f.GetSSHPublicKey(ctx, acct, "u", k.SSHPublicKeyId, enc)
		must(t, err)
		back, benc, err := parseSSHPublicKey(got.SSHPublicKeyBody)
		if err != nil || benc != enc || !back.Equal(pub) || got.Fingerprint != k.Fingerprint {
			t.Errorf("%s: %q (%v %s)", enc, got.SSHPublicKeyBody, err, benc)
		}
	}
	if k.SSHPublicKeyId != "APKAAAAAAAAAAAAAAAAC" {
		t.Errorf("SSHPublicKeyId %s", k.SSHPublicKeyId)
	}
}

func TestServerCertificateChain(t *testing.T) {
	p := pkiOnce()
	for _, c := range []struct {
		name, chain, key string
		err              string
	}{
		{"the whole chain", p.intermediate + p.root, p.leafKey, ""},
		{"the issuer only", p.intermediate, p.leafKey, ""},
		{"no chain", "", p.leafKey, ""},
		{"the root only", p.root, p.leafKey, "-1"},
		{"the leaf's key is not the intermediate's", p.intermediate, p.otherKey, "KeyPairMismatch"},
		{"reversed", p.root + p.intermediate, p.leafKey, "-1"},
		{"an intermediate the next did not sign", p.intermediate + p.leaf, p.leafKey, "0"},
		{"garbage second", p.intermediate + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", p.leafKey, "1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			exp, err := checkServerCertificate(UploadServerCertificateInput{CertificateBody: p.leaf, PrivateKey: c.key, CertificateChain: c.chain}, false)
			switch {
			case c.err == "" && (err != nil || !exp.Equal(epoch.AddDate(1, 0, 0))):
				t.Fatalf("= %v, %v", exp, err)
			case c.err == "KeyPairMismatch":
				if err != errKeyPairMismatch {
					t.Fatalf("= %v", err)
				}
			case c.err != "" && c.err != "KeyPairMismatch":
				if err == nil || err.Error() != errMalformedChain(atoi(c.err)).Error() {
					t.Fatalf("= %v, want index %s", err, c.err)
				}
			}
		})
	}
}

func atoi(s string) int {
	n := 0
	neg := strings.HasPrefix(s, "-")
	for _, c := range strings.TrimPrefix(s, "-") {
		n = n*10 + int(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

// TestCredentialReportInProgress: with a generation delay the report
// goes STARTED, INPROGRESS (GetCredentialReport: ReportInProgress),
// COMPLETE.
func TestCredentialReportInProgress(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CredentialReportDelay = time.Minute })
	f.user(t, "u")
	state, desc, err := f.GenerateCredentialReport(ctx, acct)
	must(t, err)
	if state != ReportStarted || desc != reportStartedFirst {
		t.Errorf("first: %s %q", state, desc)
	}
	state, _, err = f.GenerateCredentialReport(ctx, acct)
	must(t, err)
	if state != ReportInProgress {
		t.Errorf("while generating: %s", state)
	}
	_, _, err = f.GetCredentialReport(ctx, acct)
	wantErr(t, err, "ReportInProgress", 404, "")
	f.clock.Advance(time.Minute)
	state, _, err = f.GenerateCredentialReport(ctx, acct)
	must(t, err)
	if state != ReportComplete {
		t.Errorf("done: %s", state)
	}
	content, generated, err := f.GetCredentialReport(ctx, acct)
	must(t, err)
	if !generated.Equal(epoch) || !strings.Contains(string(content), "\nu,arn:aws:iam::000000000000:user/u,") {
		t.Errorf("report of %v:\n%s", generated, content)
	}
}

// TestCredentialsForgotten: an account's credentials go with it.
func TestCredentialsFollowTheUser(t *testing.T) {
	f := newFixture(t)
	f.user(t, "u")
	_, err := f.CreateServiceSpecificCredential(ctx, acct, "u", "codecommit.amazonaws.com", 0)
	must(t, err)
	must(t, f.UpdateUser(ctx, acct, "u", "", "v"))
	list, _, err := f.ListServiceSpecificCredentials(ctx, acct, "v", "", false, Page{})
	must(t, err)
	// The user name is the user's as it is now; the generated name stays.
	if len(list) != 1 || list[0].UserName != "v" || list[0].ServiceUserName != "u-at-000000000000" {
		t.Errorf("after rename: %+v", list)
	}
}

// FuzzParseSSHPublicKey: any body is refused with one of AWS's two codes
// or read as an RSA key of 2048 bits or more, which then reads back the
// same from both encodings GetSSHPublicKey answers in.
func FuzzParseSSHPublicKey(f *testing.F) {
	p := pkiOnce()
	pkixDER, _ := x509.MarshalPKIXPublicKey(&p.key2048.PublicKey)
	for _, s := range []string{sshLine(&p.key2048.PublicKey, "me"), sshLine(&p.key1024.PublicKey, ""),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkixDER})), "ssh-rsa AAAAB3NzaC1yc2E=", "-----BEGIN RSA PUBLIC KEY-----\n-----END RSA PUBLIC KEY-----", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		k, enc, err := parseSSHPublicKey(body)
		if err != nil {
			if err != errInvalidPublicKey && err != errUnrecognizedKeyEncoding {
				t.Fatalf("error %v", err)
			}
			return
		}
		if k.N.BitLen() < 2048 || (enc != EncodingSSH && enc != EncodingPEM) {
			t.Fatalf("accepted %d bits, %q", k.N.BitLen(), enc)
		}
		r := &sshKeyRecord{Body: body, Encoding: enc}
		for _, want := range []string{EncodingSSH, EncodingPEM} {
			out, err := r.body(want)
			if err != nil {
				t.Fatal(err)
			}
			back, benc, err := parseSSHPublicKey(out)
			if err != nil || benc != want || !back.Equal(k) || sshFingerprint(back) != sshFingerprint(k) {
				t.Fatalf("%s form %q reads back as %v %s", want, out, err, benc)
			}
		}
	})
}

// FuzzCertificatePEM: the PEM readers of server and signing certificates
// answer AWS's codes for anything, and what they accept is what was
// written.
func FuzzCertificatePEM(f *testing.F) {
	p := pkiOnce()
	f.Add(p.leaf, p.leafKey, p.intermediate+p.root)
	f.Add(p.leaf+p.leaf, "-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----\n", "x"+p.root)
	f.Add("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----", "", "")
	f.Fuzz(func(t *testing.T, body, key, chain string) {
		cert, err := parseCertificatePEM(body)
		if err != nil {
			if err != errMalformedCertificate {
				t.Fatalf("body: %v", err)
			}
			return
		}
		if blocks, ok := pemBlocks(body); !ok || len(blocks) != 1 || string(blocks[0].Bytes) != string(cert.Raw) {
			t.Fatal("accepted a body that is not one certificate")
		}
		if _, err := parsePrivateKeyPEM(key); err != nil && err != errMalformedPrivateKey {
			t.Fatalf("key: %v", err)
		}
		if chain == "" {
			return
		}
		if _, err := parseChainPEM(chain, cert); err != nil && !strings.HasPrefix(err.Error(), "MalformedCertificate: Unable to validate certificate chain.") {
			t.Fatalf("chain: %v", err)
		}
	})
}
