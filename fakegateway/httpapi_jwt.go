package fakegateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// The managed JWT authorizer of an HTTP API, as "Control access to HTTP APIs with JWT authorizers
// in API Gateway" (section "Authorizing API requests with a JWT authorizer") documents its
// workflow:
//
//  1. read the identity source; it "can include only the token, or the token prefixed with
//     Bearer";
//  2. decode the token;
//  3. check its algorithm and signature with the public key fetched from the issuer's jwks_uri
//     ("Currently, only RSA-based algorithms are supported"; the key "can be cached for two
//     hours");
//  4. validate the claims: kid matches a key of the jwks_uri; iss matches the authorizer's
//     issuer; aud or client_id matches one of its audience entries ("API Gateway validates
//     client_id only if aud is not present", "Troubleshooting issues with HTTP API JWT
//     authorizers"); exp after the current time; nbf and iat before it; scope or scp holds at
//     least one of the route's authorization scopes.
//
// "If any of these steps fail, API Gateway denies the API request": 401 {"message":"Unauthorized"}
// with a www-authenticate header naming the reason, shaped as the troubleshooting page shows
// (Bearer scope="" error="invalid_token" error_description="the token does not have a valid
// audience"). Only that audience wording is documented; the other descriptions below are ours
// (no source found for AWS's wording). A token without any of the route's scopes is 403
// {"message":"Forbidden"} (no source found for a www-authenticate header on that answer; none is
// sent). The jwks_uri is read from the issuer's OpenID Connect discovery document
// (ISSUER/.well-known/openid-configuration), which the JWT authorizer documentation requires
// the issuer to publish.
//
// After a successful check the integration gets requestContext.authorizer.jwt.claims (every
// claim as a string: "claims" is map[string]string in aws-lambda-go's events type; how AWS
// renders a non-string claim is not documented, the fake writes numbers in decimal, booleans as
// true/false, arrays as [a b] and objects as JSON — no source found) and jwt.scopes (the
// token's scopes).

// jwtRSAMethods are the RSA-based algorithms the JWT authorizer accepts.
var jwtRSAMethods = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}

// jwksCacheTime is how long the JWT authorizer keeps the issuer's keys between refreshes
// ("API Gateway caches the public key for two hours", the JWT authorizer page).
const jwksCacheTime = 2 * time.Hour

// jwtAuthorizer validates tokens for one JWT authorizer. The keyfunc (and its background
// refresh) starts on the first request, so a gateway can start before its issuer does.
type jwtAuthorizer struct {
	cfg    HTTPAuthorizer
	ctx    context.Context // ends the JWKS refresh goroutine
	client *http.Client
	clock  func() time.Time
	logger *slog.Logger

	mu     sync.Mutex
	keys   keyfunc.Keyfunc
	parser *jwt.Parser
}

func newJWTAuthorizer(ctx context.Context, cfg HTTPAuthorizer, client *http.Client, clock func() time.Time, logger *slog.Logger) *jwtAuthorizer {
	return &jwtAuthorizer{
		cfg:    cfg,
		ctx:    ctx,
		client: client,
		clock:  clock,
		logger: logger,
		parser: jwt.NewParser(
			jwt.WithValidMethods(jwtRSAMethods),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithTimeFunc(clock),
		),
	}
}

// jwtAuthorization is what a valid token passes to the integration.
type jwtAuthorization struct {
	claims map[string]string
	scopes []string
}

func (a *jwtAuthorization) context() *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: a.claims, Scopes: a.scopes},
	}
}

// Reasons a token is refused: the log's reason code and the www-authenticate description.
var (
	errJWTMissing   = &jwtError{"token_missing", ""}
	errJWTMalformed = &jwtError{"malformed", "the token is malformed"}
	errJWTKeys      = &jwtError{"keys_unavailable", "the issuer's signing keys could not be fetched"}
	errJWTKid       = &jwtError{"unknown_kid", "the token's kid matches no key of the issuer"}
	errJWTAlgorithm = &jwtError{"algorithm", "the token's signing method is not an RSA algorithm"}
	errJWTSignature = &jwtError{"signature", "the token's signature is invalid"}
	errJWTIssuer    = &jwtError{"issuer", "the token does not have a valid issuer"}
	errJWTAudience  = &jwtError{"audience", "the token does not have a valid audience"}
	errJWTExpired   = &jwtError{"expired", "the token has expired"}
	errJWTNotYet    = &jwtError{"not_yet_valid", "the token is not valid yet"}
	errJWTIssuedAt  = &jwtError{"issued_in_future", "the token was issued in the future"}
	errJWTClaims    = &jwtError{"claims", "the token's claims are invalid"}
)

// jwtError is a refusal: a reason code for the log and a description for www-authenticate.
type jwtError struct {
	code, description string
}

func (e *jwtError) Error() string { return e.code }

// challenge is the www-authenticate value for e.
func (e *jwtError) challenge() string {
	if e.description == "" {
		// No token at all: no source found for AWS's header here; the bare scheme, as RFC 6750
		// §3.1 advises when the request lacks any authentication information.
		return "Bearer"
	}
	return `Bearer scope="" error="invalid_token" error_description="` + e.description + `"`
}

