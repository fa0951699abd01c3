package authorizer

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// verifyCase is one token and the sentinel Verify must answer (nil: valid).
type verifyCase struct {
	id    string // DESIGN §5 scenario the case covers
	name  string
	token func(t testing.TB, f *fixture) string
	want  error
}

// claimsWith mints with the fixture key after mod edits a valid claim set.
func claimsWith(mod func(c map[string]any)) func(testing.TB, *fixture) string {
	return func(t testing.TB, f *fixture) string {
		c := f.claims()
		mod(c)
		return mint(t, f.key, nil, c)
	}
}

// headerWith mints valid claims with the fixture key under an edited header.
func headerWith(h map[string]any) func(testing.TB, *fixture) string {
	return func(t testing.TB, f *fixture) string {
		return mint(t, f.key, h, f.claims())
	}
}

// rawPayload signs a literal payload with the fixture key and a good header.
func rawPayload(payload string) func(testing.TB, *fixture) string {
	return func(t testing.TB, f *fixture) string {
		return mintRaw(t, f.key.priv, "RS256", mustJSON(t, rsHeader(f.key)), []byte(payload))
	}
}

// rawHeader signs valid claims with the fixture key under a literal header.
func rawHeader(header string) func(testing.TB, *fixture) string {
	return func(t testing.TB, f *fixture) string {
		return mintRaw(t, f.key.priv, "RS256", []byte(header), mustJSON(t, f.claims()))
	}
}

// literal is a token given as is.
func literal(s string) func(testing.TB, *fixture) string {
	return func(testing.TB, *fixture) string { return s }
}

// otherAlg mints valid claims with alg and key, kid of the fixture key.
func otherAlg(alg string, key func(t testing.TB, f *fixture) any) func(testing.TB, *fixture) string {
	return func(t testing.TB, f *fixture) string {
		h := rsHeader(f.key)
		h["alg"] = alg
		return mintRaw(t, key(t, f), alg, mustJSON(t, h), mustJSON(t, f.claims()))
	}
}

// selfSignedCert returns a DER certificate for the attacker key.
func selfSignedCert(t testing.TB, k rsaKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "attacker"},
		NotBefore: testStart.Add(-time.Hour), NotAfter: testStart.Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.priv.PublicKey, k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// nonCanonical flips the unused low bits of the last base64url character.
func nonCanonical(tok string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, tok[len(tok)-1])
	return tok[:len(tok)-1] + string(alphabet[i^1])
}

