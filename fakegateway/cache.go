package fakegateway

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"
)

// DefaultAuthorizerCacheSize bounds the authorizer result cache unless WithAuthorizerCacheSize
// says otherwise.
const DefaultAuthorizerCacheSize = 10_000

// resultCache caches authorizer results (Allow and Deny policies alike) per identity value for a
// TTL, as API Gateway does when authorizerResultTtlInSeconds > 0. Keys are SHA-256 digests of the
// identity value, so the cache holds no tokens. It is bounded: the least recently used entry goes
// first once it is full.
type resultCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[[sha256.Size]byte]*list.Element
	order   *list.List // front = most recently used
}

type cacheEntry struct {
	key     [sha256.Size]byte
	result  *authResult
	expires time.Time
}

func newResultCache(ttl time.Duration, max int) *resultCache {
	return &resultCache{ttl: ttl, max: max, entries: map[[sha256.Size]byte]*list.Element{}, order: list.New()}
}

func cacheKey(identity string) [sha256.Size]byte { return sha256.Sum256([]byte(identity)) }

// get returns the live result for identity, if any.
func (c *resultCache) get(identity string, now time.Time) (*authResult, bool) {
	k := cacheKey(identity)
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.entries, k)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e.result, true
}

// put stores a result for identity until now+TTL.
func (c *resultCache) put(identity string, res *authResult, now time.Time) {
	k := cacheKey(identity)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[k]; ok {
		e := el.Value.(*cacheEntry)
		e.result, e.expires = res, now.Add(c.ttl)
		c.order.MoveToFront(el)
		return
	}
	c.entries[k] = c.order.PushFront(&cacheEntry{key: k, result: res, expires: now.Add(c.ttl)})
	for c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheEntry).key)
	}
}

// flush empties the cache.
func (c *resultCache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[[sha256.Size]byte]*list.Element{}
	c.order.Init()
}

// len reports the number of entries, live or not yet swept.
func (c *resultCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
