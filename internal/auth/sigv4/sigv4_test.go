package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const body = "Action=GetRole&Version=2010-05-08&RoleName=app"

var signedAt = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func hashOf(b string) string { s := sha256.Sum256([]byte(b)); return hex.EncodeToString(s[:]) }

// sdkSigned signs a request with aws-sdk-go-v2's own signer, the way every
// SDK call reaches rolecall.
func sdkSigned(t *testing.T, secret string, at time.Time, token string) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if token != "" {
		r.Header.Set("X-Amz-Security-Token", token)
	}
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: secret, SessionToken: token},
		r, hashOf(body), "iam", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifySDKSignature(t *testing.T) {
	r := sdkSigned(t, "secret", signedAt, "")
	s, aerr := Parse(r)
	if aerr != nil {
		t.Fatal(aerr)
	}
	if s.AccessKey != "AKIDEXAMPLE" || s.Region != "us-east-1" || s.Service != "iam" || s.Date != "20261124" {
		t.Errorf("parsed %+v", s)
	}
	if aerr := s.Verify(r, []byte(body), "secret", signedAt.Add(time.Minute)); aerr != nil {
		t.Fatalf("valid signature refused: %v", aerr)
	}
}

func TestVerifyFailures(t *testing.T) {
	const mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	cases := []struct {
		name   string
		secret string
		body   string
		now    time.Time
		code   string
		msg    string
	}{
		{"wrong secret", "other", body, signedAt, "SignatureDoesNotMatch", mismatch},
		{"tampered body", "secret", body + "x", signedAt, "SignatureDoesNotMatch", mismatch},
		{"stale", "secret", body, signedAt.Add(75 * time.Minute), "SignatureDoesNotMatch",
			"Signature expired: 20261124T100000Z is now earlier than 20261124T110000Z (20261124T111500Z - 15 min.)"},
		{"future", "secret", body, signedAt.Add(-20 * time.Minute), "SignatureDoesNotMatch",
			"Signature not yet current: 20261124T100000Z is still later than 20261124T095500Z (20261124T094000Z + 15 min.)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sdkSigned(t, "secret", signedAt, "")
			s, aerr := Parse(r)
			if aerr != nil {
				t.Fatal(aerr)
			}
			aerr = s.Verify(r, []byte(c.body), c.secret, c.now)
			if aerr == nil || aerr.Code != c.code || aerr.Message != c.msg || aerr.Status != 403 {
				t.Fatalf("got %v\nwant %s: %s", aerr, c.code, c.msg)
			}
		})
	}
}

func TestSecurityTokenIsRead(t *testing.T) {
	r := sdkSigned(t, "secret", signedAt, "session-token")
	s, _ := Parse(r)
	if s.SecurityToken != "session-token" {
		t.Errorf("token %q", s.SecurityToken)
	}
	if aerr := s.Verify(r, []byte(body), "secret", signedAt); aerr != nil {
		t.Fatal(aerr)
	}
}

func TestPresigned(t *testing.T) {
	r := httptest.NewRequest("GET", "http://127.0.0.1:4566/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	url, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
		r, hashOf(""), "sts", "us-east-1", signedAt)
	if err != nil {
		t.Fatal(err)
	}
	pr := httptest.NewRequest("GET", url, nil)
	s, aerr := Parse(pr)
	if aerr != nil {
		t.Fatal(aerr)
	}
	if !s.Presigned || s.Service != "sts" {
		t.Errorf("parsed %+v", s)
	}
	if aerr := s.Verify(pr, nil, "secret", signedAt.Add(time.Minute)); aerr != nil {
		t.Fatalf("presigned refused: %v", aerr)
	}
	if aerr := s.Verify(pr, nil, "wrong", signedAt); aerr == nil || aerr.Code != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: %v", aerr)
	}
	// STS ignores X-Amz-Expires (900 here): a presigned request lives as
	// long as a signed one, 15 minutes either side.
	if aerr := s.Verify(pr, nil, "secret", signedAt.Add(14*time.Minute)); aerr != nil {
		t.Fatalf("presigned within 15 min refused: %v", aerr)
	}
	aerr = s.Verify(pr, nil, "secret", signedAt.Add(16*time.Minute))
	if aerr == nil || aerr.Message != "Signature expired: 20261124T100000Z is now earlier than 20261124T100100Z (20261124T101600Z - 15 min.)" {
		t.Fatalf("stale presigned: %v", aerr)
	}
}

