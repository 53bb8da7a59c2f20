package ecsroles

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// ServiceInput is a service as far as its roles go.
type ServiceInput struct {
	Name, Cluster string
	// Label names the service in Why lines.
	Label string
	// Awsvpc: its tasks use awsvpc networking (Fargate always does).
	Awsvpc bool
	// Role is the legacy service role it names, "" for none.
	Role                 string
	LoadBalancers        []types.LoadBalancer
	ServiceRegistries    []types.ServiceRegistry
	ServiceConnect       *types.ServiceConnectConfiguration
	VolumeConfigurations []types.ServiceVolumeConfiguration
	// TaskDefinition is the task definition it runs, nil when unknown.
	TaskDefinition *types.TaskDefinition
	// Providers are the capacity providers of its strategy.
	Providers []*types.CapacityProvider
	// DeploymentConfiguration is its deployment configuration (lifecycle
	// hooks), nil for none.
	DeploymentConfiguration *types.DeploymentConfiguration
}

// ServiceUses is what a service asks of its roles.
type ServiceUses struct {
	Uses  []Use
	Notes []string
}

// errRoleNotAllowed is CreateService's answer to a role the service may
// not name (hashicorp/terraform-provider-aws #4657; aws/amazon-ecs-cli #426).
const errRoleNotAllowed = "You cannot specify an IAM role for services that require a service linked role."

// UnableToAssumeSLR is CreateService's answer when ECS cannot act through
// AWSServiceRoleForECS.
const UnableToAssumeSLR = "Unable to assume the service linked role. Please verify that the ECS service linked role exists."

// ForService is what a service asks of AWSServiceRoleForECS, of the
// legacy service role it names, and of its EBS and Service Connect TLS
// infrastructure roles (ECS Developer Guide, "Using service-linked roles
// for Amazon ECS", "Amazon ECS service scheduler IAM role", "Amazon ECS
// infrastructure IAM role").
func ForService(env Env, in ServiceInput) ServiceUses {
	var out ServiceUses
	// A service that registers its load balancer targets through a legacy
	// service role is managed without AWSServiceRoleForECS; any other
	// service needs it.
	legacy := in.Role != "" && !in.Awsvpc && len(in.LoadBalancers) > 0
	slr := Use{Kind: ECSLinked}
	if !legacy {
		slr.Needed = true
		slr.Why = []string{fmt.Sprintf("%s: ECS manages services with it; CreateService answers \"%s\" without it", in.Label, UnableToAssumeSLR)}
	}
	if in.Awsvpc {
		slr.Why = append(slr.Why, fmt.Sprintf("%s: awsvpc networking: ECS creates and attaches each task's network interface", in.Label))
		slr.Needs = append(slr.Needs, NetworkInterfaceNeeds(env, "eni-"+TaskID, in.Label)...)
	}
	if in.Role != "" {
		role := Use{Kind: ServiceRole, Role: in.Role, Passed: true}
		switch {
		case in.Awsvpc:
			role.Why = []string{fmt.Sprintf("%s names it as its role, but its tasks use awsvpc networking, for which ECS uses AWSServiceRoleForECS", in.Label)}
			role.Problems = []Problem{{What: "service " + in.Name + " may name a role", Detail: "CreateService answers \"" + errRoleNotAllowed + "\": remove \"role\" from the service definition"}}
		case len(in.LoadBalancers) == 0:
			role.Why = []string{fmt.Sprintf("%s names it as its role, but has no load balancer", in.Label)}
			role.Problems = []Problem{{What: "service " + in.Name + " may name a role", Detail: "CreateService answers \"" + errRoleNotAllowed + "\": remove \"role\" from the service definition"}}
		default:
			role.Needed = true
			role.Trust = SourceKeys(env.Account, env.ServiceARN(in.Cluster, in.Name))
			role.Why = []string{fmt.Sprintf("%s names it as its role: ECS registers the tasks with the load balancer through it (instead of AWSServiceRoleForECS)", in.Label)}
			for _, lb := range in.LoadBalancers {
				role.Needs = append(role.Needs, LoadBalancerNeeds(env, lb, in.Name)...)
			}
		}
		out.Uses = append(out.Uses, role)
	} else if len(in.LoadBalancers) > 0 {
		slr.Why = append(slr.Why, fmt.Sprintf("%s: ECS registers its tasks with the load balancer", in.Label))
		for _, lb := range in.LoadBalancers {
			slr.Needs = append(slr.Needs, LoadBalancerNeeds(env, lb, in.Name)...)
		}
	}
	for _, r := range in.ServiceRegistries {
		slr.Needed = true
		slr.Why = append(slr.Why, fmt.Sprintf("%s: registers its tasks in AWS Cloud Map service %s", in.Label, r.RegistryArn))
		slr.Needs = append(slr.Needs, Need{Action: "servicediscovery:RegisterInstance", Resource: r.RegistryArn, Why: "service discovery for " + in.Name, Step: StepServiceDiscovery, Subject: r.RegistryArn})
	}
	if sc := in.ServiceConnect; sc != nil && sc.Enabled {
		slr.Needed = true
		slr.Why = append(slr.Why, fmt.Sprintf("%s: Service Connect: ECS creates its AWS Cloud Map services", in.Label))
		slr.Needs = append(slr.Needs, Need{Action: "servicediscovery:CreateService",
			Resource: env.Res("servicediscovery:CreateService", "service", "ServiceId", "srv-"+in.Name),
			Context:  map[string][]string{"aws:TagKeys": {"AmazonECSManaged"}, "aws:RequestTag/AmazonECSManaged": {"true"}},
			Why:      "Service Connect for " + in.Name, Step: StepServiceConnect})
		for _, scs := range sc.Services {
			if scs.Tls == nil {
				continue
			}
			if scs.Tls.RoleArn == "" {
				out.Uses = append(out.Uses, Use{Kind: ServiceConnectTLSRole, For: "service " + in.Name, Needed: true,
					Why:      []string{fmt.Sprintf("%s: Service Connect TLS on port %s", in.Label, scs.PortName)},
					Problems: []Problem{{What: "service " + in.Name + " names a TLS role", Detail: "serviceConnectConfiguration.services[].tls.roleArn is required with TLS"}}})
				continue
			}
			out.Uses = append(out.Uses, tlsUse(env, in, scs))
		}
	}
	for _, vc := range in.VolumeConfigurations {
		if vc.ManagedEBSVolume == nil {
			continue
		}
		u, note := ebsUse(env, in, vc)
		out.Uses = append(out.Uses, u)
		if note != "" {
			out.Notes = append(out.Notes, note)
		}
	}
	if n := managedScalingNeeds(in); len(n.Needs) > 0 {
		slr.Needed = true
		slr.Why = append(slr.Why, n.Why...)
		slr.Needs = append(slr.Needs, n.Needs...)
	}
	out.Uses = append(out.Uses, hookUses(env, in)...)
	if slr.Needed {
		out.Uses = append([]Use{slr}, out.Uses...)
	}
	return out
}

