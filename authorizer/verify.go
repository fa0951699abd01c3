package authorizer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// algRS256 is the only accepted signing algorithm.
const algRS256 = "RS256"

// Verify checks an access token and returns its claims: size, compact JWS
// form, alg RS256, no "crit" header, a string kid naming a usable key of the
// JWKS (jku, jwk, x5u and x5c headers are ignored), the signature, then the
// claims (types, iss, aud, exp, nbf, iat, sub, and Config.RequiredScope).
//
// Every error wraps exactly one of this package's sentinels (see Reason)
// and never includes any part of the token.
//
// Verify reads the compact JWS itself rather than through jwt.Parser, so
// that a verification costs little more than its RSA check: the header and
// the payload are decoded once into a pooled buffer, the header is read
// without building a map, the claims are sliced from one copy of the payload,
// and the key comes from a kid → *rsa.PublicKey snapshot. It makes the same
// decisions, for the same reasons, as jwt/v5's Parser configured with
// WithValidMethods(RS256), WithIssuer, WithAudience,
// WithExpirationRequired, WithIssuedAt, WithLeeway and WithStrictDecoding
// over keyfunc/v3 (the package's tests check this on every rejection case
// and by differential fuzzing).
func (a *Authorizer) Verify(ctx context.Context, token string) (*Claims, error) {
	if len(token) > a.cfg.MaxTokenBytes {
		return nil, ErrTokenTooLarge
	}
	if token == "" {
		return nil, ErrTokenMissing
	}
	buf := a.scratch.get(2*len(token) + 8)
	defer a.scratch.put(buf)
	return a.verify(ctx, token, *buf)
}

// verify is Verify with buf, at least 2*len(token)+8 bytes of scratch
// space. The checks run in jwt/v5's order so that a token with several
// defects is rejected for the same reason.
func (a *Authorizer) verify(ctx context.Context, token string, buf []byte) (*Claims, error) {
	hSeg, pSeg, sSeg, ok := splitCompact(token)
	if !ok {
		return nil, ErrMalformed
	}
	input := buf[:copy(buf, token[:len(hSeg)+1+len(pSeg)])] // the signing input
	buf = buf[len(input):]
	header, ok := decodeSegment(buf, hSeg)
	if !ok {
		return nil, ErrMalformed
	}
	hdr, ok := readHeader(header)
	if !ok {
		return nil, ErrMalformed
	}
	buf = buf[len(header):]
	payload, ok := decodeSegment(buf, pSeg)
	if !ok {
		return nil, ErrMalformed
	}
	// jwt/v5 leaves the claims undecoded for a null payload and rejects the
	// token as malformed only once the signature has been checked.
	at, first := claimSpans(payload)
	if first != '{' && first != 'n' {
		return nil, ErrMalformed
	}
	buf = buf[len(payload):]

	// alg: a string naming a method jwt/v5 knows, then RS256 exactly.
	if hdr.alg.end == 0 {
		return nil, ErrAlgorithm
	}
	isRS256 := string(header[hdr.alg.start:hdr.alg.end]) == `"`+algRS256+`"`
	if !isRS256 { // another alg, or RS256 spelt with escapes
		alg, ok := decodeString(header, "", hdr.alg)
		isRS256 = ok && alg == algRS256
		if !isRS256 && (!ok || jwt.GetSigningMethod(alg) == nil) {
			return nil, ErrAlgorithm
		}
	}
	sig, ok := decodeSegment(buf, sSeg)
	if !ok {
		return nil, ErrMalformed
	}
	if !isRS256 {
		return nil, ErrAlgorithm
	}

	// The key: named by a string kid only, never by any other header.
	if hdr.crit {
		return nil, ErrCritHeader
	}
	if hdr.kid.end == 0 || header[hdr.kid.start] != '"' || hdr.kid.end-hdr.kid.start == 2 {
		return nil, ErrKeyIDMissing
	}
	now := a.clock()
	kid := header[hdr.kid.start+1 : hdr.kid.end-1]
	if !hdr.kid.plain && !plainText(kid) {
		s, _ := decodeString(header, "", hdr.kid)
		kid = []byte(s)
	}
	pub, err := a.keys.publicKey(ctx, kid, now)
	if err != nil {
		return nil, err
	}

	digest := sha256.Sum256(input)
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) != nil {
		return nil, ErrSignature
	}

	if first != '{' {
		return nil, ErrMalformed
	}
	claims := &Claims{}
	claims.decode(payload, string(payload), &at)
	if err := a.checkClaims(claims, now); err != nil {
		return nil, err
	}
	return claims, nil
}

// checkClaims applies jwt/v5's validation (exp required, iat verified, the
// leeway) and the package's own rules, reporting the highest-priority
// failure: a type error, a missing iss, aud or exp, a wrong issuer, a wrong
// audience, expiry, nbf, iat, an empty sub, then the required scope.
func (a *Authorizer) checkClaims(c *Claims, now time.Time) error {
	leeway := a.cfg.Leeway
	switch {
	case c.err != nil:
		return c.err
	case c.ExpiresAt == nil, c.Issuer == "",
		len(c.Audience) == 0, len(c.Audience) == 1 && c.Audience[0] == "":
		return ErrClaimMissing
	case c.Issuer != a.cfg.Issuer:
		return ErrIssuer
	case !slices.Contains(c.Audience, a.cfg.Audience):
		return ErrAudience
	case !now.Before(c.ExpiresAt.Add(leeway)):
		return ErrExpired
	case c.NotBefore != nil && now.Before(c.NotBefore.Add(-leeway)):
		return ErrNotYetValid
	case c.IssuedAt != nil && now.Before(c.IssuedAt.Add(-leeway)):
		return ErrIssuedInFuture
	case c.Subject == "":
		return ErrSubject
	case a.cfg.RequiredScope != "" && !hasScope(c.Scope, a.cfg.RequiredScope):
		return ErrScope
	}
	return nil
}

// hasScope reports whether the space-separated scope list contains want.
func hasScope(scope, want string) bool {
	for scope != "" {
		var s string
		s, scope, _ = strings.Cut(scope, " ")
		if s == want {
			return true
		}
	}
	return false
}
