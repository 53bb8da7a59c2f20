package ecsroles

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// Platform is where a task runs.
type Platform string

// The platforms. External (ECS Anywhere) is EC2 as far as roles go.
const (
	Fargate          Platform = "FARGATE"
	EC2              Platform = "EC2"
	ManagedInstances Platform = "MANAGED_INSTANCES"
	External         Platform = "EXTERNAL"
)

// OnInstances: the task runs on container instances whose agent acts with
// the instance role when the task has no execution role.
func (p Platform) OnInstances() bool { return p == EC2 || p == External }

// TaskOptions say how a task runs.
type TaskOptions struct {
	// Cluster is the cluster's name; TaskID the task's ID (the TaskID
	// placeholder for a task not yet started).
	Cluster, TaskID string
	// Label names the workload in Why lines ("service web (cluster prod,
	// FARGATE)").
	Label string
	// Exec: ECS Exec is on (the service's or RunTask's
	// enableExecuteCommand); ExecFor names what turned it on.
	Exec    bool
	ExecFor string
	// Keys maps a secret or parameter (ARN or name, as the task definition
	// names it) to the customer managed KMS key that encrypts it.
	Keys map[string]string
}

// TaskUses is what a task asks of its roles.
type TaskUses struct {
	// Execution is the task execution role's use; TaskRole the task
	// role's; Instance, on EC2 and External, the container instance
	// role's (which pulls images and sends logs itself when the task has
	// no execution role). A Use with neither Role nor Needed is not used.
	Execution, TaskRole, Instance Use
	// Notes are what a person should know that no role check shows.
	Notes []string
}

// Uses lists the uses that matter, execution role first.
func (t TaskUses) Uses() []Use {
	var out []Use
	for _, u := range []Use{t.Execution, t.TaskRole, t.Instance} {
		if u.Role != "" || u.Needed {
			out = append(out, u)
		}
	}
	return out
}

