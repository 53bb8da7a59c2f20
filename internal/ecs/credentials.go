package ecs

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

// Task role credentials, served as the ECS agent serves them to a task's
// containers: the SDKs' container credentials provider reads
// AWS_CONTAINER_CREDENTIALS_FULL_URI with the AWS_CONTAINER_AUTHORIZATION_TOKEN
// header and gets the task role session's temporary credentials. ECS keeps
// the sessions its launch assumed (launchRoles) and renews them before
// they expire, as the agent's credentials are rotated while the task runs.

// bucketCredentials holds, per task ID, the role sessions a task launched
// with and the token that fetches them: "<task id>" -> credentialsRecord.
// Task IDs are 32 random hex digits, unique across accounts and Regions.
const bucketCredentials = "ecs-task-credentials"

// CredentialsRefresh is how long before they expire a task's role
// credentials are renewed: a fetch within this window gets a new session.
// rolecall's choice; the SDKs refresh container credentials once they are
// within minutes of expiring, so they always get a fresh set.
const CredentialsRefresh = 15 * time.Minute

// credentialsRecord is what ECS keeps for a task's role credentials.
type credentialsRecord struct {
	Account, Region, Cluster string
	TaskArn                  string
	// Token is the authorization token a container presents
	// (AWS_CONTAINER_AUTHORIZATION_TOKEN).
	Token string
	// TaskRoleArn's session is served; the execution role's is kept for
	// what the agent itself does (pulling images, writing logs).
	TaskRoleArn      string             `json:",omitempty"`
	Task             *principal.Session `json:",omitempty"`
	ExecutionRoleArn string             `json:",omitempty"`
	Execution        *principal.Session `json:",omitempty"`
}

// newCredentials is the record of a task launched with sessions; nil when
// it has none.
func (s *Service) newCredentials(c Call, cluster, taskArn, executionRole, taskRole string, sess taskSessions) *credentialsRecord {
	if sess.task == nil && sess.execution == nil {
		return nil
	}
	r := &credentialsRecord{Account: c.Account, Region: c.Region, Cluster: cluster, TaskArn: taskArn,
		Token: s.gen.Secret(48), Task: sess.task, Execution: sess.execution}
	if sess.task != nil {
		r.TaskRoleArn = roleARN(c, taskRole)
	}
	if sess.execution != nil {
		r.ExecutionRoleArn = roleARN(c, executionRole)
	}
	return r
}

// The agent's answers about credentials (aws/amazon-ecs-agent, tmds
// handlers: 400 InvalidIdInRequest "…: Credentials not found", 400
// NoIdInRequest, 503 CredentialsUninitialized), with rolecall's endpoint
// name in place of the agent's "CredentialsV2Request".
func errNoCredentialsID() error {
	return awserr.New(http.StatusBadRequest, "NoIdInRequest", "TaskCredentialsRequest: No Credential ID in the request")
}

func errCredentialsNotFound() error {
	return awserr.New(http.StatusBadRequest, "InvalidIdInRequest", "TaskCredentialsRequest: Credentials not found")
}

// errCredentialsUnavailable: the session expired and could not be renewed
// (the role no longer trusts ecs-tasks.amazonaws.com, or is gone).
func errCredentialsUnavailable(reason string) error {
	return awserr.New(http.StatusServiceUnavailable, "CredentialsUninitialized", "TaskCredentialsRequest: Credentials could not be renewed: %s", reason)
}

// TaskCredentials are a task role session's credentials as the agent
// serves them.
type TaskCredentials struct {
	TaskArn, RoleArn                           string
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
}

