package authz

import (
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/principal"
)

// cache keeps what authorization reads from IAM between requests, valid
// while no write has been committed since it was read (the store's write
// count): a warm request reads nothing. Without a count nothing is kept
// but compiled documents, which depend on their text alone.
type cache struct {
	generation func() uint64

	mu         sync.Mutex
	gen        uint64
	principals map[principalKey]*principalEntry

	compiled compiled

	// access coalesces Access Advisor notes: AWS keeps them to the minute,
	// so a second note in the same minute changes nothing.
	accessMu sync.Mutex
	access   map[accessKey]int64
}

// cacheMax bounds each map; past it the map starts again.
const cacheMax = 4096

type principalKey struct {
	kind                principal.Kind
	account, name, akid string
}

type accessKey struct{ account, principal, action string }

func newCache(generation func() uint64) *cache { return &cache{generation: generation} }

// cached returns m[k], or what load reads, kept under the write count read
// before loading (a reader that saw an older count uses what newer
// readers stored, which is fresher still, but stores nothing).
func cached[K comparable, V any](c *cache, m *map[K]V, k K, load func() (V, error)) (V, error) {
	if c.generation == nil {
		return load()
	}
	g := c.generation()
	c.lockAt(g)
	v, ok := (*m)[k]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.lockAt(g)
	if c.gen == g {
		if *m == nil || len(*m) >= cacheMax {
			*m = map[K]V{}
		}
		(*m)[k] = v
	}
	c.mu.Unlock()
	return v, nil
}

// lockAt locks the cache and clears it if writes happened since it was
// filled. Callers unlock.
func (c *cache) lockAt(g uint64) {
	c.mu.Lock()
	if g > c.gen {
		c.gen = g
		c.principals = nil
	}
}

// accessDue reports whether an Access Advisor note for principal and
// action at now is not yet made this minute, and counts it as made.
func (c *cache) accessDue(account, principal, action string, now time.Time) bool {
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
