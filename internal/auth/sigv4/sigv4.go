// Package sigv4 verifies AWS Signature Version 4 on incoming requests, in the
// Authorization header or a presigned query string, and answers failures
// with the codes and texts AWS uses (SignatureDoesNotMatch,
// IncompleteSignature, MissingAuthenticationToken).
//
// It knows no principals: the caller parses, checks the signing time, looks
// up the secret for the access key, then checks the signature.
//
// Verification runs on every request, so the hot path avoids allocation:
// the canonical request is built in a pooled buffer, derived signing keys
// and their HMAC states are cached, and hex digests live on the stack.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/awserr"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	timeFormat = "20060102T150405Z"
	// MaxSkew is how far a request's signing time may be from the server's
	// for IAM and STS ("Signature expired: ... (... - 15 min.)").
	MaxSkew = 15 * time.Minute
	// UnsignedPayload is the X-Amz-Content-Sha256 value of a request whose
	// body is not part of its signature.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// Signature is the signature part of a request, parsed.
type Signature struct {
	AccessKey     string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders string // as sent: lower-case names separated by ';'
	Signature     string
	AmzDate       string // X-Amz-Date, e.g. 20150830T123600Z
	SecurityToken string // X-Amz-Security-Token, for temporary credentials
	Presigned     bool
	// Expires is a presigned URL's X-Amz-Expires. IAM, STS and ECS do not
	// honour it: a presigned request lives as long as a signed one does
	// (aws/aws-sdk-go #2167: STS ignores X-Amz-Expires).
	Expires time.Duration
}

// Scope is the credential scope: date/region/service/aws4_request.
func (s *Signature) Scope() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/aws4_request"
}

// Time is the signing time; zero if X-Amz-Date is not a SigV4 timestamp.
func (s *Signature) Time() time.Time {
	t, _ := parseAmzDate(s.AmzDate)
	return t
}

func errMissing() *awserr.Error {
	return awserr.New(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
}

func incomplete(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "IncompleteSignature", format, args...)
}

// MismatchMessage is AWS's text for a signature that does not verify.
const MismatchMessage = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func mismatch() *awserr.Error {
	return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", MismatchMessage)
}

// Parse reads the signature from r's Authorization header or, failing that,
// its presigned query parameters.
func Parse(r *http.Request) (*Signature, *awserr.Error) {
	s := new(Signature)
	if err := ParseInto(r, s); err != nil {
		return nil, err
	}
	return s, nil
}

// ParseInto is Parse into s, which a caller may keep on its stack (every
// request is parsed); s is undefined when it fails.
func ParseInto(r *http.Request, s *Signature) *awserr.Error {
	*s = Signature{}
	if h := header(r, "Authorization"); h != "" {
		return parseHeader(h, r, s)
	}
	if strings.Contains(r.URL.RawQuery, "X-Amz-") {
		q := r.URL.Query()
		if q.Get("X-Amz-Algorithm") != "" || q.Get("X-Amz-Credential") != "" {
			return parseQuery(q, s)
		}
	}
	return errMissing()
}

