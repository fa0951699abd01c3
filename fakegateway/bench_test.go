package fakegateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkServeHTTP measures the gateway's own cost for an allowed GET through a TOKEN
// authorizer (cache off) to a proxy integration, with in-test functions that answer at once.
func BenchmarkServeHTTP(b *testing.B) {
	cfg := testConfig()
	policy := policyJSON("anyone", "Allow", "*", map[string]any{"scope": "get:profile"})
	resp := []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"sub\":\"anyone\"}"}`)
	gw, err := New(cfg, map[string]Function{
		"Authz":    FunctionFunc(func(context.Context, []byte) ([]byte, error) { return policy, nil }),
		"Profile":  FunctionFunc(func(context.Context, []byte) ([]byte, error) { return resp, nil }),
		"Scripted": FunctionFunc(func(context.Context, []byte) ([]byte, error) { return resp, nil }),
	})
	if err != nil {
		b.Fatal(err)
	}
	token := "Bearer " + strings.Repeat("abcdefghij", 80)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/prod/profile", nil)
			r.Header.Set("Authorization", token)
			r.Header.Set("User-Agent", "bench")
			r.Header.Set("Accept-Encoding", "gzip")
			w := httptest.NewRecorder()
			gw.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}
