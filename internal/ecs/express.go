package ecs

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/internal/store"
)

// Express gateway services (Express Mode): an ECS service on Fargate that
// ECS sets up from a container image, a task execution role and an
// infrastructure role. ECS registers its task definition and creates the
// service as CreateService and RegisterTaskDefinition do (the caller
// passes the execution and task roles to ecs-tasks.amazonaws.com, which
// assumes them at each task's launch), and provisions its load balancer,
// security group, scaling and alarms with the infrastructure role, which
// the caller passes to ecs.amazonaws.com and ECS assumes
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/express-service-work.html).
// rolecall provisions nothing outside ECS: it decides each request ECS
// would make with the role (ecsroles.ExpressNeeds) on the role's policies,
// and a refusal fails the call.

// bucketExpress keeps what makes a service an Express service:
// <acct>/<region>/<cluster>/<service>.
const bucketExpress = "ecs-express-services"

// expressManagedBy is an Express service's resourceManagementType (the
// model's ResourceManagementType: ECS or CUSTOMER).
const expressManagedBy = "ECS"

// expressRecord is an Express service as the store keeps it; its ECS
// service is a service record like any other.
type expressRecord struct {
	Service, Cluster      string
	InfrastructureRoleArn string
	// ID names the resources ECS provisioned for it.
	ID         string
	Endpoint   string
	Deployment string
	// Configs are its configurations, oldest first; the last is the one
	// it runs or is being updated to.
	Configs              []expressConfig
	CreatedAt, UpdatedAt time.Time
}

// expressConfig is one configuration (service revision) as the store
// keeps it: rolecall's own record of types.ExpressGatewayServiceConfiguration.
type expressConfig struct {
	RevisionArn, TaskDefinitionArn             string
	ExecutionRoleArn, TaskRoleArn, Cpu, Memory string
	Subnets, SecurityGroups                    []string `json:",omitempty"`
	HealthCheckPath                            string
	Image                                      string
	ContainerPort                              int32
	LogGroup, LogStreamPrefix                  string
	CredentialsParameter                       string      `json:",omitempty"`
	Command                                    []string    `json:",omitempty"`
	Environment                                []nameValue `json:",omitempty"`
	Secrets                                    []nameValue `json:",omitempty"`
	MinTasks, MaxTasks, Target                 int32
	Metric                                     string
	CreatedAt                                  time.Time
}

type nameValue struct{ Name, Value string }

func expressKey(c Call, cluster, name string) string { return clusterKey(c, cluster) + "/" + name }

// The defaults of the CreateExpressGatewayService reference, and
// rolecall's where it names none (the maximum task count); the log group's
// are the one model's (ecsroles.ExpressLogGroup).
const (
	expressCPU             = "256"
	expressMemory          = "512"
	expressHealthCheckPath = "/ping"
	expressPort            = int32(80)
	expressMetric          = "AVERAGE_CPU"
	expressTarget          = int32(60)
	expressMinTasks        = int32(1)
	expressMaxTasks        = int32(20)
)

// wire is the configuration as the API answers it.
func (x *expressConfig) wire(c Call, endpoint string) types.ExpressGatewayServiceConfiguration {
	pc := &types.ExpressGatewayContainer{Image: x.Image, ContainerPort: ptr(x.ContainerPort), Command: x.Command,
		AwsLogsConfiguration: &types.ExpressGatewayServiceAwsLogsConfiguration{LogGroup: x.LogGroup, LogStreamPrefix: x.LogStreamPrefix}}
	if x.CredentialsParameter != "" {
		pc.RepositoryCredentials = &types.ExpressGatewayRepositoryCredentials{CredentialsParameter: x.CredentialsParameter}
	}
	for _, e := range x.Environment {
		pc.Environment = append(pc.Environment, types.KeyValuePair{Name: e.Name, Value: e.Value})
	}
	for _, e := range x.Secrets {
		pc.Secrets = append(pc.Secrets, types.Secret{Name: e.Name, ValueFrom: e.Value})
	}
	created := x.CreatedAt
	out := types.ExpressGatewayServiceConfiguration{
		ServiceRevisionArn: x.RevisionArn, ExecutionRoleArn: x.ExecutionRoleArn, TaskRoleArn: x.TaskRoleArn,
		Cpu: x.Cpu, Memory: x.Memory, HealthCheckPath: x.HealthCheckPath, PrimaryContainer: pc,
		ScalingTarget: &types.ExpressGatewayScalingTarget{MinTaskCount: ptr(x.MinTasks), MaxTaskCount: ptr(x.MaxTasks),
			AutoScalingMetric: x.Metric, AutoScalingTargetValue: ptr(x.Target)},
		IngressPaths: []types.IngressPathSummary{{AccessType: "PUBLIC", Endpoint: endpoint}},
		CreatedAt:    &created,
	}
	if len(x.Subnets) > 0 || len(x.SecurityGroups) > 0 {
		out.NetworkConfiguration = &types.ExpressGatewayServiceNetworkConfiguration{Subnets: x.Subnets, SecurityGroups: x.SecurityGroups}
	}
	return out
}

