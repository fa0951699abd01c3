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
	for ; i < len(s); i++ {
		c := s[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' {
			continue
		}
		break
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
