package fakeauth0_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// token is a compact JWT taken apart.
type token struct {
	header        []byte
	headerMap     map[string]any
	payload       []byte
	sig           []byte
	signingString string
}

func split(t *testing.T, compact string) token {
	t.Helper()
	parts := strings.Split(compact, ".")
	if len(parts) != 3 {
		t.Fatalf("%d segments in %q", len(parts), compact)
	}
	var tok token
	var err error
	dec := base64.RawURLEncoding
	if tok.header, err = dec.DecodeString(parts[0]); err != nil {
		t.Fatalf("header: %v", err)
	}
	if tok.payload, err = dec.DecodeString(parts[1]); err != nil {
		t.Fatalf("payload: %v", err)
	}
	if tok.sig, err = dec.DecodeString(parts[2]); err != nil {
		t.Fatalf("signature: %v", err)
	}
	_ = json.Unmarshal(tok.header, &tok.headerMap)
	tok.signingString = parts[0] + "." + parts[1]
	return tok
}

func TestClaims(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	const otherAPI = "https://other-api.serverless-auth.test/"
	clients := []fakeauth0.Option{
		fakeauth0.WithClient(fakeauth0.DefaultClients()[0]),
		fakeauth0.WithClient(fakeauth0.DefaultClients()[1]),
		fakeauth0.WithClient(fakeauth0.Client{ID: "other", Secret: "s", Scopes: []string{"a", "b"}, Audience: otherAPI}),
		fakeauth0.WithClock(func() time.Time { return now }),
	}
	base := func(tenant *fakeauth0.Tenant, id string, aud any) map[string]any {
		return map[string]any{
			"iss": tenant.Issuer(), "sub": id + "@clients", "aud": aud, "azp": id, "gty": "client-credentials",
			"iat": now.Unix(), "exp": now.Unix() + 86400,
		}
	}
	cases := []struct {
		name   string
		opts   []fakeauth0.Option
		client string
		want   func(tenant *fakeauth0.Tenant) map[string]any
	}{
		{"reader", nil, fakeauth0.DefaultReaderID, func(tn *fakeauth0.Tenant) map[string]any {
			c := base(tn, fakeauth0.DefaultReaderID, tn.Audience())
			c["scope"] = "get:profile read:messages"
			return c
		}},
		{"no scope", nil, fakeauth0.DefaultNoScopeID, func(tn *fakeauth0.Tenant) map[string]any {
			return base(tn, fakeauth0.DefaultNoScopeID, tn.Audience())
		}},
		{"unregistered client", nil, "ghost", func(tn *fakeauth0.Tenant) map[string]any {
			return base(tn, "ghost", tn.Audience())
		}},
		{"client of another API", nil, "other", func(tn *fakeauth0.Tenant) map[string]any {
			c := base(tn, "other", otherAPI)
			c["scope"] = "a b"
			return c
		}},
		{"RBAC", []fakeauth0.Option{fakeauth0.WithRBAC(true)}, fakeauth0.DefaultReaderID, func(tn *fakeauth0.Tenant) map[string]any {
			c := base(tn, fakeauth0.DefaultReaderID, tn.Audience())
			c["scope"] = "get:profile read:messages"
			c["permissions"] = []string{"get:profile", "read:messages"}
			return c
		}},
		{"RBAC without scopes", []fakeauth0.Option{fakeauth0.WithRBAC(true)}, fakeauth0.DefaultNoScopeID, func(tn *fakeauth0.Tenant) map[string]any {
			c := base(tn, fakeauth0.DefaultNoScopeID, tn.Audience())
			c["permissions"] = []string{}
			return c
		}},
		{"userinfo audience", []fakeauth0.Option{fakeauth0.WithUserinfoAudience(true)}, fakeauth0.DefaultNoScopeID, func(tn *fakeauth0.Tenant) map[string]any {
			return base(tn, fakeauth0.DefaultNoScopeID, []string{tn.Audience(), tn.Issuer() + "userinfo"})
		}},
		{"custom audience and lifetime", []fakeauth0.Option{fakeauth0.WithAudience("urn:my-api"), fakeauth0.WithTokenLifetime(time.Hour)},
			fakeauth0.DefaultNoScopeID, func(tn *fakeauth0.Tenant) map[string]any {
				c := base(tn, fakeauth0.DefaultNoScopeID, "urn:my-api")
				c["exp"] = now.Unix() + 3600
				return c
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tenant := newTenant(t, append(clients, c.opts...)...)
			got := tenant.Claims(c.client)
			if want := c.want(tenant); !sameClaims(got, want) {
				t.Errorf("Claims = %v, want %v", got, want)
			}
			got["iss"] = "mutated"
			if tenant.Claims(c.client)["iss"] != tenant.Issuer() {
				t.Error("Claims does not return a fresh map")
			}
		})
	}
}

