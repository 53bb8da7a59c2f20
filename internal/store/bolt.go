package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrLocked is returned (wrapped: test with errors.Is) by OpenBolt when the
// file is held by another process, or by another OpenBolt in this one.
var ErrLocked = errors.New("store: data directory in use by another rolecall process")

// BoltOptions tune OpenBolt. The zero value is what rolecall serve uses.
type BoltOptions struct {
	// LockTimeout is how long OpenBolt waits for another process to let go
	// of the file before it returns ErrLocked. Zero means 200ms.
	LockTimeout time.Duration
	// MaxBatch caps how many concurrent Updates share one commit. Zero
	// means 256.
	MaxBatch int
	// CheckTimeout bounds how long the consistency check OpenBolt runs
	// holds up opening: what is left is checked in the background, and a
	// damaged file found there seals the store against writes (see
	// Checked). Zero means 5 seconds for a file of up to 16 MiB, and no
	// wait for a larger one (checking a state of a million roles takes
	// seconds; rolecall answers at once); negative skips the check.
	CheckTimeout time.Duration
}

const (
	defaultLockTimeout = 200 * time.Millisecond
	defaultMaxBatch    = 256
)

// Bolt is a Store in one bbolt file. Every commit is fsynced before Update
// returns. Updates that arrive while a commit is being written wait for it
// and then share the next commit (group commit): an Update on an idle store
// is not delayed, and under load one fsync serves many Updates.
//
// Values returned by Get and Scan may point into bbolt's read-only memory
// map: they are valid only until the transaction ends, and writing to them
// can crash the process.
type Bolt struct {
	pidFile  string
	db       *bolt.DB
	maxBatch int

	mu     sync.RWMutex // read-held by each transaction; Close takes it to wait them out
	closed bool

	calls   chan *call    // Updates to the committer; closed by Close
	stopped chan struct{} // closed when the committer has returned

	commits atomic.Int64 // commits written, for benchmarks

	// sealed, once set, fails every Update: the file was found damaged.
	sealed   atomic.Pointer[DamagedError]
	checked  atomic.Bool   // OpenBolt's check has covered the whole file
	checking chan struct{} // closed when OpenBolt's check has ended
}

var _ Store = (*Bolt)(nil)

// OpenBolt opens the bbolt file at path, creating it if needed. If another
// process (or another OpenBolt in this process) has it open, OpenBolt gives
// up after opts.LockTimeout with an error that names the data directory and
// satisfies errors.Is(err, ErrLocked). A file that is damaged (bbolt's
// consistency check finds problems, or reading it fails), empty, or no
// bbolt file at all is refused with a DamagedError (errors.Is(err,
// ErrDamaged)) that says how to recover.
func OpenBolt(path string, opts BoltOptions) (*Bolt, error) {
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = defaultLockTimeout
	}
	maxBatch := opts.MaxBatch
	if maxBatch <= 0 {
		maxBatch = defaultMaxBatch
	}
	db, err := openChecked(path, &bolt.Options{Timeout: timeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, &lockedError{path: path, waited: timeout, holder: holder(path)}
	}
	if errors.Is(err, ErrDamaged) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	var rest <-chan []string // the check still under way
	switch ct := opts.CheckTimeout; {
	case ct < 0:
	case ct == 0 && large(path):
		rest = startCheck(db)
	default:
		if ct == 0 {
			ct = defaultCheckTimeout
		}
		var problems []string
		if problems, rest = checkWithin(db, ct); len(problems) > 0 {
			db.Close()
			return nil, &DamagedError{Path: path, Problem: strings.Join(problems, "; ")}
		}
	}
	// Who holds the file, for the next opener's refusal. Best effort: a
	// data directory that is read-only still opens.
	_ = os.WriteFile(path+pidSuffix, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	s := &Bolt{
		pidFile:  path + pidSuffix,
		db:       db,
		maxBatch: maxBatch,
		calls:    make(chan *call),
		stopped:  make(chan struct{}),
		checking: make(chan struct{}),
	}
	if rest != nil {
		go s.checkRest(rest)
	} else {
		s.checked.Store(true)
		close(s.checking)
	}
	go s.commitLoop()
	return s, nil
}

// pidSuffix names the file beside the state file that holds the process
// ID of the rolecall that has it open, so that a second one can say which
// process to stop (a go run's child outlives a signal to go run).
const pidSuffix = ".pid"

// holder is the process ID recorded beside path, or "" if none is.
func holder(path string) string {
	b, err := os.ReadFile(path + pidSuffix)
	if err != nil {
		return ""
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return ""
	}
	return strconv.Itoa(pid)
}

type lockedError struct {
	path   string
	waited time.Duration
	holder string // the holding process's ID, if recorded
}

func (e *lockedError) Error() string {
	who := "another rolecall process"
	if e.holder != "" {
		who += " (pid " + e.holder + ")"
	}
	return fmt.Sprintf("data directory %s is in use by %s (%s stayed locked for %v): stop that process, or use a different data directory",
		filepath.Dir(e.path), who, e.path, e.waited)
}

func (e *lockedError) Is(target error) bool { return target == ErrLocked }

// View runs fn in a read-only transaction on the caller's goroutine. Views
// run concurrently with each other and with Updates, and see the state as of
// the last commit before they began.
func (s *Bolt) View(fn func(Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	// A fault reading a damaged page is a panic the server recovers from,
	// not the end of the process.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return s.db.View(func(btx *bolt.Tx) error {
		tx := &boltTx{tx: btx}
		defer func() { tx.done = true }()
		return fn(tx)
	})
}

