package ecs

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
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
	// unassumable names the role ecs-tasks.amazonaws.com could not
	// assume; refused is the stoppedReason of a request the execution
	// role was refused. Either stops the task before it runs.
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

// launchRoles does with a task's roles what ECS and its agent do when the
// task starts: ecs-tasks.amazonaws.com assumes the execution role, then the
// task role, each in a session named after the task ID, for the task
// (aws:SourceArn); then the agent makes the execution role's requests
// (registry authentication, secrets, environment files, the image pull,
// the log streams), in that order, as the one model of ECS's role use
// lists them. The first refusal is the task's stoppedReason.
func (s *Service) launchRoles(ctx context.Context, c Call, l *launch, taskArn string, on *instanceRecord) (started, error) {
	executionRole, taskRole := l.roles()
	var st started
	if l.managed != nil {
		refused, err := s.launchInstance(ctx, c, l.managed)
		if err != nil || refused != "" {
			return started{refused: refused}, err
		}
	}
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
			return started{unassumable: arn}, nil
		}
		if i == 0 {
			st.sess.execution = got
		} else {
			st.sess.task = got
		}
	}
	// Who makes the agent's requests: the execution role, in the task's
	// session; on a container instance without one, the instance role, in
	// the instance's session (the credentials the agent has from the
	// instance metadata service).
	platform := ecsroles.Platform(l.launchType)
	def := l.def.Def
	def.ExecutionRoleArn, def.TaskRoleArn = executionRole, taskRole
	uses := ecsroles.ForTask(envOf(c), &def, platform, ecsroles.TaskOptions{Cluster: l.cluster.Cluster.ClusterName, TaskID: taskIDOf(taskArn)})
	role, session, needs := roleARN(c, executionRole), taskIDOf(taskArn), uses.Execution.Needs
	if executionRole == "" {
		if on == nil {
			return st, nil
		}
		agent, sess, running, err := s.agentRole(ctx, c, on)
		if err != nil {
			return started{}, err
		}
		if !running {
			return started{refused: hostTerminatedReason(on.Instance.Ec2InstanceId)}, nil
		}
		if agent == "" {
			if on.EC2 && len(ecsroles.AtLaunch(uses.Instance.Needs)) > 0 {
				return started{refused: noCredentialsReason()}, nil
			}
			return st, nil // registered without a role: nothing known to decide with
		}
		role, session, needs = agent, sess, uses.Instance.Needs
	}
	n, denial, err := s.firstRefused(ctx, c, role, session, ecsroles.AtLaunch(needs))
	if err != nil || denial == "" {
		return st, err
	}
	return started{refused: ecsroles.Refusal(n, platform, denial, s.gen.UUID())}, nil
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

// launchInstance is what ECS does with a Managed Instances capacity
// provider's roles to launch an instance for a task: it assumes the
// infrastructure role, then creates the launch template and fleet, runs
// and tags the instance, and passes the instance profile's role to EC2,
// each decided on the role's own policies; then the instance's agent
// registers it with the instance role (AmazonECSInfrastructureRolePolicyForManagedInstances
// allows them, the PassRole only for roles named ecsInstanceRole*: "a
// mismatched name causes an authorization error at task launch",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-instance-profile.html).
// refused is the task's stoppedReason when one is refused. rolecall keeps
// no instances: each launch is decided as if it needed a new one.
func (s *Service) launchInstance(ctx context.Context, c Call, p *types.CapacityProvider) (refused string, err error) {
	mi := p.ManagedInstancesProvider
	in := ecsroles.ProviderInput{Provider: p, Clusters: []string{p.Cluster}}
	if lt := mi.InstanceLaunchTemplate; lt != nil && lt.Ec2InstanceProfileArn != "" {
		role, err := s.roles.InstanceProfileRole(ctx, c, lt.Ec2InstanceProfileArn)
		if err != nil {
			if !awserr.IsClient(err) {
				return "", err
			}
			return ecsroles.InstanceLaunchReason(p.Name, awserr.As(err).Message), nil
		}
		in.InstanceRoleARN = role
	}
	session := ecsroles.About[ecsroles.MIInfrastructure].Session
	if _, err := s.roles.AssumeAsService(ctx, c, PrincipalECS, mi.InfrastructureRoleArn, session, p.CapacityProviderArn); err != nil {
		if !awserr.IsClient(err) {
			return "", err
		}
		return ecsroles.InstanceLaunchReason(p.Name, awserr.As(errInfrastructureRole(mi.InfrastructureRoleArn)).Message), nil
	}
	needs := map[ecsroles.Kind][]RoleAction{}
	for _, u := range ecsroles.ForProvider(envOf(c), in) {
		needs[u.Kind] = append(needs[u.Kind], u.Needs...)
	}
	if _, denial, err := s.firstRefused(ctx, c, mi.InfrastructureRoleArn, session, needs[ecsroles.MIInfrastructure]); err != nil {
		return "", err
	} else if denial != "" {
		return ecsroles.InstanceLaunchReason(p.Name, denial), nil
	}
	// The instance runs, and its agent registers it with the instance
	// role: EC2 has ec2.amazonaws.com assume the role for the instance
	// (its session named after the instance), and the agent's calls are
	// the role's own (AmazonECSInstanceRolePolicyForManagedInstances).
	if in.InstanceRoleARN == "" {
		return "", nil
	}
	instance := "i-" + s.hexID()[:17]
	if _, err := s.roles.AssumeAsService(ctx, c, ecsroles.PrincipalEC2, in.InstanceRoleARN, instance, ""); err != nil {
		if !awserr.IsClient(err) {
			return "", err
		}
		return ecsroles.InstanceLaunchReason(p.Name, awserr.As(err).Message), nil
	}
	if _, denial, err := s.firstRefused(ctx, c, in.InstanceRoleARN, instance, needs[ecsroles.MIInstance]); err != nil {
		return "", err
	} else if denial != "" {
		return ecsroles.InstanceLaunchReason(p.Name, denial), nil
	}
	return "", nil
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
