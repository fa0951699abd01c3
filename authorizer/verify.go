package authorizer

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// algRS256 is the only accepted signing algorithm.
const algRS256 = "RS256"

// newParser returns the jwt/v5 parser for cfg: RS256 only, iss exact, aud
// containing the audience, exp required, iat checked, the leeway on exp,
// nbf and iat, base64url segments decoded strictly, time from clock.
func newParser(cfg Config, clock func() time.Time) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods([]string{algRS256}),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(clock),
		jwt.WithStrictDecoding(),
	)
}

// Verify checks an access token and returns its claims. The token is parsed
// and verified by golang-jwt/jwt/v5 with the key keyfunc/v3 reads from the
// JWKS key set; around them, Verify bounds the size first, requires a string
// kid, refuses a "crit" header (jku, jwk, x5u and x5c are never read: the
// key comes from the kid alone), and checks what jwt/v5 leaves to the
// caller: the claims' JSON types, a non-empty sub and Config.RequiredScope.
//
// Every error wraps one or more of this package's sentinels (see Reason)
// and never includes any part of the token.
func (a *Authorizer) Verify(ctx context.Context, token string) (*Claims, error) {
	if len(token) > a.cfg.MaxTokenBytes {
		return nil, ErrTokenTooLarge
	}
	if token == "" {
		return nil, ErrTokenMissing
	}
	claims := &Claims{}
	parsed, err := a.parser.ParseWithClaims(token, claims, a.keyFor(ctx))
	if err != nil {
		reason := classify(parsed, err)
		if errors.Is(reason, ErrClaimType) && claims.typeErr != nil {
			return nil, claims.typeErr // names the claim
		}
		return nil, reason
	}
	if a.cfg.RequiredScope != "" && !hasScope(claims.Scope, a.cfg.RequiredScope) {
		return nil, ErrScope
	}
	return claims, nil
}

// keyFor is the jwt.Keyfunc for one verification: it requires a non-empty
// string kid and no "crit" header, then lets keyfunc/v3 read the key named
// by kid from the key set within ctx (keyfunc would otherwise try every key
// for a token without kid).
func (a *Authorizer) keyFor(ctx context.Context) jwt.Keyfunc {
	read := a.keyfunc.KeyfuncCtx(ctx)
	return func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			return nil, ErrCritHeader
		}
		if kid, ok := t.Header[jwkset.HeaderKID].(string); !ok || kid == "" {
			return nil, ErrKeyIDMissing
		}
		return read(t)
	}
}

// jwtReasons maps jwt/v5's validation errors to this package's sentinels.
var jwtReasons = [...]struct{ jwt, reason error }{
	{jwt.ErrTokenRequiredClaimMissing, ErrClaimMissing},
	{jwt.ErrTokenInvalidIssuer, ErrIssuer},
	{jwt.ErrTokenInvalidAudience, ErrAudience},
	{jwt.ErrTokenExpired, ErrExpired},
	{jwt.ErrTokenNotValidYet, ErrNotYetValid},
	{jwt.ErrTokenUsedBeforeIssued, ErrIssuedInFuture},
}

// classify turns what jwt/v5's ParseWithClaims returned into this package's
// sentinels: the token's shape, its algorithm, then what the key lookup,
// the signature and the claim checks reported. jwt/v5 reports every failed
// claim check at once; so does the result, and Reason picks the first by
// priority.
func classify(tok *jwt.Token, err error) error {
	if errors.Is(err, jwt.ErrTokenMalformed) || tok == nil || tok.Header == nil {
		return ErrMalformed
	}
	if tok.Header["alg"] != algRS256 {
		return ErrAlgorithm
	}
	var reasons []error
	for _, s := range reasonPriority {
		if errors.Is(err, s) {
			reasons = append(reasons, s)
		}
	}
	for _, m := range jwtReasons {
		if errors.Is(err, m.jwt) {
			reasons = append(reasons, m.reason)
		}
	}
	switch {
	case len(reasons) == 1:
		return reasons[0]
	case len(reasons) > 1:
		return errors.Join(reasons...)
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return ErrUnknownKey // keyfunc/v3 refused the key it read
	default:
		return ErrSignature
	}
}

// hasScope reports whether the space-separated scope list contains want.
func hasScope(scope, want string) bool {
	for s := range strings.SplitSeq(scope, " ") {
		if s == want {
			return true
		}
	}
	return false
}
