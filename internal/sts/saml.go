package sts

import (
	"context"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/saml"
)

// AssumeRoleWithSAML: a SAML 2.0 response of an identity provider that
// one of IAM's SAML providers describes gets a session of a role its Role
// attribute names (STS API reference, AssumeRoleWithSAML,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html).
// The caller signs nothing: the response's XML signature, by a key the
// provider's metadata names, proves who asserts, and the role's trust
// policy decides with the Federated principal and the saml: keys.

// SAMLProviders is what AssumeRoleWithSAML needs of IAM.
type SAMLProviders interface {
	// SAMLProvider is the SAML provider an ARN names, with its metadata
	// read; nil, nil when there is none.
	SAMLProvider(ctx context.Context, providerArn string) (*SAMLProvider, error)
}

// SAMLProvider is an IAM SAML provider as STS needs it.
type SAMLProvider struct {
	Arn, Account, Name string
	Metadata           *saml.Metadata
	// EncryptionRequired: the provider takes encrypted assertions only
	// (AssertionEncryptionMode Required).
	EncryptionRequired bool
	// PrivateKeys are the provider's keys an encrypted assertion is
	// decrypted with (AddPrivateKey), oldest first.
	PrivateKeys []*rsa.PrivateKey
}

// AssumeRoleWithSAMLInput is AssumeRoleWithSAML's request; field names are
// the model's.
type AssumeRoleWithSAMLInput struct {
	RoleArn, PrincipalArn, SAMLAssertion string
	PolicyArns                           []string
	Policy                               string
	DurationSeconds                      *int32
}

// AssumeRoleWithSAMLOutput is AssumeRoleWithSAML's answer.
type AssumeRoleWithSAMLOutput struct {
	Credentials      *Credentials
	AssumedRoleUser  *AssumedRoleUser
	PackedPolicySize *int32
	// Subject is the NameID; SubjectType its format ("persistent",
	// "transient", or the Format URI as it is); Issuer the response's
	// issuer; Audience the Recipient it was presented to; NameQualifier
	// identifies the provider (see nameQualifier).
	Subject, SubjectType, Issuer, Audience, NameQualifier string
	SourceIdentity                                        string
}

// samlRedeemWithin is how long after its issue AWS takes a response
// ("Token must be redeemed within 5 minutes of issuance", the
// ExpiredTokenException Nike-Inc/gimme-aws-creds #251 relays).
const samlRedeemWithin = saml.DefaultValidity

