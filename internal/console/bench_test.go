package console_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	iamdomain "github.com/rolecall/rolecall/internal/iam"
)

// BenchmarkRolesPage renders the Roles page of an account with 1,000 roles
// (IAM's default quota), signed in as the root: ListRoles and
// GetAccountAuthorizationDetails through the API bindings and the
// authorizer, and the page's HTML. The issue asks for well under 100 ms.
func BenchmarkRolesPage(b *testing.B) {
	e := newEnv(b)
	trusts := []string{tasksTrust, userTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}
	for i := range 1000 {
		if _, err := e.app.IAM.CreateRole(ctx, account, iamdomain.CreateRoleInput{Path: "/", RoleName: fmt.Sprintf("role-%04d", i), AssumeRolePolicyDocument: trusts[i%len(trusts)]}); err != nil {
			b.Fatal(err)
		}
	}
	br := e.signedIn(b, "test", "test")
	cookies := br.hc.Jar.Cookies(mustURL(e.srv.URL + "/console/"))
	req := httptest.NewRequest("GET", "/console/iam/roles", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	check := httptest.NewRecorder()
	e.app.Handler.ServeHTTP(check, req)
	if check.Code != http.StatusOK || strings.Count(check.Body.String(), `<tr data-role="`) != 1000 {
		b.Fatalf("%d, %d rows", check.Code, strings.Count(check.Body.String(), `<tr data-role="`))
	}
	// CPU time too: on a loaded machine the wall time says more about the
	// neighbours than about the page.
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		e.app.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
		n++
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(n), "cpu-ms/op")
}
