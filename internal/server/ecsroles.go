package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
)

// ecsRoles answers ECS's role decisions (ecs.Roles) from IAM.
//
// PassRole evaluates iam:PassRole for the caller on the role with
// iam:PassedToService (authz.PassRoleFor), and EnsureServiceLinkedRole
// creates the role only if the caller may (iam:CreateServiceLinkedRole
// through ECS). Still to do: AssumeAsService must have the service
// principal assume the role through STS (sts.Service.AssumeRoleAsService:
// the trust policy, then the role's permissions), returning AWS's errors;
// until then it only requires that the role exists, which is what ECS's
// "ECS was unable to assume the role" answer needs.
type ecsRoles struct {
	iam   *iam.Service
	authz *authz.Authorizer
}

func (r ecsRoles) EnsureServiceLinkedRole(ctx context.Context, c ecs.Call, principal string) (bool, error) {
	if r.authz.Mode() != authz.Off {
		// ECS creates the role on the caller's behalf, so only if the
		// caller may: iam:CreateServiceLinkedRole through ECS.
		exists, err := r.ServiceLinkedRoleExists(ctx, c.Account, principal)
		if err != nil {
			return false, err
		}
		if exists {
			return false, nil
		}
		if err := r.authz.CreateServiceLinkedRole(ctx, c.Caller(), c.Account, c.Region, principal, ecs.PrincipalECS); err != nil {
			return false, err
		}
	}
	_, created, err := r.iam.EnsureServiceLinkedRole(ctx, c.Account, c.Caller().ARN, principal)
	return created, err
}

func (r ecsRoles) ServiceLinkedRoleExists(ctx context.Context, account, principal string) (bool, error) {
	ls, ok := catalog.LinkedServiceFor(principal)
	if !ok {
		return false, fmt.Errorf("server: %s has no service-linked role", principal)
	}
	role, err := r.iam.GetRole(ctx, account, ls.RoleName)
	if awsCode(err) == "NoSuchEntity" {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return role.Path == ls.Path(), nil
}

func (r ecsRoles) DeleteServiceLinkedRole(ctx context.Context, account, principal string) (bool, error) {
	return r.iam.DeleteServiceLinkedRoleByService(ctx, account, principal)
}

func (r ecsRoles) LinkedRoleUsed(ctx context.Context, account, principal, region string) error {
	return r.iam.RecordLinkedRoleUsed(ctx, account, principal, region)
}

// PassRole: the caller's iam:PassRole on the role (AWS authorizes the ARN
// first), then the role's existence.
func (r ecsRoles) PassRole(ctx context.Context, c ecs.Call, roleArn, passedToService string) error {
	err := r.authz.PassRoleFor(ctx, authz.PassRoleRequest{Principal: c.Caller(), Account: c.Account, Region: c.Region, RoleArn: roleArn, PassedToService: passedToService})
	if err != nil {
		return err
	}
	_, err = r.iam.RoleByARN(ctx, roleArn)
	return err
}

func (r ecsRoles) AssumeAsService(ctx context.Context, _ ecs.Call, _, roleArn, _ string) error {
	_, err := r.iam.RoleByARN(ctx, roleArn) // part B: the trust policy, through STS
	return err
}

// ecsRoleUsage is ECS's answer to IAM deleting the service-linked role of
// principal: which clusters (or Managed Instances capacity providers), in
// which Regions, still use it.
func ecsRoleUsage(svc *ecs.Service, principal string) iam.RoleUsage {
	return iam.RoleUsageFunc(func(ctx context.Context, account, _ string) ([]iam.Usage, error) {
		rs, err := svc.RoleUsage(ctx, account, principal)
		if err != nil {
			return nil, err
		}
		out := make([]iam.Usage, len(rs))
		for i, u := range rs {
			out[i] = iam.Usage{Region: u.Region, Resources: u.Resources}
		}
		return out, nil
	})
}

func awsCode(err error) string {
	var e *awserr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
