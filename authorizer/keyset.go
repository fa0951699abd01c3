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
	byKID     map[string]jwkset.JWK
	list      []jwkset.JWK
	fetchedAt time.Time // clock time of the fetch that produced it; zero if never fetched
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
//     kept; each is stored normalised to use "sig" and alg "RS256", other and
//     malformed entries are ignored one by one;
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

func newSnapshot(keys []jwkset.JWK, fetchedAt time.Time) *keySnapshot {
	s := &keySnapshot{byKID: make(map[string]jwkset.JWK, len(keys)), list: keys, fetchedAt: fetchedAt}
	for _, k := range keys {
		s.byKID[k.Marshal().KID] = k
	}
	return s
}

// KeyRead returns the usable key with the given kid, refreshing the set
// under the refresh policy. It returns ErrKeysUnavailable when no usable key
// is known at all and ErrUnknownKey when the kid is not among them.
func (s *keySet) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	snap := s.snap.Load()
	now := s.clock()
	k, known := snap.byKID[kid]
	if known && now.Sub(snap.fetchedAt) < s.maxAge {
		return k, nil
	}
	if !s.refresh(ctx, now) && known {
		return k, nil // stale but kept: the refresh was not allowed or failed
	}
	// Look again even when this caller could not refresh: another caller's
	// fetch may have completed since the first look.
	if k, ok := s.snap.Load().byKID[kid]; ok {
		return k, nil
	}
	return jwkset.JWK{}, s.missing()
}

func (s *keySet) missing() error {
	if len(s.snap.Load().list) == 0 {
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
	kept := len(s.snap.Load().list)
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

// usableKey parses one JWKS entry with jwkset (public material only, all of
// jwkset's validation, x5c included) and keeps it only if it is an RS256
// signing key, normalised to use "sig" and alg "RS256".
func usableKey(raw json.RawMessage) (jwkset.JWK, error) {
	parsed, err := jwkset.NewJWKFromRawJSON(raw, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		return jwkset.JWK{}, err
	}
	return normaliseKey(parsed)
}

// normaliseKey applies the usable-key policy to a parsed JWK.
func normaliseKey(k jwkset.JWK) (jwkset.JWK, error) {
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
	case pub.N == nil || pub.N.BitLen() < minRSABits || pub.N.BitLen() > maxRSABits:
		return jwkset.JWK{}, errors.New("modulus size out of range")
	case pub.E < 3 || pub.E%2 == 0:
		return jwkset.JWK{}, errors.New("bad public exponent")
	}
	return jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
		ALG: jwkset.AlgRS256,
		KID: m.KID,
		USE: jwkset.UseSig,
	}})
}

// KeyReadAll returns a snapshot of the usable keys, without refreshing.
func (s *keySet) KeyReadAll(context.Context) ([]jwkset.JWK, error) {
	return slices.Clone(s.snap.Load().list), nil
}

// KeyWrite adds or replaces a key after applying the usable-key policy.
func (s *keySet) KeyWrite(_ context.Context, k jwkset.JWK) error {
	n, err := normaliseKey(k)
	if err != nil {
		return fmt.Errorf("key not usable: %w", err)
	}
	s.update(func(keys []jwkset.JWK) []jwkset.JWK {
		keys = slices.DeleteFunc(keys, func(have jwkset.JWK) bool { return have.Marshal().KID == n.Marshal().KID })
		return append(keys, n)
	})
	return nil
}

// KeyDelete removes the key with the given kid.
func (s *keySet) KeyDelete(_ context.Context, kid string) (bool, error) {
	found := false
	s.update(func(keys []jwkset.JWK) []jwkset.JWK {
		return slices.DeleteFunc(keys, func(have jwkset.JWK) bool {
			if have.Marshal().KID == kid {
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
	keys := make([]jwkset.JWK, 0, len(given))
	for _, k := range given {
		n, err := normaliseKey(k)
		if err != nil {
			return fmt.Errorf("key %q not usable: %w", k.Marshal().KID, err)
		}
		keys = append(keys, n)
	}
	s.update(func([]jwkset.JWK) []jwkset.JWK { return keys })
	return nil
}

// update replaces the snapshot with f's result, keeping its fetch time.
func (s *keySet) update(f func([]jwkset.JWK) []jwkset.JWK) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.snap.Load()
	s.snap.Store(newSnapshot(f(slices.Clone(old.list)), old.fetchedAt))
}

// memory copies the snapshot into a jwkset memory storage for serialisation.
func (s *keySet) memory(ctx context.Context) (*jwkset.MemoryJWKSet, error) {
	m := jwkset.NewMemoryStorage()
	return m, m.KeyReplaceAll(ctx, slices.Clone(s.snap.Load().list))
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
