package fakeauth0

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// Algorithms Mint can sign with (see Algorithm).
const (
	AlgRS256 = "RS256"
	AlgRS384 = "RS384"
	AlgRS512 = "RS512"
	AlgPS256 = "PS256"
	AlgPS384 = "PS384"
	AlgPS512 = "PS512"
	AlgES256 = "ES256"
	AlgHS256 = "HS256"
	AlgHS384 = "HS384"
	AlgHS512 = "HS512"
	AlgNone  = "none"
)

// GTYClientCredentials is the gty claim of client-credentials tokens.
const GTYClientCredentials = "client-credentials"

// MintOption changes how Mint builds a token.
type MintOption func(*mintConfig)

type mintConfig struct {
	alg       string
	key       *Key
	edits     []headerField
	rawClaims []byte
	rawHeader []byte
	hasClaims bool // rawClaims was given, possibly empty
	hasHeader bool // rawHeader was given, possibly empty
}

type headerField struct {
	name  string
	value any
}

// WithHeader sets a header member, replacing it where it is or adding it
// after the others; a nil value removes the member. To send an explicit JSON
// null use json.RawMessage("null"). It applies after Algorithm and SignedWith
// have chosen alg and kid, so it can make the header lie about them.
func WithHeader(name string, value any) MintOption {
	return func(c *mintConfig) { c.edits = append(c.edits, headerField{name, value}) }
}

// SignedWith signs with k instead of the tenant's signing key; the header's
// kid is k.ID. k need not be published.
func SignedWith(k *Key) MintOption {
	return func(c *mintConfig) { c.key = k }
}

// Algorithm signs with alg, which is also the header's alg:
//
//   - RS256, RS384, RS512, PS256, PS384, PS512 with the RSA key;
//   - ES256 with a P-256 key the tenant generates once (never published);
//   - HS256, HS384, HS512 with the RSA key's PublicPEM bytes as the HMAC
//     secret (algorithm confusion);
//   - none with an empty signature.
//
// Mint panics on any other value; use WithHeader to put an arbitrary alg in
// the header.
func Algorithm(alg string) MintOption {
	return func(c *mintConfig) { c.alg = alg }
}

// RawClaims makes payload, verbatim, the token's payload instead of the
// claims given to Mint: malformed JSON, a JSON array, duplicate members, etc.
func RawClaims(payload []byte) MintOption {
	return func(c *mintConfig) { c.rawClaims, c.hasClaims = bytes.Clone(payload), true }
}

// RawHeader makes header, verbatim, the token's header; Algorithm and
// SignedWith still choose how it is signed, and WithHeader is ignored.
func RawHeader(header []byte) MintOption {
	return func(c *mintConfig) { c.rawHeader, c.hasHeader = bytes.Clone(header), true }
}

// Claims returns a fresh claim set shaped as Auth0 mints it for a
// client-credentials grant of clientID: iss (with the trailing slash), sub
// "CLIENTID@clients", aud (the client's API; a list with ISSUER+"userinfo"
// under WithUserinfoAudience), iat (the tenant's clock), exp (iat plus the
// token lifetime), azp, scope (the granted scopes, space-separated; absent
// when there are none), gty "client-credentials" and, under WithRBAC,
// permissions. An unregistered clientID gets the tenant's API and no scope.
func (t *Tenant) Claims(clientID string) map[string]any {
	aud := t.audience
	var scopes []string
	if c, ok := t.client(clientID); ok {
		aud = t.grantAudience(c)
		scopes = c.Scopes
	}
	return t.claims(clientID, aud, scopes)
}

// Token returns a token minted from Claims(clientID), as the token endpoint
// would issue it to that client for its API.
func (t *Tenant) Token(clientID string) string {
	return t.Mint(t.Claims(clientID))
}

// claims builds an Auth0 client-credentials claim set.
func (t *Tenant) claims(clientID, audience string, scopes []string) map[string]any {
	iat := t.clock().Unix()
	c := map[string]any{
		"iss": t.Issuer(),
		"sub": clientID + "@clients",
		"aud": audience,
		"iat": iat,
		"exp": iat + int64(t.lifetime.Seconds()),
		"azp": clientID,
		"gty": GTYClientCredentials,
	}
	if t.userinfoAud {
		c["aud"] = []string{audience, t.Issuer() + "userinfo"}
	}
	if len(scopes) > 0 {
		c["scope"] = strings.Join(scopes, " ")
	}
	if t.rbac {
		c["permissions"] = append([]string{}, scopes...)
	}
	return c
}

