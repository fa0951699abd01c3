package authorizer

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// lambdaCtx carries a Lambda context with the given request id.
func lambdaCtx(id string) context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id})
}

// assertNoSecrets fails if the log holds any segment of tok.
func assertNoSecrets(t *testing.T, logs string, tok string) {
	t.Helper()
	for _, part := range strings.Split(tok, ".") {
		if len(part) >= 8 && strings.Contains(logs, part) {
			t.Fatalf("log holds part of the token: %s", logs)
		}
	}
}

func TestAuthorizeAllow(t *testing.T) {
	cases := []struct {
		name     string
		edit     func(*Config)
		claims   func(map[string]any)
		resource string
		scope    string
	}{
		{"method resource", nil, func(map[string]any) {}, testARN, testScope},
		{"stage resource", func(c *Config) { c.PolicyResource = PolicyResourceStage }, func(map[string]any) {},
			"arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/*", testScope},
		{"no scope", nil, func(c map[string]any) { delete(c, "scope") }, testARN, ""},
		{"empty scope", nil, func(c map[string]any) { c["scope"] = "" }, testARN, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.edit)
			c := f.claims()
			tc.claims(c)
			tok := mint(t, f.key, nil, c)
			resp, err := f.a.Authorize(lambdaCtx("req-1"), tokenEvent("Bearer "+tok))
			if err != nil {
				t.Fatalf("Authorize: %v\nlog: %s", err, f.logs)
			}
			want := events.APIGatewayCustomAuthorizerResponse{
				PrincipalID: testSub,
				PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
					Version: "2012-10-17",
					Statement: []events.IAMPolicyStatement{{
						Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{tc.resource},
					}},
				},
				Context: map[string]interface{}{"scope": tc.scope},
			}
			got, _ := json.Marshal(resp)
			exp, _ := json.Marshal(want)
			if string(got) != string(exp) {
				t.Fatalf("response\n got %s\nwant %s", got, exp)
			}
			lines := logLines(t, f.logs, "authorize")
			if len(lines) != 1 {
				t.Fatalf("%d decision lines, want 1: %s", len(lines), f.logs)
			}
			l := lines[0]
			if l["decision"] != "allow" || l["reason"] != "ok" || l["sub"] != testSub || l["request_id"] != "req-1" || l["level"] != "INFO" {
				t.Fatalf("decision line = %v", l)
			}
			assertNoSecrets(t, f.logs.String(), tok)
		})
	}
}

// denyCase is an Authorization value or event that must be rejected.
type denyCase struct {
	id     string
	name   string
	event  func(t testing.TB, f *fixture) events.APIGatewayCustomAuthorizerRequest
	reason string
}

func header(h func(t testing.TB, f *fixture) string) func(testing.TB, *fixture) events.APIGatewayCustomAuthorizerRequest {
	return func(t testing.TB, f *fixture) events.APIGatewayCustomAuthorizerRequest { return tokenEvent(h(t, f)) }
}

func withToken(format string) func(testing.TB, *fixture) events.APIGatewayCustomAuthorizerRequest {
	return header(func(t testing.TB, f *fixture) string { return strings.ReplaceAll(format, "TOKEN", f.token(t)) })
}

// validWith is the TOKEN event of a valid token, changed by edit.
func validWith(edit func(*events.APIGatewayCustomAuthorizerRequest)) func(testing.TB, *fixture) events.APIGatewayCustomAuthorizerRequest {
	return func(t testing.TB, f *fixture) events.APIGatewayCustomAuthorizerRequest {
		e := tokenEvent("Bearer " + f.token(t))
		edit(&e)
		return e
	}
}

