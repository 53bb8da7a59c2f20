package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The role decisions ECS makes, each failing where and as AWS's does
// (../shared/data/aws-facts.md, ECS): a task role ECS cannot assume stops
// the task; the legacy service role must trust ecs.amazonaws.com and allow
// the load balancer calls; without it ECS acts through
// AWSServiceRoleForECS and records its use; a running task's role
// credentials work for a local program.

const (
	targetGroupText      = "Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions."
	ecsServiceRolePolicy = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceRole"
	ecsTargetGroup       = "arn:aws:elasticloadbalancing:us-east-1:" + account + ":targetgroup/web/0123456789abcdef"
)

func unableToAssumeText(roleArn string) string {
	return "ECS was unable to assume the role '" + roleArn + "' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role."
}

// bridgeService sets up what a load-balanced EC2 service needs: a cluster,
// a container instance and a bridge task definition.
func (e *ecsEnv) bridgeService(t *testing.T) {
	t.Helper()
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	must(e.ecs.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{}))(t)
	must(e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("bridge"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(128),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}}}))(t)
}

var webTargetGroup = []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(ecsTargetGroup), ContainerName: aws.String("web"), ContainerPort: aws.Int32(80)}}

// servicesAccessed is the Access Advisor report of an entity: namespace ->
// last authenticated.
func servicesAccessed(t *testing.T, c *iam.Client, entityArn string) map[string]*time.Time {
	t.Helper()
	id := generateReport(t, c, entityArn, "")
	out := must(c.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(id)}))(t)
	m := map[string]*time.Time{}
	for _, s := range out.ServicesLastAccessed {
		m[aws.ToString(s.ServiceNamespace)] = s.LastAuthenticated
	}
	return m
}

// A task role that trusts ecs.amazonaws.com instead of
// ecs-tasks.amazonaws.com: RunTask answers the task, which stops without
// starting, with AWS's reason; a service records AWS's event instead.
func TestECSTaskRoleTrustingTheWrongService(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	wrong := e.role(t, "wrongTaskRole", ecsTrust)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(wrong) })

	task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	if aws.ToString(task.LastStatus) != "PROVISIONING" {
		t.Errorf("RunTask answered %s", aws.ToString(task.LastStatus))
	}
	e.clock.Advance(time.Second)
	got := must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn)}}))(t).Tasks[0]
	if aws.ToString(got.LastStatus) != "STOPPED" || got.StopCode != ecstypes.TaskStopCodeTaskFailedToStart || aws.ToString(got.StoppedReason) != unableToAssumeText(wrong) {
		t.Errorf("task %s %s %q", aws.ToString(got.LastStatus), got.StopCode, aws.ToString(got.StoppedReason))
	}
	// The role was never assumed.
	r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("wrongTaskRole")}))(t).Role
	if r.RoleLastUsed != nil && r.RoleLastUsed.LastUsedDate != nil {
		t.Errorf("RoleLastUsed %+v", r.RoleLastUsed)
	}

	svc := must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("app"), TaskDefinition: aws.String("app"),
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Service
	if svc.PendingCount != 0 || len(svc.Events) != 1 || aws.ToString(svc.Events[0].Message) != "(service app) failed to launch a task with (error "+unableToAssumeText(wrong)+")" {
		t.Errorf("service events %+v", svc.Events)
	}

	// Fixed trust: the next launch assumes it, in a session named after
	// the task.
	must(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("wrongTaskRole"), PolicyDocument: aws.String(ecsTasksTrust)}))(t)
	task = must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	e.clock.Advance(time.Second)
	got = must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn)}}))(t).Tasks[0]
	if aws.ToString(got.LastStatus) != "RUNNING" {
		t.Errorf("task %s %q", aws.ToString(got.LastStatus), aws.ToString(got.StoppedReason))
	}
	r = must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("wrongTaskRole")}))(t).Role
	if r.RoleLastUsed == nil || aws.ToString(r.RoleLastUsed.Region) != "us-east-1" {
		t.Errorf("RoleLastUsed %+v", r.RoleLastUsed)
	}
}

