package fakegateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRouting(t *testing.T) {
	h := newHarness(t, testConfig())
	tests := []struct {
		name      string
		method    string
		path      string
		auth      string // full Authorization header
		status    int
		body      string
		errorType string
	}{
		{"unknown stage", "GET", "/dev/profile", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"stage prefix only", "GET", "/prodx/profile", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"no stage", "GET", "/", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"stage root without a root method", "GET", "/prod", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"stage root with slash", "GET", "/prod/", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"unknown resource", "GET", "/prod/nope", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"resource is case-sensitive", "GET", "/prod/Profile", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"wrong method on known resource", "POST", "/prod/profile", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"HEAD is not GET", "HEAD", "/prod/profile", "", 403, "", "MissingAuthenticationTokenException"},
		{"OPTIONS without a method", "OPTIONS", "/prod/profile", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"empty segment before a literal", "GET", "/prod/items//special", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"empty segment as a parameter", "POST", "/prod/items//", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"known route with a trailing slash, no token", "GET", "/prod/profile/", "", 401, msgUnauthorized, "UnauthorizedException"},
		{"known route after a double slash, no token", "GET", "/prod//profile", "", 401, msgUnauthorized, "UnauthorizedException"},
		{"too deep", "GET", "/prod/profile/x", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"greedy needs a segment", "GET", "/prod/files", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"param on the wrong method", "GET", "/prod/items/7", "", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"SigV4-shaped header on unknown route", "GET", "/prod/nope", "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=c", 403, msgMissingToken, "MissingAuthenticationTokenException"},
		{"known route, no token", "GET", "/prod/profile", "", 401, msgUnauthorized, "UnauthorizedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.authCalls.Load()
			hdr := map[string]string{}
			if tt.auth != "" {
				hdr["Authorization"] = tt.auth
			}
			r := h.do(tt.method, tt.path, hdr, "")
			checkGatewayError(t, r, tt.status, tt.body, tt.errorType)
			if h.authCalls.Load() != before {
				t.Error("the authorizer was invoked")
			}
		})
	}
}

func TestRoutingUnknownRouteWithBearerToken(t *testing.T) {
	h := newHarness(t, testConfig())
	const token = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
	for _, path := range []string{"/prod/nope", "/dev/profile", "/prod/profile/x"} {
		r := h.do("GET", path, map[string]string{"Authorization": "Bearer " + token}, "")
		if r.status != 403 || r.header.Get("x-amzn-ErrorType") != "IncompleteSignatureException" {
			t.Errorf("%s: got %d %s %q", path, r.status, r.body, r.header.Get("x-amzn-ErrorType"))
		}
		var body map[string]string
		if err := json.Unmarshal([]byte(r.body), &body); err != nil || !strings.HasPrefix(body["message"], "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256") {
			t.Errorf("%s: body %s", path, r.body)
		}
		if strings.Contains(r.body, token) {
			t.Errorf("%s: the token is echoed in the body", path)
		}
	}
	if h.authCalls.Load() != 0 {
		t.Error("the authorizer was invoked")
	}
}

func TestRouteSelection(t *testing.T) {
	h := newHarness(t, testConfig())
	tests := []struct {
		method, path, resource string
		params                 map[string]string
	}{
		{"GET", "/prod/items/special", "/items/special", nil},
		{"POST", "/prod/items/42", "/items/{id}", map[string]string{"id": "42"}},
		// Parameters as sent, percent-encoding kept, as AWS recorded it (see TestProxyEventPaths).
		{"POST", "/prod/items/a%20b", "/items/{id}", map[string]string{"id": "a%20b"}},
		{"POST", "/prod/items/a%2Fb", "/items/{id}", map[string]string{"id": "a%2Fb"}},
		{"DELETE", "/prod/files/a/b/c.txt", "/files/{path+}", map[string]string{"path": "a/b/c.txt"}},
		{"PATCH", "/prod/files/x", "/files/{path+}", map[string]string{"path": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := h.do(tt.method, tt.path, map[string]string{"Authorization": "Bearer allow"}, "")
			if r.status != 200 {
				t.Fatalf("status %d %s", r.status, r.body)
			}
			ev := r.event(t)
			if ev.Resource != tt.resource || ev.RequestContext.ResourcePath != tt.resource {
				t.Errorf("resource %q / %q, want %q", ev.Resource, ev.RequestContext.ResourcePath, tt.resource)
			}
			if len(ev.PathParameters) != len(tt.params) {
				t.Errorf("pathParameters %v, want %v", ev.PathParameters, tt.params)
			}
			for k, v := range tt.params {
				if ev.PathParameters[k] != v {
					t.Errorf("pathParameters[%s] = %q, want %q", k, ev.PathParameters[k], v)
				}
			}
		})
	}
}

