package server

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestRoute(t *testing.T) {
	cases := []struct {
		name            string
		header, value   string
		url             string
		svc, region, ak string
		op              string
	}{
		{"iam header", "Authorization", "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "/", "iam", "us-east-1", "test", ""},
		{"sts presigned", "", "", "/?Action=GetCallerIdentity&X-Amz-Credential=AKID%2F20240101%2Feu-west-1%2Fsts%2Faws4_request", "sts", "eu-west-1", "AKID", ""},
		{"ecs target", "X-Amz-Target", "AmazonEC2ContainerServiceV20141113.CreateCluster", "/", "ecs", "", "", "CreateCluster"},
		{"application auto scaling target", "X-Amz-Target", "AnyScaleFrontendService.RegisterScalableTarget", "/", "application-autoscaling", "", "", "RegisterScalableTarget"},
		{"malformed scope", "Authorization", "AWS4-HMAC-SHA256 Credential=test/iam", "/", "", "", "", ""},
		{"nothing", "", "", "/", "", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", c.url, nil)
			if c.header != "" {
				r.Header.Set(c.header, c.value)
			}
			got := route(r)
			tgt := ""
			if c.header == "X-Amz-Target" {
				tgt = c.value
			}
			if got.Service != c.svc || got.Region != c.region || got.AccessKey != c.ak || got.Operation != c.op || got.Target != tgt {
				t.Errorf("route = %+v, want service %q region %q key %q op %q", got, c.svc, c.region, c.ak, c.op)
			}
		})
	}
}

func FuzzRoute(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x", "AmazonEC2ContainerServiceV20141113.ListClusters")
	f.Add("Credential=////", ".")
	f.Fuzz(func(t *testing.T, auth, tgt string) {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Target", tgt)
		route(r) // must not panic
	})
}

// credentialValue ends where the first ',' or ' ' is, whichever comes
// first, as a loop over each byte finds.
func TestCredentialValue(t *testing.T) {
	for _, v := range []string{
		"test/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x",
		"test/20240101/us-east-1/iam/aws4_request SignedHeaders=host,Signature=x",
		"a b,c", "a,b c", ",", " ", "", "no-end",
	} {
		if got, want := credentialValue(v), firstField(v); got != want {
			t.Errorf("credentialValue(%q) = %q, want %q", v, got, want)
		}
	}
}

func FuzzCredentialValue(f *testing.F) {
	f.Add("test/20240101/us-east-1/iam/aws4_request, SignedHeaders=host")
	f.Add("a b,c")
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := credentialValue(v), firstField(v); got != want {
			t.Fatalf("credentialValue(%q) = %q, want %q", v, got, want)
		}
	})
}

// firstField is credentialValue written plainly.
func firstField(v string) string {
	for j := 0; j < len(v); j++ {
		if v[j] == ',' || v[j] == ' ' {
			return v[:j]
		}
	}
	return v
}

// A credential scope has exactly five parts (AKID/date/region/service/
// aws4_request); anything else names no target.
func TestSplitScope(t *testing.T) {
	for scope, want := range map[string][3]string{
		"AKID/20240101/us-east-1/iam/aws4_request":   {"AKID", "us-east-1", "iam"},
		"AKID/20240101/eu-west-2/sts/aws4_request":   {"AKID", "eu-west-2", "sts"},
		"AKID/20240101/us-east-1/iam":                {},
		"AKID/20240101/us-east-1/iam/aws4_request/x": {},
		"":                         {},
		"////":                     {},
		"AKID/d/r/s/aws4_request/": {},
	} {
		ak, region, svc := splitScope(scope)
		if got := [3]string{ak, region, svc}; got != want {
			t.Errorf("splitScope(%q) = %q, want %q", scope, got, want)
		}
	}
}

// header finds only a key in canonical form: every key the package asks
// for must be written so.
func TestHeaderKeysCanonical(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`header\(r, "([^"]*)"\)`)
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllSubmatch(src, -1) {
			n++
			if k := string(m[1]); http.CanonicalHeaderKey(k) != k {
				t.Errorf("%s: header(r, %q): the key's canonical form is %q", f, k, http.CanonicalHeaderKey(k))
			}
		}
	}
	if n == 0 {
		t.Fatal("no header(r, ...) call found: the pattern is out of date")
	}
}
