package instances

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

const acct = "000000000000"

// fakeRoles stands in for IAM, STS and the authorizer.
type fakeRoles struct {
	clock    *ids.FixedClock
	profiles map[string]*Profile // by name
	denyPass error
	trusts   bool // whether ec2.amazonaws.com may assume the roles
	assumed  int
	passed   []string
}

func (f *fakeRoles) InstanceProfile(_ context.Context, account, ref string) (*Profile, error) {
	if account != acct {
		return nil, nil
	}
	for _, p := range f.profiles {
		if p.Name == ref || p.Arn == ref {
			cp := *p
			return &cp, nil
		}
	}
	return nil, nil
}

func (f *fakeRoles) PassRole(_ context.Context, c Call, roleArn, instanceArn string) error {
	f.passed = append(f.passed, roleArn+" "+instanceArn)
	return f.denyPass
}

func (f *fakeRoles) AssumeRole(_ context.Context, account, region, roleArn, session string) (*principal.Session, error) {
	if !f.trusts {
		return nil, awserr.AccessDenied("User: ec2.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: %s", roleArn)
	}
	f.assumed++
	now := f.clock.Now().UTC().Truncate(time.Second)
	key := "ASIA" + strings.Repeat("X", 15) + string(rune('A'+f.assumed))
	return &principal.Session{AccessKeyID: key, SecretAccessKey: "secret", SessionToken: "token", IssuedAt: now, Expiration: now.Add(time.Hour),
		Principal: principal.Principal{Kind: principal.AssumedRole, Account: account, RoleARN: roleArn, SessionName: session, AssumedBy: PrincipalEC2}}, nil
}

func newFixture(t *testing.T) (*Service, *fakeRoles, *ids.FixedClock) {
	t.Helper()
	clock := &ids.FixedClock{T: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	roles := &fakeRoles{clock: clock, trusts: true, profiles: map[string]*Profile{
		"web":   {Arn: "arn:aws:iam::" + acct + ":instance-profile/web", Name: "web", ID: "AIPAWEB", RoleArn: "arn:aws:iam::" + acct + ":role/web", RoleName: "web"},
		"empty": {Arn: "arn:aws:iam::" + acct + ":instance-profile/empty", Name: "empty", ID: "AIPAEMPTY"},
	}}
	svc := New(Config{Store: store.NewMemory(), Clock: clock, IDs: &ids.Sequence{}, Roles: roles})
	return svc, roles, clock
}

func wantCode(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) || e.Status != status || e.Code != code || (msg != "" && e.Message != msg) {
		t.Fatalf("got %v, want %d %s: %s", err, status, code, msg)
	}
}

