package console

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/doctor"
	"github.com/rolecall/rolecall/internal/ecs/types"
)

// ECS: the Clusters list of a Region, a cluster's tasks with their stop
// code and stopped reason, and a task's roles linked to their IAM pages.
// ECS is regional: the Region is the page's ?region=, as in the AWS
// console's URLs.

// defaultRegion is the Region a page without ?region= shows.
const defaultRegion = "us-east-1"

// consoleRegions are the Regions the Region menu offers; any other valid
// Region can be named in the URL.
var consoleRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1", "ap-south-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2",
	"eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1", "sa-east-1",
}

// region is the page's Region.
func (q *req) region() string {
	r := q.r.URL.Query().Get("region")
	if !auth.ValidRegion(r) {
		return defaultRegion
	}
	return r
}

func (q *req) regionalView(title string) *view {
	v := q.view(title, "ecs")
	v.Region, v.Regions = q.region(), consoleRegions
	return v
}

type clustersView struct {
	Clusters []types.Cluster
}

// clustersPage lists the Region's clusters (ListClusters, then
// DescribeClusters for their counts).
func (c *Console) clustersPage(q *req) {
	v := q.regionalView("Clusters")
	cv := &clustersView{}
	v.Page = cv
	arns, f := q.ecsList(v.Region, "ListClusters", "ClusterArns", nil)
	if f == nil {
		f = inBatches(arns, 100, func(batch []string) *failure {
			out, f := q.ecs(v.Region, "DescribeClusters", map[string]any{"clusters": batch})
			if f == nil {
				cv.Clusters = append(cv.Clusters, out.(*types.DescribeClustersResponse).Clusters...)
			}
			return f
		})
	}
	if f != nil {
		q.page("clusters", v, f)
		return
	}
	sort.Slice(cv.Clusters, func(i, j int) bool { return cv.Clusters[i].ClusterName < cv.Clusters[j].ClusterName })
	q.page("clusters", v, nil)
}

// taskRow is a task as the cluster's Tasks tab and the task's page show it.
type taskRow struct {
	types.Task
	ID, Definition string
	Path           string // the task's page
	TaskRole       roleLink
	ExecutionRole  roleLink
}

// roleLink is a role a task uses: linked to its IAM page when it is the
// signed-in account's.
type roleLink struct {
	Arn, Name string
	Local     bool
}

// The cluster page's tabs, in the console's order and words.
var clusterTabs = []tab{
	{"services", "Services"},
	{"tasks", "Tasks"},
	{"infrastructure", "Infrastructure"},
}

// tab is one of a page's tabs.
type tab struct{ ID, Name string }

// tabBar is a page's tabs, each linked from the page's path (with its
// ?region=), the one the page's ?tab= names current (the first one
// otherwise).
type tabBar struct {
	Label   string // what the tabs are of, for screen readers
	Current string
	Tabs    []tabLink
}

type tabLink struct{ ID, Name, Href string }

func (q *req) tabBar(label, path string, tabs []tab) tabBar {
	b := tabBar{Label: label, Current: tabs[0].ID}
	asked := q.r.URL.Query().Get("tab")
	for _, t := range tabs {
		if t.ID == asked {
			b.Current = asked
		}
		b.Tabs = append(b.Tabs, tabLink{t.ID, t.Name, path + "&tab=" + url.QueryEscape(t.ID)})
	}
	return b
}

type clusterView struct {
	Cluster types.Cluster
	Tab     string // the current tab
	Tabs    tabBar

	// The tab's content, and why it is missing if its request failed.
	Services  []serviceRow
	Tasks     []taskRow
	Instances []instanceRow
	Providers []providerRow
	Failed    *failure
	// RolesFailed: the container instances' roles could not be read (EC2
	// or IAM refused); the instances are listed without.
	RolesFailed *failure
}

// clusterPage shows a cluster and one of its tabs: its services, its tasks
// (running and stopped: ECS keeps stopped tasks for a while), or its
// infrastructure (container instances and capacity providers).
func (c *Console) clusterPage(q *req) {
	name := q.r.PathValue("cluster")
	v := q.regionalView(name)
	cl, ok := q.clusterOrNotFound(v, "cluster", name)
	if !ok {
		return
	}
	cv := &clusterView{Cluster: *cl, Tabs: q.tabBar("Cluster details", clusterPath(cl.ClusterName, v.Region), clusterTabs)}
	cv.Tab = cv.Tabs.Current
	v.Page = cv
	switch cv.Tab {
	case "services":
		cv.Services, cv.Failed = q.services(v.Region, cl.ClusterArn)
	case "tasks":
		cv.Tasks, cv.Failed = q.clusterTasks(v.Region, cl.ClusterArn, nil)
	case "infrastructure":
		if cv.Providers, cv.Failed = q.providers(v.Region, cl); cv.Failed == nil {
			cv.Instances, cv.RolesFailed, cv.Failed = q.instances(v.Region, cl.ClusterArn)
		}
	}
	q.page("cluster", v, nil)
}