// NetworkInterfaceNeeds: an awsvpc task's network interface (its ID eni),
// created and deleted by ECS through AWSServiceRoleForECS.
func NetworkInterfaceNeeds(env Env, eni, label string) []Need {
	eni = env.Res("ec2:CreateNetworkInterface", "network-interface", "NetworkInterfaceId", eni)
	why := "awsvpc network interface of " + label
	return []Need{
		{Action: "ec2:CreateNetworkInterface", Resource: eni, Why: why, Step: StepNetworkInterface},
		{Action: "ec2:DeleteNetworkInterface", Resource: eni, Why: why, Step: StepNetworkInterface},
		{Action: "ec2:DescribeNetworkInterfaces", Resource: "*", Why: why, Step: StepNetworkInterface},
	}
}

// TrunkAttribute is the container instance attribute that names its trunk
// network interface.
const TrunkAttribute = "ecs.awsvpc-trunk-id"

// StatusRegistrationFailed is the status of a container instance whose
// trunk network interface ECS could not provision.
const StatusRegistrationFailed = "REGISTRATION_FAILED"

// TrunkNeeds: the trunk network interface (its ID eni) ECS creates and
// attaches to a container instance registered with the awsvpcTrunking
// account setting enabled, and deletes when the instance is deregistered,
// through AWSServiceRoleForECS: "The service-linked role for Amazon ECS
// must be created" before such an instance is launched
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-eni.html).
func TrunkNeeds(env Env, eni, label string) []Need {
	if eni == "" {
		eni = "eni-*"
	}
	eni = env.Res("ec2:CreateNetworkInterface", "network-interface", "NetworkInterfaceId", eni)
	why := "trunk network interface of " + label
	return []Need{
		{Action: "ec2:CreateNetworkInterface", Resource: eni, Why: why, Step: StepNetworkInterface},
		{Action: "ec2:AttachNetworkInterface", Resource: eni, Why: why, Step: StepNetworkInterface},
		{Action: "ec2:DeleteNetworkInterface", Resource: eni, Why: why, Step: StepNetworkInterface},
		{Action: "ec2:DescribeNetworkInterfaces", Resource: "*", Why: why, Step: StepNetworkInterface},
	}
}

