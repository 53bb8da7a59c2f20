package sts

import (
	"crypto/sha1"
	"encoding/base64"
	"testing"
)

func TestSAMLHelpers(t *testing.T) {
	// The API reference's pseudocode: BASE64 ( SHA1 ( "https://example.com/saml" + "123456789012" + "/MySAMLIdP" ) ).
	sum := sha1.Sum([]byte("https://example.com/saml123456789012/MySAMLIdP"))
	if got, want := nameQualifier("https://example.com/saml", "123456789012", "MySAMLIdP"), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("nameQualifier %s, want %s", got, want)
	}
	for format, want := range map[string]string{
		"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent":   "persistent",
		"urn:oasis:names:tc:SAML:2.0:nameid-format:transient":    "transient",
		"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
		"": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
	} {
		if got := subjectType(format); got != want {
			t.Errorf("subjectType(%q) = %q, want %q", format, got, want)
		}
	}
	for r, want := range map[string]bool{
		"https://signin.aws.amazon.com/saml":                   true,
		"https://us-east-2.signin.aws.amazon.com/saml":         true,
		"http://signin.aws.amazon.com/saml":                    false,
		"https://evil.example.com/.signin.aws.amazon.com/saml": false,
		"https://a.b.signin.aws.amazon.com/saml":               false,
		"https://signin.aws.amazon.com/saml/":                  false,
	} {
		if awsRecipient(r) != want {
			t.Errorf("awsRecipient(%q) = %v", r, !want)
		}
	}
	role, provider := "arn:aws:iam::1:role/r", "arn:aws:iam::1:saml-provider/p"
	if !pairs([]string{"x,y", provider + ", " + role}, role, provider) || pairs([]string{role + "," + role}, role, provider) || pairs([]string{role}, role, provider) {
		t.Error("pairs")
	}
	if forAWS(nil) || !forAWS([][]string{{"x", "urn:amazon:webservices"}}) || forAWS([][]string{{"https://signin.aws.amazon.com/saml"}, {"x"}}) {
		t.Error("forAWS")
	}
	for name, want := range map[string]bool{"a": false, "ab": true, "a b": false, "alice@example.com": true, string(make([]byte, 65)): false} {
		if validSessionName(name) != want {
			t.Errorf("validSessionName(%q)", name)
		}
	}
}
