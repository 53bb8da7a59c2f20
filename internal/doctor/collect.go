package doctor

import (
	"fmt"
	"sort"
	"strings"
)

// workload is a task definition as it runs: under a service, or alone
// (RunTask).
type workload struct {
	td       *TaskDefinition
	svc      *Service
	cluster  string
	platform Platform
	label    string // "service web (cluster prod)" or "task definition web:3"
}

// collect walks the setup and records, per role, why it is needed and the
// requests it must be allowed.
func (a *analysis) collect() {
	used := map[*TaskDefinition]bool{}
	for _, svc := range a.s.Services {
		td := a.findTaskDef(svc.TaskDefinition)
		cluster := svc.ClusterName()
		plat, how := a.servicePlatform(svc, td)
		wl := Workload{Kind: "service", Name: svc.ServiceName, Cluster: cluster, TaskDefinition: svc.TaskDefinition, Platform: plat, Source: svc.Source}
		if td != nil {
			used[td] = true
			wl.TaskDefinition = td.Name()
			wl.NetworkMode = networkMode(td, plat)
		} else {
			a.notes = append(a.notes, fmt.Sprintf("service %s runs task definition %s, which the setup does not include: its task and execution roles are not checked", svc.ServiceName, svc.TaskDefinition))
		}
		if how != "" {
			a.notes = append(a.notes, fmt.Sprintf("service %s: %s", svc.ServiceName, how))
		}
		a.workloads = append(a.workloads, wl)
		w := &workload{td: td, svc: svc, cluster: cluster, platform: plat, label: fmt.Sprintf("service %s (cluster %s, %s)", svc.ServiceName, cluster, plat)}
		a.service(w)
		if td != nil {
			a.task(w)
		}
	}
	for _, td := range a.s.TaskDefinitions {
		if used[td] {
			continue
		}
		plat := standalonePlatform(td)
		a.workloads = append(a.workloads, Workload{Kind: "task-definition", Name: td.Name(), TaskDefinition: td.Name(), Platform: plat, NetworkMode: networkMode(td, plat), Source: td.Source})
		w := &workload{td: td, cluster: "default", platform: plat, label: fmt.Sprintf("task definition %s (%s, run with RunTask)", td.Name(), plat)}
		if networkMode(td, plat) == "awsvpc" {
			cb := a.linked(KindECSLinked)
			cb.needed = true
			cb.addWhy(fmt.Sprintf("%s: awsvpc networking: ECS creates and attaches each task's network interface", w.label))
			a.eniNeeds(cb, w)
		}
		a.task(w)
	}
	for _, cp := range a.s.CapacityProviders {
		a.capacityProvider(cp)
	}
	for _, st := range a.s.ScalableTargets {
		a.scalableTarget(st)
	}
	if a.deployerNote != "" {
		a.notes = append(a.notes, a.deployerNote)
	}
	if len(a.workloads) == 0 {
		a.notes = append(a.notes, "the setup has no task definition, service, capacity provider or scalable target: nothing needs a role")
	}
}

// findTaskDef finds the task definition a service names: family,
// family:revision or ARN; the highest revision of a family.
func (a *analysis) findTaskDef(ref string) *TaskDefinition {
	name := ref
	if i := strings.Index(name, ":task-definition/"); i >= 0 {
		name = name[i+len(":task-definition/"):]
	}
	family, rev := name, 0
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		family = name[:i]
		fmt.Sscanf(name[i+1:], "%d", &rev)
	}
	var best *TaskDefinition
	for _, td := range a.s.TaskDefinitions {
		if td.Family != family {
			continue
		}
		if rev > 0 && td.Revision != 0 && td.Revision != rev {
			continue
		}
		if best == nil || td.Revision > best.Revision {
			best = td
		}
	}
	return best
}

// servicePlatform decides where a service's tasks run (ECS API reference,
// CreateService launchType and capacityProviderStrategy: without either the
// cluster's default capacity provider strategy applies, and without one the
// launch type is EC2).
func (a *analysis) servicePlatform(svc *Service, td *TaskDefinition) (Platform, string) {
	if svc.LaunchType != "" {
		return Platform(strings.ToUpper(svc.LaunchType)), ""
	}
	strategy := svc.CapacityProviderStrategy
	how := ""
	if len(strategy) == 0 {
		if cl := a.findCluster(svc.ClusterName()); cl != nil {
			strategy = cl.DefaultCapacityProviderStrategy
			if len(strategy) > 0 {
				how = "no launch type or capacity provider strategy: the cluster's default capacity provider strategy applies"
			}
		}
	}
	if len(strategy) == 0 {
		how = "no launch type or capacity provider strategy, and no cluster default known: ECS uses the EC2 launch type"
		if td != nil && len(td.RequiresCompatibilities) == 1 && td.RequiresCompatibilities[0] != "EC2" {
			how += fmt.Sprintf(" (the task definition requires %s; set launchType)", td.RequiresCompatibilities[0])
		}
		return EC2, how
	}
	return a.providerPlatform(strategy[0].CapacityProvider), how
}

func (a *analysis) providerPlatform(name string) Platform {
	switch name {
	case "FARGATE", "FARGATE_SPOT":
		return Fargate
	}
	if cp := a.findProvider(name); cp != nil && cp.ManagedInstancesProvider != nil {
		return ManagedInstances
	}
	return EC2
}

