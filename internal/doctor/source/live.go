package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/internal/doctor"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
)

// Live reads a setup from an account through the AWS API. Every call is a
// read (ecs Describe*/List*, iam Get*/List*, sts GetCallerIdentity,
// application-autoscaling DescribeScalableTargets, ec2 DescribeInstances),
// so a
// person can point it at their real account with their own credentials,
// or at rolecall through AWS_ENDPOINT_URL.
type Live struct {
	ECS *ecs.Client
	IAM *LiveIAM
	STS *sts.Client
	// Scaling reads service auto scaling (ReadScalableTargets).
	Scaling *applicationautoscaling.Client
	// EC2 reads the container instances' instance profiles
	// (ReadInstanceProfiles).
	EC2 *ec2.Client
}

// NewLive makes the clients from an aws.Config (config.LoadDefaultConfig,
// or rolecalltest's).
func NewLive(cfg aws.Config) *Live {
	return &Live{ECS: ecs.NewFromConfig(cfg), IAM: NewLiveIAM(iam.NewFromConfig(cfg)), STS: sts.NewFromConfig(cfg),
		Scaling: applicationautoscaling.NewFromConfig(cfg), EC2: ec2.NewFromConfig(cfg)}
}

// Caller is the ARN and account of the credentials in use.
func (l *Live) Caller(ctx context.Context) (arn, account string, err error) {
	out, err := l.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", "", err
	}
	return aws.ToString(out.Arn), aws.ToString(out.Account), nil
}

// ECSState is what the live source read of ECS.
type ECSState struct {
	TaskDefinitions   []*doctor.TaskDefinition
	Services          []*doctor.Service
	Tasks             []*doctor.Task
	Clusters          []*doctor.Cluster
	CapacityProviders []*doctor.CapacityProvider
	ExpressServices   []*doctor.ExpressService
	// Daemons are the clusters' daemons, with the daemon task definitions
	// they run.
	Daemons               []*doctor.Daemon
	DaemonTaskDefinitions []*doctor.DaemonTaskDefinition
	// ContainerInstances are the clusters' registered container
	// instances (all the clusters read: Registrations), without their
	// instance profiles until ReadInstanceProfiles.
	ContainerInstances []*doctor.ContainerInstance
	Registrations      []string
}

// Apply puts the ECS state into a setup.
func (st *ECSState) Apply(s *doctor.Setup) {
	s.TaskDefinitions = append(s.TaskDefinitions, st.TaskDefinitions...)
	s.Services = append(s.Services, st.Services...)
	s.Tasks = append(s.Tasks, st.Tasks...)
	s.Clusters = append(s.Clusters, st.Clusters...)
	s.CapacityProviders = append(s.CapacityProviders, st.CapacityProviders...)
	s.ExpressServices = append(s.ExpressServices, st.ExpressServices...)
	s.Daemons = append(s.Daemons, st.Daemons...)
	s.DaemonTaskDefinitions = append(s.DaemonTaskDefinitions, st.DaemonTaskDefinitions...)
	s.ContainerInstances = append(s.ContainerInstances, st.ContainerInstances...)
	s.Registrations = append(s.Registrations, st.Registrations...)
}

