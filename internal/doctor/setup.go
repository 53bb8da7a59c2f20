package doctor

import (
	"sort"
	"strconv"
	"strings"
)

// Setup is the ECS setup the doctor examines: what a person deploys (task
// definitions, services, capacity providers, clusters, scalable targets) and
// where its IAM side is read from. The JSON field names are the ECS API's
// member names, so the JSON that `aws ecs register-task-definition
// --cli-input-json`, `create-service --cli-input-json` and
// `create-capacity-provider --cli-input-json` accept, and what the describe
// calls answer, decode straight into these types.
type Setup struct {
	Partition string // "aws" when empty
	Account   string // 12 digits; taken from role ARNs when empty
	Region    string // "us-east-1" when empty

	TaskDefinitions   []*TaskDefinition
	Services          []*Service
	Clusters          []*Cluster
	CapacityProviders []*CapacityProvider
	ScalableTargets   []*ScalableTarget

	// InstanceProfiles names the instance profiles (names or ARNs) of the
	// EC2 container instances. Neither ECS nor IAM tells which profile an
	// instance has (EC2 does), so it is given; when it is empty and EC2
	// capacity is used, the doctor looks at ecsInstanceRole, the name the
	// ECS console and documentation use.
	InstanceProfiles []string

	// Keys maps a secret or parameter ARN (as the task definition names
	// it, without a JSON-key suffix) to the customer managed KMS key that
	// encrypts it, from `aws secretsmanager describe-secret` or `aws ssm
	// describe-parameters` output. Secrets under AWS managed keys need no
	// kms:Decrypt grant.
	Keys map[string]string

	// Deployer is the ARN of the principal that registers the task
	// definitions and creates the services (a user, a role, a role
	// session, or the root user): the one that must be allowed iam:PassRole.
	// "" skips the PassRole checks.
	Deployer string

	// IAM reads roles, instance profiles and principals; nil skips every
	// check that needs IAM.
	IAM RoleReader
}

// TaskDefinition is a task definition as RegisterTaskDefinition takes it or
// DescribeTaskDefinition answers it.
type TaskDefinition struct {
	TaskDefinitionArn       string      `json:"taskDefinitionArn,omitempty"`
	Family                  string      `json:"family"`
	Revision                int         `json:"revision,omitempty"`
	TaskRoleArn             string      `json:"taskRoleArn,omitempty"`
	ExecutionRoleArn        string      `json:"executionRoleArn,omitempty"`
	NetworkMode             string      `json:"networkMode,omitempty"`
	RequiresCompatibilities []string    `json:"requiresCompatibilities,omitempty"`
	ContainerDefinitions    []Container `json:"containerDefinitions"`
	Volumes                 []Volume    `json:"volumes,omitempty"`

	// Source says where it was read (a file, or "ecs" for the live API).
	Source string `json:"-"`
}

// Name is family:revision, or the family alone when the revision is not
// known (a file that registers a new revision).
func (t *TaskDefinition) Name() string {
	if t.Revision > 0 {
		return t.Family + ":" + strconv.Itoa(t.Revision)
	}
	return t.Family
}

// Container is one container definition, with the members that decide
// which roles the task needs.
type Container struct {
	Name                  string                 `json:"name"`
	Image                 string                 `json:"image"`
	RepositoryCredentials *RepositoryCredentials `json:"repositoryCredentials,omitempty"`
	LogConfiguration      *LogConfiguration      `json:"logConfiguration,omitempty"`
	Secrets               []Secret               `json:"secrets,omitempty"`
	EnvironmentFiles      []EnvironmentFile      `json:"environmentFiles,omitempty"`
}

// RepositoryCredentials is private registry authentication: a Secrets
// Manager secret with the registry's user name and password.
type RepositoryCredentials struct {
	CredentialsParameter string `json:"credentialsParameter"`
}

// LogConfiguration is a container's log driver.
type LogConfiguration struct {
	LogDriver     string            `json:"logDriver"`
	Options       map[string]string `json:"options,omitempty"`
	SecretOptions []Secret          `json:"secretOptions,omitempty"`
}

// Secret is a secret exposed to a container: ValueFrom is a Secrets Manager
// secret ARN (optionally with :json-key:version-stage:version-id) or a
// Parameter Store parameter ARN or name.
type Secret struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

// EnvironmentFile is an S3 object whose lines become environment
// variables (Type "s3", Value the object ARN).
type EnvironmentFile struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

