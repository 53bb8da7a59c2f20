package app

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/saml"
	"github.com/rolecall/rolecall/internal/server"
	"github.com/rolecall/rolecall/internal/sts"
)

// samlProviders lets STS read IAM's SAML providers (sts.SAMLProviders).
type samlProviders struct{ iam *iam.Service }

func (p samlProviders) SAMLProvider(ctx context.Context, providerArn string) (*sts.SAMLProvider, error) {
	sp, err := p.iam.SAMLProviderByARN(ctx, providerArn)
	if awserr.IsClient(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := saml.ParseMetadata(sp.SAMLMetadataDocument)
	if err != nil {
		// IAM took it; it reads as it did then.
		return nil, fmt.Errorf("app: stored SAML metadata of %s: %w", providerArn, err)
	}
	a, _ := arn.Parse(providerArn)
	keys, err := p.iam.SAMLPrivateKeys(ctx, a.Account, providerArn)
	if err != nil {
		return nil, err
	}
	pems := make([]string, len(keys))
	for i, k := range keys {
		pems[i] = k.PEM
	}
	return &sts.SAMLProvider{Arn: providerArn, Account: a.Account, Name: strings.TrimPrefix(a.Resource, "saml-provider/"), Metadata: m,
		EncryptionRequired: sp.AssertionEncryptionMode == iam.EncryptionRequired, PrivateKeys: saml.DecryptionKeys(pems...)}, nil
}

// rolecall's own SAML identity provider, for local tests of SAML
// federation:
//
//	GET  /_rolecall/saml/metadata    its metadata document, for CreateSAMLProvider (no signature needed: it is public)
//	POST /_rolecall/saml/assertion   a signed SAML response, as `rolecall saml assertion` asks for it
//
// An assertion lets whoever holds it assume the roles whose trust policies
// trust a provider made from that metadata, so asking for one is an
// action of its own: the request is signed (SigV4, service "rolecall"),
// and the one authorizer decides SAMLAssertAction on the provider the
// assertion is for (an account's root may, for its account's providers).
const (
	SAMLPrefix       = "/_rolecall/saml/"
	SAMLMetadataPath = SAMLPrefix + "metadata"
	SAMLAssertPath   = SAMLPrefix + "assertion"
	SAMLAssertAction = "rolecall:AssertSAML"
)

// SAMLAssertionRequest is what POST SAMLAssertPath takes: saml.Request's
// members, Provider and Role by ARN or by name in the caller's account,
// ValidFor a Go duration ("5m", "-1m"), EncryptTo a PEM certificate to
// encrypt the assertion to.
type SAMLAssertionRequest struct {
	Provider, Role         string
	Subject, SubjectFormat string
	SessionName            string
	Attributes             []saml.Attribute
	Recipient, Audience    string
	ValidFor               string
	EncryptTo              string `json:",omitempty"`
}

// SAMLAssertionAnswer is its answer: the base64 response, and the ARNs to
// pass AssumeRoleWithSAML with it.
type SAMLAssertionAnswer struct {
	SAMLAssertion, RoleArn, PrincipalArn string
}

// maxSAMLRequest bounds an assertion request's body.
const maxSAMLRequest = 64 << 10

type samlEndpoint struct {
	idp   *saml.IdP
	authn *auth.Authenticator
	authz authz.Decider
	ids   ids.Generator
	log   *slog.Logger
}

func (h *samlEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := h.ids.UUID()
	fail := func(e *awserr.Error) { jsonrpc.WriteError(w, e, requestID) }
	switch {
	case r.URL.Path == SAMLMetadataPath && r.Method == http.MethodGet:
		doc, err := h.idp.Metadata(r.Context(), requestBase(r)+SAMLPrefix+"sso")
		if err != nil {
			h.log.Error("SAML identity provider", "request_id", requestID, "error", err)
			fail(awserr.As(err))
			return
		}
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		io.WriteString(w, doc)
	case r.URL.Path == SAMLAssertPath && r.Method == http.MethodPost:
		h.assert(w, r, requestID, fail)
	case r.URL.Path == SAMLMetadataPath || r.URL.Path == SAMLAssertPath:
		fail(awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s takes a %s, not a %s", r.URL.Path,
			map[string]string{SAMLMetadataPath: "GET", SAMLAssertPath: "POST"}[r.URL.Path], r.Method))
	default:
		fail(awserr.New(http.StatusNotFound, "NotFound", "No such rolecall endpoint: %s", r.URL.Path))
	}
}

