package ecs

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// Task definition statuses.
const (
	tdActive   = "ACTIVE"
	tdInactive = "INACTIVE"
	tdDeleting = "DELETE_IN_PROGRESS"
)

// Launch types and compatibilities.
const (
	launchEC2      = "EC2"
	launchFargate  = "FARGATE"
	launchExternal = "EXTERNAL"
	launchManaged  = "MANAGED_INSTANCES"
)

// taskDefRecord is one revision of a task definition family.
type taskDefRecord struct {
	Def  types.TaskDefinition
	Tags []types.Tag `json:",omitempty"`
}

// taskDefHeader is the part of a taskDefRecord that the listings read:
// decoding only it spares them building every container definition of
// every revision (issue 18).
type taskDefHeader struct {
	Def struct{ TaskDefinitionArn, Family, Status string }
}

// familyRecord remembers a family's last revision: revisions are never
// given twice, even once deleted.
type familyRecord struct{ Last int32 }

func familyKey(c Call, family string) string { return regionKey(c) + family }

func taskDefKey(c Call, family string, rev int32) string {
	return fmt.Sprintf("%s/%010d", familyKey(c, family), rev)
}

// familyPattern: "Up to 255 letters (uppercase and lowercase), numbers,
// underscores, and hyphens are allowed" (RegisterTaskDefinition reference).
var familyPattern = ecsName{}

// parseTaskDef splits a task definition identifier (family, family:revision
// or ARN) into its family and revision (0 for "the latest ACTIVE").
func parseTaskDef(c Call, id string) (family string, rev int32, ok bool) {
	if isARN(id) {
		rest, isOurs := resourceOf(c, id, "task-definition")
		if !isOurs {
			return "", 0, false
		}
		id = rest
	}
	family, revStr, hasRev := strings.Cut(id, ":")
	if !familyPattern.MatchString(family) {
		return "", 0, false
	}
	if !hasRev {
		return family, 0, true
	}
	n, err := strconv.ParseInt(revStr, 10, 32)
	if err != nil || n < 1 {
		return "", 0, false
	}
	return family, int32(n), true
}

// loadTaskDef returns the revision id names, or for a bare family its
// latest ACTIVE revision; nil if there is none.
func loadTaskDef(tx store.Tx, c Call, id string) (*taskDefRecord, error) {
	family, rev, ok := parseTaskDef(c, id)
	if !ok {
		return nil, nil
	}
	return loadRevision(tx, c, bucketTaskDefs, family, rev)
}

// loadRevision returns revision rev of family in bucket (task definitions'
// or daemon task definitions'), or for rev 0 its latest ACTIVE revision;
// nil if there is none.
func loadRevision(tx store.Tx, c Call, bucket, family string, rev int32) (*taskDefRecord, error) {
	if rev > 0 {
		var r taskDefRecord
		found, err := getJSON(tx, bucket, taskDefKey(c, family, rev), &r)
		if err != nil || !found {
			return nil, err
		}
		return &r, nil
	}
	// The latest ACTIVE revision is most often the last one: read back
	// from the end rather than decode every revision the family has had.
	var keys []string
	if err := tx.Scan(bucket, familyKey(c, family)+"/", "", func(k string, _ []byte) bool {
		keys = append(keys, k)
		return true
	}); err != nil {
		return nil, err
	}
	for i := len(keys) - 1; i >= 0; i-- {
		var r taskDefRecord
		if _, err := getJSON(tx, bucket, keys[i], &r); err != nil {
			return nil, err
		}
		if r.Def.Status == tdActive {
			return &r, nil
		}
	}
	return nil, nil
}

