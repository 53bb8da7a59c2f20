package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const userTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`

func TestRolesPage(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)
	e.role(t, "app", tasksTrust)
	e.role(t, "deploy", userTrust)
	// deploy is assumed (by a user allowed to), so it has a last activity.
	keyID, secret := e.user(t, "ci", "sts:AssumeRole")
	stsc := sts.NewFromConfig(e.config(keyID, secret, "eu-west-1"))
	must(stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/deploy"), RoleSessionName: aws.String("ci-session")}))(t)
	e.clock.Advance(3 * 24 * time.Hour)

	b := e.signedIn(t, "test", "test")
	status, body := b.get("/console/iam/roles")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	has(t, body, "Roles <span class=\"count\">(3)</span>", "<th>Role name</th><th>Trusted entities</th><th>Last activity</th>",
		"AWSServiceRoleForECS</a> <span class=\"badge\" title=\"Service-linked role\">Service-linked</span>",
		"AWS Service: ecs (Service-Linked Role)", "AWS Service: ecs-tasks", "Account: "+account, "3 days ago")
	// Search narrows the list, by name or trusted entity, in any case.
	_, body = b.get("/console/iam/roles?q=ROLEFORECS")
	has(t, body, "AWSServiceRoleForECS")
	hasNot(t, body, `data-role="app"`, `data-role="deploy"`)
	_, body = b.get("/console/iam/roles?q=ecs-tasks")
	has(t, body, `data-role="app"`)
	hasNot(t, body, `data-role="deploy"`)
	_, body = b.get("/console/iam/roles?q=nothing")
	has(t, body, "No roles match")
	// "To check for the ecsServiceRole in the IAM console": searching for
	// it finds nothing in a new account.
	_, body = b.get("/console/iam/roles?q=ecsServiceRole")
	hasNot(t, body, `data-role="`)
}

// A user without iam:ListRoles gets the console's words for a missing
// permission, with the API's message, the action and the resource; the
// decision is recorded like an API request's.
func TestRolesDenied(t *testing.T) {
	e := newEnv(t)
	keyID, secret := e.user(t, "viewer")
	b := e.signedIn(t, keyID, secret)
	status, body := b.get("/console/iam/roles")
	if status != http.StatusForbidden {
		t.Errorf("status %d", status)
	}
	msg := "User: arn:aws:iam::" + account + ":user/viewer is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::" + account + ":role/ because no identity-based policy allows the iam:ListRoles action"
	has(t, body, "You need permissions", "You do not have the permission required to perform this operation. Ask your administrator to add permissions.",
		msg, `<dd class="action">iam:ListRoles</dd>`, "arn:aws:iam::"+account+":role/")
	// The same call through the SDK is refused with the same text.
	_, err := iam.NewFromConfig(e.config(keyID, secret, "us-east-1")).ListRoles(ctx, &iam.ListRolesInput{})
	if err == nil || !strings.Contains(err.Error(), msg) {
		t.Errorf("API: %v", err)
	}
	// The decision is recorded under the request id the page shows.
	id := between(body, "<code>rolecall explain-denied ", "</code>")
	rec, ok := e.app.Authz.Audit().Get(id)
	if !ok || rec.Action != "iam:ListRoles" || rec.Principal != "arn:aws:iam::"+account+":user/viewer" || rec.Decision == "allowed" {
		t.Errorf("decision %q: %+v", id, rec)
	}

	// With ListRoles but not GetAccountAuthorizationDetails, the list is
	// shown and Last activity says why it is empty.
	e.role(t, "app", tasksTrust)
	keyID, secret = e.user(t, "lister", "iam:ListRoles")
	_, body = e.signedIn(t, keyID, secret).get("/console/iam/roles")
	has(t, body, `data-role="app"`, "Last activity is not shown", "iam:GetAccountAuthorizationDetails")
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

func TestRolePage(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(tasksTrust),
		Description: aws.String("the app's task role"), MaxSessionDuration: aws.Int32(7200), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}))(t)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("s3"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))(t)
	b := e.signedIn(t, "test", "test")

	// Summary and the Permissions tab. IAM names are case-insensitive: the
	// page of APP is app's, as stored.
	_, body := b.get("/console/iam/roles/details/APP")
	has(t, body, `<h1 id="role-name">app</h1>`, "arn:aws:iam::"+account+":role/app", "the app's task role", "2 hours",
		">Edit</a>", "ReadOnlyAccess", "AWS managed", "s3</td><td>Customer inline")
	_, body = b.get("/console/iam/roles/details/app?tab=trust")
	has(t, body, `"Service": "ecs-tasks.amazonaws.com"`, "Edit trust policy")
	_, body = b.get("/console/iam/roles/details/app?tab=tags")
	has(t, body, "<td>team</td><td>web</td>")
	_, body = b.get("/console/iam/roles/details/app?tab=access")
	has(t, body, "Amazon S3", "Not accessed in the tracking period")

	// No such role: the API's error.
	status, body := b.get("/console/iam/roles/details/nope")
	if status != http.StatusNotFound {
		t.Errorf("status %d", status)
	}
	has(t, body, "NoSuchEntity: The role with name nope cannot be found.")

	// A user allowed GetRole on another role only is refused this one,
	// decided on the stored role whatever the URL's case.
	keyID, secret := e.user(t, "narrow")
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("narrow"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::` + account + `:role/other"}]}`)}))(t)
	nb := e.signedIn(t, keyID, secret)
	status, body = nb.get("/console/iam/roles/details/APP")
	if status != http.StatusForbidden {
		t.Errorf("status %d", status)
	}
	has(t, body, "You need permissions", "iam:GetRole on resource: role app because", "<dd>arn:aws:iam::"+account+":role/app</dd>")
}

