package iam

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// IAM OpenID Connect identity providers (IAM API reference,
// CreateOpenIDConnectProvider and the calls beside it): the issuers whose
// ID tokens AssumeRoleWithWebIdentity exchanges for role sessions in the
// account. A provider is named by its URL without "https://"
// (arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com),
// which is also the prefix of its condition keys
// (token.actions.githubusercontent.com:sub).

const bucketOIDCProviders = "iam-oidc-providers" // "<account>/<url without https://>" -> oidcProviderRecord

// Quotas ("IAM and AWS STS quotas": identity providers per account;
// "You cannot register more than 100 client IDs with a single IAM OIDC
// provider"; "IAM lets you have up to five thumbprints for an OIDC
// provider", CreateOpenIDConnectProvider).
const (
	QuotaOIDCProvidersPerAccount    = 100
	QuotaClientIDsPerOIDCProvider   = 100
	QuotaThumbprintsPerOIDCProvider = 5
)

// OpenIDConnectProvider is GetOpenIDConnectProvider's answer. Tags is an
// empty list when the provider has none.
type OpenIDConnectProvider struct {
	Url            string
	ClientIDList   []string
	ThumbprintList []string
	CreateDate     time.Time
	Tags           []Tag
}

// OIDCProvider is what STS needs of a provider: its ARN, its name (the
// prefix of its condition keys) and its client IDs (audiences).
type OIDCProvider struct {
	Arn, Name    string
	ClientIDList []string
}

type oidcProviderRecord struct {
	Name           string // the URL without https://
	ClientIDList   []string
	ThumbprintList []string
	CreateDate     time.Time
	Tags           []Tag `json:",omitempty"`
}

var oidcProviderTags = tagRules{caseFold: true, duplicateErr: errDuplicateTagKeys}

// errNoSuchOIDCProvider: "OpenIDConnect Provider not found for arn ARN"
// (moto's and LocalStack's IAM, which check their texts against AWS).
func errNoSuchOIDCProvider(providerArn string) error {
	return awserr.NoSuchEntity("OpenIDConnect Provider not found for arn %s", providerArn)
}

// errOIDCProviderExists: "EntityAlreadyExists: Provider with url
// https://token.actions.githubusercontent.com already exists." with status
// 409 (getscaf/sfu-fullstack-template #75 and
// DrFaust92/terraform-kubernetes-ebs-csi-driver #107, both quoting AWS),
// the URL as the request gave it (daohoangson/bubby #9 shows one with its
// trailing slash).
func errOIDCProviderExists(u string) error {
	return awserr.EntityAlreadyExists("Provider with url %s already exists.", u)
}

// AWS's answers recorded in LocalStack's test_iam_oidc.snapshot.json
// (recorded against AWS 2026-02): errOIDCProviderURL (for "example.org"),
// errThumbprints (six thumbprints: the text says "fewer than 5", five are
// taken), errNoSuchOIDCProviderToDelete.

func errOIDCProviderURL() error {
	return awserr.ValidationError("Invalid Open ID Connect Provider URL")
}

var errThumbprints = awserr.InvalidInput("Thumbprint list must contain fewer than 5 entries.")

// errNoSuchOIDCProviderToDelete: DeleteOpenIDConnectProvider of a provider
// that is not there. The API reference calls the operation idempotent;
// AWS answered a second delete with this.
func errNoSuchOIDCProviderToDelete(providerArn string) error {
	return awserr.NoSuchEntity("OpenId connect Provider %s cannot be found.", providerArn)
}

// oidcProviderName reads a provider URL: its name, the URL without
// "https://". A URL with a query or a fragment, or without a host, is
// refused; a trailing slash is kept (AWS keeps it in the ARN:
// "oidc-provider/auth-dev.mozilla.auth0.com/", a public report).
func oidcProviderName(raw string) (string, error) {
	if len(raw) > 255 {
		return "", errLength("url", raw, 255)
	}
	name, ok := strings.CutPrefix(raw, "https://")
	if !ok || name == "" || strings.ContainsAny(name, "?# ") {
		return "", errOIDCProviderURL()
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return "", errOIDCProviderURL()
	}
	return name, nil
}

// oidcProviderARN names a provider; oidcProviderKey reads an ARN back to
// the provider's key in account, ok false when it names none there.
func oidcProviderARN(account, name string) string {
	return arn.IAM(account, "oidc-provider", "/", name)
}

func oidcProviderKey(account, providerArn string) (string, bool, error) {
	a, err := arn.Parse(providerArn)
	if err != nil {
		return "", false, errArnNotValid(providerArn)
	}
	name, ok := strings.CutPrefix(a.Resource, "oidc-provider/")
	if !ok || a.Service != "iam" || a.Account != account || name == "" {
		return "", false, nil
	}
	return account + "/" + name, true, nil
}

