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
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
)

const (
	// maxJWKSBytes bounds the JWKS response body.
	maxJWKSBytes = 512 << 10
	// deadlineMargin is kept free before the caller's context deadline: no
	// JWKS fetch or wait runs into it, so a rejection still gets out in time.
	deadlineMargin = 100 * time.Millisecond
	// minRSABits and maxRSABits bound the modulus of a usable key.
	minRSABits = 2048
	maxRSABits = 8192
)

// errEmptySet marks a JWKS response that parsed but held no usable key.
var errEmptySet = errors.New("JWKS holds no usable RS256 signing key")

// keySnapshot is an immutable view of the usable keys.
type keySnapshot struct {
	byKID     map[string]*rsa.PublicKey
	keys      []usableKey // in JWKS order
	fetchedAt time.Time   // clock time of the fetch that produced it; zero if never fetched
}

// fetchCall is one JWKS fetch that concurrent callers share.
type fetchCall struct {
	done chan struct{}
	ok   bool // set before done is closed
}

// keySet is a jwkset.Storage over one remote JWKS with the authorizer's
// refresh policy:
//
//   - only RSA keys with use "sig" (or none), alg "RS256" (or none), key_ops
//     allowing "verify" (or none), a kid, and a 2048..8192-bit modulus are
//     kept (parseJWK: the entries jwkset accepts, x5c and thumbprints
//     checked); other and malformed entries are ignored one by one, and the
//     Storage methods serve the kept keys normalised to use "sig" and alg
//     "RS256";
//   - a fetch that fails, is not a JWKS, or holds no usable key leaves the
//     last good keys in place;
//   - an unknown kid, or a key older than maxAge, triggers a fetch, but fetch
//     attempts are at least minInterval apart (by the injected clock);
//     callers that may not fetch fail at once, callers that arrive while a
//     fetch runs share it (waiting at most until their own deadline);
//   - a fetch is bounded by timeout and ends deadlineMargin before the
//     deadline of the context that started it.
type keySet struct {
	url         string
	client      *http.Client
	clock       func() time.Time
	logger      *slog.Logger
	timeout     time.Duration
	minInterval time.Duration
	maxAge      time.Duration

	snap atomic.Pointer[keySnapshot]

	mu          sync.Mutex
	attempted   bool
	lastAttempt time.Time
	inflight    *fetchCall
}

var _ jwkset.Storage = (*keySet)(nil)

func newKeySet(cfg Config, client *http.Client, clock func() time.Time, logger *slog.Logger) *keySet {
	s := &keySet{
		url:         cfg.JWKSURI,
		client:      client,
		clock:       clock,
		logger:      logger,
		timeout:     cfg.JWKSTimeout,
		minInterval: cfg.JWKSRefreshMinInterval,
		maxAge:      cfg.JWKSMaxAge,
	}
	s.snap.Store(newSnapshot(nil, time.Time{}))
	return s
}

func newSnapshot(keys []usableKey, fetchedAt time.Time) *keySnapshot {
	s := &keySnapshot{byKID: make(map[string]*rsa.PublicKey, len(keys)), keys: keys, fetchedAt: fetchedAt}
	for _, k := range keys {
		s.byKID[k.kid] = k.pub
	}
	return s
}

// KeyRead returns the usable key with the given kid, refreshing the set
// under the refresh policy. It returns ErrKeysUnavailable when no usable key
// is known at all and ErrUnknownKey when the kid is not among them.
func (s *keySet) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	pub, err := s.read(ctx, kid, s.clock())
	if err != nil {
		return jwkset.JWK{}, err
	}
	return usableKey{kid: kid, pub: pub}.jwk()
}

// publicKey is KeyRead for verification, at clock time now: the usable key
// named kid, ready for rsa.VerifyPKCS1v15. A fresh known kid costs one map
// lookup and no allocation.
func (s *keySet) publicKey(ctx context.Context, kid []byte, now time.Time) (*rsa.PublicKey, error) {
	snap := s.snap.Load()
	if pub, ok := snap.byKID[string(kid)]; ok && now.Sub(snap.fetchedAt) < s.maxAge {
		return pub, nil
	}
	return s.read(ctx, string(kid), now)
}