func TestAuthorizerFlow(t *testing.T) {
	h := newHarness(t, testConfig(), WithAuthorizerTimeout(200*time.Millisecond))
	tests := []struct {
		name       string
		header     *string // nil: no Authorization header
		status     int
		body       string
		errorType  string
		invoked    bool // authorizer
		integrated bool
	}{
		{"missing header", nil, 401, msgUnauthorized, "UnauthorizedException", false, false},
		{"empty header", strPtr(""), 401, msgUnauthorized, "UnauthorizedException", false, false},
		{"fails validation: no scheme", strPtr("allow"), 401, msgUnauthorized, "UnauthorizedException", false, false},
		{"fails validation: other scheme", strPtr("Basic YWxsb3c="), 401, msgUnauthorized, "UnauthorizedException", false, false},
		{"fails validation: lower-case scheme", strPtr("bearer allow"), 401, msgUnauthorized, "UnauthorizedException", false, false},
		{"fails validation: two spaces", strPtr("Bearer  allow"), 401, msgUnauthorized, "UnauthorizedException", false, false},
		{"fails validation: extra part", strPtr("Bearer allow x"), 401, msgUnauthorized, "UnauthorizedException", false, false},
		{"fails validation: bad character", strPtr("Bearer all+ow"), 401, msgUnauthorized, "UnauthorizedException", false, false},
		{"fails validation: padding", strPtr("Bearer allow="), 401, msgUnauthorized, "UnauthorizedException", false, false},
		{"allow", strPtr("Bearer allow"), 200, "", "", true, true},
		{"authorizer error Unauthorized", strPtr("Bearer unauthorized"), 401, msgUnauthorized, "UnauthorizedException", true, false},
		{"Lambda error payload Unauthorized", strPtr("Bearer unauthorized-payload"), 401, msgUnauthorized, "UnauthorizedException", true, false},
		{"error Unauthorized. is not Unauthorized", strPtr("Bearer Unauthorized."), 500, msgAuthorizer500, "AuthorizerConfigurationException", true, false},
		{"Lambda error payload unauthorized (lower case)", strPtr("Bearer unauthorized-lcase"), 500, msgAuthorizer500, "AuthorizerConfigurationException", true, false},
		{"explicit deny", strPtr("Bearer deny"), 403, msgExplicitDeny, "AccessDeniedException", true, false},
		{"allow not covering the method", strPtr("Bearer other"), 403, msgImplicitDeny, "AccessDeniedException", true, false},
		{"other error", strPtr("Bearer boom"), 500, msgAuthorizer500, "AuthorizerConfigurationException", true, false},
		{"Lambda error payload", strPtr("Bearer error-payload"), 500, msgAuthorizer500, "AuthorizerConfigurationException", true, false},
		{"timeout", strPtr("Bearer slow"), 500, msgAuthorizer500, "AuthorizerConfigurationException", true, false},
		{"timeout, function ignores its context", strPtr("Bearer stuck"), 500, msgAuthorizer500, "AuthorizerConfigurationException", true, false},
		{"panic", strPtr("Bearer panic"), 500, msgAuthorizer500, "AuthorizerConfigurationException", true, false},
	}
	for token := range rawAuthorizerResponses() {
		if token == "unauthorized-lcase" {
			continue
		}
		tests = append(tests, struct {
			name       string
			header     *string
			status     int
			body       string
			errorType  string
			invoked    bool
			integrated bool
		}{"malformed: " + token, strPtr("Bearer " + token), 500, msgAuthorizer500, "AuthorizerConfigurationException", true, false})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authBefore, fnBefore := h.authCalls.Load(), h.fnCalls.Load()
			hdr := map[string]string{}
			if tt.header != nil {
				hdr["Authorization"] = *tt.header
			}
			r := h.do("GET", "/prod/profile", hdr, "")
			if tt.status == 200 {
				if r.status != 200 {
					t.Fatalf("status %d %s", r.status, r.body)
				}
			} else {
				checkGatewayError(t, r, tt.status, tt.body, tt.errorType)
			}
			if got := h.authCalls.Load() - authBefore; got != boolCount(tt.invoked) {
				t.Errorf("authorizer invoked %d times, want %d", got, boolCount(tt.invoked))
			}
			if got := h.fnCalls.Load() - fnBefore; got != boolCount(tt.integrated) {
				t.Errorf("integration invoked %d times, want %d", got, boolCount(tt.integrated))
			}
		})
	}
}

