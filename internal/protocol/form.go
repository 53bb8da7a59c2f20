package protocol

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/model"
)

// Prefixes tells whether a query-protocol form holds a parameter or
// anything nested under it: "Tags" is there when "Tags.member.1.Key" is.
type Prefixes struct {
	form   url.Values
	nested map[string]struct{} // every key and dotted prefix; nil: no key has a dot
}

// FormPrefixes indexes form's keys and every dotted prefix of one:
// "Tags.member.1.Key" yields "Tags", "Tags.member", "Tags.member.1" and
// itself, so that a decoder knows in one lookup whether anything is nested
// under a parameter. A form without dotted keys (GetRole's) is its own
// index: nothing is built for it.
func FormPrefixes(form url.Values) Prefixes {
	dotted := false
	for k := range form {
		if strings.IndexByte(k, '.') >= 0 {
			dotted = true
			break
		}
	}
	if !dotted {
		return Prefixes{form: form}
	}
	out := make(map[string]struct{}, len(form)*2)
	for k := range form {
		out[k] = struct{}{}
		for i := strings.IndexByte(k, '.'); i >= 0; {
			out[k[:i]] = struct{}{}
			j := strings.IndexByte(k[i+1:], '.')
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	return Prefixes{nested: out}
}

// Has reports whether key is a parameter of the form or a dotted prefix of one.
func (p Prefixes) Has(key string) bool {
	if p.nested == nil {
		_, ok := p.form[key]
		return ok
	}
	_, ok := p.nested[key]
	return ok
}

// ParseTime reads a timestamp parameter as the SDKs send it: ISO 8601
// (with or without fractions and zone), a date, or epoch seconds.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, ok := parseEpoch(s); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad timestamp %q", s)
}

// parseEpoch reads epoch seconds with up to nine fraction digits, in
// decimal rather than through a float64, which would turn 1.123 into
// 1.122999999.
func parseEpoch(s string) (time.Time, bool) {
	whole, frac, dotted := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || (dotted && (frac == "" || len(frac) > 9)) {
		return time.Time{}, false
	}
	var nsec int64
	if dotted {
		for _, c := range frac {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
		}
		n, _ := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		nsec = n
		if strings.HasPrefix(whole, "-") {
			nsec = -nsec
		}
	}
	return time.Unix(sec, nsec).UTC(), true
}

// ParseScalar reads a form parameter's value as the scalar shape sh
// says: a string, an int64 (integer, long), a bool, a float64 (double,
// float), a time.Time (timestamp) or bytes (blob); an invalid Value for a
// shape that is no scalar. An error is a value that does not parse.
func ParseScalar(sh *model.Shape, raw string) (reflect.Value, error) {
	switch sh.Type {
	case "string":
		return reflect.ValueOf(raw), nil
	case "integer", "long":
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		return reflect.ValueOf(n), err
	case "boolean":
		b, err := strconv.ParseBool(raw)
		return reflect.ValueOf(b), err
	case "double", "float":
		f, err := strconv.ParseFloat(raw, 64)
		return reflect.ValueOf(f), err
	case "timestamp":
		t, err := ParseTime(raw)
		return reflect.ValueOf(t), err
	case "blob":
		// The query protocol sends blobs base64-encoded
		// (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html).
		b, err := base64.StdEncoding.DecodeString(raw)
		return reflect.ValueOf(b), err
	}
	return reflect.Value{}, nil
}
