package console_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/ecsroles"
)

// Role check on a service and on a cluster: the doctor's verdict on what
// was read through the API as the signed-in principal, with the fixes, and
// the indirect-permission graph.
func TestRoleCheck(t *testing.T) {
	e := newEnv(t)
	e.stoppedTask(t, "eu-west-1", "prod")
	e.failingService(t, "eu-west-1", "prod", "api")
	// deployer may run tasks with any role it may pass: it reaches
	// ecsTaskExecutionRole (which trusts ECS tasks) and, by running tasks,
	// ECS's service-linked role.
	e.user(t, "deployer", "ecs:RunTask", "ecs:RegisterTaskDefinition", "iam:PassRole")
	b := e.signedIn(t, "test", "test")

	_, body := b.get("/console/ecs/clusters/prod/services/api/rolecheck?region=eu-west-1")
	has(t, body, "<h1>Role check: service api</h1>", "deployer <code>arn:aws:iam::"+account+":root</code>",
		`<div class="alert error" role="status" id="verdict">`, "Something this setup needs is missing or denied.",
		"2 roles needed: 1 ok, 1 failing, 0 with warnings, 0 not checked. Something this setup needs is missing.",
		"<li>service api (cluster prod, task definition api:1, FARGATE, awsvpc) from ecs</li>",
		// The table: the execution role's trust and permissions fail.
		`<tr data-kind="task-execution-role"><td><a href="#role-task-execution-role-apiExecution">Task execution role</a></td><td><a href="/console/iam/roles/details/apiExecution">apiExecution</a></td>`+
			`<td class="status-ok">ok</td><td class="status-fail">FAIL</td><td class="status-fail">FAIL 0/3</td><td class="status-ok">ok</td><td class="status-fail role-status">FAIL</td></tr>`,
		`<tr data-kind="ecs-service-linked-role">`,
		// The failed checks, and the fixes.
		"<td>trust</td><td class=\"status-fail\">FAIL</td><td class=\"what\">ecs-tasks.amazonaws.com may assume it (sts:AssumeRole)</td>",
		"denied: no identity-based policy allows the ecr:GetAuthorizationToken action",
		"let ecs-tasks.amazonaws.com assume apiExecution",
		"aws iam attach-role-policy --role-name apiExecution --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
		// Every other kind the one model knows.
		"Not needed by this setup ("+strconv.Itoa(len(ecsroles.Kinds)-2)+")")
	// The service's check is the service's: the cluster's stopped task
	// is not in it.
	hasNot(t, body, "ecsTaskExecutionRole</a></td><td class")

	// The graph: deployer reaches both roles, the service-linked one
	// dashed, each role with what it reaches.
	graph := between(body, `<svg class="graph"`, "</svg>")
	has(t, graph, "<text x=", ">user/deployer</text>", ">ecsTaskExecutionRole</text>", ">ecs-tasks.amazonaws.com</text>",
		`<g class="node linked">`, ">AWSServiceRoleForECS</text>", `<a href="/console/iam/roles/details/ecsTaskExecutionRole">`,
		`<g class="edge linked"><title>user/deployer service-linked role AWSServiceRoleForECS with ecs:RunTask</title>`,
		"user/deployer passes role ecsTaskExecutionRole with iam:PassRole + ecs:RunTask + ecs:RegisterTaskDefinition",
		"iam:PassRole + ecs:RunTask +", ">ecs:RegisterTaskDefinition</text>")
	if n := strings.Count(graph, `<g class="edge`); n != 4 {
		t.Errorf("%d edges, want 2 paths and 2 reaches:\n%s", n, graph)
	}

	// The cluster's check has its tasks too: the stopped task's
	// execution role, which lacks permissions but may be assumed.
	_, body = b.get("/console/ecs/clusters/prod/rolecheck?region=eu-west-1")
	has(t, body, "<h1>Role check: cluster prod</h1>", `<a href="#role-task-execution-role-ecsTaskExecutionRole">`,
		`<a href="/console/iam/roles/details/ecsTaskExecutionRole">ecsTaskExecutionRole</a></td><td class="status-ok">ok</td><td class="status-ok">ok</td><td class="status-fail">FAIL 0/3</td>`,
		"<li>service api (cluster prod, task definition api:1, FARGATE, awsvpc) from ecs</li>")

	status, body := b.get("/console/ecs/clusters/prod/services/nope/rolecheck?region=eu-west-1")
	if status != http.StatusNotFound {
		t.Errorf("no such service: %d", status)
	}
	has(t, body, "Service nope not found in cluster prod in eu-west-1 (MISSING).")
}

// The Role check reads as the signed-in principal: what it may not read
// is the console's denial, or, for what the doctor can go without (EC2's
// instance profiles, service auto scaling, the account's principals for
// the graph), a note.
func TestRoleCheckPermissions(t *testing.T) {
	e := newEnv(t)
	e.failingService(t, "eu-west-1", "prod", "api")
	e.registered(t, "eu-west-1", "prod", "web-hosts", "webhost")
	path := "/console/ecs/clusters/prod/rolecheck?region=eu-west-1"

	// ECS only: the doctor's first IAM read, the deployer (the user
	// itself), is refused.
	keyID, secret := e.user(t, "ecsonly", "ecs:Describe*", "ecs:List*")
	status, body := e.signedIn(t, keyID, secret).get(path)
	if status != http.StatusForbidden {
		t.Errorf("status %d", status)
	}
	has(t, body, "You need permissions", `<dd class="action">iam:GetUser</dd>`, "<dd>arn:aws:iam::"+account+":user/ecsonly</dd>")

	// ECS and IAM but neither EC2 nor Application Auto Scaling: the
	// check goes on, and says what it did not read.
	keyID, secret = e.user(t, "reader", "ecs:Describe*", "ecs:List*", "iam:Get*", "iam:List*")
	status, body = e.signedIn(t, keyID, secret).get(path)
	if status != http.StatusOK {
		t.Errorf("status %d", status)
	}
	has(t, body, "deployer <code>arn:aws:iam::"+account+":user/reader</code>",
		"the container instances&#39; instance profiles are not read from EC2: ec2:DescribeInstances is denied to you; the container instance role is looked for by its conventional name",
		"service auto scaling is not read: application-autoscaling:DescribeScalableTargets is denied to you",
		`<p class="empty" id="no-paths">No principal reaches a role indirectly.</p>`)

	// Without iam:ListUsers the report stands; the graph says why not.
	keyID, secret = e.user(t, "nolist", "ecs:Describe*", "ecs:List*", "iam:Get*", "iam:ListRole*", "iam:ListAttached*", "iam:ListUserPolicies",
		"iam:ListGroupsForUser", "ec2:DescribeInstances", "application-autoscaling:DescribeScalableTargets")
	_, body = e.signedIn(t, keyID, secret).get(path)
	has(t, body, `id="verdict"`, `<dd class="action">iam:ListUsers</dd>`)
	hasNot(t, body, `id="no-paths"`, "is denied to you")
}
