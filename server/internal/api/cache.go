package api

import (
	"sync"
	"time"
)

// ttlCache keeps computed answers for a short time, so that a campaign page
// read tens of thousands of times a second costs the database one query a
// second per instance: counts are then at most ttl stale (docs/design.md allows
// one second). A zero ttl disables it (tests).
type ttlCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	mu    sync.Mutex // one computation at a time per key
	at    time.Time
	value any
}

func newTTLCache(ttl time.Duration) *ttlCache {
	return &ttlCache{ttl: ttl, entries: map[string]*cacheEntry{}}
}

// get returns the value for key, computing it with fn when it is missing or
// older than the ttl. Concurrent callers of one key wait for one
// computation rather than each querying the database.
func (c *ttlCache) get(key string, fn func() (any, error)) (any, error) {
	if c.ttl <= 0 {
		return fn()
	}
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		e = &cacheEntry{}
		c.entries[key] = e
	}
	c.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.value != nil && time.Since(e.at) < c.ttl {
		return e.value, nil
	}
	v, err := fn()
	if err != nil {
		if e.value == nil {
			// Forget keys that never had a value, or random slugs would
			// grow the map without bound.
			c.mu.Lock()
			delete(c.entries, key)
			c.mu.Unlock()
		}
		return nil, err
	}
	e.value, e.at = v, time.Now()
	return v, nil
}
