package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

// The accounts of the reset tests: their IDs appear in no random ID.
const (
	acctA = "111111111111"
	acctB = "222222222222"
)

// resetEnv is an App served over HTTP, with a clock tests move.
type resetEnv struct {
	app   *App
	url   string
	clock *ids.FixedClock
}

func newResetEnv(t *testing.T, o Options) *resetEnv {
	t.Helper()
	clock := &ids.FixedClock{T: time.Now().UTC()}
	o.Ephemeral, o.Clock = true, clock
	a, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(a.Handler)
	t.Cleanup(func() { hs.Close(); a.Close() })
	return &resetEnv{app: a, url: hs.URL, clock: clock}
}

func (e *resetEnv) cfg(key, secret string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(e.url),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")}
}

// post sends a POST to path, signed for service "rolecall" with key and
// secret ("" leaves it unsigned), and answers the status and body.
func (e *resetEnv) post(t *testing.T, path, key, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		empty := sha256.Sum256(nil)
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, req,
			hex.EncodeToString(empty[:]), "rolecall", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func check[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// populate gives account a little of everything rolecall keeps: IAM's
// entities, an access key and its use, an Access Advisor job, a
// service-linked role deletion task, STS sessions, an ECS cluster,
// service and task (with its task role's credentials), Application Auto
// Scaling's target, policy and scheduled action, and an EC2 instance whose
// metadata service listens. It answers the instance's metadata endpoint.
func (e *resetEnv) populate(t *testing.T, account string) string {
	t.Helper()
	ctx := context.Background()
	root := e.cfg(account, "test")
	ic := iam.NewFromConfig(root)
	tasksTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com","ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`
	role := check[*iam.CreateRoleOutput](t, "CreateRole")(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ecsInstanceRole"), AssumeRolePolicyDocument: aws.String(tasksTrust)})).Role
	check[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ecsInstanceRole"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`)}))
	check[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsInstanceRole"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")}))
	pol := check[*iam.CreatePolicyOutput](t, "CreatePolicy")(ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("self"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","sts:GetSessionToken"],"Resource":"*"}]}`)})).Policy
	check[*iam.CreateUserOutput](t, "CreateUser")(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))
	check[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(ic.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: pol.Arn}))
	check[*iam.CreateGroupOutput](t, "CreateGroup")(ic.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	check[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(ic.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("dev")}))
	check[*iam.CreateLoginProfileOutput](t, "CreateLoginProfile")(ic.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("Correct-Horse-9")}))
	check[*iam.UpdateAccountPasswordPolicyOutput](t, "UpdateAccountPasswordPolicy")(ic.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(12)}))
	check[*iam.CreateAccountAliasOutput](t, "CreateAccountAlias")(ic.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("alias-" + account)}))
	key := check[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")})).AccessKey
	user := e.cfg(aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey))
	check[*iam.GetUserOutput](t, "GetUser as dev")(iam.NewFromConfig(user).GetUser(ctx, &iam.GetUserInput{}))
	check[*sts.GetSessionTokenOutput](t, "GetSessionToken")(sts.NewFromConfig(user).GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	check[*iam.GenerateServiceLastAccessedDetailsOutput](t, "GenerateServiceLastAccessedDetails")(ic.GenerateServiceLastAccessedDetails(ctx,
		&iam.GenerateServiceLastAccessedDetailsInput{Arn: role.Arn}))
	check[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(ic.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")}))
	check[*iam.AddRoleToInstanceProfileOutput](t, "AddRoleToInstanceProfile")(ic.AddRoleToInstanceProfile(ctx,
		&iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("ecsInstanceRole")}))
	check[*iam.CreateServiceLinkedRoleOutput](t, "CreateServiceLinkedRole")(ic.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticbeanstalk.amazonaws.com")}))
	check[*iam.DeleteServiceLinkedRoleOutput](t, "DeleteServiceLinkedRole")(ic.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForElasticBeanstalk")}))

	ec := ecs.NewFromConfig(root)
	check[*ecs.CreateClusterOutput](t, "CreateCluster")(ec.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))
	check[*ecs.RegisterTaskDefinitionOutput](t, "RegisterTaskDefinition")(ec.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, NetworkMode: ecstypes.NetworkModeAwsvpc,
		Cpu: aws.String("256"), Memory: aws.String("512"), TaskRoleArn: role.Arn,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx")}}}))
	net := &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0123456789abcdef0"}}}
	check[*ecs.RunTaskOutput](t, "RunTask")(ec.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("web"),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: net}))
	check[*ecs.CreateServiceOutput](t, "CreateService")(ec.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("api"),
		TaskDefinition: aws.String("web"), DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: net}))

	ac := aas.NewFromConfig(root)
	check[*aas.RegisterScalableTargetOutput](t, "RegisterScalableTarget")(ac.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/prod/api"), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)}))
	// Raising the minimum above the desired count is a scaling activity.
	check[*aas.RegisterScalableTargetOutput](t, "RegisterScalableTarget")(ac.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/prod/api"), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		MinCapacity: aws.Int32(2), MaxCapacity: aws.Int32(3)}))
	check[*aas.PutScalingPolicyOutput](t, "PutScalingPolicy")(ac.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("cpu"),
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/prod/api"), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		PolicyType: aastypes.PolicyTypeTargetTrackingScaling, TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{
			TargetValue: aws.Float64(50), PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeECSServiceAverageCPUUtilization}}}))
	check[*aas.PutScheduledActionOutput](t, "PutScheduledAction")(ac.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ScheduledActionName: aws.String("night"),
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/prod/api"), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		Schedule: aws.String("cron(0 0 * * ? *)"), ScalableTargetAction: &aastypes.ScalableTargetAction{MinCapacity: aws.Int32(0)}}))
	e.clock.T = e.clock.T.Add(time.Second) // the task starts

	status, body := e.post(t, "/_rolecall/ec2/instances?"+url.Values{"instanceProfile": {"ecsInstanceRole"}}.Encode(), account, "test")
	if status != 200 {
		t.Fatalf("launch: %d %s", status, body)
	}
	i := strings.Index(body, `"MetadataEndpoint":"`)
	if i < 0 {
		t.Fatalf("launch: no metadata endpoint: %s", body)
	}
	endpoint, _, _ := strings.Cut(body[i+len(`"MetadataEndpoint":"`):], `"`)
	return endpoint
}