func (a *analysis) findCluster(name string) *Cluster {
	for _, c := range a.s.Clusters {
		if c.ClusterName == name || clusterName(c.ClusterArn) == name {
			return c
		}
	}
	return nil
}

func (a *analysis) findProvider(name string) *CapacityProvider {
	for _, cp := range a.s.CapacityProviders {
		if cp.Name == name || lastSegment(cp.CapacityProviderArn) == name {
			return cp
		}
	}
	return nil
}

// standalonePlatform is where RunTask would place a task definition that
// no service runs: its required compatibility.
func standalonePlatform(td *TaskDefinition) Platform {
	has := map[string]bool{}
	for _, c := range td.RequiresCompatibilities {
		has[strings.ToUpper(c)] = true
	}
	switch {
	case has["FARGATE"]:
		return Fargate
	case has["MANAGED_INSTANCES"]:
		return ManagedInstances
	case has["EXTERNAL"] && !has["EC2"]:
		return External
	}
	return EC2
}

// networkMode is the task's network mode: Fargate always uses awsvpc; EC2's
// default is bridge (ECS Developer Guide, task definition parameters).
func networkMode(td *TaskDefinition, p Platform) string {
	if td.NetworkMode != "" {
		return td.NetworkMode
	}
	switch p {
	case Fargate, ManagedInstances:
		return "awsvpc"
	}
	return "bridge"
}

// service records what a service needs of the ECS service-linked role and
// of the legacy service role, EBS and Service Connect TLS roles.
func (a *analysis) service(w *workload) {
	svc := w.svc
	slr := a.linked(KindECSLinked)
	slr.needed = true
	slr.addWhy(fmt.Sprintf("%s: ECS manages services with it; CreateService answers \"Unable to assume the service linked role. Please verify that the ECS service linked role exists.\" without it", w.label))
	awsvpc := w.td != nil && networkMode(w.td, w.platform) == "awsvpc" || w.platform == Fargate
	if awsvpc {
		slr.addWhy(fmt.Sprintf("%s: awsvpc networking: ECS creates and attaches each task's network interface", w.label))
		a.eniNeeds(slr, w)
	}

	role := svc.ServiceRole()
	if role != "" {
		cb := a.role(KindServiceRole, role)
		cb.nameOnly = !strings.HasPrefix(role, "arn:")
		cb.passed = true
		switch {
		case awsvpc:
			cb.addWhy(fmt.Sprintf("%s names it as its role, but its tasks use awsvpc networking, for which ECS uses AWSServiceRoleForECS", w.label))
			cb.addConfig(Fail, "service "+svc.ServiceName+" may name a role", "CreateService answers \"You cannot specify an IAM role for services that require a service linked role.\": remove \"role\" from the service definition")
		case len(svc.LoadBalancers) == 0:
			cb.addWhy(fmt.Sprintf("%s names it as its role, but has no load balancer", w.label))
			cb.addConfig(Fail, "service "+svc.ServiceName+" may name a role", "CreateService answers \"You cannot specify an IAM role for services that require a service linked role.\": remove \"role\" from the service definition")
		default:
			cb.needed = true
			cb.addWhy(fmt.Sprintf("%s names it as its role: ECS registers the tasks with the load balancer through it (instead of AWSServiceRoleForECS)", w.label))
			a.lbNeeds(cb, w)
		}
	} else if len(svc.LoadBalancers) > 0 {
		slr.addWhy(fmt.Sprintf("%s: ECS registers its tasks with the load balancer", w.label))
		a.lbNeeds(slr, w)
	}
	for _, r := range svc.ServiceRegistries {
		slr.addWhy(fmt.Sprintf("%s: registers its tasks in AWS Cloud Map service %s", w.label, r.RegistryArn))
		slr.needs = append(slr.needs, need{Action: "servicediscovery:RegisterInstance", Resource: r.RegistryArn, Why: "service discovery for " + svc.ServiceName})
	}
	if sc := svc.ServiceConnectConfiguration; sc != nil && sc.Enabled {
		slr.addWhy(fmt.Sprintf("%s: Service Connect: ECS creates its AWS Cloud Map services", w.label))
		slr.needs = append(slr.needs, need{Action: "servicediscovery:CreateService",
			Resource: a.res("servicediscovery:CreateService", "service", "ServiceId", "srv-"+svc.ServiceName),
			Context:  map[string][]string{"aws:TagKeys": {"AmazonECSManaged"}, "aws:RequestTag/AmazonECSManaged": {"true"}},
			Why:      "Service Connect for " + svc.ServiceName})
		for _, scs := range sc.Services {
			if scs.Tls == nil {
				continue
			}
			if scs.Tls.RoleArn == "" {
				cb := a.missing(KindServiceConnectTLSRole, "service "+svc.ServiceName)
				cb.addWhy(fmt.Sprintf("%s: Service Connect TLS on port %s", w.label, scs.PortName))
				cb.addConfig(Fail, "service "+svc.ServiceName+" names a TLS role", "serviceConnectConfiguration.services[].tls.roleArn is required with TLS")
				continue
			}
			cb := a.role(KindServiceConnectTLSRole, scs.Tls.RoleArn)
			cb.needed, cb.passed = true, true
			cb.addWhy(fmt.Sprintf("%s: Service Connect TLS on port %s: ECS issues certificates from the private CA and keeps them in Secrets Manager", w.label, scs.PortName))
			a.tlsNeeds(cb, w, scs.Tls)
		}
	}
	for _, vc := range svc.VolumeConfigurations {
		if vc.ManagedEBSVolume == nil {
			continue
		}
		a.ebs(w, vc)
	}
	a.capacityForService(w)
}

