package fakeauth0_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

const (
	otherAPI      = "https://other-api.serverless-auth.test/"
	otherClientID = "other-api-client"
	specialID     = "special client"
	specialSecret = "se:cr%et+/="
	publicID      = "public-client"
)

func newJSONLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// postForm posts form values to the tenant's token endpoint.
func postForm(t *testing.T, tenant *fakeauth0.Tenant, form url.Values) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, tenant.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, req)
}

type tokenCase struct {
	name        string
	contentType string
	body        string
	basicUser   string // HTTP Basic credentials, form-encoded as RFC 6749 requires, when basicUser != ""
	basicPass   string

	wantStatus int
	// error cases
	wantError, wantDescription string
	// success cases
	wantClient, wantAudience, wantScope string
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func jsonBody(kv ...string) string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

func TestTokenEndpoint(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	tenant := newTenant(t,
		fakeauth0.WithClock(func() time.Time { return now }),
		fakeauth0.WithClient(fakeauth0.DefaultClients()[0]),
		fakeauth0.WithClient(fakeauth0.DefaultClients()[1]),
		fakeauth0.WithClient(fakeauth0.Client{ID: otherClientID, Secret: "other-secret", Scopes: []string{"read:other"}, Audience: otherAPI}),
		fakeauth0.WithClient(fakeauth0.Client{ID: specialID, Secret: specialSecret, Scopes: []string{"get:profile"}}),
		fakeauth0.WithClient(fakeauth0.Client{ID: publicID}),
	)
	reader := []string{"grant_type", "client_credentials", "client_id", fakeauth0.DefaultReaderID, "client_secret", fakeauth0.DefaultReaderSecret}
	with := func(base []string, kv ...string) []string { return append(slices.Clone(base), kv...) }
	aud := tenant.Audience()

	cases := []tokenCase{
		{name: "form", contentType: formType, body: form(reader...),
			wantStatus: 200, wantClient: fakeauth0.DefaultReaderID, wantAudience: aud, wantScope: "get:profile read:messages"},
		{name: "JSON", contentType: jsonType, body: jsonBody(reader...),
			wantStatus: 200, wantClient: fakeauth0.DefaultReaderID, wantAudience: aud, wantScope: "get:profile read:messages"},
		{name: "JSON with charset and explicit audience", contentType: "application/json; charset=utf-8", body: jsonBody(with(reader, "audience", aud)...),
			wantStatus: 200, wantClient: fakeauth0.DefaultReaderID, wantAudience: aud, wantScope: "get:profile read:messages"},
		{name: "HTTP Basic", contentType: formType, body: form("grant_type", "client_credentials"),
			basicUser: fakeauth0.DefaultReaderID, basicPass: fakeauth0.DefaultReaderSecret,
			wantStatus: 200, wantClient: fakeauth0.DefaultReaderID, wantAudience: aud, wantScope: "get:profile read:messages"},
		{name: "HTTP Basic with form-encoded special characters", contentType: jsonType, body: jsonBody("grant_type", "client_credentials"),
			basicUser: specialID, basicPass: specialSecret,
			wantStatus: 200, wantClient: specialID, wantAudience: aud, wantScope: "get:profile"},
		{name: "client without scopes", contentType: formType,
			body:       form("grant_type", "client_credentials", "client_id", fakeauth0.DefaultNoScopeID, "client_secret", fakeauth0.DefaultNoScopeSecret),
			wantStatus: 200, wantClient: fakeauth0.DefaultNoScopeID, wantAudience: aud, wantScope: ""},
		{name: "scope parameter narrows the grant", contentType: formType, body: form(with(reader, "scope", "get:profile")...),
			wantStatus: 200, wantClient: fakeauth0.DefaultReaderID, wantAudience: aud, wantScope: "get:profile"},
		{name: "scope parameter ignores ungranted scopes", contentType: formType, body: form(with(reader, "scope", "admin read:messages")...),
			wantStatus: 200, wantClient: fakeauth0.DefaultReaderID, wantAudience: aud, wantScope: "read:messages"},
		{name: "scope parameter with nothing granted", contentType: formType, body: form(with(reader, "scope", "admin")...),
			wantStatus: 200, wantClient: fakeauth0.DefaultReaderID, wantAudience: aud, wantScope: ""},
		{name: "client of another API asking for it", contentType: formType,
			body:       form("grant_type", "client_credentials", "client_id", otherClientID, "client_secret", "other-secret", "audience", otherAPI),
			wantStatus: 200, wantClient: otherClientID, wantAudience: otherAPI, wantScope: "read:other"},

		{name: "wrong secret", contentType: formType, body: form(with(reader, "client_secret", "nope")...),
			wantStatus: 401, wantError: "access_denied", wantDescription: "Unauthorized"},
		{name: "wrong secret over HTTP Basic", contentType: formType, body: form("grant_type", "client_credentials"),
			basicUser: fakeauth0.DefaultReaderID, basicPass: "nope",
			wantStatus: 401, wantError: "access_denied", wantDescription: "Unauthorized"},
		{name: "missing secret", contentType: formType, body: form("grant_type", "client_credentials", "client_id", fakeauth0.DefaultReaderID),
			wantStatus: 401, wantError: "access_denied", wantDescription: "Unauthorized"},
		{name: "client without a secret", contentType: formType, body: form("grant_type", "client_credentials", "client_id", publicID),
			wantStatus: 401, wantError: "access_denied", wantDescription: "Unauthorized"},
		{name: "unknown client", contentType: jsonType, body: jsonBody(with(reader, "client_id", "who")...),
			wantStatus: 401, wantError: "access_denied", wantDescription: "Unauthorized"},
		{name: "audience of another API without a grant", contentType: formType, body: form(with(reader, "audience", otherAPI)...),
			wantStatus: 403, wantError: "access_denied",
			wantDescription: `Client is not authorized to access "https://other-api.serverless-auth.test/". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/management/v2/client-grants/post-client-grants`},
		{name: "default audience for a client granted another API", contentType: formType,
			body:       form("grant_type", "client_credentials", "client_id", otherClientID, "client_secret", "other-secret"),
			wantStatus: 403, wantError: "access_denied", wantDescription: fakeauth0.ClientGrantMissing(aud)},
		{name: "audience that is no API", contentType: formType, body: form(with(reader, "audience", "https://nowhere.test/")...),
			wantStatus: 403, wantError: "access_denied", wantDescription: "Service not found: https://nowhere.test/"},
		{name: "missing grant_type", contentType: formType, body: form(reader[2:]...),
			wantStatus: 400, wantError: "invalid_request", wantDescription: "Missing required parameter: grant_type"},
		{name: "unsupported grant_type", contentType: formType, body: form(with(reader, "grant_type", "password")...),
			wantStatus: 400, wantError: "unsupported_grant_type", wantDescription: "Unsupported grant type: password"},
		{name: "missing client_id", contentType: formType, body: form("grant_type", "client_credentials", "client_secret", "x"),
			wantStatus: 400, wantError: "invalid_request", wantDescription: "Missing required parameter: client_id"},
		{name: "no content type", contentType: "", body: form(reader...),
			wantStatus: 400, wantError: "invalid_request", wantDescription: "Missing required parameter: grant_type"},
		{name: "text/plain body", contentType: "text/plain", body: form(reader...),
			wantStatus: 400, wantError: "invalid_request", wantDescription: "Missing required parameter: grant_type"},
		{name: "malformed JSON", contentType: jsonType, body: `{"grant_type":`,
			wantStatus: 400, wantError: "invalid_request", wantDescription: "The request body is not a valid JSON object"},
		{name: "JSON array", contentType: jsonType, body: `[]`,
			wantStatus: 400, wantError: "invalid_request", wantDescription: "The request body is not a valid JSON object"},
		{name: "JSON null", contentType: jsonType, body: `null`,
			wantStatus: 400, wantError: "invalid_request", wantDescription: "The request body is not a valid JSON object"},
		{name: "JSON number parameter", contentType: jsonType, body: `{"grant_type":"client_credentials","client_id":42}`,
			wantStatus: 400, wantError: "invalid_request", wantDescription: "Invalid value for parameter: client_id"},
		{name: "malformed form", contentType: formType, body: "grant_type=%zz",
			wantStatus: 400, wantError: "invalid_request", wantDescription: "The request body is not valid form data"},
		{name: "body too large", contentType: formType, body: form(with(reader, "padding", strings.Repeat("x", fakeauth0.MaxTokenRequestBytes))...),
			wantStatus: 413, wantError: "invalid_request", wantDescription: "Request body is too large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, tenant.TokenURL(), strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.basicUser != "" {
				req.SetBasicAuth(url.QueryEscape(c.basicUser), url.QueryEscape(c.basicPass))
			}
			resp, body := do(t, req)
			if resp.StatusCode != c.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, c.wantStatus, body)
			}
			for name, want := range map[string]string{
				"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "Pragma": "no-cache",
			} {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if c.wantError != "" {
				checkErrorBody(t, body, c.wantError, c.wantDescription)
				return
			}
			checkTokenBody(t, tenant, body, c, now)
		})
	}
}

