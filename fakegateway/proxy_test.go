package fakegateway

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestProxyEvent(t *testing.T) {
	cfg := testConfig()
	cfg.StageVariables = map[string]string{"color": "blue"}
	h := newHarness(t, cfg)
	req, err := http.NewRequest("POST", h.srv.StageURL()+"/items/a%20b?x=1&x=2&y=z&empty=", strings.NewReader(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer allow")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "fake-test/1.0")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, body: readAll(resp)}
	resp.Body.Close()
	if r.status != 200 {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	ev := r.event(t)
	checks := []struct {
		name      string
		got, want any
	}{
		{"resource", ev.Resource, "/items/{id}"},
		{"path (as sent)", ev.Path, "/items/a%20b"},
		{"httpMethod", ev.HTTPMethod, "POST"},
		{"body", ev.Body, `{"n":1}`},
		{"isBase64Encoded", ev.IsBase64Encoded, false},
		{"pathParameters (as sent)", ev.PathParameters, map[string]string{"id": "a%20b"}},
		{"queryStringParameters", ev.QueryStringParameters, map[string]string{"x": "2", "y": "z", "empty": ""}},
		{"multiValueQueryStringParameters", ev.MultiValueQueryStringParameters, map[string][]string{"x": {"1", "2"}, "y": {"z"}, "empty": {""}}},
		{"stageVariables", ev.StageVariables, map[string]string{"color": "blue"}},
		{"headers[X-Multi] (last value)", ev.Headers["X-Multi"], "two"},
		{"multiValueHeaders[X-Multi]", ev.MultiValueHeaders["X-Multi"], []string{"one", "two"}},
		{"headers[Authorization]", ev.Headers["Authorization"], "Bearer allow"},
		{"headers[Content-Type]", ev.Headers["Content-Type"], "application/json"},
		{"headers[Host]", ev.Headers["Host"], strings.TrimPrefix(h.srv.URL, "http://")},
		{"headers[X-Forwarded-For] (appended)", ev.Headers["X-Forwarded-For"], "203.0.113.9, 127.0.0.1"},
		{"headers[X-Forwarded-Proto]", ev.Headers["X-Forwarded-Proto"], "http"},
		{"headers[X-Forwarded-Port]", ev.Headers["X-Forwarded-Port"], h.srv.URL[strings.LastIndex(h.srv.URL, ":")+1:]},
		{"requestContext.accountId", ev.RequestContext.AccountID, DefaultAccountID},
		{"requestContext.apiId", ev.RequestContext.APIID, DefaultAPIID},
		{"requestContext.stage", ev.RequestContext.Stage, "prod"},
		{"requestContext.resourcePath", ev.RequestContext.ResourcePath, "/items/{id}"},
		{"requestContext.path", ev.RequestContext.Path, "/prod/items/a%20b"},
		{"requestContext.httpMethod", ev.RequestContext.HTTPMethod, "POST"},
		{"requestContext.protocol", ev.RequestContext.Protocol, "HTTP/1.1"},
		{"requestContext.requestId = x-amzn-RequestId", ev.RequestContext.RequestID, r.header.Get("x-amzn-RequestId")},
		{"requestContext.extendedRequestId = x-amz-apigw-id", ev.RequestContext.ExtendedRequestID, r.header.Get("x-amz-apigw-id")},
		{"requestContext.identity.sourceIp", ev.RequestContext.Identity.SourceIP, "127.0.0.1"},
		{"requestContext.identity.userAgent", ev.RequestContext.Identity.UserAgent, "fake-test/1.0"},
		{"requestContext.requestTime", ev.RequestContext.RequestTime, "04/Mar/2025:05:06:07 +0000"},
		{"requestContext.requestTimeEpoch", ev.RequestContext.RequestTimeEpoch, h.clock.Now().UnixMilli()},
		{"requestContext.domainName", ev.RequestContext.DomainName, "127.0.0.1"},
		{"requestContext.authorizer.principalId", ev.RequestContext.Authorizer["principalId"], "user-allow"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if !requestIDPattern.MatchString(ev.RequestContext.RequestID) {
		t.Errorf("requestId %q is not a UUID", ev.RequestContext.RequestID)
	}
	if len(ev.RequestContext.ResourceID) != 6 {
		t.Errorf("resourceId %q", ev.RequestContext.ResourceID)
	}
	if !strings.HasPrefix(ev.Headers["X-Amzn-Trace-Id"], "Root=1-") || ev.Headers["X-Amzn-Trace-Id"] != r.header.Get("X-Amzn-Trace-Id") {
		t.Errorf("trace id: event %q, response %q", ev.Headers["X-Amzn-Trace-Id"], r.header.Get("X-Amzn-Trace-Id"))
	}

	// Without a query string, body or stage variables those fields are null.
	h2 := newHarness(t, testConfig())
	ev = h2.get("/prod/profile", "allow").event(t)
	if ev.QueryStringParameters != nil || ev.MultiValueQueryStringParameters != nil || ev.PathParameters != nil ||
		ev.StageVariables != nil || ev.Body != "" {
		t.Errorf("empty fields: %+v", ev)
	}
}

func TestRequestIDsAreUnique(t *testing.T) {
	h := newHarness(t, testConfig())
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		id := h.get("/prod/profile", "").header.Get("x-amzn-RequestId")
		if seen[id] {
			t.Fatalf("request id %s repeated", id)
		}
		seen[id] = true
	}
}

func TestProxyResponseMapping(t *testing.T) {
	h := newHarness(t, testConfig())
	call := func(c string) response {
		return h.do("GET", "/prod/fn/"+c, map[string]string{"Authorization": "Bearer allow"}, "")
	}
	t.Run("status and default content type", func(t *testing.T) {
		r := call("created")
		if r.status != 201 || r.body != "made" || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("got %d %q %q", r.status, r.body, r.header.Get("Content-Type"))
		}
		if !requestIDPattern.MatchString(r.header.Get("x-amzn-RequestId")) || r.header.Get("x-amzn-ErrorType") != "" {
			t.Errorf("headers %v", r.header)
		}
		if r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Error("gateway responses were applied to an integration response")
		}
	})
	t.Run("no content", func(t *testing.T) {
		if r := call("no-content"); r.status != 204 || r.body != "" {
			t.Errorf("got %d %q", r.status, r.body)
		}
	})
	t.Run("null fields", func(t *testing.T) {
		if r := call("null-body"); r.status != 200 || r.body != "" {
			t.Errorf("got %d %q", r.status, r.body)
		}
	})
	t.Run("headers and multiValueHeaders", func(t *testing.T) {
		r := call("headers")
		want := map[string][]string{
			"X-One":        {"1"},
			"X-Num":        {"7"},
			"X-Bool":       {"true"},
			"X-Both":       {"m1", "m2", "single"}, // a name in both maps carries the multi values, then the single one
			"Set-Cookie":   {"a=1", "b=2"},
			"Content-Type": {"text/plain"},
		}
		for k, v := range want {
			if got := r.header.Values(k); !slices.Equal(got, v) {
				t.Errorf("%s = %v, want %v", k, got, v)
			}
		}
		if r.body != "hi" {
			t.Errorf("body %q", r.body)
		}
	})
	t.Run("reserved headers are remapped", func(t *testing.T) {
		r := call("remapped")
		if r.header.Get("X-Amzn-Remapped-Server") != "mine" || r.header.Get("X-Amzn-Remapped-Www-Authenticate") != "Bearer" ||
			r.header.Get("X-Amzn-Remapped-Date") != "x" || r.header.Get("Server") == "mine" || r.header.Get("WWW-Authenticate") != "" {
			t.Errorf("headers %v", r.header)
		}
	})
	t.Run("base64 without binary media types passes through", func(t *testing.T) {
		r := h.do("GET", "/prod/fn/base64", map[string]string{"Authorization": "Bearer allow", "Accept": "image/png"}, "")
		if r.status != 200 || r.body != "iVBORw0KGgo=" {
			t.Errorf("got %d %q", r.status, r.body)
		}
	})
	failures := []string{"error", "error-payload", "panic", "too-big"}
	for c := range malformedProxyResponses() {
		failures = append(failures, c)
	}
	slices.Sort(failures)
	for _, c := range failures {
		t.Run("502 "+c, func(t *testing.T) {
			checkGatewayError(t, call(c), 502, msgInternal, "InternalServerErrorException")
		})
	}
}

func TestBinaryMediaTypes(t *testing.T) {
	cfg := testConfig()
	cfg.BinaryMediaTypes = []string{"image/*", "application/octet-stream"}
	h := newHarness(t, cfg)
	tests := []struct {
		accept string
		body   string
	}{
		{"image/png", "\x89PNG\r\n\x1a\n"},
		{"image/png, */*", "\x89PNG\r\n\x1a\n"},
		{"*/*", "iVBORw0KGgo="}, // only the first Accept type counts
		{"text/html, image/png", "iVBORw0KGgo="},
		{"", "iVBORw0KGgo="},
	}
	for _, tt := range tests {
		hdr := map[string]string{"Authorization": "Bearer allow"}
		if tt.accept != "" {
			hdr["Accept"] = tt.accept
		}
		r := h.do("GET", "/prod/fn/base64", hdr, "")
		if r.status != 200 || r.body != tt.body {
			t.Errorf("Accept %q: got %d %q, want %q", tt.accept, r.status, r.body, tt.body)
		}
	}
	r := h.do("GET", "/prod/fn/bad-base64", map[string]string{"Authorization": "Bearer allow", "Accept": "image/gif"}, "")
	checkGatewayError(t, r, 500, msgInternal, "InternalServerErrorException")

	// Request bodies of a binary media type arrive base64-encoded.
	body := "\x00\x01binary"
	r = h.do("POST", "/prod/items/1", map[string]string{"Authorization": "Bearer allow", "Content-Type": "application/octet-stream"}, body)
	ev := r.event(t)
	if !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString([]byte(body)) {
		t.Errorf("binary request body: base64 %v body %q", ev.IsBase64Encoded, ev.Body)
	}
	r = h.do("POST", "/prod/items/1", map[string]string{"Authorization": "Bearer allow", "Content-Type": "text/plain"}, "text")
	if ev := r.event(t); ev.IsBase64Encoded || ev.Body != "text" {
		t.Errorf("text request body: base64 %v body %q", ev.IsBase64Encoded, ev.Body)
	}
}

func TestIntegrationTimeouts(t *testing.T) {
	t.Run("integration timeout is 504", func(t *testing.T) {
		h := newHarness(t, testConfig(), WithIntegrationTimeout(100*time.Millisecond))
		for _, c := range []string{"slow", "stuck"} {
			r := h.do("GET", "/prod/fn/"+c, map[string]string{"Authorization": "Bearer allow"}, "")
			if r.status != 504 || r.body != msgTimedOut || r.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("%s: %d %s %v", c, r.status, r.body, r.header)
			}
		}
	})
	t.Run("the function's own timeout is a function error: 502", func(t *testing.T) {
		cfg := testConfig()
		cfg.FunctionTimeout = map[string]time.Duration{"Scripted": 100 * time.Millisecond}
		h := newHarness(t, cfg)
		for _, c := range []string{"slow", "stuck"} {
			r := h.do("GET", "/prod/fn/"+c, map[string]string{"Authorization": "Bearer allow"}, "")
			checkGatewayError(t, r, 502, msgInternal, "InternalServerErrorException")
		}
	})
	t.Run("the authorizer defaults to its function timeout", func(t *testing.T) {
		cfg := testConfig()
		cfg.FunctionTimeout = map[string]time.Duration{"Authz": 100 * time.Millisecond}
		h := newHarness(t, cfg)
		checkGatewayError(t, h.get("/prod/profile", "slow"), 500, msgAuthorizer500, "AuthorizerConfigurationException")
	})
}

func TestLambdaPayloadLimit(t *testing.T) {
	h := newHarness(t, testConfig(), WithMaxBodyBytes(8<<20))
	r := h.do("POST", "/prod/items/1", map[string]string{"Authorization": "Bearer allow"}, strings.Repeat("x", 7<<20))
	checkGatewayError(t, r, 500, msgInternal, "InternalServerErrorException")
	if h.fnCalls.Load() != 0 {
		t.Error("the function was invoked with an event over Lambda's limit")
	}
}

// TestProxyResponseAsRecorded parses every function output of
// test_aws_proxy_response_payload_format_validation (localstack/localstack
// tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json, recorded against AWS) and
// expects AWS's answer: the status (0 for a 502) and the headers as the recording's client saw them.
func TestProxyResponseAsRecorded(t *testing.T) {
	tests := []struct {
		name, out string
		status    int
		header    map[string]string // name as the function spelled it -> values joined with ", "
		body      string
	}{
		{"invoke-api-no-body", `{"statusCode": 200}`, 200, nil, ""},
		{"invoke-api-with-headers", `{"statusCode": 200, "headers": {"test-header": "value", "header-bool": true}}`, 200,
			map[string]string{"test-header": "value", "header-bool": "true"}, ""},
		{"invoke-api-with-headers-null", `{"statusCode": 200, "headers": null}`, 200, nil, ""},
		{"invoke-api-wrong-format", `{"statusCode": 200, "wrongValue": "value"}`, 0, nil, ""},
		{"invoke-api-b64-encoded-true", `{"statusCode": 200, "body": "dGVzdC1kYXRh", "isBase64Encoded": true}`, 200, nil, "dGVzdC1kYXRh"},
		{"invoke-api-b64-encoded-false", `{"statusCode": 200, "body": "dGVzdC1kYXRh"}`, 200, nil, "dGVzdC1kYXRh"},
		{"invoke-api-multi-headers-valid", `{"statusCode": 200, "multiValueHeaders": {"test-multi": ["value1", "value2"]}}`, 200,
			map[string]string{"test-multi": "value1, value2"}, ""},
		{"invoke-api-multi-headers-overwrite", `{"statusCode": 200, "multiValueHeaders": {"test-multi": ["value-multi"]}, "headers": {"test-multi": "value-solo"}}`, 200,
			map[string]string{"test-multi": "value-multi, value-solo"}, ""},
		{"invoke-api-multi-headers-overwrite-casing", `{"statusCode": 200, "multiValueHeaders": {"tesT-Multi": ["value-multi"]}, "headers": {"test-multi": "value-solo"}}`, 200,
			map[string]string{"tesT-Multi": "value-multi, value-solo"}, ""},
		{"invoke-api-multi-headers-invalid", `{"statusCode": 200, "multiValueHeaders": {"test-multi-invalid": "value1"}}`, 0, nil, ""},
		{"invoke-api-invalid-status-code", `{"statusCode": "test"}`, 0, nil, ""},
		{"invoke-api-status-code-str", `{"statusCode": "201"}`, 201, nil, ""},
		{"invoke-api-just-string", `"justAString"`, 0, nil, ""},
		{"invoke-api-only-headers", `{"headers": {"test-header": "value"}}`, 200, map[string]string{"test-header": "value"}, ""},
		// Documented, not recorded: a key-value pair in both maps appears once.
		{"the same pair in both maps", `{"multiValueHeaders": {"X-Same": ["a", "b"]}, "headers": {"x-same": "b"}}`, 200,
			map[string]string{"X-Same": "a, b"}, ""},
		// Not a recorded output (the recorded "empty response" case is a function that failed on a
		// request without a body), but what the recorded rules give: nothing required, so 200.
		{"an empty object", `{}`, 200, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := parseProxyResponse([]byte(tt.out))
			if tt.status == 0 {
				if !errors.Is(err, errMalformedProxyResponse) {
					t.Fatalf("got %+v, %v; want a malformed response (502)", pr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if pr.status != tt.status || pr.body != tt.body {
				t.Errorf("got %d %q, want %d %q", pr.status, pr.body, tt.status, tt.body)
			}
			if len(pr.header) != len(tt.header) {
				t.Errorf("headers %v, want %v", pr.header, tt.header)
			}
			for name, want := range tt.header {
				if got := strings.Join(pr.header[name], ", "); got != want {
					t.Errorf("header %q = %q, want %q (all: %v)", name, got, want, pr.header)
				}
			}
		})
	}
}

// TestProxyEventOnTheWire checks the raw event of a request without body or authorizer against
// AWS's recorded shape: body null, isBase64Encoded false, no authorizer key, every identity key,
// a deploymentId, and neither Content-Length nor Connection among the headers.
func TestProxyEventOnTheWire(t *testing.T) {
	h := newHarness(t, testConfig())
	raw := func(r response) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(r.body), &m); err != nil || r.status != 200 {
			t.Fatalf("got %d %s", r.status, r.body)
		}
		return m
	}
	ev := raw(h.do("GET", "/prod/public", map[string]string{"Connection": "keep-alive"}, ""))
	rc := ev["requestContext"].(map[string]any)
	if v, ok := ev["body"]; !ok || v != nil {
		t.Errorf("body = %#v (present %v), want null", v, ok)
	}
	if v, ok := ev["isBase64Encoded"]; !ok || v != false {
		t.Errorf("isBase64Encoded = %#v (present %v), want false", v, ok)
	}
	if _, ok := rc["authorizer"]; ok {
		t.Errorf("requestContext.authorizer present on a route without an authorizer")
	}
	if id, _ := rc["deploymentId"].(string); len(id) != 6 {
		t.Errorf("requestContext.deploymentId = %#v", rc["deploymentId"])
	}
	identity := rc["identity"].(map[string]any)
	for _, k := range recordedIdentityKeys {
		v, ok := identity[k]
		if !ok || (k != "sourceIp" && k != "userAgent" && v != nil) {
			t.Errorf("identity.%s = %#v (present %v)", k, v, ok)
		}
	}
	for _, name := range []string{"Content-Length", "Connection"} {
		if _, ok := ev["headers"].(map[string]any)[name]; ok {
			t.Errorf("headers carry %s", name)
		}
	}

	posted := raw(h.do("POST", "/prod/items/1", map[string]string{"Authorization": "Bearer allow"}, "x"))
	if _, ok := posted["headers"].(map[string]any)["Content-Length"]; ok {
		t.Error("headers carry Content-Length for a POST")
	}
	if a, ok := posted["requestContext"].(map[string]any)["authorizer"].(map[string]any); !ok || a["principalId"] != "user-allow" {
		t.Errorf("requestContext.authorizer behind the authorizer = %#v", posted["requestContext"])
	}
}

// TestProxyResponseHeaderSpelling: names go out as the function spelled them, merged without
// regard to case; the gateway's own headers and the default Content-Type replace any spelling.
func TestProxyResponseHeaderSpelling(t *testing.T) {
	pr, err := parseProxyResponse([]byte(`{"headers":{"content-type":"text/plain","x-amzn-requestid":"mine","server":"s"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := pr.header["content-type"]; !slices.Equal(got, []string{"text/plain"}) {
		t.Errorf("content-type = %v (%v)", got, pr.header)
	}
	h := newHarness(t, testConfig())
	r := h.do("GET", "/prod/fn/lower-headers", map[string]string{"Authorization": "Bearer allow"}, "")
	if got := r.header.Values("Content-Type"); !slices.Equal(got, []string{"text/plain"}) {
		t.Errorf("Content-Type = %v", got)
	}
	if got := r.header.Values("X-Amzn-Requestid"); len(got) != 1 || got[0] == "mine" {
		t.Errorf("x-amzn-RequestId = %v", got)
	}
	if got := r.header.Get("X-Amzn-Remapped-Server"); got != "s" {
		t.Errorf("x-amzn-Remapped-server = %q (%v)", got, r.header)
	}
}

// TestProxyEventPaths replays the path cases of test_lambda_aws_proxy_integration (recorded
// against AWS in localstack/localstack test_apigateway_lambda.snapshot.json) on a {proxy+}
// resource: trailing, doubled and prepended slashes, and percent-encoding, as AWS passed them.
func TestProxyEventPaths(t *testing.T) {
	h := newHarness(t, testConfig())
	tests := []struct {
		recorded, path            string
		wantPath, wantStage, want string // path, requestContext.path, pathParameters.path
	}{
		{"invocation-payload-without-trailing-slash", "/prod/files/proxy-value", "/files/proxy-value", "/prod/files/proxy-value", "proxy-value"},
		{"invocation-payload-with-trailing-slash", "/prod/files/proxy-value/", "/files/proxy-value/", "/prod/files/proxy-value/", "proxy-value"},
		{"invocation-payload-with-double-slash", "/prod/files/proxy-value//double-slash", "/files/proxy-value//double-slash", "/prod/files/proxy-value//double-slash", "proxy-value//double-slash"},
		{"invocation-payload-with-prepended-slash-to-stage", "//prod/files/proxy-value", "/files/proxy-value", "/prod/files/proxy-value", "proxy-value"},
		{"invocation-payload-with-prepended-slash", "/prod//files/proxy-value", "/files/proxy-value", "/prod//files/proxy-value", "proxy-value"},
		{"invocation-payload-with-path-encoded-email", "/prod/files/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
			"/files/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com", "/prod/files/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
			"api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"},
	}
	for _, tt := range tests {
		t.Run(tt.recorded, func(t *testing.T) {
			r := h.do("GET", tt.path, map[string]string{"Authorization": "Bearer allow"}, "")
			ev := r.event(t)
			if ev.Resource != "/files/{path+}" || ev.Path != tt.wantPath || ev.RequestContext.Path != tt.wantStage || ev.PathParameters["path"] != tt.want {
				t.Errorf("resource %q path %q requestContext.path %q pathParameters %v; want path %q, requestContext.path %q, parameter %q",
					ev.Resource, ev.Path, ev.RequestContext.Path, ev.PathParameters, tt.wantPath, tt.wantStage, tt.want)
			}
		})
	}
}
