package fakeauth0_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"github.com/serverless-auth/serverless-auth/internal/logbuffer"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// testKeys are RSA keys generated once for the whole test binary: key
// generation dominates the cost of a tenant, the more so under -race.
var testKeys = sync.OnceValue(func() []*fakeauth0.Key {
	keys := make([]*fakeauth0.Key, 4)
	for i := range keys {
		k, err := fakeauth0.NewKey(2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

// httpClient bounds every request a test makes.
var httpClient = &http.Client{Timeout: 30 * time.Second}

// newTenant starts a tenant signing with testKeys()[0] unless opts say
// otherwise, and closes it when the test ends.
func newTenant(t *testing.T, opts ...fakeauth0.Option) *fakeauth0.Tenant {
	t.Helper()
	tenant := fakeauth0.New(append([]fakeauth0.Option{fakeauth0.WithKey(testKeys()[0])}, opts...)...)
	t.Cleanup(tenant.Close)
	return tenant
}

// get fetches url and returns the response with its body read.
func get(t *testing.T, method, url string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", req.URL, err)
	}
	return resp, body
}

// publishedKeys fetches the tenant's JWKS over HTTP and parses each entry with
// jwkset's default validation, returning the RSA keys by kid.
func publishedKeys(t *testing.T, tenant *fakeauth0.Tenant) map[string]*rsa.PublicKey {
	t.Helper()
	resp, body := get(t, http.MethodGet, tenant.JWKSURL())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("JWKS status = %d, body %s", resp.StatusCode, body)
	}
	var set jwkset.JWKSMarshal
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("JWKS does not decode: %v\n%s", err, body)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, m := range set.Keys {
		jwk, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			t.Fatalf("jwkset rejects JWKS entry %q: %v", m.KID, err)
		}
		pub, ok := jwk.Key().(*rsa.PublicKey)
		if !ok {
			t.Fatalf("JWKS entry %q is a %T", m.KID, jwk.Key())
		}
		keys[m.KID] = pub
	}
	return keys
}

// verify checks token as a strict RS256 resource server of the tenant's API
// would, with the keys the tenant publishes, and returns its claims.
func verify(t *testing.T, tenant *fakeauth0.Tenant, token string, now time.Time) jwt.MapClaims {
	t.Helper()
	return verifyFor(t, tenant, tenant.Audience(), token, now)
}

// verifyFor is verify for a resource server whose identifier is audience.
func verifyFor(t *testing.T, tenant *fakeauth0.Tenant, audience, token string, now time.Time) jwt.MapClaims {
	t.Helper()
	claims, err := verifyWith(tenant, audience, publishedKeys(t, tenant), token, now)
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	return claims
}

// verifyErr says whether token verifies for the tenant's API with keys.
func verifyErr(tenant *fakeauth0.Tenant, keys map[string]*rsa.PublicKey, token string, now time.Time) error {
	_, err := verifyWith(tenant, tenant.Audience(), keys, token, now)
	return err
}

func verifyWith(tenant *fakeauth0.Tenant, audience string, keys map[string]*rsa.PublicKey, token string, now time.Time) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("kid %q is not published", kid)
	},
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(tenant.Issuer()),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	return claims, err
}