func boolCount(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func TestAuthorizerEventAndContext(t *testing.T) {
	h := newHarness(t, testConfig())
	r := h.get("/prod/profile", "allow")
	if r.status != 200 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	v, ok := h.seen.Load("allow")
	if !ok {
		t.Fatal("authorizer not invoked")
	}
	req := v.(events.APIGatewayCustomAuthorizerRequest)
	want := events.APIGatewayCustomAuthorizerRequest{
		Type:               "TOKEN",
		AuthorizationToken: "Bearer allow",
		MethodArn:          "arn:aws:execute-api:us-east-1:123456789012:fakegw0001/prod/GET/profile",
	}
	if req != want {
		t.Errorf("authorizer event = %+v, want %+v", req, want)
	}
	if h.srv.Gateway.MethodARN("GET", "/profile") != want.MethodArn {
		t.Errorf("MethodARN = %q", h.srv.Gateway.MethodARN("GET", "/profile"))
	}
	auth := r.event(t).RequestContext.Authorizer
	wantAuth := map[string]any{
		"principalId": "user-allow", "scope": "get:profile read", "n": "5", "ok": "true", "f": "1.5",
	}
	for k, v := range wantAuth {
		if auth[k] != v {
			t.Errorf("requestContext.authorizer[%s] = %#v, want %#v", k, auth[k], v)
		}
	}
	if _, ok := auth["integrationLatency"].(float64); !ok {
		t.Errorf("integrationLatency = %#v, want a number", auth["integrationLatency"])
	}
	if len(auth) != len(wantAuth)+1 {
		t.Errorf("requestContext.authorizer = %v", auth)
	}

	// A route without the authorizer: no invocation, no authorizer context.
	before := h.authCalls.Load()
	r = h.get("/prod/public", "")
	if r.status != 200 || r.event(t).RequestContext.Authorizer != nil || h.authCalls.Load() != before {
		t.Errorf("public route: %d, authorizer %v", r.status, r.event(t).RequestContext.Authorizer)
	}
}

func TestMethodARNs(t *testing.T) {
	cfg := testConfig()
	cfg.Routes = append(cfg.Routes, Route{Method: "GET", Path: "/", Function: "Profile"})
	h := newHarness(t, cfg, WithRegion("eu-west-2"), WithAccountID("000011112222"), WithAPIID("a1b2c3d4e5"))
	tests := []struct{ method, path, token, want string }{
		{"GET", "/prod", "allow-root", "arn:aws:execute-api:eu-west-2:000011112222:a1b2c3d4e5/prod/GET/"},
		{"GET", "/prod/", "allow-root2", "arn:aws:execute-api:eu-west-2:000011112222:a1b2c3d4e5/prod/GET/"},
		{"POST", "/prod/items/a%20b", "allow-items", "arn:aws:execute-api:eu-west-2:000011112222:a1b2c3d4e5/prod/POST/items/a b"},
		{"PUT", "/prod/files/x/y", "allow-files", "arn:aws:execute-api:eu-west-2:000011112222:a1b2c3d4e5/prod/PUT/files/x/y"},
	}
	for _, tt := range tests {
		r := h.do(tt.method, tt.path, map[string]string{"Authorization": "Bearer " + tt.token}, "")
		if r.status != 200 {
			t.Errorf("%s %s: %d %s", tt.method, tt.path, r.status, r.body)
			continue
		}
		v, _ := h.seen.Load(tt.token)
		if got := v.(events.APIGatewayCustomAuthorizerRequest).MethodArn; got != tt.want {
			t.Errorf("%s %s: methodArn %q, want %q", tt.method, tt.path, got, tt.want)
		}
		ev := r.event(t)
		if ev.RequestContext.AccountID != "000011112222" || ev.RequestContext.APIID != "a1b2c3d4e5" {
			t.Errorf("requestContext account %q api %q", ev.RequestContext.AccountID, ev.RequestContext.APIID)
		}
	}
	if got := h.srv.Gateway.StageARN(); got != "arn:aws:execute-api:eu-west-2:000011112222:a1b2c3d4e5/prod/*" {
		t.Errorf("StageARN = %q", got)
	}
}

func TestAuthorizerCache(t *testing.T) {
	cached := func() Config {
		c := testConfig()
		c.Authorizer.TTL = 300 * time.Second
		return c
	}
	t.Run("pitfall: a method-specific Allow is reused for another route and denies it", func(t *testing.T) {
		h := newHarness(t, cached())
		if r := h.get("/prod/profile", "allow"); r.status != 200 {
			t.Fatalf("first route: %d %s", r.status, r.body)
		}
		r := h.get("/prod/other", "allow")
		checkGatewayError(t, r, 403, msgImplicitDeny, "AccessDeniedException")
		if n := h.authCalls.Load(); n != 1 {
			t.Errorf("authorizer invoked %d times, want 1 (the second answer came from the cache)", n)
		}
	})
	t.Run("without the cache the same authorizer works on both routes", func(t *testing.T) {
		h := newHarness(t, testConfig())
		for _, p := range []string{"/prod/profile", "/prod/other"} {
			if r := h.get(p, "allow"); r.status != 200 {
				t.Errorf("%s: %d %s", p, r.status, r.body)
			}
		}
		if n := h.authCalls.Load(); n != 2 {
			t.Errorf("authorizer invoked %d times, want 2", n)
		}
	})
	t.Run("fix: a stage-wide Allow covers every route from the cache", func(t *testing.T) {
		h := newHarness(t, cached())
		for _, p := range []string{"/prod/profile", "/prod/other", "/prod/profile"} {
			r := h.get(p, "stage")
			if r.status != 200 {
				t.Fatalf("%s: %d %s", p, r.status, r.body)
			}
			if got := r.event(t).RequestContext.Authorizer["principalId"]; got != "user-stage" {
				t.Errorf("%s: principalId %v", p, got)
			}
		}
		if n := h.authCalls.Load(); n != 1 {
			t.Errorf("authorizer invoked %d times, want 1", n)
		}
		if !strings.Contains(h.logs.String(), `"cache_hit":true`) {
			t.Error("no log line reports a cache hit")
		}
	})
	t.Run("entries expire after the TTL", func(t *testing.T) {
		h := newHarness(t, cached())
		h.get("/prod/profile", "stage")
		h.clock.Advance(299 * time.Second)
		h.get("/prod/profile", "stage")
		if n := h.authCalls.Load(); n != 1 {
			t.Fatalf("authorizer invoked %d times before expiry, want 1", n)
		}
		h.clock.Advance(time.Second)
		h.get("/prod/profile", "stage")
		if n := h.authCalls.Load(); n != 2 {
			t.Fatalf("authorizer invoked %d times after expiry, want 2", n)
		}
	})
	t.Run("the key is the whole identity value", func(t *testing.T) {
		h := newHarness(t, cached())
		h.get("/prod/profile", "stage-a")
		h.get("/prod/profile", "stage-b")
		h.get("/prod/profile", "stage-a")
		if n := h.authCalls.Load(); n != 2 {
			t.Errorf("authorizer invoked %d times, want 2", n)
		}
	})
	t.Run("deny policies are cached", func(t *testing.T) {
		h := newHarness(t, cached())
		for i := 0; i < 3; i++ {
			checkGatewayError(t, h.get("/prod/profile", "deny"), 403, msgExplicitDeny, "AccessDeniedException")
		}
		if n := h.authCalls.Load(); n != 1 {
			t.Errorf("authorizer invoked %d times, want 1", n)
		}
	})
	t.Run("401 and 500 are not cached", func(t *testing.T) {
		h := newHarness(t, cached())
		for i := 0; i < 2; i++ {
			checkGatewayError(t, h.get("/prod/profile", "unauthorized"), 401, msgUnauthorized, "UnauthorizedException")
			checkGatewayError(t, h.get("/prod/profile", "boom"), 500, msgAuthorizer500, "AuthorizerConfigurationException")
			checkGatewayError(t, h.get("/prod/profile", "no-principal"), 500, msgAuthorizer500, "AuthorizerConfigurationException")
		}
		if n := h.authCalls.Load(); n != 6 {
			t.Errorf("authorizer invoked %d times, want 6", n)
		}
	})
	t.Run("validation runs before the cache", func(t *testing.T) {
		h := newHarness(t, cached())
		h.get("/prod/profile", "stage")
		r := h.do("GET", "/prod/profile", map[string]string{"Authorization": "Bearer stage="}, "")
		checkGatewayError(t, r, 401, msgUnauthorized, "UnauthorizedException")
	})
	t.Run("flush", func(t *testing.T) {
		h := newHarness(t, cached())
		h.get("/prod/profile", "stage")
		h.srv.Gateway.FlushAuthorizerCache()
		h.get("/prod/profile", "stage")
		if n := h.authCalls.Load(); n != 2 {
			t.Errorf("authorizer invoked %d times, want 2", n)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		h := newHarness(t, cached(), WithAuthorizerCacheSize(2))
		for _, tok := range []string{"stage-1", "stage-2", "stage-3", "stage-1"} {
			h.get("/prod/profile", tok)
		}
		if n := h.authCalls.Load(); n != 4 {
			t.Errorf("authorizer invoked %d times, want 4 (stage-1 was evicted)", n)
		}
	})
}

func TestConcurrentRequests(t *testing.T) {
	const n = 300
	var inFlight, peak atomic.Int64
	gate := make(chan struct{})
	var arrived atomic.Int64
	cfg := testConfig()
	cfg.Authorizer.TTL = 60 * time.Second
	release := make(chan struct{})
	defer close(release)
	var authCalls atomic.Int64
	functions := map[string]Function{
		"Authz": scriptedAuthorizer(&authCalls, nil, release),
		"Profile": FunctionFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			cur := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				p := peak.Load()
				if cur <= p || peak.CompareAndSwap(p, cur) {
					break
				}
			}
			if arrived.Add(1) == n {
				close(gate) // every request is inside the integration at once
			}
			select {
			case <-gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			var ev events.APIGatewayProxyRequest
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, err
			}
			return json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Body: fmt.Sprint(ev.RequestContext.Authorizer["principalId"])})
		}),
		"Scripted": scriptedIntegration(release),
	}
	srv, err := NewServer(cfg, functions)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	defer client.CloseIdleConnections()

	type result struct {
		token  string
		status int
		body   string
		err    error
	}
	results := make(chan result, 2*n)
	var wg sync.WaitGroup
	send := func(token string) {
		defer wg.Done()
		req, _ := http.NewRequest("GET", srv.StageURL()+"/profile", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			results <- result{token: token, err: err}
			return
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, err = fmt.Fprint(&b, readAll(resp))
		results <- result{token: token, status: resp.StatusCode, body: b.String(), err: err}
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go send(fmt.Sprintf("stage-%d", i%50)) // 50 identities: the cache is shared under load
	}
	for i := 0; i < n/3; i++ { // denied requests never reach the integration
		wg.Add(1)
		go send(fmt.Sprintf("deny-%d", i))
	}
	wg.Wait()
	close(results)
	allowed, denied := 0, 0
	for r := range results {
		switch {
		case r.err != nil:
			t.Errorf("%s: %v", r.token, r.err)
		case strings.HasPrefix(r.token, "stage-"):
			if r.status != 200 || r.body != "user-"+r.token {
				t.Errorf("%s: %d %q", r.token, r.status, r.body)
			}
			allowed++
		default:
			if r.status != 403 || r.body != msgExplicitDeny {
				t.Errorf("%s: %d %q", r.token, r.status, r.body)
			}
			denied++
		}
	}
	if allowed != n || denied != n/3 {
		t.Errorf("allowed %d denied %d", allowed, denied)
	}
	if peak.Load() != n {
		t.Errorf("peak in-flight integrations %d, want %d", peak.Load(), n)
	}
	if c := authCalls.Load(); c < 50+n/3 || c > n+n/3 {
		t.Errorf("authorizer calls %d out of range", c)
	}
}