// eniNeeds: awsvpc tasks' network interfaces, created and deleted by ECS
// through AWSServiceRoleForECS.
func (a *analysis) eniNeeds(cb *caseBuilder, w *workload) {
	eni := a.res("ec2:CreateNetworkInterface", "network-interface", "NetworkInterfaceId", "eni-"+taskID)
	for _, act := range []string{"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"} {
		cb.needs = append(cb.needs, need{Action: act, Resource: eni, Why: "awsvpc network interface of " + w.label})
	}
	cb.needs = append(cb.needs, need{Action: "ec2:DescribeNetworkInterfaces", Resource: "*", Why: "awsvpc network interface of " + w.label})
}

// lbNeeds: registering a service's tasks with its load balancers.
func (a *analysis) lbNeeds(cb *caseBuilder, w *workload) {
	for _, lb := range w.svc.LoadBalancers {
		switch {
		case lb.TargetGroupArn != "":
			for _, act := range []string{"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"} {
				cb.needs = append(cb.needs, need{Action: act, Resource: lb.TargetGroupArn, Why: "load balancer target group of service " + w.svc.ServiceName})
			}
			cb.needs = append(cb.needs, need{Action: "elasticloadbalancing:DescribeTargetGroups", Resource: "*", Why: "ECS validates the target group of service " + w.svc.ServiceName})
		case lb.LoadBalancerName != "":
			arn := a.res("elasticloadbalancing:RegisterInstancesWithLoadBalancer", "loadbalancer", "LoadBalancerName", lb.LoadBalancerName)
			for _, act := range []string{"elasticloadbalancing:RegisterInstancesWithLoadBalancer", "elasticloadbalancing:DeregisterInstancesFromLoadBalancer"} {
				cb.needs = append(cb.needs, need{Action: act, Resource: arn, Why: "Classic Load Balancer of service " + w.svc.ServiceName})
			}
		}
	}
}

// capacityForService: ECS's managed scaling and termination protection act
// on the Auto Scaling groups of EC2 capacity providers through
// AWSServiceRoleForECS (its policy limits them to groups tagged
// AmazonECSManaged, which ECS adds when it turns managed scaling on).
func (a *analysis) capacityForService(w *workload) {
	for _, item := range w.svc.CapacityProviderStrategy {
		cp := a.findProvider(item.CapacityProvider)
		if cp == nil || cp.AutoScalingGroupProvider == nil {
			continue
		}
		asg := cp.AutoScalingGroupProvider
		managed := asg.ManagedScaling != nil && strings.EqualFold(asg.ManagedScaling.Status, "ENABLED") || strings.EqualFold(asg.ManagedTerminationProtection, "ENABLED")
		if !managed || asg.AutoScalingGroupArn == "" {
			continue
		}
		slr := a.linked(KindECSLinked)
		slr.addWhy(fmt.Sprintf("capacity provider %s: managed scaling of its Auto Scaling group", cp.Name))
		slr.needs = append(slr.needs, need{Action: "autoscaling:UpdateAutoScalingGroup", Resource: asg.AutoScalingGroupArn,
			Context: map[string][]string{"autoscaling:ResourceTag/AmazonECSManaged": {"true"}}, Why: "managed scaling of capacity provider " + cp.Name})
	}
}

