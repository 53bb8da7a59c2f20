package iam

import (
	"bytes"
	"cmp"
	"sync"

	"github.com/rolecall/rolecall/internal/stamp"
	"github.com/rolecall/rolecall/internal/store"
)

// roleCacheSize bounds the roles whose forms a Service keeps: ten accounts
// at IAM's default quota of 1,000 roles, in both cached views.
const roleCacheSize = 20_000

// roleCache keeps each role's ListRoles and GetRole forms next to the
// stored bytes they were made from, so that answering a role costs a byte
// comparison instead of a JSON decode (issue 18). An entry is used only
// while the record's bytes are unchanged, which no write to the role can
// get around: whatever a write changes is in the record (RoleLastUsed
// included). A trust policy naming users or roles also shows their current
// ARNs (displayTrust), which live in other records; such an entry holds
// only while the store's write count (store.Versioned) is the one it was
// made at, and is not kept at all on a store that does not count.
//
// Each entry's role carries a new stamp (package stamp), which is how the
// protocol layer knows it may answer the bytes it encoded for that stamp
// before: the domain says which version a role is, never how it looks on
// the wire. A changed record makes a new entry, so a new stamp, so the old
// bytes are never served again; nothing has to reach into the codec to
// invalidate them. The cache key holds the account (entityKey), so the
// same role name in two accounts is two entries.
type roleCache struct {
	mu      sync.Mutex
	entries map[roleCacheKey]roleEntry
	max     int // 0: roleCacheSize (tests set less)
}

type roleCacheKey struct {
	key  string // the record's store key: account and lower-case name
	view roleView
}

type roleEntry struct {
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

// cachedRole is view v (viewList or viewGet) of the role stored as raw
// under key, from the cache or decoded; gen is the store's write count read
// before the transaction tx began (counted says whether the store counts).
func (s *Service) cachedRole(tx store.Tx, account, key string, raw []byte, v roleView, gen uint64, counted bool) (Role, error) {
	c := &s.roleCache
	ck := roleCacheKey{key, v}
	c.mu.Lock()
	e, ok := c.entries[ck]
	c.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) && (!e.dependent || counted && e.gen == gen) {
		return e.role.copy(), nil
	}
	var r roleRecord
	if err := unmarshal(raw, &r); err != nil {
		return Role{}, err
	}
	role := *r.role(tx, account, v)
	e = roleEntry{raw: bytes.Clone(raw), role: role}
	if len(r.TrustIDs) > 0 {
		if !counted {
			return role, nil
		}
		e.dependent, e.gen = true, gen
	}
	e.role.stamp = stamp.Next()
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[roleCacheKey]roleEntry)
	}
	if _, ok := c.entries[ck]; !ok && len(c.entries) >= cmp.Or(c.max, roleCacheSize) {
		for k := range c.entries { // drop one, any: the bound matters, not the choice
			delete(c.entries, k)
			break
		}
	}
	c.entries[ck] = e
	c.mu.Unlock()
	return e.role.copy(), nil
}

// Stamp says which version of the role this is (package stamp): nonzero
// only for a role from the cache, whose every copy is the same.
func (r *Role) Stamp() uint64 { return r.stamp }

// copy is the role with its own pointed-to members, so that a caller that
// changes what it was given cannot change the cache. (It keeps the stamp:
// a caller must not change a stamped role, see stamp.Stamped.)
func (r Role) copy() Role {
	if r.MaxSessionDuration != nil {
		msd := *r.MaxSessionDuration
		r.MaxSessionDuration = &msd
	}
	if r.PermissionsBoundary != nil {
		b := *r.PermissionsBoundary
		r.PermissionsBoundary = &b
	}
	if r.Tags != nil {
		r.Tags = append([]Tag(nil), r.Tags...)
	}
	if r.RoleLastUsed != nil {
		u := *r.RoleLastUsed
		if u.LastUsedDate != nil {
			d := *u.LastUsedDate
			u.LastUsedDate = &d
		}
		r.RoleLastUsed = &u
	}
	return r
}
