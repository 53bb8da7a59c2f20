package store

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
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

// craftAmplified is a bbolt file of `pages` 4 KiB pages whose one bucket's
// root leaf spans every page after 3 (overflow) and holds `count` elements,
// all pointing their values at (nearly) the whole page.
func craftAmplified(pages, count int) []byte {
	const ps = 4096
	d := make([]byte, pages*ps)
	meta := func(id int, txn uint64) {
		p := d[id*ps:]
		binary.LittleEndian.PutUint64(p, uint64(id))
		binary.LittleEndian.PutUint16(p[8:], 0x04) // meta
		m := p[16:]
		binary.LittleEndian.PutUint32(m, 0xED0CDAED)
		binary.LittleEndian.PutUint32(m[4:], 2)
		binary.LittleEndian.PutUint32(m[8:], ps)
		binary.LittleEndian.PutUint64(m[16:], 2) // root bucket's page
		binary.LittleEndian.PutUint64(m[32:], 0xffffffffffffffff)
		binary.LittleEndian.PutUint64(m[40:], uint64(pages))
		binary.LittleEndian.PutUint64(m[48:], txn)
		h := fnv.New64a()
		h.Write(m[:56])
		binary.LittleEndian.PutUint64(m[56:], h.Sum64())
	}
	meta(0, 1)
	meta(1, 2)
	// page 2: root leaf with one bucket "b" -> root page 3
	p := d[2*ps:]
	binary.LittleEndian.PutUint64(p, 2)
	binary.LittleEndian.PutUint16(p[8:], 0x02)
	binary.LittleEndian.PutUint16(p[10:], 1)
	e := p[16:]
	binary.LittleEndian.PutUint32(e, 0x01)   // bucket leaf
	binary.LittleEndian.PutUint32(e[4:], 16) // pos from element
	binary.LittleEndian.PutUint32(e[8:], 1)
	binary.LittleEndian.PutUint32(e[12:], 16)
	kv := p[32:]
	kv[0] = 'b'
	binary.LittleEndian.PutUint64(kv[1:], 3)
	// page 3: leaf with overflow to the end of the file
	p = d[3*ps:]
	binary.LittleEndian.PutUint64(p, 3)
	binary.LittleEndian.PutUint16(p[8:], 0x02)
	binary.LittleEndian.PutUint16(p[10:], uint16(count))
	binary.LittleEndian.PutUint32(p[12:], uint32(pages-4))
	span := (pages - 3) * ps
	data := 16 + count*16
	for i := 0; i < count; i++ {
		off := 16 + i*16
		kpos := data + i // distinct one-byte keys at distinct places
		p[kpos] = byte(i)
		binary.LittleEndian.PutUint32(p[off+4:], uint32(kpos-off))
		binary.LittleEndian.PutUint32(p[off+8:], 2)
		binary.LittleEndian.PutUint32(p[off+12:], uint32(span-kpos-2))
	}
	return d
}

// TestSalvageIsBoundedByTheFile: a crafted file whose elements overlap,
// each claiming nearly the whole of a page, yields no more record bytes
// than the file holds (it would otherwise hand out the file's size squared).
func TestSalvageIsBoundedByTheFile(t *testing.T) {
	d := craftAmplified(64, 2000)
	n, total := 0, 0
	problems, err := salvageBytes(d, func(_, k string, v []byte) error { n++; total += len(k) + len(v); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if total > len(d) || len(problems) != 1 || !strings.Contains(problems[0], "its records claim more bytes than the file holds") {
		t.Errorf("%d records, %d bytes from a %d-byte file; problems %q", n, total, len(d), problems)
	}
}