// TestPayloadHash covers X-Amz-Content-Sha256: the body is always signed.
// A request declaring UNSIGNED-PAYLOAD or a streaming payload, signed
// that way, is refused (a captured GetUser must not replay as CreateUser
// with another body); a declared digest must be the body's.
func TestPayloadHash(t *testing.T) {
	sign := func(declared string) *http.Request {
		r := httptest.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(body))
		r.Header.Set("X-Amz-Content-Sha256", declared)
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
			r, declared, "sts", "us-east-1", signedAt); err != nil {
			t.Fatal(err)
		}
		return r
	}
	cases := []struct {
		name, declared, body string
		ok                   bool
	}{
		{"unsigned payload", UnsignedPayload, body, false},
		{"unsigned payload, another body", UnsignedPayload, "Action=CreateUser&UserName=x", false},
		{"streaming payload", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", body, false},
		{"not a digest", "x", body, false},
		{"declared digest", hashOf(body), body, true},
		{"declared digest, other body", hashOf(body), body + "&x=1", false},
		{"declared digest of another body", hashOf("x"), body, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sign(c.declared)
			s, aerr := Parse(r)
			if aerr != nil {
				t.Fatal(aerr)
			}
			aerr = s.Verify(r, []byte(c.body), "secret", signedAt)
			if c.ok && aerr != nil {
				t.Fatalf("refused: %v", aerr)
			}
			if !c.ok && (aerr == nil || aerr.Code != "SignatureDoesNotMatch" || aerr.Message != MismatchMessage) {
				t.Fatalf("got %v, want SignatureDoesNotMatch", aerr)
			}
		})
	}
}

// TestSkewWindow: ECS allows 5 minutes and says so.
func TestSkewWindow(t *testing.T) {
	r := sdkSigned(t, "secret", signedAt, "")
	s, _ := Parse(r)
	aerr := s.CheckTime(signedAt.Add(6*time.Minute), 5*time.Minute)
	if aerr == nil || aerr.Code != "SignatureDoesNotMatch" || aerr.Message != "Signature expired: 20261124T100000Z is now earlier than 20261124T100100Z (20261124T100600Z - 5 min.)" {
		t.Fatalf("got %v", aerr)
	}
	if aerr := s.CheckTime(signedAt.Add(4*time.Minute), 5*time.Minute); aerr != nil {
		t.Fatal(aerr)
	}
	s.AmzDate = "20261124T1000Z"
	if aerr := s.CheckTime(signedAt, MaxSkew); aerr == nil || aerr.Code != "IncompleteSignature" {
		t.Fatalf("malformed date: %v", aerr)
	}
	s.AmzDate = "20261125T100000Z"
	if aerr := s.CheckTime(signedAt.Add(24*time.Hour), MaxSkew); aerr == nil ||
		aerr.Message != "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261124' != '20261125', from '20261125T100000Z'." {
		t.Fatalf("scope date: %v", aerr)
	}
}

// TestAWSSuiteQuery is AWS's SigV4 test-suite cases with query strings:
// get-vanilla-query-order-key-case and get-vanilla-query-unreserved.
func TestAWSSuiteQuery(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	cases := []struct {
		name, target, canonicalQuery, signature string
	}{
		{"get-vanilla-query-order-key-case", "/?Param2=value2&Param1=value1", "Param1=value1&Param2=value2",
			"b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
		{"get-vanilla-query-unreserved", "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
			"-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
			"9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://example.amazonaws.com"+c.target, nil)
			r.Header.Set("X-Amz-Date", "20150830T123600Z")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature="+c.signature)
			s, aerr := Parse(r)
			if aerr != nil {
				t.Fatal(aerr)
			}
			if got := strings.Split(s.CanonicalRequest(r, nil), "\n")[2]; got != c.canonicalQuery {
				t.Errorf("canonical query %q, want %q", got, c.canonicalQuery)
			}
			if aerr := s.Verify(r, nil, secret, time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)); aerr != nil {
				t.Fatal(aerr)
			}
		})
	}
}

