package authorizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// maxNumericDate is 9999-12-31T23:59:59Z: larger NumericDates are rejected
// as ErrClaimType rather than overflowing time conversions.
const maxNumericDate = 253402300799

// Claims is the verified claim set of an access token. Registered claims are
// decoded with their exact JSON types: iss, sub, jti, azp and scope strings;
// aud a string or an array of strings; exp, nbf, iat numbers in
// 0..253402300799; permissions an array of strings. Any other type is
// ErrClaimType, reported only after the signature has been verified. Other
// claims are ignored.
type Claims struct {
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

var _ jwt.ClaimsValidator = (*Claims)(nil)

// UnmarshalJSON decodes a JWT claim set, recording (not returning) claim type
// errors so that they surface in Validate after signature verification. It
// fails only when the claim set is not a JSON object.
func (c *Claims) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return fmt.Errorf("%w: claim set is not a JSON object", ErrMalformed)
	}
	*c = Claims{decoded: true}
	// Checked in a fixed order so the reported type error is deterministic.
	var err error
	if v, ok := raw["iss"]; ok {
		c.Issuer, err = claimString("iss", v, err)
	}
	if v, ok := raw["sub"]; ok {
		c.Subject, err = claimString("sub", v, err)
	}
	if v, ok := raw["aud"]; ok {
		c.Audience, err = claimAudience(v, err)
	}
	if v, ok := raw["exp"]; ok {
		c.ExpiresAt, err = claimDate("exp", v, err)
	}
	if v, ok := raw["nbf"]; ok {
		c.NotBefore, err = claimDate("nbf", v, err)
	}
	if v, ok := raw["iat"]; ok {
		c.IssuedAt, err = claimDate("iat", v, err)
	}
	if v, ok := raw["jti"]; ok {
		c.ID, err = claimString("jti", v, err)
	}
	if v, ok := raw["azp"]; ok {
		c.AuthorizedParty, err = claimString("azp", v, err)
	}
	if v, ok := raw["scope"]; ok {
		c.Scope, err = claimString("scope", v, err)
	}
	if v, ok := raw["permissions"]; ok {
		c.Permissions, err = claimStrings("permissions", v, err)
	}
	c.err = err
	return nil
}

func claimTypeError(name, want string) error {
	return fmt.Errorf("%w: %q must be %s", ErrClaimType, name, want)
}

// claimString decodes a JSON string; prev is the error so far, kept if set.
func claimString(name string, v json.RawMessage, prev error) (string, error) {
	s, ok := jsonString(v)
	if !ok {
		return "", firstErr(prev, claimTypeError(name, "a JSON string"))
	}
	return s, prev
}

// jsonString decodes v, part of an already validated JSON document, if it
// is a string. Strings without escapes and with valid UTF-8 are sliced
// directly; others go through encoding/json.
func jsonString(v json.RawMessage) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	if body := v[1 : len(v)-1]; bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), true
	}
	var s string
	return s, json.Unmarshal(v, &s) == nil
}

// claimAudience decodes aud: a JSON string or a JSON array of strings.
func claimAudience(v json.RawMessage, prev error) (jwt.ClaimStrings, error) {
	if len(v) > 0 && v[0] == '"' {
		s, err := claimString("aud", v, prev)
		return jwt.ClaimStrings{s}, err
	}
	list, err := claimStrings("aud", v, prev)
	if err != nil && prev == nil {
		err = claimTypeError("aud", "a JSON string or an array of strings")
	}
	return jwt.ClaimStrings(list), err
}

// claimStrings decodes a JSON array of strings.
func claimStrings(name string, v json.RawMessage, prev error) ([]string, error) {
	var items []json.RawMessage
	if len(v) == 0 || v[0] != '[' || json.Unmarshal(v, &items) != nil {
		return nil, firstErr(prev, claimTypeError(name, "a JSON array of strings"))
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := jsonString(it)
		if !ok {
			return nil, firstErr(prev, claimTypeError(name, "a JSON array of strings"))
		}
		out = append(out, s)
	}
	return out, prev
}

func claimDateError(name string) error {
	return claimTypeError(name, "a JSON number of seconds between 0 and 253402300799")
}

// claimDate decodes a NumericDate: a JSON number of seconds in 0..maxNumericDate.
func claimDate(name string, v json.RawMessage, prev error) (*jwt.NumericDate, error) {
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return nil, firstErr(prev, claimDateError(name))
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f < 0 || f > maxNumericDate {
		return nil, firstErr(prev, claimDateError(name))
	}
	sec := int64(f)
	nsec := int64((f - float64(sec)) * 1e9)
	return jwt.NewNumericDate(time.Unix(sec, nsec)), prev
}

func firstErr(prev, next error) error {
	if prev != nil {
		return prev
	}
	return next
}

// GetExpirationTime implements jwt.Claims; it fails if any claim had the wrong type.
func (c *Claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt, c.err }

// GetIssuedAt implements jwt.Claims; it fails if any claim had the wrong type.
func (c *Claims) GetIssuedAt() (*jwt.NumericDate, error) { return c.IssuedAt, c.err }

// GetNotBefore implements jwt.Claims; it fails if any claim had the wrong type.
func (c *Claims) GetNotBefore() (*jwt.NumericDate, error) { return c.NotBefore, c.err }

// GetIssuer implements jwt.Claims; it fails if any claim had the wrong type.
func (c *Claims) GetIssuer() (string, error) { return c.Issuer, c.err }

// GetSubject implements jwt.Claims; it fails if any claim had the wrong type.
func (c *Claims) GetSubject() (string, error) { return c.Subject, c.err }

// GetAudience implements jwt.Claims; it fails if any claim had the wrong type.
func (c *Claims) GetAudience() (jwt.ClaimStrings, error) { return c.Audience, c.err }

// Validate implements jwt.ClaimsValidator; jwt/v5 calls it after the
// signature and the standard claims have been checked. It reports a claim
// set that never decoded (ErrMalformed), the first claim type error
// (ErrClaimType) and an absent or empty sub (ErrSubject).
func (c *Claims) Validate() error {
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