func verifyCases() []verifyCase {
	attacker := func(t testing.TB, f *fixture) rsaKey { return loadRSA(t, "attacker", f.key.kid) }
	primaryKey := func(t testing.TB, f *fixture) any { return f.key.priv }
	return []verifyCase{
		// AUTH-01 and the allowed forms of AUTH-09/10/11/15.
		{"AUTH-01", "valid token", func(t testing.TB, f *fixture) string { return f.token(t) }, nil},
		{"AUTH-01", "no scope", claimsWith(func(c map[string]any) { delete(c, "scope") }), nil},
		{"AUTH-01", "RBAC permissions", claimsWith(func(c map[string]any) { c["permissions"] = []string{"get:profile"} }), nil},
		{"AUTH-01", "jti and unknown claims ignored", claimsWith(func(c map[string]any) { c["jti"] = "x"; c["https://x/roles"] = []any{1, true} }), nil},
		{"AUTH-01", "fractional exp", claimsWith(func(c map[string]any) { c["exp"] = float64(c["exp"].(int64)) + 0.5 }), nil},
		{"AUTH-09", "aud list containing ours", claimsWith(func(c map[string]any) { c["aud"] = []string{"https://other/", testAudience} }), nil},
		{"AUTH-10", "expired within leeway", claimsWith(func(c map[string]any) { c["exp"] = testStart.Unix() - 5 }), nil},
		{"AUTH-10", "nbf within leeway", claimsWith(func(c map[string]any) { c["nbf"] = testStart.Unix() + 5 }), nil},
		{"AUTH-10", "iat within leeway", claimsWith(func(c map[string]any) { c["iat"] = testStart.Unix() + 5 }), nil},
		{"AUTH-15", "jku ignored", headerWith(map[string]any{"jku": "https://attacker.example/jwks.json"}), nil},
		{"AUTH-15", "x5u ignored", headerWith(map[string]any{"x5u": "https://attacker.example/cert.pem"}), nil},

		// AUTH-02
		{"AUTH-02", "empty", literal(""), ErrTokenMissing},

		// AUTH-04
		{"AUTH-04", "one segment", literal("abc"), ErrMalformed},
		{"AUTH-04", "two segments", literal("abc.def"), ErrMalformed},
		{"AUTH-04", "four segments", func(t testing.TB, f *fixture) string { return f.token(t) + ".x" }, ErrMalformed},
		{"AUTH-04", "empty segments", literal(".."), ErrMalformed},
		{"AUTH-04", "header not base64url", func(t testing.TB, f *fixture) string { return "e30+" + f.token(t)[strings.IndexByte(f.token(t), '.'):] }, ErrMalformed},
		{"AUTH-04", "header not JSON", rawHeader("not json"), ErrMalformed},
		{"AUTH-04", "header JSON array", rawHeader(`["RS256"]`), ErrMalformed},
		{"AUTH-04", "header JSON null", rawHeader(`null`), ErrMalformed},
		{"AUTH-04", "claims not JSON", rawPayload("not json"), ErrMalformed},
		{"AUTH-04", "claims JSON array", rawPayload(`[1,2]`), ErrMalformed},
		{"AUTH-04", "claims JSON string", rawPayload(`"sub"`), ErrMalformed},
		{"AUTH-04", "claims JSON null", rawPayload(`null`), ErrMalformed},
		{"AUTH-04", "claims truncated JSON", rawPayload(`{"sub":"a"`), ErrMalformed},
		{"AUTH-04", "signature not base64url", func(t testing.TB, f *fixture) string { return f.token(t) + "*" }, ErrMalformed},
		{"AUTH-04", "padded signature", func(t testing.TB, f *fixture) string { return f.token(t) + "==" }, ErrMalformed},
		{"AUTH-04", "non-canonical base64url", func(t testing.TB, f *fixture) string { return nonCanonical(f.token(t)) }, ErrMalformed},
		{"AUTH-04", "standard base64 alphabet", func(t testing.TB, f *fixture) string {
			p := strings.Split(f.token(t), ".")
			sig, _ := base64.RawURLEncoding.DecodeString(p[2])
			return p[0] + "." + p[1] + "." + base64.StdEncoding.EncodeToString(sig)
		}, ErrMalformed},

		// AUTH-05
		{"AUTH-05", "unknown kid", headerWith(map[string]any{"kid": "no-such-key"}), ErrUnknownKey},
		{"AUTH-05", "missing kid", headerWith(map[string]any{"kid": nil}), ErrKeyIDMissing},
		{"AUTH-05", "empty kid", headerWith(map[string]any{"kid": ""}), ErrKeyIDMissing},
		{"AUTH-05", "numeric kid", headerWith(map[string]any{"kid": 1}), ErrKeyIDMissing},
		{"AUTH-05", "array kid", headerWith(map[string]any{"kid": []string{"key-1"}}), ErrKeyIDMissing},
		{"AUTH-05", "null kid", rawHeader(`{"alg":"RS256","kid":null}`), ErrKeyIDMissing},

		// AUTH-06
		{"AUTH-06", "signed by a key not in the JWKS", func(t testing.TB, f *fixture) string {
			return mint(t, attacker(t, f), nil, f.claims())
		}, ErrSignature},
		{"AUTH-06", "payload swapped after signing", func(t testing.TB, f *fixture) string {
			p := strings.Split(f.token(t), ".")
			c := f.claims()
			c["sub"] = "admin@clients"
			return p[0] + "." + b64(mustJSON(t, c)) + "." + p[2]
		}, ErrSignature},
		{"AUTH-06", "empty signature", func(t testing.TB, f *fixture) string {
			tok := f.token(t)
			return tok[:strings.LastIndexByte(tok, '.')+1]
		}, ErrSignature},

		// AUTH-07
		{"AUTH-07", "alg none", otherAlg("none", primaryKey), ErrAlgorithm},
		{"AUTH-07", "HS256 keyed with the public key PEM", otherAlg("HS256", func(t testing.TB, f *fixture) any {
			der, err := x509.MarshalPKIXPublicKey(&f.key.priv.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		}), ErrAlgorithm},
		{"AUTH-07", "HS256 keyed with the modulus", otherAlg("HS256", func(t testing.TB, f *fixture) any { return f.key.priv.N.Bytes() }), ErrAlgorithm},
		{"AUTH-07", "PS256 with the published key", otherAlg("PS256", primaryKey), ErrAlgorithm},
		{"AUTH-07", "RS512 with the published key", otherAlg("RS512", primaryKey), ErrAlgorithm},
		{"AUTH-07", "RS384 with the published key", otherAlg("RS384", primaryKey), ErrAlgorithm},
		{"AUTH-07", "ES256", otherAlg("ES256", func(t testing.TB, f *fixture) any { return loadPrivateKey(t, "ec").(*ecdsa.PrivateKey) }), ErrAlgorithm},
		{"AUTH-07", "alg missing", headerWith(map[string]any{"alg": nil}), ErrAlgorithm},
		{"AUTH-07", "alg lower case", headerWith(map[string]any{"alg": "rs256"}), ErrAlgorithm},
		{"AUTH-07", "alg not a string", headerWith(map[string]any{"alg": 256}), ErrAlgorithm},
		{"AUTH-07", "alg unknown", headerWith(map[string]any{"alg": "XX999"}), ErrAlgorithm},

		// AUTH-08
		{"AUTH-08", "other issuer", claimsWith(func(c map[string]any) { c["iss"] = "https://evil.example/" }), ErrIssuer},
		{"AUTH-08", "issuer without trailing slash", claimsWith(func(c map[string]any) { c["iss"] = strings.TrimSuffix(testIssuer, "/") }), ErrIssuer},
		{"AUTH-08", "issuer in other case", claimsWith(func(c map[string]any) { c["iss"] = strings.ToUpper(testIssuer) }), ErrIssuer},

		// AUTH-09
		{"AUTH-09", "other audience", claimsWith(func(c map[string]any) { c["aud"] = "https://other-api.example/" }), ErrAudience},
		{"AUTH-09", "audience list without ours", claimsWith(func(c map[string]any) { c["aud"] = []string{"https://a/", "https://b/"} }), ErrAudience},
		{"AUTH-09", "audience prefix", claimsWith(func(c map[string]any) { c["aud"] = strings.TrimSuffix(testAudience, "/") }), ErrAudience},

		// AUTH-10
		{"AUTH-10", "expired", claimsWith(func(c map[string]any) { c["exp"] = testStart.Unix() - 11 }), ErrExpired},
		{"AUTH-10", "not yet valid", claimsWith(func(c map[string]any) { c["nbf"] = testStart.Unix() + 11 }), ErrNotYetValid},
		{"AUTH-10", "issued in the future", claimsWith(func(c map[string]any) { c["iat"] = testStart.Unix() + 60 }), ErrIssuedInFuture},

		// AUTH-11
		{"AUTH-11", "exp missing", claimsWith(func(c map[string]any) { delete(c, "exp") }), ErrClaimMissing},
		{"AUTH-11", "EXP instead of exp", claimsWith(func(c map[string]any) { c["EXP"] = c["exp"]; delete(c, "exp") }), ErrClaimMissing},
		{"AUTH-11", "exp a string", claimsWith(func(c map[string]any) { c["exp"] = "1999999999" }), ErrClaimType},
		{"AUTH-11", "exp a boolean", claimsWith(func(c map[string]any) { c["exp"] = true }), ErrClaimType},
		{"AUTH-11", "exp null", claimsWith(func(c map[string]any) { c["exp"] = nil }), ErrClaimType},
		{"AUTH-11", "exp an array", claimsWith(func(c map[string]any) { c["exp"] = []int64{1999999999} }), ErrClaimType},
		{"AUTH-11", "exp negative", claimsWith(func(c map[string]any) { c["exp"] = -1 }), ErrClaimType},
		{"AUTH-11", "exp beyond year 9999", claimsWith(func(c map[string]any) { c["exp"] = 1e300 }), ErrClaimType},
		{"AUTH-11", "nbf a string", claimsWith(func(c map[string]any) { c["nbf"] = "0" }), ErrClaimType},
		{"AUTH-11", "iat a string", claimsWith(func(c map[string]any) { c["iat"] = "0" }), ErrClaimType},
		{"AUTH-11", "sub a number", claimsWith(func(c map[string]any) { c["sub"] = 42 }), ErrClaimType},
		{"AUTH-11", "sub missing", claimsWith(func(c map[string]any) { delete(c, "sub") }), ErrSubject},
		{"AUTH-11", "sub empty", claimsWith(func(c map[string]any) { c["sub"] = "" }), ErrSubject},
		{"AUTH-11", "iss an array", claimsWith(func(c map[string]any) { c["iss"] = []string{testIssuer} }), ErrClaimType},
		{"AUTH-11", "iss missing", claimsWith(func(c map[string]any) { delete(c, "iss") }), ErrClaimMissing},
		{"AUTH-11", "aud a number", claimsWith(func(c map[string]any) { c["aud"] = 1 }), ErrClaimType},
		{"AUTH-11", "aud an object", claimsWith(func(c map[string]any) { c["aud"] = map[string]string{"a": testAudience} }), ErrClaimType},
		{"AUTH-11", "aud list with a number", claimsWith(func(c map[string]any) { c["aud"] = []any{testAudience, 1} }), ErrClaimType},
		{"AUTH-11", "aud missing", claimsWith(func(c map[string]any) { delete(c, "aud") }), ErrClaimMissing},
		{"AUTH-11", "aud empty list", claimsWith(func(c map[string]any) { c["aud"] = []string{} }), ErrClaimMissing},
		{"AUTH-11", "scope a number", claimsWith(func(c map[string]any) { c["scope"] = 1 }), ErrClaimType},
		{"AUTH-11", "scope a list", claimsWith(func(c map[string]any) { c["scope"] = []string{"get:profile"} }), ErrClaimType},
		{"AUTH-11", "permissions a string", claimsWith(func(c map[string]any) { c["permissions"] = "get:profile" }), ErrClaimType},
		{"AUTH-11", "jti a number", claimsWith(func(c map[string]any) { c["jti"] = 7 }), ErrClaimType},
		{"AUTH-11", "azp an object", claimsWith(func(c map[string]any) { c["azp"] = map[string]any{} }), ErrClaimType},
		{"AUTH-11", "type error wins over expiry", claimsWith(func(c map[string]any) { c["sub"] = 1; c["exp"] = testStart.Unix() - 100 }), ErrClaimType},

		// AUTH-15
		{"AUTH-15", "attacker key embedded as jwk, kid of ours", func(t testing.TB, f *fixture) string {
			a := attacker(t, f)
			return mint(t, a, map[string]any{"jwk": rsaKey{kid: f.key.kid, priv: a.priv}.jwk()}, f.claims())
		}, ErrSignature},
		{"AUTH-15", "attacker key embedded as jwk, its own kid", func(t testing.TB, f *fixture) string {
			a := loadRSA(t, "attacker", "attacker-1")
			return mint(t, a, map[string]any{"jwk": a.jwk()}, f.claims())
		}, ErrUnknownKey},
		{"AUTH-15", "attacker jwk without kid", func(t testing.TB, f *fixture) string {
			a := attacker(t, f)
			return mint(t, a, map[string]any{"jwk": a.jwk(), "kid": nil}, f.claims())
		}, ErrKeyIDMissing},
		{"AUTH-15", "attacker x5c, kid of ours", func(t testing.TB, f *fixture) string {
			a := attacker(t, f)
			return mint(t, a, map[string]any{"x5c": []string{base64.StdEncoding.EncodeToString(selfSignedCert(t, a))}}, f.claims())
		}, ErrSignature},
		{"AUTH-15", "attacker jku, kid of ours", func(t testing.TB, f *fixture) string {
			return mint(t, attacker(t, f), map[string]any{"jku": "https://attacker.example/jwks.json"}, f.claims())
		}, ErrSignature},
		{"AUTH-15", "crit", headerWith(map[string]any{"crit": []string{"exp"}}), ErrCritHeader},
		{"AUTH-15", "crit empty", headerWith(map[string]any{"crit": []string{}}), ErrCritHeader},
		{"AUTH-15", "crit b64", headerWith(map[string]any{"crit": []string{"b64"}, "b64": false}), ErrCritHeader},

		// AUTH-16
		{"AUTH-16", "one byte over MaxTokenBytes", literal(strings.Repeat("a", DefaultMaxTokenBytes+1)), ErrTokenTooLarge},
		{"AUTH-16", "validly signed but oversized", claimsWith(func(c map[string]any) { c["pad"] = strings.Repeat("x", DefaultMaxTokenBytes) }), ErrTokenTooLarge},
	}
}

func TestVerify(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range verifyCases() {
		t.Run(tc.id+"/"+tc.name, func(t *testing.T) {
			tok := tc.token(t, f)
			claims, err := f.a.Verify(context.Background(), tok)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v (reason %s), want success", err, Reason(err))
				}
				if claims.Subject != testSub {
					t.Fatalf("sub = %q", claims.Subject)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify error = %v (reason %s), want %v", err, Reason(err), tc.want)
			}
			if claims != nil {
				t.Fatalf("claims returned with error %v", err)
			}
			if got, want := Reason(err), Reason(tc.want); got != want {
				t.Fatalf("Reason = %q, want %q", got, want)
			}
			for _, part := range strings.Split(tok, ".") {
				if len(part) >= 8 && strings.Contains(err.Error(), part) {
					t.Fatalf("error %q quotes the token", err)
				}
			}
			for _, kid := range []string{"no-such-key", "attacker-1", "XX999"} {
				if strings.Contains(err.Error(), kid) {
					t.Fatalf("error %q quotes a header value", err)
				}
			}
		})
	}
	if n := f.fetches.Load(); n != 2 {
		t.Errorf("JWKS fetched %d times, want 2: at init and for the first unknown kid (the clock never moved)", n)
	}
}

