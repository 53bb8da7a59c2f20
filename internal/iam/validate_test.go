package iam

import (
	"strings"
	"testing"
)

func TestParsePolicyARN(t *testing.T) {
	tests := []struct {
		in                string
		ok, invalid, aws  bool
		account, path, nm string
	}{
		{in: "arn:aws:iam::000000000000:policy/p", ok: true, account: "000000000000", path: "/", nm: "p"},
		{in: "arn:aws:iam::000000000000:policy/a/b/p", ok: true, account: "000000000000", path: "/a/b/", nm: "p"},
		{in: "arn:aws:iam::aws:policy/service-role/X", ok: true, aws: true, account: "aws", path: "/service-role/", nm: "X"},
		{in: "arn:aws:iam::000000000000:role/r"},
		{in: "arn:aws:iam::000000000000:policy/"},
		{in: "arn:aws-cn:iam::aws:policy/X", aws: true, account: "aws", path: "/", nm: "X"},
		{in: "arn:aws:s3:::bucket"},
		{in: "longpolicynamebutnoarn", invalid: true},
	}
	for _, tt := range tests {
		p, ok, err := parsePolicyARN(tt.in)
		if (err != nil) != tt.invalid {
			t.Errorf("%s: err = %v", tt.in, err)
			continue
		}
		if tt.invalid {
			wantErr(t, err, "ValidationError", 400, "ARN "+tt.in+" is not valid.")
			continue
		}
		if ok != tt.ok || (tt.nm != "" && (p.awsManaged != tt.aws || p.account != tt.account || p.path != tt.path || p.name != tt.nm)) {
			t.Errorf("%s: %+v ok=%v", tt.in, p, ok)
		}
	}
}

func TestPolicySize(t *testing.T) {
	if n := policySize(" {\n\t\"a\" : 1 }\r\n"); n != 7 {
		t.Errorf("policySize = %d, want 7", n)
	}
}

func FuzzParsePolicyARN(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::000000000000:policy/p", "arn:aws:iam::aws:policy/a/b", "arn:::::", "x", "arn:aws:iam::1:policy//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok, err := parsePolicyARN(s)
		if err == nil && ok {
			if !strings.HasPrefix(p.path, "/") || !strings.HasSuffix(p.path, "/") || p.name == "" || strings.Contains(p.name, "/") {
				t.Errorf("%q parsed to %+v", s, p)
			}
		}
	})
}

func FuzzCallerOf(f *testing.F) {
	for _, s := range []string{"", "arn:aws:iam::1:root", "arn:aws:iam::1:user/a/b", "arn:aws:sts::1:assumed-role/r/s", "arn:aws:iam::1:user/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CallerOf(s)
		if c.Root && c.UserName != "" || strings.Contains(c.UserName, "/") {
			t.Errorf("%q: %+v", s, c)
		}
	})
}
