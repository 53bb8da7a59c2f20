package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// doctorJSON is the part of `rolecall doctor --format json` these tests read.
type doctorJSON struct {
	Roles []struct {
		Kind, Name, Status string
		Checks             []struct{ Area, Status, What string }
		Fixes              []struct {
			Summary  string
			Commands []string
		}
	}
}

// The fixes the doctor prints are right: run as printed (each command
// parsed as a shell would and sent through the SDK, as the AWS CLI would),
// they make the broken setups pass, except for what needs a hand edit (a
// fix without commands: a Deny to narrow, a definition to change).
func TestDoctorFixesApplied(t *testing.T) {
	cases := []struct {
		name  string
		files []string
		extra []string
		args  []string
		// green: every failure has a command fix, so the setup must pass
		// afterwards.
		green bool
	}{
		{name: "fargate-alb", files: []string{"fargate-alb/iam-broken.json", "fargate-alb/taskdef.json", "fargate-alb/service.json"}, green: true},
		{name: "ec2", files: []string{"ec2/iam-broken.json", "ec2/taskdef.json", "ec2/service.json"}, args: []string{"--instance-profile", "ecsInstanceProfile"}, green: true},
		{name: "autoscaling", files: []string{"autoscaling/iam-broken.json", "autoscaling/taskdef.json", "autoscaling/service-exec.json"}, extra: []string{"autoscaling/scalable-target.json"}},
		{name: "managed-instances", files: []string{"managed-instances/iam-broken.json", "managed-instances/capacity-provider-broken.json", "managed-instances/taskdef.json", "managed-instances/service.json"}, green: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := rolecalltest.RunT(t)
			createSetup(t, rc, tc.files)
			liveEnv(t, rc)
			args := append([]string{"doctor", "--format", "json", "--deployer", "arn:aws:iam::000000000000:user/deployer"}, tc.args...)
			for _, f := range tc.extra {
				args = append(args, "--file", filepath.Join(setupsDir, f))
			}
			before := doctorRun(t, args, 1)
			c := iam.NewFromConfig(rc.Config)
			manual := map[string]bool{} // roles with a fix to make by hand
			for _, r := range before.Roles {
				for _, f := range r.Fixes {
					if len(f.Commands) == 0 {
						manual[r.Kind+" "+r.Name] = true
					}
					for _, cmd := range f.Commands {
						if err := runAWS(c, cmd); err != nil {
							t.Fatalf("%s: fix %q:\n  %s\n  %v", r.Kind, f.Summary, cmd, err)
						}
					}
				}
			}
			want := 1
			if tc.green {
				want = 0
			}
			after := doctorRun(t, args, want)
			for _, r := range after.Roles {
				if r.Status == "fail" && !manual[r.Kind+" "+r.Name] {
					t.Errorf("%s %s still fails after its fixes: %+v", r.Kind, r.Name, r.Checks)
				}
			}
			// A second run has nothing left to run.
			for _, r := range after.Roles {
				for _, f := range r.Fixes {
					if len(f.Commands) > 0 && r.Status != "fail" {
						t.Errorf("%s: a passing role still has a fix: %s", r.Kind, f.Summary)
					}
				}
			}
		})
	}
}

// A second fix of the same role keeps the first: the doctor's inline policy
// is extended, not replaced (PutRolePolicy replaces a policy of the same
// name).
func TestDoctorFixesAccumulate(t *testing.T) {
	rc := rolecalltest.RunT(t)
	createSetup(t, rc, []string{"fargate-alb/iam-broken.json", "fargate-alb/taskdef.json", "fargate-alb/service.json"})
	liveEnv(t, rc)
	c := iam.NewFromConfig(rc.Config)
	ctx := context.Background()
	// The first fix: only the Secrets Manager grant, as a person who fixed
	// the first error they saw.
	first := `aws iam put-role-policy --role-name ecsTaskExecutionRole --policy-name rolecall-doctor-task-execution-role --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/web/db-AbC123"}]}'`
	if err := runAWS(c, first); err != nil {
		t.Fatal(err)
	}
	rep := doctorRun(t, []string{"doctor", "--format", "json", "--deployer", "arn:aws:iam::000000000000:root"}, 1)
	var cmd string
	for _, r := range rep.Roles {
		if r.Kind == "task-execution-role" {
			for _, f := range r.Fixes {
				cmd = strings.Join(f.Commands, "\n")
			}
		}
	}
	if !strings.Contains(cmd, `"ssm:GetParameters"`) || !strings.Contains(cmd, `"secretsmanager:GetSecretValue"`) {
		t.Fatalf("the fix does not keep the earlier grant:\n%s", cmd)
	}
	if err := runAWS(c, cmd); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("ecsTaskExecutionRole"), PolicyName: aws.String("rolecall-doctor-task-execution-role")})
	if err != nil {
		t.Fatal(err)
	}
	if doc := aws.ToString(out.PolicyDocument); !strings.Contains(doc, "secretsmanager") || !strings.Contains(doc, "ssm") {
		t.Errorf("policy %s", doc)
	}
}