func TestNewServesOnLoopbackWithDefaults(t *testing.T) {
	tenant := fakeauth0.New() // generates its own key
	defer tenant.Close()

	u, err := url.Parse(tenant.URL)
	if err != nil {
		t.Fatal(err)
	}
	if host := u.Hostname(); host != "127.0.0.1" {
		t.Errorf("host = %q, want 127.0.0.1", host)
	}
	checks := []struct{ name, got, want string }{
		{"Issuer", tenant.Issuer(), tenant.URL + "/"},
		{"JWKSURL", tenant.JWKSURL(), tenant.URL + "/.well-known/jwks.json"},
		{"TokenURL", tenant.TokenURL(), tenant.URL + "/oauth/token"},
		{"DiscoveryURL", tenant.DiscoveryURL(), tenant.URL + "/.well-known/openid-configuration"},
		{"Audience", tenant.Audience(), "https://api.serverless-auth.test/profile"},
		{"DefaultAudience", fakeauth0.DefaultAudience, "https://api.serverless-auth.test/profile"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	k := tenant.SigningKey()
	if k == nil || k.Private.N.BitLen() != fakeauth0.DefaultKeyBits {
		t.Fatalf("signing key = %+v, want a %d-bit key", k, fakeauth0.DefaultKeyBits)
	}
	if ids := tenant.PublishedKeyIDs(); len(ids) != 1 || ids[0] != k.ID {
		t.Errorf("published kids = %v, want [%s]", ids, k.ID)
	}
	verify(t, tenant, tenant.Token(fakeauth0.DefaultReaderID), time.Now())
}

func TestDefaultClients(t *testing.T) {
	tenant := newTenant(t)
	got := tenant.Clients()
	want := []fakeauth0.Client{
		{ID: "profile-reader", Secret: "profile-reader-secret", Name: "Profile Reader", Scopes: []string{"get:profile", "read:messages"}},
		{ID: "no-scope-client", Secret: "no-scope-secret", Name: "No Scope Client"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Clients() = %+v, want %+v", got, want)
	}
	if fakeauth0.DefaultReaderID != want[0].ID || fakeauth0.DefaultReaderSecret != want[0].Secret ||
		fakeauth0.DefaultNoScopeID != want[1].ID || fakeauth0.DefaultNoScopeSecret != want[1].Secret {
		t.Error("the Default* constants do not name the default clients")
	}
}

func TestWithClientReplacesDefaultsAndAddClient(t *testing.T) {
	tenant := newTenant(t, fakeauth0.WithClient(fakeauth0.Client{ID: "a", Secret: "s", Scopes: []string{"x"}}))
	tenant.AddClient(fakeauth0.Client{ID: "b", Secret: "t"})
	tenant.AddClient(fakeauth0.Client{ID: "a", Secret: "s2"})
	got := tenant.Clients()
	if len(got) != 2 || got[0].ID != "a" || got[0].Secret != "s2" || got[1].ID != "b" {
		t.Errorf("Clients() = %+v, want a (replaced) then b", got)
	}
	got[0].ID = "mutated"
	if tenant.Clients()[0].ID != "a" {
		t.Error("Clients() exposes the tenant's own state")
	}
}

func TestInvalidOptionsPanic(t *testing.T) {
	cases := []struct {
		name string
		opt  fakeauth0.Option
	}{
		{"empty audience", fakeauth0.WithAudience("")},
		{"zero lifetime", fakeauth0.WithTokenLifetime(0)},
		{"sub-second lifetime", fakeauth0.WithTokenLifetime(time.Millisecond)},
		{"nil clock", fakeauth0.WithClock(nil)},
		{"nil logger", fakeauth0.WithLogger(nil)},
		{"client without ID", fakeauth0.WithClient(fakeauth0.Client{Secret: "s"})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("New did not panic")
				}
			}()
			tenant := fakeauth0.New(fakeauth0.WithKey(testKeys()[0]), c.opt)
			tenant.Close()
		})
	}
}

func TestWithListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tenant := newTenant(t, fakeauth0.WithListener(l))
	if tenant.URL != "http://"+l.Addr().String() {
		t.Errorf("URL = %q, want the listener's address %s", tenant.URL, l.Addr())
	}
	if resp, _ := get(t, http.MethodGet, tenant.JWKSURL()); resp.StatusCode != http.StatusOK {
		t.Errorf("JWKS status = %d", resp.StatusCode)
	}
}

func TestUnknownPathsAndMethodsAre404(t *testing.T) {
	tenant := newTenant(t)
	cases := []struct{ method, path string }{
		{http.MethodGet, "/"},
		{http.MethodGet, "/authorize"},
		{http.MethodGet, "/userinfo"},
		{http.MethodGet, "/oauth/token"},
		{http.MethodPut, "/oauth/token"},
		{http.MethodDelete, "/oauth/token"},
		{http.MethodPost, "/.well-known/jwks.json"},
		{http.MethodPost, "/.well-known/openid-configuration"},
		{http.MethodGet, "/.well-known/jwks.json/extra"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			resp, body := get(t, c.method, tenant.URL+c.path)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("status = %d, want 404", resp.StatusCode)
			}
			if string(body) != `{"error":"not_found","error_description":"Not Found"}` {
				t.Errorf("body = %s", body)
			}
		})
	}
}