// RegisterTaskDefinition registers a new revision of a family, with AWS's
// validation: Fargate's requirements (awsvpc, task-level cpu and memory in
// one of Fargate's sizes, an execution role for awslogs and ECR images),
// an execution role for secrets and private registry credentials, and the
// caller passing the task and execution roles to ecs-tasks.amazonaws.com.
func (s *Service) RegisterTaskDefinition(ctx context.Context, c Call, in *types.RegisterTaskDefinitionRequest) (*types.RegisterTaskDefinitionResponse, error) {
	if !familyPattern.MatchString(in.Family) {
		return nil, errFamilyInvalid()
	}
	td := types.TaskDefinition{
		Family:                  in.Family,
		TaskRoleArn:             in.TaskRoleArn,
		ExecutionRoleArn:        in.ExecutionRoleArn,
		NetworkMode:             in.NetworkMode,
		Volumes:                 nonNil(in.Volumes),
		PlacementConstraints:    nonNil(in.PlacementConstraints),
		RequiresCompatibilities: in.RequiresCompatibilities,
		PidMode:                 in.PidMode,
		IpcMode:                 in.IpcMode,
		ProxyConfiguration:      in.ProxyConfiguration,
		InferenceAccelerators:   in.InferenceAccelerators,
		EphemeralStorage:        in.EphemeralStorage,
		RuntimePlatform:         in.RuntimePlatform,
		EnableFaultInjection:    in.EnableFaultInjection,
		RegisteredBy:            c.Caller().ARN,
		Status:                  tdActive,
	}
	if err := validateTaskDef(&td, in); err != nil {
		return nil, err
	}
	for _, pc := range in.PlacementConstraints {
		if pc.Type == constraintDistinctInstance {
			return nil, errDistinctInTaskDefinition()
		}
	}
	if _, err := constraintsOf(definitionConstraints(in.PlacementConstraints)); err != nil {
		return nil, err
	}
	if err := s.passDefinitionRoles(ctx, c, in.TaskRoleArn, in.ExecutionRoleArn); err != nil {
		return nil, err
	}
	now := s.now()
	td.RegisteredAt = &now
	var tags []types.Tag
	err := s.update(ctx, c, func(tx store.Tx) error {
		var fam familyRecord
		if _, err := getJSON(tx, bucketFamilies, familyKey(c, in.Family), &fam); err != nil {
			return err
		}
		fam.Last++
		if err := putJSON(tx, bucketFamilies, familyKey(c, in.Family), &fam); err != nil {
			return err
		}
		td.Revision = fam.Last
		td.TaskDefinitionArn = ecsARN(c, fmt.Sprintf("task-definition/%s:%d", in.Family, fam.Last))
		tags = nonNil(in.Tags)
		return putJSON(tx, bucketTaskDefs, taskDefKey(c, in.Family, fam.Last), &taskDefRecord{Def: td, Tags: in.Tags})
	})
	if err != nil {
		return nil, err
	}
	return &types.RegisterTaskDefinitionResponse{TaskDefinition: &td, Tags: tags}, nil
}

// passDefinitionRoles: registering a task definition, the caller passes its
// roles to ecs-tasks.amazonaws.com, and each must be a role.
func (s *Service) passDefinitionRoles(ctx context.Context, c Call, roles ...string) error {
	for _, r := range roles {
		if r == "" {
			continue
		}
		if err := s.roles.PassRole(ctx, c, roleARN(c, r), PrincipalECSTasks, ""); err != nil {
			if err, denied := asAccessDenied(err); denied {
				return err
			}
			if isNoSuchRole(err) {
				return errRoleNotValid()
			}
			return err
		}
	}
	return nil
}

// ecrImage matches an image in a private ECR registry, which Fargate pulls
// with the execution role.
var ecrImage = regexp.MustCompile(`^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/`)

