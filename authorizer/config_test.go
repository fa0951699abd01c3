package authorizer

import (
	"context"
	"strings"
	"testing"
	"time"
)

// envOf turns a map into a lookup function.
func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// baseEnv is the minimal valid environment plus overrides ("" keeps an
// empty value, a missing key stays unset).
func baseEnv(over map[string]string, unset ...string) map[string]string {
	m := map[string]string{
		"JWKS_URI":     "https://tenant.example/.well-known/jwks.json",
		"TOKEN_ISSUER": "https://tenant.example/",
		"AUDIENCE":     "https://profile-api.example/",
	}
	for k, v := range over {
		m[k] = v
	}
	for _, k := range unset {
		delete(m, k)
	}
	return m
}

func TestConfigFromEnvDefaults(t *testing.T) {
	c, err := ConfigFromEnv(envOf(baseEnv(nil)))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.JWKSURI = "https://tenant.example/.well-known/jwks.json"
	want.Issuer = "https://tenant.example/"
	want.Audience = "https://profile-api.example/"
	if c != want {
		t.Fatalf("config = %+v\nwant %+v", c, want)
	}
	if c.Leeway != 10*time.Second || c.MaxTokenBytes != 8192 || c.JWKSTimeout != 2*time.Second ||
		c.JWKSRefreshMinInterval != 30*time.Second || c.JWKSMaxAge != 10*time.Minute ||
		c.PolicyResource != PolicyResourceMethod || c.RequiredScope != "" {
		t.Fatalf("defaults changed: %+v", c)
	}
}

func TestConfigFromEnvSettings(t *testing.T) {
	c, err := ConfigFromEnv(envOf(baseEnv(map[string]string{
		"TOKEN_LEEWAY":              "0s",
		"POLICY_RESOURCE":           "stage",
		"REQUIRED_SCOPE":            "get:profile",
		"MAX_TOKEN_BYTES":           "65536",
		"JWKS_TIMEOUT":              "100ms",
		"JWKS_MIN_REFRESH_INTERVAL": "1s",
		"JWKS_MAX_AGE":              "24h",
		"JWKS_URI":                  "http://127.0.0.1:8080/.well-known/jwks.json",
		"TOKEN_ISSUER":              "http://127.0.0.1:8080/",
	})))
	if err != nil {
		t.Fatal(err)
	}
	if c.Leeway != 0 || c.PolicyResource != PolicyResourceStage || c.RequiredScope != "get:profile" ||
		c.MaxTokenBytes != 65536 || c.JWKSTimeout != 100*time.Millisecond || c.JWKSRefreshMinInterval != time.Second ||
		c.JWKSMaxAge != 24*time.Hour || c.JWKSURI != "http://127.0.0.1:8080/.well-known/jwks.json" {
		t.Fatalf("config = %+v", c)
	}
}

