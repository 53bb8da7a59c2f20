package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/rolecalltest"
)

const devTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/dev"},"Action":"sts:AssumeRole"}]}`

// seedIAM makes IAM entities of every kind through the SDK.
func seedIAM(t *testing.T, rc *rolecalltest.Server) {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(rc.Config)
	step := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("assume"), PolicyDocument: aws.String(pol)})
	if err != nil {
		t.Fatal(err)
	}
	step(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p.Policy.Arn, PolicyDocument: aws.String(pol), SetAsDefault: true}))
	step(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev"), Path: aws.String("/people/")}))
	step(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	step(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: p.Policy.Arn}))
	step(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("dev")}))
	step(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"),
		AssumeRolePolicyDocument: aws.String(strings.Replace(devTrust, "user/dev", "user/people/dev", 1))}))
	step(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("deploy"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	step(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("more"), PolicyDocument: aws.String(pol)}))
	step(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("deploy")}))
	step(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("deploy"), RoleName: aws.String("deploy")}))
	step(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))
}

// gaadOf is what GetAccountAuthorizationDetails answers, to compare.
func gaadOf(t *testing.T, cfg aws.Config) string {
	t.Helper()
	out, err := iam.NewFromConfig(cfg).GetAccountAuthorizationDetails(context.Background(), &iam.GetAccountAuthorizationDetailsInput{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal([]any{out.UserDetailList, out.GroupDetailList, out.RoleDetailList, out.Policies})
	return string(b)
}

// served is an app serving over HTTP for the SDK, as serve runs it.
func served(t *testing.T, srv *app.App) aws.Config {
	t.Helper()
	hs := httptest.NewServer(srv.Handler)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("test", "test", ""))}
}

// TestServeInitFromExport: `aws iam get-account-authorization-details`,
// made with the aws CLI against rolecall, seeds a fresh rolecall (serve
// --init): it answers GetAccountAuthorizationDetails as the first did,
// the user it names is trusted by unique ID (the export has no access
// keys: one made now assumes the role), and the service-linked role is
// protected. A second --init on the same state leaves the account as it
// is.
func TestServeInitFromExport(t *testing.T) {
	rc := rolecalltest.RunT(t)
	seedIAM(t, rc)
	path := export(t, rc, t.TempDir(), "iam.json")
	want := gaadOf(t, rc.Config)

	dir := t.TempDir()
	srv, err := app.Open(app.Options{DataDir: dir, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if code := seed(srv, path, &out, &errs); code != 0 || out.String() != "rolecall: --init: account 000000000000 seeded from "+path+" (an aws iam get-account-authorization-details export)\n" {
		t.Fatalf("seed: exit %d\n%s%s", code, out.String(), errs.String())
	}
	cfg := served(t, srv)
	if got := gaadOf(t, cfg); got != want {
		t.Errorf("GetAccountAuthorizationDetails after --init differs:\n got %s\nwant %s", got, want)
	}
	ctx := context.Background()
	c := iam.NewFromConfig(cfg)
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	dev := cfg.Copy()
	dev.Credentials = credentials.NewStaticCredentialsProvider(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, "")
	if _, err := sts.NewFromConfig(dev).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/deploy"), RoleSessionName: aws.String("init")}); err != nil {
		t.Errorf("dev assumes deploy: %v", err)
	}
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("AWSServiceRoleForECS")}); err == nil || !strings.Contains(err.Error(), "UnmodifiableEntity") {
		t.Errorf("DeleteRole of the service-linked role: %v", err)
	}

	// Again on the same state: left as it is.
	out.Reset()
	if code := seed(srv, path, &out, &errs); code != 0 || out.String() != "rolecall: --init: account 000000000000 already has state; left as it is\n" {
		t.Errorf("second seed: exit %d\n%s%s", code, out.String(), errs.String())
	}
}

// TestServeInitRefusesBadFile: serve --init with a file it cannot import
// does not start.
func TestServeInitRefusesBadFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"format":"rolecall-state","version":7,"accounts":{}}`), 0o600)
	_, errs, code := cli("serve", "--ephemeral", "--addr", "127.0.0.1:0", "--init", bad)
	if code != 1 || errs != "rolecall: --init: "+bad+": unknown state file version: the file is in version 7 of the state format, and this rolecall reads version 1: upgrade rolecall to read it; nothing was imported\n" {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// TestStateExportImportDir: export reads a data directory no rolecall
// serves (and refuses one that a rolecall serves), writes the file 0600,
// and import writes it into another, whole; a file it refuses leaves the
// directory without state.
func TestStateExportImportDir(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	a, err := rolecalltest.Start(rolecalltest.WithDataDir(dirA))
	if err != nil {
		t.Fatal(err)
	}
	seedIAM(t, a)
	want := gaadOf(t, a.Config)
	file := filepath.Join(t.TempDir(), "state.json")
	if _, errs, code := cli("state", "export", "--data-dir", dirA, file); code != 1 || !strings.Contains(errs, "a rolecall serves "+dirA+"; stop it, or pass --endpoint to go through it") {
		t.Errorf("export while served: exit %d: %s", code, errs)
	}
	// Through the running rolecall instead.
	viaEndpoint, errs, code := cli("state", "export", "--endpoint", a.Endpoint)
	if code != 0 || !strings.Contains(viaEndpoint, `"format": "rolecall-state"`) {
		t.Errorf("export through the endpoint: exit %d: %s", code, errs)
	}
	a.Close()

	if _, errs, code := cli("state", "export", "--data-dir", dirA, file); code != 0 || errs != "rolecall: state written to "+file+" (mode 0600: it holds secrets: access keys, password keys, MFA seeds)\n" {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the state file's mode: %v %v", fi.Mode(), err)
	}
	b, _ := os.ReadFile(file)
	if stripExported(b) != stripExported([]byte(viaEndpoint)) {
		t.Errorf("export of the data directory and through the endpoint differ:\n%s\n%s", b, viaEndpoint)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, bytes.Replace(b, []byte(`"version": 1`), []byte(`"version": 2`), 1), 0o600)
	if _, errs, code := cli("state", "import", "--data-dir", dirB, bad); code != 1 || !strings.Contains(errs, "nothing was imported") {
		t.Errorf("import of version 2: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dirB, app.StateFile)); err == nil {
		t.Errorf("a refused import made a state file")
	}
	out, errs, code := cli("state", "import", "--data-dir", dirB, file)
	if code != 0 || out != "imported 000000000000 from "+file+" (a rolecall state file)\n" {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	if _, errs, code := cli("state", "import", "--data-dir", dirB, file); code != 1 || !strings.Contains(errs, "account 000000000000: the account already has state: an import adds accounts") {
		t.Errorf("import again: exit %d: %s", code, errs)
	}
	bSrv := rolecalltest.RunT(t, rolecalltest.WithDataDir(dirB))
	if got := gaadOf(t, bSrv.Config); got != want {
		t.Errorf("GetAccountAuthorizationDetails after import differs:\n got %s\nwant %s", got, want)
	}
}

// stripExported leaves out who wrote a state file and when.
func stripExported(b []byte) string {
	var m map[string]any
	json.Unmarshal(b, &m)
	delete(m, "exportedAt")
	delete(m, "rolecall")
	out, _ := json.Marshal(m)
	return string(out)
}
