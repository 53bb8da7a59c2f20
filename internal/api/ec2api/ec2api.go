// Package ec2api binds rolecall's EC2 instances (internal/instances) to
// AWS's EC2 operations about instances and their instance profiles (the
// EC2 protocol, internal/protocol/ec2query): RunInstances,
// DescribeInstances, TerminateInstances, and the instance profile
// associations. Inputs and outputs are the model's shapes
// (internal/api/ec2api/types); the binding translates them to the
// instances' own, and declares beside each operation what it acts on
// (access.go).
package ec2api

import (
	"context"
	"net/http"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/api/ec2api/types"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/instances"
	"github.com/rolecall/rolecall/internal/resolve"
)

// Fleet launches and terminates instances with their metadata services
// (internal/imds's Server), as rolecall's own launch endpoint does.
type Fleet interface {
	Launch(ctx context.Context, c instances.Call, in instances.RunInput) (*instances.Reservation, error)
	Terminate(ctx context.Context, c instances.Call, ids []string, dryRun bool) ([]instances.StateChange, error)
}

type handler struct {
	ec2   resolve.EC2
	iam   resolve.IAM
	fleet Fleet
}

// New returns the EC2 operations rolecall implements.
func New(ec2 resolve.EC2, iam resolve.IAM, fleet Fleet) *api.Service {
	h := &handler{ec2: ec2, iam: iam, fleet: fleet}
	s := api.NewService("ec2",
		api.Also(api.Op("RunInstances", h.runInstances, h.runInstancesAccess), "ec2:CreateTags", h.tagOnCreate),
		api.Op("DescribeInstances", h.describeInstances, noResource[types.DescribeInstancesRequest]),
		api.Op("TerminateInstances", h.terminateInstances, h.terminateAccess),
		api.Op("AssociateIamInstanceProfile", h.associate, h.associateAccess),
		api.Op("DescribeIamInstanceProfileAssociations", h.describeAssociations, noResource[types.DescribeIamInstanceProfileAssociationsRequest]),
		api.Op("ReplaceIamInstanceProfileAssociation", h.replace, h.replaceAccess),
		api.Op("DisassociateIamInstanceProfile", h.disassociate, h.disassociateAccess),
	)
	// EC2 words an AccessDenied as UnauthorizedOperation.
	s.Denied = instances.AsUnauthorized
	return s
}

func call(c *api.Call) instances.Call {
	return instances.Call{Account: c.Account, Region: c.Region, Principal: c.Principal}
}

// profileRef is what an IamInstanceProfileSpecification names: its ARN,
// else its name.
func profileRef(p *types.IamInstanceProfileSpecification) string {
	if p == nil {
		return ""
	}
	if p.Arn != "" {
		return p.Arn
	}
	return p.Name
}

// instanceTags are the tags a RunInstances gives its instances
// (TagSpecifications of resource type instance; rolecall keeps no
// volumes or network interfaces to tag).
func instanceTags(in *types.RunInstancesRequest) map[string]string {
	var out map[string]string
	for _, ts := range in.TagSpecifications {
		if ts.ResourceType == "instance" {
			for _, t := range ts.Tags {
				if out == nil {
					out = map[string]string{}
				}
				out[t.Key] = t.Value
			}
		}
	}
	return out
}

func (h *handler) runInstances(ctx context.Context, c *api.Call, in *types.RunInstancesRequest) (*types.Reservation, error) {
	if in.LaunchTemplate != nil {
		// rolecall's wording, with EC2's code for what it does not do.
		return nil, awserr.New(http.StatusBadRequest, "UnsupportedOperation",
			"rolecall does not keep launch templates: name the ImageId, InstanceType and IamInstanceProfile in the request")
	}
	if in.ImageId == "" {
		return nil, awserr.MissingParameter("ImageId")
	}
	res, err := h.fleet.Launch(ctx, call(c), instances.RunInput{
		InstanceProfile: profileRef(in.IamInstanceProfile), ImageId: in.ImageId, InstanceType: in.InstanceType,
		Tags: instanceTags(in), MinCount: int(in.MinCount), MaxCount: int(in.MaxCount), DryRun: in.DryRun, ClientToken: in.ClientToken,
	})
	if err != nil {
		return nil, err
	}
	out := reservation(res.ReservationId, res.OwnerId, res.Instances)
	return &out, nil
}