// read looks kid up at clock time now, refreshing the set when it is
// unknown or the keys are older than maxAge (as the policy allows).
func (s *keySet) read(ctx context.Context, kid string, now time.Time) (*rsa.PublicKey, error) {
	snap := s.snap.Load()
	pub, known := snap.byKID[kid]
	if known && now.Sub(snap.fetchedAt) < s.maxAge {
		return pub, nil
	}
	if !s.refresh(ctx, now) && known {
		return pub, nil // stale but kept: the refresh was not allowed or failed
	}
	// Look again even when this caller could not refresh: another caller's
	// fetch may have completed since the first look.
	if pub, ok := s.snap.Load().byKID[kid]; ok {
		return pub, nil
	}
	return nil, s.missing()
}

func (s *keySet) missing() error {
	if len(s.snap.Load().keys) == 0 {
		return ErrKeysUnavailable
	}
	return ErrUnknownKey
}

// refresh fetches the JWKS if the policy allows, or joins a running fetch.
// It reports whether a fetch completed successfully for this caller.
func (s *keySet) refresh(ctx context.Context, now time.Time) bool {
	budget, ok := fetchDeadline(ctx, s.timeout)
	if !ok {
		return false
	}
	s.mu.Lock()
	call, started := s.inflight, false
	if call == nil {
		if s.attempted && now.Sub(s.lastAttempt) < s.minInterval && !now.Before(s.lastAttempt) {
			s.mu.Unlock()
			return false
		}
		s.attempted, s.lastAttempt = true, now
		call = &fetchCall{done: make(chan struct{})}
		s.inflight, started = call, true
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
// replaces the snapshot; failures keep the previous keys. Either way it logs
// the outcome and retires call as the running fetch.
func (s *keySet) fetchAndStore(ctx context.Context, call *fetchCall) bool {
	keys, ignored, err := s.fetch(ctx)
	s.mu.Lock()
	if s.inflight == call {
		s.inflight = nil
	}
	kept := len(s.snap.Load().keys)
	if err == nil {
		s.snap.Store(newSnapshot(keys, s.clock()))
	}
	s.mu.Unlock()
	if err != nil {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "jwks refresh",
			slog.String("outcome", "failed"),
			slog.String("url", s.url),
			slog.Int("ignored_keys", ignored),
			slog.Int("kept_keys", kept),
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

// fetch GETs the JWKS (body bounded by maxJWKSBytes) and returns its usable
// keys and the number of entries it ignored.
func (s *keySet) fetch(ctx context.Context) ([]usableKey, int, error) {
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
	keys := make([]usableKey, 0, len(doc.Keys))
	ignored := 0
	for _, raw := range doc.Keys {
		k, err := parseJWK(raw)
		if err != nil || slices.ContainsFunc(keys, func(have usableKey) bool { return have.kid == k.kid }) {
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

// The jwkset.Storage methods below serve keyfunc/v3 and other jwkset users;
// verification itself reads the snapshot directly (publicKey). Their JWKs are
// made on demand, so that a binary that only verifies links none of jwkset's
// key code.

// jwk returns k as a jwkset JWK, normalised to use "sig" and alg "RS256".
func (k usableKey) jwk() (jwkset.JWK, error) {
	return jwkset.NewJWKFromKey(k.pub, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
		ALG: jwkset.AlgRS256,
		KID: k.kid,
		USE: jwkset.UseSig,
	}})
}

// jwks returns keys as jwkset JWKs.
func jwks(keys []usableKey) ([]jwkset.JWK, error) {
	out := make([]jwkset.JWK, 0, len(keys))
	for _, k := range keys {
		j, err := k.jwk()
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// normaliseKey applies the usable-key policy to a JWK given to the Storage
// methods.
func normaliseKey(k jwkset.JWK) (usableKey, error) {
	m := k.Marshal()
	pub, isRSA := k.Key().(*rsa.PublicKey)
	if m.KTY != jwkset.KtyRSA || !isRSA {
		return usableKey{}, errors.New("not an RSA public key")
	}
	ops := make([]string, len(m.KEYOPS))
	for i, o := range m.KEYOPS {
		ops[i] = string(o)
	}
	u := usableKey{kid: m.KID, pub: pub}
	return u, keyPolicy(string(m.USE), string(m.ALG), ops, u)
}

// KeyReadAll returns a snapshot of the usable keys, without refreshing.
func (s *keySet) KeyReadAll(context.Context) ([]jwkset.JWK, error) {
	return jwks(s.snap.Load().keys)
}

// KeyWrite adds or replaces a key after applying the usable-key policy.
func (s *keySet) KeyWrite(_ context.Context, k jwkset.JWK) error {
	n, err := normaliseKey(k)
	if err != nil {
		return fmt.Errorf("key not usable: %w", err)
	}
	s.update(func(keys []usableKey) []usableKey {
		keys = slices.DeleteFunc(keys, func(have usableKey) bool { return have.kid == n.kid })
		return append(keys, n)
	})
	return nil
}

// KeyDelete removes the key with the given kid.
func (s *keySet) KeyDelete(_ context.Context, kid string) (bool, error) {
	found := false
	s.update(func(keys []usableKey) []usableKey {
		return slices.DeleteFunc(keys, func(have usableKey) bool {
			if have.kid == kid {
				found = true
				return true
			}
			return false
		})
	})
	return found, nil
}

// KeyReplaceAll replaces the set; every given key must be usable.
func (s *keySet) KeyReplaceAll(_ context.Context, given []jwkset.JWK) error {
	keys := make([]usableKey, 0, len(given))
	for _, k := range given {
		n, err := normaliseKey(k)
		if err != nil {
			return fmt.Errorf("key %q not usable: %w", k.Marshal().KID, err)
		}
		keys = append(keys, n)
	}
	s.update(func([]usableKey) []usableKey { return keys })
	return nil
}

// update replaces the snapshot with f's result, keeping its fetch time.
func (s *keySet) update(f func([]usableKey) []usableKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.snap.Load()
	s.snap.Store(newSnapshot(f(slices.Clone(old.keys)), old.fetchedAt))
}

// memory copies the snapshot into a jwkset memory storage for serialisation.
func (s *keySet) memory(ctx context.Context) (*jwkset.MemoryJWKSet, error) {
	keys, err := jwks(s.snap.Load().keys)
	if err != nil {
		return nil, err
	}
	m := jwkset.NewMemoryStorage()
	return m, m.KeyReplaceAll(ctx, keys)
}

// JSON returns the usable keys as a JWK Set.
func (s *keySet) JSON(ctx context.Context) (json.RawMessage, error) {
	m, err := s.memory(ctx)
	if err != nil {
		return nil, err
	}
	return m.JSON(ctx)
}

// JSONPublic returns the usable keys as a JWK Set of public keys.
func (s *keySet) JSONPublic(ctx context.Context) (json.RawMessage, error) {
	m, err := s.memory(ctx)
	if err != nil {
		return nil, err
	}
	return m.JSONPublic(ctx)
}

// JSONPrivate is JSONPublic: the set never holds private material.
func (s *keySet) JSONPrivate(ctx context.Context) (json.RawMessage, error) {
	m, err := s.memory(ctx)
	if err != nil {
		return nil, err
	}
	return m.JSONPrivate(ctx)
}

// JSONWithOptions returns the usable keys as a JWK Set with the given options.
func (s *keySet) JSONWithOptions(ctx context.Context, mo jwkset.JWKMarshalOptions, vo jwkset.JWKValidateOptions) (json.RawMessage, error) {
	m, err := s.memory(ctx)
	if err != nil {
		return nil, err
	}
	return m.JSONWithOptions(ctx, mo, vo)
}

// Marshal returns the usable keys in jwkset's marshal form.
func (s *keySet) Marshal(ctx context.Context) (jwkset.JWKSMarshal, error) {
	m, err := s.memory(ctx)
	if err != nil {
		return jwkset.JWKSMarshal{}, err
	}
	return m.Marshal(ctx)
}

// MarshalWithOptions returns the usable keys in jwkset's marshal form with the given options.
func (s *keySet) MarshalWithOptions(ctx context.Context, mo jwkset.JWKMarshalOptions, vo jwkset.JWKValidateOptions) (jwkset.JWKSMarshal, error) {
	m, err := s.memory(ctx)
	if err != nil {
		return jwkset.JWKSMarshal{}, err
	}
	return m.MarshalWithOptions(ctx, mo, vo)
}
