package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seeded writes a state file with enough records to span many pages and
// answers its path.
func seeded(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rolecall.db")
	b, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		err := b.Update(func(tx Tx) error {
			for j := range 100 {
				if err := tx.Put("bucket"+fmt.Sprint(i%3), fmt.Sprintf("key-%03d-%03d", i, j), []byte(strings.Repeat("v", 200))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// damage rewrites the file at path.
func damage(t *testing.T, path string, fn func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fn(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedFilesAreRefused: a truncated file, zeroed or random pages, an
// empty file and a file that is no state at all are each refused with a
// DamagedError that says how to recover; none panics, none starts as an
// empty state.
func TestDamagedFilesAreRefused(t *testing.T) {
	const page = 4096
	cases := []struct {
		name string
		hurt func([]byte) []byte
	}{
		{"truncated to half", func(d []byte) []byte { return d[:len(d)/2] }},
		{"truncated into the meta pages", func(d []byte) []byte { return d[:page+100] }},
		{"zeroed pages", func(d []byte) []byte {
			for i := 4 * page; i < 8*page && i < len(d); i++ {
				d[i] = 0
			}
			return d
		}},
		{"random pages", func(d []byte) []byte {
			r := rand.New(rand.NewPCG(1, 2))
			for i := 3 * page; i < 12*page && i < len(d); i++ {
				d[i] = byte(r.IntN(256))
			}
			return d
		}},
		{"empty", func([]byte) []byte { return nil }},
		{"not a state file", func([]byte) []byte { return []byte(strings.Repeat("{\"not\":\"bbolt\"}\n", 1000)) }},
		{"meta pages zeroed", func(d []byte) []byte {
			for i := 0; i < 2*page; i++ {
				d[i] = 0
			}
			return d
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := seeded(t)
			damage(t, path, c.hurt)
			b, err := OpenBolt(path, BoltOptions{})
			if err == nil {
				b.Close()
				t.Fatal("a damaged file was opened")
			}
			var d *DamagedError
			if !errors.As(err, &d) || !errors.Is(err, ErrDamaged) || d.Path != path {
				t.Fatalf("err = %v", err)
			}
			msg := err.Error()
			for _, want := range []string{path, "rolecall state check", "rolecall state repair", "--ephemeral"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
			rep, err := CheckFile(path)
			if err != nil || len(rep.Problems) == 0 {
				t.Errorf("CheckFile: %+v %v", rep, err)
			}
		})
	}
	// A sound file checks clean, and no file at all is a new state.
	path := seeded(t)
	if rep, err := CheckFile(path); err != nil || len(rep.Problems) != 0 {
		t.Errorf("a sound file: %+v %v", rep, err)
	}
	b, err := OpenBolt(filepath.Join(t.TempDir(), "new.db"), BoltOptions{})
	if err != nil || !b.Checked() {
		t.Fatalf("a new file: %v", err)
	}
	b.Close()
}

// TestCheckGoesOnInTheBackground: a file whose check outlasts
// CheckTimeout is handed out, and the rest of the check seals it if it is
// damaged (a large state starts at once, and no write goes into a damaged
// file once that is known); a sound one is Checked in the end. The check
// may also finish in time: then the damaged file is refused at once.
func TestCheckGoesOnInTheBackground(t *testing.T) {
	path := seeded(t)
	damage(t, path, func(d []byte) []byte {
		for i := 4 * 4096; i < 8*4096; i++ {
			d[i] = 0
		}
		return d
	})
	b, err := OpenBolt(path, BoltOptions{CheckTimeout: time.Nanosecond})
	if err == nil {
		<-b.checking
		err = b.Update(func(tx Tx) error { return tx.Put("b", "k", []byte("v")) })
		if b.Checked() {
			t.Error("a damaged file is Checked")
		}
		b.Close()
	}
	var d *DamagedError
	if !errors.As(err, &d) || d.Path != path {
		t.Fatalf("a damaged file checked in the background: %v", err)
	}

	b, err = OpenBolt(seeded(t), BoltOptions{CheckTimeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	<-b.checking
	if !b.Checked() {
		t.Error("a sound file checked in the background is not Checked")
	}
	if err := b.Update(func(tx Tx) error { return tx.Put("b", "k", []byte("v")) }); err != nil {
		t.Errorf("a sound file: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSealedStoreRefusesWrites: once Verify finds the file damaged, no
// Update writes into it; reads go on.
func TestSealedStoreRefusesWrites(t *testing.T) {
	path := seeded(t)
	b, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Verify(time.Second); err != nil {
		t.Fatalf("a sound file: %v", err)
	}
	if err := b.Update(func(tx Tx) error { return tx.Put("b", "k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	// Damage the open file's pages underneath it, as a disk fault would.
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 4*4096), 4*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := b.Verify(time.Second); !errors.Is(err, ErrDamaged) {
		t.Fatalf("Verify after damage: %v", err)
	}
	err = b.Update(func(tx Tx) error { return tx.Put("b", "k2", []byte("v")) })
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("Update on a sealed store: %v", err)
	}
}

// TestRepairKeepsWhatCanBeRead: a file with damaged pages is rebuilt from
// the records that can still be read; the damaged file is kept.
func TestRepairKeepsWhatCanBeRead(t *testing.T) {
	for _, c := range []struct {
		name string
		hurt func([]byte) []byte
	}{
		{"zeroed pages", func(d []byte) []byte {
			for i := 6 * 4096; i < 7*4096 && i < len(d); i++ {
				d[i] = 0
			}
			return d
		}},
		{"cut short", func(d []byte) []byte { return d[:len(d)*3/4] }},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := seeded(t)
			damage(t, path, c.hurt)
			now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
			r, err := Repair(path, now)
			if err != nil {
				t.Fatal(err)
			}
			kept := r.Kept
			if kept == 0 || kept > 2000 {
				t.Errorf("kept %d records, skipped %v", kept, r.Skipped)
			}
			if r.Damaged != path+".damaged-20261207T100000Z" {
				t.Errorf("damaged file at %s", r.Damaged)
			}
			if _, err := os.Stat(r.Damaged); err != nil {
				t.Errorf("the damaged file is not kept: %v", err)
			}
			b, err := OpenBolt(path, BoltOptions{})
			if err != nil {
				t.Fatalf("the repaired file: %v", err)
			}
			defer b.Close()
			n := 0
			b.View(func(tx Tx) error {
				for _, bk := range []string{"bucket0", "bucket1", "bucket2"} {
					tx.Scan(bk, "", "", func(string, []byte) bool { n++; return true })
				}
				return nil
			})
			if n != kept {
				t.Errorf("%d records in the repaired file, %d kept", n, kept)
			}
		})
	}
}

// FuzzOpenState: whatever bytes a state file holds, opening it answers a
// store or an error, never a panic; a store that opens reads back.
func FuzzOpenState(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "seed.db")
	b, err := OpenBolt(good, BoltOptions{})
	if err != nil {
		f.Fatal(err)
	}
	b.Update(func(tx Tx) error { return tx.Put("b", "k", []byte(`{"v":1}`)) })
	b.Close()
	seed, _ := os.ReadFile(good)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte{})
	f.Add([]byte("not a state file"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "rolecall.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := OpenBolt(path, BoltOptions{CheckTimeout: 2 * time.Second})
		if err != nil {
			return
		}
		defer b.Close()
		b.View(func(tx Tx) error {
			tx.Get("b", "k")
			return nil
		})
	})
}