// header is r.Header.Get(key) for a key spelled as textproto canonicalizes
// it, without canonicalizing it again on every request.
func header(r *http.Request, key string) string {
	if v := r.Header[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func parseHeader(h string, r *http.Request, s *Signature) *awserr.Error {
	cred, signed, sig, ok := splitSDKAuthorization(h)
	if !ok {
		var err *awserr.Error
		if cred, signed, sig, err = splitAuthorization(h); err != nil {
			return err
		}
	}
	s.Signature = sig
	if err := s.setCredential(cred); err != nil {
		return err
	}
	s.SignedHeaders = signed
	s.AmzDate = header(r, "X-Amz-Date")
	if s.AmzDate == "" {
		return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=%s", h)
	}
	s.SecurityToken = header(r, "X-Amz-Security-Token")
	return nil
}

// splitAuthorization reads an Authorization header's credential, signed
// headers and signature: comma-separated key=value pairs after the
// algorithm, in any order, white space around each pair ignored, the last
// of a key counting, other keys ignored.
func splitAuthorization(h string) (cred, signed, sig string, err *awserr.Error) {
	alg, rest, _ := strings.Cut(h, " ")
	if alg != algorithm {
		return "", "", "", incomplete("Unsupported AWS 'algorithm': '%s'", alg)
	}
	for rest != "" {
		var part string
		if i := strings.IndexByte(rest, ','); i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		} else {
			part, rest = rest, ""
		}
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return "", "", "", incomplete("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, h)
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	if cred == "" || signed == "" || sig == "" {
		var missing []string
		if cred == "" {
			missing = append(missing, "Credential")
		}
		if signed == "" {
			missing = append(missing, "SignedHeaders")
		}
		if sig == "" {
			missing = append(missing, "Signature")
		}
		return "", "", "", incomplete("Authorization header requires '%s' parameter. Authorization=%s", strings.Join(missing, "' and '"), h)
	}
	return cred, signed, sig, nil
}

// splitSDKAuthorization is splitAuthorization for the form every SDK
// sends, "AWS4-HMAC-SHA256 Credential=c, SignedHeaders=h, Signature=s",
// each value neither empty nor ending in white space (which
// splitAuthorization trims); ok is false for any other form, which
// splitAuthorization reads (FuzzAuthorization: they agree).
func splitSDKAuthorization(h string) (cred, signed, sig string, ok bool) {
	rest, ok := strings.CutPrefix(h, algorithm+" Credential=")
	if !ok {
		return "", "", "", false
	}
	// One scan for each comma: the values hold none.
	i := strings.IndexByte(rest, ',')
	if i < 0 {
		return "", "", "", false
	}
	cred = rest[:i]
	if rest, ok = strings.CutPrefix(rest[i:], ", SignedHeaders="); !ok {
		return "", "", "", false
	}
	if i = strings.IndexByte(rest, ','); i < 0 {
		return "", "", "", false
	}
	signed = rest[:i]
	if sig, ok = strings.CutPrefix(rest[i:], ", Signature="); !ok || strings.IndexByte(sig, ',') >= 0 {
		return "", "", "", false
	}
	if !plainValue(cred) || !plainValue(signed) || !plainValue(sig) {
		return "", "", "", false
	}
	return cred, signed, sig, true
}

// plainValue reports whether v is non-empty and does not end in white
// space (ASCII or Unicode: its last byte is printable ASCII).
func plainValue(v string) bool {
	if v == "" {
		return false
	}
	c := v[len(v)-1]
	return c > ' ' && c < utf8.RuneSelf
}

func parseQuery(q url.Values, s *Signature) *awserr.Error {
	if alg := q.Get("X-Amz-Algorithm"); alg != algorithm {
		return incomplete("X-Amz-Algorithm only supports \"%s\"", algorithm)
	}
	*s = Signature{Presigned: true, Signature: q.Get("X-Amz-Signature"), AmzDate: q.Get("X-Amz-Date"), SecurityToken: q.Get("X-Amz-Security-Token")}
	for _, p := range []string{"X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date"} {
		if q.Get(p) == "" {
			return incomplete("AWS query-string parameters must include '%s'. Re-examine the query-string parameters.", p)
		}
	}
	if err := s.setCredential(q.Get("X-Amz-Credential")); err != nil {
		return err
	}
	s.SignedHeaders = q.Get("X-Amz-SignedHeaders")
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil || n < 0 {
			return incomplete("X-Amz-Expires must be non-negative")
		}
		s.Expires = time.Duration(n) * time.Second
	}
	return nil
}

// setCredential splits AKID/yyyymmdd/region/service/aws4_request, through
// lastCredential: a client sends the same credential all day.
func (s *Signature) setCredential(cred string) *awserr.Error {
	if c := lastCredential.Load(); c != nil && c.cred == cred {
		s.AccessKey, s.Date, s.Region, s.Service = c.accessKey, c.date, c.region, c.service
		return nil
	}
	accessKey, date, region, service, ok := splitCredential(cred)
	if !ok {
		return incomplete("Credential should be scoped to a valid region, not '%s'. ", cred)
	}
	s.AccessKey, s.Date, s.Region, s.Service = accessKey, date, region, service
	if len(cred) <= maxKeptCredential {
		c := &credential{cred: strings.Clone(cred)} // not the request's memory
		c.accessKey, c.date, c.region, c.service, _ = splitCredential(c.cred)
		lastCredential.Store(c)
	}
	return nil
}

// credential is a credential and its parts.
type credential struct{ cred, accessKey, date, region, service string }

// lastCredential is the credential split last; one longer than
// maxKeptCredential, which no real one is, is not kept.
var lastCredential atomic.Pointer[credential]

const maxKeptCredential = 256

// splitCredential is setCredential without lastCredential.
func splitCredential(cred string) (accessKey, date, region, service string, ok bool) {
	var parts [5]string
	rest := cred
	for i := range 4 {
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return "", "", "", "", false
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	parts[4] = rest
	if parts[0] == "" || parts[4] != "aws4_request" {
		return "", "", "", "", false
	}
	return parts[0], parts[1], parts[2], parts[3], true
}

// Verify checks the signing time against now (within MaxSkew) and the
// signature of r (whose body has been read into body) against secret.
func (s *Signature) Verify(r *http.Request, body []byte, secret string, now time.Time) *awserr.Error {
	if err := s.CheckTime(now, MaxSkew); err != nil {
		return err
	}
	return s.CheckSignature(r, body, secret)
}

// The beginnings of CheckTime's texts, for services that answer a signing
// time out of their window in their own words (EC2's RequestExpired).
const (
	StaleExpired = "Signature expired: "
	StaleFuture  = "Signature not yet current: "
)

// CheckTime checks the signing time: well formed, on the credential
// scope's date, and within skew of now. AWS answers a stale or future date
// with SignatureDoesNotMatch and the window in minutes (recorded for STS:
// "Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z
// (20220127T015928Z - 15 min.)"; ECS uses a 5-minute window).
func (s *Signature) CheckTime(now time.Time, skew time.Duration) *awserr.Error {
	signedAt, ok := parseAmzDateCached(s.AmzDate)
	if !ok {
		return incomplete("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", s.AmzDate)
	}
	if !strings.HasPrefix(s.AmzDate, s.Date) {
		return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", s.Date, s.AmzDate[:8], s.AmzDate)
	}
	now = now.UTC()
	switch d := now.Sub(signedAt); {
	case d > skew:
		return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", StaleExpired+"%s is now earlier than %s (%s - %s.)",
			s.AmzDate, now.Add(-skew).Format(timeFormat), now.Format(timeFormat), shortDuration(skew))
	case d < -skew:
		return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", StaleFuture+"%s is still later than %s (%s + %s.)",
			s.AmzDate, now.Add(skew).Format(timeFormat), now.Format(timeFormat), shortDuration(skew))
	}
	return nil
}

// CheckSignature checks the signature of r, whose body has been read into
// body, against secret.
func (s *Signature) CheckSignature(r *http.Request, body []byte, secret string) *awserr.Error {
	if len(s.Signature) != 2*sha256.Size {
		return mismatch()
	}
	b := bufPool.Get().(*buffer)
	defer bufPool.Put(b)
	b.b = s.appendCanonicalRequest(b.b[:0], r, body)
	crHash := sha256.Sum256(b.b)
	b.b = s.appendStringToSign(b.b[:0], crHash)

	sk := signingKey(secret, s.Date, s.Region, s.Service)
	h := sk.pool.Get().(hash.Hash)
	h.Reset()
	h.Write(b.b)
	// The sum goes into the pooled buffer, which the string to sign no
	// longer needs: a stack array passed to hash.Hash.Sum would escape.
	sum := h.Sum(b.b[:0])
	sk.pool.Put(h)

	var want [2 * sha256.Size]byte
	hex.Encode(want[:], sum)
	if !equalConstantTime(want[:], s.Signature) {
		return mismatch()
	}
	return nil
}

// equalConstantTime compares without a []byte(string) conversion, in a
// time that depends on the lengths alone.
func equalConstantTime[A, B ~string | ~[]byte](a A, b B) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return v == 0
}

func shortDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return strconv.Itoa(int(d/time.Second)) + " sec"
}

// amzDate is an X-Amz-Date value and the time it names.
type amzDate struct {
	v string
	t time.Time
}

// lastDate is the X-Amz-Date parsed last: a client's requests within a
// second share theirs, so most requests need no parse.
var lastDate atomic.Pointer[amzDate]

// parseAmzDateCached is parseAmzDate through lastDate.
func parseAmzDateCached(v string) (time.Time, bool) {
	if d := lastDate.Load(); d != nil && d.v == v {
		return d.t, true
	}
	t, ok := parseAmzDate(v)
	if ok {
		// A copy: v may be part of a larger string, kept alive otherwise.
		lastDate.Store(&amzDate{strings.Clone(v), t})
	}
	return t, ok
}

// parseAmzDate parses yyyymmddThhmmssZ without time.Parse's generality.
func parseAmzDate(v string) (time.Time, bool) {
	if len(v) != 16 || v[8] != 'T' || v[15] != 'Z' {
		return time.Time{}, false
	}
	n := func(s string) (int, bool) {
		x := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			x = x*10 + int(c-'0')
		}
		return x, true
	}
	y, ok1 := n(v[0:4])
	mo, ok2 := n(v[4:6])
	d, ok3 := n(v[6:8])
	h, ok4 := n(v[9:11])
	mi, ok5 := n(v[11:13])
	sec, ok6 := n(v[13:15])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // 30 February normalized into March
		return time.Time{}, false
	}
	return t, true
}

