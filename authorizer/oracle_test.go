package authorizer

// The oracle: Verify as it was written on jwt/v5's Parser and keyfunc/v3
// before the lean compact-JWS path replaced it. The differential tests check
// that both reach the same decision for the same reason on every token.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// oracle verifies tokens the way Verify did on jwt/v5 and keyfunc/v3, with
// a's configuration, clock and key set.
type oracle struct {
	a       *Authorizer
	parser  *jwt.Parser
	keyfunc keyfunc.Keyfunc
}

func newOracle(a *Authorizer) (*oracle, error) {
	kf, err := keyfunc.New(keyfunc.Options{Storage: a.keys, UseWhitelist: []jwkset.USE{jwkset.UseSig}})
	if err != nil {
		return nil, err
	}
	return &oracle{a: a, keyfunc: kf, parser: jwt.NewParser(
		jwt.WithValidMethods([]string{algRS256}),
		jwt.WithIssuer(a.cfg.Issuer),
		jwt.WithAudience(a.cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(a.cfg.Leeway),
		jwt.WithTimeFunc(a.clock),
		jwt.WithStrictDecoding(),
	)}, nil
}

// verify is the former Verify.
func (o *oracle) verify(ctx context.Context, token string) (*oracleClaims, error) {
	if len(token) > o.a.cfg.MaxTokenBytes {
		return nil, ErrTokenTooLarge
	}
	if token == "" {
		return nil, ErrTokenMissing
	}
	claims := &oracleClaims{}
	tok, err := o.parser.ParseWithClaims(token, claims, o.keyFor(ctx))
	if err != nil {
		reason := oracleClassify(tok, err)
		if reason == ErrClaimType && claims.err != nil {
			return nil, claims.err
		}
		return nil, reason
	}
	if o.a.cfg.RequiredScope != "" && !hasScope(claims.Scope, o.a.cfg.RequiredScope) {
		return nil, ErrScope
	}
	return claims, nil
}

func (o *oracle) keyFor(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			return nil, ErrCritHeader
		}
		if kid, ok := t.Header[jwkset.HeaderKID].(string); !ok || kid == "" {
			return nil, ErrKeyIDMissing
		}
		return o.keyfunc.KeyfuncCtx(ctx)(t)
	}
}

func oracleJWTEquivalent(s error) error {
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

func oracleClassify(tok *jwt.Token, err error) error {
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
		if j := oracleJWTEquivalent(s); j != nil && errors.Is(err, j) {
			return s
		}
	}
	return ErrSignature
}

// oracleClaims is the claim type Verify used with jwt/v5, decoding through
// map[string]json.RawMessage.
type oracleClaims struct {
	Issuer          string           // iss
	Subject         string           // sub
	Audience        jwt.ClaimStrings // aud, a single string decoded as a one-element list
	ExpiresAt       *jwt.NumericDate // exp
	NotBefore       *jwt.NumericDate // nbf
	IssuedAt        *jwt.NumericDate // iat
	ID              string           // jti
	AuthorizedParty string           // azp
	Scope           string           // scope, space-separated; "" when absent
	Permissions     []string         // permissions (Auth0 RBAC); nil when absent

	decoded bool  // UnmarshalJSON ran on a JSON object
	err     error // first claim type error
}

// UnmarshalJSON decodes a JWT claim set, recording (not returning) claim type
// errors so that they surface in Validate after signature verification. It
// fails only when the claim set is not a JSON object.
func (c *oracleClaims) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return fmt.Errorf("%w: claim set is not a JSON object", ErrMalformed)
	}
	*c = oracleClaims{decoded: true}
	// Checked in a fixed order so the reported type error is deterministic.
	var err error
	if v, ok := raw["iss"]; ok {
		c.Issuer, err = oracleClaimString("iss", v, err)
	}
	if v, ok := raw["sub"]; ok {
		c.Subject, err = oracleClaimString("sub", v, err)
	}
	if v, ok := raw["aud"]; ok {
		c.Audience, err = oracleClaimAudience(v, err)
	}
	if v, ok := raw["exp"]; ok {
		c.ExpiresAt, err = oracleClaimDate("exp", v, err)
	}
	if v, ok := raw["nbf"]; ok {
		c.NotBefore, err = oracleClaimDate("nbf", v, err)
	}
	if v, ok := raw["iat"]; ok {
		c.IssuedAt, err = oracleClaimDate("iat", v, err)
	}
	if v, ok := raw["jti"]; ok {
		c.ID, err = oracleClaimString("jti", v, err)
	}
	if v, ok := raw["azp"]; ok {
		c.AuthorizedParty, err = oracleClaimString("azp", v, err)
	}
	if v, ok := raw["scope"]; ok {
		c.Scope, err = oracleClaimString("scope", v, err)
	}
	if v, ok := raw["permissions"]; ok {
		c.Permissions, err = oracleClaimStrings("permissions", v, err)
	}
	c.err = err
	return nil
}

