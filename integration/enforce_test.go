package integration

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// Authorization of every action, as AWS decides it and words it (IAM User
// Guide, "Policy evaluation logic" and "Troubleshooting access denied error
// messages"; aws-facts.md, "IAM/STS authorization").

const (
	allowOwnUser = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`
	allowIAMRead = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`
	adminAccess  = "arn:aws:iam::aws:policy/AdministratorAccess"
	userArn      = "arn:aws:iam::000000000000:user/"
)

func putRolePolicy(t *testing.T, c *iam.Client, role, doc string) {
	t.Helper()
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))(t)
}

// denied is AWS's implicit-deny text for an identity-based policy.
func denied(who, action, resource string) string {
	return "User: " + who + " is not authorized to perform: " + action + " on resource: " + resource + " because no identity-based policy allows the " + action + " action"
}

// TestEnforceUserPolicies: a user may do what its policies allow, no more;
// IAM names existing entities by kind and name, new ones by ARN; policy
// variables resolve from the request context.
func TestEnforceUserPolicies(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.Path = aws.String("/service-role/") })
	must(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))(t)
	dev, _ := newUser(t, root, rc.Config, nil, "dev", allowOwnUser)

	// Its own user, through ${aws:username}; not another's.
	must(dev.iam.GetUser(ctx, nil))(t)
	must(dev.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("dev")}))(t)
	_, err := dev.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:GetUser", "user bob"))
	// "iam:GetRole on resource: role NAME" (aws/aws-cdk #27067).
	_, err = dev.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:GetRole", "role app"))
	// Create calls name the new entity's ARN, path included.
	_, err = dev.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("new"), Path: aws.String("/team/"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:CreateRole", "arn:aws:iam::000000000000:role/team/new"))
	_, err = dev.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("pol"), PolicyDocument: aws.String(s3ReadPolicy)})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:CreatePolicy", "policy pol"))
	// List calls: on the path prefix.
	_, err = dev.iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:ListRoles", "arn:aws:iam::000000000000:role/"))
	_, err = dev.iam.ListPolicies(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:ListPolicies", "policy path /"))
	_, err = dev.iam.GetAccountSummary(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:GetAccountSummary", "*"))

	// A resource ARN with the role's real path: allowed for service-role/*.
	must(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("roles"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::000000000000:role/service-role/*"}]}`)}))(t)
	must(dev.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t)

	// STS: GetCallerIdentity needs no permission.
	must(dev.sts.GetCallerIdentity(ctx, nil))(t)
}

// TestEnforceServiceLinkedRole: iam:CreateServiceLinkedRole, with and
// without an iam:AWSServiceName condition; and ECS creating its
// service-linked role on a caller's behalf only when the caller may.
func TestEnforceServiceLinkedRole(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	none, _ := newUser(t, root, rc.Config, nil, "none", allowOwnUser)
	elbOnly, _ := newUser(t, root, rc.Config, nil, "elb", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*",
		"Condition":{"StringEquals":{"iam:AWSServiceName":"elasticloadbalancing.amazonaws.com"}}}]}`)
	any, _ := newUser(t, root, rc.Config, nil, "any", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"arn:aws:iam::*:role/aws-service-role/*"}]}`)

	ecsRole := "arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
	slr := func(svc string) *iam.CreateServiceLinkedRoleInput {
		return &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(svc)}
	}
	_, err := none.iam.CreateServiceLinkedRole(ctx, slr("ecs.amazonaws.com"))
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"none", "iam:CreateServiceLinkedRole", ecsRole))
	_, err = elbOnly.iam.CreateServiceLinkedRole(ctx, slr("ecs.amazonaws.com"))
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"elb", "iam:CreateServiceLinkedRole", ecsRole))
	out := must(elbOnly.iam.CreateServiceLinkedRole(ctx, slr("elasticloadbalancing.amazonaws.com")))(t)
	if got := aws.ToString(out.Role.Arn); got != "arn:aws:iam::000000000000:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing" {
		t.Errorf("ELB role %s", got)
	}

	// ECS's CreateCluster: the cluster is created either way; the role
	// only for a caller allowed to create it (aws-facts.md).
	ecsAllow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:CreateCluster","Resource":"*"}]}`
	must(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("none"), PolicyName: aws.String("ecs"), PolicyDocument: aws.String(ecsAllow)}))(t)
	must(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("any"), PolicyName: aws.String("ecs"), PolicyDocument: aws.String(ecsAllow)}))(t)
	noneECS := ecsOf(t, rc, none)
	must(noneECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c1")}))(t)
	_, err = root.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name AWSServiceRoleForECS cannot be found.")
	anyECS := ecsOf(t, rc, any)
	must(anyECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c2")}))(t)
	must(root.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")}))(t)

	// ECS's own denial: AccessDeniedException, 400, the same words.
	_, err = ecsOf(t, rc, elbOnly).CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c3")})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"elb", "ecs:CreateCluster", "arn:aws:ecs:us-east-1:000000000000:cluster/c3"))
}

// ecsOf is an ECS client signing as c's IAM client does.
func ecsOf(t *testing.T, rc *rolecalltest.Server, c clients) *ecs.Client {
	t.Helper()
	v := must(c.iam.Options().Credentials.Retrieve(ctx))(t)
	return ecs.NewFromConfig(withCreds(rc.Config, v.AccessKeyID, v.SecretAccessKey, v.SessionToken))
}

// TestEnforcePassRole: a caller allowed iam:PassRole for one role, to ECS
// tasks, registers task definitions, runs tasks and creates services with
// it and not with another, and may not pass it to ECS itself as a
// service's role (aws-facts.md: RunTask without iam:PassRole is
// AccessDeniedException, 400, with IAM's words; RegisterTaskDefinition the
// same, status 400, techservicesillinois/terraform-aws-ecs-service #4;
// CreateService's answer is unverified and taken to be RunTask's).
func TestEnforcePassRole(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	rootECS := ecs.NewFromConfig(rc.Config)
	createRole(t, root.iam, "task-ok")
	createRole(t, root.iam, "task-other")
	must(rootECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("default")}))(t)
	for _, r := range []string{"task-ok", "task-other"} {
		fargateTaskDef(t, rootECS, r, func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(roleArn(r)) })
	}
	dep, _ := newUser(t, root, rc.Config, nil, "deployer", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ecs:RunTask","ecs:DescribeTasks","ecs:RegisterTaskDefinition","ecs:CreateService"],"Resource":"*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::000000000000:role/task-ok",
		 "Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}`)
	depECS := ecsOf(t, rc, dep)
	deniedOther := denied(userArn+"deployer", "iam:PassRole", roleArn("task-other"))

	// RegisterTaskDefinition: the task role and the execution role.
	fargateTaskDef(t, depECS, "mine", func(in *ecs.RegisterTaskDefinitionInput) {
		in.TaskRoleArn, in.ExecutionRoleArn = aws.String(roleArn("task-ok")), aws.String(roleArn("task-ok"))
	})
	for _, mod := range []func(*ecs.RegisterTaskDefinitionInput){
		func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(roleArn("task-other")) },
		func(in *ecs.RegisterTaskDefinitionInput) { in.ExecutionRoleArn = aws.String(roleArn("task-other")) },
	} {
		in := &ecs.RegisterTaskDefinitionInput{Family: aws.String("mine"), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
			NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx")}}}
		mod(in)
		_, err := depECS.RegisterTaskDefinition(ctx, in)
		wantErr(t, err, 400, "AccessDeniedException", deniedOther)
	}

	// RunTask: the task definition's roles, and an override's.
	run := func(family string, overrides *ecstypes.TaskOverride) error {
		_, err := depECS.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String(family), LaunchType: ecstypes.LaunchTypeFargate,
			NetworkConfiguration: awsvpcNet, Overrides: overrides})
		return err
	}
	must(0, run("task-ok", nil))(t)
	wantErr(t, run("task-other", nil), 400, "AccessDeniedException", deniedOther)
	wantErr(t, run("task-ok", &ecstypes.TaskOverride{TaskRoleArn: aws.String(roleArn("task-other"))}), 400, "AccessDeniedException", deniedOther)

	// CreateService: the task definition's roles.
	create := func(name, family string) error {
		_, err := depECS.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String(name), TaskDefinition: aws.String(family),
			DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet})
		return err
	}
	must(0, create("ok", "task-ok"))(t)
	wantErr(t, create("other", "task-other"), 400, "AccessDeniedException", deniedOther)

	// The same role passed to ecs.amazonaws.com, as a load-balanced
	// service's role: iam:PassedToService does not match.
	must(rootECS.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{}))(t)
	must(rootECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("bridge"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(128),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}}}))(t)
	_, err := depECS.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("lb"), TaskDefinition: aws.String("bridge"),
		Role: aws.String("task-ok"), LoadBalancers: webTargetGroup, DesiredCount: aws.Int32(1)})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"deployer", "iam:PassRole", roleArn("task-ok")))
}

// TestEnforceBoundaryAndSessionPolicy: a permissions boundary caps an
// administrator; a session policy narrows a session.
func TestEnforceBoundaryAndSessionPolicy(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	readOnly := must(root.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read-only"), PolicyDocument: aws.String(allowIAMRead)}))(t).Policy.Arn
	must(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("capped"), PermissionsBoundary: readOnly}))(t)
	must(root.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("capped"), PolicyArn: aws.String(adminAccess)}))(t)
	k := must(root.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("capped")}))(t).AccessKey
	capped := clientsFor(withCreds(rc.Config, *k.AccessKeyId, *k.SecretAccessKey, ""), nil)
	must(capped.iam.ListRoles(ctx, nil))(t)
	_, err := capped.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
	wantErr(t, err, 403, "AccessDenied", "User: "+userArn+"capped is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::000000000000:role/x because no permissions boundary allows the iam:CreateRole action")

	// A session of an administrator role, narrowed to reading roles.
	createRole(t, root.iam, "admin", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	must(root.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("admin"), PolicyArn: aws.String(adminAccess)}))(t)
	alice, _ := newUser(t, root, rc.Config, nil, "alice", allowAssumeRole)
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("admin")), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`)}))(t)
	session := sessionClients(rc.Config, nil, out.Credentials)
	must(session.iam.ListRoles(ctx, nil))(t)
	_, err = session.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("admin")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::000000000000:assumed-role/admin/narrow is not authorized to perform: iam:GetRole on resource: role admin because no session policy allows the iam:GetRole action")
}

// TestEnforceExplicitDeny: a Deny beats every Allow.
func TestEnforceExplicitDeny(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	createRole(t, root.iam, "keep")
	ops, _ := newUser(t, root, rc.Config, nil, "ops", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Sid":"NoDeletes","Effect":"Deny","Action":"iam:DeleteRole","Resource":"*"}]}`)
	must(ops.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("keep")}))(t)
	_, err := ops.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("keep")})
	wantErr(t, err, 403, "AccessDenied", "User: "+userArn+"ops is not authorized to perform: iam:DeleteRole on resource: role keep with an explicit deny in an identity-based policy")

	// A managed policy's Deny is named by its ARN (since 2026: AWS
	// Security Blog, "Enhanced access denied error messages with policy
	// ARNs"); the inline one above is anonymous, as in AWS.
	guard := must(root.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("guard"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:UpdateRole","Resource":"*"}]}`)}))(t).Policy.Arn
	must(root.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ops"), PolicyArn: guard}))(t)
	_, err = ops.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("keep"), Description: aws.String("x")})
	wantErr(t, err, 403, "AccessDenied", "User: "+userArn+"ops is not authorized to perform: iam:UpdateRole on resource: role keep with an explicit deny in an identity-based policy: arn:aws:iam::000000000000:policy/guard")

	// So is a permissions boundary's, and a managed session policy's.
	fence := must(root.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("fence"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*"}]}`)}))(t).Policy.Arn
	must(root.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("ops"), PermissionsBoundary: fence}))(t)
	_, err = ops.iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", "User: "+userArn+"ops is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::000000000000:role/ with an explicit deny in a permissions boundary: arn:aws:iam::000000000000:policy/fence")

	createRole(t, root.iam, "admin", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	must(root.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("admin"), PolicyArn: aws.String(adminAccess)}))(t)
	out := must(ops.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("admin")), RoleSessionName: aws.String("guarded"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String(adminAccess)}, {Arn: fence}}}))(t)
	_, err = sessionClients(rc.Config, nil, out.Credentials).iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::000000000000:assumed-role/admin/guarded is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::000000000000:role/ with an explicit deny in a session policy: arn:aws:iam::000000000000:policy/fence")
}

// headerRecorder keeps the last response's headers.
type headerRecorder struct {
	mu   sync.Mutex
	last http.Header
}

func (h *headerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		h.mu.Lock()
		h.last = resp.Header.Clone()
		h.mu.Unlock()
	}
	return resp, err
}

func (h *headerRecorder) get(k string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last.Values(k)
}

// TestEnforceAudit: --enforce=audit lets a denied call through, says what
// AWS would have answered, and keeps the decision for explain-denied.
func TestEnforceAudit(t *testing.T) {
	rc := rolecalltest.RunT(t, rolecalltest.WithEnforce(rolecalltest.EnforceAudit))
	root := clientsFor(rc.Config, nil)
	_, key := newUser(t, root, rc.Config, nil, "dev", "")
	rec := &headerRecorder{}
	cfg := withCreds(rc.Config, *key.AccessKeyId, *key.SecretAccessKey, "")
	cfg.HTTPClient = &http.Client{Transport: rec}
	dev := iam.NewFromConfig(cfg)
	var reqID string
	out, err := dev.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
	if err != nil {
		t.Fatal(err)
	}
	reqID, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	want := denied(userArn+"dev", "iam:CreateRole", "arn:aws:iam::000000000000:role/app")
	if got := rec.get("X-Rolecall-Would-Deny"); len(got) != 1 || got[0] != want {
		t.Errorf("X-Rolecall-Would-Deny %q, want %q", got, want)
	}
	d := decision(t, rc, reqID)
	if d.Decision != "implicitDeny" || d.Enforced || d.Message != want || d.Action != "iam:CreateRole" {
		t.Errorf("decision %+v", d)
	}
	// Allowed calls say nothing.
	must(root.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t)
}

// TestEnforceOff: --enforce=off authorizes nothing.
func TestEnforceOff(t *testing.T) {
	rc := rolecalltest.RunT(t, rolecalltest.WithEnforce(rolecalltest.EnforceOff))
	root := clientsFor(rc.Config, nil)
	dev, _ := newUser(t, root, rc.Config, nil, "dev", "")
	must(dev.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)}))(t)
}

// TestEnforceDecisionEndpoint: a denied request's id leads to its
// decision, with the reasoning; root's requests are allowed and recorded.
func TestEnforceDecisionEndpoint(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	out := must(root.iam.ListRoles(ctx, nil))(t)
	rootID, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	if d := decision(t, rc, rootID); d.Decision != "allowed" || d.Principal != "arn:aws:iam::000000000000:root" {
		t.Errorf("root's decision %+v", d)
	}
	dev, _ := newUser(t, root, rc.Config, nil, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}`)
	createRole(t, root.iam, "red")
	_, err := dev.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("red")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:GetRole", "role red"))
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatal(err)
	}
	d := decision(t, rc, re.ServiceRequestID())
	if d.Decision != "implicitDeny" || !d.Enforced || d.Resources[0] != roleArn("red") || len(d.Missing) != 1 || d.Missing[0] != "aws:ResourceTag/team" {
		t.Errorf("decision %+v", d)
	}
	// Tagged blue, the same call is allowed.
	must(root.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("red"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))(t)
	must(dev.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("red")}))(t)

	resp := getDecisions(t, rc, "/no-such-request", rootCreds)
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown request: %d", resp.StatusCode)
	}
}

type decisionJSON struct {
	Decision, Principal, Action, Message string
	Enforced                             bool
	Resources                            []string
	Missing                              []string `json:"missingContextKeys"`
}

// decision reads a request's decision as `rolecall explain-denied` does:
// signed by the account's root.
func decision(t *testing.T, rc *rolecalltest.Server, id string) decisionJSON {
	t.Helper()
	resp := getDecisions(t, rc, "/"+id, rootCreds)
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("decision %s: HTTP %d", id, resp.StatusCode)
	}
	var d decisionJSON
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestEnforceECSTags: ECS requests carry the cluster's tags
// (aws:ResourceTag) and the request's (aws:RequestTag); tagging on
// create also needs ecs:TagResource (ecs_settings_test.go).
func TestEnforceECSTags(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	rootECS := ecs.NewFromConfig(rc.Config)
	for _, team := range []string{"blue", "red"} {
		must(rootECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(team), Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String(team)}}}))(t)
	}
	dev, _ := newUser(t, root, rc.Config, nil, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:DescribeClusters","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}},
		{"Effect":"Allow","Action":"ecs:CreateCluster","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"}}},
		{"Effect":"Allow","Action":"ecs:TagResource","Resource":"*","Condition":{"StringEquals":{"ecs:CreateAction":"CreateCluster"}}}]}`)
	c := ecsOf(t, rc, dev)
	out := must(c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"blue"}}))(t)
	if len(out.Clusters) != 1 || aws.ToString(out.Clusters[0].ClusterName) != "blue" {
		t.Errorf("clusters %+v", out.Clusters)
	}
	_, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"blue", "red"}})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"dev", "ecs:DescribeClusters", "arn:aws:ecs:us-east-1:000000000000:cluster/red"))
	must(c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("blue2"), Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))(t)
	_, err = c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("plain")})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"dev", "ecs:CreateCluster", "arn:aws:ecs:us-east-1:000000000000:cluster/plain"))
}

// TestEnforceNoSLRPermissionThenCreateService is the failure the ECS
// service-linked role page describes: a deployer allowed ECS but not
// iam:CreateServiceLinkedRole creates a cluster (ECS creates it without the
// role), and the first service then fails because ECS cannot act.
func TestEnforceNoSLRPermissionThenCreateService(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	deployer, _ := newUser(t, root, rc.Config, nil, "deployer",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`)
	c := ecsOf(t, rc, deployer)

	must(c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("web")}))(t)
	_, err := root.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name AWSServiceRoleForECS cannot be found.")

	fargateTaskDef(t, c, "web")
	_, err = c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("web"), ServiceName: aws.String("web"),
		TaskDefinition: aws.String("web"), DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet})
	wantErr(t, err, 400, "InvalidParameterException", noSLR)

	// The fix the page gives: someone allowed to creates the role once.
	must(root.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)
	svc := must(c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("web"), ServiceName: aws.String("web"),
		TaskDefinition: aws.String("web"), DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Service
	if aws.ToString(svc.Status) != "ACTIVE" {
		t.Errorf("service status %q, want ACTIVE", aws.ToString(svc.Status))
	}
}

// getDecisions GETs /_rolecall/decisions+path signed with creds.
func getDecisions(t *testing.T, rc *rolecalltest.Server, path string, creds aws.Credentials) *http.Response {
	t.Helper()
	req := must(http.NewRequestWithContext(ctx, http.MethodGet, rc.Endpoint+"/_rolecall/decisions"+path, nil))(t)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, sha(""), "rolecall", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return must(http.DefaultClient.Do(req))(t)
}
