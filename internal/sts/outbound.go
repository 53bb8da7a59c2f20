package sts

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/oidc"
	"github.com/rolecall/rolecall/internal/principal"
)

// Outbound web identity federation: GetWebIdentityToken "Returns a signed
// JSON Web Token (JWT) that represents the calling AWS identity ... signed
// by AWS STS and can be publicly verified using the verification keys
// published at the issuer's JWKS endpoint" (STS API reference). The
// account enables it in IAM, which keeps its issuer and keys
// (iam/outbound.go).

// OutboundSigner is an account's issuer and signing keys.
type OutboundSigner struct {
	Issuer string
	RSA    *rsa.PrivateKey
	EC     *ecdsa.PrivateKey // P-384
}

// OutboundFederation is what GetWebIdentityToken reads of IAM.
type OutboundFederation interface {
	// OutboundSigner is the account's signer; nil when the account has
	// not enabled outbound web identity federation.
	OutboundSigner(ctx context.Context, account string) (*OutboundSigner, error)
}

// GetWebIdentityToken durations (STS API reference): 60 to 3,600 seconds
// (the model bounds the request), "If not specified, the default duration
// is 300 seconds".
const DefaultWebIdentityTokenDuration = 5 * time.Minute

// Signing algorithms GetWebIdentityToken offers: "Valid values are RS256
// (RSA with SHA-256) and ES384 (ECDSA using P-384 curve with SHA-384)".
const (
	AlgRS256 = "RS256"
	AlgES384 = "ES384"
)

// WebIdentityTokenInput is GetWebIdentityToken's request.
type WebIdentityTokenInput struct {
	Audience         []string
	DurationSeconds  *int32
	SigningAlgorithm string
	Tags             []principal.Tag
}

// WebIdentityToken is GetWebIdentityToken's answer.
type WebIdentityToken struct {
	WebIdentityToken string
	Expiration       time.Time
}

// claimsNamespace holds AWS's own claims: "The AWS identity-specific
// claims, and session context claims and custom claims are nested under
// the "https://sts.amazonaws.com/" namespace in the token" (IAM User
// Guide, "Understanding token claims").
const claimsNamespace = "https://sts.amazonaws.com/"

// GetWebIdentityToken signs a JWT that asserts caller's identity to
// Audience: iss the account's issuer, sub the principal (a role session's
// role, as AWS's sample token shows), aud, iat, exp, jti, and under the
// AWS namespace the account, the Region, the session's tags
// (principal_tags) and the request's (request_tags). The binding has
// checked sts:GetWebIdentityToken with its condition keys.
func (s *Service) GetWebIdentityToken(ctx context.Context, caller *principal.Principal, region string, in WebIdentityTokenInput) (*WebIdentityToken, error) {
	if err := federatedRefused(caller, "sts:GetWebIdentityToken", "*"); err != nil {
		return nil, err
	}
	if in.SigningAlgorithm != AlgRS256 && in.SigningAlgorithm != AlgES384 {
		return nil, errSigningAlgorithm(in.SigningAlgorithm)
	}
	if _, _, err := sessionTags(caller, in.Tags, nil, false); err != nil {
		return nil, err
	}
	var signer *OutboundSigner
	if s.extras.Outbound != nil {
		var err error
		if signer, err = s.extras.Outbound.OutboundSigner(ctx, caller.Account); err != nil {
			return nil, err
		}
	}
	if signer == nil {
		return nil, errOutboundDisabled()
	}
	d := DefaultWebIdentityTokenDuration
	if in.DurationSeconds != nil {
		d = time.Duration(*in.DurationSeconds) * time.Second
	}
	now := s.now()
	exp := now.Add(d)
	if caller.Temporary && !caller.Expiration.IsZero() && exp.After(caller.Expiration) {
		return nil, errSessionDurationEscalation()
	}
	sub := caller.ARN
	if caller.Kind == principal.AssumedRole {
		sub = caller.RoleARN
	}
	aws := map[string]any{"aws_account": caller.Account, "source_region": region}
	if len(caller.SessionTags) > 0 {
		aws["principal_tags"] = tagClaims(caller.SessionTags)
	}
	if len(in.Tags) > 0 {
		aws["request_tags"] = tagClaims(in.Tags)
	}
	claims := map[string]any{
		"iss": signer.Issuer, "sub": sub, "iat": now.Unix(), "exp": exp.Unix(), "jti": s.gen.UUID(),
		claimsNamespace: aws,
	}
	if len(in.Audience) == 1 {
		claims["aud"] = in.Audience[0]
	} else {
		claims["aud"] = in.Audience
	}
	tok, err := signer.sign(in.SigningAlgorithm, claims)
	if err != nil {
		return nil, err
	}
	return &WebIdentityToken{WebIdentityToken: tok, Expiration: exp}, nil
}

func tagClaims(tags []principal.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// sign is a compact JWS (RFC 7515) of claims with alg, typ JWT and the
// key's kid in its header, signed as rolecall's own OIDC issuer signs.
func (o *OutboundSigner) sign(alg string, claims map[string]any) (string, error) {
	k, err := o.key(alg)
	if err != nil {
		return "", err
	}
	return oidc.SignJWT(k, jose.SignatureAlgorithm(alg), claims)
}

// key is the signing key of alg as a JSON Web Key, its kid the RFC 7638
// thumbprint of its public key (stable for the key).
func (o *OutboundSigner) key(alg string) (*jose.JSONWebKey, error) {
	var priv any = o.EC
	if alg == AlgRS256 {
		priv = o.RSA
	}
	k := &jose.JSONWebKey{Key: priv, Algorithm: alg, Use: "sig"}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	k.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	return k, nil
}

// JWKS is the signer's JSON Web Key Set (RFC 7517): its RS256 and ES384
// public keys, as the issuer's /.well-known/jwks.json publishes them.
func (o *OutboundSigner) JWKS() ([]byte, error) {
	var set jose.JSONWebKeySet
	for _, alg := range []string{AlgRS256, AlgES384} {
		k, err := o.key(alg)
		if err != nil {
			return nil, err
		}
		set.Keys = append(set.Keys, k.Public())
	}
	return json.Marshal(set)
}

// errOutboundDisabled: the model's OutboundWebIdentityFederationDisabledException
// (403), in the words of the STS API reference's description
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html);
// no public record of an answer shows AWS's message (unverified).
func errOutboundDisabled() error {
	return awserr.New(http.StatusForbidden, "OutboundWebIdentityFederationDisabledException",
		"The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.")
}

// errSessionDurationEscalation: the model's SessionDurationEscalationException
// (403): "The requested token duration would extend the session beyond
// its original expiration time" (STS API reference; unverified as AWS's
// text).
func errSessionDurationEscalation() error {
	return awserr.New(http.StatusForbidden, "SessionDurationEscalationException",
		"The requested token duration would extend the session beyond its original expiration time.")
}

// errSigningAlgorithm: a SigningAlgorithm other than the two documented;
// the model bounds only its length. Worded as the query codec words an
// enum for STS, which echoes values (unverified).
func errSigningAlgorithm(v string) error {
	return awserr.ValidationError("1 validation error detected: Value '%s' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [%s, %s]", v, AlgRS256, AlgES384)
}