// ForTask is what a task of td asks of its roles on platform p (ECS
// Developer Guide, "Amazon ECS task execution IAM role", "Amazon ECS task
// IAM role", "Amazon ECS container instance IAM role"). ECS assumes the
// execution and task roles as ecs-tasks.amazonaws.com for the task, and
// the execution role makes the requests listed for it when the task
// starts; on EC2 without an execution role the agent makes them with the
// instance role.
func ForTask(env Env, td *types.TaskDefinition, p Platform, o TaskOptions) TaskUses {
	if o.Cluster == "" {
		o.Cluster = "default"
	}
	if o.TaskID == "" {
		o.TaskID = TaskID
	}
	var t TaskUses
	var exec, inst []Need
	var execWhy, instWhy, execRequired []string
	var execCfg, instCfg []Problem
	viaInstance := p.OnInstances() && td.ExecutionRoleArn == ""
	// route gives requests to the role that makes them; fargate and
	// managed are the texts that say the execution role is required.
	route := func(ns []Need, why, instanceWhy string, cfg []Problem, fargate, managed string) {
		if viaInstance {
			inst = append(inst, ns...)
			instWhy = append(instWhy, instanceWhy)
			instCfg = append(instCfg, cfg...)
			return
		}
		exec = append(exec, ns...)
		execWhy = append(execWhy, why)
		execCfg = append(execCfg, cfg...)
		switch p {
		case Fargate:
			execRequired = append(execRequired, fargate)
		case ManagedInstances:
			execRequired = append(execRequired, managed)
		}
	}
	for _, c := range td.ContainerDefinitions {
		if acct, reg, repo, ok := ECRRepo(c.Image); ok {
			repoARN := env.Resource("ecr:BatchGetImage", "repository", map[string]string{"Account": acct, "Region": reg, "RepositoryName": repo})
			why := fmt.Sprintf("pull %s (container %s)", c.Image, c.Name)
			ns := []Need{
				{Action: "ecr:GetAuthorizationToken", Resource: "*", Why: why, Step: StepRegistryAuth, Subject: c.Image},
				{Action: "ecr:BatchGetImage", Resource: repoARN, Why: why, Step: StepImagePull, Subject: c.Image},
				{Action: "ecr:GetDownloadUrlForLayer", Resource: repoARN, Why: why, Step: StepImagePull, Subject: c.Image},
			}
			if acct != env.Account {
				t.Notes = append(t.Notes, fmt.Sprintf("container %s pulls from account %s: that repository's policy must also allow the pulling role", c.Name, acct))
			}
			route(ns, "pulls private ECR images", "pulls private ECR images (no execution role)", nil,
				"Fargate requires task definition to have execution role ARN to support ECR images.",
				"on Managed Instances the task execution role pulls private ECR images")
		}
		if lc := c.LogConfiguration; lc != nil && lc.LogDriver == "awslogs" {
			ns, cfg := awslogs(env, c.Name, lc.Options, o.TaskID)
			route(ns, "sends container logs with awslogs", "sends awslogs (no execution role)", cfg,
				"Fargate requires task definition to have execution role ARN to support log driver awslogs.",
				"on Managed Instances the task execution role sends awslogs")
		}
		secrets := slices.Clone(c.Secrets)
		if lc := c.LogConfiguration; lc != nil {
			secrets = append(secrets, lc.SecretOptions...)
		}
		for _, sec := range secrets {
			ref := ParseValueFrom(sec.ValueFrom, env.partition(), env.Region, env.Account)
			why := fmt.Sprintf("secret %s from %s (container %s)", sec.Name, sec.ValueFrom, c.Name)
			if ref.Note != "" {
				why += "; " + ref.Note
			}
			if ref.Service == "secretsmanager" {
				exec = append(exec, Need{Action: "secretsmanager:GetSecretValue", Resource: ref.ARN, Why: why, Step: StepSecret, Subject: ref.ARN})
				execWhy = append(execWhy, "reads Secrets Manager secrets")
			} else {
				exec = append(exec, Need{Action: "ssm:GetParameters", Resource: ref.ARN, Why: why, Step: StepParameter, Subject: ref.ARN})
				execWhy = append(execWhy, "reads Parameter Store parameters")
			}
			exec = append(exec, kmsNeeds(env, o.Keys, sec.ValueFrom, ref, why)...)
			execRequired = append(execRequired, "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.")
		}
		if rc := c.RepositoryCredentials; rc != nil && rc.CredentialsParameter != "" {
			ref := ParseValueFrom(rc.CredentialsParameter, env.partition(), env.Region, env.Account)
			why := fmt.Sprintf("private registry credentials %s (container %s)", rc.CredentialsParameter, c.Name)
			exec = append(exec, Need{Action: "secretsmanager:GetSecretValue", Resource: ref.ARN, Why: why, Step: StepRegistryCredentials, Subject: ref.ARN})
			for _, k := range kmsNeeds(env, o.Keys, rc.CredentialsParameter, ref, why) {
				k.Step = StepRegistryCredentials
				exec = append(exec, k)
			}
			execWhy = append(execWhy, "authenticates to a private registry")
			execRequired = append(execRequired, "Private repository authentication requires that the task definition specify a value for executionRoleArn.")
		}
		for _, ef := range c.EnvironmentFiles {
			if ef.Type != "" && ef.Type != "s3" || !strings.Contains(ef.Value, ":s3:::") {
				continue
			}
			why := fmt.Sprintf("environment file %s (container %s)", ef.Value, c.Name)
			exec = append(exec,
				Need{Action: "s3:GetObject", Resource: ef.Value, Why: why, Step: StepEnvironmentFile, Subject: ef.Value},
				Need{Action: "s3:GetBucketLocation", Resource: S3Bucket(ef.Value), Why: why, Step: StepEnvironmentFile, Subject: ef.Value})
			execWhy = append(execWhy, "reads environment files from S3")
			execRequired = append(execRequired, "the task execution role reads environment files from Amazon S3")
		}
	}
	trust := SourceKeys(env.Account, env.TaskARN(o.Cluster, o.TaskID))
	name := taskDefName(td)

	// The task execution role.
	t.Execution = Use{Kind: TaskExecution, Role: td.ExecutionRoleArn, Needs: exec, Problems: execCfg}
	switch {
	case td.ExecutionRoleArn != "":
		t.Execution.Needed, t.Execution.Passed, t.Execution.Trust = true, true, trust
		if len(execWhy) > 0 {
			t.Execution.Why = []string{fmt.Sprintf("%s: %s", o.Label, strings.Join(uniqueSorted(execWhy), ", "))}
		} else {
			t.Execution.Why = []string{fmt.Sprintf("%s names it (nothing in the task needs it on %s, but ECS assumes it)", o.Label, p)}
		}
	case len(execRequired) > 0:
		t.Execution.Needed, t.Execution.For = true, "task definition "+name
		t.Execution.Why = []string{fmt.Sprintf("%s: %s", o.Label, strings.Join(uniqueSorted(execWhy), ", "))}
		var refusals []Problem
		for _, r := range uniqueSorted(execRequired) {
			refusals = append(refusals, Problem{What: "task definition " + name + " names an execution role", Detail: r})
		}
		t.Execution.Problems = append(refusals, execCfg...)
	}

	// The task role.
	var taskNeeds []Need
	var taskWhy, taskRequired []string
	if o.Exec {
		taskNeeds = append(taskNeeds, ExecNeeds(o.ExecFor)...)
		taskWhy = append(taskWhy, "ECS Exec: the SSM agent in the task opens its channels with the task role")
		taskRequired = append(taskRequired, "The service couldn't be updated because a valid taskRoleArn is not being used. Specify a valid task role in your task definition and try again.")
	}
	for _, v := range td.Volumes {
		efs := v.EfsVolumeConfiguration
		if efs == nil || efs.AuthorizationConfig == nil || !strings.EqualFold(efs.AuthorizationConfig.Iam, "ENABLED") {
			continue
		}
		fs := env.Res("elasticfilesystem:ClientMount", "file-system", "FileSystemId", efs.FileSystemId)
		why := fmt.Sprintf("mounts EFS %s with IAM authorization (volume %s)", efs.FileSystemId, v.Name)
		taskNeeds = append(taskNeeds,
			Need{Action: "elasticfilesystem:ClientMount", Resource: fs, Why: why, Step: StepEFS, Subject: efs.FileSystemId},
			Need{Action: "elasticfilesystem:ClientWrite", Resource: fs, Why: why + "; read-only mounts need only ClientMount", Step: StepEFS, Subject: efs.FileSystemId})
		taskWhy = append(taskWhy, "EFS IAM authorization")
		taskRequired = append(taskRequired, "EFS IAM authorization requires a task role.")
	}
	t.TaskRole = Use{Kind: Task, Role: td.TaskRoleArn, Needs: taskNeeds}
	switch {
	case td.TaskRoleArn != "":
		t.TaskRole.Needed, t.TaskRole.Passed, t.TaskRole.Trust = true, true, trust
		why := "the containers' AWS credentials: the application's own AWS calls"
		if len(taskWhy) > 0 {
			why += "; " + strings.Join(taskWhy, "; ")
		}
		t.TaskRole.Why = []string{fmt.Sprintf("%s: %s", o.Label, why)}
		t.TaskRole.Notes = []string{"rolecall cannot tell which AWS calls the application makes: only what ECS itself needs of this role is checked"}
	case len(taskRequired) > 0:
		t.TaskRole.Needed, t.TaskRole.For = true, "task definition "+name
		t.TaskRole.Why = []string{fmt.Sprintf("%s: %s", o.Label, strings.Join(taskWhy, "; "))}
		for _, r := range uniqueSorted(taskRequired) {
			t.TaskRole.Problems = append(t.TaskRole.Problems, Problem{What: "task definition " + name + " names a task role", Detail: r})
		}
	}

	// The container instance role.
	if p.OnInstances() {
		t.Instance = Use{Kind: ContainerInstance, Needed: true, Passed: true, Problems: instCfg,
			Why:   []string{fmt.Sprintf("%s: tasks run on EC2 container instances; the container agent registers them and reports with this role", o.Label)},
			Needs: append(AgentNeeds(env, o.Cluster, false), inst...)}
		if len(instWhy) > 0 {
			t.Instance.Why = append(t.Instance.Why, fmt.Sprintf("%s: %s", o.Label, strings.Join(uniqueSorted(instWhy), ", ")))
		}
	}
	return t
}

