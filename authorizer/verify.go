package authorizer

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// algRS256 is the only accepted signing algorithm.
const algRS256 = "RS256"

// newParser returns the jwt/v5 parser enforcing cfg; clock is used for
// exp, nbf and iat.
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

// newKeyfunc returns keyfunc/v3 over keys, accepting only signing keys.
func newKeyfunc(keys jwkset.Storage) (keyfunc.Keyfunc, error) {
	return keyfunc.New(keyfunc.Options{Storage: keys, UseWhitelist: []jwkset.USE{jwkset.UseSig}})
}

// Verify checks an access token and returns its claims: size, compact JWS
// form, alg RS256, no "crit" header, a string kid naming a usable key of the
// JWKS (jku, jwk, x5u and x5c headers are ignored), the signature, then the
// claims (types, iss, aud, exp, nbf, iat, sub, and Config.RequiredScope).
//
// Every error wraps exactly one of this package's sentinels (see Reason)
// and never includes any part of the token.
func (a *Authorizer) Verify(ctx context.Context, token string) (*Claims, error) {
	if len(token) > a.cfg.MaxTokenBytes {
		return nil, ErrTokenTooLarge
	}
	if token == "" {
		return nil, ErrTokenMissing
	}
	claims := &Claims{}
	tok, err := a.parser.ParseWithClaims(token, claims, a.keyFor(ctx))
	if err != nil {
		reason := classify(tok, err)
		if reason == ErrClaimType && claims.err != nil {
			return nil, claims.err
		}
		return nil, reason
	}
	if a.cfg.RequiredScope != "" && !hasScope(claims.Scope, a.cfg.RequiredScope) {
		return nil, ErrScope
	}
	return claims, nil
}

// keyFor wraps keyfunc so that only the kid selects the key: a token without
// a string kid is rejected before keyfunc could fall back to trying every
// key, and a token with "crit" is rejected outright.
func (a *Authorizer) keyFor(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			return nil, ErrCritHeader
		}
		if kid, ok := t.Header[jwkset.HeaderKID].(string); !ok || kid == "" {
			return nil, ErrKeyIDMissing
		}
		return a.keyfunc.KeyfuncCtx(ctx)(t)
	}
}

// jwtEquivalent maps jwt/v5's errors onto this package's sentinels.
func jwtEquivalent(s error) error {
	switch s {
	case ErrMalformed:
		return jwt.ErrTokenMalformed
	case ErrSignature:
		return jwt.ErrTokenSignatureInvalid
	case ErrClaimMissing:
		return jwt.ErrTokenRequiredClaimMissing
	case ErrIssuer:
		return jwt.ErrTokenInvalidIssuer
	case ErrAudience:
		return jwt.ErrTokenInvalidAudience
	case ErrExpired:
		return jwt.ErrTokenExpired
	case ErrNotYetValid:
		return jwt.ErrTokenNotValidYet
	case ErrIssuedInFuture:
		return jwt.ErrTokenUsedBeforeIssued
	}
	return nil
}

// classify turns a jwt/v5 parse failure into one sentinel. A token whose
// header decoded with an alg other than RS256 is ErrAlgorithm (jwt/v5
// reports that as a signature error); otherwise the highest-priority
// sentinel or jwt/v5 equivalent wins.
func classify(tok *jwt.Token, err error) error {
	if errors.Is(err, jwt.ErrTokenMalformed) {
		return ErrMalformed
	}
	if tok == nil || tok.Header == nil {
		return ErrMalformed
	}
	if tok.Header["alg"] != algRS256 {
		return ErrAlgorithm
	}
	for _, s := range reasonPriority {
		if errors.Is(err, s) {
			return s
		}
		if j := jwtEquivalent(s); j != nil && errors.Is(err, j) {
			return s
		}
	}
	return ErrSignature
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
