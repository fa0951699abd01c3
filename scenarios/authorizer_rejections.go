package scenarios

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// rejections is every path on which a warm authorizer must answer
// "Unauthorized": the entries differ only in the header they send.
func (s *suite) rejections(fixture *authorizerFixture) {
	// signedWithUnusable signs a reader token with one of the published keys
	// that are not for RS256 signatures, under its own kid.
	signedWithUnusable := func(what string) header {
		return func(t *fakeauth0.Tenant) string {
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(fixture.unusable[what])))
		}
	}
	ginkgo.DescribeTable("rejects",
		func(id, what string, build header) {
			s.require(id)
			expectRefused(fixture.authorize(s, build(fixture.tenant), methodARN), what)
		},
		rejection("AUTH-02", Recommended, "an empty header", func(*fakeauth0.Tenant) string { return "" }),
		rejection("AUTH-02", Recommended, "blanks only", func(*fakeauth0.Tenant) string { return "   " }),
		rejection("AUTH-02", Required, "the scheme alone", func(*fakeauth0.Tenant) string { return "Bearer" }),
		rejection("AUTH-02", Recommended, "the scheme and a space", func(*fakeauth0.Tenant) string { return "Bearer " }),

		rejection("AUTH-03", Required, "Basic credentials", func(*fakeauth0.Tenant) string { return "Basic dXNlcjpwYXNzd29yZA==" }),
		rejection("AUTH-03", Recommended, "another scheme around a valid token", func(t *fakeauth0.Tenant) string { return "Token " + valid(t) }),
		rejection("AUTH-03", Recommended, "a valid token without a scheme", valid),
		rejection("AUTH-03", Recommended, "no space after the scheme", func(t *fakeauth0.Tenant) string { return "Bearer" + valid(t) }),
		rejection("AUTH-03", Recommended, "two spaces after the scheme", func(t *fakeauth0.Tenant) string { return "Bearer  " + valid(t) }),
		rejection("AUTH-03", Recommended, "a tab after the scheme", func(t *fakeauth0.Tenant) string { return "Bearer\t" + valid(t) }),
		rejection("AUTH-03", Recommended, "an extra part after the token", func(t *fakeauth0.Tenant) string { return bearer(valid(t)) + " extra" }),
		rejection("AUTH-03", Recommended, "two tokens", func(t *fakeauth0.Tenant) string { return bearer(valid(t)) + " " + valid(t) }),
		rejection("AUTH-03", Recommended, "a trailing newline", func(t *fakeauth0.Tenant) string { return bearer(valid(t)) + "\n" }),
		rejection("AUTH-03", Recommended, "a lowercase scheme", func(t *fakeauth0.Tenant) string { return "bearer " + valid(t) }),

		rejection("AUTH-04", Required, "one segment", func(*fakeauth0.Tenant) string { return bearer("eyJhbGciOiJSUzI1NiJ9") }),
		rejection("AUTH-04", Required, "two segments", reshaped(func(h, p, _ string) string { return h + "." + p })),
		rejection("AUTH-04", Required, "four segments", reshaped(func(h, p, s string) string { return h + "." + p + "." + s + "." + s })),
		rejection("AUTH-04", Required, "empty segments", func(*fakeauth0.Tenant) string { return bearer("..") }),
		rejection("AUTH-04", Required, "a header that is not base64url", reshaped(func(_, p, s string) string { return "!!!." + p + "." + s })),
		rejection("AUTH-04", Required, "a header in padded standard base64", reshaped(func(h, p, s string) string {
			raw, _ := base64.RawURLEncoding.DecodeString(h)
			return base64.StdEncoding.EncodeToString(raw) + "." + p + "." + s
		})),
		rejection("AUTH-04", Required, "a header that is not JSON", reshaped(func(_, p, s string) string { return b64("not json") + "." + p + "." + s })),
		rejection("AUTH-04", Required, "a header that is a JSON array", reshaped(func(_, p, s string) string { return b64(`["RS256"]`) + "." + p + "." + s })),
		rejection("AUTH-04", Required, "a payload that is not base64url", reshaped(func(h, _, s string) string { return h + ".%%%." + s })),
		rejection("AUTH-04", Required, "a payload that is not JSON", reshaped(func(h, _, s string) string { return h + "." + b64("{not json") + "." + s })),
		rejection("AUTH-04", Required, "a payload that is a JSON string", reshaped(func(h, _, s string) string { return h + "." + b64(`"claims"`) + "." + s })),
		rejection("AUTH-04", Required, "a signature that is not base64url", reshaped(func(h, p, _ string) string { return h + "." + p + ".***" })),
		rejection("AUTH-04", Required, "an empty signature", reshaped(func(h, p, _ string) string { return h + "." + p + "." })),

		rejection("AUTH-05", Recommended, "an unknown kid", minted(fakeauth0.WithHeader("kid", "no-such-key"))),
		rejection("AUTH-05", Recommended, "no kid", minted(fakeauth0.WithHeader("kid", nil))),
		rejection("AUTH-05", Recommended, "an empty kid", minted(fakeauth0.WithHeader("kid", ""))),
		rejection("AUTH-05", Recommended, "a kid that is a number", minted(fakeauth0.WithHeader("kid", 1))),
		rejection("AUTH-05", Recommended, "a kid that is a list", func(t *fakeauth0.Tenant) string {
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.WithHeader("kid", []string{t.SigningKey().ID})))
		}),

		rejection("AUTH-06", Required, "a foreign key under its own kid", func(t *fakeauth0.Tenant) string {
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(foreignKey())))
		}),
		rejection("AUTH-06", Required, "a foreign key under the tenant's kid", func(t *fakeauth0.Tenant) string {
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(foreignKey()), fakeauth0.WithHeader("kid", t.SigningKey().ID)))
		}),
		rejection("AUTH-06", Recommended, "a published key whose use is enc", signedWithUnusable("enc")),
		rejection("AUTH-06", Recommended, "a published key for RS512", signedWithUnusable("RS512")),
		rejection("AUTH-06", Recommended, "a published key whose key_ops exclude verify", signedWithUnusable("ops")),
		rejection("AUTH-06", Recommended, "a published 1024-bit key", signedWithUnusable("1024")),
		rejection("AUTH-06", Required, "a payload changed after signing", tampered),
		rejection("AUTH-06", Required, "a signature from another token", func(t *fakeauth0.Tenant) string {
			h, p, _ := segments(t)
			other := strings.Split(t.Token(fakeauth0.DefaultNoScopeID), ".")
			return bearer(h + "." + p + "." + other[2])
		}),

		rejection("AUTH-07", Required, "alg none", minted(fakeauth0.Algorithm("none"))),
		rejection("AUTH-07", Required, "HS256 keyed with the public key", minted(fakeauth0.Algorithm("HS256"))),
		rejection("AUTH-07", Recommended, "PS256", minted(fakeauth0.Algorithm("PS256"))),
		rejection("AUTH-07", Required, "ES256", minted(fakeauth0.Algorithm("ES256"))),
		rejection("AUTH-07", Recommended, "RS384", minted(fakeauth0.Algorithm("RS384"))),
		rejection("AUTH-07", Recommended, "RS512", minted(fakeauth0.Algorithm("RS512"))),
		rejection("AUTH-07", Recommended, "an RS256 signature labelled rs256", minted(fakeauth0.WithHeader("alg", "rs256"))),
		rejection("AUTH-07", Recommended, "an RS256 signature labelled RS512", minted(fakeauth0.WithHeader("alg", "RS512"))),
		rejection("AUTH-07", Recommended, "no alg", minted(fakeauth0.WithHeader("alg", nil))),

		rejection("AUTH-08", Recommended, "the issuer without its trailing slash", func(t *fakeauth0.Tenant) string { return setClaim("iss", t.URL)(t) }),
		rejection("AUTH-08", Required, "another tenant", setClaim("iss", "https://attacker.eu.auth0.com/")),
		rejection("AUTH-08", Recommended, "the issuer with another case", func(t *fakeauth0.Tenant) string { return setClaim("iss", strings.ToUpper(t.Issuer()))(t) }),
		rejection("AUTH-08", Recommended, "an empty issuer", setClaim("iss", "")),

		rejection("AUTH-09", Required, "another audience", setClaim("aud", "https://another-api.example/")),
		rejection("AUTH-09", Required, "a list without our audience", setClaim("aud", []string{"https://another-api.example/", "https://tenant.example/userinfo"})),
		rejection("AUTH-09", Recommended, "an empty audience list", setClaim("aud", []string{})),
		rejection("AUTH-09", Recommended, "our audience with another case", func(t *fakeauth0.Tenant) string { return setClaim("aud", strings.ToUpper(t.Audience()))(t) }),

		rejection("AUTH-10", Required, "expired ten minutes ago", withClaims(func(c map[string]any, now time.Time) {
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-10*time.Minute).Unix()
		})),
		rejection("AUTH-10", Required, "not valid before ten minutes from now", withClaims(func(c map[string]any, now time.Time) {
			c["nbf"] = now.Add(10 * time.Minute).Unix()
		})),
		rejection("AUTH-10", Recommended, "issued ten minutes in the future", withClaims(func(c map[string]any, now time.Time) {
			c["iat"], c["exp"] = now.Add(10*time.Minute).Unix(), now.Add(2*time.Hour).Unix()
		})),

		rejection("AUTH-11", Recommended, "no exp", dropClaim("exp")),
		rejection("AUTH-11", Recommended, "exp as a string", withClaims(func(c map[string]any, now time.Time) { c["exp"] = now.Add(time.Hour).Format(time.RFC3339) })),
		rejection("AUTH-11", Recommended, "exp as a numeric string", withClaims(func(c map[string]any, now time.Time) { c["exp"] = "9999999999" })),
		rejection("AUTH-11", Recommended, "exp null", setClaim("exp", nil)),
		rejection("AUTH-11", Recommended, "nbf as a string", setClaim("nbf", "0")),
		rejection("AUTH-11", Recommended, "iat as a boolean", setClaim("iat", true)),
		rejection("AUTH-11", Recommended, "no sub", dropClaim("sub")),
		rejection("AUTH-11", Recommended, "an empty sub", setClaim("sub", "")),
		rejection("AUTH-11", Recommended, "sub as a number", setClaim("sub", 42)),
		rejection("AUTH-11", Recommended, "sub as an object", setClaim("sub", map[string]any{"id": "x"})),
		rejection("AUTH-11", Recommended, "no iss", dropClaim("iss")),
		rejection("AUTH-11", Recommended, "iss as a list", func(t *fakeauth0.Tenant) string { return setClaim("iss", []string{t.Issuer()})(t) }),
		rejection("AUTH-11", Recommended, "no aud", dropClaim("aud")),
		rejection("AUTH-11", Recommended, "aud as a number", setClaim("aud", 7)),
		rejection("AUTH-11", Recommended, "aud as a list holding a number", func(t *fakeauth0.Tenant) string { return setClaim("aud", []any{t.Audience(), 7})(t) }),
		rejection("AUTH-11", Recommended, "scope as a list", setClaim("scope", []string{"get:profile"})),
		rejection("AUTH-11", Recommended, "claims as a list", reshaped(func(h, _, s string) string { return h + "." + b64(`[{"sub":"x"}]`) + "." + s })),

		rejection("AUTH-15", Required, "a foreign key announced by jku", func(t *fakeauth0.Tenant) string {
			k := foreignKey()
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(k), fakeauth0.WithHeader("jku", t.URL+"/attacker/jwks.json")))
		}),
		rejection("AUTH-15", Required, "a foreign key embedded as jwk", func(t *fakeauth0.Tenant) string {
			k := foreignKey()
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(k), fakeauth0.WithHeader("jwk", k.JWK())))
		}),
		rejection("AUTH-15", Required, "a foreign key embedded as jwk under the tenant's kid", func(t *fakeauth0.Tenant) string {
			k := foreignKey()
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(k),
				fakeauth0.WithHeader("kid", t.SigningKey().ID), fakeauth0.WithHeader("jwk", k.JWK())))
		}),
		rejection("AUTH-15", Required, "a foreign certificate in x5c", func(t *fakeauth0.Tenant) string {
			k := foreignKey()
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(k),
				fakeauth0.WithHeader("kid", t.SigningKey().ID), fakeauth0.WithHeader("x5c", []string{base64.StdEncoding.EncodeToString(k.Cert.Raw)})))
		}),
		rejection("AUTH-15", Required, "a foreign key announced by x5u", func(t *fakeauth0.Tenant) string {
			k := foreignKey()
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(k), fakeauth0.WithHeader("x5u", t.URL+"/attacker/cert.pem")))
		}),
		rejection("AUTH-15", Recommended, "a crit header", minted(fakeauth0.WithHeader("crit", []string{"exp"}))),

		rejection("AUTH-16", Recommended, "a validly signed 100 KiB token", setClaim("permissions", largeList(100<<10))),
		rejection("AUTH-16", Recommended, "a 1 MiB header", func(*fakeauth0.Tenant) string { return "Bearer " + strings.Repeat("a", 1<<20) }),
		rejection("AUTH-16", Recommended, "a 1 MiB header shaped as a JWT", func(*fakeauth0.Tenant) string {
			return bearer(strings.Repeat("e", 1<<19) + "." + strings.Repeat("e", 1<<19) + ".sig")
		}),
	)
}

// rejection is one table row: the ID and the level label the spec, so the
// report and --label-filter can name it; the row's own line is the spec's
// location in reports.
func rejection(id string, level Level, what string, build header) ginkgo.TableEntry {
	ginkgo.GinkgoHelper()
	return ginkgo.Entry(id+": "+what, specLabels(id, level), id, what, build)
}

// largeList returns strings adding up to about size bytes of JSON.
func largeList(size int) []string {
	out := make([]string, 0, size/32)
	for n := 0; n < size; n += 32 {
		out = append(out, "read:item-"+strings.Repeat("x", 18))
	}
	return out
}