func denyCases() []denyCase {
	return []denyCase{
		{"AUTH-02", "empty", withToken(""), "token_missing"},
		{"AUTH-02", "scheme only", withToken("Bearer"), "bad_scheme"},
		{"AUTH-02", "scheme and space", withToken("Bearer "), "token_missing"},
		{"AUTH-03", "other scheme", withToken("Basic TOKEN"), "bad_scheme"},
		{"AUTH-03", "no scheme", withToken("TOKEN"), "bad_scheme"},
		{"AUTH-03", "two spaces", withToken("Bearer  TOKEN"), "bad_scheme"},
		{"AUTH-03", "tab", withToken("Bearer\tTOKEN"), "bad_scheme"},
		{"AUTH-03", "extra part", withToken("Bearer TOKEN extra"), "bad_scheme"},
		{"AUTH-03", "trailing space", withToken("Bearer TOKEN "), "bad_scheme"},
		{"AUTH-03", "leading space", withToken(" Bearer TOKEN"), "bad_scheme"},
		{"AUTH-03", "two tokens", withToken("Bearer TOKEN,TOKEN"), "malformed"},
		{"AUTH-03", "scheme glued", withToken("BearerTOKEN"), "bad_scheme"},
		{"AUTH-03", "lowercase scheme", withToken("bearer TOKEN"), "bad_scheme"},
		{"AUTH-03", "uppercase scheme", withToken("BEARER TOKEN"), "bad_scheme"},
		{"AUTH-18", "REQUEST event with a valid token", validWith(func(e *events.APIGatewayCustomAuthorizerRequest) { e.Type = "REQUEST" }), "event_type"},
		{"AUTH-18", "event without a type", validWith(func(e *events.APIGatewayCustomAuthorizerRequest) { e.Type = "" }), "event_type"},
		{"AUTH-18", "lowercase type", validWith(func(e *events.APIGatewayCustomAuthorizerRequest) { e.Type = "token" }), "event_type"},
		{"AUTH-16", "header over the limit", header(func(testing.TB, *fixture) string {
			return "Bearer " + strings.Repeat("a", DefaultMaxTokenBytes+1)
		}), "token_too_large"},
		{"AUTH-16", "huge header of spaces", header(func(testing.TB, *fixture) string { return strings.Repeat(" ", 1<<20) }), "token_too_large"},
		{"AUTH-01", "methodArn empty", validWith(func(e *events.APIGatewayCustomAuthorizerRequest) { e.MethodArn = "" }), "method_arn"},
		{"AUTH-01", "methodArn of another service", validWith(func(e *events.APIGatewayCustomAuthorizerRequest) {
			e.MethodArn = "arn:aws:lambda:eu-west-1:123456789012:function:x"
		}), "method_arn"},
	}
}

// TestAuthorizeDeny runs the Authorize-level rejections and every failing
// Verify case through Authorize: each ends in exactly ErrUnauthorized, no
// policy, and one deny line with its reason code and no token material.
func TestAuthorizeDeny(t *testing.T) {
	cases := denyCases()
	for _, vc := range verifyCases() {
		if vc.want == nil || vc.id == "AUTH-02" {
			continue
		}
		cases = append(cases, denyCase{vc.id, "verify/" + vc.name, header(func(t testing.TB, f *fixture) string {
			return "Bearer " + vc.token(t, f)
		}), Reason(vc.want)})
	}
	f := newFixture(t, nil)
	for _, tc := range cases {
		t.Run(tc.id+"/"+tc.name, func(t *testing.T) {
			f.logs.Reset()
			ev := tc.event(t, f)
			resp, err := f.a.Authorize(lambdaCtx("req-deny"), ev)
			if err != ErrUnauthorized || err.Error() != "Unauthorized" {
				t.Fatalf("err = %v, want exactly ErrUnauthorized", err)
			}
			if resp.PrincipalID != "" || len(resp.PolicyDocument.Statement) != 0 || resp.Context != nil {
				t.Fatalf("response with a rejection: %+v", resp)
			}
			lines := logLines(t, f.logs, "authorize")
			if len(lines) != 1 {
				t.Fatalf("%d decision lines, want 1: %s", len(lines), f.logs)
			}
			l := lines[0]
			if l["decision"] != "deny" || l["reason"] != tc.reason || l["request_id"] != "req-deny" {
				t.Fatalf("decision line = %v, want deny/%s", l, tc.reason)
			}
			if _, has := l["sub"]; has {
				t.Fatalf("deny line names a subject: %v", l)
			}
			tok := strings.TrimPrefix(ev.AuthorizationToken, "Bearer ")
			assertNoSecrets(t, f.logs.String(), tok)
		})
	}
}

