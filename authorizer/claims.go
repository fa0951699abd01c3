package authorizer

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxNumericDate is 9999-12-31T23:59:59Z: larger NumericDates are rejected
// as ErrClaimType rather than overflowing time conversions.
const maxNumericDate = 253402300799

// Claims is the verified claim set of an access token, decoded by
// encoding/json with the registered JSON types (RFC 7519 §4.1): iss, sub,
// jti, azp and scope strings; aud a string or an array of strings; exp, nbf
// and iat JSON numbers in 0..253402300799; permissions an array of strings.
// A claim of any other type is ErrClaimType, reported only once the
// signature has been verified. Other claims are ignored; a member that
// appears twice counts with its last value, as encoding/json decodes it.
// Claims is never encoded: it has no JSON form of its own.
type Claims struct {
	Issuer          string           // iss
	Subject         string           // sub
	Audience        jwt.ClaimStrings // aud; a single string decodes as a one-element list
	ExpiresAt       *jwt.NumericDate // exp
	NotBefore       *jwt.NumericDate // nbf
	IssuedAt        *jwt.NumericDate // iat
	ID              string           // jti
	AuthorizedParty string           // azp
	Scope           string           // scope, space-separated; "" when absent
	Permissions     []string         // permissions (Auth0 RBAC); nil when absent

	// decoded is set by UnmarshalJSON: a "null" payload never reaches it.
	decoded bool
	// typeErr is the claim type error UnmarshalJSON met, kept for the
	// getters and Validate so that it is reported after the signature
	// check, not before.
	typeErr error
}

var _ jwt.ClaimsValidator = (*Claims)(nil)

// numericDate is a jwt.NumericDate that decodes only from a JSON number of
// seconds in 0..maxNumericDate. jwt.NumericDate itself also takes a quoted
// number ("exp": "1700000000"), which RFC 7519 §2 does not allow.
type numericDate jwt.NumericDate

// UnmarshalJSON decodes a JSON number of seconds in range into the time
// jwt.NumericDate would hold (whole seconds and fraction, at
// jwt.TimePrecision).
func (d *numericDate) UnmarshalJSON(b []byte) error {
	var seconds float64
	if err := json.Unmarshal(b, &seconds); err != nil || seconds < 0 || seconds > maxNumericDate {
		return fmt.Errorf("%w: a date must be a JSON number between 0 and %d", ErrClaimType, maxNumericDate)
	}
	whole, frac := math.Modf(seconds)
	*d = numericDate(*jwt.NewNumericDate(time.Unix(int64(whole), int64(frac*1e9))))
	return nil
}

// UnmarshalJSON decodes a claim set with encoding/json: the object's
// members by their exact names (RFC 7519 §4 names are case-sensitive, where
// encoding/json would match "EXP" to exp), each registered claim into its
// type. It fails only when the claim set is not a JSON object (jwt/v5 then
// reports the token malformed); a claim of the wrong type, null included, is
// recorded for Validate instead.
func (c *Claims) UnmarshalJSON(data []byte) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		return fmt.Errorf("%w: claim set is not a JSON object", ErrMalformed)
	}
	*c = Claims{decoded: true}
	var exp, nbf, iat *numericDate
	for _, claim := range [...]struct {
		name string
		dst  any
	}{
		{"iss", &c.Issuer}, {"sub", &c.Subject}, {"aud", &c.Audience},
		{"exp", &exp}, {"nbf", &nbf}, {"iat", &iat},
		{"jti", &c.ID}, {"azp", &c.AuthorizedParty}, {"scope", &c.Scope}, {"permissions", &c.Permissions},
	} {
		raw, ok := members[claim.name]
		if !ok || c.typeErr != nil {
			continue
		}
		if string(raw) == "null" || json.Unmarshal(raw, claim.dst) != nil {
			c.typeErr = fmt.Errorf("%w: %q has the wrong JSON type", ErrClaimType, claim.name)
		}
	}
	c.ExpiresAt = (*jwt.NumericDate)(exp)
	c.NotBefore = (*jwt.NumericDate)(nbf)
	c.IssuedAt = (*jwt.NumericDate)(iat)
	return nil
}

// The getters implement jwt.Claims. Each fails with the claim type error,
// if there was one, so that jwt/v5 reports it rather than the zero value
// left in the claim's place.

// GetExpirationTime implements jwt.Claims.
func (c *Claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt, c.typeErr }

// GetIssuedAt implements jwt.Claims.
func (c *Claims) GetIssuedAt() (*jwt.NumericDate, error) { return c.IssuedAt, c.typeErr }

// GetNotBefore implements jwt.Claims.
func (c *Claims) GetNotBefore() (*jwt.NumericDate, error) { return c.NotBefore, c.typeErr }

// GetIssuer implements jwt.Claims.
func (c *Claims) GetIssuer() (string, error) { return c.Issuer, c.typeErr }

// GetSubject implements jwt.Claims.
func (c *Claims) GetSubject() (string, error) { return c.Subject, c.typeErr }

// GetAudience implements jwt.Claims.
func (c *Claims) GetAudience() (jwt.ClaimStrings, error) { return c.Audience, c.typeErr }

// Validate implements jwt.ClaimsValidator: jwt/v5 calls it after the
// signature and its own claim checks. It reports a claim set that was not an
// object (ErrMalformed), a claim of the wrong type (ErrClaimType) and an
// absent or empty sub (ErrSubject), which jwt/v5 does not require.
func (c *Claims) Validate() error {
	switch {
	case !c.decoded:
		return fmt.Errorf("%w: claim set is not a JSON object", ErrMalformed)
	case c.typeErr != nil:
		return c.typeErr
	case c.Subject == "":
		return ErrSubject
	}
	return nil
}