func checkErrorBody(t *testing.T, body []byte, wantError, wantDescription string) {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("error body is not JSON: %s", body)
	}
	want := map[string]any{"error": wantError, "error_description": wantDescription}
	if len(got) != 2 || got["error"] != want["error"] || got["error_description"] != want["error_description"] {
		t.Errorf("error body = %s, want %v", body, want)
	}
}

func checkTokenBody(t *testing.T, tenant *fakeauth0.Tenant, body []byte, c tokenCase, now time.Time) {
	t.Helper()
	var members map[string]any
	if err := json.Unmarshal(body, &members); err != nil {
		t.Fatalf("token body is not JSON: %s", body)
	}
	wantMembers := []string{"access_token", "expires_in", "token_type"}
	if c.wantScope != "" {
		wantMembers = append(wantMembers, "scope")
	}
	if got := sortedKeys(members); !slices.Equal(got, sortedStrings(wantMembers)) {
		t.Errorf("token body members = %v, want %v", got, sortedStrings(wantMembers))
	}
	var resp fakeauth0.TokenResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.TokenType != "Bearer" || resp.ExpiresIn != 86400 || resp.Scope != c.wantScope {
		t.Errorf("token body = %+v, want Bearer, 86400, scope %q", resp, c.wantScope)
	}
	claims := verifyFor(t, tenant, c.wantAudience, resp.AccessToken, now)
	want := map[string]any{
		"iss": tenant.Issuer(), "sub": c.wantClient + "@clients", "aud": c.wantAudience, "azp": c.wantClient,
		"gty": "client-credentials", "iat": float64(now.Unix()), "exp": float64(now.Unix() + 86400),
	}
	if c.wantScope != "" {
		want["scope"] = c.wantScope
	}
	if !sameClaims(claims, want) {
		t.Errorf("claims = %v, want %v", claims, want)
	}
}

