package app

import (
	"context"

	"github.com/rolecall/rolecall/internal/appautoscaling"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/iam"
)

// What Application Auto Scaling asks of the others: IAM for its
// service-linked role and the roles passed to it (scalingRoles), ECS for
// the services its targets scale (ecsServices); and what IAM asks of it:
// which targets still use its service-linked role (scalingRoleUsage).

// scalingRoles answers Application Auto Scaling's role decisions
// (appautoscaling.Roles) from IAM, through the one authorizer.
type scalingRoles struct{ roleBroker }

// EnsureServiceLinkedRole: Application Auto Scaling creates the role on
// the caller's behalf, iam:CreateServiceLinkedRole through
// application-autoscaling.amazonaws.com.
func (r scalingRoles) EnsureServiceLinkedRole(ctx context.Context, c appautoscaling.Call, servicePrincipal string) (string, error) {
	roleArn, _, err := r.ensureLinkedRole(ctx, c.Caller(), c.Account, servicePrincipal, appautoscaling.PrincipalService)
	return roleArn, err
}

// PassRole: the caller passes a RoleARN to Application Auto Scaling.
func (r scalingRoles) PassRole(ctx context.Context, c appautoscaling.Call, roleArn string) error {
	return r.passRole(ctx, c.Caller(), c.Account, c.Region, roleArn, appautoscaling.PrincipalService, "")
}

// ecsServices is ECS as Application Auto Scaling reads it
// (appautoscaling.Services): through its service-linked role.
type ecsServices struct {
	ecs   *ecs.Service
	roles ecsRoles
}

// ServiceExists: the service is ACTIVE or DRAINING; a deleted service
// (INACTIVE) is no longer one. Application Auto Scaling reads it with
// ecs:DescribeServices through AWSServiceRoleForApplicationAutoScaling_ECSService,
// as the one model of ECS's role use says, which records the role's use.
func (e ecsServices) ServiceExists(ctx context.Context, c appautoscaling.Call, cluster, service string) (bool, error) {
	call := ecs.Call{Account: c.Account, Region: c.Region, Principal: c.Principal}
	env := ecsroles.Env{Partition: "aws", Account: c.Account, Region: c.Region}
	if use, ok := ecsroles.ForScalableTarget(env, ecsroles.ScalableTargetInput{Namespace: "ecs", ResourceID: "service/" + cluster + "/" + service}); ok {
		for _, n := range use.Needs {
			if n.Action != "ecs:DescribeServices" {
				continue
			}
			if err := e.roles.LinkedRoleUsed(ctx, call, ecsroles.PrincipalAutoScaling, n); err != nil {
				return false, err
			}
		}
	}
	status, err := e.ecs.ServiceStatus(ctx, call, cluster, service)
	return status != "" && status != "INACTIVE", err
}

// scalingRoleUsage is Application Auto Scaling's answer to IAM deleting
// its service-linked role for ECS services: which scalable targets, in
// which Regions, still use it.
func scalingRoleUsage(svc *appautoscaling.Service) iam.RoleUsage {
	return iam.RoleUsageFunc(func(ctx context.Context, account, _ string) ([]iam.Usage, error) {
		byRegion, err := svc.RoleUsage(ctx, account, appautoscaling.PrincipalECSService)
		if err != nil {
			return nil, err
		}
		out := make([]iam.Usage, 0, len(byRegion))
		for region, arns := range byRegion {
			out = append(out, iam.Usage{Region: region, Resources: arns})
		}
		return out, nil // IAM orders the Regions
	})
}
