package ecs

import (
	"encoding/base64"
	"sort"
)

// page returns one page of items in ascending order; see pageBy.
func page(items []string, token string, max *int32, def int) ([]string, string, error) {
	return pageBy(items, func(a, b string) bool { return a < b }, token, max, def)
}

// pageSorted pages items in the order a list call's sort asks (ASC, the
// default, or DESC), at most 100 at a time.
func pageSorted(items []string, order, token string, max *int32) ([]string, string, error) {
	less := func(a, b string) bool { return a < b }
	if order == "DESC" {
		less = func(a, b string) bool { return a > b }
	}
	return pageBy(items, less, token, max, 100)
}

// pageBy sorts items by less and returns those after the one the token
// names, at most max of them (def when max is nil or outside 1..100: ECS's
// list calls answer at most 100), with the next page's token ("" when the
// list is done). Tokens are opaque to the client; they name the last item
// given, so a page boundary survives items added or removed before it.
func pageBy(items []string, less func(a, b string) bool, token string, max *int32, def int) ([]string, string, error) {
	sort.Slice(items, func(i, j int) bool { return less(items[i], items[j]) })
	n := def
	if max != nil && *max >= 1 && *max <= 100 {
		n = int(*max)
	}
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) == 0 {
			return nil, "", errBadToken()
		}
		after := string(b)
		start = sort.Search(len(items), func(i int) bool { return less(after, items[i]) })
	}
	end := start + n
	if end >= len(items) {
		return nonNil(items[start:]), "", nil
	}
	return items[start:end], base64.RawURLEncoding.EncodeToString([]byte(items[end-1])), nil
}
