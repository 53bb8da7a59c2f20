package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Salvage reads every record it can from the state file at path and hands
// each to fn, bucket by bucket in key order. It reads the file's pages
// itself rather than through bbolt, so that a damaged page loses only the
// records on it: what cannot be read is skipped and reported, page by
// page. The file is only read.
func Salvage(path string, fn func(bucket, key string, value []byte) error) (skipped []string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	skipped, err = salvageBytes(data, fn)
	if errors.Is(err, errNoMeta) {
		return nil, fmt.Errorf("%s cannot be read at all: %w", path, err)
	}
	return skipped, err
}

// Repaired is what Repair did.
type Repaired struct {
	Kept    int      // records in the new file
	Skipped []string // what could not be read, as Salvage reports it
	Damaged string   // where the damaged file now is
}

// Repair rebuilds the state file at path from what Salvage can read: the
// records go into a new file, the damaged one is kept as
// path.damaged-TIME, and the new one takes its place. rolecall must not
// be running on the file.
func Repair(path string, now time.Time) (*Repaired, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	if lock, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: defaultLockTimeout}); errors.Is(err, bolt.ErrTimeout) {
		return nil, &lockedError{path: path, waited: defaultLockTimeout}
	} else if err == nil {
		lock.Close()
	}
	fresh := path + ".repairing"
	os.Remove(fresh)
	out, err := OpenBolt(fresh, BoltOptions{CheckTimeout: -1})
	if err != nil {
		return nil, err
	}
	kept := 0
	var batch []record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := out.Update(func(tx Tx) error {
			for _, r := range batch {
				if err := tx.Put(r.bucket, r.key, r.value); err != nil {
					return err
				}
			}
			return nil
		})
		kept += len(batch)
		batch = batch[:0]
		return err
	}
	skipped, err := Salvage(path, func(bucket, key string, value []byte) error {
		batch = append(batch, record{bucket, key, value})
		if len(batch) >= 1000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && kept == 0 {
		err = errors.New("nothing in it could be read, so it is left as it is: start with another --data-dir, or remove it to start a new state")
	}
	if err != nil {
		os.Remove(fresh)
		return nil, err
	}
	damaged := fmt.Sprintf("%s.damaged-%s", path, now.UTC().Format("20060102T150405Z"))
	if err := os.Rename(path, damaged); err != nil {
		os.Remove(fresh)
		return nil, err
	}
	if err := os.Rename(fresh, path); err != nil {
		os.Rename(damaged, path) // as it was
		os.Remove(fresh)
		return nil, err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return &Repaired{Kept: kept, Skipped: skipped, Damaged: damaged}, nil
}

type record struct {
	bucket, key string
	value       []byte
}