// task records what one task definition, as it runs, needs of the task
// execution role, the task role and the container instance role.
func (a *analysis) task(w *workload) {
	td := w.td
	region := a.region
	// Where the agent's pulls and log writes go: the execution role when
	// there is one, or on EC2 the container instance role (ECS Developer
	// Guide, "Amazon ECS task execution IAM role": on Fargate and Managed
	// Instances the execution role is required for ECR images and awslogs).
	onInstances := w.platform == EC2 || w.platform == External
	var exec, inst []need
	var execWhy, instWhy []string
	var execRequired []string // AWS's refusals when there is no execution role
	var execCfg, instCfg []Check
	for _, c := range td.ContainerDefinitions {
		if acct, reg, repo, ok := ecrRepo(c.Image); ok {
			repoARN := a.ev.resourceARN("ecr:BatchGetImage", "repository", map[string]string{"Account": acct, "Region": reg, "RepositoryName": repo})
			why := fmt.Sprintf("pull %s (container %s)", c.Image, c.Name)
			ns := []need{
				{Action: "ecr:GetAuthorizationToken", Resource: "*", Why: why},
				{Action: "ecr:BatchGetImage", Resource: repoARN, Why: why},
				{Action: "ecr:GetDownloadUrlForLayer", Resource: repoARN, Why: why},
			}
			if acct != a.account {
				a.notes = append(a.notes, fmt.Sprintf("container %s pulls from account %s: that repository's policy must also allow the pulling role", c.Name, acct))
			}
			if onInstances && td.ExecutionRoleArn == "" {
				inst = append(inst, ns...)
				instWhy = append(instWhy, "pulls private ECR images (no execution role)")
			} else {
				exec = append(exec, ns...)
				execWhy = append(execWhy, "pulls private ECR images")
				if w.platform == Fargate {
					execRequired = append(execRequired, "Fargate requires task definition to have execution role ARN to support ECR images.")
				} else if w.platform == ManagedInstances {
					execRequired = append(execRequired, "on Managed Instances the task execution role pulls private ECR images")
				}
			}
		}
		if lc := c.LogConfiguration; lc != nil && lc.LogDriver == "awslogs" {
			group := lc.Options["awslogs-group"]
			lreg := lc.Options["awslogs-region"]
			var cfg []Check
			if lreg == "" {
				lreg = region
				cfg = append(cfg, Check{Area: AreaConfig, Status: Fail, What: "container " + c.Name + " sets awslogs-region",
					Detail: "the task stops with \"ResourceInitializationError: failed to validate logger args: ... awslogs-region is required\""})
			}
			if group == "" {
				cfg = append(cfg, Check{Area: AreaConfig, Status: Fail, What: "container " + c.Name + " sets awslogs-group", Detail: "the awslogs driver needs a log group"})
				group = "GROUP"
			}
			stream := c.Name + "/" + taskID
			if p := lc.Options["awslogs-stream-prefix"]; p != "" {
				stream = p + "/" + c.Name + "/" + taskID
			}
			why := fmt.Sprintf("awslogs to %s (container %s)", group, c.Name)
			vals := map[string]string{"Region": lreg, "LogGroupName": group, "LogStreamName": stream}
			streamARN := a.ev.resourceARN("logs:CreateLogStream", "log-stream", vals)
			ns := []need{
				{Action: "logs:CreateLogStream", Resource: streamARN, Why: why},
				{Action: "logs:PutLogEvents", Resource: streamARN, Why: why},
			}
			if strings.EqualFold(lc.Options["awslogs-create-group"], "true") {
				ns = append(ns, need{Action: "logs:CreateLogGroup", Resource: a.ev.resourceARN("logs:CreateLogGroup", "log-group", vals), Why: why + ", awslogs-create-group"})
			}
			if onInstances && td.ExecutionRoleArn == "" {
				inst = append(inst, ns...)
				instCfg = append(instCfg, cfg...)
				instWhy = append(instWhy, "sends awslogs (no execution role)")
			} else {
				exec = append(exec, ns...)
				execCfg = append(execCfg, cfg...)
				execWhy = append(execWhy, "sends container logs with awslogs")
				if w.platform == Fargate {
					execRequired = append(execRequired, "Fargate requires task definition to have execution role ARN to support log driver awslogs.")
				} else if w.platform == ManagedInstances {
					execRequired = append(execRequired, "on Managed Instances the task execution role sends awslogs")
				}
			}
		}
		secrets := append([]Secret(nil), c.Secrets...)
		if lc := c.LogConfiguration; lc != nil {
			secrets = append(secrets, lc.SecretOptions...)
		}
		for _, sec := range secrets {
			ref := parseValueFrom(sec.ValueFrom, a.partition, region, a.account)
			why := fmt.Sprintf("secret %s from %s (container %s)", sec.Name, sec.ValueFrom, c.Name)
			if ref.note != "" {
				why += "; " + ref.note
			}
			switch ref.service {
			case "secretsmanager":
				exec = append(exec, need{Action: "secretsmanager:GetSecretValue", Resource: ref.arn, Why: why})
				execWhy = append(execWhy, "reads Secrets Manager secrets")
			default:
				exec = append(exec, need{Action: "ssm:GetParameters", Resource: ref.arn, Why: why})
				execWhy = append(execWhy, "reads Parameter Store parameters")
			}
			exec = append(exec, a.kmsNeeds(sec.ValueFrom, ref, why)...)
			execRequired = append(execRequired, "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.")
		}
		if rc := c.RepositoryCredentials; rc != nil && rc.CredentialsParameter != "" {
			ref := parseValueFrom(rc.CredentialsParameter, a.partition, region, a.account)
			why := fmt.Sprintf("private registry credentials %s (container %s)", rc.CredentialsParameter, c.Name)
			exec = append(exec, need{Action: "secretsmanager:GetSecretValue", Resource: ref.arn, Why: why})
			exec = append(exec, a.kmsNeeds(rc.CredentialsParameter, ref, why)...)
			execWhy = append(execWhy, "authenticates to a private registry")
			execRequired = append(execRequired, "Private repository authentication requires that the task definition specify a value for executionRoleArn.")
		}
		for _, ef := range c.EnvironmentFiles {
			if ef.Type != "" && ef.Type != "s3" || !strings.Contains(ef.Value, ":s3:::") {
				continue
			}
			why := fmt.Sprintf("environment file %s (container %s)", ef.Value, c.Name)
			exec = append(exec,
				need{Action: "s3:GetObject", Resource: ef.Value, Why: why},
				need{Action: "s3:GetBucketLocation", Resource: s3Bucket(ef.Value), Why: why})
			execWhy = append(execWhy, "reads environment files from S3")
			execRequired = append(execRequired, "the task execution role reads environment files from Amazon S3")
		}
	}

	// The task execution role.
	switch {
	case td.ExecutionRoleArn != "":
		cb := a.role(KindTaskExecution, td.ExecutionRoleArn)
		cb.needed, cb.passed = true, true
		if len(execWhy) > 0 {
			cb.addWhy(fmt.Sprintf("%s: %s", w.label, strings.Join(uniqueSorted(execWhy), ", ")))
		} else {
			cb.addWhy(fmt.Sprintf("%s names it (nothing in the task needs it on %s, but ECS assumes it)", w.label, w.platform))
		}
		cb.needs = append(cb.needs, exec...)
		cb.config = append(cb.config, execCfg...)
		a.taskTrust(cb, w)
	case len(execRequired) > 0:
		cb := a.missing(KindTaskExecution, "task definition "+td.Name())
		cb.addWhy(fmt.Sprintf("%s: %s", w.label, strings.Join(uniqueSorted(execWhy), ", ")))
		for _, r := range uniqueSorted(execRequired) {
			cb.addConfig(Fail, "task definition "+td.Name()+" names an execution role", r)
		}
		cb.needs = append(cb.needs, exec...)
		cb.config = append(cb.config, execCfg...)
	}

	// The task role.
	var taskNeeds []need
	var taskWhy, taskRequired []string
	if w.svc != nil && w.svc.EnableExecuteCommand {
		for _, act := range []string{"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"} {
			taskNeeds = append(taskNeeds, need{Action: act, Resource: "*", Why: "ECS Exec (enableExecuteCommand) on service " + w.svc.ServiceName})
		}
		taskWhy = append(taskWhy, "ECS Exec: the SSM agent in the task opens its channels with the task role")
		taskRequired = append(taskRequired, "The service couldn't be updated because a valid taskRoleArn is not being used. Specify a valid task role in your task definition and try again.")
	}
	for _, v := range td.Volumes {
		efs := v.EfsVolumeConfiguration
		if efs == nil || efs.AuthorizationConfig == nil || !strings.EqualFold(efs.AuthorizationConfig.Iam, "ENABLED") {
			continue
		}
		fs := a.res("elasticfilesystem:ClientMount", "file-system", "FileSystemId", efs.FileSystemId)
		why := fmt.Sprintf("mounts EFS %s with IAM authorization (volume %s)", efs.FileSystemId, v.Name)
		taskNeeds = append(taskNeeds, need{Action: "elasticfilesystem:ClientMount", Resource: fs, Why: why}, need{Action: "elasticfilesystem:ClientWrite", Resource: fs, Why: why + "; read-only mounts need only ClientMount"})
		taskWhy = append(taskWhy, "EFS IAM authorization")
		taskRequired = append(taskRequired, "EFS IAM authorization requires a task role.")
	}
	switch {
	case td.TaskRoleArn != "":
		cb := a.role(KindTask, td.TaskRoleArn)
		cb.needed, cb.passed = true, true
		why := "the containers' AWS credentials: the application's own AWS calls"
		if len(taskWhy) > 0 {
			why += "; " + strings.Join(taskWhy, "; ")
		}
		cb.addWhy(fmt.Sprintf("%s: %s", w.label, why))
		cb.addNote("rolecall cannot tell which AWS calls the application makes: only what ECS itself needs of this role is checked")
		cb.needs = append(cb.needs, taskNeeds...)
		a.taskTrust(cb, w)
	case len(taskRequired) > 0:
		cb := a.missing(KindTask, "task definition "+td.Name())
		cb.addWhy(fmt.Sprintf("%s: %s", w.label, strings.Join(taskWhy, "; ")))
		for _, r := range uniqueSorted(taskRequired) {
			cb.addConfig(Fail, "task definition "+td.Name()+" names a task role", r)
		}
		cb.needs = append(cb.needs, taskNeeds...)
	}

	// The container instance role.
	if onInstances {
		profiles := a.s.InstanceProfiles
		guessed := false
		if len(profiles) == 0 {
			profiles = []string{kinds[KindContainerInstance].Conventional}
			guessed = true
		}
		for _, p := range profiles {
			name := lastSegment(p)
			roleName := a.profileRole(name)
			if roleName == "" {
				roleName = name
			}
			cb := a.role(KindContainerInstance, roleName)
			cb.profile = name
			cb.guessed = guessed
			cb.needed, cb.passed = true, true
			cb.addWhy(fmt.Sprintf("%s: tasks run on EC2 container instances; the container agent registers them and reports with this role", w.label))
			if len(instWhy) > 0 {
				cb.addWhy(fmt.Sprintf("%s: %s", w.label, strings.Join(uniqueSorted(instWhy), ", ")))
			}
			if guessed {
				cb.addNote("the setup does not say which instance profile the container instances have (EC2 knows, not ECS): looked at " + name + ", the name AWS's guides use; give --instance-profile")
			}
			cb.needs = append(cb.needs, a.agentNeeds(w.cluster, false)...)
			cb.needs = append(cb.needs, inst...)
			cb.config = append(cb.config, instCfg...)
		}
	}
}

