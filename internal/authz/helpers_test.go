package authz

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

const acct = "000000000000"

var ctx = context.Background()

var epoch = time.Date(2025, 3, 6, 12, 0, 0, 0, time.UTC)

const trustTasks = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

type fixture struct {
	*Authorizer
	iam   *iam.Service
	audit *AuditLog
	clock *ids.FixedClock
	n     int
}

func newFixture(t testing.TB, mode Mode) *fixture {
	t.Helper()
	st := NewVersioned(store.NewMemory())
	t.Cleanup(func() { st.Close() })
	clock := &ids.FixedClock{T: epoch}
	gen := &ids.Sequence{}
	iamSvc := iam.New(st, clock, gen)
	audit := NewAuditLog(64, nil)
	a := New(Config{Mode: mode, Policies: &auth.Policies{IAM: iamSvc}, IAM: iamSvc, Store: st, Clock: clock, Audit: audit})
	a.SetECS(ecs.New(st, clock, gen, nil))
	return &fixture{Authorizer: a, iam: iamSvc, audit: audit, clock: clock}
}

// user creates an IAM user with an inline policy (none when doc is "")
// and returns it as its access key signs.
func (f *fixture) user(t testing.TB, name, doc string, tags ...iam.Tag) *auth.Principal {
	t.Helper()
	u, err := f.iam.CreateUser(ctx, acct, iam.CreateUserInput{UserName: name, Tags: tags})
	must(t, err)
	if doc != "" {
		must(t, f.iam.PutUserPolicy(ctx, acct, name, "p", doc))
	}
	return &auth.Principal{Kind: auth.User, Account: acct, ARN: u.Arn, UserID: u.UserId, Name: name, AccessKeyID: "AKIA" + name}
}

func (f *fixture) role(t testing.TB, name, path string, tags ...iam.Tag) {
	t.Helper()
	_, err := f.iam.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: name, Path: path, AssumeRolePolicyDocument: trustTasks, Tags: tags})
	must(t, err)
}

// authorize runs an operation's authorization as the server does.
func (f *fixture) authorize(p *auth.Principal, service, op string, in any) (Outcome, error) {
	f.n++
	id := "req-" + string(rune('a'+f.n%26)) + time.Duration(f.n).String()
	call := &api.Call{Account: acct, Region: "us-east-1", RequestID: id, Principal: p}
	c := WithMeta(ctx, &Meta{RequestID: id, SourceIP: "192.0.2.10"})
	return f.Authorize(c, &Request{Service: service, Operation: op, Call: call, Input: in})
}

func callOf(p *auth.Principal, id string) *api.Call {
	return &api.Call{Account: acct, Region: "us-east-1", RequestID: id, Principal: p}
}

// last is the latest recorded decision.
func (f *fixture) last(t testing.TB) *Record {
	t.Helper()
	rs := f.audit.Recent(1)
	if len(rs) == 0 {
		t.Fatal("no decision recorded")
	}
	return rs[0]
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t testing.TB, err error, code string, status int, msg string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want %s (%d) %q", err, code, status, msg)
	}
	if e.Code != code || e.Status != status || e.Message != msg {
		t.Fatalf("err = %s (%d) %q\nwant %s (%d) %q", e.Code, e.Status, e.Message, code, status, msg)
	}
}

func allow(actions, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":"` + resource + `"}]}`
}