// CheckSignedHeaders refuses a signature that leaves out a header that
// must be signed: host always ("'Host' or ':authority' must be a
// 'SignedHeader' in the AWS Authorization.", AWS's answer to such a
// request, reported by aws/aws-sdk-php #2469 and opensearch-project/
// opensearch-php #248), and each of also the request carries (X-Amz-Target,
// which selects a JSON protocol's operation: unsigned, a captured request
// could be replayed as another operation; rolecall's wording, by analogy).
func (s *Signature) CheckSignedHeaders(r *http.Request, also ...HeaderKey) *awserr.Error {
	if !s.signs("host") {
		return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	for _, h := range also {
		if header(r, h.key) != "" && !s.signs(h.lower) {
			return incomplete("'%s' must be a 'SignedHeader' in the AWS Authorization.", h.key)
		}
	}
	return nil
}

// HeaderKey is a header's name as http.Header files it and as SigV4 signs
// it, worked out once (Key) rather than on every request.
type HeaderKey struct{ key, lower string }

// Key is the HeaderKey of the header named name, in any case.
func Key(name string) HeaderKey {
	k := textproto.CanonicalMIMEHeaderKey(name)
	return HeaderKey{key: k, lower: strings.ToLower(k)}
}

// signs reports whether name (a lower-case header name: not empty, no
// ';') is among the signed headers: an occurrence of it between
// semicolons or the list's ends. One substring search, not a split at
// every ';' (FuzzSigns).
func (s *Signature) signs(name string) bool {
	list := s.SignedHeaders
	for from := 0; name != ""; {
		i := strings.Index(list[from:], name)
		if i < 0 {
			return false
		}
		i += from
		if end := i + len(name); (i == 0 || list[i-1] == ';') && (end == len(list) || list[end] == ';') {
			return true
		}
		from = i + 1
	}
	return false
}

// CheckScope refuses a credential scope for another service than the one
// addressed, or for a Region that does not exist: "Credential should be
// scoped to correct service: 'ecs'. " (InvalidSignatureException on JSON
// services: aws/aws-sdk-go-v2 #163, JuliaCloud/AWS.jl #334; SignatureDoesNotMatch
// on query services: timkay/aws #111) and "Credential should be scoped to a
// valid region, not 'us-west-2'. " (IAM: aws/aws-sdk-go #156; ES:
// joona/aws-es-curl #15).
func (s *Signature) CheckScope(service string, validRegion func(string) bool) *awserr.Error {
	if s.Service != service {
		return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", "Credential should be scoped to correct service: '%s'. ", service)
	}
	if !validRegion(s.Region) {
		return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not '%s'. ", s.Region)
	}
	return nil
}

// StringToSign is the string AWS signs for r.
func (s *Signature) StringToSign(r *http.Request, body []byte) string {
	sum := sha256.Sum256(s.appendCanonicalRequest(nil, r, body))
	return string(s.appendStringToSign(nil, sum))
}

func (s *Signature) appendStringToSign(b []byte, crHash [sha256.Size]byte) []byte {
	b = append(b, algorithm+"\n"...)
	b = append(b, s.AmzDate...)
	b = append(b, '\n')
	b = append(b, s.Date...)
	b = append(b, '/')
	b = append(b, s.Region...)
	b = append(b, '/')
	b = append(b, s.Service...)
	b = append(b, "/aws4_request\n"...)
	return hex.AppendEncode(b, crHash[:])
}

// CanonicalRequest is SigV4's canonical form of r.
func (s *Signature) CanonicalRequest(r *http.Request, body []byte) string {
	return string(s.appendCanonicalRequest(nil, r, body))
}

func (s *Signature) appendCanonicalRequest(b []byte, r *http.Request, body []byte) []byte {
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, r)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, r.URL.RawQuery, s.Presigned)
	b = append(b, '\n')
	b = s.appendHeaderLines(b, r)
	b = append(b, '\n')
	b = append(b, s.SignedHeaders...)
	b = append(b, '\n')
	return appendPayloadHash(b, body)
}