// clusterOrNotFound describes the cluster named (name or ARN) in the
// page's Region; when it cannot, it renders page with why (the denial, or
// DescribeClusters' failure reason as not found) and answers false.
func (q *req) clusterOrNotFound(v *view, page, name string) (*types.Cluster, bool) {
	out, f := q.ecs(v.Region, "DescribeClusters", map[string]any{"clusters": []string{name}})
	if f != nil {
		q.page(page, v, f)
		return nil, false
	}
	dc := out.(*types.DescribeClustersResponse)
	if len(dc.Clusters) == 0 {
		reason := "MISSING"
		if len(dc.Failures) > 0 {
			reason = dc.Failures[0].Reason
		}
		v.Error = "Cluster " + name + " not found in " + v.Region + " (" + reason + ")."
		q.c.render(q.w, http.StatusNotFound, page, v)
		return nil, false
	}
	return &dc.Clusters[0], true
}

// clusterTasks describes a cluster's tasks (those a service started, when
// in names one: ListTasks' serviceName), running and stopped.
func (q *req) clusterTasks(region, cluster string, in map[string]any) ([]taskRow, *failure) {
	var arns []string
	for _, status := range []string{"RUNNING", "STOPPED"} {
		list := map[string]any{"cluster": cluster, "desiredStatus": status}
		for k, v := range in {
			list[k] = v
		}
		more, f := q.ecsList(region, "ListTasks", "TaskArns", list)
		if f != nil {
			return nil, f
		}
		arns = append(arns, more...)
	}
	return q.describeTasks(region, cluster, arns)
}

// describeTasks describes tasks, with the roles of their task definitions.
func (q *req) describeTasks(region, cluster string, arns []string) ([]taskRow, *failure) {
	var rows []taskRow
	defs := map[string]*types.TaskDefinition{}
	f := inBatches(arns, 100, func(batch []string) *failure {
		out, f := q.ecs(region, "DescribeTasks", map[string]any{"cluster": cluster, "tasks": batch})
		if f != nil {
			return f
		}
		for _, t := range out.(*types.DescribeTasksResponse).Tasks {
			row := taskRow{Task: t, ID: lastSegment(t.TaskArn), Definition: lastSegment(t.TaskDefinitionArn)}
			row.Path = taskPath(lastSegment(t.ClusterArn), row.ID, region)
			td, ok := defs[t.TaskDefinitionArn]
			if !ok {
				if out, f := q.ecs(region, "DescribeTaskDefinition", map[string]any{"taskDefinition": t.TaskDefinitionArn}); f == nil {
					td = out.(*types.DescribeTaskDefinitionResponse).TaskDefinition
				}
				defs[t.TaskDefinitionArn] = td
			}
			taskRole, execRole := "", ""
			if td != nil {
				taskRole, execRole = td.TaskRoleArn, td.ExecutionRoleArn
			}
			if o := t.Overrides; o != nil {
				// RunTask's overrides name the roles the task runs with.
				if o.TaskRoleArn != "" {
					taskRole = o.TaskRoleArn
				}
				if o.ExecutionRoleArn != "" {
					execRole = o.ExecutionRoleArn
				}
			}
			row.TaskRole, row.ExecutionRole = q.roleLink(taskRole), q.roleLink(execRole)
			rows = append(rows, row)
		}
		return nil
	})
	return rows, f
}

func (q *req) roleLink(roleArn string) roleLink {
	if roleArn == "" {
		return roleLink{}
	}
	name, local := roleName(roleArn, q.p.Account)
	return roleLink{Arn: roleArn, Name: name, Local: local && name != ""}
}

type taskView struct {
	Cluster   string
	Task      taskRow
	Explained *doctor.Match // the doctor's reading of the stopped reason
}

// taskPage shows one task: its status, stop code and stopped reason, its
// containers' exit codes and reasons, and its roles.
func (c *Console) taskPage(q *req) {
	cluster, id := q.r.PathValue("cluster"), q.r.PathValue("task")
	v := q.regionalView("Task " + id)
	rows, f := q.describeTasks(v.Region, cluster, []string{id})
	if f != nil {
		q.page("task", v, f)
		return
	}
	if len(rows) == 0 {
		v.Error = "Task " + id + " not found in cluster " + cluster + " in " + v.Region + "."
		q.c.render(q.w, 404, "task", v)
		return
	}
	v.Page = &taskView{Cluster: cluster, Task: rows[0], Explained: explain(rows[0].StoppedReason)}
	q.page("task", v, nil)
}

// clusterPath and taskPath are the console's paths of a cluster and task.
func clusterPath(name, region string) string {
	return Prefix + "ecs/clusters/" + url.PathEscape(name) + "?region=" + url.QueryEscape(region)
}

func taskPath(cluster, id, region string) string {
	return Prefix + "ecs/clusters/" + url.PathEscape(cluster) + "/tasks/" + url.PathEscape(id) + "?region=" + url.QueryEscape(region)
}