// TaskRoleCredentials answers a container's request for its task role's
// credentials: id is the credentials ID (the task ID) and token the
// authorization token. A task that has stopped, that has no task role, or
// a token that is not the task's, get the agent's "Credentials not found".
// Credentials within CredentialsRefresh of expiring are renewed first
// (ecs-tasks.amazonaws.com assumes the role again); if that fails, the old
// ones are served while they last.
func (s *Service) TaskRoleCredentials(ctx context.Context, id, token string) (*TaskCredentials, error) {
	if id == "" {
		return nil, errNoCredentialsID()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rec, active, err := s.loadCredentials(id)
	if err != nil {
		return nil, err
	}
	if rec == nil || rec.Task == nil || subtle.ConstantTimeCompare([]byte(rec.Token), []byte(token)) != 1 || !active {
		return nil, errCredentialsNotFound()
	}
	now := s.clock.Now()
	sess := rec.Task
	if !now.Before(sess.Expiration.Add(-CredentialsRefresh)) {
		c := Call{Account: rec.Account, Region: rec.Region}
		fresh, err := s.roles.AssumeAsService(ctx, c, PrincipalECSTasks, rec.TaskRoleArn, taskIDOf(rec.TaskArn), rec.TaskArn)
		switch {
		case err == nil:
			if sess, err = s.renewCredentials(id, sess.AccessKeyID, fresh); err != nil {
				return nil, err
			}
		case !awserr.IsClient(err):
			return nil, err
		case !now.Before(sess.Expiration):
			return nil, errCredentialsUnavailable(awserr.As(err).Message)
		}
	}
	return &TaskCredentials{TaskArn: rec.TaskArn, RoleArn: rec.TaskRoleArn, AccessKeyID: sess.AccessKeyID,
		SecretAccessKey: sess.SecretAccessKey, SessionToken: sess.SessionToken, Expiration: sess.Expiration}, nil
}

// loadCredentials reads a task's credentials record and whether the task
// is still active (not STOPPED).
func (s *Service) loadCredentials(id string) (rec *credentialsRecord, active bool, err error) {
	now, tm := s.now(), s.phases()
	err = s.st.View(func(tx store.Tx) error {
		rec, active = nil, false
		var r credentialsRecord
		found, err := getJSON(tx, bucketCredentials, id, &r)
		if err != nil || !found {
			return err
		}
		rec = &r
		var t taskRecord
		found, err = getJSON(tx, bucketTasks, r.Account+"/"+r.Region+"/"+r.Cluster+"/"+id, &t)
		if err != nil {
			return err
		}
		active = found && t.active(now, tm)
		return nil
	})
	return rec, active, err
}

// renewCredentials stores fresh as the task's session unless another fetch
// renewed it first (the stored key is no longer old), and returns the
// session now stored.
func (s *Service) renewCredentials(id, old string, fresh *principal.Session) (*principal.Session, error) {
	var out *principal.Session
	err := s.st.Update(func(tx store.Tx) error {
		var r credentialsRecord
		found, err := getJSON(tx, bucketCredentials, id, &r)
		if err != nil {
			return err
		}
		if !found {
			return errCredentialsNotFound()
		}
		if r.Task != nil && r.Task.AccessKeyID != old {
			out = r.Task
			return nil
		}
		r.Task, out = fresh, fresh
		return putJSON(tx, bucketCredentials, id, &r)
	})
	return out, err
}

// TaskEndpoint is where a task's containers fetch its role credentials:
// the credentials ID (the task ID, the last part of the path) and the
// authorization token, which together give the task role's credentials.
type TaskEndpoint struct {
	TaskArn, RoleArn, Region string
	ID, Token                string
}

// TaskCredentialsEndpoint answers where the containers of a task, given by
// its ARN (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID) in the Call's
// account and Region, get their task role's credentials. The task must be
// active and have a task role (both rolecall's wording: no ECS API says
// this), and the caller must be able to pass the task role to
// ecs-tasks.amazonaws.com (the token gives the role's credentials).
func (s *Service) TaskCredentialsEndpoint(ctx context.Context, c Call, taskArn string) (*TaskEndpoint, error) {
	rest, ok := resourceOf(c, taskArn, "task")
	cluster, id, long := strings.Cut(rest, "/")
	if !ok || !long || id == "" || strings.Contains(id, "/") {
		return nil, errTaskNotFound()
	}
	now, tm := s.now(), s.phases()
	var rec *credentialsRecord
	var t taskRecord
	err := s.view(ctx, c, func(tx store.Tx) error {
		rec = nil
		found, err := getJSON(tx, bucketTasks, taskKey(c, cluster, id), &t)
		if err != nil {
			return err
		}
		if !found || !t.visible(now, tm) {
			return errTaskNotFound()
		}
		var r credentialsRecord
		if found, err = getJSON(tx, bucketCredentials, id, &r); err != nil || !found {
			return err
		}
		rec = &r
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !t.active(now, tm) || t.FailedReason != "" {
		return nil, invalidParameter("The task %s is not running: its role credentials are served from launch until it stops.", taskArn)
	}
	if rec == nil || rec.Task == nil {
		return nil, invalidParameter("The task %s has no task role (taskRoleArn), so it has no role credentials.", taskArn)
	}
	// Whoever may launch a task with the role may run code with its
	// credentials anyway: the caller must be able to pass it, as for
	// RunTask.
	if err := s.roles.PassRole(ctx, c, rec.TaskRoleArn, PrincipalECSTasks, rec.TaskArn); err != nil {
		err, _ = asAccessDenied(err)
		return nil, err
	}
	return &TaskEndpoint{TaskArn: rec.TaskArn, RoleArn: rec.TaskRoleArn, Region: rec.Region, ID: id, Token: rec.Token}, nil
}
