package statefile

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const minimal = `{"format":"rolecall-state","version":1,"accounts":{"123456789012":{"iam":{
  "UserDetailList":[{"Path":"/","UserName":"u","UserId":"AIDAAAAAAAAAAAAAAAAAA","Arn":"arn:aws:iam::123456789012:user/u"}],
  "RoleDetailList":[{"Path":"/x/","RoleName":"r","RoleId":"AROAAAAAAAAAAAAAAAAAA","Arn":"arn:aws:iam::123456789012:role/x/r",
    "AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[]}}],
  "GroupDetailList":[],"Policies":[]}}}}`

func TestParse(t *testing.T) {
	f, kind, err := Parse([]byte(minimal))
	if err != nil || kind != KindState || f.Accounts["123456789012"].IAM.RoleDetailList[0].RoleName != "r" {
		t.Fatalf("minimal: %v %v", kind, err)
	}
	doc, err := f.Accounts["123456789012"].IAM.RoleDetailList[0].AssumeRolePolicyDocument.Text()
	if err != nil || doc != `{"Version":"2012-10-17","Statement":[]}` {
		t.Errorf("document as an object: %q %v", doc, err)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", `{"format":`, "not JSON"},
		{"neither", `{"foo":1}`, "neither a rolecall state file"},
		{"another format", `{"format":"other","version":1}`, `not a rolecall state file: format is "other"`},
		{"no version", `{"format":"rolecall-state"}`, "no version"},
		{"newer", `{"format":"rolecall-state","version":2,"accounts":{}}`, "version 2 of the state format, and this rolecall reads version 1: upgrade rolecall"},
		{"older", `{"format":"rolecall-state","version":0,"accounts":{}}`, "no rolecall wrote it"},
		{"no account", `{"format":"rolecall-state","version":1,"accounts":{}}`, "holds no account"},
		{"bad account", `{"format":"rolecall-state","version":1,"accounts":{"12":{}}}`, `"12" is no account ID`},
		{"unknown member", strings.Replace(minimal, `"UserName":"u"`, `"UserName":"u","Root":true`, 1), `unknown field "Root"`},
		{"trailing", minimal + `{}`, "not JSON"},
		{"another account's ARN", strings.Replace(minimal, "arn:aws:iam::123456789012:user/u", "arn:aws:iam::210987654321:user/u", 1),
			`user "u" of account 123456789012 has the ARN arn:aws:iam::210987654321:user/u; in account 123456789012 at path / it is arn:aws:iam::123456789012:user/u`},
		{"path not the ARN's", strings.Replace(minimal, `"Path":"/x/"`, `"Path":"/"`, 1), "at path / it is arn:aws:iam::123456789012:role/r"},
		{"an ID twice", strings.Replace(minimal, "AROAAAAAAAAAAAAAAAAAA", "AIDAAAAAAAAAAAAAAAAAA", 1), "have the same ID AIDAAAAAAAAAAAAAAAAAA"},
		{"no name", strings.Replace(minimal, `"UserName":"u"`, `"UserName":""`, 1), "a user without a name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Parse([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want ...%s...", err, tc.want)
			}
		})
	}
	// The members added to version 1 later read in a version 1 file.
	later := strings.Replace(minimal, `"Policies":[]}`, `"Policies":[],"DelegationRequests":[{"DelegationRequestId":"d","State":"UNASSIGNED","RequestorId":"210987654321",
	  "Permissions":{"PolicyTemplateArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}]},
	  "ecs":{"us-east-1":{"taskSets":[{}],"daemonTaskDefinitions":[{}],"daemons":[{}],"accountSettings":[{}]}}`, 1)
	if f, _, err := Parse([]byte(later)); err != nil || len(f.Accounts["123456789012"].IAM.DelegationRequests) != 1 || len(f.Accounts["123456789012"].ECS["us-east-1"].AccountSettings) != 1 {
		t.Errorf("later members: %v", err)
	}
	if _, _, err := Parse([]byte(`{"format":"rolecall-state","version":3,"accounts":{}}`)); !errors.Is(err, ErrUnknownVersion) {
		t.Errorf("version 3: %v", err)
	}
}

func TestParseAuthorization(t *testing.T) {
	in := `{"UserDetailList":[{"Path":"/","UserName":"u","Arn":"arn:aws:iam::123456789012:user/u","Future":1}],
	  "Policies":[{"PolicyName":"ReadOnlyAccess","Arn":"arn:aws:iam::aws:policy/ReadOnlyAccess","Path":"/","DefaultVersionId":"v1","PolicyVersionList":[]}]}`
	f, kind, err := Parse([]byte(in))
	if err != nil || kind != KindAuthorization || f.Accounts["123456789012"] == nil || f.Version != Version {
		t.Fatalf("export: %v %v %+v", kind, err, f)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"two accounts", `{"UserDetailList":[{"UserName":"a","Arn":"arn:aws:iam::123456789012:user/a"},{"UserName":"b","Arn":"arn:aws:iam::210987654321:user/b"}]}`, "two accounts"},
		{"nothing", `{"UserDetailList":[],"Policies":[{"Arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}]}`, "nothing to import"},
		{"a page", `{"UserDetailList":[],"IsTruncated":true}`, "one page of several"},
		{"no ARN", `{"UserDetailList":[{"UserName":"a"}]}`, "no IAM ARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Parse([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want ...%s...", err, tc.want)
			}
		})
	}
}

func TestDocumentText(t *testing.T) {
	for in, want := range map[string]string{
		`"{\"a\":1}"`:            `{"a":1}`,
		`{ "a" : [ 1 ] }`:        `{"a":[1]}`,
		`"%7B%22a%22%3A%201%7D"`: `{"a": 1}`,
		`null`:                   ``,
	} {
		if got, err := Document(in).Text(); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := Document(`"%zz"`).Text(); err == nil || !strings.Contains(err.Error(), "neither JSON nor URL-encoded JSON") {
		t.Errorf("bad encoding: %v", err)
	}
}

// FuzzParse: no input panics Parse, and what it accepts, each document
// included, reads again the same way once written.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::123456789012:user/u"}]}`))
	f.Add([]byte(`{"format":"rolecall-state","version":1,"accounts":{"123456789012":{"ecs":{"us-east-1":{"clusters":[{}]}}}}}`))
	f.Add([]byte(`{"format":"rolecall-state","version":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, _, err := Parse(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(file)
		if err != nil {
			t.Fatalf("written: %v", err)
		}
		if _, kind, err := Parse(again); err != nil || kind != KindState {
			t.Fatalf("%s\nwritten as %s\nreads as %v: %v", b, again, kind, err)
		}
		for _, a := range file.Accounts {
			if a == nil || a.IAM == nil {
				continue
			}
			for _, r := range a.IAM.RoleDetailList {
				r.AssumeRolePolicyDocument.Text()
			}
		}
	})
}