// kmsNeeds: kms:Decrypt on the customer managed key of a secret, when the
// setup says which key it is.
func (a *analysis) kmsNeeds(valueFrom string, ref secretRef, why string) []need {
	key := a.s.Keys[ref.arn]
	if key == "" {
		key = a.s.Keys[valueFrom]
	}
	karn := kmsKeyARN(key, a.partition, a.region, a.account)
	if karn == "" {
		return nil
	}
	via := "secretsmanager." + a.region + ".amazonaws.com"
	if ref.service == "ssm" {
		via = "ssm." + a.region + ".amazonaws.com"
	}
	return []need{{Action: "kms:Decrypt", Resource: karn, Context: map[string][]string{"kms:ViaService": {via}}, Why: why + ", encrypted with " + key}}
}

// taskTrust: what ECS sends when it assumes a task or execution role
// (ECS Developer Guide recommends aws:SourceAccount and an aws:SourceArn of
// arn:aws:ecs:REGION:ACCOUNT:* in these trust policies).
func (a *analysis) taskTrust(cb *caseBuilder, w *workload) {
	cb.trustKeys["aws:SourceAccount"] = []string{a.account}
	cb.trustKeys["aws:SourceArn"] = []string{a.taskARN(w.cluster)}
}

// agentNeeds: the container agent's calls (AmazonEC2ContainerServiceforEC2Role,
// AmazonECSInstanceRolePolicyForManagedInstances).
func (a *analysis) agentNeeds(cluster string, managed bool) []need {
	cl := a.clusterARN(cluster)
	ci := a.res("ecs:Poll", "container-instance", "ClusterName", cluster, "ContainerInstanceId", instanceID)
	why := "container agent in cluster " + cluster
	ns := []need{
		{Action: "ecs:DiscoverPollEndpoint", Resource: "*", Why: why},
		{Action: "ecs:RegisterContainerInstance", Resource: cl, Why: why},
		{Action: "ecs:Poll", Resource: ci, Why: why},
		{Action: "ecs:StartTelemetrySession", Resource: ci, Why: why},
		{Action: "ecs:SubmitTaskStateChange", Resource: cl, Why: why},
	}
	if !managed {
		ns = append(ns,
			need{Action: "ecs:DeregisterContainerInstance", Resource: cl, Why: why},
			need{Action: "ecs:SubmitContainerStateChange", Resource: cl, Why: why})
	}
	return ns
}

