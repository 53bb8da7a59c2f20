package console

import (
	"net/url"
	"strconv"

	ec2types "github.com/rolecall/rolecall/internal/api/ec2api/types"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/iam"
)

// A cluster's Infrastructure tab: its capacity providers and its container
// instances, each instance with the role the ECS agent on it acts with.
// ECS does not say which instance profile an instance has; EC2 does
// (DescribeInstances), and IAM which role the profile holds
// (GetInstanceProfile), so the tab asks both, as the signed-in principal.

// providerRow is one of the cluster's capacity providers, with the roles
// a Managed Instances provider uses: the infrastructure role ECS launches
// instances with, and the instance profile they get.
type providerRow struct {
	types.CapacityProvider
	InfrastructureRole roleLink
	InstanceProfile    string
	AutoScalingGroup   string
	Strategy           string // its part of the cluster's default strategy
}

// providers describes the cluster's capacity providers (FARGATE and
// FARGATE_SPOT included: DescribeCapacityProviders answers them).
func (q *req) providers(region string, cl *types.Cluster) ([]providerRow, *failure) {
	if len(cl.CapacityProviders) == 0 {
		return nil, nil
	}
	out, f := q.ecs(region, "DescribeCapacityProviders", map[string]any{"capacityProviders": cl.CapacityProviders})
	if f != nil {
		return nil, f
	}
	var rows []providerRow
	for _, p := range out.(*types.DescribeCapacityProvidersResponse).CapacityProviders {
		row := providerRow{CapacityProvider: p}
		if mi := p.ManagedInstancesProvider; mi != nil {
			row.InfrastructureRole = q.roleLink(mi.InfrastructureRoleArn)
			if lt := mi.InstanceLaunchTemplate; lt != nil {
				row.InstanceProfile = lt.Ec2InstanceProfileArn
			}
		}
		if asg := p.AutoScalingGroupProvider; asg != nil {
			row.AutoScalingGroup = asg.AutoScalingGroupArn
		}
		for _, it := range cl.DefaultCapacityProviderStrategy {
			if it.CapacityProvider == p.Name {
				row.Strategy = strategyText([]types.CapacityProviderStrategyItem{it})
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// instanceRow is a container instance with its EC2 instance's instance
// profile and the role in it: the container instance role.
type instanceRow struct {
	types.ContainerInstance
	ID          string
	Profile     string // the instance profile's ARN
	ProfileName string
	Role        roleLink
	// Operator is the service operating the instance (ECS Managed
	// Instances'); Unknown says why the profile is not shown.
	Operator, Unknown string
}

// containerInstances describes every container instance registered in a
// cluster (ListContainerInstances, DescribeContainerInstances 100 at a
// time).
func (q *req) containerInstances(region, cluster string) ([]types.ContainerInstance, *failure) {
	arns, f := q.ecsList(region, "ListContainerInstances", "ContainerInstanceArns", map[string]any{"cluster": cluster})
	if f != nil {
		return nil, f
	}
	var all []types.ContainerInstance
	f = inBatches(arns, 100, func(batch []string) *failure {
		out, f := q.ecs(region, "DescribeContainerInstances", map[string]any{"cluster": cluster, "containerInstances": batch})
		if f == nil {
			all = append(all, out.(*types.DescribeContainerInstancesResponse).ContainerInstances...)
		}
		return f
	})
	return all, f
}

// ec2Unknown is why an instance has no profile shown: EC2 does not know
// it (registered without an EC2 instance of this rolecall, or terminated).
const ec2Unknown = "EC2 does not know the instance in this Region"

// ec2Instances is what EC2 says of instances (DescribeInstances, filtered
// by instance ID: an ID EC2 does not know is left out rather than failing
// the call), by ID.
func (q *req) ec2Instances(region string, ids []string) (map[string]ec2types.Instance, *failure) {
	found := map[string]ec2types.Instance{}
	f := inBatches(ids, 100, func(batch []string) *failure {
		in := url.Values{"Filter.1.Name": {"instance-id"}}
		for i, id := range batch {
			in.Set("Filter.1.Value."+strconv.Itoa(i+1), id)
		}
		for next := ""; ; {
			page := cloneValues(in)
			if next != "" {
				page.Set("NextToken", next)
			}
			out, f := q.call("ec2", region, "DescribeInstances", page)
			if f != nil {
				return f
			}
			res := out.(*ec2types.DescribeInstancesResult)
			for _, r := range res.Reservations {
				for _, inst := range r.Instances {
					found[inst.InstanceId] = inst
				}
			}
			if next = res.NextToken; next == "" {
				return nil
			}
		}
	})
	return found, f
}

// instances lists the cluster's container instances with their roles.
// When EC2 or IAM refuses to tell the roles, the instances are listed
// without them and rolesFailed says why.
func (q *req) instances(region, cluster string) (rows []instanceRow, rolesFailed, failed *failure) {
	cis, f := q.containerInstances(region, cluster)
	if f != nil {
		return nil, nil, f
	}
	var ids []string
	for _, ci := range cis {
		rows = append(rows, instanceRow{ContainerInstance: ci, ID: lastSegment(ci.ContainerInstanceArn)})
		if ci.Ec2InstanceId != "" {
			ids = append(ids, ci.Ec2InstanceId)
		}
	}
	ec2, f := q.ec2Instances(region, ids)
	if f != nil {
		return rows, f, nil
	}
	profiles := map[string]*iam.InstanceProfile{}
	for i := range rows {
		r := &rows[i]
		inst, ok := ec2[r.Ec2InstanceId]
		switch {
		case !ok:
			r.Unknown = ec2Unknown
			continue
		case inst.Operator != nil && inst.Operator.Managed:
			r.Operator = inst.Operator.Principal
		}
		if inst.IamInstanceProfile == nil || inst.IamInstanceProfile.Arn == "" {
			r.Unknown = "the instance has no instance profile"
			continue
		}
		r.Profile = inst.IamInstanceProfile.Arn
		name := lastSegment(r.Profile)
		r.ProfileName = name
		p, seen := profiles[name]
		if !seen {
			out, f := q.iam("GetInstanceProfile", params("InstanceProfileName", name))
			if f != nil && f.Err.Code != "NoSuchEntity" {
				return rows, f, nil
			}
			p = member[*iam.InstanceProfile](out, "InstanceProfile")
			profiles[name] = p
		}
		switch {
		case p == nil:
			r.Unknown = "the instance profile does not exist"
		case len(p.Roles) == 0:
			r.Unknown = "the instance profile holds no role"
		default:
			r.Role = q.roleLink(p.Roles[0].Arn)
		}
	}
	return rows, nil, nil
}