func readAll(resp *http.Response) string {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func TestHostileInput(t *testing.T) {
	h := newHarness(t, testConfig(), WithMaxBodyBytes(1024))
	gw := h.srv.Gateway
	t.Run("odd requests through ServeHTTP", func(t *testing.T) {
		tests := []struct {
			method, target string
			status         int
		}{
			{"get", "/prod/profile", 403},
			{"FOO", "/prod/profile", 403},
			{"GET", "/prod/%zz", 403},
			{"GET", "/prod/profile%00", 403},
			{"GET", "/prod/../prod/profile", 403},
			{"GET", "/prod/" + strings.Repeat("a/", 5000), 403},
			{"GET", "*", 403},
			{"CONNECT", "/prod/profile", 403},
			{"GET", "/prod/profile?%zz=1&a=%", 401},
		}
		for _, tt := range tests {
			req := httptest.NewRequest("GET", "/", nil)
			req.Method = tt.method
			req.URL.Path = ""
			req.URL.RawPath = ""
			if u, err := url.Parse(tt.target); err == nil {
				req.URL = u
			} else {
				req.URL.Path = tt.target
			}
			rec := httptest.NewRecorder()
			gw.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("%s %s: %d %s", tt.method, tt.target, rec.Code, rec.Body.String())
			}
		}
	})
	t.Run("huge identity header", func(t *testing.T) {
		r := h.do("GET", "/prod/profile", map[string]string{"Authorization": "Bearer " + strings.Repeat("a", 512*1024)}, "")
		// The header passes the validation expression, so the authorizer decides (here: unknown token).
		checkGatewayError(t, r, 500, msgAuthorizer500, "AuthorizerConfigurationException")
		r = h.do("GET", "/prod/profile", map[string]string{"Authorization": strings.Repeat("\u00e9", 100*1024)}, "")
		checkGatewayError(t, r, 401, msgUnauthorized, "UnauthorizedException")
	})
	t.Run("body limit", func(t *testing.T) {
		hdr := map[string]string{"Authorization": "Bearer allow"}
		if r := h.do("POST", "/prod/items/1", hdr, strings.Repeat("x", 1024)); r.status != 200 {
			t.Errorf("at the limit: %d %s", r.status, r.body)
		}
		before := h.authCalls.Load()
		r := h.do("POST", "/prod/items/1", hdr, strings.Repeat("x", 1025))
		if r.status != 413 || r.body != `{"message":"Request Too Long"}` || r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("over the limit: %d %s", r.status, r.body)
		}
		// Chunked, so no Content-Length announces it.
		req, _ := http.NewRequest("POST", h.srv.StageURL()+"/items/1", strings.NewReader(strings.Repeat("y", 4096)))
		req.ContentLength = -1
		req.Header.Set("Authorization", "Bearer allow")
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("chunked over the limit: %d", resp.StatusCode)
		}
		if h.authCalls.Load() != before {
			t.Error("the authorizer ran for an oversized request")
		}
	})
}