// expressChange is what a create or update request sets of a
// configuration.
type expressChange struct {
	ExecutionRoleArn, TaskRoleArn, Cpu, Memory, HealthCheckPath string
	Network                                                     *types.ExpressGatewayServiceNetworkConfiguration
	Container                                                   *types.ExpressGatewayContainer
	Scaling                                                     *types.ExpressGatewayScalingTarget
}

// apply makes the next configuration from x (the zero one for a new
// service) and what the request changes, with the defaults for what
// neither sets; the primary container is replaced whole.
func (ch expressChange) apply(x expressConfig, cluster, service string) (expressConfig, error) {
	set := func(dst *string, v, def string) {
		switch {
		case v != "":
			*dst = v
		case *dst == "":
			*dst = def
		}
	}
	set(&x.ExecutionRoleArn, ch.ExecutionRoleArn, "")
	set(&x.TaskRoleArn, ch.TaskRoleArn, "")
	set(&x.Cpu, ch.Cpu, expressCPU)
	set(&x.Memory, ch.Memory, expressMemory)
	set(&x.HealthCheckPath, ch.HealthCheckPath, expressHealthCheckPath)
	if !strings.HasPrefix(x.HealthCheckPath, "/") {
		return x, errExpressHealthCheckPath()
	}
	if n := ch.Network; n != nil {
		x.Subnets, x.SecurityGroups = n.Subnets, n.SecurityGroups
	}
	if pc := ch.Container; pc != nil {
		x.Image, x.ContainerPort, x.Command = pc.Image, expressPort, pc.Command
		if pc.ContainerPort != nil {
			x.ContainerPort = *pc.ContainerPort
		}
		x.LogGroup, x.LogStreamPrefix = ecsroles.ExpressLogGroup(cluster, service), ecsroles.ExpressStreamPrefix
		if lc := pc.AwsLogsConfiguration; lc != nil {
			x.LogGroup, x.LogStreamPrefix = lc.LogGroup, lc.LogStreamPrefix
		}
		x.CredentialsParameter = ""
		if rc := pc.RepositoryCredentials; rc != nil {
			x.CredentialsParameter = rc.CredentialsParameter
		}
		x.Environment, x.Secrets = nil, nil
		for _, e := range pc.Environment {
			x.Environment = append(x.Environment, nameValue{e.Name, e.Value})
		}
		for _, e := range pc.Secrets {
			x.Secrets = append(x.Secrets, nameValue{e.Name, e.ValueFrom})
		}
	}
	if x.ContainerPort < 1 || x.ContainerPort > 65535 {
		return x, errExpressPort()
	}
	if x.MinTasks == 0 && x.MaxTasks == 0 {
		x.MinTasks, x.MaxTasks, x.Metric, x.Target = expressMinTasks, expressMaxTasks, expressMetric, expressTarget
	}
	if st := ch.Scaling; st != nil {
		if st.MinTaskCount != nil {
			x.MinTasks = *st.MinTaskCount
		}
		if st.MaxTaskCount != nil {
			x.MaxTasks = *st.MaxTaskCount
		}
		if st.AutoScalingMetric != "" {
			x.Metric = st.AutoScalingMetric
		}
		if st.AutoScalingTargetValue != nil {
			x.Target = *st.AutoScalingTargetValue
		}
	}
	if x.MinTasks < 0 || x.MaxTasks < 1 || x.MinTasks > x.MaxTasks {
		return x, errExpressScaling()
	}
	return x, nil
}