// The legacy ecsServiceRole: ecs.amazonaws.com must be able to assume it,
// and its policies must allow the load balancer calls; either failing is
// AWS's targetGroupArn text. With AmazonEC2ContainerServiceRole attached
// the service starts and registers its task, and the role's use is
// recorded.
func TestECSLegacyServiceRole(t *testing.T) {
	e := newECSEnv(t)
	e.bridgeService(t)
	arn := e.role(t, "ecsServiceRole", ecsTasksTrust) // the wrong service
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsServiceRole"), PolicyArn: aws.String(ecsServiceRolePolicy)}))(t)
	create := func() (*ecs.CreateServiceOutput, error) {
		return e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("bridge"),
			Role: aws.String("ecsServiceRole"), LoadBalancers: webTargetGroup, DesiredCount: aws.Int32(1)})
	}
	_, err := create()
	wantErr(t, err, 400, "InvalidParameterException", targetGroupText)

	// Trusted, but without the load balancer permissions.
	must(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ecsServiceRole"), PolicyDocument: aws.String(ecsTrust)}))(t)
	must(e.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("ecsServiceRole"), PolicyArn: aws.String(ecsServiceRolePolicy)}))(t)
	_, err = create()
	wantErr(t, err, 400, "InvalidParameterException", targetGroupText)
	// Describing is not enough: registering is what ECS does with it.
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ecsServiceRole"), PolicyName: aws.String("describe"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"elasticloadbalancing:Describe*","Resource":"*"}]}`)}))(t)
	_, err = create()
	wantErr(t, err, 400, "InvalidParameterException", targetGroupText)
	// Classic Load Balancers have their own text.
	_, err = e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("classic"), TaskDefinition: aws.String("bridge"), Role: aws.String("ecsServiceRole"),
		LoadBalancers: []ecstypes.LoadBalancer{{LoadBalancerName: aws.String("web"), ContainerName: aws.String("web"), ContainerPort: aws.Int32(80)}}})
	wantErr(t, err, 400, "InvalidParameterException", "Unable to assume role and validate the listeners configured on your load balancer. Please verify that the ECS service role being passed has the proper permissions.")

	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsServiceRole"), PolicyArn: aws.String(ecsServiceRolePolicy)}))(t)
	svc := must(create())(t).Service
	if aws.ToString(svc.RoleArn) != arn || svc.PendingCount != 1 || len(svc.Events) < 2 ||
		aws.ToString(svc.Events[0].Message) != "(service web) registered 1 targets in (target-group "+ecsTargetGroup+")" {
		t.Errorf("service %s pending %d events %+v", aws.ToString(svc.RoleArn), svc.PendingCount, svc.Events)
	}
	r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ecsServiceRole")}))(t).Role
	if r.RoleLastUsed == nil || r.RoleLastUsed.LastUsedDate == nil || aws.ToString(r.RoleLastUsed.Region) != "us-east-1" {
		t.Errorf("RoleLastUsed %+v", r.RoleLastUsed)
	}
	if got := servicesAccessed(t, e.iam, arn); got["elasticloadbalancing"] == nil {
		t.Errorf("Access Advisor %v", got)
	}

	// The permission taken away later: the next task starts, and its
	// registration fails as a service event with the role's AccessDenied.
	must(e.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("ecsServiceRole"), PolicyArn: aws.String(ecsServiceRolePolicy)}))(t)
	up := must(e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), DesiredCount: aws.Int32(2)}))(t).Service
	want := "(service web) failed to register targets in (target-group " + ecsTargetGroup + ") with (error User: arn:aws:sts::" + account +
		":assumed-role/ecsServiceRole/ecs-service-scheduler is not authorized to perform: elasticloadbalancing:RegisterTargets on resource: " +
		ecsTargetGroup + " because no identity-based policy allows the elasticloadbalancing:RegisterTargets action)"
	if len(up.Events) < 2 || aws.ToString(up.Events[0].Message) != want || !strings.HasPrefix(aws.ToString(up.Events[1].Message), "(service web) has started 1 tasks") {
		t.Errorf("events %+v", up.Events)
	}
}