// appendHeaderLines writes the canonical headers: each signed header's
// "name:value\n", in the order signed.
func (s *Signature) appendHeaderLines(b []byte, r *http.Request) []byte {
	for rest := s.SignedHeaders; rest != ""; {
		var name string
		if i := strings.IndexByte(rest, ';'); i >= 0 {
			name, rest = rest[:i], rest[i+1:]
		} else {
			name, rest = rest, ""
		}
		b = append(b, name...)
		b = append(b, ':')
		b = appendHeaderValue(b, r, name)
		b = append(b, '\n')
	}
	return b
}

// appendPayloadHash writes the body's own hash, whatever the request
// declares. IAM, STS and ECS carry the operation and its input in the
// body, so the body is always part of the signature: a declared
// X-Amz-Content-Sha256 of UNSIGNED-PAYLOAD or a streaming variant (which
// only Amazon S3 honours) is not trusted, and a request that declares one
// fails the signature unless its signer hashed the body anyway; a
// declared digest that is not the body's fails it too.
func appendPayloadHash(b []byte, body []byte) []byte {
	sum := sha256.Sum256(body)
	return hex.AppendEncode(b, sum[:])
}

// canonicalKey is textproto.CanonicalMIMEHeaderKey(name), the common
// signed headers spared its allocation by a switch (not a map: every
// signed header of every request asks; TestCanonicalKey).
func canonicalKey(name string) string {
	switch name {
	case "content-type":
		return "Content-Type"
	case "content-length":
		return "Content-Length"
	case "content-encoding":
		return "Content-Encoding"
	case "content-md5":
		return "Content-Md5"
	case "user-agent":
		return "User-Agent"
	case "x-amz-date":
		return "X-Amz-Date"
	case "x-amz-target":
		return "X-Amz-Target"
	case "x-amz-security-token":
		return "X-Amz-Security-Token"
	case "x-amz-content-sha256":
		return "X-Amz-Content-Sha256"
	case "x-amz-user-agent":
		return "X-Amz-User-Agent"
	case "amz-sdk-invocation-id":
		return "Amz-Sdk-Invocation-Id"
	case "amz-sdk-request":
		return "Amz-Sdk-Request"
	case "accept-encoding":
		return "Accept-Encoding"
	case "x-amz-api-version":
		return "X-Amz-Api-Version"
	case "x-amz-json-version":
		return "X-Amz-Json-Version"
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// appendHeaderValue writes a signed header's values, trimmed, inner runs of
// spaces collapsed, joined by commas.
func appendHeaderValue(b []byte, r *http.Request, name string) []byte {
	if name == "host" {
		return appendTrimmed(b, r.Host)
	}
	vs := r.Header[canonicalKey(name)]
	if name == "content-length" && (len(vs) == 0 || vs[0] == "") && r.ContentLength >= 0 {
		return strconv.AppendInt(b, r.ContentLength, 10)
	}
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmed(b, v)
	}
	return b
}

func appendTrimmed(b []byte, v string) []byte {
	if plainHeaderValue(v) {
		return append(b, v...) // nothing to trim or collapse: the common case
	}
	return appendCollapsed(b, strings.TrimSpace(v))
}

// plainHeaderValue reports whether v is its own canonical form: it neither
// begins nor ends in white space (its first and last bytes are printable
// ASCII) and holds no tab and no two spaces in a row. One pass over bytes:
// a header value is short, and searching it for each in turn cost more.
func plainHeaderValue(v string) bool {
	n := len(v)
	if n == 0 {
		return true
	}
	if c := v[0]; c <= ' ' || c >= utf8.RuneSelf {
		return false
	}
	if c := v[n-1]; c <= ' ' || c >= utf8.RuneSelf {
		return false
	}
	for i := 1; i < n-1; i++ {
		switch v[i] {
		case '\t':
			return false
		case ' ':
			if v[i+1] == ' ' {
				return false
			}
		}
	}
	return true
}

// appendCollapsed writes v with each run of spaces and tabs as one space.
func appendCollapsed(b []byte, v string) []byte {
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return b
}

// appendCanonicalURI writes the path as the client put it on the wire,
// normalized as RFC 3986 does (no "." or ".." segments, no empty ones:
// AWS's test suite signs "GET //example//" as "/example/" and
// "GET /example/.." as "/"), each segment encoded once more, as SigV4
// does for every service but S3. The wire form matters: a raw "ሴ" is
// signed as "%E1%88%B4" (the suite's get-utf8), the "%E1%88%B4" an SDK
// sends as "%25E1%2588%25B4".
func appendCanonicalURI(b []byte, r *http.Request) []byte {
	p := wirePath(r)
	if p == "" || p == "/" {
		return append(b, '/')
	}
	var stack [8]string
	segs := stack[:0]
	trailing := false
	for rest := p; ; {
		seg, next, more := strings.Cut(rest, "/")
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
		if !more {
			// A path ending in "/", "/." or "/.." names a directory.
			trailing = seg == "" || seg == "." || seg == ".."
			break
		}
		rest = next
	}
	for _, seg := range segs {
		b = append(b, '/')
		b = appendEscaped(b, seg)
	}
	if len(segs) == 0 || trailing {
		b = append(b, '/')
	}
	return b
}

// wirePath is the request target's path as received (RequestURI) when r
// came from a server, else r.URL's escaped path.
func wirePath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			return u[:i]
		}
		return u
	}
	return r.URL.EscapedPath()
}

