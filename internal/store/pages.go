package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
)

// bbolt's file format, read without bbolt, so that a damaged file can be
// read page by page: bbolt's cursor stops (with a panic) at the first bad
// page of a bucket, and everything after it would be lost. The layout is
// bbolt's (go.etcd.io/bbolt, page.go and db.go): fixed since format
// version 2, in the machine's byte order (little-endian on every platform
// rolecall is built for).
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16 // id u64, flags u16, count u16, overflow u32
	elementSize    = 16 // branch: pos u32, ksize u32, pgid u64; leaf: flags u32, pos u32, ksize u32, vsize u32
	branchPage     = 0x01
	leafPage       = 0x02
	bucketLeaf     = 0x01 // a leaf element that is a nested bucket
	bucketHeader   = 16   // root pgid u64, sequence u64; an inline bucket's page follows
	maxDepth       = 64
)

var le = binary.LittleEndian

var errNoMeta = errors.New("neither of its meta pages is sound, so nothing in it can be found")

// boltMeta is what a meta page says.
type boltMeta struct {
	pageSize        uint32
	root, pgid, txn uint64
}

// metaAt reads the meta page at the start of b, if it is one: magic,
// version and checksum (FNV-64a of the meta before the checksum field)
// must hold.
func metaAt(b []byte) (boltMeta, bool) {
	const m = pageHeaderSize
	if len(b) < m+64 || le.Uint32(b[m:]) != boltMagic || le.Uint32(b[m+4:]) != boltVersion {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	h.Write(b[m : m+56])
	if h.Sum64() != le.Uint64(b[m+56:]) {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: le.Uint32(b[m+8:]), root: le.Uint64(b[m+16:]), pgid: le.Uint64(b[m+40:]), txn: le.Uint64(b[m+48:])}, true
}

// latestMeta is the sound meta page of the later transaction, as bbolt
// chooses it. The second meta page is one page in; the page size is the
// first's, or a common one when the first is damaged.
func latestMeta(data []byte) (boltMeta, bool) {
	best, ok := metaAt(data)
	offsets := []uint32{4096, 16384, 65536, 8192}
	if ok {
		offsets = []uint32{best.pageSize}
	}
	for _, off := range offsets {
		if int(off) >= len(data) {
			continue
		}
		if m, mok := metaAt(data[off:]); mok && m.pageSize == off && (!ok || m.txn > best.txn) {
			best, ok = m, true
		}
	}
	return best, ok && best.pageSize >= 512
}

// pageWalker reads the trees of a bbolt file held in memory; every read is
// bounds-checked, so damage is a problem reported, never a panic.
type pageWalker struct {
	data     []byte
	pageSize uint64
	seen     map[uint64]bool
	problems []string
	// budget is how many more elements may be read, and bytes how many
	// more key and value bytes: a sound file holds no more than one
	// element per 16 bytes, and no more record bytes than it has; a
	// damaged one whose elements overlap could otherwise claim billions
	// of either.
	budget, bytes int
}

// page answers page id's bytes, overflow pages included.
func (w *pageWalker) page(id uint64) ([]byte, error) {
	n := uint64(len(w.data)) / w.pageSize
	if id < 2 || id >= n {
		if id >= n {
			return nil, fmt.Errorf("it is past the end of the file (%d pages): the file was cut short", n)
		}
		return nil, fmt.Errorf("a tree points at meta page %d", id)
	}
	if w.seen[id] {
		return nil, fmt.Errorf("it is reached twice: the tree loops")
	}
	w.seen[id] = true
	p := w.data[id*w.pageSize:]
	if got := le.Uint64(p); got != id {
		return nil, fmt.Errorf("it says it is page %d", got)
	}
	span := (1 + uint64(le.Uint32(p[12:]))) * w.pageSize
	if span > uint64(len(p)) {
		return nil, fmt.Errorf("its overflow runs past the end of the file")
	}
	return p[:span], nil
}

// node hands fn the leaf elements under the page p (a branch or a leaf),
// in key order, reporting each page it cannot read as a problem of
// bucket and going on with the next. fn's error stops the walk.
func (w *pageWalker) node(bucket string, p []byte, depth int, fn func(key, value []byte, flags uint32) error) error {
	flags, count := le.Uint16(p[8:]), int(le.Uint16(p[10:]))
	if pageHeaderSize+count*elementSize > len(p) {
		w.problem(bucket, p, "its elements run past its end")
		return nil
	}
	if w.budget -= count; w.budget < 0 {
		w.problem(bucket, p, "it claims more records than the file can hold")
		return nil
	}
	for i := range count {
		e := pageHeaderSize + i*elementSize
		switch flags {
		case branchPage:
			child := le.Uint64(p[e+8:])
			if depth >= maxDepth {
				w.problem(bucket, p, "the tree is deeper than any bbolt writes")
				return nil
			}
			cp, err := w.page(child)
			if err != nil {
				w.problems = append(w.problems, fmt.Sprintf("bucket %s: page %d lost: %v", bucket, child, err))
				continue
			}
			if err := w.node(bucket, cp, depth+1, fn); err != nil {
				return err
			}
		case leafPage:
			ef, pos, ks, vs := le.Uint32(p[e:]), uint64(le.Uint32(p[e+4:])), uint64(le.Uint32(p[e+8:])), uint64(le.Uint32(p[e+12:]))
			start := uint64(e) + pos
			if start+ks+vs > uint64(len(p)) {
				w.problem(bucket, p, fmt.Sprintf("element %d runs past its end", i))
				return nil
			}
			if w.bytes -= int(ks + vs); w.bytes < 0 {
				w.problem(bucket, p, "its records claim more bytes than the file holds")
				return nil
			}
			if err := fn(p[start:start+ks], p[start+ks:start+ks+vs], ef); err != nil {
				return err
			}
		default:
			w.problem(bucket, p, fmt.Sprintf("it is neither a branch nor a leaf (flags %#x)", flags))
			return nil
		}
	}
	return nil
}

func (w *pageWalker) problem(bucket string, p []byte, what string) {
	w.problems = append(w.problems, fmt.Sprintf("bucket %s: page %d lost: %s", bucket, le.Uint64(p), what))
}

// bucket walks the bucket whose header is v: its own tree, or the page
// inlined after the header.
func (w *pageWalker) bucket(name string, v []byte, fn func(key, value []byte, flags uint32) error) error {
	if len(v) < bucketHeader {
		w.problems = append(w.problems, fmt.Sprintf("bucket %s lost: its header is %d bytes", name, len(v)))
		return nil
	}
	if root := le.Uint64(v); root != 0 {
		p, err := w.page(root)
		if err != nil {
			w.problems = append(w.problems, fmt.Sprintf("bucket %s lost: its root page %d: %v", name, root, err))
			return nil
		}
		return w.node(name, p, 0, fn)
	}
	inline := v[bucketHeader:]
	if len(inline) < pageHeaderSize {
		w.problems = append(w.problems, fmt.Sprintf("bucket %s lost: its inline page is %d bytes", name, len(inline)))
		return nil
	}
	return w.node(name, inline, 0, fn)
}

// salvageBytes hands fn every record of every top-level bucket of the
// bbolt file data that can be read, and answers what could not be.
func salvageBytes(data []byte, fn func(bucket, key string, value []byte) error) (problems []string, err error) {
	m, ok := latestMeta(data)
	if !ok {
		return nil, errNoMeta
	}
	w := &pageWalker{data: data, pageSize: uint64(m.pageSize), seen: map[uint64]bool{}, budget: len(data) / elementSize, bytes: len(data)}
	root := make([]byte, bucketHeader)
	le.PutUint64(root, m.root)
	err = w.bucket("(root)", root, func(name, v []byte, flags uint32) error {
		if flags&bucketLeaf == 0 {
			return nil // bbolt keeps no records at the top level
		}
		bucket := string(name)
		return w.bucket(bucket, v, func(k, v []byte, flags uint32) error {
			if flags&bucketLeaf != 0 {
				return nil // a nested bucket: rolecall writes none
			}
			return fn(bucket, string(k), append([]byte(nil), v...))
		})
	})
	return w.problems, err
}
