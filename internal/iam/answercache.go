package iam

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rolecall/rolecall/internal/stamp"
	"github.com/rolecall/rolecall/internal/store"
)

// answerCacheSize bounds the answers an answerCache keeps: ten accounts at
// IAM's default quota of 1,000 roles, in both of a role's cached views.
const answerCacheSize = 20_000

// answerCache keeps views of stored records (a role as ListRoles and as
// GetRole show it, a user as ListUsers does) next to the stored bytes they
// were made from, so that answering a record costs a byte comparison
// instead of a JSON decode (issue 18). An entry is used only while the
// record's bytes are unchanged, which no write to the record can get
// around: whatever a write changes is in the record (a role's RoleLastUsed
// included). A view that shows other records too (a trust policy showing
// the current ARNs of the users and roles it names, an instance profile
// its roles) is dependent: it holds only while the store's write count
// (store.Versioned) is the one it was made at, and is not kept at all on a
// store that does not count.
//
// Each entry's view carries a new stamp (package stamp), which is how the
// protocol layer knows it may answer the bytes it encoded for that stamp
// before: the domain says which version an answer is, never how it looks
// on the wire. A changed record makes a new entry, so a new stamp, so the
// old bytes are never served again; nothing has to reach into the codec to
// invalidate them. The key holds the account (entityKey), so the same name
// in two accounts is two entries.
type answerCache[T any] struct {
	mu      sync.RWMutex                  // read-locked to look up: a page looks up 100 records
	entries map[answerKey]*answerEntry[T] // never changed once kept: a lookup copies nothing
	max     int                           // 0: answerCacheSize (tests set less)
	// last is the entry heldAnswer answered last: a client asks for the
	// same record again and again, and finding it here takes neither the
	// read lock (memory every core writes to) nor hashing its key. It is
	// one more way to find an entry, never a reason to answer it.
	last atomic.Pointer[answerEntry[T]]
}

type answerKey struct {
	key  string // the record's store key: account and lower-case name
	view int
}

type answerEntry[T any] struct {
	key       answerKey
	raw       []byte
	dependent bool // holds only at the store's write count gen
	gen       uint64
	val       T
	sum       string // in tests: val as made (checkKept)
	// held is 1 + the store's write count at which heldAnswer last found
	// the store holding raw (0: never): until the count moves, no write
	// can have changed the record, and heldAnswer need not look again.
	held atomic.Uint64
}

// answer is what an answerCache keeps: a value it can stamp and copy.
type answer[T any] interface {
	*T
	setStamp(uint64)
	// copy is the value with its own pointed-to members, so that a
	// caller that changes what it was given cannot change the cache. (It
	// keeps the stamp: a caller must not change a stamped value, see
	// stamp.Stamped.)
	copy() T
}

// readGen is the store's write count before a transaction, if it counts:
// what a dependent answer is checked against.
type readGen struct {
	gen     uint64
	counted bool
}

// generation is the store's write count, read before the transaction that
// the answers are made in.
func (s *Service) generation() readGen {
	v, ok := s.st.(interface{ Generation() uint64 })
	if !ok {
		return readGen{}
	}
	return readGen{v.Generation(), true}
}

// cachedAnswer is view of the record stored as raw under key, from c or
// made by mk, which says whether it shows other records (dependent): a
// copy of the kept answer, the caller's to change.
func cachedAnswer[T any, P answer[T]](c *answerCache[T], key string, view int, raw []byte, g readGen, mk func() (T, bool, error)) (T, error) {
	v, err := keptAnswer[T, P](c, key, view, raw, g, mk)
	if err != nil {
		var zero T
		return zero, err
	}
	return P(v).copy(), nil
}

// keptAnswer is cachedAnswer's answer itself, not a copy: shared by every
// caller, who must change neither it nor what it points to (in tests a
// kept answer that changed fails its next lookup: checkKept).
func keptAnswer[T any, P answer[T]](c *answerCache[T], key string, view int, raw []byte, g readGen, mk func() (T, bool, error)) (*T, error) {
	k := answerKey{key, view}
	e := c.current(k, g)
	if e != nil && bytes.Equal(e.raw, raw) {
		checkKept(e)
		return &e.val, nil
	}
	v, dependent, err := mk()
	if err != nil || dependent && !g.counted {
		return &v, err
	}
	e = &answerEntry[T]{key: k, raw: bytes.Clone(raw), dependent: dependent, gen: g.gen, val: v}
	P(&e.val).setStamp(stamp.Next())
	if checkingKept() {
		e.sum = keptSum(&e.val)
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[answerKey]*answerEntry[T])
	}
	if _, ok := c.entries[k]; !ok && len(c.entries) >= cmp.Or(c.max, answerCacheSize) {
		for k := range c.entries { // drop one, any: the bound matters, not the choice
			delete(c.entries, k)
			break
		}
	}
	c.entries[k] = e
	c.mu.Unlock()
	return &e.val, nil
}

// current is c's entry for k, if it holds at the store's write count g
// (a dependent one only at the count it was made at); whether its bytes
// are still the record's is for the caller to check.
func (c *answerCache[T]) current(k answerKey, g readGen) *answerEntry[T] {
	c.mu.RLock()
	e := c.entries[k]
	c.mu.RUnlock()
	return e.at(g)
}

// at is e if it holds at the store's write count g; nil if not, or if e
// is nil.
func (e *answerEntry[T]) at(g readGen) *answerEntry[T] {
	if e == nil || e.dependent && !(g.counted && e.gen == g.gen) {
		return nil
	}
	return e
}