// TestAWSSuiteGetVanilla is the get-vanilla case of AWS's published SigV4
// test suite (credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY).
func TestAWSSuiteGetVanilla(t *testing.T) {
	r := httptest.NewRequest("GET", "http://example.amazonaws.com/", nil)
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
	s, aerr := Parse(r)
	if aerr != nil {
		t.Fatal(aerr)
	}
	wantCanonical := "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := s.CanonicalRequest(r, nil); got != wantCanonical {
		t.Errorf("canonical request:\n%s\nwant:\n%s", got, wantCanonical)
	}
	if aerr := s.Verify(r, nil, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)); aerr != nil {
		t.Fatal(aerr)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, auth, date string
		code, msg        string
	}{
		{"unsigned", "", "", "MissingAuthenticationToken", "Request is missing Authentication Token"},
		{"no equal sign", "AWS4-HMAC-SHA256 Credential=AKIA/20200128/us-east-1/sts/aws4_request, SignedHeaders=host, Signature", "20200128T000000Z",
			"IncompleteSignature", "'Signature' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKIA/20200128/us-east-1/sts/aws4_request, SignedHeaders=host, Signature'."},
		{"no date", "AWS4-HMAC-SHA256 Credential=AKIA/20200128/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00", "",
			"IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKIA/20200128/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00"},
		{"bad scope", "AWS4-HMAC-SHA256 Credential=AKIA/us-east-1, SignedHeaders=host, Signature=00", "20200128T000000Z",
			"IncompleteSignature", "Credential should be scoped to a valid region, not 'AKIA/us-east-1'. "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			if c.auth != "" {
				r.Header.Set("Authorization", c.auth)
			}
			if c.date != "" {
				r.Header.Set("X-Amz-Date", c.date)
			}
			_, aerr := Parse(r)
			if aerr == nil || aerr.Code != c.code || aerr.Message != c.msg {
				t.Fatalf("got %v\nwant %s: %s", aerr, c.code, c.msg)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "20150830T123600Z", "/?a=b")
	f.Add("AWS4-HMAC-SHA256 ,,,=", "x", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a/b/c/d/aws4_request")
	f.Fuzz(func(t *testing.T, auth, date, target string) {
		r, err := http.NewRequest("POST", "http://h"+target, strings.NewReader("x"))
		if err != nil {
			return
		}
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", date)
		s, aerr := Parse(r)
		if aerr != nil {
			if aerr.Code == "" || aerr.Status == 0 {
				t.Fatalf("error without code: %+v", aerr)
			}
			return
		}
		if !s.Presigned {
			// What the SDK form's reader and the credential kept read, the
			// general readers read too.
			cred, signed, sig, err := splitAuthorization(auth)
			ak, date, region, service, ok := splitCredential(cred)
			if err != nil || !ok || s.SignedHeaders != signed || s.Signature != sig ||
				s.AccessKey != ak || s.Date != date || s.Region != region || s.Service != service {
				t.Fatalf("Parse read %+v; general readers: %q %q %q %v, %q %q %q %q %v", s, cred, signed, sig, err, ak, date, region, service, ok)
			}
		}
		s.Verify(r, []byte("x"), "secret", signedAt) // must not panic
	})
}

// FuzzAuthorization checks the SDK form's reader against the general one:
// where the first reads a header, the second reads the same from it.
func FuzzAuthorization(f *testing.F) {
	for _, h := range []string{
		"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
		"AWS4-HMAC-SHA256 Credential=a, SignedHeaders=b, Signature=c ",
		"AWS4-HMAC-SHA256 Credential=a\u00a0, SignedHeaders=b, Signature=c",
		"AWS4-HMAC-SHA256 Credential=a, SignedHeaders=b, Signature=c, Signature=d",
		"AWS4-HMAC-SHA256 Credential=, SignedHeaders=b, Signature=c",
		"AWS4-HMAC-SHA256 Credential=a=b, SignedHeaders=, Signature=c,",
		"AWS4-HMAC-SHA256  Credential=a, SignedHeaders=b, Signature=c",
	} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		cred, signed, sig, ok := splitSDKAuthorization(h)
		if !ok {
			return
		}
		wc, ws, wsig, err := splitAuthorization(h)
		if err != nil || cred != wc || signed != ws || sig != wsig {
			t.Fatalf("%q: SDK form read %q %q %q; general: %q %q %q, %v", h, cred, signed, sig, wc, ws, wsig, err)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	t := &testing.T{}
	r := sdkSigned(t, "secret", signedAt, "")
	for b.Loop() {
		s, aerr := Parse(r)
		if aerr != nil {
			b.Fatal(aerr)
		}
		if aerr := s.Verify(r, []byte(body), "secret", signedAt); aerr != nil {
			b.Fatal(aerr)
		}
	}
}

// canonicalQueryReference is the canonical query string by the book:
// url.ParseQuery, then every name and value encoded, sorted.
func canonicalQueryReference(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, string(appendEscaped(nil, k))+"="+string(appendEscaped(nil, v)))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// FuzzCanonicalQuery checks the allocation-lean query canonicalization
// against the reference wherever url.ParseQuery accepts the query.
func FuzzCanonicalQuery(f *testing.F) {
	f.Add("Action=GetCallerIdentity&Version=2011-06-15")
	f.Add("b=2&a=1&a=0&c")
	f.Add("X-Amz-Credential=a%2Fb&X-Amz-Signature=00&x=%20%2B+")
	f.Fuzz(func(t *testing.T, raw string) {
		got := string(appendCanonicalQuery(nil, raw, false))
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		// Pairs sort by name then value; the reference sorts whole
		// "name=value" strings, which agrees unless a name is a prefix of
		// another followed by a character below '='.
		if want := canonicalQueryReference(q); got != want && !prefixAmbiguity(q) {
			t.Fatalf("canonical query of %q:\n got %q\nwant %q", raw, got, want)
		}
	})
}

func prefixAmbiguity(q url.Values) bool {
	for a := range q {
		for b := range q {
			if a != b && strings.HasPrefix(string(appendEscaped(nil, b)), string(appendEscaped(nil, a))) {
				return true
			}
		}
	}
	return false
}

// FuzzAmzDate checks the hand-written timestamp parser against time.Parse,
// and the last parse kept against both: first parse, again, after another.
func FuzzAmzDate(f *testing.F) {
	f.Add("20150830T123600Z")
	f.Add("20151330T123600Z")
	f.Add("2015-08-30T12:36:00Z")
	f.Fuzz(func(t *testing.T, v string) {
		got, ok := parseAmzDate(v)
		want, err := time.Parse(timeFormat, v)
		if ok != (err == nil) || (ok && !got.Equal(want)) {
			t.Fatalf("parseAmzDate(%q) = %v, %v; time.Parse: %v, %v", v, got, ok, want, err)
		}
		for _, w := range []string{v, v, "20150830T123600Z", v} {
			got, ok := parseAmzDateCached(w)
			want, wantOK := parseAmzDate(w)
			if ok != wantOK || got != want {
				t.Fatalf("parseAmzDateCached(%q) = %v, %v; parseAmzDate: %v, %v", w, got, ok, want, wantOK)
			}
		}
	})
}

// TestSignedHeadersAndScope: host must be signed, and the operation's
// X-Amz-Target when there is one; the scope must name the service
// addressed and a Region.
func TestSignedHeadersAndScope(t *testing.T) {
	r := httptest.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader("{}"))
	r.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters")
	for _, c := range []struct{ signed, msg string }{
		{"host;x-amz-date;x-amz-target", ""},
		{"x-amz-date;x-amz-target", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{"host;x-amz-date", "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
		{"hostx;x-amz-date;x-amz-target", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
	} {
		s := &Signature{SignedHeaders: c.signed}
		for _, name := range []string{"X-Amz-Target", "x-amz-TARGET"} { // a Key is made from a name in any case
			err := s.CheckSignedHeaders(r, Key(name))
			if c.msg == "" && err != nil || c.msg != "" && (err == nil || err.Code != "IncompleteSignature" || err.Status != 400 || err.Message != c.msg) {
				t.Errorf("%s, %s: %v", c.signed, name, err)
			}
		}
	}
	valid := func(r string) bool { return r == "us-east-1" }
	for _, c := range []struct{ service, region, msg string }{
		{"ecs", "us-east-1", ""},
		{"iam", "us-east-1", "Credential should be scoped to correct service: 'ecs'. "},
		{"ecs", "mars-1", "Credential should be scoped to a valid region, not 'mars-1'. "},
	} {
		s := &Signature{Service: c.service, Region: c.region}
		err := s.CheckScope("ecs", valid)
		if c.msg == "" && err != nil || c.msg != "" && (err == nil || err.Code != "SignatureDoesNotMatch" || err.Status != 403 || err.Message != c.msg) {
			t.Errorf("%s %s: %v", c.service, c.region, err)
		}
	}
}

// FuzzTrimmed checks appendTrimmed's fast path against the byte by byte
// rule (appendCollapsed).
func FuzzTrimmed(f *testing.F) {
	for _, s := range []string{"", " a  b ", "a\tb", "application/x-www-form-urlencoded; charset=utf-8", "\u00a0x\u00a0", " \t "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want := appendCollapsed([]byte("x"), strings.TrimSpace(v))
		if got := appendTrimmed([]byte("x"), v); string(got) != string(want) {
			t.Fatalf("appendTrimmed(%q) = %q, want %q", v, got, want)
		}
	})
}

// TestHeaderKeysCanonical: header's keys are spelled as Header.Get would
// look them up.
func TestHeaderKeysCanonical(t *testing.T) {
	for _, k := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "Content-Length"} {
		if c := textproto.CanonicalMIMEHeaderKey(k); c != k {
			t.Errorf("%s is %s in canonical form", k, c)
		}
	}
}

// canonicalKey answers as textproto.CanonicalMIMEHeaderKey, for the
// headers its switch spells and for any other.
func TestCanonicalKey(t *testing.T) {
	for _, name := range []string{"content-type", "content-length", "content-encoding", "content-md5", "user-agent",
		"x-amz-date", "x-amz-target", "x-amz-security-token", "x-amz-content-sha256", "x-amz-user-agent",
		"amz-sdk-invocation-id", "amz-sdk-request", "accept-encoding", "x-amz-api-version", "x-amz-json-version",
		"host", "x-amz-meta-a", "x-custom", "a b"} {
		if got, want := canonicalKey(name), textproto.CanonicalMIMEHeaderKey(name); got != want {
			t.Errorf("canonicalKey(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestSigningKeyCache: the key used last, and the map behind it, answer
// with the key derived for exactly the secret, date, Region and service
// asked for, whichever was asked for before.
func TestSigningKeyCache(t *testing.T) {
	derive := func(secret, date, region, service string) string {
		k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
		k = hmacSHA256(k, []byte(region))
		k = hmacSHA256(k, []byte(service))
		return hex.EncodeToString(hmacSHA256(k, []byte("aws4_request")))
	}
	ids := [][4]string{
		{"secret", "20261124", "us-east-1", "iam"},
		{"secreu", "20261124", "us-east-1", "iam"}, // same length, last byte differs
		{"secret!", "20261124", "us-east-1", "iam"},
		{"secret", "20261125", "us-east-1", "iam"},
		{"secret", "20261124", "us-east-2", "iam"},
		{"secret", "20261124", "us-east-1", "sts"},
	}
	for range 2 {
		for _, a := range ids {
			for _, b := range ids {
				for _, id := range [][4]string{a, b, a} {
					k := signingKey(id[0], id[1], id[2], id[3])
					if got, want := hex.EncodeToString(k.key), derive(id[0], id[1], id[2], id[3]); got != want {
						t.Fatalf("signingKey%q after %q, %q: %s, want %s", id, a, b, got, want)
					}
				}
			}
		}
	}
}

// FuzzSigns checks signs against splitting the list at every ';'.
func FuzzSigns(f *testing.F) {
	for _, c := range [][2]string{
		{"host;x-amz-date", "host"}, {"hostx;x-amz-date", "host"}, {"x-host;host", "host"},
		{"a;host", "host"}, {"hosthost;host", "host"}, {"a;;b", "a"}, {"host;", "host"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, list, name string) {
		if name == "" || strings.Contains(name, ";") {
			return // no header name is empty or holds a ';'
		}
		want := slices.Contains(strings.Split(list, ";"), name)
		if got := (&Signature{SignedHeaders: list}).signs(name); got != want {
			t.Fatalf("signs(%q) in %q = %v, want %v", name, list, got, want)
		}
	})
}

// FuzzCredential checks the credential split last, kept, against a split
// of the credential itself: first use, kept, after another.
func FuzzCredential(f *testing.F) {
	f.Add("AKID/20150830/us-east-1/iam/aws4_request")
	f.Add("/20150830/us-east-1/iam/aws4_request")
	f.Add("AKID/20150830/us-east-1/iam/aws4_request/x")
	f.Add("AKID/us-east-1")
	f.Fuzz(func(t *testing.T, cred string) {
		for _, c := range []string{cred, cred, "AKID/20150830/us-east-1/iam/aws4_request", cred} {
			var s Signature
			err := s.setCredential(c)
			ak, date, region, service, ok := splitCredential(c)
			if (err == nil) != ok || s.AccessKey != ak || s.Date != date || s.Region != region || s.Service != service {
				t.Fatalf("setCredential(%q): %+v, %v; split: %q %q %q %q %v", c, s, err, ak, date, region, service, ok)
			}
			if err != nil && err.Message != "Credential should be scoped to a valid region, not '"+c+"'. " {
				t.Fatalf("setCredential(%q): %v", c, err)
			}
		}
	})
}