// Volume is a task volume; the members that need roles.
type Volume struct {
	Name                   string                  `json:"name"`
	EfsVolumeConfiguration *EfsVolumeConfiguration `json:"efsVolumeConfiguration,omitempty"`
	// ConfiguredAtLaunch marks a volume the service or RunTask configures,
	// e.g. an Amazon EBS volume.
	ConfiguredAtLaunch *bool `json:"configuredAtLaunch,omitempty"`
}

// EfsVolumeConfiguration is an Amazon EFS volume.
type EfsVolumeConfiguration struct {
	FileSystemId        string                  `json:"fileSystemId"`
	AuthorizationConfig *EfsAuthorizationConfig `json:"authorizationConfig,omitempty"`
}

// EfsAuthorizationConfig: Iam "ENABLED" mounts with the task role.
type EfsAuthorizationConfig struct {
	AccessPointId string `json:"accessPointId,omitempty"`
	Iam           string `json:"iam,omitempty"`
}

// Service is a service as CreateService takes it or DescribeServices
// answers it (which says clusterArn and roleArn where CreateService says
// cluster and role).
type Service struct {
	ServiceName                 string                       `json:"serviceName"`
	ServiceArn                  string                       `json:"serviceArn,omitempty"`
	Cluster                     string                       `json:"cluster,omitempty"`
	ClusterArn                  string                       `json:"clusterArn,omitempty"`
	TaskDefinition              string                       `json:"taskDefinition"`
	LaunchType                  string                       `json:"launchType,omitempty"`
	CapacityProviderStrategy    []CapacityProviderStrategy   `json:"capacityProviderStrategy,omitempty"`
	LoadBalancers               []LoadBalancer               `json:"loadBalancers,omitempty"`
	ServiceRegistries           []ServiceRegistry            `json:"serviceRegistries,omitempty"`
	Role                        string                       `json:"role,omitempty"`
	RoleArn                     string                       `json:"roleArn,omitempty"`
	NetworkConfiguration        *NetworkConfiguration        `json:"networkConfiguration,omitempty"`
	EnableExecuteCommand        bool                         `json:"enableExecuteCommand,omitempty"`
	ServiceConnectConfiguration *ServiceConnectConfiguration `json:"serviceConnectConfiguration,omitempty"`
	VolumeConfigurations        []ServiceVolumeConfiguration `json:"volumeConfigurations,omitempty"`

	Source string `json:"-"`
}

// ClusterName is the service's cluster name ("default" when none is named).
func (s *Service) ClusterName() string {
	c := s.Cluster
	if c == "" {
		c = s.ClusterArn
	}
	return clusterName(c)
}

// ServiceRole is the legacy service role the service names, "" for none.
func (s *Service) ServiceRole() string {
	if s.Role != "" {
		return s.Role
	}
	return s.RoleArn
}

// CapacityProviderStrategy is one item of a capacity provider strategy.
type CapacityProviderStrategy struct {
	CapacityProvider string `json:"capacityProvider"`
	Weight           int    `json:"weight,omitempty"`
	Base             int    `json:"base,omitempty"`
}

// LoadBalancer attaches a service to an Elastic Load Balancing target group
// (ALB, NLB) or a Classic Load Balancer (LoadBalancerName).
type LoadBalancer struct {
	TargetGroupArn   string `json:"targetGroupArn,omitempty"`
	LoadBalancerName string `json:"loadBalancerName,omitempty"`
	ContainerName    string `json:"containerName,omitempty"`
	ContainerPort    int    `json:"containerPort,omitempty"`
}

// ServiceRegistry is an AWS Cloud Map service the tasks register in.
type ServiceRegistry struct {
	RegistryArn string `json:"registryArn"`
}

// NetworkConfiguration is awsvpc networking.
type NetworkConfiguration struct {
	AwsvpcConfiguration *AwsvpcConfiguration `json:"awsvpcConfiguration,omitempty"`
}

// AwsvpcConfiguration is a task ENI's placement.
type AwsvpcConfiguration struct {
	Subnets        []string `json:"subnets,omitempty"`
	SecurityGroups []string `json:"securityGroups,omitempty"`
	AssignPublicIp string   `json:"assignPublicIp,omitempty"`
}

// ServiceConnectConfiguration is Service Connect.
type ServiceConnectConfiguration struct {
	Enabled   bool                    `json:"enabled"`
	Namespace string                  `json:"namespace,omitempty"`
	Services  []ServiceConnectService `json:"services,omitempty"`
}

