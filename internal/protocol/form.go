package protocol

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/model"
)

// Param is one parameter of a form, as sent.
type Param struct{ Key, Value string }

// Form is a query-protocol request's parameters in the order sent (the URL
// query's, then the body's); a key sent more than once is there as often.
// Parsed from one string, its keys and values share that string's bytes
// wherever they needed no unescaping: a request's form is one slice, where
// url.Values is a map and a slice per key.
type Form []Param

// Lookup is key's first value, and whether the form has key at all.
func (f Form) Lookup(key string) (string, bool) {
	for _, p := range f {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Get is key's first value, or "" (as url.Values.Get).
func (f Form) Get(key string) string {
	v, _ := f.Lookup(key)
	return v
}

// FormOf is the form of values (the web console's calls; tests), by key
// in sorted order.
func FormOf(values url.Values) Form {
	var f Form
	for _, k := range slices.Sorted(maps.Keys(values)) {
		for _, v := range values[k] {
			f = append(f, Param{k, v})
		}
	}
	return f
}

// maxParams is net/url's default bound on a query's parameters (GODEBUG
// urlmaxqueryparams): ParseForm leaves a longer one to url.ParseQuery.
const maxParams = 10000

// ParseForm appends the parameters of s, URL-encoded, to f. It reads s
// as url.ParseQuery does ('&' separates, '+' is a space, a ';' or a bad
// escape is an error, an empty parameter is skipped) and fails with its
// error, but parses into one slice.
func ParseForm(f Form, s string) (Form, error) {
	if s == "" {
		return f, nil // the SDKs' POST: no query string
	}
	n := strings.Count(s, "&") + 1
	if n > maxParams {
		if _, err := url.ParseQuery(s); err != nil {
			return f, err
		}
	}
	if strings.IndexByte(s, ';') >= 0 {
		return f, parseError(s) // a parameter with a ';' is refused
	}
	f = slices.Grow(f, n)
	for rest := s; rest != ""; {
		var kv string
		kv, rest, _ = strings.Cut(rest, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		// Two IndexBytes: strings.ContainsAny would build its set of
		// bytes on every parameter.
		if strings.IndexByte(kv, '%') >= 0 || strings.IndexByte(kv, '+') >= 0 {
			var err, err2 error
			k, err = url.QueryUnescape(k)
			v, err2 = url.QueryUnescape(v)
			if err != nil || err2 != nil {
				return f, parseError(s)
			}
		}
		f = append(f, Param{k, v})
	}
	return f, nil
}

// parseError is url.ParseQuery's error for s, which has one: it alone
// words which of several faults it reports.
func parseError(s string) error {
	_, err := url.ParseQuery(s)
	return err
}

// FormIndex finds a form's parameters, and tells whether it holds a
// parameter or anything nested under it: "Tags" is there when
// "Tags.member.1.Key" is.
type FormIndex struct {
	form Form
	// keys are every key and dotted prefix of one, each to its first
	// parameter (-1: only a prefix); nil: no key has a dot.
	keys map[string]int
}

// IndexForm indexes form's keys and every dotted prefix of one:
// "Tags.member.1.Key" yields "Tags", "Tags.member", "Tags.member.1" and
// itself, so that a decoder knows in one lookup whether anything is nested
// under a parameter, and finds a list's thousandth element without going
// through the others. A form without dotted keys (GetRole's) is short, and
// read as it is: nothing is built for it.
func IndexForm(form Form) FormIndex {
	dotted := false
	for _, p := range form {
		if strings.IndexByte(p.Key, '.') >= 0 {
			dotted = true
			break
		}
	}
	if !dotted {
		return FormIndex{form: form}
	}
	keys := make(map[string]int, len(form)*2)
	for i, p := range form {
		if j, ok := keys[p.Key]; !ok || j < 0 {
			keys[p.Key] = i
		}
		k := p.Key
		for d := strings.IndexByte(k, '.'); d >= 0; {
			if _, ok := keys[k[:d]]; !ok {
				keys[k[:d]] = -1
			}
			j := strings.IndexByte(k[d+1:], '.')
			if j < 0 {
				break
			}
			d += 1 + j
		}
	}
	return FormIndex{form: form, keys: keys}
}

// Has reports whether key is a parameter of the form or a dotted prefix of one.
func (x FormIndex) Has(key string) bool {
	if x.keys == nil {
		_, ok := x.form.Lookup(key)
		return ok
	}
	_, ok := x.keys[key]
	return ok
}

// Lookup is key's first value, and whether the form has the parameter key.
func (x FormIndex) Lookup(key string) (string, bool) {
	if x.keys == nil {
		return x.form.Lookup(key)
	}
	if i, ok := x.keys[key]; ok && i >= 0 {
		return x.form[i].Value, true
	}
	return "", false
}

// Get is key's first value, or "".
func (x FormIndex) Get(key string) string {
	v, _ := x.Lookup(key)
	return v
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
