package fakegateway

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/serverless-auth/serverless-auth/internal/logbuffer"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The tests drive the gateway with in-test Functions: a scripted authorizer whose behaviour is
// chosen by the token, and an integration that echoes the proxy event it received.

const (
	msgMissingToken  = `{"message":"Missing Authentication Token"}`
	msgUnauthorized  = `{"message":"Unauthorized"}`
	msgExplicitDeny  = `{"Message":"User is not authorized to access this resource with an explicit deny"}`
	msgImplicitDeny  = `{"Message":"User is not authorized to access this resource"}`
	msgAuthorizer500 = `{"message":null}`
	msgInternal      = `{"message": "Internal server error"}`
	msgTimedOut      = `{"message": "Endpoint request timed out"}`
)

// testConfig is a stage with a few routes behind a TOKEN authorizer and CORS gateway responses.
func testConfig() Config {
	cors := map[string]string{
		"Access-Control-Allow-Origin":  "'*'",
		"Access-Control-Allow-Headers": "'Authorization,Content-Type'",
	}
	return Config{
		Stage: "prod",
		Routes: []Route{
			{Method: "GET", Path: "/profile", Function: "Profile"},
			{Method: "GET", Path: "/other", Function: "Profile"},
			{Method: "POST", Path: "/items/{id}", Function: "Profile"},
			{Method: "GET", Path: "/items/special", Function: "Profile"},
			{Method: "ANY", Path: "/files/{path+}", Function: "Profile"},
			{Method: "GET", Path: "/public", Function: "Profile", NoAuth: true},
			{Method: "ANY", Path: "/fn/{case}", Function: "Scripted"},
		},
		Authorizer: Authorizer{
			Function:             "Authz",
			IdentityHeader:       "Authorization",
			ValidationExpression: `^Bearer [-0-9a-zA-Z._]+$`,
		},
		GatewayResponses: map[string]GatewayResponse{
			"DEFAULT_4XX": {Headers: cors},
			"DEFAULT_5XX": {Headers: cors},
		},
	}
}

// stageARNOf turns a methodArn into the stage-wide ARN .../STAGE/*.
func stageARNOf(methodARN string) string {
	parts := strings.SplitN(methodARN, "/", 3)
	return parts[0] + "/" + parts[1] + "/*"
}

func policyJSON(principal, effect string, resource any, ctx map[string]any) []byte {
	resp := map[string]any{
		"principalId": principal,
		"policyDocument": map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource,
			}},
		},
	}
	if ctx != nil {
		resp["context"] = ctx
	}
	b, err := json.Marshal(resp)
	if err != nil {
		panic(err)
	}
	return b
}

// rawAuthorizerResponses are authorizer outputs API Gateway rejects with 500, by token.
func rawAuthorizerResponses() map[string]string {
	const stmt = `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}`
	return map[string]string{
		"not-json":           `nope`,
		"json-array":         `[1]`,
		"json-null":          `null`,
		"empty-object":       `{}`,
		"no-principal":       `{"policyDocument":{"Version":"2012-10-17","Statement":[` + stmt + `]}}`,
		"principal-number":   `{"principalId":7,"policyDocument":{"Version":"2012-10-17","Statement":[` + stmt + `]}}`,
		"no-policy":          `{"principalId":"u"}`,
		"bad-version":        `{"principalId":"u","policyDocument":{"Version":"2012-10-18","Statement":[` + stmt + `]}}`,
		"no-version":         `{"principalId":"u","policyDocument":{"Statement":[` + stmt + `]}}`,
		"no-statement":       `{"principalId":"u","policyDocument":{"Version":"2012-10-17"}}`,
		"empty-statements":   `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[]}}`,
		"bad-effect":         `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"execute-api:Invoke","Resource":"*"}]}}`,
		"no-resource":        `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke"}]}}`,
		"context-object":     `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` + stmt + `]},"context":{"claims":{"sub":"x"}}}`,
		"context-array":      `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` + stmt + `]},"context":{"scopes":["a"]}}`,
		"context-null":       `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` + stmt + `]},"context":{"scope":null}}`,
		"context-not-obj":    `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` + stmt + `]},"context":"scope"}`,
		"condition":          `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}}`,
		"error-payload":      `{"errorMessage":"boom","errorType":"errorString"}`,
		"unauthorized-lcase": `{"errorMessage":"unauthorized","errorType":"errorString"}`,
	}
}