// validateTaskDef checks a registration as AWS does and fills what AWS
// fills: container defaults, normalised cpu and memory, compatibilities
// and required attributes. Texts and sources are in aws-facts.md unless a
// comment says otherwise.
func validateTaskDef(td *types.TaskDefinition, in *types.RegisterTaskDefinitionRequest) error {
	fargate := slices.Contains(in.RequiresCompatibilities, launchFargate)
	if fargate {
		if in.NetworkMode != "awsvpc" {
			// aws/amazon-ecs-cli #1145 shows the quotes as typographic ones.
			return clientException("Fargate only supports network mode \u2018awsvpc\u2019.")
		}
		// mongodb/terraform-aws-ecs-task-definition #38; aws/amazon-ecs-cli #982.
		if in.Cpu == "" {
			return clientException("Fargate requires that 'cpu' be defined at the task level.")
		}
		if in.Memory == "" {
			return clientException("Fargate requires that 'memory' be defined at the task level.")
		}
	}
	cpu, cpuOK := taskCPU(in.Cpu)
	mem, memOK := taskMemory(in.Memory)
	if in.Cpu != "" {
		if !cpuOK {
			// oranmoshai/ecsServiceRestart #2.
			return clientException("Invalid 'cpu' setting for task.")
		}
		td.Cpu = strconv.Itoa(cpu)
	}
	if in.Memory != "" {
		if !memOK {
			return clientException("Invalid 'memory' setting for task.") // by analogy with cpu
		}
		td.Memory = strconv.Itoa(mem)
	}
	if fargate && !fargateSize(cpu, mem) {
		// aws-games/cloud-game-development-toolkit #737 (2025).
		return clientException("No Fargate configuration exists for given values: %d CPU, %d memory. See the Amazon ECS documentation for the valid values.", cpu, mem)
	}
	var attrs []string
	need := func(a string) {
		if !slices.Contains(attrs, a) {
			attrs = append(attrs, a)
		}
	}
	containers := make([]types.ContainerDefinition, len(in.ContainerDefinitions))
	for i, cd := range in.ContainerDefinitions {
		if cd.Name == "" {
			return clientException("Container.name should not be null or empty.")
		}
		if cd.Image == "" {
			return clientException("Container.image should not be null or empty.")
		}
		if !fargate && in.Memory == "" && cd.Memory == nil && cd.MemoryReservation == nil {
			// cuttlesoft/ecs-deploy.py #17; aws/aws-cli #4453.
			return clientException("Invalid setting for container '%s'. At least one of 'memory' or 'memoryReservation' must be specified.", cd.Name)
		}
		if cd.Memory != nil && in.Memory != "" && int(*cd.Memory) > mem {
			// pulumi/pulumi-awsx #188.
			return clientException("The 'memory' setting for container '%s' is greater than for the task.", cd.Name)
		}
		awslogs := cd.LogConfiguration != nil && cd.LogConfiguration.LogDriver == "awslogs"
		ecr := ecrImage.MatchString(cd.Image)
		if in.ExecutionRoleArn == "" {
			switch {
			case fargate && awslogs:
				return clientException("Fargate requires task definition to have execution role ARN to support log driver awslogs.")
			case fargate && ecr:
				return clientException("Fargate requires task definition to have execution role ARN to support ECR images.")
			case len(cd.Secrets) > 0:
				return clientException("When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.")
			case cd.RepositoryCredentials != nil:
				return clientException("Private repository authentication requires that the task definition specify a value for executionRoleArn.")
			}
		}
		if awslogs {
			need("com.amazonaws.ecs.capability.logging-driver.awslogs")
			if in.ExecutionRoleArn != "" {
				need("ecs.capability.execution-role-awslogs")
			}
		}
		if ecr {
			need("com.amazonaws.ecs.capability.ecr-auth")
			if in.ExecutionRoleArn != "" {
				need("ecs.capability.execution-role-ecr-pull")
			}
		}
		if cd.RepositoryCredentials != nil {
			need("com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager")
		}
		if len(cd.Secrets) > 0 {
			need("ecs.capability.secrets.asm.environment-variables")
		}
		containers[i] = containerDefaults(cd, in.NetworkMode)
	}
	if in.TaskRoleArn != "" {
		need("com.amazonaws.ecs.capability.task-iam-role")
	}
	if in.NetworkMode == "awsvpc" {
		need("ecs.capability.task-eni")
	}
	td.ContainerDefinitions = containers
	td.RequiresAttributes = make([]types.Attribute, len(attrs))
	for i, a := range attrs {
		td.RequiresAttributes[i] = types.Attribute{Name: a}
	}
	// What the definition can run on: EC2 and external instances always,
	// Fargate once it was validated for it.
	td.Compatibilities = []string{launchEC2}
	if fargate {
		td.Compatibilities = append(td.Compatibilities, launchFargate)
	} else {
		td.Compatibilities = []string{launchExternal, launchEC2}
	}
	if slices.Contains(in.RequiresCompatibilities, launchManaged) {
		td.Compatibilities = append(td.Compatibilities, launchManaged)
	}
	return nil
}