// Without a role ECS acts through AWSServiceRoleForECS: its
// AmazonECSServiceRolePolicy allows the load balancer and network
// interface calls, and their use is the role's RoleLastUsed and Access
// Advisor.
func TestECSServiceLinkedRoleRecordsUse(t *testing.T) {
	e := newECSEnv(t)
	e.bridgeService(t)
	slr := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")}))(t).Role
	if slr.RoleLastUsed != nil && slr.RoleLastUsed.LastUsedDate != nil {
		t.Fatalf("fresh SLR RoleLastUsed %+v", slr.RoleLastUsed)
	}
	svc := must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("bridge"),
		LoadBalancers: webTargetGroup, DesiredCount: aws.Int32(1)}))(t).Service
	if aws.ToString(svc.RoleArn) != "" || len(svc.Events) < 2 || aws.ToString(svc.Events[0].Message) != "(service web) registered 1 targets in (target-group "+ecsTargetGroup+")" {
		t.Errorf("service %s events %+v", aws.ToString(svc.RoleArn), svc.Events)
	}
	slr = must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")}))(t).Role
	if slr.RoleLastUsed == nil || slr.RoleLastUsed.LastUsedDate == nil || aws.ToString(slr.RoleLastUsed.Region) != "us-east-1" {
		t.Errorf("SLR RoleLastUsed %+v", slr.RoleLastUsed)
	}
	// A Fargate task in another Region: the network interface, through
	// the same role.
	west := e.ecsIn("eu-west-1")
	must(west.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	fargateTaskDef(t, west, "app")
	must(west.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t)
	slr = must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")}))(t).Role
	if aws.ToString(slr.RoleLastUsed.Region) != "eu-west-1" {
		t.Errorf("SLR RoleLastUsed %+v", slr.RoleLastUsed)
	}
	got := servicesAccessed(t, e.iam, aws.ToString(slr.Arn))
	for _, ns := range []string{"elasticloadbalancing", "ec2"} {
		if got[ns] == nil {
			t.Errorf("Access Advisor lacks %s: %v", ns, got)
		}
	}
}

// taskEnv asks rolecall, as `rolecall task env` does (a SigV4-signed GET
// with the account's root keys), where a task's credentials are served.
func taskEnv(t *testing.T, e *ecsEnv, taskArn, accessKey, secret, token string) (status int, body map[string]string) {
	t.Helper()
	req := must(http.NewRequestWithContext(ctx, http.MethodGet, e.rc.Endpoint+"/_rolecall/ecs/task-env?task="+url.QueryEscape(taskArn), nil))(t)
	empty := sha256.Sum256(nil)
	creds := must(credentials.NewStaticCredentialsProvider(accessKey, secret, token).Retrieve(ctx))(t)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(empty[:]), "ecs", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp := must(http.DefaultClient.Do(req))(t)
	defer resp.Body.Close()
	body = map[string]string{}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// A running task's role credentials, used by a second SDK client through
// the container credentials provider: it acts as the task role's session,
// with the role's permissions and no more.
func TestECSTaskCredentialsForALocalProgram(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	roleArn := e.role(t, "appTaskRole", ecsTasksTrust)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("appTaskRole"), PolicyName: aws.String("self"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"` + roleArn + `"}]}`)}))(t)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(roleArn) })
	fargateTaskDef(t, e.ecs, "plain")
	task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	taskArn := aws.ToString(task.TaskArn)
	taskID := taskArn[strings.LastIndexByte(taskArn, '/')+1:]
	e.clock.Advance(time.Second) // RUNNING

	status, env := taskEnv(t, e, taskArn, "test", "test", "")
	if status != 200 || env["RoleArn"] != roleArn || env["CredentialsPath"] != "/_rolecall/ecs/credentials/"+taskID || env["AuthorizationToken"] == "" {
		t.Fatalf("task-env %d %v", status, env)
	}

	// The program's client: container credentials only.
	provider := endpointcreds.New(e.rc.Endpoint+env["CredentialsPath"], func(o *endpointcreds.Options) {
		o.AuthorizationToken = env["AuthorizationToken"]
	})
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(e.rc.Endpoint), Credentials: aws.NewCredentialsCache(provider), RetryMaxAttempts: 1}
	who := must(sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	role := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("appTaskRole")}))(t).Role
	if aws.ToString(who.Arn) != "arn:aws:sts::"+account+":assumed-role/appTaskRole/"+taskID ||
		aws.ToString(who.UserId) != aws.ToString(role.RoleId)+":"+taskID || aws.ToString(who.Account) != account {
		t.Errorf("GetCallerIdentity %s %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId), aws.ToString(who.Account))
	}
	creds := must(cfg.Credentials.Retrieve(ctx))(t)
	if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || creds.SessionToken == "" || !creds.CanExpire || creds.Expires.Before(time.Now().Add(50*time.Minute)) {
		t.Errorf("credentials %s expire %v", creds.AccessKeyID, creds.Expires)
	}
	// The role's permissions, enforced.
	app := iam.NewFromConfig(cfg)
	must(app.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("appTaskRole")}))(t)
	_, err := app.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::"+account+":assumed-role/appTaskRole/"+taskID+
		" is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::"+account+":role/x because no identity-based policy allows the iam:CreateRole action")

	// The endpoint's own answers.
	get := func(path, token string) (int, map[string]string) {
		t.Helper()
		req := must(http.NewRequestWithContext(ctx, http.MethodGet, e.rc.Endpoint+path, nil))(t)
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		resp := must(http.DefaultClient.Do(req))(t)
		defer resp.Body.Close()
		m := map[string]string{}
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	if code, m := get(env["CredentialsPath"], env["AuthorizationToken"]); code != 200 || m["RoleArn"] != roleArn || m["AccessKeyId"] == "" || m["Token"] == "" || m["SecretAccessKey"] == "" ||
		!strings.HasSuffix(m["Expiration"], "Z") || len(m) != 5 {
		t.Errorf("credentials %d %v", code, m)
	}
	if code, m := get(env["CredentialsPath"], "wrong"); code != 400 || m["code"] != "InvalidIdInRequest" || m["message"] != "TaskCredentialsRequest: Credentials not found" {
		t.Errorf("wrong token %d %v", code, m)
	}
	if code, m := get(env["CredentialsPath"], ""); code != 401 || m["code"] != "NoAuthorizationToken" {
		t.Errorf("no token %d %v", code, m)
	}

	// Who may ask: a user of the account without iam:PassRole may not.
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))(t)
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("ecs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`)}))(t)
	key := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))(t).AccessKey
	status, denied := taskEnv(t, e, taskArn, aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), "")
	if status != 400 || denied["__type"] != "AccessDeniedException" || denied["message"] != "User: arn:aws:iam::"+account+
		":user/dev is not authorized to perform: iam:PassRole on resource: "+roleArn+" because no identity-based policy allows the iam:PassRole action" {
		t.Errorf("task-env as dev: %d %v", status, denied)
	}
	plain := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("plain"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	if status, m := taskEnv(t, e, aws.ToString(plain.TaskArn), "test", "test", ""); status != 400 || m["__type"] != "InvalidParameterException" ||
		m["message"] != "The task "+aws.ToString(plain.TaskArn)+" has no task role (taskRoleArn), so it has no role credentials." {
		t.Errorf("task-env without a task role: %d %v", status, m)
	}

	// Stopped: the credentials are gone, as the agent's are.
	must(e.ecs.StopTask(ctx, &ecs.StopTaskInput{Task: task.TaskArn}))(t)
	e.clock.Advance(time.Second)
	if code, m := get(env["CredentialsPath"], env["AuthorizationToken"]); code != 400 || m["code"] != "InvalidIdInRequest" {
		t.Errorf("after stop %d %v", code, m)
	}
}

