package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/golang-jwt/jwt/v5"
)

// maxHeaderBytes bounds the Authorization header before any parsing.
const maxHeaderBytes = 8 << 10

// errUnauthorized is the only error the authorizer returns: API Gateway
// answers it with 401.
var errUnauthorized = errors.New("Unauthorized")

// config is the authorizer's environment.
type config struct {
	jwksURI, issuer, audience string
	minRefresh                time.Duration
	// stageWide makes the Allow cover the whole stage (POLICY_RESOURCE=stage),
	// which API Gateway's result cache needs.
	stageWide bool
}

// configFromEnv reads the environment; a missing variable fails the init.
func configFromEnv(lookup func(string) (string, bool)) (config, error) {
	var c config
	for name, dst := range map[string]*string{"JWKS_URI": &c.jwksURI, "TOKEN_ISSUER": &c.issuer, "AUDIENCE": &c.audience} {
		v, ok := lookup(name)
		if !ok || v == "" {
			return c, fmt.Errorf("%s is required", name)
		}
		*dst = v
	}
	// The default keeps a rotation and an outage at start within the suite's
	// 15 s recovery bound: the suite sets no knob, it judges the defaults.
	c.minRefresh = 5 * time.Second
	if v, ok := lookup("JWKS_MIN_REFRESH_INTERVAL"); ok && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return c, fmt.Errorf("JWKS_MIN_REFRESH_INTERVAL %q must be a duration between 1s and 1h", v)
		}
		c.minRefresh = d
	}
	switch v, _ := lookup("POLICY_RESOURCE"); v {
	case "", "method":
	case "stage":
		c.stageWide = true
	default:
		return c, fmt.Errorf("POLICY_RESOURCE %q must be method or stage", v)
	}
	return c, nil
}

// authorizer verifies Auth0 RS256 access tokens for API Gateway.
type authorizer struct {
	cfg    config
	flaw   flaw
	keys   *keyStore
	kf     keyfunc.Keyfunc
	logger *slog.Logger
}

// newAuthorizer builds the authorizer and fetches the key set once; a failed
// first fetch is logged and retried on demand.
func newAuthorizer(ctx context.Context, cfg config, f flaw, logger *slog.Logger) *authorizer {
	keys := newKeyStore(cfg.jwksURI, &http.Client{}, cfg.minRefresh, f, logger)
	keys.refresh(ctx, false)
	kf, err := keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: keys})
	if err != nil {
		// keyfunc.New fails only without a storage.
		panic(err)
	}
	return &authorizer{cfg: cfg, flaw: f, keys: keys, kf: kf, logger: logger}
}