func TestRequestLog(t *testing.T) {
	h := newHarness(t, testConfig())
	h.get("/prod/profile", "allow")
	h.get("/prod/profile", "deny")
	h.get("/prod/profile", "")
	h.get("/prod/nope", "")
	lines := strings.Split(strings.TrimSpace(h.logs.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d log lines, want one per request:\n%s", len(lines), h.logs.String())
	}
	want := []struct {
		status             float64
		decision, reason   string
		route, responseTyp string
	}{
		{200, "allow", "allow", "GET /profile", ""},
		{403, "deny", "explicit_deny", "GET /profile", "ACCESS_DENIED"},
		{401, "unauthorized", "identity_missing", "GET /profile", "UNAUTHORIZED"},
		{403, "none", "no_route", "", "MISSING_AUTHENTICATION_TOKEN"},
	}
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %d is not JSON: %v", i, err)
		}
		w := want[i]
		if rec["msg"] != "request" || rec["status"] != w.status || rec["authorizer"] != w.decision ||
			rec["reason"] != w.reason || rec["route"] != w.route || rec["response_type"] != w.responseTyp {
			t.Errorf("line %d = %s", i, line)
		}
		for _, k := range []string{"request_id", "method", "path", "cache_hit", "latency_ms"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("line %d lacks %s", i, k)
			}
		}
	}
	if strings.Contains(h.logs.String(), "Bearer") {
		t.Error("a token reached the log")
	}
}

