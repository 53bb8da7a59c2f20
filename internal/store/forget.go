package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Forgetting state, for rolecall's reset: each helper works inside the
// caller's transaction, so that a reset made of many of them commits
// whole or not at all.

// bucketLister is a transaction that can name its buckets: both engines'.
type bucketLister interface {
	bucketNames() ([]string, error)
}

// Clear deletes every record of every bucket but the state's format
// header (ReadFormat), which says what the file is and stays.
func Clear(tx Tx) error {
	bl, ok := tx.(bucketLister)
	if !ok {
		return fmt.Errorf("store: cannot clear a %T", tx)
	}
	names, err := bl.bucketNames()
	if err != nil {
		return err
	}
	for _, b := range names {
		if b == formatBucket {
			continue
		}
		if err := DeletePrefix(tx, b, ""); err != nil {
			return err
		}
	}
	return nil
}

// Buckets names the store's buckets (some may be empty), in order: for
// tests that look at a whole store.
func Buckets(tx Tx) ([]string, error) {
	bl, ok := tx.(bucketLister)
	if !ok {
		return nil, fmt.Errorf("store: cannot list the buckets of a %T", tx)
	}
	names, err := bl.bucketNames()
	slices.Sort(names)
	return names, err
}

// DeleteAccountKeys deletes, in every bucket, the records whose key begins
// "<account>/": the convention rolecall's domains key an account's records
// by, so that they scan together. A bucket keyed otherwise (by access key
// id, by unique ID, by alias) needs its domain to forget its records.
func DeleteAccountKeys(tx Tx, account string) error {
	if account == "" {
		return errors.New("store: no account to delete")
	}
	names, err := Buckets(tx)
	if err != nil {
		return err
	}
	for _, b := range names {
		if err := DeletePrefix(tx, b, account+"/"); err != nil {
			return err
		}
	}
	return nil
}

// KeyedAccounts are the accounts that have records in the buckets, by the
// key convention DeleteAccountKeys follows ("<account>/..."), in order.
func KeyedAccounts(st Store, buckets ...string) ([]string, error) {
	seen := map[string]bool{}
	err := st.View(func(tx Tx) error {
		clear(seen)
		for _, b := range buckets {
			if err := tx.Scan(b, "", "", func(k string, _ []byte) bool {
				a, _, _ := strings.Cut(k, "/")
				seen[a] = true
				return true
			}); err != nil {
				return err
			}
		}
		return nil
	})
	return slices.Sorted(maps.Keys(seen)), err
}

// DeletePrefix deletes every record of bucket whose key begins with prefix.
func DeletePrefix(tx Tx, bucket, prefix string) error {
	return DeleteIf(tx, bucket, prefix, func(string, []byte) (bool, error) { return true, nil })
}

// DeleteIf deletes every record of bucket under prefix for which match
// answers true.
func DeleteIf(tx Tx, bucket, prefix string, match func(key string, value []byte) (bool, error)) error {
	var keys []string
	var bad error
	err := tx.Scan(bucket, prefix, "", func(k string, v []byte) bool {
		ok, err := match(k, v)
		if err != nil {
			bad = err
			return false
		}
		if ok {
			keys = append(keys, k)
		}
		return true
	})
	if err = errors.Join(err, bad); err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(bucket, k); err != nil {
			return err
		}
	}
	return nil
}

// DeleteJSONIf is DeleteIf for JSON records of type T: match sees each
// record decoded.
func DeleteJSONIf[T any](tx Tx, bucket string, match func(key string, v *T) bool) error {
	return DeleteIf(tx, bucket, "", func(k string, b []byte) (bool, error) {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return false, fmt.Errorf("store: corrupt record %s/%s: %w", bucket, k, err)
		}
		return match(k, v), nil
	})
}

func (t *memTx) bucketNames() ([]string, error) {
	if t.done {
		return nil, errTxDone
	}
	var out []string
	for name := range t.m.buckets {
		out = append(out, name)
	}
	for name := range t.writes {
		if t.m.buckets[name] == nil {
			out = append(out, name)
		}
	}
	return out, nil
}

func (t *boltTx) bucketNames() ([]string, error) {
	if t.done {
		return nil, errTxDone
	}
	var out []string
	err := t.tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		out = append(out, string(name))
		return nil
	})
	return out, err
}