// AWS's answers to AssumeRoleWithSAML. The texts are those AWS's
// troubleshooting page quotes, with their codes and statuses ("Troubleshoot
// SAML federation with IAM",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html),
// those reported from AWS where a source is named, and rolecall's
// (unverified) where none is.
var (
	// "Not authorized to perform sts:AssumeRoleWithSAML" (403
	// AccessDenied): the trust policy does not allow, the role is not in
	// the Role attribute (or does not exist), or the subject has no
	// NameID.
	errSAMLNotAuthorized = awserr.AccessDenied("Not authorized to perform sts:AssumeRoleWithSAML")
	errSAMLSignature     = invalidIdentityToken("Response signature invalid")
	errSAMLNoSessionName = invalidIdentityToken("RoleSessionName is required in AuthnResponse")
	errSAMLSessionName   = invalidIdentityToken("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
	errSAMLSourceID      = invalidIdentityToken(`Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`)
	errSAMLNoProvider    = invalidIdentityToken("Specified provider doesn't exist.")
	errSAMLAudience      = invalidIdentityToken("Response does not contain the required audience.")
	// Expiry: "Response has expired" (400 ExpiredTokenException,
	// Versent/saml2aws #759) and "Token must be redeemed within 5 minutes
	// of issuance" (gimme-aws-creds #251).
	errSAMLExpired    = awserr.New(http.StatusBadRequest, "ExpiredTokenException", "Response has expired")
	errSAMLTooOld     = awserr.New(http.StatusBadRequest, "ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance")
	errSAMLRequestARN = awserr.ValidationError("Request ARN is invalid") // oktadev/okta-aws-cli-assume-role #307: a provider ARN as the RoleArn

	// Unverified: no public record shows AWS's words for these.
	errSAMLResponse     = invalidIdentityToken("Your request included an invalid SAML response.") // the sign-in page's words for it
	errSAMLRecipient    = invalidIdentityToken("Response is not addressed to AWS: the Recipient of its SubjectConfirmationData is not " + saml.SignInURL)
	errSAMLNotYet       = invalidIdentityToken("Response is not yet valid")
	errSAMLDuration     = invalidIdentityToken("SessionDuration in AuthnResponse must be an integer from 900 to 43200")
	errSAMLRejected     = awserr.New(http.StatusForbidden, "IDPRejectedClaim", "The identity provider reported that authentication failed")
	errSAMLDecrypt      = invalidIdentityToken("Unable to decrypt the encrypted assertion with the private keys of the SAML provider")
	errSAMLNotEncrypted = invalidIdentityToken("The SAML provider requires encrypted assertions (AssertionEncryptionMode Required), and the response's assertion is not encrypted")
	errSAMLTooManyTags  = invalidIdentityToken("The SAML assertion has more than 50 PrincipalTag attributes")
)

func invalidIdentityToken(msg string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidIdentityToken", "%s", msg)
}

// errSAMLIssuer: the response's issuer is not the provider's entity ID.
// STS relays the message of the service that checked it, with that
// service's own request ID (not STS's): "Issuer not present in specified
// provider (Service: AWSOpenIdDiscoveryService; Status Code: 400; Error
// Code: AuthSamlInvalidSamlResponseException; Request ID: ...; Proxy:
// null)" (dbeaver/cloudbeaver #3112; the troubleshooting page).
func errSAMLIssuer(requestID string) error {
	return invalidIdentityToken("Issuer not present in specified provider (Service: AWSOpenIdDiscoveryService; Status Code: 400; Error Code: AuthSamlInvalidSamlResponseException; Request ID: " + requestID + "; Proxy: null)")
}

// AssumeRoleWithSAML gives the user a SAML response speaks for a session
// of in.RoleArn, acting in region, if the response is one the provider
// in.PrincipalArn signed, for AWS, in its time, pairing the role with the
// provider, and the role's trust policy allows the provider's user.
func (s *Service) AssumeRoleWithSAML(ctx context.Context, region string, in AssumeRoleWithSAMLInput) (*AssumeRoleWithSAMLOutput, error) {
	roleARN, err := arn.Parse(in.RoleArn)
	if err != nil {
		return nil, errInvalidARN(in.RoleArn)
	}
	if roleARN.Service != "iam" || !strings.HasPrefix(roleARN.Resource, "role/") {
		return nil, errSAMLRequestARN
	}
	if a, err := arn.Parse(in.PrincipalArn); err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "saml-provider/") {
		return nil, errSAMLRequestARN
	}
	if len(in.PolicyArns) > MaxSessionPolicyARNs {
		return nil, errTooManyPolicyArns()
	}
	if in.Policy != "" {
		if _, err := policy.Parse(in.Policy, policy.Identity); err != nil {
			return nil, err
		}
	}
	var provider *SAMLProvider
	if s.saml != nil {
		if provider, err = s.saml.SAMLProvider(ctx, in.PrincipalArn); err != nil {
			return nil, err
		}
	}
	if provider == nil {
		return nil, errSAMLNoProvider
	}
	now := s.clock.Now().UTC()
	a, err := s.verifySAML(in.SAMLAssertion, provider, now)
	if err != nil {
		return nil, err
	}
	sa, err := readSAMLAssertion(a, provider, in, now)
	if err != nil {
		return nil, err
	}

	d := DefaultRoleSessionDuration
	if in.DurationSeconds != nil {
		d = time.Duration(*in.DurationSeconds) * time.Second
	}
	if sa.duration > 0 && sa.duration < d {
		// "if it is present in an AssumeRoleWithSAML API call, it can be
		// used to shorten the duration of the session" (SessionDuration).
		d = sa.duration
	}
	tags, transitive, err := sessionTags(nil, sa.tags, sa.transitive, false)
	if err != nil {
		return nil, err
	}

	target, role, err := s.roles.Trust(ctx, roleARN.Account, in.RoleArn)
	if err != nil {
		return nil, err
	}
	caller := &principal.Principal{Kind: principal.Federated, Account: provider.Account, ARN: provider.Arn, Name: provider.Name}
	actions := []string{"sts:AssumeRoleWithSAML"}
	if len(tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if sa.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if err := s.decide(ctx, caller, region, target, sa.keys, actions...); err != nil {
		if awserr.Code(err) == "AccessDenied" {
			return nil, errSAMLNotAuthorized
		}
		return nil, err
	}
	if role == nil {
		return nil, errSAMLNotAuthorized
	}
	if role.MaxSessionDuration > 0 && d > role.MaxSessionDuration {
		return nil, errMaxSessionDuration()
	}
	account := roleAccount(role.Arn)
	packed, err := s.sessionPolicies(ctx, account, in.Policy, in.PolicyArns, tags, len(tags) > 0)
	if err != nil {
		return nil, err
	}

	p := sessionPrincipal(account, role, sa.sessionName)
	p.SessionTags, p.TransitiveTagKeys = tags, transitive
	p.SessionPolicy, p.SessionPolicyARNs = in.Policy, in.PolicyArns
	p.SourceIdentity, p.AssumedBy = sa.sourceIdentity, provider.Arn
	// "In the permission policy of a role for SAML federation ... you can
	// include the following keys" (IAM User Guide, "Available keys for
	// SAML-based AWS STS federation").
	p.FederationKeys = map[string]string{"saml:sub": sa.subject, "saml:sub_type": sa.subjectType, "saml:namequalifier": sa.nameQualifier}
	creds, err := s.issue(ctx, p, d)
	if err != nil {
		return nil, err
	}
	if err := s.roles.RecordRoleUsed(ctx, account, role.RoleName, region, s.now()); err != nil {
		return nil, err
	}
	return &AssumeRoleWithSAMLOutput{
		Credentials:      creds,
		AssumedRoleUser:  &AssumedRoleUser{AssumedRoleId: p.UserID, Arn: p.ARN},
		PackedPolicySize: packed,
		Subject:          sa.subject, SubjectType: sa.subjectType, Issuer: sa.issuer, Audience: sa.audience,
		NameQualifier: sa.nameQualifier, SourceIdentity: sa.sourceIdentity,
	}, nil
}

// verifySAML reads the response, decrypts its assertion if it is
// encrypted, and checks that the provider's identity provider issued and
// signed it.
func (s *Service) verifySAML(encoded string, provider *SAMLProvider, now time.Time) (*saml.Assertion, error) {
	r, err := saml.ParseResponse(encoded)
	if err != nil {
		return nil, errSAMLResponse
	}
	if provider.EncryptionRequired && !r.Encrypted() {
		return nil, errSAMLNotEncrypted
	}
	if r.Issuer() != provider.Metadata.EntityID {
		return nil, errSAMLIssuer(s.gen.UUID())
	}
	a, err := r.Verify(provider.Metadata.Certificates, now, provider.PrivateKeys...)
	switch {
	case errors.Is(err, saml.ErrSignature):
		return nil, errSAMLSignature
	case errors.Is(err, saml.ErrDecrypt):
		return nil, errSAMLDecrypt
	case err != nil:
		return nil, errSAMLResponse
	}
	if a.Status != saml.StatusSuccess {
		return nil, errSAMLRejected
	}
	if a.Issuer != provider.Metadata.EntityID {
		return nil, errSAMLIssuer(s.gen.UUID())
	}
	return a, nil
}

// samlSession is what a verified assertion gives the session and the
// trust policy.
type samlSession struct {
	subject, subjectType, issuer, audience, nameQualifier string
	sessionName, sourceIdentity                           string
	duration                                              time.Duration // 0: no SessionDuration
	tags                                                  []principal.Tag
	transitive                                            []string
	keys                                                  authz.Keys
}

// readSAMLAssertion checks what AWS requires of an assertion ("Configure
// SAML assertions for the authentication response",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html)
// and reads the session and the trust policy's keys from it.
func readSAMLAssertion(a *saml.Assertion, provider *SAMLProvider, in AssumeRoleWithSAMLInput, now time.Time) (*samlSession, error) {
	// "There must be exactly one SubjectConfirmation element with a
	// SubjectConfirmationData element that includes both the
	// NotOnOrAfter attribute and a Recipient attribute."
	if len(a.Confirmations) != 1 || a.Confirmations[0].NotOnOrAfter.IsZero() || a.Confirmations[0].Recipient == "" {
		return nil, errSAMLResponse
	}
	c := a.Confirmations[0]
	if !awsRecipient(c.Recipient) {
		return nil, errSAMLRecipient
	}
	if !forAWS(a.Audiences) {
		return nil, errSAMLAudience
	}
	if !a.IssueInstant.IsZero() && now.After(a.IssueInstant.Add(samlRedeemWithin)) {
		return nil, errSAMLTooOld
	}
	if !now.Before(c.NotOnOrAfter) || (!a.NotOnOrAfter.IsZero() && !now.Before(a.NotOnOrAfter)) {
		return nil, errSAMLExpired
	}
	if now.Before(c.NotBefore) || now.Before(a.NotBefore) {
		return nil, errSAMLNotYet
	}
	if a.NameID == "" {
		return nil, errSAMLNotAuthorized
	}
	if !pairs(a.Values(saml.AttributeRole), in.RoleArn, provider.Arn) {
		return nil, errSAMLNotAuthorized
	}
	names := a.Values(saml.AttributeRoleSessionName)
	if len(names) == 0 {
		return nil, errSAMLNoSessionName
	}
	sa := &samlSession{subject: a.NameID, subjectType: subjectType(a.NameIDFormat), issuer: a.Issuer, audience: c.Recipient,
		sessionName: names[0]}
	if !validSessionName(sa.sessionName) {
		return nil, errSAMLSessionName
	}
	if v := a.Values(saml.AttributeSessionDuration); len(v) > 0 {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 900 || n > 43200 {
			return nil, errSAMLDuration
		}
		sa.duration = time.Duration(n) * time.Second
	}
	if v := a.Values(saml.AttributeSourceIdentity); len(v) > 0 {
		sa.sourceIdentity = v[0]
		if !validSessionName(sa.sourceIdentity) || strings.HasPrefix(strings.ToLower(sa.sourceIdentity), "aws:") {
			return nil, errSAMLSourceID
		}
	}
	for _, at := range a.Attributes {
		if key, ok := strings.CutPrefix(at.Name, saml.AttributePrincipalTag); ok && key != "" && len(at.Values) > 0 {
			sa.tags = append(sa.tags, principal.Tag{Key: key, Value: at.Values[0]})
		}
	}
	if len(sa.tags) > 50 {
		return nil, errSAMLTooManyTags
	}
	sa.transitive = a.Values(saml.AttributeTransitiveTags)
	sa.nameQualifier = nameQualifier(a.Issuer, provider.Account, provider.Name)
	sa.keys = samlKeys(a, sa, provider)
	return sa, nil
}

// awsRecipient: AWS's sign-in endpoint, global or regional
// (https://REGION.signin.aws.amazon.com/saml).
func awsRecipient(r string) bool {
	if r == saml.SignInURL {
		return true
	}
	host, ok := strings.CutSuffix(strings.TrimPrefix(r, "https://"), ".signin.aws.amazon.com/saml")
	return ok && strings.HasPrefix(r, "https://") && host != "" && !strings.ContainsAny(host, "./")
}

// forAWS: every AudienceRestriction names AWS (SAML 2.0 core 2.5.1.4),
// and there is one ("AWS should be included as an audience").
func forAWS(restrictions [][]string) bool {
	if len(restrictions) == 0 {
		return false
	}
	for _, auds := range restrictions {
		ok := false
		for _, a := range auds {
			ok = ok || a == saml.SignInURL || a == saml.AudienceURN
		}
		if !ok {
			return false
		}
	}
	return true
}

// pairs: one of the Role attribute's values pairs role with provider
// ("a comma-delimited pair of ARNs", in either order).
func pairs(values []string, role, provider string) bool {
	for _, v := range values {
		a, b, ok := strings.Cut(v, ",")
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if ok && (a == role && b == provider || a == provider && b == role) {
			return true
		}
	}
	return false
}

// validSessionName: [a-zA-Z_0-9+=,.@-]{2,64}.
func validSessionName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_+=,.@-", c) >= 0) {
			return false
		}
	}
	return true
}

