package authz

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/policy"
)

// Decisions a service makes inside an operation, on the caller's behalf.

// PassRoleRequest is an iam:PassRole check.
type PassRoleRequest struct {
	Principal *auth.Principal
	Account   string // the account the call acts in (the principal's)
	Region    string
	RoleArn   string
	// PassedToService is the service principal that receives the role
	// ("ecs-tasks.amazonaws.com"): iam:PassedToService.
	PassedToService string
	// AssociatedResourceArn is the resource the role is passed for, when
	// the service knows it: iam:AssociatedResourceArn.
	AssociatedResourceArn string
}

// PassRole checks that principal may pass roleArn to passedToService:
// iam:PassRole on the role's ARN, with iam:PassedToService ("Passing a
// role to a service": the caller needs iam:PassRole; IAM User Guide,
// "Grant a user permissions to pass a role to an AWS service"). The
// request's id, address and transport come from ctx (WithMeta).
//
// A denial is AccessDenied worded as AWS words it, which the calling
// service returns in its own error shape (ECS: AccessDeniedException,
// 400): "User: ARN is not authorized to perform: iam:PassRole on resource:
// ROLE-ARN because no identity-based policy allows the iam:PassRole
// action" (aws-facts.md: RunTask and RegisterTaskDefinition without
// iam:PassRole). PassRole does not check that the role exists: AWS
// authorizes the ARN.
//
// AWS checks iam:PassRole where a role is handed to a service that will
// use it (ECS task definitions, services, capacity providers; EC2
// RunInstances and AssociateIamInstanceProfile for instance profiles),
// not when a role is put in an instance profile.
func (a *Authorizer) PassRole(ctx context.Context, principal *auth.Principal, roleArn, passedToService string) error {
	p := principalOf(principal, "")
	return a.PassRoleFor(ctx, PassRoleRequest{Principal: p, Account: p.Account, RoleArn: roleArn, PassedToService: passedToService})
}

// PassRoleFor is PassRole with the request's Region and associated
// resource.
func (a *Authorizer) PassRoleFor(ctx context.Context, r PassRoleRequest) error {
	if a == nil || a.mode == Off {
		return nil
	}
	extra := func(c *policy.Context) {
		if r.PassedToService != "" {
			c.Set("iam:PassedToService", r.PassedToService)
		}
		if r.AssociatedResourceArn != "" {
			c.Set("iam:AssociatedResourceArn", r.AssociatedResourceArn)
		}
	}
	return a.onBehalf(ctx, r.Principal, r.Account, r.Region, "PassRole", func(rq *reqInfo) (target, error) {
		return rq.roleByARN(r.RoleArn)
	}, extra)
}

// CreateServiceLinkedRole checks that principal may have a service create
// its service-linked role on the principal's behalf, as when ECS's
// CreateCluster creates AWSServiceRoleForECS: iam:CreateServiceLinkedRole
// with iam:AWSServiceName, through the service (aws:ViaAWSService true,
// aws:CalledVia the calling service: the request is the caller's, made by
// the service for it). Services create the role only when this allows;
// "the cluster is created; the SLR is not" otherwise (aws-facts.md).
func (a *Authorizer) CreateServiceLinkedRole(ctx context.Context, principal *auth.Principal, account, region, servicePrincipal, calledVia string) error {
	if a == nil || a.mode == Off {
		return nil
	}
	extra := func(c *policy.Context) {
		c.Set("iam:AWSServiceName", servicePrincipal)
		if calledVia != "" {
			c.Set("aws:ViaAWSService", "true")
			c.Set("aws:CalledVia", calledVia)
			c.Set("aws:CalledViaFirst", calledVia)
			c.Set("aws:CalledViaLast", calledVia)
		}
	}
	return a.onBehalf(ctx, principal, account, region, "CreateServiceLinkedRole", func(rq *reqInfo) (target, error) {
		return slrTarget(rq.call.Account, servicePrincipal, ""), nil
	}, extra)
}

// onBehalf decides one IAM action for principal inside another operation.
func (a *Authorizer) onBehalf(ctx context.Context, principal *auth.Principal, account, region, op string, resolve func(*reqInfo) (target, error), extra func(*policy.Context)) error {
	p := principalOf(principal, account)
	if account == "" {
		account = p.Account
	}
	meta := metaFrom(ctx)
	call := &api.Call{Account: account, Region: region, RequestID: meta.RequestID, Principal: p}
	action := actionName("iam", op)
	if p.Kind == auth.Root && p.Account == account {
		a.record(&Record{Time: a.now(), RequestID: meta.RequestID, Principal: p.ARN, PrincipalType: p.Kind.String(),
			Action: action, Region: region, Decision: "allowed", Enforced: a.mode == On, Mode: a.mode.String(),
			Reason: "the account's root user may do everything in its own account"})
		return nil
	}
	rq := &reqInfo{a: a, ctx: ctx, call: call, p: p, service: "iam", op: op, action: action, meta: meta}
	rq.info, rq.known = actions.Action("iam", op)
	pe, err := a.principal(ctx, p)
	if err != nil {
		return err
	}
	rq.pe = pe
	t, err := resolve(rq)
	if err != nil {
		return err
	}
	_, err = a.decide(rq, []target{t}, extra, meta.RequestID)
	if err != nil {
		return err
	}
	return nil
}

// roleByARN is the target of a role given by ARN, with its tags when it
// is in the caller's account.
func (rq *reqInfo) roleByARN(roleArn string) (target, error) {
	t := target{arn: roleArn, display: roleArn, typ: "role"}
	a, err := arn.Parse(roleArn)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return t, nil
	}
	if a.Account != rq.call.Account {
		// Another account's role: no identity policy of this account can
		// pass it alone (cross-account evaluation).
		t.account = a.Account
		return t, nil
	}
	name := a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
	t.e, err = rq.iamEntity("role", name)
	return t, err
}
