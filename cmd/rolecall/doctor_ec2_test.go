package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// registerFrom launches an EC2 instance with an instance profile through
// EC2's RunInstances and has its ECS agent, acting with the credentials
// the instance's metadata service gives, register it in cluster.
func registerFrom(t *testing.T, rc *rolecalltest.Server, profile, cluster string) string {
	t.Helper()
	ctx := context.Background()
	res, err := ec2.NewFromConfig(rc.Config).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"),
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String(profile)}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(res.Instances[0].InstanceId)
	out, errs, code := rolecallCLI(t, rc, "instance", "env", id)
	if code != 0 {
		t.Fatalf("instance env: exit %d: %s", code, errs)
	}
	cfg := rc.Config.Copy()
	cfg.Credentials = aws.NewCredentialsCache(ec2rolecreds.New(func(o *ec2rolecreds.Options) {
		o.Client = imds.New(imds.Options{Endpoint: exportsOf(out)["AWS_EC2_METADATA_SERVICE_ENDPOINT"]})
	}))
	ci, err := ecs.NewFromConfig(cfg).RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String(cluster)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(ci.ContainerInstance.Ec2InstanceId) != id {
		t.Fatalf("registered %s, launched %s", aws.ToString(ci.ContainerInstance.Ec2InstanceId), id)
	}
	return id
}

// instanceRoleCase is the doctor's container instance role case named
// name, nil when it has none.
func instanceRoleCase(rep doctorJSON, name string) *struct {
	Kind, Name, Status string
	Checks             []struct{ Area, Status, What string }
	Fixes              []struct {
		Summary  string
		Commands []string
	}
} {
	for i := range rep.Roles {
		if rep.Roles[i].Kind == "container-instance-role" && rep.Roles[i].Name == name {
			return &rep.Roles[i]
		}
	}
	return nil
}

// The doctor, reading an account, takes the container instance role from
// the clusters' registrations: the container instances' EC2 instances,
// their instance profiles (EC2's DescribeInstances) and the roles in
// them; not the name ecsInstanceRole. A role that lacks what the agent
// does for the tasks is named with the action; once it has it, it passes.
func TestDoctorReadsContainerInstanceRoles(t *testing.T) {
	rc := rolecalltest.RunT(t)
	createSetup(t, rc, []string{"ec2/iam-ok.json", "ec2/taskdef.json", "ec2/service.json"})
	liveEnv(t, rc)
	ctx := context.Background()
	ic := iam.NewFromConfig(rc.Config)
	// webhost may register its instance, and nothing else.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for _, call := range []func() error{
		func() error {
			_, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("webhost"), AssumeRolePolicyDocument: aws.String(trust)})
			return err
		},
		func() error {
			_, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("webhost"), PolicyName: aws.String("register"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:RegisterContainerInstance","Resource":"*"}]}`)})
			return err
		},
		func() error {
			_, err := ic.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-hosts")})
			return err
		},
		func() error {
			_, err := ic.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-hosts"), RoleName: aws.String("webhost")})
			return err
		},
	} {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
	id := registerFrom(t, rc, "web-hosts", "batch")

	doctor := func() (doctorJSON, string, int) {
		t.Helper()
		out, errs, code := runCLI("doctor", "--format", "json")
		if code > 1 {
			t.Fatalf("doctor: exit %d: %s", code, errs)
		}
		var rep doctorJSON
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		return rep, out, code
	}
	rep, out, code := doctor()
	web := instanceRoleCase(rep, "webhost")
	if code != 1 || web == nil || web.Status != "fail" || instanceRoleCase(rep, "ecsInstanceRole") != nil {
		t.Fatalf("exit %d; want webhost failing, and no ecsInstanceRole case:\n%s", code, out)
	}
	failing := map[string]bool{}
	for _, c := range web.Checks {
		if c.Area == "permissions" && c.Status == "fail" {
			failing[strings.Fields(c.What)[0]] = true
		}
	}
	if !failing["ecr:GetAuthorizationToken"] || !failing["logs:CreateLogStream"] || failing["ecs:RegisterContainerInstance"] {
		t.Errorf("webhost's failing actions: %v\n%s", failing, out)
	}
	if !strings.Contains(out, "the instance profile of EC2 instance "+id+", registered in cluster batch") || !strings.Contains(out, `"instanceProfile": "web-hosts"`) {
		t.Errorf("the report does not say where the role comes from:\n%s", out)
	}

	// The role given what the agent does for these tasks (awslogs creates
	// the group): the doctor passes.
	if _, err := ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("webhost"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("webhost"), PolicyName: aws.String("create-log-groups"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"arn:aws:logs:us-east-1:000000000000:log-group:/ecs/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	rep, out, code = doctor()
	if web = instanceRoleCase(rep, "webhost"); code != 0 || web == nil || web.Status != "ok" {
		t.Errorf("exit %d with the role fixed:\n%s", code, out)
	}
}

// Reading the account without ec2:DescribeInstances: the doctor says which
// permission it lacked and goes on with the conventional name.
func TestDoctorWithoutEC2(t *testing.T) {
	rc := rolecalltest.RunT(t)
	createSetup(t, rc, []string{"ec2/iam-ok.json", "ec2/taskdef.json", "ec2/service.json"})
	liveEnv(t, rc)
	registerFrom(t, rc, "ecsInstanceRole", "batch")
	ctx := context.Background()
	ic := iam.NewFromConfig(rc.Config)
	if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:Describe*","ecs:List*","iam:Get*","iam:List*","application-autoscaling:Describe*"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(k.AccessKey.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(k.AccessKey.SecretAccessKey))
	out, errs, code := runCLI("doctor", "--deployer", "arn:aws:iam::000000000000:user/deployer")
	if code != 0 || !strings.Contains(out, "the container instances' instance profiles are not read from EC2: ec2:DescribeInstances is denied to the caller") ||
		!strings.Contains(out, "looked at ecsInstanceRole") {
		t.Errorf("exit %d, stderr %s\n%s", code, errs, out)
	}
}
