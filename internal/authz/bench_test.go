package authz

import (
	"sort"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/principal"
)

// The cost the authorizer adds to a request, warm (the principal's
// policies compiled and cached): what the server pays between decode and
// invoke, resolution aside. Each benchmark reports the median (p50-ns)
// besides the mean.

func benchDecide(b *testing.B, f *fixture, r *Request, wantAllowed bool) {
	c := WithMeta(ctx, &Meta{RequestID: "r", SourceIP: "127.0.0.1"})
	if _, err := f.Decide(c, r); (err == nil) != wantAllowed {
		b.Fatalf("allowed = %v: %v", err == nil, err)
	}
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		f.Decide(c, r)
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
}

// BenchmarkDecideRoot: the root user (the test/test keys most clients
// use): allowed without evaluation, recorded. The action is looked up
// ahead, as a bound operation's is (api.Operation.Authorize).
func BenchmarkDecideRoot(b *testing.B) {
	f := newFixture(b, On)
	benchDecide(b, f, &Request{Principal: principal.RootUser(acct), Action: "iam:GetRole", Known: LookUp("iam:GetRole"), Access: Acting(role("app", nil))}, true)
}

// BenchmarkDecideUser: an IAM user with two policies, allowed GetRole on a
// tagged role (the action looked up ahead).
func BenchmarkDecideUser(b *testing.B) {
	f := newFixture(b, On)
	p := f.user(b, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"arn:aws:iam::*:role/*"},
		{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}]}`)
	benchDecide(b, f, &Request{Principal: p, Action: "iam:GetRole", Known: LookUp("iam:GetRole"), Region: IAMRegion, Access: Acting(role("app", map[string]string{"team": "blue"}))}, true)
}

// BenchmarkDecideUserDenied: the same user denied, with the denial's
// explanation recorded.
func BenchmarkDecideUserDenied(b *testing.B) {
	f := newFixture(b, On)
	p := f.user(b, "dev", allow(`"iam:List*"`, "*"))
	benchDecide(b, f, &Request{Principal: p, Action: "iam:DeleteRole", Region: IAMRegion, Access: Acting(role("app", nil))}, false)
}

// BenchmarkDecideECS: an ECS call with a cluster condition.
func BenchmarkDecideECS(b *testing.B) {
	f := newFixture(b, On)
	p := f.user(b, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:RunTask","Resource":"*",
		"Condition":{"ArnEquals":{"ecs:cluster":"arn:aws:ecs:us-east-1:000000000000:cluster/prod"}}}]}`)
	r := &Request{Principal: p, Action: "ecs:RunTask", Region: "us-east-1", Access: Access{
		Targets: []Target{{ARN: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1", Type: "task-definition"}},
		Keys:    Keys{"ecs:cluster": {"arn:aws:ecs:us-east-1:000000000000:cluster/prod"}}}}
	benchDecide(b, f, r, true)
}

// BenchmarkDecideTrust: ecs-tasks.amazonaws.com assuming a task role whose
// trust policy checks the source keys, as each task launch does.
func BenchmarkDecideTrust(b *testing.B) {
	f := newFixture(b, On)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"}}}]}`
	r := &Request{Principal: principal.AWSService("ecs-tasks.amazonaws.com"), Action: "sts:AssumeRole", Region: "us-east-1", Access: Access{
		Targets: []Target{Trust("arn:aws:iam::000000000000:role/task", "", trust, nil)}, Keys: Keys{"aws:SourceAccount": {acct}}}}
	benchDecide(b, f, r, true)
}

// BenchmarkDecideUncached: BenchmarkDecideUser with no write count: every
// request reads the user's policies.
func BenchmarkDecideUncached(b *testing.B) {
	f := newFixture(b, On)
	p := f.user(b, "dev", allow(`["iam:Get*","iam:List*"]`, "*"))
	f.cache = newCache(nil)
	benchDecide(b, f, &Request{Principal: p, Action: "iam:GetRole", Region: IAMRegion, Access: Acting(role("app", nil))}, true)
}