// records is every record of the store: "bucket\x00key" -> value.
func records(t *testing.T, st store.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := st.View(func(tx store.Tx) error {
		names, err := store.Buckets(tx)
		if err != nil {
			return err
		}
		for _, b := range names {
			if err := tx.Scan(b, "", "", func(k string, v []byte) bool {
				out[b+"\x00"+k] = string(v)
				return true
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// namesAccount reports whether the record at k (of all) names account:
// in its key or value, or, for a session's expiry entry, its session's.
func namesAccount(all map[string]string, k, account string) bool {
	if strings.Contains(k+all[k], account) {
		return true
	}
	if rest, ok := strings.CutPrefix(k, "sts-expiry\x00"); ok {
		_, id, _ := strings.Cut(rest, "/")
		return strings.Contains(all["sts-sessions\x00"+id], account)
	}
	return false
}

// metadataUp reports whether an instance metadata endpoint answers.
func metadataUp(endpoint string) bool {
	req, _ := http.NewRequest(http.MethodPut, strings.TrimSuffix(endpoint, "/")+"/latest/api/token", nil)
	req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "60")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// A reset of one account forgets every record that names it, in every
// bucket, a bucket added later included, and changes no record of
// another account; its instances' metadata services stop, the other's
// listen on. A reset of every account leaves the format header alone.
func TestResetAccountForgetsEveryRecordOfItsOwn(t *testing.T) {
	e := newResetEnv(t, Options{AllowReset: true})
	mdA, mdB := e.populate(t, acctA), e.populate(t, acctB)
	before := records(t, e.app.state)
	kept := 0
	for k := range before {
		if !namesAccount(before, k, acctA) {
			kept++
		}
	}
	if kept == len(before) || kept == 0 {
		t.Fatalf("%d of %d records are not account A's: the test populates too little", kept, len(before))
	}
	for _, bucket := range []string{"iam-roles", "iam-access-keys", "iam-unique-ids", "iam-slr-deletion-tasks", "iam-advisor-jobs", "iam-last-accessed",
		"iam-login-profiles", "iam-account-aliases", "sts-sessions", "sts-expiry", "ecs-tasks", "ecs-task-credentials", "aas-policies", "aas-scheduled",
		"aas-activities", "ec2-instances"} {
		found := false
		for k := range before {
			found = found || strings.HasPrefix(k, bucket+"\x00")
		}
		if !found {
			t.Errorf("populate wrote nothing to %s", bucket)
		}
	}
	if !metadataUp(mdA) || !metadataUp(mdB) {
		t.Fatal("the instances' metadata services do not listen")
	}

	if status, body := e.post(t, "/_rolecall/reset?account="+acctA, acctA, "test"); status != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Fatalf("reset: %d %s", status, body)
	}
	after := records(t, e.app.state)
	for k, v := range after {
		if namesAccount(after, k, acctA) {
			t.Errorf("after the reset of %s, a record names it: %q = %s", acctA, k, v)
		}
	}
	for k, v := range before {
		if !namesAccount(before, k, acctA) && after[k] != v {
			t.Errorf("the reset of %s changed %q:\n was %s\n now %s", acctA, k, v, after[k])
		}
	}
	if len(after) != kept {
		t.Errorf("%d records after the reset, want the %d that are not A's", len(after), kept)
	}
	if metadataUp(mdA) {
		t.Error("account A's instance metadata service still listens")
	}
	if !metadataUp(mdB) {
		t.Error("account B's instance metadata service stopped")
	}

	if status, body := e.post(t, "/_rolecall/reset", "000000000000", "test"); status != 200 {
		t.Fatalf("reset: %d %s", status, body)
	}
	after = records(t, e.app.state)
	if len(after) != 1 || !bytes.Contains([]byte(after["rolecall\x00format"]), []byte(`"Version":1`)) {
		t.Errorf("after a reset of every account: %v", after)
	}
	if metadataUp(mdB) {
		t.Error("account B's instance metadata service still listens")
	}
}

// FuzzResetAccount: whatever the query, the reset's scope is every
// account only for a query with no parameter, else one valid account ID,
// else a refusal; nothing panics.
func FuzzResetAccount(f *testing.F) {
	for _, q := range []string{"", "account=123456789012", "account=1&account=2", "acount=123456789012", "Account=123456789012",
		"account=", "account=12345678901%32", "%zz", "account=123456789012&x", ";account=123456789012"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/_rolecall/reset", nil)
		if err != nil {
			t.Skip()
		}
		r.URL.RawQuery = q
		account, aerr := resetAccount(r)
		if aerr != nil {
			if account != "" || aerr.Status != http.StatusBadRequest {
				t.Fatalf("%q: %q, %v", q, account, aerr)
			}
			return
		}
		v, err := url.ParseQuery(q)
		switch {
		case err != nil:
			t.Fatalf("%q: a query that is not URL encoding is taken: %q", q, account)
		case account == "" && len(v) != 0:
			t.Fatalf("%q resets every account, with parameters %v", q, v)
		case account != "" && (len(v) != 1 || len(v["account"]) != 1 || v["account"][0] != account || len(account) != 12 || strings.Trim(account, "0123456789") != ""):
			t.Fatalf("%q resets %q", q, account)
		}
	})
}