// scriptedAuthorizer behaves according to the token after "Bearer ".
func scriptedAuthorizer(calls *atomic.Int64, seen *sync.Map, release <-chan struct{}) FunctionFunc {
	raw := rawAuthorizerResponses()
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		calls.Add(1)
		var req events.APIGatewayCustomAuthorizerRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, err
		}
		if req.Type != "TOKEN" {
			return nil, errors.New("not a TOKEN event")
		}
		token := strings.TrimPrefix(req.AuthorizationToken, "Bearer ")
		if seen != nil {
			seen.Store(token, req)
		}
		if body, ok := raw[token]; ok {
			return []byte(body), nil
		}
		ctxValues := map[string]any{"scope": "get:profile read", "n": 5, "ok": true, "f": 1.5}
		switch {
		case token == "allow" || strings.HasPrefix(token, "allow-"):
			return policyJSON("user-"+token, "Allow", []any{req.MethodArn}, ctxValues), nil
		case token == "stage" || strings.HasPrefix(token, "stage-"):
			return policyJSON("user-"+token, "Allow", stageARNOf(req.MethodArn), ctxValues), nil
		case token == "deny" || strings.HasPrefix(token, "deny-"):
			return policyJSON("user-"+token, "Deny", req.MethodArn, nil), nil
		case token == "other":
			return policyJSON("user-other", "Allow", "arn:aws:execute-api:us-east-1:123456789012:fakegw0001/prod/GET/elsewhere", nil), nil
		case token == "unauthorized" || strings.HasPrefix(token, "unauthorized-"):
			if token == "unauthorized-payload" {
				return []byte(`{"errorMessage":"Unauthorized","errorType":"errorString"}`), nil
			}
			return nil, errors.New("Unauthorized")
		case token == "Unauthorized.":
			return nil, errors.New("Unauthorized.")
		case token == "boom":
			return nil, errors.New("boom")
		case token == "slow":
			<-ctx.Done()
			return nil, ctx.Err()
		case token == "stuck":
			<-release // ignores its context entirely
			return nil, errors.New("released")
		case token == "panic":
			panic("kaboom")
		}
		return nil, errors.New("unknown test token")
	}
}

// echoResponse is the body the echo integration returns: the event it got.
func echoFunction(calls *atomic.Int64) FunctionFunc {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		calls.Add(1)
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		return json.Marshal(events.APIGatewayProxyResponse{
			StatusCode: 200,
			Headers:    map[string]string{"Content-Type": "application/json"},
			Body:       string(payload),
		})
	}
}

// scriptedIntegration behaves according to the {case} path parameter.
func scriptedIntegration(release <-chan struct{}) FunctionFunc {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		out := func(v any) ([]byte, error) { return json.Marshal(v) }
		switch ev.PathParameters["case"] {
		case "error":
			return nil, errors.New("handler failed")
		case "error-payload":
			return []byte(`{"errorMessage":"handler failed","errorType":"errorString"}`), nil
		case "panic":
			panic("handler panic")
		case "slow":
			<-ctx.Done()
			return nil, ctx.Err()
		case "stuck":
			<-release
			return nil, errors.New("released")
		case "created":
			return out(map[string]any{"statusCode": 201, "body": "made"})
		case "no-content":
			return out(map[string]any{"statusCode": 204})
		case "headers":
			return out(map[string]any{
				"statusCode": 200,
				"headers":    map[string]any{"X-One": "1", "X-Both": "single", "X-Num": 7, "X-Bool": true, "Content-Type": "text/plain"},
				"multiValueHeaders": map[string]any{
					"X-Both":     []any{"m1", "m2"},
					"Set-Cookie": []any{"a=1", "b=2"},
				},
				"body": "hi",
			})
		case "remapped":
			return out(map[string]any{
				"statusCode": 200,
				"headers":    map[string]any{"Server": "mine", "WWW-Authenticate": "Bearer", "Date": "x"},
				"body":       "r",
			})
		case "base64":
			return out(map[string]any{
				"statusCode": 200, "isBase64Encoded": true,
				"headers": map[string]any{"Content-Type": "image/png"},
				"body":    "iVBORw0KGgo=",
			})
		case "lower-headers":
			return []byte(`{"statusCode":200,"headers":{"content-type":"text/plain","x-amzn-requestid":"mine","server":"s"}}`), nil
		case "bad-base64":
			return out(map[string]any{"statusCode": 200, "isBase64Encoded": true, "body": "***"})
		case "null-body":
			return out(map[string]any{"statusCode": 200, "body": nil, "headers": nil, "multiValueHeaders": nil, "isBase64Encoded": nil})
		case "too-big":
			return out(map[string]any{"statusCode": 200, "body": strings.Repeat("x", maxLambdaResponse)})
		}
		if body, ok := malformedProxyResponses()[ev.PathParameters["case"]]; ok {
			return []byte(body), nil
		}
		return nil, errors.New("unknown case")
	}
}

