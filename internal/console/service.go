package console

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/doctor"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
)

// A cluster's services and a service's page: its summary (status, task
// counts, task definition and its roles, launch type or capacity provider
// strategy, the role ECS acts with for it), its events (ECS's words for
// what it did, role failures included, each read by the doctor), its
// deployments and its tasks.

// serviceRow is a service as the cluster's Services tab and the service's
// page show it.
type serviceRow struct {
	types.Service
	Definition string // family:revision
	Rollout    string // the primary deployment's rolloutState
	Capacity   string // the launch type, or the capacity provider strategy
}

func newServiceRow(s types.Service) serviceRow {
	row := serviceRow{Service: s, Definition: lastSegment(s.TaskDefinition), Capacity: s.LaunchType}
	if len(s.Deployments) > 0 {
		row.Rollout = s.Deployments[0].RolloutState
	}
	if len(s.CapacityProviderStrategy) > 0 {
		row.Capacity = strategyText(s.CapacityProviderStrategy)
	}
	return row
}

// strategyText is a capacity provider strategy as the console lists it:
// "FARGATE (base 1, weight 1), FARGATE_SPOT (weight 4)".
func strategyText(items []types.CapacityProviderStrategyItem) string {
	var parts []string
	for _, it := range items {
		var w []string
		if it.Base != nil && *it.Base > 0 {
			w = append(w, "base "+strconv.Itoa(int(*it.Base)))
		}
		if it.Weight != nil {
			w = append(w, "weight "+strconv.Itoa(int(*it.Weight)))
		}
		p := it.CapacityProvider
		if len(w) > 0 {
			p += " (" + strings.Join(w, ", ") + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// services describes a cluster's services (ListServices, then
// DescribeServices ten at a time, the most it takes), by name.
func (q *req) services(region, cluster string) ([]serviceRow, *failure) {
	arns, f := q.ecsList(region, "ListServices", "ServiceArns", map[string]any{"cluster": cluster})
	if f != nil {
		return nil, f
	}
	svcs, _, f := q.describeServices(region, cluster, arns)
	rows := make([]serviceRow, 0, len(svcs))
	for _, s := range svcs {
		rows = append(rows, newServiceRow(s))
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ServiceName < rows[j].ServiceName })
	return rows, f
}

// describeServices describes services of a cluster, ten at a time, with
// DescribeServices' failures (MISSING).
func (q *req) describeServices(region, cluster string, names []string) ([]types.Service, []types.Failure, *failure) {
	var svcs []types.Service
	var missing []types.Failure
	f := inBatches(names, 10, func(batch []string) *failure {
		out, f := q.ecs(region, "DescribeServices", map[string]any{"cluster": cluster, "services": batch})
		if f == nil {
			ds := out.(*types.DescribeServicesResponse)
			svcs, missing = append(svcs, ds.Services...), append(missing, ds.Failures...)
		}
		return f
	})
	return svcs, missing, f
}

// The service page's tabs.
var serviceTabs = []tab{
	{"events", "Events"},
	{"deployments", "Deployments"},
	{"tasks", "Tasks"},
}

type serviceView struct {
	Cluster string // the cluster's name
	Service serviceRow
	// Role is the role ECS acts with for the service: the legacy service
	// role it names, or ECS's service-linked role.
	Role      roleLink
	RoleTitle string
	// TaskRole and ExecutionRole are those of its task definition.
	TaskRole, ExecutionRole roleLink
	DefinitionFailed        *failure // the task definition could not be read
	Tab                     string   // the current tab
	Tabs                    tabBar

	Events []eventRow
	Tasks  []taskRow
	Failed *failure
}

// eventRow is a service event, with what the doctor reads in it: a role
// failure's cause and fix (doctor explain), nil for other events.
type eventRow struct {
	types.ServiceEvent
	Explained *doctor.Match
}

// explain is the doctor's reading of an ECS message (a service event, a
// task's stopped reason), nil when it is no role error it knows.
func explain(text string) *doctor.Match {
	if text == "" {
		return nil
	}
	if ex := doctor.Explain(text); len(ex.Matches) > 0 {
		return &ex.Matches[0]
	}
	return nil
}

// servicePage shows one service of a cluster.
func (c *Console) servicePage(q *req) {
	cluster, name := q.r.PathValue("cluster"), q.r.PathValue("service")
	v := q.regionalView(name)
	svc, ok := q.serviceOrNotFound(v, "service", cluster, name)
	if !ok {
		return
	}
	sv := &serviceView{Cluster: cluster, Service: newServiceRow(*svc), Tabs: q.tabBar("Service details", servicePath(cluster, name, v.Region), serviceTabs)}
	sv.Tab = sv.Tabs.Current
	v.Page = sv
	sv.Role, sv.RoleTitle = q.serviceRole(svc)
	if out, f := q.ecs(v.Region, "DescribeTaskDefinition", map[string]any{"taskDefinition": svc.TaskDefinition}); f == nil {
		td := out.(*types.DescribeTaskDefinitionResponse).TaskDefinition
		sv.TaskRole, sv.ExecutionRole = q.roleLink(td.TaskRoleArn), q.roleLink(td.ExecutionRoleArn)
	} else {
		sv.DefinitionFailed = f
	}
	switch sv.Tab {
	case "events":
		for _, e := range svc.Events {
			sv.Events = append(sv.Events, eventRow{ServiceEvent: e, Explained: explain(e.Message)})
		}
	case "tasks":
		sv.Tasks, sv.Failed = q.clusterTasks(v.Region, svc.ClusterArn, map[string]any{"serviceName": svc.ServiceName})
	}
	q.page("service", v, nil)
}

// serviceOrNotFound describes the service name of cluster in the page's
// Region; when it cannot, it renders page with why and answers false.
func (q *req) serviceOrNotFound(v *view, page, cluster, name string) (*types.Service, bool) {
	svcs, missing, f := q.describeServices(v.Region, cluster, []string{name})
	if f != nil {
		q.page(page, v, f)
		return nil, false
	}
	if len(svcs) == 0 {
		reason := "MISSING"
		if len(missing) > 0 {
			reason = missing[0].Reason
		}
		v.Error = "Service " + name + " not found in cluster " + cluster + " in " + v.Region + " (" + reason + ")."
		q.c.render(q.w, http.StatusNotFound, page, v)
		return nil, false
	}
	return &svcs[0], true
}

// serviceRole is the role ECS acts with for a service, and its title: the
// legacy service role the service names (roleArn), or else ECS's
// service-linked role, which DescribeServices does not name.
func (q *req) serviceRole(svc *types.Service) (roleLink, string) {
	if svc.RoleArn != "" {
		return q.roleLink(svc.RoleArn), ecsroles.About[ecsroles.ServiceRole].Title
	}
	k := ecsroles.About[ecsroles.ECSLinked]
	ls := k.LinkedRole()
	return q.roleLink(arn.IAM(q.p.Account, "role", ls.Path(), ls.RoleName)), k.Title
}

func servicePath(cluster, name, region string) string {
	return Prefix + "ecs/clusters/" + url.PathEscape(cluster) + "/services/" + url.PathEscape(name) + "?region=" + url.QueryEscape(region)
}

// lastSegment is what follows the last '/' of an ARN (a task's ID, a
// task definition's family:revision).
func lastSegment(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }
