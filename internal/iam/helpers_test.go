package iam

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

const acct = "000000000000"

const (
	trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	docS3    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	docEC2   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`

	// An AWS managed policy every account has, and one kept for
	// service-linked roles.
	ecsTaskExecution = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
	ecsServiceRole   = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"
)

var ctx = context.Background()

var epoch = time.Date(2025, 3, 6, 12, 0, 0, 0, time.UTC)

type fixture struct {
	*Service
	st    *store.Memory
	clock *ids.FixedClock
}

func newFixture(t testing.TB, opts ...func(*Config)) *fixture {
	t.Helper()
	st := store.NewMemory()
	t.Cleanup(func() { st.Close() })
	clock := &ids.FixedClock{T: epoch}
	c := Config{Store: st, Clock: clock, IDs: &ids.Sequence{}}
	for _, o := range opts {
		o(&c)
	}
	return &fixture{Service: New(c), st: st, clock: clock}
}

// wantErr asserts AWS's code, HTTP status and exact message.
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

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) role(t testing.TB, name string) *Role {
	t.Helper()
	r, err := f.CreateRole(ctx, acct, CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trustEC2})
	must(t, err)
	return r
}

func (f *fixture) user(t testing.TB, name string) *User {
	t.Helper()
	u, err := f.CreateUser(ctx, acct, CreateUserInput{UserName: name})
	must(t, err)
	return u
}

func (f *fixture) group(t testing.TB, name string) *Group {
	t.Helper()
	g, err := f.CreateGroup(ctx, acct, "", name)
	must(t, err)
	return g
}

func (f *fixture) policy(t testing.TB, name string) *Policy {
	t.Helper()
	p, err := f.CreatePolicy(ctx, acct, CreatePolicyInput{PolicyName: name, PolicyDocument: docS3})
	must(t, err)
	return p
}

func policyArnOf(name string) string { return "arn:aws:iam::" + acct + ":policy/" + name }

// seed counts n more entities of a kind (by bucket) in the account, so
// that quota tests need not create thousands of entities one call at a
// time.
func (f *fixture) seed(t testing.TB, bucket string, n int) {
	t.Helper()
	must(t, f.st.Update(func(tx store.Tx) error {
		if err := ensureAccount(tx, acct, epoch); err != nil {
			return err
		}
		return countEntity(tx, acct, bucket, n)
	}))
}

// bigDoc is an identity policy of about n non-whitespace characters.
func bigDoc(n int) string {
	const head = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
	const tail = `"}]}`
	return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
}

// allPages collects every page of a list.
func allPages[T any](t testing.TB, max int32, list func(Page) ([]T, string, error)) (items []T, pages int) {
	t.Helper()
	pg := Page{MaxItems: max}
	for {
		got, next, err := list(pg)
		must(t, err)
		items = append(items, got...)
		pages++
		if next == "" {
			return items, pages
		}
		if len(got) != int(max) {
			t.Fatalf("truncated page has %d items, want %d", len(got), max)
		}
		pg.Marker = next
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
	}
}
