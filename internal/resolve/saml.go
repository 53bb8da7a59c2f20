package resolve

import (
	"context"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
)

// SAMLProvider is the SAML provider an ARN names (resource type
// saml-provider): the stored provider, with its tags, when it is the
// caller's account's; one of another account is that account's, which no
// policy of the caller's can let it act on; one that does not exist is
// authorized on the ARN as given, and the operation answers NoSuchEntity.
func (r IAM) SAMLProvider(ctx context.Context, account, providerArn string) (authz.Target, error) {
	t := authz.Target{ARN: providerArn, Type: "saml-provider"}
	a, err := arn.Parse(providerArn)
	if err != nil {
		return t, nil // the operation answers its own validation error
	}
	if a.Account != account {
		t.Account = a.Account
		return t, nil
	}
	p, err := get(r.Cache, "saml-provider\x00"+providerArn, func() (*iam.SAMLProvider, error) {
		p, err := r.Svc.GetSAMLProvider(ctx, account, providerArn)
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