func TestVerifyClaims(t *testing.T) {
	f := newFixture(t, nil)
	c := f.claims()
	c["aud"] = []string{testAudience, testIssuer + "userinfo"}
	c["permissions"] = []string{"get:profile", "read:messages"}
	c["jti"] = "id-1"
	c["nbf"] = testStart.Unix() - 10
	got, err := f.a.Verify(context.Background(), mint(t, f.key, nil, c))
	if err != nil {
		t.Fatal(err)
	}
	if got.Issuer != testIssuer || got.Subject != testSub || got.Scope != testScope || got.ID != "id-1" || got.AuthorizedParty != "reader" {
		t.Errorf("claims = %+v", got)
	}
	if len(got.Audience) != 2 || got.Audience[0] != testAudience {
		t.Errorf("aud = %v", got.Audience)
	}
	if len(got.Permissions) != 2 || got.Permissions[1] != "read:messages" {
		t.Errorf("permissions = %v", got.Permissions)
	}
	if !got.ExpiresAt.Equal(testStart.Add(time.Hour)) || !got.IssuedAt.Equal(testStart) || !got.NotBefore.Equal(testStart.Add(-10*time.Second)) {
		t.Errorf("times = %v %v %v", got.ExpiresAt, got.IssuedAt, got.NotBefore)
	}
}

