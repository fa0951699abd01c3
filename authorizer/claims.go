package authorizer

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

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
// claims are ignored. A member that appears twice counts with its last value.
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

	decoded bool  // decode ran on a JSON object
	err     error // first claim type error

	// Storage for the dates and a single-string aud, so that decoding
	// allocates the Claims and nothing else for them.
	dates [3]jwt.NumericDate
	aud1  [1]string
}

var _ jwt.ClaimsValidator = (*Claims)(nil)

// The claims Claims decodes, in the order their types are checked (so the
// reported type error is deterministic).
const (
	claimIss = iota
	claimSub
	claimAud
	claimExp
	claimNbf
	claimIat
	claimJti
	claimAzp
	claimScope
	claimPermissions
	numClaims
)

// claimIndex returns the index of the claim named by the member name doc[s],
// or -1 for claims Claims ignores. It does not allocate for plain names.
func claimIndex(doc []byte, s span) int {
	body := doc[s.start+1 : s.end-1]
	if bytes.IndexByte(body, '\\') >= 0 {
		name, _ := decodeString(doc, "", s)
		return claimNameIndex(name)
	}
	if len(body) > len("permissions") {
		return -1
	}
	return claimNameIndex(string(body))
}

// claimNames are the claims Claims decodes, by index.
var claimNames = [numClaims]string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "azp", "scope", "permissions"}

func claimNameIndex(name string) int {
	for i, n := range claimNames {
		if n == name {
			return i
		}
	}
	return -1
}

// claimSpans locates the claims Claims decodes in doc, a payload; first is
// the first byte of its top-level value ('{' for a claim set) or 0 when doc
// is not valid JSON. A repeated claim counts with its last value.
func claimSpans(doc []byte) (at [numClaims]span, first byte) {
	first = scanJSON(doc, false, func(name, value span) {
		if i := claimIndex(doc, name); i >= 0 {
			at[i] = value
		}
	})
	return at, first
}

// UnmarshalJSON decodes a JWT claim set, recording (not returning) claim type
// errors so that they surface in Validate after signature verification. It
// fails only when the claim set is not a JSON object.
func (c *Claims) UnmarshalJSON(data []byte) error {
	at, first := claimSpans(data)
	if first != '{' {
		return fmt.Errorf("%w: claim set is not a JSON object", ErrMalformed)
	}
	*c = Claims{}
	c.decode(data, string(data), &at)
	return nil
}

// decode fills c, a zero Claims, from the claims at positions at of doc, a
// claim set that claimSpans read; text is doc as a string, and the claims'
// strings are slices of it.
func (c *Claims) decode(doc []byte, text string, at *[numClaims]span) {
	c.decoded = true
	var err error
	for i, v := range at {
		if v.end == 0 {
			continue
		}
		name := claimNames[i]
		switch i {
		case claimAud:
			c.Audience, err = c.claimAudience(doc, text, v, err)
		case claimExp, claimNbf, claimIat:
			*c.datePtr(i), err = claimDate(&c.dates[i-claimExp], text, name, v, err)
		case claimPermissions:
			c.Permissions, err = claimStrings(doc, text, name, v, err)
		default:
			*c.stringPtr(i), err = claimString(doc, text, name, v, err)
		}
	}
	c.err = err
}

// stringPtr returns the field of the string claim with index i.
func (c *Claims) stringPtr(i int) *string {
	switch i {
	case claimIss:
		return &c.Issuer
	case claimSub:
		return &c.Subject
	case claimJti:
		return &c.ID
	case claimAzp:
		return &c.AuthorizedParty
	}
	return &c.Scope
}

// datePtr returns the field of the date claim with index i.
func (c *Claims) datePtr(i int) **jwt.NumericDate {
	switch i {
	case claimExp:
		return &c.ExpiresAt
	case claimNbf:
		return &c.NotBefore
	}
	return &c.IssuedAt
}