func TestNewRejects(t *testing.T) {
	okFns := map[string]Function{
		"Authz":    FunctionFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil }),
		"Profile":  FunctionFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil }),
		"Scripted": FunctionFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil }),
	}
	mod := func(f func(*Config)) Config {
		c := testConfig()
		f(&c)
		return c
	}
	tests := []struct {
		name      string
		cfg       Config
		functions map[string]Function
		opts      []Option
		invalid   bool // wraps ErrInvalidConfig
	}{
		{"missing function", testConfig(), map[string]Function{"Profile": okFns["Profile"]}, nil, true},
		{"nil function", testConfig(), map[string]Function{"Authz": nil, "Profile": okFns["Profile"], "Scripted": okFns["Scripted"]}, nil, true},
		{"bad stage", mod(func(c *Config) { c.Stage = "a/b" }), okFns, nil, true},
		{"no routes", mod(func(c *Config) { c.Routes = nil }), okFns, nil, true},
		{"duplicate route", mod(func(c *Config) { c.Routes = append(c.Routes, c.Routes[0]) }), okFns, nil, true},
		{"lower-case method", mod(func(c *Config) { c.Routes[0].Method = "get" }), okFns, nil, true},
		{"route without function", mod(func(c *Config) { c.Routes[0].Function = "" }), okFns, nil, true},
		{"greedy not last", mod(func(c *Config) { c.Routes[0].Path = "/{a+}/b" }), okFns, nil, true},
		{"TTL over an hour", mod(func(c *Config) { c.Authorizer.TTL = 3601 * time.Second }), okFns, nil, true},
		{"TTL negative", mod(func(c *Config) { c.Authorizer.TTL = -time.Second }), okFns, nil, true},
		{"TTL fraction", mod(func(c *Config) { c.Authorizer.TTL = 1500 * time.Millisecond }), okFns, nil, true},
		{"bad regexp", mod(func(c *Config) { c.Authorizer.ValidationExpression = "(" }), okFns, nil, true},
		{"bad identity header", mod(func(c *Config) { c.Authorizer.IdentityHeader = "Auth orization" }), okFns, nil, true},
		{"settings without authorizer", mod(func(c *Config) { c.Authorizer.Function = "" }), okFns, nil, true},
		{"unknown response type", mod(func(c *Config) { c.GatewayResponses["NOPE"] = GatewayResponse{} }), okFns, nil, true},
		{"bad response status", mod(func(c *Config) { c.GatewayResponses["UNAUTHORIZED"] = GatewayResponse{StatusCode: 42} }), okFns, nil, true},
		{"bad header mapping", mod(func(c *Config) {
			c.GatewayResponses["UNAUTHORIZED"] = GatewayResponse{Headers: map[string]string{"X": "context.requestId"}}
		}), okFns, nil, true},
		{"bad region", testConfig(), okFns, []Option{WithRegion("Mars")}, false},
		{"bad account", testConfig(), okFns, []Option{WithAccountID("12")}, false},
		{"bad API id", testConfig(), okFns, []Option{WithAPIID("Has-Caps")}, false},
		{"zero integration timeout", testConfig(), okFns, []Option{WithIntegrationTimeout(0)}, false},
		{"negative authorizer timeout", testConfig(), okFns, []Option{WithAuthorizerTimeout(-1)}, false},
		{"nil clock", testConfig(), okFns, []Option{WithClock(nil)}, false},
		{"nil logger", testConfig(), okFns, []Option{WithLogger(nil)}, false},
		{"zero cache size", testConfig(), okFns, []Option{WithAuthorizerCacheSize(0)}, false},
		{"negative body limit", testConfig(), okFns, []Option{WithMaxBodyBytes(-1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.cfg, tt.functions, tt.opts...)
			if err == nil || g != nil {
				t.Fatalf("New = %v, %v; want an error", g, err)
			}
			if errors.Is(err, ErrInvalidConfig) != tt.invalid {
				t.Errorf("errors.Is(%v, ErrInvalidConfig) = %v, want %v", err, !tt.invalid, tt.invalid)
			}
		})
	}
}