// capacityProvider: Managed Instances' service-linked role, infrastructure
// role and instance profile (ECS Developer Guide, "Amazon ECS Managed
// Instances instance profile", "Amazon ECS infrastructure IAM role").
func (a *analysis) capacityProvider(cp *CapacityProvider) {
	mi := cp.ManagedInstancesProvider
	if mi == nil {
		a.workloads = append(a.workloads, Workload{Kind: "capacity-provider", Name: cp.Name, Platform: EC2, Source: cp.Source})
		return
	}
	a.workloads = append(a.workloads, Workload{Kind: "capacity-provider", Name: cp.Name, Cluster: cp.Cluster, Platform: ManagedInstances, Source: cp.Source})
	label := "capacity provider " + cp.Name + " (Managed Instances)"
	clusters := a.providerClusters(cp)

	slr := a.linked(KindComputeLinked)
	slr.needed = true
	slr.addWhy(label + ": ECS launches, and terminates, the instances it manages with it")
	inst := a.res("ec2:TerminateInstances", "instance", "InstanceId", "i-"+taskID)
	slr.needs = append(slr.needs,
		need{Action: "ec2:DescribeInstances", Resource: "*", Why: label},
		need{Action: "ec2:TerminateInstances", Resource: inst, Context: map[string][]string{"ec2:ManagedResourceOperator": {"ecs.amazonaws.com"}}, Why: label})

	// The instance profile and its role.
	profileARN := ""
	if mi.InstanceLaunchTemplate != nil {
		profileARN = mi.InstanceLaunchTemplate.Ec2InstanceProfileArn
	}
	instanceRoleARN := ""
	if profileARN == "" {
		cb := a.missing(KindMIInstance, label)
		cb.addWhy(label + ": the instances' role")
		cb.addConfig(Fail, label+" names an instance profile", "managedInstancesProvider.instanceLaunchTemplate.ec2InstanceProfileArn is required")
	} else {
		profile := lastSegment(profileARN)
		roleName := a.profileRole(profile)
		if roleName == "" {
			roleName = profile
		}
		cb := a.role(KindMIInstance, roleName)
		cb.profile = profile
		cb.needed = true
		cb.addWhy(label + ": the container agent on the instances registers them and reports with it")
		cb.addNote("passed to EC2 by the infrastructure role (its iam:PassRole is checked there), not by the deployer")
		for _, c := range clusters {
			cb.needs = append(cb.needs, a.agentNeeds(c, true)...)
		}
		instanceRoleARN = cb.ref.arn
		if r, err := a.maybeRole(roleName); err == nil && r != nil {
			instanceRoleARN = r.ARN
		}
	}

	// The infrastructure role.
	if mi.InfrastructureRoleArn == "" {
		cb := a.missing(KindMIInfrastructure, label)
		cb.addWhy(label + ": ECS launches the instances with it")
		cb.addConfig(Fail, label+" names an infrastructure role", "managedInstancesProvider.infrastructureRoleArn is required")
		return
	}
	cb := a.role(KindMIInfrastructure, mi.InfrastructureRoleArn)
	cb.needed, cb.passed = true, true
	cb.addWhy(label + ": ECS creates launch templates and launches and tags the instances with it")
	cb.trustKeys["aws:SourceAccount"] = []string{a.account}
	managedTag := map[string][]string{"aws:RequestTag/AmazonECSManaged": {"true"}, "aws:TagKeys": {"AmazonECSManaged"}}
	lt := a.res("ec2:CreateLaunchTemplate", "launch-template", "LaunchTemplateId", "lt-"+taskID)
	instance := a.res("ec2:RunInstances", "instance", "InstanceId", "i-"+taskID)
	fleet := a.res("ec2:CreateFleet", "fleet", "FleetId", "fleet-"+taskID)
	cb.needs = append(cb.needs,
		need{Action: "ec2:CreateLaunchTemplate", Resource: lt, Context: managedTag, Why: label},
		need{Action: "ec2:CreateFleet", Resource: fleet, Context: managedTag, Why: label},
		need{Action: "ec2:RunInstances", Resource: instance, Context: managedTag, Why: label},
		need{Action: "ec2:CreateTags", Resource: instance, Context: map[string][]string{"ec2:CreateAction": {"RunInstances"}}, Why: label},
		need{Action: "ec2:DescribeInstances", Resource: "*", Why: label},
		need{Action: "ec2:DescribeSubnets", Resource: "*", Why: label},
	)
	if instanceRoleARN != "" {
		cb.needs = append(cb.needs, need{Action: "iam:PassRole", Resource: instanceRoleARN,
			Context: map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}},
			Why:     label + ": ECS passes the instance profile's role to EC2 (the managed policy allows only roles named ecsInstanceRole*)"})
	}
}

