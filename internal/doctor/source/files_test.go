package source

import (
	"context"
	"encoding/base64"
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

// An export in pieces reads as one, each entity once; documents as the
// API encodes them (RFC 3986: '+' is itself, a leading newline "%0A").
func TestIAMExportPieces(t *testing.T) {
	dir := t.TempDir()
	trust := "\n" + `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a b+c"}]}`
	role := func(name string) string {
		return `{"RoleName": "` + name + `", "Path": "/", "Arn": "arn:aws:iam::123456789012:role/` + name + `",
      "AssumeRolePolicyDocument": "` + strings.ReplaceAll(url.PathEscape(trust), "+", "%2B") + `",
      "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": "` + strings.ReplaceAll(url.PathEscape(inline), "+", "%2B") + `"}]}`
	}
	write(t, dir, "pages/1.json", `{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [`+role("a")+`], "Policies": [], "IsTruncated": true, "Marker": "m"}`)
	write(t, dir, "pages/2.json", `{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [`+role("b")+`], "Policies": [], "IsTruncated": false}`)
	write(t, dir, "pages/whole.json", `{"RoleDetailList": [`+role("a")+`, `+role("b")+`]}`)
	// A --max-items piece that ended inside a page says how much of it.
	within := base64.StdEncoding.EncodeToString([]byte(`{"Marker": null, "boto_truncate_amount": 2}`))
	write(t, dir, "pages/3.json", `{"UserDetailList": [], "RoleDetailList": [], "NextToken": "`+within+`"}`)
	l, err := LoadFiles(filepath.Join(dir, "pages"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := l.IAM.Principals(context.Background())
	if err != nil || len(all) != 2 {
		t.Fatalf("principals %d %v", len(all), err)
	}
	if all[0].Trust != trust || all[0].Policies[0].Document != inline {
		t.Errorf("documents %q %q", all[0].Trust, all[0].Policies[0].Document)
	}

	// One that ended at a page's end: the CLI dropped the next page's
	// groups, roles and policies.
	boundary := base64.StdEncoding.EncodeToString([]byte(`{"Marker": "ZHJhcHA"}`))
	p := write(t, dir, "piece.json", `{"UserDetailList": [], "RoleDetailList": [], "NextToken": "`+boundary+`"}`)
	if _, err := LoadFiles(p); err == nil || !strings.Contains(err.Error(), "may lack groups, roles and policies") {
		t.Errorf("err = %v", err)
	}
	bad, err := LoadFiles(write(t, dir, "bad.json", `{"RoleDetailList": [{"RoleName": "r", "AssumeRolePolicyDocument": "%zz"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.IAM.Role(context.Background(), "r"); err == nil || !strings.Contains(err.Error(), "trust policy of r: policy document is neither JSON nor URL-encoded JSON") {
		t.Errorf("err = %v", err)
	}
}

func FuzzLoad(f *testing.F) {
	for _, s := range []string{`{"family":"a","containerDefinitions":[{"name":"c","image":"i"}]}`, `[{"serviceName":"s"}]`,
		`{"services":[{}]}`, `{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"%7B"}]}`, `{"Parameters":[{"Name":"p","KeyId":"k"}]}`,
		`{"RoleDetailList":[],"NextToken":"eyJNYXJrZXIiOiAiWkhKaGNIQSJ9"}`, `{"UserDetailList":[{"Arn":"a"},{"Arn":"a"}],"NextToken":"e30="}`} {
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
