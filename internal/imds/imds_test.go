package imds

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/instances"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

const acct = "000000000000"

// fakeRoles stands in for IAM, STS and the authorizer.
type fakeRoles struct {
	clock   *ids.FixedClock
	trusted bool
	profile *instances.Profile
}

func (f *fakeRoles) InstanceProfile(_ context.Context, account, ref string) (*instances.Profile, error) {
	if account != acct || f.profile == nil || (ref != f.profile.Name && ref != f.profile.Arn) {
		return nil, nil
	}
	p := *f.profile
	return &p, nil
}

func (f *fakeRoles) PassRole(context.Context, instances.Call, string, string) error { return nil }

func (f *fakeRoles) AssumeRole(_ context.Context, account, region, roleArn, session string) (*principal.Session, error) {
	if !f.trusted {
		return nil, awserr.AccessDenied("denied")
	}
	now := f.clock.Now().UTC().Truncate(time.Second)
	return &principal.Session{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", SecretAccessKey: "secret/+", SessionToken: "token", IssuedAt: now, Expiration: now.Add(time.Hour)}, nil
}

type fixture struct {
	clock *ids.FixedClock
	roles *fakeRoles
	svc   *instances.Service
	srv   *Server
	inst  *instances.Instance
	h     http.Handler
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clock: &ids.FixedClock{T: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
	f.roles = &fakeRoles{clock: f.clock, trusted: true, profile: &instances.Profile{Arn: "arn:aws:iam::" + acct + ":instance-profile/web", Name: "web", ID: "AIPAWEB",
		RoleArn: "arn:aws:iam::" + acct + ":role/ecsInstanceRole", RoleName: "ecsInstanceRole"}}
	f.svc = instances.New(instances.Config{Store: store.NewMemory(), Clock: f.clock, IDs: &ids.Sequence{}, Roles: f.roles})
	f.srv = New(Config{Instances: f.svc, Clock: f.clock})
	var err error
	if f.inst, err = f.svc.Launch(context.Background(), instances.Call{Account: acct, Region: "eu-west-1"}, instances.LaunchInput{InstanceProfile: "web"}); err != nil {
		t.Fatal(err)
	}
	f.h = &metadata{s: f.srv, inst: *f.inst}
	return f
}

func (f *fixture) do(method, path string, header ...string) (int, string, http.Header) {
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b), w.Result().Header
}

func (f *fixture) token(t *testing.T, ttl string) string {
	t.Helper()
	code, body, h := f.do(http.MethodPut, tokenPath, ttlHeader, ttl)
	if code != 200 || h.Get(ttlHeader) != ttl || len(body) != 56 {
		t.Fatalf("token: %d %q %v", code, body, h)
	}
	return body
}

func TestTokenRequests(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name    string
		method  string
		headers []string
		status  int
	}{
		{"no TTL", http.MethodPut, nil, 400},
		{"TTL 0", http.MethodPut, []string{ttlHeader, "0"}, 400},
		{"TTL too long", http.MethodPut, []string{ttlHeader, "21601"}, 400},
		{"TTL negative", http.MethodPut, []string{ttlHeader, "-5"}, 400},
		{"TTL not a number", http.MethodPut, []string{ttlHeader, "10s"}, 400},
		{"two TTLs", http.MethodPut, []string{ttlHeader, "10", ttlHeader, "20"}, 400},
		{"through a proxy", http.MethodPut, []string{ttlHeader, "60", "X-Forwarded-For", "203.0.113.9"}, 403},
		{"GET", http.MethodGet, []string{ttlHeader, "60"}, 405},
		{"TTL 1", http.MethodPut, []string{ttlHeader, "1"}, 200},
		{"TTL 21600", http.MethodPut, []string{ttlHeader, "21600"}, 200},
	} {
		code, body, h := f.do(tc.method, tokenPath, tc.headers...)
		if code != tc.status {
			t.Errorf("%s: %d %s", tc.name, code, body)
		}
		if code == 400 && !strings.Contains(body, "<title>400 - Bad Request</title>") {
			t.Errorf("%s: body %q", tc.name, body)
		}
		if code == 403 && (body != "" || h.Get("Content-Type") != "text/plain") {
			t.Errorf("%s: body %q %v", tc.name, body, h)
		}
	}
}

