package resolve

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/instances"
)

// EC2 resolves the EC2 instances rolecall simulates (internal/instances).
// AWS's messages name an instance by ARN ("ec2:RunInstances on resource:
// arn:aws:ec2:us-east-2:ACCOUNT:instance/*", aws/karpenter-provider-aws
// #7370).
type EC2 struct {
	Svc *instances.Service
}

// NewInstance is what RunInstances launches in account and region, as
// AWS names it: instance/*; profileArn, the instance profile as stored
// ("" when there is none), is its ec2:InstanceProfile.
func NewInstance(account, region, profileArn string) authz.Target {
	t := authz.Target{ARN: "arn:aws:ec2:" + region + ":" + account + ":instance/*", Type: "instance"}
	t.Keys.Set("ec2:Region", region)
	if profileArn != "" {
		t.Keys.Set("ec2:InstanceProfile", profileArn)
	}
	return t
}

// Instance is the stored instance id of account: its ARN in its Region,
// with the keys EC2 gives an instance (ec2:InstanceID,
// ec2:InstanceProfile, ec2:InstanceType, ec2:AvailabilityZone,
// ec2:Region); nil and InvalidInstanceID.NotFound when account has none
// (another account's instances are not found, as in EC2).
func (r EC2) Instance(ctx context.Context, account, id string) (authz.Target, *instances.Instance, error) {
	inst, err := r.Svc.Get(ctx, account, id)
	if err != nil {
		return authz.Target{}, nil, err
	}
	t := authz.Target{ARN: inst.ARN(), Type: "instance", Tags: inst.Tags}
	t.Keys.Set("ec2:InstanceID", inst.InstanceId)
	if inst.InstanceProfileArn != "" {
		t.Keys.Set("ec2:InstanceProfile", inst.InstanceProfileArn)
	}
	t.Keys.Set("ec2:InstanceType", inst.InstanceType)
	t.Keys.Set("ec2:AvailabilityZone", inst.AvailabilityZone)
	t.Keys.Set("ec2:Region", inst.Region)
	return t, inst, nil
}

// InstanceIn is the instance id of account in region as Instance
// targets it; for an ID that names none there (another account's,
// another Region's, malformed), the ARN AWS would form, and a nil
// instance: the operation answers as EC2 does once the decision is
// taken.
func (r EC2) InstanceIn(ctx context.Context, account, region, id string) (authz.Target, *instances.Instance, error) {
	t, inst, err := r.Instance(ctx, account, id)
	switch {
	case awserr.IsClient(err) || err == nil && inst.Region != region:
		return authz.Target{ARN: instances.InstanceARN(region, account, id), Type: "instance"}, nil, nil
	case err != nil:
		return authz.Target{}, nil, err
	}
	return t, inst, nil
}

// AssociationInstance is the instance whose instance profile association
// is associationID, in account and region, as Instance targets it; any
// instance of theirs (instance/*) when there is none.
func (r EC2) AssociationInstance(ctx context.Context, account, region, associationID string) (authz.Target, error) {
	inst, err := r.Svc.AssociationInstance(ctx, instances.Call{Account: account, Region: region}, associationID)
	switch {
	case awserr.IsClient(err):
		return authz.Target{ARN: instances.InstanceARN(region, account, "*"), Type: "instance"}, nil
	case err != nil:
		return authz.Target{}, err
	}
	t, _, err := r.InstanceIn(ctx, account, region, inst.InstanceId)
	return t, err
}

// Unnamed is the target of an EC2 action that has no resource
// (ec2:DescribeInstances): EC2's denial names none ("... is not
// authorized to perform: ec2:DescribeInstances because no identity-based
// policy allows ...", the form AWS's messages take without a resource;
// unverified for EC2, whose older answers to Describe* said only "You
// are not authorized to perform this operation.").
func Unnamed() authz.Target { return authz.Target{ARN: "*", Unnamed: true} }

// Image is an AMI as RunInstances launches from it
// (arn:aws:ec2:REGION::image/ID, no account), with ec2:ImageID. rolecall
// keeps no images: their owners, types and tags are not known.
func Image(region, id string) authz.Target {
	t := authz.Target{ARN: "arn:aws:ec2:" + region + "::image/" + id, Type: "image"}
	t.Keys.Set("ec2:ImageID", id)
	t.Keys.Set("ec2:Region", region)
	return t
}

// InstanceProfileRef is the instance profile account names by name or by
// ARN (RunInstances' IamInstanceProfile takes either): its target (as
// InstanceProfile) and the profile with its role. An ARN must be the
// profile's own, path included, in account: EC2 launches with the
// caller's own profiles only. profile is nil when there is none.
func (r IAM) InstanceProfileRef(ctx context.Context, account, ref string) (authz.Target, *iam.InstanceProfile, error) {
	name := ref
	if isARN(ref) {
		a, err := arn.Parse(ref)
		kind, rest, _ := strings.Cut(a.Resource, "/")
		if err != nil || a.Service != "iam" || a.Account != account || kind != "instance-profile" || rest == "" {
			return authz.Target{ARN: ref, Type: "instance-profile"}, nil, nil
		}
		name = rest[strings.LastIndexByte(rest, '/')+1:]
	}
	t, err := r.InstanceProfile(ctx, account, name)
	if err != nil {
		return t, nil, err
	}
	if isARN(ref) && t.ARN != ref {
		// The ARN's path is not the profile's: no such profile.
		return authz.Target{ARN: ref, Type: "instance-profile"}, nil, nil
	}
	p, err := get(r.Cache, "instance-profile-roles\x00"+account+"\x00"+strings.ToLower(name), func() (*iam.InstanceProfile, error) {
		p, err := r.Svc.GetInstanceProfile(ctx, account, name)
		if awserr.IsClient(err) {
			return nil, nil
		}
		return p, err
	})
	return t, p, err
}
