package authorizer

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
)

// jwkWith returns k's JWK with fields overridden (nil deletes).
func jwkWith(k rsaKey, fields map[string]any) map[string]any {
	m := k.jwk()
	for name, v := range fields {
		if v == nil {
			delete(m, name)
		} else {
			m[name] = v
		}
	}
	return m
}

func TestKeySetKeepsOnlyRS256SigningKeys(t *testing.T) {
	primary := loadRSA(t, "primary", "key-1")
	rotated := func(kid string) rsaKey { return loadRSA(t, "rotated", kid) }
	small := loadRSA(t, "small", "small")
	attacker := loadRSA(t, "attacker", "key-1")
	ec := loadPrivateKey(t, "ec").(*ecdsa.PrivateKey)
	ecJWK := map[string]any{
		"kty": "EC", "crv": "P-256", "use": "sig", "kid": "ec",
		"x": b64(ec.X.FillBytes(make([]byte, 32))), "y": b64(ec.Y.FillBytes(make([]byte, 32))),
	}
	keys := []map[string]any{
		primary.jwk(),
		jwkWith(attacker, nil), // duplicate kid: the first entry wins
		small.jwk(),
		jwkWith(rotated("enc"), map[string]any{"use": "enc"}),
		jwkWith(rotated("rs512"), map[string]any{"alg": "RS512"}),
		jwkWith(rotated("ps256"), map[string]any{"alg": "PS256"}),
		jwkWith(rotated("ops-encrypt"), map[string]any{"key_ops": []string{"encrypt"}}),
		jwkWith(rotated("no-kid"), map[string]any{"kid": nil}),
		jwkWith(rotated("bad-n"), map[string]any{"n": 5}),
		jwkWith(rotated("bad-e"), map[string]any{"e": "!!"}),
		jwkWith(rotated("even-e"), map[string]any{"e": b64(big.NewInt(65536).Bytes())}),
		jwkWith(rotated("no-n"), map[string]any{"n": nil}),
		jwkWith(rotated("x5c-mismatch"), map[string]any{"x5c": []string{base64.StdEncoding.EncodeToString(selfSignedCert(t, attacker))}}),
		jwkWith(rotated("x5c-garbage"), map[string]any{"x5c": []string{"not base64"}}),
		jwkWith(rotated("use-odd"), map[string]any{"use": "other"}),
		ecJWK,
		{"kty": "oct", "kid": "oct", "k": b64([]byte("secret")), "alg": "HS256"},
		{"kty": "OKP", "crv": "Ed25519", "kid": "okp", "x": b64(make([]byte, 32))},
		{"kid": "nothing"},
		// usable ones besides primary:
		jwkWith(rotated("ops-verify"), map[string]any{"key_ops": []string{"verify"}}),
		jwkWith(rotated("bare"), map[string]any{"use": nil, "alg": nil}),
		jwkWith(rotated("x5c-match"), map[string]any{"x5c": []string{base64.StdEncoding.EncodeToString(selfSignedCert(t, rotated("x")))}}),
	}
	raw, err := json.Marshal(map[string]any{"keys": append([]any{"a string", 42, nil}, func() []any {
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = k
		}
		return out
	}()...)})
	if err != nil {
		t.Fatal(err)
	}
	f := newServerFixture(t)
	f.srv.set(http.StatusOK, raw)
	f.start(t, nil)

	all, _ := f.a.keys.KeyReadAll(context.Background())
	var kids []string
	for _, k := range all {
		m := k.Marshal()
		kids = append(kids, m.KID)
		if (m.USE != "" && m.USE != jwkset.UseSig) || (m.ALG != "" && m.ALG != jwkset.AlgRS256) {
			t.Errorf("key %s kept with use %q alg %q", m.KID, m.USE, m.ALG)
		}
	}
	if got, want := strings.Join(kids, ","), "key-1,ops-verify,bare,x5c-match"; got != want {
		t.Fatalf("usable kids = %s, want %s", got, want)
	}

	cases := []struct {
		key  rsaKey
		want error
	}{
		{primary, nil},
		{attacker, ErrSignature},
		{small, ErrUnknownKey},
		{rotated("enc"), ErrUnknownKey},
		{rotated("rs512"), ErrUnknownKey},
		{rotated("ops-encrypt"), ErrUnknownKey},
		{rotated("even-e"), ErrUnknownKey},
		{rotated("x5c-mismatch"), ErrUnknownKey},
		{rotated("ops-verify"), nil},
		{rotated("bare"), nil},
		{rotated("x5c-match"), nil},
	}
	for _, tc := range cases {
		t.Run(tc.key.kid, func(t *testing.T) {
			_, err := f.a.Verify(context.Background(), mint(t, tc.key, nil, f.claims()))
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("ec", func(t *testing.T) {
		h := map[string]any{"alg": "ES256", "kid": "ec"}
		_, err := f.a.Verify(context.Background(), mintRaw(t, ec, "ES256", mustJSON(t, h), mustJSON(t, f.claims())))
		if !errors.Is(err, ErrAlgorithm) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestKeySetFloodOfUnknownKids: concurrent unknown kids make one fetch per
// interval; everyone fails fast or shares it, valid tokens keep working.
func TestKeySetFloodOfUnknownKids(t *testing.T) {
	f := newFixture(t, nil)
	valid := f.token(t)
	const n = 64
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			tok := mint(t, f.key, map[string]any{"kid": fmt.Sprintf("unknown-%d", i)}, f.claims())
			if i%8 == 0 {
				tok = valid
			}
			_, errs[i] = f.a.Verify(context.Background(), tok)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i%8 == 0 {
			if err != nil {
				t.Errorf("valid token %d: %v", i, err)
			}
		} else if !errors.Is(err, ErrUnknownKey) {
			t.Errorf("unknown kid %d: %v", i, err)
		}
	}
	if got := f.fetches.Load(); got != 2 {
		t.Fatalf("fetches = %d, want 2 (start, then one refresh)", got)
	}
	for i := range 100 {
		_, err := f.a.Verify(context.Background(), mint(t, f.key, map[string]any{"kid": fmt.Sprintf("again-%d", i)}, f.claims()))
		if !errors.Is(err, ErrUnknownKey) {
			t.Fatal(err)
		}
	}
	if got := f.fetches.Load(); got != 2 {
		t.Fatalf("fetches = %d after the interval was used, want 2", got)
	}
	f.clock.Advance(DefaultJWKSRefreshMinInterval - time.Nanosecond)
	_, _ = f.a.Verify(context.Background(), mint(t, f.key, map[string]any{"kid": "just-before"}, f.claims()))
	if got := f.fetches.Load(); got != 2 {
		t.Fatalf("fetches = %d just before the interval ended, want 2", got)
	}
	f.clock.Advance(time.Nanosecond)
	_, _ = f.a.Verify(context.Background(), mint(t, f.key, map[string]any{"kid": "after"}, f.claims()))
	if got := f.fetches.Load(); got != 3 {
		t.Fatalf("fetches = %d once the interval ended, want 3", got)
	}
}

// jwksFault is one way the JWKS endpoint misbehaves.
type jwksFault struct {
	name  string
	apply func(s *jwksServer)
}

func jwksFaults(t testing.TB) []jwksFault {
	primary := loadRSA(t, "primary", "key-1")
	status := func(code int) func(*jwksServer) {
		return func(s *jwksServer) { s.set(code, []byte(`{"message":"unavailable"}`)) }
	}
	body := func(b string) func(*jwksServer) {
		return func(s *jwksServer) { s.set(http.StatusOK, []byte(b)) }
	}
	oversized, err := json.Marshal(map[string]any{"keys": []any{primary.jwk()}, "pad": strings.Repeat("x", maxJWKSBytes)})
	if err != nil {
		t.Fatal(err)
	}
	return []jwksFault{
		{"503", status(http.StatusServiceUnavailable)},
		{"404", status(http.StatusNotFound)},
		{"500 with a valid set", func(s *jwksServer) {
			s.set(http.StatusInternalServerError, mustJSON(t, map[string]any{"keys": []any{primary.jwk()}}))
		}},
		{"garbage", body("<html>upstream error</html>")},
		{"truncated JSON", body(`{"keys":[{"kty":"RSA"`)},
		{"empty key set", body(`{"keys":[]}`)},
		{"null keys", body(`{"keys":null}`)},
		{"no keys member", body(`{}`)},
		{"keys an object", body(`{"keys":{}}`)},
		{"JSON null", body(`null`)},
		{"only unusable keys", func(s *jwksServer) { s.setKeys(loadRSA(t, "small", "key-1").jwk()) }},
		{"oversized body", func(s *jwksServer) { s.set(http.StatusOK, oversized) }},
		{"redirect", func(s *jwksServer) {
			s.setFault(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
			})
		}},
		{"dropped connection", func(s *jwksServer) {
			s.setFault(func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					_ = conn.Close()
				}
			})
		}},
		{"hanging", func(s *jwksServer) {
			s.setFault(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		}},
	}
}

// shortTimeout keeps hanging-fetch tests short.
func shortTimeout(c *Config) { c.JWKSTimeout = MinJWKSTimeout }

// requestCtx is a context with a Lambda-like deadline.
func requestCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestKeySetColdStartOutage: the JWKS is down when the function starts;
// requests fail fast (no fetch) until the interval passes, then the first
// request fetches and is allowed.
func TestKeySetColdStartOutage(t *testing.T) {
	for _, fault := range jwksFaults(t) {
		t.Run(fault.name, func(t *testing.T) {
			f := newServerFixture(t)
			fault.apply(f.srv)
			f.start(t, shortTimeout)
			if got := f.fetches.Load(); got != 1 {
				t.Fatalf("fetches at start = %d, want 1", got)
			}
			valid := f.token(t)
			for range 3 {
				if _, err := f.a.Verify(requestCtx(t), valid); !errors.Is(err, ErrKeysUnavailable) {
					t.Fatalf("during the outage: %v, want keys unavailable", err)
				}
				if _, err := f.a.Authorize(requestCtx(t), tokenEvent("Bearer "+valid)); err != ErrUnauthorized {
					t.Fatalf("Authorize during the outage: %v", err)
				}
			}
			// The first retry may run 1s after the failure; it fails too, so
			// the next waits 2s.
			f.clock.Advance(firstRetry)
			if _, err := f.a.Verify(requestCtx(t), valid); !errors.Is(err, ErrKeysUnavailable) {
				t.Fatalf("still down: %v, want keys unavailable", err)
			}
			if got := f.fetches.Load(); got != 2 {
				t.Fatalf("fetches after the first backoff = %d, want 2", got)
			}
			f.srv.setKeys(f.key.jwk())
			f.clock.Advance(firstRetry)
			if _, err := f.a.Verify(requestCtx(t), valid); !errors.Is(err, ErrKeysUnavailable) {
				t.Fatalf("recovered but within the backoff: %v, want keys unavailable", err)
			}
			if got := f.fetches.Load(); got != 2 {
				t.Fatalf("fetches within the backoff = %d, want 2", got)
			}
			f.clock.Advance(firstRetry)
			if _, err := f.a.Authorize(requestCtx(t), tokenEvent("Bearer "+valid)); err != nil {
				t.Fatalf("after recovery: %v", err)
			}
			if got := f.fetches.Load(); got != 3 {
				t.Fatalf("fetches = %d, want 3", got)
			}
		})
	}
}

// TestKeySetInitFailureRecoversWithinASecond is the shipped default as a
// user meets it: the JWKS fails at init and answers again a second later;
// the first request after that is served.
func TestKeySetInitFailureRecoversWithinASecond(t *testing.T) {
	f := newServerFixture(t)
	f.srv.set(http.StatusServiceUnavailable, nil)
	f.start(t, nil)
	f.srv.setKeys(f.key.jwk())
	f.clock.Advance(time.Second)
	if _, err := f.a.Authorize(requestCtx(t), tokenEvent("Bearer "+f.token(t))); err != nil {
		t.Fatalf("first request after the tenant recovered: %v", err)
	}
	if got := f.fetches.Load(); got != 2 {
		t.Fatalf("fetches = %d, want 2", got)
	}
}

// TestKeySetRotationRightAfterInit: with the defaults, a key published
// after init verifies on first use, without waiting for the refresh
// interval; the next unknown kid then waits for it.
func TestKeySetRotationRightAfterInit(t *testing.T) {
	f := newFixture(t, nil)
	next := loadRSA(t, "rotated", "key-2")
	f.srv.setKeys(f.key.jwk(), next.jwk())
	f.clock.Advance(time.Second)
	if _, err := f.a.Authorize(requestCtx(t), tokenEvent("Bearer "+mint(t, next, nil, f.claims()))); err != nil {
		t.Fatalf("a key published 1s after init: %v", err)
	}
	third := loadRSA(t, "attacker", "key-3")
	f.srv.setKeys(f.key.jwk(), next.jwk(), third.jwk())
	if _, err := f.a.Verify(requestCtx(t), mint(t, third, nil, f.claims())); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("second unknown kid within the interval: %v, want unknown kid", err)
	}
	if got := f.fetches.Load(); got != 2 {
		t.Fatalf("fetches = %d, want 2", got)
	}
	f.clock.Advance(DefaultJWKSRefreshMinInterval)
	if _, err := f.a.Verify(requestCtx(t), mint(t, third, nil, f.claims())); err != nil {
		t.Fatalf("after the interval: %v", err)
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {5, 16 * time.Second}, {6, 30 * time.Second}, {60, 30 * time.Second}} {
		if got := backoff(tc.n, 30*time.Second); got != tc.want {
			t.Errorf("backoff(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
}

// TestKeySetWarmOutage: a failed, garbage or empty refresh keeps the last
// good keys; the next refresh waits for the interval.
func TestKeySetWarmOutage(t *testing.T) {
	for _, fault := range jwksFaults(t) {
		t.Run(fault.name, func(t *testing.T) {
			f := newFixture(t, shortTimeout)
			valid := f.token(t)
			if _, err := f.a.Verify(requestCtx(t), valid); err != nil {
				t.Fatal(err)
			}
			fault.apply(f.srv)
			f.clock.Advance(DefaultJWKSRefreshMinInterval)
			unknown := mint(t, f.key, map[string]any{"kid": "rotated-away"}, f.claims())
			if _, err := f.a.Verify(requestCtx(t), unknown); !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("unknown kid: %v", err)
			}
			if got := f.fetches.Load(); got != 2 {
				t.Fatalf("fetches = %d, want 2", got)
			}
			for range 10 {
				if _, err := f.a.Verify(requestCtx(t), unknown); !errors.Is(err, ErrUnknownKey) {
					t.Fatalf("unknown kid: %v", err)
				}
				if _, err := f.a.Verify(requestCtx(t), valid); err != nil {
					t.Fatalf("valid token lost its key: %v", err)
				}
			}
			if got := f.fetches.Load(); got != 2 {
				t.Fatalf("fetches = %d, want 2 (rate limited)", got)
			}
			if all, _ := f.a.keys.KeyReadAll(context.Background()); len(all) != 1 {
				t.Fatalf("kept %d keys, want 1", len(all))
			}
			rotated := loadRSA(t, "rotated", "key-2")
			f.srv.setKeys(f.key.jwk(), rotated.jwk())
			f.clock.Advance(DefaultJWKSRefreshMinInterval)
			if _, err := f.a.Verify(requestCtx(t), mint(t, rotated, nil, f.claims())); err != nil {
				t.Fatalf("after recovery: %v", err)
			}
		})
	}
}

// TestKeySetRotation covers AUTH-12: a newly published key is picked up on
// its first use once the interval allows, without a restart.
func TestKeySetRotation(t *testing.T) {
	f := newFixture(t, nil)
	old := f.token(t)
	next := loadRSA(t, "rotated", "key-2")
	f.srv.setKeys(f.key.jwk(), next.jwk())
	f.clock.Advance(DefaultJWKSRefreshMinInterval)
	if _, err := f.a.Verify(context.Background(), mint(t, next, nil, f.claims())); err != nil {
		t.Fatalf("token signed with the new key: %v", err)
	}
	if _, err := f.a.Verify(context.Background(), old); err != nil {
		t.Fatalf("token signed with the old key: %v", err)
	}
	// Retire the old key: it goes at the next refresh.
	f.srv.setKeys(next.jwk())
	f.clock.Advance(DefaultJWKSMaxAge)
	if _, err := f.a.Verify(context.Background(), f.token(t)); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("retired key: %v, want unknown kid", err)
	}
	if got := f.fetches.Load(); got != 3 {
		t.Fatalf("fetches = %d, want 3", got)
	}
}

// TestKeySetMaxAge: keys older than JWKSMaxAge are refreshed on their next
// use; when that refresh fails the old keys stay and the next attempt waits
// for the interval.
func TestKeySetMaxAge(t *testing.T) {
	f := newFixture(t, shortTimeout)
	for range 5 {
		if _, err := f.a.Verify(context.Background(), f.token(t)); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.fetches.Load(); got != 1 {
		t.Fatalf("fetches while fresh = %d, want 1", got)
	}
	f.clock.Advance(DefaultJWKSMaxAge - time.Nanosecond)
	if _, err := f.a.Verify(context.Background(), f.token(t)); err != nil || f.fetches.Load() != 1 {
		t.Fatalf("just before max age: err %v, fetches %d", err, f.fetches.Load())
	}
	f.clock.Advance(time.Nanosecond)
	if _, err := f.a.Verify(context.Background(), f.token(t)); err != nil || f.fetches.Load() != 2 {
		t.Fatalf("at max age: err %v, fetches %d, want a refresh", err, f.fetches.Load())
	}
	f.srv.set(http.StatusServiceUnavailable, nil)
	f.clock.Advance(DefaultJWKSMaxAge)
	if _, err := f.a.Verify(context.Background(), f.token(t)); err != nil || f.fetches.Load() != 3 {
		t.Fatalf("stale keys, JWKS down: err %v, fetches %d", err, f.fetches.Load())
	}
	for range 5 {
		if _, err := f.a.Verify(context.Background(), f.token(t)); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.fetches.Load(); got != 3 {
		t.Fatalf("fetches = %d, want 3 (rate limited)", got)
	}
	f.srv.setKeys(f.key.jwk())
	f.clock.Advance(DefaultJWKSRefreshMinInterval)
	if _, err := f.a.Verify(context.Background(), f.token(t)); err != nil || f.fetches.Load() != 4 {
		t.Fatalf("after the interval: err %v, fetches %d", err, f.fetches.Load())
	}
	if _, err := f.a.Verify(context.Background(), f.token(t)); err != nil || f.fetches.Load() != 4 {
		t.Fatalf("refreshed keys are fresh again: err %v, fetches %d", err, f.fetches.Load())
	}
}

// recordingTransport records each request's context deadline and answers
// when that context ends (a JWKS that never answers).
type recordingTransport struct {
	mu        sync.Mutex
	deadlines []time.Time
	started   chan struct{}
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	d, ok := req.Context().Deadline()
	if !ok {
		d = time.Time{}
	}
	r.mu.Lock()
	r.deadlines = append(r.deadlines, d)
	r.mu.Unlock()
	if r.started != nil {
		r.started <- struct{}{}
	}
	<-req.Context().Done()
	return nil, req.Context().Err()
}

func (r *recordingTransport) recorded() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.deadlines...)
}

// TestKeySetFetchDeadline: a fetch ends deadlineMargin before the caller's
// deadline, or after JWKSTimeout, whichever is first, and is not started
// when the caller has no time left.
func TestKeySetFetchDeadline(t *testing.T) {
	rt := &recordingTransport{}
	clock := newTestClock()
	cfg := testConfig("https://tenant.example/.well-known/jwks.json")
	cfg.JWKSTimeout = 200 * time.Millisecond
	before := time.Now()
	a, err := New(context.Background(), cfg, WithHTTPClient(&http.Client{Transport: rt}), WithClock(clock.Now),
		WithLogger(discardLogger()))
	after := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	got := rt.recorded()
	if len(got) != 1 || got[0].Before(before.Add(cfg.JWKSTimeout)) || got[0].After(after.Add(cfg.JWKSTimeout)) {
		t.Fatalf("initial fetch deadline %v, want JWKSTimeout after the call (%v..%v)", got, before, after)
	}

	// Caller deadline sooner than JWKSTimeout: the fetch ends 100ms before it.
	clock.Advance(cfg.JWKSRefreshMinInterval)
	deadline := time.Now().Add(250 * time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	valid := mint(t, loadRSA(t, "primary", "key-1"), nil, map[string]any{
		"iss": testIssuer, "sub": testSub, "aud": testAudience, "exp": testStart.Unix() + 60,
	})
	if _, err := a.Verify(ctx, valid); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("err = %v", err)
	}
	got = rt.recorded()
	if len(got) != 2 || !got[1].Equal(deadline.Add(-deadlineMargin)) {
		t.Fatalf("fetch deadline %v, want %v", got, deadline.Add(-deadlineMargin))
	}

	// Less than the margin left: no fetch, and the attempt is not used up.
	clock.Advance(cfg.JWKSRefreshMinInterval)
	short, cancelShort := context.WithTimeout(context.Background(), deadlineMargin/2)
	defer cancelShort()
	if _, err := a.Verify(short, valid); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("err = %v", err)
	}
	cancelled, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	if _, err := a.Verify(cancelled, valid); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if n := len(rt.recorded()); n != 2 {
		t.Fatalf("fetches = %d, want 2: no fetch without time left", n)
	}
	if _, err := a.Verify(context.Background(), valid); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if n := len(rt.recorded()); n != 3 {
		t.Fatalf("fetches = %d, want 3: the slot was still free", n)
	}
}

// gatedTransport serves the JWKS only when released.
type gatedTransport struct {
	calls   chan struct{}
	release chan struct{}
	base    http.RoundTripper
}

func (g *gatedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	g.calls <- struct{}{}
	select {
	case <-g.release:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return g.base.RoundTrip(req)
}

// TestKeySetConcurrentCallersShareOneFetch: callers arriving while a fetch
// runs wait for it (up to their own deadline) instead of starting another.
func TestKeySetConcurrentCallersShareOneFetch(t *testing.T) {
	f := newServerFixture(t)
	gate := &gatedTransport{calls: make(chan struct{}, 16), release: make(chan struct{}), base: f.client.Transport}
	f.client = &http.Client{Transport: gate}
	close(gate.release)
	f.start(t, nil)
	<-gate.calls
	gate.release = make(chan struct{})

	next := loadRSA(t, "rotated", "key-2")
	f.srv.setKeys(f.key.jwk(), next.jwk())
	f.clock.Advance(DefaultJWKSRefreshMinInterval)
	tok := mint(t, next, nil, f.claims())

	first := make(chan error, 1)
	go func() {
		_, err := f.a.Verify(context.Background(), tok)
		first <- err
	}()
	<-gate.calls // the fetch is running and held

	// A caller whose deadline comes first gives up alone.
	short, cancel := context.WithTimeout(context.Background(), deadlineMargin+50*time.Millisecond)
	defer cancel()
	if _, err := f.a.Verify(short, tok); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("short caller: %v", err)
	}

	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, errs[i] = f.a.Verify(context.Background(), tok) })
	}
	close(gate.release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatalf("first caller: %v", err)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if len(gate.calls) != 0 {
		t.Fatalf("%d extra fetches", len(gate.calls))
	}
}