func TestGatewayDoesNotShareConfig(t *testing.T) {
	cfg := testConfig()
	h := newHarness(t, cfg)
	cfg.Routes[0].Path = "/changed"
	cfg.GatewayResponses["DEFAULT_4XX"].Headers["Access-Control-Allow-Origin"] = "'changed'"
	got := h.srv.Gateway.Config()
	if got.Routes[0].Path != "/profile" || got.GatewayResponses["DEFAULT_4XX"].Headers["Access-Control-Allow-Origin"] != "'*'" {
		t.Error("the gateway shares maps or slices with its caller")
	}
	checkGatewayError(t, h.get("/prod/profile", ""), 401, msgUnauthorized, "UnauthorizedException")
}

func TestServerLifecycle(t *testing.T) {
	srv, err := NewServer(testConfig(), map[string]Function{
		"Authz":    FunctionFunc(func(context.Context, []byte) ([]byte, error) { return nil, errors.New("Unauthorized") }),
		"Profile":  FunctionFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil }),
		"Scripted": FunctionFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil }),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || srv.StageURL() != srv.URL+"/prod" {
		t.Errorf("URL %q StageURL %q", srv.URL, srv.StageURL())
	}
	resp, err := http.Get(srv.StageURL() + "/profile")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("status %d", resp.StatusCode)
	}
	srv.Close()
	srv.Close()
	if _, err := http.Get(srv.StageURL() + "/profile"); err == nil {
		t.Error("server still answers after Close")
	}
	if _, err := NewServer(Config{}, nil); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("NewServer(Config{}) = %v", err)
	}
}