// heldAnswer is keptAnswer's kept answer for the record under key in
// bucket, found without a transaction: only while h holds the very bytes
// it was made from (and, if dependent, at the count it was made at), which
// a write to the record cannot get around. false: read as keptAnswer does.
func heldAnswer[T any](c *answerCache[T], h store.Holder, bucket string, key []byte, view int, g readGen) (*T, bool) {
	if e := c.last.Load(); e != nil && e.key.view == view && e.key.key == string(key) && e.holds(h, bucket, g) {
		return &e.val, true
	}
	c.mu.RLock()
	e := c.entries[answerKey{string(key), view}] // string(key) makes no string here
	c.mu.RUnlock()
	if e == nil || !e.holds(h, bucket, g) {
		return nil, false
	}
	c.last.Store(e)
	return &e.val, true
}

// holds says whether e is the answer for what h holds under its key in
// bucket at the store's write count g: its bytes are the record's, and,
// if it is dependent, g is the count it was made at.
func (e *answerEntry[T]) holds(h store.Holder, bucket string, g readGen) bool {
	if e.at(g) == nil {
		return false
	}
	// A store that counts its writes counts one after its commit and
	// before it is acknowledged (store.Versioned): a count read before the
	// look is never newer than the bytes looked at, and a write that any
	// caller was told of has moved it.
	if !g.counted || e.held.Load() != g.gen+1 {
		if !h.Holds(bucket, e.key.key, e.raw) {
			return false
		}
		if g.counted {
			e.held.Store(g.gen + 1)
		}
	}
	checkKept(e)
	return true
}

// checkingKept: tests check that no one changed a kept answer, which
// every later caller would be answered.
var checkingKept = sync.OnceValue(store.TestChecks)

func keptSum(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func checkKept[T any](e *answerEntry[T]) {
	if checkingKept() && keptSum(&e.val) != e.sum {
		panic(fmt.Sprintf("iam: a kept answer was changed: %s, was %s", keptSum(&e.val), e.sum))
	}
}

// cachedRole is view v (viewList or viewGet) of the role stored as raw under
// key, kept: see keptAnswer.
func (s *Service) cachedRole(tx store.Tx, account, key string, raw []byte, v roleView, g readGen) (*Role, error) {
	return keptAnswer(&s.roles, key, int(v), raw, g, func() (Role, bool, error) {
		var r roleRecord
		if err := unmarshal(raw, &r); err != nil {
			return Role{}, false, err
		}
		return *r.role(tx, account, v), len(r.TrustIDs) > 0, nil
	})
}

func (r Role) copy() Role {
	r.MaxSessionDuration = clonePtr(r.MaxSessionDuration)
	r.PermissionsBoundary = clonePtr(r.PermissionsBoundary)
	r.Tags = cloneTags(r.Tags)
	if r.RoleLastUsed != nil {
		u := *r.RoleLastUsed
		u.LastUsedDate = clonePtr(u.LastUsedDate)
		r.RoleLastUsed = &u
	}
	return r
}

func (u User) copy() User {
	u.PasswordLastUsed = clonePtr(u.PasswordLastUsed)
	u.PermissionsBoundary = clonePtr(u.PermissionsBoundary)
	u.Tags = cloneTags(u.Tags)
	return u
}

func (p InstanceProfile) copy() InstanceProfile {
	if p.Roles != nil {
		rs := make([]Role, len(p.Roles))
		for i, r := range p.Roles {
			rs[i] = r.copy()
		}
		p.Roles = rs
	}
	p.Tags = cloneTags(p.Tags)
	return p
}

func (d UserDetail) copy() UserDetail {
	d.UserPolicyList = slices.Clone(d.UserPolicyList)
	d.GroupList = slices.Clone(d.GroupList)
	d.AttachedManagedPolicies = slices.Clone(d.AttachedManagedPolicies)
	d.PermissionsBoundary = clonePtr(d.PermissionsBoundary)
	d.Tags = cloneTags(d.Tags)
	return d
}

func (d GroupDetail) copy() GroupDetail {
	d.GroupPolicyList = slices.Clone(d.GroupPolicyList)
	d.AttachedManagedPolicies = slices.Clone(d.AttachedManagedPolicies)
	return d
}

func (d RoleDetail) copy() RoleDetail {
	// The role's view and its copy give the shared members their own.
	r := Role{PermissionsBoundary: d.PermissionsBoundary, Tags: d.Tags, RoleLastUsed: d.RoleLastUsed}.copy()
	d.PermissionsBoundary, d.Tags, d.RoleLastUsed = r.PermissionsBoundary, r.Tags, r.RoleLastUsed
	if d.InstanceProfileList != nil {
		ps := make([]InstanceProfile, len(d.InstanceProfileList))
		for i, p := range d.InstanceProfileList {
			ps[i] = p.copy()
		}
		d.InstanceProfileList = ps
	}
	d.RolePolicyList = slices.Clone(d.RolePolicyList)
	d.AttachedManagedPolicies = slices.Clone(d.AttachedManagedPolicies)
	return d
}

func (d ManagedPolicyDetail) copy() ManagedPolicyDetail {
	d.PolicyVersionList = slices.Clone(d.PolicyVersionList)
	return d
}

// stamped is embedded in every value an answerCache keeps: its Stamp says
// which version the value is (package stamp), nonzero only for a value
// from the cache, whose every copy is the same.
type stamped struct{ stamp uint64 }

func (s *stamped) Stamp() uint64     { return s.stamp }
func (s *stamped) setStamp(v uint64) { s.stamp = v }

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneTags(t []Tag) []Tag {
	if t == nil {
		return nil
	}
	return append([]Tag{}, t...) // empty stays empty, not nil: GetAccountAuthorizationDetails answers <Tags/>
}