// Mint signs claims (or RawClaims) and returns the compact JWT. By default it
// signs with the tenant's signing key, RS256, and the header Auth0 sends:
// {"alg":"RS256","typ":"JWT","kid":KID}. Claims are written in Auth0's order
// (iss, sub, aud, iat, exp, scope, gty, azp, permissions), then the others by
// name; a nil claims map mints {}. Mint panics on an unknown Algorithm or
// claims that do not marshal to JSON.
func (t *Tenant) Mint(claims map[string]any, opts ...MintOption) string {
	cfg := mintConfig{alg: AlgRS256}
	for _, opt := range opts {
		opt(&cfg)
	}
	key := cfg.key
	if key == nil {
		key = t.SigningKey()
	}
	method, signingKey := t.signer(cfg.alg, key)

	header := cfg.rawHeader
	if !cfg.hasHeader {
		fields := []headerField{{"alg", cfg.alg}, {"typ", "JWT"}, {"kid", key.ID}}
		for _, e := range cfg.edits {
			fields = editHeader(fields, e)
		}
		header = marshalHeader(fields)
	}
	payload := cfg.rawClaims
	if !cfg.hasClaims {
		payload = marshalClaims(claims)
	}
	signingString := encodeSegment(header) + "." + encodeSegment(payload)
	sig, err := method.Sign(signingString, signingKey)
	if err != nil {
		panic(fmt.Sprintf("fakeauth0: Mint: signing with %s: %v", cfg.alg, err))
	}
	return signingString + "." + encodeSegment(sig)
}

// signer returns the signing method for alg and the key it signs with.
func (t *Tenant) signer(alg string, key *Key) (jwt.SigningMethod, any) {
	switch alg {
	case AlgRS256, AlgRS384, AlgRS512, AlgPS256, AlgPS384, AlgPS512:
		return jwt.GetSigningMethod(alg), key.Private
	case AlgHS256, AlgHS384, AlgHS512:
		return jwt.GetSigningMethod(alg), key.PublicPEM()
	case AlgES256:
		return jwt.SigningMethodES256, t.ecdsaKey()
	case AlgNone:
		return jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType
	default:
		panic(fmt.Sprintf("fakeauth0: Mint: unsupported algorithm %q", alg))
	}
}

// ecdsaKey returns the tenant's P-256 key, generating it on first use.
func (t *Tenant) ecdsaKey() *ecdsa.PrivateKey {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ecKey == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(fmt.Sprintf("fakeauth0: generating a P-256 key: %v", err))
		}
		t.ecKey = k
	}
	return t.ecKey
}

func editHeader(fields []headerField, e headerField) []headerField {
	i := slices.IndexFunc(fields, func(f headerField) bool { return f.name == e.name })
	switch {
	case e.value == nil && i >= 0:
		return slices.Delete(fields, i, i+1)
	case e.value == nil:
		return fields
	case i >= 0:
		fields[i].value = e.value
		return fields
	default:
		return append(fields, e)
	}
}

// marshalClaims encodes claims with Auth0's claims first, in Auth0's order,
// and any others after them in name order.
func marshalClaims(claims map[string]any) []byte {
	claimOrder := [...]string{"iss", "sub", "aud", "iat", "exp", "scope", "gty", "azp", "permissions"}
	fields := make([]headerField, 0, len(claims))
	for _, name := range claimOrder {
		if v, ok := claims[name]; ok {
			fields = append(fields, headerField{name, v})
		}
	}
	rest := make([]string, 0, len(claims))
	for name := range claims {
		if !slices.Contains(claimOrder[:], name) {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		fields = append(fields, headerField{name, claims[name]})
	}
	return marshalHeader(fields)
}

// marshalHeader encodes the members in order, nil values included.
func marshalHeader(fields []headerField) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := json.Marshal(f.name)
		if err != nil {
			panic(fmt.Sprintf("fakeauth0: Mint: marshalling member name %q: %v", f.name, err))
		}
		value, err := json.Marshal(f.value)
		if err != nil {
			panic(fmt.Sprintf("fakeauth0: Mint: marshalling member %q: %v", f.name, err))
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func encodeSegment(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}