// containerDefaults fills what AWS answers for members left out: essential
// true, empty lists, cpu 0, host ports and protocols of port mappings.
func containerDefaults(cd types.ContainerDefinition, networkMode string) types.ContainerDefinition {
	if cd.Essential == nil {
		cd.Essential = ptr(true)
	}
	pm := make([]types.PortMapping, len(cd.PortMappings))
	for i, p := range cd.PortMappings {
		if p.HostPort == nil && p.ContainerPort != nil && (networkMode == "awsvpc" || networkMode == "host") {
			p.HostPort = ptr(*p.ContainerPort)
		}
		if p.Protocol == "" {
			p.Protocol = "tcp"
		}
		pm[i] = p
	}
	cd.PortMappings = pm
	cd.Environment = nonNil(cd.Environment)
	cd.MountPoints = nonNil(cd.MountPoints)
	cd.VolumesFrom = nonNil(cd.VolumesFrom)
	cd.SystemControls = nonNil(cd.SystemControls)
	return cd
}

// taskCPU parses a task's cpu: CPU units ("1024") or vCPUs ("1 vCPU").
func taskCPU(s string) (int, bool) {
	return units(s, "vcpu", 1024)
}

// taskMemory parses a task's memory: MiB ("2048") or GB ("2 GB").
func taskMemory(s string) (int, bool) {
	return units(s, "gb", 1024)
}

func units(s, unit string, per float64) (int, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(t); err == nil {
		return n, n > 0 && n <= maxUnits
	}
	num, ok := strings.CutSuffix(t, unit)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || !(f > 0 && f*per <= maxUnits) {
		return 0, false
	}
	return int(f * per), true
}

// maxUnits bounds a task's CPU units and MiB: far above any instance.
const maxUnits = 1 << 24

// fargateSize: Fargate's task sizes ("Task CPU and memory", ECS developer
// guide): memory ranges by CPU units.
func fargateSize(cpu, mem int) bool {
	inRange := func(lo, hi, step int) bool { return mem >= lo && mem <= hi && (mem-lo)%step == 0 }
	switch cpu {
	case 256:
		return mem == 512 || mem == 1024 || mem == 2048
	case 512:
		return inRange(1024, 4096, 1024)
	case 1024:
		return inRange(2048, 8192, 1024)
	case 2048:
		return inRange(4096, 16384, 1024)
	case 4096:
		return inRange(8192, 30720, 1024)
	case 8192:
		return inRange(16384, 61440, 4096)
	case 16384:
		return inRange(32768, 122880, 8192)
	}
	return false
}

// DescribeTaskDefinition describes a revision (or a family's latest ACTIVE
// one), with its tags when asked.
func (s *Service) DescribeTaskDefinition(ctx context.Context, c Call, in *types.DescribeTaskDefinitionRequest) (*types.DescribeTaskDefinitionResponse, error) {
	var r *taskDefRecord
	err := s.view(ctx, c, func(tx store.Tx) error {
		var err error
		r, err = loadTaskDef(tx, c, in.TaskDefinition)
		return err
	})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errDescribeTaskDefinition()
	}
	out := &types.DescribeTaskDefinitionResponse{TaskDefinition: &r.Def}
	if slices.Contains(in.Include, "TAGS") {
		out.Tags = nonNil(r.Tags)
	}
	return out, nil
}

