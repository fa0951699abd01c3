package authorizer

import "errors"

// ErrUnauthorized is the only error Authorize returns. Its message is exactly
// "Unauthorized", which API Gateway turns into a 401 response. The reason for
// the rejection goes to the log, never to the caller.
var ErrUnauthorized = errors.New("Unauthorized")

// reasonError is a rejection cause with a stable, log-friendly reason code.
type reasonError struct {
	code string
	msg  string
}

func (e *reasonError) Error() string { return e.msg }

// Sentinel errors returned (wrapped) by Verify and ParseBearer and reported
// as reason codes in the decision log. Check them with errors.Is; Reason
// turns any of them into its code.
var (
	// ErrTokenMissing: no Authorization value, or "Bearer " with nothing after it.
	ErrTokenMissing error = &reasonError{"token_missing", "authorizer: token missing"}
	// ErrBadScheme: the value is not exactly "Bearer <token>".
	ErrBadScheme error = &reasonError{"bad_scheme", "authorizer: authorization scheme is not Bearer"}
	// ErrTokenTooLarge: the header or token exceeds Config.MaxTokenBytes.
	ErrTokenTooLarge error = &reasonError{"token_too_large", "authorizer: token too large"}
	// ErrMalformed: the token is not a well-formed compact JWS (segments, base64url, JSON).
	ErrMalformed error = &reasonError{"malformed", "authorizer: malformed token"}
	// ErrCritHeader: the token header carries "crit", which this verifier does not support.
	ErrCritHeader error = &reasonError{"crit_header", "authorizer: crit header not supported"}
	// ErrKeyIDMissing: the token header has no "kid", or it is not a non-empty string.
	ErrKeyIDMissing error = &reasonError{"kid_missing", "authorizer: kid missing"}
	// ErrUnknownKey: no usable key with the token's kid, even after any allowed refresh.
	ErrUnknownKey error = &reasonError{"unknown_kid", "authorizer: unknown kid"}
	// ErrKeysUnavailable: no usable key has ever been fetched from the JWKS.
	ErrKeysUnavailable error = &reasonError{"keys_unavailable", "authorizer: signing keys unavailable"}
	// ErrAlgorithm: the token's alg is not RS256.
	ErrAlgorithm error = &reasonError{"algorithm", "authorizer: algorithm not allowed"}
	// ErrSignature: the signature does not verify with the key its kid names.
	ErrSignature error = &reasonError{"signature", "authorizer: invalid signature"}
	// ErrClaimType: a registered claim (or scope, permissions) has the wrong JSON type or range.
	ErrClaimType error = &reasonError{"claim_type", "authorizer: claim of wrong type"}
	// ErrClaimMissing: a required claim (iss, aud, exp) is absent.
	ErrClaimMissing error = &reasonError{"claim_missing", "authorizer: required claim missing"}
	// ErrIssuer: iss is not exactly Config.Issuer.
	ErrIssuer error = &reasonError{"issuer", "authorizer: wrong issuer"}
	// ErrAudience: aud does not contain Config.Audience.
	ErrAudience error = &reasonError{"audience", "authorizer: wrong audience"}
	// ErrExpired: exp is in the past (beyond the leeway).
	ErrExpired error = &reasonError{"expired", "authorizer: token expired"}
	// ErrNotYetValid: nbf is in the future (beyond the leeway).
	ErrNotYetValid error = &reasonError{"not_yet_valid", "authorizer: token not yet valid"}
	// ErrIssuedInFuture: iat is in the future (beyond the leeway).
	ErrIssuedInFuture error = &reasonError{"issued_in_future", "authorizer: token issued in the future"}
	// ErrSubject: sub is absent or empty.
	ErrSubject error = &reasonError{"subject", "authorizer: subject missing or empty"}
	// ErrScope: Config.RequiredScope is set and the token's scope does not contain it.
	ErrScope error = &reasonError{"scope", "authorizer: required scope missing"}
	// ErrMethodARN: the request's methodArn is not an execute-api method ARN.
	ErrMethodARN error = &reasonError{"method_arn", "authorizer: malformed methodArn"}
	// ErrEventType: the event's type is not "TOKEN", so the function is wired
	// as another kind of authorizer (a REQUEST authorizer, say) by mistake.
	ErrEventType error = &reasonError{"event_type", "authorizer: event type is not TOKEN"}
)

// reasonPriority orders the sentinels for classification when a failure wraps
// several of them (jwt/v5 joins all claim errors): the first match wins.
var reasonPriority = [...]error{
	ErrEventType, ErrTokenMissing, ErrBadScheme, ErrTokenTooLarge, ErrMalformed, ErrCritHeader,
	ErrKeyIDMissing, ErrKeysUnavailable, ErrUnknownKey, ErrAlgorithm, ErrSignature,
	ErrClaimType, ErrClaimMissing, ErrIssuer, ErrAudience, ErrExpired, ErrNotYetValid,
	ErrIssuedInFuture, ErrSubject, ErrScope, ErrMethodARN,
}

// firstReason returns the highest-priority sentinel err wraps, or nil.
func firstReason(err error) error {
	for _, s := range reasonPriority {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

// Reason returns the short snake_case reason code for err: "ok" for nil, the
// code of the sentinel err wraps (e.g. "expired", "unknown_kid"), or
// "internal" for anything else.
func Reason(err error) string {
	if err == nil {
		return "ok"
	}
	if s, ok := firstReason(err).(*reasonError); ok {
		return s.code
	}
	return "internal"
}
