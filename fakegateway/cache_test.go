package fakegateway

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestResultCacheTTL(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c := newResultCache(300*time.Second, 10)
	res := &authResult{principalID: "p"}
	c.put("Bearer a", res, t0)
	tests := []struct {
		name  string
		key   string
		at    time.Time
		found bool
	}{
		{"same instant", "Bearer a", t0, true},
		{"just before expiry", "Bearer a", t0.Add(299 * time.Second), true},
		{"other identity", "Bearer b", t0, false},
		{"identity is case-sensitive", "bearer a", t0, false},
		{"at expiry", "Bearer a", t0.Add(300 * time.Second), false},
		{"after expiry stays gone", "Bearer a", t0, false},
	}
	for _, tt := range tests {
		got, ok := c.get(tt.key, tt.at)
		if ok != tt.found || (ok && got != res) {
			t.Errorf("%s: get = (%v, %v), want found=%v", tt.name, got, ok, tt.found)
		}
	}
}

func TestResultCacheReplaceRefreshesExpiry(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	c := newResultCache(10*time.Second, 10)
	c.put("k", &authResult{principalID: "old"}, t0)
	c.put("k", &authResult{principalID: "new"}, t0.Add(8*time.Second))
	got, ok := c.get("k", t0.Add(15*time.Second))
	if !ok || got.principalID != "new" {
		t.Fatalf("get = (%v, %v), want the replacement", got, ok)
	}
	if c.len() != 1 {
		t.Fatalf("len = %d, want 1", c.len())
	}
}

func TestResultCacheBoundedLRU(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	c := newResultCache(time.Hour, 3)
	for _, k := range []string{"a", "b", "c"} {
		c.put(k, &authResult{principalID: k}, t0)
	}
	if _, ok := c.get("a", t0); !ok { // a becomes most recently used
		t.Fatal("a missing")
	}
	c.put("d", &authResult{principalID: "d"}, t0) // evicts b, the least recently used
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, ok := c.get(k, t0); ok != want {
			t.Errorf("get(%s) found=%v, want %v", k, ok, want)
		}
	}
	if c.len() != 3 {
		t.Errorf("len = %d, want 3", c.len())
	}
	c.flush()
	if c.len() != 0 {
		t.Errorf("len after flush = %d", c.len())
	}
	if _, ok := c.get("a", t0); ok {
		t.Error("a survived flush")
	}
}

func TestResultCacheConcurrent(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	c := newResultCache(time.Minute, 50)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				k := fmt.Sprintf("k%d", (g*31+i)%120)
				c.put(k, &authResult{principalID: k}, t0)
				if res, ok := c.get(k, t0); ok && res.principalID != k {
					t.Errorf("get(%s) returned %s", k, res.principalID)
				}
			}
		}(g)
	}
	wg.Wait()
	if n := c.len(); n > 50 {
		t.Fatalf("len = %d, over the bound", n)
	}
}
