package doctor

import (
	"bytes"
	"testing"
)

// Explain reads arbitrary error text: it must not panic, and the same text
// gets the same answer.
func FuzzExplain(f *testing.F) {
	for _, s := range []string{
		"Unable to assume the service linked role. Please verify that the ECS service linked role exists.",
		"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/x because no identity-based policy allows the iam:PassRole action",
		"ECS was unable to assume the role 'arn:aws:iam::1:role/' that was provided for this task",
		"CannotPullContainerError: not authorized to perform: ecr:BatchGetImage",
		"User:  is not authorized to perform: ",
		"task role instance role",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b := Explain(s), Explain(s)
		var x, y bytes.Buffer
		if err := a.WriteJSON(&x); err != nil {
			t.Fatal(err)
		}
		_ = b.WriteJSON(&y)
		if !bytes.Equal(x.Bytes(), y.Bytes()) {
			t.Fatalf("not deterministic for %q", s)
		}
		_ = a.WriteText(&x)
		_ = a.WriteMarkdown(&x)
	})
}

// The role reference parsers take whatever a file holds.
func FuzzValueParsers(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:role/a/b", "/p", "arn:", "arn:aws:sts::1:assumed-role/r/s", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseRoleRef(s, "aws", "123456789012")
		_, _, _, _, _ = principalARNParts(s)
	})
}
