package console

import (
	"testing"

	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/policy"
)

// statementText finds each statement where the simulator's positions put
// it: a lone Statement object, statements of a list, columns in UTF-16
// units past characters outside the BMP; positions elsewhere find none.
func TestStatementText(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"lone statement", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`,
			[]string{`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}`}},
		{"list, past a character outside the BMP", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/team\":\"\U0001F600\"}},\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},\n  {\"Effect\":\"Deny\",\"Action\":\"s3:Get*\",\"Resource\":\"*\"}]}",
			[]string{"{\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/team\":\"\U0001F600\"}},\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}", `{"Effect":"Deny","Action":"s3:Get*","Resource":"*"}`}},
		{"pretty", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}",
			[]string{"{\n  \"Effect\": \"Allow\",\n  \"Action\": \"s3:*\",\n  \"Resource\": \"*\"\n}"}},
	} {
		p, err := policy.CompileJSON(tc.doc, policy.Identity, policy.Source{})
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range p.Statements() {
			start := &iam.StatementPosition{Line: int32(s.Start.Line), Column: int32(s.Start.Column)}
			end := &iam.StatementPosition{Line: int32(s.End.Line), Column: int32(s.End.Column)}
			if got := statementText(tc.doc, start, end); got != tc.want[i] {
				t.Errorf("%s, statement %d: %q, want %q", tc.name, i+1, got, tc.want[i])
			}
			if got := statementText(tc.doc, end, start); got != "" {
				t.Errorf("%s, statement %d backwards: %q", tc.name, i+1, got)
			}
		}
	}
	if got := statementText(`{}`, &iam.StatementPosition{Line: 3, Column: 1}, &iam.StatementPosition{Line: 3, Column: 9}); got != "" {
		t.Errorf("beyond the document: %q", got)
	}
}