func TestResponseTypesAreKnown(t *testing.T) {
	types := ResponseTypes()
	for _, want := range []string{"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN",
		"AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT"} {
		if !slices.Contains(types, want) {
			t.Errorf("ResponseTypes lacks %s", want)
		}
	}
}

func FuzzServeHTTP(f *testing.F) {
	f.Add("GET", "/prod/profile", "Bearer allow", "")
	f.Add("POST", "/prod/items/%41", "Bearer deny", "body")
	f.Add("get", "/prod//x", "", "")
	f.Add("PUT", "/prod/files/a/b", "Bearer stage", "{}")
	f.Add("GET", "/prod/nope", "Bearer x", "")
	release := make(chan struct{})
	defer close(release)
	var calls atomic.Int64
	gw, err := New(testConfig(), map[string]Function{
		"Authz":    scriptedAuthorizer(&calls, nil, release),
		"Profile":  echoFunction(&calls),
		"Scripted": scriptedIntegration(release),
	}, WithAuthorizerTimeout(50*time.Millisecond), WithIntegrationTimeout(50*time.Millisecond))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path, auth, body string) {
		req := httptest.NewRequest("GET", "/", strings.NewReader(body))
		req.Method = method
		req.URL.Path = path
		req.URL.RawPath = ""
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		gw.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 401, 403, 413, 500, 502, 504:
		default:
			t.Fatalf("%q %q: unexpected status %d", method, path, rec.Code)
		}
		if rec.Code != 200 && !json.Valid(rec.Body.Bytes()) && method != http.MethodHead {
			t.Fatalf("gateway error body is not JSON: %q", rec.Body.String())
		}
	})
}