func TestAuthorizeRequestIDOnlyWhenPresent(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.a.Authorize(context.Background(), tokenEvent("Bearer "+f.token(t))); err != nil {
		t.Fatal(err)
	}
	l := logLines(t, f.logs, "authorize")[0]
	if _, has := l["request_id"]; has {
		t.Fatalf("request_id without a Lambda context: %v", l)
	}
}

// TestAuthorizeRecoversFromPanic: even an internal panic ends in Unauthorized.
func TestAuthorizeRecoversFromPanic(t *testing.T) {
	f := newServerFixture(t)
	var explode atomic.Bool
	clock := f.clock.Now
	a, err := New(context.Background(), testConfig(f.srv.URL), WithHTTPClient(f.client),
		WithLogger(newJSONLogger(f.logs)),
		WithClock(func() time.Time {
			if explode.Load() {
				panic("clock broke")
			}
			return clock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	explode.Store(true)
	resp, err := a.Authorize(context.Background(), tokenEvent("Bearer "+f.token(t)))
	if err != ErrUnauthorized || resp.PrincipalID != "" {
		t.Fatalf("Authorize = %+v, %v", resp, err)
	}
	l := logLines(t, f.logs, "authorize")
	if len(l) != 1 || l[0]["reason"] != "internal" || l[0]["level"] != "ERROR" {
		t.Fatalf("decision lines = %v", l)
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	_, err := New(context.Background(), DefaultConfig())
	if err == nil || !strings.Contains(err.Error(), "JWKS_URI is required") || !strings.Contains(err.Error(), "TOKEN_ISSUER is required") {
		t.Fatalf("err = %v", err)
	}
}

func TestNewLogsFailedInitialFetch(t *testing.T) {
	f := newServerFixture(t)
	f.srv.set(http.StatusServiceUnavailable, nil)
	f.start(t, nil)
	l := logLines(t, f.logs, "jwks refresh")
	if len(l) != 1 || l[0]["outcome"] != "failed" || l[0]["level"] != "WARN" || !strings.Contains(l[0]["error"].(string), "503") {
		t.Fatalf("refresh lines = %v", l)
	}
	f.srv.setKeys(f.key.jwk())
	f.clock.Advance(DefaultJWKSRefreshMinInterval)
	if _, err := f.a.Authorize(context.Background(), tokenEvent("Bearer "+f.token(t))); err != nil {
		t.Fatal(err)
	}
	l = logLines(t, f.logs, "jwks refresh")
	if len(l) != 2 || l[1]["outcome"] != "ok" || l[1]["keys"] != float64(1) {
		t.Fatalf("refresh lines = %v", l)
	}
}

// TestDefaultClientDoesNotFollowRedirects: the JWKS must be served at
// JWKS_URI itself.
func TestDefaultClientDoesNotFollowRedirects(t *testing.T) {
	key := loadRSA(t, "primary", "key-1")
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/keys" {
			served.Add(1)
			_, _ = w.Write(mustJSON(t, map[string]any{"keys": []any{key.jwk()}}))
			return
		}
		http.Redirect(w, r, "/keys", http.StatusFound)
	}))
	defer srv.Close()
	a, err := New(context.Background(), testConfig(srv.URL+"/.well-known/jwks.json"), WithLogger(discardLogger()),
		WithClock(newTestClock().Now), WithHTTPClient(nil), WithClock(nil), WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	if all, _ := a.keys.KeyReadAll(context.Background()); len(all) != 0 || served.Load() != 0 {
		t.Fatalf("redirect followed: %d keys, %d served", len(all), served.Load())
	}
}
