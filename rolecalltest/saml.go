package rolecalltest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/saml"
	"github.com/rolecall/rolecall/internal/server"
)

// rolecall's own SAML identity provider, for tests of SAML federation: a
// SAML provider created with SAMLMetadata trusts the responses
// SAMLAssertion gets signed, which sts.AssumeRoleWithSAML takes.

// SAMLAssertion is what rolecall's identity provider is asked to assert,
// as `rolecall saml assertion` asks it.
type SAMLAssertion struct {
	// Provider and Role name the SAML provider and the role (ARNs, or
	// names in the default account): the Role attribute's pair.
	Provider, Role string
	// Subject is the NameID; SubjectFormat its Format (default
	// urn:oasis:names:tc:SAML:2.0:nameid-format:persistent).
	Subject, SubjectFormat string
	// SessionName is the RoleSessionName attribute (default Subject).
	SessionName string
	// Attributes are further attributes, by Name or short name:
	// "SessionDuration", "SourceIdentity", "PrincipalTag:Project",
	// "TransitiveTagKeys", or a saml: condition key such as
	// "saml:edupersonaffiliation".
	Attributes map[string][]string
	// Recipient and Audience default to https://signin.aws.amazon.com/saml.
	Recipient, Audience string
	// ValidFor is how long the response may be presented (default 5
	// minutes); negative makes one already expired.
	ValidFor time.Duration
	// EncryptTo, when set, encrypts the signed assertion to this
	// certificate's RSA key (RSA-OAEP, AES-256-GCM): the public half of a
	// private key the SAML provider holds (AddPrivateKey).
	EncryptTo *x509.Certificate
}

// SAMLMetadata is the metadata document of rolecall's identity provider,
// for iam.CreateSAMLProvider.
func (s *Server) SAMLMetadata(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+app.SAMLMetadataPath, nil)
	if err != nil {
		return "", err
	}
	b, err := s.internal(req)
	return string(b), err
}

// SAMLAssertion answers the base64 SAML response a asks for, signed by
// rolecall's identity provider. The request is signed with Config's
// credentials (the default account's root, who may).
func (s *Server) SAMLAssertion(ctx context.Context, a SAMLAssertion) (string, error) {
	in := app.SAMLAssertionRequest{Provider: a.Provider, Role: a.Role, Subject: a.Subject, SubjectFormat: a.SubjectFormat,
		SessionName: a.SessionName, Recipient: a.Recipient, Audience: a.Audience}
	if a.ValidFor != 0 {
		in.ValidFor = a.ValidFor.String()
	}
	if a.EncryptTo != nil {
		in.EncryptTo = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.EncryptTo.Raw}))
	}
	for _, name := range slices.Sorted(maps.Keys(a.Attributes)) {
		in.Attributes = append(in.Attributes, saml.Attribute{Name: name, Values: a.Attributes[name]})
	}
	body, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint+app.SAMLAssertPath, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	creds, err := s.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), server.DecisionsService, s.Config.Region, time.Now()); err != nil {
		return "", err
	}
	b, err := s.internal(req)
	if err != nil {
		return "", err
	}
	var out app.SAMLAssertionAnswer
	if err := json.Unmarshal(b, &out); err != nil {
		return "", fmt.Errorf("rolecalltest: SAML assertion: %v", err)
	}
	return out.SAMLAssertion, nil
}

// internal sends a request to one of rolecall's own endpoints and answers
// its body, or its error.
func (s *Server) internal(req *http.Request) ([]byte, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("rolecalltest: %s %s: %s: %s", req.Method, req.URL.Path, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}
