package integration

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// An adversarial review's findings about the roles ECS, EC2 and their
// agents use, each the test that tried to get around a decision.

// Describing instances gives no way to their role's credentials: the list
// has no metadata endpoints (only who may start a session on an instance
// gets its endpoint), and it is the Region's whose ec2:DescribeInstances
// was decided.
func TestInstanceListGivesNoCredentials(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	instanceProfile(t, root.iam, "ecsInstanceRole", ec2Trust)
	if status, inst := launchInstance(t, rc, "ecsInstanceRole", rootCreds); status != 200 || inst["MetadataEndpoint"] == nil {
		t.Fatalf("launch as root: %d %v", status, inst)
	}
	_, k := newUser(t, root, rc.Config, nil, "viewer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`)
	viewer := aws.Credentials{AccessKeyID: aws.ToString(k.AccessKeyId), SecretAccessKey: aws.ToString(k.SecretAccessKey)}
	status, body := ec2Endpoint(t, rc, http.MethodGet, "instances?region=us-east-1", viewer)
	list, _ := body["Instances"].([]any)
	if status != 200 || len(list) != 1 {
		t.Fatalf("list: %d %v", status, body)
	}
	if ep, ok := list[0].(map[string]any)["MetadataEndpoint"]; ok {
		t.Errorf("the list gives the metadata endpoint %v to a principal without ssm:StartSession", ep)
	}
	if status, body := ec2Endpoint(t, rc, http.MethodGet, "instances?region=us-west-2", viewer); status != 403 {
		t.Errorf("list in a Region not allowed: %d %v", status, body)
	}
	_, k = newUser(t, root, rc.Config, nil, "west", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`)
	west := aws.Credentials{AccessKeyID: aws.ToString(k.AccessKeyId), SecretAccessKey: aws.ToString(k.SecretAccessKey)}
	if status, body := ec2Endpoint(t, rc, http.MethodGet, "instances?region=us-west-2", west); status != 200 || len(body["Instances"].([]any)) != 0 {
		t.Errorf("us-west-2 lists us-east-1's instance: %d %v", status, body)
	}
}

// agentInstance launches an instance with profile (root), registers its
// container instance in cluster prod with the instance's role credentials,
// and registers a task definition that pulls from ECR; run starts a task
// on it and answers the task once its launch is over.
func agentInstance(t *testing.T, e *ecsEnv, profile string) (id string, ci *ecstypes.ContainerInstance, run func() ecstypes.Task) {
	t.Helper()
	status, inst := launchInstance(t, e.rc, profile, rootCreds)
	if status != 200 {
		t.Fatalf("launch: %d %v", status, inst)
	}
	id = inst["InstanceId"].(string)
	instanceEnv(t, e.rc, inst["MetadataEndpoint"].(string))
	agent := ecs.NewFromConfig(must(config.LoadDefaultConfig(ctx))(t))
	ci = must(agent.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("prod")}))(t).ContainerInstance
	must(e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String(ecrImage), Memory: aws.Int32(128)}}}))(t)
	run = func() ecstypes.Task {
		task := must(e.ecs.StartTask(ctx, &ecs.StartTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("web"), ContainerInstances: []string{aws.ToString(ci.ContainerInstanceArn)}}))(t).Tasks[0]
		e.clock.Advance(time.Second)
		return must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: []string{aws.ToString(task.TaskArn)}}))(t).Tasks[0]
	}
	return id, ci, run
}

// The agent acts with the role its instance is given now: the profile's
// role replaced, the new one decides the pull; the role deleted and made
// again in no profile, the agent has no credentials; the instance
// terminated, its tasks cannot start.
func TestContainerInstanceRoleIsTheInstancesNow(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	instanceProfile(t, e.iam, "ecsInstanceRole", ec2Trust)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsInstanceRole"), PolicyArn: aws.String(ec2ContainerServiceForEC2Role)}))(t)
	id, _, run := agentInstance(t, e, "ecsInstanceRole")
	if got := run(); aws.ToString(got.LastStatus) != "RUNNING" {
		t.Fatalf("with the instance role: %s %q", aws.ToString(got.LastStatus), aws.ToString(got.StoppedReason))
	}

	// Replaced in the profile by a role that may not read ECR.
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("restricted"), AssumeRolePolicyDocument: aws.String(ec2Trust)}))(t)
	must(e.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("ecsInstanceRole")}))(t)
	must(e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("restricted")}))(t)
	wantStopped(t, run(), "CannotPullECRContainerError: AccessDeniedException: User: arn:aws:sts::"+account+":assumed-role/restricted/"+id+
		" is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action status code: 400, request id: ID")

	// No role in the profile: no credentials.
	must(e.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("restricted")}))(t)
	wantStopped(t, run(), "CannotPullECRContainerError: NoCredentialProviders: no valid providers in chain. Deprecated.")

	if status, body := ec2Endpoint(t, e.rc, http.MethodDelete, "instances/"+id, rootCreds); status != 200 {
		t.Fatalf("terminate: %d %v", status, body)
	}
	wantStopped(t, run(), "Host EC2 (instance "+id+") terminated.")
}

// Only an instance's own role credentials register its container
// instance: a user naming the instance in an identity document (AWS's are
// signed by EC2, which only the instance can show), or re-registering its
// container instance by ARN, is refused, and the instance role's refusals
// stay.
func TestContainerInstanceCannotBeTakenOver(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	instanceProfile(t, e.iam, "agentOnly", ec2Trust)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("agentOnly"), PolicyName: aws.String("agent"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:RegisterContainerInstance"],"Resource":"*"}]}`)}))(t)
	id, ci, run := agentInstance(t, e, "agentOnly")
	mallory := userClient(t, e, "mallory", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:RegisterContainerInstance","Resource":"*"}]}`)
	want := "The container instance of EC2 instance " + id + " can be registered only with that instance's role credentials (its instance identity document is signed by EC2)."
	_, err := mallory.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("prod"),
		InstanceIdentityDocument: aws.String(`{"instanceId":"` + id + `","region":"us-east-1","accountId":"` + account + `"}`)})
	wantErr(t, err, 400, "ClientException", want)
	_, err = mallory.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("prod"), ContainerInstanceArn: ci.ContainerInstanceArn})
	wantErr(t, err, 400, "ClientException", want)
	if got := run(); aws.ToString(got.LastStatus) != "STOPPED" {
		t.Errorf("the instance role's refusal is gone: task %s", aws.ToString(got.LastStatus))
	}
}