func sameClaims(got, want map[string]any) bool {
	if len(got) != len(want) {
		return false
	}
	for k, w := range want {
		g, err := json.Marshal(got[k])
		if err != nil {
			return false
		}
		wj, _ := json.Marshal(w)
		if string(g) != string(wj) {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return sortedStrings(keys)
}

func sortedStrings(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestTokenEndpointRBACAndUserinfoAudience(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	cases := []struct {
		name        string
		opts        []fakeauth0.Option
		client      string
		secret      string
		wantPerms   any // nil when absent
		wantAudList bool
	}{
		{name: "RBAC", opts: []fakeauth0.Option{fakeauth0.WithRBAC(true)},
			client: fakeauth0.DefaultReaderID, secret: fakeauth0.DefaultReaderSecret, wantPerms: []any{"get:profile", "read:messages"}},
		{name: "RBAC without scopes", opts: []fakeauth0.Option{fakeauth0.WithRBAC(true)},
			client: fakeauth0.DefaultNoScopeID, secret: fakeauth0.DefaultNoScopeSecret, wantPerms: []any{}},
		{name: "userinfo audience", opts: []fakeauth0.Option{fakeauth0.WithUserinfoAudience(true)},
			client: fakeauth0.DefaultReaderID, secret: fakeauth0.DefaultReaderSecret, wantAudList: true},
		{name: "lifetime", opts: []fakeauth0.Option{fakeauth0.WithTokenLifetime(5 * time.Minute)},
			client: fakeauth0.DefaultReaderID, secret: fakeauth0.DefaultReaderSecret},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tenant := newTenant(t, append(c.opts, fakeauth0.WithClock(func() time.Time { return now }))...)
			resp, body := postForm(t, tenant, url.Values{"grant_type": {"client_credentials"}, "client_id": {c.client}, "client_secret": {c.secret}})
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			var tr fakeauth0.TokenResponse
			if err := json.Unmarshal(body, &tr); err != nil {
				t.Fatal(err)
			}
			claims := verify(t, tenant, tr.AccessToken, now)
			perms, ok := claims["permissions"]
			if (c.wantPerms == nil) == ok || (ok && !sameClaims(map[string]any{"p": perms}, map[string]any{"p": c.wantPerms})) {
				t.Errorf("permissions = %v (present %v), want %v", perms, ok, c.wantPerms)
			}
			aud := claims["aud"]
			if c.wantAudList {
				want := []any{tenant.Audience(), tenant.Issuer() + "userinfo"}
				if !sameClaims(map[string]any{"a": aud}, map[string]any{"a": want}) {
					t.Errorf("aud = %v, want %v", aud, want)
				}
			} else if aud != tenant.Audience() {
				t.Errorf("aud = %v, want the string %q", aud, tenant.Audience())
			}
			exp, _ := claims["exp"].(float64)
			iat, _ := claims["iat"].(float64)
			if int64(exp-iat) != tr.ExpiresIn {
				t.Errorf("exp - iat = %v, expires_in = %d", exp-iat, tr.ExpiresIn)
			}
		})
	}
}
