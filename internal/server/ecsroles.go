package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/sts"
)

// ecsRoles answers ECS's role decisions (ecs.Roles) from IAM.
//
// PassRole evaluates iam:PassRole for the caller on the role with
// iam:PassedToService (authz.PassRoleFor), and EnsureServiceLinkedRole
// creates the role only if the caller may (iam:CreateServiceLinkedRole
// through ECS). AssumeAsService has the service principal assume the role
// through STS (its trust policy decides); RoleAllows and LinkedRoleUsed
// evaluate what ECS then does with a role against the role's own policies.
type ecsRoles struct {
	iam      *iam.Service
	authz    *authz.Authorizer
	sts      *sts.Service
	policies *auth.Policies
	clock    ids.Clock
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

// LinkedRoleUsed: ECS acts through its service-linked role. The actions
// are evaluated against the role's real policies (AmazonECSServiceRolePolicy),
// then the use is recorded: RoleLastUsed and the service's own namespace
// (RecordLinkedRoleUsed), and each action's service for Access Advisor.
func (r ecsRoles) LinkedRoleUsed(ctx context.Context, c ecs.Call, principal string, actions ...ecs.RoleAction) error {
	ls, ok := catalog.LinkedServiceFor(principal)
	if !ok {
		return fmt.Errorf("server: %s has no service-linked role", principal)
	}
	role, err := r.iam.GetRole(ctx, c.Account, ls.RoleName)
	if awsCode(err) == "NoSuchEntity" {
		return nil
	}
	if err != nil {
		return err
	}
	if err := r.roleAllows(ctx, c, role, linkedRoleSession, actions); err != nil {
		return err
	}
	return r.iam.RecordLinkedRoleUsed(ctx, c.Account, principal, c.Region)
}

// linkedRoleSession names ECS's sessions of its service-linked role in
// AccessDenied texts; AWS shows none (the role's policy cannot be changed,
// so they never appear). rolecall's choice.
const linkedRoleSession = "ecs-service-scheduler"

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

// AssumeAsService: the service principal assumes the role through STS,
// whose trust policy alone decides (sts.Service.AssumeRoleAsService); the
// session is recorded as the role's last use.
func (r ecsRoles) AssumeAsService(ctx context.Context, c ecs.Call, servicePrincipal, roleArn, session string) (*auth.Session, error) {
	return r.sts.AssumeRoleAsService(ctx, servicePrincipal, roleArn, session, c.Region)
}

// RoleAllows: ECS calls another service with a session of roleArn it
// assumed (AssumeAsService).
func (r ecsRoles) RoleAllows(ctx context.Context, c ecs.Call, roleArn, session string, actions ...ecs.RoleAction) error {
	role, err := r.iam.RoleByARN(ctx, roleArn)
	if err != nil {
		return err
	}
	return r.roleAllows(ctx, c, role, session, actions)
}

// roleAllows evaluates each action with the policy engine for a session of
// role, as AWS evaluates a request signed with the session's credentials:
// the role's identity policies and permissions boundary (a service's
// session of a role carries no session policy). Once all are allowed, each
// is recorded for Access Advisor as the role's use of its service. A
// refusal is AccessDenied in AWS's words, naming the session.
func (r ecsRoles) roleAllows(ctx context.Context, c ecs.Call, role *iam.Role, session string, actions []ecs.RoleAction) error {
	if len(actions) == 0 {
		return nil
	}
	account := c.Account
	if a, err := arn.Parse(role.Arn); err == nil {
		account = a.Account
	}
	p := &auth.Principal{Kind: auth.AssumedRole, Account: account,
		ARN:    "arn:aws:sts::" + account + ":assumed-role/" + role.RoleName + "/" + session,
		UserID: role.RoleId + ":" + session, Name: role.RoleName, RoleARN: role.Arn, RoleID: role.RoleId, SessionName: session}
	set, err := r.policies.For(ctx, p)
	if err != nil {
		return err
	}
	pc, err := r.policies.Caller(ctx, p)
	if err != nil {
		return err
	}
	now := r.clock.Now().UTC()
	for _, act := range actions {
		pctx := policy.NewContext().AddCaller(pc)
		pctx.Set("aws:CurrentTime", now.Format(time.RFC3339))
		pctx.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
		pctx.Set("aws:RequestedRegion", c.Region)
		req := &policy.Request{Caller: pc, Action: act.Action, Resource: act.Resource, Context: pctx}
		shown := act.Resource
		if act.Resource == "*" {
			shown = "" // AWS names no resource for actions without one
		} else if a, err := arn.Parse(act.Resource); err == nil {
			req.ResourceAccount = a.Account
		}
		if d := policy.Evaluate(set, req); !d.Allowed() {
			return awserr.AccessDenied("%s", policy.AccessDeniedMessage(d, p.ARN, act.Action, shown))
		}
	}
	for _, act := range actions {
		service, _, _ := strings.Cut(act.Action, ":")
		if err := r.iam.RecordServiceAccess(ctx, account, role.Arn, service, act.Action, c.Region, now); err != nil {
			return err
		}
	}
	return nil
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
