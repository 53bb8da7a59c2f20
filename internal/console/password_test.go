package console

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/principal"
)

// fakePasswords stands for IAM's login profiles, which are not wired yet:
// the console's side of password sign-in is tested against it.
type fakePasswords struct{}

func (fakePasswords) PasswordSignIn(_ context.Context, account, user, password string) (*PasswordSignIn, error) {
	if account == "000000000000" && user == "alice" && password == "correct horse" {
		return &PasswordSignIn{Principal: &principal.Principal{Kind: principal.User, Account: account, ARN: "arn:aws:iam::000000000000:user/alice", Name: "alice"}}, nil
	}
	return nil, awserr.New(http.StatusForbidden, "AuthenticationFailed", "Your authentication information is incorrect. Please try again.")
}

func (fakePasswords) CheckMFACode(context.Context, *principal.Principal, string) error {
	return awserr.New(http.StatusForbidden, "AuthenticationFailed", "no MFA devices")
}

func (fakePasswords) UserExists(_ context.Context, p *principal.Principal) (bool, error) {
	return p.Name == "alice", nil
}

type noKeys struct{}

func (noKeys) SignIn(context.Context, string, string) (*principal.Principal, *awserr.Error) {
	return nil, awserr.New(http.StatusForbidden, "AuthenticationFailed", "no keys")
}

// noAPI answers every operation with a failure: the page header's alias
// is then not shown.
type noAPI struct{}

func (noAPI) Call(*http.Request, *principal.Principal, string, string, string, any) (any, string, error) {
	return nil, "", awserr.New(http.StatusInternalServerError, "ServiceFailure", "no API in this test")
}

func TestPasswordSignIn(t *testing.T) {
	c := New(Config{API: noAPI{}, Keys: noKeys{}, Passwords: fakePasswords{}, Account: "000000000000"})
	srv := httptest.NewServer(c)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	get := func(path string) string {
		resp, err := hc.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post := func(form url.Values) (int, string) {
		resp, err := hc.PostForm(srv.URL+"/console/signin", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	page := get("/console/signin")
	for _, label := range []string{">Account ID or alias</label>", ">IAM user name</label>", ">Password</label>", ">Access key ID</label>"} {
		if !strings.Contains(page, label) {
			t.Errorf("sign-in page lacks %s", label)
		}
	}
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	status, body := post(url.Values{"csrf": {tok}, "method": {"password"}, "account": {"000000000000"}, "user_name": {"alice"}, "password": {"wrong"}})
	if status != http.StatusForbidden || !strings.Contains(body, "Your authentication information is incorrect. Please try again.") || !strings.Contains(body, `value="alice"`) {
		t.Errorf("wrong password: %d", status)
	}
	status, body = post(url.Values{"csrf": {tok}, "method": {"password"}, "account": {"000000000000"}, "user_name": {"alice"}, "password": {"correct horse"}})
	if status != http.StatusOK || !strings.Contains(body, "arn:aws:iam::000000000000:user/alice") {
		t.Errorf("password sign-in: %d\n%s", status, body)
	}
}
