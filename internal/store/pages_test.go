package store

import (
	"fmt"
	"os"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestSalvageLosesOnlyTheDamagedPage: a zeroed leaf page loses the
// records on it and no others; the problem names the bucket and the page.
func TestSalvageLosesOnlyTheDamagedPage(t *testing.T) {
	path := seeded(t)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var root uint64
	db.View(func(tx *bolt.Tx) error {
		root = uint64(tx.Bucket([]byte("bucket1")).RootPage())
		return nil
	})
	db.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	count := func(data []byte) (map[string]int, []string) {
		n := map[string]int{}
		problems, err := salvageBytes(data, func(bucket, _ string, _ []byte) error { n[bucket]++; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return n, problems
	}
	whole, problems := count(data)
	if whole["bucket0"] != 700 || whole["bucket1"] != 700 || whole["bucket2"] != 600 || problems != nil {
		t.Fatalf("a sound file salvages %v, problems %v", whole, problems)
	}

	// The bucket's root is a branch; its second child is a leaf.
	const ps = 4096
	rp := data[root*ps:]
	if le.Uint16(rp[8:]) != branchPage {
		t.Fatalf("bucket1's root page %d is no branch", root)
	}
	leaf := le.Uint64(rp[pageHeaderSize+elementSize+8:])
	lp := data[leaf*ps:]
	onLeaf := int(le.Uint16(lp[10:]))
	if le.Uint16(lp[8:]) != leafPage || onLeaf == 0 {
		t.Fatalf("page %d is no leaf", leaf)
	}
	clear(lp[:ps])

	got, problems := count(data)
	if got["bucket0"] != 700 || got["bucket2"] != 600 || got["bucket1"] != 700-onLeaf {
		t.Errorf("salvaged %v after losing %d records of bucket1", got, onLeaf)
	}
	if want := fmt.Sprintf("bucket bucket1: page %d lost: it says it is page 0", leaf); len(problems) != 1 || problems[0] != want {
		t.Errorf("problems %q, want %q", problems, want)
	}
}

// FuzzSalvage: whatever bytes a file holds, salvage reads what it can and
// never panics.
func FuzzSalvage(f *testing.F) {
	dir := f.TempDir()
	b, err := OpenBolt(dir+"/seed.db", BoltOptions{})
	if err != nil {
		f.Fatal(err)
	}
	b.Update(func(tx Tx) error { return tx.Put("b", "k", []byte(`{"v":1}`)) })
	b.Close()
	seed, _ := os.ReadFile(dir + "/seed.db")
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		salvageBytes(data, func(string, string, []byte) error { return nil })
	})
}
