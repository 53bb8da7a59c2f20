package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
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
	credentialsPrefix = "/_rolecall/ecs/credentials/"
	taskEnvPath       = "/_rolecall/ecs/task-env"
)

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
	creds, err := h.ecs.TaskRoleCredentials(r.Context(), id, token)
	if err != nil {
		e := awserr.As(err)
		if e.Status >= 500 && e.Status != http.StatusServiceUnavailable {
			h.log.Error("serving task credentials", "task", id, "error", err)
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
// a principal of the task's account who may pass the task role to
// ecs-tasks.amazonaws.com (iam:PassRole, authorized as for RunTask; the
// account's root may): whoever could launch a task with the role could
// run code with its credentials anyway. Errors are ECS's JSON errors.
func (h *Handler) serveTaskEnv(w http.ResponseWriter, r *http.Request) {
	requestID := h.ids.UUID()
	if r.Method != http.MethodGet {
		jsonrpc.WriteError(w, awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET %s?task=TASK_ARN", taskEnvPath), requestID)
		return
	}
	p, aerr := h.auth.Authenticate(r.Context(), r, nil, "ecs")
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
	ep, err := h.ecs.TaskCredentialsEndpoint(ctx, c, taskArn)
	if err == nil {
		err = h.authz.PassRoleFor(ctx, authz.PassRoleRequest{Principal: p, Account: c.Account, Region: c.Region,
			RoleArn: ep.RoleArn, PassedToService: ecs.PrincipalECSTasks, AssociatedResourceArn: ep.TaskArn})
	}
	if err != nil {
		e := awserr.As(err)
		if e.Code == "AccessDenied" {
			// ECS's shape of a denial (400 AccessDeniedException).
			e = awserr.New(http.StatusBadRequest, "AccessDeniedException", "%s", e.Message)
		}
		if e.Status >= 500 {
			h.log.Error("task env", "request_id", requestID, "error", err)
		}
		jsonrpc.WriteError(w, e, requestID)
		return
	}
	writeJSON(w, http.StatusOK, TaskEnv{TaskArn: ep.TaskArn, RoleArn: ep.RoleArn, Region: ep.Region,
		CredentialsPath: credentialsPrefix + ep.ID, AuthorizationToken: ep.Token})
}
