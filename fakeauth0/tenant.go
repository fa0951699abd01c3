package fakeauth0

import (
	"crypto/ecdsa"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAudience is the API identifier a Tenant uses when WithAudience is not
// given. It is also the tenant's default audience: a token request without an
// audience parameter is issued for it.
const DefaultAudience = "https://api.serverless-auth.test/profile"

// DefaultTokenLifetime is how long an issued token lives when
// WithTokenLifetime is not given; Auth0's default for an API is 86400 seconds.
const DefaultTokenLifetime = 24 * time.Hour

// DefaultKeyBits is the size of the RSA signing key New generates when WithKey
// is not given.
const DefaultKeyBits = 2048

// Paths the tenant serves.
const (
	JWKSPath      = "/.well-known/jwks.json"
	DiscoveryPath = "/.well-known/openid-configuration"
	TokenPath     = "/oauth/token"
)

// Tenant is a fake Auth0 tenant listening on a loopback address. Create one
// with New and stop it with Close.
type Tenant struct {
	// URL is the base URL of the tenant, of the form http://ipaddr:port
	// (https:// with WithTLS) with no trailing slash.
	URL string

	srv       *httptest.Server
	closing   chan struct{}
	closeOnce sync.Once

	// Set by options before the server starts; read-only afterwards.
	audience       string
	clock          func() time.Time
	lifetime       time.Duration
	rbac           bool
	userinfoAud    bool
	listener       net.Listener
	ca             *CA
	logger         *slog.Logger
	initialKey     *Key
	initialClients []Client

	mu      sync.RWMutex
	clients map[string]Client
	order   []string // client IDs in the order they were added
	signing *Key
	entries []jwksEntry
	fault   *Fault
	ecKey   *ecdsa.PrivateKey

	jwksRequests      atomic.Int64
	tokenRequests     atomic.Int64
	discoveryRequests atomic.Int64
}

// Option configures a Tenant in New.
type Option func(*Tenant)

// WithAudience sets the API identifier of the tenant's API, which is also the
// tenant's default audience. It panics in New if identifier is empty.
func WithAudience(identifier string) Option {
	return func(t *Tenant) { t.audience = identifier }
}

// WithClock sets the clock used for iat and exp of minted and issued tokens.
func WithClock(now func() time.Time) Option {
	return func(t *Tenant) { t.clock = now }
}

// WithClient registers a machine-to-machine application. It may be given many
// times; when it is given at least once, the default clients are not created.
func WithClient(c Client) Option {
	return func(t *Tenant) { t.initialClients = append(t.initialClients, c) }
}

// WithRBAC turns on Auth0's "Enable RBAC" and "Add Permissions in the Access
// Token": tokens then carry a permissions array with the granted scopes.
func WithRBAC(on bool) Option {
	return func(t *Tenant) { t.rbac = on }
}

// WithUserinfoAudience makes tokens carry aud as a list, [API, ISSUER+"userinfo"],
// the way Auth0 mints tokens requested with the openid scope. The default is
// the single string Auth0 uses for client-credentials tokens.
func WithUserinfoAudience(on bool) Option {
	return func(t *Tenant) { t.userinfoAud = on }
}

// WithTokenLifetime sets the lifetime of tokens (exp - iat, and expires_in).
// It panics in New unless d is at least one second.
func WithTokenLifetime(d time.Duration) Option {
	return func(t *Tenant) { t.lifetime = d }
}

// WithListener makes the tenant serve on l instead of a new listener on
// 127.0.0.1 with a random port. The tenant closes l when it is closed.
func WithListener(l net.Listener) Option {
	return func(t *Tenant) { t.listener = l }
}

// WithKey sets the initial signing key (published in the JWKS). Without it New
// generates a DefaultKeyBits RSA key.
func WithKey(k *Key) Option {
	return func(t *Tenant) { t.initialKey = k }
}

// WithLogger sets where the tenant logs one line per token decision and per
// faulted JWKS request. It never logs a token or a secret. The default
// discards.
func WithLogger(l *slog.Logger) Option {
	return func(t *Tenant) { t.logger = l }
}

// New starts a tenant and returns it. Like httptest.NewServer it panics if it
// cannot listen, and it panics on an invalid option.
func New(opts ...Option) *Tenant {
	t := &Tenant{
		closing:  make(chan struct{}),
		audience: DefaultAudience,
		clock:    time.Now,
		lifetime: DefaultTokenLifetime,
		logger:   slog.New(slog.DiscardHandler),
		clients:  map[string]Client{},
	}
	for _, opt := range opts {
		opt(t)
	}
	if t.audience == "" {
		panic("fakeauth0: WithAudience: the audience must not be empty")
	}
	if t.lifetime < time.Second {
		panic(fmt.Sprintf("fakeauth0: WithTokenLifetime: %v is shorter than one second", t.lifetime))
	}
	if t.clock == nil {
		panic("fakeauth0: WithClock: the clock must not be nil")
	}
	if t.logger == nil {
		panic("fakeauth0: WithLogger: the logger must not be nil")
	}
	clients := t.initialClients
	if len(clients) == 0 {
		clients = DefaultClients()
	}
	for _, c := range clients {
		t.AddClient(c)
	}
	key := t.initialKey
	if key == nil {
		var err error
		if key, err = NewKey(DefaultKeyBits); err != nil {
			panic(fmt.Sprintf("fakeauth0: generating the signing key: %v", err))
		}
	}
	t.UseKey(key)

	if t.listener != nil {
		t.srv = &httptest.Server{
			Listener: t.listener,
			Config:   &http.Server{Handler: t.handler(), ReadHeaderTimeout: 10 * time.Second},
		}
	} else {
		t.srv = httptest.NewUnstartedServer(t.handler())
		t.srv.Config.ReadHeaderTimeout = 10 * time.Second
	}
	if t.ca != nil {
		cert, err := t.ca.issue()
		if err != nil {
			panic(err.Error())
		}
		t.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		t.srv.StartTLS()
	} else {
		t.srv.Start()
	}
	t.URL = t.srv.URL
	return t
}

// Close stops the tenant: it ends delayed JWKS responses at once, then blocks
// until all outstanding requests have completed. It may be called many times.
func (t *Tenant) Close() {
	t.closeOnce.Do(func() {
		close(t.closing)
		t.srv.Close()
	})
}

// Issuer returns the tenant's issuer, URL with Auth0's trailing slash: the
// exact iss of its tokens and TOKEN_ISSUER of the authorizer.
func (t *Tenant) Issuer() string { return t.URL + "/" }

// JWKSURL returns the URL of the tenant's JSON Web Key Set (JWKS_URI).
func (t *Tenant) JWKSURL() string { return t.URL + JWKSPath }

// TokenURL returns the URL of the tenant's token endpoint.
func (t *Tenant) TokenURL() string { return t.URL + TokenPath }

// DiscoveryURL returns the URL of the tenant's OpenID Connect discovery document.
func (t *Tenant) DiscoveryURL() string { return t.URL + DiscoveryPath }

// Audience returns the identifier of the tenant's API, which is also its
// default audience.
func (t *Tenant) Audience() string { return t.audience }

// JWKSRequests returns how many requests reached the JWKS endpoint, faulted
// ones included.
func (t *Tenant) JWKSRequests() int64 { return t.jwksRequests.Load() }

// TokenRequests returns how many requests reached the token endpoint, failed
// ones included.
func (t *Tenant) TokenRequests() int64 { return t.tokenRequests.Load() }

// DiscoveryRequests returns how many requests reached the discovery endpoint.
func (t *Tenant) DiscoveryRequests() int64 { return t.discoveryRequests.Load() }

func (t *Tenant) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(JWKSPath, t.serveJWKS)
	mux.HandleFunc(DiscoveryPath, t.serveDiscovery)
	mux.HandleFunc(TokenPath, t.serveToken)
	mux.HandleFunc("/", serveNotFound)
	return mux
}

// serveNotFound answers any path or method the tenant does not serve.
func serveNotFound(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusNotFound, []byte(notFoundBody))
}

// notFoundBody is the body of a 404, in the shape of Auth0's other errors.
const notFoundBody = `{"error":"not_found","error_description":"Not Found"}`

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