func loadOIDCProvider(tx store.Tx, account, providerArn string) (string, *oidcProviderRecord, error) {
	key, ok, err := oidcProviderKey(account, providerArn)
	if err != nil {
		return "", nil, err
	}
	var p oidcProviderRecord
	if ok {
		if ok, err = getJSON(tx, bucketOIDCProviders, key, &p); err != nil {
			return "", nil, err
		}
	}
	if !ok {
		return "", nil, errNoSuchOIDCProvider(providerArn)
	}
	return key, &p, nil
}

// checkThumbprints applies the quota; the codec has checked that each is
// 40 characters.
func checkThumbprints(tps []string) error {
	if len(tps) > QuotaThumbprintsPerOIDCProvider {
		return errThumbprints
	}
	return nil
}

// uniqueIDs drops repeated client IDs, keeping the first.
func uniqueIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// CreateOpenIDConnectProviderInput is CreateOpenIDConnectProvider's request.
type CreateOpenIDConnectProviderInput struct {
	Url                          string
	ClientIDList, ThumbprintList []string
	Tags                         []Tag
}

// CreateOpenIDConnectProvider registers an OIDC identity provider and
// answers its ARN. Without ThumbprintList, AWS fetches the thumbprint of
// the provider's certificate itself; rolecall, which verifies tokens with
// the keys the provider publishes over TLS it checks against the system's
// CAs, keeps the list empty.
func (s *Service) CreateOpenIDConnectProvider(ctx context.Context, account string, in CreateOpenIDConnectProviderInput) (string, error) {
	name, err := oidcProviderName(in.Url)
	if err != nil {
		return "", err
	}
	clients := uniqueIDs(in.ClientIDList)
	if len(clients) > QuotaClientIDsPerOIDCProvider {
		return "", errQuota("ClientIdsPerOpenIdConnectProvider", QuotaClientIDsPerOIDCProvider)
	}
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return "", err
	}
	if err := oidcProviderTags.check(in.Tags); err != nil {
		return "", err
	}
	rec := &oidcProviderRecord{Name: name, ClientIDList: clients, ThumbprintList: append([]string{}, in.ThumbprintList...), CreateDate: s.now(), Tags: in.Tags}
	err = s.update(ctx, account, func(tx store.Tx) error {
		key := account + "/" + name
		if _, ok := tx.Get(bucketOIDCProviders, key); ok {
			return errOIDCProviderExists(in.Url)
		}
		if err := countNew(tx, account, bucketOIDCProviders, "OpenIdConnectProvidersPerAccount", QuotaOIDCProvidersPerAccount); err != nil {
			return err
		}
		return putJSON(tx, bucketOIDCProviders, key, rec)
	})
	if err != nil {
		return "", err
	}
	return oidcProviderARN(account, name), nil
}

// GetOpenIDConnectProvider answers a provider's URL (without https://, as
// AWS shows it), client IDs, thumbprints, creation date and tags.
func (s *Service) GetOpenIDConnectProvider(ctx context.Context, account, providerArn string) (*OpenIDConnectProvider, error) {
	var out *OpenIDConnectProvider
	err := s.view(ctx, account, func(tx store.Tx) error {
		_, p, err := loadOIDCProvider(tx, account, providerArn)
		if err != nil {
			return err
		}
		out = &OpenIDConnectProvider{Url: p.Name, ClientIDList: nonNilStrings(p.ClientIDList), ThumbprintList: nonNilStrings(p.ThumbprintList),
			CreateDate: p.CreateDate, Tags: append([]Tag{}, p.Tags...)}
		return nil
	})
	return out, err
}

func nonNilStrings(s []string) []string { return append([]string{}, s...) }

// ListOpenIDConnectProviders answers the ARNs of the account's providers,
// by name; the call has no paging.
func (s *Service) ListOpenIDConnectProviders(ctx context.Context, account string) ([]string, error) {
	out := []string{}
	err := s.view(ctx, account, func(tx store.Tx) error {
		return tx.Scan(bucketOIDCProviders, account+"/", "", func(k string, _ []byte) bool {
			out = append(out, oidcProviderARN(account, strings.TrimPrefix(k, account+"/")))
			return true
		})
	})
	return out, err
}

// DeleteOpenIDConnectProvider deletes a provider; the roles that trust it
// keep their trust policies, which then allow no one. A provider that is
// not there is refused (errNoSuchOIDCProviderToDelete), as AWS refused it,
// though the API reference says "This operation is idempotent".
func (s *Service) DeleteOpenIDConnectProvider(ctx context.Context, account, providerArn string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		key, ok, err := oidcProviderKey(account, providerArn)
		if err != nil {
			return err
		}
		if !ok {
			return errNoSuchOIDCProviderToDelete(providerArn)
		}
		if _, ok := tx.Get(bucketOIDCProviders, key); !ok {
			return errNoSuchOIDCProviderToDelete(providerArn)
		}
		if err := countEntity(tx, account, bucketOIDCProviders, -1); err != nil {
			return err
		}
		return tx.Delete(bucketOIDCProviders, key)
	})
}

