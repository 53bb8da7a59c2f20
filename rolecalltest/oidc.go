package rolecalltest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/oidc"
)

// TokenRequest asks rolecall's OpenID Connect issuer for an ID token, as
// `rolecall oidc token` does, to exchange with AssumeRoleWithWebIdentity
// (AWS_WEB_IDENTITY_TOKEN_FILE): rolecall's STS accepts what its issuer
// signs for the issuer the token names, given an OIDC provider for it in
// the role's account.
type TokenRequest struct {
	// Preset is "", "github", "eks" or "gitlab": the issuer, audience and
	// claims of a GitHub Actions job, an EKS pod (IRSA) or a GitLab CI job,
	// derived from Subject.
	Preset string
	// Issuer is iss; "" takes the preset's, else rolecall's issuer.
	Issuer  string
	Subject string
	// Audience is aud; none takes the preset's, else sts.amazonaws.com.
	Audience []string
	// Claims are added last: a session tags claim, or exp to date it.
	Claims map[string]any
	// Lifetime is exp - iat: 0 is an hour; a negative one makes a token
	// already expired.
	Lifetime time.Duration
}

// WithOIDCClient fetches the signing keys of issuers other than rolecall's
// own with c: for a test whose issuer is an httptest TLS server, pass its
// Client().
func WithOIDCClient(c *http.Client) Option {
	return func(o *app.Options) { o.OIDCClient = c }
}

// WebIdentityToken is an ID token rolecall's issuer signs, asked for with
// Config's credentials (the default account's root).
func (s *Server) WebIdentityToken(ctx context.Context, r TokenRequest) (string, error) {
	body, err := json.Marshal(oidc.TokenRequest{Preset: r.Preset, Issuer: r.Issuer, Subject: r.Subject, Audience: r.Audience,
		Claims: r.Claims, Lifetime: oidc.Duration(r.Lifetime)})
	if err != nil {
		return "", err
	}
	creds, err := s.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	b, err := s.post(ctx, creds, s.Endpoint+app.OIDCTokenPath, body, "token")
	if err != nil {
		return "", err
	}
	var out struct{ Token string }
	if err := json.Unmarshal(b, &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("rolecalltest: token: unexpected answer %s", b)
	}
	return out.Token, nil
}
