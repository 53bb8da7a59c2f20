package resolve

import "sync"

// Cache keeps resolved targets while the store's write count has not
// moved: a warm request reads nothing. The zero Cache (or a nil one)
// keeps nothing.
type Cache struct {
	// Generation is the store's write count (store.Versioned.Generation).
	Generation func() uint64

	mu  sync.Mutex
	gen uint64
	m   map[string]any
}

// cacheMax bounds the cache; past it the map starts again.
const cacheMax = 4096

// get returns what load reads for key, kept under the write count read
// before loading (a reader that saw an older count stores nothing). A key
// built in a byte slice is looked up without a string being made of it.
func get[V any, K string | []byte](c *Cache, key K, load func() (V, error)) (V, error) {
	if c == nil || c.Generation == nil {
		return load()
	}
	g := c.Generation()
	c.mu.Lock()
	if g > c.gen {
		c.gen, c.m = g, nil
	}
	v, ok := c.m[string(key)]
	c.mu.Unlock()
	if ok {
		return v.(V), nil
	}
	nv, err := load()
	if err != nil {
		return nv, err
	}
	c.mu.Lock()
	if c.gen == g {
		if c.m == nil || len(c.m) >= cacheMax {
			c.m = map[string]any{}
		}
		c.m[string(key)] = nv
	}
	c.mu.Unlock()
	return nv, nil
}
