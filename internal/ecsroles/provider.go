package ecsroles

import (
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// ProviderInput is a Managed Instances capacity provider as far as its
// roles go.
type ProviderInput struct {
	Provider *types.CapacityProvider
	// Clusters are the clusters it serves.
	Clusters []string
	// InstanceRole is the role of its instance profile (name, and ARN),
	// when known; the profile's name stands for it otherwise.
	InstanceRole, InstanceRoleARN string
}

// ProfileName is the instance profile a Managed Instances provider
// launches its instances with, "" for none.
func ProfileName(cp *types.CapacityProvider) string {
	mi := cp.ManagedInstancesProvider
	if mi == nil || mi.InstanceLaunchTemplate == nil {
		return ""
	}
	return lastSegment(mi.InstanceLaunchTemplate.Ec2InstanceProfileArn)
}

// ForProvider is what a Managed Instances capacity provider asks of
// AWSServiceRoleForECSCompute, of its infrastructure role and of its
// instance profile's role (ECS Developer Guide, "Amazon ECS Managed
// Instances instance profile", "Amazon ECS infrastructure IAM role"). An
// Auto Scaling group provider asks nothing of roles itself.
func ForProvider(env Env, in ProviderInput) []Use {
	cp := in.Provider
	mi := cp.ManagedInstancesProvider
	if mi == nil {
		return nil
	}
	label := ProviderLabel(cp.Name)
	uses := []Use{{Kind: ComputeLinked, Needed: true,
		Why:   []string{label + ": ECS launches, and terminates, the instances it manages with it"},
		Needs: Termination(env, cp.Name, "i-"+TaskID)}}

	// The instance profile and its role.
	profile := ProfileName(cp)
	if profile == "" {
		uses = append(uses, Use{Kind: MIInstance, For: label, Needed: true, Why: []string{label + ": the instances' role"},
			Problems: []Problem{{What: label + " names an instance profile", Detail: "managedInstancesProvider.instanceLaunchTemplate.ec2InstanceProfileArn is required"}}})
	} else {
		role := in.InstanceRole
		if role == "" {
			role = profile
		}
		u := Use{Kind: MIInstance, Role: role, Profile: profile, Needed: true,
			Why:   []string{label + ": the container agent on the instances registers them and reports with it"},
			Notes: []string{"passed to EC2 by the infrastructure role (its iam:PassRole is checked there), not by the deployer"}}
		for _, c := range in.Clusters {
			u.Needs = append(u.Needs, AgentNeeds(env, c, true)...)
		}
		uses = append(uses, u)
	}

	// The infrastructure role.
	if mi.InfrastructureRoleArn == "" {
		return append(uses, Use{Kind: MIInfrastructure, For: label, Needed: true, Why: []string{label + ": ECS launches the instances with it"},
			Problems: []Problem{{What: label + " names an infrastructure role", Detail: "managedInstancesProvider.infrastructureRoleArn is required"}}})
	}
	u := Use{Kind: MIInfrastructure, Role: mi.InfrastructureRoleArn, Needed: true, Passed: true, Trust: SourceKeys(env.Account, ""),
		Why: []string{label + ": ECS creates launch templates and launches and tags the instances with it"}}
	managedTag := map[string][]string{"aws:RequestTag/AmazonECSManaged": {"true"}, "aws:TagKeys": {"AmazonECSManaged"}}
	lt := env.Res("ec2:CreateLaunchTemplate", "launch-template", "LaunchTemplateId", "lt-"+TaskID)
	// RunInstances is decided on instance/*, the instance to be (as EC2's
	// refusals name it: "ec2:RunInstances on resource:
	// arn:aws:ec2:us-east-2:...:instance/*", aws/karpenter-provider-aws
	// #7370).
	instance := env.Res("ec2:RunInstances", "instance", "InstanceId", "*")
	fleet := env.Res("ec2:CreateFleet", "fleet", "FleetId", "fleet-"+TaskID)
	u.Needs = []Need{
		{Action: "ec2:CreateLaunchTemplate", Resource: lt, Context: managedTag, Why: label, Step: StepInstances},
		{Action: "ec2:CreateFleet", Resource: fleet, Context: managedTag, Why: label, Step: StepInstances},
		{Action: "ec2:RunInstances", Resource: instance, Context: managedTag, Why: label, Step: StepInstances},
		{Action: "ec2:CreateTags", Resource: instance, Context: map[string][]string{"ec2:CreateAction": {"RunInstances"}}, Why: label, Step: StepInstances},
		{Action: "ec2:DescribeInstances", Resource: "*", Why: label, Step: StepInstances},
		{Action: "ec2:DescribeSubnets", Resource: "*", Why: label, Step: StepInstances},
	}
	if in.InstanceRoleARN != "" {
		u.Needs = append(u.Needs, Need{Action: "iam:PassRole", Resource: in.InstanceRoleARN,
			Context: map[string][]string{"iam:PassedToService": {PrincipalEC2}},
			Why:     label + ": ECS passes the instance profile's role to EC2 (the managed policy allows only roles named ecsInstanceRole*)", Step: StepInstances})
	}
	return append(uses, u)
}

// ProviderLabel names a Managed Instances capacity provider in Why lines.
func ProviderLabel(name string) string { return "capacity provider " + name + " (Managed Instances)" }

// Termination is what ECS asks of AWSServiceRoleForECSCompute
// (AmazonECSComputeServiceRolePolicy) to terminate instance instanceID of
// provider: it finds the instance, and terminates it as the instance's
// operator (ec2:ManagedResourceOperator ecs.amazonaws.com: the instances
// ECS launches are EC2 managed instances, "Amazon EC2 managed instances",
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/amazon-ec2-managed-instances.html).
func Termination(env Env, provider, instanceID string) []Need {
	label := ProviderLabel(provider)
	inst := env.Res("ec2:TerminateInstances", "instance", "InstanceId", instanceID)
	return []Need{
		{Action: "ec2:DescribeInstances", Resource: "*", Why: label, Step: StepInstances},
		{Action: "ec2:TerminateInstances", Resource: inst, Context: map[string][]string{"ec2:ManagedResourceOperator": {PrincipalECS}}, Why: label, Step: StepInstances},
	}
}

