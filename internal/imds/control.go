package imds

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/instances"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/resolve"
	"github.com/rolecall/rolecall/internal/server"
)

// rolecall's endpoint for instances, on its own port (`rolecall instance
// launch|env|list|terminate` call it):
//
//	POST   /_rolecall/ec2/instances?instanceProfile=NAME|ARN&region=R   launch (ec2:RunInstances, iam:PassRole)
//	GET    /_rolecall/ec2/instances?region=R                            list a Region's (ec2:DescribeInstances)
//	GET    /_rolecall/ec2/instances/ID                                  one, with its metadata endpoint (ssm:StartSession)
//	DELETE /_rolecall/ec2/instances/ID                                  terminate (ec2:TerminateInstances)
//
// Without region=R, the Region is rolecall's default (serve --region).
// Requests are signed (SigV4, service "rolecall", as for the decisions)
// and act in the signer's account only: another account's instances are
// not found, and its instance profiles cannot be launched with. Every
// action is the one authorizer's to decide, as AWS decides it; errors are
// EC2's codes and texts in rolecall's JSON error shape
// ({"__type": CODE, "message": TEXT}).
const (
	// ControlPrefix is where the endpoint is mounted.
	ControlPrefix = "/_rolecall/ec2/"
	instancesPath = ControlPrefix + "instances"
	// Service is the credential scope's service of its requests.
	Service = server.DecisionsService
	// SessionAction is what a principal needs on an instance to be given
	// its metadata endpoint, and so its role's credentials: on AWS,
	// running code on an instance is Session Manager's, ssm:StartSession.
	SessionAction = "ssm:StartSession"
)

// Control serves the endpoint.
type Control struct {
	Instances *instances.Service
	Metadata  *Server
	EC2       resolve.EC2
	IAM       resolve.IAM
	// Authorizer decides ec2:RunInstances, ec2:DescribeInstances,
	// ec2:TerminateInstances and ssm:StartSession (iam:PassRole is
	// decided inside the launch, through instances.Roles).
	Authorizer authz.Decider
	Auth       *auth.Authenticator
	IDs        ids.Generator
	Log        *slog.Logger
	// Region is where an instance is launched, and which Region's are
	// listed, when the request names none (rolecall serve --region);
	// default server.DefaultRegion.
	Region string
}

func (h *Control) region(r string) string {
	switch {
	case r != "":
		return r
	case h.Region != "":
		return h.Region
	}
	return server.DefaultRegion
}

// InstanceView is an instance as the endpoint answers it.
type InstanceView struct {
	InstanceId, State, Region, AvailabilityZone string
	// PreviousState is the state a terminated instance was in.
	PreviousState                         string `json:",omitempty"`
	InstanceProfileArn, InstanceProfileId string
	// RoleArn is the role in the instance profile now: "" when it holds
	// none, or when the profile is gone.
	RoleArn    string `json:",omitempty"`
	LaunchTime time.Time
	LaunchedBy string
	// Tags are the instance's tags; Operator the service that manages it
	// (ecs.amazonaws.com for ECS Managed Instances), "" for none.
	Tags     map[string]string `json:",omitempty"`
	Operator string            `json:",omitempty"`
	// MetadataEndpoint is the instance's metadata service while it runs
	// (AWS_EC2_METADATA_SERVICE_ENDPOINT).
	MetadataEndpoint string `json:",omitempty"`
}

// InstanceList is the list's answer.
type InstanceList struct{ Instances []InstanceView }

