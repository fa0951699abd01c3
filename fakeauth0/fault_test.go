package fakeauth0_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

func TestJWKSFaults(t *testing.T) {
	cases := []struct {
		name       string
		fault      fakeauth0.Fault
		wantStatus int
		wantBody   string // "JWKS" for the normal key set
	}{
		{"zero fault serves the JWKS", fakeauth0.Fault{}, 200, "JWKS"},
		{"status 500", fakeauth0.Fault{Status: 500}, 500, `{"error":"Internal Server Error"}`},
		{"status 503", fakeauth0.Fault{Status: 503}, 503, `{"error":"Service Unavailable"}`},
		{"status 404", fakeauth0.Fault{Status: 404}, 404, `{"error":"Not Found"}`},
		{"status 429 with a body", fakeauth0.Fault{Status: 429, Body: []byte("slow down")}, 429, "slow down"},
		{"garbage body", fakeauth0.Fault{Body: []byte("<html>not json")}, 200, "<html>not json"},
		{"empty body", fakeauth0.Fault{Body: []byte{}}, 200, ""},
		{"truncated JSON", fakeauth0.Fault{Body: []byte(`{"keys":[{"kty":"RSA"`)}, 200, `{"keys":[{"kty":"RSA"`},
		{"empty set", fakeauth0.Fault{EmptySet: true}, 200, `{"keys":[]}`},
		{"empty set with a status", fakeauth0.Fault{EmptySet: true, Status: 500}, 500, `{"keys":[]}`},
		{"status 200 alone", fakeauth0.Fault{Status: 200}, 200, "JWKS"},
		{"short delay then the JWKS", fakeauth0.Fault{Delay: time.Millisecond}, 200, "JWKS"},
		{"short delay then a status", fakeauth0.Fault{Delay: time.Millisecond, Status: 502}, 502, `{"error":"Bad Gateway"}`},
	}
	tenant := newTenant(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tenant.SetJWKSFault(c.fault)
			resp, body := get(t, http.MethodGet, tenant.JWKSURL())
			want := c.wantBody
			if want == "JWKS" {
				want = string(tenant.JWKS())
			}
			if resp.StatusCode != c.wantStatus || string(body) != want {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, c.wantStatus, want)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
	tenant.ClearJWKSFault()
	if resp, body := get(t, http.MethodGet, tenant.JWKSURL()); resp.StatusCode != 200 || string(body) != string(tenant.JWKS()) {
		t.Errorf("after ClearJWKSFault: %d %s", resp.StatusCode, body)
	}
}

func TestJWKSFaultBodyIsCopied(t *testing.T) {
	tenant := newTenant(t)
	body := []byte("garbage")
	tenant.SetJWKSFault(fakeauth0.Fault{Body: body})
	copy(body, "GARBAGE")
	if _, got := get(t, http.MethodGet, tenant.JWKSURL()); string(got) != "garbage" {
		t.Errorf("served %q after the caller changed its slice", got)
	}
}

func TestJWKSFaultDrop(t *testing.T) {
	tenant := newTenant(t)
	tenant.SetJWKSFault(fakeauth0.Fault{Drop: true})
	resp, err := httpClient.Get(tenant.JWKSURL())
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response (%d), want the connection dropped", resp.StatusCode)
	}
	if tenant.JWKSRequests() != 1 {
		t.Errorf("JWKSRequests = %d, want 1", tenant.JWKSRequests())
	}
	tenant.ClearJWKSFault()
	if resp, _ := get(t, http.MethodGet, tenant.JWKSURL()); resp.StatusCode != 200 {
		t.Errorf("after ClearJWKSFault: %d", resp.StatusCode)
	}
}

func TestJWKSFaultDelayEndsWithTheClient(t *testing.T) {
	tenant := newTenant(t)
	tenant.SetJWKSFault(fakeauth0.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tenant.JWKSURL(), nil)
	resp, err := httpClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response (%d) from a 1h delay", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the client's deadline", err)
	}
	// The tenant's Cleanup Close returns although the handler was delayed.
}

func TestCloseEndsDelayedRequests(t *testing.T) {
	tenant := fakeauth0.New(fakeauth0.WithKey(testKeys()[0]))
	tenant.SetJWKSFault(fakeauth0.Fault{Delay: time.Hour})

	const waiting = 3
	errs := make(chan error, waiting)
	for range waiting {
		go func() {
			resp, err := httpClient.Get(tenant.JWKSURL())
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	for tenant.JWKSRequests() < waiting {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() {
		tenant.Close()
		close(closed)
	}()
	watchdog := time.NewTimer(30 * time.Second)
	defer watchdog.Stop()
	select {
	case <-closed:
	case <-watchdog.C:
		t.Fatal("Close hangs on a delayed JWKS request")
	}
	for range waiting {
		if err := <-errs; err == nil {
			t.Error("a delayed request got a response from a closing tenant")
		}
	}
}
