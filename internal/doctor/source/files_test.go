package source

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/doctor"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Each kind of document is recognized by its members, as the AWS CLI's
// --cli-input-json and describe outputs write them.
func TestLoadFilesKinds(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a/td.json", `{"taskDefinition":{"family":"web","revision":3,"taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:3","containerDefinitions":[]}}`)
	write(t, dir, "a/services.json", `{"services":[{"serviceName":"web","clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/prod","taskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:3","roleArn":"arn:aws:iam::123456789012:role/ecsServiceRole"}],"failures":[]}`)
	write(t, dir, "b/cluster.json", `{"clusterName":"prod","capacityProviders":["FARGATE","mi"]}`)
	write(t, dir, "b/cps.json", `{"capacityProviders":[{"name":"mi","managedInstancesProvider":{"infrastructureRoleArn":"arn:aws:iam::123456789012:role/infra"}}]}`)
	write(t, dir, "b/target.json", `[{"ServiceNamespace":"ecs","ResourceId":"service/prod/web","ScalableDimension":"ecs:service:DesiredCount"}]`)
	write(t, dir, "c/secret.json", `{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC123","Name":"db","KmsKeyId":"arn:aws:kms:us-east-1:123456789012:key/k1"}`)
	write(t, dir, "c/params.json", `{"Parameters":[{"Name":"/p","ARN":"arn:aws:ssm:us-east-1:123456789012:parameter/p","Type":"SecureString","KeyId":"alias/mine"},{"Name":"plain","Type":"String"}]}`)
	write(t, dir, "c/other.json", `{"something":"else"}`)
	write(t, dir, "c/notes.txt", `not json`)
	l, err := LoadFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.TaskDefinitions) != 1 || l.TaskDefinitions[0].Name() != "web:3" {
		t.Errorf("task definitions %+v", l.TaskDefinitions)
	}
	if len(l.Services) != 1 || l.Services[0].ClusterName() != "prod" || l.Services[0].ServiceRole() != "arn:aws:iam::123456789012:role/ecsServiceRole" {
		t.Errorf("services %+v", l.Services)
	}
	if len(l.Clusters) != 1 || len(l.CapacityProviders) != 1 || len(l.ScalableTargets) != 1 {
		t.Errorf("clusters %d, capacity providers %d, targets %d", len(l.Clusters), len(l.CapacityProviders), len(l.ScalableTargets))
	}
	if l.Keys["arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC123"] != "arn:aws:kms:us-east-1:123456789012:key/k1" || l.Keys["/p"] != "alias/mine" || l.Keys["plain"] != "" {
		t.Errorf("keys %v", l.Keys)
	}
	if len(l.Skipped) != 1 || !strings.HasSuffix(l.Skipped[0], "c/other.json") {
		t.Errorf("skipped %v", l.Skipped)
	}
	// A file named on its own must be something the doctor reads.
	if _, err := LoadFiles(filepath.Join(dir, "c/other.json")); err == nil || !strings.Contains(err.Error(), "not a task definition") {
		t.Errorf("err = %v", err)
	}
	if _, err := LoadFiles(write(t, dir, "bad.json", `{"family":`)); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("err = %v", err)
	}
}

// An IAM export: documents as objects or URL-encoded strings, groups,
// boundaries, AWS managed policies from the catalog, instance profiles.
func TestIAMExport(t *testing.T) {
	enc := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	dir := t.TempDir()
	p := write(t, dir, "iam.json", `{
  "UserDetailList": [{"UserName": "dev", "Arn": "arn:aws:iam::123456789012:user/dev", "Path": "/",
    "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": {"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}}}],
    "GroupList": ["devs"], "AttachedManagedPolicies": [],
    "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/boundary"}}],
  "GroupDetailList": [{"GroupName": "devs", "Arn": "arn:aws:iam::123456789012:group/devs", "GroupPolicyList": [],
    "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}],
  "RoleDetailList": [{"RoleName": "Task", "Path": "/app/", "Arn": "arn:aws:iam::123456789012:role/app/Task",
    "AssumeRolePolicyDocument": "`+enc+`",
    "InstanceProfileList": [{"InstanceProfileName": "prof", "Arn": "arn:aws:iam::123456789012:instance-profile/prof"}],
    "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "custom", "PolicyArn": "arn:aws:iam::123456789012:policy/custom"}]}],
  "Policies": [
    {"PolicyName": "boundary", "Arn": "arn:aws:iam::123456789012:policy/boundary", "DefaultVersionId": "v2",
     "PolicyVersionList": [{"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}}]},
    {"PolicyName": "custom", "Arn": "arn:aws:iam::123456789012:policy/custom", "DefaultVersionId": "v1",
     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"}]}
  ]
}`)
	l, err := LoadFiles(p)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := l.IAM.Role(ctx, "task") // names are case-insensitive
	if err != nil {
		t.Fatal(err)
	}
	if r.ARN != "arn:aws:iam::123456789012:role/app/Task" || !strings.Contains(r.Trust, `"ecs-tasks.amazonaws.com"`) || len(r.Policies) != 1 || r.Policies[0].Document != `{"Version":"2012-10-17","Statement":[]}` {
		t.Errorf("role %+v", r)
	}
	u, err := l.IAM.Principal(ctx, "arn:aws:iam::123456789012:user/dev")
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Policies) != 2 || u.Policies[1].ID != "arn:aws:iam::aws:policy/ReadOnlyAccess" || !strings.Contains(u.Policies[1].Document, "Statement") || u.Boundary == nil {
		t.Errorf("user %+v", u)
	}
	ip, err := l.IAM.InstanceProfile(ctx, "prof")
	if err != nil || len(ip.Roles) != 1 || ip.Roles[0] != "Task" {
		t.Errorf("profile %+v %v", ip, err)
	}
	if _, err := l.IAM.Role(ctx, "nope"); !errors.Is(err, doctor.ErrNotFound) {
		t.Errorf("err = %v", err)
	}
	all, err := l.IAM.Principals(ctx)
	if err != nil || len(all) != 2 {
		t.Errorf("principals %d %v", len(all), err)
	}
}

func FuzzLoad(f *testing.F) {
	for _, s := range []string{`{"family":"a","containerDefinitions":[{"name":"c","image":"i"}]}`, `[{"serviceName":"s"}]`,
		`{"services":[{}]}`, `{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"%7B"}]}`, `{"Parameters":[{"Name":"p","KeyId":"k"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l := &Loaded{Keys: map[string]string{}}
		_, _ = l.load(b, "fuzz")
		if l.IAM != nil {
			_, _ = l.IAM.Principals(context.Background())
		}
	})
}
