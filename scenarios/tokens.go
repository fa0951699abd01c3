package scenarios

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// header builds the value of the Authorization header (the event's
// authorizationToken) for a tenant; tables hold them so that the tenant,
// started later, is an argument.
type header func(t *fakeauth0.Tenant) string

// bearer is the well-formed header for token.
func bearer(token string) string { return "Bearer " + token }

// valid is a token the tenant minted for the default reader client.
func valid(t *fakeauth0.Tenant) string { return t.Token(fakeauth0.DefaultReaderID) }

// validBearer is the well-formed header around a valid token.
func validBearer(t *fakeauth0.Tenant) string { return bearer(valid(t)) }

// withClaims mints a token whose claims are the reader's with change applied.
func withClaims(change func(claims map[string]any, now time.Time), opts ...fakeauth0.MintOption) header {
	return func(t *fakeauth0.Tenant) string {
		claims := t.Claims(fakeauth0.DefaultReaderID)
		change(claims, time.Now())
		return bearer(t.Mint(claims, opts...))
	}
}

// setClaim mints a reader token with one claim replaced.
func setClaim(name string, value any) header {
	return withClaims(func(c map[string]any, _ time.Time) { c[name] = value })
}

// dropClaim mints a reader token without one claim.
func dropClaim(name string) header {
	return withClaims(func(c map[string]any, _ time.Time) { delete(c, name) })
}

// minted mints a reader token with the given options.
func minted(opts ...fakeauth0.MintOption) header {
	return withClaims(func(map[string]any, time.Time) {}, opts...)
}

// segments splits a valid reader token into its three parts.
func segments(t *fakeauth0.Tenant) (head, payload, signature string) {
	parts := strings.Split(valid(t), ".")
	gomega.Expect(parts).To(gomega.HaveLen(3), "the tenant minted a token that is not a JWS")
	return parts[0], parts[1], parts[2]
}

// reshaped rebuilds a valid token's parts with build.
func reshaped(build func(head, payload, signature string) string) header {
	return func(t *fakeauth0.Tenant) string {
		return bearer(build(segments(t)))
	}
}

// b64 is base64url without padding, the JWS encoding.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// tampered keeps a valid signature but changes the subject in the payload.
func tampered(t *fakeauth0.Tenant) string {
	head, payload, signature := segments(t)
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	var claims map[string]any
	gomega.Expect(json.Unmarshal(raw, &claims)).To(gomega.Succeed())
	claims["sub"] = "admin@clients"
	forged, err := json.Marshal(claims)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	return bearer(head + "." + base64.RawURLEncoding.EncodeToString(forged) + "." + signature)
}

// foreignKey returns a fresh RSA key that the tenant never published.
func foreignKey() *fakeauth0.Key {
	k, err := fakeauth0.NewKey(2048)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	return k
}
