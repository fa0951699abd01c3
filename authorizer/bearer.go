package authorizer

import "strings"

// bearerScheme is the only accepted authorization scheme (RFC 6750 §2.1).
const bearerScheme = "Bearer"

// ParseBearer extracts the token from an Authorization value of exactly the
// form "Bearer <token>": the scheme matched case-insensitively, one space,
// and a non-empty RFC 6750 b64token (ALPHA / DIGIT / "-" "." "_" "~" "+" "/"
// followed by optional "="), with nothing before or after. It does not bound
// the length; callers check the size first (Authorize does).
//
// Errors: ErrTokenMissing for an empty value or an empty token, ErrBadScheme
// for another scheme, a missing or repeated separator or extra parts, and
// ErrMalformed for a token with characters outside b64token.
func ParseBearer(header string) (string, error) {
	if header == "" {
		return "", ErrTokenMissing
	}
	scheme, token, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, bearerScheme) {
		return "", ErrBadScheme
	}
	if token == "" {
		return "", ErrTokenMissing
	}
	if !isB64Token(token) {
		if strings.ContainsAny(token, " \t\r\n\v\f") {
			return "", ErrBadScheme
		}
		return "", ErrMalformed
	}
	return token, nil
}

// isB64Token reports whether s matches RFC 6750's
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	i := 0
	// Compact JWS characters (base64url and "."), eight at a time.
	for ; i+8 <= len(s) && allJWSChars(le64s(s[i:])); i += 8 {
	}
	for ; i < len(s) && isB64Char(s[i]); i++ {
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// b64Low and b64High are the b64token characters other than "=": bit c of
// b64Low for c < 64, bit c-64 of b64High for 64 <= c < 128.
const (
	b64Low  = 1<<'+' | 1<<'-' | 1<<'.' | 1<<'/' | 0x3ff<<'0'
	b64High = 0x3ffffff<<('A'-64) | 1<<('_'-64) | 0x3ffffff<<('a'-64) | 1<<('~'-64)
)

func isB64Char(c byte) bool {
	if c < 64 {
		return b64Low>>c&1 != 0
	}
	return c < 128 && b64High>>(c-64)&1 != 0
}

// le64s reads eight bytes of s little-endian.
func le64s(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// inRange has the top bit of each byte of x set when lo <= byte <= hi,
// for x whose bytes are all below 0x80 (no carry crosses a byte).
func inRange(x uint64, lo, hi byte) uint64 {
	return (x + lsbs*uint64(0x80-lo)) &^ (x + lsbs*uint64(0x7f-hi)) & msbs
}

// allJWSChars reports whether all eight bytes of x are base64url
// characters or ".": a subset of the b64token characters.
func allJWSChars(x uint64) bool {
	if x&msbs != 0 {
		return false
	}
	ok := inRange(x|lsbs*0x20, 'a', 'z') | inRange(x, '0', '9') | inRange(x, '-', '.') | inRange(x, '_', '_')
	return ok == msbs
}
