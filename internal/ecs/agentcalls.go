package ecs

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// The ECS container agent's own calls, made on a container instance with
// the credentials of its instance role (the instance metadata service's):
// DiscoverPollEndpoint when it starts, and the Submit*StateChange calls
// that report what happened to the tasks ECS placed on the instance.
// Authorization is IAM's alone, as for any ECS action: the Service
// Authorization Reference gives DiscoverPollEndpoint no resource type and
// the Submit* actions the cluster, which AmazonEC2ContainerServiceforEC2Role
// grants ("ecs:Submit*") and the one model of ECS's role use lists among
// the agent's needs (ecsroles.AgentNeedsOn). ecs:Poll and
// ecs:StartTelemetrySession are permissions of the agent's websocket
// sessions, not API operations, and are not served.
//
// How a report meets the timing model (lifecycle.go). The model is what a
// task does when nobody reports; the agent's report is the fact, taken at
// the moment it arrives. A report of a phase the task has not reached by
// the model moves it there now, and the model's later phases follow from
// that moment with the same durations; a report of a phase the task has
// reached already changes no status, only what the report carries (pull
// times, exit codes). So a task never goes back to an earlier status, and
// an agent that says nothing leaves the modeled task as it was.
//
//   - A network interface reported ATTACHED ends PROVISIONING: PENDING
//     from then on.
//   - RUNNING starts the task: RUNNING from then on (never on a task that
//     failed to start, or that was stopped before it ran).
//   - A container reported STOPPED that is essential stops the task as ECS
//     does (the task definition parameters page: "If the essential
//     parameter of a container is marked as true, and that container fails
//     or stops for any reason, all other containers that are part of the
//     task are stopped",
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html):
//     STOPPING from then on, with EssentialContainerExited and "Essential
//     container in task exited" once the task ran, TaskFailedToStart and
//     the container's reason (CannotPullContainerError...) before.
//   - The task reported STOPPED has its containers stopped: a stop nobody
//     asked for begins then, worded as above with the task's reason, and
//     the task is STOPPED then, or, with an awsvpc network interface to
//     detach, DEPROVISIONING then and STOPPED half a stopping phase later.
//   - A network interface reported DETACHED ends DEPROVISIONING.

// agentReport is what the container agent reported of a task: when each
// phase was reported (the moment the report arrived) and the times the
// agent gave. The task record keeps it (taskRecord.Agent).
type agentReport struct {
	AttachedAt *time.Time `json:",omitempty"`
	RunningAt  *time.Time `json:",omitempty"`
	StoppedAt  *time.Time `json:",omitempty"`
	DetachedAt *time.Time `json:",omitempty"`
	// PullStartedAt, PullStoppedAt and ExecutionStoppedAt are the agent's,
	// answered as the task's.
	PullStartedAt      *time.Time `json:",omitempty"`
	PullStoppedAt      *time.Time `json:",omitempty"`
	ExecutionStoppedAt *time.Time `json:",omitempty"`
}

// started brings the modeled start of PENDING (p1) and of RUNNING (p2)
// forward to what the agent reported: an attachment reported ATTACHED
// before p1 starts PENDING then (RUNNING follows pending later), RUNNING
// reported before p2 starts it then. A report after the modeled moment
// changes nothing.
func (a *agentReport) started(p0, p1, p2 time.Time, pending time.Duration) (time.Time, time.Time) {
	if a == nil {
		return p1, p2
	}
	if a.AttachedAt != nil && a.AttachedAt.Before(p1) {
		p1 = later(p0, *a.AttachedAt)
		p2 = p1.Add(pending)
	}
	if a.RunningAt != nil && a.RunningAt.Before(p2) {
		p2 = later(p0, *a.RunningAt)
		p1 = earlier(p1, p2)
	}
	return p1, p2
}

