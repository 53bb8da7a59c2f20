package policy

import (
	"strconv"
	"strings"
	"testing"
)

// benchPolicies are n variants of benchPolicy (ten statements each): the
// accounts and bucket names differ, so that only one policy allows.
func benchPolicies(b testing.TB, n int) []*Policy {
	out := make([]*Policy, n)
	for i := range out {
		text := benchPolicy
		if i > 0 {
			acct := strconv.Itoa(100000000000 + i)
			text = strings.ReplaceAll(text, "123456789012", acct)
			text = strings.ReplaceAll(text, "app-data", "app-data-"+strconv.Itoa(i))
		}
		p, err := CompileJSON(text, Identity, Source{ID: "arn:aws:iam::123456789012:policy/p" + strconv.Itoa(i), Type: TypeIdentity})
		if err != nil {
			b.Fatal(err)
		}
		out[i] = p
	}
	return out
}

func benchRequest() *Request {
	ctx := NewContext().
		Set("aws:username", "alice").
		Set("aws:SecureTransport", "true").
		Set("aws:CurrentTime", "2026-05-01T12:00:00Z").
		Set("aws:RequestedRegion", "us-east-1").
		Set("iam:PassedToService", "ecs-tasks.amazonaws.com").
		Set("aws:ResourceTag/app", "orders")
	return &Request{
		Caller: Caller{Kind: CallerUser, ARN: "arn:aws:iam::123456789012:user/alice", Account: "123456789012", Name: "alice"},
		// The last policy's PassTaskRole statement allows.
		Action:   "iam:PassRole",
		Resource: "arn:aws:iam::100000000009:role/app-task",
		Context:  ctx,
	}
}

// BenchmarkEvaluate: a principal with 10 attached policies of 10
// statements each (the benchmark target: >= 1,000,000/s on one
// core, < 1 µs each, no allocation).
func BenchmarkEvaluate(b *testing.B) {
	ps := &PolicySet{Identity: benchPolicies(b, 10)}
	r := benchRequest()
	if d := Evaluate(ps, r); d.Result != Allowed {
		b.Fatalf("decision %v %v", d.Result, d.Type)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(ps, r)
	}
}

// BenchmarkEvaluateImplicitDeny: nothing allows, so every candidate
// statement of every policy is tried.
func BenchmarkEvaluateImplicitDeny(b *testing.B) {
	ps := &PolicySet{Identity: benchPolicies(b, 10)}
	r := benchRequest()
	r.Resource = "arn:aws:iam::999999999999:role/other"
	if d := Evaluate(ps, r); d.Result != ImplicitDeny {
		b.Fatalf("decision %v", d.Result)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(ps, r)
	}
}

// BenchmarkEvaluateVariables: an S3 write through the statement whose
// Resource holds ${aws:username}, with a condition, plus the Deny
// statements with NotAction that apply to every action.
func BenchmarkEvaluateVariables(b *testing.B) {
	ps := &PolicySet{Identity: benchPolicies(b, 10)}
	r := benchRequest()
	r.Action = "s3:PutObject"
	r.Resource = "arn:aws:s3:::app-data/uploads/alice/report.csv"
	r.Context.Set("s3:x-amz-server-side-encryption", "aws:kms")
	if d := Evaluate(ps, r); d.Result != Allowed {
		b.Fatalf("decision %v %v", d.Result, d.Type)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(ps, r)
	}
}
