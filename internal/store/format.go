package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A state file says which format it is in: a header record, written when
// the file is made and rewritten by each migration, so that a rolecall
// opening it knows whether it can read it as it is, must migrate it, or
// must refuse it (a newer format than it knows).

// formatBucket and formatKey hold the header.
const (
	formatBucket = "rolecall"
	formatKey    = "format"
)

// Format is a state file's header.
type Format struct {
	// Version is the state format (0: files written before formats were
	// numbered, which have no header).
	Version int
	// Writer is the version of the rolecall that last wrote the header.
	Writer string `json:",omitempty"`
}

// ReadFormat reads st's header; ok is false when it has none (a new store,
// or one from before formats were numbered: see IsEmpty).
func ReadFormat(st Store) (f Format, ok bool, err error) {
	err = st.View(func(tx Tx) error {
		b, found := tx.Get(formatBucket, formatKey)
		if !found {
			return nil
		}
		if err := json.Unmarshal(b, &f); err != nil || f.Version < 1 {
			return fmt.Errorf("the state's format header is unreadable (%q)", b)
		}
		ok = true
		return nil
	})
	return f, ok, err
}

// WriteFormat writes st's header.
func WriteFormat(tx Tx, f Format) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return tx.Put(formatBucket, formatKey, b)
}

// IsEmpty reports whether st holds no record at all.
func IsEmpty(st Store) (bool, error) {
	switch s := st.(type) {
	case *Versioned:
		return IsEmpty(s.Store)
	case *Memory:
		s.mu.RLock()
		defer s.mu.RUnlock()
		for _, b := range s.buckets {
			if b != nil && len(b.keys) > 0 {
				return false, nil
			}
		}
		return true, nil
	case *Bolt:
		empty := true
		err := s.db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
				if k, _ := b.Cursor().First(); k != nil {
					empty = false
				}
				return nil
			})
		})
		return empty, err
	}
	return false, fmt.Errorf("store: IsEmpty of a %T", st)
}

// Backup writes a consistent copy of the file to path (mode 0600, synced),
// while the store stays open.
func (s *Bolt) Backup(path string) error {
	return s.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(path, 0o600) })
}

// Path is the state file's path.
func (s *Bolt) Path() string { return s.db.Path() }
