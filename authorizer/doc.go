// Package authorizer is an AWS API Gateway Lambda TOKEN authorizer that
// verifies Auth0 RS256 access tokens against the tenant's JWKS.
//
// A Lambda main builds it from the environment and hands it to lambda.Start:
//
//	cfg, err := authorizer.ConfigFromEnv(os.LookupEnv)
//	if err != nil { ... log the error, which names the variable, and exit ... }
//	a, err := authorizer.New(ctx, cfg)
//	lambda.Start(a)
//
// An *Authorizer is a lambda.Handler: its Invoke reads the TOKEN event and
// writes the policy directly, answering byte for byte what
// lambda.Start(a.Authorize) answers through aws-lambda-go's reflection, at a
// fraction of the cost.
//
// Verify costs little more than its RSA check: the compact JWS is read in
// one pass over pooled buffers and the key comes from an immutable
// kid → *rsa.PublicKey snapshot; it decides as jwt/v5's Parser over
// keyfunc/v3 did (the tests compare the two on every case and by fuzzing).
//
// Verification is strict: the Authorization value must be exactly
// "Bearer <token>" and at most MaxTokenBytes long; only RS256 is accepted;
// the header must carry a string kid naming an RSA signing key of at least
// 2048 bits from the JWKS (jku, jwk, x5u and x5c never influence the key,
// crit is rejected); iss must equal the configured issuer exactly, aud
// contain the audience, exp be present, nbf and iat be honoured with a small
// bounded leeway, sub be a non-empty string, and every registered claim have
// its JSON type.
//
// The JWKS is fetched at start, then again on an unknown kid or when the
// keys are older than JWKSMaxAge, but never more than once per
// JWKSRefreshMinInterval; concurrent callers share one fetch; a fetch never
// outlives JWKSTimeout nor the caller's deadline (less 100ms); the last good
// keys survive failed, garbage or empty responses.
//
// Authorize returns an Allow policy for the token's sub, or the error
// ErrUnauthorized ("Unauthorized") for any failure. It logs one JSON line
// per decision with a reason code (see Reason) and the Lambda request id;
// never the token, its signature or its header.
package authorizer