// A role deleted and made again under its name is another role: the
// metadata service gives a session of the new one, not the dead session
// of the old.
func TestInstanceCredentialsOfARoleMadeAgain(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	instanceProfile(t, root.iam, "app", ec2Trust)
	list := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`
	must(root.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(list)}))(t)
	status, inst := launchInstance(t, rc, "app", rootCreds)
	if status != 200 {
		t.Fatalf("launch: %d %v", status, inst)
	}
	endpoint := inst["MetadataEndpoint"].(string)
	creds := func() map[string]string {
		tok := imdsToken(t, endpoint)
		_, body, _ := imdsDo(t, endpoint, http.MethodGet, "/latest/meta-data/iam/security-credentials/app", "X-aws-ec2-metadata-token", tok)
		var c map[string]string
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			t.Fatalf("credentials %q: %v", body, err)
		}
		return c
	}
	listRoles := func(c map[string]string) error {
		cfg := rc.Config.Copy()
		cfg.Credentials = credentials.NewStaticCredentialsProvider(c["AccessKeyId"], c["SecretAccessKey"], c["Token"])
		_, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{})
		return err
	}
	first := creds()
	if err := listRoles(first); err != nil {
		t.Fatalf("first session: %v", err)
	}
	must(root.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("app"), RoleName: aws.String("app")}))(t)
	must(root.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p")}))(t)
	must(root.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")}))(t)
	must(root.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ec2Trust)}))(t)
	must(root.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(list)}))(t)
	must(root.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("app"), RoleName: aws.String("app")}))(t)
	second := creds()
	if second["AccessKeyId"] == first["AccessKeyId"] {
		t.Errorf("the dead session %s is served again", first["AccessKeyId"])
	}
	if err := listRoles(second); err != nil {
		t.Errorf("the new role's session: %v", err)
	}
}

// A decision about another account's role, read back by the caller's
// account, shows nothing of the role but what AWS's answer says: not its
// tags, not its boundary.
func TestDecisionRecordsKeepOtherAccountsRolesPrivate(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	fargateTaskDef(t, e.ecs, "web")
	bIAM := iam.NewFromConfig(withCreds(e.rc.Config, "111122223333", "test", ""))
	bRole := aws.ToString(must(bIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("payments-admin"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust),
		PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/AdministratorAccess"),
		Tags:                []iamtypes.Tag{{Key: aws.String("cost-center"), Value: aws.String("secret-project-x")}}}))(t).Role.Arn)
	_, err := e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("web"), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: awsvpcNet, Overrides: &ecstypes.TaskOverride{TaskRoleArn: aws.String(bRole)}})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("RunTask with another account's task role: %v", err)
	}
	resp := getDecisions(t, e.rc, "/"+re.ServiceRequestID(), rootCreds)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var d struct {
		Decision string
		Context  map[string][]string
	}
	if err := json.Unmarshal(b, &d); err != nil || d.Decision == "" || len(d.Context["iam:PassedToService"]) == 0 {
		t.Fatalf("decision %s: %v", b, err)
	}
	for k := range d.Context {
		if k == "aws:ResourceTag/cost-center" || k == "iam:ResourceTag/cost-center" || k == "iam:PermissionsBoundary" {
			t.Errorf("account %s's decision shows account 111122223333's role's %s: %v", account, k, d.Context[k])
		}
	}
}

// A Managed Instances provider's instance profile is named by its own ARN:
// another path, another kind of ARN or another account's names none, on
// create and on update.
func TestManagedInstancesProfileIsTheAccounts(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	infra := e.role(t, "ecsInfrastructureRole", ecsTrust)
	e.managedInstances(t, infra, "ecsInstanceRole")
	bad := []string{
		"arn:aws:iam::" + account + ":instance-profile/not/its/path/ecsInstanceRole",
		"arn:aws:iam::" + account + ":role/ecsInstanceRole",
		"arn:aws:ecs:us-east-1:" + account + ":cluster/ecsInstanceRole",
		"arn:aws:iam::111122223333:instance-profile/ecsInstanceRole",
	}
	for i, arn := range bad {
		p := miProvider(infra, "x")
		p.InstanceLaunchTemplate.Ec2InstanceProfileArn = aws.String(arn)
		_, err := e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("mi" + string(rune('a'+i))), Cluster: aws.String("prod"), ManagedInstancesProvider: p})
		wantErr(t, err, 400, "InvalidParameterException", "The instance profile "+arn+" is not valid. Specify an existing instance profile and try again.")
	}
	must(e.ecs.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("mi"), Cluster: aws.String("prod"), ManagedInstancesProvider: miProvider(infra, "ecsInstanceRole")}))(t)
	for _, arn := range bad {
		_, err := e.ecs.UpdateCapacityProvider(ctx, &ecs.UpdateCapacityProviderInput{Name: aws.String("mi"), Cluster: aws.String("prod"),
			ManagedInstancesProvider: &ecstypes.UpdateManagedInstancesProviderConfiguration{InfrastructureRoleArn: aws.String(infra),
				InstanceLaunchTemplate: &ecstypes.InstanceLaunchTemplateUpdate{Ec2InstanceProfileArn: aws.String(arn)}}})
		wantErr(t, err, 400, "InvalidParameterException", "The instance profile "+arn+" is not valid. Specify an existing instance profile and try again.")
	}
}
