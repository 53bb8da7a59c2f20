package sts

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/oidc"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/principal"
)

// AssumeRoleWithWebIdentity: an OpenID Connect ID token exchanged for a
// role session, unsigned, as AWS serves it (STS API reference,
// AssumeRoleWithWebIdentity). The token is verified as IAM verifies it:
// its issuer must be an OIDC provider of the role's account, its signature
// the issuer's (rolecall's own issuer's key, or the keys the issuer
// publishes through its discovery document), its times current and its
// audience one of the provider's client IDs. Then the role's trust policy
// decides, through the one authorizer, for the provider as the Federated
// principal, with the token's claims as the provider's condition keys.

// WebIdentity is what AssumeRoleWithWebIdentity verifies tokens with.
type WebIdentity struct {
	Providers OIDCProviders
	// Issuer is rolecall's own: its tokens are verified with its key,
	// whatever issuer they name, with no network.
	Issuer *oidc.Issuer
	// Keys fetches other issuers' keys; nil fetches none (every other
	// issuer's token is refused as unverifiable).
	Keys WebIdentityKeys
}

// OIDCProviders is what STS needs of IAM's OpenID Connect providers.
type OIDCProviders interface {
	// OIDCProviderForIssuer is account's provider for issuer (a token's
	// iss); nil, nil when there is none.
	OIDCProviderForIssuer(ctx context.Context, account, issuer string) (*OIDCProvider, error)
}

// OIDCProvider is what STS needs of a provider.
type OIDCProvider struct {
	Arn, Name    string // Name: its URL without https://, its keys' prefix
	ClientIDList []string
}

// WebIdentityKeys fetches an issuer's signing keys (oidc.KeySource).
type WebIdentityKeys interface {
	Keys(ctx context.Context, issuer, kid string) ([]jose.JSONWebKey, error)
}

// clockSkew is how far past exp a token is still taken: "IAM provides
// five minutes beyond the expiration time specified in the JWT to account
// for clock skew" (IAM User Guide, "OIDC federation"); rolecall allows
// nbf and iat as far ahead.
const clockSkew = 5 * time.Minute

// AssumeRoleWithWebIdentityInput is the request; field names are the
// model's.
type AssumeRoleWithWebIdentityInput struct {
	RoleArn, RoleSessionName, WebIdentityToken string
	ProviderId                                 string
	PolicyArns                                 []string
	Policy                                     string
	DurationSeconds                            *int32
}

// AssumeRoleWithWebIdentityOutput is the answer.
type AssumeRoleWithWebIdentityOutput struct {
	Credentials                 *Credentials
	SubjectFromWebIdentityToken string
	AssumedRoleUser             *AssumedRoleUser
	PackedPolicySize            *int32
	// Provider is the provider's ARN; Audience the client ID the token
	// is for.
	Provider, Audience string
	SourceIdentity     string
}

