package appautoscaling

import (
	"encoding/base64"
	"sort"
)

// Page sizes: "This value can be between 1 and 50. The default value is
// 50" for targets, scheduled actions and activities, "between 1 and 10.
// The default value is 10" for policies (the Describe operations'
// MaxResults, API reference). A value outside the range takes the
// default; rolecall's choice.
const (
	pageTargets  = 50
	pagePolicies = 10
)

// keyed is a record with its store key: the key orders pages and names
// the last record of one in its token.
type keyed[T any] struct {
	key string
	v   T
}

// page returns the records after the one token names, at most max (def
// when max is nil or outside 1..def), with the next page's token ("" when
// the list is done). records are in key order, as a scan gives them.
// Tokens are opaque to clients: the key of a page's last record, so a
// page boundary survives records added or removed before it.
func page[T any](records []keyed[T], token string, max *int32, def int) ([]T, string, error) {
	n := def
	if max != nil && *max >= 1 && int(*max) <= def {
		n = int(*max)
	}
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) == 0 {
			return nil, "", errBadToken()
		}
		after := string(b)
		start = sort.Search(len(records), func(i int) bool { return records[i].key > after })
	}
	end := min(start+n, len(records))
	out := make([]T, 0, end-start)
	for _, r := range records[start:end] {
		out = append(out, r.v)
	}
	if end == len(records) {
		return out, "", nil
	}
	return out, base64.RawURLEncoding.EncodeToString([]byte(records[end-1].key)), nil
}