func (h *Control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := h.IDs.UUID()
	rest, ok := strings.CutPrefix(r.URL.Path, instancesPath)
	if !ok || (rest != "" && (rest[0] != '/' || strings.Contains(rest[1:], "/"))) {
		writeJSON(w, http.StatusNotFound, requestID, map[string]any{"error": "no such rolecall endpoint: " + r.URL.Path})
		return
	}
	id := strings.TrimPrefix(rest, "/")
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 64<<10))
	if err != nil {
		h.fail(w, requestID, awserr.New(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than 64 KiB"))
		return
	}
	p, aerr := h.Auth.Authenticate(r.Context(), r, body, Service)
	if aerr != nil {
		h.fail(w, requestID, auth.JSONError(aerr))
		return
	}
	meta := authz.MetaOf(r, requestID)
	ctx := authz.WithMeta(r.Context(), meta)
	var out any
	switch {
	case rest == "" && r.Method == http.MethodPost:
		out, err = h.launch(ctx, p, r.URL.Query().Get("instanceProfile"), h.region(r.URL.Query().Get("region")))
	case rest == "" && r.Method == http.MethodGet:
		out, err = h.list(ctx, p, h.region(r.URL.Query().Get("region")))
	case id != "" && r.Method == http.MethodGet:
		out, err = h.get(ctx, p, id)
	case id != "" && r.Method == http.MethodDelete:
		out, err = h.terminate(ctx, p, id)
	default:
		err = awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "use POST or GET %s, or GET or DELETE %s/INSTANCE_ID", instancesPath, instancesPath)
	}
	for _, msg := range meta.WouldDeny() {
		w.Header().Add("X-Rolecall-Would-Deny", msg)
	}
	if err != nil {
		h.fail(w, requestID, err)
		return
	}
	writeJSON(w, http.StatusOK, requestID, out)
}

func (h *Control) fail(w http.ResponseWriter, requestID string, err error) {
	e := awserr.As(err)
	if e.Status >= 500 {
		h.Log.Error("instances endpoint", "request_id", requestID, "error", err)
	}
	jsonrpc.WriteError(w, e, requestID)
}