// LoadBalancerNeeds: what ECS does with a service's role for one of its
// load balancers. It checks them when the service is created
// (StepLoadBalancerCheck: describe them, and register and deregister), and
// registers each task it starts (StepLoadBalancerRegister).
func LoadBalancerNeeds(env Env, lb types.LoadBalancer, service string) []Need {
	switch {
	case lb.TargetGroupArn != "":
		why := "load balancer target group of service " + service
		return []Need{
			{Action: "elasticloadbalancing:RegisterTargets", Resource: lb.TargetGroupArn, Why: why, Step: StepLoadBalancerRegister, Subject: lb.TargetGroupArn},
			{Action: "elasticloadbalancing:DeregisterTargets", Resource: lb.TargetGroupArn, Why: why, Step: StepLoadBalancerCheck, Subject: lb.TargetGroupArn},
			{Action: "elasticloadbalancing:DescribeTargetGroups", Resource: "*", Why: "ECS validates the target group of service " + service, Step: StepLoadBalancerCheck},
		}
	case lb.LoadBalancerName != "":
		arn := env.Res("elasticloadbalancing:RegisterInstancesWithLoadBalancer", "loadbalancer", "LoadBalancerName", lb.LoadBalancerName)
		why := "Classic Load Balancer of service " + service
		return []Need{
			{Action: "elasticloadbalancing:RegisterInstancesWithLoadBalancer", Resource: arn, Why: why, Step: StepLoadBalancerRegister, Subject: lb.LoadBalancerName},
			{Action: "elasticloadbalancing:DeregisterInstancesFromLoadBalancer", Resource: arn, Why: why, Step: StepLoadBalancerCheck, Subject: lb.LoadBalancerName},
			{Action: "elasticloadbalancing:DescribeLoadBalancers", Resource: "*", Why: "ECS validates the load balancer of service " + service, Step: StepLoadBalancerCheck},
		}
	}
	return nil
}

// managedScalingNeeds: ECS's managed scaling and termination protection act
// on the Auto Scaling groups of EC2 capacity providers through
// AWSServiceRoleForECS (its policy limits them to groups tagged
// AmazonECSManaged, which ECS adds when it turns managed scaling on).
func managedScalingNeeds(in ServiceInput) Use {
	var u Use
	for _, cp := range in.Providers {
		asg := cp.AutoScalingGroupProvider
		if asg == nil {
			continue
		}
		managed := asg.ManagedScaling != nil && strings.EqualFold(asg.ManagedScaling.Status, "ENABLED") || strings.EqualFold(asg.ManagedTerminationProtection, "ENABLED")
		if !managed || asg.AutoScalingGroupArn == "" {
			continue
		}
		u.Why = append(u.Why, fmt.Sprintf("capacity provider %s: managed scaling of its Auto Scaling group", cp.Name))
		u.Needs = append(u.Needs, Need{Action: "autoscaling:UpdateAutoScalingGroup", Resource: asg.AutoScalingGroupArn,
			Context: map[string][]string{"autoscaling:ResourceTag/AmazonECSManaged": {"true"}}, Why: "managed scaling of capacity provider " + cp.Name, Step: StepManagedScaling})
	}
	return u
}