// A service the account does not have is an error, not an empty report
// that passes.
func TestDoctorUnknownService(t *testing.T) {
	rc := rolecalltest.RunT(t)
	createSetup(t, rc, []string{"fargate-alb/iam-ok.json", "fargate-alb/taskdef.json", "fargate-alb/service.json"})
	liveEnv(t, rc)
	_, errb, code := runCLI("doctor", "--service", "wbe")
	if code != 2 || !strings.Contains(errb, "service wbe not found in cluster prod") {
		t.Errorf("exit %d, %q", code, errb)
	}
	out, errb, code := runCLI("doctor", "--service", "web")
	if code != 0 || !strings.Contains(out, "service web (cluster prod") {
		t.Errorf("exit %d, %q\n%s", code, errb, out)
	}
	// Services read from the account, and their auto scaling with them:
	// rolecall serves Application Auto Scaling.
	if strings.Contains(out, "describe-scalable-targets --service-namespace ecs") {
		t.Errorf("a note says service auto scaling is not read:\n%s", out)
	}
	if _, err := applicationautoscaling.NewFromConfig(rc.Config).RegisterScalableTarget(context.Background(), &applicationautoscaling.RegisterScalableTargetInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/prod/web"), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(4)}); err != nil {
		t.Fatal(err)
	}
	out, errb, code = runCLI("doctor", "--service", "web")
	if code != 0 || !strings.Contains(out, "scalable-target service/prod/web (cluster prod) from application-autoscaling") {
		t.Errorf("exit %d, %q\n%s", code, errb, out)
	}
}

func doctorRun(t *testing.T, args []string, want int) doctorJSON {
	t.Helper()
	out, errb, code := runCLI(args...)
	if code != want {
		t.Fatalf("%v: exit %d, want %d; %s\n%s", args, code, want, errb, out)
	}
	var rep doctorJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// runAWS runs one `aws iam ...` command line the doctor prints, through
// the SDK: the words split as a POSIX shell splits them, the options
// mapped to the API's input members as the AWS CLI maps them.
func runAWS(c *iam.Client, line string) error {
	words, err := shellWords(line)
	if err != nil {
		return err
	}
	if len(words) < 3 || words[0] != "aws" || words[1] != "iam" {
		return fmt.Errorf("not an aws iam command: %q", line)
	}
	opts := map[string]string{}
	for i := 3; i < len(words); i += 2 {
		if !strings.HasPrefix(words[i], "--") || i+1 >= len(words) {
			return fmt.Errorf("bad option %q in %q", words[i], line)
		}
		opts[words[i][2:]] = words[i+1]
	}
	s := func(k string) *string {
		if v, ok := opts[k]; ok {
			return aws.String(v)
		}
		return nil
	}
	ctx := context.Background()
	switch words[2] {
	case "create-service-linked-role":
		_, err = c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: s("aws-service-name")})
	case "create-role":
		_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: s("role-name"), Path: s("path"), AssumeRolePolicyDocument: s("assume-role-policy-document")})
	case "attach-role-policy":
		_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: s("role-name"), PolicyArn: s("policy-arn")})
	case "put-role-policy":
		_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: s("role-name"), PolicyName: s("policy-name"), PolicyDocument: s("policy-document")})
	case "put-user-policy":
		_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: s("user-name"), PolicyName: s("policy-name"), PolicyDocument: s("policy-document")})
	case "update-assume-role-policy":
		_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: s("role-name"), PolicyDocument: s("policy-document")})
	case "create-instance-profile":
		_, err = c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: s("instance-profile-name")})
	case "add-role-to-instance-profile":
		_, err = c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: s("instance-profile-name"), RoleName: s("role-name")})
	default:
		return fmt.Errorf("runAWS does not know %q", words[2])
	}
	return err
}

// shellWords splits a command line as a POSIX shell does for the quoting
// the doctor uses: single quotes, double quotes, backslashes.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == ' ' || ch == '\t':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case ch == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case ch == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`", line[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(line[i])
			}
			if i >= len(line) {
				return nil, fmt.Errorf("unterminated \" in %q", line)
			}
			inWord = true
		case ch == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			inWord = true
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// The doctor only reads: run as a user allowed nothing but ecs Describe and
// List, iam Get and List, application-autoscaling
// DescribeScalableTargets (and sts:GetCallerIdentity, which needs no
// permission), it gives the same report as the root user does. rolecall
// authorizes every call as AWS does, so a write would be denied here.
func TestDoctorReadOnly(t *testing.T) {
	rc := rolecalltest.RunT(t)
	createSetup(t, rc, []string{"fargate-alb/iam-broken.json", "fargate-alb/taskdef.json", "fargate-alb/service.json"})
	ctx := context.Background()
	c := iam.NewFromConfig(rc.Config)
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:Describe*","ecs:List*","iam:Get*","iam:List*","application-autoscaling:DescribeScalableTargets"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})
	if err != nil {
		t.Fatal(err)
	}
	liveEnv(t, rc)
	args := []string{"doctor", "--deployer", "arn:aws:iam::000000000000:user/deployer"}
	asRoot, _, _ := runCLI(args...)
	t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(key.AccessKey.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(key.AccessKey.SecretAccessKey))
	out, errb, code := runCLI(args...)
	if code != 1 || out != asRoot {
		t.Errorf("exit %d, %s\n%s", code, errb, out)
	}
	// Without iam:Get*, the error says what reading takes.
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:Describe*","ecs:List*"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	_, errb, code = runCLI(args...)
	if code != 2 || !strings.Contains(errb, "AccessDenied") || !strings.Contains(errb, "iam:Get*, iam:List*") {
		t.Errorf("exit %d, %s", code, errb)
	}
}
