package ec2api

import (
	"encoding/base64"
	"maps"
	"net/http"
	"slices"

	"github.com/rolecall/rolecall/internal/api/ec2api/types"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/instances"
)

// What rolecall's instances are, where EC2 answers more than rolecall
// keeps: an EBS-backed HVM machine in the default tenancy, unmonitored,
// in no security group ("Instance", EC2 API reference).
const (
	rootDeviceType     = "ebs"
	rootDeviceName     = "/dev/xvda"
	virtualizationType = "hvm"
	hypervisor         = "xen"
	tenancy            = "default"
)

func state(name string) *types.InstanceState {
	return &types.InstanceState{Code: int32(instances.StateCode(name)), Name: name}
}

// instance is i as DescribeInstances answers it; index is its
// AmiLaunchIndex in its reservation.
func instance(i *instances.Instance, index int) types.Instance {
	launched := i.LaunchTime
	out := types.Instance{
		InstanceId: i.InstanceId, ImageId: i.ImageId, InstanceType: i.InstanceType, Architecture: i.Architecture,
		State: state(i.State), LaunchTime: &launched, AmiLaunchIndex: int32(index), ClientToken: i.ClientToken,
		Placement:      &types.Placement{AvailabilityZone: i.AvailabilityZone, Tenancy: tenancy},
		RootDeviceType: rootDeviceType, RootDeviceName: rootDeviceName, VirtualizationType: virtualizationType, Hypervisor: hypervisor,
		Monitoring: &types.Monitoring{State: "disabled"}, SecurityGroups: []types.GroupIdentifier{},
		ProductCodes: []types.ProductCode{}, EbsOptimized: false, SourceDestCheck: true,
	}
	if i.State == instances.StateRunning {
		out.PrivateIpAddress, out.PrivateDnsName = i.PrivateIp, i.Hostname()
		if i.InstanceProfileArn != "" {
			out.IamInstanceProfile = &types.IamInstanceProfile{Arn: i.InstanceProfileArn, Id: i.InstanceProfileId}
		}
	}
	if i.TerminatedAt != nil {
		// EC2's reason for an instance its user terminated (EC2 API
		// reference, StateReason: Client.UserInitiatedShutdown).
		out.StateTransitionReason = "User initiated (" + i.TerminatedAt.UTC().Format("2006-01-02 15:04:05") + " GMT)"
		out.StateReason = &types.StateReason{Code: "Client.UserInitiatedShutdown", Message: "Client.UserInitiatedShutdown: User initiated shutdown"}
	}
	for _, k := range slices.Sorted(maps.Keys(i.Tags)) {
		out.Tags = append(out.Tags, types.Tag{Key: k, Value: i.Tags[k]})
	}
	if i.Operator != "" {
		// An EC2 managed instance: the service that operates it
		// (OperatorResponse, EC2 API reference).
		out.Operator = &types.OperatorResponse{Managed: true, Principal: i.Operator}
	}
	return out
}

func reservation(id, owner string, list []instances.Instance) types.Reservation {
	r := types.Reservation{ReservationId: id, OwnerId: owner, Groups: []types.GroupIdentifier{}, Instances: []types.Instance{}}
	for i := range list {
		r.Instances = append(r.Instances, instance(&list[i], i))
	}
	return r
}

// reservations groups instances (in launch order) by the launch they
// were one of.
func reservations(list []instances.Instance) []types.Reservation {
	out := []types.Reservation{}
	var group []instances.Instance
	flush := func() {
		if len(group) > 0 {
			out = append(out, reservation(group[0].ReservationId, group[0].Account, group))
			group = nil
		}
	}
	for _, i := range list {
		if len(group) > 0 && group[0].ReservationId != i.ReservationId {
			flush()
		}
		group = append(group, i)
	}
	flush()
	return out
}

func association(a *instances.Association) *types.IamInstanceProfileAssociation {
	ts := a.Timestamp
	out := &types.IamInstanceProfileAssociation{AssociationId: a.AssociationId, InstanceId: a.InstanceId, State: a.State,
		IamInstanceProfile: &types.IamInstanceProfile{Arn: a.InstanceProfileArn, Id: a.InstanceProfileId}}
	if !ts.IsZero() {
		out.Timestamp = &ts
	}
	return out
}

func instanceKey(i *instances.Instance) string { return i.InstanceId }

// page is the items after the one NextToken names (all from the first
// when token is ""), at most max of them (0: all), and the token of the
// next page ("" on the last). A token is the key of the page's last item,
// encoded.
func page[T any](items []T, key func(*T) string, max int, token string) ([]T, string, error) {
	start := 0
	if token != "" {
		last, err := base64.RawURLEncoding.DecodeString(token)
		found := false
		for i := range items {
			if err == nil && key(&items[i]) == string(last) {
				start, found = i+1, true
				break
			}
		}
		if !found {
			return nil, "", errToken(token)
		}
	}
	items = items[start:]
	if max <= 0 || len(items) <= max {
		return items, "", nil
	}
	return items[:max], base64.RawURLEncoding.EncodeToString([]byte(key(&items[max-1]))), nil
}

// errToken: "InvalidParameterValue: Value (  ) for parameter NextToken is
// invalid. The token is invalid." (DescribeVpcs, boto/boto3 #2673),
// status 400. A token of an item since gone is invalid too.
func errToken(token string) error {
	return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Value (%s) for parameter NextToken is invalid. The token is invalid.", token)
}

// checkMaxResults: "InvalidParameterValue: Value ( 1 ) for parameter
// maxResults is invalid. Expecting a value greater than 5."
// (aws/aws-sdk-ruby #2575), status 400; above 1000, the same with "less
// than 1000" (unverified). 0 is no MaxResults.
func checkMaxResults(n int32) error {
	switch {
	case n == 0:
		return nil
	case n < 5:
		return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value greater than 5.", n)
	case n > 1000:
		return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value less than 1000.", n)
	}
	return nil
}

// errInstancesWithMaxResults: "InvalidParameterCombination: The parameter
// instancesSet cannot be used with the parameter maxResults"
// (yuuki/grabeni #7), status 400.
func errInstancesWithMaxResults() error {
	return awserr.New(http.StatusBadRequest, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
}
