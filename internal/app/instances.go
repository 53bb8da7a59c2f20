package app

import (
	"context"

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
// when the ECS agent registers it (ecs.EC2Instances).
type ecsInstanceRoles struct {
	ecsRoles
	ec2 *instances.Service
}

func (r ecsInstanceRoles) EC2InstanceRole(ctx context.Context, account, instanceID string) (bool, string, string, error) {
	a, err := r.ec2.AgentRole(ctx, account, instanceID)
	return a.Running, a.RoleArn, a.RoleID, err
}