// subjectType is the NameID's format as STS answers it: "If the format
// includes the prefix urn:oasis:names:tc:SAML:2.0:nameid-format, that
// prefix is removed ... If the format includes any other prefix, the
// format is returned with no modifications" (API reference, SubjectType).
// A NameID without a Format has the unspecified one (SAML 2.0 core
// 2.2.2).
func subjectType(format string) string {
	if format == "" {
		format = saml.NameIDUnspecified
	}
	if t, ok := strings.CutPrefix(format, "urn:oasis:names:tc:SAML:2.0:nameid-format:"); ok {
		return t
	}
	return format
}

// nameQualifier is "BASE64 ( SHA1 ( "https://example.com/saml" +
// "123456789012" + "/MySAMLIdP" ) )": the issuer, the account ID and the
// provider's name (API reference, NameQualifier).
func nameQualifier(issuer, account, providerName string) string {
	sum := sha1.Sum([]byte(issuer + account + "/" + providerName))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// samlKeys are the trust policy's condition keys (IAM User Guide,
// "Available keys for SAML-based AWS STS federation"): the response's own
// (saml:aud is the Recipient, not the Audience; saml:doc is the
// provider's account/name), the attributes AWS maps to keys, and STS's
// keys of the session it would start.
func samlKeys(a *saml.Assertion, sa *samlSession, provider *SAMLProvider) authz.Keys {
	var k authz.Keys
	k.Set("saml:aud", sa.audience)
	k.Set("saml:iss", sa.issuer)
	k.Set("saml:sub", sa.subject)
	k.Set("saml:sub_type", sa.subjectType)
	k.Set("saml:namequalifier", sa.nameQualifier)
	k.Set("saml:doc", provider.Account+"/"+provider.Name)
	for _, m := range saml.ContextKeys {
		if _, done := k[m.Key]; !done && a.Has(m.Attribute) {
			k.Set(m.Key, a.Values(m.Attribute)...)
		}
	}
	k.Set("sts:RoleSessionName", sa.sessionName)
	if sa.sourceIdentity != "" {
		k.Set("sts:SourceIdentity", sa.sourceIdentity)
	}
	for _, t := range sa.tags {
		k.Tag(t.Key, t.Value)
	}
	k.Set("sts:TransitiveTagKeys", sa.transitive...)
	return k
}