func TestMetadata(t *testing.T) {
	f := newFixture(t)
	id := f.inst.InstanceId
	if code, body, _ := f.do(http.MethodGet, "/latest/meta-data/instance-id"); code != 401 || !strings.Contains(body, "401 - Unauthorized") {
		t.Errorf("IMDSv1: %d %s", code, body)
	}
	tok := f.token(t, "60")
	get := func(path string, extra ...string) (int, string) {
		code, body, _ := f.do(http.MethodGet, path, append([]string{tokenHeader, tok}, extra...)...)
		return code, body
	}
	for path, want := range map[string]string{
		"/latest/meta-data/instance-id":                                id,
		"/latest/meta-data/instance-id/":                               id,
		"/latest/meta-data/placement/region":                           "eu-west-1",
		"/latest/meta-data/placement/availability-zone":                "eu-west-1a",
		"/latest/meta-data/iam/security-credentials/":                  "ecsInstanceRole",
		"/latest/meta-data/iam/security-credentials":                   "ecsInstanceRole",
		"/latest/meta-data/iam/":                                       "info\nsecurity-credentials/",
		"/latest/meta-data/local-hostname":                             f.inst.Hostname(),
		"/latest/dynamic/instance-identity/":                           "document",
		"/":                                                            "latest",
		"/latest/meta-data/instance-type":                              instances.DefaultInstanceType,
		"/latest/meta-data/ami-id":                                     f.inst.ImageId,
		"/latest/meta-data/placement/":                                 "availability-zone\nregion",
		"/latest/meta-data/iam/security-credentials/nope":              "<404>",
		"/latest/meta-data/nope":                                       "<404>",
		"/latest/meta-data//instance-id":                               "<404>",
		"/latest/meta-data/iam/security-credentials/ecsInstanceRole/x": "<404>",
	} {
		code, body := get(path)
		if want == "<404>" {
			if code != 404 || !strings.Contains(body, "404 - Not Found") {
				t.Errorf("%s: %d %q", path, code, body)
			}
			continue
		}
		if code != 200 || body != want {
			t.Errorf("%s: %d %q, want %q", path, code, body, want)
		}
	}
	if !strings.HasPrefix(f.inst.Hostname(), "ip-10-0-") || !strings.HasSuffix(f.inst.Hostname(), ".eu-west-1.compute.internal") {
		t.Errorf("hostname %s", f.inst.Hostname())
	}

	code, body := get("/latest/meta-data/iam/security-credentials/ecsInstanceRole")
	var creds map[string]string
	if code != 200 || json.Unmarshal([]byte(body), &creds) != nil || creds["Code"] != "Success" || creds["Type"] != "AWS-HMAC" ||
		creds["AccessKeyId"] != "ASIAEXAMPLEEXAMPLE01" || creds["SecretAccessKey"] != "secret/+" || creds["Token"] != "token" ||
		creds["Expiration"] != "2026-03-01T13:00:00Z" || creds["LastUpdated"] != "2026-03-01T12:00:00Z" {
		t.Errorf("credentials: %d %s", code, body)
	}
	if !strings.HasPrefix(body, "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : ") {
		t.Errorf("not IMDS's layout: %s", body)
	}
	code, body = get("/latest/meta-data/iam/info")
	var info map[string]string
	if code != 200 || json.Unmarshal([]byte(body), &info) != nil || info["Code"] != "Success" || info["InstanceProfileArn"] != f.roles.profile.Arn || info["InstanceProfileId"] != "AIPAWEB" {
		t.Errorf("info: %d %s", code, body)
	}
	code, body = get("/latest/dynamic/instance-identity/document")
	var doc map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &doc) != nil || doc["accountId"] != acct || doc["instanceId"] != id || doc["region"] != "eu-west-1" ||
		doc["availabilityZone"] != "eu-west-1a" || doc["pendingTime"] != "2026-03-01T12:00:00Z" || doc["version"] != "2017-09-30" ||
		doc["architecture"] != "x86_64" || doc["privateIp"] != f.inst.PrivateIp || doc["kernelId"] != nil {
		t.Errorf("identity document: %d %s", code, body)
	}

	// A token through a proxy, a token of another instance, an expired
	// token, a token of a terminated instance.
	if code, _ := get("/latest/meta-data/instance-id", "X-Forwarded-For", "10.0.0.1"); code != 403 {
		t.Errorf("through a proxy: %d", code)
	}
	other, err := f.svc.Launch(context.Background(), instances.Call{Account: acct, Region: "eu-west-1"}, instances.LaunchInput{InstanceProfile: "web"})
	if err != nil {
		t.Fatal(err)
	}
	oh := &metadata{s: f.srv, inst: *other}
	r := httptest.NewRequest(http.MethodGet, "/latest/meta-data/instance-id", nil)
	r.Header.Set(tokenHeader, tok)
	w := httptest.NewRecorder()
	oh.ServeHTTP(w, r)
	if w.Code != 401 {
		t.Errorf("another instance's token: %d", w.Code)
	}
	if code, _, _ := f.do(http.MethodPost, "/latest/meta-data/instance-id", tokenHeader, tok); code != 405 {
		t.Errorf("POST: %d", code)
	}
	f.clock.Advance(61 * time.Second)
	if code, _ := get("/latest/meta-data/instance-id"); code != 401 {
		t.Errorf("expired token: %d", code)
	}
	tok = f.token(t, "21600")
	if _, _, err := f.svc.Terminate(context.Background(), instances.Call{Account: acct, Region: "eu-west-1"}, id); err != nil {
		t.Fatal(err)
	}
	if code, _ := get("/latest/meta-data/instance-id"); code != 401 {
		t.Errorf("terminated instance's token: %d", code)
	}
	if code, _, _ := f.do(http.MethodPut, tokenPath, ttlHeader, "60"); code != 404 {
		t.Errorf("token for a terminated instance: %d", code)
	}
}