// appendCanonicalQuery writes the query's parameters, each name and value
// URI-encoded, sorted by encoded name then value ("The sorting occurs
// after encoding", AWS General Reference, "Create a canonical request");
// a presigned request's own X-Amz-Signature is left out.
func appendCanonicalQuery(b []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return b
	}
	type kv struct{ k, v string }
	var pairs []kv
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, kv{string(appendEscaped(nil, k)), string(appendEscaped(nil, v))})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.k...)
		b = append(b, '=')
		b = append(b, p.v...)
	}
	return b
}

// appendEscaped is RFC 3986 percent-encoding: everything but unreserved
// characters.
func appendEscaped(b []byte, s string) []byte {
	const hexdig = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexdig[c>>4], hexdig[c&15])
	}
	return b
}

type buffer struct{ b []byte }

var bufPool = sync.Pool{New: func() any { return &buffer{b: make([]byte, 0, 1024)} }}

func hmacSHA256(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// derivedKey is a cached signing key with a pool of HMAC states keyed with
// it, so a request costs no key derivation and no HMAC allocation.
type derivedKey struct {
	id   keyID
	key  []byte
	pool sync.Pool
}

type keyID struct{ secret, date, region, service string }

// is reports whether k was derived for these; the secret is compared in
// constant time, as it is another key's secret when k is not.
func (k *derivedKey) is(secret, date, region, service string) bool {
	return k.id.date == date && k.id.region == region && k.id.service == service && equalConstantTime(k.id.secret, secret)
}

// Derived signing keys change once a day per secret, region and service.
// The key used last is kept apart: one client's requests are most of a
// server's, and it needs neither a hash of four strings nor a lock whose
// reader count every core writes.
var (
	keyMu    sync.RWMutex
	keyCache = map[keyID]*derivedKey{}
	lastKey  atomic.Pointer[derivedKey]
)

const keyCacheMax = 4096

func signingKey(secret, date, region, service string) *derivedKey {
	if k := lastKey.Load(); k != nil && k.is(secret, date, region, service) {
		return k
	}
	id := keyID{secret, date, region, service}
	keyMu.RLock()
	k, ok := keyCache[id]
	keyMu.RUnlock()
	if ok {
		lastKey.Store(k)
		return k
	}
	kb := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	kb = hmacSHA256(kb, []byte(region))
	kb = hmacSHA256(kb, []byte(service))
	kb = hmacSHA256(kb, []byte("aws4_request"))
	k = &derivedKey{id: id, key: kb}
	k.pool.New = func() any { return hmac.New(sha256.New, kb) }
	keyMu.Lock()
	if len(keyCache) >= keyCacheMax {
		clear(keyCache) // keys are cheap to derive again; a bound matters more than hit rate
	}
	keyCache[id] = k
	keyMu.Unlock()
	lastKey.Store(k)
	return k
}
