package fakegateway

import (
	"net/http"
	"testing"
)

func TestGatewayResponsesOnEveryGatewayError(t *testing.T) {
	h := newHarness(t, testConfig(), WithMaxBodyBytes(8))
	auth := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		body   string
		status int
	}{
		{"MISSING_AUTHENTICATION_TOKEN", "GET", "/prod/nope", nil, "", 403},
		{"INVALID_SIGNATURE", "GET", "/prod/nope", auth("x"), "", 403},
		{"UNAUTHORIZED", "GET", "/prod/profile", nil, "", 401},
		{"ACCESS_DENIED explicit", "GET", "/prod/profile", auth("deny"), "", 403},
		{"ACCESS_DENIED implicit", "GET", "/prod/profile", auth("other"), "", 403},
		{"AUTHORIZER_CONFIGURATION_ERROR", "GET", "/prod/profile", auth("boom"), "", 500},
		{"INTEGRATION_FAILURE", "GET", "/prod/fn/error", auth("allow"), "", 502},
		{"REQUEST_TOO_LARGE", "POST", "/prod/items/1", auth("allow"), "123456789", 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do(tt.method, tt.path, tt.header, tt.body)
			if r.status != tt.status {
				t.Errorf("status %d %s, want %d", r.status, r.body, tt.status)
			}
			if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("Access-Control-Allow-Headers") != "Authorization,Content-Type" {
				t.Errorf("CORS headers missing: %v", r.header)
			}
			if r.header.Get("Content-Type") != "application/json" || r.header.Get("x-amzn-RequestId") == "" {
				t.Errorf("headers %v", r.header)
			}
		})
	}
}

func TestGatewayResponseCustomisation(t *testing.T) {
	cfg := testConfig()
	cfg.GatewayResponses["UNAUTHORIZED"] = GatewayResponse{
		StatusCode: 401,
		Headers: map[string]string{
			"WWW-Authenticate": `'Bearer realm="api"'`,
			"X-Echo-Origin":    "method.request.header.Origin",
			"X-Echo-Query":     "method.request.querystring.q",
			"X-Stage-Color":    "stageVariables.color",
			"X-Missing":        "method.request.header.X-Not-Sent",
		},
		Body: `{"error":$context.error.messageString,"type":"$context.error.responseType","id":"$context.requestId","raw":"$context.error.message"}`,
	}
	cfg.GatewayResponses["DEFAULT_5XX"] = GatewayResponse{
		Headers: map[string]string{"X-Class": "'5xx'"},
		Body:    `{"message":$context.error.messageString,"stage":"$context.stage","api":"$context.apiId"}`,
	}
	cfg.GatewayResponses["MISSING_AUTHENTICATION_TOKEN"] = GatewayResponse{StatusCode: 404}
	cfg.GatewayResponses["DEFAULT_4XX"] = GatewayResponse{StatusCode: 400, Headers: map[string]string{"X-Class": "'4xx'"}}
	cfg.StageVariables = map[string]string{"color": "blue"}
	h := newHarness(t, cfg)

	t.Run("specific type over default: status, headers, body template", func(t *testing.T) {
		r := h.do("GET", "/prod/profile?q=search", map[string]string{"Origin": "https://app.example"}, "")
		want := `{"error":"Unauthorized","type":"UNAUTHORIZED","id":"` + r.header.Get("x-amzn-RequestId") + `","raw":"Unauthorized"}`
		if r.status != 401 || r.body != want {
			t.Errorf("got %d %s, want %s", r.status, r.body, want)
		}
		checks := map[string]string{
			"WWW-Authenticate": `Bearer realm="api"`,
			"X-Echo-Origin":    "https://app.example",
			"X-Echo-Query":     "search",
			"X-Stage-Color":    "blue",
			"X-Missing":        "",
			"X-Class":          "", // DEFAULT_4XX is not merged into a configured type
			"x-amzn-ErrorType": "UnauthorizedException",
		}
		for k, v := range checks {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
	})
	t.Run("a configured status code for one type", func(t *testing.T) {
		r := h.do("GET", "/prod/nope", nil, "")
		if r.status != 404 || r.body != msgMissingToken || r.header.Get("X-Class") != "" {
			t.Errorf("got %d %s %v", r.status, r.body, r.header)
		}
	})
	t.Run("DEFAULT_4XX status applies to unconfigured 4xx types", func(t *testing.T) {
		r := h.get("/prod/profile", "deny")
		if r.status != 400 || r.body != msgExplicitDeny || r.header.Get("X-Class") != "4xx" || r.header.Get("x-amzn-ErrorType") != "AccessDeniedException" {
			t.Errorf("got %d %s %v", r.status, r.body, r.header)
		}
	})
	t.Run("DEFAULT_5XX template renders a null message", func(t *testing.T) {
		r := h.get("/prod/profile", "boom")
		if r.status != 500 || r.body != `{"message":null,"stage":"prod","api":"fakegw0001"}` || r.header.Get("X-Class") != "5xx" {
			t.Errorf("got %d %s %v", r.status, r.body, r.header)
		}
	})
	t.Run("integration responses are untouched", func(t *testing.T) {
		r := h.get("/prod/profile", "allow")
		if r.status != http.StatusOK || r.header.Get("X-Class") != "" {
			t.Errorf("got %d %v", r.status, r.header)
		}
	})
}

func TestParseHeaderMapping(t *testing.T) {
	tests := []struct {
		expr string
		ok   bool
	}{
		{"'*'", true},
		{"''", true},
		{"method.request.header.Origin", true},
		{"method.request.querystring.q", true},
		{"method.request.path.id", true},
		{"stageVariables.x", true},
		{"*", false},
		{"'unterminated", false},
		{"method.request.header.", false},
		{"context.requestId", false},
		{"", false},
	}
	for _, tt := range tests {
		if _, err := parseHeaderMapping(tt.expr); (err == nil) != tt.ok {
			t.Errorf("parseHeaderMapping(%q) err = %v, want ok=%v", tt.expr, err, tt.ok)
		}
	}
}
