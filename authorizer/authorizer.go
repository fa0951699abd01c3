package authorizer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/golang-jwt/jwt/v5"
)

// Authorizer is an API Gateway TOKEN authorizer for Auth0 RS256 access
// tokens. It is safe for concurrent use.
type Authorizer struct {
	cfg     Config
	client  *http.Client
	clock   func() time.Time
	logger  *slog.Logger
	keys    *keySet
	keyfunc keyfunc.Keyfunc
	parser  *jwt.Parser
}

// Option configures an Authorizer.
type Option func(*Authorizer)

// WithHTTPClient sets the client used to fetch the JWKS. The default client
// does not follow redirects; every fetch is bounded by Config.JWKSTimeout and
// the caller's context deadline whatever the client's own settings.
func WithHTTPClient(c *http.Client) Option {
	return func(a *Authorizer) {
		if c != nil {
			a.client = c
		}
	}
}

// WithClock sets the clock used for exp, nbf and iat and for the JWKS
// refresh policy (minimum interval, backoff, maximum age). The default is
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(a *Authorizer) {
		if now != nil {
			a.clock = now
		}
	}
}

// WithLogger sets the logger for decision and JWKS refresh lines. The
// default writes JSON to os.Stdout.
func WithLogger(l *slog.Logger) Option {
	return func(a *Authorizer) {
		if l != nil {
			a.logger = l
		}
	}
}

// New validates cfg and returns an Authorizer. It fetches the JWKS once,
// within ctx and Config.JWKSTimeout; a failed fetch is logged, not fatal:
// requests are then rejected with ErrKeysUnavailable, and the next request
// after a short backoff (1s, doubling up to Config.JWKSRefreshMinInterval)
// fetches again.
func New(ctx context.Context, cfg Config, opts ...Option) (*Authorizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("authorizer: invalid configuration: %w", err)
	}
	a := &Authorizer{
		cfg: cfg,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		clock:  time.Now,
		logger: slog.New(slog.NewJSONHandler(os.Stdout, nil)),
	}
	for _, o := range opts {
		o(a)
	}
	a.keys = newKeySet(cfg, a.client, a.clock, a.logger)
	kf, err := keyfunc.New(keyfunc.Options{Storage: a.keys})
	if err != nil {
		return nil, fmt.Errorf("authorizer: %w", err)
	}
	a.keyfunc = kf
	a.parser = newParser(cfg, a.clock)
	a.keys.refresh(ctx, a.clock(), false)
	return a, nil
}

// NewFromEnv is ConfigFromEnv through lookup (os.LookupEnv in a Lambda)
// followed by New: what a Lambda main does at init. Its error names every
// variable that is missing or malformed; New itself fails only on those.
func NewFromEnv(ctx context.Context, lookup func(string) (string, bool), opts ...Option) (*Authorizer, error) {
	cfg, err := ConfigFromEnv(lookup)
	if err != nil {
		return nil, fmt.Errorf("authorizer: invalid configuration: %w", err)
	}
	return New(ctx, cfg, opts...)
}

// tokenEventType is the type of the event API Gateway sends a TOKEN authorizer.
const tokenEventType = "TOKEN"

// Authorize is the Lambda handler (lambda.Start(a.Authorize)): it checks
// that the event is a TOKEN event, verifies its bearer token and returns an
// Allow policy for the token's sub on the methodArn (or on the whole stage
// with PolicyResourceStage), with context {"scope": scope}. Every failure,
// including a methodArn that does not parse and a panic, returns
// ErrUnauthorized and no policy. It writes one log line per call: msg
// "authorize", decision, reason, request_id (when ctx carries a Lambda
// context) and, on allow, sub.
func (a *Authorizer) Authorize(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (resp events.APIGatewayCustomAuthorizerResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			a.logDecision(ctx, slog.LevelError, "deny", "internal", "")
			resp, err = events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
		}
	}()
	claims, arn, err := a.authorize(ctx, req)
	if err != nil {
		a.logDecision(ctx, slog.LevelInfo, "deny", Reason(err), "")
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	a.logDecision(ctx, slog.LevelInfo, "allow", Reason(nil), claims.Subject)
	return allowResponse(claims.Subject, policyResource(a.cfg.PolicyResource, req.MethodArn, arn), claims.Scope), nil
}

// authorize checks req and returns the verified claims and the parsed
// methodArn.
func (a *Authorizer) authorize(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (*Claims, MethodARN, error) {
	if req.Type != tokenEventType {
		return nil, MethodARN{}, ErrEventType
	}
	token, err := a.bearerToken(req.AuthorizationToken)
	if err != nil {
		return nil, MethodARN{}, err
	}
	arn, err := ParseMethodARN(req.MethodArn)
	if err != nil {
		return nil, MethodARN{}, err
	}
	claims, err := a.Verify(ctx, token)
	if err != nil {
		return nil, MethodARN{}, err
	}
	return claims, arn, nil
}

// bearerToken is the token of an Authorization value: its size checked
// first, then its form "Bearer <token>".
func (a *Authorizer) bearerToken(authorization string) (string, error) {
	if len(authorization) > a.cfg.MaxTokenBytes+len(bearerPrefix) {
		return "", ErrTokenTooLarge
	}
	return ParseBearer(authorization)
}

// logDecision writes the decision line: decision, reason, request_id when
// ctx carries a Lambda context, and sub on allow.
func (a *Authorizer) logDecision(ctx context.Context, level slog.Level, decision, reason, sub string) {
	attrs := []slog.Attr{slog.String("decision", decision), slog.String("reason", reason)}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc != nil && lc.AwsRequestID != "" {
		attrs = append(attrs, slog.String("request_id", lc.AwsRequestID))
	}
	if sub != "" {
		attrs = append(attrs, slog.String("sub", sub))
	}
	a.logger.LogAttrs(ctx, level, "authorize", attrs...)
}
