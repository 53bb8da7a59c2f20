package resolve

import (
	"context"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
)

// OIDCProvider is the OpenID Connect provider an IAM call names by ARN
// (resource type oidc-provider), with its tags.
func (r IAM) OIDCProvider(ctx context.Context, account, providerArn string) (authz.Target, error) {
	t := authz.Target{ARN: providerArn, Type: "oidc-provider"}
	return r.storedTags(t, account, false, func() ([]iam.Tag, error) {
		p, err := r.Svc.GetOpenIDConnectProvider(ctx, account, providerArn)
		if err != nil {
			return nil, err
		}
		return p.Tags, nil
	})
}