// malformedProxyResponses are integration outputs the gateway answers with 502: the recorded
// ones (see TestProxyResponseAsRecorded) and the stricter choices no recording settles.
func malformedProxyResponses() map[string]string {
	return map[string]string{
		"m-not-json":        `<html>`,
		"m-array":           `[]`,
		"m-null":            `null`,
		"m-string":          `"ok"`,
		"m-status-word":     `{"statusCode":"test"}`,
		"m-status-float":    `{"statusCode":200.5}`,
		"m-status-range":    `{"statusCode":99}`,
		"m-status-big":      `{"statusCode":600}`,
		"m-body-object":     `{"statusCode":200,"body":{"a":1}}`,
		"m-extra-field":     `{"statusCode":200,"body":"x","cookies":["a=b"]}`,
		"m-headers-list":    `{"statusCode":200,"headers":["a"]}`,
		"m-header-object":   `{"statusCode":200,"headers":{"X":{"a":1}}}`,
		"m-header-crlf":     `{"statusCode":200,"headers":{"X":"a\r\nEvil: 1"}}`,
		"m-header-name":     `{"statusCode":200,"headers":{"Bad Name":"a"}}`,
		"m-multi-not-list":  `{"statusCode":200,"multiValueHeaders":{"X":"a"}}`,
		"m-base64-not-bool": `{"statusCode":200,"isBase64Encoded":"yes"}`,
	}
}

// fakeClock is an injectable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is a gateway on a loopback port with counting Functions.
type harness struct {
	t         *testing.T
	srv       *Server
	client    *http.Client
	authCalls atomic.Int64
	fnCalls   atomic.Int64
	seen      sync.Map // token -> events.APIGatewayCustomAuthorizerRequest
	clock     *fakeClock
	logs      *logbuffer.Buffer
}

func newHarness(t *testing.T, cfg Config, opts ...Option) *harness {
	t.Helper()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	h := &harness{t: t, clock: newFakeClock(), logs: &logbuffer.Buffer{}}
	functions := map[string]Function{
		"Authz":    scriptedAuthorizer(&h.authCalls, &h.seen, release),
		"Profile":  echoFunction(&h.fnCalls),
		"Scripted": scriptedIntegration(release),
	}
	logger := slog.New(slog.NewJSONHandler(h.logs, nil))
	all := append([]Option{WithClock(h.clock.Now), WithLogger(logger)}, opts...)
	srv, err := NewServer(cfg, functions, all...)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	t.Cleanup(srv.Close)
	h.srv = srv
	h.client = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64},
	}
	t.Cleanup(h.client.CloseIdleConnections)
	return h
}

// response is a received response with its body read.
type response struct {
	status int
	header http.Header
	body   string
}

func (h *harness) do(method, path string, header map[string]string, body string) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatalf("NewRequest: %v", err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("read body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (h *harness) get(path, token string) response {
	h.t.Helper()
	hdr := map[string]string{}
	if token != "" {
		hdr["Authorization"] = "Bearer " + token
	}
	return h.do(http.MethodGet, path, hdr, "")
}

// event decodes the proxy event the echo integration returned.
func (r response) event(t *testing.T) events.APIGatewayProxyRequest {
	t.Helper()
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal([]byte(r.body), &ev); err != nil {
		t.Fatalf("response body is not a proxy event: %v\n%s", err, r.body)
	}
	return ev
}

// checkGatewayError asserts a gateway-made response: status, exact body, error type, request id
// and the CORS headers from DEFAULT_4XX / DEFAULT_5XX.
func checkGatewayError(t *testing.T, r response, status int, body, errorType string) {
	t.Helper()
	if r.status != status || r.body != body {
		t.Errorf("got %d %s, want %d %s", r.status, r.body, status, body)
	}
	if got := r.header.Get("x-amzn-ErrorType"); got != errorType {
		t.Errorf("x-amzn-ErrorType = %q, want %q", got, errorType)
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if !requestIDPattern.MatchString(r.header.Get("x-amzn-RequestId")) {
		t.Errorf("x-amzn-RequestId = %q", r.header.Get("x-amzn-RequestId"))
	}
	if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("Access-Control-Allow-Headers") != "Authorization,Content-Type" {
		t.Errorf("CORS headers missing: %v", r.header)
	}
}
