package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/ecsroles"
	"github.com/rolecall/rolecall/rolecalltest"
)

// lockedBuffer takes the audit log's lines from concurrent requests.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) take() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := bytes.Clone(l.b.Bytes())
	l.b.Reset()
	return out
}

// doctorReport is the part of `rolecall doctor --format json` compared.
type doctorReport struct {
	Roles []struct {
		Kind   string
		Name   string
		Status string
		Checks []struct {
			Area, Status, What string
		}
	}
}

// TestDoctorAgreesWithTheServer: each realistic setup is deployed, its
// services made to launch their tasks again, and every decision the server
// took with a role of the setup (ecs-tasks.amazonaws.com, ecs.amazonaws.com
// or ec2.amazonaws.com assuming it; a session of it calling a service) is
// one the doctor took for that role too, with the same outcome. The doctor
// and the server read one model of ECS's role use (internal/ecsroles);
// this is where that shows.
func TestDoctorAgreesWithTheServer(t *testing.T) {
	compared := 0
	// agentCalls are the agent's own calls the server decided, by
	// decision: the setups have the agent both allowed and refused them.
	agentCalls := map[string]int{}
	for _, s := range liveSetups {
		t.Run(s.name, func(t *testing.T) {
			audit := &lockedBuffer{}
			rc := rolecalltest.RunT(t, rolecalltest.WithAuditLog(audit))
			createSetup(t, rc, s.files)
			if s.after != nil {
				s.after(t, iam.NewFromConfig(rc.Config))
			}
			// What the server does with the roles now: an EC2 instance with
			// the setup's instance profile registers in each cluster with
			// its role's credentials, and each service launches its tasks
			// again (a new deployment).
			liveEnv(t, rc)
			audit.take()
			relaunch(t, rc, s.instanceProfile())
			decisions := audit.take()

			out, errs, code := runCLI(append(s.doctorArgs(), "--format", "json")...)
			if code > 1 {
				t.Fatalf("doctor: exit %d: %s", code, errs)
			}
			var rep doctorReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			n := agree(t, rep, decisions)
			t.Logf("%d decisions compared", n)
			compared += n
			for _, line := range bytes.Split(bytes.TrimSpace(decisions), []byte("\n")) {
				var rec authz.Record
				if json.Unmarshal(line, &rec) == nil && rec.PrincipalType == "assumed-role" && strings.HasPrefix(rec.Action, "ecs:Submit") {
					agentCalls[rec.Decision]++
				}
			}
		})
	}
	if compared < 100 {
		t.Errorf("only %d of the server's decisions were compared", compared)
	}
	if agentCalls["allowed"] == 0 || agentCalls["implicitDeny"] == 0 {
		t.Errorf("the agent's Submit* calls were decided %v: want some allowed and some refused", agentCalls)
	}
}

// instanceProfile is the instance profile the setup's container instances
// have, "" when it names none.
func (s liveSetup) instanceProfile() string {
	if s.profile != "" {
		return s.profile
	}
	for i, a := range s.args {
		if a == "--instance-profile" && i+1 < len(s.args) {
			return s.args[i+1]
		}
	}
	for _, f := range s.files {
		if strings.HasPrefix(f, "ec2/") || strings.HasPrefix(f, "legacy-elb/") {
			return ecsroles.About[ecsroles.ContainerInstance].Conventional
		}
	}
	return ""
}

// relaunch has the server use the setup's roles as they are: in each
// cluster, a container instance registers (with the role of an instance
// launched with profile, as the ECS agent does, when there is one; else,
// or when that role may not, as the account's root), every service is
// deployed again, launching its tasks, and the agent that registered
// reports the tasks placed on its instance (agentReports).
func relaunch(t *testing.T, rc *rolecalltest.Server, profile string) {
	t.Helper()
	ctx := context.Background()
	ec := ecs.NewFromConfig(rc.Config)
	agent := ec
	if profile != "" {
		out, errs, code := runCLI("instance", "launch", "--instance-profile", profile)
		if code != 0 {
			t.Fatalf("instance launch: exit %d: %s", code, errs)
		}
		endpoint := regexp.MustCompile(`AWS_EC2_METADATA_SERVICE_ENDPOINT=(\S+)`).FindStringSubmatch(out)
		if endpoint == nil {
			t.Fatalf("instance launch printed no metadata endpoint:\n%s", out)
		}
		creds := ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = imds.New(imds.Options{Endpoint: endpoint[1]}) })
		cfg := rc.Config.Copy()
		cfg.Credentials = aws.NewCredentialsCache(creds)
		agent = ecs.NewFromConfig(cfg)
	}
	clusters, err := ec.ListClusters(ctx, &ecs.ListClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clusters.ClusterArns {
		// A container instance, so that EC2 tasks have a place to run.
		ci, err := agent.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String(c)})
		reporter := agent
		if err != nil {
			reporter = nil
			if ci, err = ec.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String(c)}); err != nil {
				t.Fatal(err)
			}
		}
		svcs, err := ec.ListServices(ctx, &ecs.ListServicesInput{Cluster: aws.String(c)})
		if err != nil {
			t.Fatal(err)
		}
		for _, sv := range svcs.ServiceArns {
			if _, err := ec.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(c), Service: aws.String(sv), ForceNewDeployment: true}); err != nil {
				t.Fatal(err)
			}
		}
		if reporter != nil && reporter != ec {
			agentReports(t, ec, reporter, c, aws.ToString(ci.ContainerInstance.ContainerInstanceArn))
		}
	}
}