func oracleClaimTypeError(name, want string) error {
	return fmt.Errorf("%w: %q must be %s", ErrClaimType, name, want)
}

// oracleClaimString decodes a JSON string; prev is the error so far, kept if set.
func oracleClaimString(name string, v json.RawMessage, prev error) (string, error) {
	s, ok := oracleJsonString(v)
	if !ok {
		return "", oracleFirstErr(prev, oracleClaimTypeError(name, "a JSON string"))
	}
	return s, prev
}

// oracleJsonString decodes v, part of an already validated JSON document, if it
// is a string. Strings without escapes and with valid UTF-8 are sliced
// directly; others go through encoding/json.
func oracleJsonString(v json.RawMessage) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	if body := v[1 : len(v)-1]; bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), true
	}
	var s string
	return s, json.Unmarshal(v, &s) == nil
}

// oracleClaimAudience decodes aud: a JSON string or a JSON array of strings.
func oracleClaimAudience(v json.RawMessage, prev error) (jwt.ClaimStrings, error) {
	if len(v) > 0 && v[0] == '"' {
		s, err := oracleClaimString("aud", v, prev)
		return jwt.ClaimStrings{s}, err
	}
	list, err := oracleClaimStrings("aud", v, prev)
	if err != nil && prev == nil {
		err = oracleClaimTypeError("aud", "a JSON string or an array of strings")
	}
	return jwt.ClaimStrings(list), err
}

// oracleClaimStrings decodes a JSON array of strings.
func oracleClaimStrings(name string, v json.RawMessage, prev error) ([]string, error) {
	var items []json.RawMessage
	if len(v) == 0 || v[0] != '[' || json.Unmarshal(v, &items) != nil {
		return nil, oracleFirstErr(prev, oracleClaimTypeError(name, "a JSON array of strings"))
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := oracleJsonString(it)
		if !ok {
			return nil, oracleFirstErr(prev, oracleClaimTypeError(name, "a JSON array of strings"))
		}
		out = append(out, s)
	}
	return out, prev
}

func oracleClaimDateError(name string) error {
	return oracleClaimTypeError(name, "a JSON number of seconds between 0 and 253402300799")
}

// oracleClaimDate decodes a NumericDate: a JSON number of seconds in 0..maxNumericDate.
func oracleClaimDate(name string, v json.RawMessage, prev error) (*jwt.NumericDate, error) {
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return nil, oracleFirstErr(prev, oracleClaimDateError(name))
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f < 0 || f > maxNumericDate {
		return nil, oracleFirstErr(prev, oracleClaimDateError(name))
	}
	sec := int64(f)
	nsec := int64((f - float64(sec)) * 1e9)
	return jwt.NewNumericDate(time.Unix(sec, nsec)), prev
}

func oracleFirstErr(prev, next error) error {
	if prev != nil {
		return prev
	}
	return next
}

// GetExpirationTime implements jwt.oracleClaims; it fails if any claim had the wrong type.
func (c *oracleClaims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt, c.err }

// GetIssuedAt implements jwt.oracleClaims; it fails if any claim had the wrong type.
func (c *oracleClaims) GetIssuedAt() (*jwt.NumericDate, error) { return c.IssuedAt, c.err }

// GetNotBefore implements jwt.oracleClaims; it fails if any claim had the wrong type.
func (c *oracleClaims) GetNotBefore() (*jwt.NumericDate, error) { return c.NotBefore, c.err }

// GetIssuer implements jwt.oracleClaims; it fails if any claim had the wrong type.
func (c *oracleClaims) GetIssuer() (string, error) { return c.Issuer, c.err }

// GetSubject implements jwt.oracleClaims; it fails if any claim had the wrong type.
func (c *oracleClaims) GetSubject() (string, error) { return c.Subject, c.err }

// GetAudience implements jwt.oracleClaims; it fails if any claim had the wrong type.
func (c *oracleClaims) GetAudience() (jwt.ClaimStrings, error) { return c.Audience, c.err }

// Validate implements jwt.ClaimsValidator; jwt/v5 calls it after the
// signature and the standard claims have been checked. It reports a claim
// set that never decoded (ErrMalformed), the first claim type error
// (ErrClaimType) and an absent or empty sub (ErrSubject).
func (c *oracleClaims) Validate() error {
	switch {
	case !c.decoded:
		return ErrMalformed
	case c.err != nil:
		return c.err
	case c.Subject == "":
		return ErrSubject
	}
	return nil
}
