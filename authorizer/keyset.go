package authorizer

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
	// maxJWKSBytes bounds the JWKS response body.
	maxJWKSBytes = 512 << 10
	// deadlineMargin is kept free before the caller's context deadline: no
	// JWKS fetch or wait runs into it, so a rejection still gets out in time.
	deadlineMargin = 100 * time.Millisecond
	// firstRetry is the wait after a failed fetch before the next may run;
	// it doubles with each further failure, up to the minimum refresh
	// interval, and resets on success.
	firstRetry = time.Second
	// minRSABits and maxRSABits bound the modulus of a usable key.
	minRSABits = 2048
	maxRSABits = 8192
)

// errEmptySet marks a JWKS response that parsed but held no usable key.
var errEmptySet = errors.New("JWKS holds no usable RS256 signing key")

// fetchCall is one JWKS fetch that concurrent callers share.
type fetchCall struct {
	done chan struct{}
	ok   bool // set before done is closed
}

// keySet is the jwkset.Storage that keyfunc/v3 reads keys from: the usable
// keys of one remote JWKS, in a jwkset memory storage, with the
// authorizer's refresh policy in KeyRead.
//
//   - Only RSA keys that jwkset parses and validates, with use "sig" (or
//     none), alg "RS256" (or none), key_ops allowing "verify" (or none), a
//     kid and a 2048..8192-bit modulus are kept; other and malformed entries
//     are ignored one by one.
//   - A fetch that fails, is not a JWKS, or holds no usable key leaves the
//     last good keys in place.
//   - An unknown kid, or keys older than maxAge, trigger a fetch. The first
//     such fetch after init runs at once; after that, at most one per
//     minInterval, so a flood of unknown kids costs the tenant one fetch per
//     interval. The fetch at init does not count.
//   - After a failed fetch (init included) the next may run after
//     firstRetry, doubling with each further failure up to minInterval, so
//     an instance recovers within seconds of a short outage.
//   - Callers that may not fetch fail at once; callers that arrive while a
//     fetch runs share it. A fetch is bounded by timeout and ends
//     deadlineMargin before the deadline of the request that started it; a
//     caller never waits past its own.
type keySet struct {
	*jwkset.MemoryJWKSet // the usable keys; written only by fetches

	url         string
	client      *http.Client
	clock       func() time.Time
	logger      *slog.Logger
	timeout     time.Duration
	minInterval time.Duration
	maxAge      time.Duration

	mu          sync.Mutex
	count       int       // usable keys held
	fetchedAt   time.Time // clock time of the last successful fetch
	demanded    bool      // a request has triggered a fetch since init
	lastDemand  time.Time // when the last such fetch started (while not failing)
	failures    int       // consecutive failed fetches
	lastFailure time.Time // when the last of them ended
	inflight    *fetchCall
}

var _ jwkset.Storage = (*keySet)(nil)

func newKeySet(cfg Config, client *http.Client, clock func() time.Time, logger *slog.Logger) *keySet {
	return &keySet{
		MemoryJWKSet: jwkset.NewMemoryStorage(),
		url:          cfg.JWKSURI,
		client:       client,
		clock:        clock,
		logger:       logger,
		timeout:      cfg.JWKSTimeout,
		minInterval:  cfg.JWKSRefreshMinInterval,
		maxAge:       cfg.JWKSMaxAge,
	}
}

// KeyRead returns the usable key with the given kid, refreshing the set
// under the refresh policy. It returns ErrKeysUnavailable when no usable key
// is known at all and ErrUnknownKey when the kid is not among them.
func (s *keySet) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	now := s.clock()
	jwk, err := s.MemoryJWKSet.KeyRead(ctx, kid)
	known := err == nil
	if known && !s.stale(now) {
		return jwk, nil
	}
	if !s.refresh(ctx, now, true) && known {
		return jwk, nil // stale but kept: the refresh was not allowed or failed
	}
	// Look again even when this caller could not refresh: another caller's
	// fetch may have completed since the first look.
	if jwk, err := s.MemoryJWKSet.KeyRead(ctx, kid); err == nil {
		return jwk, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.count == 0 {
		return jwkset.JWK{}, ErrKeysUnavailable
	}
	return jwkset.JWK{}, ErrUnknownKey
}

// stale reports whether the keys are older than maxAge at clock time now.
func (s *keySet) stale(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Sub(s.fetchedAt) >= s.maxAge
}

// mayFetch reports whether a fetch may start at clock time now; onDemand is
// true for a fetch a request triggers, false for the one at init. Callers
// hold mu.
func (s *keySet) mayFetch(now time.Time, onDemand bool) bool {
	switch {
	case !onDemand:
		return true
	case s.failures > 0:
		return elapsed(s.lastFailure, now, backoff(s.failures, s.minInterval))
	case !s.demanded:
		return true
	}
	return elapsed(s.lastDemand, now, s.minInterval)
}

// elapsed reports whether at least d has passed from since to now. A clock
// that went backwards counts as elapsed, so that it delays one fetch at
// most rather than every fetch until it catches up.
func elapsed(since, now time.Time, d time.Duration) bool {
	return now.Sub(since) >= d || now.Before(since)
}

