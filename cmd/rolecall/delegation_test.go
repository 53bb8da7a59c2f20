package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/rolecalltest"
)

// rolecall delegation token: a request the caller's account did not make
// is the endpoint's NoSuchEntity; a wrong word prints the usage. The
// whole exchange runs in the README ("Outbound federation and delegation
// tokens").
func TestDelegationTokenCommand(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	rc := rolecalltest.RunT(t)
	_, errs, code := rolecallCLI(t, rc, "delegation", "token", "0123456789abcdef")
	if code != 1 || errs != "rolecall delegation token: NoSuchEntity: The delegation request with ID 0123456789abcdef cannot be found.\n" {
		t.Errorf("unknown request: exit %d, %q", code, errs)
	}
	var usage bytes.Buffer
	if code := run([]string{"delegation", "show", "x"}, &bytes.Buffer{}, &usage); code != 2 || !strings.Contains(usage.String(), "rolecall delegation token DELEGATION_REQUEST_ID") {
		t.Errorf("delegation show: exit %d, %q", code, usage.String())
	}
}
