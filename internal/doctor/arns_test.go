package doctor

import (
	"context"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/catalog/actions"
)

func TestECRRepo(t *testing.T) {
	cases := []struct {
		image, account, region, repo string
		ok                           bool
	}{
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2", "123456789012", "us-east-1", "web", true},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api@sha256:0123abcd", "123456789012", "eu-west-1", "team/api", true},
		{"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app", "123456789012", "us-gov-west-1", "app", true},
		{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:latest", "123456789012", "cn-north-1", "app", true},
		{"public.ecr.aws/nginx/nginx:1.25", "", "", "", false},
		{"nginx:latest", "", "", "", false},
	}
	for _, c := range cases {
		a, r, repo, ok := ecrRepo(c.image)
		if ok != c.ok || a != c.account || r != c.region || repo != c.repo {
			t.Errorf("ecrRepo(%q) = %q %q %q %v", c.image, a, r, repo, ok)
		}
	}
}

func TestParseValueFrom(t *testing.T) {
	cases := []struct{ in, service, arn string }{
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123", "secretsmanager", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"},
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123:password::", "secretsmanager", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"},
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db", "secretsmanager", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-XXXXXX"},
		{"arn:aws:ssm:us-east-1:123456789012:parameter/prod/key", "ssm", "arn:aws:ssm:us-east-1:123456789012:parameter/prod/key"},
		{"/prod/key", "ssm", "arn:aws:ssm:eu-west-1:111122223333:parameter/prod/key"},
		{"plain", "ssm", "arn:aws:ssm:eu-west-1:111122223333:parameter/plain"},
	}
	for _, c := range cases {
		r := parseValueFrom(c.in, "aws", "eu-west-1", "111122223333")
		if r.service != c.service || r.arn != c.arn {
			t.Errorf("parseValueFrom(%q) = %+v", c.in, r)
		}
	}
}

func TestKMSKeyARN(t *testing.T) {
	cases := map[string]string{
		"":                                     "",
		"alias/aws/secretsmanager":             "",
		"alias/mine":                           "",
		"1234abcd-12ab-34cd-56ef-1234567890ab": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"arn:aws:kms:us-east-1:123456789012:key/k": "arn:aws:kms:us-east-1:123456789012:key/k",
	}
	for in, want := range cases {
		if got := kmsKeyARN(in, "aws", "us-east-1", "123456789012"); got != want {
			t.Errorf("kmsKeyARN(%q) = %q, want %q", in, got, want)
		}
	}
}

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
	yes := true
	td := &TaskDefinition{Family: "all", NetworkMode: "awsvpc", RequiresCompatibilities: []string{"FARGATE"},
		ExecutionRoleArn: "arn:aws:iam::123456789012:role/exec", TaskRoleArn: "arn:aws:iam::123456789012:role/task",
		ContainerDefinitions: []Container{{Name: "c", Image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1",
			RepositoryCredentials: &RepositoryCredentials{CredentialsParameter: "arn:aws:secretsmanager:us-east-1:123456789012:secret:reg-AbC123"},
			LogConfiguration:      &LogConfiguration{LogDriver: "awslogs", Options: map[string]string{"awslogs-group": "app-logs", "awslogs-region": "us-east-1", "awslogs-create-group": "true"}},
			Secrets:               []Secret{{Name: "A", ValueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbC123"}, {Name: "B", ValueFrom: "b"}},
			EnvironmentFiles:      []EnvironmentFile{{Type: "s3", Value: "arn:aws:s3:::bucket/env"}},
		}},
		Volumes: []Volume{{Name: "efs", EfsVolumeConfiguration: &EfsVolumeConfiguration{FileSystemId: "fs-1", AuthorizationConfig: &EfsAuthorizationConfig{Iam: "ENABLED"}}},
			{Name: "ebs", ConfiguredAtLaunch: &yes}}}
	ec2td := &TaskDefinition{Family: "onec2", ContainerDefinitions: []Container{{Name: "c", Image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1",
		LogConfiguration: &LogConfiguration{LogDriver: "awslogs", Options: map[string]string{"awslogs-group": "app-logs", "awslogs-region": "us-east-1"}}}}}
	svc := &Service{ServiceName: "s", Cluster: "c", TaskDefinition: "all", LaunchType: "FARGATE", EnableExecuteCommand: true,
		LoadBalancers:        []LoadBalancer{{TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/0123456789abcdef"}},
		ServiceRegistries:    []ServiceRegistry{{RegistryArn: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-0123456789"}},
		VolumeConfigurations: []ServiceVolumeConfiguration{{Name: "ebs", ManagedEBSVolume: &ServiceManagedEBSVolumeConfig{RoleArn: "arn:aws:iam::123456789012:role/infra"}}},
		ServiceConnectConfiguration: &ServiceConnectConfiguration{Enabled: true, Services: []ServiceConnectService{{PortName: "http",
			Tls: &ServiceConnectTlsConfiguration{RoleArn: "arn:aws:iam::123456789012:role/infra", IssuerCertificateAuthority: struct {
				AwsPcaAuthorityArn string `json:"awsPcaAuthorityArn,omitempty"`
			}{AwsPcaAuthorityArn: "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/0123"}}}}}}
	legacy := &Service{ServiceName: "old", Cluster: "c", TaskDefinition: "onec2", LaunchType: "EC2", Role: "ecsServiceRole",
		LoadBalancers:            []LoadBalancer{{LoadBalancerName: "elb"}},
		CapacityProviderStrategy: nil}
	asgSvc := &Service{ServiceName: "asg", Cluster: "c", TaskDefinition: "onec2", CapacityProviderStrategy: []CapacityProviderStrategy{{CapacityProvider: "asg"}}}
	cps := []*CapacityProvider{
		{Name: "asg", AutoScalingGroupProvider: &AutoScalingGroupProvider{AutoScalingGroupArn: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0123-4567:autoScalingGroupName/asg",
			ManagedScaling: &struct {
				Status string `json:"status,omitempty"`
			}{Status: "ENABLED"}}},
		{Name: "mi", Cluster: "c", ManagedInstancesProvider: &ManagedInstancesProvider{InfrastructureRoleArn: "arn:aws:iam::123456789012:role/mi-infra",
			InstanceLaunchTemplate: &struct {
				Ec2InstanceProfileArn string `json:"ec2InstanceProfileArn"`
			}{Ec2InstanceProfileArn: "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"}}},
	}
	return &Setup{Account: "123456789012", Region: "us-east-1",
		TaskDefinitions: []*TaskDefinition{td, ec2td}, Services: []*Service{svc, legacy, asgSvc}, CapacityProviders: cps,
		ScalableTargets: []*ScalableTarget{{ServiceNamespace: "ecs", ResourceId: "service/c/s", ScalableDimension: "ecs:service:DesiredCount"}},
		Keys:            map[string]string{"arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbC123": "1234abcd-12ab-34cd-56ef-1234567890ab"}}
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