// agentReports has the ECS agent of container instance ciArn, with its
// instance role, make its own calls: it discovers its endpoints and
// reports the tasks placed on the instance, their containers and network
// interfaces, as the agent does. A refusal is a decision like any other
// (compared with the doctor's); any other error fails.
func agentReports(t *testing.T, ec, agent *ecs.Client, cluster, ciArn string) {
	t.Helper()
	ctx := context.Background()
	refused := func(_ any, err error) {
		t.Helper()
		var ae smithy.APIError
		if err != nil && (!errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException") {
			t.Fatal(err)
		}
	}
	refused(agent.DiscoverPollEndpoint(ctx, &ecs.DiscoverPollEndpointInput{Cluster: aws.String(cluster), ContainerInstance: aws.String(ciArn)}))
	list, err := ec.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(cluster), ContainerInstance: aws.String(ciArn)})
	if err != nil || len(list.TaskArns) == 0 {
		return
	}
	tasks, err := ec.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: list.TaskArns})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks.Tasks {
		for _, a := range task.Attachments {
			arn := "arn:aws:ecs:us-east-1:000000000000:attachment/" + aws.ToString(a.Id)
			refused(agent.SubmitAttachmentStateChanges(ctx, &ecs.SubmitAttachmentStateChangesInput{Cluster: aws.String(cluster),
				Attachments: []ecstypes.AttachmentStateChange{{AttachmentArn: aws.String(arn), Status: aws.String("ATTACHED")}}}))
		}
		for _, ct := range task.Containers {
			refused(agent.SubmitContainerStateChange(ctx, &ecs.SubmitContainerStateChangeInput{Cluster: aws.String(cluster), Task: task.TaskArn,
				ContainerName: ct.Name, Status: aws.String("RUNNING")}))
		}
		refused(agent.SubmitTaskStateChange(ctx, &ecs.SubmitTaskStateChangeInput{Cluster: aws.String(cluster), Task: task.TaskArn, Status: aws.String("RUNNING")}))
	}
}

// agree compares the server's decisions with the doctor's report and
// answers how many it compared.
func agree(t *testing.T, rep doctorReport, log []byte) int {
	t.Helper()
	type roleCase struct {
		linked bool
		trust  string              // the trust check's status, "" if none
		perms  map[string][]string // action -> "resource status"
	}
	roles := map[string]*roleCase{}
	for _, r := range rep.Roles {
		if r.Name == "" || r.Status == "not-needed" {
			continue
		}
		rc := roles[r.Name]
		if rc == nil {
			rc = &roleCase{perms: map[string][]string{}}
			roles[r.Name] = rc
		}
		rc.linked = ecsroles.About[ecsroles.Kind(r.Kind)].Linked
		for _, c := range r.Checks {
			switch c.Area {
			case "trust":
				rc.trust = c.Status
			case "permissions":
				action, resource, ok := strings.Cut(c.What, " on ")
				if ok {
					rc.perms[action] = append(rc.perms[action], resource+" "+c.Status)
				}
			}
		}
	}
	n := 0
	for _, line := range bytes.Split(bytes.TrimSpace(log), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec authz.Record
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("audit line %s: %v", line, err)
		}
		allowed := rec.Decision == "allowed"
		switch {
		case rec.PrincipalType == "service" && rec.Action == "sts:AssumeRole":
			name := path.Base(rec.Resources[0])
			rc := roles[name]
			if rc == nil {
				t.Errorf("%s assumed %s, a role the doctor does not list as needed", rec.Principal, name)
				continue
			}
			if rc.trust == "" {
				continue // the doctor does not check this role's trust (service-linked)
			}
			if (rc.trust == "ok") != allowed {
				t.Errorf("%s assuming %s: the server decided %s, the doctor's trust check is %s", rec.Principal, name, rec.Decision, rc.trust)
			}
			n++
		case rec.PrincipalType == "assumed-role":
			parts := strings.Split(rec.Principal, "/")
			name := parts[1]
			rc := roles[name]
			if rc == nil {
				t.Errorf("a session of %s called %s, and the doctor does not list the role as needed", name, rec.Action)
				continue
			}
			if rc.linked {
				continue // AWS maintains a service-linked role's permissions: the doctor does not check them
			}
			checks := rc.perms[rec.Action]
			if len(checks) == 0 {
				t.Errorf("%s was decided for %s (%s), which the doctor does not check", rec.Action, name, rec.Decision)
				continue
			}
			matched := false
			for _, c := range checks {
				resource, status, _ := strings.Cut(c, " ")
				if !resourceLike(resource, rec.Resources[0]) {
					continue
				}
				matched = true
				if (status == "ok") != allowed {
					t.Errorf("%s on %s for %s: the server decided %s, the doctor's check is %s", rec.Action, rec.Resources[0], name, rec.Decision, status)
				}
			}
			if !matched {
				t.Errorf("%s on %s for %s: no check of the doctor's names that resource (it checks %v)", rec.Action, rec.Resources[0], name, checks)
			}
			n++
		}
	}
	return n
}

// resourceLike: the doctor's resource, whose placeholders stand for what a
// launch fills in (a task or instance ID), names the server's.
func resourceLike(doctor, server string) bool {
	if doctor == server {
		return true
	}
	for _, ph := range []string{ecsroles.TaskID, ecsroles.InstanceID} {
		if before, after, ok := strings.Cut(doctor, ph); ok {
			return strings.HasPrefix(server, before) && strings.HasSuffix(server, after)
		}
	}
	return false
}
