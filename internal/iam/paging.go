package iam

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Page asks for one page of a list: Marker from the previous answer (empty
// for the first page) and MaxItems (0 for IAM's default of 100).
//
// Every list method returns the next page's marker, empty when the list is
// complete: IsTruncated is next != "". Markers are opaque: they name the
// first entry of the next page (store listings) or its position (lists kept
// inside one record), so a page boundary survives entries added before it.
type Page struct {
	Marker   string
	MaxItems int32
}

func (p Page) limit() int {
	switch {
	case p.MaxItems <= 0:
		return DefaultMaxItems
	case p.MaxItems > 1000:
		return 1000
	}
	return int(p.MaxItems)
}

// errBadMarker: a marker the listing did not issue (trek10inc/awsets #21:
// a ListUsers marker sent to ListAccessKeys). Recorded: ValidationError,
// 400, "Invalid Marker." (ListVirtualMFADevices, LocalStack's
// test_iam_mfa.snapshot.json, recorded against AWS 2026-02).
var errBadMarker = awserr.ValidationError("Invalid Marker.")

func encodeMarker(kind byte, v string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(string(kind) + v))
}

func decodeMarker(m string, kind byte) (string, error) {
	if m == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || len(b) == 0 || b[0] != kind {
		return "", errBadMarker
	}
	return string(b[1:]), nil
}

// pageSlice returns one page of a list held in memory.
func pageSlice[T any](items []T, p Page) ([]T, string, error) {
	off := 0
	if p.Marker != "" {
		s, err := decodeMarker(p.Marker, 'o')
		if err != nil {
			return nil, "", err
		}
		if off, err = strconv.Atoi(s); err != nil || off < 0 {
			return nil, "", errBadMarker
		}
	}
	if off > len(items) {
		off = len(items)
	}
	end := off + p.limit()
	if end >= len(items) {
		return nonNil(items[off:]), "", nil
	}
	return items[off:end], encodeMarker('o', strconv.Itoa(end)), nil
}

// scanPage returns one page of the records under prefix in bucket, in key
// order. decode turns a record into an item and says whether it belongs in
// the listing (filters such as PathPrefix).
func scanPage[T any](tx store.Tx, bucket, prefix string, p Page, decode func(key string, v []byte) (T, bool, error)) ([]T, string, error) {
	from, err := decodeMarker(p.Marker, 'k')
	if err != nil {
		return nil, "", err
	}
	// A marker names its listing: AWS refuses one listing's marker in
	// another (trek10inc/awsets #21: a ListUsers marker sent to
	// ListAccessKeys fails with Invalid Marker).
	start := ""
	if from != "" {
		name, ok := strings.CutPrefix(from, bucket+"\x00")
		if !ok {
			return nil, "", errBadMarker
		}
		start = prefix + name
	}
	limit := p.limit()
	out := make([]T, 0, min(limit, DefaultMaxItems)) // a default page's worth: growing it was a sixth of a ListRoles page
	next := ""
	var derr error
	err = tx.Scan(bucket, prefix, start, func(k string, v []byte) bool {
		item, keep, err := decode(k, v)
		if err != nil {
			derr = err
			return false
		}
		if !keep {
			return true
		}
		if len(out) == limit {
			next = encodeMarker('k', bucket+"\x00"+strings.TrimPrefix(k, prefix))
			return false
		}
		out = append(out, item)
		return true
	})
	if err == nil {
		err = derr
	}
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