// ReadECS reads the named clusters (all when none), their services (only
// the named ones when some are; an Express service as
// DescribeExpressGatewayService answers it), the task definitions those
// run, their daemons with the daemon task definitions they run (when no
// service is named), and the capacity providers the clusters, services
// and daemons use; plus the named task definitions.
func (l *Live) ReadECS(ctx context.Context, clusters, services, taskDefs []string) (*ECSState, error) {
	st := &ECSState{}
	if len(clusters) == 0 {
		p := ecs.NewListClustersPaginator(l.ECS, &ecs.ListClustersInput{})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("ecs ListClusters: %w", err)
			}
			clusters = append(clusters, out.ClusterArns...)
		}
	}
	seenTD := map[string]bool{}
	providers := map[string]bool{}
	// A service asked for by name that no cluster has is an error, not an
	// empty (and so passing) report.
	foundSvc := map[string]bool{}
	for i := 0; i < len(clusters); i += 100 {
		batch := clusters[i:min(i+100, len(clusters))]
		out, err := l.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: batch})
		if err != nil {
			return nil, fmt.Errorf("ecs DescribeClusters: %w", err)
		}
		for _, f := range out.Failures {
			return nil, fmt.Errorf("ecs DescribeClusters: %s: %s", aws.ToString(f.Arn), aws.ToString(f.Reason))
		}
		for _, c := range out.Clusters {
			dc := &doctor.Cluster{Source: "ecs"}
			if err := convert(c, &dc.Cluster); err != nil {
				return nil, err
			}
			st.Clusters = append(st.Clusters, dc)
			cis, err := l.readContainerInstances(ctx, dc.ClusterArn, dc.ClusterName)
			if err != nil {
				return nil, err
			}
			st.ContainerInstances = append(st.ContainerInstances, cis...)
			st.Registrations = append(st.Registrations, dc.ClusterName)
			for _, p := range c.CapacityProviders {
				providers[p] = true
			}
			svcs, err := l.readServices(ctx, dc.ClusterArn, services)
			if err != nil {
				return nil, err
			}
			for _, s := range svcs {
				foundSvc[s.ServiceName], foundSvc[s.ServiceArn] = true, true
				// ECS manages the service of an Express service.
				if s.ResourceManagementType == string(ecstypes.ResourceManagementTypeEcs) {
					es, err := l.readExpress(ctx, s.ServiceArn)
					if err != nil {
						return nil, err
					}
					st.ExpressServices = append(st.ExpressServices, es)
					continue
				}
				st.Services = append(st.Services, s)
				for _, item := range s.CapacityProviderStrategy {
					providers[item.CapacityProvider] = true
				}
				taskDefs = append(taskDefs, s.TaskDefinition)
			}
			if len(services) == 0 {
				if err := l.readDaemons(ctx, dc.ClusterArn, st, providers); err != nil {
					return nil, err
				}
				tasks, err := l.readTasks(ctx, dc.ClusterArn)
				if err != nil {
					return nil, err
				}
				// The tasks of Express services and daemons are theirs:
				// their task definitions are read through them.
				owned := map[string]bool{}
				for _, es := range st.ExpressServices {
					owned[es.ClusterName()+"/service:"+es.Name()] = true
				}
				for _, d := range st.Daemons {
					owned[d.ClusterName()+"/daemon:"+d.Name()] = true
				}
				for _, t := range tasks {
					if owned[dc.ClusterName+"/"+t.Group] {
						continue
					}
					st.Tasks = append(st.Tasks, t)
					if t.CapacityProviderName != "" {
						providers[t.CapacityProviderName] = true
					}
					taskDefs = append(taskDefs, t.TaskDefinitionArn)
				}
			}
		}
	}
	var missing []string
	for _, name := range services {
		if !foundSvc[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		var names []string
		for _, c := range st.Clusters {
			names = append(names, c.ClusterName)
		}
		where := "no cluster"
		if len(names) > 0 {
			where = "cluster " + strings.Join(names, ", ")
		}
		return nil, fmt.Errorf("ecs DescribeServices: service %s not found in %s (give the cluster with --cluster)", strings.Join(missing, ", "), where)
	}
	for _, td := range taskDefs {
		if td == "" || seenTD[td] {
			continue
		}
		seenTD[td] = true
		out, err := l.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(td)})
		if err != nil {
			return nil, fmt.Errorf("ecs DescribeTaskDefinition %s: %w", td, err)
		}
		d := &doctor.TaskDefinition{Source: "ecs"}
		if err := convert(out.TaskDefinition, &d.TaskDefinition); err != nil {
			return nil, err
		}
		st.TaskDefinitions = append(st.TaskDefinitions, d)
	}
	var names []string
	for p := range providers {
		if p != "FARGATE" && p != "FARGATE_SPOT" {
			names = append(names, p)
		}
	}
	if len(names) > 0 {
		out, err := l.ECS.DescribeCapacityProviders(ctx, &ecs.DescribeCapacityProvidersInput{CapacityProviders: names})
		if err != nil {
			return nil, fmt.Errorf("ecs DescribeCapacityProviders: %w", err)
		}
		for _, cp := range out.CapacityProviders {
			d := &doctor.CapacityProvider{Source: "ecs"}
			if err := convert(cp, &d.CapacityProvider); err != nil {
				return nil, err
			}
			st.CapacityProviders = append(st.CapacityProviders, d)
		}
	}
	return st, nil
}

