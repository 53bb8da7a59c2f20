// Package agent serves what the ECS container agent serves a task: its
// role credentials, at the endpoint the SDKs' container credentials
// provider reads, so that a local program acts as a running task's role.
// It is mounted on rolecall's port under /_rolecall/ecs/ (internal/app).
package agent

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/resolve"
)

// A running task's role credentials, served as the ECS agent serves them,
// so that a local program run with
//
//	AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:4566/_rolecall/ecs/credentials/TASK_ID
//	AWS_CONTAINER_AUTHORIZATION_TOKEN=TOKEN
//
// acts as the task role (the SDKs' container credentials provider sends the
// token as the Authorization header, and accept http only from loopback
// hosts). `rolecall task env TASK_ARN` prints those exports, read from
// GET /_rolecall/ecs/task-env.
const (
	// Prefix is where the agent's endpoints are mounted.
	Prefix            = "/_rolecall/ecs/"
	credentialsPrefix = Prefix + "credentials/"
	taskEnvPath       = Prefix + "task-env"
)

// Handler serves the agent's endpoints.
type Handler struct {
	ECS *ecs.Service
	// Tasks resolves the task asked about, for Authorizer.
	Tasks      resolve.ECS
	Authorizer authz.Decider
	Auth       *auth.Authenticator
	IDs        ids.Generator
	Log        *slog.Logger
}

// ExecAction is what a principal needs on a task to be given its role's
// credentials, besides iam:PassRole on the role: on AWS, running code in a
// running task with its credentials is ECS Exec's, ecs:ExecuteCommand.
const ExecAction = "ecs:ExecuteCommand"

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, credentialsPrefix):
		h.serveTaskCredentials(w, r)
	case r.URL.Path == taskEnvPath:
		h.serveTaskEnv(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "no such rolecall endpoint: " + r.URL.Path})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// containerCredentials is the agent's answer, the shape the SDKs' container
// credentials providers parse (the ECS developer guide's task IAM role
// page shows it: AccessKeyId, Expiration, RoleArn, SecretAccessKey, Token).
type containerCredentials struct {
	AccessKeyId     string
	Expiration      string // RFC 3339, UTC
	RoleArn         string
	SecretAccessKey string
	Token           string
}

// agentError is the agent's error body: the SDKs read code and message.
type agentError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// serveTaskCredentials answers GET /_rolecall/ecs/credentials/ID with the
// Authorization header holding the task's token. It needs no signature:
// the token is the credential, as the agent's endpoint trusts whoever can
// reach it.
func (h *Handler) serveTaskCredentials(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, agentError{"MethodNotAllowed", "TaskCredentialsRequest: use GET"})
		return
	}
	token := r.Header.Get("Authorization")
	if token == "" {
		// rolecall's wording: the agent's own endpoint takes no token.
		writeJSON(w, http.StatusUnauthorized, agentError{"NoAuthorizationToken",
			"TaskCredentialsRequest: No authorization token in the request: send AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header"})
		return
	}
	id := strings.TrimPrefix(r.URL.Path, credentialsPrefix)
	creds, err := h.ECS.TaskRoleCredentials(r.Context(), id, token)
	if err != nil {
		e := awserr.As(err)
		if e.Status >= 500 && e.Status != http.StatusServiceUnavailable {
			h.Log.Error("serving task credentials", "task", id, "error", err)
		}
		writeJSON(w, e.Status, agentError{e.Code, e.Message})
		return
	}
	writeJSON(w, http.StatusOK, containerCredentials{
		AccessKeyId:     creds.AccessKeyID,
		Expiration:      creds.Expiration.UTC().Format(time.RFC3339),
		RoleArn:         creds.RoleArn,
		SecretAccessKey: creds.SecretAccessKey,
		Token:           creds.SessionToken,
	})
}

// TaskEnv is GET /_rolecall/ecs/task-env's answer: where a task's
// containers get their role credentials.
type TaskEnv struct {
	TaskArn, RoleArn, Region string
	// CredentialsPath is the path of AWS_CONTAINER_CREDENTIALS_FULL_URI on
	// rolecall's endpoint.
	CredentialsPath string
	// AuthorizationToken is AWS_CONTAINER_AUTHORIZATION_TOKEN.
	AuthorizationToken string
}

// serveTaskEnv answers GET /_rolecall/ecs/task-env?task=TASK_ARN for a
// caller that signs the request (SigV4, service ecs, the task's Region) as
// a principal of the task's account who may perform ecs:ExecuteCommand
// on the task (ExecAction) and pass its task role to
// ecs-tasks.amazonaws.com (ecs.Service.TaskCredentialsEndpoint). Errors
// are ECS's JSON errors.
func (h *Handler) serveTaskEnv(w http.ResponseWriter, r *http.Request) {
	requestID := h.IDs.UUID()
	if r.Method != http.MethodGet {
		jsonrpc.WriteError(w, awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET %s?task=TASK_ARN", taskEnvPath), requestID)
		return
	}
	p, aerr := h.Auth.Authenticate(r.Context(), r, nil, "ecs")
	if aerr != nil {
		jsonrpc.WriteError(w, auth.JSONError(aerr), requestID)
		return
	}
	taskArn := r.URL.Query().Get("task")
	a, err := arn.Parse(taskArn)
	if err != nil || a.Service != "ecs" || a.Region == "" {
		jsonrpc.WriteError(w, awserr.New(http.StatusBadRequest, "InvalidParameterException", "The referenced task was not found."), requestID)
		return
	}
	c := ecs.Call{Account: p.Account, Region: a.Region, Principal: p}
	ctx := authz.WithMeta(r.Context(), authz.MetaOf(r, requestID))
	cluster, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "task/"), "/")
	t, err := h.Tasks.InCluster(ctx, c, "task", cluster, taskArn)
	if err == nil {
		req := &authz.Request{Principal: p, Action: ExecAction, Region: c.Region, Access: authz.Acting(t)}
		req.Keys.Set("ecs:cluster", resolve.ClusterARN(c, cluster))
		_, err = h.Authorizer.Decide(ctx, req)
	}
	var ep *ecs.TaskEndpoint
	if err == nil {
		ep, err = h.ECS.TaskCredentialsEndpoint(ctx, c, taskArn)
	}
	if err != nil {
		e := awserr.As(err)
		if e.Status >= 500 {
			h.Log.Error("task env", "request_id", requestID, "error", err)
		}
		jsonrpc.WriteError(w, e, requestID)
		return
	}
	writeJSON(w, http.StatusOK, TaskEnv{TaskArn: ep.TaskArn, RoleArn: ep.RoleArn, Region: ep.Region,
		CredentialsPath: credentialsPrefix + ep.ID, AuthorizationToken: ep.Token})
}