func TestCounters(t *testing.T) {
	tenant := newTenant(t)
	for range 3 {
		get(t, http.MethodGet, tenant.JWKSURL())
	}
	get(t, http.MethodPost, tenant.JWKSURL()) // refused requests count too
	for range 2 {
		get(t, http.MethodGet, tenant.DiscoveryURL())
	}
	tenant.SetJWKSFault(fakeauth0.Fault{Status: http.StatusInternalServerError})
	get(t, http.MethodGet, tenant.JWKSURL())
	postForm(t, tenant, url.Values{"grant_type": {"client_credentials"}})
	get(t, http.MethodGet, tenant.TokenURL())
	tenant.Token(fakeauth0.DefaultReaderID) // minting is not a request

	if got := tenant.JWKSRequests(); got != 5 {
		t.Errorf("JWKSRequests = %d, want 5", got)
	}
	if got := tenant.DiscoveryRequests(); got != 2 {
		t.Errorf("DiscoveryRequests = %d, want 2", got)
	}
	if got := tenant.TokenRequests(); got != 2 {
		t.Errorf("TokenRequests = %d, want 2", got)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	tenant := fakeauth0.New(fakeauth0.WithKey(testKeys()[0]))
	tenant.Close()
	tenant.Close()
	if _, err := httpClient.Get(tenant.JWKSURL()); err == nil {
		t.Error("a closed tenant still answers")
	}
}

func TestWithLoggerNeverLogsSecretsOrTokens(t *testing.T) {
	var buf logbuffer.Buffer
	tenant := newTenant(t, fakeauth0.WithLogger(newJSONLogger(&buf)))
	_, body := postForm(t, tenant, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {fakeauth0.DefaultReaderID},
		"client_secret": {fakeauth0.DefaultReaderSecret},
	})
	var ok fakeauth0.TokenResponse
	if err := json.Unmarshal(body, &ok); err != nil || ok.AccessToken == "" {
		t.Fatalf("no token: %s", body)
	}
	postForm(t, tenant, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {fakeauth0.DefaultReaderID}, "client_secret": {"wrong-secret"},
	})
	tenant.SetJWKSFault(fakeauth0.Fault{EmptySet: true})
	get(t, http.MethodGet, tenant.JWKSURL())

	logs := buf.String()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one line per decision (3), got %d:\n%s", len(lines), logs)
	}
	for _, secret := range []string{fakeauth0.DefaultReaderSecret, "wrong-secret", ok.AccessToken, strings.Split(ok.AccessToken, ".")[2]} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains a secret or token: %q", secret)
		}
	}
	for _, want := range []string{`"decision":"issue"`, `"reason":"client_secret_invalid"`, `"decision":"fault"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s:\n%s", want, logs)
		}
	}
}

// TestConcurrentUse exercises every mutable part of a tenant at once; run with
// -race it shows the tenant is safe for concurrent use.
func TestConcurrentUse(t *testing.T) {
	keys := testKeys()
	tenant := newTenant(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	worker := func(fn func(i int) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if err := fn(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	worker(func(i int) error {
		k := keys[i%len(keys)]
		tenant.PublishKey(k)
		tenant.UseKey(k)
		tenant.RetireKey(keys[(i+2)%len(keys)].ID)
		return nil
	})
	worker(func(i int) error {
		if i%2 == 0 {
			tenant.SetJWKSFault(fakeauth0.Fault{EmptySet: true})
		} else {
			tenant.ClearJWKSFault()
		}
		tenant.PublishRawJWK(map[string]any{"kty": "oct", "kid": fmt.Sprint("raw-", i)})
		tenant.RetireKey(fmt.Sprint("raw-", i))
		return nil
	})
	worker(func(i int) error {
		tenant.AddClient(fakeauth0.Client{ID: fmt.Sprint("client-", i), Secret: "s"})
		_ = tenant.Clients()
		return nil
	})
	for range 2 {
		worker(func(int) error {
			if tok := tenant.Token(fakeauth0.DefaultReaderID); strings.Count(tok, ".") != 2 {
				return fmt.Errorf("malformed token %q", tok)
			}
			_ = tenant.Mint(nil, fakeauth0.Algorithm(fakeauth0.AlgES256))
			return nil
		})
		worker(func(int) error {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tenant.JWKSURL(), nil)
			resp, err := httpClient.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			return resp.Body.Close()
		})
		worker(func(int) error {
			body := strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "client_id": {fakeauth0.DefaultReaderID},
				"client_secret": {fakeauth0.DefaultReaderSecret}}.Encode())
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tenant.TokenURL(), body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := httpClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("token status %d", resp.StatusCode)
			}
			_, err = io.Copy(io.Discard, resp.Body)
			return err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, want := tenant.TokenRequests(), int64(40); got != want {
		t.Errorf("TokenRequests = %d, want %d", got, want)
	}
	if got, want := tenant.JWKSRequests(), int64(40); got != want {
		t.Errorf("JWKSRequests = %d, want %d", got, want)
	}
}
