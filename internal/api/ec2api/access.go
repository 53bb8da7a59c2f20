package ec2api

import (
	"context"
	"maps"
	"slices"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/api/ec2api/types"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/instances"
	"github.com/rolecall/rolecall/internal/resolve"
)

// What each operation acts on, as the Service Authorization Reference
// names it ("Actions, resources, and condition keys for Amazon EC2",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
// DescribeInstances and DescribeIamInstanceProfileAssociations have no
// resource. Each instance is the stored one, with its tags and keys
// (resolve.EC2): an ID that names none of the caller's account and
// Region is decided on the ARN EC2 would form, and then not found.

// noResource: DescribeInstances and DescribeIamInstanceProfileAssociations
// have no resource (resolve.Unnamed).
func noResource[In any](context.Context, *api.Call, *In) (authz.Access, error) {
	return authz.Acting(resolve.Unnamed()), nil
}

// runInstancesAccess: the instance launched (instance/*, with its
// instance profile as stored, type, zone and tags) and the AMI. AWS also
// decides the network interface, security group, subnet and volume a
// launch uses; rolecall has no VPCs, and leaves them out.
func (h *handler) runInstancesAccess(ctx context.Context, c *api.Call, in *types.RunInstancesRequest) (authz.Access, error) {
	inst, err := h.newInstance(ctx, c, in)
	if err != nil {
		return authz.Access{}, err
	}
	targets := []authz.Target{inst}
	if in.ImageId != "" {
		targets = append(targets, resolve.Image(c.Region, in.ImageId))
	}
	return authz.Acting(targets...), nil
}

// newInstance is the instance RunInstances launches, with the keys the
// request gives it.
func (h *handler) newInstance(ctx context.Context, c *api.Call, in *types.RunInstancesRequest) (authz.Target, error) {
	profileArn := ""
	if ref := profileRef(in.IamInstanceProfile); ref != "" {
		_, p, err := h.iam.InstanceProfileRef(ctx, c.Account, ref)
		if err != nil {
			return authz.Target{}, err
		}
		if p != nil {
			profileArn = p.Arn
		}
	}
	t := resolve.NewInstance(c.Account, c.Region, profileArn)
	typ := in.InstanceType
	if typ == "" {
		typ = instances.DefaultInstanceType
	}
	t.Keys.Set("ec2:InstanceType", typ)
	t.Keys.Set("ec2:AvailabilityZone", c.Region+"a")
	tags := instanceTags(in)
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		t.Keys.Tag(k, tags[k])
	}
	return t, nil
}

// tagOnCreate: a launch that tags its instances needs ec2:CreateTags on
// them too, with ec2:CreateAction RunInstances ("Grant permission to tag
// Amazon EC2 resources during creation",
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
func (h *handler) tagOnCreate(ctx context.Context, c *api.Call, in *types.RunInstancesRequest) (authz.Access, error) {
	if len(instanceTags(in)) == 0 {
		return authz.Access{}, api.ErrNotNeeded
	}
	t, err := h.newInstance(ctx, c, in)
	if err != nil {
		return authz.Access{}, err
	}
	acc := authz.Acting(t)
	acc.Keys.Set("ec2:CreateAction", "RunInstances")
	return acc, nil
}

func (h *handler) terminateAccess(ctx context.Context, c *api.Call, in *types.TerminateInstancesRequest) (authz.Access, error) {
	var targets []authz.Target
	for _, id := range in.InstanceIds {
		t, _, err := h.ec2.InstanceIn(ctx, c.Account, c.Region, id)
		if err != nil {
			return authz.Access{}, err
		}
		targets = append(targets, t)
	}
	return authz.Acting(targets...), nil
}

// withNewProfile adds ec2:NewInstanceProfile, the instance profile an
// association gives, as stored.
func (h *handler) withNewProfile(ctx context.Context, c *api.Call, t authz.Target, p *types.IamInstanceProfileSpecification) (authz.Access, error) {
	acc := authz.Acting(t)
	if ref := profileRef(p); ref != "" {
		_, prof, err := h.iam.InstanceProfileRef(ctx, c.Account, ref)
		if err != nil {
			return authz.Access{}, err
		}
		if prof != nil {
			acc.Keys.Set("ec2:NewInstanceProfile", prof.Arn)
		}
	}
	return acc, nil
}

func (h *handler) associateAccess(ctx context.Context, c *api.Call, in *types.AssociateIamInstanceProfileRequest) (authz.Access, error) {
	t, _, err := h.ec2.InstanceIn(ctx, c.Account, c.Region, in.InstanceId)
	if err != nil {
		return authz.Access{}, err
	}
	return h.withNewProfile(ctx, c, t, in.IamInstanceProfile)
}

func (h *handler) replaceAccess(ctx context.Context, c *api.Call, in *types.ReplaceIamInstanceProfileAssociationRequest) (authz.Access, error) {
	t, err := h.ec2.AssociationInstance(ctx, c.Account, c.Region, in.AssociationId)
	if err != nil {
		return authz.Access{}, err
	}
	return h.withNewProfile(ctx, c, t, in.IamInstanceProfile)
}

func (h *handler) disassociateAccess(ctx context.Context, c *api.Call, in *types.DisassociateIamInstanceProfileRequest) (authz.Access, error) {
	t, err := h.ec2.AssociationInstance(ctx, c.Account, c.Region, in.AssociationId)
	if err != nil {
		return authz.Access{}, err
	}
	return authz.Acting(t), nil
}