// maybeRole reads a role when IAM is read.
func (a *analysis) maybeRole(name string) (*Principal, error) {
	if a.iam == nil {
		return nil, nil
	}
	return a.getRole(name)
}

// providerClusters: the clusters a capacity provider serves.
func (a *analysis) providerClusters(cp *CapacityProvider) []string {
	var out []string
	if cp.Cluster != "" {
		out = append(out, clusterName(cp.Cluster))
	}
	for _, c := range a.s.Clusters {
		for _, p := range c.CapacityProviders {
			if p == cp.Name {
				out = append(out, c.ClusterName)
			}
		}
	}
	for _, s := range a.s.Services {
		for _, item := range s.CapacityProviderStrategy {
			if item.CapacityProvider == cp.Name {
				out = append(out, s.ClusterName())
			}
		}
	}
	if len(out) == 0 {
		out = []string{"default"}
	}
	return uniqueSorted(out)
}

// ebs: the infrastructure role ECS uses for a service's Amazon EBS volumes
// (AmazonECSInfrastructureRolePolicyForVolumes: ECS tags what it creates
// AmazonECSManaged=true and AmazonECSCreated=TASK-ARN).
func (a *analysis) ebs(w *workload, vc ServiceVolumeConfiguration) {
	label := fmt.Sprintf("%s, volume %s", w.label, vc.Name)
	if w.td != nil {
		found := false
		for _, v := range w.td.Volumes {
			if v.Name == vc.Name && v.ConfiguredAtLaunch != nil && *v.ConfiguredAtLaunch {
				found = true
			}
		}
		if !found {
			a.notes = append(a.notes, fmt.Sprintf("service %s configures volume %s at launch, but task definition %s has no volume %s with configuredAtLaunch true", w.svc.ServiceName, vc.Name, w.td.Name(), vc.Name))
		}
	}
	if vc.ManagedEBSVolume.RoleArn == "" {
		cb := a.missing(KindEBSInfrastructure, "service "+w.svc.ServiceName)
		cb.addWhy(label + ": Amazon EBS volume")
		cb.addConfig(Fail, "volume "+vc.Name+" names an infrastructure role", "managedEBSVolume.roleArn is required")
		return
	}
	cb := a.role(KindEBSInfrastructure, vc.ManagedEBSVolume.RoleArn)
	cb.needed, cb.passed = true, true
	cb.addWhy(label + ": ECS creates, attaches and deletes the task's Amazon EBS volume with it")
	cb.trustKeys["aws:SourceAccount"] = []string{a.account}
	task := a.taskARN(w.cluster)
	vol := a.res("ec2:CreateVolume", "volume", "VolumeId", "vol-"+taskID)
	created := map[string][]string{"aws:RequestTag/AmazonECSManaged": {"true"}, "aws:RequestTag/AmazonECSCreated": {task}, "aws:TagKeys": {"AmazonECSManaged", "AmazonECSCreated"}}
	owned := map[string][]string{"aws:ResourceTag/AmazonECSManaged": {"true"}, "aws:ResourceTag/AmazonECSCreated": {task}}
	tag := map[string][]string{"ec2:CreateAction": {"CreateVolume"}}
	for k, v := range created {
		tag[k] = v
	}
	cb.needs = append(cb.needs,
		need{Action: "ec2:CreateVolume", Resource: vol, Context: created, Why: label},
		need{Action: "ec2:CreateTags", Resource: vol, Context: tag, Why: label},
		need{Action: "ec2:AttachVolume", Resource: vol, Context: owned, Why: label},
		need{Action: "ec2:DetachVolume", Resource: vol, Context: owned, Why: label},
		need{Action: "ec2:DeleteVolume", Resource: vol, Context: owned, Why: label},
		need{Action: "ec2:DescribeVolumes", Resource: "*", Why: label},
	)
	if k := vc.ManagedEBSVolume.KmsKeyId; k != "" {
		cb.addNote("the volume is encrypted with " + k + ": that key's policy must let this role use it (kms:CreateGrant, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncrypt*, kms:DescribeKey); key policies are not read")
	}
}

