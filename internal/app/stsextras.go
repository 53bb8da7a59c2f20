package app

import (
	"context"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/sts"
)

// stsExtras is what STS's operations beyond sessions and roles read of
// IAM and of the authorizer (sts.Extras).
func stsExtras(iamSvc *iam.Service, az *authz.Authorizer) sts.Extras {
	return sts.Extras{Keys: stsAccessKeys{iamSvc}, Messages: az}
}

// stsAccessKeys is IAM's access keys as GetAccessKeyInfo reads them.
type stsAccessKeys struct{ iam *iam.Service }

func (k stsAccessKeys) AccessKeyAccount(ctx context.Context, id string) (string, bool, error) {
	key, err := k.iam.LookupAccessKey(ctx, id)
	if awserr.Code(err) == "NoSuchEntity" {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return key.Account, true, nil
}
