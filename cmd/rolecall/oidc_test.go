package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// rolecall oidc token asks the running rolecall's issuer to sign, with
// the caller's credentials, and writes the token as a token file holds it.
func TestOIDCTokenCommand(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	rc := rolecalltest.RunT(t)
	file := filepath.Join(t.TempDir(), "token")
	var stdout, stderr bytes.Buffer
	code := run([]string{"oidc", "token", "--endpoint", rc.Endpoint, "--sub", "alice", "--aud", "a", "--aud", "b",
		"--claim", "n=1", "--claim", `https://aws.amazon.com/tags={"principal_tags":{"team":["ci"]}}`, "--claim", "s=not json",
		"--lifetime", "10m", "--out", file}, &stdout, &stderr)
	if code != 0 || stdout.Len() != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(file)
	if err != nil || bytes.HasSuffix(b, []byte("\n")) || strings.Count(string(b), ".") != 2 {
		t.Fatalf("token file %q %v", b, err)
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(string(b), ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims["iss"] != "https://oidc.rolecall.localhost" || claims["sub"] != "alice" || claims["n"] != 1.0 || claims["s"] != "not json" ||
		claims["exp"].(float64)-claims["iat"].(float64) != 600 {
		t.Errorf("claims %v", claims)
	}
	if aud, _ := claims["aud"].([]any); len(aud) != 2 {
		t.Errorf("aud %v", claims["aud"])
	}
	if tags, _ := claims["https://aws.amazon.com/tags"].(map[string]any); tags["principal_tags"] == nil {
		t.Errorf("tags claim %v", claims["https://aws.amazon.com/tags"])
	}

	// Printed, with a newline, without --out.
	stdout.Reset()
	if code := run([]string{"oidc", "token", "--endpoint", rc.Endpoint, "--preset", "eks", "--sub", "system:serviceaccount:default:app"}, &stdout, &stderr); code != 0 ||
		strings.Count(stdout.String(), ".") != 2 || !strings.HasSuffix(stdout.String(), "\n") {
		t.Fatalf("exit %d: %q %s", code, stdout.String(), stderr.String())
	}

	// What the issuer refuses, and who it refuses.
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--sub", "x", "--claim", "novalue"}, 2, `rolecall oidc token: --claim "novalue" is not NAME=VALUE`},
		{[]string{"--preset", "eks", "--sub", "app"}, 1, `rolecall oidc token: InvalidParameterValue: an EKS subject is system:serviceaccount:NAMESPACE:NAME, not "app"`},
		{[]string{"--preset", "azure", "--sub", "x"}, 1, "rolecall oidc token: InvalidParameterValue: no preset \"azure\": the presets are github, eks, gitlab"},
		{[]string{}, 1, "rolecall oidc token: InvalidParameterValue: a token needs a subject (--sub)"},
	} {
		stderr.Reset()
		args := append([]string{"oidc", "token", "--endpoint", rc.Endpoint}, c.args...)
		if code := run(args, &stdout, &stderr); code != c.code || strings.TrimSpace(stderr.String()) != c.want {
			t.Errorf("%v: exit %d, %q; want %d, %q", c.args, code, stderr.String(), c.code, c.want)
		}
	}
	ic := iam.NewFromConfig(rc.Config)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(ic.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("bob")}))
	k, err := ic.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(k.AccessKey.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(k.AccessKey.SecretAccessKey))
	stderr.Reset()
	want := "rolecall oidc token: AccessDenied: User: arn:aws:iam::000000000000:user/bob is not authorized to perform: rolecall:SignWebIdentityToken on resource: * because no identity-based policy allows the rolecall:SignWebIdentityToken action"
	if code := run([]string{"oidc", "token", "--endpoint", rc.Endpoint, "--sub", "x"}, &stdout, &stderr); code != 1 || strings.TrimSpace(stderr.String()) != want {
		t.Errorf("bob: exit %d, %q", code, stderr.String())
	}
}

// TestOIDCListenAnyPort: with --addr's port 0, the issuer's listener takes
// any free port, not the one after the port the system gave --addr, which
// may be taken (and then only a warning would say so).
func TestOIDCListenAnyPort(t *testing.T) {
	main, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer main.Close()
	// Take the next port if it is free, so that the old choice would fail.
	if next, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(main.Addr().(*net.TCPAddr).Port+1))); err == nil {
		defer next.Close()
	}
	var stderr strings.Builder
	ln, err := oidcListen("", "127.0.0.1:0", main.Addr(), &stderr)
	if err != nil || ln == nil || stderr.Len() > 0 {
		t.Fatalf("oidcListen: %v, %v, %q", ln, err, stderr.String())
	}
	ln.Close()
}
