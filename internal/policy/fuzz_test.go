package policy

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/awserr"
)

// FuzzParse: Parse never panics, answers only MalformedPolicyDocument, is
// deterministic, and a document it accepts, written back out, is accepted
// again as the same document.
func FuzzParse(f *testing.F) {
	for _, cs := range [][]parseCase{identityCases, trustCases, resourceCases} {
		for _, c := range cs {
			f.Add(c.doc, uint8(0))
			f.Add(c.doc, uint8(1))
			f.Add(c.doc, uint8(2))
		}
	}
	f.Add(benchPolicy, uint8(0))
	f.Fuzz(func(t *testing.T, doc string, k uint8) {
		checkDecoder(t, doc)
		kind := Kind(k % 3)
		d, err := Parse(doc, kind)
		d2, err2 := Parse(doc, kind)
		if !reflect.DeepEqual(d, d2) || !reflect.DeepEqual(err, err2) {
			t.Fatalf("not deterministic: %v / %v", err, err2)
		}
		if err != nil {
			var e *awserr.Error
			if !errors.As(err, &e) || e.Code != "MalformedPolicyDocument" || e.Status != 400 || e.Message == "" {
				t.Fatalf("error %#v", err)
			}
			return
		}
		out := encodeDocument(d)
		again, err := Parse(out, kind)
		if err != nil {
			t.Fatalf("re-parse of %s: %v (from %q)", out, err, doc)
		}
		if !reflect.DeepEqual(d, again) {
			t.Fatalf("re-parse differs:\n%+v\n%+v", d, again)
		}
	})
}

// checkDecoder compares the tree decoder with encoding/json, whose maps
// also keep the last of duplicate keys.
func checkDecoder(t *testing.T, doc string) {
	v, err := decodeJSON(doc)
	if valid := json.Valid([]byte(doc)); (err == nil) != valid {
		t.Fatalf("decodeJSON(%q) error %v, json.Valid %v", doc, err, valid)
	}
	if err != nil {
		return
	}
	var want any
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&want); err != nil {
		t.Fatal(err)
	}
	if got := toAny(v); !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeJSON(%q) = %#v, encoding/json %#v", doc, got, want)
	}
}

func toAny(v *jsonValue) any {
	switch v.kind {
	case jsonString:
		return v.str
	case jsonNumber:
		return json.Number(v.str)
	case jsonBool:
		return v.b
	case jsonArray:
		out := make([]any, len(v.arr))
		for i, e := range v.arr {
			out[i] = toAny(e)
		}
		return out
	case jsonObject:
		out := map[string]any{}
		for _, m := range v.members {
			out[m.key] = toAny(m.val)
		}
		return out
	}
	return nil
}

// encodeDocument writes d as a policy document, keeping statement order.
func encodeDocument(d *Document) string {
	var b strings.Builder
	b.WriteString("{")
	if d.Version != "" {
		b.WriteString(`"Version":` + quote(d.Version) + ",")
	}
	if d.ID != "" {
		b.WriteString(`"Id":` + quote(d.ID) + ",")
	}
	b.WriteString(`"Statement":[`)
	for i, s := range d.Statements {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"Effect":` + quote(s.Effect))
		if s.Sid != "" {
			b.WriteString(`,"Sid":` + quote(s.Sid))
		}
		list := func(name string, vs []string) {
			if vs != nil {
				b.WriteString(`,"` + name + `":` + marshal(vs))
			}
		}
		list("Action", s.Action)
		list("NotAction", s.NotAction)
		list("Resource", s.Resource)
		list("NotResource", s.NotResource)
		principal := func(name string, p *Principal) {
			if p == nil {
				return
			}
			b.WriteString(`,"` + name + `":`)
			if p.Any {
				b.WriteString(`"*"`)
				return
			}
			b.WriteString(marshal(p.ByType))
		}
		principal("Principal", s.Principal)
		principal("NotPrincipal", s.NotPrincipal)
		if s.Condition != nil {
			b.WriteString(`,"Condition":` + marshal(s.Condition))
		}
		b.WriteString("}")
	}
	b.WriteString("]}")
	return b.String()
}

func quote(s string) string { return marshal(s) }

func marshal(v any) string {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings, lists and maps of strings always marshal
	}
	return string(out)
}

// benchPolicy is a realistic ten-statement identity policy.
var benchPolicy = func() string {
	stmts := []string{
		`{"Sid":"ReadBuckets","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion","s3:ListBucket"],"Resource":["arn:aws:s3:::app-data","arn:aws:s3:::app-data/*"]}`,
		`{"Sid":"WriteUploads","Effect":"Allow","Action":["s3:PutObject","s3:AbortMultipartUpload"],"Resource":"arn:aws:s3:::app-data/uploads/${aws:username}/*","Condition":{"StringEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}`,
		`{"Sid":"Tables","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query","dynamodb:UpdateItem"],"Resource":["arn:aws:dynamodb:us-east-1:123456789012:table/Orders","arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/*"]}`,
		`{"Sid":"Queue","Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage","sqs:DeleteMessage"],"Resource":"arn:aws:sqs:us-east-1:123456789012:orders"}`,
		`{"Sid":"Logs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:*"}`,
		`{"Sid":"Secrets","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:app/*","Condition":{"StringEquals":{"aws:ResourceTag/app":"orders"}}}`,
		`{"Sid":"Kms","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab","Condition":{"StringLike":{"kms:ViaService":["s3.us-east-1.amazonaws.com","dynamodb.us-east-1.amazonaws.com"]}}}`,
		`{"Sid":"PassTaskRole","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app-task","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}`,
		`{"Sid":"BusinessHours","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"Bool":{"aws:SecureTransport":false}}}`,
		`{"Sid":"DenyOutsideRegion","Effect":"Deny","NotAction":["iam:*","sts:*","cloudfront:*"],"NotResource":"arn:aws:s3:::app-data/public/*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]},"NumericLessThan":{"s3:max-keys":100}}}`,
	}
	return `{"Version":"2012-10-17","Id":"app-` + strconv.Itoa(len(stmts)) + `","Statement":[` + strings.Join(stmts, ",") + `]}`
}()

func BenchmarkParse(b *testing.B) {
	if _, err := Parse(benchPolicy, Identity); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchPolicy)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchPolicy, Identity); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTrust(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(ec2Trust, Trust); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzRewriteAWSPrincipals: whatever the document, rewriting its AWS
// principals never panics, leaves a document that is not valid JSON as it
// is, and keeps a valid one valid, with every AWS principal rewritten.
func FuzzRewriteAWSPrincipals(f *testing.F) {
	f.Add(`{"Statement":[{"Principal":{"AWS":["a","b"]}}]}`)
	f.Add(`{"Statement":{"NotPrincipal":{"AWS":"a\u00e9\\"}}}`)
	f.Add(`{"Statement":[{"Principal":"*"},{"Principal":{"AWS":3}}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		got := RewriteAWSPrincipals(doc, func(v string) string { return "<" + v + ">" })
		if !json.Valid([]byte(doc)) {
			if got != doc {
				t.Fatalf("invalid input changed: %q -> %q", doc, got)
			}
			return
		}
		if !json.Valid([]byte(got)) {
			t.Fatalf("valid %q became invalid %q", doc, got)
		}
		back := RewriteAWSPrincipals(got, func(v string) string { return v })
		if back != got {
			t.Fatalf("identity rewrite changed %q", got)
		}
	})
}