// AssumeRoleWithWebIdentity gives the bearer of a verified token a session
// of in.RoleArn, acting in region, if the role's trust policy allows
// sts:AssumeRoleWithWebIdentity to the token's provider (and
// sts:TagSession for the token's session tags, sts:SetSourceIdentity for
// its source identity).
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, region string, in AssumeRoleWithWebIdentityInput) (*AssumeRoleWithWebIdentityOutput, error) {
	if _, err := arn.Parse(in.RoleArn); err != nil {
		return nil, errInvalidARN(in.RoleArn)
	}
	if len(in.PolicyArns) > MaxSessionPolicyARNs {
		return nil, errTooManyPolicyArns()
	}
	if in.Policy != "" {
		if _, err := policy.Parse(in.Policy, policy.Identity); err != nil {
			return nil, err
		}
	}
	account := roleAccount(in.RoleArn)
	id, err := s.webIdentity(ctx, account, in.WebIdentityToken)
	if err != nil {
		return nil, err
	}
	var reqTags []principal.Tag
	for _, t := range id.tags.Tags {
		reqTags = append(reqTags, principal.Tag{Key: t[0], Value: t[1]})
	}
	tags, transitive, err := sessionTags(nil, reqTags, id.tags.Transitive, false)
	if err != nil {
		return nil, err
	}

	target, role, err := s.roles.Trust(ctx, account, in.RoleArn)
	if err != nil {
		return nil, err
	}
	caller := &principal.Principal{Kind: principal.Federated, Account: account, ARN: id.provider.Arn, Name: id.provider.Name}
	const action = "sts:AssumeRoleWithWebIdentity"
	actions := []string{action}
	keys := assumeKeys(AssumeRoleInput{RoleSessionName: in.RoleSessionName, Tags: reqTags, TransitiveTagKeys: id.tags.Transitive, SourceIdentity: id.sourceIdentity})
	if len(reqTags) > 0 || len(id.tags.Transitive) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if id.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if s.authz != nil {
		for _, a := range actions {
			r := &authz.Request{Principal: caller, Action: a, Region: region, Access: authz.Access{Targets: []authz.Target{target}, Keys: keys}, ProviderKeys: id.keys}
			if _, err := s.authz.Decide(ctx, r); err != nil {
				return nil, err
			}
		}
	}
	if role == nil {
		// Allowed only because authorization is off or in audit: still
		// no role to assume.
		return nil, errWebIdentityDenied()
	}
	d := DefaultRoleSessionDuration
	if in.DurationSeconds != nil {
		d = time.Duration(*in.DurationSeconds) * time.Second
	}
	if role.MaxSessionDuration > 0 && d > role.MaxSessionDuration {
		return nil, errMaxSessionDuration()
	}
	account = roleAccount(role.Arn)
	packed, err := s.sessionPolicies(ctx, account, in.Policy, in.PolicyArns, tags, len(reqTags) > 0)
	if err != nil {
		return nil, err
	}
	p := sessionPrincipal(account, role, in.RoleSessionName)
	p.SessionTags, p.TransitiveTagKeys = tags, transitive
	p.SessionPolicy, p.SessionPolicyARNs = in.Policy, in.PolicyArns
	p.SourceIdentity, p.AssumedBy = id.sourceIdentity, id.provider.Arn
	// "aws:FederatedProvider ... is present in the role-session of a role
	// that was assumed using an OpenID Connect (OIDC) provider": the IAM
	// provider's ARN (IAM User Guide, "AWS global condition context keys").
	p.FederationKeys = map[string]string{"aws:FederatedProvider": id.provider.Arn}
	creds, err := s.issue(ctx, p, d)
	if err != nil {
		return nil, err
	}
	if err := s.roles.RecordRoleUsed(ctx, account, role.RoleName, region, s.now()); err != nil {
		return nil, err
	}
	return &AssumeRoleWithWebIdentityOutput{
		Credentials:                 creds,
		SubjectFromWebIdentityToken: id.subject,
		AssumedRoleUser:             &AssumedRoleUser{AssumedRoleId: p.UserID, Arn: p.ARN},
		PackedPolicySize:            packed,
		Provider:                    id.provider.Arn,
		Audience:                    id.audience,
		SourceIdentity:              id.sourceIdentity,
	}, nil
}

// webIdentity is a verified token: whose it is, and what it brings.
type webIdentity struct {
	provider       *OIDCProvider
	subject        string
	audience       string
	keys           authz.Keys // the provider's condition keys
	tags           oidc.SessionTags
	sourceIdentity string
}

// webIdentity verifies raw for account, in the order AWS's answers show:
// the token's form, its issuer, its signature, its times, its audience.
func (s *Service) webIdentity(ctx context.Context, account, raw string) (*webIdentity, error) {
	t, err := oidc.Parse(raw)
	if err != nil {
		return nil, errNotJWT()
	}
	iss, ok := t.String("iss")
	if !ok {
		return nil, errMissingClaim("iss")
	}
	var provider *OIDCProvider
	if s.web != nil && s.web.Providers != nil {
		if provider, err = s.web.Providers.OIDCProviderForIssuer(ctx, account, iss); err != nil {
			return nil, err
		}
	}
	if provider == nil {
		return nil, errNoOIDCProvider(iss)
	}
	keys, err := s.webIdentityKeys(ctx, iss, t.KeyID)
	if err != nil {
		return nil, err
	}
	if !t.Verify(keys) {
		return nil, errTokenNotValidated()
	}

	now := s.now()
	exp, ok, err := t.Time("exp")
	if err != nil {
		return nil, errTokenNotValidated()
	}
	if !ok {
		return nil, errMissingClaim("exp")
	}
	if now.After(time.Unix(exp, 0).Add(clockSkew)) {
		return nil, errTokenExpired(now.Unix(), exp)
	}
	for _, name := range []string{"nbf", "iat"} {
		at, ok, err := t.Time(name)
		if err != nil || ok && time.Unix(at, 0).After(now.Add(clockSkew)) {
			return nil, errTokenNotValidated()
		}
	}

	auds, ok := t.Strings("aud")
	if !ok || len(auds) == 0 {
		return nil, errMissingClaim("aud")
	}
	audience := ""
	if azp, ok := t.String("azp"); ok && slices.Contains(provider.ClientIDList, azp) {
		audience = azp
	}
	for _, a := range auds {
		if audience == "" && slices.Contains(provider.ClientIDList, a) {
			audience = a
		}
	}
	if audience == "" {
		return nil, errIncorrectAudience()
	}
	sub, ok := t.String("sub")
	if !ok || sub == "" {
		return nil, errMissingClaim("sub")
	}
	tags, err := t.Tags()
	if err != nil {
		return nil, errRejectedClaim()
	}
	source, hasSource := t.String(oidc.SourceIdentityClaim)
	if t.Has(oidc.SourceIdentityClaim) && (!hasSource || source == "") {
		return nil, errRejectedClaim()
	}
	return &webIdentity{provider: provider, subject: sub, audience: audience,
		keys: oidc.ConditionKeys(provider.Name, audience, t), tags: tags, sourceIdentity: source}, nil
}