func TestLaunch(t *testing.T) {
	ctx := context.Background()
	svc, roles, _ := newFixture(t)
	c := Call{Account: acct, Region: "eu-west-1", Principal: principal.RootUser(acct)}

	_, err := svc.Launch(ctx, c, LaunchInput{InstanceProfile: "nope"})
	wantCode(t, err, 400, "InvalidParameterValue", "Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
	_, err = svc.Launch(ctx, c, LaunchInput{InstanceProfile: "arn:aws:iam::111122223333:instance-profile/web"})
	wantCode(t, err, 400, "InvalidParameterValue", "Value (arn:aws:iam::111122223333:instance-profile/web) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN")
	_, err = svc.Launch(ctx, c, LaunchInput{InstanceProfile: "empty"})
	wantCode(t, err, 403, "UnauthorizedOperation", "")

	roles.denyPass = awserr.AccessDenied("User: arn:aws:iam::%s:user/dev is not authorized to perform: iam:PassRole on resource: arn:aws:iam::%s:role/web because no identity-based policy allows the iam:PassRole action", acct, acct)
	_, err = svc.Launch(ctx, c, LaunchInput{InstanceProfile: "web"})
	wantCode(t, err, 403, "UnauthorizedOperation", "You are not authorized to perform this operation. User: arn:aws:iam::"+acct+":user/dev is not authorized to perform: iam:PassRole on resource: arn:aws:iam::"+acct+":role/web because no identity-based policy allows the iam:PassRole action")
	if list, _ := svc.List(ctx, acct); len(list) != 0 {
		t.Fatalf("a refused launch left %v", list)
	}
	roles.denyPass = nil

	inst, err := svc.Launch(ctx, c, LaunchInput{InstanceProfile: "web", MetadataPort: 4242})
	if err != nil {
		t.Fatal(err)
	}
	if ValidID(inst.InstanceId) != nil || len(inst.InstanceId) != 19 || inst.State != StateRunning || inst.Region != "eu-west-1" || inst.AvailabilityZone != "eu-west-1a" ||
		inst.InstanceProfileId != "AIPAWEB" || inst.MetadataPort != 4242 || inst.LaunchedBy != "arn:aws:iam::"+acct+":root" || !strings.HasPrefix(inst.ImageId, "ami-") {
		t.Errorf("instance %+v", inst)
	}
	if got := roles.passed[len(roles.passed)-1]; got != "arn:aws:iam::"+acct+":role/web arn:aws:ec2:eu-west-1:"+acct+":instance/"+inst.InstanceId {
		t.Errorf("PassRole asked %q", got)
	}
	if _, err := svc.Get(ctx, "111122223333", inst.InstanceId); err == nil {
		t.Error("another account sees the instance")
	}
	_, err = svc.Get(ctx, acct, "i-nothex!")
	wantCode(t, err, 400, "InvalidInstanceID.Malformed", `Invalid id: "i-nothex!" (expecting "i-...")`)
	_, err = svc.Get(ctx, acct, "i-0123456789abcdef0")
	wantCode(t, err, 400, "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist")

	if err := svc.SetMetadataPort(ctx, acct, inst.InstanceId, 4343); err != nil {
		t.Fatal(err)
	}
	if running, _ := svc.Running(ctx); len(running) != 1 || running[0].MetadataPort != 4343 {
		t.Errorf("running %+v", running)
	}
}

func TestTerminate(t *testing.T) {
	ctx := context.Background()
	svc, _, clock := newFixture(t)
	c := Call{Account: acct, Region: "us-east-1"}
	inst, err := svc.Launch(ctx, c, LaunchInput{InstanceProfile: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Terminate(ctx, Call{Account: "111122223333", Region: "us-east-1"}, inst.InstanceId); awserr.Code(err) != "InvalidInstanceID.NotFound" {
		t.Fatalf("another account terminated it: %v", err)
	}
	got, prev, err := svc.Terminate(ctx, c, inst.InstanceId)
	if err != nil || prev != StateRunning || got.State != StateTerminated {
		t.Fatalf("terminate: %+v %s %v", got, prev, err)
	}
	if _, prev, _ := svc.Terminate(ctx, c, inst.InstanceId); prev != StateTerminated {
		t.Errorf("again: previous %s", prev)
	}
	if _, err := svc.RoleCredentials(ctx, acct, inst.InstanceId); awserr.Code(err) != "InvalidInstanceID.NotFound" {
		t.Errorf("credentials of a terminated instance: %v", err)
	}
	if running, _ := svc.Running(ctx); len(running) != 0 {
		t.Errorf("running %+v", running)
	}
	if list, _ := svc.List(ctx, acct); len(list) != 1 {
		t.Errorf("a terminated instance stays listed a while: %+v", list)
	}
	clock.Advance(terminatedRetention)
	if list, _ := svc.List(ctx, acct); len(list) != 0 {
		t.Errorf("listed after an hour: %+v", list)
	}
	if _, err := svc.Get(ctx, acct, inst.InstanceId); awserr.Code(err) != "InvalidInstanceID.NotFound" {
		t.Errorf("get after an hour: %v", err)
	}
}

func TestRoleCredentials(t *testing.T) {
	ctx := context.Background()
	svc, roles, clock := newFixture(t)
	inst, err := svc.Launch(ctx, Call{Account: acct, Region: "us-east-1"}, LaunchInput{InstanceProfile: "web"})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := svc.RoleCredentials(ctx, acct, inst.InstanceId)
	if err != nil || rc.Code != CodeSuccess || rc.RoleName != "web" || rc.AccessKeyId == "" || rc.Token != "token" || rc.InstanceProfileId != "AIPAWEB" ||
		!rc.Expiration.Equal(clock.Now().Add(time.Hour)) || !rc.LastUpdated.Equal(clock.Now()) {
		t.Fatalf("%+v %v", rc, err)
	}
	if role, _ := svc.InstanceRole(ctx, acct, inst.InstanceId); role != "arn:aws:iam::"+acct+":role/web" {
		t.Errorf("InstanceRole %q", role)
	}
	first := rc.AccessKeyId
	clock.Advance(30 * time.Minute)
	if rc, _ = svc.RoleCredentials(ctx, acct, inst.InstanceId); rc.AccessKeyId != first || roles.assumed != 1 {
		t.Errorf("renewed too early: %+v (%d)", rc, roles.assumed)
	}
	clock.Advance(16 * time.Minute) // within CredentialsRefresh of the expiry
	if rc, _ = svc.RoleCredentials(ctx, acct, inst.InstanceId); rc.AccessKeyId == first || roles.assumed != 2 {
		t.Errorf("not renewed: %+v", rc)
	}
	second := rc.AccessKeyId

	// The trust no longer lets EC2 in: the old session while it lasts,
	// then the code.
	roles.trusts = false
	clock.Advance(50 * time.Minute)
	if rc, _ = svc.RoleCredentials(ctx, acct, inst.InstanceId); rc.Code != CodeSuccess || rc.AccessKeyId != second {
		t.Errorf("old session not served while it lasts: %+v", rc)
	}
	clock.Advance(11 * time.Minute)
	rc, _ = svc.RoleCredentials(ctx, acct, inst.InstanceId)
	if rc.Code != CodeAssumeRoleUnauthorized || rc.AccessKeyId != "" || rc.RoleName != "web" ||
		rc.Message != "EC2 cannot assume the role web.  Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_iam-ec2.html#troubleshoot_iam-ec2_errors-info-doc." {
		t.Errorf("untrusted: %+v", rc)
	}
	roles.trusts = true

	// The role leaves the profile; another comes in; the profile goes.
	roles.profiles["web"].RoleArn, roles.profiles["web"].RoleName = "", ""
	if rc, _ = svc.RoleCredentials(ctx, acct, inst.InstanceId); rc.Code != CodeSuccess || rc.Message != msgNoRole || rc.RoleName != "" || rc.AccessKeyId != "" {
		t.Errorf("no role: %+v", rc)
	}
	roles.profiles["web"].RoleArn, roles.profiles["web"].RoleName = "arn:aws:iam::"+acct+":role/other", "other"
	if rc, _ = svc.RoleCredentials(ctx, acct, inst.InstanceId); rc.Code != CodeSuccess || rc.RoleName != "other" || rc.AccessKeyId == second {
		t.Errorf("replaced role: %+v", rc)
	}
	if role, _ := svc.InstanceRole(ctx, acct, inst.InstanceId); role != "arn:aws:iam::"+acct+":role/other" {
		t.Errorf("InstanceRole after the swap %q", role)
	}
	roles.profiles["web"].ID = "AIPARECREATED"
	if rc, _ = svc.RoleCredentials(ctx, acct, inst.InstanceId); rc.Code != CodeProfileNotFound || rc.AccessKeyId != "" || rc.RoleName != "" {
		t.Errorf("profile created again: %+v", rc)
	}
	delete(roles.profiles, "web")
	if rc, _ = svc.RoleCredentials(ctx, acct, inst.InstanceId); rc.Code != CodeProfileNotFound {
		t.Errorf("profile deleted: %+v", rc)
	}
	if _, err := svc.RoleCredentials(ctx, "111122223333", inst.InstanceId); err == nil {
		t.Error("another account's credentials")
	}
}

func TestValidID(t *testing.T) {
	for id, ok := range map[string]bool{
		"i-0123456789abcdef0": true, "i-0123abcd": true, "i-0123456789ABCDEF0": false, "i-": false, "": false,
		"i-0123456789abcdef": false, "x-0123456789abcdef0": false, "i-0123456789abcdef0/": false, "i-0123456789abcdeg0": false,
	} {
		if got := ValidID(id) == nil; got != ok {
			t.Errorf("%q: %v", id, got)
		}
	}
}

func TestAsUnauthorized(t *testing.T) {
	other := awserr.New(http.StatusBadRequest, "InvalidInput", "x")
	if AsUnauthorized(other) != error(other) {
		t.Error("other errors pass as they are")
	}
}
