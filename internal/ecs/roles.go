package ecs

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecsroles"
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
	// InstanceProfileRole is the ARN of the role an instance profile (given
	// by ARN) holds in the Call's account, "" when it holds none; IAM's
	// NoSuchEntity when there is no such profile.
	InstanceProfileRole(ctx context.Context, c Call, profileArn string) (string, error)
}

// RoleAction is one request ECS makes with a role, as the one model of
// ECS's role use says it: an IAM action ("elasticloadbalancing:RegisterTargets")
// on a resource ARN ("*" for actions without resource types), with the
// condition keys the request carries.
type RoleAction = ecsroles.Need

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

// started is how a task's launch went as far as its roles go.
type started struct {
	sess taskSessions
	// on is the container instance the task is placed on (EC2, and
	// Managed Instances once ECS has an instance for it), nil for none.
	on *instanceRecord
	// unassumable names the role ecs-tasks.amazonaws.com could not
	// assume; refused is the stoppedReason of a request the execution
	// role (or the agent, with the instance role) was refused, or of an
	// instance ECS could not launch. Either stops the task before it runs.
	unassumable string
	refused     string
}

// failedReason is the task's stoppedReason, "" when it starts.
func (st started) failedReason() string {
	if st.unassumable != "" {
		return unableToAssume(st.unassumable)
	}
	return st.refused
}

// instanceArn is the ARN of the container instance the task is placed on.
func (st started) instanceArn() string {
	if st.on == nil {
		return ""
	}
	return st.on.Instance.ContainerInstanceArn
}

// launchRoles does with a task's roles what ECS and its agent do when the
// task starts: on Managed Instances, ECS places it on an instance of the
// provider, launching one if none has room (placeManaged), unless it is
// placed already (a daemon's task, on its instance); then
// ecs-tasks.amazonaws.com assumes the execution role, then the task role,
// each in a session named after the task ID, for the task
// (aws:SourceArn); then the agent on the instance, with the instance's
// current role, takes the task (Managed Instances); then the execution
// role (on a container instance without one, the instance role) makes the
// agent's requests (registry authentication, secrets, environment files,
// the image pull, the log streams), in that order, as the one model of
// ECS's role use lists them. The first refusal is the task's
// stoppedReason.
func (s *Service) launchRoles(ctx context.Context, c Call, l *launch, taskArn string, on *instanceRecord) (started, error) {
	executionRole, taskRole := l.roles()
	if l.managed != nil && on == nil {
		placed, refused, err := s.placeManaged(ctx, c, l)
		if err != nil || refused != "" {
			return started{refused: refused}, err
		}
		on = placed
	}
	st := started{on: on}
	for i, r := range []string{executionRole, taskRole} {
		if r == "" {
			continue
		}
		arn := roleARN(c, r)
		got, err := s.roles.AssumeAsService(ctx, c, PrincipalECSTasks, arn, taskIDOf(taskArn), taskArn)
		if err != nil {
			if !awserr.IsClient(err) {
				return started{}, err
			}
			return started{on: on, unassumable: arn}, nil
		}
		if i == 0 {
			st.sess.execution = got
		} else {
			st.sess.task = got
		}
	}
	platform := ecsroles.Platform(l.launchType)
	def := l.def.Def
	def.ExecutionRoleArn, def.TaskRoleArn = executionRole, taskRole
	cluster := l.cluster.Cluster.ClusterName
	uses := ecsroles.ForTask(envOf(c), &def, platform, ecsroles.TaskOptions{Cluster: cluster, TaskID: taskIDOf(taskArn)})
	// The agent on the instance acts with the credentials it has from the
	// instance metadata service: the instance's session of the role its
	// instance profile gives it now. On Managed Instances it polls for
	// each task and reports its state (the agent's own calls); on a
	// container instance, a task without an execution role has it pull
	// and log as well.
	if on != nil && (l.managed != nil || executionRole == "") {
		var needs []RoleAction
		if l.managed != nil {
			needs = ecsroles.AgentForTask(ecsroles.AgentNeedsOn(envOf(c), cluster, taskIDOf(on.Instance.ContainerInstanceArn), true))
		}
		if executionRole == "" {
			needs = append(needs, ecsroles.AtLaunch(uses.Instance.Needs)...)
		}
		refused, err := s.agentRefused(ctx, c, on, platform, needs)
		if err != nil || refused != "" {
			st.refused = refused
			return st, err
		}
	}
	if executionRole == "" {
		return st, nil
	}
	n, denial, err := s.firstRefused(ctx, c, roleARN(c, executionRole), taskIDOf(taskArn), ecsroles.AtLaunch(uses.Execution.Needs))
	if err != nil || denial == "" {
		return st, err
	}
	st.refused = ecsroles.Refusal(n, platform, denial, s.gen.UUID())
	return st, nil
}

// agentRefused decides needs for the agent of container instance on, with
// the role it acts with now (agentRole): the stoppedReason of the first
// refused, "" when all are allowed. Its instance terminated, the task
// stops as AWS stops it; an instance that registered without a role has
// nothing known to decide with, but an EC2 instance whose profile gives it
// none has no credentials to make the requests.
func (s *Service) agentRefused(ctx context.Context, c Call, on *instanceRecord, platform ecsroles.Platform, needs []RoleAction) (string, error) {
	agent, session, running, err := s.agentRole(ctx, c, on)
	if err != nil {
		return "", err
	}
	if !running {
		return hostTerminatedReason(on.Instance.Ec2InstanceId), nil
	}
	if agent == "" {
		if on.EC2 && len(needs) > 0 {
			return noCredentialsReason(), nil
		}
		return "", nil
	}
	n, denial, err := s.firstRefused(ctx, c, agent, session, needs)
	if err != nil || denial == "" {
		return "", err
	}
	return ecsroles.Refusal(n, platform, denial, s.gen.UUID()), nil
}

// firstRefused decides needs, in order, for a session of role: the first
// refused and AWS's AccessDenied message for it ("" when all are
// allowed). Errors are other than a refusal.
func (s *Service) firstRefused(ctx context.Context, c Call, role, session string, needs []RoleAction) (RoleAction, string, error) {
	for _, n := range needs {
		err := s.roles.RoleAllows(ctx, c, role, session, n)
		if err == nil {
			continue
		}
		if !awserr.IsClient(err) {
			return RoleAction{}, "", err
		}
		return n, awserr.As(err).Message, nil
	}
	return RoleAction{}, "", nil
}

// hostTerminatedReason: AWS's reason for the tasks of an instance that
// was terminated ("Host EC2 (instance i-...) terminated.").
func hostTerminatedReason(instanceID string) string {
	return "Host EC2 (instance " + instanceID + ") terminated."
}

// noCredentialsReason: the instance's profile gives no role, and the agent
// has no credentials to pull with (the AWS SDK for Go's error, as the
// agent reports it).
func noCredentialsReason() string {
	return "CannotPullECRContainerError: NoCredentialProviders: no valid providers in chain. Deprecated."
}

// unableToAssume is the reason a task whose role ecs-tasks.amazonaws.com
// cannot assume stops with (aws-facts.md: aws-samples/
// aws-modern-application-workshop #88, #149, #232; telia-oss/
// terraform-aws-ecs-fargate #58).
func unableToAssume(roleArn string) string {
	return "ECS was unable to assume the role '" + roleArn + "' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role."
}
