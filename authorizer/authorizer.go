package authorizer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Authorizer is an API Gateway TOKEN authorizer for Auth0 RS256 access
// tokens. It is safe for concurrent use.
type Authorizer struct {
	cfg     Config
	client  *http.Client
	clock   func() time.Time
	logger  *slog.Logger
	keys    *keySet
	scratch scratchPool
	logPC   atomic.Uintptr // program counter of the decision log call, once known
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
// refresh policy (minimum interval, maximum age). The default is time.Now.
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
// requests are then rejected with ErrKeysUnavailable until a later fetch,
// at most one per Config.JWKSRefreshMinInterval, succeeds.
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
	a.keys.refresh(ctx, a.clock())
	return a, nil
}

// Authorize is the Lambda handler: it verifies the event's bearer token and
// returns an Allow policy for its sub on the methodArn (or on the whole stage
// with PolicyResourceStage), with context {"scope": scope}. Every failure,
// including a methodArn that does not parse, returns ErrUnauthorized and no
// policy. It writes one log line per call: msg "authorize", decision,
// reason, request_id (when ctx carries a Lambda context) and, on allow, sub.
//
// Invoke is the same handler on the event's JSON, for lambda.Start(a).
func (a *Authorizer) Authorize(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	g, err := a.decide(ctx, req)
	if err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	return allowResponse(g.principal, g.resource, g.scope), nil
}

// grant is an Allow decision: what the policy says.
type grant struct {
	principal, resource, scope string
}

// decide makes and logs the decision on req. Every failure, a panic
// included, is ErrUnauthorized.
func (a *Authorizer) decide(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (g grant, err error) {
	defer func() {
		if p := recover(); p != nil {
			a.logDecision(ctx, slog.LevelError, "deny", "internal", "")
			g, err = grant{}, ErrUnauthorized
		}
	}()
	g, err = a.authorize(ctx, req)
	if err != nil {
		a.logDecision(ctx, slog.LevelInfo, "deny", Reason(err), "")
		return grant{}, ErrUnauthorized
	}
	a.logDecision(ctx, slog.LevelInfo, "allow", Reason(nil), g.principal)
	return g, nil
}

func (a *Authorizer) authorize(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (grant, error) {
	if len(req.AuthorizationToken) > a.cfg.MaxTokenBytes+len(bearerScheme)+1 {
		return grant{}, ErrTokenTooLarge
	}
	token, err := ParseBearer(req.AuthorizationToken)
	if err != nil {
		return grant{}, err
	}
	arn, err := ParseMethodARN(req.MethodArn)
	if err != nil {
		return grant{}, err
	}
	claims, err := a.Verify(ctx, token)
	if err != nil {
		return grant{}, err
	}
	return grant{
		principal: claims.Subject,
		resource:  policyResource(a.cfg.PolicyResource, req.MethodArn, arn),
		scope:     claims.Scope,
	}, nil
}

// logDecision writes the decision line: decision, reason, request_id when
// ctx carries a Lambda context, and sub on allow. It hands the record to the
// logger's handler as Logger.LogAttrs would, but with the call site's
// program counter (for handlers that add the source) looked up once rather
// than by unwinding the stack on every call.
func (a *Authorizer) logDecision(ctx context.Context, level slog.Level, decision, reason, sub string) {
	h := a.logger.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	pc := a.logPC.Load()
	if pc == 0 {
		var pcs [1]uintptr
		runtime.Callers(1, pcs[:])
		pc = pcs[0]
		a.logPC.Store(pc)
	}
	r := slog.NewRecord(time.Now(), level, "authorize", pc)
	var buf [4]slog.Attr
	attrs := append(buf[:0], slog.String("decision", decision), slog.String("reason", reason))
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc != nil && lc.AwsRequestID != "" {
		attrs = append(attrs, slog.String("request_id", lc.AwsRequestID))
	}
	if sub != "" {
		attrs = append(attrs, slog.String("sub", sub))
	}
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r)
}
