package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

func TestECSPages(t *testing.T) {
	e := newEnv(t)
	id, reason := e.stoppedTask(t, "eu-west-1", "prod")
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("home")}))(t)
	b := e.signedIn(t, "test", "test")

	// The clusters of the Region asked, us-east-1 by default.
	_, body := b.get("/console/ecs/clusters")
	has(t, body, "Clusters <span class=\"count\">(1)</span>", ">home</a>")
	_, body = b.get("/console/ecs/clusters?region=eu-west-1")
	has(t, body, ">prod</a>", `<option value="eu-west-1" selected>`)
	hasNot(t, body, ">home</a>")
	// Not a Region: the default.
	_, body = b.get("/console/ecs/clusters?region=mars")
	has(t, body, ">home</a>")

	// The cluster's tasks: the stopped one with its stop code and reason,
	// its execution role linked to its IAM page.
	_, body = b.get("/console/ecs/clusters/prod?region=eu-west-1")
	has(t, body, `<tr data-task="`+id+`">`, "STOPPED", `<td class="stop-code">TaskFailedToStart</td>`, reason,
		`<a href="/console/iam/roles/details/ecsTaskExecutionRole">ecsTaskExecutionRole</a>`)
	_, body = b.get("/console/ecs/clusters/prod/tasks/" + id + "?region=eu-west-1")
	has(t, body, "Stopped reason", reason, "TaskFailedToStart", `<dd id="execution-role"><a href="/console/iam/roles/details/ecsTaskExecutionRole">`)
	if !strings.Contains(reason, "is not authorized to perform") {
		t.Errorf("reason %q", reason)
	}

	status, body := b.get("/console/ecs/clusters/prod")
	if status != http.StatusNotFound {
		t.Errorf("cluster in another Region: %d", status)
	}
	has(t, body, "Cluster prod not found in us-east-1 (MISSING).")

	// Without ECS permissions, the console's words and ECS's action.
	keyID, secret := e.user(t, "viewer", "iam:ListRoles")
	ub := e.signedIn(t, keyID, secret)
	status, body = ub.get("/console/ecs/clusters?region=eu-west-1")
	if status != http.StatusForbidden {
		t.Errorf("status %d", status)
	}
	has(t, body, "You need permissions", "is not authorized to perform: ecs:ListClusters", `<dd class="action">ecs:ListClusters</dd>`)
	_, body = ub.get("/console/ecs/clusters/prod?region=eu-west-1")
	has(t, body, "You need permissions", "ecs:DescribeClusters")

	// A user who may describe the cluster but not its tasks sees why the
	// tasks are missing.
	keyID, secret = e.user(t, "clusters", "ecs:DescribeClusters", "ecs:ListClusters")
	_, body = e.signedIn(t, keyID, secret).get("/console/ecs/clusters/prod?region=eu-west-1")
	has(t, body, "Cluster overview", "You need permissions", "ecs:ListTasks")
}
