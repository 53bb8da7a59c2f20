package codec

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sample() *Data {
	return &Data{
		Source: "test@1",
		Global: []CondKey{
			{Name: "aws:PrincipalTag/tag-key", Type: "String"},
			{Name: "aws:SourceArn", Type: "ARN"},
		},
		Aliases: []Alias{
			{Prefix: "saml", Services: []string{"sts"}},
			{Prefix: "token.actions.${Domain}.ghe.com", Services: []string{"sts"}},
		},
		Services: []Service{
			{Prefix: "empty", Name: "Nothing At All"},
			{
				Prefix: "iam", Name: "AWS Identity and Access Management (IAM)",
				CondKeys: []CondKey{
					{Name: "aws:ResourceTag/${TagKey}", Type: "String", Description: "Filters by tag"},
					{Name: "iam:AWSServiceName", Type: "String", Description: "Filters by service"},
					{Name: "iam:PassedToService", Type: "String", Description: "Filters by service"},
				},
				ResTypes: []ResType{
					{Name: "role", ARN: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", CondKeys: []string{"aws:ResourceTag/${TagKey}"}},
					{Name: "user", ARN: "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"},
				},
				Actions: []Action{
					{Name: "CreateServiceLinkedRole", Description: "Grants permission to create", Access: "Write",
						Resources: []ActionRes{{Name: "role", Required: true}},
						CondKeys:  []string{"iam:AWSServiceName"}},
					{Name: "ListRoles", Description: "Grants permission to list", Access: "List"},
					{Name: "PassRole", Description: "Grants permission to pass", Access: "Write",
						Resources: []ActionRes{{Name: "role", Required: true, CondKeys: []string{"aws:ResourceTag/${TagKey}"}, Deps: []string{"iam:GetRole"}},
							{Name: "user", Required: false}},
						CondKeys: []string{"iam:PassedToService"}, Deps: []string{"iam:ListRoles"}},
				},
			},
		},
	}
}

func encode(t testing.TB, d *Data) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	want := sample()
	b := encode(t, want)
	if !bytes.HasPrefix(b, []byte("RCSAR1 test@1\n")) {
		t.Errorf("header = %q", b[:min(len(b), 20)])
	}
	if src, err := Header(b); err != nil || src != "test@1" {
		t.Errorf("Header = %q, %v", src, err)
	}
	f, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != want.Source || !reflect.DeepEqual(f.Global, want.Global) || !reflect.DeepEqual(f.Aliases, want.Aliases) {
		t.Errorf("index = %+v", f)
	}
	if len(f.Services) != len(want.Services) {
		t.Fatalf("%d services", len(f.Services))
	}
	for i := range f.Services {
		got, err := f.Services[i].Decode()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, &want.Services[i]) {
			t.Errorf("service %d:\n got %+v\nwant %+v", i, got, want.Services[i])
		}
	}
}

func TestEncodeRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Data)
		want   string
	}{
		{"services out of order", func(d *Data) { d.Services[0], d.Services[1] = d.Services[1], d.Services[0] }, "services not sorted"},
		{"duplicate service", func(d *Data) { d.Services[0].Prefix = "IAM" }, "services not sorted"},
		{"actions out of order", func(d *Data) { a := d.Services[1].Actions; a[0], a[1] = a[1], a[0] }, "actions not sorted"},
		{"keys out of order", func(d *Data) { k := d.Services[1].CondKeys; k[1], k[2] = k[2], k[1] }, "condition keys not sorted"},
		{"global out of order", func(d *Data) { d.Global[0], d.Global[1] = d.Global[1], d.Global[0] }, "global condition keys not sorted"},
		{"newline in source", func(d *Data) { d.Source = "a\nb" }, "newline"},
	} {
		d := sample()
		tc.mutate(d)
		var buf bytes.Buffer
		if err := Encode(&buf, d); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestLower(t *testing.T) {
	for in, want := range map[string]string{"": "", "iam": "iam", "PassRole": "passrole", "aws:SourceARN": "aws:sourcearn", "ÄB": "Äb"} {
		if got := Lower(in); got != want {
			t.Errorf("Lower(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpenCorrupt(t *testing.T) {
	good := encode(t, sample())
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"no newline", []byte("RCSAR1 x")},
		{"wrong magic", append([]byte("RCSAR9"), good[6:]...)},
		{"truncated index", good[:len("RCSAR1 test@1\n")+3]},
		{"truncated segments", good[:len(good)-1]},
		{"trailing bytes", append(append([]byte(nil), good...), 0)},
	} {
		f, err := Open(tc.data)
		if err == nil {
			// Segment damage shows when the service is decoded.
			for i := range f.Services {
				if _, err = f.Services[i].Decode(); err != nil {
					break
				}
			}
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", tc.name, err)
		}
	}
}

func TestDecodeRejectsDisorder(t *testing.T) {
	// Swap two actions' names behind Encode's back: the segment decodes,
	// but lookups would miss, so Decode refuses it.
	d := sample()
	b := encode(t, d)
	iam := &d.Services[1]
	iam.Actions[0].Name, iam.Actions[2].Name = iam.Actions[2].Name, iam.Actions[0].Name
	seg, err := encodeServiceBody(iam)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	e := f.Services[1]
	e.segment = seg
	if _, err := e.Decode(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("err = %v, want ErrCorrupt", err)
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(encode(f, sample()))
	f.Add([]byte("RCSAR1 x\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Open(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		for i := range file.Services {
			if _, err := file.Services[i].Decode(); err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
		}
	})
}
