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

func request(authorizer map[string]any) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{
		HTTPMethod: "GET",
		Path:       "/profile",
		RequestContext: events.APIGatewayProxyRequestContext{
			RequestID:  "req-1",
			Authorizer: authorizer,
		},
	}
}

func TestHandle(t *testing.T) {
	const forbidden = `{"message":"Forbidden","info":"scope \"get:profile\" is required"}`
	tests := []struct {
		name       string
		authorizer map[string]any
		status     int
		body       string
		reason     string
	}{
		{"scope alone", map[string]any{"principalId": "c@clients", "scope": "get:profile"}, 200, `{"name":"Daniël"}`, "scope_granted"},
		{"scope among others", map[string]any{"scope": "read:messages get:profile write:x"}, 200, `{"name":"Daniël"}`, "scope_granted"},
		{"scope absent", map[string]any{"principalId": "c@clients"}, 403, forbidden, "scope_missing"},
		{"scope empty", map[string]any{"scope": ""}, 403, forbidden, "scope_missing"},
		{"look-alike suffix", map[string]any{"scope": "get:profile2"}, 403, forbidden, "scope_missing"},
		{"look-alike prefix", map[string]any{"scope": "xget:profile"}, 403, forbidden, "scope_missing"},
		{"case differs", map[string]any{"scope": "GET:PROFILE"}, 403, forbidden, "scope_missing"},
		{"tab separated", map[string]any{"scope": "read:x\tget:profile"}, 403, forbidden, "scope_missing"},
		{"comma separated", map[string]any{"scope": "read:x,get:profile"}, 403, forbidden, "scope_missing"},
		{"scope not a string", map[string]any{"scope": []any{"get:profile"}}, 403, forbidden, "scope_not_a_string"},
		{"no authorizer context", nil, 403, forbidden, "authorizer_context_missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := profile.New(profile.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			resp, err := h.Handle(context.Background(), request(tt.authorizer))
			if err != nil {
				t.Fatalf("Handle returned error %v", err)
			}
			if resp.StatusCode != tt.status || resp.Body != tt.body {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, resp.Body, tt.status, tt.body)
			}
			if ct := resp.Headers["Content-Type"]; ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("want one log line, got %d: %s", len(lines), logs.String())
			}
			var entry map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
				t.Fatalf("log line is not JSON: %v", err)
			}
			if entry["reason"] != tt.reason || entry["request_id"] != "req-1" {
				t.Errorf("log line %v, want reason %s and request_id req-1", entry, tt.reason)
			}
		})
	}
}

func TestHasScope(t *testing.T) {
	tests := []struct {
		scope string
		want  bool
	}{
		{"get:profile", true},
		{"a get:profile b", true},
		{"", false},
		{" ", false},
		{"get:profile2", false},
		{"get:profil", false},
	}
	for _, tt := range tests {
		if got := profile.HasScope(tt.scope, "get:profile"); got != tt.want {
			t.Errorf("HasScope(%q) = %v, want %v", tt.scope, got, tt.want)
		}
	}
}