func TestTokenIsShapedAsAuth0Mints(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	tenant := newTenant(t, fakeauth0.WithClock(func() time.Time { return now }))
	compact := tenant.Token(fakeauth0.DefaultReaderID)
	tok := split(t, compact)
	if want := `{"alg":"RS256","typ":"JWT","kid":"` + tenant.SigningKey().ID + `"}`; string(tok.header) != want {
		t.Errorf("header = %s, want %s", tok.header, want)
	}
	wantPayload := `{"iss":"` + tenant.Issuer() + `","sub":"profile-reader@clients","aud":"` + tenant.Audience() +
		`","iat":1750000000,"exp":1750086400,"scope":"get:profile read:messages","gty":"client-credentials","azp":"profile-reader"}`
	if string(tok.payload) != wantPayload {
		t.Errorf("payload = %s, want %s", tok.payload, wantPayload)
	}
	extra := split(t, tenant.Mint(map[string]any{"z": 1, "b": 2, "sub": "s", "iss": "i"}))
	if want := `{"iss":"i","sub":"s","b":2,"z":1}`; string(extra.payload) != want {
		t.Errorf("payload = %s, want Auth0's claims first, then the others by name: %s", extra.payload, want)
	}
	claims := verify(t, tenant, compact, now)
	if !sameClaims(claims, tenant.Claims(fakeauth0.DefaultReaderID)) {
		t.Errorf("claims = %v, want %v", claims, tenant.Claims(fakeauth0.DefaultReaderID))
	}
}

func TestClockDrivesIssuedAt(t *testing.T) {
	var mu sync.Mutex
	now := time.Unix(1_750_000_000, 0)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	tenant := newTenant(t, fakeauth0.WithClock(clock))
	for _, step := range []time.Duration{0, time.Hour, 48 * time.Hour} {
		mu.Lock()
		now = now.Add(step)
		mu.Unlock()
		claims := verify(t, tenant, tenant.Token(fakeauth0.DefaultReaderID), clock())
		if iat, _ := claims["iat"].(float64); int64(iat) != clock().Unix() {
			t.Errorf("iat = %v, want %d", claims["iat"], clock().Unix())
		}
	}
	// A token is expired once the clock passes its exp.
	tok := tenant.Token(fakeauth0.DefaultReaderID)
	if err := verifyErr(tenant, publishedKeys(t, tenant), tok, clock().Add(24*time.Hour+time.Second)); err == nil {
		t.Error("a token verifies after its lifetime")
	}
}

