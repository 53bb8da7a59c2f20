package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/rolecalltest"
)

// rolecall saml metadata prints the identity provider's metadata, which
// makes a SAML provider; rolecall saml assertion prints a response it
// signed, with the attributes asked for, that AssumeRoleWithSAML takes.
func TestSAMLCommand(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	rc := rolecalltest.RunT(t)
	ctx := context.Background()
	md, errs, code := rolecallCLI(t, rc, "saml", "metadata")
	if code != 0 || !strings.Contains(md, `entityID="urn:rolecall:saml:idp"`) {
		t.Fatalf("saml metadata: exit %d: %s%s", code, md, errs)
	}
	c := iam.NewFromConfig(rc.Config)
	if _, err := c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("idp"), SAMLMetadataDocument: aws.String(md)}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:saml-provider/idp"},` +
		`"Action":"sts:AssumeRoleWithSAML","Condition":{"ForAnyValue:StringEquals":{"saml:edupersonaffiliation":"staff"}}}]}`
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("staff"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	out, errs, code := rolecallCLI(t, rc, "saml", "assertion", "--provider", "idp", "--role", "staff", "--subject", "alice",
		"--attr", "saml:edupersonaffiliation=member", "--attr", "saml:edupersonaffiliation=staff", "--attr", "SessionDuration=900")
	if code != 0 {
		t.Fatalf("saml assertion: exit %d: %s", code, errs)
	}
	assertion := strings.TrimSpace(out)
	xml, err := base64.StdEncoding.DecodeString(assertion)
	if err != nil || !strings.Contains(string(xml), `<saml:AttributeValue>member</saml:AttributeValue><saml:AttributeValue>staff</saml:AttributeValue>`) {
		t.Fatalf("assertion %s: %v", xml, err)
	}
	got, err := sts.NewFromConfig(rc.Config).AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/staff"),
		PrincipalArn: aws.String("arn:aws:iam::000000000000:saml-provider/idp"), SAMLAssertion: aws.String(assertion)})
	if err != nil || aws.ToString(got.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/staff/alice" {
		t.Fatalf("AssumeRoleWithSAML: %v", err)
	}

	for _, args := range [][]string{
		{"saml"},
		{"saml", "assertion", "--role", "staff", "--subject", "alice"},
		{"saml", "assertion", "--provider", "idp", "--role", "staff", "--subject", "alice", "--attr", "novalue"},
		{"saml", "nothing"},
	} {
		if _, _, code := rolecallCLI(t, rc, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	_, errs, code = rolecallCLI(t, rc, "saml", "assertion", "--provider", "idp", "--role", "staff", "--subject", "alice", "--attr", "saml:aud=x")
	if code != 1 || !strings.Contains(errs, "InvalidParameterValue: bad assertion request: saml:aud is no condition key an attribute maps to") {
		t.Errorf("saml:aud as an attribute: exit %d: %s", code, errs)
	}

	// --encrypt-to: the assertion encrypted to a certificate whose
	// private key the provider holds.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sp"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "sp.crt"), filepath.Join(dir, "sp.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::000000000000:saml-provider/idp"),
		AddPrivateKey:           aws.String(string(keyPEM)),
		AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeRequired}); err != nil {
		t.Fatal(err)
	}
	out, errs, code = rolecallCLI(t, rc, "saml", "assertion", "--provider", "idp", "--role", "staff", "--subject", "alice",
		"--attr", "saml:edupersonaffiliation=staff", "--encrypt-to", certFile)
	if code != 0 {
		t.Fatalf("saml assertion --encrypt-to: exit %d: %s", code, errs)
	}
	xml, err = base64.StdEncoding.DecodeString(strings.TrimSpace(out))
	if err != nil || strings.Contains(string(xml), "alice") || !strings.Contains(string(xml), "<saml:EncryptedAssertion>") {
		t.Fatalf("encrypted assertion %s: %v", xml, err)
	}
	got, err = sts.NewFromConfig(rc.Config).AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/staff"),
		PrincipalArn: aws.String("arn:aws:iam::000000000000:saml-provider/idp"), SAMLAssertion: aws.String(strings.TrimSpace(out))})
	if err != nil || aws.ToString(got.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/staff/alice" {
		t.Fatalf("AssumeRoleWithSAML of the encrypted assertion: %v", err)
	}
	if _, errs, code := rolecallCLI(t, rc, "saml", "assertion", "--provider", "idp", "--role", "staff", "--subject", "alice", "--encrypt-to", filepath.Join(dir, "none")); code != 2 || !strings.Contains(errs, "--encrypt-to: open ") {
		t.Errorf("--encrypt-to a missing file: exit %d: %s", code, errs)
	}
	// The private key is no certificate.
	_, errs, code = rolecallCLI(t, rc, "saml", "assertion", "--provider", "idp", "--role", "staff", "--subject", "alice", "--encrypt-to", keyFile)
	if code != 1 || !strings.Contains(errs, "InvalidParameterValue: EncryptTo is not a PEM certificate: no CERTIFICATE block") {
		t.Errorf("--encrypt-to a private key: exit %d: %s", code, errs)
	}
}