// webIdentityKeys are the keys that may have signed a token of issuer
// naming kid: rolecall's own when kid is its key's (rolecall stands in
// for every issuer locally: what it signs, for whoever the authorizer let
// ask, it vouches for), the issuer's published keys otherwise.
func (s *Service) webIdentityKeys(ctx context.Context, issuer, kid string) ([]jose.JSONWebKey, error) {
	if s.web != nil && s.web.Issuer != nil {
		k, own, err := s.web.Issuer.Key(kid)
		if err != nil {
			return nil, err
		}
		if own {
			return []jose.JSONWebKey{k}, nil
		}
	}
	if s.web == nil || s.web.Keys == nil {
		return nil, errNoVerificationKey()
	}
	keys, err := s.web.Keys.Keys(ctx, issuer, kid)
	switch {
	case errors.Is(err, oidc.ErrUnreachable):
		return nil, errIDPCommunication()
	case err != nil:
		return nil, errNoVerificationKey()
	}
	if kid != "" && !slices.ContainsFunc(keys, func(k jose.JSONWebKey) bool { return k.KeyID == kid }) {
		// The issuer publishes no key of that name.
		return nil, errNoVerificationKey()
	}
	return keys, nil
}

// AWS's answers to tokens it refuses. Where a text is not from a public
// record of AWS's answer, the comment says so.

// errNotJWT: "InvalidIdentityToken: The ID Token provided is not a valid
// JWT. (You may see this error if you sent an Access Token)" (an EKS
// user's AWS output quoted publicly; Amazon Cognito's troubleshooting
// page).
func errNotJWT() error {
	return errInvalidToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
}

// errNoOIDCProvider: "InvalidIdentityToken: No OpenIDConnect provider
// found in your account for https://token.actions.githubusercontent.com"
// (reported from AWS in public CI and EKS logs).
func errNoOIDCProvider(issuer string) error {
	return errInvalidToken("No OpenIDConnect provider found in your account for " + issuer)
}

// errNoVerificationKey: the provider's keys could not be had, or none is
// the token's (awslabs/aws-sdk-rust #827 raw XML, two spaces included).
func errNoVerificationKey() error {
	return errInvalidToken("Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
}

// errTokenNotValidated: a signature no key verifies, or times that are
// not numbers or lie ahead. Unverified: the text is the STS API
// reference's description of InvalidIdentityToken.
func errTokenNotValidated() error {
	return errInvalidToken("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")
}

// errMissingClaim: "InvalidIdentityToken: Missing a required claim: aud"
// (gitlab-org/gitlab merge request 71657, quoting AWS); the same for iss,
// exp and sub is unverified.
func errMissingClaim(name string) error {
	return errInvalidToken("Missing a required claim: " + name)
}

// errIncorrectAudience: "InvalidIdentityToken: Incorrect token audience"
// (reported from AWS for IRSA and GitLab tokens).
func errIncorrectAudience() error { return errInvalidToken("Incorrect token audience") }

func errInvalidToken(msg string) error {
	return awserr.New(http.StatusBadRequest, "InvalidIdentityToken", "%s", msg)
}

// errTokenExpired: "ExpiredTokenException: Token expired: current
// date/time 1753382758 must be before the expiration date/time 1753089571"
// (aws-sdk-go-v2's rendering of AWS's answer in a public log, 2025; older
// answers lacked the space before the second number).
func errTokenExpired(now, exp int64) error {
	return awserr.New(http.StatusBadRequest, "ExpiredTokenException", "Token expired: current date/time %d must be before the expiration date/time %d", now, exp)
}

// errIDPCommunication: the issuer could not be reached. Unverified: the
// text is the STS API reference's description of IDPCommunicationError.
func errIDPCommunication() error {
	return awserr.New(http.StatusBadRequest, "IDPCommunicationError", "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached. This is often a transient error caused by network conditions. Retry the request a limited number of times and wait between attempts to avoid network overload.")
}

// errRejectedClaim: a session tags or source identity claim not in AWS's
// shape. Unverified: the text is the STS API reference's description of
// IDPRejectedClaim.
func errRejectedClaim() error {
	return awserr.New(http.StatusForbidden, "IDPRejectedClaim", "The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid.")
}

// errWebIdentityDenied: 403 AccessDenied "Not authorized to perform
// sts:AssumeRoleWithWebIdentity" (the authorizer words a trust policy's
// denial so; this is for a role that does not exist when authorization
// is off).
func errWebIdentityDenied() error {
	return awserr.AccessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
}
