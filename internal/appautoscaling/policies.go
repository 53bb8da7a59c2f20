package appautoscaling

import (
	"context"

	"github.com/rolecall/rolecall/internal/appautoscaling/records"
	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/model/shapecopy"
	"github.com/rolecall/rolecall/internal/store"
)

// Policy types (the model's PolicyType).
const (
	policyStep       = "StepScaling"
	policyTracking   = "TargetTrackingScaling"
	policyPredictive = "PredictiveScaling"
)

// PutScalingPolicy creates or updates a scaling policy of a registered
// target. Nothing scales with it; it is kept and described as AWS keeps
// it: its ARN, arn:aws:autoscaling:REGION:ACCOUNT:scalingPolicy:UUID:
// resource/ecs/service/CLUSTER/SERVICE:policyName/NAME, and, for target
// tracking, the two CloudWatch alarms AWS creates for it,
// TargetTracking-RESOURCE-AlarmHigh-UUID and -AlarmLow-UUID (PutScalingPolicy
// example of the API reference and botocore's examples). A step scaling
// policy lists the alarms that invoke it, which the caller creates in
// CloudWatch: none here.
func (s *Service) PutScalingPolicy(ctx context.Context, c Call, in *types.PutScalingPolicyRequest) (*types.PutScalingPolicyResponse, error) {
	r := refOf(c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	if !r.consistent() {
		return nil, errUnsupported()
	}
	policyType := in.PolicyType
	if policyType == "" {
		policyType = policyStep // "If the policy type is null, the value is treated as StepScaling" (API reference)
	}
	// UUIDs are drawn before the transaction, which may run more than once.
	id, high, low := s.gen.UUID(), s.gen.UUID(), s.gen.UUID()
	now := s.now()
	var out types.ScalingPolicy
	err := s.update(ctx, c, func(tx store.Tx) error {
		var t targetRecord
		found, err := store.GetJSON(tx, bucketTargets, r.storeKey(c), &t)
		if err != nil {
			return err
		}
		if !found {
			return errNotRegistered(r)
		}
		var rec policyRecord
		exists, err := store.GetJSON(tx, bucketPolicies, memberKey(c, r, in.PolicyName), &rec)
		if err != nil {
			return err
		}
		p := rec.wire()
		if !exists {
			if err := checkPolicyConfiguration(policyType, in); err != nil {
				return err
			}
			resource := t.Target.ResourceId
			p = types.ScalingPolicy{PolicyName: in.PolicyName, ServiceNamespace: r.Namespace, ResourceId: resource, ScalableDimension: r.Dimension,
				PolicyARN:    "arn:aws:autoscaling:" + c.Region + ":" + c.Account + ":scalingPolicy:" + id + ":resource/" + r.Namespace + "/" + resource + ":policyName/" + in.PolicyName,
				CreationTime: &now}
		}
		if in.PolicyType != "" || !exists {
			p.PolicyType = policyType
		}
		if in.StepScalingPolicyConfiguration != nil {
			p.StepScalingPolicyConfiguration = in.StepScalingPolicyConfiguration
		}
		if in.TargetTrackingScalingPolicyConfiguration != nil {
			p.TargetTrackingScalingPolicyConfiguration = in.TargetTrackingScalingPolicyConfiguration
		}
		if in.PredictiveScalingPolicyConfiguration != nil {
			p.PredictiveScalingPolicyConfiguration = in.PredictiveScalingPolicyConfiguration
		}
		// A policy keeps only its type's configuration.
		switch p.PolicyType {
		case policyStep:
			p.TargetTrackingScalingPolicyConfiguration, p.PredictiveScalingPolicyConfiguration = nil, nil
		case policyTracking:
			p.StepScalingPolicyConfiguration, p.PredictiveScalingPolicyConfiguration = nil, nil
		case policyPredictive:
			p.StepScalingPolicyConfiguration, p.TargetTrackingScalingPolicyConfiguration = nil, nil
		}
		if err := checkPolicyConfiguration(p.PolicyType, &types.PutScalingPolicyRequest{StepScalingPolicyConfiguration: p.StepScalingPolicyConfiguration,
			TargetTrackingScalingPolicyConfiguration: p.TargetTrackingScalingPolicyConfiguration, PredictiveScalingPolicyConfiguration: p.PredictiveScalingPolicyConfiguration}); err != nil {
			return err
		}
		switch {
		case p.PolicyType != policyTracking:
			p.Alarms = nil
		case len(p.Alarms) == 0:
			p.Alarms = []types.Alarm{alarm(c, p.ResourceId, "AlarmHigh", high), alarm(c, p.ResourceId, "AlarmLow", low)}
		}
		rec.Policy = shapecopy.Convert[records.ScalingPolicy](p)
		out = p
		return store.PutJSON(tx, bucketPolicies, memberKey(c, r, in.PolicyName), &rec)
	})
	if err != nil {
		return nil, err
	}
	return &types.PutScalingPolicyResponse{PolicyARN: out.PolicyARN, Alarms: out.Alarms}, nil
}

// checkPolicyConfiguration: a policy has its type's configuration ("This
// parameter is required if you are creating a policy and the policy type
// is ...", API reference, for each of the three).
func checkPolicyConfiguration(policyType string, in *types.PutScalingPolicyRequest) error {
	switch {
	case policyType == policyStep && in.StepScalingPolicyConfiguration == nil:
		return errPolicyConfiguration(policyType, "StepScalingPolicyConfiguration")
	case policyType == policyTracking && in.TargetTrackingScalingPolicyConfiguration == nil:
		return errPolicyConfiguration(policyType, "TargetTrackingScalingPolicyConfiguration")
	case policyType == policyPredictive && in.PredictiveScalingPolicyConfiguration == nil:
		return errPolicyConfiguration(policyType, "PredictiveScalingPolicyConfiguration")
	}
	return nil
}

// alarm is a CloudWatch alarm AWS creates for a target tracking policy.
func alarm(c Call, resourceID, kind, id string) types.Alarm {
	name := "TargetTracking-" + resourceID + "-" + kind + "-" + id
	return types.Alarm{AlarmName: name, AlarmARN: "arn:aws:cloudwatch:" + c.Region + ":" + c.Account + ":alarm:" + name}
}

// DeleteScalingPolicy deletes a scaling policy (and, in AWS, the alarms
// it created).
func (s *Service) DeleteScalingPolicy(ctx context.Context, c Call, in *types.DeleteScalingPolicyRequest) (*types.DeleteScalingPolicyResponse, error) {
	r := refOf(c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	if err := s.deleteMember(ctx, c, bucketPolicies, r, in.PolicyName, errPolicyNotFound(r, in.PolicyName)); err != nil {
		return nil, err
	}
	return &types.DeleteScalingPolicyResponse{}, nil
}

// DescribeScalingPolicies lists the Region's policies of a namespace, by
// target and name.
func (s *Service) DescribeScalingPolicies(ctx context.Context, c Call, in *types.DescribeScalingPoliciesRequest) (*types.DescribeScalingPoliciesResponse, error) {
	policies, next, err := describeMembers[types.ScalingPolicy, policyRecord](ctx, s, c, bucketPolicies, in.ServiceNamespace, in.ScalableDimension, in.ResourceId, in.PolicyNames,
		in.NextToken, in.MaxResults, pagePolicies)
	if err != nil {
		return nil, err
	}
	return &types.DescribeScalingPoliciesResponse{ScalingPolicies: policies, NextToken: next}, nil
}
