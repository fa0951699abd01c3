package authorizer

import "strings"

// bearerPrefix is the only accepted form of the Authorization value's start:
// the scheme "Bearer", spelt exactly so, and one space. RFC 7235 lets a
// client spell the scheme in any case, but the API Gateway validation
// expression the template ships (^Bearer [-0-9a-zA-Z._]+$) accepts only this
// spelling, so the function refuses what the gateway in front of it would.
const bearerPrefix = "Bearer "

// ParseBearer extracts the token from an Authorization value of exactly the
// form "Bearer <token>": the scheme spelt "Bearer" (case-sensitive, as the
// gateway's validation expression), one space, and a non-empty RFC 6750
// b64token (ALPHA / DIGIT / "-" "." "_" "~" "+" "/" followed by optional
// "="), with nothing before or after. It does not bound the length; callers
// check the size first (Authorize does).
//
// Errors: ErrTokenMissing for an empty value or an empty token, ErrBadScheme
// for another scheme or spelling, a missing or repeated separator or extra
// parts, and ErrMalformed for a token with characters outside b64token.
func ParseBearer(header string) (string, error) {
	if header == "" {
		return "", ErrTokenMissing
	}
	token, found := strings.CutPrefix(header, bearerPrefix)
	if !found {
		return "", ErrBadScheme
	}
	if token == "" {
		return "", ErrTokenMissing
	}
	if strings.ContainsAny(token, " \t\r\n\v\f") {
		return "", ErrBadScheme
	}
	if !isB64Token(token) {
		return "", ErrMalformed
	}
	return token, nil
}

// isB64Token reports whether s matches RFC 6750's
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}
