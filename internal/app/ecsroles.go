package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/catalog"
	sar "github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/resolve"
	"github.com/rolecall/rolecall/internal/sts"
)

// ecsRoles answers ECS's role decisions (ecs.Roles) from IAM and STS, each
// one through the one authorizer: the caller's iam:PassRole and
// iam:CreateServiceLinkedRole (through ECS), a service principal assuming
// a role (STS, the trust policy deciding), and a role's session calling
// other services (the role's own policies).
type ecsRoles struct {
	iam   *iam.Service
	res   resolve.IAM
	authz *authz.Authorizer
	sts   *sts.Service
}

func (r ecsRoles) broker() roleBroker { return roleBroker{iam: r.iam, res: r.res, authz: r.authz} }

// EnsureServiceLinkedRole: ECS creates the role on the caller's behalf, so
// only if the caller may; "the cluster is created; the SLR is not"
// otherwise (ECS developer guide, "Using service-linked roles").
func (r ecsRoles) EnsureServiceLinkedRole(ctx context.Context, c ecs.Call, servicePrincipal string) (bool, error) {
	_, created, err := r.broker().ensureLinkedRole(ctx, c.Caller(), c.Account, servicePrincipal, ecs.PrincipalECS)
	return created, err
}

func (r ecsRoles) ServiceLinkedRoleExists(ctx context.Context, account, servicePrincipal string) (bool, error) {
	return r.broker().linkedRoleExists(ctx, account, servicePrincipal)
}

func (r ecsRoles) DeleteServiceLinkedRole(ctx context.Context, account, servicePrincipal string) (bool, error) {
	return r.iam.DeleteServiceLinkedRoleByService(ctx, account, servicePrincipal)
}

// LinkedRoleUsed: ECS acts through its service-linked role. The actions
// are decided for a session of the role (AmazonECSServiceRolePolicy), then
// the use is recorded: RoleLastUsed and the service's own namespace
// (RecordLinkedRoleUsed).
func (r ecsRoles) LinkedRoleUsed(ctx context.Context, c ecs.Call, servicePrincipal string, actions ...ecs.RoleAction) error {
	_, err := r.actAsLinkedRole(ctx, c, servicePrincipal, actions...)
	if awserr.Code(err) == "NoSuchEntity" {
		return nil
	}
	return err
}

// actAsLinkedRole is LinkedRoleUsed for a service that needs the role to
// act: it answers the session that acted, and IAM's NoSuchEntity when the
// account has no such role.
func (r ecsRoles) actAsLinkedRole(ctx context.Context, c ecs.Call, servicePrincipal string, actions ...ecs.RoleAction) (*principal.Principal, error) {
	ls, ok := catalog.LinkedServiceFor(servicePrincipal)
	if !ok {
		return nil, fmt.Errorf("app: %s has no service-linked role", servicePrincipal)
	}
	role, err := r.iam.GetRole(ctx, c.Account, ls.RoleName)
	if err != nil {
		return nil, err
	}
	p := sessionOf(role, c.Account, linkedRoleSession)
	if err := r.roleAllows(ctx, c, p, actions); err != nil {
		return nil, err
	}
	return p, r.iam.RecordLinkedRoleUsed(ctx, c.Account, servicePrincipal, c.Region)
}

// linkedRoleSession names ECS's sessions of its service-linked role in
// AccessDenied texts; AWS shows none (the role's policy cannot be changed,
// so they never appear). rolecall's choice.
const linkedRoleSession = "ecs-service-scheduler"

// PassRole: the caller's iam:PassRole on the role as stored, then the
// role's existence.
func (r ecsRoles) PassRole(ctx context.Context, c ecs.Call, roleArn, passedToService, associated string) error {
	return r.broker().passRole(ctx, c.Caller(), c.Account, c.Region, roleArn, passedToService, associated)
}

// AssumeAsService: the service principal assumes the role through STS,
// sending what AWS's services send (aws:SourceAccount, the account the
// role is used for; aws:SourceArn, the resource: "aws:SourceArn ...
// arn:aws:ecs:REGION:ACCOUNT:*" is what the ECS developer guide's task
// role trust policy compares, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
func (r ecsRoles) AssumeAsService(ctx context.Context, c ecs.Call, servicePrincipal, roleArn, session, sourceArn string) (*principal.Session, error) {
	var keys authz.Keys
	keys.Set("aws:SourceAccount", c.Account)
	if sourceArn != "" {
		keys.Set("aws:SourceArn", sourceArn)
	}
	return r.sts.AssumeRoleAsService(ctx, servicePrincipal, c.Account, roleArn, session, c.Region, keys)
}

