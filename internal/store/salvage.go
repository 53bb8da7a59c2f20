package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Salvage reads every record it can from the state file at path and hands
// each to fn, bucket by bucket in key order. What cannot be read (a
// bucket whose pages are damaged) is skipped and reported. It works on a
// copy, padded back to its length if the file was cut short, so the file
// itself is never written.
func Salvage(path string, fn func(bucket, key string, value []byte) error) (skipped []string, err error) {
	tmp, err := salvageCopy(path)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	db, err := openForSalvage(tmp)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read at all: %w", path, err)
	}
	defer db.Close()
	var names []string
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, string(name))
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		n, ferr, problem := salvageBucket(db, name, fn)
		if ferr != nil {
			return skipped, ferr
		}
		if problem != "" {
			skipped = append(skipped, fmt.Sprintf("bucket %s: stopped after %d records (%s)", name, n, problem))
		}
	}
	return skipped, nil
}

// salvageBucket hands fn the records of one bucket it can read: ferr is
// fn's error; problem says why reading stopped early.
func salvageBucket(db *bolt.DB, name string, fn func(bucket, key string, value []byte) error) (n int, ferr error, problem string) {
	defer func() {
		if p := recover(); p != nil {
			problem = fmt.Sprint(p)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(name))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if v == nil {
				continue // a nested bucket: rolecall writes none
			}
			if ferr = fn(name, string(k), append([]byte(nil), v...)); ferr != nil {
				return ferr
			}
			n++
		}
		return nil
	})
	return n, ferr, problem
}

// salvageCopy copies path to a new file beside the temp directory,
// padded with zeros to the length its meta pages say (a file cut short
// would otherwise fail to open).
func salvageCopy(path string) (string, error) {
	src, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst, err := os.CreateTemp("", "rolecall-salvage-*.db")
	if err != nil {
		return "", err
	}
	defer dst.Close()
	n, err := io.Copy(dst, src)
	if err != nil {
		os.Remove(dst.Name())
		return "", err
	}
	if want := wantedSize(dst); want > n {
		if err := dst.Truncate(want); err != nil {
			os.Remove(dst.Name())
			return "", err
		}
	}
	return dst.Name(), nil
}

// wantedSize is the length the file's first valid meta page gives it.
func wantedSize(f *os.File) int64 {
	buf := make([]byte, 80)
	for _, off := range []int64{0, 4096} {
		if _, err := f.ReadAt(buf, off); err != nil || binary.LittleEndian.Uint32(buf[16:]) != 0xED0CDAED {
			continue
		}
		return int64(binary.LittleEndian.Uint64(buf[56:])) * int64(binary.LittleEndian.Uint32(buf[24:]))
	}
	return 0
}

func openForSalvage(path string) (db *bolt.DB, err error) {
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, fmt.Errorf("%v", p)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
}

// Repair rebuilds the state file at path from what Salvage can read: the
// records go into a new file, the damaged one is kept as
// path.damaged-TIME, and the new one takes its place. It answers how many
// records it kept and what it skipped. rolecall must not be running on
// the file.
func Repair(path string, now time.Time) (kept int, skipped []string, err error) {
	if _, err := os.Stat(path); err != nil {
		return 0, nil, err
	}
	if lock, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: defaultLockTimeout}); errors.Is(err, bolt.ErrTimeout) {
		return 0, nil, &lockedError{path: path, waited: defaultLockTimeout}
	} else if err == nil {
		lock.Close()
	}
	fresh := path + ".repairing"
	os.Remove(fresh)
	out, err := OpenBolt(fresh, BoltOptions{CheckTimeout: -1})
	if err != nil {
		return 0, nil, err
	}
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
	skipped, err = Salvage(path, func(bucket, key string, value []byte) error {
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
	if err != nil {
		os.Remove(fresh)
		return 0, skipped, err
	}
	damaged := fmt.Sprintf("%s.damaged-%s", path, now.UTC().Format("20060102T150405Z"))
	if err := os.Rename(path, damaged); err != nil {
		return 0, skipped, err
	}
	if err := os.Rename(fresh, path); err != nil {
		return 0, skipped, err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return kept, skipped, nil
}

type record struct {
	bucket, key string
	value       []byte
}