func TestConfigFromEnvEmptyOptionalMeansDefault(t *testing.T) {
	env := baseEnv(nil)
	for _, k := range []string{"TOKEN_LEEWAY", "POLICY_RESOURCE", "REQUIRED_SCOPE", "MAX_TOKEN_BYTES", "JWKS_TIMEOUT", "JWKS_MIN_REFRESH_INTERVAL", "JWKS_MAX_AGE"} {
		env[k] = ""
	}
	c, err := ConfigFromEnv(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if c.Leeway != DefaultLeeway || c.MaxTokenBytes != DefaultMaxTokenBytes || c.PolicyResource != PolicyResourceMethod {
		t.Fatalf("config = %+v", c)
	}
}

func TestConfigFromEnvErrors(t *testing.T) {
	cases := []struct {
		name  string
		env   map[string]string
		wants []string // substrings of the error
	}{
		{"nothing set", map[string]string{}, []string{"JWKS_URI is required", "TOKEN_ISSUER is required", "AUDIENCE is required"}},
		{"empty required", baseEnv(map[string]string{"JWKS_URI": "", "AUDIENCE": ""}), []string{"JWKS_URI is required", "AUDIENCE is required"}},
		{"issuer without slash", baseEnv(map[string]string{"TOKEN_ISSUER": "https://tenant.example"}),
			[]string{`TOKEN_ISSUER "https://tenant.example" must be an https or http URL ending in "/"`}},
		{"issuer not a URL", baseEnv(map[string]string{"TOKEN_ISSUER": "tenant.example/"}), []string{"TOKEN_ISSUER"}},
		{"issuer other scheme", baseEnv(map[string]string{"TOKEN_ISSUER": "ftp://tenant.example/"}), []string{"TOKEN_ISSUER"}},
		{"issuer with query", baseEnv(map[string]string{"TOKEN_ISSUER": "https://tenant.example/?a=/"}), []string{"TOKEN_ISSUER"}},
		{"issuer with space", baseEnv(map[string]string{"TOKEN_ISSUER": " https://tenant.example/"}), []string{"TOKEN_ISSUER"}},
		{"jwks relative", baseEnv(map[string]string{"JWKS_URI": "/.well-known/jwks.json"}), []string{`JWKS_URI "/.well-known/jwks.json" must be an https or http URL`}},
		{"jwks with user info", baseEnv(map[string]string{"JWKS_URI": "https://u:p@tenant.example/jwks.json"}), []string{"JWKS_URI"}},
		{"jwks with fragment", baseEnv(map[string]string{"JWKS_URI": "https://tenant.example/jwks.json#x"}), []string{"JWKS_URI"}},
		{"audience padded", baseEnv(map[string]string{"AUDIENCE": "api "}), []string{"AUDIENCE"}},
		{"leeway not a duration", baseEnv(map[string]string{"TOKEN_LEEWAY": "10"}), []string{`TOKEN_LEEWAY "10" must be a Go duration`}},
		{"leeway negative", baseEnv(map[string]string{"TOKEN_LEEWAY": "-1s"}), []string{"TOKEN_LEEWAY -1s must be between 0s and 5m0s"}},
		{"leeway too long", baseEnv(map[string]string{"TOKEN_LEEWAY": "5m1s"}), []string{"TOKEN_LEEWAY"}},
		{"policy resource", baseEnv(map[string]string{"POLICY_RESOURCE": "api"}), []string{`POLICY_RESOURCE "api" must be "method" or "stage"`}},
		{"policy resource case", baseEnv(map[string]string{"POLICY_RESOURCE": "Stage"}), []string{"POLICY_RESOURCE"}},
		{"scope with space", baseEnv(map[string]string{"REQUIRED_SCOPE": "get:profile read:x"}), []string{"REQUIRED_SCOPE"}},
		{"scope with quote", baseEnv(map[string]string{"REQUIRED_SCOPE": `a"b`}), []string{"REQUIRED_SCOPE"}},
		{"max token not a number", baseEnv(map[string]string{"MAX_TOKEN_BYTES": "8k"}), []string{`MAX_TOKEN_BYTES "8k" must be an integer`}},
		{"max token too small", baseEnv(map[string]string{"MAX_TOKEN_BYTES": "1023"}), []string{"MAX_TOKEN_BYTES 1023 must be between 1024 and 65536"}},
		{"max token too large", baseEnv(map[string]string{"MAX_TOKEN_BYTES": "65537"}), []string{"MAX_TOKEN_BYTES"}},
		{"timeout too short", baseEnv(map[string]string{"JWKS_TIMEOUT": "99ms"}), []string{"JWKS_TIMEOUT 99ms must be between 100ms and 10s"}},
		{"timeout too long", baseEnv(map[string]string{"JWKS_TIMEOUT": "11s"}), []string{"JWKS_TIMEOUT"}},
		{"interval too short", baseEnv(map[string]string{"JWKS_MIN_REFRESH_INTERVAL": "999ms"}), []string{"JWKS_MIN_REFRESH_INTERVAL"}},
		{"interval too long", baseEnv(map[string]string{"JWKS_MIN_REFRESH_INTERVAL": "2h"}), []string{"JWKS_MIN_REFRESH_INTERVAL"}},
		{"max age too short", baseEnv(map[string]string{"JWKS_MAX_AGE": "59s"}), []string{"JWKS_MAX_AGE 59s must be between 1m0s and 24h0m0s"}},
		{"max age below interval", baseEnv(map[string]string{"JWKS_MAX_AGE": "10m", "JWKS_MIN_REFRESH_INTERVAL": "1h"}),
			[]string{"JWKS_MAX_AGE 10m0s must not be shorter than JWKS_MIN_REFRESH_INTERVAL 1h0m0s"}},
		{"parse and range errors together", baseEnv(map[string]string{"JWKS_TIMEOUT": "soon", "MAX_TOKEN_BYTES": "1"}, "AUDIENCE"),
			[]string{"JWKS_TIMEOUT \"soon\"", "MAX_TOKEN_BYTES 1 ", "AUDIENCE is required"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ConfigFromEnv(envOf(tc.env))
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			if c != (Config{}) {
				t.Fatalf("config returned with an error: %+v", c)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestValidateBounds(t *testing.T) {
	ok := func(edit func(*Config)) Config {
		c := testConfig("https://tenant.example/jwks")
		edit(&c)
		return c
	}
	valid := []func(*Config){
		func(c *Config) { c.Leeway = MinLeeway },
		func(c *Config) { c.Leeway = MaxLeeway },
		func(c *Config) { c.MaxTokenBytes = MinMaxTokenBytes },
		func(c *Config) { c.MaxTokenBytes = MaxMaxTokenBytes },
		func(c *Config) { c.JWKSTimeout = MinJWKSTimeout },
		func(c *Config) { c.JWKSTimeout = MaxJWKSTimeout },
		func(c *Config) { c.JWKSRefreshMinInterval = MinJWKSRefreshMinInterval },
		func(c *Config) { c.JWKSRefreshMinInterval = MaxJWKSRefreshMinInterval; c.JWKSMaxAge = time.Hour },
		func(c *Config) { c.JWKSMaxAge = MinJWKSMaxAge },
		func(c *Config) { c.JWKSMaxAge = MaxJWKSMaxAge },
		func(c *Config) { c.RequiredScope = "read:messages" },
	}
	for i, e := range valid {
		if err := ok(e).Validate(); err != nil {
			t.Errorf("valid case %d: %v", i, err)
		}
	}
	invalid := []func(*Config){
		func(c *Config) { c.Leeway = MaxLeeway + 1 },
		func(c *Config) { c.MaxTokenBytes = 0 },
		func(c *Config) { c.JWKSTimeout = 0 },
		func(c *Config) { c.JWKSRefreshMinInterval = 0 },
		func(c *Config) { c.JWKSMaxAge = 0 },
		func(c *Config) { c.PolicyResource = "" },
		func(c *Config) { c.RequiredScope = "é" },
	}
	for i, e := range invalid {
		if err := ok(e).Validate(); err == nil {
			t.Errorf("invalid case %d accepted", i)
		}
	}
}

// TestNewFromEnv: what a Lambda main does at init, in one call: a missing
// variable is named in the error; a complete environment gives an
// Authorizer that verifies.
func TestNewFromEnv(t *testing.T) {
	f := newServerFixture(t)
	env := map[string]string{EnvJWKSURI: f.srv.URL + "/.well-known/jwks.json", EnvIssuer: testIssuer}
	if _, err := NewFromEnv(context.Background(), envOf(env), WithLogger(discardLogger())); err == nil || !strings.Contains(err.Error(), EnvAudience) {
		t.Fatalf("err = %v, want one naming %s", err, EnvAudience)
	}
	env[EnvAudience] = testAudience
	a, err := NewFromEnv(context.Background(), envOf(env), WithLogger(discardLogger()), WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(context.Background(), f.token(t)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}