func (l *Live) readServices(ctx context.Context, cluster string, only []string) ([]*doctor.Service, error) {
	arns := only
	if len(arns) == 0 {
		p := ecs.NewListServicesPaginator(l.ECS, &ecs.ListServicesInput{Cluster: aws.String(cluster)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("ecs ListServices: %w", err)
			}
			arns = append(arns, out.ServiceArns...)
		}
	}
	var res []*doctor.Service
	for i := 0; i < len(arns); i += 10 {
		out, err := l.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: arns[i:min(i+10, len(arns))]})
		if err != nil {
			return nil, fmt.Errorf("ecs DescribeServices: %w", err)
		}
		for _, s := range out.Services {
			d, err := service(s)
			if err != nil {
				return nil, err
			}
			res = append(res, d)
		}
	}
	return res, nil
}

// readExpress reads an Express service (DescribeExpressGatewayService).
func (l *Live) readExpress(ctx context.Context, arn string) (*doctor.ExpressService, error) {
	out, err := l.ECS.DescribeExpressGatewayService(ctx, &ecs.DescribeExpressGatewayServiceInput{ServiceArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("ecs DescribeExpressGatewayService %s: %w", arn, err)
	}
	es := &doctor.ExpressService{Source: "ecs"}
	if err := convert(out.Service, es); err != nil {
		return nil, err
	}
	return es, nil
}

// readDaemons reads a cluster's daemons (ListDaemons, DescribeDaemon),
// each with its revision (DescribeDaemonRevisions: the daemon task
// definition it runs, ECS Exec) and that revision's daemon task
// definition, and adds their capacity providers to providers. A daemon
// being deleted runs its tasks down: it is read as it runs.
func (l *Live) readDaemons(ctx context.Context, cluster string, st *ECSState, providers map[string]bool) error {
	var arns []string
	in := &ecs.ListDaemonsInput{ClusterArn: aws.String(cluster)}
	for {
		out, err := l.ECS.ListDaemons(ctx, in)
		if err != nil {
			return fmt.Errorf("ecs ListDaemons: %w", err)
		}
		for _, d := range out.DaemonSummariesList {
			arns = append(arns, aws.ToString(d.DaemonArn))
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	seen := map[string]bool{}
	for _, t := range st.DaemonTaskDefinitions {
		seen[t.DaemonTaskDefinitionArn] = true
	}
	for _, arn := range arns {
		out, err := l.ECS.DescribeDaemon(ctx, &ecs.DescribeDaemonInput{DaemonArn: aws.String(arn)})
		if err != nil {
			return fmt.Errorf("ecs DescribeDaemon %s: %w", arn, err)
		}
		if out.Daemon == nil || len(out.Daemon.CurrentRevisions) == 0 {
			continue
		}
		cur := out.Daemon.CurrentRevisions[0]
		revs, err := l.ECS.DescribeDaemonRevisions(ctx, &ecs.DescribeDaemonRevisionsInput{DaemonRevisionArns: []string{aws.ToString(cur.Arn)}})
		if err != nil {
			return fmt.Errorf("ecs DescribeDaemonRevisions %s: %w", aws.ToString(cur.Arn), err)
		}
		if len(revs.DaemonRevisions) == 0 {
			continue
		}
		rev := revs.DaemonRevisions[0]
		d := &doctor.Daemon{DaemonArn: arn, Source: "ecs"}
		d.ClusterArn = aws.ToString(out.Daemon.ClusterArn)
		d.DaemonTaskDefinitionArn = aws.ToString(rev.DaemonTaskDefinitionArn)
		d.EnableExecuteCommand = aws.ToBool(rev.EnableExecuteCommand)
		for _, p := range cur.CapacityProviders {
			d.CapacityProviderArns = append(d.CapacityProviderArns, aws.ToString(p.Arn))
			providers[lastSegment(aws.ToString(p.Arn))] = true
		}
		st.Daemons = append(st.Daemons, d)
		if td := d.DaemonTaskDefinitionArn; td != "" && !seen[td] {
			seen[td] = true
			dtd, err := l.ECS.DescribeDaemonTaskDefinition(ctx, &ecs.DescribeDaemonTaskDefinitionInput{DaemonTaskDefinition: aws.String(td)})
			if err != nil {
				return fmt.Errorf("ecs DescribeDaemonTaskDefinition %s: %w", td, err)
			}
			x := &doctor.DaemonTaskDefinition{Source: "ecs"}
			if err := convert(dtd.DaemonTaskDefinition, &x.DaemonTaskDefinition); err != nil {
				return err
			}
			st.DaemonTaskDefinitions = append(st.DaemonTaskDefinitions, x)
		}
	}
	return nil
}

func lastSegment(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }

// readTasks reads a cluster's tasks that run, are about to, or stopped
// lately (ECS keeps stopped tasks for about an hour): a task that stopped
// because of a role is what a person asks the doctor about.
func (l *Live) readTasks(ctx context.Context, cluster string) ([]*doctor.Task, error) {
	var arns []string
	for _, status := range []ecstypes.DesiredStatus{ecstypes.DesiredStatusRunning, ecstypes.DesiredStatusStopped} {
		p := ecs.NewListTasksPaginator(l.ECS, &ecs.ListTasksInput{Cluster: aws.String(cluster), DesiredStatus: status})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("ecs ListTasks: %w", err)
			}
			arns = append(arns, out.TaskArns...)
		}
	}
	var res []*doctor.Task
	for i := 0; i < len(arns); i += 100 {
		out, err := l.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: arns[i:min(i+100, len(arns))]})
		if err != nil {
			return nil, fmt.Errorf("ecs DescribeTasks: %w", err)
		}
		for _, t := range out.Tasks {
			d := &doctor.Task{Source: "ecs"}
			if err := convert(t, &d.Task); err != nil {
				return nil, err
			}
			res = append(res, d)
		}
	}
	return res, nil
}

