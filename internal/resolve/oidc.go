package resolve

import (
	"context"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
)

// OIDCProvider is the OpenID Connect provider an IAM call names by ARN
// (resource type oidc-provider): its tags when it is the account's and
// exists; another account's is that account's, which no policy of the
// caller's account can grant.
func (r IAM) OIDCProvider(ctx context.Context, account, providerArn string) (authz.Target, error) {
	t := authz.Target{ARN: providerArn, Type: "oidc-provider"}
	a, err := arn.Parse(providerArn)
	if err != nil {
		return t, nil // the operation answers its own validation error
	}
	if a.Account != account {
		t.Account = a.Account
		return t, nil
	}
	p, err := get(r.Cache, "oidc-provider\x00"+providerArn, func() (*iam.OpenIDConnectProvider, error) {
		p, err := r.Svc.GetOpenIDConnectProvider(ctx, account, providerArn)
		if awserr.IsClient(err) {
			return nil, nil
		}
		return p, err
	})
	if err != nil || p == nil {
		return t, err
	}
	t.Tags = tagMap(p.Tags)
	return t, nil
}