// ebsUse: the infrastructure role ECS uses for a service's Amazon EBS
// volumes (AmazonECSInfrastructureRolePolicyForVolumes: ECS tags what it
// creates AmazonECSManaged=true and AmazonECSCreated=TASK-ARN).
func ebsUse(env Env, in ServiceInput, vc types.ServiceVolumeConfiguration) (Use, string) {
	label := fmt.Sprintf("%s, volume %s", in.Label, vc.Name)
	note := ""
	if td := in.TaskDefinition; td != nil {
		found := false
		for _, v := range td.Volumes {
			if v.Name == vc.Name && v.ConfiguredAtLaunch != nil && *v.ConfiguredAtLaunch {
				found = true
			}
		}
		if !found {
			note = fmt.Sprintf("service %s configures volume %s at launch, but task definition %s has no volume %s with configuredAtLaunch true", in.Name, vc.Name, taskDefName(td), vc.Name)
		}
	}
	if vc.ManagedEBSVolume.RoleArn == "" {
		return Use{Kind: EBSInfrastructure, For: "service " + in.Name, Needed: true, Why: []string{label + ": Amazon EBS volume"},
			Problems: []Problem{{What: "volume " + vc.Name + " names an infrastructure role", Detail: "managedEBSVolume.roleArn is required"}}}, note
	}
	u := Use{Kind: EBSInfrastructure, Role: vc.ManagedEBSVolume.RoleArn, Needed: true, Passed: true,
		Why:   []string{label + ": ECS creates, attaches and deletes the task's Amazon EBS volume with it"},
		Trust: SourceKeys(env.Account, "")}
	task := env.TaskARN(in.Cluster, TaskID)
	vol := env.Res("ec2:CreateVolume", "volume", "VolumeId", "vol-"+TaskID)
	created := map[string][]string{"aws:RequestTag/AmazonECSManaged": {"true"}, "aws:RequestTag/AmazonECSCreated": {task}, "aws:TagKeys": {"AmazonECSManaged", "AmazonECSCreated"}}
	owned := map[string][]string{"aws:ResourceTag/AmazonECSManaged": {"true"}, "aws:ResourceTag/AmazonECSCreated": {task}}
	tag := map[string][]string{"ec2:CreateAction": {"CreateVolume"}}
	for k, v := range created {
		tag[k] = v
	}
	u.Needs = []Need{
		{Action: "ec2:CreateVolume", Resource: vol, Context: created, Why: label, Step: StepVolume},
		{Action: "ec2:CreateTags", Resource: vol, Context: tag, Why: label, Step: StepVolume},
		{Action: "ec2:AttachVolume", Resource: vol, Context: owned, Why: label, Step: StepVolume},
		{Action: "ec2:DetachVolume", Resource: vol, Context: owned, Why: label, Step: StepVolume},
		{Action: "ec2:DeleteVolume", Resource: vol, Context: owned, Why: label, Step: StepVolume},
		{Action: "ec2:DescribeVolumes", Resource: "*", Why: label, Step: StepVolume},
	}
	if k := vc.ManagedEBSVolume.KmsKeyId; k != "" {
		u.Notes = []string{"the volume is encrypted with " + k + ": that key's policy must let this role use it (kms:CreateGrant, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncrypt*, kms:DescribeKey); key policies are not read"}
	}
	return u, note
}

// tlsUse: Service Connect TLS
// (AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity).
func tlsUse(env Env, in ServiceInput, scs types.ServiceConnectService) Use {
	label := in.Label + ": Service Connect TLS"
	u := Use{Kind: ServiceConnectTLSRole, Role: scs.Tls.RoleArn, Needed: true, Passed: true, Trust: SourceKeys(env.Account, ""),
		Why: []string{fmt.Sprintf("%s: Service Connect TLS on port %s: ECS issues certificates from the private CA and keeps them in Secrets Manager", in.Label, scs.PortName)}}
	svcARN := env.ServiceARN(in.Cluster, in.Name)
	secret := env.Res("secretsmanager:CreateSecret", "Secret", "SecretId", "ecs-sc!"+in.Name+SecretSuffix)
	created := map[string][]string{
		"aws:RequestTag/AmazonECSManaged": {"true"}, "aws:RequestTag/AmazonECSCreated": {svcARN},
		"aws:ResourceAccount": {env.Account}, "aws:TagKeys": {"AmazonECSManaged", "AmazonECSCreated"},
	}
	owned := map[string][]string{"secretsmanager:ResourceTag/aws:secretsmanager:owningService": {"ecs-sc"}, "aws:ResourceAccount": {env.Account}}
	u.Needs = []Need{
		{Action: "secretsmanager:CreateSecret", Resource: secret, Context: created, Why: label, Step: StepCertificates},
		{Action: "secretsmanager:GetSecretValue", Resource: secret, Context: owned, Why: label, Step: StepCertificates},
		{Action: "secretsmanager:PutSecretValue", Resource: secret, Context: owned, Why: label, Step: StepCertificates},
	}
	if ca := scs.Tls.IssuerCertificateAuthority; ca != nil && ca.AwsPcaAuthorityArn != "" {
		pca := ca.AwsPcaAuthorityArn
		tagged := map[string][]string{"aws:ResourceTag/AmazonECSManaged": {"true"}}
		issue := map[string][]string{"aws:ResourceTag/AmazonECSManaged": {"true"}, "acm-pca:TemplateArn": {"arn:" + env.partition() + ":acm-pca:::template/EndEntityCertificate/V1"}}
		u.Needs = append(u.Needs,
			Need{Action: "acm-pca:IssueCertificate", Resource: pca, Context: issue, Why: label, Step: StepCertificates},
			Need{Action: "acm-pca:GetCertificate", Resource: pca, Context: tagged, Why: label, Step: StepCertificates},
			Need{Action: "acm-pca:DescribeCertificateAuthority", Resource: pca, Context: tagged, Why: label, Step: StepCertificates},
		)
		u.Notes = append(u.Notes, "the AWS managed policy lets ECS use only a private CA tagged AmazonECSManaged=true: evaluated as if "+pca+" has that tag")
	}
	return u
}