// The root of another account sees its own roles only.
func TestOtherAccount(t *testing.T) {
	e := newEnv(t)
	e.role(t, "app", tasksTrust)
	b := e.signedIn(t, "111111111111", "test")
	_, body := b.get("/console/iam/roles")
	has(t, body, "Account ID: 111111111111", "Roles <span class=\"count\">(0)</span>")
	status, body := b.get("/console/iam/roles/details/app")
	if status != http.StatusNotFound {
		t.Errorf("status %d", status)
	}
	has(t, body, "NoSuchEntity")
	if status, _ := b.post("/console/iam/roles/delete", url.Values{"role": {"app"}, "confirm": {"app"}}); status == http.StatusOK {
		e.getRole(t, "app")
	}
}

func TestEditRole(t *testing.T) {
	e := newEnv(t)
	e.role(t, "app", tasksTrust)
	b := e.signedIn(t, "test", "test")

	// "To the far right of Role description, choose Edit. Enter a new
	// description in the box and choose Save."
	_, body := b.get("/console/iam/roles/details/app/description")
	has(t, body, `<textarea id="description" name="description"`, ">Save</button>")
	_, body = b.post("/console/iam/roles/details/app/description", url.Values{"description": {"Runs the app"}})
	has(t, body, "Role description updated.", `<dd id="role-description">Runs the app`)
	if d := aws.ToString(e.getRole(t, "app").Role.Description); d != "Runs the app" {
		t.Errorf("description %q", d)
	}
	// The API's validation, in its words.
	status, body := b.post("/console/iam/roles/details/app/description", url.Values{"description": {strings.Repeat("x", 1001)}})
	if status != http.StatusBadRequest {
		t.Errorf("status %d", status)
	}
	has(t, body, "ValidationError: 1 validation error detected: Value", "at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000")

	// Trust policy.
	_, body = b.post("/console/iam/roles/details/app/trust", url.Values{"policy": {userTrust}})
	has(t, body, "Trust policy updated.", `"AWS": "arn:aws:iam::`+account+`:root"`)
	status, body = b.post("/console/iam/roles/details/app/trust", url.Values{"policy": {`{"Version":"2012-10-17","Statement":[]`}})
	if status != http.StatusBadRequest {
		t.Errorf("status %d", status)
	}
	has(t, body, "MalformedPolicyDocument")

	// Tags.
	_, body = b.post("/console/iam/roles/details/app/tags", url.Values{"key": {"team"}, "value": {"web"}})
	has(t, body, "Tag team added.", "<td>team</td><td>web</td>")
	_, body = b.post("/console/iam/roles/details/app/tags/remove", url.Values{"key": {"team"}})
	has(t, body, "Tag team removed.", "No tags associated with the resource.")

	// Permissions: attach, an inline policy, remove both.
	_, body = b.get("/console/iam/roles/details/app/attach?q=ECSTaskExecution")
	has(t, body, "AmazonECSTaskExecutionRolePolicy")
	hasNot(t, body, "ReadOnlyAccess")
	_, body = b.post("/console/iam/roles/details/app/attach", url.Values{"policy": {"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}})
	has(t, body, "1 policy attached.", "AmazonECSTaskExecutionRolePolicy")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	_, body = b.post("/console/iam/roles/details/app/inline", url.Values{"name": {"s3"}, "policy": {doc}})
	has(t, body, "Policy s3 created.", "Customer inline")
	_, body = b.post("/console/iam/roles/details/app/detach", url.Values{"policy": {"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}})
	has(t, body, "Policy AmazonECSTaskExecutionRolePolicy removed.")
	_, body = b.post("/console/iam/roles/details/app/inline/delete", url.Values{"name": {"s3"}})
	has(t, body, "Policy s3 removed.", "No resources to display.")

	// A user who may read but not write sees each refusal, and nothing
	// changes.
	keyID, secret := e.user(t, "reader", "iam:Get*", "iam:List*")
	rb := e.signedIn(t, keyID, secret)
	rb.get("/console/iam/roles/details/app")
	for _, tc := range []struct{ path, action string }{
		{"/console/iam/roles/details/app/description", "iam:UpdateRoleDescription"},
		{"/console/iam/roles/details/app/trust", "iam:UpdateAssumeRolePolicy"},
		{"/console/iam/roles/details/app/tags", "iam:TagRole"},
		{"/console/iam/roles/details/app/attach", "iam:AttachRolePolicy"},
		{"/console/iam/roles/details/app/inline", "iam:PutRolePolicy"},
	} {
		_, body := rb.post(tc.path, url.Values{"description": {"x"}, "policy": {"arn:aws:iam::aws:policy/ReadOnlyAccess"}, "key": {"k"}, "name": {"p"}})
		has(t, body, "You need permissions", "is not authorized to perform: "+tc.action+" on resource: role app because")
	}
	if r := e.getRole(t, "app").Role; aws.ToString(r.Description) != "Runs the app" || len(r.Tags) != 0 {
		t.Errorf("role changed: %+v", r)
	}
}

// "To create a service-linked role (console)": Roles, Create role, AWS
// service, the service and its use case, Next, Next, Create role.
func TestCreateServiceLinkedRole(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn(t, "test", "test")
	_, body := b.get("/console/iam/roles/create")
	has(t, body, "Trusted entity type", "AWS service", "AWS account", "Web identity", "SAML 2.0 federation", "Custom trust policy", "Elastic Container Service")
	_, body = b.get("/console/iam/roles/create?type=service&service=ecs")
	has(t, body, `value="ecs.amazonaws.com"`, "AWSServiceRoleForECS", "AWSServiceRoleForECSCompute")
	_, body = b.get("/console/iam/roles/create?type=service&service=ecs&usecase=ecs.amazonaws.com&step=2")
	has(t, body, "Add permissions", "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy")
	_, body = b.get("/console/iam/roles/create?type=service&service=ecs&usecase=ecs.amazonaws.com&step=3")
	has(t, body, "Name, review, and create", `<code>AWSServiceRoleForECS</code>`, "The service defines the role's name", `"Service": "ecs.amazonaws.com"`)
	hasNot(t, body, `id="suffix"`)
	// Going on without a use case goes back to step 1.
	_, body = b.get("/console/iam/roles/create?type=service&service=ecs&step=2")
	has(t, body, "Choose a service and a use case.", "Select trusted entity")

	_, body = b.post("/console/iam/roles/create", url.Values{"type": {"service"}, "service": {"ecs"}, "usecase": {"ecs.amazonaws.com"}, "description": {"made in the console"}})
	has(t, body, "Role AWSServiceRoleForECS created.", `data-role="AWSServiceRoleForECS"`)
	r := e.getRole(t, "AWSServiceRoleForECS").Role
	if aws.ToString(r.Path) != "/aws-service-role/ecs.amazonaws.com/" || aws.ToString(r.Description) != "made in the console" {
		t.Errorf("role %+v", r)
	}
	// Again: the API's refusal.
	_, body = b.post("/console/iam/roles/create", url.Values{"type": {"service"}, "service": {"ecs"}, "usecase": {"ecs.amazonaws.com"}})
	has(t, body, "InvalidInput: Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.")
	// ECS takes no suffix; Auto Scaling does.
	_, body = b.post("/console/iam/roles/create", url.Values{"type": {"service"}, "service": {"ecs"}, "usecase": {"ecs-compute.amazonaws.com"}, "suffix": {"x"}})
	has(t, body, "Custom suffix is not allowed for ecs-compute.amazonaws.com")
	_, body = b.get("/console/iam/roles/create?type=service&service=autoscaling&usecase=autoscaling.amazonaws.com&step=3")
	has(t, body, `id="suffix"`)
	_, body = b.post("/console/iam/roles/create", url.Values{"type": {"service"}, "service": {"autoscaling"}, "usecase": {"autoscaling.amazonaws.com"}, "suffix": {"blue"}})
	has(t, body, "Role AWSServiceRoleForAutoScaling_blue created.")

	// A user without iam:CreateServiceLinkedRole is refused, in the
	// console's words.
	keyID, secret := e.user(t, "dev", "iam:ListRoles", "iam:ListPolicies")
	ub := e.signedIn(t, keyID, secret)
	ub.get("/console/iam/roles/create")
	status, body := ub.post("/console/iam/roles/create", url.Values{"type": {"service"}, "service": {"ecs"}, "usecase": {"ecs-compute.amazonaws.com"}})
	if status != http.StatusForbidden {
		t.Errorf("status %d", status)
	}
	has(t, body, "You need permissions", "iam:CreateServiceLinkedRole on resource: arn:aws:iam::"+account+":role/aws-service-role/ecs-compute.amazonaws.com/AWSServiceRoleForECSCompute")
}

func TestCreateRole(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn(t, "test", "test")
	// AWS account: this one.
	_, body := b.get("/console/iam/roles/create?type=account&acct=this&step=2&q=ReadOnlyAccess")
	has(t, body, "arn:aws:iam::aws:policy/ReadOnlyAccess")
	_, body = b.get("/console/iam/roles/create?type=account&acct=this&step=3&policy=arn:aws:iam::aws:policy/ReadOnlyAccess")
	has(t, body, `"AWS": "arn:aws:iam::`+account+`:root"`, `"Condition": {}`)
	_, body = b.post("/console/iam/roles/create", url.Values{"type": {"account"}, "account": {"this"}, "name": {"admin"},
		"policy": {"arn:aws:iam::aws:policy/ReadOnlyAccess"}})
	has(t, body, "Role admin created.")
	pols := must(e.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("admin")}))(t).AttachedPolicies
	if len(pols) != 1 || aws.ToString(pols[0].PolicyName) != "ReadOnlyAccess" {
		t.Errorf("policies %+v", pols)
	}
	// Another account: its ID is checked before going on.
	_, body = b.get("/console/iam/roles/create?type=account&acct=other&account_id=12&step=2")
	has(t, body, "Enter a 12-digit account ID.")
	// Custom trust policy, with the API's validation.
	_, body = b.post("/console/iam/roles/create", url.Values{"type": {"custom"}, "trust": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{},"Action":"sts:AssumeRole"}]}`}, "name": {"custom"}})
	has(t, body, "MalformedPolicyDocument")
	_, body = b.post("/console/iam/roles/create", url.Values{"type": {"custom"}, "trust": {tasksTrust}, "name": {"custom"}})
	has(t, body, "Role custom created.")
	// SAML 2.0 federation needs a provider before going on.
	_, body = b.get("/console/iam/roles/create?type=saml&step=2")
	has(t, body, "Choose a SAML 2.0 provider.", "This account has no SAML providers")
}

// "To delete a service-linked role (console)": select the role's check
// box, Delete, review its last activity, confirm; then watch the
// notification follow the deletion task: FAILED with View resources while
// a cluster in another Region uses the role, SUCCEEDED once it is gone.
func TestDeleteServiceLinkedRole(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)
	eu := e.ecsIn("eu-west-1")
	cl := must(eu.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t).Cluster
	b := e.signedIn(t, "test", "test")

	_, body := b.get("/console/iam/roles/delete")
	has(t, body, "Select the check box next to the role you want to delete.")
	_, body = b.get("/console/iam/roles/delete?role=AWSServiceRoleForECS&role=x")
	has(t, body, "Select one role at a time to delete.")
	_, body = b.get("/console/iam/roles/delete?role=AWSServiceRoleForECS")
	has(t, body, "Delete AWSServiceRoleForECS permanently?", "Last activity", "To confirm deletion, enter the role name in the text input field.", "This is a service-linked role.")
	status, body := b.post("/console/iam/roles/delete", url.Values{"role": {"AWSServiceRoleForECS"}, "confirm": {"awsservicerole"}})
	if status != http.StatusBadRequest {
		t.Errorf("mismatched confirmation: %d", status)
	}
	has(t, body, "Enter the role name exactly")

	_, body = b.post("/console/iam/roles/delete", url.Values{"role": {"AWSServiceRoleForECS"}, "confirm": {"AWSServiceRoleForECS"}})
	has(t, body, "Deleting AWSServiceRoleForECS.", `<span class="task-status">NOT_STARTED</span>`, `data-poll="/console/notifications/1"`)
	e.clock.Advance(deletionDelay / 2)
	_, body = b.get("/console/notifications/1")
	has(t, body, `<span class="task-status">IN_PROGRESS</span>`)
	e.clock.Advance(deletionDelay / 2)
	_, body = b.get("/console/iam/roles")
	has(t, body, "Deletion of AWSServiceRoleForECS failed.", "View details", "View resources", `<td class="region">eu-west-1</td>`, aws.ToString(cl.ClusterArn))
	hasNot(t, body, "data-poll=")
	has(t, body, `data-role="AWSServiceRoleForECS"`)

	// Once the cluster is gone, the deletion succeeds.
	must(eu.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("prod")}))(t)
	b.post("/console/notifications/1/dismiss", nil)
	b.post("/console/iam/roles/delete", url.Values{"role": {"AWSServiceRoleForECS"}, "confirm": {"AWSServiceRoleForECS"}})
	e.clock.Advance(deletionDelay)
	_, body = b.get("/console/iam/roles")
	has(t, body, "AWSServiceRoleForECS deleted.")
	hasNot(t, body, `data-role="AWSServiceRoleForECS"`, "Deletion of AWSServiceRoleForECS failed.")
	if _, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")}); err == nil {
		t.Error("the role is still there")
	}
	// Notifications are the session's: another's numbers find nothing.
	other := e.signedIn(t, "test", "test")
	if status, _ := other.get("/console/notifications/2"); status != http.StatusNotFound {
		t.Errorf("another session's notification: %d", status)
	}
}

// Deleting another role detaches, deletes and leaves what holds it first,
// as the console does; a user who may not delete is refused.
func TestDeleteRole(t *testing.T) {
	e := newEnv(t)
	e.role(t, "app", tasksTrust)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("s3"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))(t)
	must(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("app")}))(t)
	must(e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("app"), RoleName: aws.String("app")}))(t)

	keyID, secret := e.user(t, "reader", "iam:Get*", "iam:List*")
	rb := e.signedIn(t, keyID, secret)
	rb.get("/console/iam/roles/delete?role=app")
	_, body := rb.post("/console/iam/roles/delete", url.Values{"role": {"app"}, "confirm": {"app"}})
	has(t, body, "You need permissions", "iam:DetachRolePolicy on resource: role app")
	e.getRole(t, "app")

	b := e.signedIn(t, "test", "test")
	_, body = b.post("/console/iam/roles/delete", url.Values{"role": {"app"}, "confirm": {"app"}})
	has(t, body, "Role app deleted.")
	if _, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}); err == nil {
		t.Error("the role is still there")
	}
}

// A role named in the URL or a form is the API's to resolve, to the stored
// role of the signed-in account: another spelling of its name is still
// that role, under the policies written for its ARN, and a path in the
// name is no name.
func TestRoleNameSpellings(t *testing.T) {
	e := newEnv(t)
	e.role(t, "app", tasksTrust)
	keyID, secret := e.user(t, "dev", "iam:*")
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::` + account + `:role/app"}]}`
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(deny)}))(t)
	b := e.signedIn(t, keyID, secret)
	denied := "User: arn:aws:iam::" + account + ":user/dev is not authorized to perform: iam:GetRole on resource: role app with an explicit deny in an identity-based policy"
	body := b.getAs(http.StatusForbidden, "/console/iam/roles/details/APP")
	has(t, body, denied, "<dd>arn:aws:iam::"+account+":role/app</dd>")
	_, body = b.post("/console/iam/roles/details/APP/description", url.Values{"description": {"changed"}})
	has(t, body, "You need permissions")
	b.post("/console/iam/roles/delete", url.Values{"role": {"APP"}, "confirm": {"APP"}})
	b.post("/console/iam/roles/details/aPp/tags", url.Values{"key": {"k"}, "value": {"v"}})
	r := e.getRole(t, "app").Role
	if aws.ToString(r.Description) != "" || len(r.Tags) != 0 {
		t.Errorf("role changed: %q %v", aws.ToString(r.Description), r.Tags)
	}
	body = b.getAs(http.StatusBadRequest, "/console/iam/roles/details/..%2Fapp")
	has(t, body, "ValidationError", "roleName")
}

