package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
)

// What authorization adds to a whole request: a signed IAM GetRole through
// the handler (routing, SigV4 verification, decoding, authorization, the
// operation, encoding), with --enforce=on against --enforce=off, for the
// root keys and for an IAM user whose policies allow it. Each reports the
// median (p50-ns).

const getRoleBody = "Action=GetRole&Version=2010-05-08&RoleName=app"

func benchServer(b *testing.B, mode authz.Mode) (*App, string, string) {
	srv, err := Open(Options{Ephemeral: true, Enforce: mode, Clock: &ids.FixedClock{T: signTime.Add(time.Minute)}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := srv.IAM.CreateRole(ctx, DefaultAccount, iam.CreateRoleInput{RoleName: "app", Path: "/service-role/", AssumeRolePolicyDocument: trust}); err != nil {
		b.Fatal(err)
	}
	if _, err := srv.IAM.CreateUser(ctx, DefaultAccount, iam.CreateUserInput{UserName: "dev"}); err != nil {
		b.Fatal(err)
	}
	if err := srv.IAM.PutUserPolicy(ctx, DefaultAccount, "dev", "read", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"arn:aws:iam::*:role/service-role/*"},
		{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}]}`); err != nil {
		b.Fatal(err)
	}
	k, err := srv.IAM.CreateAccessKey(ctx, DefaultAccount, "dev")
	if err != nil {
		b.Fatal(err)
	}
	return srv, k.AccessKeyId, k.SecretAccessKey
}

func benchGetRole(b *testing.B, mode authz.Mode, asUser bool) {
	srv, key, secret := benchServer(b, mode)
	if !asUser {
		key, secret = "test", "test"
	}
	benchRequests(b, srv, key, secret)
}

func benchRequests(b *testing.B, srv *App, key, secret string) {
	var proto *http.Request
	if key == "" {
		proto = httptest.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(getRoleBody))
		proto.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	} else {
		proto = signedRequest(b, "iam", key, secret, getRoleBody)
	}
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := proto.Clone(context.Background())
		r.Body = io.NopCloser(strings.NewReader(getRoleBody))
		w := httptest.NewRecorder()
		t0 := time.Now()
		srv.Handler.ServeHTTP(w, r)
		times = append(times, time.Since(t0))
		if w.Code != 200 {
			b.Fatal(w.Body.String())
		}
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
}

func BenchmarkGetRoleRootEnforceOff(b *testing.B) { benchGetRole(b, authz.Off, false) }
func BenchmarkGetRoleRootEnforceOn(b *testing.B)  { benchGetRole(b, authz.On, false) }
func BenchmarkGetRoleUserEnforceOff(b *testing.B) { benchGetRole(b, authz.Off, true) }
func BenchmarkGetRoleUserEnforceOn(b *testing.B)  { benchGetRole(b, authz.On, true) }

// The user's key without the authenticator's key cache: a store read per
// request (the cost the cache saves).
func BenchmarkGetRoleUserEnforceOnNoKeyCache(b *testing.B) {
	srv, key, secret := benchServer(b, authz.On)
	srv.authn.Generation = nil
	benchRequests(b, srv, key, secret)
}

// The baseline: the same request unsigned, served by --auth=lenient with
// --enforce=off, so that neither verification nor authorization runs.
// What a signed user request costs over it is what the two add.
func BenchmarkGetRoleBaselineNoAuth(b *testing.B) {
	srv, _, _ := benchServer(b, authz.Off)
	srv.authn.Mode = auth.Lenient
	benchRequests(b, srv, "", "")
}

var signTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// signedRequest is a query-protocol request signed as the SDKs sign.
func signedRequest(t testing.TB, service, key, secret, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, r, hex.EncodeToString(sum[:]), service, "eu-west-1", signTime); err != nil {
		t.Fatal(err)
	}
	return r
}

// Durable CreateRole through the handler on a data directory (every
// commit fsynced), 64 in flight: what group commit makes of many writers.
// Each request acts in account n/1000, so that none passes IAM's quota.
func BenchmarkCreateRoleDurable64(b *testing.B) {
	srv, err := Open(Options{DataDir: b.TempDir(), Clock: &ids.FixedClock{T: signTime.Add(time.Minute)}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	var seq atomic.Int64
	b.SetParallelism(max(64/runtime.GOMAXPROCS(0), 1))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1) - 1
			body := fmt.Sprintf("Action=CreateRole&Version=2010-05-08&RoleName=r%d&AssumeRolePolicyDocument=%s", n,
				url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`))
			r := signedRequest(b, "iam", fmt.Sprintf("2%011d", n/1000), "test", body)
			w := httptest.NewRecorder()
			srv.Handler.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Error(w.Body.String())
				return
			}
		}
	})
}