// TestKeySetClockBackwards: a clock that jumps back does not freeze refreshing.
func TestKeySetClockBackwards(t *testing.T) {
	f := newFixture(t, nil)
	f.clock.Advance(-time.Hour)
	if _, err := f.a.Verify(context.Background(), mint(t, f.key, map[string]any{"kid": "x"}, f.claims())); !errors.Is(err, ErrUnknownKey) {
		t.Fatal(err)
	}
	if got := f.fetches.Load(); got != 2 {
		t.Fatalf("fetches = %d, want 2", got)
	}
}

// TestKeySetStorage: what keyfunc/v3 and other jwkset users read is the
// usable keys, public material only.
func TestKeySetStorage(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	s := f.a.keys
	if k, err := s.KeyRead(ctx, "key-1"); err != nil || k.Marshal().KID != "key-1" {
		t.Fatalf("KeyRead = %v, %v", k.Marshal().KID, err)
	}
	if all, err := s.KeyReadAll(ctx); err != nil || len(all) != 1 {
		t.Fatalf("KeyReadAll = %d keys, %v", len(all), err)
	}
	set, err := s.JSONPublic(ctx)
	if err != nil || !strings.Contains(string(set), `"kid":"key-1"`) || strings.Contains(string(set), `"d":`) {
		t.Fatalf("JSONPublic = %s, %v", set, err)
	}
}