func TestHostileMinting(t *testing.T) {
	tenant := newTenant(t)
	signing := tenant.SigningKey()
	foreign := testKeys()[3]
	claims := map[string]any{"sub": "x@clients"}

	verifies := func(alg string, key any) func(*testing.T, token) {
		return func(t *testing.T, tok token) {
			if err := jwt.GetSigningMethod(alg).Verify(tok.signingString, tok.sig, key); err != nil {
				t.Errorf("%s signature does not verify: %v", alg, err)
			}
		}
	}
	cases := []struct {
		name       string
		mint       []fakeauth0.MintOption
		nilClaims  bool
		wantHeader string // exact header JSON; "" to skip
		wantBody   string // exact payload; "" for the JSON of claims
		check      func(*testing.T, token)
	}{
		{name: "default RS256", wantHeader: `{"alg":"RS256","typ":"JWT","kid":"` + signing.ID + `"}`,
			check: verifies("RS256", signing.Public())},
		{name: "none", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgNone)},
			wantHeader: `{"alg":"none","typ":"JWT","kid":"` + signing.ID + `"}`,
			check: func(t *testing.T, tok token) {
				if len(tok.sig) != 0 {
					t.Errorf("signature = %x, want none", tok.sig)
				}
			}},
		{name: "HS256 keyed with the public key PEM", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgHS256)},
			wantHeader: `{"alg":"HS256","typ":"JWT","kid":"` + signing.ID + `"}`, check: verifies("HS256", signing.PublicPEM())},
		{name: "HS384", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgHS384)}, check: verifies("HS384", signing.PublicPEM())},
		{name: "HS512", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgHS512)}, check: verifies("HS512", signing.PublicPEM())},
		{name: "RS384", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgRS384)},
			wantHeader: `{"alg":"RS384","typ":"JWT","kid":"` + signing.ID + `"}`, check: verifies("RS384", signing.Public())},
		{name: "RS512", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgRS512)}, check: verifies("RS512", signing.Public())},
		{name: "PS256", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgPS256)}, check: verifies("PS256", signing.Public())},
		{name: "PS384", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgPS384)}, check: verifies("PS384", signing.Public())},
		{name: "PS512", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgPS512)}, check: verifies("PS512", signing.Public())},
		{name: "ES256", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgES256)},
			wantHeader: `{"alg":"ES256","typ":"JWT","kid":"` + signing.ID + `"}`,
			check: func(t *testing.T, tok token) {
				if len(tok.sig) != 64 {
					t.Errorf("ES256 signature is %d bytes, want 64 (r||s)", len(tok.sig))
				}
			}},
		{name: "signed with a foreign key", mint: []fakeauth0.MintOption{fakeauth0.SignedWith(foreign)},
			wantHeader: `{"alg":"RS256","typ":"JWT","kid":"` + foreign.ID + `"}`,
			check: func(t *testing.T, tok token) {
				verifies("RS256", foreign.Public())(t, tok)
				if jwt.SigningMethodRS256.Verify(tok.signingString, tok.sig, signing.Public()) == nil {
					t.Error("the tenant's key verifies a token signed with a foreign key")
				}
			}},
		{name: "foreign key under the tenant's kid", mint: []fakeauth0.MintOption{fakeauth0.SignedWith(foreign), fakeauth0.WithHeader("kid", signing.ID)},
			wantHeader: `{"alg":"RS256","typ":"JWT","kid":"` + signing.ID + `"}`, check: verifies("RS256", foreign.Public())},
		{name: "kid removed", mint: []fakeauth0.MintOption{fakeauth0.WithHeader("kid", nil)},
			wantHeader: `{"alg":"RS256","typ":"JWT"}`, check: verifies("RS256", signing.Public())},
		{name: "typ removed", mint: []fakeauth0.MintOption{fakeauth0.WithHeader("typ", nil)},
			wantHeader: `{"alg":"RS256","kid":"` + signing.ID + `"}`},
		{name: "removing an absent member", mint: []fakeauth0.MintOption{fakeauth0.WithHeader("x5u", nil)},
			wantHeader: `{"alg":"RS256","typ":"JWT","kid":"` + signing.ID + `"}`},
		{name: "kid as a number", mint: []fakeauth0.MintOption{fakeauth0.WithHeader("kid", 42)},
			wantHeader: `{"alg":"RS256","typ":"JWT","kid":42}`},
		{name: "kid as JSON null", mint: []fakeauth0.MintOption{fakeauth0.WithHeader("kid", json.RawMessage("null"))},
			wantHeader: `{"alg":"RS256","typ":"JWT","kid":null}`},
		{name: "key-selection headers added in order", mint: []fakeauth0.MintOption{
			fakeauth0.WithHeader("jku", "https://attacker.test/jwks.json"),
			fakeauth0.WithHeader("crit", []string{"exp"}),
			fakeauth0.WithHeader("x5u", "https://attacker.test/cert.pem"),
		},
			wantHeader: `{"alg":"RS256","typ":"JWT","kid":"` + signing.ID + `","jku":"https://attacker.test/jwks.json","crit":["exp"],"x5u":"https://attacker.test/cert.pem"}`,
			check:      verifies("RS256", signing.Public())},
		{name: "embedded jwk header", mint: []fakeauth0.MintOption{fakeauth0.SignedWith(foreign), fakeauth0.WithHeader("jwk", foreign.JWK())},
			check: func(t *testing.T, tok token) {
				jwk, _ := tok.headerMap["jwk"].(map[string]any)
				if jwk["kid"] != foreign.ID || jwk["n"] == nil {
					t.Errorf("jwk header = %v", tok.headerMap["jwk"])
				}
			}},
		{name: "header lies about the algorithm", mint: []fakeauth0.MintOption{fakeauth0.Algorithm(fakeauth0.AlgHS256), fakeauth0.WithHeader("alg", "RS256")},
			wantHeader: `{"alg":"RS256","typ":"JWT","kid":"` + signing.ID + `"}`, check: verifies("HS256", signing.PublicPEM())},
		{name: "raw claims", mint: []fakeauth0.MintOption{fakeauth0.RawClaims([]byte(`{"exp":"tomorrow","exp":1}`))},
			wantBody: `{"exp":"tomorrow","exp":1}`, check: verifies("RS256", signing.Public())},
		{name: "raw claims not JSON", mint: []fakeauth0.MintOption{fakeauth0.RawClaims([]byte("\x00not json"))},
			wantBody: "\x00not json", check: verifies("RS256", signing.Public())},
		{name: "empty raw claims", mint: []fakeauth0.MintOption{fakeauth0.RawClaims(nil)}, wantBody: "-",
			check: verifies("RS256", signing.Public())},
		{name: "raw header", mint: []fakeauth0.MintOption{fakeauth0.RawHeader([]byte(`{"alg":"RS256","alg":"none"}`)), fakeauth0.WithHeader("ignored", 1)},
			wantHeader: `{"alg":"RS256","alg":"none"}`, check: verifies("RS256", signing.Public())},
		{name: "nil claims mint {}", nilClaims: true, wantBody: "{}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := claims
			if c.nilClaims {
				cl = nil
			}
			tok := split(t, tenant.Mint(cl, c.mint...))
			if c.wantHeader != "" && string(tok.header) != c.wantHeader {
				t.Errorf("header = %s, want %s", tok.header, c.wantHeader)
			}
			wantBody := c.wantBody
			switch wantBody {
			case "":
				raw, _ := json.Marshal(claims)
				wantBody = string(raw)
			case "-":
				wantBody = ""
			}
			if string(tok.payload) != wantBody {
				t.Errorf("payload = %q, want %q", tok.payload, wantBody)
			}
			if c.check != nil {
				c.check(t, tok)
			}
		})
	}
}

