package doctor

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/catalog/actions"
)

// Every request the doctor evaluates names a resource the Service
// Authorization Reference says the action takes ("*" only for actions
// without resource types), and every action exists.
func TestNeedsAgreeWithServiceAuthorizationReference(t *testing.T) {
	s := richSetup()
	a := newAnalysis(context.Background(), s)
	a.collect()
	n := 0
	for _, cb := range a.cases {
		for _, nd := range cb.needs {
			n++
			ai, ok := actions.Lookup(nd.Action)
			if !ok {
				t.Errorf("unknown action %s", nd.Action)
				continue
			}
			if len(ai.ResourceTypes) == 0 {
				if nd.Resource != "*" {
					t.Errorf("%s takes no resource type but is evaluated on %s", nd.Action, nd.Resource)
				}
				continue
			}
			if _, ok := ai.MatchResourceType(nd.Resource); !ok {
				t.Errorf("%s is evaluated on %s, which is none of its resource types", nd.Action, nd.Resource)
			}
		}
	}
	if n < 40 {
		t.Errorf("only %d requests", n)
	}
}

// richSetup uses every feature the doctor knows. Its log group has no '/'
// because the catalog's ARN matcher stops a placeholder other than the last
// at '/' (log group names may hold one; the formats do not say so).
func richSetup() *Setup {
	var td, ec2td TaskDefinition
	var svc, legacy, asgSvc Service
	var asg, mi CapacityProvider
	var express ExpressService
	for _, d := range []struct {
		into any
		doc  string
	}{
		{&td, `{"family": "all", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
			"executionRoleArn": "arn:aws:iam::123456789012:role/exec", "taskRoleArn": "arn:aws:iam::123456789012:role/task",
			"containerDefinitions": [{"name": "c", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1",
				"repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:us-east-1:123456789012:secret:reg-AbC123"},
				"logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "app-logs", "awslogs-region": "us-east-1", "awslogs-create-group": "true"}},
				"secrets": [{"name": "A", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbC123"}, {"name": "B", "valueFrom": "b"}],
				"environmentFiles": [{"type": "s3", "value": "arn:aws:s3:::bucket/env"}]}],
			"volumes": [{"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "authorizationConfig": {"iam": "ENABLED"}}},
				{"name": "ebs", "configuredAtLaunch": true}]}`},
		{&ec2td, `{"family": "onec2", "containerDefinitions": [{"name": "c", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1",
			"logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "app-logs", "awslogs-region": "us-east-1"}}}]}`},
		{&svc, `{"serviceName": "s", "cluster": "c", "taskDefinition": "all", "launchType": "FARGATE", "enableExecuteCommand": true,
			"loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/0123456789abcdef"}],
			"serviceRegistries": [{"registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-0123456789"}],
			"volumeConfigurations": [{"name": "ebs", "managedEBSVolume": {"roleArn": "arn:aws:iam::123456789012:role/infra"}}],
			"serviceConnectConfiguration": {"enabled": true, "services": [{"portName": "http", "tls": {"roleArn": "arn:aws:iam::123456789012:role/infra",
				"issuerCertificateAuthority": {"awsPcaAuthorityArn": "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/0123"}}}]}}`},
		{&legacy, `{"serviceName": "old", "cluster": "c", "taskDefinition": "onec2", "launchType": "EC2", "role": "ecsServiceRole",
			"loadBalancers": [{"loadBalancerName": "elb"}]}`},
		{&asgSvc, `{"serviceName": "asg", "cluster": "c", "taskDefinition": "onec2", "capacityProviderStrategy": [{"capacityProvider": "asg"}],
			"deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5, "lifecycleHooks": [{"hookTargetArn": "arn:aws:lambda:us-east-1:123456789012:function:check",
				"roleArn": "arn:aws:iam::123456789012:role/hook", "lifecycleStages": ["POST_SCALE_UP"]}]}}`},
		{&asg, `{"name": "asg", "autoScalingGroupProvider": {"autoScalingGroupArn": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0123-4567:autoScalingGroupName/asg",
			"managedScaling": {"status": "ENABLED"}}}`},
		{&mi, `{"name": "mi", "cluster": "c", "managedInstancesProvider": {"infrastructureRoleArn": "arn:aws:iam::123456789012:role/mi-infra",
			"instanceLaunchTemplate": {"ec2InstanceProfileArn": "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"}}}`},
		{&express, `{"serviceName": "ex", "cluster": "c", "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
			"infrastructureRoleArn": "arn:aws:iam::123456789012:role/express-infra", "primaryContainer": {"image": "nginx", "containerPort": 8080,
				"awsLogsConfiguration": {"logGroup": "ex-logs", "logStreamPrefix": "ecs"}}}`},
	} {
		if err := json.Unmarshal([]byte(d.doc), d.into); err != nil {
			panic(err)
		}
	}
	cps := []*CapacityProvider{&asg, &mi}
	return &Setup{Account: "123456789012", Region: "us-east-1",
		TaskDefinitions: []*TaskDefinition{&td, &ec2td}, Services: []*Service{&svc, &legacy, &asgSvc}, CapacityProviders: cps,
		ScalableTargets: []*ScalableTarget{{ServiceNamespace: "ecs", ResourceId: "service/c/s", ScalableDimension: "ecs:service:DesiredCount"}},
		ExpressServices: []*ExpressService{&express},
		// Not read as registrations (Registrations): only its trunk counts.
		ContainerInstances: []*ContainerInstance{{Cluster: "c", Ec2InstanceId: "i-0123456789abcdef0", Trunk: "eni-0123456789abcdef0"}},
		Keys:               map[string]string{"arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbC123": "1234abcd-12ab-34cd-56ef-1234567890ab"}}
}