// handle is the Lambda handler.
func (a *authorizer) handle(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	if a.flaw == logEvent {
		a.logger.Info("event", slog.Any("event", ev))
	}
	if a.flaw == jwksPerRequest {
		a.keys.refresh(ctx, false)
	}
	resp, reason := a.decide(ctx, ev)
	if reason != "" {
		a.logger.Info("authorize", slog.String("decision", "deny"), slog.String("reason", reason), slog.String("request_id", requestID))
		if a.flaw == denyPolicy {
			return policy("user", "Deny", ev.MethodArn, nil), nil
		}
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	a.logger.Info("authorize", slog.String("decision", "allow"), slog.String("reason", "ok"),
		slog.String("request_id", requestID), slog.String("sub", resp.PrincipalID))
	return resp, nil
}

// decide returns the Allow, or the reason for a rejection.
func (a *authorizer) decide(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, string) {
	var none events.APIGatewayCustomAuthorizerResponse
	if ev.Type != "TOKEN" && a.flaw != eventTypeIgnored {
		return none, "event_type"
	}
	token, reason := a.bearer(ev.AuthorizationToken)
	if reason != "" {
		return none, reason
	}
	resource, ok := a.resource(ev.MethodArn)
	if !ok {
		return none, "method_arn"
	}
	claims, reason := a.verify(ctx, token)
	if reason != "" {
		return none, reason
	}
	sub, ok := claims["sub"].(string)
	if a.flaw == subAnyType {
		sub, ok = fmt.Sprint(claims["sub"]), true
	}
	if !ok || sub == "" {
		return none, "subject"
	}
	scope := ""
	if v, present := claims["scope"]; present {
		if scope, ok = v.(string); !ok {
			return none, "claim_type"
		}
	}
	principal := sub
	if azp, ok := claims["azp"].(string); ok && a.flaw == principalAzp {
		principal = azp
	}
	values := map[string]any{"scope": scope}
	if p, ok := claims["permissions"]; ok && a.flaw == contextArray {
		values["permissions"] = p
	}
	return policy(principal, "Allow", resource, values), ""
}

// bearer extracts the token from "Bearer <token>".
func (a *authorizer) bearer(header string) (string, string) {
	if len(header) > maxHeaderBytes && a.flaw != noSizeLimit {
		return "", "too_large"
	}
	switch a.flaw {
	case bearerTrimPrefix:
		token := strings.TrimPrefix(header, "Bearer ")
		if token == "" {
			return "", "missing"
		}
		return token, ""
	case bearerFields:
		parts := strings.Fields(header)
		if len(parts) < 2 || !strings.EqualFold(parts[0], "bearer") {
			return "", "scheme"
		}
		return parts[1], ""
	}
	if strings.TrimSpace(header) == "" {
		return "", "missing"
	}
	// "Bearer" exactly, as API Gateway's validation expression ^Bearer [-0-9a-zA-Z._]+$ has it.
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || scheme != "Bearer" {
		return "", "scheme"
	}
	if token == "" {
		return "", "missing"
	}
	for _, c := range []byte(token) {
		if !isTokenByte(c) {
			return "", "scheme"
		}
	}
	return token, ""
}

// isTokenByte reports whether c may appear in a compact JWS.
func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// resource is the ARN the Allow names: the methodArn itself, or its stage
// (API/STAGE/*) when the gateway caches results. methodArn must be an
// execute-api ARN: arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH.
func (a *authorizer) resource(methodARN string) (string, bool) {
	if a.flaw == arnUnchecked {
		// The blueprint's parsing: no checks, an index out of range on a bad ARN.
		if !a.cfg.stageWide {
			return methodARN, true
		}
		arn := strings.Split(methodARN, ":")
		path := strings.Split(arn[5], "/")
		return strings.Join(arn[:5], ":") + ":" + path[0] + "/" + path[1] + "/*", true
	}
	if strings.ContainsAny(methodARN, "*? \t\r\n") {
		return "", false // IAM wildcards would widen the Allow
	}
	parts := strings.SplitN(methodARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
		return "", false
	}
	path := strings.SplitN(parts[5], "/", 4)
	if len(path) != 4 || path[0] == "" || path[1] == "" || path[2] == "" {
		return "", false
	}
	switch {
	case a.flaw == policyAccountWide:
		return strings.Join(parts[:5], ":") + ":*", true
	case a.cfg.stageWide:
		return strings.Join(parts[:5], ":") + ":" + path[0] + "/" + path[1] + "/*", true
	}
	return methodARN, true
}

// verify checks the token's signature and claims.
func (a *authorizer) verify(ctx context.Context, token string) (jwt.MapClaims, string) {
	leeway := 10 * time.Second
	if a.flaw == leewayHour {
		leeway = time.Hour
	}
	opts := []jwt.ParserOption{jwt.WithLeeway(leeway)}
	if a.flaw != algRSAFamily {
		opts = append(opts, jwt.WithValidMethods([]string{"RS256"}))
	}
	if a.flaw != issuerUnchecked {
		opts = append(opts, jwt.WithIssuer(a.cfg.issuer))
	}
	if a.flaw != audienceUnchecked {
		opts = append(opts, jwt.WithAudience(a.cfg.audience))
	}
	if a.flaw != expOptional {
		opts = append(opts, jwt.WithExpirationRequired())
	}
	if a.flaw != iatUnchecked {
		opts = append(opts, jwt.WithIssuedAt())
	}
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(token, claims, a.keyFunc(ctx), opts...)
	if err != nil {
		return nil, reasonFor(err)
	}
	if a.flaw == logSignature {
		a.logger.Info("verified", slog.Any("signature", parsed.Signature))
	}
	return claims, ""
}

// errHeader is a JOSE header the authorizer refuses.
var errHeader = errors.New("refused header")

// keyFunc picks the verification key for a token.
func (a *authorizer) keyFunc(ctx context.Context) jwt.Keyfunc {
	if a.flaw == algRSAFamily {
		// The keyfunc of golang-jwt's README: the method's type is checked, not its name.
		return func(t *jwt.Token) (any, error) {
			switch t.Method.(type) {
			case *jwt.SigningMethodRSA, *jwt.SigningMethodRSAPSS:
			default:
				return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
			}
			if err := a.checkHeader(t); err != nil {
				return nil, err
			}
			jwk, err := a.keys.KeyRead(ctx, t.Header["kid"].(string))
			if err != nil {
				return nil, err
			}
			return jwk.Key(), nil
		}
	}
	inner := a.kf.KeyfuncCtx(ctx)
	return func(t *jwt.Token) (any, error) {
		if err := a.checkHeader(t); err != nil {
			return nil, err
		}
		return inner(t)
	}
}

// checkHeader refuses crit and requires a string kid.
func (a *authorizer) checkHeader(t *jwt.Token) error {
	if _, ok := t.Header["crit"]; ok && a.flaw != critIgnored {
		return fmt.Errorf("%w: crit", errHeader)
	}
	if kid, ok := t.Header["kid"].(string); (!ok || kid == "") && a.flaw != kidOptional {
		return fmt.Errorf("%w: kid", errHeader)
	}
	return nil
}

// reasonFor turns a verification error into a reason code for the log.
func reasonFor(err error) string {
	switch {
	case errors.Is(err, errHeader):
		return "header"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "signature"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "not_yet_valid"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "audience"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing), errors.Is(err, jwt.ErrInvalidType):
		return "claims"
	default:
		return "invalid"
	}
}

// policy is an authorizer response with one statement.
func policy(principal, effect, resource string, values map[string]any) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principal,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: []string{resource},
			}},
		},
		Context: values,
	}
}