// TestHostileTokensAreRefusedByAStrictVerifier shows that what the hostile
// options produce is really hostile: a strict RS256 verifier of the tenant
// refuses every one, while it accepts the tenant's own token.
func TestHostileTokensAreRefusedByAStrictVerifier(t *testing.T) {
	now := time.Now()
	tenant := newTenant(t, fakeauth0.WithClock(func() time.Time { return now }))
	keys := publishedKeys(t, tenant)
	good := tenant.Claims(fakeauth0.DefaultReaderID)
	if err := verifyErr(tenant, keys, tenant.Mint(good), now); err != nil {
		t.Fatalf("the tenant's own token is refused: %v", err)
	}
	for _, alg := range []string{fakeauth0.AlgNone, fakeauth0.AlgHS256, fakeauth0.AlgRS384, fakeauth0.AlgRS512,
		fakeauth0.AlgPS256, fakeauth0.AlgES256} {
		t.Run(alg, func(t *testing.T) {
			if verifyErr(tenant, keys, tenant.Mint(good, fakeauth0.Algorithm(alg)), now) == nil {
				t.Errorf("a %s token verifies", alg)
			}
		})
	}
	t.Run("foreign key", func(t *testing.T) {
		if verifyErr(tenant, keys, tenant.Mint(good, fakeauth0.SignedWith(testKeys()[3]), fakeauth0.WithHeader("kid", tenant.SigningKey().ID)), now) == nil {
			t.Error("a token signed by a foreign key verifies")
		}
	})
	t.Run("HS256 posing as RS256", func(t *testing.T) {
		if verifyErr(tenant, keys, tenant.Mint(good, fakeauth0.Algorithm(fakeauth0.AlgHS256), fakeauth0.WithHeader("alg", "RS256")), now) == nil {
			t.Error("an HMAC token posing as RS256 verifies")
		}
	})
}

func TestNoneTokenIsAcceptedOnlyByAnUnsafeParser(t *testing.T) {
	tenant := newTenant(t)
	compact := tenant.Mint(map[string]any{"sub": "x"}, fakeauth0.Algorithm(fakeauth0.AlgNone))
	if !strings.HasSuffix(compact, ".") {
		t.Errorf("a none token should end with an empty signature: %q", compact)
	}
	_, err := jwt.Parse(compact, func(*jwt.Token) (any, error) { return jwt.UnsafeAllowNoneSignatureType, nil },
		jwt.WithValidMethods([]string{"none"}))
	if err != nil {
		t.Errorf("jwt does not read the none token: %v", err)
	}
}

func TestMintPanicsOnAnUnknownAlgorithm(t *testing.T) {
	tenant := newTenant(t)
	for _, alg := range []string{"", "rs256", "ES384", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Algorithm(%q) did not panic", alg)
				}
			}()
			tenant.Mint(nil, fakeauth0.Algorithm(alg))
		})
	}
}
