package protocol

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/model"
)

// FormPrefixes returns every key of a query-protocol form and every dotted
// prefix of one: "Tags.member.1.Key" yields "Tags", "Tags.member",
// "Tags.member.1" and itself, so that a decoder knows in one lookup
// whether anything is nested under a parameter.
func FormPrefixes(form url.Values) map[string]struct{} {
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
	return out
}

// ParseTime reads a timestamp parameter as the SDKs send it: ISO 8601
// (with or without fractions and zone), a date, or epoch seconds.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("bad timestamp %q", s)
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
		return reflect.ValueOf([]byte(raw)), nil
	}
	return reflect.Value{}, nil
}
