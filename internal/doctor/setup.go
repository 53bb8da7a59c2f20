package doctor

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
)

// Setup is the ECS setup the doctor examines: what a person deploys (task
// definitions, services, capacity providers, clusters, scalable targets) and
// where its IAM side is read from. The JSON field names are the ECS API's
// member names, so the JSON that `aws ecs register-task-definition
// --cli-input-json`, `create-service --cli-input-json` and
// `create-capacity-provider --cli-input-json` and
// `create-express-gateway-service --cli-input-json` accept, and what the describe
// calls answer, decode straight into these types.
type Setup struct {
	Partition string // "aws" when empty
	Account   string // 12 digits; taken from role ARNs when empty
	Region    string // "us-east-1" when empty

	TaskDefinitions []*TaskDefinition
	Services        []*Service
	// Tasks are running, pending or stopped tasks, as DescribeTasks
	// answers them: a task that no service of the setup started is
	// checked as it ran (its launch type, its role overrides).
	Tasks             []*Task
	Clusters          []*Cluster
	CapacityProviders []*CapacityProvider
	ScalableTargets   []*ScalableTarget
	ExpressServices   []*ExpressService
	// Daemons run the daemon task definitions of DaemonTaskDefinitions
	// (ECS Managed Daemons).
	Daemons               []*Daemon
	DaemonTaskDefinitions []*DaemonTaskDefinition

	// InstanceProfiles names the instance profiles (names or ARNs) of the
	// EC2 container instances, given. Neither ECS nor IAM tells which
	// profile an instance has (EC2 does): without them, the doctor reads
	// the clusters' registered container instances (ContainerInstances);
	// for a cluster whose registrations were not read, or that has none,
	// it looks at ecsInstanceRole, the name the ECS console and
	// documentation use.
	InstanceProfiles []string

	// ContainerInstances are the EC2 container instances registered in
	// the clusters of Registrations, with the instance profile EC2 gives
	// each one's instance: the role of those profiles is what the ECS
	// agent on them acts with, the container instance role.
	ContainerInstances []*ContainerInstance
	// Registrations names the clusters whose container instances were
	// read (those with none registered included).
	Registrations []string

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

// The setup's ECS resources are the shapes generated from AWS's ECS model
// (package ecs/types), as the server keeps them, with where each was read.
// Members whose timestamps the AWS CLI prints in more than one format
// (ISO 8601 or epoch seconds), and which no role depends on, are kept raw.

// TaskDefinition is a task definition as RegisterTaskDefinition takes it or
// DescribeTaskDefinition answers it.
type TaskDefinition struct {
	types.TaskDefinition
	RegisteredAt, DeregisteredAt, DeleteRequestedAt json.RawMessage `json:",omitempty"`

	// Source says where it was read (a file, or "ecs" for the live API).
	Source string `json:"-"`
}

// Name is family:revision, or the family alone when the revision is not
// known (a file that registers a new revision).
func (t *TaskDefinition) Name() string {
	if t.Revision > 0 {
		return t.Family + ":" + strconv.Itoa(int(t.Revision))
	}
	return t.Family
}

// Service is a service as CreateService takes it (cluster, role) or
// DescribeServices answers it (clusterArn, roleArn; its Service Connect
// and volume configurations are its primary deployment's).
type Service struct {
	types.CreateServiceRequest
	ServiceArn                    string          `json:"serviceArn,omitempty"`
	ClusterArn                    string          `json:"clusterArn,omitempty"`
	RoleArn                       string          `json:"roleArn,omitempty"`
	CreatedAt                     json.RawMessage `json:"createdAt,omitempty"`
	Deployments, Events, TaskSets json.RawMessage `json:",omitempty"`
	// ResourceManagementType is "ECS" for the service of an Express
	// service, which DescribeExpressGatewayService describes.
	ResourceManagementType string `json:"resourceManagementType,omitempty"`

	Source string `json:"-"`
}

// ServiceOf is a service as DescribeServices answers it (the generated
// shape), read from source: its Service Connect and volume configurations
// are those of its primary (first) deployment, which is what runs.
func ServiceOf(s types.Service, source string) (*Service, error) {
	d := &Service{ServiceArn: s.ServiceArn, ClusterArn: s.ClusterArn, RoleArn: s.RoleArn, ResourceManagementType: s.ResourceManagementType, Source: source}
	deployments := s.Deployments
	s.Deployments, s.Events, s.TaskSets = nil, nil, nil
	// The service's members that CreateService takes have the same names
	// in both shapes.
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &d.CreateServiceRequest); err != nil {
		return nil, err
	}
	if len(deployments) > 0 {
		d.ServiceConnectConfiguration = deployments[0].ServiceConnectConfiguration
		d.VolumeConfigurations = deployments[0].VolumeConfigurations
	}
	return d, nil
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

// ExpressService is an Express service as CreateExpressGatewayService
// takes it or DescribeExpressGatewayService answers it (whose service
// holds its configurations, the last the one it runs).
type ExpressService struct {
	types.CreateExpressGatewayServiceRequest
	ServiceArn           string                 `json:"serviceArn,omitempty"`
	ActiveConfigurations []ExpressConfiguration `json:"activeConfigurations,omitempty"`
	CreatedAt, UpdatedAt json.RawMessage        `json:",omitempty"`

	Source string `json:"-"`
}

// ExpressConfiguration is one of an Express service's configurations.
type ExpressConfiguration struct {
	types.ExpressGatewayServiceConfiguration
	CreatedAt json.RawMessage `json:",omitempty"`
}

// Name is the service's name.
func (e *ExpressService) Name() string {
	if e.ServiceName != "" {
		return e.ServiceName
	}
	return lastSegment(e.ServiceArn)
}

// ClusterName is the service's cluster name.
func (e *ExpressService) ClusterName() string { return clusterIn(e.Cluster, e.ServiceArn) }

// Configuration is the configuration it runs, with the log group ECS
// gives a primary container that names none.
func (e *ExpressService) Configuration() *types.ExpressGatewayServiceConfiguration {
	var cfg types.ExpressGatewayServiceConfiguration
	if n := len(e.ActiveConfigurations); n > 0 {
		cfg = e.ActiveConfigurations[n-1].ExpressGatewayServiceConfiguration
	} else {
		cfg = types.ExpressGatewayServiceConfiguration{ExecutionRoleArn: e.ExecutionRoleArn, TaskRoleArn: e.TaskRoleArn,
			Cpu: e.Cpu, Memory: e.Memory, PrimaryContainer: e.PrimaryContainer}
	}
	if pc := cfg.PrimaryContainer; pc != nil && pc.AwsLogsConfiguration == nil {
		c := *pc
		c.AwsLogsConfiguration = &types.ExpressGatewayServiceAwsLogsConfiguration{LogGroup: ecsroles.ExpressLogGroup(e.ClusterName(), e.Name()), LogStreamPrefix: ecsroles.ExpressStreamPrefix}
		cfg.PrimaryContainer = &c
	}
	return &cfg
}

// Daemon is a daemon as CreateDaemon takes it (DescribeDaemon names its
// revisions, whose DescribeDaemonRevisions names the daemon task
// definition, the capacity providers and ECS Exec).
type Daemon struct {
	types.CreateDaemonRequest
	DaemonArn string `json:"daemonArn,omitempty"`

	Source string `json:"-"`
}

// Name is the daemon's name.
func (d *Daemon) Name() string {
	if d.DaemonName != "" {
		return d.DaemonName
	}
	return lastSegment(d.DaemonArn)
}

// ClusterName is the daemon's cluster name.
func (d *Daemon) ClusterName() string { return clusterIn(d.ClusterArn, d.DaemonArn) }

// DaemonTaskDefinition is a daemon task definition as
// DescribeDaemonTaskDefinition answers it.
type DaemonTaskDefinition struct {
	types.DaemonTaskDefinition
	RegisteredAt, DeleteRequestedAt json.RawMessage `json:",omitempty"`

	Source string `json:"-"`
}

// Task is a task as DescribeTasks answers it.
type Task struct {
	types.Task
	ConnectivityAt, CreatedAt, ExecutionStoppedAt, PullStartedAt, PullStoppedAt,
	StartedAt, StoppedAt, StoppingAt json.RawMessage `json:",omitempty"`

	Source string `json:"-"`
}

// Cluster is a cluster as CreateCluster takes it or DescribeClusters
// answers it.
type Cluster struct {
	types.Cluster

	Source string `json:"-"`
}

// CapacityProvider is a capacity provider as CreateCapacityProvider takes it
// or DescribeCapacityProviders answers it.
type CapacityProvider struct {
	types.CapacityProvider

	Source string `json:"-"`
}

// ContainerInstance is a container instance registered in a cluster, as
// DescribeContainerInstances answers it, with what EC2's
// DescribeInstances says of its instance.
type ContainerInstance struct {
	Cluster                             string // the cluster's name
	ContainerInstanceArn, Ec2InstanceId string
	// InstanceProfileArn is the instance profile of the EC2 instance, ""
	// when it has none (or EC2 does not know the instance, or was not
	// read: Unknown says why).
	InstanceProfileArn string
	Unknown            string
	// Operator is the service that operates the instance (ECS Managed
	// Instances' are ecs.amazonaws.com's): its role is not the EC2 launch
	// type's container instance role.
	Operator string
	// Trunk is the trunk network interface ECS gave it (its attribute
	// ecsroles.TrunkAttribute); TrunkFailed: it is
	// ecsroles.StatusRegistrationFailed, ECS having failed to give it one.
	// Either way ECS acts on it through AWSServiceRoleForECS.
	Trunk       string
	TrunkFailed bool

	Source string `json:"-"`
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

// clusterIn is the cluster's name of a resource that names its cluster
// (ref, a name or ARN), else of its ARN (KIND/CLUSTER/NAME).
func clusterIn(ref, arn string) string {
	if ref == "" && arn != "" {
		if parts := strings.Split(arn, "/"); len(parts) == 3 {
			return parts[1]
		}
	}
	return clusterName(ref)
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
