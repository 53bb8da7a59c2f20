package app

import (
	"context"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/imds"

	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/instances"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/resolve"
	"github.com/rolecall/rolecall/internal/sts"
)

// ec2Roles answers what EC2 needs of IAM, STS and the authorizer
// (instances.Roles): the instance profile as stored, the caller's
// iam:PassRole of its role to ec2.amazonaws.com (the same decision ECS's
// roles take, ecsRoles.PassRole), and ec2.amazonaws.com assuming the role
// through STS, its trust policy deciding.
type ec2Roles struct {
	res   resolve.IAM
	roles ecsRoles
	sts   *sts.Service
}

func (r ec2Roles) InstanceProfile(ctx context.Context, account, ref string) (*instances.Profile, error) {
	_, p, err := r.res.InstanceProfileRef(ctx, account, ref)
	if err != nil || p == nil {
		return nil, err
	}
	out := &instances.Profile{Arn: p.Arn, Name: p.InstanceProfileName, ID: p.InstanceProfileId}
	if len(p.Roles) > 0 {
		out.RoleArn, out.RoleName, out.RoleID = p.Roles[0].Arn, p.Roles[0].RoleName, p.Roles[0].RoleId
	}
	return out, nil
}

// PassRole: iam:PassRole with iam:PassedToService ec2.amazonaws.com and
// iam:AssociatedResourceArn the instance ("StringLike":
// {"iam:AssociatedResourceARN": "arn:aws:ec2:REGION:ACCOUNT:instance/*"}
// is how policies scope it; the exact value EC2 sends at launch is
// unverified).
func (r ec2Roles) PassRole(ctx context.Context, c instances.Call, roleArn, instanceArn string) error {
	return r.roles.PassRole(ctx, ecs.Call{Account: c.Account, Region: c.Region, Principal: c.Principal}, roleArn, instances.PrincipalEC2, instanceArn)
}

// AssumeRole: ec2.amazonaws.com assumes the role for the instance. It
// sends no aws:SourceAccount or aws:SourceArn: EC2 is not among the
// services documented to send them when it delivers instance role
// credentials (unverified either way; prowler-cloud/prowler #2810 treats
// EC2's trust policies as unable to use them).
func (r ec2Roles) AssumeRole(ctx context.Context, account, region, roleArn, session string) (*principal.Session, error) {
	return r.sts.AssumeRoleAsService(ctx, instances.PrincipalEC2, account, roleArn, session, region, nil)
}

// ecsInstanceRoles are ECS's role decisions with what EC2 knows of its
// instances: ECS asks which role a rolecall instance's credentials are of
// when the ECS agent registers it (ecs.EC2Instances), and ECS Managed
// Instances launches and terminates instances (ecs.ManagedEC2), whose
// metadata services listen as any instance's.
type ecsInstanceRoles struct {
	ecsRoles
	ec2      *instances.Service
	metadata *imds.Server
}

// RunManagedInstance launches the instance as ECS does, acting with the
// infrastructure role (whose session in.LaunchedBy names): an EC2 managed
// instance that ecs.amazonaws.com operates. ECS decided the launch's
// permissions, iam:PassRole included, on that role before.
func (r ecsInstanceRoles) RunManagedInstance(ctx context.Context, c ecs.Call, in ecs.ManagedInstance) (string, error) {
	ln, err := imds.Listen(0)
	if err != nil {
		return "", err
	}
	inst, err := r.ec2.LaunchManaged(ctx, instances.Call{Account: c.Account, Region: c.Region}, instances.ManagedLaunchInput{
		LaunchInput: instances.LaunchInput{InstanceProfile: in.ProfileArn, MetadataPort: imds.Port(ln)},
		Operator:    ecs.PrincipalECS, LaunchedBy: in.LaunchedBy, Tags: in.Tags})
	if err != nil {
		ln.Close()
		return "", err
	}
	r.metadata.Serve(*inst, ln)
	return inst.InstanceId, nil
}

// InstanceCredentials: what the instance's metadata service gives now
// (instances.Service.RoleCredentials, as the agent reads it), and the role
// of those credentials.
func (r ecsInstanceRoles) InstanceCredentials(ctx context.Context, account, id string) (string, string, error) {
	rc, err := r.ec2.RoleCredentials(ctx, account, id)
	if err != nil {
		return "", "", err
	}
	if rc.Code != instances.CodeSuccess || rc.AccessKeyId == "" {
		return "", rc.Message, nil
	}
	return rc.RoleArn, "", nil
}

// TerminateManagedInstance terminates the instance for ECS (its decision,
// with AWSServiceRoleForECSCompute, taken), and stops its metadata
// service. One terminated, or gone, already is no error.
func (r ecsInstanceRoles) TerminateManagedInstance(ctx context.Context, c ecs.Call, id string) error {
	_, _, err := r.ec2.Terminate(ctx, instances.Call{Account: c.Account, Region: c.Region}, id)
	r.metadata.Close(id)
	if awserr.Code(err) == "InvalidInstanceID.NotFound" {
		return nil
	}
	return err
}

func (r ecsInstanceRoles) EC2InstanceRole(ctx context.Context, account, instanceID string) (bool, string, string, error) {
	a, err := r.ec2.AgentRole(ctx, account, instanceID)
	return a.Running, a.RoleArn, a.RoleID, err
}
