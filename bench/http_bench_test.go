package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// These benchmarks go through the whole stack as a client sees it: the
// aws-sdk-go-v2 IAM client (serialize, sign, HTTP over loopback), then
// rolecall (route, decode, operate, encode). ns/op is therefore client plus
// server; BenchmarkRaw sends pre-signed requests to show the server's share.
//
//	go test -run '^$' -bench . -benchmem ./bench

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// createBatch bounds the roles alive at once: an account holds at most 1000.
const createBatch = 500

func start(b *testing.B) (*rolecalltest.Server, *iam.Client) {
	b.Helper()
	s, err := rolecalltest.Start()
	if err != nil {
		b.Fatalf("starting rolecall: %v", err)
	}
	b.Cleanup(s.Close)
	tr := &http.Transport{MaxIdleConns: 100, MaxIdleConnsPerHost: 100, IdleConnTimeout: 90 * time.Second}
	b.Cleanup(tr.CloseIdleConnections)
	return s, iam.NewFromConfig(s.Config, func(o *iam.Options) {
		o.HTTPClient = &http.Client{Transport: InMemoryBody{tr}}
	})
}

func createRole(b *testing.B, c *iam.Client, name string) {
	b.Helper()
	_, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trustPolicy),
	})
	if err != nil {
		b.Fatalf("CreateRole %s: %v", name, err)
	}
}

func BenchmarkGetRole(b *testing.B) {
	_, c := start(b)
	createRole(b, c, "bench-get")
	ctx := context.Background()
	in := &iam.GetRoleInput{RoleName: aws.String("bench-get")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetRole(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetRoleParallel is GetRole from GOMAXPROCS goroutines: its
// ns/op is the inverse of throughput, the figure bench/run.sh measures.
func BenchmarkGetRoleParallel(b *testing.B) {
	_, c := start(b)
	createRole(b, c, "bench-get")
	in := &iam.GetRoleInput{RoleName: aws.String("bench-get")}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := c.GetRole(ctx, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkListRoles(b *testing.B) {
	_, c := start(b)
	for i := range 100 {
		createRole(b, c, fmt.Sprintf("bench-list-%03d", i))
	}
	ctx := context.Background()
	in := &iam.ListRolesInput{} // MaxItems default: 100, one full page
	b.ReportAllocs()
	for b.Loop() {
		out, err := c.ListRoles(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Roles) != 100 {
			b.Fatalf("ListRoles returned %d roles, want 100", len(out.Roles))
		}
	}
}

// BenchmarkCreateRole creates unique roles; every createBatch it deletes
// them with the timer stopped, to stay under the account's role quota.
func BenchmarkCreateRole(b *testing.B) {
	_, c := start(b)
	ctx := context.Background()
	names := make([]string, 0, createBatch)
	cleanup := func() {
		for _, n := range names {
			if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(n)}); err != nil {
				b.Fatalf("DeleteRole %s: %v", n, err)
			}
		}
		names = names[:0]
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(names) == createBatch {
			b.StopTimer()
			cleanup()
			b.StartTimer()
		}
		name := fmt.Sprintf("bench-create-%d", i)
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(name),
			AssumeRolePolicyDocument: aws.String(trustPolicy),
		})
		if err != nil {
			b.Fatalf("CreateRole %s: %v", name, err)
		}
		names = append(names, name)
	}
	b.StopTimer()
	cleanup()
}

// BenchmarkRaw sends SigV4-signed requests, signed once, over a keep-alive
// connection, as bench/load does: the client side is little more than
// net/http, so what is left is mostly rolecall's own cost. Profile this one:
//
//	go test -run '^$' -bench Raw -cpuprofile cpu.out ./bench
//	go tool pprof -top -focus 'http.\(\*conn\).serve' bench.test cpu.out
func BenchmarkRaw(b *testing.B) {
	for _, tc := range []struct {
		op, body string
		roles    int
	}{
		{"GetRole", "Action=GetRole&Version=2010-05-08&RoleName=bench-0", 1},
		{"ListRoles", "Action=ListRoles&Version=2010-05-08", 100},
	} {
		b.Run(tc.op, func(b *testing.B) {
			s, c := start(b)
			for i := range tc.roles {
				createRole(b, c, fmt.Sprintf("bench-%d", i))
			}
			benchRaw(b, s.Endpoint, []byte(tc.body))
		})
	}
}

func benchRaw(b *testing.B, endpoint string, body []byte) {
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
	defer tr.CloseIdleConnections()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		r := req.WithContext(context.Background())
		r.Body = io.NopCloser(bytes.NewReader(body))
		resp, err := tr.RoundTrip(r)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("HTTP %d: %s", resp.StatusCode, buf.String())
		}
	}
}

// BenchmarkStart is the in-process part of startup: open the state, load
// the service models, wire the handler, listen, close. bench/run.sh times
// the whole of it, from exec.
func BenchmarkStart(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := rolecalltest.Start()
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
