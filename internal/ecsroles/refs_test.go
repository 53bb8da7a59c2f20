package ecsroles

import "testing"

func TestECRRepo(t *testing.T) {
	cases := []struct {
		image, account, region, repo string
		ok                           bool
	}{
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2", "123456789012", "us-east-1", "web", true},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api@sha256:0123abcd", "123456789012", "eu-west-1", "team/api", true},
		{"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app", "123456789012", "us-gov-west-1", "app", true},
		{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:latest", "123456789012", "cn-north-1", "app", true},
		{"public.ecr.aws/nginx/nginx:1.25", "", "", "", false},
		{"nginx:latest", "", "", "", false},
	}
	for _, c := range cases {
		a, r, repo, ok := ECRRepo(c.image)
		if ok != c.ok || a != c.account || r != c.region || repo != c.repo {
			t.Errorf("ECRRepo(%q) = %q %q %q %v", c.image, a, r, repo, ok)
		}
	}
}

func TestParseValueFrom(t *testing.T) {
	cases := []struct{ in, service, arn string }{
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123", "secretsmanager", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"},
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123:password::", "secretsmanager", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"},
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db", "secretsmanager", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-XXXXXX"},
		{"arn:aws:ssm:us-east-1:123456789012:parameter/prod/key", "ssm", "arn:aws:ssm:us-east-1:123456789012:parameter/prod/key"},
		{"/prod/key", "ssm", "arn:aws:ssm:eu-west-1:111122223333:parameter/prod/key"},
		{"plain", "ssm", "arn:aws:ssm:eu-west-1:111122223333:parameter/plain"},
	}
	for _, c := range cases {
		r := ParseValueFrom(c.in, "aws", "eu-west-1", "111122223333")
		if r.Service != c.service || r.ARN != c.arn {
			t.Errorf("ParseValueFrom(%q) = %+v", c.in, r)
		}
	}
}

func TestKMSKeyARN(t *testing.T) {
	cases := map[string]string{
		"":                                     "",
		"alias/aws/secretsmanager":             "",
		"alias/mine":                           "",
		"1234abcd-12ab-34cd-56ef-1234567890ab": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"arn:aws:kms:us-east-1:123456789012:key/k": "arn:aws:kms:us-east-1:123456789012:key/k",
	}
	for in, want := range cases {
		if got := KMSKeyARN(in, "aws", "us-east-1", "123456789012"); got != want {
			t.Errorf("KMSKeyARN(%q) = %q, want %q", in, got, want)
		}
	}
}

// The task definition value parsers take whatever a file holds.
func FuzzValueParsers(f *testing.F) {
	for _, s := range []string{"arn:aws:secretsmanager:us-east-1:1:secret:a-AbC123:k::", "/p", "1.dkr.ecr.r.amazonaws.com/x:y", "arn:", "arn:aws:s3:::b/k", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = ParseValueFrom(s, "aws", "us-east-1", "123456789012")
		_, _, _, _ = ECRRepo(s)
		_ = KMSKeyARN(s, "aws", "us-east-1", "123456789012")
		_ = S3Bucket(s)
	})
}
