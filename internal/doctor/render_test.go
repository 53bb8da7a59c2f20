package doctor

import (
	"bytes"
	"strings"
	"testing"
)

func renderCase() *Report {
	return &Report{Account: "123456789012", Region: "us-east-1", Roles: []*RoleCase{
		{Kind: KindTaskExecution, Title: "Task execution role", Name: "exec", Needed: true, Status: Fail, Why: []string{"pulls images"},
			Checks: []Check{{Area: AreaPermissions, Status: Fail, What: "ecr:BatchGetImage on arn:aws:ecr:us-east-1:123456789012:repository/web",
				Detail: "User: arn:aws:sts::123456789012:assumed-role/exec/TASK_ID is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:123456789012:repository/web because no identity-based policy allows the ecr:BatchGetImage action"}},
			Fixes: []Fix{{Summary: "attach", Commands: []string{"aws iam attach-role-policy --role-name exec --policy-arn X"}, Policy: "{\n  \"Version\": \"2012-10-17\"\n}"}}},
		{Kind: KindTask, Title: "Task role", Status: NotNeeded, Why: []string{"not needed: no task definition names one"}},
	}}
}

// Colour only when asked (stdout is a terminal): status words in red and
// green, nothing else changes.
func TestWriteTableColour(t *testing.T) {
	var plain, colour bytes.Buffer
	r := renderCase()
	if err := r.WriteTable(&plain, false); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteTable(&colour, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Errorf("colour without a terminal:\n%s", plain.String())
	}
	if !strings.Contains(colour.String(), cRed+"FAIL") {
		t.Errorf("no red FAIL:\n%q", colour.String())
	}
	stripped := colour.String()
	for _, c := range []string{cRed, cGreen, cYellow, cDim, cBold, cReset} {
		stripped = strings.ReplaceAll(stripped, c, "")
	}
	if stripped != plain.String() {
		t.Errorf("colour changes the text:\n%s\n---\n%s", stripped, plain.String())
	}
}

// The table lists needed roles; the others are answered in one line each.
// A failed check shows AWS's reason, not the whole message again; the
// policy travels inside the command (JSON keeps the whole message and the
// document).
func TestWriteTableLayout(t *testing.T) {
	var b bytes.Buffer
	if err := renderCase().WriteTable(&b, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"ROLE                 NAME  EXISTS  TRUST  PERMISSIONS  PASSROLE  STATUS\nTask execution role  exec  -       -      FAIL 0/1     -         FAIL\n",
		"Not needed by this setup:\n  - Task role: no task definition names one\n",
		"      denied: no identity-based policy allows the ecr:BatchGetImage action\n",
		"    aws iam attach-role-policy --role-name exec --policy-arn X\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, `"Version"`) {
		t.Errorf("policy printed beside its command:\n%s", out)
	}
	b.Reset()
	if err := renderCase().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"detail": "User: arn:aws:sts::`) || !strings.Contains(b.String(), `"policy": "{\n`) {
		t.Errorf("JSON lost the detail or policy:\n%s", b.String())
	}
}

func TestWriteNothingNeeded(t *testing.T) {
	r := &Report{Account: "123456789012", Region: "us-east-1", Roles: []*RoleCase{{Kind: KindTask, Title: "Task role", Status: NotNeeded, Why: []string{"not needed: x"}}}}
	var b bytes.Buffer
	_ = r.WriteTable(&b, false)
	if !strings.Contains(b.String(), "No role is needed by this setup.") || strings.Contains(b.String(), "ROLE ") {
		t.Errorf("%s", b.String())
	}
	b.Reset()
	_ = r.WriteMarkdown(&b)
	if !strings.Contains(b.String(), "No role is needed by this setup.") || strings.Contains(b.String(), "| Role |") {
		t.Errorf("%s", b.String())
	}
}