// changeOIDCProvider runs fn on a provider and saves it.
func (s *Service) changeOIDCProvider(ctx context.Context, account, providerArn string, fn func(p *oidcProviderRecord) error) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		key, p, err := loadOIDCProvider(tx, account, providerArn)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		return putJSON(tx, bucketOIDCProviders, key, p)
	})
}

// AddClientIDToOpenIDConnectProvider adds an audience; adding one the
// provider has is no error (API reference: "This operation is
// idempotent").
func (s *Service) AddClientIDToOpenIDConnectProvider(ctx context.Context, account, providerArn, clientID string) error {
	return s.changeOIDCProvider(ctx, account, providerArn, func(p *oidcProviderRecord) error {
		if slices.Contains(p.ClientIDList, clientID) {
			return nil
		}
		if len(p.ClientIDList) >= QuotaClientIDsPerOIDCProvider {
			return errQuota("ClientIdsPerOpenIdConnectProvider", QuotaClientIDsPerOIDCProvider)
		}
		p.ClientIDList = append(p.ClientIDList, clientID)
		return nil
	})
}

// RemoveClientIDFromOpenIDConnectProvider removes an audience; removing
// one the provider does not have is no error (API reference).
func (s *Service) RemoveClientIDFromOpenIDConnectProvider(ctx context.Context, account, providerArn, clientID string) error {
	return s.changeOIDCProvider(ctx, account, providerArn, func(p *oidcProviderRecord) error {
		p.ClientIDList = slices.DeleteFunc(p.ClientIDList, func(id string) bool { return id == clientID })
		return nil
	})
}

// UpdateOpenIDConnectProviderThumbprint replaces the thumbprint list.
func (s *Service) UpdateOpenIDConnectProviderThumbprint(ctx context.Context, account, providerArn string, thumbprints []string) error {
	if err := checkThumbprints(thumbprints); err != nil {
		return err
	}
	return s.changeOIDCProvider(ctx, account, providerArn, func(p *oidcProviderRecord) error {
		p.ThumbprintList = append([]string{}, thumbprints...)
		return nil
	})
}

// TagOpenIDConnectProvider adds or replaces tags.
func (s *Service) TagOpenIDConnectProvider(ctx context.Context, account, providerArn string, tags []Tag) error {
	if err := oidcProviderTags.check(tags); err != nil {
		return err
	}
	return s.changeOIDCProvider(ctx, account, providerArn, func(p *oidcProviderRecord) (err error) {
		p.Tags, err = oidcProviderTags.merge(p.Tags, tags)
		return err
	})
}

// UntagOpenIDConnectProvider removes tags; unknown keys are ignored.
func (s *Service) UntagOpenIDConnectProvider(ctx context.Context, account, providerArn string, keys []string) error {
	return s.changeOIDCProvider(ctx, account, providerArn, func(p *oidcProviderRecord) error {
		p.Tags = oidcProviderTags.remove(p.Tags, keys)
		return nil
	})
}

// ListOpenIDConnectProviderTags lists a provider's tags.
func (s *Service) ListOpenIDConnectProviderTags(ctx context.Context, account, providerArn string, pg Page) ([]Tag, string, error) {
	var out []Tag
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		_, p, err := loadOIDCProvider(tx, account, providerArn)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(p.Tags, pg)
		return err
	})
	return out, next, err
}

// OIDCProviderForIssuer finds the account's provider for a token's issuer
// (its iss claim): the provider whose URL is the issuer, but for a
// trailing slash. nil, nil when there is none.
func (s *Service) OIDCProviderForIssuer(ctx context.Context, account, issuer string) (*OIDCProvider, error) {
	name, ok := strings.CutPrefix(issuer, "https://")
	if !ok || name == "" {
		return nil, nil
	}
	var out *OIDCProvider
	err := s.view(ctx, account, func(tx store.Tx) error {
		for _, n := range []string{name, strings.TrimSuffix(name, "/"), name + "/"} {
			var p oidcProviderRecord
			ok, err := getJSON(tx, bucketOIDCProviders, account+"/"+n, &p)
			if err != nil {
				return err
			}
			if ok {
				out = &OIDCProvider{Arn: oidcProviderARN(account, p.Name), Name: p.Name, ClientIDList: nonNilStrings(p.ClientIDList)}
				return nil
			}
		}
		return nil
	})
	return out, err
}
