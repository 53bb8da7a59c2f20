package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/rolecalltest"
)

// rolecall task env prints the exports of a running task's role
// credentials; a program reading them acts as the task role.
func TestTaskEnvCommand(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	rc := rolecalltest.RunT(t)
	ctx := context.Background()
	ic, ec := iam.NewFromConfig(rc.Config), ecs.NewFromConfig(rc.Config)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ec.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("app"), TaskRoleArn: role.Role.Arn,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, NetworkMode: ecstypes.NetworkModeAwsvpc,
		Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx")}}}); err != nil {
		t.Fatal(err)
	}
	run, err := ec.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	taskArn := aws.ToString(run.Tasks[0].TaskArn)
	id := taskArn[strings.LastIndexByte(taskArn, '/')+1:]

	out, errs, code := rolecallCLI(t, rc, "task", "env", taskArn)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	exports := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^export (\w+)='([^']*)'`).FindAllStringSubmatch(out, -1) {
		exports[m[1]] = m[2]
	}
	if exports["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != rc.Endpoint+"/_rolecall/ecs/credentials/"+id || exports["AWS_ENDPOINT_URL"] != rc.Endpoint ||
		exports["AWS_CONTAINER_AUTHORIZATION_TOKEN"] == "" || !strings.Contains(out, "\nexport AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1\n") ||
		!strings.Contains(out, "\nunset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE\n") {
		t.Fatalf("output:\n%s", out)
	}
	provider := endpointcreds.New(exports["AWS_CONTAINER_CREDENTIALS_FULL_URI"], func(o *endpointcreds.Options) {
		o.AuthorizationToken = exports["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
	})
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(rc.Endpoint), Credentials: aws.NewCredentialsCache(provider)}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(who.Arn), "arn:aws:sts::"+rc.Account+":assumed-role/app/"+id; got != want {
		t.Errorf("caller %s, want %s", got, want)
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"task", "env", "nope"}, 1, `rolecall task env: "nope" is not a task ARN (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID)` + "\n"},
		{[]string{"task", "env", "arn:aws:ecs:us-east-1:" + rc.Account + ":task/default/ffff"}, 1, "rolecall task env: InvalidParameterException: The referenced task was not found.\n"},
		{[]string{"task"}, 2, ""},
	} {
		_, errs, code := rolecallCLI(t, rc, tc.args...)
		if code != tc.code || (tc.msg != "" && errs != tc.msg) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errs)
		}
	}
}
