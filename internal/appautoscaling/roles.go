package appautoscaling

import (
	"context"

	"github.com/rolecall/rolecall/internal/awserr"
)

// Roles is what Application Auto Scaling asks of IAM for its caller,
// answered by IAM through the one authorizer (internal/app wires them;
// this package imports neither). Errors are *awserr.Error values as IAM
// words them: AccessDenied for a refused action, NoSuchEntity for a role
// that does not exist.
type Roles interface {
	// EnsureServiceLinkedRole creates the service-linked role of the
	// service principal in the caller's account unless it exists, on the
	// caller's behalf: the caller needs iam:CreateServiceLinkedRole for it
	// to be created. It answers the role's ARN.
	EnsureServiceLinkedRole(ctx context.Context, c Call, principal string) (roleArn string, err error)
	// PassRole checks that the caller may pass roleArn to Application
	// Auto Scaling (iam:PassRole, with iam:PassedToService
	// application-autoscaling.amazonaws.com), and that the role exists.
	PassRole(ctx context.Context, c Call, roleArn string) error
}

// Services is what Application Auto Scaling does with ECS, acting as its
// service-linked role (internal/app wires ECS, IAM and the authorizer
// behind it): whether the service a target names exists (and is not
// deleted) in the Call's account and Region; the service's desired count
// (ecs:DescribeServices); and a new one (ecs:UpdateService). The role's
// refusal is an *awserr.Error AccessDenied, ECS's own errors (a service
// or cluster not found, a service no longer ACTIVE) are ECS's.
type Services interface {
	ServiceExists(ctx context.Context, c Call, cluster, service string) (bool, error)
	// DesiredCount answers found false, and no error, when there is no
	// such service or cluster.
	DesiredCount(ctx context.Context, c Call, cluster, service string) (n int32, found bool, err error)
	SetDesiredCount(ctx context.Context, c Call, cluster, service string, n int32) error
}

// roleARN checks the role a RoleARN names. AWS's user guide says that for
// ECS a legacy service role is ignored and the service-linked role used
// ("How Application Auto Scaling works with IAM", service roles; the
// target then shows the service-linked role, pulumi/pulumi-aws #718,
// aws/aws-cli #3165); the caller still passes the role it names
// (iam:PassRole: aws-controllers-k8s/applicationautoscaling-controller
// #35 had to allow it to update a target with its RoleARN), and a role
// that does not exist cannot be assumed.
func (s *Service) roleARN(ctx context.Context, c Call, roleArn string) error {
	err := s.roles.PassRole(ctx, c, roleArn)
	if err == nil {
		return nil
	}
	if err, denied := awserr.AsJSONDenied(err); denied {
		return err
	}
	if awserr.IsClient(err) {
		return UnableToAssumeRole(roleArn)
	}
	return err
}

// linkedRole is the ARN of the service-linked role the target uses,
// created for the caller if it does not exist ("Application Auto Scaling
// creates the service-linked role for the target service in your account,
// if the role does not exist already ... users must have permission for
// the iam:CreateServiceLinkedRole action", "Service-linked roles for
// Application Auto Scaling"; "a permission error occurs" otherwise, "How
// Application Auto Scaling works with IAM"). The error is IAM's
// AccessDenied in Application Auto Scaling's code and status, as a
// service creating its role for the caller answers (amazon-cloudwatch-
// auto-alarms #47: "is not authorized to perform:
// iam:CreateServiceLinkedRole on resource: arn:aws:iam::ACCOUNT:role/
// aws-service-role/..."); Application Auto Scaling's own wording of it is
// unverified.
func (s *Service) linkedRole(ctx context.Context, c Call) (string, error) {
	arn, err := s.roles.EnsureServiceLinkedRole(ctx, c, PrincipalECSService)
	if err != nil {
		err, _ = awserr.AsJSONDenied(err)
		return "", err
	}
	return arn, nil
}
