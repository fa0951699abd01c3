package main

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
)

const (
	// fetchTimeout bounds one JWKS request; the invocation's deadline
	// (minus fetchMargin) bounds it further.
	fetchTimeout = 2 * time.Second
	fetchMargin  = 250 * time.Millisecond
	// maxJWKSBytes bounds the JWKS body.
	maxJWKSBytes = 1 << 20
)

// keyStore is a jwkset.Storage holding the tenant's RSA signing keys. A
// lookup that misses refreshes the set from the tenant, at most once per
// minInterval; a failed or empty refresh keeps the last good keys.
type keyStore struct {
	*jwkset.MemoryJWKSet

	uri         string
	client      *http.Client
	minInterval time.Duration
	flaw        flaw
	logger      *slog.Logger

	mu        sync.Mutex // serializes refreshes and guards lastFetch
	lastFetch time.Time  // when the last limited (on-demand) fetch started
}

func newKeyStore(uri string, client *http.Client, minInterval time.Duration, f flaw, logger *slog.Logger) *keyStore {
	return &keyStore{
		MemoryJWKSet: jwkset.NewMemoryStorage(),
		uri:          uri,
		client:       client,
		minInterval:  minInterval,
		flaw:         f,
		logger:       logger,
	}
}

// KeyRead returns the key named kid, refreshing the set once if it is not
// there.
func (s *keyStore) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	jwk, err := s.MemoryJWKSet.KeyRead(ctx, kid)
	if !errors.Is(err, jwkset.ErrKeyNotFound) {
		return jwk, err
	}
	loaded := s.loaded(ctx)
	if s.flaw == noRefreshUnknownKid && loaded {
		return jwk, err
	}
	if !s.refresh(ctx, s.flaw != refreshUnlimited && !(s.flaw == emptyRefreshAlways && !loaded)) {
		return jwk, err
	}
	return s.MemoryJWKSet.KeyRead(ctx, kid)
}

// KeyReadAll returns every key, refreshing the set first if it is empty.
func (s *keyStore) KeyReadAll(ctx context.Context) ([]jwkset.JWK, error) {
	if !s.loaded(ctx) {
		s.refresh(ctx, s.flaw != emptyRefreshAlways)
	}
	return s.MemoryJWKSet.KeyReadAll(ctx)
}

// loaded reports whether the store holds any key.
func (s *keyStore) loaded(ctx context.Context) bool {
	keys, err := s.MemoryJWKSet.KeyReadAll(ctx)
	return err == nil && len(keys) > 0
}

// refresh fetches the key set unless limited and the last limited fetch
// was less than minInterval ago: like keyfunc/v3's limiter, the fetch at
// init does not count, so the first unknown kid after it refreshes at once.
// It reports whether the keys were replaced.
func (s *keyStore) refresh(ctx context.Context, limited bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if limited {
		if !s.lastFetch.IsZero() && time.Since(s.lastFetch) < s.minInterval {
			return false
		}
		s.lastFetch = time.Now()
	}
	keys, err := s.fetch(ctx)
	if err != nil {
		s.logger.Warn("jwks", slog.String("reason", "fetch_failed"), slog.String("error", err.Error()))
		return false
	}
	if len(keys) == 0 && s.flaw != emptyRefreshWipes {
		s.logger.Warn("jwks", slog.String("reason", "empty_set"))
		return false
	}
	if err := s.KeyReplaceAll(ctx, keys); err != nil {
		return false
	}
	s.logger.Info("jwks", slog.String("reason", "refreshed"), slog.Int("keys", len(keys)))
	return true
}

// fetch reads the tenant's JWKS and keeps its usable RSA signing keys.
func (s *keyStore) fetch(ctx context.Context) ([]jwkset.JWK, error) {
	if s.flaw == jwksNoTimeout {
		ctx = context.WithoutCancel(ctx)
	} else {
		timeout := fetchTimeout
		if deadline, ok := ctx.Deadline(); ok {
			timeout = min(timeout, time.Until(deadline)-fetchMargin)
		}
		if timeout <= 0 {
			return nil, errors.New("no time left before the deadline")
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.uri, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes))
	if err != nil {
		return nil, err
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("decoding the JWKS: %w", err)
	}
	var keys []jwkset.JWK
	for _, raw := range set.Keys {
		jwk, err := jwkset.NewJWKFromRawJSON(raw, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			continue
		}
		m := jwk.Marshal()
		if _, ok := jwk.Key().(*rsa.PublicKey); ok && s.flaw == jwksAnyKey {
			keys = append(keys, jwk)
			continue
		}
		if m.KTY != jwkset.KtyRSA || (m.USE != "" && m.USE != jwkset.UseSig) || (m.ALG != "" && m.ALG != jwkset.AlgRS256) || m.KID == "" {
			continue
		}
		if len(m.KEYOPS) > 0 && !slices.Contains(m.KEYOPS, jwkset.KeyOpsVerify) {
			continue
		}
		if pub, ok := jwk.Key().(*rsa.PublicKey); !ok || pub.N.BitLen() < 2048 {
			continue
		}
		keys = append(keys, jwk)
	}
	return keys, nil
}
