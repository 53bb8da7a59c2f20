package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Holes an adversarial review found after the authorizer was made one:
// spellings the operations accept but the authorizer did not evaluate as
// the stored resource, and decisions missing on two paths.

const allowECSAndPass = `{"Effect":"Allow","Action":["ecs:*","iam:PassRole"],"Resource":"*"}`

func deniedECS(who, action, resource string) string {
	return "User: " + who + " is not authorized to perform: " + action + " on resource: " + resource + " with an explicit deny in an identity-based policy"
}

// TestReviewTaskDefinitionSpellings: a task definition named by an ARN
// without a revision, or with its revision spelled "01" or "+1", is the
// revision that runs, and is authorized as it.
func TestReviewTaskDefinitionSpellings(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	fargateTaskDef(t, e.ecs, "secret")
	dev, _ := newUser(t, clientsFor(e.rc.Config, nil), e.rc.Config, nil, "dev", `{"Version":"2012-10-17","Statement":[`+allowECSAndPass+`,
		{"Effect":"Deny","Action":"ecs:RunTask","Resource":"arn:aws:ecs:us-east-1:000000000000:task-definition/secret:1"}]}`)
	devECS := ecsOf(t, e.rc, dev)
	for _, ref := range []string{"secret", "secret:1", "secret:01", "secret:+1", "arn:aws:ecs:us-east-1:000000000000:task-definition/secret"} {
		_, err := devECS.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String(ref), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet})
		wantErr(t, err, 400, "AccessDeniedException", deniedECS(userArn+"dev", "ecs:RunTask", "arn:aws:ecs:us-east-1:000000000000:task-definition/secret:1"))
	}
}

// TestReviewShortARNs: the old short task and service ARNs name the same
// resources as the long ones, and are authorized as them, their tags
// included.
func TestReviewShortARNs(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	fargateTaskDef(t, e.ecs, "web")
	prodTag := []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}
	task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("web"), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: awsvpcNet, Tags: prodTag}))(t).Tasks[0]
	must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("api"), TaskDefinition: aws.String("web"),
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet, Tags: prodTag}))(t)
	e.clock.Advance(time.Second)
	taskArn := aws.ToString(task.TaskArn)
	id := taskArn[strings.LastIndexByte(taskArn, '/')+1:]
	for _, deny := range []string{
		`{"Effect":"Deny","Action":["ecs:StopTask","ecs:UpdateService"],"Resource":["arn:aws:ecs:us-east-1:000000000000:task/prod/*","arn:aws:ecs:us-east-1:000000000000:service/prod/*"]}`,
		`{"Effect":"Deny","Action":["ecs:StopTask","ecs:UpdateService"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}`,
	} {
		name := "dev" + string(rune('a'+len(deny)%26))
		dev, _ := newUser(t, clientsFor(e.rc.Config, nil), e.rc.Config, nil, name, `{"Version":"2012-10-17","Statement":[`+allowECSAndPass+`,`+deny+`]}`)
		devECS := ecsOf(t, e.rc, dev)
		for _, ref := range []string{id, taskArn, "arn:aws:ecs:us-east-1:000000000000:task/" + id} {
			_, err := devECS.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("prod"), Task: aws.String(ref)})
			wantErr(t, err, 400, "AccessDeniedException", deniedECS(userArn+name, "ecs:StopTask", taskArn))
		}
		for _, ref := range []string{"api", "arn:aws:ecs:us-east-1:000000000000:service/api", "arn:aws:ecs:us-east-1:000000000000:service/prod/api"} {
			_, err := devECS.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("prod"), Service: aws.String(ref), DesiredCount: aws.Int32(0)})
			wantErr(t, err, 400, "AccessDeniedException", deniedECS(userArn+name, "ecs:UpdateService", "arn:aws:ecs:us-east-1:000000000000:service/prod/api"))
		}
	}
}

// TestReviewSimulateNamesTheEntity: SimulatePrincipalPolicy with the
// entity's name in another case or at another path names no entity.
func TestReviewSimulateNamesTheEntity(t *testing.T) {
	rc := newECSEnv(t).rc
	root := clientsFor(rc.Config, nil)
	must(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("boss"), Path: aws.String("/admins/")}))(t)
	spy, _ := newUser(t, root, rc.Config, nil, "spy", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:SimulatePrincipalPolicy","Resource":"*"},
		{"Effect":"Deny","Action":"iam:SimulatePrincipalPolicy","Resource":"arn:aws:iam::000000000000:user/admins/*"}]}`)
	for _, src := range []string{"arn:aws:iam::000000000000:user/BOSS", "arn:aws:iam::000000000000:user/nowhere/boss"} {
		_, err := spy.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(src), ActionNames: []string{"s3:GetObject"}})
		name := src[strings.LastIndexByte(src, '/')+1:]
		wantErr(t, err, 404, "NoSuchEntity", "The user with name "+name+" cannot be found.")
	}
}

// TestReviewInstanceProfilePassRole: "The caller of this operation must be
// granted the PassRole permission on the IAM role by a permissions policy"
// (AddRoleToInstanceProfile API reference).
func TestReviewInstanceProfilePassRole(t *testing.T) {
	rc := newECSEnv(t).rc
	root := clientsFor(rc.Config, nil)
	createRole(t, root.iam, "admin", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(ec2Trust) })
	dev, _ := newUser(t, root, rc.Config, nil, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateInstanceProfile","iam:AddRoleToInstanceProfile"],"Resource":"*"}]}`)
	must(dev.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("p")}))(t)
	_, err := dev.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("p"), RoleName: aws.String("admin")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:PassRole", "role admin"))
}

// TestReviewTaskEnvNeedsExec: a running task's credentials go to who may
// run code in it (ecs:ExecuteCommand on the task), not to anyone who may
// pass its role.
func TestReviewTaskEnvNeedsExec(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	roleArn := e.role(t, "prodTask", ecsTasksTrust)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(roleArn) })
	task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	e.clock.Advance(time.Second)
	_, key := newUser(t, clientsFor(e.rc.Config, nil), e.rc.Config, nil, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
		{"Effect":"Deny","Action":"ecs:*","Resource":"*"}]}`)
	status, body := taskEnv(t, e, aws.ToString(task.TaskArn), aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), "")
	if status != 400 || body["__type"] != "AccessDeniedException" || body["message"] != deniedECS(userArn+"dev", "ecs:ExecuteCommand", aws.ToString(task.TaskArn)) {
		t.Errorf("task-env: %d %v", status, body)
	}
}