// The role's trust does not let EC2 in; the role leaves the profile; the
// profile goes.
func TestRoleTrouble(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t, "600")
	get := func(path string) (int, map[string]string) {
		code, body, _ := f.do(http.MethodGet, path, tokenHeader, tok)
		var m map[string]string
		json.Unmarshal([]byte(body), &m)
		return code, m
	}
	f.roles.trusted = false
	code, m := get("/latest/meta-data/iam/security-credentials/ecsInstanceRole")
	if code != 200 || m["Code"] != "AssumeRoleUnauthorizedAccess" || !strings.HasPrefix(m["Message"], "EC2 cannot assume the role ecsInstanceRole.") || m["AccessKeyId"] != "" {
		t.Errorf("untrusted credentials: %d %v", code, m)
	}
	if code, m = get("/latest/meta-data/iam/info"); code != 200 || m["Code"] != "AssumeRoleUnauthorizedAccess" {
		t.Errorf("untrusted info: %d %v", code, m)
	}
	f.roles.trusted = true
	f.roles.profile.RoleArn, f.roles.profile.RoleName = "", ""
	if code, _ := get("/latest/meta-data/iam/security-credentials/"); code != 404 {
		t.Errorf("no role: credentials list %d", code)
	}
	if code, m = get("/latest/meta-data/iam/info"); code != 200 || m["Code"] != "Success" || m["Message"] != "Instance Profile does not contain a role..." {
		t.Errorf("no role: info %d %v", code, m)
	}
	f.roles.profile = nil
	if code, m = get("/latest/meta-data/iam/info"); code != 200 || m["Code"] != "InstanceProfileNotFound" {
		t.Errorf("no profile: info %d %v", code, m)
	}
	if code, _ := get("/latest/meta-data/iam/security-credentials/ecsInstanceRole"); code != 404 {
		t.Errorf("no profile: credentials %d", code)
	}
}

// Start binds each running instance's port again, or another (recorded)
// when it is taken; Close and Shutdown stop them.
func TestListeners(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	taken, err := Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	free, err := Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	freePort := Port(free)
	free.Close()
	second, err := f.svc.Launch(ctx, instances.Call{Account: acct, Region: "eu-west-1"}, instances.LaunchInput{InstanceProfile: "web", MetadataPort: freePort})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetMetadataPort(ctx, acct, f.inst.InstanceId, Port(taken)); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer f.srv.Shutdown(ctx)
	moved, _ := f.svc.Get(ctx, acct, f.inst.InstanceId)
	kept, _ := f.svc.Get(ctx, acct, second.InstanceId)
	if moved.MetadataPort == Port(taken) || moved.MetadataPort == 0 || kept.MetadataPort != freePort {
		t.Fatalf("ports: moved %d (taken %d), kept %d (want %d)", moved.MetadataPort, Port(taken), kept.MetadataPort, freePort)
	}
	put := func(port int) (int, error) {
		req, _ := http.NewRequest(http.MethodPut, Endpoint(port)+"latest/api/token", nil)
		req.Header.Set(ttlHeader, "5")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	for _, port := range []int{moved.MetadataPort, kept.MetadataPort} {
		if code, err := put(port); err != nil || code != 200 {
			t.Errorf("port %d: %d %v", port, code, err)
		}
	}
	f.srv.Close(second.InstanceId)
	if f.srv.Serving(second.InstanceId) {
		t.Error("still serving after Close")
	}
	if _, err := put(kept.MetadataPort); err == nil {
		t.Error("a closed metadata service answered")
	}
}
