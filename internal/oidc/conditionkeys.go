package oidc

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/rolecall/rolecall/internal/catalog/actions"
)

// ConditionKeys are the keys a verified token brings to the role's trust
// policy, named by the provider's prefix (its URL without https://; IAM
// User Guide, "Available keys for AWS OIDC federation"):
//
//   - PREFIX:aud, the client ID the token is for (its azp when it has one,
//     else the aud that is one of the provider's client IDs: audience);
//   - PREFIX:sub, its subject;
//   - PREFIX:oaud, its aud, when it has an azp (Google's "other audience");
//   - PREFIX:amr, its authentication methods (Amazon Cognito's amr);
//   - the provider's documented claims: each key the Service Authorization
//     Reference lists for sts:AssumeRoleWithWebIdentity whose provider part
//     matches prefix (token.actions.githubusercontent.com:repository,
//     gitlab.com:project_id, accounts.google.com:google/organization_number),
//     from the claim of that name (a/b: b inside a).
//
// Claims that are strings, numbers, booleans or lists of strings become
// values; others are left out.
func ConditionKeys(prefix, audience string, t *Token) map[string][]string {
	keys := map[string][]string{prefix + ":aud": {audience}}
	set := func(name string, v any) {
		if vs, ok := keyValues(v); ok {
			keys[prefix+":"+name] = vs
		}
	}
	set("sub", t.Claims["sub"])
	if t.Has("azp") {
		set("oaud", t.Claims["aud"])
	}
	set("amr", t.Claims["amr"])
	for _, claim := range documentedClaims(prefix) {
		if v, ok := claimAt(t.Claims, claim); ok {
			set(claim, v)
		}
	}
	return keys
}

func keyValues(v any) ([]string, bool) {
	switch v := v.(type) {
	case string:
		return []string{v}, true
	case bool:
		return []string{strconv.FormatBool(v)}, true
	case json.Number:
		return []string{v.String()}, true
	case []any:
		return stringList(v)
	}
	return nil, false
}

// claimAt is the claim name, or for a/b the member b of claim a.
func claimAt(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	outer, inner, ok := strings.Cut(name, "/")
	if !ok {
		return nil, false
	}
	m, ok := claims[outer].(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := m[inner]
	return v, ok
}

// providerKey is a documented key: a pattern its provider part must match
// (${...} standing for one name, or a path for ${SubPath}), and the claim.
type providerKey struct {
	provider *regexp.Regexp
	claim    string
}

var documented = sync.OnceValue(func() []providerKey {
	info, _ := actions.Action("sts", "AssumeRoleWithWebIdentity")
	placeholder := regexp.MustCompile(`\$\{[A-Za-z]+\}`)
	var out []providerKey
	for _, k := range info.ConditionKeys {
		i := strings.LastIndexByte(k, ':')
		if i < 0 || !strings.Contains(k[:i], ".") {
			continue // aws:..., sts:...
		}
		parts := placeholder.Split(k[:i], -1)
		for j := range parts {
			parts[j] = regexp.QuoteMeta(parts[j])
		}
		pattern := "^" + strings.Join(parts, `[^:]+`) + "$"
		out = append(out, providerKey{provider: regexp.MustCompile(pattern), claim: k[i+1:]})
	}
	return out
})

// documentedClaims are the claims the reference documents keys for, for
// the provider named prefix.
func documentedClaims(prefix string) []string {
	var out []string
	for _, k := range documented() {
		if k.provider.MatchString(prefix) {
			out = append(out, k.claim)
		}
	}
	return out
}
