package authz

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
)

const acct = "000000000000"

var ctx = context.Background()

var epoch = time.Date(2025, 3, 6, 12, 0, 0, 0, time.UTC)

// fakeIAM is a Directory: users' and roles' policies and tags, managed
// policies, and the accesses noted.
type fakeIAM struct {
	mu       sync.Mutex
	entities map[string]*Entity // "account/kind/name"
	managed  map[string]string  // policy ARN -> document
	accesses []string
	reads    atomic.Int64
	gen      atomic.Uint64 // the write count
}

func newFakeIAM() *fakeIAM {
	return &fakeIAM{entities: map[string]*Entity{}, managed: map[string]string{}}
}

func (f *fakeIAM) Entity(_ context.Context, account, kind, name string) (*Entity, error) {
	f.reads.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.entities[account+"/"+kind+"/"+strings.ToLower(name)], nil
}

func (f *fakeIAM) ManagedPolicy(_ context.Context, _, arn string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	doc, ok := f.managed[arn]
	return doc, ok, nil
}

func (f *fakeIAM) RecordAccess(_ context.Context, _, p, service, action, region string, _ time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accesses = append(f.accesses, p+" "+action+" "+region)
	return nil
}

// write changes IAM as a committed write would.
func (f *fakeIAM) write(fn func()) {
	f.mu.Lock()
	fn()
	f.mu.Unlock()
	f.gen.Add(1)
}

type fixture struct {
	*Authorizer
	iam   *fakeIAM
	audit *AuditLog
	clock *ids.FixedClock
	n     int
}

func newFixture(t testing.TB, mode Mode) *fixture {
	t.Helper()
	clock := &ids.FixedClock{T: epoch}
	fi := newFakeIAM()
	audit := NewAuditLog(64, nil)
	a := New(Config{Mode: mode, Directory: fi, Generation: fi.gen.Load, Clock: clock, Audit: audit})
	return &fixture{Authorizer: a, iam: fi, audit: audit, clock: clock}
}

// user adds an IAM user with an inline policy (none when doc is "") and
// returns it as its access key signs.
func (f *fixture) user(t testing.TB, name, doc string, tags ...principal.Tag) *principal.Principal {
	t.Helper()
	id := "AIDA" + strings.ToUpper(name) + "0000000000000000"
	e := &Entity{ID: id}
	if doc != "" {
		e.Identity = []Document{{Source: "arn:aws:iam::" + acct + ":user/" + name + "#p", Text: doc}}
	}
	for _, tg := range tags {
		if e.Tags == nil {
			e.Tags = map[string]string{}
		}
		e.Tags[tg.Key] = tg.Value
	}
	f.iam.write(func() { f.iam.entities[acct+"/user/"+name] = e })
	return &principal.Principal{Kind: principal.User, Account: acct, ARN: "arn:aws:iam::" + acct + ":user/" + name, UserID: id, Name: name, AccessKeyID: "AKIA" + name}
}

// session adds a role with an inline policy and returns a session of it.
func (f *fixture) session(t testing.TB, role, doc string) *principal.Principal {
	t.Helper()
	id := "AROA" + strings.ToUpper(role) + "0000000000000000"
	e := &Entity{ID: id}
	if doc != "" {
		e.Identity = []Document{{Source: "arn:aws:iam::" + acct + ":role/" + role + "#p", Text: doc}}
	}
	f.iam.write(func() { f.iam.entities[acct+"/role/"+role] = e })
	return &principal.Principal{Kind: principal.AssumedRole, Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/" + role + "/s",
		UserID: id + ":s", Name: role, RoleARN: "arn:aws:iam::" + acct + ":role/" + role, RoleID: id, SessionName: "s",
		AccessKeyID: "ASIA" + role, Temporary: true, IssuedAt: epoch.Add(-time.Minute), Expiration: epoch.Add(time.Hour)}
}

// decide asks as the server does, with a request id and the caller's
// address.
func (f *fixture) decide(p *principal.Principal, action string, targets ...Target) (Outcome, error) {
	return f.decideKeys(p, action, nil, targets...)
}

func (f *fixture) decideKeys(p *principal.Principal, action string, keys Keys, targets ...Target) (Outcome, error) {
	f.n++
	id := "req-" + string(rune('a'+f.n%26)) + time.Duration(f.n).String()
	c := WithMeta(ctx, &Meta{RequestID: id, SourceIP: "192.0.2.10"})
	region := "us-east-1"
	return f.Decide(c, &Request{Principal: p, Action: action, Region: region, Access: Access{Targets: targets, Keys: keys}})
}

// last is the latest recorded decision.
func (f *fixture) last(t testing.TB) *Record {
	t.Helper()
	rs := f.audit.Recent(1, "")
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

// role is a role's target as the resolvers make it.
func role(name string, tags map[string]string) Target {
	return Target{ARN: "arn:aws:iam::" + acct + ":role/" + name, Display: "role " + name, Type: "role", Tags: tags}
}
