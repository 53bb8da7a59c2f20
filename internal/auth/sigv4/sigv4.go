// Package sigv4 verifies AWS Signature Version 4 on incoming requests, in the
// Authorization header or a presigned query string, and answers failures
// with the codes and texts AWS uses (SignatureDoesNotMatch,
// IncompleteSignature, MissingAuthenticationToken).
//
// It knows no principals: the caller parses, looks up the secret for the
// access key, then verifies.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	timeFormat = "20060102T150405Z"
	// MaxSkew is how far a request's signing time may be from the server's.
	MaxSkew = 15 * time.Minute
)

// Signature is the signature part of a request, parsed.
type Signature struct {
	AccessKey     string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	AmzDate       string // X-Amz-Date, e.g. 20150830T123600Z
	SecurityToken string // X-Amz-Security-Token, for temporary credentials
	Presigned     bool
	Expires       time.Duration // presigned only
}

// Scope is the credential scope: date/region/service/aws4_request.
func (s *Signature) Scope() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/aws4_request"
}

// Time is the signing time.
func (s *Signature) Time() time.Time {
	t, _ := time.Parse(timeFormat, s.AmzDate)
	return t
}

// ErrMissing is AWS's answer to an unsigned request.
func errMissing() *awserr.Error {
	return awserr.New(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
}

func incomplete(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "IncompleteSignature", format, args...)
}

// Parse reads the signature from r's Authorization header or, failing that,
// its presigned query parameters.
func Parse(r *http.Request) (*Signature, *awserr.Error) {
	if h := r.Header.Get("Authorization"); h != "" {
		return parseHeader(h, r)
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != "" || q.Get("X-Amz-Credential") != "" {
		return parseQuery(q)
	}
	return nil, errMissing()
}

func parseHeader(h string, r *http.Request) (*Signature, *awserr.Error) {
	alg, rest, _ := strings.Cut(h, " ")
	if alg != algorithm {
		return nil, incomplete("Unsupported AWS 'algorithm': '%s'", alg)
	}
	s := &Signature{}
	var cred, signed string
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, incomplete("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, h)
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			s.Signature = v
		}
	}
	var missing []string
	if cred == "" {
		missing = append(missing, "Credential")
	}
	if signed == "" {
		missing = append(missing, "SignedHeaders")
	}
	if s.Signature == "" {
		missing = append(missing, "Signature")
	}
	if len(missing) > 0 {
		return nil, incomplete("Authorization header requires '%s' parameter. Authorization=%s", strings.Join(missing, "' and '"), h)
	}
	if err := s.setCredential(cred); err != nil {
		return nil, err
	}
	s.SignedHeaders = strings.Split(signed, ";")
	s.AmzDate = r.Header.Get("X-Amz-Date")
	if s.AmzDate == "" {
		return nil, incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=%s", h)
	}
	s.SecurityToken = r.Header.Get("X-Amz-Security-Token")
	return s, nil
}

func parseQuery(q url.Values) (*Signature, *awserr.Error) {
	if alg := q.Get("X-Amz-Algorithm"); alg != algorithm {
		return nil, incomplete("X-Amz-Algorithm only supports \"%s\"", algorithm)
	}
	s := &Signature{Presigned: true, Signature: q.Get("X-Amz-Signature"), AmzDate: q.Get("X-Amz-Date"), SecurityToken: q.Get("X-Amz-Security-Token")}
	for _, p := range []string{"X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date"} {
		if q.Get(p) == "" {
			return nil, incomplete("AWS query-string parameters must include '%s'. Re-examine the query-string parameters.", p)
		}
	}
	if err := s.setCredential(q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	s.SignedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil || n < 0 {
			return nil, incomplete("X-Amz-Expires must be non-negative")
		}
		s.Expires = time.Duration(n) * time.Second
	}
	return s, nil
}

func (s *Signature) setCredential(cred string) *awserr.Error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || parts[4] != "aws4_request" {
		return incomplete("Credential should be scoped to a valid region, not '%s'. ", cred)
	}
	s.AccessKey, s.Date, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// Verify checks the signature of r (whose body has been read into body)
