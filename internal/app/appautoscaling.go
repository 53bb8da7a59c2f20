package app

import (
	"context"
	"fmt"

	"github.com/rolecall/rolecall/internal/appautoscaling"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	ecstypes "github.com/rolecall/rolecall/internal/ecs/types"
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

// ecsServices is ECS as Application Auto Scaling meets it
// (appautoscaling.Services): through its service-linked role,
// AWSServiceRoleForApplicationAutoScaling_ECSService, whose every request
// is decided by the one authorizer for a session of the role
// (AWSApplicationAutoscalingECSServicePolicy), as the one model of ECS's
// role use says (ecsroles.ForScalableTarget), and recorded as the role's
// use (RoleLastUsed).
type ecsServices struct {
	ecs   *ecs.Service
	roles ecsRoles
}

// actAs decides action on the service for the service-linked role, and
// answers the call ECS then serves: the role's session is its caller. A
// cluster named by the ARN of another account's names no cluster of the
// account: nothing is decided, and ECS answers that it has none.
func (e ecsServices) actAs(ctx context.Context, c appautoscaling.Call, cluster, service, action string) (ecs.Call, error) {
	call := ecs.Call{Account: c.Account, Region: c.Region, Principal: c.Principal}
	env := ecsroles.Env{Partition: "aws", Account: c.Account, Region: c.Region}
	use, ok := ecsroles.ForScalableTarget(env, ecsroles.ScalableTargetInput{Namespace: appautoscaling.NamespaceECS, ResourceID: "service/" + cluster + "/" + service})
	if !ok {
		return call, nil
	}
	var needs []ecs.RoleAction
	for _, n := range use.Needs {
		if n.Action == action {
			needs = append(needs, n)
		}
	}
	if len(needs) == 0 {
		return call, fmt.Errorf("app: the model has no %s for a scalable target", action)
	}
	p, err := e.roles.actAsLinkedRole(ctx, call, ecsroles.PrincipalAutoScaling, needs...)
	call.Principal = p
	return call, err
}

// ServiceExists: the service is ACTIVE or DRAINING. Read with
// ecs:DescribeServices.
func (e ecsServices) ServiceExists(ctx context.Context, c appautoscaling.Call, cluster, service string) (bool, error) {
	call, err := e.actAs(ctx, c, cluster, service, "ecs:DescribeServices")
	if err != nil {
		return false, err
	}
	return serviceExists(ctx, e.ecs, call, cluster, service)
}

// serviceExists: ECS has the service, ACTIVE or DRAINING; a deleted
// service (INACTIVE) is no longer one.
func serviceExists(ctx context.Context, svc *ecs.Service, c ecs.Call, cluster, service string) (bool, error) {
	status, err := svc.ServiceStatus(ctx, c, cluster, service)
	return status != "" && status != "INACTIVE", err
}

// DesiredCount: the service's desired count as ecs:DescribeServices
// answers it, a deleted service's included; a cluster or service ECS does
// not know is none.
func (e ecsServices) DesiredCount(ctx context.Context, c appautoscaling.Call, cluster, service string) (int32, bool, error) {
	call, err := e.actAs(ctx, c, cluster, service, "ecs:DescribeServices")
	if err != nil {
		return 0, false, err
	}
	out, err := e.ecs.DescribeServices(ctx, call, &ecstypes.DescribeServicesRequest{Cluster: cluster, Services: []string{service}})
	switch {
	case awserr.Code(err) == "ClusterNotFoundException":
		return 0, false, nil
	case err != nil:
		return 0, false, err
	case len(out.Services) == 0:
		return 0, false, nil
	}
	return out.Services[0].DesiredCount, true, nil
}

// SetDesiredCount: ecs:UpdateService with the desired count, made by the
// role's session; ECS answers as it answers anyone (a service no longer
// ACTIVE, a cluster or service not found).
func (e ecsServices) SetDesiredCount(ctx context.Context, c appautoscaling.Call, cluster, service string, n int32) error {
	call, err := e.actAs(ctx, c, cluster, service, "ecs:UpdateService")
	if err != nil {
		return err
	}
	_, err = e.ecs.UpdateService(ctx, call, &ecstypes.UpdateServiceRequest{Cluster: cluster, Service: service, DesiredCount: &n})
	return err
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
