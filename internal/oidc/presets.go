package oidc

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TokenRequest is what `rolecall oidc token` asks rolecall's issuer to
// sign: a subject and audiences, claims of its own, and a preset that
// makes the token look as a CI system's or a cluster's does.
type TokenRequest struct {
	// Preset is "", or one of Presets: the issuer, audience and claims
	// of GitHub Actions, EKS (IRSA) or GitLab CI, derived from Subject.
	Preset string `json:"preset,omitempty"`
	// Issuer is iss; "" takes the preset's, else rolecall's issuer.
	Issuer   string   `json:"issuer,omitempty"`
	Subject  string   `json:"sub"`
	Audience []string `json:"aud,omitempty"`
	// Claims are added last, over the preset's (--claim k=v): exp, iat
	// or nbf among them replace the times the issuer sets.
	Claims map[string]any `json:"claims,omitempty"`
	// Lifetime is how long the token is valid from now (exp - iat): 0 is
	// DefaultLifetime; a negative lifetime makes a token already expired.
	Lifetime Duration `json:"lifetime,omitempty"`
}

// DefaultLifetime is how long a token is valid unless asked otherwise:
// an hour, as EKS's projected service account tokens are by default.
const DefaultLifetime = time.Hour

// Duration is a time.Duration that reads and writes as Go's duration
// text ("15m", "-1h").
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// Presets are the identity providers `rolecall oidc token --preset`
// stands in for.
var Presets = []string{"github", "eks", "gitlab"}

// The issuers the presets sign as (GitHub's documentation, "About
// security hardening with OpenID Connect"; EKS's issuer is per cluster:
// this one is AWS's documentation's example; GitLab.com's).
const (
	GitHubIssuer = "https://token.actions.githubusercontent.com"
	EKSIssuer    = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	GitLabIssuer = "https://gitlab.com"
)

// Build makes the token's claims at now: iss, sub, aud, iat, nbf, exp
// and jti, the preset's, then the request's own.
func (r TokenRequest) Build(defaultIssuer string, now time.Time, jti string) (map[string]any, error) {
	if r.Subject == "" {
		return nil, fmt.Errorf("a token needs a subject (--sub)")
	}
	lifetime := time.Duration(r.Lifetime)
	if lifetime == 0 {
		lifetime = DefaultLifetime
	}
	iat := now.Unix()
	c := map[string]any{"sub": r.Subject, "iat": iat, "nbf": iat, "exp": now.Add(lifetime).Unix(), "jti": jti}
	iss, aud := defaultIssuer, []string{"sts.amazonaws.com"}
	switch r.Preset {
	case "":
	case "github":
		iss = GitHubIssuer
		githubClaims(c, r.Subject)
	case "eks":
		iss = EKSIssuer
		if err := eksClaims(c, r.Subject); err != nil {
			return nil, err
		}
	case "gitlab":
		iss, aud = GitLabIssuer, []string{GitLabIssuer}
		gitlabClaims(c, r.Subject)
	default:
		return nil, fmt.Errorf("no preset %q: the presets are %s", r.Preset, strings.Join(Presets, ", "))
	}
	if r.Issuer != "" {
		iss = r.Issuer
	}
	if len(r.Audience) > 0 {
		aud = r.Audience
	}
	c["iss"] = iss
	if len(aud) == 1 {
		c["aud"] = aud[0]
	} else {
		c["aud"] = aud
	}
	for k, v := range r.Claims {
		c[k] = v
	}
	return c, nil
}

// githubClaims are a GitHub Actions job's, from a subject in GitHub's
// default format: repo:OWNER/REPO:ref:REF, repo:OWNER/REPO:environment:ENV
// or repo:OWNER/REPO:pull_request (GitHub's documentation, "Example
// subject claims").
func githubClaims(c map[string]any, sub string) {
	repo, rest, _ := strings.Cut(strings.TrimPrefix(sub, "repo:"), ":")
	owner, _, _ := strings.Cut(repo, "/")
	c["repository"], c["repository_owner"] = repo, owner
	c["repository_id"], c["repository_owner_id"] = "123456789", "987654321"
	c["actor"], c["actor_id"] = owner, "987654321"
	c["repository_visibility"] = "private"
	c["event_name"], c["ref"], c["ref_type"] = "push", "refs/heads/main", "branch"
	kind, value, _ := strings.Cut(rest, ":")
	switch kind {
	case "ref":
		c["ref"] = value
		if strings.HasPrefix(value, "refs/tags/") {
			c["ref_type"] = "tag"
		}
	case "environment":
		c["environment"] = value
	case "pull_request":
		c["event_name"] = "pull_request"
	}
	c["workflow"] = "deploy"
	c["workflow_ref"] = repo + "/.github/workflows/deploy.yml@" + c["ref"].(string)
	c["job_workflow_ref"] = c["workflow_ref"]
	c["sha"] = "0000000000000000000000000000000000000000"
	c["run_id"], c["run_number"], c["run_attempt"] = "1", "1", "1"
	c["runner_environment"] = "github-hosted"
}

// eksClaims are an EKS pod's projected service account token's, from a
// subject system:serviceaccount:NAMESPACE:NAME.
func eksClaims(c map[string]any, sub string) error {
	rest, ok := strings.CutPrefix(sub, "system:serviceaccount:")
	ns, name, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || ns == "" || name == "" {
		return fmt.Errorf("an EKS subject is system:serviceaccount:NAMESPACE:NAME, not %q", sub)
	}
	c["kubernetes.io"] = map[string]any{
		"namespace":      ns,
		"serviceaccount": map[string]any{"name": name, "uid": "00000000-0000-0000-0000-000000000000"},
	}
	return nil
}

// gitlabClaims are a GitLab CI job's, from a subject in GitLab's format:
// project_path:GROUP/PROJECT:ref_type:TYPE:ref:REF.
func gitlabClaims(c map[string]any, sub string) {
	fields := strings.Split(sub, ":")
	get := func(name string) string {
		if i := slices.Index(fields, name); i >= 0 && i+1 < len(fields) {
			return fields[i+1]
		}
		return ""
	}
	path := get("project_path")
	ns, _, _ := strings.Cut(path, "/")
	c["project_path"], c["namespace_path"] = path, ns
	c["project_id"], c["namespace_id"] = "123456", "654321"
	c["ref"], c["ref_type"], c["ref_protected"] = get("ref"), get("ref_type"), "true"
	c["user_id"], c["user_login"], c["user_email"] = "1", ns, ns+"@example.com"
	c["pipeline_id"], c["pipeline_source"], c["job_id"] = "1", "push", "1"
	c["runner_environment"] = "gitlab-hosted"
}