// stopped brings the modeled end of a stop forward to what the agent
// reported: from the containers' STOPPED report, DEPROVISIONING (awsvpc,
// half) begins, or the task is STOPPED (end); a network interface
// reported DETACHED ends DEPROVISIONING.
func (a *agentReport) stopped(stopAt, half, end time.Time, awsvpc bool) (time.Time, time.Time) {
	if a == nil {
		return half, end
	}
	if a.StoppedAt != nil {
		at := later(stopAt, *a.StoppedAt)
		if awsvpc && at.Before(half) {
			end = end.Add(at.Sub(half))
			half = at
		} else if !awsvpc {
			end = earlier(end, at)
		}
	}
	if a.DetachedAt != nil && awsvpc {
		end = earlier(end, later(half, *a.DetachedAt))
	}
	return half, end
}

// times answers the agent's own times as the task's.
func (a *agentReport) times(t *types.Task) {
	if a == nil {
		return
	}
	t.PullStartedAt = cmp.Or(a.PullStartedAt, t.PullStartedAt)
	t.PullStoppedAt = cmp.Or(a.PullStoppedAt, t.PullStoppedAt)
	t.ExecutionStoppedAt = cmp.Or(a.ExecutionStoppedAt, t.ExecutionStoppedAt)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// containerPhases orders a container's statuses: a report never takes a
// container back.
var containerPhases = []string{"PENDING", "RUNNING", "STOPPED"}

// furthest is the later of a container's reported status and the one the
// task's phase gives it ("" when nothing was reported).
func furthest(reported, modeled string) string {
	if slices.Index(containerPhases, reported) > slices.Index(containerPhases, modeled) {
		return reported
	}
	return modeled
}

// reportedAgents lays the managed agents' reported statuses and reasons
// over those the task's phase gives them.
func reportedAgents(reported, modeled []types.ManagedAgent) []types.ManagedAgent {
	for _, r := range reported {
		i := slices.IndexFunc(modeled, func(m types.ManagedAgent) bool { return m.Name == r.Name })
		if i < 0 {
			continue
		}
		modeled[i].LastStatus = furthest(r.LastStatus, modeled[i].LastStatus)
		if r.Reason != "" {
			modeled[i].Reason = r.Reason
		}
	}
	return modeled
}

// The endpoints DiscoverPollEndpoint gives: the agent's websocket session
// (ACS), the telemetry session (TCS) and Service Connect's, by the
// numbered public host names the ECS developer guide names ("When the call
// doesn't go through the ecs interface VPC endpoint, the returned endpoints
// can use numbered hostnames, such as ecs-a-1.{region}.amazonaws.com and
// ecs-t-1.{region}.amazonaws.com",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html).
func pollEndpoint(kind, region string) string {
	return "https://ecs-" + kind + "-1." + region + ".amazonaws.com/"
}

// DiscoverPollEndpoint answers where the agent connects. The reference
// gives it no resource type and the request's cluster and container
// instance decide nothing that is known of AWS, so neither is looked up.
func (s *Service) DiscoverPollEndpoint(ctx context.Context, c Call, in *types.DiscoverPollEndpointRequest) (*types.DiscoverPollEndpointResponse, error) {
	if err := check(ctx, c); err != nil {
		return nil, err
	}
	return &types.DiscoverPollEndpointResponse{
		Endpoint:               pollEndpoint("a", c.Region),
		TelemetryEndpoint:      pollEndpoint("t", c.Region),
		ServiceConnectEndpoint: pollEndpoint("sc", c.Region),
	}, nil
}

// acknowledged is the Submit* calls' answer. AWS documents only that it
// acknowledges the state change; the agent does not read it.
const acknowledged = "ACK"

// The statuses the agent reports: of a task (PENDING with only its
// containers' or attachments' news), of a container, of an attachment.
var (
	taskReports       = []string{"PENDING", "RUNNING", "STOPPED"}
	attachmentReports = []string{"ATTACHED", "DETACHED"}
)

// The stop ECS records when the agent reports what stopped a task.
const (
	essentialExitCode   = "EssentialContainerExited"
	essentialExitReason = "Essential container in task exited"
	failedToStartCode   = "TaskFailedToStart"
)

// reported is a task the agent reports on, as loaded for a report.
type reported struct {
	key string
	rec taskRecord
	// essential names the task definition's essential containers.
	essential map[string]bool
}

// reportedTask loads the task of cluster that the agent reports on: a
// task of a container instance (Fargate's are no agent's to report),
// still answered.
func reportedTask(tx store.Tx, c Call, cluster, ref string, now time.Time, tm Timing) (*reported, error) {
	cl, err := activeCluster(tx, c, cluster, false)
	if err != nil {
		return nil, err
	}
	name := cl.Cluster.ClusterName
	id, ok := clusterMemberID(c, name, ref, "task")
	if !ok {
		return nil, errTaskNotFound()
	}
	rp := &reported{key: taskKey(c, name, id)}
	found, err := getJSON(tx, bucketTasks, rp.key, &rp.rec)
	if err != nil {
		return nil, err
	}
	if !found || !rp.rec.visible(now, tm) {
		return nil, errTaskNotFound()
	}
	if rp.rec.Task.ContainerInstanceArn == "" {
		return nil, errNoAgentReports(rp.rec.Task.TaskArn)
	}
	rp.essential = map[string]bool{}
	td, err := loadTaskDef(tx, c, rp.rec.Task.TaskDefinitionArn)
	if err != nil {
		return nil, err
	}
	for _, ct := range rp.rec.Task.Containers {
		rp.essential[ct.Name] = true // the default, should the revision be gone
	}
	if td != nil {
		for _, cd := range td.Def.ContainerDefinitions {
			rp.essential[cd.Name] = cd.Essential == nil || *cd.Essential
		}
	}
	return rp, nil
}

// agent is the record's report, created on the first.
func (rp *reported) agent() *agentReport {
	if rp.rec.Agent == nil {
		rp.rec.Agent = &agentReport{}
	}
	return rp.rec.Agent
}

// stop records a stop nobody asked for, at now, unless one was.
func (rp *reported) stop(now time.Time, code, reason string) {
	r := &rp.rec
	if r.StopAt != nil || r.FailedReason != "" {
		return
	}
	r.StopAt, r.StopCode, r.StopReason = ptr(now), code, reason
}

// exited records the stop the end of an essential container makes, or
// the agent's STOPPED of the task, with reason: before the task ran, it
// failed to start (the agent's reason, as for CannotPullContainerError);
// after, an essential container exited.
func (rp *reported) exited(before types.Task, reason string, now time.Time) {
	code := essentialExitCode
	if before.StartedAt == nil {
		code = failedToStartCode
	}
	rp.stop(now, code, cmp.Or(reason, essentialExitReason))
}

// container applies a container's report: its status (never back), what
// it carries, and an essential container's stop stopping the task (with
// the container's reason if the task never ran; a running task's is AWS's
// text, the container's own on the container).
func (rp *reported) container(ch types.ContainerStateChange, before types.Task, now time.Time) error {
	i := slices.IndexFunc(rp.rec.Task.Containers, func(ct types.Container) bool { return ct.Name == ch.ContainerName })
	if i < 0 {
		return errReportedContainer(ch.ContainerName)
	}
	if ch.Status != "" && !slices.Contains(containerPhases, ch.Status) {
		return errReportedStatus(ch.Status, containerPhases)
	}
	ct := &rp.rec.Task.Containers[i]
	ct.LastStatus = furthest(ch.Status, ct.LastStatus)
	if ch.ExitCode != nil {
		ct.ExitCode = ptr(*ch.ExitCode)
	}
	if ch.Reason != "" {
		ct.Reason = ch.Reason
	}
	if ch.RuntimeId != "" {
		ct.RuntimeId = ch.RuntimeId
	}
	if ch.ImageDigest != "" {
		ct.ImageDigest = ch.ImageDigest
	}
	if ch.NetworkBindings != nil {
		ct.NetworkBindings = slices.Clone(ch.NetworkBindings)
	}
	if ch.Status == "STOPPED" && rp.essential[ct.Name] {
		reason := ""
		if before.StartedAt == nil {
			reason = ch.Reason
		}
		rp.exited(before, reason, now)
	}
	return nil
}

// attachment applies a report of one of the task's attachments.
func (rp *reported) attachment(c Call, ch types.AttachmentStateChange, now time.Time) error {
	if !slices.Contains(attachmentReports, ch.Status) {
		return errReportedStatus(ch.Status, attachmentReports)
	}
	if !hasAttachment(c, &rp.rec, ch.AttachmentArn) {
		return errReportedAttachment(ch.AttachmentArn)
	}
	a := rp.agent()
	switch ch.Status {
	case "ATTACHED":
		if a.AttachedAt == nil {
			a.AttachedAt = ptr(now)
		}
	case "DETACHED":
		if a.DetachedAt == nil {
			a.DetachedAt = ptr(now)
		}
	}
	return nil
}

// hasAttachment: the attachment (by its ARN) is one of the task's.
func hasAttachment(c Call, tr *taskRecord, attachmentArn string) bool {
	id, ok := resourceOf(c, attachmentArn, "attachment")
	return ok && slices.ContainsFunc(tr.Task.Attachments, func(a types.Attachment) bool { return a.Id == id })
}

// managedAgent applies a managed agent's report (ECS Exec's, the one
// managed agent there is, beside the containers of a task started with
// enableExecuteCommand).
func (rp *reported) managedAgent(ch types.ManagedAgentStateChange) error {
	if !rp.rec.Task.EnableExecuteCommand {
		return errReportedManagedAgent(ch.ManagedAgentName)
	}
	i := slices.IndexFunc(rp.rec.Task.Containers, func(ct types.Container) bool { return ct.Name == ch.ContainerName })
	if i < 0 {
		return errReportedContainer(ch.ContainerName)
	}
	if !slices.Contains(containerPhases, ch.Status) {
		return errReportedStatus(ch.Status, containerPhases)
	}
	ct := &rp.rec.Task.Containers[i]
	j := slices.IndexFunc(ct.ManagedAgents, func(m types.ManagedAgent) bool { return m.Name == ch.ManagedAgentName })
	if j < 0 {
		ct.ManagedAgents = append(ct.ManagedAgents, types.ManagedAgent{Name: ch.ManagedAgentName})
		j = len(ct.ManagedAgents) - 1
	}
	m := &ct.ManagedAgents[j]
	m.LastStatus = furthest(ch.Status, m.LastStatus)
	if ch.Reason != "" {
		m.Reason = ch.Reason
	}
	return nil
}

// status applies the task's reported status at now, as the task was
// (before) when the report came.
func (rp *reported) status(status, reason string, before types.Task, now time.Time) {
	switch status {
	case "RUNNING":
		if a := rp.agent(); a.RunningAt == nil {
			a.RunningAt = ptr(now)
		}
	case "STOPPED":
		if a := rp.agent(); a.StoppedAt == nil {
			a.StoppedAt = ptr(now)
		}
		rp.exited(before, reason, now)
	}
}

// times keeps the times the agent gives: of the image pull and of the
// containers' end.
func (rp *reported) times(in *types.SubmitTaskStateChangeRequest) {
	if in.PullStartedAt == nil && in.PullStoppedAt == nil && in.ExecutionStoppedAt == nil {
		return
	}
	a := rp.agent()
	a.PullStartedAt = cmp.Or(in.PullStartedAt, a.PullStartedAt)
	a.PullStoppedAt = cmp.Or(in.PullStoppedAt, a.PullStoppedAt)
	a.ExecutionStoppedAt = cmp.Or(in.ExecutionStoppedAt, a.ExecutionStoppedAt)
}

// report loads the task the agent reports on, has apply change it (the
// task as it was before the report given), and stores it.
func (s *Service) report(ctx context.Context, c Call, cluster, task string, apply func(rp *reported, before types.Task, now time.Time) error) error {
	now, tm := s.now(), s.phases()
	return s.update(ctx, c, func(tx store.Tx) error {
		rp, err := reportedTask(tx, c, cluster, task, now, tm)
		if err != nil {
			return err
		}
		if err := apply(rp, rp.rec.view(now, tm), now); err != nil {
			return err
		}
		return putJSON(tx, bucketTasks, rp.key, &rp.rec)
	})
}

// SubmitTaskStateChange takes the agent's report of a task: its status
// (RUNNING, STOPPED), its containers', its attachments' and its managed
// agents', and the times of its image pull and of its containers' end.
func (s *Service) SubmitTaskStateChange(ctx context.Context, c Call, in *types.SubmitTaskStateChangeRequest) (*types.SubmitTaskStateChangeResponse, error) {
	if in.Status != "" && !slices.Contains(taskReports, in.Status) {
		return nil, errReportedStatus(in.Status, taskReports)
	}
	err := s.report(ctx, c, in.Cluster, in.Task, func(rp *reported, before types.Task, now time.Time) error {
		// The task's own status first: its STOPPED's reason is the
		// task's, not that of a container stopped with it.
		rp.status(in.Status, in.Reason, before, now)
		for _, ch := range in.Containers {
			if err := rp.container(ch, before, now); err != nil {
				return err
			}
		}
		for _, ch := range in.Attachments {
			if err := rp.attachment(c, ch, now); err != nil {
				return err
			}
		}
		for _, ch := range in.ManagedAgents {
			if err := rp.managedAgent(ch); err != nil {
				return err
			}
		}
		rp.times(in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.SubmitTaskStateChangeResponse{Acknowledgment: acknowledged}, nil
}

// SubmitContainerStateChange takes the agent's report of one container of
// a task.
func (s *Service) SubmitContainerStateChange(ctx context.Context, c Call, in *types.SubmitContainerStateChangeRequest) (*types.SubmitContainerStateChangeResponse, error) {
	err := s.report(ctx, c, in.Cluster, in.Task, func(rp *reported, before types.Task, now time.Time) error {
		return rp.container(types.ContainerStateChange{ContainerName: in.ContainerName, RuntimeId: in.RuntimeId, Status: in.Status,
			ExitCode: in.ExitCode, Reason: in.Reason, NetworkBindings: in.NetworkBindings}, before, now)
	})
	if err != nil {
		return nil, err
	}
	return &types.SubmitContainerStateChangeResponse{Acknowledgment: acknowledged}, nil
}

// SubmitAttachmentStateChanges takes the agent's report of network
// interfaces of the cluster's tasks (arn:aws:ecs:REGION:ACCOUNT:attachment/ID,
// the ARN ECS gave the agent for each).
func (s *Service) SubmitAttachmentStateChanges(ctx context.Context, c Call, in *types.SubmitAttachmentStateChangesRequest) (*types.SubmitAttachmentStateChangesResponse, error) {
	for _, ch := range in.Attachments {
		if !slices.Contains(attachmentReports, ch.Status) {
			return nil, errReportedStatus(ch.Status, attachmentReports)
		}
	}
	now, tm := s.now(), s.phases()
	err := s.update(ctx, c, func(tx store.Tx) error {
		cl, err := activeCluster(tx, c, in.Cluster, false)
		if err != nil {
			return err
		}
		name := cl.Cluster.ClusterName
		for _, ch := range in.Attachments {
			owner := ""
			if err := scanJSON(tx, bucketTasks, clusterKey(c, name)+"/", func(_ string, tr *taskRecord) bool {
				if tr.visible(now, tm) && hasAttachment(c, tr, ch.AttachmentArn) {
					owner = tr.Task.TaskArn
				}
				return owner == ""
			}); err != nil {
				return err
			}
			if owner == "" {
				return errReportedAttachment(ch.AttachmentArn)
			}
			rp, err := reportedTask(tx, c, name, owner, now, tm)
			if err != nil {
				return err
			}
			if err := rp.attachment(c, ch, now); err != nil {
				return err
			}
			if err := putJSON(tx, bucketTasks, rp.key, &rp.rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.SubmitAttachmentStateChangesResponse{Acknowledgment: acknowledged}, nil
}

// The agent calls' failures AWS's documentation gives no text for:
// rolecall's wording.

func errNoAgentReports(task string) error {
	return clientException("Task %s does not run on a container instance: only the container agent of the instance a task runs on reports its state.", task)
}

func errReportedContainer(name string) error {
	return invalidParameter("The task has no container named %s.", name)
}

func errReportedManagedAgent(name string) error {
	return invalidParameter("The task runs no managed agent %s: it was not started with enableExecuteCommand.", name)
}

func errReportedAttachment(arn string) error {
	return invalidParameter("The attachment %s is not one of the cluster's tasks'.", arn)
}

func errReportedStatus(status string, valid []string) error {
	return invalidParameter("The status %s is not one the agent reports here (%s).", status, strings.Join(valid, ", "))
}
