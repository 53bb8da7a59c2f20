package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// engines are the Stores every conformance case runs against.
var engines = []struct {
	name string
	open func(t *testing.T) Store
}{
	{"memory", func(t *testing.T) Store { return NewMemory() }},
	{"bolt", func(t *testing.T) Store {
		s, err := OpenBolt(filepath.Join(t.TempDir(), "state.db"), BoltOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

var errBoom = errors.New("boom")

type kv struct{ k, v string }

// put commits pairs in bucket in one Update.
func put(t *testing.T, s Store, bucket string, pairs ...kv) {
	t.Helper()
	err := s.Update(func(tx Tx) error {
		for _, p := range pairs {
			if err := tx.Put(bucket, p.k, []byte(p.v)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// get reads one key in its own View, copying the value out.
func get(t *testing.T, s Store, bucket, key string) (string, bool) {
	t.Helper()
	var v string
	var ok bool
	if err := s.View(func(tx Tx) error {
		var b []byte
		b, ok = tx.Get(bucket, key)
		v = string(b)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v, ok
}

// scan collects the pairs a Scan visits, stopping after limit (0: all).
func scan(t *testing.T, tx Tx, bucket, prefix, start string, limit int) []kv {
	t.Helper()
	var got []kv
	err := tx.Scan(bucket, prefix, start, func(k string, v []byte) bool {
		got = append(got, kv{k, string(v)})
		return limit == 0 || len(got) < limit
	})
	if err != nil {
		t.Error(err) // not Fatal: Bolt runs Update fns on another goroutine
	}
	return got
}

func viewScan(t *testing.T, s Store, bucket, prefix, start string, limit int) []kv {
	t.Helper()
	var got []kv
	if err := s.View(func(tx Tx) error {
		got = scan(t, tx, bucket, prefix, start, limit)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func keys(pairs []kv) []string {
	var ks []string
	for _, p := range pairs {
		ks = append(ks, p.k)
	}
	return ks
}

// scanData has keys that sort differently as bytes than as numbers or
// case-folded text, and neighbours of the prefixes used below.
var scanData = []kv{
	{"role/b", "2"}, {"role/a", "1"}, {"role/a/x", "1x"}, {"role0", "r0"},
	{"rolf", "f"}, {"Role/Z", "Z"}, {"role/\xff", "ff"}, {"policy/p", "p"}, {"role/B", "B"},
}

var conformance = []struct {
	name string
	run  func(t *testing.T, s Store)
}{
	{"put get delete", func(t *testing.T, s Store) {
		if _, ok := get(t, s, "roles", "a"); ok {
			t.Fatal("Get of a missing key in a missing bucket found it")
		}
		put(t, s, "roles", kv{"a", "1"}, kv{"empty", ""})
		if v, ok := get(t, s, "roles", "a"); !ok || v != "1" {
			t.Fatalf("Get a = %q, %v; want 1, true", v, ok)
		}
		if v, ok := get(t, s, "roles", "empty"); !ok || v != "" {
			t.Fatalf("Get of an empty value = %q, %v; want \"\", true", v, ok)
		}
		if _, ok := get(t, s, "other", "a"); ok {
			t.Fatal("a key leaked into another bucket")
		}
		put(t, s, "roles", kv{"a", "2"})
		if v, _ := get(t, s, "roles", "a"); v != "2" {
			t.Fatalf("Get after overwrite = %q; want 2", v)
		}
		if err := s.Update(func(tx Tx) error {
			if err := tx.Delete("roles", "a"); err != nil {
				return err
			}
			if err := tx.Delete("roles", "never"); err != nil {
				return fmt.Errorf("Delete of a missing key: %w", err)
			}
			return tx.Delete("no-such-bucket", "a")
		}); err != nil {
			t.Fatal(err)
		}
		if _, ok := get(t, s, "roles", "a"); ok {
			t.Fatal("deleted key still there")
		}
		if _, ok := get(t, s, "roles", "empty"); !ok {
			t.Fatal("Delete removed a neighbour")
		}
	}},
	{"put copies the value", func(t *testing.T, s Store) {
		buf := []byte("before")
		if err := s.Update(func(tx Tx) error {
			if err := tx.Put("b", "k", buf); err != nil {
				return err
			}
			copy(buf, "AFTER!")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if v, _ := get(t, s, "b", "k"); v != "before" {
			t.Fatalf("stored value %q; want before", v)
		}
	}},
	{"invalid writes", func(t *testing.T, s Store) {
		long := strings.Repeat("k", maxKeySize+1)
		cases := []struct {
			bucket, key string
			want        error
		}{
			{"", "k", errBucketRequired},
			{"b", "", errKeyRequired},
			{"b", long, errKeyTooLarge},
			{long, "k", errKeyTooLarge},
		}
		for _, c := range cases {
			err := s.Update(func(tx Tx) error { return tx.Put(c.bucket, c.key, []byte("v")) })
			if !errors.Is(err, c.want) {
				t.Errorf("Put(%.10q, %.10q) = %v; want %v", c.bucket, c.key, err, c.want)
			}
		}
		err := s.View(func(tx Tx) error { return tx.Put("b", "k", nil) })
		if !errors.Is(err, errReadOnly) {
			t.Errorf("Put in View = %v; want %v", err, errReadOnly)
		}
		err = s.View(func(tx Tx) error { return tx.Delete("b", "k") })
		if !errors.Is(err, errReadOnly) {
			t.Errorf("Delete in View = %v; want %v", err, errReadOnly)
		}
	}},
	{"tx used after fn returns", func(t *testing.T, s Store) {
		put(t, s, "b", kv{"k", "v"})
		var kept Tx
		if err := s.Update(func(tx Tx) error { kept = tx; return nil }); err != nil {
			t.Fatal(err)
		}
		if err := kept.Put("b", "k2", []byte("v")); !errors.Is(err, errTxDone) {
			t.Errorf("Put on an ended Tx = %v; want %v", err, errTxDone)
		}
		if err := kept.Delete("b", "k"); !errors.Is(err, errTxDone) {
			t.Errorf("Delete on an ended Tx = %v; want %v", err, errTxDone)
		}
		if _, ok := kept.Get("b", "k"); ok {
			t.Error("Get on an ended Tx found a value")
		}
		if err := kept.Scan("b", "", "", func(string, []byte) bool { return true }); !errors.Is(err, errTxDone) {
			t.Errorf("Scan on an ended Tx = %v; want %v", err, errTxDone)
		}
		if _, ok := get(t, s, "b", "k2"); ok {
			t.Error("a Put on an ended Tx landed")
		}
	}},
	{"scan order, prefix, start, stop", func(t *testing.T, s Store) {
		put(t, s, "b", scanData...)
		put(t, s, "neighbour", kv{"role/c", "other bucket"})
		cases := []struct {
			prefix, start string
			limit         int
			want          []string
		}{
			{"", "", 0, []string{"Role/Z", "policy/p", "role/B", "role/a", "role/a/x", "role/b", "role/\xff", "role0", "rolf"}},
			{"role/", "", 0, []string{"role/B", "role/a", "role/a/x", "role/b", "role/\xff"}},
			{"role/a", "", 0, []string{"role/a", "role/a/x"}},
			{"role/", "role/a/", 0, []string{"role/a/x", "role/b", "role/\xff"}},
			{"role/", "role/a", 0, []string{"role/a", "role/a/x", "role/b", "role/\xff"}},
			{"role/", "a", 0, []string{"role/B", "role/a", "role/a/x", "role/b", "role/\xff"}}, // start before prefix
			{"role/", "s", 0, nil}, // start after every key with prefix
			{"", "role0", 0, []string{"role0", "rolf"}},
			{"role/", "", 2, []string{"role/B", "role/a"}},
			{"nothing", "", 0, nil},
			{"role/b/", "", 0, nil},
		}
		for _, c := range cases {
			got := keys(viewScan(t, s, "b", c.prefix, c.start, c.limit))
			if !slices.Equal(got, c.want) {
				t.Errorf("Scan(prefix %q, start %q, limit %d) = %q; want %q", c.prefix, c.start, c.limit, got, c.want)
			}
		}
		for _, p := range viewScan(t, s, "b", "", "", 0) {
			if i := slices.Index(keys(scanData), p.k); scanData[i].v != p.v {
				t.Errorf("Scan gave %q = %q; want %q", p.k, p.v, scanData[i].v)
			}
		}
		if got := viewScan(t, s, "missing", "", "", 0); got != nil {
			t.Errorf("Scan of a missing bucket = %q", got)
		}
	}},
	{"rollback on error leaves nothing", func(t *testing.T, s Store) {
		put(t, s, "b", kv{"keep", "1"}, kv{"gone", "1"})
		err := s.Update(func(tx Tx) error {
			for _, op := range []error{
				tx.Put("b", "new", []byte("x")),
				tx.Put("b", "keep", []byte("changed")),
				tx.Delete("b", "gone"),
				tx.Put("fresh-bucket", "k", []byte("x")),
			} {
				if op != nil {
					return op
				}
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("Update = %v; want fn's error", err)
		}
		want := []kv{{"gone", "1"}, {"keep", "1"}}
		if got := viewScan(t, s, "b", "", "", 0); !slices.Equal(got, want) {
			t.Errorf("after a failed Update, bucket holds %q; want %q", got, want)
		}
		if got := viewScan(t, s, "fresh-bucket", "", "", 0); got != nil {
			t.Errorf("after a failed Update, a new bucket holds %q", got)
		}
	}},
	{"panic in Update leaves nothing and reaches the caller", func(t *testing.T, s Store) {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), "kaboom") {
					t.Errorf("recovered %v; want the fn's panic", r)
				}
			}()
			_ = s.Update(func(tx Tx) error {
				if err := tx.Put("b", "k", []byte("v")); err != nil {
					return err
				}
				panic("kaboom")
			})
		}()
		if _, ok := get(t, s, "b", "k"); ok {
			t.Error("a panicking Update left its write")
		}
		put(t, s, "b", kv{"after", "1"})
		if _, ok := get(t, s, "b", "after"); !ok {
			t.Error("store unusable after a panic in Update")
		}
	}},
	{"read your writes inside Update", func(t *testing.T, s Store) {
		put(t, s, "b", kv{"a", "1"}, kv{"b", "1"}, kv{"c", "1"}, kv{"x/1", "1"})
		err := s.Update(func(tx Tx) error {
			for _, err := range []error{
				tx.Put("b", "b", []byte("2")),
				tx.Delete("b", "c"),
				tx.Put("b", "bb", []byte("new")),
				tx.Put("b", "0", []byte("first")),
				tx.Delete("b", "bb2-never-existed"),
				tx.Put("b", "d", []byte("put then deleted")),
				tx.Delete("b", "d"),
				tx.Delete("b", "a"),
				tx.Put("b", "a", []byte("deleted then put")),
				tx.Put("nb", "k", []byte("new bucket")),
			} {
				if err != nil {
					return err
				}
			}
			if v, ok := tx.Get("b", "b"); !ok || string(v) != "2" {
				t.Errorf("Get of an overwritten key = %q, %v", v, ok)
			}
			if _, ok := tx.Get("b", "c"); ok {
				t.Error("Get of a deleted key found it")
			}
			if _, ok := tx.Get("b", "d"); ok {
				t.Error("Get of a key put then deleted found it")
			}
			if v, ok := tx.Get("nb", "k"); !ok || string(v) != "new bucket" {
				t.Errorf("Get in a bucket made in this Update = %q, %v", v, ok)
			}
			want := []kv{{"0", "first"}, {"a", "deleted then put"}, {"b", "2"}, {"bb", "new"}, {"x/1", "1"}}
			if got := scan(t, tx, "b", "", "", 0); !slices.Equal(got, want) {
				t.Errorf("Scan inside Update = %q; want %q", got, want)
			}
			if got := scan(t, tx, "b", "b", "", 0); !slices.Equal(got, want[2:4]) {
				t.Errorf("Scan(prefix b) inside Update = %q; want %q", got, want[2:4])
			}
			if got := scan(t, tx, "b", "", "a", 3); !slices.Equal(got, want[1:4]) {
				t.Errorf("Scan(start a, limit 3) inside Update = %q; want %q", got, want[1:4])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []kv{{"0", "first"}, {"a", "deleted then put"}, {"b", "2"}, {"bb", "new"}, {"x/1", "1"}}
		if got := viewScan(t, s, "b", "", "", 0); !slices.Equal(got, want) {
			t.Errorf("after commit = %q; want %q", got, want)
		}
	}},
	{"close then use", func(t *testing.T, s Store) {
		put(t, s, "b", kv{"k", "v"})
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.View(func(Tx) error { return nil }); !errors.Is(err, ErrClosed) {
			t.Errorf("View after Close = %v; want ErrClosed", err)
		}
		ran := false
		if err := s.Update(func(Tx) error { ran = true; return nil }); !errors.Is(err, ErrClosed) {
			t.Errorf("Update after Close = %v; want ErrClosed", err)
		}
		if ran {
			t.Error("Update ran fn on a closed store")
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	}},
	{"concurrent updates all land", func(t *testing.T, s Store) {
		const workers, each = 32, 16
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					errs <- s.Update(func(tx Tx) error {
						// read-modify-write: a lost update shows in the count
						n := 0
						if v, ok := tx.Get("meta", "count"); ok {
							fmt.Sscan(string(v), &n)
						}
						if err := tx.Put("meta", "count", fmt.Append(nil, n+1)); err != nil {
							return err
						}
						return tx.Put("items", fmt.Sprintf("%02d/%02d", w, i), []byte("x"))
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := len(viewScan(t, s, "items", "", "", 0)); n != workers*each {
			t.Errorf("%d items; want %d", n, workers*each)
		}
		if v, _ := get(t, s, "meta", "count"); v != fmt.Sprint(workers*each) {
			t.Errorf("count %s; want %d", v, workers*each)
		}
	}},
	{"concurrent updates, some failing", func(t *testing.T, s Store) {
		// Failing Updates share batches with good ones in Bolt: each must
		// leave nothing, and the good ones must all land.
		const workers, each = 16, 16
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					key := fmt.Sprintf("%02d/%02d", w, i)
					fail := (w+i)%3 == 0
					err := s.Update(func(tx Tx) error {
						if err := tx.Put("items", key, []byte("x")); err != nil {
							return err
						}
						if fail {
							return errBoom
						}
						return nil
					})
					if fail != errors.Is(err, errBoom) || (!fail && err != nil) {
						t.Errorf("Update %s (fail %v) = %v", key, fail, err)
					}
				}
			})
		}
		wg.Wait()
		var want []string
		for w := range workers {
			for i := range each {
				if (w+i)%3 != 0 {
					want = append(want, fmt.Sprintf("%02d/%02d", w, i))
				}
			}
		}
		if got := keys(viewScan(t, s, "items", "", "", 0)); !slices.Equal(got, want) {
			t.Errorf("landed %d keys; want %d: %q", len(got), len(want), got)
		}
	}},
	{"view concurrent with update", func(t *testing.T, s Store) {
		put(t, s, "b", kv{"k", "old"})
		written, release := make(chan struct{}), make(chan struct{})
		done := make(chan error)
		go func() {
			done <- s.Update(func(tx Tx) error {
				if err := tx.Put("b", "k", []byte("new")); err != nil {
					return err
				}
				if err := tx.Put("b", "k2", []byte("new")); err != nil {
					return err
				}
				select {
				case <-written: // a rerun: already signalled
				default:
					close(written)
				}
				<-release
				return nil
			})
		}()
		<-written
		// The Update is open and holds its writes: a View must neither wait
		// for it (the test would hang) nor see its writes.
		if v, _ := get(t, s, "b", "k"); v != "old" {
			t.Errorf("View during Update saw %q; want old", v)
		}
		if _, ok := get(t, s, "b", "k2"); ok {
			t.Error("View during Update saw an uncommitted key")
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if v, _ := get(t, s, "b", "k"); v != "new" {
			t.Errorf("View after Update saw %q; want new", v)
		}
	}},
}

func TestConformance(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, c := range conformance {
				t.Run(c.name, func(t *testing.T) {
					s := e.open(t)
					defer s.Close()
					c.run(t, s)
				})
			}
		})
	}
}

// TestMemoryPoisonsLentValues checks that Memory overwrites the values it
// handed out once the transaction ends, so a caller that keeps them fails in
// tests instead of only in production on Bolt.
func TestMemoryPoisonsLentValues(t *testing.T) {
	m := NewMemory()
	put(t, m, "b", kv{"k", "value"})
	var kept, scanned []byte
	if err := m.View(func(tx Tx) error {
		kept, _ = tx.Get("b", "k")
		return tx.Scan("b", "", "", func(_ string, v []byte) bool { scanned = v; return false })
	}); err != nil {
		t.Fatal(err)
	}
	for _, v := range [][]byte{kept, scanned} {
		if string(v) == "value" || len(v) != len("value") || v[0] != poison {
			t.Errorf("value kept past its transaction is %q; want it poisoned", v)
		}
	}
	if v, _ := get(t, m, "b", "k"); v != "value" {
		t.Errorf("poisoning reached the stored value: %q", v)
	}
}

func TestJSONRecords(t *testing.T) {
	st := NewMemory()
	type rec struct{ N int }
	err := st.Update(func(tx Tx) error {
		for i, k := range []string{"a/1", "a/2", "b/1"} {
			if err := PutJSON(tx, "b", k, rec{i}); err != nil {
				return err
			}
		}
		return tx.Put("b", "a/3", []byte("{"))
	})
	if err != nil {
		t.Fatal(err)
	}
	st.View(func(tx Tx) error {
		var r rec
		if ok, err := GetJSON(tx, "b", "a/2", &r); !ok || err != nil || r.N != 1 {
			t.Errorf("GetJSON a/2: %v %v %+v", ok, err, r)
		}
		if ok, err := GetJSON(tx, "b", "none", &r); ok || err != nil {
			t.Errorf("GetJSON of nothing: %v %v", ok, err)
		}
		if _, err := GetJSON(tx, "b", "a/3", &r); err == nil || !strings.Contains(err.Error(), "corrupt record b/a/3") {
			t.Errorf("GetJSON of a corrupt record: %v", err)
		}
		var seen []int
		err := ScanJSON(tx, "b", "a/", func(_ string, r *rec) bool { seen = append(seen, r.N); return true })
		if len(seen) != 2 || err == nil {
			t.Errorf("ScanJSON: %v, %v", seen, err)
		}
		return nil
	})
}
