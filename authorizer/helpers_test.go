package authorizer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"github.com/serverless-auth/serverless-auth/internal/logbuffer"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
)

// Test fixtures: fixed keys from testdata/keys (test-only, generated for this
// package), a JWKS server on 127.0.0.1, a settable clock and a log buffer.

const (
	testIssuer   = "https://tenant.example/"
	testAudience = "https://profile-api.example/"
	testSub      = "reader@clients"
	testScope    = "get:profile read:messages"
	testARN      = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/profile"
)

// testStart is the fixed "now" of every test clock.
var testStart = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// loadPrivateKey reads testdata/keys/<name>.pem (PKCS#8).
func loadPrivateKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "keys", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

// rsaKey is a test RSA signing key with its kid.
type rsaKey struct {
	kid  string
	priv *rsa.PrivateKey
}

func loadRSA(t testing.TB, name, kid string) rsaKey {
	t.Helper()
	return rsaKey{kid: kid, priv: loadPrivateKey(t, name).(*rsa.PrivateKey)}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwk is the Auth0-shaped JWKS entry of k (kty, use, alg, kid, n, e).
func (k rsaKey) jwk() map[string]any {
	return map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": k.kid,
		"n": b64(k.priv.N.Bytes()), "e": b64(big.NewInt(int64(k.priv.E)).Bytes()),
	}
}

// jwksServer is a minimal JWKS endpoint on 127.0.0.1 whose answer tests set.
type jwksServer struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	status   int
	body     []byte
	fault    http.HandlerFunc // when set, answers instead of status and body
}

func newJWKSServer(t testing.TB, keys ...map[string]any) *jwksServer {
	t.Helper()
	s := &jwksServer{status: http.StatusOK}
	s.setKeys(keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		status, body, fault := s.status, s.body, s.fault
		s.mu.Unlock()
		if fault != nil {
			fault(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// setKeys serves {"keys": keys} with status 200.
func (s *jwksServer) setKeys(keys ...map[string]any) {
	if keys == nil {
		keys = []map[string]any{}
	}
	body, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err)
	}
	s.set(http.StatusOK, body)
}

func (s *jwksServer) set(status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body, s.fault = status, body, nil
}

// setFault makes h answer every request until set or setKeys is called.
func (s *jwksServer) setFault(h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = h
}

func (s *jwksServer) count() int64 { return s.requests.Load() }

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: testStart} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// logLines returns the JSON log lines in b whose msg is msg.
func logLines(t testing.TB, b *logbuffer.Buffer, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// fixture is an Authorizer wired to a test JWKS server, clock and log.
type fixture struct {
	a       *Authorizer
	srv     *jwksServer
	clock   *testClock
	logs    *logbuffer.Buffer
	key     rsaKey
	fetches atomic.Int64 // JWKS round trips made by the Authorizer's client
	client  *http.Client
}

// countingTransport counts round trips (one per fetch: the transport's own
// retries on a reused connection stay inside one RoundTrip).
type countingTransport struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

// newServerFixture starts a JWKS server publishing the primary key (unless
// keys are given); start then builds the Authorizer.
func newServerFixture(t testing.TB, keys ...map[string]any) *fixture {
	t.Helper()
	f := &fixture{clock: newTestClock(), logs: &logbuffer.Buffer{}, key: loadRSA(t, "primary", "key-1")}
	if keys == nil {
		keys = []map[string]any{f.key.jwk()}
	}
	f.srv = newJWKSServer(t, keys...)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	f.client = &http.Client{
		Transport:     countingTransport{base: transport, n: &f.fetches},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return f
}

// start builds the Authorizer (New's initial fetch included); edit tweaks
// the config.
func (f *fixture) start(t testing.TB, edit func(*Config)) *fixture {
	t.Helper()
	cfg := testConfig(f.srv.URL + "/.well-known/jwks.json")
	if edit != nil {
		edit(&cfg)
	}
	a, err := New(context.Background(), cfg,
		WithClock(f.clock.Now),
		WithLogger(newJSONLogger(f.logs)),
		WithHTTPClient(f.client))
	if err != nil {
		t.Fatal(err)
	}
	f.a = a
	return f
}

// newFixture is newServerFixture then start.
func newFixture(t testing.TB, edit func(*Config), keys ...map[string]any) *fixture {
	t.Helper()
	return newServerFixture(t, keys...).start(t, edit)
}

func testConfig(jwksURI string) Config {
	c := DefaultConfig()
	c.JWKSURI = jwksURI
	c.Issuer = testIssuer
	c.Audience = testAudience
	return c
}

// claims returns a valid claim set at the clock's time.
func (f *fixture) claims() map[string]any {
	now := f.clock.Now().Unix()
	return map[string]any{
		"iss": testIssuer, "sub": testSub, "aud": testAudience,
		"iat": now, "exp": now + 3600, "azp": "reader", "scope": testScope,
		"gty": "client-credentials",
	}
}

// token mints a valid token signed by the fixture's key.
func (f *fixture) token(t testing.TB) string {
	t.Helper()
	return mint(t, f.key, nil, f.claims())
}

// rsHeader is the default header for key k.
func rsHeader(k rsaKey) map[string]any {
	return map[string]any{"alg": "RS256", "typ": "JWT", "kid": k.kid}
}

// mint signs claims with k under header (rsHeader(k) when nil); header
// values set to nil are deleted.
func mint(t testing.TB, k rsaKey, header map[string]any, claims map[string]any) string {
	t.Helper()
	h := rsHeader(k)
	for name, v := range header {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	return mintRaw(t, k.priv, "RS256", mustJSON(t, h), mustJSON(t, claims))
}

// mintRaw signs header and payload bytes as given, with alg's jwt/v5
// signing method and key ("none" gives an empty signature).
func mintRaw(t testing.TB, key any, alg string, header, payload []byte) string {
	t.Helper()
	input := b64(header) + "." + b64(payload)
	if alg == "none" {
		return input + "."
	}
	sig, err := jwt.GetSigningMethod(alg).Sign(input, key)
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tokenEvent is the TOKEN event API Gateway sends for an Authorization value.
func tokenEvent(header string) events.APIGatewayCustomAuthorizerRequest {
	return events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: header, MethodArn: testARN}
}

// discardLogger drops every line.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newJSONLogger writes JSON lines to w.
func newJSONLogger(w *logbuffer.Buffer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