// readContainerInstances reads the container instances registered in a
// cluster (ListContainerInstances, DescribeContainerInstances 100 at a
// time): which EC2 instance each is.
func (l *Live) readContainerInstances(ctx context.Context, clusterArn, name string) ([]*doctor.ContainerInstance, error) {
	var arns []string
	p := ecs.NewListContainerInstancesPaginator(l.ECS, &ecs.ListContainerInstancesInput{Cluster: aws.String(clusterArn)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ecs ListContainerInstances: %w", err)
		}
		arns = append(arns, out.ContainerInstanceArns...)
	}
	var res []*doctor.ContainerInstance
	for i := 0; i < len(arns); i += 100 {
		out, err := l.ECS.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String(clusterArn), ContainerInstances: arns[i:min(i+100, len(arns))]})
		if err != nil {
			return nil, fmt.Errorf("ecs DescribeContainerInstances: %w", err)
		}
		for _, ci := range out.ContainerInstances {
			d := &doctor.ContainerInstance{Cluster: name, ContainerInstanceArn: aws.ToString(ci.ContainerInstanceArn),
				Ec2InstanceId: aws.ToString(ci.Ec2InstanceId), TrunkFailed: aws.ToString(ci.Status) == ecsroles.StatusRegistrationFailed, Source: "ecs"}
			for _, a := range ci.Attributes {
				if aws.ToString(a.Name) == ecsroles.TrunkAttribute {
					d.Trunk = aws.ToString(a.Value)
				}
			}
			res = append(res, d)
		}
	}
	return res, nil
}

// ErrEC2NotServed: the endpoint does not serve EC2 (a rolecall from
// before it did).
var ErrEC2NotServed = errors.New("the endpoint does not serve EC2")

