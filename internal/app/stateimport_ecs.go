package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/protocol/jsonrpc"
	"github.com/rolecall/rolecall/internal/resolve"
)

// The members of a Region's ECS state that came after the format's first
// release (task sets, daemon task definitions, daemons, account
// settings), imported through ECS's operations as the others are.

// clusterOf reads the cluster a resource's clusterArn names, checked
// against the account and Region it is filed under.
func clusterOf(c ecs.Call, kind, name string, obj map[string]json.RawMessage) (string, error) {
	clusterArn := str(obj["clusterArn"])
	cluster := clusterArn[strings.LastIndexByte(clusterArn, '/')+1:]
	if cluster == "" {
		return "", failed(kind, name, errors.New("no clusterArn"))
	}
	return cluster, sameARN(kind, name, clusterArn, resolve.ARN(c, "cluster/"+cluster))
}

// serviceOf reads the cluster and service a task set's ARNs name, checked
// against the account and Region it is filed under.
func serviceOf(c ecs.Call, kind, name string, obj map[string]json.RawMessage) (cluster, service string, err error) {
	if cluster, err = clusterOf(c, kind, name, obj); err != nil {
		return "", "", err
	}
	serviceArn := str(obj["serviceArn"])
	service = serviceArn[strings.LastIndexByte(serviceArn, '/')+1:]
	if service == "" {
		return "", "", failed(kind, name, errors.New("no serviceArn"))
	}
	return cluster, service, sameARN(kind, name, serviceArn, resolve.ARN(c, "service/"+cluster+"/"+service))
}