func TestVerifyClaimTypeErrorNamesClaim(t *testing.T) {
	f := newFixture(t, nil)
	c := f.claims()
	c["exp"] = "soon"
	_, err := f.a.Verify(context.Background(), mint(t, f.key, nil, c))
	if !errors.Is(err, ErrClaimType) || !strings.Contains(err.Error(), `"exp" has the wrong JSON type`) {
		t.Fatalf("err = %v", err)
	}
}

func TestVerifyClaimTypeCheckedAfterSignature(t *testing.T) {
	f := newFixture(t, nil)
	c := f.claims()
	c["exp"] = "soon"
	_, err := f.a.Verify(context.Background(), mint(t, loadRSA(t, "attacker", f.key.kid), nil, c))
	if !errors.Is(err, ErrSignature) {
		t.Fatalf("err = %v, want the signature failure first", err)
	}
}

func TestVerifyRequiredScope(t *testing.T) {
	cases := []struct {
		name  string
		scope any // claim value; nil deletes it
		want  error
	}{
		{"exactly", "get:profile", nil},
		{"among others", "read:messages get:profile", nil},
		{"suffixed look-alike", "get:profile2", ErrScope},
		{"prefixed look-alike", "xget:profile", ErrScope},
		{"tab separated", "get:profile\tread:messages", ErrScope},
		{"empty", "", ErrScope},
		{"absent", nil, ErrScope},
	}
	f := newFixture(t, func(c *Config) { c.RequiredScope = "get:profile" })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := f.claims()
			if tc.scope == nil {
				delete(c, "scope")
			} else {
				c["scope"] = tc.scope
			}
			_, err := f.a.Verify(context.Background(), mint(t, f.key, nil, c))
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifyLeewayZero(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Leeway = 0 })
	c := f.claims()
	c["exp"] = testStart.Unix() - 1
	if _, err := f.a.Verify(context.Background(), mint(t, f.key, nil, c)); !errors.Is(err, ErrExpired) {
		t.Fatalf("err = %v, want expired", err)
	}
	c = f.claims()
	c["iat"] = testStart.Unix() + 1
	if _, err := f.a.Verify(context.Background(), mint(t, f.key, nil, c)); !errors.Is(err, ErrIssuedInFuture) {
		t.Fatalf("err = %v, want issued in the future", err)
	}
}