func writeJSON(w http.ResponseWriter, status int, requestID string, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decide asks the one authorizer whether p may perform action on t.
func (h *Control) decide(ctx context.Context, p *principal.Principal, action, region string, t authz.Target) error {
	_, err := h.Authorizer.Decide(ctx, &authz.Request{Principal: p, Action: action, Region: region, Access: authz.Acting(t)})
	return err
}

// launch is RunInstances with an instance profile: ec2:RunInstances on
// instance/* (with the profile as ec2:InstanceProfile), then the
// profile's checks and iam:PassRole, as EC2's RunInstances
// (internal/api/ec2api) does them (Server.Launch).
func (h *Control) launch(ctx context.Context, p *principal.Principal, profile, region string) (*InstanceView, error) {
	if profile == "" {
		// rolecall's wording, after EC2's MissingParameter.
		return nil, awserr.New(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter instanceProfile: rolecall's instances exist for the role their instance profile gives them")
	}
	if !auth.ValidRegion(region) {
		// rolecall's wording.
		return nil, awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Invalid region %q: name an AWS Region, such as us-east-1", region)
	}
	_, prof, err := h.IAM.InstanceProfileRef(ctx, p.Account, profile)
	if err != nil {
		return nil, err
	}
	profileArn := ""
	if prof != nil {
		profileArn = prof.Arn
	}
	if err := h.decide(ctx, p, "ec2:RunInstances", region, resolve.NewInstance(p.Account, region, profileArn)); err != nil {
		return nil, instances.AsUnauthorized(err)
	}
	res, err := h.Metadata.Launch(ctx, instances.Call{Account: p.Account, Region: region, Principal: p},
		instances.RunInput{InstanceProfile: profile, MinCount: 1, MaxCount: 1})
	if err != nil {
		return nil, err
	}
	inst := &res.Instances[0]
	v := h.view(ctx, inst)
	// Its metadata endpoint (its role's credentials) only for a launcher
	// who may also start a session on it, as get answers.
	if t, _, err := h.EC2.Instance(ctx, p.Account, inst.InstanceId); err == nil && h.decide(ctx, p, SessionAction, inst.Region, t) == nil {
		v.MetadataEndpoint = Endpoint(inst.MetadataPort)
	}
	return v, nil
}

// list is the caller's account's instances in a Region
// (ec2:DescribeInstances, which has no resource, decided in that Region),
// without their metadata endpoints: describing an instance gives no way to
// its role's credentials.
func (h *Control) list(ctx context.Context, p *principal.Principal, region string) (*InstanceList, error) {
	if err := h.decide(ctx, p, "ec2:DescribeInstances", region, resolve.Unnamed()); err != nil {
		return nil, instances.AsUnauthorized(err)
	}
	list, err := h.Instances.List(ctx, p.Account)
	if err != nil {
		return nil, err
	}
	out := &InstanceList{Instances: []InstanceView{}}
	for i := range list {
		if list[i].Region == region {
			out.Instances = append(out.Instances, *h.view(ctx, &list[i]))
		}
	}
	return out, nil
}

// get is one instance with its metadata endpoint, which gives its role's
// credentials: only to a principal that may start a session on the
// instance (ssm:StartSession), as on AWS only who can run code on an
// instance can read its metadata.
func (h *Control) get(ctx context.Context, p *principal.Principal, id string) (*InstanceView, error) {
	t, inst, err := h.EC2.Instance(ctx, p.Account, id)
	if err != nil {
		return nil, err
	}
	if err := h.decide(ctx, p, SessionAction, inst.Region, t); err != nil {
		return nil, asSSMDenied(err)
	}
	if inst.State != instances.StateRunning {
		// EC2's code and first sentence; the rest is rolecall's.
		return nil, awserr.New(http.StatusBadRequest, "IncorrectInstanceState",
			"The instance '%s' is not in a valid state for this operation. It is %s: only a running instance has instance metadata.", id, inst.State)
	}
	v := h.view(ctx, inst)
	v.MetadataEndpoint = Endpoint(inst.MetadataPort)
	return v, nil
}

// terminate is TerminateInstances (ec2:TerminateInstances on the
// instance); its metadata service stops at once.
func (h *Control) terminate(ctx context.Context, p *principal.Principal, id string) (*InstanceView, error) {
	t, inst, err := h.EC2.Instance(ctx, p.Account, id)
	if err != nil {
		return nil, err
	}
	if err := h.decide(ctx, p, "ec2:TerminateInstances", inst.Region, t); err != nil {
		return nil, instances.AsUnauthorized(err)
	}
	changes, err := h.Metadata.Terminate(ctx, instances.Call{Account: p.Account, Region: inst.Region, Principal: p}, []string{id}, false)
	if err != nil {
		return nil, err
	}
	v := h.view(ctx, &changes[0].Instance)
	v.PreviousState = changes[0].Previous
	return v, nil
}

// view is inst as answered, with its profile's role now, without its
// metadata endpoint (given only to who may start a session on it).
func (h *Control) view(ctx context.Context, inst *instances.Instance) *InstanceView {
	v := &InstanceView{InstanceId: inst.InstanceId, State: inst.State, Region: inst.Region, AvailabilityZone: inst.AvailabilityZone,
		InstanceProfileArn: inst.InstanceProfileArn, InstanceProfileId: inst.InstanceProfileId, LaunchTime: inst.LaunchTime, LaunchedBy: inst.LaunchedBy,
		Tags: inst.Tags, Operator: inst.Operator}
	if inst.InstanceProfileArn == "" {
		return v // launched without one (EC2's RunInstances), or taken away
	}
	if _, prof, err := h.IAM.InstanceProfileRef(ctx, inst.Account, inst.InstanceProfileArn); err == nil && prof != nil &&
		prof.InstanceProfileId == inst.InstanceProfileId && len(prof.Roles) > 0 {
		v.RoleArn = prof.Roles[0].Arn
	}
	return v
}

// asSSMDenied is an AccessDenied as Systems Manager answers it (JSON
// protocol): AccessDeniedException, status 400, the same text.
func asSSMDenied(err error) error {
	var e *awserr.Error
	if !errors.As(err, &e) || e.Code != "AccessDenied" {
		return err
	}
	return awserr.New(http.StatusBadRequest, "AccessDeniedException", "%s", e.Message)
}
