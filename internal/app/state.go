package app

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/store"
)

// StateFormat is the state format this rolecall writes (store.Format). It
// changes when what is stored changes in a way an older rolecall would
// misread; each change comes with a migration from the format before.
//
//	0  files from before formats were numbered (no header)
//	1  a header; users and roles indexed by unique ID (trust policies bind
//	   their principals by it); the ECS resources as rolecall's own record
//	   types (internal/ecs/records), not the generated wire shapes, a
//	   container instance with the role it registered with; Application
//	   Auto Scaling's targets, policies, scheduled actions (with when each
//	   last ran) and scaling activities (internal/appautoscaling/records);
//	   EC2 instances with their instance profiles (internal/instances);
//	   and IAM login profiles (password keys, never passwords), the account
//	   password policy and alias: absent reads as none, so a file
//	   without them needs no migration
const StateFormat = 1

// migrations[v] brings a store from format v to v+1.
var migrations = map[int]func(store.Store) error{
	0: func(st store.Store) error { return iam.IndexUniqueIDs(st) },
}

// ErrNewerFormat is what a state file written by a newer rolecall
// answers (wrapped).
var ErrNewerFormat = errors.New("state file in a newer format")

// prepareState reads the state's format header and brings the state to
// StateFormat: a new state gets the header; an older one is backed up
// beside the file (a bbolt file) and migrated; a newer one is refused.
func prepareState(st store.Store, version string, log *slog.Logger, now time.Time) error {
	f, ok, err := store.ReadFormat(st)
	if err != nil {
		return fmt.Errorf("%v: %w", err, store.ErrDamaged)
	}
	if !ok {
		empty, err := store.IsEmpty(st)
		if err != nil {
			return err
		}
		if empty {
			return st.Update(func(tx store.Tx) error {
				return store.WriteFormat(tx, store.Format{Version: StateFormat, Writer: version})
			})
		}
		f = store.Format{Version: 0}
	}
	switch {
	case f.Version == StateFormat:
		return nil
	case f.Version > StateFormat:
		return fmt.Errorf("%w: the state was written by rolecall %s in state format %d, and this rolecall (%s) reads formats up to %d: "+
			"upgrade rolecall, or start with another --data-dir (or --ephemeral)", ErrNewerFormat, orUnknown(f.Writer), f.Version, orUnknown(version), StateFormat)
	}
	if b, ok := unwrap(st).(*store.Bolt); ok {
		backup := fmt.Sprintf("%s.format%d-%s.bak", b.Path(), f.Version, now.UTC().Format("20060102T150405Z"))
		if err := b.Backup(backup); err != nil {
			return fmt.Errorf("backing up the state before migrating it: %w", err)
		}
		log.Info("state migration: the old file is kept", "from_format", f.Version, "to_format", StateFormat, "backup", backup)
	}
	for v := f.Version; v < StateFormat; v++ {
		if err := migrations[v](st); err != nil {
			return fmt.Errorf("migrating the state from format %d to %d: %w", v, v+1, err)
		}
	}
	return st.Update(func(tx store.Tx) error {
		return store.WriteFormat(tx, store.Format{Version: StateFormat, Writer: version})
	})
}

func unwrap(st store.Store) store.Store {
	if v, ok := st.(*store.Versioned); ok {
		return v.Store
	}
	return st
}

func orUnknown(v string) string {
	if v == "" {
		return "(unknown version)"
	}
	return v
}