func (h *handler) describeInstances(ctx context.Context, c *api.Call, in *types.DescribeInstancesRequest) (*types.DescribeInstancesResult, error) {
	if len(in.InstanceIds) > 0 && in.MaxResults != 0 {
		return nil, errInstancesWithMaxResults()
	}
	if err := checkMaxResults(in.MaxResults); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, instances.ErrDryRun()
	}
	list, err := h.ec2.Svc.Describe(ctx, c.Account, c.Region, in.InstanceIds, filters(in.Filters))
	if err != nil {
		return nil, err
	}
	list, next, err := page(list, instanceKey, int(in.MaxResults), in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &types.DescribeInstancesResult{Reservations: reservations(list), NextToken: next}
	return out, nil
}

func (h *handler) terminateInstances(ctx context.Context, c *api.Call, in *types.TerminateInstancesRequest) (*types.TerminateInstancesResult, error) {
	changes, err := h.fleet.Terminate(ctx, call(c), in.InstanceIds, in.DryRun)
	if err != nil {
		return nil, err
	}
	out := &types.TerminateInstancesResult{TerminatingInstances: []types.InstanceStateChange{}}
	for _, ch := range changes {
		out.TerminatingInstances = append(out.TerminatingInstances, types.InstanceStateChange{
			InstanceId: ch.InstanceId, CurrentState: state(ch.State), PreviousState: state(ch.Previous)})
	}
	return out, nil
}

func (h *handler) associate(ctx context.Context, c *api.Call, in *types.AssociateIamInstanceProfileRequest) (*types.AssociateIamInstanceProfileResult, error) {
	a, err := h.ec2.Svc.Associate(ctx, call(c), in.InstanceId, profileRef(in.IamInstanceProfile))
	if err != nil {
		return nil, err
	}
	return &types.AssociateIamInstanceProfileResult{IamInstanceProfileAssociation: association(a)}, nil
}

func (h *handler) replace(ctx context.Context, c *api.Call, in *types.ReplaceIamInstanceProfileAssociationRequest) (*types.ReplaceIamInstanceProfileAssociationResult, error) {
	a, err := h.ec2.Svc.Replace(ctx, call(c), in.AssociationId, profileRef(in.IamInstanceProfile))
	if err != nil {
		return nil, err
	}
	return &types.ReplaceIamInstanceProfileAssociationResult{IamInstanceProfileAssociation: association(a)}, nil
}

func (h *handler) disassociate(ctx context.Context, c *api.Call, in *types.DisassociateIamInstanceProfileRequest) (*types.DisassociateIamInstanceProfileResult, error) {
	a, err := h.ec2.Svc.Disassociate(ctx, call(c), in.AssociationId)
	if err != nil {
		return nil, err
	}
	return &types.DisassociateIamInstanceProfileResult{IamInstanceProfileAssociation: association(a)}, nil
}

func (h *handler) describeAssociations(ctx context.Context, c *api.Call, in *types.DescribeIamInstanceProfileAssociationsRequest) (*types.DescribeIamInstanceProfileAssociationsResult, error) {
	max := 0
	if in.MaxResults != nil {
		max = int(*in.MaxResults)
		if err := checkMaxResults(*in.MaxResults); err != nil {
			return nil, err
		}
	}
	list, err := h.ec2.Svc.Associations(ctx, c.Account, c.Region, in.AssociationIds, filters(in.Filters))
	if err != nil {
		return nil, err
	}
	list, next, err := page(list, func(a *instances.Association) string { return a.AssociationId }, max, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &types.DescribeIamInstanceProfileAssociationsResult{IamInstanceProfileAssociations: []types.IamInstanceProfileAssociation{}, NextToken: next}
	for i := range list {
		out.IamInstanceProfileAssociations = append(out.IamInstanceProfileAssociations, *association(&list[i]))
	}
	return out, nil
}

func filters(in []types.Filter) []instances.Filter {
	var out []instances.Filter
	for _, f := range in {
		out = append(out, instances.Filter{Name: f.Name, Values: f.Values})
	}
	return out
}
