package integration

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/rolecalltest"
)

// stateRequest calls rolecall's state endpoint, signed with creds.
func stateRequest(t *testing.T, rc *rolecalltest.Server, method string, body []byte, creds aws.Credentials) (int, []byte) {
	t.Helper()
	req := must(http.NewRequestWithContext(ctx, method, rc.Endpoint+"/_rolecall/state", bytes.NewReader(body)))(t)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, sha(string(body)), "rolecall", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp := must(http.DefaultClient.Do(req))(t)
	defer resp.Body.Close()
	return resp.StatusCode, must(io.ReadAll(resp.Body))(t)
}


func exportState(t *testing.T, rc *rolecalltest.Server) []byte {
	t.Helper()
	status, body := stateRequest(t, rc, http.MethodGet, nil, rootCreds)
	if status != 200 {
		t.Fatalf("export: %d %s", status, body)
	}
	return body
}

const userTrustTemplate = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/USER"},"Action":"sts:AssumeRole"}]}`

// seedState makes a bit of everything a state file carries, the way
// clients make it.
func seedState(t *testing.T, rc *rolecalltest.Server) (keyID, secret string) {
	t.Helper()
	c := iam.NewFromConfig(rc.Config)
	// A customer managed policy with versions v1, v3 (default) and v4:
	// v2 was deleted.
	pol := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"), Path: aws.String("/app/"),
		Description: aws.String("reads"), PolicyDocument: aws.String(s3ReadPolicy),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}))(t).Policy
	for i, doc := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`,
		`{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "sqs:*", "Resource": "*" } ] }`,
	} {
		must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Arn, PolicyDocument: aws.String(doc), SetAsDefault: i == 1}))(t)
	}
	must(c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: pol.Arn, VersionId: aws.String("v2")}))(t)

	// A user with a key, in a group; a user deleted after a role's trust
	// policy named it.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))(t)
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))(t).AccessKey
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))(t)
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))(t)
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: pol.Arn}))(t)
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("dev")}))(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gone")}))(t)

	// Roles: one the user may assume, one that trusted the deleted user,
	// one for ECS tasks with every kind of policy.
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"), AssumeRolePolicyDocument: aws.String(strings.ReplaceAll(userTrustTemplate, "USER", "dev")),
		MaxSessionDuration: aws.Int32(7200), Description: aws.String("deploys")}))(t)
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("old"), AssumeRolePolicyDocument: aws.String(strings.ReplaceAll(userTrustTemplate, "USER", "gone"))}))(t)
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("gone")}))(t)
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("task"), Path: aws.String("/ecs/"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust),
		PermissionsBoundary: pol.Arn, Tags: []iamtypes.Tag{{Key: aws.String("app"), Value: aws.String("web")}}}))(t)
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("task"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("task"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")}))(t)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("task"), PolicyArn: pol.Arn}))(t)
	must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}))(t)
	must(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("task")}))(t)
	must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("empty"), Path: aws.String("/p/")}))(t)
	must(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)

	// ECS: a cluster, a task definition family of two revisions, the
	// first deregistered.
	e := ecs.NewFromConfig(rc.Config)
	must(e.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("web"), Tags: []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}},
		Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}}}))(t)
	for _, image := range []string{"nginx:1", "nginx:2"} {
		must(e.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
			TaskRoleArn: aws.String("arn:aws:iam::000000000000:role/ecs/task"), NetworkMode: ecstypes.NetworkModeAwsvpc,
			RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String(image),
				PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}},
			Tags: []ecstypes.Tag{{Key: aws.String("rev"), Value: aws.String(image)}}}))(t)
	}
	must(e.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("web:1")}))(t)
	return *k.AccessKeyId, *k.SecretAccessKey
}

// answers are what a set of reads answers, to compare two servers by.
func answers(t *testing.T, rc *rolecalltest.Server) map[string]any {
	t.Helper()
	c := iam.NewFromConfig(rc.Config)
	e := ecs.NewFromConfig(rc.Config)
	out := map[string]any{}
	gaad := must(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))(t)
	out["gaad"] = []any{gaad.UserDetailList, gaad.GroupDetailList, gaad.RoleDetailList, gaad.Policies}
	for _, r := range []string{"deploy", "old", "task", "AWSServiceRoleForECS"} {
		out["role "+r] = must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r)}))(t).Role
	}
	arn := "arn:aws:iam::000000000000:policy/app/read"
	out["policy"] = must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn}))(t).Policy
	out["versions"] = must(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: &arn}))(t).Versions
	out["policy tags"] = must(c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: &arn}))(t).Tags
	out["profiles"] = must(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{}))(t).InstanceProfiles
	out["keys"] = must(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("dev")}))(t).AccessKeyMetadata
	out["user"] = must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("dev")}))(t).User
	out["summary"] = must(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))(t).SummaryMap
	out["clusters"] = must(e.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"web"},
		Include: []ecstypes.ClusterField{ecstypes.ClusterFieldSettings, ecstypes.ClusterFieldTags, ecstypes.ClusterFieldConfigurations}}))(t).Clusters
	for _, td := range []string{"web:1", "web:2"} {
		d := must(e.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(td), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}}))(t)
		out["taskdef "+td] = []any{d.TaskDefinition, d.Tags}
	}
	return out
}

// TestStateRoundTrip: a state exported from one rolecall and imported
// into a fresh one answers the same reads, keeps its IDs, dates and trust
// (the imported user's key assumes the role; the role that trusted a
// deleted user still shows its unique ID and trusts no one), and the
// service-linked role stays protected.
func TestStateRoundTrip(t *testing.T) {
	a := rolecalltest.RunT(t)
	keyID, secret := seedState(t, a)
	file := exportState(t, a)
	want := answers(t, a)

	b := rolecalltest.RunT(t)
	status, body := stateRequest(t, b, http.MethodPost, file, rootCreds)
	if status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	got := answers(t, b)
	for k := range want {
		if !reflect.DeepEqual(got[k], want[k]) {
			g, _ := json.Marshal(got[k])
			w, _ := json.Marshal(want[k])
			t.Errorf("%s differs after the round trip:\n got %s\nwant %s", k, g, w)
		}
	}
	if again := exportState(t, b); !bytes.Equal(stripExportedAt(again), stripExportedAt(file)) {
		t.Errorf("export of the import differs:\n%s\n%s", again, file)
	}

	// The user's key, secret and all, assumes the role its trust names.
	dev := sts.NewFromConfig(withCreds(b.Config, keyID, secret, ""))
	must(dev.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/deploy"), RoleSessionName: aws.String("session")}))(t)
	_, err := dev.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/old"), RoleSessionName: aws.String("session")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::000000000000:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/old")
	// A user made again under the deleted one's name is not trusted.
	c := iam.NewFromConfig(b.Config)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gone")}))(t)
	if doc := decoded(t, must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("old")}))(t).Role.AssumeRolePolicyDocument); !strings.Contains(doc, `"AWS":"AIDA`) {
		t.Errorf("old's trust policy after import: %s", doc)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	wantErr(t, err, 400, "UnmodifiableEntity", "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS")
}

func stripExportedAt(b []byte) []byte {
	var m map[string]any
	json.Unmarshal(b, &m)
	delete(m, "exportedAt")
	out, _ := json.Marshal(m)
	return out
}
