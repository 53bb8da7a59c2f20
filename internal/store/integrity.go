package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged is what a damaged state file answers (wrapped: test with
// errors.Is): rolecall refuses to serve it rather than crash on it later
// or write more into it.
var ErrDamaged = errors.New("store: state file damaged")

// DamagedError says what is wrong with a state file, and how to recover.
type DamagedError struct {
	Path    string
	Problem string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("the state file %s cannot be used: %s\n"+
		"rolecall will not serve it. To recover, with --data-dir %s:\n"+
		"  rolecall state check    says what is wrong\n"+
		"  rolecall state salvage  writes what can still be read, as JSON lines\n"+
		"  rolecall state repair   rebuilds the file from what can be read, keeping the damaged one beside it\n"+
		"or start with --ephemeral, or with another --data-dir.", e.Path, e.Problem, dirOf(e.Path))
}

func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, os.PathSeparator); i > 0 {
		return path[:i]
	}
	return "."
}

// defaultCheckTimeout bounds how long OpenBolt's check of a file of up to
// smallFile bytes holds up opening it; a larger file is checked in the
// background from the start (BoltOptions.CheckTimeout).
const (
	defaultCheckTimeout = 5 * time.Second
	smallFile           = 16 << 20
)

// large is whether the file at path is larger than smallFile.
func large(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Size() > smallFile
}

// maxProblems bounds the problems a check reports.
const maxProblems = 10

// openChecked opens path with bbolt, turning what bbolt does with a file
// it cannot read (an error, or a panic: "invalid freelist page" for a
// truncated file) into a DamagedError. A file that exists but is empty is
// refused too: bbolt would silently make it a new, empty state.
func openChecked(path string, o *bolt.Options) (db *bolt.DB, err error) {
	if fi, serr := os.Stat(path); serr == nil && fi.Size() == 0 {
		return nil, &DamagedError{Path: path, Problem: "it is empty (0 bytes), so it is no state rolecall wrote (with no file at all, rolecall starts a new state)."}
	} else if serr == nil && !fi.Mode().IsRegular() {
		return nil, &DamagedError{Path: path, Problem: "it is not a regular file."}
	}
	if problem := truncated(path); problem != "" {
		return nil, &DamagedError{Path: path, Problem: problem}
	}
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, &DamagedError{Path: path, Problem: fmt.Sprintf("reading it failed (%v).", p)}
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db, err = bolt.Open(path, 0o600, o)
	switch {
	case errors.Is(err, bolt.ErrInvalid), errors.Is(err, bolt.ErrVersionMismatch), errors.Is(err, bolt.ErrChecksum):
		return nil, &DamagedError{Path: path, Problem: fmt.Sprintf("it is not a state file rolecall can read (%v).", err)}
	}
	return db, err
}

// truncated reads the file's two meta pages as bbolt lays them out (a
// 16-byte page header, then magic, version, page size, flags, the root
// bucket, the freelist page, the high-water page id, ...) and says why
// the file is shorter than its meta pages say, if it is: bbolt itself
// panics on such a file ("invalid freelist page") and keeps its lock.
// "" when the file is long enough, or is no bbolt file (bbolt answers
// that itself).
func truncated(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	head := make([]byte, min(fi.Size(), 65536+pageHeaderSize+64))
	if _, err := io.ReadFull(f, head); err != nil {
		return ""
	}
	m, ok := latestMeta(head)
	if !ok {
		return ""
	}
	if want := int64(m.pgid) * int64(m.pageSize); fi.Size() < want || fi.Size() < 2*int64(m.pageSize) {
		return fmt.Sprintf("it is %d bytes long, shorter than the %d its pages need: it was cut short.", fi.Size(), max(want, 2*int64(m.pageSize)))
	}
	return ""
}

// startCheck runs bbolt's consistency check on db in the background and
// sends what it found once it has read the whole file. A panic or a
// memory fault while reading damaged pages is a problem found, not a
// crash. bbolt's check cannot be stopped: it runs to its end, holding a
// read transaction (Close waits for it).
func startCheck(db *bolt.DB) <-chan []string {
	done := make(chan []string, 1)
	go func() {
		var out []string
		defer func() {
			if p := recover(); p != nil {
				out = append(out, fmt.Sprintf("reading a page failed (%v)", p))
			}
			done <- out
		}()
		debug.SetPanicOnFault(true)
		db.View(func(tx *bolt.Tx) error {
			// Read every error, however many: bbolt's checker waits for
			// each to be taken.
			for err := range tx.Check() {
				if len(out) < maxProblems {
					out = append(out, err.Error())
				}
			}
			return nil
		})
	}()
	return done
}

// checkWithin checks db for at most timeout (0: no bound). rest is nil
// when the check is complete; otherwise the check goes on, and rest gets
// what it finds.
func checkWithin(db *bolt.DB, timeout time.Duration) (problems []string, rest <-chan []string) {
	done := startCheck(db)
	if timeout <= 0 {
		return <-done, nil
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case p := <-done:
		return p, nil
	case <-t.C:
		return nil, done
	}
}

// check is checkWithin for callers that want only what was found in
// time: the rest of the check goes on unobserved.
func check(db *bolt.DB, timeout time.Duration) (problems []string, complete bool) {
	problems, rest := checkWithin(db, timeout)
	return problems, rest == nil
}

// Verify checks the file now, within timeout (0: no bound), and, if it is
// damaged, seals the store: every later Update fails with the
// DamagedError instead of writing into a file that cannot be trusted.
// Views go on (they read what can be read). The server calls it after it
// recovered from a panic, which may have come from a damaged page.
func (s *Bolt) Verify(timeout time.Duration) error {
	problems, _ := check(s.db, timeout)
	if len(problems) == 0 {
		return nil
	}
	err := &DamagedError{Path: s.db.Path(), Problem: strings.Join(problems, "; ")}
	s.sealed.Store(err)
	return err
}

// Checked reports whether the check OpenBolt began has covered the whole
// file (it goes on in the background after BoltOptions.CheckTimeout).
func (s *Bolt) Checked() bool { return s.checked.Load() }

// checkRest waits for the rest of OpenBolt's check, in the background,
// and seals the store if the file is damaged: writes stop; reads of what
// can be read go on, as after Verify.
func (s *Bolt) checkRest(rest <-chan []string) {
	defer close(s.checking)
	if problems := <-rest; len(problems) > 0 {
		s.sealed.Store(&DamagedError{Path: s.db.Path(), Problem: strings.Join(problems, "; ")})
		return
	}
	s.checked.Store(true)
}

// Report is what a full check of a state file found.
type Report struct {
	Path     string
	Problems []string
}

// CheckFile opens the state file at path read-only and checks all of it.
// It answers the problems found (none for a sound file), and an error only
// when the file cannot be opened at all.
func CheckFile(path string) (*Report, error) {
	db, err := openChecked(path, &bolt.Options{ReadOnly: true, Timeout: defaultLockTimeout})
	if err != nil {
		var d *DamagedError
		if errors.As(err, &d) {
			return &Report{Path: path, Problems: []string{d.Problem}}, nil
		}
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, &lockedError{path: path, waited: defaultLockTimeout}
		}
		return nil, err
	}
	defer db.Close()
	problems, _ := check(db, 0)
	return &Report{Path: path, Problems: problems}, nil
}