// network is the awsvpc configuration of the service's tasks: the
// configuration's subnets and security groups, and the security group ECS
// created for the service.
func (x *expressConfig) network(r *expressRecord) *types.NetworkConfiguration {
	return &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
		Subnets: x.Subnets, SecurityGroups: append([]string{"sg-" + r.ID}, x.SecurityGroups...), AssignPublicIp: "ENABLED"}}
}

// input is the record for the one model of ECS's role use.
func (r *expressRecord) input() ecsroles.ExpressInput {
	x := r.Configs[len(r.Configs)-1]
	return ecsroles.ExpressInput{Name: r.Service, Cluster: r.Cluster, Label: ecsroles.ExpressLabel(r.Service, r.Cluster),
		InfrastructureRole: r.InfrastructureRoleArn, ID: r.ID, LogGroup: x.LogGroup}
}

// CreateExpressGatewayService creates an Express service: the default
// cluster when none is named and it does not exist, then, with the
// infrastructure role the caller passes, the service's resources, then
// its task definition and its service, whose tasks start as any
// service's.
func (s *Service) CreateExpressGatewayService(ctx context.Context, c Call, in *types.CreateExpressGatewayServiceRequest) (*types.CreateExpressGatewayServiceResponse, error) {
	name := in.ServiceName
	if name == "" {
		// "If you don't specify a service name, Amazon ECS generates a
		// unique name" (reference); the form is rolecall's.
		name = "express-" + s.hexID()[:12]
	}
	if !serviceNamePattern.MatchString(name) {
		return nil, errServiceName()
	}
	cluster, missing, err := s.expressCluster(ctx, c, in.Cluster)
	if err != nil {
		return nil, err
	}
	x, err := expressChange{ExecutionRoleArn: in.ExecutionRoleArn, TaskRoleArn: in.TaskRoleArn, Cpu: in.Cpu, Memory: in.Memory,
		HealthCheckPath: in.HealthCheckPath, Network: in.NetworkConfiguration, Container: in.PrimaryContainer, Scaling: in.ScalingTarget}.apply(expressConfig{}, cluster, name)
	if err != nil {
		return nil, err
	}
	err = s.view(ctx, c, func(tx store.Tx) error {
		cur, err := loadService(tx, c, cluster, name)
		if err == nil && cur != nil && cur.Service.Status != statusInactive {
			return errNotIdempotent()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &expressRecord{Service: name, Cluster: cluster, InfrastructureRoleArn: in.InfrastructureRoleArn, ID: s.hexID()[:16],
		CreatedAt: now, UpdatedAt: now}
	// "<name>.ecs.<region>.on.aws" is the form of AWS's Express endpoints;
	// the suffix that makes it unique is rolecall's.
	r.Endpoint = name + "-" + r.ID[:8] + ".ecs." + c.Region + ".on.aws"
	r.Configs = []expressConfig{x}
	serviceArn := ecsARN(c, "service/"+cluster+"/"+name)
	if err := s.useInfrastructureRole(ctx, c, ecsroles.ExpressInfrastructure, in.InfrastructureRoleArn, serviceArn); err != nil {
		return nil, err
	}
	if err := s.expressProvisions(ctx, c, r, ecsroles.StepGatewayCreate); err != nil {
		return nil, err
	}
	if missing {
		// ECS creates the default cluster, "with Fargate capacity
		// providers", for the service.
		if _, err := s.CreateCluster(ctx, c, &types.CreateClusterRequest{ClusterName: defaultCluster, CapacityProviders: []string{"FARGATE"}}); err != nil {
			return nil, err
		}
	}
	if err := s.expressDeploy(ctx, c, r, true, in.Tags); err != nil {
		return nil, err
	}
	svc, err := s.describeService(ctx, c, cluster, name, true)
	if err != nil {
		return nil, err
	}
	if svc == nil {
		return nil, errServiceNotFound()
	}
	out := r.view(c, svc, true)
	return &types.CreateExpressGatewayServiceResponse{Service: &out}, nil
}

// expressCluster is the name of the cluster an Express service is created
// in: ECS creates the default cluster "if it does not already exist"
// (Resources created by Amazon ECS Express Mode services), and missing
// says it is to be created; a cluster named otherwise must exist.
func (s *Service) expressCluster(ctx context.Context, c Call, ref string) (name string, missing bool, err error) {
	err = s.view(ctx, c, func(tx store.Tx) error {
		cl, err := activeCluster(tx, c, ref, true)
		if err == nil {
			name, missing = cl.Cluster.ClusterName, false
			return nil
		}
		if n, _ := clusterName(c, ref); n == defaultCluster && awserr.Code(err) == "ClusterNotFoundException" {
			name, missing = defaultCluster, true
			return nil
		}
		return err
	})
	return name, missing, err
}

// expressProvisions has ECS make step's requests with the service's
// infrastructure role, in its session: the first refused fails the call.
func (s *Service) expressProvisions(ctx context.Context, c Call, r *expressRecord, step ecsroles.Step) error {
	needs := ecsroles.AtStep(ecsroles.ExpressNeeds(envOf(c), r.input()), step)
	_, denial, err := s.firstRefused(ctx, c, r.InfrastructureRoleArn, ecsroles.About[ecsroles.ExpressInfrastructure].Session, needs)
	if err != nil || denial == "" {
		return err
	}
	return errExpressRefused(r.InfrastructureRoleArn, denial)
}

// expressDeploy registers the task definition of the record's last
// configuration and creates the service with it (create, with tags) or
// updates the service to it, then writes the record.
func (s *Service) expressDeploy(ctx context.Context, c Call, r *expressRecord, create bool, tags []types.Tag) error {
	x := &r.Configs[len(r.Configs)-1]
	td, err := s.RegisterTaskDefinition(ctx, c, ecsroles.ExpressTaskDefinition(r.Service, c.Region, &types.ExpressGatewayServiceConfiguration{
		ExecutionRoleArn: x.ExecutionRoleArn, TaskRoleArn: x.TaskRoleArn, Cpu: x.Cpu, Memory: x.Memory,
		PrimaryContainer: x.wire(c, r.Endpoint).PrimaryContainer}))
	if err != nil {
		return err
	}
	x.TaskDefinitionArn = td.TaskDefinition.TaskDefinitionArn
	x.CreatedAt = s.now()
	// Service revision and deployment ARNs in the form of ECS's
	// (service-revision/CLUSTER/SERVICE/ID); the IDs are rolecall's.
	x.RevisionArn = ecsARN(c, "service-revision/"+r.Cluster+"/"+r.Service+"/"+strings.TrimPrefix(s.deploymentID(), "ecs-svc/"))
	r.Deployment = ecsARN(c, "service-deployment/"+r.Cluster+"/"+r.Service+"/"+s.hexID()[:22])
	if create {
		_, err = s.CreateService(ctx, c, &types.CreateServiceRequest{Cluster: r.Cluster, ServiceName: r.Service, TaskDefinition: x.TaskDefinitionArn,
			DesiredCount: ptr(x.MinTasks), LaunchType: launchFargate, NetworkConfiguration: x.network(r), Tags: tags})
	} else {
		_, err = s.UpdateService(ctx, c, &types.UpdateServiceRequest{Cluster: r.Cluster, Service: r.Service, TaskDefinition: x.TaskDefinitionArn,
			DesiredCount: ptr(x.MinTasks), NetworkConfiguration: x.network(r)})
	}
	if err != nil {
		return err
	}
	return s.update(ctx, c, func(tx store.Tx) error {
		if create {
			// DescribeServices tells an Express service, "managed by ECS",
			// from a customer's (Service, resourceManagementType:
			// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html).
			svc, err := loadService(tx, c, r.Cluster, r.Service)
			if err != nil || svc == nil {
				return err
			}
			svc.Service.ResourceManagementType = expressManagedBy
			if err := putJSON(tx, bucketServices, serviceKey(c, r.Cluster, r.Service), svc); err != nil {
				return err
			}
		}
		return putJSON(tx, bucketExpress, expressKey(c, r.Cluster, r.Service), r)
	})
}

// view is the Express service as the API answers it, from its record and
// its ECS service: its status is the service's.
func (r *expressRecord) view(c Call, svc *types.Service, withTags bool) types.ECSExpressGatewayService {
	created, updated := r.CreatedAt, r.UpdatedAt
	x := r.Configs[len(r.Configs)-1]
	out := types.ECSExpressGatewayService{
		Cluster: svc.ClusterArn, ServiceName: r.Service, ServiceArn: svc.ServiceArn, InfrastructureRoleArn: r.InfrastructureRoleArn,
		Status:               &types.ExpressGatewayServiceStatus{StatusCode: svc.Status},
		CurrentDeployment:    r.Deployment,
		ActiveConfigurations: []types.ExpressGatewayServiceConfiguration{x.wire(c, r.Endpoint)},
		CreatedAt:            &created, UpdatedAt: &updated,
	}
	if withTags {
		out.Tags = nonNil(svc.Tags)
	}
	return out
}

// loadExpress finds the Express service of a service ARN, with its ECS
// service; nil when the ARN names no Express service. A cluster that does
// not exist is ClusterNotFoundException.
func (s *Service) loadExpress(ctx context.Context, c Call, arn string) (*expressRecord, *types.Service, error) {
	rest, ok := resourceOf(c, arn, "service")
	cluster, name, long := strings.Cut(rest, "/")
	if !ok || !long {
		return nil, nil, nil
	}
	var r *expressRecord
	err := s.view(ctx, c, func(tx store.Tx) error {
		r = nil
		if cl, err := loadCluster(tx, c, cluster); err != nil {
			return err
		} else if cl == nil {
			return errClusterNotFound()
		}
		var rec expressRecord
		found, err := getJSON(tx, bucketExpress, expressKey(c, cluster, name), &rec)
		if found {
			r = &rec
		}
		return err
	})
	if err != nil || r == nil {
		return nil, nil, err
	}
	svc, err := s.describeService(ctx, c, cluster, name, true)
	if err != nil || svc == nil {
		return nil, nil, err
	}
	return r, svc, nil
}

// DescribeExpressGatewayService describes an Express service, with its
// tags when asked.
func (s *Service) DescribeExpressGatewayService(ctx context.Context, c Call, in *types.DescribeExpressGatewayServiceRequest) (*types.DescribeExpressGatewayServiceResponse, error) {
	r, svc, err := s.loadExpress(ctx, c, in.ServiceArn)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errResourceNotFound()
	}
	out := r.view(c, svc, slices.Contains(in.Include, "TAGS"))
	return &types.DescribeExpressGatewayServiceResponse{Service: &out}, nil
}

// activeExpress is the ACTIVE Express service an update or a delete acts
// on.
func (s *Service) activeExpress(ctx context.Context, c Call, arn string) (*expressRecord, *types.Service, error) {
	r, svc, err := s.loadExpress(ctx, c, arn)
	switch {
	case err != nil:
		return nil, nil, err
	case r == nil:
		return nil, nil, errServiceNotFound()
	case svc.Status != statusActive:
		return nil, nil, errServiceNotActive()
	}
	return r, svc, nil
}

// UpdateExpressGatewayService makes a new configuration of an Express
// service from what the request sets: ECS updates its resources with the
// infrastructure role, registers the configuration's task definition and
// deploys it.
func (s *Service) UpdateExpressGatewayService(ctx context.Context, c Call, in *types.UpdateExpressGatewayServiceRequest) (*types.UpdateExpressGatewayServiceResponse, error) {
	r, _, err := s.activeExpress(ctx, c, in.ServiceArn)
	if err != nil {
		return nil, err
	}
	x, err := expressChange{ExecutionRoleArn: in.ExecutionRoleArn, TaskRoleArn: in.TaskRoleArn, Cpu: in.Cpu, Memory: in.Memory,
		HealthCheckPath: in.HealthCheckPath, Network: in.NetworkConfiguration, Container: in.PrimaryContainer, Scaling: in.ScalingTarget}.apply(r.Configs[len(r.Configs)-1], r.Cluster, r.Service)
	if err != nil {
		return nil, err
	}
	if err := s.expressRole(ctx, c, r, ecsroles.StepGatewayUpdate); err != nil {
		return nil, err
	}
	r.Configs = append(r.Configs, x)
	r.UpdatedAt = s.now()
	if err := s.expressDeploy(ctx, c, r, false, nil); err != nil {
		return nil, err
	}
	svc, err := s.describeService(ctx, c, r.Cluster, r.Service, false)
	if err != nil {
		return nil, err
	}
	created, updated := r.CreatedAt, r.UpdatedAt
	target := r.Configs[len(r.Configs)-1].wire(c, r.Endpoint)
	return &types.UpdateExpressGatewayServiceResponse{Service: &types.UpdatedExpressGatewayService{
		ServiceArn: svc.ServiceArn, Cluster: svc.ClusterArn, ServiceName: r.Service,
		Status:              &types.ExpressGatewayServiceStatus{StatusCode: svc.Status},
		TargetConfiguration: &target, CreatedAt: &created, UpdatedAt: &updated,
	}}, nil
}

// expressRole has ECS assume the service's infrastructure role again, and
// make step's requests with it.
func (s *Service) expressRole(ctx context.Context, c Call, r *expressRecord, step ecsroles.Step) error {
	serviceArn := ecsARN(c, "service/"+r.Cluster+"/"+r.Service)
	if _, err := s.roles.AssumeAsService(ctx, c, PrincipalECS, r.InfrastructureRoleArn, ecsroles.About[ecsroles.ExpressInfrastructure].Session, serviceArn); err != nil {
		if awserr.IsClient(err) {
			return errInfrastructureRole(r.InfrastructureRoleArn)
		}
		return err
	}
	return s.expressProvisions(ctx, c, r, step)
}

// DeleteExpressGatewayService deletes an Express service: ECS removes its
// resources with the infrastructure role, and the service drains
// (DRAINING, then INACTIVE once its tasks have stopped).
func (s *Service) DeleteExpressGatewayService(ctx context.Context, c Call, in *types.DeleteExpressGatewayServiceRequest) (*types.DeleteExpressGatewayServiceResponse, error) {
	r, _, err := s.activeExpress(ctx, c, in.ServiceArn)
	if err != nil {
		return nil, err
	}
	if err := s.expressRole(ctx, c, r, ecsroles.StepGatewayDelete); err != nil {
		return nil, err
	}
	// The answer shows the service DRAINING, as DeleteService's does.
	deleted, err := s.DeleteService(ctx, c, &types.DeleteServiceRequest{Cluster: r.Cluster, Service: r.Service, Force: ptr(true)})
	if err != nil {
		return nil, err
	}
	r.UpdatedAt = s.now()
	err = s.update(ctx, c, func(tx store.Tx) error {
		return putJSON(tx, bucketExpress, expressKey(c, r.Cluster, r.Service), r)
	})
	if err != nil {
		return nil, err
	}
	out := r.view(c, deleted.Service, true)
	return &types.DeleteExpressGatewayServiceResponse{Service: &out}, nil
}

// Express services' errors: rolecall's wording of documented rules.

// errExpressHealthCheckPath: "The health check path must start with a
// forward slash" (CreateExpressGatewayService reference).
func errExpressHealthCheckPath() error {
	return invalidParameter("The health check path must start with a forward slash (/).")
}

func errExpressPort() error {
	return invalidParameter("The container port must be between 1 and 65535.")
}

func errExpressScaling() error {
	return invalidParameter("The scaling target's minimum task count must be at least 0 and at most its maximum task count, which must be at least 1.")
}

// errExpressRefused: a request ECS makes with an Express service's
// infrastructure role is refused. AWS records no text for it; rolecall
// fails the call with the role's AccessDenied message.
func errExpressRefused(role, denial string) error {
	return invalidParameter("The infrastructure role %s does not allow Amazon ECS to manage the resources of the Express service: %s", role, strings.TrimSpace(denial))
}