// ListTaskDefinitions lists revision ARNs: of one family when familyPrefix
// is given (the full family name, as the reference says), of a status
// (ACTIVE by default), by family and revision, ASC or DESC.
func (s *Service) ListTaskDefinitions(ctx context.Context, c Call, in *types.ListTaskDefinitionsRequest) (*types.ListTaskDefinitionsResponse, error) {
	status := in.Status
	if status == "" {
		status = tdActive
	}
	arnByKey := map[string]string{}
	var keys []string
	prefix := regionKey(c)
	if in.FamilyPrefix != "" {
		prefix = familyKey(c, in.FamilyPrefix) + "/"
	}
	err := s.view(ctx, c, func(tx store.Tx) error {
		keys = nil
		clear(arnByKey)
		return scanJSON(tx, bucketTaskDefs, prefix, func(key string, r *taskDefHeader) bool {
			if r.Def.Status == status {
				keys = append(keys, key)
				arnByKey[key] = r.Def.TaskDefinitionArn
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	pg, next, err := pageSorted(keys, in.Sort, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &types.ListTaskDefinitionsResponse{TaskDefinitionArns: make([]string, len(pg)), NextToken: next}
	for i, k := range pg {
		out.TaskDefinitionArns[i] = arnByKey[k]
	}
	return out, nil
}

// ListTaskDefinitionFamilies lists family names beginning with
// familyPrefix: ACTIVE (the default) families have an ACTIVE revision,
// INACTIVE ones none, ALL both.
func (s *Service) ListTaskDefinitionFamilies(ctx context.Context, c Call, in *types.ListTaskDefinitionFamiliesRequest) (*types.ListTaskDefinitionFamiliesResponse, error) {
	status := in.Status
	if status == "" {
		status = tdActive
	}
	active := map[string]bool{}
	err := s.view(ctx, c, func(tx store.Tx) error {
		clear(active)
		return scanJSON(tx, bucketTaskDefs, regionKey(c)+in.FamilyPrefix, func(_ string, r *taskDefHeader) bool {
			if r.Def.Status == tdDeleting {
				return true // on its way out: no longer a revision of the family
			}
			active[r.Def.Family] = active[r.Def.Family] || r.Def.Status == tdActive
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for f, a := range active {
		if status == "ALL" || (status == tdActive) == a {
			names = append(names, f)
		}
	}
	pg, next, err := page(names, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return &types.ListTaskDefinitionFamiliesResponse{Families: pg, NextToken: next}, nil
}

// DeregisterTaskDefinition makes a revision INACTIVE: running tasks and
// services keep it, new ones cannot use it.
func (s *Service) DeregisterTaskDefinition(ctx context.Context, c Call, in *types.DeregisterTaskDefinitionRequest) (*types.DeregisterTaskDefinitionResponse, error) {
	family, rev, ok := parseTaskDef(c, in.TaskDefinition)
	if !ok || rev == 0 {
		return nil, clientException(reasonTaskDefinitionInvalid)
	}
	now := s.now()
	var out types.TaskDefinition
	err := s.update(ctx, c, func(tx store.Tx) error {
		var r taskDefRecord
		found, err := getJSON(tx, bucketTaskDefs, taskDefKey(c, family, rev), &r)
		if err != nil {
			return err
		}
		if !found || r.Def.Status == tdDeleting {
			return errTaskDefinitionMissing()
		}
		if r.Def.Status == tdActive {
			r.Def.Status = tdInactive
			r.Def.DeregisteredAt = &now
			if err := putJSON(tx, bucketTaskDefs, taskDefKey(c, family, rev), &r); err != nil {
				return err
			}
		}
		out = r.Def
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.DeregisterTaskDefinitionResponse{TaskDefinition: &out}, nil
}

// DeleteTaskDefinitions marks INACTIVE revisions for deletion
// (DELETE_IN_PROGRESS); others are answered as failures.
func (s *Service) DeleteTaskDefinitions(ctx context.Context, c Call, in *types.DeleteTaskDefinitionsRequest) (*types.DeleteTaskDefinitionsResponse, error) {
	now := s.now()
	out := &types.DeleteTaskDefinitionsResponse{}
	err := s.update(ctx, c, func(tx store.Tx) error {
		out.TaskDefinitions, out.Failures = []types.TaskDefinition{}, []types.Failure{}
		for _, id := range in.TaskDefinitions {
			family, rev, ok := parseTaskDef(c, id)
			if !ok || rev == 0 {
				out.Failures = append(out.Failures, types.Failure{Arn: id, Reason: reasonTaskDefinitionInvalid})
				continue
			}
			var r taskDefRecord
			found, err := getJSON(tx, bucketTaskDefs, taskDefKey(c, family, rev), &r)
			if err != nil {
				return err
			}
			switch {
			case !found:
				out.Failures = append(out.Failures, types.Failure{Arn: id, Reason: reasonTaskDefinitionMissing})
				continue
			case r.Def.Status == tdActive:
				out.Failures = append(out.Failures, types.Failure{Arn: id, Reason: reasonTaskDefinitionActive})
				continue
			case r.Def.Status == tdInactive:
				r.Def.Status = tdDeleting
				r.Def.DeleteRequestedAt = &now
				if err := putJSON(tx, bucketTaskDefs, taskDefKey(c, family, rev), &r); err != nil {
					return err
				}
			}
			out.TaskDefinitions = append(out.TaskDefinitions, r.Def)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
