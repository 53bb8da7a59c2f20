package main

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/rolecalltest"
)

// exportsOf reads `export NAME=VALUE` lines (quoted or not).
func exportsOf(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "export ")
		if !ok {
			continue
		}
		for _, kv := range regexp.MustCompile(`(\w+)=('[^']*'|\S+)`).FindAllStringSubmatch(rest, -1) {
			m[kv[1]] = strings.Trim(kv[2], "'")
		}
	}
	return m
}

// rolecall instance launch, env, list and terminate, as the README shows
// them; a program configured from the exports alone acts as the instance
// role.
func TestInstanceCommands(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	rc := rolecalltest.RunT(t)
	ctx := context.Background()
	ic := iam.NewFromConfig(rc.Config)
	if _, err := ecs.NewFromConfig(rc.Config, func(o *ecs.Options) { o.Region = "eu-west-1" }).CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ecsInstanceRole"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("ecsInstanceRole")}); err != nil {
		t.Fatal(err)
	}

	out, errs, code := rolecallCLI(t, rc, "instance", "launch", "--instance-profile", "ecsInstanceRole", "--region", "eu-west-1")
	if code != 0 {
		t.Fatalf("launch: exit %d: %s", code, errs)
	}
	ex := exportsOf(out)
	id := ex["ROLECALL_INSTANCE_ID"]
	if !regexp.MustCompile(`^i-[0-9a-f]{17}$`).MatchString(id) || !strings.HasPrefix(out, "# Instance "+id+" launched in eu-west-1") ||
		!regexp.MustCompile(`(?m)^export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127\.0\.0\.1:\d+/$`).MatchString(out) ||
		!strings.Contains(out, "\nexport AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv4\n") ||
		ex["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] != "IPv4" || ex["AWS_ENDPOINT_URL"] != rc.Endpoint || ex["AWS_REGION"] != "eu-west-1" || ex["AWS_DEFAULT_REGION"] != "eu-west-1" ||
		!strings.Contains(out, "\nunset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE ") ||
		!strings.Contains(out, "\nunset AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_AUTHORIZATION_TOKEN ") ||
		!strings.Contains(out, "\nunset AWS_EC2_METADATA_DISABLED\n") {
		t.Fatalf("launch output:\n%s", out)
	}
	envOut, errs, code := rolecallCLI(t, rc, "instance", "env", id)
	if code != 0 {
		t.Fatalf("env: exit %d: %s", code, errs)
	}
	if env := exportsOf(envOut); env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] != ex["AWS_EC2_METADATA_SERVICE_ENDPOINT"] || env["AWS_REGION"] != "eu-west-1" ||
		!strings.Contains(envOut, "(role arn:aws:iam::"+rc.Account+":role/ecsInstanceRole)") {
		t.Fatalf("env output:\n%s", envOut)
	}

	// A program with nothing but these exports (no keys, no files) reads
	// the role's credentials from the instance metadata service.
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_EC2_METADATA_DISABLED", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	for k, v := range exportsOf(envOut) {
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(who.Arn), "arn:aws:sts::"+rc.Account+":assumed-role/ecsInstanceRole/"+id; got != want {
		t.Errorf("caller %s, want %s", got, want)
	}
	// The ECS agent on the instance registers it, once the role may.
	agent := ecs.NewFromConfig(cfg)
	_, err = agent.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || ae.ErrorMessage() != "User: arn:aws:sts::"+rc.Account+":assumed-role/ecsInstanceRole/"+id+
		" is not authorized to perform: ecs:RegisterContainerInstance on resource: arn:aws:ecs:eu-west-1:"+rc.Account+":cluster/default because no identity-based policy allows the ecs:RegisterContainerInstance action" {
		t.Fatalf("register without AmazonEC2ContainerServiceforEC2Role: %v", err)
	}
	if _, err := ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsInstanceRole"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")}); err != nil {
		t.Fatal(err)
	}
	reg, err := agent.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{})
	if err != nil || aws.ToString(reg.ContainerInstance.Ec2InstanceId) != id {
		t.Fatalf("register: %+v %v", reg, err)
	}
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")

	// The list is a Region's, and gives no metadata endpoints.
	if out, _, code := rolecallCLI(t, rc, "instance", "list"); code != 0 || strings.Contains(out, id) {
		t.Fatalf("list in us-east-1: exit %d\n%s", code, out)
	}
	out, errs, code = rolecallCLI(t, rc, "instance", "list", "--region", "eu-west-1")
	if code != 0 || !regexp.MustCompile(`(?m)^INSTANCE ID\s+STATE\s+REGION\s+INSTANCE PROFILE\s+ROLE\s+LAUNCHED$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^`+id+`\s+running\s+eu-west-1\s+ecsInstanceRole\s+ecsInstanceRole\s+\d{4}-`).MatchString(out) {
		t.Fatalf("list: exit %d %s\n%s", code, errs, out)
	}
	out, errs, code = rolecallCLI(t, rc, "instance", "terminate", id)
	if code != 0 || out != id+"\trunning -> terminated\n" {
		t.Fatalf("terminate: exit %d %s %q", code, errs, out)
	}
	out, _, _ = rolecallCLI(t, rc, "instance", "list", "--region", "eu-west-1")
	if !regexp.MustCompile(`(?m)^` + id + `\s+terminated\s+eu-west-1\s+ecsInstanceRole\s+ecsInstanceRole\s+\d{4}-`).MatchString(out) {
		t.Errorf("list after terminate:\n%s", out)
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"instance", "env", id}, 1, "rolecall instance env: IncorrectInstanceState: The instance '" + id + "' is not in a valid state for this operation. It is terminated: only a running instance has instance metadata.\n"},
		{[]string{"instance", "launch", "--instance-profile", "nope"}, 1, "rolecall instance launch: InvalidParameterValue: Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name\n"},
		{[]string{"instance", "env", "i-0123456789abcdef0"}, 1, "rolecall instance env: InvalidInstanceID.NotFound: The instance ID 'i-0123456789abcdef0' does not exist\n"},
		{[]string{"instance", "terminate", "nope"}, 1, "rolecall instance terminate: InvalidInstanceID.Malformed: Invalid id: \"nope\" (expecting \"i-...\")\n"},
		{[]string{"instance", "launch"}, 2, ""},
		{[]string{"instance"}, 2, ""},
	} {
		_, errs, code := rolecallCLI(t, rc, tc.args...)
		if code != tc.code || (tc.msg != "" && errs != tc.msg) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errs)
		}
	}
}
