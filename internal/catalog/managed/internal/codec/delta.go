package codec

import (
	"bytes"

	"github.com/rolecall/rolecall/internal/catalog/internal/packed"
)

// An older version is stored as the line edits that turn the next newer
// version into it. AWS revises a managed policy by adding or removing a few
// actions, so the edits are tiny next to the document; this is what keeps
// the full history of every policy down to a few MB.
//
// Layout: uvarint hunks, then per hunk:
//
//	uvarint del       base lines to drop
//	uvarint ins       then ins strs: lines to insert
//	uvarint keep      then base lines to copy
//
// A delta must consume the base exactly.

// maxEdit caps the diff's edit distance; a wholesale rewrite beyond it is
// stored as "drop everything, insert the new text", which is what it is.
const maxEdit = 4000

type opKind uint8

const (
	opEqual opKind = iota
	opDelete
	opInsert
)

type op struct {
	kind opKind
	line string // for opInsert
}

func putDelta(b *bytes.Buffer, base, target []string) {
	ops := diff(base, target)
	type hunk struct {
		del  int
		ins  []string
		keep int
	}
	var hunks []hunk
	var cur hunk
	for _, o := range ops {
		switch o.kind {
		case opEqual:
			cur.keep++
			continue
		}
		if cur.keep > 0 {
			hunks = append(hunks, cur)
			cur = hunk{}
		}
		if o.kind == opDelete {
			cur.del++
		} else {
			cur.ins = append(cur.ins, o.line)
		}
	}
	if cur.del > 0 || len(cur.ins) > 0 || cur.keep > 0 {
		hunks = append(hunks, cur)
	}
	packed.PutUvarint(b, uint64(len(hunks)))
	for _, h := range hunks {
		packed.PutUvarint(b, uint64(h.del))
		packed.PutUvarint(b, uint64(len(h.ins)))
		for _, l := range h.ins {
			packed.PutStr(b, l)
		}
		packed.PutUvarint(b, uint64(h.keep))
	}
}

func (r reader) delta(base []string) []string {
	hunks := r.Count()
	out := make([]string, 0, len(base))
	pos := 0
	for i := 0; i < hunks && r.Err() == nil; i++ {
		del := int(r.Uvarint())
		if del < 0 || del > len(base)-pos {
			r.Fail("delta drops past the end of its base")
			return nil
		}
		pos += del
		ins := r.Count()
		for j := 0; j < ins && r.Err() == nil; j++ {
			out = append(out, r.Str())
		}
		keep := int(r.Uvarint())
		if keep < 0 || keep > len(base)-pos {
			r.Fail("delta copies past the end of its base")
			return nil
		}
		out = append(out, base[pos:pos+keep]...)
		pos += keep
	}
	if r.Err() == nil && pos != len(base) {
		r.Fail("delta leaves %d base lines unaccounted for", len(base)-pos)
	}
	if r.Err() != nil {
		return nil
	}
	return out
}

// diff returns the edits turning a into b (Myers' O(ND) greedy algorithm,
// keeping each round's frontier so the path can be walked back).
func diff(a, b []string) []op {
	// Compare interned ints, not strings.
	ids := map[string]int{}
	intern := func(ls []string) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	x, y := intern(a), intern(b)
	n, m := len(x), len(y)
	limit := min(n+m, maxEdit)
	off := limit + 1
	v := make([]int, 2*off+1)
	var trace [][]int
	found := -1
	for d := 0; d <= limit && found < 0; d++ {
		for k := -d; k <= d; k += 2 {
			var px int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				px = v[off+k+1]
			} else {
				px = v[off+k-1] + 1
			}
			py := px - k
			for px < n && py < m && x[px] == y[py] {
				px++
				py++
			}
			v[off+k] = px
			if px >= n && py >= m {
				found = d
				break
			}
		}
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
	}
	if found < 0 {
		ops := make([]op, 0, n+m)
		for range a {
			ops = append(ops, op{kind: opDelete})
		}
		for _, l := range b {
			ops = append(ops, op{kind: opInsert, line: l})
		}
		return ops
	}

	var rev []op
	px, py := n, m
	for d := found; d > 0; d-- {
		prev := trace[d-1] // indexes -(d-1)..(d-1)
		at := func(k int) int { return prev[k+d-1] }
		k := px - py
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		sx := at(pk)
		sy := sx - pk
		for px > sx && py > sy && (pk == k+1 || px-1 > sx) {
			px--
			py--
			rev = append(rev, op{kind: opEqual})
		}
		if pk == k+1 {
			py--
			rev = append(rev, op{kind: opInsert, line: b[py]})
		} else {
			px--
			rev = append(rev, op{kind: opDelete})
		}
	}
	for px > 0 {
		px--
		rev = append(rev, op{kind: opEqual})
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}