// ServiceConnectService is one Service Connect endpoint; Tls names the
// infrastructure role that issues its certificates.
type ServiceConnectService struct {
	PortName string                          `json:"portName"`
	Tls      *ServiceConnectTlsConfiguration `json:"tls,omitempty"`
}

// ServiceConnectTlsConfiguration is Service Connect TLS.
type ServiceConnectTlsConfiguration struct {
	IssuerCertificateAuthority struct {
		AwsPcaAuthorityArn string `json:"awsPcaAuthorityArn,omitempty"`
	} `json:"issuerCertificateAuthority"`
	KmsKey  string `json:"kmsKey,omitempty"`
	RoleArn string `json:"roleArn,omitempty"`
}

// ServiceVolumeConfiguration configures a volume at launch.
type ServiceVolumeConfiguration struct {
	Name             string                         `json:"name"`
	ManagedEBSVolume *ServiceManagedEBSVolumeConfig `json:"managedEBSVolume,omitempty"`
}

// ServiceManagedEBSVolumeConfig is an Amazon EBS volume ECS creates for
// each task with the infrastructure role RoleArn.
type ServiceManagedEBSVolumeConfig struct {
	RoleArn  string `json:"roleArn"`
	KmsKeyId string `json:"kmsKeyId,omitempty"`
}

// Cluster is a cluster as CreateCluster takes it or DescribeClusters
// answers it.
type Cluster struct {
	ClusterName                     string                     `json:"clusterName"`
	ClusterArn                      string                     `json:"clusterArn,omitempty"`
	CapacityProviders               []string                   `json:"capacityProviders,omitempty"`
	DefaultCapacityProviderStrategy []CapacityProviderStrategy `json:"defaultCapacityProviderStrategy,omitempty"`

	Source string `json:"-"`
}

// CapacityProvider is a capacity provider as CreateCapacityProvider takes it
// or DescribeCapacityProviders answers it.
type CapacityProvider struct {
	Name                     string                    `json:"name"`
	CapacityProviderArn      string                    `json:"capacityProviderArn,omitempty"`
	Cluster                  string                    `json:"cluster,omitempty"`
	AutoScalingGroupProvider *AutoScalingGroupProvider `json:"autoScalingGroupProvider,omitempty"`
	ManagedInstancesProvider *ManagedInstancesProvider `json:"managedInstancesProvider,omitempty"`

	Source string `json:"-"`
}

// AutoScalingGroupProvider is EC2 capacity from an Auto Scaling group.
type AutoScalingGroupProvider struct {
	AutoScalingGroupArn string `json:"autoScalingGroupArn"`
	ManagedScaling      *struct {
		Status string `json:"status,omitempty"`
	} `json:"managedScaling,omitempty"`
	ManagedTerminationProtection string `json:"managedTerminationProtection,omitempty"`
}

// ManagedInstancesProvider is Amazon ECS Managed Instances capacity.
type ManagedInstancesProvider struct {
	InfrastructureRoleArn  string `json:"infrastructureRoleArn"`
	InstanceLaunchTemplate *struct {
		Ec2InstanceProfileArn string `json:"ec2InstanceProfileArn"`
	} `json:"instanceLaunchTemplate,omitempty"`
}

// ScalableTarget is an Application Auto Scaling scalable target, as
// `aws application-autoscaling register-scalable-target --cli-input-json`
// takes it (ServiceNamespace "ecs", ResourceId "service/CLUSTER/SERVICE").
type ScalableTarget struct {
	ServiceNamespace  string `json:"ServiceNamespace"`
	ResourceId        string `json:"ResourceId"`
	ScalableDimension string `json:"ScalableDimension"`
	RoleARN           string `json:"RoleARN,omitempty"`

	Source string `json:"-"`
}

// Platform is where a task runs.
type Platform string

// The platforms. External (ECS Anywhere) is treated as EC2 for roles.
const (
	Fargate          Platform = "FARGATE"
	EC2              Platform = "EC2"
	ManagedInstances Platform = "MANAGED_INSTANCES"
	External         Platform = "EXTERNAL"
)

// clusterName turns a cluster name or ARN into the name.
func clusterName(c string) string {
	if c == "" {
		return "default"
	}
	if i := strings.LastIndex(c, ":cluster/"); i >= 0 {
		return c[i+len(":cluster/"):]
	}
	return c
}

// lastSegment is what follows the last '/' (or the whole string).
func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