// tlsNeeds: Service Connect TLS (AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity).
func (a *analysis) tlsNeeds(cb *caseBuilder, w *workload, tls *ServiceConnectTlsConfiguration) {
	label := w.label + ": Service Connect TLS"
	cb.trustKeys["aws:SourceAccount"] = []string{a.account}
	svcARN := a.serviceARN(w.cluster, w.svc.ServiceName)
	secret := a.res("secretsmanager:CreateSecret", "Secret", "SecretId", "ecs-sc!"+w.svc.ServiceName+secretSuffixStandIn)
	created := map[string][]string{
		"aws:RequestTag/AmazonECSManaged": {"true"}, "aws:RequestTag/AmazonECSCreated": {svcARN},
		"aws:ResourceAccount": {a.account}, "aws:TagKeys": {"AmazonECSManaged", "AmazonECSCreated"},
	}
	owned := map[string][]string{"secretsmanager:ResourceTag/aws:secretsmanager:owningService": {"ecs-sc"}, "aws:ResourceAccount": {a.account}}
	cb.needs = append(cb.needs,
		need{Action: "secretsmanager:CreateSecret", Resource: secret, Context: created, Why: label},
		need{Action: "secretsmanager:GetSecretValue", Resource: secret, Context: owned, Why: label},
		need{Action: "secretsmanager:PutSecretValue", Resource: secret, Context: owned, Why: label},
	)
	if pca := tls.IssuerCertificateAuthority.AwsPcaAuthorityArn; pca != "" {
		tagged := map[string][]string{"aws:ResourceTag/AmazonECSManaged": {"true"}}
		issue := map[string][]string{"aws:ResourceTag/AmazonECSManaged": {"true"}, "acm-pca:TemplateArn": {"arn:" + a.partition + ":acm-pca:::template/EndEntityCertificate/V1"}}
		cb.needs = append(cb.needs,
			need{Action: "acm-pca:IssueCertificate", Resource: pca, Context: issue, Why: label},
			need{Action: "acm-pca:GetCertificate", Resource: pca, Context: tagged, Why: label},
			need{Action: "acm-pca:DescribeCertificateAuthority", Resource: pca, Context: tagged, Why: label},
		)
		cb.addNote("the AWS managed policy lets ECS use only a private CA tagged AmazonECSManaged=true: evaluated as if " + pca + " has that tag")
	}
}

// scalableTarget: service auto scaling (Application Auto Scaling's
// service-linked role for ECS; AWSApplicationAutoscalingECSServicePolicy).
func (a *analysis) scalableTarget(st *ScalableTarget) {
	if !strings.EqualFold(st.ServiceNamespace, "ecs") {
		return
	}
	parts := strings.Split(st.ResourceId, "/")
	if len(parts) != 3 || parts[0] != "service" {
		a.notes = append(a.notes, fmt.Sprintf("scalable target %q is not service/CLUSTER/SERVICE", st.ResourceId))
		return
	}
	cluster, name := parts[1], parts[2]
	a.workloads = append(a.workloads, Workload{Kind: "scalable-target", Name: st.ResourceId, Cluster: cluster, Source: st.Source})
	cb := a.linked(KindAutoScalingLinked)
	cb.needed = true
	label := "scalable target " + st.ResourceId
	cb.addWhy(label + ": Application Auto Scaling reads and updates the service's desired count, and manages its CloudWatch alarms, with it")
	svc := a.serviceARN(cluster, name)
	alarm := a.res("cloudwatch:PutMetricAlarm", "alarm", "AlarmName", "TargetTracking-"+st.ResourceId+"-AlarmHigh")
	cb.needs = append(cb.needs,
		need{Action: "ecs:DescribeServices", Resource: svc, Why: label},
		need{Action: "ecs:UpdateService", Resource: svc, Why: label},
		need{Action: "cloudwatch:PutMetricAlarm", Resource: alarm, Why: label},
		need{Action: "cloudwatch:DescribeAlarms", Resource: alarm, Why: label},
	)
	if st.RoleARN != "" && !strings.Contains(st.RoleARN, "/aws-service-role/") {
		cb.addNote("scalable target " + st.ResourceId + " names RoleARN " + st.RoleARN + " (the legacy ecsAutoscaleRole); that role is not checked")
	}
}

// sortedWhy keeps report lines stable.
func sortedWhy(w []string) []string {
	out := append([]string(nil), w...)
	sort.Strings(out)
	return out
}