// authorize checks the request's token for a route needing scopes. It returns the authorizer
// output on success, or the refusal to send and its reason code.
func (j *jwtAuthorizer) authorize(ctx context.Context, r *http.Request, scopes []string) (*jwtAuthorization, *reply, string) {
	refuse := func(e *jwtError) (*jwtAuthorization, *reply, string) {
		rep := gatewayJSON(http.StatusUnauthorized, httpMsgUnauthorized)
		rep.header.Set("Www-Authenticate", e.challenge())
		return nil, &rep, e.code
	}
	raw, ok := identityValue(j.cfg.IdentitySources[0], r.Header, r.URL.Query())
	if !ok {
		return refuse(errJWTMissing)
	}
	// "The identitySource can include only the token, or the token prefixed with Bearer": the
	// prefix as the page spells it (whether AWS also takes "bearer": no source found).
	token := strings.TrimPrefix(raw, "Bearer ")
	claims, err := j.verify(ctx, token)
	if err != nil {
		var je *jwtError
		if !errors.As(err, &je) {
			je = errJWTClaims
		}
		return refuse(je)
	}
	granted := tokenScopes(claims)
	if len(scopes) > 0 && !slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(granted, s) }) {
		rep := gatewayJSON(http.StatusForbidden, httpMsgForbidden)
		return nil, &rep, "scope_missing"
	}
	return &jwtAuthorization{claims: stringClaims(claims), scopes: granted}, nil, "ok"
}

// verify parses and validates token with jwt/v5 over the issuer's JWKS (keyfunc/v3).
func (j *jwtAuthorizer) verify(ctx context.Context, token string) (jwt.MapClaims, error) {
	keys, err := j.keyfunc(ctx)
	if err != nil {
		return nil, errJWTKeys
	}
	claims := jwt.MapClaims{}
	_, err = j.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		// The kid must match a key of the jwks_uri: a token without one is refused rather than
		// tried against every key.
		if kid, ok := t.Header["kid"].(string); !ok || kid == "" {
			return nil, errJWTKid
		}
		key, err := keys.KeyfuncCtx(ctx)(t)
		if err != nil {
			return nil, errJWTKid
		}
		return key, nil
	})
	switch {
	case err == nil:
	case errors.Is(err, errJWTKid):
		return nil, errJWTKid
	case errors.Is(err, jwt.ErrTokenSignatureInvalid) && strings.Contains(err.Error(), "signing method"):
		return nil, errJWTAlgorithm
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return nil, errJWTSignature
	case errors.Is(err, jwt.ErrTokenMalformed), errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, errJWTMalformed
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return nil, errJWTIssuer
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, errJWTExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return nil, errJWTNotYet
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return nil, errJWTIssuedAt
	default:
		return nil, fmt.Errorf("%w: %w", errJWTClaims, err)
	}
	if !j.audienceOK(claims) {
		return nil, errJWTAudience
	}
	return claims, nil
}

// audienceOK applies the aud-or-client_id rule: aud when present, client_id otherwise.
func (j *jwtAuthorizer) audienceOK(claims jwt.MapClaims) bool {
	if _, ok := claims["aud"]; ok {
		aud, err := claims.GetAudience()
		return err == nil && slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(j.cfg.Audience, a) })
	}
	id, ok := claims["client_id"].(string)
	return ok && slices.Contains(j.cfg.Audience, id)
}

// keyfunc returns the issuer's key set, discovering its jwks_uri on first use. A failed
// discovery is retried on the next request.
func (j *jwtAuthorizer) keyfunc(ctx context.Context) (keyfunc.Keyfunc, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.keys != nil {
		return j.keys, nil
	}
	jwksURI, err := j.discover(ctx)
	if err != nil {
		j.logger.LogAttrs(ctx, slog.LevelWarn, "jwt authorizer discovery failed", slog.String("issuer", j.cfg.Issuer), slog.String("error", err.Error()))
		return nil, err
	}
	kf, err := keyfunc.NewDefaultOverrideCtx(j.ctx, []string{jwksURI}, keyfunc.Override{
		Client:          j.client,
		HTTPTimeout:     5 * time.Second,
		RefreshInterval: jwksCacheTime,
		// An unknown kid refreshes the keys at once, then at most once a minute; a request never
		// waits for the limiter (a flood of unknown kids cannot hammer the issuer).
		RefreshUnknownKID: rate.NewLimiter(rate.Every(time.Minute), 1),
		RateLimitWaitMax:  100 * time.Millisecond,
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				j.logger.LogAttrs(ctx, slog.LevelWarn, "jwt authorizer jwks refresh failed", slog.String("jwks_uri", u), slog.String("error", err.Error()))
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("keyfunc for %s: %w", jwksURI, err)
	}
	j.keys = kf
	return kf, nil
}

// discover reads jwks_uri from the issuer's OpenID Connect discovery document.
func (j *jwtAuthorizer) discover(ctx context.Context) (string, error) {
	u := strings.TrimSuffix(j.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := j.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("discovery: %s answered %d", u, resp.StatusCode)
	}
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	if doc.JWKSURI == "" {
		return "", errors.New("discovery: no jwks_uri")
	}
	return doc.JWKSURI, nil
}

// tokenScopes reads scope (a space-separated string) or scp (a string or a list of strings).
func tokenScopes(claims jwt.MapClaims) []string {
	var out []string
	add := func(v any) {
		switch s := v.(type) {
		case string:
			out = append(out, strings.Fields(s)...)
		case []any:
			for _, e := range s {
				if str, ok := e.(string); ok && str != "" {
					out = append(out, str)
				}
			}
		}
	}
	add(claims["scope"])
	add(claims["scp"])
	return out
}

// stringClaims renders every claim as a string for requestContext.authorizer.jwt.claims.
func stringClaims(claims jwt.MapClaims) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		out[k] = claimText(v)
	}
	return out
}

func claimText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = claimText(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return ""
		}
		return string(b)
	}
}
