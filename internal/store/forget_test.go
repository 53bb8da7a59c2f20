package store

import (
	"errors"
	"slices"
	"testing"
)

// TestClear: every record goes but the format header, in one transaction:
// a failing transaction keeps everything, and the buckets written in the
// same transaction before the Clear go too.
func TestClear(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			s := e.open(t)
			defer s.Close()
			if err := s.Update(func(tx Tx) error { return WriteFormat(tx, Format{Version: 1, Writer: "test"}) }); err != nil {
				t.Fatal(err)
			}
			put(t, s, "a", kv{"1", "x"}, kv{"2", "y"})
			put(t, s, "b", kv{"k", "z"})

			err := s.Update(func(tx Tx) error {
				if err := Clear(tx); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatal(err)
			}
			if v, ok := get(t, s, "a", "1"); !ok || v != "x" {
				t.Fatalf("a failed Clear lost a/1: %q %v", v, ok)
			}

			if err := s.Update(func(tx Tx) error {
				if err := tx.Put("c", "new", []byte("v")); err != nil {
					return err
				}
				return Clear(tx)
			}); err != nil {
				t.Fatal(err)
			}
			for _, b := range []string{"a", "b", "c"} {
				if got := viewScan(t, s, b, "", "", 0); len(got) != 0 {
					t.Errorf("bucket %s after Clear: %v", b, got)
				}
			}
			f, ok, err := ReadFormat(s)
			if err != nil || !ok || f.Version != 1 || f.Writer != "test" {
				t.Errorf("format header after Clear: %+v %v %v", f, ok, err)
			}
			put(t, s, "a", kv{"3", "w"})
			if v, ok := get(t, s, "a", "3"); !ok || v != "w" {
				t.Errorf("a write after Clear: %q %v", v, ok)
			}
		})
	}
}

func TestDeleteIf(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			s := e.open(t)
			defer s.Close()
			put(t, s, "b", kv{"111/a", "1"}, kv{"111/b", "2"}, kv{"1112/c", "3"}, kv{"222/a", "4"})
			if err := s.Update(func(tx Tx) error { return DeletePrefix(tx, "b", "111/") }); err != nil {
				t.Fatal(err)
			}
			if got := keys(viewScan(t, s, "b", "", "", 0)); !slices.Equal(got, []string{"1112/c", "222/a"}) {
				t.Errorf("after DeletePrefix 111/: %v", got)
			}
			if err := s.Update(func(tx Tx) error {
				return DeleteIf(tx, "b", "", func(_ string, v []byte) (bool, error) { return string(v) == "4", nil })
			}); err != nil {
				t.Fatal(err)
			}
			if got := keys(viewScan(t, s, "b", "", "", 0)); !slices.Equal(got, []string{"1112/c"}) {
				t.Errorf("after DeleteIf 4: %v", got)
			}
			err := s.Update(func(tx Tx) error {
				return DeleteIf(tx, "b", "", func(string, []byte) (bool, error) { return false, errBoom })
			})
			if !errors.Is(err, errBoom) {
				t.Errorf("a failing match: %v", err)
			}
			put(t, s, "j", kv{"k", `{"A":"x"}`}, kv{"l", `{"A":"y"}`})
			if err := s.Update(func(tx Tx) error {
				return DeleteJSONIf(tx, "j", func(_ string, v *struct{ A string }) bool { return v.A == "x" })
			}); err != nil {
				t.Fatal(err)
			}
			if got := keys(viewScan(t, s, "j", "", "", 0)); !slices.Equal(got, []string{"l"}) {
				t.Errorf("after DeleteJSONIf: %v", got)
			}
			put(t, s, "j", kv{"m", `not json`})
			if err := s.Update(func(tx Tx) error {
				return DeleteJSONIf(tx, "j", func(string, *struct{ A string }) bool { return true })
			}); err == nil {
				t.Error("DeleteJSONIf of a record that is no JSON succeeded")
			}
			if err := s.View(func(tx Tx) error {
				names, err := Buckets(tx)
				if err == nil && !slices.Equal(names, []string{"b", "j"}) {
					t.Errorf("Buckets: %v", names)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