// Without IAM, every role the setup needs is listed and skipped; the needs
// themselves do not depend on IAM.
func TestDiagnoseWithoutIAM(t *testing.T) {
	rep, err := Diagnose(context.Background(), richSetup())
	if err != nil {
		t.Fatal(err)
	}
	needed := map[RoleKind]bool{}
	for _, rc := range rep.Roles {
		if rc.Needed {
			needed[rc.Kind] = true
		}
	}
	for _, k := range kindOrder {
		if !needed[k] {
			t.Errorf("%s: not needed by a setup that uses every feature", k)
		}
	}
	for _, rc := range rep.Roles {
		if rc.Kind == KindServiceRole {
			if rc.Status != Skipped {
				t.Errorf("legacy role status %s", rc.Status)
			}
		}
	}
	if rep.Failed() {
		var b strings.Builder
		_ = rep.WriteTable(&b, false)
		t.Errorf("a setup without IAM fails:\n%s", b.String())
	}
}

// A container instance with a trunk network interface, or one whose
// registration failed while ECS provisioned it, needs AWSServiceRoleForECS:
// ECS creates, attaches and deletes the trunk through it.
func TestTrunkingNeedsTheServiceLinkedRole(t *testing.T) {
	for _, ci := range []*ContainerInstance{
		{Cluster: "prod", Ec2InstanceId: "i-0123456789abcdef0", Trunk: "eni-0123456789abcdef0"},
		{Cluster: "prod", Ec2InstanceId: "i-0123456789abcdef0", TrunkFailed: true},
	} {
		a := newAnalysis(context.Background(), &Setup{Account: "123456789012", Region: "us-east-1", ContainerInstances: []*ContainerInstance{ci}})
		a.collect()
		cb := a.linked(KindECSLinked)
		want := "container instance i-0123456789abcdef0 (cluster prod): ENI trunking: ECS creates and attaches its trunk network interface, and deletes it when the instance is deregistered"
		if !cb.needed || !slices.Contains(cb.why, want) {
			t.Errorf("%+v: needed %v, why %q", ci, cb.needed, cb.why)
		}
		var got []string
		for _, n := range cb.needs {
			got = append(got, n.Action+" "+n.Resource)
		}
		eni := "arn:aws:ec2:us-east-1:123456789012:network-interface/" + orDefault(ci.Trunk, "eni-*")
		if wantNeeds := []string{"ec2:CreateNetworkInterface " + eni, "ec2:AttachNetworkInterface " + eni, "ec2:DeleteNetworkInterface " + eni, "ec2:DescribeNetworkInterfaces *"}; !slices.Equal(got, wantNeeds) {
			t.Errorf("needs %q", got)
		}
	}
}