// What a role holds is shown as text wherever it appears: a description
// or a trust policy with markup in it injects nothing.
func TestRolePagesEscape(t *testing.T) {
	e := newEnv(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"</pre></textarea><script>alert(2)</script>"}}}]}`
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust), Description: aws.String(`"><script>alert(1)</script>`)}))(t)
	b := e.signedIn(t, "test", "test")
	for _, p := range []string{"/console/iam/roles", "/console/iam/roles/details/app", "/console/iam/roles/details/app?tab=trust",
		"/console/iam/roles/details/app/trust", "/console/iam/roles/details/app/description", "/console/iam/roles/delete?role=app"} {
		body := b.getAs(http.StatusOK, p)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "</pre></textarea>") {
			t.Errorf("%s shows markup as markup", p)
		}
	}
	has(t, b.getAs(http.StatusOK, "/console/iam/roles/details/app"), `&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;`)
}

// "." and ".." are IAM names like any other, but not path segments a
// browser keeps: the console's links to them, and its forms, still reach
// them.
func TestDotNames(t *testing.T) {
	e := newEnv(t)
	e.role(t, "..", tasksTrust)
	e.user(t, ".")
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("..")}))(t)
	pol := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("."), Path: aws.String("/../"), PolicyDocument: aws.String(s3Read)}))(t).Policy
	b := e.signedIn(t, "test", "test")
	for _, tc := range []struct{ list, link, page string }{
		{"/console/iam/roles", "/console/iam/roles/details/..~", `<h1 id="role-name">..</h1>`},
		{"/console/iam/users", "/console/iam/users/details/.~", "arn:aws:iam::" + account + ":user/."},
		{"/console/iam/groups", "/console/iam/groups/details/..~", "arn:aws:iam::" + account + ":group/.."},
		{"/console/iam/policies?type=customer", "/console/iam/policies/details/arn:aws:iam::" + account + ":policy/..~/.~", aws.ToString(pol.Arn)},
	} {
		has(t, b.getAs(http.StatusOK, tc.list), `href="`+tc.link+`"`)
		has(t, b.getAs(http.StatusOK, tc.link), tc.page)
	}
	_, body := b.post("/console/iam/roles/details/..~/description", url.Values{"description": {"dots"}})
	has(t, body, "Role description updated.")
	if d := aws.ToString(e.getRole(t, "..").Role.Description); d != "dots" {
		t.Errorf("description %q", d)
	}
}
