package fakeauth0_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

func TestDiscovery(t *testing.T) {
	tenant := newTenant(t)
	resp, body := get(t, http.MethodGet, tenant.DiscoveryURL())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if !strings.HasPrefix(string(body), `{"issuer":`) {
		t.Errorf("the document does not start with issuer, as Auth0's does: %s", body)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	iss := tenant.Issuer()
	want := map[string]string{
		"issuer":                        iss,
		"jwks_uri":                      tenant.JWKSURL(),
		"token_endpoint":                tenant.TokenURL(),
		"authorization_endpoint":        iss + "authorize",
		"userinfo_endpoint":             iss + "userinfo",
		"device_authorization_endpoint": iss + "oauth/device/code",
		"revocation_endpoint":           iss + "oauth/revoke",
		"end_session_endpoint":          iss + "oidc/logout",
	}
	for name, w := range want {
		if doc[name] != w {
			t.Errorf("%s = %v, want %q", name, doc[name], w)
		}
	}
	lists := map[string]string{
		"token_endpoint_auth_methods_supported": "client_secret_post",
		"id_token_signing_alg_values_supported": "RS256",
		"response_types_supported":              "code",
		"subject_types_supported":               "public",
		"scopes_supported":                      "openid",
	}
	for name, member := range lists {
		raw, _ := json.Marshal(doc[name])
		var got []string
		if err := json.Unmarshal(raw, &got); err != nil || !slices.Contains(got, member) {
			t.Errorf("%s = %v, want a list with %q", name, doc[name], member)
		}
	}
	var typed fakeauth0.Discovery
	if err := json.Unmarshal(body, &typed); err != nil {
		t.Fatal(err)
	}
	if typed.Issuer != tenant.Discovery().Issuer || typed.JWKSURI != tenant.Discovery().JWKSURI {
		t.Errorf("served %+v, Discovery() = %+v", typed, tenant.Discovery())
	}
	if tenant.DiscoveryRequests() != 1 {
		t.Errorf("DiscoveryRequests = %d", tenant.DiscoveryRequests())
	}
}
