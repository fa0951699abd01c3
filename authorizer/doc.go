// Package authorizer is an AWS API Gateway Lambda TOKEN authorizer that
// verifies Auth0 RS256 access tokens against the tenant's JWKS.
//
// A Lambda main builds it from the environment and hands its Authorize
// method to aws-lambda-go:
//
//	a, err := authorizer.NewFromEnv(ctx, os.LookupEnv)
//	if err != nil { ... log the error, which names the variable, and exit ... }
//	lambda.Start(a.Authorize) // or a.AuthorizeHTTP behind an HTTP API
//
// Tokens are parsed and verified by golang-jwt/jwt/v5 (RS256 only, iss
// exact, aud containing the audience, exp required, nbf and iat honoured
// with a small bounded leeway, strict base64url) with the key that
// keyfunc/v3 reads from the tenant's JWKS through this package's key set (a
// jwkset.Storage). The package adds thin checks around them: the event must
// be a TOKEN event; the Authorization value must be exactly
// "Bearer <token>" (the scheme spelt so, as the gateway's validation
// expression) and at most MaxTokenBytes long; the header must carry a
// string kid naming an RSA signing key of at least 2048 bits from the JWKS
// (jku, jwk, x5u and x5c never influence the key, crit is refused); every
// registered claim must have its JSON type and sub must be non-empty.
//
// The JWKS is fetched at start. An unknown kid, or keys older than
// JWKSMaxAge, trigger a fetch: the first at once, then at most one per
// JWKSRefreshMinInterval. After a failed fetch the next may run after 1s,
// doubling up to that interval. Concurrent callers share one fetch; a fetch
// never outlives JWKSTimeout nor the caller's deadline (less 100ms); the
// last good keys survive failed, garbage or empty responses.
//
// Authorize returns an Allow policy for the token's sub, or the error
// ErrUnauthorized ("Unauthorized") for any failure. It logs one JSON line
// per decision with a reason code (see Reason) and the Lambda request id;
// never the token, its signature or its header.
package authorizer
