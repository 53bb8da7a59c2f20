package integration

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/rolecalltest"
)

// The container instance role, used as AWS uses it: EC2 launches an
// instance with an instance profile (ec2:RunInstances and iam:PassRole of
// its role to ec2.amazonaws.com), and delivers the role's credentials to
// the instance through its instance metadata service (IMDSv2); the ECS
// agent on it registers the instance with them.

const ec2ContainerServiceForEC2Role = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"

// instanceProfile creates role (with trust) in an instance profile of the
// same name, and answers the profile's ARN.
func instanceProfile(t *testing.T, c *iam.Client, role, trust string) string {
	t.Helper()
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(trust)}))(t)
	p := must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(role)}))(t).InstanceProfile
	must(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(role), RoleName: aws.String(role)}))(t)
	return aws.ToString(p.Arn)
}

// ec2Endpoint calls rolecall's instances endpoint, signed for service
// "rolecall" with creds, and answers the status and the JSON body.
func ec2Endpoint(t *testing.T, rc *rolecalltest.Server, method, path string, creds aws.Credentials) (int, map[string]any) {
	t.Helper()
	resp := rolecallRequest(t, rc, method, "/_rolecall/ec2/"+path, "", creds)
	defer resp.Body.Close()
	body := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func launchInstance(t *testing.T, rc *rolecalltest.Server, profile string, creds aws.Credentials) (int, map[string]any) {
	t.Helper()
	return ec2Endpoint(t, rc, http.MethodPost, "instances?"+url.Values{"instanceProfile": {profile}, "region": {"us-east-1"}}.Encode(), creds)
}

// imdsDo makes one request of an instance metadata service.
func imdsDo(t *testing.T, endpoint, method, path string, header ...string) (int, string, error) {
	t.Helper()
	req := must(http.NewRequestWithContext(ctx, method, strings.TrimSuffix(endpoint, "/")+path, nil))(t)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func imdsToken(t *testing.T, endpoint string) string {
	t.Helper()
	code, tok, err := imdsDo(t, endpoint, http.MethodPut, "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "21600")
	if err != nil || code != 200 {
		t.Fatalf("token: %d %v", code, err)
	}
	return tok
}

// instanceEnv sets the environment `rolecall instance env` prints, and
// nothing else the SDKs read credentials from.
func instanceEnv(t *testing.T, rc *rolecalltest.Server, metadataEndpoint string) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_EC2_METADATA_DISABLED"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", metadataEndpoint)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv4")
	t.Setenv("AWS_ENDPOINT_URL", rc.Endpoint)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_DEFAULT_REGION", "us-east-1")
}

// Launching with an instance profile needs ec2:RunInstances and
// iam:PassRole of its role to ec2.amazonaws.com; a refused launch leaves
// no instance.
func TestInstanceLaunchNeedsPassRole(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	instanceProfile(t, root.iam, "ecsInstanceRole", ec2Trust)
	roleArn := "arn:aws:iam::" + account + ":role/ecsInstanceRole"
	userCreds := func(name, doc string) aws.Credentials {
		_, k := newUser(t, root, rc.Config, nil, name, doc)
		return aws.Credentials{AccessKeyID: aws.ToString(k.AccessKeyId), SecretAccessKey: aws.ToString(k.SecretAccessKey)}
	}
	nothing := userCreds("nobody", "")
	runOnly := userCreds("dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:RunInstances","ec2:DescribeInstances"],"Resource":"*"}]}`)
	wrongService := userCreds("ecsdeployer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}`)
	allowed := userCreds("ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"arn:aws:ec2:*:*:instance/*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+roleArn+`","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"},
		"StringLike":{"iam:AssociatedResourceArn":"arn:aws:ec2:us-east-1:`+account+`:instance/*"}}}]}`)

	status, body := launchInstance(t, rc, "ecsInstanceRole", nothing)
	if status != 403 || body["__type"] != "UnauthorizedOperation" || !encodedAfter(body["message"], "You are not authorized to perform this operation. User: arn:aws:iam::"+account+
		":user/nobody is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:"+account+":instance/* because no identity-based policy allows the ec2:RunInstances action") {
		t.Errorf("without ec2:RunInstances: %d %v", status, body)
	}
	for user, creds := range map[string]aws.Credentials{"dev": runOnly, "ecsdeployer": wrongService} {
		status, body = launchInstance(t, rc, "ecsInstanceRole", creds)
		if status != 403 || body["__type"] != "UnauthorizedOperation" || !encodedAfter(body["message"], "You are not authorized to perform this operation. User: arn:aws:iam::"+account+
			":user/"+user+" is not authorized to perform: iam:PassRole on resource: "+roleArn+" because no identity-based policy allows the iam:PassRole action") {
			t.Errorf("%s without iam:PassRole to EC2: %d %v", user, status, body)
		}
	}
	if status, body = ec2Endpoint(t, rc, http.MethodGet, "instances", runOnly); status != 200 || len(body["Instances"].([]any)) != 0 {
		t.Errorf("a refused launch left an instance: %d %v", status, body)
	}
	status, body = launchInstance(t, rc, "ecsInstanceRole", allowed)
	if status != 200 || body["LaunchedBy"] != "arn:aws:iam::"+account+":user/ops" || body["RoleArn"] != roleArn || body["State"] != "running" {
		t.Errorf("with both: %d %v", status, body)
	}
	// The launcher may not start a session on it: no metadata endpoint.
	status, body = ec2Endpoint(t, rc, http.MethodGet, "instances/"+body["InstanceId"].(string), allowed)
	if status != 400 || body["__type"] != "AccessDeniedException" || !strings.Contains(body["message"].(string), "is not authorized to perform: ssm:StartSession on resource: arn:aws:ec2:us-east-1:"+account+":instance/i-") {
		t.Errorf("env without ssm:StartSession: %d %v", status, body)
	}
}

// The whole path: root launches; a second client configured only from
// the instance's environment is the instance role's session, named after
// the instance, and the ECS agent's registration with it is that
// instance's, allowed by AmazonEC2ContainerServiceforEC2Role.
func TestInstanceRoleForTheECSAgent(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	instanceProfile(t, root.iam, "ecsInstanceRole", ec2Trust)
	must(ecs.NewFromConfig(rc.Config).CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)

	status, inst := launchInstance(t, rc, "ecsInstanceRole", rootCreds)
	if status != 200 {
		t.Fatalf("launch: %d %v", status, inst)
	}
	id := inst["InstanceId"].(string)
	status, env := ec2Endpoint(t, rc, http.MethodGet, "instances/"+id, rootCreds)
	if status != 200 || env["MetadataEndpoint"] != inst["MetadataEndpoint"] {
		t.Fatalf("env: %d %v", status, env)
	}
	endpoint := env["MetadataEndpoint"].(string)

	// IMDSv2 only; a TTL out of range is refused.
	if code, _, err := imdsDo(t, endpoint, http.MethodGet, "/latest/meta-data/iam/security-credentials/"); err != nil || code != 401 {
		t.Errorf("IMDSv1: %d %v", code, err)
	}
	for _, ttl := range []string{"0", "21601", "six hours"} {
		if code, _, err := imdsDo(t, endpoint, http.MethodPut, "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", ttl); err != nil || code != 400 {
			t.Errorf("TTL %q: %d %v", ttl, code, err)
		}
	}
	if code, _, err := imdsDo(t, endpoint, http.MethodPut, "/latest/api/token"); err != nil || code != 400 {
		t.Errorf("no TTL: %d %v", code, err)
	}
	tok := imdsToken(t, endpoint)
	if code, body, _ := imdsDo(t, endpoint, http.MethodGet, "/latest/meta-data/instance-id", "X-aws-ec2-metadata-token", tok); code != 200 || body != id {
		t.Errorf("instance-id: %d %s", code, body)
	}
	code, doc, _ := imdsDo(t, endpoint, http.MethodGet, "/latest/dynamic/instance-identity/document", "X-aws-ec2-metadata-token", tok)
	if code != 200 || !strings.Contains(doc, `"instanceId" : "`+id+`"`) {
		t.Errorf("identity document: %d %s", code, doc)
	}

	instanceEnv(t, rc, endpoint)
	cfg := must(config.LoadDefaultConfig(ctx))(t)
	who := must(sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	if got, want := aws.ToString(who.Arn), "arn:aws:sts::"+account+":assumed-role/ecsInstanceRole/"+id; got != want {
		t.Fatalf("caller %s, want %s", got, want)
	}
	agent := ecs.NewFromConfig(cfg)
	register := func(document string) (*ecs.RegisterContainerInstanceOutput, error) {
		in := &ecs.RegisterContainerInstanceInput{Cluster: aws.String("prod")}
		if document != "" {
			in.InstanceIdentityDocument = aws.String(document)
		}
		return agent.RegisterContainerInstance(ctx, in)
	}
	_, err := register("")
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:sts::"+account+":assumed-role/ecsInstanceRole/"+id+
		" is not authorized to perform: ecs:RegisterContainerInstance on resource: "+clusterARN("us-east-1", "prod")+
		" because no identity-based policy allows the ecs:RegisterContainerInstance action")

	must(root.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsInstanceRole"), PolicyArn: aws.String(ec2ContainerServiceForEC2Role)}))(t)
	ci := must(register(""))(t).ContainerInstance
	if aws.ToString(ci.Ec2InstanceId) != id || aws.ToString(ci.Status) != "ACTIVE" {
		t.Errorf("container instance %s %s, want the instance %s", aws.ToString(ci.Ec2InstanceId), aws.ToString(ci.Status), id)
	}
	// The agent sends the instance's identity document: the same
	// container instance; a document of another instance is refused.
	again := must(register(doc))(t).ContainerInstance
	if aws.ToString(again.ContainerInstanceArn) != aws.ToString(ci.ContainerInstanceArn) {
		t.Errorf("registered again as %s, was %s", aws.ToString(again.ContainerInstanceArn), aws.ToString(ci.ContainerInstanceArn))
	}
	_, err = register(`{"instanceId":"i-0fedcba9876543210","region":"us-east-1"}`)
	wantErr(t, err, 400, "ClientException", "The instance identity document names instance i-0fedcba9876543210, but the request is signed with the instance role credentials of instance "+id+".")
}

// A role whose trust policy does not let ec2.amazonaws.com in: the
// instance launches, and gets no credentials; its metadata says why.
func TestInstanceRoleNotTrustedByEC2(t *testing.T) {
	rc := rolecalltest.RunT(t)
	instanceProfile(t, iam.NewFromConfig(rc.Config), "tasky", ecsTasksTrust)
	status, inst := launchInstance(t, rc, "tasky", rootCreds)
	if status != 200 {
		t.Fatalf("launch: %d %v", status, inst)
	}
	endpoint := inst["MetadataEndpoint"].(string)
	tok := imdsToken(t, endpoint)
	code, body, _ := imdsDo(t, endpoint, http.MethodGet, "/latest/meta-data/iam/security-credentials/tasky", "X-aws-ec2-metadata-token", tok)
	var creds map[string]string
	json.Unmarshal([]byte(body), &creds)
	if code != 200 || creds["Code"] != "AssumeRoleUnauthorizedAccess" || creds["AccessKeyId"] != "" ||
		creds["Message"] != "EC2 cannot assume the role tasky.  Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_iam-ec2.html#troubleshoot_iam-ec2_errors-info-doc." {
		t.Errorf("credentials: %d %s", code, body)
	}
	code, body, _ = imdsDo(t, endpoint, http.MethodGet, "/latest/meta-data/iam/info", "X-aws-ec2-metadata-token", tok)
	if code != 200 || !strings.Contains(body, `"Code" : "AssumeRoleUnauthorizedAccess"`) {
		t.Errorf("info: %d %s", code, body)
	}
	instanceEnv(t, rc, endpoint)
	cfg := must(config.LoadDefaultConfig(ctx))(t)
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil || !strings.Contains(err.Error(), "AssumeRoleUnauthorizedAccess: EC2 cannot assume the role tasky.") {
		t.Errorf("the SDK got credentials, or another error: %v", err)
	}
}

// One account's principals cannot launch with another account's instance
// profile, nor see, reach or terminate its instances; a terminated
// instance's token opens nothing.
func TestInstancesAcrossAccounts(t *testing.T) {
	rc := rolecalltest.RunT(t)
	profileArn := instanceProfile(t, iam.NewFromConfig(rc.Config), "ecsInstanceRole", ec2Trust)
	other := aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "test"}

	for _, ref := range []string{profileArn, "ecsInstanceRole"} {
		status, body := launchInstance(t, rc, ref, other)
		kind, what := "name", "name"
		if strings.HasPrefix(ref, "arn:") {
			kind, what = "arn", "ARN"
		}
		if status != 400 || body["__type"] != "InvalidParameterValue" || body["message"] != "Value ("+ref+") for parameter iamInstanceProfile."+kind+" is invalid. Invalid IAM Instance Profile "+what {
			t.Errorf("launch with %s from another account: %d %v", ref, status, body)
		}
	}
	status, inst := launchInstance(t, rc, profileArn, rootCreds)
	if status != 200 {
		t.Fatalf("launch by ARN: %d %v", status, inst)
	}
	id := inst["InstanceId"].(string)
	notFound := "The instance ID '" + id + "' does not exist"
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		if status, body := ec2Endpoint(t, rc, method, "instances/"+id, other); status != 400 || body["__type"] != "InvalidInstanceID.NotFound" || body["message"] != notFound {
			t.Errorf("%s from another account: %d %v", method, status, body)
		}
	}
	if status, body := ec2Endpoint(t, rc, http.MethodGet, "instances", other); status != 200 || len(body["Instances"].([]any)) != 0 {
		t.Errorf("another account lists %d %v", status, body)
	}

	// A token of one instance is nothing to another; once its instance is
	// terminated, nothing answers it.
	endpoint := inst["MetadataEndpoint"].(string)
	tok := imdsToken(t, endpoint)
	_, second := launchInstance(t, rc, "ecsInstanceRole", rootCreds)
	if code, _, _ := imdsDo(t, second["MetadataEndpoint"].(string), http.MethodGet, "/latest/meta-data/iam/security-credentials/ecsInstanceRole", "X-aws-ec2-metadata-token", tok); code != 401 {
		t.Errorf("another instance's token: %d", code)
	}
	if status, body := ec2Endpoint(t, rc, http.MethodDelete, "instances/"+id, rootCreds); status != 200 || body["State"] != "terminated" || body["PreviousState"] != "running" {
		t.Fatalf("terminate: %d %v", status, body)
	}
	if code, _, err := imdsDo(t, endpoint, http.MethodGet, "/latest/meta-data/iam/security-credentials/ecsInstanceRole", "X-aws-ec2-metadata-token", tok); err == nil && code != 401 {
		t.Errorf("a terminated instance's token: %d", code)
	}
	if _, _, err := imdsDo(t, endpoint, http.MethodPut, "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "60"); err == nil {
		t.Error("a terminated instance's metadata service still listens")
	}
}

// A restart serves each running instance's metadata on the port it had.
func TestInstanceMetadataAfterRestart(t *testing.T) {
	dir := t.TempDir()
	first, err := rolecalltest.Start(rolecalltest.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	instanceProfile(t, iam.NewFromConfig(first.Config), "ecsInstanceRole", ec2Trust)
	status, inst := launchInstance(t, first, "ecsInstanceRole", rootCreds)
	first.Close()
	if status != 200 {
		t.Fatalf("launch: %d %v", status, inst)
	}
	endpoint := inst["MetadataEndpoint"].(string)
	if _, _, err := imdsDo(t, endpoint, http.MethodPut, "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "60"); err == nil {
		t.Error("the metadata service outlived rolecall")
	}
	again := rolecalltest.RunT(t, rolecalltest.WithDataDir(dir))
	_, env := ec2Endpoint(t, again, http.MethodGet, "instances/"+inst["InstanceId"].(string), rootCreds)
	if env["MetadataEndpoint"] != endpoint {
		// Only if another program took the port meanwhile.
		host := strings.TrimSuffix(strings.TrimPrefix(endpoint, "http://"), "/")
		if ln, err := net.Listen("tcp", host); err == nil {
			ln.Close()
			t.Fatalf("endpoint %v after restart, was %s (and that port is free)", env["MetadataEndpoint"], endpoint)
		}
		endpoint = env["MetadataEndpoint"].(string)
	}
	tok := imdsToken(t, endpoint)
	if code, body, _ := imdsDo(t, endpoint, http.MethodGet, "/latest/meta-data/iam/security-credentials/", "X-aws-ec2-metadata-token", tok); code != 200 || body != "ecsInstanceRole" {
		t.Errorf("after restart: %d %s", code, body)
	}
}

// The aws CLI (v1, botocore) on the instance: credentials from instance
// metadata only, the caller is the instance role's session, and the ECS
// agent's registration is the instance's.
func TestInstanceCLI(t *testing.T) {
	t.Parallel() // the aws CLI's start-up dominates
	rc := rolecalltest.RunT(t)
	c := iam.NewFromConfig(rc.Config)
	instanceProfile(t, c, "ecsInstanceRole", ec2Trust)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsInstanceRole"), PolicyArn: aws.String(ec2ContainerServiceForEC2Role)}))(t)
	must(ecs.NewFromConfig(rc.Config).CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	status, inst := launchInstance(t, rc, "ecsInstanceRole", rootCreds)
	if status != 200 {
		t.Fatalf("launch: %d %v", status, inst)
	}
	runScriptOn(t, rc, "bash", "instance_cli.sh", "AWS_EC2_METADATA_SERVICE_ENDPOINT="+inst["MetadataEndpoint"].(string), "INSTANCE_ID="+inst["InstanceId"].(string))
}
