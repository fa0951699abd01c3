package fakegateway

import (
	"crypto/sha256"
	"sync"
)

// Bounds of the per-gateway memos that spare the hot path work whose result depends only on its
// input: matching an identity value against the validation expression and parsing an authorizer's
// output.
const (
	memoEntries  = 512
	memoMaxInput = 16 * 1024 // outputs longer than this are parsed every time
)

// memo is a small bounded map from an input to a deterministic result. Once full, an arbitrary
// entry makes room for the new one; a miss only costs the work the memo would have saved.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

func newMemo[K comparable, V any]() *memo[K, V] {
	return &memo[K, V]{m: make(map[K]V)}
}

func (c *memo[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	return v, ok
}

func (c *memo[K, V]) put(k K, v V) {
	c.mu.Lock()
	if _, ok := c.m[k]; !ok && len(c.m) >= memoEntries {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = v
	c.mu.Unlock()
}

// outputMemo holds the parse of recent function outputs, keyed by the output itself.
type outputMemo[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

func newOutputMemo[V any]() *outputMemo[V] {
	return &outputMemo[V]{m: make(map[string]V)}
}

// parse returns fn(out), from the memo when out was parsed before. fn must be a pure function of
// out whose result is never modified by its callers.
func (c *outputMemo[V]) parse(out []byte, fn func([]byte) V) V {
	if len(out) > memoMaxInput {
		return fn(out)
	}
	c.mu.Lock()
	v, ok := c.m[string(out)]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = fn(out)
	c.mu.Lock()
	if len(c.m) >= memoEntries {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[string(out)] = v
	c.mu.Unlock()
	return v
}

// identityMatcher remembers whether recent identity values matched the validation expression.
// It keys them by SHA-256 digest, like the result cache, so it holds no tokens.
type identityMatcher struct {
	match func(string) bool
	seen  *memo[[sha256.Size]byte, bool]
}

func (m *identityMatcher) matches(identity string) bool {
	k := sha256.Sum256([]byte(identity))
	if ok, found := m.seen.get(k); found {
		return ok
	}
	ok := m.match(identity)
	m.seen.put(k, ok)
	return ok
}