// ScalableTargetInput is an Application Auto Scaling scalable target.
type ScalableTargetInput struct {
	Namespace, ResourceID, RoleARN string
}

// ForScalableTarget is what service auto scaling asks of
// AWSServiceRoleForApplicationAutoScaling_ECSService
// (AWSApplicationAutoscalingECSServicePolicy); ok is false when the target
// is no ECS service.
func ForScalableTarget(env Env, st ScalableTargetInput) (u Use, ok bool) {
	if !strings.EqualFold(st.Namespace, "ecs") {
		return Use{}, false
	}
	parts := strings.Split(st.ResourceID, "/")
	if len(parts) != 3 || parts[0] != "service" {
		return Use{}, false
	}
	cluster, name := parts[1], parts[2]
	label := "scalable target " + st.ResourceID
	svc := env.ServiceARN(cluster, name)
	alarm := env.Res("cloudwatch:PutMetricAlarm", "alarm", "AlarmName", "TargetTracking-"+st.ResourceID+"-AlarmHigh")
	u = Use{Kind: AutoScalingLinked, Needed: true,
		Why: []string{label + ": Application Auto Scaling reads and updates the service's desired count, and manages its CloudWatch alarms, with it"},
		Needs: []Need{
			{Action: "ecs:DescribeServices", Resource: svc, Why: label, Step: StepScaling},
			{Action: "ecs:UpdateService", Resource: svc, Why: label, Step: StepScaling},
			{Action: "cloudwatch:PutMetricAlarm", Resource: alarm, Why: label, Step: StepScaling},
			{Action: "cloudwatch:DescribeAlarms", Resource: alarm, Why: label, Step: StepScaling},
		}}
	if st.RoleARN != "" && !strings.Contains(st.RoleARN, "/aws-service-role/") {
		u.Notes = []string{"scalable target " + st.ResourceID + " names RoleARN " + st.RoleARN + " (the legacy ecsAutoscaleRole); that role is not checked"}
	}
	return u, true
}

// lastSegment is what follows the last '/' (or the whole string).
func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}
