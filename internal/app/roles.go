package app

import (
	"context"
	"fmt"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/resolve"
)

// roleBroker is IAM as a service acting for its caller meets it: the
// service's service-linked role, created on the caller's behalf, and the
// roles the caller passes to it. ECS (ecsRoles) and Application Auto
// Scaling (scalingRoles) ask it; every decision goes through the one
// authorizer.
type roleBroker struct {
	iam   *iam.Service
	res   resolve.IAM
	authz *authz.Authorizer
}

// ensureLinkedRole creates the service-linked role of servicePrincipal in
// account unless it exists, for caller, through the service via: only if
// the caller may, iam:CreateServiceLinkedRole with aws:ViaAWSService and
// aws:CalledVia. It answers the role's ARN and whether it was created.
func (b roleBroker) ensureLinkedRole(ctx context.Context, caller *principal.Principal, account, servicePrincipal, via string) (string, bool, error) {
	ls, ok := catalog.LinkedServiceFor(servicePrincipal)
	if !ok {
		return "", false, fmt.Errorf("app: %s has no service-linked role", servicePrincipal)
	}
	roleArn := arn.IAM(account, "role", ls.Path(), ls.RoleName)
	exists, err := b.linkedRoleExists(ctx, account, servicePrincipal)
	if err != nil || exists {
		return roleArn, false, err
	}
	req := &authz.Request{Principal: caller, Action: "iam:CreateServiceLinkedRole", Region: authz.IAMRegion, Via: via,
		Access: authz.Acting(resolve.New(account, "role", ls.Path(), ls.RoleName))}
	req.Keys.Set("iam:AWSServiceName", servicePrincipal)
	if _, err := b.authz.Decide(ctx, req); err != nil {
		return "", false, err
	}
	role, created, err := b.iam.EnsureServiceLinkedRole(ctx, account, caller.ARN, servicePrincipal)
	if err != nil {
		return "", false, err
	}
	return role.Arn, created, nil
}

// linkedRoleExists says whether account has the service-linked role of
// servicePrincipal (a role of its name elsewhere than its path is not it).
func (b roleBroker) linkedRoleExists(ctx context.Context, account, servicePrincipal string) (bool, error) {
	ls, ok := catalog.LinkedServiceFor(servicePrincipal)
	if !ok {
		return false, fmt.Errorf("app: %s has no service-linked role", servicePrincipal)
	}
	role, err := b.iam.GetRole(ctx, account, ls.RoleName)
	if awserr.Code(err) == "NoSuchEntity" {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return role.Path == ls.Path(), nil
}

// passRole: the caller's iam:PassRole on the role as stored (AWS
// authorizes the ARN first: a role of another account is that account's,
// and no policy of the caller's can pass it), with iam:PassedToService
// and, when associated names the resource the role is for,
// iam:AssociatedResourceArn; then the role's existence.
func (b roleBroker) passRole(ctx context.Context, caller *principal.Principal, account, region, roleArn, passedToService, associated string) error {
	t, err := b.res.RoleARN(ctx, account, roleArn)
	if err != nil {
		return err
	}
	req := &authz.Request{Principal: caller, Action: "iam:PassRole", Region: region, Access: authz.Acting(t)}
	req.Keys.Set("iam:PassedToService", passedToService)
	if associated != "" {
		req.Keys.Set("iam:AssociatedResourceArn", associated)
	}
	if _, err := b.authz.Decide(ctx, req); err != nil {
		return err
	}
	_, err = b.iam.RoleByARN(ctx, roleArn)
	return err
}