// RoleAllows: ECS calls another service with a session of roleArn it
// assumed (AssumeAsService).
func (r ecsRoles) RoleAllows(ctx context.Context, c ecs.Call, roleArn, session string, actions ...ecs.RoleAction) error {
	role, err := r.iam.RoleByARN(ctx, roleArn)
	if err != nil {
		return err
	}
	return r.roleAllows(ctx, c, sessionOf(role, c.Account, session), actions)
}

// sessionOf is a session of role named session, as a request signed with
// its credentials presents it; account stands in for a role ARN that does
// not read.
func sessionOf(role *iam.Role, account, session string) *principal.Principal {
	if a, err := arn.Parse(role.Arn); err == nil {
		account = a.Account
	}
	return &principal.Principal{Kind: principal.AssumedRole, Account: account,
		ARN:    "arn:aws:sts::" + account + ":assumed-role/" + role.RoleName + "/" + session,
		UserID: role.RoleId + ":" + session, Name: role.RoleName, RoleARN: role.Arn, RoleID: role.RoleId, SessionName: session}
}

// roleAllows decides each action for p, a session of a role, as AWS
// decides a request signed with the session's credentials: the role's identity
// policies and permissions boundary (a service's session of a role carries
// no session policy). A refusal is AccessDenied in AWS's words, naming the
// session; an action on "*" names no resource.
func (r ecsRoles) roleAllows(ctx context.Context, c ecs.Call, p *principal.Principal, actions []ecs.RoleAction) error {
	for _, act := range actions {
		t := authz.Target{ARN: act.Resource, Unnamed: act.Resource == "*" && !namesStar[strings.SplitN(act.Action, ":", 2)[0]]}
		// The resource's type decides which of the request's service keys
		// apply to it (ec2:ManagedResourceOperator on an instance).
		if info, ok := sar.Lookup(act.Action); ok && act.Resource != "*" {
			if rt, ok := info.MatchResourceType(act.Resource); ok {
				t.Type = rt.Name
			}
		}
		// A resource of another account is evaluated cross-account only
		// where rolecall keeps that resource and its policy. The
		// resource policies of other services (a repository's, a secret's,
		// a key's) are not known here and are taken to allow: only the
		// role's own side is decided.
		if a, err := arn.Parse(act.Resource); err == nil && a.Account != "" && a.Account != p.Account && keptService[a.Service] {
			t.Account = a.Account
		}
		region := c.Region
		if strings.HasPrefix(act.Action, "iam:") {
			region = authz.IAMRegion
		}
		req := &authz.Request{Principal: p, Action: act.Action, Region: region, Access: authz.Acting(t)}
		for k, v := range act.Context {
			req.Keys.Set(k, v...)
		}
		if _, err := r.authz.Decide(ctx, req); err != nil {
			return err
		}
	}
	return nil
}

// namesStar: services whose AccessDenied names "*" as the resource of an
// action without resource types ("... ecr:GetAuthorizationToken on
// resource: * because ...", seekatekode/aws-bootcamp-cruddur-2024, 2023);
// the others name none.
var namesStar = map[string]bool{"ecr": true}

// InstanceProfileRole: the role of an instance profile of the Call's
// account, as IAM keeps it; the ARN must be the profile's own (its path
// and account included), as IAM resolves it.
func (r ecsRoles) InstanceProfileRole(ctx context.Context, c ecs.Call, profileArn string) (string, error) {
	return instanceProfileRole(ctx, r.res, c.Account, profileArn)
}

func instanceProfileRole(ctx context.Context, res resolve.IAM, account, profileArn string) (string, error) {
	_, p, err := res.InstanceProfileRef(ctx, account, profileArn)
	if err != nil {
		return "", err
	}
	if p == nil || !strings.HasPrefix(profileArn, "arn:") {
		return "", awserr.NoSuchEntity("Instance Profile %s cannot be found.", profileArn[strings.LastIndexByte(profileArn, '/')+1:])
	}
	if len(p.Roles) == 0 {
		return "", nil
	}
	return p.Roles[0].Arn, nil
}

// keptService: the services whose resources, and their policies, rolecall
// keeps.
var keptService = map[string]bool{"iam": true, "sts": true, "ecs": true}

// ecsRoleUsage is ECS's answer to IAM deleting the service-linked role of
// principal: which clusters (or Managed Instances capacity providers), in
// which Regions, still use it.
func ecsRoleUsage(svc *ecs.Service, servicePrincipal string) iam.RoleUsage {
	return iam.RoleUsageFunc(func(ctx context.Context, account, _ string) ([]iam.Usage, error) {
		rs, err := svc.RoleUsage(ctx, account, servicePrincipal)
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