// against secret, at time now.
func (s *Signature) Verify(r *http.Request, body []byte, secret string, now time.Time) *awserr.Error {
	signedAt, err := time.Parse(timeFormat, s.AmzDate)
	if err != nil {
		return incomplete("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", s.AmzDate)
	}
	if !strings.HasPrefix(s.AmzDate, s.Date) {
		return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", s.Date, s.AmzDate[:min(8, len(s.AmzDate))], s.AmzDate)
	}
	if s.Presigned {
		if s.Expires > 0 && now.After(signedAt.Add(s.Expires)) {
			return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", "Signature expired: %s is now earlier than %s (%s - %s.)",
				signedAt.Add(s.Expires).Format(timeFormat), now.UTC().Format(timeFormat), now.UTC().Format(timeFormat), shortDuration(s.Expires))
		}
	} else if skew := now.Sub(signedAt); skew > MaxSkew {
		return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			s.AmzDate, now.Add(-MaxSkew).UTC().Format(timeFormat), now.UTC().Format(timeFormat))
	} else if skew < -MaxSkew {
		return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", "Signature not yet current: %s is still later than %s (%s + 15 min.)",
			s.AmzDate, now.Add(MaxSkew).UTC().Format(timeFormat), now.UTC().Format(timeFormat))
	}
	want := hex.EncodeToString(hmacSHA256(signingKey(secret, s.Date, s.Region, s.Service), []byte(s.StringToSign(r, body))))
	if !hmac.Equal([]byte(want), []byte(s.Signature)) {
		return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}

func shortDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return strconv.Itoa(int(d/time.Second)) + " sec"
}

// StringToSign is the string AWS signs for r.
func (s *Signature) StringToSign(r *http.Request, body []byte) string {
	sum := sha256.Sum256([]byte(s.CanonicalRequest(r, body)))
	return algorithm + "\n" + s.AmzDate + "\n" + s.Scope() + "\n" + hex.EncodeToString(sum[:])
}

// CanonicalRequest is SigV4's canonical form of r.
func (s *Signature) CanonicalRequest(r *http.Request, body []byte) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.Query(), s.Presigned))
	b.WriteByte('\n')
	for _, h := range s.SignedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(headerValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(s.SignedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash(r, body, s.Presigned))
	return b.String()
}

func payloadHash(r *http.Request, body []byte, presigned bool) string {
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		return h
	}
	if presigned && r.URL.Query().Get("X-Amz-Content-Sha256") != "" {
		return r.URL.Query().Get("X-Amz-Content-Sha256")
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func headerValue(r *http.Request, name string) string {
	var vals []string
	if name == "host" {
		vals = []string{r.Host}
	} else if name == "content-length" && r.Header.Get("Content-Length") == "" && r.ContentLength >= 0 {
		vals = []string{strconv.FormatInt(r.ContentLength, 10)}
	} else {
		vals = r.Header.Values(name)
	}
	for i, v := range vals {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ",")
}

// canonicalURI encodes each path segment once more, as SigV4 does for every
// service but S3.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		segs[i] = escape(seg)
	}
	return strings.Join(segs, "/")
}

func canonicalQuery(q url.Values, presigned bool) string {
	type kv struct{ k, v string }
	var pairs []kv
	for k, vs := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, kv{escape(k), escape(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// escape is RFC 3986 percent-encoding: everything but unreserved characters.
func escape(s string) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}

func hmacSHA256(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// Derived signing keys change once a day per secret, region and service;
// caching them saves four HMACs per request.
var (
	keyMu    sync.Mutex
	keyCache = map[string][]byte{}
)

const keyCacheMax = 4096

func signingKey(secret, date, region, service string) []byte {
	ck := secret + "\x00" + date + "\x00" + region + "\x00" + service
	keyMu.Lock()
	k, ok := keyCache[ck]
	keyMu.Unlock()
	if ok {
		return k
	}
	k = hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	k = hmacSHA256(k, []byte("aws4_request"))
	keyMu.Lock()
	if len(keyCache) >= keyCacheMax {
		clear(keyCache) // keys are cheap to derive again; a bound matters more than hit rate
	}
	keyCache[ck] = k
	keyMu.Unlock()
	return k
}
