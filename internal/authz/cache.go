package authz

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/policy"
)

// cache keeps what authorization reads from the store between requests,
// valid while no write has been committed since it was read (Versioned):
// a warm request reads nothing. Without a Versioned store nothing is kept.
type cache struct {
	st *Versioned

	mu         sync.Mutex
	gen        uint64
	principals map[principalKey]*principalEntry
	entities   map[entityKey]*entity
	strs       map[string]string // ECS lookups: task definition ARNs

	// access coalesces Access Advisor notes: AWS keeps them to the minute,
	// so a second note in the same minute changes nothing.
	accessMu sync.Mutex
	access   map[accessKey]int64
}

// cacheMax bounds each map; past it the map starts again.
const cacheMax = 4096

type principalKey struct {
	kind                auth.Kind
	account, name, akid string
}

// principalEntry is a principal's compiled policies and its policy.Caller
// (with its tags).
type principalEntry struct {
	set    *policy.PolicySet
	caller policy.Caller
	// resourceTags: some policy reads aws:ResourceTag/..., so targets'
	// tags must be looked up.
	resourceTags bool
	need         need
}

type entityKey struct {
	account, kind, name string // kind: role, user, group, instance-profile, policy, or "ecs" (name: ARN)
}

// entity is what the request context needs of an IAM entity or ECS
// resource.
type entity struct {
	exists   bool
	path     string
	tags     map[string]string
	boundary string // a role's or user's permissions boundary ARN
}

type accessKey struct{ account, principal, action string }

func newCache(st *Versioned) *cache { return &cache{st: st} }

// generation reads the write count before a read; ok is false when there
// is no cache.
func (c *cache) generation() (uint64, bool) {
	if c == nil || c.st == nil {
		return 0, false
	}
	return c.st.Generation(), true
}

// lockAt locks the cache and clears it if writes happened since it was
// filled (a reader that saw an older count uses what newer readers stored,
// which is fresher still, but stores nothing). Callers unlock.
func (c *cache) lockAt(g uint64) {
	c.mu.Lock()
	if g > c.gen || c.principals == nil {
		c.gen = g
		c.principals = map[principalKey]*principalEntry{}
		c.entities = map[entityKey]*entity{}
		c.strs = map[string]string{}
	}
}

// principal returns p's policies and caller, from the cache when it can.
func (a *Authorizer) principal(ctx context.Context, p *auth.Principal) (*principalEntry, error) {
	c := a.cache
	g, ok := c.generation()
	// A principal is keyed by its access key too: a session's session
	// policies and tags are fixed when it is issued.
	k := principalKey{p.Kind, p.Account, p.Name, p.AccessKeyID}
	ok = ok && p.AccessKeyID != ""
	if ok {
		c.lockAt(g)
		e := c.principals[k]
		c.mu.Unlock()
		if e != nil {
			return e, nil
		}
	}
	set, err := a.policies.For(ctx, p)
	if err != nil {
		return nil, err
	}
	caller, err := a.policies.Caller(ctx, p)
	if err != nil {
		return nil, err
	}
	e := &principalEntry{set: set, caller: caller, resourceTags: readsResourceTags(set), need: needOf(set)}
	if ok {
		c.lockAt(g)
		if c.gen == g {
			if len(c.principals) >= cacheMax {
				c.principals = map[principalKey]*principalEntry{}
			}
			c.principals[k] = e
		}
		c.mu.Unlock()
	}
	return e, nil
}

func readsResourceTags(set *policy.PolicySet) bool {
	check := func(p *policy.Policy) bool {
		if p == nil {
			return false
		}
		for _, k := range p.ContextKeys() {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "aws:resourcetag/") || strings.HasSuffix(strings.SplitN(lk, "/", 2)[0], ":resourcetag") {
				return true
			}
		}
		return false
	}
	for _, p := range set.Identity {
		if check(p) {
			return true
		}
	}
	for _, p := range set.Session {
		if check(p) {
			return true
		}
	}
	return check(set.Boundary) || check(set.Resource)
}

// entity returns what load reads about an entity, from the cache when it
// can.
func (a *Authorizer) entity(k entityKey, load func() (*entity, error)) (*entity, error) {
	c := a.cache
	g, ok := c.generation()
	if ok {
		c.lockAt(g)
		e := c.entities[k]
		c.mu.Unlock()
		if e != nil {
			return e, nil
		}
	}
	e, err := load()
	if err != nil {
		return nil, err
	}
	if ok {
		c.lockAt(g)
		if c.gen == g {
			if len(c.entities) >= cacheMax {
				c.entities = map[entityKey]*entity{}
			}
			c.entities[k] = e
		}
		c.mu.Unlock()
	}
	return e, nil
}

// lookupString caches a string answer (ECS task definition ARNs).
func (a *Authorizer) lookupString(key string, load func() (string, error)) (string, error) {
	c := a.cache
	g, ok := c.generation()
	if ok {
		c.lockAt(g)
		v, hit := c.strs[key]
		c.mu.Unlock()
		if hit {
			return v, nil
		}
	}
	v, err := load()
	if err != nil {
		return "", err
	}
	if ok {
		c.lockAt(g)
		if c.gen == g {
			if len(c.strs) >= cacheMax {
				c.strs = map[string]string{}
			}
			c.strs[key] = v
		}
		c.mu.Unlock()
	}
	return v, nil
}

// accessDue reports whether an Access Advisor note for principal and
// action at now is not yet made this minute, and counts it as made.
func (c *cache) accessDue(account, principal, action string, now time.Time) bool {
	if c == nil {
		return true
	}
	minute := now.Unix() / 60
	k := accessKey{account, principal, action}
	c.accessMu.Lock()
	defer c.accessMu.Unlock()
	if c.access == nil || len(c.access) >= cacheMax {
		c.access = map[accessKey]int64{}
	}
	if m, ok := c.access[k]; ok && m == minute {
		return false
	}
	c.access[k] = minute
	return true
}