// awslogs is what the awslogs driver does with the role that sends a
// container's logs, and what is wrong with its options.
func awslogs(env Env, container string, opts map[string]string, taskID string) ([]Need, []Problem) {
	group, region := opts["awslogs-group"], opts["awslogs-region"]
	var cfg []Problem
	if region == "" {
		region = env.Region
		cfg = append(cfg, Problem{What: "container " + container + " sets awslogs-region",
			Detail: "the task stops with \"ResourceInitializationError: failed to validate logger args: ... awslogs-region is required\""})
	}
	if group == "" {
		cfg = append(cfg, Problem{What: "container " + container + " sets awslogs-group", Detail: "the awslogs driver needs a log group"})
		group = "GROUP"
	}
	stream := container + "/" + taskID
	if p := opts["awslogs-stream-prefix"]; p != "" {
		stream = p + "/" + container + "/" + taskID
	}
	why := fmt.Sprintf("awslogs to %s (container %s)", group, container)
	vals := map[string]string{"Region": region, "LogGroupName": group, "LogStreamName": stream}
	streamARN := env.Resource("logs:CreateLogStream", "log-stream", vals)
	ns := []Need{
		{Action: "logs:CreateLogStream", Resource: streamARN, Why: why, Step: StepLogStream, Subject: group},
		{Action: "logs:PutLogEvents", Resource: streamARN, Why: why, Step: StepLogStream, Subject: group},
	}
	if strings.EqualFold(opts["awslogs-create-group"], "true") {
		// IAM decides CreateLogGroup on the group's ARN with an empty
		// stream (":log-stream:"), as AWS's refusals name it
		// (terraform-aws-modules/terraform-aws-ecs PR #313).
		ns = append(ns, Need{Action: "logs:CreateLogGroup", Resource: env.Resource("logs:CreateLogGroup", "log-group", vals) + ":log-stream:", Why: why + ", awslogs-create-group", Step: StepLogGroup, Subject: group})
	}
	return ns, cfg
}

