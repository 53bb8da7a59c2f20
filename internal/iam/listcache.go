package iam

import (
	"bytes"
	"cmp"
	"sync"

	"github.com/rolecall/rolecall/internal/store"
)

// listCacheSize bounds the roles whose list form a Service keeps: ten
// accounts at IAM's default quota of 1,000 roles.
const listCacheSize = 10_000

// roleListCache keeps each role's ListRoles form next to the stored bytes
// it was made from, so that a page of roles costs a byte comparison per
// role instead of a JSON decode (issue 18). An entry is used only while the
// record's bytes are unchanged, which no write to the role can get around:
// whatever a write changes is in the record. A trust policy naming users
// or roles also shows their current ARNs (displayTrust), which live in
// other records; such an entry holds only while the store's write count
// (store.Versioned) is the one it was made at, and is not kept at all on a
// store that does not count.
type roleListCache struct {
	mu      sync.Mutex
	entries map[string]roleListEntry
	max     int // 0: listCacheSize (tests set less)
}

type roleListEntry struct {
	raw []byte
	// dependent: the trust policy names users or roles, so the entry holds
	// only at the store's write count gen.
	dependent bool
	gen       uint64
	role      Role
}

// generation is the store's write count, if it counts.
func (s *Service) generation() (uint64, bool) {
	v, ok := s.st.(interface{ Generation() uint64 })
	if !ok {
		return 0, false
	}
	return v.Generation(), true
}

// listedRole is the ListRoles form of the role stored as raw under key, from
// the cache or decoded; gen is the store's write count read before the
// transaction tx began (counted says whether the store counts).
func (s *Service) listedRole(tx store.Tx, account, key string, raw []byte, gen uint64, counted bool) (Role, error) {
	c := &s.listCache
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) && (!e.dependent || counted && e.gen == gen) {
		return e.role.copy(), nil
	}
	var r roleRecord
	if err := unmarshal(raw, &r); err != nil {
		return Role{}, err
	}
	role := *r.role(tx, account, viewList)
	e = roleListEntry{raw: bytes.Clone(raw), role: role}
	if len(r.TrustIDs) > 0 {
		if !counted {
			return role, nil
		}
		e.dependent, e.gen = true, gen
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[string]roleListEntry)
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= cmp.Or(c.max, listCacheSize) {
		for k := range c.entries { // drop one, any: the bound matters, not the choice
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = e
	c.mu.Unlock()
	return role.copy(), nil
}

// copy is the role with its own MaxSessionDuration, so that a caller that
// changes what it was given cannot change the cache.
func (r Role) copy() Role {
	if r.MaxSessionDuration != nil {
		msd := *r.MaxSessionDuration
		r.MaxSessionDuration = &msd
	}
	return r
}