// ReadInstanceProfiles asks EC2 (DescribeInstances, filtered by instance
// ID, 100 at a time) which instance profile each container instance's
// EC2 instance has. An instance EC2 does not know (terminated long ago,
// another Region's) is marked so. The errors are EC2's: the caller
// decides what an UnauthorizedOperation means.
func (l *Live) ReadInstanceProfiles(ctx context.Context, cis []*doctor.ContainerInstance) error {
	var ids []string
	byID := map[string][]*doctor.ContainerInstance{}
	for _, ci := range cis {
		if ci.Ec2InstanceId == "" {
			ci.Unknown = "ECS names no EC2 instance"
			continue
		}
		if byID[ci.Ec2InstanceId] == nil {
			ids = append(ids, ci.Ec2InstanceId)
		}
		byID[ci.Ec2InstanceId] = append(byID[ci.Ec2InstanceId], ci)
	}
	found := map[string]bool{}
	for i := 0; i < len(ids); i += 100 {
		// A filter, not InstanceIds: an ID EC2 does not know would fail
		// the whole call (InvalidInstanceID.NotFound).
		p := ec2.NewDescribeInstancesPaginator(l.EC2, &ec2.DescribeInstancesInput{
			Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: ids[i:min(i+100, len(ids))]}}})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if notServed(err) {
				return fmt.Errorf("ec2 DescribeInstances: %w: %w", ErrEC2NotServed, err)
			}
			if err != nil {
				return fmt.Errorf("ec2 DescribeInstances: %w", err)
			}
			for _, r := range out.Reservations {
				for _, inst := range r.Instances {
					id := aws.ToString(inst.InstanceId)
					found[id] = true
					for _, ci := range byID[id] {
						if inst.IamInstanceProfile != nil {
							ci.InstanceProfileArn = aws.ToString(inst.IamInstanceProfile.Arn)
						}
						if o := inst.Operator; o != nil && aws.ToBool(o.Managed) {
							ci.Operator = aws.ToString(o.Principal)
						}
					}
				}
			}
		}
	}
	for _, id := range ids {
		if !found[id] {
			for _, ci := range byID[id] {
				ci.Unknown = "EC2 does not know the instance in this Region"
			}
		}
	}
	return nil
}

// convert copies what the SDK answered into the shapes generated from the
// same model, member by member: both follow the model's member names, so
// their JSON (the SDK's field names, decoded without regard to case)
// matches.
func convert(from, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, to); err != nil {
		return fmt.Errorf("reading %T: %w", from, err)
	}
	return nil
}

// service reads a service as DescribeServices answers it
// (doctor.ServiceOf), through the generated shape.
func service(s ecstypes.Service) (*doctor.Service, error) {
	var g types.Service
	if err := convert(s, &g); err != nil {
		return nil, err
	}
	return doctor.ServiceOf(g, "ecs")
}

// LiveIAM reads IAM through its Get and List calls: a doctor.RoleReader.
// Managed policy documents (AWS managed ones too) are read once each.
type LiveIAM struct {
	c        *iam.Client
	policies map[string]doctor.PolicyDoc
}

// NewLiveIAM wraps an IAM client.
func NewLiveIAM(c *iam.Client) *LiveIAM {
	return &LiveIAM{c: c, policies: map[string]doctor.PolicyDoc{}}
}

func notFound(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchEntity" {
		return doctor.ErrNotFound
	}
	return err
}

// decodeDoc undoes IAM's URL encoding of policy documents.
func decodeDoc(s *string) (string, error) {
	if s == nil {
		return "", nil
	}
	return url.QueryUnescape(*s)
}

func (l *LiveIAM) managed(ctx context.Context, arn string) (doctor.PolicyDoc, error) {
	if d, ok := l.policies[arn]; ok {
		return d, nil
	}
	gp, err := l.c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return doctor.PolicyDoc{}, fmt.Errorf("iam GetPolicy %s: %w", arn, err)
	}
	gv, err := l.c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: gp.Policy.DefaultVersionId})
	if err != nil {
		return doctor.PolicyDoc{}, fmt.Errorf("iam GetPolicyVersion %s: %w", arn, err)
	}
	doc, err := decodeDoc(gv.PolicyVersion.Document)
	if err != nil {
		return doctor.PolicyDoc{}, err
	}
	d := doctor.PolicyDoc{ID: arn, Name: aws.ToString(gp.Policy.PolicyName), Document: doc}
	l.policies[arn] = d
	return d, nil
}