// kmsNeeds: kms:Decrypt on the customer managed key of a secret, when it
// is known which key it is.
func kmsNeeds(env Env, keys map[string]string, valueFrom string, ref SecretRef, why string) []Need {
	key := keys[ref.ARN]
	if key == "" {
		key = keys[valueFrom]
	}
	karn := KMSKeyARN(key, env.partition(), env.Region, env.Account)
	if karn == "" {
		return nil
	}
	step := StepSecret
	if ref.Service == "ssm" {
		step = StepParameter
	}
	via := ref.Service + "." + env.Region + ".amazonaws.com"
	return []Need{{Action: "kms:Decrypt", Resource: karn, Context: map[string][]string{"kms:ViaService": {via}}, Why: why + ", encrypted with " + key, Step: step, Subject: ref.ARN}}
}

// AgentNeeds are the container agent's calls with the instance role
// (AmazonEC2ContainerServiceforEC2Role; for Managed Instances
// AmazonECSInstanceRolePolicyForManagedInstances, which has no
// deregistration or container state calls). The server answers those that
// are ECS API operations (DiscoverPollEndpoint, RegisterContainerInstance,
// DeregisterContainerInstance, the Submit* calls) and decides them on the
// same resources; ecs:Poll and ecs:StartTelemetrySession are the agent's
// websocket sessions, which the server decides when a task is placed on a
// Managed Instances instance (AgentForTask).
func AgentNeeds(env Env, cluster string, managed bool) []Need {
	return AgentNeedsOn(env, cluster, InstanceID, managed)
}

// AgentNeedsOn is AgentNeeds for the agent of container instance
// containerInstanceID (its ID in the cluster). Those of StepAgentRegistration
// it makes when it starts and registers the instance; the others for the
// tasks it runs (AgentForTask).
func AgentNeedsOn(env Env, cluster, containerInstanceID string, managed bool) []Need {
	cl := env.ClusterARN(cluster)
	ci := env.Res("ecs:Poll", "container-instance", "ClusterName", cluster, "ContainerInstanceId", containerInstanceID)
	why := "container agent in cluster " + cluster
	ns := []Need{
		{Action: "ecs:DiscoverPollEndpoint", Resource: "*", Why: why, Step: StepAgentRegistration},
		{Action: "ecs:RegisterContainerInstance", Resource: cl, Why: why, Step: StepAgentRegistration},
		{Action: "ecs:Poll", Resource: ci, Why: why, Step: StepAgent},
		{Action: "ecs:StartTelemetrySession", Resource: ci, Why: why, Step: StepAgent},
		{Action: "ecs:SubmitTaskStateChange", Resource: cl, Why: why, Step: StepAgent},
		{Action: "ecs:SubmitAttachmentStateChanges", Resource: cl, Why: why, Step: StepAgent},
	}
	if !managed {
		ns = append(ns,
			Need{Action: "ecs:DeregisterContainerInstance", Resource: cl, Why: why, Step: StepAgent},
			Need{Action: "ecs:SubmitContainerStateChange", Resource: cl, Why: why, Step: StepAgent})
	}
	return ns
}

// AgentRegistration are the needs of ns the agent makes when it starts on
// an instance and registers it with its cluster.
func AgentRegistration(ns []Need) []Need { return withStep(ns, StepAgentRegistration) }

// AgentForTask are the needs of ns the agent makes for a task placed on
// its instance: it polls ECS for the task and reports its state.
func AgentForTask(ns []Need) []Need { return withStep(ns, StepAgent) }

func withStep(ns []Need, step Step) []Need {
	var out []Need
	for _, n := range ns {
		if n.Step == step {
			out = append(out, n)
		}
	}
	return out
}

func taskDefName(td *types.TaskDefinition) string {
	if td.Revision > 0 {
		return fmt.Sprintf("%s:%d", td.Family, td.Revision)
	}
	return td.Family
}

// uniqueSorted returns a sorted copy without duplicates.
func uniqueSorted(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// ExecNeeds is what the SSM agent in a task with ECS Exec turned on (by
// forWhat) asks with the task role's credentials to open its channels; an
// ExecuteCommand then fails with TargetNotConnectedException when the role
// is refused
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html,
// "ECS Exec permissions").
func ExecNeeds(forWhat string) []Need {
	var out []Need
	for _, act := range []string{"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"} {
		out = append(out, Need{Action: act, Resource: "*", Why: "ECS Exec (enableExecuteCommand) on " + forWhat, Step: StepExec})
	}
	return out
}
