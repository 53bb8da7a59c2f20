package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The child-process tests re-run this test binary with childEnv set to a
// role and childPathEnv to the store's path; TestMain then plays the role
// instead of running tests.
const (
	childEnv     = "ROLECALL_STORE_TEST_CHILD"
	childPathEnv = "ROLECALL_STORE_TEST_PATH"
	exitLocked   = 3
)

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(runChild(role, os.Getenv(childPathEnv)))
	}
	os.Exit(m.Run())
}

func runChild(role, path string) int {
	switch role {
	case "writer":
		// Update forever from a few goroutines (so commits are batched),
		// printing each key once its Update has returned: the parent kills
		// us mid-stream.
		s, err := OpenBolt(path, BoltOptions{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 100000 { // bounded in case the parent never kills
					key := fmt.Sprintf("g%d/%06d", g, i)
					if err := s.Update(func(tx Tx) error { return tx.Put("acked", key, []byte(key)) }); err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(1)
					}
					os.Stdout.WriteString("ack " + key + "\n") // one write: a kill cannot split it
				}
			})
		}
		wg.Wait()
		return 0
	case "holder":
		// Hold the store open until the parent closes our stdin.
		s, err := OpenBolt(path, BoltOptions{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		os.Stdout.WriteString("ready\n")
		io.Copy(io.Discard, os.Stdin)
		if err := s.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	case "opener":
		s, err := OpenBolt(path, BoltOptions{LockTimeout: 1})
		if errors.Is(err, ErrLocked) {
			fmt.Print(err)
			return exitLocked
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		s.Close()
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
	return 2
}

func child(t *testing.T, role, path string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+role, childPathEnv+"="+path)
	return cmd
}

func openBolt(t *testing.T, path string) *Bolt {
	t.Helper()
	s, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBoltAcknowledgedUpdatesSurviveKill kills a writing process with
// SIGKILL and checks that every Update it saw return is in the file.
func TestBoltAcknowledgedUpdatesSurviveKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	cmd := child(t, "writer", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const killAfter = 150
	var acked []string
	r := bufio.NewReader(out)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break // EOF once the child is dead; a fragment without \n is not an ack
		}
		key, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "ack ")
		if !ok {
			t.Fatalf("child wrote %q", line)
		}
		acked = append(acked, key)
		if len(acked) == killAfter {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	if len(acked) < killAfter {
		t.Fatalf("child acknowledged only %d Updates (%v): %s", len(acked), err, stderr.String())
	}
	if err == nil {
		t.Log("the child finished before the kill; the test still checks its acknowledgements")
	}

	s := openBolt(t, path) // the dead child's lock is gone with it
	defer s.Close()
	var missing []string
	if err := s.View(func(tx Tx) error {
		for _, k := range acked {
			if v, ok := tx.Get("acked", k); !ok || string(v) != k {
				missing = append(missing, k)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d acknowledged keys lost after SIGKILL: %q", len(missing), len(acked), missing)
	}
	t.Logf("%d acknowledged keys, all present after the kill", len(acked))
}

func TestBoltReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := openBolt(t, path)
	var want []kv
	for i := range 50 {
		put(t, s, "b", kv{fmt.Sprintf("k%03d", i), strings.Repeat("v", i)})
	}
	put(t, s, "other", kv{"x", "y"})
	if err := s.Update(func(tx Tx) error {
		for i := 0; i < 50; i += 7 {
			if err := tx.Delete("b", fmt.Sprintf("k%03d", i)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if i%7 != 0 {
			want = append(want, kv{fmt.Sprintf("k%03d", i), strings.Repeat("v", i)})
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openBolt(t, path)
	defer s.Close()
	if got := viewScan(t, s, "b", "", "", 0); !slices.Equal(got, want) {
		t.Errorf("after reopen, bucket b = %q; want %q", got, want)
	}
	if v, _ := get(t, s, "other", "x"); v != "y" {
		t.Errorf("after reopen, other/x = %q; want y", v)
	}
}

func TestBoltLockedInSameProcess(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	s := openBolt(t, path)
	_, err := OpenBolt(path, BoltOptions{}) // the default timeout, to check the message
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second OpenBolt = %v; want ErrLocked", err)
	}
	want := "data directory " + dir + " is in use by another rolecall process (pid " + strconv.Itoa(os.Getpid()) + ") (" + path +
		" stayed locked for 200ms): stop that process, or use a different data directory"
	if err.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", err, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	openBolt(t, path).Close() // Close released the lock
}

func TestBoltLockedByOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	cmd := child(t, "holder", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		cmd.Wait()
		t.Fatalf("holder said %q: %s", line, stderr.String())
	}

	_, err = OpenBolt(path, BoltOptions{LockTimeout: 1})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("OpenBolt while another process holds the file = %v; want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), filepath.Dir(path)) {
		t.Errorf("message %q does not name the data directory", err)
	}
	if want := fmt.Sprintf("another rolecall process (pid %d)", cmd.Process.Pid); !strings.Contains(err.Error(), want) {
		t.Errorf("message %q does not name the holder: want %q", err, want)
	}

	in.Close() // the holder closes the store and exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("holder: %v: %s", err, stderr.String())
	}
	openBolt(t, path).Close()
}

func TestBoltLockedInOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := openBolt(t, path)
	defer s.Close()
	out, err := child(t, "opener", path).Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitLocked {
		t.Fatalf("OpenBolt in another process: %v (%s); want exit %d for ErrLocked", err, out, exitLocked)
	}
	if !strings.Contains(string(out), "in use by another rolecall process") || !strings.Contains(string(out), path) {
		t.Errorf("the other process reported %q", out)
	}
}

// TestBoltBatchRetry drives one batch through the committer's retry rules:
// a failing fn is taken out and the rest rerun; a fn that failed after
// others reruns alone; a panic is handed back; the survivors share one
// commit.
func TestBoltBatchRetry(t *testing.T) {
	s := openBolt(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	runs := make([]int, 6)
	counted := func(i int, fn func(Tx) error) *call {
		return &call{done: make(chan struct{}), fn: func(tx Tx) error { runs[i]++; return fn(tx) }}
	}
	putKey := func(k string) func(Tx) error {
		return func(tx Tx) error { return tx.Put("b", k, []byte("v")) }
	}
	batch := []*call{
		counted(0, putKey("c0")),
		counted(1, func(tx Tx) error { // fails after c0: rerun alone
			if err := tx.Put("b", "c1", []byte("v")); err != nil {
				return err
			}
			return errBoom
		}),
		counted(2, putKey("c2")),
		counted(3, func(tx Tx) error { // panics: handed back, not rerun
			tx.Put("b", "c3", []byte("v"))
			panic("kaboom")
		}),
		counted(4, putKey("c4")),
	}
	before := s.commits.Load()
	s.commit(slices.Clone(batch))

	for i, c := range batch {
		select {
		case <-c.done:
		default:
			t.Fatalf("call %d not finished", i)
		}
	}
	for _, i := range []int{0, 2, 4} {
		if batch[i].err != nil || batch[i].panicked != nil {
			t.Errorf("call %d: err %v, panic %v", i, batch[i].err, batch[i].panicked)
		}
	}
	if !errors.Is(batch[1].err, errBoom) {
		t.Errorf("failing call: err %v; want errBoom", batch[1].err)
	}
	if p := batch[3].panicked; p == nil || p.value != "kaboom" {
		t.Errorf("panicking call: panic %v; want kaboom", p)
	}
	// Runs: [c0 c1✗] [c0 c2 c3✗] [c0 c2 c4 ✓] then c1 alone ✗.
	if want := []int{3, 2, 2, 1, 1, 0}; !slices.Equal(runs, want) {
		t.Errorf("runs per call %v; want %v", runs, want)
	}
	if n := s.commits.Load() - before; n != 1 {
		t.Errorf("%d commits; want 1 for the whole batch", n)
	}
	want := []string{"c0", "c2", "c4"}
	if got := keys(viewScan(t, s, "b", "", "", 0)); !slices.Equal(got, want) {
		t.Errorf("committed %q; want %q", got, want)
	}

	// A fn failing first in its transaction saw only committed state: its
	// error stands without a rerun.
	first := counted(5, func(Tx) error { return errBoom })
	s.commit([]*call{first, counted(0, putKey("c5"))})
	if runs[5] != 1 || !errors.Is(first.err, errBoom) {
		t.Errorf("first-place failure ran %d times, err %v; want once, errBoom", runs[5], first.err)
	}
	if _, ok := get(t, s, "b", "c5"); !ok {
		t.Error("the call after a first-place failure did not land")
	}
}