// Update runs fn in a read-write transaction and returns once the commit is
// on disk. fn runs on the committer goroutine, possibly more than once (see
// Store).
func (s *Bolt) Update(fn func(Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	if d := s.sealed.Load(); d != nil {
		return d
	}
	c := &call{fn: fn, done: make(chan struct{})}
	s.calls <- c
	<-c.done
	if c.panicked != nil {
		panic(c.panicked)
	}
	return c.err
}

// Close waits for running transactions, stops the committer and closes the
// file, releasing its lock; later transactions return ErrClosed. Closing
// twice is not an error.
func (s *Bolt) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.calls)
	<-s.stopped
	<-s.checking
	err := s.db.Close()
	// The pid file goes once the file is let go, unless another process
	// has opened it since and written its own.
	if b, rerr := os.ReadFile(s.pidFile); rerr == nil && strings.TrimSpace(string(b)) == strconv.Itoa(os.Getpid()) {
		os.Remove(s.pidFile)
	}
	return err
}

// call is one Update waiting for the committer.
type call struct {
	fn       func(Tx) error
	err      error
	panicked *fnPanic
	done     chan struct{}
}

func (c *call) finish(err error) {
	c.err = err
	close(c.done)
}

// fnPanic carries a panic in fn from the committer goroutine to the caller
// of Update, with the stack where it happened.
type fnPanic struct {
	value any
	stack []byte
}

func (p *fnPanic) Error() string {
	return fmt.Sprintf("%v\n\npanic in store.Update fn, recovered on the committer goroutine:\n%s", p.value, p.stack)
}

func (p *fnPanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}

// commitLoop takes the first waiting Update, gathers every other Update
// already waiting (up to maxBatch), and commits them together.
func (s *Bolt) commitLoop() {
	defer close(s.stopped)
	debug.SetPanicOnFault(true)
	batch := make([]*call, 0, s.maxBatch)
	for c := range s.calls {
		batch = append(batch[:0], c)
	gather:
		for len(batch) < s.maxBatch {
			select {
			case c, ok := <-s.calls:
				if !ok {
					break gather
				}
				batch = append(batch, c)
			default:
				break gather
			}
		}
		s.commit(batch)
		clear(batch) // let the finished calls be collected
	}
}

// errAbort rolls back a batch in which one fn failed.
var errAbort = errors.New("store: batch aborted")

// commit runs batch in one bbolt transaction and finishes every call in it.
// When a fn fails, the transaction is rolled back and the rest rerun
// without it. A fn that failed first in its transaction saw only committed
// state, exactly as if alone, so its result stands; one that failed after
// others may have failed because of their writes, so it reruns alone.
func (s *Bolt) commit(batch []*call) {
	var alone []*call
	for len(batch) > 0 {
		failed := -1
		err := s.db.Update(func(btx *bolt.Tx) error {
			for i, c := range batch {
				if !run(c, btx) {
					failed = i
					return errAbort
				}
			}
			return nil
		})
		if failed < 0 {
			if err == nil {
				s.commits.Add(1)
			}
			for _, c := range batch {
				c.finish(err)
			}
			break
		}
		c := batch[failed]
		batch = append(batch[:failed], batch[failed+1:]...)
		if failed == 0 || c.panicked != nil {
			close(c.done) // c.err or c.panicked already set by run
		} else {
			c.err = nil
			alone = append(alone, c)
		}
	}
	for _, c := range alone {
		err := s.db.Update(func(btx *bolt.Tx) error {
			if !run(c, btx) {
				return errAbort
			}
			return nil
		})
		if c.err == nil && c.panicked == nil {
			if err == nil {
				s.commits.Add(1)
			}
			c.err = err
		}
		close(c.done)
	}
}

// run calls c.fn in its own view of btx and reports whether it succeeded,
// recording its error or panic in c.
func run(c *call, btx *bolt.Tx) (ok bool) {
	tx := &boltTx{tx: btx, writable: true}
	defer func() {
		tx.done = true
		if p := recover(); p != nil {
			c.panicked = &fnPanic{value: p, stack: debug.Stack()}
			ok = false
		}
	}()
	c.err = c.fn(tx)
	return c.err == nil
}

// boltTx adapts a bbolt transaction to Tx. Each fn in a batch gets its own,
// so that one fn's Tx dies when that fn returns.
type boltTx struct {
	tx       *bolt.Tx
	writable bool
	done     bool
}

func (t *boltTx) Get(bucket, key string) ([]byte, bool) {
	if t.done {
		return nil, false
	}
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil, false
	}
	v := b.Get([]byte(key))
	return v, v != nil
}

func (t *boltTx) Put(bucket, key string, value []byte) error {
	if err := t.canWrite(); err != nil {
		return err
	}
	if err := checkPut(bucket, key, value); err != nil {
		return err
	}
	b, err := t.tx.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return err
	}
	// bbolt keeps value until commit; the copy frees the caller's buffer and
	// is never nil, which bbolt would store as absent.
	return b.Put([]byte(key), append(make([]byte, 0, len(value)), value...))
}

func (t *boltTx) Delete(bucket, key string) error {
	if err := t.canWrite(); err != nil {
		return err
	}
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	return b.Delete([]byte(key))
}

func (t *boltTx) canWrite() error {
	if t.done {
		return errTxDone
	}
	if !t.writable {
		return errReadOnly
	}
	return nil
}

func (t *boltTx) Scan(bucket, prefix, start string, fn func(key string, value []byte) bool) error {
	if t.done {
		return errTxDone
	}
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	c := b.Cursor()
	p := []byte(prefix)
	var k, v []byte
	if from := scanFrom(prefix, start); from == "" {
		k, v = c.First()
	} else {
		k, v = c.Seek([]byte(from))
	}
	for ; k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if v == nil {
			continue // a nested bucket; rolecall makes none
		}
		if !fn(string(k), v) {
			break
		}
	}
	return nil
}