func (l *LiveIAM) attachedDocs(ctx context.Context, arns []string) ([]doctor.PolicyDoc, error) {
	var out []doctor.PolicyDoc
	for _, a := range arns {
		d, err := l.managed(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (l *LiveIAM) boundary(ctx context.Context, b *iamtypes.AttachedPermissionsBoundary) (*doctor.PolicyDoc, error) {
	if b == nil || aws.ToString(b.PermissionsBoundaryArn) == "" {
		return nil, nil
	}
	d, err := l.managed(ctx, aws.ToString(b.PermissionsBoundaryArn))
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Role implements doctor.RoleReader.
func (l *LiveIAM) Role(ctx context.Context, name string) (*doctor.Principal, error) {
	out, err := l.c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, notFound(err)
	}
	r := out.Role
	trust, err := decodeDoc(r.AssumeRolePolicyDocument)
	if err != nil {
		return nil, err
	}
	p := &doctor.Principal{Kind: doctor.KindRole, Name: aws.ToString(r.RoleName), ARN: aws.ToString(r.Arn), Path: aws.ToString(r.Path), Trust: trust}
	ip := iam.NewListRolePoliciesPaginator(l.c, &iam.ListRolePoliciesInput{RoleName: r.RoleName})
	for ip.HasMorePages() {
		pg, err := ip.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListRolePolicies: %w", err)
		}
		for _, pn := range pg.PolicyNames {
			g, err := l.c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: r.RoleName, PolicyName: aws.String(pn)})
			if err != nil {
				return nil, fmt.Errorf("iam GetRolePolicy: %w", err)
			}
			doc, err := decodeDoc(g.PolicyDocument)
			if err != nil {
				return nil, err
			}
			p.Policies = append(p.Policies, doctor.PolicyDoc{ID: p.Name + "/" + pn, Name: pn, Inline: true, Document: doc})
		}
	}
	var arns []string
	ap := iam.NewListAttachedRolePoliciesPaginator(l.c, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})
	for ap.HasMorePages() {
		pg, err := ap.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListAttachedRolePolicies: %w", err)
		}
		for _, a := range pg.AttachedPolicies {
			arns = append(arns, aws.ToString(a.PolicyArn))
		}
	}
	docs, err := l.attachedDocs(ctx, arns)
	if err != nil {
		return nil, err
	}
	p.Policies = append(p.Policies, docs...)
	if p.Boundary, err = l.boundary(ctx, r.PermissionsBoundary); err != nil {
		return nil, err
	}
	return p, nil
}

// InstanceProfile implements doctor.RoleReader.
func (l *LiveIAM) InstanceProfile(ctx context.Context, name string) (*doctor.InstanceProfile, error) {
	out, err := l.c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})
	if err != nil {
		return nil, notFound(err)
	}
	ip := &doctor.InstanceProfile{Name: aws.ToString(out.InstanceProfile.InstanceProfileName), ARN: aws.ToString(out.InstanceProfile.Arn)}
	for _, r := range out.InstanceProfile.Roles {
		ip.Roles = append(ip.Roles, aws.ToString(r.RoleName))
	}
	return ip, nil
}

// Principal implements doctor.RoleReader.
func (l *LiveIAM) Principal(ctx context.Context, arn string) (*doctor.Principal, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return nil, doctor.ErrNotFound
	}
	res := parts[5]
	name := res[strings.LastIndexByte(res, '/')+1:]
	switch {
	case strings.HasPrefix(res, "role/"):
		return l.Role(ctx, name)
	case strings.HasPrefix(res, "user/"):
		return l.user(ctx, name)
	}
	return nil, doctor.ErrNotFound
}

