package authz

import (
	"sort"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/ecs/types"
)

// The cost authorization adds to a request, warm (the principal's policies
// and the resource's path and tags cached): what the server pays between
// decode and invoke. Each benchmark reports the median (p50-ns) besides
// the mean.

func benchAuthorize(b *testing.B, f *fixture, p *auth.Principal, service, op string, in any, wantAllowed bool) {
	call := &api.Call{Account: acct, Region: "us-east-1", RequestID: "r", Principal: p}
	c := WithMeta(ctx, &Meta{RequestID: "r", SourceIP: "127.0.0.1"})
	req := &Request{Service: service, Operation: op, Call: call, Input: in}
	if _, err := f.Authorize(c, req); (err == nil) != wantAllowed {
		b.Fatalf("allowed = %v: %v", err == nil, err)
	}
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		f.Authorize(c, req)
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
}

// BenchmarkAuthorizeRoot: the root user (the test/test keys most clients
// use): allowed without evaluation, recorded.
func BenchmarkAuthorizeRoot(b *testing.B) {
	f := newFixture(b, On)
	f.role(b, "app", "/")
	benchAuthorize(b, f, auth.RootPrincipal(acct), "iam", "GetRole", &roleName{"app"}, true)
}

// BenchmarkAuthorizeUser: an IAM user with two policies, allowed GetRole
// on a tagged role.
func BenchmarkAuthorizeUser(b *testing.B) {
	f := newFixture(b, On)
	f.role(b, "app", "/service-role/")
	p := f.user(b, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"arn:aws:iam::*:role/service-role/*"},
		{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}]}`)
	must(b, f.iam.PutUserPolicy(ctx, acct, "dev", "ecs", allow(`"ecs:*"`, "*")))
	benchAuthorize(b, f, p, "iam", "GetRole", &roleName{"app"}, true)
}

// BenchmarkAuthorizeUserDenied: the same user denied, with the denial's
// explanation recorded.
func BenchmarkAuthorizeUserDenied(b *testing.B) {
	f := newFixture(b, On)
	f.role(b, "app", "/")
	p := f.user(b, "dev", allow(`"iam:List*"`, "*"))
	benchAuthorize(b, f, p, "iam", "DeleteRole", &roleName{"app"}, false)
}

// BenchmarkAuthorizeECS: an ECS call with a cluster condition.
func BenchmarkAuthorizeECS(b *testing.B) {
	f := newFixture(b, On)
	p := f.user(b, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:RunTask","Resource":"*",
		"Condition":{"ArnEquals":{"ecs:cluster":"arn:aws:ecs:us-east-1:000000000000:cluster/prod"}}}]}`)
	benchAuthorize(b, f, p, "ecs", "RunTask", &types.RunTaskRequest{Cluster: "prod", TaskDefinition: "web:1"}, true)
}

// BenchmarkAuthorizeUncached: the same as BenchmarkAuthorizeUser with no
// cache: every request reads its policies, its tags and the role.
func BenchmarkAuthorizeUncached(b *testing.B) {
	f := newFixture(b, On)
	f.role(b, "app", "/service-role/")
	p := f.user(b, "dev", allow(`["iam:Get*","iam:List*"]`, "*"))
	f.cache = newCache(nil)
	benchAuthorize(b, f, p, "iam", "GetRole", &roleName{"app"}, true)
}

func BenchmarkPassRole(b *testing.B) {
	f := newFixture(b, On)
	f.role(b, "task", "/")
	p := f.user(b, "dev", allow(`"iam:PassRole"`, "arn:aws:iam::*:role/task"))
	roleArn := "arn:aws:iam::000000000000:role/task"
	must(b, f.PassRole(ctx, p, roleArn, "ecs-tasks.amazonaws.com"))
	b.ReportAllocs()
	for b.Loop() {
		f.PassRole(ctx, p, roleArn, "ecs-tasks.amazonaws.com")
	}
}