func claimTypeError(name, want string) error {
	return fmt.Errorf("%w: %q must be %s", ErrClaimType, name, want)
}

// claimString decodes a JSON string; prev is the error so far, kept if set.
func claimString(doc []byte, text, name string, v span, prev error) (string, error) {
	s, ok := decodeString(doc, text, v)
	if !ok {
		return "", firstErr(prev, claimTypeError(name, "a JSON string"))
	}
	return s, prev
}

// claimAudience decodes aud: a JSON string or a JSON array of strings.
func (c *Claims) claimAudience(doc []byte, text string, v span, prev error) (jwt.ClaimStrings, error) {
	if doc[v.start] == '"' {
		s, err := claimString(doc, text, "aud", v, prev)
		c.aud1[0] = s
		return c.aud1[:], err
	}
	list, err := claimStrings(doc, text, "aud", v, prev)
	if err != nil && prev == nil {
		err = claimTypeError("aud", "a JSON string or an array of strings")
	}
	return jwt.ClaimStrings(list), err
}

// claimStrings decodes a JSON array of strings.
func claimStrings(doc []byte, text, name string, v span, prev error) ([]string, error) {
	bad := func() ([]string, error) {
		return nil, firstErr(prev, claimTypeError(name, "a JSON array of strings"))
	}
	if doc[v.start] != '[' {
		return bad()
	}
	if v.plain {
		// n plain strings: each lies between two consecutive quotes.
		out := make([]string, 0, v.n)
		i := v.start
		for range v.n {
			open := i + bytes.IndexByte(doc[i:], '"')
			end := open + 1 + bytes.IndexByte(doc[open+1:], '"')
			out = append(out, text[open+1:end])
			i = end + 1
		}
		return out, prev
	}
	n := 0
	for it := newArrayIter(doc, v.start); ; n++ {
		e, ok := it.next()
		if !ok {
			break
		}
		if doc[e.start] != '"' {
			return bad()
		}
	}
	out := make([]string, 0, n)
	for it := newArrayIter(doc, v.start); ; {
		e, ok := it.next()
		if !ok {
			break
		}
		s, _ := decodeString(doc, text, e)
		out = append(out, s)
	}
	return out, prev
}

// parseNumericDate parses a JSON number as strconv.ParseFloat does; plain
// integers of up to 15 digits, which a float64 holds exactly, take a short
// path.
func parseNumericDate(num string) (float64, bool) {
	if len(num) <= 15 {
		var n int64
		i := 0
		for ; i < len(num) && '0' <= num[i] && num[i] <= '9'; i++ {
			n = n*10 + int64(num[i]-'0')
		}
		if i == len(num) && i > 0 {
			return float64(n), true
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	return f, err == nil
}

func claimDateError(name string) error {
	return claimTypeError(name, "a JSON number of seconds between 0 and 253402300799")
}

// claimDate decodes a NumericDate, a JSON number of seconds in
// 0..maxNumericDate, into dst (truncated to jwt.TimePrecision, as
// jwt.NewNumericDate does).
func claimDate(dst *jwt.NumericDate, text, name string, v span, prev error) (*jwt.NumericDate, error) {
	num := text[v.start:v.end]
	if c := num[0]; c != '-' && (c < '0' || c > '9') {
		return nil, firstErr(prev, claimDateError(name))
	}
	f, ok := parseNumericDate(num)
	if !ok || f < 0 || f > maxNumericDate {
		return nil, firstErr(prev, claimDateError(name))
	}
	sec := int64(f)
	nsec := int64((f - float64(sec)) * 1e9)
	*dst = jwt.NumericDate{Time: time.Unix(sec, nsec).Truncate(jwt.TimePrecision)}
	return dst, prev
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

// Validate implements jwt.ClaimsValidator for callers that parse with
// jwt/v5 themselves. It reports a claim set that never decoded
// (ErrMalformed), the first claim type error (ErrClaimType) and an absent or
// empty sub (ErrSubject). Verify checks all of this and the standard claims
// itself.
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