// refresh fetches the JWKS if the policy allows, or joins a running fetch.
// It reports whether a fetch completed successfully for this caller.
func (s *keySet) refresh(ctx context.Context, now time.Time, onDemand bool) bool {
	budget, ok := fetchDeadline(ctx, s.timeout)
	if !ok {
		return false
	}
	s.mu.Lock()
	call, started := s.inflight, false
	if call == nil {
		if !s.mayFetch(now, onDemand) {
			s.mu.Unlock()
			return false
		}
		if onDemand && s.failures == 0 {
			s.demanded, s.lastDemand = true, now
		}
		call, started = &fetchCall{done: make(chan struct{})}, true
		s.inflight = call
		fctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), budget)
		go func() {
			defer cancel()
			defer close(call.done)
			call.ok = s.fetchAndStore(fctx, call)
		}()
	}
	s.mu.Unlock()

	if started {
		// The fetch itself ends by budget; waiting for it (rather than for a
		// timer) leaves no fetch behind that a later caller could join.
		select {
		case <-call.done:
			return call.ok
		case <-ctx.Done():
			return false
		}
	}
	wait := time.NewTimer(time.Until(budget))
	defer wait.Stop()
	select {
	case <-call.done:
		return call.ok
	case <-ctx.Done():
		return false
	case <-wait.C:
		return false
	}
}

// fetchDeadline is the latest time a fetch or a wait may run until: timeout
// from now, and deadlineMargin before ctx's deadline. ok is false when that
// leaves no time at all.
func fetchDeadline(ctx context.Context, timeout time.Duration) (time.Time, bool) {
	d := time.Now().Add(timeout)
	if cd, has := ctx.Deadline(); has {
		if cd = cd.Add(-deadlineMargin); cd.Before(d) {
			d = cd
		}
	}
	return d, ctx.Err() == nil && time.Until(d) > 0
}

// fetchAndStore runs call: it fetches the JWKS and, if it holds usable keys,
// replaces the stored ones; failures keep the previous keys and set the
// backoff. Either way it logs the outcome and retires call.
func (s *keySet) fetchAndStore(ctx context.Context, call *fetchCall) bool {
	keys, ignored, err := s.fetch(ctx)
	if err == nil {
		err = s.MemoryJWKSet.KeyReplaceAll(ctx, keys)
	}
	s.mu.Lock()
	s.inflight = nil
	kept := s.count
	if err == nil {
		s.count, s.fetchedAt, s.failures = len(keys), s.clock(), 0
	} else {
		s.failures++
		s.lastFailure = s.clock()
	}
	failures := s.failures
	s.mu.Unlock()
	if err != nil {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "jwks refresh",
			slog.String("outcome", "failed"),
			slog.String("url", s.url),
			slog.Int("ignored_keys", ignored),
			slog.Int("kept_keys", kept),
			slog.Int("consecutive_failures", failures),
			slog.Duration("retry_after", backoff(failures, s.minInterval)),
			slog.String("error", err.Error()))
		return false
	}
	s.logger.LogAttrs(ctx, slog.LevelInfo, "jwks refresh",
		slog.String("outcome", "ok"),
		slog.String("url", s.url),
		slog.Int("keys", len(keys)),
		slog.Int("ignored_keys", ignored))
	return true
}

// backoff is the wait after the n-th consecutive failed fetch: firstRetry,
// doubling, at most limit.
func backoff(n int, limit time.Duration) time.Duration {
	d := firstRetry
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// fetch GETs the JWKS (body bounded by maxJWKSBytes) and returns its usable
// keys, each parsed and validated by jwkset, and the number of entries it
// ignored.
func (s *keySet) fetch(ctx context.Context) ([]jwkset.JWK, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("building JWKS request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("fetching JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("fetching JWKS: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("reading JWKS: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, 0, fmt.Errorf("JWKS response exceeds %d bytes", maxJWKSBytes)
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, 0, fmt.Errorf("decoding JWKS: %w", err)
	}
	if doc.Keys == nil {
		return nil, 0, errors.New(`decoding JWKS: no "keys" array`)
	}
	keys := make([]jwkset.JWK, 0, len(doc.Keys))
	ignored := 0
	for _, raw := range doc.Keys {
		k, err := usableKey(raw)
		if err != nil || slices.ContainsFunc(keys, func(have jwkset.JWK) bool { return have.Marshal().KID == k.Marshal().KID }) {
			ignored++
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, ignored, errEmptySet
	}
	return keys, ignored, nil
}

// usableKey parses one JWKS entry with jwkset (public material only, its
// default validation: registered use and key_ops, x5c certificates that
// parse and hold the same key, matching thumbprints, an https x5u) and
// keeps it only if it is an RS256 signing key: RSA, use "sig" (or none),
// alg "RS256" (or none), key_ops holding "verify" (or none), a kid, a
// 2048..8192-bit modulus and an odd public exponent of at least 3.
func usableKey(raw json.RawMessage) (jwkset.JWK, error) {
	k, err := jwkset.NewJWKFromRawJSON(raw, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		return jwkset.JWK{}, err
	}
	m := k.Marshal()
	pub, isRSA := k.Key().(*rsa.PublicKey)
	switch {
	case m.KTY != jwkset.KtyRSA || !isRSA:
		return jwkset.JWK{}, errors.New("not an RSA public key")
	case m.USE != "" && m.USE != jwkset.UseSig:
		return jwkset.JWK{}, errors.New(`use is not "sig"`)
	case m.ALG != "" && m.ALG != jwkset.AlgRS256:
		return jwkset.JWK{}, errors.New(`alg is not "RS256"`)
	case len(m.KEYOPS) > 0 && !slices.Contains(m.KEYOPS, jwkset.KeyOpsVerify):
		return jwkset.JWK{}, errors.New(`key_ops lacks "verify"`)
	case m.KID == "":
		return jwkset.JWK{}, errors.New("no kid")
	case pub.N.BitLen() < minRSABits || pub.N.BitLen() > maxRSABits:
		return jwkset.JWK{}, errors.New("modulus size out of range")
	case pub.E < 3 || pub.E%2 == 0:
		return jwkset.JWK{}, errors.New("bad public exponent")
	}
	return k, nil
}