func (h *samlEndpoint) assert(w http.ResponseWriter, r *http.Request, requestID string, fail func(*awserr.Error)) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxSAMLRequest))
	if err != nil {
		fail(awserr.New(http.StatusBadRequest, "InvalidParameterValue", "The request body is not readable, or larger than %d bytes: %v", maxSAMLRequest, err))
		return
	}
	p, aerr := h.authn.Authenticate(r.Context(), r, body, server.DecisionsService)
	if aerr != nil {
		fail(auth.JSONError(aerr))
		return
	}
	var in SAMLAssertionRequest
	if err := json.Unmarshal(body, &in); err != nil {
		fail(awserr.New(http.StatusBadRequest, "InvalidParameterValue", "The request body is not a SAML assertion request: %v", err))
		return
	}
	req := saml.Request{Provider: qualify(in.Provider, p.Account, "saml-provider/"), Role: qualify(in.Role, p.Account, "role/"),
		Subject: in.Subject, SubjectFormat: in.SubjectFormat, SessionName: in.SessionName, Attributes: in.Attributes,
		Recipient: in.Recipient, Audience: in.Audience}
	if in.ValidFor != "" {
		if req.ValidFor, err = time.ParseDuration(in.ValidFor); err != nil {
			fail(awserr.New(http.StatusBadRequest, "InvalidParameterValue", "ValidFor %q is not a duration (5m, 90s, -1m)", in.ValidFor))
			return
		}
	}
	if in.EncryptTo != "" {
		if req.EncryptTo, err = pemCertificate(in.EncryptTo); err != nil {
			fail(awserr.New(http.StatusBadRequest, "InvalidParameterValue", "EncryptTo is not a PEM certificate: %v", err))
			return
		}
	}
	target := authz.Target{ARN: req.Provider, Type: "saml-provider"}
	if a, err := arn.Parse(req.Provider); err == nil && a.Account != p.Account {
		target.Account = a.Account
	}
	ctx := authz.WithMeta(r.Context(), authz.MetaOf(r, requestID))
	if _, err := h.authz.Decide(ctx, &authz.Request{Principal: p, Action: SAMLAssertAction, Access: authz.Acting(target)}); err != nil {
		fail(awserr.As(err))
		return
	}
	out, err := h.idp.Assert(ctx, req)
	if errors.Is(err, saml.ErrRequest) {
		fail(awserr.New(http.StatusBadRequest, "InvalidParameterValue", "%s", strings.TrimPrefix(err.Error(), "saml: ")))
		return
	}
	if err != nil {
		h.log.Error("SAML identity provider", "request_id", requestID, "error", err)
		fail(awserr.As(err))
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(SAMLAssertionAnswer{SAMLAssertion: out, RoleArn: req.Role, PrincipalArn: req.Provider})
}

// pemCertificate reads the first CERTIFICATE block of a PEM document.
func pemCertificate(s string) (*x509.Certificate, error) {
	rest := []byte(s)
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return nil, errors.New("no CERTIFICATE block")
		}
		if b.Type == "CERTIFICATE" {
			return x509.ParseCertificate(b.Bytes)
		}
	}
}

// qualify is an ARN as it is, or a name made the ARN of account's
// resource kind ("role/", "saml-provider/").
func qualify(v, account, kind string) string {
	if v == "" || strings.HasPrefix(v, "arn:") {
		return v
	}
	return "arn:aws:iam::" + account + ":" + kind + v
}

// requestBase is the scheme and host a request was sent to.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
