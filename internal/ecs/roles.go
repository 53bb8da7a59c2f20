package ecs

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
)

// Roles is every decision ECS takes about IAM roles, answered by IAM and
// STS (the server wires them; this package imports neither). Errors are
// *awserr.Error values as IAM and STS word them (NoSuchEntity for a role
// that does not exist, AccessDenied for a refused action); ECS turns them
// into its own codes and texts where AWS's ECS does.
type Roles interface {
	// EnsureServiceLinkedRole creates the service-linked role of the
	// service principal (ecs.amazonaws.com, ecs-compute.amazonaws.com) in
	// the caller's account unless it exists, on the caller's behalf: the
	// caller needs iam:CreateServiceLinkedRole for it to be created.
	EnsureServiceLinkedRole(ctx context.Context, c Call, principal string) (created bool, err error)
	// ServiceLinkedRoleExists says whether the account has the
	// service-linked role of principal: ECS acts through it.
	ServiceLinkedRoleExists(ctx context.Context, account, principal string) (bool, error)
	// DeleteServiceLinkedRole deletes the service-linked role of principal
	// at once, as ECS does with AWSServiceRoleForECSCompute when the last
	// Managed Instances capacity provider goes.
	DeleteServiceLinkedRole(ctx context.Context, account, principal string) (deleted bool, err error)
	// LinkedRoleUsed has ECS act through the service-linked role of
	// principal in the Call's Region: each action is evaluated against the
	// role's own policies (AmazonECSServiceRolePolicy for
	// AWSServiceRoleForECS), and once all are allowed the role's use is
	// recorded: RoleLastUsed, and Access Advisor for each action's service.
	// No role, no record and no error: callers check it exists first.
	LinkedRoleUsed(ctx context.Context, c Call, principal string, actions ...RoleAction) error
	// PassRole checks that the caller may pass roleArn to the service
	// passedToService (iam:PassRole with iam:PassedToService, and
	// iam:AssociatedResourceArn when associated names the resource the
	// role is for), and that the role exists.
	PassRole(ctx context.Context, c Call, roleArn, passedToService, associated string) error
	// AssumeAsService has servicePrincipal assume roleArn for session, as
	// AWS does when ECS uses a role on the caller's behalf: the role's
	// trust policy must allow the service, which sends the Call's account
	// as aws:SourceAccount and sourceArn (the task, service or capacity
	// provider the role is used for) as aws:SourceArn. The answer is the
	// session's temporary credentials (a task's role credentials).
	AssumeAsService(ctx context.Context, c Call, servicePrincipal, roleArn, session, sourceArn string) (*principal.Session, error)
	// RoleAllows evaluates each action against the permissions of a
	// session (named session) of roleArn, the role's identity policies and
	// boundary, as AWS does when ECS calls another service with a role
	// it assumed (the legacy service role registering targets); once all
	// are allowed it records the role's use of their services (Access
	// Advisor). A refusal is AccessDenied with AWS's text, naming the
	// session.
	RoleAllows(ctx context.Context, c Call, roleArn, session string, actions ...RoleAction) error
}

// RoleAction is one call ECS makes with a role: an IAM action
// ("elasticloadbalancing:RegisterTargets") on a resource ARN, or "*" for
// actions without resource types.
type RoleAction struct {
	Action, Resource string
}

// isNoSuchRole: the role does not exist, or the ARN names none.
func isNoSuchRole(err error) bool {
	switch awserr.Code(err) {
	case "NoSuchEntity", "ValidationError", "InvalidInput":
		return true
	}
	return false
}

// asAccessDenied turns IAM's or STS's AccessDenied (403) into the
// AccessDeniedException ECS answers, with status 400 and the same text
// (awserr.AsJSONDenied).
func asAccessDenied(err error) (out error, ok bool) { return awserr.AsJSONDenied(err) }

// roleARN turns a role given by name ("name" or "/path/name") into its
// ARN in the caller's account; ARNs pass as they are. ECS accepts both
// for a service's role (CreateService reference: "If your specified role
// has a path other than /, then you must either specify the full role ARN
// ... or prefix the role name with the path").
func roleARN(c Call, role string) string {
	if role == "" || isARN(role) {
		return role
	}
	return "arn:aws:iam::" + c.Account + ":role/" + strings.TrimPrefix(role, "/")
}

// passTaskRoles checks that the caller may pass a task's roles to
// ecs-tasks.amazonaws.com. A role that does not exist is not refused here:
// the task then fails to start, as AWS's does. A denial is the call's
// AccessDeniedException.
func (s *Service) passTaskRoles(ctx context.Context, c Call, roles ...string) error {
	for _, r := range roles {
		if r == "" {
			continue
		}
		err := s.roles.PassRole(ctx, c, roleARN(c, r), PrincipalECSTasks, "")
		if err == nil || isNoSuchRole(err) {
			continue
		}
		err, _ = asAccessDenied(err)
		return err
	}
	return nil
}

// taskSessions are the role sessions a task launched with: ECS keeps them
// for the task (the task role's credentials are served to its containers,
// credentials.go).
type taskSessions struct {
	execution, task *principal.Session
}

// assumeTaskRoles has ecs-tasks.amazonaws.com assume a task's execution
// role, then its task role, as ECS does when the task launches, each in a
// session named after the task ID, for the task (aws:SourceArn). failed
// names the role that could not be assumed: its text is the task's
// stoppedReason.
func (s *Service) assumeTaskRoles(ctx context.Context, c Call, taskArn, executionRole, taskRole string) (failed string, sess taskSessions, err error) {
	for i, r := range []string{executionRole, taskRole} {
		if r == "" {
			continue
		}
		arn := roleARN(c, r)
		got, err := s.roles.AssumeAsService(ctx, c, PrincipalECSTasks, arn, taskIDOf(taskArn), taskArn)
		if err != nil {
			if !awserr.IsClient(err) {
				return "", taskSessions{}, err
			}
			return arn, taskSessions{}, nil
		}
		if i == 0 {
			sess.execution = got
		} else {
			sess.task = got
		}
	}
	return "", sess, nil
}

// unableToAssume is the reason a task whose role ecs-tasks.amazonaws.com
// cannot assume stops with (aws-facts.md: aws-samples/
// aws-modern-application-workshop #88, #149, #232; telia-oss/
// terraform-aws-ecs-fargate #58).
func unableToAssume(roleArn string) string {
	return "ECS was unable to assume the role '" + roleArn + "' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role."
}
