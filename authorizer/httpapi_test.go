package authorizer_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/golang-jwt/jwt/v5"

	"github.com/serverless-auth/serverless-auth/authorizer"
)

// httpTenant is a minimal issuer for the HTTP authorizer's tests: one RSA key served as a JWKS.
type httpTenant struct {
	key    *rsa.PrivateKey
	server *httptest.Server
}

const (
	httpTestKid      = "http-test-key"
	httpTestAudience = "https://profile-api.example/"
)

func newHTTPTenant(t *testing.T) *httpTenant {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": httpTestKid,
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	}))
	t.Cleanup(srv.Close)
	return &httpTenant{key: key, server: srv}
}

func (h *httpTenant) issuer() string { return h.server.URL + "/" }

func (h *httpTenant) claims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": h.issuer(), "sub": "reader@clients", "aud": httpTestAudience,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "scope": "get:profile read:messages",
	}
}

func (h *httpTenant) mint(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = httpTestKid
	s, err := tok.SignedString(h.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newHTTPAuthorizer(t *testing.T, tenant *httpTenant, logs *bytes.Buffer) *authorizer.Authorizer {
	t.Helper()
	cfg := authorizer.DefaultConfig()
	cfg.JWKSURI = tenant.server.URL + "/.well-known/jwks.json"
	cfg.Issuer = tenant.issuer()
	cfg.Audience = httpTestAudience
	a, err := authorizer.New(context.Background(), cfg, authorizer.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAuthorizeHTTP(t *testing.T) {
	tenant := newHTTPTenant(t)
	valid := tenant.mint(t, tenant.claims())
	expired := tenant.claims()
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	otherAudience := tenant.claims()
	otherAudience["aud"] = "https://other.example/"
	noScope := tenant.claims()
	delete(noScope, "scope")
	tests := []struct {
		name          string
		authorization string
		allow         bool
		scope         string
		reason        string
	}{
		{"valid token", "Bearer " + valid, true, "get:profile read:messages", "ok"},
		{"valid token without scope", "Bearer " + tenant.mint(t, noScope), true, "", "ok"},
		{"no header", "", false, "", "token_missing"},
		{"another scheme", "Basic " + valid, false, "", "bad_scheme"},
		{"token without scheme", valid, false, "", "bad_scheme"},
		{"malformed", "Bearer abc.def", false, "", "malformed"},
		{"expired", "Bearer " + tenant.mint(t, expired), false, "", "expired"},
		{"wrong audience", "Bearer " + tenant.mint(t, otherAudience), false, "", "audience"},
		{"oversized", "Bearer " + strings.Repeat("a", 70000), false, "", "token_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := newHTTPAuthorizer(t, tenant, &logs)
			logs.Reset()
			req := events.APIGatewayV2CustomAuthorizerV2Request{
				Version: "2.0", Type: "REQUEST", RouteKey: "GET /profile",
				Headers: map[string]string{"authorization": tt.authorization},
			}
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-h"})
			resp, err := h.AuthorizeHTTP(ctx, req)
			if err != nil {
				t.Fatalf("AuthorizeHTTP returned an error: %v", err)
			}
			if resp.IsAuthorized != tt.allow {
				t.Fatalf("isAuthorized %v, want %v", resp.IsAuthorized, tt.allow)
			}
			if tt.allow && (resp.Context["scope"] != tt.scope || resp.Context["principalId"] != "reader@clients") {
				t.Errorf("context %v", resp.Context)
			}
			if !tt.allow && resp.Context != nil {
				t.Errorf("a refusal carries a context: %v", resp.Context)
			}
			var entry map[string]any
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &entry) != nil {
				t.Fatalf("want one JSON decision line, got %q", logs.String())
			}
			if entry["msg"] != "authorize" || entry["reason"] != tt.reason || entry["request_id"] != "req-h" {
				t.Errorf("log line %v, want reason %s", entry, tt.reason)
			}
			for _, part := range strings.Split(valid, ".") {
				if strings.Contains(logs.String(), part) {
					t.Fatal("the log holds part of the token")
				}
			}
		})
	}
}

func TestHTTPAuthorizerInvoke(t *testing.T) {
	tenant := newHTTPTenant(t)
	var logs bytes.Buffer
	h := lambda.NewHandler(newHTTPAuthorizer(t, tenant, &logs).AuthorizeHTTP)
	payload, _ := json.Marshal(events.APIGatewayV2CustomAuthorizerV2Request{
		Version: "2.0", Type: "REQUEST",
		Headers: map[string]string{"authorization": "Bearer " + tenant.mint(t, tenant.claims())},
	})
	out, err := h.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.APIGatewayV2CustomAuthorizerSimpleResponse
	if err := json.Unmarshal(out, &resp); err != nil || !resp.IsAuthorized {
		t.Errorf("Invoke answered %s (%v)", out, err)
	}
	out, err = h.Invoke(context.Background(), []byte(`{"version":"2.0","headers":{}}`))
	if err != nil || string(out) != `{"isAuthorized":false}` {
		t.Errorf("no token: %s, %v", out, err)
	}
	for _, bad := range []string{``, `[`, `"x"`, `{"headers":[]}`} {
		if _, err := h.Invoke(context.Background(), []byte(bad)); err == nil {
			t.Errorf("Invoke(%q) succeeded", bad)
		}
	}
}
