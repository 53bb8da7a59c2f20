package store

import (
	"encoding/json"
	"fmt"
)

// GetJSON decodes the record at bucket/key into v; ok is false when there
// is none. A record that does not decode is an error naming it.
func GetJSON(tx Tx, bucket, key string, v any) (ok bool, err error) {
	b, ok := tx.Get(bucket, key)
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("store: corrupt record %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// PutJSON writes v, JSON-encoded, at bucket/key.
func PutJSON(tx Tx, bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(bucket, key, b)
}

// ScanJSON decodes every record under prefix in key order; fn returns
// false to stop.
func ScanJSON[T any](tx Tx, bucket, prefix string, fn func(key string, v *T) bool) error {
	var bad error
	err := tx.Scan(bucket, prefix, "", func(key string, b []byte) bool {
		v := new(T)
		if bad = json.Unmarshal(b, v); bad != nil {
			bad = fmt.Errorf("store: corrupt record %s/%s: %w", bucket, key, bad)
			return false
		}
		return fn(key, v)
	})
	if bad != nil {
		return bad
	}
	return err
}