// The ECS agent registers its instance with the credentials of the
// instance role in the instance's profile (the session EC2 names after the
// instance): the role's policies must allow ecs:RegisterContainerInstance,
// which AmazonEC2ContainerServiceforEC2Role does. EC2 is stood in for by a
// user the role also trusts.
func TestECSAgentRegistersWithTheInstanceRole(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
	e.role(t, "ecsInstanceRole", trust)
	must(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")}))(t)
	must(e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("ecsInstanceRole")}))(t)
	ec2, _ := newUser(t, clientsFor(e.rc.Config, nil), e.rc.Config, nil, "ec2",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	const instanceID = "i-0abc1234567890def"
	creds := must(ec2.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("ecsInstanceRole")), RoleSessionName: aws.String(instanceID)}))(t).Credentials
	agent := ecs.NewFromConfig(withCreds(e.rc.Config, aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken)))
	register := func() (*ecs.RegisterContainerInstanceOutput, error) {
		return agent.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{
			InstanceIdentityDocument: aws.String(`{"instanceId":"` + instanceID + `","region":"us-east-1","availabilityZone":"us-east-1a"}`)})
	}
	_, err := register()
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:sts::"+account+":assumed-role/ecsInstanceRole/"+instanceID+
		" is not authorized to perform: ecs:RegisterContainerInstance on resource: "+clusterARN("us-east-1", "default")+
		" because no identity-based policy allows the ecs:RegisterContainerInstance action")

	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsInstanceRole"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")}))(t)
	ci := must(register())(t).ContainerInstance
	if aws.ToString(ci.Ec2InstanceId) != instanceID || aws.ToString(ci.Status) != "ACTIVE" || !ci.AgentConnected {
		t.Errorf("container instance %+v", ci)
	}
	r := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ecsInstanceRole")}))(t).Role
	if r.RoleLastUsed == nil || aws.ToString(r.RoleLastUsed.Region) != "us-east-1" {
		t.Errorf("RoleLastUsed %+v", r.RoleLastUsed)
	}
}
