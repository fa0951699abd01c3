package profile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/serverless-auth/serverless-auth/profile"
)

func httpRequest(a *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "GET /profile",
		RawPath:  "/profile",
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID:  "req-2",
			Authorizer: a,
		},
	}
}

func jwtContext(scopes []string, claims map[string]string) *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Scopes: scopes, Claims: claims},
	}
}

func lambdaContext(values map[string]any) *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: values}
}

func TestHandleHTTP(t *testing.T) {
	const forbidden = `{"message":"Forbidden","info":"scope \"get:profile\" is required"}`
	const ok = `{"name":"Daniël"}`
	tests := []struct {
		name       string
		authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription
		status     int
		body       string
		reason     string
	}{
		{"JWT scopes", jwtContext([]string{"read:x", "get:profile"}, nil), 200, ok, "scope_granted"},
		{"JWT scope claim", jwtContext(nil, map[string]string{"scope": "read:x get:profile"}), 200, ok, "scope_granted"},
		{"JWT without the scope", jwtContext([]string{"read:x"}, map[string]string{"scope": "read:x"}), 403, forbidden, "scope_missing"},
		{"JWT look-alike", jwtContext([]string{"get:profile2"}, map[string]string{"scope": "xget:profile"}), 403, forbidden, "scope_missing"},
		{"Lambda scope", lambdaContext(map[string]any{"scope": "get:profile"}), 200, ok, "scope_granted"},
		{"Lambda scope among others", lambdaContext(map[string]any{"scope": "a get:profile b"}), 200, ok, "scope_granted"},
		{"Lambda scope absent", lambdaContext(map[string]any{"sub": "x"}), 403, forbidden, "scope_missing"},
		{"Lambda scope empty", lambdaContext(map[string]any{"scope": ""}), 403, forbidden, "scope_missing"},
		{"Lambda scope not a string", lambdaContext(map[string]any{"scope": []any{"get:profile"}}), 403, forbidden, "scope_not_a_string"},
		{"no authorizer", nil, 403, forbidden, "authorizer_context_missing"},
		{"an empty authorizer", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{}, 403, forbidden, "authorizer_context_missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := profile.New(profile.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			resp, err := h.HandleHTTP(context.Background(), httpRequest(tt.authorizer))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || resp.Body != tt.body || resp.Headers["Content-Type"] != "application/json" {
				t.Errorf("got %d %v %s, want %d %s", resp.StatusCode, resp.Headers, resp.Body, tt.status, tt.body)
			}
			var entry map[string]any
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &entry) != nil {
				t.Fatalf("want one JSON log line, got %q", logs.String())
			}
			if entry["reason"] != tt.reason || entry["request_id"] != "req-2" {
				t.Errorf("log line %v, want reason %s", entry, tt.reason)
			}
		})
	}
}

func TestInvokeDispatchesOnTheEventShape(t *testing.T) {
	h := profile.New(profile.WithLogger(slog.New(slog.DiscardHandler)))
	v2, _ := json.Marshal(httpRequest(lambdaContext(map[string]any{"scope": "get:profile"})))
	rest, _ := json.Marshal(request(map[string]any{"scope": "get:profile"}))
	restNoScope, _ := json.Marshal(request(map[string]any{}))
	tests := []struct {
		name, payload string
		status        int
	}{
		{"payload 2.0", string(v2), 200},
		{"REST proxy event", string(rest), 200},
		{"REST proxy event without the scope", string(restNoScope), 403},
		{"version 2.0 read as payload 2.0, not REST", `{"version":"2.0","requestContext":{"authorizer":{"scope":"get:profile"}}}`, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), []byte(tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				StatusCode int `json:"statusCode"`
			}
			if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode != tt.status {
				t.Errorf("got %s (%v), want status %d", out, err, tt.status)
			}
		})
	}
	for _, bad := range []string{``, `[]`, `"x"`, `{"version":"2.0","requestContext":[]}`} {
		if _, err := h.Invoke(context.Background(), []byte(bad)); err == nil {
			t.Errorf("Invoke(%q) succeeded", bad)
		}
	}
}