func (l *LiveIAM) user(ctx context.Context, name string) (*doctor.Principal, error) {
	out, err := l.c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		return nil, notFound(err)
	}
	u := out.User
	p := &doctor.Principal{Kind: doctor.KindUser, Name: aws.ToString(u.UserName), ARN: aws.ToString(u.Arn), Path: aws.ToString(u.Path)}
	ip := iam.NewListUserPoliciesPaginator(l.c, &iam.ListUserPoliciesInput{UserName: u.UserName})
	for ip.HasMorePages() {
		pg, err := ip.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListUserPolicies: %w", err)
		}
		for _, pn := range pg.PolicyNames {
			g, err := l.c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: u.UserName, PolicyName: aws.String(pn)})
			if err != nil {
				return nil, fmt.Errorf("iam GetUserPolicy: %w", err)
			}
			doc, err := decodeDoc(g.PolicyDocument)
			if err != nil {
				return nil, err
			}
			p.Policies = append(p.Policies, doctor.PolicyDoc{ID: p.Name + "/" + pn, Name: pn, Inline: true, Document: doc})
		}
	}
	var arns []string
	ap := iam.NewListAttachedUserPoliciesPaginator(l.c, &iam.ListAttachedUserPoliciesInput{UserName: u.UserName})
	for ap.HasMorePages() {
		pg, err := ap.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListAttachedUserPolicies: %w", err)
		}
		for _, a := range pg.AttachedPolicies {
			arns = append(arns, aws.ToString(a.PolicyArn))
		}
	}
	gp := iam.NewListGroupsForUserPaginator(l.c, &iam.ListGroupsForUserInput{UserName: u.UserName})
	for gp.HasMorePages() {
		pg, err := gp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListGroupsForUser: %w", err)
		}
		for _, g := range pg.Groups {
			gn := aws.ToString(g.GroupName)
			lp := iam.NewListGroupPoliciesPaginator(l.c, &iam.ListGroupPoliciesInput{GroupName: g.GroupName})
			for lp.HasMorePages() {
				pp, err := lp.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("iam ListGroupPolicies: %w", err)
				}
				for _, pn := range pp.PolicyNames {
					gpol, err := l.c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: g.GroupName, PolicyName: aws.String(pn)})
					if err != nil {
						return nil, fmt.Errorf("iam GetGroupPolicy: %w", err)
					}
					doc, err := decodeDoc(gpol.PolicyDocument)
					if err != nil {
						return nil, err
					}
					p.Policies = append(p.Policies, doctor.PolicyDoc{ID: gn + "/" + pn, Name: pn, Inline: true, Document: doc})
				}
			}
			la := iam.NewListAttachedGroupPoliciesPaginator(l.c, &iam.ListAttachedGroupPoliciesInput{GroupName: g.GroupName})
			for la.HasMorePages() {
				pp, err := la.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("iam ListAttachedGroupPolicies: %w", err)
				}
				for _, a := range pp.AttachedPolicies {
					arns = append(arns, aws.ToString(a.PolicyArn))
				}
			}
		}
	}
	docs, err := l.attachedDocs(ctx, arns)
	if err != nil {
		return nil, err
	}
	p.Policies = append(p.Policies, docs...)
	if p.Boundary, err = l.boundary(ctx, u.PermissionsBoundary); err != nil {
		return nil, err
	}
	return p, nil
}

// Principals implements doctor.RoleReader.
func (l *LiveIAM) Principals(ctx context.Context) ([]*doctor.Principal, error) {
	var out []*doctor.Principal
	up := iam.NewListUsersPaginator(l.c, &iam.ListUsersInput{})
	for up.HasMorePages() {
		pg, err := up.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListUsers: %w", err)
		}
		for _, u := range pg.Users {
			p, err := l.user(ctx, aws.ToString(u.UserName))
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	rp := iam.NewListRolesPaginator(l.c, &iam.ListRolesInput{})
	for rp.HasMorePages() {
		pg, err := rp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListRoles: %w", err)
		}
		for _, r := range pg.Roles {
			p, err := l.Role(ctx, aws.ToString(r.RoleName))
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}
