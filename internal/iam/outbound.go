package iam

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Outbound web identity federation: "When enabled, IAM principals in your
// account can use the GetWebIdentityToken API to obtain JSON Web Tokens
// (JWTs) for secure authentication with external services. This
// operation also generates a unique issuer URL for your account" (IAM API
// reference, EnableOutboundWebIdentityFederation). The account's signing
// keys (RS256 and ES384, the two algorithms GetWebIdentityToken offers)
// are made with its issuer and kept with it; disabling keeps both, so
// that enabling again answers the same issuer.

// outboundRecord is an account's outbound federation: its issuer and
// keys, from the first enabling on.
type outboundRecord struct {
	Enabled bool
	// IssuerID makes the issuer URL, https://ID.tokens.sts.global.api.aws,
	// the form AWS's issuers take (IAM User Guide, "Understanding token
	// claims", a sample token's iss).
	IssuerID string
	RSAKey   []byte // PKCS #8
	ECKey    []byte // PKCS #8, P-384
}

// issuer is the account's issuer URL: AWS's form, or where rolecall
// publishes it (Config.OutboundIssuerBase). AWS's issuer "hosts the
// OpenID Connect (OIDC) discovery endpoints at
// /.well-known/openid-configuration and /.well-known/jwks.json" (IAM API
// reference, GetOutboundWebIdentityFederationInfo,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetOutboundWebIdentityFederationInfo.html);
// rolecall's serves both under the URL it names.
func (s *Service) issuer(o *outboundRecord) string {
	if s.outboundBase != "" {
		return s.outboundBase + o.IssuerID
	}
	return "https://" + o.IssuerID + ".tokens.sts.global.api.aws"
}

// OutboundFederationInfo is GetOutboundWebIdentityFederationInfo's answer.
type OutboundFederationInfo struct {
	IssuerIdentifier  string
	JwtVendingEnabled bool
}

// EnableOutboundWebIdentityFederation enables the feature and answers the
// account's issuer; FeatureEnabled (409) when it is enabled already.
func (s *Service) EnableOutboundWebIdentityFederation(ctx context.Context, account string) (string, error) {
	var fresh *outboundRecord
	var issuer string
	err := s.updateSettings(ctx, account, func(r *settingsRecord) error {
		switch {
		case r.Outbound != nil && r.Outbound.Enabled:
			return errFeatureEnabled()
		case r.Outbound == nil:
			if fresh == nil {
				var err error
				if fresh, err = newOutbound(s.gen.UUID()); err != nil {
					return err
				}
			}
			o := *fresh
			r.Outbound = &o
		}
		r.Outbound.Enabled = true
		issuer = s.issuer(r.Outbound)
		return nil
	})
	return issuer, err
}

func newOutbound(issuerID string) (*outboundRecord, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	o := &outboundRecord{IssuerID: issuerID}
	if o.RSAKey, err = x509.MarshalPKCS8PrivateKey(rk); err != nil {
		return nil, err
	}
	if o.ECKey, err = x509.MarshalPKCS8PrivateKey(ek); err != nil {
		return nil, err
	}
	return o, nil
}

// DisableOutboundWebIdentityFederation disables it; FeatureDisabled (404)
// when it is not enabled. Tokens issued before stay valid: "This operation
// does not affect tokens that were issued before the feature was
// disabled".
func (s *Service) DisableOutboundWebIdentityFederation(ctx context.Context, account string) error {
	return s.updateSettings(ctx, account, func(r *settingsRecord) error {
		if r.Outbound == nil || !r.Outbound.Enabled {
			return errFeatureDisabled()
		}
		r.Outbound.Enabled = false
		return nil
	})
}

// GetOutboundWebIdentityFederationInfo answers the account's issuer and
// whether the feature is enabled; FeatureDisabled before it was ever
// enabled, when the account has no issuer.
func (s *Service) GetOutboundWebIdentityFederationInfo(ctx context.Context, account string) (*OutboundFederationInfo, error) {
	var out *OutboundFederationInfo
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := getSettings(tx, account)
		if err != nil {
			return err
		}
		if r.Outbound == nil {
			return errFeatureDisabled()
		}
		out = &OutboundFederationInfo{IssuerIdentifier: s.issuer(r.Outbound), JwtVendingEnabled: r.Outbound.Enabled}
		return nil
	})
	return out, err
}

// OutboundSigner is an account's issuer and signing keys, for STS's
// GetWebIdentityToken.
type OutboundSigner struct {
	Issuer string
	RSA    *rsa.PrivateKey
	EC     *ecdsa.PrivateKey
}

// OutboundSigner is the account's signer; nil when outbound federation is
// not enabled.
func (s *Service) OutboundSigner(ctx context.Context, account string) (*OutboundSigner, error) {
	var o *outboundRecord
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := getSettings(tx, account)
		if r.Outbound != nil && r.Outbound.Enabled {
			o = r.Outbound
		}
		return err
	})
	if err != nil || o == nil {
		return nil, err
	}
	return s.signer(o)
}

// OutboundSignerByIssuer is the signer of the account whose issuer ID is
// id, for publishing its keys; nil when no account has that issuer. A
// disabled issuer's keys stay published: disabling "does not affect tokens
// that were issued before the feature was disabled", and a relying party
// verifies those with these keys until they expire.
func (s *Service) OutboundSignerByIssuer(ctx context.Context, id string) (*OutboundSigner, error) {
	var o *outboundRecord
	err := s.st.View(func(tx store.Tx) error {
		return tx.Scan(bucketSettings, "", "", func(_ string, v []byte) bool {
			var r settingsRecord
			if json.Unmarshal(v, &r) != nil || r.Outbound == nil || r.Outbound.IssuerID != id {
				return true
			}
			o = r.Outbound
			return false
		})
	})
	if err != nil || o == nil {
		return nil, err
	}
	return s.signer(o)
}

// signer reads o's keys.
func (s *Service) signer(o *outboundRecord) (*OutboundSigner, error) {
	rk, err := x509.ParsePKCS8PrivateKey(o.RSAKey)
	if err != nil {
		return nil, fmt.Errorf("iam: corrupt outbound key: %w", err)
	}
	ek, err := x509.ParsePKCS8PrivateKey(o.ECKey)
	if err != nil {
		return nil, fmt.Errorf("iam: corrupt outbound key: %w", err)
	}
	r, ok1 := rk.(*rsa.PrivateKey)
	e, ok2 := ek.(*ecdsa.PrivateKey)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("iam: corrupt outbound keys")
	}
	return &OutboundSigner{Issuer: s.issuer(o), RSA: r, EC: e}, nil
}

// errFeatureEnabled, errFeatureDisabled: the model's FeatureEnabled (409)
// and FeatureDisabled (404), in the words of the IAM API reference's error
// descriptions
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOutboundWebIdentityFederation.html,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DisableOutboundWebIdentityFederation.html);
// no public record of an answer shows whether AWS's messages are the same
// (unverified).
func errFeatureEnabled() error {
	return awserr.New(http.StatusConflict, "FeatureEnabled", "The request failed because outbound identity federation is already enabled for your AWS account. You cannot enable the feature multiple times. To fetch the current configuration (including the unique issuer URL), use the GetOutboundWebIdentityFederationInfo operation.")
}

func errFeatureDisabled() error {
	return awserr.New(http.StatusNotFound, "FeatureDisabled", "The request failed because outbound identity federation is already disabled for your AWS account. You cannot disable the feature multiple times")
}