// TestVerifyNeverFollowsKeyURLs: jku and x5u pointing at a live server are
// never fetched, whatever the signature.
func TestVerifyNeverFollowsKeyURLs(t *testing.T) {
	var hits atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer evil.Close()
	f := newFixture(t, nil)
	attacker := loadRSA(t, "attacker", "evil-kid")
	headers := []map[string]any{
		{"jku": evil.URL + "/jwks.json"},
		{"x5u": evil.URL + "/cert.pem"},
		{"jku": evil.URL + "/jwks.json", "kid": nil},
	}
	for _, h := range headers {
		for _, k := range []rsaKey{f.key, attacker, {kid: f.key.kid, priv: attacker.priv}} {
			_, _ = f.a.Verify(context.Background(), mint(t, k, h, f.claims()))
		}
	}
	f.clock.Advance(time.Hour)
	_, _ = f.a.Verify(context.Background(), mint(t, attacker, headers[0], f.claims()))
	if n := hits.Load(); n != 0 {
		t.Fatalf("key URL fetched %d times", n)
	}
}

func TestVerifyEscapedClaims(t *testing.T) {
	f := newFixture(t, nil)
	payload := `{"iss":"https:\/\/tenant.example\/","sub":"reader\u0040clients","aud":["https:\/\/profile-api.example\/"],` +
		`"exp":` + strconv.FormatInt(testStart.Unix()+60, 10) + `,"scope":"get:profile"}`
	claims, err := f.a.Verify(context.Background(), rawPayload(payload)(t, f))
	if err != nil {
		t.Fatal(err)
	}
	if claims.Subject != testSub || claims.Issuer != testIssuer {
		t.Fatalf("claims = %+v", claims)
	}
}

// TestVerifyRejectsEveryMutation: changing any single character of a valid
// token, or cutting it anywhere, is rejected (strict base64url leaves no
// second spelling of the same bytes).
func TestVerifyRejectsEveryMutation(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.token(t)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(tok); i++ {
		c := byte('A')
		if j := strings.IndexByte(alphabet, tok[i]); j >= 0 {
			c = alphabet[(j+1)%len(alphabet)]
		}
		mutated := tok[:i] + string(c) + tok[i+1:]
		if _, err := f.a.Verify(context.Background(), mutated); err == nil {
			t.Fatalf("accepted a token changed at %d", i)
		}
		if _, err := f.a.Verify(context.Background(), tok[:i]); err == nil {
			t.Fatalf("accepted a token cut at %d", i)
		}
	}
}
