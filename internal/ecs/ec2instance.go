package ecs

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

// The container instance role, as AWS uses it ("Amazon ECS container
// instance IAM role",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html):
// the ECS agent on an EC2 instance calls ECS with the credentials of the
// instance's role, which EC2 delivers through the instance metadata
// service as a session of the role named after the instance
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/i-...). ECS registers the
// container instance for that EC2 instance, and remembers the role.

// EC2Instances is what ECS may ask of EC2 about its instances; Roles
// implementations may provide it (internal/app does, from
// internal/instances). Without it, no caller is taken for an instance.
type EC2Instances interface {
	// EC2InstanceRole is the role (ARN and unique ID) of the credentials
	// EC2 delivers now to instance instanceID of account: its instance
	// profile's current role. running is false when there is no such
	// running instance; the role is "" when the profile holds none.
	EC2InstanceRole(ctx context.Context, account, instanceID string) (running bool, roleArn, roleID string, err error)
}

// principalEC2 is the service principal that assumes instance roles.
const principalEC2 = "ec2.amazonaws.com"

// callerInstance is the EC2 instance whose instance role credentials the
// caller signs with: a session of a role that ec2.amazonaws.com assumed,
// named after an instance that runs in the caller's account with that
// role. "" when the caller is not one (a user, root, or a session someone
// named after an instance).
func (s *Service) callerInstance(ctx context.Context, c Call) (string, error) {
	p := c.Principal
	if p == nil || p.Kind != principal.AssumedRole || p.AssumedBy != principalEC2 || !strings.HasPrefix(p.SessionName, "i-") {
		return "", nil
	}
	ec2, ok := s.roles.(EC2Instances)
	if !ok {
		return "", nil
	}
	// The session must be of the role the instance is given now: a
	// session of a role since replaced in the profile, or deleted and
	// created again, is no longer the instance's.
	_, role, id, err := ec2.EC2InstanceRole(ctx, c.Account, p.SessionName)
	if err != nil || role == "" || role != p.RoleARN || id != p.RoleID {
		return "", err
	}
	return p.SessionName, nil
}

// isEC2Instance: instanceID is a running instance of EC2's (a rolecall
// instance), whose registrations only its own role credentials may make.
func (s *Service) isEC2Instance(ctx context.Context, account, instanceID string) (bool, error) {
	ec2, ok := s.roles.(EC2Instances)
	if !ok || instanceID == "" {
		return false, nil
	}
	running, _, _, err := ec2.EC2InstanceRole(ctx, account, instanceID)
	return running, err
}

// errNotTheInstance: a registration of a rolecall EC2 instance (named by
// the identity document, or the container instance it registered) that
// its own role credentials do not sign. AWS verifies the document's
// signature, which only the instance can produce; rolecall's wording.
func errNotTheInstance(instanceID string) error {
	return clientException("The container instance of EC2 instance %s can be registered only with that instance's role credentials (its instance identity document is signed by EC2).", instanceID)
}

// agentRole is the role the ECS agent of container instance r acts with
// now, and the session it is in: for an instance that registered with its
// role credentials, EC2's current role for it (terminated: ok is false);
// otherwise the role it registered with.
func (s *Service) agentRole(ctx context.Context, c Call, r *instanceRecord) (role, session string, ok bool, err error) {
	if !r.EC2 {
		return r.RoleArn, r.Instance.Ec2InstanceId, true, nil
	}
	ec2, isEC2 := s.roles.(EC2Instances)
	if !isEC2 {
		return r.RoleArn, r.Instance.Ec2InstanceId, true, nil
	}
	running, role, _, err := ec2.EC2InstanceRole(ctx, c.Account, r.Instance.Ec2InstanceId)
	return role, r.Instance.Ec2InstanceId, running, err
}

// errIdentityMismatch: a registration whose instance identity document
// names another instance than the one whose role credentials sign it.
// rolecall's wording: AWS verifies the document's signature, which
// rolecall's documents do not carry.
func errIdentityMismatch(doc, caller string) error {
	return clientException("The instance identity document names instance %s, but the request is signed with the instance role credentials of instance %s.", doc, caller)
}

// InstanceRole is the role a container instance registered with: the
// role of the credentials that signed its RegisterContainerInstance (the
// container instance role), "" when they were no role's. The container
// instance is named by its ARN in the Call's account and Region
// (arn:aws:ecs:REGION:ACCOUNT:container-instance/CLUSTER/ID).
func (s *Service) InstanceRole(ctx context.Context, c Call, containerInstanceArn string) (string, error) {
	rest, ok := resourceOf(c, containerInstanceArn, "container-instance")
	cluster, id, long := strings.Cut(rest, "/")
	if !ok || !long || id == "" || strings.Contains(id, "/") {
		return "", errContainerInstanceNotFound()
	}
	var role string
	err := s.view(ctx, c, func(tx store.Tx) error {
		r, err := loadInstance(tx, c, cluster, id)
		if err != nil {
			return err
		}
		if r == nil {
			return errContainerInstanceNotFound()
		}
		role = r.RoleArn
		return nil
	})
	return role, err
}