// taskSetUUID is the UUID from which ECS makes the task set ID id
// (ecs-svc/ and 19 digits: the UUID's number's last 19 decimal digits),
// so that CreateTaskSet gives the task set its ID again.
func taskSetUUID(id string) (string, bool) {
	digits, ok := strings.CutPrefix(id, "ecs-svc/")
	n, isNum := new(big.Int).SetString(digits, 10)
	if !ok || !isNum || len(digits) != 19 {
		return "", false
	}
	h := fmt.Sprintf("%032x", n)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

// primaryTaskSets are the file's PRIMARY task sets, by their service's
// ARN: a CODE_DEPLOY service's is the one CreateService makes.
func primaryTaskSets(list []json.RawMessage) map[string]string {
	out := map[string]string{}
	for _, raw := range list {
		var ts struct{ ID, ServiceArn, Status string }
		if json.Unmarshal(raw, &ts) == nil && ts.Status == "PRIMARY" {
			out[ts.ServiceArn] = ts.ID
		}
	}
	return out
}

// taskSet makes a task set of a service of the file (CreateTaskSet) with
// its ID, creation time, scale and tags, and makes it the service's
// PRIMARY when it was; a CODE_DEPLOY service's PRIMARY is the one its
// CreateService made (with the file's ID: service).
func (im *importer) taskSet(codec *jsonrpc.Codec, c ecs.Call, raw json.RawMessage) error {
	obj, id, err := object("task set", "id", raw)
	if err != nil {
		return err
	}
	cluster, service, err := serviceOf(c, "task set", id, obj)
	if err != nil {
		return err
	}
	want, ok := ecs.TaskSetARN(c, cluster, service, id)
	uuid, made := taskSetUUID(id)
	if !ok || !made {
		return failed("task set", id, errors.New("is no task set ID ECS gives (ecs-svc/ and 19 digits)"))
	}
	if err := sameARN("task set", id, str(obj["taskSetArn"]), want); err != nil {
		return err
	}
	status := str(obj["status"])
	if status != "PRIMARY" && status != "ACTIVE" {
		return failed("task set", id, fmt.Errorf("status %q: only PRIMARY and ACTIVE task sets are imported", status))
	}
	created, err := jsonTime(obj["createdAt"])
	if err != nil {
		return failed("task set", id, fmt.Errorf("createdAt: %w", err))
	}
	// The task set shows its service and cluster by ARN; CreateTaskSet
	// takes them by name.
	obj["cluster"], _ = json.Marshal(cluster)
	obj["service"], _ = json.Marshal(service)
	var req types.CreateTaskSetRequest
	if err := request(codec, obj, "TaskSet", "CreateTaskSet", &req, "cluster", "service"); err != nil {
		return failed("task set", id, err)
	}
	svc, err := im.ecs.DescribeServices(im.ctx, c, &types.DescribeServicesRequest{Cluster: cluster, Services: []string{service}})
	if err != nil {
		return failed("task set", id, err)
	}
	if len(svc.Services) == 0 {
		return failed("task set", id, fmt.Errorf("its service %s is not in the file", service))
	}
	for _, ts := range svc.Services[0].TaskSets {
		if ts.Id == id {
			return nil // the CODE_DEPLOY service's own
		}
	}
	im.sc.at("", created)
	im.sc.uuids = []string{uuid}
	out, err := im.ecs.CreateTaskSet(im.ctx, c, &req)
	if err != nil {
		return failed("task set", id, err)
	}
	if out.TaskSet.Id != id {
		return failed("task set", id, fmt.Errorf("ECS made it as %s", out.TaskSet.Id))
	}
	if status != "PRIMARY" {
		return nil
	}
	updated, err := jsonTime(obj["updatedAt"])
	if err != nil {
		return failed("task set", id, fmt.Errorf("updatedAt: %w", err))
	}
	im.sc.at("", updated)
	if _, err := im.ecs.UpdateServicePrimaryTaskSet(im.ctx, c, &types.UpdateServicePrimaryTaskSetRequest{Cluster: cluster, Service: service, PrimaryTaskSet: id}); err != nil {
		return failed("task set", id, err)
	}
	return nil
}

// daemonTaskDefinitions registers the file's daemon task definition
// revisions, each as of its registration by whoever registered it, and
// answers those to delete once the daemons are made (a revision a daemon
// runs is DELETE_IN_PROGRESS, DELETED once none does).
func (im *importer) daemonTaskDefinitions(codec *jsonrpc.Codec, c ecs.Call, list []json.RawMessage) ([]*revision, error) {
	defs, err := readRevisions(codec, c, daemonTaskDefKind, list, func() any { return &types.RegisterDaemonTaskDefinitionRequest{} })
	if err != nil {
		return nil, err
	}
	var deleting []*revision
	for _, d := range defs {
		c.Principal = registeredBy(c.Account, d.registeredBy)
		im.sc.at("", d.registered)
		out, err := im.ecs.RegisterDaemonTaskDefinition(im.ctx, c, d.req.(*types.RegisterDaemonTaskDefinitionRequest))
		if err != nil {
			return nil, failed(daemonTaskDefKind.kind, d.arn, err)
		}
		if out.DaemonTaskDefinitionArn != d.arn {
			return nil, failed(daemonTaskDefKind.kind, d.arn, fmt.Errorf("ECS registered it as %s", out.DaemonTaskDefinitionArn))
		}
		if d.status != "ACTIVE" {
			deleting = append(deleting, d)
		}
	}
	return deleting, nil
}

// deleteDaemonTaskDefinitions deletes the revisions the file says were,
// once the daemons are made, and checks each then has the file's status.
func (im *importer) deleteDaemonTaskDefinitions(c ecs.Call, deleting []*revision) error {
	for _, d := range deleting {
		im.sc.at("", d.deleting)
		if _, err := im.ecs.DeleteDaemonTaskDefinition(im.ctx, c, &types.DeleteDaemonTaskDefinitionRequest{DaemonTaskDefinition: d.arn}); err != nil {
			return failed(daemonTaskDefKind.kind, d.arn, err)
		}
		out, err := im.ecs.DescribeDaemonTaskDefinition(im.ctx, c, &types.DescribeDaemonTaskDefinitionRequest{DaemonTaskDefinition: d.arn})
		if err != nil {
			return failed(daemonTaskDefKind.kind, d.arn, err)
		}
		if got := out.DaemonTaskDefinition.Status; got != d.status {
			return failed(daemonTaskDefKind.kind, d.arn, fmt.Errorf("status %s: deleted, it is %s (DELETE_IN_PROGRESS while a daemon of the file runs it, else DELETED)", d.status, got))
		}
	}
	return nil
}

// daemon makes a daemon (CreateDaemon) as of its creation: its daemon
// task definition and Managed Instances capacity providers must be in the
// file. Its deployments and revisions are what ran: CreateDaemon makes
// its first.
func (im *importer) daemon(codec *jsonrpc.Codec, c ecs.Call, raw json.RawMessage) error {
	obj, name, err := object("daemon", "daemonName", raw)
	if err != nil {
		return err
	}
	cluster, err := clusterOf(c, "daemon", name, obj)
	if err != nil {
		return err
	}
	if err := sameARN("daemon", name, str(obj["daemonArn"]), resolve.ARN(c, "daemon/"+cluster+"/"+name)); err != nil {
		return err
	}
	created, err := jsonTime(obj["createdAt"])
	if err != nil {
		return failed("daemon", name, fmt.Errorf("createdAt: %w", err))
	}
	var req types.CreateDaemonRequest
	if err := request(codec, obj, "CreateDaemonRequest", "CreateDaemon", &req, "daemonArn", "createdAt"); err != nil {
		return failed("daemon", name, err)
	}
	im.sc.at("", created)
	if _, err := im.ecs.CreateDaemon(im.ctx, c, &req); err != nil {
		return failed("daemon", name, err)
	}
	return nil
}

// accountSetting puts a setting as the account's root: the account's
// default (PutAccountSettingDefault) when it is the root's, else the
// principal's (PutAccountSetting).
func (im *importer) accountSetting(codec *jsonrpc.Codec, c ecs.Call, raw json.RawMessage) error {
	obj, name, err := object("account setting", "name", raw)
	if err != nil {
		return err
	}
	var req types.PutAccountSettingRequest
	if err := request(codec, obj, "Setting", "PutAccountSetting", &req, "type"); err != nil {
		return failed("account setting", name, err)
	}
	c.Principal = principal.RootUser(c.Account)
	if req.PrincipalArn == c.Principal.ARN {
		_, err = im.ecs.PutAccountSettingDefault(im.ctx, c, &types.PutAccountSettingDefaultRequest{Name: req.Name, Value: req.Value})
	} else {
		_, err = im.ecs.PutAccountSetting(im.ctx, c, &req)
	}
	if err != nil {
		return failed("account setting", name+" of "+req.PrincipalArn, err)
	}
	return nil
}
